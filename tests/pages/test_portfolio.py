"""Portfolio page (S20): the plan sentence and figures equal the core's, the budget slider, must/never and the other
planning fields save at once, infeasible input is a sentence naming the use cases, German formats, saved plans."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest
from conftest import assert_clean, open_page, shown

from core.portfolio import Budgets, compare_rules, efficient_frontier, plan_portfolio, rule_frontier
from core.portfolio_workspace import (
    default_budgets,
    fund_on_objective,
    plan_totals,
    portfolio_cash_flows,
    portfolio_items,
    robust_npv,
)
from core.store import LoadedWorkspace
from ui import formatting
from ui.views.portfolio import budget_options, snap, table_key

PAGE = "pages/3_Portfolio.py"
CHATBOT = "support-chatbot"
QUALITY = "quality-inspection"
CHATBOT_NAME = "Support-Chatbot für Kundenanfragen (RAG)"
QUALITY_NAME = "Visuelle Qualitätsprüfung an der Montagelinie"


def figures(loaded: LoadedWorkspace, investment: float):
    items = portfolio_items(loaded.workspace)
    budgets = Budgets(investment_eur=investment)
    plan = plan_portfolio(items, budgets)
    by_score, _ = compare_rules(items, budgets, plan)
    return items, plan, plan_totals(items, by_score.chosen_ids).npv_eur


def default_investment(loaded: LoadedWorkspace) -> float:
    items = portfolio_items(loaded.workspace)
    return snap(default_budgets(items).investment_eur, budget_options(items)["investment"])


def metric(at, label: str) -> str:
    return next(item.value for item in at.metric if item.label == label)


def edit_table(at, loaded: LoadedWorkspace, edits: dict[str, dict]) -> None:
    """Seed the planning table's edits (rows are the use cases, best score first) and rerun."""
    order = [item.id for item in portfolio_items(loaded.workspace)]
    at.session_state[table_key(loaded)] = {
        "edited_rows": {order.index(use_case_id): values for use_case_id, values in edits.items()},
        "added_rows": [], "deleted_rows": [],
    }
    at.run()


def test_sentence_and_metrics_are_the_core_figures_at_the_default_budget(store, sample_id):
    loaded = store.load(sample_id)
    investment = default_investment(loaded)
    assert investment == 590_000.0  # 60 % of the 980 k€ the sample may fund (S11 excludes the HR assistant), snapped
    _, plan, by_score_npv = figures(loaded, investment)
    at = open_page(PAGE)
    assert_clean(at)
    assert at.info[0].value == (f"At {formatting.eur_compact(investment, 'en')} the optimal plan yields "
                                f"{formatting.eur_compact(plan.npv_eur, 'en')} NPV; funding by score yields "
                                f"{formatting.eur_compact(by_score_npv, 'en')}.")
    assert metric(at, "NPV of the plan") == formatting.eur(plan.npv_eur, "en")
    assert metric(at, "Investment used") == formatting.eur(plan.investment_eur, "en")
    assert metric(at, "Capacity") == f"{plan.capacity_person_months:.0f} PM"
    assert len(at.get("vega_lite_chart")) == 2  # frontier and cash flow
    text = " ".join(item.value for item in at.markdown)
    assert "Binding: the investment budget" in text
    assert "High risk, DPIA triggers not assessed" in text  # why the HR assistant is out
    assert "Adds no NPV" in text


def test_moving_the_budget_slider_changes_the_sentence(store, sample_id):
    loaded = store.load(sample_id)
    at = open_page(PAGE)
    at.select_slider(key="w.portfolio.investment").set_value(600_000.0).run()
    assert_clean(at)
    _, plan, by_score_npv = figures(loaded, 600_000.0)
    # 600 k€: the optimum funds five use cases for 485 k€; the score ranking adds quality inspection (−316 k€).
    assert at.info[0].value == "At €600k the optimal plan yields €2.7m NPV; funding by score yields €2.3m."
    assert formatting.eur_compact(plan.npv_eur, "en") == "€2.7m" and formatting.eur_compact(by_score_npv, "en") \
        == "€2.3m"
    assert metric(at, "Investment used") == "€485,000"
    frontier = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    assert [layer["mark"]["type"] for layer in frontier["layer"]] == ["line", "rule", "point"]


