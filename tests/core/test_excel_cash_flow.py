"""The S19 Cash flow sheets of the pack, the business-case inputs on the Decision sheet, Summary's NPV columns, and
reading the new inputs (and packs of the previous format) back."""

import io
import math
from pathlib import Path

import openpyxl
import pytest

from core.business_case import BusinessCaseTerms, business_case, portfolio_business_case, use_case_business_case
from core.excel import FieldChange, PackRejected, build_pack, read_pack
from core.excel.names import PACK_FORMAT_VERSION, cash_flow_sheet_name, decision_sheet_name
from core.excel.sheets.cash_flow import FIRST_MONTH_ROW, result_refs
from core.models import MAX_HORIZON_MONTHS, SCHEMA_VERSION, BusinessCase, CostBlock
from core.store import LoadedWorkspace
from tests.core.conftest import S15_BASE
from tests.core.excel_oracle import make_loaded, make_use_case, sample_loaded, scaled_scoring
from tests.core.test_excel_import import _edit

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CHATBOT = "support-chatbot"
# S19 worked example: S15 base, C0 = 120,000 € (one-time amounts 25,000 + 60,000 + 15,000 + 20,000 in the sample),
# R = 6 linear, H = 36, g = 0, i = 8 %: NPV 1,355,448.04 €, IRR 22.124 % per month, payback month 6, ROI 2.02625.
WORKED_NPV, WORKED_IRR, WORKED_PAYBACK, WORKED_ROI = 1_355_448.04, 0.22124, 6, 2.02625
S16_WORST = S15_BASE.model_copy(update={"adoption": 0.25, "minutes_saved_per_case": 0.8})


def _books(data: bytes):
    return (openpyxl.load_workbook(io.BytesIO(data), data_only=False),
            openpyxl.load_workbook(io.BytesIO(data), data_only=True))


def _result(values, sheet: str, key: str):
    return values[sheet][result_refs(sheet)[key].split("!")[1].replace("$", "")].value


def _row_of(sheet, label: str) -> int:
    return next(row[0].row for row in sheet.iter_rows(min_col=1, max_col=1) if row[0].value == label)


def last_row(first: int) -> int:
    return first + MAX_HORIZON_MONTHS


def _input_cells(data: bytes) -> dict[tuple[str, str], str]:
    meta = openpyxl.load_workbook(io.BytesIO(data))["Meta"]
    return {(row[8].value, row[9].value): f"{row[10].value}!{row[11].value}" for row in meta.iter_rows(min_row=2)
            if row[8].value}


@pytest.fixture(scope="module")
def sample_pack():
    loaded = sample_loaded()
    return loaded, build_pack(loaded, use_case_ids=[CHATBOT, "invoice-extraction", "no-run-cost"])


def test_the_chatbot_cash_flow_sheet_stores_the_s19_worked_example(sample_pack):
    _, data = sample_pack
    formulas, values = _books(data)
    sheet = cash_flow_sheet_name(1, CHATBOT)
    assert _result(values, sheet, "npv") == pytest.approx(WORKED_NPV, abs=0.005)
    assert _result(values, sheet, "irr_monthly") == pytest.approx(WORKED_IRR, abs=5e-6)
    assert _result(values, sheet, "payback_month") == WORKED_PAYBACK
    assert _result(values, sheet, "horizon_roi") == pytest.approx(WORKED_ROI, abs=5e-6)
    first = FIRST_MONTH_ROW + 1
    cells = values[sheet]
    # Month 1: value 69,378 × 1/6 = 11,563 €, net 11,563 − 18,000 = −6,437 € (S19).
    assert [cells[f"{column}{first + 1}"].value for column in "ACDE"] == [1, pytest.approx(11_563),
                                                                          pytest.approx(18_000), pytest.approx(-6_437)]
    assert cells[f"E{first}"].value == -120_000
    assert [cells[f"A{first + month}"].value for month in (0, 36, MAX_HORIZON_MONTHS)] == [0, 36, 120]
    # After the horizon: no flows, the cumulative columns stay at month 36's (the core pads its arrays alike).
    assert [cells[f"{column}{first + 37}"].value for column in "BCDEG"] == [0] * 5
    assert cells[f"F{first + 37}"].value == cells[f"F{first + 36}"].value == cells[f"F{last_row(first)}"].value
    assert cells[f"H{first + 37}"].value == pytest.approx(WORKED_NPV, abs=0.005)
    table = formulas[sheet]
    last = first + MAX_HORIZON_MONTHS
    assert table[result_refs(sheet)["npv"].split("!")[1].replace("$", "")].value == f"=SUM($G${first}:$G${last})"
    irr = table[result_refs(sheet)["irr_monthly"].split("!")[1].replace("$", "")].value
    assert f"IRR($E${first}:$E${last}," in irr
    payback = table[result_refs(sheet)["payback_month"].split("!")[1].replace("$", "")].value
    assert f"MATCH(1,($A${first}:$A${last}<=$D$4)*($F${first}:$F${last}>=0),0)" in payback.text
    assert table[f"C{first + 1}"].value == f"=$D$11*B{first + 1}"
    assert table[f"B{first + 1}"].value.startswith(f"=IF(A{first + 1}>$D$4,0,")


