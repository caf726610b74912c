"""Nothing leaves the machine: every request the browser makes, on every page and in both languages, goes to
the app's own host (issue 12, item 4).

A ``:material/…:`` page icon once made Streamlit point the favicon at fonts.gstatic.com, which sends every
visitor's IP address to Google (the Google Fonts case German courts ruled on). The test records every request
and WebSocket of the browser context (page, frames and workers) while it opens each page of
``ui.frame.NAVIGATION``, profiles the sample table (a chart) and opens the ROI page's expanders, then the
participant page (``Answer``, not in the navigation) without a round link and with a real one, joining the round
there; it fails on any host other than 127.0.0.1 or localhost.

Playwright does not report favicon requests (microsoft/playwright#7493), so the recorder cannot see a tab icon
fetched from elsewhere: on every page, every ``link[rel*=icon]`` (the tab icon, apple-touch-icon) must be a
``data:`` URI or on the app's own origin.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from bench.fixtures import wait_idle
from core.store import Store
from core.workshop import define_round
from tests.e2e.test_workbench_e2e import assert_no_exception, open_app, wait_rendered
from ui import access, state
from ui.frame import NAVIGATION

pytest.importorskip("playwright.sync_api", reason="e2e needs the playwright package (requirements-dev.txt)")
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
LOCAL_SCHEMES = {"data", "blob", "about"}
ICON_LINKS = "[...document.querySelectorAll('link[rel*=icon]')].map(link => [link.rel, link.href])"
JOIN = {"en": ("Your name", "Join", "Answering as Ada"), "de": ("Ihr Name", "Teilnehmen", "Sie antworten als Ada")}


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


def _icons(page: Page, where: str, icons: dict[str, list[tuple[str, str]]]) -> None:
    icons[where] = [(rel, href) for rel, href in page.evaluate(ICON_LINKS)]


def _foreign_icons(icons: dict[str, list[tuple[str, str]]], app_url: str) -> dict[str, list[tuple[str, str]]]:
    origin = urlsplit(app_url)
    return {where: foreign for where, links in icons.items()
            if (foreign := [(rel, href) for rel, href in links if urlsplit(href).scheme != "data"
                            and (urlsplit(href).scheme, urlsplit(href).netloc) != (origin.scheme, origin.netloc)])}


def _visit_every_page(page: Page, running_app, icons: dict[str, list[tuple[str, str]]]) -> None:
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
        _icons(page, path or "home", icons)


def _round_link(running_app, language: str) -> str:
    """A participant's link to a round opened on the sample's first two use cases, as the join page shares it
    (``ui.views.workshop.join_link``, with this server's address)."""
    store = Store(running_app.database_url)
    try:
        workspace_id = store.list_workspaces()[0].id
        workspace = store.load(workspace_id).workspace
        definition = define_round(workspace.use_cases[:2], ("scoring.data_availability", "roi.adoption"), "E2E")
        token = store.open_round(workspace_id, definition, actor="Facilitator").token
    finally:
        store.dispose()
    return (f"{running_app.url}/{access.PARTICIPANT_PATH}?{state.QUERY_ROUND_TOKEN}={token}"
            f"&{state.QUERY_LANGUAGE}={language}")


def _visit_the_participant_page(page: Page, running_app, language: str,
                                icons: dict[str, list[tuple[str, str]]]) -> None:
    """Without a round link (the join-by-code form), then with a real one, joining the round (its sliders)."""
    page.goto(f"{running_app.url}/{access.PARTICIPANT_PATH}?{state.QUERY_LANGUAGE}={language}")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    wait_rendered(page)
    assert_no_exception(page, running_app, "Answer without a link")
    _icons(page, "Answer without a link", icons)
    name_label, join, answering = JOIN[language]
    page.goto(_round_link(running_app, language))
    page.get_by_role("textbox", name=name_label).fill("Ada")
    page.get_by_role("button", name=join, exact=True).click()
    expect(page.get_by_text(answering)).to_be_visible()
    expect(page.get_by_test_id("stSlider").first).to_be_visible()
    wait_rendered(page)
    assert_no_exception(page, running_app, "Answer with a round link")
    _icons(page, "Answer with a round link", icons)


@pytest.mark.parametrize("language", ["en", "de"])
def test_every_page_loads_everything_from_the_app_itself(page: Page, running_app, language: str) -> None:
    urls = _record(page)
    icons: dict[str, list[tuple[str, str]]] = {}
    page.goto(f"{running_app.url}/?lang={language}")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    wait_idle(page)
    _visit_every_page(page, running_app, icons)
    _visit_the_participant_page(page, running_app, language, icons)
    assert any(urlsplit(url).path.endswith("/_stcore/stream") for url in urls), "the WebSocket was not recorded"
    assert len(urls) > 20, urls
    assert _external(urls) == []
    assert any(f"/{access.PARTICIPANT_PATH}" in url for url in urls), "the participant page was not visited"
    assert len(icons) == len(NAVIGATION) + 2 and all(icons.values()), icons  # every page has its tab icon
    assert _foreign_icons(icons, running_app.url) == {}


def test_the_icon_check_catches_an_icon_from_elsewhere() -> None:
    """The check itself: a Google-hosted favicon or a touch icon on another port is foreign, data: and the app's
    own origin are not."""
    icons = {"home": [("shortcut icon", "data:image/svg+xml;base64,PHN2Zz4="),
                      ("apple-touch-icon", "http://127.0.0.1:8501/app/static/icon.png")],
             "ROI": [("icon", "https://fonts.gstatic.com/s/i/short-term/release/materialsymbolsrounded/euro/default/24px.svg"),
                     ("apple-touch-icon", "http://127.0.0.1:9999/icon.png")]}
    assert _foreign_icons(icons, "http://127.0.0.1:8501") == {"ROI": icons["ROI"]}


def test_the_tab_icon_is_the_apps_own_svg(page: Page, running_app) -> None:
    open_app(page, running_app.url)
    page.wait_for_function(
        "() => (document.querySelector(\"link[rel='shortcut icon']\") || {}).href?.startsWith('data:image/svg+xml')")
    href = page.evaluate("document.querySelector(\"link[rel='shortcut icon']\").href")
    assert href.startswith("data:image/svg+xml;base64,")
