"""Gates: the five gate results of a use case with their check tables, recorded decisions and thresholds.

Results and views are cached keyed on the JSON of the use case and thresholds (and the language).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import numpy as np
import pyarrow as pa
import streamlit as st

from core import gates, roi, verdict
from core.measurement_import import (
    IMPORT_FIELDS,
    ImportProblem,
    MeasurementImport,
    measurements_from_table,
    suggest_mapping,
)
from core.models import (
    GATE_METRIC_FIELDS,
    MEASURED_ROI_FIELDS,
    GateDecision,
    Measurement,
    Thresholds,
    UseCase,
    utc_now,
    with_value,
    with_values,
)
from core.plan_vs_actual import effective_roi
from core.profiling import MAX_FILE_BYTES, TableReadError, read_table
from ui import formatting, measurements, portfolio, state, store_access
from ui.i18n import has, translate
from ui.views import VIEW_CACHE_SIZE

# An upload stays read while someone maps its columns; then it goes, with the file's memory.
UPLOAD_CACHE_SECONDS = 300

# Gate check outcome (passed True / False / None) → catalog word an.gates.result_<word>.
RESULT_WORDS: dict[bool | None, str] = {True: "pass", False: "fail", None: "missing"}
CHECK_UNITS: dict[str, str] = {
    "baseline_cycle_time_sec": "seconds",
    "precision": "fraction",
    "p99_latency_ms": "ms",
    "cost_per_case_eur": "eur",
    "risk_score": "risk",
    "hallucination_rate": "fraction",
    "offline_eval.quality_score": "fraction",
    "shadow_mode.p95_latency_ms": "ms",
    "shadow_mode.error_rate": "fraction",
    "hitl.review_coverage": "fraction",
    "hitl.escalation_sla_hours": "hours",
    "rollback.canary_enabled": "bool",
    "rollback.rollback_time_min": "minutes",
    "canary_p95_latency_ms": "ms",
    "hallucination_proxy": "fraction",
    "cost_per_request_usd": "usd",
    "observed_adoption": "fraction",
    "weeks_since_pilot_start": "weeks",
    "roi": "roi",
    "p95_latency_ms": "ms",
    "drift_alerts_per_week": "count",
    "risk_class": "risk_class",
}


@lru_cache(maxsize=VIEW_CACHE_SIZE)
def _gate_results(use_case_json: str, thresholds_json: str) -> dict[str, gates.GateResult]:
    use_case = UseCase.model_validate_json(use_case_json)
    return gates.evaluate_all(use_case, Thresholds.model_validate_json(thresholds_json))


def gate_results(use_case: UseCase, thresholds: Thresholds) -> dict[str, gates.GateResult]:
    """All five gates (S5, S9, S10, S17, S11) of a use case, keyed like ``core.gates.GATE_KEYS``."""
    return _gate_results(use_case.model_dump_json(), thresholds.model_dump_json())


@dataclass(frozen=True)
class GatesView:
    """The five gate results of a use case and, per gate, its check table (check, actual, needs, result
    word as a one-item list) as an Arrow table in one language."""

    results: dict[str, gates.GateResult]
    checks: dict[str, pa.Table]
    standings: dict[str, verdict.GateStanding]
    status: verdict.UseCaseStatus
    sentence: str
    worst_case_survives: bool


def gates_view(use_case: UseCase, thresholds: Thresholds, language: str) -> GatesView:
    """The cached :class:`GatesView`, keyed on the use case, the thresholds and the language."""
    return _gates_view(use_case.model_dump_json(), thresholds.model_dump_json(), language)


@lru_cache(maxsize=VIEW_CACHE_SIZE)
def _gates_view(use_case_json: str, thresholds_json: str, language: str) -> GatesView:
    results = _gate_results(use_case_json, thresholds_json)
    survives = verdict.worst_case_survives(UseCase.model_validate_json(use_case_json))
    status = verdict.status_from(results, survives)
    comparators = {**gates.COMPARATOR_SYMBOLS, "present": translate("an.gates.present", language)}
    words = {passed: translate(f"an.gates.result_{RESULT_WORDS[passed]}", language) for passed in RESULT_WORDS}

    def needs(check: gates.Check) -> str:
        if check.comparator == "present":
            return comparators["present"]
        return f"{comparators.get(check.comparator, check.comparator)} " \
               f"{check_value_text(check.name, check.threshold, language)}"

    checks = {
        gate: pa.table({
            translate("an.gates.col_check", language): [translate(f"an.check.{c.name}", language)
                                                        for c in result.checks],
            translate("an.gates.col_actual", language): [check_value_text(c.name, c.actual, language)
                                                         for c in result.checks],
            translate("an.gates.col_threshold", language): [needs(c) for c in result.checks],
            translate("an.gates.col_result", language): [[words[c.passed]] for c in result.checks],
        })
        for gate, result in results.items()
    }
    return GatesView(results, checks, verdict.gate_sequence(results, survives), status,
                     verdict.status_sentence(status, language), survives)


def check_value_text(name: str, value: Any, language: str) -> str:
    """A gate check's measured value or threshold in its unit (:data:`CHECK_UNITS`), in ``language``."""
    unit = CHECK_UNITS.get(name, "bool" if name in gates.COMPLIANCE_ITEMS else "")
    if unit == "risk_class" and isinstance(value, str):
        return translate(f"risk.{value}", language) if has(f"risk.{value}") else value
    return value_text(value, unit, language, translate("an.common.yes", language),
                      translate("an.common.no", language))


