"""Sensitivity: the S16 scenario table and verdict, the tornado and the Monte Carlo, as cached views.

Core results are cached keyed on the JSON of the ROI inputs and scenarios they read; the views (Arrow
tables and finished Vega-Lite specs) also on the language.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache, partial
from typing import Any

import pandas as pd
import pyarrow as pa
import streamlit as st

from core import sensitivity
from core.models import ROI_FRACTION_FIELDS, RoiInputs, Scenario, UseCase
from ui import charts_analysis, formatting, rounds, store_access
from ui.i18n import t, translate
from ui.views import VIEW_CACHE_SIZE

MONTE_CARLO_SEED = 0
MONTE_CARLO_DRAWS: tuple[int, ...] = (1_000, 5_000, 20_000, 100_000, 200_000)
DEFAULT_MONTE_CARLO_DRAWS = 20_000
# A result holds its samples (up to 200,000 floats), so fewer are kept.
MONTE_CARLO_CACHE_SIZE = 32
ROI_MONEY_FIELDS = ("cost_per_minute_eur", "error_cost_per_case_eur", "run_cost_eur_per_month")
SCENARIO_RANGES = "scenarios"
RangeItems = tuple[tuple[str, tuple[float, float, float]], ...]


@dataclass(frozen=True)
class ScenarioTable:
    frame: pd.DataFrame
    verdict: str


def _scenarios_json(use_case: UseCase) -> tuple[str, ...]:
    return tuple(s.model_dump_json() for s in use_case.scenarios)


@lru_cache(maxsize=VIEW_CACHE_SIZE)
def _scenarios(inputs_json: str, scenarios_json: tuple[str, ...]) -> ScenarioTable:
    frame = sensitivity.run_scenarios(
        RoiInputs.model_validate_json(inputs_json),
        [Scenario.model_validate_json(text) for text in scenarios_json] or None,
    )
    return ScenarioTable(frame=frame, verdict=frame.attrs["verdict"])


def scenarios(use_case: UseCase) -> ScenarioTable:
    """S16 scenario table of a use case (its own overrides, S16 defaults when it has none) and the verdict."""
    return _scenarios(use_case.roi.model_dump_json(), _scenarios_json(use_case))


def _ranges(inputs: RoiInputs, scenarios_json: tuple[str, ...]) -> dict[str, tuple[float, float, float]]:
    scenarios = [Scenario.model_validate_json(text) for text in scenarios_json] or None
    return sensitivity.default_ranges(inputs, scenarios)


@lru_cache(maxsize=VIEW_CACHE_SIZE)
def _tornado(inputs_json: str, scenarios_json: tuple[str, ...]) -> pd.DataFrame:
    inputs = RoiInputs.model_validate_json(inputs_json)
    return sensitivity.tornado(inputs, _ranges(inputs, scenarios_json))


def tornado(use_case: UseCase) -> pd.DataFrame:
    """One-at-a-time ROI swing per input over the ranges its scenarios span; ``attrs["base_roi"]`` is the base ROI."""
    return _tornado(use_case.roi.model_dump_json(), _scenarios_json(use_case))


def roi_input_text(field: str, value: float, language: str) -> str:
    """An S15 input in its unit: fractions as percent, money in €, volume as a whole number."""
    if field in ROI_FRACTION_FIELDS:
        return formatting.percent(value, language)
    if field in ROI_MONEY_FIELDS:
        return formatting.eur(value, language, 2)
    return formatting.number(value, language, 0 if field == "volume_cases_per_month" else 1)


@dataclass(frozen=True)
class SensitivityView:
    """Everything the Sensitivity page draws above the Monte Carlo, in one language: the scenario table
    and verdict, display tables as Arrow tables and finished Vega-Lite specs."""

    table: ScenarioTable
    scenario_rows: pa.Table
    scenario_spec: dict[str, Any]
    tornado_rows: pa.Table
    tornado_spec: dict[str, Any]
    base_roi: float


def sensitivity_view(use_case: UseCase, language: str) -> SensitivityView:
    """The cached :class:`SensitivityView` of a use case; keyed on its ROI inputs, scenarios and language."""
    return _sensitivity_view(use_case.roi.model_dump_json(), _scenarios_json(use_case), language)


@lru_cache(maxsize=VIEW_CACHE_SIZE)
def _sensitivity_view(inputs_json: str, scenarios_json: tuple[str, ...], language: str) -> SensitivityView:
    table = _scenarios(inputs_json, scenarios_json)
    scenario_rows, scenario_spec = _scenario_display(table.frame, language)
    swings = _tornado(inputs_json, scenarios_json)
    base_roi = swings.attrs["base_roi"]
    tornado_rows, tornado_spec = _tornado_display(swings, base_roi, language)
    return SensitivityView(table, scenario_rows, scenario_spec, tornado_rows, tornado_spec, base_roi)


def _scenario_display(frame: pd.DataFrame, language: str) -> tuple[pa.Table, dict[str, Any]]:
    """The scenario table's display rows and the net-value-by-scenario chart spec."""
    text = partial(translate, language_code=language)
    names = [text(f"an.sens.scenario.{name}") for name in frame.index]
    net_texts = [formatting.eur(v, language) for v in frame["net_value"]]
    yes, no = text("an.common.yes"), text("an.common.no")
    rows = pa.table({
        text("an.sens.col_scenario"): names,
        text("field.adoption"): [formatting.percent(v, language) for v in frame["adoption"]],
        text("field.minutes_saved_per_case"): [formatting.number(v, language, 1)
                                               for v in frame["minutes_saved_per_case"]],
        text("an.sens.col_value_time"): [formatting.eur(v, language) for v in frame["value_time"]],
        text("an.sens.col_value_quality"): [formatting.eur(v, language) for v in frame["value_quality"]],
        text("an.sens.col_net"): net_texts,
        text("an.sens.col_roi"): [formatting.roi(v, language) for v in frame["roi"]],
        text("an.sens.col_survives"): [[yes if ok else no] for ok in frame["survives"]],
    })
    spec = charts_analysis.chart_spec(
        "scenarios",
        pd.DataFrame({"label": names, "net_value": frame["net_value"].to_numpy(),
                      "survives": frame["survives"].to_numpy(), "net_text": net_texts}),
        language=language, y_title=text("an.sens.axis_net"),
        survive_labels={"yes": text("an.sens.survives"), "no": text("an.sens.does_not_survive")},
    )
    return rows, spec


