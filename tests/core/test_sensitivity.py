import dataclasses
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.business_case import BusinessCaseResult, BusinessCaseTerms, business_case
from core.models import ROI_INPUT_FIELDS, RoiInputs, Scenario, ScoringInputs, ScoringWeights, UseCase
from core.roi import compute_roi
from core.scoring import score_portfolio
from core.sensitivity import (
    HORIZON_RANGE_FIELDS,
    POC_WITH_EXPIRY,
    SCALE_CANDIDATE,
    default_ranges,
    monte_carlo,
    monte_carlo_business_case,
    rank_stability,
    run_scenarios,
    scenario_arrays,
    scenario_verdict,
    tornado,
    verdict_of_net_values,
)
from tests.core.conftest import S15_BASE


def test_s16_worst_base_best_by_hand():
    frame = run_scenarios(S15_BASE)
    assert list(frame.index) == ["worst", "base", "best"]
    # worst (S16): adoption 0.25, minutes 0.8 → used cases 50,000·0.25 = 12,500
    # value_time 12,500·0.8·0.85 = 8,500; value_quality 12,500·1.10·0.18 = 2,475
    # net 10,975 − 18,000 = −7,025; roi −7,025 / 18,000 = −0.390277…
    worst = frame.loc["worst"]
    assert worst["value_time"] == pytest.approx(8_500, rel=1e-12)
    assert worst["value_quality"] == pytest.approx(2_475, rel=1e-12)
    assert worst["total_value"] == pytest.approx(10_975, rel=1e-12)
    assert worst["net_value"] == pytest.approx(-7_025, rel=1e-12)
    assert worst["roi"] == pytest.approx(-7_025 / 18_000, rel=1e-12)
    assert worst["roi"] == pytest.approx(-0.3902777778, rel=1e-9)
    assert not worst["survives"]
    # base (S15): 63,240 + 6,138 − 18,000 = 51,378; roi 2.85433…
    assert frame.loc["base", "net_value"] == pytest.approx(51_378, rel=1e-12)
    assert frame.loc["base", "roi"] == pytest.approx(2.8543333333, rel=1e-9)
    # best (S16): adoption 0.85, minutes 3.2 → used cases 42,500
    # value_time 42,500·3.2·0.85 = 115,600; value_quality 42,500·1.10·0.18 = 8,415
    # net 124,015 − 18,000 = 106,015; roi 106,015 / 18,000 = 5.889722…
    best = frame.loc["best"]
    assert best["value_time"] == pytest.approx(115_600, rel=1e-12)
    assert best["value_quality"] == pytest.approx(8_415, rel=1e-12)
    assert best["net_value"] == pytest.approx(106_015, rel=1e-12)
    assert best["roi"] == pytest.approx(5.8897222222, rel=1e-9)
    assert frame["survives"].tolist() == [False, True, True]
    # S16: worst does not survive → not a scale candidate
    assert frame.attrs["verdict"] == POC_WITH_EXPIRY
    assert scenario_verdict(frame) == POC_WITH_EXPIRY


def test_columns_and_inputs_echoed():
    frame = run_scenarios(S15_BASE)
    expected = [*ROI_INPUT_FIELDS, "value_time", "value_quality", "total_value", "net_value", "roi", "survives"]
    assert list(frame.columns) == expected
    assert frame.index.name == "scenario"
    assert frame.loc["worst", "adoption"] == 0.25
    assert frame.loc["best", "minutes_saved_per_case"] == 3.2
    assert frame.loc["best", "run_cost_eur_per_month"] == 18_000


def test_scale_candidate_when_worst_survives():
    cheap = S15_BASE.model_copy(update={"run_cost_eur_per_month": 10_000.0})
    frame = run_scenarios(cheap)  # worst: 10,975 € value > 10,000 € run cost
    assert frame.loc["worst", "survives"]
    assert frame.attrs["verdict"] == SCALE_CANDIDATE


def test_break_even_worst_does_not_survive():
    frame = run_scenarios(S15_BASE.model_copy(update={"run_cost_eur_per_month": 10_975.0}))
    assert frame.loc["worst", "net_value"] == pytest.approx(0.0, abs=1e-9)
    assert frame.attrs["verdict"] == POC_WITH_EXPIRY


