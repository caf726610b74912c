"""S23 roles in the store: every role × write action, on SQLite and PostgreSQL, across two Store instances (two
engines, as two app processes) on one database; the embedded default without access control; migration 7 on a
copy of a schema-4 sample database; purge for good."""

import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from core.models import PlanBudgets, SavedPlan, Workspace, with_value
from core.store import (
    DATABASE_SCHEMA_VERSION,
    Identity,
    NotFoundError,
    PermissionDenied,
    Store,
    StoreError,
    audit_log_table,
    principal_keys,
)
from core.workshop import define_round

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_V4 = ROOT / "tests" / "fixtures" / "workbench_v4_roles.db"
SAMPLE = "Beispiel GmbH – KI-Portfolio"
ADMIN = Identity(subject="root-1", email="admin@example.com", name="Ada Admin")
OWNER = Identity(subject="anna", email="anna@example.com", name="Anna Schneider")
EDITOR = Identity(subject="ben", email="ben@example.com", name="Ben Weber")
VIEWER = Identity(subject="clara", email="clara@example.com", name="Clara Wolf")
STRANGER = Identity(subject="dave", email="dave@example.com", name="Dave Klein")
ROLE_HOLDERS = {"owner": OWNER, "editor": EDITOR, "viewer": VIEWER, None: STRANGER}


@pytest.fixture
def shared(database_url):
    """Two stores on one database with access control on; Anna owns a copy of the sample, Ben edits, Clara views."""
    first = Store(database_url, admins=frozenset({ADMIN.email}))
    first.ensure_sample_workspace()
    first.enable_access_control()
    second = Store(database_url, admins=frozenset({ADMIN.email}))
    sample_id = first.workspace_id_by_name(SAMPLE)
    workspace_id = first.duplicate_workspace(sample_id, "Claims", ADMIN.actor)
    first.set_member_role(workspace_id, OWNER.email, "owner", ADMIN.actor)
    first.remove_member(workspace_id, ADMIN.subject, OWNER.actor)
    second.set_member_role(workspace_id, "Ben@Example.com", "editor", OWNER.actor)
    second.set_member_role(workspace_id, VIEWER.subject, "viewer", OWNER.actor)
    yield first, second, workspace_id
    first.dispose()
    second.dispose()


def _first_use_case(store, workspace_id):
    loaded = store.load(workspace_id)
    use_case = loaded.workspace.use_cases[0]
    return use_case, loaded.versions[use_case.id]


def _save(store, workspace_id, actor):
    use_case, version = _first_use_case(store, workspace_id)
    store.save_use_case(workspace_id, with_value(use_case, "roi.adoption", 0.5 if use_case.roi.adoption != 0.5
                                                 else 0.4), version, actor)


def _delete_and_restore(store, workspace_id, actor):
    use_case = store.load(workspace_id).workspace.use_cases[-1]  # nothing needs the last one
    store.delete_use_case(workspace_id, use_case.id, actor)
    store.restore_use_case(workspace_id, use_case.id, actor)


def _apply(store, workspace_id, actor):
    use_case, version = _first_use_case(store, workspace_id)
    store.apply_changes(workspace_id, [(use_case.id, "roi.adoption", 0.33)], {use_case.id: version}, actor)


def _gate(store, workspace_id, actor):
    use_case, _ = _first_use_case(store, workspace_id)
    store.record_gate_decision(workspace_id, use_case.id, "poc_to_pilot", "go", [], actor)


def _settings(store, workspace_id, actor):
    settings = store.workspace_settings(workspace_id)
    rate = 0.1 if settings.default_discount_rate_per_year != 0.1 else 0.09
    store.save_settings(workspace_id, actor, settings=settings.model_copy(update={"default_discount_rate_per_year":
                                                                                rate}))


def _snapshot(store, workspace_id, actor):
    store.create_snapshot(workspace_id, f"by {principal_keys(actor) and sorted(principal_keys(actor))[0]}", actor)


def _restore_snapshot(store, workspace_id, actor):
    store.restore_snapshot(workspace_id, "baseline", actor)


