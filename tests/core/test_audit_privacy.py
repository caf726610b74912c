"""S23 audit trail and personal data: pseudonymised mode, retention, the erasure command, and the steps of a drag
read as one entry (issue 13); the chain stays verifiable across all of them (issue 12)."""

import hashlib
import hmac
import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from core.cli import main
from core.models import WorkspaceSettings, with_value
from core.store import DATABASE_SCHEMA_VERSION, AuditEntry, Store, coalesce_entries
from core.store.actors import months_before
from core.store.schema import actors_table

FIXTURE_V4 = Path(__file__).resolve().parents[1] / "fixtures" / "workbench_v4.db"
SAMPLE = "Beispiel GmbH – KI-Portfolio"
SECRET = "test-secret-0123456789"
PERSON = "Ida Tester"


@pytest.fixture
def store(database_url):
    store = Store(database_url, audit_secret=SECRET)
    store.ensure_sample_workspace()
    yield store
    store.dispose()


def step(store, workspace_id, values, actor=PERSON, field="roi.adoption", use_case_id="support-chatbot"):
    for value in values:
        use_case, version = store.get_use_case(workspace_id, use_case_id)
        store.save_use_case(workspace_id, with_value(use_case, field, value), version, actor=actor)


def every_stored_value(store) -> list[object]:
    """Every cell of every table, to show where a name is (not) kept."""
    from core.store import metadata
    from core.store.schema import actors_metadata, portfolio_plans_metadata, workshop_metadata

    values: list[object] = []
    with store._engine.connect() as conn:
        for meta in (metadata, actors_metadata, portfolio_plans_metadata, workshop_metadata):
            for table in meta.sorted_tables:
                for row in conn.execute(select(table)):
                    values.extend(row)
    return values


def test_pseudonymised_mode_stores_a_keyed_hash_instead_of_the_person(store):
    workspace_id = store.workspace_id_by_name(SAMPLE)
    step(store, workspace_id, [0.5])
    assert store.audit(workspace_id, limit=1)[0].actor == PERSON
    store.save_settings(workspace_id, "Olga Oberhaupt", settings=WorkspaceSettings(audit_pseudonymised=True))
    step(store, workspace_id, [0.6, 0.7], actor="Jan Jansen")
    entries = store.audit(workspace_id)
    # Switching it on removes the names already there too; every actor shows as its pseudonym.
    assert all(entry.actor == entry.actor_id and entry.actor.startswith("P-") for entry in entries)
    assert not any(name in str(value) for value in every_stored_value(store)
                   for name in (PERSON, "Jan Jansen", "Olga Oberhaupt"))
    # The keyed hash, by hand: HMAC-SHA256(secret, workspace id + line feed + identity).
    expected = hmac.new(SECRET.encode(), f"{workspace_id}\nJan Jansen".encode(), hashlib.sha256).hexdigest()
    with store._engine.connect() as conn:
        keys = set(conn.scalars(select(actors_table.c.lookup_key).where(actors_table.c.workspace_id == workspace_id)))
    assert expected in keys
    # Someone who knows the identity and the secret (an owner's view) finds the pseudonym; one pseudonym per person.
    found = store.pseudonyms_of(workspace_id, ["Jan Jansen", "Nobody"])
    assert list(found.values()) == ["Jan Jansen"]
    assert {entry.actor_id for entry in entries if entry.field_path == "roi.adoption"
            and entry.new_value in ("0.6", "0.7")} == set(found)
    assert store.shown_identity(workspace_id, "Jan Jansen") == next(iter(found))
    assert store.verify_audit().ok


