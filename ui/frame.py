"""What every page draws before it touches the store: page config, navigation, title, caption and messages.

Kept free of the store, the core, pydantic and numpy, so that a cold start can send the page's frame to the
browser (which then fetches the code for those elements) while the server is still importing them (≈0.3 s).
:mod:`ui.sidebar` adds the workspace, name and language controls once the store is open.
"""

from __future__ import annotations

import base64
import gc
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from ui import access, auth, state
from ui.i18n import t

NAVIGATION = (
    ("app.py", "nav.home", ":material/home:"),
    ("pages/1_Use_cases.py", "nav.use_cases", ":material/view_list:"),
    ("pages/2_Scoring.py", "nav.scoring", ":material/scatter_plot:"),
    ("pages/3_Portfolio.py", "nav.portfolio", ":material/account_balance:"),
    ("pages/4_ROI.py", "nav.roi", ":material/euro:"),
    ("pages/5_Business_case.py", "nav.business_case", ":material/trending_up:"),
    ("pages/6_Sensitivity.py", "nav.sensitivity", ":material/tune:"),
    ("pages/7_Gates.py", "nav.gates", ":material/traffic:"),
    ("pages/8_Data_readiness.py", "nav.data_readiness", ":material/dataset:"),
    ("pages/9_Export.py", "nav.export", ":material/download:"),
    ("pages/10_Workshop.py", "nav.workshop", ":material/groups:"),
)
PAGE_ICON_PATH = Path(__file__).resolve().parent / "assets" / "page_icon.svg"
PENDING = "…"
MESSAGE_KINDS = {"success": st.success, "info": st.info, "warning": st.warning, "error": st.error}
_modules_when_frozen = 0
# The script thread holds the GIL while it builds a page; the event-loop thread that sends each finished
# element to the browser waits up to the switch interval for it, per message. 0.5 ms instead of Python's
# 5 ms lets elements stream out while the rest of the page is still being built.
GIL_SWITCH_INTERVAL_S = 0.0005
sys.setswitchinterval(GIL_SWITCH_INTERVAL_S)


def freeze_long_lived_objects() -> None:
    """Exempt what lives as long as the server (modules, classes, the Store's cache) from garbage collection.

    Streamlit runs a full ``gc.collect(2)`` after every script and fragment run; it holds the GIL, so the
    server sends nothing until it ends, and the next slider step waits for it. Traversing every imported
    module's objects and the Store's parsed use cases took ≈100 ms per step with 500 use cases; frozen, they
    are skipped. Called when a run or a fragment rerun starts (just after the previous run's collection) and
    again once the store's modules are imported, before anything is loaded, and only after new modules were
    imported (a handful of times per process), so what is frozen is what outlives runs, and the few objects
    frozen by chance that later die in a reference cycle are a bounded loss.
    """
    global _modules_when_frozen
    if len(sys.modules) != _modules_when_frozen:
        gc.freeze()
        _modules_when_frozen = len(sys.modules)


def show_messages() -> None:
    """Show queued success/warning/error messages once (call inside fragments too)."""
    for kind, text in state.pop_flashes():
        MESSAGE_KINDS.get(kind, st.info)(text)


def _navigation() -> None:
    # The built-in page list shows English file names; when the lead turns it off
    # (client.showSidebarNavigation = false) these translated links replace it.
    if st.get_option("client.showSidebarNavigation"):
        return
    for path, label_key, icon in NAVIGATION:
        st.page_link(path, label=t(label_key), icon=icon)
    st.divider()


def anchor_for(message_key: str) -> str:
    """The link anchor of a heading: its message key, so "roi.break_even" → "roi-break-even" in both languages.

    Without one the browser derives an anchor from the heading's text (slugify over a transliteration table)
    on every redraw of every heading, and the ROI page redraws all of them several times per slider step.
    """
    return message_key.replace(".", "-").replace("_", "-")


