"""S19 business case over a horizon: worked example, numpy-financial as reference, S15 consistency, properties."""

import json
import math
from datetime import UTC, datetime
from decimal import Decimal, getcontext

import numpy as np
import numpy_financial as npf
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from core.business_case import (
    NO_COST_REASON,
    NO_SIGN_CHANGE_REASON,
    TABLE_COLUMNS,
    BusinessCaseTerms,
    business_case,
    business_case_arrays,
    discounted_payback_month,
    escalation_factors,
    first_month_reached,
    horizon_roi,
    irr_annual,
    irr_monthly,
    monthly_discount_rate,
    npv,
    payback_month,
    portfolio_business_case,
    portfolio_npv,
    ramp_factors,
    use_case_business_case,
)
from core.models import BusinessCase, CostBlock, RoiInputs, ScoringInputs, UseCase
from core.roi import compute_roi
from tests.core.conftest import S15_BASE

S19_TERMS = BusinessCaseTerms(investment_eur=120_000.0)  # C0 120,000 €, R = 6 linear, H = 36, g = 0, i = 8 %
S16_WORST = S15_BASE.model_copy(update={"adoption": 0.25, "minutes_saved_per_case": 0.8})
SCORING = ScoringInputs(cycle_time_reduction=0.5, cost_reduction=0.5, error_reduction=0.5, data_availability=0.5,
                        integration_effort=0.5, compliance_risk=0.5, change_effort=0.5)
STAMP = datetime(2026, 1, 5, tzinfo=UTC)


def _use_case(identifier: str, roi: RoiInputs, case: BusinessCase, one_time: tuple[float, ...] = ()) -> UseCase:
    blocks = tuple(CostBlock(block=name, one_time_eur=amount)
                   for name, amount in zip(("data_work", "integration", "change_training"), one_time, strict=False))
    return UseCase(id=identifier, name=identifier, scoring=SCORING, roi=roi, business_case=case, cost_blocks=blocks,
                   created_at=STAMP, updated_at=STAMP)


def _decimal_npv(steady_value: Decimal, run_cost: Decimal, investment: Decimal, ramp_months: int, horizon: int,
                 rate_per_year: Decimal) -> Decimal:
    """S19 NPV by the SPEC's loop in 50-digit decimals (linear ramp, g = 0)."""
    getcontext().prec = 50
    monthly = (1 + rate_per_year) ** (Decimal(1) / Decimal(12)) - 1
    total = -investment
    for month in range(1, horizon + 1):
        ramp = min(Decimal(1), Decimal(month) / Decimal(ramp_months))
        total += (steady_value * ramp - run_cost) / (1 + monthly) ** month
    return total


def test_s19_worked_example_base():
    result = business_case(S15_BASE, S19_TERMS)
    table = result.months
    # S15 base steady value 63,240 + 6,138 = 69,378 €/month; month 1 ramp 1/6 → 11,563 €; net 11,563 − 18,000
    assert table.value_eur[1] == pytest.approx(11_563.0, abs=1e-9)
    assert table.net_eur[1] == pytest.approx(-6_437.0, abs=1e-9)
    assert table.net_eur[0] == -120_000.0 and table.value_eur[0] == 0.0 and table.run_cost_eur[0] == 0.0
    assert table.value_eur[6] == pytest.approx(69_378.0, rel=1e-15)  # full adoption from m = R
    reference = _decimal_npv(Decimal(69_378), Decimal(18_000), Decimal(120_000), 6, 36, Decimal("0.08"))
    assert result.npv_eur == pytest.approx(float(reference), rel=1e-12)
    assert round(result.npv_eur, 2) == 1_355_448.04  # SPEC S19
    assert result.irr_monthly == pytest.approx(npf.irr(table.net_eur), rel=1e-9)
    assert round(result.irr_monthly * 100, 3) == 22.124  # SPEC S19: 22.124 % per month
    assert npv(result.irr_monthly, table.net_eur) == pytest.approx(0.0, abs=1e-6)
    assert result.irr_annual == pytest.approx((1 + result.irr_monthly) ** 12 - 1, rel=1e-12)
    assert result.payback_month == 6 and result.discounted_payback_month == 6
    # Σ value = 69,378 · (15/6 + 31) = 2,324,163; Σ run 648,000; (2,324,163 − 648,000 − 120,000) / 768,000
    assert result.horizon_roi == pytest.approx(1_556_163 / 768_000, rel=1e-12)
    assert result.horizon_roi == pytest.approx(2.02625, abs=5e-6)
    assert result.investment_eur == 120_000.0 and result.horizon_roi_reason is None and result.irr_reason is None


