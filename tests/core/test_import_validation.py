"""Malformed workspace files are refused with clear, located errors and leave the database untouched."""

import json
import re
import uuid
from datetime import UTC, datetime

import pytest

from core.models import SCHEMA_VERSION, RoiInputs, ScoringInputs, UseCase, Workspace
from core.store import MAX_IMPORT_BYTES, ImportRejected, Store, canonical_json, parse_workspace_json
from tests.core.conftest import DATABASES, database_urls


@pytest.fixture(scope="module", params=DATABASES)
def store(request, tmp_path_factory):
    for url in database_urls(request.param, tmp_path_factory.mktemp("import")):
        store = Store(url)
        yield store
        store.dispose()


def make_use_case(index: int) -> UseCase:
    return UseCase(
        id=f"uc-{index}",
        name=f"Use case {index}",
        created_at=datetime(2025, 1, 6, tzinfo=UTC),
        updated_at=datetime(2025, 1, 6, tzinfo=UTC),
        scoring=ScoringInputs(cycle_time_reduction=0.5, cost_reduction=0.5, error_reduction=0.5,
                              data_availability=0.5, integration_effort=0.5, compliance_risk=0.5,
                              change_effort=0.5),
        roi=RoiInputs(volume_cases_per_month=1000.0, adoption=0.5, minutes_saved_per_case=2.0,
                      cost_per_minute_eur=1.0, error_cost_per_case_eur=1.0, error_rate_reduction=0.1,
                      run_cost_eur_per_month=100.0),
    )


def valid_document() -> dict:
    return json.loads(canonical_json(Workspace(name="Imported", use_cases=tuple(make_use_case(i) for i in range(5)))))


def database_state(store: Store) -> tuple:
    infos = store.list_workspaces()
    return tuple(infos), tuple(len(store.audit(info.id)) for info in infos)


def with_change(change) -> str:
    document = valid_document()
    change(document)
    return json.dumps(document)


def _set_adoption_text(document):
    document["use_cases"][3]["roi"]["adoption"] = "62 %"


def _add_unknown_field(document):
    document["use_cases"][1]["roi"]["adoption_rate"] = 0.5


def _huge_string(document):
    document["use_cases"][0]["problem_statement"] = "x" * 10_000_000


def _duplicate_ids(document):
    document["use_cases"][4]["id"] = "uc-2"


def _newer_schema(document):
    document["schema_version"] = SCHEMA_VERSION + 1


def _out_of_range(document):
    document["use_cases"][3]["roi"]["adoption"] = 1.5


def _nan_number(document):
    document["use_cases"][0]["roi"]["volume_cases_per_month"] = float("nan")


TRUNCATED = canonical_json(Workspace(name="Cut", use_cases=(make_use_case(0),)))[:500]
DEEP = "[" * 100_000 + "]" * 100_000

MALFORMED = {
    "truncated JSON": (TRUNCATED, r"\$: invalid JSON at line \d+, column \d+"),
    "wrong type": (with_change(_set_adoption_text), r"use_cases\[3\]\.roi\.adoption: Input should be a valid number"),
    "out of range": (with_change(_out_of_range), r"use_cases\[3\]\.roi\.adoption: Input should be less than or equal"),
    "unknown field": (with_change(_add_unknown_field), r"use_cases\[1\]\.roi\.adoption_rate: Extra inputs"),
    "10 MB string": (with_change(_huge_string), r"use_cases\[0\]\.problem_statement: String should have at most"),
    "deep nesting": (DEEP, r"\$: nested 100000 levels deep"),
    "duplicate ids": (with_change(_duplicate_ids), r"\$: use_cases: duplicate id 'uc-2'"),
    "duplicate keys": ('{"name": "A", "name": "B"}', r"\$: duplicate key 'name'"),
    "newer schema": (with_change(_newer_schema), rf"schema_version {SCHEMA_VERSION + 1}, newer than this workbench"),
    "NaN": (with_change(_nan_number), r"use_cases\[0\]\.roi\.volume_cases_per_month: Input should be a finite"),
    "not an object": ("[1, 2]", r"\$: expected a JSON object"),
    "empty": ("", r"\$: invalid JSON at line 1, column 1"),
    "not UTF-8": (b'{"name": "\xff"}', r"\$: not UTF-8"),
    "too large": (" " * (MAX_IMPORT_BYTES + 1), r"\$: the file has 20\.0 MiB; the limit is 20 MiB"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_import_is_rejected_and_database_unchanged(store, case):
    text, expected = MALFORMED[case]
    before = database_state(store)
    with pytest.raises(ImportRejected) as caught:
        store.import_json(text, actor="Ada")
    assert any(re.search(expected, error) for error in caught.value.errors), caught.value.errors
    assert all(len(error) < 400 for error in caught.value.errors)  # the input value is never echoed back
    assert "\n" not in str(caught.value)
    assert database_state(store) == before


def test_every_error_is_reported_with_its_path():
    document = valid_document()
    document["use_cases"][0]["roi"]["adoption"] = -1
    document["use_cases"][2]["scoring"]["cost_reduction"] = "high"
    document["weights"]["cycle_time_reduction"] = 2
    with pytest.raises(ImportRejected) as caught:
        parse_workspace_json(json.dumps(document))
    paths = {error.split(":")[0] for error in caught.value.errors}
    assert {"use_cases[0].roi.adoption", "use_cases[2].scoring.cost_reduction",
            "weights.cycle_time_reduction"} <= paths


def test_valid_import_after_rejections_works(store):
    workspace_id = store.import_json(json.dumps(valid_document()), actor="Ada", name=f"ok-{uuid.uuid4().hex[:6]}")
    assert len(store.load(workspace_id).workspace.use_cases) == 5


def test_invalid_name_override_is_rejected(store):
    before = database_state(store)
    with pytest.raises(ImportRejected, match="name"):
        store.import_json(json.dumps(valid_document()), actor="Ada", name="   ")
    assert database_state(store) == before