def test_retention_replaces_old_identities_by_pseudonyms_and_keeps_the_changes(store):
    workspace_id = store.workspace_id_by_name(SAMPLE)
    step(store, workspace_id, [0.5])
    store.save_settings(workspace_id, "Olga Oberhaupt", settings=WorkspaceSettings(audit_retention_months=24))
    assert store.apply_retention() == 0  # everything is from this month
    before = store.audit(workspace_id)
    later = datetime.now(UTC) + timedelta(days=31 * 26)
    assert store.apply_retention(moment=later) == 3  # sample data, Ida Tester, Owner (this month's rows)
    after = store.audit(workspace_id)
    assert [(e.id, e.action, e.field_path, e.old_value, e.new_value) for e in after] == [
        (e.id, e.action, e.field_path, e.old_value, e.new_value) for e in before]
    assert {entry.actor for entry in after} == {entry.actor_id for entry in after}
    assert store.verify_audit().ok


def test_months_before_counts_calendar_months():
    assert months_before(datetime(2026, 12, 3, tzinfo=UTC), 24) == "2024-12"
    assert months_before(datetime(2026, 1, 31, tzinfo=UTC), 1) == "2025-12"


def test_erasure_replaces_the_identity_everywhere_with_one_entry_and_a_valid_chain(tmp_path, capsys):
    copy = tmp_path / "workbench_v4.db"
    shutil.copyfile(FIXTURE_V4, copy)
    url = f"sqlite:///{copy}"
    store = Store(url)
    workspace_id = store.workspace_id_by_name(SAMPLE)
    deleted_before = store.list_deleted(workspace_id)
    assert deleted_before[0].deleted_by == "M. Schneider"
    store.dispose()
    assert main(["--database", url, "--actor", "DPO", "audit", "erase", "--identity", "M. Schneider"]) == 0
    out = capsys.readouterr().out
    assert "now P-" in out and "The audit trail is intact: 14 entries" in out
    store = Store(url)
    entries = store.audit(workspace_id)
    erasure = entries[0]
    assert (erasure.action, erasure.actor) == ("erase_identity", "DPO") and "M. Schneider" not in erasure.new_value
    pseudonym = store.list_deleted(workspace_id)[0].deleted_by
    assert pseudonym.startswith("P-") and pseudonym in erasure.new_value
    assert {entry.actor for entry in entries if entry.action == "delete_use_case"} == {pseudonym}
    with sqlite3.connect(copy) as raw:
        actor_columns = [("audit_log", "actor_id"), ("actors", "identity"), ("use_cases", "updated_by"),
                         ("workspaces", "updated_by"), ("snapshots", "actor"), ("portfolio_plans", "actor"),
                         ("workshop_rounds", "updated_by"), ("workshop_adoptions", "actor")]
        for table, column in actor_columns:
            assert raw.execute(f"SELECT COUNT(*) FROM {table} WHERE {column} = 'M. Schneider'").fetchone()[0] == 0
    assert store.verify_audit().ok and store.verify_audit().entries == 14
    # An unknown identity changes nothing and writes nothing.
    assert store.erase_identity("Nobody at all", actor="DPO").pseudonyms == {}
    assert store.verify_audit().entries == 14
    store.dispose()


def test_erasure_on_both_databases_finds_pseudonymised_rows_too(store):
    workspace_id = store.workspace_id_by_name(SAMPLE)
    step(store, workspace_id, [0.5])
    store.create_snapshot(workspace_id, "mine", actor=PERSON)
    store.save_settings(workspace_id, "Olga Oberhaupt", settings=WorkspaceSettings(audit_pseudonymised=True))
    step(store, workspace_id, [0.6])
    report = store.erase_identity(PERSON, actor="DPO")
    assert list(report.pseudonyms) == [workspace_id] and report.rows["actors"] == 2
    assert store.pseudonyms_of(workspace_id, [PERSON]) == {}  # the keyed hash is gone as well
    assert store.verify_audit().ok


def entry(id_, seconds, actor="Ada", field="roi.adoption", old="0.5", new="0.51", action="update_use_case",
          use_case="uc-1"):
    return AuditEntry(id=id_, at=datetime(2026, 12, 3, 10, 0, tzinfo=UTC) + timedelta(seconds=seconds),
                      actor=actor, workspace_id="w", use_case_id=use_case, action=action, field_path=field,
                      old_value=old, new_value=new, actor_id=f"P-{actor}")


