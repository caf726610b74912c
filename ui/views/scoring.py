"""Scoring: the cached S3 score of the selected use case and the weights editor's check and save.

The matrix reads :func:`ui.portfolio.portfolio_frame`; the ranking is :func:`ui.tables.ranking`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import streamlit as st

from core import scoring
from core.models import (
    FEASIBILITY_WEIGHT_FIELDS,
    VALUE_WEIGHT_FIELDS,
    WEIGHT_SUM_TOLERANCE,
    ScoringInputs,
    ScoringWeights,
)
from ui import formatting, state, store_access
from ui.i18n import t


@st.cache_data(max_entries=1024, show_spinner=False)
def _score(inputs_json: str, weights_json: str) -> scoring.ScoreResult:
    return scoring.score(
        ScoringInputs.model_validate_json(inputs_json), ScoringWeights.model_validate_json(weights_json)
    )


def score(inputs: ScoringInputs, weights: ScoringWeights) -> scoring.ScoreResult:
    return _score(inputs.model_dump_json(), weights.model_dump_json())


def weights_errors(values: Mapping[str, float]) -> list[str]:
    """S3: each group's weights must be non-negative and sum to 1; one translated line per broken group."""
    errors = []
    for group, fields in (("value", VALUE_WEIGHT_FIELDS), ("feasibility", FEASIBILITY_WEIGHT_FIELDS)):
        numbers = [float(values[name]) for name in fields]
        total = math.fsum(numbers)
        if any(number < 0 for number in numbers) or abs(total - 1.0) > WEIGHT_SUM_TOLERANCE:
            errors.append(t(f"weights.error_{group}", total=formatting.number(total, state.language(), 2)))
    return errors


def save_weights(weights: ScoringWeights) -> None:
    workspace_id = store_access.selected_workspace_id()
    store_access.store().save_settings(workspace_id, state.actor(), weights=weights)
