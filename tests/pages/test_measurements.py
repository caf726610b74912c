"""AppTest for S22 in the app: the Measurements tab (add by hand, dates, the series), gate values typed on the
Gates page are measured today, the plan-vs-actual section, the registry badges and Home's needs-attention list."""

from __future__ import annotations

import re
from datetime import date, timedelta

from core.gates import evaluate_all
from core.plan_vs_actual import plan_vs_actual
from core.roi import compute_roi
from tests.pages.conftest import open_page, shown
from ui import formatting

GATES = "pages/7_Gates.py"
BUSINESS_CASE = "pages/5_Business_case.py"
PICKER = "w.picker.use_case"
CHATBOT = "support-chatbot"
MINUTES = "meeting-minutes"


def _gates(use_case_id: str, language: str | None = None, tab: str = "measurements"):
    at = open_page(GATES, language=language, tabs={"gates": tab})
    at.selectbox(key=PICKER).set_value(use_case_id).run()
    return at


def _open_tab(at, tab: str) -> None:
    """Switch the Gates page's tabs as a click would: only the open tab is drawn (ui.frame.lazy_tabs)."""
    from ui import state

    at.session_state[f"{state.UI_PREFIX}tab.gates"] = tab
    at.run()


def _add(at, day: date, **values) -> None:
    at.date_input(key="w.gates.add.measured_on").set_value(day)
    for field, value in values.items():
        at.text_input(key=f"w.gates.add.{field}").input(value)
    at.text_input(key="w.gates.add.source").input("Monitoring-Export")
    form_button = next(button for button in at.button if button.proto.form_id == "gates.add_measurement")
    form_button.click().run()


def test_two_measurements_by_hand_make_a_use_case_behind_plan(store, sample_id):
    at = _gates(CHATBOT)
    assert not at.exception
    before = store.load(sample_id).workspace.use_case(CHATBOT)
    assert plan_vs_actual([before]).behind_plan.tolist() == [False]
    # Plan months 3 and 4 (from 1 February 2026): plan adoption 0.31 and 0.413, measured 0.05 each.
    _add(at, date(2026, 4, 30), adoption="5")  # percent fields take percent (issue 13)
    assert not at.exception, [item.value for item in at.exception]
    _add(at, date(2026, 5, 29), adoption="5")
    assert not at.exception
    after = store.load(sample_id).workspace.use_case(CHATBOT)
    assert len(after.measurements) == len(before.measurements) + 2
    added = after.measurements[-2:]
    assert [item.measured_on for item in added] == [date(2026, 4, 30), date(2026, 5, 29)]
    assert [item.adoption for item in added] == [0.05, 0.05] and added[0].source == "Monitoring-Export"
    assert plan_vs_actual([after]).behind_plan.tolist() == [True]
    series = next(frame.value for frame in at.dataframe if "Measured on" in frame.value.columns)
    assert series.iloc[0]["Measured on"] == "29 May 2026" and series.iloc[0]["Adoption"] == "5.0%"
    assert any("Measurement of 29 May 2026 saved." in item.value for item in at.success)

    home = open_page()
    assert not home.exception
    attention = " ".join(item.value for item in home.markdown)
    assert "behind plan" in attention and "Support-Chatbot" in attention
    registry = open_page("pages/1_Use_cases.py")
    table = registry.dataframe[0].value
    row = table[table["Use case"].str.startswith("Support-Chatbot")].iloc[0]
    assert "Behind plan" in list(row["Attention"])


def test_an_empty_form_saves_nothing_and_says_why(store, sample_id):
    at = _gates(CHATBOT)
    count = len(store.load(sample_id).workspace.use_case(CHATBOT).measurements)
    form_button = next(button for button in at.button if button.proto.form_id == "gates.add_measurement")
    form_button.click().run()
    assert any("at least one measured value" in item.value for item in at.error)
    assert len(store.load(sample_id).workspace.use_case(CHATBOT).measurements) == count


