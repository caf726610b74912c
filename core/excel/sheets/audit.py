"""Audit trail: every stored change of the workspace, as the store recorded it (newest first from the store).

The store hands the entries over with a drag's steps merged (issue 13): "Steps" counts the stored entries a row
stands for; the actor is the person or the pseudonym, as the workspace's rules allow (S23)."""

from __future__ import annotations

from core.excel.names import AUDIT_SHEET
from core.excel.sheets.base import PackContext, SheetSpec
from core.excel.texts import NOT_AVAILABLE
from core.excel.writer import SheetWriter

AUDIT_COLUMNS: tuple[str, ...] = (
    "At (UTC)", "Actor", "Use case ID", "Action", "Field path", "Old value", "New value", "Steps",
)
AUDIT_WIDTHS: tuple[float, ...] = (17, 18, 20, 14, 32, 30, 30, 8)


def write(writer: SheetWriter, pack: PackContext) -> None:
    writer.label(0, 0, "Audit trail", writer.formats.title, span=4)
    writer.height(0, 28)
    writer.header_row(1, AUDIT_COLUMNS)
    if not pack.audit_entries:
        writer.text(2, 0, NOT_AVAILABLE)
    for row, entry in enumerate(pack.audit_entries, start=2):
        writer.moment(row, 0, entry.at)
        values = (entry.actor, entry.use_case_id, entry.action, entry.field_path, entry.old_value, entry.new_value)
        for col, value in enumerate(values, start=1):
            writer.text(row, col, None if value is None or value == "" else value)
        writer.scalar(row, len(values) + 1, getattr(entry, "steps", 1), writer.formats.integer)
    writer.sheet.freeze_panes(2, 0)
    writer.finish()


SHEET = SheetSpec(AUDIT_SHEET, AUDIT_WIDTHS, write, repeat_rows=(1, 1))
