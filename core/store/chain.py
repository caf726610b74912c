"""The audit trail's hash chain: every entry links to the one before it, so a changed, removed or inserted entry
shows (issue 12 item 7).

``entry_hash = SHA-256(prev_hash + "\\n" + content)`` where ``content`` is the canonical JSON array of the entry's
stored columns except its id (:func:`entry_content`); the first entry's ``prev_hash`` is 64 zeros. The content
holds the actor id (a pseudonym, :mod:`core.store.actors`), never the identity, so pseudonymisation, retention and
erasure keep the chain valid. ``store_meta`` keeps the chain head (entry count and last hash), updated in the same
transaction as every append, so entries cut off the end show too; reading it ``FOR UPDATE`` is what serialises
concurrent appends on PostgreSQL.

Limits: the chain is unkeyed, so someone who can rewrite ``audit_log`` and ``store_meta`` both can recompute it;
compare the head that ``python -m core.cli audit verify`` prints with a copy kept elsewhere, and on PostgreSQL give
the app a role that can only INSERT and SELECT on ``audit_log`` (README, "Security").

Example: ``link_hash(GENESIS, entry_content({...}))`` is the first entry's hash.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.engine import Connection

from core.store.actors import PSEUDONYM_PREFIX, ActorRef, audit_key, insert_actor_rows, lookup_key
from core.store.schema import audit_log_table, store_meta_table

GENESIS = "0" * 64
HEAD_KEY = "audit_chain_head"
CONTENT_COLUMNS: tuple[str, ...] = (
    "at", "actor_id", "workspace_id", "use_case_id", "action", "field_path", "old_value", "new_value",
    "idempotency_key",
)
_VERIFY_BATCH = 5_000
# Built once: every save runs them.
_HEAD = select(store_meta_table.c.value).where(store_meta_table.c.key == HEAD_KEY)
_HEAD_FOR_UPDATE = _HEAD.with_for_update()
_MOVE_HEAD = update(store_meta_table).where(store_meta_table.c.key == HEAD_KEY).values(value=bindparam("head"))


def entry_content(entry: Mapping[str, Any] | Any) -> str:
    """The canonical text an entry's hash covers: its columns of :data:`CONTENT_COLUMNS` as a compact JSON array."""
    get = entry.get if isinstance(entry, Mapping) else lambda name: getattr(entry, name)
    return json.dumps([get(name) for name in CONTENT_COLUMNS], ensure_ascii=False, separators=(",", ":"))


def link_hash(prev_hash: str, content: str) -> str:
    """SHA-256 over the previous entry's hash and this entry's content, as 64 hex digits."""
    return hashlib.sha256(f"{prev_hash}\n{content}".encode()).hexdigest()


def _head(conn: Connection, lock: bool) -> tuple[int, str] | None:
    value = conn.scalar(_HEAD_FOR_UPDATE if lock else _HEAD)
    if value is None:
        return None
    head = json.loads(value)
    return int(head["entries"]), str(head["hash"])


def _head_value(entries: int, last_hash: str) -> str:
    return json.dumps({"entries": entries, "hash": last_hash}, sort_keys=True)


def _write_head(conn: Connection, entries: int, last_hash: str, exists: bool) -> None:
    if exists:
        conn.execute(_MOVE_HEAD, {"head": _head_value(entries, last_hash)})
    else:
        conn.execute(insert(store_meta_table).values(key=HEAD_KEY, value=_head_value(entries, last_hash)))


