"""The Cash flow sheet beside each Decision sheet (S19): one row per month 0–120 of live formulas, and the results.

Its inputs are the Decision sheet's named cells (horizon, ramp, shape, escalation, the discount rate used, the
investment C0, the steady S15 value and run cost), echoed in a block at the top so every row refers to one cell
of this sheet. After the horizon every month's flows are 0 and the cumulative columns stay at their last value
(greyed), as in the core's portfolio arrays: sums and IRR are unchanged by them and the payback search stops at
the horizon, so the horizon can be changed in the pack without rows to add. NPV is the sum of the discounted
flows, IRR is Excel's ``IRR`` (started from the core's root), payback is a ``MATCH`` over the cumulative column;
an undefined figure shows "n/a". Every formula stores the core's figure (:func:`core.business_case.business_case`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from xlsxwriter.utility import xl_rowcol_to_cell

from core.business_case import BusinessCaseResult, BusinessCaseTerms, monthly_discount_rate, ramp_factors
from core.excel.formulas import absolute_ref, number_literal, quoted_sheet, string_literal
from core.excel.texts import NOT_AVAILABLE
from core.excel.writer import SheetWriter
from core.models import MAX_HORIZON_MONTHS

CASH_FLOW_WIDTHS: tuple[float, ...] = (9, 13, 17, 17, 17, 17, 17, 19)
CASH_FLOW_REPEAT_ROWS = (0, 0)
TABLE_COLUMNS: tuple[str, ...] = ("Month", "Ramp", "Value (€)", "Run cost (€)", "Net cash flow (€)",
                                  "Cumulative (€)", "Discounted (€)", "Cumulative discounted (€)")
INPUT_ROWS: tuple[tuple[str, str], ...] = (
    ("horizon", "Horizon (months)"), ("ramp", "Adoption ramp (months)"), ("shape", "Ramp shape"),
    ("escalation", "Run-cost escalation per year"), ("rate", "Discount rate used per year"),
    ("monthly_rate", "Monthly discount rate"), ("investment", "Investment C0 (€, paid in month 0)"),
    ("steady_value", "Steady value (€/month)"), ("run_cost", "Run cost (€/month)"),
)
RESULT_ROWS: tuple[tuple[str, str], ...] = (
    ("npv", "NPV (€)"), ("irr_monthly", "IRR per month"), ("irr_annual", "IRR per year"),
    ("payback_month", "Payback (month)"), ("discounted_payback_month", "Discounted payback (month)"),
    ("horizon_roi", "Horizon ROI"),
)
RESULT_KEYS: tuple[str, ...] = tuple(key for key, _ in RESULT_ROWS)
BLOCK_ROW = 2
FIRST_BLOCK_ROW = BLOCK_ROW + 1
INPUT_VALUE_COLUMN = 3
RESULT_LABEL_COLUMN = 4
RESULT_VALUE_COLUMN = 7
NOTE_ROW = FIRST_BLOCK_ROW + len(INPUT_ROWS) + 1
HEADER_ROW = NOTE_ROW + 1
FIRST_MONTH_ROW = HEADER_ROW + 1
LAST_MONTH_ROW = FIRST_MONTH_ROW + MAX_HORIZON_MONTHS
MONTHS = np.arange(MAX_HORIZON_MONTHS + 1)
# The IRR search in Excel and LibreOffice starts from a guess; without a core root, Excel's default.
DEFAULT_IRR_GUESS = 0.1


@dataclass(frozen=True, slots=True)
class CashFlowInputs:
    """Formula text of each input on the Decision sheet (defined names or absolute references), by
    :data:`INPUT_ROWS` key except ``monthly_rate``, which this sheet computes."""

    horizon: str
    ramp: str
    shape: str
    escalation: str
    rate: str
    investment: str
    steady_value: str
    run_cost: str


def result_refs(sheet_name: str) -> dict[str, str]:
    """Absolute references of the results (keys of :data:`RESULT_ROWS`) on the Cash flow sheet ``sheet_name``,
    for the Decision sheet to link to. Example: ``result_refs("CF1_x")["npv"]`` → ``"'CF1_x'!$H$4"``."""
    return {key: absolute_ref(sheet_name, FIRST_BLOCK_ROW + offset, RESULT_VALUE_COLUMN)
            for offset, (key, _) in enumerate(RESULT_ROWS)}


def _cell(row: int, col: int) -> str:
    return xl_rowcol_to_cell(row, col, row_abs=True, col_abs=True)


def _column_range(col: int) -> str:
    return f"{_cell(FIRST_MONTH_ROW, col)}:{_cell(LAST_MONTH_ROW, col)}"


class CashFlowSheet:
    """The S19 Cash flow sheet of one use case; :meth:`write` fills it from the core's ``result`` on ``terms``, the
    steady S15 value and the run cost per month."""

    def __init__(self, writer: SheetWriter, name: str, decision_sheet: str, use_case_name: str,
                 inputs: CashFlowInputs, terms: BusinessCaseTerms, steady_value_eur: float, run_cost_eur: float,
                 result: BusinessCaseResult) -> None:
        self.w = writer
        self.f = writer.formats
        self.name = name
        self.decision_sheet = decision_sheet
        self.use_case_name = use_case_name
        self.inputs = inputs
        self.terms = terms
        self.steady_value_eur = steady_value_eur
        self.run_cost_eur = run_cost_eur
        self.result = result
        self.local = {key: _cell(FIRST_BLOCK_ROW + offset, INPUT_VALUE_COLUMN)
                      for offset, (key, _) in enumerate(INPUT_ROWS)}

    def write(self) -> None:
        w, f = self.w, self.f
        w.label(0, 0, "Cash flow (S19)", f.title, span=3)
        w.text(0, 3, self.use_case_name, f.title, span=len(CASH_FLOW_WIDTHS) - 3)
        w.height(0, 26)
        w.sheet.write_url(1, 0, f"internal:{quoted_sheet(self.decision_sheet)}!A1", f.link,
                          string=w.t("Back to the Decision sheet"))
        w.label(BLOCK_ROW, 0, "Inputs (from the Decision sheet)", f.section, span=4)
        w.label(BLOCK_ROW, RESULT_LABEL_COLUMN, "Results", f.section, span=4)
        self._inputs()
        self._results()
        w.label(NOTE_ROW, 0, "Months after the horizon carry no cash flow (grey); the payback month is highlighted.",
                f.text, span=len(CASH_FLOW_WIDTHS))
        w.header_row(HEADER_ROW, TABLE_COLUMNS, numeric=tuple(range(len(TABLE_COLUMNS))))
        self._months()
        payback = _cell(FIRST_BLOCK_ROW + RESULT_KEYS.index("payback_month"), RESULT_VALUE_COLUMN)
        table = (FIRST_MONTH_ROW, 0, LAST_MONTH_ROW, len(TABLE_COLUMNS) - 1)
        month = f"$A{FIRST_MONTH_ROW + 1}"
        w.sheet.conditional_format(*table, {"type": "formula", "format": f.payback_row,
                                            "criteria": f"={month}={payback}"})
        w.sheet.conditional_format(*table, {"type": "formula", "format": f.after_horizon,
                                            "criteria": f"={month}>{self.local['horizon']}"})
        w.sheet.freeze_panes(FIRST_MONTH_ROW, 1)
        w.finish()

    def _inputs(self) -> None:
        f, terms, inputs = self.f, self.terms, self.inputs
        monthly = float(monthly_discount_rate(terms.discount_rate_per_year))
        values = {
            "horizon": (inputs.horizon, terms.horizon_months, f.month),
            "ramp": (inputs.ramp, terms.ramp_months, f.month),
            "shape": (inputs.shape, terms.ramp_shape, f.plain),
            "escalation": (inputs.escalation, terms.run_cost_escalation_per_year, f.percent),
            "rate": (inputs.rate, terms.discount_rate_per_year, f.percent),
            "monthly_rate": (f"(1+{self.local['rate']})^(1/12)-1", monthly, f.percent),
            "investment": (inputs.investment, terms.investment_eur, f.money),
            "steady_value": (inputs.steady_value, self.steady_value_eur, f.money),
            "run_cost": (inputs.run_cost, self.run_cost_eur, f.money),
        }
        for offset, (key, label) in enumerate(INPUT_ROWS):
            row = FIRST_BLOCK_ROW + offset
            source, value, fmt = values[key]
            self.w.label(row, 0, label, f.text, span=INPUT_VALUE_COLUMN)
            self.w.formula(row, INPUT_VALUE_COLUMN, f"={source}", value, fmt)

    def _results(self) -> None:
        f, result = self.f, self.result
        net, cumulative = _column_range(4), _column_range(5)
        discounted, cumulative_discounted = _column_range(6), _column_range(7)
        value, run = _column_range(2), _column_range(3)
        na = string_literal(NOT_AVAILABLE)
        refs = {key: ref.split("!")[1] for key, ref in result_refs(self.name).items()}
        investment = self.local["investment"]
        guess = number_literal(result.irr_monthly if result.irr_monthly is not None else DEFAULT_IRR_GUESS)
        formulas = {
            "npv": (f"=SUM({discounted})", result.npv_eur, f.money_bold),
            "irr_monthly": (f'=IFERROR(IF(AND(COUNTIF({net},">0")>0,COUNTIF({net},"<0")>0),'
                            f"IRR({net},{guess}),{na}),{na})", result.irr_monthly, f.percent),
            "irr_annual": (f"=IF(ISNUMBER({refs['irr_monthly']}),(1+{refs['irr_monthly']})^12-1,{na})",
                           result.irr_annual, f.percent),
            "payback_month": (_first_month_formula(cumulative, self.local["horizon"]), result.payback_month, f.month),
            "discounted_payback_month": (_first_month_formula(cumulative_discounted, self.local["horizon"]),
                                         result.discounted_payback_month, f.month),
            "horizon_roi": (f"=IF(SUM({run})+{investment}=0,{na},"
                            f"(SUM({value})-SUM({run})-{investment})/(SUM({run})+{investment}))",
                            result.horizon_roi, f.percent),
        }
        for offset, (key, label) in enumerate(RESULT_ROWS):
            row = FIRST_BLOCK_ROW + offset
            formula, value, fmt = formulas[key]
            self.w.label(row, RESULT_LABEL_COLUMN, label, f.text, span=RESULT_VALUE_COLUMN - RESULT_LABEL_COLUMN)
            if formula.startswith("{"):
                self.w.sheet.write_array_formula(row, RESULT_VALUE_COLUMN, row, RESULT_VALUE_COLUMN, formula, fmt,
                                                 NOT_AVAILABLE if value is None else float(value))
            else:
                self.w.formula(row, RESULT_VALUE_COLUMN, formula, value, fmt)

    def _months(self) -> None:
        """One row per month 0–120 (flows 0 after the horizon), each row's seven formulas stored in one call."""
        sheet, f, result = self.w.sheet, self.f, self.result
        horizon, ramp, shape = self.local["horizon"], self.local["ramp"], self.local["shape"]
        escalation, monthly_rate = self.local["escalation"], self.local["monthly_rate"]
        steady, run_cost, investment = self.local["steady_value"], self.local["run_cost"], self.local["investment"]
        stored = _stored_rows(result, self.terms)
        write_number, write_row = sheet.write_number, sheet.write_formula_row
        formats = (f.percent, f.money, f.money, f.cash, f.cash_bold, f.cash, f.cash_bold)
        first = FIRST_MONTH_ROW
        n = first + 1
        write_number(first, 0, 0, f.month)
        write_number(first, 2, 0.0, f.money)
        write_number(first, 3, 0.0, f.money)
        write_row(first, 4, (f"=-{investment}", f"=E{n}", f"=E{n}", f"=G{n}"), formats[3:], stored[0][3:])
        for month in range(1, MAX_HORIZON_MONTHS + 1):
            row, n = first + month, first + month + 1
            share = f"MIN(1,A{n}/{ramp})"
            write_number(row, 0, month, f.month)
            # The ramp is 0 exactly after the horizon (within it, ramp(m) > 0 for every m ≥ 1), so it masks the rest.
            write_row(row, 1, (
                f'=IF(A{n}>{horizon},0,IF({ramp}=0,1,IF({shape}="s_curve",{share}^2*(3-2*{share}),{share})))',
                f"={steady}*B{n}",
                f"=IF(B{n}=0,0,{run_cost}*(1+{escalation})^INT((A{n}-1)/12))",
                f"=C{n}-D{n}",
                f"=F{n - 1}+E{n}",
                f"=E{n}/(1+{monthly_rate})^A{n}",
                f"=H{n - 1}+G{n}",
            ), formats, stored[month])


