"""The S12 cost blocks as one editable table (driver, metric, € per month and the S19 one-time €), shared by the ROI
and Business case pages: the one-time amounts sum to the business case's investment C0."""

from __future__ import annotations

import math
from typing import Any

import streamlit as st

from core.models import COST_BLOCKS, CostBlock, UseCase
from ui import formatting, sidebar
from ui.i18n import label, t
from ui.number_field import NumberSpec

# The amounts are typed and shown as the locale's text (ui.number_field): the grid's number editor would read "2,4"
# by the browser's locale, and its printf format cannot group thousands the German way.
NUMBERS = {"one_time_eur": NumberSpec("eur"), "cost_eur_per_month": NumberSpec("eur")}
# Fixed widths (pixels) for the block and the two amounts, which come first: the amounts are what the ROI and the
# Business case read.
BLOCK_WIDTH = 170
MONEY_WIDTH = 120


def rows(use_case: UseCase) -> list[dict[str, Any]]:
    """All six S12 blocks in their fixed order, stored values where present."""
    stored = {block.block: block for block in use_case.cost_blocks}
    return [(stored[name] if name in stored else CostBlock(block=name)).model_dump() for name in COST_BLOCKS]


def monthly_total(use_case: UseCase) -> float:
    """Sum of the cost blocks' € per month (blocks without a figure count as 0)."""
    return math.fsum(block.cost_eur_per_month or 0.0 for block in use_case.cost_blocks)


def columns(language: str) -> dict[str, Any]:
    """The table's columns, each with its translated label, the block and its amounts first; money in the
    language's € format."""
    return {
        "block": st.column_config.SelectboxColumn(
            t("field.block"), options=COST_BLOCKS, format_func=lambda block: label("cost_block", block), disabled=True,
            width=BLOCK_WIDTH,
        ),
        "one_time_eur": st.column_config.TextColumn(t("field.one_time_eur"), help=t("help.one_time_eur"),
                                                    width=MONEY_WIDTH, max_chars=40),
        "cost_eur_per_month": st.column_config.TextColumn(t("field.cost_eur_per_month"), width=MONEY_WIDTH,
                                                          max_chars=40),
        "driver": st.column_config.TextColumn(t("field.driver"), max_chars=200),
        "metric": st.column_config.TextColumn(t("field.metric"), max_chars=200),
        "baseline": st.column_config.TextColumn(t("field.baseline"), max_chars=200),
        "target": st.column_config.TextColumn(t("field.target"), max_chars=200),
    }


def editor(ctx: sidebar.PageContext, use_case: UseCase) -> None:
    """The cost-block table of ``use_case``, saved on every edit, with its monthly and one-time totals."""
    st.caption(t("cost_blocks.caption"))
    sidebar.table_editor(use_case, ctx.loaded.versions.get(use_case.id, 0), "cost_blocks", rows(use_case),
                         columns(ctx.language), num_rows="fixed", disabled=("block",), numbers=NUMBERS)
    st.caption(t("cost_blocks.total", total=formatting.eur(monthly_total(use_case), ctx.language),
                 one_time=formatting.eur(use_case.investment_eur, ctx.language),
                 run_cost=formatting.eur(use_case.roi.run_cost_eur_per_month, ctx.language)))
