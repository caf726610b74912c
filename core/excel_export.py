"""Excel decision pack (S1–S17): live formulas that carry the core's results, built with XlsxWriter.

Every formula is written together with the figure the core computed for it, so viewers that never
recalculate (mail previews, pandas) show the same numbers as the app, and Excel or LibreOffice keep
them live when an input changes. Inputs sit in unlocked, validated, named cells on one Decision
sheet per selected use case; everything else is locked by sheet protection without a password.
The hidden Meta sheet lists every input cell and is what :mod:`core.excel_import` reads back.
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

from core.gates import DERIVED_THRESHOLD_TOLERANCE, GateResult, evaluate_all, next_gate
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
from core.sensitivity import WORST_SCENARIO, run_scenarios

PACK_FORMAT_VERSION = 1
NOT_AVAILABLE = "n/a"
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
EXCEL_COMPARATORS: dict[str, str] = {">=": ">=", "<=": "<=", ">": ">", "<": "<", "==": "=", "!=": "<>"}
BREAK_EVEN_FIELDS: tuple[str, ...] = (
    "adoption", "minutes_saved_per_case", "volume_cases_per_month", "run_cost_eur_per_month",
)


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
class _LiveCells:
    """Absolute, sheet-qualified references of a Decision sheet's headline results."""

    value: str
    feasibility: str
    score: str
    quadrant: str
    roi: str
    net_value: str


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


