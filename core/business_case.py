"""S19 business case over a horizon: monthly cash flows, NPV, IRR, payback and horizon ROI.

Month 0 carries the one-time investment C0 (a negative flow); months 1..H carry the ramped S15 value minus
the escalated run cost. Every kernel is numpy-vectorised: one use case is the one-row case of the portfolio.
Money is in €, rates are fractions (0.08 = 8 %), months are whole months counted from the investment.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from core.models import (
    DEFAULT_DISCOUNT_RATE_PER_YEAR,
    MAX_HORIZON_MONTHS,
    MAX_RAMP_MONTHS,
    RAMP_SHAPES,
    ROI_INPUT_FIELDS,
    RampShape,
    RoiInputs,
    UseCase,
)
from core.roi import roi_arrays

if TYPE_CHECKING:
    import pandas as pd

MONTHS_PER_YEAR = 12
NO_SIGN_CHANGE_REASON = "the cash flows never change sign: IRR is undefined"
NO_ROOT_REASON = "no finite monthly rate of at least −99 % makes the NPV 0: IRR is undefined"
NO_COST_REASON = "run cost and investment are both 0 €: horizon ROI is undefined"
TINY_COST_REASON = "run cost and investment are too close to 0 € for a finite horizon ROI"
TABLE_COLUMNS: tuple[str, ...] = ("month", "value_eur", "run_cost_eur", "net_eur", "cumulative_eur", "discounted_eur")

# The IRR search runs over x = 1 / (1 + r), where the NPV is the polynomial Σ flows[m]·x^m. The grid spans
# x = 0 (r → ∞) and x from 10⁻⁶ (r ≈ 10⁶ per month) to 100 (r = −0.99); 100^120 stays finite.
_IRR_GRID_X = np.concatenate(([0.0], np.geomspace(1e-6, 100.0, 1000)))
_IRR_GRID_POWERS = _IRR_GRID_X[:, None] ** np.arange(MAX_HORIZON_MONTHS + 1)
_IRR_GRID_POWERS.flags.writeable = False
BLOCK_CELLS = 16_000
"""Portfolio and Monte Carlo rows are evaluated in blocks of at most this many (row × month) cells: temporaries
under 128 KiB stay in the CPU cache and on the malloc heap, where larger ones are mapped afresh on every call and
page-fault (measured here: 2,000 use cases × 121 months, 12 ms CPU and ~1,400 page faults in one block, 6–7 ms
and none in blocks)."""
_ROOT_ITERATIONS = 200
_ROOT_RELATIVE_TOLERANCE = 4 * np.finfo(float).eps


@dataclass(frozen=True, slots=True)
class BusinessCaseTerms:
    """The resolved S19 inputs of one use case beyond the S15 values.

    ``ramp_months`` may be fractional (a Monte Carlo draw); ``discount_rate_per_year`` is already resolved
    (the use case's own rate, else the workspace default). Raises ValueError naming the field.
    Example: ``BusinessCaseTerms(investment_eur=120_000)`` is S19's worked example (36 months, 6-month linear
    ramp, no escalation, 8 % per year).
    """

    investment_eur: float = 0.0
    horizon_months: int = 36
    ramp_months: float = 6.0
    ramp_shape: RampShape = "linear"
    run_cost_escalation_per_year: float = 0.0
    discount_rate_per_year: float = DEFAULT_DISCOUNT_RATE_PER_YEAR

    def __post_init__(self) -> None:
        if isinstance(self.horizon_months, bool) or not isinstance(self.horizon_months, int | np.integer):
            raise ValueError(f"horizon_months: must be a whole number of months, got {self.horizon_months!r}")
        if not 1 <= self.horizon_months <= MAX_HORIZON_MONTHS:
            raise ValueError(f"horizon_months: must lie in [1, {MAX_HORIZON_MONTHS}], got {self.horizon_months}")
        if self.ramp_shape not in RAMP_SHAPES:
            raise ValueError(f"ramp_shape: expected one of {RAMP_SHAPES}, got {self.ramp_shape!r}")
        bounds = {
            "investment_eur": (0.0, math.inf),
            "ramp_months": (0.0, float(MAX_RAMP_MONTHS)),
            "run_cost_escalation_per_year": (0.0, 1.0),
            "discount_rate_per_year": (0.0, 1.0),
        }
        for field, (low, high) in bounds.items():
            value = getattr(self, field)
            if isinstance(value, bool) or not isinstance(value, int | float | np.number) or not math.isfinite(value):
                raise ValueError(f"{field}: must be a finite number, got {value!r}")
            if not low <= value <= high:
                raise ValueError(f"{field}: must lie in [{low:g}, {high:g}], got {value:g}")

    @classmethod
    def of(cls, use_case: UseCase, default_discount_rate_per_year: float = DEFAULT_DISCOUNT_RATE_PER_YEAR
           ) -> BusinessCaseTerms:
        """The terms of ``use_case``: C0 from its cost blocks, its own rate or else the workspace default."""
        case = use_case.business_case
        rate = case.discount_rate_per_year
        return cls(
            investment_eur=use_case.investment_eur,
            horizon_months=case.horizon_months,
            ramp_months=float(case.ramp_months),
            ramp_shape=case.ramp_shape,
            run_cost_escalation_per_year=case.run_cost_escalation_per_year,
            discount_rate_per_year=default_discount_rate_per_year if rate is None else rate,
        )


@dataclass(frozen=True, eq=False)
class CashFlowTable:
    """S19 monthly table, one read-only array per column, months 0..H; month 0 holds −C0 and no value or run cost.

    ``discounted_eur`` is the net flow of the month divided by (1 + d)^m.
    """

    month: np.ndarray
    value_eur: np.ndarray
    run_cost_eur: np.ndarray
    net_eur: np.ndarray
    cumulative_eur: np.ndarray
    discounted_eur: np.ndarray

    def rows(self) -> list[dict[str, float | int]]:
        """One dict per month with the ``TABLE_COLUMNS`` keys, plain Python numbers (JSON-ready)."""
        columns = [getattr(self, name).tolist() for name in TABLE_COLUMNS]
        return [dict(zip(TABLE_COLUMNS, values, strict=True)) for values in zip(*columns, strict=True)]

    def to_frame(self) -> pd.DataFrame:
        """The table as a DataFrame with the ``TABLE_COLUMNS`` columns."""
        import pandas as pd

        return pd.DataFrame({name: getattr(self, name) for name in TABLE_COLUMNS})


@dataclass(frozen=True, eq=False)
class BusinessCaseResult:
    """S19 results of one use case. Undefined figures are None, with a reason for IRR and horizon ROI.

    ``irr_monthly`` and ``irr_annual`` are rates (0.22124 = 22.124 % per month), ``horizon_roi`` a ratio,
    payback months count from the investment (0 = paid back at once, None = not within the horizon).
    """

    investment_eur: float
    npv_eur: float
    irr_monthly: float | None
    irr_annual: float | None
    payback_month: int | None
    discounted_payback_month: int | None
    horizon_roi: float | None
    months: CashFlowTable
    horizon_months: int
    discount_rate_per_year: float
    irr_reason: str | None = None
    horizon_roi_reason: str | None = None

    def to_json_dict(self) -> dict[str, Any]:
        """The result as JSON-ready dict; ``months`` is a list of row dicts, undefined values are None."""
        return {
            "investment_eur": self.investment_eur,
            "npv_eur": self.npv_eur,
            "irr_monthly": self.irr_monthly,
            "irr_annual": self.irr_annual,
            "payback_month": self.payback_month,
            "discounted_payback_month": self.discounted_payback_month,
            "horizon_roi": self.horizon_roi,
            "horizon_months": self.horizon_months,
            "discount_rate_per_year": self.discount_rate_per_year,
            "irr_reason": self.irr_reason,
            "horizon_roi_reason": self.horizon_roi_reason,
            "months": self.months.rows(),
        }


def monthly_discount_rate(discount_rate_per_year: np.ndarray | float) -> np.ndarray | float:
    """S19: d = (1 + i)^(1/12) − 1, the monthly rate equivalent to the annual rate i.

    Example: ``monthly_discount_rate(0.08)`` → 0.0064340… (0.643 % per month).
    """
    return np.power(1.0 + np.asarray(discount_rate_per_year, dtype=float), 1.0 / MONTHS_PER_YEAR) - 1.0


def _column(values: np.ndarray | float) -> np.ndarray:
    """A scalar stays 0-d, an (n,) array becomes (n, 1): both broadcast against a row of months."""
    array = np.asarray(values, dtype=float)
    return array[..., None] if array.ndim else array


def ramp_factors(months: np.ndarray, ramp_months: np.ndarray | float, s_curve: np.ndarray | bool) -> np.ndarray:
    """S19 adoption ramp in [0, 1]: r = min(1, m / R), linear r or s-curve 3r² − 2r³; 1 when R = 0.

    Arrays broadcast. Example: ``ramp_factors(np.array([1, 3, 6]), 6, False)`` → [1/6, 0.5, 1];
    with ``s_curve=True`` → [0.0741, 0.5, 1].
    """
    ramp = np.asarray(ramp_months, dtype=float)
    positive = ramp > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(positive, np.minimum(1.0, months / np.where(positive, ramp, 1.0)), 1.0)
    return np.where(s_curve, share * share * (3.0 - 2.0 * share), share)


def escalation_factors(months: np.ndarray, run_cost_escalation_per_year: np.ndarray | float) -> np.ndarray:
    """S19 run-cost factor (1 + g)^floor((m − 1) / 12): 1 in months 1–12, 1 + g in months 13–24, ….

    Example: ``escalation_factors(np.array([12, 13, 25]), 0.1)`` → [1, 1.1, 1.21].
    """
    years = np.floor_divide(np.asarray(months) - 1, MONTHS_PER_YEAR)
    return np.power(1.0 + np.asarray(run_cost_escalation_per_year, dtype=float), years)


def _shared_rows(values: np.ndarray | float, build: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """``build(values as a column)``, computed once per distinct value: a portfolio repeats its rates, ramps and
    escalations, and a row of powers costs far more than a gather."""
    array = np.asarray(values, dtype=float)
    if array.ndim == 0:
        return build(array)
    distinct, inverse = np.unique(array, return_inverse=True)
    return build(distinct[:, None])[inverse]


def _ramp_rows(months: np.ndarray, ramp_months: np.ndarray | float, s_curve: np.ndarray | bool) -> np.ndarray:
    curve = np.asarray(s_curve, dtype=bool)
    if curve.ndim == 0:
        return _shared_rows(ramp_months, lambda column: ramp_factors(months, column, bool(curve)))
    ramp = np.broadcast_to(np.asarray(ramp_months, dtype=float), curve.shape)
    rows = np.empty((curve.size, months.size))
    for shape in (False, True):
        chosen = curve == shape
        if chosen.any():
            rows[chosen] = _shared_rows(ramp[chosen], lambda column, shape=shape: ramp_factors(months, column, shape))
    return rows


def _writable_full(rows: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """``rows`` itself when it already has ``shape`` (callers pass freshly computed rows), else a full copy."""
    return rows if rows.shape == shape and rows.flags.writeable else np.array(np.broadcast_to(rows, shape))


def cash_flow_arrays(
    steady_value_eur_per_month: np.ndarray | float,
    run_cost_eur_per_month: np.ndarray | float,
    investment_eur: np.ndarray | float,
    horizon_months: np.ndarray | int,
    ramp_months: np.ndarray | float,
    s_curve: np.ndarray | bool,
    run_cost_escalation_per_year: np.ndarray | float,
    months_max: int | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """S19 kernel: (value, run cost, flows) in € per month, each with one column per month 0..months_max.

    Every input is a scalar or an (n,) array (one entry per use case or draw); the outputs then have shape
    (n, months_max + 1), or (months_max + 1,) when every input is a scalar. Months after a row's horizon are 0,
    so sums over a row are sums over its own horizon. ``flows[..., 0]`` is −C0; ``months_max`` defaults to the
    largest horizon. ``steady_value_eur_per_month`` is the S15 total value (value_time + value_quality).
    Example: steady value 69,378, run 18,000, C0 120,000, H 36, R 6 linear, g 0 → flows[1] = −6,437.
    """
    horizon = np.asarray(horizon_months)
    last = int(horizon.max()) if months_max is None else months_max
    months = np.arange(last + 1)
    active = (months >= 1) & (months <= _column(horizon))
    shape = np.broadcast_shapes(active.shape, *(np.shape(_column(values)) for values in (
        steady_value_eur_per_month, run_cost_eur_per_month, investment_eur, ramp_months, s_curve,
        run_cost_escalation_per_year)))
    # In place on the fresh full-size rows: in a VM a new (2,000 × 121) array costs more (page faults) than
    # the arithmetic on it.
    value = _writable_full(_ramp_rows(months, ramp_months, s_curve), shape)
    value *= _column(steady_value_eur_per_month)
    value *= active
    run = _writable_full(_shared_rows(run_cost_escalation_per_year, lambda column: escalation_factors(months, column)),
                         shape)
    run *= _column(run_cost_eur_per_month)
    run *= active
    flows = value - run
    flows[..., 0] -= np.asarray(investment_eur, dtype=float)
    return value, run, flows


def discounted(flows: np.ndarray, monthly_rate: np.ndarray | float) -> np.ndarray:
    """Each month's flow divided by (1 + d)^m, month m = column index; ``monthly_rate`` scalar or (n,)."""
    months = np.arange(np.shape(flows)[-1])
    growth = _shared_rows(monthly_rate, lambda column: np.power(1.0 + column, months))
    if growth.shape == np.shape(flows):
        return np.divide(flows, growth, out=growth)
    return flows / growth


