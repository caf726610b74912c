"""Stop/go gates (S2, S5, S9, S10, S11, S17) and the S13 phase gates as data.

Every gate returns a :class:`GateResult` whose checks say which measured value broke which threshold.
Rule for all gates: a failing measured check decides the failure even if other inputs are missing;
otherwise any missing input gives "incomplete", never a pass on missing data.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, replace
from numbers import Real

from core.models import (
    RISK_CLASSES,
    ComplianceChecklist,
    GateMetrics,
    Phase,
    Thresholds,
    UseCase,
)
from core.plan_vs_actual import InputSource, effective_roi, s17_metrics
from core.roi import compute_roi

INCOMPLETE = "incomplete"
NO_BASELINE = "no baseline (baseline_cycle_time_sec)"
GATE_KEYS: tuple[str, ...] = ("poc_to_pilot", "quality_gates", "canary", "scale_or_kill", "go_live_compliance")
PASSING_DECISIONS: dict[str, str] = {
    "poc_to_pilot": "go",
    "quality_gates": "pass",
    "canary": "ramp",
    "scale_or_kill": "scale",
    "go_live_compliance": "deploy",
    "monitoring": "ok",
}
# S9 thresholds are sums such as 0.2 + 0.1 = 0.30000000000000004; a measured 0.3 must still pass.
DERIVED_THRESHOLD_TOLERANCE = 1e-12
COMPARATOR_SYMBOLS = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "==": "=", "!=": "≠", "present": "present"}

Value = float | bool | str | None


@dataclass(frozen=True, slots=True)
class Check:
    """One comparison ``actual comparator threshold``; ``passed`` is None when an input is missing."""

    name: str
    actual: Value
    threshold: Value
    comparator: str
    passed: bool | None

    @property
    def text(self) -> str:
        """Plain-English line, e.g. "precision 0.9 (needs ≥ 0.92)"."""
        if self.passed is None:
            return f"{self.name}: missing"
        if self.comparator == "present":
            return f"{self.name} {_format(self.actual)} (present)"
        needs = f"needs {COMPARATOR_SYMBOLS.get(self.comparator, self.comparator)} {_format(self.threshold)}"
        return f"{self.name} {_format(self.actual)} ({needs})"


@dataclass(frozen=True, slots=True)
class GateResult:
    """A gate's decision with every check and the names of missing inputs."""

    gate: str
    decision: str
    checks: tuple[Check, ...]
    missing: tuple[str, ...] = ()
    note: str = ""
    sources: tuple[InputSource, ...] = ()
    """S22: where the inputs of the checks come from: measured (and when), assumed, or computed from dates."""

    @property
    def failed_checks(self) -> tuple[Check, ...]:
        return tuple(check for check in self.checks if check.passed is False)

    @property
    def passed(self) -> bool:
        """True only for the gate's passing decision ("go", "pass", "ramp", "scale", "deploy", "ok")."""
        return self.decision == PASSING_DECISIONS.get(self.gate)

    @property
    def summary(self) -> str:
        """One short line, e.g. "stop: precision 0.9 (needs ≥ 0.92); missing risk_score"."""
        parts = [self.decision]
        if self.passed:
            measured = [check for check in self.checks if check.passed]
            parts.append(f"{len(measured)} of {len(self.checks)} checks passed")
        elif self.failed_checks:
            parts.append("; ".join(check.text for check in self.failed_checks))
        if self.missing:
            parts.append("missing " + ", ".join(self.missing))
        text = ": ".join(parts[:2]) + "".join(f"; {part}" for part in parts[2:])
        return f"{text} ({self.note})" if self.note else text


@dataclass(frozen=True, slots=True)
class PhaseGate:
    """S13 phase with the gate that ends it and its Definition-of-Done milestone, English and German.

    ``gate_key`` names the computed gate (a key of :func:`evaluate_all`) a use case in this phase heads for.
    """

    phase: Phase
    number: int
    title_en: str
    title_de: str
    gate_en: str
    gate_de: str
    milestone_en: str
    milestone_de: str
    definition_of_done_en: str
    definition_of_done_de: str
    duration_weeks: tuple[int, int] | None
    gate_key: str