def test_verdict_without_worst_row_uses_lowest_net_value():
    custom = (Scenario(name="low", adoption=0.1), Scenario(name="high", adoption=0.9))
    assert run_scenarios(S15_BASE, custom).attrs["verdict"] == POC_WITH_EXPIRY
    fine = (Scenario(name="a", adoption=0.5), Scenario(name="b", adoption=0.9))
    assert run_scenarios(S15_BASE, fine).attrs["verdict"] == SCALE_CANDIDATE


def test_zero_run_cost_gives_nan_roi_only():
    frame = run_scenarios(S15_BASE.model_copy(update={"run_cost_eur_per_month": 0.0}))
    assert frame["roi"].isna().all()
    assert frame["net_value"].notna().all()
    assert frame["survives"].all()


def test_scenario_errors():
    with pytest.raises(ValueError, match="scenarios"):
        run_scenarios(S15_BASE, [])
    with pytest.raises(ValueError, match="unique"):
        run_scenarios(S15_BASE, [Scenario(name="x"), Scenario(name="x")])
    with pytest.raises(ValueError, match="scenario"):
        scenario_verdict(pd.DataFrame({"net_value": []}))


fractions = st.floats(0.0, 1.0, allow_nan=False)
amounts = st.floats(0.0, 1e6, allow_nan=False)
roi_inputs = st.builds(
    RoiInputs,
    volume_cases_per_month=amounts,
    adoption=fractions,
    minutes_saved_per_case=st.floats(0.0, 60.0),
    cost_per_minute_eur=st.floats(0.0, 10.0),
    error_cost_per_case_eur=st.floats(0.0, 100.0),
    error_rate_reduction=fractions,
    run_cost_eur_per_month=amounts,
)
scenario_lists = st.lists(
    st.builds(Scenario, name=st.just("x"), adoption=st.none() | fractions,
              minutes_saved_per_case=st.none() | st.floats(0.0, 60.0),
              run_cost_eur_per_month=st.none() | amounts),
    min_size=1, max_size=5,
).map(lambda items: [item.model_copy(update={"name": f"s{i}"}) for i, item in enumerate(items)])


@settings(max_examples=60, deadline=None)
@given(roi_inputs, scenario_lists)
def test_scenarios_equal_compute_roi_row_by_row(inputs, scenarios):
    frame = run_scenarios(inputs, scenarios)
    for scenario in scenarios:
        expected = compute_roi(inputs.model_copy(update=scenario.overrides()))
        row = frame.loc[scenario.name]
        for name in ("value_time", "value_quality", "total_value", "net_value"):
            assert row[name] == pytest.approx(getattr(expected, name), rel=1e-12, abs=1e-9)
        if expected.roi is None:
            assert math.isnan(row["roi"])
        else:
            assert row["roi"] == pytest.approx(expected.roi, rel=1e-12, abs=1e-12)
        assert row["survives"] == (expected.net_value > 0)
    # The pandas-free kernel the Excel pack uses gives the same figures and the same S16 verdict.
    arrays = scenario_arrays(inputs, scenarios)
    for name in ("value_time", "value_quality", "total_value", "net_value", "roi"):
        np.testing.assert_array_equal(arrays[name], frame[name].to_numpy())
    assert verdict_of_net_values(arrays["net_value"]) == frame.attrs["verdict"]


def test_default_ranges_s16_and_twenty_percent():
    ranges = default_ranges(S15_BASE)
    assert ranges["adoption"] == (0.25, 0.62, 0.85)
    assert ranges["minutes_saved_per_case"] == (0.8, 2.4, 3.2)
    assert ranges["run_cost_eur_per_month"] == pytest.approx((14_400, 18_000, 21_600))
    assert ranges["error_rate_reduction"] == pytest.approx((0.144, 0.18, 0.216))
    assert set(ranges) == set(ROI_INPUT_FIELDS)


def test_default_ranges_clip_fractions_and_include_base():
    high = S15_BASE.model_copy(update={"adoption": 0.95, "error_rate_reduction": 0.9, "minutes_saved_per_case": 0.5})
    ranges = default_ranges(high)
    assert ranges["adoption"] == (0.25, 0.95, 0.95)
    assert ranges["error_rate_reduction"] == pytest.approx((0.72, 0.9, 1.0))
    assert ranges["minutes_saved_per_case"] == (0.5, 0.5, 3.2)


