"""Who signed the audit trail, kept apart from it: pseudonyms, pseudonymised mode, retention and erasure (S23).

An audit entry carries an actor id, a pseudonym such as ``P-3f9a1c2b7d4e``; the person (the display name,
e-mail or subject the store was given as ``actor``) lives only in the ``actors`` table, one row per workspace,
person and calendar month. The chain (:mod:`core.store.chain`) covers the pseudonym, never the identity, so
emptying ``actors.identity`` keeps every entry and its hash as they were:

- **pseudonymised mode** (workspace setting ``audit_pseudonymised``): the row never holds the identity as text,
  only its keyed hash (``lookup_key``, HMAC-SHA256 with the secret from configuration) and the identity sealed
  (``sealed_identity``, Fernet under a key derived from the same secret), which the store opens for the
  workspace's owners only (``Store.audit(..., names_for=reader)``, S23); entries show the pseudonym to
  everyone else, and whoever knows a person's identity and the secret can find their entries
  (:meth:`ActorOps.pseudonyms_of`);
- **retention** (workspace setting ``audit_retention_months``): rows of months older than that lose the identity,
  a pseudonymised person's row its sealed identity once none of their entries is younger;
- **erasure** (:meth:`ActorOps.erase_actor`): a person's rows lose identity, sealed identity and lookup key in
  every workspace, and ``updated_by`` and the snapshot and plan authors they signed show the pseudonym instead.

The key of ``lookup_key`` is ``WORKBENCH_AUDIT_SECRET`` (or the secret the Store was given); without one, a
random key kept in ``store_meta``. Example: ``actor_ref(conn, workspace_id, "Ada", at).shown == "Ada"``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, exists, insert, select, update
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from core.store.schema import (
    actors_table,
    audit_log_table,
    portfolio_plans_table,
    snapshots_table,
    store_meta_table,
    use_cases_table,
    workshop_adoptions_table,
    workshop_participants_table,
    workshop_rounds_table,
    workspaces_table,
)
from core.store.values import iso, now_utc, stored_settings

AUDIT_SECRET_ENV = "WORKBENCH_AUDIT_SECRET"
SECRET_OPTION = "workbench_audit_secret"
"""The execution option through which the Store hands its configured secret to the transactions."""
_KEY_META = "audit_lookup_key"
TRANSACTION_CACHE = "workbench_transaction_cache"
# Built once: a save runs them on every slider step, and building a statement costs more than running it.
_STORED_KEY = select(store_meta_table.c.value).where(store_meta_table.c.key == _KEY_META)
_SETTINGS = select(workspaces_table.c.settings).where(workspaces_table.c.id == bindparam("workspace_id"))
_ACTOR = select(actors_table.c.id, actors_table.c.sealed_identity).where(
    actors_table.c.workspace_id == bindparam("workspace_id"),
                                         actors_table.c.lookup_key == bindparam("lookup_key"),
                                         actors_table.c.period == bindparam("period"))
PSEUDONYM_PREFIX = "P-"
_PERSON_COLUMNS = (
    (use_cases_table, "updated_by"), (snapshots_table, "actor"), (portfolio_plans_table, "actor"),
    (workshop_rounds_table, "created_by"), (workshop_rounds_table, "updated_by"),
)


@dataclass(frozen=True)
class ActorRef:
    """An actor as a transaction writes it: ``id`` into ``audit_log.actor_id``, ``shown`` into ``updated_by``
    (the identity, or the pseudonym in pseudonymised mode)."""

    id: str
    shown: str


def _sealer(key: bytes) -> Any:
    """Fernet under its own key, derived from the audit key: the keyed hashes and the sealed identities never share
    one. Imported here, not at start-up: only a pseudonymised workspace needs it (the server's memory budget)."""
    from cryptography.fernet import Fernet

    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(b"workbench sealed identity\n" + key).digest()))


def seal_identity(key: bytes, identity: str) -> str:
    """``identity`` encrypted and authenticated (Fernet) under a key derived from ``key``, as ASCII text."""
    return _sealer(key).encrypt(identity.encode()).decode("ascii")


def unseal_identity(key: bytes, sealed: str | None) -> str | None:
    """The identity :func:`seal_identity` sealed, or None (nothing sealed, or another key: a changed secret)."""
    if not sealed:
        return None
    from cryptography.fernet import InvalidToken

    try:
        return _sealer(key).decrypt(sealed.encode("ascii")).decode()
    except (InvalidToken, ValueError):
        return None


