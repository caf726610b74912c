"""Issue 13 in the browser: a German decimal comma typed into an ROI field is the number meant (it was multiplied
by ten), a refused entry stays visible with the reason beside it, also after a reload, and "Your name" survives a
new tab."""

from __future__ import annotations

import re

import pytest

from bench.fixtures import wait_idle
from core.roi import compute_roi
from core.store import Store
from tests.e2e.test_workbench_e2e import (
    CHATBOT,
    CHATBOT_ID,
    SAMPLE_WORKSPACE,
    choose_use_case,
    go_to,
    metric_value,
    open_app,
)
from ui import formatting

pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e
expect.set_options(timeout=30_000)


def _german_roi_page(page: Page, url: str) -> None:
    open_app(page, url)
    page.get_by_test_id("stSidebar").get_by_role("radio", name="Deutsch").click()
    expect(page.get_by_text("Sprache")).to_be_visible()
    wait_idle(page)
    go_to(page, "ROI", "ROI")
    choose_use_case(page, CHATBOT, detour="Lieferantenrisiko-Scoring")


def test_typing_2_comma_4_minutes_in_german_gives_2_point_4(page: Page, running_app) -> None:
    _german_roi_page(page, running_app.url)
    store = Store(running_app.database_url)
    workspace_id = store.workspace_id_by_name(SAMPLE_WORKSPACE)
    # Other tests share the app's database: the figures follow what is stored now.
    before = store.get_use_case(workspace_id, CHATBOT_ID)[0].roi
    minutes = page.get_by_role("textbox", name="Minuten-Ersparnis pro Fall", exact=True)
    expect(minutes).to_have_value(f"{formatting.number(before.minutes_saved_per_case, 'de', 1)}\xa0min")
    minutes.click()
    minutes.press("Control+A")
    page.keyboard.type("3,5")
    minutes.press("Enter")
    wait_idle(page)
    expected = compute_roi(before.model_copy(update={"minutes_saved_per_case": 3.5}))
    expect(metric_value(page, "ROI pro Monat")).to_have_text(formatting.roi(expected.roi, "de"))
    expect(minutes).to_have_value("3,5\xa0min")
    slider = page.get_by_test_id("stSlider").filter(has_text="Minuten-Ersparnis pro Fall").get_by_role("slider")
    expect(slider).to_have_attribute("aria-valuetext", "3,5\xa0min")
    assert store.get_use_case(workspace_id, CHATBOT_ID)[0].roi.minutes_saved_per_case == 3.5

    adoption = page.get_by_role("textbox", name="Adoption", exact=True)
    adoption.click()
    adoption.press("Control+A")
    page.keyboard.type("162")
    adoption.press("Enter")
    wait_idle(page)
    expect(page.get_by_test_id("stAlert").filter(has_text="0\xa0% bis 100\xa0%")).to_be_visible()
    expect(adoption).to_have_value("162")
    assert store.get_use_case(workspace_id, CHATBOT_ID)[0].roi.adoption == before.adoption
    page.reload()  # a new browser session: the refused text is kept for this person, not for the session
    wait_idle(page)
    adoption = page.get_by_role("textbox", name="Adoption", exact=True)
    expect(adoption).to_have_value("162")
    expect(page.get_by_test_id("stAlert").filter(has_text="0\xa0% bis 100\xa0%")).to_be_visible()
    shown = formatting.entry_text(before.adoption, "percent", "de")  # what the field shows, and takes back
    adoption.click()
    adoption.press("Control+A")
    page.keyboard.type(shown)
    adoption.press("Enter")
    wait_idle(page)
    expect(adoption).to_have_value(shown)
    expect(page.get_by_test_id("stAlert").filter(has_text="0\xa0% bis 100\xa0%")).to_have_count(0)
    minutes.click()
    minutes.press("Control+A")
    page.keyboard.type("2,4")
    minutes.press("Enter")
    wait_idle(page)
    store.dispose()


def _name_field(page: Page):
    return page.get_by_test_id("stSidebar").get_by_role("textbox", name="Your name", exact=True)


def test_the_name_survives_a_reload_and_a_new_tab(page: Page, running_app) -> None:
    open_app(page, running_app.url)
    name = _name_field(page)
    name.fill("Anna Schneider")
    name.press("Enter")
    # The address carries the name once the rerun that stored it has reached the browser.
    expect(page).to_have_url(re.compile(r"[?&]name=Anna(\+|%20)Schneider"))
    wait_idle(page)
    page.reload()
    wait_idle(page)
    expect(_name_field(page)).to_have_value("Anna Schneider")
    other = page.context.new_page()
    open_app(other, running_app.url)
    expect(_name_field(other)).to_have_value("Anna Schneider")
    other.close()
