import json
import math
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

from core.models import (
    DEFAULT_SCENARIOS,
    LABEL_RULE,
    NAME_RULE,
    SCHEMA_VERSION,
    BusinessCase,
    ComplianceChecklist,
    CostBlock,
    GateMetrics,
    InferenceCostInputs,
    Kpi,
    Label,
    Name,
    RaciRow,
    RoiInputs,
    Scenario,
    ScoringInputs,
    ScoringWeights,
    Thresholds,
    UseCase,
    Workspace,
    diff_fields,
    error_text,
    get_path,
    with_value,
    with_values,
)

ROOT = Path(__file__).resolve().parents[2]
SCORING = ScoringInputs(cycle_time_reduction=0.3, cost_reduction=0.2, error_reduction=0.25, data_availability=0.8,
                        integration_effort=0.3, compliance_risk=0.2, change_effort=0.3)
ROI = RoiInputs(volume_cases_per_month=50_000, adoption=0.62, minutes_saved_per_case=2.4, cost_per_minute_eur=0.85,
                error_cost_per_case_eur=1.10, error_rate_reduction=0.18, run_cost_eur_per_month=18_000)
USE_CASE = UseCase(id="support-chatbot", name="Support chatbot", scoring=SCORING, roi=ROI)

NUMBER_MODELS: list[tuple[type[BaseModel], BaseModel]] = [
    (ScoringInputs, SCORING),
    (RoiInputs, ROI),
    (GateMetrics, GateMetrics()),
    (Thresholds, Thresholds()),
    (InferenceCostInputs, InferenceCostInputs(tokens_per_request=1200, requests_per_month=200_000,
                                             price_per_1k_tokens_eur=0.002)),
]


def numeric_fields(model_type: type[BaseModel]) -> list[str]:
    fields = []
    for name, info in model_type.model_fields.items():
        text = str(info.annotation)
        if "float" in text:
            fields.append(name)
    return fields


CASES = [(model_type, instance, name) for model_type, instance in NUMBER_MODELS for name in numeric_fields(model_type)]


@pytest.mark.parametrize(("model_type", "instance", "field"), CASES, ids=[f"{m.__name__}.{f}" for m, _, f in CASES])
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, "0.5", True, None, [0.5], -1.0, 2e12])
def test_every_number_field_rejects_bad_values_naming_the_field(model_type, instance, field, bad):
    annotation = str(model_type.model_fields[field].annotation)
    if bad is None and "None" in annotation:
        return  # "not measured yet" is a legitimate value for gate metrics
    if bad == -1.0 and field == "scale_min_roi":
        return  # a ROI threshold may be negative
    data = instance.model_dump()
    data[field] = bad
    with pytest.raises(ValidationError) as caught:
        model_type.model_validate(data)
    assert field in str(caught.value)


@pytest.mark.parametrize("model_type", [ScoringInputs, RoiInputs, GateMetrics])
def test_fractions_reject_values_above_one(model_type):
    schema = model_type.model_json_schema()["properties"]
    fractions = [name for name, spec in schema.items()
                 if spec.get("maximum") == 1.0 or any(o.get("maximum") == 1.0 for o in spec.get("anyOf", []))]
    assert len(fractions) >= 2
    instance = dict(NUMBER_MODELS)[model_type]
    for name in fractions:
        with pytest.raises(ValidationError, match=name):
            model_type.model_validate({**instance.model_dump(), name: 1.0000001})
        model_type.model_validate({**instance.model_dump(), name: 1.0})  # the boundary itself is valid


def test_unknown_fields_are_rejected_and_models_are_frozen():
    with pytest.raises(ValidationError, match="colour"):
        RoiInputs.model_validate({**ROI.model_dump(), "colour": "red"})
    with pytest.raises(ValidationError):
        ROI.adoption = 0.5  # type: ignore[misc]


def test_weights_defaults_are_s3_and_groups_must_sum_to_one():
    weights = ScoringWeights()
    assert (weights.cycle_time_reduction, weights.cost_reduction, weights.error_reduction) == (0.5, 0.3, 0.2)
    assert (weights.data_availability, weights.integration_effort, weights.compliance_risk,
            weights.change_effort) == (0.4, 0.3, 0.2, 0.1)
    with pytest.raises(ValidationError, match="feasibility weights"):
        ScoringWeights(data_availability=0.5)
    ScoringWeights(cycle_time_reduction=0.5 + 5e-10, cost_reduction=0.3, error_reduction=0.2)  # within 1e-9


def test_raci_needs_exactly_one_accountable():
    assert RaciRow(deliverable="Use case + KPI set", accountable="PO", consulted="Ops, Security").consulted == (
        "Ops", "Security")
    for accountable in ("", "PO, Ops"):
        with pytest.raises(ValidationError, match="exactly one A"):
            RaciRow(deliverable="Use case + KPI set", accountable=accountable)


