"""Meta (hidden): the workspace, each use case's exported version and every input cell, for the reader.

Its layout comes from :mod:`core.excel.names`, which :mod:`core.excel.reader` reads back with; the
content hash lets the reader refuse a pack whose Meta sheet was edited.
"""

from __future__ import annotations

from core.excel.names import (
    META_INPUT_COLUMN,
    META_INPUT_HEADER,
    META_KEY_COLUMN,
    META_KEYS,
    META_SHEET,
    META_USE_CASE_COLUMN,
    META_USE_CASE_HEADER,
    META_VALUE_COLUMN,
    PACK_FORMAT_VERSION,
    meta_content_hash,
    number_text,
)
from core.excel.sheets.base import PackContext, SheetSpec
from core.excel.writer import SheetWriter
from core.models import SCHEMA_VERSION

META_WIDTHS: tuple[float, ...] = (16, 40)


def write(writer: SheetWriter, pack: PackContext) -> None:
    sheet, loaded = writer.sheet, pack.loaded
    use_case_rows, input_rows = use_case_table(pack), input_table(pack)
    values = {
        "workspace_id": str(loaded.id), "workspace_name": loaded.workspace.name,
        "schema_version": str(SCHEMA_VERSION), "pack_format": str(PACK_FORMAT_VERSION),
        "generated_at": pack.moment.isoformat(), "author": pack.author,
        "content_hash": meta_content_hash(str(loaded.id), use_case_rows, input_rows),
    }
    for row, key in enumerate(META_KEYS):
        sheet.write_string(row, META_KEY_COLUMN, key)
        sheet.write_string(row, META_VALUE_COLUMN, values[key])
    for table_col, header, rows in ((META_USE_CASE_COLUMN, META_USE_CASE_HEADER, use_case_rows),
                                    (META_INPUT_COLUMN, META_INPUT_HEADER, input_rows)):
        for offset, label in enumerate(header):
            sheet.write_string(0, table_col + offset, label)
        for row, items in enumerate(rows, start=1):
            for offset, item in enumerate(items):
                sheet.write_string(row, table_col + offset, item)
    sheet.hide()


def use_case_table(pack: PackContext) -> list[tuple[str, ...]]:
    """Rows of :data:`META_USE_CASE_HEADER`, every use case by rank; Decision sheet and ordinal blank without one."""
    versions = pack.loaded.versions
    ordinals = {use_case_id: str(ordinal) for ordinal, use_case_id in enumerate(pack.decision_sheets, start=1)}
    return [(use_case_id, str(versions.get(use_case_id, "")), pack.decision_sheets.get(use_case_id, ""),
             ordinals.get(use_case_id, ""))
            for use_case_id in pack.ranked]


def input_table(pack: PackContext) -> list[tuple[str, ...]]:
    """Rows of :data:`META_INPUT_HEADER`, one per input cell in sheet order."""
    return [(cell.use_case_id, cell.field_path, cell.sheet, cell.cell, number_text(cell.exported_value), cell.kind)
            for cell in pack.inputs]


SHEET = SheetSpec(META_SHEET, META_WIDTHS, write)
