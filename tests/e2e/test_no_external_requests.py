"""Nothing leaves the machine: every request the browser makes, on every page and in both languages, goes to
the app's own host (issue 12, item 4).

A ``:material/…:`` page icon once made Streamlit point the favicon at fonts.gstatic.com, which sends every
visitor's IP address to Google (the Google Fonts case German courts ruled on). The test records every request
and WebSocket of the browser context (page, frames and workers) while it opens each page of
``ui.frame.NAVIGATION``, profiles the sample table (a chart) and opens the ROI page's expanders, and fails on
any host other than 127.0.0.1 or localhost.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from bench.fixtures import wait_idle
from tests.e2e.test_workbench_e2e import assert_no_exception, open_app, wait_rendered
from ui.frame import NAVIGATION

pytest.importorskip("playwright.sync_api", reason="e2e needs the playwright package (requirements-dev.txt)")
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
LOCAL_SCHEMES = {"data", "blob", "about"}


def _page_path(script: str) -> str:
    """The URL path Streamlit gives a page script: "pages/4_ROI.py" → "ROI", "app.py" → ""."""
    if script == "app.py":
        return ""
    return script.removeprefix("pages/").removesuffix(".py").split("_", 1)[1]


def _record(page: Page) -> list[str]:
    urls: list[str] = []
    page.context.on("request", lambda request: urls.append(request.url))
    page.context.on("page", lambda other: other.on("websocket", lambda socket: urls.append(socket.url)))
    page.on("websocket", lambda socket: urls.append(socket.url))
    return urls


def _external(urls: list[str]) -> list[str]:
    return [url for url in urls
            if urlsplit(url).scheme not in LOCAL_SCHEMES and urlsplit(url).hostname not in LOCAL_HOSTS]


def _visit_every_page(page: Page, running_app) -> None:
    for script, _, _ in NAVIGATION:
        path = _page_path(script)
        page.goto(f"{running_app.url}/{path}")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        wait_rendered(page)
        assert_no_exception(page, running_app, path or "home")
        if path == "Data_readiness":
            page.get_by_role("button", name=re.compile("sample dataset|Beispieldatensatz")).click()
            expect(page.get_by_test_id("stVegaLiteChart").first).to_be_visible()
            wait_rendered(page)
        if path == "ROI":
            for expander in page.get_by_test_id("stExpander").all():
                expander.locator("summary").click()
            wait_rendered(page)


@pytest.mark.parametrize("language", ["en", "de"])
def test_every_page_loads_everything_from_the_app_itself(page: Page, running_app, language: str) -> None:
    urls = _record(page)
    page.goto(f"{running_app.url}/?lang={language}")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    wait_idle(page)
    _visit_every_page(page, running_app)
    assert any(urlsplit(url).path.endswith("/_stcore/stream") for url in urls), "the WebSocket was not recorded"
    assert len(urls) > 20, urls
    assert _external(urls) == []


def test_the_tab_icon_is_the_apps_own_svg(page: Page, running_app) -> None:
    open_app(page, running_app.url)
    page.wait_for_function(
        "() => (document.querySelector(\"link[rel='shortcut icon']\") || {}).href?.startsWith('data:image/svg+xml')")
    href = page.evaluate("document.querySelector(\"link[rel='shortcut icon']\").href")
    assert href.startswith("data:image/svg+xml;base64,")