def _plan(store, workspace_id, actor):
    plan = SavedPlan(name="Budget", budgets=PlanBudgets(investment_eur=600_000.0), chosen_ids=("support-chatbot",),
                     npv_eur=1.0, investment_eur=1.0, run_cost_eur_per_month=1.0, capacity_person_months=0.0)
    store.save_plan(workspace_id, plan, actor)
    store.delete_plan(workspace_id, "Budget", actor)


def _round(store, workspace_id, actor):
    use_cases = store.load(workspace_id).workspace.use_cases[:1]
    opened = store.open_round(workspace_id, define_round(use_cases, ("roi.adoption",), "Kick-off"), actor)
    store.close_round(opened.id, actor)
    store.reopen_round(opened.id, actor)


def _rename(store, workspace_id, actor):
    store.rename_workspace(workspace_id, f"Claims {sorted(principal_keys(actor))[0]}", actor)


def _members(store, workspace_id, actor):
    store.set_member_role(workspace_id, "erik@example.com", "viewer", actor)
    store.remove_member(workspace_id, "erik@example.com", actor)


def _purge(store, workspace_id, actor):
    store.purge_workspace(workspace_id, store.load(workspace_id).workspace.name, actor)


# The least role each write needs (S23): editors change use cases, gates, settings, snapshots, plans and rounds;
# owners also rename, restore a snapshot over the workspace, manage members and delete for good.
ACTIONS = {
    "save": (_save, "editor"),
    "delete/restore": (_delete_and_restore, "editor"),
    "import pack changes": (_apply, "editor"),
    "gate decision": (_gate, "editor"),
    "settings": (_settings, "editor"),
    "snapshot": (_snapshot, "editor"),
    "plans": (_plan, "editor"),
    "rounds": (_round, "editor"),
    "restore snapshot": (_restore_snapshot, "owner"),
    "rename": (_rename, "owner"),
    "members": (_members, "owner"),
    "purge": (_purge, "owner"),
}
RANK = {None: 0, "viewer": 1, "editor": 2, "owner": 3}


@pytest.mark.parametrize("role", ["owner", "editor", "viewer", None])
@pytest.mark.parametrize("action", list(ACTIONS))
def test_every_role_and_write_action_on_one_database_through_two_stores(shared, role, action):
    first, second, workspace_id = shared
    first.create_snapshot(workspace_id, "baseline", OWNER.actor)
    perform, needed = ACTIONS[action]
    actor = ROLE_HOLDERS[role].actor
    audit_rows = len(first.audit(workspace_id))
    if RANK[role] >= RANK[needed]:
        perform(second, workspace_id, actor)
        if action != "purge":
            assert len(first.audit(workspace_id)) > audit_rows
        return
    with pytest.raises(PermissionDenied) as refused:
        perform(second, workspace_id, actor)
    assert refused.value.needed == needed and refused.value.held == role
    assert ("has no role" if role is None else f"is {role}") in str(refused.value)
    assert len(first.audit(workspace_id)) == audit_rows  # nothing written


def test_a_role_granted_in_one_store_holds_in_the_other_and_a_revocation_too(shared):
    first, second, workspace_id = shared
    with pytest.raises(PermissionDenied):
        _save(second, workspace_id, STRANGER.actor)
    first.set_member_role(workspace_id, STRANGER.email, "editor", OWNER.actor)
    _save(second, workspace_id, STRANGER.actor)
    assert [info.role for info in second.workspaces_for(STRANGER.actor)] == ["editor"]
    first.set_member_role(workspace_id, STRANGER.email, "viewer", OWNER.actor)
    with pytest.raises(PermissionDenied):
        _save(second, workspace_id, STRANGER.actor)
    first.remove_member(workspace_id, STRANGER.email, OWNER.actor)
    assert second.workspaces_for(STRANGER.actor) == []


