"""S22 plan vs actual: month edges, variance per month and cumulative, the behind-plan flag, the review rhythm,
the source of each ROI input and the S17 decision on measured vs assumed inputs. Reference values by hand."""

from datetime import UTC, date, datetime

import numpy as np
import pytest

from core.gates import evaluate_all
from core.models import (
    MIGRATED_SOURCE,
    CostBlock,
    GateMetrics,
    Measurement,
    RoiSources,
    Thresholds,
    UseCase,
    Workspace,
)
from core.plan_vs_actual import (
    add_months,
    carried_forward,
    effective_roi,
    plan_month,
    plan_vs_actual,
    portfolio_review,
    review_schedule,
    s17_metrics,
    use_case_reviews,
    use_case_with_sources,
)
from tests.core.conftest import S15_BASE
from tests.core.test_store import make_use_case

D = np.datetime64


def _case(measurements=(), start="2026-01-31", **changes) -> UseCase:
    """The S19 worked example (S15 base, C0 120,000 €, 6-month linear ramp, 36 months) with plan dates."""
    use_case = make_use_case(1)
    return use_case.model_copy(update={
        "cost_blocks": (CostBlock(block="integration", one_time_eur=120_000.0),),
        "business_case": use_case.business_case.model_copy(update={"start_on": date.fromisoformat(start)}),
        "measurements": tuple(measurements),
        **changes,
    })


def _m(day: str, **values) -> Measurement:
    gate = {name: values.pop(name) for name in list(values) if name in GateMetrics.model_fields}
    return Measurement(measured_on=date.fromisoformat(day), gate_metrics=GateMetrics(**gate), **values)


@pytest.mark.parametrize(("start", "months", "expected"), [
    ("2026-01-31", 1, "2026-02-28"),  # clamped to February's last day
    ("2028-01-31", 1, "2028-02-29"),  # leap year
    ("2026-03-31", 1, "2026-04-30"),
    ("2026-01-31", 2, "2026-03-31"),  # the 31st comes back
    ("2026-12-15", 1, "2027-01-15"),
    ("2026-03-31", -1, "2026-02-28"),
])
def test_add_months_clamps_to_the_last_day(start, months, expected):
    assert add_months(D(start), months) == D(expected)


@pytest.mark.parametrize(("day", "month"), [
    ("2026-01-30", 0),  # before the plan
    ("2026-01-31", 1),
    ("2026-02-27", 1),
    ("2026-02-28", 2),  # month 2 begins on 28 February (31 January + 1 month, clamped)
    ("2026-03-30", 2),
    ("2026-03-31", 3),
    ("2027-01-30", 12),
    ("2027-01-31", 13),
])
def test_plan_month_from_the_31st(day, month):
    assert plan_month(D("2026-01-31"), D(day)) == month


def test_plan_month_in_a_leap_year():
    days = np.array(["2028-02-28", "2028-02-29", "2028-03-30", "2028-03-31"], dtype="datetime64[D]")
    assert plan_month(D("2028-01-31"), days).tolist() == [1, 2, 2, 3]
    assert plan_month(D("2028-02-29"), np.array(["2028-03-28", "2028-03-29", "2029-02-28"],
                                                dtype="datetime64[D]")).tolist() == [1, 2, 13]


def test_carried_forward_stays_within_each_use_case():
    out = carried_forward(np.array([0, 0, 0, 1]), np.array([0.4, np.nan, 0.5, np.nan]))
    assert out[:3].tolist() == [0.4, 0.4, 0.5] and np.isnan(out[3])


