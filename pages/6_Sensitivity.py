"""Sensitivity: editable worst/base/best (S16) with the verdict, and a tornado chart and a Monte Carlo histogram of
the chosen target: the monthly ROI (S15), or the business case's NPV or payback month (S19)."""

import pandas as pd
import streamlit as st

from core.business_case import BusinessCaseTerms
from core.models import ROI_FRACTION_FIELDS, ROI_INPUT_FIELDS, UseCase
from core.sensitivity import SCALE_CANDIDATE, BusinessCaseMonteCarloResult
from ui import formatting, frame, measurements, number_field, sidebar, state, status, store_access, table_edits
from ui.i18n import label, t
from ui.number_field import NumberSpec
from ui.views import sensitivity

DRAWS_WIDGET = "w.sens.draws"
TARGET_WIDGET = "w.sens.target_percent"
DRAWS_CHOICE = "sens.draws"
SOURCE_WIDGET = "w.sens.mc_source"
SOURCE_CHOICE = "sens.mc_source"
TARGET_CHOICE = "sens.target_roi"
FIGURE_WIDGET = "w.sens.figure"
FIGURE_CHOICE = "sens.figure"
TARGET_SPEC = NumberSpec("percent", minimum=-1.0, maximum=100.0)
# Scenario overrides in the ROI inputs' units, typed and shown in the locale (fractions as percent).
SCENARIO_NUMBERS = {field: NumberSpec("percent", 0, 2, maximum=1.0) if field in ROI_FRACTION_FIELDS
                    else NumberSpec("eur", 2) if field.endswith("_eur") or field.endswith("_eur_per_month")
                    else NumberSpec(extra_decimals=2) for field in ROI_INPUT_FIELDS}


def _remember_figure() -> None:
    state.set_ui_value(FIGURE_CHOICE, state.widget_value(FIGURE_WIDGET))


def _target() -> str:
    """The chosen target of the tornado and the Monte Carlo: "roi", "npv" or "payback"."""
    chosen = state.ui_value(FIGURE_CHOICE, sensitivity.DEFAULT_TARGET)
    return chosen if chosen in sensitivity.TARGETS else sensitivity.DEFAULT_TARGET


def _remember_draws() -> None:
    state.set_ui_value(DRAWS_CHOICE, state.widget_value(DRAWS_WIDGET))


def _remember_source() -> None:
    state.set_ui_value(SOURCE_CHOICE, state.widget_value(SOURCE_WIDGET))


def _ranges_source(use_case: UseCase, workspace_id: str, lang: str) -> str | None:
    """The Monte Carlo's ranges: the scenarios' (None) or a revealed workshop round's three-point answers (S21)."""
    sources = sensitivity.monte_carlo_sources(workspace_id, use_case.id, lang)
    if len(sources) == 1:
        st.caption(sensitivity.monte_carlo_caption(None, use_case.id, sources))
        return None
    chosen = state.ui_value(SOURCE_CHOICE, sensitivity.SCENARIO_RANGES)
    source = st.selectbox(t("ws.mc_source_label"), options=list(sources), format_func=sources.__getitem__,
                          key=store_access.bind(SOURCE_WIDGET, chosen if chosen in sources
                                                else sensitivity.SCENARIO_RANGES), on_change=_remember_source)
    st.caption(sensitivity.monte_carlo_caption(source, use_case.id, sources))
    return None if source == sensitivity.SCENARIO_RANGES else source


def _remember_target(value: float) -> None:
    state.set_ui_value(TARGET_CHOICE, value)


@store_access.safe_callback
def _reset(use_case_id: str) -> None:
    if sensitivity.reset_scenarios(use_case_id):
        state.flash("success", t("an.sens.reset_done"))


def _verdict(view: sensitivity.SensitivityView, lang: str) -> None:
    if view.table.verdict == SCALE_CANDIDATE:
        st.success(f"### {t('an.sens.verdict_scale')}\n{t('an.sens.verdict_scale_body')}",
                   icon=":material/check_circle:")
    else:
        st.warning(f"### {t('an.sens.verdict_poc')}\n{t('an.sens.verdict_poc_body')}",
                   icon=":material/hourglass_top:")
    frame = view.table.frame
    for column, (name, row) in zip(st.columns(len(frame)), frame.iterrows(), strict=True):
        column.metric(
            t("an.sens.roi_of", scenario=sensitivity.scenario_label(name, lang)), formatting.roi(row["roi"], lang),
            delta=formatting.eur(row["net_value"], lang), delta_description=t("an.sens.net_per_month"), border=True,
        )


