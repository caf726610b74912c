"""The connection to the database: URL → engine, SQLite settings, transactions with retries, and backup.

Writers run through :meth:`StoreEngine._write`, which opens the transaction with ``BEGIN IMMEDIATE`` on
SQLite (the write lock up front, so two writers never deadlock upgrading a read lock) and retries a busy
database or a PostgreSQL serialisation failure. Readers use :meth:`StoreEngine._read`, one consistent
snapshot per block (REPEATABLE READ on PostgreSQL, a read transaction in WAL mode on SQLite).
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from core.store import schema
from core.store.actors import AUDIT_SECRET_ENV, SECRET_OPTION, TRANSACTION_CACHE, audit_key
from core.store.errors import StoreError

ROOT = Path(__file__).resolve().parents[2]
DATABASE_URL_ENV = "WORKBENCH_DATABASE_URL"
DEFAULT_DATABASE_PATH = ROOT / "data" / "workbench.db"
DEFAULT_DATABASE_URL = f"sqlite:///{DEFAULT_DATABASE_PATH}"
BUSY_TIMEOUT_S = 30.0
WRITE_ATTEMPTS = 8

T = TypeVar("T")


def shown_url(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(not a database URL)"


def reason(error: BaseException) -> str:
    """The first line of what the driver or the operating system said."""
    if isinstance(error, DBAPIError):
        return str(error.orig).splitlines()[0] if error.orig is not None else type(error).__name__
    if isinstance(error, OSError):
        return error.strerror or type(error).__name__
    return str(error).splitlines()[0]


def is_transient(error: DBAPIError) -> bool:
    """A busy or locked SQLite database, or a PostgreSQL serialisation failure or deadlock: worth a retry."""
    original = error.orig
    if isinstance(original, sqlite3.OperationalError):
        text = str(original).lower()
        return "locked" in text or "busy" in text
    return getattr(original, "sqlstate", None) in {"40001", "40P01"}


def engine_for(url: str) -> Engine:
    """A pooled engine; for SQLite files also the folder, WAL, FULL sync, foreign keys and the BEGIN hook."""
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


class StoreEngine:
    """The database behind a :class:`~core.store.Store`; opens it and brings its schema up to date.

    ``audit_secret``: the key of the audit trail's keyed hashes (pseudonymised mode, S23); None → env
    ``WORKBENCH_AUDIT_SECRET``, else a random key kept in the database.
    """

    def __init__(self, url: str | None = None, audit_secret: str | None = None) -> None:
        self.url = url or os.environ.get(DATABASE_URL_ENV) or DEFAULT_DATABASE_URL
        secret = audit_secret or os.environ.get(AUDIT_SECRET_ENV) or None
        self.audit_secret_configured = secret is not None
        try:
            self._engine = engine_for(self.url)
            self._writer = self._engine.execution_options(workbench_write=True, **{SECRET_OPTION: secret})
            self._write(schema.migrate)
        except (OSError, ArgumentError, DBAPIError) as error:
            raise StoreError(f"the database {shown_url(self.url)} cannot be opened: {reason(error)}") from error

    _audit_key: bytes | None = None

    def _audit_key_once(self) -> bytes:
        """The audit trail's key (:func:`core.store.actors.audit_key`), read or created in a write transaction the
        first time only: it never changes once the database has one, and readers on every page run (drafts, an
        owner's names) should stay plain reads."""
        if self._audit_key is None:
            self._audit_key = self._write(audit_key)
        return self._audit_key

    @property
    def dialect(self) -> str:
        return self._engine.dialect.name

    def dispose(self) -> None:
        """Close pooled connections (before forking, or at shutdown)."""
        self._engine.dispose()

    def schema_version(self) -> int:
        with self._read() as conn:
            return schema.current_version(conn)

    def _write(self, work: Callable[[Connection], T]) -> T:
        """Run ``work`` in one write transaction; a busy database is retried, then :class:`StoreError`."""
        for attempt in range(WRITE_ATTEMPTS):
            try:
                with self._writer.begin() as conn:
                    conn.info[TRANSACTION_CACHE] = {}
                    return work(conn)
            except DBAPIError as error:
                if not is_transient(error):
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

    def backup(self, path: Path | str) -> Path:
        """Online copy of the SQLite database to ``path`` via the SQLite backup API; checked with
        ``PRAGMA integrity_check`` before it replaces ``path``. Returns the path."""
        if self.dialect != "sqlite":
            raise StoreError("backup writes SQLite files only; back up PostgreSQL with pg_dump")
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        partial.unlink(missing_ok=True)
        verdict = self._copy_to(partial)
        if verdict != "ok":
            partial.unlink(missing_ok=True)
            raise StoreError(f"backup failed its integrity check: {verdict}")
        os.replace(partial, target)
        return target

    def _copy_to(self, partial: Path) -> str:
        """Copy the database into ``partial``; returns the copy's ``PRAGMA integrity_check`` verdict."""
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
        return verdict
