"""ROI page: S15 inputs and live results, waterfall, break-even, S12 inference helper and cost blocks."""

from __future__ import annotations

import json

import pytest
from conftest import assert_clean, open_page, shown

from core.models import InferenceCostInputs
from core.roi import break_even, compute_roi, inference_cost
from ui import formatting, state

PAGE = "pages/4_ROI.py"
CHATBOT = "support-chatbot"
INFERENCE_PRICE = f"w.roi.{CHATBOT}.inference.price_per_1k_tokens_eur"
VOLUME_SLIDER = f"w.roi.{CHATBOT}.volume_cases_per_month.slider"


def _metrics(at):
    return {metric.label: metric.value for metric in at.metric}


def _open_section(at, section: str):
    """What a click on the section's expander leaves behind (AppTest cannot click one): its remembered state."""
    at.session_state[state.UI_PREFIX + f"open.roi.{section}"] = True
    return at.run()


def _keys(at) -> set[str]:
    return {element.key for element in [*at.select_slider, *at.text_input] if element.key}


def test_chatbot_results_equal_the_core(store, sample_id):
    at = open_page(PAGE, use_case=CHATBOT)
    assert_clean(at)
    inputs = store.load(sample_id).workspace.use_case(CHATBOT).roi
    result = compute_roi(inputs)
    shown = _metrics(at)
    assert shown["ROI per month"] == formatting.roi(result.roi, "en") == "285.4%"
    assert shown["Net value €/month"] == formatting.eur(result.net_value, "en") == "€51,378"
    assert shown["Time value €/month"] == "€63,240"
    assert shown["Quality value €/month"] == "€6,138"
    assert shown["Adoption needed for ROI ≥ 0"] == formatting.percent(break_even(inputs, "adoption"), "en", 1)


def test_chatbot_in_german(store):
    at = open_page(PAGE, language="de", use_case=CHATBOT)
    assert_clean(at)
    shown = _metrics(at)
    assert shown["ROI pro Monat"] == "285,4\xa0%"
    assert shown["Nettonutzen €/Monat"] == "51.378\xa0€"


def test_moving_the_adoption_slider_changes_roi(store, sample_id):
    at = open_page(PAGE, use_case=CHATBOT)
    at.select_slider(key=f"w.roi.{CHATBOT}.adoption.slider").set_value(0.3).run()
    assert_clean(at)
    inputs = store.load(sample_id).workspace.use_case(CHATBOT).roi
    assert inputs.adoption == pytest.approx(0.3)
    assert _metrics(at)["ROI per month"] == formatting.roi(compute_roi(inputs).roi, "en")
    assert at.text_input(key=f"w.roi.{CHATBOT}.adoption.number").value == "30%"


def test_zero_run_cost_shows_undefined_roi_without_error(store, sample_id):
    at = open_page(PAGE, use_case=CHATBOT)
    at.text_input(key=f"w.roi.{CHATBOT}.run_cost_eur_per_month.number").input("0").run()
    assert_clean(at)
    assert _metrics(at)["ROI per month"] == formatting.MISSING
    assert any("undefined" in info.value for info in at.info)


def test_waterfall_runs_from_gross_to_net(store):
    at = open_page(PAGE, use_case=CHATBOT)
    charts = at.get("vega_lite_chart")
    spec = json.dumps(json.loads(charts[0].proto.spec), ensure_ascii=False)
    assert "€ per month" in spec
    assert "#009E73" in spec and "#D55E00" in spec


def test_the_helpers_start_closed_and_draw_their_content_only_when_open(store):
    at = open_page(PAGE, use_case=CHATBOT)
    assert_clean(at)
    assert [expander.label for expander in at.expander] == ["Inference cost helper (S12)", "Cost blocks (S12)",
                                                            "Measured or assumed"]
    assert VOLUME_SLIDER in _keys(at) and INFERENCE_PRICE not in _keys(at)
    assert not at.dataframe and "Inference €/month" not in _metrics(at)

    _open_section(at, "inference")
    assert_clean(at)
    assert {INFERENCE_PRICE, VOLUME_SLIDER} <= _keys(at) and "Inference €/month" in _metrics(at)
    assert not at.dataframe

    _open_section(at, "cost_blocks")
    assert_clean(at)
    assert len(at.dataframe) == 1 and "ROI per month" in _metrics(at)


