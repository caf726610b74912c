"""S21 workshop round: the questions and their scales, answer checks, the round statistics, and the room's
spread as S3 rank-stability draws and S16 Monte Carlo ranges.

A question is the dotted use-case field it estimates: the seven S3 inputs (``scoring.<field>``, fractions) and,
as three-point estimates low / likely / high, three S15 inputs (``roi.adoption``, ``roi.minutes_saved_per_case``,
``roi.volume_cases_per_month``). Adopting a result writes to exactly that path.

Answers travel as a DataFrame with :data:`ANSWER_COLUMNS`, one row per participant × use case × question;
``value`` is the answer (for three-point questions the likely value), ``low`` and ``high`` are NaN for S3.

Quantiles are numpy's default ``method="linear"`` (Hyndman & Fan 1996, type 7; also pandas' and R's default and
Excel's QUARTILE.INC): for n sorted answers x₀ ≤ … ≤ xₙ₋₁ the p-quantile sits at position h = (n − 1)·p, i.e.
x⌊h⌋ + (h − ⌊h⌋)·(x⌊h⌋₊₁ − x⌊h⌋). IQR = Q(0.75) − Q(0.25).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

import numpy as np
from pydantic import Field, model_validator

from core.models import Frozen, Identifier, ScoringWeights, ShortText, UseCase, get_path
from core.scoring import BOUNDARY_TOLERANCE, SCORING_FIELDS, quadrant_labels, score_arrays

if TYPE_CHECKING:
    import pandas as pd

QUANTILE_METHOD = "linear"
SCORING_QUESTIONS: tuple[str, ...] = tuple(f"scoring.{name}" for name in SCORING_FIELDS)
THREE_POINT_FIELDS: tuple[str, ...] = ("adoption", "minutes_saved_per_case", "volume_cases_per_month")
THREE_POINT_QUESTIONS: tuple[str, ...] = tuple(f"roi.{name}" for name in THREE_POINT_FIELDS)
QUESTIONS: tuple[str, ...] = SCORING_QUESTIONS + THREE_POINT_QUESTIONS
FRACTION_DISPUTE_IQR = 0.25
"""S21: an S3 question is disputed when its IQR exceeds 0.25."""
RELATIVE_DISPUTE_IQR = 0.5
"""S21: an S15 question is disputed when its IQR exceeds 50 % of its median."""
MAX_ROUND_USE_CASES = 30
ANSWER_COLUMNS: tuple[str, ...] = ("participant_id", "use_case_id", "question", "value", "low", "high")
STATISTICS_COLUMNS: tuple[str, ...] = (
    "n", "median", "q1", "q3", "iqr", "minimum", "maximum", "low_median", "high_median", "threshold", "disputed",
)
SPREAD_COLUMNS: tuple[str, ...] = (
    "n", "value_median", "value_q1", "value_q3", "feasibility_median", "feasibility_q1", "feasibility_q3",
)
MAX_ANSWER_DRAWS = 100_000
# Keeps one block of (draws × use cases × 7) answer draws near 32 MB of float64.
ANSWER_DRAW_BLOCK_ELEMENTS = 4_000_000

FRACTION_STEP = 0.05
ADOPTION_STEP = 0.01
SCALE_HEADROOM = 3.0
"""An S15 scale reaches three times the use case's current value, so that nobody is pinned at the end."""
MINIMUM_SCALE_TOP = {"minutes_saved_per_case": 5.0, "volume_cases_per_month": 100.0}
SCALE_STEPS = 200


def is_three_point(question: str) -> bool:
    """True for the S15 three-point questions (``roi.*``), False for the S3 fractions."""
    return question in THREE_POINT_QUESTIONS


def check_question(question: str) -> str:
    if question not in QUESTIONS:
        raise ValueError(f"question: '{question}' is not a workshop question; expected one of {', '.join(QUESTIONS)}")
    return question


