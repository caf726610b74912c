"""Excel decision pack (S1–S17): :func:`build_pack` writes it with live formulas, :func:`read_pack` reads an edit back.

``pack`` orders the sheets; ``sheets/`` holds one module per sheet; ``names`` is the layout the reader
relies on (sheet names, defined names, the Meta cell map); ``texts``, ``formats``, ``formulas``,
``writer`` and ``figures`` are shared by the sheets; ``reader`` checks and diffs an uploaded pack.
"""

from core.excel.names import FIXED_SHEETS, META_SHEET, decision_sheet_name, meta_content_hash
from core.excel.pack import build_pack
from core.excel.reader import FieldChange, PackDiff, PackRejected, read_pack, updated_use_case
from core.excel.sheets.summary import SUMMARY_TABLE_ROW
from core.excel.texts import DECISION_LABELS, GATE_LABELS, LANGUAGES, NOT_AVAILABLE

__all__ = [
    "DECISION_LABELS",
    "FIXED_SHEETS",
    "GATE_LABELS",
    "LANGUAGES",
    "META_SHEET",
    "NOT_AVAILABLE",
    "SUMMARY_TABLE_ROW",
    "FieldChange",
    "PackDiff",
    "PackRejected",
    "build_pack",
    "decision_sheet_name",
    "meta_content_hash",
    "read_pack",
    "updated_use_case",
]
