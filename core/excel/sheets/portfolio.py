"""Portfolio (S20): every use case with a 0/1 "funded" input, live SUMPRODUCT totals, the limits and the checks.

Finance sets a use case's Funded cell to 1 or 0 and sees NPV, investment, run cost and capacity of the funded set
move, each against its limit (the limits are inputs too), and the S20 rules checked: nothing ineligible funded,
every "must" funded, every funded use case with what it needs. The flags start at a plan (the app's optimal
plan at the default budget, or a saved one); :mod:`core.excel.reader` reads flags and limits back as a plan.
One row per use case, best S3 score first; the cells are listed in Meta like every other input.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from xlsxwriter.utility import xl_rowcol_to_cell

from core.excel.formulas import a1, string_literal
from core.excel.names import (
    BUDGET_KIND,
    FUNDED_FIELD,
    FUNDED_KIND,
    PORTFOLIO_BUDGET_FIELDS,
    PORTFOLIO_META_ID,
    PORTFOLIO_SHEET,
    InputCell,
)
from core.excel.sheets.base import PackContext, SheetSpec
from core.excel.texts import NO, NOT_AVAILABLE, RISK_LABELS, YES
from core.excel.writer import SheetWriter
from core.models import SavedPlan, Workspace

PORTFOLIO_COLUMNS: tuple[str, ...] = (
    "Use case ID", "Name", "EU AI Act risk", "Must / never", "Eligible", "Funded (1/0)", "NPV (€)", "Investment (€)",
    "Run cost (€/month)", "Capacity (PM)", "Score", "Needs", "Needs funded",
)
PORTFOLIO_WIDTHS: tuple[float, ...] = (22, 36, 12, 11, 10, 10, 17, 16, 16, 13, 8, 24, 11)
FUNDED_COL, NPV_COL, INVESTMENT_COL, RUN_COST_COL, CAPACITY_COL, NEEDS_MET_COL = 5, 6, 7, 8, 9, 12
RULE_COL, ELIGIBLE_COL = 3, 4
TOTAL_ROW, LIMIT_ROW, CHECK_ROW = 3, 4, 5
INELIGIBLE_ROW, MUST_ROW, NEEDS_ROW, ALLOWED_ROW, OPTIMAL_ROW, DIFFERENCE_ROW = 7, 8, 9, 10, 12, 13
HEADER_ROW = 15
LIMIT_COLUMNS = {"investment_eur": INVESTMENT_COL, "run_budget_eur_per_month": RUN_COST_COL,
                 "capacity_person_months": CAPACITY_COL}
RULE_LABELS = {"must": "Must", "never": "Never"}
OK, OVER, NO_LIMIT = "OK", "over the limit", "no limit"
# "Within the limit" forgives rounding: a total equal to its limit may differ from it in the last bits.
LIMIT_SLACK = 1e-9


@dataclass(frozen=True)
class PortfolioRow:
    """One use case as the sheet shows it (S19 NPV and C0, S15 run cost, S3 score, S11 risk, S20 fields)."""

    id: str
    name: str
    risk_class: str
    funding: str | None
    eligible: bool
    npv_eur: float
    investment_eur: float
    run_cost_eur_per_month: float
    capacity_person_months: float
    score: float
    needs: tuple[str, ...]


@dataclass(frozen=True)
class PortfolioFigures:
    """The sheet's content: rows best score first, the funded ids, the limits and the optimal plan's NPV there."""

    rows: tuple[PortfolioRow, ...]
    funded: frozenset[str]
    budgets: dict[str, float | None]
    optimal_npv_eur: float | None


def portfolio_figures(workspace: Workspace, plan: SavedPlan | None = None) -> PortfolioFigures:
    """Rows from the S20 items; flags and limits from ``plan``, else the optimal plan at the default budget.

    Example: the sample workspace without a plan → limits 588,000 € / none / none, five use cases funded.
    """
    from core.portfolio import Budgets, PlanInfeasible, plan_portfolio
    from core.portfolio_workspace import default_budgets, portfolio_items

    items = portfolio_items(workspace)
    budgets = default_budgets(items) if plan is None else Budgets.model_validate(plan.budgets.model_dump())
    try:
        optimal = plan_portfolio(items, budgets)
    except PlanInfeasible:
        optimal = None
    if plan is not None:
        funded = frozenset(plan.chosen_ids) & {item.id for item in items}
    else:
        funded = frozenset(optimal.chosen_ids) if optimal is not None else frozenset()
    rows = tuple(PortfolioRow(
        id=item.id, name=item.name, risk_class=item.risk_class, funding=item.funding,
        eligible=item.funding != "never" and item.risk_class != "prohibited"
        and (item.risk_class != "high" or item.dpia_assessed),
        npv_eur=item.npv_eur, investment_eur=item.investment_eur, run_cost_eur_per_month=item.run_cost_eur_per_month,
        capacity_person_months=item.capacity_person_months, score=item.score, needs=item.needs,
    ) for item in items)
    return PortfolioFigures(rows=rows, funded=funded, budgets=budgets.model_dump(),
                            optimal_npv_eur=None if optimal is None else optimal.npv_eur)


def first_row() -> int:
    return HEADER_ROW + 1


def input_cells(figures: PortfolioFigures) -> list[InputCell]:
    """The sheet's inputs for Meta: one funded flag per use case, then the three limits (blank = no limit)."""
    cells = [InputCell(row.id, FUNDED_FIELD, PORTFOLIO_SHEET, a1(index, FUNDED_COL),
                       1.0 if row.id in figures.funded else 0.0, FUNDED_KIND)
             for index, row in enumerate(figures.rows, start=first_row())]
    cells += [InputCell(PORTFOLIO_META_ID, path, PORTFOLIO_SHEET, a1(LIMIT_ROW, LIMIT_COLUMNS[field]),
                        figures.budgets[field], BUDGET_KIND)
              for field, path in PORTFOLIO_BUDGET_FIELDS.items()]
    return cells


