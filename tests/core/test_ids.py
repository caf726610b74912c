"""New use-case ids: transliterated slugs (issue 13: "gespr-chszusammenfassung" must not happen)."""

from __future__ import annotations

import pytest

from core.ids import slugify, unique_id
from core.models import UseCase


@pytest.mark.parametrize(("name", "slug"), [
    ("Gesprächszusammenfassung", "gespraechszusammenfassung"),
    ("Größenprüfung für Übergaben", "groessenpruefung-fuer-uebergaben"),
    ("Straße", "strasse"),
    ("ÄÖÜ ẞ", "aeoeue-ss"),
    ("Café Crème à la carte", "cafe-creme-a-la-carte"),
    ("Smørrebrød, Łódź", "smorrebrod-lodz"),
    ("Support-Chatbot (RAG)", "support-chatbot-rag"),
    ("  ---  ", "use-case"),
    ("问答", "use-case"),
])
def test_names_are_transliterated(name, slug):
    assert slugify(name) == slug


def test_a_decomposed_umlaut_reads_like_a_composed_one():
    assert slugify("Gespra\u0308ch") == slugify("Gespräch") == "gespraech"


def test_the_slug_is_short_valid_and_ends_without_a_hyphen():
    slug = slugify("Ä" * 30 + " Übersicht")
    assert len(slug) <= 48 and not slug.endswith("-")
    assert UseCase.model_validate({"id": slug, "name": "x", "scoring": dict.fromkeys(
        ("cycle_time_reduction", "cost_reduction", "error_reduction", "data_availability",
         "integration_effort", "compliance_risk", "change_effort"), 0.5),
        "roi": dict.fromkeys(("volume_cases_per_month", "adoption", "minutes_saved_per_case", "cost_per_minute_eur",
                              "error_cost_per_case_eur", "error_rate_reduction", "run_cost_eur_per_month"), 0.0),
    }).id == slug


def test_a_taken_id_gets_a_counter():
    assert unique_id("Übersetzung", set()) == "uebersetzung"
    assert unique_id("Übersetzung", {"uebersetzung", "uebersetzung-2"}) == "uebersetzung-3"
