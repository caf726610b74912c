"""Excel re-import review (issue 13): every bad cell reported at once, the edits outside the inputs named with the
reason they are ignored (instead of "holds no changed inputs"), and a ticked selection of the changes to apply."""

from __future__ import annotations

import io
import shutil

import openpyxl
import pytest
from conftest import ROOT, assert_clean, open_page, shown

from core.excel import PackRejected, build_pack, ignored_edits, read_pack
from core.store import Store
from tests.core.excel_oracle import recalculate, soffice_path

PAGE = "pages/9_Export.py"
CHATBOT = "support-chatbot"
INVOICES = "invoice-extraction"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SAMPLE = "Beispiel GmbH – KI-Portfolio"


def _input_cell(pack: bytes, use_case_id: str, field_path: str) -> str:
    book = openpyxl.load_workbook(io.BytesIO(pack))
    for row in book["Meta"].iter_rows(min_row=2):
        if (row[8].value, row[9].value) == (use_case_id, field_path):
            return f"{row[10].value}!{row[11].value}"
    raise KeyError(field_path)


def _edit(pack: bytes, edits: dict[str, object]) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(pack))
    for reference, value in edits.items():
        sheet, coordinate = reference.split("!")
        book[sheet][coordinate].value = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _first_formula(pack: bytes, sheet: str) -> str:
    book = openpyxl.load_workbook(io.BytesIO(pack))
    cell = next(cell for row in book[sheet].iter_rows() for cell in row
                if isinstance(cell.value, str) and cell.value.startswith("=") and cell.column == 2)
    return f"{sheet}!{cell.coordinate}"


def _button(at, label: str):
    return next(button for button in at.button if button.label == label)


def test_every_bad_cell_is_reported_each_with_sheet_and_cell(store: Store, sample_id: str) -> None:
    loaded = store.load(sample_id)
    pack = build_pack(loaded, [CHATBOT, INVOICES])
    adoption = _input_cell(pack, CHATBOT, "roi.adoption")
    volume = _input_cell(pack, INVOICES, "roi.volume_cases_per_month")
    data = _input_cell(pack, CHATBOT, "scoring.data_availability")
    edited = _edit(pack, {adoption: 1.5, volume: "viele", data: -0.2})
    with pytest.raises(PackRejected) as caught:
        read_pack(edited, loaded)
    problems = caught.value.problems
    assert len(problems) == 3
    for reference in (adoption, volume, data):
        assert sum(problem.startswith(reference) for problem in problems) == 1, (reference, problems)

    at = open_page(PAGE)
    at.file_uploader[0].set_value(("finance.xlsx", edited, XLSX)).run()
    assert not at.exception
    text = shown(at.error[0].value)
    assert text.startswith("'finance.xlsx' was not read: 3 cells")
    assert all(reference in text for reference in (adoption, volume, data))


def test_one_bad_cell_reads_as_before(store: Store, sample_id: str) -> None:
    loaded = store.load(sample_id)
    pack = build_pack(loaded, [CHATBOT])
    adoption = _input_cell(pack, CHATBOT, "roi.adoption")
    with pytest.raises(PackRejected, match="out of range") as caught:
        read_pack(_edit(pack, {adoption: 1.5}), loaded)
    assert len(caught.value.problems) == 1 and caught.value.problems[0].startswith(adoption)


def _sheets(language: str) -> tuple[str, str]:
    """The Summary and the first Decision sheet as a pack of ``language`` names them (German: Übersicht, E1_…)."""
    return ("Übersicht", f"E1_{CHATBOT}") if language == "de" else ("Summary", f"D1_{CHATBOT}")


@pytest.mark.parametrize("language", ["en", "de"])
def test_ignored_edits_are_named_with_their_reason(store: Store, sample_id: str, language: str) -> None:
    loaded = store.load(sample_id)
    pack = build_pack(loaded, [CHATBOT], language=language)
    assert ignored_edits(pack, loaded, read_pack(pack, loaded)).total == 0
    summary, decision = _sheets(language)
    formula = _first_formula(pack, decision)
    edited = _edit(pack, {f"{summary}!C2": "Portfolio 2027", formula: 123.0, f"{decision}!H3": "Notiz"})
    diff = read_pack(edited, loaded)
    assert diff.is_empty
    found = {(edit.sheet + "!" + edit.cell, edit.reason) for edit in ignored_edits(edited, loaded, diff).edits}
    assert found == {(f"{summary}!C2", "workspace_renamed"), (formula, "formula_replaced"),
                     (f"{decision}!H3", "cell_filled")}


@pytest.mark.skipif(soffice_path() is None, reason="soffice (LibreOffice) is not installed")
def test_a_pack_saved_by_libreoffice_has_no_ignored_edits(store: Store, sample_id: str) -> None:
    loaded = store.load(sample_id)
    saved = recalculate(build_pack(loaded, [CHATBOT], language="de"))
    assert ignored_edits(saved, loaded, read_pack(saved, loaded)).total == 0


