import dataclasses

import pytest

from core.gates import (
    GATE_KEYS,
    NO_BASELINE,
    PHASE_GATES,
    Check,
    GateResult,
    canary,
    evaluate_all,
    go_live_compliance,
    monitoring_alerts,
    next_gate,
    poc_to_pilot,
    quality_gates,
    scale_or_kill,
    sub_gate_decisions,
    target_cycle_time_sec,
)
from core.models import (
    PHASES,
    ComplianceChecklist,
    GateMetrics,
    ScoringInputs,
    Thresholds,
    UseCase,
    migrate_gate_metrics,
)
from tests.core.conftest import S15_BASE

# S5 exactly at every boundary: precision 0.92, p99 1200 ms, cost = baseline cost, risk 3, hallucination 0.01.
POC_AT_BOUNDARY = dict(
    baseline_cycle_time_sec=600.0,
    precision=0.92,
    p99_latency_ms=1200.0,
    cost_per_case_eur=0.50,
    baseline_cost_per_case_eur=0.50,
    risk_score=3.0,
    hallucination_rate=0.01,
)


def _metrics(base, **changes):
    return GateMetrics(**{**base, **changes})


@pytest.mark.parametrize(
    ("changes", "decision", "failed"),
    [
        ({}, "go", []),
        ({"precision": 0.9199}, "stop", ["precision"]),
        ({"precision": 1.0}, "go", []),
        ({"p99_latency_ms": 1200.001}, "stop", ["p99_latency_ms"]),
        ({"p99_latency_ms": 0.0}, "go", []),
        ({"cost_per_case_eur": 0.5001}, "stop", ["cost_per_case_eur"]),
        ({"cost_per_case_eur": 0.0}, "go", []),
        ({"risk_score": 3.01}, "stop", ["risk_score"]),
        ({"risk_score": 0.0}, "go", []),
        ({"hallucination_rate": 0.0101}, "stop", ["hallucination_rate"]),
        ({"hallucination_rate": 0.0}, "go", []),
        ({"precision": 0.5, "risk_score": 9.0}, "stop", ["precision", "risk_score"]),
    ],
)
def test_s5_poc_to_pilot_truth_table(changes, decision, failed):
    result = poc_to_pilot(_metrics(POC_AT_BOUNDARY, **changes))
    assert result.decision == decision
    assert [check.name for check in result.failed_checks] == failed
    assert result.missing == ()
    assert result.passed is (decision == "go")


@pytest.mark.parametrize(
    ("missing_field", "listed"),
    [
        ("baseline_cycle_time_sec", NO_BASELINE),
        ("precision", "precision"),
        ("p99_latency_ms", "p99_latency_ms"),
        ("cost_per_case_eur", "cost_per_case_eur"),
        ("baseline_cost_per_case_eur", "baseline_cost_per_case_eur"),
        ("risk_score", "risk_score"),
        ("hallucination_rate", "hallucination_rate"),
    ],
)
def test_s5_missing_input_is_incomplete_never_go(missing_field, listed):
    result = poc_to_pilot(_metrics(POC_AT_BOUNDARY, **{missing_field: None}))
    assert result.decision == "incomplete"
    assert result.missing == (listed,)
    assert not result.passed


def test_s2_no_baseline_is_reported_and_never_go():
    result = poc_to_pilot(_metrics(POC_AT_BOUNDARY, baseline_cycle_time_sec=None))
    assert NO_BASELINE in result.missing
    baseline_check = next(check for check in result.checks if check.name == "baseline_cycle_time_sec")
    assert baseline_check.passed is None
    assert "no baseline" in result.summary
    assert poc_to_pilot(GateMetrics()).decision == "incomplete"


def test_failed_check_decides_stop_even_with_missing_inputs():
    result = poc_to_pilot(GateMetrics(precision=0.5))
    assert result.decision == "stop"
    assert [check.name for check in result.failed_checks] == ["precision"]
    assert NO_BASELINE in result.missing and "risk_score" in result.missing


