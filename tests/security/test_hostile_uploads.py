"""The hostile files of :mod:`tests.security.hostile_files` through the real entry points (issue 12).

Each case goes through the Data readiness upload (AppTest with the file uploader), Export's JSON and pack
import (AppTest: upload, then the import button), or the CLI, and must get a clear refusal (naming the file
and the limit), in bounded time, with the store unchanged. A rerun of the Data readiness page must not read
the file again (a failed read is cached like a success). One more test feeds the whole set through the app
in a child process under a memory cap and bounds the peak memory of every file.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core import profiling
from core.store import Store
from tests.pages.conftest import SAMPLE_NAME, open_page, shown
from tests.security.hostile_files import PACKS, TABLES, WORKSPACES

ROOT = Path(__file__).resolve().parents[2]
DATA_READINESS = "pages/8_Data_readiness.py"
EXPORT = "pages/9_Export.py"
GATES = "pages/7_Gates.py"
# One AppTest run with the upload, refusal included; generous against CI noise (≤ 1 s measured for most).
BOUND_S = 10.0
CLI_BOUND_S = 15.0
PEAK_MB = 500
MEMORY_CAP_MB = 1_500
def pattern(expected: str, filename: str) -> str:
    return expected.replace("{name}", re.escape(filename))


@pytest.fixture(scope="module")
def hostile_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    for name, (_, build, _) in {**TABLES, **PACKS, **WORKSPACES}.items():
        (folder / name).write_bytes(build())
    return folder


def fingerprint(store: Store) -> list:
    """What a refused upload must leave as it was: every workspace, its versions and its audit trail."""
    result = []
    for info in store.list_workspaces():
        loaded = store.load(info.id)
        result.append((info, loaded.versions, [entry.id for entry in store.audit(info.id)]))
    return result


@pytest.mark.parametrize("name", TABLES)
def test_a_hostile_table_upload_is_refused_clearly_quickly_and_only_once(store, sample_id, hostile_folder, name,
                                                                         monkeypatch):
    _refused_once(store, open_page(DATA_READINESS), hostile_folder, name,
                  lambda: monkeypatch.setattr(profiling, "read_table",
                                              lambda *_: pytest.fail("a rerun read the refused file again")))


def _refused_once(store, at, hostile_folder, name, forbid_reading) -> None:
    """Upload the hostile table on the page ``at`` shows: one clear refusal naming the file and the limit, within
    the bound, then (after ``forbid_reading``) the same refusal on a rerun without reading the file again, and the
    store unchanged."""
    filename, _, expected = TABLES[name]
    before = fingerprint(store)
    start = time.perf_counter()
    at.file_uploader[0].set_value((filename, (hostile_folder / name).read_bytes(), "application/octet-stream")).run()
    elapsed = time.perf_counter() - start
    assert not at.exception, [item.value for item in at.exception]
    errors = [shown(item.value) for item in at.error]
    assert len(errors) == 1 and re.search(pattern(expected, filename), errors[0]), errors
    assert elapsed < BOUND_S
    forbid_reading()
    at.run()
    assert [shown(item.value) for item in at.error] == errors
    assert fingerprint(store) == before


MEASUREMENT_TABLES = [name for name, (filename, _, _) in TABLES.items() if filename.endswith((".csv", ".xlsx"))]


@pytest.mark.parametrize("name", MEASUREMENT_TABLES)
def test_a_hostile_monitoring_export_is_refused_by_the_gates_page_once(store, sample_id, hostile_folder, name,
                                                                       monkeypatch):
    from ui.views import gates

    _refused_once(store, open_page(GATES, tabs={"gates": "measurements"}), hostile_folder, name,
                  lambda: monkeypatch.setattr(gates, "read_table",
                                              lambda *_, **__: pytest.fail("a rerun read the refused file again")))


# The Export page's uploaders, in page order (tests/pages/test_export.py uses the same).
PACK_UPLOADER, JSON_UPLOADER = 0, 1


@pytest.mark.parametrize("name", WORKSPACES)
def test_a_hostile_workspace_file_is_refused_by_the_export_page(store, sample_id, hostile_folder, name):
    filename, _, expected = WORKSPACES[name]
    before = fingerprint(store)
    at = open_page(EXPORT)
    content = (hostile_folder / name).read_bytes()
    at.file_uploader[JSON_UPLOADER].set_value((filename, content, "application/json")).run()
    start = time.perf_counter()
    at.button(key="w.export.json_import").click().run()
    elapsed = time.perf_counter() - start
    assert not at.exception, [item.value for item in at.exception]
    errors = [shown(item.value) for item in at.error]
    assert len(errors) == 1 and re.search(pattern(expected, filename), errors[0]), errors
    assert f"- {filename}: " in errors[0]
    assert elapsed < BOUND_S
    assert fingerprint(store) == before


@pytest.mark.parametrize("name", PACKS)
def test_a_hostile_pack_is_refused_by_the_export_page(store, sample_id, hostile_folder, name):
    filename, _, expected = PACKS[name]
    before = fingerprint(store)
    at, content = open_page(EXPORT), (hostile_folder / name).read_bytes()
    start = time.perf_counter()
    at.file_uploader[PACK_UPLOADER].set_value((filename, content, "application/octet-stream")).run()
    elapsed = time.perf_counter() - start
    assert not at.exception, [item.value for item in at.exception]
    errors = [shown(item.value) for item in at.error]
    assert len(errors) == 1 and filename in errors[0] and re.search(expected, errors[0]), errors
    assert elapsed < BOUND_S
    assert fingerprint(store) == before


def _cli(database_url: str, *arguments: str) -> tuple[subprocess.CompletedProcess, float]:
    command = [sys.executable, "-m", "core.cli", "--database", database_url, "--actor", "Ada", *arguments]
    start = time.perf_counter()
    completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    return completed, time.perf_counter() - start


@pytest.mark.parametrize("name", [*PACKS, *WORKSPACES])
def test_a_hostile_file_is_refused_by_the_cli_in_one_line(store, database_url, hostile_folder, name):
    path = hostile_folder / name
    before = fingerprint(store)
    if name in PACKS:
        completed, elapsed = _cli(database_url, "import-pack", str(path), "--workspace", SAMPLE_NAME)
        expected = PACKS[name][2]
    else:
        completed, elapsed = _cli(database_url, "workspaces", "import", str(path))
        expected = WORKSPACES[name][2]
    assert completed.returncode == 1, completed.stdout
    assert completed.stderr.count("\n") == 1 and completed.stderr.startswith("error: "), completed.stderr
    assert re.search(expected, completed.stderr), completed.stderr
    assert elapsed < CLI_BOUND_S
    assert fingerprint(store) == before


MEMORY_PROBE = r"""
import json, os, resource, sys, time
from pathlib import Path
from streamlit.testing.v1 import AppTest
from core.store import Store
from tests.security.hostile_files import PACKS, TABLES, WORKSPACES

