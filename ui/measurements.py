"""S22 on several pages: which ROI inputs are measured or assumed (ROI, Business case, Sensitivity, Gates), the
per-input source choice, saving measurements, one use case's plan vs actual, and the attention items of Home
and the registry."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache

import streamlit as st

from core import plan_vs_actual
from core.models import MEASURED_ROI_FIELDS, ROI_FRACTION_FIELDS, ROI_SOURCES, Measurement, Thresholds, UseCase
from core.plan_vs_actual import InputSource
from ui import formatting, frame, state, store_access
from ui.i18n import has, label, t, translate
from ui.views import VIEW_CACHE_SIZE

SOURCE_WIDGET = "w.sources.{use_case}.{field}"
MONEY_FIELDS = frozenset({"cost_per_minute_eur", "error_cost_per_case_eur", "run_cost_eur_per_month"})


def today() -> date:
    """The day that reviews are due against (UTC)."""
    return datetime.now(UTC).date()


def input_value_text(name: str, value: float | bool | None, language: str) -> str:
    """An ROI input or gate value in its unit: fractions as % with one decimal, money in € with cents where it has
    them, else a number with the decimals it has (up to two): 50000 → "50,000", 2.4 → "2.4", 18000 → "€18,000"."""
    if value is None:
        return formatting.MISSING
    if isinstance(value, bool):
        return translate("an.common.yes" if value else "an.common.no", language)
    if name in ROI_FRACTION_FIELDS or name == "observed_adoption":
        return formatting.percent(value, language, 1)
    if name in MONEY_FIELDS:
        return formatting.eur(value, language, 0 if float(value).is_integer() else 2)
    return formatting.plain(value, language, 2)


def _field_name(name: str, language: str) -> str:
    for key in (f"field.{name}", f"field.gate_metrics.{name}"):
        if has(key):
            return translate(key, language)
    return name


def source_line(source: InputSource, language: str) -> str:
    """One input as a sentence: "Adoption: measured 21.0% on 31 Mar 2026" or "Adoption: assumed 62.0%"."""
    values = {"field": _field_name(source.name, language), "value": input_value_text(source.name, source.value,
                                                                                     language),
              "day": formatting.date(source.measured_on, language)}
    key = {"measurement": "pva.measured", "assumption": "pva.assumed", "dates": "pva.from_dates"}[source.origin]
    return translate(key, language, **values)


def roi_sources_panel(use_case: UseCase, language: str) -> None:
    """The per-input source choice (assumption or latest measurement) and what each input uses now (S22), drawn
    while its expander is open."""

    def draw() -> None:
        effective = plan_vs_actual.effective_roi(use_case)
        st.caption(t("pva.sources_help"))
        options = {source: t(f"pva.source.{source}") for source in ROI_SOURCES}
        columns = st.columns(len(MEASURED_ROI_FIELDS))
        for column, name in zip(columns, MEASURED_ROI_FIELDS, strict=True):
            key = SOURCE_WIDGET.format(use_case=use_case.id, field=name)
            with column:
                st.radio(t(f"field.{name}"), options=list(options), format_func=options.__getitem__,
                         key=store_access.bind(key, getattr(use_case.roi_sources, name)),
                         on_change=store_access.on_widget_change, args=(use_case.id, f"roi_sources.{name}", key),
                         disabled=state.read_only())
        lines = [source_line(source, language) for source in effective.sources if source.name in MEASURED_ROI_FIELDS]
        st.markdown(formatting.markdown_lines(lines, bullets=True))

    frame.lazy_expander("pva.sources", t("pva.sources_title"), draw, icon=":material/fact_check:")


def sources_caption(use_case: UseCase, language: str) -> str:
    """One line naming the measured inputs a figure uses, or that every input is assumed (plain text)."""
    effective = plan_vs_actual.effective_roi(use_case)
    lines = [source_line(source, language) for source in effective.sources if source.name in MEASURED_ROI_FIELDS]
    return " · ".join(lines)


def with_sources(use_case: UseCase) -> UseCase:
    """The use case whose ROI inputs follow its chosen sources (for the figures of ROI, Business case and
    Sensitivity)."""
    return plan_vs_actual.use_case_with_sources(use_case)


def save_measurements(use_case_id: str, added: Sequence[Measurement]) -> bool:
    """Append ``added`` to the stored use case's measurements, in one save (one audit row per field)."""
    current = store_access.fresh_use_case(use_case_id)
    return store_access.set_fields(use_case_id, {"measurements": [*current.measurements, *added]})


def save_gate_value(use_case_id: str, field: str, value: float | bool | None) -> bool:
    """A gate value typed on the Gates page is measured today (S22): it goes into today's latest measurement, or
    starts one dated today, so the series keeps the values measured before. Clearing a value clears it in the
    measurement the shown value came from (the latest that holds it): a correction, not a measurement."""
    current = store_access.fresh_use_case(use_case_id)
    items = current.measurements
    order = sorted(range(len(items)), key=lambda index: (items[index].measured_on, index), reverse=True)
    if value is None:
        holding = [index for index in order if getattr(items[index].gate_metrics, field) is not None]
        return store_access.set_fields(use_case_id, {f"measurements.{holding[0]}.gate_metrics.{field}": None}
                                       ) if holding else True
    day = today()
    todays = [index for index in order if items[index].measured_on == day]
    if todays:
        return store_access.set_fields(use_case_id, {f"measurements.{todays[0]}.gate_metrics.{field}": value})
    measurement = Measurement(measured_on=day, measured_by=state.actor_name()[:200],
                              source=t("pva.manual_source"), gate_metrics={field: value})
    return save_measurements(use_case_id, [measurement])


def latest_day(use_case: UseCase) -> date | None:
    return max((item.measured_on for item in use_case.measurements), default=None)


@lru_cache(maxsize=VIEW_CACHE_SIZE)
def _plan_vs_actual(use_case_json: str, thresholds_json: str) -> dict:
    use_case = UseCase.model_validate_json(use_case_json)
    result = plan_vs_actual.plan_vs_actual([use_case], Thresholds.model_validate_json(thresholds_json))
    rows = result.case_rows(0)
    return {"rows": rows, "behind_plan": bool(result.behind_plan[0]), "value_share": float(result.value_share[0]),
            "cumulative_variance_eur": float(result.cumulative_variance_eur[0]),
            "cumulative_variance_pct": float(result.cumulative_variance_pct[0]), "investment": use_case.investment_eur}


def use_case_plan_vs_actual(use_case: UseCase, thresholds: Thresholds) -> dict:
    """S22 rows of one use case (see :class:`core.plan_vs_actual.PlanVsActual`) and its latest figures, cached."""
    return _plan_vs_actual(use_case.model_dump_json(), thresholds.model_dump_json())


@dataclass(frozen=True, slots=True)
class AttentionItem:
    """One line of Home's "needs attention" list: kind "overdue", "behind" or "red"."""

    use_case_id: str
    kind: str
    text: str


def attention_words(behind: bool, overdue: bool, red: bool, language: str) -> list[str]:
    """The badge words of a registry row, e.g. ["Behind plan", "Review overdue"]."""
    flags = (("pva.behind_plan", behind), ("pva.review_overdue", overdue), ("pva.gate_red", red))
    return [translate(key, language) for key, flag in flags if flag]


def decision_label(decision: str, language: str) -> str:
    return label("an.decision", decision, language)
