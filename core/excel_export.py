"""Excel decision pack (S1–S17): live formulas that carry the core's results, built with XlsxWriter.

Every formula is written together with the figure the core computed for it, so viewers that never
recalculate (mail previews, pandas) show the same numbers as the app, and Excel or LibreOffice keep
them live when an input changes. Inputs sit in unlocked, validated, named cells on one Decision
sheet per selected use case; everything else is locked by sheet protection without a password.
The hidden Meta sheet lists every input cell and is what :mod:`core.excel_import` reads back.
Labels come in English or German; sheet names, defined names, user text and Meta stay the same.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.workbook import Format, Workbook
from xlsxwriter.worksheet import Worksheet

from core.gates import (
    COMPARATOR_SYMBOLS,
    DERIVED_THRESHOLD_TOLERANCE,
    INCOMPLETE,
    PASSING_DECISIONS,
    GateResult,
    evaluate_all,
    next_gate,
)
from core.models import (
    FEASIBILITY_WEIGHT_FIELDS,
    ROI_FRACTION_FIELDS,
    ROI_INPUT_FIELDS,
    SCHEMA_VERSION,
    VALUE_WEIGHT_FIELDS,
    UseCase,
    Workspace,
)
from core.readiness import CHECKLIST, readiness_percentage
from core.roi import RoiResult, break_even, compute_roi
from core.scoring import BOUNDARY_TOLERANCE, SCORING_FIELDS, score_portfolio
from core.sensitivity import run_scenarios

PACK_FORMAT_VERSION = 1
NOT_AVAILABLE = "n/a"
LANGUAGES: tuple[str, ...] = ("en", "de")
SUMMARY_SHEET = "Summary"
MATRIX_SHEET = "Matrix"
ASSUMPTIONS_SHEET = "Assumptions"
AUDIT_SHEET = "Audit trail"
META_SHEET = "Meta"
FIXED_SHEETS: tuple[str, ...] = (SUMMARY_SHEET, MATRIX_SHEET, ASSUMPTIONS_SHEET, AUDIT_SHEET, META_SHEET)
MAX_SHEET_NAME = 31
# core.readiness reports a percentage (0–100); the live formula computes a share and scales it.
READINESS_SCALE = 100.0
FRACTION_KIND = "fraction"
NON_NEGATIVE_KIND = "non_negative"

META_KEYS: tuple[str, ...] = (
    "workspace_id", "workspace_name", "schema_version", "pack_format", "generated_at", "author", "content_hash",
)
META_USE_CASE_HEADER: tuple[str, ...] = ("use_case_id", "version", "decision_sheet", "ordinal")
META_INPUT_HEADER: tuple[str, ...] = ("use_case_id", "field_path", "sheet", "cell", "exported_value", "kind")
META_USE_CASE_COLUMN = 3
META_INPUT_COLUMN = 8

FIELD_LABELS: dict[str, str] = {
    "cycle_time_reduction": "Cycle-time reduction",
    "cost_reduction": "Cost reduction",
    "error_reduction": "Error reduction",
    "data_availability": "Data availability",
    "integration_effort": "Integration effort",
    "compliance_risk": "Compliance risk",
    "change_effort": "Change effort",
    "volume_cases_per_month": "Volume (cases/month)",
    "adoption": "Adoption",
    "minutes_saved_per_case": "Minutes saved per case",
    "cost_per_minute_eur": "Cost per minute (€)",
    "error_cost_per_case_eur": "Error cost per case (€)",
    "error_rate_reduction": "Error-rate reduction",
    "run_cost_eur_per_month": "Run cost (€/month)",
}
FIELD_UNITS: dict[str, str] = {
    "volume_cases_per_month": "cases/month",
    "minutes_saved_per_case": "min/case",
    "cost_per_minute_eur": "€/min",
    "error_cost_per_case_eur": "€/case",
    "run_cost_eur_per_month": "€/month",
}
FRACTION_UNIT = "fraction 0–1"
QUADRANT_LABELS: dict[str, str] = {
    "quick_win": "Quick win",
    "strategic_bet": "Strategic bet",
    "fill_in": "Fill-in",
    "deprioritise": "Deprioritise",
}
GATE_LABELS: dict[str, str] = {
    "poc_to_pilot": "S5 PoC → pilot",
    "quality_gates": "S9 quality gates",
    "canary": "S10 canary",
    "scale_or_kill": "S17 scale or kill",
    "go_live_compliance": "S11 go-live compliance",
}
DECISION_LABELS: dict[str, str] = {
    "go": "Go", "stop": "Stop", "pass": "Pass", "fail": "Fail", "ramp": "Ramp up", "rollback": "Roll back",
    "scale": "Scale", "iterate": "Iterate", "stop_or_re-scope": "Stop or re-scope", "deploy": "Deploy",
    "no_deploy": "No deploy", "incomplete": "Incomplete", "ok": "OK", "alert": "Alert",
}
PHASE_LABELS: dict[str, str] = {
    "discovery": "1 Discovery/Scoping", "data_risk": "2 Data & Risk", "poc": "3 PoC", "pilot": "4 Pilot",
    "production": "5 Production", "scale": "6 Scale/Portfolio",
}
RISK_LABELS: dict[str, str] = {"minimal": "Minimal", "limited": "Limited", "high": "High", "prohibited": "Prohibited"}
KPI_GROUP_LABELS: dict[str, str] = {"value": "Value", "quality": "Quality", "adoption": "Adoption", "risk": "Risk"}
STATUS_LABELS: dict[str, str] = {"open": "open", "partial": "partial", "done": "done",
                                 "not_applicable": "not applicable"}
OUTPUT_LABELS: dict[str, str] = {"answer": "Answer", "classification": "Classification", "extraction": "Extraction",
                                 "ticket_draft": "Ticket draft"}
EXCEL_COMPARATORS: dict[str, str] = {">=": ">=", "<=": "<=", ">": ">", "<": "<", "==": "=", "!=": "<>"}
BREAK_EVEN_FIELDS: tuple[str, ...] = (
    "adoption", "minutes_saved_per_case", "volume_cases_per_month", "run_cost_eur_per_month",
)
PASS, FAIL, YES, NO = "pass", "fail", "yes", "no"
# core.gates._decide: the decision a gate takes when one of its measured checks fails (S17 decides on its own).
FAILING_DECISIONS: dict[str, str] = {
    "poc_to_pilot": "stop", "quality_gates": "fail", "canary": "rollback", "go_live_compliance": "no_deploy",
}
SCALE_CONDITIONS: tuple[str, ...] = ("roi", "p95_latency_ms", "drift_alerts_per_week")
MAX_TEXT_LENGTH = 32767

# German labels: the article's and the app's words (Wert, Machbarkeit, Nettonutzen, Modellbetrieb, Quick Win).
GERMAN: dict[str, str] = {
    "AI use-case decision pack": "KI-Use-Case-Entscheidungspaket",
    "Page &P of &N": "Seite &P von &N",
    "Workspace": "Arbeitsbereich",
    "Workspace ID": "Arbeitsbereich-ID",
    "Generated (UTC)": "Erstellt (UTC)",
    "Author": "Autor",
    "Use cases": "Use Cases",
    "Decision sheets": "Entscheidungsvorlagen",
    "Quick wins": "Quick Wins",
    "Total net value (€/month)": "Nettonutzen gesamt (€/Monat)",
    "Quick-win thresholds": "Quick-Win-Schwellen",
    "value ≥ {value}, feasibility ≥ {feasibility}": "Wert ≥ {value}, Machbarkeit ≥ {feasibility}",
    "Portfolio ranked by score (S3)": "Portfolio nach Score (S3)",
    "Rank": "Rang",
    "Use case ID": "Use-Case-ID",
    "Name": "Name",
    "Owner": "Owner",
    "Phase": "Phase",
    "EU AI Act risk": "EU-AI-Act-Risiko",
    "Quadrant": "Quadrant",
    "Value": "Wert",
    "Feasibility": "Machbarkeit",
    "Score": "Score",
    "ROI": "ROI",
    "Net value (€/month)": "Nettonutzen (€/Monat)",
    "Next gate": "Nächstes Gate",
    "Gate decision": "Gate-Entscheidung",
    "Failed checks": "Nicht bestandene Prüfungen",
    "Decision sheet": "Entscheidungsvorlage",
    "none": "keine",
    "S3 value × feasibility matrix": "S3 Wert-×-Machbarkeit-Matrix",
    "Value × feasibility (S3)": "Wert × Machbarkeit (S3)",
    "Feasibility (0–1)": "Machbarkeit (0–1)",
    "Value (0–1)": "Wert (0–1)",
    "Quick-win threshold: value": "Quick-Win-Schwelle: Wert",
    "Quick-win threshold: feasibility": "Quick-Win-Schwelle: Machbarkeit",
    "Threshold lines (chart)": "Schwellenlinien (Diagramm)",
    "Line": "Linie",
    "Use case": "Use Case",
    "S1 Use case": "S1 Use Case",
    "ID": "ID",
    "Phase (S13)": "Phase (S13)",
    "Problem statement": "Problemstatement",
    "Users": "Nutzer",
    "Process step": "Prozessschritt",
    "Decision point": "Entscheidungspunkt",
    "Output": "Output",
    "Guardrails": "Guardrails",
    "Out of scope": "Out-of-Scope",
    "EU AI Act risk class (S11)": "EU-AI-Act-Risikoklasse (S11)",
    "Created (UTC)": "Angelegt (UTC)",
    "Updated (UTC)": "Geändert (UTC)",
    "S2 KPI set": "S2 KPI-Set",
    "KPI": "KPI",
    "Group": "Gruppe",
    "Target": "Zielwert",
    "Unit": "Einheit",
    "Measurement window": "Messfenster",
    "Baseline": "Baseline",
    "S3 Score: value × feasibility": "S3 Score: Wert × Machbarkeit",
    "Input": "Eingabe",
    "Weight": "Gewicht",
    "Score = value × feasibility": "Score = Wert × Machbarkeit",
    "S15 Monthly ROI": "S15 ROI pro Monat",
    "Defined name": "Definierter Name",
    "Value time (€/month)": "Zeitnutzen (€/Monat)",
    "Value quality (€/month)": "Qualitätsnutzen (€/Monat)",
    "Total value (€/month)": "Bruttonutzen (€/Monat)",
    "ROI = net / run cost": "ROI = Netto / Modellbetrieb",
    "Inference cost S12 (€/month)": "Inferenzkosten S12 (€/Monat)",
    "Break-even (ROI = 0)": "Break-even (ROI = 0)",
    "Break-even value": "Break-even-Wert",
    "Current value": "Aktueller Wert",
    "S16 Scenarios (blank override = base input)": "S16 Szenarien (leer = Basiswert)",
    "Override": "Abweichung",
    "Survives (net value > 0)": "Übersteht (Nettonutzen > 0)",
    "Verdict (S16)": "Urteil (S16)",
    "scale candidate": "Skalierungskandidat",
    "PoC with expiry date": "PoC mit Ablaufdatum",
    "Gates: S5, S9, S10, S17, S11": "Gates: S5, S9, S10, S17, S11",
    "← next gate (S13)": "← nächstes Gate (S13)",
    "missing: {fields}": "fehlt: {fields}",
    "Check": "Prüfung",
    "Actual": "Ist",
    "Threshold": "Schwelle",
    "Rule": "Regel",
    "Result": "Ergebnis",
    "present": "vorhanden",
    "S6 Data readiness": "S6 Data Readiness",
    "Checklist item": "Checklistenpunkt",
    "Status": "Status",
    "Evidence": "Nachweis",
    "Readiness (%)": "Readiness (%)",
    "S14 RACI": "S14 RACI",
    "Deliverable": "Deliverable",
    "R (responsible)": "R (durchführend)",
    "A (accountable)": "A (verantwortlich)",
    "C (consulted)": "C (konsultiert)",
    "I (informed)": "I (informiert)",
    "Assumptions: every input, its source and last editor": "Annahmen: jede Eingabe, ihre Quelle und letzte Änderung",
    "Field path": "Feldpfad",
    "Source": "Quelle",
    "Last edited by": "Zuletzt geändert von",
    "Last edited at (UTC)": "Zuletzt geändert (UTC)",
    "Audit trail": "Audit-Trail",
    "At (UTC)": "Zeitpunkt (UTC)",
    "Actor": "Akteur",
    "Action": "Aktion",
    "Old value": "Alter Wert",
    "New value": "Neuer Wert",
    "Fraction 0–1": "Anteil 0–1",
    "Enter a fraction between 0 and 1 (62 % = 0.62).": "Bitte einen Anteil zwischen 0 und 1 eingeben (62 % = 0,62).",
    "Not negative": "Nicht negativ",
    "Enter a number of at least 0.": "Bitte eine Zahl ab 0 eingeben.",
    "Cycle-time reduction": "Reduktion Durchlaufzeit",
    "Cost reduction": "Kostenreduktion",
    "Error reduction": "Fehlerreduktion",
    "Data availability": "Datenverfügbarkeit",
    "Integration effort": "Integrationsaufwand",
    "Compliance risk": "Compliance-Risiko",
    "Change effort": "Change-Aufwand",
    "Volume (cases/month)": "Volumen (Fälle/Monat)",
    "Adoption": "Adoption",
    "Minutes saved per case": "Minuten-Ersparnis pro Fall",
    "Cost per minute (€)": "Kosten pro Arbeitsminute (€)",
    "Error cost per case (€)": "Fehlerkosten pro Fall (€)",
    "Error-rate reduction": "Fehlerquoten-Reduktion",
    "Run cost (€/month)": "Modellbetrieb (€/Monat)",
    "cases/month": "Fälle/Monat",
    "min/case": "min/Fall",
    "€/min": "€/min",
    "€/case": "€/Fall",
    "€/month": "€/Monat",
    "fraction 0–1": "Anteil 0–1",
    "Quick win": "Quick Win",
    "Strategic bet": "Strategische Wette",
    "Fill-in": "Lückenfüller",
    "Deprioritise": "Zurückstellen",
    "S5 PoC → pilot": "S5 PoC → Pilot",
    "S9 quality gates": "S9 Qualitätsgates",
    "S10 canary": "S10 Canary",
    "S17 scale or kill": "S17 Skalieren oder stoppen",
    "S11 go-live compliance": "S11 Go-live-Compliance",
    "Go": "Go", "Stop": "Stopp", "Pass": "Bestanden", "Fail": "Nicht bestanden", "Ramp up": "Hochfahren",
    "Roll back": "Zurückrollen", "Scale": "Skalieren", "Iterate": "Iterieren",
    "Stop or re-scope": "Stoppen oder neu zuschneiden", "Deploy": "Go-live", "No deploy": "Kein Go-live",
    "Incomplete": "Unvollständig", "OK": "OK", "Alert": "Alarm",
    "1 Discovery/Scoping": "1 Discovery/Scoping", "2 Data & Risk": "2 Daten & Risiko", "3 PoC": "3 PoC",
    "4 Pilot": "4 Pilot", "5 Production": "5 Produktivsetzung", "6 Scale/Portfolio": "6 Skalierung/Portfolio",
    "Minimal": "Minimal", "Limited": "Begrenzt", "High": "Hoch", "Prohibited": "Verboten",
    "Quality": "Qualität", "Risk": "Risiko",
    "open": "offen", "partial": "teilweise", "done": "erledigt", "not applicable": "nicht anwendbar",
    "Answer": "Antwort", "Classification": "Klassifikation", "Extraction": "Extraktion",
    "Ticket draft": "Ticket-Entwurf",
    "pass": "bestanden", "fail": "nicht bestanden", "yes": "ja", "no": "nein",
}


# Measured on LibreOffice's fallback font (DejaVu Sans, wider than Calibri), so Excel never cuts a line.
CHARS_PER_WIDTH = 1.12
BOLD_CHARS_PER_WIDTH = 1.0
LINE_HEIGHT_PT = 14.4
ROW_PADDING_PT = 2.0
MAX_ROW_LINES = 30
DATE_TIME_FORMAT = "yyyy-mm-dd hh:mm"
CHART_ROW_PIXELS = 20
MATRIX_LABEL_LIMIT = 30
# Axis share a label takes (about 25 characters wide, one line high) on the 0–1 axes of the matrix chart.
LABEL_CLEARANCE_X = 0.04
LABEL_CLEARANCE_Y = 0.03
OKABE_ITO: dict[str, tuple[str, str]] = {
    "quick_win": ("#009E73", "diamond"),
    "strategic_bet": ("#0072B2", "circle"),
    "fill_in": ("#E69F00", "square"),
    "deprioritise": ("#CC79A7", "triangle"),
}
THRESHOLD_LINE_COLOUR = "#555555"


class LoadedWorkspaceLike(Protocol):
    id: str
    workspace: Workspace
    versions: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class InputCell:
    """One editable cell of the pack: where it is and what the store held when it was exported."""

    use_case_id: str
    field_path: str
    sheet: str
    cell: str
    exported_value: float | None
    kind: str


@dataclass(frozen=True, slots=True)
class _Figures:
    """Every core figure of one use case, computed once per pack."""

    use_case: UseCase
    value: float
    feasibility: float
    score: float
    rank: int
    quadrant: str
    roi: RoiResult
    gates: dict[str, GateResult]
    next_gate: str


@dataclass(frozen=True, slots=True)
class _GateCells:
    """Absolute, sheet-qualified references of one gate on a Decision sheet: its decision and, per check,
    the cell with the check's name and the cell with its pass/fail/n/a result."""

    decision: str
    checks: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class _LiveCells:
    """Absolute, sheet-qualified references of a Decision sheet's headline results and its next gate."""

    value: str
    feasibility: str
    score: str
    quadrant: str
    roi: str
    net_value: str
    next_gate: _GateCells