def value_text(value: Any, unit: str, language: str, yes: str, no: str) -> str:
    """A measured value or threshold in the unit of its check, Babel-formatted; "–" when missing."""
    if value is None:
        return formatting.MISSING
    if isinstance(value, bool):
        return yes if value else no
    if isinstance(value, str):
        return value
    formatters = {
        "fraction": lambda: formatting.percent(value, language, 1),
        "roi": lambda: formatting.roi(value, language),
        "eur": lambda: formatting.eur(value, language, 2),
        "usd": lambda: f"{formatting.number(value, language, 3)} USD",
        "ms": lambda: f"{formatting.number(value, language)} ms",
        "seconds": lambda: f"{formatting.number(value, language)} s",
        "hours": lambda: f"{formatting.number(value, language, 1)} h",
        "minutes": lambda: f"{formatting.number(value, language, 1)} min",
        "weeks": lambda: formatting.number(value, language, 1),
        "risk": lambda: f"{formatting.number(value, language, 1)} / 10",
        "count": lambda: formatting.number(value, language, 1),
    }
    return formatters.get(unit, lambda: formatting.number(value, language, 2))()


def review_due(loaded: Any, use_case_id: str) -> tuple[date | None, bool]:
    """The use case's next S18/S22 review and whether it is overdue, from the portfolio's columns (cached per
    portfolio content and day); (None, False) before the pilot, when no rhythm applies."""
    arrays = portfolio.portfolio_arrays(loaded)
    position = arrays.ids.index(use_case_id)
    day = arrays.columns["next_review"][position]
    if np.isnat(day):
        return None, False
    return day.astype(date), bool(arrays.columns["review_overdue"][position])


def modelled_roi(use_case: UseCase) -> float | None:
    """The S15 ROI the scale-or-kill gate checks: every measured input at its latest measurement, the rest as
    assumed (S17 via S22), so the figure shown beside the check is the one the check used."""
    return roi.compute_roi(effective_roi(use_case, all_measured=True).inputs).roi


def record_gate_decision(use_case_id: str, gate: str, decision: str, rationale: str, decided_by: str,
                         next_gate: str | None, next_gate_on: date | None) -> GateDecision:
    """A person's gate decision (go, stop, iterate, override with a reason) saved on the stored use case with the
    gate's computed decision in the S13 sequence beside it; the save audits every field of it. Returns it."""
    workspace_id = store_access.selected_workspace_id()
    store = store_access.store()
    use_case = store_access.fresh_use_case(use_case_id)
    thresholds = store.load(workspace_id).workspace.thresholds
    computed = verdict.gate_sequence(gate_results(use_case, thresholds), verdict.worst_case_survives(use_case))[gate]
    entry = GateDecision(gate=gate, decision=decision, rationale=rationale.strip(), decided_by=decided_by.strip(),
                         decided_at=utc_now(), computed_decision=computed.decision,
                         next_gate=next_gate, next_gate_on=next_gate_on)
    store_access.save_use_case(with_values(use_case, {"gate_decisions": (*use_case.gate_decisions, entry)}))
    return entry


@dataclass(frozen=True)
class RecordedDecision:
    decision: str
    actor: str
    at: datetime
    failed_checks: int
    rationale: str = ""
    computed: str = ""
    next_gate: str | None = None
    next_gate_on: date | None = None


def recorded_gate_decisions(use_case: UseCase) -> dict[str, RecordedDecision]:
    """The latest recorded decision per gate key of a use case: from its ``gate_decisions``, else (decisions
    recorded before workspace schema 3) the latest audit entry ``gates.<gate>``."""
    latest: dict[str, RecordedDecision] = {}
    for entry in reversed(use_case.gate_decisions):
        if entry.gate not in latest:
            latest[entry.gate] = RecordedDecision(entry.decision, entry.decided_by, entry.decided_at, 0,
                                                  entry.rationale, entry.computed_decision, entry.next_gate,
                                                  entry.next_gate_on)
    use_case_id = use_case.id
    for entry in store_access.store().audit(store_access.selected_workspace_id(), use_case_id,
                                            names_for=state.actor()):
        if not entry.field_path or not entry.field_path.startswith("gates."):
            continue
        gate = entry.field_path.removeprefix("gates.")
        if gate in latest:
            continue
        try:
            value = json.loads(entry.new_value or "{}")
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict) and isinstance(value.get("decision"), str):
            latest[gate] = RecordedDecision(value["decision"], entry.actor, entry.at,
                                            len(value.get("failed_checks") or ()))
    return latest


