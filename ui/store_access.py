"""The one cached Store, the session's workspace and use case, and every edit's way into the Store.

The Store is one cached resource per database URL (env ``WORKBENCH_DATABASE_URL``). Every edit goes
through :func:`save_use_case` / :func:`set_fields`, which saves at once with the version the user
last saw; a version conflict is reported (who, when, what) and the page reloads from the Store.
Callbacks never raise: errors become a readable flash message naming the field.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import wraps
from typing import Any, ParamSpec

import streamlit as st
from pydantic import ValidationError

from core.models import LABEL_RULE, NAME_RULE, UseCase, diff_fields, error_text, with_values
from core.store import (
    ConflictError,
    LoadedWorkspace,
    NotFoundError,
    PermissionDenied,
    Store,
    StoreError,
    WorkspaceInfo,
)
from ui import auth, formatting, state
from ui.i18n import has, label, t, translate

LOGGER = logging.getLogger("workbench.ui")
DATABASE_URL_ENV = "WORKBENCH_DATABASE_URL"
P = ParamSpec("P")


def database_url() -> str | None:
    return os.environ.get(DATABASE_URL_ENV) or None


def _audit_secret() -> str | None:
    """``audit_secret`` from ``.streamlit/secrets.toml`` (``[workbench]``), else None: the Store then reads env
    ``WORKBENCH_AUDIT_SECRET`` (S23 pseudonymised mode)."""
    try:
        section = st.secrets.get("workbench", {})
    except (OSError, KeyError, ValueError):  # no secrets file (Streamlit's error is a FileNotFoundError)
        return None
    secret = section.get("audit_secret") if hasattr(section, "get") else None
    return str(secret) if secret else None


@st.cache_resource(show_spinner=False)
def _store_for(url: str | None, roles: bool = False) -> Store:
    """The process's Store; ``roles`` (sign-in configured) turns the database's access control on (S23)."""
    store = Store(url, audit_secret=_audit_secret())
    store.ensure_sample_workspace()
    if roles:
        store.enable_access_control()
    return store


def store() -> Store:
    return _store_for(database_url(), auth.sign_in_enabled())


def permission_message(error: PermissionDenied) -> str:
    """Why a write was refused, in the user's language: the role it needs and the one they hold."""
    needed = label("role", error.needed)
    if error.held is None:
        return t("auth.denied_no_role", needed=needed)
    return t("auth.denied", needed=needed, held=label("role", error.held))


def store_notices() -> list[tuple[str, dict[str, str]]]:
    """What the store's start-up check found (audit triggers re-created, a broken chain link), as message kinds
    and their values for the sidebar (issue 12)."""
    return [(notice.kind, dict(notice.values)) for notice in store().notices]


def field_label(path: Sequence[Any] | str, language: str | None = None) -> str:
    """Translated name of a field path such as ("roi", "adoption"), else the dotted path (default: the session's
    language)."""
    language = language or state.language()
    parts = [str(part) for part in (path.split(".") if isinstance(path, str) else path)]
    dotted = ".".join(parts)
    for candidate in (dotted, *(part for part in reversed(parts) if not part.isdigit())):
        if has(f"field.{candidate}"):
            return translate(f"field.{candidate}", language)
    return dotted or translate("error.model", language)


def readable_errors(error: ValidationError) -> list[str]:
    """Each pydantic error as "field: message", the field translated where the catalog knows it, ready for a
    Markdown sink: the message may quote what the user typed (a duplicate scenario name, a field path), so
    each line is escaped (:func:`formatting.escape_markdown`).

    A model rule over several fields names its field at the start of the message ("ramp_months: the ramp …");
    that field's label then replaces the model's: "Adoption ramp (months): the ramp …".
    """
    return [formatting.escape_markdown(line) for line in error_lines(error.errors(), state.language())]


