"""The audit trail: one append-only row per changed field path, its queries, CSV export and gate decisions.

Every write of the store appends here inside its own transaction, so a change and its audit rows commit
together or not at all. The database itself refuses UPDATE and DELETE on ``audit_log`` (see
:mod:`core.store.schema`), and each entry links to the one before it (:mod:`core.store.chain`), so an entry changed
or removed around the store shows in :meth:`AuditOps.verify_audit`. An entry names its actor by pseudonym; the
person is looked up in ``actors`` when the trail is read (:mod:`core.store.actors`).

Reading merges the steps of one drag: :func:`coalesce_entries` folds consecutive changes of one field by one
actor, each within :data:`COALESCE_WINDOW_S` of the one before, into one entry (first old → last new); the stored
entries stay as they were written.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import threading
from collections.abc import Sequence
from dataclasses import asdict, is_dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from core.store.actors import (
    AUDIT_SECRET_ENV,
    ActorRef,
    actor_ref,
    audit_key,
    expire_identities,
    lookup_key,
    months_before,
    replace_person,
    shown_actor,
    unseal_identity,
)
from core.store.chain import ChainReport, append_entries, entry_row, verify_chain
from core.store.engine import StoreEngine, reason
from core.store.errors import NotFoundError, StoreError
from core.store.records import AuditEntry, ErasureReport, StoreNotice
from core.store.rows import use_case_row, workspace_row
from core.store.schema import (
    actors_table,
    audit_log_table,
    drafts_table,
    missing_audit_triggers,
    restore_audit_triggers,
    workspaces_table,
)
from core.store.values import check_actor, iso, now_utc, parse_iso, stored_settings

_LOG = logging.getLogger("core.store")
SYNC_VERIFY_ENTRIES = 20_000
"""Up to this many entries (≈0.2-0.4 s) the start-up check verifies the chain before the Store is returned."""

Change = tuple[str | None, Any, Any]
"""``(field path or None, old value, new value)``, as :func:`core.models.diff_fields` yields them."""

_CSV_HEADER = ["id", "at_utc", "actor", "workspace_id", "use_case_id", "action", "field_path", "old_value",
               "new_value", "steps", "actor_id"]
COALESCE_WINDOW_S = 30.0
"""Steps of one field by one actor at most this many seconds apart read as one change (a slider drag)."""
COALESCE_MAX_SPAN_S = 600.0
"""…and at most this long from the first step to the last, so an afternoon of edits stays an afternoon of entries."""
COALESCED_ACTIONS = frozenset({"update_use_case", "apply_changes"})


def audit_value(value: Any) -> str:
    """An audit cell: JSON with sorted keys, e.g. ``{"name": "A", "use_cases": 3}``."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, allow_nan=False, default=str)


def _audit_value_or_none(value: Any) -> str | None:
    return None if value is None else audit_value(value)


def append_audit(
    conn: Connection,
    at: str,
    actor: str | ActorRef,
    workspace_id: str,
    use_case_id: str | None,
    action: str,
    changes: Sequence[Change],
    idempotency_key: str | None = None,
) -> None:
    """One chained audit row per change, in the caller's transaction; nothing for no changes.

    ``actor`` is the identity (display name, e-mail or subject) as the store's callers pass it, or an
    :class:`~core.store.actors.ActorRef` the transaction resolved already.
    """
    if not changes:
        return
    signer = actor if isinstance(actor, ActorRef) else actor_ref(conn, workspace_id, actor, at)
    append_entries(conn, [
        entry_row(at, signer, workspace_id, use_case_id, action, path, _audit_value_or_none(old),
                  _audit_value_or_none(new), idempotency_key)
        for path, old, new in changes
    ])


def _same_step(entry: AuditEntry, last: AuditEntry, first: AuditEntry) -> bool:
    return (
        entry.action in COALESCED_ACTIONS and entry.action == last.action and entry.actor_id == last.actor_id
        and entry.use_case_id == last.use_case_id and entry.field_path == last.field_path
        and entry.field_path is not None
        and (entry.at - last.at).total_seconds() <= COALESCE_WINDOW_S
        and (entry.at - first.at).total_seconds() <= COALESCE_MAX_SPAN_S
    )


