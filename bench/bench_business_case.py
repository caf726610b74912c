"""Timing of the S19 business case: one use case, a portfolio's NPV, and the Monte Carlo on NPV and payback.

Run from the repository root: ``.venv/bin/python bench/bench_business_case.py``.
``run()`` returns one dict per figure with keys figure, median_s, p95_s, target_s, ratio, passed, cpu_median_s and
note (the process CPU time beside the wall clock, which on a shared machine also counts other processes' turns).
``ratio`` is a plain-Python loop of the same computation (measured on a smaller n, scaled linearly to the full n)
divided by the vectorised median, i.e. the speed-up; None for the single use case, which has nothing to vectorise
across.
"""

from __future__ import annotations

import math
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

# Run as a plain script, Python puts bench/ on the path, not the repository root that holds core/.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.business_case import (
    BusinessCaseTerms,
    business_case,
    business_case_arrays,
    portfolio_arrays,
    portfolio_npv,
)
from core.models import BusinessCase, CostBlock, RoiInputs, ScoringInputs, UseCase
from core.sensitivity import default_ranges, monte_carlo_business_case

SINGLE_RUNS = 200
SINGLE_TARGET_S = 0.001
SINGLE_TERMS = BusinessCaseTerms(investment_eur=120_000.0, horizon_months=120, ramp_months=12,
                                 ramp_shape="s_curve", run_cost_escalation_per_year=0.03)
PORTFOLIO_SIZE = 2_000
PORTFOLIO_RUNS = 30
PORTFOLIO_TARGET_S = 0.020
PORTFOLIO_LOOP_SIZE = 200
MONTE_CARLO_DRAWS = 100_000
MONTE_CARLO_RUNS = 5
MONTE_CARLO_TARGET_S = 1.0
MONTE_CARLO_LOOP_DRAWS = 2_000
MONTE_CARLO_TERMS = BusinessCaseTerms(investment_eur=120_000.0)  # S19 worked example: 36 months
LOOP_RUNS = 3
S15_BASE = RoiInputs(
    volume_cases_per_month=50_000.0, adoption=0.62, minutes_saved_per_case=2.4, cost_per_minute_eur=0.85,
    error_cost_per_case_eur=1.10, error_rate_reduction=0.18, run_cost_eur_per_month=18_000.0,
)
SCORING = ScoringInputs(cycle_time_reduction=0.5, cost_reduction=0.5, error_reduction=0.5, data_availability=0.5,
                        integration_effort=0.5, compliance_risk=0.5, change_effort=0.5)


def _timings(function: Callable[[], Any], runs: int, cpu: list[float] | None = None) -> list[float]:
    """Wall-clock durations; ``cpu`` collects the process CPU time of each run (the machine may be shared)."""
    function()
    durations = []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        function()
        durations.append(time.perf_counter() - start)
        if cpu is not None:
            cpu.append(time.process_time() - start_cpu)
    return durations


def _figure(name: str, durations: list[float], target_s: float, loop_seconds_full_n: float | None,
            cpu: list[float], note: str = "") -> dict[str, Any]:
    median = statistics.median(durations)
    cpu_note = f"CPU median {statistics.median(cpu) * 1000:.1f} ms"
    return {
        "figure": name,
        "median_s": median,
        "p95_s": float(np.percentile(durations, 95)),
        "target_s": target_s,
        "ratio": None if loop_seconds_full_n is None else loop_seconds_full_n / median,
        "passed": median <= target_s,
        "cpu_median_s": statistics.median(cpu),
        "note": f"{cpu_note}; {note}" if note else cpu_note,
    }


def _portfolio(size: int, seed: int = 0) -> list[UseCase]:
    rng = np.random.default_rng(seed)
    stamp = datetime(2026, 1, 5, tzinfo=UTC)
    cases = []
    for number in range(size):
        horizon = int(rng.integers(12, 121))
        roi = RoiInputs(
            volume_cases_per_month=float(rng.uniform(500, 60_000)), adoption=float(rng.uniform(0.2, 0.95)),
            minutes_saved_per_case=float(rng.uniform(0.3, 20)), cost_per_minute_eur=float(rng.uniform(0.6, 1.6)),
            error_cost_per_case_eur=float(rng.uniform(0, 10)), error_rate_reduction=float(rng.uniform(0, 0.4)),
            run_cost_eur_per_month=float(rng.uniform(1_000, 20_000)),
        )
        case = BusinessCase(horizon_months=horizon, ramp_months=int(rng.integers(0, min(24, horizon) + 1)),
                            ramp_shape="s_curve" if rng.random() < 0.5 else "linear",
                            run_cost_escalation_per_year=float(rng.uniform(0, 0.05)),
                            discount_rate_per_year=None if rng.random() < 0.7 else float(rng.uniform(0.04, 0.12)))
        blocks = (CostBlock(block="integration", one_time_eur=float(rng.uniform(30_000, 150_000))),
                  CostBlock(block="data_work", one_time_eur=float(rng.uniform(0, 60_000))))
        cases.append(UseCase(id=f"uc-{number:05d}", name=f"Use case {number}", scoring=SCORING, roi=roi,
                             business_case=case, cost_blocks=blocks, created_at=stamp, updated_at=stamp))
    return cases


