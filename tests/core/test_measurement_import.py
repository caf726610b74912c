"""S22 measurement import: a monitoring export read by the bounded S7 reader, mapped column by column, validated
as a whole with every problem naming the file's row and column; nothing is returned unless every row is valid."""

from datetime import date
from io import BytesIO

import openpyxl
import pytest

from core.measurement_import import column_notation, measurements_from_table, parse_day, parse_number, suggest_mapping
from core.profiling import TableReadError, read_table

CSV = (
    b"Datum;Gemessen von;Quelle;Adoption;Minuten;Laufkosten;p95\n"
    b"31.03.2026;Ops;Monitoring;0,48;2,2;18200;910\n"
    b"2028-02-29;Ops;Monitoring;0,5;;18500;\n"
)
def _export(data: bytes, filename: str):
    """A CSV as the Gates page reads it: every cell as its text, for the import to read in its notation."""
    return read_table(data, filename, csv_as_text=True)


MAPPING = {"measured_on": "Datum", "measured_by": "Gemessen von", "source": "Quelle", "adoption": "Adoption",
           "minutes_saved_per_case": "Minuten", "run_cost_eur_per_month": "Laufkosten", "p95_latency_ms": "p95"}


def test_a_german_csv_becomes_measurements():
    result = measurements_from_table(_export(CSV, "export.csv"), MAPPING)
    assert result.valid and result.rows == 2
    first, second = result.measurements
    assert (first.measured_on, first.adoption, first.minutes_saved_per_case) == (date(2026, 3, 31), 0.48, 2.2)
    assert first.run_cost_eur_per_month == 18_200 and first.gate_metrics.p95_latency_ms == 910
    assert (first.measured_by, first.source) == ("Ops", "Monitoring")
    assert second.measured_on == date(2028, 2, 29)  # leap day
    assert second.minutes_saved_per_case is None and second.gate_metrics.p95_latency_ms is None  # empty = not measured


def test_every_problem_names_row_and_column_and_nothing_is_returned():
    bad = (
        b"Datum;Adoption;p95\n"
        b"31.03.2026;0,48;910\n"
        b";0,5;900\n"  # row 3: no date
        b"31.02.2026;0,5;900\n"  # row 4: no such day
        b"01.04.2026;1,4;viel\n"  # row 5: adoption > 1, p95 not a number
    )
    result = measurements_from_table(_export(bad, "bad.csv"),
                                     {"measured_on": "Datum", "adoption": "Adoption", "p95_latency_ms": "p95"})
    assert not result.valid and result.measurements == ()
    found = {(problem.row, problem.column, problem.code) for problem in result.problems}
    # Row 5 has two problems, both reported in the one pass: the unreadable p95 and the adoption above 1.
    assert found == {(3, "Datum", "missing_date"), (4, "Datum", "bad_date"), (5, "p95", "bad_number"),
                     (5, "Adoption", "too_large")}
    clean = b"Datum;Adoption\n01.04.2026;1,4\n01.05.2026;-0,1\n"
    problems = measurements_from_table(_export(clean, "c.csv"), {"measured_on": "Datum", "adoption": "Adoption"})
    assert [(p.row, p.column, p.field, p.code, p.limit) for p in problems.problems] == [
        (2, "Adoption", "adoption", "too_large", 1.0), (3, "Adoption", "adoption", "too_small", 0.0)]


def test_a_mapping_without_a_date_column_is_refused():
    result = measurements_from_table(_export(CSV, "export.csv"), {"adoption": "Adoption"})
    assert [problem.code for problem in result.problems] == ["no_date_column"]


