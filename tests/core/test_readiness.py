"""S6 checklist, S8 ML-vs-RAG heuristic, S11 DPIA triggers."""

import pytest

from core import readiness, roi
from core.models import (
    DPIA_TRIGGER_FIELDS,
    READINESS_ITEMS,
    DpiaTriggers,
    InferenceCostInputs,
    ReadinessItem,
    SolutionProfile,
)
from core.readiness import (
    CHECKLIST,
    DPIA_TRIGGER_LABELS,
    HIGH_RISK_OBLIGATIONS,
    dpia_triggers,
    ml_vs_rag,
    readiness_percentage,
)


def test_checklist_has_the_fourteen_s6_items_in_order():
    assert tuple(item.id for item in CHECKLIST) == READINESS_ITEMS
    assert len(CHECKLIST) == 14
    for item in CHECKLIST:
        assert item.label_en and item.label_de and item.measurement_en and item.measurement_de


def test_checklist_texts_follow_the_article():
    by_id = readiness.CHECKLIST_BY_ID
    assert by_id["freshness"].measurement_en == "p95 data age in hours"
    assert by_id["freshness"].measurement_de == "p95 Datenalter in Stunden"
    assert by_id["operating_model"].label_de == "Betriebsmodell"
    assert by_id["data_contracts"].measurement_de == "Schema, SLA, Change-Policy, Versionierung"


def _items(*statuses):
    return [ReadinessItem(item=item, status=status) for item, status in zip(READINESS_ITEMS, statuses, strict=False)]


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        (("done", "partial", "open", "not_applicable"), 50.0),  # (1 + 0.5 + 0) / 3
        (("done",) * 14, 100.0),
        (("open",) * 14, 0.0),
        (("partial", "partial", "done", "done"), 75.0),  # (0.5 + 0.5 + 1 + 1) / 4
        (("done",) * 13 + ("not_applicable",), 100.0),
    ],
)
def test_readiness_percentage(statuses, expected):
    assert readiness_percentage(_items(*statuses)) == pytest.approx(expected)


def test_readiness_percentage_is_none_when_nothing_applies():
    assert readiness_percentage(_items(*("not_applicable",) * 14)) is None
    assert readiness_percentage([]) is None


def test_readiness_percentage_accepts_plain_statuses_and_rejects_unknown_ones():
    assert readiness_percentage(["done", "open"]) == pytest.approx(50.0)
    with pytest.raises(ValueError, match="readiness status"):
        readiness_percentage(["finished"])


def test_structured_tables_with_target_and_explainability_recommend_classic_ml():
    profile = SolutionProfile(structured_tables=True, clear_target_variable=True, explainability_required=True)
    recommendation = ml_vs_rag(profile)
    assert recommendation.approach == "classic_ml"
    assert recommendation.obligations == ()
    assert "structured tables" in recommendation.reasons[0]
    assert "strukturierte Tabellen" in recommendation.reasons_de[0]


def test_unstructured_knowledge_queries_recommend_rag():
    profile = SolutionProfile(unstructured_text=True, knowledge_queries_over_documents=True, fast_iteration_needed=True)
    assert ml_vs_rag(profile).approach == "rag"


def test_strict_latency_limit_gives_limited_rag_when_rag_signals_dominate():
    profile = SolutionProfile(unstructured_text=True, knowledge_queries_over_documents=True,
                              strict_latency_and_cost_limit=True)
    recommendation = ml_vs_rag(profile)
    assert recommendation.approach == "limited_rag"
    assert any("caching" in reason for reason in recommendation.reasons)


def test_strict_latency_limit_without_rag_majority_gives_classic_ml():
    assert ml_vs_rag(SolutionProfile(strict_latency_and_cost_limit=True)).approach == "classic_ml"
    balanced = SolutionProfile(structured_tables=True, unstructured_text=True, strict_latency_and_cost_limit=True)
    assert ml_vs_rag(balanced).approach == "classic_ml"


def test_balanced_or_empty_signals_are_undecided():
    assert ml_vs_rag(SolutionProfile()).approach == "undecided"
    balanced = SolutionProfile(clear_target_variable=True, unstructured_text=True)
    assert ml_vs_rag(balanced).approach == "undecided"


def test_high_risk_lists_the_four_s8_obligations():
    profile = SolutionProfile(unstructured_text=True, knowledge_queries_over_documents=True, high_risk=True)
    recommendation = ml_vs_rag(profile)
    assert recommendation.approach == "rag"
    assert recommendation.obligations == HIGH_RISK_OBLIGATIONS
    assert HIGH_RISK_OBLIGATIONS == ("audit_logging", "human_oversight", "model_card", "clean_dpia")
    assert set(readiness.OBLIGATION_LABELS) == set(HIGH_RISK_OBLIGATIONS)


def test_dpia_labels_cover_every_trigger_field():
    assert tuple(DPIA_TRIGGER_LABELS) == DPIA_TRIGGER_FIELDS
    assert set(DpiaTriggers.model_fields) - set(DPIA_TRIGGER_FIELDS) == {"assessed"}


def test_no_trigger_means_no_dpia():
    assessment = dpia_triggers(DpiaTriggers())
    assert assessment.required is False
    assert assessment.triggered == ()


@pytest.mark.parametrize("field", list(DPIA_TRIGGER_FIELDS))
def test_any_single_trigger_requires_a_dpia(field):
    assessment = dpia_triggers(DpiaTriggers(**{field: True}))
    assert assessment.required is True
    assert assessment.triggered == (field,)


def test_all_triggers_are_listed_in_article_order():
    everything = DpiaTriggers(**dict.fromkeys(DpiaTriggers.model_fields, True))
    assert dpia_triggers(everything).triggered == DPIA_TRIGGER_FIELDS


def test_inference_cost_is_reexported_from_roi():
    assert readiness.inference_cost is roi.inference_cost
    article = InferenceCostInputs(tokens_per_request=1200, requests_per_month=200_000, price_per_1k_tokens_eur=0.002)
    assert readiness.inference_cost(article) == pytest.approx(480.0)  # 240 M tokens × 0.002 €/1k (S12)


def test_assessed_is_no_trigger():
    # S11 lists four triggers; "assessed" only records that they were looked at (S20 reads it for high risk).
    assert dpia_triggers(DpiaTriggers(assessed=True)).required is False
