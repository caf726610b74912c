"""S7 minimal data-profiling check: read an uploaded table safely, then profile it.

Limits (checked before or while parsing, so a hostile upload cannot exhaust memory):
files up to 20 MB, at most 1,000,000 data rows, 500 columns and 5,000,000 cells; an XLSX archive
may unpack to at most 200 MB (a compressed workbook can otherwise hide gigabytes of XML).
CSV: delimiter ";" "," or tab (chosen from the header line), encoding UTF-8 (with or without BOM),
falling back to Latin-1; with ";" as delimiter, decimal-comma numbers ("1,5") become floats.
XLSX: first worksheet, first row is the header (openpyxl, read-only). Parquet: via pyarrow.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePath

import numpy as np
import pandas as pd

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 1_000_000
MAX_COLUMNS = 500
MAX_CELLS = 5_000_000
MAX_XLSX_UNPACKED_BYTES = 200 * 1024 * 1024
TOP_COLUMNS = 15
SUPPORTED_EXTENSIONS = (".csv", ".parquet", ".xlsx")
CSV_DELIMITERS = (";", ",", "\t")
GERMAN_TIMESTAMP_FORMATS = ("%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+(,\d+)?$")


class TableReadError(ValueError):
    """An uploaded table could not be read; the message names the file and what to fix."""


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _check_shape(filename: str, rows: int, columns: int) -> None:
    if columns > MAX_COLUMNS:
        raise TableReadError(f"'{filename}' has {columns:,} columns; the limit is {MAX_COLUMNS:,}")
    if rows > MAX_ROWS:
        raise TableReadError(f"'{filename}' has more than {MAX_ROWS:,} data rows; the limit is {MAX_ROWS:,}")
    if rows * columns > MAX_CELLS:
        raise TableReadError(
            f"'{filename}' has {rows * columns:,} cells ({rows:,} rows × {columns:,} columns); "
            f"the limit is {MAX_CELLS:,}"
        )
    if rows == 0:
        raise TableReadError(f"'{filename}' has a header but no data rows")


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


def _delimiter(text: str) -> str:
    header = text.lstrip().split("\n", 1)[0]
    field_counts = {delimiter: len(next(csv.reader([header], delimiter=delimiter))) for delimiter in CSV_DELIMITERS}
    return max(CSV_DELIMITERS, key=lambda delimiter: field_counts[delimiter])


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


def _read_csv(data: bytes, filename: str) -> pd.DataFrame:
    text, encoding = _decode(data, filename)
    if not text.strip():
        raise TableReadError(f"'{filename}' is empty")
    delimiter = _delimiter(text)
    try:
        frame = pd.read_csv(io.StringIO(text), sep=delimiter, nrows=MAX_ROWS + 1)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as error:
        raise TableReadError(f"'{filename}' could not be read as CSV: {error}") from error
    _check_shape(filename, len(frame), len(frame.columns))
    if delimiter == ";":
        frame = _decimal_commas_to_floats(frame)
    frame.attrs.update({"encoding": encoding, "delimiter": delimiter})
    return frame


def _read_parquet(data: bytes, filename: str) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet_file = pq.ParquetFile(io.BytesIO(data))
        metadata = parquet_file.metadata
        _check_shape(filename, metadata.num_rows, metadata.num_columns)
        frame = pd.read_parquet(io.BytesIO(data))
    except TableReadError:
        raise
    except (pa.ArrowException, OSError, ValueError) as error:
        raise TableReadError(f"'{filename}' could not be read as Parquet: {error}") from error
    return frame


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


def _read_xlsx(data: bytes, filename: str) -> pd.DataFrame:
    from zipfile import BadZipFile, ZipFile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        with ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(entry.file_size for entry in archive.infolist())
        if unpacked > MAX_XLSX_UNPACKED_BYTES:
            raise TableReadError(
                f"'{filename}' unpacks to {_megabytes(unpacked)}; the limit is {_megabytes(MAX_XLSX_UNPACKED_BYTES)}"
            )
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except TableReadError:
        raise
    except (BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as error:
        raise TableReadError(f"'{filename}' could not be read as XLSX: {error}") from error
    try:
        sheet = workbook.worksheets[0]
        rows_iter = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1)
        header = next(rows_iter, None)
        if header is None:
            raise TableReadError(f"'{filename}' is empty (the first worksheet has no cells)")
        while header and header[-1] is None:
            header = header[:-1]
        if not header:
            raise TableReadError(f"'{filename}' has no header row in the first worksheet")
        _check_shape(filename, 1, len(header))
        width = len(header)
        rows: list[tuple[object, ...]] = []
        for row in rows_iter:
            cells = tuple(row[:width]) + (None,) * (width - len(row))
            rows.append(cells)
            if len(rows) > MAX_ROWS or len(rows) * width > MAX_CELLS:
                break
    except TableReadError:
        raise
    except (IndexError, KeyError, OSError, ValueError, TypeError) as error:
        raise TableReadError(f"'{filename}' could not be read as XLSX: {error}") from error
    finally:
        workbook.close()
    while rows and all(cell is None for cell in rows[-1]):
        rows.pop()
    _check_shape(filename, len(rows), width)
    return pd.DataFrame(rows, columns=_unique_names(header)).infer_objects()


def read_table(data: bytes, filename: str) -> pd.DataFrame:
    """Read an uploaded CSV, Parquet or XLSX file (S7) into a DataFrame.

    Raises TableReadError naming ``filename`` for an unsupported extension, an empty file, a file over
    20 MB, corrupt content, or more than 1,000,000 rows / 500 columns / 5,000,000 cells.
    CSV frames carry ``attrs["encoding"]`` and ``attrs["delimiter"]``.
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
    readers = {".csv": _read_csv, ".parquet": _read_parquet, ".xlsx": _read_xlsx}
    return readers[extension](data, filename)


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
