"""When ``state.sync_widget`` writes a widget's value again (which makes Streamlit send it to the browser).

The browser keeps a value it was sent only while it keeps the widget. After a session's first run it keeps none:
its first rerun request carries only the widget that was touched (seen with Streamlit 1.67 on a deep link to the
Gates page, where a tab click was followed by the use-case picker falling back to its first option and the next
upload saving into the wrong use case). The run after the first therefore seeds every widget again.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from ui import state

PICKER = "w.picker.use_case"


class RecordingState(dict):
    """Session state that remembers which keys the code under test wrote."""

    def __init__(self) -> None:
        super().__init__()
        self.written: list[str] = []

    def __setitem__(self, key, value) -> None:
        self.written.append(key)
        super().__setitem__(key, value)


@pytest.fixture
def session(monkeypatch):
    recording = RecordingState()
    context = SimpleNamespace(page_script_hash="gates", fragment_ids_this_run=[])
    monkeypatch.setattr(state, "st", SimpleNamespace(session_state=recording))
    monkeypatch.setattr(state, "get_script_run_ctx", lambda: context)
    return recording, context


def _run(session, value: str, page: str = "gates") -> bool:
    """One full script run that draws the picker with ``value``; True when the picker's value was written."""
    recording, context = session
    context.page_script_hash = page
    state.start_run()
    recording.written.clear()
    state.sync_widget(PICKER, value)
    return PICKER in recording.written


def test_the_run_after_a_sessions_first_run_seeds_the_widget_again(session) -> None:
    assert _run(session, "meeting-minutes"), "a new widget is seeded"
    assert _run(session, "meeting-minutes"), "the browser forgot the first run's values"
    assert not _run(session, "meeting-minutes"), "later, an unchanged value is left alone"
    assert not _run(session, "meeting-minutes")


def test_a_changed_value_a_new_page_or_a_run_without_the_widget_seeds_it_again(session) -> None:
    recording, _ = session
    _run(session, "meeting-minutes")
    _run(session, "meeting-minutes")
    assert _run(session, "support-chatbot"), "the model changed"
    assert _run(session, "support-chatbot", page="roi"), "another page draws a new widget"
    assert not _run(session, "support-chatbot", page="roi")
    state.start_run()
    assert _run(session, "support-chatbot", page="roi"), "a run without the widget let the browser drop it"
    assert recording[PICKER] == "support-chatbot"
