"""S22 in real Chromium: add two measurements by hand on the Gates page's Measurements tab, see the plan-vs-actual
chart gain their months and the "review overdue" badge leave Home and the registry, export the decision pack and
find the Actuals sheet with the new measurements."""

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
    after = _stored(running_app).use_case(MINUTES_ID)
    assert [item.measured_on for item in after.measurements[-2:]] == [date(2026, 6, 30), today]
    assert [item.adoption for item in after.measurements[-2:]] == [0.2, 0.25]
    months = plan_vs_actual([after]).case_rows(0)["month"].tolist()
    assert months[-2:] == [3, 9]  # plan month 1 began on 1 April 2026
    assert_no_exception(page, running_app, "gates")

    go_to(page, "Business_case", "Business case")
    choose_use_case(page, MINUTES, DETOUR)
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