def npv(rate: np.ndarray | float, cash_flows: np.ndarray | Sequence[float]) -> np.ndarray | float:
    """Net present value Σ_m flows[m] / (1 + rate)^m, flows[0] undiscounted (numpy-financial's ``npv``).

    ``rate`` is per period (per month in S19); ``cash_flows`` is (months + 1,) or (n, months + 1) with a scalar
    or (n,) rate. Example: ``npv(0.1, [-100, 60, 60])`` → 4.1322….
    """
    return discounted(np.asarray(cash_flows, dtype=float), rate).sum(axis=-1)


def first_month_reached(cash_flows: np.ndarray) -> np.ndarray:
    """Per row the first month m with Σ_{k≤m} flows[k] ≥ 0, as float (NaN when never reached), S19 payback.

    Months after a row's horizon hold 0 flows, so a row reached there was reached at its horizon already.
    Example: ``first_month_reached(np.array([-100, 60, 60]))`` → 2.0.
    """
    reached = np.cumsum(cash_flows, axis=-1) >= 0.0
    first = np.argmax(reached, axis=-1).astype(float)
    return np.where(reached.any(axis=-1), first, np.nan)


def _month_or_none(value: float) -> int | None:
    return None if math.isnan(value) else int(value)


def payback_month(cash_flows: np.ndarray | Sequence[float]) -> int | None:
    """S19 payback: the first month m with Σ_{k≤m} flows[k] ≥ 0, None if none. Example: [-100, 60, 60] → 2."""
    return _month_or_none(float(first_month_reached(np.asarray(cash_flows, dtype=float))))


