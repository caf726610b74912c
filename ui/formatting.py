"""Locale-aware numbers, percentages and euros through Babel.

German uses de_DE (1.234,56 €, 62 %), English uses en_GB (€1,234.56, 62%). Every function takes
the language explicitly so that it stays testable without Streamlit.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from datetime import datetime
from functools import cache, lru_cache

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import (
    NumberFormatError,
    format_compact_currency,
    format_compact_decimal,
    format_currency,
    format_decimal,
    format_percent,
    parse_decimal,
)

LOCALES = {"de": "de_DE", "en": "en_GB"}
DATE_PATTERNS = {"de": "d. MMM y", "en": "d MMM y"}
"""Day, abbreviated month name, year: never "02/12/2026", which reads as 12 February in the US."""
MISSING = "–"
WORD_JOINER = "\u2060"
# Characters that start Markdown or Streamlit syntax anywhere in a line: code, emphasis, links and images,
# raw HTML and <autolinks>, strikethrough, math, tables, entities (&lt;), headings and Streamlit's directives
# (:red[…], :material/…:, :small[…]). CommonMark makes any escaped ASCII punctuation literal. Other punctuation
# (".,-()%/") stays as typed, so names and figures read as they are.
_ESCAPED = "\\`*_[]!<>~$|&:@#"
_ESCAPES = str.maketrans({
    **{character: "\\" + character for character in _ESCAPED},
    **dict.fromkeys("\r\n\v\f\x85\u2028\u2029", " "),
})
# Streamlit and remark-gfm also rewrite the parsed text itself, where no escape is left: bare URLs
# ("http://", "www.") and e-mail addresses become links, ":smile:" an emoji, ":streamlit:" an <img>,
# ":material_icon:" an icon, and "->", "<=", "--" arrows and dashes. An invisible word joiner (U+2060) after
# ":", after "@", between "www" and ".", and inside the arrows breaks every one of those patterns; it is not
# shown and not a line-break opportunity.
_TEXT_SYNTAX = re.compile(r"[:@](?=\S)|(?i:www)(?=\.)|[<>~-](?=[<>=~-])")
# A block marker at the start of the text ("- ", "+ ", "1. ", "1) ", "===") would make a list or a heading of
# it ("#" and ">" are escaped anyway).
_BLOCK_MARKER = re.compile(r"^(?:([-+=])(?=[-=\s]*$|\s)|(\d{1,9})([.)])(?=\s|$))")
_NEEDS_ESCAPE = frozenset(_ESCAPED + "\r\n\v\f\x85\u2028\u2029-+=.)")


# Tables repeat the same figures on every rerun; each Babel call re-reads locale data, so results are kept.
RESULT_CACHE_SIZE = 65_536


def locale_for(language: str) -> str:
    return LOCALES.get(language, LOCALES["en"])


@cache
def _currency_pattern(language: str, decimals: int) -> str:
    return _decimals_pattern(Locale.parse(locale_for(language)).currency_formats["standard"].pattern, decimals)


@cache
def _percent_pattern(language: str, decimals: int) -> str:
    return _decimals_pattern(Locale.parse(locale_for(language)).percent_formats[None].pattern, decimals)


def _decimals_pattern(pattern: str, decimals: int) -> str:
    """Rewrite the integer part "#,##0" of a Babel pattern to carry ``decimals`` digits."""
    integer = pattern.split(";")[0]
    integer = integer.replace("#,##0.00", "#,##0").replace("#,##0.0", "#,##0")
    return integer.replace("#,##0", "#,##0." + "0" * decimals if decimals else "#,##0")


def _finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


_NONZERO_DIGITS = frozenset("123456789")


def _no_negative_zero(value: float, text: str, zero: str) -> str:
    """``zero`` for a negative value (or -0.0) that rounds to zero, which Babel shows as "-0 %" or "-€0".

    The caches below would otherwise also hand the cached "-€0" of -0.0 to 0.0 (equal keys).
    """
    return zero if math.copysign(1.0, value) < 0 and _NONZERO_DIGITS.isdisjoint(text) else text


@lru_cache(maxsize=RESULT_CACHE_SIZE)
def eur(amount: float | None, language: str, decimals: int = 0) -> str:
    """Euros, e.g. 51378 → "51.378 €" (de) or "€51,378" (en); 1234.56 with decimals=2 → "1.234,56 €"."""
    if not _finite(amount):
        return MISSING
    pattern, locale = _currency_pattern(language, decimals), locale_for(language)
    text = format_currency(amount, "EUR", format=pattern, locale=locale, currency_digits=False)
    return _no_negative_zero(amount, text, format_currency(0.0, "EUR", format=pattern, locale=locale,
                                                           currency_digits=False))


@lru_cache(maxsize=RESULT_CACHE_SIZE)
def eur_compact(amount: float | None, language: str) -> str:
    """Short euros for sentences, e.g. 1,900,000 → "€1.9m" (en) or "1,9 Mio. €" (de), 600,000 → "€600k" or
    "600 Tsd. €"; below 1,000 € as :func:`eur`. Babel abbreviates German thousands not at all ("600000 €")."""
    if not _finite(amount):
        return MISSING
    if language != "de":
        return format_compact_currency(amount, "EUR", locale=locale_for(language), fraction_digits=1)
    for scale, unit in ((1e9, "Mrd."), (1e6, "Mio."), (1e3, "Tsd.")):
        if abs(amount) >= scale:
            return f"{format_decimal(amount / scale, format='#,##0.#', locale=locale_for(language))}\u00a0{unit}\u00a0€"
    return eur(amount, language)


def _grouped(value: float, pattern: str, language: str) -> str:
    """``value`` in the Babel decimal ``pattern`` of the language, never "-0"."""
    text = format_decimal(value, format=pattern, locale=locale_for(language))
    return _no_negative_zero(value, text, format_decimal(0.0, format=pattern, locale=locale_for(language)))


@lru_cache(maxsize=RESULT_CACHE_SIZE)
def number(value: float | None, language: str, decimals: int = 0) -> str:
    """Grouped number, e.g. 50000 → "50.000" (de) or "50,000" (en)."""
    if not _finite(value):
        return MISSING
    return _grouped(value, "#,##0." + "0" * decimals if decimals else "#,##0", language)


@lru_cache(maxsize=RESULT_CACHE_SIZE)
def plain(value: float | None, language: str, max_decimals: int = 3) -> str:
    """A number as typed, grouped, up to ``max_decimals`` decimals: 1234.5 → "1.234,5" (de), 0.62 → "0.62"."""
    if not _finite(value):
        return MISSING
    return _grouped(value, "#,##0." + "#" * max_decimals if max_decimals else "#,##0", language)


def compact(value: float | None, language: str) -> str:
    """Short large numbers, e.g. 240,000,000 → "240M" (en) or "240 Mio." (de)."""
    if not _finite(value):
        return MISSING
    # en_GB abbreviates millions as "m"; the plain English locale writes "M".
    locale = "en" if language == "en" else locale_for(language)
    text = format_compact_decimal(value, locale=locale, fraction_digits=1)
    return _no_negative_zero(value, text, format_compact_decimal(0, locale=locale))


@lru_cache(maxsize=RESULT_CACHE_SIZE)
def percent(fraction: float | None, language: str, decimals: int = 0) -> str:
    """A fraction as percent, e.g. 0.62 → "62 %" (de) or "62%" (en); 2.854 with 1 decimal → "285,4 %"."""
    if not _finite(fraction):
        return MISSING
    pattern, locale = _percent_pattern(language, decimals), locale_for(language)
    text = format_percent(fraction, format=pattern, locale=locale)
    return _no_negative_zero(fraction, text, format_percent(0.0, format=pattern, locale=locale))


def roi(ratio: float | None, language: str) -> str:
    """ROI ratio as percent with one decimal (2.85433 → "285.4%"); "–" when undefined (run cost 0)."""
    return percent(ratio, language, decimals=1)


def score(value: float | None, language: str) -> str:
    """A unitless S3 score in [0, 1] with two decimals, e.g. 0.1976 → "0,20" (de)."""
    return number(value, language, decimals=2)


def timestamp(value: datetime | None, language: str) -> str:
    """A moment with the month as a word, so no reader confuses day and month: "2 Dec 2026, 14:05" (en),
    "2. Dez. 2026, 14:05" (de); :data:`MISSING` for None."""
    if value is None:
        return MISSING
    return format_datetime(value, format=f"{DATE_PATTERNS[language]}, HH:mm", locale=locale_for(language))


def date(value: datetime | dt.date | None, language: str) -> str:
    """A day with the month as a word: "2 Dec 2026" (en), "2. Dez. 2026" (de); :data:`MISSING` for None."""
    if value is None:
        return MISSING
    return format_date(value, format=DATE_PATTERNS[language], locale=locale_for(language))


@lru_cache(maxsize=RESULT_CACHE_SIZE)
def escape_markdown(text: str) -> str:
    """User text as literal Markdown for Streamlit's labels, headers, metrics and messages: no element,
    link, image (which would make the browser fetch a URL), icon, emoji or colour can come of it.

    Syntax characters are backslash-escaped, line breaks become spaces, leading white space goes (at the start
    of a line four spaces make a code block; HTML would not show them), and a word joiner (U+2060, invisible)
    breaks Streamlit's text rewrites: "![x](http://h/p.png)" → "\\!\\[x\\](http\\://h/p.png)", shown as typed.
    "Support-Chatbot (RAG), 62 %" stays as it is.
    """
    text = text.lstrip()
    if _NEEDS_ESCAPE.isdisjoint(text):
        return text
    joined = _TEXT_SYNTAX.sub(lambda match: match.group() + WORD_JOINER, text)
    return _BLOCK_MARKER.sub(_escape_block_marker, joined.translate(_ESCAPES))


def _escape_block_marker(match: re.Match[str]) -> str:
    marker = match.group(1)
    return f"\\{marker}" if marker is not None else f"{match.group(2)}\\{match.group(3)}"


def markdown_lines(lines: Iterable[str], bullets: bool = False) -> str:
    """Lines of user or core text (import errors, validation messages) as Markdown, each escaped: paragraphs,
    or a bullet list with ``bullets``. ``markdown_lines(["a: *x*"], bullets=True)`` → ``"- a\\: \\*x\\*"``."""
    escaped = [escape_markdown(line) for line in lines]
    return "\n".join(f"- {line}" for line in escaped) if bullets else "\n\n".join(escaped)


def markdown_table(header: Iterable[str], rows: Iterable[Iterable[str]], right_aligned: tuple[int, ...] = ()) -> str:
    """A Markdown table of already formatted, already escaped cells (columns in ``right_aligned`` flush right).

    Small read-only tables are Markdown rather than ``st.dataframe``: the data grid's script bundle
    (≈1.3 MB) delays the first page, and re-rendering the grid on every slider step costs the browser more
    than a plain HTML table.
    """
    header = list(header)
    rule = ["---:" if index in right_aligned else "---" for index in range(len(header))]
    lines = [header, rule, *(list(row) for row in rows)]
    return "\n".join("| " + " | ".join(cell.replace("\r", " ").replace("\n", " ") for cell in line) + " |"
                     for line in lines)


# Units a person may type after a figure (and which the fields echo): removed before Babel parses the number.
_UNIT_WORDS = re.compile(r"(?i)(€|eur|%|min|monate?|months?)")
_BLANKS = re.compile(r"[\s\u00a0\u202f]+")


class NumberEntryError(ValueError):
    """Typed text that is no number in the language's notation; ``suggestion`` is the number Babel thinks was
    meant ("2,4" for "2.4" in German), or None."""

    def __init__(self, text: str, suggestion: str | None) -> None:
        super().__init__(f"not a number: {text!r}")
        self.text = text
        self.suggestion = suggestion


def parse_number(text: str, language: str) -> float:
    """A number typed in the language's notation (Babel, strict): "2,4" → 2.4, "1.234,5" → 1234.5 and "1.234" →
    1234 in German; "1,234.5" → 1234.5 in English. A unit after it ("€", "%", "min") is ignored; "2.4" in German
    raises :class:`NumberEntryError` suggesting "2,4".

    Example: ``parse_number("62 %", "de")`` → 62.0 (the caller turns percent into a fraction).
    """
    cleaned = _BLANKS.sub("", _UNIT_WORDS.sub("", text))
    if cleaned.startswith("+"):
        cleaned = cleaned[1:]
    if not cleaned:
        raise NumberEntryError(text, None)
    try:
        value = float(parse_decimal(cleaned, locale=locale_for(language), strict=True))
    except NumberFormatError as error:
        suggestions = list(getattr(error, "suggestions", None) or [])
        raise NumberEntryError(text, suggestions[-1] if suggestions else None) from None
    if not math.isfinite(value):
        raise NumberEntryError(text, None)
    return value


@lru_cache(maxsize=RESULT_CACHE_SIZE)
def entry_text(value: float | None, unit: str, language: str, decimals: int = 0, extra_decimals: int = 2) -> str:
    """A figure as an input field shows it and takes it back: ``decimals`` always, up to ``extra_decimals`` more
    when the value has them, grouped, with its unit. ``unit``: "percent" (a fraction: 0.625 → "62,5 %"), "eur"
    (0.85 → "0,85 €" / "€0.85"), "minutes" (2.4 → "2,4 min"), "count" or "" (50000 → "50.000").
    """
    if not _finite(value):
        return ""
    figure = value * 100 if unit == "percent" else value
    pattern = "#,##0" + ("." + "0" * decimals + "#" * extra_decimals if decimals + extra_decimals else "")
    locale = locale_for(language)
    text = format_decimal(figure, format=pattern, locale=locale)
    text = _no_negative_zero(figure, text, format_decimal(0.0, format=pattern, locale=locale))
    if unit == "percent":
        return f"{text}\u00a0%" if language == "de" else f"{text}%"
    if unit == "eur":
        return f"{text}\u00a0€" if language == "de" else f"€{text}"
    if unit == "minutes":
        return f"{text}\u00a0min"
    return text
