"""AppTest for the Sensitivity page (S16 scenarios and verdict, tornado, Monte Carlo)."""

from __future__ import annotations

import json
import re
import string
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from core import sensitivity
from core.models import DEFAULT_SCENARIOS
from core.store import Store
from tests.pages.conftest import assert_clean, open_page
from ui import formatting, i18n
from ui.i18n import translate

PAGE = "pages/6_Sensitivity.py"
CHATBOT = "support-chatbot"
# S15 base with S16 worst (adoption 0.25, 0.8 min): value_time 50,000·0.25·0.8·0.85 = 8,500 €,
# value_quality 50,000·0.25·1.10·0.18 = 2,475 €, net 8,500 + 2,475 − 18,000 = −7,025 €, ROI −7,025/18,000.
WORST_ROI = -7_025 / 18_000


def _metric(at, label: str) -> str:
    return next(metric.value for metric in at.metric if metric.label == label)


def _datasets(chart) -> list[pd.DataFrame]:
    return [pa.ipc.open_stream(item.data.data).read_pandas() for item in chart.proto.datasets]


def _chatbot(store: Store, sample_id: str):
    return store.get_use_case(sample_id, CHATBOT)


@pytest.mark.parametrize("language", ["en", "de"])
def test_scenarios_and_verdict_equal_the_core(store: Store, sample_id: str, language: str) -> None:
    at = open_page(PAGE, language=language, use_case=CHATBOT)
    assert_clean(at)
    frame = sensitivity.run_scenarios(_chatbot(store, sample_id)[0].roi)
    assert frame.at["worst", "roi"] == pytest.approx(WORST_ROI, rel=1e-12)
    assert frame.attrs["verdict"] == sensitivity.POC_WITH_EXPIRY
    worst = translate("an.sens.roi_of", language, scenario=translate("an.sens.scenario.worst", language))
    assert _metric(at, worst) == formatting.roi(WORST_ROI, language)
    assert _metric(at, worst) == ("-39.0%" if language == "en" else "-39,0\xa0%")
    base = translate("an.sens.roi_of", language, scenario=translate("an.sens.scenario.base", language))
    assert _metric(at, base) == formatting.roi(frame.at["base", "roi"], language)
    assert [warning.value.splitlines()[0] for warning in at.warning] == [
        f"### {translate('an.sens.verdict_poc', language)}"
    ]


def test_monte_carlo_figures_equal_the_core_and_follow_the_draw_count(store: Store, sample_id: str) -> None:
    at = open_page(PAGE, use_case=CHATBOT)
    use_case = _chatbot(store, sample_id)[0]
    inputs = use_case.roi
    ranges = sensitivity.default_ranges(inputs, use_case.scenarios)
    expected = sensitivity.monte_carlo(inputs, ranges, n=20_000, seed=0, target_roi=0.2)
    assert _metric(at, "ROI P50") == formatting.roi(expected.p50, "en")
    assert _metric(at, "ROI P5") == formatting.roi(expected.p5, "en")
    assert _metric(at, "P(ROI > 0)") == formatting.percent(expected.prob_positive, "en", 1)

    at.select_slider(key="w.sens.draws").set_value(5_000).run()
    assert_clean(at)
    fewer = sensitivity.monte_carlo(inputs, ranges, n=5_000, seed=0, target_roi=0.2)
    assert _metric(at, "ROI P50") == formatting.roi(fewer.p50, "en")

    at.text_input(key="w.sens.target_percent").input("300").run()
    above = sensitivity.monte_carlo(inputs, ranges, n=5_000, seed=0, target_roi=3.0)
    assert _metric(at, "P(ROI > 300.0%)") == formatting.percent(above.prob_above_target, "en", 1)


def test_charts_carry_the_tornado_order_and_the_percentiles(store: Store, sample_id: str) -> None:
    at = open_page(PAGE, use_case=CHATBOT)
    specs = [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]
    assert len(specs) == 3
    tornado = specs[1]
    labels = next(layer["encoding"]["y"]["sort"] for layer in tornado["layer"] if "y" in layer.get("encoding", {}))
    use_case = _chatbot(store, sample_id)[0]
    inputs = use_case.roi
    ranges = sensitivity.default_ranges(inputs, use_case.scenarios)
    core_order = sensitivity.tornado(inputs, ranges)["field"].tolist()
    assert labels == [translate(f"field.{field}", "en") for field in core_order]
    assert labels[0] == "Adoption"
    rules = _datasets(at.get("vega_lite_chart")[2])[1]
    expected = sensitivity.monte_carlo(inputs, ranges, n=20_000, seed=0)
    assert rules["text"].tolist() == [
        f"{name} {formatting.roi(value, 'en')}" for name, value in
        (("P5", expected.p5), ("P50", expected.p50), ("P95", expected.p95))
    ]
    assert rules["x"].tolist() == pytest.approx([expected.p5 * 100, expected.p50 * 100, expected.p95 * 100])
    bars = _datasets(at.get("vega_lite_chart")[2])[0]
    assert bars["count"].sum() == 20_000