def test_must_and_never_toggles_save_at_once_and_the_plan_follows(store, sample_id):
    loaded = store.load(sample_id)
    at = open_page(PAGE)
    edit_table(at, loaded, {QUALITY: {"funding": "must"}, CHATBOT: {"funding": "never"}})
    assert_clean(at)
    saved = store.load(sample_id)
    assert saved.workspace.use_case(QUALITY).funding == "must"
    assert saved.workspace.use_case(CHATBOT).funding == "never"
    entries = store.audit(sample_id, QUALITY, limit=1)
    assert entries[0].field_path == "funding" and json.loads(entries[0].new_value) == "must"
    items = portfolio_items(saved.workspace)
    plan = plan_portfolio(items, Budgets(investment_eur=default_investment(saved)))
    assert QUALITY in plan.chosen_ids and CHATBOT not in plan.chosen_ids
    assert metric(at, "NPV of the plan") == formatting.eur(plan.npv_eur, "en")
    assert "Marked never" in " ".join(item.value for item in at.markdown)
    edit_table(at, saved, {QUALITY: {"funding": "plan"}})
    assert store.load(sample_id).workspace.use_case(QUALITY).funding is None


def test_capacity_and_needs_save_and_a_bad_need_is_refused_by_name(store, sample_id):
    loaded = store.load(sample_id)
    at = open_page(PAGE)
    edit_table(at, loaded, {QUALITY: {"capacity": "4.5", "needs": ["demand-forecasting"]}})
    assert_clean(at)
    case = store.load(sample_id).workspace.use_case(QUALITY)
    assert case.capacity_person_months == 4.5 and case.needs == ("demand-forecasting",)
    edit_table(at, store.load(sample_id), {QUALITY: {"needs": [QUALITY]}})
    assert any("cannot need itself" in error.value for error in at.error)
    assert store.load(sample_id).workspace.use_case(QUALITY).needs == ("demand-forecasting",)


def test_infeasible_musts_show_a_sentence_naming_the_use_cases_and_the_limit(store, sample_id):
    at = open_page(PAGE)
    edit_table(at, store.load(sample_id), {CHATBOT: {"funding": "must"}, QUALITY: {"funding": "must"}})
    at.select_slider(key="w.portfolio.investment").set_value(200_000.0).run()
    assert not at.exception
    message = at.error[0].value
    assert message == (f"No plan is possible: the must use cases with what they need ({CHATBOT_NAME}, "
                       f"{QUALITY_NAME}) take €345,000 of the investment budget; the limit is €200,000.")
    assert "status" not in message.lower()
    assert len(at.dataframe) == 1  # the planning table stays, so the musts can be undone
    german = open_page(PAGE, language="de")
    german.select_slider(key="w.portfolio.investment").set_value(200_000.0).run()
    assert german.error[0].value.startswith("Kein Plan möglich: Die Muss-Use-Cases")
    assert "345.000\xa0€" in german.error[0].value and "200.000\xa0€" in german.error[0].value


def test_a_dependency_cycle_and_a_must_without_dpia_are_named(store, sample_id):
    at = open_page(PAGE)
    # Sample: contract-clause-search needs support-chatbot; the reverse closes a cycle.
    edit_table(at, store.load(sample_id), {CHATBOT: {"needs": ["contract-clause-search"]}})
    assert at.error[0].value == (f"No plan is possible: the dependencies form a cycle ({CHATBOT_NAME} needs "
                                 f"Vertragsklauseln finden und vergleichen (RAG) needs {CHATBOT_NAME}). Remove one "
                                 "of them in the table below.")
    edit_table(at, store.load(sample_id), {CHATBOT: {"needs": []}, "hr-policy-assistant": {"funding": "must"}})
    assert "HR-Richtlinien-Assistent" in at.error[0].value and "DPIA triggers are not assessed" in at.error[0].value


def test_german_formats(store, sample_id):
    loaded = store.load(sample_id)
    _, plan, by_score_npv = figures(loaded, 590_000.0)
    at = open_page(PAGE, language="de")
    assert_clean(at)
    npv, by_score = formatting.eur_compact(plan.npv_eur, "de"), formatting.eur_compact(by_score_npv, "de")
    assert at.info[0].value == (f"Mit 590\xa0Tsd.\xa0€ bringt der optimale Plan {npv} Kapitalwert; die Finanzierung "
                                f"nach Score bringt {by_score}.")
    assert npv.endswith("\xa0Mio.\xa0€") and "," in npv
    assert metric(at, "Kapitalwert des Plans") == formatting.eur(plan.npv_eur, "de")
    assert metric(at, "Kapitalwert des Plans").endswith("\xa0€") and "." in metric(at, "Kapitalwert des Plans")
    assert at.select_slider(key="w.portfolio.investment").format_func(590_000.0) == "590.000\xa0€"


