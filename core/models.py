"""Domain models of the workbench (SPEC S1–S20), pydantic v2, frozen and strict.

Every number is finite; fractions live in [0, 1]; money and counts are non-negative.
Strings are never coerced into numbers, and a bad value is reported with its field name.
Units are part of the field names.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    field_validator,
    model_validator,
)

SCHEMA_VERSION = 3
"""2 adds the S19 business case; 3 adds ``UseCase.scored`` (S3), the recorded gate decisions
(``UseCase.gate_decisions``) and the S22 dated measurements. A file with an older version loads with the defaults of
what it lacks (S19's defaults; ``scored`` true; no decisions), a use case of version 1 or 2 turns its single
``gate_metrics`` values into one measurement dated on its ``updated_at`` day (:func:`migrate_gate_metrics`), and
it is the current version afterwards."""

_FINITE = {"strict": True, "allow_inf_nan": False}

Fraction = Annotated[float, Field(ge=0.0, le=1.0, **_FINITE)]
"""A share in [0, 1], e.g. adoption 0.62 means 62 %."""
MAX_AMOUNT = 1e12
NonNegative = Annotated[float, Field(ge=0.0, le=MAX_AMOUNT, **_FINITE)]
"""Money, counts, durations: finite, >= 0 and at most 10^12 so that products of inputs stay finite."""
RiskScore = Annotated[float, Field(ge=0.0, le=10.0, **_FINITE)]
"""Risk on the article's 0–10 scale (S5)."""
Rate = Annotated[float, Field(ge=0.0, le=1.0, **_FINITE)]
"""A rate per year in [0, 1], e.g. 0.08 means 8 % per year."""
FiniteNumber = Annotated[float, Field(ge=-MAX_AMOUNT, le=MAX_AMOUNT, **_FINITE)]
ShortText = Annotated[str, Field(max_length=200, strict=True)]
LongText = Annotated[str, Field(max_length=5000, strict=True)]

# Refused anywhere in a name or label: control characters (\r once turned the Home table into a heading and a
# list), line and paragraph separators, and bidi embeddings, overrides and isolates (they reorder what is shown).
_REFUSED_CHARACTERS = r"\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069"
# Not enough on their own: white space, format characters (zero-width space and joiners, soft hyphen, BOM),
# Hangul fillers, the braille blank and combining marks.
_INVISIBLE_CHARACTERS = (
    r"\s\u00a0\u00ad\u034f\u0300-\u036f\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u115f\u1160\u1680"
    r"\u180e\u2000-\u200f\u202f\u205f-\u2064\u206a-\u206f\u20d0-\u20ff\u2800\u3000\u3164\ufe20-\ufe2f\ufeff"
    r"\uffa0\ufff9-\ufffb"
)
NAME_PATTERN = (f"^[^{_REFUSED_CHARACTERS}]*[^{_REFUSED_CHARACTERS}{_INVISIBLE_CHARACTERS}]"
                f"[^{_REFUSED_CHARACTERS}]*$")
LABEL_PATTERN = f"^$|{NAME_PATTERN}"
NAME_RULE = ("must show at least one visible character and hold no control characters (such as line breaks) "
             "or bidi overrides")
LABEL_RULE = f"must be empty or {NAME_RULE.removeprefix('must ')}"
RULE_OF_PATTERN = {NAME_PATTERN: NAME_RULE, LABEL_PATTERN: LABEL_RULE}

Name = Annotated[str, Field(min_length=1, max_length=200, pattern=NAME_PATTERN, strict=True)]
"""A name shown on its own (workspace, use case, KPI, deliverable, role, scenario): one line with a visible
character, no control characters or bidi overrides (:data:`NAME_RULE`). The pattern runs in pydantic-core
(Rust), which keeps loading 1,000 use cases fast; :func:`error_text` says the rule instead of the pattern."""
Label = Annotated[str, Field(max_length=200, pattern=LABEL_PATTERN, strict=True)]
"""An optional short label (owner, KPI unit, cost-block driver): empty, or shown like a :data:`Name`."""
Identifier = Annotated[
    str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", strict=True)
]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)


Phase = Literal["discovery", "data_risk", "poc", "pilot", "production", "scale"]
PHASES: tuple[Phase, ...] = ("discovery", "data_risk", "poc", "pilot", "production", "scale")
RiskClass = Literal["minimal", "limited", "high", "prohibited"]
RISK_CLASSES: tuple[RiskClass, ...] = ("minimal", "limited", "high", "prohibited")
OutputType = Literal["answer", "classification", "extraction", "ticket_draft"]
OUTPUT_TYPES: tuple[OutputType, ...] = ("answer", "classification", "extraction", "ticket_draft")
KpiGroup = Literal["value", "quality", "adoption", "risk"]
KPI_GROUPS: tuple[KpiGroup, ...] = ("value", "quality", "adoption", "risk")
ReadinessStatus = Literal["open", "partial", "done", "not_applicable"]
READINESS_STATUSES: tuple[ReadinessStatus, ...] = ("open", "partial", "done", "not_applicable")
CostBlockName = Literal[
    "data_work", "integration", "inference", "mlops_platform", "security_compliance", "change_training"
]
COST_BLOCKS: tuple[CostBlockName, ...] = (
    "data_work",
    "integration",
    "inference",
    "mlops_platform",
    "security_compliance",
    "change_training",
)


