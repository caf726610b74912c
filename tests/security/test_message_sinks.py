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
from core.portfolio_workspace import portfolio_items
from tests.pages.conftest import open_page, shown
from tests.security.hostile_text import as_shown
from tests.security.test_markdown_escaping import _inline_tokens, _markdown_bodies, _text
from ui.views.portfolio import table_key

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


# An unreadable target moves the row out of the saved table into a draft, listed after the stored rows (row 6);
# a target the model refuses refuses the whole table, so nothing is saved.
@pytest.mark.parametrize(("target", "kind", "where", "reason"), [
    (":red[12]", "warning", "row 6", 'Target: Not saved: ":red[12]" is not a number.'),
    ("10000000000000", "error", "row 1", "Target: Input should be less than or equal to 1000000000000."),
], ids=["unreadable", "out_of_range"])
def test_a_kpi_rows_message_quotes_its_name_and_value_as_text(store, sample_id, target, kind, where, reason):
    """Either message names the row by its hostile name and quotes the value, each escaped exactly once."""
    version = store.load(sample_id).versions[CHATBOT]
    at = open_page("pages/1_Use_cases.py", use_case=CHATBOT)
    at.session_state[f"w.uc.{CHATBOT}.kpi_set.v{version}"] = {
        "edited_rows": {0: {"name": PAYLOAD, "target_value": target}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.exception, [item.value for item in at.exception]
    [message] = [item.value for item in getattr(at, kind)]
    assert f'KPIs, {where} ("{PAYLOAD}"): {reason}' in _shown_once(message), message
    assert_quoted_as_text(at)
    if kind == "error":
        assert store.load(sample_id).versions[CHATBOT] == version


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


def _shown_once(body: str) -> str:
    """What a Markdown body shows in a CommonMark renderer: a text escaped twice shows its backslashes."""
    return as_shown(_text(_inline_tokens(body)))


def test_a_conflict_shows_the_use_case_name_exactly_as_typed(store, sample_id):
    """The use case name is escaped once, by ``t()``: escaped by hand as well, "*1*" showed as "\\*1\\*"."""
    name = "*1*"
    seen, version = store.get_use_case(sample_id, CHATBOT)
    version = store.save_use_case(sample_id, with_values(seen, {"name": name}), version, actor="Ada")
    at = open_page("pages/4_ROI.py", use_case=CHATBOT)
    seen, _ = store.get_use_case(sample_id, CHATBOT)
    store.save_use_case(sample_id, with_values(seen, {"roi.adoption": 0.5}), version, actor="Bea")
    slider = next(item for item in at.select_slider if item.key.startswith(f"w.roi.{CHATBOT}.adoption.slider"))
    slider.set_value(0.3).run()
    [warning] = [item.value for item in at.warning]
    assert f"'{name}'" in _shown_once(warning), warning
    at.button(key=f"w.draft.apply.{CHATBOT}").click().run()
    [success] = [item.value for item in at.success]
    assert _shown_once(success) == f"Your entry for '{name}' is saved again.", success
    assert not {"em_open", "strong_open"} & {token.type for token in _inline_tokens(success)}, success


def _type_into_roi(at, store, sample_id, typed):
    at.text_input(key=f"w.roi.{CHATBOT}.volume_cases_per_month.number").input(typed).run()


def _type_a_weight(at, store, sample_id, typed):
    at.text_input(key="w.weights.cycle_time_reduction").input(typed)
    next(button for button in at.button if button.label == "Save weights").click().run()


def _type_a_capacity(at, store, sample_id, typed):
    loaded = store.load(sample_id)
    order = [item.id for item in portfolio_items(loaded.workspace)]
    at.session_state[table_key(loaded)] = {
        "edited_rows": {order.index(CHATBOT): {"capacity": typed}}, "added_rows": [], "deleted_rows": []}
    at.run()


@pytest.mark.parametrize(("page", "entry"), [("pages/4_ROI.py", _type_into_roi),
                                             ("pages/2_Scoring.py", _type_a_weight),
                                             ("pages/3_Portfolio.py", _type_a_capacity)],
                         ids=["roi_number_field", "scoring_weight", "portfolio_capacity"])
def test_a_refused_number_entry_is_quoted_exactly_as_typed(store, sample_id, page, entry):
    """The refusal comes from t(), which escapes the typed text once; the sink must not escape it again."""
    typed = "*1*"
    at = open_page(page, use_case=CHATBOT)
    entry(at, store, sample_id, typed)
    assert not at.exception, [item.value for item in at.exception]
    [error] = [item.value for item in at.error]
    assert f'Not saved: "{typed}" is not a number.' in _shown_once(error), error
    assert "em_open" not in {token.type for token in _inline_tokens(error)}, error


def test_a_recorded_gate_decision_shows_who_and_why_exactly_as_typed(store, sample_id):
    """The person and the rationale are escaped once, by ``t()``: escaped by hand as well, they showed backslashes."""
    from ui import state

    at = open_page("pages/7_Gates.py")
    at.session_state[state.UI_PREFIX + "open.gates.decide"] = True
    at.selectbox(key="w.picker.use_case").set_value("quality-inspection").run()
    at.segmented_control(key="w.gates.gate").set_value("quality_gates").run()
    prefix = "w.gates.decide.quality_gates"
    at.selectbox(key=f"{prefix}.decision").set_value("override")
    at.text_input(key=f"{prefix}.by").input("*1* <b>A</b>")
    at.text_area(key=f"{prefix}.rationale").input("_2_ [x](http://host/t)")
    next(button for button in at.button if button.label == "Record decision").click().run()
    assert not at.exception
    captions = [item.value for item in at.caption]
    who = next(text for text in captions if "Last recorded:" in text)
    assert "Override by *1* <b>A</b>" in _shown_once(who), who
    why = next(text for text in captions if "Rationale:" in text)
    assert _shown_once(why) == "Rationale: _2_ [x](http://host/t)", why
    assert not {"em_open", "strong_open", "link_open"} & {token.type for token in _inline_tokens(why)}, why
