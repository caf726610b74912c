"""Portfolio: the best set of use cases for a budget (S20), exact, beside the score ranking; frontier, cash flow,
the planning table with must/never per row, and saved plans side by side."""

from typing import Any

import streamlit as st

from core.models import FUND_ON, FUNDING_RULES
from core.portfolio import Budgets, PlanInfeasible
from ui import charts_portfolio, formatting, frame, sidebar, state, store_access
from ui.i18n import t, t_plain
from ui.views import portfolio

ICON = ":material/account_balance:"
INVESTMENT_WIDGET = "w.portfolio.investment"
RUN_LIMIT_WIDGET = "w.portfolio.run_limited"
RUN_BUDGET_WIDGET = "w.portfolio.run_budget"
CAPACITY_LIMIT_WIDGET = "w.portfolio.capacity_limited"
CAPACITY_WIDGET = "w.portfolio.capacity"
FUND_ON_WIDGET = "w.portfolio.fund_on"
PLAN_NAME_WIDGET = "w.portfolio.plan_name"
COMPARE_WIDGET = "w.portfolio.compare"
DELETE_WIDGET = "w.portfolio.delete"


def _remember(name: str, widget_key: str) -> None:
    state.set_ui_value(name, state.widget_value(widget_key))


def _slider(label_key: str, name: str, widget_key: str, options: list[float], default: float, shown) -> float:
    value = portfolio.snap(state.ui_value(name, default), options)
    return st.select_slider(
        t(label_key), options=options, format_func=shown, key=store_access.bind(widget_key, value),
        on_change=_remember, args=(name, widget_key), help=t(f"{label_key}_help"),
    )


