"""The exact 0/1 programme behind S20: maximise Σ gain·x subject to W·x ≤ room and x_dependent ≤ x_need.

HiGHS (``scipy.optimize.milp``) spends most of a solve on the root node of a few hundred binaries, so each solve
first shrinks the programme by reduced-cost fixing, which keeps it exact:

1. The LP relaxation (``scipy.optimize.linprog``, HiGHS) gives multipliers y ≥ 0 for every row. For any such y,
   the Lagrangian bound ``L = y·room + Σ max(0, d_j)`` with reduced gains ``d = gain − Wᵀy − (dependency terms)``
   bounds every feasible plan from above, and a plan whose x_j differs from ``d_j > 0`` is worth at most
   ``L − |d_j|``. This is checked arithmetic on our side, whatever the LP's accuracy.
2. A greedy plan (in LP order, each use case with its needs, and from a hint such as the plan one budget level
   up) is feasible and worth ``G``. A variable whose flip caps every plan below ``G − margin`` is fixed: no
   optimal plan has it the other way.
3. HiGHS solves what is left; without a proven result it solves the whole programme again.

Units: ``gain`` in € (or any objective unit), ``weights`` and ``room`` in each row's unit (€, €/month,
person-months). Example: ``solve_exact(np.array([5., 4., 3.]), np.array([[4., 3., 2.]]), np.array([5.]),
np.empty((0, 2), int))`` → ``[False, True, True]`` (4 + 3 for 5 beats 5 for 4).
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, suppress

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, OptimizeResult, linprog, milp
from scipy.sparse import coo_matrix, csr_matrix, vstack

# A flip is ruled out only when it costs more than this share of the problem's scale beyond the greedy plan's
# gap: far above the rounding of sums of a few thousand € amounts in float64 (≈1e-13 of their size).
FIXING_MARGIN_RELATIVE = 1e-9
FIXING_MARGIN_ABSOLUTE = 1e-6
# HiGHS writes one diagnostic line with C++ printf on some solves (sub-MIP heuristics); it is not a log message
# that an option switches off, so fd 1 is pointed at a temporary file during solves and everything else that
# reached fd 1 meanwhile is passed on afterwards.
HIGHS_NOISE_PREFIX = b"HighsMipSolverData::"
# HiGHS's primal heuristics (feasibility jump, RINS, RENS, …) look for good plans; reduced-cost fixing starts from a
# good plan already, and without them the programmes left over solve in about half the time (measured: 20 levels of
# 500 use cases, 1.7 s → 0.8 s of solver time). They never decide optimality, which branch and bound proves.
WITHOUT_HEURISTICS = {
    "mip_heuristic_run_feasibility_jump": False, "mip_heuristic_run_rins": False, "mip_heuristic_run_rens": False,
    "mip_heuristic_run_root_reduced_cost": False, "mip_heuristic_run_zi_round": False,
    "mip_heuristic_run_shifting": False,
}
# warnings.catch_warnings swaps the process-wide filter list, so solves take turns; HiGHS holds the GIL while it
# solves (two threads took as long as one after the other), so the turns cost no parallelism.
_WARNINGS_LOCK = threading.Lock()


class _StdoutFilter:
    """Reference-counted redirect of file descriptor 1, shared by every thread of the process.

    The first solver thread in points fd 1 at a temporary file; the last one out restores it and copies what
    arrived meanwhile to the real stdout, minus HiGHS's diagnostic lines. Python's own ``sys.stdout`` buffer
    is flushed at both ends so that no other thread's print is lost or reordered past a solve.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._depth = 0
        self._saved: int | None = None
        self._capture: int | None = None

    @contextmanager
    def quiet(self) -> Iterator[None]:
        self._enter()
        try:
            yield
        finally:
            self._leave()

    def _enter(self) -> None:
        with self._lock:
            self._depth += 1
            if self._depth > 1:
                return
            _flush_python_stdout()
            try:
                capture, path = tempfile.mkstemp(prefix="highs-stdout-")
            except OSError:
                return
            os.unlink(path)
            self._saved, self._capture = os.dup(1), capture
            os.dup2(capture, 1)

    def _leave(self) -> None:
        with self._lock:
            self._depth -= 1
            if self._depth or self._saved is None or self._capture is None:
                return
            _flush_python_stdout()
            saved, capture = self._saved, self._capture
            self._saved = self._capture = None
            os.dup2(saved, 1)
            os.close(saved)
            os.lseek(capture, 0, os.SEEK_SET)
            with os.fdopen(capture, "rb") as captured:
                kept = b"".join(line for line in captured.read().splitlines(keepends=True)
                                if not line.startswith(HIGHS_NOISE_PREFIX))
            if kept:
                os.write(1, kept)


