"""The participant's page (S21, S23): join a round by its link or code, answer one use case at a time on a phone,
and find the answers again after a reload.

It reaches the store only with the round token (the link) and the participant's own secret (put into the URL on
joining): never a workspace, a use case's figures or another participant's answers. Each answer is saved the
moment a slider is released.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core import workshop
from core.store import NotFoundError, Participant, RoundInfo, UseCaseBrief
from core.workshop import Answer, Scale
from ui import auth, frame, state, store_access
from ui.i18n import t

THREE_POINT_DEFAULTS = (0.25, 0.5, 0.75)
"""Where an unanswered three-point estimate starts: low, likely and high at these shares of its scale."""
INDEX_CHOICE = "answer.index.{round_id}"
SUBMITTED_CHOICE = "answer.submitted.{round_id}"


def page_config() -> None:
    """The phone page's frame: no sidebar, no navigation; language from the URL."""
    state.url_language()
    state.start_run()
    frame.set_page(t("ans.title"), layout="centered", sidebar_collapsed=True)
    frame.phone_style()


def round_for_link(token: str) -> RoundInfo | None:
    try:
        return store_access.store().round_for_token(token)
    except NotFoundError:
        return None


def round_for_code(code: str) -> RoundInfo | None:
    """The open round with this join code, or None."""
    try:
        return store_access.store().round_for_code(code)
    except NotFoundError:
        return None


def participant(token: str, secret: str | None) -> Participant | None:
    if not secret:
        return None
    try:
        return store_access.store().participant(token, secret)
    except NotFoundError:
        return None


def signed_in_name() -> str | None:
    """The participant's name from the sign-in when they signed in (S23); None otherwise: the round's token alone
    lets a participant answer, signed in or not."""
    person = auth.identity() if auth.sign_in_enabled() else None
    return person.name if person is not None else None


def join(token: str, name: str) -> str:
    """Join as a new participant (with their OIDC subject when signed in); returns the secret and puts it into the
    URL."""
    person = auth.identity() if auth.sign_in_enabled() else None
    _, secret = store_access.store().join_round(token, name, subject=person.subject if person else None)
    state.set_participant(token, secret)
    return secret


def briefs(token: str) -> list[UseCaseBrief]:
    return store_access.store().round_briefs(token)


def my_answers(token: str, secret: str) -> dict[tuple[str, str], Answer]:
    return store_access.store().my_answers(token, secret)


def widget_key(round_id: str, use_case_id: str, question: str, part: str = "value") -> str:
    return f"w.ans.{round_id}.{use_case_id}.{question}.{part}"


def starting_answer(question: str, scale: Scale) -> Answer:
    """What the sliders show before a participant has answered: mid-scale, or 25/50/75 % for three-point ones."""
    span = scale.maximum - scale.minimum
    low, likely, high = (_on_step(scale.minimum + share * span, scale) for share in THREE_POINT_DEFAULTS)
    if workshop.is_three_point(question):
        return Answer(low=low, value=likely, high=high)
    return Answer(value=likely)


def _on_step(value: float, scale: Scale) -> float:
    steps = round((value - scale.minimum) / scale.step)
    return round(scale.minimum + steps * scale.step, 10)


def answer_from_widgets(round_id: str, use_case_id: str, question: str) -> Answer:
    """The answer as the sliders hold it now; a low above the high swaps with it, a likely value outside the range
    moves to its nearer end."""
    if not workshop.is_three_point(question):
        return Answer(value=float(state.widget_value(widget_key(round_id, use_case_id, question))))
    low, likely, high = (float(state.widget_value(widget_key(round_id, use_case_id, question, part)))
                         for part in ("low", "likely", "high"))
    low, high = min(low, high), max(low, high)
    return Answer(low=low, value=min(max(likely, low), high), high=high)


def save_from_widgets(token: str, secret: str, round_id: str, use_case_id: str, questions: Sequence[str],
                      submit: bool = False) -> None:
    """Save the sliders of ``questions`` of one use case in one transaction, with ``submit`` marking the
    participant done in it; the next run draws the sliders from the saved answers, so a three-point estimate
    shows in order on screen too."""
    answers = {question: answer_from_widgets(round_id, use_case_id, question) for question in questions}
    store_access.store().save_answers(token, secret, use_case_id, answers, submit=submit)


@dataclass(frozen=True)
class Position:
    """Where the participant is: use case ``index`` of ``total``, and how many of all questions are answered."""

    index: int
    total: int
    answered: int
    questions: int


def position(info: RoundInfo, cases: list[UseCaseBrief], answers: dict[tuple[str, str], Answer]) -> Position:
    """The remembered use case, or after a reload the first one with an unanswered question."""
    ids = [case.id for case in cases]
    remembered = state.ui_value(INDEX_CHOICE.format(round_id=info.id))
    if remembered is None:
        open_cases = [i for i, case_id in enumerate(ids)
                      if any((case_id, q) not in answers for q in info.definition.questions)]
        remembered = open_cases[0] if open_cases else max(0, len(ids) - 1)
    index = min(max(0, int(remembered)), max(0, len(ids) - 1))
    answered = sum(1 for key in answers if key[0] in set(ids))
    return Position(index=index, total=len(ids), answered=answered, questions=len(ids) * len(info.definition.questions))


def go_to(round_id: str, index: int) -> None:
    state.set_ui_value(INDEX_CHOICE.format(round_id=round_id), index)


def mark_submitted(round_id: str, submitted: bool) -> None:
    state.set_ui_value(SUBMITTED_CHOICE.format(round_id=round_id), submitted)


def just_submitted(round_id: str) -> bool:
    return bool(state.ui_value(SUBMITTED_CHOICE.format(round_id=round_id), False))
