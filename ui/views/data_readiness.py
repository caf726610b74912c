"""Data readiness: the S6 checklist's rows and editor table, and the S7 profile of an uploaded table."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd
import streamlit as st

from core import profiling
from core.models import READINESS_ITEMS, UseCase
from core.readiness import CHECKLIST_BY_ID
from ui.views import VIEW_CACHE_SIZE

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_TABLE_PATH = ROOT / "sample_data" / "crm_cases.csv"
# The freshness figure depends on "now"; a cached profile may be at most this old.
PROFILE_CACHE_SECONDS = 300


def readiness_rows(use_case: UseCase) -> list[dict[str, str]]:
    """All 14 S6 items in checklist order with the stored status and evidence."""
    stored = {entry.item: entry for entry in use_case.readiness}
    return [
        {"item": item, "status": stored[item].status if item in stored else "open",
         "evidence": stored[item].evidence if item in stored else ""}
        for item in READINESS_ITEMS
    ]


def readiness_table(use_case: UseCase, language: str) -> pd.DataFrame:
    """The S6 checklist as the editor's table (item id, label, measurement, status, evidence); a fresh copy
    of a table cached on (checklist, language)."""
    return _readiness_table(tuple((entry.item, entry.status, entry.evidence) for entry in use_case.readiness),
                            language).copy()


@lru_cache(maxsize=VIEW_CACHE_SIZE)
def _readiness_table(stored: tuple[tuple[str, str, str], ...], language: str) -> pd.DataFrame:
    entries = {item: (status, evidence) for item, status, evidence in stored}
    suffix = "de" if language == "de" else "en"
    return pd.DataFrame({
        "item": list(READINESS_ITEMS),
        "label": [getattr(CHECKLIST_BY_ID[item], f"label_{suffix}") for item in READINESS_ITEMS],
        "measurement": [getattr(CHECKLIST_BY_ID[item], f"measurement_{suffix}") for item in READINESS_ITEMS],
        "status": [entries.get(item, ("open", ""))[0] for item in READINESS_ITEMS],
        "evidence": [entries.get(item, ("open", ""))[1] for item in READINESS_ITEMS],
    })


@dataclass(frozen=True)
class UploadProfile:
    """What reading and profiling an upload gave: its columns and S7 profile, or the sentence saying why not.

    ``read_error``: the file could not be read (the core's message names the file and the limit);
    ``timestamp_error``: the chosen timestamp column holds no timestamp. A failure is a value like a success,
    so the cache keeps it and a rerun does not read a hostile file again.
    """

    columns: tuple[str, ...] = ()
    profile: profiling.Profile | None = None
    timestamp_column: str | None = None
    read_error: str | None = None
    timestamp_error: str | None = None


@st.cache_data(max_entries=16, ttl=PROFILE_CACHE_SECONDS, show_spinner=False)
def profile_upload(data: bytes, filename: str, timestamp_column: str | None) -> UploadProfile:
    """Read the upload once and profile it (S7) with ``timestamp_column`` if the table has it; never raises for
    a file that cannot be read or a column without timestamps."""
    try:
        frame = profiling.read_table(data, filename)
    except profiling.TableReadError as error:
        return UploadProfile(read_error=str(error))
    columns = tuple(str(column) for column in frame.columns)
    used = timestamp_column if timestamp_column in frame.columns else None
    try:
        return UploadProfile(columns=columns, profile=profiling.profile(frame, used), timestamp_column=used)
    except ValueError as error:
        return UploadProfile(columns=columns, timestamp_column=used, timestamp_error=str(error))


def sample_table() -> tuple[bytes, str]:
    return SAMPLE_TABLE_PATH.read_bytes(), SAMPLE_TABLE_PATH.name
