"""Use cases: load a workspace's live ones, get, save with optimistic concurrency, delete and restore, and
apply a batch of field edits.

Each use case is one row holding its JSON document (:func:`~core.store.documents.use_case_document`) and an
integer ``version``; a save names the version it was based on and fails with :class:`ConflictError` when
someone else saved first. Validated use cases are cached by (workspace, use case, version): a committed
version never changes, so a cache entry cannot go stale.
"""

from __future__ import annotations

import gc
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from core.models import (
    ScoringWeights,
    Thresholds,
    UseCase,
    Workspace,
    diff_fields,
    marked_scored,
    merge_three_way,
    with_values,
)
from core.store.actors import shown_actor
from core.store.audit import Change, append_audit
from core.store.dependencies import check_needs_live, check_not_needed
from core.store.documents import use_case_document, validation_messages
from core.store.engine import StoreEngine
from core.store.errors import ConflictError, ImportRejected, NotFoundError, StoreError
from core.store.records import DeletedUseCase, LoadedWorkspace
from core.store.rows import use_case_row, workspace_row
from core.store.schema import save_requests_table, use_cases_table
from core.store.values import check_actor, iso, now_utc, parse_iso, stored_settings

_use_case_array: TypeAdapter[tuple[UseCase, ...]] = TypeAdapter(tuple[UseCase, ...])
_DOCUMENTS_PER_QUERY = 500


class UseCaseCache:
    """Validated, immutable use cases keyed by (workspace id, use case id, version): a version never changes
    content once committed, so an entry can never go stale."""

    def __init__(self, capacity: int = 50_000) -> None:
        self._capacity = capacity
        self._items: OrderedDict[tuple[str, str, int], UseCase] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, workspace_id: str, use_case_id: str, version: int) -> UseCase | None:
        key = (workspace_id, use_case_id, version)
        with self._lock:
            use_case = self._items.get(key)
            if use_case is not None:
                self._items.move_to_end(key)
            return use_case

    def put(self, workspace_id: str, use_case_id: str, version: int, use_case: UseCase) -> None:
        with self._lock:
            self._items[(workspace_id, use_case_id, version)] = use_case
            self._items.move_to_end((workspace_id, use_case_id, version))
            while len(self._items) > self._capacity:
                self._items.popitem(last=False)


