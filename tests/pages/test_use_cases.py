"""Use cases page: registry, search, add/duplicate/delete with undo, card editor, KPI and RACI tables."""

from __future__ import annotations

import pytest
from conftest import assert_clean, open_page, shown

from core.models import with_value

PAGE = "pages/1_Use_cases.py"
CHATBOT = "support-chatbot"


def _button(at, label):
    return next(button for button in at.button if button.label == label)


def _registry(at):
    return at.dataframe[0].value


def test_registry_lists_every_use_case_with_score_and_roi(store, sample_id):
    at = open_page(PAGE)
    assert_clean(at)
    table = _registry(at)
    assert len(table) == 10
    assert {"Owner", "Phase", "Risk class", "Score", "ROI", "Next gate"} <= set(table.columns)
    chatbot = table[table["Use case"] == "Support-Chatbot für Kundenanfragen (RAG)"].iloc[0]
    assert chatbot["ROI"] == "285.4%"
    assert chatbot["Next gate"] == "Quality gates"


def test_registry_follows_the_language_and_an_edit(store, sample_id):
    assert "Use case" in _registry(open_page(PAGE)).columns
    at = open_page(PAGE, language="de")
    assert_clean(at)
    chatbot = _registry(at).set_index("Use Case").loc["Support-Chatbot für Kundenanfragen (RAG)"]
    assert chatbot["ROI"] == "285,4\xa0%" and chatbot["Nächstes Gate"] == "Qualitätsgates"
    workspace = store.load(sample_id)
    use_case = workspace.workspace.use_case(CHATBOT)
    store.save_use_case(sample_id, with_value(use_case, "roi.run_cost_eur_per_month", 0.0),
                        expected_version=workspace.versions[CHATBOT], actor="Bea")
    # A fresh session: AppTest calls the sort box's format function outside a script run, in English.
    again = open_page(PAGE, language="de")
    assert _registry(again).set_index("Use Case").loc["Support-Chatbot für Kundenanfragen (RAG)", "ROI"] == "–"


def test_search_and_sort(store):
    at = open_page(PAGE)
    at.text_input(key="w.registry.search").input("rag").run()
    assert_clean(at)
    assert set(_registry(at)["Use case"]) == {
        "Support-Chatbot für Kundenanfragen (RAG)", "Vertragsklauseln finden und vergleichen (RAG)",
    }
    at.text_input(key="w.registry.search").input("").run()
    at.selectbox(key="w.registry.sort").set_value("name").run()
    names = list(_registry(at)["Use case"])
    assert names == sorted(names)


def test_the_registry_shows_and_sorts_by_npv_with_investment_and_payback(store, sample_id):
    from core.business_case import portfolio_business_case
    from ui import formatting

    workspace = store.load(sample_id).workspace
    plans = portfolio_business_case(workspace.use_cases, workspace.default_discount_rate_per_year)
    names = {case.id: case.name for case in workspace.use_cases}
    by_npv = [names[case_id] for _, case_id in sorted(zip(plans.npv_eur.tolist(), plans.ids, strict=True),
                                                       reverse=True)]
    at = open_page(PAGE)
    at.selectbox(key="w.registry.sort").set_value("npv").run()
    at.toggle(key="w.registry.descending").set_value(True).run()
    assert_clean(at)
    table = _registry(at)
    assert list(table["Use case"]) == by_npv
    chatbot = table.set_index("Use case").loc["Support-Chatbot für Kundenanfragen (RAG)"]
    # S19 worked example: NPV 1,355,448.04 €, C0 120,000 €, payback month 6.
    assert (chatbot["NPV"], chatbot["Investment"], chatbot["Payback"]) == ("€1,355,448", "€120,000", "Month 6")
    assert table.set_index("Use case").loc[names["hr-policy-assistant"], "Payback"] == "not reached"
    assert list(table["NPV"]) == [formatting.eur(value, "en") for value in sorted(plans.npv_eur, reverse=True)]
    at.selectbox(key="w.registry.sort").set_value("payback_month").run()
    at.toggle(key="w.registry.descending").set_value(False).run()
    paybacks = list(_registry(at)["Payback"])
    assert paybacks[0] == "Month 5" and paybacks[-4:] == ["not reached"] * 4


