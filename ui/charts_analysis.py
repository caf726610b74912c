"""Altair charts of the Sensitivity and Data readiness pages, in the palette and theme of :mod:`ui.charts`.

Every function takes translated titles and Babel-formatted tooltip texts; ROI ratios are drawn in
percent (2.85 → 285 %) so that the axes read like the figures on the page. Pages draw them through
:func:`chart_spec`, which caches the finished Vega-Lite spec: building and validating an Altair chart
costs 30–60 ms, far more than the rest of a page rerun.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import altair as alt
import numpy as np
import pandas as pd
import pyarrow as pa
import streamlit as st

from ui import formatting
from ui.charts import MARK_FONT_SIZE, NEGATIVE, NEUTRAL, OKABE_ITO, POSITIVE, THRESHOLD, number_label_expr, projector

LOW_END = OKABE_ITO["vermillion"]
HIGH_END = OKABE_ITO["blue"]
PERCENTILE_COLOR = OKABE_ITO["black"]
HISTOGRAM_BINS = 40
PERCENT = 100.0


def percent_suffix(language: str) -> str:
    return " %" if language == "de" else "%"


def tornado_chart(
    frame: pd.DataFrame, *, base: float, language: str, x_title: str, end_labels: Mapping[str, str],
    base_label: str, scale: float = PERCENT, suffix: str | None = None,
) -> alt.TopLevelMixin:
    """S16 tornado: per input a bar from the base figure to the figure at the low and at the high end of its range.

    ``frame`` columns: label (translated input), result_low, result_high (the target's figures: ROI ratios, S19
    NPV in € or payback months), low_text, high_text (formatted input values), result_low_text, result_high_text,
    in the core's order (largest swing first). Figures are multiplied by ``scale`` (ROI ratios → percent) and the
    axis labels carry ``suffix`` (default: the language's percent sign). ``end_labels`` keys: low, high, input.
    """
    order = list(frame["label"])
    rows = []
    for record in frame.to_dict(orient="records"):
        for end in ("low", "high"):
            rows.append({
                "label": record["label"], "end": end_labels[end], "start": base * scale,
                "stop": record[f"result_{end}"] * scale, "input_text": record[f"{end}_text"],
                "result_text": record[f"result_{end}_text"],
            })
    data = pd.DataFrame(rows)
    axis_suffix = percent_suffix(language) if suffix is None else suffix
    axis = alt.Axis(labelExpr=number_label_expr(language, ",.0f", axis_suffix), grid=True)
    y = alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=320))
    bars = alt.Chart(data).mark_bar(size=26).encode(
        x=alt.X("start:Q", title=x_title, axis=axis),
        x2="stop:Q",
        y=y,
        color=alt.Color("end:N", title=None, scale=alt.Scale(domain=[end_labels["low"], end_labels["high"]],
                                                             range=[LOW_END, HIGH_END]),
                        legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("label:N", title=" "), alt.Tooltip("end:N", title=" "),
                 alt.Tooltip("input_text:N", title=end_labels["input"]),
                 alt.Tooltip("result_text:N", title=x_title)],
    )
    base_mark = alt.Chart(pd.DataFrame({"x": [base * scale], "text": [base_label]}))
    rule = base_mark.mark_rule(color=THRESHOLD, strokeWidth=2, strokeDash=[6, 4]).encode(x="x:Q")
    return projector(alt.layer(bars, rule), height=max(260, 52 * len(order)))


def histogram_frame(samples: np.ndarray, bins: int | Sequence[float] = HISTOGRAM_BINS,
                    scale: float = PERCENT) -> pd.DataFrame:
    """Pre-binned samples times ``scale`` (ROI ratios in percent by default) as start, stop, count, share, so the
    chart carries 40 rows (or one per given bin), not n; non-finite samples (a payback not reached) are left out.
    ``bins``: a count, or the bin edges (e.g. one bin per whole month)."""
    finite = samples[np.isfinite(samples)] * scale
    if finite.size == 0:
        return pd.DataFrame(columns=["start", "stop", "count", "share"])
    counts, edges = np.histogram(finite, bins=bins)
    return pd.DataFrame({"start": edges[:-1], "stop": edges[1:], "count": counts, "share": counts / finite.size})


def monte_carlo_histogram(
    samples: np.ndarray, *, percentiles: Sequence[tuple[str, float, str]], language: str, x_title: str,
    y_title: str, sign_labels: Mapping[str, str] | None, scale: float = PERCENT, suffix: str | None = None,
    bins: int | Sequence[float] = HISTOGRAM_BINS,
) -> alt.TopLevelMixin:
    """Histogram of simulated figures (ROI by default, in percent; S19 NPV in € or payback months with ``scale``
    1 and ``suffix`` "") with vertical rules at the ``percentiles``.

    ``percentiles``: (name, figure, formatted text); ``sign_labels`` keys: negative, positive (bar colours for a
    figure ≤ 0 and > 0), or None for one colour and no legend; ``bins`` as in :func:`histogram_frame`.
    """
    data = histogram_frame(samples, bins, scale)
    data["count_text"] = [formatting.number(count, language) for count in data["count"]]
    axis_suffix = percent_suffix(language) if suffix is None else suffix
    x_axis = alt.Axis(labelExpr=number_label_expr(language, ",.0f", axis_suffix))
    if sign_labels is None:
        color = alt.value(POSITIVE)
    else:
        data["sign"] = np.where((data["start"] + data["stop"]) / 2 > 0, sign_labels["positive"],
                                sign_labels["negative"])
        color = alt.Color("sign:N", title=None, scale=alt.Scale(domain=[sign_labels["negative"],
                                                                        sign_labels["positive"]],
                                                                range=[NEGATIVE, POSITIVE]),
                          legend=alt.Legend(orient="bottom"))
    bars = alt.Chart(data).mark_bar(opacity=0.85, stroke="white", strokeWidth=0.5).encode(
        x=alt.X("start:Q", title=x_title, axis=x_axis, bin="binned"),
        x2="stop:Q",
        y=alt.Y("count:Q", title=y_title, axis=alt.Axis(labelExpr=number_label_expr(language, ",.0f"))),
        color=color,
        tooltip=[alt.Tooltip("count_text:N", title=y_title)],
    )
    marks = pd.DataFrame([{"x": value * scale, "text": f"{name} {text}"} for name, value, text in percentiles])
    rules = alt.Chart(marks).mark_rule(color=PERCENTILE_COLOR, strokeWidth=2.5, strokeDash=[8, 4]).encode(
        x="x:Q", tooltip=[alt.Tooltip("text:N", title=" ")])
    marks["row"] = [-8 if index % 2 else -28 for index in range(len(marks))]
    labels = alt.Chart(marks).mark_text(
        align="center", baseline="bottom", fontSize=MARK_FONT_SIZE, fontWeight="bold", color=PERCENTILE_COLOR,
    ).encode(x="x:Q", y=alt.Y("row:Q", scale=None), text="text:N")
    return projector(alt.layer(bars, rules, labels), height=400)


def scenario_bars(
    frame: pd.DataFrame, *, language: str, y_title: str, survive_labels: Mapping[str, str],
) -> alt.TopLevelMixin:
    """Net value per month per scenario, coloured by whether it survives (net value > 0).

    ``frame`` columns: label, net_value (€/month), survives (bool), net_text (formatted).
    """
    data = frame.assign(status=[survive_labels["yes" if ok else "no"] for ok in frame["survives"]])
    data["top"] = data["net_value"].clip(lower=0)
    x = alt.X("label:N", sort=list(frame["label"]), title=None, axis=alt.Axis(labelAngle=0))
    bars = alt.Chart(data).mark_bar(size=80).encode(
        x=x,
        y=alt.Y("net_value:Q", title=y_title, axis=alt.Axis(labelExpr=number_label_expr(language, ",.0f"))),
        color=alt.Color("status:N", title=None,
                        scale=alt.Scale(domain=[survive_labels["yes"], survive_labels["no"]],
                                        range=[POSITIVE, NEGATIVE]),
                        legend=alt.Legend(orient="bottom", columns=1)),
        tooltip=[alt.Tooltip("label:N", title=" "), alt.Tooltip("net_text:N", title=y_title)],
    )
    text = alt.Chart(data).mark_text(dy=-12, fontSize=MARK_FONT_SIZE, fontWeight="bold").encode(
        x=x, y="top:Q", text="net_text:N")
    zero = alt.Chart(pd.DataFrame({"y": [0.0]})).mark_rule(color=NEUTRAL, strokeWidth=1.5).encode(y="y:Q")
    return projector(alt.layer(bars, zero, text), height=360)


def missing_rate_chart(
    frame: pd.DataFrame, *, language: str, x_title: str, y_title: str, tooltip_titles: Mapping[str, str],
) -> alt.TopLevelMixin:
    """S7 missing rate per column (horizontal bars, highest first, in percent).

    ``frame`` columns: column (name), missing_rate (fraction), missing_text, unique_text.
    """
    data = frame.assign(missing_percent=frame["missing_rate"] * PERCENT)
    order = list(data.sort_values("missing_percent", ascending=False, kind="stable")["column"])
    bars = alt.Chart(data).mark_bar(color=OKABE_ITO["orange"]).encode(
        x=alt.X("missing_percent:Q", title=x_title, scale=alt.Scale(domainMin=0),
                axis=alt.Axis(labelExpr=number_label_expr(language, ",.0f", percent_suffix(language)))),
        y=alt.Y("column:N", sort=order, title=y_title, axis=alt.Axis(labelLimit=260)),
        tooltip=[alt.Tooltip("column:N", title=tooltip_titles["column"]),
                 alt.Tooltip("missing_text:N", title=tooltip_titles["missing"]),
                 alt.Tooltip("unique_text:N", title=tooltip_titles["unique"])],
    )
    return projector(bars, height=max(240, 30 * len(data)))


def _builders() -> dict[str, Callable[..., alt.TopLevelMixin]]:
    return {
        "tornado": tornado_chart,
        "monte_carlo": monte_carlo_histogram,
        "scenarios": scenario_bars,
        "missing_rate": missing_rate_chart,
    }


def _arrow_bytes(records: list[dict[str, Any]]) -> bytes:
    table = pa.Table.from_pandas(pd.DataFrame(records), preserve_index=False)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


@st.cache_data(max_entries=256, show_spinner=False)
def chart_spec(kind: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """The Vega-Lite spec of chart ``kind`` (tornado, monte_carlo, scenarios, missing_rate), cached on its
    arguments; draw it with ``st.vega_lite_chart(spec=..., width="stretch")``.

    Named datasets are stored as Arrow IPC bytes, the form Streamlit sends to the browser, so a rerun
    does not convert them again.
    """
    spec = _builders()[kind](*args, **kwargs).to_dict()
    spec["datasets"] = {name: _arrow_bytes(records) for name, records in spec.get("datasets", {}).items()}
    return spec