def lookup_key(key: bytes, workspace_id: str, identity: str) -> str:
    """HMAC-SHA256 of ``workspace_id`` and ``identity`` under ``key``, as 64 hex digits."""
    return hmac.new(key, f"{workspace_id}\n{identity}".encode(), hashlib.sha256).hexdigest()


def transaction_cache(conn: Connection) -> dict[Any, Any]:
    """Lookups made once per write transaction (a save asks for its actor twice); emptied by ``StoreEngine._write``
    at the start of each transaction, since ``conn.info`` outlives it with the pooled connection."""
    return conn.info.setdefault(TRANSACTION_CACHE, {})


def audit_key(conn: Connection) -> bytes:
    """The key of ``lookup_key``: the configured secret, else the database's own random key (created once)."""
    configured = conn.get_execution_options().get(SECRET_OPTION)
    if configured:
        return configured.encode()
    # The database's key never changes once written, so the pooled connection may keep it.
    if _KEY_META in conn.info:
        return conn.info[_KEY_META]
    stored = conn.scalar(_STORED_KEY)
    if stored is None:
        conn.execute(_insert_ignoring_duplicates(conn, store_meta_table).values(key=_KEY_META,
                                                                               value=secrets.token_hex(32)))
        stored = conn.scalar(_STORED_KEY)
    conn.info[_KEY_META] = str(stored).encode()
    return conn.info[_KEY_META]


def _insert_ignoring_duplicates(conn: Connection, table):
    if conn.dialect.name == "postgresql":
        return postgres_insert(table).on_conflict_do_nothing()
    return sqlite_insert(table).on_conflict_do_nothing()


def is_pseudonymised(conn: Connection, workspace_id: str) -> bool:
    cache = transaction_cache(conn)
    if ("pseudonymised", workspace_id) not in cache:
        settings = conn.scalar(_SETTINGS, {"workspace_id": workspace_id})
        cache["pseudonymised", workspace_id] = settings is not None and stored_settings(settings).audit_pseudonymised
    return cache["pseudonymised", workspace_id]


def forget_mode(conn: Connection, workspace_id: str) -> None:
    """The workspace's pseudonymised setting changed in this transaction: look it up again next time."""
    cache = transaction_cache(conn)
    for key in [key for key in cache if key[1] == workspace_id]:
        del cache[key]


def actor_ref(conn: Connection, workspace_id: str, identity: str, at: str,
              pseudonymised: bool | None = None) -> ActorRef:
    """The actor row signing ``identity``'s entries of this workspace in the month of ``at``, created on first use."""
    if pseudonymised is None:
        pseudonymised = is_pseudonymised(conn, workspace_id)
    period = "" if pseudonymised else at[:7]
    cache = transaction_cache(conn)
    cached = cache.get(("actor", workspace_id, identity, period))
    if cached is not None:
        return cached
    key = lookup_key(audit_key(conn), workspace_id, identity)
    found = {"workspace_id": workspace_id, "lookup_key": key, "period": period}
    row = conn.execute(_ACTOR, found).one_or_none()
    if row is None:
        conn.execute(_insert_ignoring_duplicates(conn, actors_table).values(
            id=PSEUDONYM_PREFIX + secrets.token_hex(6), workspace_id=workspace_id, lookup_key=key, period=period,
            identity=None if pseudonymised else identity, status="pseudonymised" if pseudonymised else "named",
            sealed_identity=seal_identity(audit_key(conn), identity) if pseudonymised else None, created_at=at,
        ))
        row = conn.execute(_ACTOR, found).one()
    elif pseudonymised and row.sealed_identity is None:
        # Pseudonymised before identities were sealed (migration 9), or sealed no more since retention: this
        # person signs again, so their new entries show their name to the owners.
        conn.execute(update(actors_table).where(actors_table.c.id == row.id).values(
            sealed_identity=seal_identity(audit_key(conn), identity), status="pseudonymised", changed_at=at))
    actor_id = row.id
    ref = ActorRef(id=actor_id, shown=actor_id if pseudonymised else identity)
    cache["actor", workspace_id, identity, period] = ref
    return ref


def shown_actor(conn: Connection, workspace_id: str, identity: str, at: str) -> str:
    """What a row's ``updated_by`` (or a snapshot's author) holds: the identity, or its pseudonym in
    pseudonymised mode."""
    if not is_pseudonymised(conn, workspace_id):
        return identity
    return actor_ref(conn, workspace_id, identity, at, pseudonymised=True).shown


