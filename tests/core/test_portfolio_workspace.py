"""S20 over a workspace: model fields (capacity, funding, needs, DPIA assessed), the adapter to portfolio items,
robust NPVs, plan totals and checks, the saved-plan document and the chosen portfolio's cash flows."""

import json
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from core.business_case import portfolio_business_case, use_case_business_case
from core.models import SCHEMA_VERSION, PlanBudgets, Workspace
from core.portfolio import Budgets, PlanInfeasible, PortfolioItem, plan_portfolio, rule_frontier
from core.portfolio_workspace import (
    check_plan,
    default_budgets,
    fund_on_objective,
    plan_totals,
    portfolio_cash_flows,
    portfolio_items,
    robust_npv,
    saved_plan,
)
from core.scoring import score_portfolio
from tests.core.excel_oracle import make_use_case
from tests.core.test_portfolio import allowed_subsets, best_npv, relaxed

ROOT = Path(__file__).resolve().parents[2]
K = 1_000.0


@pytest.fixture(scope="module")
def sample() -> Workspace:
    return Workspace.model_validate_json((ROOT / "sample_data" / "workspace.json").read_text(encoding="utf-8"))


# --- model boundary -----------------------------------------------------------------------------------------

def test_new_fields_default_to_no_capacity_no_rule_no_needs_and_load_from_schema_1():
    old = json.loads(make_use_case("a").model_dump_json(exclude={"capacity_person_months", "funding", "needs"}))
    del old["dpia"]["assessed"]
    workspace = Workspace.model_validate({"name": "w", "schema_version": 1, "use_cases": [old]})
    case = workspace.use_cases[0]
    assert (case.capacity_person_months, case.funding, case.needs, case.dpia.assessed) == (0.0, None, (), False)
    assert workspace.schema_version == SCHEMA_VERSION == 3


@pytest.mark.parametrize(("fields", "message"), [
    ({"capacity_person_months": -1.0}, "capacity_person_months"),
    ({"capacity_person_months": "3"}, "capacity_person_months"),
    ({"funding": "maybe"}, "funding"),
    ({"needs": ("a",)}, "cannot need itself"),
    ({"needs": ("b", "b")}, "lists a use case twice"),
    ({"needs": ("not an id!",)}, "needs"),
])
def test_use_case_refuses_bad_s20_fields(fields, message):
    with pytest.raises(ValidationError, match=message):
        make_use_case("a", **fields)


def test_workspace_refuses_a_need_outside_it_naming_both():
    with pytest.raises(ValidationError, match="'a' needs 'ghost', which is not a use case of this workspace"):
        Workspace(name="w", use_cases=(make_use_case("a", needs=("ghost",)),))
    Workspace(name="w", use_cases=(make_use_case("a", needs=("b",)), make_use_case("b")))


# --- adapter ------------------------------------------------------------------------------------------------

def test_items_carry_s19_npv_and_c0_s15_run_cost_s3_score_and_s20_fields(sample):
    items = portfolio_items(sample)
    figures = portfolio_business_case(sample.use_cases, sample.default_discount_rate_per_year)
    npv = dict(zip(figures.ids, figures.npv_eur, strict=True))
    scores = score_portfolio(sample.use_cases, sample.weights)["score"]
    assert [item.id for item in items] == list(scores.sort_values(ascending=False, kind="stable").index)
    chatbot = next(item for item in items if item.id == "support-chatbot")
    assert chatbot.npv_eur == pytest.approx(1_355_448.04, abs=0.01)  # S19 worked example
    assert chatbot.investment_eur == 120_000.0 and chatbot.run_cost_eur_per_month == 18_000.0  # S19 C0, S15
    assert chatbot.capacity_person_months == 9.0
    for item in items:
        case = sample.use_case(item.id)
        assert item.npv_eur == pytest.approx(npv[item.id], rel=1e-12)
        assert item.score == pytest.approx(float(scores[item.id]), abs=1e-12)
        assert (item.risk_class, item.funding, item.needs, item.dpia_assessed) == (
            case.eu_ai_act_risk_class, case.funding, case.needs, case.dpia.assessed)


def test_each_use_case_is_discounted_at_its_own_rate_or_the_workspace_default():
    own = make_use_case("own", business_case={"discount_rate_per_year": 0.2})
    default = make_use_case("default")
    workspace = Workspace(name="w", default_discount_rate_per_year=0.05, use_cases=(own, default))
    npv = {item.id: item.npv_eur for item in portfolio_items(workspace)}
    assert npv["own"] == pytest.approx(use_case_business_case(own, 0.05).npv_eur, rel=1e-12)
    assert npv["default"] == pytest.approx(use_case_business_case(default, 0.05).npv_eur, rel=1e-12)
    assert npv["own"] < npv["default"]


