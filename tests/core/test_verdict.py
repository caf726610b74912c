"""One verdict (docs/VERDICTS.md): the gates in S13 sequence, S17 with the S16 worst case, one status sentence."""

import pytest

from core.gates import GateResult, evaluate_all
from core.models import GateMetrics, Scenario, ScoringInputs, UseCase, migrate_gate_metrics
from core.sensitivity import run_scenarios
from core.store.documents import parse_workspace_json
from core.store.workspaces import SAMPLE_WORKSPACE_PATH
from core.verdict import (
    BLOCKED,
    GATE_SEQUENCE,
    SENTENCES,
    UseCaseStatus,
    gate_sequence,
    status_sentence,
    use_case_status,
    worst_case_survives,
)
from tests.core.conftest import S15_BASE

SAMPLE = parse_workspace_json(SAMPLE_WORKSPACE_PATH.read_bytes())


def _results(**decisions: str) -> dict[str, GateResult]:
    passing = {"poc_to_pilot": "go", "quality_gates": "pass", "go_live_compliance": "deploy", "canary": "ramp",
               "scale_or_kill": "scale"}
    return {gate: GateResult(gate, decisions.get(gate, passing[gate]), ()) for gate in GATE_SEQUENCE}


def test_a_failed_quality_gate_blocks_every_later_gate():
    standings = gate_sequence(_results(quality_gates="fail"), worst_case_survives=True)
    assert standings["poc_to_pilot"].decision == "go" and standings["quality_gates"].decision == "fail"
    for gate in ("go_live_compliance", "canary", "scale_or_kill"):
        assert standings[gate].decision == BLOCKED and standings[gate].blocked_by == "quality_gates"
        assert not standings[gate].passed
    assert standings["canary"].own_decision == "ramp"  # its own checks still show


def test_scale_counts_only_when_the_s16_worst_case_survives():
    assert gate_sequence(_results(), worst_case_survives=True)["scale_or_kill"].decision == "scale"
    assert gate_sequence(_results(), worst_case_survives=False)["scale_or_kill"].decision == "iterate"


def test_the_sample_chatbot_is_one_verdict_on_gates_and_sensitivity():
    chatbot = SAMPLE.use_case("support-chatbot")
    assert evaluate_all(chatbot, SAMPLE.thresholds)["scale_or_kill"].decision == "scale"  # S17 alone
    assert run_scenarios(chatbot.roi, chatbot.scenarios).attrs["verdict"] == "PoC with expiry date"  # S16
    status = use_case_status(chatbot, SAMPLE.thresholds)
    assert status == UseCaseStatus("not_scale_candidate", "scale_or_kill", "iterate")
    assert "PoC with an expiry date" in status_sentence(status, "en")
    assert "PoC mit Ablaufdatum" in status_sentence(status, "de")


def test_the_pandas_free_worst_case_agrees_with_the_s16_verdict_for_every_sample_use_case():
    for use_case in SAMPLE.use_cases:
        verdict = run_scenarios(use_case.roi, use_case.scenarios).attrs["verdict"]
        assert worst_case_survives(use_case) == (verdict == "scale candidate"), use_case.id


def test_status_of_the_sample_use_cases():
    kinds = {case.id: use_case_status(case, SAMPLE.thresholds).kind for case in SAMPLE.use_cases}
    assert kinds["ticket-classification"] == "scale"
    assert kinds["quality-inspection"] == "stopped"
    assert kinds["invoice-extraction"] == "stopped"
    assert kinds["hr-policy-assistant"] == "waiting"


def test_waiting_counts_the_missing_inputs_and_says_so_in_both_languages():
    use_case = UseCase(**migrate_gate_metrics(dict(id="x", name="X", scoring=ScoringInputs(**dict.fromkeys(
        ("cycle_time_reduction", "cost_reduction", "error_reduction", "data_availability", "integration_effort",
         "compliance_risk", "change_effort"), 0.5)), roi=S15_BASE,
        gate_metrics=GateMetrics(precision=0.95), scenarios=(Scenario(name="base"),))))
    status = use_case_status(use_case)
    assert status.kind == "waiting" and status.gate == "poc_to_pilot" and status.missing_count == 6
    assert status_sentence(status, "en") == "Waiting for PoC → Pilot: 6 inputs are missing."
    assert status_sentence(status, "de") == "Wartet auf PoC → Pilot: 6 Eingaben fehlen."


@pytest.mark.parametrize("kind", sorted(SENTENCES))
def test_every_sentence_exists_in_both_languages(kind):
    status = UseCaseStatus(kind, None if kind == "scale" else "canary", "rollback", 1)
    assert status_sentence(status, "en") != status_sentence(status, "de")


def test_status_sentence_refuses_an_unknown_language():
    with pytest.raises(ValueError, match="language"):
        status_sentence(UseCaseStatus("scale", None, "scale"), "fr")


def test_the_vectorised_worst_case_equals_the_one_at_a_time_for_every_sample_use_case():
    from core.verdict import worst_cases_survive

    one_by_one = [worst_case_survives(case) for case in SAMPLE.use_cases]
    assert worst_cases_survive(SAMPLE.use_cases).tolist() == one_by_one
    assert worst_cases_survive(()).tolist() == []
