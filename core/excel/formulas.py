"""Formula text shared by several sheets: A1 references, literals and the live gate decisions (S5, S9–S11, S17).

References are zero-based (row, column) as in XlsxWriter. Example: ``a1(4, 1)`` → ``"B5"``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from xlsxwriter.utility import xl_rowcol_to_cell

from core.excel.texts import DECISION_LABELS, FAIL, NOT_AVAILABLE, PASS, Texts
from core.gates import INCOMPLETE, PASSING_DECISIONS

# core.gates._decide: the decision a gate takes when one of its measured checks fails (S17 decides on its own).
FAILING_DECISIONS: dict[str, str] = {
    "poc_to_pilot": "stop", "quality_gates": "fail", "canary": "rollback", "go_live_compliance": "no_deploy",
}
SCALE_CONDITIONS: tuple[str, ...] = ("roi", "p95_latency_ms", "drift_alerts_per_week")
MAX_TEXT_LENGTH = 32767


def quoted_sheet(sheet: str) -> str:
    """A sheet name as a formula prefix needs it: ``"it's"`` → ``"'it''s'"``."""
    return "'" + sheet.replace("'", "''") + "'"


def absolute_ref(sheet: str, row: int, col: int) -> str:
    """Sheet-qualified absolute reference of a zero-based cell: ``("Summary", 0, 0)`` → ``"'Summary'!$A$1"``."""
    return f"{quoted_sheet(sheet)}!{xl_rowcol_to_cell(row, col, row_abs=True, col_abs=True)}"


def a1(row: int, col: int) -> str:
    """Relative A1 reference of a zero-based cell, e.g. ``a1(9, 2)`` → ``"C10"``."""
    return xl_rowcol_to_cell(row, col)


def number_literal(number: float) -> str:
    """A number as formula text that round-trips exactly, e.g. ``0.5`` → ``"0.5"``."""
    return repr(float(number))


def string_literal(text: str) -> str:
    """A string as a formula literal, double quotes doubled."""
    return '"' + text.replace('"', '""') + '"'


def gate_decision_formula(gate: str, results: Mapping[str, str], texts: Texts) -> str:
    """Live decision of one gate over its check-result cells (each "pass", "fail" or "n/a"), as core.gates decides.

    A failing check decides the failure even when other inputs are missing; otherwise any "n/a" gives
    "incomplete" (S5, S9, S10, S11). S17: adoption and weeks both failing stop the use case, a failed
    scale condition iterates, and "scale" needs every input. ``results`` maps check names to cells.
    Example: ``gate_decision_formula("canary", {"canary_p95_latency_ms": "E3", …}, Texts("en"))``
    → ``'=IF(OR(E3="fail",…),"Roll back",IF(AND(E3="pass",…),"Ramp up","Incomplete"))'``.
    """
    passed, failed = string_literal(texts(PASS)), string_literal(texts(FAIL))

    def label(code: str) -> str:
        return string_literal(texts.code(DECISION_LABELS, code))

    def any_is(cells: Iterable[str], outcome: str) -> str:
        return "OR(" + ",".join(f"{cell}={outcome}" for cell in cells) + ")"

    def all_are(cells: Iterable[str], outcome: str) -> str:
        return "AND(" + ",".join(f"{cell}={outcome}" for cell in cells) + ")"

    if gate == "scale_or_kill":
        adoption, weeks = results["observed_adoption"], results["weeks_since_pilot_start"]
        conditions = [results[name] for name in SCALE_CONDITIONS]
        missing = string_literal(NOT_AVAILABLE)
        return (f"=IF(AND({adoption}={failed},{weeks}={failed}),{label('stop_or_re-scope')},"
                f"IF(NOT({any_is((adoption, weeks), passed)}),{label(INCOMPLETE)},"
                f"IF({any_is(conditions, failed)},{label('iterate')},"
                f"IF(AND({all_are(conditions, passed)},{adoption}<>{missing},{weeks}<>{missing}),"
                f"{label('scale')},{label(INCOMPLETE)}))))")
    if gate not in FAILING_DECISIONS:
        raise ValueError(f"gate: expected one of {(*FAILING_DECISIONS, 'scale_or_kill')}, got {gate!r}")
    if not results:
        raise ValueError(f"results: gate {gate!r} needs at least one check cell")
    cells = list(results.values())
    return (f"=IF({any_is(cells, failed)},{label(FAILING_DECISIONS[gate])},"
            f"IF({all_are(cells, passed)},{label(PASSING_DECISIONS[gate])},{label(INCOMPLETE)}))")


def failed_checks_formula(checks: Sequence[tuple[str, str]], texts: Texts) -> str:
    """Live comma-separated names of a gate's failed checks, or "none"; ``checks`` are (name cell, result cell).

    Example: ``failed_checks_formula([("A5", "E5"), ("A6", "E6")], Texts("en"))``
    → ``'=IF(OR(E5="fail",E6="fail"),MID(IF(E5="fail",", "&A5,"")&IF(E6="fail",", "&A6,""),3,32767),"none")'``.
    """
    if not checks:
        raise ValueError("checks: a gate needs at least one check")
    failed = string_literal(texts(FAIL))
    names = "&".join(f'IF({result}={failed},", "&{name},"")' for name, result in checks)
    any_failed = ",".join(f"{result}={failed}" for _, result in checks)
    return f'=IF(OR({any_failed}),MID({names},3,{MAX_TEXT_LENGTH}),{string_literal(texts("none"))})'