def _quoted(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def _ref(sheet: str, row: int, col: int) -> str:
    return f"{_quoted(sheet)}!{xl_rowcol_to_cell(row, col, row_abs=True, col_abs=True)}"


def _cell(row: int, col: int) -> str:
    return xl_rowcol_to_cell(row, col)


def _literal(number: float) -> str:
    return repr(float(number))


def _header_text(text: str, limit: int = 80) -> str:
    return text[:limit].replace("&", "&&")


def _field_unit(field: str) -> str:
    if field in SCORING_FIELDS or field in ROI_FRACTION_FIELDS:
        return FRACTION_UNIT
    return FIELD_UNITS.get(field, "")


def _field_kind(field: str) -> str:
    return FRACTION_KIND if field in SCORING_FIELDS or field in ROI_FRACTION_FIELDS else NON_NEGATIVE_KIND


class _Formats:
    """All cell formats of one workbook, created once."""

    def __init__(self, workbook: Workbook) -> None:
        add = workbook.add_format
        self.title: Format = add({"bold": True, "font_size": 14})
        self.section: Format = add({"bold": True, "font_size": 12, "bottom": 1})
        self.header: Format = add({"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True})
        self.label: Format = add({"bold": True})
        self.text: Format = add({"text_wrap": False})
        self.wrap: Format = add({"text_wrap": True, "valign": "top"})
        self.fraction: Format = add({"num_format": "0.00%"})
        self.score: Format = add({"num_format": "0.0000"})
        self.money: Format = add({"num_format": '#,##0.00 "€"'})
        self.number: Format = add({"num_format": "#,##0.00"})
        self.ratio: Format = add({"num_format": "0.0%"})
        self.decision: Format = add({"bold": True, "font_color": "#1F3864"})
        input_style = {"locked": False, "bg_color": "#FFF2CC", "border": 1, "border_color": "#BF9000"}
        self.input_fraction: Format = add({**input_style, "num_format": "0.00%"})
        self.input_number: Format = add({**input_style, "num_format": "#,##0.00"})
        self.input_money: Format = add({**input_style, "num_format": '#,##0.00 "€"'})

    def for_input(self, field: str) -> Format:
        if _field_kind(field) == FRACTION_KIND:
            return self.input_fraction
        return self.input_money if "eur" in field else self.input_number

    def for_value(self, field: str) -> Format:
        if _field_kind(field) == FRACTION_KIND:
            return self.fraction
        return self.money if "eur" in field else self.number


class _Writer:
    """Thin helpers over one worksheet: user text only as strings, "n/a" for missing values."""

    def __init__(self, sheet: Worksheet, formats: _Formats) -> None:
        self.sheet = sheet
        self.formats = formats

    def text(self, row: int, col: int, value: object, fmt: Format | None = None) -> None:
        self.sheet.write_string(row, col, NOT_AVAILABLE if value is None else str(value), fmt)

    def scalar(self, row: int, col: int, value: object, fmt: Format | None = None) -> None:
        if value is None or (isinstance(value, float) and not math.isfinite(value)):
            self.sheet.write_string(row, col, NOT_AVAILABLE, fmt)
        elif isinstance(value, bool):
            self.sheet.write_boolean(row, col, value, fmt)
        elif isinstance(value, int | float):
            self.sheet.write_number(row, col, float(value), fmt)
        else:
            self.sheet.write_string(row, col, str(value), fmt)

    def formula(self, row: int, col: int, formula: str, value: object, fmt: Format | None = None) -> None:
        if value is None or (isinstance(value, float) and not math.isfinite(value)):
            value = NOT_AVAILABLE
        elif isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        self.sheet.write_formula(row, col, formula, fmt, value)

    def header_row(self, row: int, labels: Sequence[str], col: int = 0) -> None:
        for offset, label in enumerate(labels):
            self.sheet.write_string(row, col + offset, label, self.formats.header)


def _setup_sheet(sheet: Worksheet, workspace_name: str, generated: str, widths: Sequence[float]) -> None:
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)
    sheet.set_header(f"&L{_header_text(workspace_name)}&RAI use-case decision pack, {_header_text(generated)}")
    sheet.set_footer("&CPage &P of &N")
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


class _DecisionSheet:
    """One Decision sheet (S1, S2, S3, S15, S16, gates, S6, S14) for one use case."""

    def __init__(self, writer: _Writer, name: str, ordinal: int, figures: _Figures, workspace: Workspace,
                 workbook: Workbook) -> None:
        self.w = writer
        self.f = writer.formats
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
        return _LiveCells(**{key: self.live[key] for key in _LiveCells.__slots__})

    def _section(self, title: str) -> None:
        self.row += 1
        self.w.text(self.row, 0, title, self.f.section)
        self.row += 1

    def _input(self, row: int, col: int, field_path: str, field: str, value: float | None) -> None:
        kind = _field_kind(field)
        fmt = self.f.for_input(field)
        if value is None:
            self.w.sheet.write_blank(row, col, None, fmt)
        else:
            self.w.sheet.write_number(row, col, float(value), fmt)
        if kind == FRACTION_KIND:
            rule = {"validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 1,
                    "error_title": "Fraction 0–1", "error_message": "Enter a fraction between 0 and 1 (62 % = 0.62)."}
        else:
            rule = {"validate": "decimal", "criteria": ">=", "value": 0,
                    "error_title": "Not negative", "error_message": "Enter a number of at least 0."}
        self.w.sheet.data_validation(row, col, row, col, {**rule, "ignore_blank": True})
        self.inputs.append(InputCell(self.use_case.id, field_path, self.name, _cell(row, col), value, kind))

    def _card(self) -> None:
        use_case = self.use_case
        self.w.text(0, 0, "Decision sheet", self.f.title)
        self.w.text(0, 1, use_case.name, self.f.title)
        self.row = 1
        self._section("S1 Use case")
        rows = (
            ("ID", use_case.id), ("Name", use_case.name), ("Owner", use_case.owner or None),
            ("Phase (S13)", use_case.phase), ("Problem statement", use_case.problem_statement or None),
            ("Users", use_case.users or None), ("Process step", use_case.process_step or None),
            ("Decision point", use_case.decision_point or None),
            ("Output", f"{use_case.output_type}, {use_case.output_format}" if use_case.output_format
             else use_case.output_type),
            ("Guardrails", use_case.guardrails or None), ("Out of scope", use_case.out_of_scope or None),
            ("EU AI Act risk class (S11)", use_case.eu_ai_act_risk_class),
            ("Created", use_case.created_at.isoformat()), ("Updated", use_case.updated_at.isoformat()),
        )
        for label, value in rows:
            self.w.text(self.row, 0, label, self.f.label)
            self.w.text(self.row, 1, value, self.f.wrap)
            self.row += 1

    def _kpis(self) -> None:
        self._section("S2 KPI set")
        self.w.header_row(self.row, ("Group", "KPI", "Target", "Unit", "Window", "Baseline"))
        self.row += 1
        if not self.use_case.kpi_set:
            self.w.text(self.row, 0, NOT_AVAILABLE)
            self.row += 1
        for kpi in self.use_case.kpi_set:
            self.w.text(self.row, 0, kpi.group)
            self.w.text(self.row, 1, kpi.name)
            self.w.scalar(self.row, 2, kpi.target_value, self.f.number)
            self.w.text(self.row, 3, kpi.unit or None)
            self.w.text(self.row, 4, kpi.measurement_window or None)
            self.w.scalar(self.row, 5, kpi.baseline_value, self.f.number)
            self.row += 1

    def _scoring(self) -> None:
        self._section("S3 Score: value × feasibility")
        self.w.header_row(self.row, ("Input", "Value (0–1)", "Weight"))
        self.row += 1
        weights = self.workspace.weights
        cells: dict[str, tuple[str, str]] = {}
        for field in SCORING_FIELDS:
            self.w.text(self.row, 0, FIELD_LABELS[field])
            self._input(self.row, 1, f"scoring.{field}", field, getattr(self.use_case.scoring, field))
            self._define_name(field, self.row, 1)
            self.w.scalar(self.row, 2, getattr(weights, field), self.f.score)
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
        quadrant = (f'=IF(AND({high_value},{high_feasibility}),"quick_win",IF({high_value},"strategic_bet",'
                    f'IF({high_feasibility},"fill_in","deprioritise")))')
        self._result("Quadrant", quadrant, figures.quadrant, self.f.decision, "quadrant")

    def _result(self, label: str, formula: str, value: object, fmt: Format, key: str | None = None,
                col: int = 1) -> str:
        self.w.text(self.row, 0, label, self.f.label)
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
        self.w.header_row(self.row, ("Input", "Value", "Unit", "Defined name"))
        self.row += 1
        for field in ROI_INPUT_FIELDS:
            self.w.text(self.row, 0, FIELD_LABELS[field])
            self._input(self.row, 1, f"roi.{field}", field, getattr(self.use_case.roi, field))
            self._define_name(field, self.row, 1)
            self.w.text(self.row, 2, _field_unit(field))
            self.w.text(self.row, 3, self.names[field])
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
                           roi.net_value, self.f.money, "net_value")
        run = n["run_cost_eur_per_month"]
        self.roi_cell = self._result("ROI = net / run cost", f'=IF({run}=0,"{NOT_AVAILABLE}",{net}/{run})',
                                     roi.roi, self.f.ratio, "roi")
        if self.use_case.inference is not None:
            inference = self.use_case.inference
            self.w.text(self.row, 0, "Inference cost S12 (€/month)", self.f.label)
            self.w.scalar(self.row, 1, inference.tokens_per_request * inference.requests_per_month
                          * inference.price_per_1k_tokens_eur / 1000.0, self.f.money)
            self.row += 1

    def _break_even(self) -> None:
        self._section("Break-even (ROI = 0)")
        self.w.header_row(self.row, ("Input", "Break-even value", "Current value"))
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
            self.w.text(self.row, 0, FIELD_LABELS[field])
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
        self.w.header_row(self.row, ("Override", *(scenario.name for scenario in scenarios)))
        self.row += 1
        effective: dict[tuple[str, int], str] = {}
        for field in ROI_INPUT_FIELDS:
            self.w.text(self.row, 0, FIELD_LABELS[field])
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
        self.w.text(self.row, 0, "Survives (net value > 0)", self.f.label)
        for index, scenario in enumerate(scenarios):
            survives = "yes" if bool(frame.at[scenario.name, "survives"]) else "no"
            self.w.formula(self.row, 1 + index, f'=IF({outputs["net"][index]}>0,"yes","no")', survives)
        self.row += 1
        names = [scenario.name for scenario in scenarios]
        if WORST_SCENARIO in names:
            worst_net = outputs["net"][names.index(WORST_SCENARIO)]
            verdict_formula = f'=IF({worst_net}>0,"scale candidate","PoC with expiry date")'
        else:
            lowest = f"MIN({','.join(outputs['net'])})"
            verdict_formula = f'=IF({lowest}>0,"scale candidate","PoC with expiry date")'
        self._result("Verdict (S16)", verdict_formula, frame.attrs["verdict"], self.f.decision)

    def _scenario_row(self, label: str, frame: Any, column: str, scenarios: Sequence[Any],
                      outputs: dict[str, list[str]], formula: Any, key: str | None = None) -> None:
        self.w.text(self.row, 0, label, self.f.label)
        fmt = self.f.ratio if column == "roi" else self.f.money
        for index, scenario in enumerate(scenarios):
            self.w.formula(self.row, 1 + index, formula(index), float(frame.at[scenario.name, column]), fmt)
            outputs.setdefault(key or column, []).append(_cell(self.row, 1 + index))
        self.row += 1

    def _gates(self) -> None:
        self._section("Gates: S5, S9, S10, S17, S11")
        next_key = self.figures.next_gate
        for key, result in self.figures.gates.items():
            heading = GATE_LABELS.get(key, key) + ("  ← next gate (S13)" if key == next_key else "")
            self.w.text(self.row, 0, heading, self.f.label)
            self.w.text(self.row, 1, result.decision, self.f.decision)
            self.w.text(self.row, 2, "missing: " + ", ".join(result.missing) if result.missing else "")
            self.row += 1
            self.w.header_row(self.row, ("Check", "Actual", "Threshold", "Comparator", "Result"))
            self.row += 1
            for check in result.checks:
                self._check_row(key, check)
            self.row += 1

    def _check_row(self, gate: str, check: Any) -> None:
        row = self.row
        self.w.text(row, 0, check.name)
        roi = self.figures.roi.roi
        live_roi = gate == "scale_or_kill" and check.name == "roi" and check.actual == roi
        if live_roi:
            self.w.formula(row, 1, f"={self.roi_cell}", roi, self.f.ratio)
        else:
            self.w.scalar(row, 1, check.actual, self.f.number)
        self.w.scalar(row, 2, check.threshold, self.f.number)
        self.w.text(row, 3, check.comparator)
        outcome = {True: "pass", False: "fail", None: NOT_AVAILABLE}[check.passed]
        actual, threshold = _cell(row, 1), _cell(row, 2)
        if check.comparator == "present":
            self.w.formula(row, 4, f'=IF(ISNUMBER({actual}),"pass","{NOT_AVAILABLE}")', outcome)
        elif check.comparator in EXCEL_COMPARATORS:
            tolerance = f"-{DERIVED_THRESHOLD_TOLERANCE!r}" if check.name == "offline_eval.quality_score" else ""
            test = f"{actual}{EXCEL_COMPARATORS[check.comparator]}{threshold}{tolerance}"
            self.w.formula(row, 4, f'=IF(OR({actual}="{NOT_AVAILABLE}",{threshold}="{NOT_AVAILABLE}"),'
                                   f'"{NOT_AVAILABLE}",IF({test},"pass","fail"))', outcome)
        else:
            self.w.text(row, 4, outcome)
        self.row += 1

    def _readiness(self) -> None:
        self._section("S6 Data readiness")
        self.w.header_row(self.row, ("Item", "Checklist", "Status", "Evidence"))
        self.row += 1
        labels = {entry.id: entry.label_en for entry in CHECKLIST}
        first = self.row
        for item in self.use_case.readiness:
            self.w.text(self.row, 0, item.item)
            self.w.text(self.row, 1, labels.get(item.item, item.item))
            self.w.text(self.row, 2, item.status)
            self.w.text(self.row, 3, item.evidence or None, self.f.wrap)
            self.row += 1
        status = f"C{first + 1}:C{max(self.row, first + 1)}"
        counted = f"(COUNTA({status})-COUNTIF({status},\"not_applicable\"))"
        formula = (f'=IF({counted}=0,"{NOT_AVAILABLE}",'
                   f'{READINESS_SCALE!r}*(COUNTIF({status},"done")+0.5*COUNTIF({status},"partial"))/{counted})')
        value = readiness_percentage(self.use_case.readiness)
        self._result("Readiness (%)", formula, value, self.f.number)

    def _raci(self) -> None:
        self._section("S14 RACI")
        self.w.header_row(self.row, ("Deliverable", "R", "A", "C", "I"))
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
SUMMARY_TABLE_ROW = 8


def _write_summary(writer: _Writer, workspace_id: str, workspace: Workspace, author: str, generated: str,
                   ranked: Sequence[str], figures: Mapping[str, _Figures], live: Mapping[str, _LiveCells],
                   sheets: Mapping[str, str]) -> None:
    f = writer.formats
    writer.text(0, 0, "AI use-case decision pack", f.title)
    facts = (
        ("Workspace", workspace.name), ("Workspace ID", workspace_id), ("Generated", generated),
        ("Author", author or None), ("Use cases", str(len(ranked))), ("Decision sheets", str(len(live))),
    )
    for row, (label, value) in enumerate(facts, start=1):
        writer.text(row, 0, label, f.label)
        writer.text(row, 1, value)
    writer.header_row(SUMMARY_TABLE_ROW, SUMMARY_COLUMNS)
    for row, use_case_id in enumerate(ranked, start=SUMMARY_TABLE_ROW + 1):
        figure = figures[use_case_id]
        use_case = figure.use_case
        gate = figure.gates.get(figure.next_gate)
        writer.sheet.write_number(row, 0, figure.rank)
        writer.text(row, 1, use_case.id)
        writer.text(row, 2, use_case.name)
        writer.text(row, 3, use_case.owner or None)
        writer.text(row, 4, use_case.phase)
        writer.text(row, 5, use_case.eu_ai_act_risk_class)
        cells = live.get(use_case_id)
        results = (
            (6, "quadrant", figure.quadrant, None), (7, "value", figure.value, f.score),
            (8, "feasibility", figure.feasibility, f.score), (9, "score", figure.score, f.score),
            (10, "roi", figure.roi.roi, f.ratio), (11, "net_value", figure.roi.net_value, f.money),
        )
        for col, key, value, fmt in results:
            if cells is None:
                writer.scalar(row, col, value, fmt)
            else:
                writer.formula(row, col, f"={getattr(cells, key)}", value, fmt)
        writer.text(row, 12, GATE_LABELS.get(figure.next_gate, figure.next_gate))
        writer.text(row, 13, gate.decision if gate is not None else None, f.decision)
        failed = ", ".join(check.name for check in gate.failed_checks) if gate is not None else ""
        writer.text(row, 14, failed or "none")
        if use_case_id in sheets:
            writer.sheet.write_url(row, 15, f"internal:{_quoted(sheets[use_case_id])}!A1",
                                   string=sheets[use_case_id])
        else:
            writer.text(row, 15, NOT_AVAILABLE)
    last = SUMMARY_TABLE_ROW + max(len(ranked), 1)
    writer.sheet.autofilter(SUMMARY_TABLE_ROW, 0, last, len(SUMMARY_COLUMNS) - 1)
    writer.sheet.freeze_panes(SUMMARY_TABLE_ROW + 1, 2)


def _write_matrix(writer: _Writer, workbook: Workbook, ranked: Sequence[str],
                  figures: Mapping[str, _Figures]) -> None:
    writer.text(0, 0, "S3 value × feasibility matrix", writer.formats.title)
    writer.header_row(1, ("Quadrant", "Use case ID", "Name", "Feasibility", "Value", "Score"))
    chart = workbook.add_chart({"type": "scatter"})
    row = 2
    for quadrant, label in QUADRANT_LABELS.items():
        members = [use_case_id for use_case_id in ranked if figures[use_case_id].quadrant == quadrant]
        if not members:
            continue
        first = row
        for use_case_id in members:
            figure = figures[use_case_id]
            writer.text(row, 0, label)
            writer.text(row, 1, use_case_id)
            writer.text(row, 2, figure.use_case.name)
            writer.scalar(row, 3, figure.feasibility, writer.formats.score)
            writer.scalar(row, 4, figure.value, writer.formats.score)
            writer.scalar(row, 5, figure.score, writer.formats.score)
            row += 1
        chart.add_series({
            "name": label,
            "categories": [MATRIX_SHEET, first, 3, row - 1, 3],
            "values": [MATRIX_SHEET, first, 4, row - 1, 4],
            "marker": {"type": "circle", "size": 7},
        })
    chart.set_title({"name": "Value × feasibility (S3)"})
    chart.set_x_axis({"name": "Feasibility", "min": 0, "max": 1, "major_gridlines": {"visible": True}})
    chart.set_y_axis({"name": "Value", "min": 0, "max": 1})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 720, "height": 480})
    writer.sheet.insert_chart(1, 7, chart)


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
    "Use case ID", "Use case", "Field path", "Value", "Unit", "Source", "Last edited by", "Last edited at",
)


