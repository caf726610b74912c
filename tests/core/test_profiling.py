"""S7 data profiling: safe table reading and the profile figures, against hand-computed frames."""

import io
import re
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core import profiling
from core.profiling import TableReadError, parse_timestamps, profile, read_table
from tests.security.hostile_files import understate_parquet_sizes

SAMPLE_CSV = Path(__file__).resolve().parents[2] / "sample_data" / "crm_cases.csv"
NOW = datetime(2026, 1, 2, tzinfo=UTC)


def test_missing_rate_unique_count_dtype_and_duplicates_by_hand():
    frame = pd.DataFrame({"a": [1.0, None, 1.0, 1.0], "b": ["x", "y", "x", "x"]})
    result = profile(frame)
    assert list(result.columns.index) == ["a", "b"]  # a has 1 of 4 missing, b none
    assert result.columns.loc["a", "missing_rate"] == pytest.approx(0.25)
    assert result.columns.loc["b", "missing_rate"] == 0.0
    assert result.columns.loc["a", "n_unique"] == 1  # NaN excluded
    assert result.columns.loc["b", "n_unique"] == 2
    assert result.columns.loc["a", "dtype"] == "float64"
    assert result.columns.loc["b", "dtype"] == "str"  # pandas 3 default string dtype
    assert result.duplicate_row_rate == pytest.approx(0.5)  # rows 3 and 4 repeat row 1
    assert result.row_count == 4
    assert result.p95_age_hours is None and result.timestamp_rows is None


def test_columns_are_sorted_by_missing_rate_and_top_keeps_fifteen():
    frame = pd.DataFrame({f"c{i:02d}": [None] * (i % 5) + [1.0] * (10 - i % 5) for i in range(20)})
    result = profile(frame)
    rates = result.columns["missing_rate"].to_numpy()
    assert (np.diff(rates) <= 0).all()
    assert rates[0] == pytest.approx(0.4)  # 4 of 10 missing
    assert len(result.columns) == 20
    assert len(result.top) == 15
    assert list(result.top.index[:4]) == ["c04", "c09", "c14", "c19"]  # ties keep column order


def test_p95_age_in_hours_by_hand():
    frame = pd.DataFrame({
        "updated_at": [
            "2026-01-01T00:00:00Z",  # 24 h before NOW
            "2026-01-01T12:00:00",  # naive → UTC, 12 h
            "2026-01-01T23:00:00+01:00",  # 22:00 UTC, 2 h
            None,
            "01.01.2026 18:00",  # German format, 6 h
        ]
    })
    result = profile(frame, "updated_at", now=NOW)
    # ages sorted 2, 6, 12, 24; linear p95 at position 0.95·3 = 2.85 → 12 + 0.85·12 = 22.2
    assert result.p95_age_hours == pytest.approx(22.2)
    assert result.timestamp_rows == 4
    assert result.timestamp_unparseable == 0
    assert result.timestamp_column == "updated_at"


def test_naive_now_is_taken_as_utc():
    frame = pd.DataFrame({"t": ["2026-01-01T00:00:00Z"]})
    assert profile(frame, "t", now=datetime(2026, 1, 1, 6)).p95_age_hours == pytest.approx(6.0)


def test_datetime_columns_naive_and_aware():
    naive = pd.DataFrame({"t": pd.to_datetime(["2026-01-01 00:00", "2026-01-01 12:00"])})
    aware = pd.DataFrame({"t": pd.to_datetime(["2026-01-01 01:00", "2026-01-01 13:00"]).tz_localize("Europe/Berlin")})
    # ages 24 and 12 → p95 = 12 + 0.95·12 = 23.4
    assert profile(naive, "t", now=NOW).p95_age_hours == pytest.approx(23.4)
    assert profile(aware, "t", now=NOW).p95_age_hours == pytest.approx(23.4)


