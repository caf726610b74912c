"""S22 in real Chromium: add two measurements by hand on the Gates page's Measurements tab, see their months reach
the plan vs actual, the "review overdue" line leave Home's "needs attention" list while "behind plan" stays, export
the decision pack and find the Actuals sheet with the new measurements. (The registry's badges are drawn on a
canvas; tests/pages/test_measurements.py checks them.)"""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bench.fixtures import wait_idle
from core.plan_vs_actual import plan_vs_actual
from core.store import Store
from ui import formatting

pytest.importorskip("playwright.sync_api", reason="e2e needs the playwright package (requirements-dev.txt)")
from playwright.sync_api import Page, expect

from tests.e2e.test_workbench_e2e import (
    SAMPLE_WORKSPACE,
    assert_no_exception,
    choose_use_case,
    go_to,
    open_app,
    wait_rendered,
)

pytestmark = pytest.mark.e2e
expect.set_options(timeout=30_000)
MINUTES = "Besprechungsprotokolle automatisch zusammenfassen"
MINUTES_ID = "meeting-minutes"
DETOUR = "Support-Chatbot für Kundenanfragen (RAG)"


def _stored(running_app):
    store = Store(running_app.database_url)
    try:
        return store.load(store.workspace_id_by_name(SAMPLE_WORKSPACE)).workspace
    finally:
        store.dispose()


def _add_measurement(page: Page, day: date | None, adoption: str) -> None:
    tab = page.get_by_role("tab", name="Measurements")
    if tab.get_attribute("aria-selected") != "true":
        tab.click()
        wait_idle(page)
    form = page.get_by_test_id("stForm").filter(has_text="Add a measurement")
    if day is not None:
        field = form.get_by_test_id("stDateInput").filter(has_text="Measured on").locator("input").first
        field.fill(day.isoformat())
    number = form.get_by_test_id("stTextInput").filter(has_text="Adoption").locator("input")
    number.fill(adoption)
    form.get_by_role("button", name="Add measurement").click()
    wait_idle(page)


def _attention(page: Page) -> str:
    return page.get_by_test_id("stVerticalBlock").filter(has_text="Needs attention").last.inner_text()


def test_two_measurements_move_the_chart_and_the_badges_and_reach_the_actuals_sheet(
        page: Page, running_app, tmp_path: Path, screenshot_dir: Path) -> None:
    open_app(page, running_app.url)
    expect(page.get_by_text(re.compile(r"review overdue since"))).not_to_have_count(0)
    assert re.search(rf"{MINUTES}: review overdue since", page.locator("section.main, body").inner_text())
    before = _stored(running_app).use_case(MINUTES_ID)
    assert len(before.measurements) == 3

    go_to(page, "Business_case", "Business case")
    choose_use_case(page, MINUTES, DETOUR)
    expect(page.get_by_text("Plan vs actual (S22)")).to_be_visible()
    expect(page.get_by_test_id("stVegaLiteChart").or_(page.locator(".vega-embed"))).not_to_have_count(0)

    go_to(page, "Gates", "Gates")
    choose_use_case(page, MINUTES, DETOUR)
    _add_measurement(page, date(2026, 6, 30), "20")  # percent fields take percent: 20 % = 0.2
    expect(page.get_by_text("Measurement of 30 Jun 2026 saved.")).to_be_visible()
    _add_measurement(page, None, "25")  # dated today, the form's default
    today = datetime.now(UTC).date()
    expect(page.get_by_text(f"Measurement of {formatting.date(today, 'en')} saved.")).to_be_visible()
    after = _stored(running_app).use_case(MINUTES_ID)
    assert [item.measured_on for item in after.measurements[-2:]] == [date(2026, 6, 30), today]
    assert [item.adoption for item in after.measurements[-2:]] == [0.2, 0.25]
    months = plan_vs_actual([after]).case_rows(0)["month"].tolist()
    # Plan month 1 began on 1 April 2026: 30 June is month 3, today month (year − 2026) · 12 + month − 3.
    assert months[-2:] == [3, (today.year - 2026) * 12 + today.month - 3]
    assert_no_exception(page, running_app, "gates")

    go_to(page, "Business_case", "Business case")
    choose_use_case(page, MINUTES, DETOUR)
    expect(page.get_by_text("Plan vs actual (S22)")).to_be_visible()
    wait_rendered(page)
    go_to(page, "Gates", "Gates")
    expect(page.get_by_role("tab", name="Measurements")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_test_id("stForm").filter(has_text="Add a measurement")).to_be_visible()
    go_to(page, "Business_case", "Business case")
    expect(page.get_by_text("Plan vs actual (S22)")).to_be_visible()
    wait_rendered(page)
    page.screenshot(path=str(screenshot_dir / "09_plan_vs_actual.png"), full_page=True)

    open_app(page, running_app.url)
    body = page.locator("body").inner_text()
    assert not re.search(rf"{MINUTES}: review overdue", body), "the new measurement clears the overdue review"
    assert re.search(rf"{MINUTES}: behind plan", body)

    go_to(page, "Export", "Export")
    download_button = page.get_by_test_id("stDownloadButton").filter(
        has_text=re.compile(r"decision pack", re.IGNORECASE)).get_by_role("button")
    with page.expect_download() as download_info:
        download_button.first.click()
    path = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(path)
    book = load_workbook(io.BytesIO(path.read_bytes()), read_only=True)
    actuals = [name for name in book.sheetnames if name.startswith("AC") and name.endswith(MINUTES_ID)]
    assert actuals, book.sheetnames
    days = {cell for row in book[actuals[0]].iter_rows(values_only=True) for cell in row if isinstance(cell, datetime)}
    assert datetime(2026, 6, 30) in days and datetime(today.year, today.month, today.day) in days
    assert_no_exception(page, running_app, "export")


