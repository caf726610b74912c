"""Page frame shared by every page: page config, the sidebar, messages and the error guard.

Each page starts with ``ctx = sidebar.render("roi.title", ":material/euro:")`` and wraps its body in
``with sidebar.guard():``. The sidebar offers the workspace picker, the user's display name (the
audit actor) and the language (DE/EN).
"""

from __future__ import annotations

import gc
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from pydantic import ValidationError

from core.models import UseCase
from core.store import LoadedWorkspace, StoreError, WorkspaceInfo
from ui import services, state
from ui.i18n import t

LOGGER = logging.getLogger("workbench.ui")
ROOT = Path(__file__).resolve().parent.parent
NAVIGATION = (
    ("app.py", "nav.home", ":material/home:"),
    ("pages/1_Use_cases.py", "nav.use_cases", ":material/view_list:"),
    ("pages/2_Scoring.py", "nav.scoring", ":material/scatter_plot:"),
    ("pages/3_ROI.py", "nav.roi", ":material/euro:"),
    ("pages/4_Sensitivity.py", "nav.sensitivity", ":material/tune:"),
    ("pages/5_Gates.py", "nav.gates", ":material/traffic:"),
    ("pages/6_Data_readiness.py", "nav.data_readiness", ":material/dataset:"),
    ("pages/7_Export.py", "nav.export", ":material/download:"),
)
LANGUAGE_NAMES = {"de": "Deutsch", "en": "English"}
WORKSPACE_WIDGET = "w.sidebar.workspace"
ACTOR_WIDGET = "w.sidebar.actor"
LANGUAGE_WIDGET = "w.sidebar.language"
MESSAGE_KINDS = {"success": st.success, "info": st.info, "warning": st.warning, "error": st.error}
_modules_when_frozen = 0
# The script thread holds the GIL while it builds a page; the event-loop thread that sends each finished
# element to the browser waits up to the switch interval for it, per message. 0.5 ms instead of Python's
# 5 ms lets elements stream out while the rest of the page is still being built.
GIL_SWITCH_INTERVAL_S = 0.0005
sys.setswitchinterval(GIL_SWITCH_INTERVAL_S)


@dataclass(frozen=True)
class PageContext:
    loaded: LoadedWorkspace
    language: str
    workspaces: tuple[WorkspaceInfo, ...] = ()


def _on_workspace_change() -> None:
    state.set_workspace_id(state.widget_value(WORKSPACE_WIDGET))


def _on_actor_change() -> None:
    state.set_actor(state.widget_value(ACTOR_WIDGET))


def _on_language_change() -> None:
    state.set_language(state.widget_value(LANGUAGE_WIDGET))


def _navigation() -> None:
    # The built-in page list shows English file names; when the lead turns it off
    # (client.showSidebarNavigation = false) these translated links replace it.
    if st.get_option("client.showSidebarNavigation"):
        return
    for path, label_key, icon in NAVIGATION:
        if (ROOT / path).exists():
            st.page_link(path, label=t(label_key), icon=icon)
    st.divider()


def _sidebar(loaded: LoadedWorkspace | None, infos: tuple[WorkspaceInfo, ...]) -> None:
    with st.sidebar:
        _navigation()
        st.header(t("app.name"))
        names = {info.id: info.name for info in infos}
        if loaded is not None:
            st.selectbox(
                t("sidebar.workspace"),
                options=list(names),
                format_func=lambda workspace_id: names.get(workspace_id, workspace_id),
                key=services.bind(WORKSPACE_WIDGET, loaded.id),
                on_change=_on_workspace_change,
            )
        st.text_input(
            t("sidebar.actor"),
            key=services.bind(ACTOR_WIDGET, state.actor_name()),
            on_change=_on_actor_change,
            placeholder=t("sidebar.actor_placeholder"),
            help=t("sidebar.actor_help"),
            max_chars=200,
        )
        st.segmented_control(
            t("sidebar.language"),
            options=list(LANGUAGE_NAMES),
            format_func=LANGUAGE_NAMES.__getitem__,
            key=services.bind(LANGUAGE_WIDGET, state.language()),
            on_change=_on_language_change,
            required=True,
        )
        st.caption(t("sidebar.autosave"))


