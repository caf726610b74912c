"""Page rerun time under AppTest: every page, with the sample workspace and with 500 use cases.

For each page one AppTest session opens the workspace (``?ws=<id>``), runs once as warm-up
(imports, caches), then reruns ``RERUNS`` times; the figure is the median rerun. Targets (issue 6,
figure 2): ≤ 50 ms with the sample workspace, ≤ 150 ms with 500 use cases.

A further figure moves the Portfolio page's investment slider before every rerun, each time to a budget not
planned before in that session, so the rerun really solves the S20 plan, both simple rules, the next 10 % and the
cash flows (the frontier does not depend on the investment budget and stays cached, as in use). Target (issue 17):
≤ 150 ms with the sample workspace.

Run alone: ``.venv/bin/python bench/bench_pages.py`` (``--budget-change`` for that figure only);
``--profile 4_ROI [sample]`` prints a pyinstrument profile of one page's reruns (default: the 500-use-case
workspace).
"""

from __future__ import annotations

import logging
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.fixtures.make_workspace import store_workspace  # noqa: E402

RERUNS = 15
LARGE_COUNT = 500
SAMPLE_NAME = "Beispiel GmbH – KI-Portfolio"
TARGETS_S = {"sample": 0.050, "500 use cases": 0.150}
PORTFOLIO_PAGE = "pages/3_Portfolio.py"
INVESTMENT_WIDGET = "w.portfolio.investment"
BUDGET_CHANGE_TARGET_S = 0.150
DATABASE_URL_ENV = "WORKBENCH_DATABASE_URL"
# AppTest's bare-mode imports log one harmless "missing ScriptRunContext" line per cached function.
logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(logging.ERROR)


def page_scripts() -> list[str]:
    """app.py and every pages/*.py, relative to the repository root."""
    return ["app.py", *(f"pages/{path.name}" for path in sorted((ROOT / "pages").glob("*.py")))]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


@contextmanager
def database(count: int) -> Iterator[tuple[str, dict[str, str]]]:
    """A temporary SQLite store with the sample and a ``count``-use-case workspace: (url, {label: id})."""
    from core.store import Store

    with tempfile.TemporaryDirectory(prefix="bench_pages_") as folder:
        url, large_id = store_workspace(Path(folder) / "workbench.db", count)
        store = Store(url)
        try:
            sample_id = store.workspace_id_by_name(SAMPLE_NAME)
        finally:
            store.dispose()
        previous = os.environ.get(DATABASE_URL_ENV)
        os.environ[DATABASE_URL_ENV] = url
        try:
            yield url, {"sample": sample_id, f"{count} use cases": large_id}
        finally:
            if previous is None:
                os.environ.pop(DATABASE_URL_ENV, None)
            else:
                os.environ[DATABASE_URL_ENV] = previous


def open_session(script: str, workspace_id: str):
    """An AppTest session on ``script`` with the workspace chosen; the first (warm-up) run is done."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["ws"] = workspace_id
    at.run()
    if script != "app.py":
        at.switch_page(script)
        at.run()
    return at


def problems(at) -> str | None:
    shown = [item.value for item in at.exception] + [item.value for item in at.error]
    return "; ".join(str(text)[:200] for text in shown) or None


def rerun_times(at, reruns: int = RERUNS) -> list[float]:
    times = []
    for _ in range(reruns):
        started = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - started)
    return times


def budget_change_times(at, budgets: list[float]) -> list[float]:
    """One rerun per budget in ``budgets`` (slider values), each set on the investment slider first."""
    times = []
    for budget in budgets:
        at.select_slider(key=INVESTMENT_WIDGET).set_value(budget)
        started = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - started)
    return times


def unplanned_budgets(url: str, workspace_id: str, count: int) -> list[float]:
    """``count`` investment slider values from the default budget upwards (then downwards), skipping the default,
    which the warm-up run planned."""
    from core.portfolio_workspace import portfolio_items
    from core.store import Store
    from ui.views.portfolio import budget_options, default_investment

    store = Store(url)
    try:
        items = portfolio_items(store.load(workspace_id).workspace)
    finally:
        store.dispose()
    options = budget_options(items)["investment"]
    start = options.index(default_investment(items, options))
    return [*options[start + 1:], *options[:start][::-1]][:count]


def budget_change_row(url: str, workspace_id: str) -> dict:
    """The Portfolio page rerun after a real investment-budget change (sample workspace)."""
    at = open_session(PORTFOLIO_PAGE, workspace_id)
    times = budget_change_times(at, unplanned_budgets(url, workspace_id, RERUNS))
    median = statistics.median(times)
    note = problems(at)
    return {
        "figure": "AppTest rerun 3_Portfolio after a budget change (sample)",
        "median_s": median,
        "p95_s": percentile(times, 0.95),
        "target_s": BUDGET_CHANGE_TARGET_S,
        "ratio": None,
        "passed": median <= BUDGET_CHANGE_TARGET_S and note is None,
        "runs": len(times),
        **({"note": f"page shows: {note}"} if note else {}),
    }


def run_budget_change() -> list[dict]:
    with database(LARGE_COUNT) as (url, workspaces):
        return [budget_change_row(url, workspaces["sample"])]


def run() -> list[dict]:
    rows = []
    with database(LARGE_COUNT) as (url, workspaces):
        for label, workspace_id in workspaces.items():
            target = TARGETS_S[label]
            for script in page_scripts():
                at = open_session(script, workspace_id)
                times = rerun_times(at)
                median = statistics.median(times)
                note = problems(at)
                rows.append(
                    {
                        "figure": f"AppTest rerun {Path(script).stem} ({label})",
                        "median_s": median,
                        "p95_s": percentile(times, 0.95),
                        "target_s": target,
                        "ratio": None,
                        "passed": median <= target and note is None,
                        "runs": len(times),
                        **({"note": f"page shows: {note}"} if note else {}),
                    }
                )
        rows.append(budget_change_row(url, workspaces["sample"]))
    return rows


def profile(page_stem: str, label: str = f"{LARGE_COUNT} use cases") -> None:
    """Print a pyinstrument profile of RERUNS reruns of one page (label "sample" or "500 use cases").

    AppTest runs the script in its own thread, so the profiler is started inside that thread.
    """
    from pyinstrument import Profiler
    from streamlit.testing.v1.local_script_runner import LocalScriptRunner

    script = next(script for script in page_scripts() if Path(script).stem == page_stem)
    profiler = Profiler(interval=0.0005)
    original = LocalScriptRunner._run_script
    active = {"on": False}

    def profiled(self, rerun_data):
        if not active["on"]:
            return original(self, rerun_data)
        profiler.start()
        try:
            return original(self, rerun_data)
        finally:
            profiler.stop()

    LocalScriptRunner._run_script = profiled
    try:
        with database(LARGE_COUNT) as (_, workspaces):
            at = open_session(script, workspaces[label])
            active["on"] = True
            rerun_times(at)
    finally:
        LocalScriptRunner._run_script = original
    print(profiler.output_text(unicode=True, color=False, show_all=False))


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--profile":
        profile(sys.argv[2], *sys.argv[3:4])
    else:
        for row in run_budget_change() if sys.argv[1:] == ["--budget-change"] else run():
            verdict = "pass" if row["passed"] else "FAIL"
            print(f"{row['figure']}: median {row['median_s'] * 1000:.1f} ms, p95 {row['p95_s'] * 1000:.1f} ms, "
                  f"target {row['target_s'] * 1000:.0f} ms, {verdict} {row.get('note', '')}")
