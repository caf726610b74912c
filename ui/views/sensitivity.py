"""Sensitivity: the S16 scenario table and verdict, and the tornado and Monte Carlo of the chosen target (S15
monthly ROI, S19 NPV or S19 payback month), as cached views.

Core results are cached keyed on the JSON of the ROI inputs and scenarios they read and, for the S19 targets, on
the use case's resolved business-case terms; the views (Arrow tables and finished Vega-Lite specs) also on the
language. For NPV and payback the S19 ramp months and investment carry a range too: ±20 % around the use case's
values (:func:`core.sensitivity.default_ranges` with its terms), beside the S15 ranges the scenarios span.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache, partial
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import streamlit as st

from core import sensitivity
from core.business_case import BusinessCaseTerms
from core.models import DEFAULT_SCENARIOS, ROI_FRACTION_FIELDS, RoiInputs, Scenario, UseCase
from ui import charts_analysis, formatting, rounds, store_access
from ui.i18n import t, translate
from ui.views import VIEW_CACHE_SIZE

MONTE_CARLO_SEED = 0
MONTE_CARLO_DRAWS: tuple[int, ...] = (1_000, 5_000, 20_000, 100_000, 200_000)
DEFAULT_MONTE_CARLO_DRAWS = 20_000
# A result holds its samples (up to 200,000 floats), so fewer are kept.
MONTE_CARLO_CACHE_SIZE = 32
ROI_MONEY_FIELDS = ("cost_per_minute_eur", "error_cost_per_case_eur", "run_cost_eur_per_month", "investment_eur")
TARGETS: tuple[str, ...] = sensitivity.TARGETS
DEFAULT_TARGET = "roi"
SCENARIO_RANGES = "scenarios"
RangeItems = tuple[tuple[str, tuple[float, float, float]], ...]
TRANSLATED_SCENARIOS = frozenset(scenario.name for scenario in DEFAULT_SCENARIOS)


def scenario_label(name: str, language: str) -> str:
    """The S16 scenarios worst, base and best in the user's language; any other name as the user typed it
    (plain text: escape it for a Markdown sink). ``scenario_label("best", "de")`` → "Best Case"."""
    return translate(f"an.sens.scenario.{name}", language) if name in TRANSLATED_SCENARIOS else name


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


def _ranges(inputs: RoiInputs, scenarios_json: tuple[str, ...],
            terms: BusinessCaseTerms | None = None) -> dict[str, tuple[float, float, float]]:
    scenarios = [Scenario.model_validate_json(text) for text in scenarios_json] or None
    return sensitivity.default_ranges(inputs, scenarios, terms)


def business_case_terms(use_case: UseCase, default_rate: float) -> BusinessCaseTerms:
    """The use case's S19 terms: its investment, horizon, ramp, escalation and its own or the default rate."""
    return BusinessCaseTerms.of(use_case, default_rate)


@lru_cache(maxsize=VIEW_CACHE_SIZE)
def _tornado(inputs_json: str, scenarios_json: tuple[str, ...]) -> pd.DataFrame:
    inputs = RoiInputs.model_validate_json(inputs_json)
    return sensitivity.tornado(inputs, _ranges(inputs, scenarios_json))


def tornado(use_case: UseCase) -> pd.DataFrame:
    """One-at-a-time ROI swing per input over the ranges its scenarios span; ``attrs["base_roi"]`` is the base ROI."""
    return _tornado(use_case.roi.model_dump_json(), _scenarios_json(use_case))


def roi_input_text(field: str, value: float, language: str) -> str:
    """An S15 (or S19 range) input in its unit: fractions as percent, money in €, volume as a whole number,
    ramp months with one decimal."""
    if field in ROI_FRACTION_FIELDS:
        return formatting.percent(value, language)
    if field in ROI_MONEY_FIELDS:
        return formatting.eur(value, language, 2)
    return formatting.number(value, language, 0 if field == "volume_cases_per_month" else 1)


def target_text(target: str, value: float | None, language: str, inline: bool = False) -> str:
    """A figure of ``target``: ROI in percent, NPV in €, payback as "Month 6" (``inline``: "month 6") or "not
    reached" (NaN or None)."""
    if target == "roi":
        return formatting.roi(value, language)
    if target == "npv":
        return formatting.eur(value, language)
    if value is None or value != value:
        return translate("bc.not_reached", language)
    return translate("bc.month_inline" if inline else "bc.month", language,
                     month=formatting.number(int(value), language))


