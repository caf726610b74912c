"""Summary: the workspace at a glance and every use case ranked by S3 score, linked to its Decision sheet.

A use case with a Decision sheet shows that sheet's live results (its quadrant, score, ROI, S19 investment, NPV
and payback, next gate and failed checks follow an edited input); one without shows the core's figures as numbers.
"""

from __future__ import annotations

import math

from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.workbook import Format

from core.excel.figures import Figures
from core.excel.formulas import a1, failed_checks_formula, quoted_sheet, string_literal
from core.excel.names import SUMMARY_SHEET
from core.excel.sheets.base import LiveCells, PackContext, SheetSpec
from core.excel.texts import (
    DECISION_LABELS,
    GATE_LABELS,
    NOT_AVAILABLE,
    NOT_SCORED,
    PHASE_LABELS,
    QUADRANT_LABELS,
    RISK_LABELS,
    quick_win_rule,
)
from core.excel.writer import SheetWriter

SUMMARY_COLUMNS: tuple[str, ...] = (
    "Rank", "Use case ID", "Name", "Owner", "Phase", "EU AI Act risk", "Quadrant", "Value", "Feasibility",
    "Score", "ROI", "Net value (€/month)", "Investment (€)", "NPV (€)", "Payback (month)", "Next gate",
    "Gate decision", "Failed checks", "Decision sheet",
)
SUMMARY_WIDTHS: tuple[float, ...] = (6, 20, 34, 20, 15, 11, 13, 9, 11, 9, 10, 15, 15, 16, 11, 20, 14, 28, 20)
SUMMARY_NUMERIC_COLUMNS: tuple[int, ...] = (7, 8, 9, 10, 11, 12, 13, 14)
INVESTMENT_COLUMN, NPV_COLUMN, PAYBACK_COLUMN = 12, 13, 14
NEXT_GATE_COLUMN = 15
SUMMARY_TABLE_ROW = 8
# (label columns, value columns) of the workspace facts on the left and the portfolio facts on the right.
LEFT_FACTS, RIGHT_FACTS = (2, 4), (3, 3)


def write(writer: SheetWriter, pack: PackContext) -> None:
    writer.label(0, 0, "AI use-case decision pack", writer.formats.title, span=6)
    writer.height(0, 28)
    _workspace_facts(writer, pack)
    first, last = SUMMARY_TABLE_ROW + 1, SUMMARY_TABLE_ROW + max(len(pack.ranked), 1)
    _portfolio_facts(writer, pack, first, last)
    writer.label(SUMMARY_TABLE_ROW - 1, 0, "Portfolio ranked by score (S3)", writer.formats.subtitle, span=6)
    writer.height(SUMMARY_TABLE_ROW - 1, 22)
    writer.header_row(SUMMARY_TABLE_ROW, SUMMARY_COLUMNS, numeric=SUMMARY_NUMERIC_COLUMNS)
    scores = f"{xl_rowcol_to_cell(first, 9, True, True)}:{xl_rowcol_to_cell(last, 9, True, True)}"
    for row, use_case_id in enumerate(pack.ranked, start=first):
        _ranked_row(writer, row, scores, pack, use_case_id)
    writer.sheet.autofilter(SUMMARY_TABLE_ROW, 0, last, len(SUMMARY_COLUMNS) - 1)
    writer.sheet.freeze_panes(first, 3)
    writer.finish()


def _fact(writer: SheetWriter, row: int, col: int, label: str, span: tuple[int, int]) -> None:
    writer.label(row, col, label, writer.formats.meta_label, span=span[0])


def _workspace_facts(writer: SheetWriter, pack: PackContext) -> None:
    f = writer.formats
    for row, label, value in ((1, "Workspace", pack.workspace.name), (2, "Workspace ID", str(pack.loaded.id)),
                              (4, "Author", pack.author or None)):
        _fact(writer, row, 0, label, LEFT_FACTS)
        writer.text(row, 2, value, f.meta_value, span=LEFT_FACTS[1])
    _fact(writer, 3, 0, "Generated (UTC)", LEFT_FACTS)
    writer.sheet.merge_range(3, 2, 3, 5, "", f.date)
    writer.moment(3, 2, pack.moment)
    thresholds = pack.workspace.thresholds
    _fact(writer, 5, 0, "Quick-win thresholds", LEFT_FACTS)
    writer.text(5, 2, quick_win_rule(writer.t, thresholds.quick_win_min_value, thresholds.quick_win_min_feasibility),
                f.meta_value, span=LEFT_FACTS[1])


def _portfolio_facts(writer: SheetWriter, pack: PackContext, first: int, last: int) -> None:
    """Counts and totals; quick wins, net value, investment and NPV are live over the ranked table's rows
    ``first``–``last``."""
    f, t, ranked, figures = writer.formats, writer.t, pack.ranked, pack.figures

    def column(col: int) -> str:
        return f"{a1(first, col)}:{a1(last, col)}"

    quick_wins = sum(1 for use_case_id in ranked if figures[use_case_id].quadrant == "quick_win")
    total_net = math.fsum(figures[use_case_id].roi.net_value for use_case_id in ranked)
    facts: tuple[tuple[str, str | None, object, Format], ...] = (
        ("Use cases", None, len(ranked), f.meta_integer),
        ("Decision sheets", None, len(pack.live), f.meta_integer),
        ("Quick wins", f"=COUNTIF({column(6)},{string_literal(t(QUADRANT_LABELS['quick_win']))})", quick_wins,
         f.meta_integer),
        ("Total net value (€/month)", f"=SUM({column(11)})", total_net, f.meta_money),
        ("Total investment (€)", f"=SUM({column(INVESTMENT_COLUMN)})",
         math.fsum(_investment(pack, use_case_id) for use_case_id in ranked), f.meta_money),
        ("Total NPV (€)", f"=SUM({column(NPV_COLUMN)})", math.fsum(_npv(pack, use_case_id) for use_case_id in ranked),
         f.meta_money),
    )
    for row, (label, formula, value, fmt) in enumerate(facts, start=1):
        _fact(writer, row, 6, label, RIGHT_FACTS)
        writer.sheet.merge_range(row, 9, row, 11, "", fmt)
        if formula is None:
            writer.scalar(row, 9, value, fmt)
        else:
            writer.formula(row, 9, formula, value, fmt)