def _write_assumptions(writer: _Writer, ranked: Sequence[str], figures: Mapping[str, _Figures],
                       inputs_by_case: Mapping[str, Mapping[str, InputCell]], audit_entries: Sequence[Any]) -> None:
    writer.text(0, 0, "Assumptions: every input, its source and last editor", writer.formats.title)
    writer.header_row(1, ASSUMPTION_COLUMNS)
    latest = _audit_index(audit_entries)
    row = 2
    for use_case_id in ranked:
        use_case = figures[use_case_id].use_case
        cells = inputs_by_case.get(use_case_id, {})
        sources = use_case.assumption_sources
        for path, field, value in _input_rows(use_case):
            writer.text(row, 0, use_case_id)
            writer.text(row, 1, use_case.name)
            writer.text(row, 2, path)
            fmt = writer.formats.for_value(field)
            cell = cells.get(path)
            if cell is None:
                writer.scalar(row, 3, value, fmt)
            else:
                target = f"{_quoted(cell.sheet)}!{cell.cell}"
                writer.formula(row, 3, f'=IF(ISNUMBER({target}),{target},"{NOT_AVAILABLE}")', value, fmt)
            writer.text(row, 4, _field_unit(field))
            writer.text(row, 5, sources.get(path) or sources.get(field))
            entry = latest.get((use_case_id, path))
            writer.text(row, 6, None if entry is None else entry.actor)
            writer.text(row, 7, None if entry is None else _timestamp(entry.at))
            row += 1
    writer.sheet.autofilter(1, 0, max(row - 1, 2), len(ASSUMPTION_COLUMNS) - 1)
    writer.sheet.freeze_panes(2, 0)