# Presentation mode reads from the back of a room: larger text, figures and table cells. A fixed style sheet of
# this module (no user text), which st.html puts on the page without a frame.
PRESENTATION_STYLE = """<style>
[data-testid="stMain"] [data-testid="stMarkdown"] [data-testid="stMarkdownContainer"] p,
[data-testid="stMain"] [data-testid="stMarkdown"] [data-testid="stMarkdownContainer"] li { font-size: 1.2rem; }
[data-testid="stMain"] [data-testid="stCaptionContainer"] { font-size: 1.05rem; }
[data-testid="stMetricValue"] { font-size: 2.4rem; }
[data-testid="stMain"] h2, [data-testid="stMain"] h3 { font-size: 1.9rem; }
</style>"""


# The participant's phone page: slider handles and tracks a thumb can hit (WCAG 2.5.8 asks for 24 px, phones'
# own guidelines for about 44). A fixed style sheet of this module (no user text), put on the page by st.html.
PHONE_STYLE = """<style>
[data-testid="stSlider"] div:has(> [data-testid="stSliderThumbValue"]) { width: 2rem; height: 2rem; }
[data-testid="stSlider"] { padding-top: 0.5rem; padding-bottom: 0.5rem; }
[data-testid="stMain"] button { min-height: 2.75rem; }
</style>"""


def phone_style() -> None:
    """Larger slider handles and buttons for the participant's phone page (:data:`PHONE_STYLE`)."""
    st.html(PHONE_STYLE)


def _remember_open(name: str, widget_key: str) -> None:
    state.set_ui_value(f"open.{name}", bool(state.widget_value(widget_key)))


def lazy_expander(name: str, title: str, draw: Callable[[], None], icon: str | None = None) -> None:
    """An expander whose content is drawn only while it is open; whether ``name`` is open is remembered across
    pages and languages. The browser redraws every element of a page on each slider step, and a form or table out
    of sight costs as much as one in view.

    Per language: an expander's identity includes its label, so after a language switch it is a new widget that has
    to be seeded again.
    """
    widget_key = f"w.open.{name}.{state.language()}"
    state.sync_widget(widget_key, bool(state.ui_value(f"open.{name}")))
    expander = st.expander(title, icon=icon, key=widget_key, on_change=_remember_open, args=(name, widget_key))
    if expander.open:
        with expander:
            draw()


def _remember_tab(name: str, widget_key: str, ids_by_title: dict[str, str]) -> None:
    state.set_ui_value(f"tab.{name}", ids_by_title.get(state.widget_value(widget_key)))


def lazy_tabs(name: str, titles: dict[str, str], draw: dict[str, Callable[[], None]]) -> None:
    """Tabs (``titles``: tab id → title, in order) of which only the open one is drawn, through ``draw[id]``;
    the open tab is remembered across pages and languages (ui value ``tab.<name>``, the first tab by default).

    A tab out of sight costs a rerun as much as one in view. Per language, as :func:`lazy_expander`: the tabs'
    identity includes their titles.
    """
    ids = list(titles)
    chosen = state.ui_value(f"tab.{name}")
    chosen = chosen if chosen in titles else ids[0]
    widget_key = f"w.tab.{name}.{state.language()}"
    state.sync_widget(widget_key, titles[chosen])
    containers = st.tabs(list(titles.values()), key=widget_key, on_change=_remember_tab,
                         args=(name, widget_key, {title: tab for tab, title in titles.items()}))
    for tab, container in zip(ids, containers, strict=True):
        if container.open:
            with container:
                draw[tab]()


def upload_hint(types: Sequence[str]) -> None:
    """Below a file uploader, in the user's language: what it takes and up to which size. Streamlit draws the
    uploader's own words ("Drag and drop file here", "Limit … per file", its button) in English only."""
    limit = st.get_option("server.maxUploadSize")
    st.caption(t("upload.hint", types=", ".join(kind.upper() for kind in types), limit=limit))


def subheader(message_key: str, container: DeltaGenerator | None = None, **kwargs: object) -> None:
    """The translated subheader ``message_key`` (``kwargs`` fill its placeholders) with its key as anchor."""
    (st if container is None else container).subheader(t(message_key, **kwargs), anchor=anchor_for(message_key))


