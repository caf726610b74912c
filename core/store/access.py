"""Roles per workspace for shared deployments (S23): owner, editor, viewer, enforced by the store on every write.

Access control is a property of the database, so every process on it (app instances, the CLI, a script using the
Python API) enforces the same roles. It is off in a new database: the embedded default (``make run``, one local
user) works as before, every actor with full rights. An app with sign-in configured turns it on
(:meth:`AccessOps.enable_access_control`); from then on every write checks the actor's role on the workspace, in
the write's own transaction, and a missing role raises :class:`PermissionDenied`.

Who an actor is: the actor string the write methods already take. A signed-in person's is
:attr:`Identity.actor`, e.g. ``"Anna Schneider <anna@example.com> [anna]"`` (display name, e-mail, OIDC subject);
:func:`principal_keys` reads the e-mail and the subject back from it. A bare e-mail (``"svc@example.com"``, the
CLI's service identity) or a bare subject works too. Roles are granted to an e-mail (case-insensitive) or to a
subject. Instance admins (env ``WORKBENCH_ADMINS``, comma-separated e-mails) own every workspace that has no owner
yet, such as the sample workspace and workspaces created before sign-in was turned on.

What each role may do (:data:`ACTION_ROLES`): a viewer reads and exports; an editor also changes use cases,
records gate decisions, settings, snapshots, plans and workshop rounds; an owner also renames, restores a snapshot
over the workspace, grants and revokes roles, and deletes the workspace for good. Anyone signed in may create or
import a workspace and owns it. Workshop participants need no role: their round token is their access (S21).

Example::

    store.enable_access_control()
    anna = Identity(subject="anna", email="anna@example.com", name="Anna Schneider")
    workspace_id = store.create_workspace(Workspace(name="Claims"), anna.actor)   # Anna owns it
    store.set_member_role(workspace_id, "ben@example.com", "viewer", anna.actor)
    store.save_settings(workspace_id, "Ben <ben@example.com> [ben]", settings=...)  # PermissionDenied
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, TypeVar, get_args

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection

from core.identity import actor_subject, normalise_principal, principal_keys
from core.models import SavedPlan, ScoringWeights, Thresholds, UseCase, Workspace, WorkspaceSettings
from core.store.audit import append_audit
from core.store.engine import StoreEngine
from core.store.errors import NotFoundError, StoreError
from core.store.records import AuditEntry, ErasureReport, LoadedWorkspace, SnapshotInfo, WorkspaceInfo
from core.store.rows import workspace_row
from core.store.schema import (
    drafts_table,
    portfolio_plans_table,
    save_requests_table,
    snapshots_table,
    store_meta_table,
    use_cases_table,
    workshop_adoptions_table,
    workshop_answers_table,
    workshop_participants_table,
    workshop_rounds_table,
    workspace_members_table,
    workspaces_table,
)
from core.store.values import check_actor, iso, now_utc, parse_iso
from core.store.workspaces import WORKSPACE_LIST, workspace_info
from core.workshop import RoundDefinition

ADMINS_ENV = "WORKBENCH_ADMINS"
ACCESS_CONTROL_KEY = "access_control"

Role = Literal["viewer", "editor", "owner"]
ROLES: tuple[Role, ...] = get_args(Role)
ROLE_RANK = {role: rank for rank, role in enumerate(ROLES, start=1)}

Action = Literal[
    "read", "edit", "settings", "snapshot", "restore_snapshot", "plan", "round", "rename", "members", "purge",
]
ACTION_ROLES: Mapping[str, Role] = {
    "read": "viewer",
    "edit": "editor",
    "settings": "editor",
    "snapshot": "editor",
    "plan": "editor",
    "round": "editor",
    "restore_snapshot": "owner",
    "rename": "owner",
    "members": "owner",
    "purge": "owner",
}
"""The least role each action needs (S23)."""

T = TypeVar("T")


class PermissionDenied(StoreError):
    """The actor's role on the workspace does not allow the action; the message says which role it needs."""

    def __init__(self, workspace_id: str, actor: str, action: str, needed: Role, held: Role | None) -> None:
        self.workspace_id, self.actor, self.action, self.needed, self.held = workspace_id, actor, action, needed, held
        holding = f"is {held}" if held else "has no role"
        super().__init__(
            f"permission denied: {actor} {holding} on workspace '{workspace_id}'; '{action}' needs {needed}"
        )


