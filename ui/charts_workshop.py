"""Vega-Lite charts of a revealed workshop round (S21): strip plots of the answers and the matrix with spread.

Plain Vega-Lite dicts like :mod:`ui.charts`: the spec depends only on language and titles and is built once per
combination; the rows travel as Arrow bytes. Values arrive in display units (percent for fractions).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from ui.charts import (
    MARK_FONT_SIZE,
    NEUTRAL,
    OKABE_ITO,
    PROJECTOR_CONFIG,
    THRESHOLD,
    VEGA_LITE_SCHEMA,
    arrow_bytes,
    number_label_expr,
    with_datasets,
)

DISPUTED = OKABE_ITO["vermillion"]
AGREED = OKABE_ITO["blue"]
ANSWER_DOT = OKABE_ITO["black"]
TODAY = NEUTRAL
ROW_HEIGHT = 64
JITTER_ROWS = 0.22
"""How far (in rows) a dot may sit above or below its row's line, so that equal answers stay visible."""
SINGLE_ROW_HEIGHT = 110
LINE_BREAK = "|"
"""Splits an item label into lines on the axis ("Data availability|Support chatbot")."""
USE_CASE_COLORS = tuple(OKABE_ITO[name] for name in ("blue", "orange", "bluish_green", "reddish_purple",
                                                     "vermillion", "sky_blue", "black", "yellow"))


def _nominal(field: str, title: str | None = None) -> dict[str, Any]:
    return {"field": field, "type": "nominal", "title": title}


def _layered(layers: list[dict[str, Any]], height: int, data_name: str | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"$schema": VEGA_LITE_SCHEMA, "config": PROJECTOR_CONFIG, "height": height,
                            "layer": layers}
    if data_name:
        spec["data"] = {"name": data_name}
    return spec


@lru_cache(maxsize=64)
def _strip_spec(language: str, x_title: str, d3_format: str, suffix: str, domain: tuple[float, float] | None,
                order: tuple[str, ...], show_names: bool, ranges: bool,
                tooltip_titles: tuple[tuple[str, str], ...], item_axis: bool) -> dict[str, Any]:
    titles = dict(tooltip_titles)
    scale: dict[str, Any] = {"domain": list(domain)} if domain else {"zero": False, "nice": True}
    x = {"field": "value", "type": "quantitative", "title": x_title, "scale": scale,
         "axis": {"labelExpr": number_label_expr(language, d3_format, suffix), "grid": True}}
    # Rows are numbers (0 = top), so that a dot's jitter is a fraction of a row whatever height the chart gets.
    rows = len(order)
    labels = json.dumps([item.split(LINE_BREAK) for item in order], ensure_ascii=False)
    axis = ({"values": list(range(rows)), "labelExpr": f"{labels}[datum.value]", "labelLimit": 300,
             "labelLineHeight": 19, "grid": False, "ticks": False, "domain": False} if item_axis else None)
    y = {"field": "row", "type": "quantitative", "title": None, "axis": axis,
         "scale": {"domain": [rows - 0.5, -0.5], "nice": False, "zero": False}}
    jittered = {**y, "field": "jittered_row"}
    height = max(ROW_HEIGHT * 2, ROW_HEIGHT * rows) if item_axis else SINGLE_ROW_HEIGHT
    stats_tooltip = [_nominal("item_text", " "), _nominal("n_text", titles["n"]),
                     _nominal("median_text", titles["median"]), _nominal("iqr_text", titles["iqr"]),
                     _nominal("range_text", titles["range"])]
    answer_tooltip = [_nominal("value_text", titles["answer"])] + ([_nominal("name", titles["name"])]
                                                                 if show_names else [])
    layers = _stats_layers(x, y, stats_tooltip) + _answer_layers(x, jittered, answer_tooltip, show_names, ranges)
    return _layered(layers, height)