def test_add_duplicate_delete_and_undo(store, sample_id):
    at = open_page(PAGE)
    at.text_input(key="w.registry.add_name").input("Rechnungsabgleich")
    _button(at, "Add use case").click().run()
    assert_clean(at)
    ids = {case.id for case in store.load(sample_id).workspace.use_cases}
    assert "rechnungsabgleich" in ids
    assert at.query_params["uc"] in ("rechnungsabgleich", ["rechnungsabgleich"])

    at.text_input(key="w.registry.duplicate_name").input("Rechnungsabgleich B")
    _button(at, "Duplicate selected").click().run()
    assert_clean(at)
    copy = store.load(sample_id).workspace.use_case("rechnungsabgleich-b")
    assert copy.name == "Rechnungsabgleich B"

    _button(at, "Delete selected").click().run()
    assert "rechnungsabgleich-b" not in store.load(sample_id).versions
    assert any("deleted" in warning.value for warning in at.warning)
    _button(at, "Undo").click().run()
    assert_clean(at)
    assert "rechnungsabgleich-b" in store.load(sample_id).versions


def test_editing_a_card_field_saves_at_once_with_the_actor(store, sample_id):
    at = open_page(PAGE, use_case=CHATBOT)
    at.text_input(key="w.sidebar.actor").input("Dana").run()
    at.text_input(key=f"w.uc.{CHATBOT}.owner").input("Neue Leitung").run()
    assert_clean(at)
    assert store.load(sample_id).workspace.use_case(CHATBOT).owner == "Neue Leitung"
    entry = store.audit(sample_id, CHATBOT, limit=1)[0]
    assert (entry.actor, entry.field_path) == ("Dana", "owner")
    at.selectbox(key=f"w.uc.{CHATBOT}.phase").set_value("production").run()
    assert store.load(sample_id).workspace.use_case(CHATBOT).phase == "production"


def test_blank_name_is_rejected_naming_the_field(store, sample_id):
    at = open_page(PAGE, use_case=CHATBOT)
    at.text_input(key=f"w.uc.{CHATBOT}.name").input("   ").run()
    assert not at.exception
    assert at.error and shown(at.error[0].value).startswith("Name: must show at least one visible character")
    assert store.load(sample_id).workspace.use_case(CHATBOT).name.startswith("Support-Chatbot")


def test_raci_needs_exactly_one_accountable_per_deliverable(store, sample_id):
    at = open_page(PAGE, use_case=CHATBOT)
    version = store.load(sample_id).versions[CHATBOT]
    at.session_state[f"w.uc.{CHATBOT}.raci.v{version}"] = {
        "edited_rows": {0: {"accountable": "PO, Ops"}}, "added_rows": [], "deleted_rows": [],
    }
    at.run()
    assert not at.exception
    assert any("'Use case + KPI set'" in error.value and "exactly one A" in error.value for error in at.error)
    assert store.load(sample_id).workspace.use_case(CHATBOT).raci[0].accountable == ("PO",)


def test_kpi_edit_is_saved(store, sample_id):
    at = open_page(PAGE, use_case=CHATBOT)
    version = store.load(sample_id).versions[CHATBOT]
    at.session_state[f"w.uc.{CHATBOT}.kpi_set.v{version}"] = {
        "edited_rows": {0: {"target_value": -35.0}}, "added_rows": [], "deleted_rows": [],
    }
    at.run()
    assert_clean(at)
    assert store.load(sample_id).workspace.use_case(CHATBOT).kpi_set[0].target_value == -35.0


def test_edits_of_different_fields_by_two_people_are_merged(store, sample_id):
    """Issue 13: Kim's owner and my users text both stay (it was refused and my text thrown away before)."""
    at = open_page(PAGE, use_case=CHATBOT)
    loaded = store.load(sample_id)
    theirs = with_value(loaded.workspace.use_case(CHATBOT), "owner", "Von Kim geändert")
    store.save_use_case(sample_id, theirs, loaded.versions[CHATBOT], "Kim")
    at.text_area(key=f"w.uc.{CHATBOT}.users").input("Meine Änderung").run()
    assert_clean(at)
    assert not at.warning
    current = store.load(sample_id).workspace.use_case(CHATBOT)
    assert current.owner == "Von Kim geändert" and current.users == "Meine Änderung"
    assert at.text_input(key=f"w.uc.{CHATBOT}.owner").value == "Von Kim geändert"


