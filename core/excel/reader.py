"""Reading an edited Excel decision pack back as a reviewable diff of input changes.

The pack is checked as an untrusted upload before openpyxl parses any of it (:mod:`core.archives`, shared with
the data-profiling reader): it must be a zip archive with ``[Content_Types].xml``, hold no macros, stay within
size, ratio and entry-count caps, and contain no XML document-type or entity declarations. Then the hidden
Meta sheet (written by :mod:`core.excel.sheets.meta` in the layout of :mod:`core.excel.names`) says which
workspace the pack belongs to and where every input cell is.
Nothing is written anywhere: the caller shows the diff and applies it through the store.
"""

from __future__ import annotations

import io
import math
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import openpyxl
from pydantic import ValidationError

from core import archives
from core.archives import CONTENT_TYPES, ArchiveLimits, UnsafeArchive, check_declarations, open_archive, read_part
from core.excel.names import (
    BUDGET_KIND,
    FIXED_SHEETS,
    FRACTION_KIND,
    FUNDED_KIND,
    META_INPUT_COLUMN,
    META_INPUT_HEADER,
    META_KEY_COLUMN,
    META_KEYS,
    META_SHEET,
    META_USE_CASE_COLUMN,
    META_USE_CASE_HEADER,
    META_VALUE_COLUMN,
    MONTHS_KIND,
    NEW_MEASUREMENT_KIND,
    NEW_MEASUREMENT_PREFIX,
    NON_NEGATIVE_KIND,
    OPTIONAL_SHEETS,
    PACK_FORMAT_VERSION,
    PLAN_KINDS,
    PORTFOLIO_BUDGET_FIELDS,
    RAMP_SHAPE_KIND,
    READABLE_PACK_VERSIONS,
    LoadedWorkspaceLike,
    blank_allowed,
    meta_cell,
    meta_content_hash,
    pack_language,
    sheet_name,
)
from core.excel.problems import PackProblem, cell_pairs
from core.measurement_import import parse_day
from core.models import RAMP_SHAPES, SCHEMA_VERSION, Measurement, UseCase, error_text, get_path

MAX_ENTRIES = archives.MAX_ENTRIES
MAX_TOTAL_UNCOMPRESSED_BYTES = 256 * 1024 * 1024
MAX_COMPRESSION_RATIO = archives.MAX_COMPRESSION_RATIO
RATIO_CHECK_MIN_BYTES = archives.RATIO_CHECK_MIN_BYTES
MACRO_CONTENT_TYPES = ("macroenabled", "vbaproject", "application/vnd.ms-office.vba")
UNCHANGED_RELATIVE_TOLERANCE = 1e-13
EXPORTED_VALUE_COLUMN = META_INPUT_COLUMN + META_INPUT_HEADER.index("exported_value")


class PackRejected(ValueError):
    """The uploaded file is not a pack this workspace can take; the message names sheet and cell.

    ``problems`` holds one English sentence per bad cell (each naming its sheet and cell), so that a pack with
    several bad inputs is reported in full at once; a file-level refusal has one problem, its message.
    ``details`` holds the same problems as :class:`PackProblem` data, for wording them in another language.
    """

    def __init__(self, message: str, problems: Sequence[str] = (), details: Sequence[PackProblem] = ()) -> None:
        super().__init__(message)
        self.problems: tuple[str, ...] = tuple(problems) or (message,)
        self.details: tuple[PackProblem, ...] = tuple(details)


def _refused(code: str, cells: tuple[tuple[str, str], ...] = (), field_path: str = "", **values: Any
             ) -> PackRejected:
    problem = PackProblem(code, cells, field_path, values)
    return PackRejected(problem.sentence, details=(problem,))


def _rejected_cells(problems: Sequence[PackProblem]) -> PackRejected:
    sentences = [problem.sentence for problem in problems]
    if len(problems) == 1:
        return PackRejected(sentences[0], details=problems)
    return PackRejected(f"{len(problems)} cells cannot be read back: " + " ".join(sentences), sentences, problems)


