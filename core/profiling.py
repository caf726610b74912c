"""S7 minimal data-profiling check: read an uploaded table safely, then profile it.

An upload is untrusted: a few kilobytes can decode to gigabytes. Every limit is checked before the part it
guards is decoded, and a refusal names the file and the limit:

- every file: at most 20 MB, 1,000,000 data rows, 500 columns, 5,000,000 cells, column names of at most
  1,000 characters, and at most 128 MB once decoded;
- CSV: one linear scan of the bytes (quotes respected) counts the fields of every line first: a line may not
  have more fields than the header (pandas would silently turn the surplus into an index: one row of a
  million fields once read as "1 row, 2 columns"). Delimiter ";" "," or tab (chosen from the header line),
  encoding UTF-8 (with or without BOM), falling back to Latin-1; with ";" as delimiter, decimal-comma numbers
  ("1,5") become floats;
- Parquet: from the file's metadata, at most 10,000 row groups; then at most 128 MB as its page headers state
  it (:mod:`core.parquet_pages`: the footer's sizes can be forged, the pages' cannot, and a dictionary-encoded
  fixed-width value counts at its width); string columns are read dictionary-encoded and their decoded size is
  summed from the dictionary before they are expanded (a 207 KB file of one repeated string once decoded to
  5 GB); the rows are read in batches with a running total of their decoded size, refused once it passes
  the limit;
- XLSX: the archive checks of :mod:`core.archives` (entries, ≤ 200 MB unpacked, compression ratio ≤ 200:1,
  no DOCTYPE or ENTITY), a shared-strings part of at most 32 MB and at most 250,000 cells per worksheet,
  counted in its XML before openpyxl parses it (openpyxl takes ≈9 µs per cell), cells of at most 32,767
  characters (Excel's own limit); the first worksheet, first row is the header (openpyxl, read-only).
"""

from __future__ import annotations

import io
import re
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePath
from typing import Any

import numpy as np
import pandas as pd

from core import parquet_pages
from core.archives import ArchiveLimits, UnsafeArchive, check_declarations, open_archive

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 1_000_000
MAX_COLUMNS = 500
MAX_CELLS = 5_000_000
MAX_NAME_CHARS = 1_000
MAX_DECODED_BYTES = 128 * 1024 * 1024
MAX_PARQUET_ROW_GROUPS = 10_000
PARQUET_BATCH_ROWS = 65_536
MAX_XLSX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_XLSX_SHARED_STRINGS_BYTES = 32 * 1024 * 1024
MAX_XLSX_SHEET_CELLS = 250_000
MAX_XLSX_CELL_CHARS = 32_767
TOP_COLUMNS = 15
SUPPORTED_EXTENSIONS = (".csv", ".parquet", ".xlsx")
CSV_DELIMITERS = (";", ",", "\t")
GERMAN_TIMESTAMP_FORMATS = ("%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+(,\d+)?$")
# pandas holds a Python object per cell of a binary or nested column (bytes, ndarray, dict): ≈100 bytes or more.
_OBJECT_CELL_BYTES = 128
_SCAN_CHUNK = 1 << 20
_QUOTE = ord('"')
_NEWLINE = ord("\n")
_RETURN = ord("\r")
_BLANK = np.array([ord(character) for character in " \t\r\n"], dtype=np.uint8)
_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,30}:)?c[\s/>]")
_TAG_SPAN = 40
_SHEET_PART = re.compile(r"^xl/worksheets/[^/]+\.xml$")


class TableReadError(ValueError):
    """An uploaded table could not be read; the message names the file and what to fix."""


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _check_columns(filename: str, columns: int) -> None:
    if columns > MAX_COLUMNS:
        raise TableReadError(f"'{filename}' has {columns:,} columns; the limit is {MAX_COLUMNS:,}")


