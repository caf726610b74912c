"""Nothing leaves the machine, checked without a browser (issue 12, items 4 and 8); the Chromium tests
(tests/e2e/test_no_external_requests.py, test_server_endpoints.py) check the running app."""

from __future__ import annotations

import base64
import re
import tomllib
from pathlib import Path

from ui import frame

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "ui").rglob("*.py"))]


def test_the_tab_icon_is_the_shipped_svg_as_a_data_uri():
    icon = frame.page_icon()
    assert icon.startswith("data:image/svg+xml;base64,")
    svg = base64.b64decode(icon.split(",", 1)[1]).decode("utf-8")
    assert svg == frame.PAGE_ICON_PATH.read_text(encoding="utf-8")
    assert re.findall(r"https?://[^\"']+", svg) == ["http://www.w3.org/2000/svg"]  # the namespace, never fetched


def test_only_the_frame_sets_the_page_config():
    callers = [path.relative_to(ROOT).as_posix() for path in SOURCES if "set_page_config" in path.read_text("utf-8")]
    assert callers == ["ui/frame.py"]


def test_the_server_config_keeps_everything_local():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["browser"]["gatherUsageStats"] is False
    assert config["server"]["address"] == "127.0.0.1"
    assert config["server"]["enableAgentApi"] is False