def test_partly_unparseable_timestamps_are_counted_not_used():
    frame = pd.DataFrame({"t": ["2026-01-01T00:00:00Z", "gestern", None]})
    result = profile(frame, "t", now=NOW)
    assert result.timestamp_rows == 1
    assert result.timestamp_unparseable == 1
    assert result.p95_age_hours == pytest.approx(24.0)


def test_column_without_any_timestamp_raises_naming_it():
    with pytest.raises(ValueError, match="'comment'"):
        profile(pd.DataFrame({"comment": ["abc", "def"]}), "comment", now=NOW)
    with pytest.raises(ValueError, match="'amount'"):
        profile(pd.DataFrame({"amount": [1.5, 2.0]}), "amount", now=NOW)
    with pytest.raises(ValueError, match="'nope'"):
        profile(pd.DataFrame({"a": [1]}), "nope", now=NOW)


def test_all_missing_timestamps_give_no_age():
    result = profile(pd.DataFrame({"t": pd.Series([None, None], dtype="str")}), "t", now=NOW)
    assert result.p95_age_hours is None
    assert result.timestamp_rows == 0


def test_iso_timestamps_are_never_read_day_first():
    parsed = parse_timestamps(pd.Series(["2026-01-02T10:00:00", "03.02.2026"]))
    assert list(parsed) == [pd.Timestamp("2026-01-02 10:00", tz="UTC"), pd.Timestamp("2026-02-03", tz="UTC")]


def test_unhashable_cells_do_not_break_the_profile():
    frame = pd.DataFrame({"tags": [["a"], ["a"], None], "n": [1, 1, 2]})
    result = profile(frame)
    assert result.columns.loc["tags", "n_unique"] == 1
    assert result.duplicate_row_rate == pytest.approx(1 / 3)


def test_empty_frame_profiles_without_division_errors():
    result = profile(pd.DataFrame({"a": pd.Series([], dtype="float64")}))
    assert result.row_count == 0
    assert result.duplicate_row_rate == 0.0
    assert result.columns.loc["a", "missing_rate"] == 0.0


def test_sample_csv_profile_against_an_independent_computation():
    frame = read_table(SAMPLE_CSV.read_bytes(), "crm_cases.csv")
    now = datetime(2026, 4, 15, tzinfo=UTC)
    result = profile(frame, "updated_at", now=now)
    assert result.row_count == 2_000
    assert result.duplicate_row_rate == pytest.approx(0.03)  # 60 copied rows
    assert result.columns.index[0] == "satisfaction"
    text_rows = SAMPLE_CSV.read_text(encoding="utf-8").splitlines()[1:]
    stamps = [line.rsplit(",", 1)[1] for line in text_rows]
    ages = [(now - datetime.fromisoformat(stamp)).total_seconds() / 3600 for stamp in stamps if stamp]
    assert result.timestamp_rows == len(ages)
    assert result.p95_age_hours == pytest.approx(float(np.percentile(ages, 95)))
    satisfaction = [line.split(",")[7] for line in text_rows]
    assert result.columns.loc["satisfaction", "missing_rate"] == pytest.approx(satisfaction.count("") / 2_000)
    assert result.columns.loc["satisfaction", "n_unique"] == 5


def test_csv_with_semicolons_and_decimal_commas():
    frame = read_table("Größe;Preis;Menge\nklein;1,5;3\ngroß;2,25;4\n".encode(), "preise.csv")
    assert list(frame.columns) == ["Größe", "Preis", "Menge"]
    assert frame["Preis"].tolist() == [1.5, 2.25]
    assert frame["Menge"].tolist() == [3, 4]
    assert frame.attrs == {"encoding": "utf-8", "delimiter": ";"}