def show_messages() -> None:
    """Show queued success/warning/error messages once (call inside fragments too)."""
    for kind, text in state.pop_flashes():
        MESSAGE_KINDS.get(kind, st.info)(text)


def _freeze_long_lived_objects() -> None:
    """Exempt what lives as long as the server (modules, classes, the Store's cache) from garbage collection.

    Streamlit runs a full ``gc.collect(2)`` after every script and fragment run; it holds the GIL, so the
    server sends nothing until it ends, and the next slider step waits for it. Traversing every imported
    module's objects and the Store's parsed use cases took ≈100 ms per step with 500 use cases; frozen, they
    are skipped. Called when a run or a fragment rerun starts (just after the previous run's collection),
    before it loads anything, and only after new modules were imported (a handful of times per process), so
    what is frozen is what outlives runs, and the few objects frozen by chance that later die in a reference
    cycle are a bounded loss.
    """
    global _modules_when_frozen
    if len(sys.modules) != _modules_when_frozen:
        gc.freeze()
        _modules_when_frozen = len(sys.modules)


def render(title_key: str, icon: str, caption_key: str | None = None) -> PageContext:
    """Page config, sidebar, URL mirroring, title and queued messages; stops the page without a workspace."""
    _freeze_long_lived_objects()
    state.restore_from_url()
    state.start_run()
    st.set_page_config(page_title=f"{t(title_key)} · {t('app.name')}", page_icon=icon, layout="wide")
    loaded: LoadedWorkspace | None = None
    infos: tuple[WorkspaceInfo, ...] = ()
    try:
        infos = tuple(services.workspaces())
        loaded = services.current_workspace(infos)
    except StoreError as error:
        LOGGER.exception("the store could not be opened")
        st.error(t("error.store", detail=str(error)))
        st.stop()
    _sidebar(loaded, infos)
    state.mirror_to_url()
    st.title(f"{icon} {t(title_key)}")
    if caption_key:
        st.caption(t(caption_key))
    show_messages()
    if loaded is None:
        st.info(t("home.no_workspace"))
        st.stop()
    return PageContext(loaded=loaded, language=state.language(), workspaces=infos)


@contextmanager
def guard() -> Iterator[None]:
    """Turn any error in a page body into a readable st.error; details go to the server log only."""
    if state.in_fragment_rerun():
        _freeze_long_lived_objects()
    try:
        yield
    except ValidationError as error:
        st.error("\n\n".join(services.readable_errors(error)))
    except services.ConflictError as error:
        st.warning(services.conflict_message(error))
    except (StoreError, ValueError, KeyError) as error:
        LOGGER.info("page error: %s", error)
        st.error(t("error.rejected", detail=str(error)))
    except Exception:
        LOGGER.exception("unexpected error while rendering a page")
        st.error(t("error.unexpected"))


def use_case_picker(ctx: PageContext, key: str = "w.picker.use_case") -> UseCase | None:
    """Select box over the workspace's use cases, bound to the shared selection (mirrored in the URL)."""
    selected = services.selected_use_case(ctx.loaded)
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
        key=services.bind(key, selected.id),
        on_change=on_change,
    )
    state.mirror_to_url()
    return selected


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
    edited = st.data_editor(
        base, key=f"w.uc.{use_case.id}.{path}.v{version}", column_config=columns, num_rows=num_rows,
        hide_index=True, width="stretch", disabled=list(disabled),
    )
    new_rows = services.table_rows(edited)
    if new_rows == services.table_rows(base):
        return
    errors = services.save_table(use_case.id, path, new_rows)
    if errors:
        st.error("\n\n".join(errors))
        return
    st.rerun()