def write(writer: SheetWriter, pack: PackContext) -> None:
    figures: PortfolioFigures = pack.portfolio
    f = writer.formats
    writer.label(0, 0, "Portfolio plan (S20)", f.title, span=4)
    writer.height(0, 28)
    writer.label(1, 0, "Set Funded to 1 to fund a use case, 0 to leave it out; totals and checks follow. "
                       "Limits left blank are no limit. The app reads flags and limits back as a plan.",
                 f.text, span=10)
    last = first_row() + max(len(figures.rows), 1) - 1
    _table(writer, figures)
    _totals(writer, figures, last)
    _rules(writer, figures, last)
    writer.sheet.autofilter(HEADER_ROW, 0, last, len(PORTFOLIO_COLUMNS) - 1)
    writer.sheet.freeze_panes(first_row(), 2)
    writer.finish()


def _column(col: int, last: int) -> str:
    """The table's cells of one column as an absolute range, e.g. ``$F$17:$F$26``."""
    return (f"{xl_rowcol_to_cell(first_row(), col, row_abs=True, col_abs=True)}:"
            f"{xl_rowcol_to_cell(last, col, row_abs=True, col_abs=True)}")


def _table(writer: SheetWriter, figures: PortfolioFigures) -> None:
    f, t = writer.formats, writer.t
    writer.header_row(HEADER_ROW, PORTFOLIO_COLUMNS, numeric=(5, 6, 7, 8, 9, 10))
    position = {row.id: index for index, row in enumerate(figures.rows, start=first_row())}
    yes, no = t(YES), t(NO)
    for index, row in enumerate(figures.rows, start=first_row()):
        writer.text(index, 0, row.id)
        writer.text(index, 1, row.name)
        writer.text(index, 2, t.code(RISK_LABELS, row.risk_class))
        if row.funding is None:
            writer.sheet.write_blank(index, RULE_COL, None, f.text)
        else:
            writer.text(index, RULE_COL, t(RULE_LABELS[row.funding]))
        writer.text(index, ELIGIBLE_COL, yes if row.eligible else no)
        writer.sheet.write_number(index, FUNDED_COL, 1.0 if row.id in figures.funded else 0.0, f.input_flag)
        for col, value, fmt in ((NPV_COL, row.npv_eur, f.money), (INVESTMENT_COL, row.investment_eur, f.money),
                                (RUN_COST_COL, row.run_cost_eur_per_month, f.money),
                                (CAPACITY_COL, row.capacity_person_months, f.number), (10, row.score, f.score)):
            writer.sheet.write_number(index, col, float(value), fmt)
        writer.text(index, 11, ", ".join(row.needs) or None)
        _needs_met(writer, index, row, position, figures.funded)
    if figures.rows:
        writer.sheet.data_validation(first_row(), FUNDED_COL, first_row() + len(figures.rows) - 1, FUNDED_COL, {
            "validate": "integer", "criteria": "between", "minimum": 0, "maximum": 1,
            "error_title": t("Funded: 1 or 0"),
            "error_message": t("Enter 1 to fund the use case or 0 to leave it out."),
        })


