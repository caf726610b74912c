"""Hostile uploads, built in code (no binaries in the repository), each with the refusal it must get.

``TABLES``: Data readiness uploads (S7 profiling); ``PACKS``: Excel decision packs for Export's re-import;
``WORKSPACES``: workspace JSON documents (the 20 MB shapes of :mod:`tests.security.test_json_parse`).
Every case is ``name → (filename, build, expected)``: ``build()`` returns the file's bytes, ``expected`` is a
regular expression the refusal must match (it names the file, where the entry point shows one, and the
limit). The files are written to disk by the runner, so building them (up to ≈150 MB of source for the
Parquet bombs) does not count against the memory of the process that reads them.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

import numpy as np

from core import profiling
from core.archives import MAX_COMPRESSION_RATIO
from tests.security import test_json_parse as json_documents

Case = tuple[str, Callable[[], bytes], str]

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="xl/workbook.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
    "</Relationships>"
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Daten" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="worksheets/sheet1.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
    '<Relationship Id="rId2" Target="sharedStrings.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>'
    "</Relationships>"
)
SHEET_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
              '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
SHEET_TAIL = "</sheetData></worksheet>"
SHARED_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
               '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">')


def _workbook(sheet_rows: str | Callable[[zipfile.ZipFile], None], shared: str | Callable | None = None,
              sheet_head: str = SHEET_HEAD) -> bytes:
    """A minimal xlsx; a callable part is streamed into the archive (so a 150 MB part never sits in memory)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        if callable(sheet_rows):
            sheet_rows(archive)
        else:
            archive.writestr("xl/worksheets/sheet1.xml", sheet_head + sheet_rows + SHEET_TAIL)
        if callable(shared):
            shared(archive)
        else:
            archive.writestr("xl/sharedStrings.xml", SHARED_HEAD + (shared or "") + "</sst>")
    return buffer.getvalue()


