"""Export: the Excel decision pack and workspace JSON (download and re-import), snapshots and the audit trail.

Download callables bind the Store, the workspace and the language when the page draws them: Streamlit calls
them outside the script thread, where the session's state cannot be read.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Sequence
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import streamlit as st

from core import excel
from core.excel.problems import PackProblem
from core.models import PlanBudgets, SavedPlan, WorkspaceSettings
from core.store import AuditEntry, LoadedWorkspace, SnapshotInfo
from core.store.workspaces import SAMPLE_ACTOR
from ui import formatting, measurements, state, store_access
from ui.i18n import has, translate
from ui.portfolio import portfolio_key

if TYPE_CHECKING:
    from core.portfolio_workspace import PlanIssue

AUDIT_VIEW_LIMIT = 500
APPLY_COLUMN = "apply"


def pack_download(use_case_ids: Sequence[str], author: str, language: str = "en",
                  plan_name: str | None = None) -> Callable[[], bytes]:
    """A callable for ``st.download_button`` that builds the Excel decision pack in ``language`` ("en" or
    "de") fresh from the Store when clicked; it runs outside the script thread, so the workspace id, the
    Store and the language are bound now. The Portfolio sheet starts from the saved plan ``plan_name``, else
    from the optimal plan at the default budget."""
    store, workspace_id, chosen = store_access.store(), store_access.selected_workspace_id(), list(use_case_ids)

    def build() -> bytes:
        plan = store.get_plan(workspace_id, plan_name).plan if plan_name else None
        # Author and Audit-trail sheet as the workspace's rules allow (S23): a pseudonym in pseudonymised mode, also
        # in an owner's pack, which goes to people who are not; the steps of a drag merged into one row (issue 13).
        return excel.build_pack(store.load(workspace_id), chosen or None,
                                author=store.shown_identity(workspace_id, author),
                                audit_entries=store.audit(workspace_id, coalesce=True), language=language, plan=plan)

    return build


def saved_plan_names() -> list[str]:
    return [stored.name for stored in store_access.store().list_plans(store_access.selected_workspace_id())]


def pack_plan(change: excel.PlanChange, name: str, source: str = "excel") -> SavedPlan:
    """The plan read from a pack's Portfolio sheet as a :class:`SavedPlan` over the current use cases."""
    from core.portfolio_workspace import portfolio_items, saved_plan

    workspace = store_access.store().load(store_access.selected_workspace_id()).workspace
    return saved_plan(name, portfolio_items(workspace), PlanBudgets(**change.budgets), change.funded_ids,
                      source=source)


def pack_plan_issues(change: excel.PlanChange) -> tuple[PlanIssue, ...]:
    """The S20 rules the pack's plan breaks (over a limit, ineligible funded, a must left out, a need unfunded)."""
    from core.portfolio_workspace import check_plan, portfolio_items

    workspace = store_access.store().load(store_access.selected_workspace_id()).workspace
    return check_plan(portfolio_items(workspace), PlanBudgets(**change.budgets), change.funded_ids)


def save_pack_plan(change: excel.PlanChange, name: str) -> None:
    """Save the pack's plan under ``name`` (audited as ``save_plan``); StoreError when the name is taken."""
    store_access.store().save_plan(store_access.selected_workspace_id(), pack_plan(change, name), state.actor())


def json_download() -> Callable[[], str]:
    """A download callable for the workspace as canonical JSON (Store.export_json)."""
    store, workspace_id = store_access.store(), store_access.selected_workspace_id()
    return lambda: store.export_json(workspace_id)


def audit_csv_download(use_case_id: str | None) -> Callable[[], str]:
    """A download callable for the audit trail as CSV (Store.audit_csv), optionally one use case only."""
    store, workspace_id = store_access.store(), store_access.selected_workspace_id()
    # Pseudonyms only, as in the pack: a download leaves the app and its owners.
    return lambda: store.audit_csv(workspace_id, use_case_id)


def read_pack(data: bytes) -> excel.PackDiff:
    """Diff of an edited pack against the current workspace; raises ``PackRejected`` naming sheet and cell."""
    return excel.read_pack(data, store_access.store().load(store_access.selected_workspace_id()))


_COUNTS = frozenset({"entries", "size", "limit", "ratio"})


def _problem_number(value: float, language: str) -> str:
    """A number of a refusal as the user typed it, in the language's notation ("1,5"); inf and nan as Python
    writes them."""
    if not math.isfinite(value):
        return str(value)
    return formatting.plain(value, language, 6)


def _problem_percent(fraction: float, language: str) -> str:
    hundredths = fraction * 100
    whole = math.isfinite(hundredths) and abs(hundredths - round(hundredths)) < 1e-9
    return formatting.percent(fraction, language, 0 if whole else 1)