folder, root = Path(sys.argv[1]), sys.argv[2]
cap_mb, data_set = int(sys.argv[3]), sys.argv[4].split(",")
Store(os.environ["WORKBENCH_DATABASE_URL"]).ensure_sample_workspace()


def status(field):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) // 1024


def page(path):
    at = AppTest.from_file(f"{root}/app.py", default_timeout=60)
    at.run()
    at.switch_page(path)
    at.run()
    return at


readiness, export = page("pages/8_Data_readiness.py"), page("pages/9_Export.py")
idle_mb = status("VmRSS")
data_mb = status("VmData")
resource.setrlimit(resource.RLIMIT_DATA, ((data_mb + cap_mb) * 2**20, resource.RLIM_INFINITY))
outcomes, peaks, whole_peak_mb = {}, {}, 0


def feed(name, at, upload):
    # The peak of this file alone: the high-water mark is reset to the memory now in use (clear_refs 5).
    global whole_peak_mb
    Path("/proc/self/clear_refs").write_text("5")
    before = status("VmRSS")
    upload()
    outcomes[name] = [item.value for item in at.error]
    peaks[name] = status("VmHWM") - before
    whole_peak_mb = max(whole_peak_mb, status("VmHWM"))


for name, (filename, _, _) in TABLES.items():
    feed(name, readiness, lambda: readiness.file_uploader[0].set_value(
        (filename, (folder / name).read_bytes(), "text/plain")).run())
for name, (filename, _, _) in PACKS.items():
    feed(name, export, lambda: export.file_uploader[0].set_value(
        (filename, (folder / name).read_bytes(), "text/plain")).run())
export.file_uploader[0].set_value(None).run()
for name in data_set:
    def upload():
        export.file_uploader[1].set_value((WORKSPACES[name][0], (folder / name).read_bytes(), "application/json")).run()
        export.button(key="w.export.json_import").click().run()
    feed(name, export, upload)
print(json.dumps({"idle_mb": idle_mb, "whole_peak_mb": whole_peak_mb, "peaks": peaks, "outcomes": outcomes}))
"""


def test_every_file_of_the_hostile_set_peaks_within_500_mb(database_url, hostile_folder):
    """Every table, pack and workspace file of the set, one after the other in one app process under a memory cap;
    each file's peak is measured above the memory in use just before it. Not above idle for the whole run:
    AppTest itself keeps every uploaded file alive (≈20 MB per 20 MB upload, also in an app of a lone
    file_uploader), and 40 uploads of that would be counted against the last file."""
    start = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-c", MEMORY_PROBE, str(hostile_folder), str(ROOT), str(MEMORY_CAP_MB), ",".join(WORKSPACES)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    worst = max(result["peaks"], key=result["peaks"].get)
    print(f"whole hostile set: {time.perf_counter() - start:.1f} s; the largest peak {result['peaks'][worst]} MB "
          f"({worst}); {result['whole_peak_mb'] - result['idle_mb']} MB above idle over the run")
    refused = {name: errors for name, errors in result["outcomes"].items() if len(errors) == 1}
    assert set(refused) == {*TABLES, *PACKS, *WORKSPACES}, result["outcomes"]
    assert result["peaks"][worst] < PEAK_MB, result["peaks"]
