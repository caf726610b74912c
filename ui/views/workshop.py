"""Workshop (S21), the facilitator's side: the round picker, the join page (QR code, short URL, code, live count),
close / reopen / reveal, and the reveal: strip plots, statistics, the matrix with spread, and adopting results.

The QR code is drawn here with ``segno`` (PNG, no network). The reveal is computed once per round, portfolio
content, language and names choice: a revealed round takes no more answers.
"""

from __future__ import annotations

import io
import zlib
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import segno
import streamlit as st

from core import workshop
from core.models import UseCase
from core.scoring import SCORING_FIELDS, score_arrays
from core.store import Adoption, ConflictError, LoadedWorkspace, RoundInfo, RoundProgress
from ui import access, charts_workshop, formatting, rounds, state, store_access
from ui.i18n import t, translate
from ui.portfolio import portfolio_key

LIVE_REFRESH_S = 1.0
QR_SCALE = 10
QR_BORDER = 2
PERCENT = 100.0
AXIS_NAME_LENGTH = 38


def workshop_rounds(workspace_id: str) -> list[RoundInfo]:
    return store_access.store().rounds(workspace_id)


def chosen_round(infos: list[RoundInfo]) -> RoundInfo | None:
    """The round in the URL or session when it belongs to this workspace, else the newest one."""
    wanted = state.selected_round_id()
    for info in infos:
        if info.id == wanted:
            state.set_selected_round_id(info.id)
            return info
    if infos:
        state.set_selected_round_id(infos[0].id)
        return infos[0]
    return None


def round_label(info: RoundInfo, language: str) -> str:
    title = info.definition.title or translate("ws.untitled", language)
    return translate("ws.round_option", language, title=title, code=info.join_code,
                     status=translate(f"ws.status.{info.status}", language),
                     date=formatting.timestamp(info.created_at, language))


def short_url() -> str:
    """What the projector shows for typing: the participant page's address, e.g. http://192.168.1.20:8501/Answer."""
    return f"{access.share_base_url()}/{access.PARTICIPANT_PATH}"


def join_link(info: RoundInfo, language: str) -> str:
    """The link in the QR code: the participant page with the round token (and the facilitator's language)."""
    return f"{short_url()}?{state.QUERY_ROUND_TOKEN}={info.token}&{state.QUERY_LANGUAGE}={language}"


@lru_cache(maxsize=16)
def qr_png(link: str) -> bytes:
    """The link as a QR code PNG (error correction M), drawn locally."""
    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="png", scale=QR_SCALE, border=QR_BORDER)
    return buffer.getvalue()


def progress(round_id: str) -> RoundProgress:
    return store_access.store().round_progress(round_id)


def close_round(round_id: str) -> None:
    store_access.store().close_round(round_id, state.actor())


def reopen_round(round_id: str) -> None:
    store_access.store().reopen_round(round_id, state.actor())


def reveal_round(round_id: str) -> None:
    store_access.store().reveal_round(round_id, state.actor())


def adoptions(round_id: str) -> dict[tuple[str, str], Adoption]:
    """The latest adoption per (use case, question)."""
    return {(item.use_case_id, item.question): item for item in store_access.store().adoptions(round_id)}


def adopt(info: RoundInfo, use_case_id: str, question: str, text: str, language: str) -> bool:
    """Adopt the typed value (in the locale) for one question; False after a version conflict (reported)."""
    value = rounds.parse_value(question, text, language)
    expected = state.seen_version(use_case_id)
    if expected is None:
        expected = store_access.store().get_use_case(info.workspace_id, use_case_id)[1]
    try:
        version = store_access.store().adopt_round_results(info.id, use_case_id, {question: value}, expected,
                                                           state.actor())
    except ConflictError as error:
        state.flash("warning", store_access.conflict_message(error))
        return False
    state.remember_version(use_case_id, version)
    return True


@dataclass(frozen=True)
class RevealItem:
    """One question of one use case, as the reveal lists it (disputed first)."""

    use_case_id: str
    question: str
    label: str
    disputed: bool
    fraction: bool
    median: float
    summary: str
    editable_median: str


