"""Hostile user text rendered by Streamlit's own Markdown renderer in Chromium (issue 12, item 5).

Hypothesis generates the strings (tests/security/hostile_text.py); a probe app shows each through every kind
of sink the workbench uses (paragraph, alert, caption, subheader, metric label, table cell, bullet list,
widget label), escaped by ``formatting.escape_markdown``. Per string the test asserts that no element came of
the text (no img, a, icon, emoji, colour, badge, math, code, emphasis, list, heading or table beyond the sink's
own), that the text is shown as typed, and that the browser requested nothing from anywhere else.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from bench.fixtures import ROOT, start_streamlit, stop, wait_idle, wait_until_healthy
from tests.e2e.conftest import require_chromium
from tests.security.hostile_text import FRAGMENTS, as_shown, hostile_text

pytest.importorskip("playwright.sync_api", reason="e2e needs the playwright package (requirements-dev.txt)")

pytestmark = pytest.mark.e2e
PROBE = ROOT / "tests" / "e2e" / "apps" / "markdown_probe.py"
STRINGS_PER_PAGE = 25
# What a sink draws itself, per container: one subheader (h3), one table, one list item, one checkbox input.
MADE_FROM_TEXT = ("img, a, svg, [role=img], .stMarkdownColoredText, .stMarkdownColoredBackground, "
                  ".stMarkdownBadge, .katex, code, pre, em, strong, del, blockquote, hr, h1, h2, h4, h5, h6, "
                  "ol, streamlit-help-icon")
SINK_TEXTS = """(container) => {
  const markdown = [...container.querySelectorAll('[data-testid="stMarkdownContainer"]')];
  return markdown.map(element => element.textContent);
}"""


@pytest.fixture(scope="module")
def probe(tmp_path_factory):
    require_chromium()
    folder = tmp_path_factory.mktemp("probe")
    strings = folder / "strings.json"
    strings.write_text("[]", encoding="utf-8")
    url, process = start_streamlit(PROBE, {"WORKBENCH_PROBE_STRINGS": str(strings)}, folder / "probe.log")
    try:
        wait_until_healthy(url, process)
        yield url, strings
    finally:
        stop(process)


@pytest.fixture(scope="module")
def probe_page(browser, probe):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    tab = context.new_page()
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    try:
        yield tab, requests
    finally:
        context.close()


def _render(probe, probe_page, texts: list[str]):
    url, strings = probe
    page, requests = probe_page
    strings.write_text(json.dumps(texts), encoding="utf-8")
    requests.clear()
    page.goto(url)
    page.wait_for_selector(f".st-key-probe-{len(texts) - 1}", timeout=30_000)
    wait_idle(page)
    page.wait_for_load_state("networkidle")
    page.wait_for_function(f"document.querySelectorAll('[data-testid=\"stMetricLabel\"]').length === {len(texts)}")
    return page, requests


# Each example reloads the probe page (≈3 s); shrinking a failure would reload it hundreds of times, so a
# failing example is reported as found (the assertion names the string).
@settings(max_examples=3, deadline=None, derandomize=True, phases=(Phase.explicit, Phase.generate),
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(st.lists(hostile_text(), min_size=STRINGS_PER_PAGE, max_size=STRINGS_PER_PAGE))
@example(list(FRAGMENTS))
def test_hostile_text_renders_as_text_in_every_sink(probe, probe_page, texts):
    page, requests = _render(probe, probe_page, texts)
    for index, text in enumerate(texts):
        container = page.locator(f".st-key-probe-{index}")
        made = container.locator(MADE_FROM_TEXT)
        assert made.count() == 0, (text, made.first.evaluate("element => element.outerHTML"))
        assert container.locator("h3").count() == 1 and container.locator("table").count() == 1
        assert container.locator("li").count() == 1, text
        shown = [as_shown(value) for value in container.evaluate(SINK_TEXTS)]
        expected = as_shown(text)
        for template in ("Name: ", "Not saved: ", "", "Use case ", "ROI of "):
            assert as_shown(f"{template}{expected}") in shown, (text, shown)
        checkbox = as_shown(container.locator('[data-testid="stCheckbox"]').text_content() or "")
        assert checkbox == as_shown(f"Confirm {expected}"), (text, checkbox)
    assert [url for url in requests if not url.startswith(probe[0])] == [], requests
