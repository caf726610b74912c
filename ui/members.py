"""S23 on screen: the Members panel of the Home page, deleting a workspace for good, and the pages a signed-in person
sees without a workspace ("no access", "no workspace yet").

The store enforces the roles (:mod:`core.store.access`); this module only hides or disables what the session's role
may not do and says why. With sign-in off the one local user owns everything and roles are not stored.
"""

from __future__ import annotations

import re

import streamlit as st

from core.identity import normalise_principal
from core.models import Workspace
from core.store import ROLES, PermissionDenied
from ui import formatting, frame, state, store_access
from ui.i18n import label, t, t_plain

ROLE_RANK = {role: rank for rank, role in enumerate(ROLES, start=1)}
PRINCIPAL_WIDGET = "w.members.principal"
ROLE_WIDGET = "w.members.role"
REMOVE_WIDGET = "w.members.remove"
CREATE_WIDGET = "w.members.create_name"
PURGE_NAME_WIDGET = "w.purge.name"
PURGE_STEP = "purge.step"
MEMBERS_OPEN = "members.open"
MEMBERS_TOGGLE = "w.members.show"


@store_access.safe_callback
def _grant(workspace_id: str) -> None:
    principal = normalise_principal(state.widget_text(PRINCIPAL_WIDGET))
    role = state.widget_value(ROLE_WIDGET) or "viewer"
    store_access.store().set_member_role(workspace_id, principal, role, state.actor())
    state.flash("success", t("members.granted", principal=principal, role=label("role", role)))


@store_access.safe_callback
def _remove(workspace_id: str) -> None:
    principal = state.widget_value(REMOVE_WIDGET)
    if principal:
        store_access.store().remove_member(workspace_id, principal, state.actor())
        state.flash("success", t("members.removed", principal=principal))


@store_access.safe_callback
def _create() -> None:
    name = state.widget_text(CREATE_WIDGET)
    workspace_id = store_access.store().create_workspace(Workspace(name=name), state.actor())
    state.set_workspace_id(workspace_id)
    state.flash("success", t("home.created", name=name))


@store_access.safe_callback
def _show_all() -> None:
    state.set_workspace_id(None)


def no_access_page(has_others: bool) -> None:
    """``?ws=<id>`` of a workspace the person holds no role on: say so, show nothing of it, offer their own."""
    st.warning(t("auth.no_access"), icon=":material/lock:")
    if has_others:
        st.button(t("auth.to_my_workspaces"), on_click=_show_all, key="w.auth.to_mine")
    st.stop()


def no_workspace_page() -> None:
    """A signed-in person without any role: they see no workspace, may ask for one, or create their own."""
    st.info(t("auth.no_workspace"), icon=":material/info:")
    with st.form("members.create", clear_on_submit=True, border=True):
        st.text_input(t("home.new_name"), key=CREATE_WIDGET, max_chars=200, placeholder=t("home.new_name_placeholder"))
        st.form_submit_button(t("home.create"), on_click=_create, type="primary")
    st.stop()


def _toggle_members() -> None:
    state.set_ui_value(MEMBERS_OPEN, bool(state.widget_value(MEMBERS_TOGGLE)))


def members_panel(workspace_id: str, role: str, roles_on: bool) -> None:
    """Who holds which role on the workspace; owners grant (by e-mail or subject) and revoke here.

    Drawn only while its toggle is on: a Home rerun then costs the same signed in as with sign-in off.
    """
    frame.subheader("members.title")
    if not roles_on:
        st.caption(t("members.off"))
        return
    opened = st.toggle(t("members.show", role=label("role", role)),
                       key=store_access.bind(MEMBERS_TOGGLE, bool(state.ui_value(MEMBERS_OPEN))),
                       on_change=_toggle_members)
    if not opened:
        return
    members = store_access.store().members(workspace_id)
    if members:
        st.markdown(formatting.markdown_table(
            (t("members.col_principal"), t("members.col_role"), t("members.col_granted_by"),
             t("members.col_granted_at")),
            ((formatting.escape_markdown(member.principal), label("role", member.role),
              formatting.escape_markdown(member.granted_by), formatting.timestamp(member.granted_at, state.language()))
             for member in members),
        ))
    if not any(member.role == "owner" for member in members):
        st.caption(t("members.no_owner"))
    if role != "owner":
        st.caption(t("members.owners_only", role=label("role", role)))
        return
    with st.form("members.grant", clear_on_submit=True, border=False):
        left, right = st.columns([3, 1])
        left.text_input(t("members.principal"), key=PRINCIPAL_WIDGET, max_chars=200,
                        placeholder=t_plain("members.principal_placeholder"), help=t("members.principal_help"))
        right.selectbox(t("members.role"), options=ROLES, index=0, key=ROLE_WIDGET,
                        format_func=lambda value: label("role", value))
        st.form_submit_button(t("members.grant"), on_click=_grant, args=(workspace_id,))
    if members:
        left, right = st.columns([3, 1], vertical_alignment="bottom")
        left.selectbox(t("members.remove_who"), options=[member.principal for member in members], key=REMOVE_WIDGET)
        right.button(t("members.remove"), on_click=_remove, args=(workspace_id,), key="w.members.remove_button")


@store_access.safe_callback
def _purge_start() -> None:
    state.set_ui_value(PURGE_STEP, 1)


@store_access.safe_callback
def _purge_cancel() -> None:
    state.set_ui_value(PURGE_STEP, 0)


@store_access.safe_callback
def _purge(workspace_id: str) -> None:
    name = state.widget_text(PURGE_NAME_WIDGET)
    try:
        store_access.store().purge_workspace(workspace_id, name, state.actor())
    except ValueError:
        state.flash("error", t("purge.name_mismatch"))
        return
    except PermissionDenied as error:
        state.flash("error", store_access.permission_message(error))
        return
    state.set_ui_value(PURGE_STEP, 0)
    state.set_workspace_id(None)
    state.flash("success", t("purge.done", name=name))


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()[:40] or "workspace"


def purge_panel(workspace_id: str, name: str, role: str) -> None:
    """Delete the workspace for good, owners only, in two steps: first the snapshot export is offered and the
    consequences are stated; then the name must be typed before the final button deletes it."""
    frame.subheader("purge.title")
    if role != "owner":
        st.caption(t("purge.owners_only", role=label("role", role)))
        return
    if not state.ui_value(PURGE_STEP):
        st.caption(t("purge.explain"))
        st.button(t("purge.start"), on_click=_purge_start, key="w.purge.start")
        return
    st.warning(t("purge.warning", name=name), icon=":material/warning:")
    st.download_button(t("purge.export"), data=store_access.store().export_json(workspace_id),
                       file_name=f"workspace-{_slug(name)}.json", mime="application/json",
                       key="w.purge.export")
    with st.form("purge.confirm", clear_on_submit=True, border=False):
        st.text_input(t("purge.type_name"), key=PURGE_NAME_WIDGET, max_chars=200, placeholder=name)
        st.form_submit_button(t("purge.confirm"), on_click=_purge, args=(workspace_id,), type="primary")
    st.button(t("purge.cancel"), on_click=_purge_cancel, key="w.purge.cancel")
