"""S21 workshop rounds: open, join, answer, close, reveal and adopt.

Two kinds of caller, two kinds of key:

- The facilitator names a round by its id: open, progress, close, reopen, reveal, read the answers (only once
  revealed: until then only the count is visible), adopt.
- A participant holds the round token (the link) and, after joining, a per-participant secret. Every participant
  call takes both and touches only that participant's own rows; none of them can read another participant's
  answers, the workspace or a use case. The database keeps a SHA-256 digest of each secret, never the secret.

The six-character join code (from :data:`JOIN_CODE_ALPHABET`, no 0/O or 1/I/L) only finds an open round to join
as a new participant. An answer is saved the moment it is given, as one upsert per participant × use case ×
question, so saving the same answer twice, or two participants saving at once, loses nothing.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, TypeVar

from sqlalchemy import and_, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from core.models import UseCase, with_values
from core.store.actors import shown_actor
from core.store.audit import append_audit
from core.store.engine import StoreEngine
from core.store.errors import NotFoundError, StoreError
from core.store.rows import use_case_row, workspace_row
from core.store.schema import (
    use_cases_table,
    workshop_adoptions_table,
    workshop_answers_table,
    workshop_participants_table,
    workshop_rounds_table,
)
from core.store.values import check_actor, iso, now_utc, parse_iso
from core.workshop import Answer, RoundDefinition, answer_statistics, check_answer

T = TypeVar("T")
RoundStatus = Literal["open", "closed", "revealed"]
JOIN_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
JOIN_CODE_LENGTH = 6
ROUND_TOKEN_BYTES = 24
PARTICIPANT_SECRET_BYTES = 24
NEW_CODE_ATTEMPTS = 8
MAX_PARTICIPANT_NAME = 80
ROUND_AUDIT_FIELD = "workshop_round"
_TRANSITIONS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "close": (("open",), "closed", "closed"),
    "reopen": (("closed",), "open", "reopened"),
    "reveal": (("open", "closed"), "revealed", "revealed"),
}


class RoundClosedError(StoreError):
    """The round no longer takes answers or participants (the facilitator closed or revealed it)."""


class NameTakenError(StoreError):
    """Another participant of this round already uses that name."""


@dataclass(frozen=True)
class RoundInfo:
    id: str
    workspace_id: str
    join_code: str
    token: str
    definition: RoundDefinition
    status: RoundStatus
    created_at: datetime
    created_by: str


@dataclass(frozen=True)
class Participant:
    id: int
    round_id: str
    name: str
    joined_at: datetime
    submitted_at: datetime | None


@dataclass(frozen=True)
class RoundAnswer:
    participant_id: int
    participant_name: str
    use_case_id: str
    question: str
    answer: Answer
    answered_at: datetime


@dataclass(frozen=True)
class UseCaseBrief:
    """What a participant reads about a use case of the round: its name and the problem it addresses."""

    id: str
    name: str
    problem_statement: str
    process_step: str


@dataclass(frozen=True)
class RoundProgress:
    """What the projector may show while a round is open: counts and names, never values."""

    status: RoundStatus
    participants: int
    answering: int
    submitted: int
    answers: int
    names_answering: tuple[str, ...]


@dataclass(frozen=True)
class Adoption:
    use_case_id: str
    question: str
    value: float
    median: float | None
    at: datetime
    actor: str


def new_join_code() -> str:
    """Six characters from :data:`JOIN_CODE_ALPHABET`, e.g. "K7M2QX" (31⁶ ≈ 8.9 × 10⁸ codes)."""
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def normalise_join_code(text: str) -> str:
    """A typed code as stored: upper case, without blanks or dashes ("k7m-2qx" → "K7M2QX")."""
    return "".join(character for character in str(text).upper() if character not in " -\t")


def secret_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def check_participant_name(name: str) -> str:
    """A participant's display name, stripped; ValueError if empty or longer than 80 characters."""
    if not isinstance(name, str) or not name.strip():
        raise ValueError("name: please type your name")
    if len(name.strip()) > MAX_PARTICIPANT_NAME:
        raise ValueError(f"name: at most {MAX_PARTICIPANT_NAME} characters")
    return " ".join(name.split())


def _round_info(row: Any, definition: RoundDefinition) -> RoundInfo:
    return RoundInfo(id=row.id, workspace_id=row.workspace_id, join_code=row.join_code, token=row.token,
                     definition=definition, status=row.status, created_at=parse_iso(row.created_at),
                     created_by=row.created_by)


def _participant(row: Any) -> Participant:
    return Participant(id=row.id, round_id=row.round_id, name=row.name, joined_at=parse_iso(row.joined_at),
                       submitted_at=parse_iso(row.submitted_at) if row.submitted_at else None)


