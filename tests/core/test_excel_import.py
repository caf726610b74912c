import io
import os
import re
import zipfile

import openpyxl
import openpyxl.xml
import pytest

from core.excel import FieldChange, PackRejected, build_pack, read_pack, reader, updated_use_case
from core.store import LoadedWorkspace
from tests.core.excel_oracle import make_loaded, make_use_case, scaled_scoring

SHEET = "D1_uc-a"


@pytest.fixture(scope="module")
def loaded():
    return make_loaded([make_use_case("uc-a"), make_use_case("uc-b", scoring=scaled_scoring(0.01))], version=4)


@pytest.fixture(scope="module")
def pack(loaded):
    return build_pack(loaded, top_n=1)


@pytest.fixture(scope="module")
def input_cells(pack):
    book = openpyxl.load_workbook(io.BytesIO(pack))
    return {(row[8].value, row[9].value): row[11].value for row in book["Meta"].iter_rows(min_row=2) if row[8].value}


def _edit(pack: bytes, changes: dict[str, object]) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(pack))
    for reference, value in changes.items():
        sheet, coordinate = reference.split("!")
        book[sheet][coordinate].value = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _rezip(pack: bytes, replace: dict[str, bytes] | None = None, drop: tuple[str, ...] = (),
           add: dict[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(pack)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename in drop:
                continue
            target.writestr(item.filename, (replace or {}).get(item.filename, source.read(item.filename)))
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def _sheet_part(pack: bytes, sheet: str) -> str:
    with zipfile.ZipFile(io.BytesIO(pack)) as archive:
        workbook = archive.read("xl/workbook.xml").decode()
        relations = archive.read("xl/_rels/workbook.xml.rels").decode()
    relation = re.search(rf'<sheet name="{re.escape(sheet)}" sheetId="\d+"(?: state="\w+")? r:id="(rId\d+)"',
                         workbook).group(1)
    return "xl/" + re.search(rf'Id="{relation}" Type="[^"]+" Target="([^"]+)"', relations).group(1)


def test_openpyxl_parses_with_defusedxml():
    assert openpyxl.xml.DEFUSEDXML is True


def test_unchanged_pack_gives_an_empty_diff(pack, loaded):
    diff = read_pack(pack, loaded)
    assert diff.changes == () and diff.is_empty
    assert diff.stale_use_cases == ()
    assert diff.workspace_id == "ws-test"
    assert diff.exported_versions == {"uc-a": 4, "uc-b": 4}


def test_edited_inputs_come_back_as_field_changes(pack, loaded, input_cells):
    adoption = input_cells["uc-a", "roi.adoption"]
    data_availability = input_cells["uc-a", "scoring.data_availability"]
    worst_run_cost = input_cells["uc-a", "scenarios.0.run_cost_eur_per_month"]
    best_adoption = input_cells["uc-a", "scenarios.2.adoption"]
    edited = _edit(pack, {f"{SHEET}!{adoption}": 0.5, f"{SHEET}!{data_availability}": 0.25,
                          f"{SHEET}!{worst_run_cost}": 20_000, f"{SHEET}!{best_adoption}": None})
    diff = read_pack(edited, loaded)
    assert set(diff.changes) == {
        FieldChange("uc-a", "roi.adoption", 0.62, 0.5, f"{SHEET}!{adoption}"),
        FieldChange("uc-a", "scoring.data_availability", 0.8, 0.25, f"{SHEET}!{data_availability}"),
        FieldChange("uc-a", "scenarios.0.run_cost_eur_per_month", None, 20_000.0, f"{SHEET}!{worst_run_cost}"),
        FieldChange("uc-a", "scenarios.2.adoption", 0.85, None, f"{SHEET}!{best_adoption}"),
    }
    updated = updated_use_case(loaded.workspace.use_case("uc-a"),
                               {change.field_path: change.new for change in diff.changes})
    assert updated.roi.adoption == 0.5 and updated.scenarios[2].adoption is None
    assert updated.scenarios[0].run_cost_eur_per_month == 20_000


def test_store_versions_newer_than_the_pack_are_reported_as_stale(pack, loaded):
    newer = LoadedWorkspace(loaded.id, loaded.workspace, {"uc-a": 5, "uc-b": 4})
    assert read_pack(pack, newer).stale_use_cases == ("uc-a",)


def test_a_value_changed_in_the_store_but_not_in_the_pack_is_not_reverted(pack, loaded):
    changed = updated_use_case(loaded.workspace.use_case("uc-a"), {"roi.adoption": 0.7})
    workspace = loaded.workspace.model_copy(update={"use_cases": (changed, loaded.workspace.use_cases[1])})
    diff = read_pack(pack, LoadedWorkspace(loaded.id, workspace, {"uc-a": 5, "uc-b": 4}))
    assert diff.changes == () and diff.stale_use_cases == ("uc-a",)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("roi.adoption", 1.5, r"D1_uc-a!B\d+ \(roi.adoption\): 1.5 is out of range; a fraction must lie between 0 and 1"),
    ("scoring.compliance_risk", -0.1, r"D1_uc-a!B\d+ \(scoring.compliance_risk\): -0.1 is out of range"),
    ("roi.run_cost_eur_per_month", -5, r"D1_uc-a!B\d+ \(roi.run_cost_eur_per_month\): -5 is out of range"),
    ("roi.volume_cases_per_month", "lots", r"D1_uc-a!B\d+ \(roi.volume_cases_per_month\): expected a number"),
    ("roi.adoption", True, r"D1_uc-a!B\d+ \(roi.adoption\): expected a number"),
    ("roi.adoption", None, r"D1_uc-a!B\d+ \(roi.adoption\): the input is empty"),
    ("scenarios.0.adoption", "=1/0", r"D1_uc-a!\w+ \(scenarios.0.adoption\): a formula where an input is expected"),
])
def test_bad_inputs_are_refused_naming_sheet_and_cell(pack, loaded, input_cells, field, value, message):
    edited = _edit(pack, {f"{SHEET}!{input_cells['uc-a', field]}": value})
    with pytest.raises(PackRejected, match=message):
        read_pack(edited, loaded)


