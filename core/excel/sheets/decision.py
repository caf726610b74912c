"""The Decision sheet of one use case (S1, S2, S3, S15, break-even, S19, S16, gates S5/S9/S10/S17/S11, S6, S14).

Its inputs are the pack's only unlocked cells: validated, named ``UC<ordinal>_<field>`` for the ROI,
scoring and S19 business-case inputs, and listed in Meta for the reader. Every result is a live formula over
them, stored with the figure the core computed; the S19 results link to the use case's Cash flow sheet.
:meth:`DecisionSheet.write` returns the headline cells (:class:`LiveCells`) that Summary links to.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from xlsxwriter.utility import xl_cell_to_rowcol
from xlsxwriter.workbook import Format, Workbook

from core.business_case import BusinessCaseResult
from core.excel.figures import Figures
from core.excel.formulas import a1, absolute_ref, gate_decision_formula, number_literal, quoted_sheet, string_literal
from core.excel.names import FRACTION_KIND, MONTHS_KIND, RAMP_SHAPE_KIND, InputCell, field_kind, input_name
from core.excel.sheets.base import GateCells, LiveCells
from core.excel.sheets.cash_flow import CashFlowInputs, result_refs
from core.excel.texts import (
    ANY_VALUE,
    COST_BLOCK_LABELS,
    DECISION_LABELS,
    FAIL,
    FIELD_LABELS,
    GATE_LABELS,
    KPI_GROUP_LABELS,
    NO,
    NOT_AVAILABLE,
    NOT_SCORED,
    OUTPUT_LABELS,
    PASS,
    PHASE_LABELS,
    QUADRANT_LABELS,
    RISK_LABELS,
    STATUS_LABELS,
    YES,
    field_unit,
)
from core.excel.writer import LINE_HEIGHT_PT, ROW_PADDING_PT, SheetWriter, wrapped_line_count
from core.gates import COMPARATOR_SYMBOLS, DERIVED_THRESHOLD_TOLERANCE, PASSING_DECISIONS, Check
from core.models import (
    FEASIBILITY_WEIGHT_FIELDS,
    MAX_HORIZON_MONTHS,
    MAX_RAMP_MONTHS,
    RAMP_SHAPES,
    ROI_INPUT_FIELDS,
    VALUE_WEIGHT_FIELDS,
    Scenario,
    Workspace,
)
from core.readiness import CHECKLIST, readiness_percentage
from core.roi import break_even, break_even_outcome
from core.scoring import BOUNDARY_TOLERANCE, SCORING_FIELDS
from core.sensitivity import scenario_arrays, verdict_of_net_values
from core.verdict import GATE_SEQUENCE, status_sentence

if TYPE_CHECKING:
    import numpy as np

DECISION_WIDTHS: tuple[float, ...] = (32, 16, 16, 16, 16, 16, 16)
DECISION_COLUMNS = len(DECISION_WIDTHS)
# The title row with the use case's name is repeated on every printed page.
DECISION_REPEAT_ROWS = (0, 0)
# core.readiness reports a percentage (0–100); the live formula computes a share and scales it.
READINESS_SCALE = 100.0
EXCEL_COMPARATORS: dict[str, str] = {">=": ">=", "<=": "<=", ">": ">", "<": "<", "==": "=", "!=": "<>"}
BREAK_EVEN_FIELDS: tuple[str, ...] = (
    "adoption", "minutes_saved_per_case", "volume_cases_per_month", "run_cost_eur_per_month",
)
BUSINESS_CASE_FIELDS: tuple[str, ...] = (
    "horizon_months", "ramp_months", "ramp_shape", "run_cost_escalation_per_year", "discount_rate_per_year",
)
MONTH_BOUNDS: dict[str, tuple[int, int]] = {"horizon_months": (1, MAX_HORIZON_MONTHS),
                                            "ramp_months": (0, MAX_RAMP_MONTHS)}


class DecisionSheet:
    """One Decision sheet (S1, S2, S3, S15, S16, gates, S6, S14) for one use case."""

    def __init__(self, writer: SheetWriter, name: str, ordinal: int, figures: Figures, workspace: Workspace,
                 workbook: Workbook, cash_flow_sheet: str, business_case: BusinessCaseResult) -> None:
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
        self.gate_cells: dict[str, GateCells] = {}
        self.total_value_cell = ""
        self.roi_cell = ""
        self.verdict_cell = ""
        self.cash_flow_sheet = cash_flow_sheet
        self.business_case = business_case
        self.cash_flow_inputs: CashFlowInputs | None = None

    def write(self) -> LiveCells:
        """Write the sheet top to bottom; later sections refer to cells and names the earlier ones made."""
        self._card()
        self._kpis()
        self._scoring()
        self._roi()
        self._break_even()
        self._business_case()
        self._scenarios()
        self._gates()
        self._gate_decisions()
        self._readiness()
        self._raci()
        self.w.finish()
        headline = {key: self.live[key] for key in LiveCells.__slots__ if key != "next_gate"}
        return LiveCells(**headline, next_gate=self.gate_cells[self.figures.next_gate])

    def _section(self, title: str) -> None:
        self.row += 1
        self.w.label(self.row, 0, title, self.f.section, span=DECISION_COLUMNS)
        self.w.height(self.row, 21)
        self.row += 1

    def _input(self, row: int, col: int, field_path: str, field: str, value: float | str | None) -> None:
        kind = field_kind(field)
        fmt = self.f.for_input(field)
        if value is None:
            self.w.sheet.write_blank(row, col, None, fmt)
        elif isinstance(value, str):
            self.w.sheet.write_string(row, col, value, fmt)
        else:
            self.w.sheet.write_number(row, col, float(value), fmt)
        self.w.sheet.data_validation(row, col, row, col, {**self._validation(kind, field), "ignore_blank": True})
        self.inputs.append(InputCell(self.use_case.id, field_path, self.name, a1(row, col), value, kind))

    def _validation(self, kind: str, field: str) -> dict[str, object]:
        """Excel's data validation of an input cell of ``kind``, its message in the pack's language."""
        t = self.t
        if kind == FRACTION_KIND:
            return {"validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 1,
                    "error_title": t("Fraction 0–1"),
                    "error_message": t("Enter a fraction between 0 and 1 (62 % = 0.62).")}
        if kind == MONTHS_KIND:
            low, high = MONTH_BOUNDS[field]
            return {"validate": "integer", "criteria": "between", "minimum": low, "maximum": high,
                    "error_title": t("Whole number of months"),
                    "error_message": t("Enter a whole number of months from {low} to {high}.").format(low=low,
                                                                                                    high=high)}
        if kind == RAMP_SHAPE_KIND:
            return {"validate": "list", "source": list(RAMP_SHAPES), "error_title": t("Ramp shape: linear or s_curve"),
                    "error_message": t("Choose linear or s_curve.")}
        return {"validate": "decimal", "criteria": ">=", "value": 0,
                "error_title": t("Not negative"), "error_message": t("Enter a number of at least 0.")}

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
            ("Status (as exported)", status_sentence(self.figures.status, t.language) if self.figures.status
             else None),
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
            cells[field] = (a1(self.row, 1), a1(self.row, 2))
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
        high_value = f"{value_cell}>={number_literal(thresholds.quick_win_min_value)}-{BOUNDARY_TOLERANCE!r}"
        high_feasibility = f"{feasibility_cell}>={number_literal(thresholds.quick_win_min_feasibility)}" \
                           f"-{BOUNDARY_TOLERANCE!r}"
        label = {code: string_literal(self.t(text)) for code, text in QUADRANT_LABELS.items()}
        quadrant = (f"=IF(AND({high_value},{high_feasibility}),{label['quick_win']},IF({high_value},"
                    f"{label['strategic_bet']},IF({high_feasibility},{label['fill_in']},{label['deprioritise']})))")
        shown = self.t.code(QUADRANT_LABELS, figures.quadrant)
        if figures.rank is None:
            # S3: in no quadrant until someone scores it; scoring the inputs here does not count as scoring it.
            shown = self.t(NOT_SCORED)
            quadrant = f"={string_literal(shown)}"
        self._result("Quadrant", quadrant, shown, self.f.decision, "quadrant")

    def _result(self, label: str, formula: str, value: object, fmt: Format, key: str | None = None,
                col: int = 1) -> str:
        self.w.label(self.row, 0, label)
        self.w.formula(self.row, col, formula, value, fmt)
        cell = a1(self.row, col)
        if key is not None:
            self.live[key] = absolute_ref(self.name, self.row, col)
        self.row += 1
        return cell

    def _define_name(self, field: str, row: int, col: int) -> None:
        name = input_name(self.ordinal, field)
        self.workbook.define_name(name, f"={absolute_ref(self.name, row, col)}")
        self.names[field] = name

    def _roi(self) -> None:
        self._section("S15 Monthly ROI")
        self.w.header_row(self.row, ("Input", "Value", "Unit", "Defined name"), numeric=(1,))
        self.row += 1
        for field in ROI_INPUT_FIELDS:
            self.w.label(self.row, 0, FIELD_LABELS[field], self.f.text)
            self._input(self.row, 1, f"roi.{field}", field, getattr(self.use_case.roi, field))
            self._define_name(field, self.row, 1)
            self.w.label(self.row, 2, field_unit(field), self.f.text)
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
        na, any_value = f'"{NOT_AVAILABLE}"', string_literal(self.t(ANY_VALUE))
        formulas = {
            "adoption": f"=IF(OR({run}<=0,{per_adoption}<=0),{na},IF({run}/{per_adoption}>1,{na},"
                        f"{run}/{per_adoption}))",
            # S15 "any value": the quality value alone covers the run cost, so ROI ≥ 0 even at 0 minutes.
            "minutes_saved_per_case": f"=IF({run}<=0,{na},IF({per_minute}<=0,IF({quality}>={run},{any_value},{na}),"
                                      f"IF({quality}>{run},{any_value},({run}-{quality})/{per_minute})))",
            "volume_cases_per_month": f"=IF(OR({run}<=0,{per_volume}<=0),{na},{run}/{per_volume})",
            "run_cost_eur_per_month": f"=IF({self.total_value_cell}>0,{self.total_value_cell},{na})",
        }
        for field in BREAK_EVEN_FIELDS:
            self.w.label(self.row, 0, FIELD_LABELS[field], self.f.text)
            outcome = break_even_outcome(self.use_case.roi, field)
            stored = self.t(ANY_VALUE) if outcome == "any_value" and field == "minutes_saved_per_case" else \
                break_even(self.use_case.roi, field)
            self.w.formula(self.row, 1, formulas[field], stored, self.f.for_value(field))
            self.w.formula(self.row, 2, f"={n[field]}", getattr(self.use_case.roi, field), self.f.for_value(field))
            self.row += 1

    def _business_case(self) -> None:
        """S19 inputs (horizon, ramp, shape, escalation, own discount rate, one-time amounts) and the results of the
        Cash flow sheet, which reads these cells by their names."""
        self._section("S19 Business case over the horizon")
        self.w.header_row(self.row, ("Input", "Value", "Unit", "Defined name"), numeric=(1,))
        self.row += 1
        plan = self.use_case.business_case
        for field in BUSINESS_CASE_FIELDS:
            self.w.label(self.row, 0, FIELD_LABELS[field], self.f.text)
            self._input(self.row, 1, f"business_case.{field}", field, getattr(plan, field))
            self._define_name(field, self.row, 1)
            self.w.label(self.row, 2, field_unit(field), self.f.text)
            self.w.text(self.row, 3, self.names[field], self.f.plain)
            self.row += 1
        self.w.label(self.row, 0, "Workspace default discount rate per year")
        self.w.scalar(self.row, 1, self.workspace.default_discount_rate_per_year, self.f.percent)
        default_rate = a1(self.row, 1)
        self.row += 1
        own = self.names["discount_rate_per_year"]
        self._result("Discount rate used per year", f"=IF(ISNUMBER({own}),{own},{default_rate})",
                                 self.business_case.discount_rate_per_year, self.f.percent)
        rate_name = f"{input_name(self.ordinal, 'discount_rate_per_year')}_used"
        self.workbook.define_name(rate_name, f"={absolute_ref(self.name, self.row - 1, 1)}")
        investment = self._one_time_amounts()
        n = self.names
        self.cash_flow_inputs = CashFlowInputs(
            horizon=n["horizon_months"], ramp=n["ramp_months"], shape=n["ramp_shape"],
            escalation=n["run_cost_escalation_per_year"], rate=rate_name, investment=investment,
            steady_value=absolute_ref(self.name, *xl_cell_to_rowcol(self.total_value_cell)),
            run_cost=n["run_cost_eur_per_month"],
        )
        self._business_case_results()

    def _one_time_amounts(self) -> str:
        """One input per cost block (S12) for its one-time amount, and C0 = their sum; returns C0's defined name."""
        self.w.header_row(self.row, ("Cost block", "One-time amount (€), blank = none"), numeric=(1,))
        self.row += 1
        blocks = self.use_case.cost_blocks
        first = self.row
        for index, block in enumerate(blocks):
            self.w.label(self.row, 0, COST_BLOCK_LABELS.get(block.block, block.block), self.f.text)
            self._input(self.row, 1, f"cost_blocks.{index}.one_time_eur", "one_time_eur", block.one_time_eur)
            self.row += 1
        if not blocks:
            self.w.label(self.row, 0, "No cost blocks: add them in the app to enter one-time amounts.", self.f.text,
                         span=DECISION_COLUMNS)
            self.row += 1
        total = f"=SUM({a1(first, 1)}:{a1(self.row - 1, 1)})" if blocks else "=0"
        self._result("Investment C0 (€, paid in month 0)", total, self.business_case.investment_eur,
                     self.f.money_bold, "investment")
        name = input_name(self.ordinal, "investment_eur")
        self.workbook.define_name(name, f"={absolute_ref(self.name, self.row - 1, 1)}")
        return name

    def _business_case_results(self) -> None:
        """The Cash flow sheet's NPV, IRR, paybacks and horizon ROI, linked, with a link to the monthly table."""
        result, refs, f = self.business_case, result_refs(self.cash_flow_sheet), self.f
        rows = (
            ("NPV (€)", "npv", result.npv_eur, f.money_bold),
            ("IRR per month", "irr_monthly", result.irr_monthly, f.percent),
            ("IRR per year", "irr_annual", result.irr_annual, f.percent),
            ("Payback (month)", "payback_month", result.payback_month, f.integer),
            ("Discounted payback (month)", "discounted_payback_month", result.discounted_payback_month, f.integer),
            ("Horizon ROI", "horizon_roi", result.horizon_roi, f.percent),
        )
        for label, key, value, fmt in rows:
            self._result(label, f"={refs[key]}", value, fmt, key)
        self.w.label(self.row, 0, "Monthly table: cash flow sheet")
        self.w.sheet.write_url(self.row, 1, f"internal:{quoted_sheet(self.cash_flow_sheet)}!A1", self.f.link,
                               string=self.cash_flow_sheet)
        self.row += 1

    def _scenarios(self) -> None:
        scenarios = self.use_case.scenarios
        self._section("S16 Scenarios (blank override = base input)")
        if not scenarios:
            self.w.text(self.row, 0, NOT_AVAILABLE)
            self.row += 1
            return
        figures = scenario_arrays(self.use_case.roi, scenarios)
        effective = self._scenario_inputs(scenarios)
        outputs = self._scenario_results(figures, scenarios, effective)
        self._scenario_verdict(figures, scenarios, outputs)

    def _scenario_inputs(self, scenarios: Sequence[Scenario]) -> dict[tuple[str, int], str]:
        """One override input per ROI field and scenario; returns the formula of each effective value,
        keyed (field, scenario index): the override where it is a number, else the base input's name."""
        self.w.header_row(self.row, ("Override",), numeric=())
        for index, scenario in enumerate(scenarios):
            self.w.text(self.row, 1 + index, scenario.name, self.f.header_number)
        self.row += 1
        effective: dict[tuple[str, int], str] = {}
        for field in ROI_INPUT_FIELDS:
            self.w.label(self.row, 0, FIELD_LABELS[field], self.f.text)
            for index, scenario in enumerate(scenarios):
                override = a1(self.row, 1 + index)
                self._input(self.row, 1 + index, f"scenarios.{index}.{field}", field, getattr(scenario, field))
                effective[field, index] = f"IF(ISNUMBER({override}),{override},{self.names[field]})"
            self.row += 1
        return effective

    def _scenario_results(self, figures: dict[str, np.ndarray], scenarios: Sequence[Scenario],
                          effective: dict[tuple[str, int], str]) -> dict[str, list[str]]:
        """S15 per scenario over the effective inputs; returns the result cells per row key, one per scenario."""
        outputs: dict[str, list[str]] = {key: [] for key in ("value_time", "value_quality", "total", "net")}
        self._scenario_row("Value time (€/month)", figures, "value_time", scenarios, outputs, lambda i: (
            f"={effective['volume_cases_per_month', i]}*{effective['adoption', i]}"
            f"*{effective['minutes_saved_per_case', i]}*{effective['cost_per_minute_eur', i]}"))
        self._scenario_row("Value quality (€/month)", figures, "value_quality", scenarios, outputs, lambda i: (
            f"={effective['volume_cases_per_month', i]}*{effective['adoption', i]}"
            f"*{effective['error_cost_per_case_eur', i]}*{effective['error_rate_reduction', i]}"))
        self._scenario_row("Total value (€/month)", figures, "total_value", scenarios, outputs,
                           lambda i: f"={outputs['value_time'][i]}+{outputs['value_quality'][i]}", "total")
        self._scenario_row("Net value (€/month)", figures, "net_value", scenarios, outputs,
                           lambda i: f"={outputs['total'][i]}-{effective['run_cost_eur_per_month', i]}", "net")
        self._scenario_row("ROI", figures, "roi", scenarios, outputs, lambda i: (
            f"=IF({effective['run_cost_eur_per_month', i]}=0,\"{NOT_AVAILABLE}\","
            f"{outputs['net'][i]}/{effective['run_cost_eur_per_month', i]})"))
        return outputs

    def _scenario_verdict(self, figures: dict[str, np.ndarray], scenarios: Sequence[Scenario],
                          outputs: dict[str, list[str]]) -> None:
        self.w.label(self.row, 0, "Survives (net value > 0)")
        yes, no = string_literal(self.t(YES)), string_literal(self.t(NO))
        for index in range(len(scenarios)):
            survives = self.t(YES if float(figures["net_value"][index]) > 0 else NO)
            self.w.formula(self.row, 1 + index, f'=IF({outputs["net"][index]}>0,{yes},{no})', survives,
                           self.f.plain)
        self.row += 1
        scale, poc = string_literal(self.t("scale candidate")), string_literal(self.t("PoC with expiry date"))
        lowest = f"MIN({','.join(outputs['net'])})"
        verdict_formula = f"=IF({lowest}>0,{scale},{poc})"
        self.verdict_cell = self._result("Verdict (S16)", verdict_formula,
                                         self.t(verdict_of_net_values(figures["net_value"])), self.f.decision)

    def _scenario_row(self, label: str, figures: dict[str, np.ndarray], column: str, scenarios: Sequence[Scenario],
                      outputs: dict[str, list[str]], formula: Callable[[int], str], key: str | None = None) -> None:
        self.w.label(self.row, 0, label)
        fmt = self.f.percent if column == "roi" else self.f.money
        for index in range(len(scenarios)):
            self.w.formula(self.row, 1 + index, formula(index), float(figures[column][index]), fmt)
            outputs.setdefault(key or column, []).append(a1(self.row, 1 + index))
        self.row += 1

    def _gates(self) -> None:
        self._section("Gates: S5, S9, S10, S17, S11")
        next_key = self.figures.next_gate
        decision_rows, row = {}, self.row
        for key, result in self.figures.gates.items():
            decision_rows[key] = row
            row += 3 + len(result.checks)
        standings = self.figures.standings or {}
        for key, result in self.figures.gates.items():
            first_check = self.row + 2
            rows = range(first_check, first_check + len(result.checks))
            results = {check.name: a1(row, 4) for check, row in zip(result.checks, rows, strict=True)}
            self.w.text(self.row, 0, self.t.code(GATE_LABELS, key), self.f.subtitle)
            standing = standings.get(key)
            decision = self.t.code(DECISION_LABELS, standing.decision if standing else result.decision)
            formula = self._sequenced(key, gate_decision_formula(key, results, self.t), decision_rows)
            self.w.formula(self.row, 1, formula, decision, self.f.decision)
            self.w.fit(self.row, 1, decision, self.f.decision)
            checks = tuple((absolute_ref(self.name, row, 0), absolute_ref(self.name, row, 4)) for row in rows)
            self.gate_cells[key] = GateCells(absolute_ref(self.name, self.row, 1), checks)
            notes = [self.t("← next gate (S13)")] if key == next_key else []
            if result.missing:
                notes.append(self.t("missing: {fields}").format(fields=", ".join(self.t.check(name)
                                                                                 for name in result.missing)))
            self.w.text(self.row, 2, "  ".join(notes), self.f.decision if key == next_key else self.f.text,
                        span=DECISION_COLUMNS - 2)
            self.w.height(self.row, max(20.0, self.w.lines.get(self.row, 1) * LINE_HEIGHT_PT + ROW_PADDING_PT))
            self.row += 1
            self.w.header_row(self.row, ("Check", "Actual", "Threshold", "Rule", "Result"), numeric=(1, 2))
            self.row += 1
            for check in result.checks:
                self._check_row(key, check)
            self.row += 1

    def _gate_decisions(self) -> None:
        """The gate decisions people recorded (go, stop, iterate, override), newest first, with the next gate."""
        self._section("Gate decisions (recorded)")
        self.w.header_row(self.row, ("Decided (UTC)", "Gate", "Decision", "Computed", "Decided by", "Next gate",
                                     "Next gate on"))
        self.row += 1
        decisions = self.use_case.gate_decisions
        if not decisions:
            self.w.text(self.row, 0, NOT_AVAILABLE)
            self.row += 1
            return
        t = self.t
        for entry in reversed(decisions):
            self.w.moment(self.row, 0, entry.decided_at)
            self.w.text(self.row, 1, t.code(GATE_LABELS, entry.gate))
            self.w.text(self.row, 2, t.code(DECISION_LABELS, entry.decision), self.f.decision)
            self.w.text(self.row, 3, t.code(DECISION_LABELS, entry.computed_decision) or None)
            self.w.text(self.row, 4, entry.decided_by)
            self.w.text(self.row, 5, t.code(GATE_LABELS, entry.next_gate) if entry.next_gate else None)
            self.w.text(self.row, 6, entry.next_gate_on.isoformat() if entry.next_gate_on else None)
            self.row += 1
            if entry.rationale:
                self.w.label(self.row, 0, "Rationale")
                self.w.text(self.row, 1, entry.rationale, span=DECISION_COLUMNS - 1)
                self.row += 1

    def _sequenced(self, gate: str, own: str, decision_rows: dict[str, int]) -> str:
        """The gate's live decision in the S13 sequence (docs/VERDICTS.md): "Blocked" unless the gate before it
        shows its passing decision; S17 "Scale" stands at "Iterate" while the S16 verdict is a PoC."""
        label = {code: string_literal(self.t.code(DECISION_LABELS, code))
                 for code in ("scale", "iterate", "blocked", *PASSING_DECISIONS.values())}
        formula = own.removeprefix("=")
        if gate == "scale_or_kill":
            survives = (f"{self.verdict_cell}<>{string_literal(self.t('PoC with expiry date'))}" if self.verdict_cell
                        else f"{self.live['net_value']}>0")
            formula = f"IF(AND({formula}={label['scale']},NOT({survives})),{label['iterate']},{formula})"
        position = GATE_SEQUENCE.index(gate)
        if position:
            before = GATE_SEQUENCE[position - 1]
            cell = a1(decision_rows[before], 1)
            formula = f"IF({cell}={label[PASSING_DECISIONS[before]]},{formula},{label['blocked']})"
        return f"={formula}"

    def _check_row(self, gate: str, check: Check) -> None:
        row = self.row
        t = self.t
        self.w.text(row, 0, t.check(check.name))
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
        actual, threshold = a1(row, 1), a1(row, 2)
        passed, failed = string_literal(t(PASS)), string_literal(t(FAIL))
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
        done, partial, skipped = (string_literal(self.t.code(STATUS_LABELS, code))
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
