"""The audit trail on the pages: start-up notices in the sidebar (issue 12), one row per slider drag on the Export
page and the pack's Audit-trail sheet (issue 13), the pack's author under pseudonymised mode (S23)."""

from __future__ import annotations

import io
import sqlite3

import openpyxl
import pytest

from core.models import WorkspaceSettings, with_value
from core.store import Store
from tests.pages.conftest import assert_clean, open_page, shown
from ui import state
from ui.views import export

PAGE = "pages/9_Export.py"
CHATBOT = "support-chatbot"


def drag(store: Store, workspace_id: str, values: list[float], actor: str = "Ada") -> None:
    for value in values:
        use_case, version = store.get_use_case(workspace_id, CHATBOT)
        store.save_use_case(workspace_id, with_value(use_case, "roi.adoption", value), version, actor=actor)


@pytest.mark.parametrize(("language", "words"), [("en", ("write protection", "entry 2")),
                                                 ("de", ("Schreibschutz", "Eintrag 2"))])
def test_a_tampered_database_is_reported_in_the_sidebar(database_url: str, language: str, words) -> None:
    store = Store(database_url)
    drag(store, store.ensure_sample_workspace(), [0.5, 0.51])
    store.dispose()
    with sqlite3.connect(database_url.removeprefix("sqlite:///")) as raw:
        raw.execute("DROP TRIGGER audit_log_refuse_update")
        raw.execute("UPDATE audit_log SET new_value = '0.99' WHERE id = 2")
    at = open_page(language=language)
    assert not at.exception
    warnings = [shown(item.value) for item in at.sidebar.warning]
    assert len(warnings) == 2, warnings
    assert words[0] in warnings[0] and "audit_log_refuse_update" in warnings[0]
    assert words[1] in warnings[1]


def test_the_export_page_shows_one_row_per_drag(store: Store, sample_id: str) -> None:
    drag(store, sample_id, [0.50, 0.51, 0.52, 0.53, 0.54, 0.55])
    at = open_page(PAGE)
    assert_clean(at)
    frame = at.dataframe[-1].value
    assert len(frame) == 2  # the drag and the sample load
    assert (frame.iloc[0]["Steps"], frame.iloc[0]["Old"], frame.iloc[0]["New"]) == ("6", "0.62", "0.55")


def test_the_pack_merges_the_drag_and_names_the_author_by_the_workspaces_rules(store: Store, sample_id: str,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(state, "workspace_id", lambda: sample_id)
    drag(store, sample_id, [0.50, 0.51, 0.52])
    book = openpyxl.load_workbook(io.BytesIO(export.pack_download([CHATBOT], "Carla CFO")()))
    assert book.properties.creator == "Carla CFO"
    rows = [row for row in book["Audit trail"].iter_rows(min_row=3, values_only=True) if row[0] is not None]
    assert len(rows) == 2 and rows[0][5:8] == ("0.62", "0.52", 3)
    store.save_settings(sample_id, "Carla CFO", settings=WorkspaceSettings(audit_pseudonymised=True))
    book = openpyxl.load_workbook(io.BytesIO(export.pack_download([CHATBOT], "Carla CFO")()))
    assert book.properties.creator.startswith("P-")
    actors = {row[1] for row in book["Audit trail"].iter_rows(min_row=3, values_only=True) if row[0] is not None}
    assert all(actor.startswith("P-") for actor in actors)
    # In the app an owner (everyone, while roles are off) reads the names the workspace keeps sealed (S23).
    drag(store, sample_id, [0.6])
    monkeypatch.setattr(state, "actor", lambda: "Carla CFO")
    assert export.audit_entries(CHATBOT, limit=1)[0].actor == "Ada"
    assert all(",Ada," not in line for line in export.audit_csv_download(CHATBOT)().splitlines()[1:])


def test_the_export_page_sets_pseudonymised_mode_and_retention(store: Store, sample_id: str) -> None:
    drag(store, sample_id, [0.5])
    at = open_page(PAGE)
    assert_clean(at)
    toggle = next(item for item in at.toggle if item.label == "Pseudonymised audit trail")
    toggle.set_value(True).run()
    assert_clean(at)
    assert store.workspace_settings(sample_id).audit_pseudonymised is True
    assert all(entry.actor.startswith("P-") for entry in store.audit(sample_id))
    months = next(item for item in at.number_input if item.label.startswith("Keep names in the audit trail"))
    months.set_value(24).run()
    assert store.workspace_settings(sample_id).audit_retention_months == 24
    assert store.verify_audit().ok
