"""What the store hands back: plain frozen records, never database rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.models import UseCase, Workspace


@dataclass(frozen=True)
class WorkspaceInfo:
    id: str
    name: str
    use_case_count: int
    updated_at: datetime
    # The reader's S23 role (owner, editor, viewer) when listed for an actor (``Store.workspaces_for``), else None.
    role: str | None = None


@dataclass(frozen=True)
class LoadedWorkspace:
    id: str
    workspace: Workspace
    versions: dict[str, int]


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    workspace_id: str
    use_case_id: str | None
    action: str
    field_path: str | None
    old_value: str | None
    new_value: str | None
    actor_id: str = ""
    """The pseudonym the entry carries (``actor`` is the person where the rules allow it, else this)."""
    steps: int = 1
    """Stored entries this one stands for: more than 1 where a drag's steps were merged (coalesce)."""


@dataclass(frozen=True)
class SnapshotInfo:
    id: int
    label: str
    created_at: datetime
    actor: str


@dataclass(frozen=True)
class DeletedUseCase:
    id: str
    name: str
    deleted_at: datetime
    deleted_by: str
    version: int
    use_case: UseCase


@dataclass(frozen=True)
class StoreNotice:
    """Something the start-up check found (audit triggers re-created, a broken chain link, …) that a user should
    see: ``kind`` and ``values`` for a translated message, ``text`` as one English sentence for the log and CLI.

    Kinds: ``triggers_recreated``, ``triggers_missing``, ``chain_broken``, ``secret_missing``.
    """

    kind: str
    text: str
    values: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ErasureReport:
    """What :meth:`~core.store.Store.erase_identity` replaced: the pseudonym now shown per workspace id, and the
    rows changed per table."""

    pseudonyms: dict[str, str]
    rows: dict[str, int]
