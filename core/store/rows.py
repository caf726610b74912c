"""The row lookups most operations start from: a workspace or a use case by its key, optionally locked.

``lock=True`` adds ``FOR UPDATE`` (PostgreSQL holds the row until the transaction ends; SQLite ignores it,
its writers hold the database lock from ``BEGIN IMMEDIATE`` on).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from core.store.errors import NotFoundError
from core.store.schema import use_cases_table, workspaces_table


def workspace_row(conn: Connection, workspace_id: str, lock: bool = False) -> Any:
    """The workspace's row; :class:`NotFoundError` if there is none."""
    query = select(workspaces_table).where(workspaces_table.c.id == workspace_id)
    row = conn.execute(query.with_for_update() if lock else query).one_or_none()
    if row is None:
        raise NotFoundError(f"no workspace with id '{workspace_id}'")
    return row


def use_case_row(conn: Connection, workspace_id: str, use_case_id: str, lock: bool = False) -> Any:
    """The use case's row, deleted or not, or None."""
    query = select(use_cases_table).where(
        use_cases_table.c.workspace_id == workspace_id, use_cases_table.c.use_case_id == use_case_id
    )
    return conn.execute(query.with_for_update() if lock else query).one_or_none()


def name_taken(conn: Connection, name: str) -> bool:
    return conn.scalar(select(workspaces_table.c.id).where(workspaces_table.c.name == name)) is not None