class _Texts:
    """Label lookup for one pack language; German raises on a missing label so none stays English."""

    def __init__(self, language: str) -> None:
        if language not in LANGUAGES:
            raise ValueError(f"language: must be one of {LANGUAGES}, got {language!r}")
        self.language = language

    def __call__(self, text: str) -> str:
        if self.language == "en" or not text:
            return text
        try:
            return GERMAN[text]
        except KeyError:
            raise ValueError(f"language 'de': no German label for {text!r}") from None

    def number(self, value: float) -> str:
        """Two-decimal number text in the pack's language, e.g. 0.5 → "0.50" or "0,50"."""
        text = f"{value:,.2f}"
        return text if self.language == "en" else text.replace(",", " ").replace(".", ",").replace(" ", ".")

    def code(self, labels: Mapping[str, str], code: str) -> str:
        return self(labels[code]) if code in labels else code


def number_text(value: float | None) -> str:
    """Exact text of an exported number for Meta and its hash: ``repr`` round-trips every float."""
    return "" if value is None else repr(float(value))


def meta_content_hash(
    workspace_id: str, use_case_rows: Iterable[Sequence[str]], input_rows: Iterable[Sequence[str]]
) -> str:
    """SHA-256 over the Meta sheet's content; the importer recomputes it to detect an edited Meta sheet."""
    payload = [
        str(workspace_id), SCHEMA_VERSION, PACK_FORMAT_VERSION,
        [[str(item) for item in row] for row in use_case_rows],
        [[str(item) for item in row] for row in input_rows],
    ]
    return hashlib.sha256(json.dumps(payload, separators=(",", ":"), ensure_ascii=True).encode()).hexdigest()


