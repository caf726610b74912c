"""Business case: the S19 figures of one use case as headline texts, its J-curve and monthly table, and the
workspace's default discount rate.

The core call takes a quarter of a millisecond; what costs is formatting every month in the session's locale and
packing the chart, so the finished view is cached on the use case's S15 and S19 inputs, its investment, the
default rate and the language. An undefined IRR and a payback beyond the horizon read "not reached", never
NaN or None.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pyarrow as pa

from core.business_case import BusinessCaseResult, BusinessCaseTerms, business_case
from core.models import BusinessCase, RoiInputs, Thresholds, UseCase, WorkspaceSettings
from ui import charts_business_case, formatting, measurements, state, store_access
from ui.i18n import translate
from ui.views import VIEW_CACHE_SIZE

RATE_DECIMALS = 1


@dataclass(frozen=True)
class Metric:
    label: str
    value: str
    help: str


@dataclass(frozen=True)
class BusinessCaseView:
    """What the Business case page draws for one use case in one language."""

    result: BusinessCaseResult
    metrics: tuple[Metric, ...]
    chart_spec: dict[str, Any]
    chart_caption: str


def month_text(month: int | float | None, language: str, inline: bool = False) -> str:
    """A month number as the page shows it ("Month 6" / "Monat 6", ``inline`` "month 6" within a sentence), or
    "not reached" for None or NaN."""
    if month is None or (isinstance(month, float) and not np.isfinite(month)):
        return translate("bc.not_reached", language)
    return translate("bc.month_inline" if inline else "bc.month", language,
                     month=formatting.number(int(month), language))


def rate_text(rate: float | None, language: str) -> str:
    """An annual or monthly rate in percent with one decimal, or "not reached" when undefined (an IRR)."""
    if rate is None:
        return translate("bc.not_reached", language)
    return formatting.percent(rate, language, RATE_DECIMALS)


def view(use_case: UseCase, default_rate: float, language: str) -> BusinessCaseView:
    """The cached :class:`BusinessCaseView` of ``use_case`` discounted at its own rate or ``default_rate``."""
    return _view(use_case.roi.model_dump_json(), use_case.business_case.model_dump_json(), use_case.investment_eur,
                 float(default_rate), language)


@lru_cache(maxsize=VIEW_CACHE_SIZE)
def _view(inputs_json: str, plan_json: str, investment_eur: float, default_rate: float,
          language: str) -> BusinessCaseView:
    plan = BusinessCase.model_validate_json(plan_json)
    own_rate = plan.discount_rate_per_year
    terms = BusinessCaseTerms(
        investment_eur=investment_eur, horizon_months=plan.horizon_months, ramp_months=float(plan.ramp_months),
        ramp_shape=plan.ramp_shape, run_cost_escalation_per_year=plan.run_cost_escalation_per_year,
        discount_rate_per_year=default_rate if own_rate is None else own_rate,
    )
    result = business_case(RoiInputs.model_validate_json(inputs_json), terms)
    source = translate("bc.rate_default" if own_rate is None else "bc.rate_own", language)
    caption = translate(
        "bc.chart_caption", language, roi=formatting.roi(result.horizon_roi, language),
        discounted=month_text(result.discounted_payback_month, language, inline=True),
        rate=formatting.percent(result.discount_rate_per_year, language, RATE_DECIMALS), source=source,
    )
    return BusinessCaseView(result, _metrics(result, language), _chart(result, language), caption)


def _metrics(result: BusinessCaseResult, language: str) -> tuple[Metric, ...]:
    text = translate
    horizon = formatting.number(result.horizon_months, language)
    rate = formatting.percent(result.discount_rate_per_year, language, RATE_DECIMALS)
    irr_help = (text("bc.irr_undefined_help", language) if result.irr_monthly is None
                else text("bc.irr_help", language, monthly=rate_text(result.irr_monthly, language)))
    return (
        Metric(text("bc.npv", language), formatting.eur(result.npv_eur, language),
               text("bc.npv_help", language, horizon=horizon, rate=rate)),
        Metric(text("bc.irr", language), rate_text(result.irr_annual, language), irr_help),
        Metric(text("bc.payback", language), month_text(result.payback_month, language),
               text("bc.payback_help", language, horizon=horizon,
                    discounted=month_text(result.discounted_payback_month, language, inline=True))),
        Metric(text("bc.investment", language), formatting.eur(result.investment_eur, language),
               text("bc.investment_help", language)),
    )


def _chart(result: BusinessCaseResult, language: str) -> dict[str, Any]:
    table = result.months
    months = table.month.tolist()
    cumulative = table.cumulative_eur.tolist()
    discounted = np.cumsum(table.discounted_eur).tolist()
    payback = result.payback_month
    return charts_business_case.j_curve(
        months, cumulative, discounted, language=language,
        titles={"x": translate("bc.axis_month", language), "y": translate("bc.axis_eur", language)},
        series=(translate("bc.series_cumulative", language), translate("bc.series_discounted", language)),
        month_texts=[formatting.number(month, language) for month in months],
        cumulative_texts=[formatting.eur(amount, language) for amount in cumulative],
        discounted_texts=[formatting.eur(amount, language) for amount in discounted],
        payback_month=payback,
        payback_text="" if payback is None else translate("bc.payback_mark", language,
                                                            month=formatting.number(payback, language)),
    )


def monthly_table(use_case: UseCase, default_rate: float, language: str) -> pa.Table:
    """The S19 monthly table (month 0 = the investment) with € in the language's format, as an Arrow table."""
    return _monthly_table(use_case.roi.model_dump_json(), use_case.business_case.model_dump_json(),
                          use_case.investment_eur, float(default_rate), language)


