import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from core.models import Workspace
from core.portfolio import (
    Budgets,
    Exclusion,
    PlanInfeasible,
    PortfolioItem,
    compare_rules,
    efficient_frontier,
    marginal_npv,
    plan_portfolio,
    tie_break_eur,
)
from core.portfolio_workspace import portfolio_items

ROOT = Path(__file__).resolve().parents[2]
K = 1_000.0
UNLIMITED = 1e12


def item(identifier: str, npv: float, investment: float, **fields) -> PortfolioItem:
    return PortfolioItem(id=identifier, name=f"Use case {identifier}", npv_eur=npv, investment_eur=investment,
                         **fields)


def by_id(plan, identifier: str) -> Exclusion:
    return next(exclusion for exclusion in plan.excluded if exclusion.id == identifier)


def solver_tie_break(count: int) -> np.ndarray:
    # Module docstring: 0.5 to 1 cent per chosen use case, rising with its position i = 1..n: 0.01·(1 + i/(n+1))/2.
    return np.array([0.01 * (1 + position / (count + 1)) / 2 for position in range(1, count + 1)])


def rule_subsets(items: list[PortfolioItem]) -> np.ndarray:
    """Every subset (rows of 0/1 over the items) that keeps the S20 rules but the limits, by enumeration of all 2^n."""
    n = len(items)
    subsets = ((np.arange(2**n)[:, None] >> np.arange(n)) & 1).astype(bool)
    position = {candidate.id: index for index, candidate in enumerate(items)}
    keep = np.ones(len(subsets), dtype=bool)
    for index, candidate in enumerate(items):
        eligible = (candidate.funding != "never" and candidate.risk_class != "prohibited"
                    and (candidate.risk_class != "high" or candidate.dpia_assessed))
        if not eligible:
            keep &= ~subsets[:, index]
        if candidate.funding == "must":
            keep &= subsets[:, index]
        for need in candidate.needs:
            keep &= ~subsets[:, index] | subsets[:, position[need]]
    return subsets[keep]


def within_limits(subsets: np.ndarray, items: list[PortfolioItem], budgets: Budgets) -> np.ndarray:
    """The rows of ``subsets`` within every limit of ``budgets``."""
    needs = np.array([[c.investment_eur, c.run_cost_eur_per_month, c.capacity_person_months] for c in items])
    limits = [budgets.investment_eur, budgets.run_budget_eur_per_month, budgets.capacity_person_months]
    used = subsets.astype(float) @ needs.reshape(len(items), 3)
    keep = np.ones(len(subsets), dtype=bool)
    for row, limit in enumerate(limits):
        if limit is not None:
            keep &= used[:, row] <= limit * (1 + 1e-9) + 1e-9
    return subsets[keep]


def allowed_subsets(items: list[PortfolioItem], budgets: Budgets) -> np.ndarray:
    """Every subset (rows of 0/1 over the items) that keeps the S20 rules, by enumeration of all 2^n."""
    return within_limits(rule_subsets(items), items, budgets)


def best_npv(items, budgets, objective=None) -> float:
    subsets = allowed_subsets(items, budgets)
    npv = np.array([candidate.npv_eur for candidate in items]) if objective is None else np.asarray(objective)
    return float((subsets.astype(float) @ npv).max()) if len(subsets) else -math.inf


def mask(items, identifiers) -> np.ndarray:
    return np.array([candidate.id in identifiers for candidate in items], dtype=bool)


# --- S20 optimality against brute force ----------------------------------------------------------------------

grid_npv = st.integers(-4, 20).map(lambda steps: steps * 50 * K)
cent_npv = st.floats(-200 * K, 2_000 * K, allow_nan=False).map(lambda value: round(value, 2))


@st.composite
def portfolios(draw, max_size: int = 14):
    n = draw(st.one_of(st.integers(0, 6), st.integers(0, 10), st.integers(7, max_size)))
    names = [f"u{index}" for index in range(n)]
    items = []
    for index in range(n):
        earlier = st.lists(st.sampled_from(names[:index]), max_size=2, unique=True) if index else st.just([])
        items.append(PortfolioItem(
            id=names[index], name=names[index],
            npv_eur=draw(st.one_of(grid_npv, cent_npv)),
            investment_eur=draw(st.integers(0, 8)) * 50 * K,
            run_cost_eur_per_month=draw(st.integers(0, 5)) * K,
            capacity_person_months=draw(st.integers(0, 6)) * 0.5,
            risk_class=draw(st.sampled_from(["minimal", "minimal", "limited", "limited", "high", "prohibited"])),
            dpia_assessed=draw(st.booleans()),
            funding=draw(st.sampled_from([None] * 10 + ["must", "never"])),
            needs=tuple(draw(earlier)),
        ))
    items = [items[index] for index in draw(st.permutations(range(n)))]
    total = sum(candidate.investment_eur for candidate in items)
    budgets = Budgets(
        investment_eur=draw(st.sampled_from([0.0, 0.2, 0.35, 0.5, 0.8, 1.0])) * total,
        run_budget_eur_per_month=draw(st.one_of(st.none(), st.integers(0, 20).map(lambda steps: steps * K))),
        capacity_person_months=draw(st.one_of(st.none(), st.integers(0, 30).map(lambda steps: steps * 0.5))),
    )
    return items, budgets