def _limit(column, toggle_key: str, name: str, widget_key: str, toggle_widget: str, options: list[float],
           shown) -> float | None:
    with column:
        limited = st.toggle(t(toggle_key), key=store_access.bind(toggle_widget, bool(state.ui_value(f"{name}.on"))),
                            on_change=_remember, args=(f"{name}.on", toggle_widget))
        if not limited:
            return None
        return _slider(f"portfolio.{name}", name, widget_key, options, options[len(options) // 2], shown)


def _controls(candidates, lang: str) -> tuple[Budgets, str]:
    options = portfolio.budget_options(candidates)
    frame.subheader("portfolio.budgets")
    investment = _slider("portfolio.investment_budget", "investment", INVESTMENT_WIDGET, options["investment"],
                         portfolio.default_investment(candidates, options["investment"]),
                         lambda value: formatting.eur(value, lang))
    run, capacity, fund_on = st.columns(3, gap="medium")
    run_budget = _limit(run, "portfolio.limit_run", "run_budget", RUN_BUDGET_WIDGET, RUN_LIMIT_WIDGET,
                        options["run_cost"], lambda value: portfolio.amount("run_cost", value, lang))
    capacity_budget = _limit(capacity, "portfolio.limit_capacity", "capacity", CAPACITY_WIDGET,
                             CAPACITY_LIMIT_WIDGET, options["capacity"],
                             lambda value: portfolio.amount("capacity", value, lang))
    with fund_on:
        chosen = st.segmented_control(
            t("portfolio.fund_on_label"), options=FUND_ON, format_func=lambda code: t(f"portfolio.fund_on.{code}"),
            key=store_access.bind(FUND_ON_WIDGET, state.ui_value("fund_on", "base")), required=True,
            on_change=_remember, args=("fund_on", FUND_ON_WIDGET), help=t("portfolio.fund_on_help"),
        )
    budgets = Budgets(investment_eur=investment, run_budget_eur_per_month=run_budget,
                      capacity_person_months=capacity_budget)
    return budgets, chosen or "base"


def _metrics(view: portfolio.PlanView, budgets: Budgets, lang: str) -> None:
    plan = view.plan
    metrics = st.columns([1.25, 1.1, 1.05, 0.75])
    metrics[0].metric(t("portfolio.metric.npv"), formatting.eur(view.npv_eur, lang), border=True,
                      help=t("portfolio.metric.npv_help"))
    metrics[1].metric(t("portfolio.metric.investment"), formatting.eur(plan.investment_eur, lang), border=True,
                      help=t("portfolio.metric.of_limit", limit=formatting.eur(budgets.investment_eur, lang)))
    metrics[2].metric(t("portfolio.metric.run_cost"), formatting.eur(plan.run_cost_eur_per_month, lang),
                      border=True,
                      help=t("portfolio.metric.run_cost_help",
                             amount=portfolio.amount("run_cost", plan.run_cost_eur_per_month, lang)))
    metrics[3].metric(t("portfolio.metric.capacity"),
                      portfolio.amount("capacity", plan.capacity_person_months, lang), border=True,
                      help=t("portfolio.metric.capacity_help"))


def _headline(view: portfolio.PlanView, budgets: Budgets, fund_on: str, known: dict[str, str], lang: str) -> None:
    if view.infeasible is not None:
        st.error(portfolio.infeasible_message(view.infeasible, known, lang), icon=":material/block:")
        return
    st.info(portfolio.headline(view, budgets, fund_on, lang), icon=":material/insights:")
    _metrics(view, budgets, lang)
    st.markdown(f"{portfolio.binding_text(view.plan)}  \n{portfolio.marginal_text(view.marginal, lang)}")
    st.markdown(portfolio.rules_table(view, fund_on, lang))
    st.caption(t("portfolio.rules.caption"))


def _frontier(loaded, view: portfolio.PlanView, budgets: Budgets, fund_on: str, lang: str) -> None:
    frame.subheader("portfolio.frontier")
    curve = portfolio.frontier_view(loaded, budgets, fund_on)
    if curve.infeasible is not None:
        st.caption(t("portfolio.frontier_unavailable"))
        return
    at_budget = view.plan.npv_eur if view.plan else None
    by_score_at = view.by_score.npv_eur if view.by_score else None
    texts = {
        "budget": [formatting.eur(value, lang) for value in curve.budget_eur],
        "optimal": [formatting.eur(value, lang) for value in curve.npv_eur],
        "by_score": [formatting.eur(value, lang) for value in curve.by_score_npv_eur],
        "chosen_budget": [formatting.eur(budgets.investment_eur, lang)],
        "chosen": [formatting.eur(at_budget, lang)], "by_score_at_budget": [formatting.eur(by_score_at, lang)],
    }
    npv_title = t(f"portfolio.chart.npv_{fund_on}")
    spec = charts_portfolio.frontier_chart(
        curve.budget_eur.tolist(), curve.npv_eur.tolist(), curve.by_score_npv_eur.tolist(),
        chosen_budget_eur=budgets.investment_eur, chosen_npv_eur=at_budget, by_score_at_budget_eur=by_score_at,
        language=lang, titles={"x": t_plain("portfolio.chart.budget"), "y": npv_title},
        series=(t_plain("portfolio.chart.optimal"), t_plain("portfolio.chart.by_score")),
        texts=texts,
    )
    st.vega_lite_chart(spec=spec, width="stretch")
    st.caption(t("portfolio.frontier_caption", budget=formatting.eur(budgets.investment_eur, lang)))


def _cash_flow(view: portfolio.PlanView, lang: str) -> None:
    frame.subheader("portfolio.cash_flow")
    flows = view.cash_flows
    if flows is None or view.plan is None or not view.plan.chosen_ids:
        st.caption(t("portfolio.cash_flow_empty"))
        return
    spec = charts_portfolio.cash_flow_chart(
        flows.month.tolist(), flows.cumulative_eur.tolist(), flows.discounted_cumulative_eur.tolist(),
        language=lang, titles={"x": t_plain("portfolio.chart.month"), "y": t_plain("portfolio.chart.cumulative")},
        series=(t_plain("portfolio.chart.undiscounted"), t_plain("portfolio.chart.discounted")),
        texts={"month": [formatting.number(month, lang) for month in flows.month],
               "cumulative": [formatting.eur(value, lang) for value in flows.cumulative_eur],
               "discounted": [formatting.eur(value, lang) for value in flows.discounted_cumulative_eur]},
    )
    st.vega_lite_chart(spec=spec, width="stretch")
    st.caption(t("portfolio.cash_flow_caption", months=formatting.number(int(flows.month[-1]), lang),
                 total=formatting.eur(float(flows.cumulative_eur[-1]), lang)))


def _table_columns(known: dict[str, str]) -> dict[str, Any]:
    """The plan table's columns: the funded tick, capacity, funding rule and needs editable, the rest as text."""
    return {
        "funded": st.column_config.CheckboxColumn(t("portfolio.col.funded"), width="small"),
        "name": st.column_config.TextColumn(t("col.name"), width=210),
        "score": st.column_config.TextColumn(t("col.score"), width="small"),
        "npv": st.column_config.TextColumn(t("portfolio.col.npv")),
        "investment": st.column_config.TextColumn(t("portfolio.col.investment")),
        "run_cost": st.column_config.TextColumn(t("portfolio.col.run_cost")),
        "capacity": st.column_config.TextColumn(t("portfolio.col.capacity"), max_chars=40,
                                                help=t("portfolio.col.capacity_help")),
        "funding": st.column_config.SelectboxColumn(t("portfolio.col.funding"),
                                                    options=[portfolio.PLAN_DECIDES, *FUNDING_RULES],
                                                    format_func=lambda code: t_plain(f"portfolio.rule.{code}"),
                                                    required=True, width=130,
                                                    help=t("portfolio.col.funding_help")),
        "needs": st.column_config.MultiselectColumn(t("portfolio.col.needs"), options=list(known),
                                                    format_func=lambda use_case_id: known.get(use_case_id,
                                                                                              use_case_id),
                                                    width=180, help=t("portfolio.col.needs_help")),
    }


def _table(loaded, candidates, view: portfolio.PlanView, lang: str) -> None:
    frame.subheader("portfolio.table")
    st.caption(t("portfolio.table_caption"))
    base = portfolio.plan_table(candidates, view, lang)
    known = portfolio.names(candidates)
    edited = st.data_editor(
        base, key=portfolio.table_key(loaded), hide_index=True,
        placeholder=formatting.MISSING, width="stretch", num_rows="fixed",
        column_order=[column for column in portfolio.TABLE_COLUMNS if column != "id"],
        disabled=True if state.read_only() or state.presentation() else [
            column for column in portfolio.TABLE_COLUMNS if column not in portfolio.EDITABLE_COLUMNS],
        column_config=_table_columns(known),
    )
    _why_out(candidates, view)
    if not state.editor_has_changes(portfolio.table_key(loaded)):
        return
    changes, unreadable = portfolio.table_changes(base, edited, lang)
    if unreadable:
        # Nothing is saved until every capacity reads as a number: a save reruns with a fresh table, which would
        # drop the typed text along with the edits.
        st.error("\n\n".join(unreadable))
        return
    if not changes:
        return
    errors = portfolio.save_table_changes(changes)
    if errors:
        st.error("\n\n".join(errors))
        return
    st.rerun()


def _why_out(candidates, view: portfolio.PlanView) -> None:
    reasons = portfolio.exclusions(candidates, view)
    if reasons:
        lines = "\n".join(f"- **{formatting.escape_markdown(name)}**: {why}" for name, why in reasons)
        st.markdown(f"{t('portfolio.why_out')}\n\n{lines}")


@store_access.safe_callback
def _save_plan(budgets: Budgets, fund_on: str) -> None:
    name = state.widget_text(PLAN_NAME_WIDGET)
    if not name:
        state.flash("error", t("portfolio.plan_name_missing"))
        return
    loaded = store_access.current_workspace()
    if loaded is None:
        return
    try:
        portfolio.save_plan(loaded, name, budgets, fund_on)
    except PlanInfeasible:
        state.flash("error", t("portfolio.plan_infeasible", name=name))
        return
    state.flash("success", t("portfolio.plan_saved", name=name))


@store_access.safe_callback
def _delete_plan(workspace_id: str) -> None:
    name = state.widget_value(DELETE_WIDGET)
    if name:
        portfolio.delete_plan(workspace_id, name)
        state.flash("success", t("portfolio.plan_deleted", name=name))


def _saved_plans(loaded, candidates, budgets: Budgets, fund_on: str, lang: str) -> None:
    frame.subheader("portfolio.saved_plans")
    editing = not (state.read_only() or state.presentation())
    if editing:
        with st.form("portfolio.save_form", clear_on_submit=True, border=False):
            name, button = st.columns([3, 1], vertical_alignment="bottom")
            name.text_input(t("portfolio.plan_name"), key=PLAN_NAME_WIDGET, max_chars=200,
                            placeholder=t_plain("portfolio.plan_name_placeholder"))
            button.form_submit_button(t("portfolio.save_plan"), on_click=_save_plan, args=(budgets, fund_on),
                                      type="primary", icon=":material/bookmark_add:")
    plans = portfolio.saved_plans(loaded.id)
    if not plans:
        st.caption(t("portfolio.no_saved_plans"))
        return
    by_name = {stored.name: stored for stored in plans}
    default = state.ui_value("portfolio.compare")
    picked = [name for name in (default or list(by_name)[:2]) if name in by_name]
    chosen = st.multiselect(t("portfolio.compare_label"), options=list(by_name),
                            max_selections=portfolio.COMPARED_PLANS, key=store_access.bind(COMPARE_WIDGET, picked),
                            on_change=_remember, args=("portfolio.compare", COMPARE_WIDGET))
    if chosen:
        st.markdown(portfolio.comparison([by_name[name] for name in chosen], candidates, lang))
    if not editing:
        return
    with st.expander(t("portfolio.delete_title"), icon=":material/delete:"):
        delete, button = st.columns([3, 1], vertical_alignment="bottom")
        delete.selectbox(t("portfolio.delete_label"), options=list(by_name), key=DELETE_WIDGET)
        button.button(t("portfolio.delete_plan"), on_click=_delete_plan, args=(loaded.id,))


ctx = sidebar.render("portfolio.title", ICON, "portfolio.caption")
with sidebar.guard():
    lang = ctx.language
    candidates = portfolio.items(ctx.loaded)
    if not candidates:
        st.info(t("use_cases.none"))
    else:
        known = portfolio.names(candidates)
        with st.container(border=True):
            budgets, fund_on = _controls(candidates, lang)
        view = portfolio.plan_view(ctx.loaded, budgets, fund_on)
        _headline(view, budgets, fund_on, known, lang)
        left, right = st.columns(2, gap="medium")
        with left, st.container(border=True):
            _frontier(ctx.loaded, view, budgets, fund_on, lang)
        with right, st.container(border=True):
            _cash_flow(view, lang)
        with st.container(border=True):
            _table(ctx.loaded, candidates, view, lang)
        with st.container(border=True):
            _saved_plans(ctx.loaded, candidates, budgets, fund_on, lang)
