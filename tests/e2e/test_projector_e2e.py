"""Readable on a projector (issue 13): every page at 1280×720 in English and German, screenshotted, with no element
spilling out of its card or the page; the matrix labels every dot; presentation mode widens the chart and hides
the editing widgets."""

from __future__ import annotations

import pytest

from bench.fixtures import wait_idle
from ui.frame import NAVIGATION

pytest.importorskip("playwright.sync_api", reason="e2e needs the playwright package (requirements-dev.txt)")
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e
expect.set_options(timeout=30_000)

PROJECTOR = {"width": 1280, "height": 720}
S3_SLIDER = "Datenverfügbarkeit"
PAGES = tuple(("" if path == "app.py" else path.removeprefix("pages/").removesuffix(".py").split("_", 1)[1])
              for path, _, _ in NAVIGATION)
# Elements that scroll or clip by design (tables, charts, code) are measured as boxes, not by their content.
OVERFLOWS = """() => {
  const scrolling = '[data-testid="stDataFrame"], [data-testid="stDataFrameResizable"], canvas, '
    + '[data-testid="stVegaLiteChart"], [data-testid="stCode"], pre, [data-testid="stSidebar"], '
    + '[data-baseweb="popover"], [data-testid="stTooltipContent"]';
  const problems = [];
  const width = document.documentElement.clientWidth;
  const main = document.querySelector('[data-testid="stMain"]') || document.body;
  // The slider's range input follows its thumb and the progress bar's track slides inside its clipped bar.
  const internal = el => el.matches('input[type="range"]')
    || (el.closest('[data-testid="stProgress"]') && !el.matches('[data-testid="stProgress"]'));
  const hidden = el => {
    if (internal(el)) return true;
    const style = getComputedStyle(el);
    return style.visibility === 'hidden' || style.opacity === '0' || el.closest('[aria-hidden="true"]')
      || /hidden/.test(el.getAttribute('data-testid') || '') || el.closest('[data-testid*="hidden"]');
  };
  const describe = el => (el.getAttribute('data-testid') || el.tagName) + ': '
    + (el.innerText || '').trim().slice(0, 60).replace(/\\s+/g, ' ');
  // Each element must stay inside its closest block: a column, a (bordered) container, an element's own box.
  const blocks = '[data-testid="stVerticalBlock"], [data-testid="stColumn"], [data-testid="stElementContainer"], '
    + '[data-testid="stExpander"], [data-testid="stForm"]';
  for (const el of main.querySelectorAll('*')) {
    if ((el.closest(scrolling) && !el.matches(scrolling)) || hidden(el)) continue;
    const block = el.parentElement && el.parentElement.closest(blocks);
    if (!block) continue;
    const r = el.getBoundingClientRect(), box = block.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || box.width === 0) continue;
    if (r.right > box.right + 2 || r.left < box.left - 2) {
      problems.push('spills out of ' + (block.getAttribute('data-testid')) + ' by '
        + Math.round(Math.max(r.right - box.right, box.left - r.left)) + ' px: ' + describe(el));
    }
  }
  for (const el of main.querySelectorAll('*')) {
    if ((el.closest(scrolling) && !el.matches(scrolling)) || hidden(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > width + 2) problems.push('beyond the page by ' + Math.round(r.right - width)
      + ' px: ' + describe(el));
  }
  for (const el of main.querySelectorAll('[data-testid="stMarkdownContainer"] table, '
      + '[data-testid="stMarkdownContainer"] p, [data-testid="stCaptionContainer"]')) {
    if (el.scrollWidth > el.clientWidth + 2) problems.push('text wider than its box: ' + describe(el));
  }
  return [...new Set(problems)];
}"""


def _wait_rendered(page) -> None:
    page.wait_for_load_state("networkidle")
    page.wait_for_function(
        """() => document.querySelectorAll('[data-testid="stSkeleton"]').length === 0
              && document.fonts.status === 'loaded'
              && [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
                   .every(chart => chart.querySelector('canvas, svg'))""",
        timeout=30_000,
    )


def _open(browser, url: str, path: str, query: str):
    context = browser.new_context(viewport=PROJECTOR, locale="de-DE")
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.goto(f"{url}/{path}?{query}")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    wait_idle(page)
    _wait_rendered(page)
    return context, page


@pytest.mark.parametrize("language", ["en", "de"])
def test_every_page_fits_a_projector(browser, running_app, screenshot_dir, language: str) -> None:
    found = {}
    for path in PAGES:
        context, page = _open(browser, running_app.url, path, f"lang={language}&uc=support-chatbot")
        try:
            assert page.get_by_test_id("stException").count() == 0, (path, running_app.log_tail())
            page.screenshot(path=str(screenshot_dir / f"projector_{language}_{path or 'home'}.png"))
            problems = page.evaluate(OVERFLOWS)
            if problems:
                found[path or "home"] = problems[:8]
        finally:
            context.close()
    assert found == {}, found


def test_presentation_mode_labels_every_dot_widens_the_matrix_and_hides_editing(browser, running_app,
                                                                               screenshot_dir) -> None:
    context, page = _open(browser, running_app.url, "Scoring", "lang=de&uc=support-chatbot&present=1")
    try:
        page.screenshot(path=str(screenshot_dir / "projector_de_scoring_presentation.png"))
        toggle = page.get_by_test_id("stSidebar").get_by_role("switch", name="Präsentationsmodus")
        expect(toggle).to_be_checked()
        chart = page.get_by_test_id("stVegaLiteChart").first
        content = page.evaluate("""() => { const main = document.querySelector('[data-testid="stMainBlockContainer"]');
            const style = getComputedStyle(main);
            return main.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight); }""")
        # Full width: the chart's card spans the page's content (only its own padding inside).
        assert chart.bounding_box()["width"] > 0.9 * content
        # No editing widget on the page: the S3 input sliders and the weight editor are hidden (the rank-stability
        # spread, a view setting, stays).
        assert page.get_by_test_id("stMain").get_by_test_id("stSlider").filter(has_text=S3_SLIDER).count() == 0
        assert page.get_by_test_id("stMain").get_by_test_id("stNumberInput").count() == 0
        legend = page.get_by_test_id("stMain").get_by_text("Ränge in der Matrix")
        expect(legend).to_be_visible()
        assert page.evaluate(OVERFLOWS) == []
    finally:
        context.close()

    context, page = _open(browser, running_app.url, "Scoring", "lang=de&uc=support-chatbot")
    try:
        assert page.get_by_test_id("stMain").get_by_test_id("stSlider").filter(has_text=S3_SLIDER).count() == 1
    finally:
        context.close()


def test_presentation_mode_fits_the_money_pages_with_larger_type_and_no_inputs(browser, running_app,
                                                                              screenshot_dir) -> None:
    found = {}
    for path in ("ROI", "Business_case", "Portfolio", "Data_readiness"):
        context, page = _open(browser, running_app.url, path, "lang=de&uc=support-chatbot&present=1")
        try:
            page.screenshot(path=str(screenshot_dir / f"projector_de_{path}_presentation.png"))
            metric = page.get_by_test_id("stMetricValue").first
            assert float(metric.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")) >= 38
            if path in ("ROI", "Business_case"):
                assert page.get_by_test_id("stMain").get_by_test_id("stSlider").count() == 0
            problems = page.evaluate(OVERFLOWS)
            if problems:
                found[path] = problems[:8]
        finally:
            context.close()
    assert found == {}, found
