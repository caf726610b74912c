"""Workspaces: create, import and export, rename, duplicate, list, the S3 weights and gate thresholds, and the
sample workspace loaded on the very first start."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql import Select

from core.models import ScoringWeights, Thresholds, Workspace, WorkspaceSettings, diff_fields
from core.store.actors import actor_ref, forget_mode, pseudonymise_workspace
from core.store.audit import Change, append_audit, audit_value
from core.store.chain import append_entries, entry_row
from core.store.documents import canonical_json, parse_workspace_json
from core.store.engine import ROOT, StoreEngine
from core.store.errors import ImportRejected, NotFoundError, StoreError
from core.store.records import LoadedWorkspace, WorkspaceInfo
from core.store.rows import name_taken, workspace_row
from core.store.schema import store_meta_table, use_cases_table, workspaces_table
from core.store.use_cases import new_use_case_row
from core.store.values import (
    check_actor,
    check_name,
    iso,
    now_utc,
    parse_iso,
    settings_document,
    stored_settings,
)

SAMPLE_WORKSPACE_PATH = ROOT / "sample_data" / "workspace.json"
SAMPLE_ACTOR = "sample data"


def _workspace_list_query() -> Select:
    live = (
        select(
            use_cases_table.c.workspace_id,
            func.count().label("live_count"),
            func.max(use_cases_table.c.updated_at).label("last_edit"),
        )
        .where(use_cases_table.c.deleted.is_(False))
        .group_by(use_cases_table.c.workspace_id)
        .subquery()
    )
    return (
        select(workspaces_table.c.id, workspaces_table.c.name, workspaces_table.c.updated_at,
               live.c.live_count, live.c.last_edit)
        .outerjoin(live, live.c.workspace_id == workspaces_table.c.id)
        .order_by(workspaces_table.c.name)
    )


# Built once: every page lists the workspaces on every run, and building the statement cost more than running it.
WORKSPACE_LIST = _workspace_list_query()


def workspace_info(row: Any, role: str | None = None) -> WorkspaceInfo:
    """A row of :data:`WORKSPACE_LIST` as returned to callers; ``role``: the reader's S23 role, if asked for one."""
    return WorkspaceInfo(
        id=row.id,
        name=row.name,
        use_case_count=int(row.live_count or 0),
        updated_at=parse_iso(max(row.updated_at, row.last_edit or "")),
        role=role,
    )


def _insert_workspace(conn: Connection, workspace: Workspace, actor: str, action: str, detail: dict[str, Any]) -> str:
    """Store a new workspace, its use cases at version 1 and one audit row summarising it; returns its id."""
    workspace_id = uuid.uuid4().hex
    at = iso(now_utc())
    shown = actor_ref(conn, workspace_id, actor, at, pseudonymised=workspace.audit_pseudonymised).shown
    conn.execute(
        insert(workspaces_table).values(
            id=workspace_id,
            name=workspace.name,
            schema_version=workspace.schema_version,
            weights=workspace.weights.model_dump_json(),
            thresholds=workspace.thresholds.model_dump_json(),
            settings=settings_document(workspace),
            created_at=at,
            updated_at=at,
            updated_by=shown,
        )
    )
    if workspace.use_cases:
        conn.execute(
            insert(use_cases_table),
            [new_use_case_row(workspace_id, use_case, position, at, shown)
             for position, use_case in enumerate(workspace.use_cases)],
        )
    summary = {"name": workspace.name, "use_cases": len(workspace.use_cases), **detail}
    signer = actor_ref(conn, workspace_id, actor, at, pseudonymised=workspace.audit_pseudonymised)
    append_entries(conn, [entry_row(at, signer, workspace_id, None, action, None, None, audit_value(summary))])
    return workspace_id


