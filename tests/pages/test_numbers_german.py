"""Issue 13: numbers people type are the numbers they meant. German input ("2,4", "1.234,5") through Babel,
every number shown in the locale (fields and slider labels), percent fields take percent, and a refusal says
in words what is allowed next to the field while the typed text stays."""

from __future__ import annotations

import pytest
from conftest import open_page

from core.roi import compute_roi
from ui import formatting

CHATBOT = "support-chatbot"
ROI = "pages/4_ROI.py"


def _field(at, field: str):
    return at.text_input(key=f"w.roi.{CHATBOT}.{field}.number")


def _metrics(at):
    return {metric.label: metric.value for metric in at.metric}


def test_the_roi_fields_and_sliders_show_german_numbers(store):
    at = open_page(ROI, language="de", use_case=CHATBOT)
    assert not at.exception and not at.error
    assert _field(at, "minutes_saved_per_case").value == "2,4\xa0min"
    assert _field(at, "cost_per_minute_eur").value == "0,85\xa0€"
    assert _field(at, "run_cost_eur_per_month").value == "18.000\xa0€"
    assert _field(at, "volume_cases_per_month").value == "50.000"
    assert _field(at, "adoption").value == "62\xa0%"
    minutes = at.select_slider(key=f"w.roi.{CHATBOT}.minutes_saved_per_case.slider.de")
    assert minutes.value == pytest.approx(2.4) and "2,4\xa0min" in minutes.options and "2.4 min" not in minutes.options
    volume = at.select_slider(key=f"w.roi.{CHATBOT}.volume_cases_per_month.slider.de")
    assert "200.000" in volume.options and "50.000" in volume.options


def test_a_german_decimal_comma_is_the_number_meant_not_ten_times_it(store, sample_id):
    at = open_page(ROI, language="de", use_case=CHATBOT)
    _field(at, "minutes_saved_per_case").input("2,4").run()
    _field(at, "minutes_saved_per_case").input("3,5").run()
    assert not at.exception and not at.error
    stored = store.get_use_case(sample_id, CHATBOT)[0].roi
    assert stored.minutes_saved_per_case == pytest.approx(3.5)
    assert _field(at, "minutes_saved_per_case").value == "3,5\xa0min"
    assert _metrics(at)["ROI pro Monat"] == formatting.roi(compute_roi(stored).roi, "de")
    assert at.select_slider(key=f"w.roi.{CHATBOT}.minutes_saved_per_case.slider.de").value == pytest.approx(3.5)


def test_grouped_german_numbers_are_read_the_german_way_and_echoed(store, sample_id):
    at = open_page(ROI, language="de", use_case=CHATBOT)
    _field(at, "volume_cases_per_month").input("1.234").run()
    assert store.get_use_case(sample_id, CHATBOT)[0].roi.volume_cases_per_month == 1234
    assert _field(at, "volume_cases_per_month").value == "1.234"
    _field(at, "run_cost_eur_per_month").input("1.234,5").run()
    assert store.get_use_case(sample_id, CHATBOT)[0].roi.run_cost_eur_per_month == pytest.approx(1234.5)
    assert _field(at, "run_cost_eur_per_month").value == "1.234,5\xa0€"


@pytest.mark.parametrize("typed", ["62", "62 %", "62,0 %"])
def test_percent_fields_take_percent(store, sample_id, typed):
    at = open_page(ROI, language="de", use_case=CHATBOT)
    _field(at, "adoption").input("30").run()
    _field(at, "adoption").input(typed).run()
    assert not at.exception and not at.error
    assert store.get_use_case(sample_id, CHATBOT)[0].roi.adoption == pytest.approx(0.62)
    assert _field(at, "adoption").value == "62\xa0%"
    assert at.select_slider(key=f"w.roi.{CHATBOT}.adoption.slider.de").value == pytest.approx(0.62)


def test_a_refused_entry_stays_in_the_field_with_the_reason_in_words_beside_it(store, sample_id):
    at = open_page(ROI, language="de", use_case=CHATBOT)
    _field(at, "adoption").input("162").run()
    assert not at.exception
    [error] = [item.value for item in at.error]
    assert "162" in error and "0\xa0% bis 100\xa0%" in error, error
    assert _field(at, "adoption").value == "162"
    assert store.get_use_case(sample_id, CHATBOT)[0].roi.adoption == pytest.approx(0.62)
    _field(at, "minutes_saved_per_case").input("2.4").run()
    errors = [item.value for item in at.error]
    assert any("meinten Sie 2,4" in error for error in errors), errors
    assert _field(at, "minutes_saved_per_case").value == "2.4"
    assert store.get_use_case(sample_id, CHATBOT)[0].roi.minutes_saved_per_case == pytest.approx(2.4)
    _field(at, "adoption").input("55").run()
    assert store.get_use_case(sample_id, CHATBOT)[0].roi.adoption == pytest.approx(0.55)
    assert not any("162" in item.value for item in at.error)


def test_english_fields_take_english_notation(store, sample_id):
    at = open_page(ROI, use_case=CHATBOT)
    assert _field(at, "cost_per_minute_eur").value == "€0.85"
    _field(at, "run_cost_eur_per_month").input("€1,234.5").run()
    assert store.get_use_case(sample_id, CHATBOT)[0].roi.run_cost_eur_per_month == pytest.approx(1234.5)
    _field(at, "minutes_saved_per_case").input("2,4").run()
    assert any("did you mean 2.4" in item.value for item in at.error)


def test_a_refused_entry_survives_a_reload_and_follows_the_language(store, sample_id):
    at = open_page(ROI, language="de", use_case=CHATBOT)
    _field(at, "adoption").input("162").run()
    assert _field(at, "adoption").value == "162"

    reloaded = open_page(ROI, language="de", use_case=CHATBOT)  # a new browser session: a reload or a new tab
    assert not reloaded.exception
    assert _field(reloaded, "adoption").value == "162", "the refused text is kept for this person"
    [error] = [item.value for item in reloaded.error]
    assert "162" in error and "0\xa0% bis 100\xa0%" in error, error
    english = open_page(ROI, use_case=CHATBOT)
    assert any("162" in item.value and "0% to 100%" in item.value for item in english.error), \
        [item.value for item in english.error]

    _field(reloaded, "adoption").input("55").run()
    assert store.get_use_case(sample_id, CHATBOT)[0].roi.adoption == pytest.approx(0.55)
    again = open_page(ROI, language="de", use_case=CHATBOT)
    assert not again.error and _field(again, "adoption").value == "55\xa0%", "a corrected entry leaves no draft"


def test_a_refused_entry_is_dropped_once_someone_changes_the_stored_value(store, sample_id):
    at = open_page(ROI, language="de", use_case=CHATBOT)
    _field(at, "adoption").input("162").run()
    use_case, version = store.get_use_case(sample_id, CHATBOT)
    changed = use_case.model_copy(update={"roi": use_case.roi.model_copy(update={"adoption": 0.4})})
    store.save_use_case(sample_id, changed, expected_version=version, actor="Jonas")
    reloaded = open_page(ROI, language="de", use_case=CHATBOT)
    assert not reloaded.error and _field(reloaded, "adoption").value == "40\xa0%"