@dataclass(frozen=True)
class Member:
    principal: str
    role: Role
    granted_by: str
    granted_at: Any


def admins_from_env(setting: str | None = None) -> frozenset[str]:
    """The instance admins' e-mails from ``WORKBENCH_ADMINS`` (comma-separated), lower-cased."""
    text = os.environ.get(ADMINS_ENV, "") if setting is None else setting
    return frozenset(part.strip().lower() for part in text.split(",") if part.strip())


def _best(roles: list[str]) -> Role | None:
    known = [role for role in roles if role in ROLE_RANK]
    return max(known, key=ROLE_RANK.__getitem__) if known else None  # type: ignore[return-value]


def access_control_on(conn: Connection) -> bool:
    return conn.scalar(select(store_meta_table.c.value).where(store_meta_table.c.key == ACCESS_CONTROL_KEY)) == "on"


def _has_owner(conn: Connection, workspace_id: str) -> bool:
    return conn.scalar(select(workspace_members_table.c.principal).where(
        workspace_members_table.c.workspace_id == workspace_id, workspace_members_table.c.role == "owner"
    ).limit(1)) is not None


def role_in(conn: Connection, workspace_id: str, actor: str, admins: frozenset[str]) -> Role | None:
    """The actor's role on the workspace with access control on: the best granted role, else owner for an instance
    admin when the workspace has no owner, else None."""
    keys = principal_keys(actor)
    granted = _best(list(conn.scalars(select(workspace_members_table.c.role).where(
        workspace_members_table.c.workspace_id == workspace_id,
        workspace_members_table.c.principal.in_(keys),
    )))) if keys else None
    if granted == "owner":
        return granted
    if keys & admins and not _has_owner(conn, workspace_id):
        return "owner"
    return granted


def _creator_principal(actor: str) -> str:
    """Whom a new workspace's owner row names: the subject of a signed-in identity, else its e-mail."""
    subject = actor_subject(actor)
    if subject:
        return subject
    keys = principal_keys(actor)
    if not keys:
        raise ValueError("actor: with access control on, the actor must name an e-mail or a subject")
    return sorted(keys)[0]


class AdminRequired(PermissionDenied):
    """An instance-wide write (an erasure covers every workspace) by someone who is not an instance admin."""

    def __init__(self, actor: str, action: str) -> None:
        self.workspace_id, self.actor, self.action, self.needed, self.held = "", actor, action, "owner", None
        StoreError.__init__(self, f"permission denied: {actor} is not an instance admin ({ADMINS_ENV}); "
                                  f"'{action}' covers every workspace")


@dataclass(frozen=True)
class _Pending:
    workspace: str | Callable[[Connection], str] | None
    actor: str
    action: str
    owner_of_result: bool = False


