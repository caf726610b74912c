"""The one place that reads and writes ``st.session_state`` and ``st.query_params``.

Domain data lives in the Store. Session state only holds ids and UI choices under keys that no
widget owns (``ctx.*`` and ``ui.*``), plus widget values that :func:`sync_widget` seeds from the
model before the widget is drawn. The workspace id and the selected use case are mirrored into the
URL so that a browser refresh restores them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

LANGUAGES: tuple[str, ...] = ("en", "de")
DEFAULT_LANGUAGE = "en"
DEFAULT_ACTOR = "anonymous"

WORKSPACE_KEY = "ctx.workspace_id"
USE_CASE_KEY = "ctx.use_case_id"
LANGUAGE_KEY = "ctx.language"
ACTOR_KEY = "ctx.actor"
IDENTITY_KEY = "ctx.identity_actor"
PRESENTATION_KEY = "ctx.presentation"
READ_ONLY_KEY = "ctx.read_only"
FLASH_KEY = "ctx.flash"
QUEUED_EDITS_KEY = "ctx.queued_edits"
SEEN_VERSIONS_KEY = "ctx.seen_versions"
RESTORED_KEY = "ctx.restored_from_url"
RUN_KEY = "ctx.run"
FIRST_RUN = 1
BOUND_KEY = "ctx.bound_widgets"
NONCE_PREFIX = "ctx.nonce."
UI_PREFIX = "ui."

QUERY_WORKSPACE = "ws"
QUERY_USE_CASE = "uc"
QUERY_LANGUAGE = "lang"
QUERY_ACTOR = "name"
ACTOR_COOKIE = "workbench_name"
ACTOR_COOKIE_PENDING_KEY = "ctx.actor_cookie_pending"
QUERY_PRESENTATION = "present"
PRESENTATION_ON = "1"


def restore_from_url() -> None:
    """Seed ids and language from the URL once per browser session (a refresh starts a new one)."""
    if st.session_state.get(RESTORED_KEY):
        return
    st.session_state[RESTORED_KEY] = True
    params = st.query_params
    if params.get(QUERY_WORKSPACE):
        st.session_state[WORKSPACE_KEY] = params[QUERY_WORKSPACE]
    if params.get(QUERY_USE_CASE):
        st.session_state[USE_CASE_KEY] = params[QUERY_USE_CASE]
    if params.get(QUERY_LANGUAGE) in LANGUAGES:
        st.session_state[LANGUAGE_KEY] = params[QUERY_LANGUAGE]
    remembered = params.get(QUERY_ACTOR) or _cookie(ACTOR_COOKIE)
    if remembered and ACTOR_KEY not in st.session_state:
        set_actor(remembered)

    st.session_state[PRESENTATION_KEY] = params.get(QUERY_PRESENTATION) == PRESENTATION_ON


def _cookie(name: str) -> str | None:
    """A cookie the browser sent with this session (None without one, or outside a browser session)."""
    try:
        value = st.context.cookies.get(name)
    except Exception:
        return None
    return unquote(value) if isinstance(value, str) and value else None


def mirror_to_url() -> None:
    """Write workspace, selected use case, language, the person's name and presentation mode into the URL (only when
    they differ): a reload, or the address copied into a new tab, keeps them."""
    wanted = {
        QUERY_WORKSPACE: workspace_id(),
        QUERY_USE_CASE: use_case_id(),
        QUERY_LANGUAGE: language(),
        QUERY_ACTOR: actor_name() or None,
        QUERY_PRESENTATION: PRESENTATION_ON if presentation() else None,
    }
    params = st.query_params
    for name, value in wanted.items():
        if value is None:
            if name in params:
                del params[name]
        elif params.get(name) != value:
            params[name] = value


def workspace_id() -> str | None:
    return st.session_state.get(WORKSPACE_KEY)


def set_workspace_id(value: str | None) -> None:
    """Select a workspace; a switch away from another workspace forgets that workspace's use case, while
    the first choice keeps a use case that came with the URL (``?uc=…`` without ``?ws=…``)."""
    previous = st.session_state.get(WORKSPACE_KEY)
    if previous is not None and previous != value:
        st.session_state[USE_CASE_KEY] = None
        st.session_state[SEEN_VERSIONS_KEY] = {}
    st.session_state[WORKSPACE_KEY] = value


def use_case_id() -> str | None:
    return st.session_state.get(USE_CASE_KEY)


def set_use_case_id(value: str | None) -> None:
    st.session_state[USE_CASE_KEY] = value


def presentation() -> bool:
    """Presentation mode: every matrix dot labelled, charts full width in larger type, editing widgets hidden."""
    return bool(st.session_state.get(PRESENTATION_KEY, False))


def set_presentation(value: bool) -> None:
    st.session_state[PRESENTATION_KEY] = bool(value)


def read_only() -> bool:
    """True while the session may not change the loaded workspace (an S23 viewer): widgets that save are disabled.

    Set by the sidebar from the role on every full run; the store refuses a viewer's save in any case."""
    return bool(st.session_state.get(READ_ONLY_KEY, False))