def test_csv_in_latin1_and_with_bom():
    latin = read_table("Größe;Straße\nä;ö\n".encode("latin-1"), "alt.csv")
    assert list(latin.columns) == ["Größe", "Straße"]
    assert latin.attrs["encoding"] == "latin-1"
    bom = read_table("\ufeffid,name\n1,Müller\n".encode(), "excel.csv")
    assert list(bom.columns) == ["id", "name"]
    assert bom.attrs["encoding"] == "utf-8-sig"
    assert bom.attrs["delimiter"] == ","


def test_parquet_round_trip():
    original = pd.DataFrame({"id": [1, 2], "t": pd.to_datetime(["2026-01-01", "2026-01-02"], utc=True)})
    buffer = io.BytesIO()
    original.to_parquet(buffer)
    frame = read_table(buffer.getvalue(), "daten.PARQUET")
    pd.testing.assert_frame_equal(frame, original)


def _xlsx(rows):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_first_sheet_header_and_types():
    data = _xlsx([["id", None, "id", "updated_at"], [1, "a", 3, datetime(2026, 1, 1, 12)], [2, None, 4, None]])
    frame = read_table(data, "liste.xlsx")
    assert list(frame.columns) == ["id", "column_2", "id_2", "updated_at"]
    assert frame["id"].tolist() == [1, 2]
    assert profile(frame, "updated_at", now=NOW).p95_age_hours == pytest.approx(12.0)


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"a,b\n1,2\n", "notes.txt", "'notes.txt': unsupported file type '.txt'"),
        (b"a,b\n1,2\n", "alt.xls", "save it as .xlsx"),
        (b"a,b\n1,2\n", "README", "unsupported file type '(none)'"),
        (b"", "leer.csv", "'leer.csv' is empty"),
        (b"  \n\n", "leer.csv", "'leer.csv' is empty"),
        (b"", "leer.xlsx", "'leer.xlsx' is empty"),
        (b"a,b\n", "nur_kopf.csv", "'nur_kopf.csv' has a header but no data rows"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "bild.csv", "'bild.csv' is not a text CSV"),
        (b"PAR1 this is not parquet", "kaputt.parquet", "'kaputt.parquet' could not be read as Parquet"),
        (b"not a zip archive", "kaputt.xlsx", "'kaputt.xlsx' could not be read as XLSX"),
        (b'a,b\n1,"2\n', "offen.csv", "'offen.csv' could not be read as CSV"),
    ],
)
def test_unreadable_files_raise_a_clear_error_naming_the_file(data, filename, message):
    with pytest.raises(TableReadError, match=re.escape(message)):
        read_table(data, filename)


def test_table_read_error_is_a_value_error():
    assert issubclass(TableReadError, ValueError)


def test_file_over_20_mb_is_rejected_before_parsing():
    data = b"a\n" + b"1\n" * (10 * 1024 * 1024)
    with pytest.raises(TableReadError, match=r"'gross.csv' is 20.0 MB; the limit is 20.0 MB"):
        read_table(data + b"1", "gross.csv")


def test_too_many_columns():
    header = ",".join(f"c{i}" for i in range(profiling.MAX_COLUMNS + 1))
    row = ",".join("1" for _ in range(profiling.MAX_COLUMNS + 1))
    with pytest.raises(TableReadError, match=re.escape("'breit.csv' has 501 columns; the limit is 500")):
        read_table(f"{header}\n{row}\n".encode(), "breit.csv")


def test_too_many_rows_and_cells(monkeypatch):
    monkeypatch.setattr(profiling, "MAX_ROWS", 3)
    with pytest.raises(TableReadError, match=re.escape("'lang.csv' has more than 3 data rows")):
        read_table(b"a\n1\n2\n3\n4\n", "lang.csv")
    with pytest.raises(TableReadError, match=re.escape("'lang.xlsx' has more than 3 data rows")):
        read_table(_xlsx([["a"], [1], [2], [3], [4]]), "lang.xlsx")
    monkeypatch.setattr(profiling, "MAX_ROWS", 100)
    monkeypatch.setattr(profiling, "MAX_CELLS", 5)
    with pytest.raises(TableReadError, match=re.escape("'zellen.csv' has 6 cells")):
        read_table(b"a,b\n1,2\n3,4\n5,6\n", "zellen.csv")
    buffer = io.BytesIO()
    pd.DataFrame({"a": [1, 2, 3], "b": [4, 5, 6]}).to_parquet(buffer)
    with pytest.raises(TableReadError, match=re.escape("'zellen.parquet' has 6 cells")):
        read_table(buffer.getvalue(), "zellen.parquet")


