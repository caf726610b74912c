"""The workspace's portfolio: one row per use case with its S3 score and quadrant, S15 figures, S19 investment, NPV
and payback, and gates, and the wording of S20 limits and rule breaks that the Portfolio and Export pages share.

Computed once per portfolio content (:func:`portfolio_key`) and cached. Home reads the numpy columns
(:func:`portfolio_arrays`, so a cold start never imports pandas); Use cases and Scoring read the frame
(:func:`portfolio_frame`) through :mod:`ui.tables`, and Scoring the rank stability.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import streamlit as st

from core import business_case, gates, plan_vs_actual, roi, scoring, search, verdict
from core.models import ROI_INPUT_FIELDS, UseCase, Workspace
from core.store import LoadedWorkspace
from ui import formatting
from ui.i18n import label, t

if TYPE_CHECKING:
    import pandas as pd

    from core.portfolio_workspace import PlanIssue

PORTFOLIO_COLUMNS = (
    "name", "owner", "phase", "risk_class", "value", "feasibility", "score", "scored", "rank", "quadrant",
    "total_value", "net_value", "roi", "investment", "npv", "payback_month", "next_gate", "gates_passed",
    "gates_evaluated", "status", "next_gate_on", "behind_plan", "value_share", "review_overdue", "next_review",
    "gate_red", "next_decision", "red_gate", "red_decision",
)
FAILING_DECISIONS = frozenset({"stop", "fail", "rollback", "stop_or_re-scope", "no_deploy"})
"""Gate decisions that turn a gate red (Home's "needs attention", the registry's badge)."""


def portfolio_key(loaded: LoadedWorkspace) -> str:
    """A digest of a portfolio's content: a stored (use case, version) never changes once committed.

    One short string, because Streamlit's cache hashes a tuple of 500 pairs element by element (≈80 ms). Today's
    date is part of it: the S22 reviews fall due by the calendar.
    """
    workspace = loaded.workspace
    parts = [loaded.id, datetime.now(UTC).date().isoformat(), workspace.weights.model_dump_json(),
             workspace.thresholds.model_dump_json(),
             workspace.settings.model_dump_json()]
    parts.extend(f"{case.id}\x1f{loaded.versions.get(case.id, -1)}" for case in workspace.use_cases)
    return hashlib.blake2b("\x1e".join(parts).encode(), digest_size=20).hexdigest()


@dataclass(frozen=True)
class PortfolioArrays:
    """The portfolio as one numpy array (or tuple) per column of :data:`PORTFOLIO_COLUMNS`, in workspace order.

    The home page reads these directly, so a cold start never imports pandas.
    """

    ids: tuple[str, ...]
    columns: dict[str, Any]
    review: plan_vs_actual.PortfolioReview | None = None
    """S18/S22: the monthly portfolio review (None for an empty workspace)."""

    def __len__(self) -> int:
        return len(self.ids)


def min_ranks(scores: np.ndarray) -> np.ndarray:
    """1 = highest score; equal scores share the better rank, as pandas' ``rank(method="min", ascending=False)``."""
    descending = np.sort(-np.asarray(scores, dtype=float))
    return np.searchsorted(descending, -np.asarray(scores, dtype=float), side="left").astype("int64") + 1


def next_gate_on(use_case: UseCase) -> date | None:
    """The next gate's date of the latest recorded gate decision that set one (None without)."""
    for decision in reversed(use_case.gate_decisions):
        if decision.next_gate_on is not None:
            return decision.next_gate_on
    return None


def _portfolio_arrays_of(workspace: Workspace) -> PortfolioArrays:
    cases = workspace.use_cases
    thresholds = workspace.thresholds
    reviews = plan_vs_actual.use_case_reviews(cases, datetime.now(UTC).date(), thresholds)
    parts = {
        "name": [case.name for case in cases],
        "owner": [case.owner for case in cases],
        "phase": [case.phase for case in cases],
        "risk_class": [case.eu_ai_act_risk_class for case in cases],
        **_score_columns(workspace),
        **_money_columns(workspace),
        **_gate_columns(workspace),
        **_measured_columns(workspace, reviews),
    }
    columns = {name: parts[name] for name in _COLUMN_ORDER}
    review = plan_vs_actual.portfolio_review(reviews, datetime.now(UTC).date(), thresholds) if cases else None
    return PortfolioArrays(ids=tuple(case.id for case in cases), columns=columns, review=review)


# The order the portfolio table's columns have always had (the groups below interleave).
_COLUMN_ORDER = (
    "name", "owner", "phase", "risk_class", "value", "feasibility", "score", "scored", "rank", "quadrant",
    "total_value", "net_value", "roi", "investment", "npv", "payback_month", "next_gate", "gates_passed",
    "gates_evaluated", "status", "next_gate_on", "behind_plan", "value_share", "review_overdue", "next_review",
    "gate_red", "next_decision", "red_gate", "red_decision",
)


