"""A refused Excel pack in the user's language (issue 13): every problem has a code, worded in English and German
by the page, naming the sheet and the cell, with numbers in the language's notation and user text as typed."""

from __future__ import annotations

import string

import pytest
from conftest import open_page, shown
from test_pack_review import CHATBOT, INVOICES, PAGE, SAMPLE, XLSX, _edit, _first_formula, _input_cell

from core.excel import PackRejected, build_pack, read_pack
from core.excel.problems import PROBLEM_CODES, SENTENCES, PackProblem
from core.store import Store
from ui import formatting
from ui.i18n import messages, translate
from ui.views.export import field_path_label, problem_text

PROBLEM_PREFIX = "an.export.problem."
PERCENT_DE = formatting.percent(1.5, "de")  # "150 %" with a no-break space


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_problem_code_has_an_english_and_a_german_sentence() -> None:
    catalogue = messages()
    worded = {key.removeprefix(PROBLEM_PREFIX) for key in catalogue if key.startswith(PROBLEM_PREFIX)}
    assert worded == set(PROBLEM_CODES)
    for code in PROBLEM_CODES:
        texts = catalogue[PROBLEM_PREFIX + code]
        assert texts.get("en") and texts.get("de"), code
        named = _placeholders(SENTENCES[code]) | ({"percent"} if "number" in _placeholders(SENTENCES[code]) else set())
        for language in ("en", "de"):
            assert _placeholders(texts[language]) <= named, (code, language)


def test_a_problem_reads_in_german_with_sheet_cell_field_and_german_numbers() -> None:
    fraction = PackProblem("fraction_out_of_range", (("D1_support-chatbot", "B43"),), "roi.adoption", {"number": 1.5})
    assert problem_text(fraction, "de") == (
        f"Blatt „D1_support-chatbot“, Zelle B43 ({field_path_label('roi.adoption', 'de')}): 1,5 ({PERCENT_DE}) liegt "
        "außerhalb des Bereichs; ein Anteil muss zwischen 0 und 1 liegen (0 % bis 100 %).")
    assert problem_text(fraction, "en").startswith("D1_support-chatbot!B43 (Adoption): 1.5 (150%) is out of range")
    row = PackProblem("measurement_without_date", (("AC1_x", "B12"), ("AC1_x", "C12")))
    assert problem_text(row, "de") == ("Blatt „AC1_x“, Zellen B12, C12: Eine neue Messung braucht ihr Datum in der "
                                       "ersten Spalte.")
    bomb = PackProblem("archive_too_many_entries", values={"entries": 10_001, "limit": 10_000})
    assert problem_text(bomb, "de") == "Das Archiv enthält 10.001 Einträge (Grenze 10.000): als Zip-Bombe abgelehnt."
    gone = PackProblem("use_case_gone", (("D2_x", "B7"),), values={"use_case": "x"})
    assert problem_text(gone, "de", {"x": "Rechnungen *neu*"}) == ("Blatt „D2_x“, Zelle B7: Der Use Case "
                                                                   "„Rechnungen *neu*“ existiert in diesem Workspace "
                                                                   "nicht mehr.")


def test_the_english_sentence_stays_the_cli_wording(store: Store, sample_id: str) -> None:
    loaded = store.load(sample_id)
    pack = build_pack(loaded, [CHATBOT])
    adoption = _input_cell(pack, CHATBOT, "roi.adoption")
    with pytest.raises(PackRejected) as caught:
        read_pack(_edit(pack, {adoption: 1.5}), loaded)
    (problem,) = caught.value.details
    assert (problem.code, problem.values) == ("fraction_out_of_range", {"number": 1.5})
    assert str(caught.value) == problem.sentence == (f"{adoption} (roi.adoption): 1.5 is out of range; a fraction "
                                                     "must lie between 0 and 1.")


def _german_widgets(monkeypatch: pytest.MonkeyPatch) -> None:
    # AppTest formats select boxes outside the script run, where the session's language is unknown; without this
    # the German page's select boxes would fail to find their English-formatted values.
    monkeypatch.setattr("ui.i18n.language", lambda: "de")


