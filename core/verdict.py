"""One verdict per use case (S5, S9, S10, S11, S13, S16, S17): the gates in sequence and the S16 worst case.

The gates are passed in the order of the S13 roadmap (:data:`GATE_SEQUENCE`): PoC → Pilot (S5, end of phase 3),
quality gates (S9, end of the pilot), go-live compliance (S11, before production), canary (S10, the first
traffic in production), scale or kill (S17, phase 6). A gate after one that has not passed is "blocked": its
own checks are still computed and shown, but its decision does not count. S17 "scale" counts only when the
S16 worst case survives (the lowest scenario net value > 0); otherwise scale or kill stands at "iterate" and
the use case is a PoC with an expiry date. :func:`use_case_status` turns this into one status, and
:func:`status_sentence` into the one sentence every page and the Excel Decision sheet show
(docs/VERDICTS.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from core.gates import INCOMPLETE, PASSING_DECISIONS, GateResult, evaluate_all
from core.models import ROI_INPUT_FIELDS, Thresholds, UseCase
from core.roi import roi_arrays

GATE_SEQUENCE: tuple[str, ...] = ("poc_to_pilot", "quality_gates", "go_live_compliance", "canary", "scale_or_kill")
BLOCKED = "blocked"
StatusKind = Literal["stopped", "waiting", "iterate", "not_scale_candidate", "scale"]

GATE_NAMES: dict[str, dict[str, str]] = {
    "poc_to_pilot": {"en": "PoC → Pilot", "de": "PoC → Pilot"},
    "quality_gates": {"en": "Quality gates", "de": "Qualitätsgates"},
    "canary": {"en": "Canary", "de": "Canary"},
    "scale_or_kill": {"en": "Scale or kill", "de": "Skalieren oder stoppen"},
    "go_live_compliance": {"en": "Go-live compliance", "de": "Go-live-Compliance"},
}
DECISION_NAMES: dict[str, dict[str, str]] = {
    "stop": {"en": "stop", "de": "Stopp"},
    "fail": {"en": "failed", "de": "nicht bestanden"},
    "rollback": {"en": "roll back", "de": "zurückrollen"},
    "stop_or_re-scope": {"en": "stop or re-scope", "de": "stoppen oder neu zuschneiden"},
    "no_deploy": {"en": "no deploy", "de": "kein Go-live"},
}
SENTENCES: dict[str, dict[str, str]] = {
    "stopped": {
        "en": "Stopped at {gate} ({decision}): the later gates are blocked until it passes.",
        "de": "Gestoppt bei {gate} ({decision}): die späteren Gates sind blockiert, bis es bestanden ist.",
    },
    "waiting": {
        "en": "Waiting for {gate}: {missing}.",
        "de": "Wartet auf {gate}: {missing}.",
    },
    "iterate": {
        "en": "Iterate: the gates up to scale or kill passed, but its S17 conditions are not all met.",
        "de": "Iterieren: die Gates bis Skalieren oder stoppen sind bestanden, aber seine S17-Bedingungen "
              "sind nicht alle erfüllt.",
    },
    "not_scale_candidate": {
        "en": "Not a scale candidate: every gate passed, but the S16 worst case does not survive – "
              "a PoC with an expiry date.",
        "de": "Kein Skalierungskandidat: alle Gates bestanden, aber der S16-Worst-Case trägt sich nicht – "
              "ein PoC mit Ablaufdatum.",
    },
    "scale": {
        "en": "Scale: every gate passed and the S16 worst case survives.",
        "de": "Skalieren: alle Gates bestanden, und der S16-Worst-Case trägt sich.",
    },
}
MISSING_INPUTS: dict[str, tuple[str, str]] = {
    "en": ("1 input is missing", "{count} inputs are missing"),
    "de": ("1 Eingabe fehlt", "{count} Eingaben fehlen"),
}


@dataclass(frozen=True, slots=True)
class GateStanding:
    """A gate's decision in the sequence: its own ``decision``, or "blocked" with the gate that blocks it."""

    gate: str
    decision: str
    own_decision: str
    blocked_by: str | None = None

    @property
    def passed(self) -> bool:
        return self.decision == PASSING_DECISIONS[self.gate]


@dataclass(frozen=True, slots=True)
class UseCaseStatus:
    """Where a use case stands: ``kind``, the gate it stands at (None when every gate passed), that gate's
    decision in the sequence and, for "waiting", how many inputs it misses."""

    kind: StatusKind
    gate: str | None
    decision: str
    missing_count: int = 0
    worst_case_survives: bool = False


def _s17_with_s16(result: GateResult, worst_case_survives: bool) -> str:
    """S17's decision once S16 is heard: "scale" with a worst case that does not survive is "iterate"."""
    if result.decision == "scale" and not worst_case_survives:
        return "iterate"
    return result.decision