@dataclass(frozen=True)
class SensitivityView:
    """Everything the Sensitivity page draws above the tornado, in one language: the scenario table and
    verdict, its display rows as an Arrow table and the net-value chart spec."""

    table: ScenarioTable
    scenario_rows: pa.Table
    scenario_spec: dict[str, Any]


def sensitivity_view(use_case: UseCase, language: str) -> SensitivityView:
    """The cached :class:`SensitivityView` of a use case; keyed on its ROI inputs, scenarios and language."""
    return _sensitivity_view(use_case.roi.model_dump_json(), _scenarios_json(use_case), language)


@lru_cache(maxsize=VIEW_CACHE_SIZE)
def _sensitivity_view(inputs_json: str, scenarios_json: tuple[str, ...], language: str) -> SensitivityView:
    table = _scenarios(inputs_json, scenarios_json)
    scenario_rows, scenario_spec = _scenario_display(table.frame, language)
    return SensitivityView(table, scenario_rows, scenario_spec)


@dataclass(frozen=True)
class TornadoView:
    """The tornado of one target: its ranges table, chart spec and the base figure (ratio, € or month)."""

    target: str
    rows: pa.Table
    spec: dict[str, Any]
    base: float


def tornado_view(use_case: UseCase, target: str, terms: BusinessCaseTerms, language: str) -> TornadoView:
    """The cached tornado of ``target`` ("roi", "npv" or "payback"); the S19 targets also swing the ramp months
    and the investment (±20 %)."""
    if target not in TARGETS:
        raise ValueError(f"target: expected one of {', '.join(TARGETS)}, got {target!r}")
    return _tornado_view(use_case.roi.model_dump_json(), _scenarios_json(use_case), target,
                         None if target == "roi" else terms, language)


@lru_cache(maxsize=VIEW_CACHE_SIZE)
def _target_tornado(inputs_json: str, scenarios_json: tuple[str, ...], target: str,
                    terms: BusinessCaseTerms | None) -> pd.DataFrame:
    inputs = RoiInputs.model_validate_json(inputs_json)
    return sensitivity.tornado(inputs, _ranges(inputs, scenarios_json, terms), target=target, terms=terms)


@lru_cache(maxsize=VIEW_CACHE_SIZE)
def _tornado_view(inputs_json: str, scenarios_json: tuple[str, ...], target: str, terms: BusinessCaseTerms | None,
                  language: str) -> TornadoView:
    swings = (_tornado(inputs_json, scenarios_json) if target == "roi"
              else _target_tornado(inputs_json, scenarios_json, target, terms))
    base = float(swings.attrs[f"base_{target}"])
    rows, spec = _tornado_display(swings, target, base, language, None if terms is None else terms.horizon_months)
    return TornadoView(target, rows, spec, base)


def _scenario_display(frame: pd.DataFrame, language: str) -> tuple[pa.Table, dict[str, Any]]:
    """The scenario table's display rows and the net-value-by-scenario chart spec."""
    text = partial(translate, language_code=language)
    names = [scenario_label(str(name), language) for name in frame.index]
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


def _swing_text(target: str, value: float, language: str) -> str:
    if target == "roi":
        return formatting.percent(value, language, 1)
    if target == "npv":
        return formatting.eur(value, language)
    return formatting.number(value, language)