def error_lines(items: Iterable[Mapping[str, Any]], language: str) -> list[str]:
    """pydantic error items (``ValidationError.errors()``, or the same as plain data in a refused pack's problem)
    as "field: rule" sentences in ``language``, as plain text.

    Example (de): ``[{"loc": ("adoption",), "type": "less_than_equal", "ctx": {"le": 1}, "msg": "…"}]`` →
    ``["Adoption: darf höchstens 1 sein"]``.
    """
    rules = {NAME_RULE: translate("error.name_rule", language), LABEL_RULE: translate("error.label_rule", language)}
    lines = []
    for item in items:
        message = error_text(item)
        field, separator, rest = message.partition(": ")
        if separator and has(f"field.{field}"):
            lines.append(f"{translate(f'field.{field}', language)}: {_rule_text(item, rest, language)}")
        else:
            lines.append(f"{field_label(item.get('loc', ()), language)}: "
                         f"{rules.get(message) or _rule_text(item, message, language)}")
    return lines


def _limit_text(value: Any, language: str) -> str:
    """A limit of a pydantic error (0.92, 200, 1e12) as the user's number format, with the decimals it has."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    decimals = 0 if float(value).is_integer() else min(6, len(repr(float(value)).partition(".")[2]))
    return formatting.number(value, language, decimals)


def _rule_text(item: Mapping[str, Any], message: str, language: str) -> str:
    """A pydantic error as a sentence in the user's language ("darf nicht leer sein"), never pydantic's English:
    the error type picks the catalogue text (``error.rule.<type>``) and its limits are formatted numbers. A model
    rule of our own is English in the core; in another language it reads as the rule's catalogue text where one
    exists (``error.rule.value_error.<text>``), else as a general sentence."""
    kind = str(item.get("type", ""))
    context = dict(item.get("ctx") or {})
    if kind == "value_error" or kind == "assertion_error":
        if language == "en":
            return message
        key = "error.rule.value_error." + re.sub(r"[^a-z]+", "_", message.lower()).strip("_")[:60]
        return translate(key if has(key) else "error.rule.value_error", language)
    if kind in ("string_too_short", "too_short") and context.get("min_length") == 1:
        return translate("error.rule.empty", language)
    limits = {name: _limit_text(value, language) for name, value in context.items()}
    if has(f"error.rule.{kind}"):
        return translate(f"error.rule.{kind}", language, **limits)
    return message if language == "en" else translate("error.rule.other", language)


def report_error(error: BaseException) -> None:
    """Queue a friendly message for ``error``; unexpected errors go to the server log in full."""
    if isinstance(error, ValidationError):
        state.flash("error", "\n\n".join(readable_errors(error)))
    elif isinstance(error, ConflictError):
        state.flash("warning", conflict_message(error))
    elif isinstance(error, PermissionDenied):
        LOGGER.info("refused write: %s", error)
        state.flash("error", permission_message(error))
    elif isinstance(error, (StoreError, ValueError, KeyError)):
        LOGGER.info("rejected edit: %s", error)
        state.flash("error", t("error.rejected", detail=str(error)))
    else:
        LOGGER.exception("unexpected error in the workbench UI")
        state.flash("error", t("error.unexpected"))


def safe_callback(function: Callable[P, Any]) -> Callable[P, None]:
    """Widget callbacks must never raise: a traceback would reach the page."""

    @wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            function(*args, **kwargs)
        except Exception as error:
            report_error(error)

    return wrapper


@dataclass(frozen=True)
class RefusedDraft:
    """A save refused on a conflict: the values this person typed (dotted path → JSON value) and who saved the
    same fields first; shown beside the stored values until applied again or discarded. Kept in the store for the
    person (:func:`refused_drafts`), so a reload or a new tab shows it again; in this session alone only when the
    store refuses to keep it (over its bounds, or the database is unreachable)."""

    use_case_id: str
    changes: dict[str, Any]
    changed_by: str
    changed_at: datetime | None


def person(actor: str | None) -> str:
    """An audit actor as a reader sees it: the name, or "someone without a name" for the anonymous default."""
    actor = (actor or "").strip()
    return actor if actor and actor != state.DEFAULT_ACTOR else t("conflict.someone")


def use_case_name(use_case_id: str) -> str:
    """The use case's name (its id only when it is gone)."""
    workspace_id = state.workspace_id()
    if workspace_id is not None:
        try:
            return store().get_use_case(workspace_id, use_case_id)[0].name
        except StoreError:
            pass
    return use_case_id


