"""Assumptions: every input of every use case with its unit, source and last editor (from the audit trail).

An input that sits on a Decision sheet is shown live from there, so this list follows an edit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from core.excel.formulas import quoted_sheet
from core.excel.names import ASSUMPTIONS_SHEET, InputCell
from core.excel.sheets.base import PackContext, SheetSpec
from core.excel.texts import FIELD_UNITS, FRACTION_UNIT, NOT_AVAILABLE, field_unit
from core.excel.writer import SheetWriter
from core.models import ROI_INPUT_FIELDS, UseCase
from core.scoring import SCORING_FIELDS

ASSUMPTION_COLUMNS: tuple[str, ...] = (
    "Use case ID", "Use case", "Field path", "Value", "Unit", "Source", "Last edited by", "Last edited at (UTC)",
)
ASSUMPTION_WIDTHS: tuple[float, ...] = (20, 44, 34, 14, 13, 40, 16, 17)


def write(writer: SheetWriter, pack: PackContext) -> None:
    f, t = writer.formats, writer.t
    writer.label(0, 0, "Assumptions: every input, its source and last editor", f.title, span=6)
    writer.height(0, 28)
    writer.header_row(1, ASSUMPTION_COLUMNS, numeric=(3,))
    latest = _audit_index(pack.audit_entries)
    units = {unit: t(unit) for unit in (FRACTION_UNIT, *FIELD_UNITS.values())}
    inputs_by_case = _inputs_by_case(pack.inputs)
    row = 2
    for use_case_id in pack.ranked:
        use_case = pack.figures[use_case_id].use_case
        cells = inputs_by_case.get(use_case_id, {})
        sources = use_case.assumption_sources
        for path, field, value in _input_rows(use_case):
            writer.text(row, 0, use_case_id)
            writer.text(row, 1, use_case.name)
            writer.text(row, 2, path, f.plain)
            fmt = f.for_value(field)
            cell = cells.get(path)
            if cell is None:
                writer.scalar(row, 3, value, fmt)
            else:
                target = f"{quoted_sheet(cell.sheet)}!{cell.cell}"
                writer.formula(row, 3, f'=IF(ISNUMBER({target}),{target},"{NOT_AVAILABLE}")', value, fmt)
            writer.sheet.write_string(row, 4, units.get(field_unit(field), ""), f.plain)
            writer.text(row, 5, sources.get(path) or sources.get(field))
            entry = latest.get((use_case_id, path))
            writer.text(row, 6, None if entry is None else entry.actor)
            writer.moment(row, 7, None if entry is None else entry.at)
            row += 1
    writer.sheet.autofilter(1, 0, max(row - 1, 2), len(ASSUMPTION_COLUMNS) - 1)
    writer.sheet.freeze_panes(2, 0)
    writer.finish()


def _inputs_by_case(inputs: Sequence[InputCell]) -> dict[str, dict[str, InputCell]]:
    by_case: dict[str, dict[str, InputCell]] = {}
    for cell in inputs:
        by_case.setdefault(cell.use_case_id, {})[cell.field_path] = cell
    return by_case


def _audit_index(entries: Sequence[Any]) -> dict[tuple[str, str], Any]:
    """The newest audit entry per (use case id, field path)."""
    latest: dict[tuple[str, str], Any] = {}
    for entry in entries:
        key = (str(entry.use_case_id), str(entry.field_path))
        current = latest.get(key)
        if current is None or str(_timestamp(entry.at)) > str(_timestamp(current.at)):
            latest[key] = entry
    return latest


def _timestamp(value: object) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, datetime) else str(value)


def _input_rows(use_case: UseCase) -> list[tuple[str, str, float | None]]:
    """(field path, field, value) of every scoring and ROI input and every scenario override."""
    rows = [(f"scoring.{field}", field, getattr(use_case.scoring, field)) for field in SCORING_FIELDS]
    rows += [(f"roi.{field}", field, getattr(use_case.roi, field)) for field in ROI_INPUT_FIELDS]
    for index, scenario in enumerate(use_case.scenarios):
        rows += [(f"scenarios.{index}.{field}", field, value) for field, value in scenario.overrides().items()]
    return rows


SHEET = SheetSpec(ASSUMPTIONS_SHEET, ASSUMPTION_WIDTHS, write, repeat_rows=(1, 1))