# S13 names five milestones for six phases; the scale phase's milestone and Definition of Done come
# from the article's scale deliverables (template backlog, portfolio criteria, shared observability).
PHASE_GATES: dict[Phase, PhaseGate] = {
    gate.phase: gate
    for gate in (
        PhaseGate(
            "discovery", 1, "Discovery/Scoping", "Discovery/Scoping",
            "Scope freeze + success criterion in numbers", "Scope freeze + Erfolgskriterium in Zahlen",
            "Scope fixed", "Scope fixiert",
            "Use case + KPI set approved; baseline measured; out-of-scope documented",
            "Use Case + KPI-Set freigegeben; Baseline gemessen; Out-of-Scope dokumentiert",
            None, "poc_to_pilot",
        ),
        PhaseGate(
            "data_risk", 2, "Data & Risk Assessment", "Daten- und Risikobewertung",
            "Access granted, data quality minimally met, compliance owner signs",
            "Zugriffsrechte stehen, Datenqualität minimal erfüllt, Compliance-Owner unterschreibt",
            "Risk/Data ready", "Risiko und Daten bereit",
            "Data readiness OK; DPIA status clear; EU AI Act risk class documented",
            "Datenreife OK; DSFA-Status klar; EU-AI-Act-Risikoklasse dokumentiert",
            None, "poc_to_pilot",
        ),
        PhaseGate(
            "poc", 3, "PoC (proof of concept)", "PoC (Proof of Concept)",
            "Offline eval > baseline and risk delta accepted", "Offline-Eval > Baseline und Risiko-Delta akzeptiert",
            "PoC passed", "PoC bestanden",
            "Offline eval report; model card; reproducible build; cost estimate",
            "Offline-Eval-Report; Model Card; reproduzierbarer Build; Kostenabschätzung",
            (2, 6), "poc_to_pilot",
        ),
        PhaseGate(
            "pilot", 4, "Pilot", "Pilot",
            "Shadow mode stable, HITL quota falling, no open high-severity findings",
            "Shadow-Mode stabil, HITL-Quote sinkt, keine High-Severity Findings offen",
            "Pilot live", "Pilot live",
            "Shadow mode active; human-in-the-loop process; KPI dashboard; runbook v0",
            "Shadow-Mode aktiv; Human-in-the-Loop-Prozess; KPI-Dashboard; Runbook v0",
            (6, 12), "quality_gates",
        ),
        PhaseGate(
            "production", 5, "Productionization", "Produktivsetzung",
            "Rollback tested, on-call defined, auditability shown",
            "Rollback getestet, On-Call definiert, Auditierbarkeit nachweisbar",
            "Production", "Produktivbetrieb",
            "MLOps pipeline; monitoring p95/drift; rollback plan tested; audit logs",
            "MLOps-Pipeline; Monitoring p95/Drift; Rollback-Plan getestet; Audit-Logs",
            (4, 10), "go_live_compliance",
        ),
        PhaseGate(
            "scale", 6, "Scale/Portfolio", "Skalierung/Portfolio",
            "Every new use case starts with the same gates", "Jeder neue Use Case startet mit denselben Gates",
            "Portfolio standard", "Portfolio-Standard",
            "Template backlog; portfolio criteria; shared observability; standard model card check",
            "Template-Backlog; Portfolio-Kriterien; gemeinsame Observability; Standard-Model-Card-Check",
            None, "scale_or_kill",
        ),
    )
}


def _format(value: Value) -> str:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return str(value)
    return f"{value:g}"


def _is_number(value: object) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)