def conflict_message(error: ConflictError) -> str:
    """Who changed which fields of which use case (by name) and when, as escaped Markdown."""
    paths = error.fields
    what = sorted({field_label(path) for path in paths})[:8] if paths else _changed_fields(error)
    return _conflict_text(error.use_case_id, error.changed_by, error.changed_at, what)


def _changed_fields(error: ConflictError) -> list[str]:
    """The fields the other person's last save changed, from the audit trail (when the store could not say)."""
    workspace_id = state.workspace_id()
    if workspace_id is None:
        return []
    try:
        entries = store().audit(workspace_id, error.use_case_id, limit=20)
    except StoreError:
        return []
    latest = [entry for entry in entries if entry.actor == error.changed_by and entry.field_path]
    if error.changed_at is not None:
        latest = [entry for entry in latest if entry.at == error.changed_at] or latest[:5]
    return sorted({field_label(entry.field_path) for entry in latest})[:8]


def draft_message(draft: RefusedDraft) -> str:
    return _conflict_text(draft.use_case_id, draft.changed_by, draft.changed_at,
                          sorted({field_label(path) for path in draft.changes})[:8])


def _conflict_text(use_case_id: str, changed_by: str, changed_at: datetime | None, what: list[str]) -> str:
    when = formatting.timestamp(changed_at, state.language()) if changed_at else formatting.MISSING
    # t() escapes every value once; escaped here as well, a name "*1*" would show as "\*1\*".
    return t("conflict.message", use_case=use_case_name(use_case_id), who=person(changed_by), when=when,
             fields=", ".join(what) if what else formatting.MISSING)


def _json_at(data: Any, path: str) -> Any:
    for part in path.split("."):
        if isinstance(data, list):
            data = data[int(part)] if part.isdigit() and int(part) < len(data) else None
        elif isinstance(data, dict):
            data = data.get(part)
        else:
            return None
    return data


def _keep_refused(use_case: UseCase, error: ConflictError) -> bool:
    """Keep what this session typed for the refused fields (all it changed when the fields are unknown); False
    when there is nothing to keep (the use case is gone)."""
    try:
        stored = fresh_use_case(use_case.id)
    except StoreError:
        return False
    paths = error.fields or tuple(path for path, _, _ in diff_fields(stored, use_case))
    mine = use_case.model_dump(mode="json")
    changes = {path: _json_at(mine, path) for path in paths}
    if changes:
        _keep(RefusedDraft(use_case.id, changes, error.changed_by, error.changed_at))
    return bool(changes)


def _keep(draft: RefusedDraft) -> None:
    """Keep ``draft`` in the store for this person; in this session when the store refuses, so nothing is lost."""
    try:
        store().keep_draft(selected_workspace_id(), draft.use_case_id, state.actor(), draft.changes,
                           draft.changed_by, draft.changed_at)
    except (StoreError, ValueError) as error:
        LOGGER.info("refused draft kept in the session only: %s", error)
        state.keep_draft(draft.use_case_id, draft)
    else:
        state.drop_draft(draft.use_case_id)


def _drop(use_case_id: str) -> RefusedDraft | None:
    """Forget this person's draft of the use case, in the store and in the session; the draft it was, if any."""
    draft = _draft_of(use_case_id)
    state.drop_draft(use_case_id)
    workspace_id = state.workspace_id()
    if workspace_id is not None:
        try:
            store().drop_draft(workspace_id, use_case_id, state.actor())
        except StoreError as error:
            LOGGER.info("refused draft not dropped from the store: %s", error)
    return draft


def _draft_of(use_case_id: str) -> RefusedDraft | None:
    return next((draft for draft in refused_drafts() if draft.use_case_id == use_case_id), None)


def _table_draft_name(use_case_id: str, path: str) -> str:
    return f"table_draft.{use_case_id}.{path}"


def table_draft(use_case_id: str, path: str) -> list[dict[str, Any]]:
    """The rows of a table kept as a draft (a required cell empty): this session's, else those the store keeps for
    this person (read once a session, so a reload shows them again)."""
    name = _table_draft_name(use_case_id, path)
    rows = state.ui_value(name)
    if rows is None:
        rows = []
        workspace_id = state.workspace_id()
        if workspace_id is not None:
            try:
                kept = store().drafts_for(workspace_id, state.actor(), slot=f"table.{path}")
            except StoreError as error:
                LOGGER.info("table draft not read from the store: %s", error)
                kept = []
            rows = next((list(draft.changes.get("rows") or []) for draft in kept if draft.use_case_id == use_case_id),
                        [])
        state.set_ui_value(name, rows)
    return list(rows)