def decision_sheet_name(ordinal: int, use_case_id: str) -> str:
    """Sheet name ``D<ordinal>_<id>`` cut to Excel's 31 characters; the ordinal keeps it unique."""
    return f"D{ordinal}_{use_case_id}"[:MAX_SHEET_NAME]


def input_name(ordinal: int, field: str) -> str:
    """Workbook-level defined name of an input, e.g. ``UC3_adoption`` (ids may hold '-' and '.')."""
    return f"UC{ordinal}_{field}"


def wrapped_line_count(text: str, width: float, bold: bool = False) -> int:
    """Lines ``text`` takes when wrapped at word boundaries in a column ``width`` characters wide.

    An estimate for row heights (Excel does not size rows of merged or written-by-code cells):
    one width unit holds about one character of the default font, bold a little less.
    Example: ``wrapped_line_count("Net value (€/month)", 10)`` → 2.
    """
    capacity = max(int(width * (BOLD_CHARS_PER_WIDTH if bold else CHARS_PER_WIDTH)), 1)
    if len(text) <= capacity and "\n" not in text and "\r" not in text:
        return 1
    lines = 0
    for paragraph in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        count, used = 1, 0
        for word in paragraph.split(" "):
            if used and used + 1 + len(word) > capacity:
                count, used = count + 1, 0
            elif used:
                used += 1
            used += len(word)
            while used > capacity:
                count, used = count + 1, used - capacity
        lines += count
    return lines