class Scale(Frozen):
    """The slider of one question: [minimum, maximum] in the field's unit, moved in ``step``."""

    minimum: Annotated[float, Field(ge=0.0, allow_inf_nan=False, strict=True)]
    maximum: Annotated[float, Field(gt=0.0, le=1e12, allow_inf_nan=False, strict=True)]
    step: Annotated[float, Field(gt=0.0, allow_inf_nan=False, strict=True)]

    @model_validator(mode="after")
    def _ordered(self) -> Scale:
        if self.minimum >= self.maximum:
            raise ValueError(f"scale: minimum {self.minimum:g} must lie below maximum {self.maximum:g}")
        return self


FRACTION_SCALE = Scale(minimum=0.0, maximum=1.0, step=FRACTION_STEP)


def _nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10^k that is ≥ ``value``, e.g. 7.2 → 10, 150,000 → 200,000."""
    exponent = math.floor(math.log10(value))
    for mantissa in (1.0, 2.0, 2.5, 5.0, 10.0):
        candidate = mantissa * 10.0**exponent
        if candidate >= value * (1 - 1e-12):
            return candidate
    return 10.0 ** (exponent + 1)


def default_scale(question: str, current_value: float) -> Scale:
    """The slider a question gets when a round opens (S21).

    S3 fractions and adoption run over [0, 1] (steps 5 % and 1 %); minutes saved and volume from 0 to a round
    number at least three times the current value (at least 5 minutes, 100 cases), in 200 steps.
    Example: volume 50,000 cases/month → [0, 200,000] in steps of 1,000; minutes 2.4 → [0, 10] in steps of 0.05.
    """
    check_question(question)
    if not is_three_point(question):
        return FRACTION_SCALE
    field = question.removeprefix("roi.")
    if field == "adoption":
        return Scale(minimum=0.0, maximum=1.0, step=ADOPTION_STEP)
    top = _nice_ceiling(max(SCALE_HEADROOM * float(current_value), MINIMUM_SCALE_TOP[field]))
    return Scale(minimum=0.0, maximum=top, step=top / SCALE_STEPS)


class ItemScale(Frozen):
    """The scale of one three-point question for one use case (volumes differ by orders of magnitude)."""

    use_case_id: Identifier
    question: str
    scale: Scale


class RoundDefinition(Frozen):
    """What a round asks (S21): use cases × questions, and the scale of every three-point question per use case."""

    title: ShortText = ""
    use_case_ids: Annotated[tuple[Identifier, ...], Field(min_length=1, max_length=MAX_ROUND_USE_CASES)]
    questions: Annotated[tuple[str, ...], Field(min_length=1, max_length=len(QUESTIONS))]
    scales: tuple[ItemScale, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> RoundDefinition:
        if len(set(self.use_case_ids)) != len(self.use_case_ids):
            raise ValueError("use_case_ids: each use case may appear only once")
        if len(set(self.questions)) != len(self.questions):
            raise ValueError("questions: each question may appear only once")
        for question in self.questions:
            check_question(question)
        wanted = {(u, q) for u in self.use_case_ids for q in self.questions if is_three_point(q)}
        given = [(item.use_case_id, item.question) for item in self.scales]
        if len(set(given)) != len(given) or set(given) != wanted:
            raise ValueError("scales: give exactly one scale per use case and three-point question")
        return self

    def scale(self, use_case_id: str, question: str) -> Scale:
        """The slider of ``question`` for ``use_case_id``; KeyError if the round does not ask it."""
        if use_case_id not in self.use_case_ids or question not in self.questions:
            raise KeyError(f"{use_case_id}/{question}")
        if not is_three_point(question):
            return FRACTION_SCALE
        for item in self.scales:
            if item.use_case_id == use_case_id and item.question == question:
                return item.scale
        raise KeyError(f"{use_case_id}/{question}")


def define_round(use_cases: Sequence[UseCase], questions: Sequence[str], title: str = "") -> RoundDefinition:
    """A round over these use cases and questions, with each three-point scale from the use case's current value.

    Example: ``define_round([chatbot], ["scoring.data_availability", "roi.adoption"])``.
    """
    ordered = tuple(question for question in QUESTIONS if question in set(map(check_question, questions)))
    scales = tuple(
        ItemScale(use_case_id=case.id, question=question, scale=default_scale(question, get_path(case, question)))
        for case in use_cases for question in ordered if is_three_point(question)
    )
    return RoundDefinition(title=title, use_case_ids=tuple(case.id for case in use_cases), questions=ordered,
                           scales=scales)


class Answer(Frozen):
    """One participant's answer to one question: ``value`` (the likely value of a three-point estimate), and for
    three-point questions ``low`` ≤ ``value`` ≤ ``high``."""

    value: Annotated[float, Field(allow_inf_nan=False, strict=True)]
    low: Annotated[float, Field(allow_inf_nan=False, strict=True)] | None = None
    high: Annotated[float, Field(allow_inf_nan=False, strict=True)] | None = None


def check_answer(definition: RoundDefinition, use_case_id: str, question: str, answer: Answer) -> Answer:
    """``answer`` if the round asks this question for this use case and the answer fits its scale; else ValueError.

    Three-point answers need low ≤ likely ≤ high; S3 answers carry no low or high.
    """
    try:
        scale = definition.scale(use_case_id, question)
    except KeyError:
        raise ValueError(f"{use_case_id}/{question}: this round does not ask that question") from None
    points = [answer.value]
    if is_three_point(question):
        if answer.low is None or answer.high is None:
            raise ValueError(f"{question}: a three-point estimate needs low, likely and high")
        if not answer.low <= answer.value <= answer.high:
            raise ValueError(f"{question}: low ≤ likely ≤ high must hold, got {answer.low:g}, {answer.value:g}, "
                             f"{answer.high:g}")
        points = [answer.low, answer.value, answer.high]
    elif answer.low is not None or answer.high is not None:
        raise ValueError(f"{question}: an S3 answer is one value, without low and high")
    for point in points:
        if not scale.minimum - BOUNDARY_TOLERANCE <= point <= scale.maximum + BOUNDARY_TOLERANCE:
            raise ValueError(f"{question}: {point:g} lies outside [{scale.minimum:g}, {scale.maximum:g}]")
    return answer


@dataclass(frozen=True, slots=True)
class AnswerStatistics:
    """n, median, quartiles, IQR, minimum and maximum of one question's answers (unit of the question)."""

    n: int
    median: float
    q1: float
    q3: float
    iqr: float
    minimum: float
    maximum: float