def keep_table_draft(use_case_id: str, path: str, rows: list[dict[str, Any]]) -> None:
    """Keep a table's incomplete rows for this session and in the store for this person (none: forget them)."""
    state.set_ui_value(_table_draft_name(use_case_id, path), rows)
    _keep_in_store(use_case_id, f"table.{path}", {"rows": rows} if rows else None)


def _keep_in_store(use_case_id: str, slot: str, changes: dict[str, Any] | None) -> None:
    """Keep ``changes`` as this person's draft in ``slot`` (None: drop it); a store that cannot keep it (no
    workspace yet, over the bounds, busy) leaves the draft in the session only."""
    try:
        if changes:
            store().keep_draft(selected_workspace_id(), use_case_id, state.actor(), changes, slot=slot)
        else:
            store().drop_draft(selected_workspace_id(), use_case_id, state.actor(), slot=slot)
    except (StoreError, ValueError) as error:
        LOGGER.info("draft in slot '%s' kept in the session only: %s", slot, error)


FIELD_ENTRIES_SLOT = "fields"
MAX_ENTRY_CHARS = 200


def _field_entries() -> dict[str, dict[str, Any]]:
    """This person's refused number-field entries in the workspace (widget key → typed text and the stored value it
    was refused against): this session's, else those the store keeps (read once a session and person)."""
    workspace_id, actor = state.workspace_id(), state.actor()
    name = f"field_entries.{workspace_id}.{actor}"
    entries = state.ui_value(name)
    if entries is None:
        entries = {}
        if workspace_id is not None:
            try:
                kept = store().drafts_for(workspace_id, actor, slot=FIELD_ENTRIES_SLOT)
            except StoreError as error:
                LOGGER.info("refused entries not read from the store: %s", error)
                kept = []
            for draft in kept:
                entries.update({key: entry for key, entry in draft.changes.items()
                                if isinstance(entry, dict) and isinstance(entry.get("text"), str)})
        state.set_ui_value(name, entries)
    return entries


def refused_entry(widget_key: str) -> tuple[str, Any] | None:
    """What a number field refused, kept so that the typed text stays in the field across reruns and reloads:
    (the text, the stored value it was refused against), or None."""
    entry = _field_entries().get(widget_key)
    return None if entry is None else (entry["text"], entry.get("model"))


def keep_refused_entry(widget_key: str, text: str, model_value: Any) -> None:
    """Keep a refused entry for this session and in the store for this person, until it is corrected or the stored
    value changes (:func:`drop_refused_entry`)."""
    entries = _field_entries()
    entries[widget_key] = {"text": text[:MAX_ENTRY_CHARS], "model": model_value}
    _keep_in_store("", FIELD_ENTRIES_SLOT, entries)


def drop_refused_entry(widget_key: str) -> None:
    entries = _field_entries()
    if entries.pop(widget_key, None) is not None:
        _keep_in_store("", FIELD_ENTRIES_SLOT, entries or None)


def stored_value(use_case: UseCase, path: str) -> Any:
    """The JSON value at a dotted path of ``use_case`` (None when absent)."""
    return _json_at(use_case.model_dump(mode="json"), path)


@safe_callback
def apply_draft(use_case_id: str) -> None:
    """"Apply mine again": the kept values over the version now stored, which the person has now seen."""
    draft = _drop(use_case_id)
    if draft is None:
        return
    try:
        _, version = store().get_use_case(selected_workspace_id(), use_case_id)
        state.remember_version(use_case_id, version)
        saved = set_fields(use_case_id, draft.changes)
    except Exception:
        # Refused again for another reason (an invalid value, a lost role): the draft stays to be applied later.
        _keep(draft)
        raise
    if saved:
        state.flash("success", t("conflict.applied", use_case=use_case_name(use_case_id)))