def relaxed(budgets: Budgets, constraint: str) -> Budgets:
    field = {"investment": "investment_eur", "run_cost": "run_budget_eur_per_month",
             "capacity": "capacity_person_months"}[constraint]
    return budgets.model_copy(update={field: UNLIMITED})


def limited(budgets: Budgets) -> list[str]:
    return [name for name, limit in (("investment", budgets.investment_eur),
                                     ("run_cost", budgets.run_budget_eur_per_month),
                                     ("capacity", budgets.capacity_person_months)) if limit is not None]


def assert_brute_force_optimum(items: list[PortfolioItem], budgets: Budgets, objective=None) -> None:
    """The plan is allowed and optimal for ``objective`` (the items' NPV when None), and ``binding`` holds exactly
    the limits whose lifting alone buys a plan better by more than the 1-cent tie-break."""
    ruled = rule_subsets(items)
    subsets = within_limits(ruled, items, budgets)
    if len(subsets) == 0:
        with pytest.raises(PlanInfeasible):
            plan_portfolio(items, budgets, objective)
        return
    plan = plan_portfolio(items, budgets, objective)
    npv = np.array([candidate.npv_eur for candidate in items] if objective is None else objective, dtype=float)
    chosen = mask(items, plan.chosen_ids)
    assert (subsets == chosen).all(axis=1).any(), "the plan breaks an S20 rule"
    assert plan.chosen_ids == tuple(candidate.id for candidate in items if candidate.id in plan.chosen_ids)
    assert plan.npv_eur == pytest.approx(float(npv[chosen].sum()), abs=1e-6)
    # Exact up to the tie-break (≤ 1 cent per use case); for the tie-broken objective exact outright.
    true_best = float((subsets @ npv).max())
    assert true_best - 0.01 * len(items) - 1e-6 <= plan.npv_eur <= true_best + 1e-6
    broken = subsets @ (npv - solver_tie_break(len(items)))
    assert float(npv[chosen].sum() - solver_tie_break(len(items))[chosen].sum()) == pytest.approx(
        float(broken.max()), abs=1e-6)
    ranked = np.sort(broken)[::-1]
    if len(ranked) == 1 or ranked[0] - ranked[1] > 1e-4:
        assert (subsets[np.argmax(broken)] == chosen).all()
    for constraint in limited(budgets):
        lifted_best = float((within_limits(ruled, items, relaxed(budgets, constraint)) @ npv).max())
        if constraint in plan.binding:
            assert lifted_best > plan.npv_eur + 0.01 - 1e-6, f"{constraint} is reported binding but does not pay"
        else:
            assert lifted_best <= plan.npv_eur + 0.01 + 1e-6, f"{constraint} pays when lifted but is not reported"
    assert set(plan.binding) <= set(limited(budgets))


