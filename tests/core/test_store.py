"""Store behaviour on SQLite and (with WORKBENCH_TEST_POSTGRES_URL) on a real PostgreSQL server."""

import json
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from core.models import (
    RoiInputs,
    ScoringInputs,
    ScoringWeights,
    Thresholds,
    UseCase,
    Workspace,
    utc_now,
    with_value,
    with_values,
)
from core.store import (
    DATABASE_SCHEMA_VERSION,
    DATABASE_URL_ENV,
    ConflictError,
    ImportRejected,
    NotFoundError,
    Store,
    StoreError,
    canonical_json,
)


@pytest.fixture
def store(database_url):
    store = Store(database_url)
    yield store
    store.dispose()


def make_use_case(index: int, **changes) -> UseCase:
    use_case = UseCase(
        id=f"uc-{index}",
        name=f"Use case {index}",
        created_at=datetime(2025, 1, 6, 9, 0, tzinfo=UTC),
        updated_at=datetime(2025, 1, 6, 9, 0, tzinfo=UTC),
        scoring=ScoringInputs(cycle_time_reduction=0.6, cost_reduction=0.4, error_reduction=0.3,
                              data_availability=0.7, integration_effort=0.5, compliance_risk=0.2,
                              change_effort=0.4),
        roi=RoiInputs(volume_cases_per_month=50_000, adoption=0.62, minutes_saved_per_case=2.4,
                      cost_per_minute_eur=0.85, error_cost_per_case_eur=1.10, error_rate_reduction=0.18,
                      run_cost_eur_per_month=18_000),
    )
    return with_values(use_case, changes) if changes else use_case


def make_workspace(name: str = "Workshop", count: int = 3) -> Workspace:
    return Workspace(name=name, use_cases=tuple(make_use_case(i) for i in range(count)))


def test_create_and_load_round_trip(store):
    workspace = make_workspace()
    workspace_id = store.create_workspace(workspace, actor="Ada")
    loaded = store.load(workspace_id)
    assert loaded.workspace == workspace
    assert loaded.versions == {"uc-0": 1, "uc-1": 1, "uc-2": 1}
    assert store.workspace_id_by_name("Workshop") == workspace_id
    [info] = store.list_workspaces()
    assert (info.id, info.name, info.use_case_count) == (workspace_id, "Workshop", 3)
    assert info.updated_at.tzinfo is not None
    with pytest.raises(NotFoundError, match="no workspace named 'nope'"):
        store.workspace_id_by_name("nope")
    with pytest.raises(NotFoundError):
        store.load("missing")


def test_sqlite_runs_in_wal_with_full_sync_and_busy_timeout(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'sub' / 'folder' / 'w.db'}")
    with store._engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    assert (tmp_path / "sub" / "folder" / "w.db").exists()
    assert store.schema_version() == DATABASE_SCHEMA_VERSION
    store.dispose()


def test_url_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(DATABASE_URL_ENV, f"sqlite:///{tmp_path / 'env.db'}")
    store = Store()
    assert store.url.endswith("env.db")
    assert (tmp_path / "env.db").exists()
    store.dispose()


def test_save_writes_a_new_version_and_one_audit_row_per_changed_field(store):
    workspace_id = store.create_workspace(make_workspace(), actor="Ada")
    before = store.load(workspace_id)
    edited = with_values(before.workspace.use_case("uc-1"), {"roi.adoption": 0.5, "owner": "Finance"})
    version = store.save_use_case(workspace_id, edited, before.versions["uc-1"], actor="Bea")
    assert version == 2
    after = store.load(workspace_id)
    assert after.versions == {"uc-0": 1, "uc-1": 2, "uc-2": 1}
    saved = after.workspace.use_case("uc-1")
    assert saved.roi.adoption == 0.5 and saved.owner == "Finance"
    assert saved.updated_at > edited.updated_at
    entries = store.audit(workspace_id, use_case_id="uc-1")
    assert [(e.field_path, e.old_value, e.new_value) for e in entries] == [
        ("owner", '""', '"Finance"'),
        ("roi.adoption", "0.62", "0.5"),
    ] or [(e.field_path, e.old_value, e.new_value) for e in entries] == [
        ("roi.adoption", "0.62", "0.5"),
        ("owner", '""', '"Finance"'),
    ]
    for entry in entries:
        assert entry.actor == "Bea" and entry.action == "update_use_case" and entry.workspace_id == workspace_id
        assert entry.at.utcoffset() == timedelta(0)
        assert abs(datetime.now(UTC) - entry.at) < timedelta(minutes=1)


