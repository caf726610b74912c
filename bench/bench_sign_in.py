"""What sign-in (S23) costs a page rerun under AppTest: the same page and workspace with sign-in off (the embedded
default) and signed in with a role, the two sessions' reruns interleaved so that the machine's load hits both alike.

Signed in, a run reads ``st.user``, lists the workspaces with the person's grants (one more query) and keeps the
identity as actor; the target: the median of the paired differences (signed in − signed off, rerun by rerun) at
most 5 % of the signed-off median + 3 ms ("no measurable cost"; pairing cancels most of a shared machine's drift).

Run alone: ``.venv/bin/python bench/bench_sign_in.py``.
"""

from __future__ import annotations

import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

RERUNS = 40
PAGES = ("app.py", "pages/4_ROI.py", "pages/2_Scoring.py")
SAMPLE_NAME = "Beispiel GmbH – KI-Portfolio"
ADMIN = {"is_logged_in": True, "sub": "bench-admin", "email": "admin@example.com", "name": "Bench Admin"}
ALLOWED_SHARE = 0.05
ALLOWED_EXTRA_S = 0.003
logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(logging.ERROR)


def _session(script: str, workspace_id: str, user: dict | None):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    if user is not None:
        at.user = dict(user)
    at.query_params["ws"] = workspace_id
    at.run()
    if script != "app.py":
        at.switch_page(script)
        at.run()
    at.run()
    return at


def _timed(at) -> float:
    started = time.perf_counter()
    at.run()
    return time.perf_counter() - started


def run() -> list[dict]:
    from core.store import Store

    rows = []
    with tempfile.TemporaryDirectory(prefix="bench_sign_in_") as folder:
        # Two databases, so that the signed-off session sees a database without access control, as `make run` does.
        urls = {mode: f"sqlite:///{Path(folder) / f'{mode}.db'}" for mode in ("off", "on")}
        ids = {}
        for mode, url in urls.items():
            store = Store(url)
            store.ensure_sample_workspace()
            ids[mode] = store.workspace_id_by_name(SAMPLE_NAME)
            store.dispose()
        os.environ["WORKBENCH_ADMINS"] = ADMIN["email"]
        for script in PAGES:
            sessions = {}
            for mode, user in (("off", None), ("on", ADMIN)):
                os.environ["WORKBENCH_DATABASE_URL"] = urls[mode]
                sessions[mode] = _session(script, ids[mode], user)
            times: dict[str, list[float]] = {"off": [], "on": []}
            for _ in range(RERUNS):
                for mode in ("off", "on"):
                    os.environ["WORKBENCH_DATABASE_URL"] = urls[mode]
                    times[mode].append(_timed(sessions[mode]))
            off, on = statistics.median(times["off"]), statistics.median(times["on"])
            extra = statistics.median(b - a for a, b in zip(times["off"], times["on"], strict=True))
            allowed = off * ALLOWED_SHARE + ALLOWED_EXTRA_S
            shown = [item.value for item in sessions["on"].exception] + [item.value for item in sessions["on"].error]
            rows.append({
                "figure": f"AppTest rerun {Path(script).stem}: signed in − sign-in off, paired median (sample)",
                "median_s": extra,
                "p95_s": None,
                "target_s": allowed,
                "ratio": on / off if off else None,
                "passed": extra <= allowed and not shown,
                "runs": RERUNS,
                "note": f"medians: sign-in off {off * 1000:.1f} ms, signed in {on * 1000:.1f} ms"
                        + (f"; page shows: {shown[0]}" if shown else ""),
            })
    return rows


if __name__ == "__main__":
    for row in run():
        print(f"{row['figure']}: {row['median_s'] * 1000:+.1f} ms (allowed {row['target_s'] * 1000:.1f} ms; "
              f"{row['note']}), "
              f"{'pass' if row['passed'] else 'FAIL'}")