def _investment(pack: PackContext, use_case_id: str) -> float:
    """The C0 the ranked table shows: the Decision sheet's where there is one (the same sum), else the core's."""
    figure = pack.figures[use_case_id]
    business_case = pack.business_cases.get(use_case_id)
    return figure.investment_eur if business_case is None else business_case.investment_eur


def _npv(pack: PackContext, use_case_id: str) -> float:
    """The NPV the ranked table shows: its Cash flow sheet's where there is one, else the portfolio call's."""
    business_case = pack.business_cases.get(use_case_id)
    return pack.figures[use_case_id].npv_eur if business_case is None else business_case.npv_eur


def _payback(pack: PackContext, use_case_id: str) -> int | None:
    business_case = pack.business_cases.get(use_case_id)
    return pack.figures[use_case_id].payback_month if business_case is None else business_case.payback_month


def _ranked_row(writer: SheetWriter, row: int, scores: str, pack: PackContext, use_case_id: str) -> None:
    """One use case of the ranked table, live from its Decision sheet where it has one."""
    figure, cells, decision_sheet = pack.figures[use_case_id], pack.live.get(use_case_id), \
        pack.decision_sheets.get(use_case_id)
    f, t, use_case = writer.formats, writer.t, figure.use_case
    unscored = figure.rank is None
    if unscored:
        # S3: no rank and no quadrant until someone scores it; its score cell holds text, which RANK skips.
        writer.text(row, 0, t(NOT_SCORED))
    else:
        writer.formula(row, 0, f"=RANK({a1(row, 9)},{scores},0)", figure.rank, f.integer)
    writer.text(row, 1, use_case.id)
    writer.text(row, 2, use_case.name)
    writer.text(row, 3, use_case.owner or None)
    writer.text(row, 4, t.code(PHASE_LABELS, use_case.phase))
    writer.text(row, 5, t.code(RISK_LABELS, use_case.eu_ai_act_risk_class))
    results = (
        (6, "quadrant", t.code(QUADRANT_LABELS, figure.quadrant), f.text), (7, "value", figure.value, f.score),
        (8, "feasibility", figure.feasibility, f.score), (9, "score", figure.score, f.score),
        (10, "roi", figure.roi.roi, f.percent), (11, "net_value", figure.roi.net_value, f.money),
        (INVESTMENT_COLUMN, "investment", _investment(pack, use_case_id), f.money),
        (NPV_COLUMN, "npv", _npv(pack, use_case_id), f.money),
        (PAYBACK_COLUMN, "payback_month", _payback(pack, use_case_id), f.integer),
    )
    for col, key, value, fmt in results:
        if unscored and key in ("quadrant", "value", "feasibility", "score"):
            writer.text(row, col, t(NOT_SCORED) if key == "quadrant" else NOT_AVAILABLE)
        elif cells is None:
            writer.scalar(row, col, value, fmt)
        else:
            writer.formula(row, col, f"={getattr(cells, key)}", value, fmt)
    _next_gate(writer, row, figure, cells)
    link_column = NEXT_GATE_COLUMN + 3
    if decision_sheet is not None:
        writer.sheet.write_url(row, link_column, f"internal:{quoted_sheet(decision_sheet)}!A1", f.link,
                               string=decision_sheet)
    else:
        writer.text(row, link_column, NOT_AVAILABLE)


def _next_gate(writer: SheetWriter, row: int, figure: Figures, cells: LiveCells | None) -> None:
    """Next gate (S13), its decision and its failed checks, live from the Decision sheet where there is one."""
    f, t = writer.formats, writer.t
    gate = figure.gates[figure.next_gate]
    gate_column, decision_column, failed_column = NEXT_GATE_COLUMN, NEXT_GATE_COLUMN + 1, NEXT_GATE_COLUMN + 2
    writer.text(row, gate_column, t.code(GATE_LABELS, figure.next_gate))
    standing = (figure.standings or {}).get(figure.next_gate)
    decision = t.code(DECISION_LABELS, standing.decision if standing else gate.decision)
    failed = ", ".join(t.check(check.name) for check in gate.failed_checks) or t("none")
    if cells is None:
        writer.text(row, decision_column, decision, f.decision)
        writer.text(row, failed_column, failed)
    else:
        writer.formula(row, decision_column, f"={cells.next_gate.decision}", decision, f.decision)
        writer.fit(row, decision_column, decision, f.decision)
        writer.formula(row, failed_column, failed_checks_formula(cells.next_gate.checks, t), failed, f.text)
        writer.fit(row, failed_column, failed, f.text)


SHEET = SheetSpec(SUMMARY_SHEET, SUMMARY_WIDTHS, write, repeat_rows=(SUMMARY_TABLE_ROW, SUMMARY_TABLE_ROW))