def _needs_met(writer: SheetWriter, index: int, row: PortfolioRow, position: dict[str, int],
               funded: frozenset[str]) -> None:
    t = writer.t
    needed = [position[need] for need in row.needs if need in position]
    if not needed:
        writer.text(index, NEEDS_MET_COL, NOT_AVAILABLE)
        return
    flag = a1(index, FUNDED_COL)
    condition = "AND(" + ",".join(f"{a1(other, FUNDED_COL)}=1" for other in needed) + ")"
    formula = (f"=IF({flag}=1,IF({condition},{string_literal(t(YES))},{string_literal(t(NO))}),"
               f"{string_literal(NOT_AVAILABLE)})")
    if row.id not in funded:
        value = NOT_AVAILABLE
    else:
        value = t(YES) if all(need in funded for need in row.needs if need in position) else t(NO)
    writer.formula(index, NEEDS_MET_COL, formula, value, writer.formats.text)


def _funded_total(figures: PortfolioFigures, attribute: str) -> float:
    return math.fsum(getattr(row, attribute) for row in figures.rows if row.id in figures.funded)


def _totals(writer: SheetWriter, figures: PortfolioFigures, last: int) -> None:
    """Totals of the funded use cases under their columns, the limits (inputs) and whether each holds."""
    f, t = writer.formats, writer.t
    flags = _column(FUNDED_COL, last)
    for row, label in ((TOTAL_ROW, "Total of the funded use cases"), (LIMIT_ROW, "Limit (blank = no limit)"),
                       (CHECK_ROW, "Within the limit?")):
        writer.label(row, 0, label, f.label, span=2)
    writer.formula(TOTAL_ROW, FUNDED_COL, f"=SUM({flags})", float(len(figures.funded)), f.integer)
    totals = {NPV_COL: "npv_eur", INVESTMENT_COL: "investment_eur", RUN_COST_COL: "run_cost_eur_per_month",
              CAPACITY_COL: "capacity_person_months"}
    for col, attribute in totals.items():
        fmt = f.number if col == CAPACITY_COL else f.money_bold
        writer.formula(TOTAL_ROW, col, f"=SUMPRODUCT({flags},{_column(col, last)})",
                       _funded_total(figures, attribute), fmt)
    for field, col in LIMIT_COLUMNS.items():
        limit = figures.budgets[field]
        fmt = f.input_number if col == CAPACITY_COL else f.input_money
        if limit is None:
            writer.sheet.write_blank(LIMIT_ROW, col, None, fmt)
        else:
            writer.sheet.write_number(LIMIT_ROW, col, float(limit), fmt)
        writer.sheet.data_validation(LIMIT_ROW, col, LIMIT_ROW, col, {
            "validate": "decimal", "criteria": ">=", "value": 0, "ignore_blank": True,
            "error_title": t("Not negative"), "error_message": t("Enter a number of at least 0."),
        })
        total, limit_cell = a1(TOTAL_ROW, col), a1(LIMIT_ROW, col)
        formula = (f'=IF({limit_cell}="",{string_literal(t(NO_LIMIT))},IF({total}<={limit_cell}*(1+{LIMIT_SLACK!r}),'
                   f"{string_literal(t(OK))},{string_literal(t(OVER))}))")
        writer.formula(CHECK_ROW, col, formula, t(_limit_check(figures, field, col)), f.decision)