def test_tornado_by_hand_and_sorted():
    frame = tornado(S15_BASE, default_ranges(S15_BASE))
    assert list(frame.columns) == ["field", "low", "high", "roi_low", "roi_high", "swing"]
    assert frame["swing"].is_monotonic_decreasing
    adoption = frame.set_index("field").loc["adoption"]
    # value per unit adoption 111,900 € (S15): 0.25 → 27,975 €, 0.85 → 95,115 €
    assert adoption["roi_low"] == pytest.approx((27_975 - 18_000) / 18_000, rel=1e-12)
    assert adoption["roi_high"] == pytest.approx((95_115 - 18_000) / 18_000, rel=1e-12)
    assert adoption["swing"] == pytest.approx(0.6 * 111_900 / 18_000, rel=1e-12)
    assert frame["field"].iloc[0] == "adoption"
    assert frame.attrs["base_roi"] == pytest.approx(51_378 / 18_000)


def test_tornado_accepts_low_high_pairs_and_subsets():
    frame = tornado(S15_BASE, {"run_cost_eur_per_month": (9_000, 36_000), "adoption": (0.62, 0.62)})
    assert list(frame["field"]) == ["run_cost_eur_per_month", "adoption"]
    cost = frame.iloc[0]
    assert cost["roi_low"] == pytest.approx(69_378 / 9_000 - 1)
    assert cost["roi_high"] == pytest.approx(69_378 / 36_000 - 1)
    assert frame.iloc[1]["swing"] == 0.0
    assert tornado(S15_BASE, {}).empty


def test_tornado_zero_run_cost_sorts_nan_last():
    frame = tornado(S15_BASE, {"adoption": (0.2, 0.9), "run_cost_eur_per_month": (0.0, 1_000.0)})
    assert frame["field"].tolist() == ["adoption", "run_cost_eur_per_month"]
    assert math.isnan(frame.iloc[1]["roi_low"])


@pytest.mark.parametrize(
    ("ranges", "field"),
    [
        ({"volume": (1, 2)}, "volume"),
        ({"adoption": (0.8, 0.2)}, "adoption"),
        ({"adoption": (0.2, 0.9, 0.8)}, "adoption"),
        ({"adoption": (0.2, 0.5, 1.2)}, "adoption"),
        ({"error_rate_reduction": (-0.1, 0.5)}, "error_rate_reduction"),
        ({"run_cost_eur_per_month": (-5.0, 10.0)}, "run_cost_eur_per_month"),
        ({"cost_per_minute_eur": (0.5, float("nan"))}, "cost_per_minute_eur"),
        ({"cost_per_minute_eur": (0.5, float("inf"))}, "cost_per_minute_eur"),
        ({"cost_per_minute_eur": ("0.5", 1.0)}, "cost_per_minute_eur"),
        ({"cost_per_minute_eur": (0.5,)}, "cost_per_minute_eur"),
        ({"cost_per_minute_eur": 0.5}, "cost_per_minute_eur"),
    ],
)
def test_bad_ranges_name_the_field(ranges, field):
    with pytest.raises(ValueError, match=field):
        tornado(S15_BASE, ranges)
    with pytest.raises(ValueError, match=field):
        monte_carlo(S15_BASE, ranges, n=10)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"n": 0}, "n"),
        ({"n": 5_000_001}, "n"),
        ({"n": 10.0}, "n"),
        ({"n": True}, "n"),
        ({"distribution": "normal"}, "distribution"),
        ({"seed": -1}, "seed"),
        ({"target_roi": float("nan")}, "target_roi"),
        ({"ranges": {"run_cost_eur_per_month": (0.0, 10.0)}}, "run_cost_eur_per_month"),
        ({"ranges": {"adoption": (0.7, 0.9)}}, "adoption"),
    ],
)
def test_bad_monte_carlo_arguments(kwargs, field):
    with pytest.raises(ValueError, match=field):
        monte_carlo(S15_BASE, **{"n": 10, **kwargs})