def test_fund_on_p10_plans_on_the_pessimistic_npv(store, sample_id):
    loaded = store.load(sample_id)
    items = portfolio_items(loaded.workspace)
    budgets = Budgets(investment_eur=default_investment(loaded))
    vector = fund_on_objective(items, "p10", robust_npv(loaded.workspace))
    cautious = plan_portfolio(items, budgets, vector)
    base = plan_portfolio(items, budgets)
    # 590 k€ on P10: invoices, tickets, e-mail and the chatbot (365 k€); on S19 demand forecasting comes too (485 k€).
    assert cautious.chosen_ids != base.chosen_ids
    at = open_page(PAGE)
    assert metric(at, "Investment used") == formatting.eur(base.investment_eur, "en") == "€485,000"
    at.button_group(key="w.portfolio.fund_on").set_value("p10").run()
    assert_clean(at)
    assert at.info[0].value.endswith(f" Planned on P10: {formatting.eur_compact(cautious.npv_eur, 'en')}.")
    # The metrics are the cautious set's S19 figures, the table ticks exactly that set.
    assert metric(at, "NPV of the plan") == formatting.eur(plan_totals(items, cautious.chosen_ids).npv_eur, "en")
    assert metric(at, "Investment used") == formatting.eur(cautious.investment_eur, "en") == "€365,000"
    table = at.dataframe[0].value
    assert tuple(table.loc[table["funded"], "id"]) == cautious.chosen_ids
    rules = next(item.value for item in at.markdown if "| By S3 score |" in item.value)
    assert "| P10 NPV |" in rules and f"| Optimal plan (S20) | {formatting.eur(cautious.npv_eur, 'en')} |" in rules


def chart(at, index: int) -> tuple[dict, dict]:
    """The spec and the named datasets (as DataFrames) of the page's ``index``-th Vega-Lite chart."""
    element = at.get("vega_lite_chart")[index]
    datasets = {item.name: pa.ipc.open_stream(item.data.data).read_pandas() for item in element.proto.datasets}
    return json.loads(element.proto.spec), datasets


def test_frontier_chart_is_the_core_frontier_beside_the_score_line_with_the_marker_at_the_budget(store, sample_id):
    loaded = store.load(sample_id)
    items = portfolio_items(loaded.workspace)
    options = budget_options(items)["investment"]
    at = open_page(PAGE)
    for investment in (600_000.0, options[-1]):
        at.select_slider(key="w.portfolio.investment").set_value(investment).run()
        assert_clean(at)
        budgets = Budgets(investment_eur=investment)
        spec, data = chart(at, 0)
        assert [(layer["data"]["name"], layer["mark"]["type"]) for layer in spec["layer"]] == [
            ("curves", "line"), ("chosen", "rule"), ("chosen", "point")]
        frontier = efficient_frontier(items, budgets)
        curves = data["curves"]
        optimal, by_score = (curves[curves["series"] == name] for name in ("Optimal plan", "Funding by score"))
        assert optimal["budget"].tolist() == pytest.approx(frontier.budget_eur.tolist())
        assert optimal["npv"].tolist() == pytest.approx(frontier.npv_eur.tolist())
        assert by_score["budget"].tolist() == pytest.approx(frontier.budget_eur.tolist())
        assert by_score["npv"].tolist() == pytest.approx(
            rule_frontier(items, budgets, frontier.budget_eur, "s3_score").tolist())
        # The curve runs from 0 € (the sample has no musts) to the slider's top, every use case's C0.
        assert (frontier.budget_eur[0], frontier.budget_eur[-1]) == (0.0, pytest.approx(options[-1]))
        plan = plan_portfolio(items, budgets)
        by_score_plan, _ = compare_rules(items, budgets, plan)
        chosen = data["chosen"]
        assert chosen["budget"].tolist() == [investment, investment]
        assert chosen["npv"].tolist() == pytest.approx([plan.npv_eur, by_score_plan.npv_eur])
        assert chosen["series"].tolist() == ["Optimal plan", "Funding by score"]
        assert optimal["budget"].min() <= investment <= optimal["budget"].max()


