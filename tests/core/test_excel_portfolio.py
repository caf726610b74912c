"""The pack's Portfolio sheet (S20): funded flags, live totals and checks, the reader's plan, LibreOffice's figures."""

import io
import math

import openpyxl
import pytest

from core.excel import PackRejected, build_pack, read_pack
from core.excel.sheets.portfolio import HEADER_ROW
from core.models import PlanBudgets, SavedPlan
from core.portfolio import Budgets, plan_portfolio
from core.portfolio_workspace import default_budgets, portfolio_items, saved_plan
from tests.core.excel_oracle import recalculate, sample_loaded, soffice_path

FIRST = HEADER_ROW + 2  # 1-based row of the first use case
COLUMNS = {"id": "A", "eligible": "E", "funded": "F", "npv": "G", "investment": "H", "run": "I", "capacity": "J",
           "needs_met": "M"}
TOTAL, LIMIT, CHECK, INELIGIBLE, MUST, NEEDS, ALLOWED = 4, 5, 6, 8, 9, 10, 11


@pytest.fixture(scope="module")
def loaded():
    return sample_loaded()


@pytest.fixture(scope="module")
def items(loaded):
    return portfolio_items(loaded.workspace)


def rows_by_id(sheet, count: int) -> dict[str, int]:
    return {sheet[f"A{row}"].value: row for row in range(FIRST, FIRST + count)}


def funded_flags(sheet, count: int) -> dict[str, float]:
    return {sheet[f"A{row}"].value: sheet[f"F{row}"].value for row in range(FIRST, FIRST + count)}


def test_every_use_case_with_the_optimal_plan_at_the_default_budget_and_its_totals(loaded, items):
    data = build_pack(loaded)
    values = openpyxl.load_workbook(io.BytesIO(data), data_only=True)["Portfolio"]
    formulas = openpyxl.load_workbook(io.BytesIO(data))["Portfolio"]
    budgets = default_budgets(items)
    plan = plan_portfolio(items, budgets)
    assert [values[f"A{row}"].value for row in range(FIRST, FIRST + len(items))] == [item.id for item in items]
    assert funded_flags(values, len(items)) == {item.id: float(item.id in plan.chosen_ids) for item in items}
    # Stored results of the live totals are the core's figures of the plan (S20 totals, S19 NPV).
    assert values[f"F{TOTAL}"].value == len(plan.chosen_ids)
    assert values[f"G{TOTAL}"].value == pytest.approx(plan.npv_eur, rel=1e-12)
    assert values[f"H{TOTAL}"].value == pytest.approx(plan.investment_eur, rel=1e-12)
    assert values[f"I{TOTAL}"].value == pytest.approx(plan.run_cost_eur_per_month, rel=1e-12)
    assert values[f"J{TOTAL}"].value == pytest.approx(plan.capacity_person_months, rel=1e-12)
    assert formulas[f"G{TOTAL}"].value == f"=SUMPRODUCT($F${FIRST}:$F${FIRST + len(items) - 1},"\
                                          f"$G${FIRST}:$G${FIRST + len(items) - 1})"
    assert values[f"H{LIMIT}"].value == budgets.investment_eur and values[f"I{LIMIT}"].value is None
    assert [values[f"{col}{CHECK}"].value for col in "HIJ"] == ["OK", "no limit", "no limit"]
    assert [values[f"F{row}"].value for row in (INELIGIBLE, MUST, NEEDS)] == [0, 0, 0]
    assert values[f"F{ALLOWED}"].value == "yes"
    assert values["G13"].value == pytest.approx(plan.npv_eur) and values["G14"].value == pytest.approx(0.0)
    hr = rows_by_id(values, len(items))["hr-policy-assistant"]
    assert values[f"E{hr}"].value == "no"  # high risk, DPIA triggers not assessed (S11, S20)
    assert formulas[f"F{FIRST}"].protection.locked is False and formulas[f"G{FIRST}"].protection.locked is True


def test_german_pack_keeps_the_sheet_name_and_translates_the_labels(loaded):
    book = openpyxl.load_workbook(io.BytesIO(build_pack(loaded, language="de")), data_only=True)
    sheet = book["Portfolio"]
    assert sheet["A1"].value == "Portfolioplan (S20)"
    assert sheet[f"F{HEADER_ROW + 1}"].value == "Finanziert (1/0)"
    assert sheet[f"F{ALLOWED}"].value == "ja" and sheet[f"H{CHECK}"].value == "OK"


def test_a_saved_plan_sets_flags_and_limits(loaded, items):
    chosen = ("support-chatbot", "quality-inspection")
    plan = saved_plan("Budget 2027 – base", items, Budgets(investment_eur=300_000, capacity_person_months=12),
                      chosen)
    sheet = openpyxl.load_workbook(io.BytesIO(build_pack(loaded, plan=plan)), data_only=True)["Portfolio"]
    assert {key for key, flag in funded_flags(sheet, len(items)).items() if flag} == set(chosen)
    assert sheet[f"H{LIMIT}"].value == 300_000 and sheet[f"J{LIMIT}"].value == 12
    # 120 k€ + 225 k€ = 345 k€ > 300 k€; 9 + 10 = 19 PM > 12 PM: both over, the plan is not allowed.
    assert [sheet[f"{col}{CHECK}"].value for col in "HIJ"] == ["over the limit", "no limit", "over the limit"]
    assert sheet[f"F{ALLOWED}"].value == "no"