def discounted_payback_month(cash_flows: np.ndarray | Sequence[float], monthly_rate: float) -> int | None:
    """S19 discounted payback: like :func:`payback_month` on the discounted flows.

    Example: ``discounted_payback_month([-100, 60, 50], 0.1)`` → None (54.5 + 41.3 < 100).
    """
    return _month_or_none(float(first_month_reached(discounted(np.asarray(cash_flows, dtype=float), monthly_rate))))


def _has_sign_change(flows: np.ndarray) -> bool:
    return bool((flows > 0).any() and (flows < 0).any())


def _polynomial(flows: np.ndarray, x: float) -> float:
    return float(np.dot(flows, np.power(x, np.arange(flows.size))))


def _bracketed_root(flows: np.ndarray, low: float, high: float, f_low: float, f_high: float) -> float:
    """Illinois regula falsi on [low, high] with f(low)·f(high) < 0; falls back to bisection on a bad step."""
    side = 0
    for _ in range(_ROOT_ITERATIONS):
        if high - low <= _ROOT_RELATIVE_TOLERANCE * max(abs(low), abs(high)):
            break
        # Python floats: an end at ±inf or both ends at 0 give NaN (then bisection), not a numpy warning.
        slope = float(f_high) - float(f_low)
        x = (low * float(f_high) - high * float(f_low)) / slope if slope else math.nan
        if not low < x < high:
            x = 0.5 * (low + high)
        f_x = _polynomial(flows, x)
        if f_x == 0.0:
            return x
        if (f_x > 0) == (f_high > 0):
            high, f_high = x, f_x
            if side == 1:
                f_low *= 0.5
            side = 1
        else:
            low, f_low = x, f_x
            if side == -1:
                f_high *= 0.5
            side = -1
    return 0.5 * (low + high)