@dataclass(frozen=True)
class RevealView:
    participants: int
    answers: int
    disputed: int
    items: tuple[RevealItem, ...]
    table: pa.Table
    scoring_spec: dict[str, Any] | None
    three_point_specs: tuple[tuple[str, dict[str, Any]], ...]
    matrix_spec: dict[str, Any] | None


def reveal_view(info: RoundInfo, loaded: LoadedWorkspace, language: str, show_names: bool) -> RevealView:
    """Everything the reveal draws, cached on the round, the portfolio's content, language and the names choice."""
    return _reveal_view(info.id, portfolio_key(loaded), language, bool(show_names), info, loaded)


def _jitter(participant_ids: np.ndarray) -> np.ndarray:
    """A fixed vertical offset in [−1, 1] per participant, so a dot does not jump between redraws."""
    return np.array([zlib.crc32(str(pid).encode()) % 1000 / 499.5 - 1.0 for pid in participant_ids])


def _names(loaded: LoadedWorkspace) -> dict[str, str]:
    return {case.id: case.name for case in loaded.workspace.use_cases}


@st.cache_data(max_entries=rounds.ROUND_CACHE_SIZE, show_spinner=False)
def _reveal_view(round_id: str, key: str, language: str, show_names: bool, _info: RoundInfo,
                 _loaded: LoadedWorkspace) -> RevealView:
    loaded = _loaded
    answers = rounds.revealed_answers(round_id)
    stats = workshop.round_statistics(answers)
    names = _names(loaded)
    items = tuple(_item(use_case_id, question, row, names, language) for (use_case_id, question), row
                  in stats.iterrows())
    labels = {(item.use_case_id, item.question): item.label for item in items}
    return RevealView(
        participants=int(answers["participant_id"].nunique()), answers=len(answers),
        disputed=int(stats["disputed"].sum()), items=items, table=_table(stats, labels, language),
        scoring_spec=_scoring_strip(stats, answers, labels, names, language, show_names),
        three_point_specs=tuple(_three_point_strips(stats, answers, labels, names, language, show_names)),
        matrix_spec=_matrix(loaded, answers, language),
    )


def _item(use_case_id: str, question: str, row: pd.Series, names: dict[str, str], language: str) -> RevealItem:
    label = f"{names.get(use_case_id, use_case_id)} · {rounds.question_label(question, language)}"
    summary = translate("ws.item_summary", language, n=int(row["n"]),
                        median=rounds.value_text(question, row["median"], language),
                        iqr=rounds.value_text(question, row["iqr"], language),
                        minimum=rounds.value_text(question, row["minimum"], language),
                        maximum=rounds.value_text(question, row["maximum"], language))
    return RevealItem(use_case_id=use_case_id, question=question, label=label, disputed=bool(row["disputed"]),
                      fraction=question in rounds.FRACTION_QUESTIONS, median=float(row["median"]), summary=summary,
                      editable_median=rounds.editable_text(question, float(row["median"]), language))


def _table(stats: pd.DataFrame, labels: dict[tuple[str, str], str], language: str) -> pa.Table:
    text = partial(translate, language_code=language)
    keys = list(stats.index)
    questions = [question for _, question in keys]
    column = {name: _value_texts(questions, stats[name], language)
              for name in ("median", "iqr", "minimum", "maximum", "low_median", "high_median")}
    return pa.table({
        text("ws.col_question"): [labels[key] for key in keys],
        text("ws.col_n"): stats["n"].to_numpy(dtype="int64"),
        text("ws.col_median"): column["median"],
        text("ws.col_iqr"): column["iqr"],
        text("ws.col_min"): column["minimum"],
        text("ws.col_max"): column["maximum"],
        text("ws.col_low"): column["low_median"],
        text("ws.col_high"): column["high_median"],
        text("ws.col_disputed"): [text("ws.disputed") if flag else "" for flag in stats["disputed"]],
    })


