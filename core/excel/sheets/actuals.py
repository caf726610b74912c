"""The Actuals sheet beside each Cash flow sheet (S22): the measurements as inputs and plan vs actual as live formulas.

One row per measurement in date order (locked: they come from the store), then empty unlocked rows for new
measurements, which the reader brings back through the reviewed diff. Per row: the plan month (``EDATE`` clamps
the 31st to a shorter month's last day, as :func:`core.plan_vs_actual.plan_month`), whether the row counts (the
last row of its month within the horizon), each observable input carried forward from earlier rows or else the
plan's (adoption times the Cash flow sheet's ramp, the escalated run cost), the plan and actual value and net of
the month from the Cash flow sheet's rows, the variance in € and %, the cumulative sums from −C0 and the value
share, and the run of reviews below ``behind_plan_min_share``. Every formula stores the core's figure
(:func:`core.plan_vs_actual.plan_vs_actual`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from core.excel.formulas import quoted_sheet, string_literal
from core.excel.names import NEW_MEASUREMENT_KIND, InputCell, new_measurement_path
from core.excel.sheets.cash_flow import FIRST_MONTH_ROW, LAST_MONTH_ROW
from core.excel.texts import NOT_AVAILABLE
from core.excel.writer import SheetWriter
from core.models import MEASURED_ROI_FIELDS, Measurement, Thresholds, UseCase
from core.plan_vs_actual import carried_forward, plan_month, plan_vs_actual

ACTUALS_WIDTHS: tuple[float, ...] = (12, 16, 16, 12, 10, 10, 10, 13, 8, 8, 12, 10, 10, 10, 13, 14, 14, 14, 14,
                                     13, 10, 15, 15, 15, 15, 15, 10, 8, 8)
ACTUALS_REPEAT_ROWS = (0, 0)
SPARE_ROWS = 12
"""Empty rows for new measurements; more come back through the app's import."""
INPUT_COLUMNS: tuple[str, ...] = ("measured_on", "measured_by", "source", *MEASURED_ROI_FIELDS)
HEADERS: tuple[str, ...] = (
    "Measured on", "Measured by", "Source", "Volume (cases/month)", "Adoption", "Minutes saved",
    "Error-rate reduction", "Run cost (€/month)", "Plan month", "Counts", "Volume used", "Adoption used",
    "Minutes used", "Error reduction used",
    "Run cost used (€)", "Plan value (€)", "Actual value (€)", "Plan net (€)", "Actual net (€)", "Variance (€)",
    "Variance (%)", "Cumulative plan net (€)", "Cumulative actual net (€)", "Cumulative variance (€)",
    "Cumulative plan value (€)", "Cumulative actual value (€)", "Value share", "Reviews below", "Behind plan",
)
COL = {name: index for index, name in enumerate((
    "day", "by", "source", "volume", "adoption", "minutes", "error", "run", "month", "counts", "volume_used",
    "adoption_used", "minutes_used", "error_used", "run_used", "plan_value", "actual_value", "plan_net",
    "actual_net", "variance", "variance_pct", "cum_plan", "cum_actual", "cum_variance", "cum_plan_value",
    "cum_actual_value", "share", "below", "behind"))}
FIELD_COLUMN = {"volume_cases_per_month": "volume", "adoption": "adoption", "minutes_saved_per_case": "minutes",
                "error_rate_reduction": "error", "run_cost_eur_per_month": "run"}
PARAMETER_ROWS: tuple[tuple[str, str], ...] = (
    ("start", "Plan month 1 starts on"), ("horizon", "Horizon (months)"), ("investment", "Investment C0 (€)"),
    ("volume", "Assumed volume (cases/month)"), ("adoption", "Assumed adoption"),
    ("minutes", "Assumed minutes saved per case"), ("cost_per_minute", "Cost per minute (€)"),
    ("error_cost", "Error cost per case (€)"), ("error", "Assumed error-rate reduction"),
    ("share", "Behind plan below this share of planned value"), ("reviews", "… at this many reviews in a row"),
)
SUMMARY_ROWS: tuple[tuple[str, str], ...] = (
    ("months", "Measured months"), ("cum_variance", "Cumulative variance (€)"),
    ("cum_variance_pct", "Cumulative variance (%)"), ("share", "Actual value / plan"), ("behind", "Behind plan"),
)
NOTE = ("Measurements in date order; add new ones in the empty yellow rows (blank = not measured). Each month counts "
        "its last row.")
