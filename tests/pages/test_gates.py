"""AppTest for the Gates page (S5 + S2, S9, S10, S17, S11 decisions, S13 roadmap, thresholds, audit)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from core import gates, verdict
from core.models import Thresholds
from core.store import Store
from tests.pages.conftest import assert_clean, open_page
from ui import state
from ui.i18n import translate

PAGE = "pages/7_Gates.py"
PICKER = "w.picker.use_case"
BADGE = re.compile(r":[a-z]+-badge\[:material/[a-z_]+: (.*)\]")


def _open(use_case_id: str, language: str | None = None, gate: str | None = None):
    at = open_page(PAGE, language=language)
    at.session_state[state.UI_PREFIX + "open.gates.decide"] = True  # "Record decision" draws its form when open
    at.selectbox(key=PICKER).set_value(use_case_id).run()
    if gate:
        at.segmented_control(key="w.gates.gate").set_value(gate).run()
    return at


def _assert_clean(at) -> None:
    """No exception; the only error boxes are failing gate decisions ("**<gate>: <decision>**")."""
    assert not at.exception, [item.value for item in at.exception]
    for error in at.error:
        assert error.value.startswith("**") and ": " in error.value.split("\n")[0], error.value


def _badges(at) -> list[str]:
    """Decision labels of the five summary badges, in ``core.verdict.GATE_SEQUENCE`` order."""
    matches = [BADGE.fullmatch(item.value) for item in at.markdown]
    return [match.group(1) for match in matches if match][:5]


def _expected(store: Store, sample_id: str, use_case_id: str) -> dict[str, gates.GateResult]:
    loaded = store.load(sample_id)
    return gates.evaluate_all(loaded.workspace.use_case(use_case_id), loaded.workspace.thresholds)


def _standings(store: Store, sample_id: str, use_case_id: str) -> dict[str, verdict.GateStanding]:
    use_case = store.load(sample_id).workspace.use_case(use_case_id)
    return verdict.gate_sequence(_expected(store, sample_id, use_case_id), verdict.worst_case_survives(use_case))


@pytest.mark.parametrize(
    ("use_case_id", "language"),
    [("support-chatbot", "en"), ("contract-clause-search", "en"), ("quality-inspection", "de"),
     ("meeting-minutes", "en"), ("demand-forecasting", "de")],
)
def test_every_gate_shows_the_core_decision(store: Store, sample_id: str, use_case_id: str, language: str) -> None:
    at = _open(use_case_id, language)
    _assert_clean(at)
    expected = _standings(store, sample_id, use_case_id)
    assert _badges(at) == [translate(f"an.decision.{expected[key].decision}", language)
                           for key in verdict.GATE_SEQUENCE]


def test_after_a_failed_quality_gate_the_later_gates_are_blocked(store: Store, sample_id: str) -> None:
    # quality-inspection: PoC → Pilot "go", quality gates "fail"; go-live, canary and scale or kill wait for it.
    at = _open("quality-inspection")
    _assert_clean(at)
    assert _badges(at) == ["Go", "Fail", "Blocked", "Blocked", "Blocked"]
    assert at.caption.values.count("Blocked by an earlier gate: Quality gates.") == 3
    assert any(info.value.startswith("**Status:** Stopped at Quality gates (failed)") for info in at.info)
    at.segmented_control(key="w.gates.gate").set_value("canary").run()
    assert any(info.value.startswith("**Canary: Blocked**") and "Quality gates has not passed" in info.value
               for info in at.info)


def test_scale_or_kill_names_the_s16_worst_case(store: Store, sample_id: str) -> None:
    # The sample chatbot: S17 alone says scale, S16 says PoC with an expiry date: one verdict, "Iterate".
    assert _expected(store, sample_id, "support-chatbot")["scale_or_kill"].decision == "scale"
    at = _open("support-chatbot", gate="scale_or_kill")
    assert _badges(at)[4] == "Iterate"
    banner = next(item.value for item in at.warning if item.value.startswith("**Scale or kill: Iterate**"))
    assert "S16 worst case: it does not survive" in banner and "PoC with an expiry date" in banner


def test_check_table_shows_actual_threshold_and_result(store: Store, sample_id: str) -> None:
    at = _open("contract-clause-search")
    expected = _expected(store, sample_id, "contract-clause-search")["poc_to_pilot"]
    assert expected.decision == "stop"
    table = at.dataframe[0].value
    assert list(table.columns) == ["Check", "Actual", "Needs", "Result"]
    needs = dict(zip(table["Check"], table["Needs"], strict=True))
    assert needs["Precision"] == "≥ 92.0%"
    assert needs["p99 answer latency"] == "≤ 1,200 ms"
    assert needs["Baseline cycle time (S2)"] == "must be present"
    assert len(table) == len(expected.checks)
    failed = {check.name for check in expected.failed_checks}
    assert failed
    results = dict(zip(table["Check"], table["Result"], strict=True))
    for check in expected.checks:
        shown = list(results[translate(f"an.check.{check.name}", "en")])
        assert shown == ["fail" if check.name in failed else "pass" if check.passed else "missing"]
    assert any(error.value.startswith("**PoC → Pilot: Stop**") for error in at.error)


def test_editing_a_metric_saves_it_and_changes_the_decision(store: Store, sample_id: str) -> None:
    at = _open("support-chatbot", gate="poc_to_pilot")
    before, _ = store.get_use_case(sample_id, "support-chatbot")
    at.text_input(key="w.gates.support-chatbot.precision").input("90").run()
    _assert_clean(at)
    saved, _ = store.get_use_case(sample_id, "support-chatbot")
    assert saved.gate_metrics.precision == 0.9
    # S22: a value typed today is today's measurement; the values measured before stay in the series.
    assert saved.measurements[:-1] == before.measurements
    assert (saved.measurements[-1].measured_on, saved.measurements[-1].gate_metrics.precision) == (
        datetime.now(UTC).date(), 0.9)
    # S5: precision 0.90 < 0.92 → stop, even with every other check passing.
    assert _badges(at)[0] == "Stop"
    assert any(error.value.startswith("**PoC → Pilot: Stop**") for error in at.error)

    at.text_input(key="w.gates.support-chatbot.baseline_cycle_time_sec").input("").run()
    at.text_input(key="w.gates.support-chatbot.precision").input("95 %").run()
    saved, _ = store.get_use_case(sample_id, "support-chatbot")
    assert saved.gate_metrics.baseline_cycle_time_sec is None
    assert len(saved.measurements) == len(before.measurements) + 1, "a second value today goes into today's"
    assert saved.measurements[-1].gate_metrics.precision == 0.95
    # S2: without a baseline the gate can never pass; it is incomplete and names the baseline.
    assert _badges(at)[0] == "Incomplete"
    assert any("Missing: no baseline" in info.value for info in at.info)


def test_compliance_item_and_risk_class_drive_go_live(store: Store, sample_id: str) -> None:
    at = _open("support-chatbot", gate="go_live_compliance")
    at.selectbox(key="w.gates.support-chatbot.compliance.model_card").set_value("no").run()
    assert store.get_use_case(sample_id, "support-chatbot")[0].compliance.model_card is False
    assert _badges(at)[2:] == ["No deploy", "Blocked", "Blocked"]
    at.selectbox(key="w.gates.support-chatbot.compliance.model_card").set_value("yes").run()
    assert _badges(at)[2] == "Deploy"
    at.selectbox(key="w.gates.support-chatbot.compliance.incident_process").set_value("unknown").run()
    assert store.get_use_case(sample_id, "support-chatbot")[0].compliance.incident_process is None
    assert _badges(at)[2] == "Incomplete"
    at.selectbox(key="w.gates.support-chatbot.risk_class").set_value("prohibited").run()
    assert store.get_use_case(sample_id, "support-chatbot")[0].eu_ai_act_risk_class == "prohibited"
    assert _badges(at)[2] == "No deploy"


def test_record_decision_records_a_persons_decision_not_the_computed_result(store: Store, sample_id: str) -> None:
    at = _open("contract-clause-search")
    prefix = "w.gates.decide.poc_to_pilot"
    at.selectbox(key=f"{prefix}.decision").set_value("stop")
    next(button for button in at.button if button.label == "Record decision").click().run()
    assert any("Say who decided" in item.value for item in [*at.error, *at.warning])
    at.text_input(key=f"{prefix}.by").input("Dr. K. Brandt")
    at.text_area(key=f"{prefix}.rationale").input("Precision 0.85 after two labelling rounds; no path to 0.92.")
    next(button for button in at.button if button.label == "Record decision").click().run()
    _assert_clean(at)
    decisions = store.get_use_case(sample_id, "contract-clause-search")[0].gate_decisions
    assert [(d.gate, d.decision, d.computed_decision, d.decided_by) for d in decisions] == [
        ("poc_to_pilot", "stop", "stop", "Dr. K. Brandt")]
    assert _expected(store, sample_id, "contract-clause-search")["poc_to_pilot"].decision == "stop"
    assert any(item.value == "Recorded: PoC → Pilot → Stop." for item in at.success)
    assert any(caption.value.startswith("Last recorded: Stop by Dr. K. Brandt") for caption in at.caption)


def test_thresholds_are_editable_and_reset(store: Store, sample_id: str) -> None:
    at = _open("support-chatbot")
    assert not [item for item in at.text_input if item.key.startswith("w.gates.threshold.")]
    at.toggle(key="w.gates.show_thresholds").set_value(True).run()
    at.text_input(key="w.gates.threshold.poc_min_precision").input("95").run()
    assert store.load(sample_id).workspace.thresholds.poc_min_precision == 0.95
    # The chatbot's precision 0.94 now misses the raised bar.
    assert _badges(at)[0] == "Stop"
    next(button for button in at.button if button.label == "Reset to defaults").click().run()
    assert_clean(at)
    assert store.load(sample_id).workspace.thresholds == Thresholds()
    assert _badges(at)[0] == "Go"


def test_roadmap_marks_the_current_phase(store: Store, sample_id: str) -> None:
    at = _open("quality-inspection", "de")
    phase = store.get_use_case(sample_id, "quality-inspection")[0].phase
    current = gates.PHASE_GATES[phase]
    markdown = [item.value for item in at.markdown]
    card = next(value for value in markdown if value.startswith(f"**{current.number} · {current.title_de}**\n"))
    assert ":blue-badge[:material/my_location: aktuelle Phase]" in card
    assert sum("aktuelle Phase]" in value for value in markdown) == 1
    assert any(current.definition_of_done_de in caption.value for caption in at.caption)


def test_detail_opens_on_the_gate_the_phase_heads_for(store: Store, sample_id: str) -> None:
    at = _open("support-chatbot")
    # Phase pilot heads for the S9 quality gates.
    assert at.segmented_control(key="w.gates.gate").value == "quality_gates"
    checks = at.dataframe[0].value["Check"].tolist()
    assert checks[0] == "Offline eval: quality ≥ baseline + uplift"
    at.segmented_control(key="w.gates.gate").set_value("canary").run()
    assert at.dataframe[0].value["Check"].tolist() == ["Canary p95 latency", "Hallucination proxy", "Cost per request"]
    assert any("Ramp traffic from 5% to 25%." in item.value for item in at.success)


def test_the_s22_review_and_behind_plan_settings_are_editable(store: Store, sample_id: str) -> None:
    at = _open("support-chatbot", "de")
    at.toggle(key="w.gates.show_thresholds").set_value(True).run()
    at.text_input(key="w.gates.threshold.review_every_days_pilot").input("10").run()
    at.text_input(key="w.gates.threshold.behind_plan_min_share").input("60").run()
    thresholds = store.load(sample_id).workspace.thresholds
    assert (thresholds.review_every_days_pilot, thresholds.behind_plan_min_share) == (10, 0.6)
    at.text_input(key="w.gates.threshold.behind_plan_reviews").input("2,5").run()
    assert store.load(sample_id).workspace.thresholds.behind_plan_reviews == 2, "a count of reviews is whole"
    refusal = " ".join(item.value for item in at.error) + " ".join(item.value for item in at.caption)
    assert "ganze Zahl" in refusal, refusal