NAME_ADAPTER, LABEL_ADAPTER = TypeAdapter(Name), TypeAdapter(Label)
# Each breaks a line or a table cell, shows nothing, or reorders what follows it (issue 12, item 5).
HOSTILE_NAMES = {
    "carriage return": "a\rb",
    "zero-width space alone": "\u200b",
    "right-to-left override": "a\u202eb",
    "left-to-right isolate": "a\u2066b",
    "line separator": "a\u2028b",
}
GERMAN_NAMES = ("Jürgen Müller-Lüdenscheidt", "Straße & Söhne", "ÄÖÜ äöü ß", "Groß")


@pytest.mark.parametrize("text", HOSTILE_NAMES.values(), ids=HOSTILE_NAMES.keys())
@pytest.mark.parametrize(("adapter", "rule"), [(NAME_ADAPTER, NAME_RULE), (LABEL_ADAPTER, LABEL_RULE)],
                         ids=["Name", "Label"])
def test_names_and_labels_refuse_control_invisible_and_bidi_characters(adapter, rule, text):
    with pytest.raises(ValidationError) as caught:
        adapter.validate_python(text)
    [error] = caught.value.errors()
    assert error_text(error) == rule


@pytest.mark.parametrize("text", HOSTILE_NAMES.values(), ids=HOSTILE_NAMES.keys())
def test_a_model_refuses_a_hostile_name_naming_the_field(text):
    with pytest.raises(ValidationError, match="name"):
        Kpi(group="value", name=text, target_value=1)
    with pytest.raises(ValidationError, match="unit"):
        Kpi(group="value", name="CSAT", target_value=1, unit=text)


@pytest.mark.parametrize("text", GERMAN_NAMES)
def test_german_names_with_umlauts_and_sharp_s_are_names_and_labels(text):
    assert NAME_ADAPTER.validate_python(text) == text
    assert LABEL_ADAPTER.validate_python(text) == text
    assert Kpi(group="value", name=text, target_value=1, unit=text).name == text


def test_default_raci_is_the_article_example_s14():
    rows = {row.deliverable: row for row in USE_CASE.raci}
    assert rows["MLOps + monitoring + rollback"].accountable == ("Ops",)
    assert rows["MLOps + monitoring + rollback"].responsible == ("Platform",)
    assert all(len(row.accountable) == 1 for row in rows.values())


def test_default_scenarios_are_s16():
    by_name = {scenario.name: scenario for scenario in DEFAULT_SCENARIOS}
    assert by_name["worst"].overrides() == {"adoption": 0.25, "minutes_saved_per_case": 0.8}
    assert by_name["base"].overrides() == {}
    assert by_name["best"].overrides() == {"adoption": 0.85, "minutes_saved_per_case": 3.2}


def test_use_case_rules_spanning_fields():
    with pytest.raises(ValidationError, match="names must be unique"):
        with_value(USE_CASE, "scenarios", [Scenario(name="x"), Scenario(name="x")])
    with pytest.raises(ValidationError, match="id"):
        with_value(USE_CASE, "id", "has space")
    with pytest.raises(ValidationError, match="timezone"):
        with_value(USE_CASE, "created_at", datetime(2026, 1, 1))
    with pytest.raises(ValidationError, match="updated_at"):
        with_values(USE_CASE, {"created_at": datetime(2026, 2, 1, tzinfo=UTC),
                               "updated_at": datetime(2026, 1, 1, tzinfo=UTC)})
    with pytest.raises(ValidationError, match="name"):
        Kpi(group="value", name="   ", target_value=-30)


def test_workspace_rejects_duplicate_ids_and_unknown_schema_versions():
    with pytest.raises(ValidationError, match="duplicate id 'support-chatbot'"):
        Workspace(name="w", use_cases=(USE_CASE, USE_CASE))
    with pytest.raises(ValidationError, match="schema_version"):
        Workspace.model_validate({"name": "w", "schema_version": SCHEMA_VERSION + 1})


def test_with_value_validates_and_diff_fields_names_paths():
    changed = with_value(USE_CASE, "roi.adoption", 0.5)
    assert get_path(changed, "roi.adoption") == 0.5
    assert diff_fields(USE_CASE, changed) == [("roi.adoption", 0.62, 0.5)]
    with pytest.raises(ValidationError, match=r"roi\.adoption"):
        with_value(USE_CASE, "roi.adoption", 1.5)
    with pytest.raises(ValueError, match="colour: unknown field"):
        with_value(USE_CASE, "roi.colour", 1)
    assert get_path(USE_CASE, "raci.0.deliverable") == "Use case + KPI set"
    worst = with_value(USE_CASE, "scenarios.0.adoption", 0.3)  # paths into tuples of models
    assert worst.scenarios[0].adoption == 0.3
    assert diff_fields(USE_CASE, worst) == [("scenarios.0.adoption", 0.25, 0.3)]
    with pytest.raises(ValueError, match="7: no such item"):
        with_value(USE_CASE, "scenarios.7.adoption", 0.3)
    compliance = with_value(USE_CASE, "compliance", ComplianceChecklist(model_card=True).model_dump())
    assert diff_fields(USE_CASE, compliance) == [("compliance.model_card", None, True)]


