"""Portfolio (S20): the plan, the frontier and the cash flows, cached per portfolio content, budgets and "fund on";
the planning table and its saves; the sentences for the plan, infeasible input, exclusions and binding limits;
saved plans and their comparison.

Core figures are computed once per (portfolio content, discount rate, budgets, fund on) and kept; the frontier
does not depend on the investment budget, so moving that slider solves one plan and reuses the frontier.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import streamlit as st
from pydantic import ValidationError

from core.models import FundOn, SavedPlan
from core.portfolio import (
    Budgets,
    ConstraintName,
    Exclusion,
    MarginalNpv,
    PlanInfeasible,
    PortfolioItem,
    PortfolioPlan,
    RuleOutcome,
    compare_rules,
    efficient_frontier,
    marginal_npv,
    plan_portfolio,
    rule_frontier,
)
from core.portfolio_workspace import (
    PortfolioCashFlows,
    RobustNpv,
    default_budgets,
    fund_on_objective,
    plan_totals,
    portfolio_cash_flows,
    portfolio_items,
    robust_npv,
    saved_plan,
)
from core.store import LoadedWorkspace, StoredPlan
from ui import formatting, number_field, state, store_access
from ui.i18n import t, translate
from ui.portfolio import limit_amount, portfolio_key
from ui.views import VIEW_CACHE_SIZE

if TYPE_CHECKING:
    import pandas as pd

TABLE_WIDGET = "w.portfolio.table.{digest}"
BUDGET_STEPS = 200
NICE_STEPS = (1.0, 2.0, 2.5, 5.0)
TABLE_COLUMNS = ("id", "funded", "name", "funding", "needs", "npv", "investment", "capacity", "run_cost", "score")
PLAN_DECIDES = "plan"
"""The planning table's word for "neither must nor never" (the model's None)."""
EDITABLE_COLUMNS = ("capacity", "funding", "needs")
CAPACITY_SPEC = number_field.NumberSpec(decimals=1, extra_decimals=1, minimum=0.0)
"""S20 capacity in person-months, shown and typed in the session's locale ("2,5" in German)."""
COMPARED_PLANS = 4


def plan_key(loaded: LoadedWorkspace) -> str:
    """The portfolio's content key plus the workspace's discount rate (S19), which the NPVs depend on."""
    return f"{portfolio_key(loaded)}:{loaded.workspace.default_discount_rate_per_year!r}"


@st.cache_data(max_entries=VIEW_CACHE_SIZE, show_spinner=False)
def _items(key: str, _loaded: LoadedWorkspace) -> tuple[PortfolioItem, ...]:
    return portfolio_items(_loaded.workspace)


def items(loaded: LoadedWorkspace) -> tuple[PortfolioItem, ...]:
    """S20 items of the workspace, best S3 score first (see :func:`core.portfolio_workspace.portfolio_items`)."""
    return _items(plan_key(loaded), loaded)


@st.cache_data(max_entries=64, show_spinner=False)
def _robust(key: str, _loaded: LoadedWorkspace) -> RobustNpv:
    return robust_npv(_loaded.workspace)


def objective(loaded: LoadedWorkspace, fund_on: FundOn) -> np.ndarray | None:
    """The NPV vector a plan on ``fund_on`` maximises (None for the S19 NPV itself); the Monte Carlo is cached."""
    robust = None if fund_on == "base" else _robust(plan_key(loaded), loaded)
    return fund_on_objective(items(loaded), fund_on, robust)


@dataclass(frozen=True)
class Infeasibility:
    """:class:`core.portfolio.PlanInfeasible` as plain data (the cache pickles what it keeps)."""

    kind: str
    use_case_ids: tuple[str, ...]
    constraint: ConstraintName | None
    amounts: dict[str, float]

    @classmethod
    def of(cls, error: PlanInfeasible) -> Infeasibility:
        return cls(error.kind, error.use_case_ids, error.constraint, dict(error.amounts))


@dataclass(frozen=True)
class PlanView:
    """The plan at the chosen budgets, or why there is none; ``npv_eur`` of the chosen set is always S19's."""

    plan: PortfolioPlan | None = None
    infeasible: Infeasibility | None = None
    by_score: RuleOutcome | None = None
    by_npv_per_euro: RuleOutcome | None = None
    marginal: MarginalNpv | None = None
    npv_eur: float | None = None
    by_score_npv_eur: float | None = None
    cash_flows: PortfolioCashFlows | None = None