InputValue = float | int | str | dict[str, Any] | None
"""A pack input's value: a number, whole months (int), the ramp shape's code, None for an empty optional cell, or
a new S22 measurement (its JSON fields) from an Actuals sheet's empty rows."""


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One edited input: store value ``old`` → pack value ``new`` (None = no scenario override, no own discount
    rate, no one-time amount)."""

    use_case_id: str
    field_path: str
    old: InputValue
    new: InputValue
    cell: str = ""


@dataclass(frozen=True, slots=True)
class PlanChange:
    """The Portfolio sheet's plan (S20) as exported and as it comes back: funded ids in sheet order (best score
    first) and the limits (``investment_eur``, ``run_budget_eur_per_month``, ``capacity_person_months``; None =
    no limit). ``cells`` names the funded flags and limits that were edited."""

    exported_ids: tuple[str, ...]
    funded_ids: tuple[str, ...]
    exported_budgets: dict[str, float | None]
    budgets: dict[str, float | None]
    cells: tuple[str, ...] = ()

    @property
    def added(self) -> tuple[str, ...]:
        return tuple(use_case_id for use_case_id in self.funded_ids if use_case_id not in self.exported_ids)

    @property
    def removed(self) -> tuple[str, ...]:
        return tuple(use_case_id for use_case_id in self.exported_ids if use_case_id not in self.funded_ids)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed) or self.budgets != self.exported_budgets


@dataclass(frozen=True, slots=True)
class PackDiff:
    """Input changes of a pack, plus the use cases changed in the store since the pack was exported, plus the
    Portfolio sheet's plan (None for a pack without one)."""

    changes: tuple[FieldChange, ...]
    stale_use_cases: tuple[str, ...] = ()
    workspace_id: str = ""
    exported_versions: dict[str, int] = field(default_factory=dict)
    plan: PlanChange | None = None

    @property
    def is_empty(self) -> bool:
        return not self.changes and (self.plan is None or not self.plan.changed)


@dataclass(frozen=True, slots=True)
class _MetaInput:
    use_case_id: str
    field_path: str
    sheet: str
    cell: str
    exported: float | str | None
    kind: str
    meta_row: int


@dataclass(frozen=True, slots=True)
class _Meta:
    values: dict[str, str]
    use_case_rows: list[tuple[str, ...]]
    inputs: list[_MetaInput]


def _rejected(error: UnsafeArchive) -> PackRejected:
    return _refused(f"archive_{error.code}", **error.values)


def _meta_cell(row: int, col: int) -> tuple[tuple[str, str], ...]:
    return cell_pairs(meta_cell(row, col))


def _check_archive(data: bytes) -> zipfile.ZipFile:
    limits = ArchiveLimits(max_total_bytes=MAX_TOTAL_UNCOMPRESSED_BYTES, max_entries=MAX_ENTRIES,
                           max_ratio=MAX_COMPRESSION_RATIO, ratio_min_bytes=RATIO_CHECK_MIN_BYTES)
    try:
        return open_archive(data, limits)
    except UnsafeArchive as error:
        raise _rejected(error) from error