def test_unchanged_save_writes_nothing(store):
    workspace_id = store.create_workspace(make_workspace(), actor="Ada")
    loaded = store.load(workspace_id)
    audit_before = len(store.audit(workspace_id))
    assert store.save_use_case(workspace_id, loaded.workspace.use_case("uc-0"), 1, actor="Ada") == 1
    assert len(store.audit(workspace_id)) == audit_before


def test_new_use_case_is_created_at_version_one_and_fully_audited(store):
    workspace_id = store.create_workspace(make_workspace(count=1), actor="Ada")
    assert store.save_use_case(workspace_id, make_use_case(7), None, actor="Ada") == 1
    loaded = store.load(workspace_id)
    assert [u.id for u in loaded.workspace.use_cases] == ["uc-0", "uc-7"]
    paths = {e.field_path for e in store.audit(workspace_id, use_case_id="uc-7")}
    assert {"name", "roi.adoption", "scoring.change_effort", "raci.0.deliverable"} <= paths
    with pytest.raises(ConflictError, match="already exists"):
        store.save_use_case(workspace_id, make_use_case(7), None, actor="Bob")


def test_stale_version_is_refused_naming_who_changed_it_and_when(store):
    workspace_id = store.create_workspace(make_workspace(), actor="Ada")
    loaded = store.load(workspace_id)
    first = with_value(loaded.workspace.use_case("uc-0"), "roi.adoption", 0.4)
    second = with_value(loaded.workspace.use_case("uc-0"), "roi.adoption", 0.3)
    store.save_use_case(workspace_id, first, 1, actor="Carla Controlling")
    with pytest.raises(ConflictError) as caught:
        store.save_use_case(workspace_id, second, 1, actor="Dan")
    error = caught.value
    assert error.use_case_id == "uc-0" and error.changed_by == "Carla Controlling" and error.current_version == 2
    assert "Carla Controlling" in str(error) and error.changed_at.strftime("%Y-%m-%d %H:%M") in str(error)
    assert store.load(workspace_id).workspace.use_case("uc-0").roi.adoption == 0.4


def test_edits_to_different_use_cases_never_conflict(store):
    workspace_id = store.create_workspace(make_workspace(), actor="Ada")
    loaded = store.load(workspace_id)
    store.save_use_case(workspace_id, with_value(loaded.workspace.use_case("uc-0"), "owner", "A"), 1, "Ada")
    store.save_use_case(workspace_id, with_value(loaded.workspace.use_case("uc-1"), "owner", "B"), 1, "Bob")
    assert store.load(workspace_id).versions == {"uc-0": 2, "uc-1": 2, "uc-2": 1}


def test_same_idempotency_key_writes_one_audit_entry(store):
    workspace_id = store.create_workspace(make_workspace(), actor="Ada")
    edited = with_value(store.load(workspace_id).workspace.use_case("uc-0"), "roi.adoption", 0.5)
    first = store.save_use_case(workspace_id, edited, 1, "Ada", idempotency_key="form-42")
    again = store.save_use_case(workspace_id, edited, 1, "Ada", idempotency_key="form-42")
    assert first == again == 2
    entries = [e for e in store.audit(workspace_id, use_case_id="uc-0") if e.field_path == "roi.adoption"]
    assert len(entries) == 1
    assert store.load(workspace_id).versions["uc-0"] == 2


@pytest.mark.parametrize("statement", ["UPDATE audit_log SET actor_id = 'Mallory'", "DELETE FROM audit_log"])
def test_database_refuses_update_and_delete_on_audit_log(store, statement):
    workspace_id = store.create_workspace(make_workspace(), actor="Ada")
    before = store.audit(workspace_id)
    with pytest.raises(DBAPIError, match="append-only"), store._engine.begin() as conn:
        conn.execute(text(statement))
    assert store.audit(workspace_id) == before