def _npv_loop(case: UseCase, default_rate: float) -> float:
    roi, plan = case.roi, case.business_case
    used = roi.volume_cases_per_month * roi.adoption
    steady = used * roi.minutes_saved_per_case * roi.cost_per_minute_eur + used * (
        roi.error_cost_per_case_eur * roi.error_rate_reduction)
    rate = default_rate if plan.discount_rate_per_year is None else plan.discount_rate_per_year
    monthly = (1 + rate) ** (1 / 12) - 1
    total = -case.investment_eur
    for month in range(1, plan.horizon_months + 1):
        share = 1.0 if plan.ramp_months == 0 else min(1.0, month / plan.ramp_months)
        ramp = share * share * (3 - 2 * share) if plan.ramp_shape == "s_curve" else share
        run = roi.run_cost_eur_per_month * (1 + plan.run_cost_escalation_per_year) ** ((month - 1) // 12)
        total += (steady * ramp - run) / (1 + monthly) ** month
    return total


def _monte_carlo_loop(inputs: RoiInputs, terms: BusinessCaseTerms, draws: int, seed: int = 0) -> tuple[float, ...]:
    generator = random.Random(seed)
    ranges = default_ranges(inputs, terms=terms)
    monthly = (1 + terms.discount_rate_per_year) ** (1 / 12) - 1
    npvs, paid_back = [], 0
    for _ in range(draws):
        value = {name: generator.triangular(low, high, mode) for name, (low, mode, high) in ranges.items()}
        used = value["volume_cases_per_month"] * value["adoption"]
        steady = used * (value["minutes_saved_per_case"] * value["cost_per_minute_eur"]
                         + value["error_cost_per_case_eur"] * value["error_rate_reduction"])
        total = cumulative = -value["investment_eur"]
        reached = cumulative >= 0
        for month in range(1, terms.horizon_months + 1):
            net = steady * min(1.0, month / value["ramp_months"]) - value["run_cost_eur_per_month"]
            total += net / (1 + monthly) ** month
            cumulative += net
            reached = reached or cumulative >= 0
        npvs.append(total)
        paid_back += reached
    npvs.sort()
    return (*(npvs[int(q * (draws - 1))] for q in (0.05, 0.5, 0.95)), paid_back / draws)


def bench_single() -> dict[str, Any]:
    cpu: list[float] = []
    durations = _timings(lambda: business_case(S15_BASE, SINGLE_TERMS), SINGLE_RUNS, cpu)
    return _figure("business_case, 1 use case × 120 months (table, NPV, IRR, paybacks)", durations, SINGLE_TARGET_S,
                   None, cpu, "ratio: nothing to vectorise across")


def bench_portfolio() -> list[dict[str, Any]]:
    cases = _portfolio(PORTFOLIO_SIZE)
    cpu: list[float] = []
    durations = _timings(lambda: portfolio_npv(cases, 0.08), PORTFOLIO_RUNS, cpu)
    arrays = portfolio_arrays(cases, 0.08)
    kernel_cpu: list[float] = []
    kernel = _timings(lambda: business_case_arrays(**arrays), PORTFOLIO_RUNS, kernel_cpu)
    loop_cases = cases[:PORTFOLIO_LOOP_SIZE]
    expected = portfolio_npv(loop_cases, 0.08).npv_eur
    looped = [_npv_loop(case, 0.08) for case in loop_cases]
    if not all(math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6) for a, b in zip(expected, looped, strict=True)):
        raise RuntimeError("the plain-Python NPV loop disagrees with portfolio_npv")
    loop = statistics.median(_timings(lambda: [_npv_loop(case, 0.08) for case in loop_cases], LOOP_RUNS))
    loop_full_n = loop * PORTFOLIO_SIZE / PORTFOLIO_LOOP_SIZE
    return [
        _figure(f"portfolio_npv, {PORTFOLIO_SIZE:,} use cases × 12–120 months (from models)", durations,
                PORTFOLIO_TARGET_S, loop_full_n, cpu),
        _figure(f"business_case_arrays, {PORTFOLIO_SIZE:,} use cases (the kernel, inputs already arrays)", kernel,
                PORTFOLIO_TARGET_S, loop_full_n, kernel_cpu),
    ]


def bench_monte_carlo() -> dict[str, Any]:
    cpu: list[float] = []
    durations = _timings(lambda: monte_carlo_business_case(S15_BASE, MONTE_CARLO_TERMS, n=MONTE_CARLO_DRAWS),
                         MONTE_CARLO_RUNS, cpu)
    loop = statistics.median(_timings(
        lambda: _monte_carlo_loop(S15_BASE, MONTE_CARLO_TERMS, MONTE_CARLO_LOOP_DRAWS), LOOP_RUNS))
    return _figure(f"monte_carlo_business_case (NPV + payback), n = {MONTE_CARLO_DRAWS:,} × 36 months", durations,
                   MONTE_CARLO_TARGET_S, loop * MONTE_CARLO_DRAWS / MONTE_CARLO_LOOP_DRAWS, cpu)


def run() -> list[dict[str, Any]]:
    """The four S19 figures; see the module docstring for the keys (plus cpu_median_s)."""
    return [bench_single(), *bench_portfolio(), bench_monte_carlo()]


if __name__ == "__main__":
    from run_all import table

    print(table(run()))
