"""Cached core calls and Store actions for the Sensitivity, Gates, Data readiness and Export pages.

Core results are cached with ``st.cache_data`` keyed on the JSON of the models they read, like
:mod:`ui.services`. Store writes read the workspace and actor from :mod:`ui.state` and go through
the one cached :class:`~core.store.Store` of :func:`ui.services.store`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import streamlit as st

from core import gates, profiling, sensitivity
from core.excel import pack as excel_export
from core.excel import reader as excel_import
from core.models import READINESS_ITEMS, ROI_FRACTION_FIELDS, RoiInputs, Scenario, Thresholds, UseCase, with_value
from core.readiness import CHECKLIST_BY_ID
from core.store import AuditEntry, SnapshotInfo
from ui import charts_analysis, formatting, services, state
from ui.i18n import has, translate

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_TABLE_PATH = ROOT / "sample_data" / "crm_cases.csv"
MONTE_CARLO_SEED = 0
MONTE_CARLO_DRAWS: tuple[int, ...] = (1_000, 5_000, 20_000, 100_000, 200_000)
DEFAULT_MONTE_CARLO_DRAWS = 20_000
# The freshness figure depends on "now"; a cached profile may be at most this old.
PROFILE_CACHE_SECONDS = 300
AUDIT_VIEW_LIMIT = 500
# Views are keyed on short JSON strings and the language, so a rerun finds them without hashing tables.
VIEW_CACHE_SIZE = 256
# Gate check outcome (passed True / False / None) → catalog word an.gates.result_<word>.
RESULT_WORDS: dict[bool | None, str] = {True: "pass", False: "fail", None: "missing"}
# A result holds its samples (up to 200,000 floats), so fewer are kept.
MONTE_CARLO_CACHE_SIZE = 32
ROI_MONEY_FIELDS = ("cost_per_minute_eur", "error_cost_per_case_eur", "run_cost_eur_per_month")


@dataclass(frozen=True)
class ScenarioTable:
    frame: pd.DataFrame
    verdict: str


@lru_cache(maxsize=VIEW_CACHE_SIZE)
def _scenarios(inputs_json: str, scenarios_json: tuple[str, ...]) -> ScenarioTable:
    frame = sensitivity.run_scenarios(
        RoiInputs.model_validate_json(inputs_json),
        [Scenario.model_validate_json(text) for text in scenarios_json] or None,
    )
    return ScenarioTable(frame=frame, verdict=frame.attrs["verdict"])


def scenarios(use_case: UseCase) -> ScenarioTable:
    """S16 scenario table of a use case (its own overrides, S16 defaults when it has none) and the verdict."""
    return _scenarios(use_case.roi.model_dump_json(), tuple(s.model_dump_json() for s in use_case.scenarios))


def _ranges(inputs: RoiInputs, scenarios_json: tuple[str, ...]) -> dict[str, tuple[float, float, float]]:
    scenarios = [Scenario.model_validate_json(text) for text in scenarios_json] or None
    return sensitivity.default_ranges(inputs, scenarios)


@lru_cache(maxsize=VIEW_CACHE_SIZE)
def _tornado(inputs_json: str, scenarios_json: tuple[str, ...]) -> pd.DataFrame:
    inputs = RoiInputs.model_validate_json(inputs_json)
    return sensitivity.tornado(inputs, _ranges(inputs, scenarios_json))


def tornado(use_case: UseCase) -> pd.DataFrame:
    """One-at-a-time ROI swing per input over the ranges its scenarios span; ``attrs["base_roi"]`` is the base ROI."""
    return _tornado(use_case.roi.model_dump_json(), tuple(s.model_dump_json() for s in use_case.scenarios))


def roi_input_text(field: str, value: float, language: str) -> str:
    """An S15 input in its unit: fractions as percent, money in €, volume as a whole number."""
    if field in ROI_FRACTION_FIELDS:
        return formatting.percent(value, language)
    if field in ROI_MONEY_FIELDS:
        return formatting.eur(value, language, 2)
    return formatting.number(value, language, 0 if field == "volume_cases_per_month" else 1)


@dataclass(frozen=True)
class SensitivityView:
    """Everything the Sensitivity page draws above the Monte Carlo, in one language: the scenario table
    and verdict, display tables as Arrow tables and finished Vega-Lite specs."""

    table: ScenarioTable
    scenario_rows: pa.Table
    scenario_spec: dict[str, Any]
    tornado_rows: pa.Table
    tornado_spec: dict[str, Any]
    base_roi: float


def sensitivity_view(use_case: UseCase, language: str) -> SensitivityView:
    """The cached :class:`SensitivityView` of a use case; keyed on its ROI inputs, scenarios and language."""
    return _sensitivity_view(use_case.roi.model_dump_json(),
                             tuple(s.model_dump_json() for s in use_case.scenarios), language)


@lru_cache(maxsize=VIEW_CACHE_SIZE)
def _sensitivity_view(inputs_json: str, scenarios_json: tuple[str, ...], language: str) -> SensitivityView:
    def text(key: str, **kwargs: object) -> str:
        return translate(key, language, **kwargs)

    table = _scenarios(inputs_json, scenarios_json)
    frame = table.frame
    names = [text(f"an.sens.scenario.{name}") for name in frame.index]
    net_texts = [formatting.eur(v, language) for v in frame["net_value"]]
    yes, no = text("an.common.yes"), text("an.common.no")
    scenario_rows = pa.table({
        text("an.sens.col_scenario"): names,
        text("field.adoption"): [formatting.percent(v, language) for v in frame["adoption"]],
        text("field.minutes_saved_per_case"): [formatting.number(v, language, 1)
                                               for v in frame["minutes_saved_per_case"]],
        text("an.sens.col_value_time"): [formatting.eur(v, language) for v in frame["value_time"]],
        text("an.sens.col_value_quality"): [formatting.eur(v, language) for v in frame["value_quality"]],
        text("an.sens.col_net"): net_texts,
        text("an.sens.col_roi"): [formatting.roi(v, language) for v in frame["roi"]],
        text("an.sens.col_survives"): [[yes if ok else no] for ok in frame["survives"]],
    })
    scenario_spec = charts_analysis.chart_spec(
        "scenarios",
        pd.DataFrame({"label": names, "net_value": frame["net_value"].to_numpy(),
                      "survives": frame["survives"].to_numpy(), "net_text": net_texts}),
        language=language, y_title=text("an.sens.axis_net"),
        survive_labels={"yes": text("an.sens.survives"), "no": text("an.sens.does_not_survive")},
    )
    swings = _tornado(inputs_json, scenarios_json)
    base_roi = swings.attrs["base_roi"]
    chart = pd.DataFrame({
        "label": [text(f"field.{field}") for field in swings["field"]],
        "roi_low": swings["roi_low"].to_numpy(),
        "roi_high": swings["roi_high"].to_numpy(),
        "low_text": [roi_input_text(f, v, language) for f, v in zip(swings["field"], swings["low"], strict=True)],
        "high_text": [roi_input_text(f, v, language) for f, v in zip(swings["field"], swings["high"], strict=True)],
        "roi_low_text": [formatting.roi(v, language) for v in swings["roi_low"]],
        "roi_high_text": [formatting.roi(v, language) for v in swings["roi_high"]],
    })
    tornado_spec = charts_analysis.chart_spec(
        "tornado", chart, base_roi=base_roi, language=language, x_title=text("an.sens.axis_roi"),
        end_labels={"low": text("an.sens.input_low"), "high": text("an.sens.input_high"),
                    "input": text("an.sens.input")},
        base_label=text("an.sens.base"),
    )
    tornado_rows = pa.table({
        text("an.sens.input"): list(chart["label"]),
        text("an.sens.input_low"): list(chart["low_text"]),
        text("an.sens.input_high"): list(chart["high_text"]),
        text("an.sens.roi_at_low"): list(chart["roi_low_text"]),
        text("an.sens.roi_at_high"): list(chart["roi_high_text"]),
        text("an.sens.swing"): [formatting.percent(v, language, 1) for v in swings["swing"]],
    })
    return SensitivityView(table, scenario_rows, scenario_spec, tornado_rows, tornado_spec, base_roi)


@st.cache_data(max_entries=64, show_spinner=False)
def _monte_carlo(inputs_json: str, scenarios_json: tuple[str, ...], n: int,
                 target_roi: float) -> sensitivity.MonteCarloResult:
    inputs = RoiInputs.model_validate_json(inputs_json)
    return sensitivity.monte_carlo(inputs, _ranges(inputs, scenarios_json), n=n, seed=MONTE_CARLO_SEED,
                                   target_roi=target_roi)


def monte_carlo(use_case: UseCase, n: int, target_roi: float) -> sensitivity.MonteCarloResult:
    """Monte Carlo of the ROI over the ranges its scenarios span, fixed seed, cached on inputs, n and target."""
    return _monte_carlo(use_case.roi.model_dump_json(), tuple(s.model_dump_json() for s in use_case.scenarios),
                        int(n), float(target_roi))


def editor_has_edits(widget_key: str) -> bool:
    """Whether a ``st.data_editor`` holds unsaved edits; comparing whole tables on every rerun costs more."""
    edits = state.widget_value(widget_key) or {}
    return any(edits.get(part) for part in ("edited_rows", "added_rows", "deleted_rows"))


def monte_carlo_view(use_case: UseCase, n: int, target_roi: float,
                     language: str) -> tuple[sensitivity.MonteCarloResult, dict[str, Any]]:
    """The Monte Carlo result and its histogram spec, cached on (inputs, scenarios, n, target, language)."""
    return _monte_carlo_view(use_case.roi.model_dump_json(), tuple(s.model_dump_json() for s in use_case.scenarios),
                             int(n), float(target_roi), language)


@lru_cache(maxsize=MONTE_CARLO_CACHE_SIZE)
def _monte_carlo_view(inputs_json: str, scenarios_json: tuple[str, ...], n: int, target_roi: float,
                      language: str) -> tuple[sensitivity.MonteCarloResult, dict[str, Any]]:
    result = _monte_carlo(inputs_json, scenarios_json, n, target_roi)
    spec = charts_analysis.chart_spec(
        "monte_carlo", result.samples,
        percentiles=[(name, value, formatting.roi(value, language))
                     for name, value in (("P5", result.p5), ("P50", result.p50), ("P95", result.p95))],
        language=language, x_title=translate("an.sens.axis_roi", language),
        y_title=translate("an.sens.axis_draws", language),
        sign_labels={"negative": translate("an.sens.roi_not_positive", language),
                     "positive": translate("an.sens.roi_positive", language)},
    )
    return result, spec


def reset_scenarios(use_case_id: str) -> bool:
    """Back to the S16 worst/base/best overrides."""
    return services.set_fields(use_case_id, {"scenarios": [s.model_dump() for s in sensitivity.DEFAULT_SCENARIOS]})


def scenario_rows(use_case: UseCase) -> list[dict[str, Any]]:
    return [scenario.model_dump() for scenario in use_case.scenarios]


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


def gates_view(use_case: UseCase, thresholds: Thresholds, language: str) -> GatesView:
    """The cached :class:`GatesView`, keyed on the use case, the thresholds and the language."""
    return _gates_view(use_case.model_dump_json(), thresholds.model_dump_json(), language)


@lru_cache(maxsize=VIEW_CACHE_SIZE)
def _gates_view(use_case_json: str, thresholds_json: str, language: str) -> GatesView:
    results = _gate_results(use_case_json, thresholds_json)
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
    return GatesView(results, checks)


def check_value_text(name: str, value: Any, language: str) -> str:
    """A gate check's measured value or threshold in its unit (:data:`CHECK_UNITS`), in ``language``."""
    unit = CHECK_UNITS.get(name, "bool" if name in gates.COMPLIANCE_ITEMS else "")
    if unit == "risk_class" and isinstance(value, str):
        return translate(f"risk.{value}", language) if has(f"risk.{value}") else value
    return value_text(value, unit, language, translate("an.common.yes", language),
                      translate("an.common.no", language))