@st.cache_data(max_entries=VIEW_CACHE_SIZE, show_spinner=False)
def _plan_view(key: str, budgets_json: str, fund_on: FundOn, _loaded: LoadedWorkspace) -> PlanView:
    candidates, budgets = items(_loaded), Budgets.model_validate_json(budgets_json)
    vector = objective(_loaded, fund_on)
    try:
        plan = plan_portfolio(candidates, budgets, vector)
        by_score, by_npv_per_euro = compare_rules(candidates, budgets, plan, vector)
        marginal = marginal_npv(candidates, budgets, objective_npv_eur=vector)
    except PlanInfeasible as error:
        return PlanView(infeasible=Infeasibility.of(error))
    return PlanView(plan=plan, by_score=by_score, by_npv_per_euro=by_npv_per_euro, marginal=marginal,
                    npv_eur=plan_totals(candidates, plan.chosen_ids).npv_eur,
                    by_score_npv_eur=plan_totals(candidates, by_score.chosen_ids).npv_eur,
                    cash_flows=portfolio_cash_flows(_loaded.workspace, plan.chosen_ids))


def plan_view(loaded: LoadedWorkspace, budgets: Budgets, fund_on: FundOn) -> PlanView:
    """S20 plan, both simple rules at the same limits, the next 10 % of budget and the chosen set's cash flows."""
    return _plan_view(plan_key(loaded), budgets.model_dump_json(), fund_on, loaded)


@dataclass(frozen=True)
class FrontierView:
    """Best NPV and the score ranking's NPV (€) per investment level (€); empty with ``infeasible`` set."""

    budget_eur: np.ndarray
    npv_eur: np.ndarray
    by_score_npv_eur: np.ndarray
    infeasible: Infeasibility | None = None


@st.cache_data(max_entries=VIEW_CACHE_SIZE, show_spinner=False)
def _frontier_view(key: str, budgets_json: str, fund_on: FundOn, _loaded: LoadedWorkspace) -> FrontierView:
    candidates, budgets = items(_loaded), Budgets.model_validate_json(budgets_json)
    vector = objective(_loaded, fund_on)
    try:
        frontier = efficient_frontier(candidates, budgets, objective_npv_eur=vector)
        by_score = rule_frontier(candidates, budgets, frontier.budget_eur, "s3_score", vector)
    except PlanInfeasible as error:
        empty = np.empty(0)
        return FrontierView(empty, empty, empty, Infeasibility.of(error))
    return FrontierView(frontier.budget_eur, frontier.npv_eur, by_score)


def frontier_view(loaded: LoadedWorkspace, budgets: Budgets, fund_on: FundOn) -> FrontierView:
    """The S20 frontier (20 levels) beside the score ranking; keyed without the investment budget it ignores."""
    independent = budgets.model_copy(update={"investment_eur": 0.0})
    return _frontier_view(plan_key(loaded), independent.model_dump_json(), fund_on, loaded)


def nice_step(maximum: float, steps: int = BUDGET_STEPS) -> float:
    """A round slider step near ``maximum / steps``: 1, 2, 2.5 or 5 times a power of ten.

    Example: ``nice_step(1_080_000)`` → 10,000 (200 steps); ``nice_step(37)`` → 0.2.
    """
    if not math.isfinite(maximum) or maximum <= 0:
        return 1.0
    raw = maximum / steps
    power = 10.0 ** math.floor(math.log10(raw))
    return next((factor * power for factor in NICE_STEPS if factor * power >= raw), 10.0 * power)


def grid(maximum: float, steps: int = BUDGET_STEPS) -> list[float]:
    """Slider options 0, step, 2·step, … below ``maximum``, then ``maximum`` itself, so that the top of the
    investment slider is the whole portfolio's investment, where the S20 frontier ends; [0, 1] for ``maximum`` ≤ 0.

    Example: ``grid(1_083_000)`` → 0, 10,000, …, 1,080,000, 1,083,000.
    """
    step = nice_step(maximum, steps)
    if not math.isfinite(maximum) or maximum <= 0:
        return [0.0, step]
    below = math.ceil(maximum / step - 1e-9)
    return [*(round(index * step, 6) for index in range(below)), float(maximum)]


