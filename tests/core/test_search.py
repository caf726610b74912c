"""Registry search over every text field of the card (S18; issue 13: it covered only name, owner and id)."""

from __future__ import annotations

import numpy as np
import pytest

from core.models import Kpi, RaciRow, RoiInputs, ScoringInputs, UseCase
from core.search import CARD_TEXT_FIELDS, card_text, matches

SCORING = ScoringInputs(**dict.fromkeys(ScoringInputs.model_fields, 0.5))
ROI = RoiInputs(**dict.fromkeys(RoiInputs.model_fields, 0.0))


def _case(**fields) -> UseCase:
    return UseCase(id=fields.pop("id", "uc"), name=fields.pop("name", "Fall"), scoring=SCORING, roi=ROI, **fields)


@pytest.mark.parametrize("field", [field for field in CARD_TEXT_FIELDS if field not in ("id", "name")])
def test_each_text_field_of_the_card_is_searched(field):
    case = _case(**{field: "Enthält Zahlungsfreigabe im Text"})
    assert matches([card_text(case)], "zahlungsfreigabe").tolist() == [True]
    assert matches([card_text(_case())], "zahlungsfreigabe").tolist() == [False]


def test_kpi_and_raci_rows_and_extra_labels_are_searched():
    case = _case(kpi_set=(Kpi(group="value", name="Liegezeit", target_value=1.0, unit="Stunden",
                              measurement_window="quartalsweise"),),
                 raci=(RaciRow(deliverable="Modellkarte", responsible=("Syndikus",), accountable=("Einkauf",)),))
    text = card_text(case, extra=("Pilot",))
    for query in ("liegezeit", "STUNDEN", "quartalsweise", "modellkarte", "syndikus", "einkauf", "pilot"):
        assert matches([text], query).tolist() == [True], query


def test_every_word_must_match_and_case_folding_finds_sharp_s():
    texts = [card_text(_case(name="Straßenbau Angebote")), card_text(_case(name="Angebote prüfen"))]
    assert matches(texts, "angebote").tolist() == [True, True]
    assert matches(texts, "STRASSE angebote").tolist() == [True, False]
    assert matches(texts, "   ").tolist() == [True, True]
    assert matches([], "x").dtype == np.bool_


def test_a_short_word_matches_at_a_word_start_a_longer_one_anywhere():
    texts = [card_text(_case(name="Support-Chatbot (RAG)")), card_text(_case(name="Kundenanfragen sortieren"))]
    assert matches(texts, "rag").tolist() == [True, False]
    assert matches(texts, "anfragen").tolist() == [False, True]
    assert matches([card_text(_case(name="Eingangsrechnungen"))], "Rechnung").tolist() == [True]