def test_the_dates_are_saved_and_s17_counts_weeks_from_them(store, sample_id):
    at = _gates(CHATBOT)
    at.date_input(key=f"w.gates.{CHATBOT}.pilot_started_on").set_value(date(2026, 1, 5)).run()
    assert not at.exception
    use_case = store.load(sample_id).workspace.use_case(CHATBOT)
    assert use_case.pilot_started_on == date(2026, 1, 5)
    # Latest measurement 31 March 2026: 85 days = 12.14 weeks > 6, adoption 0.21 < 0.4 → stop or re-scope (S17).
    _open_tab(at, "gates")
    at.segmented_control(key="w.gates.gate").set_value("scale_or_kill").run()
    captions = " ".join(shown(item.value) for item in at.caption)
    assert "Weeks since pilot start: 12.14 from the dates (pilot start to 31 Mar 2026)" in captions


def test_the_business_case_shows_plan_vs_actual_in_german(store, sample_id):
    at = open_page(BUSINESS_CASE, language="de", use_case=MINUTES)
    assert not at.exception
    assert at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")
    labels = [metric.label for metric in at.metric]
    assert "Kumulierte Abweichung" in labels and "Ist-Nutzen / Plan" in labels
    share = next(metric.value for metric in at.metric if metric.label == "Ist-Nutzen / Plan")
    assert share == "58,3\xa0%"  # meeting minutes: 6,0 of 10 minutes saved in month 2 (S22), cumulative 0.583


def test_the_sources_panel_switches_adoption_to_the_measurement(store, sample_id):
    at = open_page("pages/4_ROI.py", use_case=CHATBOT, open_sections=True)
    key = f"w.sources.{CHATBOT}.adoption"
    at.radio(key=key).set_value("measurement").run()
    assert not at.exception
    use_case = store.load(sample_id).workspace.use_case(CHATBOT)
    assert use_case.roi_sources.adoption == "measurement" and use_case.roi.adoption == 0.62
    captions = " ".join(shown(item.value) for item in at.caption)
    assert "Adoption: measured 21.0% on 31 Mar 2026" in captions


def test_a_pilots_s17_kill_trigger_turns_it_red_on_home_and_in_the_registry(store, sample_id):
    before = open_page()
    assert not any("Support-Chatbot für Kundenanfragen (RAG): Scale or kill" in shown(item.value)
                   for item in before.markdown)
    at = _gates(CHATBOT)
    at.date_input(key=f"w.gates.{CHATBOT}.pilot_started_on").set_value(date(2026, 1, 5)).run()
    use_case = store.load(sample_id).workspace.use_case(CHATBOT)
    # A pilot heads for the quality gates, but 12 weeks in at 21 % adoption S17 says stop or re-scope.
    assert use_case.phase == "pilot"
    home = open_page()
    attention = " ".join(shown(item.value) for item in home.markdown)
    assert re.search(r"Gate red\] Support-Chatbot[^:]*: Scale or kill says Stop or re-scope", attention), attention
    registry = open_page("pages/1_Use_cases.py")
    table = registry.dataframe[0].value
    row = table[table["Use case"].str.startswith("Support-Chatbot")].iloc[0]
    assert "Gate red" in list(row["Attention"])


def test_the_roi_beside_the_s17_check_is_the_one_it_uses(store, sample_id):
    at = _gates(CHATBOT, tab="gates")
    at.segmented_control(key="w.gates.gate").set_value("scale_or_kill").run()
    use_case = store.load(sample_id).workspace.use_case(CHATBOT)
    checked = evaluate_all(use_case)["scale_or_kill"]
    roi_check = next(check for check in checked.checks if check.name == "roi")
    captions = " ".join(shown(item.value) for item in at.caption)
    # The chatbot's latest measurement has adoption 21 %: its ROI is far below the assumed 62 % adoption's.
    shown_roi = formatting.roi(roi_check.actual, "en")
    assert f"ROI the check uses (S15, measured inputs at their latest value): {shown_roi}" in captions
    assert formatting.roi(compute_roi(use_case.roi).roi, "en") not in captions


def test_the_measurements_tab_says_when_the_next_review_is_due(store, sample_id):
    at = _gates(MINUTES, "de")
    texts = " ".join(shown(item.value) for item in [*at.markdown, *at.caption])
    # The sample's meeting minutes are overdue (Home lists them); a new measurement today moves the review on.
    assert "Review überfällig seit" in texts, texts
    _add(at, date.today(), adoption="30")
    use_case = store.load(sample_id).workspace.use_case(MINUTES)
    rhythm = store.load(sample_id).workspace.thresholds
    every = rhythm.review_every_days_pilot if use_case.phase == "pilot" else rhythm.review_every_days_production
    captions = " ".join(shown(item.value) for item in at.caption)
    assert f"Nächstes Review: {formatting.date(date.today() + timedelta(days=every), 'de')}" in captions, captions


