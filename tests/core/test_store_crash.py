"""A writer killed with SIGKILL in the middle of multi-row saves never leaves a half-written save behind
(SQLite always; PostgreSQL when WORKBENCH_TEST_POSTGRES_URL is set)."""

import json
import multiprocessing
import os
import random
import signal
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, text

from core.models import RoiInputs, ScoringInputs, UseCase, Workspace
from core.store import Store

KILLS = 22
USE_CASE_IDS = ("alpha", "beta", "gamma")
FIELDS_PER_SAVE = (
    ("alpha", "roi.volume_cases_per_month"),
    ("beta", "roi.volume_cases_per_month"),
    ("gamma", "roi.volume_cases_per_month"),
    ("alpha", "roi.minutes_saved_per_case"),
)

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL") or os.name != "posix", reason="needs fork and SIGKILL")


def make_use_case(use_case_id: str) -> UseCase:
    return UseCase(
        id=use_case_id,
        name=use_case_id.title(),
        created_at=datetime(2025, 1, 6, tzinfo=UTC),
        updated_at=datetime(2025, 1, 6, tzinfo=UTC),
        scoring=ScoringInputs(cycle_time_reduction=0.5, cost_reduction=0.5, error_reduction=0.5,
                              data_availability=0.5, integration_effort=0.5, compliance_risk=0.5,
                              change_effort=0.5),
        roi=RoiInputs(volume_cases_per_month=0.0, adoption=0.5, minutes_saved_per_case=0.0,
                      cost_per_minute_eur=1.0, error_cost_per_case_eur=1.0, error_rate_reduction=0.1,
                      run_cost_eur_per_month=100.0),
    )


def write_until_killed(url: str, workspace_id: str, first_commit, progress_file: str) -> None:
    store = Store(url)
    progress = os.open(progress_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    while True:
        loaded = store.load(workspace_id)
        counter = loaded.workspace.use_case("alpha").roi.volume_cases_per_month + 1
        os.pwrite(progress, f"{int(counter):012d}".encode(), 0)
        changes = [(use_case_id, path, counter) for use_case_id, path in FIELDS_PER_SAVE]
        store.apply_changes(workspace_id, changes, loaded.versions, actor="crash-writer")
        first_commit.set()


def committed_saves(url: str) -> int:
    """Checks integrity and atomicity straight from the database; returns how many saves are present."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
            rows = conn.execute(text("SELECT use_case_id, document FROM use_cases")).all()
            documents = {uid: json.loads(doc) for uid, doc in rows}
            values = {(uid, path): documents[uid]["roi"][path.split(".")[1]] for uid, path in FIELDS_PER_SAVE}
            counter = values[FIELDS_PER_SAVE[0]]
            assert set(values.values()) == {counter}, f"half-written save: {values}"
            versions = {version for (version,) in conn.execute(text("SELECT version FROM use_cases"))}
            assert versions == {1 + int(counter)}
            audit = conn.execute(text(
                "SELECT use_case_id, field_path, new_value FROM audit_log WHERE action = 'apply_changes' ORDER BY id"
            )).all()
    finally:
        engine.dispose()
    assert len(audit) == len(FIELDS_PER_SAVE) * int(counter)
    last_audited = {(uid, path): json.loads(value) for uid, path, value in audit}
    if counter:
        assert last_audited == values  # the trail ends exactly at the data
    return int(counter)


def test_sigkill_during_saves_leaves_every_save_whole_or_absent(database_url, tmp_path):
    url = database_url
    store = Store(url)
    workspace_id = store.create_workspace(
        Workspace(name="Crash", use_cases=tuple(make_use_case(u) for u in USE_CASE_IDS)), actor="setup"
    )
    store.dispose()
    context = multiprocessing.get_context("fork")
    rng = random.Random(20250106)
    counts = []
    interrupted = 0
    progress_file = str(tmp_path / "progress")
    for _ in range(KILLS):
        first_commit = context.Event()
        child = context.Process(
            target=write_until_killed, args=(url, workspace_id, first_commit, progress_file), daemon=True
        )
        child.start()
        assert first_commit.wait(timeout=30), "the writer never committed"
        child.join(timeout=rng.uniform(0.0, 0.03))
        os.kill(child.pid, signal.SIGKILL)
        child.join(timeout=10)
        assert child.exitcode == -signal.SIGKILL
        counts.append(committed_saves(url))
        with open(progress_file, "rb") as file:
            interrupted += int(file.read()) == counts[-1] + 1
    assert counts == sorted(counts) and counts[-1] >= KILLS
    # Most kills must land inside a save (started, not committed), else this would test nothing.
    assert interrupted >= KILLS // 2, f"only {interrupted} of {KILLS} kills interrupted a save"

    survivor = Store(url)
    loaded = survivor.load(workspace_id)
    assert loaded.workspace.use_case("beta").roi.volume_cases_per_month == counts[-1]
    survivor.dispose()