def test_monte_carlo_zero_run_cost_is_rejected():
    with pytest.raises(ValueError, match="run_cost_eur_per_month"):
        monte_carlo(S15_BASE.model_copy(update={"run_cost_eur_per_month": 0.0}), n=10)


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 2**32), st.sampled_from(["triangular", "uniform"]))
def test_monte_carlo_deterministic_per_seed(seed, distribution):
    first = monte_carlo(S15_BASE, n=2_000, seed=seed, distribution=distribution)
    second = monte_carlo(S15_BASE, n=2_000, seed=seed, distribution=distribution)
    np.testing.assert_array_equal(first.samples, second.samples)
    assert (first.p5, first.p50, first.p95, first.mean) == (second.p5, second.p50, second.p95, second.mean)
    other = monte_carlo(S15_BASE, n=2_000, seed=seed + 1, distribution=distribution)
    assert not np.array_equal(first.samples, other.samples)


def test_monte_carlo_independent_of_range_order():
    ranges = default_ranges(S15_BASE)
    reversed_ranges = dict(reversed(list(ranges.items())))
    np.testing.assert_array_equal(monte_carlo(S15_BASE, ranges, n=500).samples,
                                  monte_carlo(S15_BASE, reversed_ranges, n=500).samples)


def _triangular_mean(low, mode, high):
    return (low + mode + high) / 3


def test_monte_carlo_mean_matches_analytic_triangular():
    # Independent factors: E[product] = product of means; run cost fixed so roi = E[total]/run − 1.
    ranges = {
        "volume_cases_per_month": (40_000, 50_000, 70_000),
        "adoption": (0.25, 0.62, 0.85),
        "minutes_saved_per_case": (0.8, 2.4, 3.2),
        "cost_per_minute_eur": (0.7, 0.85, 0.9),
        "error_cost_per_case_eur": (0.5, 1.10, 2.0),
        "error_rate_reduction": (0.1, 0.18, 0.3),
    }
    mean = {field: _triangular_mean(*spec) for field, spec in ranges.items()}
    expected_total = mean["volume_cases_per_month"] * mean["adoption"] * (
        mean["minutes_saved_per_case"] * mean["cost_per_minute_eur"]
        + mean["error_cost_per_case_eur"] * mean["error_rate_reduction"]
    )
    expected_roi = expected_total / 18_000 - 1
    result = monte_carlo(S15_BASE, ranges, n=200_000, seed=7)
    standard_error = result.samples.std() / math.sqrt(result.n)
    assert abs(result.mean - expected_roi) < 4 * standard_error
    assert result.mean == pytest.approx(result.samples.mean())


def test_monte_carlo_mean_matches_analytic_uniform_with_random_run_cost():
    # Uniform: E[X] = (a+b)/2; E[1/R] = ln(b/a)/(b−a); roi = total/R − 1 with total ⟂ R.
    ranges = {"adoption": (0.3, 0.9), "minutes_saved_per_case": (1.0, 3.0), "run_cost_eur_per_month": (12_000, 24_000)}
    expected_total = 50_000 * 0.6 * (2.0 * 0.85 + 1.10 * 0.18)
    expected_inverse_cost = math.log(24_000 / 12_000) / 12_000
    expected_roi = expected_total * expected_inverse_cost - 1
    result = monte_carlo(S15_BASE, ranges, n=200_000, seed=3, distribution="uniform")
    standard_error = result.samples.std() / math.sqrt(result.n)
    assert abs(result.mean - expected_roi) < 4 * standard_error
    assert result.distribution == "uniform"


def test_monte_carlo_summary_statistics():
    result = monte_carlo(S15_BASE, n=50_000, seed=1, target_roi=3.0)
    samples = result.samples
    assert samples.dtype == np.float64 and samples.shape == (50_000,)
    assert result.p5 <= result.p50 <= result.p95
    assert result.p50 == pytest.approx(np.median(samples))
    assert result.prob_positive == pytest.approx(np.mean(samples > 0))
    assert result.prob_above_target == pytest.approx(np.mean(samples > 3.0))
    assert 0 < result.prob_above_target < result.prob_positive <= 1
    assert (result.n, result.seed, result.target_roi) == (50_000, 1, 3.0)
    with pytest.raises(ValueError):
        samples[0] = 1.0