def snap(value: float | None, options: Sequence[float]) -> float:
    """The option nearest ``value`` (the first option for None)."""
    if value is None or not options:
        return options[0] if options else 0.0
    return min(options, key=lambda option: abs(option - value))


def budget_options(candidates: Sequence[PortfolioItem]) -> dict[str, list[float]]:
    """Slider grids: investment up to every use case's C0 (where the frontier ends, see
    :func:`core.portfolio.efficient_frontier`), run budget up to every run cost, capacity likewise."""
    return {
        "investment": grid(math.fsum(item.investment_eur for item in candidates)),
        "run_cost": grid(math.fsum(item.run_cost_eur_per_month for item in candidates)),
        "capacity": grid(math.fsum(item.capacity_person_months for item in candidates), steps=60),
    }


def default_investment(candidates: Sequence[PortfolioItem], options: Sequence[float]) -> float:
    return snap(default_budgets(candidates).investment_eur, options)


def names(candidates: Sequence[PortfolioItem]) -> dict[str, str]:
    return {item.id: item.name for item in candidates}


def _listed(ids: Sequence[str], known: Mapping[str, str]) -> str:
    return ", ".join(known.get(use_case_id, use_case_id) for use_case_id in ids)


def _chain(ids: Sequence[str], known: Mapping[str, str]) -> str:
    return t("portfolio.needs_word").join(known.get(use_case_id, use_case_id) for use_case_id in ids)


def amount(constraint: ConstraintName, value: float, lang: str) -> str:
    """A limit or its use in its unit (see :func:`ui.portfolio.limit_amount`)."""
    return limit_amount(constraint, value, lang)


def infeasible_message(problem: Infeasibility, known: Mapping[str, str], lang: str) -> str:
    """One sentence naming the use cases and the rule (S20), never a solver status."""
    ids = problem.use_case_ids
    if problem.kind == "must_over_budget" and problem.constraint is not None:
        return t("portfolio.infeasible.must_over_budget", names=_listed(ids, known),
                 constraint=t(f"portfolio.constraint.{problem.constraint}"),
                 required=amount(problem.constraint, problem.amounts.get("required", math.nan), lang),
                 limit=amount(problem.constraint, problem.amounts.get("limit", math.nan), lang))
    first = known.get(ids[0], ids[0]) if ids else "?"
    last = known.get(ids[-1], ids[-1]) if ids else "?"
    cycle = _chain([*ids, ids[0]], known) if problem.kind == "dependency_cycle" and ids else _chain(ids, known)
    return t(f"portfolio.infeasible.{problem.kind}", name=first, last=last, names=_listed(ids, known), chain=cycle)


def exclusion_text(exclusion: Exclusion, known: Mapping[str, str]) -> str:
    """Why one use case is out of the plan, in the user's language."""
    related = exclusion.related
    if exclusion.reason == "budget":
        return t("portfolio.why.budget", limits=", ".join(t(f"portfolio.constraint.{name}") for name in related))
    return t(f"portfolio.why.{exclusion.reason}", names=_listed(related, known))


def binding_text(plan: PortfolioPlan) -> str:
    if not plan.binding:
        return t("portfolio.binding_none")
    return t("portfolio.binding", limits=", ".join(t(f"portfolio.constraint.{name}") for name in plan.binding))


def headline(view: PlanView, budgets: Budgets, fund_on: FundOn, lang: str) -> str:
    """"At 600 k€ the optimal plan yields 2.7 M€ NPV; funding by score yields 2.3 M€." (S19 NPVs of both sets)."""
    if view.plan is None or view.npv_eur is None or view.by_score_npv_eur is None:
        return ""
    sentence = t("portfolio.headline", budget=formatting.eur_compact(budgets.investment_eur, lang),
                 npv=formatting.eur_compact(view.npv_eur, lang),
                 by_score=formatting.eur_compact(view.by_score_npv_eur, lang))
    if fund_on != "base":
        sentence += " " + t("portfolio.headline_fund_on", fund_on=t(f"portfolio.fund_on.{fund_on}"),
                            npv=formatting.eur_compact(view.plan.npv_eur, lang))
    return sentence