PARAMETER_ROW = 3
PARAMETER_VALUE_COLUMN = 3
SUMMARY_LABEL_COLUMN = 5
SUMMARY_VALUE_COLUMN = 8
NOTE_ROW = PARAMETER_ROW + len(PARAMETER_ROWS) + 1
HEADER_ROW = NOTE_ROW + 1
FIRST_ROW = HEADER_ROW + 1
ROI_NAMES = ("volume_cases_per_month", "adoption", "minutes_saved_per_case", "cost_per_minute_eur",
             "error_cost_per_case_eur", "error_rate_reduction")


@dataclass(frozen=True, slots=True)
class ActualsInputs:
    """What the Actuals sheet reads elsewhere: the Cash flow sheet's name and the Decision sheet's defined names of
    the S15 inputs (by field) and of the investment."""

    cash_flow_sheet: str
    roi_names: dict[str, str]
    investment: str


def _cell(row: int, col: int) -> str:
    return xl_rowcol_to_cell(row, col, row_abs=True, col_abs=True)


def _excel_serial(day: date) -> float:
    return float((day - date(1899, 12, 30)).days)


class ActualsSheet:
    """The S22 Actuals sheet of one use case; :meth:`write` fills it and lists its new-measurement rows as inputs."""

    def __init__(self, writer: SheetWriter, name: str, decision_sheet: str, use_case: UseCase, inputs: ActualsInputs,
                 thresholds: Thresholds) -> None:
        self.w = writer
        self.f = writer.formats
        self.name = name
        self.decision_sheet = decision_sheet
        self.use_case = use_case
        self.refs = inputs
        self.thresholds = thresholds
        self.inputs: list[InputCell] = []
        self.order = sorted(range(len(use_case.measurements)),
                            key=lambda index: (use_case.measurements[index].measured_on, index))
        self.p = {key: _cell(PARAMETER_ROW + offset, PARAMETER_VALUE_COLUMN)
                  for offset, (key, _) in enumerate(PARAMETER_ROWS)}
        self.last_row = FIRST_ROW + len(self.order) + SPARE_ROWS - 1

    def write(self) -> None:
        w, f = self.w, self.f
        w.label(0, 0, "Actuals (S22)", f.title, span=3)
        w.text(0, 3, self.use_case.name, f.title, span=8)
        w.height(0, 26)
        w.sheet.write_url(1, 0, f"internal:{quoted_sheet(self.decision_sheet)}!A1", f.link,
                          string=w.t("Back to the Decision sheet"))
        w.label(PARAMETER_ROW - 1, 0, "Plan (from the Decision and Cash flow sheets)", f.section, span=4)
        w.label(PARAMETER_ROW - 1, SUMMARY_LABEL_COLUMN, "Plan vs actual", f.section, span=4)
        self._parameters()
        stored = self._stored()
        self._rows(stored)
        self._summary(stored)
        w.label(NOTE_ROW, 0, NOTE, f.text, span=12)
        w.header_row(HEADER_ROW, HEADERS, numeric=tuple(range(3, len(HEADERS))))
        w.sheet.freeze_panes(FIRST_ROW, 1)
        w.finish()

    def _parameters(self) -> None:
        f, use_case, roi = self.f, self.use_case, self.use_case.roi
        names = self.refs.roi_names
        cash_flow = quoted_sheet(self.refs.cash_flow_sheet)
        start = use_case.business_case.start_on
        values = {
            "horizon": (f"={cash_flow}!$D$4", use_case.business_case.horizon_months, f.month),
            "investment": (f"={self.refs.investment}", use_case.investment_eur, f.money),
            "volume": (f"={names['volume_cases_per_month']}", roi.volume_cases_per_month, f.number),
            "adoption": (f"={names['adoption']}", roi.adoption, f.percent),
            "minutes": (f"={names['minutes_saved_per_case']}", roi.minutes_saved_per_case, f.number),
            "cost_per_minute": (f"={names['cost_per_minute_eur']}", roi.cost_per_minute_eur, f.money),
            "error_cost": (f"={names['error_cost_per_case_eur']}", roi.error_cost_per_case_eur, f.money),
            "error": (f"={names['error_rate_reduction']}", roi.error_rate_reduction, f.percent),
        }
        for offset, (key, label) in enumerate(PARAMETER_ROWS):
            row = PARAMETER_ROW + offset
            self.w.label(row, 0, label, f.text, span=PARAMETER_VALUE_COLUMN)
            if key == "start":
                if start is None:
                    self.w.text(row, PARAMETER_VALUE_COLUMN, NOT_AVAILABLE, f.plain)
                else:
                    self.w.sheet.write_datetime(row, PARAMETER_VALUE_COLUMN,
                                                datetime(start.year, start.month, start.day), f.day)
            elif key == "share":
                self.w.scalar(row, PARAMETER_VALUE_COLUMN, self.thresholds.behind_plan_min_share, f.percent)
            elif key == "reviews":
                self.w.scalar(row, PARAMETER_VALUE_COLUMN, self.thresholds.behind_plan_reviews, f.month)
            else:
                formula, value, fmt = values[key]
                self.w.formula(row, PARAMETER_VALUE_COLUMN, formula, value, fmt)

    def _stored(self) -> dict[str, list]:
        """The core's figure of every formula cell, row by row (sorted measurements, then the empty rows)."""
        use_case = self.use_case
        measurements = [use_case.measurements[index] for index in self.order]
        count = len(measurements)
        result = plan_vs_actual([use_case], self.thresholds)
        by_month = {int(month): index for index, month in enumerate(result.rows["month"].tolist())}
        start = use_case.business_case.start_on
        months, used = _months_and_used(measurements, start)
        horizon = use_case.business_case.horizon_months
        later_same = [index + 1 < count and months[index + 1] == months[index] for index in range(count)]
        rows = result.rows
        out: dict[str, list] = {key: [] for key in COL}
        running = {"cum_plan": -use_case.investment_eur, "cum_actual": -use_case.investment_eur,
                   "cum_plan_value": 0.0, "cum_actual_value": 0.0, "below": 0}
        for index in range(count + SPARE_ROWS):
            measured = index < count
            month = int(months[index]) if measured else None
            counts = bool(measured and start is not None and 1 <= month <= horizon and not later_same[index])
            out["month"].append(month if measured and start is not None else "")
            out["counts"].append(counts)
            for name, column in FIELD_COLUMN.items():
                value = float(used[name][index]) if measured and not np.isnan(used[name][index]) else ""
                out[f"{column}_used"].append(value)
            if counts:
                self._counted_row(out, rows, by_month[month], running)
            else:
                _uncounted_row(out, running)
            out["cum_variance"].append(running["cum_actual"] - running["cum_plan"])
            out["cum_plan_value"].append(running["cum_plan_value"])
            out["cum_actual_value"].append(running["cum_actual_value"])
            out["below"].append(running["below"])
        return out

    def _counted_row(self, out: dict[str, list], rows: dict[str, np.ndarray], position: int,
                     running: dict[str, float]) -> None:
        """A row that counts for its plan month: the core's figures of that month, and the running sums move on."""
        for key, source in (("plan_value", "plan_value_eur"), ("actual_value", "actual_value_eur"),
                            ("plan_net", "plan_net_eur"), ("actual_net", "actual_net_eur"),
                            ("variance", "variance_eur"), ("variance_pct", "variance_pct"),
                            ("cum_plan", "cumulative_plan_net_eur"),
                            ("cum_actual", "cumulative_actual_net_eur"), ("share", "value_share")):
            out[key].append(float(rows[source][position]))
        running["cum_plan"] = float(rows["cumulative_plan_net_eur"][position])
        running["cum_actual"] = float(rows["cumulative_actual_net_eur"][position])
        running["cum_plan_value"] += float(rows["plan_value_eur"][position])
        running["cum_actual_value"] += float(rows["actual_value_eur"][position])
        below = bool(rows["value_share"][position] < self.thresholds.behind_plan_min_share)
        running["below"] = running["below"] + 1 if below else 0
        out["behind"].append(bool(rows["behind_plan"][position]))

    def _rows(self, stored: dict[str, list]) -> None:
        f = self.f
        c = {key: xl_col_to_name(index) for key, index in COL.items()}
        formats = {"month": f.month, "counts": f.plain, "volume_used": f.number, "adoption_used": f.percent,
                   "minutes_used": f.number, "error_used": f.percent, "run_used": f.money,
                   "variance_pct": f.percent, "share": f.percent, "below": f.month, "behind": f.plain}
        measurements = [self.use_case.measurements[index] for index in self.order]
        for offset in range(len(measurements) + SPARE_ROWS):
            row = FIRST_ROW + offset
            n, first = row + 1, offset == 0
            self._input_cells(row, offset, measurements[offset] if offset < len(measurements) else None)
            formulas = self._month_formulas(c, n, first) | self._value_formulas(c, n) | self._running_formulas(
                c, n, first)
            for key, formula in formulas.items():
                self.w.sheet.write_formula(row, COL[key], formula, formats.get(key, f.cash),
                                           _result(stored[key][offset]))

    def _month_formulas(self, c: dict[str, str], n: int, first: bool) -> dict[str, str]:
        """Sheet row ``n`` (1-based): its plan month, whether it counts (last of its month), the inputs carried."""
        p = self.p
        day = f"{c['day']}{n}"
        formulas: dict[str, str] = {
            "month": f'=IF(OR({day}="",NOT(ISNUMBER({p["start"]}))),"",(YEAR({day})-YEAR({p["start"]}))*12'
                     f'+MONTH({day})-MONTH({p["start"]})-IF(EDATE({p["start"]},(YEAR({day})-YEAR({p["start"]}))*12'
                     f'+MONTH({day})-MONTH({p["start"]}))>{day},1,0)+1)',
            "counts": f'=AND(ISNUMBER({c["month"]}{n}),{c["month"]}{n}>=1,{c["month"]}{n}<={p["horizon"]},'
                      f'OR({c["day"]}{n + 1}="",{c["month"]}{n + 1}<>{c["month"]}{n}))',
        }
        for column in FIELD_COLUMN.values():
            mine = f"{c[column]}{n}"
            carried = '""' if first else f"{c[column + '_used']}{n - 1}"
            formulas[f"{column}_used"] = f'=IF({day}="","",IF(ISNUMBER({mine}),{mine},{carried}))'
        return formulas

    def _value_formulas(self, c: dict[str, str], n: int) -> dict[str, str]:
        """Sheet row ``n``: the month's plan and actual value and net (€) and their variance, when it counts."""
        p = self.p
        cash_flow = quoted_sheet(self.refs.cash_flow_sheet)

        def cf(col: str) -> str:
            return f"{cash_flow}!${col}${FIRST_MONTH_ROW + 1}:${col}${LAST_MONTH_ROW + 1}"

        na = string_literal(NOT_AVAILABLE)
        m = f"{c['month']}{n}"
        counted = f"{c['counts']}{n}"

        def used(column: str, fallback: str) -> str:
            return f'IF(ISNUMBER({c[column + "_used"]}{n}),{c[column + "_used"]}{n},{fallback})'

        ramp = f"INDEX({cf('B')},{m}+1)"
        plan_value = f"INDEX({cf('C')},{m}+1)"
        plan_run = f"INDEX({cf('D')},{m}+1)"
        adoption = used("adoption", f"{p['adoption']}*{ramp}")
        actual_value = (f"{used('volume', p['volume'])}*{adoption}*({used('minutes', p['minutes'])}*"
                        f"{p['cost_per_minute']}+{p['error_cost']}*{used('error', p['error'])})")
        return {
            "plan_value": f'=IF({counted},{plan_value},"")',
            "actual_value": f'=IF({counted},{actual_value},"")',
            "plan_net": f'=IF({counted},{plan_value}-{plan_run},"")',
            "actual_net": f'=IF({counted},{c["actual_value"]}{n}-{used("run", plan_run)},"")',
            "variance": f'=IF({counted},{c["actual_net"]}{n}-{c["plan_net"]}{n},"")',
            "variance_pct": f'=IF({counted},IF({c["plan_net"]}{n}=0,{na},'
                            f'{c["variance"]}{n}/ABS({c["plan_net"]}{n})),"")',
        }

    def _running_formulas(self, c: dict[str, str], n: int, first: bool) -> dict[str, str]:
        """Sheet row ``n``: the running sums from −C0, the value share and the behind-plan count (S22)."""
        p = self.p
        na = string_literal(NOT_AVAILABLE)
        prev = n - 1
        counted = f"{c['counts']}{n}"
        formulas: dict[str, str] = {}
        for key, source in (("cum_plan", "plan_net"), ("cum_actual", "actual_net"),
                            ("cum_plan_value", "plan_value"), ("cum_actual_value", "actual_value")):
            start = (f"-{p['investment']}" if key in ("cum_plan", "cum_actual") else "0") if first else \
                f"{c[key]}{prev}"
            formulas[key] = f"={start}+IF({counted},{c[source]}{n},0)"
        formulas["cum_variance"] = f"={c['cum_actual']}{n}-{c['cum_plan']}{n}"
        formulas["share"] = (f"=IF({c['cum_plan_value']}{n}=0,{na},"
                             f"{c['cum_actual_value']}{n}/{c['cum_plan_value']}{n})")
        previous_below = "0" if first else f"{c['below']}{prev}"
        formulas["below"] = (f"=IF({counted},IF(AND(ISNUMBER({c['share']}{n}),{c['share']}{n}<{p['share']}),"
                             f"{previous_below}+1,0),{previous_below})")
        formulas["behind"] = f'=IF({counted},{c["below"]}{n}>={p["reviews"]},"")'
        return formulas

    def _input_cells(self, row: int, offset: int, measurement: Measurement | None) -> None:
        f, sheet = self.f, self.w.sheet
        if measurement is not None:
            day = measurement.measured_on
            sheet.write_datetime(row, COL["day"], datetime(day.year, day.month, day.day), f.day)
            self.w.text(row, COL["by"], measurement.measured_by or None, f.plain)
            self.w.text(row, COL["source"], measurement.source or None, f.plain)
            for name, column in FIELD_COLUMN.items():
                value = getattr(measurement, name)
                if value is None:
                    sheet.write_blank(row, COL[column], None, f.plain)
                else:
                    sheet.write_number(row, COL[column], float(value), f.percent if name in ("adoption",
                                       "error_rate_reduction") else f.number)
            return
        spare = offset - len(self.order)
        formats = {"measured_on": f.input_day, "measured_by": f.input_text, "source": f.input_text,
                   "adoption": f.input_fraction, "error_rate_reduction": f.input_fraction}
        for field_name in INPUT_COLUMNS:
            col = COL[{"measured_on": "day", "measured_by": "by", "source": "source"}.get(
                field_name, FIELD_COLUMN.get(field_name, ""))]
            sheet.write_blank(row, col, None, formats.get(field_name, f.input_number))
            if field_name == "measured_on":
                sheet.data_validation(row, col, row, col, {
                    "validate": "date", "criteria": "between", "minimum": date(1990, 1, 1),
                    "maximum": date(2199, 12, 31), "ignore_blank": True,
                    "error_title": self.w.t("Date"), "error_message": self.w.t("Enter a date, e.g. 2026-03-31.")})
            elif field_name in ("adoption", "error_rate_reduction"):
                sheet.data_validation(row, col, row, col, {
                    "validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 1, "ignore_blank": True,
                    "error_title": self.w.t("Fraction 0–1"),
                    "error_message": self.w.t("Enter a fraction between 0 and 1 (62 % = 0.62).")})
            elif field_name not in ("measured_by", "source"):
                sheet.data_validation(row, col, row, col, {
                    "validate": "decimal", "criteria": ">=", "value": 0, "ignore_blank": True,
                    "error_title": self.w.t("Not negative"),
                    "error_message": self.w.t("Enter a number of at least 0.")})
            self.inputs.append(InputCell(self.use_case.id, new_measurement_path(spare, field_name), self.name,
                                         xl_rowcol_to_cell(row, col), None, NEW_MEASUREMENT_KIND))

    def _summary(self, stored: dict[str, list]) -> None:
        f = self.f
        c = {key: xl_col_to_name(index) for key, index in COL.items()}
        first, last = FIRST_ROW + 1, self.last_row + 1
        result = plan_vs_actual([self.use_case], self.thresholds)
        behind = bool(result.behind_plan[0])
        months = int(result.months_measured[0])
        formulas = {
            "months": (f"=COUNTIF({c['counts']}{first}:{c['counts']}{last},TRUE)", months, f.month),
            "cum_variance": (f"={c['cum_variance']}{last}", stored["cum_variance"][-1], f.cash_bold),
            "cum_variance_pct": (f"=IF({c['cum_plan']}{last}+{self.p['investment']}=0,{string_literal(NOT_AVAILABLE)},"
                                 f"{c['cum_variance']}{last}/ABS({c['cum_plan']}{last}+{self.p['investment']}))",
                                 _pct(stored, self.use_case.investment_eur), f.percent),
            "share": (f"={c['share']}{last}", stored["share"][-1], f.percent),
            "behind": (f"=AND({c['below']}{last}>={self.p['reviews']},COUNTIF({c['counts']}{first}:"
                       f"{c['counts']}{last},TRUE)>0)", behind, f.decision),
        }
        for offset, (key, label) in enumerate(SUMMARY_ROWS):
            row = PARAMETER_ROW + offset
            self.w.label(row, SUMMARY_LABEL_COLUMN, label, f.text, span=SUMMARY_VALUE_COLUMN - SUMMARY_LABEL_COLUMN)
            formula, value, fmt = formulas[key]
            self.w.sheet.write_formula(row, SUMMARY_VALUE_COLUMN, formula, fmt, _result(value))


