"""Why an uploaded pack is refused, as data: a code, the cells it concerns and the values the sentence names.

The reader raises :class:`core.excel.reader.PackRejected` with one :class:`PackProblem` per bad cell (or one for
the file as a whole). The English sentence (:attr:`PackProblem.sentence`) is what the CLI prints and what
``str(error)`` holds; the app words each problem by its ``code`` in the user's language instead, naming the same
sheet and cell.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

SENTENCES: Mapping[str, str] = {
    "archive_empty": "The file is empty or not bytes: not an xlsx file.",
    "archive_not_zip": "The file is not an xlsx workbook (not a zip archive).",
    "archive_unreadable": "The file is not a readable xlsx workbook: {error}.",
    "archive_no_content_types": "The file is a zip archive but not an xlsx workbook (no {part}).",
    "archive_too_many_entries": "The archive holds {entries:,} entries (limit {limit:,}): refused as a zip bomb.",
    "archive_too_large": "The archive unpacks to {size:,} bytes (limit {limit:,}): refused as a zip bomb.",
    "archive_part_too_large": "Archive entry {part} unpacks to {size:,} bytes (limit {limit:,}).",
    "archive_ratio": "Archive entry {part} compresses {ratio:,.0f}:1 (limit {limit:,.0f}:1): refused as a zip bomb.",
    "archive_part_unreadable": "Archive entry {part} cannot be read: {error}.",
    "archive_declarations": "Archive entry {part} declares a DOCTYPE or ENTITY: refused (XML entity expansion).",
    "macros": "The workbook contains macros ({part}): macro-enabled files are refused.",
    "macro_content_type": "The workbook is macro-enabled ([Content_Types].xml names a macro content type).",
    "unparseable": "The workbook cannot be parsed: {error}.",
    "sheet_missing": "Sheet '{sheet}' is missing or was renamed; the pack cannot be read back.",
    "meta_key_edited": "expected key '{key}'; the Meta sheet was edited.",
    "meta_tables_edited": "the Meta tables were edited or moved.",
    "meta_not_a_number": "'{found}' is not a number; the Meta sheet was edited.",
    "other_workspace": "the pack belongs to workspace '{pack_workspace_id}' ('{pack_workspace_name}'), not to "
                       "'{workspace_id}' ('{workspace_name}').",
    "unsupported_version": "pack schema {schema} / format {pack_format} is not supported (this workbench writes "
                           "{current_schema} / {current_format}); export a fresh pack and enter the changes there.",
    "content_hash": "content hash does not match; the hidden Meta sheet was edited.",
    "formula_without_value": "a formula where an input is expected, and it has no stored value; enter a number "
                             "instead.",
    "empty_number": "the input is empty; enter a number.",
    "empty_ramp_shape": "the input is empty; enter {shapes}.",
    "not_a_number": "expected a number, found {found!r}.",
    "not_finite": "expected a finite number, found {number!r}.",
    "fraction_out_of_range": "{number:g} is out of range; a fraction must lie between 0 and 1.",
    "negative": "{number:g} is out of range; the value must be at least 0.",
    "not_whole_months": "{number:g} is not a whole number of months.",
    "not_funded_flag": "{number:g} is not a funded flag; enter 1 to fund the use case or 0.",
    "not_a_ramp_shape": "expected one of {shapes}, found {found!r}.",
    "not_a_date": "expected a date (e.g. 2026-03-31), found {found!r}.",
    "not_a_limit": "'{field}' is not a limit of the plan.",
    "funded_use_case_gone": "use case '{use_case}' is funded but no longer exists in this workspace.",
    "use_case_gone": "use case '{use_case}' no longer exists in this workspace.",
    "field_gone": "field '{field}' no longer exists in use case '{use_case}'.",
    "measurement_without_date": "a new measurement needs its date in the first column.",
    "measurement_invalid": "the new measurement of use case '{use_case}' is invalid: {detail}.",
    "changes_invalid": "the changed inputs of use case '{use_case}' are invalid: {detail}.",
}
"""The English sentence of every problem code; a problem with cells is prefixed with them ("D1_x!B43: …")."""
PROBLEM_CODES: tuple[str, ...] = tuple(SENTENCES)


@dataclass(frozen=True, slots=True)
class PackProblem:
    """One reason a pack is refused: its ``code`` (a key of :data:`SENTENCES`), the ``cells`` it concerns as
    (sheet, coordinate) pairs (none for the file as a whole), the input's ``field_path`` where one cell holds an
    input, and the ``values`` its sentence names (numbers as numbers, cell contents as text).

    Example: ``PackProblem("fraction_out_of_range", (("D1_support-chatbot", "B43"),), "roi.adoption",
    {"number": 1.5})``, in English "D1_support-chatbot!B43 (roi.adoption): 1.5 is out of range; …".
    """

    code: str
    cells: tuple[tuple[str, str], ...] = ()
    field_path: str = ""
    values: Mapping[str, Any] = field(default_factory=dict)

    @property
    def where(self) -> str:
        """The cells as references, e.g. "D1_support-chatbot!B43, CF1_support-chatbot!C7" ("" for none)."""
        return ", ".join(f"{sheet}!{cell}" for sheet, cell in self.cells)

    @property
    def sentence(self) -> str:
        """The English sentence, naming the cells first (the CLI's and ``str(error)``'s wording)."""
        text = SENTENCES[self.code].format(**self.values)
        if not self.cells:
            return text
        where = f"{self.where} ({self.field_path})" if self.field_path else self.where
        return f"{where}: {text}"


def cell_pairs(references: str) -> tuple[tuple[str, str], ...]:
    """(sheet, coordinate) pairs of references as the diff writes them: "D1_x!B43, D1_x!B44" → two pairs."""
    pairs = []
    for reference in references.split(", "):
        sheet, _, cell = reference.rpartition("!")
        pairs.append((sheet, cell))
    return tuple(pairs)
