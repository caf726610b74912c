"""Presentation mode (issue 13) on the ROI, Business case, Portfolio and Data readiness pages: the figures and
charts stay, larger; the widgets that edit the use case are hidden (ROI, Business case) or read-only (tables,
checklists)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.pages.conftest import ROOT, assert_clean
from ui.frame import PRESENTATION_STYLE

CHATBOT = "support-chatbot"


def _open(page: str, presentation: bool) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.query_params["uc"] = CHATBOT
    if presentation:
        at.query_params["present"] = "1"
    at.run()
    at.switch_page(page)
    at.run()
    assert_clean(at)
    return at


def _keys(at: AppTest, kind: str) -> set[str]:
    return {widget.key for widget in at.get(kind) if widget.key}


def _styled(at: AppTest) -> bool:
    return any(node.proto.body == PRESENTATION_STYLE for node in at.get("html"))


@pytest.mark.parametrize(("page", "kind", "prefix"), [
    ("pages/4_ROI.py", "select_slider", f"w.roi.{CHATBOT}."),
    ("pages/5_Business_case.py", "select_slider", f"w.bc.{CHATBOT}."),
])
def test_the_inputs_leave_and_the_figures_and_chart_stay(store, page, kind, prefix):
    normal, shown = _open(page, False), _open(page, True)
    assert any(key.startswith(prefix) for key in _keys(normal, kind))
    assert not any(key.startswith(prefix) for key in _keys(shown, kind) | _keys(shown, "text_input"))
    assert [metric.label for metric in shown.metric] == [metric.label for metric in normal.metric]
    assert len(shown.get("vega_lite_chart")) == len(normal.get("vega_lite_chart")) >= 1
    editors = {"w.open.roi.inference.en", "w.open.roi.cost_blocks.en", "w.open.bc.cost_blocks.en",
               "w.open.pva.sources.en"}
    assert _keys(normal, "expander") & editors and not _keys(shown, "expander") & editors
    assert _styled(shown) and not _styled(normal)


def test_the_portfolio_keeps_its_budgets_and_hides_saving_a_plan(store):
    normal, shown = _open("pages/3_Portfolio.py", False), _open("pages/3_Portfolio.py", True)
    assert "w.portfolio.investment" in _keys(shown, "select_slider")  # the room argues about the budget
    assert "w.portfolio.plan_name" in _keys(normal, "text_input")
    assert "w.portfolio.plan_name" not in _keys(shown, "text_input")