def _irr_with_reason(cash_flows: np.ndarray | Sequence[float]) -> tuple[float | None, str | None]:
    flows = np.asarray(cash_flows, dtype=float)
    if not np.isfinite(flows).all() or not _has_sign_change(flows):
        return None, NO_SIGN_CHANGE_REASON
    scaled = flows / np.abs(flows).max()
    # Beyond 120 months the shared grid has no powers; such flows get their own (slower) grid.
    powers = (_IRR_GRID_POWERS[:, :scaled.size] if scaled.size <= _IRR_GRID_POWERS.shape[1]
              else _IRR_GRID_X[:, None] ** np.arange(scaled.size))
    values = powers @ scaled
    roots = [float(x) for x in _IRR_GRID_X[1:][values[1:] == 0.0]]
    signs = np.sign(values)
    for k in np.flatnonzero(signs[:-1] * signs[1:] < 0):
        roots.append(_bracketed_root(scaled, _IRR_GRID_X[k], _IRR_GRID_X[k + 1], values[k], values[k + 1]))
    with np.errstate(over="ignore", divide="ignore"):
        rates = [rate for rate in (1.0 / np.float64(x) - 1.0 for x in roots) if math.isfinite(rate)]
    if not rates:
        return None, NO_ROOT_REASON
    return float(min(rates, key=abs)), None