class ScoringInputs(Frozen):
    """The seven S3 inputs, each a fraction in [0, 1]."""

    cycle_time_reduction: Fraction
    cost_reduction: Fraction
    error_reduction: Fraction
    data_availability: Fraction
    integration_effort: Fraction
    compliance_risk: Fraction
    change_effort: Fraction


VALUE_WEIGHT_FIELDS = ("cycle_time_reduction", "cost_reduction", "error_reduction")
FEASIBILITY_WEIGHT_FIELDS = ("data_availability", "integration_effort", "compliance_risk", "change_effort")
WEIGHT_SUM_TOLERANCE = 1e-9


class ScoringWeights(Frozen):
    """S3 weights; each group is non-negative and sums to 1 (tolerance 1e-9)."""

    cycle_time_reduction: Fraction = 0.5
    cost_reduction: Fraction = 0.3
    error_reduction: Fraction = 0.2
    data_availability: Fraction = 0.4
    integration_effort: Fraction = 0.3
    compliance_risk: Fraction = 0.2
    change_effort: Fraction = 0.1

    @model_validator(mode="after")
    def _groups_sum_to_one(self) -> ScoringWeights:
        for group, fields in (("value", VALUE_WEIGHT_FIELDS), ("feasibility", FEASIBILITY_WEIGHT_FIELDS)):
            total = math.fsum(getattr(self, name) for name in fields)
            if abs(total - 1.0) > WEIGHT_SUM_TOLERANCE:
                raise ValueError(
                    f"{group} weights ({', '.join(fields)}) must sum to 1, got {total:.6g}"
                )
        return self


class RoiInputs(Frozen):
    """S15 monthly ROI inputs (German: volumen, adoption, min_ersparnis, kosten_minute,
    fehlerkosten_alt, fehlerquote_reduktion, modellbetrieb)."""

    volume_cases_per_month: NonNegative
    adoption: Fraction
    minutes_saved_per_case: NonNegative
    cost_per_minute_eur: NonNegative
    error_cost_per_case_eur: NonNegative
    error_rate_reduction: Fraction
    run_cost_eur_per_month: NonNegative


ROI_INPUT_FIELDS: tuple[str, ...] = tuple(RoiInputs.model_fields)
ROI_FRACTION_FIELDS = frozenset({"adoption", "error_rate_reduction"})


class Scenario(Frozen):
    """S16: a named set of ROI input overrides; fields left as None keep the base value."""

    name: Name
    volume_cases_per_month: NonNegative | None = None
    adoption: Fraction | None = None
    minutes_saved_per_case: NonNegative | None = None
    cost_per_minute_eur: NonNegative | None = None
    error_cost_per_case_eur: NonNegative | None = None
    error_rate_reduction: Fraction | None = None
    run_cost_eur_per_month: NonNegative | None = None

    def overrides(self) -> dict[str, float]:
        return {name: getattr(self, name) for name in ROI_INPUT_FIELDS if getattr(self, name) is not None}


DEFAULT_SCENARIOS: tuple[Scenario, ...] = (
    Scenario(name="worst", adoption=0.25, minutes_saved_per_case=0.8),
    Scenario(name="base"),
    Scenario(name="best", adoption=0.85, minutes_saved_per_case=3.2),
)


class Kpi(Frozen):
    """S2: one KPI with a target and a measurement window."""

    group: KpiGroup
    name: Name
    target_value: FiniteNumber
    unit: Label = ""
    measurement_window: Label = ""
    baseline_value: FiniteNumber | None = None


def _split_roles(value: Any) -> Any:
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return value


Roles = Annotated[tuple[Name, ...], Field(max_length=20), BeforeValidator(_split_roles)]
"""Role names; a comma-separated string ("Ops, Security") is accepted as in a RACI table cell."""


class RaciRow(Frozen):
    """S14: one deliverable with its R, A, C, I roles; exactly one A."""

    deliverable: Name
    responsible: Roles = ()
    accountable: Roles = ()
    consulted: Roles = ()
    informed: Roles = ()

    @model_validator(mode="after")
    def _exactly_one_accountable(self) -> RaciRow:
        if len(self.accountable) != 1:
            raise ValueError(
                f"accountable: deliverable '{self.deliverable}' needs exactly one A, "
                f"got {len(self.accountable)}"
            )
        return self


