"""S15 monthly ROI model, break-even solver and S12 inference cost."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from core.models import ROI_FRACTION_FIELDS, ROI_INPUT_FIELDS, InferenceCostInputs, RoiInputs

NO_RUN_COST_REASON = "run cost is 0 €/month: ROI is undefined"
TINY_RUN_COST_REASON = "run cost is too close to 0 €/month for a finite ROI"
BreakEvenOutcome = Literal["at_value", "any_value", "unreachable"]
"""What :func:`break_even_outcome` found: a break-even value, the target met at every allowed value, or none."""


@dataclass(frozen=True, slots=True)
class RoiResult:
    """S15 results in € per month; ``roi`` is a ratio (2.85 = 285 %), None when undefined."""

    value_time: float
    value_quality: float
    total_value: float
    net_value: float
    roi: float | None
    roi_reason: str | None = None


def roi_arrays(
    volume_cases_per_month: np.ndarray | float,
    adoption: np.ndarray | float,
    minutes_saved_per_case: np.ndarray | float,
    cost_per_minute_eur: np.ndarray | float,
    error_cost_per_case_eur: np.ndarray | float,
    error_rate_reduction: np.ndarray | float,
    run_cost_eur_per_month: np.ndarray | float,
) -> dict[str, np.ndarray]:
    """Vectorised S15 kernel; arrays broadcast. ROI is NaN where it is undefined: run cost 0, or so
    close to 0 (a denormal) that the ratio overflows.

    Returns value_time, value_quality, total_value, net_value (€/month) and roi (ratio).
    """
    used_cases = np.multiply(volume_cases_per_month, adoption, dtype=float)
    value_time = used_cases * minutes_saved_per_case * cost_per_minute_eur
    value_quality = used_cases * error_cost_per_case_eur * error_rate_reduction
    total_value = value_time + value_quality
    run_cost = np.asarray(run_cost_eur_per_month, dtype=float)
    net_value = total_value - run_cost
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        roi = np.where(run_cost > 0, net_value / np.where(run_cost > 0, run_cost, 1.0), np.nan)
    roi = np.where(np.isfinite(roi), roi, np.nan)
    return {
        "value_time": value_time,
        "value_quality": value_quality,
        "total_value": total_value,
        "net_value": net_value,
        "roi": roi,
    }


def compute_roi(inputs: RoiInputs) -> RoiResult:
    """S15: value_time = volume·adoption·minutes_saved·cost_per_minute;
    value_quality = volume·adoption·error_cost·error_rate_reduction;
    roi = (value_time + value_quality − run_cost) / run_cost.

    Example (S15 base): 50,000; 0.62; 2.4; 0.85; 1.10; 0.18; 18,000 →
    value_time 63,240 €, value_quality 6,138 €, net 51,378 €, roi 2.85433….
    """
    arrays = roi_arrays(*(getattr(inputs, name) for name in ROI_INPUT_FIELDS))
    roi = float(arrays["roi"])
    defined = bool(np.isfinite(roi))
    reason = NO_RUN_COST_REASON if inputs.run_cost_eur_per_month == 0 else TINY_RUN_COST_REASON
    return RoiResult(
        value_time=float(arrays["value_time"]),
        value_quality=float(arrays["value_quality"]),
        total_value=float(arrays["total_value"]),
        net_value=float(arrays["net_value"]),
        roi=roi if defined else None,
        roi_reason=None if defined else reason,
    )


def break_even(inputs: RoiInputs, field: str, target_roi: float = 0.0) -> float | None:
    """Value of one input at which ROI equals ``target_roi`` (S15, closed form).

    The value side is linear in every input but run cost, so it solves a·x + b = (1 + t)·run_cost;
    for run cost it solves run_cost = total_value / (1 + t). Returns None when no value within the
    field's bounds (fractions [0, 1], others ≥ 0) reaches the target, or when ROI stays undefined.
    Example: S15 base inputs, field "adoption" → 0.16086 (18,000 € / 111,900 € per unit adoption).
    """
    if field not in ROI_INPUT_FIELDS:
        raise ValueError(f"break_even: unknown field '{field}', expected one of {ROI_INPUT_FIELDS}")
    if not np.isfinite(target_roi):
        raise ValueError("break_even: target_roi must be finite")
    if target_roi <= -1.0:
        return None
    if field == "run_cost_eur_per_month":
        total = compute_roi(inputs).total_value
        solution = total / (1.0 + target_roi)
        return solution if solution > 0 else None
    run_cost = inputs.run_cost_eur_per_month
    if run_cost <= 0:
        return None
    at_zero = compute_roi(inputs.model_copy(update={field: 0.0})).total_value
    at_one = compute_roi(inputs.model_copy(update={field: 1.0})).total_value
    slope = at_one - at_zero
    if slope <= 0:
        return None
    solution = ((1.0 + target_roi) * run_cost - at_zero) / slope
    upper = 1.0 if field in ROI_FRACTION_FIELDS else np.inf
    if solution < 0 or solution > upper:
        return None
    return float(solution)


def break_even_outcome(inputs: RoiInputs, field: str, target_roi: float = 0.0) -> BreakEvenOutcome:
    """Why :func:`break_even` has (or lacks) a value (S15): "at_value" when it has one, "any_value" when ROI stays
    at or above ``target_roi`` for every allowed value of the field (so there is nothing to break even on), else
    "unreachable" (no allowed value reaches it, or ROI is undefined because run cost is 0).

    Only run cost can push ROI down without limit, so "any_value" means for the other fields that ROI at the
    field's value 0 already meets the target. Example: the S15 base inputs, field "error_rate_reduction":
    ROI at 0 is (63,240 − 18,000) / 18,000 = 2.513 ≥ 0 → "any_value"; field "adoption" → "at_value".
    """
    if break_even(inputs, field, target_roi) is not None:
        return "at_value"
    if field == "run_cost_eur_per_month":
        return "any_value" if target_roi <= -1.0 else "unreachable"
    if inputs.run_cost_eur_per_month <= 0:
        return "unreachable"
    at_zero = compute_roi(inputs.model_copy(update={field: 0.0})).roi
    return "any_value" if at_zero is not None and at_zero >= target_roi else "unreachable"


def inference_cost(inputs: InferenceCostInputs) -> float:
    """S12 inference cost in € per month = tokens/request × requests/month × €/1k tokens / 1000.

    Example: 1,200 tokens × 200,000 requests × 0.002 €/1k → 480 € (240 M tokens/month).
    """
    return inputs.tokens_per_request * inputs.requests_per_month * inputs.price_per_1k_tokens_eur / 1000.0


def tokens_per_month(inputs: InferenceCostInputs) -> float:
    """S12 token volume per month, e.g. 1,200 × 200,000 = 240,000,000."""
    return inputs.tokens_per_request * inputs.requests_per_month
