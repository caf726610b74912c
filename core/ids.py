"""Readable ids for new use cases: a transliterated, hyphenated slug of the name (S1).

Umlauts and ß are spelt out the German way (ä → ae, ß → ss) and other accents are dropped through Unicode
decomposition (é → e), so "Gesprächszusammenfassung" becomes ``gespraechszusammenfassung`` instead of
``gespr-chszusammenfassung``. Only new ids are made here; a stored id is never renamed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

MAX_SLUG_LENGTH = 48
FALLBACK_SLUG = "use-case"
# Letters whose decomposition keeps no base letter, or whose German spelling is not the base letter.
_SPELLED_OUT = str.maketrans({
    "ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss", "ẞ": "SS",
    "æ": "ae", "Æ": "Ae", "œ": "oe", "Œ": "Oe", "ø": "o", "Ø": "O", "å": "aa", "Å": "Aa",
    "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "Th", "ł": "l", "Ł": "L", "ı": "i",
})
_NOT_ALLOWED = re.compile(r"[^a-z0-9]+")


def slugify(text: str, max_length: int = MAX_SLUG_LENGTH) -> str:
    """Lower-case ASCII letters and digits joined by single hyphens, at most ``max_length`` characters.

    Example: ``slugify("Gesprächszusammenfassung für Ärzte")`` → ``"gespraechszusammenfassung-fuer-aerzte"``;
    ``slugify("Café Crème")`` → ``"cafe-creme"``; a name with no letter or digit gives ``"use-case"``.
    """
    composed = unicodedata.normalize("NFC", text).translate(_SPELLED_OUT)
    ascii_text = unicodedata.normalize("NFKD", composed).encode("ascii", "ignore").decode("ascii")
    slug = _NOT_ALLOWED.sub("-", ascii_text.lower()).strip("-")[:max_length].rstrip("-")
    return slug or FALLBACK_SLUG


def unique_id(name: str, taken: Iterable[str]) -> str:
    """A new id for ``name`` that is none of ``taken``: its slug, else the slug with "-2", "-3", …

    Example: ``unique_id("Übersetzung", {"uebersetzung"})`` → ``"uebersetzung-2"``.
    """
    slug = slugify(name)
    taken = set(taken)
    candidate, counter = slug, 2
    while candidate in taken:
        candidate, counter = f"{slug}-{counter}", counter + 1
    return candidate