def set_read_only(value: bool) -> None:
    st.session_state[READ_ONLY_KEY] = bool(value)


def language() -> str:
    value = st.session_state.get(LANGUAGE_KEY, DEFAULT_LANGUAGE)
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


def set_language(value: str | None) -> None:
    if value in LANGUAGES:
        st.session_state[LANGUAGE_KEY] = value


def actor_name() -> str:
    """The display name as typed ("" when none).

    The one place that says who the person is: the name lives in this browser's URL (``?name=``) and a cookie
    (set from the sidebar), never on the server, so a reload or a new tab keeps it. Sign-in, where configured,
    replaces it here.
    """
    return st.session_state.get(ACTOR_KEY, "")


def actor() -> str:
    """The name written to the audit trail: the signed-in identity (S23) when sign-in is on, else the typed name."""
    return st.session_state.get(IDENTITY_KEY) or actor_name().strip() or DEFAULT_ACTOR


def signed_in_actor() -> str | None:
    """The signed-in identity's actor text this run (None with sign-in off)."""
    return st.session_state.get(IDENTITY_KEY)


def set_signed_in_actor(value: str | None) -> None:
    """Record who signed in (``ui.frame`` on every run with sign-in on), or forget it."""
    if value is None:
        st.session_state.pop(IDENTITY_KEY, None)
    elif st.session_state.get(IDENTITY_KEY) != value:
        st.session_state[IDENTITY_KEY] = value


def set_actor(value: str | None) -> None:
    name = (value or "").strip()[:200]
    if name != st.session_state.get(ACTOR_KEY):
        st.session_state[ACTOR_COOKIE_PENDING_KEY] = True
    st.session_state[ACTOR_KEY] = name


def take_actor_cookie_pending() -> bool:
    """True once after the name changed: the browser's cookie is to be written in this run."""
    return bool(st.session_state.pop(ACTOR_COOKIE_PENDING_KEY, False))


def start_run() -> None:
    """Count full script runs (fragment reruns do not call this); see :func:`sync_widget`."""
    st.session_state[RUN_KEY] = st.session_state.get(RUN_KEY, 0) + 1


def in_fragment_rerun() -> bool:
    """True while only a fragment reruns, i.e. the page's top-level code did not run this time."""
    context = get_script_run_ctx()
    return bool(context and context.fragment_ids_this_run)


def _page() -> str:
    context = get_script_run_ctx()
    return context.page_script_hash if context else ""


def sync_widget(key: str, value: Any) -> None:
    """Seed a widget's value from the model; call before the widget is drawn, without ``value=``.

    Widget ids include the page, so the same key on another page (or after a run without the widget)
    is a new widget in the browser that starts from its default unless the value is written again,
    even when session state already holds an equal value. The same holds for the run after a browser
    session's first run: the browser does not keep the values that first run sent (its first rerun
    request carries only the widget that was touched), so a widget it draws anew would start from its
    default, the first option of a select box, and report that as the user's choice. Otherwise the
    value is only written when it differs, so that an unchanged widget is not reset under the user's
    cursor.
    """
    run, page = st.session_state.get(RUN_KEY, 0), _page()
    bound = st.session_state.setdefault(BOUND_KEY, {})
    previous = bound.get(key)
    recreated = previous is None or previous[1] != page or previous[0] < run - 1 or previous[0] == FIRST_RUN
    bound[key] = (run, page)
    if recreated or key not in st.session_state or st.session_state[key] != value:
        st.session_state[key] = value


def widget_value(key: str, default: Any = None) -> Any:
    """The current value of a widget, read inside its on_change callback."""
    return st.session_state.get(key, default)


def set_value(key: str, value: Any) -> None:
    """Hold a value under a key no widget of this run owns (a language's slider passes its value on)."""
    st.session_state[key] = value


def widget_text(key: str) -> str:
    """A text widget's value without surrounding blanks ("" when empty)."""
    return (st.session_state.get(key) or "").strip()


def forget(keys: Iterable[str]) -> None:
    for key in keys:
        st.session_state.pop(key, None)


def editor_has_changes(key: str) -> bool:
    """Whether the data_editor with this key holds edited, added or deleted rows."""
    editing = st.session_state.get(key)
    parts = ("edited_rows", "added_rows", "deleted_rows")
    return isinstance(editing, dict) and any(editing.get(part) for part in parts)


