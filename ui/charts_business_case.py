"""The S19 J-curve: cumulative cash flow and its discounted twin per month, the payback month marked.

A plain Vega-Lite dict in the palette and projector fonts of :mod:`ui.charts`, built once per language and
titles (``functools.lru_cache``); a slider step only adds its rows as Arrow bytes, since building the chart through
Altair would cost more than the rest of the page's rerun. Draw it with ``st.vega_lite_chart(spec=..., width=
"stretch")``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from ui.charts import (
    MARK_FONT_SIZE,
    NEUTRAL,
    OKABE_ITO,
    PROJECTOR_CONFIG,
    THRESHOLD,
    TOTAL,
    VEGA_LITE_SCHEMA,
    arrow_bytes,
    number_label_expr,
    with_datasets,
)

CUMULATIVE = TOTAL
DISCOUNTED = OKABE_ITO["orange"]
J_CURVE_HEIGHT = 380


def _nominal(field: str, title: str | None = None) -> dict[str, Any]:
    return {"field": field, "type": "nominal", "title": title}


@lru_cache(maxsize=64)
def _j_curve_spec(language: str, titles: tuple[tuple[str, str], ...], series: tuple[str, str]) -> dict[str, Any]:
    title = dict(titles)
    x = {"field": "month", "type": "quantitative", "title": title["x"], "scale": {"nice": False},
         "axis": {"labelExpr": number_label_expr(language, ",.0f"), "tickMinStep": 1, "grid": False}}
    lines = {
        "data": {"name": "months"},
        "mark": {"type": "line", "strokeWidth": 3, "interpolate": "monotone", "point": {"size": 18}},
        "encoding": {
            "x": x,
            "y": {"field": "amount", "type": "quantitative", "title": title["y"],
                  "axis": {"labelExpr": number_label_expr(language, ",.0f")}},
            "color": {"field": "series", "type": "nominal", "title": None,
                      "legend": {"orient": "bottom", "direction": "vertical", "symbolType": "stroke",
                                 "symbolStrokeWidth": 3},
                      "scale": {"domain": list(series), "range": [CUMULATIVE, DISCOUNTED]}},
            "strokeDash": {"field": "series", "type": "nominal", "legend": None,
                           "scale": {"domain": list(series), "range": [[1, 0], [6, 3]]}},
            "tooltip": [_nominal("series", " "), _nominal("month_text", title["x"]),
                        _nominal("amount_text", title["y"])],
        },
    }
    zero = {"data": {"name": "zero"}, "mark": {"type": "rule", "color": NEUTRAL, "strokeWidth": 1.5},
            "encoding": {"y": {"field": "y", "type": "quantitative"}}}
    payback = {"data": {"name": "payback"},
               "mark": {"type": "rule", "color": THRESHOLD, "strokeWidth": 2, "strokeDash": [6, 4]},
               "encoding": {"x": {"field": "month", "type": "quantitative"}, "tooltip": [_nominal("text", " ")]}}
    label = {"data": {"name": "payback"},
             "mark": {"type": "text", "align": "left", "baseline": "top", "dx": 6, "dy": 4, "y": 0,
                      "fontSize": MARK_FONT_SIZE, "fontWeight": "bold", "color": THRESHOLD},
             "encoding": {"x": {"field": "month", "type": "quantitative"}, "text": _nominal("text")}}
    return {"$schema": VEGA_LITE_SCHEMA, "config": PROJECTOR_CONFIG, "height": J_CURVE_HEIGHT,
            "layer": [zero, lines, payback, label]}


def j_curve(
    months: Sequence[int], cumulative: Sequence[float], discounted: Sequence[float], *, language: str,
    titles: Mapping[str, str], series: tuple[str, str], month_texts: Sequence[str],
    cumulative_texts: Sequence[str], discounted_texts: Sequence[str], payback_month: int | None, payback_text: str,
) -> dict[str, Any]:
    """J-curve spec: per month (0…H) the cumulative cash flow and the cumulative discounted cash flow in €.

    ``titles`` keys: x, y; ``series`` the two legend labels (cumulative, discounted); the ``*_texts`` are the
    Babel-formatted month and € values for the tooltips. A payback month draws a dashed rule labelled
    ``payback_text``; None (not reached within the horizon) draws none.
    """
    spec = _j_curve_spec(language, tuple(titles.items()), series)
    count = len(months)
    rows = {
        "month": [*months, *months],
        "amount": [*cumulative, *discounted],
        "series": [series[0]] * count + [series[1]] * count,
        "month_text": [*month_texts, *month_texts],
        "amount_text": [*cumulative_texts, *discounted_texts],
    }
    marked = [] if payback_month is None else [payback_month]
    payback = {"month": marked, "text": [payback_text] if marked else []}
    return with_datasets(spec, {"months": arrow_bytes(rows), "zero": arrow_bytes({"y": [0.0]}),
                                "payback": arrow_bytes(payback)})
