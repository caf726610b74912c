"""S16 sensitivity of the S15 ROI and of the S19 NPV and payback: scenarios, tornado, Monte Carlo, and S3 rank
stability."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from numbers import Real

import numpy as np
import pandas as pd

from core.business_case import BusinessCaseTerms, business_case_arrays
from core.models import (
    DEFAULT_SCENARIOS,
    MAX_AMOUNT,
    MAX_RAMP_MONTHS,
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

HORIZON_RANGE_FIELDS: tuple[str, ...] = ("ramp_months", "investment_eur")
"""S19 inputs that can carry a range for the "npv" and "payback" targets, beside the S15 inputs."""
HORIZON_RANGE_MAXIMA = {"ramp_months": float(MAX_RAMP_MONTHS), "investment_eur": MAX_AMOUNT}
TARGETS = ("roi", "npv", "payback")
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


@dataclass(frozen=True, eq=False)
class BusinessCaseMonteCarloResult:
    """S19 NPV (€) and payback (months) distributions of :func:`monte_carlo_business_case`.

    Samples are read-only; ``payback_samples`` is NaN where a draw does not pay back within the horizon.
    ``prob_npv_positive`` = P(NPV > 0), ``payback_share`` = P(payback within the horizon),
    ``payback_p50_month`` the median payback month (None when half the draws or more do not pay back).
    """

    npv_samples: np.ndarray
    payback_samples: np.ndarray
    npv_p5: float
    npv_p50: float
    npv_p95: float
    npv_mean: float
    prob_npv_positive: float
    payback_share: float
    payback_p50_month: int | None
    horizon_months: int
    n: int
    seed: int
    distribution: str = "triangular"


def _base_values(inputs: RoiInputs) -> dict[str, float]:
    return {name: float(getattr(inputs, name)) for name in ROI_INPUT_FIELDS}


def scenario_arrays(inputs: RoiInputs, scenarios: Sequence[Scenario] | None = None) -> dict[str, np.ndarray]:
    """S15 for each S16 scenario (base inputs with the scenario's overrides) as arrays in scenario order: the
    seven inputs, value_time, value_quality, total_value, net_value (€/month) and roi (ratio, NaN only where
    run cost is 0). The kernel of :func:`run_scenarios`, without pandas, for callers that loop over many use
    cases (the Excel pack). Example (S15 base, default scenarios): net_value [−7,025.0, 51,378.0, 106,015.0].
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
    return {**columns, **{name: results[name] for name in RESULT_COLUMNS}}


def run_scenarios(inputs: RoiInputs, scenarios: Sequence[Scenario] | None = None) -> pd.DataFrame:
    """S15 ROI for each S16 scenario (base inputs with the scenario's overrides), in one vectorised pass.

    Returns a DataFrame indexed by scenario name with the seven inputs, value_time, value_quality,
    total_value, net_value (€/month), roi (ratio, NaN only where run cost is 0) and survives
    (net_value > 0); ``frame.attrs["verdict"]`` holds :func:`scenario_verdict`.
    Example (S15 base, default scenarios): worst roi −0.39028, base 2.85433, best 5.88972,
    verdict "PoC with expiry date".
    """
    arrays = scenario_arrays(inputs, scenarios)
    chosen = DEFAULT_SCENARIOS if scenarios is None else tuple(scenarios)
    frame = pd.DataFrame(arrays, index=pd.Index([scenario.name for scenario in chosen], name="scenario"))
    frame["survives"] = frame["net_value"] > 0
    frame.attrs["verdict"] = scenario_verdict(frame)
    return frame


def verdict_of_net_values(net_values: np.ndarray) -> str:
    """S16 on the scenarios' net values (€/month): "scale candidate" when the lowest is > 0, else "PoC with
    expiry date" (see :func:`scenario_verdict`). Example: [−7,025, 51,378, 106,015] → "PoC with expiry date"."""
    if not net_values.size:
        raise ValueError("scenarios: no scenario to judge")
    return SCALE_CANDIDATE if float(net_values.min()) > 0 else POC_WITH_EXPIRY


def scenario_verdict(frame: pd.DataFrame) -> str:
    """S16: "scale candidate" when the most pessimistic scenario survives (net value > 0), else
    "PoC with expiry date".

    The most pessimistic scenario is the one with the lowest net value, whatever it is called: S16's
    fixed "worst" values (adoption 0.25, 0.8 min) are better than the base of a use case planned below
    them, and that base must not be judged a scale candidate.
    """
    if frame.empty:
        raise ValueError("scenarios: no scenario to judge")
    return verdict_of_net_values(frame["net_value"].to_numpy())


def default_ranges(
    inputs: RoiInputs, scenarios: Sequence[Scenario] | None = None, terms: BusinessCaseTerms | None = None
) -> dict[str, tuple[float, float, float]]:
    """(low, mode, high) per ROI input, mode = the base value (S16); with ``terms`` also the S19 ramp months
    and investment.

    An input that the scenarios override spans the lowest to the highest of their values and the base
    (so a use case's own edited worst/best count); with the default S16 scenarios that is adoption
    0.25…0.85 and minutes saved 0.8…3.2. Every other input spans ±20 % of its base; fractions are
    clipped to [0, 1], ramp months to at most 60. Example (S15 base): adoption (0.25, 0.62, 0.85),
    run cost (14,400, 18,000, 21,600); with the S19 worked example's terms investment (96,000, 120,000, 144,000).
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
    if terms is not None:
        for name in HORIZON_RANGE_FIELDS:
            mode = float(getattr(terms, name))
            high = mode * (1.0 + DEFAULT_RELATIVE_SPREAD)
            ranges[name] = (mode * (1.0 - DEFAULT_RELATIVE_SPREAD), mode,
                            min(high, float(MAX_RAMP_MONTHS)) if name == "ramp_months" else high)
    return ranges


def _real(field: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ValueError(f"{field}: range bounds must be numbers, got {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{field}: range bounds must be finite, got {number}")
    return number


def validate_ranges(ranges: Mapping[str, RangeSpec], horizon: bool = False) -> dict[str, InputRange]:
    """Check (low, high) or (low, mode, high) ranges keyed by RoiInputs field names, with ``horizon`` also by
    ``HORIZON_RANGE_FIELDS`` (S19 ramp months and investment).

    Raises ValueError naming the field for unknown names, non-finite bounds, low > high, a mode outside
    [low, high], fractions outside [0, 1], ramp months above 60 and negative money, counts or months.
    """
    known = ROI_INPUT_FIELDS + HORIZON_RANGE_FIELDS if horizon else ROI_INPUT_FIELDS
    checked: dict[str, InputRange] = {}
    for field, spec in ranges.items():
        if field not in known:
            kind = "input" if horizon else "ROI input"
            raise ValueError(f"{field}: unknown {kind}, expected one of {', '.join(known)}")
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
        maximum = HORIZON_RANGE_MAXIMA.get(field, math.inf)
        if high > maximum:
            raise ValueError(f"{field}: high {high:g} exceeds the maximum {maximum:g}")
        checked[field] = InputRange(low=low, mode=mode, high=high)
    return checked


def tornado(
    inputs: RoiInputs,
    ranges: Mapping[str, RangeSpec],
    target: str = "roi",
    terms: BusinessCaseTerms | None = None,
) -> pd.DataFrame:
    """One-at-a-time sensitivity: each input at its low and high, the others at base (S16; S19 for NPV/payback).

    ``target`` "roi" (the S15 ROI, ratio), "npv" (S19 NPV in €) or "payback" (S19 payback month); the last two
    need the use case's ``terms`` and also accept ranges for ``ramp_months`` and ``investment_eur``.
    Returns columns field, low, high, {target}_low, {target}_high, swing = |high − low| of the target, sorted
    by swing descending (NaN swings last); ``attrs["base_{target}"]`` is the base figure, ``attrs["target"]``
    the target. A payback beyond the horizon is NaN and counts as horizon + 1 months in the swing.
    Example (S15 base): adoption 0.25…0.85 gives roi 0.5542…4.2838, swing 3.7295.
    """
    if target not in TARGETS:
        raise ValueError(f"target: expected one of {', '.join(TARGETS)}, got {target!r}")
    if target == "roi":
        return _roi_tornado(inputs, ranges)
    if terms is None:
        raise ValueError(f"terms: the target '{target}' needs the use case's business case terms")
    return _horizon_tornado(inputs, ranges, target, terms)


def _roi_tornado(inputs: RoiInputs, ranges: Mapping[str, RangeSpec]) -> pd.DataFrame:
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


def _horizon_base(inputs: RoiInputs, terms: BusinessCaseTerms) -> dict[str, float]:
    return {**_base_values(inputs), **{name: float(getattr(terms, name)) for name in HORIZON_RANGE_FIELDS}}


def _horizon_figures(columns: Mapping[str, np.ndarray | float], terms: BusinessCaseTerms,
                     with_payback: bool) -> dict[str, np.ndarray]:
    """S19 NPV (and payback months) for broadcast columns of S15 inputs, ramp months and investment."""
    value = roi_arrays(**{name: columns[name] for name in ROI_INPUT_FIELDS})["total_value"]
    return business_case_arrays(
        value, columns["run_cost_eur_per_month"], columns["investment_eur"], terms.horizon_months,
        columns["ramp_months"], terms.ramp_shape == "s_curve", terms.run_cost_escalation_per_year,
        terms.discount_rate_per_year, with_payback=with_payback,
    )


def _horizon_tornado(inputs: RoiInputs, ranges: Mapping[str, RangeSpec], target: str,
                     terms: BusinessCaseTerms) -> pd.DataFrame:
    checked = validate_ranges(ranges, horizon=True)
    base = _horizon_base(inputs, terms)
    fields = list(checked)
    columns = {name: np.full(2 * len(fields), value) for name, value in base.items()}
    for position, field in enumerate(fields):
        columns[field][2 * position] = checked[field].low
        columns[field][2 * position + 1] = checked[field].high
    key = "npv_eur" if target == "npv" else "payback_month"
    figures = _horizon_figures(columns, terms, target == "payback")[key].reshape(len(fields), 2)
    comparable = np.nan_to_num(figures, nan=terms.horizon_months + 1.0) if target == "payback" else figures
    frame = pd.DataFrame({
        "field": fields,
        "low": [checked[field].low for field in fields],
        "high": [checked[field].high for field in fields],
        f"{target}_low": figures[:, 0],
        f"{target}_high": figures[:, 1],
        "swing": np.abs(comparable[:, 1] - comparable[:, 0]),
    })
    frame = frame.sort_values("swing", ascending=False, kind="stable", na_position="last", ignore_index=True)
    frame.attrs[f"base_{target}"] = float(_horizon_figures(base, terms, target == "payback")[key])
    frame.attrs["target"] = target
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


def _check_draw_arguments(n: object, seed: object, distribution: str) -> int:
    count = _check_count("n", n, MAX_MONTE_CARLO_DRAWS)
    if distribution not in DISTRIBUTIONS:
        raise ValueError(f"distribution: expected one of {DISTRIBUTIONS}, got {distribution!r}")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed: must be a non-negative whole number, got {seed!r}")
    return count


def _drawn_columns(checked: Mapping[str, RangeSpec], base: Mapping[str, float], fields: Sequence[str], n: int,
                   seed: int, distribution: str) -> dict[str, np.ndarray | float]:
    """Per field, ``n`` draws from its range, or its base value where it has none (S16).

    Drawing in the fixed field order keeps a seed's samples independent of the mapping's order.
    """
    rng = np.random.default_rng(seed)
    return {name: _draws(rng, name, checked[name], base[name], n, distribution) if name in checked else base[name]
            for name in fields}


def _check_run_cost_stays_positive(checked: Mapping[str, RangeSpec], base: Mapping[str, float]) -> None:
    field = "run_cost_eur_per_month"
    if (checked[field].low if field in checked else base[field]) <= 0:
        raise ValueError("run_cost_eur_per_month: must stay above 0 €/month, else ROI is undefined")


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
    n = _check_draw_arguments(n, seed, distribution)
    target = _real("target_roi", target_roi)
    base = _base_values(inputs)
    checked = validate_ranges(default_ranges(inputs) if ranges is None else ranges)
    _check_run_cost_stays_positive(checked, base)
    samples = roi_arrays(**_drawn_columns(checked, base, ROI_INPUT_FIELDS, n, seed, distribution))["roi"]
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


def monte_carlo_business_case(
    inputs: RoiInputs,
    terms: BusinessCaseTerms,
    ranges: Mapping[str, RangeSpec] | None = None,
    n: int = 20_000,
    seed: int = 0,
    distribution: str = "triangular",
) -> BusinessCaseMonteCarloResult:
    """Monte Carlo of the S19 NPV and payback month with independent inputs drawn from their ranges (S16, S19).

    Ranges may cover the S15 inputs, ``ramp_months`` (drawn as a real number of months) and ``investment_eur``;
    ``None`` takes :func:`default_ranges` with ``terms``. Draws as in :func:`monte_carlo`, in the fixed order
    S15 inputs, ramp months, investment, so a seed draws the same S15 inputs in both. Horizon, ramp shape,
    escalation and discount rate stay at ``terms``. Deterministic per seed; the draws are evaluated in blocks
    (``core.business_case.BLOCK_CELLS``).
    Example: S15 base with S19's worked-example terms (default ranges, seed 0) → prob_npv_positive ≈ 0.99.
    """
    n = _check_draw_arguments(n, seed, distribution)
    base = _horizon_base(inputs, terms)
    checked = validate_ranges(default_ranges(inputs, terms=terms) if ranges is None else ranges, horizon=True)
    columns = _drawn_columns(checked, base, ROI_INPUT_FIELDS + HORIZON_RANGE_FIELDS, n, seed, distribution)
    figures = _horizon_figures(columns, terms, with_payback=True)
    npv_samples = np.broadcast_to(figures["npv_eur"], (n,)).copy()
    payback_samples = np.broadcast_to(figures["payback_month"], (n,)).copy()
    npv_samples.flags.writeable = False
    payback_samples.flags.writeable = False
    return _business_case_summary(npv_samples, payback_samples, terms, n, seed, distribution)


def _business_case_summary(npv_samples: np.ndarray, payback_samples: np.ndarray, terms: BusinessCaseTerms, n: int,
                           seed: int, distribution: str) -> BusinessCaseMonteCarloResult:
    """The NPV percentiles (€), the share of draws with NPV > 0 and with payback, and the median payback month."""
    p5, p50, p95 = np.percentile(npv_samples, [5.0, 50.0, 95.0])
    median_payback = float(np.quantile(np.nan_to_num(payback_samples, nan=np.inf), 0.5, method="inverted_cdf"))
    return BusinessCaseMonteCarloResult(
        npv_samples=npv_samples,
        payback_samples=payback_samples,
        npv_p5=float(p5),
        npv_p50=float(p50),
        npv_p95=float(p95),
        npv_mean=float(npv_samples.mean()),
        prob_npv_positive=np.count_nonzero(npv_samples > 0.0) / n,
        payback_share=np.count_nonzero(~np.isnan(payback_samples)) / n,
        payback_p50_month=int(median_payback) if math.isfinite(median_payback) else None,
        horizon_months=terms.horizon_months,
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


def _jittered_weights(weights: ScoringWeights, jitter: float, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` draws of the value and the feasibility weights, each multiplied by U(1 − jitter, 1 + jitter) and
    renormalised to 1 per group: arrays of shape (n, 3) and (n, 4)."""
    drawn = np.random.default_rng(seed).uniform(1.0 - jitter, 1.0 + jitter, (n, len(SCORING_FIELDS)))
    drawn *= np.array([getattr(weights, name) for name in SCORING_FIELDS])
    return (drawn[:, :3] / drawn[:, :3].sum(axis=1, keepdims=True),
            drawn[:, 3:] / drawn[:, 3:].sum(axis=1, keepdims=True))


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
    value_weights, feasibility_weights = _jittered_weights(weights, jitter, n, seed)
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