def record_gate_decision(use_case_id: str, gate: str) -> gates.GateResult:
    """Evaluate ``gate`` on the stored use case and thresholds and write its decision and failed checks
    to the audit trail; returns the recorded result."""
    workspace_id = services.selected_workspace_id()
    store = services.store()
    use_case, _ = store.get_use_case(workspace_id, use_case_id)
    result = gate_results(use_case, store.load(workspace_id).workspace.thresholds)[gate]
    store.record_gate_decision(workspace_id, use_case_id, gate, result.decision, result.failed_checks, state.actor())
    return result


@dataclass(frozen=True)
class RecordedDecision:
    decision: str
    actor: str
    at: datetime
    failed_checks: int


def recorded_gate_decisions(use_case_id: str) -> dict[str, RecordedDecision]:
    """The latest recorded decision per gate key of a use case (audit field path ``gates.<gate>``)."""
    latest: dict[str, RecordedDecision] = {}
    for entry in services.store().audit(services.selected_workspace_id(), use_case_id):
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


def save_threshold(field: str, value: float) -> None:
    """Replace one workspace threshold (validated, audited); reads the stored thresholds first."""
    current = services.store().load(services.selected_workspace_id()).workspace.thresholds
    services.save_thresholds(with_value(current, field, value))


def reset_thresholds() -> None:
    services.save_thresholds(Thresholds())


