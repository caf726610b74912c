"""Run every benchmark under bench/, print one table, write bench/results.json.

Each ``bench/bench_*.py`` exposes ``run() -> list[dict]`` with keys figure, median_s, p95_s,
target_s, ratio (or None), passed, and optional unit/peak_mb/note. Exit status 1 when a target is missed.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
import traceback
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent


def machine_description() -> str:
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} cores, "
        f"{memory_gib:.0f} GiB, Python {platform.python_version()}"
    )


RESULT_MARKER = "@@bench-rows@@"
CHILD = (
    "import importlib.util, json, sys\n"
    "sys.path[:0] = [sys.argv[2], sys.argv[3]]\n"
    "spec = importlib.util.spec_from_file_location('bench_script', sys.argv[1])\n"
    "module = importlib.util.module_from_spec(spec)\n"
    "spec.loader.exec_module(module)\n"
    "print(sys.argv[4] + json.dumps(module.run(), default=str))\n"
)


def run_script(path: Path) -> list[dict]:
    """One bench script in a fresh interpreter, so that no figure pays for another script's heap."""
    completed = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), str(ROOT), str(BENCH_DIR), RESULT_MARKER],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    sys.stderr.write(completed.stderr[-4000:] if completed.returncode else "")
    for line in completed.stdout.splitlines():
        if line.startswith(RESULT_MARKER):
            return json.loads(line[len(RESULT_MARKER):])
    raise RuntimeError(f"{path.name} exited {completed.returncode} without results")


def format_seconds(value: float | None) -> str:
    if value is None:
        return "–"
    if value < 1:
        return f"{value * 1000:.1f} ms"
    return f"{value:.2f} s"


def format_row(row: dict) -> str:
    ratio = row.get("ratio")
    extra = f" peak {row['peak_mb']:.0f} MB" if row.get("peak_mb") is not None else ""
    if row.get("unit") == "MB":
        median = f"{row['median_s']:.0f} MB"
        p95 = f"{row['p95_s']:.0f} MB" if row.get("p95_s") is not None else "–"
        target = f"{row['target_s']:.0f} MB"
    elif row.get("unit") == "ratio":
        median = f"{row['median_s']:.2f}"
        p95 = f"{row['p95_s']:.2f}" if row.get("p95_s") is not None else "–"
        target = f"{row['target_s']:.2f}"
    else:
        median, p95, target = (format_seconds(row.get(k)) for k in ("median_s", "p95_s", "target_s"))
    ratio_text = f"{ratio:.2f}" if isinstance(ratio, int | float) else "–"
    verdict = "pass" if row["passed"] else "FAIL"
    return f"| {row['figure']} | {median} | {p95} | {target} | {ratio_text} | {verdict}{extra} |"


def table(rows: list[dict]) -> str:
    """The results as one Markdown table (the README's Performance section uses the same form)."""
    return "\n".join([
        "| figure | median | p95 | target | ratio | result |",
        "|---|---|---|---|---|---|",
        *(format_row(row) for row in rows),
    ])


def main(selected: list[str]) -> int:
    scripts = sorted(BENCH_DIR.glob("bench_*.py"))
    if selected:
        scripts = [path for path in scripts if any(name in path.stem for name in selected)]
    rows: list[dict] = []
    failures: list[str] = []
    started = time.perf_counter()
    for path in scripts:
        print(f"running {path.name} …", flush=True)
        try:
            for row in run_script(path):
                row.setdefault("script", path.name)
                rows.append(row)
        except Exception:
            failures.append(path.name)
            traceback.print_exc()
    machine = machine_description()
    print(f"Machine: {machine}\n\n{table(rows)}")
    (BENCH_DIR / "results.json").write_text(
        json.dumps(
            {
                "machine": machine,
                "generated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "duration_s": round(time.perf_counter() - started, 1),
                "rows": rows,
                "crashed_scripts": failures,
            },
            indent=2,
            default=str,
        )
    )
    missed = [row["figure"] for row in rows if not row["passed"]]
    if missed or failures:
        print(f"\nmissed targets: {missed}; crashed scripts: {failures}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