def _streamed(name: str, head: str, unit: bytes, count: int, tail: str) -> Callable[[zipfile.ZipFile], None]:
    def write(archive: zipfile.ZipFile) -> None:
        with archive.open(name, "w", force_zip64=True) as part:
            part.write(head.encode())
            block = unit * max(1, (1 << 20) // len(unit))
            written = 0
            while written + len(block) // len(unit) <= count:
                part.write(block)
                written += len(block) // len(unit)
            part.write(unit * (count - written))
            part.write(tail.encode())
    return write


HEADER_ROW = '<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c></row>'


def xlsx_one_shared_string_of_150_mb() -> bytes:
    """The issue's 147 KB workbook whose header is one 150 MB shared string (1.7 GB in openpyxl)."""
    return _workbook('<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2"><v>1</v></c></row>',
                     _streamed("xl/sharedStrings.xml", SHARED_HEAD + "<si><t>", b"a", 150 * 2**20,
                               "</t></si></sst>"))


def xlsx_shared_strings_over_the_part_limit() -> bytes:
    """40 MB of shared strings that compress only ≈10:1 (under the ratio cap), over the part limit."""
    rng = np.random.default_rng(7)
    words = "".join(f"<si><t>{word}</t></si>" for word in rng.integers(0, 10**9, 2_000_000).astype(str))
    return _workbook(HEADER_ROW, words[:40 * 2**20])


def xlsx_sheet_xml_bomb() -> bytes:
    return _workbook(_streamed("xl/worksheets/sheet1.xml", SHEET_HEAD + HEADER_ROW, b" ", 150 * 2**20,
                               SHEET_TAIL))


def xlsx_too_many_cells() -> bytes:
    rows = "".join(f'<row r="{row}">' + "<c><v>1</v></c>" * 10 + "</row>" for row in range(2, 30_002))
    return _workbook('<row r="1">' + "".join(f'<c t="inlineStr"><is><t>c{column}</t></is></c>'
                                            for column in range(10)) + "</row>" + rows)


def xlsx_one_row_of_a_million_cells() -> bytes:
    """One row of a million distinct numbers (≈10:1 compressed, under the ratio cap): openpyxl builds a row's
    cells as one list before it yields the row, ≈9 s and a few hundred MB for this one."""
    def write(archive: zipfile.ZipFile) -> None:
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            part.write((SHEET_HEAD + HEADER_ROW + '<row r="2">').encode())
            for start in range(0, 1_000_000, 10_000):
                part.write("".join(f"<c><v>{value}</v></c>" for value in range(start, start + 10_000)).encode())
            part.write(("</row>" + SHEET_TAIL).encode())
    return _workbook(write)


def xlsx_long_cell() -> bytes:
    return _workbook(HEADER_ROW + f'<row r="2"><c r="A2" t="inlineStr"><is><t>{"x" * 40_000}</t></is></c></row>')


def xlsx_broken_sheet_xml() -> bytes:
    return _workbook('<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c></row><row r="2"><c r="A2"><v>1')


def xlsx_entity_expansion() -> bytes:
    laughs = '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    head = SHEET_HEAD.replace("?>", "?>" + laughs, 1)
    return _workbook('<row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row>', sheet_head=head)


def xlsx_many_entries() -> bytes:
    buffer = io.BytesIO(_workbook(HEADER_ROW))
    with zipfile.ZipFile(buffer, "a") as archive:
        for index in range(10_001):
            archive.writestr(f"xl/extra/{index}.xml", "")
    return buffer.getvalue()


def parquet_dictionary_of_one_long_string() -> bytes:
    """The issue's 207 KB Parquet file: one dictionary-encoded column, one 5 KB string a million times (5 GB
    once decoded into pandas). Written without the Arrow schema, as other tools write it: a column stored as
    an Arrow dictionary would stay one (a pandas categorical) and is no threat."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    indices = pa.array(np.zeros(1_000_000, dtype=np.int32))
    column = pa.DictionaryArray.from_arrays(indices, pa.array(["x" * 5_000]))
    buffer = io.BytesIO()
    pq.write_table(pa.table({"text": column}), buffer, compression="zstd", store_schema=False)
    return buffer.getvalue()


def parquet_zero_pages() -> bytes:
    """150 MB of zero bytes in 1,500 cells of 100 KB, compressed to a few kilobytes."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    kind = pa.binary(100_000)
    column = pa.FixedSizeBinaryArray.from_buffers(kind, 1_500, [None, pa.allocate_buffer(150_000_000)])
    buffer = io.BytesIO()
    pq.write_table(pa.table({"blob": column}), buffer, compression="zstd", use_dictionary=False)
    return buffer.getvalue()


def _varint_end(data: bytes, position: int) -> int:
    while data[position] & 0x80:
        position += 1
    return position + 1


def _footer_integers(data: bytes, position: int, path: tuple[int, ...], found: dict) -> int:
    """Walk one Thrift compact struct of a Parquet footer from ``position``; record where every integer field
    is (``found[path] = [(start, end), …]``, a path of field ids, list elements not counted); return the end."""
    field_id = 0
    while True:
        header = data[position]
        position += 1
        kind = header & 0x0F
        if kind == 0:
            return position
        if header >> 4:
            field_id += header >> 4
        else:
            end = _varint_end(data, position)
            value = _varint(data[position:end])
            field_id, position = (value >> 1) ^ -(value & 1), end
        position = _footer_value(data, position, kind, (*path, field_id), found)


def _footer_value(data: bytes, position: int, kind: int, path: tuple[int, ...], found: dict) -> int:
    if kind in (1, 2):
        return position
    if kind == 3:
        return position + 1
    if kind in (4, 5, 6):
        end = _varint_end(data, position)
        found.setdefault(path, []).append((position, end))
        return end
    if kind == 7:
        return position + 8
    if kind == 8:
        end = _varint_end(data, position)
        return end + _varint(data[position:end])
    if kind in (9, 10):
        size, element = data[position] >> 4, data[position] & 0x0F
        position += 1
        if size == 15:
            end = _varint_end(data, position)
            size, position = _varint(data[position:end]), end
        for _ in range(size):
            position = position + 1 if element in (1, 2) else _footer_value(data, position, element, path, found)
        return position
    if kind == 12:
        return _footer_integers(data, position, path, found)
    raise ValueError(f"Thrift type {kind} is not expected in a Parquet footer")


def _varint(encoded: bytes) -> int:
    return sum((byte & 0x7F) << (7 * index) for index, byte in enumerate(encoded))


# FileMetaData.row_groups (4) → RowGroup.total_byte_size (2), and RowGroup.columns (1) → ColumnChunk.meta_data
# (3) → ColumnMetaData.total_uncompressed_size (6).
_DECLARED_SIZES = ((4, 2), (4, 1, 3, 6))


def understate_parquet_sizes(data: bytes) -> bytes:
    """``data`` with every size its footer declares for decoding rewritten as 1 byte, in place: each number keeps
    its length, padded with continuation bytes (a decoder reads 0x82 0x80 0x00 as 2, zigzag for 1), so nothing
    moves and the pages and their offsets stay as written."""
    length = int.from_bytes(data[-8:-4], "little")
    start = len(data) - 8 - length
    found: dict = {}
    _footer_integers(data, start, (), found)
    forged = bytearray(data)
    for path in _DECLARED_SIZES:
        for begin, end in found.get(path, []):
            width = end - begin
            forged[begin:end] = b"\x02" if width == 1 else b"\x82" + b"\x80" * (width - 2) + b"\x00"
    return bytes(forged)


def _zero_blobs(rows: int) -> object:
    import pyarrow as pa

    return pa.table({"blob": pa.FixedSizeBinaryArray.from_buffers(pa.binary(100_000), rows,
                                                                  [None, pa.allocate_buffer(rows * 100_000)])})


def parquet_footer_understating_its_sizes() -> bytes:
    """1 GB of zero bytes (10 row groups of 1,000 cells of 100 KB, plain-encoded, compressed to kilobytes) whose
    footer declares 1 byte per column chunk and row group: only the page headers tell the truth."""
    import pyarrow.parquet as pq

    buffer, table = io.BytesIO(), _zero_blobs(1_000)
    with pq.ParquetWriter(buffer, table.schema, compression="zstd", use_dictionary=False) as writer:
        for _ in range(10):
            writer.write_table(table)
    return understate_parquet_sizes(buffer.getvalue())


def parquet_dictionary_of_one_wide_value() -> bytes:
    """A few hundred bytes per row group with honest sizes: 10,000 rows of one dictionary-encoded 100 KB value
    (the footer counts the dictionary once, 100 KB; decoded, the rows take 1 GB)."""
    import pyarrow.parquet as pq

    buffer, table = io.BytesIO(), _zero_blobs(1_000)
    with pq.ParquetWriter(buffer, table.schema, compression="zstd") as writer:
        for _ in range(10):
            writer.write_table(table)
    return buffer.getvalue()


def parquet_many_row_groups() -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(pa.table({"n": np.arange(12_000)}), buffer, row_group_size=1, compression="none")
    return buffer.getvalue()


def parquet_long_column_name() -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(pa.table({"n" * 5_000: [1, 2]}), buffer)
    return buffer.getvalue()


def csv_one_row_of_many_fields() -> bytes:
    """The issue's CSV: a two-name header and one row of ten million fields ("1 row, 2 columns")."""
    return b"a,b\n" + b"1," * ((profiling.MAX_FILE_BYTES - 5) // 2) + b"1\n"


def csv_header_name_over_131072_characters() -> bytes:
    return b"id," + b"n" * 140_000 + b"\n1,2\n"


def csv_unterminated_quote() -> bytes:
    return b'a,b\n1,"' + b"x" * (profiling.MAX_FILE_BYTES - 20) + b"\n"


def csv_too_many_columns() -> bytes:
    return (",".join(f"c{index}" for index in range(20_000)) + "\n" + ",".join(["1"] * 20_000) + "\n").encode()


FILE = r"'{name}'"
TABLES: dict[str, Case] = {
    "xlsx_one_shared_string_of_150_mb": (
        "kopf.xlsx", xlsx_one_shared_string_of_150_mb,
        rf"{FILE}.*xl/sharedStrings.xml unpacks to [\d,]+ bytes \(limit {profiling.MAX_XLSX_SHARED_STRINGS_BYTES:,}\)"),
    "xlsx_shared_strings_over_the_part_limit": (
        "woerter.xlsx", xlsx_shared_strings_over_the_part_limit,
        rf"{FILE}.*xl/sharedStrings.xml unpacks to [\d,]+ bytes \(limit {profiling.MAX_XLSX_SHARED_STRINGS_BYTES:,}\)"),
    "xlsx_sheet_xml_bomb": ("leer.xlsx", xlsx_sheet_xml_bomb,
                            rf"{FILE}.*compresses [\d,]+:1 \(limit {MAX_COMPRESSION_RATIO:,.0f}:1\)"),
    "xlsx_too_many_cells": ("zellen.xlsx", xlsx_too_many_cells,
                            rf"{FILE}.*holds [\d,]+ cells; .*at most {profiling.MAX_XLSX_SHEET_CELLS:,} per sheet"),
    "xlsx_one_row_of_a_million_cells": ("zeile.xlsx", xlsx_one_row_of_a_million_cells,
                                        rf"{FILE}.*holds [\d,]+ cells; .*at most {profiling.MAX_XLSX_SHEET_CELLS:,}"),
    "xlsx_long_cell": ("lang.xlsx", xlsx_long_cell,
                       rf"{FILE}: row 2, column 1 holds 40,000 characters; a cell may hold at most "
                       rf"{profiling.MAX_XLSX_CELL_CHARS:,}"),
    "xlsx_broken_sheet_xml": ("kaputt.xlsx", xlsx_broken_sheet_xml, rf"{FILE} could not be read as XLSX: \w+"),
    "xlsx_entity_expansion": ("lol.xlsx", xlsx_entity_expansion, rf"{FILE}.*declares a DOCTYPE or ENTITY"),
    "xlsx_many_entries": ("viele.xlsx", xlsx_many_entries, rf"{FILE}.*holds 10,0\d\d entries \(limit 10,000\)"),
    "parquet_dictionary_of_one_long_string": (
        "text.parquet", parquet_dictionary_of_one_long_string,
        rf"{FILE} would take at least [\d,.]+ MB once decoded; the limit is "
        rf"{profiling.MAX_DECODED_BYTES / 2**20:.1f} MB"),
    "parquet_zero_pages": ("null.parquet", parquet_zero_pages,
                           rf"{FILE} would take [\d,.]+ MB once decoded; the limit is "
                           rf"{profiling.MAX_DECODED_BYTES / 2**20:.1f} MB"),
    "parquet_footer_understating_its_sizes": ("luege.parquet", parquet_footer_understating_its_sizes,
                                              rf"{FILE} would take 95[\d.]+ MB once decoded; the limit is "
                                              rf"{profiling.MAX_DECODED_BYTES / 2**20:.1f} MB"),
    "parquet_dictionary_of_one_wide_value": ("breit.parquet", parquet_dictionary_of_one_wide_value,
                                             rf"{FILE} would take 95[\d.]+ MB once decoded; the limit is "
                                             rf"{profiling.MAX_DECODED_BYTES / 2**20:.1f} MB"),
    "parquet_many_row_groups": ("gruppen.parquet", parquet_many_row_groups,
                                rf"{FILE} has 12,000 row groups; the limit is {profiling.MAX_PARQUET_ROW_GROUPS:,}"),
    "parquet_long_column_name": ("name.parquet", parquet_long_column_name,
                                 rf"{FILE}: the name of column 1 has 5,000 characters; a column name may have at "
                                 rf"most {profiling.MAX_NAME_CHARS:,}"),
    "csv_one_row_of_many_fields": ("felder.csv", csv_one_row_of_many_fields,
                                   rf"{FILE}: line 2 has [\d,]+ fields, but the header names only 2 columns"),
    "csv_header_name_over_131072_characters": ("kopf.csv", csv_header_name_over_131072_characters,
                                               rf"{FILE}: the name of column 2 has 140,000 characters; a column "
                                               rf"name may have at most {profiling.MAX_NAME_CHARS:,}"),
    "csv_unterminated_quote": ("offen.csv", csv_unterminated_quote, rf"{FILE} could not be read as CSV"),
    "csv_too_many_columns": ("breit.csv", csv_too_many_columns,
                             rf"{FILE} has 20,000 columns; the limit is {profiling.MAX_COLUMNS:,}"),
}


def pack_zip_bomb() -> bytes:
    return xlsx_sheet_xml_bomb()


PACKS: dict[str, Case] = {
    "pack_zip_bomb": ("pack.xlsx", pack_zip_bomb, r"compresses [\d,]+:1 \(limit 200:1\): refused as a zip bomb"),
    "pack_entity_expansion": ("pack.xlsx", xlsx_entity_expansion, r"declares a DOCTYPE or ENTITY"),
    "pack_many_entries": ("pack.xlsx", xlsx_many_entries, r"holds 10,0\d\d entries \(limit 10,000\)"),
    "pack_broken_sheet_xml": ("pack.xlsx", xlsx_broken_sheet_xml, r"Sheet 'Meta' is missing|cannot be parsed"),
}

# The page lists every line of the refusal, the CLI the first five and a count ("… checking stopped early").
STOPPED_EARLY = r"checking stopped (after \d+ problems|early)"
WORKSPACES: dict[str, Case] = {
    name: ("workspace.json", json_documents.DOCUMENTS[name],
           STOPPED_EARLY if expected == json_documents.STOPPED_EARLY else expected.strip("^$"))
    for name, expected in json_documents.EXPECTED.items() if expected is not None
}