def discard_draft(use_case_id: str) -> None:
    _drop(use_case_id)


def refused_drafts() -> list[RefusedDraft]:
    """This person's refused drafts in the selected workspace: those the store keeps for them (from any session,
    before a reload too), each replaced by a newer one this session had to keep itself, then this session's others."""
    workspace_id = state.workspace_id()
    kept: list[RefusedDraft] = []
    if workspace_id is not None:
        try:
            kept = [RefusedDraft(draft.use_case_id, draft.changes, draft.changed_by, draft.changed_at)
                    for draft in store().drafts_for(workspace_id, state.actor())]
        except StoreError as error:
            LOGGER.info("refused drafts not read from the store: %s", error)
    mine = state.drafts()
    kept = [mine.pop(draft.use_case_id, draft) for draft in kept]
    return kept + list(mine.values())


def selected_workspace_id() -> str:
    """The workspace chosen in this session; StoreError when none is (before the first page run)."""
    workspace_id = state.workspace_id()
    if workspace_id is None:
        raise StoreError("no workspace selected")
    return workspace_id


def workspaces() -> list[WorkspaceInfo]:
    """The workspaces this session may open: with sign-in on, those the person holds a role on (each with its role);
    with sign-in off, all of them (one query either way, plus the person's grants with sign-in on)."""
    signed_in = state.signed_in_actor()
    if signed_in is not None:
        return store().workspaces_for(signed_in)
    return list(store().list_workspaces())


def role_of(infos: Sequence[WorkspaceInfo], workspace_id: str) -> str:
    """The session's role on a listed workspace: what the list says with sign-in on, owner with sign-in off."""
    for info in infos:
        if info.id == workspace_id:
            return info.role or "owner"
    return "owner"


def current_workspace(infos: Sequence[WorkspaceInfo] | None = None) -> LoadedWorkspace | None:
    """The workspace chosen in the sidebar (first one when none or unknown), fresh from the Store.

    ``infos``: the workspace list when the caller already read it this run (saves a query).
    """
    infos = workspaces() if infos is None else infos
    if not infos:
        return None
    known = {info.id for info in infos}
    workspace_id = state.workspace_id()
    if workspace_id not in known:
        workspace_id = infos[0].id
        state.set_workspace_id(workspace_id)
    try:
        loaded = store().load(workspace_id)
    except NotFoundError:
        state.set_workspace_id(None)
        return None
    state.remember_versions(loaded.versions)
    return loaded


def selected_use_case_row(remember_version: bool = True) -> tuple[UseCase, int] | None:
    """The selected use case and its stored version, read as one row (for fragment reruns).

    Falls back to loading the workspace when nothing valid is selected (first run, deleted use case).
    ``remember_version`` False keeps the version the user last saw, for a queued edit still to be saved.
    """
    workspace_id, use_case_id = state.workspace_id(), state.use_case_id()
    if workspace_id is not None and use_case_id is not None:
        try:
            use_case, version = store().get_use_case(workspace_id, use_case_id)
        except NotFoundError:
            pass
        else:
            if remember_version:
                state.remember_version(use_case.id, version)
            return use_case, version
    loaded = current_workspace()
    use_case = selected_use_case(loaded) if loaded else None
    if loaded is None or use_case is None:
        return None
    return use_case, loaded.versions.get(use_case.id, 0)


def selected_use_case(loaded: LoadedWorkspace) -> UseCase | None:
    """The use case chosen on any page (the first one when none or deleted)."""
    cases = loaded.workspace.use_cases
    if not cases:
        state.set_use_case_id(None)
        return None
    wanted = state.use_case_id()
    for case in cases:
        if case.id == wanted:
            return case
    state.set_use_case_id(cases[0].id)
    return cases[0]


def save_use_case(use_case: UseCase, new: bool = False) -> bool:
    """Save at once; on a version conflict report who changed what and let the page reload."""
    workspace_id = selected_workspace_id()
    expected = None if new else state.seen_version(use_case.id)
    try:
        version = store().save_use_case(workspace_id, use_case, expected_version=expected, actor=state.actor())
    except ConflictError as error:
        if new or not _keep_refused(use_case, error):
            state.flash("warning", conflict_message(error))
        return False
    state.remember_version(use_case.id, version)
    return True