def _tornado_display(swings: pd.DataFrame, target: str, base: float, language: str,
                     horizon_months: int | None) -> tuple[pa.Table, dict[str, Any]]:
    """The tornado's ranges table (input, low, high, the target at each, swing) and its chart spec; a payback
    not reached is drawn at the horizon + 1 month and reads "not reached"."""
    text = partial(translate, language_code=language)
    low, high = swings[f"{target}_low"].to_numpy(), swings[f"{target}_high"].to_numpy()
    beyond = float(horizon_months or 0) + 1.0
    drawn_low, drawn_high, drawn_base = low, high, base
    if target == "payback":
        drawn_low, drawn_high = np.nan_to_num(low, nan=beyond), np.nan_to_num(high, nan=beyond)
        drawn_base = float(np.nan_to_num(base, nan=beyond))
    chart = pd.DataFrame({
        "label": [text(f"field.{field}") for field in swings["field"]],
        "result_low": drawn_low,
        "result_high": drawn_high,
        "low_text": [roi_input_text(f, v, language) for f, v in zip(swings["field"], swings["low"], strict=True)],
        "high_text": [roi_input_text(f, v, language) for f, v in zip(swings["field"], swings["high"], strict=True)],
        "result_low_text": [target_text(target, v, language) for v in low],
        "result_high_text": [target_text(target, v, language) for v in high],
    })
    axis = text(f"an.sens.axis_{target}")
    spec = charts_analysis.chart_spec(
        "tornado", chart, base=drawn_base, language=language, x_title=axis,
        end_labels={"low": text("an.sens.input_low"), "high": text("an.sens.input_high"),
                    "input": text("an.sens.input")},
        base_label=text(f"an.sens.base_{target}") if target != "roi" else text("an.sens.base"),
        scale=charts_analysis.PERCENT if target == "roi" else 1.0, suffix=None if target == "roi" else "",
    )
    rows = pa.table({
        text("an.sens.input"): list(chart["label"]),
        text("an.sens.input_low"): list(chart["low_text"]),
        text("an.sens.input_high"): list(chart["high_text"]),
        text(f"an.sens.{target}_at_low"): list(chart["result_low_text"]),
        text(f"an.sens.{target}_at_high"): list(chart["result_high_text"]),
        text(f"an.sens.swing_{target}" if target != "roi" else "an.sens.swing"): [
            _swing_text(target, v, language) for v in swings["swing"]],
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


@st.cache_data(max_entries=64, show_spinner=False)
def _business_case_monte_carlo(inputs_json: str, scenarios_json: tuple[str, ...], terms: BusinessCaseTerms,
                               n: int, from_round: RangeItems = ()) -> sensitivity.BusinessCaseMonteCarloResult:
    inputs = RoiInputs.model_validate_json(inputs_json)
    ranges = {**_ranges(inputs, scenarios_json, terms), **dict(from_round)}
    return sensitivity.monte_carlo_business_case(inputs, terms, ranges, n=n, seed=MONTE_CARLO_SEED)


def business_case_monte_carlo_view(use_case: UseCase, terms: BusinessCaseTerms, n: int, target: str, language: str,
                                   round_id: str | None = None,
                                   ) -> tuple[sensitivity.BusinessCaseMonteCarloResult, dict[str, Any]]:
    """The S19 Monte Carlo (NPV and payback per draw, fixed seed) and the histogram of ``target`` ("npv": NPV in €
    with P5/P50/P95; "payback": the months of the draws that pay back, with the median), cached on the inputs,
    scenarios (or a round's three-point ranges), terms, n, target and language."""
    return _business_case_monte_carlo_view(use_case.roi.model_dump_json(), _scenarios_json(use_case), terms,
                                           int(n), target, language, tuple(round_ranges(round_id, use_case.id).items()))


@lru_cache(maxsize=MONTE_CARLO_CACHE_SIZE)
def _business_case_monte_carlo_view(inputs_json: str, scenarios_json: tuple[str, ...], terms: BusinessCaseTerms,
                                    n: int, target: str, language: str, from_round: RangeItems = (),
                                    ) -> tuple[sensitivity.BusinessCaseMonteCarloResult, dict[str, Any]]:
    result = _business_case_monte_carlo(inputs_json, scenarios_json, terms, n, from_round)
    text = partial(translate, language_code=language)
    bins: int | list[float] = charts_analysis.HISTOGRAM_BINS
    if target == "npv":
        samples = result.npv_samples
        percentiles = [(name, value, formatting.eur(value, language))
                       for name, value in (("P5", result.npv_p5), ("P50", result.npv_p50), ("P95", result.npv_p95))]
        signs = {"negative": text("an.sens.npv_not_positive"), "positive": text("an.sens.npv_positive")}
    else:
        samples = result.payback_samples
        median = result.payback_p50_month
        percentiles = [] if median is None else [("P50", float(median), target_text("payback", median, language))]
        signs = None
        # One bin per whole month, centred on it.
        bins = [month - 0.5 for month in range(result.horizon_months + 2)]
    spec = charts_analysis.chart_spec(
        "monte_carlo", samples, percentiles=percentiles, language=language, x_title=text(f"an.sens.axis_{target}"),
        y_title=text("an.sens.axis_draws"), sign_labels=signs, scale=1.0, suffix="", bins=bins,
    )
    return result, spec


def reset_scenarios(use_case_id: str) -> bool:
    """Back to the S16 worst/base/best overrides."""
    return store_access.set_fields(use_case_id,
                                   {"scenarios": [s.model_dump() for s in sensitivity.DEFAULT_SCENARIOS]})


def scenario_rows(use_case: UseCase) -> list[dict[str, Any]]:
    return [scenario.model_dump() for scenario in use_case.scenarios]