def _stats_layers(x: dict[str, Any], y: dict[str, Any], tooltip: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per question: the min–max rule, the IQR bar (red when disputed, S21) and the median tick."""
    color = {"condition": {"test": "datum.disputed", "value": DISPUTED}, "value": AGREED}
    return [
        {"data": {"name": "stats"}, "mark": {"type": "rule", "color": NEUTRAL, "strokeWidth": 2},
         "encoding": {"x": {**x, "field": "minimum"}, "x2": {"field": "maximum"}, "y": y, "tooltip": tooltip}},
        {"data": {"name": "stats"}, "mark": {"type": "bar", "height": 22, "opacity": 0.35},
         "encoding": {"x": {**x, "field": "q1"}, "x2": {"field": "q3"}, "y": y, "color": color, "tooltip": tooltip}},
        {"data": {"name": "stats"}, "mark": {"type": "tick", "thickness": 4, "size": 34, "color": ANSWER_DOT},
         "encoding": {"x": {**x, "field": "median"}, "y": y, "tooltip": tooltip}},
    ]


def _answer_layers(x: dict[str, Any], y: dict[str, Any], tooltip: list[dict[str, Any]], show_names: bool,
                   ranges: bool) -> list[dict[str, Any]]:
    """One dot per answer, jittered within its row; a low–high rule for three-point answers; names if shown."""
    jitter = [{"calculate": f"datum.row + {JITTER_ROWS} * datum.jitter", "as": "jittered_row"}]
    layers: list[dict[str, Any]] = []
    if ranges:
        layers.append({"data": {"name": "answers"}, "mark": {"type": "rule", "color": ANSWER_DOT, "opacity": 0.45,
                                                             "strokeWidth": 1.5},
                       "transform": jitter,
                       "encoding": {"x": {**x, "field": "low"}, "x2": {"field": "high"}, "y": y, "tooltip": tooltip}})
    layers.append({"data": {"name": "answers"},
                   "mark": {"type": "circle", "size": 120, "opacity": 0.8, "color": ANSWER_DOT,
                            "stroke": "white", "strokeWidth": 1},
                   "transform": jitter, "encoding": {"x": x, "y": y, "tooltip": tooltip}})
    if show_names:
        layers.append({"data": {"name": "answers"},
                       "mark": {"type": "text", "align": "left", "dx": 7, "dy": -7, "fontSize": MARK_FONT_SIZE - 3,
                                "color": "#1a1a1a"},
                       "transform": jitter, "encoding": {"x": x, "y": y, "text": _nominal("name")}})
    return layers


def strip_plot(
    stats: Mapping[str, Sequence[Any]],
    answers: Mapping[str, Sequence[Any]],
    *,
    language: str,
    x_title: str,
    tooltip_titles: Mapping[str, str],
    percent: bool = False,
    domain: tuple[float, float] | None = None,
    show_names: bool = False,
    ranges: bool = False,
    item_axis: bool = True,
) -> dict[str, Any]:
    """S21 strip plot: one row per question ("item"), one dot per answer (jittered vertically), the median as a
    tick, the IQR as a band (vermillion when disputed), min–max as a thin rule.

    ``stats`` columns: item (its axis label, lines split at :data:`LINE_BREAK`), item_text (the tooltip's),
    minimum, q1, median, q3, maximum, disputed, n_text, median_text, iqr_text, range_text, in the order the rows
    are drawn; ``answers`` columns: item, value, jitter (in [−1, 1]), value_text, name, and with ``ranges`` low
    and high (a rule per answer). Names appear only with ``show_names``: on a projector the room sees the spread,
    not who said what.
    ``tooltip_titles`` keys: n, median, iqr, range, answer, name. ``item_axis`` False leaves the row label out
    (a chart of one question under its own heading).
    """
    d3_format, suffix = (",.0f", " %" if language == "de" else "%") if percent else (",.4~f", "")
    spec = _strip_spec(language, x_title, d3_format, suffix, domain, tuple(stats["item"]), bool(show_names),
                       bool(ranges), tuple(sorted(tooltip_titles.items())), bool(item_axis))
    row_of = {item: row for row, item in enumerate(stats["item"])}
    shown = {key: value for key, value in answers.items() if show_names or key != "name"}
    shown["row"] = [row_of[item] for item in answers["item"]]
    return with_datasets(spec, {"stats": arrow_bytes({**stats, "row": list(range(len(stats["item"])))}),
                                "answers": arrow_bytes(shown)})


@lru_cache(maxsize=64)
def _spread_spec(language: str, min_value: float, min_feasibility: float, titles: tuple[tuple[str, str], ...],
                 names: tuple[str, ...]) -> dict[str, Any]:
    title = dict(titles)
    color = {"field": "name", "type": "nominal", "title": None,
             "scale": {"domain": list(names), "range": [USE_CASE_COLORS[i % len(USE_CASE_COLORS)]
                                                        for i in range(len(names))]},
             "legend": {"orient": "bottom", "columns": 1, "labelLimit": 520}}
    axis_expr = number_label_expr(language, ".1f")

    def axis(field: str, axis_title: str) -> dict[str, Any]:
        return {"field": field, "type": "quantitative", "title": axis_title, "scale": {"domain": [0, 1]},
                "axis": {"labelExpr": axis_expr, "tickCount": 5, "grid": True}}

    # Every layer names its axis: one layer without a title leaves the merged axis without one.
    def x(field: str) -> dict[str, Any]:
        return axis(field, title["x"])

    def y(field: str) -> dict[str, Any]:
        return axis(field, title["y"])

    tooltip = [_nominal("name", " "), _nominal("n_text", title["n"]), _nominal("value_text", title["y"]),
               _nominal("feasibility_text", title["x"])]
    threshold = {"type": "rule", "color": THRESHOLD, "strokeDash": [6, 4], "strokeWidth": 2}
    cross = {"type": "rule", "strokeWidth": 4, "opacity": 0.75}
    layers: list[dict[str, Any]] = [
        {"data": {"name": "rules"}, "mark": threshold, "encoding": {"x": x("feasibility")}},
        {"data": {"name": "rules"}, "mark": threshold, "encoding": {"y": y("value")}},
        {"mark": {"type": "rule", "color": TODAY, "strokeDash": [2, 3]},
         "encoding": {"x": x("stored_feasibility"), "y": y("stored_value"), "x2": {"field": "feasibility_median"},
                      "y2": {"field": "value_median"}}},
        {"mark": {"type": "point", "shape": "circle", "size": 140, "strokeWidth": 2, "filled": False},
         "encoding": {"x": x("stored_feasibility"), "y": y("stored_value"), "color": color,
                      "tooltip": [_nominal("name", " "), _nominal("stored_text", title["today"])]}},
        {"mark": cross, "encoding": {"x": x("feasibility_q1"), "x2": {"field": "feasibility_q3"},
                                     "y": y("value_median"), "color": color, "tooltip": tooltip}},
        {"mark": cross, "encoding": {"y": y("value_q1"), "y2": {"field": "value_q3"},
                                     "x": x("feasibility_median"), "color": color, "tooltip": tooltip}},
        {"mark": {"type": "circle", "size": 220, "stroke": "#1a1a1a", "strokeWidth": 1.5, "opacity": 1},
         "encoding": {"x": x("feasibility_median"), "y": y("value_median"),
                      "color": color, "tooltip": tooltip}},
    ]
    return _layered(layers, 520, "positions")


def matrix_with_spread(
    positions: Mapping[str, Sequence[Any]], *, language: str, min_value: float, min_feasibility: float,
    titles: Mapping[str, str],
) -> dict[str, Any]:
    """S21 "matrix with spread": each use case at the room's median (feasibility, value) with its IQR as a cross,
    and a hollow circle where its stored inputs put it today, joined by a dotted line; one colour per use case,
    named in the legend (labels beside the points would overlap where the room agrees).

    ``positions`` columns: name (unique; the legend's label), value_median, value_q1, value_q3, feasibility_median,
    feasibility_q1, feasibility_q3, stored_value, stored_feasibility, n_text, value_text, feasibility_text, stored_text;
    ``titles`` keys: x, y, n, today.
    """
    spec = _spread_spec(language, float(min_value), float(min_feasibility), tuple(sorted(titles.items())),
                        tuple(positions["name"]))
    rules = arrow_bytes({"feasibility": [float(min_feasibility)], "value": [float(min_value)]})
    return with_datasets(spec, {"positions": arrow_bytes(positions), "rules": rules})
