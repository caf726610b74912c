"""S6 data-readiness checklist, S8 classic-ML-vs-RAG heuristic and S11 DPIA triggers.

``inference_cost`` (S12) is re-exported from :mod:`core.roi` so readiness pages need one import.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from core.models import DpiaTriggers, ReadinessItem, ReadinessStatus, SolutionProfile
from core.roi import inference_cost

__all__ = [
    "CHECKLIST",
    "CHECKLIST_BY_ID",
    "DPIA_TRIGGER_LABELS",
    "HIGH_RISK_OBLIGATIONS",
    "OBLIGATION_LABELS",
    "STATUS_WEIGHTS",
    "ChecklistItem",
    "DpiaAssessment",
    "Recommendation",
    "dpia_triggers",
    "inference_cost",
    "ml_vs_rag",
    "readiness_percentage",
]


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    """One S6 checklist row: what to measure or deliver, in English and German."""

    id: str
    label_en: str
    label_de: str
    measurement_en: str
    measurement_de: str


CHECKLIST: tuple[ChecklistItem, ...] = (
    ChecklistItem("sources", "Sources (ERP/CRM/DWH/files)", "Quellen (ERP/CRM/DWH/Files)",
                  "System of record + owner per source", "System-of-Record + Owner je Quelle"),
    ChecklistItem("freshness", "Freshness", "Aktualität (Freshness)",
                  "p95 data age in hours", "p95 Datenalter in Stunden"),
    ChecklistItem("history", "History", "Historie",
                  "At least N months, documented without gaps", "Mindestens N Monate, lückenlos dokumentiert"),
    ChecklistItem("missingness", "Missingness", "Missingness",
                  "Missing rate per feature, top-10 fields", "Missing-Rate je Feature, Top-10 Felder"),
    ChecklistItem("duplicates_keys", "Duplicates/keys", "Duplikate/Keys",
                  "Duplicate rate, key stability", "Duplicate-Rate, Key-Stabilität"),
    ChecklistItem("label_availability", "Label availability", "Label-Verfügbarkeit",
                  "Definition, source, lead time, label-noise estimate",
                  "Definition, Quelle, Lead-Time, Label-Noise-Schätzung"),
    ChecklistItem("pii_protection", "PII/protection need", "PII/Schutzbedarf",
                  "PII scan, DPIA trigger, masking rules", "PII-Scan, DSFA/DPIA-Trigger, Masking-Regeln"),
    ChecklistItem("access_model", "Access model", "Zugriffsmodell",
                  "RBAC/ABAC, least privilege, break-glass process",
                  "RBAC/ABAC, Least-Privilege, Breakglass-Prozess"),
    ChecklistItem("lineage", "Lineage", "Lineage",
                  "Traceable from raw data to feature/index", "Von Rohdaten bis Feature/Index nachvollziehbar"),
    ChecklistItem("data_contracts", "Data contracts", "Datenverträge",
                  "Schema, SLA, change policy, versioning", "Schema, SLA, Change-Policy, Versionierung"),
    ChecklistItem("silos_joinability", "Silos/joinability", "Silos/Joinbarkeit",
                  "Join coverage, match rate, conflict rules", "Join-Coverage, Match-Rate, Konfliktregeln"),
    ChecklistItem("ml_vs_rag_decision", "Decision ML vs LLM/RAG", "Entscheidung ML vs. LLM/RAG",
                  "Heuristic documented (S8)", "Heuristik dokumentiert (S8)"),
    ChecklistItem("compliance", "Compliance", "Compliance",
                  "EU AI Act risk class + list of obligations", "EU AI Act Risikoklasse + Pflichtenliste"),
    ChecklistItem("operating_model", "Operating model", "Betriebsmodell",
                  "MLOps plan: rollback, monitoring, model card", "MLOps-Plan: Rollback, Monitoring, Model Card"),
)
CHECKLIST_BY_ID: dict[str, ChecklistItem] = {item.id: item for item in CHECKLIST}

STATUS_WEIGHTS: dict[ReadinessStatus, float] = {"done": 1.0, "partial": 0.5, "open": 0.0}


def readiness_percentage(items: Iterable[ReadinessItem | ReadinessStatus]) -> float | None:
    """S6 readiness in percent (0–100): done counts 1, partial 0.5, open 0; not_applicable is left out.

    Returns None when nothing is applicable (no item, or all not_applicable).
    Example: done, partial, open, not_applicable → (1 + 0.5 + 0) / 3 = 50.0.
    """
    weights = []
    for entry in items:
        status = entry if isinstance(entry, str) else entry.status
        if status == "not_applicable":
            continue
        if status not in STATUS_WEIGHTS:
            raise ValueError(f"readiness status must be one of open, partial, done, not_applicable, got {status!r}")
        weights.append(STATUS_WEIGHTS[status])
    if not weights:
        return None
    return 100.0 * sum(weights) / len(weights)


Approach = Literal["classic_ml", "rag", "limited_rag", "undecided"]
Obligation = Literal["audit_logging", "human_oversight", "model_card", "clean_dpia"]
HIGH_RISK_OBLIGATIONS: tuple[Obligation, ...] = ("audit_logging", "human_oversight", "model_card", "clean_dpia")
OBLIGATION_LABELS: dict[Obligation, tuple[str, str]] = {
    "audit_logging": ("Audit logging", "Audit-Logging"),
    "human_oversight": ("Human oversight", "Human Oversight"),
    "model_card": ("Model card", "Model Card"),
    "clean_dpia": ("Clean DPIA", "Saubere DSFA/DPIA"),
}

ML_SIGNALS: dict[str, tuple[str, str]] = {
    "structured_tables": ("structured tables", "strukturierte Tabellen"),
    "clear_target_variable": ("clear target variable", "klare Zielvariable"),
    "explainability_required": ("explainability/determinism important", "Erklärbarkeit/Determinismus wichtig"),
}
RAG_SIGNALS: dict[str, tuple[str, str]] = {
    "unstructured_text": ("much unstructured text", "viel unstrukturierter Text"),
    "knowledge_queries_over_documents": ("knowledge queries over documents", "Wissensabfrage über Dokumente"),
    "fast_iteration_needed": ("fast iteration", "schnelle Iteration"),
}


@dataclass(frozen=True, slots=True)
class Recommendation:
    """S8 outcome: ``approach`` plus the reasons (English and German) and, for high risk, the obligations."""

    approach: Approach
    reasons: tuple[str, ...]
    obligations: tuple[Obligation, ...] = ()
    reasons_de: tuple[str, ...] = ()


def _matched(profile: SolutionProfile, signals: dict[str, tuple[str, str]]) -> list[tuple[str, str]]:
    return [labels for field, labels in signals.items() if getattr(profile, field)]


def _choose(ml_count: int, rag_count: int, strict_limit: bool) -> Approach:
    if strict_limit:
        return "limited_rag" if rag_count > ml_count else "classic_ml"
    if ml_count > rag_count:
        return "classic_ml"
    if rag_count > ml_count:
        return "rag"
    return "undecided"


def ml_vs_rag(profile: SolutionProfile) -> Recommendation:
    """S8 heuristic: count the classic-ML signals (structured tables, clear target, explainability)
    against the RAG signals (unstructured text, knowledge queries over documents, fast iteration).

    More ML signals → "classic_ml", more RAG signals → "rag", a tie → "undecided". A strict p99 latency
    and cost limit turns the answer into "classic_ml", or "limited_rag" (small index, aggressive caching)
    when RAG signals dominate. High risk adds the obligations audit logging, human oversight, model card
    and a clean DPIA. Example: unstructured text + knowledge queries → approach "rag", no obligations.
    """
    ml = _matched(profile, ML_SIGNALS)
    rag = _matched(profile, RAG_SIGNALS)
    approach = _choose(len(ml), len(rag), profile.strict_latency_and_cost_limit)
    reasons_en: list[str] = []
    reasons_de: list[str] = []
    if ml:
        reasons_en.append("classic ML signals: " + ", ".join(en for en, _ in ml))
        reasons_de.append("Signale für klassische ML: " + ", ".join(de for _, de in ml))
    if rag:
        reasons_en.append("RAG signals: " + ", ".join(en for en, _ in rag))
        reasons_de.append("Signale für RAG: " + ", ".join(de for _, de in rag))
    if profile.strict_latency_and_cost_limit:
        reasons_en.append("strict p99 latency and cost limit: classic ML, or strongly limited RAG "
                          "(small index, aggressive caching)")
        reasons_de.append("strenge Latenz (p99) und Kostenlimit: eher klassisch oder stark begrenztes RAG "
                          "(kleiner Index, aggressives Caching)")
    if approach == "undecided":
        reasons_en.append("signals are balanced or missing: decide with a small offline comparison")
        reasons_de.append("Signale gleichauf oder nicht vorhanden: mit kleinem Offline-Vergleich entscheiden")
    obligations: tuple[Obligation, ...] = ()
    if profile.high_risk:
        obligations = HIGH_RISK_OBLIGATIONS
        reasons_en.append("high risk (PII, regulated, EU AI Act high): only with audit logging, human oversight, "
                          "model card and a clean DPIA")
        reasons_de.append("hohes Risiko (PII, reguliert, EU AI Act hoch): nur mit Audit-Logging, Human Oversight, "
                          "Model Card und sauberer DSFA/DPIA")
    return Recommendation(approach=approach, reasons=tuple(reasons_en), obligations=obligations,
                          reasons_de=tuple(reasons_de))


DPIA_TRIGGER_LABELS: dict[str, tuple[str, str]] = {
    "new_pii_processing_or_profiling": ("New processing of PII or profiling",
                                        "Neue Verarbeitung von PII oder Profiling"),
    "automated_decisions_with_effect": ("Automated decisions with effect on data subjects",
                                        "Automatisierte Entscheidungen mit Wirkung auf Betroffene"),
    "new_sources_outside_tenant": ("New data sources outside the tenant",
                                   "Neue Datenquellen außerhalb des Tenant"),
    "rag_over_confidential_documents": ("RAG over confidential documents",
                                        "RAG auf vertrauliche Dokumente"),
}


@dataclass(frozen=True, slots=True)
class DpiaAssessment:
    """S11: whether a DPIA (DSFA) is required and which triggers fired (field names of DpiaTriggers)."""

    required: bool
    triggered: tuple[str, ...]


def dpia_triggers(dpia: DpiaTriggers) -> DpiaAssessment:
    """S11: any one trigger makes a DPIA (DSFA) required; triggers are listed in the article's order.

    Example: ``DpiaTriggers(rag_over_confidential_documents=True)`` → required, ("rag_over_confidential_documents",).
    """
    triggered = tuple(name for name in DPIA_TRIGGER_LABELS if getattr(dpia, name))
    return DpiaAssessment(required=bool(triggered), triggered=triggered)
