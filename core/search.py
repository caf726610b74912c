"""Registry search over every text field of the S1 use-case card (S18 registry).

The card's words are joined into one case-folded text per use case once per portfolio version; a query then
only scans those texts, so the registry rerun stays as fast as the name/owner/id search was.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from core.models import UseCase

CARD_TEXT_FIELDS: tuple[str, ...] = (
    "id", "name", "owner", "problem_statement", "users", "process_step", "decision_point", "output_format",
    "guardrails", "out_of_scope",
)
"""The free-text fields of the S1 card; KPI rows (name, unit, window) and RACI rows (deliverable, roles) join them."""


def card_words(use_case: UseCase) -> Iterable[str]:
    """Every text a person typed on the card: the S1 fields, the KPI set's texts and the RACI rows."""
    for field in CARD_TEXT_FIELDS:
        yield getattr(use_case, field)
    for kpi in use_case.kpi_set:
        yield from (kpi.name, kpi.unit, kpi.measurement_window)
    for row in use_case.raci:
        yield row.deliverable
        yield from (*row.responsible, *row.accountable, *row.consulted, *row.informed)


def card_text(use_case: UseCase, extra: Iterable[str] = ()) -> str:
    """One case-folded text to search in: :func:`card_words` plus ``extra`` (e.g. the phase as the user reads it),
    one per line.

    Case folding makes "STRASSE" find "Straße". Example: the sample chatbot's text contains "kundenanfragen" and,
    from its guardrails, "rechtsberatung".
    """
    return "\n".join(text for text in (*card_words(use_case), *extra) if text).casefold()


def query_terms(query: str) -> tuple[str, ...]:
    """The case-folded words of a query; a use case matches when its text contains every one of them."""
    return tuple(query.casefold().split())


SHORT_TERM_LENGTH = 3
"""A query word this short (an acronym such as "rag", "kpi", "hr") matches only at the start of a word, so "rag"
finds "(RAG)" but not "Kundenanfragen"; a longer word matches anywhere ("rechnung" finds "Eingangsrechnungen")."""


def _starts_a_word(text: str, term: str) -> bool:
    at = text.find(term)
    while at > 0 and text[at - 1].isalnum():
        at = text.find(term, at + 1)
    return at >= 0


def _contains(text: str, term: str) -> bool:
    return _starts_a_word(text, term) if len(term) <= SHORT_TERM_LENGTH else term in text


def matches(texts: Sequence[str], query: str) -> np.ndarray:
    """Boolean mask over ``texts`` (from :func:`card_text`): True where the text contains every query word
    (:data:`SHORT_TERM_LENGTH`); all True for a blank query. Example: ``matches(["a rag bot", "anfragen"], "RAG")``
    → ``[True, False]``; ``matches(["eingangsrechnungen"], "Rechnung")`` → ``[True]``. Substring searches on the
    prepared texts: about a millisecond for 500 cards of 1,000 characters.
    """
    terms = query_terms(query)
    return np.fromiter((all(_contains(text, term) for term in terms) for text in texts), dtype=bool,
                       count=len(texts))