def _compare(actual: float | bool | str, comparator: str, threshold: float | bool | str) -> bool:
    if comparator == ">=":
        return actual >= threshold
    if comparator == "<=":
        return actual <= threshold
    if comparator == ">":
        return actual > threshold
    if comparator == "<":
        return actual < threshold
    if comparator == "==":
        return actual == threshold
    if comparator == "!=":
        return actual != threshold
    raise ValueError(f"comparator: unknown comparator {comparator!r}")


def _check(name: str, actual: Value, comparator: str, threshold: Value) -> Check:
    passed = None if actual is None or threshold is None else _compare(actual, comparator, threshold)
    return Check(name=name, actual=actual, threshold=threshold, comparator=comparator, passed=passed)


def _decide(gate: str, checks: Iterable[Check], missing: Iterable[str], on_fail: str, on_pass: str,
            notes: dict[str, str] | None = None) -> GateResult:
    checks, missing = tuple(checks), tuple(missing)
    if any(check.passed is False for check in checks):
        decision = on_fail
    elif missing or any(check.passed is None for check in checks):
        decision = INCOMPLETE
    else:
        decision = on_pass
    return GateResult(gate=gate, decision=decision, checks=checks, missing=missing,
                      note=(notes or {}).get(decision, ""))


def _missing(metrics: GateMetrics, names: Iterable[str]) -> list[str]:
    return [name for name in names if getattr(metrics, name) is None]


def target_cycle_time_sec(baseline_cycle_time_sec: float | None, thresholds: Thresholds | None = None) -> float | None:
    """S2 target cycle time in seconds = baseline × 0.70 (``Thresholds.target_cycle_time_factor``).

    None when there is no baseline (S2: no statement possible). Example: 600 s → 420 s.
    """
    if baseline_cycle_time_sec is None:
        return None
    if not _is_number(baseline_cycle_time_sec) or baseline_cycle_time_sec < 0:
        raise ValueError(f"baseline_cycle_time_sec: must be a finite number ≥ 0, got {baseline_cycle_time_sec!r}")
    factor = (thresholds or Thresholds()).target_cycle_time_factor
    return float(baseline_cycle_time_sec) * factor


def poc_to_pilot(metrics: GateMetrics, thresholds: Thresholds | None = None) -> GateResult:
    """S5 stop/go gate PoC → pilot with the S2 baseline rule: "go", "stop" or "incomplete".

    Go only if precision ≥ 0.92, p99 latency ≤ 1200 ms, cost per case ≤ baseline cost per case (€),
    risk score ≤ 3 (of 10) and hallucination rate ≤ 0.01, and ``baseline_cycle_time_sec`` is known;
    without it ``missing`` lists NO_BASELINE ("no baseline (baseline_cycle_time_sec)") and it is never "go".
    Example: precision 0.92, p99 1200 ms, cost 0.40 € vs 0.50 €, risk 3, hallucination 0.01, baseline 600 s → "go".
    """
    limits = thresholds or Thresholds()
    checks = (
        Check("baseline_cycle_time_sec", metrics.baseline_cycle_time_sec, None, "present",
              None if metrics.baseline_cycle_time_sec is None else True),
        _check("precision", metrics.precision, ">=", limits.poc_min_precision),
        _check("p99_latency_ms", metrics.p99_latency_ms, "<=", limits.poc_max_p99_latency_ms),
        _check("cost_per_case_eur", metrics.cost_per_case_eur, "<=", metrics.baseline_cost_per_case_eur),
        _check("risk_score", metrics.risk_score, "<=", limits.poc_max_risk_score),
        _check("hallucination_rate", metrics.hallucination_rate, "<=", limits.poc_max_hallucination_rate),
    )
    missing = [NO_BASELINE] if metrics.baseline_cycle_time_sec is None else []
    missing += _missing(metrics, ("precision", "p99_latency_ms", "cost_per_case_eur", "baseline_cost_per_case_eur",
                                  "risk_score", "hallucination_rate"))
    return _decide("poc_to_pilot", checks, missing, on_fail="stop", on_pass="go")


