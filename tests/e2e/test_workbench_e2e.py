"""The workbench in real Chromium: every page renders (with screenshots), and one workshop journey.

Journey: add a use case; move an ROI slider and see the ROI follow (S15, checked against the core);
switch to German and see German labels and number formats; reload and find the edit; set an investment (a
one-time amount of a cost block) on the Business case page and see the payback month move (S19); download the
decision pack and open it as an xlsx.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bench.fixtures import wait_idle
from core.business_case import use_case_business_case
from core.models import RoiInputs, with_value
from core.roi import compute_roi
from core.store import Store
from ui import formatting
from ui.cost_blocks import BLOCK_WIDTH, MONEY_WIDTH

pytest.importorskip("playwright.sync_api", reason="e2e needs the playwright package (requirements-dev.txt)")
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e
expect.set_options(timeout=30_000)

PAGES = (
    ("", "home", "AI use-case workbench"),
    ("Use_cases", "use_cases", "Use cases"),
    ("Scoring", "scoring", "Scoring"),
    ("ROI", "roi", "ROI"),
    ("Business_case", "business_case", "Business case"),
    ("Sensitivity", "sensitivity", "Sensitivity"),
    ("Gates", "gates", "Gates"),
    ("Data_readiness", "data_readiness", "Data readiness"),
    ("Export", "export", "Export"),
)
NEW_USE_CASE = "E2E Rechnungsabgleich"
NEW_USE_CASE_ID = "e2e-rechnungsabgleich"
CHATBOT = "Support-Chatbot für Kundenanfragen (RAG)"
CHATBOT_ID = "support-chatbot"
SAMPLE_WORKSPACE = "Beispiel GmbH – KI-Portfolio"
CHATBOT_ROI = RoiInputs(
    volume_cases_per_month=50_000.0, adoption=0.62, minutes_saved_per_case=2.4, cost_per_minute_eur=0.85,
    error_cost_per_case_eur=1.1, error_rate_reduction=0.18, run_cost_eur_per_month=18_000.0,
)
VOLUME_STEP = 500.0
GERMAN_EUR = re.compile(r"^-?\d{1,3}(\.\d{3})+\s€$")
GERMAN_EUR_CENTS = re.compile(r"^-?\d{1,3}(\.\d{3})*,\d{2}\s€$")
GERMAN_PERCENT = re.compile(r"^-?\d{1,3}(\.\d{3})*,\d\s%$")
# The cost-block grid (ui/cost_blocks.py): Streamlit's header and row height in pixels; the integration block is
# row 1, and its one-time amount is the column right of the block's (both of fixed width).
GRID_ROW_PX = 35
INTEGRATION_ROW = 1
NEW_INTEGRATION_ONE_TIME_EUR = 400_000.0


def go_to(page: Page, path: str, title: str) -> None:
    """Follow the sidebar link to a page and wait until its script has finished."""
    sidebar = page.get_by_test_id("stSidebar")
    link = sidebar.locator(f'a[href$="{path}"]').first
    expect(link).to_be_attached()
    link.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)
    wait_idle(page)


def open_app(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_contain_text(PAGES[0][2])
    wait_idle(page)


def wait_rendered(page: Page) -> None:
    """Wait until the page is drawn, not just run: no loading skeletons left, fonts loaded, charts painted."""
    page.wait_for_load_state("networkidle")
    page.wait_for_function(
        """() => document.querySelectorAll('[data-testid="stSkeleton"]').length === 0
              && document.fonts.status === 'loaded'
              && [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
                   .every(chart => chart.querySelector('canvas, svg'))""",
        timeout=30_000,
    )


def metric_value(page: Page, label: str):
    return page.get_by_test_id("stMetric").filter(has_text=label).get_by_test_id("stMetricValue")


def use_case_picker(page: Page):
    return page.get_by_role("combobox", name=re.compile(r"^(Use case|Use Case)$"))


def pick(page: Page, name: str) -> None:
    use_case_picker(page).click()
    page.get_by_role("option", name=name, exact=True).click()
    expect(use_case_picker(page)).to_have_value(name)
    wait_idle(page)


def choose_use_case(page: Page, name: str, detour: str) -> None:
    """Select ``name`` in the picker, first selecting ``detour``.

    After a page switch the picker can show the first option while another use case is selected
    (see test_picker_shows_the_selected_use_case_after_a_page_switch); choosing the option it
    already shows would then send no change, so the detour makes both selections real changes.
    """
    pick(page, detour)
    pick(page, name)


def assert_no_exception(page: Page, running_app, where: str) -> None:
    exceptions = page.get_by_test_id("stException")
    assert exceptions.count() == 0, (
        f"{where}: the page shows a traceback: {exceptions.first.inner_text()[:600]}\n{running_app.log_tail()}"
    )


def test_every_page_renders_and_is_photographed(page: Page, running_app, screenshot_dir: Path) -> None:
    open_app(page, running_app.url)
    for number, (path, name, title) in enumerate(PAGES, start=1):
        if path:
            go_to(page, path, title)
        assert_no_exception(page, running_app, name)
        wait_rendered(page)
        page.screenshot(path=str(screenshot_dir / f"{number:02d}_{name}.png"))


def test_workshop_journey(page: Page, running_app, tmp_path: Path) -> None:
    open_app(page, running_app.url)

    go_to(page, "Use_cases", "Use cases")
    page.get_by_label("New use case").fill(NEW_USE_CASE)
    page.get_by_role("button", name="Add use case").click()
    expect(page.get_by_text(f"Use case '{NEW_USE_CASE}' added.")).to_be_visible()
    expect(page).to_have_url(re.compile(f"uc={NEW_USE_CASE_ID}"))
    wait_idle(page)

    go_to(page, "ROI", "ROI")
    choose_use_case(page, CHATBOT, detour="Lieferantenrisiko-Scoring")
    roi_value = metric_value(page, "ROI per month")
    expect(roi_value).to_have_text(formatting.roi(compute_roi(CHATBOT_ROI).roi, "en"))
    volume = page.get_by_test_id("stSlider").filter(has_text="Volume (cases/month)").get_by_role("slider")
    volume.focus()
    volume.press("ArrowRight")
    edited = CHATBOT_ROI.model_copy(update={"volume_cases_per_month": CHATBOT_ROI.volume_cases_per_month + VOLUME_STEP})
    expected = compute_roi(edited)
    expect(roi_value).to_have_text(formatting.roi(expected.roi, "en"))
    wait_idle(page)
    expect(volume).to_have_attribute("aria-valuetext", "50,500")

    page.get_by_test_id("stSidebar").get_by_role("radio", name="Deutsch").click()
    expect(page.get_by_text("Nettonutzen €/Monat")).to_be_visible()
    wait_idle(page)
    german_net = metric_value(page, "Nettonutzen €/Monat")
    expect(german_net).to_have_text(formatting.eur(expected.net_value, "de"))
    assert GERMAN_EUR.match(german_net.inner_text()), german_net.inner_text()
    expect(metric_value(page, "ROI pro Monat")).to_have_text(GERMAN_PERCENT)
    page.get_by_test_id("stExpander").filter(has_text="Inferenzkosten-Rechner (S12)").locator("summary").click()
    expect(metric_value(page, "Inferenz €/Monat")).to_have_text(GERMAN_EUR_CENTS)
    wait_idle(page)

    page.reload()
    expect(page.get_by_role("heading", level=1)).to_contain_text("ROI")
    wait_idle(page)
    expect(metric_value(page, "ROI pro Monat")).to_have_text(formatting.roi(expected.roi, "de"))
    expect(
        page.get_by_test_id("stSlider").filter(has_text="Volumen (Fälle/Monat)").get_by_role("slider")
    ).to_have_attribute("aria-valuetext", "50.500")
    use_case_picker(page).click()
    expect(page.get_by_role("option", name=NEW_USE_CASE, exact=True)).to_be_attached()
    page.keyboard.press("Escape")

    set_an_investment_and_see_the_payback_move(page, running_app)

    go_to(page, "Export", "Export")
    download_button = page.get_by_test_id("stDownloadButton").filter(
        has_text=re.compile(r"decision pack|Entscheidungs", re.IGNORECASE)
    ).get_by_role("button")
    with page.expect_download() as download_info:
        download_button.first.click()
    pack_path = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(pack_path)
    data = pack_path.read_bytes()
    assert pack_path.suffix == ".xlsx", pack_path.name
    assert zipfile.is_zipfile(io.BytesIO(data))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert {"[Content_Types].xml", "xl/workbook.xml"} <= set(archive.namelist())
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    texts = {
        cell for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True) for cell in row
        if isinstance(cell, str)
    }
    assert NEW_USE_CASE in texts, "the decision pack lacks the use case added in the browser"
    assert_no_exception(page, running_app, "export")


def set_an_investment_and_see_the_payback_move(page: Page, running_app) -> None:
    """Business case page (German): raise the chatbot's one-time integration amount in the cost-block grid; the
    investment and the payback month follow, as the core computes them (S19)."""
    store = Store(running_app.database_url)
    workspace_id = store.workspace_id_by_name(SAMPLE_WORKSPACE)
    chatbot, _ = store.get_use_case(workspace_id, CHATBOT_ID)
    rate = store.workspace_settings(workspace_id).default_discount_rate_per_year
    before = use_case_business_case(chatbot, rate)
    after = use_case_business_case(
        with_value(chatbot, f"cost_blocks.{INTEGRATION_ROW}.one_time_eur", NEW_INTEGRATION_ONE_TIME_EUR), rate)
    assert chatbot.cost_blocks[INTEGRATION_ROW].block == "integration"
    assert after.payback_month != before.payback_month
    go_to(page, "Business_case", "Business Case")
    payback = metric_value(page, "Amortisation")
    expect(payback).to_have_text(f"Monat {before.payback_month}")
    expect(metric_value(page, "Investition")).to_have_text(formatting.eur(before.investment_eur, "de"))
    cost_blocks = page.get_by_test_id("stExpander").filter(has_text="Einmalbeträge der Kostenblöcke")
    cost_blocks.locator("summary").click()
    grid = cost_blocks.get_by_test_id("stDataFrame")
    expect(grid).to_be_visible()
    wait_idle(page)
    box = grid.bounding_box()
    page.mouse.dblclick(box["x"] + BLOCK_WIDTH + MONEY_WIDTH / 2,
                        box["y"] + GRID_ROW_PX * (INTEGRATION_ROW + 1) + GRID_ROW_PX / 2)
    cell_editor = page.locator("input.gdg-input, textarea.gdg-input")
    expect(cell_editor).to_be_visible()
    cell_editor.fill(f"{NEW_INTEGRATION_ONE_TIME_EUR:.0f}")
    page.keyboard.press("Enter")
    expect(metric_value(page, "Investition")).to_have_text(formatting.eur(after.investment_eur, "de"))
    expect(payback).to_have_text(f"Monat {after.payback_month}")
    wait_idle(page)
    stored = store.get_use_case(workspace_id, CHATBOT_ID)[0]
    assert stored.cost_blocks[INTEGRATION_ROW].one_time_eur == NEW_INTEGRATION_ONE_TIME_EUR
    assert_no_exception(page, running_app, "business case")
    store.dispose()


def test_picker_shows_the_selected_use_case_after_a_page_switch(page: Page, running_app) -> None:
    open_app(page, running_app.url)
    go_to(page, "ROI", "ROI")
    pick(page, "Lieferantenrisiko-Scoring")
    go_to(page, "Use_cases", "Use cases")
    expect(use_case_picker(page)).to_have_value("Lieferantenrisiko-Scoring")
    go_to(page, "ROI", "ROI")
    expect(use_case_picker(page)).to_have_value("Lieferantenrisiko-Scoring", timeout=5_000)


def test_a_slider_step_after_someone_else_saved_is_refused_and_the_next_one_builds_on_their_value(
    page: Page, running_app
) -> None:
    open_app(page, running_app.url)
    go_to(page, "ROI", "ROI")
    choose_use_case(page, CHATBOT, detour="Lieferantenrisiko-Scoring")
    store = Store(running_app.database_url)
    workspace_id = store.workspace_id_by_name(SAMPLE_WORKSPACE)
    seen, version = store.get_use_case(workspace_id, CHATBOT_ID)
    theirs = seen.roi.model_copy(update={"volume_cases_per_month": seen.roi.volume_cases_per_month + 10_000})
    store.save_use_case(workspace_id, seen.model_copy(update={"roi": theirs}), expected_version=version, actor="Bea")

    volume = page.get_by_test_id("stSlider").filter(has_text="Volume (cases/month)").get_by_role("slider")
    volume.focus()
    volume.press("ArrowRight")
    expect(page.get_by_test_id("stAlert").filter(has_text="Bea")).to_be_visible()
    wait_idle(page)
    assert store.get_use_case(workspace_id, CHATBOT_ID)[0].roi == theirs
    expect(metric_value(page, "ROI per month")).to_have_text(formatting.roi(compute_roi(theirs).roi, "en"))
    expect(volume).to_have_attribute("aria-valuetext", formatting.number(theirs.volume_cases_per_month, "en"))

    volume.focus()
    volume.press("ArrowRight")
    mine = theirs.model_copy(update={"volume_cases_per_month": theirs.volume_cases_per_month + VOLUME_STEP})
    expect(metric_value(page, "ROI per month")).to_have_text(formatting.roi(compute_roi(mine).roi, "en"))
    wait_idle(page)
    assert store.get_use_case(workspace_id, CHATBOT_ID)[0].roi == mine
    assert_no_exception(page, running_app, "roi conflict")
    store.dispose()


def test_a_roi_helper_opens_on_a_click_and_stays_open_across_a_page_switch(page: Page, running_app) -> None:
    open_app(page, running_app.url)
    go_to(page, "ROI", "ROI")
    cost_blocks = page.get_by_test_id("stExpander").filter(has_text="Cost blocks (S12)")
    expect(cost_blocks).to_be_visible()
    expect(page.get_by_test_id("stDataFrame")).to_have_count(0)

    cost_blocks.locator("summary").click()
    wait_idle(page)
    expect(cost_blocks.get_by_test_id("stDataFrame")).to_be_visible()

    go_to(page, "Scoring", "Scoring")
    go_to(page, "ROI", "ROI")
    expect(cost_blocks.get_by_test_id("stDataFrame")).to_be_visible()
    expect(metric_value(page, "ROI per month")).to_be_visible()

    cost_blocks.locator("summary").click()
    wait_idle(page)
    expect(page.get_by_test_id("stDataFrame")).to_have_count(0)
    assert_no_exception(page, running_app, "roi helpers")