def _edited(data: bytes, flags: dict[str, int | None], limits: dict[str, float | None]) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book["Portfolio"]
    rows = rows_by_id(sheet, sheet.max_row - FIRST + 1)
    for use_case_id, flag in flags.items():
        sheet[f"F{rows[use_case_id]}"].value = flag
    for column, value in limits.items():
        sheet[f"{column}{LIMIT}"].value = value
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_reader_returns_the_edited_flags_and_limits_as_a_plan(loaded, items):
    data = build_pack(loaded)
    unchanged = read_pack(data, loaded)
    assert unchanged.is_empty and unchanged.plan is not None and not unchanged.plan.changed
    exported = set(unchanged.plan.exported_ids)
    edited = _edited(data, {"quality-inspection": 1, "demand-forecasting": 0}, {"I": 40_000.0})
    diff = read_pack(edited, loaded)
    assert not diff.changes and not diff.is_empty
    assert diff.plan.added == ("quality-inspection",) and diff.plan.removed == ("demand-forecasting",)
    assert set(diff.plan.funded_ids) == exported - {"demand-forecasting"} | {"quality-inspection"}
    assert diff.plan.budgets == {"investment_eur": default_budgets(items).investment_eur,
                                 "run_budget_eur_per_month": 40_000.0, "capacity_person_months": None}
    assert diff.plan.exported_budgets["run_budget_eur_per_month"] is None
    assert len(diff.plan.cells) == 3
    document = saved_plan("From Excel", items, PlanBudgets(**diff.plan.budgets), diff.plan.funded_ids,
                          source="excel")
    assert isinstance(document, SavedPlan) and document.source == "excel"


@pytest.mark.parametrize(("flags", "limits", "message"), [
    ({"support-chatbot": 2}, {}, r"Portfolio!F\d+ \(portfolio\.funded\): 2 is not a funded flag"),
    ({"support-chatbot": None}, {}, r"Portfolio!F\d+ \(portfolio\.funded\): the input is empty"),
    ({}, {"H": None}, r"Portfolio!H5 \(portfolio\.budgets\.investment_eur\): the input is empty"),
    ({}, {"J": -1.0}, r"Portfolio!J5 .*at least 0"),
])
def test_reader_refuses_flags_other_than_1_or_0_and_a_missing_investment_limit(loaded, flags, limits, message):
    with pytest.raises(PackRejected, match=message):
        read_pack(_edited(build_pack(loaded), flags, limits), loaded)


def test_a_pack_from_before_the_portfolio_sheet_still_reads_and_a_current_one_needs_it(loaded, monkeypatch):
    book = openpyxl.load_workbook(io.BytesIO(build_pack(loaded, top_n=1)))
    del book["Portfolio"]
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(PackRejected, match="Sheet 'Portfolio' is missing"):
        read_pack(buffer.getvalue(), loaded)
    from core.excel import pack
    from core.excel.sheets import matrix, portfolio, summary

    monkeypatch.setattr(pack, "SHEETS_BEFORE_DECISIONS", (summary.SHEET, matrix.SHEET))
    monkeypatch.setattr(portfolio, "input_cells", lambda figures: [])
    old = build_pack(loaded, top_n=1)
    assert "Portfolio" not in openpyxl.load_workbook(io.BytesIO(old), read_only=True).sheetnames
    diff = read_pack(old, loaded)
    assert diff.is_empty and diff.plan is None


@pytest.mark.libreoffice
@pytest.mark.skipif(soffice_path() is None, reason="soffice (LibreOffice) is not installed: no recalculation oracle")
def test_libreoffice_totals_and_checks_follow_toggled_flags(loaded, items):
    # Fund quality-inspection (NPV < 0) and hr-policy-assistant (high risk, DPIA not assessed: ineligible), drop
    # ticket-classification, which email-triage needs; cap capacity at 20 PM.
    data = build_pack(loaded)
    before = openpyxl.load_workbook(io.BytesIO(data), data_only=True)["Portfolio"]
    flags = {key: int(value) for key, value in funded_flags(before, len(items)).items()}
    flags.update({"quality-inspection": 1, "hr-policy-assistant": 1, "ticket-classification": 0, "email-triage": 1})
    recalculated = recalculate(_edited(data, flags, {"J": 20.0}))
    sheet = openpyxl.load_workbook(io.BytesIO(recalculated), data_only=True)["Portfolio"]
    funded = [item for item in items if flags[item.id]]
    assert sheet[f"F{TOTAL}"].value == len(funded)
    for column, attribute in (("G", "npv_eur"), ("H", "investment_eur"), ("I", "run_cost_eur_per_month"),
                              ("J", "capacity_person_months")):
        expected = math.fsum(getattr(item, attribute) for item in funded)
        assert sheet[f"{column}{TOTAL}"].value == pytest.approx(expected, rel=1e-9), column
    capacity = math.fsum(item.capacity_person_months for item in funded)
    assert capacity > 20
    investment = math.fsum(item.investment_eur for item in funded)
    assert sheet[f"H{CHECK}"].value == ("OK" if investment <= default_budgets(items).investment_eur
                                        else "over the limit")
    assert sheet[f"J{CHECK}"].value == "over the limit"
    assert sheet[f"F{INELIGIBLE}"].value == 1 and sheet[f"F{NEEDS}"].value == 1 and sheet[f"F{MUST}"].value == 0
    assert sheet[f"F{ALLOWED}"].value == "no"
    email = rows_by_id(sheet, len(items))["email-triage"]
    assert sheet[f"M{email}"].value == "no"
    diff = read_pack(recalculated, loaded)
    assert set(diff.plan.funded_ids) == {item.id for item in funded}
    assert diff.plan.budgets["capacity_person_months"] == 20.0