@cache
def page_icon() -> str:
    """The browser tab's icon for every page: the app's own SVG as a data URI, so the browser fetches nothing.

    A ``:material/…:`` page icon would make the browser fetch the favicon from fonts.gstatic.com, which sends
    the user's IP address to Google (issue 12); the page's Material icon appears only in its title, drawn
    from the font Streamlit serves itself. Encoded once per process: set_page_config runs on every rerun.
    """
    return "data:image/svg+xml;base64," + base64.b64encode(PAGE_ICON_PATH.read_bytes()).decode("ascii")


def set_page(title: str, *, layout: Literal["wide", "centered"] = "wide", sidebar_collapsed: bool = False) -> None:
    """The one call of ``st.set_page_config``, so that every page, the participant's included, has the local tab
    icon (:func:`page_icon`)."""
    st.set_page_config(page_title=title, page_icon=page_icon(), layout=layout,
                       initial_sidebar_state="collapsed" if sidebar_collapsed else "auto")


def draw(title_key: str, icon: str, caption_key: str | None = None) -> None:
    """Page config, URL state, the sidebar's navigation, the title, the caption and queued messages.

    ``icon`` (``":material/euro:"``) heads the page title; the tab icon is always :func:`page_icon`.
    With sign-in on (:mod:`ui.auth`) a person who has not signed in gets the sign-in page and the workspace role
    decides the rest; with sign-in off a browser that is not the facilitator's (:mod:`ui.access`) is stopped here,
    before anything is drawn.
    """
    freeze_long_lived_objects()
    state.restore_from_url()
    if auth.sign_in_enabled():
        if auth.identity() is None:
            state.set_signed_in_actor(None)
            set_page(t("app.name"), layout="centered", sidebar_collapsed=True)
        state.set_signed_in_actor(auth.require_sign_in().actor)
    elif not access.facilitator_allowed():
        set_page(t("app.name"), layout="centered", sidebar_collapsed=True)
        access.stop_for_participant()
    state.start_run()
    set_page(f"{t(title_key)} · {t('app.name')}")
    with st.sidebar:
        _navigation()
        st.header(t("app.name"), anchor=anchor_for("app.name"))
    st.title(f"{icon} {t(title_key)}", anchor=anchor_for(title_key))
    if caption_key:
        st.caption(t(caption_key))
    if state.presentation():
        st.html(PRESENTATION_STYLE)
    show_messages()


@dataclass(frozen=True)
class PendingHeadline:
    """A heading and a row of metrics drawn empty, to be filled in place once the data is loaded."""

    container: DeltaGenerator
    heading: DeltaGenerator
    metrics: tuple[DeltaGenerator, ...]


def metric_grid(count: int, per_row: int) -> list[DeltaGenerator]:
    """``count`` metric slots in rows of ``per_row`` columns, filled left to right, top to bottom."""
    slots: list[DeltaGenerator] = []
    while len(slots) < count:
        slots.extend(st.columns(per_row))
    return slots[:count]


def pending_headline(metric_keys: Sequence[tuple[str, str]], per_row: int | None = None) -> PendingHeadline | None:
    """On the process's first run, draw the heading and one metric per (label key, help key) empty at once.

    That run still has to import the store and the core (≈0.3 s); meanwhile the browser fetches the code for
    these elements and lays them out, and the figures then fill in place. Later runs get None and draw the
    figures directly: a placeholder there would flicker on every rerun.
    """
    if "core.store" in sys.modules:
        return None
    container = st.empty()
    with container.container():
        heading = st.empty()
        metrics = tuple(column.empty() for column in metric_grid(len(metric_keys), per_row or len(metric_keys)))
    heading.subheader(PENDING, anchor=anchor_for("home.portfolio"))
    for slot, (label_key, help_key) in zip(metrics, metric_keys, strict=True):
        slot.metric(t(label_key), PENDING, border=True, help=t(help_key))
    return PendingHeadline(container=container, heading=heading, metrics=metrics)
