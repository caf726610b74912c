"""Vega-Lite charts with one colour-blind-safe palette (Okabe–Ito) and projector-sized fonts.

Charts receive already-translated titles and Babel-formatted tooltip strings; axis numbers follow the
language through Vega label expressions, so German axes read "0,5" and "20.000".

The Scoring matrix and the ROI waterfall are plain Vega-Lite dicts: the spec depends only on language,
titles and thresholds and is built once per combination (``functools.lru_cache``); a rerun only adds its
rows as Arrow bytes. Building the same chart through Altair took 60–80 % of a page rerun. Draw them with
``st.vega_lite_chart(spec=..., width="stretch")``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import pyarrow as pa

if TYPE_CHECKING:
    import altair as alt
    import pandas as pd

OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
PHASE_COLORS = {
    "discovery": OKABE_ITO["sky_blue"],
    "data_risk": OKABE_ITO["orange"],
    "poc": OKABE_ITO["reddish_purple"],
    "pilot": OKABE_ITO["blue"],
    "production": OKABE_ITO["bluish_green"],
    "scale": OKABE_ITO["vermillion"],
}
POSITIVE = OKABE_ITO["bluish_green"]
NEGATIVE = OKABE_ITO["vermillion"]
TOTAL = OKABE_ITO["blue"]
NEUTRAL = "#7F7F7F"
THRESHOLD = "#4D4D4D"

LABEL_FONT_SIZE = 15
TITLE_FONT_SIZE = 17
MARK_FONT_SIZE = 15


VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.4.1.json"
PROJECTOR_CONFIG: dict[str, Any] = {
    "view": {"continuousWidth": 300, "continuousHeight": 300, "strokeWidth": 0},
    "axis": {"labelFontSize": LABEL_FONT_SIZE, "labelLimit": 260, "titleFontSize": TITLE_FONT_SIZE,
             "titlePadding": 12},
    "legend": {"labelFontSize": LABEL_FONT_SIZE, "labelLimit": 260, "symbolSize": 160,
               "titleFontSize": TITLE_FONT_SIZE},
    "title": {"anchor": "start", "fontSize": TITLE_FONT_SIZE + 3},
}


def number_label_expr(language: str, d3_format: str = ",.0f", suffix: str = "") -> str:
    """Vega expression formatting ``datum.value``; German swaps the separators (1,234.5 → 1.234,5)."""
    formatted = f"format(datum.value, '{d3_format}')"
    if language == "de":
        formatted = (
            f"replace(replace(replace({formatted}, regexp(',', 'g'), '_'), regexp('[.]', 'g'), ','),"
            " regexp('_', 'g'), '.')"
        )
    return f"{formatted} + '{suffix}'" if suffix else formatted


def projector(chart: alt.TopLevelMixin, height: int = 480) -> alt.TopLevelMixin:
    """Large fonts and no chart border (the Altair form of :data:`PROJECTOR_CONFIG`)."""
    return (
        chart.properties(height=height)
        .configure_axis(labelFontSize=LABEL_FONT_SIZE, titleFontSize=TITLE_FONT_SIZE, titlePadding=12, labelLimit=260)
        .configure_legend(labelFontSize=LABEL_FONT_SIZE, titleFontSize=TITLE_FONT_SIZE, symbolSize=160, labelLimit=260)
        .configure_title(fontSize=TITLE_FONT_SIZE + 3, anchor="start")
        .configure_view(strokeWidth=0)
    )


def phase_scale(phase_labels: Mapping[str, str]) -> alt.Scale:
    """Colour scale over translated phase labels, fixed colour per phase in S13 order."""
    import altair as alt

    return alt.Scale(
        domain=[phase_labels[phase] for phase in PHASE_COLORS if phase in phase_labels],
        range=[color for phase, color in PHASE_COLORS.items() if phase in phase_labels],
    )


def arrow_bytes(columns: Mapping[str, Sequence[Any]]) -> bytes:
    """Columns as Arrow IPC stream bytes, the form Streamlit sends a chart's dataset in."""
    table = pa.table({name: list(values) if not hasattr(values, "dtype") else values
                      for name, values in columns.items()})
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def with_datasets(spec: Mapping[str, Any], datasets: Mapping[str, bytes]) -> dict[str, Any]:
    """A shallow copy of a cached spec with its named datasets filled in (Streamlit edits the top level)."""
    return {**spec, "datasets": {**spec.get("datasets", {}), **datasets}}


def _projector_spec(layers: list[dict[str, Any]], height: int, data_name: str | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"$schema": VEGA_LITE_SCHEMA, "config": PROJECTOR_CONFIG, "height": height,
                            "layer": layers}
    if data_name:
        spec["data"] = {"name": data_name}
    return spec


def _nominal(field: str, title: str | None = None) -> dict[str, Any]:
    return {"field": field, "type": "nominal", "title": title}


