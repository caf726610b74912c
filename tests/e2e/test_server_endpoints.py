"""What the app serves without a browser session (issue 12, item 8).

``/_stcore/metrics`` answers anyone who can reach the server, and Streamlit 1.67 has no option to turn it off
(streamlit/web/server/starlette/starlette_routes.py). It lists cache function names, entry counts and byte
sizes, and session counts, never arguments or values: after a session has used a workspace, a use case and
an upload with distinctive names, none of those names may appear in it. The agent API must stay off.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request

import pytest

from bench.fixtures import wait_idle
from core.models import Workspace
from core.store import SAMPLE_WORKSPACE_PATH, Store
from tests.e2e.test_workbench_e2e import wait_rendered

pytest.importorskip("playwright.sync_api", reason="e2e needs the playwright package (requirements-dev.txt)")
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e
WORKSPACE = "Zebrafink Geheimprojekt 4711"
USE_CASE = "Quittenbaum Prognose 0815"
UPLOAD = "kiwivogel_kundendaten_2342.csv"
# Words only: digits of a name could match a byte count.
DISTINCTIVE = ("Zebrafink", "Geheimprojekt", "Quittenbaum", "Prognose", "kiwivogel", "kundendaten")


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read().decode("utf-8", errors="replace")


def test_metrics_hold_no_user_data_after_a_session_used_the_app(page: Page, running_app, tmp_path) -> None:
    sample = Workspace.model_validate_json(SAMPLE_WORKSPACE_PATH.read_text(encoding="utf-8"))
    first = sample.use_cases[0].model_copy(update={"name": USE_CASE})
    workspace = sample.model_copy(update={"name": WORKSPACE, "use_cases": (first, *sample.use_cases[1:])})
    store = Store(running_app.database_url)
    workspace_id = store.import_json(json.dumps(workspace.model_dump(mode="json")), actor="Ada")
    upload = tmp_path / UPLOAD
    upload.write_text("Zebrafink;Quittenbaum\n4711;0815\n", encoding="utf-8")

    for path in ("", "Use_cases", "ROI", "Sensitivity", "Data_readiness"):
        page.goto(f"{running_app.url}/{path}?ws={workspace_id}&uc={first.id}")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        wait_idle(page)
        wait_rendered(page)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(upload))
    expect(page.get_by_text(UPLOAD).first).to_be_visible()
    wait_idle(page)
    expect(page.get_by_test_id("stMetric").first).to_be_visible()

    status, metrics = _get(f"{running_app.url}/_stcore/metrics")
    assert status == 200
    assert "cache_memory_bytes" in metrics and re.search(r"cache_type=\"st_cache_data\"", metrics), metrics[:2000]
    found = [line for line in metrics.splitlines() if any(word.lower() in line.lower() for word in DISTINCTIVE)]
    assert found == [], found


def test_the_agent_api_is_off(running_app) -> None:
    status, body = _get(f"{running_app.url}/_stcore/agent/openapi.json")
    assert status == 200
    assert json.loads(body)["info"]["x-streamlit-agent-api"] == "disabled"
    request = urllib.request.Request(f"{running_app.url}/_stcore/agent/interact", data=b"{}", method="POST",
                                     headers={"Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code >= 400
