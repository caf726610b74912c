"""Gate decisions as a person's act (issue 13): the model, workspace schema 3 over today's database, the Excel
Decision sheet."""

from __future__ import annotations

import io
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
import pytest
from pydantic import ValidationError

from core.excel import build_pack
from core.excel.names import decision_sheet_name
from core.models import SCHEMA_VERSION, GateDecision, Workspace, with_values
from core.store import DATABASE_SCHEMA_VERSION, Store

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "workbench_v4_decisions.db"
AT = datetime(2026, 12, 3, 9, 30, tzinfo=UTC)


def _decision(**changes) -> GateDecision:
    fields = dict(gate="quality_gates", decision="override", rationale="HITL coverage measured on two weeks only",
                  decided_by="A. Weber", decided_at=AT, computed_decision="fail", next_gate="go_live_compliance",
                  next_gate_on=date(2027, 1, 15))
    return GateDecision(**{**fields, **changes})


def test_an_override_needs_a_reason():
    with pytest.raises(ValidationError, match="an override needs a reason"):
        _decision(rationale="  ")
    assert _decision(decision="stop", rationale="").decision == "stop"


def test_a_next_gate_date_needs_its_gate_and_a_person_decides():
    with pytest.raises(ValidationError, match="needs the gate"):
        _decision(next_gate=None)
    with pytest.raises(ValidationError, match="decided_by"):
        _decision(decided_by="")
    with pytest.raises(ValidationError, match="decision"):
        _decision(decision="maybe")


def test_schema_2_documents_load_as_schema_3_without_decisions():
    assert SCHEMA_VERSION == 3
    workspace = Workspace.model_validate({"name": "w", "schema_version": 2})
    assert workspace.schema_version == 3


def test_todays_sample_database_opens_keeps_everything_and_stores_a_decision(tmp_path: Path):
    # workbench_v4_decisions.db: database schema 4, workspace schema 2, written by main at f2e5f86
    # (tests/fixtures/README.md).
    copy = tmp_path / "workbench.db"
    shutil.copy(FIXTURE, copy)
    store = Store(f"sqlite:///{copy}")
    assert store.schema_version() == DATABASE_SCHEMA_VERSION
    workspace_id = store.list_workspaces()[0].id
    loaded = store.load(workspace_id)
    assert loaded.workspace.schema_version == SCHEMA_VERSION
    assert len(loaded.workspace.use_cases) == 10
    chatbot, version = store.get_use_case(workspace_id, "support-chatbot")
    assert chatbot.roi.adoption == 0.55 and chatbot.gate_decisions == ()
    audit_before = store.audit(workspace_id)
    assert any(entry.field_path == "gates.quality_gates" for entry in audit_before)

    inspection, version = store.get_use_case(workspace_id, "quality-inspection")
    decided = with_values(inspection, {"gate_decisions": (_decision(),)})
    store.save_use_case(workspace_id, decided, expected_version=version, actor="A. Weber")
    reopened = Store(f"sqlite:///{copy}")
    stored, _ = reopened.get_use_case(workspace_id, "quality-inspection")
    assert stored.gate_decisions == (_decision(),)
    paths = {entry.field_path for entry in reopened.audit(workspace_id, "quality-inspection")}
    assert {"gate_decisions.0.decision", "gate_decisions.0.rationale", "gate_decisions.0.next_gate_on"} <= paths
    assert len(reopened.audit(workspace_id)) > len(audit_before)


@pytest.mark.parametrize(("language", "title", "decision"),
                         [("en", "Gate decisions (recorded)", "Override (with reason)"),
                          ("de", "Gate-Entscheidungen (protokolliert)", "Übersteuert (mit Begründung)")])
def test_the_decision_sheet_lists_the_recorded_decisions(tmp_path: Path, language, title, decision):
    copy = tmp_path / "workbench.db"
    shutil.copy(FIXTURE, copy)
    store = Store(f"sqlite:///{copy}")
    workspace_id = store.list_workspaces()[0].id
    inspection, version = store.get_use_case(workspace_id, "quality-inspection")
    store.save_use_case(workspace_id, with_values(inspection, {"gate_decisions": (_decision(),)}),
                        expected_version=version, actor="A. Weber")
    book = openpyxl.load_workbook(io.BytesIO(build_pack(store.load(workspace_id),
                                                        use_case_ids=["quality-inspection"], language=language)))
    sheet = book[decision_sheet_name(1, "quality-inspection", language)]
    row = next(cell.row for cell in sheet["A"] if cell.value == title)
    values = [sheet.cell(row + 2, col).value for col in range(1, 8)]
    assert values[2] == decision and values[4] == "A. Weber" and values[6] == "2027-01-15"
    assert sheet.cell(row + 3, 2).value == "HITL coverage measured on two weeks only"
