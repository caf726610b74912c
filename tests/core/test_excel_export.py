import io
import math
import re
import zipfile
from datetime import UTC, datetime

import openpyxl
import pytest

from core.excel import (
    FIXED_SHEETS,
    META_SHEET,
    NOT_AVAILABLE,
    SUMMARY_TABLE_ROW,
    build_pack,
    decision_sheet_name,
    meta_content_hash,
)
from core.excel import figures as figures_module
from core.excel.formulas import failed_checks_formula, gate_decision_formula
from core.excel.names import cash_flow_sheet_name
from core.excel.sheets import decision as decision_module
from core.excel.sheets import matrix as matrix_module
from core.excel.texts import GERMAN, Texts
from core.excel.writer import wrapped_line_count
from core.gates import evaluate_all
from core.models import SCHEMA_VERSION, GateMetrics, Kpi, RaciRow
from core.roi import break_even, compute_roi
from core.scoring import score_portfolio
from core.sensitivity import run_scenarios, scenario_arrays
from tests.core.excel_oracle import (
    S15_BASE,
    FakeAuditEntry,
    decode_ooxml_escapes,
    make_loaded,
    make_use_case,
    sample_loaded,
    scaled_scoring,
)

GENERATED = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
INJECTIONS = (
    '=HYPERLINK("http://x","y")', "=cmd|'/c calc'!A1", "+1+1", "-2", "@SUM(A1)", "\tleading tab",
    "carriage\rreturn", "line\nfeed", "a;=1", "bell\x07char",
)
ONE_LINE_INJECTIONS = tuple(text for text in INJECTIONS if text.isprintable())
EXCEL_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")
CELL_REFERENCE = re.compile(r"^[A-Za-z]{1,3}[0-9]+$")


def _books(data: bytes):
    return (openpyxl.load_workbook(io.BytesIO(data), data_only=False),
            openpyxl.load_workbook(io.BytesIO(data), data_only=True))


def _row_of(sheet, label: str, column: int = 1) -> int:
    for row in sheet.iter_rows(min_col=column, max_col=column):
        if row[0].value == label:
            return row[0].row
    raise KeyError(label)


def _value(sheet, label: str, column: str = "B"):
    return sheet[f"{column}{_row_of(sheet, label)}"].value


@pytest.fixture(scope="module")
def s15_pack():
    use_cases = [
        make_use_case("uc-s15", name="S15 chatbot", owner="PO Service"),
        make_use_case("uc.low", scoring=scaled_scoring(0.1)),
        make_use_case("uc_free", roi=S15_BASE.model_copy(update={"run_cost_eur_per_month": 0.0}),
                      scoring=scaled_scoring(0.05)),
    ]
    loaded = make_loaded(use_cases)
    return loaded, build_pack(loaded, author="Controller", generated_at=GENERATED, top_n=3)


def test_sheets_in_order_meta_hidden_and_protected(s15_pack):
    _, data = s15_pack
    book, _ = _books(data)
    # Each Decision sheet is followed by its S19 Cash flow sheet and its S22 Actuals sheet.
    decision = [name for ordinal, use_case_id in enumerate(("uc-s15", "uc.low", "uc_free"), start=1)
                for name in (decision_sheet_name(ordinal, use_case_id), cash_flow_sheet_name(ordinal, use_case_id),
                             f"AC{ordinal}_{use_case_id}")]
    assert decision[:2] == ["D1_uc-s15", "CF1_uc-s15"]
    assert book.sheetnames == ["Summary", "Matrix", "Portfolio", *decision, "Assumptions", "Audit trail", "Meta"]
    assert book[META_SHEET].sheet_state == "hidden"
    assert all(book[name].sheet_state == "visible" for name in book.sheetnames if name != META_SHEET)
    for sheet in book.worksheets:
        assert sheet.protection.sheet is True
        assert sheet.protection.password is None


