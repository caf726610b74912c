"""Presentation mode (issue 13) on the ROI, Business case, Portfolio, Data readiness, Export and Workshop pages: the
figures and charts stay, larger; the widgets that edit the use case are hidden (ROI, Business case, the Workshop's
adopting, Export's imports, snapshots and settings) or read-only (tables, checklists)."""

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


def test_export_keeps_the_downloads_and_the_trail_and_hides_imports_snapshots_and_settings(store):
    normal, shown = _open("pages/9_Export.py", False), _open("pages/9_Export.py", True)
    assert len(normal.get("file_uploader")) == 2 and not shown.get("file_uploader")
    for key in ("FormSubmitter:export.snapshot-Create snapshot", "w.export.json_import"):
        assert key in _keys(normal, "button") and key not in _keys(shown, "button")
    assert any(item.label == "Pseudonymised audit trail" for item in normal.toggle)
    assert not any(item.label == "Pseudonymised audit trail" for item in shown.toggle)
    assert {"w.export.json_download", "w.export.audit_csv"} <= _keys(shown, "download_button")
    assert len(shown.dataframe) == len(normal.dataframe) >= 1  # the audit trail (and snapshots) stay
    assert _styled(shown)


def test_the_workshop_reveal_keeps_the_charts_and_hides_adopting(store, sample_id):
    from core.workshop import Answer, define_round

    workspace = store.load(sample_id).workspace
    info = store.open_round(sample_id, define_round([workspace.use_case(CHATBOT)], ("scoring.data_availability",),
                                                    "Kick-off"), actor="Facilitator")
    for name, value in (("Anna", 0.2), ("Ben", 0.6), ("Cem", 0.9)):
        _, secret = store.join_round(info.token, name)
        store.save_answer(info.token, secret, CHATBOT, "scoring.data_availability", Answer(value=value))
    store.close_round(info.id, actor="Facilitator")
    store.reveal_round(info.id, actor="Facilitator")
    normal, shown = _open("pages/10_Workshop.py", False), _open("pages/10_Workshop.py", True)
    adopt = f"w.ws.adopt.{info.id}.{CHATBOT}.scoring.data_availability"
    assert adopt in _keys(normal, "text_input") and adopt not in _keys(shown, "text_input")
    assert len(shown.get("vega_lite_chart")) == len(normal.get("vega_lite_chart")) >= 2
    assert [metric.label for metric in shown.metric] == [metric.label for metric in normal.metric]
    assert shown.dataframe and _styled(shown)