def _quoted(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def _ref(sheet: str, row: int, col: int) -> str:
    return f"{_quoted(sheet)}!{xl_rowcol_to_cell(row, col, row_abs=True, col_abs=True)}"


def _cell(row: int, col: int) -> str:
    return xl_rowcol_to_cell(row, col)


def _literal(number: float) -> str:
    return repr(float(number))


def _formula_text(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _header_text(text: str, limit: int = 80) -> str:
    return text[:limit].replace("&", "&&")


def gate_decision_formula(gate: str, results: Mapping[str, str], texts: _Texts) -> str:
    """Live decision of one gate over its check-result cells (each "pass", "fail" or "n/a"), as core.gates decides.

    A failing check decides the failure even when other inputs are missing; otherwise any "n/a" gives
    "incomplete" (S5, S9, S10, S11). S17: adoption and weeks both failing stop the use case, a failed
    scale condition iterates, and "scale" needs every input. ``results`` maps check names to cells.
    Example: ``gate_decision_formula("canary", {"canary_p95_latency_ms": "E3", …}, _Texts("en"))``
    → ``'=IF(OR(E3="fail",…),"Roll back",IF(AND(E3="pass",…),"Ramp up","Incomplete"))'``.
    """
    passed, failed = _formula_text(texts(PASS)), _formula_text(texts(FAIL))

    def label(code: str) -> str:
        return _formula_text(texts.code(DECISION_LABELS, code))

    def any_is(cells: Iterable[str], outcome: str) -> str:
        return "OR(" + ",".join(f"{cell}={outcome}" for cell in cells) + ")"

    def all_are(cells: Iterable[str], outcome: str) -> str:
        return "AND(" + ",".join(f"{cell}={outcome}" for cell in cells) + ")"

    if gate == "scale_or_kill":
        adoption, weeks = results["observed_adoption"], results["weeks_since_pilot_start"]
        conditions = [results[name] for name in SCALE_CONDITIONS]
        missing = _formula_text(NOT_AVAILABLE)
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


def failed_checks_formula(checks: Sequence[tuple[str, str]], texts: _Texts) -> str:
    """Live comma-separated names of a gate's failed checks, or "none"; ``checks`` are (name cell, result cell).

    Example: ``failed_checks_formula([("A5", "E5"), ("A6", "E6")], _Texts("en"))``
    → ``'=IF(OR(E5="fail",E6="fail"),MID(IF(E5="fail",", "&A5,"")&IF(E6="fail",", "&A6,""),3,32767),"none")'``.
    """
    if not checks:
        raise ValueError("checks: a gate needs at least one check")
    failed = _formula_text(texts(FAIL))
    names = "&".join(f'IF({result}={failed},", "&{name},"")' for name, result in checks)
    any_failed = ",".join(f"{result}={failed}" for _, result in checks)
    return f'=IF(OR({any_failed}),MID({names},3,{MAX_TEXT_LENGTH}),{_formula_text(texts("none"))})'


def _field_unit(field: str) -> str:
    if field in SCORING_FIELDS or field in ROI_FRACTION_FIELDS:
        return FRACTION_UNIT
    return FIELD_UNITS.get(field, "")


def _field_kind(field: str) -> str:
    return FRACTION_KIND if field in SCORING_FIELDS or field in ROI_FRACTION_FIELDS else NON_NEGATIVE_KIND


def _excel_datetime(value: object) -> datetime | None:
    """A naive UTC datetime Excel can store, or None for anything that is not a datetime."""
    if not isinstance(value, datetime):
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.replace(microsecond=0)


class _Formats:
    """All cell formats of one workbook, created once."""

    def __init__(self, workbook: Workbook) -> None:
        add = workbook.add_format
        top = {"valign": "top"}
        self.title: Format = add({"bold": True, "font_size": 16, "font_color": "#1F3864", "valign": "vcenter"})
        self.subtitle: Format = add({"bold": True, "font_size": 13, "font_color": "#1F3864", "valign": "vcenter"})
        self.section: Format = add({"bold": True, "font_size": 12, "font_color": "#1F3864", "bottom": 2,
                                    "bottom_color": "#1F3864", "valign": "bottom"})
        self.header: Format = add({"bold": True, "bg_color": "#D9E1F2", "border": 1, "border_color": "#8EA9DB",
                                   "text_wrap": True, "valign": "vcenter"})
        self.header_number: Format = add({"bold": True, "bg_color": "#D9E1F2", "border": 1,
                                          "border_color": "#8EA9DB", "text_wrap": True, "valign": "vcenter",
                                          "align": "right"})
        self.label: Format = add({"bold": True, "text_wrap": True, **top})
        self.text: Format = add({"text_wrap": True, **top})
        self.plain: Format = add(top)
        self.link: Format = add({"font_color": "#0563C1", "underline": 1, **top})
        right = {"align": "right", **top}
        self.percent: Format = add({"num_format": "0.0%_)", **right})
        self.score: Format = add({"num_format": "0.0000_)", **right})
        self.money: Format = add({"num_format": '#,##0.00 "€"_)', **right})
        self.money_bold: Format = add({"num_format": '#,##0.00 "€"_)', "bold": True, **right})
        self.number: Format = add({"num_format": "#,##0.00_)", **right})
        self.measure: Format = add({"num_format": "#,##0.00##_)", **right})
        self.integer: Format = add({"num_format": "0", "align": "left", **top})
        self.readiness: Format = add({"num_format": '0.0" %"_)', **right})
        self.date: Format = add({"num_format": DATE_TIME_FORMAT, "align": "left", **top})
        self.decision: Format = add({"bold": True, "font_color": "#1F3864", "text_wrap": True, **top})
        self.meta_label: Format = add({"bold": True, "font_color": "#404040", **top})
        self.meta_value: Format = add({"align": "left", "text_wrap": True, **top})
        self.meta_money: Format = add({"num_format": '#,##0.00 "€"', "align": "left", **top})
        self.meta_integer: Format = add({"num_format": "0", "align": "left", **top})
        input_style = {"locked": False, "bg_color": "#FFF2CC", "border": 1, "border_color": "#BF9000", **top}
        self.input_fraction: Format = add({**input_style, "num_format": "0.0%"})
        self.input_number: Format = add({**input_style, "num_format": "#,##0.00"})
        self.input_money: Format = add({**input_style, "num_format": '#,##0.00 "€"'})
        self.bold_formats = {id(self.label), id(self.header), id(self.header_number), id(self.decision),
                             id(self.meta_label), id(self.section)}

    def for_input(self, field: str) -> Format:
        if _field_kind(field) == FRACTION_KIND:
            return self.input_fraction
        return self.input_money if "eur" in field else self.input_number

    def for_value(self, field: str) -> Format:
        if _field_kind(field) == FRACTION_KIND:
            return self.percent
        return self.money if "eur" in field else self.number


class _Writer:
    """Thin helpers over one worksheet: user text only as strings, "n/a" for missing values.

    Wrapped text records how many lines its row needs; :meth:`finish` sets those row heights.
    """

    def __init__(self, sheet: Worksheet, formats: _Formats, texts: _Texts, widths: Sequence[float]) -> None:
        self.sheet = sheet
        self.formats = formats
        self.t = texts
        self.widths = list(widths)
        self.lines: dict[int, int] = {}
        self.heights: dict[int, float] = {}

    def width(self, col: int, span: int = 1) -> float:
        return sum(self.widths[col + offset] if col + offset < len(self.widths) else 8.43 for offset in range(span))

    def fit(self, row: int, col: int, text: str, fmt: Format | None, span: int = 1) -> None:
        """Record the lines ``text`` needs in this row, e.g. for a formula cell's text result."""
        lines = wrapped_line_count(text, self.width(col, span), id(fmt) in self.formats.bold_formats)
        if lines > self.lines.get(row, 1):
            self.lines[row] = min(lines, MAX_ROW_LINES)

    def text(self, row: int, col: int, value: object, fmt: Format | None = None, span: int = 1) -> None:
        text = NOT_AVAILABLE if value is None else str(value)
        fmt = self.formats.text if fmt is None else fmt
        if span > 1:
            self.sheet.merge_range(row, col, row, col + span - 1, "", fmt)
        self.sheet.write_string(row, col, text, fmt)
        if fmt is not self.formats.plain:
            self.fit(row, col, text, fmt, span)

    def label(self, row: int, col: int, text: str, fmt: Format | None = None, span: int = 1) -> None:
        """A translated label (never user text)."""
        self.text(row, col, self.t(text), self.formats.label if fmt is None else fmt, span)

    def scalar(self, row: int, col: int, value: object, fmt: Format | None = None) -> None:
        if value is None or (isinstance(value, float) and not math.isfinite(value)):
            self.sheet.write_string(row, col, NOT_AVAILABLE, fmt)
        elif isinstance(value, bool):
            self.sheet.write_boolean(row, col, value, fmt)
        elif isinstance(value, int | float):
            self.sheet.write_number(row, col, float(value), fmt)
        else:
            self.text(row, col, value, fmt)

    def moment(self, row: int, col: int, value: object) -> None:
        """A timestamp as a real date-time cell (UTC), text when it is not a datetime."""
        stamp = _excel_datetime(value)
        if stamp is None:
            self.text(row, col, None if value is None or value == "" else value)
        else:
            self.sheet.write_datetime(row, col, stamp, self.formats.date)

    def formula(self, row: int, col: int, formula: str, value: object, fmt: Format | None = None) -> None:
        if value is None or (isinstance(value, float) and not math.isfinite(value)):
            value = NOT_AVAILABLE
        elif isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        self.sheet.write_formula(row, col, formula, fmt, value)

    def header_row(self, row: int, labels: Sequence[str], col: int = 0, numeric: Sequence[int] = ()) -> None:
        """Translated column titles; ``numeric`` offsets are right-aligned over their numbers."""
        for offset, label in enumerate(labels):
            fmt = self.formats.header_number if offset in numeric else self.formats.header
            self.text(row, col + offset, self.t(label), fmt)

    def height(self, row: int, points: float) -> None:
        self.heights[row] = points

    def finish(self) -> None:
        for row, lines in self.lines.items():
            if lines > 1 and row not in self.heights:
                self.sheet.set_row(row, lines * LINE_HEIGHT_PT + ROW_PADDING_PT)
        for row, points in self.heights.items():
            self.sheet.set_row(row, points)


def _setup_sheet(sheet: Worksheet, texts: _Texts, workspace_name: str, generated: str, widths: Sequence[float],
                 repeat_rows: tuple[int, int] | None = None) -> None:
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=0.4, right=0.4, top=0.7, bottom=0.6)
    sheet.center_horizontally()
    sheet.set_header(f"&L&9{_header_text(workspace_name)}&R&9{texts('AI use-case decision pack')}, "
                     f"{_header_text(generated)}")
    sheet.set_footer(f"&L&9&A&R&9{texts('Page &P of &N')}")
    if repeat_rows is not None:
        sheet.repeat_rows(*repeat_rows)
    sheet.protect("", {"autofilter": True, "sort": True, "format_columns": True, "format_rows": True})


def _compute_figures(workspace: Workspace) -> dict[str, _Figures]:
    thresholds = workspace.thresholds
    frame = score_portfolio(
        workspace.use_cases, workspace.weights, thresholds.quick_win_min_value, thresholds.quick_win_min_feasibility
    )
    figures = {}
    for use_case in workspace.use_cases:
        row = frame.loc[use_case.id]
        figures[use_case.id] = _Figures(
            use_case=use_case,
            value=float(row["value"]),
            feasibility=float(row["feasibility"]),
            score=float(row["score"]),
            rank=int(row["rank"]),
            quadrant=str(row["quadrant"]),
            roi=compute_roi(use_case.roi),
            gates=evaluate_all(use_case, thresholds),
            next_gate=next_gate(use_case),
        )
    return figures


def _ranked_ids(figures: Mapping[str, _Figures]) -> list[str]:
    order = {use_case_id: position for position, use_case_id in enumerate(figures)}
    return sorted(figures, key=lambda use_case_id: (-figures[use_case_id].score, order[use_case_id]))


def _selected_ids(ranked: Sequence[str], use_case_ids: Sequence[str] | None, top_n: int) -> list[str]:
    if use_case_ids is None:
        if top_n < 0:
            raise ValueError(f"top_n: must be >= 0, got {top_n}")
        return list(ranked[:top_n])
    known = set(ranked)
    unknown = [use_case_id for use_case_id in use_case_ids if use_case_id not in known]
    if unknown:
        raise ValueError(f"use_case_ids: unknown use case(s) {unknown}")
    return list(dict.fromkeys(use_case_ids))


DECISION_WIDTHS: tuple[float, ...] = (32, 16, 16, 16, 16, 16, 16)
DECISION_COLUMNS = len(DECISION_WIDTHS)


class _DecisionSheet:
    """One Decision sheet (S1, S2, S3, S15, S16, gates, S6, S14) for one use case."""

    def __init__(self, writer: _Writer, name: str, ordinal: int, figures: _Figures, workspace: Workspace,
                 workbook: Workbook) -> None:
        self.w = writer
        self.f = writer.formats
        self.t = writer.t
        self.name = name
        self.ordinal = ordinal
        self.figures = figures
        self.use_case = figures.use_case
        self.workspace = workspace
        self.workbook = workbook
        self.row = 0
        self.inputs: list[InputCell] = []
        self.names: dict[str, str] = {}
        self.live: dict[str, str] = {}
        self.gate_cells: dict[str, _GateCells] = {}

    def write(self) -> _LiveCells:
        self._card()
        self._kpis()
        self._scoring()
        self._roi()
        self._break_even()
        self._scenarios()
        self._gates()
        self._readiness()
        self._raci()
        self.w.finish()
        headline = {key: self.live[key] for key in _LiveCells.__slots__ if key != "next_gate"}
        return _LiveCells(**headline, next_gate=self.gate_cells[self.figures.next_gate])

    def _section(self, title: str) -> None:
        self.row += 1
        self.w.label(self.row, 0, title, self.f.section, span=DECISION_COLUMNS)
        self.w.height(self.row, 21)
        self.row += 1

    def _input(self, row: int, col: int, field_path: str, field: str, value: float | None) -> None:
        kind = _field_kind(field)
        fmt = self.f.for_input(field)
        if value is None:
            self.w.sheet.write_blank(row, col, None, fmt)
        else:
            self.w.sheet.write_number(row, col, float(value), fmt)
        t = self.t
        if kind == FRACTION_KIND:
            rule = {"validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 1,
                    "error_title": t("Fraction 0–1"),
                    "error_message": t("Enter a fraction between 0 and 1 (62 % = 0.62).")}
        else:
            rule = {"validate": "decimal", "criteria": ">=", "value": 0,
                    "error_title": t("Not negative"), "error_message": t("Enter a number of at least 0.")}
        self.w.sheet.data_validation(row, col, row, col, {**rule, "ignore_blank": True})
        self.inputs.append(InputCell(self.use_case.id, field_path, self.name, _cell(row, col), value, kind))

    def _card(self) -> None:
        use_case = self.use_case
        t = self.t
        self.w.label(0, 0, "Decision sheet", self.f.title)
        self.w.text(0, 1, use_case.name, self.f.title, span=DECISION_COLUMNS - 1)
        self.w.height(0, max(26.0, 21.0 * wrapped_line_count(use_case.name, 1.4 * 0.7 * self.w.width(1, 6))))
        self.row = 1
        self._section("S1 Use case")
        output = t.code(OUTPUT_LABELS, use_case.output_type)
        rows = (
            ("ID", use_case.id), ("Name", use_case.name), ("Owner", use_case.owner or None),
            ("Phase (S13)", t.code(PHASE_LABELS, use_case.phase)),
            ("Problem statement", use_case.problem_statement or None),
            ("Users", use_case.users or None), ("Process step", use_case.process_step or None),
            ("Decision point", use_case.decision_point or None),
            ("Output", f"{output}, {use_case.output_format}" if use_case.output_format else output),
            ("Guardrails", use_case.guardrails or None), ("Out of scope", use_case.out_of_scope or None),
            ("EU AI Act risk class (S11)", t.code(RISK_LABELS, use_case.eu_ai_act_risk_class)),
        )
        for label, value in rows:
            self.w.label(self.row, 0, label)
            self.w.text(self.row, 1, value, span=DECISION_COLUMNS - 1)
            self.row += 1
        for label, value in (("Created (UTC)", use_case.created_at), ("Updated (UTC)", use_case.updated_at)):
            self.w.label(self.row, 0, label)
            self.w.moment(self.row, 1, value)
            self.row += 1

    def _kpis(self) -> None:
        self._section("S2 KPI set")
        self.w.header_row(self.row, ("KPI", "Group", "Target", "Unit", "Measurement window", "Baseline"),
                          numeric=(2, 5))
        self.row += 1
        if not self.use_case.kpi_set:
            self.w.text(self.row, 0, NOT_AVAILABLE)
            self.row += 1
        for kpi in self.use_case.kpi_set:
            self.w.text(self.row, 0, kpi.name)
            self.w.text(self.row, 1, self.t.code(KPI_GROUP_LABELS, kpi.group))
            self.w.scalar(self.row, 2, kpi.target_value, self.f.measure)
            self.w.text(self.row, 3, kpi.unit or None)
            self.w.text(self.row, 4, kpi.measurement_window or None)
            self.w.scalar(self.row, 5, kpi.baseline_value, self.f.measure)
            self.row += 1

    def _scoring(self) -> None:
        self._section("S3 Score: value × feasibility")
        self.w.header_row(self.row, ("Input", "Value (0–1)", "Weight"), numeric=(1, 2))
        self.row += 1
        weights = self.workspace.weights
        cells: dict[str, tuple[str, str]] = {}
        for field in SCORING_FIELDS:
            self.w.label(self.row, 0, FIELD_LABELS[field], self.f.text)
            self._input(self.row, 1, f"scoring.{field}", field, getattr(self.use_case.scoring, field))
            self._define_name(field, self.row, 1)
            self.w.scalar(self.row, 2, getattr(weights, field), self.f.percent)
            cells[field] = (_cell(self.row, 1), _cell(self.row, 2))
            self.row += 1
        value_terms = "+".join(f"{cells[field][0]}*{cells[field][1]}" for field in VALUE_WEIGHT_FIELDS)
        first, *rest = FEASIBILITY_WEIGHT_FIELDS
        feasibility_terms = "+".join(
            [f"{cells[first][0]}*{cells[first][1]}"] + [f"(1-{cells[field][0]})*{cells[field][1]}" for field in rest]
        )
        figures = self.figures
        value_cell = self._result("Value", f"={value_terms}", figures.value, self.f.score, "value")
        feasibility_cell = self._result("Feasibility", f"={feasibility_terms}", figures.feasibility, self.f.score,
                                        "feasibility")
        self._result("Score = value × feasibility", f"={value_cell}*{feasibility_cell}", figures.score,
                     self.f.score, "score")
        thresholds = self.workspace.thresholds
        high_value = f"{value_cell}>={_literal(thresholds.quick_win_min_value)}-{BOUNDARY_TOLERANCE!r}"
        high_feasibility = f"{feasibility_cell}>={_literal(thresholds.quick_win_min_feasibility)}" \
                           f"-{BOUNDARY_TOLERANCE!r}"
        label = {code: _formula_text(self.t(text)) for code, text in QUADRANT_LABELS.items()}
        quadrant = (f"=IF(AND({high_value},{high_feasibility}),{label['quick_win']},IF({high_value},"
                    f"{label['strategic_bet']},IF({high_feasibility},{label['fill_in']},{label['deprioritise']})))")
        self._result("Quadrant", quadrant, self.t.code(QUADRANT_LABELS, figures.quadrant), self.f.decision,
                     "quadrant")

    def _result(self, label: str, formula: str, value: object, fmt: Format, key: str | None = None,
                col: int = 1) -> str:
        self.w.label(self.row, 0, label)
        self.w.formula(self.row, col, formula, value, fmt)
        cell = _cell(self.row, col)
        if key is not None:
            self.live[key] = _ref(self.name, self.row, col)
        self.row += 1
        return cell

    def _define_name(self, field: str, row: int, col: int) -> None:
        name = input_name(self.ordinal, field)
        self.workbook.define_name(name, f"={_ref(self.name, row, col)}")
        self.names[field] = name

    def _roi(self) -> None:
        self._section("S15 Monthly ROI")
        self.w.header_row(self.row, ("Input", "Value", "Unit", "Defined name"), numeric=(1,))
        self.row += 1
        for field in ROI_INPUT_FIELDS:
            self.w.label(self.row, 0, FIELD_LABELS[field], self.f.text)
            self._input(self.row, 1, f"roi.{field}", field, getattr(self.use_case.roi, field))
            self._define_name(field, self.row, 1)
            self.w.label(self.row, 2, _field_unit(field), self.f.text)
            self.w.text(self.row, 3, self.names[field], self.f.plain)
            self.row += 1
        n = self.names
        roi = self.figures.roi
        used = f"{n['volume_cases_per_month']}*{n['adoption']}"
        value_time = self._result("Value time (€/month)",
                                  f"={used}*{n['minutes_saved_per_case']}*{n['cost_per_minute_eur']}",
                                  roi.value_time, self.f.money)
        value_quality = self._result("Value quality (€/month)",
                                     f"={used}*{n['error_cost_per_case_eur']}*{n['error_rate_reduction']}",
                                     roi.value_quality, self.f.money)
        self.total_value_cell = self._result("Total value (€/month)", f"={value_time}+{value_quality}",
                                             roi.total_value, self.f.money)
        net = self._result("Net value (€/month)", f"={self.total_value_cell}-{n['run_cost_eur_per_month']}",
                           roi.net_value, self.f.money_bold, "net_value")
        run = n["run_cost_eur_per_month"]
        self.roi_cell = self._result("ROI = net / run cost", f'=IF({run}=0,"{NOT_AVAILABLE}",{net}/{run})',
                                     roi.roi, self.f.percent, "roi")
        if self.use_case.inference is not None:
            inference = self.use_case.inference
            self.w.label(self.row, 0, "Inference cost S12 (€/month)")
            self.w.scalar(self.row, 1, inference.tokens_per_request * inference.requests_per_month
                          * inference.price_per_1k_tokens_eur / 1000.0, self.f.money)
            self.row += 1

    def _break_even(self) -> None:
        self._section("Break-even (ROI = 0)")
        self.w.header_row(self.row, ("Input", "Break-even value", "Current value"), numeric=(1, 2))
        self.row += 1
        n = self.names
        volume, adoption, minutes = n["volume_cases_per_month"], n["adoption"], n["minutes_saved_per_case"]
        cost_minute, error_cost = n["cost_per_minute_eur"], n["error_cost_per_case_eur"]
        error_reduction, run = n["error_rate_reduction"], n["run_cost_eur_per_month"]
        per_adoption = f"({volume}*{minutes}*{cost_minute}+{volume}*{error_cost}*{error_reduction})"
        quality = f"{volume}*{adoption}*{error_cost}*{error_reduction}"
        per_minute = f"(({volume}*{adoption}*{cost_minute}+{quality})-{quality})"
        per_volume = f"({adoption}*{minutes}*{cost_minute}+{adoption}*{error_cost}*{error_reduction})"
        na = f'"{NOT_AVAILABLE}"'
        formulas = {
            "adoption": f"=IF(OR({run}<=0,{per_adoption}<=0),{na},IF({run}/{per_adoption}>1,{na},"
                        f"{run}/{per_adoption}))",
            "minutes_saved_per_case": f"=IF(OR({run}<=0,{per_minute}<=0),{na},IF(({run}-{quality})/{per_minute}<0,"
                                      f"{na},({run}-{quality})/{per_minute}))",
            "volume_cases_per_month": f"=IF(OR({run}<=0,{per_volume}<=0),{na},{run}/{per_volume})",
            "run_cost_eur_per_month": f"=IF({self.total_value_cell}>0,{self.total_value_cell},{na})",
        }
        for field in BREAK_EVEN_FIELDS:
            self.w.label(self.row, 0, FIELD_LABELS[field], self.f.text)
            self.w.formula(self.row, 1, formulas[field], break_even(self.use_case.roi, field),
                           self.f.for_value(field))
            self.w.formula(self.row, 2, f"={n[field]}", getattr(self.use_case.roi, field), self.f.for_value(field))
            self.row += 1

    def _scenarios(self) -> None:
        scenarios = self.use_case.scenarios
        self._section("S16 Scenarios (blank override = base input)")
        if not scenarios:
            self.w.text(self.row, 0, NOT_AVAILABLE)
            self.row += 1
            return
        frame = run_scenarios(self.use_case.roi, scenarios)
        self.w.header_row(self.row, ("Override",), numeric=())
        for index, scenario in enumerate(scenarios):
            self.w.text(self.row, 1 + index, scenario.name, self.f.header_number)
        self.row += 1
        effective: dict[tuple[str, int], str] = {}
        for field in ROI_INPUT_FIELDS:
            self.w.label(self.row, 0, FIELD_LABELS[field], self.f.text)
            for index, scenario in enumerate(scenarios):
                override = _cell(self.row, 1 + index)
                self._input(self.row, 1 + index, f"scenarios.{index}.{field}", field, getattr(scenario, field))
                effective[field, index] = f"IF(ISNUMBER({override}),{override},{self.names[field]})"
            self.row += 1
        outputs: dict[str, list[str]] = {key: [] for key in ("value_time", "value_quality", "total", "net")}
        self._scenario_row("Value time (€/month)", frame, "value_time", scenarios, outputs, lambda i: (
            f"={effective['volume_cases_per_month', i]}*{effective['adoption', i]}"
            f"*{effective['minutes_saved_per_case', i]}*{effective['cost_per_minute_eur', i]}"))
        self._scenario_row("Value quality (€/month)", frame, "value_quality", scenarios, outputs, lambda i: (
            f"={effective['volume_cases_per_month', i]}*{effective['adoption', i]}"
            f"*{effective['error_cost_per_case_eur', i]}*{effective['error_rate_reduction', i]}"))
        self._scenario_row("Total value (€/month)", frame, "total_value", scenarios, outputs,
                           lambda i: f"={outputs['value_time'][i]}+{outputs['value_quality'][i]}", "total")
        self._scenario_row("Net value (€/month)", frame, "net_value", scenarios, outputs,
                           lambda i: f"={outputs['total'][i]}-{effective['run_cost_eur_per_month', i]}", "net")
        self._scenario_row("ROI", frame, "roi", scenarios, outputs, lambda i: (
            f"=IF({effective['run_cost_eur_per_month', i]}=0,\"{NOT_AVAILABLE}\","
            f"{outputs['net'][i]}/{effective['run_cost_eur_per_month', i]})"))
        self.w.label(self.row, 0, "Survives (net value > 0)")
        yes, no = _formula_text(self.t(YES)), _formula_text(self.t(NO))
        for index, scenario in enumerate(scenarios):
            survives = self.t(YES if bool(frame.at[scenario.name, "survives"]) else NO)
            self.w.formula(self.row, 1 + index, f'=IF({outputs["net"][index]}>0,{yes},{no})', survives,
                           self.f.plain)
        self.row += 1
        scale, poc = _formula_text(self.t("scale candidate")), _formula_text(self.t("PoC with expiry date"))
        lowest = f"MIN({','.join(outputs['net'])})"
        verdict_formula = f"=IF({lowest}>0,{scale},{poc})"
        self._result("Verdict (S16)", verdict_formula, self.t(frame.attrs["verdict"]), self.f.decision)

    def _scenario_row(self, label: str, frame: Any, column: str, scenarios: Sequence[Any],
                      outputs: dict[str, list[str]], formula: Any, key: str | None = None) -> None:
        self.w.label(self.row, 0, label)
        fmt = self.f.percent if column == "roi" else self.f.money
        for index, scenario in enumerate(scenarios):
            self.w.formula(self.row, 1 + index, formula(index), float(frame.at[scenario.name, column]), fmt)
            outputs.setdefault(key or column, []).append(_cell(self.row, 1 + index))
        self.row += 1

    def _gates(self) -> None:
        self._section("Gates: S5, S9, S10, S17, S11")
        next_key = self.figures.next_gate
        for key, result in self.figures.gates.items():
            first_check = self.row + 2
            rows = range(first_check, first_check + len(result.checks))
            results = {check.name: _cell(row, 4) for check, row in zip(result.checks, rows, strict=True)}
            self.w.text(self.row, 0, self.t.code(GATE_LABELS, key), self.f.subtitle)
            decision = self.t.code(DECISION_LABELS, result.decision)
            self.w.formula(self.row, 1, gate_decision_formula(key, results, self.t), decision, self.f.decision)
            self.w.fit(self.row, 1, decision, self.f.decision)
            self.gate_cells[key] = _GateCells(_ref(self.name, self.row, 1),
                                              tuple((_ref(self.name, row, 0), _ref(self.name, row, 4)) for row in rows))
            notes = [self.t("← next gate (S13)")] if key == next_key else []
            if result.missing:
                notes.append(self.t("missing: {fields}").format(fields=", ".join(result.missing)))
            self.w.text(self.row, 2, "  ".join(notes), self.f.decision if key == next_key else self.f.text,
                        span=DECISION_COLUMNS - 2)
            self.w.height(self.row, max(20.0, self.w.lines.get(self.row, 1) * LINE_HEIGHT_PT + ROW_PADDING_PT))
            self.row += 1
            self.w.header_row(self.row, ("Check", "Actual", "Threshold", "Rule", "Result"), numeric=(1, 2))
            self.row += 1
            for check in result.checks:
                self._check_row(key, check)
            self.row += 1

    def _check_row(self, gate: str, check: Any) -> None:
        row = self.row
        t = self.t
        self.w.text(row, 0, check.name)
        roi = self.figures.roi.roi
        live_roi = gate == "scale_or_kill" and check.name == "roi" and check.actual == roi
        if live_roi:
            self.w.formula(row, 1, f"={self.roi_cell}", roi, self.f.percent)
        else:
            self.w.scalar(row, 1, check.actual, self.f.measure)
        self.w.scalar(row, 2, check.threshold, self.f.measure)
        symbol = COMPARATOR_SYMBOLS.get(check.comparator, check.comparator)
        self.w.text(row, 3, t(symbol) if check.comparator == "present" else symbol)
        outcome = {True: t(PASS), False: t(FAIL), None: NOT_AVAILABLE}[check.passed]
        actual, threshold = _cell(row, 1), _cell(row, 2)
        passed, failed = _formula_text(t(PASS)), _formula_text(t(FAIL))
        if check.comparator == "present":
            self.w.formula(row, 4, f'=IF(ISNUMBER({actual}),{passed},"{NOT_AVAILABLE}")', outcome, self.f.plain)
        elif check.comparator in EXCEL_COMPARATORS:
            tolerance = f"-{DERIVED_THRESHOLD_TOLERANCE!r}" if check.name == "offline_eval.quality_score" else ""
            test = f"{actual}{EXCEL_COMPARATORS[check.comparator]}{threshold}{tolerance}"
            self.w.formula(row, 4, f'=IF(OR({actual}="{NOT_AVAILABLE}",{threshold}="{NOT_AVAILABLE}"),'
                                   f'"{NOT_AVAILABLE}",IF({test},{passed},{failed}))', outcome, self.f.plain)
        else:
            self.w.text(row, 4, outcome)
        self.row += 1

    def _readiness(self) -> None:
        self._section("S6 Data readiness")
        self.w.header_row(self.row, ("Checklist item", "Status", "Evidence"))
        self.row += 1
        german = self.t.language == "de"
        labels = {entry.id: entry.label_de if german else entry.label_en for entry in CHECKLIST}
        first = self.row
        for item in self.use_case.readiness:
            self.w.text(self.row, 0, labels.get(item.item, item.item))
            self.w.text(self.row, 1, self.t.code(STATUS_LABELS, item.status))
            self.w.text(self.row, 2, item.evidence or None, span=DECISION_COLUMNS - 2)
            self.row += 1
        value = readiness_percentage(self.use_case.readiness)
        if self.row == first:
            self.w.text(self.row, 0, NOT_AVAILABLE)
            self.row += 1
            self.w.label(self.row, 0, "Readiness (%)")
            self.w.scalar(self.row, 1, value, self.f.readiness)
            self.row += 1
            return
        status = f"B{first + 1}:B{self.row}"
        done, partial, skipped = (_formula_text(self.t.code(STATUS_LABELS, code))
                                  for code in ("done", "partial", "not_applicable"))
        counted = f"(COUNTA({status})-COUNTIF({status},{skipped}))"
        formula = (f'=IF({counted}=0,"{NOT_AVAILABLE}",'
                   f'{READINESS_SCALE!r}*(COUNTIF({status},{done})+0.5*COUNTIF({status},{partial}))/{counted})')
        self._result("Readiness (%)", formula, value, self.f.readiness)

    def _raci(self) -> None:
        self._section("S14 RACI")
        self.w.header_row(self.row, ("Deliverable", "R (responsible)", "A (accountable)", "C (consulted)",
                                     "I (informed)"))
        self.row += 1
        if not self.use_case.raci:
            self.w.text(self.row, 0, NOT_AVAILABLE)
            self.row += 1
        for entry in self.use_case.raci:
            self.w.text(self.row, 0, entry.deliverable)
            for col, roles in enumerate((entry.responsible, entry.accountable, entry.consulted, entry.informed), 1):
                self.w.text(self.row, col, ", ".join(roles) or None)
            self.row += 1


SUMMARY_COLUMNS: tuple[str, ...] = (
    "Rank", "Use case ID", "Name", "Owner", "Phase", "EU AI Act risk", "Quadrant", "Value", "Feasibility",
    "Score", "ROI", "Net value (€/month)", "Next gate", "Gate decision", "Failed checks", "Decision sheet",
)
SUMMARY_WIDTHS: tuple[float, ...] = (6, 20, 34, 20, 15, 11, 13, 9, 11, 9, 10, 15, 20, 14, 28, 20)
SUMMARY_NUMERIC_COLUMNS: tuple[int, ...] = (7, 8, 9, 10, 11)
SUMMARY_TABLE_ROW = 8


def _fact(writer: _Writer, row: int, col: int, label: str, span: tuple[int, int]) -> None:
    writer.label(row, col, label, writer.formats.meta_label, span=span[0])


def _write_summary(writer: _Writer, workspace_id: str, workspace: Workspace, author: str, moment: datetime,
                   ranked: Sequence[str], figures: Mapping[str, _Figures], live: Mapping[str, _LiveCells],
                   sheets: Mapping[str, str]) -> None:
    f, t, sheet = writer.formats, writer.t, writer.sheet
    writer.label(0, 0, "AI use-case decision pack", f.title, span=6)
    writer.height(0, 28)
    left, right = (2, 4), (3, 3)
    for row, label, value in ((1, "Workspace", workspace.name), (2, "Workspace ID", workspace_id),
                              (4, "Author", author or None)):
        _fact(writer, row, 0, label, left)
        writer.text(row, 2, value, f.meta_value, span=left[1])
    _fact(writer, 3, 0, "Generated (UTC)", left)
    sheet.merge_range(3, 2, 3, 5, "", f.date)
    writer.moment(3, 2, moment)
    thresholds = workspace.thresholds
    _fact(writer, 5, 0, "Quick-win thresholds", left)
    writer.text(5, 2, t("value ≥ {value}, feasibility ≥ {feasibility}").format(
        value=t.number(thresholds.quick_win_min_value), feasibility=t.number(thresholds.quick_win_min_feasibility)),
        f.meta_value, span=left[1])
    first, last = SUMMARY_TABLE_ROW + 1, SUMMARY_TABLE_ROW + max(len(ranked), 1)
    quadrant_range = f"{_cell(first, 6)}:{_cell(last, 6)}"
    net_range = f"{_cell(first, 11)}:{_cell(last, 11)}"
    quick_wins = sum(1 for use_case_id in ranked if figures[use_case_id].quadrant == "quick_win")
    total_net = math.fsum(figures[use_case_id].roi.net_value for use_case_id in ranked)
    facts: tuple[tuple[str, str | None, object, Format], ...] = (
        ("Use cases", None, len(ranked), f.meta_integer),
        ("Decision sheets", None, len(live), f.meta_integer),
        ("Quick wins", f"=COUNTIF({quadrant_range},{_formula_text(t(QUADRANT_LABELS['quick_win']))})", quick_wins,
         f.meta_integer),
        ("Total net value (€/month)", f"=SUM({net_range})", total_net, f.meta_money),
    )
    for row, (label, formula, value, fmt) in enumerate(facts, start=1):
        _fact(writer, row, 6, label, right)
        sheet.merge_range(row, 9, row, 11, "", fmt)
        if formula is None:
            writer.scalar(row, 9, value, fmt)
        else:
            writer.formula(row, 9, formula, value, fmt)
    writer.label(SUMMARY_TABLE_ROW - 1, 0, "Portfolio ranked by score (S3)", f.subtitle, span=6)
    writer.height(SUMMARY_TABLE_ROW - 1, 22)
    writer.header_row(SUMMARY_TABLE_ROW, SUMMARY_COLUMNS, numeric=SUMMARY_NUMERIC_COLUMNS)
    none = t("none")
    scores = f"{xl_rowcol_to_cell(first, 9, True, True)}:{xl_rowcol_to_cell(last, 9, True, True)}"
    for row, use_case_id in enumerate(ranked, start=first):
        figure = figures[use_case_id]
        use_case = figure.use_case
        gate = figure.gates[figure.next_gate]
        writer.formula(row, 0, f"=RANK({_cell(row, 9)},{scores},0)", figure.rank, f.integer)
        writer.text(row, 1, use_case.id)
        writer.text(row, 2, use_case.name)
        writer.text(row, 3, use_case.owner or None)
        writer.text(row, 4, t.code(PHASE_LABELS, use_case.phase))
        writer.text(row, 5, t.code(RISK_LABELS, use_case.eu_ai_act_risk_class))
        cells = live.get(use_case_id)
        results = (
            (6, "quadrant", t.code(QUADRANT_LABELS, figure.quadrant), f.text), (7, "value", figure.value, f.score),
            (8, "feasibility", figure.feasibility, f.score), (9, "score", figure.score, f.score),
            (10, "roi", figure.roi.roi, f.percent), (11, "net_value", figure.roi.net_value, f.money),
        )
        for col, key, value, fmt in results:
            if cells is None:
                writer.scalar(row, col, value, fmt)
            else:
                writer.formula(row, col, f"={getattr(cells, key)}", value, fmt)
        writer.text(row, 12, t.code(GATE_LABELS, figure.next_gate))
        decision = t.code(DECISION_LABELS, gate.decision)
        failed = ", ".join(check.name for check in gate.failed_checks) or none
        if cells is None:
            writer.text(row, 13, decision, f.decision)
            writer.text(row, 14, failed)
        else:
            writer.formula(row, 13, f"={cells.next_gate.decision}", decision, f.decision)
            writer.fit(row, 13, decision, f.decision)
            writer.formula(row, 14, failed_checks_formula(cells.next_gate.checks, t), failed, f.text)
            writer.fit(row, 14, failed, f.text)
        if use_case_id in sheets:
            sheet.write_url(row, 15, f"internal:{_quoted(sheets[use_case_id])}!A1", f.link,
                            string=sheets[use_case_id])
        else:
            writer.text(row, 15, NOT_AVAILABLE)
    sheet.autofilter(SUMMARY_TABLE_ROW, 0, last, len(SUMMARY_COLUMNS) - 1)
    sheet.freeze_panes(first, 3)
    writer.finish()


MATRIX_WIDTHS: tuple[float, ...] = (16, 24, 44, 14, 14, 14)
MATRIX_CHART_HEIGHT = 560


def _matrix_labels(points: Sequence[tuple[str, float, float]]) -> list[str | None]:
    """Chart label per (name, feasibility, value) point; a point close to an earlier one joins its label.

    Example: ``[("a", 0.72, 0.54), ("b", 0.73, 0.545)]`` → ``["a, b", None]`` (None: no label of its own).
    """
    labels: list[str | None] = []
    anchors: list[int] = []
    for index, (name, feasibility, value) in enumerate(points):
        for anchor in anchors:
            _, anchor_feasibility, anchor_value = points[anchor]
            if abs(anchor_feasibility - feasibility) < LABEL_CLEARANCE_X and abs(anchor_value - value) < \
                    LABEL_CLEARANCE_Y:
                labels[anchor] = f"{labels[anchor]}, {name}"
                labels.append(None)
                break
        else:
            anchors.append(index)
            labels.append(name)
    return labels


def _column_pixels(width: float) -> int:
    return int(width * 7 + 5)


def _write_matrix(writer: _Writer, workbook: Workbook, workspace: Workspace, ranked: Sequence[str],
                  figures: Mapping[str, _Figures]) -> None:
    f, t = writer.formats, writer.t
    writer.label(0, 0, "S3 value × feasibility matrix", f.title, span=6)
    writer.height(0, 28)
    thresholds = workspace.thresholds
    writer.text(1, 0, f"{t('Quick-win thresholds')}: " + t("value ≥ {value}, feasibility ≥ {feasibility}").format(
        value=t.number(thresholds.quick_win_min_value), feasibility=t.number(thresholds.quick_win_min_feasibility)),
        f.text, span=6)
    table_row = 2 + math.ceil(MATRIX_CHART_HEIGHT / CHART_ROW_PIXELS) + 1
    writer.header_row(table_row, ("Quadrant", "Use case ID", "Name", "Feasibility", "Value", "Score"),
                      numeric=(3, 4, 5))
    labelled = len(ranked) <= MATRIX_LABEL_LIMIT
    ordered = [use_case_id for quadrant in QUADRANT_LABELS for use_case_id in ranked
               if figures[use_case_id].quadrant == quadrant]
    point_labels = dict(zip(ordered, _matrix_labels(
        [(use_case_id, figures[use_case_id].feasibility, figures[use_case_id].value) for use_case_id in ordered]),
        strict=True)) if labelled else {}
    chart = workbook.add_chart({"type": "scatter"})
    row = table_row + 1
    for quadrant, label in QUADRANT_LABELS.items():
        members = [use_case_id for use_case_id in ranked if figures[use_case_id].quadrant == quadrant]
        if not members:
            continue
        first = row
        for use_case_id in members:
            figure = figures[use_case_id]
            writer.text(row, 0, t(label))
            writer.text(row, 1, use_case_id)
            writer.text(row, 2, figure.use_case.name)
            writer.scalar(row, 3, figure.feasibility, f.score)
            writer.scalar(row, 4, figure.value, f.score)
            writer.scalar(row, 5, figure.score, f.score)
            row += 1
        colour, shape = OKABE_ITO[quadrant]
        series: dict[str, Any] = {
            "name": t(label),
            "categories": [MATRIX_SHEET, first, 3, row - 1, 3],
            "values": [MATRIX_SHEET, first, 4, row - 1, 4],
            "marker": {"type": shape, "size": 8, "fill": {"color": colour}, "border": {"color": "#FFFFFF"}},
        }
        if labelled:
            series["data_labels"] = {
                "value": True,
                "custom": [{"delete": True} if point_labels[use_case_id] is None
                           else {"value": point_labels[use_case_id]} for use_case_id in members],
                "position": "right", "font": {"size": 8, "color": "#333333"},
            }
        chart.add_series(series)
    row += 1
    writer.label(row, 0, "Threshold lines (chart)", f.subtitle, span=3)
    row += 1
    writer.header_row(row, ("Line", "", "", "Feasibility", "Value"), numeric=(3, 4))
    row += 1
    lines = (("Quick-win threshold: value", ((0.0, thresholds.quick_win_min_value),
                                             (1.0, thresholds.quick_win_min_value))),
             ("Quick-win threshold: feasibility", ((thresholds.quick_win_min_feasibility, 0.0),
                                                   (thresholds.quick_win_min_feasibility, 1.0))))
    for label, points in lines:
        first = row
        for feasibility, value in points:
            writer.label(row, 0, label, f.text, span=3)
            writer.scalar(row, 3, feasibility, f.score)
            writer.scalar(row, 4, value, f.score)
            row += 1
        chart.add_series({
            "name": t(label),
            "categories": [MATRIX_SHEET, first, 3, row - 1, 3],
            "values": [MATRIX_SHEET, first, 4, row - 1, 4],
            "line": {"color": THRESHOLD_LINE_COLOUR, "width": 1.25, "dash_type": "dash"},
            "marker": {"type": "none"},
        })
    axis = {"min": 0, "max": 1, "major_unit": 0.1, "num_format": "0.0",
            "major_gridlines": {"visible": True, "line": {"color": "#E0E0E0"}},
            "name_font": {"size": 10, "bold": True}, "num_font": {"size": 9}}
    chart.set_title({"name": t("Value × feasibility (S3)"), "name_font": {"size": 13}})
    chart.set_x_axis({**axis, "name": t("Feasibility (0–1)")})
    chart.set_y_axis({**axis, "name": t("Value (0–1)")})
    chart.set_legend({"position": "bottom", "font": {"size": 9}})
    chart.set_plotarea({"border": {"color": "#BFBFBF"}})
    chart.set_size({"width": sum(_column_pixels(width) for width in MATRIX_WIDTHS), "height": MATRIX_CHART_HEIGHT})
    writer.sheet.insert_chart(2, 0, chart, {"x_offset": 2, "y_offset": 6, "object_position": 3})
    writer.finish()


def _audit_index(entries: Sequence[Any]) -> dict[tuple[str, str], Any]:
    latest: dict[tuple[str, str], Any] = {}
    for entry in entries:
        key = (str(entry.use_case_id), str(entry.field_path))
        current = latest.get(key)
        if current is None or str(_timestamp(entry.at)) > str(_timestamp(current.at)):
            latest[key] = entry
    return latest


def _timestamp(value: object) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, datetime) else str(value)


