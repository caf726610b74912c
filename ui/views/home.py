"""Home: workspace actions and the portfolio headline and top five, read from the numpy portfolio columns.

Nothing here imports pandas or pyarrow: the home page is what a cold start draws.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from core.models import Workspace
from core.plan_vs_actual import PortfolioReview
from core.store import LoadedWorkspace
from core.verdict import UseCaseStatus
from ui import portfolio, state, store_access


def create_workspace(name: str) -> str:
    workspace_id = store_access.store().create_workspace(Workspace(name=name), state.actor())
    state.set_workspace_id(workspace_id)
    return workspace_id


def rename_workspace(workspace_id: str, name: str) -> None:
    Workspace(name=name)
    store_access.store().rename_workspace(workspace_id, name, state.actor())


def duplicate_workspace(workspace_id: str, name: str) -> str:
    Workspace(name=name)
    new_id = store_access.store().duplicate_workspace(workspace_id, name, state.actor())
    state.set_workspace_id(new_id)
    return new_id


@dataclass(frozen=True)
class Headline:
    use_cases: int
    net_value: float
    quick_wins: int
    gates_passed: int
    gates_evaluated: int
    npv: float = 0.0
    investment: float = 0.0
    paying_back: int = 0


def headline(loaded: LoadedWorkspace) -> Headline:
    """Home-page figures: use cases, S15 net value per month summed, S19 total NPV and investment and the use cases
    that pay back within their horizon, S3 quick wins, gates passed of evaluated."""
    arrays = portfolio.portfolio_arrays(loaded)
    columns = arrays.columns
    if not len(arrays):
        return Headline(use_cases=0, net_value=0.0, quick_wins=0, gates_passed=0, gates_evaluated=0)
    return Headline(
        use_cases=len(arrays),
        net_value=float(np.sum(columns["net_value"])),
        npv=float(np.sum(columns["npv"])),
        investment=float(np.sum(columns["investment"])),
        paying_back=int(np.count_nonzero(~np.isnan(columns["payback_month"]))),
        quick_wins=int(np.count_nonzero(columns["quadrant"] == "quick_win")),
        gates_passed=int(np.sum(columns["gates_passed"])),
        gates_evaluated=int(np.sum(columns["gates_evaluated"])),
    )


@dataclass(frozen=True)
class RankedUseCase:
    rank: int
    name: str
    quadrant: str
    score: float
    net_value: float
    status: UseCaseStatus


def top_use_cases(loaded: LoadedWorkspace, count: int = 5) -> list[RankedUseCase]:
    """The ``count`` best-ranked scored use cases (S3); equal ranks keep workspace order, unscored ones have no rank."""
    arrays = portfolio.portfolio_arrays(loaded)
    columns = arrays.columns
    if not len(arrays):
        return []
    ranked = np.flatnonzero(columns["scored"])
    order = ranked[np.argsort(columns["rank"][ranked], kind="stable")][:count]
    return [
        RankedUseCase(
            rank=int(columns["rank"][position]),
            name=columns["name"][position],
            quadrant=str(columns["quadrant"][position]),
            score=float(columns["score"][position]),
            net_value=float(columns["net_value"][position]),
            status=columns["status"][position],
        )
        for position in order.tolist()
    ]


@dataclass(frozen=True)
class Attention:
    """One entry of Home's S22 "needs attention" list: ``kind`` "overdue" (with the review ``day``), "behind"
    (with the value ``share`` of plan) or "red" (the red ``gate`` and its ``decision``)."""

    kind: str
    use_case_id: str
    name: str
    day: date | None = None
    share: float | None = None
    gate: str = ""
    decision: str = ""


def attention(loaded: LoadedWorkspace) -> list[Attention]:
    """Overdue reviews (oldest first), use cases behind plan, gates that are red: the next gate, or S17's kill
    trigger (S22, S17)."""
    arrays = portfolio.portfolio_arrays(loaded)
    columns = arrays.columns
    if not len(arrays):
        return []
    items: list[Attention] = []
    overdue = np.flatnonzero(columns["review_overdue"])
    for position in overdue[np.argsort(columns["next_review"][overdue], kind="stable")].tolist():
        items.append(Attention("overdue", arrays.ids[position], columns["name"][position],
                               day=columns["next_review"][position].astype(date)))
    for position in np.flatnonzero(columns["behind_plan"]).tolist():
        items.append(Attention("behind", arrays.ids[position], columns["name"][position],
                               share=float(columns["value_share"][position])))
    for position in np.flatnonzero(columns["gate_red"]).tolist():
        items.append(Attention("red", arrays.ids[position], columns["name"][position],
                               gate=columns["red_gate"][position], decision=columns["red_decision"][position]))
    return items


def portfolio_review(loaded: LoadedWorkspace) -> PortfolioReview | None:
    """The monthly portfolio review (S18/S22), None for an empty workspace."""
    return portfolio.portfolio_arrays(loaded).review