def test_variance_per_month_and_cumulative_by_hand():
    # Month-1 value per unit of adoption: 50,000 × (2.4 × 0.85 + 1.10 × 0.18) = 111,900 €.
    case = _case([
        _m("2026-02-05", adoption=0.9),  # same month as 27 February, earlier: the later one counts
        _m("2026-02-27", adoption=0.0775),  # month 1
        _m("2026-02-28", adoption=0.1),  # month 2 (the 31st edge)
        _m("2026-03-31", adoption=0.15),  # month 3
    ])
    result = plan_vs_actual([case])
    rows = result.case_rows(0)
    assert rows["month"].tolist() == [1, 2, 3]
    assert rows["month_start"].tolist() == [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31)]
    # Plan: 111,900 × 0.62 × m/6 → 11,563, 23,126, 34,689 €; net − 18,000 → −6,437, 5,126, 16,689 € (S19).
    assert rows["plan_value_eur"] == pytest.approx([11_563, 23_126, 34_689])
    assert rows["plan_net_eur"] == pytest.approx([-6_437, 5_126, 16_689])
    # Actual: 111,900 × 0.0775 = 8,672.25; × 0.1 = 11,190; × 0.15 = 16,785 €; the run cost stays the plan's.
    assert rows["actual_value_eur"] == pytest.approx([8_672.25, 11_190, 16_785])
    assert rows["actual_net_eur"] == pytest.approx([-9_327.75, -6_810, -1_215])
    assert rows["variance_eur"] == pytest.approx([-2_890.75, -11_936, -17_904])
    assert rows["variance_pct"] == pytest.approx([-2_890.75 / 6_437, -11_936 / 5_126, -17_904 / 16_689])
    # Cumulative from −C0: plan −126,437, −121,311, −104,622; actual −129,327.75, −136,137.75, −137,352.75.
    assert rows["cumulative_plan_net_eur"] == pytest.approx([-126_437, -121_311, -104_622])
    assert rows["cumulative_actual_net_eur"] == pytest.approx([-129_327.75, -136_137.75, -137_352.75])
    assert rows["cumulative_variance_eur"] == pytest.approx([-2_890.75, -14_826.75, -32_730.75])
    # % of the cumulative plan net without C0: −14,826.75 / |−6,437 + 5,126| = −11.31.
    assert rows["cumulative_variance_pct"][1] == pytest.approx(-14_826.75 / 1_311)
    # Value share: 8,672.25 / 11,563 = 0.75; 19,862.25 / 34,689 = 0.5726; 36,647.25 / 69,378 = 0.5282.
    assert rows["value_share"] == pytest.approx([0.75, 19_862.25 / 34_689, 36_647.25 / 69_378])
    # S22: below 70 % at months 2 and 3 – two reviews in a row – behind plan from month 3 on.
    assert rows["behind_plan"].tolist() == [False, False, True]
    assert result.behind_plan.tolist() == [True]
    assert result.months_measured.tolist() == [3]
    assert result.cumulative_variance_eur[0] == pytest.approx(-32_730.75)


def test_one_review_below_plan_is_not_yet_behind_and_a_good_month_clears_it():
    below_once = _case([_m("2026-02-27", adoption=0.0775), _m("2026-02-28", adoption=0.1)])
    assert plan_vs_actual([below_once]).behind_plan.tolist() == [False]
    recovered = _case([_m("2026-02-28", adoption=0.05), _m("2026-03-31", adoption=0.05),
                       _m("2026-04-30", adoption=0.9)])
    rows = plan_vs_actual([recovered]).case_rows(0)
    # Months 2, 3, 4: shares 0.05/0.2067 = 0.242, 0.1/0.5167 = 0.194, 1.0/0.9300 = 1.075.
    assert rows["value_share"] == pytest.approx([0.05 / (0.62 * 2 / 6), 0.1 / (0.62 * 5 / 6), 1.0 / (0.62 * 9 / 6)])
    assert rows["behind_plan"].tolist() == [False, True, False]


def test_measured_inputs_carry_forward_and_unmeasured_ones_keep_the_plan():
    case = _case([_m("2026-02-27", minutes_saved_per_case=1.2, run_cost_eur_per_month=20_000.0),
                  _m("2026-03-30", adoption=0.2)], start="2026-02-01")
    rows = plan_vs_actual([case]).case_rows(0)
    # Month 1 (February): plan adoption 0.62/6; value 50,000 × 0.10333 × (1.2 × 0.85 + 0.198) = 6,293.67 €.
    # Month 2 (March): adoption 0.2, minutes 1.2 carried: 50,000 × 0.2 × 1.218 = 12,180 €, run 20,000 carried.
    assert rows["actual_value_eur"] == pytest.approx([50_000 * 0.62 / 6 * 1.218, 12_180])
    assert rows["actual_net_eur"] == pytest.approx([50_000 * 0.62 / 6 * 1.218 - 20_000, -7_820])


def test_measurements_outside_the_plan_or_without_start_are_left_out():
    case = _case([_m("2026-01-30", adoption=0.5), _m("2029-01-31", adoption=0.5)])  # month 0 and month 37
    result = plan_vs_actual([case, _case([_m("2026-02-27", adoption=0.5)]).model_copy(
        update={"business_case": case.business_case.model_copy(update={"start_on": None})})])
    assert result.rows["month"].size == 0
    assert result.months_measured.tolist() == [0, 0] and np.isnan(result.cumulative_variance_eur).all()
    assert result.behind_plan.tolist() == [False, False]


