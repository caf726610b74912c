"""The import rules of docs/ARCHITECTURE.md: pages → ui → core, never back; only ui/state.py touches session state."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYERS = {"core": 0, "ui": 1, "pages": 2}


def _python_files(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def _imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _layer_of(module: str) -> int | None:
    top = module.split(".")[0]
    return LAYERS.get(top)


def test_no_module_imports_a_layer_above_its_own():
    for folder, layer in (("core", 0), ("ui", 1)):
        for path in _python_files(folder):
            upward = {m for m in _imported_modules(path) if (_layer_of(m) or -1) > layer or m == "app"}
            assert not upward, f"{path.relative_to(ROOT)} imports {sorted(upward)} from a layer above it"


def test_core_never_imports_streamlit_or_altair():
    for path in _python_files("core"):
        ui_libraries = {m for m in _imported_modules(path) if m.split(".")[0] in {"streamlit", "altair"}}
        assert not ui_libraries, f"{path.relative_to(ROOT)} imports {sorted(ui_libraries)}"


def test_only_ui_state_touches_session_state_and_query_params():
    sources = [*_python_files("ui"), *_python_files("pages"), ROOT / "app.py"]
    for path in sources:
        if path == ROOT / "ui" / "state.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        touched = {node.attr for node in ast.walk(tree)
                   if isinstance(node, ast.Attribute) and node.attr in {"session_state", "query_params"}}
        assert not touched, f"{path.relative_to(ROOT)} uses st.{sorted(touched)}; go through ui.state"


def test_a_rule_breaking_import_is_detected(tmp_path):
    # The checker itself must see an upward import; a checker that finds nothing proves nothing.
    bad = tmp_path / "bad.py"
    bad.write_text("from ui import state\nimport pages.x\nfrom . import sibling\n", encoding="utf-8")
    assert _imported_modules(bad) == {"ui", "pages.x"}
    assert _layer_of("ui.state") == 1 and _layer_of("pages.x") == 2 and _layer_of("numpy") is None


def test_importing_every_core_module_loads_no_streamlit():
    modules = sorted(
        ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for path in _python_files("core")
    )
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print('streamlit' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False", result.stderr