def irr_monthly(cash_flows: np.ndarray | Sequence[float]) -> float | None:
    """S19 monthly IRR: the rate r ≥ −0.99 with NPV(r) = 0, None when the flows never change sign or no root.

    The search brackets every sign change of the NPV on a 1,000-point grid of 1 / (1 + r) and refines each
    bracket to machine precision. Conventional flows (one sign change) have exactly one root; with several,
    the root closest to 0 is returned (numpy-financial's ``irr`` rule). Roots closer together than the grid
    step (about 2 % in 1 + r) or touching zero without a sign change are not seen.
    Example: ``irr_monthly([-100, 60, 60])`` → 0.1306624…; S19 worked example → 0.22124….
    """
    return _irr_with_reason(cash_flows)[0]


def annual_rate(monthly_rate: float | None) -> float | None:
    """(1 + r)^12 − 1, None stays None (and so does an overflow). Example: 0.01 → 0.126825…."""
    if monthly_rate is None:
        return None
    try:
        annual = (1.0 + float(monthly_rate)) ** MONTHS_PER_YEAR - 1.0
    except OverflowError:
        return None
    return annual if math.isfinite(annual) else None


def irr_annual(cash_flows: np.ndarray | Sequence[float]) -> float | None:
    """S19 IRR per year: (1 + irr_monthly)^12 − 1, None when the monthly IRR is undefined.

    Example: ``irr_annual`` of S19's worked example → 10.0057… (1,000.6 % per year).
    """
    return annual_rate(irr_monthly(cash_flows))


def horizon_roi(total_value_eur: float, total_run_cost_eur: float, investment_eur: float
                ) -> tuple[float | None, str | None]:
    """S19 horizon ROI = (Σ value − Σ run − C0) / (Σ run + C0), a ratio; returns (roi, reason).

    None with a reason when the denominator is 0 (no run cost and no investment) or so small that the ratio
    is not finite. Example: S19 worked example → (2.02625…, None).
    """
    cost = total_run_cost_eur + investment_eur
    if cost == 0:
        return None, NO_COST_REASON
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        ratio = float(np.divide(total_value_eur - cost, cost))
    return (ratio, None) if math.isfinite(ratio) else (None, TINY_COST_REASON)


