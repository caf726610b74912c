"""German packs speak German (issue 13): gate check names, missing inputs and failed-check lists in words."""

from __future__ import annotations

import io
import re

import openpyxl

from core.excel import build_pack
from core.excel.texts import CHECK_LABELS_DE
from core.gates import evaluate_all
from tests.core.excel_oracle import sample_loaded

SNAKE_CASE = re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b")


def test_a_german_pack_names_checks_and_missing_inputs_in_german():
    loaded = sample_loaded()
    ids = ["support-chatbot", "hr-policy-assistant", "quality-inspection"]
    book = openpyxl.load_workbook(io.BytesIO(build_pack(loaded, use_case_ids=ids, language="de")))
    for ordinal, use_case_id in enumerate(ids, start=1):
        sheet = book[f"E{ordinal}_{use_case_id}"]  # Entscheidung: the German Decision sheet
        texts = [str(cell.value) for row in sheet.iter_rows(max_col=4) for cell in row
                 if isinstance(cell.value, str) and not cell.value.startswith("=")]
        for check in evaluate_all(loaded.workspace.use_case(use_case_id), loaded.workspace.thresholds).values():
            for item in check.checks:
                assert CHECK_LABELS_DE[item.name] in texts, item.name
        # The ramp-shape unit names the two values its input cell takes ("linear oder s_curve"); evidence texts are
        # the user's own (a file name).
        shown = [text for text in texts if (SNAKE_CASE.search(text) or "no baseline" in text)
                 and "s_curve" not in text and ".csv" not in text]
        assert shown == [], shown
    assert any("fehlt: keine Baseline (Baseline-Durchlaufzeit, S2)" in str(cell.value)
               for row in book["E2_hr-policy-assistant"].iter_rows() for cell in row)