def test_a_same_field_conflict_names_the_person_and_the_use_case_and_keeps_my_text(store, sample_id):
    at = open_page(PAGE, use_case=CHATBOT)
    loaded = store.load(sample_id)
    theirs = with_value(loaded.workspace.use_case(CHATBOT), "users", "Kims Text")
    store.save_use_case(sample_id, theirs, loaded.versions[CHATBOT], "Kim")
    at.text_area(key=f"w.uc.{CHATBOT}.users").input("Meine Änderung").run()
    assert not at.exception
    [warning] = [shown(item.value) for item in at.warning]
    assert "Kim" in warning and theirs.name in warning and CHATBOT not in warning, warning
    assert "Meine Änderung" in shown(" ".join(item.value for item in at.markdown))
    assert store.load(sample_id).workspace.use_case(CHATBOT).users == "Kims Text"
    at.button(key=f"w.draft.apply.{CHATBOT}").click().run()
    assert store.load(sample_id).workspace.use_case(CHATBOT).users == "Meine Änderung"


def test_picker_keeps_the_selection_across_page_switches(store):
    """Regression: the picker is a new widget on every page; it must show the selected use case, not the first."""
    picker = "w.picker.use_case"
    at = open_page("pages/4_ROI.py")
    at.selectbox(key=picker).set_value("supplier-risk-scoring").run()
    for page in (PAGE, "pages/4_ROI.py", "pages/2_Scoring.py"):
        at.switch_page(page)
        at.run()
        assert_clean(at)
        shown = at.selectbox(key=picker)
        assert shown.value == "supplier-risk-scoring", page
        assert shown.proto.raw_value == "Lieferantenrisiko-Scoring", page


def test_a_new_id_transliterates_umlauts_and_stored_ids_stay(store, sample_id):
    before = {case.id for case in store.load(sample_id).workspace.use_cases}
    at = open_page(PAGE)
    at.text_input(key="w.registry.add_name").input("Gesprächszusammenfassung")
    _button(at, "Add use case").click().run()
    assert_clean(at)
    after = {case.id for case in store.load(sample_id).workspace.use_cases}
    assert after - before == {"gespraechszusammenfassung"}
    at.text_input(key="w.registry.duplicate_name").input("Gesprächszusammenfassung für Ärzte")
    _button(at, "Duplicate selected").click().run()
    assert store.load(sample_id).workspace.use_case("gespraechszusammenfassung-fuer-aerzte")


@pytest.mark.parametrize(("language", "query", "expected"), [
    ("en", "rechtsberatung", {"Support-Chatbot für Kundenanfragen (RAG)",
                              "Vertragsklauseln finden und vergleichen (RAG)"}),  # guardrails only
    ("en", "syndikusanwälte", {"Vertragsklauseln finden und vergleichen (RAG)"}),  # users only
    ("en", "feldgenauigkeit", {"Eingangsrechnungen: Extraktion der Rechnungsdaten"}),  # a KPI name only
])
def test_the_search_covers_every_text_field_of_the_card(store, language, query, expected):
    at = open_page(PAGE, language=language)
    at.text_input(key="w.registry.search").input(query).run()
    assert_clean(at)
    column = "Use case" if language == "en" else "Use Case"
    assert set(_registry(at)[column]) == expected


def test_the_search_finds_a_phase_as_the_user_reads_it(store, sample_id):
    pilots = {case.name for case in store.load(sample_id).workspace.use_cases if case.phase == "pilot"}
    at = open_page(PAGE)
    at.text_input(key="w.registry.search").input("pilot").run()
    assert pilots and pilots <= set(_registry(at)["Use case"])