def _answer_of(row: Any) -> Answer:
    return Answer(value=float(row.value), low=None if row.low is None else float(row.low),
                  high=None if row.high is None else float(row.high))


def _upsert(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Insert the answers, or replace the participant's earlier answers to the same questions, in one statement."""
    if not rows:
        return
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(workshop_answers_table).values(rows)
    statement = statement.on_conflict_do_update(
        index_elements=["participant_id", "use_case_id", "question"],
        set_={name: statement.excluded[name] for name in ("value", "low", "high", "answered_at")},
    )
    conn.execute(statement)


class RoundOps(StoreEngine):
    """Workshop rounds (S21); ``_save`` is :meth:`~core.store.use_cases.UseCaseOps._save` in the Store."""

    _save: Callable[..., tuple[int, UseCase | None]]
    _parsed: Callable[[str, Any], UseCase]
    _cache: Any

    def __init__(self, url: str | None = None, audit_secret: str | None = None) -> None:
        # A round's definition never changes once opened, so a parsed one never goes stale.
        self._definitions: dict[str, RoundDefinition] = {}
        self._definitions_lock = threading.Lock()
        self._participant_writes = threading.Lock()
        super().__init__(url, audit_secret)

    def _participant_write(self, work: Callable[[Connection], T]) -> T:
        """:meth:`_write` for the participants' many small writes. On SQLite the threads of this process queue
        on a lock instead of polling the database lock: SQLite's busy handler sleeps in growing steps (up to
        100 ms), which let a few of 40 participants saving at once wait seconds while others went first."""
        if self.dialect != "sqlite":
            return self._write(work)
        with self._participant_writes:
            return self._write(work)

    def _definition(self, row: Any) -> RoundDefinition:
        with self._definitions_lock:
            definition = self._definitions.get(row.id)
        if definition is None:
            definition = RoundDefinition.model_validate_json(row.definition)
            with self._definitions_lock:
                self._definitions[row.id] = definition
        return definition

    def open_round(self, workspace_id: str, definition: RoundDefinition, actor: str) -> RoundInfo:
        """Open a round on live use cases of the workspace; a fresh join code and round token; audited."""
        actor = check_actor(actor)
        for _attempt in range(NEW_CODE_ATTEMPTS):
            try:
                return self._write(lambda conn: self._insert_round(conn, workspace_id, definition, actor))
            except IntegrityError:
                continue  # a join code drawn twice: draw again
        raise StoreError("no free join code was found; please try again")

    def _insert_round(self, conn: Connection, workspace_id: str, definition: RoundDefinition,
                      actor: str) -> RoundInfo:
        workspace_row(conn, workspace_id)
        for use_case_id in definition.use_case_ids:
            row = use_case_row(conn, workspace_id, use_case_id)
            if row is None or row.deleted:
                raise NotFoundError(f"no use case '{use_case_id}' in this workspace")
        at = iso(now_utc())
        shown = shown_actor(conn, workspace_id, actor, at)
        values = {"id": uuid.uuid4().hex, "workspace_id": workspace_id, "join_code": new_join_code(),
                  "token": secrets.token_urlsafe(ROUND_TOKEN_BYTES), "definition": definition.model_dump_json(),
                  "status": "open", "created_at": at, "created_by": shown, "updated_at": at, "updated_by": shown}
        conn.execute(insert(workshop_rounds_table).values(**values))
        summary = {"round": values["id"], "code": values["join_code"], "title": definition.title,
                   "use_cases": list(definition.use_case_ids), "questions": list(definition.questions)}
        append_audit(conn, at, actor, workspace_id, None, "open_workshop_round", [(ROUND_AUDIT_FIELD, None, summary)])
        return _round_info(conn.execute(select(workshop_rounds_table).where(
            workshop_rounds_table.c.id == values["id"])).one(), definition)

    def rounds(self, workspace_id: str) -> list[RoundInfo]:
        """The workspace's rounds, newest first."""
        with self._read() as conn:
            rows = conn.execute(
                select(workshop_rounds_table).where(workshop_rounds_table.c.workspace_id == workspace_id)
                .order_by(workshop_rounds_table.c.created_at.desc())
            ).all()
        return [_round_info(row, self._definition(row)) for row in rows]

    def get_round(self, round_id: str) -> RoundInfo:
        with self._read() as conn:
            row = self._round_row(conn, workshop_rounds_table.c.id == round_id)
        return _round_info(row, self._definition(row))

    def round_for_token(self, token: str) -> RoundInfo:
        """The round a participant's link names; NotFoundError for an unknown token."""
        with self._read() as conn:
            row = self._round_row(conn, workshop_rounds_table.c.token == str(token))
        return _round_info(row, self._definition(row))

    def round_for_code(self, code: str) -> RoundInfo:
        """The open round with this join code; NotFoundError otherwise (a closed round's code joins nothing)."""
        with self._read() as conn:
            row = self._round_row(conn, and_(workshop_rounds_table.c.join_code == normalise_join_code(code),
                                             workshop_rounds_table.c.status == "open"))
        return _round_info(row, self._definition(row))

    @staticmethod
    def _round_row(conn: Connection, condition: Any, lock: Literal["share", "update"] | None = None) -> Any:
        query = select(workshop_rounds_table).where(condition)
        if lock is not None:
            query = query.with_for_update(read=lock == "share")
        row = conn.execute(query).one_or_none()
        if row is None:
            raise NotFoundError("no such workshop round")
        return row

    def round_briefs(self, token: str) -> list[UseCaseBrief]:
        """Name, problem statement and process step of the round's live use cases, in the round's order: all a
        participant's link reads of the workspace (no figures, so nobody is anchored by today's values)."""
        with self._read() as conn:
            round_row = self._round_row(conn, workshop_rounds_table.c.token == str(token))
            definition = self._definition(round_row)
            rows = {row.use_case_id: row for row in conn.execute(select(use_cases_table).where(
                use_cases_table.c.workspace_id == round_row.workspace_id,
                use_cases_table.c.use_case_id.in_(definition.use_case_ids),
                use_cases_table.c.deleted.is_(False))).all()}
        briefs = []
        for use_case_id in definition.use_case_ids:
            if use_case_id in rows:
                case = self._parsed(round_row.workspace_id, rows[use_case_id])
                briefs.append(UseCaseBrief(id=case.id, name=case.name, problem_statement=case.problem_statement,
                                           process_step=case.process_step))
        return briefs

    def join_round(self, token: str, name: str, subject: str | None = None) -> tuple[Participant, str]:
        """Join the open round the token names as a new participant; returns the participant and their secret.

        ``subject`` is the signed-in identity once sign-in is on. A name already used in this round (ignoring
        case) raises :class:`NameTakenError`: nobody can take over another participant's answers by their name.
        """
        name = check_participant_name(name)
        secret = secrets.token_urlsafe(PARTICIPANT_SECRET_BYTES)

        def work(conn: Connection) -> Participant:
            row = self._round_row(conn, workshop_rounds_table.c.token == str(token), lock="share")
            if row.status != "open":
                raise RoundClosedError("this round is closed")
            taken = conn.scalar(select(workshop_participants_table.c.id).where(
                workshop_participants_table.c.round_id == row.id,
                workshop_participants_table.c.name_key == name.casefold()))
            if taken is not None:
                raise NameTakenError(f"the name '{name}' is taken in this round; add an initial")
            result = conn.execute(insert(workshop_participants_table).values(
                round_id=row.id, name=name, name_key=name.casefold(), subject=subject,
                secret_hash=secret_digest(secret), joined_at=iso(now_utc()),
            ))
            return _participant(conn.execute(select(workshop_participants_table).where(
                workshop_participants_table.c.id == result.inserted_primary_key[0])).one())

        try:
            return self._participant_write(work), secret
        except IntegrityError:
            raise NameTakenError(f"the name '{name}' is taken in this round; add an initial") from None

    def _participant_row(self, conn: Connection, round_row: Any, secret: str) -> Any:
        row = conn.execute(select(workshop_participants_table).where(
            workshop_participants_table.c.secret_hash == secret_digest(str(secret)),
            workshop_participants_table.c.round_id == round_row.id,
        )).one_or_none()
        if row is None:
            raise NotFoundError("no such participant in this round")
        return row

    def participant(self, token: str, secret: str) -> Participant:
        """The participant a (round token, secret) pair names; NotFoundError otherwise."""
        with self._read() as conn:
            round_row = self._round_row(conn, workshop_rounds_table.c.token == str(token))
            return _participant(self._participant_row(conn, round_row, secret))

    def save_answer(self, token: str, secret: str, use_case_id: str, question: str, answer: Answer) -> None:
        """Save (or replace) this participant's answer while the round is open; idempotent.

        ValueError when the round does not ask the question or the answer leaves its scale;
        :class:`RoundClosedError` once the facilitator has closed the round.
        """
        self.save_answers(token, secret, use_case_id, {question: answer})

    def save_answers(self, token: str, secret: str, use_case_id: str, answers: Mapping[str, Answer],
                     submit: bool = False) -> None:
        """Save (or replace) this participant's answers to several questions of one use case in one transaction,
        and with ``submit`` mark them done in it too: "Next" and "Submit" on a phone save every question on
        screen, and the whole room presses them at once. All or none; errors as :meth:`save_answer`."""

        def work(conn: Connection) -> None:
            round_row = self._round_row(conn, workshop_rounds_table.c.token == str(token), lock="share")
            participant = self._participant_row(conn, round_row, secret)
            if round_row.status != "open":
                raise RoundClosedError("this round is closed; answers can no longer change")
            definition, moment = self._definition(round_row), iso(now_utc())
            rows = []
            for question, answer in answers.items():
                checked = check_answer(definition, use_case_id, question, answer)
                rows.append({"participant_id": participant.id, "use_case_id": use_case_id, "question": question,
                             "round_id": round_row.id, "value": checked.value, "low": checked.low,
                             "high": checked.high, "answered_at": moment})
            _upsert(conn, rows)
            if submit:
                conn.execute(update(workshop_participants_table).where(
                    workshop_participants_table.c.id == participant.id).values(submitted_at=moment))

        self._participant_write(work)

    def my_answers(self, token: str, secret: str) -> dict[tuple[str, str], Answer]:
        """This participant's own answers by (use case id, question)."""
        with self._read() as conn:
            round_row = self._round_row(conn, workshop_rounds_table.c.token == str(token))
            participant = self._participant_row(conn, round_row, secret)
            rows = conn.execute(select(workshop_answers_table).where(
                workshop_answers_table.c.participant_id == participant.id)).all()
        return {(row.use_case_id, row.question): _answer_of(row) for row in rows}

    def submit_answers(self, token: str, secret: str) -> None:
        """Mark this participant as done (answers stay changeable until the round closes)."""

        def work(conn: Connection) -> None:
            round_row = self._round_row(conn, workshop_rounds_table.c.token == str(token), lock="share")
            participant = self._participant_row(conn, round_row, secret)
            if round_row.status != "open":
                raise RoundClosedError("this round is closed")
            conn.execute(update(workshop_participants_table).where(
                workshop_participants_table.c.id == participant.id).values(submitted_at=iso(now_utc())))

        self._participant_write(work)

    def round_progress(self, round_id: str) -> RoundProgress:
        """Counts for the projector while the round runs: participants, those with an answer, submitted, answers."""
        answered = (select(workshop_answers_table.c.participant_id, func.count().label("answers"))
                    .where(workshop_answers_table.c.round_id == round_id)
                    .group_by(workshop_answers_table.c.participant_id).subquery())
        query = (select(workshop_participants_table.c.name, workshop_participants_table.c.submitted_at,
                        answered.c.answers)
                 .outerjoin(answered, answered.c.participant_id == workshop_participants_table.c.id)
                 .where(workshop_participants_table.c.round_id == round_id)
                 .order_by(workshop_participants_table.c.id))
        with self._read() as conn:
            status = self._round_row(conn, workshop_rounds_table.c.id == round_id).status
            rows = conn.execute(query).all()
        answering = [row for row in rows if row.answers]
        return RoundProgress(status=status, participants=len(rows), answering=len(answering),
                             submitted=sum(1 for row in rows if row.submitted_at), answers=sum(
                                 row.answers or 0 for row in rows), names_answering=tuple(r.name for r in answering))

    def _set_status(self, round_id: str, transition: str, actor: str) -> RoundStatus:
        actor = check_actor(actor)
        allowed, target, done = _TRANSITIONS[transition]

        def work(conn: Connection) -> RoundStatus:
            row = self._round_row(conn, workshop_rounds_table.c.id == round_id, lock="update")
            if row.status == target:
                return target
            if row.status not in allowed:
                raise StoreError(f"a {row.status} round cannot be {done}")
            at = iso(now_utc())
            conn.execute(update(workshop_rounds_table).where(workshop_rounds_table.c.id == round_id)
                         .values(status=target, updated_at=at,
                                 updated_by=shown_actor(conn, row.workspace_id, actor, at)))
            append_audit(conn, at, actor, row.workspace_id, None, f"{transition}_workshop_round",
                         [(ROUND_AUDIT_FIELD, {"round": round_id, "status": row.status},
                           {"round": round_id, "status": target})])
            return target

        return self._write(work)

    def close_round(self, round_id: str, actor: str) -> RoundStatus:
        """No more answers or participants; audited."""
        return self._set_status(round_id, "close", actor)

    def reopen_round(self, round_id: str, actor: str) -> RoundStatus:
        """Take answers again after a close (not after the reveal); audited."""
        return self._set_status(round_id, "reopen", actor)

    def reveal_round(self, round_id: str, actor: str) -> RoundStatus:
        """Close the round for good and make its answers readable; audited."""
        return self._set_status(round_id, "reveal", actor)

    def round_answers(self, round_id: str) -> list[RoundAnswer]:
        """Every answer with its participant's name, for the facilitator; :class:`StoreError` before the reveal."""
        query = (select(workshop_answers_table, workshop_participants_table.c.name)
                 .join(workshop_participants_table,
                       workshop_participants_table.c.id == workshop_answers_table.c.participant_id)
                 .where(workshop_answers_table.c.round_id == round_id)
                 .order_by(workshop_answers_table.c.participant_id, workshop_answers_table.c.use_case_id,
                           workshop_answers_table.c.question))
        with self._read() as conn:
            if self._round_row(conn, workshop_rounds_table.c.id == round_id).status != "revealed":
                raise StoreError("the answers stay hidden until the round is revealed")
            rows = conn.execute(query).all()
        return [RoundAnswer(participant_id=row.participant_id, participant_name=row.name,
                            use_case_id=row.use_case_id, question=row.question, answer=_answer_of(row),
                            answered_at=parse_iso(row.answered_at)) for row in rows]

    def adoptions(self, round_id: str) -> list[Adoption]:
        """What was adopted from this round, oldest first."""
        with self._read() as conn:
            rows = conn.execute(select(workshop_adoptions_table)
                                .where(workshop_adoptions_table.c.round_id == round_id)
                                .order_by(workshop_adoptions_table.c.id)).all()
        return [Adoption(use_case_id=row.use_case_id, question=row.question, value=row.value, median=row.median,
                         at=parse_iso(row.at), actor=row.actor) for row in rows]

    def adopt_round_results(self, round_id: str, use_case_id: str, values: Mapping[str, float],
                            expected_version: int, actor: str) -> int:
        """Write a revealed round's results into the use case: ``values`` by question (= field path), e.g. the
        medians or what the room agreed on. Returns the use case's new version.

        One transaction: the use case is saved through the store's save path (optimistic concurrency against
        ``expected_version``, one audit row per changed field), plus one audit row naming the round with each
        question's n, median and adopted value, and one adoption record per question.
        """
        actor = check_actor(actor)
        if not values:
            raise ValueError("values: adopt at least one question")

        def work(conn: Connection) -> tuple[str, int, UseCase | None]:
            round_row = self._round_row(conn, workshop_rounds_table.c.id == round_id, lock="share")
            if round_row.status != "revealed":
                raise StoreError("reveal the round before adopting its results")
            definition = self._definition(round_row)
            if use_case_id not in definition.use_case_ids or not set(values) <= set(definition.questions):
                raise ValueError(f"{use_case_id}: this round did not ask {', '.join(sorted(values))}")
            row = use_case_row(conn, round_row.workspace_id, use_case_id, lock=True)
            if row is None or row.deleted:
                raise NotFoundError(f"no use case '{use_case_id}' in this workspace")
            adopted = with_values(self._parsed(round_row.workspace_id, row), dict(values))
            version, saved = self._save(conn, round_row.workspace_id, adopted, expected_version, actor, None)
            self._record_adoption(conn, round_row, use_case_id, values, actor)
            return round_row.workspace_id, version, saved

        workspace_id, version, saved = self._write(work)
        if saved is not None:
            self._cache.put(workspace_id, use_case_id, version, saved)
        return version

    def _record_adoption(self, conn: Connection, round_row: Any, use_case_id: str, values: Mapping[str, float],
                         actor: str) -> None:
        at = iso(now_utc())
        summary: dict[str, Any] = {"round": round_row.id, "code": round_row.join_code,
                                   "title": self._definition(round_row).title, "questions": {}}
        for question, value in sorted(values.items()):
            answers = conn.execute(select(workshop_answers_table.c.value).where(
                workshop_answers_table.c.round_id == round_row.id,
                workshop_answers_table.c.use_case_id == use_case_id,
                workshop_answers_table.c.question == question)).scalars().all()
            median = answer_statistics(answers).median if answers else None
            summary["questions"][question] = {"n": len(answers), "median": median, "adopted": float(value)}
            conn.execute(insert(workshop_adoptions_table).values(
                round_id=round_row.id, use_case_id=use_case_id, question=question, value=float(value),
                median=median, at=at, actor=shown_actor(conn, round_row.workspace_id, actor, at)))
        append_audit(conn, at, actor, round_row.workspace_id, use_case_id, "adopt_workshop_round",
                     [(ROUND_AUDIT_FIELD, None, summary)])
