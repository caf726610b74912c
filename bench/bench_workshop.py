"""Workshop rounds (S21): answer saves of 40 participants at once, and the facilitator's live count in Chromium.

(a) Answer saves: 40 participants (threads over one Store, as the app's sessions share one) join a round on
    three use cases × seven S3 questions and answer all 21, each answer one ``save_answer`` (round and
    participant lookup, answer check, upsert, commit), with a think time of 0.5–1.5 s between answers: quicker
    than people move sliders, so the database sees ~40 saves a second. p95 of every save. Target p95 ≤ 50 ms
    on SQLite (WAL, synchronous=FULL); PostgreSQL is reported too when WORKBENCH_TEST_POSTGRES_URL names a
    server (a fresh schema, dropped afterwards). A burst figure (no think time: every participant saving back
    to back) is reported without a target: it measures the queue, not a room.
(b) Live update: the facilitator's Workshop page in Chromium (localhost) while a round is open; a new participant's
    first answer is saved through the store, and the time until the "Answered" count on the page shows it is
    measured (a MutationObserver stamps the change; the fragment reruns every second). Target p95 ≤ 2 s.

Run alone: ``.venv/bin/python bench/bench_workshop.py``.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.fixtures import CHROMIUM, CHROMIUM_ARGS, start_streamlit, stop, wait_idle, wait_until_healthy  # noqa: E402
from core.store import Store  # noqa: E402
from core.workshop import SCORING_QUESTIONS, Answer, define_round  # noqa: E402

PARTICIPANTS = 40
USE_CASES = 3
THINK_S = (0.5, 1.5)
SAVE_TARGET_S = 0.050
LIVE_TARGET_S = 2.0
LIVE_ANSWERS = 12
POSTGRES_ENV = "WORKBENCH_TEST_POSTGRES_URL"
TIMEOUT_MS = 60_000

STAMP_CHANGES = """([label]) => {
  const metric = [...document.querySelectorAll('[data-testid="stMetric"]')]
    .find(m => m.textContent.includes(label));
  const value = () => metric.querySelector('[data-testid="stMetricValue"]').textContent.trim();
  window.__seen = value();
  window.__changes = [];
  new MutationObserver(() => {
    const now = value();
    if (now !== window.__seen) { window.__seen = now; window.__changes.push([now, performance.now()]); }
  }).observe(document.querySelector('[data-testid="stMain"]'), {subtree: true, childList: true, characterData: true});
}"""


def _figure(name: str, durations: list[float], target_s: float | None, note: str) -> dict[str, Any]:
    p95 = float(np.percentile(durations, 95))
    return {"figure": name, "median_s": statistics.median(durations), "p95_s": p95, "target_s": target_s,
            "ratio": None, "passed": target_s is None or p95 <= target_s, "note": note}


def _round(store: Store) -> tuple[Any, list[str]]:
    store.ensure_sample_workspace()
    workspace_id = store.list_workspaces()[0].id
    use_cases = store.load(workspace_id).workspace.use_cases[:USE_CASES]
    opened = store.open_round(workspace_id, define_round(use_cases, SCORING_QUESTIONS, "Bench"), actor="bench")
    return opened, [case.id for case in use_cases]


def _room(url: str, answering: Callable[[Store, Any, list[str], str, int, Callable[[float], None]], None],
          submits: bool) -> list[float]:
    """:data:`PARTICIPANTS` threads over one Store (as the app's sessions share one) join a fresh round and each
    runs ``answering(store, round, use case ids, secret, number, record)``, which records each timed save's
    seconds; returns them all. Raises if any participant failed, an answer was lost or (``submits``) someone's
    submission is missing."""
    store = Store(url)
    opened, use_case_ids = _round(store)
    durations: list[float] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def record(seconds: float) -> None:
        with lock:
            durations.append(seconds)

    def participant(number: int) -> None:
        try:
            _, secret = store.join_round(opened.token, f"P{number}")
            answering(store, opened, use_case_ids, secret, number, record)
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=participant, args=(number,)) for number in range(PARTICIPANTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    progress = store.round_progress(opened.id)
    store.dispose()
    expected = PARTICIPANTS * len(use_case_ids) * len(SCORING_QUESTIONS)
    if errors or progress.answers != expected or (submits and progress.submitted != PARTICIPANTS):
        raise RuntimeError(f"{len(errors)} errors (first {errors[:1]!r}), {progress.answers} of {expected} answers, "
                           f"{progress.submitted} of {PARTICIPANTS} submitted")
    return durations


def answer_saves(url: str, think: tuple[float, float] | None) -> list[float]:
    """Every save's duration in seconds (one ``save_answer`` per slider); raises if any save failed or an answer
    was lost."""
    start = threading.Barrier(PARTICIPANTS)

    def answering(store, opened, use_case_ids, secret, number, record) -> None:
        chance = random.Random(number)
        start.wait()
        for use_case_id in use_case_ids:
            for question in SCORING_QUESTIONS:
                if think:
                    time.sleep(chance.uniform(*think))
                answer = Answer(value=round(chance.random(), 2))
                began = time.perf_counter()
                store.save_answer(opened.token, secret, use_case_id, question, answer)
                record(time.perf_counter() - began)

    return _room(url, answering, submits=False)


def next_presses(url: str) -> list[float]:
    """The whole room pressing "Next" at once, three times: per press one ``save_answers`` of the seven questions
    on screen in one transaction; every press's duration in seconds. Raises if any failed or an answer was lost."""
    together = threading.Barrier(PARTICIPANTS)

    def answering(store, opened, use_case_ids, secret, number, record) -> None:
        chance = random.Random(number)
        for position, use_case_id in enumerate(use_case_ids):
            answers = {question: Answer(value=round(chance.random(), 2)) for question in SCORING_QUESTIONS}
            together.wait()
            began = time.perf_counter()
            store.save_answers(opened.token, secret, use_case_id, answers, submit=position == len(use_case_ids) - 1)
            record(time.perf_counter() - began)

    return _room(url, answering, submits=True)


@contextmanager
def postgres_url() -> Iterator[str | None]:
    """A fresh schema on the configured PostgreSQL server (dropped afterwards), or None without one."""
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        yield None
        return
    import psycopg
    from sqlalchemy.engine import make_url

    parsed = make_url(base)
    conninfo = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield parsed.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


NEXT_NOTE = "3 presses each at a barrier, one transaction per press, the last one submits; 0 lost"


def bench_saves(folder: Path) -> list[dict[str, Any]]:
    note = f"{PARTICIPANTS} threads, {USE_CASES * len(SCORING_QUESTIONS)} answers each, think 0.5–1.5 s, 0 lost"
    rows = [_figure("workshop: answer save, 40 participants (SQLite)",
                    answer_saves(f"sqlite:///{folder / 'paced.db'}", THINK_S), SAVE_TARGET_S, note),
            _figure("workshop: answer save, 40 back to back (SQLite, no target)",
                    answer_saves(f"sqlite:///{folder / 'burst.db'}", None), None,
                    "every participant saving without pause: the queue behind one writer"),
            _figure("workshop: 40 press Next at once, 7 answers per press (SQLite, no target)",
                    next_presses(f"sqlite:///{folder / 'next.db'}"), None, NEXT_NOTE)]
    with postgres_url() as url:
        if url:
            rows.append(_figure("workshop: answer save, 40 participants (PostgreSQL)", answer_saves(url, THINK_S),
                                SAVE_TARGET_S, note))
    with postgres_url() as url:
        if url:
            rows.append(_figure("workshop: 40 press Next at once, 7 answers per press (PostgreSQL, no target)",
                                next_presses(url), None, NEXT_NOTE))
    return rows


def bench_live_update(folder: Path) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    url_db = f"sqlite:///{folder / 'live.db'}"
    store = Store(url_db)
    opened, use_case_ids = _round(store)
    url, process = start_streamlit(ROOT / "app.py", {"WORKBENCH_DATABASE_URL": url_db}, folder / "live.log")
    delays: list[float] = []
    try:
        wait_until_healthy(url, process)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            page.goto(f"{url}/Workshop?round={opened.id}", timeout=TIMEOUT_MS)
            page.get_by_test_id("stMetric").filter(has_text="Answered").wait_for(timeout=TIMEOUT_MS)
            wait_idle(page)
            page.evaluate(STAMP_CHANGES, ["Answered"])
            for number in range(LIVE_ANSWERS):
                _, secret = store.join_round(opened.token, f"Live {number}")
                time.sleep(random.uniform(0.0, 1.0))  # anywhere in the fragment's one-second cycle
                saved_at = page.evaluate("performance.now()")
                store.save_answer(opened.token, secret, use_case_ids[0], SCORING_QUESTIONS[0], Answer(value=0.5))
                page.wait_for_function("n => window.__seen === String(n)", arg=number + 1, timeout=TIMEOUT_MS)
                shown_at = page.evaluate("window.__changes[window.__changes.length - 1][1]")
                delays.append((shown_at - saved_at) / 1000.0)
            browser.close()
    finally:
        stop(process)
        store.dispose()
    return _figure("workshop: answer → live count on the projector (Chromium)", delays, LIVE_TARGET_S,
                   f"{LIVE_ANSWERS} answers saved through the store; fragment run_every 1 s")


def run() -> list[dict[str, Any]]:
    """All workshop figures; see the module docstring."""
    with tempfile.TemporaryDirectory(prefix="bench-workshop-") as folder:
        rows = bench_saves(Path(folder))
        if CHROMIUM.exists():
            rows.append(bench_live_update(Path(folder)))
        return rows


if __name__ == "__main__":
    from run_all import table

    print(table(run()))