def test_soft_delete_and_restore(store):
    workspace_id = store.create_workspace(make_workspace(), actor="Ada")
    assert store.delete_use_case(workspace_id, "uc-1", actor="Bob") == 2
    loaded = store.load(workspace_id)
    assert [u.id for u in loaded.workspace.use_cases] == ["uc-0", "uc-2"]
    [deleted] = store.list_deleted(workspace_id)
    assert (deleted.id, deleted.name, deleted.deleted_by, deleted.version) == ("uc-1", "Use case 1", "Bob", 2)
    with pytest.raises(ConflictError, match="deleted by Bob"):
        store.save_use_case(workspace_id, make_use_case(1, owner="x"), 1, actor="Ada")
    assert store.restore_use_case(workspace_id, "uc-1", actor="Ada") == 3
    assert [u.id for u in store.load(workspace_id).workspace.use_cases] == ["uc-0", "uc-1", "uc-2"]
    assert store.list_deleted(workspace_id) == []
    actions = [(e.action, e.new_value) for e in store.audit(workspace_id, use_case_id="uc-1")]
    assert actions[:2] == [("restore_use_case", "false"), ("delete_use_case", "true")]
    with pytest.raises(NotFoundError):
        store.delete_use_case(workspace_id, "uc-99", actor="Ada")


def test_settings_are_saved_and_audited(store):
    workspace_id = store.create_workspace(make_workspace(), actor="Ada")
    weights = ScoringWeights(cycle_time_reduction=0.4, cost_reduction=0.4, error_reduction=0.2)
    thresholds = Thresholds(poc_min_precision=0.95)
    store.save_settings(workspace_id, "Fin", weights=weights, thresholds=thresholds)
    loaded = store.load(workspace_id).workspace
    assert loaded.weights == weights and loaded.thresholds == thresholds
    changes = {(e.field_path, e.old_value, e.new_value) for e in store.audit(workspace_id)
               if e.action == "save_settings"}
    assert changes == {
        ("weights.cycle_time_reduction", "0.5", "0.4"),
        ("weights.cost_reduction", "0.3", "0.4"),
        ("thresholds.poc_min_precision", "0.92", "0.95"),
    }


def test_gate_decisions_are_audited_with_failed_checks(store):
    workspace_id = store.create_workspace(make_workspace(), actor="Ada")
    store.record_gate_decision(workspace_id, "uc-0", "poc_to_pilot", "stop", ["precision", "p99_latency_ms"], "Gina")
    store.record_gate_decision(workspace_id, "uc-0", "poc_to_pilot", "go", [], "Gina")
    latest, first = store.audit(workspace_id, use_case_id="uc-0")[:2]
    assert first.action == latest.action == "gate_decision" and latest.field_path == "gates.poc_to_pilot"
    assert json.loads(first.new_value) == {"decision": "stop", "failed_checks": ["precision", "p99_latency_ms"]}
    assert latest.old_value == first.new_value
    assert json.loads(latest.new_value) == {"decision": "go", "failed_checks": []}
    with pytest.raises(NotFoundError):
        store.record_gate_decision(workspace_id, "uc-404", "canary", "ramp", [], "Gina")


def test_audit_filter_limit_and_csv(store):
    workspace_id = store.create_workspace(make_workspace(), actor="Ada")
    loaded = store.load(workspace_id)
    store.save_use_case(workspace_id, with_value(loaded.workspace.use_case("uc-0"), "owner", "A"), 1, "=cmd()")
    store.save_use_case(workspace_id, with_value(loaded.workspace.use_case("uc-1"), "owner", "B"), 1, "Bob")
    assert [e.use_case_id for e in store.audit(workspace_id)][:2] == ["uc-1", "uc-0"]
    assert len(store.audit(workspace_id, limit=1)) == 1
    csv_text = store.audit_csv(workspace_id, use_case_id="uc-0")
    lines = csv_text.splitlines()
    # steps: stored entries a row stands for (a drag's steps merged, issue 13); actor_id: the pseudonym (issue 12).
    assert lines[0] == "id,at_utc,actor,workspace_id,use_case_id,action,field_path,old_value,new_value,steps,actor_id"
    assert len(lines) == 2 and ",uc-0,update_use_case,owner," in lines[1]
    assert ",'=cmd()," in lines[1]  # a formula-looking actor name is defused for spreadsheet apps