def gate_sequence(results: Mapping[str, GateResult], worst_case_survives: bool) -> dict[str, GateStanding]:
    """Each gate's standing in :data:`GATE_SEQUENCE`: after the first gate that has not passed, every later
    gate is "blocked" by it; S17 "scale" becomes "iterate" when the S16 worst case does not survive.

    Example: PoC → Pilot "go", quality gates "fail" → go-live compliance, canary and scale or kill are
    ``GateStanding(decision="blocked", blocked_by="quality_gates")``.
    """
    unknown = [gate for gate in GATE_SEQUENCE if gate not in results]
    if unknown:
        raise ValueError(f"results: missing the gates {unknown}")
    standings: dict[str, GateStanding] = {}
    blocker: str | None = None
    for gate in GATE_SEQUENCE:
        own = results[gate].decision
        if gate == "scale_or_kill":
            own = _s17_with_s16(results[gate], worst_case_survives)
        if blocker is not None:
            standings[gate] = GateStanding(gate, BLOCKED, own, blocker)
            continue
        standings[gate] = GateStanding(gate, own, own)
        if own != PASSING_DECISIONS[gate]:
            blocker = gate
    return standings


def worst_case_survives(use_case: UseCase) -> bool:
    """S16: True when the most pessimistic scenario of the use case keeps a net value > 0 €/month, as
    ``core.sensitivity.scenario_verdict`` judges (without pandas: Home draws this on a cold start).

    A use case without scenarios is judged on its base inputs alone.
    Example: the S15 base inputs with the default scenarios → False (worst: adoption 0.25, 0.8 min).
    """
    return bool(worst_cases_survive((use_case,))[0])


def worst_cases_survive(use_cases: Sequence[UseCase]) -> np.ndarray:
    """:func:`worst_case_survives` for many use cases in one vectorised S15 pass over all their scenarios (bool
    array in the given order)."""
    rows: list[dict[str, float]] = []
    starts: list[int] = []
    for use_case in use_cases:
        base = {name: float(getattr(use_case.roi, name)) for name in ROI_INPUT_FIELDS}
        starts.append(len(rows))
        rows.extend([{**base, **scenario.overrides()} for scenario in use_case.scenarios] or [base])
    if not rows:
        return np.zeros(0, dtype=bool)
    columns = {name: np.array([row[name] for row in rows], dtype=float) for name in ROI_INPUT_FIELDS}
    lowest = np.minimum.reduceat(roi_arrays(**columns)["net_value"], np.array(starts, dtype=np.intp))
    return lowest > 0


def status_from(results: Mapping[str, GateResult], survives: bool) -> UseCaseStatus:
    """The :class:`UseCaseStatus` of gate results and the S16 worst-case outcome (see :func:`use_case_status`)."""
    standings = gate_sequence(results, survives)
    for gate in GATE_SEQUENCE:
        standing = standings[gate]
        if standing.passed:
            continue
        decision = standing.decision
        if decision == INCOMPLETE:
            result = results[gate]
            count = len(result.missing) or sum(1 for check in result.checks if check.passed is None)
            return UseCaseStatus("waiting", gate, decision, missing_count=count, worst_case_survives=survives)
        if decision == "iterate":
            kind: StatusKind = "iterate" if results[gate].decision == "iterate" else "not_scale_candidate"
            return UseCaseStatus(kind, gate, decision, worst_case_survives=survives)
        return UseCaseStatus("stopped", gate, decision, worst_case_survives=survives)
    return UseCaseStatus("scale", None, PASSING_DECISIONS["scale_or_kill"], worst_case_survives=survives)


def use_case_status(use_case: UseCase, thresholds: Thresholds | None = None) -> UseCaseStatus:
    """Where the use case stands: the first gate of :data:`GATE_SEQUENCE` that has not passed decides
    ("stopped" on a failure, "waiting" on missing inputs, "iterate" on S17's own iterate), and with every
    gate passed S16 decides between "scale" and "not_scale_candidate" (a PoC with an expiry date).

    Example: the sample support chatbot passes all five gates but its S16 worst case loses money →
    ``UseCaseStatus(kind="not_scale_candidate", gate="scale_or_kill", decision="iterate")``.
    """
    return status_from(evaluate_all(use_case, thresholds), worst_case_survives(use_case))


def status_sentence(status: UseCaseStatus, language: str) -> str:
    """The status as the one sentence every page and the Excel Decision sheet show, in ``language`` ("en"/"de").

    Example: ``UseCaseStatus("stopped", "quality_gates", "fail")`` in English → "Stopped at Quality gates
    (failed): the later gates are blocked until it passes."
    """
    if language not in ("en", "de"):
        raise ValueError(f"language: must be 'en' or 'de', got {language!r}")
    gate = GATE_NAMES[status.gate][language] if status.gate else ""
    decision = DECISION_NAMES.get(status.decision, {}).get(language, status.decision)
    one, many = MISSING_INPUTS[language]
    missing = one if status.missing_count == 1 else many.format(count=status.missing_count)
    return SENTENCES[status.kind][language].format(gate=gate, decision=decision, missing=missing)
