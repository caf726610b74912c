"""Home page, the shared frame (sidebar, URL state, language) and the EN/DE catalogs."""

from __future__ import annotations

import json
import re
import string
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, SAMPLE_NAME, assert_clean, open_page

from core.gates import evaluate_all
from core.roi import compute_roi
from core.scoring import score_portfolio
from ui import access, formatting, frame, i18n

SOURCES = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "ui").rglob("*.py"))]
HOME_IN_A_FRESH_PROCESS = """
import json, sys
from streamlit.testing.v1 import AppTest
at = AppTest.from_file(sys.argv[1], default_timeout=30)
at.run()
print(json.dumps({
    "metrics": [metric.value for metric in at.metric],
    "subheaders": [header.value for header in at.subheader],
    "page_links": [link.label for link in at.get("page_link")],
    "exceptions": [item.value for item in at.exception],
    "errors": [item.value for item in [*at.exception, *at.error]],
    "loaded": sorted(name for name in ("pandas", "pyarrow") if name in sys.modules),
}))
"""


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_message_exists_in_english_and_german_with_the_same_placeholders():
    messages = i18n.messages()
    assert messages
    for key, texts in messages.items():
        assert isinstance(texts.get("en"), str) and texts["en"], f"{key}: English text missing"
        assert isinstance(texts.get("de"), str) and texts["de"], f"{key}: German text missing"
        assert bool(texts["en"].strip()) == bool(texts["de"].strip()), f"{key}: one language is blank"
        assert _placeholders(texts["en"]) == _placeholders(texts["de"]), key


def test_every_literal_key_used_in_the_code_is_in_the_catalog():
    pattern = re.compile(r"\b(?:t|subheader)\(\s*\"([a-z0-9_.]+)\"")
    used = {key for path in SOURCES for key in pattern.findall(Path(path).read_text(encoding="utf-8"))}
    assert used
    missing = sorted(key for key in used if not i18n.has(key))
    assert not missing, missing


def test_catalogs_must_not_define_a_key_twice():
    try:
        i18n.merge_catalogs({"a": {"x": {"en": "1", "de": "1"}}, "b": {"x": {"en": "2", "de": "2"}}})
    except i18n.CatalogError as error:
        assert "x" in str(error)
    else:
        raise AssertionError("duplicate key accepted")


def test_babel_formats_follow_the_language():
    assert formatting.eur(1234.56, "de", decimals=2) == "1.234,56\xa0€"
    assert formatting.eur(1234.56, "en", decimals=2) == "€1,234.56"
    assert formatting.eur(51378, "de") == "51.378\xa0€"
    assert formatting.roi(2.854333, "de") == "285,4\xa0%"
    assert formatting.roi(2.854333, "en") == "285.4%"
    assert formatting.roi(None, "en") == formatting.MISSING
    assert formatting.percent(0.62, "de") == "62\xa0%"


def test_home_shows_the_portfolio_headline_the_core_computes(store, sample_id):
    at = open_page()
    assert_clean(at)
    workspace = store.load(sample_id).workspace
    net = sum(compute_roi(case.roi).net_value for case in workspace.use_cases)
    quick_wins = int((score_portfolio(workspace.use_cases, workspace.weights)["quadrant"] == "quick_win").sum())
    results = [evaluate_all(case, workspace.thresholds) for case in workspace.use_cases]
    passed = sum(result.passed for gates in results for result in gates.values())
    shown = {metric.label: metric.value for metric in at.metric}
    assert shown["Use cases"] == "10"
    assert shown["Total net value per month"] == formatting.eur(net, "en")
    assert shown["Quick wins"] == str(quick_wins)
    assert shown["Gates passed"] == f"{passed} of {len(results) * 5}"
    assert at.query_params["ws"] == [sample_id] or at.query_params["ws"] == sample_id