class AccessOps(StoreEngine):
    """Roles on every write path. Sits first in :class:`~core.store.Store`'s bases: each public write method checks
    the actor's role inside the write transaction (through :meth:`_write`), then runs the concept's own method."""

    load: Callable[[str], LoadedWorkspace]
    get_round: Callable[[str], Any]

    def __init__(self, url: str | None = None, admins: frozenset[str] | None = None,
                 audit_secret: str | None = None) -> None:
        self._admins = admins_from_env() if admins is None else frozenset(email.lower() for email in admins)
        self._pending = threading.local()
        self._access_on = False
        super().__init__(url, audit_secret)

    @property
    def admins(self) -> frozenset[str]:
        return self._admins

    def enable_access_control(self) -> None:
        """Turn roles on for this database (idempotent; every process on it enforces them from then on)."""
        def work(conn: Connection) -> None:
            if not access_control_on(conn):
                conn.execute(delete(store_meta_table).where(store_meta_table.c.key == ACCESS_CONTROL_KEY))
                conn.execute(insert(store_meta_table).values(key=ACCESS_CONTROL_KEY, value="on"))

        self._write(work)
        self._access_on = True

    def access_control_enabled(self) -> bool:
        """Whether this database enforces roles (once on, it stays on, so a yes is remembered)."""
        if not self._access_on:
            with self._read() as conn:
                self._access_on = access_control_on(conn)
        return self._access_on

    def role_of(self, workspace_id: str, actor: str) -> Role | None:
        """The actor's role on the workspace: owner for everyone while access control is off."""
        with self._read() as conn:
            workspace_row(conn, workspace_id)
            if not access_control_on(conn):
                return "owner"
            return role_in(conn, workspace_id, actor, self._admins)

    def may(self, workspace_id: str, actor: str, action: Action) -> bool:
        held = self.role_of(workspace_id, actor)
        return held is not None and ROLE_RANK[held] >= ROLE_RANK[ACTION_ROLES[action]]

    def workspaces_for(self, actor: str) -> list[WorkspaceInfo]:
        """The workspaces the actor holds a role on, each with its ``role``; all of them, as owner, while access
        control is off. One read transaction: the list, the actor's grants and, for an admin, the owned workspaces."""
        keys = principal_keys(actor)
        with self._read() as conn:
            rows = conn.execute(WORKSPACE_LIST).all()
            if not (self._access_on or access_control_on(conn)):
                return [workspace_info(row, "owner") for row in rows]
            self._access_on = True
            grants: dict[str, list[str]] = {}
            if keys:
                for workspace_id, role in conn.execute(select(
                    workspace_members_table.c.workspace_id, workspace_members_table.c.role
                ).where(workspace_members_table.c.principal.in_(keys))):
                    grants.setdefault(workspace_id, []).append(role)
            admin = bool(keys & self._admins)
            owned = set(conn.scalars(select(workspace_members_table.c.workspace_id).where(
                workspace_members_table.c.role == "owner").distinct())) if admin else set()
        visible = []
        for row in rows:
            role = _best(grants.get(row.id, []))
            if role != "owner" and admin and row.id not in owned:
                role = "owner"
            if role is not None:
                visible.append(workspace_info(row, role))
        return visible

    def members(self, workspace_id: str) -> list[Member]:
        with self._read() as conn:
            rows = conn.execute(select(workspace_members_table).where(
                workspace_members_table.c.workspace_id == workspace_id
            ).order_by(workspace_members_table.c.principal)).all()
        return [Member(principal=row.principal, role=row.role, granted_by=row.granted_by,
                       granted_at=parse_iso(row.granted_at)) for row in rows]

    def set_member_role(self, workspace_id: str, principal: str, role: Role, actor: str) -> None:
        """Grant ``role`` to an e-mail or subject (replacing its earlier role); owners only; audited.

        The last owner cannot demote themself: a workspace keeps an owner once it has one.
        """
        actor, principal = check_actor(actor), normalise_principal(principal)
        if role not in ROLE_RANK:
            raise ValueError(f"role: one of {', '.join(ROLES)}")

        def work(conn: Connection) -> None:
            old = conn.scalar(select(workspace_members_table.c.role).where(
                workspace_members_table.c.workspace_id == workspace_id,
                workspace_members_table.c.principal == principal))
            if old == role:
                return
            if old == "owner":
                _keep_an_owner(conn, workspace_id, principal)
            at = iso(now_utc())
            if old is None:
                conn.execute(insert(workspace_members_table).values(
                    workspace_id=workspace_id, principal=principal, role=role, granted_at=at, granted_by=actor))
            else:
                conn.execute(update(workspace_members_table).where(
                    workspace_members_table.c.workspace_id == workspace_id,
                    workspace_members_table.c.principal == principal,
                ).values(role=role, granted_at=at, granted_by=actor))
            _audit_role(conn, at, actor, workspace_id, principal, old, role)

        with self._requiring(workspace_id, actor, "members"):
            self._write(work)

    def remove_member(self, workspace_id: str, principal: str, actor: str) -> None:
        """Revoke a principal's role; owners only; audited; the last owner stays."""
        actor, principal = check_actor(actor), normalise_principal(principal)

        def work(conn: Connection) -> None:
            old = conn.scalar(select(workspace_members_table.c.role).where(
                workspace_members_table.c.workspace_id == workspace_id,
                workspace_members_table.c.principal == principal))
            if old is None:
                return
            if old == "owner":
                _keep_an_owner(conn, workspace_id, principal)
            conn.execute(delete(workspace_members_table).where(
                workspace_members_table.c.workspace_id == workspace_id,
                workspace_members_table.c.principal == principal))
            _audit_role(conn, iso(now_utc()), actor, workspace_id, principal, old, None)

        with self._requiring(workspace_id, actor, "members"):
            self._write(work)

    def purge_workspace(self, workspace_id: str, confirm_name: str, actor: str) -> None:
        """Delete the workspace for good: its use cases, snapshots, plans, rounds and members. Owners only;
        ``confirm_name`` must repeat the workspace's name. The audit trail is append-only, so its rows stay, plus
        one ``purge_workspace`` row naming the workspace."""
        actor = check_actor(actor)

        def work(conn: Connection) -> None:
            row = workspace_row(conn, workspace_id, lock=True)
            if confirm_name.strip() != row.name:
                raise ValueError("confirm_name: type the workspace's name exactly to delete it for good")
            rounds = select(workshop_rounds_table.c.id).where(workshop_rounds_table.c.workspace_id == workspace_id)
            participants = select(workshop_participants_table.c.id).where(
                workshop_participants_table.c.round_id.in_(rounds))
            for statement in (
                delete(workshop_answers_table).where(workshop_answers_table.c.participant_id.in_(participants)),
                delete(workshop_adoptions_table).where(workshop_adoptions_table.c.round_id.in_(rounds)),
                delete(workshop_participants_table).where(workshop_participants_table.c.round_id.in_(rounds)),
                delete(workshop_rounds_table).where(workshop_rounds_table.c.workspace_id == workspace_id),
                delete(portfolio_plans_table).where(portfolio_plans_table.c.workspace_id == workspace_id),
                delete(drafts_table).where(drafts_table.c.workspace_id == workspace_id),
                delete(snapshots_table).where(snapshots_table.c.workspace_id == workspace_id),
                delete(save_requests_table).where(save_requests_table.c.workspace_id == workspace_id),
                delete(use_cases_table).where(use_cases_table.c.workspace_id == workspace_id),
                delete(workspace_members_table).where(workspace_members_table.c.workspace_id == workspace_id),
                delete(workspaces_table).where(workspaces_table.c.id == workspace_id),
            ):
                conn.execute(statement)
            append_audit(conn, iso(now_utc()), actor, workspace_id, None, "purge_workspace", [("name", row.name, None)])

        with self._requiring(workspace_id, actor, "purge"):
            self._write(work)

    @contextmanager
    def _requiring(self, workspace: str | Callable[[Connection], str] | None, actor: str, action: str,
                   owner_of_result: bool = False) -> Iterator[None]:
        """Check ``action`` for ``actor`` inside every write transaction this block opens (see :meth:`_write`);
        ``workspace`` None: a new workspace, which the actor then owns (``owner_of_result``)."""
        previous = getattr(self._pending, "check", None)
        self._pending.check = _Pending(workspace, actor, action, owner_of_result)
        try:
            yield
        finally:
            self._pending.check = previous

    def _write(self, work: Callable[[Connection], T]) -> T:
        pending: _Pending | None = getattr(self._pending, "check", None)
        if pending is None:
            return super()._write(work)

        def checked(conn: Connection) -> T:
            if not access_control_on(conn):
                return work(conn)
            if pending.workspace is not None:
                workspace_id = pending.workspace if isinstance(pending.workspace, str) else pending.workspace(conn)
                workspace_row(conn, workspace_id)
                held = role_in(conn, workspace_id, pending.actor, self._admins)
                needed = ACTION_ROLES[pending.action]
                if held is None or ROLE_RANK[held] < ROLE_RANK[needed]:
                    raise PermissionDenied(workspace_id, pending.actor, pending.action, needed, held)
            elif not principal_keys(pending.actor):
                raise PermissionDenied("(new)", pending.actor, pending.action, "owner", None)
            result = work(conn)
            if pending.owner_of_result and isinstance(result, str):
                conn.execute(insert(workspace_members_table).values(
                    workspace_id=result, principal=_creator_principal(pending.actor), role="owner",
                    granted_at=iso(now_utc()), granted_by=pending.actor))
            return result

        return super()._write(checked)

    # Reading names in a pseudonymised workspace's trail: its owners only (S23), checked here as the writes are.

    def audit(self, workspace_id: str, use_case_id: str | None = None, limit: int | None = None,
              coalesce: bool = False, names_for: str | None = None) -> list[AuditEntry]:
        """:meth:`AuditOps.audit <core.store.audit.AuditOps.audit>`; with ``names_for`` (the reader), a
        pseudonymised workspace shows its owners the names it keeps sealed, everyone else the pseudonyms."""
        reveal = names_for is not None and self.role_of(workspace_id, names_for) == "owner"
        return super().audit(workspace_id, use_case_id, limit, coalesce, reveal_names=reveal)  # type: ignore[misc]

    def audit_csv(self, workspace_id: str, use_case_id: str | None = None, limit: int | None = None,
                  coalesce: bool = True, names_for: str | None = None) -> str:
        """:meth:`AuditOps.audit_csv <core.store.audit.AuditOps.audit_csv>` with ``names_for`` as :meth:`audit`."""
        reveal = names_for is not None and self.role_of(workspace_id, names_for) == "owner"
        return super().audit_csv(workspace_id, use_case_id, limit, coalesce,  # type: ignore[misc]
                                 reveal_names=reveal)

    # The concepts' write methods, each under its role (the concept mixins come after this one in the Store).

    def erase_identity(self, identity: str, actor: str) -> ErasureReport:
        if self.access_control_enabled() and not principal_keys(actor) & self._admins:
            raise AdminRequired(actor, "erase_identity")
        return super().erase_identity(identity, actor)  # type: ignore[misc]

    def create_workspace(self, workspace: Workspace, actor: str) -> str:
        with self._requiring(None, actor, "create", owner_of_result=True):
            return super().create_workspace(workspace, actor)  # type: ignore[misc]

    def import_json(self, text: str | bytes, actor: str, name: str | None = None) -> str:
        with self._requiring(None, actor, "create", owner_of_result=True):
            return super().import_json(text, actor, name)  # type: ignore[misc]

    def duplicate_workspace(self, workspace_id: str, new_name: str, actor: str) -> str:
        if self.access_control_enabled() and not self.may(workspace_id, actor, "read"):
            raise PermissionDenied(workspace_id, actor, "read", "viewer", self.role_of(workspace_id, actor))
        with self._requiring(None, actor, "create", owner_of_result=True):
            return super().duplicate_workspace(workspace_id, new_name, actor)  # type: ignore[misc]

    def rename_workspace(self, workspace_id: str, name: str, actor: str) -> None:
        with self._requiring(workspace_id, actor, "rename"):
            super().rename_workspace(workspace_id, name, actor)  # type: ignore[misc]

    def save_settings(self, workspace_id: str, actor: str, weights: ScoringWeights | None = None,
                      thresholds: Thresholds | None = None, settings: WorkspaceSettings | None = None) -> None:
        with self._requiring(workspace_id, actor, "settings"):
            super().save_settings(workspace_id, actor, weights, thresholds, settings)  # type: ignore[misc]

    def save_use_case(self, workspace_id: str, use_case: UseCase, expected_version: int | None, actor: str,
                      idempotency_key: str | None = None) -> int:
        with self._requiring(workspace_id, actor, "edit"):
            return super().save_use_case(workspace_id, use_case, expected_version, actor,  # type: ignore[misc]
                                         idempotency_key)

    def apply_changes(self, workspace_id: str, changes: Sequence[tuple[str, str, Any]],
                      expected_versions: dict[str, int], actor: str) -> None:
        with self._requiring(workspace_id, actor, "edit"):
            super().apply_changes(workspace_id, changes, expected_versions, actor)  # type: ignore[misc]

    def delete_use_case(self, workspace_id: str, use_case_id: str, actor: str) -> int:
        with self._requiring(workspace_id, actor, "edit"):
            return super().delete_use_case(workspace_id, use_case_id, actor)  # type: ignore[misc]

    def restore_use_case(self, workspace_id: str, use_case_id: str, actor: str) -> int:
        with self._requiring(workspace_id, actor, "edit"):
            return super().restore_use_case(workspace_id, use_case_id, actor)  # type: ignore[misc]

    def record_gate_decision(self, workspace_id: str, use_case_id: str, gate: str, decision: str,
                             failed_checks: Sequence[Any], actor: str) -> None:
        with self._requiring(workspace_id, actor, "edit"):
            super().record_gate_decision(workspace_id, use_case_id, gate, decision,  # type: ignore[misc]
                                         failed_checks, actor)

    def create_snapshot(self, workspace_id: str, label: str, actor: str) -> SnapshotInfo:
        with self._requiring(workspace_id, actor, "snapshot"):
            return super().create_snapshot(workspace_id, label, actor)  # type: ignore[misc]

    def restore_snapshot(self, workspace_id: str, label: str, actor: str) -> None:
        with self._requiring(workspace_id, actor, "restore_snapshot"):
            super().restore_snapshot(workspace_id, label, actor)  # type: ignore[misc]

    def keep_draft(self, workspace_id: str, use_case_id: str, actor: str, changes: Mapping[str, Any],
                   changed_by: str = "", changed_at: datetime | None = None, slot: str = "") -> Any:
        # A draft is the person's own, but it is kept in a workspace: only someone who may see it (a viewer, whose
        # role was lowered after typing, included) leaves one there. Dropping one's own draft needs no role.
        with self._requiring(workspace_id, actor, "read"):
            return super().keep_draft(workspace_id, use_case_id, actor, changes,  # type: ignore[misc]
                                      changed_by, changed_at, slot)

    def save_plan(self, workspace_id: str, plan: SavedPlan, actor: str) -> Any:
        with self._requiring(workspace_id, actor, "plan"):
            return super().save_plan(workspace_id, plan, actor)  # type: ignore[misc]

    def delete_plan(self, workspace_id: str, name: str, actor: str) -> None:
        with self._requiring(workspace_id, actor, "plan"):
            super().delete_plan(workspace_id, name, actor)  # type: ignore[misc]

    def open_round(self, workspace_id: str, definition: RoundDefinition, actor: str) -> Any:
        with self._requiring(workspace_id, actor, "round"):
            return super().open_round(workspace_id, definition, actor)  # type: ignore[misc]

    def close_round(self, round_id: str, actor: str) -> Any:
        with self._requiring(_round_workspace(round_id), actor, "round"):
            return super().close_round(round_id, actor)  # type: ignore[misc]

    def reopen_round(self, round_id: str, actor: str) -> Any:
        with self._requiring(_round_workspace(round_id), actor, "round"):
            return super().reopen_round(round_id, actor)  # type: ignore[misc]

    def reveal_round(self, round_id: str, actor: str) -> Any:
        with self._requiring(_round_workspace(round_id), actor, "round"):
            return super().reveal_round(round_id, actor)  # type: ignore[misc]

    def adopt_round_results(self, round_id: str, use_case_id: str, values: Mapping[str, float],
                            expected_version: int, actor: str) -> int:
        with self._requiring(_round_workspace(round_id), actor, "edit"):
            return super().adopt_round_results(round_id, use_case_id, values,  # type: ignore[misc]
                                               expected_version, actor)


def _round_workspace(round_id: str) -> Callable[[Connection], str]:
    def lookup(conn: Connection) -> str:
        workspace_id = conn.scalar(select(workshop_rounds_table.c.workspace_id).where(
            workshop_rounds_table.c.id == round_id))
        if workspace_id is None:
            raise NotFoundError(f"no workshop round with id '{round_id}'")
        return workspace_id

    return lookup


def _keep_an_owner(conn: Connection, workspace_id: str, principal: str) -> None:
    others = conn.scalar(select(workspace_members_table.c.principal).where(
        workspace_members_table.c.workspace_id == workspace_id, workspace_members_table.c.role == "owner",
        workspace_members_table.c.principal != principal).limit(1))
    if others is None:
        raise StoreError("a workspace keeps at least one owner: make someone else owner first")


def _audit_role(conn: Connection, at: str, actor: str, workspace_id: str, principal: str, old: str | None,
                new: str | None) -> None:
    append_audit(conn, at, actor, workspace_id, None, "set_member_role", [(f"members.{principal}", old, new)])
