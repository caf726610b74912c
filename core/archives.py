"""Untrusted zip archives (xlsx uploads), checked from the central directory before any part is inflated.

Shared by the decision-pack reader (:mod:`core.excel.reader`) and the data-profiling reader
(:mod:`core.profiling`): a workbook of a few kilobytes can unpack to gigabytes (one part compressed 1000:1),
hide ten thousand parts, or declare XML entities. :func:`open_archive` refuses those from the sizes the
archive declares; the inflating reader (``zipfile``) stops at the declared size, so a part cannot unpack to
more than it claims. :func:`check_declarations` then reads each part once and refuses DOCTYPE and ENTITY
declarations.

Example::

    archive = open_archive(data, ArchiveLimits(max_total_bytes=200 * 2**20))
    check_declarations(archive)
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field

MAX_ENTRIES = 10_000
MAX_COMPRESSION_RATIO = 200.0
# Small parts compress far better than a sheet (a few repeated tags); only larger ones can be bombs.
RATIO_CHECK_MIN_BYTES = 1024 * 1024
DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
CONTENT_TYPES = "[Content_Types].xml"


class UnsafeArchive(ValueError):
    """The archive is not a workbook, or one that would unpack beyond a limit; the message is a lower-case
    clause naming the part and the limit, e.g. "the archive unpacks to 300,000,000 bytes (limit 200,000,000)".

    ``code`` and ``values`` say the same as data (``"too_large"``, ``{"size": 300000000, "limit": 200000000}``), so
    that a caller can word the refusal in the user's language."""

    def __init__(self, message: str, code: str, **values: object) -> None:
        super().__init__(message)
        self.code = code
        self.values = values


@dataclass(frozen=True, slots=True)
class ArchiveLimits:
    """Caps on what an archive declares: entries, total unpacked bytes, the ratio of a part of at least
    ``ratio_min_bytes``, and the unpacked bytes of named parts (e.g. ``{"xl/sharedStrings.xml": 50 MB}``)."""

    max_total_bytes: int
    max_entries: int = MAX_ENTRIES
    max_ratio: float = MAX_COMPRESSION_RATIO
    ratio_min_bytes: int = RATIO_CHECK_MIN_BYTES
    max_part_bytes: Mapping[str, int] = field(default_factory=dict)


def open_archive(data: bytes, limits: ArchiveLimits) -> zipfile.ZipFile:
    """The archive of ``data``, once it is a zip with ``[Content_Types].xml`` within ``limits``; else
    :class:`UnsafeArchive`. Nothing is inflated."""
    if not isinstance(data, bytes | bytearray) or not data:
        raise UnsafeArchive("the file is empty or not bytes: not an xlsx file", "empty")
    buffer = io.BytesIO(data)
    if not zipfile.is_zipfile(buffer):
        raise UnsafeArchive("the file is not an xlsx workbook (not a zip archive)", "not_zip")
    try:
        archive = zipfile.ZipFile(buffer)
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise UnsafeArchive(f"the file is not a readable xlsx workbook: {error}", "unreadable",
                            error=str(error)) from error
    _check_sizes(entries, limits)
    if CONTENT_TYPES not in {entry.filename for entry in entries}:
        raise UnsafeArchive(f"the file is a zip archive but not an xlsx workbook (no {CONTENT_TYPES})",
                            "no_content_types", part=CONTENT_TYPES)
    return archive


def _check_sizes(entries: list[zipfile.ZipInfo], limits: ArchiveLimits) -> None:
    if len(entries) > limits.max_entries:
        raise UnsafeArchive(f"the archive holds {len(entries):,} entries (limit {limits.max_entries:,}): "
                            "refused as a zip bomb", "too_many_entries", entries=len(entries), limit=limits.max_entries)
    total = sum(entry.file_size for entry in entries)
    if total > limits.max_total_bytes:
        raise UnsafeArchive(f"the archive unpacks to {total:,} bytes (limit {limits.max_total_bytes:,}): "
                            "refused as a zip bomb", "too_large", size=total, limit=limits.max_total_bytes)
    for entry in entries:
        part_limit = limits.max_part_bytes.get(entry.filename)
        if part_limit is not None and entry.file_size > part_limit:
            raise UnsafeArchive(f"archive entry {entry.filename} unpacks to {entry.file_size:,} bytes "
                                f"(limit {part_limit:,})", "part_too_large", part=entry.filename,
                                size=entry.file_size, limit=part_limit)
        if entry.file_size >= limits.ratio_min_bytes:
            ratio = entry.file_size / max(entry.compress_size, 1)
            if ratio > limits.max_ratio:
                raise UnsafeArchive(f"archive entry {entry.filename} compresses {ratio:,.0f}:1 "
                                    f"(limit {limits.max_ratio:,.0f}:1): refused as a zip bomb", "ratio",
                                    part=entry.filename, ratio=ratio, limit=limits.max_ratio)


def read_part(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> bytes:
    """One part's bytes; :class:`UnsafeArchive` if it cannot be inflated."""
    try:
        return archive.read(entry)
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError) as error:
        raise UnsafeArchive(f"archive entry {entry.filename} cannot be read: {error}", "part_unreadable",
                            part=entry.filename, error=str(error)) from error


def declares_entities(content: bytes) -> bool:
    """Whether an XML part declares a DOCTYPE or ENTITY (also in UTF-16)."""
    text = content.decode("utf-16", errors="ignore").encode() if content[:2] in UTF16_BOMS else content
    return DECLARATION.search(text) is not None


def check_declarations(archive: zipfile.ZipFile) -> None:
    """Refuse any part that declares a DOCTYPE or ENTITY (entity expansion, external entities)."""
    for entry in archive.infolist():
        if not entry.is_dir() and declares_entities(read_part(archive, entry)):
            raise UnsafeArchive(f"archive entry {entry.filename} declares a DOCTYPE or ENTITY: refused "
                                "(XML entity expansion)", "declarations", part=entry.filename)