def _first_month_formula(cumulative: str, horizon: str) -> str:
    """Array formula: the first month within the horizon whose cumulative flow is ≥ 0, else "n/a"."""
    months = _column_range(0)
    return (f"{{=IFERROR(INDEX({months},MATCH(1,({months}<={horizon})*({cumulative}>=0),0)),"
            f"{string_literal(NOT_AVAILABLE)})}}")


def _stored_rows(result: BusinessCaseResult, terms: BusinessCaseTerms) -> list[tuple]:
    """Per month 0–120 the core's (ramp, value, run, net, cumulative, discounted, cumulative discounted); after the
    horizon the flows are 0 and the cumulative columns keep their last value, like the formulas' results."""
    table = result.months
    horizon = result.horizon_months
    ramp = ramp_factors(MONTHS[: horizon + 1], terms.ramp_months, terms.ramp_shape == "s_curve")
    cumulative_discounted = np.cumsum(table.discounted_eur)
    columns = (ramp, table.value_eur, table.run_cost_eur, table.net_eur, table.cumulative_eur, table.discounted_eur,
               cumulative_discounted)
    rows = list(zip(*(column.tolist() for column in columns), strict=True))
    last = rows[-1]
    after = (0.0, 0.0, 0.0, 0.0, last[4], 0.0, last[6])
    return rows + [after] * (MAX_HORIZON_MONTHS - horizon)