DEFAULT_RACI: tuple[RaciRow, ...] = (
    RaciRow(deliverable="Use case + KPI set", responsible=("PO",), accountable=("PO",),
            consulted=("Ops", "Security"), informed=("Legal",)),
    RaciRow(deliverable="Data readiness + access", responsible=("Data Steward",),
            accountable=("Data Steward",), consulted=("Security", "Platform"), informed=("PO",)),
    RaciRow(deliverable="Offline eval + model card", responsible=("ML Eng",), accountable=("ML Eng",),
            consulted=("PO", "Legal"), informed=("Ops",)),
    RaciRow(deliverable="MLOps + monitoring + rollback", responsible=("Platform",), accountable=("Ops",),
            consulted=("ML Eng", "Security"), informed=("PO", "Legal")),
)
DEFAULT_RACI_DE: tuple[RaciRow, ...] = (
    RaciRow(deliverable="Use Case + KPI-Set", responsible=("PO",), accountable=("PO",),
            consulted=("Betrieb", "Sicherheit"), informed=("Recht",)),
    RaciRow(deliverable="Datenreife + Zugriff", responsible=("Data Steward",),
            accountable=("Data Steward",), consulted=("Sicherheit", "Plattform"), informed=("PO",)),
    RaciRow(deliverable="Offline-Eval + Model Card", responsible=("ML-Engineering",), accountable=("ML-Engineering",),
            consulted=("PO", "Recht"), informed=("Betrieb",)),
    RaciRow(deliverable="MLOps + Monitoring + Rollback", responsible=("Plattform",), accountable=("Betrieb",),
            consulted=("ML-Engineering", "Sicherheit"), informed=("PO", "Recht")),
)
"""S14's example RACI in German: a use case created in German mode starts with it."""


class GateMetrics(Frozen):
    """Measured values the gates read (S2, S5, S9, S10, S17). None means not measured yet."""

    baseline_cycle_time_sec: NonNegative | None = None
    precision: Fraction | None = None
    p99_latency_ms: NonNegative | None = None
    cost_per_case_eur: NonNegative | None = None
    baseline_cost_per_case_eur: NonNegative | None = None
    risk_score: RiskScore | None = None
    hallucination_rate: Fraction | None = None
    offline_quality_score: Fraction | None = None
    baseline_quality_score: Fraction | None = None
    shadow_p95_latency_ms: NonNegative | None = None
    shadow_error_rate: Fraction | None = None
    review_coverage: Fraction | None = None
    escalation_sla_hours: NonNegative | None = None
    canary_enabled: StrictBool | None = None
    rollback_time_min: NonNegative | None = None
    canary_p95_latency_ms: NonNegative | None = None
    hallucination_proxy: Fraction | None = None
    cost_per_request_usd: NonNegative | None = None
    observed_adoption: Fraction | None = None
    weeks_since_pilot_start: NonNegative | None = None
    p95_latency_ms: NonNegative | None = None
    drift_alerts_per_week: NonNegative | None = None


GATE_METRIC_FIELDS: tuple[str, ...] = tuple(GateMetrics.model_fields)
MEASURED_ROI_FIELDS: tuple[str, ...] = (
    "volume_cases_per_month", "adoption", "minutes_saved_per_case", "error_rate_reduction", "run_cost_eur_per_month",
)
"""The S15 inputs a measurement can observe (S22); cost per minute and error cost per case stay assumptions."""
EARLIEST_DATE = date(1990, 1, 1)
LATEST_DATE = date(2199, 12, 31)
MeasurementDate = Annotated[date, Field(ge=EARLIEST_DATE, le=LATEST_DATE)]
"""A calendar day (ISO ``2026-03-31`` in JSON) between 1990 and 2199."""
MAX_MEASUREMENTS = 5_000
MIGRATED_SOURCE = "gate metrics before schema 3"
"""The source of the one measurement a schema-1/2 use case's ``gate_metrics`` becomes."""


class Measurement(Frozen):
    """S22: one dated measurement of a use case: who measured, from which source, and any observed values.

    The ROI fields are the observable S15 inputs (:data:`MEASURED_ROI_FIELDS`); ``gate_metrics`` holds the
    measured gate values. None means not measured in this measurement.
    Example: ``Measurement(measured_on=date(2026, 3, 31), measured_by="Ops", source="monitoring export",
    adoption=0.48)``.
    """

    measured_on: MeasurementDate
    measured_by: Label = ""
    source: Label = ""
    volume_cases_per_month: NonNegative | None = None
    adoption: Fraction | None = None
    minutes_saved_per_case: NonNegative | None = None
    error_rate_reduction: Fraction | None = None
    run_cost_eur_per_month: NonNegative | None = None
    gate_metrics: GateMetrics = GateMetrics()


RoiSource = Literal["assumption", "measurement"]
ROI_SOURCES: tuple[RoiSource, ...] = ("assumption", "measurement")


class RoiSources(Frozen):
    """S22: per observable S15 input, whether ROI, business case and sensitivity use the assumption (the
    ``roi`` value) or the latest measurement of it (the assumption still applies while nothing is measured)."""

    volume_cases_per_month: RoiSource = "assumption"
    adoption: RoiSource = "assumption"
    minutes_saved_per_case: RoiSource = "assumption"
    error_rate_reduction: RoiSource = "assumption"
    run_cost_eur_per_month: RoiSource = "assumption"


def _day_of(value: Any) -> date:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC).date()
    if isinstance(value, str):
        try:
            return _day_of(datetime.fromisoformat(value))
        except ValueError:
            pass
    return datetime.now(UTC).date()