def test_a_drag_reads_as_one_entry_from_the_first_old_to_the_last_new_value():
    drag = [entry(i, i * 0.2, old=f"0.{50 + i}", new=f"0.{51 + i}") for i in range(1, 25)]
    merged = coalesce_entries(drag[::-1])
    assert len(merged) == 1
    assert (merged[0].old_value, merged[0].new_value, merged[0].steps, merged[0].id) == ("0.51", "0.75", 24, 24)


def test_another_actor_a_pause_or_another_field_ends_a_run():
    entries = [
        entry(1, 0, old="0.5", new="0.51"), entry(2, 1, old="0.51", new="0.52"),
        entry(3, 2, actor="Bob", old="0.52", new="0.6"),       # Bob in between: Ada's next step is a new run
        entry(4, 3, old="0.6", new="0.61"),
        entry(5, 4, field="roi.volume_cases_per_month", old="1", new="2"),  # another field: its own entry
        entry(6, 5, old="0.61", new="0.62"),                   # Ada's run on adoption goes on across it
        entry(7, 5 + 31, old="0.62", new="0.63"),              # more than 30 s later: a new entry
        entry(8, 37, action="restore_snapshot", old="0.63", new="0.5"),  # not an edit step
    ]
    merged = coalesce_entries(entries[::-1])
    assert [(e.id, e.actor, e.old_value, e.new_value, e.steps) for e in merged] == [
        (8, "Ada", "0.63", "0.5", 1),
        (7, "Ada", "0.62", "0.63", 1),
        (6, "Ada", "0.6", "0.62", 2),
        (5, "Ada", "1", "2", 1),
        (3, "Bob", "0.52", "0.6", 1),
        (2, "Ada", "0.5", "0.52", 2),
    ]


def test_the_store_csv_and_the_pack_merge_the_steps_but_keep_every_stored_entry(store):
    workspace_id = store.workspace_id_by_name(SAMPLE)
    step(store, workspace_id, [0.50, 0.51, 0.52, 0.53, 0.54])
    raw = store.audit(workspace_id)
    merged = store.audit(workspace_id, coalesce=True)
    assert len(raw) == 6 and len(merged) == 2
    assert (merged[0].old_value, merged[0].new_value, merged[0].steps) == ("0.62", "0.54", 5)
    csv_lines = store.audit_csv(workspace_id).splitlines()
    assert len(csv_lines) == 3 and csv_lines[1].split(",")[-2] == "5"
    assert len(store.audit_csv(workspace_id, coalesce=False).splitlines()) == 7
    assert store.verify_audit().entries == 6


def test_restoring_an_older_snapshot_keeps_the_audit_privacy_rules(store):
    workspace_id = store.workspace_id_by_name(SAMPLE)
    store.create_snapshot(workspace_id, "before the works council", actor=PERSON)
    store.save_settings(workspace_id, "Olga Oberhaupt",
                        settings=WorkspaceSettings(audit_pseudonymised=True, audit_retention_months=12))
    store.restore_snapshot(workspace_id, "before the works council", actor="Jan Jansen")
    settings = store.workspace_settings(workspace_id)
    assert settings.audit_pseudonymised is True and settings.audit_retention_months == 12
    assert store.audit(workspace_id, limit=1)[0].actor.startswith("P-")
    assert store.verify_audit().ok


OWNER = "Olga Oberhaupt <olga@example.com> [olga]"
VIEWER = "Vera Viewer <vera@example.com> [vera]"
FIXTURE_V8 = Path(__file__).resolve().parents[1] / "fixtures" / "workbench_v8_pseudonymised.db"