def test_incomplete_kpi_rows_are_kept_as_a_draft_and_flagged_per_row_never_dropped(store, sample_id):
    """Issue 13: four KPI rows with an empty Target showed, one was stored, the rest vanished without a word."""
    at = open_page(PAGE, use_case=CHATBOT)
    stored = store.load(sample_id).workspace.use_case(CHATBOT).kpi_set
    version = store.load(sample_id).versions[CHATBOT]
    at.session_state[f"w.uc.{CHATBOT}.kpi_set.v{version}"] = {
        "edited_rows": {}, "deleted_rows": [],
        "added_rows": [{"group": "value", "name": "AHT", "target_value": 4.0},
                       {"group": "quality", "name": "CSAT"},
                       {"group": "adoption", "name": "Nutzungsquote"},
                       {"group": "risk", "name": "Beschwerden", "unit": "%"}],
    }
    at.run()
    assert not at.exception and not at.error, [item.value for item in at.error]
    kpis = store.load(sample_id).workspace.use_case(CHATBOT).kpi_set
    assert [kpi.name for kpi in kpis] == [*(kpi.name for kpi in stored), "AHT"]
    [warning] = [shown(item.value) for item in at.warning]
    first = len(kpis) + 1
    for offset, name in enumerate(("CSAT", "Nutzungsquote", "Beschwerden")):
        assert f'KPIs, row {first + offset} ("{name}"): Target is empty.' in warning, warning
    at.run()
    assert len([item for item in at.warning if "CSAT" in item.value]) == 1

    version = store.load(sample_id).versions[CHATBOT]
    editor_key = f"w.uc.{CHATBOT}.kpi_set.v{version}.d1"
    at.session_state[editor_key] = {"edited_rows": {len(kpis): {"target_value": 90.0}}, "added_rows": [],
                                    "deleted_rows": []}
    at.run()
    kpis = store.load(sample_id).workspace.use_case(CHATBOT).kpi_set
    assert [kpi.name for kpi in kpis][-2:] == ["AHT", "CSAT"] and kpis[-1].target_value == 90.0
    [warning] = [shown(item.value) for item in at.warning]
    assert "CSAT" not in warning and "Nutzungsquote" in warning and "Beschwerden" in warning


def test_incomplete_kpi_rows_kept_as_a_draft_survive_a_reload_for_their_typist(store, sample_id):
    at = open_page(PAGE, use_case=CHATBOT)
    version = store.load(sample_id).versions[CHATBOT]
    at.session_state[f"w.uc.{CHATBOT}.kpi_set.v{version}"] = {
        "edited_rows": {}, "deleted_rows": [], "added_rows": [{"group": "quality", "name": "CSAT"}]}
    at.run()
    assert [draft.slot for draft in store.drafts_for(sample_id, "anonymous", slot="table.kpi_set")] == [
        "table.kpi_set"]
    reloaded = open_page(PAGE, use_case=CHATBOT)
    assert not reloaded.exception
    assert any("CSAT" in shown(item.value) for item in reloaded.warning), [item.value for item in reloaded.warning]


def test_a_german_kpi_target_takes_a_decimal_comma_and_an_unreadable_one_is_kept_as_a_draft(store, sample_id):
    at = open_page(PAGE, language="de", use_case=CHATBOT)
    stored = store.load(sample_id).workspace.use_case(CHATBOT).kpi_set
    version = store.load(sample_id).versions[CHATBOT]
    at.session_state[f"w.uc.{CHATBOT}.kpi_set.v{version}"] = {
        "edited_rows": {0: {"target_value": "-2,5"}}, "deleted_rows": [],
        "added_rows": [{"group": "value", "name": "Durchlaufzeit", "target_value": "2.5"}],
    }
    at.run()
    assert not at.exception and not at.error
    kpis = store.load(sample_id).workspace.use_case(CHATBOT).kpi_set
    assert kpis[0].target_value == -2.5 and len(kpis) == len(stored)
    [warning] = [shown(item.value) for item in at.warning]
    assert f'KPIs, Zeile {len(kpis) + 1} („Durchlaufzeit“): Zielwert' in warning and "meinten Sie 2,5" in warning