def test_a_formula_with_a_stored_value_is_read_as_that_value(pack, loaded, input_cells):
    coordinate = input_cells["uc-a", "roi.adoption"]
    part = _sheet_part(pack, SHEET)
    with zipfile.ZipFile(io.BytesIO(pack)) as archive:
        xml = archive.read(part).decode()
    cell = re.search(rf'<c r="{coordinate}"( s="\d+")?><v>0.62</v></c>', xml)
    xml = xml.replace(cell.group(0), f'<c r="{coordinate}"{cell.group(1)}><f>0.2+0.3</f><v>0.5</v></c>')
    diff = read_pack(_rezip(pack, {part: xml.encode()}), loaded)
    assert [(change.field_path, change.new) for change in diff.changes] == [("roi.adoption", 0.5)]


def test_a_pack_of_another_workspace_is_refused(pack, loaded):
    other = LoadedWorkspace("ws-other", loaded.workspace, loaded.versions)
    with pytest.raises(PackRejected, match=r"Meta!B1: the pack belongs to workspace 'ws-test'"):
        read_pack(pack, other)


def test_missing_or_renamed_sheets_are_refused(pack, loaded):
    book = openpyxl.load_workbook(io.BytesIO(pack))
    book[SHEET].title = "Renamed"
    renamed = io.BytesIO()
    book.save(renamed)
    with pytest.raises(PackRejected, match=r"Sheet 'D1_uc-a' is missing or was renamed"):
        read_pack(renamed.getvalue(), loaded)
    book = openpyxl.load_workbook(io.BytesIO(pack))
    del book["Assumptions"]
    removed = io.BytesIO()
    book.save(removed)
    with pytest.raises(PackRejected, match=r"Sheet 'Assumptions' is missing"):
        read_pack(removed.getvalue(), loaded)
    book = openpyxl.load_workbook(io.BytesIO(pack))
    del book["Meta"]
    removed = io.BytesIO()
    book.save(removed)
    with pytest.raises(PackRejected, match=r"Sheet 'Meta' is missing"):
        read_pack(removed.getvalue(), loaded)


def test_an_edited_meta_sheet_is_refused(pack, loaded):
    with pytest.raises(PackRejected, match=r"Meta!B7: content hash does not match"):
        read_pack(_edit(pack, {"Meta!M2": "0.123"}), loaded)
    with pytest.raises(PackRejected, match=r"Meta!B7: content hash does not match"):
        read_pack(_edit(pack, {"Meta!K2": "Summary"}), loaded)
    with pytest.raises(PackRejected, match=r"Meta!M2: 'lots' is not a number"):
        read_pack(_edit(pack, {"Meta!M2": "lots"}), loaded)


