"""S20 over a workspace: its use cases as portfolio items, robust NPVs, a plan's totals and rule check, the chosen
portfolio's monthly cash flows, and the plan to save.

Items come in S3 rank order (best score first, ties in workspace order), so the solver's tie-break prefers the
better-scored of two equally good plans. Money in €, run cost in €/month, capacity in person-months.

Example::

    items = portfolio_items(workspace)
    plan = plan_portfolio(items, Budgets(investment_eur=600_000))
    saved = saved_plan("Budget 2027 – base", items, Budgets(investment_eur=600_000), plan.chosen_ids)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from core.business_case import (
    BusinessCaseTerms,
    cash_flow_arrays,
    discounted,
    monthly_discount_rate,
    portfolio_arrays,
    portfolio_npv,
)
from core.models import FundOn, PlanBudgets, PlanSource, SavedPlan, Workspace
from core.portfolio import CONSTRAINTS, FIT_TOLERANCE, Budgets, ConstraintName, PortfolioItem
from core.scoring import SCORING_FIELDS, score_arrays

ROBUST_DRAWS = 2_000
ROBUST_SEED = 0
ROBUST_PERCENTILES: Mapping[FundOn, float] = {"p50": 50.0, "p10": 10.0}
DEFAULT_BUDGET_SHARE = 0.6
PlanIssueKind = Literal["unknown_use_case", "over_limit", "ineligible", "must_unfunded", "needs_unfunded"]


def _scores(workspace: Workspace) -> np.ndarray:
    matrix = np.array([[getattr(case.scoring, name) for name in SCORING_FIELDS] for case in workspace.use_cases],
                      dtype=float).reshape(-1, len(SCORING_FIELDS))
    return np.clip(score_arrays(matrix, workspace.weights)[2], 0.0, 1.0)


def portfolio_items(workspace: Workspace) -> tuple[PortfolioItem, ...]:
    """One S20 item per use case, best S3 score first: S19 NPV and investment C0 from one vectorised call (each
    use case's own discount rate, else the workspace default), S15 run cost, S3 score, S11 risk class and DPIA
    status, and the S20 capacity, funding rule and needs. ValueError names a use case whose NPV is out of range.

    Example: the sample workspace → 10 items, the first ``invoice-extraction`` (score 0.56, NPV 522 k€).
    """
    cases = workspace.use_cases
    figures = portfolio_npv(cases, workspace.default_discount_rate_per_year)
    scores = _scores(workspace)
    items = []
    for index in np.argsort(-scores, kind="stable").tolist():
        case, npv = cases[index], float(figures.npv_eur[index])
        if not math.isfinite(npv) or abs(npv) > 1e12:
            raise ValueError(f"{case.id}: its S19 NPV ({npv:.3g} €) is outside ±10^12 €; check its inputs")
        items.append(PortfolioItem(
            id=case.id, name=case.name, npv_eur=npv, investment_eur=float(figures.investment_eur[index]),
            run_cost_eur_per_month=case.roi.run_cost_eur_per_month,
            capacity_person_months=case.capacity_person_months, risk_class=case.eu_ai_act_risk_class,
            dpia_assessed=case.dpia.assessed, funding=case.funding, needs=case.needs, score=float(scores[index]),
        ))
    return tuple(items)


@dataclass(frozen=True, eq=False)
class RobustNpv:
    """Median and 10th percentile (€) of each use case's S19 NPV under S16's Monte Carlo, keyed by id."""

    p50_eur: dict[str, float]
    p10_eur: dict[str, float]
    draws: int
    seed: int


def robust_npv(workspace: Workspace, draws: int = ROBUST_DRAWS, seed: int = ROBUST_SEED) -> RobustNpv:
    """P50 and P10 of every use case's NPV: ``core.sensitivity.monte_carlo_business_case`` with its default ranges
    (± 20 % around each S15 input, ramp and investment), ``draws`` draws, one seed for every use case.

    Example: the S19 worked example (chatbot) → P50 ≈ 1.35 M€, P10 below it.
    """
    from core.sensitivity import monte_carlo_business_case

    p50, p10 = {}, {}
    for case in workspace.use_cases:
        terms = BusinessCaseTerms.of(case, workspace.default_discount_rate_per_year)
        samples = monte_carlo_business_case(case.roi, terms, n=draws, seed=seed).npv_samples
        p50[case.id], p10[case.id] = (float(value) for value in np.percentile(samples, [50.0, 10.0]))
    return RobustNpv(p50_eur=p50, p10_eur=p10, draws=draws, seed=seed)


def fund_on_objective(items: Sequence[PortfolioItem], fund_on: FundOn, robust: RobustNpv | None) -> np.ndarray | None:
    """The NPV vector (€, item order) a plan on ``fund_on`` maximises; None for "base" (the items' own NPV)."""
    if fund_on == "base":
        return None
    if robust is None:
        raise ValueError(f"fund_on {fund_on!r} needs the Monte Carlo NPVs (robust_npv)")
    values = robust.p50_eur if fund_on == "p50" else robust.p10_eur
    return np.array([values[item.id] for item in items], dtype=float)


def default_budgets(items: Sequence[PortfolioItem]) -> Budgets:
    """Three fifths of the investment of every use case S20 may fund (S11 risk, "never" excluded), no run or
    capacity limit: enough to fund most of the worthwhile ones, too little for all, so the choice matters.

    Example: three eligible use cases of 300, 150 and 150 k€ → 360 k€.
    """
    eligible = sum(item.investment_eur for item in items if _eligible(item))
    return Budgets(investment_eur=DEFAULT_BUDGET_SHARE * eligible)


def _eligible(item: PortfolioItem) -> bool:
    if item.funding == "never" or item.risk_class == "prohibited":
        return False
    return item.risk_class != "high" or item.dpia_assessed


@dataclass(frozen=True, slots=True)
class PlanTotals:
    """What a set of use cases adds up to: S19 NPV and C0 (€), S15 run cost (€/month), capacity (person-months)."""

    npv_eur: float
    investment_eur: float
    run_cost_eur_per_month: float
    capacity_person_months: float

    def used(self) -> dict[ConstraintName, float]:
        return {"investment": self.investment_eur, "run_cost": self.run_cost_eur_per_month,
                "capacity": self.capacity_person_months}


def plan_totals(items: Sequence[PortfolioItem], chosen_ids: Iterable[str]) -> PlanTotals:
    """Totals of the chosen use cases (unknown ids count nothing). Example: a + b of the module example → 1.4 M€."""
    chosen = set(chosen_ids)
    picked = [item for item in items if item.id in chosen]
    return PlanTotals(
        npv_eur=math.fsum(item.npv_eur for item in picked),
        investment_eur=math.fsum(item.investment_eur for item in picked),
        run_cost_eur_per_month=math.fsum(item.run_cost_eur_per_month for item in picked),
        capacity_person_months=math.fsum(item.capacity_person_months for item in picked),
    )


@dataclass(frozen=True, slots=True)
class PlanIssue:
    """One S20 rule a set of use cases breaks: ``kind``, the use cases involved, for ``over_limit`` the constraint
    and the amounts (``required``, ``limit`` in its unit), for ``needs_unfunded`` (dependent, need) in order."""

    kind: PlanIssueKind
    use_case_ids: tuple[str, ...] = ()
    constraint: ConstraintName | None = None
    amounts: dict[str, float] = field(default_factory=dict)


def check_plan(items: Sequence[PortfolioItem], budgets: PlanBudgets, chosen_ids: Iterable[str]
               ) -> tuple[PlanIssue, ...]:
    """Every S20 rule a hand-picked plan (e.g. funded flags edited in Excel) breaks; () for an allowed plan.

    Example: funding a ``prohibited`` use case → ``PlanIssue("ineligible", ("x",))``.
    """
    chosen = list(dict.fromkeys(chosen_ids))
    by_id = {item.id: item for item in items}
    issues = []
    unknown = tuple(use_case_id for use_case_id in chosen if use_case_id not in by_id)
    if unknown:
        issues.append(PlanIssue("unknown_use_case", unknown))
    funded = {use_case_id for use_case_id in chosen if use_case_id in by_id}
    used = plan_totals(items, funded).used()
    limits = Budgets.model_validate(budgets.model_dump()).limits()
    for row, name in enumerate(CONSTRAINTS):
        if used[name] > limits[row] * (1 + FIT_TOLERANCE) + FIT_TOLERANCE:
            issues.append(PlanIssue("over_limit", (), name, {"required": used[name], "limit": float(limits[row])}))
    ordered = [item for item in items if item.id in funded]
    for kind, ids in (("ineligible", tuple(item.id for item in ordered if not _eligible(item))),
                      ("must_unfunded", tuple(item.id for item in items if item.funding == "must"
                                              and item.id not in funded))):
        if ids:
            issues.append(PlanIssue(kind, ids))
    issues.extend(PlanIssue("needs_unfunded", (item.id, need)) for item in ordered for need in item.needs
                  if need not in funded)
    return tuple(issues)


def saved_plan(name: str, items: Sequence[PortfolioItem], budgets: PlanBudgets, chosen_ids: Iterable[str],
               fund_on: FundOn = "base", objective_npv_eur: np.ndarray | None = None,
               source: PlanSource = "app") -> SavedPlan:
    """The :class:`SavedPlan` of ``chosen_ids`` (kept in item order) with its totals; ``objective_npv_eur`` is the
    vector the plan maximised (item order) when ``fund_on`` is not "base"."""
    chosen = set(chosen_ids)
    totals = plan_totals(items, chosen)
    fund_on_total = None
    if fund_on != "base" and objective_npv_eur is not None:
        fund_on_total = math.fsum(float(value) for item, value in zip(items, objective_npv_eur, strict=True)
                                  if item.id in chosen)
    return SavedPlan(
        name=name, budgets=PlanBudgets.model_validate(budgets.model_dump()), fund_on=fund_on,
        chosen_ids=tuple(item.id for item in items if item.id in chosen), npv_eur=totals.npv_eur,
        fund_on_npv_eur=fund_on_total, investment_eur=totals.investment_eur,
        run_cost_eur_per_month=totals.run_cost_eur_per_month, capacity_person_months=totals.capacity_person_months,
        source=source,
    )


@dataclass(frozen=True, eq=False)
class PortfolioCashFlows:
    """Monthly S19 cash flows (€) of a set of use cases, months 0..the longest horizon; read-only arrays.

    ``net_eur`` sums the use cases' flows (month 0: −Σ C0), ``cumulative_eur`` is its running total and
    ``discounted_cumulative_eur`` the running total of each flow discounted at its use case's own rate.
    """

    month: np.ndarray
    net_eur: np.ndarray
    cumulative_eur: np.ndarray
    discounted_cumulative_eur: np.ndarray


def portfolio_cash_flows(workspace: Workspace, chosen_ids: Iterable[str]) -> PortfolioCashFlows:
    """S19 monthly flows of the chosen use cases added up, in one (use cases × months) call.

    Example: the S19 worked example alone → month 0 −120,000 €, month 1 −6,437 €, cumulative ≥ 0 from month 6.
    """
    chosen = set(chosen_ids)
    cases = [case for case in workspace.use_cases if case.id in chosen]
    if not cases:
        zero = np.zeros(1)
        zero.flags.writeable = False
        return PortfolioCashFlows(np.arange(1), zero, zero, zero)
    arrays = portfolio_arrays(cases, workspace.default_discount_rate_per_year)
    rate = arrays.pop("discount_rate_per_year")
    _, _, flows = cash_flow_arrays(**arrays)
    net = flows.sum(axis=0)
    present = discounted(flows, monthly_discount_rate(rate)).sum(axis=0)
    columns = (np.arange(net.size), net, np.cumsum(net), np.cumsum(present))
    for column in columns:
        column.flags.writeable = False
    return PortfolioCashFlows(*columns)