def rules_table(view: PlanView, fund_on: FundOn, lang: str) -> str:
    """The optimal plan beside both simple rules of :func:`core.portfolio.compare_rules` at the same limits, as a
    Markdown table: the NPV each funds (on what the plan maximised: S19, P50 or P10), the NPV it leaves on the
    table (the optimum's minus its own, €) and how many use cases it funds; "" without a plan."""
    if view.plan is None or view.by_score is None or view.by_npv_per_euro is None:
        return ""
    header = [t("portfolio.rules.rule"), t(f"portfolio.rules.npv_{fund_on}"), t("portfolio.rules.left"),
              t("portfolio.rules.count")]
    rows = [[t("portfolio.rules.optimal"), formatting.eur(view.plan.npv_eur, lang), formatting.MISSING,
             formatting.number(len(view.plan.chosen_ids), lang)]]
    rows.extend([t(f"portfolio.rules.{outcome.rule}"), formatting.eur(outcome.npv_eur, lang),
                 formatting.eur(outcome.npv_left_on_table_eur, lang), formatting.number(len(outcome.chosen_ids), lang)]
                for outcome in (view.by_score, view.by_npv_per_euro))
    return formatting.markdown_table(header, rows, right_aligned=(1, 2, 3))


def marginal_text(marginal: MarginalNpv, lang: str) -> str:
    step = formatting.eur_compact(marginal.step_eur, lang)
    if marginal.gain_eur <= 0 or marginal.gain_per_eur is None:
        return t("portfolio.marginal_none", step=step)
    return t("portfolio.marginal", step=step, gain=formatting.eur_compact(marginal.gain_eur, lang),
             per_eur=formatting.eur(marginal.gain_per_eur, lang, decimals=2))


def table_key(loaded: LoadedWorkspace) -> str:
    """The planning table's widget key: new for every stored change, so a saved edit starts a fresh editor."""
    return TABLE_WIDGET.format(digest=plan_key(loaded)[:16])


def plan_table(candidates: Sequence[PortfolioItem], view: PlanView, lang: str) -> pd.DataFrame:
    """One row per use case, best score first: funded, figures as locale text, editable capacity, rule and needs."""
    import pandas as pd

    chosen = set(view.plan.chosen_ids) if view.plan else set()
    rows = [{
        "id": item.id, "funded": item.id in chosen, "name": item.name, "funding": item.funding or PLAN_DECIDES,
        "npv": formatting.eur(item.npv_eur, lang), "investment": formatting.eur(item.investment_eur, lang),
        "run_cost": formatting.eur(item.run_cost_eur_per_month, lang),
        "capacity": number_field.show(item.capacity_person_months, CAPACITY_SPEC, lang),
        "needs": list(item.needs), "score": formatting.score(item.score, lang),
    } for item in candidates]
    return pd.DataFrame(rows, columns=list(TABLE_COLUMNS))


def exclusions(candidates: Sequence[PortfolioItem], view: PlanView) -> list[tuple[str, str]]:
    """(name, why it is out) for every use case the plan leaves out, best score first."""
    if view.plan is None:
        return []
    known = names(candidates)
    return [(known.get(exclusion.id, exclusion.id), exclusion_text(exclusion, known))
            for exclusion in view.plan.excluded]


def _cell(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, np.ndarray):
        return value.tolist()
    return value


def table_changes(base: pd.DataFrame, edited: pd.DataFrame, lang: str
                  ) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Per use case id the edited planning fields as model paths (capacity_person_months, funding, needs), and a
    sentence per capacity that cannot be read, naming the use case and the column (that edit is not saved)."""
    paths = {"capacity": "capacity_person_months", "funding": "funding", "needs": "needs"}
    changes: dict[str, dict[str, Any]] = {}
    problems: list[str] = []
    for (_, before), (_, after) in zip(base.iterrows(), edited.iterrows(), strict=True):
        for column, path in paths.items():
            old, new = _cell(before[column]), _cell(after[column])
            if column == "needs":
                old, new = list(old or []), list(new or [])
            if column == "funding":
                old = None if old == PLAN_DECIDES else old
                new = None if new in (PLAN_DECIDES, "") else new
            if column == "capacity":
                # The cells hold locale text: a changed text is a change, saved once it reads as a number.
                if (new or "") != (old or ""):
                    parsed, message = number_field.parse(str(new or "0"), CAPACITY_SPEC, lang)
                    if message is None:
                        changes.setdefault(str(before["id"]), {})[path] = parsed
                    else:
                        # The reason comes from t() with the typed text escaped in it: only the name is escaped here.
                        problems.append(translate("portfolio.capacity_refused", lang,
                                                  name=formatting.escape_markdown(str(before["name"])), reason=message))
            elif new != old:
                changes.setdefault(str(before["id"]), {})[path] = new
    return changes, problems


def save_table_changes(changes: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Save each use case's edited planning fields at once; readable errors (the field named), none on success,
    each ready for a Markdown sink and escaped once."""
    errors = []
    for use_case_id, fields in changes.items():
        try:
            store_access.set_fields(use_case_id, dict(fields))
        except ValidationError as error:
            errors.extend(f"{formatting.escape_markdown(use_case_id)}: {line}"
                          for line in store_access.readable_errors(error))
        except (ValueError, KeyError) as error:
            errors.append(formatting.escape_markdown(f"{use_case_id}: {error}"))
    return errors