def test_an_open_helper_stays_open_after_another_page_and_a_language_switch(store):
    at = _open_section(open_page(PAGE, use_case=CHATBOT), "inference")
    at.switch_page("pages/2_Scoring.py").run()
    at.switch_page(PAGE).run()
    assert_clean(at)
    assert INFERENCE_PRICE in _keys(at)
    at.segmented_control(key="w.sidebar.language").set_value("de").run()
    assert_clean(at)
    assert [expander.label for expander in at.expander] == ["Inferenzkosten-Rechner (S12)", "Kostenblöcke (S12)",
                                                            "Gemessen oder angenommen"]
    assert INFERENCE_PRICE in _keys(at) and "Inferenz €/Monat" in _metrics(at)


def test_inference_helper_sets_the_run_cost(store, sample_id):
    at = _open_section(open_page(PAGE, use_case=CHATBOT), "inference")
    at.text_input(key=INFERENCE_PRICE).input("0.01").run()
    assert_clean(at)
    use_case = store.load(sample_id).workspace.use_case(CHATBOT)
    assert use_case.inference.price_per_1k_tokens_eur == pytest.approx(0.01)
    expected = inference_cost(use_case.inference)
    assert _metrics(at)["Inference €/month"] == formatting.eur(expected, "en", decimals=2)
    button = next(button for button in at.button if button.label.startswith("Use €"))
    button.click().run()
    assert_clean(at)
    roi_inputs = store.load(sample_id).workspace.use_case(CHATBOT).roi
    new_run_cost = inference_cost(InferenceCostInputs(tokens_per_request=1200, requests_per_month=200_000,
                                                      price_per_1k_tokens_eur=0.01))
    assert roi_inputs.run_cost_eur_per_month == pytest.approx(new_run_cost)
    assert [message.value for message in at.success] == [
        f"Run cost set to {formatting.eur(new_run_cost, 'en', decimals=2)} per month."
    ]
    assert _metrics(at)["ROI per month"] == formatting.roi(compute_roi(roi_inputs).roi, "en")


def test_cost_block_edit_is_saved(store, sample_id):
    at = _open_section(open_page(PAGE, use_case=CHATBOT), "cost_blocks")
    version = store.load(sample_id).versions[CHATBOT]
    at.session_state[f"w.uc.{CHATBOT}.cost_blocks.v{version}"] = {
        "edited_rows": {0: {"cost_eur_per_month": 3000.0}}, "added_rows": [], "deleted_rows": [],
    }
    at.run()
    assert_clean(at)
    blocks = store.load(sample_id).workspace.use_case(CHATBOT).cost_blocks
    assert blocks[0].block == "data_work" and blocks[0].cost_eur_per_month == 3000.0


def test_a_link_with_only_a_use_case_opens_that_use_case(store):
    at = open_page("pages/4_ROI.py", use_case="invoice-extraction")
    assert_clean(at)
    invoice = store.load(store.list_workspaces()[0].id).workspace.use_case("invoice-extraction")
    assert any(invoice.name in shown(header.value) for header in at.subheader)


def test_a_slider_step_after_someone_else_saved_is_refused_and_the_page_shows_their_value(store, sample_id):
    at = open_page(PAGE, use_case=CHATBOT)
    seen_use_case, seen_version = store.get_use_case(sample_id, CHATBOT)
    store.save_use_case(sample_id, seen_use_case.model_copy(update={"roi": seen_use_case.roi.model_copy(
        update={"adoption": 0.5})}), expected_version=seen_version, actor="Bea")
    at.select_slider(key=f"w.roi.{CHATBOT}.adoption.slider").set_value(0.3).run()
    assert not at.exception
    assert any("Bea" in warning.value for warning in at.warning), [item.value for item in at.warning]
    stored = store.load(sample_id).workspace.use_case(CHATBOT).roi
    assert stored.adoption == pytest.approx(0.5)
    assert _metrics(at)["ROI per month"] == formatting.roi(compute_roi(stored).roi, "en")
    assert [entry.actor for entry in store.audit(sample_id, CHATBOT, limit=5)
            if entry.field_path == "roi.adoption"][:1] == ["Bea"]


def test_a_slider_step_is_saved_when_the_user_leaves_the_page_in_the_same_click(store, sample_id):
    at = open_page(PAGE, use_case=CHATBOT)
    at.select_slider(key=f"w.roi.{CHATBOT}.adoption.slider").set_value(0.3)
    at.switch_page("pages/1_Use_cases.py")
    at.run()
    assert_clean(at)
    assert store.load(sample_id).workspace.use_case(CHATBOT).roi.adoption == pytest.approx(0.3)