def _check_shape(filename: str, rows: int, columns: int) -> None:
    _check_columns(filename, columns)
    if rows > MAX_ROWS:
        raise TableReadError(f"'{filename}' has more than {MAX_ROWS:,} data rows; the limit is {MAX_ROWS:,}")
    if rows * columns > MAX_CELLS:
        raise TableReadError(
            f"'{filename}' has {rows * columns:,} cells ({rows:,} rows × {columns:,} columns); "
            f"the limit is {MAX_CELLS:,}"
        )
    if rows == 0:
        raise TableReadError(f"'{filename}' has a header but no data rows")


def _check_names(filename: str, names: list[Any]) -> None:
    for position, name in enumerate(names, start=1):
        length = len(str(name)) if name is not None else 0
        if length > MAX_NAME_CHARS:
            raise TableReadError(f"'{filename}': the name of column {position} has {length:,} characters; "
                                 f"a column name may have at most {MAX_NAME_CHARS:,}")


def _check_decoded(filename: str, decoded: int, so_far: bool = False) -> None:
    """``so_far``: ``decoded`` counts only what was read before the limit was passed."""
    if decoded > MAX_DECODED_BYTES:
        amount = f"at least {_megabytes(decoded)}" if so_far else _megabytes(decoded)
        raise TableReadError(f"'{filename}' would take {amount} once decoded; the limit is "
                             f"{_megabytes(MAX_DECODED_BYTES)}")


