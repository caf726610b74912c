"""The message catalogues as data files (ui/i18n/*.toml): parsing, the duplicate-key rule and the load cache."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ui import i18n

ROOT = Path(__file__).resolve().parents[2]
MESSAGE = '[{key}]\nen = "{en}"\nde = "{de}"\n'


def _write(folder: Path, name: str, *messages: tuple[str, str, str]) -> Path:
    path = folder / name
    path.write_text("".join(MESSAGE.format(key=key, en=en, de=de) for key, en, de in messages), encoding="utf-8")
    return path


def test_a_file_reads_to_dotted_keys_with_both_languages(tmp_path):
    path = _write(tmp_path, "home.toml", ("home.title", "Home", "Start"), ("an.sens.scenario.worst", "Worst", "Worst"))
    assert i18n.read_catalog(path) == {"home.title": {"en": "Home", "de": "Start"},
                                       "an.sens.scenario.worst": {"en": "Worst", "de": "Worst"}}


def test_a_key_defined_twice_in_one_file_is_refused_naming_the_file(tmp_path):
    path = _write(tmp_path, "home.toml", ("home.title", "Home", "Start"), ("home.title", "Again", "Nochmal"))
    with pytest.raises(i18n.CatalogError, match=r"home\.toml"):
        i18n.read_catalog(path)


def test_a_key_defined_in_two_files_is_refused_naming_both(tmp_path):
    _write(tmp_path, "common.toml", ("nav.home", "Home", "Start"))
    _write(tmp_path, "home.toml", ("nav.home", "Home", "Start"))
    with pytest.raises(i18n.CatalogError, match=r"nav\.home.*common\.toml and home\.toml"):
        i18n.read_catalogs(tmp_path)


def test_a_value_that_is_not_text_is_refused(tmp_path):
    path = tmp_path / "home.toml"
    path.write_text('[home.title]\nen = "Home"\nde = 3\n', encoding="utf-8")
    with pytest.raises(i18n.CatalogError, match=r"home\.title"):
        i18n.read_catalog(path)


def test_the_loaded_catalogue_is_what_the_files_say():
    assert i18n.messages() == i18n.read_catalogs()
    assert {path.stem for path in i18n.catalog_paths()} >= {"common", "home", "roi", "gates", "export"}


def test_the_cache_is_used_only_while_every_file_is_unchanged(tmp_path, monkeypatch):
    catalogs = tmp_path / "i18n"
    catalogs.mkdir()
    path = _write(catalogs, "home.toml", ("home.title", "Home", "Start"))
    monkeypatch.setattr(i18n, "CATALOG_DIR", catalogs)
    monkeypatch.setattr(i18n, "CACHE_PATH", catalogs / "__pycache__" / "messages.marshal")
    assert i18n.write_cache() == {"home.title": {"en": "Home", "de": "Start"}}
    assert i18n._cached(i18n._stamp([path])) == {"home.title": {"en": "Home", "de": "Start"}}
    _write(catalogs, "home.toml", ("home.title", "Home page", "Startseite"))
    assert i18n._cached(i18n._stamp([path])) is None
    i18n.write_cache()
    assert i18n._cached(i18n._stamp(i18n.catalog_paths())) is not None
    _write(catalogs, "roi.toml", ("roi.title", "ROI", "ROI"))
    assert i18n._cached(i18n._stamp(i18n.catalog_paths())) is None


def test_loading_the_catalogues_imports_neither_the_core_nor_pydantic_numpy_or_pandas():
    # The first page run loads them before the store and the core are imported (see ui.frame).
    probe = "import json, sys; import ui.i18n as i; i.messages(); print(json.dumps(sorted(sys.modules)))"
    completed = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True,
                               timeout=120, check=True)
    loaded = set(json.loads(completed.stdout.strip().splitlines()[-1]))
    assert not {"core", "pydantic", "numpy", "pandas", "pyarrow"} & loaded
