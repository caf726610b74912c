"""Sign-in through the company's OpenID Connect provider (S23), with Streamlit's own ``st.login`` / ``st.user`` /
``st.logout`` (Authlib underneath); no OAuth code of our own.

Sign-in is on exactly when ``.streamlit/secrets.toml`` has an ``[auth]`` section: Streamlit then reports
``st.user.is_logged_in`` (False before signing in), and without one ``st.user`` has no such key. With sign-in on, every
facilitator page starts with the sign-in page until the person has signed in, the audit actor is their identity
(:attr:`core.identity.Identity.actor`), never a typed name, and the workspace role decides what they may do (the
loopback rule of :mod:`ui.access` applies only while sign-in is off). The participant page needs no sign-in: a round's
token is a participant's access (S21).

Imports nothing of the core at import time: :mod:`ui.frame` calls it before the store is loaded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from ui.i18n import t

if TYPE_CHECKING:
    from core.identity import Identity

LOGGED_IN = "is_logged_in"


def sign_in_enabled() -> bool:
    """Whether ``[auth]`` is configured (``st.user`` then carries ``is_logged_in``)."""
    return LOGGED_IN in st.user


def identity() -> Identity | None:
    """The signed-in person, or None (signed out, or sign-in off)."""
    user = st.user
    if not user.get(LOGGED_IN):
        return None
    subject = str(user.get("sub") or user.get("email") or "")
    if not subject:
        return None
    from core.identity import Identity  # only once signed in: the frame of a page imports no core (see ui.frame)

    email = user.get("email")
    name = user.get("name") or user.get("preferred_username") or email or subject
    return Identity(subject=subject, email=str(email) if email else None, name=str(name))


def _sign_in() -> None:
    st.login()


def _sign_out() -> None:
    st.logout()


def require_sign_in() -> Identity:
    """The signed-in person; before sign-in, the sign-in page and a stop."""
    person = identity()
    if person is not None:
        return person
    st.title(t("auth.title"), anchor="auth-title")
    st.write(t("auth.why"))
    st.button(t("auth.sign_in"), on_click=_sign_in, type="primary", key="w.auth.sign_in")
    st.stop()


def sidebar_identity(person: Identity) -> None:
    """Who is signed in, and the sign-out button (in place of the typed display name)."""
    st.caption(t("auth.signed_in_as", name=person.name, email=person.email or person.subject))
    st.button(t("auth.sign_out"), on_click=_sign_out, key="w.auth.sign_out")
