"""The audit trail: one append-only row per changed field path, its queries, CSV export and gate decisions.

Every write of the store appends here inside its own transaction, so a change and its audit rows commit
together or not at all. The database itself refuses UPDATE and DELETE on ``audit_log`` (see
:mod:`core.store.schema`).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from dataclasses import asdict, is_dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from core.store.engine import StoreEngine
from core.store.errors import NotFoundError
from core.store.records import AuditEntry
from core.store.rows import use_case_row, workspace_row
from core.store.schema import audit_log_table
from core.store.values import check_actor, iso, now_utc, parse_iso

Change = tuple[str | None, Any, Any]
"""``(field path or None, old value, new value)``, as :func:`core.models.diff_fields` yields them."""

_CSV_HEADER = ["id", "at_utc", "actor", "workspace_id", "use_case_id", "action", "field_path", "old_value",
               "new_value"]


def audit_value(value: Any) -> str:
    """An audit cell: JSON with sorted keys, e.g. ``{"name": "A", "use_cases": 3}``."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, allow_nan=False, default=str)


def _audit_value_or_none(value: Any) -> str | None:
    return None if value is None else audit_value(value)


def append_audit(
    conn: Connection,
    at: str,
    actor: str,
    workspace_id: str,
    use_case_id: str | None,
    action: str,
    changes: Sequence[Change],
    idempotency_key: str | None = None,
) -> None:
    """One audit row per change, in the caller's transaction; nothing for no changes."""
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
                "old_value": _audit_value_or_none(old),
                "new_value": _audit_value_or_none(new),
                "idempotency_key": idempotency_key,
            }
            for path, old, new in changes
        ],
    )


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


class AuditOps(StoreEngine):
    """Reading the audit trail, and recording gate decisions into it."""

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
            conn.execute(
                insert(audit_log_table).values(
                    at=iso(now_utc()), actor=actor, workspace_id=workspace_id, use_case_id=use_case_id,
                    action="gate_decision", field_path=field_path, old_value=previous,
                    new_value=audit_value(new_value),
                )
            )

        self._write(work)

    def audit(self, workspace_id: str, use_case_id: str | None = None, limit: int | None = None) -> list[AuditEntry]:
        """Audit entries of a workspace, newest first, optionally for one use case."""
        query = select(audit_log_table).where(audit_log_table.c.workspace_id == workspace_id)
        if use_case_id is not None:
            query = query.where(audit_log_table.c.use_case_id == use_case_id)
        query = query.order_by(audit_log_table.c.id.desc())
        if limit is not None:
            query = query.limit(limit)
        with self._read() as conn:
            workspace_row(conn, workspace_id)
            rows = conn.execute(query).all()
        return [
            AuditEntry(
                id=row.id, at=parse_iso(row.at), actor=row.actor, workspace_id=row.workspace_id,
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
        writer.writerow(_CSV_HEADER)
        for entry in entries:
            writer.writerow([_csv_cell(value) for value in (
                entry.id, iso(entry.at), entry.actor, entry.workspace_id, entry.use_case_id or "",
                entry.action, entry.field_path or "", entry.old_value or "", entry.new_value or "",
            )])
        return buffer.getvalue()
