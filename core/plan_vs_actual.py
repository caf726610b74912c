"""S22 plan vs actual: dated measurements against the S19 plan, the "behind plan" flag and the review rhythm.

The plan is the S19 month value of the use case's assumptions (``roi``, ``business_case``); plan month 1 begins
on ``business_case.start_on`` and month m on that day m − 1 calendar months later (the 31st becomes the last day
of a shorter month). The actual value of a measured month comes from the latest measurement in that month: each
observable S15 input (:data:`core.models.MEASURED_ROI_FIELDS`) is its latest measured value up to that day, and
an input never measured keeps the plan's value (adoption times the S19 ramp, the escalated run cost). Money is
in € per month, dates are calendar days (``numpy.datetime64[D]``). Every kernel runs on flat arrays over all
measurements of a portfolio at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from itertools import repeat
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from core.business_case import escalation_factors, ramp_factors
from core.models import (
    GATE_METRIC_FIELDS,
    MEASURED_ROI_FIELDS,
    GateMetrics,
    Measurement,
    Phase,
    RoiInputs,
    Thresholds,
    UseCase,
    latest_gate_metrics,
)
from core.roi import roi_arrays

if TYPE_CHECKING:
    import pandas as pd

DAYS_PER_WEEK = 7
NO_DAY = np.datetime64("NaT", "D")
PILOT_PHASES: frozenset[str] = frozenset({"pilot"})
PRODUCTION_PHASES: frozenset[str] = frozenset({"production", "scale"})
ROW_COLUMNS: tuple[str, ...] = (
    "month", "month_start", "measured_on", "plan_value_eur", "actual_value_eur", "plan_net_eur", "actual_net_eur",
    "variance_eur", "variance_pct", "cumulative_plan_net_eur", "cumulative_actual_net_eur",
    "cumulative_variance_eur", "cumulative_variance_pct", "value_share", "behind_plan",
)
InputOrigin = Literal["assumption", "measurement", "dates"]
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_NAN = float("nan")
_GETTERS = {name: attrgetter(name) for name in MEASURED_ROI_FIELDS}


def to_days(values: Any) -> np.ndarray:
    """Calendar days as ``datetime64[D]``; None becomes NaT. Example: ``to_days([date(2028, 2, 29), None])``."""
    if isinstance(values, np.ndarray | np.datetime64) and values.dtype.kind == "M":
        return values.astype("datetime64[D]")
    if isinstance(values, date | str) or values is None:
        return np.datetime64(values, "D") if values is not None else NO_DAY
    return np.array([NO_DAY if value is None else np.datetime64(value, "D") for value in values], dtype="datetime64[D]")


def add_months(days: np.ndarray | date, months: np.ndarray | int) -> np.ndarray:
    """The same day ``months`` calendar months later, clamped to the month's last day (arrays broadcast).

    Example: 2026-01-31 + 1 → 2026-02-28; 2028-01-31 + 1 → 2028-02-29 (leap year); 2026-03-31 + 1 → 2026-04-30.
    """
    day = to_days(days)
    month_start = day.astype("datetime64[M]")
    offset = (day - month_start.astype("datetime64[D]")).astype(np.int64)
    target = month_start + np.asarray(months, dtype=np.int64)
    length = ((target + 1).astype("datetime64[D]") - target.astype("datetime64[D]")).astype(np.int64)
    return target.astype("datetime64[D]") + np.minimum(offset, length - 1)


def plan_month(start: np.ndarray | date, days: np.ndarray | date) -> np.ndarray:
    """S22 plan month (1-based) that contains each day, counted from ``start`` (the first day of month 1).

    Month m runs from ``add_months(start, m − 1)`` to the day before ``add_months(start, m)``; a day before the
    start gives 0 or less. Example: start 2026-01-31: 2026-02-27 → 1, 2026-02-28 → 2, 2026-03-30 → 2,
    2026-03-31 → 3; start 2028-01-31: 2028-02-29 → 2.
    """
    first, day = to_days(start), to_days(days)
    months = (day.astype("datetime64[M]") - first.astype("datetime64[M]")).astype(np.int64)
    months = months - (add_months(first, months) > day)
    return months + 1


@dataclass(frozen=True, eq=False)
class MeasurementArrays:
    """Every measurement of a portfolio as flat arrays sorted by (use case, date, entry order).

    ``case`` is the use case's row; ``values[name]`` holds NaN where that measurement did not measure ``name``.
    """

    case: np.ndarray
    day: np.ndarray
    values: dict[str, np.ndarray]


def _day_numbers(days: Sequence[date]) -> np.ndarray:
    """Calendar days as ``datetime64[D]`` through their ordinals (≈10× faster than numpy's conversion of dates)."""
    ordinals = np.fromiter((day.toordinal() for day in days), dtype=np.int64, count=len(days))
    return (ordinals - _EPOCH_ORDINAL).astype("datetime64[D]")


def measurement_arrays(use_cases: Sequence[UseCase]) -> MeasurementArrays:
    """The measurements of ``use_cases`` as :class:`MeasurementArrays` (one pass over the models)."""
    cases: list[int] = []
    items: list[Measurement] = []
    for row, use_case in enumerate(use_cases):
        measurements = use_case.measurements
        if measurements:
            cases.extend(repeat(row, len(measurements)))
            items.extend(measurements)
    case = np.array(cases, dtype=np.int64)
    day = _day_numbers([item.measured_on for item in items])
    order = np.lexsort((np.arange(case.size), day, case))
    # One list of floats per field: a tuple per measurement would wake the cycle collector over the whole workspace
    # every few hundred tuples, and numpy converts a None far slower than Python turns it into NaN.
    values = {name: np.array([_NAN if (value := getter(item)) is None else value for item in items],
                             dtype=float)[order] for name, getter in _GETTERS.items()}
    return MeasurementArrays(case=case[order], day=day[order], values=values)


def _group_starts(case: np.ndarray) -> np.ndarray:
    """For each position of a sorted group array, the position where its group begins."""
    starts = np.ones(case.size, dtype=bool)
    starts[1:] = case[1:] != case[:-1]
    return np.maximum.accumulate(np.where(starts, np.arange(case.size), 0))


def carried_forward(case: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Each NaN replaced by the last earlier non-NaN value of the same group (sorted ``case``); NaN if none.

    Example: case [0, 0, 0, 1], values [0.4, nan, 0.5, nan] → [0.4, 0.4, 0.5, nan].
    """
    positions = np.arange(values.size)
    last = np.maximum.accumulate(np.where(np.isnan(values), -1, positions))
    valid = last >= _group_starts(case)
    return np.where(valid, values[np.maximum(last, 0)], np.nan)


@dataclass(frozen=True, eq=False)
class PlanInputs:
    """The S15/S19 plan of each use case as (n,) arrays: assumptions, ramp, escalation, C0 and start day."""

    roi: dict[str, np.ndarray]
    investment_eur: np.ndarray
    horizon_months: np.ndarray
    ramp_months: np.ndarray
    s_curve: np.ndarray
    run_cost_escalation_per_year: np.ndarray
    start_on: np.ndarray


def plan_inputs(use_cases: Sequence[UseCase]) -> PlanInputs:
    """The plan arrays of ``use_cases`` (the assumptions in ``roi``, never the measured values)."""
    rois = [case.roi for case in use_cases]
    plans = [case.business_case for case in use_cases]
    return PlanInputs(
        roi={name: np.array([getattr(roi, name) for roi in rois], dtype=float) for name in RoiInputs.model_fields},
        investment_eur=np.array([case.investment_eur for case in use_cases], dtype=float),
        horizon_months=np.array([plan.horizon_months for plan in plans], dtype=np.int64),
        ramp_months=np.array([plan.ramp_months for plan in plans], dtype=float),
        s_curve=np.array([plan.ramp_shape == "s_curve" for plan in plans], dtype=bool),
        run_cost_escalation_per_year=np.array([plan.run_cost_escalation_per_year for plan in plans], dtype=float),
        start_on=to_days([plan.start_on for plan in plans]),
    )


@dataclass(frozen=True, eq=False)
class PlanVsActual:
    """S22 plan vs actual of a portfolio.

    ``rows``: one entry per measured plan month of each use case (sorted by use case, month), keyed like
    :data:`ROW_COLUMNS` plus ``case`` (the use case's row). Per use case ((n,) arrays): ``months_measured``,
    the latest cumulative variance in € and % (NaN without a measured month), the latest value share, and
    ``behind_plan``. Variance = actual − plan of the net value; % is relative to |plan| (NaN where plan is 0);
    cumulative sums run over the measured months and start at −C0 on both sides.
    """

    rows: dict[str, np.ndarray]
    months_measured: np.ndarray
    cumulative_variance_eur: np.ndarray
    cumulative_variance_pct: np.ndarray
    value_share: np.ndarray
    behind_plan: np.ndarray

    def case_rows(self, case: int) -> dict[str, np.ndarray]:
        """The rows of one use case."""
        chosen = self.rows["case"] == case
        return {name: values[chosen] for name, values in self.rows.items() if name != "case"}

    def case_frame(self, case: int) -> pd.DataFrame:
        """The rows of one use case as a DataFrame with :data:`ROW_COLUMNS`."""
        import pandas as pd

        return pd.DataFrame(self.case_rows(case), columns=list(ROW_COLUMNS))


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator != 0, numerator / np.where(denominator != 0, denominator, 1.0), np.nan)


def _group_cumsum(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    total = np.cumsum(values)
    before = np.concatenate(([0.0], total))[starts]
    return total - before


def plan_vs_actual_arrays(plan: PlanInputs, measured: MeasurementArrays, thresholds: Thresholds | None = None
                          ) -> PlanVsActual:
    """S22 kernel over flat arrays (see :class:`PlanVsActual`).

    Measurements outside plan months 1..H, and every measurement of a use case without ``start_on``, have no
    plan and are left out. Behind plan: the cumulative actual value (before run cost) is below
    ``behind_plan_min_share`` (70 %) of the cumulative plan value at the latest ``behind_plan_reviews`` (2)
    measured months in a row.
    Example: plan value 10,000 €/month, actual 6,000 then 6,500 → shares 0.6, 0.625 → behind plan.
    """
    limits = thresholds or Thresholds()
    n = plan.investment_eur.size
    filled = {name: carried_forward(measured.case, values) for name, values in measured.values.items()}
    start = plan.start_on[measured.case] if measured.case.size else np.empty(0, dtype="datetime64[D]")
    chosen, months = _measured_plan_months(plan, measured, start)
    case = measured.case[chosen]
    planned, actual = _planned_and_actual(plan, filled, chosen, case, months)
    plan_run = planned["run_cost_eur_per_month"]
    plan_value = roi_arrays(**planned)["total_value"]
    actual_value = roi_arrays(**actual)["total_value"]
    plan_net, actual_net = plan_value - plan_run, actual_value - actual["run_cost_eur_per_month"]
    starts = _group_starts(case)
    investment = plan.investment_eur[case]
    cumulative_plan = _group_cumsum(plan_net, starts) - investment
    cumulative_actual = _group_cumsum(actual_net, starts) - investment
    cumulative_variance = cumulative_actual - cumulative_plan
    share = _ratio(_group_cumsum(actual_value, starts), _group_cumsum(plan_value, starts))
    behind = _behind_plan(share < limits.behind_plan_min_share, starts, limits.behind_plan_reviews)
    rows = {
        "case": case, "month": months, "month_start": add_months(start[chosen], months - 1),
        "measured_on": measured.day[chosen], "plan_value_eur": plan_value, "actual_value_eur": actual_value,
        "plan_net_eur": plan_net, "actual_net_eur": actual_net, "variance_eur": actual_net - plan_net,
        "variance_pct": _ratio(actual_net - plan_net, np.abs(plan_net)),
        "cumulative_plan_net_eur": cumulative_plan, "cumulative_actual_net_eur": cumulative_actual,
        "cumulative_variance_eur": cumulative_variance,
        "cumulative_variance_pct": _ratio(cumulative_variance, np.abs(cumulative_plan + investment)),
        "value_share": share, "behind_plan": behind,
    }
    return _with_latest_per_case(rows, n)


def _measured_plan_months(plan: PlanInputs, measured: MeasurementArrays, start: np.ndarray
                          ) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the last measurement in each plan month 1..H (with a ``start_on``) and those months."""
    has_start = ~np.isnat(start)
    month = np.zeros(measured.case.size, dtype=np.int64)
    month[has_start] = plan_month(start[has_start], measured.day[has_start])
    keep = has_start & (month >= 1) & (month <= plan.horizon_months[measured.case])
    last_in_month = np.ones(measured.case.size, dtype=bool)
    last_in_month[:-1] = (measured.case[1:] != measured.case[:-1]) | (month[1:] != month[:-1])
    chosen = np.flatnonzero(keep & last_in_month)
    return chosen, month[chosen]


def _planned_and_actual(plan: PlanInputs, filled: dict[str, np.ndarray], chosen: np.ndarray, case: np.ndarray,
                        months: np.ndarray) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The ROI inputs per measured month as planned (ramped adoption, escalated run cost) and as measured.

    An input not measured (or not yet carried forward) counts as planned.
    """
    roi = {name: values[case] for name, values in plan.roi.items()}
    ramp = ramp_factors(months, plan.ramp_months[case], plan.s_curve[case])
    plan_run = roi["run_cost_eur_per_month"] * escalation_factors(months, plan.run_cost_escalation_per_year[case])
    planned = {**roi, "adoption": roi["adoption"] * ramp, "run_cost_eur_per_month": plan_run}
    actual = {name: np.where(np.isnan(filled[name][chosen]), planned[name], filled[name][chosen])
              if name in filled else planned[name] for name in planned}
    return planned, actual


def _behind_plan(below: np.ndarray, starts: np.ndarray, reviews: int) -> np.ndarray:
    """True where the latest ``reviews`` months of the use case, up to this one, were all ``below``."""
    positions = np.arange(below.size)
    reset = np.maximum.accumulate(np.where(~below, positions, np.where(positions == starts, positions - 1, -1)))
    return (positions - reset) >= reviews


def _with_latest_per_case(rows: dict[str, np.ndarray], n: int) -> PlanVsActual:
    """The rows with each use case's latest measured month as its (n,) figures (NaN / False when unmeasured)."""
    case = rows["case"]
    counts = np.bincount(case, minlength=n)
    last = np.full(n, -1, dtype=np.int64)
    last[case] = np.arange(case.size)
    has = last >= 0

    def latest(values: np.ndarray, empty: Any) -> np.ndarray:
        out = np.full(n, empty, dtype=values.dtype if values.size else type(empty))
        out[has] = values[last[has]]
        return out

    return PlanVsActual(
        rows=rows,
        months_measured=counts,
        cumulative_variance_eur=latest(rows["cumulative_variance_eur"], np.nan),
        cumulative_variance_pct=latest(rows["cumulative_variance_pct"], np.nan),
        value_share=latest(rows["value_share"], np.nan),
        behind_plan=latest(rows["behind_plan"], False).astype(bool),
    )


def plan_vs_actual(use_cases: Sequence[UseCase], thresholds: Thresholds | None = None) -> PlanVsActual:
    """S22 plan vs actual of every use case in one vectorised call (see :func:`plan_vs_actual_arrays`)."""
    return plan_vs_actual_arrays(plan_inputs(use_cases), measurement_arrays(use_cases), thresholds)


@dataclass(frozen=True, eq=False)
class ReviewSchedule:
    """S18/S22 review rhythm per use case ((n,) arrays): whether one applies (pilot, production, scale), the
    last measurement, the next review day (NaT where no rhythm applies) and ``overdue``."""

    applies: np.ndarray
    last_measured: np.ndarray
    next_review: np.ndarray
    overdue: np.ndarray


def review_schedule(phases: Sequence[Phase], last_measured: np.ndarray, fallback_start: np.ndarray, as_of: date,
                    thresholds: Thresholds | None = None) -> ReviewSchedule:
    """S22: weekly in pilot, every two weeks in production and scale (``review_every_days_*``); no rhythm before.

    The next review is the last measurement plus the rhythm, or, with none, ``fallback_start`` (the pilot start,
    else the day the use case was created) plus the rhythm. Overdue when ``as_of`` is after the next review.
    Example: pilot, last measured 2026-03-02, as of 2026-03-09 → next 2026-03-09, not overdue; 2026-03-10 → overdue.
    """
    limits = thresholds or Thresholds()
    phase = np.asarray(phases, dtype=object)
    every = np.where(np.isin(phase, list(PILOT_PHASES)), limits.review_every_days_pilot,
                     np.where(np.isin(phase, list(PRODUCTION_PHASES)), limits.review_every_days_production, 0))
    applies = every > 0
    last = to_days(last_measured)
    base = np.where(np.isnat(last), to_days(fallback_start), last)
    next_review = np.where(applies & ~np.isnat(base), base + every.astype("timedelta64[D]"), NO_DAY)
    overdue = applies & ~np.isnat(next_review) & (np.datetime64(as_of, "D") > next_review)
    return ReviewSchedule(applies, last, next_review, overdue)


def last_measured_days(use_cases: Sequence[UseCase]) -> np.ndarray:
    """The latest measurement day of each use case (NaT without one)."""
    latest = [max(item.measured_on for item in case.measurements) if case.measurements else None
              for case in use_cases]
    known = [day for day in latest if day is not None]
    out = np.full(len(latest), NO_DAY)
    if known:
        out[[index for index, day in enumerate(latest) if day is not None]] = _day_numbers(known)
    return out


def use_case_reviews(use_cases: Sequence[UseCase], as_of: date, thresholds: Thresholds | None = None
                     ) -> ReviewSchedule:
    """:func:`review_schedule` of ``use_cases`` (fallback start: the pilot start, else the creation day)."""
    fallback = _day_numbers([case.pilot_started_on or case.created_at.date() for case in use_cases])
    return review_schedule([case.phase for case in use_cases], last_measured_days(use_cases), fallback, as_of,
                           thresholds)


@dataclass(frozen=True, slots=True)
class PortfolioReview:
    """S18/S22 portfolio review: monthly over the use cases under review. ``next_review`` None when none of
    them was ever measured (then it is overdue as soon as one is under review)."""

    last_measured: date | None
    next_review: date | None
    overdue: bool


def portfolio_review(schedule: ReviewSchedule, as_of: date, thresholds: Thresholds | None = None) -> PortfolioReview:
    """The portfolio's review: due ``review_every_months_portfolio`` (1) months after the latest measurement of
    any use case under review. Example: latest 2026-01-31, as of 2026-02-28 → next 2026-02-28, not overdue."""
    limits = thresholds or Thresholds()
    days = schedule.last_measured[schedule.applies & ~np.isnat(schedule.last_measured)]
    if days.size == 0:
        return PortfolioReview(None, None, bool(schedule.applies.any()))
    last = days.max()
    next_review = add_months(last, limits.review_every_months_portfolio)
    return PortfolioReview(last.astype(date), next_review.astype(date), bool(np.datetime64(as_of, "D") > next_review))


@dataclass(frozen=True, slots=True)
class InputSource:
    """Where one input of a figure comes from: ``origin`` "measurement" (with ``measured_on``), "assumption"
    or "dates" (computed from dates, e.g. the weeks since the pilot began)."""

    name: str
    origin: InputOrigin
    value: float | bool | None
    measured_on: date | None = None


def latest_measured(measurements: Sequence[Measurement], name: str) -> tuple[float | None, date | None]:
    """The latest measured value of an observable S15 input (or of a gate field) and its day; (None, None)."""
    best: tuple[date, int] | None = None
    value: Any = None
    for index, item in enumerate(measurements):
        current = getattr(item, name) if name in MEASURED_ROI_FIELDS else getattr(item.gate_metrics, name)
        if current is not None and (best is None or (item.measured_on, index) >= best):
            best, value = (item.measured_on, index), current
    return value, None if best is None else best[0]


@dataclass(frozen=True, slots=True)
class EffectiveRoi:
    """The S15 inputs a figure uses and, per input, where each comes from (S22)."""

    inputs: RoiInputs
    sources: tuple[InputSource, ...]

    @property
    def measured(self) -> tuple[InputSource, ...]:
        return tuple(source for source in self.sources if source.origin == "measurement")


def effective_roi(use_case: UseCase, *, all_measured: bool = False) -> EffectiveRoi:
    """S22: the ROI inputs with every input whose source is "measurement" (or, with ``all_measured``, every
    measured input, as S17 reads them) replaced by its latest measured value; unmeasured inputs stay assumed.

    Example: adoption's source "measurement", latest adoption 0.48 on 2026-03-31 → inputs.adoption 0.48 and a
    source ("adoption", "measurement", 0.48, 2026-03-31); the other six inputs are "assumption".
    """
    changes: dict[str, float] = {}
    sources = []
    for name in RoiInputs.model_fields:
        wanted = all_measured or (name in MEASURED_ROI_FIELDS and getattr(use_case.roi_sources, name) == "measurement")
        value, day = latest_measured(use_case.measurements, name) if wanted and name in MEASURED_ROI_FIELDS else (
            None, None)
        if value is None:
            sources.append(InputSource(name, "assumption", getattr(use_case.roi, name)))
        else:
            changes[name] = value
            sources.append(InputSource(name, "measurement", value, day))
    inputs = use_case.roi.model_copy(update=changes) if changes else use_case.roi
    return EffectiveRoi(inputs, tuple(sources))


def use_case_with_sources(use_case: UseCase) -> UseCase:
    """``use_case`` with its ROI inputs replaced as its ``roi_sources`` choose (for business case and
    sensitivity figures); the same object when every input is assumed."""
    effective = effective_roi(use_case)
    return use_case.model_copy(update={"roi": effective.inputs}) if effective.measured else use_case


def s17_metrics(use_case: UseCase) -> tuple[GateMetrics, tuple[InputSource, ...]]:
    """S22/S17: the latest gate values, observed adoption from the latest measurement of adoption (either
    field, the later one), weeks since the pilot began from ``pilot_started_on`` to the latest measurement.

    Without a pilot start the measured ``weeks_since_pilot_start`` stays. Returns the metrics and the sources of
    every gate field (measured with its day, or "dates"). Example: pilot started 2026-02-02, latest measurement
    2026-03-16 → 6 weeks.
    """
    measurements = use_case.measurements
    metrics = latest_gate_metrics(measurements)
    values = metrics.model_dump()
    sources: dict[str, InputSource] = {}
    for name in GATE_METRIC_FIELDS:
        value, day = latest_measured(measurements, name)
        if value is not None:
            sources[name] = InputSource(name, "measurement", value, day)
    adoption, adoption_day = latest_measured(measurements, "adoption")
    gate_day = sources["observed_adoption"].measured_on if "observed_adoption" in sources else None
    if adoption is not None and (gate_day is None or adoption_day >= gate_day):
        values["observed_adoption"] = adoption
        sources["observed_adoption"] = InputSource("observed_adoption", "measurement", adoption, adoption_day)
    latest = max((item.measured_on for item in measurements), default=None)
    if use_case.pilot_started_on is not None and latest is not None:
        weeks = max(0.0, (latest - use_case.pilot_started_on).days / DAYS_PER_WEEK)
        values["weeks_since_pilot_start"] = weeks
        sources["weeks_since_pilot_start"] = InputSource("weeks_since_pilot_start", "dates", weeks, latest)
    return GateMetrics.model_construct(**values), tuple(sources[name] for name in GATE_METRIC_FIELDS
                                                        if name in sources)
