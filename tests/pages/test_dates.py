"""Dates read unambiguously (issue 13: "02/12/2026" is 2 December in Britain, 12 February in the US): the month is
a word in the app (formatting.timestamp/date, audit table, use-case card, snapshots) and in the Excel pack."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import openpyxl
import pytest
from conftest import assert_clean, open_page, shown

from core.excel import build_pack
from core.excel.names import sheet_name
from ui import formatting

MOMENT = datetime(2026, 12, 2, 14, 5, tzinfo=UTC)
MONTH_WORD = r"\d{1,2}\.? [A-ZÄÖÜa-zäöü]{3,5}\.? \d{4}"


@pytest.mark.parametrize(("language", "moment", "day"), [
    ("en", "2 Dec 2026, 14:05", "2 Dec 2026"), ("de", "2. Dez. 2026, 14:05", "2. Dez. 2026"),
])
def test_timestamp_and_date_spell_the_month(language, moment, day):
    assert formatting.timestamp(MOMENT, language) == moment
    assert formatting.date(MOMENT, language) == day
    assert formatting.date(date(2026, 12, 2), language) == day
    assert formatting.timestamp(None, language) == formatting.date(None, language) == formatting.MISSING


def test_march_and_may_in_german():
    assert formatting.date(date(2026, 3, 2), "de") == "2. März 2026"
    assert formatting.date(date(2026, 5, 2), "de") == "2. Mai 2026"


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_use_case_card_and_the_audit_table_show_the_month_as_a_word(store, sample_id, language):
    import re

    at = open_page("pages/1_Use_cases.py", language=language, use_case="support-chatbot")
    assert_clean(at)
    card = next(shown(caption.value) for caption in at.caption if "support-chatbot" in shown(caption.value))
    assert len(re.findall(MONTH_WORD, card)) == 2 and not re.search(r"\d{2}[./]\d{2}[./]\d{2}", card), card
    at = open_page("pages/9_Export.py", language=language)
    assert_clean(at)
    when = "When" if language == "en" else "Wann"
    table = next(frame.value for frame in at.dataframe if when in frame.value.columns)
    assert all(re.fullmatch(f"{MONTH_WORD}, \\d{{2}}:\\d{{2}}", value) for value in table[when]), table[when]


@pytest.mark.parametrize(("language", "header"), [("en", "2 Dec 2026, 14:05 UTC"),
                                                  ("de", "2. Dez. 2026, 14:05 UTC")])
def test_the_pack_header_and_date_cells_spell_the_month(store, sample_id, language, header):
    book = openpyxl.load_workbook(io.BytesIO(build_pack(store.load(sample_id), generated_at=MOMENT,
                                                        language=language, top_n=1)))
    assert header in book[sheet_name("Summary", language)].oddHeader.right.text
    formats = {cell.number_format for sheet in book.worksheets for row in sheet.iter_rows() for cell in row
               if getattr(cell, "is_date", False)}
    assert formats == {"d mmm yyyy hh:mm", "d mmm yyyy"}  # moments, and the Actuals sheets' measurement days