def test_cash_flow_chart_is_the_core_cumulative_cash_flow_of_the_plan(store, sample_id):
    loaded = store.load(sample_id)
    at = open_page(PAGE)
    at.select_slider(key="w.portfolio.investment").set_value(300_000.0).run()
    _, plan, _ = figures(loaded, 300_000.0)
    flows = portfolio_cash_flows(loaded.workspace, plan.chosen_ids)
    _, data = chart(at, 1)
    rows = data["flows"]
    cumulative, discounted = (rows[rows["series"] == name] for name in ("Cumulative", "Cumulative, discounted"))
    assert cumulative["month"].tolist() == discounted["month"].tolist() == flows.month.tolist()
    assert cumulative["amount"].tolist() == pytest.approx(flows.cumulative_eur.tolist(), abs=1e-6)
    assert discounted["amount"].tolist() == pytest.approx(flows.discounted_cumulative_eur.tolist(), abs=1e-6)
    assert cumulative["amount"].iloc[0] == -plan.investment_eur  # month 0: −Σ C0 (S19)
    assert discounted["amount"].iloc[-1] == pytest.approx(plan.npv_eur, abs=0.01)  # ends at the plan's NPV
    assert data["zero"]["amount"].tolist() == [0.0]


@pytest.mark.parametrize("language", ["en", "de"])
def test_both_simple_rules_and_what_each_leaves_on_the_table(store, sample_id, language):
    # 590 k€: by S3 score adds quality inspection (−316 k€) and leaves 496 k€ on the table; NPV per € invested
    # funds the optimum's five use cases and leaves nothing.
    loaded = store.load(sample_id)
    items = portfolio_items(loaded.workspace)
    budgets = Budgets(investment_eur=590_000.0)
    plan = plan_portfolio(items, budgets)
    by_score, by_npv_per_euro = compare_rules(items, budgets, plan)
    assert by_score.npv_left_on_table_eur == pytest.approx(495_949.0, abs=1.0)
    assert by_npv_per_euro.npv_left_on_table_eur == 0.0
    at = open_page(PAGE, language=language)
    assert_clean(at)
    words = {"en": ("| Optimal plan (S20) |", "| By S3 score |", "| By NPV per euro invested |"),
             "de": ("| Optimaler Plan (S20) |", "| Nach S3-Score |", "| Nach Kapitalwert je investiertem Euro |")}
    optimal, score, ratio = words[language]
    table = next(item.value for item in at.markdown if score in item.value)
    eur, count = (lambda value: formatting.eur(value, language)), (lambda ids: formatting.number(len(ids), language))
    assert f"{optimal} {eur(plan.npv_eur)} | – | {count(plan.chosen_ids)} |" in table
    assert (f"{score} {eur(by_score.npv_eur)} | {eur(by_score.npv_left_on_table_eur)} | "
            f"{count(by_score.chosen_ids)} |") in table
    assert f"{ratio} {eur(by_npv_per_euro.npv_eur)} | {eur(0.0)} | {count(by_npv_per_euro.chosen_ids)} |" in table
    if language == "de":
        assert "495.949\xa0€" in table or "495.950\xa0€" in table


def test_a_plan_is_saved_with_a_name_audited_and_compared(store, sample_id):
    at = open_page(PAGE)
    at.text_input(key="w.portfolio.plan_name").input("Budget 2027 – base")
    next(button for button in at.button if button.label == "Save plan").click().run()
    assert_clean(at)
    stored = store.get_plan(sample_id, "Budget 2027 – base")
    assert stored.plan.budgets.investment_eur == 590_000.0 and stored.actor == "anonymous"
    assert store.audit(sample_id, limit=1)[0].action == "save_plan"
    at.select_slider(key="w.portfolio.investment").set_value(300_000.0).run()
    at.text_input(key="w.portfolio.plan_name").input("Budget 2027 – lean")
    next(button for button in at.button if button.label == "Save plan").click().run()
    assert [plan.name for plan in store.list_plans(sample_id)] == ["Budget 2027 – lean", "Budget 2027 – base"]
    comparison = next(item.value for item in at.markdown if "| Investment budget |" in item.value)
    assert "Budget 2027 – lean" in comparison and "Budget 2027 – base" in comparison
    assert "| Investment budget | €300,000 | €590,000 |" in comparison
    at.text_input(key="w.portfolio.plan_name").input("Budget 2027 – lean")
    next(button for button in at.button if button.label == "Save plan").click().run()
    assert any("already exists" in error.value for error in at.error)