def _problem_where(problem: PackProblem, language: str) -> str:
    """The cells of a refusal, grouped by sheet: "Blatt „D1_x“, Zelle B43" (de) or "D1_x!B43" (en), with the
    input's field in words."""
    by_sheet: dict[str, list[str]] = {}
    for sheet, cell in problem.cells:
        by_sheet.setdefault(sheet, []).append(cell)
    places = []
    for sheet, cells in by_sheet.items():
        if len(cells) == 1:
            places.append(translate("an.export.where.cell", language, sheet=sheet, cell=cells[0]))
            continue
        places.append(translate("an.export.where.cells", language, sheet=sheet, cells=", ".join(cells)))
    where = "; ".join(places)
    if problem.field_path:
        where = translate("an.export.where.input", language, where=where,
                          field=field_path_label(problem.field_path, language))
    return where


def problem_text(problem: PackProblem, language: str, names: dict[str, str] | None = None) -> str:
    """One refusal of an uploaded pack as a sentence in ``language`` naming its sheet and cell, as plain text
    (the page escapes it once). Numbers in the language's notation, use cases by their ``names`` where known.

    Example (de): not_a_number at D1_support-chatbot!B43 (roi.adoption), found "abc" → "Blatt
    „D1_support-chatbot“, Zelle B43 (Adoption): Erwartet wurde eine Zahl, gefunden: „abc“."
    """
    values: dict[str, object] = {}
    for name, value in problem.values.items():
        if name in _COUNTS and isinstance(value, int | float):
            values[name] = formatting.number(value, language)
        elif name == "number" and isinstance(value, int | float):
            values[name] = _problem_number(value, language)
            values["percent"] = _problem_percent(value, language)
        elif name == "use_case":
            values[name] = (names or {}).get(str(value), str(value))
        elif name == "field":
            values[name] = field_path_label(str(value), language)
        elif name == "errors":
            values["detail"] = "; ".join(store_access.error_lines(value, language))
        elif name == "detail" and "errors" in problem.values:
            continue
        else:
            values[name] = value
    sentence = translate(f"an.export.problem.{problem.code}", language, **values)
    if not problem.cells:
        return sentence
    return translate("an.export.where.problem", language, where=_problem_where(problem, language), sentence=sentence)


def ignored_value_text(text: str, number: float | None, language: str) -> str:
    """A cell of an ignored edit as shown: a number in the language's notation (0.62 → "0,62" in German), else
    its text."""
    return text if number is None else formatting.plain(number, language, 6)


@st.cache_data(max_entries=8, show_spinner=False)
def _ignored_edits(digest: str, portfolio: str, _data: bytes, _loaded: LoadedWorkspace,
                   _diff: excel.PackDiff) -> excel.IgnoredEdits:
    return excel.ignored_edits(_data, _loaded, _diff)


def ignored_edits(data: bytes, diff: excel.PackDiff) -> excel.IgnoredEdits:
    """The pack's edits outside its inputs (formula overwritten, workspace renamed, …), each with its reason;
    cached per file and portfolio version, as a tick in the change list reruns the page (≈2 s for the sample)."""
    loaded = store_access.store().load(store_access.selected_workspace_id())
    digest = hashlib.blake2b(data, digest_size=20).hexdigest()
    return _ignored_edits(digest, portfolio_key(loaded), data, loaded, diff)


def ticked_changes(changes: Sequence[excel.FieldChange], editor_state: Any) -> tuple[excel.FieldChange, ...]:
    """The changes whose "apply" box is ticked in the review table: all by default, minus the rows the person
    unticked (``editor_state`` is the data editor's ``{"edited_rows": {row: {"apply": bool}}}``)."""
    edited = (editor_state or {}).get("edited_rows", {}) if isinstance(editor_state, dict) else {}
    ticks = {int(row): bool(values.get(APPLY_COLUMN, True)) for row, values in edited.items()}
    return tuple(change for row, change in enumerate(changes) if ticks.get(row, True))


def apply_pack(changes: Sequence[excel.FieldChange], expected_versions: dict[str, int]) -> None:
    """Apply a reviewed pack diff in one audited transaction (ConflictError when a use case moved on)."""
    touched = {change.use_case_id for change in changes}
    store_access.store().apply_changes(
        store_access.selected_workspace_id(),
        [(change.use_case_id, change.field_path, change.new) for change in changes],
        {use_case_id: expected_versions[use_case_id] for use_case_id in touched if use_case_id in expected_versions},
        state.actor(),
    )


def import_json(text: str | bytes, name: str | None) -> str:
    """Import a workspace file as a new workspace and open it; raises ``ImportRejected`` listing every error."""
    workspace_id = store_access.store().import_json(text, state.actor(), name=name or None)
    state.set_workspace_id(workspace_id)
    return workspace_id


