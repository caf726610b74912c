"""The store-backed half of every page: workspace, display name and language controls, and the error guard.

Each page starts with ``ctx = sidebar.render("roi.title", ":material/euro:")`` (the frame from
:mod:`ui.frame`, then :func:`load`) and wraps its body in ``with sidebar.guard():``. The sidebar offers the
workspace picker, the user's display name (the audit actor) and the language (DE/EN).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

import streamlit as st
from pydantic import ValidationError

from core.models import RISK_CLASSES, UseCase
from core.store import ConflictError, LoadedWorkspace, PermissionDenied, StoreError, WorkspaceInfo
from ui import auth, formatting, frame, members, state, store_access, table_edits
from ui.i18n import label, t
from ui.number_field import NumberSpec

LOGGER = logging.getLogger("workbench.ui")
LANGUAGE_NAMES = {"de": "Deutsch", "en": "English"}
WORKSPACE_WIDGET = "w.sidebar.workspace"
ACTOR_WIDGET = "w.sidebar.actor"
LANGUAGE_WIDGET = "w.sidebar.language"
PRESENTATION_WIDGET = "w.sidebar.presentation"


@dataclass(frozen=True)
class PageContext:
    loaded: LoadedWorkspace
    language: str
    presentation: bool = False
    """Presentation mode (``ui.state.presentation``): pages hide their editing widgets and widen their charts."""
    workspaces: tuple[WorkspaceInfo, ...] = ()
    # The session's S23 role on the loaded workspace: owner with sign-in off (one local user with full rights).
    role: str = "owner"

    def may(self, role: str) -> bool:
        """Whether the session's role is at least ``role`` (viewer < editor < owner)."""
        return members.ROLE_RANK.get(self.role, 0) >= members.ROLE_RANK[role]

    @property
    def read_only(self) -> bool:
        """An S23 viewer: every widget that saves to the workspace is drawn disabled (the banner says why)."""
        return not self.may("editor")


def _on_workspace_change() -> None:
    state.set_workspace_id(state.widget_value(WORKSPACE_WIDGET))


def _on_actor_change() -> None:
    state.set_actor(state.widget_value(ACTOR_WIDGET))


def _on_language_change() -> None:
    state.set_language(state.widget_value(LANGUAGE_WIDGET))


def _on_presentation_change() -> None:
    state.set_presentation(bool(state.widget_value(PRESENTATION_WIDGET)))


def _sidebar(loaded: LoadedWorkspace | None, infos: tuple[WorkspaceInfo, ...]) -> None:
    with st.sidebar:
        names = {info.id: info.name for info in infos}
        if loaded is not None:
            st.selectbox(
                t("sidebar.workspace"),
                options=list(names),
                format_func=lambda workspace_id: names.get(workspace_id, workspace_id),
                key=store_access.bind(WORKSPACE_WIDGET, loaded.id),
                on_change=_on_workspace_change,
            )
        person = auth.identity() if state.signed_in_actor() is not None else None
        if person is not None:
            auth.sidebar_identity(person)
        else:
            st.text_input(
                t("sidebar.actor"),
                key=store_access.bind(ACTOR_WIDGET, state.actor_name()),
                on_change=_on_actor_change,
                placeholder=t("sidebar.actor_placeholder"),
                help=t("sidebar.actor_help"),
                max_chars=200,
            )
            if state.take_actor_cookie_pending():
                _remember_name_in_browser(state.actor_name())
        st.segmented_control(
            t("sidebar.language"),
            options=list(LANGUAGE_NAMES),
            format_func=LANGUAGE_NAMES.__getitem__,
            key=store_access.bind(LANGUAGE_WIDGET, state.language()),
            on_change=_on_language_change,
            required=True,
        )
        st.toggle(t("sidebar.presentation"), key=store_access.bind(PRESENTATION_WIDGET, state.presentation()),
                  on_change=_on_presentation_change, help=t("sidebar.presentation_help"))
        st.caption(t("sidebar.autosave"))
        for kind, values in store_access.store_notices():
            st.warning(t(f"audit.notice.{kind}", **values))


def _remember_name_in_browser(name: str) -> None:
    """Write the name into a cookie of this site (a year; removed when the name is cleared), which new tabs send
    along: a zero-height component frame of the app's own origin, no request leaves the browser."""
    from streamlit.components.v1 import html

    value = json.dumps(name).replace("<", "\\u003c")
    age = 365 * 24 * 3600 if name else 0
    html(f"<script>parent.document.cookie = '{state.ACTOR_COOKIE}=' + encodeURIComponent({value}) + "
         f"'; path=/; max-age={age}; SameSite=Strict';</script>", height=0)