@lru_cache(maxsize=64)
def _matrix_spec(
    language: str, min_value: float, min_feasibility: float, phase_labels: tuple[tuple[str, str], ...],
    quadrant_labels: tuple[tuple[str, str], ...], titles: tuple[tuple[str, str], ...],
    tooltip_columns: tuple[tuple[str, str], ...], font_scale: float = 1.0,
) -> tuple[dict[str, Any], bytes, bytes]:
    label_size, mark_size = round(LABEL_FONT_SIZE * font_scale), round(MARK_FONT_SIZE * font_scale)
    layers = [*_matrix_guide_layers(),
              _matrix_point_layer(language, dict(phase_labels), dict(titles), tooltip_columns, label_size),
              _matrix_rank_layer(mark_size)]
    rules = arrow_bytes({"feasibility": [min_feasibility], "value": [min_value]})
    quadrants = dict(quadrant_labels)
    corners = arrow_bytes({
        "feasibility": [0.99, 0.01, 0.99, 0.01],
        "value": [0.99, 0.99, 0.01, 0.01],
        "text": [quadrants["quick_win"], quadrants["strategic_bet"], quadrants["fill_in"],
                 quadrants["deprioritise"]],
        "align": ["right", "left", "right", "left"],
    })
    spec = _projector_spec(layers, round(560 * font_scale), "points")
    if font_scale != 1.0:
        spec["config"] = {**PROJECTOR_CONFIG,
                          "axis": {**PROJECTOR_CONFIG["axis"], "labelFontSize": label_size,
                                   "titleFontSize": round(TITLE_FONT_SIZE * font_scale)}}
    return spec, rules, corners


def _matrix_guide_layers() -> list[dict[str, Any]]:
    """The two dashed threshold rules and the quadrant names in the corners (data "rules" and "corners")."""
    rule = {"type": "rule", "color": THRESHOLD, "strokeDash": [6, 4], "strokeWidth": 2}
    layers: list[dict[str, Any]] = [
        {"data": {"name": "rules"}, "mark": rule,
         "encoding": {"x": {"field": "feasibility", "type": "quantitative"}}},
        {"data": {"name": "rules"}, "mark": rule, "encoding": {"y": {"field": "value", "type": "quantitative"}}},
    ]
    for align in ("left", "right"):
        layers.append({
            "data": {"name": "corners"},
            "transform": [{"filter": f"datum.align === '{align}'"}],
            "mark": {"type": "text", "align": align, "baseline": "middle", "fontSize": MARK_FONT_SIZE + 3,
                     "fontWeight": "bold", "color": NEUTRAL, "dy": 0},
            "encoding": {"x": {"field": "feasibility", "type": "quantitative"},
                         "y": {"field": "value", "type": "quantitative"}, "text": _nominal("text")},
        })
    return layers


def _matrix_point_layer(language: str, phases: dict[str, str], title: dict[str, str],
                        tooltip_columns: tuple[tuple[str, str], ...], label_size: int) -> dict[str, Any]:
    """One dot per use case: value over feasibility, sized by the size field, coloured by phase."""
    axis_expr = number_label_expr(language, ".1f")

    def axis_field(field: str, axis_title: str) -> dict[str, Any]:
        return {"field": field, "type": "quantitative", "title": axis_title, "scale": {"domain": [0, 1]},
                "axis": {"labelExpr": axis_expr, "tickCount": 5, "grid": True}}

    return {
        "mark": {"type": "circle", "opacity": 0.85, "stroke": "#1a1a1a", "strokeWidth": 1},
        "encoding": {
            "x": axis_field("feasibility", title["x"]),
            "y": axis_field("value", title["y"]),
            "size": {"field": "size_value", "type": "quantitative", "title": title["size"], "legend": None,
                     "scale": {"range": [80, 1800], "zero": True}},
            "color": {"field": "phase_label", "type": "nominal", "title": title["color"],
                      "scale": {"domain": [phases[phase] for phase in PHASE_COLORS if phase in phases],
                                "range": [color for phase, color in PHASE_COLORS.items() if phase in phases]},
                      # No label limit: a cut phase name ("5 Produktivsetz…") reads badly on a projector.
                      "legend": {"orient": "bottom", "direction": "horizontal", "columns": 3, "labelLimit": 0,
                                 "labelFontSize": label_size, "titleFontSize": label_size}},
            "strokeWidth": {"condition": {"test": "datum.selected", "value": 4}, "value": 1},
            "tooltip": [_nominal(column, column_title) for column, column_title in tooltip_columns],
        },
    }


def _matrix_rank_layer(mark_size: int) -> dict[str, Any]:
    """Every dot's S3 rank written inside it."""
    # Keyed to the names below the chart: names of clustered points would overlap and be cut at the plot's
    # edge on a projector, a number stays inside its dot.
    return {
        "mark": {"type": "text", "align": "center", "baseline": "middle", "fontSize": mark_size,
                 "fontWeight": "bold", "color": "#1a1a1a"},
        "encoding": {"x": {"field": "feasibility", "type": "quantitative"},
                     "y": {"field": "value", "type": "quantitative"}, "text": _nominal("rank_text")},
    }


