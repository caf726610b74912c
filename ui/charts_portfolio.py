"""Portfolio page charts (S20): the efficient frontier beside the score-ranking plan, with the chosen budget
marked, and the chosen portfolio's cumulative cash flow (S19).

Plain Vega-Lite dicts like :mod:`ui.charts`: the spec depends only on the language and the translated titles
and is built once per combination; a rerun only adds its rows as Arrow bytes. Amounts in tooltips arrive
Babel-formatted; axis numbers follow the language through :func:`ui.charts.number_label_expr`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from ui.charts import (
    NEUTRAL,
    OKABE_ITO,
    PROJECTOR_CONFIG,
    THRESHOLD,
    VEGA_LITE_SCHEMA,
    arrow_bytes,
    number_label_expr,
    with_datasets,
)

OPTIMAL = OKABE_ITO["blue"]
BY_SCORE = OKABE_ITO["orange"]
CUMULATIVE = OKABE_ITO["blue"]
DISCOUNTED = OKABE_ITO["bluish_green"]
FRONTIER_HEIGHT = 400
CASH_FLOW_HEIGHT = 400


def _nominal(field: str, title: str | None = None) -> dict[str, Any]:
    return {"field": field, "type": "nominal", "title": title}


def _projector_spec(layers: list[dict[str, Any]], height: int, data_name: str | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"$schema": VEGA_LITE_SCHEMA, "config": PROJECTOR_CONFIG, "height": height,
                            "layer": layers}
    if data_name:
        spec["data"] = {"name": data_name}
    return spec


def _money_axis(field: str, title: str, language: str) -> dict[str, Any]:
    return {"field": field, "type": "quantitative", "title": title,
            "axis": {"labelExpr": number_label_expr(language, "~s"), "grid": True}}


def _series_color(domain: Sequence[str], colors: Sequence[str]) -> dict[str, Any]:
    """Colour by series; the legend lists the series below the plot, one a line, so no label is cut in a narrow
    column and none covers a curve."""
    return {"field": "series", "type": "nominal", "title": None, "sort": list(domain),
            "scale": {"domain": list(domain), "range": list(colors)},
            "legend": {"orient": "bottom", "direction": "vertical", "labelLimit": 0}}


@lru_cache(maxsize=64)
def _frontier_spec(language: str, titles: tuple[tuple[str, str], ...], series: tuple[str, str]) -> dict[str, Any]:
    title = dict(titles)
    x = _money_axis("budget", title["x"], language)
    y = _money_axis("npv", title["y"], language)
    tooltip = [_nominal("series", " "), _nominal("budget_text", title["x"]), _nominal("npv_text", title["y"])]
    lines = {
        "data": {"name": "curves"},
        "mark": {"type": "line", "point": {"size": 60}, "strokeWidth": 3, "interpolate": "step-after"},
        "encoding": {"x": x, "y": y, "color": _series_color(series, (OPTIMAL, BY_SCORE)),
                     "tooltip": tooltip},
    }
    marker = {"data": {"name": "chosen"}, "mark": {"type": "rule", "color": THRESHOLD, "strokeDash": [6, 4],
                                                  "strokeWidth": 2},
              "encoding": {"x": {"field": "budget", "type": "quantitative"}}}
    points = {
        "data": {"name": "chosen"},
        "mark": {"type": "point", "filled": True, "size": 260, "stroke": "#1a1a1a", "strokeWidth": 1.5},
        "encoding": {"x": {"field": "budget", "type": "quantitative"}, "y": {"field": "npv", "type": "quantitative"},
                     "color": _series_color(series, (OPTIMAL, BY_SCORE)), "tooltip": tooltip},
    }
    return _projector_spec([lines, marker, points], FRONTIER_HEIGHT)


def frontier_chart(
    budget_eur: Sequence[float], optimal_npv_eur: Sequence[float], by_score_npv_eur: Sequence[float], *,
    chosen_budget_eur: float, chosen_npv_eur: float | None, by_score_at_budget_eur: float | None, language: str,
    titles: Mapping[str, str], series: tuple[str, str], texts: Mapping[str, Sequence[str]],
) -> dict[str, Any]:
    """S20 frontier spec: best NPV per budget level (step line) beside the score ranking's NPV, a dashed rule at
    the chosen budget with both plans' points there.

    ``titles`` keys x, y; ``series`` = (optimal label, by-score label); ``texts`` holds the formatted amounts:
    keys budget, optimal, by_score (per level) and chosen_budget, chosen, by_score_at_budget (one each).
    """
    spec = _frontier_spec(language, tuple(titles.items()), series)
    levels = len(budget_eur)
    curves = {
        "budget": [*budget_eur, *budget_eur], "npv": [*optimal_npv_eur, *by_score_npv_eur],
        "series": [series[0]] * levels + [series[1]] * levels,
        "budget_text": [*texts["budget"], *texts["budget"]], "npv_text": [*texts["optimal"], *texts["by_score"]],
    }
    chosen: dict[str, list[Any]] = {"budget": [], "npv": [], "series": [], "budget_text": [], "npv_text": []}
    for name, npv, text in ((series[0], chosen_npv_eur, texts["chosen"][0]),
                            (series[1], by_score_at_budget_eur, texts["by_score_at_budget"][0])):
        if npv is None:
            continue
        for column, value in (("budget", chosen_budget_eur), ("npv", npv), ("series", name),
                              ("budget_text", texts["chosen_budget"][0]), ("npv_text", text)):
            chosen[column].append(value)
    if not chosen["budget"]:
        chosen = {"budget": [chosen_budget_eur], "npv": [0.0], "series": [series[0]],
                  "budget_text": [texts["chosen_budget"][0]], "npv_text": [""]}
    return with_datasets(spec, {"curves": arrow_bytes(curves), "chosen": arrow_bytes(chosen)})


@lru_cache(maxsize=64)
def _cash_flow_spec(language: str, titles: tuple[tuple[str, str], ...], series: tuple[str, str]) -> dict[str, Any]:
    title = dict(titles)
    x = {"field": "month", "type": "quantitative", "title": title["x"],
         "axis": {"labelExpr": number_label_expr(language, ",.0f"), "tickMinStep": 1, "grid": False}}
    y = _money_axis("amount", title["y"], language)
    zero = {"data": {"name": "zero"}, "mark": {"type": "rule", "color": NEUTRAL, "strokeWidth": 1.5},
            "encoding": {"y": {"field": "amount", "type": "quantitative"}}}
    lines = {
        "mark": {"type": "line", "strokeWidth": 3},
        "encoding": {"x": x, "y": y, "color": _series_color(series, (CUMULATIVE, DISCOUNTED)),
                     "strokeDash": {"field": "series", "type": "nominal", "legend": None, "sort": list(series),
                                    "scale": {"domain": list(series), "range": [[1, 0], [6, 4]]}},
                     "tooltip": [_nominal("series", " "), _nominal("month_text", title["x"]),
                                 _nominal("text", title["y"])]},
    }
    return _projector_spec([zero, lines], CASH_FLOW_HEIGHT, "flows")


def cash_flow_chart(
    month: Sequence[int], cumulative_eur: Sequence[float], discounted_cumulative_eur: Sequence[float], *,
    language: str, titles: Mapping[str, str], series: tuple[str, str], texts: Mapping[str, Sequence[str]],
) -> dict[str, Any]:
    """S19 cumulative cash flow of the chosen portfolio (month 0 = −Σ C0) and its discounted twin, with a 0 line.

    ``titles`` keys x, y; ``series`` = (cumulative label, discounted label); ``texts`` keys month, cumulative,
    discounted hold the formatted tooltip strings per month.
    """
    spec = _cash_flow_spec(language, tuple(titles.items()), series)
    months = len(month)
    flows = {
        "month": [*month, *month], "amount": [*cumulative_eur, *discounted_cumulative_eur],
        "series": [series[0]] * months + [series[1]] * months,
        "month_text": [*texts["month"], *texts["month"]], "text": [*texts["cumulative"], *texts["discounted"]],
    }
    return with_datasets(spec, {"flows": arrow_bytes(flows), "zero": arrow_bytes({"amount": [0.0]})})