def test_xlsx_that_unpacks_too_large_is_rejected(monkeypatch):
    monkeypatch.setattr(profiling, "MAX_XLSX_UNPACKED_BYTES", 1_000)
    message = "'bombe.xlsx' could not be read as XLSX: the archive unpacks to"
    with pytest.raises(TableReadError, match=re.escape(message)):
        read_table(_xlsx([["a"], [1]]), "bombe.xlsx")


@pytest.mark.parametrize(("data", "layout"), [
    (b'a;b\n1;"2;3"\n4;5;6\n', profiling.CsvLayout(";", 2, 3, 3)),  # the quoted ";" is no delimiter
    (b'\n\n a,b\n1,2\n', profiling.CsvLayout(",", 2, 1, 2)),        # blank lines before the header are skipped
    (b'a,b\r\n1,2,3\r\n', profiling.CsvLayout(",", 2, 2, 3)),
    (b"a,b\r1,2,3\r", profiling.CsvLayout(",", 2, 2, 3)),            # "\r" alone ends lines when there is no "\n"
    (b'a\tb\tc\n"x\ny"\t2\t3\n', profiling.CsvLayout("\t", 3, 1, 3)),  # a quoted line break is no line break
    (b"a,b", profiling.CsvLayout(",", 2, 1, 2)),
])
def test_csv_layout_counts_fields_outside_quotes(data, layout):
    assert profiling.csv_layout(data) == layout


def test_csv_layout_carries_quotes_and_fields_across_scan_chunks():
    # The quoted field and the third line's fields straddle the 1 MiB chunk boundary.
    padding = b"x" * (2**20 - 10)
    data = b'a,b,c\n"' + padding + b',,,"\n1,2,3,4\n'
    assert profiling.csv_layout(data) == profiling.CsvLayout(",", 3, 3, 4)


def test_a_line_with_more_fields_than_the_header_is_refused_naming_it():
    with pytest.raises(TableReadError, match=re.escape(
            "'mehr.csv': line 3 has 3 fields, but the header names only 2 columns")):
        read_table(b"a,b\n1,2\n1,2,3\n", "mehr.csv")


def test_a_header_line_over_131072_characters_reads_when_every_name_is_within_the_limit():
    names = [f"{index:03d}" + "n" * 696 for index in range(200)]
    data = (",".join(names) + "\n" + ",".join(["1"] * 200) + "\n").encode()
    assert len(data.split(b"\n")[0]) > 131_072
    frame = read_table(data, "breit.csv")
    assert frame.shape == (1, 200)
    assert list(frame.columns) == names


def test_a_column_name_over_the_limit_is_refused_naming_the_column():
    data = b"id," + b"n" * (profiling.MAX_NAME_CHARS + 1) + b"\n1,2\n"
    with pytest.raises(TableReadError, match=re.escape(
            f"'k.csv': the name of column 2 has {profiling.MAX_NAME_CHARS + 1:,} characters")):
        read_table(data, "k.csv")


def _parquet(table, **options) -> bytes:
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(table, buffer, **options)
    return buffer.getvalue()