def readiness_rows(use_case: UseCase) -> list[dict[str, str]]:
    """All 14 S6 items in checklist order with the stored status and evidence."""
    stored = {entry.item: entry for entry in use_case.readiness}
    return [
        {"item": item, "status": stored[item].status if item in stored else "open",
         "evidence": stored[item].evidence if item in stored else ""}
        for item in READINESS_ITEMS
    ]


def readiness_table(use_case: UseCase, language: str) -> pd.DataFrame:
    """The S6 checklist as the editor's table (item id, label, measurement, status, evidence); a fresh copy
    of a table cached on (checklist, language)."""
    return _readiness_table(tuple((entry.item, entry.status, entry.evidence) for entry in use_case.readiness),
                            language).copy()


@lru_cache(maxsize=VIEW_CACHE_SIZE)
def _readiness_table(stored: tuple[tuple[str, str, str], ...], language: str) -> pd.DataFrame:
    entries = {item: (status, evidence) for item, status, evidence in stored}
    suffix = "de" if language == "de" else "en"
    return pd.DataFrame({
        "item": list(READINESS_ITEMS),
        "label": [getattr(CHECKLIST_BY_ID[item], f"label_{suffix}") for item in READINESS_ITEMS],
        "measurement": [getattr(CHECKLIST_BY_ID[item], f"measurement_{suffix}") for item in READINESS_ITEMS],
        "status": [entries.get(item, ("open", ""))[0] for item in READINESS_ITEMS],
        "evidence": [entries.get(item, ("open", ""))[1] for item in READINESS_ITEMS],
    })