def _offline_eval_check(metrics: GateMetrics, limits: Thresholds) -> Check:
    quality, baseline = metrics.offline_quality_score, metrics.baseline_quality_score
    if quality is None or baseline is None:
        return Check("offline_eval.quality_score", quality, None if baseline is None else
                     baseline + limits.offline_min_quality_uplift, ">=", None)
    required = baseline + limits.offline_min_quality_uplift
    return Check("offline_eval.quality_score", quality, required, ">=",
                 quality >= required - DERIVED_THRESHOLD_TOLERANCE)


def quality_gates(metrics: GateMetrics, thresholds: Thresholds | None = None) -> GateResult:
    """S9 quality gates as CI checks: "pass", "fail" or "incomplete".

    offline_eval: quality_score ≥ baseline + 0.10; shadow_mode: p95 ≤ 1200 ms and error rate ≤ 0.5 %;
    hitl: review coverage ≥ 20 % and escalation SLA ≤ 4 h; rollback: canary enabled and rollback ≤ 10 min.
    Check names carry their sub-gate as prefix, see :func:`sub_gate_decisions`.
    Example: quality 0.80 vs baseline 0.70, shadow 1200 ms / 0.005, HITL 0.20 / 4 h, canary on / 10 min → "pass".
    """
    limits = thresholds or Thresholds()
    checks = (
        _offline_eval_check(metrics, limits),
        _check("shadow_mode.p95_latency_ms", metrics.shadow_p95_latency_ms, "<=", limits.shadow_max_p95_latency_ms),
        _check("shadow_mode.error_rate", metrics.shadow_error_rate, "<=", limits.shadow_max_error_rate),
        _check("hitl.review_coverage", metrics.review_coverage, ">=", limits.hitl_min_review_coverage),
        _check("hitl.escalation_sla_hours", metrics.escalation_sla_hours, "<=", limits.hitl_max_escalation_sla_hours),
        _check("rollback.canary_enabled", metrics.canary_enabled, "==", True),
        _check("rollback.rollback_time_min", metrics.rollback_time_min, "<=", limits.rollback_max_time_min),
    )
    missing = _missing(metrics, (
        "offline_quality_score", "baseline_quality_score", "shadow_p95_latency_ms", "shadow_error_rate",
        "review_coverage", "escalation_sla_hours", "canary_enabled", "rollback_time_min",
    ))
    return _decide("quality_gates", checks, missing, on_fail="fail", on_pass="pass")


def sub_gate_decisions(result: GateResult) -> dict[str, str]:
    """Decision per S9 sub-gate of a :func:`quality_gates` result, e.g. {"offline_eval": "pass", …}."""
    groups: dict[str, list[Check]] = {}
    for check in result.checks:
        groups.setdefault(check.name.split(".", 1)[0], []).append(check)
    decisions = {}
    for name, checks in groups.items():
        if any(check.passed is False for check in checks):
            decisions[name] = "fail"
        elif any(check.passed is None for check in checks):
            decisions[name] = INCOMPLETE
        else:
            decisions[name] = "pass"
    return decisions


def canary(metrics: GateMetrics, thresholds: Thresholds | None = None) -> GateResult:
    """S10 canary gate: "rollback", "ramp" or "incomplete".

    Rolls back only when p95 latency > 3000 ms, hallucination proxy > 0.02 or cost per request > 0.08 $
    (strictly greater); otherwise ramps traffic from 5 % to 25 %.
    Example: 3000 ms, 0.02, 0.08 $ → "ramp"; 3001 ms → "rollback".
    """
    limits = thresholds or Thresholds()
    checks = (
        _check("canary_p95_latency_ms", metrics.canary_p95_latency_ms, "<=", limits.canary_max_p95_latency_ms),
        _check("hallucination_proxy", metrics.hallucination_proxy, "<=", limits.canary_max_hallucination_proxy),
        _check("cost_per_request_usd", metrics.cost_per_request_usd, "<=", limits.canary_max_cost_per_request_usd),
    )
    missing = _missing(metrics, ("canary_p95_latency_ms", "hallucination_proxy", "cost_per_request_usd"))
    notes = {
        "ramp": f"ramp traffic from {limits.canary_ramp_start_share:.0%} to {limits.canary_ramp_target_share:.0%}",
        "rollback": "roll back to the previous release",
    }
    return _decide("canary", checks, missing, on_fail="rollback", on_pass="ramp", notes=notes)