def _limit_check(figures: PortfolioFigures, field: str, col: int) -> str:
    limit = figures.budgets[field]
    if limit is None:
        return NO_LIMIT
    attribute = {INVESTMENT_COL: "investment_eur", RUN_COST_COL: "run_cost_eur_per_month",
                 CAPACITY_COL: "capacity_person_months"}[col]
    return OK if _funded_total(figures, attribute) <= limit * (1 + LIMIT_SLACK) else OVER


def _rules(writer: SheetWriter, figures: PortfolioFigures, last: int) -> None:
    """The S20 rules as counts (0 = kept), whether the plan is allowed, and the app's optimum for comparison."""
    f, t = writer.formats, writer.t
    flags, eligible = _column(FUNDED_COL, last), _column(ELIGIBLE_COL, last)
    rules, needs_met = _column(RULE_COL, last), _column(NEEDS_MET_COL, last)
    funded = figures.funded
    counts = (
        (INELIGIBLE_ROW, "Funded although not eligible (risk class, DPIA, never)",
         f"=SUMPRODUCT({flags},--({eligible}={string_literal(t(NO))}))",
         sum(1 for row in figures.rows if row.id in funded and not row.eligible)),
        (MUST_ROW, "Must but not funded",
         f"=SUMPRODUCT(--({rules}={string_literal(t(RULE_LABELS['must']))}),1-{flags})",
         sum(1 for row in figures.rows if row.funding == "must" and row.id not in funded)),
        (NEEDS_ROW, "Funded without what it needs", f"=COUNTIF({needs_met},{string_literal(t(NO))})",
         sum(1 for row in figures.rows if row.id in funded and any(need not in funded for need in row.needs))),
    )
    for row, label, formula, value in counts:
        writer.label(row, 0, label, f.label, span=FUNDED_COL)
        writer.formula(row, FUNDED_COL, formula, float(value), f.integer)
    checks = [a1(CHECK_ROW, col) for col in LIMIT_COLUMNS.values()]
    within = ",".join(f"{cell}<>{string_literal(t(OVER))}" for cell in checks)
    kept = ",".join(f"{a1(row, FUNDED_COL)}=0" for row, *_ in counts)
    allowed = all(value == 0 for *_, value in counts) and all(
        _limit_check(figures, field, col) != OVER for field, col in LIMIT_COLUMNS.items())
    writer.label(ALLOWED_ROW, 0, "Plan keeps every limit and rule", f.label, span=FUNDED_COL)
    writer.formula(ALLOWED_ROW, FUNDED_COL, f"=IF(AND({within},{kept}),{string_literal(t(YES))},"
                   f"{string_literal(t(NO))})", t(YES) if allowed else t(NO), f.decision)
    writer.label(OPTIMAL_ROW, 0, "NPV of the app's optimal plan at the exported limits", f.label, span=NPV_COL)
    writer.scalar(OPTIMAL_ROW, NPV_COL, figures.optimal_npv_eur, f.money)
    writer.label(DIFFERENCE_ROW, 0, "Funded NPV minus the optimal plan's", f.label, span=NPV_COL)
    optimal = a1(OPTIMAL_ROW, NPV_COL)
    difference = (None if figures.optimal_npv_eur is None
                  else _funded_total(figures, "npv_eur") - figures.optimal_npv_eur)
    writer.formula(DIFFERENCE_ROW, NPV_COL, f'=IF(ISNUMBER({optimal}),{a1(TOTAL_ROW, NPV_COL)}-{optimal},'
                   f'{string_literal(NOT_AVAILABLE)})', difference, f.money)


SHEET = SheetSpec(PORTFOLIO_SHEET, PORTFOLIO_WIDTHS, write, repeat_rows=(HEADER_ROW, HEADER_ROW))
