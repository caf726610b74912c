"""S16 sensitivity of the S15 ROI: scenarios, tornado, Monte Carlo, and S3 rank stability."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from numbers import Real

import numpy as np
import pandas as pd

from core.models import (
    DEFAULT_SCENARIOS,
    ROI_FRACTION_FIELDS,
    ROI_INPUT_FIELDS,
    RoiInputs,
    Scenario,
    ScoringWeights,
    UseCase,
)
from core.roi import roi_arrays
from core.scoring import BOUNDARY_TOLERANCE, SCORING_FIELDS, score_portfolio

SCALE_CANDIDATE = "scale candidate"
POC_WITH_EXPIRY = "PoC with expiry date"
WORST_SCENARIO = "worst"
RESULT_COLUMNS: tuple[str, ...] = ("value_time", "value_quality", "total_value", "net_value", "roi")
DEFAULT_RELATIVE_SPREAD = 0.20
DISTRIBUTIONS = ("triangular", "uniform")
MAX_MONTE_CARLO_DRAWS = 5_000_000
MAX_WEIGHT_DRAWS = 100_000
# Keeps the (use cases × draws) blocks of rank_stability near 32 MB per float array.
WEIGHT_DRAW_BLOCK_ELEMENTS = 4_000_000

RangeSpec = tuple[float, float] | tuple[float, float, float]


@dataclass(frozen=True, slots=True)
class InputRange:
    """A validated range for one ROI input; ``mode`` is None when only (low, high) was given."""

    low: float
    mode: float | None
    high: float


@dataclass(frozen=True, eq=False)
class MonteCarloResult:
    """ROI distribution of :func:`monte_carlo`; ``samples`` is read-only, ratios like ``roi``."""

    samples: np.ndarray
    p5: float
    p50: float
    p95: float
    mean: float
    prob_positive: float
    prob_above_target: float
    target_roi: float
    n: int
    seed: int
    distribution: str = "triangular"


def _base_values(inputs: RoiInputs) -> dict[str, float]:
    return {name: float(getattr(inputs, name)) for name in ROI_INPUT_FIELDS}


def run_scenarios(inputs: RoiInputs, scenarios: Sequence[Scenario] | None = None) -> pd.DataFrame:
    """S15 ROI for each S16 scenario (base inputs with the scenario's overrides), in one vectorised pass.

    Returns a DataFrame indexed by scenario name with the seven inputs, value_time, value_quality,
    total_value, net_value (€/month), roi (ratio, NaN only where run cost is 0) and survives
    (net_value > 0); ``frame.attrs["verdict"]`` holds :func:`scenario_verdict`.
    Example (S15 base, default scenarios): worst roi −0.39028, base 2.85433, best 5.88972,
    verdict "PoC with expiry date".
    """
    chosen = DEFAULT_SCENARIOS if scenarios is None else tuple(scenarios)
    if not chosen:
        raise ValueError("scenarios: give at least one scenario")
    names = [scenario.name for scenario in chosen]
    if len(set(names)) != len(names):
        raise ValueError(f"scenarios: names must be unique, got {names}")
    base = _base_values(inputs)
    rows = [{**base, **scenario.overrides()} for scenario in chosen]
    columns = {name: np.array([row[name] for row in rows], dtype=float) for name in ROI_INPUT_FIELDS}
    results = roi_arrays(**columns)
    frame = pd.DataFrame({**columns, **{name: results[name] for name in RESULT_COLUMNS}},
                         index=pd.Index(names, name="scenario"))
    frame["survives"] = frame["net_value"] > 0
    frame.attrs["verdict"] = scenario_verdict(frame)
    return frame


def scenario_verdict(frame: pd.DataFrame) -> str:
    """S16: "scale candidate" when the most pessimistic scenario survives (net value > 0), else
    "PoC with expiry date".

    The most pessimistic scenario is the one with the lowest net value, whatever it is called: S16's
    fixed "worst" values (adoption 0.25, 0.8 min) are better than the base of a use case planned below
    them, and that base must not be judged a scale candidate.
    """
    if frame.empty:
        raise ValueError("scenarios: no scenario to judge")
    return SCALE_CANDIDATE if frame["net_value"].min() > 0 else POC_WITH_EXPIRY


def default_ranges(
    inputs: RoiInputs, scenarios: Sequence[Scenario] | None = None
) -> dict[str, tuple[float, float, float]]:
    """(low, mode, high) per ROI input, mode = the base value (S16).

    An input that the scenarios override spans the lowest to the highest of their values and the base
    (so a use case's own edited worst/best count); with the default S16 scenarios that is adoption
    0.25…0.85 and minutes saved 0.8…3.2. Every other input spans ±20 % of its base; fractions are
    clipped to [0, 1]. Example (S15 base): adoption (0.25, 0.62, 0.85), run cost (14,400, 18,000, 21,600).
    """
    base = _base_values(inputs)
    overrides = [scenario.overrides() for scenario in (scenarios if scenarios is not None else DEFAULT_SCENARIOS)]
    ranges: dict[str, tuple[float, float, float]] = {}
    for name, mode in base.items():
        values = [override[name] for override in overrides if name in override]
        if values:
            low, high = min(*values, mode), max(*values, mode)
        else:
            low, high = mode * (1.0 - DEFAULT_RELATIVE_SPREAD), mode * (1.0 + DEFAULT_RELATIVE_SPREAD)
        if name in ROI_FRACTION_FIELDS:
            low, high = max(low, 0.0), min(high, 1.0)
        ranges[name] = (low, mode, high)
    return ranges


def _real(field: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ValueError(f"{field}: range bounds must be numbers, got {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{field}: range bounds must be finite, got {number}")
    return number


def validate_ranges(ranges: Mapping[str, RangeSpec]) -> dict[str, InputRange]:
    """Check (low, high) or (low, mode, high) ranges keyed by RoiInputs field names.

    Raises ValueError naming the field for unknown names, non-finite bounds, low > high, a mode outside
    [low, high], fractions outside [0, 1] and negative money or counts.
    """
    checked: dict[str, InputRange] = {}
    for field, spec in ranges.items():
        if field not in ROI_INPUT_FIELDS:
            raise ValueError(f"{field}: unknown ROI input, expected one of {', '.join(ROI_INPUT_FIELDS)}")
        if isinstance(spec, str | bytes) or not isinstance(spec, Sequence) or len(spec) not in (2, 3):
            raise ValueError(f"{field}: range must be (low, high) or (low, mode, high), got {spec!r}")
        bounds = [_real(field, value) for value in spec]
        low, high = bounds[0], bounds[-1]
        mode = bounds[1] if len(bounds) == 3 else None
        if low > high:
            raise ValueError(f"{field}: low {low:g} is greater than high {high:g}")
        if mode is not None and not low <= mode <= high:
            raise ValueError(f"{field}: mode {mode:g} lies outside [{low:g}, {high:g}]")
        if low < 0:
            raise ValueError(f"{field}: low {low:g} must not be negative")
        if field in ROI_FRACTION_FIELDS and high > 1:
            raise ValueError(f"{field}: a fraction must lie in [0, 1], got high {high:g}")
        checked[field] = InputRange(low=low, mode=mode, high=high)
    return checked


def tornado(inputs: RoiInputs, ranges: Mapping[str, RangeSpec]) -> pd.DataFrame:
    """One-at-a-time sensitivity of the S15 ROI: each input at its low and high, the others at base.

    Returns columns field, low, high, roi_low, roi_high, swing = |roi_high − roi_low|, sorted by swing
    descending (NaN swings, from a zero run cost, last); ``attrs["base_roi"]`` is the base ROI.
    Example (S15 base): adoption 0.25…0.85 gives roi 0.5542…4.2838, swing 3.7295.
    """
    checked = validate_ranges(ranges)
    base = _base_values(inputs)
    fields = list(checked)
    columns = {name: np.full(2 * len(fields), base[name]) for name in ROI_INPUT_FIELDS}
    for position, field in enumerate(fields):
        columns[field][2 * position] = checked[field].low
        columns[field][2 * position + 1] = checked[field].high
    roi = roi_arrays(**columns)["roi"].reshape(len(fields), 2) if fields else np.empty((0, 2))
    frame = pd.DataFrame({
        "field": fields,
        "low": [checked[field].low for field in fields],
        "high": [checked[field].high for field in fields],
        "roi_low": roi[:, 0],
        "roi_high": roi[:, 1],
        "swing": np.abs(roi[:, 1] - roi[:, 0]),
    })
    frame = frame.sort_values("swing", ascending=False, kind="stable", na_position="last", ignore_index=True)
    frame.attrs["base_roi"] = float(roi_arrays(**base)["roi"])
    return frame


def _check_count(name: str, value: object, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ValueError(f"{name}: must be a whole number, got {value!r}")
    if not 1 <= value <= maximum:
        raise ValueError(f"{name}: must lie in [1, {maximum:,}], got {value:,}")
    return int(value)


def _draws(rng: np.random.Generator, field: str, spec: InputRange, base: float, n: int,
           distribution: str) -> np.ndarray | float:
    if spec.low == spec.high:
        return spec.low
    if distribution == "uniform":
        return rng.uniform(spec.low, spec.high, n)
    mode = base if spec.mode is None else spec.mode
    if not spec.low <= mode <= spec.high:
        raise ValueError(
            f"{field}: base value {mode:g} lies outside [{spec.low:g}, {spec.high:g}]; give (low, mode, high)"
        )
    return rng.triangular(spec.low, mode, spec.high, n)


def monte_carlo(
    inputs: RoiInputs,
    ranges: Mapping[str, RangeSpec] | None = None,
    n: int = 20_000,
    seed: int = 0,
    target_roi: float = 0.2,
    distribution: str = "triangular",
) -> MonteCarloResult:
    """Monte Carlo of the S15 ROI with independent inputs drawn from their ranges (S16).

    Triangular (low, mode, high) by default, a (low, high) range taking the base value as mode;
    ``distribution="uniform"`` draws from [low, high). Inputs without a range stay at base.
    Deterministic per seed (numpy ``default_rng``). P5/P50/P95 and the mean are ROI ratios;
    prob_positive = P(roi > 0), prob_above_target = P(roi > target_roi).
    Example: ``monte_carlo(S15 base)`` (default ranges, seed 0) has p50 ≈ 2.12 and prob_positive ≈ 0.997.
    """
    n = _check_count("n", n, MAX_MONTE_CARLO_DRAWS)
    if distribution not in DISTRIBUTIONS:
        raise ValueError(f"distribution: expected one of {DISTRIBUTIONS}, got {distribution!r}")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed: must be a non-negative whole number, got {seed!r}")
    target = _real("target_roi", target_roi)
    base = _base_values(inputs)
    checked = validate_ranges(default_ranges(inputs) if ranges is None else ranges)
    run_cost_low = checked["run_cost_eur_per_month"].low if "run_cost_eur_per_month" in checked else base[
        "run_cost_eur_per_month"]
    if run_cost_low <= 0:
        raise ValueError("run_cost_eur_per_month: must stay above 0 €/month, else ROI is undefined")
    rng = np.random.default_rng(seed)
    # Drawing in the fixed field order keeps a seed's samples independent of the mapping's order.
    columns = {
        name: _draws(rng, name, checked[name], base[name], n, distribution) if name in checked else base[name]
        for name in ROI_INPUT_FIELDS
    }
    samples = roi_arrays(**columns)["roi"]
    if samples.shape != (n,):
        samples = np.full(n, float(samples))
    samples.flags.writeable = False
    p5, p50, p95 = np.percentile(samples, [5.0, 50.0, 95.0])
    return MonteCarloResult(
        samples=samples,
        p5=float(p5),
        p50=float(p50),
        p95=float(p95),
        mean=float(samples.mean()),
        prob_positive=np.count_nonzero(samples > 0.0) / n,
        prob_above_target=np.count_nonzero(samples > target) / n,
        target_roi=target,
        n=n,
        seed=int(seed),
        distribution=distribution,
    )


def _scoring_matrix(use_cases: Sequence[UseCase] | pd.DataFrame) -> np.ndarray:
    if isinstance(use_cases, pd.DataFrame):
        return use_cases[list(SCORING_FIELDS)].to_numpy(dtype=float)
    return np.array(
        [[getattr(case.scoring, name) for name in SCORING_FIELDS] for case in use_cases], dtype=float
    ).reshape(-1, len(SCORING_FIELDS))


def rank_stability(
    use_cases: Sequence[UseCase] | pd.DataFrame,
    weights: ScoringWeights | None = None,
    jitter: float = 0.2,
    n: int = 500,
    seed: int = 0,
    min_value: float = 0.5,
    min_feasibility: float = 0.5,
) -> pd.DataFrame:
    """How robust each use case's S3 quadrant is against uncertain weights.

    Each weight is multiplied by U(1 − jitter, 1 + jitter) and each group renormalised to 1; for n such
    draws value and feasibility of all use cases come from two broadcasted matrix products.
    Returns a DataFrame indexed by id: quadrant (at the given weights) and stay_share in [0, 1]
    (fraction of draws in which it stays in that quadrant).
    Example: a use case with value 0.9 and feasibility 0.9 has stay_share 1.0 at jitter 0.2.
    """
    jitter = _real("jitter", jitter)
    if not 0.0 <= jitter < 1.0:
        raise ValueError(f"jitter: must lie in [0, 1), got {jitter:g}")
    n = _check_count("n", n, MAX_WEIGHT_DRAWS)
    weights = weights or ScoringWeights()
    base = score_portfolio(use_cases, weights, min_value, min_feasibility)
    matrix = _scoring_matrix(use_cases)
    value_inputs = matrix[:, :3]
    feasibility_inputs = matrix[:, 3:].copy()
    feasibility_inputs[:, 1:] = 1.0 - feasibility_inputs[:, 1:]
    base_weights = np.array([getattr(weights, name) for name in SCORING_FIELDS])
    drawn = np.random.default_rng(seed).uniform(1.0 - jitter, 1.0 + jitter, (n, len(SCORING_FIELDS)))
    drawn *= base_weights
    value_weights = drawn[:, :3] / drawn[:, :3].sum(axis=1, keepdims=True)
    feasibility_weights = drawn[:, 3:] / drawn[:, 3:].sum(axis=1, keepdims=True)
    base_high_value = (base["value"].to_numpy() >= min_value - BOUNDARY_TOLERANCE)[:, None]
    base_high_feasibility = (base["feasibility"].to_numpy() >= min_feasibility - BOUNDARY_TOLERANCE)[:, None]
    stays = np.zeros(len(base), dtype=np.int64)
    block = max(1, WEIGHT_DRAW_BLOCK_ELEMENTS // max(1, len(base)))
    for start in range(0, n, block):
        value = value_inputs @ value_weights[start:start + block].T
        feasibility = feasibility_inputs @ feasibility_weights[start:start + block].T
        same = ((value >= min_value - BOUNDARY_TOLERANCE) == base_high_value) & (
            (feasibility >= min_feasibility - BOUNDARY_TOLERANCE) == base_high_feasibility
        )
        stays += same.sum(axis=1)
    return pd.DataFrame({"quadrant": base["quadrant"], "stay_share": stays / n}, index=base.index)