def ui_value(name: str, default: Any = None) -> Any:
    """A UI choice (sort order, open tab…) that no widget owns."""
    return st.session_state.get(UI_PREFIX + name, default)


def set_ui_value(name: str, value: Any) -> None:
    st.session_state[UI_PREFIX + name] = value


def nonce(name: str) -> int:
    """A counter to put into a widget key so that bumping it gives a fresh widget (e.g. data_editor)."""
    return st.session_state.get(NONCE_PREFIX + name, 0)


def bump_nonce(name: str) -> None:
    st.session_state[NONCE_PREFIX + name] = nonce(name) + 1


def flash(kind: str, text: str) -> None:
    """Queue a message (kind: success, info, warning, error) for the next render."""
    st.session_state.setdefault(FLASH_KEY, []).append((kind, text))


def pop_flashes() -> list[tuple[str, str]]:
    return st.session_state.pop(FLASH_KEY, [])


def queue_edit(use_case_id_: str, path: str, value: Any) -> None:
    """Hold an input's new value until the run it triggered saves it (within that run; see store_access)."""
    st.session_state.setdefault(QUEUED_EDITS_KEY, []).append((use_case_id_, path, value))


def queued_edits() -> list[tuple[str, str, Any]]:
    return list(st.session_state.get(QUEUED_EDITS_KEY, []))


def take_queued_edits(use_case_id_: str | None = None) -> list[tuple[str, str, Any]]:
    """Remove and return the queued edits (of one use case, or all)."""
    queued = st.session_state.get(QUEUED_EDITS_KEY, [])
    taken = [edit for edit in queued if use_case_id_ is None or edit[0] == use_case_id_]
    if taken:
        st.session_state[QUEUED_EDITS_KEY] = [edit for edit in queued if edit not in taken]
    return taken


DRAFTS_KEY = "ctx.refused_drafts"


def keep_draft(use_case_id_: str, draft: Any) -> None:
    """Keep a refused edit of one use case in this session until it is applied again or discarded: only for one the
    store would not keep (``store_access._keep``), which otherwise holds it across reloads."""
    st.session_state.setdefault(DRAFTS_KEY, {})[use_case_id_] = draft


def drafts() -> dict[str, Any]:
    return dict(st.session_state.get(DRAFTS_KEY, {}))


def drop_draft(use_case_id_: str) -> Any:
    return st.session_state.get(DRAFTS_KEY, {}).pop(use_case_id_, None)


def seen_version(use_case_id_: str) -> int | None:
    return st.session_state.get(SEEN_VERSIONS_KEY, {}).get(use_case_id_)


def remember_versions(versions: dict[str, int]) -> None:
    st.session_state[SEEN_VERSIONS_KEY] = dict(versions)


def remember_version(use_case_id_: str, version: int) -> None:
    st.session_state.setdefault(SEEN_VERSIONS_KEY, {})[use_case_id_] = version


QUERY_ROUND = "round"
QUERY_ROUND_TOKEN = "r"
QUERY_PARTICIPANT = "p"
ROUND_KEY = "ctx.round_id"


def selected_round_id() -> str | None:
    """The workshop round the facilitator looks at (mirrored in the URL as ``?round=``)."""
    return st.session_state.get(ROUND_KEY) or st.query_params.get(QUERY_ROUND)


def set_selected_round_id(round_id: str | None) -> None:
    st.session_state[ROUND_KEY] = round_id
    if round_id is None:
        st.query_params.pop(QUERY_ROUND, None)
    elif st.query_params.get(QUERY_ROUND) != round_id:
        st.query_params[QUERY_ROUND] = round_id


def round_token() -> str | None:
    """The round token of a participant's link (``?r=``); the only key the participant page accepts."""
    return st.query_params.get(QUERY_ROUND_TOKEN) or None


def participant_secret() -> str | None:
    """The participant's own secret (``?p=``), put into the URL on joining so that a reload finds the answers."""
    return st.query_params.get(QUERY_PARTICIPANT) or None


def set_participant(round_token_: str, secret: str | None) -> None:
    """Point the URL at this round and participant (no secret: the join form)."""
    st.query_params[QUERY_ROUND_TOKEN] = round_token_
    if secret is None:
        st.query_params.pop(QUERY_PARTICIPANT, None)
    else:
        st.query_params[QUERY_PARTICIPANT] = secret


def url_language() -> None:
    """Take the language from ``?lang=`` (the participant page, which has no sidebar)."""
    if st.query_params.get(QUERY_LANGUAGE) in LANGUAGES:
        st.session_state[LANGUAGE_KEY] = st.query_params[QUERY_LANGUAGE]


def mirror_language_to_url() -> None:
    if st.query_params.get(QUERY_LANGUAGE) != language():
        st.query_params[QUERY_LANGUAGE] = language()
