"""Display tables for ``st.dataframe``: the Scoring page's ranking and the Use cases page's registry.

Each is built once per portfolio content, choice and language and cached as an Arrow table, so a rerun
skips the pandas work and Streamlit's pandas → Arrow conversion (together ≈5 ms a table with the sample).
Cached functions take the language as an argument and never read it from the session.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pyarrow as pa
import streamlit as st

from core import verdict
from core.store import LoadedWorkspace
from ui import formatting, rounds
from ui.i18n import labels, translate
from ui.portfolio import filter_and_sort, portfolio_frame, portfolio_key, rank_stability, search_texts


def _arrow(columns: dict[str, object]) -> pa.Table:
    return pa.Table.from_pandas(pd.DataFrame(columns), preserve_index=False)


def _payback_texts(months: pd.Series, lang: str) -> list[str]:
    """S19 payback months as "Month 6", or "not reached" where the use case does not pay back within its horizon."""
    return [translate("bc.not_reached", lang) if pd.isna(month)
            else translate("bc.month", lang, month=formatting.number(int(month), lang)) for month in months]


@st.cache_data(max_entries=64, show_spinner=False)
def _ranking(key: str, jitter: float, draws: int, lang: str, round_id: str | None,
             _loaded: LoadedWorkspace) -> pa.Table:
    portfolio = portfolio_frame(_loaded)
    if round_id is None:
        stability = rank_stability(_loaded, jitter=jitter, n=draws)
    else:
        stability = rounds.rank_stability(_loaded, round_id, n=draws)
    ranked = portfolio[portfolio["scored"]].sort_values(["rank", "name"])
    return _arrow({
        translate("col.rank", lang): ranked["rank"].astype(int).to_numpy(),
        translate("col.name", lang): ranked["name"].to_numpy(),
        translate("col.phase", lang): labels("phase", ranked["phase"], lang),
        translate("col.value", lang): [formatting.score(v, lang) for v in ranked["value"]],
        translate("col.feasibility", lang): [formatting.score(v, lang) for v in ranked["feasibility"]],
        translate("col.score", lang): [formatting.score(v, lang) for v in ranked["score"]],
        translate("col.quadrant", lang): labels("quadrant", ranked["quadrant"], lang),
        translate("col.stay_share", lang): (stability.loc[ranked.index, "stay_share"] * 100).to_numpy(),
        translate("col.net_value", lang): [formatting.eur(v, lang) for v in ranked["net_value"]],
    })


def ranking(loaded: LoadedWorkspace, jitter: float, draws: int, lang: str, round_id: str | None = None) -> pa.Table:
    """Use cases by S3 rank with value, feasibility, score, quadrant, net €/month and the share (0–100) of
    ``draws`` weight draws, each weight varied by ±``jitter``, that keep the use case in its quadrant; with
    ``round_id`` the draws come from that revealed workshop round's answers instead (S21)."""
    return _ranking(portfolio_key(loaded), float(jitter), int(draws), lang, round_id, loaded)


def next_gate_texts(days: pd.Series, today: date, lang: str) -> list[str]:
    """The next gate's date per use case ("15 Jan 2027"), flagged "· overdue" once it lies before ``today``."""
    return ["" if day is None else translate("registry.overdue", lang, day=formatting.date(day, lang))
            if day < today else formatting.date(day, lang) for day in days]


ATTENTION_COLORS: tuple[str, ...] = ("orange", "red", "red")
"""Badge colours of "behind plan", "review overdue" and "gate red" in the registry (S22)."""


def attention_options(lang: str) -> list[str]:
    """The registry's badge words in order of :data:`ATTENTION_COLORS`."""
    return [translate(key, lang) for key in ("pva.behind_plan", "pva.review_overdue", "pva.gate_red")]


def _attention(shown: pd.DataFrame, lang: str) -> list[list[str]]:
    """Per row the S22 badges: behind plan, review overdue, the next gate red."""
    words = attention_options(lang)
    flags = zip(shown["behind_plan"].to_numpy(), shown["review_overdue"].to_numpy(), shown["gate_red"].to_numpy(),
                strict=True)
    return [[word for word, flag in zip(words, row, strict=True) if flag] for row in flags]


@st.cache_data(max_entries=64, show_spinner=False)
def _registry(key: str, query: str, column: str, descending: bool, lang: str, today: date,
              _loaded: LoadedWorkspace) -> pa.Table:
    texts = search_texts(_loaded, lang) if query.strip() else None
    shown = filter_and_sort(portfolio_frame(_loaded), query, column, descending, texts)
    kpi_counts = {case.id: len(case.kpi_set) for case in _loaded.workspace.use_cases}
    return _arrow({
        translate("col.rank", lang): [formatting.MISSING if pd.isna(rank) else formatting.number(rank, lang)
                                      for rank in shown["rank"]],
        translate("col.name", lang): shown["name"].to_numpy(),
        translate("col.attention", lang): _attention(shown, lang),
        translate("col.owner", lang): shown["owner"].to_numpy(),
        translate("col.phase", lang): labels("phase", shown["phase"], lang),
        translate("col.risk_class", lang): labels("risk", shown["risk_class"], lang),
        translate("col.score", lang): [formatting.score(v, lang) for v in shown["score"]],
        translate("col.quadrant", lang): labels("quadrant", shown["quadrant"], lang),
        translate("col.net_value", lang): [formatting.eur(v, lang) for v in shown["net_value"]],
        translate("col.roi", lang): [formatting.roi(v, lang) for v in shown["roi"]],
        translate("col.investment", lang): [formatting.eur(v, lang) for v in shown["investment"]],
        translate("col.npv", lang): [formatting.eur(v, lang) for v in shown["npv"]],
        translate("col.payback_month", lang): _payback_texts(shown["payback_month"], lang),
        translate("col.next_gate", lang): labels("gate", shown["next_gate"], lang),
        translate("col.next_gate_on", lang): next_gate_texts(shown["next_gate_on"], today, lang),
        translate("col.kpis", lang): [kpi_counts.get(case_id, 0) for case_id in shown.index],
        translate("col.status", lang): [verdict.status_sentence(item, lang) for item in shown["status"]],
    })


def registry(loaded: LoadedWorkspace, query: str, column: str, descending: bool, lang: str) -> pa.Table:
    """The S18 registry: use cases whose card (every text field, KPI and RACI rows, phase, risk class) contains
    every word of ``query``, sorted by ``column`` (e.g. "npv";
    a payback not reached sorts last), with the S19 investment, NPV and payback beside the S15 figures."""
    return _registry(portfolio_key(loaded), query, column, bool(descending), lang, date.today(), loaded)


def overdue_count(loaded: LoadedWorkspace) -> int:
    """Use cases whose next gate's date (the latest recorded decision's) lies before today."""
    today = date.today()
    return sum(1 for day in portfolio_frame(loaded)["next_gate_on"] if day is not None and day < today)