def test_every_cash_flow_row_equals_the_core_table(sample_pack):
    loaded, data = sample_pack
    _, values = _books(data)
    workspace = loaded.workspace
    for ordinal, use_case_id in enumerate([CHATBOT, "invoice-extraction", "no-run-cost"], start=1):
        result = use_case_business_case(workspace.use_case(use_case_id), workspace.default_discount_rate_per_year)
        cells = values[cash_flow_sheet_name(ordinal, use_case_id)]
        table = result.months
        running_discounted = 0.0
        for month in range(result.horizon_months + 1):
            row = FIRST_MONTH_ROW + 1 + month
            running_discounted += table.discounted_eur[month]
            shown = [cells[f"{column}{row}"].value for column in "CDEFGH"]
            expected = [table.value_eur[month], table.run_cost_eur[month], table.net_eur[month],
                        table.cumulative_eur[month], table.discounted_eur[month], running_discounted]
            assert shown == pytest.approx(expected, rel=1e-12, abs=1e-9), (use_case_id, month)


def test_undefined_irr_and_payback_beyond_the_horizon_are_n_a():
    # S19 with the S16 worst inputs: NPV −372,135.23 €, every month's net negative, so no IRR and no payback.
    worst = make_use_case("worst", roi=S16_WORST, cost_blocks=(CostBlock(block="integration", one_time_eur=120_000),))
    data = build_pack(make_loaded([worst]), top_n=1)
    _, values = _books(data)
    sheet = cash_flow_sheet_name(1, "worst")
    assert _result(values, sheet, "npv") == pytest.approx(-372_135.23, abs=0.005)
    for key in ("irr_monthly", "irr_annual", "payback_month", "discounted_payback_month"):
        assert _result(values, sheet, key) == "n/a", key
    decision = values[decision_sheet_name(1, "worst")]
    assert decision[f"B{_row_of(decision, 'Payback (month)')}"].value == "n/a"
    assert decision[f"B{_row_of(decision, 'Investment C0 (€, paid in month 0)')}"].value == 120_000


def test_decision_sheet_holds_the_named_business_case_inputs_and_links_the_results(sample_pack):
    loaded, data = sample_pack
    formulas, values = _books(data)
    names = formulas.defined_names
    chatbot = loaded.workspace.use_case(CHATBOT)
    decision = decision_sheet_name(1, CHATBOT)
    expected = {"UC1_horizon_months": 36, "UC1_ramp_months": 6, "UC1_ramp_shape": "linear",
                "UC1_run_cost_escalation_per_year": 0, "UC1_discount_rate_per_year": None,
                "UC1_discount_rate_per_year_used": 0.08, "UC1_investment_eur": chatbot.investment_eur}
    for name, value in expected.items():
        sheet, coordinate = next(names[name].destinations)
        assert sheet == decision and values[sheet][coordinate.replace("$", "")].value == value, name
    cells = _input_cells(data)
    one_time = [path for use_case_id, path in cells if use_case_id == CHATBOT and path.endswith(".one_time_eur")]
    assert one_time == [f"cost_blocks.{index}.one_time_eur" for index in range(6)]
    sheet = formulas[decision]
    npv_row = _row_of(sheet, "NPV (€)")
    assert sheet[f"B{npv_row}"].value == f"={result_refs(cash_flow_sheet_name(1, CHATBOT))['npv']}"
    assert values[decision][f"B{npv_row}"].value == pytest.approx(WORKED_NPV, abs=0.005)
    horizon = sheet[next(names["UC1_horizon_months"].destinations)[1].replace("$", "")]
    assert horizon.protection.locked is False
    rules = {str(rule.sqref): rule for rule in sheet.data_validations.dataValidation}
    rule = rules[horizon.coordinate]
    assert (rule.type, rule.formula1, rule.formula2) == ("whole", "1", str(MAX_HORIZON_MONTHS))
    shape = rules[next(names["UC1_ramp_shape"].destinations)[1].replace("$", "")]
    assert (shape.type, shape.formula1) == ("list", '"linear,s_curve"')