def test_s15_worked_example_results_are_stored_with_the_formulas(s15_pack):
    _, data = s15_pack
    formulas, values = _books(data)
    sheet_name = decision_sheet_name(1, "uc-s15")
    sheet, cached = formulas[sheet_name], values[sheet_name]
    roi_row = _row_of(sheet, "ROI = net / run cost")
    assert sheet[f"B{roi_row}"].value.startswith('=IF(UC1_run_cost_eur_per_month=0,"n/a",')
    assert cached[f"B{roi_row}"].value == pytest.approx(51_378 / 18_000, rel=1e-12)  # S15: 2.85433…
    assert _value(cached, "Value time (€/month)") == pytest.approx(63_240, rel=1e-12)  # S15
    assert _value(cached, "Value quality (€/month)") == pytest.approx(6_138, rel=1e-12)  # S15
    assert _value(cached, "Value") == pytest.approx(0.26, rel=1e-12)  # S3 example
    assert _value(cached, "Feasibility") == pytest.approx(0.76, rel=1e-12)
    assert _value(cached, "Score = value × feasibility") == pytest.approx(0.1976, rel=1e-12)
    assert _value(cached, "Quadrant") == "Fill-in"  # value 0.26 < 0.5 ≤ feasibility 0.76
    assert _value(cached, "Adoption", "B") == 0.62
    expected_break_even = break_even(S15_BASE, "adoption")
    break_even_row = _row_of(sheet, "Break-even (ROI = 0)") + 2
    assert sheet[f"A{break_even_row}"].value == "Adoption"
    assert cached[f"B{break_even_row}"].value == expected_break_even  # 18,000 / 111,900 = 0.16086
    assert expected_break_even == pytest.approx(18_000 / 111_900)


def test_every_formula_has_a_finite_or_text_result_equal_to_the_core(s15_pack):
    _, data = s15_pack
    formulas, values = _books(data)
    count = 0
    for sheet in formulas.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type != "f":
                    continue
                count += 1
                result = values[sheet.title][cell.coordinate].value
                if sheet.title.startswith("AC") and result is None:
                    continue  # S22 Actuals: an empty text is the stored result of a row that does not count
                assert result is not None and result != "", f"{sheet.title}!{cell.coordinate} has no stored result"
                if isinstance(result, float):
                    assert math.isfinite(result)
    assert count > 150
    scenarios = run_scenarios(S15_BASE)
    sheet = values[decision_sheet_name(1, "uc-s15")]
    header = _row_of(sheet, "Override")
    roi_row = next(row[0].row for row in sheet.iter_rows(min_col=1, max_col=1) if row[0].value == "ROI")
    for column, name in zip("BCD", ("worst", "base", "best"), strict=True):
        assert sheet[f"{column}{header}"].value == name
        assert sheet[f"{column}{roi_row}"].value == scenarios.at[name, "roi"]
    assert _value(sheet, "Verdict (S16)") == scenarios.attrs["verdict"]


def test_roi_without_run_cost_is_na_in_decision_sheet_and_summary(s15_pack):
    _, data = s15_pack
    formulas, values = _books(data)
    name = decision_sheet_name(3, "uc_free")
    row = _row_of(formulas[name], "ROI = net / run cost")
    run, net = "UC3_run_cost_eur_per_month", f"B{row - 1}"
    assert formulas[name][f"B{row}"].value == f'=IF({run}=0,"n/a",{net}/{run})'
    assert values[name][f"B{row}"].value == NOT_AVAILABLE
    summary = values["Summary"]
    ids = [summary[f"B{r}"].value for r in range(10, 13)]
    assert ids == ["uc-s15", "uc.low", "uc_free"]
    assert summary["K12"].value == NOT_AVAILABLE
    assert summary["K10"].value == pytest.approx(2.854333333, rel=1e-9)
    for sheet in values.worksheets:
        for cells in sheet.iter_rows():
            for cell in cells:
                assert not (isinstance(cell.value, float) and not math.isfinite(cell.value))