def test_s19_worked_example_worst_inputs():
    result = business_case(S16_WORST, S19_TERMS)
    # 50,000 · 0.25 · (0.8 · 0.85 + 1.10 · 0.18) = 10,975 €/month steady, below the 18,000 € run cost
    assert result.months.value_eur[1] == pytest.approx(10_975 / 6, rel=1e-12)
    reference = _decimal_npv(Decimal(10_975), Decimal(18_000), Decimal(120_000), 6, 36, Decimal("0.08"))
    assert result.npv_eur == pytest.approx(float(reference), rel=1e-12)
    assert round(result.npv_eur, 2) == -372_135.23  # SPEC S19
    assert result.irr_monthly is None and result.irr_annual is None
    assert result.irr_reason == NO_SIGN_CHANGE_REASON
    assert result.payback_month is None and result.discounted_payback_month is None
    assert math.isnan(npf.irr(result.months.net_eur))


def test_table_columns_cumulative_and_discounting():
    result = business_case(S15_BASE, S19_TERMS)
    frame = result.months.to_frame()
    assert list(frame.columns) == list(TABLE_COLUMNS) and len(frame) == 37
    assert frame["month"].tolist() == list(range(37))
    np.testing.assert_allclose(frame["net_eur"], frame["value_eur"] - frame["run_cost_eur"] - 120_000 * (
        frame["month"] == 0), rtol=1e-15)
    np.testing.assert_allclose(frame["cumulative_eur"], np.cumsum(frame["net_eur"]), rtol=1e-15)
    d = (1.08) ** (1 / 12) - 1  # S19 monthly rate
    np.testing.assert_allclose(frame["discounted_eur"], frame["net_eur"] / (1 + d) ** frame["month"], rtol=1e-14)
    assert frame["discounted_eur"].sum() == pytest.approx(result.npv_eur, rel=1e-13)
    with pytest.raises(ValueError):
        result.months.net_eur[0] = 0.0


def test_to_json_dict_is_strict_json_with_nulls_for_undefined():
    document = business_case(S16_WORST, S19_TERMS).to_json_dict()
    text = json.dumps(document, allow_nan=False)
    assert set(json.loads(text)) >= {"investment_eur", "npv_eur", "irr_monthly", "irr_annual", "payback_month",
                                     "discounted_payback_month", "horizon_roi", "months"}
    assert document["irr_monthly"] is None and document["payback_month"] is None
    assert document["months"][0] == {"month": 0, "value_eur": 0.0, "run_cost_eur": 0.0, "net_eur": -120_000.0,
                                     "cumulative_eur": -120_000.0, "discounted_eur": -120_000.0}
    assert len(document["months"]) == 37 and all(isinstance(row["month"], int) for row in document["months"])


def test_ramp_escalation_and_rate_by_hand():
    np.testing.assert_allclose(ramp_factors(np.array([1, 3, 6, 9]), 6, False), [1 / 6, 0.5, 1.0, 1.0], rtol=1e-15)
    # s-curve 3r² − 2r³: r = 1/6 → 3/36 − 2/216 = 0.0740740…; r = 1/2 → 0.5
    np.testing.assert_allclose(ramp_factors(np.array([1, 3, 6]), 6, True), [3 / 36 - 2 / 216, 0.5, 1.0], rtol=1e-15)
    assert ramp_factors(np.array([1, 2]), 0, True).tolist() == [1.0, 1.0]  # R = 0: full adoption at once
    np.testing.assert_allclose(escalation_factors(np.array([1, 12, 13, 24, 25]), 0.1), [1, 1, 1.1, 1.1, 1.21])
    assert monthly_discount_rate(0.08) == pytest.approx(1.08 ** (1 / 12) - 1, rel=1e-15)
    assert monthly_discount_rate(0.0) == 0.0


