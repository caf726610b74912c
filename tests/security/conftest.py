"""The AppTest fixtures of tests/pages (a fresh SQLite database per test, seeded with the sample)."""

from tests.pages.conftest import database_url, sample_id, store

__all__ = ["database_url", "sample_id", "store"]
