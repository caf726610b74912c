import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from core.models import ScoringInputs, ScoringWeights
from core.scoring import SCORING_FIELDS, score, score_portfolio

EXAMPLE = ScoringInputs(
    cycle_time_reduction=0.3,
    cost_reduction=0.2,
    error_reduction=0.25,
    data_availability=0.8,
    integration_effort=0.3,
    compliance_risk=0.2,
    change_effort=0.3,
)


def test_s3_formula_by_hand():
    # value = 0.5·0.3 + 0.3·0.2 + 0.2·0.25 = 0.26
    # feas  = 0.4·0.8 + 0.3·0.7 + 0.2·0.8 + 0.1·0.7 = 0.76
    result = score(EXAMPLE)
    assert result.value == pytest.approx(0.26, abs=1e-15)
    assert result.feasibility == pytest.approx(0.76, abs=1e-15)
    assert result.score == pytest.approx(0.26 * 0.76, abs=1e-15)


def test_extremes():
    best = ScoringInputs(**{name: 1.0 for name in SCORING_FIELDS[:4]}, integration_effort=0,
                         compliance_risk=0, change_effort=0)
    assert score(best).score == pytest.approx(1.0)
    worst = ScoringInputs(**{name: 0.0 for name in SCORING_FIELDS[:4]}, integration_effort=1,
                          compliance_risk=1, change_effort=1)
    assert score(worst).score == 0.0


def test_custom_weights():
    weights = ScoringWeights(cycle_time_reduction=1, cost_reduction=0, error_reduction=0,
                             data_availability=1, integration_effort=0, compliance_risk=0, change_effort=0)
    result = score(EXAMPLE, weights)
    assert (result.value, result.feasibility) == pytest.approx((0.3, 0.8))


@pytest.mark.parametrize(
    "changes",
    [{"cycle_time_reduction": 0.6}, {"data_availability": -0.1, "integration_effort": 0.4}],
)
def test_weights_must_sum_to_one_and_be_non_negative(changes):
    with pytest.raises(ValidationError):
        ScoringWeights(**changes)


def test_portfolio_ranks_and_quadrants():
    frame = pd.DataFrame(
        {
            "cycle_time_reduction": [0.9, 0.9, 0.1, 0.1],
            "cost_reduction": [0.9, 0.9, 0.1, 0.1],
            "error_reduction": [0.9, 0.9, 0.1, 0.1],
            "data_availability": [0.9, 0.1, 0.9, 0.1],
            "integration_effort": [0.1, 0.9, 0.1, 0.9],
            "compliance_risk": [0.1, 0.9, 0.1, 0.9],
            "change_effort": [0.1, 0.9, 0.1, 0.9],
        },
        index=["a", "b", "c", "d"],
    )
    result = score_portfolio(frame)
    assert list(result["quadrant"]) == ["quick_win", "strategic_bet", "fill_in", "deprioritise"]
    assert result.loc["a", "rank"] == 1
    assert result["rank"].dtype == np.int64
    single = score(ScoringInputs(**frame.loc["b"].to_dict()))
    assert result.loc["b", "score"] == pytest.approx(single.score, abs=1e-15)


def test_portfolio_threshold_is_inclusive():
    frame = pd.DataFrame([{name: 0.5 for name in SCORING_FIELDS}], index=["edge"])
    # value 0.5, feasibility 0.4·0.5 + 0.6·0.5 = 0.5 → both "high" at the 0.5 threshold
    assert score_portfolio(frame).loc["edge", "quadrant"] == "quick_win"


def test_portfolio_rejects_bad_frames():
    with pytest.raises(ValueError, match="missing columns"):
        score_portfolio(pd.DataFrame({"cycle_time_reduction": [0.1]}))
    frame = pd.DataFrame([{name: 0.5 for name in SCORING_FIELDS}])
    frame.loc[0, "cost_reduction"] = np.nan
    with pytest.raises(ValueError, match="finite fractions"):
        score_portfolio(frame)


unit = st.floats(min_value=0, max_value=1, allow_nan=False)


@given(base=st.lists(unit, min_size=7, max_size=7), field_index=st.integers(0, 6), bump=unit)
def test_score_monotone_in_each_input(base, field_index, bump):
    name = SCORING_FIELDS[field_index]
    low = dict(zip(SCORING_FIELDS, base, strict=True))
    high = dict(low)
    high[name] = min(1.0, low[name] + bump)
    s_low, s_high = score(ScoringInputs(**low)).score, score(ScoringInputs(**high)).score
    if field_index < 4:  # value inputs and data availability raise the score
        assert s_high >= s_low - 1e-15
    else:  # effort and risk lower it
        assert s_high <= s_low + 1e-15