@st.composite
def large_portfolios(draw):
    """11 to 14 use cases that always admit a plan: musts only on eligible use cases without needs, and every
    limit at least what the musts take, so the brute force and the solver meet at the top end of the range."""
    n = draw(st.integers(11, 14))
    names = [f"u{index}" for index in range(n)]
    items = []
    for index in range(n):
        earlier = st.lists(st.sampled_from(names[:index]), max_size=2, unique=True) if index else st.just([])
        needs = tuple(draw(earlier))
        risk = draw(st.sampled_from(["minimal"] * 4 + ["limited"] * 3 + ["high", "prohibited"]))
        dpia = draw(st.booleans())
        eligible_root = not needs and risk != "prohibited" and (risk != "high" or dpia)
        funding = draw(st.sampled_from([None] * 12 + ["never"] + (["must"] if eligible_root else [])))
        items.append(PortfolioItem(
            id=names[index], name=names[index], npv_eur=draw(st.one_of(grid_npv, cent_npv)),
            investment_eur=draw(st.integers(0, 8)) * 50 * K, run_cost_eur_per_month=draw(st.integers(0, 5)) * K,
            capacity_person_months=draw(st.integers(0, 6)) * 0.5, risk_class=risk, dpia_assessed=dpia,
            funding=funding, needs=needs,
        ))
    items = [items[index] for index in draw(st.permutations(range(n)))]
    must = [candidate for candidate in items if candidate.funding == "must"]
    limits = []
    for field in ("investment_eur", "run_cost_eur_per_month", "capacity_person_months"):
        forced = sum(getattr(candidate, field) for candidate in must)
        rest = sum(getattr(candidate, field) for candidate in items) - forced
        limits.append(forced + draw(st.sampled_from([0.0, 0.2, 0.35, 0.5, 0.8, 1.0])) * rest)
    budgets = Budgets(investment_eur=limits[0],
                      run_budget_eur_per_month=draw(st.sampled_from([None, limits[1]])),
                      capacity_person_months=draw(st.sampled_from([None, limits[2]])))
    return items, budgets


def robust_vectors(items: list[PortfolioItem], draw) -> np.ndarray:
    """A P10- or P50-like NPV vector: each NPV shrunk or shifted independently, in cents."""
    factors = draw(st.lists(st.floats(0.2, 1.1), min_size=len(items), max_size=len(items)))
    shifts = draw(st.lists(st.integers(-6, 2).map(lambda steps: steps * 50 * K), min_size=len(items),
                           max_size=len(items)))
    return np.round([candidate.npv_eur * factor + shift
                     for candidate, factor, shift in zip(items, factors, shifts, strict=True)], 2)


@settings(max_examples=250, deadline=None)
@given(portfolios())
def test_s20_plan_is_the_brute_force_optimum(case):
    assert_brute_force_optimum(*case)


@settings(max_examples=40, deadline=None)
@given(large_portfolios())
def test_s20_plan_of_11_to_14_use_cases_is_the_brute_force_optimum(case):
    items, budgets = case
    assert 11 <= len(items) <= 14 and len(allowed_subsets(items, budgets)) > 0
    assert_brute_force_optimum(items, budgets)


@settings(max_examples=50, deadline=None)
@given(st.one_of(portfolios(), large_portfolios()), st.data())
def test_s20_plan_on_a_p10_or_p50_vector_is_the_brute_force_optimum(case, data):
    items, budgets = case
    assert_brute_force_optimum(items, budgets, robust_vectors(items, data.draw))


def test_s20_a_limit_binds_when_lifting_it_buys_a_swap_not_only_an_addition():
    # The sample at 700 k€, 10 PM, 20 k€/month: the chatbot (1,355 k€, 9 PM, 18 k€/month) fills the capacity and
    # no single use case fits beside it. Without the capacity limit, invoice, tickets, e-mail and demand
    # forecasting (21 PM, 16.2 k€/month, 365 k€) make 1,394 k€; without the run budget or the investment budget
    # the 10 PM still allow only the chatbot.
    workspace = Workspace.model_validate_json((ROOT / "sample_data" / "workspace.json").read_text(encoding="utf-8"))
    items = portfolio_items(workspace)
    budgets = Budgets(investment_eur=700 * K, capacity_person_months=10, run_budget_eur_per_month=20 * K)
    plan = plan_portfolio(items, budgets)
    assert plan.chosen_ids == ("support-chatbot",)
    assert plan.binding == ("capacity",)
    unlimited = plan_portfolio(items, budgets.model_copy(update={"capacity_person_months": None}))
    assert set(unlimited.chosen_ids) == {"invoice-extraction", "ticket-classification", "email-triage",
                                         "demand-forecasting"}
    assert unlimited.npv_eur == pytest.approx(1_394_245.81, abs=0.01)
    for field in ("investment_eur", "run_budget_eur_per_month"):
        assert plan_portfolio(items, budgets.model_copy(update={field: None if field != "investment_eur"
                                                                 else UNLIMITED})).npv_eur == plan.npv_eur


