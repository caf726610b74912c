"""AppTest for the Export page (decision pack out and back in, workspace JSON, snapshots, audit trail)."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest

from core.excel import build_pack, read_pack
from core.store import Store
from tests.pages.conftest import assert_clean, open_page, shown
from ui import state
from ui.views import export

PAGE = "pages/9_Export.py"
CHATBOT = "support-chatbot"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _input_cell(pack: bytes, use_case_id: str, field_path: str) -> str:
    book = openpyxl.load_workbook(io.BytesIO(pack))
    for row in book["Meta"].iter_rows(min_row=2):
        if (row[8].value, row[9].value) == (use_case_id, field_path):
            return f"{row[10].value}!{row[11].value}"
    raise KeyError(field_path)


def _edit(pack: bytes, reference: str, value: object) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(pack))
    sheet, coordinate = reference.split("!")
    book[sheet][coordinate].value = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _button(at, label: str):
    return next(button for button in at.button if button.label == label)


def test_page_renders_in_both_languages(store: Store, sample_id: str) -> None:
    for language, pack_label in (("en", "Download decision pack (.xlsx)"),
                                 ("de", "Entscheidungspaket herunterladen (.xlsx)")):
        at = open_page(PAGE, language=language)
        assert_clean(at)
        labels = [button.label for button in at.get("download_button")]
        assert pack_label in labels
        assert len(labels) == 3


def test_pack_download_builds_the_core_pack(store: Store, sample_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(state, "workspace_id", lambda: sample_id)
    data = export.pack_download([CHATBOT], "CFO")()
    assert data[:2] == b"PK"
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    decision_sheets = [name for name in book.sheetnames if name.startswith("D1_")]
    assert decision_sheets == [f"D1_{CHATBOT}"[:31]]
    assert read_pack(data, store.load(sample_id)).is_empty
    csv_text = export.audit_csv_download(CHATBOT)()
    assert csv_text == store.audit_csv(sample_id, CHATBOT)
    assert json.loads(export.json_download()())["name"] == store.load(sample_id).workspace.name


def _summary_texts(pack: bytes) -> set[str]:
    book = openpyxl.load_workbook(io.BytesIO(pack), read_only=True)
    sheet = book["Übersicht" if "Übersicht" in book.sheetnames else "Summary"]
    return {cell for row in sheet.iter_rows(values_only=True) for cell in row if isinstance(cell, str)}


@pytest.mark.parametrize(("language", "label", "other"), [("de", "Entscheidungsvorlage", "Decision sheet"),
                                                         ("en", "Decision sheet", "Entscheidungsvorlage")])
def test_pack_download_is_in_the_ui_language(store: Store, sample_id: str, monkeypatch: pytest.MonkeyPatch,
                                             language: str, label: str, other: str) -> None:
    real, builders = export.pack_download, []

    def spy(use_case_ids, author, language="en", plan_name=None):
        builders.append((language, real(use_case_ids, author, language, plan_name)))
        return builders[-1][1]

    monkeypatch.setattr(export, "pack_download", spy)
    at = open_page(PAGE, language=language)
    assert_clean(at)
    shown_language, build = builders[-1]
    assert shown_language == language
    texts = _summary_texts(build())
    assert label in texts
    assert other not in texts


def test_edited_pack_shows_the_diff_and_applies_it(store: Store, sample_id: str) -> None:
    loaded = store.load(sample_id)
    pack = build_pack(loaded, [CHATBOT])
    edited = _edit(pack, _input_cell(pack, CHATBOT, "roi.adoption"), 0.5)
    at = open_page(PAGE)
    with_money = _edit(edited, _input_cell(pack, CHATBOT, "roi.run_cost_eur_per_month"), 16_500)
    at.file_uploader[0].set_value(("pack.xlsx", with_money, XLSX)).run()
    assert_clean(at)
    money = next(frame.value for frame in at.dataframe if "Cell" in frame.value.columns)
    assert money["Old → new"].tolist() == ["62.0% → 50.0%", "€18,000.00 → €16,500.00"]
    at.file_uploader[0].set_value(("pack.xlsx", edited, XLSX)).run()
    diff = next(frame.value for frame in at.dataframe if "Cell" in frame.value.columns)
    assert diff[["Use case", "Field", "Old → new"]].values.tolist() == [
        [loaded.workspace.use_case(CHATBOT).name, "Adoption", "62.0% → 50.0%"]
    ]
    _button(at, "Apply 1 change(s)").click().run()
    assert_clean(at)
    assert store.get_use_case(sample_id, CHATBOT)[0].roi.adoption == 0.5
    applied = [entry for entry in store.audit(sample_id, CHATBOT) if entry.action == "apply_changes"]
    assert [(entry.field_path, entry.old_value, entry.new_value) for entry in applied] == [
        ("roi.adoption", "0.62", "0.5")
    ]
    assert any(item.value == "1 change(s) applied." for item in at.success)
    assert at.file_uploader[0].value is None


def test_apply_after_someone_else_saved_reports_the_conflict(store: Store, sample_id: str) -> None:
    pack = build_pack(store.load(sample_id), [CHATBOT])
    edited = _edit(pack, _input_cell(pack, CHATBOT, "roi.adoption"), 0.5)
    at = open_page(PAGE)
    at.file_uploader[0].set_value(("pack.xlsx", edited, XLSX)).run()
    use_case, version = store.get_use_case(sample_id, CHATBOT)
    store.save_use_case(sample_id, use_case.model_copy(update={"owner": "Someone else"}), version, "Mara")
    _button(at, "Apply 1 change(s)").click().run()
    assert not at.exception
    assert store.get_use_case(sample_id, CHATBOT)[0].roi.adoption == 0.62
    assert any("Mara" in warning.value for warning in at.warning)


@pytest.mark.parametrize("content", [b"not a workbook at all", b"PK\x03\x04broken zip"])
def test_rejected_pack_names_the_file(store: Store, sample_id: str, content: bytes) -> None:
    at = open_page(PAGE)
    at.file_uploader[0].set_value(("finance.xlsx", content, XLSX)).run()
    assert not at.exception
    assert len(at.error) == 1
    assert at.error[0].value.startswith("'finance.xlsx' was not read: ")


def test_pack_of_another_workspace_is_rejected(store: Store, sample_id: str) -> None:
    other = store.duplicate_workspace(sample_id, "Other", "tester")
    pack = build_pack(store.load(other), [CHATBOT])
    at = open_page(PAGE)
    at.file_uploader[0].set_value(("other.xlsx", pack, XLSX)).run()
    assert len(at.error) == 1
    assert "other.xlsx" in at.error[0].value
    assert store.get_use_case(sample_id, CHATBOT)[0].roi.adoption == 0.62


def test_workspace_json_import_creates_and_opens_a_workspace(store: Store, sample_id: str) -> None:
    at = open_page(PAGE)
    at.file_uploader[1].set_value(("workspace.json", store.export_json(sample_id).encode(), "application/json"))
    at.text_input(key="w.export.json_name").input("Imported copy")
    _button(at, "Import as new workspace").click().run()
    assert_clean(at)
    imported = store.workspace_id_by_name("Imported copy")
    assert store.export_json(imported).replace("Imported copy", "x") == store.export_json(sample_id).replace(
        store.load(sample_id).workspace.name, "x")
    assert at.selectbox(key="w.sidebar.workspace").value == imported
    assert any(item.value == "'workspace.json' imported and opened." for item in at.success)


def test_invalid_workspace_json_lists_every_error(store: Store, sample_id: str) -> None:
    document = json.loads(store.export_json(sample_id))
    document["use_cases"][0]["roi"]["adoption"] = 1.5
    document["use_cases"][1]["scoring"]["cost_reduction"] = "high"
    at = open_page(PAGE)
    at.file_uploader[1].set_value(("bad.json", json.dumps(document).encode(), "application/json"))
    _button(at, "Import as new workspace").click().run()
    assert not at.exception
    assert len(at.error) == 1
    message = shown(at.error[0].value)
    assert message.startswith("Import rejected (2 problem(s)):")
    assert "use_cases[0].roi.adoption" in message or "use_cases.0.roi.adoption" in message
    assert message.count("- bad.json: ") == 2
    assert len(store.list_workspaces()) == 1


def test_snapshot_create_and_restore(store: Store, sample_id: str) -> None:
    at = open_page(PAGE)
    assert any(caption.value == "No snapshots yet." for caption in at.caption)
    at.text_input(key="w.export.snapshot_label").input("before workshop")
    _button(at, "Create snapshot").click().run()
    assert_clean(at)
    assert [item.label for item in store.list_snapshots(sample_id)] == ["before workshop"]
    use_case, version = store.get_use_case(sample_id, CHATBOT)
    store.save_use_case(sample_id, use_case.model_copy(update={"owner": "Changed"}), version, "tester")
    at.run()
    _button(at, "Restore").click().run()
    assert_clean(at)
    assert store.get_use_case(sample_id, CHATBOT)[0].owner == use_case.owner
    assert any(item.value == "Snapshot 'before workshop' restored." for item in at.success)


def test_audit_trail_filters_by_use_case(store: Store, sample_id: str) -> None:
    use_case, version = store.get_use_case(sample_id, CHATBOT)
    store.save_use_case(sample_id, use_case.model_copy(update={"owner": "New owner"}), version, "Mara")
    at = open_page(PAGE)
    at.selectbox(key="w.export.audit_filter").set_value(CHATBOT).run()
    assert_clean(at)
    table = next(frame.value for frame in at.dataframe if "Action" in frame.value.columns)
    assert set(table["Use case"]) == {use_case.name}
    assert table.iloc[0][["By", "Action", "Field"]].tolist() == ["Mara", "Use case changed",
                                                           "Owner (accountable person or role)"]
    assert len(table) == len(store.audit(sample_id, CHATBOT))