def answer_statistics(values: Sequence[float] | np.ndarray) -> AnswerStatistics:
    """S21 statistics of one question's answers, quantiles by numpy's "linear" method (type 7, see module doc).

    Example: [0.2, 0.4, 0.5, 0.9] → median 0.45, Q1 0.35, Q3 0.6, IQR 0.25, min 0.2, max 0.9.
    """
    array = np.asarray(values, dtype=float)
    if array.ndim != 1 or array.size == 0:
        raise ValueError("answers: give at least one answer")
    if not np.isfinite(array).all():
        raise ValueError("answers: every answer must be a finite number")
    q1, median, q3 = np.quantile(array, [0.25, 0.5, 0.75], method=QUANTILE_METHOD)
    return AnswerStatistics(n=int(array.size), median=float(median), q1=float(q1), q3=float(q3),
                            iqr=float(q3 - q1), minimum=float(array.min()), maximum=float(array.max()))


def dispute_threshold(questions: Sequence[str] | np.ndarray, medians: Sequence[float] | np.ndarray) -> np.ndarray:
    """S21 threshold per question: 0.25 for S3 fractions, 50 % of |median| for S15 inputs.

    Example: (["scoring.cost_reduction", "roi.volume_cases_per_month"], [0.4, 40_000]) → [0.25, 20,000].
    """
    three_point = np.isin(np.asarray(questions, dtype=object), THREE_POINT_QUESTIONS)
    return np.where(three_point, RELATIVE_DISPUTE_IQR * np.abs(np.asarray(medians, dtype=float)),
                    FRACTION_DISPUTE_IQR)