@pytest.mark.parametrize("data", [b"", b"just text, not a workbook", b"%PDF-1.4\n" + bytes(200)])
def test_non_zip_files_are_refused(loaded, data):
    with pytest.raises(PackRejected, match="not an xlsx"):
        read_pack(data, loaded)


def test_a_zip_without_content_types_is_refused(loaded):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(PackRejected, match=r"not an xlsx workbook \(no \[Content_Types\].xml\)"):
        read_pack(out.getvalue(), loaded)


def test_macro_enabled_files_are_refused(pack, loaded):
    with pytest.raises(PackRejected, match=r"contains macros \(xl/vbaProject.bin\)"):
        read_pack(_rezip(pack, add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 fake ole"}), loaded)
    with zipfile.ZipFile(io.BytesIO(pack)) as archive:
        types = archive.read("[Content_Types].xml").decode()
    macro_types = types.replace("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                                "application/vnd.ms-excel.sheet.macroEnabled.main+xml")
    assert macro_types != types
    with pytest.raises(PackRejected, match="macro-enabled"):
        read_pack(_rezip(pack, {"[Content_Types].xml": macro_types.encode()}), loaded)


def test_zip_bombs_are_refused_before_parsing(pack, loaded, monkeypatch):
    bomb = _rezip(pack, add={"xl/media/bomb.bin": bytes(8 * 1024 * 1024)})
    with pytest.raises(PackRejected, match=r"xl/media/bomb.bin compresses [\d,]+:1 .*zip bomb"):
        read_pack(bomb, loaded)
    many = _rezip(pack, add={f"xl/extra/{i}.xml": b"" for i in range(reader.MAX_ENTRIES)})
    with pytest.raises(PackRejected, match=r"holds 10,0\d\d entries .*zip bomb"):
        read_pack(many, loaded)
    monkeypatch.setattr(reader, "MAX_TOTAL_UNCOMPRESSED_BYTES", 3 * 1024 * 1024)
    large = _rezip(pack, add={f"xl/media/noise{i}.bin": os.urandom(1024 * 1024) for i in range(3)})
    with pytest.raises(PackRejected, match=r"unpacks to [\d,]+ bytes .*zip bomb"):
        read_pack(large, loaded)
    monkeypatch.setattr(reader, "openpyxl", None)
    with pytest.raises(PackRejected, match="zip bomb"):
        read_pack(bomb, loaded)


@pytest.mark.parametrize("declaration", [
    '<!DOCTYPE lolz [<!ENTITY lol "lol">]>',
    '<!ENTITY xxe SYSTEM "file:///etc/passwd">',
    "<!doctype x>",
])
def test_xml_with_doctype_or_entity_declarations_is_refused(pack, loaded, declaration, monkeypatch):
    part = _sheet_part(pack, SHEET)
    with zipfile.ZipFile(io.BytesIO(pack)) as archive:
        xml = archive.read(part).decode()
    head, body = xml.split("?>", 1)
    evil = _rezip(pack, {part: f"{head}?>{declaration}{body}".encode()})
    monkeypatch.setattr(reader, "openpyxl", None)
    with pytest.raises(PackRejected, match=rf"{re.escape(part)} declares a DOCTYPE or ENTITY"):
        read_pack(evil, loaded)


def test_utf16_encoded_declarations_are_found(pack, loaded):
    text = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY a "b">]><x/>'
    evil = _rezip(pack, add={"xl/custom.xml": b"\xff\xfe" + text.encode("utf-16-le")})
    with pytest.raises(PackRejected, match=r"xl/custom\.xml declares a DOCTYPE or ENTITY"):
        read_pack(evil, loaded)


def test_the_pack_is_accepted_after_a_save_in_another_tool(pack, loaded):
    resaved = _edit(pack, {})
    assert read_pack(resaved, loaded).changes == ()


def test_german_pack_reads_back_like_the_english_one(loaded, input_cells):
    german = build_pack(loaded, top_n=1, language="de")
    assert read_pack(german, loaded).is_empty
    sheet = "E1_uc-a"  # the Decision sheet's German name (Entscheidung)
    edited = _edit(german, {f"{sheet}!{input_cells['uc-a', 'roi.adoption']}": 0.5})
    assert read_pack(edited, loaded).changes == (
        FieldChange("uc-a", "roi.adoption", 0.62, 0.5, f"{sheet}!{input_cells['uc-a', 'roi.adoption']}"),)