AUDIT_COLUMNS: tuple[str, ...] = ("At", "Actor", "Use case ID", "Action", "Field path", "Old value", "New value")


def _write_audit(writer: _Writer, audit_entries: Sequence[Any]) -> None:
    writer.text(0, 0, "Audit trail", writer.formats.title)
    writer.header_row(1, AUDIT_COLUMNS)
    if not audit_entries:
        writer.text(2, 0, NOT_AVAILABLE)
    for row, entry in enumerate(audit_entries, start=2):
        values = (_timestamp(entry.at), entry.actor, entry.use_case_id, entry.action, entry.field_path,
                  entry.old_value, entry.new_value)
        for col, value in enumerate(values):
            writer.text(row, col, None if value is None or value == "" else value)
    writer.sheet.freeze_panes(2, 0)


def _write_meta(writer: _Writer, loaded: LoadedWorkspaceLike, author: str, generated: str,
                use_case_rows: Sequence[Sequence[str]], input_rows: Sequence[Sequence[str]]) -> None:
    values = {
        "workspace_id": str(loaded.id), "workspace_name": loaded.workspace.name,
        "schema_version": str(SCHEMA_VERSION), "pack_format": str(PACK_FORMAT_VERSION),
        "generated_at": generated, "author": author,
        "content_hash": meta_content_hash(str(loaded.id), use_case_rows, input_rows),
    }
    for row, key in enumerate(META_KEYS):
        writer.text(row, 0, key)
        writer.sheet.write_string(row, 1, values[key])
    for table_col, header, rows in ((META_USE_CASE_COLUMN, META_USE_CASE_HEADER, use_case_rows),
                                    (META_INPUT_COLUMN, META_INPUT_HEADER, input_rows)):
        for offset, label in enumerate(header):
            writer.sheet.write_string(0, table_col + offset, label)
        for row, items in enumerate(rows, start=1):
            for offset, item in enumerate(items):
                writer.sheet.write_string(row, table_col + offset, item)
    writer.sheet.hide()