def _flush_python_stdout() -> None:
    if sys.stdout is not None:
        with suppress(OSError, ValueError):
            sys.stdout.flush()


_STDOUT = _StdoutFilter()


def _pair_matrix(pairs: np.ndarray, size: int) -> csr_matrix:
    """One row x_dependent − x_need ≤ 0 per pair (dependent position, need position)."""
    rows = np.repeat(np.arange(len(pairs)), 2)
    values = np.tile([1.0, -1.0], len(pairs))
    return coo_matrix((values, (rows, pairs.ravel())), shape=(len(pairs), size)).tocsr()


def _constraints(weights: np.ndarray, room: np.ndarray, pairs: np.ndarray) -> list[LinearConstraint]:
    constraints = [LinearConstraint(weights, -np.inf, room)] if len(room) else []
    if len(pairs):
        constraints.append(LinearConstraint(_pair_matrix(pairs, weights.shape[1]), -np.inf, 0.0))
    return constraints


def _run_milp(gain: np.ndarray, bounds: Bounds, constraints: list[LinearConstraint]) -> OptimizeResult:
    """One HiGHS solve, without its primal heuristics where this HiGHS knows the options (scipy passes them on
    verbatim and warns that it does not know them itself)."""
    arguments = {"integrality": np.ones(gain.size), "bounds": bounds, "constraints": constraints}
    with _STDOUT.quiet():
        try:
            with _WARNINGS_LOCK, warnings.catch_warnings():
                warnings.filterwarnings("ignore", message="Unrecognized options detected", category=RuntimeWarning)
                return milp(-gain, options={"mip_rel_gap": 0.0, **WITHOUT_HEURISTICS}, **arguments)
        except (AttributeError, KeyError, TypeError, ValueError):
            return milp(-gain, options={"mip_rel_gap": 0.0}, **arguments)


def _milp(gain: np.ndarray, weights: np.ndarray, room: np.ndarray, pairs: np.ndarray, lower: np.ndarray,
          upper: np.ndarray) -> np.ndarray | None:
    """HiGHS's proven optimum within the bounds as a boolean mask, or None when it proves none."""
    result = _run_milp(gain, Bounds(lower, upper), _constraints(weights, room, pairs))
    if result.status != 0 or result.x is None:
        return None
    return result.x > 0.5


