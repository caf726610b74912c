"""Workspace JSON: the strict import parse, the canonical export and the compact row document.

:func:`parse_workspace_json` checks, in order: size (≤ 20 MB), then in one linear scan nesting depth (≤ 32),
JSON values (≤ 2,000,000) and objects (≤ 500,000), then JSON syntax (line and column), duplicate keys, a newer
``schema_version``, the values per use case and outside them (≤ 50,000 each), then every model rule with its
JSON path. Use cases are validated one by one and checking stops once 50 problems are found; the report gives
those 50 and how many more were found (or "at least" that many when checking stopped early). Every 20 MB shape
is accepted or refused in ≈1.5 s and ≈220 MB (``tests/security/test_json_parse.py``), parsed in pieces so that
the server's other threads keep running (:mod:`core.store.json_scan`).
:func:`canonical_json` is the byte-stable export; :func:`use_case_document` is what a use-case row stores.
"""

from __future__ import annotations

import codecs
import gc
import json
import subprocess  # nosec B404: runs only this interpreter on a constant script
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from typing import Any

from pydantic import ValidationError

from core.models import SCHEMA_VERSION, UseCase, Workspace, error_text, migrate_gate_metrics
from core.store.errors import ImportRejected
from core.store.json_scan import JsonShape, NotWellFormed, json_shape, loads_in_pieces

MAX_IMPORT_BYTES = 20 * 1024 * 1024
MAX_IMPORT_DEPTH = 32
# The largest valid workspace that fits in 20 MB holds ≈0.9 million values and ≈130,000 objects; a hostile file
# of small values makes json.loads and pydantic spend time per value (e.g. 10 million numbers), and a file of
# empty objects a Python call per object, so both are counted before anything is parsed.
MAX_IMPORT_VALUES = 2_000_000
MAX_IMPORT_OBJECTS = 500_000
# One use case of the sample holds ≈320 values. Validating is ≈0.5 µs and ≈450 bytes per error found, so a use
# case (or the rest of the workspace) is validated only when it is no larger than this.
MAX_ITEM_VALUES = 50_000
MAX_REPORTED_ERRORS = 50
# Rule errors are formatted only for a copy cut to this many items per list and keys per object: pydantic
# formats ≈8 µs per error, and a list of 2 million wrong values would otherwise take 16 s to report.
_REPORT_SAMPLE_ITEMS = 64
ALWAYS_STORED_FIELDS = ("created_at", "updated_at")

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
        messages.append(f"{path}: {error_text(item)}")
    return messages


def _checked_shape(encoded: bytes) -> JsonShape:
    shape = json_shape(encoded)
    if shape.depth > MAX_IMPORT_DEPTH:
        raise ImportRejected([f"$: nested {shape.depth} levels deep; a workspace needs at most {MAX_IMPORT_DEPTH}"])
    if shape.values > MAX_IMPORT_VALUES:
        raise ImportRejected([f"$: the file holds about {shape.values:,} JSON values; a workspace may hold at most "
                              f"{MAX_IMPORT_VALUES:,}"])
    if shape.objects > MAX_IMPORT_OBJECTS:
        raise ImportRejected([f"$: the file holds {shape.objects:,} JSON objects; a workspace may hold at most "
                              f"{MAX_IMPORT_OBJECTS:,}"])
    return shape


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

    Checks, in order: size (≤ 20 MB), nesting depth (≤ 32), values (≤ 2,000,000) and objects (≤ 500,000),
    JSON syntax (line and column), duplicate keys, a newer ``schema_version``, values per use case and outside
    them (≤ 50,000 each), then every model rule with its JSON path (the first 50, then how many more). The
    document is parsed in pieces (:func:`~core.store.json_scan.loads_in_pieces`), so that the server's other
    threads keep running meanwhile.
    """
    encoded = data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass")
    if len(encoded) > MAX_IMPORT_BYTES:
        limit = MAX_IMPORT_BYTES / 2**20
        raise ImportRejected([f"$: the file has {len(encoded) / 2**20:.1f} MiB; the limit is {limit:.0f} MiB"])
    _check_utf8(data)
    # Decoding bytes drops a byte order mark ("utf-8-sig"); in text it stays, and JSON refuses it.
    if isinstance(data, bytes) and encoded.startswith(codecs.BOM_UTF8):
        encoded = encoded[len(codecs.BOM_UTF8):]
    shape = _checked_shape(encoded)
    with _collector_paused():
        document = _json_object(encoded, shape)
        parts = _parts(document)
        if parts.keys != shape.keys:
            _reject_duplicate_keys(encoded, shape)
        _check_schema_version(document)
        return _validated_workspace(parts)


def _check_utf8(data: str | bytes) -> None:
    if isinstance(data, bytes):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise ImportRejected([f"$: not UTF-8 text (byte {error.start})"]) from None


def _json_object(encoded: bytes, shape: JsonShape) -> dict[str, Any]:
    """The parsed top-level object; syntax errors with line and column and non-objects refused."""
    try:
        document = loads_in_pieces(encoded, shape)
    except NotWellFormed:
        document = _whole_document_checked(encoded)
    if not isinstance(document, dict):
        raise ImportRejected([f"$: expected a JSON object (a workspace), got {type(document).__name__}"])
    return document


# ``json.loads`` of a malformed document in a child process: its message is the exact one, and the parse, which
# holds the child's interpreter, leaves the server's own free. Nesting beyond Python's recursion limit cannot
# reach it: the scan counts every bracket before the first error, and refuses more than 32 levels.
_SYNTAX_PROBE = """
import json, sys
try:
    import resource
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
except (ImportError, ValueError, OSError):
    pass
