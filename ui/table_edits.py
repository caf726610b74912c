"""Edited tables (``st.data_editor``) back into the model: plain rows, the S14 RACI rule, one save per edit.

Shared by every page with a table editor: KPIs and RACI (Use cases), cost blocks (ROI), scenarios
(Sensitivity) and the S6 checklist (Data readiness).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import ValidationError

from core.models import RaciRow
from ui import store_access
from ui.i18n import t

if TYPE_CHECKING:
    import pandas as pd


def _clean(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    import pandas as pd

    if value is pd.NA or value is pd.NaT:
        return None
    return value


def table_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of an edited table as plain Python values (NaN and NA become None; blank rows dropped)."""
    rows = []
    for record in frame.to_dict(orient="records"):
        row = {str(key): _clean(value) for key, value in record.items()}
        if any(value not in (None, "") for value in row.values()):
            rows.append(row)
    return rows


def raci_errors(rows: Iterable[RaciRow | Mapping[str, Any]]) -> list[str]:
    """S14: one message per deliverable that lacks exactly one A, naming the deliverable."""
    errors = []
    for row in rows:
        deliverable = row.deliverable if isinstance(row, RaciRow) else str(row.get("deliverable", ""))
        accountable = row.accountable if isinstance(row, RaciRow) else (row.get("accountable") or ())
        if isinstance(accountable, str):
            accountable = [part for part in accountable.split(",") if part.strip()]
        if len(accountable) != 1:
            errors.append(t("raci.error_one_a", deliverable=deliverable or "?", count=len(accountable)))
    return errors


def save_table(use_case_id: str, path: str, rows: list[dict[str, Any]]) -> list[str]:
    """Save an edited table at ``path`` (kpi_set, raci, cost_blocks, …); returns readable errors, none on success."""
    rows = [{key: value for key, value in row.items() if value is not None} for row in rows]
    if path == "raci":
        errors = raci_errors(rows)
        if errors:
            return errors
    try:
        store_access.set_fields(use_case_id, {path: rows})
    except ValidationError as error:
        return store_access.readable_errors(error)
    return []