def _scenario_table(view: sensitivity.SensitivityView) -> None:
    survives = t("an.sens.col_survives")
    st.dataframe(
        view.scenario_rows,
        column_config={survives: st.column_config.MultiselectColumn(
            options=[t("an.common.yes"), t("an.common.no")], color=["green", "red"])},
        hide_index=True, placeholder=formatting.MISSING,
        width="stretch",
    )


def _editor(use_case: UseCase, version: int, lang: str) -> None:
    st.caption(t("an.sens.editor_help"))
    key = f"w.sens.{use_case.id}.scenarios.v{version}"
    columns = {"name": st.column_config.TextColumn(t("an.sens.col_scenario"), required=True, max_chars=200)}
    for field in ROI_INPUT_FIELDS:
        columns[field] = st.column_config.TextColumn(
            t(f"field.{field}"), max_chars=40,
            help=t("an.sens.override_help",
                   base=sensitivity.roi_input_text(field, getattr(use_case.roi, field), lang)),
        )
    base = pd.DataFrame(table_edits.shown_rows(sensitivity.scenario_rows(use_case), SCENARIO_NUMBERS, lang),
                        columns=list(columns))
    edited = st.data_editor(base, key=key, column_config=columns, num_rows="dynamic", hide_index=True,
                            placeholder=formatting.MISSING, width="stretch", disabled=state.read_only())
    if state.editor_has_changes(key):
        rows = table_edits.table_rows(edited)
        if rows != table_edits.table_rows(base):
            complete, unreadable = table_edits.sort_shown_rows("scenarios", rows, SCENARIO_NUMBERS, lang)
            errors = ([message for number, row in enumerate(rows, start=1) if row in unreadable
                       for message in table_edits.draft_problems("scenarios", [row], SCENARIO_NUMBERS, lang, number)]
                      if unreadable else table_edits.save_table(use_case.id, "scenarios", complete))
            if errors:
                st.error("\n\n".join(errors))
            else:
                st.rerun()
    st.button(t("an.sens.reset"), on_click=_reset, args=(use_case.id,), icon=":material/restart_alt:",
              help=t("an.sens.reset_help"), disabled=state.read_only())


def _target_choice(lang: str) -> str:
    target = st.segmented_control(
        t("an.sens.target_choice"), options=sensitivity.TARGETS,
        format_func=lambda name: label("an.sens.target", name, lang),
        key=store_access.bind(FIGURE_WIDGET, _target()), on_change=_remember_figure, required=True,
        help=t("an.sens.target_choice_help"),
    )
    return target if target in sensitivity.TARGETS else _target()


def _tornado(tornado: sensitivity.TornadoView, terms: BusinessCaseTerms, lang: str) -> None:
    st.vega_lite_chart(spec=tornado.spec, width="stretch")
    if tornado.target == "roi":
        st.caption(t("an.sens.tornado_caption", roi=formatting.roi(tornado.base, lang)))
    else:
        caption = t("an.sens.tornado_caption_business_case",
                    figure=sensitivity.target_text(tornado.target, tornado.base, lang, inline=True))
        if tornado.target == "payback":
            caption += " " + t("an.sens.tornado_payback_note", horizon=formatting.number(terms.horizon_months, lang),
                               beyond=formatting.number(terms.horizon_months + 1, lang))
        st.caption(caption)
    with st.expander(t("an.sens.ranges" if tornado.target == "roi" else f"an.sens.ranges_{tornado.target}")):
        st.dataframe(tornado.rows, hide_index=True, placeholder=formatting.MISSING, width="stretch")


def _business_case_readouts(result: BusinessCaseMonteCarloResult, lang: str) -> None:
    # Two rows: five figures in euros would not fit a fifth of the page each.
    metrics = frame.metric_grid(5, 3)
    for column, name, value in zip(metrics[:3], ("P5", "P50", "P95"), (result.npv_p5, result.npv_p50, result.npv_p95),
                                   strict=True):
        column.metric(t("an.sens.npv_percentile", name=name), formatting.eur(value, lang), border=True,
                      help=t(f"an.sens.npv_{name.lower()}_help"))
    metrics[3].metric(t("an.sens.prob_npv_positive"), formatting.percent(result.prob_npv_positive, lang, 1),
                      border=True)
    metrics[4].metric(
        t("an.sens.payback_share", horizon=formatting.number(result.horizon_months, lang)),
        formatting.percent(result.payback_share, lang, 1), border=True,
        help=t("an.sens.payback_share_help",
               median=sensitivity.target_text("payback", result.payback_p50_month, lang, inline=True)),
    )