try:
    json.loads(sys.stdin.buffer.read().decode("utf-8", "surrogatepass"))
except json.JSONDecodeError as error:
    print(json.dumps(["syntax", error.lineno, error.colno, error.msg]))
except ValueError:
    print(json.dumps(["digits"]))
else:
    print(json.dumps(["valid"]))
"""
_SYNTAX_PROBE_TIMEOUT_S = 30


def _whole_document_checked(encoded: bytes) -> Any:
    """The reason why ``encoded``, which the pieces found malformed, is no JSON, as an :class:`ImportRejected`;
    should the child find it well-formed after all, the document parsed here in one piece."""
    try:
        # The command is this interpreter and a constant script; the file reaches it only on standard input.
        completed = subprocess.run([sys.executable, "-I", "-S", "-c", _SYNTAX_PROBE], input=encoded,  # nosec B603
                                   capture_output=True, timeout=_SYNTAX_PROBE_TIMEOUT_S, check=False)
        outcome = json.loads(completed.stdout.decode("utf-8").strip().splitlines()[-1])
    except (subprocess.TimeoutExpired, OSError, ValueError, IndexError):
        raise ImportRejected(["$: not valid JSON; the file could not be checked further"]) from None
    if outcome[0] == "syntax":
        _, line, column, message = outcome
        raise ImportRejected([f"$: invalid JSON at line {line}, column {column}: {message}"])
    if outcome[0] == "digits":
        raise ImportRejected([f"$: a number in the file has more than {sys.get_int_max_str_digits():,} digits"])
    return json.loads(encoded.decode("utf-8", "surrogatepass"))


def _reject_duplicate_keys(encoded: bytes, shape: JsonShape) -> None:
    """Parse again, this time naming every key that occurs twice in one object (a slower parse: one Python call
    per object, taken only when the scan found more keys than the parsed objects hold)."""
    duplicates: set[str] = set()
    loads_in_pieces(encoded, shape, duplicates)
    raise ImportRejected([f"$: duplicate key '{key}' in one object" for key in sorted(duplicates)])


def _check_schema_version(document: dict[str, Any]) -> None:
    version = document.get("schema_version")
    if isinstance(version, int) and not isinstance(version, bool) and version > SCHEMA_VERSION:
        raise ImportRejected([
            f"schema_version: the file has schema_version {version}, newer than this workbench understands "
            f"(up to {SCHEMA_VERSION}); update the workbench to import it"
        ])


def _size(value: Any) -> tuple[int, int]:
    """(values, keys) in ``value``: every value counts one, every object member also one key (≈0.1 s for the
    largest valid workspace)."""
    values, keys, stack = 1, 0, [value]
    while stack:
        item = stack.pop()
        if type(item) is dict:
            keys += len(item)
            children: Any = item.values()
        elif type(item) is list:
            children = item
        else:
            continue
        values += len(children)
        stack.extend(children)
    return values, keys


@dataclass(frozen=True, slots=True)
class _Parts:
    """A parsed workspace split for validation: everything but the use cases, the use cases (None when
    ``use_cases`` is not a list, which the model then reports), their sizes, and the document's keys."""

    rest: dict[str, Any]
    rest_values: int
    use_cases: list[Any] | None
    use_case_values: list[int]
    keys: int