def _relaxation(gain: np.ndarray, weights: np.ndarray, room: np.ndarray, pairs: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """LP solution x, row multipliers for the resource rows and for the dependency rows (all ≥ 0), or None."""
    rows = [csr_matrix(weights)] if len(room) else []
    if len(pairs):
        rows.append(_pair_matrix(pairs, gain.size))
    if not rows:
        return None
    matrix = vstack(rows).tocsr()
    limits = np.concatenate([room, np.zeros(len(pairs))])
    with _STDOUT.quiet():
        result = linprog(-gain, A_ub=matrix, b_ub=limits, bounds=(0.0, 1.0), method="highs")
    if result.status != 0 or result.x is None:
        return None
    multipliers = np.maximum(-np.asarray(result.ineqlin.marginals, dtype=float), 0.0)
    return np.asarray(result.x, dtype=float), multipliers[:len(room)], multipliers[len(room):]


def _reduced_gains(gain: np.ndarray, weights: np.ndarray, pairs: np.ndarray, resource_multipliers: np.ndarray,
                   pair_multipliers: np.ndarray) -> np.ndarray:
    reduced = gain - resource_multipliers @ weights
    if len(pairs):
        reduced -= np.bincount(pairs[:, 0], weights=pair_multipliers, minlength=gain.size)
        reduced += np.bincount(pairs[:, 1], weights=pair_multipliers, minlength=gain.size)
    return reduced


class _Greedy:
    """Feasible plans built one use case (with its unchosen needs) at a time; plans are closed under needs.

    "Fits" is exact here (no tolerance), so that a greedy plan is feasible for HiGHS too and never claims a gain
    that no feasible plan has."""

    def __init__(self, gain: np.ndarray, weights: np.ndarray, room: np.ndarray, pairs: np.ndarray) -> None:
        self.gain, self.weights, self.room = gain, weights, room
        self.needs: list[list[int]] = [[] for _ in range(gain.size)]
        self.needed_by: list[list[int]] = [[] for _ in range(gain.size)]
        for dependent, need in pairs.tolist():
            self.needs[dependent].append(need)
            self.needed_by[need].append(dependent)

    def _bundle(self, start: int, chosen: np.ndarray) -> list[int]:
        bundle, stack, seen = [], [start], {start}
        while stack:
            node = stack.pop()
            bundle.append(node)
            for need in self.needs[node]:
                if need not in seen and not chosen[need]:
                    seen.add(need)
                    stack.append(need)
        return bundle

    def fill(self, chosen: np.ndarray, ranking: np.ndarray) -> np.ndarray:
        """``chosen`` (feasible, closed under needs) plus each ranked use case whose bundle gains and fits."""
        chosen = chosen.copy()
        used = self.weights[:, chosen].sum(axis=1)
        for index in ranking.tolist():
            if chosen[index]:
                continue
            bundle = self._bundle(index, chosen)
            need = self.weights[:, bundle].sum(axis=1)
            if self.gain[bundle].sum() > 0 and np.all(used + need <= self.room):
                chosen[bundle] = True
                used += need
        return chosen

    def drop_to_fit(self, chosen: np.ndarray, ranking: np.ndarray) -> np.ndarray:
        """``chosen`` (closed under needs) shrunk from the end of ``ranking``, dropping only what nothing chosen
        needs, until it fits; no plan (all False) if it never does."""
        chosen = chosen.copy()
        used = self.weights[:, chosen].sum(axis=1)
        for index in ranking[::-1].tolist():
            if np.all(used <= self.room):
                break
            if chosen[index] and not any(chosen[dependent] for dependent in self.needed_by[index]):
                chosen[index] = False
                used -= self.weights[:, index]
        return chosen if np.all(used <= self.room) else np.zeros_like(chosen)


def _propagate(lower: np.ndarray, upper: np.ndarray, pairs: np.ndarray) -> None:
    """Tighten 0/1 bounds along x_dependent ≤ x_need until nothing changes: a dependent fixed in fixes its need in,
    a need fixed out fixes its dependent out."""
    if not len(pairs):
        return
    dependent, need = pairs[:, 0], pairs[:, 1]
    while True:
        pulled_in = need[(lower[dependent] == 1.0) & (lower[need] < 1.0)]
        pushed_out = dependent[(upper[need] == 0.0) & (upper[dependent] > 0.0)]
        if not pulled_in.size and not pushed_out.size:
            return
        lower[pulled_in] = 1.0
        upper[pushed_out] = 0.0


def _ranking(gain: np.ndarray, weights: np.ndarray, room: np.ndarray, relaxed: np.ndarray) -> np.ndarray:
    """Use cases by LP value, then by gain per share of the rooms they take, best first."""
    share = (weights / np.maximum(room, 1e-12)[:, None]).sum(axis=0) if len(room) else np.zeros(gain.size)
    unbounded = np.where(gain > 0, np.inf, np.where(gain < 0, -np.inf, 0.0))
    density = np.where(share > 0, gain / np.where(share > 0, share, 1.0), unbounded)
    return np.lexsort((-density, -np.round(relaxed, 9)))


def _fixed_bounds(gain: np.ndarray, weights: np.ndarray, room: np.ndarray, pairs: np.ndarray,
                  hint: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, np.ndarray, float] | None:
    """0/1 bounds after reduced-cost fixing, the greedy plan and its gain minus the margin; None without an LP."""
    relaxation = _relaxation(gain, weights, room, pairs)
    if relaxation is None:
        return None
    relaxed, resource_multipliers, pair_multipliers = relaxation
    ranking = _ranking(gain, weights, room, relaxed)
    greedy = _Greedy(gain, weights, room, pairs)
    plans = [greedy.fill(np.zeros(gain.size, dtype=bool), ranking)]
    if hint is not None:
        plans.append(greedy.fill(greedy.drop_to_fit(hint, ranking), ranking))
    incumbent = max(plans, key=lambda plan: float(gain[plan].sum()))
    reduced = _reduced_gains(gain, weights, pairs, resource_multipliers, pair_multipliers)
    bound = float(resource_multipliers @ room + np.maximum(reduced, 0.0).sum())
    margin = FIXING_MARGIN_RELATIVE * (float(np.abs(gain).sum()) + abs(bound)) + FIXING_MARGIN_ABSOLUTE
    floor = float(gain[incumbent].sum()) - margin
    fixed = bound - np.abs(reduced) < floor
    lower, upper = np.where(fixed & (reduced > 0), 1.0, 0.0), np.where(fixed & (reduced <= 0), 0.0, 1.0)
    _propagate(lower, upper, pairs)
    return lower, upper, incumbent, floor


def solve_exact(gain: np.ndarray, weights: np.ndarray, room: np.ndarray, pairs: np.ndarray,
                hint: np.ndarray | None = None) -> np.ndarray:
    """The plan (boolean mask) with the greatest Σ gain subject to ``weights @ x ≤ room`` and, for every row
    (dependent, need) of ``pairs``, x_dependent ≤ x_need; ``hint`` is a plan closed under needs (e.g. the optimum
    at a larger budget) that seeds the greedy lower bound. Raises RuntimeError if HiGHS proves no optimum.

    Exact: HiGHS solves the programme with the variables fixed that reduced-cost fixing rules out (module
    docstring): every plan worth at least the greedy plan minus a float margin keeps its variables free.
    """
    size = gain.size
    if size == 0:
        return np.zeros(0, dtype=bool)
    fixing = _fixed_bounds(gain, weights, room, pairs, hint)
    if fixing is not None:
        lower, upper, incumbent, floor = fixing
        if (lower == upper).all() and np.array_equal(lower > 0.5, incumbent):
            return incumbent
        solution = _milp(gain, weights, room, pairs, lower, upper) if (lower <= upper).all() else None
        if solution is not None and float(gain[solution].sum()) >= floor:
            return solution
    solution = _milp(gain, weights, room, pairs, np.zeros(size), np.ones(size))
    if solution is None:
        raise RuntimeError("HiGHS found no optimal S20 plan for a validated portfolio")
    return solution


def improves_on(gain: np.ndarray, weights: np.ndarray, room: np.ndarray, pairs: np.ndarray, plan: np.ndarray,
                by: float) -> bool:
    """Whether some plan within ``weights @ x ≤ room`` and the dependency ``pairs`` has Σ gain greater than
    ``plan``'s (a feasible plan, closed under needs) by more than ``by`` (same unit as ``gain``).

    Decided without branch and bound where a bound settles it: no when the Lagrangian bound of the LP relaxation
    (module docstring, step 1) is not above Σ gain[plan] + ``by`` (beyond a float margin), yes when a greedy plan
    (from ``plan`` or from nothing, in LP order) beats it; otherwise :func:`solve_exact` decides. Example: gains
    [5, 4, 3], weights [[4, 3, 2]], room [5]: the plan {0} (5) is beaten by {1, 2} (7) by more than 1 → True.
    """
    target = float(gain[plan].sum()) + by
    relaxation = _relaxation(gain, weights, room, pairs)
    if relaxation is not None:
        relaxed, resource_multipliers, pair_multipliers = relaxation
        reduced = _reduced_gains(gain, weights, pairs, resource_multipliers, pair_multipliers)
        bound = float(resource_multipliers @ room + np.maximum(reduced, 0.0).sum())
        margin = FIXING_MARGIN_RELATIVE * (float(np.abs(gain).sum()) + abs(bound)) + FIXING_MARGIN_ABSOLUTE
        if bound + margin <= target:
            return False
        ranking = _ranking(gain, weights, room, relaxed)
        greedy = _Greedy(gain, weights, room, pairs)
        for start in (plan, np.zeros(gain.size, dtype=bool)):
            if float(gain[greedy.fill(start, ranking)].sum()) > target:
                return True
    return float(gain[solve_exact(gain, weights, room, pairs, hint=plan)].sum()) > target