def test_escalation_raises_run_cost_from_month_13():
    terms = BusinessCaseTerms(investment_eur=0.0, horizon_months=25, ramp_months=0, run_cost_escalation_per_year=0.05)
    run = business_case(S15_BASE, terms).months.run_cost_eur
    assert run[1] == run[12] == 18_000.0
    assert run[13] == pytest.approx(18_900.0) and run[24] == pytest.approx(18_900.0)  # 18,000 · 1.05
    assert run[25] == pytest.approx(19_845.0)  # 18,000 · 1.05²


def test_small_helpers_by_hand():
    assert npv(0.1, [-100, 60, 60]) == pytest.approx(-100 + 60 / 1.1 + 60 / 1.21, rel=1e-15)
    assert payback_month([-100, 60, 60]) == 2
    assert payback_month([0.0, -1.0, 2.0]) == 0  # nothing invested: paid back at month 0
    assert payback_month([-100, 60, 39]) is None
    assert discounted_payback_month([-100, 60, 50], 0.1) is None  # 54.5 + 41.3 < 100
    assert discounted_payback_month([-100, 60, 60], 0.1) == 2
    # −100 + 60x + 60x² = 0 → x = (−60 + √(3600 + 24,000)) / 120 → r = 1/x − 1 = 0.130662…
    x = (-60 + math.sqrt(3_600 + 24_000)) / 120
    assert irr_monthly([-100, 60, 60]) == pytest.approx(1 / x - 1, rel=1e-12)
    assert irr_annual([-100, 60, 60]) == pytest.approx((1 / x) ** 12 - 1, rel=1e-12)
    assert irr_monthly([-1, 1_000]) == pytest.approx(999.0, rel=1e-12)
    assert irr_monthly([-100, 100]) == 0.0


@pytest.mark.parametrize("flows", [[0.0, 0.0], [-100.0, -5.0, 0.0], [100.0, 5.0], [], [-1.0, float("nan"), 5.0]])
def test_irr_without_a_sign_change_is_none(flows):
    assert irr_monthly(flows) is None and irr_annual(flows) is None


def test_irr_with_two_roots_picks_the_one_closest_to_zero():
    # −100 + 230x − 132x² = 0 has x = 10/11 and 5/6, i.e. r = 10 % and 20 %
    assert irr_monthly([-100, 230, -132]) == pytest.approx(0.1, rel=1e-12)
    assert npf.irr([-100, 230, -132]) == pytest.approx(0.1, rel=1e-9)


def test_irr_root_below_minus_99_percent_is_outside_the_search():
    assert irr_monthly([-100, 0.5]) is None  # r = −0.995 per month
    assert irr_monthly([-100, 2.0]) == pytest.approx(-0.98, rel=1e-12)


def test_horizon_roi_undefined_without_any_cost():
    assert horizon_roi(1_000.0, 0.0, 0.0) == (None, NO_COST_REASON)
    free = S15_BASE.model_copy(update={"run_cost_eur_per_month": 0.0})
    result = business_case(free, BusinessCaseTerms(investment_eur=0.0))
    assert result.horizon_roi is None and result.horizon_roi_reason == NO_COST_REASON
    assert result.payback_month == 0 and result.irr_monthly is None
    assert horizon_roi(500.0, 0.0, 100.0) == (4.0, None)  # (500 − 100) / 100


def test_numpy_financial_npv_and_irr_on_random_flows():
    rng = np.random.default_rng(19)
    compared = 0
    for _ in range(300):
        months = int(rng.integers(1, 121))
        investment = rng.uniform(1e3, 5e5)
        nets = rng.uniform(-2e4, 6e4, months) * np.minimum(1.0, np.arange(1, months + 1) / rng.integers(1, 13))
        flows = np.concatenate(([-investment], nets))
        rate = rng.uniform(0.0, 0.05)
        assert npv(rate, flows) == pytest.approx(npf.npv(rate, flows), rel=1e-12, abs=1e-6)
        reference = npf.irr(flows)
        ours = irr_monthly(flows)
        if math.isnan(reference) or reference < -0.99:
            assert ours is None
            continue
        assert ours == pytest.approx(reference, rel=1e-7, abs=1e-9)
        compared += 1
    assert compared >= 250


