"""The store-backed half of every page: workspace, display name and language controls, and the error guard.

Each page starts with ``ctx = sidebar.render("roi.title", ":material/euro:")`` (the frame from
:mod:`ui.frame`, then :func:`load`) and wraps its body in ``with sidebar.guard():``. The sidebar offers the
workspace picker, the user's display name (the audit actor) and the language (DE/EN).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import streamlit as st
from pydantic import ValidationError

from core.models import RISK_CLASSES, UseCase
from core.store import ConflictError, LoadedWorkspace, StoreError, WorkspaceInfo
from ui import formatting, frame, state, store_access, table_edits
from ui.i18n import label, t

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
        st.text_input(
            t("sidebar.actor"),
            key=store_access.bind(ACTOR_WIDGET, state.actor_name()),
            on_change=_on_actor_change,
            placeholder=t("sidebar.actor_placeholder"),
            help=t("sidebar.actor_help"),
            max_chars=200,
        )
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


def load(on_stop: Callable[[], None] | None = None) -> PageContext:
    """Open the store, load the chosen workspace and draw the sidebar's controls; stops the page without one.

    ``on_stop``: clears what the page drew ahead of the data (e.g. empty headline figures) before a stop.
    """
    frame.freeze_long_lived_objects()
    store_access.save_queued_edits()
    loaded: LoadedWorkspace | None = None
    infos: tuple[WorkspaceInfo, ...] = ()
    try:
        infos = tuple(store_access.workspaces())
        loaded = store_access.current_workspace(infos)
    except StoreError as error:
        LOGGER.exception("the store could not be opened")
        _stop(on_stop, st.error, t("error.store", detail=str(error)))
    _sidebar(loaded, infos)
    state.mirror_to_url()
    if loaded is None:
        _stop(on_stop, st.info, t("home.no_workspace"))
    return PageContext(loaded=loaded, language=state.language(), workspaces=infos, presentation=state.presentation())


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
        help=t("an.gates.risk_class_help"),
    )


def table_editor(
    use_case: UseCase, version: int, path: str, rows: list[dict], columns: dict, num_rows: str = "dynamic",
    disabled: tuple[str, ...] = (),
) -> None:
    """A data_editor over a list field of the use case (``path``, e.g. "kpi_set"); saves every edit at once.

    The key carries the stored version, so a saved edit (new version) starts a fresh editor while a
    rejected one stays on screen next to its error.
    """
    import pandas as pd

    base = pd.DataFrame(rows, columns=list(columns))
    key = f"w.uc.{use_case.id}.{path}.v{version}"
    edited = st.data_editor(
        base, key=key, column_config=columns, num_rows=num_rows, hide_index=True,
        placeholder=formatting.MISSING, width="stretch",
        disabled=list(disabled),
    )
    # Comparing the tables row by row costs ~3 ms per editor and rerun; untouched editors skip it.
    if not state.editor_has_changes(key):
        return
    new_rows = table_edits.table_rows(edited)
    if new_rows == table_edits.table_rows(base):
        return
    errors = table_edits.save_table(use_case.id, path, new_rows)
    if errors:
        st.error("\n\n".join(errors))
        return
    st.rerun()
