"""Excel decision pack (S1–S17): :func:`build_pack` writes it with live formulas, :func:`read_pack` reads an edit back.

``pack`` orders the sheets; ``sheets/`` holds one module per sheet; ``names`` is the layout the reader
relies on (sheet names, defined names, the Meta cell map); ``texts``, ``formats``, ``formulas``,
``writer`` and ``figures`` are shared by the sheets; ``reader`` checks and diffs an uploaded pack.

The names below are imported on first use: building a pack then never loads openpyxl (9 MB, 0.3 s)
and reading one never loads the sheet modules.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from core.excel.names import FIXED_SHEETS, META_SHEET, decision_sheet_name, meta_content_hash
    from core.excel.pack import build_pack
    from core.excel.reader import FieldChange, PackDiff, PackRejected, PlanChange, read_pack, updated_use_case
    from core.excel.review import IgnoredEdit, IgnoredEdits, ignored_edits
    from core.excel.sheets.summary import SUMMARY_TABLE_ROW
    from core.excel.texts import DECISION_LABELS, GATE_LABELS, LANGUAGES, NOT_AVAILABLE

_HOMES: dict[str, str] = {
    "DECISION_LABELS": "core.excel.texts",
    "FIXED_SHEETS": "core.excel.names",
    "GATE_LABELS": "core.excel.texts",
    "LANGUAGES": "core.excel.texts",
    "META_SHEET": "core.excel.names",
    "NOT_AVAILABLE": "core.excel.texts",
    "SUMMARY_TABLE_ROW": "core.excel.sheets.summary",
    "FieldChange": "core.excel.reader",
    "IgnoredEdit": "core.excel.review",
    "IgnoredEdits": "core.excel.review",
    "ignored_edits": "core.excel.review",
    "PackDiff": "core.excel.reader",
    "PackRejected": "core.excel.reader",
    "PlanChange": "core.excel.reader",
    "build_pack": "core.excel.pack",
    "decision_sheet_name": "core.excel.names",
    "meta_content_hash": "core.excel.names",
    "read_pack": "core.excel.reader",
    "updated_use_case": "core.excel.reader",
}
# Literal, for linters and type checkers; the same names as _HOMES.
__all__ = [
    "DECISION_LABELS",
    "FIXED_SHEETS",
    "GATE_LABELS",
    "LANGUAGES",
    "META_SHEET",
    "NOT_AVAILABLE",
    "SUMMARY_TABLE_ROW",
    "FieldChange",
    "IgnoredEdit",
    "IgnoredEdits",
    "PackDiff",
    "PackRejected",
    "PlanChange",
    "build_pack",
    "decision_sheet_name",
    "ignored_edits",
    "meta_content_hash",
    "read_pack",
    "updated_use_case",
]


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'core.excel' has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOMES[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOMES})
