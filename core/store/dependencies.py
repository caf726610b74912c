"""S20 "needs" between use cases stay inside the workspace: a saved or restored use case needs only live use
cases, and a use case that a live one needs cannot be deleted. The workspace model refuses a dangling need on
import; these checks keep every stored workspace loadable after single-use-case writes."""

from __future__ import annotations

import json
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.engine import Connection

from core.models import UseCase
from core.store.errors import StoreError
from core.store.schema import use_cases_table


def check_needs_live(conn: Connection, workspace_id: str, use_case: UseCase, known: Iterable[str] = ()) -> None:
    """:class:`StoreError` naming the first need of ``use_case`` (besides ``known`` ones, already checked) that is
    not a live use case of the workspace; the needed rows are locked until the transaction ends."""
    wanted = [need for need in use_case.needs if need not in set(known)]
    if not wanted:
        return
    rows = conn.execute(
        select(use_cases_table.c.use_case_id, use_cases_table.c.deleted)
        .where(use_cases_table.c.workspace_id == workspace_id, use_cases_table.c.use_case_id.in_(wanted))
        .with_for_update()
    ).all()
    live = {row.use_case_id for row in rows if not row.deleted}
    missing = [need for need in wanted if need not in live]
    if missing:
        raise StoreError(f"'{use_case.id}' needs '{missing[0]}', which is not a use case of this workspace")


def check_not_needed(conn: Connection, workspace_id: str, use_case_id: str) -> None:
    """:class:`StoreError` naming the live use cases that need ``use_case_id`` (it cannot be deleted then)."""
    rows = conn.execute(
        select(use_cases_table.c.use_case_id, use_cases_table.c.document).where(
            use_cases_table.c.workspace_id == workspace_id, use_cases_table.c.deleted.is_(False),
            use_cases_table.c.use_case_id != use_case_id, use_cases_table.c.document.like('%"needs":%'))
    ).all()
    dependents = [row.use_case_id for row in rows if use_case_id in json.loads(row.document).get("needs", ())]
    if dependents:
        raise StoreError(f"'{use_case_id}' cannot be deleted: {', '.join(dependents)} "
                         f"{'needs' if len(dependents) == 1 else 'need'} it; remove that dependency first")