def _check_parts(archive: zipfile.ZipFile) -> None:
    for entry in archive.infolist():
        if entry.filename.lower().endswith("vbaproject.bin"):
            raise _refused("macros", part=entry.filename)
    try:
        check_declarations(archive)
        content_types = read_part(archive, archive.getinfo(CONTENT_TYPES)).lower().decode("utf-8", errors="ignore")
    except UnsafeArchive as error:
        raise _rejected(error) from error
    if any(marker in content_types for marker in MACRO_CONTENT_TYPES):
        raise _refused("macro_content_type")


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_meta(book: Any) -> _Meta:
    sheet = book[META_SHEET]
    rows = [tuple(_text(value) for value in row) for row in sheet.iter_rows(values_only=True)]
    width = META_INPUT_COLUMN + len(META_INPUT_HEADER)
    rows = [row + ("",) * (width - len(row)) for row in rows]
    values = {}
    for index, key in enumerate(META_KEYS):
        if index >= len(rows) or rows[index][META_KEY_COLUMN] != key:
            raise _refused("meta_key_edited", _meta_cell(index, META_KEY_COLUMN), key=key)
        values[key] = rows[index][META_VALUE_COLUMN]
    use_case_span = slice(META_USE_CASE_COLUMN, META_USE_CASE_COLUMN + len(META_USE_CASE_HEADER))
    input_span = slice(META_INPUT_COLUMN, META_INPUT_COLUMN + len(META_INPUT_HEADER))
    if not rows or rows[0][use_case_span] != META_USE_CASE_HEADER or rows[0][input_span] != META_INPUT_HEADER:
        raise _refused("meta_tables_edited", _meta_cell(0, META_USE_CASE_COLUMN))
    use_case_rows = [row[use_case_span] for row in rows[1:] if row[use_case_span][0]]
    inputs = []
    for number, row in enumerate(rows[1:], start=2):
        use_case_id, path, sheet, cell, exported, kind = row[input_span]
        if not use_case_id:
            continue
        if kind == RAMP_SHAPE_KIND:
            inputs.append(_MetaInput(use_case_id, path, sheet, cell, exported, kind, number))
            continue
        try:
            exported_value = float(exported) if exported else None
        except ValueError as error:
            raise _refused("meta_not_a_number", _meta_cell(number - 1, EXPORTED_VALUE_COLUMN),
                           found=exported[:40]) from error
        inputs.append(_MetaInput(use_case_id, path, sheet, cell, exported_value, kind, number))
    return _Meta(values, use_case_rows, inputs)


def _exported_text(value: float | str | None) -> str:
    if isinstance(value, str):
        return value
    return "" if value is None else repr(value)


def _input_meta_rows(meta: _Meta) -> list[tuple[str, ...]]:
    return [(item.use_case_id, item.field_path, item.sheet, item.cell, _exported_text(item.exported), item.kind)
            for item in meta.inputs]


def _value_cell(key: str) -> tuple[tuple[str, str], ...]:
    return _meta_cell(META_KEYS.index(key), META_VALUE_COLUMN)


def _check_meta(meta: _Meta, loaded: LoadedWorkspaceLike) -> None:
    values = meta.values
    if values["workspace_id"] != str(loaded.id):
        raise _refused("other_workspace", _value_cell("workspace_id"), pack_workspace_id=values["workspace_id"],
                       pack_workspace_name=values["workspace_name"], workspace_id=str(loaded.id),
                       workspace_name=loaded.workspace.name)
    versions = (values["schema_version"], values["pack_format"])
    if versions not in READABLE_PACK_VERSIONS:
        raise _refused("unsupported_version", _value_cell("schema_version"), schema=values["schema_version"],
                       pack_format=values["pack_format"], current_schema=str(SCHEMA_VERSION),
                       current_format=str(PACK_FORMAT_VERSION))
    expected = meta_content_hash(values["workspace_id"], meta.use_case_rows, _input_meta_rows(meta), *versions)
    if values["content_hash"] != expected:
        raise _refused("content_hash", _value_cell("content_hash"))


def _check_sheets(book: Any, meta: _Meta) -> None:
    present = set(book.sheetnames)
    listed = {item.sheet for item in meta.inputs}
    language = pack_language(book.sheetnames)
    expected = [sheet_name(name, language) for name in FIXED_SHEETS
                if name not in OPTIONAL_SHEETS or sheet_name(name, language) in listed]
    expected += [row[2] for row in meta.use_case_rows if row[2]]
    for name in expected:
        if name not in present:
            raise _refused("sheet_missing", sheet=name)


