"""What a Parquet file takes once decoded, read from its page headers rather than from its footer (issue 12).

The footer's sizes (each column chunk's ``total_uncompressed_size``, each row group's ``total_byte_size``) are
the writer's word: a forged footer can understate them, and nothing reads them back. The decoder itself goes by
each page's header: it allocates ``uncompressed_page_size`` bytes for the page and refuses one that decompresses
to any other size, so the sum of those is what decoding the pages takes.

A dictionary-encoded page holds indices, not values: each value it holds expands to a dictionary entry. For a
fixed-width column that is the type's width per value whatever the pages hold (a 440-byte file of 100 KB values
decodes to 100 KB per row), and for any other column at most the dictionary page's size per value. Top-level
string and binary columns are the exception the caller names: they are read as dictionaries and their
expansion is summed from the dictionary itself before they are expanded.

Page headers are Apache Thrift's compact protocol; only the fields needed here are read, everything else is
skipped by its type, so a read costs one pass over the headers and never more than the file's length.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

# Compact protocol type codes.
_STOP, _TRUE, _FALSE, _BYTE, _I16, _I32, _I64, _DOUBLE, _BINARY, _LIST, _SET, _MAP, _STRUCT = range(13)
_INTEGERS = frozenset({_I16, _I32, _I64})
_MAX_NESTING = 16
# PageHeader fields (parquet.thrift): type, uncompressed_page_size, compressed_page_size, data_page_header,
# dictionary_page_header, data_page_header_v2. DataPageHeader: num_values (1), encoding (2); V2: num_values (1),
# encoding (4).
_TYPE, _UNCOMPRESSED, _COMPRESSED, _DATA_PAGE, _DATA_PAGE_V2 = 1, 2, 3, 5, 8
_DICTIONARY_PAGE = 2
_DICTIONARY_ENCODINGS = frozenset({2, 8})  # PLAIN_DICTIONARY, RLE_DICTIONARY
_WIDTHS = {"BOOLEAN": 1, "INT32": 4, "INT64": 8, "INT96": 12, "FLOAT": 4, "DOUBLE": 8}
_OFFSET_BYTES = 8


class _Reader:
    """Apache Thrift's compact protocol over ``data[position:end]``; ValueError for anything past ``end``."""

    __slots__ = ("data", "end", "position")

    def __init__(self, data: bytes, position: int, end: int) -> None:
        self.data, self.position, self.end = data, position, end

    def byte(self) -> int:
        if self.position >= self.end:
            raise ValueError("a page header runs past its column chunk")
        value = self.data[self.position]
        self.position += 1
        return value

    def skip(self, count: int) -> None:
        if count < 0 or self.position + count > self.end:
            raise ValueError("a page header runs past its column chunk")
        self.position += count

    def varint(self) -> int:
        value = shift = 0
        while True:
            byte = self.byte()
            value |= (byte & 0x7F) << shift
            if byte < 0x80:
                return value
            shift += 7
            if shift > 63:
                raise ValueError("a page header holds an overlong number")

    def zigzag(self) -> int:
        value = self.varint()
        return (value >> 1) ^ -(value & 1)

    def struct(self, depth: int = 0) -> dict[int, Any]:
        """A struct's integer and struct fields by id; every other field is skipped."""
        if depth > _MAX_NESTING:
            raise ValueError("a page header is nested too deep")
        fields: dict[int, Any] = {}
        field_id = 0
        while True:
            header = self.byte()
            kind = header & 0x0F
            if kind == _STOP:
                return fields
            field_id = field_id + (header >> 4) if header >> 4 else self.zigzag()
            fields[field_id] = self.value(kind, depth)

    def value(self, kind: int, depth: int) -> Any:
        if kind in _INTEGERS:
            return self.zigzag()
        if kind in (_TRUE, _FALSE):
            return kind == _TRUE  # a struct's bool lives in its field header
        if kind == _BYTE:
            return self.byte()
        if kind == _DOUBLE:
            self.skip(8)
        elif kind == _BINARY:
            self.skip(self.varint())
        elif kind in (_LIST, _SET):
            header = self.byte()
            size, element = header >> 4, header & 0x0F
            if size == 15:
                size = self.varint()
            if element in (_TRUE, _FALSE):
                self.skip(size)  # in a list each bool is a byte
            else:
                for _ in range(size):  # every element takes at least a byte, so this ends within the chunk
                    self.value(element, depth + 1)
        elif kind == _MAP:
            size = self.varint()
            if size:
                types = self.byte()
                for _ in range(size):
                    self.value(types >> 4, depth + 1)
                    self.value(types & 0x0F, depth + 1)
        elif kind == _STRUCT:
            return self.struct(depth + 1)
        else:
            raise ValueError(f"a page header holds an unknown Thrift type {kind}")
        return None