def migrate_gate_metrics(data: Any) -> Any:
    """A use-case document of schema 1 or 2 with its single ``gate_metrics`` turned into the latest measurement
    (S22), dated on the day of its ``updated_at``; any other input is returned unchanged.

    Example: ``{"updated_at": "2026-03-02T10:00:00Z", "gate_metrics": {"precision": 0.94}, ...}`` →
    ``{"updated_at": ..., "measurements": [{"measured_on": "2026-03-02", "source": MIGRATED_SOURCE,
    "gate_metrics": {"precision": 0.94}}], ...}``.
    """
    if not isinstance(data, dict) or "gate_metrics" not in data:
        return data
    data = dict(data)
    metrics = data.pop("gate_metrics")
    if isinstance(metrics, GateMetrics):
        metrics = metrics.model_dump(exclude_defaults=True)
    if isinstance(metrics, dict) and all(value is None for value in metrics.values()):
        return data
    measurement = {
        "measured_on": _day_of(data.get("updated_at", data.get("created_at"))).isoformat(),
        "source": MIGRATED_SOURCE,
        "gate_metrics": metrics,
    }
    earlier = data.get("measurements", ())
    data["measurements"] = [*(earlier if isinstance(earlier, list | tuple) else ()), measurement]
    return data


def latest_gate_metrics(measurements: tuple[Measurement, ...]) -> GateMetrics:
    """Per gate field the value of the latest measurement that holds it (by date; on one day the later entry).

    Example: precision 0.90 on 1 March and 0.94 on 31 March, latency only on 1 March → precision 0.94 and the
    latency of 1 March.
    """
    values: dict[str, Any] = {}
    for measurement in sorted(measurements, key=lambda item: item.measured_on):
        for name in measurement.gate_metrics.model_fields_set:
            value = getattr(measurement.gate_metrics, name)
            if value is not None:
                values[name] = value
    return GateMetrics.model_construct(**values) if values else GateMetrics()


class ComplianceChecklist(Frozen):
    """S11 go-live compliance artefacts; None means not yet assessed."""

    model_card: StrictBool | None = None
    data_sheet: StrictBool | None = None
    audit_trail_complete: StrictBool | None = None
    least_privilege: StrictBool | None = None
    deletion_concept: StrictBool | None = None
    incident_process: StrictBool | None = None


class DpiaTriggers(Frozen):
    """S11 DPIA (DSFA) triggers; ``assessed`` records that they were assessed (S20: a ``high`` risk class is
    eligible for the portfolio plan only then)."""

    new_pii_processing_or_profiling: StrictBool = False
    automated_decisions_with_effect: StrictBool = False
    new_sources_outside_tenant: StrictBool = False
    rag_over_confidential_documents: StrictBool = False
    assessed: StrictBool = False


DPIA_TRIGGER_FIELDS: tuple[str, ...] = tuple(name for name in DpiaTriggers.model_fields if name != "assessed")
"""The four S11 triggers; ``assessed`` is not one of them."""


class SolutionProfile(Frozen):
    """S8 heuristic inputs: what the problem looks like."""

    structured_tables: StrictBool = False
    clear_target_variable: StrictBool = False
    explainability_required: StrictBool = False
    unstructured_text: StrictBool = False
    knowledge_queries_over_documents: StrictBool = False
    fast_iteration_needed: StrictBool = False
    strict_latency_and_cost_limit: StrictBool = False
    high_risk: StrictBool = False


READINESS_ITEMS: tuple[str, ...] = (
    "sources",
    "freshness",
    "history",
    "missingness",
    "duplicates_keys",
    "label_availability",
    "pii_protection",
    "access_model",
    "lineage",
    "data_contracts",
    "silos_joinability",
    "ml_vs_rag_decision",
    "compliance",
    "operating_model",
)


class ReadinessItem(Frozen):
    """S6: one checklist item with status and evidence."""

    item: Literal[READINESS_ITEMS]  # type: ignore[valid-type]
    status: ReadinessStatus = "open"
    evidence: LongText = ""


def default_readiness() -> tuple[ReadinessItem, ...]:
    return tuple(ReadinessItem(item=item) for item in READINESS_ITEMS)


class InferenceCostInputs(Frozen):
    """S12: token-based inference cost inputs."""

    tokens_per_request: NonNegative
    requests_per_month: NonNegative
    price_per_1k_tokens_eur: NonNegative


class CostBlock(Frozen):
    """S12: one cost block with driver and metric (baseline → target)."""

    block: CostBlockName
    driver: Label = ""
    metric: Label = ""
    baseline: Label = ""
    target: Label = ""
    cost_eur_per_month: NonNegative | None = None
    one_time_eur: NonNegative | None = None
    """S19: the block's one-time amount, paid at month 0 (e.g. integration 80,000 €)."""


MAX_HORIZON_MONTHS = 120
MAX_RAMP_MONTHS = 60
RampShape = Literal["linear", "s_curve"]
RAMP_SHAPES: tuple[RampShape, ...] = ("linear", "s_curve")