def is_disputed(questions: Sequence[str] | np.ndarray, medians: Sequence[float] | np.ndarray,
                iqrs: Sequence[float] | np.ndarray) -> np.ndarray:
    """S21: IQR strictly above :func:`dispute_threshold` (1e-12 forgiven, so an IQR of exactly 0.25 is not)."""
    return np.asarray(iqrs, dtype=float) > dispute_threshold(questions, medians) + BOUNDARY_TOLERANCE


def answers_frame(rows: Sequence[Mapping[str, object]] = ()) -> pd.DataFrame:
    """An answers table with :data:`ANSWER_COLUMNS` from row mappings (missing low/high become NaN)."""
    import pandas as pd

    frame = pd.DataFrame(list(rows), columns=list(ANSWER_COLUMNS))
    for column in ("value", "low", "high"):
        frame[column] = pd.to_numeric(frame[column], errors="raise").astype(float)
    return frame


def _check_answers(answers: pd.DataFrame) -> pd.DataFrame:
    missing = [column for column in ANSWER_COLUMNS if column not in answers.columns]
    if missing:
        raise ValueError(f"answers: missing columns {missing}")
    if answers.duplicated(["participant_id", "use_case_id", "question"]).any():
        raise ValueError("answers: one answer per participant, use case and question")
    if not np.isfinite(answers["value"].to_numpy(dtype=float)).all():
        raise ValueError("answers: every value must be a finite number")
    return answers


def round_statistics(answers: pd.DataFrame) -> pd.DataFrame:
    """S21 per (use case, question): n, median, q1, q3, iqr, minimum, maximum of the answers (the likely values
    of three-point questions), low_median and high_median (NaN for S3), the threshold and disputed.

    Sorted with disputed questions first, then by IQR relative to its threshold (largest spread first), so the
    discussion starts where the room disagrees most. Quantiles as :func:`answer_statistics`.
    Example: four answers 0.1, 0.2, 0.7, 0.9 to ``scoring.data_availability`` → median 0.45, IQR 0.575, disputed.
    """
    import pandas as pd

    answers = _check_answers(answers)
    if answers.empty:
        index = pd.MultiIndex.from_arrays([[], []], names=["use_case_id", "question"])
        return pd.DataFrame({column: [] for column in STATISTICS_COLUMNS}, index=index)
    grouped = answers.groupby(["use_case_id", "question"], sort=True)
    values = grouped["value"]
    quartiles = values.quantile([0.25, 0.5, 0.75], interpolation=QUANTILE_METHOD).unstack()
    frame = pd.DataFrame({
        "n": values.count().astype("int64"),
        "median": quartiles[0.5],
        "q1": quartiles[0.25],
        "q3": quartiles[0.75],
        "minimum": values.min(),
        "maximum": values.max(),
        "low_median": grouped["low"].median(),
        "high_median": grouped["high"].median(),
    })
    frame.insert(4, "iqr", frame["q3"] - frame["q1"])
    questions = frame.index.get_level_values("question").to_numpy(dtype=object)
    frame["threshold"] = dispute_threshold(questions, frame["median"].to_numpy())
    frame["disputed"] = is_disputed(questions, frame["median"].to_numpy(), frame["iqr"].to_numpy())
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = np.where(frame["threshold"] > 0, frame["iqr"] / frame["threshold"], np.where(frame["iqr"] > 0,
                                                                                              np.inf, 0.0))
    order = np.lexsort((-relative, ~frame["disputed"].to_numpy()))
    return frame.iloc[order]


