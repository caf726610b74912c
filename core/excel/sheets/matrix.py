"""Matrix: the S3 value × feasibility scatter chart over a table of its points, grouped by quadrant.

Colours and marker shapes are Okabe–Ito (colour-blind safe, one shape per quadrant); up to
:data:`MATRIX_LABEL_LIMIT` use cases get a point label, and points too close to read apart share one.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from xlsxwriter.chart import Chart

from core.excel.figures import Figures
from core.excel.names import MATRIX_SHEET
from core.excel.sheets.base import PackContext, SheetSpec
from core.excel.texts import QUADRANT_LABELS, Texts, quick_win_rule
from core.excel.writer import SheetWriter
from core.models import Thresholds

MATRIX_WIDTHS: tuple[float, ...] = (16, 24, 44, 14, 14, 14)
MATRIX_CHART_HEIGHT = 560
CHART_ROW_PIXELS = 20
MATRIX_LABEL_LIMIT = 30
# Axis share a label takes (about 25 characters wide, one line high) on the 0–1 axes of the matrix chart.
LABEL_CLEARANCE_X = 0.04
LABEL_CLEARANCE_Y = 0.03
OKABE_ITO: dict[str, tuple[str, str]] = {
    "quick_win": ("#009E73", "diamond"),
    "strategic_bet": ("#0072B2", "circle"),
    "fill_in": ("#E69F00", "square"),
    "deprioritise": ("#CC79A7", "triangle"),
}
THRESHOLD_LINE_COLOUR = "#555555"


def write(writer: SheetWriter, pack: PackContext) -> None:
    f, t = writer.formats, writer.t
    writer.label(0, 0, "S3 value × feasibility matrix", f.title, span=6)
    writer.height(0, 28)
    thresholds = pack.workspace.thresholds
    rule = quick_win_rule(t, thresholds.quick_win_min_value, thresholds.quick_win_min_feasibility)
    writer.text(1, 0, f"{t('Quick-win thresholds')}: {rule}", f.text, span=6)
    table_row = 2 + math.ceil(MATRIX_CHART_HEIGHT / CHART_ROW_PIXELS) + 1
    writer.header_row(table_row, ("Quadrant", "Use case ID", "Name", "Feasibility", "Value", "Score"),
                      numeric=(3, 4, 5))
    chart = pack.workbook.add_chart({"type": "scatter"})
    row = _quadrant_points(writer, chart, table_row + 1, pack.ranked, pack.figures)
    _threshold_lines(writer, chart, row + 1, thresholds)
    _style_chart(chart, t)
    writer.sheet.insert_chart(2, 0, chart, {"x_offset": 2, "y_offset": 6, "object_position": 3})
    writer.finish()


def _matrix_labels(points: Sequence[tuple[str, float, float]]) -> list[str | None]:
    """Chart label per (name, feasibility, value) point; a point close to an earlier one joins its label.

    Example: ``[("a", 0.72, 0.54), ("b", 0.73, 0.545)]`` → ``["a, b", None]`` (None: no label of its own).
    """
    labels: list[str | None] = []
    anchors: list[int] = []
    for index, (name, feasibility, value) in enumerate(points):
        for anchor in anchors:
            _, anchor_feasibility, anchor_value = points[anchor]
            if abs(anchor_feasibility - feasibility) < LABEL_CLEARANCE_X and abs(anchor_value - value) < \
                    LABEL_CLEARANCE_Y:
                labels[anchor] = f"{labels[anchor]}, {name}"
                labels.append(None)
                break
        else:
            anchors.append(index)
            labels.append(name)
    return labels


def _column_pixels(width: float) -> int:
    """Pixels of a column ``width`` characters wide, as Excel lays it out at the default font."""
    return int(width * 7 + 5)


def _quadrant_points(writer: SheetWriter, chart: Chart, row: int, ranked: Sequence[str],
                     figures: Mapping[str, Figures]) -> int:
    """The table rows from ``row`` on and one chart series per non-empty quadrant; returns the next free row."""
    f, t = writer.formats, writer.t
    ordered = [use_case_id for quadrant in QUADRANT_LABELS for use_case_id in ranked
               if figures[use_case_id].quadrant == quadrant]
    point_labels = dict(zip(ordered, _matrix_labels(
        [(use_case_id, figures[use_case_id].feasibility, figures[use_case_id].value) for use_case_id in ordered]),
        strict=True)) if len(ranked) <= MATRIX_LABEL_LIMIT else None
    for quadrant, label in QUADRANT_LABELS.items():
        members = [use_case_id for use_case_id in ranked if figures[use_case_id].quadrant == quadrant]
        if not members:
            continue
        first = row
        for use_case_id in members:
            figure = figures[use_case_id]
            writer.text(row, 0, t(label))
            writer.text(row, 1, use_case_id)
            writer.text(row, 2, figure.use_case.name)
            writer.scalar(row, 3, figure.feasibility, f.score)
            writer.scalar(row, 4, figure.value, f.score)
            writer.scalar(row, 5, figure.score, f.score)
            row += 1
        labels = None if point_labels is None else [point_labels[use_case_id] for use_case_id in members]
        chart.add_series(_quadrant_series(t(label), quadrant, first, row - 1, labels))
    return row


def _quadrant_series(name: str, quadrant: str, first: int, last: int,
                     labels: list[str | None] | None) -> dict[str, Any]:
    """Scatter series over table rows ``first``–``last``; ``labels`` per point, None for a chart without labels."""
    colour, shape = OKABE_ITO[quadrant]
    series: dict[str, Any] = {
        "name": name,
        "categories": [MATRIX_SHEET, first, 3, last, 3],
        "values": [MATRIX_SHEET, first, 4, last, 4],
        "marker": {"type": shape, "size": 8, "fill": {"color": colour}, "border": {"color": "#FFFFFF"}},
    }
    if labels is not None:
        series["data_labels"] = {
            "value": True,
            "custom": [{"delete": True} if label is None else {"value": label} for label in labels],
            "position": "right", "font": {"size": 8, "color": "#333333"},
        }
    return series


def _threshold_lines(writer: SheetWriter, chart: Chart, row: int, thresholds: Thresholds) -> None:
    """The two quick-win thresholds as dashed chart lines, over a small table of their end points."""
    f, t = writer.formats, writer.t
    writer.label(row, 0, "Threshold lines (chart)", f.subtitle, span=3)
    row += 1
    writer.header_row(row, ("Line", "", "", "Feasibility", "Value"), numeric=(3, 4))
    row += 1
    lines = (("Quick-win threshold: value", ((0.0, thresholds.quick_win_min_value),
                                             (1.0, thresholds.quick_win_min_value))),
             ("Quick-win threshold: feasibility", ((thresholds.quick_win_min_feasibility, 0.0),
                                                   (thresholds.quick_win_min_feasibility, 1.0))))
    for label, points in lines:
        first = row
        for feasibility, value in points:
            writer.label(row, 0, label, f.text, span=3)
            writer.scalar(row, 3, feasibility, f.score)
            writer.scalar(row, 4, value, f.score)
            row += 1
        chart.add_series({
            "name": t(label),
            "categories": [MATRIX_SHEET, first, 3, row - 1, 3],
            "values": [MATRIX_SHEET, first, 4, row - 1, 4],
            "line": {"color": THRESHOLD_LINE_COLOUR, "width": 1.25, "dash_type": "dash"},
            "marker": {"type": "none"},
        })


def _style_chart(chart: Chart, t: Texts) -> None:
    axis = {"min": 0, "max": 1, "major_unit": 0.1, "num_format": "0.0",
            "major_gridlines": {"visible": True, "line": {"color": "#E0E0E0"}},
            "name_font": {"size": 10, "bold": True}, "num_font": {"size": 9}}
    chart.set_title({"name": t("Value × feasibility (S3)"), "name_font": {"size": 13}})
    chart.set_x_axis({**axis, "name": t("Feasibility (0–1)")})
    chart.set_y_axis({**axis, "name": t("Value (0–1)")})
    chart.set_legend({"position": "bottom", "font": {"size": 9}})
    chart.set_plotarea({"border": {"color": "#BFBFBF"}})
    chart.set_size({"width": sum(_column_pixels(width) for width in MATRIX_WIDTHS), "height": MATRIX_CHART_HEIGHT})


SHEET = SheetSpec(MATRIX_SHEET, MATRIX_WIDTHS, write)
