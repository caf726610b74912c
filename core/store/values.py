"""How values are written into rows: UTC times as ISO text, and the checked actor names and labels."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import TypeAdapter, ValidationError

from core.models import Name, Workspace, WorkspaceSettings, error_text

MAX_ACTOR_LENGTH = 200

_name_adapter: TypeAdapter[str] = TypeAdapter(Name)


def now_utc() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """The stored form of a time, e.g. ``2025-01-06T09:30:00.000000+00:00``; it sorts as text."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text)


def check_actor(actor: str) -> str:
    """The display name for the audit trail, stripped; ``ValueError`` if empty, too long or against the
    :data:`~core.models.NAME_RULE` (a line break in it would break every table and message that shows it)."""
    if not isinstance(actor, str) or not actor.strip():
        raise ValueError("actor: a display name is required for the audit trail")
    if len(actor) > MAX_ACTOR_LENGTH:
        raise ValueError(f"actor: at most {MAX_ACTOR_LENGTH} characters")
    return check_name(actor.strip(), "actor")


def check_name(name: str, field: str = "name") -> str:
    """A workspace name or snapshot label by the model's ``Name`` rule; ``ValueError`` names ``field``."""
    try:
        return _name_adapter.validate_python(name)
    except ValidationError as error:
        raise ValueError(f"{field}: {error_text(error.errors()[0])}") from None


def settings_document(workspace: Workspace | WorkspaceSettings) -> str:
    """The stored form of a workspace's settings, e.g. ``{"default_discount_rate_per_year":0.08}``."""
    settings = workspace.settings if isinstance(workspace, Workspace) else workspace
    return settings.model_dump_json()


def stored_settings(document: str | None) -> WorkspaceSettings:
    """The settings of a ``workspaces.settings`` cell; ``{}`` (a row older than the column) reads as the defaults.

    Raises pydantic's ValidationError naming the field when the stored JSON no longer validates.
    """
    return WorkspaceSettings.model_validate_json(document or "{}")
