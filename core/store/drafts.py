"""Refused drafts (issue 13): what a person typed when their save was refused on a conflict, kept server-side.

A save refused because someone else changed the same fields first keeps the typed values so that nothing is lost;
in the browser session alone they would not survive a reload or a new tab. One row per workspace, use case and
person (the actor the save was made as) holds them until that person applies or discards them; another person
never sees it. A ``slot`` tells the kinds apart: ``""`` for a save refused on a conflict, ``"table.<path>"`` for a
table's rows that cannot be saved yet (a required cell empty). Drafts are not audit entries: nothing was saved, so
the audit trail stays untouched.

Bounded, since a draft is written on a refusal the writer cannot otherwise limit: at most
:data:`MAX_DRAFT_FIELDS` field paths of at most :data:`MAX_PATH_LENGTH` characters, their values as JSON of at most
:data:`MAX_DRAFT_CHARS` characters in all.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Connection

from core.store.actors import lookup_key
from core.store.engine import StoreEngine
from core.store.rows import workspace_row
from core.store.schema import drafts_table
from core.store.values import MAX_ACTOR_LENGTH, check_actor, iso, now_utc, parse_iso

MAX_DRAFT_FIELDS = 50
MAX_PATH_LENGTH = 200
MAX_DRAFT_CHARS = 100_000


@dataclass(frozen=True)
class StoredDraft:
    """A kept refused draft: the use case, the typed values (dotted path → JSON value), who saved those fields
    first and when (None when unknown), and when it was kept (UTC)."""

    use_case_id: str
    changes: dict[str, Any] = field(hash=False)
    changed_by: str
    changed_at: datetime | None
    kept_at: datetime
    slot: str = ""


def draft_document(changes: Mapping[str, Any]) -> str:
    """The stored JSON of ``changes``; ``ValueError`` when it is empty or over the bounds."""
    if not changes:
        raise ValueError("draft: nothing to keep")
    if len(changes) > MAX_DRAFT_FIELDS:
        raise ValueError(f"draft: at most {MAX_DRAFT_FIELDS} fields")
    for path in changes:
        if not isinstance(path, str) or not path or len(path) > MAX_PATH_LENGTH:
            raise ValueError(f"draft: a field path of 1 to {MAX_PATH_LENGTH} characters is required")
    try:
        document = json.dumps(dict(changes), ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError) as error:
        raise ValueError(f"draft: the values are not JSON ({error})") from None
    if len(document) > MAX_DRAFT_CHARS:
        raise ValueError(f"draft: at most {MAX_DRAFT_CHARS} characters of values")
    return document


def _stored(row: Any) -> StoredDraft:
    return StoredDraft(use_case_id=row.use_case_id, changes=json.loads(row.changes), changed_by=row.changed_by,
                       changed_at=parse_iso(row.changed_at) if row.changed_at else None,
                       kept_at=parse_iso(row.kept_at), slot=row.slot)


def _mine(workspace_id: str, use_case_id: str, owner: str, slot: str) -> Any:
    return ((drafts_table.c.workspace_id == workspace_id) & (drafts_table.c.use_case_id == use_case_id)
            & (drafts_table.c.actor == owner) & (drafts_table.c.slot == slot))


class DraftOps(StoreEngine):
    """Keep, list and drop a person's refused drafts. A row names its typist by the keyed hash the audit trail
    uses (:func:`core.store.actors.lookup_key`), never as text: a draft kept in a pseudonymised workspace must not
    hold the name its audit entries do not hold."""

    def _owner(self, workspace_id: str, actor: str) -> str:
        return lookup_key(self._audit_key_once(), workspace_id, actor)

    def keep_draft(self, workspace_id: str, use_case_id: str, actor: str, changes: Mapping[str, Any],
                   changed_by: str = "", changed_at: datetime | None = None, slot: str = "") -> StoredDraft:
        """Keep ``changes`` as ``actor``'s draft of the use case in ``slot``, replacing the one kept there before
        (the newest refusal holds everything the person still means to apply); ``ValueError`` over the bounds."""
        actor = check_actor(actor)
        document = draft_document(changes)
        if len(slot) > MAX_ACTOR_LENGTH:
            raise ValueError(f"draft: a slot of at most {MAX_ACTOR_LENGTH} characters")
        # Shown, never signed: a name longer than an actor column came from no save and is cut, not refused.
        changed_by = (changed_by or "").strip()[:MAX_ACTOR_LENGTH]
        moment = now_utc()

        owner = self._owner(workspace_id, actor)

        def work(conn: Connection) -> StoredDraft:
            workspace_row(conn, workspace_id)
            conn.execute(delete(drafts_table).where(_mine(workspace_id, use_case_id, owner, slot)))
            conn.execute(insert(drafts_table).values(
                workspace_id=workspace_id, use_case_id=use_case_id, actor=owner, slot=slot, changes=document,
                changed_by=changed_by, changed_at=iso(changed_at) if changed_at else None, kept_at=iso(moment)))
            return StoredDraft(use_case_id, json.loads(document), changed_by, changed_at, moment, slot)

        return self._write(work)

    def drafts_for(self, workspace_id: str, actor: str, slot: str = "") -> list[StoredDraft]:
        """``actor``'s kept drafts in ``slot`` of the workspace, oldest first; nobody else's."""
        owner = self._owner(workspace_id, actor.strip())
        with self._read() as conn:
            rows = conn.execute(select(drafts_table).where(
                drafts_table.c.workspace_id == workspace_id, drafts_table.c.actor == owner,
                drafts_table.c.slot == slot,
            ).order_by(drafts_table.c.kept_at, drafts_table.c.use_case_id)).all()
        return [_stored(row) for row in rows]

    def drop_draft(self, workspace_id: str, use_case_id: str, actor: str, slot: str = "") -> bool:
        """Forget ``actor``'s draft of the use case in ``slot`` (applied or discarded); False when there was none."""
        owner = self._owner(workspace_id, actor.strip())

        def work(conn: Connection) -> bool:
            deleted = conn.execute(delete(drafts_table).where(_mine(workspace_id, use_case_id, owner, slot)))
            return deleted.rowcount > 0

        return self._write(work)