def test_each_person_sees_only_the_workspaces_they_hold_a_role_on(shared):
    first, _, workspace_id = shared
    assert [(info.name, info.role) for info in first.workspaces_for(OWNER.actor)] == [("Claims", "owner")]
    assert [(info.name, info.role) for info in first.workspaces_for(VIEWER.actor)] == [("Claims", "viewer")]
    assert first.workspaces_for(STRANGER.actor) == []
    # The admin owns the sample (it has no owner) but no longer Claims, which Anna owns.
    assert [(info.name, info.role) for info in first.workspaces_for(ADMIN.actor)] == [(SAMPLE, "owner")]
    assert first.role_of(workspace_id, ADMIN.actor) is None
    assert first.may(workspace_id, EDITOR.actor, "edit") and not first.may(workspace_id, EDITOR.actor, "members")


def test_creating_or_importing_makes_you_the_owner_and_nobody_else_sees_it(shared):
    first, second, workspace_id = shared
    created = second.create_workspace(Workspace(name="Ben's own"), EDITOR.actor)
    imported = first.import_json(first.export_json(workspace_id), VIEWER.actor, name="Clara's copy")
    assert first.role_of(created, EDITOR.actor) == "owner" and first.role_of(created, OWNER.actor) is None
    assert first.role_of(imported, VIEWER.actor) == "owner"
    assert [member.principal for member in first.members(created)] == ["ben"]
    with pytest.raises(PermissionDenied):
        first.duplicate_workspace(created, "Stolen", STRANGER.actor)


def test_a_workspace_keeps_an_owner(shared):
    first, _, workspace_id = shared
    with pytest.raises(StoreError, match="at least one owner"):
        first.set_member_role(workspace_id, OWNER.email, "viewer", OWNER.actor)
    with pytest.raises(StoreError, match="at least one owner"):
        first.remove_member(workspace_id, OWNER.email, OWNER.actor)


def test_a_typed_name_is_nobody_once_access_control_is_on(shared):
    first, _, workspace_id = shared
    with pytest.raises(PermissionDenied):
        _save(first, workspace_id, "Dr. Petra Vorstand (CEO)")
    with pytest.raises(PermissionDenied):
        first.create_workspace(Workspace(name="Typed"), "Dr. Petra Vorstand (CEO)")


def test_participants_answer_with_their_round_token_alone(shared):
    first, second, workspace_id = shared
    use_cases = first.load(workspace_id).workspace.use_cases[:1]
    opened = first.open_round(workspace_id, define_round(use_cases, ("roi.adoption",), "Kick-off"), EDITOR.actor)
    from core.workshop import Answer

    _, secret = second.join_round(opened.token, "Anyone at all")
    second.save_answer(opened.token, secret, use_cases[0].id, "roi.adoption", Answer(low=0.4, value=0.5, high=0.6))
    second.submit_answers(opened.token, secret)
    assert first.round_progress(opened.id).submitted == 1


def test_purge_deletes_the_workspace_for_good_and_keeps_the_audit_trail(shared):
    first, second, workspace_id = shared
    first.create_snapshot(workspace_id, "baseline", OWNER.actor)
    _plan(first, workspace_id, EDITOR.actor)
    _round(first, workspace_id, EDITOR.actor)
    with pytest.raises(ValueError, match="exactly"):
        first.purge_workspace(workspace_id, "claims", OWNER.actor)
    second.purge_workspace(workspace_id, "Claims", OWNER.actor)
    with pytest.raises(NotFoundError):
        first.load(workspace_id)
    assert first.workspaces_for(OWNER.actor) == [] and first.members(workspace_id) == []
    assert "Claims" not in {info.name for info in first.list_workspaces()}
    with first._read() as conn:
        actions = list(conn.scalars(select(audit_log_table.c.action).where(
            audit_log_table.c.workspace_id == workspace_id).order_by(audit_log_table.c.id)))
    assert actions[0] == "duplicate_workspace" and actions[-1] == "purge_workspace"
    first.create_workspace(Workspace(name="Claims"), OWNER.actor)  # the name is free again