def _read_only(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


def business_case(inputs: RoiInputs, terms: BusinessCaseTerms) -> BusinessCaseResult:
    """S19 business case of one use case: the monthly table and every headline figure.

    Example (S19): S15 base inputs with ``BusinessCaseTerms(investment_eur=120_000)`` → month-1 value 11,563 €,
    net −6,437 €; NPV 1,355,448.04 €; IRR 22.124 % per month; payback month 6; horizon ROI 2.02625.
    """
    steady = float(roi_arrays(*(getattr(inputs, name) for name in ROI_INPUT_FIELDS))["total_value"])
    value, run, flows = cash_flow_arrays(steady, inputs.run_cost_eur_per_month, terms.investment_eur,
                                         terms.horizon_months, terms.ramp_months, terms.ramp_shape == "s_curve",
                                         terms.run_cost_escalation_per_year)
    monthly_rate = float(monthly_discount_rate(terms.discount_rate_per_year))
    discounted_flows = discounted(flows, monthly_rate)
    table = CashFlowTable(
        month=_read_only(np.arange(terms.horizon_months + 1)),
        value_eur=_read_only(value),
        run_cost_eur=_read_only(run),
        net_eur=_read_only(flows),
        cumulative_eur=_read_only(np.cumsum(flows)),
        discounted_eur=_read_only(discounted_flows),
    )
    irr, irr_reason = _irr_with_reason(flows)
    roi, roi_reason = horizon_roi(math.fsum(value), math.fsum(run), terms.investment_eur)
    return BusinessCaseResult(
        investment_eur=terms.investment_eur,
        npv_eur=float(discounted_flows.sum()),
        irr_monthly=irr,
        irr_annual=annual_rate(irr),
        payback_month=_month_or_none(float(first_month_reached(flows))),
        discounted_payback_month=_month_or_none(float(first_month_reached(discounted_flows))),
        horizon_roi=roi,
        months=table,
        horizon_months=terms.horizon_months,
        discount_rate_per_year=terms.discount_rate_per_year,
        irr_reason=irr_reason if irr is None else None,
        horizon_roi_reason=roi_reason,
    )


def use_case_business_case(use_case: UseCase, default_discount_rate_per_year: float = DEFAULT_DISCOUNT_RATE_PER_YEAR
                           ) -> BusinessCaseResult:
    """S19 business case of a use case, its own discount rate or else ``default_discount_rate_per_year``."""
    return business_case(use_case.roi, BusinessCaseTerms.of(use_case, default_discount_rate_per_year))


@dataclass(frozen=True, eq=False)
class PortfolioBusinessCase:
    """S19 figures of a portfolio, one entry per use case in input order; read-only arrays.

    Payback months are floats with NaN where the use case does not pay back within its horizon; they are
    None (not computed) when the portfolio call did not ask for them.
    """

    ids: tuple[str, ...]
    investment_eur: np.ndarray
    npv_eur: np.ndarray
    payback_month: np.ndarray | None = None
    discounted_payback_month: np.ndarray | None = None


def portfolio_arrays(use_cases: Sequence[UseCase], default_discount_rate_per_year: float
                     ) -> dict[str, np.ndarray]:
    """The S15 and S19 inputs of every use case as (n,) arrays, keyed like :func:`business_case_arrays`'s
    parameters (``discount_rate_per_year``: each use case's own rate, else the default)."""
    rois = [case.roi for case in use_cases]
    plans = [case.business_case for case in use_cases]
    roi_columns = [np.array([getattr(roi, name) for roi in rois], dtype=float) for name in ROI_INPUT_FIELDS]
    return {
        "steady_value_eur_per_month": roi_arrays(*roi_columns)["total_value"],
        "run_cost_eur_per_month": roi_columns[ROI_INPUT_FIELDS.index("run_cost_eur_per_month")],
        "investment_eur": np.array([case.investment_eur for case in use_cases], dtype=float),
        "horizon_months": np.array([plan.horizon_months for plan in plans], dtype=int),
        "ramp_months": np.array([plan.ramp_months for plan in plans], dtype=float),
        "s_curve": np.array([plan.ramp_shape == "s_curve" for plan in plans], dtype=bool),
        "run_cost_escalation_per_year": np.array([plan.run_cost_escalation_per_year for plan in plans], dtype=float),
        "discount_rate_per_year": np.array([default_discount_rate_per_year if plan.discount_rate_per_year is None
                                            else plan.discount_rate_per_year for plan in plans], dtype=float),
    }


def _block_figures(inputs: tuple[Any, ...], with_payback: bool) -> dict[str, np.ndarray]:
    *flow_inputs, discount_rate_per_year = inputs
    _, _, flows = cash_flow_arrays(*flow_inputs)
    discounted_flows = discounted(flows, monthly_discount_rate(discount_rate_per_year))
    figures = {"npv_eur": discounted_flows.sum(axis=-1)}
    if with_payback:
        figures["payback_month"] = first_month_reached(flows)
        figures["discounted_payback_month"] = first_month_reached(discounted_flows)
    return figures


def business_case_arrays(
    steady_value_eur_per_month: np.ndarray | float,
    run_cost_eur_per_month: np.ndarray | float,
    investment_eur: np.ndarray | float,
    horizon_months: np.ndarray | int,
    ramp_months: np.ndarray | float,
    s_curve: np.ndarray | bool,
    run_cost_escalation_per_year: np.ndarray | float,
    discount_rate_per_year: np.ndarray | float,
    with_payback: bool = False,
) -> dict[str, np.ndarray]:
    """S19 NPV (€) per row, and with ``with_payback`` payback and discounted payback months (NaN = none).

    Inputs as in :func:`cash_flow_arrays`, scalars or (n,) arrays: (rows × months) matrices with the months after
    each row's horizon masked, evaluated in blocks of about ``BLOCK_CELLS`` cells.
    Example: the S19 worked example as 1-element arrays → npv_eur [1,355,448.04].
    """
    inputs = (steady_value_eur_per_month, run_cost_eur_per_month, investment_eur, horizon_months, ramp_months,
              s_curve, run_cost_escalation_per_year, discount_rate_per_year)
    shape = np.broadcast_shapes(*(np.shape(value) for value in inputs))
    if not shape:
        return _block_figures(inputs, with_payback)
    rows = shape[0]
    block = max(1, BLOCK_CELLS // (int(np.max(horizon_months)) + 1))
    names = ("npv_eur", "payback_month", "discounted_payback_month") if with_payback else ("npv_eur",)
    figures = {name: np.empty(rows) for name in names}
    for start in range(0, rows, block):
        part = tuple(value[start:start + block] if np.ndim(value) else value for value in inputs)
        for name, values in _block_figures(part, with_payback).items():
            figures[name][start:start + block] = values
    return figures


def _portfolio(use_cases: Sequence[UseCase], default_discount_rate_per_year: float, with_payback: bool
               ) -> PortfolioBusinessCase:
    arrays = portfolio_arrays(use_cases, default_discount_rate_per_year)
    if not use_cases:
        empty = _read_only(np.empty(0))
        return PortfolioBusinessCase((), empty, empty, empty if with_payback else None,
                                     empty if with_payback else None)
    figures = business_case_arrays(with_payback=with_payback, **arrays)
    return PortfolioBusinessCase(
        ids=tuple(case.id for case in use_cases),
        investment_eur=_read_only(arrays["investment_eur"]),
        npv_eur=_read_only(figures["npv_eur"]),
        payback_month=_read_only(figures["payback_month"]) if with_payback else None,
        discounted_payback_month=_read_only(figures["discounted_payback_month"]) if with_payback else None,
    )


def portfolio_npv(use_cases: Sequence[UseCase],
                  default_discount_rate_per_year: float = DEFAULT_DISCOUNT_RATE_PER_YEAR) -> PortfolioBusinessCase:
    """S19 NPV and investment C0 (€) of every use case in one vectorised call (S20 reads these).

    Example: a portfolio of the S19 worked example twice → npv_eur [1,355,448.04, 1,355,448.04],
    investment_eur [120,000, 120,000].
    """
    return _portfolio(use_cases, default_discount_rate_per_year, with_payback=False)


def portfolio_business_case(use_cases: Sequence[UseCase],
                            default_discount_rate_per_year: float = DEFAULT_DISCOUNT_RATE_PER_YEAR
                            ) -> PortfolioBusinessCase:
    """Like :func:`portfolio_npv`, plus payback and discounted payback months per use case (NaN = none, S19)."""
    return _portfolio(use_cases, default_discount_rate_per_year, with_payback=True)
