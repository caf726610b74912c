"""What the pack's reader relies on: sheet names, defined names, input kinds and the hidden Meta sheet's layout.

The sheets that write a pack and :mod:`core.excel.reader`, which reads it back, both take these from
here, so the two cannot drift apart. Nothing here imports XlsxWriter or openpyxl.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from core.models import ROI_FRACTION_FIELDS, SCHEMA_VERSION, Workspace
from core.scoring import SCORING_FIELDS

PACK_FORMAT_VERSION = 3
"""2 adds the S19 Cash flow sheets and the business-case inputs (whole months, the ramp shape, optional rates and
one-time amounts); 3 the S22 Actuals sheets with rows for new measurements. The reader also reads packs of formats
1 and 2 (workspace schemas 1 and 2), whose inputs are all still fields of today's use cases."""
READABLE_PACK_VERSIONS: frozenset[tuple[str, str]] = frozenset({
    ("1", "1"), ("2", "1"), ("2", "2"), (str(SCHEMA_VERSION), "1"), (str(SCHEMA_VERSION), "2"),
    (str(SCHEMA_VERSION), str(PACK_FORMAT_VERSION)),
})
"""(workspace schema_version, pack_format) pairs of the Meta sheet that :mod:`core.excel.reader` reads: workspace
schema 3 adds ``UseCase.scored``, the recorded gate decisions and the S22 measurements; a pack of format 1 or 2
carries none of them back, so those packs still read."""
SUMMARY_SHEET = "Summary"
MATRIX_SHEET = "Matrix"
PORTFOLIO_SHEET = "Portfolio"
ASSUMPTIONS_SHEET = "Assumptions"
AUDIT_SHEET = "Audit trail"
META_SHEET = "Meta"
# Every pack has these sheets, in this order, around its Decision sheets; the reader refuses a pack without one.
FIXED_SHEETS: tuple[str, ...] = (SUMMARY_SHEET, MATRIX_SHEET, PORTFOLIO_SHEET, ASSUMPTIONS_SHEET, AUDIT_SHEET,
                                 META_SHEET)
# Packs written before the Portfolio sheet (S20) existed still read back: it is required only when Meta lists its cells.
OPTIONAL_SHEETS: frozenset[str] = frozenset({PORTFOLIO_SHEET})
# A German pack names its sheets in German; the code uses the English names and translates at the workbook. Meta
# keeps its name in both, so the reader always finds it (and through it every use case's sheets).
GERMAN_SHEET_NAMES: dict[str, str] = {SUMMARY_SHEET: "Übersicht", ASSUMPTIONS_SHEET: "Annahmen",
                                      AUDIT_SHEET: "Audit-Trail"}
# Per language: the prefixes of a use case's Decision, Cash flow and Actuals sheet names ("E" Entscheidung,
# "IST" Ist-Werte); the ordinal after them keeps each name unique.
SHEET_PREFIXES: dict[str, tuple[str, str, str]] = {"en": ("D", "CF", "AC"), "de": ("E", "CF", "IST")}


def sheet_name(sheet: str, language: str = "en") -> str:
    """The name a fixed sheet has in a pack of ``language``. Example: ``sheet_name("Summary", "de")`` → "Übersicht"."""
    return GERMAN_SHEET_NAMES.get(sheet, sheet) if language == "de" else sheet


def fixed_sheets(language: str = "en") -> tuple[str, ...]:
    """:data:`FIXED_SHEETS` as a pack of ``language`` names them."""
    return tuple(sheet_name(sheet, language) for sheet in FIXED_SHEETS)


def pack_language(sheet_names: Sequence[str]) -> str:
    """The language of a pack from its sheet names: "de" when its Summary sheet has the German name."""
    return "de" if sheet_name(SUMMARY_SHEET, "de") in sheet_names else "en"
