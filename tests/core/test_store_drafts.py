"""Issue 13: refused drafts kept in the store (SQLite and PostgreSQL): keep, list, drop, one person's drafts never
shown to another, bounded in size, gone with a purge or an erasure, never in the audit trail; migration 10 on a copy
of a schema-8 database."""

import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.store import DATABASE_SCHEMA_VERSION, MAX_DRAFT_FIELDS, Identity, PermissionDenied, Store

SAMPLE = "Beispiel GmbH – KI-Portfolio"
CHATBOT = "support-chatbot"
FIXTURE_V8 = Path(__file__).resolve().parents[1] / "fixtures" / "workbench_v8_pseudonymised.db"
WHEN = datetime(2026, 12, 4, 9, 30, tzinfo=UTC)


@pytest.fixture
def store(database_url):
    store = Store(database_url)
    store.ensure_sample_workspace()
    yield store
    store.dispose()


def test_a_draft_is_kept_listed_for_its_typist_only_and_dropped(store, database_url):
    workspace_id = store.workspace_id_by_name(SAMPLE)
    audit_rows = len(store.audit(workspace_id))
    store.keep_draft(workspace_id, CHATBOT, "Ada", {"roi.adoption": 0.3, "name": "Chatbot ✓"}, "Bea Berger", WHEN)
    store.keep_draft(workspace_id, "invoice-extraction", "Bea Berger", {"roi.adoption": 0.9}, "Ada", None)
    other = Store(database_url)  # another app process on the same database
    [draft] = other.drafts_for(workspace_id, "Ada")
    assert (draft.use_case_id, draft.changes, draft.changed_by, draft.changed_at) == (
        CHATBOT, {"roi.adoption": 0.3, "name": "Chatbot ✓"}, "Bea Berger", WHEN)
    assert [draft.use_case_id for draft in other.drafts_for(workspace_id, "Bea Berger")] == ["invoice-extraction"]
    assert other.drafts_for(workspace_id, "Cleo") == []
    # A newer refusal of the same use case replaces the kept one.
    store.keep_draft(workspace_id, CHATBOT, "Ada", {"roi.adoption": 0.35}, "Bea Berger", WHEN)
    assert [draft.changes for draft in other.drafts_for(workspace_id, "Ada")] == [{"roi.adoption": 0.35}]
    assert not other.drop_draft(workspace_id, CHATBOT, "Bea Berger")  # not hers to drop
    assert other.drop_draft(workspace_id, CHATBOT, "Ada")
    assert store.drafts_for(workspace_id, "Ada") == [] and not store.drop_draft(workspace_id, CHATBOT, "Ada")
    assert len(store.audit(workspace_id)) == audit_rows  # drafts are no audit entries
    other.dispose()


def test_a_table_draft_lives_in_its_own_slot_beside_a_conflict_draft(store):
    workspace_id = store.workspace_id_by_name(SAMPLE)
    rows = [{"group": "quality", "name": "CSAT", "target_value": None}]
    store.keep_draft(workspace_id, CHATBOT, "Ada", {"roi.adoption": 0.3}, "Bea", WHEN)
    store.keep_draft(workspace_id, CHATBOT, "Ada", {"rows": rows}, slot="table.kpi_set")
    assert [draft.changes for draft in store.drafts_for(workspace_id, "Ada")] == [{"roi.adoption": 0.3}]
    [table] = store.drafts_for(workspace_id, "Ada", slot="table.kpi_set")
    assert (table.use_case_id, table.changes, table.slot) == (CHATBOT, {"rows": rows}, "table.kpi_set")
    assert store.drop_draft(workspace_id, CHATBOT, "Ada", slot="table.kpi_set")
    assert len(store.drafts_for(workspace_id, "Ada")) == 1


def test_a_draft_is_bounded(store):
    workspace_id = store.workspace_id_by_name(SAMPLE)
    with pytest.raises(ValueError, match="at most 50 fields"):
        store.keep_draft(workspace_id, CHATBOT, "Ada", {f"f{n}": n for n in range(MAX_DRAFT_FIELDS + 1)}, "B", None)
    with pytest.raises(ValueError, match="characters of values"):
        store.keep_draft(workspace_id, CHATBOT, "Ada", {"description": "x" * 100_001}, "B", None)
    with pytest.raises(ValueError, match="nothing to keep"):
        store.keep_draft(workspace_id, CHATBOT, "Ada", {}, "B", None)
    with pytest.raises(ValueError, match="not JSON"):
        store.keep_draft(workspace_id, CHATBOT, "Ada", {"roi.adoption": float("nan")}, "B", None)
    assert store.drafts_for(workspace_id, "Ada") == []


