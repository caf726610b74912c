"""AppTest fixtures: a fresh SQLite database per test (WORKBENCH_DATABASE_URL), seeded with the sample."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.store import Store

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_NAME = "Beispiel GmbH – KI-Portfolio"
MARKDOWN_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def shown(markdown: str) -> str:
    """What a Markdown text shows: backslash escapes and the invisible word joiners of
    ``formatting.escape_markdown`` removed."""
    return MARKDOWN_ESCAPE.sub(r"\1", markdown).replace("\u2060", "")


@pytest.fixture
def database_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'workbench.db'}"
    monkeypatch.setenv("WORKBENCH_DATABASE_URL", url)
    return url


@pytest.fixture
def store(database_url: str) -> Store:
    """The same database the app opens; the sample workspace is loaded."""
    store = Store(database_url)
    store.ensure_sample_workspace()
    return store


@pytest.fixture
def sample_id(store: Store) -> str:
    return store.workspace_id_by_name(SAMPLE_NAME)


# Every expander that draws its content only while open (ui.frame.lazy_expander), by name.
LAZY_SECTIONS = ("roi.inference", "roi.cost_blocks", "bc.table", "bc.plan_vs_actual", "bc.cost_blocks", "gates.decide",
                 "pva.sources")


def open_page(page: str | None = None, language: str | None = None, use_case: str | None = None,
              open_sections: bool = False, tabs: dict[str, str] | None = None) -> AppTest:
    """Run the app once (home), optionally switch page; language and use case via the URL. ``open_sections``
    opens every lazy expander first, so that what they hold is on the page too; ``tabs`` (name → tab id) opens
    those tabs of ui.frame.lazy_tabs (only the open tab is drawn)."""
    from ui import state

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    if open_sections:
        for name in LAZY_SECTIONS:
            at.session_state[f"{state.UI_PREFIX}open.{name}"] = True
    for name, tab in (tabs or {}).items():
        at.session_state[f"{state.UI_PREFIX}tab.{name}"] = tab
    if language:
        at.query_params["lang"] = language
    if use_case:
        at.query_params["uc"] = use_case
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    return at


def assert_clean(at: AppTest) -> None:
    """No exception element and no error box on the page."""
    assert not at.exception, [item.value for item in at.exception]
    assert not at.error, [item.value for item in at.error]
