"""Workspaces that never lose a workshop's work: persistence, audit trail, snapshots (S18, S11 audit spirit).

SQLAlchemy Core over SQLite (default ``data/workbench.db``) or PostgreSQL (``postgresql+psycopg://…``).
Each use case is one row holding the JSON document of :class:`core.models.UseCase` plus an integer
``version`` for optimistic concurrency; every save is one transaction that also appends one audit row per
changed field path. The database itself refuses UPDATE and DELETE on ``audit_log``.

Example::

    store = Store("sqlite:///data/workbench.db")
    workspace_id = store.import_json(Path("workspace.json").read_text(), actor="Ada")
    loaded = store.load(workspace_id)
    use_case = with_value(loaded.workspace.use_cases[0], "roi.adoption", 0.5)
    store.save_use_case(workspace_id, use_case, loaded.versions[use_case.id], actor="Ada")
"""

from __future__ import annotations

import csv
import gc
import io
import json
import os
import re
import sqlite3
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, is_dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from pydantic import TypeAdapter, ValidationError
from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError
from sqlalchemy.sql import Select

from core.models import (
    SCHEMA_VERSION,
    Name,
    ScoringWeights,
    Thresholds,
    UseCase,
    Workspace,
    diff_fields,
    with_values,
)

ROOT = Path(__file__).resolve().parents[1]
DATABASE_URL_ENV = "WORKBENCH_DATABASE_URL"
DEFAULT_DATABASE_PATH = ROOT / "data" / "workbench.db"
DEFAULT_DATABASE_URL = f"sqlite:///{DEFAULT_DATABASE_PATH}"
SAMPLE_WORKSPACE_PATH = ROOT / "sample_data" / "workspace.json"
SAMPLE_ACTOR = "sample data"

DATABASE_SCHEMA_VERSION = 1
MAX_IMPORT_BYTES = 20 * 1024 * 1024
MAX_IMPORT_DEPTH = 32
MAX_REPORTED_ERRORS = 50
MAX_ACTOR_LENGTH = 200
BUSY_TIMEOUT_S = 30.0
WRITE_ATTEMPTS = 8

T = TypeVar("T")


class StoreError(Exception):
    """Any failure of the store that a user can act on; the message is one readable line."""


