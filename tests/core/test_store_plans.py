"""Saved S20 plans in the store (migration, save, list, compare, delete, audit) and "needs" kept inside the
workspace by every single-use-case write."""

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from core.models import PlanBudgets, SavedPlan, Workspace, with_value
from core.store import DATABASE_SCHEMA_VERSION, NotFoundError, Store, StoreError

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "workbench_v1.db"
SAMPLE = "Beispiel GmbH – KI-Portfolio"


def plan(name: str = "Budget 2027 – base", chosen=("support-chatbot", "invoice-extraction")) -> SavedPlan:
    # 120 k€ + 115 k€ of investment; S19 NPVs 1,355,448.04 € + 522,488.68 € (sample workspace).
    return SavedPlan(name=name, budgets=PlanBudgets(investment_eur=600_000.0, capacity_person_months=20.0),
                     chosen_ids=chosen, npv_eur=1_877_936.72, investment_eur=235_000.0,
                     run_cost_eur_per_month=21_500.0, capacity_person_months=15.0)


@pytest.fixture
def store(database_url):
    store = Store(database_url)
    store.ensure_sample_workspace()
    yield store
    store.dispose()


@pytest.fixture
def sample_id(store):
    return store.workspace_id_by_name(SAMPLE)


def test_a_copy_of_the_schema_1_database_migrates_and_keeps_everything(tmp_path):
    copy = tmp_path / "workbench_v1.db"
    shutil.copyfile(FIXTURE, copy)
    with sqlite3.connect(copy) as raw:
        before = {table: raw.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
                  for table in ("workspaces", "use_cases", "audit_log", "snapshots")}
        assert raw.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] == 1
    store = Store(f"sqlite:///{copy}")
    assert store.schema_version() == DATABASE_SCHEMA_VERSION
    with sqlite3.connect(copy) as raw:
        after = {table: raw.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for table in before}
        tables = {row[0] for row in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert after == before and "portfolio_plans" in tables
    workspace_id = store.list_workspaces()[0].id
    loaded = store.load(workspace_id)
    # Schema-1 use cases load with the S20 defaults: no capacity, no funding rule, no needs, DPIA not assessed.
    assert all(case.capacity_person_months == 0.0 and case.funding is None and case.needs == ()
               and case.dpia.assessed is False for case in loaded.workspace.use_cases)
    assert loaded.workspace.use_cases[0].roi.adoption == 0.55  # the fixture's one edit survives
    assert store.list_plans(workspace_id) == []
    store.save_plan(workspace_id, plan(chosen=("support-chatbot",)), "Ada")
    assert [stored.name for stored in store.list_plans(workspace_id)] == ["Budget 2027 – base"]
    store.dispose()
    reopened = Store(f"sqlite:///{copy}")
    assert reopened.schema_version() == DATABASE_SCHEMA_VERSION and len(reopened.list_plans(workspace_id)) == 1
    reopened.dispose()


def test_save_list_get_and_the_audit_entry(store, sample_id):
    first = store.save_plan(sample_id, plan(), "Ada")
    second = store.save_plan(sample_id, plan("Budget 2027 – P10", ("ticket-classification",)), "Bea")
    assert [stored.name for stored in store.list_plans(sample_id)] == ["Budget 2027 – P10", "Budget 2027 – base"]
    fetched = store.get_plan(sample_id, "Budget 2027 – base")
    assert fetched.plan == plan() and fetched.actor == "Ada" and fetched.id == first.id
    assert fetched.created_at == first.created_at
    assert second.created_at >= first.created_at
    entry = store.audit(sample_id, limit=1)[0]
    assert (entry.action, entry.actor, entry.field_path, entry.use_case_id) == ("save_plan", "Bea", "portfolio_plan",
                                                                                None)
    recorded = json.loads(entry.new_value)
    assert recorded["name"] == "Budget 2027 – P10" and recorded["chosen_ids"] == ["ticket-classification"]
    assert recorded["budgets"]["investment_eur"] == 600_000.0 and recorded["npv_eur"] == 1_877_936.72
    assert "portfolio_plan" in store.audit_csv(sample_id)


def test_a_name_is_taken_once_per_workspace(store, sample_id):
    store.save_plan(sample_id, plan(), "Ada")
    with pytest.raises(StoreError, match="a plan named 'Budget 2027 – base' already exists"):
        store.save_plan(sample_id, plan(), "Bea")
    other = store.create_workspace(Workspace(name="Other"), "Ada")
    store.save_plan(other, plan(), "Ada")
    assert len(store.list_plans(other)) == len(store.list_plans(sample_id)) == 1


def test_delete_keeps_the_plan_in_the_audit_trail(store, sample_id):
    store.save_plan(sample_id, plan(), "Ada")
    store.delete_plan(sample_id, "Budget 2027 – base", "Bea")
    assert store.list_plans(sample_id) == []
    entry = store.audit(sample_id, limit=1)[0]
    assert entry.action == "delete_plan" and json.loads(entry.old_value)["name"] == "Budget 2027 – base"
    with pytest.raises(NotFoundError):
        store.get_plan(sample_id, "Budget 2027 – base")
    with pytest.raises(NotFoundError):
        store.delete_plan(sample_id, "Budget 2027 – base", "Bea")
    with pytest.raises(NotFoundError):
        store.list_plans("no-such-workspace")


def test_a_saved_plan_validates_at_the_model_boundary():
    with pytest.raises(ValueError, match="chosen_ids"):
        plan(chosen=("a", "a"))
    with pytest.raises(ValueError, match="investment_eur"):
        SavedPlan(name="x", budgets=PlanBudgets(investment_eur=-1.0), chosen_ids=(), npv_eur=0.0,
                  investment_eur=0.0, run_cost_eur_per_month=0.0, capacity_person_months=0.0)


def test_a_use_case_may_need_only_live_use_cases(store, sample_id):
    chatbot, version = store.get_use_case(sample_id, "support-chatbot")
    with pytest.raises(StoreError, match="'support-chatbot' needs 'nope', which is not a use case"):
        store.save_use_case(sample_id, with_value(chatbot, "needs", ["nope"]), version, "Ada")
    store.delete_use_case(sample_id, "meeting-minutes", "Ada")
    with pytest.raises(StoreError, match="needs 'meeting-minutes'"):
        store.save_use_case(sample_id, with_value(chatbot, "needs", ["meeting-minutes"]), version, "Ada")
    store.save_use_case(sample_id, with_value(chatbot, "needs", ["invoice-extraction"]), version, "Ada")
    assert store.load(sample_id).workspace.use_case("support-chatbot").needs == ("invoice-extraction",)


def test_a_needed_use_case_cannot_be_deleted_and_a_restore_needs_its_needs(store, sample_id):
    # Sample: contract-clause-search needs support-chatbot.
    with pytest.raises(StoreError, match="'support-chatbot' cannot be deleted: contract-clause-search needs it"):
        store.delete_use_case(sample_id, "support-chatbot", "Ada")
    store.delete_use_case(sample_id, "contract-clause-search", "Ada")
    store.delete_use_case(sample_id, "support-chatbot", "Ada")
    with pytest.raises(StoreError, match="'contract-clause-search' needs 'support-chatbot'"):
        store.restore_use_case(sample_id, "contract-clause-search", "Ada")
    store.restore_use_case(sample_id, "support-chatbot", "Ada")
    store.restore_use_case(sample_id, "contract-clause-search", "Ada")
    assert "contract-clause-search" in store.load(sample_id).versions