def _tornado_display(swings: pd.DataFrame, base_roi: float, language: str) -> tuple[pa.Table, dict[str, Any]]:
    """The tornado's ranges table (input, low, high, ROI at each, swing) and its chart spec."""
    text = partial(translate, language_code=language)
    chart = pd.DataFrame({
        "label": [text(f"field.{field}") for field in swings["field"]],
        "roi_low": swings["roi_low"].to_numpy(),
        "roi_high": swings["roi_high"].to_numpy(),
        "low_text": [roi_input_text(f, v, language) for f, v in zip(swings["field"], swings["low"], strict=True)],
        "high_text": [roi_input_text(f, v, language) for f, v in zip(swings["field"], swings["high"], strict=True)],
        "roi_low_text": [formatting.roi(v, language) for v in swings["roi_low"]],
        "roi_high_text": [formatting.roi(v, language) for v in swings["roi_high"]],
    })
    spec = charts_analysis.chart_spec(
        "tornado", chart, base_roi=base_roi, language=language, x_title=text("an.sens.axis_roi"),
        end_labels={"low": text("an.sens.input_low"), "high": text("an.sens.input_high"),
                    "input": text("an.sens.input")},
        base_label=text("an.sens.base"),
    )
    rows = pa.table({
        text("an.sens.input"): list(chart["label"]),
        text("an.sens.input_low"): list(chart["low_text"]),
        text("an.sens.input_high"): list(chart["high_text"]),
        text("an.sens.roi_at_low"): list(chart["roi_low_text"]),
        text("an.sens.roi_at_high"): list(chart["roi_high_text"]),
        text("an.sens.swing"): [formatting.percent(v, language, 1) for v in swings["swing"]],
    })
    return rows, spec


