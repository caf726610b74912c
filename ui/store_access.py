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
from collections.abc import Callable, Mapping, Sequence
from functools import wraps
from typing import Any, ParamSpec

import streamlit as st
from pydantic import ValidationError

from core.models import LABEL_RULE, NAME_RULE, UseCase, error_text, with_values
from core.store import ConflictError, LoadedWorkspace, NotFoundError, Store, StoreError, WorkspaceInfo
from ui import formatting, state
from ui.i18n import has, t

LOGGER = logging.getLogger("workbench.ui")
DATABASE_URL_ENV = "WORKBENCH_DATABASE_URL"
P = ParamSpec("P")


def database_url() -> str | None:
    return os.environ.get(DATABASE_URL_ENV) or None


@st.cache_resource(show_spinner=False)
def _store_for(url: str | None) -> Store:
    store = Store(url)
    store.ensure_sample_workspace()
    return store


def store() -> Store:
    return _store_for(database_url())


def field_label(path: Sequence[Any] | str) -> str:
    """Translated name of a field path such as ("roi", "adoption"), else the dotted path."""
    parts = [str(part) for part in (path.split(".") if isinstance(path, str) else path)]
    dotted = ".".join(parts)
    for candidate in (dotted, *(part for part in reversed(parts) if not part.isdigit())):
        if has(f"field.{candidate}"):
            return t(f"field.{candidate}")
    return dotted or t("error.model")


def readable_errors(error: ValidationError) -> list[str]:
    """Each pydantic error as "field: message", the field translated where the catalog knows it, ready for a
    Markdown sink: the message may quote what the user typed (a duplicate scenario name, a field path), so
    each line is escaped (:func:`formatting.escape_markdown`).

    A model rule over several fields names its field at the start of the message ("ramp_months: the ramp …");
    that field's label then replaces the model's: "Adoption ramp (months): the ramp …".
    """
    rules = {NAME_RULE: t("error.name_rule"), LABEL_RULE: t("error.label_rule")}
    lines = []
    for item in error.errors():
        message = error_text(item)
        field, separator, rest = message.partition(": ")
        if separator and has(f"field.{field}"):
            line = f"{t(f'field.{field}')}: {_rule_text(item, rest)}"
        else:
            line = f"{field_label(item.get('loc', ()))}: {rules.get(message) or _rule_text(item, message)}"
        lines.append(formatting.escape_markdown(line))
    return lines


def _limit_text(value: Any, language: str) -> str:
    """A limit of a pydantic error (0.92, 200, 1e12) as the user's number format, with the decimals it has."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    decimals = 0 if float(value).is_integer() else min(6, len(repr(float(value)).partition(".")[2]))
    return formatting.number(value, language, decimals)


def _rule_text(item: Mapping[str, Any], message: str) -> str:
    """A pydantic error as a sentence in the user's language ("darf nicht leer sein"), never pydantic's English:
    the error type picks the catalogue text (``error.rule.<type>``) and its limits are formatted numbers. A model
    rule of our own is English in the core; in another language it reads as the rule's catalogue text where one
    exists (``error.rule.value_error.<text>``), else as a general sentence."""
    kind = str(item.get("type", ""))
    context = dict(item.get("ctx") or {})
    language = state.language()
    if kind == "value_error" or kind == "assertion_error":
        if language == "en":
            return message
        key = "error.rule.value_error." + re.sub(r"[^a-z]+", "_", message.lower()).strip("_")[:60]
        return t(key) if has(key) else t("error.rule.value_error")
    if kind == "string_too_short" and context.get("min_length") == 1:
        return t("error.rule.empty")
    if kind == "too_short" and context.get("min_length") == 1:
        return t("error.rule.empty")
    limits = {name: _limit_text(value, language) for name, value in context.items()}
    if has(f"error.rule.{kind}"):
        return t(f"error.rule.{kind}", **limits)
    return message if language == "en" else t("error.rule.other")


def report_error(error: BaseException) -> None:
    """Queue a friendly message for ``error``; unexpected errors go to the server log in full."""
    if isinstance(error, ValidationError):
        state.flash("error", "\n\n".join(readable_errors(error)))
    elif isinstance(error, ConflictError):
        state.flash("warning", conflict_message(error))
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


def conflict_message(error: ConflictError) -> str:
    changed_at = error.changed_at
    when = formatting.timestamp(changed_at, state.language()) if changed_at else formatting.MISSING
    what = _changed_fields(error)
    return t(
        "conflict.message",
        use_case=error.use_case_id,
        who=error.changed_by or "?",
        when=when,
        fields=", ".join(what) if what else formatting.MISSING,
    )


def _changed_fields(error: ConflictError) -> list[str]:
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


def selected_workspace_id() -> str:
    """The workspace chosen in this session; StoreError when none is (before the first page run)."""
    workspace_id = state.workspace_id()
    if workspace_id is None:
        raise StoreError("no workspace selected")
    return workspace_id


def workspaces() -> list[WorkspaceInfo]:
    return list(store().list_workspaces())


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
    """Validate dotted-path changes on the stored use case and save them (raises ValidationError)."""
    current = fresh_use_case(use_case_id)
    updated = with_values(current, dict(changes))
    if updated == current:
        return True
    return save_use_case(updated)


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
