"""Sign-in in real Chromium against a real OpenID Connect provider on 127.0.0.1 (``oidc-provider-mock``), with two
app processes on one database (S23).

Journey: Ben (no role yet) signs in to app B and sees no workspace; Ada, an instance admin, signs in to app A, sees
the sample workspace she owns as admin and grants Ben the viewer role on its Members panel; Ben reloads app B and
now sees the sample read-only (the grant made in one process holds in the other); a link to a workspace he holds no
role on shows the no-access page; Ben signs out (also at the provider) and is back on the sign-in page.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bench.fixtures import ROOT, free_port, stop, wait_idle, wait_until_healthy
from core.models import Workspace
from core.store import Store
from tests.e2e.conftest import require_chromium

pytest.importorskip("playwright.sync_api", reason="e2e needs the playwright package (requirements-dev.txt)")
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e
expect.set_options(timeout=30_000)

SAMPLE = "Beispiel GmbH – KI-Portfolio"
USERS = (
    {"sub": "ada", "email": "ada@example.com", "name": "Ada Admin"},
    {"sub": "ben", "email": "ben@example.com", "name": "Ben Weber"},
)


@dataclass(frozen=True)
class App:
    url: str
    process: subprocess.Popen
    log_path: Path


def _provider_command() -> list[str]:
    found = shutil.which("oidc-provider-mock") or str(Path(sys.executable).parent / "oidc-provider-mock")
    if not Path(found).exists():
        pytest.skip("the sign-in journey needs oidc-provider-mock (requirements-dev.txt)")
    return [found]


@pytest.fixture(scope="module")
def provider(tmp_path_factory) -> Iterator[str]:
    """The mock OIDC provider on a free port with Ada and Ben predefined; yields its issuer URL."""
    require_chromium()
    pytest.importorskip("authlib", reason="st.login needs Authlib (requirements.txt)")
    port = free_port()
    log_path = tmp_path_factory.mktemp("oidc") / "provider.log"
    command = [*_provider_command(), "-p", str(port)]
    for user in USERS:
        command += ["--user-claims", json.dumps(user)]
    with log_path.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    issuer = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{issuer}/.well-known/openid-configuration", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            stop(process)
            pytest.fail(f"oidc-provider-mock did not start:\n{log_path.read_text(errors='replace')[-2000:]}")
        time.sleep(0.1)
    try:
        yield issuer
    finally:
        stop(process)


def _start_app(folder: Path, issuer: str, database_url: str) -> App:
    """``streamlit run app.py`` with its own secrets file naming the provider; the redirect URI carries its port."""
    port = free_port()
    folder.mkdir(parents=True, exist_ok=True)
    secrets = folder / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        'cookie_secret = "a long random string only for this test run"\n'
        'client_id = "workbench"\n'
        'client_secret = "secret"\n'
        f'server_metadata_url = "{issuer}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    log_path = folder / "streamlit.log"
    command = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
               "--server.address", "127.0.0.1", "--server.headless", "true", "--secrets.files", str(secrets)]
    import os

    env = {**os.environ, "WORKBENCH_DATABASE_URL": database_url, "WORKBENCH_ADMINS": "ada@example.com"}
    with log_path.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                   stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, process)
    except RuntimeError as error:
        stop(process)
        pytest.fail(f"{error}\n{log_path.read_text(errors='replace')[-4000:]}")
    return App(url=url, process=process, log_path=log_path)


@pytest.fixture(scope="module")
def apps(provider, tmp_path_factory) -> Iterator[tuple[App, App, str]]:
    """Two app processes on one SQLite database, both with sign-in; yields them and the database URL."""
    folder = tmp_path_factory.mktemp("sign_in")
    database_url = f"sqlite:///{folder / 'workbench.db'}"
    first = _start_app(folder / "a", provider, database_url)
    try:
        second = _start_app(folder / "b", provider, database_url)
    except BaseException:
        stop(first.process)
        raise
    try:
        yield first, second, database_url
    finally:
        stop(first.process)
        stop(second.process)


def _sign_in(page: Page, app: App, subject: str) -> None:
    page.goto(app.url)
    page.get_by_role("button", name="Sign in with your company account").click()
    page.locator(f'button[name="sub"][value="{subject}"]').click()
    page.wait_for_url(f"{app.url}/**")
    wait_idle(page)


def test_sign_in_see_your_workspaces_and_sign_out_across_two_app_processes(browser, apps):
    first, second, database_url = apps
    ada = browser.new_context(viewport={"width": 1400, "height": 2200}, locale="en-GB")
    ben = browser.new_context(viewport={"width": 1400, "height": 2200}, locale="en-GB")
    try:
        ben_page = ben.new_page()
        _sign_in(ben_page, second, "ben")
        expect(ben_page.get_by_text("You hold no role in any workspace yet")).to_be_visible()
        expect(ben_page.get_by_text(SAMPLE)).to_have_count(0)

        ada_page = ada.new_page()
        _sign_in(ada_page, first, "ada")
        expect(ada_page.get_by_text("Signed in as")).to_be_visible()
        expect(ada_page.get_by_role("heading", name=SAMPLE)).to_be_visible()
        ada_page.get_by_text("Show the members").click()
        wait_idle(ada_page)
        ada_page.get_by_role("textbox", name="E-mail or subject").fill("ben@example.com")
        ada_page.get_by_role("button", name="Grant role").click()
        wait_idle(ada_page)
        expect(ada_page.get_by_text("is now viewer.")).to_be_visible()  # the address carries a word joiner

        ben_page.reload()
        wait_idle(ben_page)
        expect(ben_page.get_by_role("heading", name=SAMPLE)).to_be_visible()
        expect(ben_page.get_by_text("You are a viewer of this workspace")).to_be_visible()

        store = Store(database_url)
        private = store.create_workspace(Workspace(name="Ada's drafts"), "Ada Admin <ada@example.com> [ada]")
        store.dispose()
        ben_page.goto(f"{second.url}/?ws={private}")
        wait_idle(ben_page)
        expect(ben_page.get_by_text("No access: you hold no role in this workspace")).to_be_visible()
        expect(ben_page.get_by_text("Ada's drafts")).to_have_count(0)

        ben_page.get_by_role("button", name="Show my workspaces").click()
        wait_idle(ben_page)
        ben_page.get_by_role("button", name="Sign out").click()
        # Streamlit ends the session at the provider too (RP-initiated logout); the mock asks to confirm.
        ben_page.get_by_role("button", name="End session").click()
        ben_page.wait_for_url(f"{second.url}/**")
        expect(ben_page.get_by_role("button", name="Sign in with your company account")).to_be_visible()
        expect(ben_page.get_by_text(SAMPLE)).to_have_count(0)
    finally:
        ada.close()
        ben.close()
