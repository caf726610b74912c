"""S21 workshop rounds in the store: open, join, answer, close, reveal, adopt, on SQLite and PostgreSQL; the
participant keys reach only their own answers; 40 participants answering at once lose nothing."""

import shutil
import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text

from core.models import get_path
from core.store import (
    DATABASE_SCHEMA_VERSION,
    JOIN_CODE_ALPHABET,
    ConflictError,
    NameTakenError,
    NotFoundError,
    RoundClosedError,
    Store,
    StoreError,
)
from core.store.rounds import normalise_join_code, secret_digest
from core.store.schema import workshop_answers_table
from core.workshop import SCORING_QUESTIONS, Answer, define_round

FIXTURE_V1 = Path(__file__).resolve().parents[1] / "fixtures" / "workbench_v1.db"
WORKSHOP_TABLES = {"workshop_rounds", "workshop_participants", "workshop_answers", "workshop_adoptions"}
PARTICIPANTS = 40


@pytest.fixture
def store(database_url):
    store = Store(database_url)
    store.ensure_sample_workspace()
    yield store
    store.dispose()


@pytest.fixture
def workspace_id(store):
    return store.list_workspaces()[0].id


def open_round(store, workspace_id, questions=("scoring.data_availability", "roi.adoption"), count=2):
    use_cases = store.load(workspace_id).workspace.use_cases[:count]
    return store.open_round(workspace_id, define_round(use_cases, questions, "Kick-off"), actor="Facilitator")


def test_a_round_gets_a_six_character_code_and_a_long_token_and_is_audited(store, workspace_id):
    opened = open_round(store, workspace_id)
    assert len(opened.join_code) == 6 and set(opened.join_code) <= set(JOIN_CODE_ALPHABET)
    assert not set(JOIN_CODE_ALPHABET) & set("01OIL")
    assert len(opened.token) >= 32 and opened.status == "open"
    assert store.get_round(opened.id) == opened
    assert store.round_for_token(opened.token).id == opened.id
    assert store.round_for_code(normalise_join_code(" " + opened.join_code.lower()[:3] + "-" + opened.join_code[3:]))
    assert [r.id for r in store.rounds(workspace_id)] == [opened.id]
    entry = store.audit(workspace_id, limit=1)[0]
    assert (entry.action, entry.actor, entry.field_path) == ("open_workshop_round", "Facilitator", "workshop_round")
    assert opened.id in entry.new_value and opened.join_code in entry.new_value


def test_a_round_on_a_missing_use_case_writes_nothing(store, workspace_id):
    use_case = store.load(workspace_id).workspace.use_cases[0].model_copy(update={"id": "nope"})
    with pytest.raises(NotFoundError, match="nope"):
        store.open_round(workspace_id, define_round([use_case], ["scoring.cost_reduction"]), actor="F")
    assert store.rounds(workspace_id) == []


def test_unknown_tokens_codes_and_secrets_find_nothing(store, workspace_id):
    opened = open_round(store, workspace_id)
    participant, secret = store.join_round(opened.token, "Anna")
    for call in (lambda: store.round_for_token("guess"), lambda: store.round_for_code("ZZZZZZ"),
                 lambda: store.participant(opened.token, "guess"), lambda: store.participant("guess", secret),
                 lambda: store.my_answers(opened.token, secret + "x")):
        with pytest.raises(NotFoundError):
            call()
    assert store.participant(opened.token, secret) == participant


def test_names_are_unique_per_round_ignoring_case_and_blanks(store, workspace_id):
    opened = open_round(store, workspace_id)
    store.join_round(opened.token, "Anna  Schmidt")
    with pytest.raises(NameTakenError):
        store.join_round(opened.token, " anna schmidt ")
    with pytest.raises(ValueError, match="name"):
        store.join_round(opened.token, "   ")
    other = open_round(store, workspace_id)
    assert store.join_round(other.token, "Anna Schmidt")[0].name == "Anna Schmidt"