@st.cache_data(max_entries=16, ttl=PROFILE_CACHE_SECONDS, show_spinner=False)
def read_and_profile(data: bytes, filename: str, timestamp_column: str | None) -> profiling.Profile:
    """S7 profile of an uploaded table; raises ``TableReadError`` naming the file, ValueError naming the column."""
    frame = profiling.read_table(data, filename)
    return profiling.profile(frame, timestamp_column if timestamp_column in frame.columns else None)


@st.cache_data(max_entries=16, ttl=PROFILE_CACHE_SECONDS, show_spinner=False)
def table_columns(data: bytes, filename: str) -> list[str]:
    return [str(column) for column in profiling.read_table(data, filename).columns]


def sample_table() -> tuple[bytes, str]:
    return SAMPLE_TABLE_PATH.read_bytes(), SAMPLE_TABLE_PATH.name


def pack_download(use_case_ids: Sequence[str], author: str, language: str = "en") -> Callable[[], bytes]:
    """A callable for ``st.download_button`` that builds the Excel decision pack in ``language`` ("en" or
    "de") fresh from the Store when clicked; it runs outside the script thread, so the workspace id, the
    Store and the language are bound now."""
    store, workspace_id, chosen = services.store(), services.selected_workspace_id(), list(use_case_ids)

    def build() -> bytes:
        return excel_export.build_pack(store.load(workspace_id), chosen or None, author=author,
                                       audit_entries=store.audit(workspace_id), language=language)

    return build