def monte_carlo_sources(workspace_id: str, use_case_id: str, language: str) -> dict[str, str]:
    """Where the Monte Carlo's ranges can come from: the scenarios, or a revealed workshop round whose three-point
    answers cover this use case (S21)."""
    sources = {SCENARIO_RANGES: t("ws.mc_source_scenarios")}
    sources.update((source.round_id, source.label)
                   for source in rounds.revealed_rounds(workspace_id, language, use_case_id, three_point=True))
    return sources


def round_ranges(round_id: str | None, use_case_id: str) -> dict[str, tuple[float, float, float]]:
    """The S16 ranges a round's three-point answers give this use case ({} for the scenarios' ranges)."""
    return {} if round_id in (None, SCENARIO_RANGES) else rounds.three_point_ranges(round_id, use_case_id)


def monte_carlo_caption(round_id: str | None, use_case_id: str, sources: dict[str, str]) -> str:
    """Which ranges the Monte Carlo draws from, in a sentence."""
    ranges = round_ranges(round_id, use_case_id)
    if not ranges:
        return t("ws.mc_source_caption_scenarios")
    inputs = ", ".join(t(f"field.{field}") for field in ranges)
    return t("ws.mc_source_caption_round", round=sources.get(round_id or "", ""), inputs=inputs)


@st.cache_data(max_entries=64, show_spinner=False)
def _monte_carlo(inputs_json: str, scenarios_json: tuple[str, ...], n: int, target_roi: float,
                 from_round: RangeItems = ()) -> sensitivity.MonteCarloResult:
    inputs = RoiInputs.model_validate_json(inputs_json)
    ranges = {**_ranges(inputs, scenarios_json), **dict(from_round)}
    return sensitivity.monte_carlo(inputs, ranges, n=n, seed=MONTE_CARLO_SEED, target_roi=target_roi)


def monte_carlo(use_case: UseCase, n: int, target_roi: float,
                round_id: str | None = None) -> sensitivity.MonteCarloResult:
    """Monte Carlo of the ROI over the ranges its scenarios span (the inputs a round's three-point answers cover
    from those instead), fixed seed, cached on inputs, ranges, n and target."""
    return _monte_carlo(use_case.roi.model_dump_json(), _scenarios_json(use_case), int(n), float(target_roi),
                        tuple(round_ranges(round_id, use_case.id).items()))


def monte_carlo_view(use_case: UseCase, n: int, target_roi: float, language: str,
                     round_id: str | None = None) -> tuple[sensitivity.MonteCarloResult, dict[str, Any]]:
    """The Monte Carlo result and its histogram spec, cached on (inputs, ranges, n, target, language)."""
    return _monte_carlo_view(use_case.roi.model_dump_json(), _scenarios_json(use_case), int(n), float(target_roi),
                             language, tuple(round_ranges(round_id, use_case.id).items()))


@lru_cache(maxsize=MONTE_CARLO_CACHE_SIZE)
def _monte_carlo_view(inputs_json: str, scenarios_json: tuple[str, ...], n: int, target_roi: float,
                      language: str, from_round: RangeItems = (),
                      ) -> tuple[sensitivity.MonteCarloResult, dict[str, Any]]:
    result = _monte_carlo(inputs_json, scenarios_json, n, target_roi, from_round)
    spec = charts_analysis.chart_spec(
        "monte_carlo", result.samples,
        percentiles=[(name, value, formatting.roi(value, language))
                     for name, value in (("P5", result.p5), ("P50", result.p50), ("P95", result.p95))],
        language=language, x_title=translate("an.sens.axis_roi", language),
        y_title=translate("an.sens.axis_draws", language),
        sign_labels={"negative": translate("an.sens.roi_not_positive", language),
                     "positive": translate("an.sens.roi_positive", language)},
    )
    return result, spec


def reset_scenarios(use_case_id: str) -> bool:
    """Back to the S16 worst/base/best overrides."""
    return store_access.set_fields(use_case_id,
                                   {"scenarios": [s.model_dump() for s in sensitivity.DEFAULT_SCENARIOS]})


def scenario_rows(use_case: UseCase) -> list[dict[str, Any]]:
    return [scenario.model_dump() for scenario in use_case.scenarios]
