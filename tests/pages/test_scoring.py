"""Scoring page: S3 inputs, weights editor, value × feasibility matrix, ranking and rank stability."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest
from conftest import assert_clean, open_page

from core.models import ScoringWeights
from core.scoring import score
from core.sensitivity import rank_stability
from ui import formatting

PAGE = "pages/2_Scoring.py"
CHATBOT = "support-chatbot"


def _metrics(at):
    return {metric.label: metric.value for metric in at.metric}


def test_metrics_equal_the_core_score(store, sample_id):
    at = open_page(PAGE, use_case=CHATBOT)
    assert_clean(at)
    use_case = store.load(sample_id).workspace.use_case(CHATBOT)
    result = score(use_case.scoring)
    shown = _metrics(at)
    assert shown["Value"] == formatting.score(result.value, "en")
    assert shown["Feasibility"] == formatting.score(result.feasibility, "en")
    assert shown["Score"] == formatting.score(result.score, "en")


def test_moving_a_slider_saves_and_rescores(store, sample_id):
    at = open_page(PAGE, use_case=CHATBOT)
    at.select_slider(key=f"w.score.{CHATBOT}.data_availability").set_value(0.2).run()
    assert_clean(at)
    use_case = store.load(sample_id).workspace.use_case(CHATBOT)
    assert use_case.scoring.data_availability == pytest.approx(0.2)
    assert _metrics(at)["Feasibility"] == formatting.score(score(use_case.scoring).feasibility, "en")


def _datasets(chart) -> str:
    frames = [pa.ipc.open_stream(dataset.data.data).read_all().to_pandas() for dataset in chart.proto.datasets]
    return " ".join(frame.to_json(force_ascii=False) for frame in frames)


def test_matrix_has_quadrants_thresholds_phases_and_axis_units(store):
    at = open_page(PAGE, use_case=CHATBOT)
    chart = at.get("vega_lite_chart")[0]
    text = json.dumps(json.loads(chart.proto.spec), ensure_ascii=False)
    data = _datasets(chart)
    for label in ("Quick win", "Strategic bet", "Fill-in", "Deprioritise", "4 Pilot", "€51,378"):
        assert label in data
    assert "Feasibility (0–1, higher = easier)" in text and "Value (0–1)" in text
    assert "#0072B2" in text and "#E69F00" in text
    assert '"rule"' in text


def test_ranking_shows_rank_stability_from_the_core(store, sample_id):
    at = open_page(PAGE)
    workspace = store.load(sample_id).workspace
    expected = rank_stability(workspace.use_cases, workspace.weights, jitter=0.2, n=500, seed=0)
    table = at.dataframe[0].value
    assert len(table) == 10
    by_name = dict(zip(table["Use case"], table["Stays in quadrant"], strict=True))
    for case in workspace.use_cases:
        assert by_name[case.name] == pytest.approx(expected.loc[case.id, "stay_share"] * 100)


def test_weights_that_do_not_sum_to_one_are_rejected_with_the_group(store, sample_id):
    at = open_page(PAGE)
    at.text_input(key="w.weights.cycle_time_reduction").input("0.6")
    next(button for button in at.button if button.label == "Save weights").click().run()
    assert not at.exception
    assert any("Value weights" in error.value and "1.10" in error.value for error in at.error)
    assert store.load(sample_id).workspace.weights == ScoringWeights()


def test_saving_and_resetting_weights(store, sample_id):
    at = open_page(PAGE)
    at.text_input(key="w.weights.cycle_time_reduction").input("0.6")
    at.text_input(key="w.weights.cost_reduction").input("0.2")
    next(button for button in at.button if button.label == "Save weights").click().run()
    assert_clean(at)
    assert store.load(sample_id).workspace.weights.cycle_time_reduction == pytest.approx(0.6)
    next(button for button in at.button if button.label == "Reset to defaults").click().run()
    assert_clean(at)
    assert store.load(sample_id).workspace.weights == ScoringWeights()
    assert at.text_input(key="w.weights.cycle_time_reduction").value == "0.5"


def test_german_weights_take_a_decimal_comma(store, sample_id):
    """Issue 13: "0,6" was read as 6 ("06") by the number box."""
    at = open_page(PAGE, language="de")
    assert at.text_input(key="w.weights.cycle_time_reduction").value == "0,5"
    at.text_input(key="w.weights.cycle_time_reduction").input("0,6")
    at.text_input(key="w.weights.cost_reduction").input("0,2")
    next(button for button in at.button if button.label == "Gewichte speichern").click().run()
    assert_clean(at)
    assert store.load(sample_id).workspace.weights.cycle_time_reduction == pytest.approx(0.6)
    assert at.text_input(key="w.weights.cycle_time_reduction").value == "0,6"


def test_a_german_weight_in_english_notation_is_refused_naming_the_field_and_kept(store, sample_id):
    at = open_page(PAGE, language="de")
    at.text_input(key="w.weights.cycle_time_reduction").input("0.6")
    next(button for button in at.button if button.label == "Gewichte speichern").click().run()
    assert not at.exception
    assert any("meinten Sie 0,6" in error.value for error in at.error), [error.value for error in at.error]
    assert at.text_input(key="w.weights.cycle_time_reduction").value == "0.6"
    assert store.load(sample_id).workspace.weights == ScoringWeights()


def test_score_sliders_are_labelled_in_german(store):
    at = open_page(PAGE, language="de", use_case=CHATBOT)
    slider = at.select_slider(key=f"w.score.{CHATBOT}.data_availability.de")
    assert "62\xa0%" in slider.options and "62%" not in slider.options