def test_sensitivity_and_business_case_say_which_inputs_are_measured(store, sample_id):
    switched = open_page("pages/4_ROI.py", use_case=CHATBOT, open_sections=True)
    switched.radio(key=f"w.sources.{CHATBOT}.adoption").set_value("measurement").run()
    for page, language, expected in (
            ("pages/6_Sensitivity.py", "en", "Adoption: measured 21.0% on 31 Mar 2026"),
            ("pages/5_Business_case.py", "de", "Adoption: gemessen 21,0\xa0% am 31. März 2026")):
        at = open_page(page, language=language, use_case=CHATBOT)
        assert not at.exception
        captions = " ".join(shown(item.value) for item in at.caption)
        assert expected in captions, (page, captions)


def test_a_field_chosen_for_two_columns_refuses_the_mapping_naming_both():
    from ui.views.gates import fields_of_columns

    mapping, twice = fields_of_columns({"Datum": "measured_on", "Tag": "measured_on", "Quote": "adoption", "x": ""})
    assert mapping == {"measured_on": "Datum", "adoption": "Quote"}
    assert twice == {"measured_on": ("Datum", "Tag")}
    assert fields_of_columns({"Datum": "measured_on", "Quote": "adoption"})[1] == {}


def test_the_plan_vs_actual_chart_shades_the_variance_between_the_core_figures(store, sample_id):
    from ui.views.business_case import plan_vs_actual as plan_vs_actual_view

    workspace = store.load(sample_id).workspace
    use_case = workspace.use_case(MINUTES)
    rows = plan_vs_actual([use_case], workspace.thresholds).case_rows(0)
    chart = plan_vs_actual_view(use_case, workspace.thresholds, "en").chart
    band, _, lines = chart["layer"]
    assert band["mark"]["type"] == "area" and band["encoding"]["y"]["field"] == "plan"
    assert band["encoding"]["y2"]["field"] == "actual"
    assert lines["mark"]["type"] == "line" and lines["encoding"]["color"]["scale"]["domain"] == [
        "Plan (cumulative)", "Actual (cumulative)"]
    wide = next(values for values in chart["datasets"].values() if values and "plan" in values[0])
    assert [row["month"] for row in wide] == rows["month"].tolist()
    assert [row["plan"] for row in wide] == rows["cumulative_plan_net_eur"].tolist()
    assert [row["actual"] for row in wide] == rows["cumulative_actual_net_eur"].tolist()
    assert [row["variance_text"] for row in wide] == [formatting.eur(value, "en")
                                                      for value in rows["cumulative_variance_eur"].tolist()]


def test_the_registry_flags_an_overdue_review_and_home_shows_the_portfolio_review(store, sample_id):
    registry = open_page("pages/1_Use_cases.py")
    table = registry.dataframe[0].value
    row = table[table["Use case"] == "Besprechungsprotokolle automatisch zusammenfassen"].iloc[0]
    assert "Review overdue" in list(row["Attention"])
    home = open_page(language="de")
    texts = " ".join(shown(item.value) for item in [*home.markdown, *home.caption])
    assert re.search(r"\[:material/event_busy: Review überfällig\] Portfolio-Review \(monatlich\), fällig seit "
                     r"\d+\. \w+ \d{4}", texts), texts


def test_an_input_reads_in_its_unit_without_decimals_it_does_not_have() -> None:
    from ui.measurements import input_value_text

    assert [input_value_text(name, value, "en") for name, value in (
        ("volume_cases_per_month", 50_000.0), ("minutes_saved_per_case", 2.4), ("run_cost_eur_per_month", 18_000.0),
        ("cost_per_minute_eur", 0.85), ("adoption", 0.62), ("p95_latency_ms", 1_250.0))] == [
        "50,000", "2.4", "€18,000", "€0.85", "62.0%", "1,250"]
    assert [input_value_text(name, value, "de") for name, value in (
        ("volume_cases_per_month", 50_000.0), ("minutes_saved_per_case", 2.4), ("run_cost_eur_per_month", 18_450.5))
    ] == ["50.000", "2,4", "18.450,50\xa0€"]
