"""Issue 13: "Your name" persists for the browser (the URL and a cookie, nothing on the server) and audits edits."""

from __future__ import annotations

import pytest
from conftest import assert_clean, open_page

from ui import state

PAGE = "pages/4_ROI.py"
CHATBOT = "support-chatbot"
ACTOR = "w.sidebar.actor"


def test_the_name_goes_into_the_url_and_a_reload_of_that_address_keeps_it_for_the_audit(store, sample_id):
    at = open_page(PAGE, use_case=CHATBOT)
    at.text_input(key=ACTOR).input("Anna Schneider").run()
    assert_clean(at)
    assert at.query_params[state.QUERY_ACTOR] in ("Anna Schneider", ["Anna Schneider"])
    assert any("workbench_name" in item.proto.srcdoc for item in at.get("iframe")), "cookie not written"

    reloaded = open_page(PAGE, use_case=CHATBOT)
    assert reloaded.text_input(key=ACTOR).value == ""
    reloaded = _with_url(at.query_params)
    assert reloaded.text_input(key=ACTOR).value == "Anna Schneider"
    reloaded.select_slider(key=f"w.roi.{CHATBOT}.adoption.slider").set_value(0.3).run()
    assert_clean(reloaded)
    [entry] = [entry for entry in store.audit(sample_id, CHATBOT, limit=5) if entry.field_path == "roi.adoption"][:1]
    assert entry.actor == "Anna Schneider"
    assert store.get_use_case(sample_id, CHATBOT)[0].roi.adoption == pytest.approx(0.3)


def _with_url(params):
    from streamlit.testing.v1 import AppTest

    from tests.pages.conftest import ROOT

    fresh = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    for name, values in params.items():
        fresh.query_params[name] = values[0] if isinstance(values, list) else values
    fresh.run()
    fresh.switch_page(PAGE)
    return fresh.run()
