"""One verdict (docs/VERDICTS.md): Home, Use cases, Gates, Sensitivity and the Excel Decision sheet show the same
status sentence for every sample use case, in English and German."""

from __future__ import annotations

import io

import openpyxl
import pytest

from core import verdict
from core.excel import build_pack
from core.excel.names import decision_sheet_name
from core.store import Store
from tests.pages.conftest import open_page, shown

PICKER = "w.picker.use_case"


def _expected(store: Store, sample_id: str, language: str) -> dict[str, str]:
    workspace = store.load(sample_id).workspace
    return {case.id: verdict.status_sentence(verdict.use_case_status(case, workspace.thresholds), language)
            for case in workspace.use_cases}


def _status_infos(at) -> list[str]:
    return [shown(item.value).split(":** ", 1)[1] for item in at.info if item.value.startswith("**Status")]


@pytest.mark.parametrize("language", ["en", "de"])
def test_every_page_and_the_excel_pack_agree_on_the_status(store: Store, sample_id: str, language: str) -> None:
    expected = _expected(store, sample_id, language)
    names = {case.id: case.name for case in store.load(sample_id).workspace.use_cases}
    assert len(set(expected.values())) >= 4  # the sample covers stopped, waiting, scale and not a scale candidate

    for page in ("pages/7_Gates.py", "pages/6_Sensitivity.py", "pages/1_Use_cases.py"):
        at = open_page(page, language=language)
        for use_case_id, sentence in expected.items():
            at.selectbox(key=PICKER).set_value(use_case_id).run()
            assert not at.exception, page
            assert _status_infos(at) == [sentence], (page, use_case_id)
    registry = at.dataframe[0].value
    assert dict(zip(registry.iloc[:, 1], registry["Status"], strict=True)) == {
        names[use_case_id]: sentence for use_case_id, sentence in expected.items()}

    home = open_page(language=language)
    listed = next(shown(item.value) for item in home.markdown if "\n- **" in item.value)
    lines = listed.split("\n")[2:]
    assert len(lines) == 5
    by_name = {names[use_case_id]: sentence for use_case_id, sentence in expected.items()}
    for line in lines:
        name, sentence = line.removeprefix("- **").split(":** ", 1)
        assert by_name[name] == sentence

    pack = build_pack(store.load(sample_id), use_case_ids=list(expected), language=language)
    book = openpyxl.load_workbook(io.BytesIO(pack))
    label = "Status (as exported)" if language == "en" else "Status (beim Export)"
    for ordinal, (use_case_id, sentence) in enumerate(expected.items(), start=1):
        sheet = book[decision_sheet_name(ordinal, use_case_id, language)]
        row = next(cell.row for cell in sheet["A"] if cell.value == label)
        assert sheet[f"B{row}"].value == sentence, use_case_id