def _all_hold(values: Iterable[bool | None]) -> bool | None:
    values = tuple(values)
    if any(value is False for value in values):
        return False
    return None if any(value is None for value in values) else True


def scale_or_kill(metrics: GateMetrics, roi: float | None, thresholds: Thresholds | None = None) -> GateResult:
    """S17 scale-or-kill gate: "stop_or_re-scope", "scale", "iterate" or "incomplete".

    if adoption < 0.4 and weeks_since_pilot_start > 6: stop_or_re-scope;
    elif roi > 0.2 and p95 latency < 1200 ms and drift alerts per week < 2: scale; else iterate.
    Comparisons are strict as in S17. "scale" is a pass and needs every input; "stop_or_re-scope" and
    "iterate" may be decided on the inputs that settle them (one failed scale condition gives "iterate"
    regardless of the rest). Single checks may fail without deciding (low adoption within the first 6 weeks).
    Example: adoption 0.5, roi 2.85, p95 900 ms, 1 drift alert/week → "scale".
    """
    limits = thresholds or Thresholds()
    if roi is not None and not (_is_number(roi) or (isinstance(roi, float) and math.isnan(roi))):
        raise ValueError(f"roi: must be a finite number or None, got {roi!r}")
    roi_value = None if roi is None or math.isnan(roi) else float(roi)
    adoption_check = _check("observed_adoption", metrics.observed_adoption, ">=", limits.scale_min_adoption)
    weeks_check = _check("weeks_since_pilot_start", metrics.weeks_since_pilot_start, "<=",
                         limits.scale_max_weeks_without_adoption)
    scale_checks = (
        _check("roi", roi_value, ">", limits.scale_min_roi),
        _check("p95_latency_ms", metrics.p95_latency_ms, "<", limits.scale_max_p95_latency_ms),
        _check("drift_alerts_per_week", metrics.drift_alerts_per_week, "<", limits.scale_max_drift_alerts_per_week),
    )
    checks = (adoption_check, weeks_check, *scale_checks)
    missing = _missing(metrics, ("observed_adoption", "weeks_since_pilot_start"))
    if roi_value is None:
        missing.append("roi")
    missing += _missing(metrics, ("p95_latency_ms", "drift_alerts_per_week"))
    stop = _all_hold(None if check.passed is None else not check.passed for check in (adoption_check, weeks_check))
    scale = _all_hold(check.passed for check in scale_checks)
    if stop is True:
        decision = "stop_or_re-scope"
    elif stop is None:
        decision = INCOMPLETE
    else:
        decision = {True: "scale", False: "iterate", None: INCOMPLETE}[scale]
    if decision == "scale" and missing:
        decision = INCOMPLETE
    return GateResult(gate="scale_or_kill", decision=decision, checks=checks, missing=tuple(missing))


COMPLIANCE_ITEMS: tuple[str, ...] = tuple(ComplianceChecklist.model_fields)


def go_live_compliance(checklist: ComplianceChecklist, risk_class: str) -> GateResult:
    """S11 go-live compliance gate: "deploy", "no_deploy" or "incomplete".

    Deploy only when model card, data sheet, complete audit trail, least privilege, deletion concept
    and incident process are all present; a "prohibited" risk class never deploys.
    Example: all six True, risk class "limited" → "deploy".
    """
    if risk_class not in RISK_CLASSES:
        raise ValueError(f"risk_class: expected one of {RISK_CLASSES}, got {risk_class!r}")
    checks = tuple(_check(name, getattr(checklist, name), "==", True) for name in COMPLIANCE_ITEMS)
    checks += (_check("risk_class", risk_class, "!=", "prohibited"),)
    missing = [name for name in COMPLIANCE_ITEMS if getattr(checklist, name) is None]
    return _decide("go_live_compliance", checks, missing, on_fail="no_deploy", on_pass="deploy")


