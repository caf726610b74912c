"""ROI: the S15 result and break-even readouts, the S12 inference cost helper and the cost blocks' rows."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import streamlit as st

from core import roi
from core.models import COST_BLOCKS, ROI_INPUT_FIELDS, CostBlock, InferenceCostInputs, RoiInputs, UseCase


@dataclass(frozen=True)
class RoiReadout:
    result: roi.RoiResult
    break_even: dict[str, float | None]


@st.cache_data(max_entries=1024, show_spinner=False)
def _roi_readout(inputs_json: str) -> RoiReadout:
    inputs = RoiInputs.model_validate_json(inputs_json)
    return RoiReadout(
        result=roi.compute_roi(inputs),
        break_even={field: roi.break_even(inputs, field) for field in ROI_INPUT_FIELDS},
    )


def roi_readout(inputs: RoiInputs) -> RoiReadout:
    """S15 result plus the break-even value of every input (ROI = 0), cached on the inputs."""
    return _roi_readout(inputs.model_dump_json())


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


def cost_block_rows(use_case: UseCase) -> list[dict[str, Any]]:
    """All six S12 blocks in their fixed order, stored values where present."""
    stored = {block.block: block for block in use_case.cost_blocks}
    return [
        (stored[name] if name in stored else CostBlock(block=name)).model_dump() for name in COST_BLOCKS
    ]


def cost_block_total(use_case: UseCase) -> float:
    """Sum of the cost blocks' € per month (blocks without a figure count as 0)."""
    return math.fsum(block.cost_eur_per_month or 0.0 for block in use_case.cost_blocks)
