"""The tamper-evident audit trail (issue 12 item 7): a hash chain over pseudonymous entries, the start-up check
that re-creates missing triggers, migration 5 on a copy of today's database, and the CLI's ``audit verify``."""

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from core.cli import main
from core.models import with_value
from core.store import DATABASE_SCHEMA_VERSION, Store
from core.store.chain import CONTENT_COLUMNS, GENESIS
from core.store.schema import actors_table, audit_log_table

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FIXTURE_V4 = FIXTURES / "workbench_v4.db"
FIXTURE_V1 = FIXTURES / "workbench_v1.db"
SAMPLE = "Beispiel GmbH – KI-Portfolio"


@pytest.fixture
def store(database_url):
    store = Store(database_url)
    store.ensure_sample_workspace()
    yield store
    store.dispose()


def by_hand(prev_hash: str, row) -> str:
    """The link as issue 12 defines it, computed here without the store's code: SHA-256 over the previous hash,
    a line feed, and the entry's columns (id left out) as a compact JSON array."""
    content = json.dumps([getattr(row, name) for name in CONTENT_COLUMNS], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{prev_hash}\n{content}".encode()).hexdigest()


def stored_rows(store):
    with store._engine.connect() as conn:
        return conn.execute(select(audit_log_table).order_by(audit_log_table.c.id)).all()


def step_adoption(store, workspace_id, values, actor="Ada"):
    for value in values:
        use_case, version = store.get_use_case(workspace_id, "support-chatbot")
        store.save_use_case(workspace_id, with_value(use_case, "roi.adoption", value), version, actor=actor)


def test_every_entry_links_to_the_one_before_it(store):
    workspace_id = store.workspace_id_by_name(SAMPLE)
    step_adoption(store, workspace_id, [0.5, 0.51])
    store.create_snapshot(workspace_id, "after", actor="Bea")
    rows = stored_rows(store)
    assert len(rows) == 4  # sample load, two saves, the snapshot
    previous = GENESIS
    for row in rows:
        assert row.prev_hash == previous and row.entry_hash == by_hand(previous, row)
        previous = row.entry_hash
    report = store.verify_audit()
    assert report.ok and report.entries == 4 and report.head_hash == previous
    assert report.sentence().startswith("The audit trail is intact: 4 entries")
    # Entries carry the pseudonym; the person is in the actors table only.
    assert all(row.actor_id.startswith("P-") for row in rows)
    assert {entry.actor for entry in store.audit(workspace_id)} == {"sample data", "Ada", "Bea"}


def test_drop_trigger_then_update_on_sqlite_is_found_and_the_triggers_come_back(tmp_path):
    path = tmp_path / "workbench.db"
    store = Store(f"sqlite:///{path}")
    workspace_id = store.ensure_sample_workspace()
    step_adoption(store, workspace_id, [0.5, 0.51, 0.52])
    store.dispose()
    with sqlite3.connect(path) as raw:
        raw.execute("DROP TRIGGER audit_log_refuse_update")
        raw.execute("UPDATE audit_log SET new_value = '0.99' WHERE id = 3")
    opened = Store(f"sqlite:///{path}")
    report = opened.verify_audit()
    assert not report.ok and report.broken_kind == "altered" and report.broken_id == 3
    assert "broken at entry 3" in report.sentence() and "changed after it was written" in report.sentence()
    assert [notice.kind for notice in opened.notices] == ["triggers_recreated", "chain_broken"]
    assert "audit_log_refuse_update" in opened.notices[0].text
    with sqlite3.connect(path) as raw, pytest.raises(sqlite3.DatabaseError, match="append-only"):
        raw.execute("UPDATE audit_log SET new_value = '0.5' WHERE id = 3")
    opened.dispose()


@pytest.mark.parametrize(("statement", "kind", "entry"), [
    ("DELETE FROM audit_log WHERE id = 2", "out_of_order", 3),
    ("DELETE FROM audit_log WHERE id = (SELECT MAX(id) FROM audit_log)", "cut_off", None),
    ("UPDATE audit_log SET prev_hash = NULL, entry_hash = NULL WHERE id = 4", "unchained", 4),
])
def test_removed_and_unchained_entries_are_found(tmp_path, statement, kind, entry):
    path = tmp_path / "workbench.db"
    store = Store(f"sqlite:///{path}")
    workspace_id = store.ensure_sample_workspace()
    step_adoption(store, workspace_id, [0.5, 0.51, 0.52, 0.53])
    store.dispose()
    with sqlite3.connect(path) as raw:
        raw.execute("DROP TRIGGER audit_log_refuse_delete")
        raw.execute("DROP TRIGGER audit_log_refuse_update")
        raw.execute(statement)
    opened = Store(f"sqlite:///{path}", check=False)
    report = opened.verify_audit()
    assert report.broken_kind == kind and report.broken_id == entry
    if kind == "cut_off":
        assert "4 entries are stored but 5 were written" in report.sentence()
    opened.dispose()


def test_cli_audit_verify_reports_the_first_broken_link(tmp_path, capsys):
    path = tmp_path / "workbench.db"
    url = f"sqlite:///{path}"
    store = Store(url)
    workspace_id = store.ensure_sample_workspace()
    step_adoption(store, workspace_id, [0.5, 0.51])
    store.dispose()
    assert main(["--database", url, "audit", "verify"]) == 0
    assert "The audit trail is intact: 3 entries" in capsys.readouterr().out
    with sqlite3.connect(path) as raw:
        raw.execute("DROP TRIGGER audit_log_refuse_update")
        raw.execute("UPDATE audit_log SET at = '2020-01-01T00:00:00.000000+00:00' WHERE id = 2")
    assert main(["--database", url, "audit", "verify"]) == 1
    captured = capsys.readouterr()
    assert "were missing or switched off and have been re-created" in captured.out
    assert captured.err.startswith("error: The audit trail is broken at entry 2 (2020-01-01 00:00:00 UTC)")
    assert captured.err.count("\n") == 1


@pytest.mark.postgres
def test_postgres_disabled_trigger_is_switched_back_on_and_the_change_found(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    store = Store(database_url)
    workspace_id = store.ensure_sample_workspace()
    step_adoption(store, workspace_id, [0.5, 0.51])
    with store._engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE audit_log DISABLE TRIGGER audit_log_refuse_update_delete")
        conn.exec_driver_sql("UPDATE audit_log SET new_value = '0.9' WHERE id = 2")
    store.dispose()
    opened = Store(database_url)
    assert [notice.kind for notice in opened.notices] == ["triggers_recreated", "chain_broken"]
    assert opened.verify_audit().broken_id == 2
    with pytest.raises(Exception, match="append-only"), opened._engine.begin() as conn:
        conn.exec_driver_sql("UPDATE audit_log SET new_value = '0.5' WHERE id = 2")
    opened.dispose()


def test_a_copy_of_the_schema_4_database_migrates_names_into_actors_and_chains_every_entry(tmp_path):
    copy = tmp_path / "workbench_v4.db"
    shutil.copyfile(FIXTURE_V4, copy)
    with sqlite3.connect(copy) as raw:
        assert raw.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] == 4
        before = raw.execute("SELECT id, at, actor, workspace_id, use_case_id, action, field_path, old_value, "
                             "new_value FROM audit_log ORDER BY id").fetchall()
        counts = {table: raw.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
                  for table in ("workspaces", "use_cases", "snapshots", "portfolio_plans", "workshop_rounds")}
    assert len(before) == 13
    store = Store(f"sqlite:///{copy}")
    assert store.schema_version() == DATABASE_SCHEMA_VERSION and store.notices == ()
    report = store.verify_audit()
    assert report.ok and report.entries == 13
    workspace_id = store.workspace_id_by_name(SAMPLE)
    after = {entry.id: entry for entry in store.audit(workspace_id)}
    # Every entry kept its content; the name it showed is now looked up through its pseudonym.
    assert [(row[0], row[2], *row[4:]) for row in before] == [
        (entry.id, entry.actor, entry.use_case_id, entry.action, entry.field_path, entry.old_value, entry.new_value)
        for entry in (after[row[0]] for row in before)]
    with sqlite3.connect(copy) as raw:
        columns = {row[1] for row in raw.execute("PRAGMA table_info(audit_log)")}
        assert "actor" not in columns and {"actor_id", "prev_hash", "entry_hash"} <= columns
        assert {row[0] for row in raw.execute("SELECT identity FROM actors")} == {
            "sample data", "M. Schneider", "Dr. Petra Vorstand", "Finance Team", "Facilitator"}
        names_in_log = raw.execute("SELECT COUNT(*) FROM audit_log WHERE actor_id NOT LIKE 'P-%'").fetchone()[0]
        assert names_in_log == 0
        assert {table: raw.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for table in counts} == counts
        triggers = {row[0] for row in raw.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        assert {"audit_log_refuse_update", "audit_log_refuse_delete"} <= triggers
        # One actor row per person and month: M. Schneider's four saves and the deletion share one pseudonym.
        assert raw.execute("SELECT COUNT(DISTINCT actor_id) FROM audit_log").fetchone()[0] == 5
    step_adoption(store, workspace_id, [0.6])
    assert store.verify_audit().ok and store.verify_audit().entries == 14
    store.dispose()


def test_the_schema_1_database_migrates_to_a_valid_chain(tmp_path):
    copy = tmp_path / "workbench_v1.db"
    shutil.copyfile(FIXTURE_V1, copy)
    store = Store(f"sqlite:///{copy}")
    report = store.verify_audit()
    assert report.ok and report.entries > 0
    workspace_id = store.list_workspaces()[0].id
    assert "M. Schneider" in {entry.actor for entry in store.audit(workspace_id)}
    store.dispose()


def test_concurrent_saves_keep_one_unbroken_chain(store):
    import threading

    workspace_id = store.workspace_id_by_name(SAMPLE)
    use_case_ids = [case.id for case in store.load(workspace_id).workspace.use_cases[:4]]
    errors: list[BaseException] = []

    def editor(use_case_id: str) -> None:
        try:
            for step in range(5):
                use_case, version = store.get_use_case(workspace_id, use_case_id)
                store.save_use_case(workspace_id, with_value(use_case, "roi.adoption", 0.3 + step / 100), version,
                                    actor=f"Editor {use_case_id}")
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=editor, args=(use_case_id,)) for use_case_id in use_case_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    report = store.verify_audit()
    assert report.ok and report.entries == 1 + 4 * 5


def test_actors_rows_hold_the_identity_and_entries_only_the_pseudonym(store):
    workspace_id = store.workspace_id_by_name(SAMPLE)
    step_adoption(store, workspace_id, [0.5], actor="ada@example.com")
    with store._engine.connect() as conn:
        actor_ids = set(conn.scalars(select(audit_log_table.c.actor_id)))
        identities = dict(conn.execute(select(actors_table.c.id, actors_table.c.identity)).all())
    assert actor_ids == set(identities) and "ada@example.com" in identities.values()
    assert not any("ada@example.com" in str(value) for row in stored_rows(store) for value in row)


def test_a_long_trail_is_verified_in_the_background_and_its_notice_follows(tmp_path, monkeypatch):
    import threading

    from core.store import audit

    path = tmp_path / "workbench.db"
    store = Store(f"sqlite:///{path}")
    step_adoption(store, store.ensure_sample_workspace(), [0.5, 0.51])
    store.dispose()
    with sqlite3.connect(path) as raw:
        raw.execute("DROP TRIGGER audit_log_refuse_update")
        raw.execute("UPDATE audit_log SET new_value = '0.99' WHERE id = 2")
    monkeypatch.setattr(audit, "SYNC_VERIFY_ENTRIES", 1)  # three entries count as a long trail here
    opened = Store(f"sqlite:///{path}")
    for thread in threading.enumerate():
        if thread.name == "audit-verify":
            thread.join(timeout=30)
    assert [notice.kind for notice in opened.notices] == ["triggers_recreated", "chain_broken"]
    opened.dispose()


@pytest.mark.postgres
def test_migration_5_on_postgresql_moves_names_into_actors_and_chains_the_entries(database_url):
    """PostgreSQL has no schema-4 fixture file: a fresh database is turned back into the schema-4 shape (names in
    ``audit_log.actor``, no chain, no actors table, the schema-1 triggers), then opened again."""
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    store = Store(database_url)
    workspace_id = store.ensure_sample_workspace()
    step_adoption(store, workspace_id, [0.5, 0.51], actor="M. Schneider")
    store.create_snapshot(workspace_id, "before", actor="Dr. Petra Vorstand")
    expected = [(entry.id, entry.actor, entry.new_value) for entry in store.audit(workspace_id)]
    with store._engine.begin() as conn:
        for statement in (
            "DROP TRIGGER audit_log_refuse_update_delete ON audit_log",
            "UPDATE audit_log SET actor_id = (SELECT identity FROM actors WHERE actors.id = audit_log.actor_id)",
            "ALTER TABLE audit_log RENAME COLUMN actor_id TO actor",
            "ALTER TABLE audit_log DROP COLUMN prev_hash",
            "ALTER TABLE audit_log DROP COLUMN entry_hash",
            "DROP TABLE actors",
            "DELETE FROM store_meta WHERE key IN ('audit_chain_head', 'audit_lookup_key')",
            "DELETE FROM schema_version WHERE version >= 5",
            "CREATE TRIGGER audit_log_refuse_update_delete BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change()",
        ):
            conn.exec_driver_sql(statement)
    store.dispose()
    migrated = Store(database_url)
    assert migrated.schema_version() == DATABASE_SCHEMA_VERSION and migrated.notices == ()
    report = migrated.verify_audit()
    assert report.ok and report.entries == len(expected) == 4
    assert [(entry.id, entry.actor, entry.new_value) for entry in migrated.audit(workspace_id)] == expected
    with migrated._engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM audit_log WHERE actor_id NOT LIKE 'P-%%'").scalar() == 0
    with pytest.raises(Exception, match="append-only"), migrated._engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM audit_log")
    migrated.dispose()