def _cells_by_sheet(book: Any, wanted: Mapping[str, set[str]]) -> dict[tuple[str, str], Any]:
    found: dict[tuple[str, str], Any] = {}
    for sheet, coordinates in wanted.items():
        for row in book[sheet].iter_rows():
            for cell in row:
                coordinate = getattr(cell, "coordinate", None)
                if coordinate in coordinates:
                    found[sheet, coordinate] = cell
    return found


def _cell_value(item: _MetaInput, cell: Any, cached: Mapping[tuple[str, str], Any]) -> InputValue:
    cells, path = ((item.sheet, item.cell),), item.field_path
    value = None if cell is None else cell.value
    if cell is not None and cell.data_type == "f":
        cached_cell = cached.get((item.sheet, item.cell))
        value = None if cached_cell is None else cached_cell.value
        if value is None or value == "":
            raise _refused("formula_without_value", cells, path)
    if value is None or (isinstance(value, str) and not value.strip()):
        if blank_allowed(item.field_path):
            return None
        if item.kind == RAMP_SHAPE_KIND:
            raise _refused("empty_ramp_shape", cells, path, shapes=", ".join(RAMP_SHAPES))
        raise _refused("empty_number", cells, path)
    if item.kind == RAMP_SHAPE_KIND:
        return _ramp_shape(item, value)
    if isinstance(value, bool) and item.kind == FUNDED_KIND:
        value = float(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _refused("not_a_number", cells, path, found=str(value)[:40])
    number = float(value)
    if not math.isfinite(number):
        raise _refused("not_finite", cells, path, number=number)
    if item.kind == FRACTION_KIND and not 0.0 <= number <= 1.0:
        raise _refused("fraction_out_of_range", cells, path, number=number)
    if item.kind in (NON_NEGATIVE_KIND, MONTHS_KIND, BUDGET_KIND) and number < 0.0:
        raise _refused("negative", cells, path, number=number)
    if item.kind == MONTHS_KIND:
        if not number.is_integer():
            raise _refused("not_whole_months", cells, path, number=number)
        return int(number)
    if item.kind == FUNDED_KIND and number not in (0.0, 1.0):
        raise _refused("not_funded_flag", cells, path, number=number)
    return number


def _ramp_shape(item: _MetaInput, value: object) -> str:
    text = str(value).strip()
    if text not in RAMP_SHAPES:
        raise _refused("not_a_ramp_shape", ((item.sheet, item.cell),), item.field_path, shapes=", ".join(RAMP_SHAPES),
                       found=text[:40])
    return text


def _unchanged(exported: float | str | None, new: InputValue) -> bool:
    if exported is None or new is None:
        return exported is new
    if isinstance(exported, str) or isinstance(new, str):
        return exported == new
    # XlsxWriter stores 16 significant digits, LibreOffice 15 after a save; no real edit is that small.
    return new == exported or math.isclose(new, exported, rel_tol=UNCHANGED_RELATIVE_TOLERANCE)


def _stored(value: Any) -> InputValue:
    """The store's value of an input as the diff shows it: whole months stay whole, codes stay text."""
    if value is None or isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    return float(value)


def _as_lists(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _as_lists(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_as_lists(item) for item in value]
    return value


def updated_use_case(use_case: UseCase, changes: Mapping[str, InputValue]) -> UseCase:
    """A validated copy of ``use_case`` with dotted-path changes applied, tuple paths included.

    Example: ``updated_use_case(use_case, {"scenarios.0.adoption": 0.3, "roi.adoption": 0.5})``.
    """
    data = _as_lists(use_case.model_dump(mode="python"))
    for path, value in changes.items():
        target = data
        *parents, leaf = path.split(".")
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        if isinstance(target, list) and leaf.isdigit() and int(leaf) == len(target):
            target.append(value)  # an S22 measurement added in an Actuals sheet
            continue
        if isinstance(target, list) or leaf not in target:
            raise ValueError(f"{path}: unknown field")
        target[leaf] = value
    return UseCase.model_validate(data)


def _validate(use_case: UseCase, changes: list[FieldChange]) -> None:
    cells = tuple(pair for change in changes for pair in cell_pairs(change.cell))
    try:
        updated_use_case(use_case, {change.field_path: change.new for change in changes})
    except ValidationError as error:
        raise _refused("changes_invalid", cells, use_case=use_case.id, **_error_values(error)) from error
    except (ValueError, IndexError, KeyError) as error:
        raise _refused("changes_invalid", cells, use_case=use_case.id, detail=str(error),
                       errors=({"loc": (), "type": "value_error", "ctx": {}, "msg": str(error)},)) from error


def _error_values(error: ValidationError) -> dict[str, Any]:
    """A model's refusal as the problem's values: ``detail``, the English sentences the CLI prints, and ``errors``,
    pydantic's items as plain data (where, which rule, its limits) that the app words in the user's language."""
    items = error.errors()
    errors = tuple({"loc": tuple(item.get("loc", ())), "type": str(item.get("type", "")),
                    "ctx": {name: value for name, value in (item.get("ctx") or {}).items()
                            if isinstance(value, int | float | str)},
                    "msg": str(item.get("msg", ""))} for item in items)
    detail = "; ".join(f"{'.'.join(map(str, item['loc']))}: {error_text(item)}" if item["loc"] else error_text(item)
                       for item in errors)
    return {"detail": detail, "errors": errors}


def read_pack_meta(data: bytes) -> _Meta:
    """The Meta sheet of a pack that :func:`read_pack` has accepted: its keys, use-case rows and input cells."""
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    try:
        return _read_meta(book)
    finally:
        book.close()


def read_pack(data: bytes, loaded: LoadedWorkspaceLike) -> PackDiff:
    """The input changes of an edited pack against ``loaded`` (no side effects).

    Raises :class:`PackRejected` naming the sheet and cell for unsafe files, packs of another
    workspace, missing or renamed sheets, and empty, non-numeric or out-of-range inputs: every bad input cell at
    once, in ``problems``.
    Example: adoption edited from 0.62 to 0.5 on the first Decision sheet →
    ``PackDiff(changes=(FieldChange("support-chatbot", "roi.adoption", 0.62, 0.5, "D1_support-chatbot!B43"),))``.
    """
    archive = _check_archive(bytes(data))
    _check_parts(archive)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many types for malformed parts
        raise _refused("unparseable", error=f"{type(error).__name__}: {error}") from error
    try:
        if META_SHEET not in book.sheetnames:
            raise _refused("sheet_missing", sheet=META_SHEET)
        meta = _read_meta(book)
        _check_meta(meta, loaded)
        _check_sheets(book, meta)
        wanted: dict[str, set[str]] = {}
        for item in meta.inputs:
            wanted.setdefault(item.sheet, set()).add(item.cell)
        cells = _cells_by_sheet(book, wanted)
    finally:
        book.close()
    cached: dict[tuple[str, str], Any] = {}
    if any(cell.data_type == "f" for cell in cells.values()):
        values_book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            formula_sheets = {sheet for (sheet, _), cell in cells.items() if cell.data_type == "f"}
            cached = _cells_by_sheet(values_book, {sheet: wanted[sheet] for sheet in formula_sheets})
        finally:
            values_book.close()
    return _diff(meta, cells, cached, loaded)


def _read_cell(item: _MetaInput, cells: Mapping[tuple[str, str], Any], cached: Mapping[tuple[str, str], Any],
               problems: list[PackProblem]) -> tuple[bool, InputValue]:
    """(True, value) of an input cell, or (False, None) with its problem appended to ``problems``."""
    try:
        return True, _cell_value(item, cells.get((item.sheet, item.cell)), cached)
    except PackRejected as error:
        problems.extend(error.details)
        return False, None


def _plan_change(items: list[_MetaInput], cells: Mapping[tuple[str, str], Any],
                 cached: Mapping[tuple[str, str], Any], known: set[str], problems: list[PackProblem]
                 ) -> PlanChange | None:
    """The Portfolio sheet's funded flags and limits, as exported and as they are now; bad cells go to
    ``problems``."""
    if not items:
        return None
    fields = {path: field for field, path in PORTFOLIO_BUDGET_FIELDS.items()}
    exported_ids, funded_ids, edited = [], [], []
    exported_budgets: dict[str, float | None] = dict.fromkeys(PORTFOLIO_BUDGET_FIELDS)
    budgets: dict[str, float | None] = dict.fromkeys(PORTFOLIO_BUDGET_FIELDS)
    for item in items:
        readable, new = _read_cell(item, cells, cached, problems)
        if not readable:
            continue
        if not _unchanged(item.exported, new):
            edited.append(f"{item.sheet}!{item.cell}")
        if item.kind == BUDGET_KIND:
            if item.field_path not in fields:
                problems.append(PackProblem("not_a_limit", ((item.sheet, item.cell),),
                                            values={"field": item.field_path}))
                continue
            exported_budgets[fields[item.field_path]], budgets[fields[item.field_path]] = item.exported, new
            continue
        if item.use_case_id not in known:
            if new:
                problems.append(PackProblem("funded_use_case_gone", ((item.sheet, item.cell),),
                                            values={"use_case": item.use_case_id}))
            continue
        if item.exported:
            exported_ids.append(item.use_case_id)
        if new:
            funded_ids.append(item.use_case_id)
    return PlanChange(tuple(exported_ids), tuple(funded_ids), exported_budgets, budgets, tuple(edited))


def _measurement_cell(item: _MetaInput, cell: Any, cached: Mapping[tuple[str, str], Any]) -> Any:
    """The value of a cell in an Actuals sheet's new rows: a day (ISO text), a text, a number, or None if empty."""
    cells = ((item.sheet, item.cell),)
    value = None if cell is None else cell.value
    if cell is not None and cell.data_type == "f":
        cached_cell = cached.get((item.sheet, item.cell))
        value = None if cached_cell is None else cached_cell.value
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    field_name = item.field_path.rsplit(".", 1)[-1]
    if field_name == "measured_on":
        if isinstance(value, datetime):
            return value.date().isoformat()
        if isinstance(value, date):
            return value.isoformat()
        day = parse_day(value) if isinstance(value, str) else None
        if day is None:
            raise _refused("not_a_date", cells, found=str(value)[:40])
        return day.isoformat()
    if field_name in ("measured_by", "source"):
        return str(value).strip()
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(float(value)):
        raise _refused("not_a_number", cells, found=str(value)[:40])
    return float(value)


def _new_measurements(items: list[_MetaInput], cells: Mapping[tuple[str, str], Any],
                      cached: Mapping[tuple[str, str], Any], use_cases: Mapping[str, UseCase]
                      ) -> list[tuple[str, FieldChange]]:
    """S22: each filled row of an Actuals sheet's empty rows as one new measurement, appended after the stored ones
    (field path ``measurements.<n>``); a row with values but no date is refused, naming its cells."""
    rows: dict[tuple[str, str], dict[str, tuple[Any, str]]] = {}
    for item in items:
        row, _, field_name = item.field_path.removeprefix(NEW_MEASUREMENT_PREFIX).partition(".")
        value = _measurement_cell(item, cells.get((item.sheet, item.cell)), cached)
        if value is not None:
            rows.setdefault((item.use_case_id, row), {})[field_name] = (value, f"{item.sheet}!{item.cell}")
    found: list[tuple[str, FieldChange]] = []
    added: dict[str, int] = {}
    for (use_case_id, _), values in sorted(rows.items(), key=lambda entry: (entry[0][0], int(entry[0][1]))):
        where = ", ".join(cell for _, cell in values.values())
        cells = cell_pairs(where)
        use_case = use_cases.get(use_case_id)
        if use_case is None:
            raise _refused("use_case_gone", cells, use_case=use_case_id)
        if "measured_on" not in values:
            raise _refused("measurement_without_date", cells)
        data: dict[str, Any] = {name: value for name, (value, _) in values.items()}
        try:
            measurement = Measurement.model_validate(data)
        except ValidationError as error:
            raise _refused("measurement_invalid", cells, use_case=use_case_id, **_error_values(error)) from error
        index = len(use_case.measurements) + added.get(use_case_id, 0)
        added[use_case_id] = added.get(use_case_id, 0) + 1
        found.append((use_case_id, FieldChange(use_case_id, f"measurements.{index}", None,
                                               measurement.model_dump(mode="json", exclude_defaults=True), where)))
    return found


def _field_change(item: _MetaInput, cells: Mapping[tuple[str, str], Any], cached: Mapping[tuple[str, str], Any],
                  use_cases: Mapping[str, UseCase], problems: list[PackProblem]) -> FieldChange | None:
    """The change one edited input cell makes to its use case (None: unchanged, or a problem was appended)."""
    readable, new = _read_cell(item, cells, cached, problems)
    if not readable or _unchanged(item.exported, new):
        return None
    where = f"{item.sheet}!{item.cell}"
    use_case = use_cases.get(item.use_case_id)
    if use_case is None:
        problems.append(PackProblem("use_case_gone", ((item.sheet, item.cell),), values={"use_case": item.use_case_id}))
        return None
    try:
        old = get_path(use_case, item.field_path)
    except (AttributeError, IndexError, ValueError):
        problems.append(PackProblem("field_gone", ((item.sheet, item.cell),),
                                    values={"field": item.field_path, "use_case": item.use_case_id}))
        return None
    if old == new:
        return None
    return FieldChange(item.use_case_id, item.field_path, _stored(old), new, where)


def _diff(meta: _Meta, cells: Mapping[tuple[str, str], Any], cached: Mapping[tuple[str, str], Any],
          loaded: LoadedWorkspaceLike) -> PackDiff:
    use_cases = {use_case.id: use_case for use_case in loaded.workspace.use_cases}
    problems: list[PackProblem] = []
    plan = _plan_change([item for item in meta.inputs if item.kind in PLAN_KINDS], cells, cached, set(use_cases),
                        problems)
    changes: dict[str, list[FieldChange]] = {}
    for use_case_id, change in _new_measurements(
            [item for item in meta.inputs if item.kind == NEW_MEASUREMENT_KIND], cells, cached, use_cases):
        changes.setdefault(use_case_id, []).append(change)
    for item in meta.inputs:
        if item.kind in PLAN_KINDS or item.kind == NEW_MEASUREMENT_KIND:
            continue
        change = _field_change(item, cells, cached, use_cases, problems)
        if change is not None:
            changes.setdefault(item.use_case_id, []).append(change)
    for use_case_id, items in changes.items():
        try:
            _validate(use_cases[use_case_id], items)
        except PackRejected as error:
            problems.extend(error.details)
    if problems:
        raise _rejected_cells(problems)
    exported_versions = {row[0]: int(row[1]) for row in meta.use_case_rows if row[1].isdigit()}
    versions = loaded.versions
    stale = tuple(use_case_id for use_case_id, version in exported_versions.items()
                  if use_case_id in versions and versions[use_case_id] > version)
    return PackDiff(
        changes=tuple(change for items in changes.values() for change in items),
        stale_use_cases=stale,
        workspace_id=meta.values["workspace_id"],
        exported_versions=exported_versions,
        plan=plan,
    )