def test_snapshot_restore_writes_new_versions_and_keeps_history(store):
    workspace_id = store.create_workspace(make_workspace(), actor="Ada")
    snapshot = store.create_snapshot(workspace_id, "before workshop", actor="Ada")
    assert snapshot.label == "before workshop" and snapshot.actor == "Ada"
    expected = store.export_json(workspace_id)
    loaded = store.load(workspace_id)
    store.save_use_case(workspace_id, with_value(loaded.workspace.use_case("uc-0"), "roi.adoption", 0.1), 1, "Bob")
    store.delete_use_case(workspace_id, "uc-1", "Bob")
    store.save_use_case(workspace_id, make_use_case(9), None, "Bob")
    store.save_settings(workspace_id, "Bob", thresholds=Thresholds(scale_min_roi=0.5))
    store.restore_snapshot(workspace_id, "before workshop", actor="Carla")
    restored = store.load(workspace_id)
    assert json.loads(store.export_json(workspace_id)) == json.loads(expected)
    assert restored.versions == {"uc-0": 3, "uc-1": 3, "uc-2": 1}
    assert [d.id for d in store.list_deleted(workspace_id)] == ["uc-9"]
    history = store.audit(workspace_id, use_case_id="uc-0")
    assert [(e.action, e.new_value) for e in history[:2]] == [("restore_snapshot", "0.62"),
                                                                ("update_use_case", "0.1")]
    assert store.audit(workspace_id, limit=1)[0].new_value == '"before workshop"'
    assert [s.label for s in store.list_snapshots(workspace_id)] == ["before workshop"]
    with pytest.raises(StoreError, match="already exists"):
        store.create_snapshot(workspace_id, "before workshop", actor="Ada")
    with pytest.raises(NotFoundError):
        store.restore_snapshot(workspace_id, "never taken", actor="Ada")


def test_export_import_export_is_byte_stable(store):
    workspace_id = store.create_workspace(make_workspace(name="Stable", count=4), actor="Ada")
    exported = store.export_json(workspace_id)
    assert exported == canonical_json(make_workspace(name="Stable", count=4))
    store.rename_workspace(workspace_id, "Stable (old)", actor="Ada")
    imported_id = store.import_json(exported, actor="Bob")
    assert store.export_json(imported_id) == exported
    copy_id = store.import_json(exported.encode("utf-8"), actor="Bob", name="Another")
    assert store.load(copy_id).workspace.name == "Another"
    with pytest.raises(ImportRejected, match="already exists"):
        store.import_json(exported, actor="Bob")


def test_rename_and_duplicate(store):
    workspace_id = store.create_workspace(make_workspace(), actor="Ada")
    other_id = store.create_workspace(make_workspace(name="Other"), actor="Ada")
    store.rename_workspace(workspace_id, "Renamed", actor="Bob")
    assert store.load(workspace_id).workspace.name == "Renamed"
    with pytest.raises(StoreError, match="already exists"):
        store.rename_workspace(other_id, "Renamed", actor="Bob")
    copy_id = store.duplicate_workspace(workspace_id, "Copy", actor="Bob")
    assert copy_id != workspace_id
    copy = store.load(copy_id)
    assert copy.workspace.use_cases == store.load(workspace_id).workspace.use_cases
    assert set(copy.versions.values()) == {1}
    assert [e.action for e in store.audit(copy_id)] == ["duplicate_workspace"]


def test_apply_changes_is_one_transaction(store):
    workspace_id = store.create_workspace(make_workspace(), actor="Ada")
    loaded = store.load(workspace_id)
    changes = [("uc-0", "roi.adoption", 0.3), ("uc-2", "scoring.cost_reduction", 0.9), ("uc-0", "owner", "Fin")]
    store.apply_changes(workspace_id, changes, loaded.versions, actor="Excel Ed")
    after = store.load(workspace_id)
    assert after.versions == {"uc-0": 2, "uc-1": 1, "uc-2": 2}
    assert after.workspace.use_case("uc-0").roi.adoption == 0.3
    assert after.workspace.use_case("uc-2").scoring.cost_reduction == 0.9
    assert len([e for e in store.audit(workspace_id) if e.action == "apply_changes"]) == 3

    audit_count = len(store.audit(workspace_id))
    bad = [("uc-1", "owner", "ok"), ("uc-2", "roi.adoption", 1.7)]
    with pytest.raises(ImportRejected, match=r"uc-2\.roi\.adoption"):
        store.apply_changes(workspace_id, bad, after.versions, actor="Excel Ed")
    with pytest.raises(ConflictError):
        store.apply_changes(workspace_id, [("uc-0", "owner", "x"), ("uc-1", "owner", "y")], loaded.versions, "Ed")
    assert store.load(workspace_id).versions == after.versions
    assert len(store.audit(workspace_id)) == audit_count


