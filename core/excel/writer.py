"""Writing cells: :class:`SheetWriter` over one worksheet, the page setup every sheet shares, row heights.

User text is only ever written as a string (never as a formula or number), missing values as "n/a",
and every wrapped cell records the lines its row needs, because Excel does not size rows written by code.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import UTC, datetime

from xlsxwriter.utility import xl_rowcol_to_cell_fast
from xlsxwriter.workbook import Format
from xlsxwriter.worksheet import CellBlankTuple, CellFormulaTuple, CellNumberTuple, CellStringTuple, Worksheet

from core.excel.formats import Formats
from core.excel.texts import NOT_AVAILABLE, Texts

# Measured on LibreOffice's fallback font (DejaVu Sans, wider than Calibri), so Excel never cuts a line.
CHARS_PER_WIDTH = 1.12
BOLD_CHARS_PER_WIDTH = 1.0
LINE_HEIGHT_PT = 14.4
ROW_PADDING_PT = 2.0
MAX_ROW_LINES = 30
DEFAULT_COLUMN_WIDTH = 8.43
A4_PAPER = 9
HEADER_TEXT_LIMIT = 80


# Functions of Excel 2007, which need no "_xlfn." prefix in the file. A formula that calls only these skips
# XlsxWriter's search for newer functions: about 30 regular-expression passes per formula, measured at a fifth of
# a 500-use-case pack's build time before the cash-flow sheets' ≈36,000 formulas came.
PLAIN_FUNCTIONS = frozenset({
    "ABS", "AND", "COUNT", "COUNTA", "COUNTIF", "EDATE", "FALSE", "IF", "IFERROR", "INDEX", "INT", "IRR", "ISNUMBER",
    "MATCH", "MAX", "MID", "MIN", "MONTH", "NOT", "OR", "RANK", "SUM", "SUMPRODUCT", "TRUE", "YEAR",
})
_FUNCTION_CALL = re.compile(r"([A-Za-z_][A-Za-z0-9_.]*)\(")
_XML_SPECIAL = re.compile("[&<>]")
# Formula results XlsxWriter writes as errors: those cells take its own path.
_ERROR_RESULTS = frozenset({"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!"})
_FAST_CELLS = frozenset({CellStringTuple, CellBlankTuple, CellNumberTuple, CellFormulaTuple})


def _xml_data(text: str) -> str:
    if not _XML_SPECIAL.search(text):
        return text
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class PackWorksheet(Worksheet):
    """XlsxWriter's worksheet (``workbook.add_worksheet(name, worksheet_class=PackWorksheet)``) with a fast path
    for formulas that call only :data:`PLAIN_FUNCTIONS` (any other formula is prepared by XlsxWriter as before),
    and :meth:`write_formula_row` for tables of such formulas."""

    def _prepare_formula(self, formula: str, expand_future_functions: bool = False) -> str:
        if not PLAIN_FUNCTIONS.issuperset(_FUNCTION_CALL.findall(formula)):
            return super()._prepare_formula(formula, expand_future_functions)
        if formula.startswith("{"):
            formula = formula[1:]
        if formula.startswith("="):
            formula = formula[1:]
        return formula[:-1] if formula.endswith("}") else formula

    def write_string(self, row: int, col: int, string: str, cell_format: Format | None = None) -> int:
        """XlsxWriter's ``write_string`` stored without its A1-notation wrapper and its two inner calls, for a
        text in row/column numbers short enough that it cannot need truncating; anything else goes to
        XlsxWriter. A 500-use-case pack writes ≈150,000 strings (Assumptions and Meta most of them)."""
        if type(row) is not int or type(col) is not int or type(string) is not str or self.constant_memory or (
                len(string) > self.xls_strmax // 2):
            return super().write_string(row, col, string, cell_format)
        if self._check_dimensions(row, col):
            return -1
        self.table[row][col] = CellStringTuple(self.str_table._get_shared_string_index(string), cell_format)
        return 0

    def write_formula(self, row: int, col: int, formula: str, cell_format: Format | None = None,
                      value: object = 0) -> int:
        """XlsxWriter's ``write_formula`` stored without its A1-notation wrapper, its dynamic-array search and its
        formula preparation, for a formula ("=…", no array braces) that calls only :data:`PLAIN_FUNCTIONS`;
        anything else goes to XlsxWriter."""
        if type(row) is not int or type(col) is not int or type(formula) is not str or self.constant_memory or (
                not formula.startswith("=") or formula.endswith("}")
                or not PLAIN_FUNCTIONS.issuperset(_FUNCTION_CALL.findall(formula))):
            return super().write_formula(row, col, formula, cell_format, value)
        if self._check_dimensions(row, col):
            return -1
        self.table[row][col] = CellFormulaTuple(formula[1:], cell_format, value)
        return 0

    def _write_rows(self) -> None:
        """The sheet's rows as XlsxWriter writes them, each row's cells in one write, iterating only the columns a
        row holds (XlsxWriter scans every column of the sheet's width for every row, twice, and writes cell by
        cell). Sheets with comments, and constant-memory sheets, take XlsxWriter's own path; a test compares both
        byte for byte."""
        if self.constant_memory or self.comments:
            super()._write_rows()
            return
        table, row_info = self.table, self.row_info
        bounds: dict[int, tuple[int, int]] = {}
        for row_num, cells in table.items():
            if cells:
                block, low, high = row_num // 16, min(cells), max(cells)
                known = bounds.get(block)
                bounds[block] = (low, high) if known is None else (min(known[0], low), max(known[1], high))
        spans = {block: f"{low + 1}:{high + 1}" for block, (low, high) in bounds.items()}
        self.row_spans = spans
        for row_num in range(self.dim_rowmin, self.dim_rowmax + 1):
            cells, info = table.get(row_num), row_info.get(row_num)
            if not cells and info is None:
                continue
            span = spans.get(row_num // 16)
            if not cells:
                self._write_empty_row(row_num, span, info)
                continue
            self._write_row(row_num, span, info)
            parts: list[str] = []
            for col_num in sorted(cells):
                cell = cells[col_num]
                xml = self._cell_xml(row_num, col_num, cell)
                if xml is None:
                    self.fh.write("".join(parts))
                    parts = []
                    super()._write_cell(row_num, col_num, cell)
                else:
                    parts.append(xml)
            self.fh.write("".join(parts))
            self._xml_end_tag("row")

    def _write_cell(self, row: int, col: int, cell: object) -> None:
        xml = self._cell_xml(row, col, cell)
        if xml is None:
            super()._write_cell(row, col, cell)
        else:
            self.fh.write(xml)

    def _cell_xml(self, row: int, col: int, cell: object) -> str | None:
        """The XML of one string, blank, number or formula cell, as XlsxWriter writes it, in one string: its generic
        writer builds and escapes an attribute list per cell, which took two fifths of a 500-use-case pack's build
        time. None for every other cell, which XlsxWriter writes (a test compares both byte for byte)."""
        kind = type(cell)
        if kind not in _FAST_CELLS or (
                kind is CellFormulaTuple and (isinstance(cell.value, bool) or cell.value in _ERROR_RESULTS)):
            return None
        style = self._style_index(row, col, cell.format)
        start = f'<c r="{xl_rowcol_to_cell_fast(row, col)}"' + ("" if style is None else f' s="{style}"')
        if kind is CellStringTuple:
            return f'{start} t="s"><v>{cell.string}</v></c>'
        if kind is CellBlankTuple:
            return f"{start}/>"
        if kind is CellNumberTuple:
            return f"{start}><v>{cell.number:.16G}</v></c>"
        if isinstance(cell.value, str) and cell.value:
            return f'{start} t="str"><f>{_xml_data(cell.formula)}</f><v>{_xml_data(cell.value)}</v></c>'
        return f"{start}><f>{_xml_data(cell.formula)}</f><v>{cell.value}</v></c>"

    def _style_index(self, row: int, col: int, cell_format: Format | None) -> int | None:
        """The cell's own format, else its row's, else its column's (XlsxWriter's order); None without one."""
        if cell_format:
            return cell_format._get_xf_index()
        if row in self.row_info and self.row_info[row].row_format:
            return self.row_info[row].row_format._get_xf_index()
        if col in self.col_info and self.col_info[col].column_format is not None:
            return self.col_info[col].column_format._get_xf_index()
        return None

    def write_formula_row(self, row: int, first_col: int, formulas: Sequence[str], formats: Sequence[Format],
                          values: Sequence[object]) -> None:
        """Formulas (with "=", calling only :data:`PLAIN_FUNCTIONS`) in adjacent cells of one row, each with its
        format and stored result, stored the way ``write_formula`` stores them but without its per-cell checks:
        the S19 cash-flow tables write ≈42,000 formulas per 50 Decision sheets, and those checks cost more than
        the rest of the table.

        Example: ``sheet.write_formula_row(15, 2, ["=A16*2", "=B16-C16"], [money, money], [2.0, 0.0])``.
        """
        if self._check_dimensions(row, first_col + len(formulas) - 1):
            raise ValueError(f"row {row}, columns {first_col}–{first_col + len(formulas) - 1}: outside the sheet")
        self._check_dimensions(row, first_col)
        cells = self.table[row]
        for offset, (formula, cell_format, value) in enumerate(zip(formulas, formats, values, strict=True)):
            cells[first_col + offset] = CellFormulaTuple(formula[1:], cell_format, value)


def wrapped_line_count(text: str, width: float, bold: bool = False) -> int:
    """Lines ``text`` takes when wrapped at word boundaries in a column ``width`` characters wide.

    An estimate for row heights (Excel does not size rows of merged or written-by-code cells):
    one width unit holds about one character of the default font, bold a little less.
    Example: ``wrapped_line_count("Net value (€/month)", 10)`` → 2.
    """
    capacity = max(int(width * (BOLD_CHARS_PER_WIDTH if bold else CHARS_PER_WIDTH)), 1)
    if len(text) <= capacity and "\n" not in text and "\r" not in text:
        return 1
    lines = 0
    for paragraph in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        count, used = 1, 0
        for word in paragraph.split(" "):
            if used and used + 1 + len(word) > capacity:
                count, used = count + 1, 0
            elif used:
                used += 1
            used += len(word)
            while used > capacity:
                count, used = count + 1, used - capacity
        lines += count
    return lines



def excel_datetime(value: object) -> datetime | None:
    """A naive UTC datetime Excel can store, or None for anything that is not a datetime."""
    if not isinstance(value, datetime):
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.replace(microsecond=0)


def _header_text(text: str, limit: int = HEADER_TEXT_LIMIT) -> str:
    return text[:limit].replace("&", "&&")


class SheetWriter:
    """Thin helpers over one worksheet: user text only as strings, "n/a" for missing values.

    Wrapped text records how many lines its row needs; :meth:`finish` sets those row heights.
    """

    def __init__(self, sheet: Worksheet, formats: Formats, texts: Texts, widths: Sequence[float]) -> None:
        self.sheet = sheet
        self.formats = formats
        self.t = texts
        self.widths = list(widths)
        self.lines: dict[int, int] = {}
        self.heights: dict[int, float] = {}

    def width(self, col: int, span: int = 1) -> float:
        """Width in characters of ``span`` columns from ``col``; columns the sheet did not size have Excel's default."""
        if span == 1:
            return self.widths[col] if col < len(self.widths) else DEFAULT_COLUMN_WIDTH
        return sum(self.widths[col + offset] if col + offset < len(self.widths) else DEFAULT_COLUMN_WIDTH
                   for offset in range(span))

    def fit(self, row: int, col: int, text: str, fmt: Format | None, span: int = 1) -> None:
        """Record the lines ``text`` needs in this row, e.g. for a formula cell's text result."""
        lines = wrapped_line_count(text, self.width(col, span), id(fmt) in self.formats.bold_formats)
        if lines > self.lines.get(row, 1):
            self.lines[row] = min(lines, MAX_ROW_LINES)

    def text(self, row: int, col: int, value: object, fmt: Format | None = None, span: int = 1) -> None:
        text = NOT_AVAILABLE if value is None else str(value)
        fmt = self.formats.text if fmt is None else fmt
        if span > 1:
            self.sheet.merge_range(row, col, row, col + span - 1, "", fmt)
        self.sheet.write_string(row, col, text, fmt)
        if fmt is not self.formats.plain:
            self.fit(row, col, text, fmt, span)

    def label(self, row: int, col: int, text: str, fmt: Format | None = None, span: int = 1) -> None:
        """A translated label (never user text)."""
        self.text(row, col, self.t(text), self.formats.label if fmt is None else fmt, span)

    def scalar(self, row: int, col: int, value: object, fmt: Format | None = None) -> None:
        if value is None or (isinstance(value, float) and not math.isfinite(value)):
            self.sheet.write_string(row, col, NOT_AVAILABLE, fmt)
        elif isinstance(value, bool):
            self.sheet.write_boolean(row, col, value, fmt)
        elif isinstance(value, int | float):
            self.sheet.write_number(row, col, float(value), fmt)
        else:
            self.text(row, col, value, fmt)

    def moment(self, row: int, col: int, value: object) -> None:
        """A timestamp as a real date-time cell (UTC), text when it is not a datetime."""
        stamp = excel_datetime(value)
        if stamp is None:
            self.text(row, col, None if value is None or value == "" else value)
        else:
            self.sheet.write_datetime(row, col, stamp, self.formats.date)

    def formula(self, row: int, col: int, formula: str, value: object, fmt: Format | None = None) -> None:
        if value is None or (isinstance(value, float) and not math.isfinite(value)):
            value = NOT_AVAILABLE
        elif isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        self.sheet.write_formula(row, col, formula, fmt, value)

    def header_row(self, row: int, labels: Sequence[str], col: int = 0, numeric: Sequence[int] = ()) -> None:
        """Translated column titles; ``numeric`` offsets are right-aligned over their numbers."""
        for offset, label in enumerate(labels):
            fmt = self.formats.header_number if offset in numeric else self.formats.header
            self.text(row, col + offset, self.t(label), fmt)

    def height(self, row: int, points: float) -> None:
        """A fixed row height in points that :meth:`finish` sets instead of the wrapped-lines estimate."""
        self.heights[row] = points

    def finish(self) -> None:
        """Set the recorded row heights; call once, after the sheet's last cell."""
        for row, lines in self.lines.items():
            if lines > 1 and row not in self.heights:
                self.sheet.set_row(row, lines * LINE_HEIGHT_PT + ROW_PADDING_PT)
        for row, points in self.heights.items():
            self.sheet.set_row(row, points)


def setup_sheet(sheet: Worksheet, texts: Texts, workspace_name: str, generated: str, widths: Sequence[float],
                repeat_rows: tuple[int, int] | None = None) -> None:
    """Column widths, A4 landscape one page wide, header and footer, repeated title rows, protection without a password.

    ``generated`` is the time shown in the page header, e.g. ``"2026-03-02 09:30 UTC"``.
    """
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    sheet.set_landscape()
    sheet.set_paper(A4_PAPER)
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=0.4, right=0.4, top=0.7, bottom=0.6)
    sheet.center_horizontally()
    sheet.set_header(f"&L&9{_header_text(workspace_name)}&R&9{texts('AI use-case decision pack')}, "
                     f"{_header_text(generated)}")
    sheet.set_footer(f"&L&9&A&R&9{texts('Page &P of &N')}")
    if repeat_rows is not None:
        sheet.repeat_rows(*repeat_rows)
    sheet.protect("", {"autofilter": True, "sort": True, "format_columns": True, "format_rows": True})