@contextmanager
def _long_lived_allocation() -> Iterator[None]:
    """Keep Python's cycle collector out of a bulk load that allocates ~60,000 model objects per 1,000
    use cases. They form trees, not cycles, and stay in the store's cache for the life of the process,
    so collecting them is pure cost: during the load the collector would walk the heap every few hundred
    allocations, and right after it a full collection would walk them all again (≈110 ms → ≈250 ms for
    1,000 use cases). The collector is paused while they are built and they are then frozen (moved to
    the permanent generation, which collections skip)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


def new_use_case_row(workspace_id: str, use_case: UseCase, position: int, at: str, actor: str) -> dict[str, Any]:
    """The column values of a use case stored for the first time: version 1, live, at ``position``."""
    return {
        "workspace_id": workspace_id,
        "use_case_id": use_case.id,
        "position": position,
        "document": use_case_document(use_case),
        "version": 1,
        "deleted": False,
        "updated_at": at,
        "updated_by": actor,
    }


def update_use_case_row(
    conn: Connection,
    workspace_id: str,
    row: Any,
    use_case: UseCase,
    at: str,
    actor: str,
    deleted: bool | None = None,
) -> int:
    """Write ``use_case`` as the row's next version, only if the row is still at ``row.version``; returns the
    new version, or raises :class:`ConflictError` naming whoever changed it in between."""
    values: dict[str, Any] = {
        "document": use_case_document(use_case),
        "version": row.version + 1,
        "updated_at": at,
        "updated_by": shown_actor(conn, workspace_id, actor, at),
    }
    if deleted is not None:
        values["deleted"] = deleted
    result = conn.execute(
        update(use_cases_table)
        .where(
            use_cases_table.c.workspace_id == workspace_id,
            use_cases_table.c.use_case_id == row.use_case_id,
            use_cases_table.c.version == row.version,
        )
        .values(**values)
    )
    if result.rowcount != 1:
        current = use_case_row(conn, workspace_id, row.use_case_id)
        raise ConflictError(row.use_case_id, current.updated_by, parse_iso(current.updated_at), current.version)
    return row.version + 1


def _insert_use_case(
    conn: Connection, workspace_id: str, use_case: UseCase, expected_version: int | None, at: str, actor: str
) -> list[Change]:
    """Store a new use case after the others at version 1; returns its fields as audit changes."""
    if expected_version is not None:
        raise NotFoundError(f"no use case '{use_case.id}' in this workspace (expected version {expected_version})")
    position = conn.scalar(
        select(func.coalesce(func.max(use_cases_table.c.position), -1) + 1).where(
            use_cases_table.c.workspace_id == workspace_id
        )
    )
    shown = shown_actor(conn, workspace_id, actor, at)
    conn.execute(insert(use_cases_table).values(**new_use_case_row(workspace_id, use_case, position, at, shown)))
    return diff_fields(None, use_case)


def _earlier_save(conn: Connection, idempotency_key: str) -> int | None:
    return conn.scalar(
        select(save_requests_table.c.version).where(save_requests_table.c.idempotency_key == idempotency_key)
    )


def _record_save_request(
    conn: Connection, idempotency_key: str, workspace_id: str, use_case_id: str, version: int, at: str
) -> None:
    conn.execute(
        insert(save_requests_table).values(
            idempotency_key=idempotency_key, workspace_id=workspace_id,
            use_case_id=use_case_id, version=version, at=at,
        )
    )


def _apply_edits(
    conn: Connection,
    workspace_id: str,
    use_case_id: str,
    edits: dict[str, Any],
    expected_version: int | None,
    moment: datetime,
    actor: str,
) -> None:
    """One use case's share of :meth:`UseCaseOps.apply_changes`: version check, validated edit, update, audit."""
    row = use_case_row(conn, workspace_id, use_case_id, lock=True)
    if row is None or row.deleted:
        raise NotFoundError(f"no use case '{use_case_id}' in this workspace")
    if row.version != expected_version:
        raise ConflictError(use_case_id, row.updated_by, parse_iso(row.updated_at), row.version)
    old = UseCase.model_validate_json(row.document)
    try:
        new = with_values(old, {**edits, "updated_at": moment.replace(microsecond=0)})
    except ValidationError as error:
        raise ImportRejected(validation_messages(error, prefix=use_case_id)) from None
    except (ValueError, IndexError, KeyError, TypeError) as error:
        raise ImportRejected([f"{use_case_id}: {error}"]) from None
    new = marked_scored(old, new)
    field_changes = diff_fields(old, new)
    if field_changes:
        at = iso(moment)
        update_use_case_row(conn, workspace_id, row, new, at, actor)
        append_audit(conn, at, actor, workspace_id, use_case_id, "apply_changes", field_changes)


def _documents(conn: Connection, workspace_id: str, use_case_ids: list[str]) -> dict[str, str]:
    """The stored documents of these use cases, by id, fetched a few hundred per query."""
    documents: dict[str, str] = {}
    for start in range(0, len(use_case_ids), _DOCUMENTS_PER_QUERY):
        documents.update((row.use_case_id, row.document) for row in conn.execute(
            select(use_cases_table.c.use_case_id, use_cases_table.c.document).where(
                use_cases_table.c.workspace_id == workspace_id,
                use_cases_table.c.use_case_id.in_(use_case_ids[start:start + _DOCUMENTS_PER_QUERY]),
            )
        ).all())
    return documents


def _all_documents(conn: Connection, workspace_id: str, use_case_ids: list[str]) -> dict[str, str]:
    """The documents of every live use case of the workspace in one query (a cold load), in the order of
    ``use_case_ids``; a row that appeared since the heads were read is left out."""
    rows = dict(conn.execute(select(use_cases_table.c.use_case_id, use_cases_table.c.document).where(
        use_cases_table.c.workspace_id == workspace_id, use_cases_table.c.deleted.is_(False))).all())
    return {use_case_id: rows[use_case_id] for use_case_id in use_case_ids if use_case_id in rows}