def load(on_stop: Callable[[], None] | None = None) -> PageContext:
    """Open the store, load the chosen workspace and draw the sidebar's controls; stops the page without one.

    ``on_stop``: clears what the page drew ahead of the data (e.g. empty headline figures) before a stop.
    """
    frame.freeze_long_lived_objects()
    store_access.save_queued_edits()
    loaded: LoadedWorkspace | None = None
    infos: tuple[WorkspaceInfo, ...] = ()
    signed_in = state.signed_in_actor() is not None
    try:
        infos = tuple(store_access.workspaces())
        requested = state.workspace_id()
        if signed_in and requested is not None and requested not in {info.id for info in infos}:
            # S23: a workspace this person holds no role on (or one that no longer exists) shows nothing of it.
            _sidebar(None, infos)
            if on_stop is not None:
                on_stop()
            members.no_access_page(bool(infos))
        loaded = store_access.current_workspace(infos)
    except StoreError as error:
        LOGGER.exception("the store could not be opened")
        _stop(on_stop, st.error, t("error.store", detail=str(error)))
    _sidebar(loaded, infos)
    state.mirror_to_url()
    refused_drafts()
    if loaded is None:
        if signed_in:
            if on_stop is not None:
                on_stop()
            members.no_workspace_page()
        _stop(on_stop, st.info, t("home.no_workspace"))
    role = store_access.role_of(infos, loaded.id)
    state.set_read_only(members.ROLE_RANK.get(role, 0) < members.ROLE_RANK["editor"])
    if role == "viewer":
        st.info(t("auth.viewer_banner"), icon=":material/visibility:")
    return PageContext(loaded=loaded, language=state.language(), workspaces=infos, role=role,
                       presentation=state.presentation())


def _draft_value(value: object, language: str) -> str:
    """A kept or stored field value in a sentence: numbers in the locale, tables as their row count."""
    if value is None or value == "":
        return formatting.MISSING
    if isinstance(value, bool):
        return t("an.common.yes") if value else t("an.common.no")
    if isinstance(value, int | float):
        return formatting.plain(value, language)
    if isinstance(value, list | dict):
        return t("conflict.rows", count=len(value))
    return formatting.escape_markdown(str(value))


def refused_drafts() -> None:
    """Each refused edit of this session beside the stored value, with "apply mine again" and "discard"."""
    lang = state.language()
    for draft in store_access.refused_drafts():
        try:
            stored = store_access.fresh_use_case(draft.use_case_id)
        except StoreError:
            store_access.discard_draft(draft.use_case_id)
            continue
        with st.container(border=True):
            st.warning(store_access.draft_message(draft))
            st.markdown(formatting.markdown_table(
                (t("conflict.col_field"), t("conflict.col_stored"), t("conflict.col_mine")),
                ((formatting.escape_markdown(store_access.field_label(path)),
                  _draft_value(store_access.stored_value(stored, path), lang), _draft_value(value, lang))
                 for path, value in draft.changes.items()),
            ))
            row = st.container(horizontal=True, gap="small")
            row.button(t("conflict.apply_mine"), key=f"w.draft.apply.{draft.use_case_id}", type="primary",
                       on_click=store_access.apply_draft, args=(draft.use_case_id,), icon=":material/redo:")
            row.button(t("conflict.discard"), key=f"w.draft.discard.{draft.use_case_id}",
                       on_click=store_access.discard_draft, args=(draft.use_case_id,))


def _stop(on_stop: Callable[[], None] | None, show: Callable[[str], object], text: str) -> None:
    if on_stop is not None:
        on_stop()
    show(text)
    st.stop()


def render(title_key: str, icon: str, caption_key: str | None = None) -> PageContext:
    """The page frame, then :func:`load`; stops the page without a workspace."""
    frame.draw(title_key, icon, caption_key)
    return load()


