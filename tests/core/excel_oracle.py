"""LibreOffice as an independent oracle for the Excel decision pack.

LibreOffice keeps an xlsx file's stored results unless told otherwise; a throwaway profile with
``OOXMLRecalcMode=0`` makes it recalculate every formula on load, so converting a pack xlsx → xlsx
yields LibreOffice's own figures, which the tests compare with the results the core stored.
"""

from __future__ import annotations

import io
import math
import shutil
import subprocess
import tempfile
from pathlib import Path

import openpyxl

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


def same(expected: object, actual: object) -> bool:
    """Numbers equal to 1e-9 relative; strings and booleans exactly; 1/0 equal True/False."""
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected == actual
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return math.isclose(expected, actual, rel_tol=RELATIVE_TOLERANCE, abs_tol=ABSOLUTE_TOLERANCE)
    return expected == actual


def mismatches(expected: dict[CellKey, object], actual: dict[CellKey, object]) -> list[str]:
    """One line per cell whose value differs, e.g. "D1_x!B40: stored 2.85 vs LibreOffice 2.86"."""
    return [
        f"{sheet}!{coordinate}: expected {expected[sheet, coordinate]!r} "
        f"vs LibreOffice {actual.get((sheet, coordinate))!r}"
        for sheet, coordinate in sorted(expected)
        if not same(expected[sheet, coordinate], actual.get((sheet, coordinate)))
    ]