def test_parquet_decoded_size_is_summed_from_the_dictionary_before_expanding(monkeypatch):
    import pyarrow as pa

    # 1,000 rows of one 100-byte string: 100,000 bytes of text plus 8 bytes of offset per row.
    column = pa.DictionaryArray.from_arrays(pa.array(np.zeros(1_000, dtype=np.int32)), pa.array(["x" * 100]))
    data = _parquet(pa.table({"text": column}), store_schema=False)
    monkeypatch.setattr(profiling, "MAX_DECODED_BYTES", 108_000)
    assert read_table(data, "ok.parquet")["text"].str.len().tolist() == [100] * 1_000
    monkeypatch.setattr(profiling, "MAX_DECODED_BYTES", 107_999)
    with pytest.raises(TableReadError, match=r"'zu.parquet' would take at least 0.1 MB once decoded; the limit is 0.1"):
        read_table(data, "zu.parquet")


def test_parquet_uncompressed_pages_are_bounded_from_the_metadata(monkeypatch):
    import pyarrow as pa

    data = _parquet(pa.table({"n": np.zeros(100_000, dtype=np.int64)}), compression="zstd")
    monkeypatch.setattr(profiling, "MAX_DECODED_BYTES", 100_000)
    with pytest.raises(TableReadError, match=r"'n.parquet' would take 0.\d MB once decoded"):
        read_table(data, "n.parquet")


def test_a_footer_understating_its_sizes_is_refused_from_the_page_headers_before_decoding(monkeypatch):
    import pyarrow as pa
    import pyarrow.parquet as pq

    honest = _parquet(pa.table({"n": np.zeros(10_000, dtype=np.int64)}), compression="zstd", use_dictionary=False)
    forged = understate_parquet_sizes(honest)
    metadata = pq.ParquetFile(io.BytesIO(forged)).metadata
    assert metadata.row_group(0).column(0).total_uncompressed_size == 1  # the forgery took
    assert pq.read_table(io.BytesIO(forged))["n"].to_pylist() == [0] * 10_000  # and the file still reads
    monkeypatch.setattr(profiling, "MAX_DECODED_BYTES", 40_000)
    monkeypatch.setattr(profiling, "_read_parquet_batches", lambda *_: pytest.fail("the forged file was decoded"))
    with pytest.raises(TableReadError, match=r"^'f.parquet' would take 0.1 MB once decoded; the limit is 0.0 MB$"):
        read_table(forged, "f.parquet")


def test_a_dictionary_encoded_wide_value_counts_at_its_width_per_row(monkeypatch):
    import pyarrow as pa

    # 200 rows of one 1,000-byte value: the footer declares about one value, decoding takes 200,000 bytes.
    blobs = pa.FixedSizeBinaryArray.from_buffers(pa.binary(1_000), 200, [None, pa.allocate_buffer(200_000)])
    data = _parquet(pa.table({"blob": blobs}), compression="zstd")
    assert len(data) < 5_000  # the column statistics hold the value twice
    monkeypatch.setattr(profiling, "MAX_DECODED_BYTES", 199_999)
    monkeypatch.setattr(profiling, "_read_parquet_batches", lambda *_: pytest.fail("the file was decoded"))
    with pytest.raises(TableReadError, match=r"^'w.parquet' would take 0.2 MB once decoded; the limit is 0.2 MB$"):
        read_table(data, "w.parquet")


def test_the_rows_are_read_in_batches_and_refused_once_their_running_total_passes_the_limit(monkeypatch):
    import pyarrow as pa

    # As if the footer and the page check had both missed an expansion: only the running total stands.
    monkeypatch.setattr(profiling, "_check_parquet_metadata", lambda *_: None)
    monkeypatch.setattr(profiling.parquet_pages, "decoded_bytes", lambda *_: 0)
    monkeypatch.setattr(profiling, "PARQUET_BATCH_ROWS", 100)
    monkeypatch.setattr(profiling, "MAX_DECODED_BYTES", 2_000)
    counted = []
    real = profiling._parquet_decoded_bytes
    monkeypatch.setattr(profiling, "_parquet_decoded_bytes", lambda *arguments: counted.append(1) or real(*arguments))
    data = _parquet(pa.table({"n": np.arange(1_000, dtype=np.int64)}), row_group_size=1_000)
    with pytest.raises(TableReadError, match=r"^'r.parquet' would take at least 0.0 MB once decoded"):
        read_table(data, "r.parquet")
    assert len(counted) == 3  # 800 bytes per batch of 100 rows: the third passes 2,000, the other seven stay unread