def _decode(data: bytes, filename: str) -> tuple[str, str]:
    if b"\x00" in data[:8192]:
        raise TableReadError(
            f"'{filename}' is not a text CSV (binary content or UTF-16); save it as CSV in UTF-8"
        )
    if data.startswith(b"\xef\xbb\xbf"):
        return data.decode("utf-8-sig"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


@dataclass(frozen=True, slots=True)
class CsvLayout:
    """What one scan of a CSV's bytes found: the delimiter, the header's field count, and the line with the
    most fields (its number, counting the header as line 1, and its field count)."""

    delimiter: str
    header_fields: int
    widest_line: int
    widest_fields: int


def _outside_quotes(codes: np.ndarray, in_quotes: int) -> tuple[np.ndarray, int]:
    """Which bytes lie outside double-quoted fields (a doubled quote inside a field toggles twice)."""
    inside = np.bitwise_xor.accumulate((codes == _QUOTE).view(np.uint8)) ^ in_quotes
    return inside == 0, int(inside[-1]) if inside.size else in_quotes


def _line_break(data: bytes) -> int:
    """"\\n" ends a line; a file without one but with "\\r" (old Mac) ends them with "\\r"."""
    return _RETURN if b"\n" not in data and b"\r" in data else _NEWLINE


def csv_layout(data: bytes) -> CsvLayout:
    """Delimiter and field counts of every line, by one linear scan in 1 MiB chunks (no Python step per line).

    The delimiter is the candidate that splits the header (the first non-blank line) into the most fields.
    Example: ``csv_layout(b'a;b\\n1;"2;3"\\n4;5;6\\n')`` → delimiter ";", header 2 fields, line 3 has 3.
    """
    codes = np.frombuffer(data, dtype=np.uint8)
    line_break = _line_break(data)
    start = _first_content(codes)
    header_end = _header_end(codes, start, line_break)
    header = codes[start:header_end]
    outside, _ = _outside_quotes(header, 0)
    counts = {delimiter: int(np.count_nonzero((header == ord(delimiter)) & outside)) + 1
              for delimiter in CSV_DELIMITERS}
    delimiter = max(CSV_DELIMITERS, key=counts.__getitem__)
    widest_line, widest_fields = _widest_line(codes[start:], ord(delimiter), line_break)
    return CsvLayout(delimiter, counts[delimiter], widest_line, widest_fields)


def _first_content(codes: np.ndarray) -> int:
    """The position of the first byte that is not a blank or a line break (pandas skips blank lines)."""
    for chunk_start in range(0, codes.size, _SCAN_CHUNK):
        content = ~np.isin(codes[chunk_start:chunk_start + _SCAN_CHUNK], _BLANK)
        if content.any():
            return chunk_start + int(content.argmax())
    return codes.size


def _header_end(codes: np.ndarray, start: int, line_break: int) -> int:
    in_quotes = 0
    for chunk_start in range(start, codes.size, _SCAN_CHUNK):
        chunk = codes[chunk_start:chunk_start + _SCAN_CHUNK]
        outside, in_quotes = _outside_quotes(chunk, in_quotes)
        ends = np.flatnonzero((chunk == line_break) & outside)
        if ends.size:
            return chunk_start + int(ends[0])
    return codes.size


def _widest_line(codes: np.ndarray, delimiter: int, line_break: int) -> tuple[int, int]:
    """(line number, fields) of the line with the most fields; blank lines count as lines of one field."""
    in_quotes, lines_before, delimiters_before, open_line = 0, 0, 0, 0
    widest_line, widest_fields = 1, 1
    for chunk_start in range(0, codes.size, _SCAN_CHUNK):
        chunk = codes[chunk_start:chunk_start + _SCAN_CHUNK]
        outside, in_quotes = _outside_quotes(chunk, in_quotes)
        running = np.cumsum((chunk == delimiter) & outside, dtype=np.int64) + delimiters_before
        ends = np.flatnonzero((chunk == line_break) & outside)
        at_ends = np.concatenate(([open_line], running[ends]))
        fields = np.diff(at_ends) + 1
        if fields.size and int(fields.max()) > widest_fields:
            widest_fields, widest_line = int(fields.max()), lines_before + int(fields.argmax()) + 1
        lines_before += ends.size
        open_line = int(at_ends[-1])
        delimiters_before = int(running[-1])
    last_fields = delimiters_before - open_line + 1
    if last_fields > widest_fields:
        widest_fields, widest_line = last_fields, lines_before + 1
    return widest_line, widest_fields


def _decimal_commas_to_floats(frame: pd.DataFrame) -> pd.DataFrame:
    converted = {}
    for column in frame.columns:
        values = frame[column].dropna()
        if not pd.api.types.is_string_dtype(frame[column]) or values.empty:
            continue
        text = values.astype(str)
        if text.str.match(_DECIMAL_COMMA).all() and text.str.contains(",", regex=False).any():
            converted[column] = pd.to_numeric(frame[column].str.replace(",", ".", regex=False))
    return frame.assign(**converted) if converted else frame


def _read_csv(data: bytes, filename: str, as_text: bool = False) -> pd.DataFrame:
    if not data.strip():
        raise TableReadError(f"'{filename}' is empty")
    text, encoding = _decode(data, filename)
    layout = csv_layout(data)
    _check_columns(filename, layout.header_fields)
    if layout.widest_fields > layout.header_fields:
        raise TableReadError(
            f"'{filename}': line {layout.widest_line:,} has {layout.widest_fields:,} fields, but the header names "
            f"only {layout.header_fields:,} columns; every line may have at most as many fields as the header"
        )
    try:
        frame = pd.read_csv(io.StringIO(text), sep=layout.delimiter, nrows=MAX_ROWS + 1,
                            dtype=str if as_text else None)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as error:
        raise TableReadError(f"'{filename}' could not be read as CSV: {error}") from error
    _check_names(filename, list(frame.columns))
    _check_shape(filename, len(frame), len(frame.columns))
    if layout.delimiter == ";" and not as_text:
        frame = _decimal_commas_to_floats(frame)
    frame.attrs.update({"encoding": encoding, "delimiter": layout.delimiter})
    return frame


def _check_parquet_metadata(filename: str, metadata: Any) -> None:
    """Shape, row groups and the uncompressed size the footer declares for every column chunk: cheap, and enough
    for an honest file; :func:`core.parquet_pages.decoded_bytes` then checks what the pages themselves say."""
    _check_shape(filename, metadata.num_rows, metadata.num_columns)
    if metadata.num_row_groups > MAX_PARQUET_ROW_GROUPS:
        raise TableReadError(f"'{filename}' has {metadata.num_row_groups:,} row groups; the limit is "
                             f"{MAX_PARQUET_ROW_GROUPS:,}")
    uncompressed = sum(metadata.row_group(group).column(column).total_uncompressed_size
                       for group in range(metadata.num_row_groups) for column in range(metadata.num_columns))
    _check_decoded(filename, uncompressed)


def _parquet_decoded_bytes(batch: Any, expanded: set[str], dictionaries: set[tuple[int, ...]]) -> int:
    """The bytes a record batch takes once the ``expanded`` dictionary columns are expanded, without expanding
    them: their strings are summed as the dictionary entries' lengths taken at the indices. Other dictionary
    columns stay dictionaries (pandas categoricals); the batches of one row group share a dictionary, so each
    dictionary counts once (``dictionaries`` holds the buffer addresses already counted)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    total = 0
    for name, column in zip(batch.schema.names, batch.columns, strict=True):
        kind = column.type
        if pa.types.is_dictionary(kind) and name in expanded:
            lengths = pc.binary_length(column.dictionary)
            total += int(pc.sum(pc.take(lengths, column.indices)).as_py() or 0) + 8 * len(column)
        elif pa.types.is_dictionary(kind):
            total += column.indices.nbytes
            key = tuple(buffer.address for buffer in column.dictionary.buffers() if buffer is not None)
            if key not in dictionaries:
                dictionaries.add(key)
                total += column.dictionary.nbytes
        elif pa.types.is_nested(kind) or pa.types.is_binary(kind) or pa.types.is_large_binary(kind):
            total += column.nbytes + _OBJECT_CELL_BYTES * len(column)
        else:
            total += column.nbytes
    return total


def _read_parquet_batches(filename: str, file: Any, expanded: set[str]) -> Any:
    """Every row of ``file`` as one Arrow table, read in batches (a row group is decoded a page at a time, not
    whole) with a running total of what the batches take once decoded, refused as soon as it passes the limit:
    whatever the file's sizes claim or the page check could not foresee (an encoding that expands, a wider Arrow
    type), memory stays within the limit and one batch."""
    import pyarrow as pa

    batches, decoded, dictionaries = [], 0, set()
    for batch in file.iter_batches(batch_size=PARQUET_BATCH_ROWS):
        decoded += _parquet_decoded_bytes(batch, expanded, dictionaries)
        _check_decoded(filename, decoded, so_far=True)
        batches.append(batch)
    return pa.Table.from_batches(batches) if batches else file.schema_arrow.empty_table()


def _read_parquet(data: bytes, filename: str) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        metadata = pq.ParquetFile(io.BytesIO(data)).metadata
        _check_parquet_metadata(filename, metadata)
        schema = metadata.schema.to_arrow_schema()
        _check_names(filename, schema.names)
        strings = {field.name for field in schema
                   if pa.types.is_string(field.type) or pa.types.is_large_string(field.type)
                   or pa.types.is_binary(field.type) or pa.types.is_large_binary(field.type)}
        _check_decoded(filename, parquet_pages.decoded_bytes(data, metadata, strings))
        table = _read_parquet_batches(filename, pq.ParquetFile(io.BytesIO(data), read_dictionary=sorted(strings)),
                                      strings)
        plain = pa.schema([field.with_type(field.type.value_type)
                           if field.name in strings and pa.types.is_dictionary(field.type) else field
                           for field in table.schema], metadata=table.schema.metadata)
        return table.cast(plain).to_pandas()
    except TableReadError:
        raise
    except (pa.ArrowException, OSError, ValueError, TypeError, KeyError) as error:
        raise TableReadError(f"'{filename}' could not be read as Parquet: {error}") from error


def _unique_names(header: tuple[object, ...]) -> list[str]:
    names: list[str] = []
    for position, cell in enumerate(header, start=1):
        base = str(cell).strip() if cell is not None and str(cell).strip() else f"column_{position}"
        name, suffix = base, 1
        while name in names:
            suffix += 1
            name = f"{base}_{suffix}"
        names.append(name)
    return names


def _xlsx_cells(archive: Any, entry: Any) -> int:
    """The cell elements in a worksheet part, counted in its XML while it is inflated chunk by chunk."""
    count, carry = 0, b""
    with archive.open(entry) as part:
        while chunk := part.read(_SCAN_CHUNK):
            window = carry + chunk
            # A tag cut off at the chunk's end is counted with the next chunk.
            cut = window.rfind(b"<", max(len(window) - _TAG_SPAN, 0))
            complete, carry = (window[:cut], window[cut:]) if cut >= 0 else (window, b"")
            count += len(_CELL_TAG.findall(complete))
    return count + len(_CELL_TAG.findall(carry))


def _check_xlsx_archive(data: bytes, filename: str) -> None:
    """The archive checks shared with the pack reader, then the shared strings and the cells of every
    worksheet, before openpyxl reads a byte of them."""
    limits = ArchiveLimits(max_total_bytes=MAX_XLSX_UNPACKED_BYTES,
                           max_part_bytes={"xl/sharedStrings.xml": MAX_XLSX_SHARED_STRINGS_BYTES})
    try:
        with open_archive(data, limits) as archive:
            check_declarations(archive)
            for entry in archive.infolist():
                if _SHEET_PART.match(entry.filename):
                    cells = _xlsx_cells(archive, entry)
                    if cells > MAX_XLSX_SHEET_CELLS:
                        raise TableReadError(
                            f"'{filename}': worksheet {entry.filename} holds {cells:,} cells; an XLSX upload may "
                            f"hold at most {MAX_XLSX_SHEET_CELLS:,} per sheet (save larger tables as CSV or Parquet)"
                        )
    except UnsafeArchive as error:
        raise TableReadError(f"'{filename}' could not be read as XLSX: {error}") from error
    except (OSError, EOFError, zlib.error) as error:
        raise TableReadError(f"'{filename}' could not be read as XLSX: {error}") from error


def _xlsx_rows(sheet: Any, filename: str) -> tuple[tuple[object, ...], list[tuple[object, ...]]]:
    """The header and the data rows (cut to the header's width) of a read-only worksheet."""
    rows_iter = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1)
    header = next(rows_iter, None)
    if header is None:
        raise TableReadError(f"'{filename}' is empty (the first worksheet has no cells)")
    while header and header[-1] is None:
        header = header[:-1]
    if not header:
        raise TableReadError(f"'{filename}' has no header row in the first worksheet")
    _check_columns(filename, len(header))
    _check_names(filename, list(header))
    width = len(header)
    rows: list[tuple[object, ...]] = []
    for row in rows_iter:
        cells = tuple(row[:width]) + (None,) * (width - len(row))
        for column, cell in enumerate(cells, start=1):
            if isinstance(cell, str) and len(cell) > MAX_XLSX_CELL_CHARS:
                raise TableReadError(f"'{filename}': row {len(rows) + 2:,}, column {column} holds {len(cell):,} "
                                     f"characters; a cell may hold at most {MAX_XLSX_CELL_CHARS:,}")
        rows.append(cells)
        if len(rows) > MAX_ROWS or len(rows) * width > MAX_CELLS:
            break
    return header, rows