MAX_SHEET_NAME = 31
FRACTION_KIND = "fraction"
NON_NEGATIVE_KIND = "non_negative"
MONTHS_KIND = "months"
RAMP_SHAPE_KIND = "ramp_shape"
BUSINESS_CASE_FRACTION_FIELDS = frozenset({"run_cost_escalation_per_year", "discount_rate_per_year"})
MONTHS_FIELDS = frozenset({"horizon_months", "ramp_months"})
# The Portfolio sheet's inputs (S20): a 0/1 funded flag per use case, and the plan's limits (blank = no limit),
# listed in Meta under a use-case id no use case can have.
FUNDED_KIND = "funded"
BUDGET_KIND = "budget"
PLAN_KINDS = frozenset({FUNDED_KIND, BUDGET_KIND})
FUNDED_FIELD = "portfolio.funded"
PORTFOLIO_META_ID = "(portfolio)"
PORTFOLIO_BUDGET_FIELDS: dict[str, str] = {
    "investment_eur": "portfolio.budgets.investment_eur",
    "run_budget_eur_per_month": "portfolio.budgets.run_budget_eur_per_month",
    "capacity_person_months": "portfolio.budgets.capacity_person_months",
}
# S22: the cells of an Actuals sheet's empty rows, where new measurements go; one Meta row per cell, its path
# ``measurements.new.<row>.<field>``.
NEW_MEASUREMENT_KIND = "new_measurement"
NEW_MEASUREMENT_PREFIX = "measurements.new."
OPTIONAL_PLAN_LIMITS = frozenset(
    path for name, path in PORTFOLIO_BUDGET_FIELDS.items() if name != "investment_eur"
)

# Meta holds key/value pairs in its first two columns and two tables to their right, each under a header row.
META_KEY_COLUMN = 0
META_VALUE_COLUMN = 1
META_KEYS: tuple[str, ...] = (
    "workspace_id", "workspace_name", "schema_version", "pack_format", "generated_at", "author", "content_hash",
)
META_USE_CASE_HEADER: tuple[str, ...] = ("use_case_id", "version", "decision_sheet", "ordinal")
META_INPUT_HEADER: tuple[str, ...] = ("use_case_id", "field_path", "sheet", "cell", "exported_value", "kind")
META_USE_CASE_COLUMN = 3
META_INPUT_COLUMN = 8


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
    exported_value: float | str | None
    kind: str


def field_kind(field: str) -> str:
    """Validation kind of an input field: a fraction 0–1, whole months, the S19 ramp shape or a number of at least 0.

    Example: ``field_kind("adoption")`` → ``"fraction"``; ``"horizon_months"`` → ``"months"``; ``"ramp_shape"``
    → ``"ramp_shape"``; a cost, volume or minutes field (``one_time_eur`` too) → ``"non_negative"``.
    """
    if field in SCORING_FIELDS or field in ROI_FRACTION_FIELDS or field in BUSINESS_CASE_FRACTION_FIELDS:
        return FRACTION_KIND
    if field in MONTHS_FIELDS:
        return MONTHS_KIND
    return RAMP_SHAPE_KIND if field == "ramp_shape" else NON_NEGATIVE_KIND


def blank_allowed(field_path: str) -> bool:
    """Whether an empty input cell means "none" (None) rather than a mistake: scenario overrides (base value),
    the use case's own discount rate (the workspace default), a cost block's one-time amount (none) and the
    portfolio plan's run-cost and capacity limits (no limit).

    Example: ``blank_allowed("business_case.discount_rate_per_year")`` → True; ``blank_allowed("roi.adoption")``
    → False.
    """
    return (field_path.startswith(("scenarios.", NEW_MEASUREMENT_PREFIX))
            or field_path == "business_case.discount_rate_per_year"
            or (field_path.startswith("cost_blocks.") and field_path.endswith(".one_time_eur"))
            or field_path in OPTIONAL_PLAN_LIMITS)


