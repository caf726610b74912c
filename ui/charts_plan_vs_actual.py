"""The S22 plan-vs-actual chart: planned and actual cumulative net value over the measured plan months, the
variance between them shaded (Altair, in the palette and projector fonts of :mod:`ui.charts`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import altair as alt
import pandas as pd

from ui.charts import NEGATIVE, NEUTRAL, OKABE_ITO, TOTAL, number_label_expr, projector

PLAN = TOTAL
ACTUAL = OKABE_ITO["orange"]
HEIGHT = 340


def plan_vs_actual_chart(
    months: Sequence[int], plan: Sequence[float], actual: Sequence[float], *, language: str,
    titles: Mapping[str, str], series: tuple[str, str], month_texts: Sequence[str], plan_texts: Sequence[str],
    actual_texts: Sequence[str], variance_texts: Sequence[str],
) -> alt.TopLevelMixin:
    """Two lines (plan, actual; € cumulative from −C0) per measured month and the band between them.

    ``titles`` keys: x, y, variance; ``series`` the legend labels (plan, actual); the ``*_texts`` are the Babel-
    formatted tooltips. Example: months [1, 2], plan [−126,437, −121,311], actual [−129,328, −136,138].
    """
    wide = pd.DataFrame({"month": list(months), "plan": list(plan), "actual": list(actual),
                         "month_text": list(month_texts), "variance_text": list(variance_texts)})
    long = pd.DataFrame({
        "month": [*months, *months], "amount": [*plan, *actual],
        "series": [series[0]] * len(months) + [series[1]] * len(months),
        "amount_text": [*plan_texts, *actual_texts], "month_text": [*month_texts, *month_texts],
    })
    x = alt.X("month:Q", title=titles["x"], scale=alt.Scale(nice=False),
              axis=alt.Axis(labelExpr=number_label_expr(language, ",.0f"), tickMinStep=1, grid=False))
    y_axis = alt.Axis(labelExpr=number_label_expr(language, ",.0f"))
    band = alt.Chart(wide).mark_area(opacity=0.25, color=NEGATIVE, interpolate="monotone").encode(
        x=x, y=alt.Y("plan:Q", title=titles["y"], axis=y_axis), y2="actual:Q",
        tooltip=[alt.Tooltip("month_text:N", title=titles["x"]),
                 alt.Tooltip("variance_text:N", title=titles["variance"])],
    )
    lines = alt.Chart(long).mark_line(strokeWidth=3, interpolate="monotone", point=alt.OverlayMarkDef(size=40)).encode(
        x=x, y=alt.Y("amount:Q", title=titles["y"], axis=y_axis),
        color=alt.Color("series:N", title=None, scale=alt.Scale(domain=list(series), range=[PLAN, ACTUAL]),
                        legend=alt.Legend(orient="bottom", symbolType="stroke", symbolStrokeWidth=3)),
        strokeDash=alt.StrokeDash("series:N", legend=None,
                                  scale=alt.Scale(domain=list(series), range=[[6, 3], [1, 0]])),
        tooltip=[alt.Tooltip("series:N", title=" "), alt.Tooltip("month_text:N", title=titles["x"]),
                 alt.Tooltip("amount_text:N", title=titles["y"])],
    )
    zero = alt.Chart(pd.DataFrame({"y": [0.0]})).mark_rule(color=NEUTRAL, strokeWidth=1.5).encode(y="y:Q")
    return projector(alt.layer(band, zero, lines), height=HEIGHT)