def coalesce_entries(entries: Sequence[AuditEntry]) -> list[AuditEntry]:
    """Entries as a reader sees them (issue 13): consecutive steps on one field of one use case by one actor,
    each at most :data:`COALESCE_WINDOW_S` after the previous step (and :data:`COALESCE_MAX_SPAN_S` after the
    first), become one entry from the first old value to the last new value, with ``steps`` counting them and the
    id and time of the last. Another actor's change of the same field ends a run. Newest (last id) first.

    Example: a drag 0.50 → 0.51 → 0.52 → 0.53 by Ada within two seconds reads as one entry 0.50 → 0.53, steps 3.
    """
    chronological = sorted(entries, key=lambda entry: entry.id)
    merged: list[AuditEntry] = []
    open_runs: dict[tuple[str | None, str | None], tuple[int, AuditEntry, AuditEntry]] = {}
    for entry in chronological:
        key = (entry.use_case_id, entry.field_path)
        run = open_runs.get(key)
        if run is not None and _same_step(entry, run[2], run[1]):
            index, first, _ = run
            merged[index] = replace(entry, old_value=first.old_value, steps=merged[index].steps + entry.steps)
            open_runs[key] = (index, first, entry)
            continue
        merged.append(entry)
        open_runs[key] = (len(merged) - 1, entry, entry)
    return sorted(merged, key=lambda entry: entry.id, reverse=True)


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


def _erase_in_workspace(
    conn: Connection, workspace_id: str, identity: str, key: bytes, at: str
) -> tuple[str | None, dict[str, int]]:
    """The erasure's share of one workspace: the pseudonym now shown for ``identity`` there (None if it never
    signed anything there) and the rows changed per table."""
    rows = conn.execute(
        select(actors_table.c.id, actors_table.c.created_at)
        .where(actors_table.c.workspace_id == workspace_id,
               or_(actors_table.c.identity == identity,
                   actors_table.c.lookup_key == lookup_key(key, workspace_id, identity)))
        .order_by(actors_table.c.created_at)
    ).all()
    if not rows:
        return None, {}
    pseudonym = rows[-1].id
    changed = {"actors": int(conn.execute(
        update(actors_table).where(actors_table.c.id.in_([row.id for row in rows]))
        .values(identity=None, lookup_key=None, sealed_identity=None, status="erased", changed_at=at)).rowcount or 0)}
    changed.update(replace_person(conn, workspace_id, identity, pseudonym))
    return pseudonym, changed


