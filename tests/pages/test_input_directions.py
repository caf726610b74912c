"""Each S3 input says which way is better (issue 13: "Feasibility (higher = harder)" sat above Data availability,
where higher is better), on the Scoring page and on the participants' answer page, in both languages."""

from __future__ import annotations

import pytest
from conftest import ROOT, assert_clean, open_page
from streamlit.testing.v1 import AppTest

from core.models import FEASIBILITY_WEIGHT_FIELDS, VALUE_WEIGHT_FIELDS
from core.workshop import SCORING_QUESTIONS, define_round

CHATBOT = "support-chatbot"
EXPECTED = {
    "en": {"cycle_time_reduction": "Cycle-time reduction (higher = better)",
           "cost_reduction": "Cost reduction (higher = better)",
           "error_reduction": "Error reduction (higher = better)",
           "data_availability": "Data availability (higher = better)",
           "integration_effort": "Integration effort (higher = harder)",
           "compliance_risk": "Compliance risk (higher = harder)",
           "change_effort": "Change effort (higher = harder)"},
    "de": {"cycle_time_reduction": "Reduktion Durchlaufzeit (höher = besser)",
           "cost_reduction": "Kostenreduktion (höher = besser)",
           "error_reduction": "Fehlerreduktion (höher = besser)",
           "data_availability": "Datenverfügbarkeit (höher = besser)",
           "integration_effort": "Integrationsaufwand (höher = schwerer)",
           "compliance_risk": "Compliance-Risiko (höher = schwerer)",
           "change_effort": "Change-Aufwand (höher = schwerer)"},
}


@pytest.mark.parametrize("language", ["en", "de"])
def test_every_scoring_slider_names_its_direction(store, language):
    at = open_page("pages/2_Scoring.py", language=language, use_case=CHATBOT)
    assert_clean(at)
    # Sliders are select_sliders labelled in the locale, one widget per language (ui/number_field.py).
    suffix = "" if language == "en" else f".{language}"
    labels = {field: at.select_slider(key=f"w.score.{CHATBOT}.{field}{suffix}").label
              for field in (*VALUE_WEIGHT_FIELDS, *FEASIBILITY_WEIGHT_FIELDS)}
    assert labels == EXPECTED[language]
    captions = " ".join(caption.value for caption in at.caption)
    assert "higher = harder" not in captions and "höher = schwerer" not in captions


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_answer_page_names_the_direction_too(store, sample_id, language):
    workspace = store.load(sample_id).workspace
    info = store.open_round(sample_id, define_round([workspace.use_case(CHATBOT)], SCORING_QUESTIONS, "Kick-off"),
                            actor="Facilitator")
    _, secret = store.join_round(info.token, "Anna")
    at = AppTest.from_file(str(ROOT / "pages" / "11_Answer.py"), default_timeout=30)
    at.query_params["r"], at.query_params["p"], at.query_params["lang"] = info.token, secret, language
    at.run()
    assert_clean(at)
    shown = {slider.label for slider in at.select_slider}
    assert shown & set(EXPECTED[language].values()), shown
    assert all(label in EXPECTED[language].values() for label in shown)
