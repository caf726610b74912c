"""What a sheet module is given and what it declares: :class:`PackContext` and :class:`SheetSpec`.

A workbook-level sheet module defines ``write(writer, pack)`` and ``SHEET = SheetSpec(...)``;
:mod:`core.excel.pack` lists the specs in workbook order. The Decision sheets are written first,
so every workbook-level sheet can point its formulas at their live cells (:class:`LiveCells`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from xlsxwriter.workbook import Workbook

from core.business_case import BusinessCaseResult
from core.excel.figures import Figures
from core.excel.names import InputCell, LoadedWorkspaceLike
from core.excel.writer import SheetWriter
from core.models import Workspace


@dataclass(frozen=True, slots=True)
class GateCells:
    """Absolute, sheet-qualified references of one gate on a Decision sheet: its decision and, per check,
    the cell with the check's name and the cell with its pass/fail/n/a result."""

    decision: str
    checks: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class LiveCells:
    """Absolute, sheet-qualified references of a Decision sheet's headline results (S3, S15, S19) and its next gate."""

    value: str
    feasibility: str
    score: str
    quadrant: str
    roi: str
    net_value: str
    investment: str
    npv: str
    payback_month: str
    next_gate: GateCells


@dataclass(frozen=True, slots=True)
class PackContext:
    """Everything a workbook-level sheet may show, once the Decision sheets are written.

    ``moment`` is the generation time (UTC, whole seconds); ``ranked`` holds every use case id, best
    S3 score first; ``decision_sheets``, ``live``, ``inputs`` (the Portfolio sheet's inputs last) and
    ``business_cases`` (the S19 results their Cash flow sheets store) follow the Decision sheets' order.
    """

    loaded: LoadedWorkspaceLike
    workbook: Workbook
    author: str
    moment: datetime
    audit_entries: Sequence[Any]
    figures: Mapping[str, Figures]
    ranked: Sequence[str]
    decision_sheets: Mapping[str, str]
    live: Mapping[str, LiveCells]
    inputs: Sequence[InputCell]
    business_cases: Mapping[str, BusinessCaseResult]
    portfolio: Any = None
    """The Portfolio sheet's figures (:class:`core.excel.sheets.portfolio.PortfolioFigures`)."""

    @property
    def workspace(self) -> Workspace:
        return self.loaded.workspace


@dataclass(frozen=True, slots=True)
class SheetSpec:
    """A workbook-level sheet: name, column widths (characters), title rows repeated when printed, writer."""

    name: str
    widths: tuple[float, ...]
    write: Callable[[SheetWriter, PackContext], None]
    repeat_rows: tuple[int, int] | None = None