def test_home_headline_shows_the_portfolio_npv_investment_and_paybacks(store, sample_id):
    from core.business_case import portfolio_business_case

    workspace = store.load(sample_id).workspace
    plans = portfolio_business_case(workspace.use_cases, workspace.default_discount_rate_per_year)
    at = open_page(language="de")
    assert_clean(at)
    shown = {metric.label: metric for metric in at.metric}
    assert shown["Kapitalwert gesamt"].value == formatting.eur(float(plans.npv_eur.sum()), "de")
    assert shown["Investition gesamt"].value == formatting.eur(float(plans.investment_eur.sum()), "de")
    assert shown["Investition gesamt"].value == "1.080.000\xa0€"  # the sample's one-time amounts
    paying = int((plans.payback_month == plans.payback_month).sum())
    assert paying == 6 and shown["Kapitalwert gesamt"].proto.delta == "6 von 10 amortisieren sich"

    from core.models import WorkspaceSettings

    store.save_settings(sample_id, "Fin", settings=WorkspaceSettings(default_discount_rate_per_year=0.2))
    at.run()
    higher_rate = portfolio_business_case(workspace.use_cases, 0.2)
    assert {metric.label: metric.value for metric in at.metric}["Kapitalwert gesamt"] == formatting.eur(
        float(higher_rate.npv_eur.sum()), "de")


def test_german_labels_and_number_format(store, sample_id):
    at = open_page(language="de")
    assert_clean(at)
    shown = {metric.label: metric.value for metric in at.metric}
    net = sum(compute_roi(case.roi).net_value for case in store.load(sample_id).workspace.use_cases)
    assert shown["Nettonutzen gesamt pro Monat"] == formatting.eur(net, "de")
    assert "." in shown["Nettonutzen gesamt pro Monat"] and shown["Nettonutzen gesamt pro Monat"].endswith("€")
    assert any(header.value == "So läuft ein Scoping-Workshop" for header in at.subheader)


def test_switching_language_in_the_sidebar(store):
    at = open_page()
    at.segmented_control(key="w.sidebar.language").set_value("de").run()
    assert_clean(at)
    assert any(metric.label == "Bestandene Gates" for metric in at.metric)


def _button(at, label):
    return next(button for button in at.button if button.label == label)


def test_create_rename_and_duplicate_a_workspace(store, sample_id):
    at = open_page()
    at.text_input(key="w.sidebar.actor").input("Dana").run()
    at.text_input(key="w.home.create_name").input("Workshop Nord")
    _button(at, "Create workspace").click().run()
    assert_clean(at)
    created = store.workspace_id_by_name("Workshop Nord")
    assert at.query_params["ws"] in (created, [created])
    assert any(metric.label == "Use cases" and metric.value == "0" for metric in at.metric)

    at.text_input(key="w.home.rename_name").input("Workshop Süd")
    _button(at, "Rename workspace").click().run()
    assert_clean(at)
    assert store.workspace_id_by_name("Workshop Süd") == created

    at.selectbox(key="w.home.open").set_value(sample_id).run()
    at.text_input(key="w.home.duplicate_name").input("Kopie")
    _button(at, "Duplicate workspace").click().run()
    assert_clean(at)
    copy = store.workspace_id_by_name("Kopie")
    assert len(store.load(copy).workspace.use_cases) == 10
    assert {info.name for info in store.list_workspaces()} >= {SAMPLE_NAME, "Workshop Süd", "Kopie"}


def test_blank_workspace_name_gives_a_readable_error(store):
    at = open_page()
    _button(at, "Create workspace").click().run()
    assert not at.exception
    assert at.error and "name" in at.error[0].value.lower()
    assert len(store.list_workspaces()) == 1


def test_workspace_comes_back_from_the_url_after_a_refresh(store, sample_id):
    from streamlit.testing.v1 import AppTest

    from core.models import Workspace

    other = store.create_workspace(Workspace(name="Zweiter"), "test")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.query_params["ws"] = other
    at.run()
    assert_clean(at)
    assert at.selectbox(key="w.sidebar.workspace").value == other
    assert any(header.value == "Portfolio: Zweiter" for header in at.subheader)