def test_s20_swap_by_hand_binds_without_any_single_addition():
    # 4 PM and 4 k€/month: A (500 k€, 4 PM, 4 k€/month) fills both; B and C (300 k€, 3 PM, 2 k€/month each)
    # together need 6 PM. Neither fits beside A, so no single addition pays, yet without the capacity limit B + C
    # make 600 k€ within the run budget: the capacity binds. Without the run budget 4 PM still allow only A.
    items = [item("A", 500 * K, 0, capacity_person_months=4, run_cost_eur_per_month=4 * K),
             item("B", 300 * K, 0, capacity_person_months=3, run_cost_eur_per_month=2 * K),
             item("C", 300 * K, 0, capacity_person_months=3, run_cost_eur_per_month=2 * K)]
    plan = plan_portfolio(items, Budgets(investment_eur=0, capacity_person_months=4, run_budget_eur_per_month=4 * K))
    assert (plan.chosen_ids, plan.npv_eur) == (("A",), 500 * K)
    assert plan.binding == ("capacity",)
    # 6 PM: B + C (600 k€) fit. A beside one of them (800 k€) needs 7 PM and 6 k€/month: both limits at once,
    # so lifting either one alone buys nothing and neither is binding.
    wider = plan_portfolio(items, Budgets(investment_eur=0, capacity_person_months=6, run_budget_eur_per_month=4 * K))
    assert (wider.chosen_ids, wider.binding) == (("B", "C"), ())


@settings(max_examples=60, deadline=None)
@given(portfolios(max_size=10))
def test_s20_frontier_matches_brute_force_at_every_level_and_never_falls(case):
    items, budgets = case
    if not len(allowed_subsets(items, relaxed(budgets, "investment"))):
        with pytest.raises(PlanInfeasible):
            efficient_frontier(items, budgets)
        return
    frontier = efficient_frontier(items, budgets)
    assert len(frontier.budget_eur) == 20
    assert np.all(np.diff(frontier.npv_eur) >= 0)
    assert np.all(frontier.investment_eur <= frontier.budget_eur * (1 + 1e-9) + 1e-9)
    for level, npv in zip(frontier.budget_eur, frontier.npv_eur, strict=True):
        best = best_npv(items, budgets.model_copy(update={"investment_eur": float(level)}))
        assert best - 0.01 * len(items) - 1e-6 <= npv <= best + 1e-6
    unlimited = plan_portfolio(items, relaxed(budgets, "investment"))
    assert frontier.npv_eur[-1] == pytest.approx(unlimited.npv_eur, abs=0.01 * len(items) + 1e-6)


# --- hand-built cases, one rule each -------------------------------------------------------------------------

MODULE_EXAMPLE = [item("a", 900 * K, 300 * K), item("b", 500 * K, 150 * K), item("c", 450 * K, 150 * K)]


def test_s20_three_use_cases_by_hand():
    # 300 k€: {a} 900 k€, {b, c} 500 + 450 = 950 k€ → b and c; a is out for the budget, which binds.
    plan = plan_portfolio(MODULE_EXAMPLE, Budgets(investment_eur=300 * K))
    assert plan.chosen_ids == ("b", "c")
    assert plan.npv_eur == 950 * K
    assert plan.investment_eur == 300 * K
    assert plan.binding == ("investment",)
    assert plan.excluded == (Exclusion("a", "budget", ("investment",)),)


def test_s20_dependencies_by_hand():
    # B needs A. A alone loses 100 k€, B brings 500 k€, C 300 k€; each costs 100 k€.
    items = [item("A", -100 * K, 100 * K), item("B", 500 * K, 100 * K, needs=("A",)), item("C", 300 * K, 100 * K)]
    # 100 k€: B alone breaks "B needs A" → {C} 300 k€.
    small = plan_portfolio(items, Budgets(investment_eur=100 * K))
    assert small.chosen_ids == ("C",)
    assert by_id(small, "B") == Exclusion("B", "needs_unfunded", ("A",))
    assert by_id(small, "A").reason == "no_gain"
    # 200 k€: {A, B} −100 + 500 = 400 k€ beats {C} 300 k€ and {A, C} 200 k€.
    assert plan_portfolio(items, Budgets(investment_eur=200 * K)).chosen_ids == ("A", "B")
    # 300 k€: all three, 700 k€.
    assert plan_portfolio(items, Budgets(investment_eur=300 * K)).npv_eur == 700 * K


def test_s20_must_and_never_by_hand():
    # M is a must with a negative NPV, N (never) would be free money; 200 k€ budget leaves 100 k€ after M → X.
    items = [item("M", -50 * K, 100 * K, funding="must"), item("N", 1_000 * K, 0, funding="never"),
             item("X", 200 * K, 100 * K), item("Y", 150 * K, 100 * K)]
    plan = plan_portfolio(items, Budgets(investment_eur=200 * K))
    assert plan.chosen_ids == ("M", "X")
    assert plan.npv_eur == 150 * K  # −50 + 200
    assert by_id(plan, "N") == Exclusion("N", "never")
    assert by_id(plan, "Y") == Exclusion("Y", "budget", ("investment",))