@pytest.mark.parametrize("options", [
    {"compression": "zstd", "use_dictionary": False},
    {"compression": "snappy", "use_dictionary": False, "data_page_version": "2.0"},
    {"compression": "none", "use_dictionary": False, "write_page_index": True, "data_page_size": 4_096},
], ids=["v1_zstd", "v2_snappy", "uncompressed_small_pages_with_index"])
def test_the_page_headers_of_an_honest_file_add_up_to_its_declared_sizes(options):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from core import parquet_pages

    table = pa.table({"n": np.arange(50_000, dtype=np.int64), "s": [f"text {i}" for i in range(50_000)],
                      "l": [[i, i + 1] for i in range(50_000)], "f": np.linspace(0, 1, 50_000)})
    data = _parquet(table, row_group_size=20_000, **options)
    metadata = pq.ParquetFile(io.BytesIO(data)).metadata
    declared = sum(metadata.row_group(g).column(c).total_uncompressed_size
                   for g in range(metadata.num_row_groups) for c in range(metadata.num_columns))
    pages = parquet_pages.decoded_bytes(data, metadata, {"s"})
    assert 0.95 * declared < pages < declared  # the declared sizes also count the page headers themselves


def test_honest_parquet_files_still_read_whole(monkeypatch):
    import pyarrow as pa

    monkeypatch.setattr(profiling, "PARQUET_BATCH_ROWS", 7)
    original = pd.DataFrame({"n": range(50), "s": [f"v{i % 3}" for i in range(50)],
                             "c": pd.Categorical([f"k{i % 4}" for i in range(50)])})
    buffer = io.BytesIO()
    original.to_parquet(buffer, row_group_size=20)
    pd.testing.assert_frame_equal(read_table(buffer.getvalue(), "t.parquet"), original)
    nested = _parquet(pa.table({"l": [[1, 2], [3]], "x": ["a", "b"]}))
    assert read_table(nested, "liste.parquet")["x"].tolist() == ["a", "b"]


def test_parquet_categoricals_stay_categoricals_and_strings_stay_strings():
    original = pd.DataFrame({"c": pd.Categorical(["u", "v", "u"]), "s": ["x", None, "y"], "b": [b"1", b"2", b"3"]})
    buffer = io.BytesIO()
    original.to_parquet(buffer)
    pd.testing.assert_frame_equal(read_table(buffer.getvalue(), "t.parquet"), original)


def test_broken_xlsx_sheet_xml_is_a_read_error_not_a_crash():
    data = _xlsx([["a"], [1]])
    broken = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(broken, "w") as target:
        for entry in source.infolist():
            content = source.read(entry)
            target.writestr(entry, content[:-40] if entry.filename == "xl/worksheets/sheet1.xml" else content)
    with pytest.raises(TableReadError, match=r"'kaputt.xlsx' could not be read as XLSX: ParseError"):
        read_table(broken.getvalue(), "kaputt.xlsx")


def test_xlsx_cells_are_counted_before_openpyxl_reads_the_sheet(monkeypatch):
    data = _xlsx([["a", "b"], [1, 2], [3, 4]])
    monkeypatch.setattr(profiling, "MAX_XLSX_SHEET_CELLS", 5)
    with pytest.raises(TableReadError, match=r"holds 6 cells; an XLSX upload may hold at most 5 per sheet"):
        read_table(data, "z.xlsx")
    monkeypatch.setattr(profiling, "MAX_XLSX_SHEET_CELLS", 6)
    assert read_table(data, "z.xlsx").shape == (2, 2)
