"""Workspace JSON: the strict import parse, the canonical export and the compact row document.

:func:`parse_workspace_json` checks, in order: size (≤ 20 MB), nesting depth (≤ 32, by a linear scan),
JSON syntax (line and column), duplicate keys, a newer ``schema_version``, then every model rule with its
JSON path. :func:`canonical_json` is the byte-stable export; :func:`use_case_document` is what a use-case
row stores.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
from pydantic import ValidationError

from core.models import SCHEMA_VERSION, UseCase, Workspace
from core.store.errors import ImportRejected

MAX_IMPORT_BYTES = 20 * 1024 * 1024
MAX_IMPORT_DEPTH = 32
MAX_REPORTED_ERRORS = 50
ALWAYS_STORED_FIELDS = ("created_at", "updated_at")

_QUOTE = ord('"')
# "[" and "{" differ only in the bit 0x20, as do "]" and "}": one OR folds each pair onto the curly one.
_OPENING = ord("{")
_CLOSING = ord("}")
_SCAN_CHUNK = 1 << 20


def use_case_document(use_case: UseCase) -> str:
    """The row document of a use case: fields equal to their default are left out, which makes validating a
    1,000-use-case workspace about a third faster on load. The timestamps always stay, because their default
    is "now". Changing a model default therefore needs a migration that writes the old default into stored
    documents first. Exports use :func:`canonical_json`, which is always complete.
    """
    data = use_case.model_dump(mode="json", exclude_defaults=True)
    full = use_case.model_dump(mode="json", include=set(ALWAYS_STORED_FIELDS))
    data.update(full)
    return json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def canonical_json(workspace: Workspace) -> str:
    """The byte-stable export form of a workspace: sorted keys, two-space indent, trailing newline."""
    return json.dumps(workspace.model_dump(mode="json"), sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def _json_path(location: Sequence[str | int]) -> str:
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "$"


def validation_messages(error: ValidationError, prefix: str = "") -> list[str]:
    """pydantic errors as "json.path: message", e.g. ``use_cases[3].roi.adoption: Input should be ≤ 1``."""
    messages = []
    for item in error.errors(include_url=False, include_input=False):
        path = _json_path(item["loc"])
        if prefix:
            path = prefix if path == "$" else f"{prefix}.{path}"
        message = item["msg"].removeprefix("Value error, ")
        messages.append(f"{path}: {message}")
    return messages


def nesting_depth(document: bytes) -> int:
    """The deepest bracket nesting outside JSON strings, e.g. ``nesting_depth(b'{"a": [1, "]["]}') == 2``.

    O(n) time and 1 MiB chunks of working memory for any input; the regex pass it replaces took quadratic
    time on an unterminated string of escaped quotes (≈12 s for 64 KB, issue 12). Backslash pairs are dropped
    first, then escaped quotes: ``bytes.replace`` pairs backslashes left to right, so ``\\\\"`` keeps its
    quote and ``\\"`` loses it, and every quote left opens or closes a string. A running XOR over those quotes
    marks the bytes inside strings; the depth is the running sum of opening minus closing brackets outside
    them. UTF-8 is scanned as bytes, since no multi-byte sequence contains an ASCII byte. An unterminated
    string hides the brackets after it; JSON parsing then reports it.
    """
    unescaped = document.replace(b"\\\\", b"").replace(b'\\"', b"")
    codes = np.frombuffer(unescaped, dtype=np.uint8)
    in_string, depth, deepest = 0, 0, 0
    for start in range(0, codes.size, _SCAN_CHUNK):
        chunk = codes[start:start + _SCAN_CHUNK]
        inside = np.bitwise_xor.accumulate((chunk == _QUOTE).view(np.uint8)) ^ in_string
        folded = chunk | 0x20
        outside = inside == 0
        steps = ((folded == _OPENING) & outside).astype(np.int32) - ((folded == _CLOSING) & outside)
        levels = np.cumsum(steps) + depth
        deepest = max(deepest, int(levels.max()))
        depth, in_string = int(levels[-1]), int(inside[-1])
    return deepest


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Keep Python's cycle collector out of building a parsed workspace. Its dicts, lists and models form
    trees, which reference counting frees, but the collector would walk the growing heap every few hundred
    allocations: a 20 MB workspace parsed in ≈4.3 s with it and ≈1.7 s without."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def parse_workspace_json(data: str | bytes) -> Workspace:
    """Validate a workspace JSON document completely, or raise :class:`ImportRejected` listing every problem.

    Checks, in order: size (≤ 20 MB), nesting depth (≤ 32), JSON syntax (line and column), duplicate
    keys, a newer ``schema_version``, then every model rule with its JSON path.
    """
    encoded = data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass")
    if len(encoded) > MAX_IMPORT_BYTES:
        limit = MAX_IMPORT_BYTES / 2**20
        raise ImportRejected([f"$: the file has {len(encoded) / 2**20:.1f} MiB; the limit is {limit:.0f} MiB"])
    text = _utf8_text(data)
    depth = nesting_depth(encoded)
    if depth > MAX_IMPORT_DEPTH:
        raise ImportRejected([f"$: nested {depth} levels deep; a workspace needs at most {MAX_IMPORT_DEPTH}"])
    with _collector_paused():
        document = _json_object(text)
        _check_schema_version(document)
        return _validated_workspace(document)


def _utf8_text(data: str | bytes) -> str:
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportRejected([f"$: not UTF-8 text (byte {error.start})"]) from None


def _json_object(text: str) -> dict[str, Any]:
    """The parsed top-level object; syntax errors with line and column, duplicate keys and non-objects refused."""
    duplicates: list[str] = []

    def reject_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in pairs:
            if key in result:
                duplicates.append(key)
            result[key] = value
        return result

    try:
        document = json.loads(text, object_pairs_hook=reject_duplicate_keys)
    except json.JSONDecodeError as error:
        raise ImportRejected([f"$: invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}"]) from None
    except RecursionError:
        raise ImportRejected([f"$: nested too deeply; a workspace needs at most {MAX_IMPORT_DEPTH} levels"]) from None
    if duplicates:
        raise ImportRejected([f"$: duplicate key '{key}' in one object" for key in sorted(set(duplicates))])
    if not isinstance(document, dict):
        raise ImportRejected([f"$: expected a JSON object (a workspace), got {type(document).__name__}"])
    return document


def _check_schema_version(document: dict[str, Any]) -> None:
    version = document.get("schema_version")
    if isinstance(version, int) and not isinstance(version, bool) and version > SCHEMA_VERSION:
        raise ImportRejected([
            f"schema_version: the file has schema_version {version}, newer than this workbench understands "
            f"(up to {SCHEMA_VERSION}); update the workbench to import it"
        ])


def _validated_workspace(document: dict[str, Any]) -> Workspace:
    try:
        return Workspace.model_validate(document)
    except ValidationError as error:
        messages = validation_messages(error)
        if len(messages) > MAX_REPORTED_ERRORS:
            messages = [*messages[:MAX_REPORTED_ERRORS], f"$: … and {len(messages) - MAX_REPORTED_ERRORS} more"]
        raise ImportRejected(messages) from None
