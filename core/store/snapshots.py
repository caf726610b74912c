"""Snapshots: a named copy of a workspace's live use cases and settings, and restoring one.

A restore never rewrites history: it writes new versions until the workspace equals the snapshot again,
each change audited as ``restore_snapshot``, and ends with one entry naming the label.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from core.models import UseCase, Workspace, diff_fields
from core.store.actors import shown_actor
from core.store.audit import Change, append_audit
from core.store.engine import StoreEngine
from core.store.errors import NotFoundError, StoreError
from core.store.records import SnapshotInfo
from core.store.rows import workspace_row
from core.store.schema import snapshots_table, use_cases_table
from core.store.use_cases import new_use_case_row, update_use_case_row
from core.store.values import check_actor, check_name, iso, now_utc, parse_iso, stored_settings
from core.store.workspaces import write_settings

_RESTORE = "restore_snapshot"
AUDIT_RULES = ("audit_pseudonymised", "audit_retention_months")


def _snapshot(conn: Connection, workspace_id: str, label: str) -> Workspace:
    document = conn.scalar(select(snapshots_table.c.document).where(
        snapshots_table.c.workspace_id == workspace_id, snapshots_table.c.label == label))
    if document is None:
        raise NotFoundError(f"no snapshot labelled '{label}' in this workspace")
    return Workspace.model_validate_json(document)


def _restore_use_cases(
    conn: Connection, workspace_id: str, snapshot: Workspace, rows: dict[str, Any], at: str, actor: str
) -> None:
    """Bring back every use case of the snapshot: insert the ones the workspace never had (after all others),
    rewrite the ones that differ or were deleted."""
    position = max((row.position for row in rows.values()), default=-1)
    for use_case in snapshot.use_cases:
        row = rows.get(use_case.id)
        if row is None:
            position += 1
            values = new_use_case_row(workspace_id, use_case, position, at, shown_actor(conn, workspace_id, actor, at))
            conn.execute(insert(use_cases_table).values(**values))
            append_audit(conn, at, actor, workspace_id, use_case.id, _RESTORE, diff_fields(None, use_case))
            continue
        changes: list[Change] = list(diff_fields(UseCase.model_validate_json(row.document), use_case))
        if row.deleted:
            changes.insert(0, ("deleted", True, False))
        if changes:
            update_use_case_row(conn, workspace_id, row, use_case, at, actor, deleted=False)
            append_audit(conn, at, actor, workspace_id, use_case.id, _RESTORE, changes)


def _delete_the_rest(
    conn: Connection, workspace_id: str, snapshot: Workspace, rows: dict[str, Any], at: str, actor: str
) -> None:
    """Soft-delete the live use cases the snapshot does not have."""
    kept = {use_case.id for use_case in snapshot.use_cases}
    for use_case_id, row in rows.items():
        if use_case_id not in kept and not row.deleted:
            update_use_case_row(conn, workspace_id, row, UseCase.model_validate_json(row.document),
                                at, actor, deleted=True)
            append_audit(conn, at, actor, workspace_id, use_case_id, _RESTORE, [("deleted", False, True)])


class SnapshotOps(StoreEngine):
    """Snapshots of a workspace; ``export_json`` comes from :class:`~core.store.workspaces.WorkspaceOps`."""

    export_json: Callable[[str], str]

    def create_snapshot(self, workspace_id: str, label: str, actor: str) -> SnapshotInfo:
        """A named copy of the whole workspace (live use cases and settings), e.g. "before workshop"."""
        actor, label = check_actor(actor), check_name(label, "label")
        document = self.export_json(workspace_id)

        def work(conn: Connection) -> SnapshotInfo:
            workspace_row(conn, workspace_id)
            exists = conn.scalar(select(snapshots_table.c.id).where(
                snapshots_table.c.workspace_id == workspace_id, snapshots_table.c.label == label))
            if exists is not None:
                raise StoreError(f"a snapshot labelled '{label}' already exists in this workspace")
            moment = now_utc()
            shown = shown_actor(conn, workspace_id, actor, iso(moment))
            snapshot_id = conn.execute(
                insert(snapshots_table).values(
                    workspace_id=workspace_id, label=label, created_at=iso(moment), actor=shown, document=document
                )
            ).inserted_primary_key[0]
            append_audit(conn, iso(moment), actor, workspace_id, None, "create_snapshot", [(None, None, label)])
            return SnapshotInfo(id=int(snapshot_id), label=label, created_at=moment, actor=shown)

        try:
            return self._write(work)
        except IntegrityError:
            raise StoreError(f"a snapshot labelled '{label}' already exists in this workspace") from None

    def list_snapshots(self, workspace_id: str) -> list[SnapshotInfo]:
        with self._read() as conn:
            workspace_row(conn, workspace_id)
            rows = conn.execute(
                select(snapshots_table.c.id, snapshots_table.c.label, snapshots_table.c.created_at,
                       snapshots_table.c.actor)
                .where(snapshots_table.c.workspace_id == workspace_id)
                .order_by(snapshots_table.c.id.desc())
            ).all()
        return [SnapshotInfo(id=r.id, label=r.label, created_at=parse_iso(r.created_at), actor=r.actor)
                for r in rows]

    def restore_snapshot(self, workspace_id: str, label: str, actor: str) -> None:
        """Make the workspace equal the snapshot again by writing new versions; history is kept.

        Use cases missing from the snapshot are soft-deleted, deleted ones in it are restored; every
        change is audited and a final ``restore_snapshot`` entry names the label.
        """
        actor = check_actor(actor)

        def work(conn: Connection) -> None:
            workspace = workspace_row(conn, workspace_id, lock=True)
            snapshot = _snapshot(conn, workspace_id, label)
            rows = {row.use_case_id: row for row in conn.execute(
                select(use_cases_table).where(use_cases_table.c.workspace_id == workspace_id).with_for_update()
            ).all()}
            at = iso(now_utc())
            _restore_use_cases(conn, workspace_id, snapshot, rows, at, actor)
            _delete_the_rest(conn, workspace_id, snapshot, rows, at, actor)
            # The audit trail's privacy rules (S23) are the workspace's governance, not its content: a snapshot taken
            # before pseudonymised mode was switched on must not switch it off again.
            current = stored_settings(workspace.settings)
            settings = snapshot.settings.model_copy(update={name: getattr(current, name) for name in AUDIT_RULES})
            write_settings(conn, workspace, actor, at, snapshot.weights, snapshot.thresholds, _RESTORE, settings)
            append_audit(conn, at, actor, workspace_id, None, _RESTORE, [(None, None, label)])

        self._write(work)
