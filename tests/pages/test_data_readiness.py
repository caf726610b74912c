"""AppTest for the Data readiness page (S6 checklist, S7 profiling, S8 heuristic, S11 DPIA and risk class)."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from core import profiling
from core.readiness import readiness_percentage
from core.store import Store
from tests.pages.conftest import assert_clean, open_page
from ui import formatting
from ui.views.data_readiness import SAMPLE_TABLE_PATH

PAGE = "pages/8_Data_readiness.py"
CHATBOT = "support-chatbot"


def _metric(at, label: str) -> str:
    return next(metric.value for metric in at.metric if metric.label == label)


def _profile_table(at) -> pd.DataFrame:
    return next(frame.value for frame in at.dataframe if "Missing rate" in frame.value.columns)


def _sample_profile() -> profiling.Profile:
    return profiling.profile(profiling.read_table(SAMPLE_TABLE_PATH.read_bytes(), SAMPLE_TABLE_PATH.name),
                             "updated_at")


@pytest.mark.parametrize("language", ["en", "de"])
def test_readiness_percentage_equals_the_core(store: Store, sample_id: str, language: str) -> None:
    at = open_page(PAGE, language=language)
    assert_clean(at)
    use_case = store.get_use_case(sample_id, CHATBOT)[0]
    # Sample chatbot: 8 done, 4 partial, 1 open, 1 n/a → (8 + 2) / 13 = 76.9 %.
    assert readiness_percentage(use_case.readiness) == pytest.approx(1000 / 13)
    assert _metric(at, "Readiness") == formatting.percent(10 / 13, language)
    assert _metric(at, "Readiness") == ("77%" if language == "en" else "77\xa0%")


def test_checklist_edit_saves_status_and_evidence(store: Store, sample_id: str) -> None:
    at = open_page(PAGE)
    _, version = store.get_use_case(sample_id, CHATBOT)
    key = f"w.ready.{CHATBOT}.checklist.v{version}"
    at.session_state[key] = {
        "edited_rows": {9: {"status": "done", "evidence": "Schema v2 signed by data owner"}},
        "added_rows": [], "deleted_rows": [],
    }
    at.run()
    assert_clean(at)
    saved = store.get_use_case(sample_id, CHATBOT)[0]
    entry = next(item for item in saved.readiness if item.item == "data_contracts")
    assert (entry.status, entry.evidence) == ("done", "Schema v2 signed by data owner")
    # 9 done, 4 partial, 1 n/a → (9 + 2) / 13.
    assert _metric(at, "Readiness") == formatting.percent(11 / 13, "en")


def test_sample_dataset_profile_equals_the_core(store: Store, sample_id: str) -> None:
    at = open_page(PAGE)
    assert any(info.value.startswith("Upload a table") for info in at.info)
    next(button for button in at.button if button.label == "Profile the sample dataset").click().run()
    assert_clean(at)
    expected = _sample_profile()
    assert _metric(at, "Rows") == formatting.number(expected.row_count, "en") == "2,000"
    assert _metric(at, "Duplicate rows") == formatting.percent(expected.duplicate_row_rate, "en", 1)
    freshness = _metric(at, "Freshness (p95 age)")
    assert freshness.endswith(" h")
    assert float(freshness.removesuffix(" h").replace(",", "")) == pytest.approx(expected.p95_age_hours, abs=0.2)
    table = _profile_table(at)
    assert table["Column"].tolist() == [str(name) for name in expected.top.index]
    assert table["Missing rate"].tolist() == [formatting.percent(v, "en", 1) for v in expected.top["missing_rate"]]
    chart = at.get("vega_lite_chart")[0]
    assert "missing_percent" in chart.proto.spec

    at.selectbox(key="w.ready.timestamp").set_value("").run()
    assert_clean(at)
    assert _metric(at, "Freshness (p95 age)") == formatting.MISSING


def test_uploaded_parquet_is_profiled(store: Store, sample_id: str) -> None:
    frame = pd.DataFrame({"a": [1.0, None, 1.0, 1.0], "b": ["x", "y", "x", "x"]})
    buffer = io.BytesIO()
    frame.to_parquet(buffer)
    at = open_page(PAGE)
    at.file_uploader[0].set_value(("cases.parquet", buffer.getvalue(), "application/octet-stream")).run()
    assert_clean(at)
    # Rows 3 and 4 repeat row 1 → duplicate rate 2/4; column a misses 1 of 4.
    assert _metric(at, "Duplicate rows") == "50.0%"
    assert _profile_table(at)["Missing rate"].tolist() == ["25.0%", "0.0%"]


@pytest.mark.parametrize(
    ("filename", "content"),
    [("broken.xlsx", b"PK\x03\x04 not really a workbook"), ("empty.csv", b""), ("table.parquet", b"garbage")],
)
def test_broken_upload_shows_an_error_naming_the_file(store: Store, sample_id: str, filename: str,
                                                      content: bytes) -> None:
    at = open_page(PAGE)
    at.file_uploader[0].set_value((filename, content, "application/octet-stream")).run()
    assert not at.exception
    assert len(at.error) == 1
    assert filename in at.error[0].value
    assert "Traceback" not in at.error[0].value


def test_s8_heuristic_and_dpia_follow_the_checkboxes(store: Store, sample_id: str) -> None:
    at = open_page(PAGE, language="de")
    assert any("LLM mit RAG" in item.value for item in at.success)
    prefix = f"w.ready.{CHATBOT}"
    for field in ("unstructured_text", "knowledge_queries_over_documents", "fast_iteration_needed"):
        at.checkbox(key=f"{prefix}.solution_profile.{field}").uncheck().run()
    for field in ("structured_tables", "clear_target_variable", "high_risk"):
        at.checkbox(key=f"{prefix}.solution_profile.{field}").check().run()
    assert_clean(at)
    saved = store.get_use_case(sample_id, CHATBOT)[0]
    assert saved.solution_profile.structured_tables and not saved.solution_profile.unstructured_text
    assert any(item.value.startswith("**Empfehlung: Klassisches ML**") for item in at.success)
    assert any("Audit-Logging" in item.value for item in at.warning)

    at.checkbox(key=f"{prefix}.dpia.new_pii_processing_or_profiling").uncheck().run()
    assert any(item.value == "Kein DSFA-Auslöser angekreuzt." for item in at.success)
    at.checkbox(key=f"{prefix}.dpia.rag_over_confidential_documents").check().run()
    assert any("RAG auf vertrauliche Dokumente" in item.value for item in at.warning)
    assert store.get_use_case(sample_id, CHATBOT)[0].dpia.rag_over_confidential_documents is True

    at.selectbox(key=f"{prefix}.risk_class").set_value("high").run()
    assert store.get_use_case(sample_id, CHATBOT)[0].eu_ai_act_risk_class == "high"