def test_s20_must_pulls_in_its_dependencies():
    items = [item("base", -20 * K, 50 * K), item("top", -10 * K, 50 * K, funding="must", needs=("base",)),
             item("other", 100 * K, 100 * K)]
    plan = plan_portfolio(items, Budgets(investment_eur=150 * K))
    assert plan.chosen_ids == ("base", "top")
    assert plan.npv_eur == -30 * K


def test_s20_risk_classes_by_hand():
    # Budget for everything; prohibited and high risk without DPIA stay out, and so does what needs them (S11).
    items = [item("P", 5_000 * K, 10 * K, risk_class="prohibited", dpia_assessed=True),
             item("H", 400 * K, 10 * K, risk_class="high"),
             item("H2", 300 * K, 10 * K, risk_class="high", dpia_assessed=True),
             item("L", 200 * K, 10 * K, risk_class="limited"),
             item("D", 100 * K, 10 * K, needs=("H",))]
    plan = plan_portfolio(items, Budgets(investment_eur=UNLIMITED))
    assert plan.chosen_ids == ("H2", "L")
    assert plan.npv_eur == 500 * K
    assert by_id(plan, "P") == Exclusion("P", "prohibited")
    assert by_id(plan, "H") == Exclusion("H", "high_risk_without_dpia")
    assert by_id(plan, "D") == Exclusion("D", "needs_ineligible", ("H",))
    assert plan.binding == ()


def test_s20_run_budget_and_capacity_by_hand():
    # Investment has room for both; 5 k€/month run budget fits one → X (300 k€); the run budget binds.
    items = [item("X", 300 * K, 100 * K, run_cost_eur_per_month=5 * K),
             item("Y", 200 * K, 100 * K, run_cost_eur_per_month=5 * K)]
    plan = plan_portfolio(items, Budgets(investment_eur=300 * K, run_budget_eur_per_month=5 * K))
    assert plan.chosen_ids == ("X",)
    assert plan.run_cost_eur_per_month == 5 * K
    assert plan.binding == ("run_cost",)
    assert by_id(plan, "Y") == Exclusion("Y", "budget", ("run_cost",))
    # Capacity 6 person-months: X needs 4, Y and Z 3 each → {Y, Z} 200 + 150 = 350 k€ beats {X} 300 k€.
    teams = [item("X", 300 * K, 0, capacity_person_months=4), item("Y", 200 * K, 0, capacity_person_months=3),
             item("Z", 150 * K, 0, capacity_person_months=3)]
    plan = plan_portfolio(teams, Budgets(investment_eur=0, capacity_person_months=6))
    assert plan.chosen_ids == ("Y", "Z")
    assert plan.capacity_person_months == 6
    assert plan.binding == ("capacity",)


def test_s20_negative_npv_is_left_out_even_when_it_fits():
    plan = plan_portfolio([item("loss", -1 * K, 0), item("gain", 1 * K, 0)], Budgets(investment_eur=0))
    assert plan.chosen_ids == ("gain",)
    assert by_id(plan, "loss") == Exclusion("loss", "no_gain")


def test_s20_empty_portfolio():
    plan = plan_portfolio([], Budgets(investment_eur=100 * K))
    assert (plan.chosen_ids, plan.npv_eur, plan.binding, plan.excluded) == ((), 0.0, (), ())


# --- ties ----------------------------------------------------------------------------------------------------

def test_s20_equal_use_cases_go_to_the_one_listed_first():
    twins = [item("first", 100 * K, 100 * K), item("second", 100 * K, 100 * K)]
    assert plan_portfolio(twins, Budgets(investment_eur=100 * K)).chosen_ids == ("first",)
    assert plan_portfolio(twins[::-1], Budgets(investment_eur=100 * K)).chosen_ids == ("second",)


def test_s20_equal_npv_goes_to_fewer_use_cases():
    # {A} and {B, C} both give 200 k€ for 200 k€: the tie-break takes the plan with fewer use cases.
    items = [item("B", 100 * K, 100 * K), item("C", 100 * K, 100 * K), item("A", 200 * K, 200 * K)]
    assert plan_portfolio(items, Budgets(investment_eur=200 * K)).chosen_ids == ("A",)


def test_s20_tie_break_by_hand():
    # 0.01·(1 + i/4)/2 for i = 1, 2, 3 → 0.00625, 0.0075, 0.00875 €.
    assert tie_break_eur(3) == pytest.approx([0.00625, 0.0075, 0.00875], abs=1e-15)