def _value_texts(questions: list[str], values: pd.Series, language: str) -> list[str]:
    return [rounds.value_text(question, value, language)
            for question, value in zip(questions, values.to_numpy(dtype=float), strict=True)]


def _tooltip_titles(language: str) -> dict[str, str]:
    return {name: translate(f"ws.tip_{name}", language) for name in ("n", "median", "iqr", "range", "answer", "name")}


def _axis_label(use_case_name: str, question: str, disputed: bool, language: str) -> str:
    """Two lines for a strip plot's row: the question (marked when disputed), then the use case, shortened."""
    name = use_case_name if len(use_case_name) <= AXIS_NAME_LENGTH else use_case_name[:AXIS_NAME_LENGTH - 1] + "…"
    marker = f" ({translate('ws.disputed', language)})" if disputed else ""
    return f"{rounds.question_label(question, language)}{marker}{charts_workshop.LINE_BREAK}{name}"


def _strip_rows(stats: pd.DataFrame, answers: pd.DataFrame, labels: dict[tuple[str, str], str], language: str,
                scale: float, names: dict[str, str]) -> tuple[dict[str, list[Any]], dict[str, Any]]:
    axis_labels = {key: _axis_label(names.get(key[0], key[0]), key[1], bool(disputed), language)
                   for key, disputed in zip(stats.index, stats["disputed"], strict=True)}
    questions = [question for _, question in stats.index]
    keys = list(stats.index)
    stat_rows: dict[str, list[Any]] = {
        "item": [axis_labels[key] for key in keys],
        "item_text": [labels[key] for key in keys],
        **{name: list(stats[name].to_numpy(dtype=float) * scale) for name in ("minimum", "q1", "median", "q3",
                                                                             "maximum")},
        "disputed": [bool(flag) for flag in stats["disputed"]],
        "n_text": [formatting.number(n, language) for n in stats["n"]],
        "median_text": _value_texts(questions, stats["median"], language),
        "iqr_text": _value_texts(questions, stats["iqr"], language),
        "range_text": [f"{low} – {high}" for low, high in zip(_value_texts(questions, stats["minimum"], language),
                                                               _value_texts(questions, stats["maximum"], language),
                                                               strict=True)],
    }
    position = {key: index for index, key in enumerate(keys)}
    row_of = [position.get(key, -1) for key in zip(answers["use_case_id"], answers["question"], strict=True)]
    chosen = answers.assign(order=row_of)
    chosen = chosen[chosen["order"].to_numpy() >= 0].sort_values("order", kind="stable")
    answer_rows: dict[str, Any] = {
        "item": [axis_labels[(u, q)] for u, q in zip(chosen["use_case_id"], chosen["question"], strict=True)],
        "value": chosen["value"].to_numpy(dtype=float) * scale,
        "low": chosen["low"].to_numpy(dtype=float) * scale,
        "high": chosen["high"].to_numpy(dtype=float) * scale,
        "jitter": _jitter(chosen["participant_id"].to_numpy()),
        "value_text": [_answer_text(q, v, lo, hi, language) for q, v, lo, hi
                       in zip(chosen["question"], chosen["value"], chosen["low"], chosen["high"], strict=True)],
        "name": list(chosen["name"]),
    }
    return stat_rows, answer_rows


def _answer_text(question: str, value: float, low: float, high: float, language: str) -> str:
    if not workshop.is_three_point(question):
        return rounds.value_text(question, value, language)
    return translate("ws.three_point_text", language, low=rounds.value_text(question, low, language),
                     likely=rounds.value_text(question, value, language),
                     high=rounds.value_text(question, high, language))


def _scoring_strip(stats: pd.DataFrame, answers: pd.DataFrame, labels: dict[tuple[str, str], str],
                   names: dict[str, str], language: str, show_names: bool) -> dict[str, Any] | None:
    chosen = stats[~stats.index.get_level_values("question").isin(workshop.THREE_POINT_QUESTIONS)]
    if chosen.empty:
        return None
    stat_rows, answer_rows = _strip_rows(chosen, answers, labels, language, PERCENT, names)
    return charts_workshop.strip_plot(stat_rows, answer_rows, language=language, percent=True, domain=(0.0, 100.0),
                                      x_title=translate("ws.axis_answer_percent", language),
                                      tooltip_titles=_tooltip_titles(language), show_names=show_names)


