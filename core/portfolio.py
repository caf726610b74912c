"""S20 portfolio plan under a budget: an exact 0/1 integer programme solved by HiGHS (``scipy.optimize.milp``).

Money is in € (NPV per S19, one-time investment C0), run cost in € per month, team capacity in person-months.
The plan maximises Σ NPV subject to the investment budget, the optional run budget and capacity, "must" in,
"never" out, ``prohibited`` out, ``high`` risk only with its DPIA triggers assessed (S11), and "B needs A"
as x_B ≤ x_A. A use case with a negative NPV is chosen only when a "must" (or a chosen use case) needs it.
:mod:`core.portfolio_milp` solves the programme (reduced-cost fixing, then HiGHS on what is left: still exact).

Ties: each chosen use case costs the solver a tie-break of 0.5 to 1 cent (``TIE_BREAK_EUR``), more the later
it is listed. Among plans whose NPV differs by less than that, the solver takes the one with fewer use cases,
then the one listed earlier (callers list by priority, e.g. S3 rank); a plan is exact up to 1 cent per use
case. HiGHS is deterministic, so equal input gives an equal plan.

Example::

    items = [PortfolioItem(id="a", name="Invoices", npv_eur=900_000, investment_eur=300_000),
             PortfolioItem(id="b", name="Tickets", npv_eur=500_000, investment_eur=150_000),
             PortfolioItem(id="c", name="Mail", npv_eur=450_000, investment_eur=150_000)]
    plan_portfolio(items, Budgets(investment_eur=300_000)).chosen_ids   # ("b", "c"): 950 k€ beats 900 k€
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike
from pydantic import StrictBool

from core.models import (
    FiniteNumber,
    Fraction,
    Frozen,
    Funding,
    Identifier,
    Name,
    NonNegative,
    PlanBudgets,
    RiskClass,
)
from core.portfolio_milp import improves_on, solve_exact

ConstraintName = Literal["investment", "run_cost", "capacity"]
CONSTRAINTS: tuple[ConstraintName, ...] = ("investment", "run_cost", "capacity")
CONSTRAINT_UNITS: Mapping[ConstraintName, str] = {"investment": "€", "run_cost": "€/month",
                                                   "capacity": "person-months"}
ExclusionReason = Literal[
    "prohibited", "high_risk_without_dpia", "never", "needs_ineligible", "needs_unfunded", "no_gain", "budget"
]
Rule = Literal["s3_score", "npv_per_eur"]
InfeasibleKind = Literal[
    "duplicate_id", "unknown_dependency", "dependency_cycle", "must_prohibited", "must_high_risk_without_dpia",
    "must_needs_never", "must_needs_ineligible", "must_over_budget",
]
TIE_BREAK_EUR = 0.01
FRONTIER_LEVELS = 20
MARGINAL_STEP_FRACTION = 0.10
# Relative slack for "fits" and "over budget": HiGHS works in floating point, sums of 10^8 € carry rounding.
FIT_TOLERANCE = 1e-9


class PortfolioItem(Frozen):
    """One candidate use case for the S20 plan; ``npv_eur`` is the S19 NPV (may be negative), ``score`` the S3 score."""

    id: Identifier
    name: Name
    npv_eur: FiniteNumber
    investment_eur: NonNegative
    run_cost_eur_per_month: NonNegative = 0.0
    capacity_person_months: NonNegative = 0.0
    risk_class: RiskClass = "minimal"
    dpia_assessed: StrictBool = False
    funding: Funding | None = None
    needs: tuple[Identifier, ...] = ()
    score: Fraction = 0.0


class Budgets(PlanBudgets):
    """S20 limits: investment (€), optional run budget (€/month) and team capacity (person-months); None = no limit."""

    def limits(self) -> np.ndarray:
        """The three limits in ``CONSTRAINTS`` order, ``inf`` where there is none."""
        optional = (self.run_budget_eur_per_month, self.capacity_person_months)
        return np.array([self.investment_eur, *(np.inf if limit is None else limit for limit in optional)])


class PlanInfeasible(ValueError):
    """No plan satisfies the S20 rules. ``kind`` names the case, ``use_case_ids`` the use cases involved (a path
    or cycle in dependency order), ``constraint`` the violated limit and ``amounts`` the figures
    (``required``, ``limit`` in the constraint's unit), so that a screen can word it in any language."""

    def __init__(self, kind: InfeasibleKind, message: str, use_case_ids: Sequence[str] = (),
                 constraint: ConstraintName | None = None, amounts: Mapping[str, float] | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.use_case_ids = tuple(use_case_ids)
        self.constraint = constraint
        self.amounts = dict(amounts or {})


@dataclass(frozen=True, slots=True)
class Exclusion:
    """Why a use case is not in the plan; ``related`` holds dependency ids or, for ``budget``, constraint names."""

    id: str
    reason: ExclusionReason
    related: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PortfolioPlan:
    """The S20 plan: chosen ids in input order, totals in €, €/month and person-months.

    ``npv_eur`` is the total of the objective vector the plan was solved for (the items' NPV unless the caller
    passed another, e.g. P10). A constraint is in ``binding`` when lifting that limit alone (no limit at all, the
    others and every rule kept) buys a plan whose NPV beats this one's by more than ``TIE_BREAK_EUR``, whether by
    adding use cases or by swapping some for others; an unlimited constraint never binds (see :func:`_binding`).
    """

    chosen_ids: tuple[str, ...]
    npv_eur: float
    investment_eur: float
    run_cost_eur_per_month: float
    capacity_person_months: float
    binding: tuple[ConstraintName, ...]
    excluded: tuple[Exclusion, ...]


@dataclass(frozen=True, eq=False)
class Frontier:
    """Best total NPV (€) per investment budget level (€) and the investment (€) that plan uses; read-only."""

    budget_eur: np.ndarray
    npv_eur: np.ndarray
    investment_eur: np.ndarray


@dataclass(frozen=True, slots=True)
class MarginalNpv:
    """NPV gained (€) by ``step_eur`` more budget on top of ``budget_eur``; ``gain_per_eur`` None for a 0 € step."""

    budget_eur: float
    step_eur: float
    npv_eur: float
    next_npv_eur: float
    gain_eur: float
    gain_per_eur: float | None


@dataclass(frozen=True, slots=True)
class RuleOutcome:
    """A simple funding rule's plan at the same limits, and the NPV (€, ≥ 0) it leaves on the table."""

    rule: Rule
    chosen_ids: tuple[str, ...]
    npv_eur: float
    investment_eur: float
    npv_left_on_table_eur: float


@dataclass(frozen=True, eq=False)
class _Problem:
    """Validated arrays of one portfolio; index i is the i-th item, ``resources`` has one row per constraint."""

    ids: tuple[str, ...]
    npv_eur: np.ndarray
    resources: np.ndarray
    limits: np.ndarray
    needs: tuple[tuple[int, ...], ...]
    order: tuple[int, ...]
    eligible: np.ndarray
    forced: np.ndarray
    scores: np.ndarray
    edges: np.ndarray = field(repr=False)


def _index_needs(items: Sequence[PortfolioItem]) -> tuple[tuple[int, ...], ...]:
    position: dict[str, int] = {}
    for index, item in enumerate(items):
        if item.id in position:
            raise PlanInfeasible("duplicate_id", f"The id {item.id!r} is used by more than one use case.",
                                 [item.id])
        position[item.id] = index
    for item in items:
        unknown = [need for need in item.needs if need not in position]
        if unknown:
            raise PlanInfeasible("unknown_dependency", f"{item.id} needs {', '.join(unknown)}, which is not a "
                                 "use case of this portfolio.", [item.id, *unknown])
    return tuple(tuple(dict.fromkeys(position[need] for need in item.needs)) for item in items)


def _dependency_order(ids: Sequence[str], needs: Sequence[Sequence[int]]) -> tuple[int, ...]:
    """Indices with every use case after its needs; raises ``dependency_cycle`` naming one cycle in order."""
    state = [0] * len(ids)
    order: list[int] = []
    for root in range(len(ids)):
        if state[root]:
            continue
        state[root], path, stack = 1, [root], [iter(needs[root])]
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                stack.pop()
                state[path[-1]] = 2
                order.append(path.pop())
            elif state[nxt] == 1:
                cycle = [ids[index] for index in path[path.index(nxt):]]
                raise PlanInfeasible("dependency_cycle", f"Dependency cycle: {' needs '.join([*cycle, cycle[0]])}.",
                                     cycle)
            elif state[nxt] == 0:
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(needs[nxt]))
    return tuple(order)


def _own_block(item: PortfolioItem) -> ExclusionReason | None:
    if item.risk_class == "prohibited":
        return "prohibited"
    if item.risk_class == "high" and not item.dpia_assessed:
        return "high_risk_without_dpia"
    return "never" if item.funding == "never" else None


def _path_to(start: int, needs: Sequence[Sequence[int]], target: np.ndarray) -> list[int] | None:
    """The first dependency path (breadth first) from ``start`` to an index where ``target`` holds."""
    parent = {start: start}
    queue = [start]
    for node in queue:
        if target[node]:
            path = [node]
            while path[-1] != start:
                path.append(parent[path[-1]])
            return path[::-1]
        for need in needs[node]:
            if need not in parent:
                parent[need] = node
                queue.append(need)
    return None


def _check_musts(items: Sequence[PortfolioItem], needs: Sequence[Sequence[int]],
                 blocks: Sequence[ExclusionReason | None]) -> None:
    never = np.array([block == "never" for block in blocks])
    risky = np.array([block in ("prohibited", "high_risk_without_dpia") for block in blocks])
    for index, item in enumerate(items):
        if item.funding != "must":
            continue
        if risky[index]:
            kind = "must_prohibited" if blocks[index] == "prohibited" else "must_high_risk_without_dpia"
            reason = "prohibited" if kind == "must_prohibited" else "high risk without assessed DPIA triggers"
            raise PlanInfeasible(kind, f"{item.id} is a must but {reason}.", [item.id])
        for target, kind, what in ((never, "must_needs_never", "marked never"),
                                   (risky, "must_needs_ineligible", "not eligible (risk class)")):
            path = _path_to(index, needs, target)
            if path is not None:
                chain = [items[step].id for step in path]
                raise PlanInfeasible(kind, f"{item.id} is a must but needs {chain[-1]}, which is {what}: "
                                     f"{' needs '.join(chain)}.", chain)


def _closure(starts: np.ndarray, needs: Sequence[Sequence[int]]) -> np.ndarray:
    """Boolean mask of ``starts`` and everything they need, directly or through others."""
    reached = starts.copy()
    queue = list(np.flatnonzero(starts))
    for node in queue:
        for need in needs[node]:
            if not reached[need]:
                reached[need] = True
                queue.append(need)
    return reached


def _check_forced_fits(ids: Sequence[str], resources: np.ndarray, limits: np.ndarray, forced: np.ndarray) -> None:
    required = resources[:, forced].sum(axis=1)
    for row, name in enumerate(CONSTRAINTS):
        if required[row] > limits[row] * (1 + FIT_TOLERANCE):
            chosen = [ids[index] for index in np.flatnonzero(forced)]
            unit = CONSTRAINT_UNITS[name]
            raise PlanInfeasible(
                "must_over_budget",
                f"The must use cases with their dependencies ({', '.join(chosen)}) need {required[row]:,.2f} {unit} "
                f"of {name.replace('_', ' ')}; the limit is {limits[row]:,.2f} {unit}.",
                chosen, name, {"required": float(required[row]), "limit": float(limits[row])},
            )


def _prepare(items: Sequence[PortfolioItem], budgets: Budgets) -> _Problem:
    """Validate the S20 input (ids, dependencies, musts, limits) and turn it into arrays."""
    ids = tuple(item.id for item in items)
    needs = _index_needs(items)
    order = _dependency_order(ids, needs)
    blocks = [_own_block(item) for item in items]
    _check_musts(items, needs, blocks)
    eligible = np.array([block is None for block in blocks], dtype=bool)
    for index in order:
        eligible[index] = eligible[index] and all(eligible[need] for need in needs[index])
    resources = np.array([[item.investment_eur, item.run_cost_eur_per_month, item.capacity_person_months]
                          for item in items], dtype=float).reshape(len(items), 3).T
    forced = _closure(np.array([item.funding == "must" for item in items], dtype=bool), needs)
    limits = budgets.limits()
    _check_forced_fits(ids, resources, limits, forced)
    edges = np.array([(index, need) for index, wanted in enumerate(needs) for need in wanted], dtype=int)
    return _Problem(ids, np.array([item.npv_eur for item in items], dtype=float), resources, limits, needs,
                    order, eligible, forced, np.array([item.score for item in items], dtype=float),
                    edges.reshape(-1, 2))


def _objective(problem: _Problem, objective_npv_eur: ArrayLike | None) -> np.ndarray:
    if objective_npv_eur is None:
        return problem.npv_eur
    objective = np.asarray(objective_npv_eur, dtype=float)
    if objective.shape != problem.npv_eur.shape or not np.isfinite(objective).all():
        raise ValueError(f"objective_npv_eur must hold {len(problem.ids)} finite NPVs in €, one per use case, "
                         f"in input order; got shape {objective.shape}")
    return objective


def tie_break_eur(count: int) -> np.ndarray:
    """The solver's per-use-case tie-break (€) for ``count`` use cases: 0.5 to 1 cent, rising with the position.

    Example: ``tie_break_eur(3)`` → ``[0.00625, 0.0075, 0.00875]``.
    """
    return TIE_BREAK_EUR * (1.0 + np.arange(1, count + 1) / (count + 1)) / 2.0


def _candidates(problem: _Problem, objective: np.ndarray) -> np.ndarray:
    """Eligible, not forced use cases worth a variable: a positive NPV or a kept use case that needs them."""
    free = problem.eligible & ~problem.forced
    kept = free & (objective > 0)
    for index in reversed(problem.order):
        if kept[index]:
            for need in problem.needs[index]:
                kept[need] = kept[need] or free[need]
    return np.flatnonzero(kept)


def _dependency_pairs(problem: _Problem, candidates: np.ndarray) -> np.ndarray:
    """(dependent, need) positions within ``candidates`` of every dependency between two candidates."""
    position = np.full(len(problem.ids), -1)
    position[candidates] = np.arange(candidates.size)
    pairs = position[problem.edges]
    return pairs[(pairs >= 0).all(axis=1)].reshape(-1, 2)


@dataclass(frozen=True, eq=False)
class _Programme:
    """The 0/1 programme over the candidates: their positions, the finite rows' weights and room left after the
    forced use cases, and the dependency pairs between candidates."""

    candidates: np.ndarray
    weights: np.ndarray
    room: np.ndarray
    pairs: np.ndarray


def _programme(problem: _Problem, objective: np.ndarray, limits: np.ndarray) -> _Programme:
    candidates = _candidates(problem, objective)
    room = np.maximum(limits - problem.resources[:, problem.forced].sum(axis=1), 0.0)
    limited = np.isfinite(room)
    return _Programme(candidates, problem.resources[np.ix_(limited, candidates)], room[limited],
                      _dependency_pairs(problem, candidates))


def _solve(problem: _Problem, objective: np.ndarray, limits: np.ndarray, hint: np.ndarray | None = None
           ) -> np.ndarray:
    """Boolean mask of the optimal plan (forced use cases plus the exact choice among the candidates).

    ``hint``: a plan of the same problem (e.g. at a larger budget) that seeds the solver's lower bound.
    """
    chosen = problem.forced.copy()
    programme = _programme(problem, objective, limits)
    candidates = programme.candidates
    if candidates.size == 0:
        return chosen
    gain = objective[candidates] - tie_break_eur(len(problem.ids))[candidates]
    picked = solve_exact(gain, programme.weights, programme.room, programme.pairs,
                         None if hint is None else hint[candidates])
    chosen[candidates[picked]] = True
    return chosen


def _fits(resources: np.ndarray, slack: np.ndarray, limits: np.ndarray) -> np.ndarray:
    """Per constraint and use case: its need fits the slack (with the relative ``FIT_TOLERANCE``)."""
    tolerance = FIT_TOLERANCE * np.maximum(1.0, np.where(np.isfinite(limits), limits, 1.0))
    return resources <= (slack + tolerance)[:, None]


def _binding(problem: _Problem, objective: np.ndarray, chosen: np.ndarray, limits: np.ndarray
             ) -> tuple[ConstraintName, ...]:
    """The limits that pay when lifted: per finite limit, the exact plan without it (every other limit and rule
    kept) beats ``chosen`` by more than ``TIE_BREAK_EUR``.

    Lifting means no limit at all, so "not binding" says no amount of that resource alone buys a better plan. A
    limit passes without a solve when one unchosen use case worth more than the tie-break, with its needs chosen,
    fits every other slack but not this one; otherwise :func:`core.portfolio_milp.improves_on` decides on the
    items' own objective (no tie-break), by an LP bound or a greedy plan where one settles it, else by an exact
    solve seeded with ``chosen`` (feasible without the limit too).
    """
    slack = limits - problem.resources[:, chosen].sum(axis=1)
    needs_met = np.array([all(chosen[need] for need in wanted) for wanted in problem.needs], dtype=bool)
    addable = np.flatnonzero(problem.eligible & ~chosen & (objective > TIE_BREAK_EUR) & needs_met)
    fits = _fits(problem.resources[:, addable], slack, limits)
    only_misses = ~fits & ((~fits).sum(axis=0) == 1)
    binding = []
    for row, name in enumerate(CONSTRAINTS):
        if not np.isfinite(limits[row]):
            continue
        if only_misses[row].any():
            binding.append(name)
            continue
        lifted = limits.copy()
        lifted[row] = np.inf
        programme = _programme(problem, objective, lifted)
        candidates = programme.candidates
        if candidates.size and improves_on(objective[candidates], programme.weights, programme.room,
                                           programme.pairs, chosen[candidates], TIE_BREAK_EUR):
            binding.append(name)
    return tuple(binding)


def _exclusion(items: Sequence[PortfolioItem], problem: _Problem, index: int, objective: np.ndarray,
               chosen: np.ndarray, fits: np.ndarray) -> Exclusion:
    item, ids = items[index], problem.ids
    block = _own_block(item)
    if block is not None:
        return Exclusion(item.id, block)
    if not problem.eligible[index]:
        return Exclusion(item.id, "needs_ineligible",
                         tuple(ids[need] for need in problem.needs[index] if not problem.eligible[need]))
    unfunded = tuple(ids[need] for need in problem.needs[index] if not chosen[need])
    if unfunded:
        return Exclusion(item.id, "needs_unfunded", unfunded)
    over = tuple(name for row, name in enumerate(CONSTRAINTS) if not fits[row, index])
    if objective[index] <= 0 or not over:
        return Exclusion(item.id, "no_gain")
    return Exclusion(item.id, "budget", over)


def _describe(items: Sequence[PortfolioItem], problem: _Problem, objective: np.ndarray, chosen: np.ndarray,
              limits: np.ndarray) -> PortfolioPlan:
    used = problem.resources[:, chosen].sum(axis=1)
    slack = limits - used
    fits = _fits(problem.resources, slack, limits)
    return PortfolioPlan(
        chosen_ids=tuple(problem.ids[index] for index in np.flatnonzero(chosen)),
        npv_eur=float(objective[chosen].sum()),
        investment_eur=float(used[0]),
        run_cost_eur_per_month=float(used[1]),
        capacity_person_months=float(used[2]),
        binding=_binding(problem, objective, chosen, limits),
        excluded=tuple(_exclusion(items, problem, index, objective, chosen, fits)
                       for index in np.flatnonzero(~chosen)),
    )


def plan_portfolio(items: Sequence[PortfolioItem], budgets: Budgets,
                   objective_npv_eur: ArrayLike | None = None) -> PortfolioPlan:
    """S20: the set of use cases with the greatest total NPV (€) within the budgets and rules.

    ``objective_npv_eur`` replaces the items' NPVs (one € value per item, input order), e.g. the P10 of a
    Monte Carlo for a robust plan. Raises :class:`PlanInfeasible` when no plan exists.

    Example: ``plan_portfolio(items, Budgets(investment_eur=300_000)).chosen_ids`` → ``("b", "c")`` for the
    module example (500 k€ + 450 k€ for 300 k€ beats 900 k€ for 300 k€).
    """
    problem = _prepare(items, budgets)
    objective = _objective(problem, objective_npv_eur)
    chosen = _solve(problem, objective, problem.limits)
    return _describe(items, problem, objective, chosen, problem.limits)


def _with_investment(limits: np.ndarray, investment_eur: float) -> np.ndarray:
    changed = limits.copy()
    changed[0] = investment_eur
    return changed


def efficient_frontier(items: Sequence[PortfolioItem], budgets: Budgets, levels: int = FRONTIER_LEVELS,
                       objective_npv_eur: ArrayLike | None = None) -> Frontier:
    """S20 efficient frontier: the best total NPV (€) at ``levels`` investment budgets (€), evenly spaced from
    the must set's investment (0 € without musts) to the whole portfolio's investment (every use case's C0,
    eligible or not: the top of the Portfolio page's budget slider, so a chosen budget never lies beyond the
    curve; levels above what the eligible use cases take repeat the best plan); the run budget and capacity stay
    as given in ``budgets`` (its investment is ignored).

    Levels are solved from the top down; a plan using investment I is also optimal at every level in
    [I, its level], so those levels need no solve. The NPV is non-decreasing: a lower level's plan is feasible
    higher up (a running maximum removes sub-cent tie-break effects).

    Example: for the module example, ``efficient_frontier(items, budgets, levels=3).npv_eur`` → ``[0, 950_000,
    1_850_000]`` at budgets 0, 300 k€ and 600 k€.
    """
    if levels < 2:
        raise ValueError(f"levels must be at least 2, got {levels}")
    problem = _prepare(items, budgets.model_copy(update={"investment_eur": np.inf}))
    objective = _objective(problem, objective_npv_eur)
    investment = problem.resources[0]
    budget = np.linspace(investment[problem.forced].sum(), investment.sum(), levels)
    npv, used = np.full(levels, np.nan), np.full(levels, np.nan)
    top, chosen = levels - 1, None
    while top >= 0:
        chosen = _solve(problem, objective, _with_investment(problem.limits, budget[top]), hint=chosen)
        spent = investment[chosen].sum()
        covered = np.isnan(npv) & (budget <= budget[top]) & (budget >= spent * (1 - FIT_TOLERANCE))
        covered[top] = True
        npv[covered], used[covered] = objective[chosen].sum(), spent
        top = int(np.flatnonzero(np.isnan(npv))[-1]) if np.isnan(npv).any() else -1
    npv = np.maximum.accumulate(npv)
    for values in (budget, npv, used):
        values.setflags(write=False)
    return Frontier(budget_eur=budget, npv_eur=npv, investment_eur=used)


def marginal_npv(items: Sequence[PortfolioItem], budgets: Budgets, step_fraction: float = MARGINAL_STEP_FRACTION,
                 objective_npv_eur: ArrayLike | None = None) -> MarginalNpv:
    """S20: the NPV (€) that the next ``step_fraction`` (10 %) of the investment budget would add.

    Example: module example at 300 k€ → next 30 k€ adds nothing (every remaining use case costs 150 k€ or more),
    so ``gain_eur`` is 0 and ``gain_per_eur`` 0.
    """
    if not (np.isfinite(step_fraction) and step_fraction > 0):
        raise ValueError(f"step_fraction must be a positive fraction of the budget, got {step_fraction}")
    problem = _prepare(items, budgets)
    objective = _objective(problem, objective_npv_eur)
    step = budgets.investment_eur * step_fraction
    now, later = (float(objective[_solve(problem, objective, _with_investment(problem.limits, budget))].sum())
                  for budget in (budgets.investment_eur, budgets.investment_eur + step))
    gain = max(0.0, later - now)
    return MarginalNpv(budget_eur=budgets.investment_eur, step_eur=step, npv_eur=now,
                       next_npv_eur=float(now + gain), gain_eur=gain, gain_per_eur=gain / step if step > 0 else None)


def _fund_in_order(problem: _Problem, ranking: np.ndarray, limits: np.ndarray) -> np.ndarray:
    """Forced use cases first, then each ranked use case with its unfunded needs if the bundle fits every limit."""
    chosen = problem.forced.copy()
    used = problem.resources[:, chosen].sum(axis=1)
    tolerance = FIT_TOLERANCE * np.maximum(1.0, np.where(np.isfinite(limits), limits, 1.0))
    for index in ranking:
        if chosen[index] or not problem.eligible[index]:
            continue
        start = np.zeros_like(chosen)
        start[index] = True
        bundle = _closure(start, problem.needs) & ~chosen
        need = problem.resources[:, bundle].sum(axis=1)
        if np.all(used + need <= limits + tolerance):
            chosen |= bundle
            used += need
    return chosen


def compare_rules(items: Sequence[PortfolioItem], budgets: Budgets, plan: PortfolioPlan | None = None,
                  objective_npv_eur: ArrayLike | None = None) -> tuple[RuleOutcome, RuleOutcome]:
    """S20 versus two simple rules under the same limits and rules.

    Both rules fund the must use cases (with their needs) first, skip ineligible ones, and take each next use
    case together with its not yet funded needs when that bundle fits every limit; ties keep input order.
    ``s3_score`` ranks by S3 score, descending, and knows no money: it funds whatever fits, negative NPV too.
    ``npv_per_eur`` ranks by NPV per € invested (a use case without investment first) and skips NPV ≤ 0.
    ``npv_left_on_table_eur`` is the optimal plan's NPV minus the rule's (never below 0 €).

    Example: one big project (score 0.9, 900 k€ NPV, 300 k€) against three small ones (score 0.5, 400 k€ NPV,
    100 k€ each) at 300 k€: ``s3_score`` funds the big one and leaves 300 k€ on the table.
    """
    problem = _prepare(items, budgets)
    objective = _objective(problem, objective_npv_eur)
    if plan is None:
        plan = _describe(items, problem, objective, _solve(problem, objective, problem.limits), problem.limits)
    investment = problem.resources[0]
    outcomes = []
    for rule, ranking in _rankings(problem, objective).items():
        chosen = _fund_in_order(problem, ranking, problem.limits)
        npv = float(objective[chosen].sum())
        outcomes.append(RuleOutcome(rule, tuple(problem.ids[index] for index in np.flatnonzero(chosen)), npv,
                                    float(investment[chosen].sum()), max(0.0, plan.npv_eur - npv)))
    return outcomes[0], outcomes[1]


def _rankings(problem: _Problem, objective: np.ndarray) -> dict[Rule, np.ndarray]:
    investment = problem.resources[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        per_eur = np.where(investment > 0, objective / np.where(investment > 0, investment, 1.0), np.inf)
    per_eur = np.where(objective > 0, per_eur, -np.inf)
    return {
        "s3_score": np.argsort(-problem.scores, kind="stable"),
        "npv_per_eur": np.argsort(-per_eur, kind="stable")[: int((objective > 0).sum())],
    }


def rule_frontier(items: Sequence[PortfolioItem], budgets: Budgets, budget_eur: ArrayLike, rule: Rule = "s3_score",
                  objective_npv_eur: ArrayLike | None = None) -> np.ndarray:
    """The NPV (€) a simple rule of :func:`compare_rules` funds at each investment budget in ``budget_eur`` (€),
    the run budget and capacity as in ``budgets`` (its investment is ignored): the line beside the frontier.

    Example: module example (equal scores, so input order) at 0, 300 k€ and 600 k€ → [0, 900 k€, 1.85 M€]:
    a is listed first and fills 300 k€, where the optimum (b and c) makes 950 k€.
    """
    problem = _prepare(items, budgets.model_copy(update={"investment_eur": np.inf}))
    objective = _objective(problem, objective_npv_eur)
    ranking = _rankings(problem, objective)[rule]
    levels = np.asarray(budget_eur, dtype=float)
    return np.array([objective[_fund_in_order(problem, ranking, _with_investment(problem.limits, level))].sum()
                     for level in levels.ravel()]).reshape(levels.shape)