def _read_xlsx(data: bytes, filename: str) -> pd.DataFrame:
    from openpyxl import load_workbook

    _check_xlsx_archive(data, filename)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types (KeyError, ParseError, …) for malformed parts
        raise TableReadError(f"'{filename}' could not be read as XLSX: {type(error).__name__}: {error}") from error
    try:
        if not workbook.worksheets:
            raise TableReadError(f"'{filename}' has no worksheet")
        header, rows = _xlsx_rows(workbook.worksheets[0], filename)
    except TableReadError:
        raise
    except Exception as error:  # a broken sheet XML raises a ParseError (a SyntaxError), a bad cell ValueError
        raise TableReadError(f"'{filename}' could not be read as XLSX: {type(error).__name__}: {error}") from error
    finally:
        workbook.close()
    while rows and all(cell is None for cell in rows[-1]):
        rows.pop()
    _check_shape(filename, len(rows), len(header))
    return pd.DataFrame(rows, columns=_unique_names(header)).infer_objects()


def read_table(data: bytes, filename: str, csv_as_text: bool = False) -> pd.DataFrame:
    """Read an uploaded CSV, Parquet or XLSX file (S7) into a DataFrame. ``csv_as_text`` keeps a CSV's cells as
    their text (empty cells NaN), for a caller that reads numbers in a notation it decides ("50.000").

    Raises TableReadError naming ``filename`` for an unsupported extension, an empty file, a file over
    20 MB, corrupt content, more than 1,000,000 rows / 500 columns / 5,000,000 cells, or any limit of the
    module docstring. CSV frames carry ``attrs["encoding"]`` and ``attrs["delimiter"]``.
    Example: ``read_table(b"a;b\\n1;2,5\\n", "x.csv")`` → one row, a=1, b=2.5.
    """
    extension = PurePath(filename).suffix.lower()
    if extension not in SUPPORTED_EXTENSIONS:
        hint = "; save it as .xlsx" if extension == ".xls" else ""
        raise TableReadError(
            f"'{filename}': unsupported file type '{extension or '(none)'}', expected .csv, .parquet or .xlsx{hint}"
        )
    if not data:
        raise TableReadError(f"'{filename}' is empty")
    if len(data) > MAX_FILE_BYTES:
        raise TableReadError(f"'{filename}' is {_megabytes(len(data))}; the limit is {_megabytes(MAX_FILE_BYTES)}")
    if extension == ".csv":
        return _read_csv(data, filename, as_text=csv_as_text)
    return {".parquet": _read_parquet, ".xlsx": _read_xlsx}[extension](data, filename)