def _three_point_strips(stats: pd.DataFrame, answers: pd.DataFrame, labels: dict[tuple[str, str], str],
                        names: dict[str, str], language: str, show_names: bool) -> list[tuple[str, dict[str, Any]]]:
    specs = []
    for index, key in enumerate(stats.index):
        if not workshop.is_three_point(key[1]):
            continue
        fraction = key[1] == "roi.adoption"
        stat_rows, answer_rows = _strip_rows(stats.iloc[[index]], answers, labels, language,
                                             PERCENT if fraction else 1.0, names)
        spec = charts_workshop.strip_plot(
            stat_rows, answer_rows, language=language, percent=fraction, domain=(0.0, 100.0) if fraction else None,
            x_title=rounds.question_label(key[1], language), tooltip_titles=_tooltip_titles(language),
            show_names=show_names, ranges=True, item_axis=False)
        specs.append((labels[key], spec))
    return specs


def _matrix(loaded: LoadedWorkspace, answers: pd.DataFrame, language: str) -> dict[str, Any] | None:
    workspace = loaded.workspace
    round_cases = [case for case in workspace.use_cases if case.id in set(answers["use_case_id"])]
    positions = workshop.positions_with_spread(round_cases, answers, workspace.weights)
    if positions.empty:
        return None
    cases: dict[str, UseCase] = {case.id: case for case in round_cases}
    chosen = [cases[case_id] for case_id in positions.index]
    stored = np.array([[getattr(case.scoring, name) for name in SCORING_FIELDS] for case in chosen])
    stored_value, stored_feasibility, _ = score_arrays(stored, workspace.weights)
    columns: dict[str, Any] = {name: positions[name].to_numpy(dtype=float) for name in workshop.SPREAD_COLUMNS[1:]}
    score_text = partial(formatting.score, language=language)
    columns.update({
        "name": [case.name for case in chosen],
        "stored_value": stored_value, "stored_feasibility": stored_feasibility,
        "n_text": [formatting.number(n, language) for n in positions["n"]],
        "value_text": [translate("ws.median_iqr", language, median=score_text(m), q1=score_text(a), q3=score_text(b))
                       for m, a, b in positions[["value_median", "value_q1", "value_q3"]].to_numpy()],
        "feasibility_text": [translate("ws.median_iqr", language, median=score_text(m), q1=score_text(a),
                                       q3=score_text(b))
                             for m, a, b in positions[["feasibility_median", "feasibility_q1",
                                                       "feasibility_q3"]].to_numpy()],
        "stored_text": [f"{score_text(v)} / {score_text(f)}" for v, f in zip(stored_value, stored_feasibility,
                                                                               strict=True)],
    })
    thresholds = workspace.thresholds
    return charts_workshop.matrix_with_spread(
        columns, language=language, min_value=thresholds.quick_win_min_value,
        min_feasibility=thresholds.quick_win_min_feasibility,
        titles={"x": translate("chart.feasibility_axis", language), "y": translate("chart.value_axis", language),
                "n": translate("ws.tip_n", language), "today": translate("ws.tip_today", language)},
    )


def adopted_note(item: RevealItem, adoption: Adoption, language: str) -> str:
    """"Adopted: 45 % by Ada, 03.12.26, 09:12" under an adopted question."""
    return t("ws.adopted_note", value=rounds.value_text(item.question, adoption.value, language), who=adoption.actor,
             when=formatting.timestamp(adoption.at, language))


def live_names(progress_: RoundProgress) -> str:
    """Who has answered so far, for the projector when names are on (Markdown-escaped)."""
    return t("ws.names_answering", names=", ".join(progress_.names_answering)) if progress_.names_answering else ""
