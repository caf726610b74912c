"""LibreOffice recalculates every pack formula; its figures must equal the ones the core stored."""

import io
import random

import openpyxl
import pytest

from core.business_case import use_case_business_case
from core.excel import (
    DECISION_LABELS,
    FIXED_SHEETS,
    GATE_LABELS,
    NOT_AVAILABLE,
    SUMMARY_TABLE_ROW,
    build_pack,
    read_pack,
    updated_use_case,
)
from core.excel.sheets.cash_flow import FIRST_MONTH_ROW
from core.gates import evaluate_all, next_gate
from core.models import MEASURED_ROI_FIELDS, ComplianceChecklist, GateMetrics, UseCase
from core.roi import compute_roi
from core.scoring import score_portfolio
from core.store import LoadedWorkspace
from core.verdict import gate_sequence, worst_case_survives
from tests.core.excel_oracle import (
    S15_BASE,
    formula_cells,
    irr_cells,
    make_loaded,
    make_use_case,
    mismatches,
    recalculate,
    sample_loaded,
    scaled_scoring,
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
    assert {sheet for sheet, _ in formulas} >= {"Summary", "Assumptions", *(f"{kind}{i}_{uc}" for i, uc in
                                                                            enumerate(SELECTED, 1)
                                                                            for kind in ("D", "CF"))}
    irr = irr_cells(formulas)
    assert len(irr) == 4 * len(SELECTED)
    expected = stored_values(data, set(formulas))
    assert isinstance(expected["CF1_support-chatbot", "H5"], float)
    recalculated = stored_values(recalculate(data), set(formulas))
    assert mismatches(expected, recalculated, irr) == []


def _input_cell(book, name: str):
    sheet, coordinate = next(book.defined_names[name].destinations)
    return book[sheet][coordinate.replace("$", "")]


def test_changed_inputs_recalculate_to_the_core_figures_on_the_same_inputs():
    loaded = sample_loaded()
    data = build_pack(loaded, use_case_ids=SELECTED)
    edits = {
        "support-chatbot": {"roi.adoption": 0.05, "scoring.data_availability": 0.15,
                            "business_case.ramp_months": 9, "cost_blocks.1.one_time_eur": 150_000.0},
        "invoice-extraction": {"roi.run_cost_eur_per_month": 0.0, "scenarios.0.adoption": None,
                               "business_case.horizon_months": 24, "business_case.ramp_shape": "linear"},
        "hr-policy-assistant": {"business_case.discount_rate_per_year": 0.12,
                                "business_case.run_cost_escalation_per_year": 0.1, "cost_blocks.0.one_time_eur": None},
        "no-run-cost": {"roi.run_cost_eur_per_month": 1_234.5, "scenarios.1.minutes_saved_per_case": 0.1},
        "quality-inspection": {"scoring.integration_effort": 1.0, "roi.minutes_saved_per_case": 0.0,
                               "business_case.horizon_months": 120, "cost_blocks.0.one_time_eur": 400_000.0},
    }
    book = openpyxl.load_workbook(io.BytesIO(data))
    meta = book["Meta"]
    cells = {(row[8].value, row[9].value): (row[10].value, row[11].value)
             for row in meta.iter_rows(min_row=2) if row[8].value}
    for use_case_id, changes in edits.items():
        for path, value in changes.items():
            sheet, coordinate = cells[use_case_id, path]
            book[sheet][coordinate].value = value
    assert _input_cell(book, "UC1_adoption").value == 0.05
    edited = io.BytesIO()
    book.save(edited)

    use_cases = [updated_use_case(use_case, edits.get(use_case.id, {})) for use_case in loaded.workspace.use_cases]
    changed = LoadedWorkspace(loaded.id, loaded.workspace.model_copy(update={"use_cases": tuple(use_cases)}),
                         loaded.versions)
    reference = build_pack(changed, use_case_ids=SELECTED)
    reference_formulas = formula_cells(reference)
    decision = {key for key in reference_formulas if key[0] not in FIXED_SHEETS}
    assert len(decision) > 300
    expected = stored_values(reference, decision)
    saved_by_libreoffice = recalculate(edited.getvalue())
    recalculated = stored_values(saved_by_libreoffice, decision)
    assert mismatches(expected, recalculated, irr_cells(reference_formulas)) == []
    assert expected != stored_values(data, decision)
    _assert_the_business_cases_follow(data, saved_by_libreoffice, changed.workspace)
    _assert_live_decisions_and_summary(data, saved_by_libreoffice, changed.workspace)

    diff = read_pack(saved_by_libreoffice, loaded)
    read_back = {(change.use_case_id, change.field_path): change.new for change in diff.changes}
    assert read_back == {(use_case_id, path): value for use_case_id, changes in edits.items()
                         for path, value in changes.items()}


def _assert_the_business_cases_follow(original: bytes, recalculated: bytes, workspace) -> None:
    """NPV and payback on the Cash flow sheets, Decision sheets and Summary follow the edited S19 inputs."""
    before = openpyxl.load_workbook(io.BytesIO(original), data_only=True)
    after = openpyxl.load_workbook(io.BytesIO(recalculated), data_only=True)
    rate = workspace.default_discount_rate_per_year
    summary = after["Summary"]
    first = SUMMARY_TABLE_ROW + 2
    rows = {summary[f"B{row}"].value: row for row in range(first, first + len(workspace.use_cases))}
    for ordinal, use_case_id in enumerate(SELECTED, start=1):
        result = use_case_business_case(workspace.use_case(use_case_id), rate)
        sheet = after[f"CF{ordinal}_{use_case_id}"]
        assert sheet["H4"].value == pytest.approx(result.npv_eur, rel=1e-9)
        assert sheet["H7"].value == (NOT_AVAILABLE if result.payback_month is None else result.payback_month)
        assert summary[f"N{rows[use_case_id]}"].value == pytest.approx(result.npv_eur, rel=1e-9)
        assert summary[f"M{rows[use_case_id]}"].value == pytest.approx(result.investment_eur)
    # The chatbot's C0 grows 60,000 → 150,000 € and its ramp 6 → 9 months; invoice extraction ends after 24 months.
    assert before["CF1_support-chatbot"]["H7"].value == 6 != after["CF1_support-chatbot"]["H7"].value
    month_25 = f"C{FIRST_MONTH_ROW + 1 + 25}"
    assert after["CF2_invoice-extraction"][month_25].value == 0 != before["CF2_invoice-extraction"][month_25].value


def _row_with(sheet, column: str, value: str) -> int:
    return next(cell.row for cell in sheet[column] if cell.value == value)


def _assert_live_decisions_and_summary(original: bytes, recalculated: bytes, workspace) -> None:
    """The S17 decision and the Summary's ROI, rank, gate decision and failed checks follow the edited inputs."""
    thresholds = workspace.thresholds
    chatbot = workspace.use_case("support-chatbot")
    # S15/S17: 50,000 × 0.05 × (2.4 × 0.85 + 1.10 × 0.18) = 5,595; (5,595 − 18,000) / 18,000 = −0.689 ≤ 0.2 → iterate.
    assert compute_roi(chatbot.roi).roi == pytest.approx(-0.689, abs=5e-4)
    # S22: S17 reads the ROI of the measured inputs where measured; without the chatbot's measured ROI inputs it
    # reads the edited assumption and turns to "iterate".
    unmeasured = chatbot.model_copy(update={"measurements": tuple(
        item.model_copy(update=dict.fromkeys(MEASURED_ROI_FIELDS)) for item in chatbot.measurements)})
    s17 = evaluate_all(unmeasured, thresholds)["scale_or_kill"]
    assert s17.decision == "iterate"
    before = openpyxl.load_workbook(io.BytesIO(original), data_only=True)
    after = openpyxl.load_workbook(io.BytesIO(recalculated), data_only=True)
    row = _row_with(after["D1_support-chatbot"], "A", GATE_LABELS["scale_or_kill"])
    # Before the edit S17 alone says "Scale", but the S16 worst case does not survive (docs/VERDICTS.md); after it,
    # S17 reads the measured ROI (S22) and S16 the edited assumptions.
    assert before["D1_support-chatbot"][f"B{row}"].value == DECISION_LABELS["iterate"]
    after_s17 = gate_sequence(evaluate_all(chatbot, thresholds), worst_case_survives(chatbot))["scale_or_kill"]
    assert after["D1_support-chatbot"][f"B{row}"].value == DECISION_LABELS[after_s17.own_decision]

    frame = score_portfolio(workspace.use_cases, workspace.weights, thresholds.quick_win_min_value,
                            thresholds.quick_win_min_feasibility)
    summary, old_summary = after["Summary"], before["Summary"]
    first = SUMMARY_TABLE_ROW + 2
    rows = {summary[f"B{row}"].value: row for row in range(first, first + len(workspace.use_cases))}
    assert set(rows) == {use_case.id for use_case in workspace.use_cases}
    assert {use_case_id: summary[f"A{row}"].value for use_case_id, row in rows.items()} == {
        use_case_id: int(frame.at[use_case_id, "rank"]) for use_case_id in rows}
    assert any(old_summary[f"A{row}"].value != summary[f"A{row}"].value for row in rows.values())
    for use_case_id in SELECTED:
        use_case, row = workspace.use_case(use_case_id), rows[use_case_id]
        results = evaluate_all(use_case, thresholds)
        gate = results[next_gate(use_case)]
        standing = gate_sequence(results, worst_case_survives(use_case))[next_gate(use_case)]
        roi = compute_roi(use_case.roi).roi
        assert summary[f"K{row}"].value == (NOT_AVAILABLE if roi is None else pytest.approx(roi, rel=1e-9))
        assert summary[f"J{row}"].value == pytest.approx(frame.at[use_case_id, "score"], rel=1e-9)
        assert summary[f"Q{row}"].value == DECISION_LABELS[standing.decision]
        assert summary[f"R{row}"].value == (", ".join(check.name for check in gate.failed_checks) or "none")
    chatbot_row = rows["support-chatbot"]
    assert old_summary[f"K{chatbot_row}"].value != summary[f"K{chatbot_row}"].value


def test_german_pack_recalculates_to_its_stored_results_and_reads_back():
    loaded = sample_loaded()
    data = build_pack(loaded, author="Orakel", use_case_ids=SELECTED, language="de")
    formulas = formula_cells(data)
    assert len(formulas) > 400
    expected = stored_values(data, set(formulas))
    assert "bestanden" in expected.values() and "Quick Win" in expected.values()
    saved_by_libreoffice = recalculate(data)
    assert "Kapitalwert (€)" in {value for (sheet, _), value in stored_values(data).items() if sheet.startswith("CF")}
    assert mismatches(expected, stored_values(saved_by_libreoffice, set(formulas)), irr_cells(formulas)) == []
    assert read_pack(saved_by_libreoffice, loaded).is_empty


# Passing and failing value per measured gate input (S5, S9, S10, S17 thresholds of core.models.Thresholds).
GATE_INPUTS: dict[str, tuple[object, object]] = {
    "baseline_cycle_time_sec": (600.0, 600.0), "precision": (0.95, 0.5), "p99_latency_ms": (1_000.0, 2_000.0),
    "cost_per_case_eur": (0.4, 0.6), "baseline_cost_per_case_eur": (0.5, 0.1), "risk_score": (2.0, 5.0),
    "hallucination_rate": (0.005, 0.05), "offline_quality_score": (0.85, 0.72), "baseline_quality_score": (0.7, 0.8),
    "shadow_p95_latency_ms": (1_000.0, 1_500.0), "shadow_error_rate": (0.004, 0.01), "review_coverage": (0.3, 0.1),
    "escalation_sla_hours": (3.0, 6.0), "canary_enabled": (True, False), "rollback_time_min": (5.0, 20.0),
    "canary_p95_latency_ms": (2_500.0, 3_500.0), "hallucination_proxy": (0.01, 0.05),
    "cost_per_request_usd": (0.05, 0.1), "observed_adoption": (0.5, 0.2), "weeks_since_pilot_start": (4.0, 8.0),
    "p95_latency_ms": (900.0, 1_300.0), "drift_alerts_per_week": (1.0, 3.0),
}
# S15 base total value is 69,378 €/month: run cost 18,000 → ROI 2.85 (passes > 0.2), 60,000 → 0.156, 0 → n/a.
RUN_COSTS = (18_000.0, 60_000.0, 0.0)


def _gate_case(index: int, chooser: random.Random) -> UseCase:
    missing_share, failing_share = ((0.0, 0.0), (0.0, 0.08), (0.08, 0.0), (0.1, 0.1))[index % 4]

    def pick(passing: object, failing: object) -> object:
        draw = chooser.random()
        return None if draw < missing_share else failing if draw < missing_share + failing_share else passing

    metrics = {field: pick(*values) for field, values in GATE_INPUTS.items()}
    adoption, weeks = divmod(index % 9, 3)
    metrics["observed_adoption"] = (0.5, 0.2, None)[adoption]
    metrics["weeks_since_pilot_start"] = (4.0, 8.0, None)[weeks]
    compliance = {item: pick(True, False) for item in ComplianceChecklist.model_fields}
    return make_use_case(
        f"gates-{index:02d}", gate_metrics=GateMetrics(**metrics), compliance=ComplianceChecklist(**compliance),
        roi=S15_BASE.model_copy(update={"run_cost_eur_per_month": RUN_COSTS[(index // 4) % 3]}),
        eu_ai_act_risk_class="prohibited" if index == 5 else "limited",
    )


def test_live_gate_decisions_match_the_core_on_every_decision_path():
    chooser = random.Random(20260302)
    use_cases = [_gate_case(index, chooser) for index in range(12)]
    decisions = {gate: {evaluate_all(use_case)[gate].decision for use_case in use_cases}
                 for gate in ("poc_to_pilot", "quality_gates", "canary", "scale_or_kill", "go_live_compliance")}
    assert decisions == {
        "poc_to_pilot": {"go", "stop", "incomplete"}, "quality_gates": {"pass", "fail", "incomplete"},
        "canary": {"ramp", "rollback", "incomplete"},
        "scale_or_kill": {"stop_or_re-scope", "scale", "iterate", "incomplete"},
        "go_live_compliance": {"deploy", "no_deploy", "incomplete"},
    }
    data = build_pack(make_loaded(use_cases), use_case_ids=[use_case.id for use_case in use_cases])
    formulas = formula_cells(data)
    expected = stored_values(data, set(formulas))
    assert mismatches(expected, stored_values(recalculate(data), set(formulas))) == []


@pytest.mark.parametrize(("language", "not_scored", "any_value"), [
    ("en", "Not scored yet", "ROI ≥ 0 at any value"), ("de", "Noch nicht bewertet", "ROI ≥ 0 bei jedem Wert")])
def test_an_unscored_use_case_has_no_rank_and_a_covered_run_cost_breaks_even_at_any_value(
        language, not_scored, any_value):
    """S3: a use case nobody scored has no rank, no quadrant and does not push a scored one down. S15: with run
    cost 5,000 € the quality value alone (50,000 × 0.62 × 1.10 × 0.18 = 6,138 €) covers it, so ROI ≥ 0 at any
    number of minutes saved. LibreOffice recalculates both to what the pack stores."""
    cheap = make_use_case("cheap-run", roi=S15_BASE.model_copy(update={"run_cost_eur_per_month": 5_000.0}),
                          scoring=scaled_scoring(0.6))
    new = make_use_case("new-idea", scored=False, scoring=scaled_scoring(0.99))
    loaded = make_loaded([new, cheap])
    data = build_pack(loaded, use_case_ids=["cheap-run", "new-idea"], language=language)
    formulas = formula_cells(data)
    expected = stored_values(data, set(formulas))
    book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    german = language == "de"  # a German pack names its sheets in German: Übersicht, E1_… (Entscheidung)
    summary = book["Übersicht" if german else "Summary"]
    rows = {summary.cell(row, 2).value: row for row in range(1, summary.max_row + 1)}
    assert summary.cell(rows["cheap-run"], 1).value == 1  # the unscored 0.99 takes no rank
    assert summary.cell(rows["new-idea"], 1).value == not_scored
    assert summary.cell(rows["new-idea"], 7).value == not_scored
    assert rows["new-idea"] > rows["cheap-run"]
    decision = book["E1_cheap-run" if german else "D1_cheap-run"]
    break_even = [decision.cell(row, 2).value for row in range(1, decision.max_row + 1)
                  if decision.cell(row, 3).value == 2.4 and isinstance(decision.cell(row, 2).value, str)]
    assert break_even == [any_value]  # the minutes row of the break-even table (current value 2.4)
    assert any(cell.value == not_scored for row in book["E2_new-idea" if german else "D2_new-idea"].iter_rows()
               for cell in row)
    recalculated = stored_values(recalculate(data), set(formulas))
    assert mismatches(expected, recalculated, irr_cells(formulas)) == []