def test_summary_ranks_all_use_cases_by_score_with_gate_decision():
    use_cases = [make_use_case(f"uc{i}", scoring=scaled_scoring(i / 10)) for i in range(8)]
    loaded = make_loaded(use_cases)
    data = build_pack(loaded, generated_at=GENERATED, top_n=2)
    formulas, values = _books(data)
    summary, cached = formulas["Summary"], values["Summary"]
    assert [cached[f"B{r}"].value for r in range(10, 18)] == [f"uc{i}" for i in range(7, -1, -1)]
    frame = score_portfolio(use_cases, loaded.workspace.weights)
    for row in range(10, 18):
        use_case_id = cached[f"B{row}"].value
        # Plain numbers are stored with 16 significant digits (XlsxWriter), formula results exactly.
        assert cached[f"J{row}"].value == pytest.approx(frame.at[use_case_id, "score"], rel=1e-15)
        assert cached[f"A{row}"].value == frame.at[use_case_id, "rank"]
        assert cached[f"P{row}"].value == "S5 PoC → pilot"
        gate = evaluate_all(loaded.workspace.use_case(use_case_id))["poc_to_pilot"]
        assert gate.decision == "incomplete" and cached[f"Q{row}"].value == "Incomplete"
    score_row = _row_of(formulas["D1_uc7"], "Score = value × feasibility")
    assert summary["J10"].value == f"='D1_uc7'!$B${score_row}"
    assert [summary[f"A{row}"].value for row in (10, 17)] == ["=RANK(J10,$J$10:$J$17,0)", "=RANK(J17,$J$10:$J$17,0)"]
    gate_row = _row_of(formulas["D1_uc7"], "S5 PoC → pilot")
    assert summary["Q10"].value == f"='D1_uc7'!$B${gate_row}"
    assert formulas["D1_uc7"][f"B{gate_row}"].value.startswith(f'=IF(OR(E{gate_row + 2}="fail",')
    assert summary["R10"].value.startswith("=IF(OR(") and cached["R10"].value == "none"
    assert summary["Q12"].data_type == summary["R12"].data_type == "s"
    assert summary["J12"].data_type == "n"
    assert cached["S12"].value == NOT_AVAILABLE
    assert [name for name in formulas.sheetnames if name not in FIXED_SHEETS] == ["D1_uc7", "CF1_uc7", "AC1_uc7",
                                                                                 "D2_uc6", "CF2_uc6", "AC2_uc6"]
    assert cached["C2"].value == "Test workspace"
    assert cached["C4"].value == GENERATED.replace(tzinfo=None) and cached["C4"].number_format == "d mmm yyyy hh:mm"


def test_gate_decision_formulas_follow_the_check_cells_in_the_pack_language():
    english, german = Texts("en"), Texts("de")
    canary = {"canary_p95_latency_ms": "E3", "hallucination_proxy": "E4", "cost_per_request_usd": "E5"}
    assert gate_decision_formula("canary", canary, english) == (
        '=IF(OR(E3="fail",E4="fail",E5="fail"),"Roll back",IF(AND(E3="pass",E4="pass",E5="pass"),"Ramp up",'
        '"Incomplete"))')
    s17 = {"observed_adoption": "E1", "weeks_since_pilot_start": "E2", "roi": "E3", "p95_latency_ms": "E4",
           "drift_alerts_per_week": "E5"}
    assert gate_decision_formula("scale_or_kill", s17, german) == (
        '=IF(AND(E1="nicht bestanden",E2="nicht bestanden"),"Stoppen oder neu zuschneiden",'
        'IF(NOT(OR(E1="bestanden",E2="bestanden")),"Unvollständig",'
        'IF(OR(E3="nicht bestanden",E4="nicht bestanden",E5="nicht bestanden"),"Iterieren",'
        'IF(AND(AND(E3="bestanden",E4="bestanden",E5="bestanden"),E1<>"n/a",E2<>"n/a"),"Skalieren",'
        '"Unvollständig"))))')
    assert failed_checks_formula([("A5", "E5"), ("A6", "E6")], german) == (
        '=IF(OR(E5="nicht bestanden",E6="nicht bestanden"),MID(IF(E5="nicht bestanden",", "&A5,"")'
        '&IF(E6="nicht bestanden",", "&A6,""),3,32767),"keine")')
    with pytest.raises(ValueError, match="gate"):
        gate_decision_formula("monitoring", {"x": "E1"}, english)
    with pytest.raises(ValueError, match="checks"):
        failed_checks_formula([], english)


def test_explicit_selection_keeps_given_order_and_rejects_unknown_ids():
    use_cases = [make_use_case(f"uc{i}", scoring=scaled_scoring(i / 10)) for i in range(4)]
    loaded = make_loaded(use_cases)
    book = openpyxl.load_workbook(io.BytesIO(build_pack(loaded, use_case_ids=["uc0", "uc3"])))
    assert [name for name in book.sheetnames if name not in FIXED_SHEETS] == ["D1_uc0", "CF1_uc0", "AC1_uc0",
                                                                              "D2_uc3", "CF2_uc3", "AC2_uc3"]
    with pytest.raises(ValueError, match="unknown use case"):
        build_pack(loaded, use_case_ids=["nope"])
    book = openpyxl.load_workbook(io.BytesIO(build_pack(loaded, top_n=0)))
    assert book.sheetnames == list(FIXED_SHEETS)