def _score_columns(workspace: Workspace) -> dict[str, Any]:
    """S3: value, feasibility, their product, the rank and the quadrant (unscored use cases have neither)."""
    cases, thresholds = workspace.use_cases, workspace.thresholds
    matrix = np.array(
        [[getattr(case.scoring, name) for name in scoring.SCORING_FIELDS] for case in cases], dtype=float
    ).reshape(-1, len(scoring.SCORING_FIELDS))
    value, feasibility, product = scoring.score_arrays(matrix, workspace.weights)
    scored = np.array([case.scored for case in cases], dtype=bool)
    return {
        "value": value,
        "feasibility": feasibility,
        "score": product,
        "scored": scored,
        "rank": scoring.scored_ranks(product, scored),
        "quadrant": scoring.scored_quadrants(
            value, feasibility, scored, thresholds.quick_win_min_value, thresholds.quick_win_min_feasibility
        ),
    }


def _money_columns(workspace: Workspace) -> dict[str, Any]:
    """The monthly ROI figures and the S19 business case (NPV, payback) of every use case."""
    cases = workspace.use_cases
    roi_values = roi.roi_arrays(
        *(np.array([getattr(case.roi, name) for case in cases], dtype=float) for name in ROI_INPUT_FIELDS)
    )
    # S19 for all use cases in one vectorised call; payback months are NaN where not reached within the horizon.
    plans = business_case.portfolio_business_case(cases, workspace.default_discount_rate_per_year)
    return {
        "total_value": roi_values["total_value"],
        "net_value": roi_values["net_value"],
        "roi": roi_values["roi"],
        "investment": plans.investment_eur,
        "npv": plans.npv_eur,
        "payback_month": plans.payback_month,
    }


def _gate_columns(workspace: Workspace) -> dict[str, Any]:
    """The gates passed, the next gate and its decision, and the one verdict per use case."""
    cases, thresholds = workspace.use_cases, workspace.thresholds
    results = [gates.evaluate_all(case, thresholds) for case in cases]
    survives = verdict.worst_cases_survive(cases)
    statuses = tuple(verdict.status_from(result, bool(alive)) for result, alive in zip(results, survives, strict=True))
    next_gates = [gates.next_gate(case) for case in cases]
    next_decisions = [result[gate].decision for result, gate in zip(results, next_gates, strict=True)]
    red = [_red_gate(result, gate) for result, gate in zip(results, next_gates, strict=True)]
    return {
        "next_gate": next_gates,
        "gates_passed": np.array([sum(gate.passed for gate in result.values()) for result in results], dtype="int64"),
        "gates_evaluated": np.array([len(result) for result in results], dtype="int64"),
        "status": statuses,
        "next_gate_on": tuple(next_gate_on(case) for case in cases),
        "gate_red": np.array([gate is not None for gate, _ in red], dtype=bool),
        "next_decision": next_decisions,
        "red_gate": tuple(gate or "" for gate, _ in red),
        "red_decision": tuple(decision for _, decision in red),
    }


def _red_gate(results: dict[str, gates.GateResult], next_gate: str) -> tuple[str | None, str]:
    """The gate that is red and its decision, or (None, ""): the next gate when it fails, else S17 once its kill
    trigger has fired. A pilot heads for the quality gates, but a pilot below 40 % adoption after six weeks is to
    stop or re-scope (S17) whatever its quality gates say."""
    if results[next_gate].decision in FAILING_DECISIONS:
        return next_gate, results[next_gate].decision
    if results["scale_or_kill"].decision == "stop_or_re-scope":
        return "scale_or_kill", "stop_or_re-scope"
    return None, ""


def _measured_columns(workspace: Workspace, reviews: plan_vs_actual.ReviewSchedule) -> dict[str, Any]:
    """S22: behind plan, the value share and the review rhythm."""
    # Plan vs actual vectorised over every measurement of the portfolio.
    actuals = plan_vs_actual.plan_vs_actual(workspace.use_cases, workspace.thresholds)
    return {
        "behind_plan": actuals.behind_plan,
        "value_share": actuals.value_share,
        "review_overdue": reviews.overdue,
        "next_review": reviews.next_review,
    }


@st.cache_data(max_entries=64, show_spinner=False)
def _portfolio_arrays(key: str, _workspace: Workspace) -> PortfolioArrays:
    return _portfolio_arrays_of(_workspace)


def portfolio_arrays(loaded: LoadedWorkspace) -> PortfolioArrays:
    """The columns of :func:`portfolio_frame` as numpy arrays, computed once per portfolio content."""
    return _portfolio_arrays(portfolio_key(loaded), loaded.workspace)


@st.cache_data(max_entries=64, show_spinner=False)
def _portfolio(key: str, _workspace: Workspace) -> pd.DataFrame:
    return _frame_of(_portfolio_arrays(key, _workspace))


