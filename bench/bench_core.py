"""Timing of the vectorised core against plain-Python loops of the same computation.

Run from the repository root: ``.venv/bin/python bench/bench_core.py`` (or ``-m bench.bench_core``).
``run()`` returns one dict per figure with keys figure, median_s, p95_s, target_s, ratio, passed.
``ratio`` is the plain-Python loop time (measured on a smaller n, scaled linearly to the full n)
divided by the vectorised median, i.e. the speed-up.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

# Run as a plain script, Python puts bench/ on the path, not the repository root that holds core/.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.models import RoiInputs, ScoringWeights
from core.scoring import SCORING_FIELDS, score_portfolio
from core.sensitivity import default_ranges, monte_carlo

PORTFOLIO_SIZE = 10_000
PORTFOLIO_RUNS = 20
PORTFOLIO_TARGET_S = 0.020
PORTFOLIO_LOOP_SIZE = 1_000
MONTE_CARLO_DRAWS = 1_000_000
MONTE_CARLO_RUNS = 5
MONTE_CARLO_TARGET_S = 1.0
MONTE_CARLO_LOOP_DRAWS = 20_000
LOOP_RUNS = 3
S15_BASE = RoiInputs(
    volume_cases_per_month=50_000.0, adoption=0.62, minutes_saved_per_case=2.4, cost_per_minute_eur=0.85,
    error_cost_per_case_eur=1.10, error_rate_reduction=0.18, run_cost_eur_per_month=18_000.0,
)


def _timings(function: Callable[[], Any], runs: int) -> list[float]:
    function()
    durations = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        durations.append(time.perf_counter() - start)
    return durations


def _portfolio_frame(size: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    index = pd.Index([f"uc-{number:05d}" for number in range(size)], name="id")
    return pd.DataFrame(rng.uniform(0.0, 1.0, (size, len(SCORING_FIELDS))), columns=list(SCORING_FIELDS), index=index)


def _portfolio_loop(rows: list[tuple[str, list[float]]], weights: ScoringWeights) -> list[dict[str, Any]]:
    value_weights = [weights.cycle_time_reduction, weights.cost_reduction, weights.error_reduction]
    feasibility_weights = [weights.data_availability, weights.integration_effort, weights.compliance_risk,
                           weights.change_effort]
    results = []
    for identifier, inputs in rows:
        value = sum(w * x for w, x in zip(value_weights, inputs[:3], strict=True))
        feasibility = feasibility_weights[0] * inputs[3] + sum(
            w * (1.0 - x) for w, x in zip(feasibility_weights[1:], inputs[4:], strict=True)
        )
        high_value, high_feasibility = value >= 0.5, feasibility >= 0.5
        if high_value and high_feasibility:
            quadrant = "quick_win"
        elif high_value:
            quadrant = "strategic_bet"
        elif high_feasibility:
            quadrant = "fill_in"
        else:
            quadrant = "deprioritise"
        results.append({"id": identifier, "value": value, "feasibility": feasibility,
                        "score": value * feasibility, "quadrant": quadrant})
    for rank, result in enumerate(sorted(results, key=lambda item: -item["score"]), start=1):
        result["rank"] = rank
    return results


def _monte_carlo_loop(inputs: RoiInputs, draws: int, seed: int = 0) -> tuple[float, float, float]:
    generator = random.Random(seed)
    ranges = default_ranges(inputs)
    samples = []
    for _ in range(draws):
        value = {name: generator.triangular(low, high, mode) for name, (low, mode, high) in ranges.items()}
        used = value["volume_cases_per_month"] * value["adoption"]
        total = used * (value["minutes_saved_per_case"] * value["cost_per_minute_eur"]
                        + value["error_cost_per_case_eur"] * value["error_rate_reduction"])
        samples.append((total - value["run_cost_eur_per_month"]) / value["run_cost_eur_per_month"])
    samples.sort()
    return tuple(samples[int(q * (draws - 1))] for q in (0.05, 0.5, 0.95))


def _figure(name: str, durations: list[float], target_s: float, loop_seconds_full_n: float) -> dict[str, Any]:
    median = statistics.median(durations)
    return {
        "figure": name,
        "median_s": median,
        "p95_s": float(np.percentile(durations, 95)),
        "target_s": target_s,
        "ratio": loop_seconds_full_n / median,
        "passed": median <= target_s,
    }


def bench_portfolio() -> dict[str, Any]:
    frame = _portfolio_frame(PORTFOLIO_SIZE)
    durations = _timings(lambda: score_portfolio(frame), PORTFOLIO_RUNS)
    loop_frame = _portfolio_frame(PORTFOLIO_LOOP_SIZE, seed=1)
    rows = list(zip(loop_frame.index, loop_frame.to_numpy().tolist(), strict=True))
    weights = ScoringWeights()
    loop = statistics.median(_timings(lambda: _portfolio_loop(rows, weights), LOOP_RUNS))
    return _figure(f"score_portfolio, {PORTFOLIO_SIZE:,} use cases (DataFrame)", durations, PORTFOLIO_TARGET_S,
                   loop * PORTFOLIO_SIZE / PORTFOLIO_LOOP_SIZE)


def bench_monte_carlo() -> dict[str, Any]:
    durations = _timings(lambda: monte_carlo(S15_BASE, n=MONTE_CARLO_DRAWS), MONTE_CARLO_RUNS)
    loop = statistics.median(_timings(lambda: _monte_carlo_loop(S15_BASE, MONTE_CARLO_LOOP_DRAWS), LOOP_RUNS))
    return _figure(f"monte_carlo, n = {MONTE_CARLO_DRAWS:,}", durations, MONTE_CARLO_TARGET_S,
                   loop * MONTE_CARLO_DRAWS / MONTE_CARLO_LOOP_DRAWS)


def run() -> list[dict[str, Any]]:
    """Both benchmark figures; see the module docstring for the keys."""
    return [bench_portfolio(), bench_monte_carlo()]


if __name__ == "__main__":
    from run_all import table

    print(table(run()))