def test_defined_names_are_valid_and_point_at_the_inputs(s15_pack):
    _, data = s15_pack
    book, _ = _books(data)
    names = book.defined_names
    # Per Decision sheet: 7 S3 and 7 S15 inputs, 5 S19 inputs, the discount rate used and the investment C0.
    assert len(names) == 3 * (14 + 5 + 2)
    assert {"UC1_horizon_months", "UC1_ramp_shape", "UC1_discount_rate_per_year_used", "UC1_investment_eur"} <= set(
        names)
    for name, definition in names.items():
        assert EXCEL_NAME.match(name) and not CELL_REFERENCE.match(name) and len(name) <= 255, name
        assert definition.localSheetId is None
    sheet, coordinate = next(names["UC1_adoption"].destinations)
    assert sheet == decision_sheet_name(1, "uc-s15")
    assert book[sheet][coordinate.replace("$", "")].value == 0.62
    sheet, coordinate = next(names["UC2_data_availability"].destinations)
    assert book[sheet][coordinate.replace("$", "")].value == 0.8


def test_inputs_unlocked_validated_and_print_setup(s15_pack):
    _, data = s15_pack
    book, _ = _books(data)
    sheet = book[decision_sheet_name(1, "uc-s15")]
    _, coordinate = next(book.defined_names["UC1_adoption"].destinations)
    adoption = sheet[coordinate.replace("$", "")]
    assert adoption.protection.locked is False
    roi_row = _row_of(sheet, "ROI = net / run cost")
    assert sheet[f"B{roi_row}"].protection.locked is True
    rules = {str(rule.sqref): rule for rule in sheet.data_validations.dataValidation}
    rule = rules[adoption.coordinate]
    assert (rule.type, rule.operator or "between", rule.formula1, rule.formula2) == ("decimal", "between", "0", "1")
    _, run_cell = next(book.defined_names["UC1_run_cost_eur_per_month"].destinations)
    rule = rules[run_cell.replace("$", "")]
    assert (rule.type, rule.operator, rule.formula1) == ("decimal", "greaterThanOrEqual", "0")
    # S3, S15 and three scenarios of S15 overrides, then the five S19 inputs (no cost blocks, so no one-time amount).
    assert len(rules) == 7 + 7 + 3 * 7 + 5
    for worksheet in book.worksheets:
        assert worksheet.page_setup.orientation == "landscape"
        assert worksheet.sheet_properties.pageSetUpPr.fitToPage is True
        assert worksheet.page_setup.fitToWidth in (None, 1)  # 1 is the default and left out
        assert worksheet.page_setup.fitToHeight == 0
        assert "Test workspace" in worksheet.oddHeader.left.text
        assert "2 Mar 2026, 09:30 UTC" in worksheet.oddHeader.right.text


def test_user_text_is_always_a_string_never_a_formula():
    use_case = make_use_case(
        "inject", name="-2", owner="+1+1", problem_statement=INJECTIONS[0], users=INJECTIONS[1],
        process_step=INJECTIONS[4], decision_point=INJECTIONS[5], guardrails=INJECTIONS[6],
        out_of_scope=INJECTIONS[7], output_format=INJECTIONS[8],
        # Names and labels refuse control characters (issue 12); the long texts and the audit trail still hold them.
        kpi_set=tuple(Kpi(group="value", name=text, target_value=1.0, unit=text) for text in ONE_LINE_INJECTIONS),
        raci=(RaciRow(deliverable=INJECTIONS[0], accountable=(INJECTIONS[8],), responsible=(INJECTIONS[1],)),),
        assumption_sources={"roi.adoption": INJECTIONS[4], "scoring.cost_reduction": INJECTIONS[2]},
    )
    loaded = make_loaded([use_case], name="=1+1 & <Workspace>")
    entries = [FakeAuditEntry(GENERATED, text, "inject", "update", "roi.adoption", text, text) for text in INJECTIONS]
    data = build_pack(loaded, author=INJECTIONS[3], audit_entries=entries, generated_at=GENERATED)
    book, _ = _books(data)
    found: dict[str, int] = {text: 0 for text in INJECTIONS}
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    assert not any(text in cell.value for text in INJECTIONS if len(text) > 2), cell.coordinate
                    continue
                if isinstance(cell.value, str):
                    decoded = decode_ooxml_escapes(cell.value)
                    if decoded in found:
                        assert cell.data_type == "s"
                        found[decoded] += 1
    assert all(count >= 2 for count in found.values()), found
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets_xml = b"".join(archive.read(name) for name in archive.namelist() if name.startswith("xl/worksheets/"))
    assert b"HYPERLINK" not in sheets_xml and b"cmd|" not in sheets_xml
    assert "=1+1 && <Workspace>" in book["Summary"].oddHeader.left.text