def test_the_portfolio_kernel_equals_one_call_per_use_case():
    cases = [_case([_m("2026-02-27", adoption=0.05 * k), _m("2026-03-31", adoption=0.06 * k)]) for k in range(1, 6)]
    together = plan_vs_actual(cases)
    for index, case in enumerate(cases):
        alone = plan_vs_actual([case]).case_rows(0)
        for name, values in together.case_rows(index).items():
            assert np.array_equal(values, alone[name], equal_nan=True), name


def test_the_threshold_is_editable():
    case = _case([_m("2026-02-27", adoption=0.0775), _m("2026-02-28", adoption=0.1)])
    assert plan_vs_actual([case], Thresholds(behind_plan_min_share=0.8)).behind_plan.tolist() == [True]
    assert plan_vs_actual([case], Thresholds(behind_plan_reviews=1)).behind_plan.tolist() == [True]


def test_review_rhythm_weekly_in_pilot_two_weeks_in_production():
    last = np.array(["2026-03-02", "2026-03-02", "NaT", "2026-03-02", "NaT"], dtype="datetime64[D]")
    fallback = np.array(["2026-01-01", "2026-01-01", "2026-02-23", "2026-01-01", "NaT"], dtype="datetime64[D]")
    phases = ["pilot", "production", "pilot", "discovery", "scale"]
    on_time = review_schedule(phases, last, fallback, date(2026, 3, 9))
    assert on_time.next_review.tolist()[:3] == [date(2026, 3, 9), date(2026, 3, 16), date(2026, 3, 2)]
    assert on_time.next_review.tolist()[3:] == [None, None]
    assert on_time.applies.tolist() == [True, True, True, False, True]
    assert on_time.overdue.tolist() == [False, False, True, False, False]
    late = review_schedule(phases, last, fallback, date(2026, 3, 10))
    assert late.overdue.tolist() == [True, False, True, False, False]
    assert review_schedule(phases, last, fallback, date(2026, 3, 17)).overdue.tolist()[1]


def test_review_of_use_cases_falls_back_to_the_pilot_start_then_the_creation_day():
    created = datetime(2026, 1, 6, 9, 0, tzinfo=UTC)
    measured = _case([_m("2026-03-02")], phase="pilot")
    started = _case(phase="pilot", pilot_started_on=date(2026, 2, 23))
    fresh = _case(phase="pilot", created_at=created, updated_at=created)
    reviews = use_case_reviews([measured, started, fresh], date(2026, 3, 9))
    assert reviews.next_review.tolist() == [date(2026, 3, 9), date(2026, 3, 2), date(2026, 1, 13)]
    assert reviews.overdue.tolist() == [False, True, True]


def test_portfolio_review_is_monthly_from_the_latest_measurement():
    last = np.array(["2026-01-31", "2026-01-15", "2026-03-01"], dtype="datetime64[D]")
    phases = ["pilot", "production", "discovery"]  # the discovery one is not under review
    schedule = review_schedule(phases, last, last, date(2026, 2, 28))
    review = portfolio_review(schedule, date(2026, 2, 28))
    assert (review.last_measured, review.next_review, review.overdue) == (date(2026, 1, 31), date(2026, 2, 28), False)
    assert portfolio_review(schedule, date(2026, 3, 1)).overdue
    leap = review_schedule(["pilot"], np.array(["2028-01-31"], dtype="datetime64[D]"), last[:1], date(2028, 2, 29))
    assert portfolio_review(leap, date(2028, 2, 29)).next_review == date(2028, 2, 29)
    never = review_schedule(["pilot"], np.array(["NaT"], dtype="datetime64[D]"), last[:1], date(2026, 2, 1))
    assert portfolio_review(never, date(2026, 2, 1)) .next_review is None


def test_each_roi_input_uses_the_assumption_or_the_latest_measurement():
    case = _case([_m("2026-03-31", adoption=0.48), _m("2026-02-27", adoption=0.3, run_cost_eur_per_month=20_000.0)],
                 roi_sources=RoiSources(adoption="measurement", minutes_saved_per_case="measurement"))
    effective = effective_roi(case)
    assert effective.inputs.adoption == 0.48  # the later date, though entered first
    assert effective.inputs.minutes_saved_per_case == 2.4  # chosen, but never measured: still assumed
    assert effective.inputs.run_cost_eur_per_month == 18_000  # measured, but the assumption is chosen
    by_name = {source.name: source for source in effective.sources}
    assert (by_name["adoption"].origin, by_name["adoption"].measured_on) == ("measurement", date(2026, 3, 31))
    assert by_name["minutes_saved_per_case"].origin == "assumption"
    assert use_case_with_sources(case).roi.adoption == 0.48
    assert use_case_with_sources(_case()) is not None and use_case_with_sources(_case()).roi == S15_BASE
    everything = effective_roi(case, all_measured=True)
    assert (everything.inputs.adoption, everything.inputs.run_cost_eur_per_month) == (0.48, 20_000)


