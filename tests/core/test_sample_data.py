"""The shipped sample data: a valid, varied portfolio and a realistic CRM table (S1–S18, S7)."""

from pathlib import Path

import pandas as pd
import pytest

from core import gates
from core.models import PHASES, Workspace
from core.roi import compute_roi
from core.scoring import QUADRANTS, score_portfolio

SAMPLE_DATA = Path(__file__).resolve().parents[2] / "sample_data"


@pytest.fixture(scope="module")
def workspace() -> Workspace:
    return Workspace.model_validate_json((SAMPLE_DATA / "workspace.json").read_text(encoding="utf-8"))


def test_workspace_has_the_expected_name_and_size(workspace):
    assert workspace.name == "Beispiel GmbH – KI-Portfolio"
    assert 8 <= len(workspace.use_cases) <= 12


def test_support_chatbot_reproduces_the_s15_worked_example(workspace):
    chatbot = workspace.use_case("support-chatbot")
    result = compute_roi(chatbot.roi)
    assert result.value_time == pytest.approx(63_240.0)  # 50,000 × 0.62 × 2.4 × 0.85
    assert result.value_quality == pytest.approx(6_138.0)  # 50,000 × 0.62 × 1.10 × 0.18
    assert result.roi == pytest.approx(51_378.0 / 18_000.0)  # 2.85433…


def test_support_chatbot_carries_the_s2_kpi_set_and_s14_raci(workspace):
    chatbot = workspace.use_case("support-chatbot")
    targets = {(kpi.group, kpi.target_value) for kpi in chatbot.kpi_set}
    assert targets == {
        ("value", -30.0), ("value", -20.0), ("quality", 25.0), ("quality", 0.92),
        ("adoption", 40.0), ("risk", 1.0),
    }
    assert [row.deliverable for row in chatbot.raci] == [
        "Use case + KPI set", "Data readiness + access", "Offline eval + model card", "MLOps + monitoring + rollback",
    ]
    assert [row.accountable for row in chatbot.raci] == [("PO",), ("Data Steward",), ("ML Eng",), ("Ops",)]


def test_every_s13_phase_appears(workspace):
    assert {case.phase for case in workspace.use_cases} == set(PHASES)


def test_risk_classes_vary_and_none_is_prohibited(workspace):
    assert {case.eu_ai_act_risk_class for case in workspace.use_cases} == {"minimal", "limited", "high"}


def test_all_four_quadrants_appear_with_at_least_three_quick_wins(workspace):
    frame = score_portfolio(workspace.use_cases, workspace.weights)
    assert set(frame["quadrant"]) == set(QUADRANTS)
    assert (frame["quadrant"] == "quick_win").sum() >= 3


def test_some_use_cases_lose_money(workspace):
    rois = [compute_roi(case.roi).roi for case in workspace.use_cases]
    assert any(roi < 0 for roi in rois)
    assert any(roi > 0.2 for roi in rois)


def test_timestamps_are_fixed_in_2026(workspace):
    for case in workspace.use_cases:
        assert case.created_at.year == case.updated_at.year == 2026
        assert case.created_at.utcoffset().total_seconds() == 0


def test_dpia_triggers_solution_profiles_and_inference_inputs_vary(workspace):
    cases = workspace.use_cases
    assert any(any(case.dpia.model_dump().values()) for case in cases)
    assert any(not any(case.dpia.model_dump().values()) for case in cases)
    assert len({case.solution_profile for case in cases}) >= 4
    assert sum(case.inference is not None for case in cases) >= 3
    assert all(any(item.evidence for item in case.readiness) for case in cases)


def test_gate_outcomes_cover_every_decision_kind(workspace):
    expected = {
        "poc_to_pilot": {"go", "stop", "incomplete"},
        "quality_gates": {"pass", "fail", "incomplete"},
        "canary": {"ramp", "rollback", "incomplete"},
        "scale_or_kill": {"scale", "iterate", "stop_or_re-scope", "incomplete"},
        "go_live_compliance": {"deploy", "no_deploy", "incomplete"},
    }
    results = {case.id: gates.evaluate_all(case, workspace.thresholds) for case in workspace.use_cases}
    for gate, decisions in expected.items():
        assert {outcome[gate].decision for outcome in results.values()} == decisions, gate


def test_a_use_case_without_baseline_is_blocked_not_passed(workspace):
    result = gates.poc_to_pilot(workspace.use_case("email-triage").gate_metrics, workspace.thresholds)
    assert result.decision == "incomplete"
    assert any("baseline_cycle_time_sec" in name for name in result.missing)


def test_crm_sample_table_shape_missing_values_and_duplicates():
    frame = pd.read_csv(SAMPLE_DATA / "crm_cases.csv")
    assert len(frame) == 2_000
    assert {"case_id", "customer_id", "channel", "category", "priority", "first_response_min",
            "resolution_hours", "satisfaction", "agent", "updated_at"} <= set(frame.columns)
    assert frame.duplicated().mean() == pytest.approx(0.03)  # 60 copied rows of 2,000
    assert frame["updated_at"].isna().any()
    assert frame.isna().mean().max() > 0.05
