"""Edited tables (``st.data_editor``) back into the model: plain rows, the S14 RACI rule, one save per edit.

Shared by every page with a table editor: KPIs and RACI (Use cases), cost blocks (ROI), scenarios
(Sensitivity) and the S6 checklist (Data readiness).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import ValidationError

from core.models import CostBlock, Kpi, RaciRow, ReadinessItem, Scenario, error_text
from ui import number_field, store_access
from ui.i18n import t
from ui.number_field import NumberSpec

if TYPE_CHECKING:
    import pandas as pd
    from pydantic import BaseModel

# The model of one row of each list field a table edits: a row is checked on its own, so that a message can name
# the row and the column, and an incomplete row is kept instead of failing (or dropping) the whole table.
ROW_MODELS: dict[str, type[BaseModel]] = {
    "kpi_set": Kpi, "raci": RaciRow, "cost_blocks": CostBlock, "scenarios": Scenario, "readiness": ReadinessItem,
}


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


def _row_name(row: Mapping[str, Any]) -> str:
    for column in ("name", "deliverable", "block", "item"):
        if row.get(column):
            return str(row[column])
    return ""


def row_problems(path: str, rows: Iterable[Mapping[str, Any]], first_row: int = 1) -> list[str]:
    """One sentence per row of ``path`` that its row model refuses, naming the row (number and name) and each
    column: 'KPIs, row 3 ("CSAT"): Target is empty.' Rows are numbered from ``first_row`` as the table shows them.
    Every part comes from ``t()``, which escapes the row's name and the reason once: ready for a Markdown sink."""
    model = ROW_MODELS.get(path)
    if model is None:
        return []
    messages = []
    for number, row in enumerate(rows, start=first_row):
        try:
            model.model_validate({key: value for key, value in row.items() if value is not None})
        except ValidationError as error:
            problems = []
            for item in error.errors():
                column = store_access.field_label((path, *map(str, item.get("loc", ()))))
                if item.get("type") == "missing":
                    problems.append(t("table.missing", column=column))
                else:
                    problems.append(t("table.invalid", column=column, reason=error_text(item)))
            messages.append(f"{_where(path, number, row)}: {' '.join(problems)}")
    return messages


def _lacks_a_value(path: str, row: Mapping[str, Any]) -> bool:
    model = ROW_MODELS.get(path)
    if model is None:
        return False
    try:
        model.model_validate({key: value for key, value in row.items() if value is not None})
    except ValidationError as error:
        return any(item.get("type") == "missing" for item in error.errors())
    return False


def split_rows(path: str, rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The rows to save and the incomplete ones (a required column empty), kept as a draft, each in table order.
    A row with a wrong value is not a draft: its save is refused with the reason."""
    complete, incomplete = [], []
    for row in rows:
        (incomplete if _lacks_a_value(path, row) else complete).append(row)
    return complete, incomplete


def save_table(use_case_id: str, path: str, rows: list[dict[str, Any]]) -> list[str]:
    """Save an edited table at ``path`` (kpi_set, raci, cost_blocks, …); returns readable errors, none on success.

    A row its model refuses refuses the table with a message naming the row and the column (never a silent drop).
    """
    rows = [{key: value for key, value in row.items() if value is not None} for row in rows]
    errors = raci_errors(rows) if path == "raci" else []
    errors = errors or row_problems(path, rows)
    if errors:
        return errors
    try:
        store_access.set_fields(use_case_id, {path: rows})
    except ValidationError as error:
        return store_access.readable_errors(error)
    return []


def shown_rows(rows: Iterable[Mapping[str, Any]], numbers: Mapping[str, NumberSpec], language: str
               ) -> list[dict[str, Any]]:
    """Rows with their number columns as the locale's text ("100.000 €", "2,4"), as a table shows and takes them:
    the grid's own number editor reads "2,4" by the browser's locale, i.e. as 24 in an English browser."""
    return [{key: number_field.show(value, numbers[key], language) if key in numbers and value is not None
             else value for key, value in row.items()} for row in rows]


def parse_row(row: Mapping[str, Any], numbers: Mapping[str, NumberSpec], language: str
              ) -> tuple[dict[str, Any], list[str]]:
    """A shown row back in model values, and one reason per number cell it cannot read (column named)."""
    parsed, problems = dict(row), []
    for column, spec in numbers.items():
        value = row.get(column)
        if value is None or isinstance(value, int | float):
            continue
        number, message = number_field.parse(str(value), replace(spec, optional=True), language)
        if message is not None:
            problems.append(f"{store_access.field_label(column)}: {message}")
        parsed[column] = number
    return parsed, problems


def sort_shown_rows(path: str, rows: list[dict[str, Any]], numbers: Mapping[str, NumberSpec], language: str
                    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Edited shown rows into the model rows to save and the shown rows kept as a draft (a number that cannot be
    read, or a required column empty), each in table order."""
    complete, drafts = [], []
    for row in rows:
        parsed, problems = parse_row(row, numbers, language)
        if problems or _lacks_a_value(path, parsed):
            drafts.append(row)
        else:
            complete.append(parsed)
    return complete, drafts


def draft_problems(path: str, drafts: list[dict[str, Any]], numbers: Mapping[str, NumberSpec], language: str,
                   first_row: int) -> list[str]:
    """One message per draft row naming the row and each column it lacks or cannot read."""
    messages = []
    for number, row in enumerate(drafts, start=first_row):
        parsed, problems = parse_row(row, numbers, language)
        if problems:
            messages.append(f"{_where(path, number, row)}: {' '.join(problems)}")
        else:
            messages.extend(row_problems(path, [parsed], number))
    return messages


def _where(path: str, number: int, row: Mapping[str, Any]) -> str:
    name = _row_name(row)
    table = t(f"table.name.{path}")
    return t("table.row_named", table=table, row=number, name=name) if name else t("table.row", table=table, row=number)
