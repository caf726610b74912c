"""Workspace settings beyond weights and thresholds (the S19 default discount rate): stored, audited, exported,
imported, restored by snapshots, and added to older databases by a migration."""

import json
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import text

from core.models import DEFAULT_DISCOUNT_RATE_PER_YEAR, Workspace, WorkspaceSettings, with_value
from core.store import DATABASE_SCHEMA_VERSION, Store
from core.store.schema import MIGRATION_NUMBERS
from tests.core.test_store import make_use_case, make_workspace

FIXTURE_V1 = Path(__file__).resolve().parents[1] / "fixtures" / "workbench_v1.db"
SAMPLE_NAME = "Beispiel GmbH – KI-Portfolio"
TEN_PERCENT = WorkspaceSettings(default_discount_rate_per_year=0.1)


@pytest.fixture
def store(database_url):
    store = Store(database_url)
    yield store
    store.dispose()


@contextmanager
def opened(url: str) -> Iterator[Store]:
    store = Store(url)
    try:
        yield store
    finally:
        store.dispose()


def _settings_audit(store: Store, workspace_id: str) -> list[tuple[str, str, str, str]]:
    return [(entry.action, entry.field_path, entry.old_value, entry.new_value) for entry in store.audit(workspace_id)
            if entry.field_path == "default_discount_rate_per_year"]


def test_the_default_discount_rate_is_saved_and_audited_once_per_change(store):
    workspace_id = store.create_workspace(make_workspace(), actor="Ada")
    assert store.load(workspace_id).workspace.default_discount_rate_per_year == DEFAULT_DISCOUNT_RATE_PER_YEAR == 0.08
    store.save_settings(workspace_id, "Fin", settings=TEN_PERCENT)
    store.save_settings(workspace_id, "Fin", settings=TEN_PERCENT)
    assert store.load(workspace_id).workspace.settings == TEN_PERCENT == store.workspace_settings(workspace_id)
    assert _settings_audit(store, workspace_id) == [("save_settings", "default_discount_rate_per_year", "0.08", "0.1")]
    with opened(store.url) as reopened:
        assert reopened.load(workspace_id).workspace.default_discount_rate_per_year == 0.1


def test_the_rate_travels_through_export_import_and_duplicate(store):
    workspace = make_workspace(name="Rates").model_copy(update={"default_discount_rate_per_year": 0.12})
    workspace_id = store.create_workspace(workspace, actor="Ada")
    exported = store.export_json(workspace_id)
    assert json.loads(exported)["default_discount_rate_per_year"] == 0.12
    imported_id = store.import_json(exported, actor="Bob", name="Rates (imported)")
    assert store.load(imported_id).workspace.default_discount_rate_per_year == 0.12
    assert store.export_json(imported_id) == exported.replace('"name": "Rates"', '"name": "Rates (imported)"')
    copy_id = store.duplicate_workspace(workspace_id, "Rates (copy)", actor="Bob")
    assert store.load(copy_id).workspace.default_discount_rate_per_year == 0.12


def test_a_file_without_the_rate_imports_with_the_s19_default(store):
    document = json.loads(store.export_json(store.create_workspace(make_workspace(name="Old"), actor="Ada")))
    del document["default_discount_rate_per_year"]
    document["schema_version"] = 1
    imported_id = store.import_json(json.dumps(document), actor="Bob", name="Old (v1)")
    assert store.load(imported_id).workspace.default_discount_rate_per_year == 0.08


def test_a_snapshot_restore_brings_the_rate_back_and_audits_it(store):
    workspace_id = store.create_workspace(make_workspace(), actor="Ada")
    store.create_snapshot(workspace_id, "at 8 %", actor="Ada")
    store.save_settings(workspace_id, "Fin", settings=TEN_PERCENT)
    store.restore_snapshot(workspace_id, "at 8 %", actor="Carla")
    assert store.load(workspace_id).workspace.default_discount_rate_per_year == 0.08
    assert _settings_audit(store, workspace_id)[0] == ("restore_snapshot", "default_discount_rate_per_year", "0.1",
                                                       "0.08")