def test_missing_values_are_written_as_na():
    use_case = make_use_case("sparse", owner="", gate_metrics=GateMetrics(precision=0.95), kpi_set=())
    data = build_pack(make_loaded([use_case]), generated_at=GENERATED)
    _, values = _books(data)
    sheet = values[decision_sheet_name(1, "sparse")]
    assert _value(sheet, "Owner") == NOT_AVAILABLE
    row = _row_of(sheet, "p99_latency_ms")
    assert sheet[f"B{row}"].value == NOT_AVAILABLE and sheet[f"E{row}"].value == NOT_AVAILABLE
    row = _row_of(sheet, "precision")
    assert (sheet[f"B{row}"].value, sheet[f"C{row}"].value, sheet[f"E{row}"].value) == (0.95, 0.92, "pass")
    assert values["Summary"]["D10"].value == NOT_AVAILABLE
    assert values["Audit trail"]["A3"].value == NOT_AVAILABLE
    for row in sheet.iter_rows():
        for cell in row[:2]:
            assert cell.value != "" and not (isinstance(cell.value, float) and math.isnan(cell.value))


def test_assumptions_list_every_input_with_source_and_last_editor():
    use_case = make_use_case("uc-a", assumption_sources={"roi.adoption": "Pilot group weeks 6–9"})
    other = make_use_case("uc-b", scoring=scaled_scoring(0.01))
    entries = [
        FakeAuditEntry(datetime(2026, 1, 5, tzinfo=UTC), "alice", "uc-a", "update", "roi.adoption", "0.5", "0.6"),
        FakeAuditEntry(datetime(2026, 2, 5, tzinfo=UTC), "bob", "uc-a", "update", "roi.adoption", "0.6", "0.62"),
        FakeAuditEntry(datetime(2026, 1, 1, tzinfo=UTC), "carol", "uc-b", "create", None, None, None),
    ]
    data = build_pack(make_loaded([use_case, other]), audit_entries=entries, generated_at=GENERATED, top_n=1)
    formulas, values = _books(data)
    sheet = values["Assumptions"]
    rows = {(sheet[f"A{r}"].value, sheet[f"C{r}"].value): r for r in range(3, sheet.max_row + 1)}
    assert len(rows) == 2 * (7 + 7 + 4)  # 7 S3 + 7 S15 inputs + worst/best overrides of adoption and minutes
    row = rows["uc-a", "roi.adoption"]
    assert [sheet[f"{c}{row}"].value for c in "DEFGH"] == [
        0.62, "fraction 0–1", "Pilot group weeks 6–9", "bob", datetime(2026, 2, 5)]
    assert formulas["Assumptions"][f"D{row}"].data_type == "f"
    row = rows["uc-b", "roi.adoption"]
    assert formulas["Assumptions"][f"D{row}"].value == 0.62
    assert sheet[f"F{row}"].value == NOT_AVAILABLE and sheet[f"G{row}"].value == NOT_AVAILABLE
    assert sheet[f"D{rows['uc-b', 'scenarios.0.adoption']}"].value == 0.25
    audit = values["Audit trail"]
    assert [audit[f"{c}3"].value for c in "ABCDEFG"] == [
        datetime(2026, 1, 5), "alice", "uc-a", "update", "roi.adoption", "0.5", "0.6"]
    assert [audit[f"{c}5"].value for c in "BCEF"] == ["carol", "uc-b", NOT_AVAILABLE, NOT_AVAILABLE]


