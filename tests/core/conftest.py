"""Databases for the store tests: SQLite always, PostgreSQL when WORKBENCH_TEST_POSTGRES_URL names a server."""

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import make_url

from core.models import RoiInputs

# S15 worked example (base): 50,000; 0.62; 2.4; 0.85; 1.10; 0.18; 18,000.
S15_BASE = RoiInputs(
    volume_cases_per_month=50_000,
    adoption=0.62,
    minutes_saved_per_case=2.4,
    cost_per_minute_eur=0.85,
    error_cost_per_case_eur=1.10,
    error_rate_reduction=0.18,
    run_cost_eur_per_month=18_000,
)

POSTGRES_ENV = "WORKBENCH_TEST_POSTGRES_URL"
POSTGRES_HOW_TO = (
    f"PostgreSQL store tests need {POSTGRES_ENV}=postgresql+psycopg://USER@HOST:PORT/DB "
    "(bash .ci/run starts a server and sets it)"
)
DATABASES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def postgres_schema_url() -> Iterator[str]:
    """A URL whose connections use a fresh schema; the schema is dropped afterwards."""
    import psycopg

    base = make_url(os.environ[POSTGRES_ENV])
    conninfo = base.set(drivername="postgresql").render_as_string(hide_password=False)
    schema = f"test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield base.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def database_urls(kind: str, sqlite_folder) -> Iterator[str]:
    """One database URL of ``kind``; skips PostgreSQL with instructions when no server is configured."""
    if kind == "sqlite":
        yield f"sqlite:///{sqlite_folder / 'workbench.db'}"
    elif not os.environ.get(POSTGRES_ENV):
        pytest.skip(POSTGRES_HOW_TO)
    else:
        yield from postgres_schema_url()


@pytest.fixture(params=DATABASES)
def database_url(request, tmp_path) -> Iterator[str]:
    yield from database_urls(request.param, tmp_path)
