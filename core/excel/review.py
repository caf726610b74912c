"""What an edited pack changed outside its inputs, and why the workbench ignores it.

The reader (:mod:`core.excel.reader`) takes back only the input cells the Meta sheet lists. Everything else a
person may have typed (a formula overwritten with a number, the workspace or a use case renamed in its title
cell, a label or a computed figure changed, a note in an empty cell) would vanish without a word, so this module
rebuilds the pack from the store as it was exported (same Decision sheets, language and author) and compares
every other cell. Sheets whose source changed since the export are skipped, because there a difference need not
be an edit: a Decision and Cash flow sheet when its use case has a newer version, the workspace-wide sheets when
any use case changed. The Audit and Meta sheets are never compared (the audit trail grows; Meta is hash-checked).
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import openpyxl
from openpyxl.worksheet.formula import ArrayFormula

from core.excel.names import (
    AUDIT_SHEET,
    FIXED_SHEETS,
    META_SHEET,
    SUMMARY_SHEET,
    LoadedWorkspaceLike,
    decision_sheet_of,
    fixed_sheets,
    pack_language,
    sheet_name,
)
from core.excel.reader import PackDiff, read_pack_meta
from core.excel.texts import LANGUAGES, Texts

IgnoredReason = Literal[
    "workspace_renamed", "use_case_renamed", "formula_replaced", "figure_changed", "text_changed", "cell_filled",
    "cell_cleared",
]
"""Why an edit is ignored: names are changed in the app; formulas and figures are computed from the inputs;
labels and other cells are not read back."""
# The audit trail grows after every export; a pack's copy of it is a record, never read back.
NOT_COMPARED = frozenset({META_SHEET, AUDIT_SHEET, sheet_name(AUDIT_SHEET, "de")})
MAX_IGNORED = 200
SAME_NUMBER_TOLERANCE = 1e-9
TITLE = "AI use-case decision pack"
# LibreOffice saves a boolean cell as a formula.
_BOOLEAN_FORMULAS = {"=TRUE()": True, "=FALSE()": False}


@dataclass(frozen=True, slots=True)
class IgnoredEdit:
    """One cell outside the inputs that differs from the pack as exported: ``found`` in the file, ``expected`` as
    the workbench wrote it (both as short text; "" for an empty cell), and each as a number where the cell holds
    one, so that the app can write it in the user's notation."""

    sheet: str
    cell: str
    reason: IgnoredReason
    found: str
    expected: str
    found_number: float | None = None
    expected_number: float | None = None


@dataclass(frozen=True, slots=True)
class IgnoredEdits:
    """The ignored edits (at most :data:`MAX_IGNORED`), how many there were, and the sheets not compared because
    their source changed since the export."""

    edits: tuple[IgnoredEdit, ...] = ()
    total: int = 0
    skipped_sheets: tuple[str, ...] = ()


def _cells(book: Any, sheet: str) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for row in book[sheet].iter_rows():
        for cell in row:
            value = getattr(cell, "value", None)
            if isinstance(value, ArrayFormula):
                value = value.text or "="
            value = _BOOLEAN_FORMULAS.get(value, value) if isinstance(value, str) else value
            if value is not None and value != "":
                values[cell.coordinate] = value
    return values