def _input_rows(use_case: UseCase) -> list[tuple[str, str, float | None]]:
    rows = [(f"scoring.{field}", field, getattr(use_case.scoring, field)) for field in SCORING_FIELDS]
    rows += [(f"roi.{field}", field, getattr(use_case.roi, field)) for field in ROI_INPUT_FIELDS]
    for index, scenario in enumerate(use_case.scenarios):
        rows += [(f"scenarios.{index}.{field}", field, value) for field, value in scenario.overrides().items()]
    return rows


ASSUMPTION_COLUMNS: tuple[str, ...] = (
    "Use case ID", "Use case", "Field path", "Value", "Unit", "Source", "Last edited by", "Last edited at (UTC)",
)
ASSUMPTION_WIDTHS: tuple[float, ...] = (20, 44, 34, 14, 13, 40, 16, 17)


def _write_assumptions(writer: _Writer, ranked: Sequence[str], figures: Mapping[str, _Figures],
                       inputs_by_case: Mapping[str, Mapping[str, InputCell]], audit_entries: Sequence[Any]) -> None:
    f, t = writer.formats, writer.t
    writer.label(0, 0, "Assumptions: every input, its source and last editor", f.title, span=6)
    writer.height(0, 28)
    writer.header_row(1, ASSUMPTION_COLUMNS, numeric=(3,))
    latest = _audit_index(audit_entries)
    units = {unit: t(unit) for unit in (FRACTION_UNIT, *FIELD_UNITS.values())}
    row = 2
    for use_case_id in ranked:
        use_case = figures[use_case_id].use_case
        cells = inputs_by_case.get(use_case_id, {})
        sources = use_case.assumption_sources
        for path, field, value in _input_rows(use_case):
            writer.text(row, 0, use_case_id)
            writer.text(row, 1, use_case.name)
            writer.text(row, 2, path, f.plain)
            fmt = f.for_value(field)
            cell = cells.get(path)
            if cell is None:
                writer.scalar(row, 3, value, fmt)
            else:
                target = f"{_quoted(cell.sheet)}!{cell.cell}"
                writer.formula(row, 3, f'=IF(ISNUMBER({target}),{target},"{NOT_AVAILABLE}")', value, fmt)
            writer.sheet.write_string(row, 4, units.get(_field_unit(field), ""), f.plain)
            writer.text(row, 5, sources.get(path) or sources.get(field))
            entry = latest.get((use_case_id, path))
            writer.text(row, 6, None if entry is None else entry.actor)
            writer.moment(row, 7, None if entry is None else entry.at)
            row += 1
    writer.sheet.autofilter(1, 0, max(row - 1, 2), len(ASSUMPTION_COLUMNS) - 1)
    writer.sheet.freeze_panes(2, 0)
    writer.finish()