def test_matrix_has_a_native_scatter_chart_with_one_series_per_quadrant():
    loaded = sample_loaded()
    data = build_pack(loaded, generated_at=GENERATED, top_n=2)
    frame = score_portfolio(loaded.workspace.use_cases, loaded.workspace.weights)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        charts = [name for name in archive.namelist() if name.startswith("xl/charts/chart")]
        assert len(charts) == 1
        chart = archive.read(charts[0]).decode()
    assert "<c:scatterChart>" in chart
    assert chart.count("<c:ser>") == frame["quadrant"].nunique() + 2  # + the two quick-win threshold lines
    assert "Feasibility (0–1)" in chart and "Value (0–1)" in chart
    assert chart.count('<c:min val="0"/>') == 2 and chart.count('<c:max val="1"/>') == 2
    for colour, shape in matrix_module.OKABE_ITO.values():  # colour-blind-safe, one marker shape per quadrant
        assert f'<a:srgbClr val="{colour[1:]}"/>' in chart and f'<c:symbol val="{shape}"/>' in chart
    assert 'prstDash val="dash"' in chart and "email-triage" in chart
    _, values = _books(data)
    matrix = values["Matrix"]
    header = _row_of(matrix, "Quadrant")
    points = {matrix[f"B{r}"].value: (matrix[f"D{r}"].value, matrix[f"E{r}"].value)
              for r in range(header + 1, header + 1 + len(frame))}
    assert points == {i: (pytest.approx(frame.at[i, "feasibility"], rel=1e-15),
                          pytest.approx(frame.at[i, "value"], rel=1e-15)) for i in frame.index}


def test_close_matrix_points_share_one_chart_label():
    labels = matrix_module._matrix_labels([("a", 0.72, 0.54), ("b", 0.73, 0.545), ("c", 0.2, 0.54), ("d", 0.2, 0.6)])
    assert labels == ["a, b", None, "c", "d"]


def test_meta_lists_versions_inputs_and_a_matching_hash(s15_pack):
    _, data = s15_pack
    _, values = _books(data)
    meta = values[META_SHEET]
    keys = {meta[f"A{r}"].value: meta[f"B{r}"].value for r in range(1, 8)}
    assert keys["workspace_id"] == "ws-test" and keys["schema_version"] == str(SCHEMA_VERSION)
    use_case_rows = [tuple(meta.cell(r, c).value or "" for c in range(4, 8)) for r in range(2, 5)]
    assert use_case_rows[0] == ("uc-s15", "3", decision_sheet_name(1, "uc-s15"), "1")
    input_rows = [tuple(meta.cell(r, c).value or "" for c in range(9, 15)) for r in range(2, meta.max_row + 1)]
    # Decision sheets: 7 scoring + 7 ROI inputs + 21 scenario overrides + 5 S19 inputs each; Actuals sheets: 12 rows
    # for new measurements × 8 cells each (S22); Portfolio: 3 funded flags, 3 limits.
    assert len(input_rows) == 3 * (7 + 7 + 21 + 5) + 3 * 12 * 8 + 3 + 3
    assert ("uc-s15", "roi.adoption") in {row[:2] for row in input_rows}
    assert keys["content_hash"] == meta_content_hash("ws-test", use_case_rows, input_rows)


def test_long_ids_give_unique_short_sheet_names():
    use_cases = [make_use_case("x" * 60 + str(i), scoring=scaled_scoring(1 - i / 20)) for i in range(12)]
    book = openpyxl.load_workbook(io.BytesIO(build_pack(make_loaded(use_cases), top_n=12)))
    names = [name for name in book.sheetnames if name not in FIXED_SHEETS]
    assert len(set(names)) == 36 and all(len(name) <= 31 for name in names)
    assert len({name for name in names if name.startswith("CF")}) == 12


def test_core_figures_are_computed_once_per_use_case(monkeypatch):
    calls = {"roi": 0, "gates": 0, "scenarios": 0}

    def counting(name, function):
        def wrapper(*args, **kwargs):
            calls[name] += 1
            return function(*args, **kwargs)
        return wrapper

    monkeypatch.setattr(figures_module, "compute_roi", counting("roi", compute_roi))
    monkeypatch.setattr(figures_module, "evaluate_all", counting("gates", evaluate_all))
    monkeypatch.setattr(decision_module, "scenario_arrays", counting("scenarios", scenario_arrays))
    use_cases = [make_use_case(f"uc{i}", scoring=scaled_scoring(i / 20)) for i in range(20)]
    build_pack(make_loaded(use_cases), top_n=5)
    assert calls == {"roi": 20, "gates": 20, "scenarios": 5}