def test_a_german_user_reads_every_bad_cell_in_german(store: Store, sample_id: str,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    _german_widgets(monkeypatch)
    loaded = store.load(sample_id)
    pack = build_pack(loaded, [CHATBOT, INVOICES], language="de")
    adoption = _input_cell(pack, CHATBOT, "roi.adoption")
    volume = _input_cell(pack, INVOICES, "roi.volume_cases_per_month")
    run_cost = _input_cell(pack, CHATBOT, "roi.run_cost_eur_per_month")
    edited = _edit(pack, {adoption: 1.5, volume: "viele *Fälle*", run_cost: None})

    at = open_page(PAGE, language="de")
    at.file_uploader[0].set_value(("finanzen.xlsx", edited, XLSX)).run()
    assert not at.exception
    text = shown(at.error[0].value)
    assert text.startswith("'finanzen.xlsx' wurde nicht eingelesen: 3 Zellen können nicht übernommen werden.")

    def place(reference: str, path: str) -> str:
        sheet, cell = reference.split("!")
        return f"Blatt „{sheet}“, Zelle {cell} ({field_path_label(path, 'de')})"

    assert (f"{place(adoption, 'roi.adoption')}: 1,5 ({PERCENT_DE}) liegt außerhalb des Bereichs; ein Anteil muss "
            "zwischen 0 und 1 liegen (0 % bis 100 %).") in text
    found = "Erwartet wurde eine Zahl, gefunden: „viele *Fälle*“."
    assert f"{place(volume, 'roi.volume_cases_per_month')}: {found}" in text
    assert f"{place(run_cost, 'roi.run_cost_eur_per_month')}: Die Eingabe ist leer; geben Sie eine Zahl ein." in text
    assert "\\*Fälle\\*" in at.error[0].value, "the cell's text is escaped once, not shown as Markdown"
    for english in ("expected a number", "out of range", "is empty", "cells cannot be read back"):
        assert english not in text


def test_a_pack_of_another_workspace_is_refused_in_german(store: Store, sample_id: str,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    _german_widgets(monkeypatch)
    loaded = store.load(sample_id)
    pack = _edit(build_pack(loaded, [CHATBOT]), {"Meta!B1": "ws-other"})
    at = open_page(PAGE, language="de")
    at.file_uploader[0].set_value(("fremd.xlsx", pack, XLSX)).run()
    assert shown(at.error[0].value) == (
        f"'fremd.xlsx' wurde nicht eingelesen: Blatt „Meta“, Zelle B1: Das Paket gehört zum Workspace „{SAMPLE}“ "
        f"(ws-other), nicht zu „{SAMPLE}“ ({sample_id}).")
    assert translate("an.export.where.cell", "en", sheet="Meta", cell="B1") == "Meta!B1"


def test_ignored_edits_show_numbers_in_german(store: Store, sample_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _german_widgets(monkeypatch)
    pack = build_pack(store.load(sample_id), [CHATBOT], language="de")
    formula = _first_formula(pack, f"E1_{CHATBOT}")  # the German Decision sheet (Entscheidung)
    edited = _edit(pack, {formula: 1234.5})
    at = open_page(PAGE, language="de")
    at.file_uploader[0].set_value(("finanzen.xlsx", edited, XLSX)).run()
    assert not at.exception
    table = next(frame.value for frame in at.dataframe if len(frame.value) == 1)
    assert table.iloc[0, 0] == formula and table.iloc[0, 2] == "1.234,5"
    assert table.iloc[0, 1].startswith("Eine Formel wurde überschrieben")


def test_a_ramp_longer_than_the_horizon_is_refused_in_german_without_pydantic_words(
        store: Store, sample_id: str) -> None:
    loaded = store.load(sample_id)
    pack = build_pack(loaded, [CHATBOT], language="de")
    ramp = _input_cell(pack, CHATBOT, "business_case.ramp_months")
    horizon = loaded.workspace.use_case(CHATBOT).business_case.horizon_months
    with pytest.raises(PackRejected) as caught:
        read_pack(_edit(pack, {ramp: horizon + 12}), loaded)
    (problem,) = caught.value.details
    assert problem.code == "changes_invalid"
    assert f"must not be longer than the horizon ({horizon} months)" in problem.sentence, "the CLI keeps the detail"
    german = problem_text(problem, "de", {CHATBOT: "Support-Chatbot"})
    assert german.endswith("Die geänderten Eingaben des Use Cases „Support-Chatbot“ sind ungültig: "
                           f"{translate('field.ramp_months', 'de')}: Die Anlaufzeit darf nicht länger sein als der "
                           "Betrachtungszeitraum.")
    assert "ramp" not in german and "horizon" not in german


def test_a_new_measurement_out_of_range_is_refused_in_german_without_pydantic_words(
        store: Store, sample_id: str) -> None:
    import openpyxl

    from core.excel.sheets.actuals import COL, FIRST_ROW
    from tests.pages.test_pack_review import io

    loaded = store.load(sample_id)
    book = openpyxl.load_workbook(io.BytesIO(build_pack(loaded, [CHATBOT], language="de")))
    row = FIRST_ROW + len(loaded.workspace.use_case(CHATBOT).measurements) + 1
    sheet = book[f"IST1_{CHATBOT}"]  # the German Actuals sheet
    sheet.cell(row, COL["day"] + 1).value = "2026-11-30"
    sheet.cell(row, COL["adoption"] + 1).value = 1.4
    edited = io.BytesIO()
    book.save(edited)
    with pytest.raises(PackRejected) as caught:
        read_pack(edited.getvalue(), loaded)
    (problem,) = caught.value.details
    assert problem.code == "measurement_invalid"
    assert "less than or equal to 1" in problem.sentence
    german = problem_text(problem, "de", {CHATBOT: "Support-Chatbot"})
    assert german.endswith("Die neue Messung des Use Cases „Support-Chatbot“ ist ungültig: "
                           f"{translate('field.adoption', 'de')}: darf höchstens 1 sein.")
    english = problem_text(problem, "en", {CHATBOT: "Support-Chatbot"})
    assert english.endswith("the new measurement of use case 'Support-Chatbot' is invalid: Adoption: may be at most 1.")
    for phrase in ("Input should", "less than", "Value error"):
        assert phrase not in german and phrase not in english