def _shown_url(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(not a database URL)"


def _reason(error: BaseException) -> str:
    if isinstance(error, DBAPIError):
        return str(error.orig).splitlines()[0] if error.orig is not None else type(error).__name__
    if isinstance(error, OSError):
        return error.strerror or type(error).__name__
    return str(error).splitlines()[0]


class NotFoundError(StoreError):
    """A workspace, use case or snapshot that does not exist."""


class ConflictError(StoreError):
    """A save carried a stale version: someone else changed the use case first; reload and re-apply."""

    def __init__(
        self,
        use_case_id: str,
        changed_by: str,
        changed_at: datetime,
        current_version: int,
        reason: str | None = None,
    ) -> None:
        self.use_case_id = use_case_id
        self.changed_by = changed_by
        self.changed_at = changed_at
        self.current_version = current_version
        when = changed_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        detail = reason or "was changed"
        super().__init__(
            f"use case '{use_case_id}' {detail} by {changed_by} at {when} (now version {current_version}); "
            "reload it and apply your edit again"
        )


class ImportRejected(StoreError):
    """An import that failed validation; ``errors`` holds one "json.path: message" per problem."""

    def __init__(self, errors: Sequence[str]) -> None:
        self.errors = list(errors)
        shown = "; ".join(self.errors[:5])
        more = f" (and {len(self.errors) - 5} more)" if len(self.errors) > 5 else ""
        super().__init__(f"import rejected: {shown}{more}")


@dataclass(frozen=True)
class WorkspaceInfo:
    id: str
    name: str
    use_case_count: int
    updated_at: datetime


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


metadata = MetaData()

workspaces_table = Table(
    "workspaces",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("schema_version", Integer, nullable=False),
    Column("weights", Text, nullable=False),
    Column("thresholds", Text, nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
    Column("updated_by", String(MAX_ACTOR_LENGTH), nullable=False),
)

use_cases_table = Table(
    "use_cases",
    metadata,
    Column("workspace_id", String(32), ForeignKey("workspaces.id"), primary_key=True),
    Column("use_case_id", String(64), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("document", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("deleted", Boolean, nullable=False),
    Column("updated_at", String(40), nullable=False),
    Column("updated_by", String(MAX_ACTOR_LENGTH), nullable=False),
)

audit_log_table = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", String(40), nullable=False),
    Column("actor", String(MAX_ACTOR_LENGTH), nullable=False),
    Column("workspace_id", String(32), nullable=False),
    Column("use_case_id", String(64)),
    Column("action", String(40), nullable=False),
    Column("field_path", Text),
    Column("old_value", Text),
    Column("new_value", Text),
    Column("idempotency_key", String(200)),
    UniqueConstraint("idempotency_key", "field_path", name="uq_audit_log_idempotency"),
    Index("ix_audit_log_workspace", "workspace_id", "use_case_id", "id"),
    sqlite_autoincrement=True,
)

save_requests_table = Table(
    "save_requests",
    metadata,
    Column("idempotency_key", String(200), primary_key=True),
    Column("workspace_id", String(32), nullable=False),
    Column("use_case_id", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("at", String(40), nullable=False),
)

snapshots_table = Table(
    "snapshots",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("workspace_id", String(32), ForeignKey("workspaces.id"), nullable=False),
    Column("label", String(200), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("actor", String(MAX_ACTOR_LENGTH), nullable=False),
    Column("document", Text, nullable=False),
    UniqueConstraint("workspace_id", "label", name="uq_snapshots_label"),
)

store_meta_table = Table(
    "store_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

schema_version_table = Table(
    "schema_version",
    MetaData(),
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("applied_at", String(40), nullable=False),
)


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
_WORKSPACE_LIST = _workspace_list_query()


_SQLITE_AUDIT_TRIGGERS = (
    "CREATE TRIGGER IF NOT EXISTS audit_log_refuse_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE refused'); END",
    "CREATE TRIGGER IF NOT EXISTS audit_log_refuse_delete BEFORE DELETE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: DELETE refused'); END",
)
_POSTGRES_AUDIT_TRIGGERS = (
    "CREATE OR REPLACE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN RAISE EXCEPTION 'audit_log is append-only: UPDATE, DELETE and TRUNCATE are refused'; END $$",
    "CREATE TRIGGER audit_log_refuse_update_delete BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change()",
    "CREATE TRIGGER audit_log_refuse_truncate BEFORE TRUNCATE ON audit_log "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change()",
)
# Serialises concurrent first starts of several app instances against one PostgreSQL database.
_MIGRATION_LOCK_ID = 7_220_113


def _migration_1(conn: Connection) -> None:
    metadata.create_all(conn)
    triggers = _SQLITE_AUDIT_TRIGGERS if conn.dialect.name == "sqlite" else _POSTGRES_AUDIT_TRIGGERS
    for statement in triggers:
        conn.exec_driver_sql(statement)


_MIGRATIONS: dict[int, Callable[[Connection], None]] = {1: _migration_1}

_name_adapter: TypeAdapter[str] = TypeAdapter(Name)
_use_case_array: TypeAdapter[tuple[UseCase, ...]] = TypeAdapter(tuple[UseCase, ...])
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, allow_nan=False, default=str)


def _json_or_none(value: Any) -> str | None:
    return None if value is None else _json(value)


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


ALWAYS_STORED_FIELDS = ("created_at", "updated_at")


def use_case_document(use_case: UseCase) -> str:
    """The row document of a use case: fields equal to their default are left out, which makes validating a
    1,000-use-case workspace about a third faster on load. The timestamps always stay, because their default
    is "now". Changing a model default therefore needs a migration that writes the old default into stored
    documents first. Exports use :func:`canonical_json`, which is always complete.
    """
    data = use_case.model_dump(mode="json", exclude_defaults=True)
    full = use_case.model_dump(mode="json", include=set(ALWAYS_STORED_FIELDS))
    data.update(full)
    return json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def canonical_json(workspace: Workspace) -> str:
    """The byte-stable export form of a workspace: sorted keys, two-space indent, trailing newline."""
    return json.dumps(workspace.model_dump(mode="json"), sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def _check_actor(actor: str) -> str:
    if not isinstance(actor, str) or not actor.strip():
        raise ValueError("actor: a display name is required for the audit trail")
    if len(actor) > MAX_ACTOR_LENGTH:
        raise ValueError(f"actor: at most {MAX_ACTOR_LENGTH} characters")
    return actor.strip()


def _check_name(name: str, field: str = "name") -> str:
    try:
        return _name_adapter.validate_python(name)
    except ValidationError as error:
        raise ValueError(f"{field}: {error.errors()[0]['msg']}") from None


def _json_path(location: Sequence[str | int]) -> str:
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "$"


def validation_messages(error: ValidationError, prefix: str = "") -> list[str]:
    """pydantic errors as "json.path: message", e.g. ``use_cases[3].roi.adoption: Input should be ≤ 1``."""
    messages = []
    for item in error.errors(include_url=False, include_input=False):
        path = _json_path(item["loc"])
        if prefix:
            path = prefix if path == "$" else f"{prefix}.{path}"
        message = item["msg"].removeprefix("Value error, ")
        messages.append(f"{path}: {message}")
    return messages


def _nesting_depth(text: str) -> int:
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text))
    if not brackets:
        return 0
    codes = np.frombuffer(brackets.encode("ascii"), dtype=np.uint8)
    steps = np.where((codes == ord("[")) | (codes == ord("{")), 1, -1)
    return int(np.cumsum(steps).max())


def parse_workspace_json(data: str | bytes) -> Workspace:
    """Validate a workspace JSON document completely, or raise :class:`ImportRejected` listing every problem.

    Checks, in order: size (≤ 20 MB), nesting depth (≤ 32), JSON syntax (line and column), duplicate
    keys, a newer ``schema_version``, then every model rule with its JSON path.
    """
    size = len(data) if isinstance(data, bytes) else len(data.encode("utf-8", "surrogatepass"))
    if size > MAX_IMPORT_BYTES:
        limit = MAX_IMPORT_BYTES / 2**20
        raise ImportRejected([f"$: the file has {size / 2**20:.1f} MiB; the limit is {limit:.0f} MiB"])
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ImportRejected([f"$: not UTF-8 text (byte {error.start})"]) from None
    depth = _nesting_depth(data)
    if depth > MAX_IMPORT_DEPTH:
        raise ImportRejected([f"$: nested {depth} levels deep; a workspace needs at most {MAX_IMPORT_DEPTH}"])
    duplicates: list[str] = []

    def reject_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in pairs:
            if key in result:
                duplicates.append(key)
            result[key] = value
        return result

    try:
        document = json.loads(data, object_pairs_hook=reject_duplicate_keys)
    except json.JSONDecodeError as error:
        raise ImportRejected([f"$: invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}"]) from None
    except RecursionError:
        raise ImportRejected([f"$: nested too deeply; a workspace needs at most {MAX_IMPORT_DEPTH} levels"]) from None
    if duplicates:
        raise ImportRejected([f"$: duplicate key '{key}' in one object" for key in sorted(set(duplicates))])
    if not isinstance(document, dict):
        raise ImportRejected([f"$: expected a JSON object (a workspace), got {type(document).__name__}"])
    version = document.get("schema_version")
    if isinstance(version, int) and not isinstance(version, bool) and version > SCHEMA_VERSION:
        raise ImportRejected([
            f"schema_version: the file has schema_version {version}, newer than this workbench understands "
            f"(up to {SCHEMA_VERSION}); update the workbench to import it"
        ])
    try:
        return Workspace.model_validate(document)
    except ValidationError as error:
        messages = validation_messages(error)
        if len(messages) > MAX_REPORTED_ERRORS:
            messages = [*messages[:MAX_REPORTED_ERRORS], f"$: … and {len(messages) - MAX_REPORTED_ERRORS} more"]
        raise ImportRejected(messages) from None


def _is_transient(error: DBAPIError) -> bool:
    original = error.orig
    if isinstance(original, sqlite3.OperationalError):
        text = str(original).lower()
        return "locked" in text or "busy" in text
    return getattr(original, "sqlstate", None) in {"40001", "40P01"}


def _gate_check_json(check: Any) -> Any:
    if isinstance(check, str):
        return check
    if is_dataclass(check) and not isinstance(check, type):
        return {key: value for key, value in asdict(check).items() if key != "passed"}
    if hasattr(check, "model_dump"):
        return check.model_dump(mode="json")
    return str(check)


def _csv_cell(value: Any) -> Any:
    # Spreadsheet apps run cells that start like a formula; auditors open these files in Excel.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@") and not re.fullmatch(r"[-+]?[\d.eE+-]+", value):
        return "'" + value
    return value


class _UseCaseCache:
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


class Store:
    """The workbench's persistence (S18): workspaces, use cases with versions, audit trail, snapshots.

    ``url`` None → env ``WORKBENCH_DATABASE_URL``, else SQLite at ``data/workbench.db`` in the repository.
    Creates the database and its tables on first use; safe for many threads and several processes.
    """

    def __init__(self, url: str | None = None) -> None:
        self.url = url or os.environ.get(DATABASE_URL_ENV) or DEFAULT_DATABASE_URL
        try:
            self._engine = self._create_engine(self.url)
            self._writer = self._engine.execution_options(workbench_write=True)
            self._cache = _UseCaseCache()
            self._migrate()
        except (OSError, ArgumentError, DBAPIError) as error:
            raise StoreError(f"the database {_shown_url(self.url)} cannot be opened: {_reason(error)}") from error

    @property
    def dialect(self) -> str:
        return self._engine.dialect.name

    def dispose(self) -> None:
        """Close pooled connections (before forking, or at shutdown)."""
        self._engine.dispose()

    @staticmethod
    def _create_engine(url: str) -> Engine:
        parsed = make_url(url)
        if parsed.get_backend_name() != "sqlite":
            return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=25)
        database = parsed.database or ""
        is_file = database not in ("", ":memory:") and not database.startswith("file:")
        if is_file:
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        pool_options: dict[str, Any] = {"pool_size": 5, "max_overflow": 25} if is_file else {}
        engine = create_engine(
            url, connect_args={"timeout": BUSY_TIMEOUT_S, "check_same_thread": False}, **pool_options
        )

        @event.listens_for(engine, "connect")
        def _configure(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
            # pysqlite's own BEGIN handling is switched off so that the "begin" hook below decides the mode.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = FULL")
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:
            # Writers take the write lock up front, so two writers never deadlock on a lock upgrade.
            write = conn.get_execution_options().get("workbench_write", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine

    def _write(self, work: Callable[[Connection], T]) -> T:
        for attempt in range(WRITE_ATTEMPTS):
            try:
                with self._writer.begin() as conn:
                    return work(conn)
            except DBAPIError as error:
                if not _is_transient(error):
                    raise
                if attempt == WRITE_ATTEMPTS - 1:
                    raise StoreError("the database stayed busy; please try again") from error
                time.sleep(0.01 * (attempt + 1))
        raise StoreError("the database stayed busy; please try again")

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self._engine.connect() as conn:
            if self.dialect == "postgresql":
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                yield conn

    def _migrate(self) -> None:
        def work(conn: Connection) -> None:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK_ID})")
            schema_version_table.create(conn, checkfirst=True)
            current = conn.scalar(select(func.max(schema_version_table.c.version))) or 0
            if current > DATABASE_SCHEMA_VERSION:
                raise StoreError(
                    f"the database has schema version {current}, newer than this workbench "
                    f"({DATABASE_SCHEMA_VERSION}); update the workbench"
                )
            for version in range(current + 1, DATABASE_SCHEMA_VERSION + 1):
                _MIGRATIONS[version](conn)
                conn.execute(insert(schema_version_table).values(version=version, applied_at=_iso(_now())))

        self._write(work)

    def schema_version(self) -> int:
        with self._read() as conn:
            return int(conn.scalar(select(func.max(schema_version_table.c.version))) or 0)

    # Workspaces

    def ensure_sample_workspace(self, path: Path | str | None = None) -> str | None:
        """Load the sample workspace once, on the very first start; returns its id then, else None.

        Nothing happens while the file is missing, so it still loads on the first start after it lands.
        """
        sample = Path(path) if path is not None else SAMPLE_WORKSPACE_PATH
        with self._read() as conn:
            if conn.scalar(select(store_meta_table.c.value).where(store_meta_table.c.key == "sample_loaded")):
                return None
        if not sample.is_file():
            return None
        try:
            workspace = parse_workspace_json(sample.read_bytes())
        except ImportRejected as error:
            raise StoreError(f"{sample}: {error}") from None

        def work(conn: Connection) -> str | None:
            flag = select(store_meta_table.c.value).where(store_meta_table.c.key == "sample_loaded")
            if conn.scalar(flag):
                return None
            workspace_id = None
            if not self._name_taken(conn, workspace.name):
                workspace_id = self._insert_workspace(conn, workspace, SAMPLE_ACTOR, "load_sample", {})
            conn.execute(insert(store_meta_table).values(key="sample_loaded", value=_iso(_now())))
            return workspace_id

        try:
            return self._write(work)
        except IntegrityError:
            return None

    def list_workspaces(self) -> list[WorkspaceInfo]:
        with self._read() as conn:
            rows = conn.execute(_WORKSPACE_LIST).all()
        return [
            WorkspaceInfo(
                id=row.id,
                name=row.name,
                use_case_count=int(row.live_count or 0),
                updated_at=_parse_time(max(row.updated_at, row.last_edit or "")),
            )
            for row in rows
        ]

    def workspace_id_by_name(self, name: str) -> str:
        with self._read() as conn:
            workspace_id = conn.scalar(select(workspaces_table.c.id).where(workspaces_table.c.name == name))
        if workspace_id is None:
            raise NotFoundError(f"no workspace named '{name}'")
        return workspace_id

    def create_workspace(self, workspace: Workspace, actor: str) -> str:
        """Store a new workspace with all its use cases at version 1; returns its id."""
        actor = _check_actor(actor)
        return self._create(workspace, actor, "create_workspace", {})

    def _create(self, workspace: Workspace, actor: str, action: str, detail: dict[str, Any]) -> str:
        def work(conn: Connection) -> str:
            if self._name_taken(conn, workspace.name):
                raise StoreError(f"a workspace named '{workspace.name}' already exists")
            return self._insert_workspace(conn, workspace, actor, action, detail)

        try:
            return self._write(work)
        except IntegrityError:
            raise StoreError(f"a workspace named '{workspace.name}' already exists") from None

    @staticmethod
    def _name_taken(conn: Connection, name: str) -> bool:
        return conn.scalar(select(workspaces_table.c.id).where(workspaces_table.c.name == name)) is not None

    @staticmethod
    def _insert_workspace(
        conn: Connection, workspace: Workspace, actor: str, action: str, detail: dict[str, Any]
    ) -> str:
        workspace_id = uuid.uuid4().hex
        at = _iso(_now())
        conn.execute(
            insert(workspaces_table).values(
                id=workspace_id,
                name=workspace.name,
                schema_version=workspace.schema_version,
                weights=workspace.weights.model_dump_json(),
                thresholds=workspace.thresholds.model_dump_json(),
                created_at=at,
                updated_at=at,
                updated_by=actor,
            )
        )
        if workspace.use_cases:
            conn.execute(
                insert(use_cases_table),
                [
                    {
                        "workspace_id": workspace_id,
                        "use_case_id": use_case.id,
                        "position": position,
                        "document": use_case_document(use_case),
                        "version": 1,
                        "deleted": False,
                        "updated_at": at,
                        "updated_by": actor,
                    }
                    for position, use_case in enumerate(workspace.use_cases)
                ],
            )
        summary = {"name": workspace.name, "use_cases": len(workspace.use_cases), **detail}
        conn.execute(
            insert(audit_log_table).values(
                at=at, actor=actor, workspace_id=workspace_id, action=action, new_value=_json(summary)
            )
        )
        return workspace_id

    def rename_workspace(self, workspace_id: str, name: str, actor: str) -> None:
        actor, name = _check_actor(actor), _check_name(name)

        def work(conn: Connection) -> None:
            row = self._workspace_row(conn, workspace_id, lock=True)
            if row.name == name:
                return
            if self._name_taken(conn, name):
                raise StoreError(f"a workspace named '{name}' already exists")
            at = _iso(_now())
            conn.execute(
                update(workspaces_table)
                .where(workspaces_table.c.id == workspace_id)
                .values(name=name, updated_at=at, updated_by=actor)
            )
            self._audit(conn, at, actor, workspace_id, None, "rename_workspace", [("name", row.name, name)])

        try:
            self._write(work)
        except IntegrityError:
            raise StoreError(f"a workspace named '{name}' already exists") from None

    def duplicate_workspace(self, workspace_id: str, new_name: str, actor: str) -> str:
        """Copy the live use cases and settings under a new name; the copy starts at version 1."""
        actor, new_name = _check_actor(actor), _check_name(new_name, "new_name")
        source = self.load(workspace_id).workspace
        copy = source.model_copy(update={"name": new_name})
        return self._create(copy, actor, "duplicate_workspace", {"source": source.name})

    @staticmethod
    def _workspace_row(conn: Connection, workspace_id: str, lock: bool = False) -> Any:
        query = select(workspaces_table).where(workspaces_table.c.id == workspace_id)
        row = conn.execute(query.with_for_update() if lock else query).one_or_none()
        if row is None:
            raise NotFoundError(f"no workspace with id '{workspace_id}'")
        return row

    def load(self, workspace_id: str) -> LoadedWorkspace:
        """The workspace with its live use cases (in creation order) and their versions.

        Validated use cases are cached per (workspace, use case, version); only changed rows are parsed again.
        """
        with _long_lived_allocation():
            return self._load(workspace_id)

    def _load(self, workspace_id: str) -> LoadedWorkspace:
        with self._read() as conn:
            row = self._workspace_row(conn, workspace_id)
            heads = conn.execute(
                select(use_cases_table.c.use_case_id, use_cases_table.c.version)
                .where(use_cases_table.c.workspace_id == workspace_id, use_cases_table.c.deleted.is_(False))
                .order_by(use_cases_table.c.position)
            ).all()
            cached = {head.use_case_id: self._cache.get(workspace_id, *head) for head in heads}
            missing = [use_case_id for use_case_id, use_case in cached.items() if use_case is None]
            documents: dict[str, str] = {}
            for start in range(0, len(missing), 500):
                documents.update((row.use_case_id, row.document) for row in conn.execute(
                    select(use_cases_table.c.use_case_id, use_cases_table.c.document).where(
                        use_cases_table.c.workspace_id == workspace_id,
                        use_cases_table.c.use_case_id.in_(missing[start:start + 500]),
                    )
                ).all())
        parsed = self._parse_use_cases(row.name, documents)
        use_cases = []
        for use_case_id, version in heads:
            use_case = cached[use_case_id] or parsed[use_case_id]
            self._cache.put(workspace_id, use_case_id, version, use_case)
            use_cases.append(use_case)
        try:
            workspace = Workspace(
                name=row.name,
                schema_version=row.schema_version,
                weights=ScoringWeights.model_validate_json(row.weights),
                thresholds=Thresholds.model_validate_json(row.thresholds),
                use_cases=tuple(use_cases),
            )
        except ValidationError as error:
            raise StoreError(f"stored workspace '{row.name}' no longer validates: "
                             f"{validation_messages(error)[0]}") from None
        return LoadedWorkspace(id=workspace_id, workspace=workspace, versions={h.use_case_id: h.version for h in heads})

    @staticmethod
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

    def get_use_case(self, workspace_id: str, use_case_id: str) -> tuple[UseCase, int]:
        """One live use case and its version, without loading the whole workspace."""
        with self._read() as conn:
            row = self._use_case_row(conn, workspace_id, use_case_id)
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

    @staticmethod
    def _use_case_row(conn: Connection, workspace_id: str, use_case_id: str, lock: bool = False) -> Any:
        query = select(use_cases_table).where(
            use_cases_table.c.workspace_id == workspace_id, use_cases_table.c.use_case_id == use_case_id
        )
        return conn.execute(query.with_for_update() if lock else query).one_or_none()

    # Use cases

    def save_use_case(
        self,
        workspace_id: str,
        use_case: UseCase,
        expected_version: int | None,
        actor: str,
        idempotency_key: str | None = None,
    ) -> int:
        """Save one use case in one transaction; returns its new version.

        ``expected_version`` None creates a new use case; a stale version raises :class:`ConflictError`
        naming who changed it and when. One audit row per changed field path. Re-submitting the same
        ``idempotency_key`` writes nothing and returns the version of the first submission.
        A save without any field change writes nothing and returns the current version.
        """
        actor = _check_actor(actor)

        def work(conn: Connection) -> tuple[int, UseCase | None]:
            self._workspace_row(conn, workspace_id)
            row = self._use_case_row(conn, workspace_id, use_case.id, lock=True)
            if idempotency_key is not None:
                earlier = self._earlier_save(conn, idempotency_key)
                if earlier is not None:
                    return earlier, None
            now = _now()
            at = _iso(now)
            stamped = use_case.model_copy(update={"updated_at": now.replace(microsecond=0)})
            if row is None:
                if expected_version is not None:
                    raise NotFoundError(f"no use case '{use_case.id}' in this workspace (expected version "
                                        f"{expected_version})")
                position = conn.scalar(
                    select(func.coalesce(func.max(use_cases_table.c.position), -1) + 1).where(
                        use_cases_table.c.workspace_id == workspace_id
                    )
                )
                conn.execute(
                    insert(use_cases_table).values(
                        workspace_id=workspace_id, use_case_id=use_case.id, position=position,
                        document=use_case_document(stamped), version=1, deleted=False,
                        updated_at=at, updated_by=actor,
                    )
                )
                changes, action, new_version = diff_fields(None, stamped), "create_use_case", 1
            else:
                if row.deleted:
                    raise ConflictError(use_case.id, row.updated_by, _parse_time(row.updated_at), row.version,
                                        reason="was deleted")
                if expected_version is None:
                    raise ConflictError(use_case.id, row.updated_by, _parse_time(row.updated_at), row.version,
                                        reason="already exists; it was last changed")
                if row.version != expected_version:
                    raise ConflictError(use_case.id, row.updated_by, _parse_time(row.updated_at), row.version)
                changes = diff_fields(self._parsed(workspace_id, row), stamped)
                if not changes:
                    return row.version, None
                new_version = self._update_use_case(conn, workspace_id, row, stamped, at, actor)
                action = "update_use_case"
            self._audit(conn, at, actor, workspace_id, use_case.id, action, changes, idempotency_key)
            if idempotency_key is not None:
                conn.execute(
                    insert(save_requests_table).values(
                        idempotency_key=idempotency_key, workspace_id=workspace_id,
                        use_case_id=use_case.id, version=new_version, at=at,
                    )
                )
            return new_version, stamped

        try:
            version, saved = self._write(work)
        except IntegrityError:
            # PostgreSQL only: a concurrent transaction inserted the same use case id or idempotency key first.
            return self._after_lost_race(workspace_id, use_case.id, idempotency_key)
        if saved is not None:
            self._cache.put(workspace_id, use_case.id, version, saved)
        return version

    def _after_lost_race(self, workspace_id: str, use_case_id: str, idempotency_key: str | None) -> int:
        with self._read() as conn:
            if idempotency_key is not None:
                earlier = self._earlier_save(conn, idempotency_key)
                if earlier is not None:
                    return earlier
            row = self._use_case_row(conn, workspace_id, use_case_id)
        if row is None:
            raise StoreError(f"use case '{use_case_id}' could not be saved; please try again")
        raise ConflictError(use_case_id, row.updated_by, _parse_time(row.updated_at), row.version)

    @staticmethod
    def _earlier_save(conn: Connection, idempotency_key: str) -> int | None:
        return conn.scalar(
            select(save_requests_table.c.version).where(save_requests_table.c.idempotency_key == idempotency_key)
        )

    @staticmethod
    def _update_use_case(
        conn: Connection,
        workspace_id: str,
        row: Any,
        use_case: UseCase,
        at: str,
        actor: str,
        deleted: bool | None = None,
    ) -> int:
        values: dict[str, Any] = {
            "document": use_case_document(use_case),
            "version": row.version + 1,
            "updated_at": at,
            "updated_by": actor,
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
            current = Store._use_case_row(conn, workspace_id, row.use_case_id)
            raise ConflictError(row.use_case_id, current.updated_by, _parse_time(current.updated_at),
                                current.version)
        return row.version + 1

    @staticmethod
    def _audit(
        conn: Connection,
        at: str,
        actor: str,
        workspace_id: str,
        use_case_id: str | None,
        action: str,
        changes: Sequence[tuple[str | None, Any, Any]],
        idempotency_key: str | None = None,
    ) -> None:
        if not changes:
            return
        conn.execute(
            insert(audit_log_table),
            [
                {
                    "at": at,
                    "actor": actor,
                    "workspace_id": workspace_id,
                    "use_case_id": use_case_id,
                    "action": action,
                    "field_path": path,
                    "old_value": _json_or_none(old),
                    "new_value": _json_or_none(new),
                    "idempotency_key": idempotency_key,
                }
                for path, old, new in changes
            ],
        )

    def _set_deleted(self, workspace_id: str, use_case_id: str, actor: str, deleted: bool) -> int:
        actor = _check_actor(actor)

        def work(conn: Connection) -> int:
            self._workspace_row(conn, workspace_id)
            row = self._use_case_row(conn, workspace_id, use_case_id, lock=True)
            if row is None:
                raise NotFoundError(f"no use case '{use_case_id}' in this workspace")
            if row.deleted == deleted:
                return row.version
            at = _iso(_now())
            version = self._update_use_case(
                conn, workspace_id, row, UseCase.model_validate_json(row.document), at, actor, deleted=deleted
            )
            action = "delete_use_case" if deleted else "restore_use_case"
            self._audit(conn, at, actor, workspace_id, use_case_id, action, [("deleted", not deleted, deleted)])
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
            self._workspace_row(conn, workspace_id)
            rows = conn.execute(
                select(use_cases_table)
                .where(use_cases_table.c.workspace_id == workspace_id, use_cases_table.c.deleted.is_(True))
                .order_by(use_cases_table.c.updated_at.desc())
            ).all()
        deleted = []
        for row in rows:
            use_case = UseCase.model_validate_json(row.document)
            deleted.append(DeletedUseCase(
                id=row.use_case_id, name=use_case.name, deleted_at=_parse_time(row.updated_at),
                deleted_by=row.updated_by, version=row.version, use_case=use_case,
            ))
        return deleted

    def save_settings(
        self,
        workspace_id: str,
        actor: str,
        weights: ScoringWeights | None = None,
        thresholds: Thresholds | None = None,
    ) -> None:
        """Replace the workspace's S3 weights and/or gate thresholds; one audit row per changed number."""
        actor = _check_actor(actor)

        def work(conn: Connection) -> None:
            row = self._workspace_row(conn, workspace_id, lock=True)
            self._write_settings(conn, row, actor, _iso(_now()), weights, thresholds, "save_settings")

        self._write(work)

    def _write_settings(
        self,
        conn: Connection,
        row: Any,
        actor: str,
        at: str,
        weights: ScoringWeights | None,
        thresholds: Thresholds | None,
        action: str,
    ) -> None:
        changes: list[tuple[str | None, Any, Any]] = []
        values: dict[str, Any] = {}
        if weights is not None:
            old = ScoringWeights.model_validate_json(row.weights)
            changes += [(f"weights.{path}", a, b) for path, a, b in diff_fields(old, weights)]
            values["weights"] = weights.model_dump_json()
        if thresholds is not None:
            old_thresholds = Thresholds.model_validate_json(row.thresholds)
            changes += [(f"thresholds.{path}", a, b) for path, a, b in diff_fields(old_thresholds, thresholds)]
            values["thresholds"] = thresholds.model_dump_json()
        if not changes:
            return
        conn.execute(
            update(workspaces_table)
            .where(workspaces_table.c.id == row.id)
            .values(**values, updated_at=at, updated_by=actor)
        )
        self._audit(conn, at, actor, row.id, None, action, changes)

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
        actor = _check_actor(actor)
        grouped: dict[str, dict[str, Any]] = {}
        for use_case_id, field_path, value in changes:
            grouped.setdefault(use_case_id, {})[field_path] = value

        def work(conn: Connection) -> None:
            self._workspace_row(conn, workspace_id)
            now = _now()
            at = _iso(now)
            for use_case_id in sorted(grouped):
                row = self._use_case_row(conn, workspace_id, use_case_id, lock=True)
                if row is None or row.deleted:
                    raise NotFoundError(f"no use case '{use_case_id}' in this workspace")
                expected = expected_versions.get(use_case_id)
                if row.version != expected:
                    raise ConflictError(use_case_id, row.updated_by, _parse_time(row.updated_at), row.version)
                old = UseCase.model_validate_json(row.document)
                try:
                    new = with_values(old, {**grouped[use_case_id], "updated_at": now.replace(microsecond=0)})
                except ValidationError as error:
                    raise ImportRejected(validation_messages(error, prefix=use_case_id)) from None
                except (ValueError, IndexError, KeyError, TypeError) as error:
                    raise ImportRejected([f"{use_case_id}: {error}"]) from None
                field_changes = diff_fields(old, new)
                if field_changes:
                    self._update_use_case(conn, workspace_id, row, new, at, actor)
                    self._audit(conn, at, actor, workspace_id, use_case_id, "apply_changes", field_changes)

        self._write(work)

    def record_gate_decision(
        self,
        workspace_id: str,
        use_case_id: str,
        gate: str,
        decision: str,
        failed_checks: Sequence[Any],
        actor: str,
    ) -> None:
        """Audit a gate decision (S5, S9, S10, S11, S17) with its failed checks; field path ``gates.<gate>``."""
        actor = _check_actor(actor)
        field_path = f"gates.{gate}"
        new_value = {"decision": decision, "failed_checks": [_gate_check_json(check) for check in failed_checks]}

        def work(conn: Connection) -> None:
            self._workspace_row(conn, workspace_id)
            if self._use_case_row(conn, workspace_id, use_case_id) is None:
                raise NotFoundError(f"no use case '{use_case_id}' in this workspace")
            previous = conn.scalar(
                select(audit_log_table.c.new_value)
                .where(
                    audit_log_table.c.workspace_id == workspace_id,
                    audit_log_table.c.use_case_id == use_case_id,
                    audit_log_table.c.field_path == field_path,
                )
                .order_by(audit_log_table.c.id.desc())
                .limit(1)
            )
            conn.execute(
                insert(audit_log_table).values(
                    at=_iso(_now()), actor=actor, workspace_id=workspace_id, use_case_id=use_case_id,
                    action="gate_decision", field_path=field_path, old_value=previous, new_value=_json(new_value),
                )
            )

        self._write(work)

    # Audit trail

    def audit(self, workspace_id: str, use_case_id: str | None = None, limit: int | None = None) -> list[AuditEntry]:
        """Audit entries of a workspace, newest first, optionally for one use case."""
        query = select(audit_log_table).where(audit_log_table.c.workspace_id == workspace_id)
        if use_case_id is not None:
            query = query.where(audit_log_table.c.use_case_id == use_case_id)
        query = query.order_by(audit_log_table.c.id.desc())
        if limit is not None:
            query = query.limit(limit)
        with self._read() as conn:
            self._workspace_row(conn, workspace_id)
            rows = conn.execute(query).all()
        return [
            AuditEntry(
                id=row.id, at=_parse_time(row.at), actor=row.actor, workspace_id=row.workspace_id,
                use_case_id=row.use_case_id, action=row.action, field_path=row.field_path,
                old_value=row.old_value, new_value=row.new_value,
            )
            for row in rows
        ]

    def audit_csv(self, workspace_id: str, use_case_id: str | None = None, limit: int | None = None) -> str:
        """The audit trail as CSV text (UTC ISO times), newest first."""
        entries = self.audit(workspace_id, use_case_id, limit)
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["id", "at_utc", "actor", "workspace_id", "use_case_id", "action", "field_path",
                         "old_value", "new_value"])
        for entry in entries:
            writer.writerow([_csv_cell(value) for value in (
                entry.id, _iso(entry.at), entry.actor, entry.workspace_id, entry.use_case_id or "",
                entry.action, entry.field_path or "", entry.old_value or "", entry.new_value or "",
            )])
        return buffer.getvalue()

    # Snapshots

    def create_snapshot(self, workspace_id: str, label: str, actor: str) -> SnapshotInfo:
        """A named copy of the whole workspace (live use cases and settings), e.g. "before workshop"."""
        actor, label = _check_actor(actor), _check_name(label, "label")
        document = self.export_json(workspace_id)

        def work(conn: Connection) -> SnapshotInfo:
            self._workspace_row(conn, workspace_id)
            exists = conn.scalar(select(snapshots_table.c.id).where(
                snapshots_table.c.workspace_id == workspace_id, snapshots_table.c.label == label))
            if exists is not None:
                raise StoreError(f"a snapshot labelled '{label}' already exists in this workspace")
            now = _now()
            snapshot_id = conn.execute(
                insert(snapshots_table).values(
                    workspace_id=workspace_id, label=label, created_at=_iso(now), actor=actor, document=document
                )
            ).inserted_primary_key[0]
            self._audit(conn, _iso(now), actor, workspace_id, None, "create_snapshot", [(None, None, label)])
            return SnapshotInfo(id=int(snapshot_id), label=label, created_at=now, actor=actor)

        try:
            return self._write(work)
        except IntegrityError:
            raise StoreError(f"a snapshot labelled '{label}' already exists in this workspace") from None

    def list_snapshots(self, workspace_id: str) -> list[SnapshotInfo]:
        with self._read() as conn:
            self._workspace_row(conn, workspace_id)
            rows = conn.execute(
                select(snapshots_table.c.id, snapshots_table.c.label, snapshots_table.c.created_at,
                       snapshots_table.c.actor)
                .where(snapshots_table.c.workspace_id == workspace_id)
                .order_by(snapshots_table.c.id.desc())
            ).all()
        return [SnapshotInfo(id=r.id, label=r.label, created_at=_parse_time(r.created_at), actor=r.actor)
                for r in rows]

    def restore_snapshot(self, workspace_id: str, label: str, actor: str) -> None:
        """Make the workspace equal the snapshot again by writing new versions; history is kept.

        Use cases missing from the snapshot are soft-deleted, deleted ones in it are restored; every
        change is audited and a final ``restore_snapshot`` entry names the label.
        """
        actor = _check_actor(actor)

        def work(conn: Connection) -> None:
            workspace_row = self._workspace_row(conn, workspace_id, lock=True)
            document = conn.scalar(select(snapshots_table.c.document).where(
                snapshots_table.c.workspace_id == workspace_id, snapshots_table.c.label == label))
            if document is None:
                raise NotFoundError(f"no snapshot labelled '{label}' in this workspace")
            snapshot = Workspace.model_validate_json(document)
            rows = {row.use_case_id: row for row in conn.execute(
                select(use_cases_table).where(use_cases_table.c.workspace_id == workspace_id).with_for_update()
            ).all()}
            at = _iso(_now())
            position = max((row.position for row in rows.values()), default=-1)
            for use_case in snapshot.use_cases:
                row = rows.get(use_case.id)
                if row is None:
                    position += 1
                    conn.execute(insert(use_cases_table).values(
                        workspace_id=workspace_id, use_case_id=use_case.id, position=position,
                        document=use_case_document(use_case), version=1, deleted=False,
                        updated_at=at, updated_by=actor,
                    ))
                    self._audit(conn, at, actor, workspace_id, use_case.id, "restore_snapshot",
                                diff_fields(None, use_case))
                    continue
                changes: list[tuple[str | None, Any, Any]] = list(
                    diff_fields(UseCase.model_validate_json(row.document), use_case))
                if row.deleted:
                    changes.insert(0, ("deleted", True, False))
                if changes:
                    self._update_use_case(conn, workspace_id, row, use_case, at, actor, deleted=False)
                    self._audit(conn, at, actor, workspace_id, use_case.id, "restore_snapshot", changes)
            kept = {use_case.id for use_case in snapshot.use_cases}
            for use_case_id, row in rows.items():
                if use_case_id not in kept and not row.deleted:
                    self._update_use_case(conn, workspace_id, row, UseCase.model_validate_json(row.document),
                                          at, actor, deleted=True)
                    self._audit(conn, at, actor, workspace_id, use_case_id, "restore_snapshot",
                                [("deleted", False, True)])
            self._write_settings(conn, workspace_row, actor, at, snapshot.weights, snapshot.thresholds,
                                 "restore_snapshot")
            self._audit(conn, at, actor, workspace_id, None, "restore_snapshot", [(None, None, label)])

        self._write(work)

    # Files

    def export_json(self, workspace_id: str) -> str:
        """The workspace as canonical JSON (see :func:`canonical_json`); export → import → export is byte-stable."""
        return canonical_json(self.load(workspace_id).workspace)

    def import_json(self, text: str | bytes, actor: str, name: str | None = None) -> str:
        """Validate everything first (:func:`parse_workspace_json`), then store as a new workspace; returns its id.

        ``name`` overrides the name in the file. A rejected import leaves the database untouched.
        """
        actor = _check_actor(actor)
        workspace = parse_workspace_json(text)
        if name is not None:
            try:
                workspace = workspace.model_copy(update={"name": _check_name(name)})
            except ValueError as error:
                raise ImportRejected([str(error)]) from None
        try:
            return self._create(workspace, actor, "import_workspace", {})
        except StoreError as error:
            raise ImportRejected([f"name: {error}; import it under another name"]) from None

    def backup(self, path: Path | str) -> Path:
        """Online copy of the SQLite database to ``path`` via the SQLite backup API; checked with
        ``PRAGMA integrity_check`` before it replaces ``path``. Returns the path."""
        if self.dialect != "sqlite":
            raise StoreError("backup writes SQLite files only; back up PostgreSQL with pg_dump")
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        partial.unlink(missing_ok=True)
        raw = self._engine.raw_connection()
        try:
            source: sqlite3.Connection = raw.driver_connection  # type: ignore[assignment]
            destination = sqlite3.connect(partial)
            try:
                source.backup(destination)
                verdict = destination.execute("PRAGMA integrity_check").fetchone()[0]
                destination.execute("PRAGMA journal_mode = DELETE")
            finally:
                destination.close()
        finally:
            raw.close()
        if verdict != "ok":
            partial.unlink(missing_ok=True)
            raise StoreError(f"backup failed its integrity check: {verdict}")
        os.replace(partial, target)
        return target
