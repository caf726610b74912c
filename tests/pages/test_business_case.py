"""Business case page (S19): headline figures equal the core's, German formats, "not reached", inputs that save and
name the field on a bad value, the workspace default rate, the J-curve, the monthly table and the cost blocks."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest
from conftest import assert_clean, open_page, shown

from core.business_case import use_case_business_case
from core.store import Store
from ui import formatting, state

PAGE = "pages/5_Business_case.py"
CHATBOT = "support-chatbot"
HR = "hr-policy-assistant"
HORIZON_SLIDER = f"w.bc.{CHATBOT}.horizon_months.slider"
RAMP_SLIDER = f"w.bc.{CHATBOT}.ramp_months.slider"


def _metrics(at) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def _stored(store: Store, sample_id: str, use_case_id: str = CHATBOT):
    return store.get_use_case(sample_id, use_case_id)[0]


def _expected(store: Store, sample_id: str, use_case_id: str = CHATBOT):
    return use_case_business_case(_stored(store, sample_id, use_case_id),
                                  store.workspace_settings(sample_id).default_discount_rate_per_year)


def _open(at, section: str):
    """What a click on the section's expander leaves behind (AppTest cannot click one): its remembered state."""
    at.session_state[state.UI_PREFIX + f"open.bc.{section}"] = True
    return at.run()


def test_headline_figures_equal_the_core_and_the_s19_worked_example(store, sample_id):
    at = open_page(PAGE, use_case=CHATBOT)
    assert_clean(at)
    result = _expected(store, sample_id)
    # S19 worked example: NPV 1,355,448.04 €, IRR 22.124 % per month, payback month 6, C0 120,000 €.
    assert result.npv_eur == pytest.approx(1_355_448.04, abs=0.005) and result.payback_month == 6
    shown = _metrics(at)
    assert shown["NPV"] == formatting.eur(result.npv_eur, "en") == "€1,355,448"
    assert shown["IRR per year"] == formatting.percent(result.irr_annual, "en", 1) == "1,000.6%"
    assert shown["Payback"] == "Month 6"
    assert shown["Investment"] == "€120,000"
    irr_help = next(metric.help for metric in at.metric if metric.label == "IRR per year")
    assert formatting.percent(result.irr_monthly, "en", 1) in irr_help == ("Monthly IRR 22.1%: the monthly rate at "
                                                                           "which the NPV is 0; per year "
                                                                           "(1 + monthly)^12 − 1.")


def test_german_figures_use_german_formats(store, sample_id):
    at = open_page(PAGE, language="de", use_case=CHATBOT)
    assert_clean(at)
    shown = _metrics(at)
    assert shown["Kapitalwert (NPV)"] == "1.355.448\xa0€"
    assert shown["Interner Zinsfuß pro Jahr"] == "1.000,6\xa0%"
    assert shown["Amortisation"] == "Monat 6"
    assert shown["Investition"] == "120.000\xa0€"
    assert any("diskontierte Amortisation Monat 6" in caption.value for caption in at.caption)


@pytest.mark.parametrize(("language", "text"), [("en", "not reached"), ("de", "nicht erreicht")])
def test_undefined_irr_and_a_payback_beyond_the_horizon_read_not_reached(store, sample_id, language, text):
    result = _expected(store, sample_id, HR)
    assert result.irr_monthly is None and result.payback_month is None and result.npv_eur < 0
    at = open_page(PAGE, language=language, use_case=HR)
    assert_clean(at)
    values = [metric.value for metric in at.metric]
    assert values.count(text) == 2, values
    assert not any(word in value for value in values for word in ("nan", "None", "NaN"))
    assert formatting.eur(result.npv_eur, language) in values


def test_the_horizon_slider_saves_and_the_figures_follow(store, sample_id):
    at = open_page(PAGE, use_case=CHATBOT)
    at.select_slider(key=HORIZON_SLIDER).set_value(48).run()
    assert_clean(at)
    assert _stored(store, sample_id).business_case.horizon_months == 48
    result = _expected(store, sample_id)
    assert result.horizon_months == 48
    assert _metrics(at)["NPV"] == formatting.eur(result.npv_eur, "en")
    assert at.text_input(key=f"w.bc.{CHATBOT}.horizon_months.number").value == "48"
    entries = [entry for entry in store.audit(sample_id, CHATBOT, limit=5)
               if entry.field_path == "business_case.horizon_months"]
    assert [(entry.old_value, entry.new_value) for entry in entries[:1]] == [("36", "48")]


def test_a_ramp_longer_than_the_horizon_names_the_field_and_saves_nothing(store, sample_id):
    at = open_page(PAGE, use_case=CHATBOT)
    at.select_slider(key=RAMP_SLIDER).set_value(40).run()
    assert not at.exception
    errors = [shown(error.value) for error in at.error]
    assert any(error.startswith("Adoption ramp (months): the ramp (40 months) must not be longer than the horizon")
               for error in errors), errors
    assert _stored(store, sample_id).business_case.ramp_months == 6