class AuditOps(StoreEngine):
    """Reading the audit trail, and recording gate decisions into it; verifying its chain, retention, erasure."""

    _notices: tuple[StoreNotice, ...] = ()

    @property
    def notices(self) -> tuple[StoreNotice, ...]:
        """What the start-up check found so far (a long chain is verified in the background, its notice follows)."""
        return self._notices

    def _notify(self, found: Sequence[StoreNotice]) -> None:
        for notice in found:
            _LOG.warning(notice.text)
        self._notices = (*self._notices, *found)

    def verify_audit(self) -> ChainReport:
        """Recompute the chain over every entry (issue 12): the first broken link, or a report that all hold."""
        with self._read() as conn:
            return verify_chain(conn)

    def startup_check(self, background: bool = False) -> tuple[StoreNotice, ...]:
        """What a Store runs once when it opens: re-create missing append-only triggers, verify the chain, apply
        each workspace's retention. Returns (and logs) what a user should know; nothing when all is well.

        ``background``: a trail longer than :data:`SYNC_VERIFY_ENTRIES` is verified in a thread (≈1-2 s per
        100,000 entries), so the app starts at once; its notice joins :attr:`notices` when done.
        """
        self._notices = ()
        with self._read() as conn:
            missing = missing_audit_triggers(conn)
            entries = int(conn.scalar(select(func.count()).select_from(audit_log_table)) or 0)
        if missing:
            names = ", ".join(missing)
            try:
                self._write(lambda conn: restore_audit_triggers(conn, missing))
                self._notify([StoreNotice("triggers_recreated", f"The audit trail's append-only triggers {names} "
                                          "were missing or switched off and have been re-created.",
                                          (("triggers", names),))])
            except DBAPIError as error:
                self._notify([StoreNotice("triggers_missing", f"The audit trail's append-only triggers {names} are "
                                          f"missing and could not be re-created: {reason(error)}.",
                                          (("triggers", names),))])
        if not self.audit_secret_configured and self._any_pseudonymised():
            self._notify([StoreNotice("secret_missing", f"A workspace is pseudonymised but {AUDIT_SECRET_ENV} is "
                                      "not set: its keyed hashes use a key kept in the database itself.")])
        if background and entries > SYNC_VERIFY_ENTRIES:
            threading.Thread(target=self._check_chain_and_retention, name="audit-verify", daemon=True).start()
        else:
            self._check_chain_and_retention()
        return self.notices

    def _check_chain_and_retention(self) -> None:
        try:
            report = self.verify_audit()
            if not report.ok:
                self._notify([StoreNotice("chain_broken", report.sentence(), (
                    ("entry", str(report.broken_id or "")), ("at", (report.broken_at or "")[:19].replace("T", " "))))])
            self.apply_retention()
        except (DBAPIError, StoreError) as error:
            _LOG.warning("the audit check could not finish: %s", reason(error))

    def _any_pseudonymised(self) -> bool:
        with self._read() as conn:
            return any(stored_settings(settings).audit_pseudonymised
                       for settings in conn.scalars(select(workspaces_table.c.settings)))

    def apply_retention(self, moment: datetime | None = None) -> int:
        """Retention (S23): in each workspace with ``audit_retention_months``, the identities of months older than
        that are replaced by their pseudonyms; the entries stay. Returns the actor rows changed."""
        with self._read() as conn:
            rows = conn.execute(select(workspaces_table.c.id, workspaces_table.c.settings)).all()
        due = [(row.id, stored_settings(row.settings).audit_retention_months) for row in rows]
        due = [(workspace_id, months) for workspace_id, months in due if months is not None]
        if not due:
            return 0
        return self._write(lambda conn: sum(expire_identities(conn, workspace_id, months, moment)
                                            for workspace_id, months in due))

    def erase_identity(self, identity: str, actor: str) -> ErasureReport:
        """A data subject's erasure (GDPR Art. 17, S23): ``identity`` (as the store was given it as ``actor``) is
        replaced by a pseudonym everywhere: the audit trail's actors, ``updated_by``, snapshot and plan authors,
        workshop rounds and participants. Each workspace concerned gets one ``erase_identity`` entry signed by
        ``actor``, naming the pseudonym, never the person. The chain stays valid: entries carry pseudonyms."""
        actor = check_actor(actor)
        identity = identity.strip()
        if not identity:
            raise ValueError("identity: the name, e-mail or subject to erase is required")

        def work(conn: Connection) -> ErasureReport:
            key, at = audit_key(conn), iso(now_utc())
            pseudonyms: dict[str, str] = {}
            totals: dict[str, int] = {}
            workspace_ids = conn.scalars(select(workspaces_table.c.id).order_by(workspaces_table.c.id)).all()
            for workspace_id in workspace_ids:
                pseudonym, changed = _erase_in_workspace(conn, workspace_id, identity, key, at)
                if pseudonym is None:
                    continue
                pseudonyms[workspace_id] = pseudonym
                for name, count in changed.items():
                    totals[name] = totals.get(name, 0) + count
                append_audit(conn, at, actor, workspace_id, None, "erase_identity",
                             [("actor", None, {"pseudonym": pseudonym, "rows": changed})])
            # A kept draft is no record of anything saved: the person's drafts go (found by their keyed hash).
            conn.execute(delete(drafts_table).where(drafts_table.c.actor.in_(
                [lookup_key(key, workspace_id, identity) for workspace_id in workspace_ids])))
            return ErasureReport(pseudonyms=pseudonyms, rows=totals)

        return self._write(work)

    def pseudonyms_of(self, workspace_id: str, identities: Sequence[str]) -> dict[str, str]:
        """For someone entitled to see names (a workspace owner, S23): the pseudonyms these identities signed with
        in the workspace, ``{actor_id: identity}``, found by their keyed hash; erased people are not found."""
        def work(conn: Connection) -> dict[str, str]:
            key = audit_key(conn)
            by_key = {lookup_key(key, workspace_id, identity): identity for identity in identities}
            rows = conn.execute(select(actors_table.c.id, actors_table.c.lookup_key).where(
                actors_table.c.workspace_id == workspace_id, actors_table.c.lookup_key.in_(sorted(by_key)))).all()
            return {row.id: by_key[row.lookup_key] for row in rows}

        return self._write(work) if identities else {}

    def shown_identity(self, workspace_id: str, identity: str) -> str:
        """How the workspace's rules show ``identity`` as an author (e.g. the Excel pack's author property):
        the identity itself, or its pseudonym in pseudonymised mode."""
        identity = check_actor(identity)
        return self._write(lambda conn: shown_actor(conn, workspace_id, identity, iso(now_utc())))

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
        actor = check_actor(actor)
        field_path = f"gates.{gate}"
        new_value = {"decision": decision, "failed_checks": [_gate_check_json(check) for check in failed_checks]}

        def work(conn: Connection) -> None:
            workspace_row(conn, workspace_id)
            if use_case_row(conn, workspace_id, use_case_id) is None:
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
            at = iso(now_utc())
            signer = actor_ref(conn, workspace_id, actor, at)
            append_entries(conn, [entry_row(at, signer, workspace_id, use_case_id, "gate_decision", field_path,
                                            previous, audit_value(new_value))])

        self._write(work)

    def audit(self, workspace_id: str, use_case_id: str | None = None, limit: int | None = None,
              coalesce: bool = False, reveal_names: bool = False) -> list[AuditEntry]:
        return self._audit_entries(workspace_id, use_case_id, limit, coalesce, reveal_names)

    def _audit_entries(self, workspace_id: str, use_case_id: str | None = None, limit: int | None = None,
                       coalesce: bool = False, reveal_names: bool = False) -> list[AuditEntry]:
        """Audit entries of a workspace, newest first, optionally for one use case.

        ``actor`` is the person where the workspace's rules still allow it, else the pseudonym (``actor_id``).
        ``reveal_names``: in pseudonymised mode, the sealed identity where it is still kept and the entry lies
        within the retention period (only for an owner: :meth:`AccessOps.audit <core.store.access.AccessOps>`).
        ``coalesce`` merges the steps of a drag (:func:`coalesce_entries`); ``limit`` counts stored entries.
        """
        query = (
            select(audit_log_table, actors_table.c.identity, actors_table.c.sealed_identity)
            .outerjoin(actors_table, actors_table.c.id == audit_log_table.c.actor_id)
            .where(audit_log_table.c.workspace_id == workspace_id)
        )
        if use_case_id is not None:
            query = query.where(audit_log_table.c.use_case_id == use_case_id)
        query = query.order_by(audit_log_table.c.id.desc())
        if limit is not None:
            query = query.limit(limit)
        with self._read() as conn:
            settings = stored_settings(workspace_row(conn, workspace_id).settings)
            rows = conn.execute(query).all()
        revealed = self._revealed(rows, settings.audit_retention_months) if reveal_names else {}
        entries = [
            AuditEntry(
                id=row.id, at=parse_iso(row.at), actor=row.identity or revealed.get(row.id) or row.actor_id,
                workspace_id=row.workspace_id,
                use_case_id=row.use_case_id, action=row.action, field_path=row.field_path,
                old_value=row.old_value, new_value=row.new_value, actor_id=row.actor_id,
            )
            for row in rows
        ]
        return coalesce_entries(entries) if coalesce else entries

    def _revealed(self, rows: Sequence[Any], retention_months: int | None) -> dict[int, str]:
        """Entry id → the unsealed identity of its actor, for the entries younger than the retention cut-off."""
        sealed = [row for row in rows if row.identity is None and row.sealed_identity]
        if not sealed:
            return {}
        key = self._audit_key_once()
        cutoff = f"{months_before(now_utc(), retention_months)}-01" if retention_months else ""
        names: dict[str, str | None] = {}
        revealed = {}
        for row in sealed:
            if row.at < cutoff:
                continue
            if row.sealed_identity not in names:
                names[row.sealed_identity] = unseal_identity(key, row.sealed_identity)
            if names[row.sealed_identity]:
                revealed[row.id] = names[row.sealed_identity]
        return revealed

    def audit_csv(self, workspace_id: str, use_case_id: str | None = None, limit: int | None = None,
                  coalesce: bool = True, reveal_names: bool = False) -> str:
        """The audit trail as CSV text (UTC ISO times), newest first; a drag's steps merged into one row whose
        ``steps`` column counts them (``coalesce=False``: every stored entry); ``reveal_names`` as :meth:`audit`."""
        entries = self._audit_entries(workspace_id, use_case_id, limit, coalesce, reveal_names)
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(_CSV_HEADER)
        for entry in entries:
            writer.writerow([_csv_cell(value) for value in (
                entry.id, iso(entry.at), entry.actor, entry.workspace_id, entry.use_case_id or "",
                entry.action, entry.field_path or "", entry.old_value or "", entry.new_value or "", entry.steps,
                entry.actor_id,
            )])
        return buffer.getvalue()