def _home_in_a_fresh_process() -> dict:
    """The home page's first run in a new process: the cold start, where the headline is drawn pending first."""
    completed = subprocess.run(
        [sys.executable, "-c", HOME_IN_A_FRESH_PROCESS, str(ROOT / "app.py")],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=True,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_home_page_cold_run_imports_neither_pandas_nor_pyarrow(store, database_url):
    # Importing them costs ≈0.3 s of the cold start (issue 6, figure 3); the home page needs neither.
    outcome = _home_in_a_fresh_process()
    assert not outcome["errors"], outcome["errors"]
    assert outcome["metrics"][0] == "10"
    assert outcome["loaded"] == []


def test_home_page_cold_run_fills_the_pending_heading_and_figures_in_place(store, database_url):
    outcome = _home_in_a_fresh_process()
    assert not outcome["errors"], outcome["errors"]
    # Use cases, net value per month, total NPV, total investment (S19), quick wins, gates passed.
    assert len(outcome["metrics"]) == 6
    assert frame.PENDING not in outcome["metrics"]
    assert outcome["subheaders"][0] == f"Portfolio: {SAMPLE_NAME}"


def test_home_top_five_matches_the_core_ranking(store, sample_id):
    at = open_page()
    assert_clean(at)
    workspace = store.load(sample_id).workspace
    ranked = score_portfolio(workspace.use_cases, workspace.weights).sort_values("rank", kind="stable").head(5)
    names = {case.id: case.name for case in workspace.use_cases}
    net = {case.id: compute_roi(case.roi).net_value for case in workspace.use_cases}
    table = next(item.value for item in at.markdown if "| Rank" in item.value or "|Rank" in item.value)
    rows = [line for line in table.splitlines()[2:] if line.startswith("|")]
    assert len(rows) == 5
    for line, (case_id, row) in zip(rows, ranked.iterrows(), strict=True):
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        assert cells[0] == str(row["rank"])
        assert cells[1] == formatting.escape_markdown(names[case_id])
        assert cells[3] == formatting.score(row["score"], "en")
        assert cells[4] == formatting.eur(net[case_id], "en")


def test_the_page_frame_imports_neither_the_store_nor_the_core():
    # ui.frame is drawn before those imports (≈0.3 s of a cold start, issue 6 figure 3) so the browser can
    # fetch the page's code meanwhile; importing any of them here would put that time back in front of it.
    probe = "import json, sys; import ui.frame; print(json.dumps(sorted(sys.modules)))"
    completed = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True,
                               timeout=120, check=True)
    loaded = set(json.loads(completed.stdout.strip().splitlines()[-1]))
    heavy = {"core", "core.models", "core.store", "sqlalchemy", "numpy", "pydantic", "pandas", "ui.store_access"}
    assert not heavy & loaded, sorted(heavy & loaded)


def test_an_unreadable_store_on_a_cold_start_clears_the_pending_figures_and_names_the_problem(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the database folder should be", encoding="utf-8")
    monkeypatch.setenv("WORKBENCH_DATABASE_URL", f"sqlite:///{blocker / 'workbench.db'}")
    outcome = _home_in_a_fresh_process()
    assert not outcome["exceptions"], outcome["exceptions"]
    assert any("cannot be opened" in error for error in outcome["errors"]), outcome["errors"]
    assert outcome["metrics"] == []
    assert frame.PENDING not in outcome["subheaders"]
    assert i18n.t("nav.roi") in outcome["page_links"]


def test_home_reruns_draw_the_figures_without_placeholders(store):
    at = open_page()
    at.run()
    assert_clean(at)
    assert [metric.value for metric in at.metric][:1] == ["10"]
    assert len(at.metric) == 6
    assert frame.PENDING not in [header.value for header in at.subheader]


def test_every_navigation_link_points_at_a_page_that_ships():
    # The participant's phone page (S21) is reached by a round's link only, never from the navigation.
    assert [path for path, _, _ in frame.NAVIGATION if not (ROOT / path).is_file()] == []
    assert {path for path, _, _ in frame.NAVIGATION} == {"app.py", *(f"pages/{page.name}" for page in
                                                                    (ROOT / "pages").glob("*.py"))} - {
        access.PARTICIPANT_PAGE}


def test_every_heading_on_every_page_has_its_own_fixed_anchor(store):
    # Without an anchor the browser re-derives one from the text on each redraw of each heading (issue 6,
    # figure 1); a fixed anchor also keeps a shared link (#roi-break-even) working in both languages.
    for path, _, _ in frame.NAVIGATION:
        at = open_page(None if path == "app.py" else path)
        assert_clean(at)
        headings = [*at.title, *at.header, *at.subheader]
        anchors = [heading.proto.anchor for heading in headings]
        assert headings and all(anchors), (path, [heading.value for heading in headings if not heading.proto.anchor])
        assert len(set(anchors)) == len(anchors), (path, anchors)


def test_anchor_for_turns_a_message_key_into_a_link_anchor():
    assert frame.anchor_for("roi.break_even") == "roi-break-even"
    assert frame.anchor_for("app.name") == "app-name"