def _frame_of(arrays: PortfolioArrays) -> pd.DataFrame:
    import pandas as pd

    index = pd.Index(list(arrays.ids), name="id")
    if not len(arrays):
        return pd.DataFrame(columns=list(PORTFOLIO_COLUMNS), index=index)
    columns = {name: arrays.columns[name] for name in PORTFOLIO_COLUMNS}
    # A tuple of dataclasses would be unpacked into columns; as a Series it stays one object column.
    for name in ("status", "next_gate_on"):
        columns[name] = pd.Series(list(columns[name]), index=index, dtype=object)
    return pd.DataFrame(columns, index=index)


def portfolio_frame(loaded: LoadedWorkspace) -> pd.DataFrame:
    """One row per use case (index id): S3 score and quadrant, S15 value/net/ROI, next gate, gates passed."""
    return _portfolio(portfolio_key(loaded), loaded.workspace)


@st.cache_data(max_entries=64, show_spinner=False)
def _rank_stability(key: str, jitter: float, n: int, _workspace: Workspace) -> pd.DataFrame:
    from core import sensitivity

    return sensitivity.rank_stability(
        _workspace.use_cases, _workspace.weights, jitter=jitter, n=n, seed=0,
        min_value=_workspace.thresholds.quick_win_min_value,
        min_feasibility=_workspace.thresholds.quick_win_min_feasibility,
    )


def rank_stability(loaded: LoadedWorkspace, jitter: float = 0.2, n: int = 500) -> pd.DataFrame:
    """Per use case: quadrant at the current weights and the share of random weight draws keeping it."""
    return _rank_stability(portfolio_key(loaded), float(jitter), int(n), loaded.workspace)


@st.cache_data(max_entries=64, show_spinner=False)
def _search_texts(key: str, lang: str, _workspace: Workspace) -> tuple[str, ...]:
    def shown_labels(case: UseCase) -> tuple[str, ...]:
        return (label("phase", case.phase, lang), label("risk", case.eu_ai_act_risk_class, lang),
                label("output", case.output_type, lang))

    return tuple(search.card_text(case, shown_labels(case)) for case in _workspace.use_cases)


def search_texts(loaded: LoadedWorkspace, lang: str) -> dict[str, str]:
    """Per use case id, the case-folded text the registry search looks in: every text field of the card, its KPI
    and RACI rows, and its phase, risk class and output type as shown in ``lang`` (built once per version)."""
    texts = _search_texts(portfolio_key(loaded), lang, loaded.workspace)
    return dict(zip((case.id for case in loaded.workspace.use_cases), texts, strict=True))


def filter_and_sort(frame: pd.DataFrame, query: str, column: str, descending: bool,
                    texts: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Registry rows whose card contains every word of ``query`` (case-insensitive; ``texts`` from
    :func:`search_texts`, else name, owner and id), sorted by ``column``."""
    if query.strip():
        if texts is None:
            texts = {case_id: f"{name}\n{owner}\n{case_id}".casefold()
                     for case_id, name, owner in zip(frame.index, frame["name"], frame["owner"], strict=True)}
        frame = frame[search.matches([texts.get(case_id, "") for case_id in frame.index], query)]
    if column in frame.columns:
        frame = frame.sort_values(column, ascending=not descending, kind="stable", na_position="last")
    return frame


def limit_amount(constraint: str, value: float, lang: str) -> str:
    """An S20 limit or its use in its unit: € for investment, €/month for run cost, person-months for capacity
    (one decimal only where it is not whole, e.g. "27 PM", "4.5 PM")."""
    if constraint == "investment":
        return formatting.eur(value, lang)
    if constraint == "run_cost":
        return t("portfolio.per_month", amount=formatting.eur(value, lang))
    decimals = 0 if math.isfinite(value) and float(value).is_integer() else 1
    return t("portfolio.person_months", value=formatting.number(value, lang, decimals))


def issue_text(issue: PlanIssue, names: Mapping[str, str], lang: str) -> str:
    """One S20 rule a hand-picked plan breaks, in the user's language."""
    listed = ", ".join(names.get(use_case_id, use_case_id) for use_case_id in issue.use_case_ids)
    if issue.kind == "over_limit" and issue.constraint is not None:
        return t("portfolio.issue.over_limit", constraint=t(f"portfolio.constraint.{issue.constraint}"),
                 required=limit_amount(issue.constraint, issue.amounts["required"], lang),
                 limit=limit_amount(issue.constraint, issue.amounts["limit"], lang))
    if issue.kind == "needs_unfunded":
        dependent, need = (names.get(use_case_id, use_case_id) for use_case_id in issue.use_case_ids)
        return t("portfolio.issue.needs_unfunded", name=dependent, need=need)
    return t(f"portfolio.issue.{issue.kind}", names=listed)


def issue_lines(issues: Sequence[PlanIssue], names: Mapping[str, str], lang: str) -> str:
    return "\n".join(f"- {issue_text(issue, names, lang)}" for issue in issues)