def test_xlsx_with_real_dates_and_a_suggested_mapping():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Measured on", "Adoption", "Canary enabled"])
    sheet.append([date(2026, 1, 31), 0.3, "ja"])
    sheet.append([date(2026, 2, 28), 0.35, "no"])
    data = BytesIO()
    book.save(data)
    frame = read_table(data.getvalue(), "monitoring.xlsx")
    mapping = suggest_mapping(list(frame.columns), {"canary_enabled": ("Canary enabled",)})
    assert mapping["measured_on"] == "Measured on" and mapping["adoption"] == "Adoption"
    result = measurements_from_table(frame, mapping)
    assert result.valid
    assert [item.measured_on for item in result.measurements] == [date(2026, 1, 31), date(2026, 2, 28)]
    assert [item.gate_metrics.canary_enabled for item in result.measurements] == [True, False]


def test_the_reader_stays_bounded():
    with pytest.raises(TableReadError, match="limit"):
        read_table(b"a;b\n" + b"1;2\n" * (21 * 1024 * 1024 // 4), "huge.csv")


@pytest.mark.parametrize(("text", "notation", "expected"), [
    ("2,4", "en", 2.4), ("1.234,5", "en", 1234.5), ("2.4", "de", 2.4), ("1.234.567", "en", 1234567),
    ("1,234,567", "de", 1234567), ("1,234.5", "de", 1234.5), ("18 200", "de", 18200),
    ("50.000", "de", 50000), ("50.000", "en", 50.0), ("1,234", "de", 1.234), ("1,234", "en", 1234),
    ("50.000", None, None), ("2,4", None, 2.4), ("910", None, 910), ("abc", "de", None), ("nan", "en", None),
    ("0.480", "de", 0.48), ("0,125", "en", 0.125), ("0.480", None, 0.48)])
def test_numbers_in_either_notation(text, notation, expected):
    # A text with one separator before exactly three digits means two numbers; the column's notation decides.
    assert parse_number(text, notation) == expected


def test_a_column_proves_its_notation_or_takes_the_users():
    assert column_notation(["50.000", "0,5"], "en") == "de"
    assert column_notation(["50.000", "0.5"], "de") == "en"
    assert column_notation(["50.000", "18.200", 910], "de") == "de"
    assert column_notation(["50.000", 910], "en") == "en"
    assert column_notation(["0,5", "0.5"], "de") is None


def test_german_thousands_in_a_german_export_are_thousands():
    export = b"Datum;Fallzahl;Laufkosten\n31.03.2026;50.000;18.200\n30.04.2026;52.500;18.450\n"
    mapping = {"measured_on": "Datum", "volume_cases_per_month": "Fallzahl", "run_cost_eur_per_month": "Laufkosten"}
    german = measurements_from_table(_export(export, "export.csv"), mapping, "de")
    assert [(item.volume_cases_per_month, item.run_cost_eur_per_month) for item in german.measurements] == [
        (50_000, 18_200), (52_500, 18_450)]
    # A column whose cells prove the decimal point reads "18.200" as 18.2 whoever imports it.
    pointed = b"Datum;Laufkosten\n31.03.2026;18.200\n30.04.2026;18.45\n"
    english = measurements_from_table(_export(pointed, "export.csv"), {"measured_on": "Datum",
                                                                          "run_cost_eur_per_month": "Laufkosten"}, "de")
    assert [item.run_cost_eur_per_month for item in english.measurements] == [18.2, 18.45]


def test_a_column_mixing_notations_refuses_the_cells_that_could_mean_two_numbers():
    mixed = b"Datum;Laufkosten\n31.03.2026;18.200\n30.04.2026;18,45\n31.05.2026;18.5\n"
    result = measurements_from_table(_export(mixed, "mixed.csv"), {"measured_on": "Datum",
                                                                      "run_cost_eur_per_month": "Laufkosten"}, "de")
    assert not result.valid
    assert [(problem.row, problem.column, problem.code, problem.value) for problem in result.problems] == [
        (2, "Laufkosten", "ambiguous_number", "18.200")]


def test_days():
    assert parse_day("31.12.2026") == date(2026, 12, 31)
    assert parse_day("2026-12-31") == date(2026, 12, 31)
    assert parse_day("29.02.2026") is None