def new_measurement_path(row: int, field: str) -> str:
    """Meta path of a cell in an Actuals sheet's empty rows, e.g. ``new_measurement_path(0, "adoption")`` →
    ``"measurements.new.0.adoption"``."""
    return f"{NEW_MEASUREMENT_PREFIX}{row}.{field}"


def meta_cell(row: int, col: int) -> str:
    """A1 address of a zero-based Meta cell for messages, e.g. ``meta_cell(0, 3)`` → ``"Meta!D1"``."""
    letters, number = "", col + 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return f"{META_SHEET}!{letters}{row + 1}"


def number_text(value: float | str | None) -> str:
    """Exact text of an exported value for Meta and its hash: ``repr`` round-trips every float, a code (the ramp
    shape) stays as it is."""
    if isinstance(value, str):
        return value
    return "" if value is None else repr(float(value))


def meta_content_hash(
    workspace_id: str, use_case_rows: Iterable[Sequence[str]], input_rows: Iterable[Sequence[str]],
    schema_version: int | str = SCHEMA_VERSION, pack_format: int | str = PACK_FORMAT_VERSION,
) -> str:
    """SHA-256 over the Meta sheet's content; the importer recomputes it to detect an edited Meta sheet.

    The versions default to this release's; the reader passes a pack's own to check a pack of format 1.
    """
    payload = [
        str(workspace_id), int(schema_version), int(pack_format),
        [[str(item) for item in row] for row in use_case_rows],
        [[str(item) for item in row] for row in input_rows],
    ]
    return hashlib.sha256(json.dumps(payload, separators=(",", ":"), ensure_ascii=True).encode()).hexdigest()


def decision_sheet_name(ordinal: int, use_case_id: str, language: str = "en") -> str:
    """Sheet name ``D<ordinal>_<id>`` (German ``E<ordinal>_<id>``) cut to Excel's 31 characters; the ordinal keeps
    it unique."""
    return f"{SHEET_PREFIXES[language][0]}{ordinal}_{use_case_id}"[:MAX_SHEET_NAME]


def cash_flow_sheet_name(ordinal: int, use_case_id: str, language: str = "en") -> str:
    """Name of the S19 Cash flow sheet beside Decision sheet ``ordinal``: ``CF<ordinal>_<id>``, cut to 31
    characters. Example: ``cash_flow_sheet_name(1, "support-chatbot")`` → ``"CF1_support-chatbot"``."""
    return f"{SHEET_PREFIXES[language][1]}{ordinal}_{use_case_id}"[:MAX_SHEET_NAME]


def actuals_sheet_name(ordinal: int, use_case_id: str, language: str = "en") -> str:
    """``AC<ordinal>_<id>`` (German ``IST<ordinal>_<id>``) cut to 31 characters, e.g.
    ``actuals_sheet_name(1, "support-chatbot")`` → ``"AC1_support-chatbot"``."""
    return f"{SHEET_PREFIXES[language][2]}{ordinal}_{use_case_id}"[:MAX_SHEET_NAME]


def decision_sheet_of(sheet: str, decision_sheets: Collection[str]) -> str:
    """The Decision sheet a use case's Cash flow or Actuals sheet belongs to ("CF1_uc7" → "D1_uc7", "IST1_uc7" →
    "E1_uc7"), "" when there is none among ``decision_sheets``."""
    for decision, cash_flow, actuals in SHEET_PREFIXES.values():
        for prefix in (cash_flow, actuals):
            ordinal = sheet[len(prefix):].partition("_")[0]
            if sheet.startswith(prefix) and ordinal.isdigit():
                # By the ordinal: the 31-character cut leaves a longer id's names different tails.
                mine = f"{decision}{ordinal}_"
                found = next((name for name in decision_sheets if name.startswith(mine)), "")
                if found:
                    return found
    return ""


def input_name(ordinal: int, field: str) -> str:
    """Workbook-level defined name of an input, e.g. ``UC3_adoption`` (ids may hold '-' and '.')."""
    return f"UC{ordinal}_{field}"
