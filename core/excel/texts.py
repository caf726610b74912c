"""Every word the pack shows, in English and German, and the lookup that picks one language.

Defined names, user text and the Meta sheet's layout stay the same in both languages; labels, units, codes shown
as words, formula results that are words and the sheet names change (the sheet names through
:func:`core.excel.names.sheet_name`: "Übersicht", "Annahmen", "Audit-Trail", "E1_…", "IST1_…").
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from babel.dates import format_datetime

from core.excel.names import FRACTION_KIND, field_kind

LANGUAGES: tuple[str, ...] = ("en", "de")
# Shown for a missing value in every language; live formulas compare against it, so it is never translated.
NOT_AVAILABLE = "n/a"
NOT_SCORED = "Not scored yet"
"""S3: the rank and quadrant of a use case nobody has scored yet."""
ANY_VALUE = "ROI ≥ 0 at any value"
"""S15: the break-even of an input when ROI stays at or above 0 even with the input at 0."""
MOMENT_LOCALES = {"en": "en_GB", "de": "de_DE"}
PASS, FAIL, YES, NO = "pass", "fail", "yes", "no"

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
    "horizon_months": "Horizon (months)",
    "ramp_months": "Adoption ramp (months)",
    "ramp_shape": "Ramp shape",
    "run_cost_escalation_per_year": "Run-cost escalation per year",
    "discount_rate_per_year": "Own discount rate per year (blank = workspace default)",
}
COST_BLOCK_LABELS: dict[str, str] = {
    "data_work": "Data work", "integration": "Integration", "inference": "Inference",
    "mlops_platform": "MLOps/platform", "security_compliance": "Security/compliance",
    "change_training": "Change/training",
}
FIELD_UNITS: dict[str, str] = {
    "volume_cases_per_month": "cases/month",
    "minutes_saved_per_case": "min/case",
    "cost_per_minute_eur": "€/min",
    "error_cost_per_case_eur": "€/case",
    "run_cost_eur_per_month": "€/month",
    "horizon_months": "months",
    "ramp_months": "months",
    "ramp_shape": "linear or s_curve",
    "one_time_eur": "€ once",
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
    "blocked": "Blocked", "override": "Override (with reason)",
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
    "Blocked": "Blockiert",
    "Override (with reason)": "Übersteuert (mit Begründung)",
    "Gate decisions (recorded)": "Gate-Entscheidungen (protokolliert)",
    "Decided (UTC)": "Entschieden (UTC)",
    "Gate": "Gate",
    "Decision": "Entscheidung",
    "Computed": "Berechnet",
    "Decided by": "Entschieden von",
    "Next gate on": "Nächstes Gate am",
    "Rationale": "Begründung",
    "Status (as exported)": "Status (beim Export)",
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
    "S6 Data readiness": "S6 Datenreife",
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
    "Steps": "Schritte",
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
    NOT_SCORED: "Noch nicht bewertet",
    ANY_VALUE: "ROI ≥ 0 bei jedem Wert",
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
    "Horizon (months)": "Horizont (Monate)",
    "Adoption ramp (months)": "Adoptions-Rampe (Monate)",
    "Ramp shape": "Rampenform",
    "Run-cost escalation per year": "Steigerung Modellbetrieb pro Jahr",
    "Own discount rate per year (blank = workspace default)": "Eigener Diskontsatz pro Jahr (leer = Standard des "
                                                              "Arbeitsbereichs)",
    "Data work": "Datenarbeit", "Integration": "Integration", "Inference": "Inferenz",
    "MLOps/platform": "MLOps/Plattform",
    "Security/compliance": "Security/Compliance", "Change/training": "Change/Training",
    "months": "Monate", "linear or s_curve": "linear oder s_curve", "€ once": "€ einmalig",
    "S19 Business case over the horizon": "S19 Business Case über den Horizont",
    "Workspace default discount rate per year": "Standard-Diskontsatz des Arbeitsbereichs pro Jahr",
    "Discount rate used per year": "Verwendeter Diskontsatz pro Jahr",
    "Monthly discount rate": "Monatlicher Diskontsatz",
    "One-time amount (€), blank = none": "Einmalbetrag (€), leer = keiner",
    "No cost blocks: add them in the app to enter one-time amounts.":
        "Keine Kostenblöcke: in der App anlegen, um Einmalbeträge einzutragen.",
    "Investment C0 (€, paid in month 0)": "Investition C0 (€, in Monat 0 gezahlt)",
    "NPV (€)": "Kapitalwert (€)",
    "IRR per month": "Interner Zinsfuß pro Monat",
    "IRR per year": "Interner Zinsfuß pro Jahr",
    "Payback (month)": "Amortisation (Monat)",
    "Discounted payback (month)": "Diskontierte Amortisation (Monat)",
    "Horizon ROI": "ROI über den Horizont",
    "Monthly table: cash flow sheet": "Monatstabelle: Cashflow-Blatt",
    "Cash flow (S19)": "Cashflow (S19)",
    "Back to the Decision sheet": "Zurück zur Entscheidungsvorlage",
    "Inputs (from the Decision sheet)": "Eingaben (aus der Entscheidungsvorlage)",
    "Results": "Ergebnisse",
    "Steady value (€/month)": "Nutzen im eingeschwungenen Zustand (€/Monat)",
    "Month": "Monat",
    "Ramp": "Rampe",
    "Value (€)": "Nutzen (€)",
    "Run cost (€)": "Modellbetrieb (€)",
    "Net cash flow (€)": "Netto-Cashflow (€)",
    "Cumulative (€)": "Kumuliert (€)",
    "Discounted (€)": "Diskontiert (€)",
    "Cumulative discounted (€)": "Kumuliert diskontiert (€)",
    "Months after the horizon carry no cash flow (grey); the payback month is highlighted.":
        "Monate nach dem Horizont haben keinen Cashflow (grau); der Amortisationsmonat ist markiert.",
    "Cost block": "Kostenblock",
    "Whole number of months": "Ganze Monate",
    "Enter a whole number of months from {low} to {high}.": "Bitte ganze Monate von {low} bis {high} eingeben.",
    "Ramp shape: linear or s_curve": "Rampenform: linear oder s_curve",
    "Choose linear or s_curve.": "Bitte linear oder s_curve wählen.",
    "Investment (€)": "Investition (€)",
    "Total NPV (€)": "Kapitalwert gesamt (€)",
    "Total investment (€)": "Investition gesamt (€)",
    # Portfolio sheet (S20)
    "Portfolio plan (S20)": "Portfolioplan (S20)",
    "Set Funded to 1 to fund a use case, 0 to leave it out; totals and checks follow. Limits left blank are no "
    "limit. The app reads flags and limits back as a plan.":
        "Finanziert auf 1 setzen, um einen Use Case zu finanzieren, auf 0, um ihn auszulassen; Summen und "
        "Prüfungen folgen. Leere Grenzen gelten als keine Grenze. Die App liest Markierungen und Grenzen als Plan ein.",
    "Must / never": "Muss / Nie",
    "Eligible": "Finanzierbar",
    "Funded (1/0)": "Finanziert (1/0)",
    "Capacity (PM)": "Kapazität (PM)",
    "Needs": "Braucht",
    "Needs funded": "Bedarf finanziert",
    "Must": "Muss",
    "Never": "Nie",
    "Funded: 1 or 0": "Finanziert: 1 oder 0",
    "Enter 1 to fund the use case or 0 to leave it out.":
        "1 eingeben, um den Use Case zu finanzieren, oder 0, um ihn auszulassen.",
    "Total of the funded use cases": "Summe der finanzierten Use Cases",
    "Limit (blank = no limit)": "Grenze (leer = keine)",
    "Within the limit?": "Innerhalb der Grenze?",
    "no limit": "keine Grenze",
    "over the limit": "über der Grenze",
    "Funded although not eligible (risk class, DPIA, never)":
        "Finanziert, obwohl nicht finanzierbar (Risikoklasse, DSFA, Nie)",
    "Must but not funded": "Muss, aber nicht finanziert",
    "Funded without what it needs": "Finanziert ohne das, was er braucht",
    "Plan keeps every limit and rule": "Plan hält alle Grenzen und Regeln ein",
    "NPV of the app's optimal plan at the exported limits":
        "Kapitalwert des optimalen Plans der App bei den exportierten Grenzen",
    "Funded NPV minus the optimal plan's": "Finanzierter Kapitalwert minus der des optimalen Plans",
    # S22 Actuals sheet
    'Measured on': 'Gemessen am',
    'Measured by': 'Gemessen von',
    'Minutes saved': 'Minuten gespart',
    'Plan month': 'Planmonat',
    'Counts': 'Zählt',
    'Volume used': 'Volumen verwendet',
    'Adoption used': 'Adoption verwendet',
    'Minutes used': 'Minuten verwendet',
    'Error reduction used': 'Fehlerreduktion verwendet',
    'Run cost used (€)': 'Modellbetrieb verwendet (€)',
    'Plan value (€)': 'Plan-Nutzen (€)',
    'Actual value (€)': 'Ist-Nutzen (€)',
    'Plan net (€)': 'Plan netto (€)',
    'Actual net (€)': 'Ist netto (€)',
    'Variance (€)': 'Abweichung (€)',
    'Variance (%)': 'Abweichung (%)',
    'Cumulative plan net (€)': 'Kumuliert Plan netto (€)',
    'Cumulative actual net (€)': 'Kumuliert Ist netto (€)',
    'Cumulative variance (€)': 'Kumulierte Abweichung (€)',
    'Cumulative plan value (€)': 'Kumulierter Plan-Nutzen (€)',
    'Cumulative actual value (€)': 'Kumulierter Ist-Nutzen (€)',
    'Value share': 'Nutzenanteil',
    'Reviews below': 'Reviews darunter',
    'Behind plan': 'Hinter Plan',
    'Plan month 1 starts on': 'Planmonat 1 beginnt am',
    'Investment C0 (€)': 'Investition C0 (€)',
    'Assumed volume (cases/month)': 'Angenommenes Volumen (Fälle/Monat)',
    'Assumed adoption': 'Angenommene Adoption',
    'Assumed minutes saved per case': 'Angenommene Minutenersparnis pro Fall',
    'Assumed error-rate reduction': 'Angenommene Fehlerquoten-Reduktion',
    'Behind plan below this share of planned value': 'Hinter Plan unter diesem Anteil am geplanten Nutzen',
    '… at this many reviews in a row': '… bei so vielen Reviews in Folge',
    'Measured months': 'Gemessene Monate',
    'Cumulative variance (%)': 'Kumulierte Abweichung (%)',
    'Actual value / plan': 'Ist-Nutzen / Plan',
    'Actuals (S22)': 'Ist-Werte (S22)',
    'Plan (from the Decision and Cash flow sheets)': 'Plan (aus Entscheidungs- und Cashflow-Blatt)',
    'Plan vs actual': 'Plan vs. Ist',
    ("Measurements in date order; add new ones in the empty yellow rows (blank = not measured). Each month "
     "counts its last row."): ("Messungen nach Datum; neue in die leeren gelben Zeilen eintragen (leer = nicht "
                               "gemessen). Je Monat zählt die letzte Zeile."),
    'Date': 'Datum',
    'Enter a date, e.g. 2026-03-31.': 'Bitte ein Datum eingeben, z. B. 2026-03-31.',
}



# Gate check and input names (core.gates) in a German pack; an English pack keeps the names the core uses.
CHECK_LABELS_DE: dict[str, str] = {
    "baseline_cycle_time_sec": "Baseline-Durchlaufzeit (S2)",
    "precision": "Precision",
    "p99_latency_ms": "p99-Antwortlatenz",
    "cost_per_case_eur": "Kosten pro Fall vs. Baseline",
    "risk_score": "Risikoscore",
    "hallucination_rate": "Halluzinationsrate",
    "offline_eval.quality_score": "Offline-Eval: Qualität ≥ Baseline + Aufschlag",
    "shadow_mode.p95_latency_ms": "Shadow-Mode: p95-Latenz",
    "shadow_mode.error_rate": "Shadow-Mode: Fehlerrate",
    "hitl.review_coverage": "HITL: Review-Abdeckung",
    "hitl.escalation_sla_hours": "HITL: Eskalations-SLA",
    "rollback.canary_enabled": "Rollback: Canary aktiv",
    "rollback.rollback_time_min": "Rollback: Rollback-Dauer",
    "canary_p95_latency_ms": "Canary-p95-Latenz",
    "hallucination_proxy": "Halluzinations-Proxy",
    "cost_per_request_usd": "Kosten pro Request",
    "observed_adoption": "Beobachtete Adoption",
    "weeks_since_pilot_start": "Wochen seit Pilotstart",
    "roi": "ROI (S15)",
    "p95_latency_ms": "p95-Latenz",
    "drift_alerts_per_week": "Drift-Alarme pro Woche",
    "risk_class": "Risikoklasse nicht verboten",
    "model_card": "Model Card",
    "data_sheet": "Data Sheet",
    "audit_trail_complete": "Audit-Trail vollständig",
    "least_privilege": "Least Privilege",
    "deletion_concept": "Löschkonzept",
    "incident_process": "Incident-Prozess",
    "baseline_cost_per_case_eur": "Baseline-Kosten pro Fall (€)",
    "offline_quality_score": "Offline-Qualitätsscore (0–1)",
    "baseline_quality_score": "Baseline-Qualitätsscore (0–1)",
    "shadow_p95_latency_ms": "Shadow-p95-Latenz (ms)",
    "shadow_error_rate": "Shadow-Fehlerrate (0–1)",
    "review_coverage": "Review-Abdeckung (0–1)",
    "escalation_sla_hours": "Eskalations-SLA (h)",
    "canary_enabled": "Canary aktiv",
    "rollback_time_min": "Rollback-Dauer (min)",
    "no baseline (baseline_cycle_time_sec)": "keine Baseline (Baseline-Durchlaufzeit, S2)",
}


class Texts:
    """Label lookup for one pack language; German raises on a missing label so none stays English.

    Example: ``Texts("de")("Net value (€/month)")`` → ``"Nettonutzen (€/Monat)"``.
    """

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

    def moment(self, value: datetime) -> str:
        """A UTC moment as text with the month as a word (as the app shows it), e.g. "2 Mar 2026, 09:30 UTC" or
        "2. März 2026, 09:30 UTC": "02/03/2026" would read as 3 February in the US."""
        pattern = "d MMM y, HH:mm" if self.language == "en" else "d. MMM y, HH:mm"
        utc = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return f"{format_datetime(utc, pattern, locale=MOMENT_LOCALES[self.language])} UTC"

    def check(self, name: str) -> str:
        """A gate check or input name as the pack shows it: German words in a German pack, e.g.
        ``Texts("de").check("shadow_mode.p95_latency_ms")`` → "Shadow-Mode: p95-Latenz"; the name in English."""
        return CHECK_LABELS_DE.get(name, name) if self.language == "de" else name

    def code(self, labels: Mapping[str, str], code: str) -> str:
        return self(labels[code]) if code in labels else code


def field_unit(field: str) -> str:
    """English unit label of an input field (translate it with :class:`Texts`), e.g. ``"€/month"``."""
    return FRACTION_UNIT if field_kind(field) == FRACTION_KIND else FIELD_UNITS.get(field, "")


def quick_win_rule(texts: Texts, min_value: float, min_feasibility: float) -> str:
    """The S3 quick-win thresholds as one line, e.g. ``"value ≥ 0.50, feasibility ≥ 0.50"``."""
    return texts("value ≥ {value}, feasibility ≥ {feasibility}").format(
        value=texts.number(min_value), feasibility=texts.number(min_feasibility))