def test_monte_carlo_without_uncertainty_is_the_point_roi():
    result = monte_carlo(S15_BASE, {}, n=100)
    assert result.samples.shape == (100,)
    assert result.p5 == result.p95 == pytest.approx(51_378 / 18_000)
    assert result.prob_positive == 1.0
    degenerate = monte_carlo(S15_BASE, {"adoption": (0.62, 0.62, 0.62)}, n=10)
    assert degenerate.mean == pytest.approx(51_378 / 18_000)


def test_monte_carlo_low_high_pair_takes_base_as_mode():
    pair = monte_carlo(S15_BASE, {"adoption": (0.25, 0.85)}, n=1_000, seed=5)
    triple = monte_carlo(S15_BASE, {"adoption": (0.25, 0.62, 0.85)}, n=1_000, seed=5)
    np.testing.assert_array_equal(pair.samples, triple.samples)


def _use_case(identifier, **scoring):
    return UseCase(id=identifier, name=identifier, scoring=ScoringInputs(**scoring), roi=S15_BASE)


CLEAR_QUICK_WIN = {"cycle_time_reduction": 0.9, "cost_reduction": 0.9, "error_reduction": 0.9,
                   "data_availability": 0.9, "integration_effort": 0.1, "compliance_risk": 0.1, "change_effort": 0.1}
CLEAR_LOSER = {"cycle_time_reduction": 0.1, "cost_reduction": 0.1, "error_reduction": 0.1,
               "data_availability": 0.1, "integration_effort": 0.9, "compliance_risk": 0.9, "change_effort": 0.9}
# value = 0.5·0.8 + 0.3·0.2 + 0.2·0.2 = 0.50 exactly on the edge; weight noise moves it either way
ON_THE_EDGE = {"cycle_time_reduction": 0.8, "cost_reduction": 0.2, "error_reduction": 0.2,
               "data_availability": 0.9, "integration_effort": 0.1, "compliance_risk": 0.1, "change_effort": 0.1}


def test_rank_stability_clear_and_edge_cases():
    cases = [_use_case("win", **CLEAR_QUICK_WIN), _use_case("lose", **CLEAR_LOSER), _use_case("edge", **ON_THE_EDGE)]
    frame = rank_stability(cases, ScoringWeights(), n=2_000, seed=2)
    assert list(frame.columns) == ["quadrant", "stay_share"]
    assert frame.loc["win", "quadrant"] == "quick_win" and frame.loc["win", "stay_share"] == 1.0
    assert frame.loc["lose", "quadrant"] == "deprioritise" and frame.loc["lose", "stay_share"] == 1.0
    assert frame.loc["edge", "quadrant"] == "quick_win"
    assert 0.2 < frame.loc["edge", "stay_share"] < 0.8
    assert frame["quadrant"].tolist() == score_portfolio(cases)["quadrant"].tolist()


def test_rank_stability_without_jitter_is_fully_stable_and_deterministic():
    cases = [_use_case("edge", **ON_THE_EDGE), _use_case("win", **CLEAR_QUICK_WIN)]
    assert rank_stability(cases, jitter=0.0, n=50)["stay_share"].tolist() == [1.0, 1.0]
    pd.testing.assert_frame_equal(rank_stability(cases, seed=4), rank_stability(cases, seed=4))


def test_rank_stability_matches_loop_over_score_portfolio():
    cases = [_use_case("edge", **ON_THE_EDGE), _use_case("win", **CLEAR_QUICK_WIN)]
    weights = ScoringWeights()
    jitter, n, seed = 0.3, 40, 9
    frame = rank_stability(cases, weights, jitter=jitter, n=n, seed=seed)
    names = list(type(weights).model_fields)
    draws = np.random.default_rng(seed).uniform(1 - jitter, 1 + jitter, (n, 7))
    base = score_portfolio(cases, weights)["quadrant"]
    stays = np.zeros(len(cases))
    for multipliers in draws:
        raw = {name: getattr(weights, name) * factor for name, factor in zip(names, multipliers, strict=True)}
        value_sum = sum(raw[name] for name in names[:3])
        feasibility_sum = sum(raw[name] for name in names[3:])
        scaled = {name: raw[name] / (value_sum if i < 3 else feasibility_sum) for i, name in enumerate(names)}
        drawn = ScoringWeights.model_construct(**scaled)
        stays += (score_portfolio(cases, drawn)["quadrant"] == base).to_numpy()
    np.testing.assert_allclose(frame["stay_share"].to_numpy(), stays / n)


