"""Every cell format of a pack, created once per workbook (XlsxWriter's own examples keep them in one object).

Sheets take formats from :class:`Formats` and never call ``workbook.add_format`` themselves, so a
workbook holds each style once. Input formats are unlocked; everything else is locked by sheet protection.
"""

from __future__ import annotations

from xlsxwriter.workbook import Format, Workbook

from core.excel.names import FRACTION_KIND, MONTHS_KIND, RAMP_SHAPE_KIND, field_kind

DATE_TIME_FORMAT = "d mmm yyyy hh:mm"
"""The month as a word in the reader's own Excel language (2 Dec 2026 14:05), never 02/12/2026."""


class Formats:
    """All cell formats of one workbook, created once."""

    # One piece on purpose: a flat table of the workbook's formats, one line each, read and changed as a table.
    def __init__(self, workbook: Workbook) -> None:
        add = workbook.add_format
        top = {"valign": "top"}
        self.title: Format = add({"bold": True, "font_size": 16, "font_color": "#1F3864", "valign": "vcenter"})
        self.subtitle: Format = add({"bold": True, "font_size": 13, "font_color": "#1F3864", "valign": "vcenter"})
        self.section: Format = add({"bold": True, "font_size": 12, "font_color": "#1F3864", "bottom": 2,
                                    "bottom_color": "#1F3864", "valign": "bottom"})
        self.header: Format = add({"bold": True, "bg_color": "#D9E1F2", "border": 1, "border_color": "#8EA9DB",
                                   "text_wrap": True, "valign": "vcenter"})
        self.header_number: Format = add({"bold": True, "bg_color": "#D9E1F2", "border": 1,
                                          "border_color": "#8EA9DB", "text_wrap": True, "valign": "vcenter",
                                          "align": "right"})
        self.label: Format = add({"bold": True, "text_wrap": True, **top})
        self.text: Format = add({"text_wrap": True, **top})
        self.plain: Format = add(top)
        self.link: Format = add({"font_color": "#0563C1", "underline": 1, **top})
        right = {"align": "right", **top}
        self.percent: Format = add({"num_format": "0.0%_)", **right})
        self.score: Format = add({"num_format": "0.0000_)", **right})
        self.money: Format = add({"num_format": '#,##0.00 "€"_)', **right})
        self.money_bold: Format = add({"num_format": '#,##0.00 "€"_)', "bold": True, **right})
        self.number: Format = add({"num_format": "#,##0.00_)", **right})
        self.measure: Format = add({"num_format": "#,##0.00##_)", **right})
        self.integer: Format = add({"num_format": "0", "align": "left", **top})
        self.readiness: Format = add({"num_format": '0.0" %"_)', **right})
        self.date: Format = add({"num_format": DATE_TIME_FORMAT, "align": "left", **top})
        self.decision: Format = add({"bold": True, "font_color": "#1F3864", "text_wrap": True, **top})
        self.meta_label: Format = add({"bold": True, "font_color": "#404040", **top})
        self.meta_value: Format = add({"align": "left", "text_wrap": True, **top})
        self.meta_money: Format = add({"num_format": '#,##0.00 "€"', "align": "left", **top})
        self.meta_integer: Format = add({"num_format": "0", "align": "left", **top})
        # S19 cash flows: negative euros in red, months right-aligned over the table's numbers.
        self.cash: Format = add({"num_format": '#,##0.00 "€"_);[Red]-#,##0.00 "€"_)', **right})
        self.cash_bold: Format = add({"num_format": '#,##0.00 "€"_);[Red]-#,##0.00 "€"_)', "bold": True, **right})
        self.month: Format = add({"num_format": "0_)", **right})
        self.payback_row: Format = add({"bg_color": "#E2EFDA", "bold": True})
        self.after_horizon: Format = add({"font_color": "#A6A6A6"})
        input_style = {"locked": False, "bg_color": "#FFF2CC", "border": 1, "border_color": "#BF9000", **top}
        self.input_fraction: Format = add({**input_style, "num_format": "0.0%"})
        self.input_number: Format = add({**input_style, "num_format": "#,##0.00"})
        self.input_money: Format = add({**input_style, "num_format": '#,##0.00 "€"'})
        self.input_months: Format = add({**input_style, "num_format": "0"})
        self.input_text: Format = add({**input_style, "num_format": "@"})
        self.input_flag: Format = add({**input_style, "num_format": "0", "align": "center"})
        # S22 measurement days: calendar dates without a time.
        self.day: Format = add({"num_format": "d mmm yyyy", "align": "left", **top})
        self.input_day: Format = add({**input_style, "num_format": "d mmm yyyy", "align": "left"})
        self.bold_formats = {id(self.label), id(self.header), id(self.header_number), id(self.decision),
                             id(self.meta_label), id(self.section)}

    def for_input(self, field: str) -> Format:
        """Unlocked input format of a field: a percentage for fractions, whole months, text for the ramp shape,
        euros for ``*eur*`` fields, else a number."""
        kind = field_kind(field)
        if kind == FRACTION_KIND:
            return self.input_fraction
        if kind == MONTHS_KIND:
            return self.input_months
        if kind == RAMP_SHAPE_KIND:
            return self.input_text
        return self.input_money if "eur" in field else self.input_number

    def for_value(self, field: str) -> Format:
        """Locked format that shows a field's value the way :meth:`for_input` shows the input."""
        kind = field_kind(field)
        if kind == FRACTION_KIND:
            return self.percent
        if kind == MONTHS_KIND:
            return self.month
        if kind == RAMP_SHAPE_KIND:
            return self.plain
        return self.money if "eur" in field else self.number