@pytest.mark.parametrize("pack_language", ["en", "de"])
def test_the_page_says_which_edits_it_ignored_and_why(store: Store, sample_id: str, pack_language: str) -> None:
    # AppTest formats the page's select boxes in English after an upload, so the page runs in English here; the
    # German texts are the catalogue's (tests/pages/test_catalogs.py checks every key has both).
    only_ignored, reason = "changes no input the workbench reads back", "The workspace is renamed in the workbench"
    language = pack_language
    pack = build_pack(store.load(sample_id), [CHATBOT], language=language)
    summary, decision = _sheets(language)
    formula = _first_formula(pack, decision)
    edited = _edit(pack, {f"{summary}!C2": "Portfolio 2027", formula: 123.0})
    at = open_page(PAGE)
    at.file_uploader[0].set_value(("finance.xlsx", edited, XLSX)).run()
    assert_clean(at)
    infos = " ".join(shown(info.value) for info in at.info)
    assert only_ignored in infos and "holds no changed inputs" not in infos
    assert any("2" in warning.value for warning in at.warning)
    table = next(frame.value for frame in at.dataframe if len(frame.value) == 2)
    cells = table.iloc[:, 0].tolist()
    assert sorted(cells) == sorted([f"{summary}!C2", formula])
    assert any(text.startswith(reason) for text in table.iloc[:, 1])
    assert "Portfolio 2027" in table.iloc[:, 2].tolist()


def test_only_the_ticked_changes_are_applied_and_audited(store: Store, sample_id: str) -> None:
    loaded = store.load(sample_id)
    pack = build_pack(loaded, [CHATBOT])
    edited = _edit(pack, {_input_cell(pack, CHATBOT, "roi.adoption"): 0.5,
                          _input_cell(pack, CHATBOT, "roi.run_cost_eur_per_month"): 16_500})
    at = open_page(PAGE)
    at.file_uploader[0].set_value(("pack.xlsx", edited, XLSX)).run()
    assert_clean(at)
    assert _button(at, "Apply 2 change(s)")
    editor = "w.export.pick.0"
    # AppTest cannot click a data_editor cell: seed what unticking the first row (adoption) leaves behind.
    at.session_state[editor] = {"edited_rows": {0: {"apply": False}}, "added_rows": [], "deleted_rows": []}
    at.run()
    _button(at, "Apply 1 change(s)").click().run()
    assert_clean(at)
    stored = store.get_use_case(sample_id, CHATBOT)[0]
    assert (stored.roi.adoption, stored.roi.run_cost_eur_per_month) == (0.62, 16_500)
    applied = [(entry.field_path, entry.actor) for entry in store.audit(sample_id, CHATBOT)
               if entry.action == "apply_changes"]
    assert [field for field, _ in applied] == ["roi.run_cost_eur_per_month"]


def test_unticking_every_change_saves_nothing(store: Store, sample_id: str) -> None:
    loaded = store.load(sample_id)
    pack = build_pack(loaded, [CHATBOT])
    edited = _edit(pack, {_input_cell(pack, CHATBOT, "roi.adoption"): 0.5})
    at = open_page(PAGE)
    at.file_uploader[0].set_value(("pack.xlsx", edited, XLSX)).run()
    editor = "w.export.pick.0"
    at.session_state[editor] = {"edited_rows": {0: {"apply": False}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert _button(at, "Apply 0 change(s)").disabled
    assert store.get_use_case(sample_id, CHATBOT)[0].roi.adoption == 0.62


def test_a_pack_written_before_workspace_schema_3_still_reads(tmp_path) -> None:
    # Written at commit 0436bbd (workspace schema 2, pack format 2) from tests/fixtures/workbench_v4_unscored.db.
    copy = tmp_path / "workbench.db"
    shutil.copy(ROOT / "tests" / "fixtures" / "workbench_v4_unscored.db", copy)
    store = Store(f"sqlite:///{copy}")
    try:
        loaded = store.load(store.workspace_id_by_name(SAMPLE))
        pack = (ROOT / "tests" / "fixtures" / "pack_schema2_format2.xlsx").read_bytes()
        diff = read_pack(pack, loaded)
        assert diff.is_empty
        edited = _edit(pack, {_input_cell(pack, CHATBOT, "roi.adoption"): 0.5})
        assert [(c.field_path, c.old, c.new) for c in read_pack(edited, loaded).changes] == [
            ("roi.adoption", 0.62, 0.5)]
    finally:
        store.dispose()


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_audit_trail_grown_since_the_export_is_no_ignored_edit(store: Store, sample_id: str, language: str):
    pack = build_pack(store.load(sample_id), [CHATBOT], language=language,
                      audit_entries=store.audit(sample_id, coalesce=True))
    store.record_gate_decision(sample_id, CHATBOT, "poc_to_pilot", "go", [], actor="A. Weber")
    loaded = store.load(sample_id)
    assert ignored_edits(pack, loaded, read_pack(pack, loaded)).total == 0


def test_a_cash_flow_or_actuals_sheet_belongs_to_its_decision_sheet_in_either_language():
    from core.excel.names import decision_sheet_of

    assert decision_sheet_of("CF1_uc7", {"D1_uc7"}) == "D1_uc7"
    assert decision_sheet_of("CF1_uc7", {"E1_uc7"}) == "E1_uc7"  # German: the same CF prefix, an E sheet
    assert decision_sheet_of("IST2_x", {"E1_y", "E2_x"}) == "E2_x"
    assert decision_sheet_of("AC2_x", {"D2_x"}) == "D2_x" and decision_sheet_of("Summary", {"D1_x"}) == ""