def test_json_round_trip_is_exact():
    text = USE_CASE.model_dump_json()
    assert UseCase.model_validate_json(text) == USE_CASE
    sample = (ROOT / "sample_data" / "workspace.json").read_text(encoding="utf-8")
    workspace = Workspace.model_validate_json(sample)
    assert json.loads(workspace.model_dump_json()) == json.loads(sample)


def test_schema_version_1_loads_with_s19_defaults_and_becomes_current():
    old = json.loads(USE_CASE.model_dump_json(exclude={"business_case"}))
    old["cost_blocks"] = [{"block": "integration", "cost_eur_per_month": 1_500.0}]
    workspace = Workspace.model_validate({"name": "w", "schema_version": 1, "use_cases": [old]})
    assert SCHEMA_VERSION == 3 and workspace.schema_version == 3
    assert json.loads(workspace.model_dump_json())["schema_version"] == SCHEMA_VERSION  # export writes the current one
    assert workspace.default_discount_rate_per_year == 0.08  # S19 default i = 8 %
    use_case = workspace.use_cases[0]
    assert use_case.business_case == BusinessCase()
    assert (use_case.business_case.horizon_months, use_case.business_case.ramp_months) == (36, 6)  # S19 defaults
    assert use_case.business_case.ramp_shape == "linear"
    assert use_case.business_case.run_cost_escalation_per_year == 0.0
    assert use_case.business_case.discount_rate_per_year is None
    assert use_case.cost_blocks[0].one_time_eur is None and use_case.investment_eur == 0.0


def test_investment_is_the_sum_of_the_cost_blocks_one_time_amounts():
    blocks = (CostBlock(block="data_work", one_time_eur=25_000.0),
              CostBlock(block="integration", one_time_eur=60_000.0),
              CostBlock(block="inference", cost_eur_per_month=480.0),
              CostBlock(block="change_training", one_time_eur=35_000.0, cost_eur_per_month=100.0))
    use_case = with_value(USE_CASE, "cost_blocks", [block.model_dump() for block in blocks])
    assert use_case.investment_eur == 120_000.0  # 25,000 + 60,000 + 0 + 35,000 (S19 C0, S12 blocks)
    assert "investment_eur" not in use_case.model_dump()  # derived, never stored twice
    with pytest.raises(ValidationError, match="one_time_eur"):
        CostBlock(block="integration", one_time_eur=-1.0)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"horizon_months": 130}, "horizon_months"),
        ({"horizon_months": 0}, "horizon_months"),
        ({"horizon_months": 36.0}, "horizon_months"),
        ({"ramp_months": -1}, "ramp_months"),
        ({"ramp_months": 61, "horizon_months": 120}, "ramp_months"),
        ({"ramp_months": 40, "horizon_months": 24}, "ramp_months"),
        ({"ramp_shape": "cubic"}, "ramp_shape"),
        ({"run_cost_escalation_per_year": -0.01}, "run_cost_escalation_per_year"),
        ({"run_cost_escalation_per_year": 1.5}, "run_cost_escalation_per_year"),
        ({"discount_rate_per_year": -0.05}, "discount_rate_per_year"),
        ({"discount_rate_per_year": 1.2}, "discount_rate_per_year"),
        ({"discount_rate_per_year": float("nan")}, "discount_rate_per_year"),
        ({"discount_rate_per_year": "0.08"}, "discount_rate_per_year"),
    ],
)
def test_business_case_validation_names_the_field(values, field):
    with pytest.raises(ValidationError, match=field):
        BusinessCase(**values)
    with pytest.raises(ValidationError, match=field):
        with_values(USE_CASE, {f"business_case.{name}": value for name, value in values.items()})


def test_business_case_bounds_and_workspace_rate():
    assert BusinessCase(horizon_months=120, ramp_months=60, ramp_shape="s_curve").ramp_months == 60
    assert BusinessCase(horizon_months=1, ramp_months=0).horizon_months == 1
    assert BusinessCase(ramp_months=36).ramp_months == 36  # a ramp as long as the horizon is fine
    assert BusinessCase(discount_rate_per_year=0.0).discount_rate_per_year == 0.0
    with pytest.raises(ValidationError, match="default_discount_rate_per_year"):
        Workspace(name="w", default_discount_rate_per_year=-0.01)
    assert Workspace(name="w", default_discount_rate_per_year=0.12).default_discount_rate_per_year == 0.12