def test_the_shape_and_an_own_discount_rate_change_the_npv(store, sample_id):
    at = open_page(PAGE, use_case=CHATBOT)
    at.segmented_control(key=f"w.bc.{CHATBOT}.ramp_shape").set_value("s_curve").run()
    at.toggle(key=f"w.bc.{CHATBOT}.own_rate").set_value(True).run()
    assert_clean(at)
    assert _stored(store, sample_id).business_case.discount_rate_per_year == 0.08
    at.select_slider(key=f"w.bc.{CHATBOT}.discount_rate_per_year.slider").set_value(0.15).run()
    assert_clean(at)
    plan = _stored(store, sample_id).business_case
    assert (plan.ramp_shape, plan.discount_rate_per_year) == ("s_curve", 0.15)
    assert _metrics(at)["NPV"] == formatting.eur(_expected(store, sample_id).npv_eur, "en")
    at.toggle(key=f"w.bc.{CHATBOT}.own_rate").set_value(False).run()
    assert _stored(store, sample_id).business_case.discount_rate_per_year is None


def test_the_workspace_default_rate_is_saved_audited_and_used(store, sample_id):
    at = open_page(PAGE, use_case=CHATBOT)
    at.text_input(key=f"w.bc.default_rate.{sample_id}").input("12").run()
    assert_clean(at)
    assert store.workspace_settings(sample_id).default_discount_rate_per_year == 0.12
    assert [message.value for message in at.success] == ["Workspace default discount rate set to 12.0% per year."]
    assert _metrics(at)["NPV"] == formatting.eur(_expected(store, sample_id).npv_eur, "en")
    assert _expected(store, sample_id).discount_rate_per_year == 0.12
    entry = next(entry for entry in store.audit(sample_id) if entry.field_path == "default_discount_rate_per_year")
    assert (entry.action, entry.old_value, entry.new_value) == ("save_settings", "0.08", "0.12")


def test_the_j_curve_marks_the_payback_month_beside_the_discounted_curve(store, sample_id):
    at = open_page(PAGE, use_case=CHATBOT)
    chart = at.get("vega_lite_chart")[0]
    datasets = {item.name: pa.ipc.open_stream(item.data.data).read_pandas() for item in chart.proto.datasets}
    result = _expected(store, sample_id)
    months = datasets["months"]
    assert set(months["series"]) == {"Cumulative cash flow", "Cumulative, discounted"}
    cumulative = months[months["series"] == "Cumulative cash flow"]
    assert cumulative["amount"].tolist() == pytest.approx(result.months.cumulative_eur.tolist())
    assert cumulative["month"].tolist() == list(range(37))
    assert datasets["payback"].to_dict("list") == {"month": [6], "text": ["Payback: month 6"]}
    spec = json.loads(chart.proto.spec)
    assert "Cumulative €" in json.dumps(spec, ensure_ascii=False)


def test_the_monthly_table_opens_with_one_row_per_month(store, sample_id):
    at = open_page(PAGE, language="de", use_case=CHATBOT)
    assert not at.dataframe
    _open(at, "table")
    assert_clean(at)
    table = at.dataframe[0].value
    assert list(table.columns) == ["Monat", "Nutzen", "Modellbetrieb", "Netto-Cashflow", "Kumuliert", "Diskontiert"]
    assert len(table) == 37
    # S19: month 1 value 11,563 €, net −6,437 €; month 0 carries −C0.
    assert table.iloc[1].tolist()[:4] == ["1", "11.563\xa0€", "18.000\xa0€", "-6.437\xa0€"]
    assert table.iloc[0]["Netto-Cashflow"] == "-120.000\xa0€"


def test_a_one_time_amount_edited_in_the_cost_blocks_moves_investment_and_payback(store, sample_id):
    at = _open(open_page(PAGE, use_case=CHATBOT), "cost_blocks")
    assert_clean(at)
    editor = at.dataframe[0]
    columns = json.loads(editor.proto.columns)
    assert columns["one_time_eur"]["label"] == "One-time €" and columns["cost_eur_per_month"]["label"] == "€/month"
    assert editor.value["one_time_eur"].tolist()[:2] == ["€25,000", "€60,000"]
    version = store.load(sample_id).versions[CHATBOT]
    at.session_state[f"w.uc.{CHATBOT}.cost_blocks.v{version}"] = {
        "edited_rows": {1: {"one_time_eur": 400_000.0}}, "added_rows": [], "deleted_rows": [],
    }
    at.run()
    assert_clean(at)
    stored = _stored(store, sample_id)
    assert stored.investment_eur == 25_000 + 400_000 + 15_000 + 20_000
    result = _expected(store, sample_id)
    assert result.payback_month > 6
    shown = _metrics(at)
    assert shown["Investment"] == "€460,000" and shown["Payback"] == f"Month {result.payback_month}"


def test_the_page_links_to_the_roi_page_and_back(store):
    at = open_page(PAGE, use_case=CHATBOT)
    links = {link.proto.label: link.proto.page for link in at.get("page_link")}
    assert links["Monthly ROI (S15) and the cost blocks on the ROI page"] == "ROI"
    roi = open_page("pages/4_ROI.py", use_case=CHATBOT)
    links = {link.proto.label: link.proto.page for link in roi.get("page_link")}
    assert links["Business case: NPV €1,355,448 · payback month 6 →"] == "Business_case"