def three_point_ranges(answers: pd.DataFrame, use_case_id: str) -> dict[str, tuple[float, float, float]]:
    """S16 Monte Carlo ranges from a round's three-point answers for one use case: per S15 input
    (median low, median likely, median high), keyed by the RoiInputs field name.

    The medians keep their order (each participant's low ≤ likely ≤ high, and every quantile is monotone in the
    data), so they form a valid triangular (low, mode, high) without further pooling.
    Example: low/likely/high (0.3, 0.5, 0.7) and (0.4, 0.6, 0.9) for adoption → {"adoption": (0.35, 0.55, 0.8)}.
    """

    answers = _check_answers(answers)
    chosen = answers[(answers["use_case_id"] == use_case_id) & answers["question"].isin(THREE_POINT_QUESTIONS)]
    medians = chosen.groupby("question")[["low", "value", "high"]].median()
    return {
        question.removeprefix("roi."): (float(row["low"]), float(row["value"]), float(row["high"]))
        for question, row in medians.iterrows()
        if np.isfinite(row.to_numpy(dtype=float)).all()
    }


def _scoring_matrix(use_cases: Sequence[UseCase]) -> np.ndarray:
    return np.array([[getattr(case.scoring, name) for name in SCORING_FIELDS] for case in use_cases],
                    dtype=float).reshape(-1, len(SCORING_FIELDS))