def test_wrapped_line_count_estimates_word_wrap():
    assert wrapped_line_count("", 10) == 1
    assert wrapped_line_count("Net value (€/month)", 10) == 2  # 19 characters, 11 per line
    assert wrapped_line_count("one two three four", 9) == 2  # "one two", "three four"
    assert wrapped_line_count("a\nb\r\nc\rd", 40) == 4
    assert wrapped_line_count("x" * 45, 10) == 5  # an unbreakable word is cut every 11 characters
    assert wrapped_line_count("x" * 12, 10, bold=True) == 2  # bold: 10 per line


def test_layout_rows_high_enough_card_merged_panes_frozen_and_titles_repeated():
    loaded = sample_loaded()
    data = build_pack(loaded, use_case_ids=["invoice-extraction"], generated_at=GENERATED)
    book, _ = _books(data)
    sheet = book[decision_sheet_name(1, "invoice-extraction")]
    problem = _row_of(sheet, "Problem statement")
    assert f"B{problem}:G{problem}" in {str(cell_range) for cell_range in sheet.merged_cells.ranges}
    text = sheet[f"B{problem}"].value
    width = sum(sheet.column_dimensions[column].width for column in "BCDEFG")
    lines = wrapped_line_count(text, width)
    assert lines >= 2 and sheet.row_dimensions[problem].height >= lines * 14.4
    assert sheet[f"B{problem}"].alignment.wrap_text is True
    created = _row_of(sheet, "Created (UTC)")
    assert sheet[f"B{created}"].is_date and sheet[f"B{created}"].number_format == "d mmm yyyy hh:mm"
    window = _row_of(sheet, "KPI") + 2
    assert sheet[f"E{window}"].value == "wöchentliche Stichprobe"
    assert sheet.row_dimensions[window].height >= 2 * 14.4
    assert sheet.print_title_rows == "$1:$1"
    summary = book["Summary"]
    header = SUMMARY_TABLE_ROW + 1
    assert summary.freeze_panes == f"D{header + 1}"
    assert summary.print_title_rows == f"${header}:${header}"
    assert summary.auto_filter.ref == f"A{header}:S{header + len(loaded.workspace.use_cases)}"
    assert summary.row_dimensions[header].height >= 2 * 14.4  # "Net value (€/month)" wraps
    assert {str(cell_range) for cell_range in summary.merged_cells.ranges} >= {"A2:B2", "C2:F2"}
    assert summary.column_dimensions["A"].width + summary.column_dimensions["B"].width >= len("Workspace ID")
    assert book["Assumptions"].print_title_rows == "$2:$2" == book["Audit trail"].print_title_rows


def test_number_formats_are_consistent(s15_pack):
    _, data = s15_pack
    book, _ = _books(data)
    sheet = book[decision_sheet_name(1, "uc-s15")]
    assert sheet[f"B{_row_of(sheet, 'ROI = net / run cost')}"].number_format.startswith("0.0%")
    assert sheet[f"B{_row_of(sheet, 'Net value (€/month)')}"].number_format.startswith('#,##0.00 "€"')
    assert sheet[f"B{_row_of(sheet, 'Score = value × feasibility')}"].number_format.startswith("0.0000")
    assert sheet[f"B{_row_of(sheet, 'Adoption')}"].number_format == "0.0%"
    summary = book["Summary"]
    assert [summary[f"{column}10"].number_format.split("_")[0] for column in "HIJKL"] == [
        "0.0000", "0.0000", "0.0000", "0.0%", '#,##0.00 "€"']


@pytest.fixture(scope="module")
def german_pack():
    loaded = sample_loaded()
    return loaded, build_pack(loaded, author="Controlling", generated_at=GENERATED, top_n=11, language="de")


def _german_sheet(english: str) -> str:
    """An English pack's sheet name as the German pack names that sheet (issue 13)."""
    fixed = {"Summary": "Übersicht", "Assumptions": "Annahmen", "Audit trail": "Audit-Trail"}
    if english in fixed:
        return fixed[english]
    for old, new in (("AC", "IST"), ("CF", "CF"), ("D", "E")):
        if english.startswith(old) and english[len(old):][:1].isdigit():
            return (new + english[len(old):])[:31]
    return english