def save_thresholds(thresholds: Thresholds) -> None:
    workspace_id = store_access.selected_workspace_id()
    store_access.store().save_settings(workspace_id, state.actor(), thresholds=thresholds)


def save_threshold(field: str, value: float) -> None:
    """Replace one workspace threshold (validated, audited); reads the stored thresholds first."""
    current = store_access.store().load(store_access.selected_workspace_id()).workspace.thresholds
    save_thresholds(with_value(current, field, value))


def reset_thresholds() -> None:
    save_thresholds(Thresholds())


MEASUREMENT_TABLE_FIELDS: tuple[str, ...] = (*MEASURED_ROI_FIELDS, *GATE_METRIC_FIELDS)
MAX_UPLOAD_BYTES = MAX_FILE_BYTES
__all__ = ["IMPORT_FIELDS", "MAX_UPLOAD_BYTES", "TableReadError", "suggest_mapping"]


def measurement_table(use_case: UseCase, language: str) -> pa.Table:
    """The S22 series, newest first: day, who, source and every field measured at least once, formatted."""
    rows = sorted(enumerate(use_case.measurements), key=lambda item: (item[1].measured_on, item[0]), reverse=True)
    items = [measurement for _, measurement in rows]

    def value_of(item: Measurement, name: str) -> Any:
        return getattr(item, name) if name in MEASURED_ROI_FIELDS else getattr(item.gate_metrics, name)

    shown = [name for name in MEASUREMENT_TABLE_FIELDS if any(value_of(item, name) is not None for item in items)]
    columns: dict[str, list[str]] = {
        translate("field.measured_on", language): [formatting.date(item.measured_on, language) for item in items],
        translate("field.measured_by", language): [item.measured_by for item in items],
        translate("field.source", language): [item.source for item in items],
    }
    for name in shown:
        title = store_access_label(name, language)
        columns[title] = [measurements.input_value_text(name, value_of(item, name), language) for item in items]
    return pa.table(columns)


def store_access_label(name: str, language: str) -> str:
    for key in (f"field.{name}", f"field.gate_metrics.{name}"):
        if has(key):
            return translate(key, language)
    return name


@dataclass(frozen=True)
class UploadedTable:
    """A monitoring export as read: its table, or the sentence saying why it could not be read (naming the file
    and the limit). A failure is a value like a success, so the cache keeps it and a rerun does not read a
    hostile file again."""

    frame: Any = None
    read_error: str | None = None


# A resource, not data: the page only reads the table, and unpickling a large frame on every rerun cost more than
# reading it did.
@st.cache_resource(max_entries=4, ttl=UPLOAD_CACHE_SECONDS, show_spinner=False)
def read_upload(data: bytes, filename: str) -> UploadedTable:
    """The uploaded monitoring export through the bounded S7 reader (size, rows, cells, XLSX archive limits;
    :func:`core.profiling.read_table`), read once per content and name. A CSV's cells stay text, so that the
    import reads "50.000" in the notation the column proves or the user's own."""
    try:
        return UploadedTable(frame=read_table(data, filename, csv_as_text=True))
    except TableReadError as error:
        return UploadedTable(read_error=str(error))


def import_aliases(language: str) -> dict[str, tuple[str, ...]]:
    """Column names that map to each field without choosing: the field's labels in English and German."""
    return {name: (store_access_label(name, "en"), store_access_label(name, "de")) for name in IMPORT_FIELDS}


def problem_text(problem: ImportProblem, language: str) -> str:
    """One import problem as a sentence naming the file's row and column, in ``language``."""
    limit = "" if problem.limit is None else formatting.number(problem.limit, language, 2 if problem.limit < 10
                                                                else 0)
    return translate(f"pva.problem.{problem.code}", language, row=problem.row, column=problem.column,
                     field=store_access_label(problem.field, language) if problem.field else "",
                     value=problem.value, limit=limit)


def fields_of_columns(chosen: dict[str, str]) -> tuple[dict[str, str | None], dict[str, tuple[str, ...]]]:
    """The import's mapping (field → column) from each column's chosen field ("" = none), and the fields chosen
    for more than one column with those columns, which refuse the mapping: one of them would be dropped.

    Example: {"Datum": "measured_on", "Tag": "measured_on", "Quote": "adoption"} → ({"measured_on": "Datum",
    "adoption": "Quote"}, {"measured_on": ("Datum", "Tag")}).
    """
    columns_of: dict[str, list[str]] = {}
    for column, field in chosen.items():
        if field:
            columns_of.setdefault(field, []).append(column)
    mapping: dict[str, str | None] = {field: named[0] for field, named in columns_of.items()}
    return mapping, {field: tuple(named) for field, named in columns_of.items() if len(named) > 1}


def validate_import(frame: Any, mapping: dict[str, str | None], language: str) -> MeasurementImport:
    return measurements_from_table(frame, mapping, language)