def test_with_roles_on_a_draft_needs_a_role_to_keep_and_none_to_drop(database_url):
    admin = Identity(subject="root", email="admin@example.com", name="Ada Admin")
    viewer = Identity(subject="clara", email="clara@example.com", name="Clara Wolf")
    stranger = Identity(subject="dave", email="dave@example.com", name="Dave Klein")
    store = Store(database_url, admins=frozenset({admin.email}))
    store.ensure_sample_workspace()
    store.enable_access_control()
    workspace_id = store.workspace_id_by_name(SAMPLE)
    store.set_member_role(workspace_id, viewer.email, "viewer", admin.actor)
    store.keep_draft(workspace_id, CHATBOT, viewer.actor, {"roi.adoption": 0.3}, admin.actor, WHEN)
    with pytest.raises(PermissionDenied):
        store.keep_draft(workspace_id, CHATBOT, stranger.actor, {"roi.adoption": 0.3}, admin.actor, WHEN)
    assert store.drafts_for(workspace_id, stranger.actor) == []
    assert [draft.use_case_id for draft in store.drafts_for(workspace_id, viewer.actor)] == [CHATBOT]
    store.remove_member(workspace_id, viewer.email, admin.actor)
    assert store.drop_draft(workspace_id, CHATBOT, viewer.actor)  # discarding stays possible after losing the role
    store.dispose()


def test_a_purge_and_an_erasure_take_the_drafts_too(store):
    sample_id = store.workspace_id_by_name(SAMPLE)
    copy_id = store.duplicate_workspace(sample_id, "Claims", "Ada")
    store.keep_draft(copy_id, CHATBOT, "Ada", {"roi.adoption": 0.3}, "Bea", None)
    store.keep_draft(sample_id, CHATBOT, "Ada", {"roi.adoption": 0.3}, "Bea", None)
    store.keep_draft(sample_id, CHATBOT, "Bea", {"roi.adoption": 0.4}, "Ada", None)
    store.purge_workspace(copy_id, "Claims", "Ada")
    assert store.drafts_for(copy_id, "Ada") == []
    store.erase_identity("Ada", "Admin")
    assert store.drafts_for(sample_id, "Ada") == [] and len(store.drafts_for(sample_id, "Bea")) == 1


def test_a_copy_of_a_schema_8_database_gets_the_drafts_table_without_losing_anything(tmp_path):
    copy = tmp_path / "workbench_v8_pseudonymised.db"
    shutil.copyfile(FIXTURE_V8, copy)
    tables = ("workspaces", "use_cases", "audit_log", "actors")
    with sqlite3.connect(copy) as raw:
        before = {table: raw.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for table in tables}
        assert raw.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] == 8
    store = Store(f"sqlite:///{copy}", audit_secret="fixture-secret")
    assert store.schema_version() == DATABASE_SCHEMA_VERSION
    with sqlite3.connect(copy) as raw:
        after = {table: raw.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for table in tables}
        versions = {row[0] for row in raw.execute("SELECT version FROM schema_version")}
    assert after == before and {9, 10} <= versions
    sample_id = store.workspace_id_by_name(SAMPLE)
    assert store.get_use_case(sample_id, CHATBOT)[0].roi.adoption == pytest.approx(0.6)
    store.keep_draft(sample_id, CHATBOT, "M. Schneider", {"roi.adoption": 0.5}, "Dr. Petra Vorstand", WHEN)
    assert [draft.changes for draft in store.drafts_for(sample_id, "M. Schneider")] == [{"roi.adoption": 0.5}]
    assert store.verify_audit().ok
    store.dispose()


def test_a_draft_names_its_typist_only_by_the_keyed_hash(store):
    """A draft kept in a pseudonymised workspace must not hold the name its audit entries do not hold."""
    from sqlalchemy import select

    from core.store.schema import drafts_table

    workspace_id = store.workspace_id_by_name(SAMPLE)
    store.keep_draft(workspace_id, "support-chatbot", "Ida Tester", {"roi.adoption": 0.5})
    with store._engine.connect() as conn:
        owners = list(conn.scalars(select(drafts_table.c.actor)))
    assert owners and all("Ida" not in owner and len(owner) == 64 for owner in owners)
    assert [draft.changes for draft in store.drafts_for(workspace_id, "Ida Tester")] == [{"roi.adoption": 0.5}]