def test_s20_same_input_same_plan():
    items, budgets = portfolio_of(200, seed=3)
    assert plan_portfolio(items, budgets) == plan_portfolio(items, budgets)


def portfolio_of(size: int, seed: int) -> tuple[list[PortfolioItem], Budgets]:
    rng = np.random.default_rng(seed)
    items = [item(f"uc{index}", float(rng.integers(-4, 40)) * 50 * K, float(rng.integers(1, 8)) * 50 * K,
                  needs=(f"uc{rng.integers(index)}",) if index and rng.random() < 0.2 else ())
             for index in range(size)]
    return items, Budgets(investment_eur=sum(candidate.investment_eur for candidate in items) * 0.3)


# --- infeasible input: named errors --------------------------------------------------------------------------

def infeasible(items, budgets=None) -> PlanInfeasible:
    with pytest.raises(PlanInfeasible) as caught:
        plan_portfolio(items, budgets or Budgets(investment_eur=UNLIMITED))
    return caught.value


def test_s20_musts_over_budget_name_the_use_cases_and_sums():
    error = infeasible([item("M1", 1 * K, 300 * K, funding="must"), item("M2", 1 * K, 200 * K, funding="must"),
                        item("free", 1 * K, 10 * K)], Budgets(investment_eur=400 * K))
    assert error.kind == "must_over_budget"
    assert error.constraint == "investment"
    assert error.use_case_ids == ("M1", "M2")
    assert error.amounts == {"required": 500 * K, "limit": 400 * K}  # 300 + 200 k€ against 400 k€
    assert "M1" in str(error) and "M2" in str(error) and "500,000.00" in str(error) and "400,000.00" in str(error)
    assert isinstance(error, ValueError)


def test_s20_musts_over_budget_count_their_dependencies():
    error = infeasible([item("D", 0, 300 * K), item("M", 1 * K, 200 * K, funding="must", needs=("D",))],
                       Budgets(investment_eur=400 * K))
    assert (error.kind, error.use_case_ids) == ("must_over_budget", ("D", "M"))


def test_s20_musts_over_run_budget_and_capacity():
    must = item("M", 1 * K, 0, funding="must", run_cost_eur_per_month=9 * K, capacity_person_months=4)
    run = infeasible([must], Budgets(investment_eur=0, run_budget_eur_per_month=8 * K))
    assert (run.kind, run.constraint, run.amounts) == ("must_over_budget", "run_cost",
                                                        {"required": 9 * K, "limit": 8 * K})
    capacity = infeasible([must], Budgets(investment_eur=0, capacity_person_months=3))
    assert (capacity.constraint, capacity.amounts) == ("capacity", {"required": 4, "limit": 3})


def test_s20_dependency_cycle_is_named_before_solving():
    error = infeasible([item("A", 1, 0, needs=("B",)), item("B", 1, 0, needs=("C",)), item("C", 1, 0, needs=("A",)),
                        item("D", 1, 0)])
    assert error.kind == "dependency_cycle"
    assert error.use_case_ids == ("A", "B", "C")
    assert "A needs B needs C needs A" in str(error)
    assert infeasible([item("S", 1, 0, needs=("S",))]).use_case_ids == ("S",)


def test_s20_must_on_ineligible_risk_class():
    prohibited = infeasible([item("P", 1, 0, funding="must", risk_class="prohibited")])
    assert (prohibited.kind, prohibited.use_case_ids) == ("must_prohibited", ("P",))
    assert "P" in str(prohibited)
    high = infeasible([item("H", 1, 0, funding="must", risk_class="high")])
    assert (high.kind, high.use_case_ids) == ("must_high_risk_without_dpia", ("H",))
    assert "DPIA" in str(high)


def test_s20_must_that_needs_a_never_names_the_path():
    error = infeasible([item("N", 1, 0, funding="never"), item("X", 1, 0, needs=("N",)),
                        item("M", 1, 0, funding="must", needs=("X",))])
    assert error.kind == "must_needs_never"
    assert error.use_case_ids == ("M", "X", "N")
    assert "M needs X needs N" in str(error)


def test_s20_must_that_needs_a_prohibited_use_case():
    error = infeasible([item("P", 1, 0, risk_class="prohibited"), item("M", 1, 0, funding="must", needs=("P",))])
    assert (error.kind, error.use_case_ids) == ("must_needs_ineligible", ("M", "P"))


