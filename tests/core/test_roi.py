import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.models import InferenceCostInputs
from core.roi import NO_RUN_COST_REASON, break_even, compute_roi, inference_cost, tokens_per_month
from tests.core.conftest import S15_BASE


def test_s15_worked_example():
    result = compute_roi(S15_BASE)
    assert result.value_time == pytest.approx(63_240, rel=1e-12)  # 50,000·0.62·2.4·0.85
    assert result.value_quality == pytest.approx(6_138, rel=1e-12)  # 50,000·0.62·1.10·0.18
    assert result.total_value == pytest.approx(69_378, rel=1e-12)
    assert result.net_value == pytest.approx(51_378, rel=1e-12)
    assert result.roi == pytest.approx(51_378 / 18_000, rel=1e-12)
    assert result.roi == pytest.approx(2.854333333, rel=1e-9)
    assert result.roi_reason is None


def test_zero_run_cost_gives_none_with_reason():
    result = compute_roi(S15_BASE.model_copy(update={"run_cost_eur_per_month": 0.0}))
    assert result.roi is None
    assert result.roi_reason == NO_RUN_COST_REASON
    assert result.net_value == pytest.approx(69_378)


def test_break_even_adoption():
    # value per unit adoption = 50,000·(2.4·0.85 + 1.10·0.18) = 111,900 €; 18,000 / 111,900
    assert break_even(S15_BASE, "adoption") == pytest.approx(18_000 / 111_900, rel=1e-12)
    # ROI ≥ 1 needs value 36,000 € → adoption 36,000 / 111,900
    assert break_even(S15_BASE, "adoption", target_roi=1.0) == pytest.approx(36_000 / 111_900, rel=1e-12)


def test_break_even_minutes_and_run_cost():
    # value_quality 6,138 stays; value_time per minute = 50,000·0.62·0.85 = 26,350 €
    assert break_even(S15_BASE, "minutes_saved_per_case") == pytest.approx((18_000 - 6_138) / 26_350)
    assert break_even(S15_BASE, "run_cost_eur_per_month") == pytest.approx(69_378)
    assert break_even(S15_BASE, "run_cost_eur_per_month", target_roi=0.2) == pytest.approx(69_378 / 1.2)


def test_break_even_unreachable_returns_none():
    tiny = S15_BASE.model_copy(update={"volume_cases_per_month": 10.0})
    assert break_even(tiny, "adoption") is None  # would need adoption > 1
    assert break_even(S15_BASE, "adoption", target_roi=-1.5) is None
    # time value alone (63,240 €) already beats 1.5 × 18,000 €: no error reduction ≥ 0 lands on ROI 0.5
    assert break_even(S15_BASE, "error_rate_reduction", target_roi=0.5) is None
    no_cost = S15_BASE.model_copy(update={"run_cost_eur_per_month": 0.0})
    assert break_even(no_cost, "adoption") is None
    with pytest.raises(ValueError, match="unknown field"):
        break_even(S15_BASE, "colour")


def test_break_even_solution_reproduces_target():
    for field in ("adoption", "volume_cases_per_month", "cost_per_minute_eur", "minutes_saved_per_case"):
        solution = break_even(S15_BASE, field, target_roi=0.5)
        assert solution is not None
        roi = compute_roi(S15_BASE.model_copy(update={field: solution})).roi
        assert roi == pytest.approx(0.5, abs=1e-9)


def test_inference_cost_s12():
    # S12: 1,200 tokens × 200,000 requests = 240 M tokens/month
    inputs = InferenceCostInputs(tokens_per_request=1200, requests_per_month=200_000, price_per_1k_tokens_eur=0.002)
    assert tokens_per_month(inputs) == 240_000_000
    assert inference_cost(inputs) == pytest.approx(480.0)


fractions = st.floats(min_value=0, max_value=1, allow_nan=False)
money = st.floats(min_value=0, max_value=1e6, allow_nan=False)


@given(a=fractions, b=fractions, volume=money, minutes=money, cost=money)
def test_roi_is_linear_in_adoption(a, b, volume, minutes, cost):
    inputs = S15_BASE.model_copy(
        update={"volume_cases_per_month": volume, "minutes_saved_per_case": minutes, "cost_per_minute_eur": cost}
    )
    mid = (a + b) / 2
    roi_a, roi_b, roi_mid = (compute_roi(inputs.model_copy(update={"adoption": x})).roi for x in (a, b, mid))
    assert math.isclose(roi_mid, (roi_a + roi_b) / 2, rel_tol=1e-9, abs_tol=1e-6)
    assert np.isfinite([roi_a, roi_b, roi_mid]).all()


def test_denormal_run_cost_gives_none_not_inf():
    result = compute_roi(S15_BASE.model_copy(update={"run_cost_eur_per_month": 2.2e-311}))
    assert result.roi is None
    assert "too close to 0" in result.roi_reason


def test_amounts_are_capped_so_products_stay_finite():
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="volume_cases_per_month"):
        S15_BASE.model_validate({**S15_BASE.model_dump(), "volume_cases_per_month": 1e300})


def test_break_even_outcome_tells_always_positive_from_unreachable():
    from core.roi import break_even_outcome

    # S15 base: ROI at error-rate reduction 0 is (63,240 − 18,000) / 18,000 = 2.513 ≥ 0, so any value breaks even.
    assert break_even(S15_BASE, "error_rate_reduction") is None
    assert break_even_outcome(S15_BASE, "error_rate_reduction") == "any_value"
    # error cost per case alike (the quality part only adds); minutes at 0 leave 6,138 € < 18,000 €: a value.
    assert break_even_outcome(S15_BASE, "error_cost_per_case_eur") == "any_value"
    assert break_even_outcome(S15_BASE, "minutes_saved_per_case") == "at_value"
    assert break_even_outcome(S15_BASE, "adoption") == "at_value"
    assert break_even_outcome(S15_BASE, "run_cost_eur_per_month") == "at_value"
    tiny = S15_BASE.model_copy(update={"volume_cases_per_month": 10.0})
    assert break_even_outcome(tiny, "adoption") == "unreachable"  # would need adoption > 1
    assert break_even_outcome(tiny, "error_rate_reduction") == "unreachable"
    no_cost = S15_BASE.model_copy(update={"run_cost_eur_per_month": 0.0})
    assert break_even_outcome(no_cost, "adoption") == "unreachable"  # ROI undefined
    # 1.5 × 18,000 = 27,000 € < 63,240 €: ROI 0.5 holds at error-rate reduction 0 too.
    assert break_even_outcome(S15_BASE, "error_rate_reduction", target_roi=0.5) == "any_value"