def test_rank_stability_accepts_dataframe_and_empty():
    frame = pd.DataFrame([CLEAR_QUICK_WIN, CLEAR_LOSER], index=pd.Index(["a", "b"], name="id"))
    result = rank_stability(frame, n=20)
    assert result["stay_share"].tolist() == [1.0, 1.0]
    assert rank_stability([], n=5).empty


@pytest.mark.parametrize(("kwargs", "field"), [({"jitter": 1.0}, "jitter"), ({"jitter": -0.1}, "jitter"),
                                               ({"n": 0}, "n"), ({"n": 100_001}, "n")])
def test_rank_stability_bad_arguments(kwargs, field):
    with pytest.raises(ValueError, match=field):
        rank_stability([_use_case("win", **CLEAR_QUICK_WIN)], **kwargs)


def test_verdict_judges_the_most_pessimistic_scenario_whatever_its_name():
    # Planned below S16's fixed worst values: worst (0.25 adoption, 0.8 min) nets
    # 50,000·0.25·0.8·0.85 − 5,000 = +3,500 €, but the base (0.1, 0.5 min) nets 50,000·0.1·0.5·0.85 − 5,000 = −2,875 €.
    low_plan = RoiInputs(volume_cases_per_month=50_000, adoption=0.1, minutes_saved_per_case=0.5,
                         cost_per_minute_eur=0.85, error_cost_per_case_eur=0.0, error_rate_reduction=0.0,
                         run_cost_eur_per_month=5_000)
    frame = run_scenarios(low_plan)
    assert frame.loc["worst", "net_value"] == pytest.approx(3_500)
    assert frame.loc["base", "net_value"] == pytest.approx(-2_875)
    assert frame.attrs["verdict"] == "PoC with expiry date"


def test_default_ranges_follow_the_use_cases_own_scenarios():
    edited = (Scenario(name="worst", adoption=0.4, minutes_saved_per_case=1.5), Scenario(name="base"),
              Scenario(name="best", adoption=0.7, minutes_saved_per_case=4.0, run_cost_eur_per_month=15_000))
    ranges = default_ranges(S15_BASE, edited)
    assert ranges["adoption"] == (0.4, 0.62, 0.7)
    assert ranges["minutes_saved_per_case"] == (1.5, 2.4, 4.0)
    assert ranges["run_cost_eur_per_month"] == (15_000, 18_000, 18_000)  # overridden input: its scenario values
    assert ranges["volume_cases_per_month"] == pytest.approx((40_000, 50_000, 60_000))  # ±20 %


S19_TERMS = BusinessCaseTerms(investment_eur=120_000.0)  # S19 worked example: R = 6 linear, H = 36, g = 0, i = 8 %


def _s19(inputs: RoiInputs = S15_BASE, **changes: float) -> BusinessCaseResult:
    fields = {name: changes.pop(name) for name in ("ramp_months", "investment_eur") if name in changes}
    terms = dataclasses.replace(S19_TERMS, **fields)
    return business_case(inputs.model_copy(update=changes), terms)


def test_default_ranges_with_terms_add_ramp_and_investment():
    ranges = default_ranges(S15_BASE, terms=S19_TERMS)
    assert ranges["investment_eur"] == pytest.approx((96_000, 120_000, 144_000))  # ±20 %
    assert ranges["ramp_months"] == pytest.approx((4.8, 6.0, 7.2))
    assert ranges["adoption"] == (0.25, 0.62, 0.85)
    assert set(ranges) == {*ROI_INPUT_FIELDS, *HORIZON_RANGE_FIELDS}
    long_ramp = default_ranges(S15_BASE, terms=dataclasses.replace(S19_TERMS, ramp_months=55.0))
    assert long_ramp["ramp_months"] == pytest.approx((44.0, 55.0, 60.0))  # capped at the model's 60 months