def test_sample_plan_at_600k_beats_funding_by_score(sample):
    items = portfolio_items(sample)
    plan = plan_portfolio(items, Budgets(investment_eur=600 * K))
    # By hand (S19 NPVs): invoice 522 k€, tickets 555 k€, e-mail 137 k€, chatbot 1,355 k€, demand 180 k€ for 485 k€;
    # by score the same four and then quality inspection (score 0.317, NPV −316 k€, 225 k€) fill 590 k€.
    assert set(plan.chosen_ids) == {"invoice-extraction", "ticket-classification", "email-triage", "support-chatbot",
                                    "demand-forecasting"}
    by_score = rule_frontier(items, Budgets(investment_eur=0), [600 * K], "s3_score")
    assert float(by_score[0]) == pytest.approx(plan.npv_eur - 179_583.0 - 316_366.0, abs=2.0)
    assert "hr-policy-assistant" not in plan.chosen_ids  # high risk without assessed DPIA triggers (S11, S20)


def test_robust_npv_is_the_monte_carlo_median_and_tenth_percentile(sample):
    robust = robust_npv(sample, draws=500, seed=3)
    again = robust_npv(sample, draws=500, seed=3)
    assert robust.p10_eur == again.p10_eur  # deterministic per seed
    assert all(robust.p10_eur[key] < robust.p50_eur[key] for key in robust.p50_eur)
    items = portfolio_items(sample)
    vector = fund_on_objective(items, "p10", robust)
    assert vector.tolist() == [robust.p10_eur[item.id] for item in items]
    assert fund_on_objective(items, "base", None) is None
    with pytest.raises(ValueError, match="Monte Carlo"):
        fund_on_objective(items, "p50", None)
    cautious = plan_portfolio(items, Budgets(investment_eur=600 * K), vector)
    assert cautious.npv_eur == pytest.approx(float(vector[[item.id in cautious.chosen_ids for item in items]].sum()))


@pytest.fixture(scope="module")
def sample_robust(sample):
    return robust_npv(sample)


@pytest.mark.parametrize("fund_on", ["p10", "p50"])
@pytest.mark.parametrize("budgets", [
    Budgets(investment_eur=300 * K), Budgets(investment_eur=590 * K), Budgets(investment_eur=700 * K),
    Budgets(investment_eur=700 * K, run_budget_eur_per_month=20 * K, capacity_person_months=10),
    Budgets(investment_eur=1_080 * K, capacity_person_months=20),
], ids=["300k", "590k", "700k", "700k-run-capacity", "all-capacity"])
def test_a_robust_plan_is_the_brute_force_optimum_on_its_vector(sample, sample_robust, fund_on, budgets):
    # The sample's 10 use cases, every one of the 1,024 subsets that keeps the S20 rules, valued on the Monte Carlo
    # P10 or P50 vector (the page's default draws and seed): the plan is the best of them, not the S19 plan.
    items = portfolio_items(sample)
    vector = fund_on_objective(items, fund_on, sample_robust)
    subsets = allowed_subsets(list(items), budgets)
    values = subsets @ vector
    plan = plan_portfolio(items, budgets, vector)
    chosen = np.array([item.id in plan.chosen_ids for item in items])
    assert (subsets == chosen).all(axis=1).any()
    assert plan.npv_eur == pytest.approx(float(values.max()), abs=0.01 * len(items))
    assert (subsets[np.argmax(values)] == chosen).all()  # no two subsets of the sample are within cents
    for constraint in ("investment", "run_cost", "capacity"):
        limit = {"investment": budgets.investment_eur, "run_cost": budgets.run_budget_eur_per_month,
                 "capacity": budgets.capacity_person_months}[constraint]
        if limit is None:
            assert constraint not in plan.binding
            continue
        lifted = best_npv(list(items), relaxed(budgets, constraint), vector)
        assert (constraint in plan.binding) == (lifted > plan.npv_eur + 0.01)


def test_the_p10_plan_at_the_default_budget_drops_demand_forecasting(sample, sample_robust):
    # P10 of demand forecasting is negative (−218 k€), of invoices barely positive (6 k€): the cautious plan funds
    # invoices, tickets, e-mail and the chatbot (365 k€) where the S19 plan adds demand forecasting (485 k€).
    items = portfolio_items(sample)
    budgets = Budgets(investment_eur=590 * K)
    cautious = plan_portfolio(items, budgets, fund_on_objective(items, "p10", sample_robust))
    assert set(cautious.chosen_ids) == {"invoice-extraction", "ticket-classification", "email-triage",
                                        "support-chatbot"}
    assert cautious.investment_eur == 365 * K
    assert "demand-forecasting" in plan_portfolio(items, budgets).chosen_ids


def test_default_budget_is_three_fifths_of_the_fundable_investment(sample):
    items = portfolio_items(sample)
    # Every C0 but the high-risk HR assistant's (100 k€): 1,080 k€ − 100 k€ = 980 k€; 60 % of it is 588 k€.
    assert default_budgets(items) == Budgets(investment_eur=588 * K)


