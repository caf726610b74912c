import io
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

import core.excel
from core.excel import FIXED_SHEETS, build_pack
from core.excel.names import META_INPUT_COLUMN, META_INPUT_HEADER, META_USE_CASE_COLUMN, meta_cell
from core.excel.pack import SHEETS_AFTER_DECISIONS, SHEETS_BEFORE_DECISIONS
from tests.core.excel_oracle import make_loaded, make_use_case


def test_pack_lists_exactly_the_fixed_sheets_the_reader_checks():
    specs = (*SHEETS_BEFORE_DECISIONS, *SHEETS_AFTER_DECISIONS)
    assert [spec.name for spec in specs] == list(FIXED_SHEETS)
    book = openpyxl.load_workbook(io.BytesIO(build_pack(make_loaded([make_use_case("uc-a")]))), read_only=True)
    assert book.sheetnames == [*(spec.name for spec in SHEETS_BEFORE_DECISIONS), "D1_uc-a", "CF1_uc-a", "AC1_uc-a",
                               *(spec.name for spec in SHEETS_AFTER_DECISIONS)]


def test_meta_cell_names_the_a1_address_the_reader_reports():
    assert meta_cell(0, META_USE_CASE_COLUMN) == "Meta!D1"
    assert meta_cell(1, META_INPUT_COLUMN + META_INPUT_HEADER.index("exported_value")) == "Meta!M2"
    assert meta_cell(6, 1) == "Meta!B7"
    assert meta_cell(0, 25) == "Meta!Z1" and meta_cell(0, 26) == "Meta!AA1" and meta_cell(9, 701) == "Meta!ZZ10"


def test_building_a_pack_does_not_load_openpyxl_and_reading_one_not_xlsxwriter():
    script = ("import sys; from core.excel import {name}; "
              "print(sorted(module for module in ('openpyxl', 'xlsxwriter') if module in sys.modules))")
    root = Path(__file__).resolve().parents[2]

    def loaded_by(name: str) -> str:
        return subprocess.run([sys.executable, "-c", script.format(name=name)], capture_output=True, text=True,
                              check=True, cwd=root).stdout.strip()

    assert loaded_by("build_pack") == "['xlsxwriter']"  # openpyxl would add 9 MB to the pack's peak RSS
    assert loaded_by("read_pack") == "['openpyxl']"
    assert sorted(core.excel.__all__) == sorted(core.excel._HOMES)


def test_plain_formulas_skip_xlsxwriters_future_function_search_and_others_keep_it():
    import xlsxwriter

    from core.excel.writer import PackWorksheet

    workbook = xlsxwriter.Workbook(io.BytesIO(), {"in_memory": True})
    sheet = workbook.add_worksheet("S", worksheet_class=PackWorksheet)
    assert sheet._prepare_formula('=IFERROR(IRR(E1:E9,0.1),"n/a")') == 'IFERROR(IRR(E1:E9,0.1),"n/a")'
    assert sheet._prepare_formula("{=SUM(A1:A3*B1:B3)}") == "SUM(A1:A3*B1:B3)"
    # A function outside the plain set goes through XlsxWriter, which prefixes the newer ones.
    assert sheet._prepare_formula("=XLOOKUP(A1,B1:B3,C1:C3)") == "_xlfn.XLOOKUP(A1,B1:B3,C1:C3)"
    assert sheet._prepare_formula("=IF(A1>0,SORT(B1:B3),0)") == "IF(A1>0,_xlfn._xlws.SORT(B1:B3),0)"
    sheet.write_formula_row(3, 1, ["=A4*2", "=B4-A4"], [None, None], [2.0, 1.0])
    assert [sheet.table[3][col].formula for col in (1, 2)] == ["A4*2", "B4-A4"]
    assert (sheet.dim_rowmax, sheet.dim_colmax) == (3, 2)
    with pytest.raises(ValueError, match="outside the sheet"):
        sheet.write_formula_row(1_048_576, 0, ["=1"], [None], [1.0])
    workbook.close()
