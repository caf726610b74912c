"""The parse in pieces gives what one ``json.loads`` gives, or refuses what it refuses (issue 12, item 1).

``json.loads`` holds the GIL for the whole document, so ``core.store.json_scan.loads_in_pieces`` hands it runs of
elements instead. Here the pieces are made tiny (a few values), so that every document is cut at many places,
large containers included; the reference is ``json.loads`` itself.
"""

import json
import random
import threading
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.store import json_scan
from core.store.json_scan import NotWellFormed, loads_in_pieces

KEYS = st.text(alphabet=st.sampled_from('ab"\\:,{}[] ü😀'), max_size=4)
SCALARS = st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=False, allow_infinity=False) \
    | st.text(alphabet=st.sampled_from('x"\\:,{}[] \n\tü😀'), max_size=6)
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=6) | st.dictionaries(KEYS, inner, max_size=6),
                      max_leaves=60)


@pytest.fixture(autouse=True)
def tiny_pieces(monkeypatch):
    monkeypatch.setattr(json_scan, "PIECE_VALUES", 3)


def _serialised(value, indent, ascii_only) -> bytes:
    return json.dumps(value, indent=indent, ensure_ascii=ascii_only).encode("utf-8")


@settings(max_examples=400, deadline=None)
@given(VALUES, st.sampled_from([None, 0, 2]), st.booleans())
def test_a_well_formed_document_parses_as_json_loads_parses_it(value, indent, ascii_only):
    document = _serialised(value, indent, ascii_only)
    assert loads_in_pieces(document) == json.loads(document)


def _reference(document: bytes):
    try:
        return json.loads(document.decode("utf-8", "surrogatepass"))
    except ValueError:
        return NotWellFormed


def _pieces(document: bytes):
    try:
        return loads_in_pieces(document)
    except NotWellFormed:
        return NotWellFormed


@settings(max_examples=600, deadline=None)
@given(VALUES.filter(lambda value: isinstance(value, (list, dict))), st.sampled_from([None, 0]), st.data())
def test_a_damaged_document_is_refused_exactly_when_json_loads_refuses_it(value, indent, data):
    document = bytearray(_serialised(value, indent, True))
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(document)))
        action = data.draw(st.sampled_from(["insert", "delete", "replace"]))
        byte = data.draw(st.sampled_from(b'{}[],:" \\x0'))
        if action == "insert":
            document[at:at] = bytes((byte,))
        elif at < len(document):
            document[at:at + 1] = b"" if action == "delete" else bytes((byte,))
    expected = _reference(bytes(document))
    assert _pieces(bytes(document)) == expected


@pytest.mark.parametrize("document", [
    b"[1, , 2]", b"[1, 2,]", b"[,]", b"[[1, 2, 3, 4, 5],]", b'{"a": 1,}', b'{"a" [1, 2, 3, 4, 5]}',
    b'{"a": x [1, 2, 3, 4, 5]}', b'{"a": [1, 2, 3, 4, 5] x}', b'{1: [1, 2, 3, 4, 5]}', b"[1] [2]", b"x[1]",
    b"[1 2]", b'{"a": 1 "b": 2}', b"[1]]", b"[[1]", b'["a]', b"[}", b'{"a": 1: 2}', b"", b"  ",
    b"[" + b"1" * 5000 + b"]",
])
def test_documents_that_are_not_json_are_refused(document):
    with pytest.raises(NotWellFormed):
        loads_in_pieces(document)


@pytest.mark.parametrize(("document", "expected"), [
    (b"[]", []), (b"{}", {}), (b" [ ] ", []), (b'"a"', "a"), (b"17", 17), (b"null", None),
    (b'{"a": [1, 2, 3, 4, 5], "a": 2}', {"a": 2}), (b'[[1, 2, 3, 4, 5], [], {}]', [[1, 2, 3, 4, 5], [], {}]),
])
def test_small_and_edge_documents(document, expected):
    assert loads_in_pieces(document) == expected


def test_duplicate_keys_are_noted_inside_a_piece_across_pieces_and_beside_a_large_value():
    duplicates: set[str] = set()
    document = b'{"a": 1, "b": 2, "c": 3, "d": 4, "e": 5, "a": 6, "f": [1, 2, 3, 4, 5], "f": 0, "g": {"h": 1, "h": 2}}'
    assert loads_in_pieces(document, duplicates=duplicates) == json.loads(document)
    assert duplicates == {"a", "f", "h"}


def test_the_interpreter_is_shared_while_a_million_keys_are_parsed(monkeypatch):
    """Another thread gets the interpreter within ≈50 ms throughout; one ``json.loads`` of the same document kept
    it for its whole length (≈0.5 s here)."""
    monkeypatch.setattr(json_scan, "PIECE_VALUES", 20_000)
    document = b"{" + b", ".join(b'"k%07d": %d' % (index, random.randrange(10)) for index in range(1_000_000)) + b"}"
    gaps: list[float] = []
    done = threading.Event()

    def tick() -> None:
        last = time.perf_counter()
        while not done.is_set():
            time.sleep(0.001)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    ticker = threading.Thread(target=tick)
    ticker.start()
    try:
        start = time.perf_counter()
        parsed = loads_in_pieces(document)
        elapsed = time.perf_counter() - start
    finally:
        done.set()
        ticker.join()
    assert len(parsed) == 1_000_000
    print(f"parsed in {elapsed:.2f} s; the other thread waited at most {max(gaps) * 1000:.0f} ms")
    assert max(gaps) < max(0.25, elapsed / 4), (max(gaps), elapsed)