def build_pack(
    loaded: LoadedWorkspaceLike,
    use_case_ids: Sequence[str] | None = None,
    author: str = "",
    audit_entries: Iterable[Any] = (),
    generated_at: datetime | None = None,
    top_n: int = 50,
) -> bytes:
    """The Excel decision pack of a workspace as xlsx bytes (S1–S17, S18 portfolio).

    Summary ranks every use case by S3 score; Decision sheets go to ``use_case_ids`` in the given
    order, or else to the ``top_n`` best scores. Each formula carries the core's figure as its
    stored result. Example: ``build_pack(store.load(workspace_id), author="CFO")`` → ``b"PK..."``.
    """
    workspace = loaded.workspace
    entries = list(audit_entries)
    moment = (generated_at or datetime.now(UTC)).replace(microsecond=0)
    generated = moment.isoformat()
    figures = _compute_figures(workspace)
    ranked = _ranked_ids(figures)
    selected = _selected_ids(ranked, use_case_ids, top_n)
    sheets = {use_case_id: decision_sheet_name(ordinal, use_case_id)
              for ordinal, use_case_id in enumerate(selected, start=1)}

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {
        "in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False,
    })
    workbook.set_properties({"title": f"Decision pack: {workspace.name}"[:250], "author": author[:250],
                             "comments": "Generated by the AI use-case workbench"})
    formats = _Formats(workbook)
    widths = {
        SUMMARY_SHEET: (8, 22, 36, 18, 12, 12, 14, 10, 11, 10, 10, 16, 22, 16, 30, 24),
        MATRIX_SHEET: (14, 22, 36, 12, 12, 12),
        ASSUMPTIONS_SHEET: (22, 30, 34, 14, 14, 44, 18, 24),
        AUDIT_SHEET: (24, 18, 22, 16, 34, 30, 30),
        META_SHEET: (16, 40),
    }
    decision_widths = (34, 22, 18, 18, 18, 18, 18)
    worksheets = {SUMMARY_SHEET: workbook.add_worksheet(SUMMARY_SHEET),
                  MATRIX_SHEET: workbook.add_worksheet(MATRIX_SHEET)}
    decision_sheets = {use_case_id: workbook.add_worksheet(name) for use_case_id, name in sheets.items()}
    for name in (ASSUMPTIONS_SHEET, AUDIT_SHEET, META_SHEET):
        worksheets[name] = workbook.add_worksheet(name)
    for name, sheet in worksheets.items():
        _setup_sheet(sheet, workspace.name, generated, widths[name])
    for sheet in decision_sheets.values():
        _setup_sheet(sheet, workspace.name, generated, decision_widths)

    live: dict[str, _LiveCells] = {}
    inputs: list[InputCell] = []
    for ordinal, use_case_id in enumerate(selected, start=1):
        decision = _DecisionSheet(_Writer(decision_sheets[use_case_id], formats), sheets[use_case_id], ordinal,
                                  figures[use_case_id], workspace, workbook)
        live[use_case_id] = decision.write()
        inputs.extend(decision.inputs)
    inputs_by_case: dict[str, dict[str, InputCell]] = {}
    for cell in inputs:
        inputs_by_case.setdefault(cell.use_case_id, {})[cell.field_path] = cell

    _write_summary(_Writer(worksheets[SUMMARY_SHEET], formats), str(loaded.id), workspace, author, generated,
                   ranked, figures, live, sheets)
    _write_matrix(_Writer(worksheets[MATRIX_SHEET], formats), workbook, ranked, figures)
    _write_assumptions(_Writer(worksheets[ASSUMPTIONS_SHEET], formats), ranked, figures, inputs_by_case, entries)
    _write_audit(_Writer(worksheets[AUDIT_SHEET], formats), entries)
    versions = loaded.versions
    ordinals = {use_case_id: str(ordinal) for ordinal, use_case_id in enumerate(selected, start=1)}
    use_case_rows = [(use_case_id, str(versions.get(use_case_id, "")), sheets.get(use_case_id, ""),
                      ordinals.get(use_case_id, ""))
                     for use_case_id in ranked]
    input_rows = [(cell.use_case_id, cell.field_path, cell.sheet, cell.cell, number_text(cell.exported_value),
                   cell.kind) for cell in inputs]
    _write_meta(_Writer(worksheets[META_SHEET], formats), loaded, author, generated, use_case_rows, input_rows)
    worksheets[SUMMARY_SHEET].activate()
    workbook.close()
    return buffer.getvalue()
