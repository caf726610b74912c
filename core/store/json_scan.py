"""JSON bytes scanned without parsing them, and parsed in pieces short enough to share the interpreter.

``json.loads`` builds a document in one C call that holds the GIL throughout: ≈0.9 s for 1.3 million keys, in
which no other thread of the server runs, its health check included (issue 12). :func:`json_shape` counts a
document's depth, values, objects and keys in one linear pass. :func:`loads_in_pieces` finds every bracket and
comma outside strings the same way and hands ``json.loads`` runs of elements of at most 2 × :data:`PIECE_VALUES`
values (≈10 ms each), so other threads run between the pieces. For a well-formed document the result equals
one ``json.loads``; for any other it raises :class:`NotWellFormed`, and the caller asks ``json.loads`` itself
for the exact message.

Example::

    loads_in_pieces(b'{"a": [1, 2]}') == {"a": [1, 2]}
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

PIECE_VALUES = 20_000
_SCAN_CHUNK = 1 << 20
_QUOTE = ord('"')
_COMMA = ord(",")
_COLON = ord(":")
_OBJECT = ord("{")
_ARRAY = ord("[")
# "[" and "{" differ only in the bit 0x20, as do "]" and "}": one OR folds each pair onto the curly one, and
# each closing bracket is its opening one plus 2.
_OPENING = ord("{")
_CLOSING = ord("}")
_WHITESPACE = b" \t\n\r"
_STRUCTURAL = np.zeros(256, dtype=bool)
_STRUCTURAL[list(b"{}[],:")] = True
_STEP = np.zeros(256, dtype=np.int64)
_STEP[list(b"{[")] = 1
_STEP[list(b"}]")] = -1
# Offsets and token indices fit 32 bits in a document of up to 2 GiB, levels 8 bits.
_INDEX = np.int32
_MAX_LEVEL = 127


class NotWellFormed(ValueError):
    """The document is not well-formed JSON; ``json.loads`` of the whole document gives the exact reason."""


@dataclass(frozen=True, slots=True)
class JsonShape:
    """What one linear scan of a JSON document counts outside its strings: the deepest bracket nesting, an
    upper bound on the values (every comma and every opening bracket, plus the root) and the objects. It keeps
    the scanned bytes (see :func:`_without_escapes`) for :func:`loads_in_pieces`, which scans them again."""

    depth: int
    values: int
    objects: int
    keys: int
    unescaped: bytes = field(default=b"", compare=False, repr=False)


def _without_escapes(document: bytes) -> bytes:
    """``document`` with every escaped backslash, then every escaped quote, overwritten by two underscores.

    ``bytes.replace`` pairs backslashes left to right, so ``\\\\"`` keeps its quote and ``\\"`` loses it: every
    quote left opens or closes a string, and every byte keeps its position.
    """
    return document.replace(b"\\\\", b"__").replace(b'\\"', b"__")


def _inside_strings(chunk: np.ndarray, in_string: int) -> np.ndarray:
    """1 for the bytes of ``chunk`` inside a string (an opening quote included), given whether it starts inside one:
    a running XOR over the quotes."""
    return np.bitwise_xor.accumulate((chunk == _QUOTE).view(np.uint8)) ^ in_string


def json_shape(document: bytes) -> JsonShape:
    """Depth, values and objects of ``document``, e.g. ``json_shape(b'{"a": [1, "]["]}')`` →
    ``JsonShape(depth=2, values=4, objects=1, keys=1)`` (values: the root, two opening brackets and one comma).

    O(n) time and 1 MiB chunks of working memory for any input; the regex pass it replaces took quadratic
    time on an unterminated string of escaped quotes (≈12 s for 64 KB, issue 12). UTF-8 is scanned as bytes,
    since no multi-byte sequence contains an ASCII byte. An unterminated string hides the brackets after it;
    JSON parsing then reports it.
    """
    unescaped = _without_escapes(document)
    codes = np.frombuffer(unescaped, dtype=np.uint8)
    in_string, depth, deepest, values, objects, keys = 0, 0, 0, 1 if codes.size else 0, 0, 0
    for start in range(0, codes.size, _SCAN_CHUNK):
        chunk = codes[start:start + _SCAN_CHUNK]
        inside = _inside_strings(chunk, in_string)
        outside = chunk[inside == 0]
        folded = outside | 0x20
        steps = (folded == _OPENING).astype(np.int8) - (folded == _CLOSING)
        if steps.size:
            levels = np.cumsum(steps, dtype=np.int64) + depth
            deepest, depth = max(deepest, int(levels.max())), int(levels[-1])
        in_string = int(inside[-1])
        counts = np.bincount(outside, minlength=256)
        values += int(counts[_COMMA] + counts[_OBJECT] + counts[_ARRAY])
        objects += int(counts[_OBJECT])
        keys += int(counts[_COLON])
    return JsonShape(depth=deepest, values=values, objects=objects, keys=keys, unescaped=unescaped)


def nesting_depth(document: bytes) -> int:
    """The deepest bracket nesting outside JSON strings, e.g. ``nesting_depth(b'{"a": [1, "]["]}') == 2``
    (see :func:`json_shape`)."""
    return json_shape(document).depth


@dataclass(frozen=True, slots=True)
class _Layout:
    """Every bracket, comma and colon outside strings ("tokens"), in document order: its byte offset, the byte,
    its level (the depth after it), the index of the closing bracket of each opening one (else -1), the commas'
    token indices sorted by level then position with where each level starts, and a running count of commas
    and opening brackets, from which the values between two tokens follow."""

    offsets: np.ndarray
    kinds: np.ndarray
    levels: np.ndarray
    closing: np.ndarray
    commas: np.ndarray
    comma_level_starts: np.ndarray
    markers: np.ndarray

    def commas_inside(self, opening: int) -> np.ndarray:
        """The token indices of the commas that separate the elements of the container opened at ``opening``."""
        level = int(self.levels[opening])
        commas = self.commas[self.comma_level_starts[level]:self.comma_level_starts[level + 1]]
        return commas[np.searchsorted(commas, opening):np.searchsorted(commas, self.closing[opening])]


def _tokens(unescaped: bytes, max_tokens: int) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Offsets, bytes and levels of the tokens, or None when brackets or quotes do not balance, a closing bracket
    comes first, brackets nest deeper than 127 levels, or there are more than ``max_tokens``."""
    codes = np.frombuffer(unescaped, dtype=np.uint8)
    in_string, depth, count = 0, 0, 0
    offsets, kinds, levels = [], [], []
    for start in range(0, codes.size, _SCAN_CHUNK):
        chunk = codes[start:start + _SCAN_CHUNK]
        inside = _inside_strings(chunk, in_string)
        found = np.flatnonzero(_STRUCTURAL[chunk] & (inside == 0))
        count += found.size
        if count > max_tokens:
            return None
        kind = chunk[found]
        level = np.cumsum(_STEP[kind]) + depth
        if level.size:
            if level.min() < 0 or level.max() > _MAX_LEVEL:
                return None
            depth = int(level[-1])
        in_string = int(inside[-1])
        offsets.append((found + start).astype(_INDEX))
        kinds.append(kind)
        levels.append(level.astype(np.int8))
    if in_string or depth:
        return None
    if not offsets:
        return np.zeros(0, _INDEX), np.zeros(0, np.uint8), np.zeros(0, np.int8)
    return np.concatenate(offsets), np.concatenate(kinds), np.concatenate(levels)