def test_german_pack_switches_labels_and_sheet_names_but_not_defined_names_or_meta(german_pack, s15_pack):
    loaded, data = german_pack
    english = build_pack(loaded, author="Controlling", generated_at=GENERATED, top_n=11)
    book, values = _books(data)
    english_book, _ = _books(english)
    assert book.sheetnames == [_german_sheet(name) for name in english_book.sheetnames]
    assert {"Übersicht", "Annahmen", "Audit-Trail", "Meta"} <= set(book.sheetnames)
    assert set(book.defined_names) == set(english_book.defined_names)
    # Meta is the same but for the sheet names it lists (the reader finds every use case's sheets through them).
    meta, english_meta = values[META_SHEET], openpyxl.load_workbook(io.BytesIO(english), data_only=True)[META_SHEET]
    sheets = set(english_book.sheetnames) - {"Matrix", "Portfolio", "Meta"}
    # (and the content hash over them).
    def rows(sheet, rename):
        return [[rename(cell.value) if cell.value in sheets else cell.value for cell in row]
                for row in sheet.iter_rows() if row[0].value != "content_hash"]

    assert rows(meta, str) == rows(english_meta, _german_sheet)
    summary = values["Übersicht"]
    assert summary["A1"].value == "KI-Use-Case-Entscheidungspaket"
    assert summary["L9"].value == "Nettonutzen (€/Monat)" and summary["I9"].value == "Machbarkeit"
    sheet = values[decision_sheet_name(1, "no-run-cost", "de")]
    assert sheet["A1"].value == "Entscheidungsvorlage"
    assert _value(sheet, "Quadrant") == "Quick Win"
    assert _value(sheet, "Urteil (S16)") in {"Skalierungskandidat", "PoC mit Ablaufdatum"}
    assert sheet[f"B{_row_of(sheet, 'ROI = Netto / Modellbetrieb')}"].value == NOT_AVAILABLE
    assert "Seite &P von &N" in book["Übersicht"].oddFooter.right.text
    translated = {english_text for english_text, german in GERMAN.items() if english_text != german}
    user_text = {text for use_case in loaded.workspace.use_cases for text in (use_case.name, use_case.id)}
    leftovers = {
        (worksheet.title, cell.coordinate, cell.value)
        for worksheet in values.worksheets if worksheet.title != META_SHEET
        for row in worksheet.iter_rows() for cell in row
        if isinstance(cell.value, str) and cell.value in translated and cell.value not in user_text
    }
    assert leftovers == set()


def test_german_formula_results_use_german_words(german_pack):
    _, data = german_pack
    _, values = _books(data)
    results = {cell.value for worksheet in values.worksheets for row in worksheet.iter_rows() for cell in row
               if isinstance(cell.value, str)}
    assert {"bestanden", "ja", "erledigt"} <= results
    assert not {"pass", "fail", "yes", "quick_win", "fill_in"} & results


def test_unknown_language_is_rejected(s15_pack):
    loaded, _ = s15_pack
    with pytest.raises(ValueError, match="language"):
        build_pack(loaded, language="fr")
    with pytest.raises(ValueError, match="no German label"):
        Texts("de")("A label nobody translated")


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_fast_cell_writer_writes_the_bytes_xlsxwriter_writes(monkeypatch, language):
    """``PackWorksheet``'s row, cell and string writers (speed) against XlsxWriter's own on the sample pack: every
    part of the workbook is byte-identical, strings, numbers, text and number formula results, errors, blanks,
    row spans, row heights and empty formatted rows."""
    from xlsxwriter.worksheet import Worksheet

    from core.excel.writer import PackWorksheet

    loaded, moment = sample_loaded(), datetime(2026, 12, 4, 9, 30, tzinfo=UTC)
    fast = build_pack(loaded, author="Test", language=language, generated_at=moment)
    for method in ("_write_rows", "_write_cell", "write_string", "write_formula", "_prepare_formula"):
        monkeypatch.setattr(PackWorksheet, method, getattr(Worksheet, method))
    generic = build_pack(loaded, author="Test", language=language, generated_at=moment)
    with zipfile.ZipFile(io.BytesIO(fast)) as first, zipfile.ZipFile(io.BytesIO(generic)) as second:
        assert first.namelist() == second.namelist()
        different = [name for name in first.namelist()
                     if name != "docProps/core.xml" and first.read(name) != second.read(name)]
    assert different == []