def fresh_use_case(use_case_id: str) -> UseCase:
    """The use case as stored now in the selected workspace (not as this run loaded it)."""
    workspace_id = selected_workspace_id()
    use_case, _ = store().get_use_case(workspace_id, use_case_id)
    return use_case


def set_fields(use_case_id: str, changes: Mapping[str, Any]) -> bool:
    """Validate dotted-path changes on the version this session saw (else the stored one) and save them; the
    store merges them with what others saved since (raises ValidationError)."""
    seen = state.seen_version(use_case_id)
    base = store().seen_use_case(selected_workspace_id(), use_case_id, seen) if seen is not None else None
    current = base if base is not None else fresh_use_case(use_case_id)
    updated = with_values(current, dict(changes))
    if updated == current:
        return True
    saved = save_use_case(updated)
    if saved:
        _forget_overwritten_draft(use_case_id, changes)
    return saved


def _forget_overwritten_draft(use_case_id: str, changes: Mapping[str, Any]) -> None:
    """A later saved edit of the same fields replaces a refused entry of them: it is no longer "yours" to apply."""
    draft = _draft_of(use_case_id)
    if draft is None:
        return
    left = {path: value for path, value in draft.changes.items()
            if not any(path == changed or path.startswith(f"{changed}.") for changed in changes)}
    if not left:
        _drop(use_case_id)
    elif left != draft.changes:
        _keep(RefusedDraft(use_case_id, left, draft.changed_by, draft.changed_at))


@safe_callback
def on_widget_change(
    use_case_id: str, path: str, widget_key: str, transform: Callable[[Any], Any] | None = None
) -> None:
    """on_change callback: write the widget's value to ``path`` of the use case."""
    value = state.widget_value(widget_key)
    set_fields(use_case_id, {path: transform(value) if transform else value})


@safe_callback
def queue_edit(use_case_id: str, path: str, widget_key: str) -> None:
    """on_change for inputs whose figures must follow the hand (the ROI sliders): only queues the value.

    The run the change triggers draws the figures from the stored use case plus the queued edits
    (:func:`with_queued_edits`), then saves them (:func:`save_queued_edits`) before it draws anything else,
    so the figures reach the browser without waiting for the database's disk sync; every run also saves
    whatever is queued when it starts (``sidebar.load``) and when its guarded body ends.
    """
    state.queue_edit(use_case_id, path, state.widget_value(widget_key))


def queue_value(use_case_id: str, path: str, value: Any) -> None:
    """Like :func:`queue_edit` for a value already parsed (a locale number field's)."""
    state.queue_edit(use_case_id, path, value)


def set_value(use_case_id: str, path: str, value: Any) -> None:
    """Save one parsed value at ``path`` at once (a locale number field's callback, inside its error guard)."""
    set_fields(use_case_id, {path: value})


def has_queued_edits() -> bool:
    return bool(state.queued_edits())


def with_queued_edits(use_case: UseCase) -> UseCase:
    """``use_case`` with this session's queued edits to it applied: validated, not saved.

    An invalid value raises ValidationError (naming the field) and is dropped from the queue.
    """
    changes = {path: value for case_id, path, value in state.queued_edits() if case_id == use_case.id}
    if not changes:
        return use_case
    try:
        return with_values(use_case, changes)
    except ValidationError:
        state.take_queued_edits(use_case.id)
        raise


def save_queued_edits() -> bool:
    """Save the queued edits (one save per use case, checked against the version the user saw) and empty the
    queue; False when one was refused, with the reason (conflict, invalid value) queued as a message."""
    changes_by_use_case: dict[str, dict[str, Any]] = {}
    for use_case_id, path, value in state.take_queued_edits():
        changes_by_use_case.setdefault(use_case_id, {})[path] = value
    saved = True
    for use_case_id, changes in changes_by_use_case.items():
        try:
            saved = set_fields(use_case_id, changes) and saved
        except Exception as error:
            report_error(error)
            saved = False
    return saved


def bind(widget_key: str, model_value: Any) -> str:
    """Seed a widget from the model and return its key (use without ``value=``)."""
    state.sync_widget(widget_key, model_value)
    return widget_key
