"""English and German messages for Home, Use cases, Scoring, ROI and the shared UI (sidebar, labels, errors)."""

MESSAGES: dict[str, dict[str, str]] = {
    # App frame and sidebar
    "app.name": {"en": "AI use-case workbench", "de": "KI-Use-Case-Werkbank"},
    "nav.home": {"en": "Home", "de": "Start"},
    "nav.use_cases": {"en": "Use cases", "de": "Use Cases"},
    "nav.scoring": {"en": "Scoring", "de": "Scoring"},
    "nav.roi": {"en": "ROI", "de": "ROI"},
    "nav.sensitivity": {"en": "Sensitivity", "de": "Sensitivität"},
    "nav.gates": {"en": "Gates", "de": "Gates"},
    "nav.data_readiness": {"en": "Data readiness", "de": "Data Readiness"},
    "nav.export": {"en": "Export", "de": "Export"},
    "sidebar.workspace": {"en": "Workspace", "de": "Arbeitsbereich"},
    "sidebar.actor": {"en": "Your name", "de": "Ihr Name"},
    "sidebar.actor_placeholder": {"en": "e.g. M. Schneider", "de": "z. B. M. Schneider"},
    "sidebar.actor_help": {
        "en": "Written to the audit trail with every change you make.",
        "de": "Wird bei jeder Änderung in den Audit-Trail geschrieben.",
    },
    "sidebar.language": {"en": "Language", "de": "Sprache"},
    "sidebar.autosave": {
        "en": "Every change is saved immediately and recorded in the audit trail.",
        "de": "Jede Änderung wird sofort gespeichert und im Audit-Trail protokolliert.",
    },
    "picker.use_case": {"en": "Use case", "de": "Use Case"},
    # Errors and conflicts
    "error.unexpected": {
        "en": "Something went wrong while showing this part of the page. Nothing was lost; the details are in "
              "the server log. Please reload the page.",
        "de": "Beim Anzeigen dieses Seitenteils ist ein Fehler aufgetreten. Es ging nichts verloren; die Details "
              "stehen im Server-Log. Bitte laden Sie die Seite neu.",
    },
    "error.rejected": {"en": "Not saved: {detail}", "de": "Nicht gespeichert: {detail}"},
    "error.store": {
        "en": "The database could not be opened: {detail}",
        "de": "Die Datenbank konnte nicht geöffnet werden: {detail}",
    },
    "error.model": {"en": "Input", "de": "Eingabe"},
    "conflict.message": {
        "en": "Not saved: {who} changed use case '{use_case}' at {when} ({fields}). The page now shows their "
              "version; please apply your change again.",
        "de": "Nicht gespeichert: {who} hat den Use Case '{use_case}' um {when} geändert ({fields}). Die Seite zeigt "
              "jetzt diese Fassung; bitte übernehmen Sie Ihre Änderung erneut.",
    },
    "raci.error_one_a": {
        "en": "RACI: deliverable '{deliverable}' needs exactly one A (accountable), it has {count}.",
        "de": "RACI: Das Deliverable '{deliverable}' braucht genau ein A (accountable), es hat {count}.",
    },
    # Enum labels
    "phase.discovery": {"en": "1 Discovery/Scoping", "de": "1 Discovery/Scoping"},
    "phase.data_risk": {"en": "2 Data & Risk", "de": "2 Daten & Risiko"},
    "phase.poc": {"en": "3 PoC", "de": "3 PoC"},
    "phase.pilot": {"en": "4 Pilot", "de": "4 Pilot"},
    "phase.production": {"en": "5 Production", "de": "5 Produktivsetzung"},
    "phase.scale": {"en": "6 Scale/Portfolio", "de": "6 Skalierung/Portfolio"},
    "risk.minimal": {"en": "Minimal", "de": "Minimal"},
    "risk.limited": {"en": "Limited", "de": "Begrenzt"},
    "risk.high": {"en": "High", "de": "Hoch"},
    "risk.prohibited": {"en": "Prohibited", "de": "Verboten"},
    "quadrant.quick_win": {"en": "Quick win", "de": "Quick Win"},
    "quadrant.strategic_bet": {"en": "Strategic bet", "de": "Strategische Wette"},
    "quadrant.fill_in": {"en": "Fill-in", "de": "Lückenfüller"},
    "quadrant.deprioritise": {"en": "Deprioritise", "de": "Zurückstellen"},
    "gate.poc_to_pilot": {"en": "PoC → Pilot", "de": "PoC → Pilot"},
    "gate.quality_gates": {"en": "Quality gates", "de": "Qualitätsgates"},
    "gate.canary": {"en": "Canary", "de": "Canary"},
    "gate.scale_or_kill": {"en": "Scale or kill", "de": "Skalieren oder stoppen"},
    "gate.go_live_compliance": {"en": "Go-live compliance", "de": "Go-live-Compliance"},
    "output.answer": {"en": "Answer", "de": "Antwort"},
    "output.classification": {"en": "Classification", "de": "Klassifikation"},
    "output.extraction": {"en": "Extraction", "de": "Extraktion"},
    "output.ticket_draft": {"en": "Ticket draft", "de": "Ticket-Entwurf"},
    "kpi_group.value": {"en": "Value", "de": "Wert"},
    "kpi_group.quality": {"en": "Quality", "de": "Qualität"},
    "kpi_group.adoption": {"en": "Adoption", "de": "Adoption"},
    "kpi_group.risk": {"en": "Risk", "de": "Risiko"},
    "cost_block.data_work": {"en": "Data work", "de": "Datenarbeit"},
    "cost_block.integration": {"en": "Integration", "de": "Integration"},
    "cost_block.inference": {"en": "Inference", "de": "Inferenz"},
    "cost_block.mlops_platform": {"en": "MLOps/platform", "de": "MLOps/Plattform"},
    "cost_block.security_compliance": {"en": "Security/compliance", "de": "Security/Compliance"},
    "cost_block.change_training": {"en": "Change/training", "de": "Change/Training"},
    # Table columns
    "col.rank": {"en": "Rank", "de": "Rang"},
    "col.name": {"en": "Use case", "de": "Use Case"},
    "col.owner": {"en": "Owner", "de": "Owner"},
    "col.phase": {"en": "Phase", "de": "Phase"},
    "col.risk_class": {"en": "Risk class", "de": "Risikoklasse"},
    "col.score": {"en": "Score", "de": "Score"},
    "col.value": {"en": "Value", "de": "Wert"},
    "col.feasibility": {"en": "Feasibility", "de": "Machbarkeit"},
    "col.quadrant": {"en": "Quadrant", "de": "Quadrant"},
    "col.net_value": {"en": "Net value €/month", "de": "Nettonutzen €/Monat"},
    "col.roi": {"en": "ROI", "de": "ROI"},
    "col.next_gate": {"en": "Next gate", "de": "Nächstes Gate"},
    "col.kpis": {"en": "KPIs", "de": "KPIs"},
    "col.stay_share": {"en": "Stays in quadrant", "de": "Bleibt im Quadranten"},
    "col.workspace": {"en": "Workspace", "de": "Arbeitsbereich"},
    "col.use_cases": {"en": "Use cases", "de": "Use Cases"},
    "col.updated": {"en": "Last change (UTC)", "de": "Letzte Änderung (UTC)"},
    "col.input": {"en": "Input", "de": "Eingabe"},
    "col.current": {"en": "Current", "de": "Aktuell"},
    "col.break_even": {"en": "Break-even (ROI = 0)", "de": "Break-even (ROI = 0)"},
    "col.direction": {"en": "For ROI ≥ 0", "de": "Für ROI ≥ 0"},
    # Fields (S1, S2, S14, S3, S15, S12)
    "field.name": {"en": "Name", "de": "Name"},
    "field.owner": {"en": "Owner (accountable person or role)", "de": "Owner (verantwortliche Person/Rolle)"},
    "field.phase": {"en": "Phase (S13)", "de": "Phase (S13)"},
    "field.eu_ai_act_risk_class": {"en": "EU AI Act risk class", "de": "EU-AI-Act-Risikoklasse"},
    "field.output_type": {"en": "Output", "de": "Output"},
    "field.output_format": {"en": "Output format", "de": "Output-Format"},
    "field.problem_statement": {"en": "Problem statement", "de": "Problemstatement"},
    "field.users": {"en": "Users", "de": "Nutzer"},
    "field.process_step": {"en": "Process step", "de": "Prozessschritt"},
    "field.decision_point": {"en": "Decision point", "de": "Entscheidungspunkt"},
    "field.guardrails": {"en": "Guardrails", "de": "Guardrails"},
    "field.out_of_scope": {"en": "Out of scope", "de": "Out-of-Scope"},
    "field.kpi_set": {"en": "KPI set", "de": "KPI-Set"},
    "field.raci": {"en": "RACI", "de": "RACI"},
    "field.cost_blocks": {"en": "Cost blocks", "de": "Kostenblöcke"},
    "field.inference": {"en": "Inference cost inputs", "de": "Inferenzkosten-Eingaben"},
    "field.kpi_group": {"en": "Group", "de": "Gruppe"},
    "field.group": {"en": "Group", "de": "Gruppe"},
    "field.kpi_name": {"en": "KPI", "de": "KPI"},
    "field.target_value": {"en": "Target", "de": "Zielwert"},
    "field.unit": {"en": "Unit", "de": "Einheit"},
    "field.measurement_window": {"en": "Measurement window", "de": "Messfenster"},
    "field.baseline_value": {"en": "Baseline", "de": "Baseline"},
    "field.deliverable": {"en": "Deliverable", "de": "Deliverable"},
    "field.responsible": {"en": "R (responsible)", "de": "R (durchführend)"},
    "field.accountable": {"en": "A (accountable)", "de": "A (verantwortlich)"},
    "field.consulted": {"en": "C (consulted)", "de": "C (konsultiert)"},
    "field.informed": {"en": "I (informed)", "de": "I (informiert)"},
    "field.cycle_time_reduction": {"en": "Cycle-time reduction", "de": "Reduktion Durchlaufzeit"},
    "field.cost_reduction": {"en": "Cost reduction", "de": "Kostenreduktion"},
    "field.error_reduction": {"en": "Error reduction", "de": "Fehlerreduktion"},
    "field.data_availability": {"en": "Data availability", "de": "Datenverfügbarkeit"},
    "field.integration_effort": {"en": "Integration effort", "de": "Integrationsaufwand"},
    "field.compliance_risk": {"en": "Compliance risk", "de": "Compliance-Risiko"},
    "field.change_effort": {"en": "Change effort", "de": "Change-Aufwand"},
    "field.volume_cases_per_month": {"en": "Volume (cases/month)", "de": "Volumen (Fälle/Monat)"},
    "field.adoption": {"en": "Adoption", "de": "Adoption"},
    "field.minutes_saved_per_case": {"en": "Minutes saved per case", "de": "Minuten-Ersparnis pro Fall"},
    "field.cost_per_minute_eur": {"en": "Cost per minute of work (€)", "de": "Kosten pro Arbeitsminute (€)"},
    "field.error_cost_per_case_eur": {"en": "Error cost per case (€)", "de": "Fehlerkosten pro Fall (€)"},
    "field.error_rate_reduction": {"en": "Error-rate reduction", "de": "Fehlerquoten-Reduktion"},
    "field.run_cost_eur_per_month": {"en": "Run cost (€/month)", "de": "Modellbetrieb (€/Monat)"},
    "field.tokens_per_request": {"en": "Tokens per request", "de": "Tokens pro Anfrage"},
    "field.requests_per_month": {"en": "Requests per month", "de": "Anfragen pro Monat"},
    "field.price_per_1k_tokens_eur": {"en": "Price per 1k tokens (€)", "de": "Preis pro 1.000 Tokens (€)"},
    "field.block": {"en": "Cost block", "de": "Kostenblock"},
    "field.driver": {"en": "Driver", "de": "Treiber"},
    "field.metric": {"en": "Metric", "de": "Metrik"},
    "field.baseline": {"en": "Baseline", "de": "Baseline"},
    "field.target": {"en": "Target", "de": "Ziel"},
    "field.cost_eur_per_month": {"en": "€/month", "de": "€/Monat"},
    # Field help
    "help.name": {"en": "A measurable intervention, not a topic.", "de": "Eine messbare Intervention, kein Thema."},
    "help.owner": {"en": "Who is accountable for the use case.", "de": "Wer für den Use Case verantwortlich ist."},
    "help.phase": {"en": "Roadmap phase; each ends with a gate (S13).",
                   "de": "Roadmap-Phase; jede endet mit einem Gate (S13)."},
    "help.eu_ai_act_risk_class": {"en": "Minimal, limited, high or prohibited (S11).",
                                  "de": "Minimal, begrenzt, hoch oder verboten (S11)."},
    "help.output_type": {"en": "What the system produces.", "de": "Was das System liefert."},
    "help.output_format": {"en": "Format of the output, e.g. text with source id.",
                           "de": "Format des Outputs, z. B. Text mit Quellen-ID."},
    "help.problem_statement": {"en": "Which bottleneck, with baseline and target value.",
                               "de": "Welcher Engpass, mit Baseline und Zielwert."},
    "help.users": {"en": "Role, skill, context, frequency.", "de": "Rolle, Skill, Kontext, Frequenz."},
    "help.process_step": {"en": "Exactly one step, no end-to-end promise.",
                          "de": "Genau ein Schritt, kein End-to-End-Versprechen."},
    "help.decision_point": {"en": "Which decision is prepared or automated.",
                            "de": "Welche Entscheidung vorbereitet oder automatisiert wird."},
    "help.guardrails": {"en": "What must never happen (PII, legal advice, free text without sources).",
                        "de": "Was nie passieren darf (PII, Rechtsberatung, Freitext ohne Quellen)."},
    "help.out_of_scope": {"en": "What is explicitly not part of the use case.",
                          "de": "Was ausdrücklich nicht Teil des Use Cases ist."},
    "help.responsible": {"en": "Roles that do the work, separated by commas.",
                         "de": "Rollen, die die Arbeit machen, durch Kommas getrennt."},
    "help.accountable": {"en": "Exactly one role that answers for the deliverable.",
                         "de": "Genau eine Rolle, die für das Deliverable geradesteht."},
    "help.consulted": {"en": "Roles asked before decisions, separated by commas.",
                       "de": "Rollen, die vor Entscheidungen gefragt werden, durch Kommas getrennt."},
    "help.informed": {"en": "Roles kept informed, separated by commas.",
                      "de": "Rollen, die informiert werden, durch Kommas getrennt."},
    "help.cycle_time_reduction": {"en": "Expected share of cycle time saved (0–100 %).",
                                  "de": "Erwarteter Anteil eingesparter Durchlaufzeit (0–100 %)."},
    "help.cost_reduction": {"en": "Expected share of cost per case saved.",
                            "de": "Erwarteter Anteil eingesparter Kosten pro Fall."},
    "help.error_reduction": {"en": "Expected share of errors avoided.",
                             "de": "Erwarteter Anteil vermiedener Fehler."},
    "help.data_availability": {
        "en": "Coverage, freshness, access. Quick-win rule (S4): more than 12 months of history, more than 80 % "
              "complete.",
        "de": "Abdeckung, Aktualität, Zugriff. Quick-Win-Regel (S4): mehr als 12 Monate Historie, mehr als 80 % "
              "vollständig.",
    },
    "help.integration_effort": {
        "en": "APIs, auth, UI touchpoints (high = costly). Quick-win rule (S4): one system, clear interface, no "
              "legacy screen scraping.",
        "de": "APIs, Auth, UI-Touchpoints (hoch = teuer). Quick-Win-Regel (S4): ein System, klare Schnittstelle, "
              "kein Legacy-Screen-Scraping.",
    },
    "help.compliance_risk": {
        "en": "EU AI Act risk class, DPIA need (high = risky). Quick-win rule (S4): minimal/limited, DPIA clearly "
              "boundable.",
        "de": "EU-AI-Act-Risikoklasse, DSFA-Bedarf (hoch = riskant). Quick-Win-Regel (S4): minimal/begrenzt, DSFA "
              "klar abgrenzbar.",
    },
    "help.change_effort": {
        "en": "Training, process change (high = hard). Quick-win rule (S4): fewer than 2 teams, no re-cut of roles.",
        "de": "Schulung, Prozessänderung (hoch = schwer). Quick-Win-Regel (S4): weniger als 2 Teams, kein "
              "Rollen-Neuzuschnitt.",
    },
    "help.volume_cases_per_month": {"en": "Cases per month in the process step (volumen).",
                                    "de": "Fälle pro Monat im Prozessschritt (volumen)."},
    "help.adoption": {"en": "Share of cases handled with the AI (0–100 %).",
                      "de": "Anteil der Fälle, die mit der KI bearbeitet werden (0–100 %)."},
    "help.minutes_saved_per_case": {"en": "Minutes of work saved per case (min_ersparnis).",
                                    "de": "Eingesparte Arbeitsminuten pro Fall (min_ersparnis)."},
    "help.cost_per_minute_eur": {"en": "Fully loaded cost of one minute of work (kosten_minute).",
                                 "de": "Vollkosten einer Arbeitsminute (kosten_minute)."},
    "help.error_cost_per_case_eur": {"en": "Cost of errors per case today: rework, escalation (fehlerkosten_alt).",
                                     "de": "Heutige Fehlerkosten pro Fall: Nacharbeit, Eskalation "
                                           "(fehlerkosten_alt)."},
    "help.error_rate_reduction": {"en": "Relative reduction of the error rate (fehlerquote_reduktion).",
                                  "de": "Relative Senkung der Fehlerquote (fehlerquote_reduktion)."},
    "help.run_cost_eur_per_month": {"en": "Inference + platform + monitoring per month (modellbetrieb).",
                                    "de": "Inferenz + Plattform + Monitoring pro Monat (modellbetrieb)."},
    "help.tokens_per_request": {"en": "Prompt plus answer tokens per request.",
                                "de": "Prompt- plus Antwort-Tokens pro Anfrage."},
    "help.requests_per_month": {"en": "Model calls per month.", "de": "Modellaufrufe pro Monat."},
    "help.price_per_1k_tokens_eur": {"en": "Blended price per 1,000 tokens.",
                                     "de": "Mischpreis pro 1.000 Tokens."},
    # Charts
    "chart.feasibility_axis": {"en": "Feasibility (0–1, higher = easier)",
                               "de": "Machbarkeit (0–1, höher = leichter)"},
    "chart.value_axis": {"en": "Value (0–1)", "de": "Wert (0–1)"},
    "chart.size_net": {"en": "Net value (€/month)", "de": "Nettonutzen (€/Monat)"},
    "chart.eur_per_month": {"en": "€ per month", "de": "€ pro Monat"},
    "chart.increase": {"en": "Value", "de": "Nutzen"},
    "chart.decrease": {"en": "Cost", "de": "Kosten"},
    "chart.total": {"en": "Total", "de": "Summe"},
    # Home
    "home.title": {"en": "AI use-case workbench", "de": "KI-Use-Case-Werkbank"},
    "home.caption": {
        "en": "Score, cost and gate AI use cases together — live in the workshop, traceable for finance.",
        "de": "KI-Use-Cases gemeinsam bewerten, rechnen und durch Gates führen — live im Workshop, nachvollziehbar "
              "für das Controlling.",
    },
    "home.no_workspace": {"en": "There is no workspace yet. Create one below.",
                          "de": "Es gibt noch keinen Arbeitsbereich. Legen Sie unten einen an."},
    "home.portfolio": {"en": "Portfolio: {name}", "de": "Portfolio: {name}"},
    "home.metric_use_cases": {"en": "Use cases", "de": "Use Cases"},
    "home.metric_use_cases_help": {"en": "Live use cases in this workspace.",
                                   "de": "Aktive Use Cases in diesem Arbeitsbereich."},
    "home.metric_net_value": {"en": "Total net value per month", "de": "Nettonutzen gesamt pro Monat"},
    "home.metric_net_value_help": {"en": "Sum of value_time + value_quality − run cost over all use cases (S15).",
                                   "de": "Summe aus value_time + value_quality − Modellbetrieb über alle Use Cases "
                                         "(S15)."},
    "home.metric_quick_wins": {"en": "Quick wins", "de": "Quick Wins"},
    "home.metric_quick_wins_help": {"en": "High value and high feasibility (S3).",
                                    "de": "Hoher Wert und hohe Machbarkeit (S3)."},
    "home.metric_gates": {"en": "Gates passed", "de": "Bestandene Gates"},
    "home.metric_gates_help": {
        "en": "Passed gates (PoC → Pilot, quality, canary, scale-or-kill, go-live compliance) over all use cases.",
        "de": "Bestandene Gates (PoC → Pilot, Qualität, Canary, Scale-or-Kill, Go-live-Compliance) über alle Use "
              "Cases.",
    },
    "home.gates_value": {"en": "{passed} of {total}", "de": "{passed} von {total}"},
    "home.use_cases_count": {"en": "{count} use cases", "de": "{count} Use Cases"},
    "home.top_title": {"en": "Top use cases by score", "de": "Top-Use-Cases nach Score"},
    "home.to_scoring": {"en": "Open the value × feasibility matrix", "de": "Zur Wert-×-Machbarkeit-Matrix"},
    "home.workspaces_title": {"en": "Workspaces", "de": "Arbeitsbereiche"},
    "home.open_workspace": {"en": "Open workspace", "de": "Arbeitsbereich öffnen"},
    "home.tab_create": {"en": "Create", "de": "Anlegen"},
    "home.tab_rename": {"en": "Rename", "de": "Umbenennen"},
    "home.tab_duplicate": {"en": "Duplicate", "de": "Duplizieren"},
    "home.new_name": {"en": "Name of the new workspace", "de": "Name des neuen Arbeitsbereichs"},
    "home.new_name_placeholder": {"en": "e.g. Customer service 2026", "de": "z. B. Kundenservice 2026"},
    "home.create": {"en": "Create workspace", "de": "Arbeitsbereich anlegen"},
    "home.created": {"en": "Workspace '{name}' created.", "de": "Arbeitsbereich '{name}' angelegt."},
    "home.rename_to": {"en": "New name", "de": "Neuer Name"},
    "home.rename": {"en": "Rename workspace", "de": "Arbeitsbereich umbenennen"},
    "home.renamed": {"en": "Workspace renamed to '{name}'.", "de": "Arbeitsbereich in '{name}' umbenannt."},
    "home.duplicate_name": {"en": "Name of the copy", "de": "Name der Kopie"},
    "home.duplicate_placeholder": {"en": "{name} (copy)", "de": "{name} (Kopie)"},
    "home.duplicate": {"en": "Duplicate workspace", "de": "Arbeitsbereich duplizieren"},
    "home.duplicated": {"en": "Copy '{name}' created and opened.", "de": "Kopie '{name}' angelegt und geöffnet."},
    "home.guide_title": {"en": "How to run a scoping workshop", "de": "So läuft ein Scoping-Workshop"},
    "home.guide_body": {
        "en": (
            "1. **Prepare (before):** invite the process owner, product owner, data steward and "
            "security/legal. Bring baseline numbers: cycle time, cost per case, error rate.\n"
            "2. **Cut the use case (20 min):** one process step, one decision point, one output type. "
            "Write down guardrails and what is out of scope. It must be decision-ready in 14 days.\n"
            "3. **KPI set with baseline (15 min):** value, quality, adoption, risk — each with a target and a "
            "measurement window. No baseline, no statement.\n"
            "4. **Score live (15 min):** set the seven inputs on *Scoring*, check the rules of thumb and look "
            "at the matrix: quick wins sit top right.\n"
            "5. **ROI live (20 min):** volume, adoption, minutes saved, cost per minute, error cost, run cost. "
            "Read the break-even adoption and test the worst case on *Sensitivity*.\n"
            "6. **Risk and data (15 min):** EU AI Act risk class, DPIA triggers, the data-readiness checklist.\n"
            "7. **Close (10 min):** RACI with exactly one A per deliverable, the next gate with a date, and the "
            "decision pack from *Export*."
        ),
        "de": (
            "1. **Vorbereiten (vorher):** Prozess-Owner, Product Owner, Data Steward und Security/Legal "
            "einladen. Baseline-Zahlen mitbringen: Durchlaufzeit, Kosten pro Fall, Fehlerquote.\n"
            "2. **Use Case schneiden (20 Min.):** ein Prozessschritt, ein Entscheidungspunkt, ein Output-Typ. "
            "Guardrails und Out-of-Scope festhalten. In 14 Tagen entscheidungsreif.\n"
            "3. **KPI-Set mit Baseline (15 Min.):** Wert, Qualität, Adoption, Risiko — jeweils mit Zielwert und "
            "Messfenster. Ohne Baseline keine Aussage.\n"
            "4. **Live scoren (15 Min.):** die sieben Eingaben unter *Scoring* setzen, Daumenregeln prüfen und "
            "die Matrix lesen: Quick Wins liegen oben rechts.\n"
            "5. **ROI live (20 Min.):** Volumen, Adoption, Minuten-Ersparnis, Kosten pro Minute, Fehlerkosten, "
            "Modellbetrieb. Break-even-Adoption ablesen und den Worst Case unter *Sensitivität* prüfen.\n"
            "6. **Risiko und Daten (15 Min.):** EU-AI-Act-Risikoklasse, DSFA-Trigger, Data-Readiness-Checkliste.\n"
            "7. **Abschluss (10 Min.):** RACI mit genau einem A pro Deliverable, nächstes Gate mit Datum und das "
            "Entscheidungspaket unter *Export*."
        ),
    },
    # Use cases
    "use_cases.title": {"en": "Use cases", "de": "Use Cases"},
    "use_cases.caption": {
        "en": "The portfolio registry (S18) and the use-case card (S1) with KPI set (S2) and RACI (S14).",
        "de": "Das Portfolio-Register (S18) und die Use-Case-Karte (S1) mit KPI-Set (S2) und RACI (S14).",
    },
    "use_cases.none": {"en": "This workspace has no use cases yet. Add one on the Use cases page.",
                       "de": "Dieser Arbeitsbereich hat noch keine Use Cases. Legen Sie einen unter Use Cases an."},
    "use_cases.registry": {"en": "Registry", "de": "Register"},
    "use_cases.search": {"en": "Search", "de": "Suche"},
    "use_cases.search_placeholder": {"en": "Name, owner or id", "de": "Name, Owner oder ID"},
    "use_cases.sort_by": {"en": "Sort by", "de": "Sortieren nach"},
    "use_cases.descending": {"en": "Descending", "de": "Absteigend"},
    "use_cases.registry_count": {"en": "{shown} of {total} use cases shown.",
                                 "de": "{shown} von {total} Use Cases angezeigt."},
    "use_cases.new_name": {"en": "New use case", "de": "Neuer Use Case"},
    "use_cases.new_name_placeholder": {"en": "e.g. Invoice matching", "de": "z. B. Rechnungsabgleich"},
    "use_cases.add": {"en": "Add use case", "de": "Use Case anlegen"},
    "use_cases.added": {"en": "Use case '{name}' added.", "de": "Use Case '{name}' angelegt."},
    "use_cases.duplicate_name": {"en": "Name of the copy", "de": "Name der Kopie"},
    "use_cases.copy_of": {"en": "{name} (copy)", "de": "{name} (Kopie)"},
    "use_cases.duplicate": {"en": "Duplicate selected", "de": "Auswahl duplizieren"},
    "use_cases.duplicated": {"en": "Copy '{name}' created.", "de": "Kopie '{name}' angelegt."},
    "use_cases.delete_hint": {"en": "Selected: {name}", "de": "Ausgewählt: {name}"},
    "use_cases.delete": {"en": "Delete selected", "de": "Auswahl löschen"},
    "use_cases.deleted": {"en": "Use case '{name}' deleted.", "de": "Use Case '{name}' gelöscht."},
    "use_cases.undo": {"en": "Undo", "de": "Rückgängig"},
    "use_cases.restored": {"en": "Use case restored.", "de": "Use Case wiederhergestellt."},
    "use_cases.editor": {"en": "Use-case card", "de": "Use-Case-Karte"},
    "use_cases.tab_card": {"en": "Card (S1)", "de": "Karte (S1)"},
    "use_cases.tab_kpis": {"en": "KPI set (S2)", "de": "KPI-Set (S2)"},
    "use_cases.tab_raci": {"en": "RACI (S14)", "de": "RACI (S14)"},
    "use_cases.timestamps": {"en": "Id {id} · created {created} · last change {updated} (UTC)",
                             "de": "ID {id} · angelegt {created} · letzte Änderung {updated} (UTC)"},
    "use_cases.kpi_help": {
        "en": "Groups value, quality, adoption, risk; each KPI with a target and a measurement window. Add rows at "
              "the bottom; select rows to delete them.",
        "de": "Gruppen Wert, Qualität, Adoption, Risiko; jede KPI mit Zielwert und Messfenster. Zeilen unten "
              "hinzufügen; markierte Zeilen löschen.",
    },
    "use_cases.raci_help": {
        "en": "Roles separated by commas. Exactly one A per deliverable.",
        "de": "Rollen durch Kommas getrennt. Genau ein A pro Deliverable.",
    },
    # Scoring
    "scoring.title": {"en": "Scoring", "de": "Scoring"},
    "scoring.caption": {
        "en": "Value × feasibility (S3): value = 0.5·cycle time + 0.3·cost + 0.2·errors; feasibility = "
              "0.4·data + 0.3·(1−integration) + 0.2·(1−compliance) + 0.1·(1−change); score = value × feasibility.",
        "de": "Wert × Machbarkeit (S3): Wert = 0,5·Durchlaufzeit + 0,3·Kosten + 0,2·Fehler; Machbarkeit = "
              "0,4·Daten + 0,3·(1−Integration) + 0,2·(1−Compliance) + 0,1·(1−Change); Score = Wert × Machbarkeit.",
    },
    "scoring.inputs_for": {"en": "Score: {name}", "de": "Score: {name}"},
    "scoring.inputs": {"en": "Inputs (S3)", "de": "Eingaben (S3)"},
    "scoring.value_inputs": {"en": "Value (higher = better)", "de": "Wert (höher = besser)"},
    "scoring.feasibility_inputs": {"en": "Feasibility (efforts and risk: higher = harder)",
                                   "de": "Machbarkeit (Aufwand und Risiko: höher = schwerer)"},
    "scoring.score_help": {"en": "Value × feasibility, between 0 and 1.",
                           "de": "Wert × Machbarkeit, zwischen 0 und 1."},
    "scoring.rank_of": {"en": "Rank {rank} of {total} by score.", "de": "Rang {rank} von {total} nach Score."},
    "scoring.matrix": {"en": "Value × feasibility matrix", "de": "Wert-×-Machbarkeit-Matrix"},
    "scoring.matrix_caption": {
        "en": "Point size = net value per month, colour = phase. Dashed lines: quick-win thresholds (value ≥ {value}, "
              "feasibility ≥ {feasibility}).",
        "de": "Punktgröße = Nettonutzen pro Monat, Farbe = Phase. Gestrichelt: Quick-Win-Schwellen (Wert ≥ {value}, "
              "Machbarkeit ≥ {feasibility}).",
    },
    "scoring.ranking": {"en": "Ranking and rank stability", "de": "Rangfolge und Rangstabilität"},
    "scoring.jitter": {"en": "Weight uncertainty (±)", "de": "Gewichts-Unsicherheit (±)"},
    "scoring.jitter_help": {
        "en": "Each weight is varied randomly by up to this share ({n} draws, groups renormalised).",
        "de": "Jedes Gewicht wird zufällig um bis zu diesen Anteil variiert ({n} Ziehungen, Gruppen normiert).",
    },
    "scoring.stay_share_help": {
        "en": "How often the use case stays in its quadrant when the weights vary by ±{jitter}.",
        "de": "Wie oft der Use Case in seinem Quadranten bleibt, wenn die Gewichte um ±{jitter} schwanken.",
    },
    "weights.title": {"en": "Weights", "de": "Gewichte"},
    "weights.caption": {"en": "Per workspace. Each group must sum to 1.",
                        "de": "Pro Arbeitsbereich. Jede Gruppe muss 1 ergeben."},
    "weights.value_group": {"en": "Value weights", "de": "Wert-Gewichte"},
    "weights.feasibility_group": {"en": "Feasibility weights", "de": "Machbarkeits-Gewichte"},
    "weights.save": {"en": "Save weights", "de": "Gewichte speichern"},
    "weights.saved": {"en": "Weights saved.", "de": "Gewichte gespeichert."},
    "weights.reset": {"en": "Reset to defaults", "de": "Auf Standard zurücksetzen"},
    "weights.reset_help": {"en": "0.5 / 0.3 / 0.2 and 0.4 / 0.3 / 0.2 / 0.1 (S3).",
                           "de": "0,5 / 0,3 / 0,2 und 0,4 / 0,3 / 0,2 / 0,1 (S3)."},
    "weights.reset_done": {"en": "Weights reset to the S3 defaults.", "de": "Gewichte auf S3-Standard zurückgesetzt."},
    "weights.error_value": {
        "en": "Value weights (cycle-time reduction, cost reduction, error reduction) must be ≥ 0 and sum to 1; "
              "they sum to {total}. Not saved.",
        "de": "Wert-Gewichte (Reduktion Durchlaufzeit, Kostenreduktion, Fehlerreduktion) müssen ≥ 0 sein und 1 "
              "ergeben; ihre Summe ist {total}. Nicht gespeichert.",
    },
    "weights.error_feasibility": {
        "en": "Feasibility weights (data availability, integration effort, compliance risk, change effort) must be "
              "≥ 0 and sum to 1; they sum to {total}. Not saved.",
        "de": "Machbarkeits-Gewichte (Datenverfügbarkeit, Integrationsaufwand, Compliance-Risiko, Change-Aufwand) "
              "müssen ≥ 0 sein und 1 ergeben; ihre Summe ist {total}. Nicht gespeichert.",
    },
    "rules.title": {"en": "Rules of thumb for a quick win (S4)", "de": "Daumenregeln für einen Quick Win (S4)"},
    "rules.body": {
        "en": (
            "| Criterion | Measured as | Quick-win rule |\n|---|---|---|\n"
            "| Data availability | coverage, freshness, access | > 12 months history, > 80 % complete |\n"
            "| Integration effort | APIs, auth, UI touchpoints | 1 system, clear interface, no legacy screen "
            "scraping |\n"
            "| Compliance risk | EU AI Act risk class, DPIA need | minimal/limited, DPIA clearly boundable |\n"
            "| Change effort | training, process change | fewer than 2 teams, no re-cut of roles |\n\n"
            "Quick wins are high value and high feasibility — not the prettiest prompt."
        ),
        "de": (
            "| Kriterium | Gemessen als | Quick-Win-Regel |\n|---|---|---|\n"
            "| Datenverfügbarkeit | Abdeckung, Aktualität, Zugriff | > 12 Monate Historie, > 80 % vollständig |\n"
            "| Integrationsaufwand | APIs, Auth, UI-Touchpoints | 1 System, klare Schnittstelle, kein "
            "Legacy-Screen-Scraping |\n"
            "| Compliance-Risiko | EU-AI-Act-Risikoklasse, DSFA-Bedarf | minimal/begrenzt, DSFA klar abgrenzbar |\n"
            "| Change-Aufwand | Schulung, Prozessänderung | weniger als 2 Teams, kein Rollen-Neuzuschnitt |\n\n"
            "Quick Wins haben hohen Wert und hohe Machbarkeit — nicht den schönsten Prompt."
        ),
    },
    # ROI
    "roi.title": {"en": "ROI", "de": "ROI"},
    "roi.caption": {
        "en": "Monthly ROI (S15): value_time = volume × adoption × minutes saved × cost per minute; value_quality = "
              "volume × adoption × error cost × error-rate reduction; ROI = (value − run cost) / run cost.",
        "de": "Monatlicher ROI (S15): value_time = Volumen × Adoption × Minuten-Ersparnis × Kosten pro Minute; "
              "value_quality = Volumen × Adoption × Fehlerkosten × Fehlerquoten-Reduktion; ROI = (Nutzen − "
              "Modellbetrieb) / Modellbetrieb.",
    },
    "roi.inputs": {"en": "Inputs (S15)", "de": "Eingaben (S15)"},
    "roi.inference": {"en": "Inference cost helper (S12)", "de": "Inferenzkosten-Rechner (S12)"},
    "roi.cost_blocks": {"en": "Cost blocks (S12)", "de": "Kostenblöcke (S12)"},
    "roi.run_cost_set": {"en": "Run cost set to {amount} per month.",
                         "de": "Modellbetrieb auf {amount} pro Monat gesetzt."},
    "roi.results": {"en": "Result: {name}", "de": "Ergebnis: {name}"},
    "roi.value_time": {"en": "Time value €/month", "de": "Zeitnutzen €/Monat"},
    "roi.value_time_help": {"en": "value_time = volume × adoption × minutes saved × cost per minute.",
                            "de": "value_time = Volumen × Adoption × Minuten-Ersparnis × Kosten pro Minute."},
    "roi.value_quality": {"en": "Quality value €/month", "de": "Qualitätsnutzen €/Monat"},
    "roi.value_quality_help": {"en": "value_quality = volume × adoption × error cost × error-rate reduction.",
                               "de": "value_quality = Volumen × Adoption × Fehlerkosten × Fehlerquoten-Reduktion."},
    "roi.net_value": {"en": "Net value €/month", "de": "Nettonutzen €/Monat"},
    "roi.net_value_help": {"en": "value_time + value_quality − run cost.",
                           "de": "value_time + value_quality − Modellbetrieb."},
    "roi.roi": {"en": "ROI per month", "de": "ROI pro Monat"},
    "roi.roi_help": {"en": "(value − run cost) / run cost.", "de": "(Nutzen − Modellbetrieb) / Modellbetrieb."},
    "roi.undefined": {"en": "ROI is undefined while the run cost is 0 €/month.",
                      "de": "Der ROI ist nicht definiert, solange der Modellbetrieb 0 €/Monat kostet."},
    "roi.step_time": {"en": "Time value", "de": "Zeitnutzen"},
    "roi.step_quality": {"en": "Quality value", "de": "Qualitätsnutzen"},
    "roi.step_gross": {"en": "Gross value", "de": "Bruttonutzen"},
    "roi.step_run_cost": {"en": "Run cost", "de": "Modellbetrieb"},
    "roi.step_net": {"en": "Net value", "de": "Nettonutzen"},
    "roi.waterfall": {"en": "From gross value to net value", "de": "Vom Brutto- zum Nettonutzen"},
    "roi.break_even": {"en": "Break-even", "de": "Break-even"},
    "roi.adoption_needed": {"en": "Adoption needed for ROI ≥ 0", "de": "Nötige Adoption für ROI ≥ 0"},
    "roi.break_even_help": {
        "en": "The value of one input at which ROI is exactly 0, all other inputs unchanged.",
        "de": "Der Wert einer Eingabe, bei dem der ROI genau 0 ist, alle anderen Eingaben unverändert.",
    },
    "roi.unreachable": {"en": "not reachable", "de": "nicht erreichbar"},
    "roi.at_least": {"en": "at least", "de": "mindestens"},
    "roi.at_most": {"en": "at most", "de": "höchstens"},
    "roi.inference_caption": {
        "en": "Tokens per request × requests per month × price per 1,000 tokens. 1,200 tokens × 200,000 requests = "
              "240 M tokens a month: a P&L topic, not a cloud topic.",
        "de": "Tokens pro Anfrage × Anfragen pro Monat × Preis pro 1.000 Tokens. 1.200 Tokens × 200.000 Anfragen = "
              "240 Mio. Tokens im Monat: ein GuV-Thema, kein Cloud-Thema.",
    },
    "roi.tokens_per_month": {"en": "Tokens per month", "de": "Tokens pro Monat"},
    "roi.inference_cost": {"en": "Inference €/month", "de": "Inferenz €/Monat"},
    "roi.use_as_run_cost": {"en": "Use {amount} as run cost", "de": "{amount} als Modellbetrieb übernehmen"},
    "roi.use_as_run_cost_help": {
        "en": "Sets the run cost to the inference cost; add platform and monitoring if they are not included.",
        "de": "Setzt den Modellbetrieb auf die Inferenzkosten; Plattform und Monitoring ggf. ergänzen.",
    },
    "roi.cost_blocks_caption": {
        "en": "Each block with its driver and metric (baseline → target) and, where known, € per month.",
        "de": "Jeder Block mit Treiber und Metrik (Baseline → Ziel) und, wo bekannt, € pro Monat.",
    },
    "roi.cost_blocks_total": {"en": "Sum of the cost blocks: {total} per month · run cost in the ROI: {run_cost}.",
                              "de": "Summe der Kostenblöcke: {total} pro Monat · Modellbetrieb im ROI: {run_cost}."},
}