@dataclass(frozen=True, slots=True)
class Profile:
    """S7 profile of a table.

    ``columns``: index = column name; missing_rate (fraction 0–1), n_unique (NaN excluded), dtype (text),
    sorted by missing_rate descending (ties keep the table's column order); ``top``: its first 15 rows.
    ``duplicate_row_rate``: fraction of rows that repeat an earlier row exactly.
    ``p95_age_hours``: 95th percentile of (now − timestamp) in hours over rows with a timestamp;
    ``timestamp_rows``: rows with a parseable timestamp; ``timestamp_unparseable``: non-empty values
    that are not timestamps. The timestamp fields are None when no timestamp column was chosen.
    """

    columns: pd.DataFrame
    top: pd.DataFrame
    row_count: int
    duplicate_row_rate: float
    p95_age_hours: float | None = None
    timestamp_rows: int | None = None
    timestamp_unparseable: int | None = None
    timestamp_column: str | None = None


def _hashable(frame: pd.DataFrame) -> pd.DataFrame:
    replaced = {}
    for column in frame.columns:
        series = frame[column]
        if series.dtype == object and series.map(lambda value: isinstance(value, list | dict | set | np.ndarray)).any():
            replaced[column] = series.map(lambda value: value if pd.api.types.is_scalar(value) else repr(value))
    return frame.assign(**replaced) if replaced else frame


