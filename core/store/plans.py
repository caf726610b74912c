"""Saved S20 portfolio plans: save under a name (unique per workspace), list, get and delete, each audited.

A plan is one row holding its :class:`core.models.SavedPlan` as JSON, with who saved it and when. Plans are
decisions: a saved plan never changes; saving another under the same name is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from core.models import SavedPlan
from core.store.actors import shown_actor
from core.store.audit import append_audit
from core.store.engine import StoreEngine
from core.store.errors import NotFoundError, StoreError
from core.store.rows import workspace_row
from core.store.schema import portfolio_plans_table
from core.store.values import check_actor, iso, now_utc, parse_iso

PLAN_FIELD_PATH = "portfolio_plan"


@dataclass(frozen=True)
class StoredPlan:
    """A saved plan with its row id, the time it was saved (UTC) and who saved it."""

    id: int
    created_at: datetime
    actor: str
    plan: SavedPlan

    @property
    def name(self) -> str:
        return self.plan.name


def plan_summary(plan: SavedPlan) -> dict[str, object]:
    """What the audit trail records of a plan: name, limits, what it maximised, chosen ids and totals."""
    return plan.model_dump(mode="json")


def _stored(row) -> StoredPlan:
    return StoredPlan(id=int(row.id), created_at=parse_iso(row.created_at), actor=row.actor,
                      plan=SavedPlan.model_validate_json(row.document))


class PlanOps(StoreEngine):
    """Saved portfolio plans of a workspace (S20)."""

    def save_plan(self, workspace_id: str, plan: SavedPlan, actor: str) -> StoredPlan:
        """Store ``plan`` under its name; :class:`StoreError` if the workspace has a plan of that name already.

        One audit entry ``save_plan`` (field path ``portfolio_plan``) holds the whole plan.
        """
        actor = check_actor(actor)
        taken = f"a plan named '{plan.name}' already exists in this workspace"

        def work(conn: Connection) -> StoredPlan:
            workspace_row(conn, workspace_id, lock=True)
            if self._plan_row(conn, workspace_id, plan.name) is not None:
                raise StoreError(taken)
            moment = now_utc()
            shown = shown_actor(conn, workspace_id, actor, iso(moment))
            plan_id = conn.execute(insert(portfolio_plans_table).values(
                workspace_id=workspace_id, name=plan.name, created_at=iso(moment), actor=shown,
                document=plan.model_dump_json(),
            )).inserted_primary_key[0]
            append_audit(conn, iso(moment), actor, workspace_id, None, "save_plan",
                         [(PLAN_FIELD_PATH, None, plan_summary(plan))])
            return StoredPlan(id=int(plan_id), created_at=moment, actor=shown, plan=plan)

        try:
            return self._write(work)
        except IntegrityError:
            raise StoreError(taken) from None

    def list_plans(self, workspace_id: str) -> list[StoredPlan]:
        """Every saved plan of the workspace, newest first."""
        with self._read() as conn:
            workspace_row(conn, workspace_id)
            rows = conn.execute(select(portfolio_plans_table)
                                .where(portfolio_plans_table.c.workspace_id == workspace_id)
                                .order_by(portfolio_plans_table.c.id.desc())).all()
        return [_stored(row) for row in rows]

    def get_plan(self, workspace_id: str, name: str) -> StoredPlan:
        with self._read() as conn:
            workspace_row(conn, workspace_id)
            row = self._plan_row(conn, workspace_id, name)
        if row is None:
            raise NotFoundError(f"no plan named '{name}' in this workspace")
        return _stored(row)

    def delete_plan(self, workspace_id: str, name: str, actor: str) -> None:
        """Remove a saved plan; the audit trail keeps what it was (``delete_plan``, old value = the plan)."""
        actor = check_actor(actor)

        def work(conn: Connection) -> None:
            workspace_row(conn, workspace_id, lock=True)
            row = self._plan_row(conn, workspace_id, name)
            if row is None:
                raise NotFoundError(f"no plan named '{name}' in this workspace")
            conn.execute(delete(portfolio_plans_table).where(portfolio_plans_table.c.id == row.id))
            append_audit(conn, iso(now_utc()), actor, workspace_id, None, "delete_plan",
                         [(PLAN_FIELD_PATH, plan_summary(SavedPlan.model_validate_json(row.document)), None)])

        self._write(work)

    @staticmethod
    def _plan_row(conn: Connection, workspace_id: str, name: str):
        return conn.execute(select(portfolio_plans_table).where(
            portfolio_plans_table.c.workspace_id == workspace_id, portfolio_plans_table.c.name == name)).one_or_none()