def test_summary_shows_investment_npv_and_payback_for_every_use_case(sample_pack):
    loaded, data = sample_pack
    formulas, values = _books(data)
    workspace = loaded.workspace
    plans = portfolio_business_case(workspace.use_cases, workspace.default_discount_rate_per_year)
    by_id = dict(zip(plans.ids, zip(plans.investment_eur, plans.npv_eur, plans.payback_month, strict=True),
                     strict=True))
    summary, cached = formulas["Summary"], values["Summary"]
    assert [summary.cell(9, column).value for column in (13, 14, 15)] == ["Investment (€)", "NPV (€)",
                                                                         "Payback (month)"]
    rows = {cached[f"B{row}"].value: row for row in range(10, 10 + len(workspace.use_cases))}
    for use_case_id, (investment, npv, payback) in by_id.items():
        row = rows[use_case_id]
        assert cached[f"M{row}"].value == pytest.approx(investment)
        assert cached[f"N{row}"].value == pytest.approx(npv, rel=1e-12)
        assert cached[f"O{row}"].value == ("n/a" if math.isnan(payback) else payback)
    chatbot_row = rows[CHATBOT]
    assert summary[f"N{chatbot_row}"].value.startswith(f"='{decision_sheet_name(1, CHATBOT)}'!$B$")
    assert summary[f"N{rows['email-triage']}"].data_type == "n"
    total_row = next(row for row in range(1, 8) if cached[f"G{row}"].value == "Total NPV (€)")
    assert cached[f"J{total_row}"].value == pytest.approx(float(plans.npv_eur.sum()), rel=1e-12)
    assert summary[f"J{total_row}"].value == f"=SUM(N10:N{9 + len(workspace.use_cases)})"


def test_the_german_pack_labels_the_cash_flow_sheet_in_german_and_names_its_sheets_in_german():
    loaded = sample_loaded()
    german, english = (build_pack(loaded, use_case_ids=[CHATBOT], language=language) for language in ("de", "en"))
    book, values = _books(german)
    assert book.sheetnames == ["Übersicht", "Matrix", "Portfolio", f"E1_{CHATBOT}", f"CF1_{CHATBOT}",
                               f"IST1_{CHATBOT}", "Annahmen", "Audit-Trail", "Meta"]
    assert _books(english)[0].sheetnames == ["Summary", "Matrix", "Portfolio", f"D1_{CHATBOT}", f"CF1_{CHATBOT}",
                                             f"AC1_{CHATBOT}", "Assumptions", "Audit trail", "Meta"]
    cells = values[cash_flow_sheet_name(1, CHATBOT, "de")]
    texts = {cell.value for row in cells.iter_rows() for cell in row if isinstance(cell.value, str)}
    assert {"Cashflow (S19)", "Kapitalwert (€)", "Amortisation (Monat)", "Kumuliert (€)", "Monat"} <= texts
    decision = values[decision_sheet_name(1, CHATBOT, "de")]
    assert _row_of(decision, "S19 Business Case über den Horizont")
    assert read_pack(german, loaded).is_empty


def test_business_case_inputs_come_back_as_a_reviewed_diff(sample_pack):
    loaded, data = sample_pack
    cells = _input_cells(data)
    edits = {
        (CHATBOT, "business_case.horizon_months"): 48,
        (CHATBOT, "business_case.ramp_shape"): "s_curve",
        (CHATBOT, "business_case.discount_rate_per_year"): 0.1,
        (CHATBOT, "cost_blocks.1.one_time_eur"): 90_000,
        (CHATBOT, "cost_blocks.0.one_time_eur"): None,
        ("invoice-extraction", "business_case.run_cost_escalation_per_year"): 0.05,
        ("invoice-extraction", "business_case.ramp_months"): 12,
    }
    diff = read_pack(_edit(data, {cells[key]: value for key, value in edits.items()}), loaded)
    chatbot = loaded.workspace.use_case(CHATBOT)
    assert {(change.use_case_id, change.field_path): change.new for change in diff.changes} == edits
    by_path = {change.field_path: change for change in diff.changes if change.use_case_id == CHATBOT}
    assert by_path["business_case.horizon_months"] == FieldChange(CHATBOT, "business_case.horizon_months", 36, 48,
                                                                  cells[CHATBOT, "business_case.horizon_months"])
    assert isinstance(by_path["business_case.horizon_months"].new, int)
    assert by_path["business_case.discount_rate_per_year"].old is None
    assert by_path["cost_blocks.0.one_time_eur"].old == chatbot.cost_blocks[0].one_time_eur == 25_000