@pytest.mark.parametrize("language", ["en", "de"])
def test_dpia_assessed_is_editable_on_the_data_readiness_page(store, sample_id, language):
    at = open_page("pages/8_Data_readiness.py", language=language, use_case="hr-policy-assistant")
    assert_clean(at)
    at.checkbox(key="w.ready.hr-policy-assistant.dpia.assessed").check().run()
    assert store.get_use_case(sample_id, "hr-policy-assistant")[0].dpia.assessed is True
    label = at.checkbox(key="w.ready.hr-policy-assistant.dpia.assessed").label
    assert label == {"en": "DPIA triggers assessed", "de": "DSFA-Auslöser geprüft"}[language]


def test_an_edited_pack_shows_its_plan_as_a_diff_and_saves_it(store, sample_id):
    import io

    import openpyxl

    from core.excel import build_pack

    loaded = store.load(sample_id)
    book = openpyxl.load_workbook(io.BytesIO(build_pack(loaded)))
    sheet = book["Portfolio"]
    rows = {cell.value: cell.row for cell in sheet["A"] if cell.value}
    sheet[f"F{rows[QUALITY]}"].value = 1
    sheet[f"F{rows['hr-policy-assistant']}"].value = 1
    edited = io.BytesIO()
    book.save(edited)
    at = open_page("pages/9_Export.py")
    at.file_uploader[0].set_value(("pack.xlsx", edited.getvalue(),
                                   "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")).run()
    assert_clean(at)
    diff = next(item.value for item in at.markdown if "| Funded in addition |" in item.value)
    assert f"| Funded in addition | {QUALITY_NAME}, HR-Richtlinien-Assistent für Mitarbeitende |" in diff
    assert "| No longer funded | – |" in diff
    warning = at.warning[0].value
    assert "Funded although it cannot be funded (risk class, DPIA or never): HR-Richtlinien-Assistent" in warning
    at.text_input(key="w.export.pack_plan_name").input("Budget 2027 – finance")
    next(button for button in at.button if button.label == "Save as plan").click().run()
    stored = store.get_plan(sample_id, "Budget 2027 – finance")
    assert stored.plan.source == "excel" and {QUALITY, "hr-policy-assistant"} <= set(stored.plan.chosen_ids)
    assert store.audit(sample_id, limit=1)[0].action == "save_plan"


def test_a_plan_saved_on_p10_records_what_it_maximised(store, sample_id):
    at = open_page(PAGE)
    at.button_group(key="w.portfolio.fund_on").set_value("p10").run()
    at.text_input(key="w.portfolio.plan_name").input("Budget 2027 – P10")
    next(button for button in at.button if button.label == "Save plan").click().run()
    stored = store.get_plan(sample_id, "Budget 2027 – P10").plan
    assert stored.fund_on == "p10" and stored.fund_on_npv_eur is not None
    assert stored.fund_on_npv_eur < stored.npv_eur  # the P10 total is below the S19 NPV of the same set


def test_capacity_is_typed_and_shown_in_german_and_a_wrong_entry_names_the_row_and_keeps_the_other_edits(
        store, sample_id):
    loaded = store.load(sample_id)
    at = open_page(PAGE, language="de")
    assert_clean(at)
    edit_table(at, loaded, {QUALITY: {"capacity": "2,5"}})
    assert_clean(at)
    assert store.load(sample_id).workspace.use_case(QUALITY).capacity_person_months == 2.5
    loaded = store.load(sample_id)
    edit_table(at, loaded, {QUALITY: {"capacity": "zwei"}, CHATBOT: {"funding": "must"}})
    messages = [shown(item.value) for item in at.error]
    assert any(f"**{QUALITY_NAME}**, Kapazität (PM): Nicht gespeichert: „zwei“ ist keine Zahl." in message
               for message in messages), messages
    after = store.load(sample_id).workspace
    assert after.use_case(QUALITY).capacity_person_months == 2.5 and after.use_case(CHATBOT).funding is None
