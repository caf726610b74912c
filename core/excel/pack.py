"""build_pack: the Excel decision pack (S1–S17, S18 portfolio) as xlsx bytes, its sheets in workbook order.

Every formula is written together with the figure the core computed for it, so viewers that never
recalculate (mail previews, pandas) show the same numbers as the app, and Excel or LibreOffice keep
them live when an input changes. Inputs sit in unlocked, validated, named cells on one Decision
sheet per selected use case; everything else is locked by sheet protection without a password.
The hidden Meta sheet lists every input cell and is what :mod:`core.excel.reader` reads back.
Labels come in English or German; sheet names, defined names, user text and Meta stay the same.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from core.business_case import BusinessCaseResult, BusinessCaseTerms, business_case
from core.excel.figures import Figures, compute_figures, ranked_ids, selected_ids
from core.excel.formats import Formats
from core.excel.names import (
    SUMMARY_SHEET,
    InputCell,
    LoadedWorkspaceLike,
    actuals_sheet_name,
    cash_flow_sheet_name,
    decision_sheet_name,
    input_name,
    sheet_name,
)
from core.excel.sheets import assumptions, audit, matrix, meta, portfolio, summary
from core.excel.sheets.actuals import (
    ACTUALS_REPEAT_ROWS,
    ACTUALS_WIDTHS,
    ActualsInputs,
    ActualsSheet,
)
from core.excel.sheets.base import LiveCells, PackContext, SheetSpec
from core.excel.sheets.cash_flow import CASH_FLOW_REPEAT_ROWS, CASH_FLOW_WIDTHS, CashFlowSheet
from core.excel.sheets.decision import DECISION_REPEAT_ROWS, DECISION_WIDTHS, DecisionSheet
from core.excel.texts import Texts
from core.excel.writer import PackWorksheet, SheetWriter, setup_sheet
from core.models import SavedPlan, Workspace

# Workbook order: these sheets come before and after the Decision sheets (one per selected use case, each followed
# by its S19 Cash flow sheet). They are written after the Decision sheets, in this order, so they can refer to the
# Decision sheets' cells.
SHEETS_BEFORE_DECISIONS: tuple[SheetSpec, ...] = (summary.SHEET, matrix.SHEET, portfolio.SHEET)
SHEETS_AFTER_DECISIONS: tuple[SheetSpec, ...] = (assumptions.SHEET, audit.SHEET, meta.SHEET)
WORKBOOK_OPTIONS = {
    "in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False,
}
MAX_PROPERTY_LENGTH = 250
DecisionPair = tuple[str, Worksheet, Worksheet, Worksheet]
"""A use case id with its Decision sheet, its S19 Cash flow sheet and its S22 Actuals sheet."""


# One piece on purpose: signature and docstring are half of it, the body only orders the sheets.
def build_pack(
    loaded: LoadedWorkspaceLike,
    use_case_ids: Sequence[str] | None = None,
    author: str = "",
    audit_entries: Iterable[Any] = (),
    generated_at: datetime | None = None,
    top_n: int = 50,
    language: str = "en",
    plan: SavedPlan | None = None,
) -> bytes:
    """The Excel decision pack of a workspace as xlsx bytes (S1–S17, S18 portfolio).

    Summary ranks every use case by S3 score; Decision sheets go to ``use_case_ids`` in the given
    order, or else to the ``top_n`` best scores. Each formula carries the core's figure as its
    stored result. ``language`` ("en" or "de") sets every label and the sheet names (:func:`sheet_name`, "Übersicht",
    "E1_…"); defined names, user text and the Meta sheet are the same in both, and Meta lists every use case's
    sheets, so :func:`core.excel.reader.read_pack` reads either.
    The Portfolio sheet (S20) starts from ``plan`` (its limits and funded use cases), else from the optimal
    plan at the default budget (three fifths of the fundable investment).
    Example: ``build_pack(store.load(workspace_id), author="CFO", language="de")`` → ``b"PK..."``.
    """
    texts = Texts(language)
    workspace = loaded.workspace
    moment = (generated_at or datetime.now(UTC)).replace(microsecond=0)
    figures = compute_figures(workspace)
    ranked = ranked_ids(figures)
    decision_sheets = {use_case_id: decision_sheet_name(ordinal, use_case_id, language)
                       for ordinal, use_case_id in enumerate(selected_ids(ranked, use_case_ids, top_n), start=1)}

    buffer = io.BytesIO()
    workbook = _new_workbook(buffer, texts, workspace.name, author)
    formats = Formats(workbook)
    fixed, decisions = _add_sheets(workbook, texts, workspace.name, moment, decision_sheets)
    live, inputs, business_cases = _write_decision_sheets(decisions, formats, texts, workbook, workspace, figures)
    plan_figures = portfolio.portfolio_figures(workspace, plan)
    inputs.extend(portfolio.input_cells(plan_figures))
    pack = PackContext(loaded=loaded, workbook=workbook, author=author, moment=moment,
                       audit_entries=list(audit_entries), figures=figures, ranked=ranked,
                       decision_sheets=decision_sheets, live=live, inputs=inputs, business_cases=business_cases,
                       portfolio=plan_figures)
    for spec in (*SHEETS_BEFORE_DECISIONS, *SHEETS_AFTER_DECISIONS):
        spec.write(SheetWriter(fixed[spec.name], formats, texts, spec.widths), pack)
    fixed[SUMMARY_SHEET].activate()
    workbook.close()
    return buffer.getvalue()


def _new_workbook(buffer: io.BytesIO, texts: Texts, workspace_name: str, author: str) -> Workbook:
    workbook = xlsxwriter.Workbook(buffer, WORKBOOK_OPTIONS)
    workbook.set_properties({
        "title": f"{texts('AI use-case decision pack')}: {workspace_name}"[:MAX_PROPERTY_LENGTH],
        "author": author[:MAX_PROPERTY_LENGTH], "comments": "Generated by the AI use-case workbench",
    })
    return workbook


def _add_sheets(workbook: Workbook, texts: Texts, workspace_name: str, moment: datetime,
                decision_sheets: Mapping[str, str]) -> tuple[dict[str, Worksheet], list[DecisionPair]]:
    """Every sheet in workbook order, set up for print and protected; returns the fixed sheets by name and, per
    use case with a Decision sheet (``decision_sheets``: id → sheet name), its id, Decision and Cash flow sheet."""
    shown = texts.moment(moment)

    def add_sheet(name: str, widths: Sequence[float], repeat_rows: tuple[int, int] | None) -> Worksheet:
        sheet = workbook.add_worksheet(sheet_name(name, texts.language), worksheet_class=PackWorksheet)
        setup_sheet(sheet, texts, workspace_name, shown, widths, repeat_rows)
        return sheet

    fixed = {spec.name: add_sheet(spec.name, spec.widths, spec.repeat_rows) for spec in SHEETS_BEFORE_DECISIONS}
    decisions = []
    for ordinal, (use_case_id, name) in enumerate(decision_sheets.items(), start=1):
        decision = add_sheet(name, DECISION_WIDTHS, DECISION_REPEAT_ROWS)
        cash_flow = add_sheet(cash_flow_sheet_name(ordinal, use_case_id, texts.language), CASH_FLOW_WIDTHS,
                              CASH_FLOW_REPEAT_ROWS)
        actuals = add_sheet(actuals_sheet_name(ordinal, use_case_id, texts.language), ACTUALS_WIDTHS,
                            ACTUALS_REPEAT_ROWS)
        decisions.append((use_case_id, decision, cash_flow, actuals))
    fixed |= {spec.name: add_sheet(spec.name, spec.widths, spec.repeat_rows) for spec in SHEETS_AFTER_DECISIONS}
    return fixed, decisions


def _write_decision_sheets(sheets: Sequence[DecisionPair], formats: Formats, texts: Texts,
                           workbook: Workbook, workspace: Workspace, figures: Mapping[str, Figures],
                           ) -> tuple[dict[str, LiveCells], list[InputCell], dict[str, BusinessCaseResult]]:
    """Write each Decision sheet and its Cash flow sheet; returns, in their order, the live headline cells and the
    S19 result per use case, and every input cell."""
    live: dict[str, LiveCells] = {}
    inputs: list[InputCell] = []
    business_cases: dict[str, BusinessCaseResult] = {}
    for ordinal, (use_case_id, decision_sheet, cash_flow_sheet, actuals_sheet) in enumerate(sheets, start=1):
        name = decision_sheet.name
        figure = figures[use_case_id]
        terms = BusinessCaseTerms.of(figure.use_case, workspace.default_discount_rate_per_year)
        plan = business_cases[use_case_id] = business_case(figure.use_case.roi, terms)
        writer = SheetWriter(decision_sheet, formats, texts, DECISION_WIDTHS)
        decision = DecisionSheet(writer, name, ordinal, figure, workspace, workbook, cash_flow_sheet.name, plan)
        live[use_case_id] = decision.write()
        inputs.extend(decision.inputs)
        CashFlowSheet(SheetWriter(cash_flow_sheet, formats, texts, CASH_FLOW_WIDTHS), cash_flow_sheet.name, name,
                      figure.use_case.name, decision.cash_flow_inputs, terms, figure.roi.total_value,
                      figure.use_case.roi.run_cost_eur_per_month, plan).write()
        references = ActualsInputs(cash_flow_sheet.name, decision.names, input_name(ordinal, "investment_eur"))
        actuals = ActualsSheet(SheetWriter(actuals_sheet, formats, texts, ACTUALS_WIDTHS), actuals_sheet.name, name,
                               figure.use_case, references, workspace.thresholds)
        actuals.write()
        inputs.extend(actuals.inputs)
    return live, inputs, business_cases
