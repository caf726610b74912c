"""Browser fixtures: the real app on a free port with a temporary SQLite database, driven by Debian's Chromium.

The server is ``python -m streamlit run app.py`` started once per session; the browser is launched
from ``/usr/bin/chromium`` (never ``playwright install``). Without that binary the e2e tests skip.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bench.fixtures import CHROMIUM, CHROMIUM_ARGS, ROOT, start_streamlit, stop, wait_until_healthy

UPDATE_SCREENSHOTS_ENV = "WORKBENCH_UPDATE_SCREENSHOTS"
VIEWPORT = {"width": 1400, "height": 2200}


@dataclass(frozen=True)
class RunningApp:
    url: str
    database_url: str
    log_path: Path
    process: subprocess.Popen

    def log_tail(self, lines: int = 40) -> str:
        """The end of the server's output, for failure messages."""
        text = self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def require_chromium() -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"e2e needs Debian's Chromium at {CHROMIUM} (apt-get install chromium; .ci/run installs it)")
    pytest.importorskip("playwright.sync_api", reason="e2e needs the playwright package (requirements-dev.txt)")


@pytest.fixture(scope="session")
def running_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """The workbench served from a fresh temporary SQLite database (the sample workspace loads on first use)."""
    require_chromium()
    folder = tmp_path_factory.mktemp("e2e_app")
    database_url = f"sqlite:///{folder / 'workbench.db'}"
    log_path = folder / "streamlit.log"
    url, process = start_streamlit(ROOT / "app.py", {"WORKBENCH_DATABASE_URL": database_url}, log_path)
    try:
        wait_until_healthy(url, process)
    except RuntimeError as error:
        stop(process)
        pytest.fail(f"{error}\n{log_path.read_text(errors='replace')[-4000:]}")
    try:
        yield RunningApp(url=url, database_url=database_url, log_path=log_path, process=process)
    finally:
        stop(process)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser, running_app: RunningApp) -> Iterator[object]:
    """A fresh browser context (own cookies and downloads) with a tall viewport for whole-page screenshots."""
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True, locale="en-GB")
    context.set_default_timeout(30_000)
    tab = context.new_page()
    try:
        yield tab
    finally:
        context.close()


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """docs/screenshots when WORKBENCH_UPDATE_SCREENSHOTS=1 (for the README), else a pytest temp folder."""
    if os.environ.get(UPDATE_SCREENSHOTS_ENV) == "1":
        folder = ROOT / "docs" / "screenshots"
        folder.mkdir(parents=True, exist_ok=True)
        return folder
    return tmp_path_factory.mktemp("screenshots")