def test_an_invalid_rate_is_refused_by_the_model_naming_the_field():
    with pytest.raises(ValueError, match="default_discount_rate_per_year"):
        WorkspaceSettings(default_discount_rate_per_year=1.5)
    with pytest.raises(ValueError, match="default_discount_rate_per_year"):
        Workspace(name="x", default_discount_rate_per_year=-0.01)


def test_workspace_settings_mirror_the_workspace_fields():
    assert Workspace(name="x", default_discount_rate_per_year=0.05).settings == WorkspaceSettings(
        default_discount_rate_per_year=0.05)
    default = WorkspaceSettings().default_discount_rate_per_year
    assert Workspace.model_fields["default_discount_rate_per_year"].default == default


def test_a_database_without_the_settings_column_gets_it_on_open(store):
    workspace_id = store.create_workspace(make_workspace(), actor="Ada")
    with store._engine.begin() as conn:
        conn.execute(text("ALTER TABLE workspaces DROP COLUMN settings"))
        conn.execute(text("DELETE FROM schema_version WHERE version >= 2"))
    store.dispose()
    with opened(store.url) as migrated:
        assert migrated.schema_version() == DATABASE_SCHEMA_VERSION
        assert migrated.load(workspace_id).workspace.default_discount_rate_per_year == 0.08
        migrated.save_settings(workspace_id, "Fin", settings=TEN_PERCENT)
        assert migrated.load(workspace_id).workspace.default_discount_rate_per_year == 0.1


def test_the_landed_schema_1_database_migrates_without_losing_anything(tmp_path):
    copy = tmp_path / "workbench_v1.db"
    shutil.copy(FIXTURE_V1, copy)
    with sqlite3.connect(copy) as raw:
        assert "settings" not in {row[1] for row in raw.execute("PRAGMA table_info(workspaces)")}
        audit_rows = raw.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0]
    with opened(f"sqlite:///{copy}") as store:
        assert store.schema_version() == DATABASE_SCHEMA_VERSION
        workspace_id = store.workspace_id_by_name(SAMPLE_NAME)
        loaded = store.load(workspace_id)
        workspace = loaded.workspace
        assert workspace.default_discount_rate_per_year == 0.08
        assert len(workspace.use_cases) == 9 and len(store.list_deleted(workspace_id)) == 1
        first = workspace.use_cases[0]
        assert first.roi.adoption == 0.55
        assert len(store.audit(workspace_id)) == audit_rows
        store.save_settings(workspace_id, "Fin", settings=TEN_PERCENT)
        store.save_use_case(workspace_id, with_value(first, "business_case.horizon_months", 48),
                            loaded.versions[first.id], actor="Fin")
    with opened(f"sqlite:///{copy}") as reopened:
        workspace = reopened.load(workspace_id).workspace
        assert workspace.default_discount_rate_per_year == 0.1
        assert workspace.use_cases[0].business_case.horizon_months == 48
        reopened.restore_snapshot(workspace_id, "before workshop", actor="Carla")
        assert reopened.load(workspace_id).workspace.default_discount_rate_per_year == 0.08
    with sqlite3.connect(copy) as raw:
        assert [row[0] for row in raw.execute("SELECT version FROM schema_version ORDER BY version")] == list(
            MIGRATION_NUMBERS)


def test_new_use_cases_and_workspaces_store_settings_on_a_migrated_database(tmp_path):
    copy = tmp_path / "workbench_v1.db"
    shutil.copy(FIXTURE_V1, copy)
    with opened(f"sqlite:///{copy}") as store:
        workspace_id = store.create_workspace(
            make_workspace(name="After migration").model_copy(update={"default_discount_rate_per_year": 0.06}), "Ada")
        store.save_use_case(workspace_id, make_use_case(7), None, "Ada")
        assert store.load(workspace_id).workspace.default_discount_rate_per_year == 0.06
