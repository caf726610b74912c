"""20 threads × 50 edits on one workspace: nothing lost, every refusal a reported conflict."""

import random
import threading
import time
from collections import Counter
from datetime import UTC, datetime

from core.models import RoiInputs, ScoringInputs, UseCase, Workspace, with_value
from core.store import ConflictError, Store

THREADS = 20
EDITS_PER_THREAD = 50
SHARED_EDITORS = 10
BASE_VOLUME = 1_000.0
MAX_ATTEMPTS_PER_EDIT = 1_000


def make_use_case(use_case_id: str) -> UseCase:
    return UseCase(
        id=use_case_id,
        name=f"Use case {use_case_id}",
        created_at=datetime(2025, 1, 6, tzinfo=UTC),
        updated_at=datetime(2025, 1, 6, tzinfo=UTC),
        scoring=ScoringInputs(cycle_time_reduction=0.5, cost_reduction=0.5, error_reduction=0.5,
                              data_availability=0.5, integration_effort=0.5, compliance_risk=0.5,
                              change_effort=0.5),
        roi=RoiInputs(volume_cases_per_month=BASE_VOLUME, adoption=0.5, minutes_saved_per_case=2.0,
                      cost_per_minute_eur=1.0, error_cost_per_case_eur=1.0, error_rate_reduction=0.1,
                      run_cost_eur_per_month=100.0),
    )


def target_of(thread: int) -> str:
    return "shared" if thread < SHARED_EDITORS else f"own-{thread}"


def test_twenty_threads_fifty_edits_each_lose_nothing(database_url):
    store = Store(database_url)
    use_case_ids = sorted({target_of(thread) for thread in range(THREADS)})
    workspace_id = store.create_workspace(
        Workspace(name="Busy workshop", use_cases=tuple(make_use_case(i) for i in use_case_ids)), actor="setup"
    )
    conflicts: Counter[str] = Counter()
    unexpected: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(THREADS)

    def editor(thread: int) -> None:
        use_case_id = target_of(thread)
        try:
            start.wait()
            for _ in range(EDITS_PER_THREAD):
                for _attempt in range(MAX_ATTEMPTS_PER_EDIT):
                    use_case, version = store.get_use_case(workspace_id, use_case_id)
                    edited = with_value(use_case, "roi.volume_cases_per_month",
                                        use_case.roi.volume_cases_per_month + 1)
                    try:
                        store.save_use_case(workspace_id, edited, version, actor=f"editor-{thread}")
                        break
                    except ConflictError as error:
                        assert error.use_case_id == use_case_id
                        assert error.changed_by.startswith("editor-")
                        with lock:
                            conflicts[use_case_id] += 1
                        # A person reloads before retrying; an instant retry only feeds the stampede.
                        time.sleep(random.uniform(0, 0.003))
                else:
                    raise AssertionError(f"{use_case_id}: no save succeeded in {MAX_ATTEMPTS_PER_EDIT} attempts")
        except BaseException as error:  # every failure must reach the main thread's assertion
            with lock:
                unexpected.append(error)

    threads = [threading.Thread(target=editor, args=(thread,)) for thread in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert unexpected == [], f"{len(unexpected)} unexpected errors, first: {unexpected[0]!r}"

    loaded = store.load(workspace_id)
    volumes = {u.id: u.roi.volume_cases_per_month for u in loaded.workspace.use_cases}
    assert volumes["shared"] == BASE_VOLUME + SHARED_EDITORS * EDITS_PER_THREAD
    for thread in range(SHARED_EDITORS, THREADS):
        assert volumes[f"own-{thread}"] == BASE_VOLUME + EDITS_PER_THREAD
        assert loaded.versions[f"own-{thread}"] == 1 + EDITS_PER_THREAD
        assert conflicts[f"own-{thread}"] == 0  # different use cases never conflict
    assert loaded.versions["shared"] == 1 + SHARED_EDITORS * EDITS_PER_THREAD

    edits = [e for e in store.audit(workspace_id) if e.field_path == "roi.volume_cases_per_month"]
    assert len(edits) == THREADS * EDITS_PER_THREAD
    shared_values = sorted(float(e.new_value) for e in edits if e.use_case_id == "shared")
    assert shared_values == [BASE_VOLUME + n for n in range(1, SHARED_EDITORS * EDITS_PER_THREAD + 1)]
    store.dispose()
