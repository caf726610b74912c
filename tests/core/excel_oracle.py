"""LibreOffice as an independent oracle for the Excel decision pack.

LibreOffice keeps an xlsx file's stored results unless told otherwise; a throwaway profile with
``OOXMLRecalcMode=0`` makes it recalculate every formula on load, so converting a pack xlsx → xlsx
yields LibreOffice's own figures, which the tests compare with the results the core stored.
"""

from __future__ import annotations

import io
import math
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import openpyxl

from core.models import Scenario, ScoringInputs, UseCase, Workspace, migrate_gate_metrics
from core.store import LoadedWorkspace
from tests.core.conftest import S15_BASE

ROOT = Path(__file__).resolve().parents[2]

RECALC_ON_LOAD_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">\
<value>0</value></prop></item>
</oor:items>
"""
SOFFICE_TIMEOUT_S = 180
RELATIVE_TOLERANCE = 1e-9
# Values that should be 0 but come out of a different summation order as ±1e-13.
ABSOLUTE_TOLERANCE = 1e-9
# IRR: both sides iterate to a root (the core brackets it to machine precision, the spreadsheet runs Newton steps
# from a guess until they are small), so the issue allows 1e-7 there.
IRR_RELATIVE_TOLERANCE = 1e-7

CellKey = tuple[str, str]


def soffice_path() -> str | None:
    """Path of the LibreOffice binary, or None when it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def recalculate(data: bytes) -> bytes:
    """The pack after LibreOffice loaded it, recalculated every formula and saved it as xlsx again."""
    soffice = soffice_path()
    if soffice is None:
        raise RuntimeError("soffice (LibreOffice) is not installed")
    with tempfile.TemporaryDirectory(prefix="pack-oracle-") as folder:
        root = Path(folder)
        profile = root / "profile"
        (profile / "user").mkdir(parents=True)
        (profile / "user" / "registrymodifications.xcu").write_text(RECALC_ON_LOAD_PROFILE, encoding="utf-8")
        source, out = root / "pack.xlsx", root / "out"
        source.write_bytes(data)
        out.mkdir()
        command = [soffice, "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}",
                   "--convert-to", "xlsx", "--outdir", str(out), str(source)]
        completed = subprocess.run(command, capture_output=True, text=True, timeout=SOFFICE_TIMEOUT_S,
                                   stdin=subprocess.DEVNULL, check=False)
        result = out / "pack.xlsx"
        if not result.exists():
            raise RuntimeError(f"LibreOffice produced no file: {completed.stdout} {completed.stderr}")
        return result.read_bytes()


def formula_cells(data: bytes) -> dict[CellKey, str]:
    """Every formula of a workbook keyed by (sheet, coordinate)."""
    book = openpyxl.load_workbook(io.BytesIO(data), data_only=False)
    return {
        (sheet.title, cell.coordinate): cell.value
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    }


def stored_values(data: bytes, keys: set[CellKey] | None = None) -> dict[CellKey, object]:
    """Stored (cached) results of a workbook, optionally only at the given cells."""
    book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    if keys is not None:
        return {key: book[key[0]][key[1]].value for key in keys}
    return {
        (sheet.title, cell.coordinate): cell.value
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
    }


def same(expected: object, actual: object, relative: float = RELATIVE_TOLERANCE) -> bool:
    """Numbers equal to ``relative`` (1e-9 unless told); strings and booleans exactly; 1/0 equal True/False."""
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected == actual
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return math.isclose(expected, actual, rel_tol=relative, abs_tol=ABSOLUTE_TOLERANCE)
    return expected == actual


def mismatches(expected: dict[CellKey, object], actual: dict[CellKey, object],
               irr_cells: frozenset[CellKey] = frozenset()) -> list[str]:
    """One line per cell whose value differs, e.g. "D1_x!B40: stored 2.85 vs LibreOffice 2.86"; ``irr_cells``
    (see :func:`irr_cells`) are compared to :data:`IRR_RELATIVE_TOLERANCE`."""
    return [
        f"{sheet}!{coordinate}: expected {expected[sheet, coordinate]!r} "
        f"vs LibreOffice {actual.get((sheet, coordinate))!r}"
        for sheet, coordinate in sorted(expected)
        if not same(expected[sheet, coordinate], actual.get((sheet, coordinate)),
                    IRR_RELATIVE_TOLERANCE if (sheet, coordinate) in irr_cells else RELATIVE_TOLERANCE)
    ]