def test_npv_tornado_matches_business_case_at_each_end():
    ranges = default_ranges(S15_BASE, terms=S19_TERMS)
    frame = tornado(S15_BASE, ranges, target="npv", terms=S19_TERMS)
    assert list(frame.columns) == ["field", "low", "high", "npv_low", "npv_high", "swing"]
    assert frame["swing"].is_monotonic_decreasing and frame.attrs["target"] == "npv"
    assert round(frame.attrs["base_npv"], 2) == 1_355_448.04  # S19
    rows = frame.set_index("field")
    for field in ("adoption", "run_cost_eur_per_month", "ramp_months", "investment_eur"):
        low, _, high = ranges[field]
        assert rows.loc[field, "npv_low"] == pytest.approx(_s19(**{field: low}).npv_eur, rel=1e-12)
        assert rows.loc[field, "npv_high"] == pytest.approx(_s19(**{field: high}).npv_eur, rel=1e-12)
    # investment is paid at month 0: its swing is the undiscounted 48,000 € width of its range
    assert rows.loc["investment_eur", "swing"] == pytest.approx(48_000.0, rel=1e-12)
    assert frame["field"].iloc[0] == "adoption"


def test_payback_tornado_counts_no_payback_as_horizon_plus_one():
    frame = tornado(S15_BASE, {"adoption": (0.1, 0.85), "investment_eur": (0.0, 240_000.0)}, target="payback",
                    terms=S19_TERMS)
    assert list(frame.columns) == ["field", "low", "high", "payback_low", "payback_high", "swing"]
    rows = frame.set_index("field")
    # adoption 0.1: 50,000 · 0.1 · 2.238 € = 11,190 € value < 18,000 € run cost, never paid back
    assert math.isnan(rows.loc["adoption", "payback_low"])
    assert rows.loc["adoption", "payback_high"] == _s19(adoption=0.85).payback_month
    assert rows.loc["adoption", "swing"] == 37 - _s19(adoption=0.85).payback_month
    assert rows.loc["investment_eur", "payback_low"] == 0.0  # nothing invested
    assert rows.loc["investment_eur", "payback_high"] == _s19(investment_eur=240_000.0).payback_month
    assert frame.attrs["base_payback"] == 6.0


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"target": "irr", "terms": S19_TERMS}, "target"),
        ({"target": "npv"}, "terms"),
        ({"target": "roi", "ranges": {"ramp_months": (3, 9)}}, "ramp_months"),
        ({"target": "npv", "terms": S19_TERMS, "ranges": {"ramp_months": (3, 61)}}, "ramp_months"),
        ({"target": "npv", "terms": S19_TERMS, "ranges": {"investment_eur": (-1, 5)}}, "investment_eur"),
        ({"target": "payback", "terms": S19_TERMS, "ranges": {"horizon_months": (12, 24)}}, "horizon_months"),
    ],
)
def test_bad_tornado_targets_and_horizon_ranges_name_the_field(kwargs, field):
    arguments = {"ranges": {"adoption": (0.2, 0.9)}, **kwargs}
    with pytest.raises(ValueError, match=field):
        tornado(S15_BASE, **arguments)