def test_a_german_monitoring_export_is_refused_naming_row_and_column_then_imported_in_german_notation(
        page: Page, running_app, tmp_path: Path) -> None:
    page.goto(f"{running_app.url}/Gates?lang=de&uc={MINUTES_ID}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Gates")
    wait_idle(page)
    page.get_by_role("tab", name="Messungen").click()
    wait_idle(page)
    before = len(_stored(running_app).use_case(MINUTES_ID).measurements)
    header = "Gemessen am;Volumen (Fälle/Monat);Modellbetrieb (€/Monat);Adoption\n"
    broken = tmp_path / "export.csv"
    broken.write_text(header + "31.10.2026;50.000;18.200;0,4\n30.11.2026;52.500;viel;1,4\n", encoding="utf-8")
    uploader = page.get_by_test_id("stFileUploader").filter(has_text="Monitoring-Export")
    uploader.locator("input[type=file]").set_input_files(str(broken))
    wait_idle(page)
    expect(page.get_by_text("Nichts gespeichert: Die Datei hat 2 Probleme.", exact=False)).to_be_visible()
    # The problem list follows the error box in the same run, but may reach the browser a moment later.
    expect(page.locator("body")).to_contain_text("Zeile 3, Spalte „Modellbetrieb (€/Monat)“: „viel“ ist keine Zahl")
    expect(page.locator("body")).to_contain_text("Zeile 3, Spalte „Adoption“: Adoption darf höchstens")
    assert len(_stored(running_app).use_case(MINUTES_ID).measurements) == before, "nothing stored from a bad file"

    fixed = tmp_path / "export-korrigiert.csv"
    fixed.write_text(header + "31.10.2026;50.000;18.200;0,4\n30.11.2026;52.500;18.450;0,45\n", encoding="utf-8")
    uploader.locator("input[type=file]").set_input_files(str(fixed))
    wait_idle(page)
    page.get_by_role("button", name="2 Zeilen importieren").click()
    wait_idle(page)
    expect(page.get_by_text("2 Messungen importiert.")).to_be_visible()
    imported = [item for item in _stored(running_app).use_case(MINUTES_ID).measurements
                if item.measured_on in (date(2026, 10, 31), date(2026, 11, 30))]
    # German thousands: "50.000" cases and "18.200" € are fifty thousand and eighteen thousand two hundred.
    assert [(item.volume_cases_per_month, item.run_cost_eur_per_month, item.adoption) for item in imported] == [
        (50_000, 18_200, 0.4), (52_500, 18_450, 0.45)]
    assert_no_exception(page, running_app, "gates")