def _by_level(indices: np.ndarray, levels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``indices`` sorted by level, then position (a stable sort), and their levels in that order."""
    order = np.argsort(levels, kind="stable")
    return indices[order].astype(_INDEX), levels[order]


def _layout(unescaped: bytes, max_tokens: int) -> _Layout | None:
    """The tokens of ``document`` with every opening bracket paired with its closing one, or None when they do
    not pair. In a balanced sequence the k-th opening bracket that reaches a level closes at the k-th closing
    bracket that leaves it."""
    found = _tokens(unescaped, max_tokens)
    if found is None:
        return None
    offsets, kinds, levels = found
    folded = kinds | 0x20
    openers, opener_levels = _by_level(np.flatnonzero(folded == _OPENING), levels[folded == _OPENING])
    closers, closer_levels = _by_level(np.flatnonzero(folded == _CLOSING), levels[folded == _CLOSING] + 1)
    if not np.array_equal(opener_levels, closer_levels) or np.any(kinds[closers] != kinds[openers] + 2):
        return None
    closing = np.full(offsets.size, -1, dtype=_INDEX)
    closing[openers] = closers
    is_comma = kinds == _COMMA
    commas, comma_levels = _by_level(np.flatnonzero(is_comma), levels[is_comma])
    starts = np.searchsorted(comma_levels, np.arange(int(levels.max(initial=0)) + 2))
    markers = np.cumsum(is_comma | (folded == _OPENING), dtype=_INDEX)
    return _Layout(offsets, kinds, levels, closing, commas, starts, markers)


def _batches(sizes: np.ndarray) -> list[tuple[int, int]]:
    """Runs ``[first, last)`` of consecutive elements holding at most 2 × PIECE_VALUES values together; an element
    larger than PIECE_VALUES forms a run of its own."""
    large = sizes > PIECE_VALUES
    window = np.cumsum(sizes) // PIECE_VALUES
    new = np.ones(sizes.size, dtype=bool)
    new[1:] = large[1:] | large[:-1] | (window[1:] != window[:-1])
    starts = np.flatnonzero(new)
    return list(zip(starts.tolist(), [*starts[1:].tolist(), sizes.size], strict=True))


Loads = Callable[[str], Any]


def _loads(piece: bytes, loads: Loads) -> Any:
    try:
        return loads(piece.decode("utf-8", "surrogatepass"))
    except ValueError:
        raise NotWellFormed from None


def _blank(document: bytes, start: int, end: int) -> bool:
    return not document[start:end].strip(_WHITESPACE)


class _Reader:
    """One document read container by container (see :func:`loads_in_pieces`)."""

    def __init__(self, document: bytes, layout: _Layout, loads: Loads, duplicates: set[str] | None) -> None:
        self.document, self.layout, self.loads, self.duplicates = document, layout, loads, duplicates

    def container(self, opening: int) -> Any:
        layout = self.layout
        bounds = np.concatenate(([opening], layout.commas_inside(opening), [layout.closing[opening]]))
        sizes = layout.markers[bounds[1:] - 1] - layout.markers[bounds[:-1]] + 1
        is_object = int(layout.kinds[opening]) == _OBJECT
        result: Any = {} if is_object else []
        bracket = self.document[int(layout.offsets[opening])]
        for first, last in _batches(sizes):
            if last - first == 1 and sizes[first] > PIECE_VALUES:
                self._add_large(result, int(bounds[first]), int(bounds[last]), is_object)
                continue
            start, end = int(layout.offsets[bounds[first]]) + 1, int(layout.offsets[bounds[last]])
            piece = _loads(bytes((bracket,)) + self.document[start:end] + bytes((bracket + 2,)), self.loads)
            # An element that is only blanks parses as an empty container: between commas it is an error.
            if not piece and bounds.size > 2:
                raise NotWellFormed
            self._merge(result, piece)
        return result

    def _merge(self, result: Any, piece: Any) -> None:
        if isinstance(result, list):
            result.extend(piece)
            return
        if self.duplicates is not None:
            self.duplicates.update(result.keys() & piece.keys())
        result.update(piece)

    def _add_large(self, result: Any, before: int, after: int, is_object: bool) -> None:
        """The one element between the tokens ``before`` and ``after``, a container too large for one piece."""
        layout, document = self.layout, self.document
        opening = before + 1
        if is_object:
            if int(layout.kinds[before + 1]) != _COLON:
                raise NotWellFormed
            key_bytes = document[int(layout.offsets[before]) + 1:int(layout.offsets[before + 1])]
            keys = list(_loads(b"{" + key_bytes + b": 0}", self.loads))
            opening = before + 2
        if (int(layout.closing[opening]) != after - 1
                or not _blank(document, int(layout.offsets[opening - 1]) + 1, int(layout.offsets[opening]))
                or not _blank(document, int(layout.offsets[after - 1]) + 1, int(layout.offsets[after]))):
            raise NotWellFormed
        value = self.container(opening)
        if is_object:
            self._merge(result, {keys[0]: value})
        else:
            result.append(value)


def _duplicate_noting(duplicates: set[str]) -> Loads:
    def note(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result = dict(pairs)
        if len(result) != len(pairs):
            seen: set[str] = set()
            for key, _ in pairs:
                if key in seen:
                    duplicates.add(key)
                seen.add(key)
        return result

    return json.JSONDecoder(object_pairs_hook=note).decode


def loads_in_pieces(document: bytes, shape: JsonShape | None = None, duplicates: set[str] | None = None) -> Any:
    """``json.loads(document)`` for a well-formed UTF-8 document, built from pieces of at most 2 × PIECE_VALUES
    values each; :class:`NotWellFormed` for any other document. With ``duplicates``, every key that occurs twice
    in one object is added to it.

    Working memory is ≈14 bytes per bracket, comma and colon besides the result. ``shape``, when given, is
    ``json_shape(document)``, which saves scanning twice; it bounds the tokens: a well-formed document has fewer
    keys than values, and as many closing as opening brackets.
    """
    if shape is None or len(shape.unescaped) != len(document):  # a shape without its scanned bytes
        shape = json_shape(document)
    if shape.keys > shape.values:
        raise NotWellFormed
    layout = _layout(shape.unescaped, 2 * shape.values + shape.keys)
    if layout is None:
        raise NotWellFormed
    loads = json.loads if duplicates is None else _duplicate_noting(duplicates)
    if layout.offsets.size == 0:
        return _loads(document, loads)
    last = layout.offsets.size - 1
    if (int(layout.closing[0]) != last or not _blank(document, 0, int(layout.offsets[0]))
            or not _blank(document, int(layout.offsets[last]) + 1, len(document))):
        raise NotWellFormed
    return _Reader(document, layout, loads, duplicates).container(0)
