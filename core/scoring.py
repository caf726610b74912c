"""S3 use-case score: value × feasibility, single and vectorised over a portfolio."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from core.models import (
    FEASIBILITY_WEIGHT_FIELDS,
    VALUE_WEIGHT_FIELDS,
    ScoringInputs,
    ScoringWeights,
    UseCase,
)

if TYPE_CHECKING:
    import pandas as pd

SCORING_FIELDS: tuple[str, ...] = VALUE_WEIGHT_FIELDS + FEASIBILITY_WEIGHT_FIELDS
HIGHER_IS_HARDER: frozenset[str] = frozenset(FEASIBILITY_WEIGHT_FIELDS[1:])
"""The S3 inputs that enter feasibility as ``1 - x`` (integration, compliance, change): a higher value is worse.
For the other four (the value inputs and data availability) a higher value is better."""
BOUNDARY_TOLERANCE = 1e-12
QUADRANTS = ("quick_win", "strategic_bet", "fill_in", "deprioritise")
UNSCORED = "unscored"
"""The quadrant of a use case nobody has scored yet (``UseCase.scored`` False): it is in no S3 quadrant."""


@dataclass(frozen=True, slots=True)
class ScoreResult:
    """Value, feasibility and score, each in [0, 1]."""

    value: float
    feasibility: float
    score: float


def _weight_vectors(weights: ScoringWeights) -> tuple[np.ndarray, np.ndarray]:
    value_weights = np.array([getattr(weights, name) for name in VALUE_WEIGHT_FIELDS])
    feasibility_weights = np.array([getattr(weights, name) for name in FEASIBILITY_WEIGHT_FIELDS])
    return value_weights, feasibility_weights


def score_arrays(
    matrix: np.ndarray, weights: ScoringWeights | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Kernel over an (n, 7) array whose columns follow ``SCORING_FIELDS`` (S3).

    Effort and risk columns enter feasibility as ``1 - x``. Returns (value, feasibility, score).
    Example: ``score_arrays(np.array([[1, 1, 1, 1, 0, 0, 0]]))`` gives ([1.], [1.], [1.]).
    """
    value_weights, feasibility_weights = _weight_vectors(weights or ScoringWeights())
    matrix = np.asarray(matrix, dtype=float)
    value = matrix[:, :3] @ value_weights
    feasibility_terms = matrix[:, 3:].copy()
    feasibility_terms[:, 1:] = 1.0 - feasibility_terms[:, 1:]
    feasibility = feasibility_terms @ feasibility_weights
    return value, feasibility, value * feasibility


def score(inputs: ScoringInputs, weights: ScoringWeights | None = None) -> ScoreResult:
    """S3 score of one use case.

    value = 0.5·cycle_time_reduction + 0.3·cost_reduction + 0.2·error_reduction;
    feas = 0.4·data_availability + 0.3·(1−integration_effort) + 0.2·(1−compliance_risk)
    + 0.1·(1−change_effort); score = value·feas (default weights). All unitless in [0, 1].
    Example: cycle 0.3, cost 0.2, error 0.25, data 0.8, integration 0.3, compliance 0.2,
    change 0.3 → value 0.26, feasibility 0.76, score 0.1976.
    """
    row = np.array([[getattr(inputs, name) for name in SCORING_FIELDS]])
    value, feasibility, product = score_arrays(row, weights)
    return ScoreResult(value=float(value[0]), feasibility=float(feasibility[0]), score=float(product[0]))


def quadrant_labels(
    value: np.ndarray, feasibility: np.ndarray, min_value: float = 0.5, min_feasibility: float = 0.5
) -> np.ndarray:
    """Quadrant per use case; "high" means at or above the threshold (S3 quick wins).

    The comparison forgives 1e-12 so that 0.5 computed as 0.49999999999999994 still counts as 0.5.
    """
    high_value = np.asarray(value) >= min_value - BOUNDARY_TOLERANCE
    high_feasibility = np.asarray(feasibility) >= min_feasibility - BOUNDARY_TOLERANCE
    return np.select(
        [high_value & high_feasibility, high_value, high_feasibility],
        ["quick_win", "strategic_bet", "fill_in"],
        default="deprioritise",
    )


def scored_ranks(scores: np.ndarray, scored: np.ndarray) -> np.ndarray:
    """S3 ranks among the scored use cases only (1 = highest score, ties share the better rank, as pandas'
    ``rank(method="min", ascending=False)``); NaN where ``scored`` is False, which sorts last.

    Example: ``scored_ranks(np.array([0.2, 0.25, 0.3]), np.array([True, False, True]))`` → ``[2., nan, 1.]``:
    the unscored 0.25 (every input at 0.5) neither takes rank 1 nor pushes another use case down.
    """
    scores, scored = np.asarray(scores, dtype=float), np.asarray(scored, dtype=bool)
    ranks = np.full(scores.shape, np.nan)
    descending = np.sort(-scores[scored])
    ranks[scored] = np.searchsorted(descending, -scores[scored], side="left") + 1.0
    return ranks


def scored_quadrants(value: np.ndarray, feasibility: np.ndarray, scored: np.ndarray, min_value: float = 0.5,
                     min_feasibility: float = 0.5) -> np.ndarray:
    """:func:`quadrant_labels`, with :data:`UNSCORED` where ``scored`` is False (S3: an unscored use case is no
    quick win, however neutral its inputs)."""
    return np.where(np.asarray(scored, dtype=bool),
                    quadrant_labels(value, feasibility, min_value, min_feasibility), UNSCORED)


def score_portfolio(
    use_cases: Sequence[UseCase] | pd.DataFrame,
    weights: ScoringWeights | None = None,
    min_value: float = 0.5,
    min_feasibility: float = 0.5,
) -> pd.DataFrame:
    """Vectorised S3 over many use cases.

    Accepts use cases, or a DataFrame with the seven ``SCORING_FIELDS`` columns (index kept).
    Returns a DataFrame indexed by use-case id with value, feasibility, score, rank
    (1 = best, ties share the better rank) and quadrant.
    """
    import pandas as pd

    if isinstance(use_cases, pd.DataFrame):
        missing = [name for name in SCORING_FIELDS if name not in use_cases.columns]
        if missing:
            raise ValueError(f"score_portfolio: missing columns {missing}")
        matrix = use_cases[list(SCORING_FIELDS)].to_numpy(dtype=float)
        if not np.isfinite(matrix).all() or (matrix < 0).any() or (matrix > 1).any():
            raise ValueError("score_portfolio: scoring inputs must be finite fractions in [0, 1]")
        index = use_cases.index
    else:
        matrix = np.array(
            [[getattr(case.scoring, name) for name in SCORING_FIELDS] for case in use_cases], dtype=float
        ).reshape(-1, len(SCORING_FIELDS))
        index = pd.Index([case.id for case in use_cases], name="id")
    value, feasibility, product = score_arrays(matrix, weights)
    frame = pd.DataFrame({"value": value, "feasibility": feasibility, "score": product}, index=index)
    frame["rank"] = frame["score"].rank(method="min", ascending=False).astype("int64")
    frame["quadrant"] = quadrant_labels(value, feasibility, min_value, min_feasibility)
    return frame