def identities(conn: Connection, actor_ids: set[str]) -> dict[str, str | None]:
    """``actors.identity`` (None once pseudonymised, expired or erased) of each actor id."""
    if not actor_ids:
        return {}
    rows = conn.execute(select(actors_table.c.id, actors_table.c.identity)
                        .where(actors_table.c.id.in_(sorted(actor_ids)))).all()
    return {row.id: row.identity for row in rows}


def replace_person(conn: Connection, workspace_id: str, identity: str, pseudonym: str) -> dict[str, int]:
    """Put ``pseudonym`` where the workspace's rows name ``identity`` as who changed, wrote or answered something
    (``updated_by``, snapshot and plan authors, workshop rounds, adoptions and participants); rows per column."""
    changed: dict[str, int] = {}

    def count(name: str, result) -> None:
        if result.rowcount:
            changed[name] = changed.get(name, 0) + int(result.rowcount)

    count("workspaces.updated_by", conn.execute(update(workspaces_table).where(
        workspaces_table.c.id == workspace_id, workspaces_table.c.updated_by == identity).values(updated_by=pseudonym)))
    for table, column in _PERSON_COLUMNS:
        count(f"{table.name}.{column}", conn.execute(update(table).where(
            table.c.workspace_id == workspace_id, table.c[column] == identity).values({column: pseudonym})))
    in_workspace = select(workshop_rounds_table.c.id).where(workshop_rounds_table.c.workspace_id == workspace_id)
    count("workshop_adoptions.actor", conn.execute(update(workshop_adoptions_table).where(
        workshop_adoptions_table.c.round_id.in_(in_workspace), workshop_adoptions_table.c.actor == identity)
        .values(actor=pseudonym)))
    count("workshop_participants.name", conn.execute(update(workshop_participants_table).where(
        workshop_participants_table.c.round_id.in_(in_workspace), workshop_participants_table.c.name == identity)
        .values(name=pseudonym, name_key=pseudonym.casefold())))
    return changed


def pseudonymise_workspace(conn: Connection, workspace_id: str, at: str) -> int:
    """Pseudonymised mode switched on: empty the identity of every actor row of the workspace and put each
    person's latest pseudonym where rows name them (:func:`replace_person`); returns the actor rows changed."""
    rows = conn.execute(
        select(actors_table.c.id, actors_table.c.identity)
        .where(actors_table.c.workspace_id == workspace_id, actors_table.c.identity.is_not(None))
        .order_by(actors_table.c.created_at)
    ).all()
    latest = {row.identity: row.id for row in rows}
    for identity, pseudonym in latest.items():
        replace_person(conn, workspace_id, identity, pseudonym)
    key = audit_key(conn)
    for row in rows:
        conn.execute(update(actors_table).where(actors_table.c.id == row.id).values(
            identity=None, sealed_identity=seal_identity(key, row.identity), status="pseudonymised", changed_at=at))
    return len(rows)


def months_before(moment: datetime, months: int) -> str:
    """The YYYY-MM period ``months`` calendar months before ``moment``'s month, e.g. (2026-12-03, 24) → 2024-12."""
    index = moment.year * 12 + moment.month - 1 - months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def expire_identities(conn: Connection, workspace_id: str, months: int, moment: datetime | None = None) -> int:
    """Retention: empty the identity of the workspace's actor rows of months that ended more than ``months``
    months ago (the entries of the cut-off month itself keep it until that month is ``months`` months old)."""
    cutoff = months_before(moment or now_utc(), months)
    changed_at = iso(moment or now_utc())
    result = conn.execute(
        update(actors_table)
        .where(actors_table.c.workspace_id == workspace_id, actors_table.c.identity.is_not(None),
               actors_table.c.period != "", actors_table.c.period < cutoff)
        .values(identity=None, sealed_identity=None, status="expired", changed_at=changed_at)
    )
    # A pseudonymised person's one row spans every month: its sealed identity goes once none of their entries
    # is younger than the cut-off (until then the owners' view shows the name only on the younger entries).
    recent = exists().where(audit_log_table.c.actor_id == actors_table.c.id, audit_log_table.c.at >= f"{cutoff}-01")
    sealed = conn.execute(
        update(actors_table)
        .where(actors_table.c.workspace_id == workspace_id, actors_table.c.sealed_identity.is_not(None), ~recent)
        .values(sealed_identity=None, status="expired", changed_at=changed_at)
    )
    return int(result.rowcount or 0) + int(sealed.rowcount or 0)


def insert_actor_rows(conn: Connection, rows: list[dict]) -> None:
    if rows:
        conn.execute(insert(actors_table), rows)
