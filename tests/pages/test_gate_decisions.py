"""Record decision (issue 13): a person's decision with rationale, who, and the next gate's date; the registry
shows the date and flags it overdue."""

from __future__ import annotations

from datetime import date, timedelta

from core.store import Store
from tests.pages.conftest import open_page, shown
from ui import state

PREFIX = "w.gates.decide.quality_gates"


def _gates(language: str):
    at = open_page("pages/7_Gates.py", language=language)
    at.session_state[state.UI_PREFIX + "open.gates.decide"] = True  # "Record decision" draws its form when open
    at.selectbox(key="w.picker.use_case").set_value("quality-inspection").run()
    at.segmented_control(key="w.gates.gate").set_value("quality_gates").run()
    return at


def _submit(at, label: str):
    next(button for button in at.button if button.label == label).click().run()
    return at


def _messages(at) -> list[str]:
    return [item.value for kind in (at.error, at.warning, at.success) for item in kind]


def test_an_override_without_a_reason_is_refused_in_german(store: Store, sample_id: str) -> None:
    at = _gates("de")
    at.selectbox(key=f"{PREFIX}.decision").set_value("override")
    at.text_input(key=f"{PREFIX}.by").input("A. Weber")
    _submit(at, "Entscheidung protokollieren")
    assert not at.exception
    assert any("Ein Übersteuern braucht eine Begründung" in message for message in _messages(at))
    assert store.get_use_case(sample_id, "quality-inspection")[0].gate_decisions == ()


def test_a_recorded_override_is_stored_audited_and_shows_its_overdue_date(store: Store, sample_id: str) -> None:
    past = date.today() - timedelta(days=3)
    at = _gates("en")
    at.selectbox(key=f"{PREFIX}.decision").set_value("override")
    at.text_input(key=f"{PREFIX}.by").input("A. Weber")
    at.text_area(key=f"{PREFIX}.rationale").input("HITL coverage measured on two weeks only")
    at.selectbox(key=f"{PREFIX}.next").set_value("go_live_compliance")
    at.date_input(key=f"{PREFIX}.on").set_value(past)
    _submit(at, "Record decision")
    assert not at.exception
    decisions = store.get_use_case(sample_id, "quality-inspection")[0].gate_decisions
    assert len(decisions) == 1
    decision = decisions[0]
    assert (decision.decision, decision.decided_by, decision.computed_decision) == ("override", "A. Weber", "fail")
    assert (decision.next_gate, decision.next_gate_on) == ("go_live_compliance", past)
    paths = {entry.field_path for entry in store.audit(sample_id, "quality-inspection")}
    assert "gate_decisions.0.rationale" in paths
    captions = [shown(item.value) for item in at.caption]
    assert any(text.startswith("Last recorded: Override by A. Weber") and "computed: Fail" in text
               and "next: Go-live compliance on" in text for text in captions)
    assert "Rationale: HITL coverage measured on two weeks only" in captions

    registry = open_page("pages/1_Use_cases.py", language="en")
    table = registry.dataframe[0].value
    dates = dict(zip(table.iloc[:, 1], table["Next gate on"], strict=True))
    overdue = [text for text in dates.values() if text]
    assert len(overdue) == 1 and overdue[0].endswith("· overdue"), overdue
    assert any("past their next gate's date: 1" in item.value for item in registry.warning)