def test_s5_thresholds_are_editable():
    strict = Thresholds(poc_min_precision=0.95, poc_max_p99_latency_ms=800.0)
    result = poc_to_pilot(_metrics(POC_AT_BOUNDARY), strict)
    assert result.decision == "stop"
    assert [check.name for check in result.failed_checks] == ["precision", "p99_latency_ms"]


def test_s2_target_cycle_time():
    assert target_cycle_time_sec(600.0) == pytest.approx(420.0)  # 600 s · 0.70
    assert target_cycle_time_sec(600.0, Thresholds(target_cycle_time_factor=0.5)) == pytest.approx(300.0)
    assert target_cycle_time_sec(None) is None
    with pytest.raises(ValueError, match="baseline_cycle_time_sec"):
        target_cycle_time_sec(-1.0)
    with pytest.raises(ValueError, match="baseline_cycle_time_sec"):
        target_cycle_time_sec(float("nan"))


# S9 exactly at every boundary: uplift 0.10, p95 1200 ms, error 0.5 %, coverage 20 %, SLA 4 h, rollback 10 min.
S9_AT_BOUNDARY = dict(
    offline_quality_score=0.80,
    baseline_quality_score=0.70,
    shadow_p95_latency_ms=1200.0,
    shadow_error_rate=0.005,
    review_coverage=0.20,
    escalation_sla_hours=4.0,
    canary_enabled=True,
    rollback_time_min=10.0,
)


@pytest.mark.parametrize(
    ("changes", "decision", "failed"),
    [
        ({}, "pass", []),
        ({"offline_quality_score": 0.7999}, "fail", ["offline_eval.quality_score"]),
        ({"offline_quality_score": 0.3, "baseline_quality_score": 0.2}, "pass", []),  # 0.2 + 0.1 in floats
        ({"offline_quality_score": 0.75}, "fail", ["offline_eval.quality_score"]),
        ({"shadow_p95_latency_ms": 1200.5}, "fail", ["shadow_mode.p95_latency_ms"]),
        ({"shadow_error_rate": 0.0051}, "fail", ["shadow_mode.error_rate"]),
        ({"review_coverage": 0.1999}, "fail", ["hitl.review_coverage"]),
        ({"review_coverage": 1.0}, "pass", []),
        ({"escalation_sla_hours": 4.01}, "fail", ["hitl.escalation_sla_hours"]),
        ({"canary_enabled": False}, "fail", ["rollback.canary_enabled"]),
        ({"rollback_time_min": 10.5}, "fail", ["rollback.rollback_time_min"]),
    ],
)
def test_s9_quality_gates_truth_table(changes, decision, failed):
    result = quality_gates(_metrics(S9_AT_BOUNDARY, **changes))
    assert result.decision == decision
    assert [check.name for check in result.failed_checks] == failed


def test_s9_check_names_and_sub_gates():
    result = quality_gates(_metrics(S9_AT_BOUNDARY, review_coverage=0.1, rollback_time_min=None))
    prefixes = {check.name.split(".")[0] for check in result.checks}
    assert prefixes == {"offline_eval", "shadow_mode", "hitl", "rollback"}
    assert result.decision == "fail"
    assert sub_gate_decisions(result) == {
        "offline_eval": "pass", "shadow_mode": "pass", "hitl": "fail", "rollback": "incomplete",
    }
    offline = result.checks[0]
    assert offline.threshold == pytest.approx(0.80)


@pytest.mark.parametrize("field", list(S9_AT_BOUNDARY))
def test_s9_missing_input_is_incomplete(field):
    result = quality_gates(_metrics(S9_AT_BOUNDARY, **{field: None}))
    assert result.decision == "incomplete"
    assert result.missing == (field,)


# S10 canary exactly at every limit: 3000 ms, proxy 0.02, 0.08 $/request → ramp (rollback only when strictly greater).
CANARY_AT_BOUNDARY = dict(canary_p95_latency_ms=3000.0, hallucination_proxy=0.02, cost_per_request_usd=0.08)