def snapshots() -> list[SnapshotInfo]:
    return store_access.store().list_snapshots(store_access.selected_workspace_id())


def create_snapshot(label: str) -> SnapshotInfo:
    return store_access.store().create_snapshot(store_access.selected_workspace_id(), label, state.actor())


def restore_snapshot(label: str) -> None:
    store_access.store().restore_snapshot(store_access.selected_workspace_id(), label, state.actor())


def audit_privacy() -> WorkspaceSettings:
    """The selected workspace's settings, for its audit privacy rules (S23: pseudonymised, retention)."""
    return store_access.store().workspace_settings(store_access.selected_workspace_id())


def save_audit_privacy(pseudonymised: bool, retention_months: int | None) -> None:
    """Set pseudonymised mode and the retention in months (None: names are kept); audited, applied at once."""
    store = store_access.store()
    workspace_id = store_access.selected_workspace_id()
    current = store.workspace_settings(workspace_id)
    settings = WorkspaceSettings.model_validate({**current.model_dump(), "audit_pseudonymised": pseudonymised,
                                                 "audit_retention_months": retention_months})
    if settings != current:
        store.save_settings(workspace_id, state.actor(), settings=settings)
        store.apply_retention()


def audit_entries(use_case_id: str | None, limit: int = AUDIT_VIEW_LIMIT) -> list[AuditEntry]:
    """The trail as the reader may see it in the app: names in a pseudonymised workspace for its owners only
    (S23); the pack and the CSV download show pseudonyms."""
    return store_access.store().audit(store_access.selected_workspace_id(), use_case_id, limit=limit, coalesce=True,
                                      names_for=state.actor())


def actor_label(actor: str, language: str) -> str:
    """An audit actor as shown: the workbench's own actor (the sample data) in the user's language."""
    return translate("an.export.sample_actor", language) if actor == SAMPLE_ACTOR else actor


def field_path_label(path: str | None, language: str) -> str:
    """An audit field path in words: "roi.adoption" → "Adoption", "gates.canary" → "Canary", "scenarios.0.adoption"
    → "Adoption (2)"… the path itself only where no label is known."""
    if not path:
        return formatting.MISSING
    parts = path.split(".")
    if parts[0] == "gates" and len(parts) == 2 and has(f"gate.{parts[1]}"):
        return translate(f"gate.{parts[1]}", language)
    for candidate in (path, ".".join(part for part in parts if not part.isdigit()),
                      *(part for part in reversed(parts) if not part.isdigit())):
        if has(f"field.{candidate}"):
            label = translate(f"field.{candidate}", language)
            numbers = [str(int(part) + 1) for part in parts if part.isdigit()]
            return f"{label} ({', '.join(numbers)})" if numbers else label
    return path


def audit_value_label(value: str | None, language: str) -> str:
    """An audit value as read: a text without its JSON quotes, an object as "label: value; …" with its keys in
    words (``{"name": "A", "use_cases": 3}`` → "Name: A; Use cases: 3"), anything else as stored."""
    if not value:
        return formatting.MISSING
    try:
        parsed = json.loads(value)
    except ValueError:
        return value
    if isinstance(parsed, str):
        return parsed
    if isinstance(parsed, dict):
        parts = []
        for key, item in parsed.items():
            name = translate(f"col.{key}", language) if has(f"col.{key}") else field_path_label(key, language)
            shown = item if isinstance(item, str | int | float) else json.dumps(item, ensure_ascii=False)
            parts.append(f"{name}: {shown}")
        return "; ".join(parts)
    return value


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
        translate("an.export.col_actor", language): [actor_label(e.actor, language) for e in entries],
        translate("an.export.col_use_case", language): [by_id.get(e.use_case_id, e.use_case_id or missing)
                                                        for e in entries],
        translate("an.export.col_action", language): [action_labels[e.action] for e in entries],
        translate("an.export.col_field", language): [field_path_label(e.field_path, language) for e in entries],
        translate("an.export.col_old", language): [audit_value_label(e.old_value, language) for e in entries],
        translate("an.export.col_new", language): [audit_value_label(e.new_value, language) for e in entries],
        translate("an.export.col_steps", language): [formatting.number(e.steps, language) for e in entries],
    })


def new_measurement_text(values: dict, language: str) -> str:
    """A new S22 measurement of a pack as one line: its day, then each measured value in its unit."""
    parts = [measurements.input_value_text(name, value, language) if not isinstance(value, str) else value
             for name, value in values.items() if name != "measured_on"]
    day = formatting.date(date.fromisoformat(values["measured_on"]), language)
    return translate("pva.new_measurement", language, day=day, values=", ".join(parts))