AUDIT_COLUMNS: tuple[str, ...] = (
    "At (UTC)", "Actor", "Use case ID", "Action", "Field path", "Old value", "New value",
)
AUDIT_WIDTHS: tuple[float, ...] = (17, 18, 20, 14, 32, 30, 30)


def _write_audit(writer: _Writer, audit_entries: Sequence[Any]) -> None:
    writer.label(0, 0, "Audit trail", writer.formats.title, span=4)
    writer.height(0, 28)
    writer.header_row(1, AUDIT_COLUMNS)
    if not audit_entries:
        writer.text(2, 0, NOT_AVAILABLE)
    for row, entry in enumerate(audit_entries, start=2):
        writer.moment(row, 0, entry.at)
        values = (entry.actor, entry.use_case_id, entry.action, entry.field_path, entry.old_value, entry.new_value)
        for col, value in enumerate(values, start=1):
            writer.text(row, col, None if value is None or value == "" else value)
    writer.sheet.freeze_panes(2, 0)
    writer.finish()


def _write_meta(sheet: Worksheet, loaded: LoadedWorkspaceLike, author: str, generated: str,
                use_case_rows: Sequence[Sequence[str]], input_rows: Sequence[Sequence[str]]) -> None:
    values = {
        "workspace_id": str(loaded.id), "workspace_name": loaded.workspace.name,
        "schema_version": str(SCHEMA_VERSION), "pack_format": str(PACK_FORMAT_VERSION),
        "generated_at": generated, "author": author,
        "content_hash": meta_content_hash(str(loaded.id), use_case_rows, input_rows),
    }
    for row, key in enumerate(META_KEYS):
        sheet.write_string(row, 0, key)
        sheet.write_string(row, 1, values[key])
    for table_col, header, rows in ((META_USE_CASE_COLUMN, META_USE_CASE_HEADER, use_case_rows),
                                    (META_INPUT_COLUMN, META_INPUT_HEADER, input_rows)):
        for offset, label in enumerate(header):
            sheet.write_string(0, table_col + offset, label)
        for row, items in enumerate(rows, start=1):
            for offset, item in enumerate(items):
                sheet.write_string(row, table_col + offset, item)
    sheet.hide()


