"""Scoring: the cached S3 score of the selected use case, the weights editor's check and save, the rank
stability's source (weight noise or a workshop round's answers) and opening a workshop round (S21).

The matrix reads :func:`ui.portfolio.portfolio_frame`; the ranking is :func:`ui.tables.ranking`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import streamlit as st

from core import scoring, workshop
from core.models import (
    FEASIBILITY_WEIGHT_FIELDS,
    VALUE_WEIGHT_FIELDS,
    WEIGHT_SUM_TOLERANCE,
    ScoringInputs,
    ScoringWeights,
)
from core.store import RoundInfo
from ui import formatting, rounds, state, store_access
from ui.i18n import t

WEIGHT_NOISE = "noise"


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


def stability_sources(workspace_id: str, language: str) -> dict[str, str]:
    """Where the rank stability's uncertainty can come from: weight noise, or a revealed round with S3 answers."""
    sources = {WEIGHT_NOISE: t("ws.source_noise_short")}
    sources.update((source.round_id, source.label) for source in rounds.revealed_rounds(workspace_id, language))
    return sources


def open_round(use_case_ids: list[str], questions: list[str], title: str) -> RoundInfo:
    """Open a workshop round on these use cases of the selected workspace (S21); ValueError when nothing is chosen."""
    if not use_case_ids or not questions:
        raise ValueError(t("ws.open_none"))
    workspace_id = store_access.selected_workspace_id()
    loaded = store_access.store().load(workspace_id)
    chosen = [loaded.workspace.use_case(use_case_id) for use_case_id in use_case_ids]
    definition = workshop.define_round(chosen, questions, title.strip())
    return store_access.store().open_round(workspace_id, definition, state.actor())