def test_business_case_monte_carlo_readouts():
    result = monte_carlo_business_case(S15_BASE, S19_TERMS, n=40_000, seed=3)
    samples = result.npv_samples
    assert samples.shape == (40_000,) and result.payback_samples.shape == (40_000,)
    assert (result.npv_p5, result.npv_p50, result.npv_p95) == pytest.approx(tuple(np.percentile(samples, [5, 50, 95])))
    assert result.npv_p5 < result.npv_p50 < result.npv_p95
    assert result.npv_mean == pytest.approx(samples.mean())
    assert result.prob_npv_positive == np.mean(samples > 0)
    assert result.payback_share == np.mean(~np.isnan(result.payback_samples))
    assert 0.5 < result.payback_share < 1.0 and 0.5 < result.prob_npv_positive < 1.0
    paid_back = result.payback_samples[~np.isnan(result.payback_samples)]
    assert (paid_back == np.round(paid_back)).all() and paid_back.max() <= 36
    with_never_as_infinite = np.where(np.isnan(result.payback_samples), np.inf, result.payback_samples)
    assert result.payback_p50_month == int(np.sort(with_never_as_infinite)[(40_000 - 1) // 2])
    with pytest.raises(ValueError):
        samples[0] = 0.0


def test_business_case_monte_carlo_without_uncertainty_is_the_point_figure():
    result = monte_carlo_business_case(S15_BASE, S19_TERMS, {}, n=50)
    assert result.npv_p5 == result.npv_p95 == pytest.approx(_s19().npv_eur, rel=1e-12)
    assert result.payback_p50_month == 6 and result.payback_share == 1.0 and result.prob_npv_positive == 1.0
    worst = monte_carlo_business_case(S15_BASE.model_copy(update={"adoption": 0.25, "minutes_saved_per_case": 0.8}),
                                      S19_TERMS, {}, n=10)
    assert round(worst.npv_p50, 2) == -372_135.23  # S19 worst
    assert worst.payback_share == 0.0 and worst.payback_p50_month is None and worst.prob_npv_positive == 0.0


def test_business_case_monte_carlo_draws_the_same_inputs_as_the_roi_monte_carlo():
    # H = 1, R = 0, C0 = 0, i = 0: NPV = the month-1 net = roi · run cost (run cost fixed at 18,000 €)
    terms = BusinessCaseTerms(investment_eur=0.0, horizon_months=1, ramp_months=0.0, discount_rate_per_year=0.0)
    ranges = {name: spec for name, spec in default_ranges(S15_BASE).items() if name != "run_cost_eur_per_month"}
    horizon = monte_carlo_business_case(S15_BASE, terms, ranges, n=5_000, seed=11)
    roi = monte_carlo(S15_BASE, ranges, n=5_000, seed=11)
    np.testing.assert_allclose(horizon.npv_samples, roi.samples * 18_000.0, rtol=1e-12, atol=1e-7)


def test_business_case_monte_carlo_mean_matches_analytic_investment_and_ramp_draws():
    # NPV is linear in C0: E[NPV] = NPV(C0 = 0) − E[C0], E[C0] = (60,000 + 120,000 + 240,000) / 3 = 140,000
    result = monte_carlo_business_case(S15_BASE, S19_TERMS, {"investment_eur": (60_000, 120_000, 240_000)},
                                       n=100_000, seed=5)
    expected = _s19(investment_eur=0.0).npv_eur - 140_000.0
    standard_error = result.npv_samples.std() / math.sqrt(result.n)
    assert abs(result.npv_mean - expected) < 4 * standard_error
    ramp = monte_carlo_business_case(S15_BASE, S19_TERMS, {"ramp_months": (3.0, 12.0)}, n=2_000, seed=5)
    assert _s19(ramp_months=12.0).npv_eur <= ramp.npv_samples.min() <= ramp.npv_samples.max() <= _s19(
        ramp_months=3.0).npv_eur  # a longer ramp loses value, never gains


def test_business_case_monte_carlo_blocks_do_not_change_the_samples(monkeypatch):
    whole = monte_carlo_business_case(S15_BASE, S19_TERMS, n=3_001, seed=2)
    # one block instead of seven blocks of 16,000 // 37 = 432 draws
    monkeypatch.setattr("core.business_case.BLOCK_CELLS", 10**9)
    blocked = monte_carlo_business_case(S15_BASE, S19_TERMS, n=3_001, seed=2)
    np.testing.assert_array_equal(whole.npv_samples, blocked.npv_samples)
    np.testing.assert_array_equal(whole.payback_samples, blocked.payback_samples)


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 2**32), st.sampled_from(["triangular", "uniform"]))
def test_business_case_monte_carlo_deterministic_per_seed(seed, distribution):
    first = monte_carlo_business_case(S15_BASE, S19_TERMS, n=1_000, seed=seed, distribution=distribution)
    second = monte_carlo_business_case(S15_BASE, S19_TERMS, n=1_000, seed=seed, distribution=distribution)
    np.testing.assert_array_equal(first.npv_samples, second.npv_samples)
    assert first.distribution == distribution and first.seed == seed


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"n": 0}, "n"), ({"seed": -1}, "seed"), ({"distribution": "normal"}, "distribution"),
     ({"ranges": {"ramp_months": (6.0, 3.0)}}, "ramp_months"), ({"ranges": {"colour": (1, 2)}}, "colour")],
)
def test_bad_business_case_monte_carlo_arguments(kwargs, field):
    with pytest.raises(ValueError, match=field):
        monte_carlo_business_case(S15_BASE, S19_TERMS, **{"n": 10, **kwargs})