def _measured(name: str, value: float | None, upper: float | None = None) -> float | None:
    if value is None:
        return None
    if not _is_number(value) or value < 0 or (upper is not None and value > upper):
        bound = f"[0, {upper:g}]" if upper is not None else "≥ 0"
        raise ValueError(f"{name}: must be a finite number {bound}, got {value!r}")
    return float(value)


def monitoring_alerts(
    latency_ttfb_p95_ms: float | None = None,
    hallucination_rate_weekly: float | None = None,
    model_drift_score: float | None = None,
    thresholds: Thresholds | None = None,
) -> GateResult:
    """S10 monitoring alerts: "alert", "ok" or "incomplete".

    Alerts when latency_ttfb_p95 (ms, sustained over the last 10 minutes) > 2000 ms, the weekly
    hallucination rate > 3 %, or the model drift score > ``Thresholds.alert_max_model_drift_score``.
    Example: 2000 ms, 0.03, 0.2 → "ok"; 2001 ms → "alert".
    """
    limits = thresholds or Thresholds()
    values = {
        "latency_ttfb_p95_ms": _measured("latency_ttfb_p95_ms", latency_ttfb_p95_ms),
        "hallucination_rate_weekly": _measured("hallucination_rate_weekly", hallucination_rate_weekly, 1.0),
        "model_drift_score": _measured("model_drift_score", model_drift_score),
    }
    checks = (
        _check("latency_ttfb_p95_ms", values["latency_ttfb_p95_ms"], "<=", limits.alert_max_latency_ttfb_p95_ms),
        _check("hallucination_rate_weekly", values["hallucination_rate_weekly"], "<=",
               limits.alert_max_hallucination_rate_weekly),
        _check("model_drift_score", values["model_drift_score"], "<=", limits.alert_max_model_drift_score),
    )
    missing = [name for name, value in values.items() if value is None]
    return _decide("monitoring", checks, missing, on_fail="alert", on_pass="ok")


def _with_sources(result: GateResult, sources: dict[str, InputSource], extra: tuple[InputSource, ...] = ()
                  ) -> GateResult:
    names = {check.name for check in result.checks} | set(result.missing)
    return replace(result, sources=tuple(source for name, source in sources.items() if name in names) + extra)


def evaluate_all(use_case: UseCase, thresholds: Thresholds | None = None) -> dict[str, GateResult]:
    """All five gates of a use case, keyed like ``GATE_KEYS``, each saying which inputs were measured and when.

    The gates read the latest measured values (S22); S17 reads observed adoption and the weeks since the pilot
    began from the measurements' dates and the ROI of the measured S15 inputs where measured, else the assumed
    ones (:func:`core.plan_vs_actual.s17_metrics`, :func:`core.plan_vs_actual.effective_roi`).
    """
    limits = thresholds or Thresholds()
    metrics, measured = s17_metrics(use_case)
    sources = {source.name: source for source in measured}
    roi_inputs = effective_roi(use_case, all_measured=True)
    return {
        "poc_to_pilot": _with_sources(poc_to_pilot(metrics, limits), sources),
        "quality_gates": _with_sources(quality_gates(metrics, limits), sources),
        "canary": _with_sources(canary(metrics, limits), sources),
        "scale_or_kill": _with_sources(scale_or_kill(metrics, compute_roi(roi_inputs.inputs).roi, limits), sources,
                                       roi_inputs.sources),
        "go_live_compliance": go_live_compliance(use_case.compliance, use_case.eu_ai_act_risk_class),
    }


def next_gate(use_case: UseCase) -> str:
    """Gate key the use case's S13 phase heads for, e.g. phase "pilot" → "quality_gates"."""
    return PHASE_GATES[use_case.phase].gate_key
