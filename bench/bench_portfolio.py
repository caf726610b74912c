"""Timing of the exact S20 portfolio plan and its efficient frontier (HiGHS through ``scipy.optimize.milp``).

Run from the repository root: ``.venv/bin/python bench/bench_portfolio.py`` (or via ``bench/run_all.py``).
``run()`` returns one dict per figure with keys figure, median_s, p95_s, target_s, ratio, passed, note and
cpu_s (the median process CPU time: on a shared machine the wall time also counts other people's load).
The frontier for 2,000 use cases has no target; its ``ratio`` is its time over the 500-use-case frontier's.

Data (seeded): NPV uniform in −200 k€…2 M€, investment 20 k€…400 k€, run cost 0…15 k€/month, capacity
1…12 person-months; 15 % of use cases need an earlier one; risk classes 45 % minimal, 30 % limited,
20 % high (60 % of them with the DPIA triggers assessed), 5 % prohibited. The investment budget is 30 % of
the portfolio's total investment; the frontier keeps the other limits open.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

# Run as a plain script, Python puts bench/ on the path, not the repository root that holds core/.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.portfolio import Budgets, PortfolioItem, efficient_frontier, plan_portfolio

PLAN_SIZE = 500
PLAN_RUNS = 5
PLAN_TARGET_S = 1.0
FRONTIER_RUNS = 3
FRONTIER_TARGET_S = 3.0
LARGE_SIZE = 2_000
LARGE_RUNS = 1
BUDGET_SHARE = 0.30
DEPENDENCY_SHARE = 0.15
RISK_CLASSES = ("minimal", "limited", "high", "prohibited")
RISK_SHARES = (0.45, 0.30, 0.20, 0.05)
DPIA_SHARE = 0.6


def portfolio(size: int, seed: int = 0) -> list[PortfolioItem]:
    """``size`` seeded random use cases as described in the module docstring."""
    rng = np.random.default_rng(seed)
    npv = np.round(rng.uniform(-200e3, 2e6, size), 2)
    investment = np.round(rng.uniform(20e3, 400e3, size), 2)
    run_cost = np.round(rng.uniform(0, 15e3, size), 2)
    capacity = np.round(rng.uniform(1, 12, size), 1)
    risk = rng.choice(RISK_CLASSES, size, p=RISK_SHARES)
    dpia = rng.random(size) < DPIA_SHARE
    needs = [(f"uc-{rng.integers(index):05d}",) if index and rng.random() < DEPENDENCY_SHARE else ()
             for index in range(size)]
    return [PortfolioItem(id=f"uc-{index:05d}", name=f"Use case {index}", npv_eur=float(npv[index]),
                          investment_eur=float(investment[index]), run_cost_eur_per_month=float(run_cost[index]),
                          capacity_person_months=float(capacity[index]), risk_class=str(risk[index]),
                          dpia_assessed=bool(dpia[index]), needs=needs[index], score=float(rng.uniform()))
            for index in range(size)]


def budgets_for(items: list[PortfolioItem]) -> Budgets:
    return Budgets(investment_eur=BUDGET_SHARE * sum(item.investment_eur for item in items))


def _timings(function: Callable[[], Any], runs: int) -> tuple[list[float], list[float]]:
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        function()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return walls, cpus


def _figure(name: str, timings: tuple[list[float], list[float]], target_s: float | None,
            ratio: float | None, note: str) -> dict[str, Any]:
    walls, cpus = timings
    median = statistics.median(walls)
    return {
        "figure": name,
        "median_s": median,
        "p95_s": float(np.percentile(walls, 95)),
        "target_s": target_s,
        "ratio": ratio,
        "passed": target_s is None or median <= target_s,
        "cpu_s": statistics.median(cpus),
        "note": f"{note}; CPU {statistics.median(cpus):.2f} s",
    }


def bench_plan(items: list[PortfolioItem]) -> dict[str, Any]:
    budgets = budgets_for(items)
    plan = plan_portfolio(items, budgets)
    timings = _timings(lambda: plan_portfolio(items, budgets), PLAN_RUNS)
    return _figure(f"S20 optimal plan, {len(items):,} use cases", timings, PLAN_TARGET_S, None,
                   f"{len(plan.chosen_ids)} chosen, NPV {plan.npv_eur / 1e6:,.1f} M€")


def bench_plan_all_limits(items: list[PortfolioItem]) -> dict[str, Any]:
    """The plan with all three limits set, each binding (investment as :func:`budgets_for`, run budget and capacity
    at a fifth of the portfolio's): a multi-dimensional knapsack, reported without a target."""
    budgets = budgets_for(items).model_copy(update={
        "run_budget_eur_per_month": 0.2 * sum(item.run_cost_eur_per_month for item in items),
        "capacity_person_months": 0.2 * sum(item.capacity_person_months for item in items)})
    plan = plan_portfolio(items, budgets)
    timings = _timings(lambda: plan_portfolio(items, budgets), PLAN_RUNS)
    return _figure(f"S20 optimal plan, three limits, {len(items):,} use cases (no target)", timings, None, None,
                   f"{len(plan.chosen_ids)} chosen, binding {', '.join(plan.binding) or 'none'}")


def bench_frontier(items: list[PortfolioItem], runs: int, target_s: float | None,
                   baseline_s: float | None = None) -> dict[str, Any]:
    budgets = budgets_for(items)
    timings = _timings(lambda: efficient_frontier(items, budgets), runs)
    ratio = statistics.median(timings[0]) / baseline_s if baseline_s else None
    note = f"growth over {PLAN_SIZE:,} use cases" if baseline_s else "20 budget levels"
    return _figure(f"S20 frontier, 20 levels, {len(items):,} use cases", timings, target_s, ratio, note)


def run() -> list[dict[str, Any]]:
    """The plan and frontier figures; see the module docstring for the keys."""
    items = portfolio(PLAN_SIZE)
    plan = bench_plan(items)
    all_limits = bench_plan_all_limits(items)
    frontier = bench_frontier(items, FRONTIER_RUNS, FRONTIER_TARGET_S)
    large = bench_frontier(portfolio(LARGE_SIZE, seed=1), LARGE_RUNS, None, frontier["median_s"])
    return [plan, all_limits, frontier, large]


if __name__ == "__main__":
    from run_all import table

    print(table(run()))
