"""LibreOffice recalculates every pack formula; its figures must equal the ones the core stored."""

import io

import openpyxl
import pytest

from core.excel_export import FIXED_SHEETS, build_pack
from core.excel_import import read_pack, updated_use_case
from tests.core.excel_oracle import (
    FakeLoaded,
    formula_cells,
    mismatches,
    recalculate,
    sample_loaded,
    soffice_path,
    stored_values,
)

pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.skipif(soffice_path() is None, reason="soffice (LibreOffice, package libreoffice-calc-nogui) is not "
                       "installed: the independent recalculation oracle cannot run"),
]
SELECTED = ("support-chatbot", "invoice-extraction", "hr-policy-assistant", "no-run-cost", "quality-inspection")


def test_libreoffice_recalculation_matches_every_stored_result():
    loaded = sample_loaded()
    data = build_pack(loaded, author="Oracle", use_case_ids=SELECTED)
    formulas = formula_cells(data)
    assert len(formulas) > 400
    assert {sheet for sheet, _ in formulas} >= {"Summary", "Assumptions", *(f"D{i}_{uc}" for i, uc in
                                                                            enumerate(SELECTED, 1))}
    expected = stored_values(data, set(formulas))
    recalculated = stored_values(recalculate(data), set(formulas))
    assert mismatches(expected, recalculated) == []


def _input_cell(book, name: str):
    sheet, coordinate = next(book.defined_names[name].destinations)
    return book[sheet][coordinate.replace("$", "")]


def test_changed_inputs_recalculate_to_the_core_figures_on_the_same_inputs():
    loaded = sample_loaded()
    data = build_pack(loaded, use_case_ids=SELECTED)
    edits = {
        "support-chatbot": {"roi.adoption": 0.31, "scoring.data_availability": 0.15, "roi.volume_cases_per_month": 7.5},
        "invoice-extraction": {"roi.run_cost_eur_per_month": 0.0, "scenarios.0.adoption": None},
        "no-run-cost": {"roi.run_cost_eur_per_month": 1_234.5, "scenarios.1.minutes_saved_per_case": 0.1},
        "quality-inspection": {"scoring.integration_effort": 1.0, "roi.minutes_saved_per_case": 0.0},
    }
    book = openpyxl.load_workbook(io.BytesIO(data))
    meta = book["Meta"]
    cells = {(row[8].value, row[9].value): (row[10].value, row[11].value)
             for row in meta.iter_rows(min_row=2) if row[8].value}
    for use_case_id, changes in edits.items():
        for path, value in changes.items():
            sheet, coordinate = cells[use_case_id, path]
            book[sheet][coordinate].value = value
    assert _input_cell(book, "UC1_adoption").value == 0.31
    edited = io.BytesIO()
    book.save(edited)

    use_cases = [updated_use_case(use_case, edits.get(use_case.id, {})) for use_case in loaded.workspace.use_cases]
    changed = FakeLoaded(loaded.id, loaded.workspace.model_copy(update={"use_cases": tuple(use_cases)}),
                         loaded.versions)
    reference = build_pack(changed, use_case_ids=SELECTED)
    reference_formulas = formula_cells(reference)
    decision = {key for key in reference_formulas if key[0] not in FIXED_SHEETS}
    assert len(decision) > 300
    expected = stored_values(reference, decision)
    saved_by_libreoffice = recalculate(edited.getvalue())
    recalculated = stored_values(saved_by_libreoffice, decision)
    assert mismatches(expected, recalculated) == []
    assert expected != stored_values(data, decision)

    diff = read_pack(saved_by_libreoffice, loaded)
    read_back = {(change.use_case_id, change.field_path): change.new for change in diff.changes}
    assert read_back == {(use_case_id, path): value for use_case_id, changes in edits.items()
                         for path, value in changes.items()}


def test_german_pack_recalculates_to_its_stored_results_and_reads_back():
    loaded = sample_loaded()
    data = build_pack(loaded, author="Orakel", use_case_ids=SELECTED, language="de")
    formulas = formula_cells(data)
    assert len(formulas) > 400
    expected = stored_values(data, set(formulas))
    assert "bestanden" in expected.values() and "Quick Win" in expected.values()
    saved_by_libreoffice = recalculate(data)
    assert mismatches(expected, stored_values(saved_by_libreoffice, set(formulas))) == []
    assert read_pack(saved_by_libreoffice, loaded).is_empty