def irr_cells(formulas: dict[CellKey, object]) -> frozenset[CellKey]:
    """The cells whose result is an IRR: the Cash flow sheets' monthly and annual IRR and the Decision sheets'
    links to them."""
    from core.excel.sheets.cash_flow import result_refs

    cash_flow = {sheet for sheet, _ in formulas if sheet.startswith("CF")}
    targets = {result_refs(sheet)[key] for sheet in cash_flow for key in ("irr_monthly", "irr_annual")}
    own = {(ref.split("!")[0].strip("'"), ref.split("!")[1].replace("$", "")) for ref in targets}
    links = {key for key, formula in formulas.items() if isinstance(formula, str) and formula[1:] in targets}
    return frozenset(own | links)


def decode_ooxml_escapes(text: str) -> str:
    """Undo the ``_xHHHH_`` escapes OOXML uses for control characters such as CR and BEL."""
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda match: chr(int(match.group(1), 16)), text)


# S3 docstring example: value 0.26, feasibility 0.76, score 0.1976.
S3_EXAMPLE = ScoringInputs(
    cycle_time_reduction=0.3, cost_reduction=0.2, error_reduction=0.25, data_availability=0.8,
    integration_effort=0.3, compliance_risk=0.2, change_effort=0.3,
)


def make_use_case(use_case_id: str, **fields: object) -> UseCase:
    """A valid use case with the S15 base ROI and the S3 example score unless ``fields`` override them."""
    values: dict[str, object] = {"id": use_case_id, "name": f"Use case {use_case_id}", "scoring": S3_EXAMPLE,
                                 "roi": S15_BASE}
    values.update(fields)
    return UseCase(**migrate_gate_metrics(values))  # ``gate_metrics=`` stands for one measurement


def scaled_scoring(factor: float) -> ScoringInputs:
    """S3 inputs whose value grows with ``factor`` in [0, 1], for a predictable ranking."""
    return S3_EXAMPLE.model_copy(update={
        "cycle_time_reduction": factor, "cost_reduction": factor, "error_reduction": factor,
    })


@dataclass(frozen=True)
class FakeAuditEntry:
    """Duck-typed stand-in for ``core.store.AuditEntry``."""

    at: datetime
    actor: str
    use_case_id: str | None
    action: str
    field_path: str | None
    old_value: str | None
    new_value: str | None
    id: int = 0
    workspace_id: str = ""


def make_loaded(use_cases: list[UseCase], workspace_id: str = "ws-test", name: str = "Test workspace",
                version: int = 3, **workspace_fields: object) -> LoadedWorkspace:
    workspace = Workspace(name=name, use_cases=tuple(use_cases), **workspace_fields)
    return LoadedWorkspace(workspace_id, workspace, {use_case.id: version for use_case in use_cases})


def sample_loaded() -> LoadedWorkspace:
    """The shipped sample workspace plus one use case without run cost (ROI "n/a")."""
    workspace = Workspace.model_validate_json((ROOT / "sample_data" / "workspace.json").read_text("utf-8"))
    no_run_cost = make_use_case(
        "no-run-cost", roi=S15_BASE.model_copy(update={"run_cost_eur_per_month": 0.0}),
        scoring=scaled_scoring(0.95),
        scenarios=(Scenario(name="worst", adoption=0.25, minutes_saved_per_case=0.8), Scenario(name="base"),
                   Scenario(name="best", adoption=0.85, run_cost_eur_per_month=5_000.0)),
    )
    use_cases = (*workspace.use_cases, no_run_cost)
    workspace = workspace.model_copy(update={"use_cases": use_cases})
    return LoadedWorkspace("ws-sample", workspace, {use_case.id: 1 for use_case in use_cases})