@st.fragment
def _monte_carlo(use_case: UseCase, default_target: float, target: str, terms: BusinessCaseTerms,
                 workspace_id: str) -> None:
    with sidebar.guard():
        lang = state.language()
        round_id = _ranges_source(use_case, workspace_id, lang)
        draws_column, target_column = st.columns(2)
        draws = draws_column.select_slider(
            t("an.sens.draws"), options=sensitivity.MONTE_CARLO_DRAWS,
            format_func=lambda n: formatting.number(n, lang),
            key=store_access.bind(DRAWS_WIDGET, state.ui_value(DRAWS_CHOICE, sensitivity.DEFAULT_MONTE_CARLO_DRAWS)),
            on_change=_remember_draws, help=t("an.sens.draws_help", seed=sensitivity.MONTE_CARLO_SEED),
        )
        if target != "roi":
            result, spec = sensitivity.business_case_monte_carlo_view(use_case, terms, draws, target, lang, round_id)
            _business_case_readouts(result, lang)
            st.vega_lite_chart(spec=spec, width="stretch")
            st.caption(t("an.sens.mc_caption_business_case", n=formatting.number(result.n, lang), seed=result.seed))
            return
        target_roi = state.ui_value(TARGET_CHOICE, default_target)
        number_field.field(t("an.sens.target"), TARGET_WIDGET, target_roi, TARGET_SPEC, _remember_target,
                           container=target_column, help=t("an.sens.target_help"), stored=False)
        if use_case.roi.run_cost_eur_per_month <= 0:
            st.info(t("an.sens.no_run_cost"))
            return
        result, spec = sensitivity.monte_carlo_view(use_case, draws, target_roi, lang, round_id)
        metrics = st.columns(5)
        for column, name, value in zip(metrics[:3], ("P5", "P50", "P95"), (result.p5, result.p50, result.p95),
                                       strict=True):
            column.metric(t("an.sens.percentile", name=name), formatting.roi(value, lang), border=True,
                          help=t(f"an.sens.{name.lower()}_help"))
        metrics[3].metric(t("an.sens.prob_positive"), formatting.percent(result.prob_positive, lang, 1), border=True)
        metrics[4].metric(
            t("an.sens.prob_target", target=formatting.roi(result.target_roi, lang)),
            formatting.percent(result.prob_above_target, lang, 1), border=True,
        )
        st.vega_lite_chart(spec=spec, width="stretch")
        st.caption(t("an.sens.mc_caption", n=formatting.number(result.n, lang), seed=result.seed))


ctx = sidebar.render("an.sens.title", ":material/tune:", "an.sens.caption")
with sidebar.guard():
    selected = sidebar.use_case_picker(ctx)
    if selected is not None:
        lang = ctx.language
        # S22: scenarios, tornado and Monte Carlo start from each observable input's chosen source.
        st.caption(formatting.escape_markdown(measurements.sources_caption(selected, lang)))
        measurements.roi_sources_panel(selected, lang)
        use_case = measurements.with_sources(selected)
        view = sensitivity.sensitivity_view(use_case, lang)
        st.info(f"**{t('an.verdict.status')}:** {status.sentence(use_case, ctx.loaded.workspace.thresholds, lang)}",
                icon=":material/flag:")
        _verdict(view, lang)
        with st.container(border=True):
            frame.subheader("an.sens.scenarios")
            _scenario_table(view)
            if not ctx.presentation:
                with st.expander(t("an.sens.edit_scenarios"), icon=":material/edit:"):
                    _editor(selected, ctx.loaded.versions.get(selected.id, 0), lang)
        target = _target_choice(lang)
        terms = sensitivity.business_case_terms(use_case, ctx.loaded.workspace.default_discount_rate_per_year)
        tornado_view = sensitivity.tornado_view(use_case, target, terms, lang)
        chart, tornado = st.columns([2, 3], gap="medium")
        with chart, st.container(border=True, height="stretch"):
            frame.subheader("an.sens.net_by_scenario")
            st.vega_lite_chart(spec=view.scenario_spec, width="stretch")
        with tornado, st.container(border=True, height="stretch"):
            frame.subheader("an.sens.tornado" if target == "roi" else f"an.sens.tornado_{target}")
            _tornado(tornado_view, terms, lang)
        with st.container(border=True):
            frame.subheader("an.sens.monte_carlo")
            _monte_carlo(use_case, ctx.loaded.workspace.thresholds.scale_min_roi, target, terms, ctx.loaded.id)
