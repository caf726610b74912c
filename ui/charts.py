"""Altair charts with one colour-blind-safe palette (Okabe–Ito) and projector-sized fonts.

Charts receive already-translated titles and Babel-formatted tooltip strings; axis numbers follow the
language through Vega label expressions, so German axes read "0,5" and "20.000".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

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
    """Large fonts and no chart border: readable from the back of a room."""
    return (
        chart.properties(height=height)
        .configure_axis(labelFontSize=LABEL_FONT_SIZE, titleFontSize=TITLE_FONT_SIZE, titlePadding=12, labelLimit=260)
        .configure_legend(labelFontSize=LABEL_FONT_SIZE, titleFontSize=TITLE_FONT_SIZE, symbolSize=160, labelLimit=260)
        .configure_title(fontSize=TITLE_FONT_SIZE + 3, anchor="start")
        .configure_view(strokeWidth=0)
    )


def phase_scale(phase_labels: Mapping[str, str]) -> alt.Scale:
    """Colour scale over translated phase labels, fixed colour per phase in S13 order."""
    return alt.Scale(
        domain=[phase_labels[phase] for phase in PHASE_COLORS if phase in phase_labels],
        range=[color for phase, color in PHASE_COLORS.items() if phase in phase_labels],
    )


def value_feasibility_matrix(
    frame: pd.DataFrame,
    *,
    language: str,
    min_value: float,
    min_feasibility: float,
    phase_labels: Mapping[str, str],
    quadrant_labels: Mapping[str, str],
    titles: Mapping[str, str],
    tooltip_columns: Sequence[tuple[str, str]],
    highlight_id: str | None = None,
) -> alt.TopLevelMixin:
    """S3 matrix: x feasibility, y value (0–1), size = monthly net value, colour = phase.

    ``frame`` columns: id, label, value, feasibility, size_value (≥ 0, €/month), phase_label and the
    tooltip columns; ``titles`` keys: x, y, size, color. Threshold rules mark the quick-win cut-offs.
    The size legend is left out so the plot keeps its width; say "size = net value" in a caption.
    """
    data = frame.assign(selected=frame["id"] == highlight_id)
    axis_expr = number_label_expr(language, ".1f")
    base = alt.Chart(data)
    points = base.mark_circle(opacity=0.85, stroke="#1a1a1a", strokeWidth=1).encode(
        x=alt.X("feasibility:Q", title=titles["x"], scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(labelExpr=axis_expr, tickCount=5, grid=True)),
        y=alt.Y("value:Q", title=titles["y"], scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(labelExpr=axis_expr, tickCount=5, grid=True)),
        size=alt.Size("size_value:Q", title=titles["size"], scale=alt.Scale(range=[80, 1800], zero=True),
                      legend=None),
        color=alt.Color("phase_label:N", title=titles["color"], scale=phase_scale(phase_labels),
                        legend=alt.Legend(orient="bottom", direction="horizontal", columns=3)),
        strokeWidth=alt.condition("datum.selected", alt.value(4), alt.value(1)),
        tooltip=[alt.Tooltip(f"{column}:N", title=title) for column, title in tooltip_columns],
    )
    # Only the selected use case carries a name: labels of clustered points would overlap on a projector.
    labels = alt.Chart(data[data["selected"]]).mark_text(
        align="left", dx=16, dy=-14, fontSize=MARK_FONT_SIZE, fontWeight="bold", color="#1a1a1a"
    ).encode(x="feasibility:Q", y="value:Q", text="label:N")
    rules = pd.DataFrame({"feasibility": [min_feasibility], "value": [min_value]})
    vertical = alt.Chart(rules).mark_rule(color=THRESHOLD, strokeDash=[6, 4], strokeWidth=2).encode(x="feasibility:Q")
    horizontal = alt.Chart(rules).mark_rule(color=THRESHOLD, strokeDash=[6, 4], strokeWidth=2).encode(y="value:Q")
    corners = pd.DataFrame(
        [
            {"feasibility": 0.99, "value": 0.99, "text": quadrant_labels["quick_win"], "align": "right"},
            {"feasibility": 0.01, "value": 0.99, "text": quadrant_labels["strategic_bet"], "align": "left"},
            {"feasibility": 0.99, "value": 0.01, "text": quadrant_labels["fill_in"], "align": "right"},
            {"feasibility": 0.01, "value": 0.01, "text": quadrant_labels["deprioritise"], "align": "left"},
        ]
    )
    quadrant_text = []
    for align in ("left", "right"):
        subset = corners[corners["align"] == align]
        quadrant_text.append(
            alt.Chart(subset).mark_text(
                align=align, baseline="middle", fontSize=MARK_FONT_SIZE + 3, fontWeight="bold", color=NEUTRAL,
                dy=0,
            ).encode(x="feasibility:Q", y="value:Q", text="text:N")
        )
    return projector(alt.layer(vertical, horizontal, *quadrant_text, points, labels), height=560)


def waterfall(
    steps: Sequence[tuple[str, float, str]], *, language: str, y_title: str, value_labels: Sequence[str],
    kind_labels: Mapping[str, str],
) -> alt.TopLevelMixin:
    """Bridge from gross value to net value.

    ``steps``: (label, amount, kind) with kind "increase", "decrease" or "total"; totals are drawn
    from zero, the others from the running sum. ``value_labels`` are the Babel-formatted amounts.
    """
    rows = []
    running = 0.0
    for (label, amount, kind), text in zip(steps, value_labels, strict=True):
        if kind == "total":
            start, end = 0.0, amount
            running = amount
        else:
            start = running
            running = running + amount if kind == "increase" else running - amount
            end = running
        rows.append({"step": label, "start": start, "end": end, "kind": kind_labels[kind], "text": text,
                     "top": max(start, end)})
    data = pd.DataFrame(rows)
    order = [row["step"] for row in rows]
    color = alt.Color(
        "kind:N", title=None,
        scale=alt.Scale(domain=[kind_labels[k] for k in ("increase", "decrease", "total")],
                        range=[POSITIVE, NEGATIVE, TOTAL]),
        legend=alt.Legend(orient="bottom"),
    )
    x = alt.X("step:N", sort=order, title=None, axis=alt.Axis(labelAngle=0, labelLimit=220))
    bars = alt.Chart(data).mark_bar(size=70).encode(
        x=x,
        y=alt.Y("start:Q", title=y_title, axis=alt.Axis(labelExpr=number_label_expr(language, ",.0f"))),
        y2="end:Q",
        color=color,
        tooltip=[alt.Tooltip("step:N", title=" "), alt.Tooltip("text:N", title=y_title)],
    )
    text = alt.Chart(data).mark_text(dy=-12, fontSize=MARK_FONT_SIZE, fontWeight="bold").encode(
        x=x, y="top:Q", text="text:N"
    )
    return projector(alt.layer(bars, text), height=420)


def bar_chart(
    frame: pd.DataFrame, *, category: str, amount: str, language: str, x_title: str, y_title: str,
    d3_format: str = ",.2f", suffix: str = "", color: str = TOTAL, horizontal: bool = True,
    tooltip: Sequence[tuple[str, str]] = (),
) -> alt.TopLevelMixin:
    """A plain sorted bar chart (e.g. missing rate per column, stay share per use case)."""
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