def _settings_changes(row: Any, weights: ScoringWeights | None, thresholds: Thresholds | None,
                      settings: WorkspaceSettings | None) -> tuple[list[Change], dict[str, Any]]:
    """The changed numbers (audit paths, old, new) and the new column values of the parts given (None: kept)."""
    changes: list[Change] = []
    values: dict[str, Any] = {}
    if weights is not None:
        old = ScoringWeights.model_validate_json(row.weights)
        changes += [(f"weights.{path}", a, b) for path, a, b in diff_fields(old, weights)]
        values["weights"] = weights.model_dump_json()
    if thresholds is not None:
        old_thresholds = Thresholds.model_validate_json(row.thresholds)
        changes += [(f"thresholds.{path}", a, b) for path, a, b in diff_fields(old_thresholds, thresholds)]
        values["thresholds"] = thresholds.model_dump_json()
    if settings is not None:
        changes += diff_fields(stored_settings(row.settings), settings)
        values["settings"] = settings_document(settings)
    return changes, values


def write_settings(
    conn: Connection,
    row: Any,
    actor: str,
    at: str,
    weights: ScoringWeights | None,
    thresholds: Thresholds | None,
    action: str,
    settings: WorkspaceSettings | None = None,
) -> None:
    """Replace the weights, thresholds and/or settings of a ``workspaces`` row, one audit row per changed number
    (settings under their workspace JSON names, e.g. ``default_discount_rate_per_year``); nothing is written when
    no number changes."""
    changes, values = _settings_changes(row, weights, thresholds, settings)
    if not changes:
        return
    # The change that switches pseudonymised mode on is itself signed under the new rule, as is every later one.
    was_pseudonymised = stored_settings(row.settings).audit_pseudonymised
    pseudonymised = settings.audit_pseudonymised if settings is not None else was_pseudonymised
    signer = actor_ref(conn, row.id, actor, at, pseudonymised=pseudonymised)
    conn.execute(
        update(workspaces_table)
        .where(workspaces_table.c.id == row.id)
        .values(**values, updated_at=at, updated_by=signer.shown)
    )
    append_audit(conn, at, signer, row.id, None, action, changes)
    if pseudonymised != was_pseudonymised:
        forget_mode(conn, row.id)
    if pseudonymised and not was_pseudonymised:
        pseudonymise_workspace(conn, row.id, at)