def test_numpy_financial_irr_on_conventional_flows():
    rng = np.random.default_rng(7)
    for _ in range(200):
        months = int(rng.integers(1, 61))
        flows = np.concatenate(([-rng.uniform(1e3, 1e6)], rng.uniform(0.0, 1e5, months)))
        reference = npf.irr(flows)
        if reference < -0.99:
            continue
        assert irr_monthly(flows) == pytest.approx(reference, rel=1e-7, abs=1e-9)


fractions = st.floats(0.0, 1.0, allow_nan=False)
roi_inputs = st.builds(
    RoiInputs,
    volume_cases_per_month=st.floats(0.0, 1e6),
    adoption=fractions,
    minutes_saved_per_case=st.floats(0.0, 60.0),
    cost_per_minute_eur=st.floats(0.0, 10.0),
    error_cost_per_case_eur=st.floats(0.0, 100.0),
    error_rate_reduction=fractions,
    run_cost_eur_per_month=st.floats(0.0, 1e6),
)


@st.composite
def business_cases(draw: st.DrawFn) -> BusinessCase:
    horizon = draw(st.integers(1, 120))
    return BusinessCase(
        horizon_months=horizon,
        ramp_months=draw(st.integers(0, min(60, horizon))),
        ramp_shape=draw(st.sampled_from(["linear", "s_curve"])),
        run_cost_escalation_per_year=draw(st.floats(0.0, 0.2)),
        discount_rate_per_year=draw(st.none() | st.floats(0.0, 0.3)),
    )


