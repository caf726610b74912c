"""S22 measurement import: a monitoring export (a table read by :func:`core.profiling.read_table`) mapped column by
column onto :class:`core.models.Measurement` fields, validated as a whole.

Every problem names the file's row (the header is row 1) and column; the measurements are returned only when the
whole table is valid, so a caller stores all of them or none. Numbers may be written German-style ("2,4"), dates
as ISO ("2026-03-31"), German ("31.03.2026") or spreadsheet dates; an empty cell means "not measured".
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pandas as pd
from pydantic import ValidationError

from core.models import (
    EARLIEST_DATE,
    GATE_METRIC_FIELDS,
    MAX_MEASUREMENTS,
    MEASURED_ROI_FIELDS,
    GateMetrics,
    Measurement,
)

TEXT_FIELDS: tuple[str, ...] = ("measured_by", "source")
IMPORT_FIELDS: tuple[str, ...] = ("measured_on", *TEXT_FIELDS, *MEASURED_ROI_FIELDS, *GATE_METRIC_FIELDS)
"""Every field a column can be mapped to; ``measured_on`` is required."""
BOOLEAN_FIELDS = frozenset(name for name, info in GateMetrics.model_fields.items() if "bool" in str(info.annotation))
MAX_REPORTED_PROBLEMS = 50
HEADER_ROWS = 1
_GERMAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
# A group separator follows one to three digits that do not start with 0: "0.480" and "0,125" are decimals.
_GROUPED_DE = re.compile(r"^[+-]?[1-9]\d{0,2}(\.\d{3})+(,\d+)?$")
_GROUPED_EN = re.compile(r"^[+-]?[1-9]\d{0,2}(,\d{3})+(\.\d+)?$")
_DECIMAL_DE = re.compile(r"^[+-]?\d*,\d+$")
_DECIMAL_EN = re.compile(r"^[+-]?\d*\.\d+$")
_AMBIGUOUS = re.compile(r"^[+-]?[1-9]\d{0,2}[.,]\d{3}$")
_TRUE = frozenset({"true", "yes", "ja", "wahr", "1", "x"})
_FALSE = frozenset({"false", "no", "nein", "falsch", "0"})


@dataclass(frozen=True, slots=True)
class ImportProblem:
    """One problem: file ``row`` (header = 1; 0 for the table as a whole), the file's ``column``, the mapped
    ``field``, a ``code`` (missing_date, bad_date, bad_number, bad_bool, too_small, too_large, invalid,
    no_date_column, no_rows, too_many_rows) and the offending ``value`` as text, with ``limit`` for ranges."""

    row: int
    column: str
    field: str
    code: str
    value: str = ""
    limit: float | None = None


@dataclass(frozen=True, slots=True)
class MeasurementImport:
    """The result of :func:`measurements_from_table`: measurements only when ``problems`` is empty."""

    measurements: tuple[Measurement, ...]
    problems: tuple[ImportProblem, ...]
    more_problems: int = 0
    rows: int = 0
    fields: tuple[str, ...] = field(default=())

    @property
    def valid(self) -> bool:
        return not self.problems


def _normalised(name: object) -> str:
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


def suggest_mapping(columns: list[str], aliases: Mapping[str, tuple[str, ...]] | None = None
                    ) -> dict[str, str | None]:
    """A first mapping: a column whose name equals a field's name (or one of its ``aliases``, e.g. the field's
    labels in both languages), ignoring case, spaces and punctuation. Example: "Measured on" → measured_on."""
    by_name = {_normalised(column): column for column in columns}
    mapping: dict[str, str | None] = {}
    for name in IMPORT_FIELDS:
        candidates = (name, *(aliases or {}).get(name, ()))
        mapping[name] = next((by_name[_normalised(c)] for c in candidates if _normalised(c) in by_name), None)
    return mapping


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or (
        isinstance(value, str) and not value.strip()) or value is pd.NaT


def parse_day(value: Any) -> date | None:
    """A calendar day from a cell, or None when it is not one. Example: "31.03.2026" → 2026-03-31."""
    if isinstance(value, datetime | pd.Timestamp):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    match = _GERMAN_DATE.match(text)
    try:
        if match:
            return date(int(match[3]), int(match[2]), int(match[1]))
        return datetime.fromisoformat(text).date()
    except ValueError:
        return None


def _number_text(value: str) -> str:
    return value.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace("'", "")


def _notation_of(text: str) -> str | None:
    """Which notation a cell's text proves: "de" (decimal comma), "en" (decimal point), or None when it proves
    neither (an integer, or one separator before exactly three digits: "50.000", "1,234")."""
    if _AMBIGUOUS.match(text):
        return None
    if _GROUPED_DE.match(text) or _DECIMAL_DE.match(text):
        return "de"
    if _GROUPED_EN.match(text) or _DECIMAL_EN.match(text):
        return "en"
    return None


def column_notation(cells: Iterable[Any], default: str) -> str | None:
    """The number notation of one column: the one its cells prove ("0,48" → "de", "0.48" → "en"), ``default``
    (the user's own, "de" or "en") when no cell proves one, None when cells prove both.

    Example: ["50.000", "0,5"] → "de", so "50.000" is fifty thousand; ["50.000"] with default "en" → "en" (50.0).
    """
    proven = {_notation_of(_number_text(cell)) for cell in cells if isinstance(cell, str)} - {None}
    if len(proven) > 1:
        return None
    return proven.pop() if proven else default


def parse_number(value: Any, notation: str | None = "en") -> float | None:
    """A finite number from a cell, or None when it is none or, for ``notation`` None (a column mixing both),
    when its text could mean two numbers. ``notation``: "de" ("1.234,5", "50.000" = 50000), "en" ("1,234.5",
    "50.000" = 50). A cell whose text proves its notation ("2,4", "1.234.567") is read that way in either.

    Example: ``parse_number("2,4", "en")`` → 2.4; ``parse_number("18.200", "de")`` → 18200.0.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
        return number if math.isfinite(number) else None
    if not isinstance(value, str):
        return None
    text = _number_text(value)
    reading = _notation_of(text) or (notation if _AMBIGUOUS.match(text) else "en")
    if reading is None:
        return None
    text = text.replace(".", "").replace(",", ".") if reading == "de" else text.replace(",", "")
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _parse_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    return True if text in _TRUE else False if text in _FALSE else None


def _text(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _table_problem(frame: pd.DataFrame, used: Mapping[str, str]) -> ImportProblem | None:
    """The one problem that refuses the whole table before any row is read (row 0), or None."""
    unknown = [column for column in used.values() if column not in frame.columns]
    if unknown:
        return ImportProblem(0, str(unknown[0]), "", "invalid")
    if "measured_on" not in used:
        return ImportProblem(0, "", "measured_on", "no_date_column")
    if frame.empty:
        return ImportProblem(0, "", "", "no_rows")
    if len(frame) > MAX_MEASUREMENTS:
        return ImportProblem(0, "", "", "too_many_rows", str(len(frame)), float(MAX_MEASUREMENTS))
    return None


def _parsed_cell(name: str, cell: Any, notation: str | None) -> tuple[Any, str]:
    """The field's value read from a non-blank cell (None when unreadable) and the problem code if unreadable."""
    if name == "measured_on":
        return parse_day(cell), "bad_date"
    if name in TEXT_FIELDS:
        return str(cell).strip(), "invalid"
    if name in BOOLEAN_FIELDS:
        return _parse_bool(cell), "bad_bool"
    ambiguous = isinstance(cell, str) and bool(_AMBIGUOUS.match(_number_text(cell)))
    return parse_number(cell, notation), "ambiguous_number" if ambiguous else "bad_number"


def _validation_problems(error: ValidationError, row: int, used: Mapping[str, str],
                         cells: Mapping[str, Any]) -> list[ImportProblem]:
    """A row's model-rule failures (a share above 1, a negative count) as problems naming the column and limit."""
    problems = []
    for item in error.errors(include_url=False):
        name = str(item["loc"][-1]) if item["loc"] else ""
        context = item.get("ctx") or {}
        code = {"less_than_equal": "too_large", "greater_than_equal": "too_small"}.get(item["type"], "invalid")
        limit = context.get("le", context.get("ge"))
        cell = cells.get(name, "")
        problems.append(ImportProblem(row, str(used.get(name, "")), name, code, _text(cell),
                                      float(limit) if isinstance(limit, int | float) else None))
    return problems


def _row_measurement(row: int, used: Mapping[str, str], cells: Mapping[str, Any],
                     notations: Mapping[str, str | None]) -> tuple[Measurement | None, list[ImportProblem]]:
    """One table row as a measurement, or None and its problems: every unreadable cell, a missing date, and the
    rules broken by the cells that could be read, all in one pass."""
    values: dict[str, Any] = {}
    gate: dict[str, Any] = {}
    problems: list[ImportProblem] = []
    for name, column in used.items():
        cell = cells[name]
        if _blank(cell):
            if name == "measured_on":
                problems.append(ImportProblem(row, str(column), name, "missing_date"))
            continue
        parsed, code = _parsed_cell(name, cell, notations.get(name))
        if parsed is None:
            problems.append(ImportProblem(row, str(column), name, code, _text(cell)))
            continue
        (gate if name in GATE_METRIC_FIELDS else values)[name] = parsed
    try:
        measurement = Measurement(**{"measured_on": EARLIEST_DATE, **values}, gate_metrics=GateMetrics(**gate))
    except ValidationError as error:
        return None, problems + _validation_problems(error, row, used, cells)
    return (None, problems) if problems else (measurement, [])


def measurements_from_table(frame: pd.DataFrame, mapping: Mapping[str, str | None], language: str = "en"
                            ) -> MeasurementImport:
    """Validate every row of ``frame`` under ``mapping`` (field → column or None) and build the measurements.
    A number column's notation is the one its cells prove, else ``language``'s (see :func:`column_notation`).

    Example: columns "Datum" (31.03.2026) and "Adoption" (0,48) mapped to measured_on and adoption → one
    measurement with adoption 0.48; "1,4" for adoption → ImportProblem(row 2, "Adoption", "adoption",
    "too_large", "1,4", 1.0).
    """
    used = {name: column for name, column in mapping.items() if column is not None and name in IMPORT_FIELDS}
    refused = _table_problem(frame, used)
    if refused is not None:
        return MeasurementImport((), (refused,))
    problems: list[ImportProblem] = []
    more = 0
    measurements: list[Measurement] = []
    columns = {name: frame[column].tolist() for name, column in used.items()}
    notations = {name: column_notation(cells, language) for name, cells in columns.items()
                 if name not in TEXT_FIELDS and name not in BOOLEAN_FIELDS and name != "measured_on"}

    def report(problem: ImportProblem) -> None:
        nonlocal more
        if len(problems) < MAX_REPORTED_PROBLEMS:
            problems.append(problem)
        else:
            more += 1

    for index in range(len(frame)):
        row_cells = {name: cells[index] for name, cells in columns.items()}
        measurement, row_problems = _row_measurement(index + 1 + HEADER_ROWS, used, row_cells, notations)
        for problem in row_problems:
            report(problem)
        if measurement is not None:
            measurements.append(measurement)
    if problems or more:
        return MeasurementImport((), tuple(problems), more, len(frame), tuple(used))
    return MeasurementImport(tuple(measurements), (), 0, len(frame), tuple(used))