class BusinessCase(Frozen):
    """S19 inputs beyond the steady-state S15 values: horizon, adoption ramp, run-cost escalation, discount rate.

    ``discount_rate_per_year`` None means the workspace's ``default_discount_rate_per_year``.
    """

    horizon_months: Annotated[int, Field(ge=1, le=MAX_HORIZON_MONTHS, strict=True)] = 36
    ramp_months: Annotated[int, Field(ge=0, le=MAX_RAMP_MONTHS, strict=True)] = 6
    ramp_shape: RampShape = "linear"
    run_cost_escalation_per_year: Rate = 0.0
    discount_rate_per_year: Rate | None = None
    start_on: MeasurementDate | None = None
    """S22: the first day of plan month 1 (month 0, the investment, ends the day before); None = no plan dates."""

    @model_validator(mode="after")
    def _ramp_within_horizon(self) -> BusinessCase:
        if self.ramp_months > self.horizon_months:
            raise ValueError(
                f"ramp_months: the ramp ({self.ramp_months} months) must not be longer than the horizon "
                f"({self.horizon_months} months)"
            )
        return self


Funding = Literal["must", "never"]
FUNDING_RULES: tuple[Funding, ...] = ("must", "never")
MAX_NEEDS = 50


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("timestamp must carry a timezone")
    return value.astimezone(UTC)


UtcDatetime = Annotated[datetime, AfterValidator(_utc)]


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


GateKey = Literal["poc_to_pilot", "quality_gates", "go_live_compliance", "canary", "scale_or_kill"]
GATE_DECISIONS: tuple[str, ...] = ("go", "stop", "iterate", "override")
GateDecisionKind = Literal["go", "stop", "iterate", "override"]
MAX_GATE_DECISIONS = 1000


class GateDecision(Frozen):
    """A gate decision as a person took it (S5, S9, S10, S11, S17; S13 next gate): go, stop, iterate, or an
    override of the computed result, which needs a reason.

    ``computed_decision`` is what the gate computed when the decision was taken (e.g. "fail"), so an override
    stays visible. ``next_gate_on`` is the date of the next gate review. Example: ``GateDecision(gate="quality_gates",
    decision="override", rationale="HITL coverage measured on 2 weeks only", decided_by="A. Weber",
    decided_at=…, computed_decision="fail", next_gate="go_live_compliance", next_gate_on=date(2027, 1, 15))``.
    """

    gate: GateKey
    decision: GateDecisionKind
    rationale: LongText = ""
    decided_by: Name
    decided_at: UtcDatetime
    computed_decision: Annotated[str, Field(max_length=40, strict=True)] = ""
    next_gate: GateKey | None = None
    next_gate_on: date | None = None

    @model_validator(mode="after")
    def _override_has_a_reason(self) -> GateDecision:
        if self.decision == "override" and not self.rationale.strip():
            raise ValueError("rationale: an override needs a reason")
        if self.next_gate_on is not None and self.next_gate is None:
            raise ValueError("next_gate: a next-gate date needs the gate it is for")
        return self


class UseCase(Frozen):
    """S1 use-case card with everything the gates, ROI and scoring need."""

    id: Identifier
    name: Name
    owner: Label = ""
    phase: Phase = "discovery"
    created_at: UtcDatetime = Field(default_factory=utc_now)
    updated_at: UtcDatetime = Field(default_factory=utc_now)
    problem_statement: LongText = ""
    users: LongText = ""
    process_step: LongText = ""
    decision_point: LongText = ""
    output_type: OutputType = "answer"
    output_format: Label = ""
    guardrails: LongText = ""
    out_of_scope: LongText = ""
    kpi_set: tuple[Kpi, ...] = ()
    eu_ai_act_risk_class: RiskClass = "minimal"
    raci: tuple[RaciRow, ...] = DEFAULT_RACI
    scoring: ScoringInputs
    scored: StrictBool = True
    """S3: False for a new use case whose inputs nobody has scored yet (each at its neutral 0.5); it stays out of
    the quadrants and the ranking until the first edit of a scoring input (or "keep as scored") sets it."""
    roi: RoiInputs
    scenarios: tuple[Scenario, ...] = DEFAULT_SCENARIOS
    measurements: Annotated[tuple[Measurement, ...], Field(max_length=MAX_MEASUREMENTS)] = ()
    """S22: dated measurements in the order they were entered; the latest by date counts."""
    roi_sources: RoiSources = RoiSources()
    pilot_started_on: MeasurementDate | None = None
    """S22: the day the pilot began; S17 counts the weeks from it to the latest measurement."""
    compliance: ComplianceChecklist = ComplianceChecklist()
    dpia: DpiaTriggers = DpiaTriggers()
    solution_profile: SolutionProfile = SolutionProfile()
    readiness: tuple[ReadinessItem, ...] = Field(default_factory=default_readiness)
    inference: InferenceCostInputs | None = None
    cost_blocks: tuple[CostBlock, ...] = ()
    assumption_sources: dict[Annotated[str, Field(max_length=200)], Label] = Field(default_factory=dict)
    business_case: BusinessCase = BusinessCase()
    capacity_person_months: NonNegative = 0.0
    """S20: the delivery team's effort this use case takes, in person-months."""
    funding: Funding | None = None
    """S20: "must" is always funded, "never" never; None leaves it to the plan."""
    needs: Annotated[tuple[Identifier, ...], Field(max_length=MAX_NEEDS)] = ()
    """S20: ids of use cases of the same workspace that must be funded for this one to be funded."""
    gate_decisions: Annotated[tuple[GateDecision, ...], Field(max_length=MAX_GATE_DECISIONS)] = ()
    """Gate decisions as people recorded them, oldest first (the audit trail holds each as it was saved)."""

    @property
    def gate_metrics(self) -> GateMetrics:
        """The latest measured value of every gate field (S22; :func:`latest_gate_metrics`)."""
        return latest_gate_metrics(self.measurements)

    @property
    def investment_eur(self) -> float:
        """S19 one-time investment C0 in €: the sum of the cost blocks' ``one_time_eur`` (missing counts as 0)."""
        return math.fsum(block.one_time_eur or 0.0 for block in self.cost_blocks)

    @model_validator(mode="after")
    def _consistent(self) -> UseCase:
        if len({scenario.name for scenario in self.scenarios}) != len(self.scenarios):
            names = [scenario.name for scenario in self.scenarios]
            twice = next(name for name in names if names.count(name) > 1)
            raise ValueError(f"scenarios: names must be unique; '{twice}' appears {names.count(twice)} times")
        if len({entry.item for entry in self.readiness}) != len(self.readiness):
            raise ValueError("readiness: each checklist item may appear only once")
        if len({row.deliverable for row in self.raci}) != len(self.raci):
            raise ValueError("raci: each deliverable may appear only once")
        if self.updated_at < self.created_at:
            raise ValueError("updated_at: must not be before created_at")
        if self.id in self.needs:
            raise ValueError(f"needs: use case '{self.id}' cannot need itself")
        if len(set(self.needs)) != len(self.needs):
            raise ValueError(f"needs: use case '{self.id}' lists a use case twice: {list(self.needs)}")
        return self