def test_owners_read_the_names_a_pseudonymised_workspace_keeps_sealed_everyone_else_the_pseudonyms(database_url):
    store = Store(database_url, audit_secret=SECRET, admins=frozenset({"olga@example.com"}))
    store.ensure_sample_workspace()
    workspace_id = store.workspace_id_by_name(SAMPLE)
    store.enable_access_control()
    store.set_member_role(workspace_id, "vera@example.com", "viewer", actor=OWNER)
    store.save_settings(workspace_id, OWNER, settings=WorkspaceSettings(audit_pseudonymised=True))
    step(store, workspace_id, [0.6], actor=OWNER)
    latest = store.audit(workspace_id, limit=1)[0]
    assert latest.actor == latest.actor_id  # without a reader, the pseudonym
    assert store.audit(workspace_id, limit=1, names_for=OWNER)[0].actor == OWNER
    assert store.audit(workspace_id, limit=1, names_for=VIEWER)[0].actor == latest.actor_id
    assert OWNER in store.audit_csv(workspace_id, names_for=OWNER)
    assert OWNER not in store.audit_csv(workspace_id, names_for=VIEWER)
    # Sealed, not stored: no table holds the name as text, and another secret reads nothing.
    assert not any(OWNER in str(value) or "Olga" in str(value) for value in every_stored_value(store))
    store.dispose()
    other = Store(database_url, audit_secret="another secret", admins=frozenset({"olga@example.com"}))
    assert other.audit(workspace_id, limit=1, names_for=OWNER)[0].actor == latest.actor_id
    other.dispose()


def test_retention_and_erasure_take_the_sealed_names_as_well(store):
    workspace_id = store.workspace_id_by_name(SAMPLE)
    store.save_settings(workspace_id, "Olga Oberhaupt",
                        settings=WorkspaceSettings(audit_pseudonymised=True, audit_retention_months=24))
    step(store, workspace_id, [0.6])
    assert store.audit(workspace_id, limit=1, names_for="local")[0].actor == PERSON
    assert store.apply_retention() == 0
    later = datetime.now(UTC) + timedelta(days=31 * 26)
    assert store.apply_retention(moment=later) >= 1
    assert store.audit(workspace_id, limit=1, names_for="local")[0].actor.startswith("P-")
    step(store, workspace_id, [0.7], actor="Jan Jansen")
    assert store.audit(workspace_id, limit=1, names_for="local")[0].actor == "Jan Jansen"
    store.erase_identity("Jan Jansen", actor="DPO")
    assert all(entry.actor != "Jan Jansen" for entry in store.audit(workspace_id, names_for="local"))
    assert store.verify_audit().ok


def test_migration_9_adds_the_sealed_identity_to_a_copy_of_todays_database_and_loses_nothing(tmp_path):
    copy = tmp_path / "workbench_v8.db"
    shutil.copyfile(FIXTURE_V8, copy)
    with sqlite3.connect(copy) as raw:
        before = raw.execute("SELECT id, period, identity, status FROM actors ORDER BY id").fetchall()
        entries_before = raw.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0]
    store = Store(f"sqlite:///{copy}", audit_secret="fixture-secret")
    assert store.schema_version() == DATABASE_SCHEMA_VERSION >= 9
    workspace_id = store.workspace_id_by_name(SAMPLE)
    assert store.verify_audit().ok and store.verify_audit().entries == entries_before
    # Rows pseudonymised before migration 9 never kept the identity: the owner's view shows their pseudonyms.
    assert all(entry.actor.startswith("P-") for entry in store.audit(workspace_id, names_for="local"))
    step(store, workspace_id, [0.65], actor="Dr. Petra Vorstand")
    assert store.audit(workspace_id, limit=1, names_for="local")[0].actor == "Dr. Petra Vorstand"
    store.dispose()
    with sqlite3.connect(copy) as raw:
        after = raw.execute("SELECT id, period, identity, status FROM actors ORDER BY id").fetchall()
    assert after[:len(before)] == before or set(before) <= set(after)
