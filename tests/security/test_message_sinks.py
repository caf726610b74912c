"""Error and success messages that quote user text make no Markdown of it (issue 12, item 3).

Each test provokes one message that carries a hostile text: an upload's file name, ``ImportRejected`` lines
(a JSON key), the scenario, RACI and readiness editors' validation messages, a flash after a callback, and a
store error. Every Markdown element of the page must then parse (CommonMark) without an image, link or HTML,
show the hostile text as typed, and hold none of Streamlit's own syntax unescaped.
"""

from __future__ import annotations

import json

import pytest

from core.models import with_values
from tests.pages.conftest import open_page, shown
from tests.security.hostile_text import as_shown
from tests.security.test_markdown_escaping import _inline_tokens, _markdown_bodies, _text

CHATBOT = "support-chatbot"
PAYLOAD = "![p](http://tracker.invalid/p.png) [c](http://tracker.invalid) :red[r] :smile: www.tracker.invalid"
RAW_MARKERS = ("![p]", "[c](", ":red[", ":smile:", "www.tracker", "http://tracker")


def assert_quoted_as_text(at, expected: str = PAYLOAD) -> None:
    bodies = _markdown_bodies(at._tree)
    for body in bodies:
        kinds = {token.type for token in _inline_tokens(body)}
        assert not {"image", "link_open", "html_inline", "html_block"} & kinds, body
        assert not [marker for marker in RAW_MARKERS if marker in body], body
    assert any(as_shown(expected) in as_shown(_text(_inline_tokens(body))) for body in bodies), bodies


def test_an_uploads_file_name_is_quoted_as_text(store, sample_id):
    at = open_page("pages/8_Data_readiness.py")
    at.file_uploader[0].set_value((f"{PAYLOAD}.csv", b"", "text/csv")).run()
    assert len(at.error) == 1
    assert_quoted_as_text(at)


def test_import_rejected_lines_are_quoted_as_text(store, sample_id):
    at = open_page("pages/9_Export.py")
    document = {"name": "W", PAYLOAD: 1}
    at.file_uploader[1].set_value((f"{PAYLOAD}.json", json.dumps(document).encode(), "application/json")).run()
    at.button(key="w.export.json_import").click().run()
    assert len(at.error) == 1 and f"{PAYLOAD}: Extra inputs are not permitted" in shown(at.error[0].value)
    assert_quoted_as_text(at)


def _hostile_scenarios(store, sample_id) -> int:
    loaded = store.load(sample_id)
    chatbot = with_values(loaded.workspace.use_case(CHATBOT), {"scenarios.0.name": PAYLOAD})
    return store.save_use_case(sample_id, chatbot, loaded.versions[CHATBOT], actor="Ada")


def test_a_duplicate_scenario_name_is_quoted_as_text(store, sample_id):
    version = _hostile_scenarios(store, sample_id)
    at = open_page("pages/6_Sensitivity.py", use_case=CHATBOT)
    at.session_state[f"w.sens.{CHATBOT}.scenarios.v{version}"] = {
        "edited_rows": {1: {"name": PAYLOAD}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert len(at.error) == 1 and "names must be unique" in at.error[0].value
    assert_quoted_as_text(at)


def test_a_raci_rule_message_quotes_the_deliverable_as_text(store, sample_id):
    version = store.load(sample_id).versions[CHATBOT]
    at = open_page("pages/1_Use_cases.py", use_case=CHATBOT)
    at.session_state[f"w.uc.{CHATBOT}.raci.v{version}"] = {
        "edited_rows": {0: {"deliverable": PAYLOAD, "accountable": "PO, Ops"}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert any("exactly one A" in error.value for error in at.error)
    assert_quoted_as_text(at)


def test_a_readiness_message_is_markdown_safe(store, sample_id):
    version = store.load(sample_id).versions[CHATBOT]
    at = open_page("pages/8_Data_readiness.py", use_case=CHATBOT)
    at.session_state[f"w.ready.{CHATBOT}.checklist.v{version}"] = {
        "edited_rows": {0: {"evidence": PAYLOAD + "x" * 5_000}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert len(at.error) == 1 and "5000 characters" in shown(at.error[0].value)
    bodies = _markdown_bodies(at._tree)
    assert all(not {"image", "link_open"} & {token.type for token in _inline_tokens(body)} for body in bodies)


@pytest.mark.parametrize("flash", ["added", "store_error"])
def test_flashes_quote_names_as_text(store, sample_id, flash):
    at = open_page("pages/1_Use_cases.py" if flash == "added" else None)
    if flash == "added":
        at.text_input(key="w.registry.add_name").input(PAYLOAD)
        next(button for button in at.button if button.label == "Add use case").click().run()
        assert any(as_shown(PAYLOAD) in as_shown(shown(item.value)) for item in at.success)
    else:
        store.import_json(json.dumps({"name": PAYLOAD}), actor="Ada")
        at.text_input(key="w.home.rename_name").input(PAYLOAD)
        next(button for button in at.button if button.label == "Rename workspace").click().run()
        assert any("already exists" in item.value for item in at.error)
    assert_quoted_as_text(at)