def save_plan(loaded: LoadedWorkspace, name: str, budgets: Budgets, fund_on: FundOn) -> StoredPlan:
    """Store the optimal plan at ``budgets`` under ``name`` (audited); PlanInfeasible when there is none."""
    candidates = items(loaded)
    vector = objective(loaded, fund_on)
    plan = plan_portfolio(candidates, budgets, vector)
    document = saved_plan(name, candidates, budgets, plan.chosen_ids, fund_on, vector)
    return store_access.store().save_plan(loaded.id, document, state.actor())


def save_document(workspace_id: str, document: SavedPlan) -> StoredPlan:
    return store_access.store().save_plan(workspace_id, document, state.actor())


def saved_plans(workspace_id: str) -> list[StoredPlan]:
    return store_access.store().list_plans(workspace_id)


def delete_plan(workspace_id: str, name: str) -> None:
    store_access.store().delete_plan(workspace_id, name, state.actor())


def _limit(value: float | None, constraint: ConstraintName, lang: str) -> str:
    return t("portfolio.no_limit") if value is None else amount(constraint, value, lang)


def comparison(plans: Sequence[StoredPlan], candidates: Sequence[PortfolioItem], lang: str) -> str:
    """Saved plans side by side as a Markdown table: limits, what they maximised, totals, who and when, and a
    ✓ per funded use case (use cases no longer in the workspace listed by id)."""
    header = [t("portfolio.compare.row"), *(formatting.escape_markdown(stored.name) for stored in plans)]
    rows: list[list[str]] = []

    def row(label_key: str, cells: Sequence[str]) -> None:
        rows.append([t(label_key), *cells])

    row("portfolio.compare.budget", [_limit(p.plan.budgets.investment_eur, "investment", lang) for p in plans])
    row("portfolio.compare.run_budget", [_limit(p.plan.budgets.run_budget_eur_per_month, "run_cost", lang)
                                         for p in plans])
    row("portfolio.compare.capacity_budget", [_limit(p.plan.budgets.capacity_person_months, "capacity", lang)
                                              for p in plans])
    row("portfolio.compare.fund_on", [t(f"portfolio.fund_on.{p.plan.fund_on}") for p in plans])
    row("portfolio.compare.npv", [formatting.eur(p.plan.npv_eur, lang) for p in plans])
    row("portfolio.compare.investment", [formatting.eur(p.plan.investment_eur, lang) for p in plans])
    row("portfolio.compare.run_cost", [amount("run_cost", p.plan.run_cost_eur_per_month, lang) for p in plans])
    row("portfolio.compare.capacity", [amount("capacity", p.plan.capacity_person_months, lang) for p in plans])
    row("portfolio.compare.count", [formatting.number(len(p.plan.chosen_ids), lang) for p in plans])
    row("portfolio.compare.source", [t(f"portfolio.source.{p.plan.source}") for p in plans])
    row("portfolio.compare.saved", [f"{formatting.escape_markdown(p.actor)}, {formatting.timestamp(p.created_at, lang)}"
                                    for p in plans])
    listed = [item.id for item in candidates]
    extra = [use_case_id for p in plans for use_case_id in p.plan.chosen_ids if use_case_id not in set(listed)]
    known = names(candidates)
    for use_case_id in [*listed, *dict.fromkeys(extra)]:
        marks = ["✓" if use_case_id in p.plan.chosen_ids else "–" for p in plans]
        if any(mark == "✓" for mark in marks):
            rows.append([formatting.escape_markdown(known.get(use_case_id, use_case_id)), *marks])
    return formatting.markdown_table(header, rows, right_aligned=tuple(range(1, len(header))))