@lru_cache(maxsize=VIEW_CACHE_SIZE)
def _monthly_table(inputs_json: str, plan_json: str, investment_eur: float, default_rate: float,
                   language: str) -> pa.Table:
    table = _view(inputs_json, plan_json, investment_eur, default_rate, language).result.months
    columns = {"bc.col_value": table.value_eur, "bc.col_run_cost": table.run_cost_eur, "bc.col_net": table.net_eur,
               "bc.col_cumulative": table.cumulative_eur, "bc.col_discounted": table.discounted_eur}
    return pa.table({
        translate("bc.col_month", language): [formatting.number(month, language) for month in table.month.tolist()],
        **{translate(key, language): [formatting.eur(amount, language) for amount in values.tolist()]
           for key, values in columns.items()},
    })


def default_rate() -> float:
    """The selected workspace's default discount rate, read from its row (a fragment rerun loads no use cases)."""
    return store_access.store().workspace_settings(store_access.selected_workspace_id()).default_discount_rate_per_year


def save_default_rate(rate: float) -> bool:
    """Set the workspace's default discount rate (audited); False when it was already that rate."""
    store = store_access.store()
    workspace_id = store_access.selected_workspace_id()
    current = store.workspace_settings(workspace_id)
    settings = WorkspaceSettings.model_validate({**current.model_dump(), "default_discount_rate_per_year": rate})
    if settings == current:
        return False
    store.save_settings(workspace_id, state.actor(), settings=settings)
    return True


@dataclass(frozen=True)
class PlanVsActualView:
    """S22 on the Business case page: the chart, the latest figures and the measured months as a table; ``note``
    (a message key) instead when there is nothing to compare yet."""

    note: str | None
    chart: dict[str, Any] | None = None
    """The Vega-Lite spec (``st.vega_lite_chart``)."""
    variance: str = ""
    variance_pct: str = ""
    share: str = ""
    behind_plan: bool = False
    table: pa.Table | None = None


def _money(values: np.ndarray, language: str) -> list[str]:
    return [formatting.eur(float(value), language) for value in values]


def _plan_vs_actual_chart(rows: dict[str, np.ndarray], months: list[int], month_texts: list[str],
                          language: str) -> Any:
    """S22: the cumulative plan and actual net (€) by plan month, with the variance in the tooltip."""
    from ui import charts_plan_vs_actual

    return charts_plan_vs_actual.plan_vs_actual_chart(
        months, rows["cumulative_plan_net_eur"].tolist(), rows["cumulative_actual_net_eur"].tolist(),
        language=language,
        titles={"x": translate("pva.axis_month", language), "y": translate("pva.axis_eur", language),
                "variance": translate("pva.col.cumulative_variance", language)},
        series=(translate("pva.series.plan", language), translate("pva.series.actual", language)),
        month_texts=month_texts, plan_texts=_money(rows["cumulative_plan_net_eur"], language),
        actual_texts=_money(rows["cumulative_actual_net_eur"], language),
        variance_texts=_money(rows["cumulative_variance_eur"], language),
    )


def _plan_vs_actual_table(rows: dict[str, np.ndarray], month_texts: list[str], language: str) -> pa.Table:
    """S22: one row per measured plan month, every figure as text in ``language``."""
    return pa.table({
        translate("pva.col.month", language): month_texts,
        translate("field.measured_on", language): [formatting.date(day, language)
                                                   for day in rows["measured_on"].tolist()],
        translate("pva.col.plan_net", language): _money(rows["plan_net_eur"], language),
        translate("pva.col.actual_net", language): _money(rows["actual_net_eur"], language),
        translate("pva.col.variance", language): _money(rows["variance_eur"], language),
        translate("pva.col.variance_pct", language): [formatting.percent(value, language, 1)
                                                      for value in rows["variance_pct"].tolist()],
        translate("pva.col.cumulative_variance", language): _money(rows["cumulative_variance_eur"], language),
        translate("pva.col.share", language): [formatting.percent(value, language, 1)
                                               for value in rows["value_share"].tolist()],
    })


def plan_vs_actual(use_case: UseCase, thresholds: Thresholds, language: str) -> PlanVsActualView:
    """The plan (S19, the assumptions) against the measurements of ``use_case`` in ``language`` (S22).

    Cached on the use case's and the thresholds' JSON: building the Altair chart and validating its spec took
    ~100 ms of every rerun, the comparison itself a millisecond."""
    if use_case.business_case.start_on is None:
        return PlanVsActualView("pva.no_start")
    return _plan_vs_actual(use_case.model_dump_json(), thresholds.model_dump_json(), language)


@lru_cache(maxsize=VIEW_CACHE_SIZE)
def _plan_vs_actual(use_case_json: str, thresholds_json: str, language: str) -> PlanVsActualView:
    use_case, thresholds = UseCase.model_validate_json(use_case_json), Thresholds.model_validate_json(thresholds_json)
    data = measurements.use_case_plan_vs_actual(use_case, thresholds)
    rows = data["rows"]
    if not rows["month"].size:
        return PlanVsActualView("pva.no_actuals")
    months = rows["month"].tolist()
    month_texts = [month_text(month, language) for month in months]
    chart = _plan_vs_actual_chart(rows, months, month_texts, language).to_dict()
    table = _plan_vs_actual_table(rows, month_texts, language)
    return PlanVsActualView(
        None, chart, formatting.eur(data["cumulative_variance_eur"], language),
        formatting.percent(data["cumulative_variance_pct"], language, 1),
        formatting.percent(data["value_share"], language, 1), data["behind_plan"], table,
    )