def test_answers_are_upserted_idempotently_and_stay_private_until_the_reveal(store, workspace_id):
    opened = open_round(store, workspace_id)
    use_case_id = opened.definition.use_case_ids[0]
    _, anna = store.join_round(opened.token, "Anna")
    _, ben = store.join_round(opened.token, "Ben")
    store.save_answer(opened.token, anna, use_case_id, "scoring.data_availability", Answer(value=0.4))
    store.save_answer(opened.token, anna, use_case_id, "scoring.data_availability", Answer(value=0.4))
    store.save_answer(opened.token, anna, use_case_id, "scoring.data_availability", Answer(value=0.6))
    store.save_answer(opened.token, ben, use_case_id, "roi.adoption", Answer(low=0.2, value=0.3, high=0.5))
    assert store.my_answers(opened.token, anna) == {(use_case_id, "scoring.data_availability"): Answer(value=0.6)}
    assert list(store.my_answers(opened.token, ben)) == [(use_case_id, "roi.adoption")]
    progress = store.round_progress(opened.id)
    assert (progress.participants, progress.answering, progress.answers, progress.submitted) == (2, 2, 2, 0)
    assert progress.names_answering == ("Anna", "Ben")
    with pytest.raises(StoreError, match="hidden until the round is revealed"):
        store.round_answers(opened.id)
    store.reveal_round(opened.id, actor="Facilitator")
    answers = store.round_answers(opened.id)
    assert [(a.participant_name, a.question, a.answer.value) for a in answers] == [
        ("Anna", "scoring.data_availability", 0.6), ("Ben", "roi.adoption", 0.3)]


def test_a_participant_cannot_touch_another_participants_answers(store, workspace_id):
    opened = open_round(store, workspace_id)
    use_case_id = opened.definition.use_case_ids[0]
    before = store.get_use_case(workspace_id, use_case_id)
    _, anna = store.join_round(opened.token, "Anna")
    _, ben = store.join_round(opened.token, "Ben")
    store.save_answer(opened.token, ben, use_case_id, "scoring.data_availability", Answer(value=0.9))
    store.save_answer(opened.token, anna, use_case_id, "scoring.data_availability", Answer(value=0.1))
    store.submit_answers(opened.token, anna)
    assert store.my_answers(opened.token, ben)[(use_case_id, "scoring.data_availability")].value == 0.9
    assert store.get_use_case(workspace_id, use_case_id) == before  # answering never touches the use case
    other = open_round(store, workspace_id)
    with pytest.raises(NotFoundError):  # Anna's secret belongs to the first round only
        store.save_answer(other.token, anna, other.definition.use_case_ids[0], "scoring.data_availability",
                          Answer(value=0.5))


def test_only_a_digest_of_each_participant_secret_is_stored(store, workspace_id):
    opened = open_round(store, workspace_id)
    _, secret = store.join_round(opened.token, "Anna")
    with store._engine.connect() as conn:
        stored = conn.execute(text("SELECT secret_hash FROM workshop_participants")).scalars().all()
    assert stored == [secret_digest(secret)] and secret not in stored[0]


def test_an_answer_must_fit_the_question(store, workspace_id):
    opened = open_round(store, workspace_id)
    use_case_id = opened.definition.use_case_ids[0]
    _, secret = store.join_round(opened.token, "Anna")
    for question, answer in (("scoring.data_availability", Answer(value=1.5)),
                             ("roi.adoption", Answer(value=0.4)),
                             ("scoring.cost_reduction", Answer(value=0.4))):
        with pytest.raises(ValueError):
            store.save_answer(opened.token, secret, use_case_id, question, answer)
    with pytest.raises(ValueError, match="does not ask"):
        store.save_answer(opened.token, secret, "invented", "scoring.data_availability", Answer(value=0.4))
    assert store.my_answers(opened.token, secret) == {}


