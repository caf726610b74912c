"""Workshop rounds (S21) as several pages use them: question labels and value texts, the revealed answers as a
table, and the room's spread as the Scoring page's rank stability and the Sensitivity page's Monte Carlo ranges.

A revealed round takes no more answers, so everything computed from its answers is cached on its id.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st
from babel.numbers import NumberFormatError, format_decimal, parse_decimal

from core import scoring, workshop
from core.models import Workspace
from core.store import LoadedWorkspace, RoundAnswer, RoundInfo
from ui import formatting, i18n, store_access
from ui.i18n import t, t_plain, translate
from ui.portfolio import portfolio_key

FRACTION_QUESTIONS = frozenset(workshop.SCORING_QUESTIONS) | {"roi.adoption"}
ROUND_CACHE_SIZE = 32


def question_unit(question: str) -> str:
    """The unit a question's slider shows its values in (``ui.number_field``): percent for the S3 fractions and
    adoption, minutes for minutes saved, none (a count) for the volume."""
    if question in FRACTION_QUESTIONS:
        return "percent"
    return "minutes" if question == "roi.minutes_saved_per_case" else ""


def question_label(question: str, language: str | None = None) -> str:
    """The field a question asks about, translated, e.g. "roi.adoption" → "Adoption"."""
    key = f"field.{question.split('.', 1)[1]}"
    return translate(key, language) if language else t(key)


def directed_label(field: str, language: str | None = None) -> str:
    """An S3 input's name with the direction of its scale, e.g. "Data availability (higher = better)",
    "Integration effort (higher = harder)"; ``field`` with or without its "scoring." prefix."""
    name = field.removeprefix("scoring.")
    key = "scoring.direction_harder" if name in scoring.HIGHER_IS_HARDER else "scoring.direction_better"
    code = language or i18n.language()
    return translate(key, code, name=translate(f"field.{name}", code))


def input_label(question: str) -> str:
    """The label of a question's answer slider: an S3 input with its direction (:func:`directed_label`), any
    other question by its field name."""
    return directed_label(question) if question in workshop.SCORING_QUESTIONS else question_label(question)


def value_text(question: str, value: float | None, language: str) -> str:
    """An answer in its unit: fractions as percent, minutes with one decimal, volumes as whole numbers."""
    if question in FRACTION_QUESTIONS:
        return formatting.percent(value, language)
    if question == "roi.minutes_saved_per_case":
        return formatting.number(value, language, 1)
    return formatting.number(value, language, 0)


def editable_text(question: str, value: float, language: str) -> str:
    """A value as the adopt field shows it for editing: percent without the sign for fractions (0.475 → "47,5"
    in German), other numbers with up to two decimals ("2,45", "50.000")."""
    shown = value * 100.0 if question in FRACTION_QUESTIONS else value
    return format_decimal(round(shown, 2), format="#,##0.##", locale=formatting.locale_for(language))


def parse_value(question: str, text: str, language: str) -> float:
    """A value typed in the locale: fractions in percent ("45" or "45 %" → 0.45), others as numbers
    ("50.000" in German → 50,000); ValueError with the expected form."""
    cleaned = text.replace("%", "").replace("\u00a0", " ").strip()
    try:
        number = float(parse_decimal(cleaned, locale=formatting.locale_for(language)))
    except (NumberFormatError, ValueError):
        example = formatting.number(45.5 if question in FRACTION_QUESTIONS else 2.5, language, 1)
        # Plain text, as a ValueError's message is everywhere: the callback's error message escapes it once.
        raise ValueError(t_plain("ws.adopt_unreadable", text=text, example=example)) from None
    return number / 100.0 if question in FRACTION_QUESTIONS else number


def answers_frame(answers: list[RoundAnswer]) -> pd.DataFrame:
    """The round's answers as :data:`core.workshop.ANSWER_COLUMNS` plus the participant's name."""
    frame = workshop.answers_frame([
        {"participant_id": a.participant_id, "use_case_id": a.use_case_id, "question": a.question,
         "value": a.answer.value, "low": a.answer.low, "high": a.answer.high} for a in answers
    ])
    frame["name"] = [a.participant_name for a in answers]
    return frame


@st.cache_data(max_entries=ROUND_CACHE_SIZE, show_spinner=False)
def _revealed_answers(round_id: str) -> pd.DataFrame:
    return answers_frame(store_access.store().round_answers(round_id))


def revealed_answers(round_id: str) -> pd.DataFrame:
    """The answers of a revealed round (cached: a revealed round never changes)."""
    return _revealed_answers(round_id)


@dataclass(frozen=True)
class RoundSource:
    """A revealed round that can feed an analysis, with the text a picker shows for it."""

    round_id: str
    label: str


def _round_label(info: RoundInfo, language: str) -> str:
    title = info.definition.title or translate("ws.untitled", language)
    return translate("ws.source_round", language, title=title, code=info.join_code,
                     date=formatting.timestamp(info.created_at, language))


def revealed_rounds(workspace_id: str, language: str, use_case_id: str | None = None,
                    three_point: bool = False) -> list[RoundSource]:
    """The workspace's revealed rounds, newest first; optionally only those asking about ``use_case_id`` and
    with S3 questions (default) or three-point questions (``three_point``)."""
    wanted = workshop.THREE_POINT_QUESTIONS if three_point else workshop.SCORING_QUESTIONS
    return [
        RoundSource(info.id, _round_label(info, language))
        for info in store_access.store().rounds(workspace_id)
        if info.status == "revealed" and set(info.definition.questions) & set(wanted)
        and (use_case_id is None or use_case_id in info.definition.use_case_ids)
    ]


@st.cache_data(max_entries=ROUND_CACHE_SIZE, show_spinner=False)
def _rank_stability(key: str, round_id: str, n: int, _workspace: Workspace) -> pd.DataFrame:
    return workshop.rank_stability_from_answers(
        _workspace.use_cases, _revealed_answers(round_id), _workspace.weights, n=n, seed=0,
        min_value=_workspace.thresholds.quick_win_min_value,
        min_feasibility=_workspace.thresholds.quick_win_min_feasibility,
    )


def rank_stability(loaded: LoadedWorkspace, round_id: str, n: int = 500) -> pd.DataFrame:
    """Per use case: quadrant at the stored inputs and the share of draws from the round's answers keeping it."""
    return _rank_stability(portfolio_key(loaded), round_id, int(n), loaded.workspace)


def three_point_ranges(round_id: str, use_case_id: str) -> dict[str, tuple[float, float, float]]:
    """S16 ranges (median low, likely, high) per S15 input from a revealed round's three-point answers."""
    return workshop.three_point_ranges(_revealed_answers(round_id), use_case_id)
