"""ROI: the S15 result and break-even readouts, the S12 inference cost helper and the S19 business case in brief.

The cost-block table itself is :mod:`ui.cost_blocks` (the Business case page edits the same table).
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from core import roi
from core.business_case import use_case_business_case
from core.models import ROI_INPUT_FIELDS, InferenceCostInputs, RoiInputs, UseCase
from ui import formatting
from ui.i18n import translate


@dataclass(frozen=True)
class RoiReadout:
    result: roi.RoiResult
    break_even: dict[str, float | None]
    outcome: dict[str, roi.BreakEvenOutcome]


@st.cache_data(max_entries=1024, show_spinner=False)
def _roi_readout(inputs_json: str) -> RoiReadout:
    inputs = RoiInputs.model_validate_json(inputs_json)
    return RoiReadout(
        result=roi.compute_roi(inputs),
        break_even={field: roi.break_even(inputs, field) for field in ROI_INPUT_FIELDS},
        outcome={field: roi.break_even_outcome(inputs, field) for field in ROI_INPUT_FIELDS},
    )


def roi_readout(inputs: RoiInputs) -> RoiReadout:
    """S15 result plus the break-even value of every input (ROI = 0), cached on the inputs."""
    return _roi_readout(inputs.model_dump_json())


def break_even_text(readout: RoiReadout, field: str, language: str) -> str | None:
    """The words for a break-even cell without a value: "ROI ≥ 0 at any value" when ROI stays positive even at the
    field's least favourable value, else "not reachable"; None when there is a value to show."""
    outcome = readout.outcome[field]
    if outcome == "at_value":
        return None
    return translate("roi.break_even_any_value" if outcome == "any_value" else "roi.unreachable", language)


def compute_roi(inputs: RoiInputs) -> roi.RoiResult:
    """S15 result straight from the core (microseconds; the cache's hashing and copy would cost more)."""
    return roi.compute_roi(inputs)


@st.cache_data(max_entries=256, show_spinner=False)
def _inference_cost(inputs_json: str) -> tuple[float, float]:
    inputs = InferenceCostInputs.model_validate_json(inputs_json)
    return roi.inference_cost(inputs), roi.tokens_per_month(inputs)


def inference_cost(inputs: InferenceCostInputs) -> tuple[float, float]:
    """S12: (€ per month, tokens per month)."""
    return _inference_cost(inputs.model_dump_json())


def business_case_brief(use_case: UseCase, default_rate: float, language: str) -> str:
    """The S19 NPV and payback month in one line for the ROI page's link to the Business case page, e.g.
    "Business case: NPV €1,355,448 · payback Month 6 →"; a payback beyond the horizon reads "not reached".

    Straight from the core (≈0.2 ms), so the line follows every slider step.
    """
    result = use_case_business_case(use_case, default_rate)
    payback = result.payback_month
    payback_text = translate("bc.not_reached", language) if payback is None else translate(
        "bc.month_inline", language, month=formatting.number(payback, language))
    return translate("bc.roi_link", language, npv=formatting.eur(result.npv_eur, language), payback=payback_text)