def _spec_loop(inputs: RoiInputs, terms: BusinessCaseTerms) -> tuple[list[float], float, int | None]:
    """S19's pseudo-code month by month in plain Python: (flows, NPV, payback month)."""
    steady = compute_roi(inputs).total_value
    monthly = (1 + terms.discount_rate_per_year) ** (1 / 12) - 1
    flows = [-terms.investment_eur]
    for month in range(1, terms.horizon_months + 1):
        share = 1.0 if terms.ramp_months == 0 else min(1.0, month / terms.ramp_months)
        ramp = 3 * share**2 - 2 * share**3 if terms.ramp_shape == "s_curve" else share
        run = inputs.run_cost_eur_per_month * (1 + terms.run_cost_escalation_per_year) ** ((month - 1) // 12)
        flows.append(steady * ramp - run)
    total = math.fsum(flow / (1 + monthly) ** month for month, flow in enumerate(flows))
    cumulative = 0.0
    for month, flow in enumerate(flows):
        cumulative += flow
        if cumulative >= 0:
            return flows, total, month
    return flows, total, None


@settings(max_examples=100, deadline=None)
@given(roi_inputs, business_cases(), st.floats(0.0, 1e7))
def test_business_case_equals_the_spec_loop(inputs, case, investment):
    terms = BusinessCaseTerms(investment_eur=investment, horizon_months=case.horizon_months,
                              ramp_months=case.ramp_months, ramp_shape=case.ramp_shape,
                              run_cost_escalation_per_year=case.run_cost_escalation_per_year,
                              discount_rate_per_year=case.discount_rate_per_year or 0.0)
    flows, total, payback = _spec_loop(inputs, terms)
    result = business_case(inputs, terms)
    scale = max(1.0, math.fsum(abs(flow) for flow in flows))
    np.testing.assert_allclose(result.months.net_eur, flows, rtol=1e-12, atol=1e-12 * scale)
    assert result.npv_eur == pytest.approx(total, rel=1e-12, abs=1e-12 * scale)
    if all(abs(cumulative) > 1e-9 * scale for cumulative in np.cumsum(flows)):  # no tie at 0 € to round either way
        assert result.payback_month == payback


@settings(max_examples=100, deadline=None)
@given(roi_inputs, st.integers(1, 120))
def test_with_no_ramp_and_no_escalation_every_net_is_the_s15_net(inputs, horizon):
    terms = BusinessCaseTerms(investment_eur=50_000.0, horizon_months=horizon, ramp_months=0)
    nets = business_case(inputs, terms).months.net_eur[1:]
    assert (nets == compute_roi(inputs).net_value).all()  # S19 consistency rule, exactly


@settings(max_examples=100, deadline=None)
@given(st.floats(0.0, 1e6), st.lists(st.floats(0.0, 1e6), min_size=1, max_size=120), st.floats(0.0, 0.5),
       st.floats(0.0, 0.5))
def test_npv_of_a_conventional_flow_falls_as_the_rate_rises(investment, nets, rate_a, rate_b):
    flows = np.array([-investment, *nets])
    low, high = sorted((rate_a, rate_b))
    assert npv(high, flows) <= npv(low, flows) + 1e-9 * max(1.0, np.abs(flows).sum())


@settings(max_examples=60, deadline=None)
@given(roi_inputs, st.floats(0.0, 0.3), st.floats(0.0, 0.3), st.floats(0.0, 1e6), st.integers(1, 120))
def test_business_case_npv_falls_as_the_discount_rate_rises(inputs, rate_a, rate_b, investment, horizon):
    assume(compute_roi(inputs).net_value >= 0)  # conventional: −C0, then non-negative nets (R = 0, g = 0)
    low, high = sorted((rate_a, rate_b))
    npvs = [business_case(inputs, BusinessCaseTerms(investment_eur=investment, horizon_months=horizon, ramp_months=0,
                                                    discount_rate_per_year=rate)).npv_eur for rate in (low, high)]
    assert npvs[1] <= npvs[0] + 1e-9 * max(1.0, abs(npvs[0]))


@settings(max_examples=80, deadline=None)
@given(roi_inputs, business_cases(), st.floats(0.0, 1e7), st.floats(0.0, 1e7))
def test_payback_moves_later_or_stays_as_the_investment_grows(inputs, case, investment_a, investment_b):
    small, large = sorted((investment_a, investment_b))
    months = [business_case(inputs, BusinessCaseTerms(investment_eur=amount, horizon_months=case.horizon_months,
                                                      ramp_months=case.ramp_months, ramp_shape=case.ramp_shape,
                                                      run_cost_escalation_per_year=case.run_cost_escalation_per_year))
              for amount in (small, large)]
    for field in ("payback_month", "discounted_payback_month"):
        early, late = (getattr(result, field) for result in months)
        assert (late if late is not None else math.inf) >= (early if early is not None else math.inf)


@settings(max_examples=80, deadline=None)
@given(roi_inputs, business_cases())
def test_s_curve_and_linear_ramps_agree_from_the_ramp_end(inputs, case):
    shared = {"investment_eur": 1_000.0, "horizon_months": case.horizon_months, "ramp_months": case.ramp_months}
    linear = business_case(inputs, BusinessCaseTerms(**shared, ramp_shape="linear")).months
    s_curve = business_case(inputs, BusinessCaseTerms(**shared, ramp_shape="s_curve")).months
    from_ramp_end = slice(max(1, case.ramp_months), None)
    np.testing.assert_array_equal(linear.value_eur[from_ramp_end], s_curve.value_eur[from_ramp_end])
    # before the ramp ends the s-curve starts slower and catches up at half the ramp: r² (3 − 2r) ≤ r for r ≤ 1/2
    assert (s_curve.value_eur[: max(1, case.ramp_months // 2) + 1] <= linear.value_eur[
        : max(1, case.ramp_months // 2) + 1] + 1e-9).all()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(roi_inputs, business_cases(), st.lists(st.floats(0.0, 1e6), max_size=3)),
                min_size=1, max_size=8), st.floats(0.0, 0.3))
def test_portfolio_equals_one_by_one(rows, default_rate):
    cases = [_use_case(f"uc-{index}", inputs, case, tuple(amounts))
             for index, (inputs, case, amounts) in enumerate(rows)]
    portfolio = portfolio_business_case(cases, default_rate)
    npv_only = portfolio_npv(cases, default_rate)
    assert portfolio.ids == tuple(case.id for case in cases)
    np.testing.assert_array_equal(portfolio.npv_eur, npv_only.npv_eur)
    assert npv_only.payback_month is None
    for position, case in enumerate(cases):
        single = use_case_business_case(case, default_rate)
        scale = max(1.0, float(np.abs(single.months.net_eur).sum()))
        assert portfolio.npv_eur[position] == pytest.approx(single.npv_eur, rel=1e-12, abs=1e-12 * scale)
        assert portfolio.investment_eur[position] == single.investment_eur == case.investment_eur
        for field in ("payback_month", "discounted_payback_month"):
            vectorised = getattr(portfolio, field)[position]
            expected = getattr(single, field)
            assert (math.isnan(vectorised) and expected is None) or vectorised == expected


def test_portfolio_masks_each_rows_horizon():
    short = _use_case("short", S15_BASE, BusinessCase(horizon_months=12, ramp_months=6), (120_000.0,))
    long = _use_case("long", S15_BASE, BusinessCase(horizon_months=120, ramp_months=6), (120_000.0,))
    chatbot = _use_case("s19", S15_BASE, BusinessCase(), (25_000.0, 60_000.0, 35_000.0))
    portfolio = portfolio_business_case([short, long, chatbot], 0.08)
    assert portfolio.npv_eur[0] == pytest.approx(use_case_business_case(short).npv_eur, rel=1e-12)
    assert portfolio.npv_eur[1] == pytest.approx(use_case_business_case(long).npv_eur, rel=1e-12)
    assert round(portfolio.npv_eur[2], 2) == 1_355_448.04  # S19 worked example, C0 from three blocks
    assert portfolio.payback_month.tolist() == [6.0, 6.0, 6.0]
    assert portfolio.investment_eur.tolist() == [120_000.0] * 3
    empty = portfolio_npv([])
    assert empty.ids == () and empty.npv_eur.shape == (0,)


def test_use_case_rate_overrides_the_workspace_default():
    own = _use_case("own", S15_BASE, BusinessCase(discount_rate_per_year=0.0), (120_000.0,))
    default = _use_case("default", S15_BASE, BusinessCase(), (120_000.0,))
    # at 0 % the NPV is the plain sum: 69,378 · 33.5 − 18,000 · 36 − 120,000 = 1,556,163 €
    assert use_case_business_case(own, 0.08).npv_eur == pytest.approx(1_556_163.0, rel=1e-12)
    assert use_case_business_case(default, 0.0).npv_eur == pytest.approx(1_556_163.0, rel=1e-12)
    assert use_case_business_case(default, 0.08).discount_rate_per_year == 0.08
    np.testing.assert_allclose(portfolio_npv([own, default], 0.0).npv_eur, [1_556_163.0] * 2, rtol=1e-12)


def test_arrays_kernel_broadcasts_scalars_and_rows():
    figures = business_case_arrays(69_378.0, 18_000.0, np.array([120_000.0, 0.0]), 36, 6.0, False, 0.0, 0.08,
                                   with_payback=True)
    assert round(figures["npv_eur"][0], 2) == 1_355_448.04
    assert figures["npv_eur"][1] == pytest.approx(figures["npv_eur"][0] + 120_000.0, rel=1e-12)
    assert figures["payback_month"].tolist() == [6.0, 0.0]
    assert first_month_reached(np.array([[-1.0, 0.5, 0.4], [-1.0, 2.0, 0.0]])).tolist()[1] == 1.0
    assert math.isnan(first_month_reached(np.array([-1.0, 0.5, 0.4])))


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"horizon_months": 0}, "horizon_months"),
        ({"horizon_months": 121}, "horizon_months"),
        ({"horizon_months": 12.0}, "horizon_months"),
        ({"ramp_months": -1.0}, "ramp_months"),
        ({"ramp_months": 61.0}, "ramp_months"),
        ({"ramp_shape": "step"}, "ramp_shape"),
        ({"investment_eur": -5.0}, "investment_eur"),
        ({"investment_eur": float("inf")}, "investment_eur"),
        ({"discount_rate_per_year": 1.5}, "discount_rate_per_year"),
        ({"run_cost_escalation_per_year": "0.1"}, "run_cost_escalation_per_year"),
    ],
)
def test_terms_validation_names_the_field(values, field):
    with pytest.raises(ValueError, match=field):
        BusinessCaseTerms(**values)


def test_terms_of_a_use_case():
    case = _use_case("x", S15_BASE, BusinessCase(horizon_months=48, ramp_months=3, ramp_shape="s_curve",
                                                 run_cost_escalation_per_year=0.03), (90_000.0, 25_000.0))
    terms = BusinessCaseTerms.of(case, 0.06)
    assert terms == BusinessCaseTerms(investment_eur=115_000.0, horizon_months=48, ramp_months=3.0,
                                      ramp_shape="s_curve", run_cost_escalation_per_year=0.03,
                                      discount_rate_per_year=0.06)