S17_OK = {"p95_latency_ms": 900.0, "drift_alerts_per_week": 1.0}


def test_s17_reads_weeks_from_the_dates_and_adoption_from_the_latest_measurement():
    case = _case([_m("2026-02-23", adoption=0.3, **S17_OK)], pilot_started_on=date(2026, 1, 5))
    metrics, sources = s17_metrics(case)
    assert metrics.weeks_since_pilot_start == 7.0  # 5 January → 23 February = 49 days
    assert metrics.observed_adoption == 0.3
    by_name = {source.name: source for source in sources}
    assert (by_name["weeks_since_pilot_start"].origin, by_name["weeks_since_pilot_start"].measured_on) == (
        "dates", date(2026, 2, 23))
    result = evaluate_all(case)["scale_or_kill"]
    assert result.decision == "stop_or_re-scope"  # adoption 0.3 < 0.4 and 7 weeks > 6 (S17)
    assert {source.name: source.origin for source in result.sources}["observed_adoption"] == "measurement"


def test_s17_on_measured_versus_assumed_roi():
    # Measured adoption 0.3, weeks 5 (measured, no pilot start): no stop. ROI from the measured adoption:
    # 50,000 × 0.3 × 2.238 = 33,570 €; (33,570 − 18,000) / 18,000 = 0.865 > 0.2 → scale.
    measured = _case([_m("2026-02-23", adoption=0.3, weeks_since_pilot_start=5.0, **S17_OK)])
    result = evaluate_all(measured)["scale_or_kill"]
    assert result.decision == "scale"
    roi_check = next(check for check in result.checks if check.name == "roi")
    assert roi_check.actual == pytest.approx(15_570 / 18_000)
    origins = {source.name: (source.origin, source.measured_on) for source in result.sources}
    assert origins["adoption"] == ("measurement", date(2026, 2, 23))
    assert origins["minutes_saved_per_case"] == ("assumption", None)
    # A measured run cost of 40,000 €: (33,570 − 40,000) / 40,000 = −0.16075 → iterate.
    costly = _case([_m("2026-02-23", adoption=0.3, weeks_since_pilot_start=5.0, run_cost_eur_per_month=40_000.0,
                       **S17_OK)])
    result = evaluate_all(costly)["scale_or_kill"]
    assert result.decision == "iterate"
    assert next(check for check in result.checks if check.name == "roi").actual == pytest.approx(-0.16075)
    # Only gate values measured: the ROI is the assumed S15 base, 51,378 / 18,000 = 2.854 → scale.
    assumed = _case([_m("2026-02-23", observed_adoption=0.5, weeks_since_pilot_start=5.0, **S17_OK)])
    result = evaluate_all(assumed)["scale_or_kill"]
    assert next(check for check in result.checks if check.name == "roi").actual == pytest.approx(51_378 / 18_000)
    assert {source.name: source.origin for source in result.sources}["adoption"] == "assumption"


def test_the_gates_say_when_each_input_was_measured():
    case = _case([_m("2026-02-01", precision=0.9), _m("2026-03-01", precision=0.95, risk_score=2.0)])
    result = evaluate_all(case)["poc_to_pilot"]
    dates = {source.name: source.measured_on for source in result.sources}
    assert dates == {"precision": date(2026, 3, 1), "risk_score": date(2026, 3, 1)}
    assert case.gate_metrics.precision == 0.95


def test_schema_2_gate_metrics_become_the_latest_measurement():
    old = json_of(make_use_case(3))
    old["updated_at"] = "2026-03-18T14:05:00Z"
    old["gate_metrics"] = {"precision": 0.94, "canary_enabled": True}
    workspace = Workspace.model_validate({"name": "w", "schema_version": 2, "use_cases": [old]})
    (measurement,) = workspace.use_cases[0].measurements
    assert measurement.measured_on == date(2026, 3, 18) and measurement.source == MIGRATED_SOURCE
    assert measurement.gate_metrics == GateMetrics(precision=0.94, canary_enabled=True)
    assert workspace.use_cases[0].gate_metrics.precision == 0.94
    assert workspace.schema_version == 3
    old["gate_metrics"] = {}
    assert Workspace.model_validate({"name": "w", "use_cases": [old]}).use_cases[0].measurements == ()


def json_of(use_case: UseCase) -> dict:
    import json

    return json.loads(use_case.model_dump_json())