def value_feasibility_matrix(
    points: Mapping[str, Sequence[Any]],
    *,
    language: str,
    min_value: float,
    min_feasibility: float,
    phase_labels: Mapping[str, str],
    quadrant_labels: Mapping[str, str],
    titles: Mapping[str, str],
    tooltip_columns: Sequence[tuple[str, str]],
    highlight_id: str | None = None,
    font_scale: float = 1.0,
) -> dict[str, Any]:
    """S3 matrix spec: x feasibility, y value (0–1), size = monthly net value, colour = phase.

    ``points`` columns: id, rank_text (the S3 rank drawn on each dot, keyed in a legend beside the chart), value,
    feasibility, size_value (≥ 0, €/month), phase_label and the tooltip columns; ``titles`` keys: x, y, size,
    color. Threshold rules mark the quick-win cut-offs; ``font_scale`` > 1 enlarges type for presentation mode.
    The size legend is left out so the plot keeps its width; say "size = net value" in a caption.
    """
    spec, rules, corners = _matrix_spec(
        language, float(min_value), float(min_feasibility), tuple(phase_labels.items()),
        tuple(quadrant_labels.items()), tuple(titles.items()), tuple(tooltip_columns), float(font_scale),
    )
    selected = [case_id == highlight_id for case_id in points["id"]]
    return with_datasets(spec, {"points": arrow_bytes({**points, "selected": selected}), "rules": rules,
                                "corners": corners})


@lru_cache(maxsize=64)
def _waterfall_spec(
    language: str, y_title: str, order: tuple[str, ...], kind_labels: tuple[tuple[str, str], ...]
) -> dict[str, Any]:
    kinds = dict(kind_labels)
    x = {"field": "step", "type": "nominal", "sort": list(order), "title": None,
         "axis": {"labelAngle": 0, "labelLimit": 220}}
    bars = {
        "mark": {"type": "bar", "size": 70},
        "encoding": {
            "x": x,
            "y": {"field": "start", "type": "quantitative", "title": y_title,
                  "axis": {"labelExpr": number_label_expr(language, ",.0f")}},
            "y2": {"field": "end"},
            "color": {"field": "kind", "type": "nominal", "title": None, "legend": {"orient": "bottom"},
                      "scale": {"domain": [kinds[k] for k in ("increase", "decrease", "total")],
                                "range": [POSITIVE, NEGATIVE, TOTAL]}},
            "tooltip": [_nominal("step", " "), _nominal("text", y_title)],
        },
    }
    text = {
        "mark": {"type": "text", "dy": -12, "fontSize": MARK_FONT_SIZE, "fontWeight": "bold"},
        "encoding": {"x": x, "y": {"field": "top", "type": "quantitative"}, "text": _nominal("text")},
    }
    return _projector_spec([bars, text], 420, "steps")


def waterfall(
    steps: Sequence[tuple[str, float, str]], *, language: str, y_title: str, value_labels: Sequence[str],
    kind_labels: Mapping[str, str],
) -> dict[str, Any]:
    """Bridge spec from gross value to net value.

    ``steps``: (label, amount, kind) with kind "increase", "decrease" or "total"; totals are drawn
    from zero, the others from the running sum. ``value_labels`` are the Babel-formatted amounts.
    """
    columns: dict[str, list[Any]] = {"step": [], "start": [], "end": [], "kind": [], "text": [], "top": []}
    running = 0.0
    for (label, amount, kind), text in zip(steps, value_labels, strict=True):
        if kind == "total":
            start, end = 0.0, amount
            running = amount
        else:
            start = running
            running = running + amount if kind == "increase" else running - amount
            end = running
        for name, value in (("step", label), ("start", start), ("end", end), ("kind", kind_labels[kind]),
                            ("text", text), ("top", max(start, end))):
            columns[name].append(value)
    spec = _waterfall_spec(language, y_title, tuple(columns["step"]), tuple(kind_labels.items()))
    return with_datasets(spec, {"steps": arrow_bytes(columns)})


def bar_chart(
    frame: pd.DataFrame, *, category: str, amount: str, language: str, x_title: str, y_title: str,
    d3_format: str = ",.2f", suffix: str = "", color: str = TOTAL, horizontal: bool = True,
    tooltip: Sequence[tuple[str, str]] = (),
) -> alt.TopLevelMixin:
    """A plain sorted bar chart (e.g. missing rate per column, stay share per use case)."""
    import altair as alt

    axis = alt.Axis(labelExpr=number_label_expr(language, d3_format, suffix))
    value = alt.X(f"{amount}:Q", title=x_title, axis=axis) if horizontal else alt.Y(
        f"{amount}:Q", title=y_title, axis=axis)
    group = alt.Y(f"{category}:N", sort="-x", title=y_title) if horizontal else alt.X(
        f"{category}:N", sort="-y", title=x_title)
    chart = alt.Chart(frame).mark_bar(color=color).encode(
        **({"x": value, "y": group} if horizontal else {"x": group, "y": value}),
        tooltip=[alt.Tooltip(f"{column}:N", title=title) for column, title in tooltip],
    )
    return projector(chart, height=max(240, 34 * len(frame)) if horizontal else 420)