def _pct(stored: dict[str, list], investment: float) -> float | str:
    plan = stored["cum_plan"][-1] + investment
    return NOT_AVAILABLE if plan == 0 else stored["cum_variance"][-1] / abs(plan)


def _result(value: object) -> object:
    """A formula's stored result as XlsxWriter takes it: booleans and text as they are, numbers as floats."""
    if isinstance(value, bool | str):
        return value
    if value is None:
        return ""
    number = float(value)
    return number if np.isfinite(number) else NOT_AVAILABLE


def measurement_row_fields() -> Sequence[str]:
    """The fields of a new measurement row, in column order."""
    return INPUT_COLUMNS


def _months_and_used(measurements: list[Measurement], start: date | None) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Each sorted measurement's plan month (0 without a start) and its ROI inputs carried forward (NaN: none yet)."""
    count = len(measurements)
    days = np.array([item.measured_on for item in measurements], dtype="datetime64[D]")
    months = plan_month(np.datetime64(start, "D"), days) if start is not None and count else np.zeros(count, int)
    case = np.zeros(count, dtype=np.int64)
    used = {name: carried_forward(case, np.array([np.nan if getattr(item, name) is None else getattr(item, name)
                                                  for item in measurements], dtype=float))
            for name in MEASURED_ROI_FIELDS}
    return months, used


def _uncounted_row(out: dict[str, list], running: dict[str, float]) -> None:
    """A row that does not count (empty, outside the plan, or not its month's last): blank figures, sums held."""
    for key in ("plan_value", "actual_value", "plan_net", "actual_net", "variance", "variance_pct", "behind"):
        out[key].append("")
    plan_value = running["cum_plan_value"]
    out["cum_plan"].append(running["cum_plan"])
    out["cum_actual"].append(running["cum_actual"])
    out["share"].append(running["cum_actual_value"] / plan_value if plan_value else NOT_AVAILABLE)
