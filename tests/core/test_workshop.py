"""S21 workshop round statistics, answer checks, and the room's spread as S3 rank-stability draws and S16 ranges.

Quantiles are numpy's "linear" method (Hyndman & Fan type 7): the p-quantile of n sorted answers sits at
position h = (n − 1)·p, between x⌊h⌋ and x⌊h⌋₊₁. Every reference value below is worked out that way by hand.
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from core.models import RoiInputs, ScoringInputs, UseCase
from core.sensitivity import monte_carlo
from core.workshop import (
    ANSWER_COLUMNS,
    FRACTION_DISPUTE_IQR,
    SCORING_QUESTIONS,
    Answer,
    RoundDefinition,
    answer_statistics,
    answers_frame,
    check_answer,
    default_scale,
    define_round,
    dispute_threshold,
    is_disputed,
    positions_with_spread,
    rank_stability_from_answers,
    round_statistics,
    scoring_draws,
    three_point_ranges,
)

ROI = RoiInputs(volume_cases_per_month=50_000, adoption=0.62, minutes_saved_per_case=2.4, cost_per_minute_eur=0.85,
                error_cost_per_case_eur=1.10, error_rate_reduction=0.18, run_cost_eur_per_month=18_000)


def use_case(use_case_id: str = "uc", **scoring: float) -> UseCase:
    inputs = {"cycle_time_reduction": 0.8, "cost_reduction": 0.8, "error_reduction": 0.8, "data_availability": 1.0,
              "integration_effort": 0.5, "compliance_risk": 0.0, "change_effort": 0.0, **scoring}
    return UseCase(id=use_case_id, name=use_case_id, scoring=ScoringInputs(**inputs), roi=ROI)


def rows(use_case_id: str, question: str, values, low=None, high=None, first_participant: int = 1):
    return [
        {"participant_id": first_participant + i, "use_case_id": use_case_id, "question": question, "value": value,
         "low": None if low is None else low[i], "high": None if high is None else high[i]}
        for i, value in enumerate(values)
    ]


def test_statistics_of_four_answers_by_hand():
    # sorted 0.2 0.4 0.5 0.9; Q1 at h = 0.75: 0.2 + 0.75·0.2 = 0.35; median at h = 1.5: 0.45;
    # Q3 at h = 2.25: 0.5 + 0.25·0.4 = 0.6; IQR 0.25
    stats = answer_statistics([0.9, 0.2, 0.5, 0.4])
    assert stats.n == 4
    assert stats.q1 == pytest.approx(0.35, abs=1e-15)
    assert stats.median == pytest.approx(0.45, abs=1e-15)
    assert stats.q3 == pytest.approx(0.6, abs=1e-15)
    assert stats.iqr == pytest.approx(0.25, abs=1e-15)
    assert (stats.minimum, stats.maximum) == (0.2, 0.9)
    # S21: "exceeds" 0.25; an IQR of 0.25 (computed as 0.24999999999999994 or 0.25000000000000006) is not disputed
    assert not is_disputed(["scoring.cost_reduction"], [stats.median], [stats.iqr])[0]
    assert not is_disputed(["scoring.cost_reduction"], [0.5], [0.25 + 6e-17])[0]


def test_statistics_of_five_answers_by_hand_and_disputed():
    # sorted 0.1 0.3 0.5 0.8 0.9; Q1 at h = 1 → 0.3, median at h = 2 → 0.5, Q3 at h = 3 → 0.8; IQR 0.5 > 0.25
    frame = round_statistics(answers_frame(rows("uc", "scoring.data_availability", [0.5, 0.1, 0.9, 0.3, 0.8])))
    row = frame.loc[("uc", "scoring.data_availability")]
    assert (row["n"], row["median"], row["q1"], row["q3"]) == (5, 0.5, 0.3, 0.8)
    assert row["iqr"] == pytest.approx(0.5)
    assert row["threshold"] == FRACTION_DISPUTE_IQR
    assert bool(row["disputed"]) is True
    assert np.isnan(row["low_median"]) and np.isnan(row["high_median"])


def test_s15_threshold_is_half_the_median():
    # volume 30k 40k 50k 60k 100k: Q1 40k, median 50k, Q3 60k → IQR 20k ≤ 25k (50 % of 50k): not disputed
    calm = answer_statistics([30_000, 40_000, 50_000, 60_000, 100_000])
    assert (calm.q1, calm.median, calm.q3, calm.iqr) == (40_000, 50_000, 60_000, 20_000)
    assert dispute_threshold(["roi.volume_cases_per_month"], [calm.median])[0] == 25_000
    assert not is_disputed(["roi.volume_cases_per_month"], [calm.median], [calm.iqr])[0]
    # 20k 30k 50k 90k 100k: Q1 30k, Q3 90k → IQR 60k > 25k: disputed
    split = answer_statistics([20_000, 30_000, 50_000, 90_000, 100_000])
    assert split.iqr == 60_000
    assert is_disputed(["roi.volume_cases_per_month"], [split.median], [split.iqr])[0]


def test_one_answer_has_no_spread():
    stats = answer_statistics([0.7])
    assert (stats.n, stats.median, stats.iqr, stats.minimum, stats.maximum) == (1, 0.7, 0.0, 0.7, 0.7)


def test_no_answer_is_an_error():
    with pytest.raises(ValueError, match="at least one"):
        answer_statistics([])
    with pytest.raises(ValueError, match="finite"):
        answer_statistics([0.1, float("nan")])


def test_disputed_questions_come_first_then_the_widest_spread():
    answers = answers_frame(
        rows("a", "scoring.cost_reduction", [0.5, 0.5, 0.5])                      # IQR 0
        + rows("a", "scoring.data_availability", [0.0, 0.1, 0.9, 1.0])           # Q1 0.075, Q3 0.925: IQR 0.85
        + rows("b", "scoring.cost_reduction", [0.1, 0.2, 0.3, 0.4])              # IQR 0.15
        + rows("b", "roi.volume_cases_per_month", [100.0, 200.0, 900.0],         # Q1 150, Q3 550: IQR 400 > 100
               low=[50.0, 100.0, 500.0], high=[200.0, 300.0, 1_000.0])
    )
    frame = round_statistics(answers)
    assert list(frame.index) == [("b", "roi.volume_cases_per_month"), ("a", "scoring.data_availability"),
                                 ("b", "scoring.cost_reduction"), ("a", "scoring.cost_reduction")]
    assert list(frame["disputed"]) == [True, True, False, False]
    volume = frame.loc[("b", "roi.volume_cases_per_month")]
    assert (volume["low_median"], volume["median"], volume["high_median"]) == (100.0, 200.0, 300.0)
    assert volume["threshold"] == 100.0


def test_round_statistics_of_no_answers_is_an_empty_table():
    frame = round_statistics(answers_frame())
    assert frame.empty and "disputed" in frame.columns


def test_round_statistics_refuses_two_answers_of_one_participant():
    answers = answers_frame(rows("a", "scoring.cost_reduction", [0.1]) + rows("a", "scoring.cost_reduction", [0.2]))
    with pytest.raises(ValueError, match="one answer per participant"):
        round_statistics(answers)


answer_lists = st.lists(st.floats(0.0, 1.0, allow_nan=False), min_size=1, max_size=40)


@given(answer_lists)
def test_median_within_min_and_max_and_iqr_not_negative(values):
    stats = answer_statistics(values)
    assert stats.minimum <= stats.q1 <= stats.median <= stats.q3 <= stats.maximum
    assert stats.iqr >= 0.0


@given(answer_lists, st.randoms(use_true_random=False))
def test_statistics_do_not_depend_on_the_order_of_answers(values, random):
    shuffled = list(values)
    random.shuffle(shuffled)
    assert answer_statistics(shuffled) == answer_statistics(values)


@given(answer_lists, st.floats(1.0, 5.0), st.sampled_from(["scoring.change_effort", "roi.adoption"]))
def test_disputed_is_monotone_in_the_spread(values, factor, question):
    # Widening every answer's distance to the median by a factor ≥ 1 keeps the median and never calms a dispute.
    stats = answer_statistics(values)
    threshold = dispute_threshold([question], [stats.median])[0]
    assume(abs(stats.iqr - threshold) > 1e-9)
    wider = answer_statistics([stats.median + factor * (value - stats.median) for value in values])
    assert wider.median == pytest.approx(stats.median, abs=1e-12)
    assert wider.iqr >= stats.iqr - 1e-12
    if is_disputed([question], [stats.median], [stats.iqr])[0]:
        assert is_disputed([question], [wider.median], [wider.iqr])[0]


@given(st.lists(st.tuples(st.sampled_from(["a", "b"]), st.sampled_from(SCORING_QUESTIONS[:3]),
                          st.floats(0.0, 1.0, allow_nan=False)), min_size=1, max_size=60))
@settings(max_examples=50)
def test_round_statistics_agree_with_the_single_question_statistics(triples):
    answers = answers_frame([{"participant_id": i, "use_case_id": u, "question": q, "value": v}
                             for i, (u, q, v) in enumerate(triples)])
    frame = round_statistics(answers)
    for (use_case_id, question), group in answers.groupby(["use_case_id", "question"]):
        expected = answer_statistics(group["value"].to_numpy())
        row = frame.loc[(use_case_id, question)]
        assert row["n"] == expected.n
        assert row["median"] == pytest.approx(expected.median, abs=1e-12)
        assert row["iqr"] == pytest.approx(expected.iqr, abs=1e-12)
        assert (row["minimum"], row["maximum"]) == (expected.minimum, expected.maximum)


def test_three_point_ranges_are_the_medians_of_low_likely_high():
    # adoption (0.3, 0.5, 0.7) and (0.4, 0.6, 0.9): medians (0.35, 0.55, 0.8)
    answers = answers_frame(rows("uc", "roi.adoption", [0.5, 0.6], low=[0.3, 0.4], high=[0.7, 0.9])
                            + rows("uc", "scoring.cost_reduction", [0.2, 0.4]))
    ranges = three_point_ranges(answers, "uc")
    assert list(ranges) == ["adoption"]
    assert ranges["adoption"] == pytest.approx((0.35, 0.55, 0.8), abs=1e-15)
    assert three_point_ranges(answers, "other") == {}
    result = monte_carlo(ROI, ranges, n=2_000, seed=1)
    assert result.n == 2_000 and np.isfinite(result.p50)


@given(st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1), st.floats(0, 1)), min_size=1, max_size=30))
def test_three_point_medians_keep_low_likely_high_in_order(triples):
    ordered = [sorted(triple) for triple in triples]
    answers = answers_frame(rows("uc", "roi.adoption", [t[1] for t in ordered], low=[t[0] for t in ordered],
                                 high=[t[2] for t in ordered]))
    low, mode, high = three_point_ranges(answers, "uc")["adoption"]
    assert low <= mode <= high


def test_default_scales():
    assert default_scale("scoring.data_availability", 0.3).model_dump() == {"minimum": 0.0, "maximum": 1.0,
                                                                             "step": 0.05}
    # volume 50,000: 3 × 50,000 = 150,000 → 200,000 in 200 steps of 1,000
    assert default_scale("roi.volume_cases_per_month", 50_000).model_dump() == {
        "minimum": 0.0, "maximum": 200_000.0, "step": 1_000.0}
    # minutes 2.4: 7.2 → 10 in steps of 0.05; a tiny value still gets 5 minutes
    assert default_scale("roi.minutes_saved_per_case", 2.4).maximum == 10.0
    assert default_scale("roi.minutes_saved_per_case", 0.0).maximum == 5.0
    assert default_scale("roi.adoption", 0.62).step == 0.01
    with pytest.raises(ValueError, match="not a workshop question"):
        default_scale("roi.run_cost_eur_per_month", 1.0)


def test_define_round_orders_questions_and_gives_each_use_case_its_own_scale():
    small = use_case("small").model_copy(update={"roi": ROI.model_copy(update={"volume_cases_per_month": 400.0})})
    definition = define_round([use_case("big"), small], ["roi.volume_cases_per_month", "scoring.cost_reduction"])
    assert definition.questions == ("scoring.cost_reduction", "roi.volume_cases_per_month")
    assert definition.scale("big", "roi.volume_cases_per_month").maximum == 200_000
    assert definition.scale("small", "roi.volume_cases_per_month").maximum == 2_000  # 1,200 → 2,000
    with pytest.raises(KeyError):
        definition.scale("big", "scoring.data_availability")


def test_round_definition_refuses_duplicates_unknown_questions_and_missing_scales():
    with pytest.raises(ValidationError, match="only once"):
        RoundDefinition(use_case_ids=("a", "a"), questions=("scoring.cost_reduction",))
    with pytest.raises(ValidationError, match="not a workshop question"):
        RoundDefinition(use_case_ids=("a",), questions=("roi.run_cost_eur_per_month",))
    with pytest.raises(ValidationError, match="one scale per use case"):
        RoundDefinition(use_case_ids=("a",), questions=("roi.adoption",))


def test_check_answer():
    definition = define_round([use_case("uc")], ["scoring.cost_reduction", "roi.adoption"])
    assert check_answer(definition, "uc", "scoring.cost_reduction", Answer(value=0.4)).value == 0.4
    three_point = Answer(low=0.2, value=0.4, high=0.7)
    assert check_answer(definition, "uc", "roi.adoption", three_point) == three_point
    for question, answer, message in (
        ("scoring.cost_reduction", Answer(value=1.2), "outside"),
        ("scoring.cost_reduction", Answer(value=0.4, low=0.1, high=0.5), "without low and high"),
        ("roi.adoption", Answer(value=0.4), "needs low, likely and high"),
        ("roi.adoption", Answer(low=0.5, value=0.4, high=0.7), "low ≤ likely ≤ high"),
        ("scoring.data_availability", Answer(value=0.4), "does not ask"),
    ):
        with pytest.raises(ValueError, match=message):
            check_answer(definition, "uc", question, answer)
    with pytest.raises(ValueError, match="does not ask"):
        check_answer(definition, "other", "scoring.cost_reduction", Answer(value=0.4))
    with pytest.raises(ValidationError):
        Answer(value=float("inf"))


def test_answers_that_equal_the_stored_inputs_never_move_a_use_case():
    case = use_case("uc")
    answers = answers_frame([row for question in SCORING_QUESTIONS for row in rows(
        "uc", question, [getattr(case.scoring, question.removeprefix("scoring."))] * 3)])
    frame = rank_stability_from_answers([case, use_case("quiet")], answers, n=200)
    assert frame.loc["uc", "stay_share"] == 1.0
    assert np.isnan(frame.loc["quiet", "stay_share"])  # no answers: no statement
    assert frame.loc["uc", "quadrant"] == "quick_win"


def test_one_dissenting_answer_of_three_moves_it_in_a_third_of_the_draws():
    # value 0.8; feasibility = 0.4·data + 0.3·0.5 + 0.2 + 0.1 = 0.4·data + 0.45: data 1 → 0.85 (quick win),
    # data 0 → 0.45 (strategic bet). Answers data 0, 1, 1: each draw picks one of three → stay share 2/3.
    case = use_case("uc")
    answers = answers_frame(rows("uc", "scoring.data_availability", [0.0, 1.0, 1.0]))
    share = rank_stability_from_answers([case], answers, n=30_000, seed=3).loc["uc", "stay_share"]
    assert share == pytest.approx(2 / 3, abs=0.01)  # binomial sd ≈ 0.0027
    again = rank_stability_from_answers([case], answers, n=30_000, seed=3).loc["uc", "stay_share"]
    assert again == share


def test_draws_pick_each_participant_equally_often():
    padded = np.array([[[0.1, 0.2, 0.3, 0.4]]])
    draws = scoring_draws(np.array([[0.9]]), padded, np.array([[4]]), np.random.default_rng(0), 40_000)
    values, counts = np.unique(draws, return_counts=True)
    assert list(values) == [0.1, 0.2, 0.3, 0.4]
    assert np.allclose(counts / 40_000, 0.25, atol=0.01)
    unanswered = scoring_draws(np.array([[0.9]]), padded, np.array([[0]]), np.random.default_rng(0), 10)
    assert (unanswered == 0.9).all()


def test_rank_stability_from_answers_checks_its_arguments():
    with pytest.raises(ValueError, match="whole number"):
        rank_stability_from_answers([use_case()], answers_frame(), n=0)
    with pytest.raises(ValueError, match="missing columns"):
        rank_stability_from_answers([use_case()], pd.DataFrame({"value": [0.1]}))


def test_matrix_with_spread_by_hand():
    # A answers the three value inputs 0.4 → value 0.4; B answers 0.6 → 0.6; feasibility from the stored inputs:
    # 0.4·1 + 0.3·0.5 + 0.2 + 0.1 = 0.85 for both. Value: median 0.5, Q1 0.4 + 0.25·0.2 = 0.45, Q3 0.55.
    answers = answers_frame([row for question in SCORING_QUESTIONS[:3]
                             for row in rows("uc", question, [0.4, 0.6])])
    frame = positions_with_spread([use_case("uc"), use_case("quiet")], answers)
    assert list(frame.index) == ["uc"]
    row = frame.loc["uc"]
    assert row["n"] == 2
    assert (row["value_median"], row["value_q1"], row["value_q3"]) == pytest.approx((0.5, 0.45, 0.55), abs=1e-12)
    assert (row["feasibility_median"], row["feasibility_q1"], row["feasibility_q3"]) == pytest.approx((0.85,) * 3)


def test_matrix_with_spread_fills_a_skipped_question_with_the_rooms_median():
    # C answers only cycle time 1.0; its cost and error answers become the room's medians 0.5:
    # value = 0.5·1 + 0.3·0.5 + 0.2·0.5 = 0.75. A 0.4, B 0.6, C 0.75 → median 0.6.
    answers = answers_frame([row for question in SCORING_QUESTIONS[:3] for row in rows("uc", question, [0.4, 0.6])]
                            + rows("uc", "scoring.cycle_time_reduction", [1.0], first_participant=3))
    row = positions_with_spread([use_case("uc")], answers).loc["uc"]
    assert row["n"] == 3
    assert row["value_median"] == pytest.approx(0.6)
    assert row["value_q3"] == pytest.approx(0.6 + 0.5 * 0.15)


def test_answer_columns_are_the_documented_ones():
    assert tuple(answers_frame().columns) == ANSWER_COLUMNS