def _as_text(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return None
    return str(value)


def parse_timestamps(series: pd.Series) -> pd.Series:
    """Timestamps as UTC datetimes (naive values are taken as UTC); unparseable or empty values → NaT.

    Strings are parsed as ISO 8601 first, then as German dd.mm.yyyy [HH:MM[:SS]].
    Raises ValueError naming the column for numeric or boolean columns.
    """
    name = series.name
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        return series.dt.tz_convert(UTC)
    if pd.api.types.is_datetime64_dtype(series.dtype):
        return series.dt.tz_localize(UTC)
    if pd.api.types.is_bool_dtype(series.dtype) or pd.api.types.is_numeric_dtype(series.dtype):
        raise ValueError(f"timestamp column '{name}' holds {series.dtype} values, not timestamps")
    text = series.map(_as_text)
    parsed = pd.to_datetime(text, utc=True, errors="coerce", format="ISO8601")
    for date_format in GERMAN_TIMESTAMP_FORMATS:
        unparsed = parsed.isna() & text.notna()
        if not unparsed.any():
            break
        parsed = parsed.where(~unparsed, pd.to_datetime(text[unparsed], utc=True, errors="coerce", format=date_format))
    return parsed


def _freshness(frame: pd.DataFrame, column: str, now: datetime | None) -> tuple[float | None, int, int]:
    if column not in frame.columns:
        raise ValueError(f"timestamp column '{column}' is not in the table")
    series = frame[column]
    parsed = parse_timestamps(series)
    present = series.notna() & (series.astype(str).str.strip() != "")
    unparseable = int((present & parsed.isna()).sum())
    valid = parsed.dropna()
    if valid.empty and unparseable:
        example = series[present & parsed.isna()].iloc[0]
        raise ValueError(f"timestamp column '{column}': no value is a timestamp (e.g. {example!r})")
    if valid.empty:
        return None, 0, 0
    reference = pd.Timestamp(now if now is not None else datetime.now(UTC))
    reference = reference.tz_localize(UTC) if reference.tzinfo is None else reference.tz_convert(UTC)
    age_hours = (reference - valid).dt.total_seconds() / 3600.0
    return float(age_hours.quantile(0.95)), len(valid), unparseable


def profile(frame: pd.DataFrame, timestamp_column: str | None = None, now: datetime | None = None) -> Profile:
    """S7 profile: per column missing_rate, n_unique (NaN excluded) and dtype, sorted by missing rate
    descending, top 15; duplicate-row rate; with a timestamp column, p95 age in hours relative to ``now``
    (default: current UTC time; naive values are UTC) and the number of rows with a timestamp.

    Raises ValueError naming the column when it is missing or holds no timestamp at all.
    Example: columns a=[1, None, 1, 1], b=["x", "y", "x", "x"] → a missing_rate 0.25, n_unique 1;
    duplicate_row_rate 0.5 (rows 3 and 4 repeat row 1).
    """
    row_count = len(frame)
    comparable = _hashable(frame)
    columns = pd.DataFrame(
        {
            "missing_rate": frame.isna().mean() if row_count else pd.Series(0.0, index=frame.columns),
            "n_unique": comparable.nunique(dropna=True).astype("int64"),
            "dtype": pd.Series({column: str(frame[column].dtype) for column in frame.columns}, dtype="str"),
        },
        index=frame.columns,
    )
    columns = columns.sort_values("missing_rate", ascending=False, kind="stable")
    duplicate_rate = float(comparable.duplicated().mean()) if row_count and len(frame.columns) else 0.0
    if timestamp_column is None:
        return Profile(columns=columns, top=columns.head(TOP_COLUMNS), row_count=row_count,
                       duplicate_row_rate=duplicate_rate)
    p95_age, timestamp_rows, unparseable = _freshness(frame, timestamp_column, now)
    return Profile(
        columns=columns,
        top=columns.head(TOP_COLUMNS),
        row_count=row_count,
        duplicate_row_rate=duplicate_rate,
        p95_age_hours=p95_age,
        timestamp_rows=timestamp_rows,
        timestamp_unparseable=unparseable,
        timestamp_column=timestamp_column,
    )