class WorkspaceOps(StoreEngine):
    """Workspace-level operations; ``load`` comes from :class:`~core.store.use_cases.UseCaseOps` in the Store."""

    load: Callable[[str], LoadedWorkspace]

    def ensure_sample_workspace(self, path: Path | str | None = None) -> str | None:
        """Load the sample workspace once, on the very first start; returns its id then, else None.

        Nothing happens while the file is missing, so it still loads on the first start after it lands.
        """
        sample = Path(path) if path is not None else SAMPLE_WORKSPACE_PATH
        loaded_flag = select(store_meta_table.c.value).where(store_meta_table.c.key == "sample_loaded")
        with self._read() as conn:
            if conn.scalar(loaded_flag):
                return None
        if not sample.is_file():
            return None
        try:
            workspace = parse_workspace_json(sample.read_bytes())
        except ImportRejected as error:
            raise StoreError(f"{sample}: {error}") from None

        def work(conn: Connection) -> str | None:
            if conn.scalar(loaded_flag):
                return None
            workspace_id = None
            if not name_taken(conn, workspace.name):
                workspace_id = _insert_workspace(conn, workspace, SAMPLE_ACTOR, "load_sample", {})
            conn.execute(insert(store_meta_table).values(key="sample_loaded", value=iso(now_utc())))
            return workspace_id

        try:
            return self._write(work)
        except IntegrityError:
            return None

    def list_workspaces(self) -> list[WorkspaceInfo]:
        with self._read() as conn:
            rows = conn.execute(WORKSPACE_LIST).all()
        return [workspace_info(row) for row in rows]

    def workspace_id_by_name(self, name: str) -> str:
        with self._read() as conn:
            workspace_id = conn.scalar(select(workspaces_table.c.id).where(workspaces_table.c.name == name))
        if workspace_id is None:
            raise NotFoundError(f"no workspace named '{name}'")
        return workspace_id

    def create_workspace(self, workspace: Workspace, actor: str) -> str:
        """Store a new workspace with all its use cases at version 1; returns its id."""
        actor = check_actor(actor)
        return self._create(workspace, actor, "create_workspace", {})

    def _create(self, workspace: Workspace, actor: str, action: str, detail: dict[str, Any]) -> str:
        def work(conn: Connection) -> str:
            if name_taken(conn, workspace.name):
                raise StoreError(f"a workspace named '{workspace.name}' already exists")
            return _insert_workspace(conn, workspace, actor, action, detail)

        try:
            return self._write(work)
        except IntegrityError:
            raise StoreError(f"a workspace named '{workspace.name}' already exists") from None

    def rename_workspace(self, workspace_id: str, name: str, actor: str) -> None:
        actor, name = check_actor(actor), check_name(name)

        def work(conn: Connection) -> None:
            row = workspace_row(conn, workspace_id, lock=True)
            if row.name == name:
                return
            if name_taken(conn, name):
                raise StoreError(f"a workspace named '{name}' already exists")
            at = iso(now_utc())
            signer = actor_ref(conn, workspace_id, actor, at)
            conn.execute(
                update(workspaces_table)
                .where(workspaces_table.c.id == workspace_id)
                .values(name=name, updated_at=at, updated_by=signer.shown)
            )
            append_audit(conn, at, signer, workspace_id, None, "rename_workspace", [("name", row.name, name)])

        try:
            self._write(work)
        except IntegrityError:
            raise StoreError(f"a workspace named '{name}' already exists") from None

    def duplicate_workspace(self, workspace_id: str, new_name: str, actor: str) -> str:
        """Copy the live use cases and settings under a new name; the copy starts at version 1."""
        actor, new_name = check_actor(actor), check_name(new_name, "new_name")
        source = self.load(workspace_id).workspace
        copy = source.model_copy(update={"name": new_name})
        return self._create(copy, actor, "duplicate_workspace", {"source": source.name})

    def save_settings(
        self,
        workspace_id: str,
        actor: str,
        weights: ScoringWeights | None = None,
        thresholds: Thresholds | None = None,
        settings: WorkspaceSettings | None = None,
    ) -> None:
        """Replace the workspace's S3 weights, gate thresholds and/or settings (e.g. the S19 default discount
        rate); one audit row per changed number.

        Example: ``save_settings(workspace_id, "Fin", settings=WorkspaceSettings(default_discount_rate_per_year=0.1))``.
        """
        actor = check_actor(actor)

        def work(conn: Connection) -> None:
            row = workspace_row(conn, workspace_id, lock=True)
            write_settings(conn, row, actor, iso(now_utc()), weights, thresholds, "save_settings", settings)

        self._write(work)

    def workspace_settings(self, workspace_id: str) -> WorkspaceSettings:
        """The workspace's settings beyond weights and thresholds (e.g. the S19 default discount rate), read from
        its row alone, without its use cases: a slider step on the Business case page reads it."""
        with self._read() as conn:
            return stored_settings(workspace_row(conn, workspace_id).settings)

    def export_json(self, workspace_id: str) -> str:
        """The workspace as canonical JSON (see :func:`canonical_json`); export → import → export is byte-stable."""
        return canonical_json(self.load(workspace_id).workspace)

    def import_json(self, text: str | bytes, actor: str, name: str | None = None) -> str:
        """Validate everything first (:func:`parse_workspace_json`), then store as a new workspace; returns its id.

        ``name`` overrides the name in the file. A rejected import leaves the database untouched.
        """
        actor = check_actor(actor)
        workspace = parse_workspace_json(text)
        if name is not None:
            try:
                workspace = workspace.model_copy(update={"name": check_name(name)})
            except ValueError as error:
                raise ImportRejected([str(error)]) from None
        try:
            return self._create(workspace, actor, "import_workspace", {})
        except StoreError as error:
            raise ImportRejected([f"name: {error}; import it under another name"]) from None