@contextmanager
def guard(defer_queued_edits: bool = False) -> Iterator[None]:
    """Turn any error in a page body into a readable st.error; details go to the server log only.

    A fragment rerun saves queued edits first, unless ``defer_queued_edits`` (the fragment saves them itself
    once its headline figures are out); every guarded body saves what is still queued when it ends.
    """
    if state.in_fragment_rerun():
        frame.freeze_long_lived_objects()
        if not defer_queued_edits:
            store_access.save_queued_edits()
    try:
        yield
    except ValidationError as error:
        st.error("\n\n".join(store_access.readable_errors(error)))
    except ConflictError as error:
        st.warning(store_access.conflict_message(error))
    except PermissionDenied as error:
        st.error(store_access.permission_message(error))
    except (StoreError, ValueError, KeyError) as error:
        LOGGER.info("page error: %s", error)
        st.error(t("error.rejected", detail=str(error)))
    except Exception:
        LOGGER.exception("unexpected error while rendering a page")
        st.error(t("error.unexpected"))
    finally:
        store_access.save_queued_edits()


def use_case_picker(ctx: PageContext, key: str = "w.picker.use_case") -> UseCase | None:
    """Select box over the workspace's use cases, bound to the shared selection (mirrored in the URL)."""
    selected = store_access.selected_use_case(ctx.loaded)
    if selected is None:
        st.info(t("use_cases.none"))
        return None
    names = {case.id: case.name for case in ctx.loaded.workspace.use_cases}

    def on_change() -> None:
        state.set_use_case_id(state.widget_value(key))

    st.selectbox(
        t("picker.use_case"),
        options=list(names),
        format_func=lambda case_id: names.get(case_id, case_id),
        key=store_access.bind(key, selected.id),
        on_change=on_change,
    )
    state.mirror_to_url()
    return selected


def risk_class_select(use_case: UseCase, key: str) -> None:
    """The EU AI Act risk class of the use case, saved at once (Gates and Data readiness show it)."""
    st.selectbox(
        t("an.gates.risk_class"), options=RISK_CLASSES,
        format_func={risk: label("risk", risk) for risk in RISK_CLASSES}.__getitem__,
        key=store_access.bind(key, use_case.eu_ai_act_risk_class),
        on_change=store_access.on_widget_change, args=(use_case.id, "eu_ai_act_risk_class", key),
        help=t("an.gates.risk_class_help"), disabled=state.read_only(),
    )


# One piece on purpose: a quarter is docstring, and the editor, its draft and the save share every local.
def table_editor(
    use_case: UseCase, version: int, path: str, rows: list[dict], columns: dict, num_rows: str = "dynamic",
    disabled: tuple[str, ...] = (), numbers: Mapping[str, NumberSpec] | None = None,
) -> None:
    """A data_editor over a list field of the use case (``path``, e.g. "kpi_set"); saves every edit at once.

    ``numbers``: the number columns, shown and typed as text in the session's locale (:mod:`ui.number_field`;
    their ``columns`` entries are text columns). Complete rows are saved; an incomplete row (an empty Target, a
    number that cannot be read) is kept as a draft (in the store for this person, so across reloads) below the
    stored rows, as typed, and flagged with a message naming its row and column until it is completed or deleted.
    The key carries the stored version and a draft counter, so a saved edit or a changed draft starts a fresh
    editor while a rejected one stays on screen next to its error.
    """
    import pandas as pd

    numbers = numbers or {}
    lang = state.language()
    draft_name = f"table_draft.{use_case.id}.{path}"
    drafts = store_access.table_draft(use_case.id, path)
    stored = table_edits.shown_rows(rows, numbers, lang)
    base = pd.DataFrame([*stored, *drafts], columns=list(columns))
    generation = state.nonce(draft_name)
    key = f"w.uc.{use_case.id}.{path}.v{version}" + (f".d{generation}" if generation else "")
    edited = st.data_editor(
        base, key=key, column_config=columns, num_rows=num_rows, hide_index=True,
        placeholder=formatting.MISSING, width="stretch",
        disabled=True if state.read_only() else list(disabled),
    )
    if drafts:
        st.warning("\n\n".join([t("table.draft_kept"),
                                  *table_edits.draft_problems(path, drafts, numbers, lang, len(rows) + 1)]))
    # Comparing the tables row by row costs ~3 ms per editor and rerun; untouched editors skip it.
    if not state.editor_has_changes(key):
        return
    new_rows = table_edits.table_rows(edited)
    if new_rows == table_edits.table_rows(base):
        return
    complete, incomplete = table_edits.sort_shown_rows(path, new_rows, numbers, lang)
    if complete != table_edits.table_rows(pd.DataFrame(rows, columns=list(columns))):
        errors = table_edits.save_table(use_case.id, path, complete)
        if errors:
            st.error("\n\n".join(errors))
            return
    if incomplete != drafts:
        store_access.keep_table_draft(use_case.id, path, incomplete)
        state.bump_nonce(draft_name)
    st.rerun()