@pytest.mark.parametrize(
    ("changes", "decision", "failed"),
    [
        ({}, "ramp", []),
        ({"canary_p95_latency_ms": 3000.01}, "rollback", ["canary_p95_latency_ms"]),
        ({"hallucination_proxy": 0.0201}, "rollback", ["hallucination_proxy"]),
        ({"cost_per_request_usd": 0.0801}, "rollback", ["cost_per_request_usd"]),
        ({"canary_p95_latency_ms": 10.0, "hallucination_proxy": 0.0, "cost_per_request_usd": 0.0}, "ramp", []),
        ({"canary_p95_latency_ms": None}, "incomplete", []),
        ({"canary_p95_latency_ms": None, "cost_per_request_usd": 0.5}, "rollback", ["cost_per_request_usd"]),
    ],
)
def test_s10_canary_truth_table(changes, decision, failed):
    result = canary(_metrics(CANARY_AT_BOUNDARY, **changes))
    assert result.decision == decision
    assert [check.name for check in result.failed_checks] == failed


def test_s10_canary_notes():
    assert canary(GateMetrics(**CANARY_AT_BOUNDARY)).note == "ramp traffic from 5% to 25%"
    assert "previous release" in canary(_metrics(CANARY_AT_BOUNDARY, hallucination_proxy=0.5)).summary
    assert canary(GateMetrics()).missing == ("canary_p95_latency_ms", "hallucination_proxy", "cost_per_request_usd")


# S17: strict comparisons — adoption < 0.4, weeks > 6, roi > 0.2, p95 < 1200 ms, drift < 2.
S17_SCALE = dict(observed_adoption=0.5, weeks_since_pilot_start=8.0, p95_latency_ms=900.0, drift_alerts_per_week=1.0)


@pytest.mark.parametrize(
    ("changes", "roi", "decision"),
    [
        ({}, 2.85, "scale"),
        ({"observed_adoption": 0.39}, 2.85, "stop_or_re-scope"),
        ({"observed_adoption": 0.4}, 2.85, "scale"),  # 0.4 is not < 0.4
        ({"observed_adoption": 0.39, "weeks_since_pilot_start": 6.0}, 2.85, "scale"),  # 6 is not > 6
        ({"observed_adoption": 0.39, "weeks_since_pilot_start": 6.5}, 2.85, "stop_or_re-scope"),
        ({"observed_adoption": 0.1, "weeks_since_pilot_start": 2.0}, 0.1, "iterate"),
        ({}, 0.2, "iterate"),  # roi 0.2 is not > 0.2
        ({}, 0.2000001, "scale"),
        ({"p95_latency_ms": 1200.0}, 2.85, "iterate"),  # 1200 is not < 1200
        ({"p95_latency_ms": 1199.9}, 2.85, "scale"),
        ({"drift_alerts_per_week": 2.0}, 2.85, "iterate"),  # 2 is not < 2
        ({"drift_alerts_per_week": 1.9}, 2.85, "scale"),
        ({}, -0.39, "iterate"),
    ],
)
def test_s17_scale_or_kill_truth_table(changes, roi, decision):
    assert scale_or_kill(_metrics(S17_SCALE, **changes), roi).decision == decision


@pytest.mark.parametrize(
    ("changes", "roi", "decision", "missing"),
    [
        ({"observed_adoption": None}, 2.85, "incomplete", ("observed_adoption",)),
        # adoption ≥ 0.4 rules out the stop, yet "scale" is a pass and a pass needs every input
        ({"weeks_since_pilot_start": None}, 2.85, "incomplete", ("weeks_since_pilot_start",)),
        ({"observed_adoption": 0.3, "weeks_since_pilot_start": None}, 2.85, "incomplete",
         ("weeks_since_pilot_start",)),
        ({}, None, "incomplete", ("roi",)),
        ({}, float("nan"), "incomplete", ("roi",)),
        ({"p95_latency_ms": None}, 0.1, "iterate", ("p95_latency_ms",)),  # roi already fails
        ({"drift_alerts_per_week": None}, 2.85, "incomplete", ("drift_alerts_per_week",)),
    ],
)
def test_s17_missing_inputs(changes, roi, decision, missing):
    result = scale_or_kill(_metrics(S17_SCALE, **changes), roi)
    assert result.decision == decision
    assert result.missing == missing


