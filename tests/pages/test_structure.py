"""Which page may import which view: each page its own ``ui.views`` module, and nothing reads another's."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _ui_imports(path: Path) -> set[str]:
    """Every ``ui…`` module ``path`` imports, with ``from ui.views import roi`` counted as ``ui.views.roi``."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names |= {node.module, *(f"{node.module}.{alias.name}" for alias in node.names)}
    return {name for name in names if name == "ui" or name.startswith("ui.")}


def _views(names: set[str]) -> set[str]:
    return {name.removeprefix("ui.views.").split(".")[0] for name in names if name.startswith("ui.views.")}


def _own_view(page: Path) -> str:
    return "home" if page.name == "app.py" else re.sub(r"^\d+_", "", page.stem).lower()


def test_every_page_imports_its_own_view_and_no_other():
    pages = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]
    for page in pages:
        assert (ROOT / "ui" / "views" / f"{_own_view(page)}.py").is_file(), page.name
        assert _views(_ui_imports(page)) == {_own_view(page)}, page.name


def test_views_and_shared_modules_import_no_view_module():
    # VIEW_CACHE_SIZE comes from the package itself (ui/views/__init__.py), which is no page's view.
    for path in sorted((ROOT / "ui").rglob("*.py")):
        views = _views(_ui_imports(path)) - {"VIEW_CACHE_SIZE"}
        assert not views, (path.relative_to(ROOT), views)