def test_sample_workspace_is_loaded_once_on_first_start(store, tmp_path):
    sample = tmp_path / "sample.json"
    assert store.ensure_sample_workspace(tmp_path / "not-there-yet.json") is None
    sample.write_text(canonical_json(make_workspace(name="Sample portfolio")), encoding="utf-8")
    workspace_id = store.ensure_sample_workspace(sample)
    assert store.load(workspace_id).workspace.name == "Sample portfolio"
    store.rename_workspace(workspace_id, "Ours now", actor="Ada")
    assert store.ensure_sample_workspace(sample) is None
    assert [info.name for info in store.list_workspaces()] == ["Ours now"]


def test_shipped_sample_workspace_loads(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'w.db'}")
    workspace_id = store.ensure_sample_workspace()
    assert workspace_id is not None and store.load(workspace_id).workspace.use_cases
    assert store.ensure_sample_workspace() is None
    store.dispose()


def test_backup_passes_integrity_check(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'live.db'}")
    workspace_id = store.create_workspace(make_workspace(count=20), actor="Ada")
    target = store.backup(tmp_path / "backups" / "copy.db")
    with sqlite3.connect(target) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM use_cases").fetchone()[0] == 20
    copy = Store(f"sqlite:///{target}")
    assert copy.export_json(workspace_id) == store.export_json(workspace_id)
    store.dispose()
    copy.dispose()


def test_backup_on_postgres_points_to_pg_dump(store, tmp_path):
    if store.dialect == "sqlite":
        pytest.skip("covered by test_backup_passes_integrity_check")
    with pytest.raises(StoreError, match="pg_dump"):
        store.backup(tmp_path / "x.db")


def test_database_from_a_newer_workbench_is_refused(store):
    with store._engine.begin() as conn:
        conn.execute(text("INSERT INTO schema_version (version, applied_at) VALUES (99, 'later')"))
    with pytest.raises(StoreError, match="newer than this workbench"):
        Store(store.url)


def test_actor_is_required(store):
    with pytest.raises(ValueError, match="actor"):
        store.create_workspace(make_workspace(), actor="  ")


SCORING_FOR_DOCUMENT = ScoringInputs(cycle_time_reduction=0.3, cost_reduction=0.2, error_reduction=0.25,
                                     data_availability=0.8, integration_effort=0.3, compliance_risk=0.2,
                                     change_effort=0.3)
ROI_FOR_DOCUMENT = RoiInputs(volume_cases_per_month=50_000, adoption=0.62, minutes_saved_per_case=2.4,
                             cost_per_minute_eur=0.85, error_cost_per_case_eur=1.10, error_rate_reduction=0.18,
                             run_cost_eur_per_month=18_000)


def test_row_documents_leave_out_defaults_but_keep_timestamps():
    from core.store import use_case_document

    old = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    bare = UseCase(id="bare", name="Bare", scoring=SCORING_FOR_DOCUMENT, roi=ROI_FOR_DOCUMENT,
                   created_at=old, updated_at=old)
    document = json.loads(use_case_document(bare))
    assert "readiness" not in document and "gate_metrics" not in document
    assert document["created_at"] == "2024-01-02T03:04:05Z"
    # a use case whose timestamps happen to equal "now" must keep them too (their default is a factory)
    fresh = bare.model_copy(update={"created_at": utc_now(), "updated_at": utc_now()})
    assert {"created_at", "updated_at"} <= set(json.loads(use_case_document(fresh)))
    assert UseCase.model_validate_json(use_case_document(bare)) == bare


def test_load_leaves_the_cycle_collector_as_it_found_it(store):
    import gc

    workspace_id = store.create_workspace(make_workspace(count=3), actor="tester")
    assert gc.isenabled()
    assert len(store.load(workspace_id).workspace.use_cases) == 3
    assert gc.isenabled()
    gc.disable()
    try:
        store.load(workspace_id)
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.parametrize(
    "make_url_for",
    [
        lambda folder: f"sqlite:///{folder / 'a-file' / 'workbench.db'}",
        lambda folder: "this is not a database URL",
        lambda folder: "nosuchdialect://user:secret@localhost/db",
    ],
    ids=["folder-is-a-file", "not-a-url", "unknown-dialect"],
)
def test_a_database_that_cannot_be_opened_is_a_readable_store_error(tmp_path, make_url_for):
    (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
    with pytest.raises(StoreError, match="cannot be opened") as raised:
        Store(make_url_for(tmp_path))
    assert "secret" not in str(raised.value)
    assert "\n" not in str(raised.value)