def _parse_use_cases(workspace_name: str, documents: dict[str, str]) -> dict[str, UseCase]:
    if not documents:
        return {}
    # One JSON array through pydantic's core is much faster than one model_validate_json call per row.
    array = f"[{','.join(documents.values())}]"
    try:
        use_cases = _use_case_array.validate_json(array)
    except ValidationError as error:
        raise StoreError(f"stored workspace '{workspace_name}' no longer validates: "
                         f"{validation_messages(error)[0]}") from None
    return dict(zip(documents, use_cases, strict=True))


def _workspace(row: Any, use_cases: list[UseCase]) -> Workspace:
    """The workspace of a ``workspaces`` row with these use cases; :class:`StoreError` if it no longer validates."""
    try:
        return Workspace.of_validated_use_cases(
            use_cases,
            name=row.name,
            schema_version=row.schema_version,
            weights=ScoringWeights.model_validate_json(row.weights),
            thresholds=Thresholds.model_validate_json(row.thresholds),
            **dict(stored_settings(row.settings)),
        )
    except ValidationError as error:
        raise StoreError(f"stored workspace '{row.name}' no longer validates: "
                         f"{validation_messages(error)[0]}") from None
    except ValueError as error:
        raise StoreError(f"stored workspace '{row.name}' no longer validates: {error}") from None