def json_download() -> Callable[[], str]:
    """A download callable for the workspace as canonical JSON (Store.export_json)."""
    store, workspace_id = services.store(), services.selected_workspace_id()
    return lambda: store.export_json(workspace_id)


def audit_csv_download(use_case_id: str | None) -> Callable[[], str]:
    """A download callable for the audit trail as CSV (Store.audit_csv), optionally one use case only."""
    store, workspace_id = services.store(), services.selected_workspace_id()
    return lambda: store.audit_csv(workspace_id, use_case_id)


def read_pack(data: bytes) -> excel_import.PackDiff:
    """Diff of an edited pack against the current workspace; raises ``PackRejected`` naming sheet and cell."""
    return excel_import.read_pack(data, services.store().load(services.selected_workspace_id()))


def apply_pack(changes: Sequence[excel_import.FieldChange], expected_versions: dict[str, int]) -> None:
    """Apply a reviewed pack diff in one audited transaction (ConflictError when a use case moved on)."""
    touched = {change.use_case_id for change in changes}
    services.store().apply_changes(
        services.selected_workspace_id(),
        [(change.use_case_id, change.field_path, change.new) for change in changes],
        {use_case_id: expected_versions[use_case_id] for use_case_id in touched if use_case_id in expected_versions},
        state.actor(),
    )


def import_json(text: str | bytes, name: str | None) -> str:
    """Import a workspace file as a new workspace and open it; raises ``ImportRejected`` listing every error."""
    workspace_id = services.store().import_json(text, state.actor(), name=name or None)
    state.set_workspace_id(workspace_id)
    return workspace_id


def snapshots() -> list[SnapshotInfo]:
    return services.store().list_snapshots(services.selected_workspace_id())


def create_snapshot(label: str) -> SnapshotInfo:
    return services.store().create_snapshot(services.selected_workspace_id(), label, state.actor())


def restore_snapshot(label: str) -> None:
    services.store().restore_snapshot(services.selected_workspace_id(), label, state.actor())


def audit_entries(use_case_id: str | None, limit: int = AUDIT_VIEW_LIMIT) -> list[AuditEntry]:
    return services.store().audit(services.selected_workspace_id(), use_case_id, limit=limit)


def audit_table(entries: Sequence[AuditEntry], names: dict[str, str], language: str) -> pa.Table:
    """The audit view (when, by, use case, action, field, old, new) as an Arrow table, cached on the
    entries (append-only, so equal ids mean equal rows), the use-case names and the language."""
    return _audit_table(tuple(entries), tuple(names.items()), language)


@lru_cache(maxsize=16)
def _audit_table(entries: tuple[AuditEntry, ...], names: tuple[tuple[str, str], ...], language: str) -> pa.Table:
    by_id = dict(names)
    missing = formatting.MISSING
    actions = {entry.action for entry in entries}
    action_labels = {action: translate(f"an.action.{action}", language) if has(f"an.action.{action}") else action
                     for action in actions}
    return pa.table({
        translate("an.export.col_when", language): [formatting.timestamp(e.at, language) for e in entries],
        translate("an.export.col_actor", language): [e.actor for e in entries],
        translate("an.export.col_use_case", language): [by_id.get(e.use_case_id, e.use_case_id or missing)
                                                        for e in entries],
        translate("an.export.col_action", language): [action_labels[e.action] for e in entries],
        translate("an.export.col_field", language): [e.field_path or missing for e in entries],
        translate("an.export.col_old", language): [e.old_value or missing for e in entries],
        translate("an.export.col_new", language): [e.new_value or missing for e in entries],
    })


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
