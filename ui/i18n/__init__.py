"""Translations: ``t(key, **kwargs)`` in the sidebar's language (DE/EN).

The messages are data: one TOML file per page or domain in this folder (``common.toml``, ``home.toml``,
``gates.toml`` …), one table per message key with its English and German text::

    [home.use_cases_count]
    en = "{count} use cases"
    de = "{count} Use Cases"

Placeholders use ``str.format`` syntax, e.g. ``t("home.use_cases_count", count=3)``. A key defined twice,
in one file or in two, is a :class:`CatalogError`.

Parsing every file takes ≈10 ms, and the first page run of a cold start waits for it, so the merged
catalogue is kept in ``__pycache__`` (marshal, like Python's own bytecode), valid while every file keeps
its size and modification time; ``make bytecode`` (``python -m ui.i18n``) writes it ahead, and so does a
load that had to parse, unless Python is told not to write bytecode.
"""

from __future__ import annotations

import logging
import marshal
import os
import sys
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from ui import state
from ui.formatting import escape_markdown

CATALOG_DIR = Path(__file__).resolve().parent
CACHE_PATH = CATALOG_DIR / "__pycache__" / f"messages.{sys.implementation.cache_tag}.marshal"
CACHE_FORMAT = 1
LOGGER = logging.getLogger(__name__)
Messages = dict[str, dict[str, str]]


class CatalogError(ValueError):
    """A catalogue file is not valid TOML of message tables, or two catalogues define the same key."""


def merge_catalogs(catalogs: Mapping[str, Mapping[str, Mapping[str, str]]]) -> Messages:
    """One key → {language: text} table; a key defined by two catalogs is an error."""
    merged: Messages = {}
    owner: dict[str, str] = {}
    for catalog_name, catalog in catalogs.items():
        for key, texts in catalog.items():
            if key in merged:
                raise CatalogError(f"message key '{key}' is defined in {owner[key]} and {catalog_name}")
            merged[key] = dict(texts)
            owner[key] = catalog_name
    return merged


def catalog_paths(directory: Path | None = None) -> list[Path]:
    """The catalogue files, by default this folder's."""
    return sorted((directory or CATALOG_DIR).glob("*.toml"))


def read_catalog(path: Path) -> Messages:
    """The messages of one TOML file; CatalogError (naming the file and line) for a key defined twice."""
    try:
        with path.open("rb") as file:
            tables = tomllib.load(file)
    except tomllib.TOMLDecodeError as error:
        raise CatalogError(f"{path.name}: {error}") from error
    return dict(_messages_in(tables, path.name))


def _messages_in(table: Mapping[str, Any], file_name: str, prefix: str = "") -> Iterator[tuple[str, dict[str, str]]]:
    """(dotted key, {language: text}) for every message table in ``table``; nested tables extend the key."""
    for name, value in table.items():
        key = f"{prefix}{name}"
        if not isinstance(value, dict):
            raise CatalogError(f"{file_name}: '{key}' must be a table of texts, e.g. [{key}] with en = \"…\"")
        texts = {language: text for language, text in value.items() if not isinstance(text, dict)}
        if texts:
            wrong = sorted(language for language, text in texts.items() if not isinstance(text, str))
            if wrong:
                raise CatalogError(f"{file_name}: '{key}' has a non-text value for {', '.join(wrong)}")
            yield key, texts
        yield from _messages_in({name: sub for name, sub in value.items() if isinstance(sub, dict)}, file_name,
                                f"{key}.")


def read_catalogs(directory: Path | None = None) -> Messages:
    """Every catalogue file in ``directory``, parsed and merged (no cache)."""
    return merge_catalogs({path.name: read_catalog(path) for path in catalog_paths(directory)})


def _stamp(paths: Iterable[Path]) -> tuple:
    stats = [(path.name, path.stat()) for path in paths]
    return (CACHE_FORMAT, *((name, stat.st_size, stat.st_mtime_ns) for name, stat in stats))


def _cached(stamp: tuple) -> Messages | None:
    try:
        # The repository's own catalogue cache, written by make bytecode next to the sources, never an upload.
        cached_stamp, merged = marshal.loads(CACHE_PATH.read_bytes())  # nosec B302
    except (OSError, EOFError, ValueError, TypeError):
        return None
    return merged if cached_stamp == stamp and isinstance(merged, dict) else None


def write_cache() -> Messages:
    """Parse the catalogue files and keep the result for the next process; a read-only folder is no error."""
    stamp = _stamp(catalog_paths())
    merged = read_catalogs()
    partial = CACHE_PATH.with_name(f"{CACHE_PATH.name}.{os.getpid()}.tmp")
    try:
        CACHE_PATH.parent.mkdir(exist_ok=True)
        partial.write_bytes(marshal.dumps((stamp, merged)))
        os.replace(partial, CACHE_PATH)
    except OSError as error:
        LOGGER.info("message cache not written: %s", error)
    return merged


@cache
def messages() -> Messages:
    cached = _cached(_stamp(catalog_paths()))
    if cached is not None:
        return cached
    return read_catalogs() if sys.dont_write_bytecode else write_cache()


def language() -> str:
    return state.language()


def translate(key: str, language_code: str, **kwargs: object) -> str:
    """The message for ``key`` in ``language_code``; falls back to English, then to the key itself."""
    texts = messages().get(key)
    if texts is None:
        LOGGER.warning("missing message key %s", key)
        return key
    text = texts.get(language_code) or texts.get("en") or key
    return text.format(**kwargs) if kwargs else text


def t(key: str, **kwargs: object) -> str:
    """The message for ``key`` in the current language, ready for Markdown-rendering elements.

    Text values put into the message (names, error details) are Markdown-escaped: they are data, and a
    use case named "![x](http://host/p.png)" must not become an image that the browser loads.
    """
    escaped = {name: escape_markdown(value) if isinstance(value, str) else value for name, value in kwargs.items()}
    return translate(key, language(), **escaped)


def t_plain(key: str, **kwargs: object) -> str:
    """Like :func:`t` without escaping, for plain-text sinks (placeholders, file names, chart titles)."""
    return translate(key, language(), **kwargs)


def has(key: str) -> bool:
    return key in messages()


def label(prefix: str, value: str, language_code: str | None = None) -> str:
    """Translated label of an enum value, e.g. ``label("phase", "poc")`` → "PoC" (default: current language)."""
    key = f"{prefix}.{value}"
    return translate(key, language_code or language()) if has(key) else value


def labels(prefix: str, values: Iterable[str], language_code: str | None = None) -> list[str]:
    """:func:`label` for a whole column, translating each distinct value once."""
    values = list(values)
    code = language_code or language()
    translated = {value: label(prefix, value, code) for value in set(values)}
    return [translated[value] for value in values]
