"""ui/formatting: no formatter shows a negative zero ("-0 %", "-€0"), whatever its input or the cache's order."""

from __future__ import annotations

import pytest

from ui import formatting

FORMATTERS = {
    "eur": lambda value, language: formatting.eur(value, language),
    "eur_cents": lambda value, language: formatting.eur(value, language, decimals=2),
    "number": lambda value, language: formatting.number(value, language),
    "number_1": lambda value, language: formatting.number(value, language, 1),
    "percent": lambda value, language: formatting.percent(value, language),
    "percent_1": lambda value, language: formatting.percent(value, language, 1),
    "roi": formatting.roi,
    "score": formatting.score,
    "compact": formatting.compact,
}
ZERO = {"en": {"eur": "€0", "eur_cents": "€0.00", "number": "0", "number_1": "0.0", "percent": "0%",
               "percent_1": "0.0%", "roi": "0.0%", "score": "0.00", "compact": "0"},
        "de": {"eur": "0\xa0€", "eur_cents": "0,00\xa0€", "number": "0", "number_1": "0,0", "percent": "0\xa0%",
               "percent_1": "0,0\xa0%", "roi": "0,0\xa0%", "score": "0,00", "compact": "0"}}


@pytest.mark.parametrize("language", ["en", "de"])
@pytest.mark.parametrize("name", FORMATTERS)
@pytest.mark.parametrize("value", [-0.0, 0.0, -1e-9, -0.0004])
def test_zero_and_negatives_that_round_to_zero_show_an_unsigned_zero(name, language, value):
    if name == "compact" and value not in (0.0,):
        pytest.skip("compact keeps small fractions as they are (-0.0004), which is no zero")
    assert FORMATTERS[name](value, language) == ZERO[language][name]


@pytest.mark.parametrize("language", ["en", "de"])
def test_negative_zero_first_does_not_leave_a_signed_zero_in_the_cache(language):
    # -0.0 == 0.0 and both hash alike, so whichever is formatted first was once cached for both.
    formatting.eur.cache_clear()
    assert formatting.eur(-0.0, language) == formatting.eur(0.0, language) == ZERO[language]["eur"]


def test_negatives_that_show_a_digit_keep_their_sign():
    assert formatting.percent(-0.05, "en") == "-5%"
    assert formatting.percent(-0.004, "en") == "0%"  # rounds to 0 %
    assert formatting.percent(-0.004, "de", 1) == "-0,4\xa0%"
    assert formatting.eur(-1.0, "en") == "-€1"
    assert formatting.eur(-0.4, "de", 2) == "-0,40\xa0€"