def test_s20_unknown_and_duplicate_ids():
    unknown = infeasible([item("B", 1, 0, needs=("ghost",))])
    assert (unknown.kind, unknown.use_case_ids) == ("unknown_dependency", ("B", "ghost"))
    assert "ghost" in str(unknown)
    duplicate = infeasible([item("A", 1, 0), item("A", 2, 0)])
    assert (duplicate.kind, duplicate.use_case_ids) == ("duplicate_id", ("A",))


def test_s20_every_entry_point_reports_the_same_error():
    cycle = [item("A", 1, 0, needs=("B",)), item("B", 1, 0, needs=("A",))]
    budgets = Budgets(investment_eur=10 * K)
    for call in (efficient_frontier, marginal_npv, compare_rules):
        with pytest.raises(PlanInfeasible, match="A needs B needs A"):
            call(cycle, budgets)


# --- frontier and marginal NPV -------------------------------------------------------------------------------

def test_s20_frontier_by_hand():
    # Levels 0, 300, 600 k€: nothing; {b, c} 950 k€; all three 1,850 k€.
    frontier = efficient_frontier(MODULE_EXAMPLE, Budgets(investment_eur=0), levels=3)
    assert frontier.budget_eur.tolist() == [0, 300 * K, 600 * K]
    assert frontier.npv_eur.tolist() == [0, 950 * K, 1_850 * K]
    assert frontier.investment_eur.tolist() == [0, 300 * K, 600 * K]
    with pytest.raises(ValueError):
        frontier.npv_eur[0] = 1.0


def test_s20_frontier_starts_at_the_musts_and_ends_at_the_unlimited_optimum():
    items, budgets = portfolio_of(60, seed=7)
    items[0] = items[0].model_copy(update={"funding": "must"})
    frontier = efficient_frontier(items, budgets)
    assert frontier.budget_eur[0] == items[0].investment_eur + sum(
        candidate.investment_eur for candidate in items if candidate.id in items[0].needs)
    assert frontier.budget_eur[-1] == sum(candidate.investment_eur for candidate in items)
    assert np.all(np.diff(frontier.npv_eur) >= 0)
    unlimited = plan_portfolio(items, Budgets(investment_eur=UNLIMITED))
    assert frontier.npv_eur[-1] == pytest.approx(unlimited.npv_eur, abs=1e-6)
    middle = plan_portfolio(items, Budgets(investment_eur=float(frontier.budget_eur[9])))
    assert frontier.npv_eur[9] == pytest.approx(middle.npv_eur, abs=0.01 * len(items))


def test_s20_frontier_needs_two_levels():
    with pytest.raises(ValueError, match="levels"):
        efficient_frontier(MODULE_EXAMPLE, Budgets(investment_eur=0), levels=1)


def test_s20_marginal_npv_of_the_next_ten_percent_by_hand():
    # 300 k€ buys a (900 k€); 330 k€ buys a and b (+100 k€ for 30 k€ → 3.33 € per €).
    items = [item("a", 900 * K, 300 * K), item("b", 100 * K, 30 * K)]
    marginal = marginal_npv(items, Budgets(investment_eur=300 * K))
    assert (marginal.budget_eur, marginal.step_eur) == (300 * K, 30 * K)
    assert (marginal.npv_eur, marginal.next_npv_eur, marginal.gain_eur) == (900 * K, 1_000 * K, 100 * K)
    assert marginal.gain_per_eur == pytest.approx(100 / 30, rel=1e-12)
    flat = marginal_npv(MODULE_EXAMPLE, Budgets(investment_eur=300 * K))
    assert (flat.gain_eur, flat.gain_per_eur) == (0.0, 0.0)
    assert marginal_npv(items, Budgets(investment_eur=0)).gain_per_eur is None


# --- simple rules --------------------------------------------------------------------------------------------

def test_s20_score_ranking_funds_the_big_project_and_leaves_three_better_small_ones_out():
    # The example at 300 k€: the top-scored project (900 k€ NPV, 300 k€) against three smaller ones
    # (400 k€ NPV, 100 k€ each, 3 + 1 = 1.2 M€ together). Ranking funds 900 k€ and leaves 300 k€ on the table.
    items = [item("big", 900 * K, 300 * K, score=0.9), item("s1", 400 * K, 100 * K, score=0.6),
             item("s2", 400 * K, 100 * K, score=0.5), item("s3", 400 * K, 100 * K, score=0.4)]
    budgets = Budgets(investment_eur=300 * K)
    plan = plan_portfolio(items, budgets)
    assert plan.chosen_ids == ("s1", "s2", "s3")
    assert plan.npv_eur == 1_200 * K
    by_score, by_ratio = compare_rules(items, budgets, plan)
    assert (by_score.rule, by_score.chosen_ids, by_score.npv_eur) == ("s3_score", ("big",), 900 * K)
    assert by_score.npv_left_on_table_eur == 300 * K
    # NPV per €: 4 €/€ for the small ones, 3 €/€ for the big one → the optimum here.
    assert (by_ratio.rule, by_ratio.chosen_ids, by_ratio.npv_left_on_table_eur) == ("npv_per_eur",
                                                                                     ("s1", "s2", "s3"), 0.0)


