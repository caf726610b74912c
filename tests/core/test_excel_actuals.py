"""S22 Actuals sheet: one per use case with a Decision sheet, plan vs actual as live formulas against the Cash flow
sheet that LibreOffice recalculates to the core's figures, also after a new measurement is typed into an empty
row; that row comes back through the reviewed diff as a new measurement."""

import io
from datetime import date, datetime

import openpyxl
import pytest

from core.excel import PackRejected, build_pack, read_pack
from core.excel.reader import updated_use_case
from core.excel.sheets.actuals import COL, FIRST_ROW, PARAMETER_ROW, SUMMARY_ROWS, SUMMARY_VALUE_COLUMN
from core.plan_vs_actual import plan_vs_actual
from tests.core.excel_oracle import formula_cells, mismatches, recalculate, sample_loaded, soffice_path, stored_values

SELECTED = ["support-chatbot", "meeting-minutes", "hr-policy-assistant"]
needs_soffice = pytest.mark.skipif(soffice_path() is None, reason="LibreOffice (soffice) is not installed")


def _summary(book, sheet: str) -> dict[str, object]:
    return {key: book[sheet].cell(PARAMETER_ROW + offset + 1, SUMMARY_VALUE_COLUMN + 1).value
            for offset, (key, _) in enumerate(SUMMARY_ROWS)}


def _add_row(book, sheet: str, offset: int, day: date, **values) -> None:
    row = FIRST_ROW + offset + 1
    columns = {"adoption": "adoption", "minutes_saved_per_case": "minutes", "run_cost_eur_per_month": "run",
               "volume_cases_per_month": "volume", "error_rate_reduction": "error"}
    book[sheet].cell(row, COL["day"] + 1).value = datetime(day.year, day.month, day.day)
    book[sheet].cell(row, COL["source"] + 1).value = "Excel"
    for name, value in values.items():
        book[sheet].cell(row, COL[columns[name]] + 1).value = value


def test_every_use_case_with_a_decision_sheet_has_an_actuals_sheet():
    data = build_pack(sample_loaded(), use_case_ids=SELECTED)
    names = openpyxl.load_workbook(io.BytesIO(data), read_only=True).sheetnames
    assert [name for name in names if name.startswith("AC")] == [
        "AC1_support-chatbot", "AC2_meeting-minutes", "AC3_hr-policy-assistant"]
    assert names.index("AC1_support-chatbot") == names.index("CF1_support-chatbot") + 1


@needs_soffice
def test_libreoffice_recalculates_the_actuals_to_the_core_figures():
    loaded = sample_loaded()
    data = build_pack(loaded, use_case_ids=SELECTED, language="de")
    # The German pack's Actuals sheets are "IST<n>_<id>" (Ist-Werte).
    formulas = {key: value for key, value in formula_cells(data).items() if key[0].startswith("IST")}
    assert len(formulas) > 500
    expected = stored_values(data, set(formulas))
    assert mismatches(expected, stored_values(recalculate(data), set(formulas)), frozenset()) == []
    # The stored summary is the core's: meeting minutes behind plan at 58.3 % of the planned value (S22).
    book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    minutes = loaded.workspace.use_case("meeting-minutes")
    core = plan_vs_actual([minutes], loaded.workspace.thresholds)
    summary = _summary(book, "IST2_meeting-minutes")
    assert summary["months"] == 2 and summary["behind"] is True
    assert summary["share"] == pytest.approx(core.value_share[0]) == pytest.approx(0.583333, abs=1e-6)
    assert summary["cum_variance"] == pytest.approx(core.cumulative_variance_eur[0])


@needs_soffice
def test_a_new_row_recalculates_like_the_core_and_reads_back_as_a_new_measurement():
    loaded = sample_loaded()
    data = build_pack(loaded, use_case_ids=SELECTED)
    book = openpyxl.load_workbook(io.BytesIO(data))
    chatbot = loaded.workspace.use_case("support-chatbot")
    count = len(chatbot.measurements)
    # Plan months 3 and 4 (from 1 February 2026), the 30th of April is month 3, 31 May month 4.
    _add_row(book, "AC1_support-chatbot", count, date(2026, 4, 30), adoption=0.05)
    _add_row(book, "AC1_support-chatbot", count + 1, date(2026, 5, 31), adoption=0.06, run_cost_eur_per_month=19_000.0)
    edited = io.BytesIO()
    book.save(edited)

    diff = read_pack(edited.getvalue(), loaded)
    assert [(change.field_path, change.old) for change in diff.changes] == [
        (f"measurements.{count}", None), (f"measurements.{count + 1}", None)]
    assert diff.changes[0].new == {"measured_on": "2026-04-30", "source": "Excel", "adoption": 0.05}
    updated = updated_use_case(chatbot, {change.field_path: change.new for change in diff.changes})
    assert updated.measurements[-1].run_cost_eur_per_month == 19_000.0

    core = plan_vs_actual([updated], loaded.workspace.thresholds)
    assert core.behind_plan.tolist() == [True]  # shares 0.64 and 0.50 at months 3 and 4
    after = openpyxl.load_workbook(io.BytesIO(recalculate(edited.getvalue())), data_only=True)
    summary = _summary(after, "AC1_support-chatbot")
    assert summary["months"] == 4 and summary["behind"] is True
    assert summary["share"] == pytest.approx(core.value_share[0], rel=1e-9)
    assert summary["cum_variance"] == pytest.approx(core.cumulative_variance_eur[0], rel=1e-9)
    assert summary["cum_variance_pct"] == pytest.approx(core.cumulative_variance_pct[0], rel=1e-9)
    rows = core.case_rows(0)
    sheet = after["AC1_support-chatbot"]
    last = FIRST_ROW + count + 2
    assert sheet.cell(last, COL["variance"] + 1).value == pytest.approx(rows["variance_eur"][-1], rel=1e-9)
    assert sheet.cell(last, COL["month"] + 1).value == 4


def test_a_new_row_without_a_date_is_refused_naming_its_cells():
    loaded = sample_loaded()
    book = openpyxl.load_workbook(io.BytesIO(build_pack(loaded, use_case_ids=SELECTED)))
    count = len(loaded.workspace.use_case("support-chatbot").measurements)
    book["AC1_support-chatbot"].cell(FIRST_ROW + count + 1, COL["adoption"] + 1).value = 0.4
    edited = io.BytesIO()
    book.save(edited)
    with pytest.raises(PackRejected, match=r"AC1_support-chatbot!E\d+: a new measurement needs its date"):
        read_pack(edited.getvalue(), loaded)


def test_a_pack_without_changes_has_no_diff():
    loaded = sample_loaded()
    assert read_pack(build_pack(loaded, use_case_ids=SELECTED), loaded).is_empty