def test_every_roi_step_is_one_audited_save(store, sample_id):
    at = open_page(PAGE, use_case=CHATBOT)
    for adoption in (0.3, 0.35, 0.4):
        at.select_slider(key=f"w.roi.{CHATBOT}.adoption.slider").set_value(adoption).run()
        assert_clean(at)
    entries = [entry for entry in store.audit(sample_id, CHATBOT, limit=20) if entry.field_path == "roi.adoption"]
    assert [json.loads(entry.new_value) if isinstance(entry.new_value, str) else entry.new_value
            for entry in entries[:3]] == pytest.approx([0.4, 0.35, 0.3])


def _business_case_link(at) -> str:
    return next(link.proto.label for link in at.get("page_link") if link.proto.page == "Business_case")


def test_the_business_case_link_shows_npv_and_payback_and_follows_the_slider(store, sample_id):
    from core.business_case import use_case_business_case

    at = open_page(PAGE, use_case=CHATBOT)
    # S19 worked example: NPV 1,355,448.04 €, payback month 6.
    assert _business_case_link(at) == "Business case: NPV €1,355,448 · payback month 6 →"
    at.select_slider(key=f"w.roi.{CHATBOT}.adoption.slider").set_value(0.2).run()
    assert_clean(at)
    result = use_case_business_case(store.get_use_case(sample_id, CHATBOT)[0], 0.08)
    assert result.payback_month is None
    npv = formatting.eur(result.npv_eur, "en")
    assert _business_case_link(at) == f"Business case: NPV {npv} · payback not reached →"
    german = open_page(PAGE, language="de", use_case=CHATBOT)
    assert _business_case_link(german).startswith("Business Case: Kapitalwert ")
    assert _business_case_link(german).endswith("\xa0€ · Amortisation nicht erreicht →")


def test_the_cost_block_table_labels_its_one_time_column(store):
    at = _open_section(open_page(PAGE, language="de", use_case=CHATBOT), "cost_blocks")
    columns = json.loads(at.dataframe[0].proto.columns)
    assert columns["one_time_eur"]["label"] == "Einmalig €"
    assert at.dataframe[0].value["one_time_eur"].tolist()[:2] == ["25.000\xa0€", "60.000\xa0€"]
    assert any("einmalig (die Investition C0)" in caption.value for caption in at.caption)


@pytest.mark.parametrize(("language", "any_value", "unreachable"), [
    ("en", "ROI ≥ 0 at any value", "not reachable"), ("de", "ROI ≥ 0 bei jedem Wert", "nicht erreichbar"),
])
def test_the_break_even_table_says_roi_stays_positive_instead_of_not_reachable(store, language, any_value,
                                                                               unreachable):
    # S15 base: ROI at error-rate reduction 0 is (63,240 − 18,000) / 18,000 > 0, and at error cost 0 alike.
    at = open_page(PAGE, language=language, use_case=CHATBOT)
    assert_clean(at)
    table = next(shown(item.value) for item in at.markdown if "|" in item.value and any_value in shown(item.value))
    rows = [line for line in table.splitlines() if any_value in line]
    assert len(rows) == 2 and unreachable not in table


def test_a_german_cost_block_amount_is_read_the_german_way(store, sample_id):
    """Issue 13: cost blocks take "1.234,5" and show "1.234,5 €" in German; a figure the locale cannot read is kept
    as a draft row with the reason naming the row and the column."""
    at = _open_section(open_page(PAGE, language="de", use_case=CHATBOT), "cost_blocks")
    version = store.load(sample_id).versions[CHATBOT]
    at.session_state[f"w.uc.{CHATBOT}.cost_blocks.v{version}"] = {
        "edited_rows": {0: {"cost_eur_per_month": "1.234,5"}}, "added_rows": [], "deleted_rows": [],
    }
    at.run()
    assert_clean(at)
    blocks = store.load(sample_id).workspace.use_case(CHATBOT).cost_blocks
    assert blocks[0].cost_eur_per_month == pytest.approx(1234.5)
    assert at.dataframe[0].value["cost_eur_per_month"].tolist()[0] == "1.234,5\xa0€"