def test_an_erasure_covers_every_workspace_so_only_an_instance_admin_may_carry_it_out(shared):
    first, second, workspace_id = shared
    _save(first, workspace_id, EDITOR.actor)
    with pytest.raises(PermissionDenied, match="not an instance admin"):
        second.erase_identity(EDITOR.actor, OWNER.actor)
    report = first.erase_identity(EDITOR.actor, ADMIN.actor)
    assert workspace_id in report.pseudonyms
    assert EDITOR.actor not in {entry.actor for entry in first.audit(workspace_id)}
    assert first.verify_audit().ok


def test_without_access_control_everyone_has_full_rights_as_before(database_url):
    store = Store(database_url, admins=frozenset({ADMIN.email}))
    store.ensure_sample_workspace()
    sample_id = store.workspace_id_by_name(SAMPLE)
    _save(store, sample_id, "M. Schneider")
    store.create_snapshot(sample_id, "baseline", "anonymous")
    _restore_snapshot(store, sample_id, "Dr. Petra Vorstand (CEO)")
    created = store.create_workspace(Workspace(name="Local"), "anonymous")
    assert store.members(created) == []  # no owner rows: the admins own it once sign-in is turned on
    assert store.role_of(sample_id, "anyone") == "owner"
    assert [info.role for info in store.workspaces_for("anyone")] == ["owner", "owner"]
    assert not store.access_control_enabled()
    store.enable_access_control()
    assert store.role_of(created, ADMIN.actor) == "owner" and store.role_of(created, "anonymous") is None
    store.dispose()


def test_principal_keys_read_the_email_and_subject_of_an_actor():
    assert principal_keys(OWNER.actor) == {"anna@example.com", "anna"}
    assert OWNER.actor == "Anna Schneider <anna@example.com> [anna]"
    assert principal_keys("svc-workbench@Example.com") == {"svc-workbench@example.com"}
    assert principal_keys("ci-bot") == {"ci-bot"}
    assert principal_keys("Dr. Petra Vorstand (CEO)") == frozenset()
    long = Identity(subject="s" * 40, email="e@example.com", name="N" * 300).actor
    assert len(long) == 200 and principal_keys(long) == {"e@example.com", "s" * 40}
    # A display name set at the provider cannot smuggle in someone else's e-mail or subject.
    forged = Identity(subject="mallory", email=None, name="X <anna@example.com> [anna]").actor
    assert principal_keys(forged) == {"mallory"}


def test_a_copy_of_a_schema_4_sample_database_migrates_to_roles_without_losing_anything(tmp_path):
    copy = tmp_path / "workbench_v4_roles.db"
    shutil.copyfile(FIXTURE_V4, copy)
    tables = ("workspaces", "use_cases", "audit_log", "snapshots")
    with sqlite3.connect(copy) as raw:
        before = {table: raw.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for table in tables}
        assert raw.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] == 4
    store = Store(f"sqlite:///{copy}", admins=frozenset({ADMIN.email}))
    assert store.schema_version() == DATABASE_SCHEMA_VERSION
    with sqlite3.connect(copy) as raw:
        after = {table: raw.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for table in tables}
        assert raw.execute("SELECT COUNT(*) FROM workspace_members").fetchone()[0] == 0
    assert after == before
    sample_id = store.workspace_id_by_name(SAMPLE)
    assert store.load(sample_id).workspace.use_cases[0].roi.adoption == 0.55  # the fixture's edit
    store.enable_access_control()
    assert [info.role for info in store.workspaces_for(ADMIN.actor)] == ["owner"]
    store.set_member_role(sample_id, VIEWER.email, "viewer", ADMIN.actor)
    with pytest.raises(PermissionDenied):
        _save(store, sample_id, VIEWER.actor)
    store.dispose()