def _parts(document: dict[str, Any]) -> _Parts:
    raw_use_cases = document.get("use_cases")
    use_cases = raw_use_cases if type(raw_use_cases) is list else None
    rest = dict(document)
    if use_cases is not None:
        del rest["use_cases"]
    rest_values, keys = _size(rest)
    sizes = []
    for use_case in use_cases or ():
        values, use_case_keys = _size(use_case)
        sizes.append(values)
        keys += use_case_keys
    return _Parts(rest, rest_values, use_cases, sizes, keys + (use_cases is not None))


class _ErrorBudget:
    """The messages reported for a rejected workspace: the first :data:`MAX_REPORTED_ERRORS`, plus how many
    more were found, and whether checking stopped early (then there may be more still; see
    :class:`ImportRejected`)."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.more = 0
        self.stopped = False

    @property
    def full(self) -> bool:
        return len(self.messages) >= MAX_REPORTED_ERRORS

    def add(self, message: str) -> None:
        if self.full:
            self.more += 1
        else:
            self.messages.append(message)

    def add_error(self, error: ValidationError, raw: Any, prefix: str = "") -> None:
        """The errors of validating ``raw``, formatted only as far as the budget reaches (see :func:`_sample`)."""
        room = MAX_REPORTED_ERRORS - len(self.messages)
        total = error.error_count()
        shown = validation_messages(error, prefix) if total <= room else _sampled_messages(raw, error, prefix)
        self.messages.extend(shown[:room])
        self.more += total - len(shown[:room])

    def rejection(self) -> ImportRejected:
        return ImportRejected(self.messages, unreported=self.more, stopped=self.stopped)


def _validated_workspace(parts: _Parts) -> Workspace:
    """The workspace, its use cases validated one by one so that checking stops once the error budget is spent;
    a use case, or the rest, of more than :data:`MAX_ITEM_VALUES` values is refused without validating it."""
    budget = _ErrorBudget()
    validated: list[UseCase] = []
    for index, (raw, values) in enumerate(zip(parts.use_cases or (), parts.use_case_values, strict=True)):
        if budget.full:
            budget.stopped = True
            budget.more += sum(1 for item in parts.use_cases[index:] if type(item) is not dict)
            break
        if values > MAX_ITEM_VALUES:
            budget.add(f"use_cases[{index}]: holds {values:,} JSON values; a use case may hold at most "
                       f"{MAX_ITEM_VALUES:,}")
            continue
        try:
            validated.append(UseCase.model_validate(migrate_gate_metrics(raw)))
        except ValidationError as error:
            budget.add_error(error, raw, f"use_cases[{index}]")
    if parts.rest_values > MAX_ITEM_VALUES:
        budget.add(f"$: the workspace holds {parts.rest_values:,} JSON values besides its use cases; at most "
                   f"{MAX_ITEM_VALUES:,}")
    elif not budget.stopped:
        # With a use case refused, the checks across use cases (unique ids, "needs") would report the refused
        # one as missing; they run once every use case is valid.
        complete = parts.use_cases is not None and len(validated) == len(parts.use_cases)
        whole = parts.rest if parts.use_cases is None else {**parts.rest, "use_cases": validated if complete else ()}
        try:
            workspace = Workspace.model_validate(whole)
        except ValidationError as error:
            budget.add_error(error, whole)
        else:
            if not budget.messages:
                return workspace
    raise budget.rejection()


def _sampled_messages(raw: Any, error: ValidationError, prefix: str) -> list[str]:
    """Messages for some of ``error``'s problems, from validating a copy of ``raw`` cut to a few items per list
    and keys per object: formatting costs ≈8 µs per error, the copy's errors are few. A field reported missing
    where an object was cut may only have been cut off, so those are left out."""
    cut: set[tuple[str | int, ...]] = set()
    sample = _sample(raw, (), cut)
    model = UseCase if prefix else Workspace
    try:
        model.model_validate(sample)
    except ValidationError as sample_error:
        items = sample_error.errors(include_url=False, include_input=False)
        return [message for item, message in zip(items, validation_messages(sample_error, prefix), strict=True)
                if not (item["type"] == "missing" and tuple(item["loc"][:-1]) in cut)]
    return []


def _sample(value: Any, path: tuple[str | int, ...], cut: set[tuple[str | int, ...]]) -> Any:
    """``value`` with every list and object cut to its first few items; the paths of cut objects go into
    ``cut``."""
    if type(value) is dict:
        if len(value) > _REPORT_SAMPLE_ITEMS:
            cut.add(path)
        return {key: _sample(item, (*path, key), cut) for key, item in islice(value.items(), _REPORT_SAMPLE_ITEMS)}
    if type(value) is list:
        return [_sample(item, (*path, index), cut) for index, item in enumerate(value[:_REPORT_SAMPLE_ITEMS])]
    return value
