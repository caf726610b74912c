"""Issue 13: two people editing different fields of one use case both keep their edit (a three-way merge
against the version each saw); only the same field changed by both is refused, naming the field."""

import pytest

from core.models import merge_three_way, with_value, with_values
from core.store import ConflictError, Store
from tests.core.test_store import make_use_case, make_workspace


@pytest.fixture
def store(database_url):
    store = Store(database_url)
    yield store
    store.dispose()


def test_edits_of_different_fields_from_the_same_version_both_stay(store):
    workspace_id = store.create_workspace(make_workspace(), actor="Ada")
    seen = store.load(workspace_id).workspace.use_case("uc-0")
    store.save_use_case(workspace_id, with_value(seen, "roi.volume_cases_per_month", 60_000), 1, actor="Carla")
    version = store.save_use_case(workspace_id, with_value(seen, "roi.adoption", 0.7), 1, actor="Dan")
    assert version == 3
    stored, _ = store.get_use_case(workspace_id, "uc-0")
    assert (stored.roi.volume_cases_per_month, stored.roi.adoption) == (60_000, 0.7)
    dans = [entry for entry in store.audit(workspace_id, "uc-0") if entry.actor == "Dan"]
    assert [entry.field_path for entry in dans] == ["roi.adoption"]


def test_the_same_field_changed_by_both_is_refused_naming_the_field(store):
    workspace_id = store.create_workspace(make_workspace(), actor="Ada")
    seen = store.load(workspace_id).workspace.use_case("uc-0")
    store.save_use_case(workspace_id, with_values(seen, {"roi.adoption": 0.5, "owner": "Carla"}), 1, actor="Carla")
    with pytest.raises(ConflictError) as caught:
        store.save_use_case(workspace_id, with_values(seen, {"roi.adoption": 0.7, "users": "Dan"}), 1, actor="Dan")
    assert caught.value.fields == ("roi.adoption",) and caught.value.changed_by == "Carla"
    stored, version = store.get_use_case(workspace_id, "uc-0")
    assert (stored.roi.adoption, stored.users, version) == (0.5, "", 2)


def test_a_list_is_one_field_and_a_field_both_changed_is_a_conflict_even_to_equal_values():
    base = make_use_case(0)
    theirs = with_value(base, "kpi_set", [{"group": "value", "name": "AHT", "unit": "min", "target_value": 4.0}])
    mine = with_values(base, {"kpi_set": [{"group": "value", "name": "CSAT", "unit": "%", "target_value": 80.0}],
                              "roi.adoption": 0.7})
    assert merge_three_way(base, theirs, mine) == (None, ("kpi_set",))
    merged, conflicts = merge_three_way(base, theirs, with_value(base, "roi.adoption", 0.7))
    assert conflicts == () and merged == with_value(theirs, "roi.adoption", 0.7)
    assert merge_three_way(base, merged, with_value(base, "roi.adoption", 0.7)) == (None, ("roi.adoption",))
