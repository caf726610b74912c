"""Timing of S22 plan vs actual: the portfolio kernel over 500 use cases with 24 measurements each, and the registry
(Use cases page) rerun under AppTest with those 500 use cases.

Run from the repository root: ``.venv/bin/python bench/bench_plan_vs_actual.py``. Targets (issue 18): plan vs actual
for 500 × 24 measurements ≤ 50 ms (models to arrays included); the registry rerun stays ≤ 150 ms with 500 use cases.
``ratio`` is a plain-Python loop over the same measurements (one use case at a time, month by month) divided by the
vectorised median, i.e. the speed-up.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.fixtures.make_workspace import make_workspace  # noqa: E402
from core.business_case import ramp_factors  # noqa: E402
from core.models import Measurement, UseCase, Workspace  # noqa: E402
from core.plan_vs_actual import add_months, plan_month, plan_vs_actual, use_case_reviews  # noqa: E402

USE_CASES = 500
MEASUREMENTS = 24
KERNEL_RUNS = 30
KERNEL_TARGET_S = 0.050
REGISTRY_TARGET_S = 0.150
REGISTRY_RERUNS = 15
LOOP_CASES = 50
START = date(2026, 1, 31)


def measured_workspace(count: int = USE_CASES, per_case: int = MEASUREMENTS) -> Workspace:
    """The benchmark workspace with every use case's plan starting 31 January 2026 and ``per_case`` measurements
    (two a month, the second on the month's last day) of adoption, minutes saved and run cost."""
    base = make_workspace(count)
    cases = []
    for index, case in enumerate(base.use_cases):
        days = [add_months(START, month // 2).astype(date) if month % 2 else
                date.fromordinal(add_months(START, month // 2).astype(date).toordinal() - 10)
                for month in range(per_case)]
        measurements = tuple(Measurement(
            measured_on=day, measured_by="bench", source="monitoring export",
            adoption=min(1.0, case.roi.adoption * (0.4 + 0.02 * ((index + step) % 30))),
            minutes_saved_per_case=case.roi.minutes_saved_per_case * 0.9,
            run_cost_eur_per_month=case.roi.run_cost_eur_per_month * 1.05,
            gate_metrics={"p95_latency_ms": 900.0 + step},
        ) for step, day in enumerate(days))
        cases.append(case.model_copy(update={
            "measurements": measurements, "phase": "pilot" if index % 2 else "production",
            "business_case": case.business_case.model_copy(update={"start_on": START}),
        }))
    return base.model_copy(update={"use_cases": tuple(cases)})


def _loop(use_cases: list[UseCase]) -> None:
    """The same S22 figures, one use case and one measured month at a time (reference for the speed-up)."""
    for case in use_cases:
        latest: dict[int, Measurement] = {}
        for item in sorted(case.measurements, key=lambda entry: entry.measured_on):
            month = int(plan_month(START, item.measured_on))
            if 1 <= month <= case.business_case.horizon_months:
                latest[month] = item
        roi, plan_case, below = case.roi, case.business_case, 0
        plan_total = actual_total = 0.0
        quality = roi.error_cost_per_case_eur * roi.error_rate_reduction
        for month, item in sorted(latest.items()):
            ramp = float(ramp_factors(month, plan_case.ramp_months, plan_case.ramp_shape == "s_curve"))
            unit = roi.minutes_saved_per_case * roi.cost_per_minute_eur + quality
            plan_total += roi.volume_cases_per_month * roi.adoption * ramp * unit
            minutes = item.minutes_saved_per_case or roi.minutes_saved_per_case
            actual_unit = minutes * roi.cost_per_minute_eur + quality
            actual_total += roi.volume_cases_per_month * (item.adoption or roi.adoption * ramp) * actual_unit
            below = below + 1 if actual_total < 0.7 * plan_total else 0


def _kernel_figure(workspace: Workspace) -> dict[str, Any]:
    cases = list(workspace.use_cases)

    def kernel() -> None:
        plan_vs_actual(cases, workspace.thresholds)
        use_case_reviews(cases, date(2026, 12, 3), workspace.thresholds)

    kernel()
    durations, cpu = [], []
    for _ in range(KERNEL_RUNS):
        started, started_cpu = time.perf_counter(), time.process_time()
        kernel()
        durations.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    loop_started = time.perf_counter()
    _loop(cases[:LOOP_CASES])
    loop_full = (time.perf_counter() - loop_started) * len(cases) / LOOP_CASES
    median = statistics.median(durations)
    return {
        "figure": f"S22 plan vs actual + reviews, {len(cases)} use cases × {MEASUREMENTS} measurements",
        "median_s": median, "p95_s": sorted(durations)[int(0.95 * (len(durations) - 1))],
        "target_s": KERNEL_TARGET_S, "ratio": loop_full / median, "passed": median <= KERNEL_TARGET_S,
        "note": f"CPU median {statistics.median(cpu) * 1000:.1f} ms; models to arrays included",
    }


def _registry_figure(workspace: Workspace) -> dict[str, Any]:
    import logging

    from streamlit.testing.v1 import AppTest

    from core.store import Store

    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="bench_pva_") as folder:
        url = f"sqlite:///{Path(folder) / 'workbench.db'}"
        store = Store(url)
        try:
            workspace_id = store.create_workspace(workspace, "benchmark")
        finally:
            store.dispose()
        previous = os.environ.get("WORKBENCH_DATABASE_URL")
        os.environ["WORKBENCH_DATABASE_URL"] = url
        try:
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
            at.query_params["ws"] = workspace_id
            at.run()
            at.switch_page("pages/1_Use_cases.py")
            at.run()
            times = []
            for _ in range(REGISTRY_RERUNS):
                started = time.perf_counter()
                at.run()
                times.append(time.perf_counter() - started)
            problems = [str(item.value)[:200] for item in (*at.exception, *at.error)]
        finally:
            if previous is None:
                os.environ.pop("WORKBENCH_DATABASE_URL", None)
            else:
                os.environ["WORKBENCH_DATABASE_URL"] = previous
    median = statistics.median(times)
    return {
        "figure": f"AppTest rerun 1_Use_cases (registry, {len(workspace.use_cases)} use cases × {MEASUREMENTS} "
                  "measurements)",
        "median_s": median, "p95_s": sorted(times)[int(0.95 * (len(times) - 1))], "target_s": REGISTRY_TARGET_S,
        "ratio": None, "passed": median <= REGISTRY_TARGET_S and not problems,
        **({"note": "page shows: " + "; ".join(problems)} if problems else {}),
    }


def run() -> list[dict]:
    workspace = measured_workspace()
    return [_kernel_figure(workspace), _registry_figure(workspace)]


if __name__ == "__main__":
    for row in run():
        ratio = f", {row['ratio']:.0f}× a loop" if row.get("ratio") else ""
        print(f"{row['figure']}: median {row['median_s'] * 1000:.1f} ms (target {row['target_s'] * 1000:.0f} ms"
              f"{ratio}) {'PASS' if row['passed'] else 'FAIL'} {row.get('note', '')}")