def append_entries(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Insert audit rows (dicts of :data:`CONTENT_COLUMNS`) with their chain links, and move the head on."""
    if not rows:
        return
    head = _head(conn, lock=True)
    if head is None:
        # A head removed by hand: carry on from the last stored entry (verify reports the gap until then).
        last = conn.execute(select(audit_log_table.c.entry_hash).order_by(audit_log_table.c.id.desc()).limit(1)).first()
        count = int(conn.scalar(select(func.count()).select_from(audit_log_table)) or 0)
        entries, previous = count, (last.entry_hash if last is not None and last.entry_hash else GENESIS)
    else:
        entries, previous = head
    linked = []
    for row in rows:
        entry_hash = link_hash(previous, entry_content(row))
        linked.append({**row, "prev_hash": previous, "entry_hash": entry_hash})
        previous = entry_hash
    conn.execute(insert(audit_log_table), linked)
    _write_head(conn, entries + len(linked), previous, exists=head is not None)


def entry_row(at: str, actor: ActorRef, workspace_id: str, use_case_id: str | None, action: str,
              field_path: str | None, old_value: str | None, new_value: str | None,
              idempotency_key: str | None = None) -> dict[str, Any]:
    return {"at": at, "actor_id": actor.id, "workspace_id": workspace_id, "use_case_id": use_case_id,
            "action": action, "field_path": field_path, "old_value": old_value, "new_value": new_value,
            "idempotency_key": idempotency_key}


BreakKind = Literal["altered", "out_of_order", "unchained", "cut_off", "head_missing"]


@dataclass(frozen=True)
class ChainReport:
    """What :func:`verify_chain` found: the entries checked, the head hash, and the first broken link if any."""

    entries: int
    head_hash: str
    broken_kind: BreakKind | None = None
    broken_id: int | None = None
    broken_at: str | None = None
    previous_id: int | None = None
    expected_entries: int | None = None

    @property
    def ok(self) -> bool:
        return self.broken_kind is None

    def sentence(self) -> str:
        """One English sentence for the log and the command line, e.g. "The audit trail is intact: 12 entries …"."""
        where = f"entry {self.broken_id} ({(self.broken_at or '')[:19].replace('T', ' ')} UTC)"
        if self.broken_kind is None:
            return (f"The audit trail is intact: {self.entries} entries, each linked to the one before it "
                    f"(chain head {self.head_hash}).")
        if self.broken_kind == "altered":
            return (f"The audit trail is broken at {where}: its content no longer matches its hash, so it was "
                    "changed after it was written.")
        if self.broken_kind == "out_of_order":
            before = (f"entry {self.previous_id}" if self.previous_id is not None else "the start of the trail")
            return (f"The audit trail is broken at {where}: it does not follow {before}, so entries between them "
                    "were removed or inserted, or the one before it was changed.")
        if self.broken_kind == "unchained":
            return (f"The audit trail is broken at {where}: it carries no chain link, so it was written around the "
                    "store.")
        if self.broken_kind == "cut_off":
            return (f"The audit trail is broken at its end: {self.entries} entries are stored but "
                    f"{self.expected_entries} were written, so entries after entry {self.previous_id} were removed.")
        return ("The audit trail's chain head is missing from the database, so removed entries at its end cannot "
                f"be ruled out; the {self.entries} entries stored are linked correctly.")


def verify_chain(conn: Connection) -> ChainReport:
    """Recompute every link in id order; the first broken one, or a report that all hold.

    Reads plain driver tuples in batches: ≈10 µs per entry, so 100,000 entries take about a second.
    """
    previous, previous_id, count = GENESIS, None, 0
    columns = ", ".join(CONTENT_COLUMNS)
    result = conn.execution_options(yield_per=_VERIFY_BATCH).exec_driver_sql(
        f"SELECT id, prev_hash, entry_hash, {columns} FROM audit_log ORDER BY id"  # nosec B608: constant names
    )
    dumps, sha256 = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode, hashlib.sha256
    try:
        for entry_id, prev_hash, entry_hash, *content in result:
            kind: BreakKind | None = None
            if entry_hash is None or prev_hash is None:
                kind = "unchained"
            elif prev_hash != previous:
                kind = "out_of_order"
            elif sha256(f"{prev_hash}\n{dumps(content)}".encode()).hexdigest() != entry_hash:
                kind = "altered"
            if kind is not None:
                return ChainReport(count, previous, kind, entry_id, content[0], previous_id)
            previous, previous_id, count = entry_hash, entry_id, count + 1
    finally:
        result.close()
    head = _head(conn, lock=False)
    if head is None:
        return ChainReport(count, previous, "head_missing") if count else ChainReport(count, previous)
    entries, head_hash = head
    if entries != count or head_hash != previous:
        return ChainReport(count, previous, "cut_off", previous_id=previous_id, expected_entries=entries)
    return ChainReport(count, previous)


def chain_existing_entries(conn: Connection) -> None:
    """Migration 5: move the names in ``audit_log.actor_id`` into ``actors`` rows and chain every entry in id order.

    One actor row per workspace, person and month (every workspace was named then: pseudonymised mode is newer).
    """
    key = audit_key(conn)
    rows = conn.execute(select(audit_log_table).order_by(audit_log_table.c.id)).all()
    actor_ids: dict[tuple[str, str, str], str] = {}
    new_actors: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    previous = GENESIS
    for row in rows:
        identity = row.actor_id
        person = (row.workspace_id, identity, row.at[:7])
        if person not in actor_ids:
            actor_ids[person] = PSEUDONYM_PREFIX + secrets.token_hex(6)
            new_actors.append({"id": actor_ids[person], "workspace_id": row.workspace_id,
                               "lookup_key": lookup_key(key, row.workspace_id, identity), "period": row.at[:7],
                               "identity": identity, "status": "named", "created_at": row.at})
        content = {**row._mapping, "actor_id": actor_ids[person]}
        entry_hash = link_hash(previous, entry_content(content))
        updates.append({"row_id": row.id, "new_actor": actor_ids[person], "new_prev": previous,
                        "new_hash": entry_hash})
        previous = entry_hash
    insert_actor_rows(conn, new_actors)
    if updates:
        conn.execute(
            update(audit_log_table).where(audit_log_table.c.id == bindparam("row_id"))
            .values(actor_id=bindparam("new_actor"), prev_hash=bindparam("new_prev"), entry_hash=bindparam("new_hash")),
            updates,
        )
    _write_head(conn, len(rows), previous, exists=_head(conn, lock=False) is not None)
