"""The database schema: tables, the append-only triggers on ``audit_log``, and numbered migrations.

Migration 5 makes the audit trail tamper-evident and keeps identities apart from it: an entry carries an actor id
(a pseudonym, ``actors.id``) and a SHA-256 chain link over the previous entry (:mod:`core.store.chain`); the
identity lives only in ``actors``, so an erasure or a retention run changes that table and never an entry.

``DATABASE_SCHEMA_VERSION`` is the newest migration this code knows; :func:`migrate` applies the missing ones
in order, each recorded in ``schema_version``, and refuses a database that is newer than the code.
A new migration is a function ``_migration_<n>`` added to ``_MIGRATIONS`` (the constant is the highest number).
"""

from __future__ import annotations

import json
from collections.abc import Callable

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    insert,
    inspect,
    select,
    update,
)
from sqlalchemy.engine import Connection

from core.store.errors import StoreError
from core.store.values import MAX_ACTOR_LENGTH, iso, now_utc

# A Fernet token of an identity of MAX_ACTOR_LENGTH characters (up to 4 UTF-8 bytes each) fits with room to spare.
SEALED_IDENTITY_LENGTH = 1200

metadata = MetaData()

workspaces_table = Table(
    "workspaces",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("schema_version", Integer, nullable=False),
    Column("weights", Text, nullable=False),
    Column("thresholds", Text, nullable=False),
    # Workspace-level settings beyond weights and thresholds (core.models.WorkspaceSettings), one JSON object.
    Column("settings", Text, nullable=False, server_default="{}"),
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
    # The pseudonym (actors.id) since migration 5; the person's name is in the actors table only.
    Column("actor_id", String(MAX_ACTOR_LENGTH), nullable=False),
    Column("workspace_id", String(32), nullable=False),
    Column("use_case_id", String(64)),
    Column("action", String(40), nullable=False),
    Column("field_path", Text),
    Column("old_value", Text),
    Column("new_value", Text),
    Column("idempotency_key", String(200)),
    # The chain (migration 5): the previous entry's entry_hash, and SHA-256 over it and this entry's content.
    Column("prev_hash", String(64)),
    Column("entry_hash", String(64)),
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

# Tables added after schema 1 live in their own MetaData, so migration 1's create_all never creates them and each
# later migration creates exactly its own.
portfolio_plans_metadata = MetaData()

portfolio_plans_table = Table(
    "portfolio_plans",
    portfolio_plans_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("workspace_id", String(32), ForeignKey(workspaces_table.c.id), nullable=False),
    Column("name", String(200), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("actor", String(MAX_ACTOR_LENGTH), nullable=False),
    Column("document", Text, nullable=False),
    UniqueConstraint("workspace_id", "name", name="uq_portfolio_plans_name"),
)

schema_version_table = Table(
    "schema_version",
    MetaData(),
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("applied_at", String(40), nullable=False),
)

# S21 workshop rounds (migration 2). Their own MetaData, so that migration 1's create_all never creates them and
# migration 2 creates exactly these tables.
workshop_metadata = MetaData()

workshop_rounds_table = Table(
    "workshop_rounds",
    workshop_metadata,
    Column("id", String(32), primary_key=True),
    Column("workspace_id", String(32), ForeignKey(workspaces_table.c.id), nullable=False),
    Column("join_code", String(6), nullable=False, unique=True),
    Column("token", String(64), nullable=False, unique=True),
    Column("definition", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("created_by", String(MAX_ACTOR_LENGTH), nullable=False),
    Column("updated_at", String(40), nullable=False),
    Column("updated_by", String(MAX_ACTOR_LENGTH), nullable=False),
    Index("ix_workshop_rounds_workspace", "workspace_id", "created_at"),
)

workshop_participants_table = Table(
    "workshop_participants",
    workshop_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("round_id", String(32), ForeignKey("workshop_rounds.id"), nullable=False),
    Column("name", String(MAX_ACTOR_LENGTH), nullable=False),
    Column("name_key", String(MAX_ACTOR_LENGTH), nullable=False),
    Column("subject", String(MAX_ACTOR_LENGTH)),
    Column("secret_hash", String(64), nullable=False, unique=True),
    Column("joined_at", String(40), nullable=False),
    Column("submitted_at", String(40)),
    UniqueConstraint("round_id", "name_key", name="uq_workshop_participants_name"),
    sqlite_autoincrement=True,
)

workshop_answers_table = Table(
    "workshop_answers",
    workshop_metadata,
    Column("participant_id", Integer, ForeignKey("workshop_participants.id"), primary_key=True),
    Column("use_case_id", String(64), primary_key=True),
    Column("question", String(64), primary_key=True),
    Column("round_id", String(32), ForeignKey("workshop_rounds.id"), nullable=False),
    Column("value", Float, nullable=False),
    Column("low", Float),
    Column("high", Float),
    Column("answered_at", String(40), nullable=False),
    Index("ix_workshop_answers_round", "round_id"),
)

workshop_adoptions_table = Table(
    "workshop_adoptions",
    workshop_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("round_id", String(32), ForeignKey("workshop_rounds.id"), nullable=False),
    Column("use_case_id", String(64), nullable=False),
    Column("question", String(64), nullable=False),
    Column("value", Float, nullable=False),
    Column("median", Float),
    Column("at", String(40), nullable=False),
    Column("actor", String(MAX_ACTOR_LENGTH), nullable=False),
    Index("ix_workshop_adoptions_round", "round_id", "use_case_id", "question"),
    sqlite_autoincrement=True,
)

# Who signed the audit entries (migration 5): one row per workspace, person and month (the retention unit); the
# identity column is emptied by pseudonymised mode, retention and erasure, the id (the pseudonym) stays.
actors_metadata = MetaData()

actors_table = Table(
    "actors",
    actors_metadata,
    Column("id", String(32), primary_key=True),
    Column("workspace_id", String(32), nullable=False),
    # HMAC of the identity, to find this person's row again; emptied by an erasure.
    Column("lookup_key", String(64)),
    # YYYY-MM of the entries it signs; "" for a pseudonymised workspace (one pseudonym per person).
    Column("period", String(7), nullable=False),
    Column("identity", String(MAX_ACTOR_LENGTH)),
    # Pseudonymised mode (migration 9): the identity encrypted with a key derived from the audit secret, for the
    # workspace's owners to read (S23); emptied with the identity by retention and erasure.
    Column("sealed_identity", String(SEALED_IDENTITY_LENGTH)),
    # named | pseudonymised | expired | erased: why the identity is (not) there.
    Column("status", String(16), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("changed_at", String(40)),
    UniqueConstraint("workspace_id", "lookup_key", "period", name="uq_actors_person_period"),
    Index("ix_actors_lookup", "lookup_key"),
)

# Refused drafts (migration 10): what a person typed when a save was refused on a conflict (or a table row that
# cannot be saved yet), one row per workspace, use case, person and slot, until they apply or discard it; not audit
# entries (nothing was saved). Its own MetaData, so that migration 1's create_all never creates it.
drafts_metadata = MetaData()

drafts_table = Table(
    "drafts",
    drafts_metadata,
    Column("workspace_id", String(32), ForeignKey(workspaces_table.c.id), primary_key=True),
    Column("use_case_id", String(64), primary_key=True),
    # The typist as the audit trail's keyed hash of workspace and identity (core.store.actors.lookup_key), not the name.
    Column("actor", String(MAX_ACTOR_LENGTH), primary_key=True),
    # Which entry of the use case: "" for a save refused on a conflict, "table.<path>" for a table's incomplete rows.
    Column("slot", String(MAX_ACTOR_LENGTH), primary_key=True, server_default=""),
    # {dotted path: JSON value}, bounded by core.store.drafts.
    Column("changes", Text, nullable=False),
    Column("changed_by", String(MAX_ACTOR_LENGTH), nullable=False),
    Column("changed_at", String(40)),
    Column("kept_at", String(40), nullable=False),
)

SQLITE_AUDIT_TRIGGER_NAMES = ("audit_log_refuse_update", "audit_log_refuse_delete")
POSTGRES_AUDIT_TRIGGER_NAMES = ("audit_log_refuse_update_delete", "audit_log_refuse_truncate")

# S23 roles per workspace (migration 7): one row per principal (an e-mail, lower-cased, or an OIDC subject) and
# workspace. Its own MetaData, so that migration 1's create_all never creates it.
members_metadata = MetaData()

workspace_members_table = Table(
    "workspace_members",
    members_metadata,
    Column("workspace_id", String(32), ForeignKey(workspaces_table.c.id), primary_key=True),
    Column("principal", String(MAX_ACTOR_LENGTH), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("granted_at", String(40), nullable=False),
    Column("granted_by", String(MAX_ACTOR_LENGTH), nullable=False),
    Index("ix_workspace_members_principal", "principal"),
)

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


def create_audit_triggers(conn: Connection) -> None:
    """The triggers that refuse UPDATE and DELETE on ``audit_log`` (and TRUNCATE on PostgreSQL)."""
    triggers = _SQLITE_AUDIT_TRIGGERS if conn.dialect.name == "sqlite" else _POSTGRES_AUDIT_TRIGGERS
    for statement in triggers:
        conn.exec_driver_sql(statement)


def missing_audit_triggers(conn: Connection) -> list[str]:
    """The names of the append-only triggers that the database no longer has, or has switched off."""
    if conn.dialect.name == "sqlite":
        present = {row[0] for row in conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'")}
        return [name for name in SQLITE_AUDIT_TRIGGER_NAMES if name not in present]
    # tgenabled 'D' is a trigger switched off by ALTER TABLE … DISABLE TRIGGER.
    present = {row[0] for row in conn.exec_driver_sql(
        "SELECT tgname FROM pg_trigger WHERE tgrelid = to_regclass('audit_log') AND tgenabled <> 'D'")}
    return [name for name in POSTGRES_AUDIT_TRIGGER_NAMES if name not in present]


def restore_audit_triggers(conn: Connection, missing: list[str]) -> None:
    """Create the missing append-only triggers again (a disabled PostgreSQL trigger is switched back on)."""
    if conn.dialect.name == "sqlite":
        create_audit_triggers(conn)
        return
    existing = {row[0] for row in conn.exec_driver_sql(
        "SELECT tgname FROM pg_trigger WHERE tgrelid = to_regclass('audit_log')")}
    for name in missing:
        if name in existing:
            conn.exec_driver_sql(f"ALTER TABLE audit_log ENABLE TRIGGER {name}")
    if any(name not in existing for name in missing):
        conn.exec_driver_sql(_POSTGRES_AUDIT_TRIGGERS[0])
        for name, statement in zip(POSTGRES_AUDIT_TRIGGER_NAMES, _POSTGRES_AUDIT_TRIGGERS[1:], strict=True):
            if name not in existing:
                conn.exec_driver_sql(statement)


def drop_audit_triggers(conn: Connection) -> None:
    """Only for migration 5, which writes the actor ids and chain of the entries already there."""
    if conn.dialect.name == "sqlite":
        for name in SQLITE_AUDIT_TRIGGER_NAMES:
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
    else:
        for name in POSTGRES_AUDIT_TRIGGER_NAMES:
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name} ON audit_log")


def _migration_1(conn: Connection) -> None:
    metadata.create_all(conn)
    create_audit_triggers(conn)


def _migration_2(conn: Connection) -> None:
    """``workspaces.settings``: the S19 default discount rate and later workspace-level settings, as JSON.

    A database created by this code already has the column (migration 1 creates today's tables); an older one
    gets it with ``{}``, which reads as the defaults.
    """
    if "settings" not in {column["name"] for column in inspect(conn).get_columns("workspaces")}:
        conn.exec_driver_sql("ALTER TABLE workspaces ADD COLUMN settings TEXT NOT NULL DEFAULT '{}'")


def _migration_3(conn: Connection) -> None:
    """S20 saved portfolio plans: one row per named plan of a workspace (budgets, chosen ids, totals as JSON)."""
    portfolio_plans_metadata.create_all(conn)


def _migration_4(conn: Connection) -> None:
    """S21 workshop rounds: rounds, participants, their answers and the adopted results."""
    workshop_metadata.create_all(conn)


def _migration_5(conn: Connection) -> None:
    """The actors table, ``audit_log.actor`` → ``actor_id`` (a pseudonym), and the hash chain over every entry.

    The names already in ``audit_log`` move into ``actors`` (one row per workspace, person and month) and the
    chain is computed in id order; the append-only triggers are dropped for this one rewrite and created again
    in the same transaction. A database created by this code has the new columns from migration 1.
    """
    from core.store.chain import chain_existing_entries  # the chain imports this module's tables

    actors_metadata.create_all(conn)
    columns = {column["name"] for column in inspect(conn).get_columns("audit_log")}
    drop_audit_triggers(conn)
    if "actor" in columns:
        conn.exec_driver_sql("ALTER TABLE audit_log RENAME COLUMN actor TO actor_id")
    for name in ("prev_hash", "entry_hash"):
        if name not in columns:
            conn.exec_driver_sql(f"ALTER TABLE audit_log ADD COLUMN {name} VARCHAR(64)")
    chain_existing_entries(conn)
    create_audit_triggers(conn)


_NEUTRAL_SCORE = 0.5


def _migration_6(conn: Connection) -> None:
    """``UseCase.scored`` (S3): a stored use case whose seven S3 inputs all still hold a new use case's neutral 0.5
    was never scored, so its document gets ``"scored": false`` (it leaves the quadrants and the ranking until
    someone scores it); every other document keeps the default, scored. No version changes: the content a
    person typed is the same, and the store's cache starts empty with the process that migrates."""
    rows = conn.execute(select(use_cases_table.c.workspace_id, use_cases_table.c.use_case_id,
                               use_cases_table.c.document)).all()
    for row in rows:
        document = json.loads(row.document)
        inputs = document.get("scoring")
        if not isinstance(inputs, dict) or "scored" in document or len(inputs) != 7:
            continue
        if all(value == _NEUTRAL_SCORE for value in inputs.values()):
            document["scored"] = False
            conn.execute(update(use_cases_table).where(
                use_cases_table.c.workspace_id == row.workspace_id, use_cases_table.c.use_case_id == row.use_case_id,
            ).values(document=json.dumps(document, ensure_ascii=False, allow_nan=False, separators=(",", ":"))))


def _migration_7(conn: Connection) -> None:
    """S23 roles per workspace: ``workspace_members`` (workspace, principal, role, who granted it and when).

    Existing workspaces get no rows: they have no owner yet, so the instance admins own them once sign-in is on.
    """
    members_metadata.create_all(conn)


def _migration_8(conn: Connection) -> None:
    """S22: a stored use case of workspace schema 1 or 2 still holding ``gate_metrics`` gets them as its latest
    measurement in the row itself (:func:`~core.models.migrate_gate_metrics`), as loading it did until now; then
    no read has to migrate, which lets pydantic validate stored JSON directly. Deleted rows too (a restore reads
    them). No version changes, as in migration 6: what people typed is the same. A document that does not validate
    stays as it is, so that loading it reports the problem as before."""
    from pydantic import ValidationError

    from core.models import UseCase, migrate_gate_metrics
    from core.store.documents import use_case_document  # documents imports this module's tables

    rows = conn.execute(select(use_cases_table.c.workspace_id, use_cases_table.c.use_case_id,
                               use_cases_table.c.document)
                        .where(use_cases_table.c.document.contains('"gate_metrics"'))).all()
    for row in rows:
        document = json.loads(row.document)
        if not isinstance(document, dict) or "gate_metrics" not in document:
            continue
        try:
            migrated = use_case_document(UseCase.model_validate(migrate_gate_metrics(document)))
        except ValidationError:
            continue
        conn.execute(update(use_cases_table).where(
            use_cases_table.c.workspace_id == row.workspace_id, use_cases_table.c.use_case_id == row.use_case_id,
        ).values(document=migrated))


def _migration_9(conn: Connection) -> None:
    """S23: ``actors.sealed_identity``, the encrypted identity a pseudonymised workspace keeps for its owners. Rows
    pseudonymised before it stay without one: their identity was never kept, and nothing can bring it back."""
    columns = {column["name"] for column in inspect(conn).get_columns("actors")}
    if "sealed_identity" not in columns:
        conn.exec_driver_sql(f"ALTER TABLE actors ADD COLUMN sealed_identity VARCHAR({SEALED_IDENTITY_LENGTH})")


def _migration_10(conn: Connection) -> None:
    """Issue 13: ``drafts``, the refused drafts kept server-side so that a reload or a new tab shows them again.
    Needs nothing of migration 9: a new table, nothing existing changes."""
    drafts_metadata.create_all(conn)


_MIGRATIONS: dict[int, Callable[[Connection], None]] = {
    1: _migration_1, 2: _migration_2, 3: _migration_3, 4: _migration_4, 5: _migration_5, 6: _migration_6,
    7: _migration_7, 8: _migration_8, 9: _migration_9, 10: _migration_10,
}
DATABASE_SCHEMA_VERSION = max(_MIGRATIONS)
MIGRATION_NUMBERS = tuple(sorted(_MIGRATIONS))


def current_version(conn: Connection) -> int:
    """The newest migration applied to the database; 0 for an empty one."""
    return int(conn.scalar(select(func.max(schema_version_table.c.version))) or 0)


def migrate(conn: Connection) -> None:
    """Apply the missing migrations inside the caller's write transaction; :class:`StoreError` if the
    database is newer than this code."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK_ID})")
    schema_version_table.create(conn, checkfirst=True)
    current = current_version(conn)
    if current > DATABASE_SCHEMA_VERSION:
        raise StoreError(
            f"the database has schema version {current}, newer than this workbench "
            f"({DATABASE_SCHEMA_VERSION}); update the workbench"
        )
    # Every known migration not recorded yet, in ascending order: also one numbered below the newest applied, as
    # happens when migrations developed side by side are merged after a database already got the higher number.
    applied = set(conn.scalars(select(schema_version_table.c.version)))
    for version in sorted(set(_MIGRATIONS) - applied):
        _MIGRATIONS[version](conn)
        conn.execute(insert(schema_version_table).values(version=version, applied_at=iso(now_utc())))