class PlanBudgets(Frozen):
    """S20 limits: investment (€), optional run budget (€/month) and team capacity (person-months); None = no limit."""

    investment_eur: NonNegative
    run_budget_eur_per_month: NonNegative | None = None
    capacity_person_months: NonNegative | None = None


FundOn = Literal["base", "p50", "p10"]
FUND_ON: tuple[FundOn, ...] = ("base", "p50", "p10")
"""Which NPV an S20 plan maximises: the S19 figure, or the median or 10th percentile of its Monte Carlo (S16)."""
PlanSource = Literal["app", "excel", "cli"]


class SavedPlan(Frozen):
    """A named S20 plan as decided: its limits, what it maximised, the chosen use cases and its totals.

    ``npv_eur`` is the S19 NPV of the chosen set; ``fund_on_npv_eur`` the total of the NPV the plan maximised
    (None for "base", where it equals ``npv_eur``). Example: "Budget 2027 – base" with 600 k€ and four use cases.
    """

    name: Name
    budgets: PlanBudgets
    fund_on: FundOn = "base"
    chosen_ids: Annotated[tuple[Identifier, ...], Field(max_length=100_000)]
    npv_eur: FiniteNumber
    fund_on_npv_eur: FiniteNumber | None = None
    investment_eur: NonNegative
    run_cost_eur_per_month: NonNegative
    capacity_person_months: NonNegative
    source: PlanSource = "app"

    @model_validator(mode="after")
    def _unique_ids(self) -> SavedPlan:
        if len(set(self.chosen_ids)) != len(self.chosen_ids):
            raise ValueError("chosen_ids: each use case may appear only once")
        return self


class Thresholds(Frozen):
    """Every gate number of S2, S5, S9, S10, S17 plus the quick-win cut-offs, editable per workspace."""

    target_cycle_time_factor: Fraction = 0.70
    poc_min_precision: Fraction = 0.92
    poc_max_p99_latency_ms: NonNegative = 1200.0
    poc_max_risk_score: RiskScore = 3.0
    poc_max_hallucination_rate: Fraction = 0.01
    offline_min_quality_uplift: Fraction = 0.10
    shadow_max_p95_latency_ms: NonNegative = 1200.0
    shadow_max_error_rate: Fraction = 0.005
    hitl_min_review_coverage: Fraction = 0.20
    hitl_max_escalation_sla_hours: NonNegative = 4.0
    rollback_max_time_min: NonNegative = 10.0
    canary_max_p95_latency_ms: NonNegative = 3000.0
    canary_max_hallucination_proxy: Fraction = 0.02
    canary_max_cost_per_request_usd: NonNegative = 0.08
    canary_ramp_start_share: Fraction = 0.05
    canary_ramp_target_share: Fraction = 0.25
    alert_max_latency_ttfb_p95_ms: NonNegative = 2000.0
    alert_max_hallucination_rate_weekly: Fraction = 0.03
    alert_max_model_drift_score: NonNegative = 0.2
    scale_min_adoption: Fraction = 0.4
    scale_max_weeks_without_adoption: NonNegative = 6.0
    scale_min_roi: FiniteNumber = 0.2
    scale_max_p95_latency_ms: NonNegative = 1200.0
    scale_max_drift_alerts_per_week: NonNegative = 2.0
    quick_win_min_value: Fraction = 0.5
    quick_win_min_feasibility: Fraction = 0.5
    behind_plan_min_share: Fraction = 0.70
    """S22: a use case is "behind plan" when its cumulative actual value is below this share of plan at
    ``behind_plan_reviews`` reviews (measured months) in a row."""
    behind_plan_reviews: Annotated[int, Field(ge=1, le=12, strict=True)] = 2
    review_every_days_pilot: Annotated[int, Field(ge=1, le=366, strict=True)] = 7
    review_every_days_production: Annotated[int, Field(ge=1, le=366, strict=True)] = 14
    review_every_months_portfolio: Annotated[int, Field(ge=1, le=12, strict=True)] = 1