def test_next_saves_every_question_on_screen_in_one_transaction_all_or_none(store, workspace_id):
    opened = open_round(store, workspace_id)
    use_case_id = opened.definition.use_case_ids[0]
    _, secret = store.join_round(opened.token, "Anna")
    three_point = Answer(low=0.3, value=0.5, high=0.7)
    with pytest.raises(ValueError):
        store.save_answers(opened.token, secret, use_case_id, {"scoring.data_availability": Answer(value=0.6),
                                                              "roi.adoption": Answer(value=1.5)}, submit=True)
    assert store.my_answers(opened.token, secret) == {}, "one bad answer saves none of the press"
    assert store.round_progress(opened.id).submitted == 0
    store.save_answers(opened.token, secret, use_case_id, {"scoring.data_availability": Answer(value=0.6),
                                                          "roi.adoption": three_point}, submit=True)
    assert store.my_answers(opened.token, secret) == {(use_case_id, "scoring.data_availability"): Answer(value=0.6),
                                                      (use_case_id, "roi.adoption"): three_point}
    assert store.round_progress(opened.id).submitted == 1
    store.close_round(opened.id, actor="Facilitator")
    with pytest.raises(RoundClosedError):
        store.save_answers(opened.token, secret, use_case_id, {"roi.adoption": Answer(value=0.2)})


def test_closing_stops_answers_and_joins_until_reopened_and_the_reveal_is_final(store, workspace_id):
    opened = open_round(store, workspace_id)
    use_case_id = opened.definition.use_case_ids[0]
    _, secret = store.join_round(opened.token, "Anna")
    assert store.close_round(opened.id, actor="F") == "closed"
    with pytest.raises(RoundClosedError):
        store.save_answer(opened.token, secret, use_case_id, "scoring.data_availability", Answer(value=0.4))
    with pytest.raises(RoundClosedError):
        store.join_round(opened.token, "Ben")
    with pytest.raises(RoundClosedError):
        store.submit_answers(opened.token, secret)
    with pytest.raises(NotFoundError):  # a closed round's code joins nothing
        store.round_for_code(opened.join_code)
    assert store.reopen_round(opened.id, actor="F") == "open"
    store.save_answer(opened.token, secret, use_case_id, "scoring.data_availability", Answer(value=0.4))
    store.submit_answers(opened.token, secret)
    assert store.participant(opened.token, secret).submitted_at is not None
    assert store.reveal_round(opened.id, actor="F") == "revealed"
    with pytest.raises(StoreError, match="cannot be reopened"):
        store.reopen_round(opened.id, actor="F")
    actions = [entry.action for entry in store.audit(workspace_id, limit=4)]
    assert actions == ["reveal_workshop_round", "reopen_workshop_round", "close_workshop_round",
                       "open_workshop_round"]


def test_adopting_writes_the_use_case_with_an_audit_entry_naming_the_round(store, workspace_id):
    opened = open_round(store, workspace_id)
    use_case_id = opened.definition.use_case_ids[0]
    for name, value in (("Anna", 0.2), ("Ben", 0.4), ("Cem", 0.9)):
        _, secret = store.join_round(opened.token, name)
        store.save_answer(opened.token, secret, use_case_id, "scoring.data_availability", Answer(value=value))
    with pytest.raises(StoreError, match="reveal the round"):
        store.adopt_round_results(opened.id, use_case_id, {"scoring.data_availability": 0.4}, 1, actor="F")
    store.reveal_round(opened.id, actor="F")
    before, version = store.get_use_case(workspace_id, use_case_id)
    assert before.scoring.data_availability != 0.4
    new_version = store.adopt_round_results(opened.id, use_case_id, {"scoring.data_availability": 0.4}, version,
                                            actor="Facilitator")
    after, stored_version = store.get_use_case(workspace_id, use_case_id)
    assert (new_version, stored_version, after.scoring.data_availability) == (version + 1, version + 1, 0.4)
    entries = store.audit(workspace_id, use_case_id, limit=2)
    assert [(e.action, e.field_path) for e in entries] == [("adopt_workshop_round", "workshop_round"),
                                                          ("update_use_case", "scoring.data_availability")]
    assert opened.id in entries[0].new_value and '"median": 0.4' in entries[0].new_value
    assert [(a.question, a.value, a.median) for a in store.adoptions(opened.id)] == [
        ("scoring.data_availability", 0.4, 0.4)]
    assert len(store.round_answers(opened.id)) == 3  # the round stays stored with every answer


