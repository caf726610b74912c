"""Use cases: add, duplicate, delete and restore a use case; the KPI and RACI rows its editors show.

The registry table itself is :func:`ui.tables.registry`.
"""

from __future__ import annotations

from typing import Any

from core import scoring
from core.ids import unique_id
from core.models import (
    DEFAULT_RACI,
    DEFAULT_RACI_DE,
    ROI_INPUT_FIELDS,
    RoiInputs,
    ScoringInputs,
    UseCase,
    utc_now,
    with_values,
)
from ui import state, store_access

NEW_USE_CASE_SCORING = dict.fromkeys(scoring.SCORING_FIELDS, 0.5)
NEW_USE_CASE_ROI = dict.fromkeys(ROI_INPUT_FIELDS, 0.0)
RACI_ROLES = ("responsible", "accountable", "consulted", "informed")


def _taken_ids(workspace_id: str) -> set[str]:
    store = store_access.store()
    ids = {case.id for case in store.load(workspace_id).workspace.use_cases}
    return ids | {deleted.id for deleted in store.list_deleted(workspace_id)}


def add_use_case(name: str) -> str:
    """A new use case with neutral scoring inputs (0.5), not scored yet (S3), an empty ROI and S14's example RACI in
    the user's language; selects it."""
    workspace_id = store_access.selected_workspace_id()
    use_case = UseCase(
        id=unique_id(name, _taken_ids(workspace_id)),
        name=name,
        scoring=ScoringInputs(**NEW_USE_CASE_SCORING),
        scored=False,
        roi=RoiInputs(**NEW_USE_CASE_ROI),
        raci=DEFAULT_RACI_DE if state.language() == "de" else DEFAULT_RACI,
    )
    store_access.save_use_case(use_case, new=True)
    state.set_use_case_id(use_case.id)
    return use_case.id


def duplicate_use_case(use_case_id: str, name: str) -> str:
    workspace_id = store_access.selected_workspace_id()
    source = store_access.fresh_use_case(use_case_id)
    now = utc_now()
    copy = source.model_copy(
        update={"id": unique_id(name, _taken_ids(workspace_id)), "created_at": now, "updated_at": now}
    )
    copy = with_values(copy, {"name": name})
    store_access.save_use_case(copy, new=True)
    state.set_use_case_id(copy.id)
    return copy.id


def delete_use_case(use_case_id: str) -> None:
    """Soft delete; remembers it for the undo button."""
    workspace_id = store_access.selected_workspace_id()
    store_access.store().delete_use_case(workspace_id, use_case_id, state.actor())
    state.set_ui_value("undo.deleted_use_case", use_case_id)
    state.set_use_case_id(None)


def restore_use_case(use_case_id: str) -> None:
    workspace_id = store_access.selected_workspace_id()
    store_access.store().restore_use_case(workspace_id, use_case_id, state.actor())
    state.set_ui_value("undo.deleted_use_case", None)
    state.set_use_case_id(use_case_id)


def deleted_use_cases() -> list[Any]:
    workspace_id = state.workspace_id()
    return [] if workspace_id is None else list(store_access.store().list_deleted(workspace_id))


def kpi_rows(use_case: UseCase) -> list[dict[str, Any]]:
    return [kpi.model_dump() for kpi in use_case.kpi_set]


def raci_rows(use_case: UseCase) -> list[dict[str, str]]:
    """RACI rows with roles as comma-separated text, as edited in the table."""
    return [
        {"deliverable": row.deliverable, **{role: ", ".join(getattr(row, role)) for role in RACI_ROLES}}
        for row in use_case.raci
    ]