DEFAULT_DISCOUNT_RATE_PER_YEAR = 0.08


RetentionMonths = Annotated[int, Field(ge=1, le=240, strict=True)]
"""How long the audit trail keeps a person's identity, in months (S23), e.g. 24."""


class WorkspaceSettings(Frozen):
    """Workspace-level settings beyond the S3 weights and the gate thresholds, stored together (S19).

    Each field is also a top-level field of :class:`Workspace` (the workspace JSON keeps them there).
    Example: ``WorkspaceSettings(default_discount_rate_per_year=0.1)`` discounts at 10 % per year.
    """

    default_discount_rate_per_year: Rate = DEFAULT_DISCOUNT_RATE_PER_YEAR
    audit_pseudonymised: bool = False
    """S23: the audit trail stores a keyed hash (HMAC) of the person instead of their name."""
    audit_retention_months: RetentionMonths | None = None
    """S23: after this many months an audit entry's person is replaced by its pseudonym; None keeps names."""


WORKSPACE_SETTINGS_FIELDS: tuple[str, ...] = tuple(WorkspaceSettings.model_fields)


class Workspace(Frozen):
    """A named portfolio of use cases with its weights, thresholds and default discount rate (S18, S19)."""

    name: Name
    schema_version: Literal[1, 2, 3] = SCHEMA_VERSION
    weights: ScoringWeights = ScoringWeights()
    thresholds: Thresholds = Thresholds()
    default_discount_rate_per_year: Rate = DEFAULT_DISCOUNT_RATE_PER_YEAR
    """S19: the discount rate of every use case whose business case leaves its own rate empty."""
    audit_pseudonymised: bool = False
    """S23: the audit trail stores a keyed hash (HMAC) of the person instead of their name."""
    audit_retention_months: RetentionMonths | None = None
    """S23: after this many months an audit entry's person is replaced by its pseudonym; None keeps names."""
    use_cases: tuple[UseCase, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _migrate_use_cases(cls, data: Any) -> Any:
        """A workspace document of schema 1 or 2: each use case's ``gate_metrics`` becomes a measurement (S22)."""
        if isinstance(data, dict) and isinstance(data.get("use_cases"), list | tuple):
            return {**data, "use_cases": [migrate_gate_metrics(item) for item in data["use_cases"]]}
        return data

    @field_validator("schema_version")
    @classmethod
    def _current_version(cls, version: int) -> int:
        # Older versions lack only fields with defaults (S19, ``scored``, gate decisions) or that UseCase migrates
        # itself (S22 measurements), so after validation it is the current version.
        return SCHEMA_VERSION

    @model_validator(mode="after")
    def _unique_ids(self) -> Workspace:
        seen: set[str] = set()
        for use_case in self.use_cases:
            if use_case.id in seen:
                raise ValueError(f"use_cases: duplicate id '{use_case.id}'")
            seen.add(use_case.id)
        for use_case in self.use_cases:
            unknown = [need for need in use_case.needs if need not in seen]
            if unknown:
                raise ValueError(f"use_cases: '{use_case.id}' needs '{unknown[0]}', which is not a use case of "
                                 "this workspace")
        return self

    @classmethod
    def of_validated_use_cases(cls, use_cases: Sequence[UseCase], **fields: Any) -> Workspace:
        """The workspace of ``fields`` with these already validated use cases, checked across them (unique ids,
        known needs) but not validated again one by one: pydantic runs every use case's own checks again for each
        instance passed in, ~15 ms for 1,000 of them on every cold load. ``ValidationError`` or ``ValueError``."""
        workspace = cls(**fields).model_copy(update={"use_cases": tuple(use_cases)})
        return workspace._unique_ids()

    @property
    def settings(self) -> WorkspaceSettings:
        """The workspace-level settings beyond weights and thresholds (e.g. the S19 default discount rate)."""
        return WorkspaceSettings(**{name: getattr(self, name) for name in WORKSPACE_SETTINGS_FIELDS})

    def use_case(self, use_case_id: str) -> UseCase:
        for use_case in self.use_cases:
            if use_case.id == use_case_id:
                return use_case
        raise KeyError(use_case_id)


ModelT = TypeVar("ModelT", bound=BaseModel)


def marked_scored(before: UseCase, after: UseCase) -> UseCase:
    """``after``, marked scored (S3) when its scoring inputs differ from ``before``'s: the first scoring edit of a
    new use case is its first score. Example: a new use case (``scored`` False) whose data availability moves from
    0.5 to 0.7 comes back with ``scored`` True; any other edit leaves it unscored."""
    if after.scored or after.scoring == before.scoring:
        return after
    return after.model_copy(update={"scored": True})


def get_path(model: BaseModel, path: str) -> Any:
    """Value at a dotted path, e.g. ``get_path(use_case, "roi.adoption") -> 0.62``."""
    value: Any = model
    for part in path.split("."):
        value = value[int(part)] if isinstance(value, tuple) else getattr(value, part)
    return value


def _set_in(data: Any, parts: list[str], value: Any) -> Any:
    if not parts:
        return value
    head, rest = parts[0], parts[1:]
    if isinstance(data, list | tuple):
        items = list(data)
        if not rest and head.isdigit() and int(head) == len(items):
            return [*items, value]  # appended, e.g. an S22 measurement from an Actuals sheet
        try:
            index = int(head)
            items[index] = _set_in(items[index], rest, value)
        except (ValueError, IndexError) as error:
            raise ValueError(f"{head}: no such item") from error
        return items
    if head not in data:
        raise ValueError(f"{head}: unknown field")
    data[head] = _set_in(data[head], rest, value)
    return data


def with_value(model: ModelT, path: str, value: Any) -> ModelT:
    """A validated copy of ``model`` with the field at a dotted path replaced.

    Raises pydantic's ValidationError naming the field when the value is invalid.
    Example: ``with_value(use_case, "roi.adoption", 0.5)``.
    """
    data = model.model_dump(mode="python")
    return type(model).model_validate(_set_in(data, path.split("."), value))


def with_values(model: ModelT, changes: dict[str, Any]) -> ModelT:
    """Like :func:`with_value` for several dotted paths at once, validated once."""
    data = model.model_dump(mode="python")
    for path, value in changes.items():
        data = _set_in(data, path.split("."), value)
    return type(model).model_validate(data)


def _leaves(value: Any, prefix: str) -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            out.update(_leaves(item, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
        out = {}
        for index, item in enumerate(value):
            out.update(_leaves(item, f"{prefix}.{index}"))
        return out
    return {prefix: value}


def diff_fields(old: BaseModel | None, new: BaseModel | None) -> list[tuple[str, Any, Any]]:
    """Leaf-level differences as ``(dotted path, old value, new value)``, JSON-typed values.

    Timestamps ``updated_at`` are ignored: they change on every save and carry no decision.
    """
    old_leaves = _leaves(old.model_dump(mode="json"), "") if old is not None else {}
    new_leaves = _leaves(new.model_dump(mode="json"), "") if new is not None else {}
    changes = []
    for path in sorted(set(old_leaves) | set(new_leaves)):
        if path == "updated_at":
            continue
        before, after = old_leaves.get(path), new_leaves.get(path)
        if before != after:
            changes.append((path, before, after))
    return changes


def _merge_into(base: Any, theirs: Any, mine: Any, path: str, conflicts: list[str]) -> Any:
    """The merged value at ``path``: objects present in all three versions merge key by key, anything else
    (a list, a scalar, an object that appears or goes) is one field."""
    if all(isinstance(value, dict) for value in (base, theirs, mine)):
        return {key: _merge_into(base.get(key), theirs.get(key), mine.get(key), f"{path}.{key}" if path else key,
                                 conflicts)
                for key in dict.fromkeys([*theirs, *mine])}
    if mine == base or path == "updated_at":
        return theirs
    if theirs == base:
        return mine
    conflicts.append(path)
    return theirs


def merge_three_way(base: ModelT, theirs: ModelT, mine: ModelT) -> tuple[ModelT | None, tuple[str, ...]]:
    """Three-way merge of two edits made from the same ``base`` (the version a session saw).

    Nested objects merge field by field (dotted paths); a list (KPIs, RACI, cost blocks) is one field. A path
    only one side changed is taken from that side; a path both changed is a conflict, even to equal values (a
    counter both raised by one must not rise once).
    Returns ``(merged, ())`` or ``(None, conflicting paths)``; a merge that breaks a rule across fields (it is
    validated again) is a conflict on the paths ``mine`` changed.

    Example: base adoption 0.62 and volume 50,000; theirs sets volume 60,000, mine sets adoption 0.7 →
    merged has both; both setting adoption (0.7 vs 0.5) → ``(None, ("roi.adoption",))``.
    """
    conflicts: list[str] = []
    merged = _merge_into(base.model_dump(mode="json"), theirs.model_dump(mode="json"),
                         mine.model_dump(mode="json"), "", conflicts)
    if conflicts:
        return None, tuple(sorted(conflicts))
    try:
        return type(theirs).model_validate(merged), ()
    except ValueError:
        return None, tuple(path for path, _, _ in diff_fields(base, mine))


def error_text(item: Mapping[str, Any]) -> str:
    """One pydantic error item (``ValidationError.errors()``) as a sentence, without its path: a name or label
    that breaks its rule says the rule (:data:`NAME_RULE`), not the regular expression.

    Example: ``error_text({"type": "string_pattern_mismatch", "ctx": {"pattern": NAME_PATTERN}, "msg": "…"})``
    → ``"must show at least one visible character and hold no control characters …"``.
    """
    if item.get("type") == "string_pattern_mismatch":
        rule = RULE_OF_PATTERN.get((item.get("ctx") or {}).get("pattern", ""))
        if rule is not None:
            return rule
    return str(item.get("msg", "")).removeprefix("Value error, ")