def test_s17_thresholds_editable_and_bad_roi():
    lenient = Thresholds(scale_min_roi=-1.0)
    assert scale_or_kill(GateMetrics(**S17_SCALE), -0.39, lenient).decision == "scale"
    with pytest.raises(ValueError, match="roi"):
        scale_or_kill(GateMetrics(**S17_SCALE), float("inf"))
    with pytest.raises(ValueError, match="roi"):
        scale_or_kill(GateMetrics(**S17_SCALE), "2.0")


ALL_PRESENT = dict(model_card=True, data_sheet=True, audit_trail_complete=True, least_privilege=True,
                   deletion_concept=True, incident_process=True)


@pytest.mark.parametrize(
    ("changes", "risk_class", "decision"),
    [
        ({}, "minimal", "deploy"),
        ({}, "limited", "deploy"),
        ({}, "high", "deploy"),
        ({}, "prohibited", "no_deploy"),
        *[({item: False}, "minimal", "no_deploy") for item in ALL_PRESENT],
        *[({item: None}, "minimal", "incomplete") for item in ALL_PRESENT],
        ({"model_card": None}, "prohibited", "no_deploy"),
        ({"model_card": False, "data_sheet": None}, "limited", "no_deploy"),
    ],
)
def test_s11_go_live_compliance_truth_table(changes, risk_class, decision):
    result = go_live_compliance(ComplianceChecklist(**{**ALL_PRESENT, **changes}), risk_class)
    assert result.decision == decision


def test_s11_lists_missing_and_rejects_unknown_risk_class():
    result = go_live_compliance(ComplianceChecklist(model_card=True), "limited")
    assert result.missing == ("data_sheet", "audit_trail_complete", "least_privilege", "deletion_concept",
                              "incident_process")
    with pytest.raises(ValueError, match="risk_class"):
        go_live_compliance(ComplianceChecklist(**ALL_PRESENT), "unacceptable")


@pytest.mark.parametrize(
    ("latency", "hallucination", "drift", "decision"),
    [
        (2000.0, 0.03, 0.2, "ok"),  # alerts only when strictly above
        (2000.1, 0.03, 0.2, "alert"),
        (2000.0, 0.0301, 0.2, "alert"),
        (2000.0, 0.03, 0.21, "alert"),
        (None, 0.01, 0.1, "incomplete"),
        (None, 0.5, None, "alert"),
    ],
)
def test_s10_monitoring_alerts(latency, hallucination, drift, decision):
    assert monitoring_alerts(latency, hallucination, drift).decision == decision


def test_s10_monitoring_thresholds_and_bad_values():
    assert monitoring_alerts(1500.0, 0.0, 0.0, Thresholds(alert_max_latency_ttfb_p95_ms=1000.0)).decision == "alert"
    with pytest.raises(ValueError, match="hallucination_rate_weekly"):
        monitoring_alerts(hallucination_rate_weekly=1.5)
    with pytest.raises(ValueError, match="latency_ttfb_p95_ms"):
        monitoring_alerts(latency_ttfb_p95_ms=float("nan"))
    with pytest.raises(ValueError, match="model_drift_score"):
        monitoring_alerts(model_drift_score="0.1")


def test_check_and_result_are_frozen_and_summarise():
    result = poc_to_pilot(_metrics(POC_AT_BOUNDARY, precision=0.9, baseline_cycle_time_sec=None))
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.decision = "go"
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.checks[0].passed = True
    assert result.summary == "stop: precision 0.9 (needs ≥ 0.92); missing no baseline (baseline_cycle_time_sec)"
    passing = poc_to_pilot(_metrics(POC_AT_BOUNDARY))
    assert passing.summary == "go: 6 of 6 checks passed"
    assert poc_to_pilot(GateMetrics()).summary.startswith(f"incomplete: missing {NO_BASELINE}, precision")
    check = Check("x", None, 1.0, ">=", None)
    assert check.text == "x: missing"
    assert GateResult("poc_to_pilot", "go", ()).failed_checks == ()


SCORING = ScoringInputs(cycle_time_reduction=0.3, cost_reduction=0.2, error_reduction=0.25, data_availability=0.8,
                        integration_effort=0.3, compliance_risk=0.2, change_effort=0.3)