@pytest.mark.parametrize(("path", "value", "message"), [
    ("business_case.horizon_months", 36.5, r"is not a whole number of months"),
    ("business_case.horizon_months", 0, r"horizon_months"),
    ("business_case.ramp_months", 40, r"ramp_months: the ramp \(40 months\) must not be longer than the horizon"),
    ("business_case.ramp_shape", "quadratic", r"expected one of linear, s_curve, found 'quadratic'"),
    ("business_case.ramp_shape", None, r"the input is empty; enter linear, s_curve"),
    ("business_case.run_cost_escalation_per_year", 1.5, r"a fraction must lie between 0 and 1"),
    ("cost_blocks.2.one_time_eur", -1, r"must be at least 0"),
])
def test_bad_business_case_inputs_are_refused_naming_the_cell(sample_pack, path, value, message):
    loaded, data = sample_pack
    cell = _input_cells(data)[CHATBOT, path]
    with pytest.raises(PackRejected, match=message) as raised:
        read_pack(_edit(data, {cell: value}), loaded)
    assert cell in str(raised.value)


def test_a_pack_of_the_previous_release_is_still_read():
    # tests/fixtures/pack_format1_edited.xlsx: written by the release before S19 (schema 1, pack format 1) for the
    # sample workspace as "ws-sample", then edited: the chatbot's adoption 0.62 → 0.5, the invoice extraction's
    # worst-case adoption 0.25 → 0.3.
    assert PACK_FORMAT_VERSION == 3
    data = (FIXTURES / "pack_format1_edited.xlsx").read_bytes()
    diff = read_pack(data, sample_loaded())
    assert {(change.use_case_id, change.field_path, change.old, change.new) for change in diff.changes} == {
        (CHATBOT, "roi.adoption", 0.62, 0.5), ("invoice-extraction", "scenarios.0.adoption", 0.25, 0.3)}
    assert diff.stale_use_cases == ()


def test_a_pack_of_an_unknown_format_is_refused_with_one_sentence(sample_pack):
    loaded, data = sample_pack
    book = openpyxl.load_workbook(io.BytesIO(data))
    book["Meta"]["B4"].value = "9"
    out = io.BytesIO()
    book.save(out)
    refused = rf"Meta!B3: pack schema {SCHEMA_VERSION} / format 9 is not supported .*; export a fresh pack and enter"
    with pytest.raises(PackRejected, match=refused + r" the changes there\."):
        read_pack(out.getvalue(), loaded)


def test_a_use_case_without_cost_blocks_says_where_to_add_them():
    data = build_pack(make_loaded([make_use_case("bare", scoring=scaled_scoring(0.5))]), top_n=1)
    _, values = _books(data)
    decision = values[decision_sheet_name(1, "bare")]
    assert _row_of(decision, "No cost blocks: add them in the app to enter one-time amounts.")
    assert decision[f"B{_row_of(decision, 'Investment C0 (€, paid in month 0)')}"].value == 0
    assert not [path for _, path in _input_cells(data) if path.startswith("cost_blocks.")]


def test_an_s_curve_with_escalation_and_an_own_rate_matches_the_core():
    plan = BusinessCase(horizon_months=30, ramp_months=9, ramp_shape="s_curve", run_cost_escalation_per_year=0.1,
                        discount_rate_per_year=0.12)
    use_case = make_use_case("curve", business_case=plan,
                             cost_blocks=(CostBlock(block="data_work", one_time_eur=50_000, cost_eur_per_month=1_000),))
    data = build_pack(make_loaded([use_case]), top_n=1)
    _, values = _books(data)
    sheet = cash_flow_sheet_name(1, "curve")
    expected = business_case(S15_BASE, BusinessCaseTerms.of(use_case))
    assert _result(values, sheet, "npv") == pytest.approx(expected.npv_eur, rel=1e-12)
    assert _result(values, sheet, "payback_month") == expected.payback_month
    cells = values[sheet]
    assert cells[f"D{FIRST_MONTH_ROW + 1 + 13}"].value == pytest.approx(18_000 * 1.1)  # year 2: (1 + g)^1
    assert cells[f"B{FIRST_MONTH_ROW + 1 + 3}"].value == pytest.approx(3 * (1 / 3) ** 2 - 2 * (1 / 3) ** 3)


def test_loaded_workspace_default_rate_reaches_the_pack():
    use_case = make_use_case("rate")
    loaded = make_loaded([use_case], default_discount_rate_per_year=0.2)
    _, values = _books(build_pack(loaded, top_n=1))
    expected = use_case_business_case(use_case, 0.2)
    assert _result(values, cash_flow_sheet_name(1, "rate"), "npv") == pytest.approx(expected.npv_eur, rel=1e-12)
    assert isinstance(loaded, LoadedWorkspace)