def _padded_scoring_answers(answers: pd.DataFrame, use_case_ids: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """(use cases × 7 × most answers) array of S3 answers, NaN-padded, and the (use cases × 7) answer counts."""
    import pandas as pd

    scoring = answers[answers["question"].isin(SCORING_QUESTIONS) & answers["use_case_id"].isin(use_case_ids)]
    case_index = pd.Index(list(use_case_ids)).get_indexer(scoring["use_case_id"])
    question_index = pd.Index(list(SCORING_QUESTIONS)).get_indexer(scoring["question"])
    cell = case_index * len(SCORING_QUESTIONS) + question_index
    counts = np.bincount(cell, minlength=len(use_case_ids) * len(SCORING_QUESTIONS))
    order = np.argsort(cell, kind="stable")
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    slot = np.arange(len(cell)) - np.repeat(starts, counts)
    padded = np.full((len(use_case_ids) * len(SCORING_QUESTIONS), max(1, int(counts.max(initial=0)))), np.nan)
    padded[cell[order], slot] = scoring["value"].to_numpy(dtype=float)[order]
    shape = (len(use_case_ids), len(SCORING_QUESTIONS))
    return padded.reshape(*shape, -1), counts.reshape(shape)


def scoring_draws(base: np.ndarray, padded: np.ndarray, counts: np.ndarray, rng: np.random.Generator,
                  n: int) -> np.ndarray:
    """(n × use cases × 7) S3 inputs: per draw, use case and question one participant's answer, drawn uniformly
    from those who answered it; a question nobody answered keeps the use case's ``base`` value."""
    picks = np.floor(rng.random((n, *counts.shape)) * counts).astype(np.int64)
    cases, questions = np.indices(counts.shape)
    drawn = padded[cases, questions, np.minimum(picks, padded.shape[2] - 1)]
    return np.where(counts > 0, drawn, base)


def rank_stability_from_answers(
    use_cases: Sequence[UseCase],
    answers: pd.DataFrame,
    weights: ScoringWeights | None = None,
    n: int = 500,
    seed: int = 0,
    min_value: float = 0.5,
    min_feasibility: float = 0.5,
) -> pd.DataFrame:
    """S3 rank stability drawn from a round's answers instead of weight noise (S21).

    In each of ``n`` draws every S3 input of every use case in the round is one participant's answer, drawn
    independently per use case and question (:func:`scoring_draws`); inputs nobody answered keep their stored
    value, weights stay fixed. Returns per use case (index id): quadrant at the stored inputs and stay_share,
    the share of draws in that quadrant (NaN for use cases without answers). Deterministic per seed.
    Example: a use case whose every answer equals its stored inputs has stay_share 1.0.
    """
    import pandas as pd

    if isinstance(n, bool) or not isinstance(n, int | np.integer) or not 1 <= n <= MAX_ANSWER_DRAWS:
        raise ValueError(f"n: must be a whole number in [1, {MAX_ANSWER_DRAWS:,}], got {n!r}")
    answers = _check_answers(answers)
    weights = weights or ScoringWeights()
    ids = [case.id for case in use_cases]
    base = _scoring_matrix(use_cases)
    value, feasibility, _ = score_arrays(base, weights)
    quadrants = quadrant_labels(value, feasibility, min_value, min_feasibility)
    stay_share = np.full(len(ids), np.nan)
    with_scoring = set(answers.loc[answers["question"].isin(SCORING_QUESTIONS), "use_case_id"])
    answered = [i for i, case_id in enumerate(ids) if case_id in with_scoring]
    if answered:
        padded, counts = _padded_scoring_answers(answers, [ids[i] for i in answered])
        stays = _quadrant_stays(base[answered], quadrants[answered], padded, counts, weights, int(n),
                                np.random.default_rng(seed), (min_value, min_feasibility))
        stay_share[answered] = stays / n
    return pd.DataFrame({"quadrant": quadrants, "stay_share": stay_share}, index=pd.Index(ids, name="id"))


def _quadrant_stays(base: np.ndarray, quadrants: np.ndarray, padded: np.ndarray, counts: np.ndarray,
                    weights: ScoringWeights, n: int, rng: np.random.Generator,
                    thresholds: tuple[float, float]) -> np.ndarray:
    """Per answered use case, in how many of ``n`` answer draws it stays in its quadrant; drawn in blocks so
    that memory stays bounded (:data:`ANSWER_DRAW_BLOCK_ELEMENTS`)."""
    stays = np.zeros(len(base), dtype=np.int64)
    block = max(1, ANSWER_DRAW_BLOCK_ELEMENTS // (len(base) * len(SCORING_FIELDS)))
    for start in range(0, n, block):
        draws = scoring_draws(base, padded, counts, rng, min(block, n - start))
        drawn_value, drawn_feasibility, _ = score_arrays(draws.reshape(-1, len(SCORING_FIELDS)), weights)
        drawn = quadrant_labels(drawn_value, drawn_feasibility, *thresholds)
        stays += (drawn.reshape(-1, len(base)) == quadrants).sum(axis=0)
    return stays


def positions_with_spread(use_cases: Sequence[UseCase], answers: pd.DataFrame,
                          weights: ScoringWeights | None = None) -> pd.DataFrame:
    """The "matrix with spread" (S21): per use case with S3 answers, each participant's own value and feasibility
    (S3, the workspace weights), then their median and quartiles across the room.

    A question a participant left open takes the room's median for it; a question nobody answered, the stored
    value. Returns index id with n (participants) and value/feasibility median, q1, q3 (:data:`SPREAD_COLUMNS`).
    Example: two participants whose answers give values 0.4 and 0.6 → value_median 0.5, value_q1 0.45, q3 0.55.
    """
    import pandas as pd

    answers = _check_answers(answers)
    scoring = answers[answers["question"].isin(SCORING_QUESTIONS)]
    rows: dict[str, list[float]] = {}
    for case in use_cases:
        mine = scoring[scoring["use_case_id"] == case.id]
        if mine.empty:
            continue
        table = mine.pivot(index="participant_id", columns="question", values="value").reindex(
            columns=list(SCORING_QUESTIONS))
        stored = pd.Series([getattr(case.scoring, name) for name in SCORING_FIELDS], index=list(SCORING_QUESTIONS))
        filled = table.fillna(table.median()).fillna(stored)
        value, feasibility, _ = score_arrays(filled.to_numpy(dtype=float), weights)
        value_q = np.quantile(value, [0.5, 0.25, 0.75], method=QUANTILE_METHOD)
        feasibility_q = np.quantile(feasibility, [0.5, 0.25, 0.75], method=QUANTILE_METHOD)
        rows[case.id] = [float(len(filled)), *value_q, *feasibility_q]
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=list(SPREAD_COLUMNS))
    frame.index.name = "id"
    frame["n"] = frame["n"].astype("int64")
    return frame