def _short(value: Any) -> str:
    text = "" if value is None else (f"{value:g}" if isinstance(value, float) else str(value))
    return text if len(text) <= 80 else text[:79] + "…"


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def _is_formula(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("=")


def _same(expected: Any, found: Any) -> bool:
    if isinstance(expected, int | float) and isinstance(found, int | float) and not isinstance(found, bool):
        return math.isclose(float(expected), float(found), rel_tol=SAME_NUMBER_TOLERANCE, abs_tol=1e-12)
    return expected == found


def _reason(expected: Any, found: Any, names: Mapping[str, str]) -> IgnoredReason | None:
    if isinstance(expected, datetime) or isinstance(found, datetime) or _same(expected, found):
        return None
    if expected is None:
        return "cell_filled"
    if _is_formula(expected):
        # Another formula is no evidence of an edit: LibreOffice and Excel write formulas back in their own spelling.
        return None if _is_formula(found) else "formula_replaced"
    if found is None:
        return "cell_cleared"
    if isinstance(expected, str):
        return names.get(expected, "text_changed")  # type: ignore[return-value]
    return "figure_changed"


def _language(book: Any) -> str:
    language = pack_language(book.sheetnames)
    summary = sheet_name(SUMMARY_SHEET, language)
    title = book[summary]["A1"].value if summary in book.sheetnames else None
    return next((language for language in LANGUAGES if Texts(language)(TITLE) == title), language)


def ignored_edits(data: bytes, loaded: LoadedWorkspaceLike, diff: PackDiff) -> IgnoredEdits:
    """Every edit of an uploaded pack outside its input cells (``diff`` is :func:`core.excel.read_pack`'s result
    for the same file, which has already checked it), with the reason it is ignored.

    Example: a pack whose Summary title cell C2 was changed from "Beispiel GmbH – KI-Portfolio" to "Portfolio
    2027" → ``IgnoredEdit("Summary", "C2", "workspace_renamed", "Portfolio 2027", "Beispiel GmbH – KI-Portfolio")``.
    """
    from core.excel.pack import build_pack

    meta = read_pack_meta(data)
    decision_rows = sorted((row for row in meta.use_case_rows if row[2]), key=lambda row: int(row[3] or 0))
    current = {use_case.id for use_case in loaded.workspace.use_cases}
    exported = {row[0] for row in meta.use_case_rows}
    stale = set(diff.stale_use_cases) | (exported ^ current)
    upload = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    try:
        language = _language(upload)
        ids = [row[0] for row in decision_rows if row[0] in current]
        rebuilt_data = build_pack(loaded, ids, author=meta.values["author"], language=language,
                                  generated_at=_moment(meta.values["generated_at"]))
        rebuilt = openpyxl.load_workbook(io.BytesIO(rebuilt_data), read_only=True, data_only=False)
        try:
            return _compare(upload, rebuilt, meta, decision_rows, stale, loaded)
        finally:
            rebuilt.close()
    finally:
        upload.close()


def _moment(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _compare(upload: Any, rebuilt: Any, meta: Any, decision_rows: list[tuple[str, ...]], stale: set[str],
             loaded: LoadedWorkspaceLike) -> IgnoredEdits:
    inputs = {(item.sheet, item.cell) for item in meta.inputs}
    names: dict[str, str] = {case.name: "use_case_renamed" for case in loaded.workspace.use_cases}
    names[meta.values["workspace_name"]] = "workspace_renamed"
    sheets_of = {row[2]: row[0] for row in decision_rows}
    fixed_names = {*FIXED_SHEETS, *fixed_sheets("de")}
    compared, skipped = [], []
    for sheet in upload.sheetnames:
        if sheet in NOT_COMPARED or sheet not in rebuilt.sheetnames:
            continue
        owner = sheets_of.get(sheet) or sheets_of.get(decision_sheet_of(sheet, sheets_of))
        if (owner is not None and owner in stale) or (owner is None and sheet in fixed_names and stale):
            skipped.append(sheet)
            continue
        compared.append(sheet)
    edits: list[IgnoredEdit] = []
    total = 0
    for sheet in compared:
        found, expected = _cells(upload, sheet), _cells(rebuilt, sheet)
        for cell in sorted(set(found) | set(expected), key=_cell_order):
            if (sheet, cell) in inputs:
                continue
            reason = _reason(expected.get(cell), found.get(cell), names)
            if reason is None:
                continue
            total += 1
            if len(edits) < MAX_IGNORED:
                edits.append(IgnoredEdit(sheet, cell, reason, _short(found.get(cell)), _short(expected.get(cell)),
                                         _number(found.get(cell)), _number(expected.get(cell))))
    return IgnoredEdits(tuple(edits), total, tuple(skipped))


def _cell_order(coordinate: str) -> tuple[int, int]:
    letters = coordinate.rstrip("0123456789")
    column = 0
    for letter in letters:
        column = column * 26 + ord(letter) - 64
    return int(coordinate[len(letters):]), column
