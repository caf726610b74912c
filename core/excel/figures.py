"""The core's figures behind a pack (S3 score and quadrant, S15 ROI, S19 NPV and payback, gates, S13 next gate),
computed once.

Every sheet reads these instead of calling the core again, so the numbers stored with each formula
are the app's numbers and a 500-use-case pack scores the portfolio once.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from core.business_case import portfolio_business_case
from core.gates import GateResult, evaluate_all, next_gate
from core.models import UseCase, Workspace
from core.roi import RoiResult, compute_roi
from core.scoring import UNSCORED, score_portfolio, scored_ranks
from core.verdict import GateStanding, UseCaseStatus, gate_sequence, status_from, worst_case_survives


@dataclass(frozen=True, slots=True)
class Figures:
    """Every core figure of one use case, computed once per pack."""

    use_case: UseCase
    value: float
    feasibility: float
    score: float
    rank: int | None
    """S3 rank among the scored use cases; None for one nobody has scored yet (``quadrant`` is then "unscored")."""
    quadrant: str
    roi: RoiResult
    gates: dict[str, GateResult]
    next_gate: str
    investment_eur: float = 0.0
    npv_eur: float = 0.0
    payback_month: int | None = None
    standings: dict[str, GateStanding] | None = None
    """Each gate's decision in the S13 sequence (blocked after one that has not passed, S17 with S16)."""
    status: UseCaseStatus | None = None
    """The use case's one status (``core.verdict``), written as a sentence on its Decision sheet."""


def compute_figures(workspace: Workspace) -> dict[str, Figures]:
    """Figures per use case id, in the workspace's order (S3, S15, S19 in one vectorised call, S5–S17)."""
    thresholds = workspace.thresholds
    frame = score_portfolio(
        workspace.use_cases, workspace.weights, thresholds.quick_win_min_value, thresholds.quick_win_min_feasibility
    )
    plans = portfolio_business_case(workspace.use_cases, workspace.default_discount_rate_per_year)
    scored = np.array([use_case.scored for use_case in workspace.use_cases], dtype=bool)
    ranks = scored_ranks(frame["score"].to_numpy(), scored)
    figures = {}
    for position, use_case in enumerate(workspace.use_cases):
        row = frame.loc[use_case.id]
        payback = float(plans.payback_month[position])
        results = evaluate_all(use_case, thresholds)
        survives = worst_case_survives(use_case)
        figures[use_case.id] = Figures(
            use_case=use_case,
            value=float(row["value"]),
            feasibility=float(row["feasibility"]),
            score=float(row["score"]),
            rank=int(ranks[position]) if scored[position] else None,
            quadrant=str(row["quadrant"]) if scored[position] else UNSCORED,
            roi=compute_roi(use_case.roi),
            gates=results,
            next_gate=next_gate(use_case),
            investment_eur=float(plans.investment_eur[position]),
            npv_eur=float(plans.npv_eur[position]),
            payback_month=None if math.isnan(payback) else int(payback),
            standings=gate_sequence(results, survives),
            status=status_from(results, survives),
        )
    return figures


def ranked_ids(figures: Mapping[str, Figures]) -> list[str]:
    """Use case ids by S3 score, best first, the ones nobody has scored yet last; equal scores keep the workspace's
    order."""
    order = {use_case_id: position for position, use_case_id in enumerate(figures)}
    return sorted(figures, key=lambda use_case_id: (figures[use_case_id].rank is None, -figures[use_case_id].score,
                                                    order[use_case_id]))


def selected_ids(ranked: Sequence[str], use_case_ids: Sequence[str] | None, top_n: int) -> list[str]:
    """Use cases that get a Decision sheet: ``use_case_ids`` as given (duplicates dropped), else the ``top_n`` best."""
    if use_case_ids is None:
        if top_n < 0:
            raise ValueError(f"top_n: must be >= 0, got {top_n}")
        return list(ranked[:top_n])
    known = set(ranked)
    unknown = [use_case_id for use_case_id in use_case_ids if use_case_id not in known]
    if unknown:
        raise ValueError(f"use_case_ids: unknown use case(s) {unknown}")
    return list(dict.fromkeys(use_case_ids))