def test_s20_rules_respect_must_never_risk_and_dependencies():
    # Both rules fund the must first, skip never/prohibited, and take a use case with its unfunded needs.
    items = [item("must", -10 * K, 100 * K, funding="must", score=0.1),
             item("never", 900 * K, 10 * K, funding="never", score=1.0),
             item("bad", 900 * K, 10 * K, risk_class="prohibited", score=0.95),
             item("base", 50 * K, 100 * K, score=0.2),
             item("top", 500 * K, 100 * K, needs=("base",), score=0.9),
             item("solo", 260 * K, 100 * K, score=0.3)]
    by_score, by_ratio = compare_rules(items, Budgets(investment_eur=300 * K))
    # Score: must (100 k€); "top" 0.9 with "base" fits exactly (200 k€) → −10 + 500 + 50 = 540 k€.
    assert by_score.chosen_ids == ("must", "base", "top")
    assert by_score.npv_eur == 540 * K
    # NPV/€: top 5, solo 2.6, base 0.5; top with base (200 k€) first → the same set, nothing left for solo.
    assert by_ratio.chosen_ids == ("must", "base", "top")
    assert by_score.npv_left_on_table_eur == 0.0


def test_s20_score_ranking_funds_negative_npv_npv_per_eur_does_not():
    items = [item("loss", -50 * K, 10 * K, score=0.9), item("gain", 20 * K, 10 * K, score=0.1)]
    by_score, by_ratio = compare_rules(items, Budgets(investment_eur=100 * K))
    assert by_score.chosen_ids == ("loss", "gain")
    assert by_score.npv_left_on_table_eur == 50 * K  # optimum 20 k€ against −30 k€
    assert by_ratio.chosen_ids == ("gain",)


# --- robust plan ---------------------------------------------------------------------------------------------

def test_s20_objective_vector_replaces_the_npv():
    # On the P10 vector the small ones look worse (b 100 k€, c 90 k€) than a (700 k€): the robust plan is {a}.
    p10 = [700 * K, 100 * K, 90 * K]
    plan = plan_portfolio(MODULE_EXAMPLE, Budgets(investment_eur=300 * K), objective_npv_eur=p10)
    assert plan.chosen_ids == ("a",)
    assert plan.npv_eur == 700 * K
    frontier = efficient_frontier(MODULE_EXAMPLE, Budgets(investment_eur=0), levels=3, objective_npv_eur=p10)
    assert frontier.npv_eur.tolist() == [0, 700 * K, 890 * K]
    with pytest.raises(ValueError, match="objective_npv_eur"):
        plan_portfolio(MODULE_EXAMPLE, Budgets(investment_eur=0), objective_npv_eur=[1.0, 2.0])
    with pytest.raises(ValueError, match="objective_npv_eur"):
        plan_portfolio(MODULE_EXAMPLE, Budgets(investment_eur=0), objective_npv_eur=[1.0, 2.0, math.nan])


# --- input models --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("fields", [
    {"investment_eur": -1.0}, {"run_cost_eur_per_month": -1.0}, {"capacity_person_months": -0.5},
    {"score": 1.5}, {"npv_eur": math.inf}, {"risk_class": "unacceptable"}, {"funding": "maybe"},
    {"dpia_assessed": "yes"}, {"needs": ("not an id",)}, {"colour": "red"},
])
def test_s20_portfolio_item_rejects_bad_fields(fields):
    values = {"id": "a", "name": "A", "npv_eur": 1.0, "investment_eur": 1.0, **fields}
    with pytest.raises(ValidationError):
        PortfolioItem(**values)


def test_s20_models_are_frozen_and_budgets_validated():
    with pytest.raises(ValidationError):
        MODULE_EXAMPLE[0].npv_eur = 1.0
    with pytest.raises(ValidationError):
        Budgets(investment_eur=-1)
    with pytest.raises(ValidationError):
        Budgets(investment_eur=1, run_budget_eur_per_month=-1)
