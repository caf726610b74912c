"""Who a signed-in person is (S23), as the store's actor string: pure text handling, no imports beyond the standard
library, so the page frame can name the person before the store is loaded.

A signed-in person's actor is :attr:`Identity.actor`, ``"Anna Schneider <anna@example.com> [anna]"``: the display
name at that time, the e-mail and the OIDC subject. :func:`principal_keys` reads the e-mail and the subject back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_ACTOR_LENGTH = 200
_EMAIL = re.compile(r"^[^\s<>@\[\]]+@[^\s<>@\[\]]+$")
_MARKERS = str.maketrans("", "", "<>[]")
_ACTOR = re.compile(r"^(?P<name>.*?)\s*(?:<(?P<email>[^<>\s]+)>)?\s*(?:\[(?P<subject>[^\[\]]+)\])?$")


@dataclass(frozen=True)
class Identity:
    """A signed-in person as the OIDC provider names them: the stable subject, the e-mail, the display name."""

    subject: str
    email: str | None
    name: str

    @property
    def actor(self) -> str:
        """The audit trail's actor: ``"Name <e-mail> [subject]"`` within the store's 200 characters.

        The display name loses any ``<>[]``: a name such as ``"X <boss@example.com>"`` set at the provider must not
        read back as someone else's e-mail or subject (:func:`principal_keys`).
        """
        email = f" <{self.email}>" if self.email else ""
        tail = f"{email} [{self.subject}]"
        name = " ".join((self.name or self.email or self.subject).translate(_MARKERS).split()) or "?"
        return f"{name[: max(MAX_ACTOR_LENGTH - len(tail), 1)]}{tail}"[:MAX_ACTOR_LENGTH]


def normalise_principal(principal: str) -> str:
    """An e-mail compares case-insensitively, a subject exactly; ``ValueError`` for an empty or too long one."""
    text = (principal or "").strip()
    if not text or len(text) > MAX_ACTOR_LENGTH or any(char.isspace() for char in text):
        raise ValueError("principal: an e-mail address or a subject, without spaces, at most 200 characters")
    return text.lower() if "@" in text else text


def principal_keys(actor: str) -> frozenset[str]:
    """The e-mail and subject an actor string names.

    Example: ``principal_keys("Anna Schneider <Anna@Example.com> [anna]")`` → ``{"anna@example.com", "anna"}``;
    ``principal_keys("svc@example.com")`` → ``{"svc@example.com"}``; ``principal_keys("ci-bot")`` → ``{"ci-bot"}``.
    """
    text = actor.strip()
    if _EMAIL.match(text):
        return frozenset({text.lower()})
    match = _ACTOR.match(text)
    keys = set()
    if match and (match.group("email") or match.group("subject")):
        if match.group("email"):
            keys.add(match.group("email").lower())
        if match.group("subject"):
            keys.add(match.group("subject").strip())
    elif text and not any(char.isspace() for char in text):
        keys.add(text)
    return frozenset(keys)


def actor_subject(actor: str) -> str | None:
    """The OIDC subject in an actor string (``"… [anna]"`` → ``"anna"``), else None."""
    match = _ACTOR.match(actor.strip())
    return match.group("subject").strip() if match and match.group("subject") else None