def test_the_cli_acts_as_the_service_identity_once_roles_are_on(tmp_path, monkeypatch, capsys):
    from core.cli import SERVICE_IDENTITY_ENV, main

    url = f"sqlite:///{tmp_path / 'workbench.db'}"
    store = Store(url, admins=frozenset())
    store.ensure_sample_workspace()
    assert main(["--database", url, "--actor", "Ada", "snapshot", SAMPLE, "--label", "before roles"]) == 0
    store.enable_access_control()
    sample_id = store.workspace_id_by_name(SAMPLE)
    monkeypatch.delenv("WORKBENCH_ADMINS", raising=False)
    monkeypatch.setenv(SERVICE_IDENTITY_ENV, "svc-workbench@example.com")
    capsys.readouterr()
    assert main(["--database", url, "--actor", "Dr. Petra Vorstand (CEO)", "snapshot", SAMPLE, "--label", "x"]) == 1
    error = capsys.readouterr().err
    assert "permission denied: svc-workbench@example.com has no role" in error and SERVICE_IDENTITY_ENV in error
    assert main(["--database", url, "workspaces", "list"]) == 0 and capsys.readouterr().out == "no workspaces\n"
    with pytest.raises(PermissionDenied):
        store.set_member_role(sample_id, "svc-workbench@example.com", "editor", "anyone")
    boss = Store(url, admins=frozenset({"boss@example.com"}))
    boss.set_member_role(sample_id, "svc-workbench@example.com", "editor", "Boss <boss@example.com> [boss]")
    assert main(["--database", url, "--actor", "Dr. Petra Vorstand (CEO)", "snapshot", SAMPLE, "--label", "x"]) == 0
    assert store.audit(sample_id, limit=1)[0].actor == "svc-workbench@example.com"
    capsys.readouterr()
    assert main(["--database", url, "workspaces", "list"]) == 0 and capsys.readouterr().out.endswith("\teditor\n")
    assert main(["--database", url, "restore", SAMPLE, "--snapshot", "x"]) == 1  # restoring over needs an owner
    assert "needs owner" in capsys.readouterr().err
    boss.dispose()
    store.dispose()


# Writes that need no workspace role: a participant's round token is their access (S21), the sample loads once
# without an owner, and access control itself is switched on by the app's configuration.
# The participants' writes hold a round token instead of a role; the rest is the store's own upkeep (the start-up
# check, retention) and pseudonym rows written when a name is looked up, none of them a change of content. Dropping
# one's own refused draft only deletes that person's row (keeping one needs a role: AccessOps.keep_draft); listing
# them reads (or creates, once) the audit key their owner is hashed with.
ROLE_FREE_WRITES = {"join_round", "save_answer", "save_answers", "submit_answers", "ensure_sample_workspace",
                    "startup_check", "apply_retention", "pseudonyms_of", "shown_identity", "drop_draft",
                    "drafts_for"}


def test_every_public_write_method_of_the_store_is_checked_by_role():
    import inspect
    import re

    from core.store.access import AccessOps

    methods = {name: inspect.getsource(function) for base in Store.__mro__[2:]
               for name, function in vars(base).items() if callable(function) and not name.startswith("__")}
    writers = {"_write", "_participant_write"}
    grown = True
    while grown:  # a method writes when it calls _write or a method that does (e.g. _create, _set_deleted)
        found = {name for name, source in methods.items()
                 if any(re.search(rf"self\.{re.escape(writer)}\(", source) for writer in writers)}
        grown = not found <= writers
        writers |= found
    public = {name for name in writers if not name.startswith("_")}
    assert {"save_use_case", "create_workspace", "delete_use_case", "close_round", "import_json"} <= public
    unchecked = sorted(public - ROLE_FREE_WRITES - set(vars(AccessOps)))
    assert not unchecked, f"add these writes to core/store/access.AccessOps with their S23 role: {unchecked}"


def test_a_migration_missing_below_the_newest_applied_one_is_applied_at_the_next_start(tmp_path):
    # Migrations developed side by side get merged in any order: a database that already has 7 still gets a 5 or 6.
    url = f"sqlite:///{tmp_path / 'workbench.db'}"
    Store(url).dispose()
    with sqlite3.connect(tmp_path / "workbench.db") as raw:
        raw.execute("DELETE FROM schema_version WHERE version = 3")
    store = Store(url)
    with sqlite3.connect(tmp_path / "workbench.db") as raw:
        versions = [row[0] for row in raw.execute("SELECT version FROM schema_version ORDER BY version")]
    assert 3 in versions and store.schema_version() == DATABASE_SCHEMA_VERSION
    store.dispose()