def test_editing_the_worst_case_saves_and_flips_the_verdict(store: Store, sample_id: str) -> None:
    at = open_page(PAGE, use_case=CHATBOT)
    _, version = _chatbot(store, sample_id)
    key = f"w.sens.{CHATBOT}.scenarios.v{version}"
    at.session_state[key] = {"edited_rows": {0: {"adoption": "50"}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert_clean(at)
    saved, new_version = _chatbot(store, sample_id)
    assert new_version == version + 1
    assert saved.scenarios[0].adoption == 0.5
    # worst with adoption 0.5: 17,000 + 4,950 − 18,000 = 3,950 € > 0 → scale candidate (S16).
    assert sensitivity.run_scenarios(saved.roi, saved.scenarios).at["worst", "net_value"] == pytest.approx(3_950)
    assert any(item.value.startswith("### Scale candidate") for item in at.success)
    assert _metric(at, "ROI – Worst") == formatting.roi(3_950 / 18_000, "en")

    next(button for button in at.button if button.label == "Reset to S16 defaults").click().run()
    assert_clean(at)
    assert _chatbot(store, sample_id)[0].scenarios == DEFAULT_SCENARIOS
    assert _metric(at, "ROI – Worst") == formatting.roi(WORST_ROI, "en")


def test_invalid_override_shows_the_field_and_saves_nothing(store: Store, sample_id: str) -> None:
    at = open_page(PAGE, use_case=CHATBOT)
    _, version = _chatbot(store, sample_id)
    key = f"w.sens.{CHATBOT}.scenarios.v{version}"
    at.session_state[key] = {"edited_rows": {1: {"name": "worst"}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.exception
    assert any("unique" in error.value for error in at.error)
    assert _chatbot(store, sample_id)[1] == version


def test_analysis_catalog_has_both_languages_and_every_used_key() -> None:
    """Covers all four analysis pages: every literal t("an.…") key exists, EN and DE share placeholders."""
    formatter = string.Formatter()
    for key, texts in i18n.messages().items():
        assert set(texts) == {"en", "de"}, key
        fields = [{name for _, name, _, _ in formatter.parse(texts[language]) if name} for language in ("en", "de")]
        assert fields[0] == fields[1], key
    root = Path(__file__).resolve().parents[2]
    sources = [root / "pages" / name for name in ("6_Sensitivity.py", "7_Gates.py", "8_Data_readiness.py",
                                                   "9_Export.py")] + [
        root / "ui" / "views" / f"{name}.py" for name in ("sensitivity", "gates", "data_readiness", "export")]
    used = {key for path in sources
            for key in re.findall(r'\b(?:t|translate|subheader)\("(an\.[a-z0-9_.]+)"', path.read_text())}
    assert len(used) > 150
    assert sorted(used - set(i18n.messages())) == []


def _terms(store: Store, sample_id: str, use_case):
    from core.business_case import BusinessCaseTerms

    return BusinessCaseTerms.of(use_case, store.workspace_settings(sample_id).default_discount_rate_per_year)


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_npv_target_shows_the_s19_monte_carlo_readouts(store: Store, sample_id: str, language: str) -> None:
    at = open_page(PAGE, language=language, use_case=CHATBOT)
    at.segmented_control(key="w.sens.figure").set_value("npv").run()
    assert_clean(at)
    use_case = _chatbot(store, sample_id)[0]
    terms = _terms(store, sample_id, use_case)
    ranges = sensitivity.default_ranges(use_case.roi, use_case.scenarios, terms)
    # The S19 ramp months and investment carry a range too: ±20 % around 6 months and 120,000 € (S19 example).
    assert ranges["ramp_months"] == pytest.approx((4.8, 6.0, 7.2))
    assert ranges["investment_eur"] == pytest.approx((96_000, 120_000, 144_000))
    expected = sensitivity.monte_carlo_business_case(use_case.roi, terms, ranges, n=20_000, seed=0)
    text = lambda key, **kwargs: translate(key, language, **kwargs)  # noqa: E731
    assert _metric(at, text("an.sens.npv_percentile", name="P50")) == formatting.eur(expected.npv_p50, language)
    assert _metric(at, text("an.sens.npv_percentile", name="P5")) == formatting.eur(expected.npv_p5, language)
    assert _metric(at, text("an.sens.prob_npv_positive")) == formatting.percent(expected.prob_npv_positive,
                                                                                language, 1)
    assert _metric(at, text("an.sens.payback_share", horizon="36")) == formatting.percent(expected.payback_share,
                                                                                          language, 1)
    tornado = json.loads(at.get("vega_lite_chart")[1].proto.spec)
    labels = next(layer["encoding"]["y"]["sort"] for layer in tornado["layer"] if "y" in layer.get("encoding", {}))
    core_order = sensitivity.tornado(use_case.roi, ranges, target="npv", terms=terms)["field"].tolist()
    assert labels == [translate(f"field.{field}", language) for field in core_order]
    assert translate("field.investment_eur", language) in labels
    assert any(header.value == text("an.sens.tornado_npv") for header in at.subheader)


def test_the_payback_target_draws_the_payback_months(store: Store, sample_id: str) -> None:
    at = open_page(PAGE, use_case=CHATBOT)
    at.segmented_control(key="w.sens.figure").set_value("payback").run()
    assert_clean(at)
    use_case = _chatbot(store, sample_id)[0]
    terms = _terms(store, sample_id, use_case)
    ranges = sensitivity.default_ranges(use_case.roi, use_case.scenarios, terms)
    swings = sensitivity.tornado(use_case.roi, ranges, target="payback", terms=terms)
    assert swings.attrs["base_payback"] == 6
    assert any("(base month 6, dashed line)" in caption.value for caption in at.caption)
    expected = sensitivity.monte_carlo_business_case(use_case.roi, terms, ranges, n=20_000, seed=0)
    bars, rules = _datasets(at.get("vega_lite_chart")[2])[:2]
    assert bars["count"].sum() == round(expected.payback_share * 20_000)
    assert rules["text"].tolist() == [f"P50 Month {expected.payback_p50_month}"]
    at.segmented_control(key="w.sens.figure").set_value("roi").run()
    assert _metric(at, "ROI P50")


@pytest.mark.parametrize("language", ["en", "de"])
def test_custom_scenarios_show_the_users_name_and_defaults_their_translation(store: Store, sample_id: str,
                                                                              language: str) -> None:
    use_case, version = _chatbot(store, sample_id)
    stress = use_case.scenarios[0].model_copy(update={"name": "stress"})
    custom = use_case.model_copy(update={"scenarios": (stress, *use_case.scenarios[1:])})
    store.save_use_case(sample_id, custom, version, actor="Ada")
    at = open_page(PAGE, language=language, use_case=CHATBOT)
    assert_clean(at)
    roi_of = translate("an.sens.roi_of", language, scenario="stress")
    base = translate("an.sens.roi_of", language, scenario=translate("an.sens.scenario.base", language))
    labels = [metric.label for metric in at.metric]
    assert roi_of in labels and base in labels
    table = next(frame.value for frame in at.dataframe
                 if translate("an.sens.col_scenario", language) in frame.value.columns)
    names = table[translate("an.sens.col_scenario", language)].tolist()
    assert names == ["stress", *(translate(f"an.sens.scenario.{name}", language) for name in ("base", "best"))]
    scenario_chart = at.get("vega_lite_chart")[0]
    chart_labels = [label for data in _datasets(scenario_chart) if "label" in data for label in data["label"]]
    chart_text = json.dumps(json.loads(scenario_chart.proto.spec)) + json.dumps(chart_labels)
    assert "stress" in chart_text
    assert "an.sens.scenario" not in json.dumps([labels, names]) + chart_text


def test_a_scenario_row_without_a_name_is_refused_naming_the_row_and_the_column(store: Store, sample_id: str) -> None:
    """Issue 13: an incomplete row is refused with the row and the column, never dropped silently."""
    at = open_page(PAGE, use_case=CHATBOT)
    _, version = _chatbot(store, sample_id)
    key = f"w.sens.{CHATBOT}.scenarios.v{version}"
    at.session_state[key] = {"edited_rows": {}, "deleted_rows": [], "added_rows": [{"adoption": "40 %"}]}
    at.run()
    assert not at.exception
    errors = [item.value for item in at.error]
    assert any("Scenarios, row 4" in error and "is empty" in error for error in errors), errors
    assert _chatbot(store, sample_id)[1] == version
