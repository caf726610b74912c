"""Translations: ``t(key, **kwargs)`` in the sidebar's language (DE/EN).

Messages live in catalog modules, each exposing ``MESSAGES: dict[key, {"en": text, "de": text}]``:
``ui.catalog_main`` (Home, Use cases, Scoring, ROI, shared UI) and, when present,
``ui.catalog_analysis`` (Sensitivity, Gates, Data readiness, Export). Placeholders use
``str.format`` syntax, e.g. ``t("home.use_cases_count", count=3)``.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterable, Mapping
from functools import cache

from ui import state
from ui.formatting import escape_markdown

CATALOG_MODULES = ("ui.catalog_main", "ui.catalog_analysis")
LOGGER = logging.getLogger(__name__)


class CatalogError(ValueError):
    """Two catalogs define the same key, or a message lacks a language."""


def merge_catalogs(catalogs: Mapping[str, Mapping[str, Mapping[str, str]]]) -> dict[str, dict[str, str]]:
    """One key → {language: text} table; a key defined by two catalogs is an error."""
    merged: dict[str, dict[str, str]] = {}
    owner: dict[str, str] = {}
    for module_name, messages in catalogs.items():
        for key, texts in messages.items():
            if key in merged:
                raise CatalogError(f"message key '{key}' is defined in {owner[key]} and {module_name}")
            merged[key] = dict(texts)
            owner[key] = module_name
    return merged


@cache
def messages() -> dict[str, dict[str, str]]:
    catalogs = {}
    for module_name in CATALOG_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name != module_name:
                raise
            continue
        catalogs[module_name] = module.MESSAGES
    return merge_catalogs(catalogs)


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