def build_pack(
    loaded: LoadedWorkspaceLike,
    use_case_ids: Sequence[str] | None = None,
    author: str = "",
    audit_entries: Iterable[Any] = (),
    generated_at: datetime | None = None,
    top_n: int = 50,
    language: str = "en",
) -> bytes:
    """The Excel decision pack of a workspace as xlsx bytes (S1–S17, S18 portfolio).

    Summary ranks every use case by S3 score; Decision sheets go to ``use_case_ids`` in the given
    order, or else to the ``top_n`` best scores. Each formula carries the core's figure as its
    stored result. ``language`` ("en" or "de") sets every label; sheet names, defined names, user
    text and the Meta sheet are the same in both, so :func:`core.excel_import.read_pack` reads either.
    Example: ``build_pack(store.load(workspace_id), author="CFO", language="de")`` → ``b"PK..."``.
    """
    texts = _Texts(language)
    workspace = loaded.workspace
    entries = list(audit_entries)
    moment = (generated_at or datetime.now(UTC)).replace(microsecond=0)
    generated = moment.isoformat()
    shown = (_excel_datetime(moment) or moment).strftime("%Y-%m-%d %H:%M UTC")
    figures = _compute_figures(workspace)
    ranked = _ranked_ids(figures)
    selected = _selected_ids(ranked, use_case_ids, top_n)
    sheets = {use_case_id: decision_sheet_name(ordinal, use_case_id)
              for ordinal, use_case_id in enumerate(selected, start=1)}

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {
        "in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False,
    })
    workbook.set_properties({"title": f"{texts('AI use-case decision pack')}: {workspace.name}"[:250],
                             "author": author[:250], "comments": "Generated by the AI use-case workbench"})
    formats = _Formats(workbook)
    widths = {SUMMARY_SHEET: SUMMARY_WIDTHS, MATRIX_SHEET: MATRIX_WIDTHS, ASSUMPTIONS_SHEET: ASSUMPTION_WIDTHS,
              AUDIT_SHEET: AUDIT_WIDTHS, META_SHEET: (16, 40)}
    repeated = {SUMMARY_SHEET: (SUMMARY_TABLE_ROW, SUMMARY_TABLE_ROW), ASSUMPTIONS_SHEET: (1, 1),
                AUDIT_SHEET: (1, 1)}
    worksheets = {SUMMARY_SHEET: workbook.add_worksheet(SUMMARY_SHEET),
                  MATRIX_SHEET: workbook.add_worksheet(MATRIX_SHEET)}
    decision_sheets = {use_case_id: workbook.add_worksheet(name) for use_case_id, name in sheets.items()}
    for name in (ASSUMPTIONS_SHEET, AUDIT_SHEET, META_SHEET):
        worksheets[name] = workbook.add_worksheet(name)
    for name, sheet in worksheets.items():
        _setup_sheet(sheet, texts, workspace.name, shown, widths[name], repeated.get(name))
    for sheet in decision_sheets.values():
        _setup_sheet(sheet, texts, workspace.name, shown, DECISION_WIDTHS, (0, 0))

    def writer(sheet: Worksheet, sheet_widths: Sequence[float]) -> _Writer:
        return _Writer(sheet, formats, texts, sheet_widths)

    live: dict[str, _LiveCells] = {}
    inputs: list[InputCell] = []
    for ordinal, use_case_id in enumerate(selected, start=1):
        decision = _DecisionSheet(writer(decision_sheets[use_case_id], DECISION_WIDTHS), sheets[use_case_id],
                                  ordinal, figures[use_case_id], workspace, workbook)
        live[use_case_id] = decision.write()
        inputs.extend(decision.inputs)
    inputs_by_case: dict[str, dict[str, InputCell]] = {}
    for cell in inputs:
        inputs_by_case.setdefault(cell.use_case_id, {})[cell.field_path] = cell

    _write_summary(writer(worksheets[SUMMARY_SHEET], SUMMARY_WIDTHS), str(loaded.id), workspace, author, moment,
                   ranked, figures, live, sheets)
    _write_matrix(writer(worksheets[MATRIX_SHEET], MATRIX_WIDTHS), workbook, workspace, ranked, figures)
    _write_assumptions(writer(worksheets[ASSUMPTIONS_SHEET], ASSUMPTION_WIDTHS), ranked, figures, inputs_by_case,
                       entries)
    _write_audit(writer(worksheets[AUDIT_SHEET], AUDIT_WIDTHS), entries)
    versions = loaded.versions
    ordinals = {use_case_id: str(ordinal) for ordinal, use_case_id in enumerate(selected, start=1)}
    use_case_rows = [(use_case_id, str(versions.get(use_case_id, "")), sheets.get(use_case_id, ""),
                      ordinals.get(use_case_id, ""))
                     for use_case_id in ranked]
    input_rows = [(cell.use_case_id, cell.field_path, cell.sheet, cell.cell, number_text(cell.exported_value),
                   cell.kind) for cell in inputs]
    _write_meta(worksheets[META_SHEET], loaded, author, generated, use_case_rows, input_rows)
    worksheets[SUMMARY_SHEET].activate()
    workbook.close()
    return buffer.getvalue()