def test_totals_and_the_rule_check_of_a_hand_picked_plan(sample):
    items = portfolio_items(sample)
    totals = plan_totals(items, ["support-chatbot", "email-triage"])
    assert (totals.investment_eur, totals.run_cost_eur_per_month, totals.capacity_person_months) == (160 * K,
                                                                                                    20_200.0, 12.0)
    issues = check_plan(items, PlanBudgets(investment_eur=150 * K, capacity_person_months=10.0),
                        ["support-chatbot", "email-triage", "hr-policy-assistant", "ghost"])
    kinds = {issue.kind: issue for issue in issues}
    assert kinds["unknown_use_case"].use_case_ids == ("ghost",)
    assert kinds["ineligible"].use_case_ids == ("hr-policy-assistant",)
    assert kinds["needs_unfunded"].use_case_ids == ("email-triage", "ticket-classification")
    over = [issue for issue in issues if issue.kind == "over_limit"]
    assert {issue.constraint for issue in over} == {"investment", "capacity"}
    assert next(issue for issue in over if issue.constraint == "investment").amounts == {"required": 260 * K,
                                                                                       "limit": 150 * K}
    assert check_plan(items, PlanBudgets(investment_eur=1e6), ["ticket-classification", "email-triage"]) == ()
    musts = [item.model_copy(update={"funding": "must"}) if item.id == "support-chatbot" else item for item in items]
    assert check_plan(musts, PlanBudgets(investment_eur=1e6), [])[0].kind == "must_unfunded"


def test_saved_plan_document_keeps_item_order_and_totals(sample):
    items = portfolio_items(sample)
    document = saved_plan("Budget 2027 – base", items, Budgets(investment_eur=600 * K),
                          ["support-chatbot", "invoice-extraction"])
    assert document.chosen_ids == ("invoice-extraction", "support-chatbot")  # best score first
    assert document.investment_eur == 235 * K and document.fund_on == "base" and document.fund_on_npv_eur is None
    vector = np.arange(len(items), dtype=float)
    robust = saved_plan("P10", items, Budgets(investment_eur=1.0), ["support-chatbot"], "p10", vector)
    assert robust.fund_on_npv_eur == float([item.id for item in items].index("support-chatbot"))


def test_cash_flows_of_the_chosen_portfolio_add_up_to_its_npv(sample):
    chosen = ["support-chatbot", "demand-forecasting"]
    flows = portfolio_cash_flows(sample, chosen)
    single = use_case_business_case(sample.use_case("support-chatbot"), sample.default_discount_rate_per_year)
    other = use_case_business_case(sample.use_case("demand-forecasting"), sample.default_discount_rate_per_year)
    assert flows.net_eur[0] == -(120 * K + 120 * K)  # month 0 carries both C0 (S19)
    assert flows.month[-1] == max(single.horizon_months, other.horizon_months)
    assert flows.discounted_cumulative_eur[-1] == pytest.approx(single.npv_eur + other.npv_eur, rel=1e-12)
    assert flows.cumulative_eur[1] == pytest.approx(-240 * K + single.months.net_eur[1] + other.months.net_eur[1])
    empty = portfolio_cash_flows(sample, [])
    assert empty.cumulative_eur.tolist() == [0.0]


def test_infeasible_musts_name_the_use_cases(sample):
    workspace = sample.model_copy(update={"use_cases": tuple(
        case.model_copy(update={"funding": "must"}) if case.id == "hr-policy-assistant" else case
        for case in sample.use_cases)})
    with pytest.raises(PlanInfeasible) as raised:
        plan_portfolio(portfolio_items(workspace), Budgets(investment_eur=600 * K))
    assert raised.value.kind == "must_high_risk_without_dpia" and raised.value.use_case_ids == ("hr-policy-assistant",)
    assessed = workspace.model_copy(update={"use_cases": tuple(
        case.model_copy(update={"dpia": case.dpia.model_copy(update={"assessed": True})})
        if case.id == "hr-policy-assistant" else case for case in workspace.use_cases)})
    replanned = plan_portfolio(portfolio_items(assessed), Budgets(investment_eur=600 * K))
    assert "hr-policy-assistant" in replanned.chosen_ids  # a must, now eligible


def test_rule_frontier_by_hand():
    # core.portfolio's module example: a 900 k€ for 300 k€, b 500 k€ and c 450 k€ for 150 k€ each, equal scores.
    items = [PortfolioItem(id="a", name="Invoices", npv_eur=900 * K, investment_eur=300 * K),
             PortfolioItem(id="b", name="Tickets", npv_eur=500 * K, investment_eur=150 * K),
             PortfolioItem(id="c", name="Mail", npv_eur=450 * K, investment_eur=150 * K)]
    npv = rule_frontier(items, Budgets(investment_eur=0), [0, 300 * K, 600 * K])
    assert npv.tolist() == [0, 900 * K, 1_850 * K]  # a first (equal scores keep input order), then b and c
    assert plan_portfolio(items, Budgets(investment_eur=300 * K)).npv_eur == pytest.approx(950 * K, abs=0.1)