class UseCaseOps(StoreEngine):
    """Reading and writing use cases; :class:`~core.store.Store` creates ``_cache``."""

    _cache: UseCaseCache

    def load(self, workspace_id: str) -> LoadedWorkspace:
        """The workspace with its live use cases (in creation order) and their versions.

        Validated use cases are cached per (workspace, use case, version); only changed rows are parsed again.
        """
        with _long_lived_allocation():
            return self._load(workspace_id)

    def _load(self, workspace_id: str) -> LoadedWorkspace:
        with self._read() as conn:
            row = workspace_row(conn, workspace_id)
            heads = conn.execute(
                select(use_cases_table.c.use_case_id, use_cases_table.c.version)
                .where(use_cases_table.c.workspace_id == workspace_id, use_cases_table.c.deleted.is_(False))
                .order_by(use_cases_table.c.position)
            ).all()
            cached = {head.use_case_id: self._cache.get(workspace_id, *head) for head in heads}
            missing = [use_case_id for use_case_id, use_case in cached.items() if use_case is None]
            documents = (_all_documents(conn, workspace_id, missing) if len(missing) == len(heads)
                         else _documents(conn, workspace_id, missing))
        parsed = _parse_use_cases(row.name, documents)
        use_cases = []
        for use_case_id, version in heads:
            use_case = cached[use_case_id] or parsed[use_case_id]
            self._cache.put(workspace_id, use_case_id, version, use_case)
            use_cases.append(use_case)
        versions = {head.use_case_id: head.version for head in heads}
        return LoadedWorkspace(id=workspace_id, workspace=_workspace(row, use_cases), versions=versions)

    def get_use_case(self, workspace_id: str, use_case_id: str) -> tuple[UseCase, int]:
        """One live use case and its version, without loading the whole workspace."""
        with self._read() as conn:
            row = use_case_row(conn, workspace_id, use_case_id)
        if row is None or row.deleted:
            raise NotFoundError(f"no use case '{use_case_id}' in this workspace")
        return self._parsed(workspace_id, row), row.version

    def _parsed(self, workspace_id: str, row: Any) -> UseCase:
        """The row's use case, from the cache when this version was parsed or saved before."""
        use_case = self._cache.get(workspace_id, row.use_case_id, row.version)
        if use_case is None:
            use_case = UseCase.model_validate_json(row.document)
            self._cache.put(workspace_id, row.use_case_id, row.version, use_case)
        return use_case

    def seen_use_case(self, workspace_id: str, use_case_id: str, version: int) -> UseCase | None:
        """The use case as it was at ``version``, when this process still holds that version (None otherwise):
        the base an edit is made on, so that its save changes only the fields the person edited."""
        return self._cache.get(workspace_id, use_case_id, version)

    def save_use_case(
        self,
        workspace_id: str,
        use_case: UseCase,
        expected_version: int | None,
        actor: str,
        idempotency_key: str | None = None,
    ) -> int:
        """Save one use case in one transaction; returns its new version.

        ``expected_version`` None creates a new use case; at a stale version the edit is merged with what was
        saved since (different fields both stay) and a same-field edit raises :class:`ConflictError` naming who
        changed it, when, and the fields. One audit row per changed field path. Re-submitting the same
        ``idempotency_key`` writes nothing and returns the version of the first submission.
        A save without any field change writes nothing and returns the current version.
        """
        actor = check_actor(actor)
        try:
            version, saved = self._write(
                lambda conn: self._save(conn, workspace_id, use_case, expected_version, actor, idempotency_key)
            )
        except IntegrityError:
            # PostgreSQL only: a concurrent transaction inserted the same use case id or idempotency key first.
            return self._after_lost_race(workspace_id, use_case.id, idempotency_key)
        if saved is not None:
            self._cache.put(workspace_id, use_case.id, version, saved)
        return version

    def _save(
        self,
        conn: Connection,
        workspace_id: str,
        use_case: UseCase,
        expected_version: int | None,
        actor: str,
        idempotency_key: str | None,
    ) -> tuple[int, UseCase | None]:
        """The transaction of :meth:`save_use_case`: the version saved, and the use case to cache (None if
        nothing was written)."""
        workspace_row(conn, workspace_id)
        row = use_case_row(conn, workspace_id, use_case.id, lock=True)
        if idempotency_key is not None:
            earlier = _earlier_save(conn, idempotency_key)
            if earlier is not None:
                return earlier, None
        moment = now_utc()
        at = iso(moment)
        stamped = use_case.model_copy(update={"updated_at": moment.replace(microsecond=0)})
        if row is None:
            check_needs_live(conn, workspace_id, stamped)
            changes = _insert_use_case(conn, workspace_id, stamped, expected_version, at, actor)
            new_version, action = 1, "create_use_case"
        else:
            if not stamped.scored and not row.deleted:
                stamped = marked_scored(self._parsed(workspace_id, row), stamped)
            stamped, changes = self._changes_to_save(workspace_id, row, stamped, expected_version)
            if not changes:
                return row.version, None
            check_needs_live(conn, workspace_id, stamped, known=self._parsed(workspace_id, row).needs)
            new_version, action = update_use_case_row(conn, workspace_id, row, stamped, at, actor), "update_use_case"
        append_audit(conn, at, actor, workspace_id, use_case.id, action, changes, idempotency_key)
        if idempotency_key is not None:
            _record_save_request(conn, idempotency_key, workspace_id, use_case.id, new_version, at)
        return new_version, stamped

    def _changes_to_save(
        self, workspace_id: str, row: Any, use_case: UseCase, expected_version: int | None
    ) -> tuple[UseCase, list[Change]]:
        """What to write over the stored row and its field changes, once the row is live; else
        :class:`ConflictError`.

        At a stale ``expected_version`` the edit is merged three ways (:func:`merge_three_way`) with the version
        the saver saw, taken from the cache of parsed versions: edits of different fields both stay, while the
        same field changed by both, or a seen version no longer cached (another server process), is refused
        naming the fields.
        """
        if row.deleted:
            raise ConflictError(use_case.id, row.updated_by, parse_iso(row.updated_at), row.version,
                                reason="was deleted")
        if expected_version is None:
            raise ConflictError(use_case.id, row.updated_by, parse_iso(row.updated_at), row.version,
                                reason="already exists; it was last changed")
        stored = self._parsed(workspace_id, row)
        if row.version != expected_version:
            base = self._cache.get(workspace_id, use_case.id, expected_version)
            merged, conflicts = merge_three_way(base, stored, use_case) if base is not None else (None, ())
            if merged is None:
                raise ConflictError(use_case.id, row.updated_by, parse_iso(row.updated_at), row.version,
                                    fields=conflicts)
            use_case = merged.model_copy(update={"updated_at": use_case.updated_at})
        return use_case, diff_fields(stored, use_case)

    def _after_lost_race(self, workspace_id: str, use_case_id: str, idempotency_key: str | None) -> int:
        with self._read() as conn:
            if idempotency_key is not None:
                earlier = _earlier_save(conn, idempotency_key)
                if earlier is not None:
                    return earlier
            row = use_case_row(conn, workspace_id, use_case_id)
        if row is None:
            raise StoreError(f"use case '{use_case_id}' could not be saved; please try again")
        raise ConflictError(use_case_id, row.updated_by, parse_iso(row.updated_at), row.version)

    def _set_deleted(self, workspace_id: str, use_case_id: str, actor: str, deleted: bool) -> int:
        actor = check_actor(actor)

        def work(conn: Connection) -> int:
            workspace_row(conn, workspace_id)
            row = use_case_row(conn, workspace_id, use_case_id, lock=True)
            if row is None:
                raise NotFoundError(f"no use case '{use_case_id}' in this workspace")
            if row.deleted == deleted:
                return row.version
            use_case = UseCase.model_validate_json(row.document)
            if deleted:
                check_not_needed(conn, workspace_id, use_case_id)
            else:
                check_needs_live(conn, workspace_id, use_case)
            at = iso(now_utc())
            version = update_use_case_row(conn, workspace_id, row, use_case, at, actor, deleted=deleted)
            action = "delete_use_case" if deleted else "restore_use_case"
            append_audit(conn, at, actor, workspace_id, use_case_id, action, [("deleted", not deleted, deleted)])
            return version

        return self._write(work)

    def delete_use_case(self, workspace_id: str, use_case_id: str, actor: str) -> int:
        """Soft delete (restorable, audited); returns the new version."""
        return self._set_deleted(workspace_id, use_case_id, actor, deleted=True)

    def restore_use_case(self, workspace_id: str, use_case_id: str, actor: str) -> int:
        """Bring a soft-deleted use case back (audited); returns the new version."""
        return self._set_deleted(workspace_id, use_case_id, actor, deleted=False)

    def list_deleted(self, workspace_id: str) -> list[DeletedUseCase]:
        with self._read() as conn:
            workspace_row(conn, workspace_id)
            rows = conn.execute(
                select(use_cases_table)
                .where(use_cases_table.c.workspace_id == workspace_id, use_cases_table.c.deleted.is_(True))
                .order_by(use_cases_table.c.updated_at.desc())
            ).all()
        deleted = []
        for row in rows:
            use_case = UseCase.model_validate_json(row.document)
            deleted.append(DeletedUseCase(
                id=row.use_case_id, name=use_case.name, deleted_at=parse_iso(row.updated_at),
                deleted_by=row.updated_by, version=row.version, use_case=use_case,
            ))
        return deleted

    def apply_changes(
        self,
        workspace_id: str,
        changes: Sequence[tuple[str, str, Any]],
        expected_versions: dict[str, int],
        actor: str,
    ) -> None:
        """Apply ``(use_case_id, dotted field path, new value)`` edits in one transaction (Excel pack import).

        Every touched use case must still be at ``expected_versions[id]`` (else :class:`ConflictError`);
        an invalid value raises :class:`ImportRejected` naming ``use_case_id.field.path``; either way
        nothing is written.
        """
        actor = check_actor(actor)
        grouped: dict[str, dict[str, Any]] = {}
        for use_case_id, field_path, value in changes:
            grouped.setdefault(use_case_id, {})[field_path] = value

        def work(conn: Connection) -> None:
            workspace_row(conn, workspace_id)
            moment = now_utc()
            for use_case_id in sorted(grouped):
                edits, expected = grouped[use_case_id], expected_versions.get(use_case_id)
                _apply_edits(conn, workspace_id, use_case_id, edits, expected, moment, actor)

        self._write(work)
