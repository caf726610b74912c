"""Timing of the store on SQLite (WAL, synchronous=FULL) in a temporary folder.

Run from the repository root: ``.venv/bin/python bench/bench_store.py``.
``run()`` returns one dict per figure with keys figure, median_s, p95_s, target_s, ratio (None), passed, note.
Figures: one single-field save (a full transaction with its audit row, fsync included); loading a
1,000-use-case workspace cold (a fresh Store, so every document is parsed and validated) and warm
(the Store's per-version cache, which is what every app rerun after the first sees).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

# Run as a plain script, Python puts bench/ on the path, not the repository root that holds core/.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.models import RoiInputs, ScoringInputs, UseCase, Workspace, with_value
from core.store import SAMPLE_WORKSPACE_PATH, Store, parse_workspace_json

SAVE_RUNS = 200
SAVE_TARGET_S = 0.010
LOAD_SIZE = 1_000
LOAD_RUNS = 9
LOAD_TARGET_S = 0.200


def _template_use_case() -> UseCase:
    if SAMPLE_WORKSPACE_PATH.exists():
        sample = parse_workspace_json(SAMPLE_WORKSPACE_PATH.read_bytes())
        if sample.use_cases:
            return sample.use_cases[0]
    return UseCase(
        id="template",
        name="Template",
        scoring=ScoringInputs(cycle_time_reduction=0.6, cost_reduction=0.4, error_reduction=0.3,
                              data_availability=0.7, integration_effort=0.5, compliance_risk=0.2, change_effort=0.4),
        roi=RoiInputs(volume_cases_per_month=50_000, adoption=0.62, minutes_saved_per_case=2.4,
                      cost_per_minute_eur=0.85, error_cost_per_case_eur=1.10, error_rate_reduction=0.18,
                      run_cost_eur_per_month=18_000),
    )


def _portfolio(size: int) -> Workspace:
    template = _template_use_case()
    use_cases = tuple(
        template.model_copy(update={"id": f"uc-{number:05d}", "name": f"{template.name} {number}"})
        for number in range(size)
    )
    return Workspace(name=f"Bench {size}", use_cases=use_cases)


def _figure(name: str, durations: list[float], target_s: float, note: str) -> dict[str, Any]:
    median = statistics.median(durations)
    return {
        "figure": name,
        "median_s": median,
        "p95_s": float(np.percentile(durations, 95)),
        "target_s": target_s,
        "ratio": None,
        "passed": median <= target_s,
        "note": note,
    }


def bench_save(folder: Path) -> dict[str, Any]:
    store = Store(f"sqlite:///{folder / 'save.db'}")
    workspace_id = store.create_workspace(_portfolio(50), actor="bench")
    use_case, version = store.get_use_case(workspace_id, "uc-00007")
    durations = []
    for run in range(SAVE_RUNS + 5):
        edited = with_value(use_case, "roi.adoption", round(0.3 + 0.001 * run, 6))
        start = time.perf_counter()
        version = store.save_use_case(workspace_id, edited, version, actor="bench")
        durations.append(time.perf_counter() - start)
        use_case = edited
    store.dispose()
    return _figure("store: single-edit save (SQLite, FULL sync)", durations[5:], SAVE_TARGET_S,
                   "save_use_case: version check, diff, update, audit row, commit")


def bench_load(folder: Path) -> list[dict[str, Any]]:
    url = f"sqlite:///{folder / 'load.db'}"
    setup = Store(url)
    workspace_id = setup.create_workspace(_portfolio(LOAD_SIZE), actor="bench")
    setup.dispose()
    cold, warm = [], []
    for _ in range(LOAD_RUNS):
        store = Store(url)
        start = time.perf_counter()
        loaded = store.load(workspace_id)
        cold.append(time.perf_counter() - start)
        start = time.perf_counter()
        store.load(workspace_id)
        warm.append(time.perf_counter() - start)
        store.dispose()
        assert len(loaded.workspace.use_cases) == LOAD_SIZE
    return [
        _figure(f"store: load {LOAD_SIZE:,} use cases, cold", cold, LOAD_TARGET_S,
                "fresh Store: every document parsed and validated by pydantic"),
        _figure(f"store: load {LOAD_SIZE:,} use cases, warm", warm, LOAD_TARGET_S,
                "per-version cache: what every rerun after the first sees"),
    ]


def run() -> list[dict[str, Any]]:
    """All store figures; see the module docstring for the keys."""
    with tempfile.TemporaryDirectory(prefix="bench-store-") as folder:
        return [bench_save(Path(folder)), *bench_load(Path(folder))]


if __name__ == "__main__":
    from run_all import table

    print(table(run()))