def _use_case(**changes):
    # ``gate_metrics=`` stands for one measurement of them (migrate_gate_metrics).
    return UseCase(**migrate_gate_metrics({"id": "chatbot", "name": "Support chatbot", "scoring": SCORING,
                                           "roi": S15_BASE, **changes}))


def test_evaluate_all_on_a_use_case():
    metrics = GateMetrics(**POC_AT_BOUNDARY, **S9_AT_BOUNDARY, **CANARY_AT_BOUNDARY, **S17_SCALE)
    use_case = _use_case(gate_metrics=metrics, compliance=ComplianceChecklist(**ALL_PRESENT),
                         eu_ai_act_risk_class="limited", phase="pilot")
    results = evaluate_all(use_case)
    assert tuple(results) == GATE_KEYS
    assert {key: result.decision for key, result in results.items()} == {
        "poc_to_pilot": "go", "quality_gates": "pass", "canary": "ramp", "scale_or_kill": "scale",
        "go_live_compliance": "deploy",
    }
    roi_check = next(check for check in results["scale_or_kill"].checks if check.name == "roi")
    assert roi_check.actual == pytest.approx(51_378 / 18_000)  # S15 base roi 2.85433…
    assert all(result.passed for result in results.values())


def test_evaluate_all_on_an_empty_use_case_and_zero_run_cost():
    results = evaluate_all(_use_case(roi=S15_BASE.model_copy(update={"run_cost_eur_per_month": 0.0})))
    assert {result.decision for result in results.values()} == {"incomplete"}
    assert "roi" in results["scale_or_kill"].missing
    assert NO_BASELINE in results["poc_to_pilot"].missing


def test_evaluate_all_uses_given_thresholds():
    metrics = GateMetrics(**POC_AT_BOUNDARY)
    results = evaluate_all(_use_case(gate_metrics=metrics), Thresholds(poc_min_precision=0.95))
    assert results["poc_to_pilot"].decision == "stop"


@pytest.mark.parametrize(
    ("phase", "gate"),
    [("discovery", "poc_to_pilot"), ("data_risk", "poc_to_pilot"), ("poc", "poc_to_pilot"),
     ("pilot", "quality_gates"), ("production", "go_live_compliance"), ("scale", "scale_or_kill")],
)
def test_next_gate_per_phase(phase, gate):
    assert next_gate(_use_case(phase=phase)) == gate


def test_s13_phase_gates_data():
    assert tuple(PHASE_GATES) == PHASES
    assert [gate.number for gate in PHASE_GATES.values()] == [1, 2, 3, 4, 5, 6]
    for gate in PHASE_GATES.values():
        for text in (gate.title_en, gate.title_de, gate.gate_en, gate.gate_de, gate.milestone_en,
                     gate.milestone_de, gate.definition_of_done_en, gate.definition_of_done_de):
            assert text.strip()
        assert gate.gate_key in GATE_KEYS
    assert PHASE_GATES["discovery"].gate_de == "Scope freeze + Erfolgskriterium in Zahlen"
    assert PHASE_GATES["poc"].duration_weeks == (2, 6)
    assert PHASE_GATES["pilot"].duration_weeks == (6, 12)
    assert PHASE_GATES["production"].duration_weeks == (4, 10)
    assert [PHASE_GATES[p].milestone_en for p in PHASES[:5]] == [
        "Scope fixed", "Risk/Data ready", "PoC passed", "Pilot live", "Production",
    ]


def test_scale_needs_measured_adoption_even_early_in_the_pilot():
    # S17 alone would say "scale" (weeks ≤ 6 makes adoption irrelevant), but a pass on a missing KPI is not allowed.
    early = GateMetrics(weeks_since_pilot_start=3, p95_latency_ms=900, drift_alerts_per_week=1)
    result = scale_or_kill(early, roi=2.85)
    assert result.decision == "incomplete"
    assert "observed_adoption" in result.missing
    assert scale_or_kill(early.model_copy(update={"observed_adoption": 0.2}), roi=2.85).decision == "scale"
    assert scale_or_kill(early, roi=0.1).decision == "iterate"  # a failed condition still decides