def test_adopting_against_a_stale_version_writes_nothing(store, workspace_id):
    opened = open_round(store, workspace_id)
    use_case_id = opened.definition.use_case_ids[0]
    store.reveal_round(opened.id, actor="F")
    _, version = store.get_use_case(workspace_id, use_case_id)
    with pytest.raises(ConflictError):
        store.adopt_round_results(opened.id, use_case_id, {"scoring.data_availability": 0.1}, version - 1, actor="F")
    with pytest.raises(ValueError, match="did not ask"):
        store.adopt_round_results(opened.id, use_case_id, {"scoring.cost_reduction": 0.1}, version, actor="F")
    assert store.adoptions(opened.id) == []
    assert store.get_use_case(workspace_id, use_case_id)[1] == version


def test_the_schema_1_sample_database_migrates_without_losing_anything(tmp_path):
    copy = tmp_path / "workbench_v1.db"
    shutil.copyfile(FIXTURE_V1, copy)
    with sqlite3.connect(copy) as conn:
        before = {table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                  for table in ("workspaces", "use_cases", "audit_log", "snapshots")}
        assert conn.execute("SELECT max(version) FROM schema_version").fetchone()[0] == 1
    store = Store(f"sqlite:///{copy}")
    assert store.schema_version() == DATABASE_SCHEMA_VERSION
    assert set(inspect(store._engine).get_table_names()) >= WORKSHOP_TABLES
    with sqlite3.connect(copy) as conn:
        after = {table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                 for table in before}
    assert after == before
    workspace_id = store.list_workspaces()[0].id
    loaded = store.load(workspace_id)
    assert get_path(loaded.workspace.use_cases[0], "roi.adoption") == 0.55  # the fixture's one edit
    opened = open_round(store, workspace_id)
    _, secret = store.join_round(opened.token, "Anna")
    store.save_answer(opened.token, secret, opened.definition.use_case_ids[0], "roi.adoption",
                      Answer(low=0.4, value=0.5, high=0.6))
    store.dispose()
    reopened = Store(f"sqlite:///{copy}")
    assert reopened.schema_version() == DATABASE_SCHEMA_VERSION
    assert reopened.round_for_token(opened.token).id == opened.id
    reopened.dispose()


def test_forty_participants_answering_at_once_lose_nothing(store, workspace_id):
    opened = open_round(store, workspace_id, questions=SCORING_QUESTIONS, count=2)
    use_case_ids = opened.definition.use_case_ids
    errors: list[BaseException] = []
    secrets: list[str] = [""] * PARTICIPANTS
    start = threading.Barrier(PARTICIPANTS)

    def expected(participant: int, use_case: int, question: int) -> float:
        return round((participant * 7 + use_case * 3 + question) % 21 / 20, 2)

    def participant(number: int) -> None:
        try:
            start.wait()
            _, secret = store.join_round(opened.token, f"Participant {number}")
            secrets[number] = secret
            for use_case, use_case_id in enumerate(use_case_ids):
                for question_index, question in enumerate(SCORING_QUESTIONS):
                    first = Answer(value=0.5)
                    final = Answer(value=expected(number, use_case, question_index))
                    store.save_answer(opened.token, secret, use_case_id, question, first)
                    store.save_answer(opened.token, secret, use_case_id, question, final)
                    store.save_answer(opened.token, secret, use_case_id, question, final)  # a retried request
            store.submit_answers(opened.token, secret)
        except BaseException as error:  # every failure must reach the assertion below
            errors.append(error)

    threads = [threading.Thread(target=participant, args=(number,)) for number in range(PARTICIPANTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == [], f"{len(errors)} errors, first: {errors[0]!r}"
    progress = store.round_progress(opened.id)
    answers_each = len(use_case_ids) * len(SCORING_QUESTIONS)
    assert (progress.participants, progress.submitted, progress.answers) == (
        PARTICIPANTS, PARTICIPANTS, PARTICIPANTS * answers_each)
    for number, secret in enumerate(secrets):
        mine = store.my_answers(opened.token, secret)
        assert {key: answer.value for key, answer in mine.items()} == {
            (use_case_id, question): expected(number, u, q)
            for u, use_case_id in enumerate(use_case_ids) for q, question in enumerate(SCORING_QUESTIONS)}
    with store._engine.connect() as conn:
        stored = conn.execute(select(workshop_answers_table.c.round_id)).scalars().all()
    assert len(stored) == PARTICIPANTS * answers_each