def _value_width(column: Any) -> int | None:
    """Bytes a dictionary entry of this leaf column takes once expanded; None when only its dictionary page
    bounds it (variable-length values)."""
    if column.physical_type == "FIXED_LEN_BYTE_ARRAY":
        return int(column.length)
    return _WIDTHS.get(column.physical_type)


def _leaves(kind: Any) -> int:
    import pyarrow as pa

    if pa.types.is_struct(kind):
        return sum(_leaves(kind.field(index).type) for index in range(kind.num_fields))
    if pa.types.is_map(kind):
        return _leaves(kind.key_type) + _leaves(kind.item_type)
    if pa.types.is_list(kind) or pa.types.is_large_list(kind) or pa.types.is_fixed_size_list(kind):
        return _leaves(kind.value_type)
    return 1


def _top_level_owners(metadata: Any) -> list[str]:
    """For each leaf column in file order, the top-level column it belongs to (a nested column has several
    leaves; a dot in a path does not tell a nested leaf from a name with a dot)."""
    owners = []
    for field in metadata.schema.to_arrow_schema():
        owners.extend([field.name] * _leaves(field.type))
    if len(owners) != metadata.num_columns:
        raise ValueError(f"the schema names {len(owners):,} leaf columns, the file holds {metadata.num_columns:,}")
    return owners


def _chunk_bytes(data: bytes, chunk: Any, width: int | None, counted_later: bool) -> int:
    """What decoding one column chunk takes: its pages as their headers state them, plus the expansion of its
    dictionary-encoded values (unless ``counted_later``)."""
    start = chunk.data_page_offset
    if chunk.has_dictionary_page and 0 < chunk.dictionary_page_offset < start:
        start = chunk.dictionary_page_offset
    if not 0 <= start <= len(data):
        raise ValueError(f"a column chunk starts at byte {start:,}, outside the file")
    end = min(len(data), start + max(0, chunk.total_compressed_size))
    position, values, total, dictionary = start, 0, 0, 0
    while position < end and values < chunk.num_values:
        reader = _Reader(data, position, end)
        header = reader.struct()
        size, stored = header.get(_UNCOMPRESSED), header.get(_COMPRESSED)
        if not isinstance(size, int) or not isinstance(stored, int) or size < 0 or stored < 0:
            raise ValueError("a page header lacks its sizes")
        total += size
        if header.get(_TYPE) == _DICTIONARY_PAGE:
            dictionary += size
        for field, encoding_field in ((_DATA_PAGE, 2), (_DATA_PAGE_V2, 4)):
            page = header.get(field)
            if isinstance(page, dict):
                count = max(0, page.get(1, 0))
                values += count
                if page.get(encoding_field) in _DICTIONARY_ENCODINGS and not counted_later:
                    total += count * (width if width is not None else dictionary + _OFFSET_BYTES)
        position = reader.position + stored
    return total


def decoded_bytes(data: bytes, metadata: Any, dictionary_columns: Collection[str]) -> int:
    """The bytes decoding every page of the Parquet file ``data`` takes, from its page headers (``metadata`` is
    pyarrow's ``FileMetaData`` of it, for where the column chunks are). ``dictionary_columns`` are top-level
    columns read as dictionaries, whose expansion the caller sums from the dictionary.

    ValueError for a page header that cannot be read. Example: a 440-byte file of 2,000 dictionary-encoded
    100 KB values → ≈200,100,000.
    """
    columns = [metadata.schema.column(index) for index in range(metadata.num_columns)]
    widths = [_value_width(column) for column in columns]
    owners = _top_level_owners(metadata)
    later = [owner in dictionary_columns for owner in owners]
    total = 0
    for group_index in range(metadata.num_row_groups):
        group = metadata.row_group(group_index)
        for index in range(metadata.num_columns):
            total += _chunk_bytes(data, group.column(index), widths[index], later[index])
    return total
