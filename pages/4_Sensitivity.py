"""Sensitivity: editable worst/base/best (S16) with the verdict, a tornado chart and a Monte Carlo histogram."""

import pandas as pd
import streamlit as st

from core.models import ROI_FRACTION_FIELDS, ROI_INPUT_FIELDS, RoiInputs, UseCase
from core.sensitivity import SCALE_CANDIDATE
from ui import analysis_services, charts_analysis, formatting, services, sidebar, state
from ui.i18n import label, t

DRAWS_WIDGET = "w.sens.draws"
TARGET_WIDGET = "w.sens.target_percent"
DRAWS_CHOICE = "sens.draws"
TARGET_CHOICE = "sens.target_roi"
PERCENT = 100.0
MONEY_FIELDS = ("cost_per_minute_eur", "error_cost_per_case_eur", "run_cost_eur_per_month")


def _remember_draws() -> None:
    state.set_ui_value(DRAWS_CHOICE, state.widget_value(DRAWS_WIDGET))


def _remember_target() -> None:
    value = state.widget_value(TARGET_WIDGET)
    if value is not None:
        state.set_ui_value(TARGET_CHOICE, value / PERCENT)


@services.safe_callback
def _reset(use_case_id: str) -> None:
    if analysis_services.reset_scenarios(use_case_id):
        state.flash("success", t("an.sens.reset_done"))


def _input_text(field: str, value: float, lang: str) -> str:
    if field in ROI_FRACTION_FIELDS:
        return formatting.percent(value, lang)
    if field in MONEY_FIELDS:
        return formatting.eur(value, lang, 2)
    return formatting.number(value, lang, 0 if field == "volume_cases_per_month" else 1)


def _verdict(table: analysis_services.ScenarioTable, lang: str) -> None:
    frame = table.frame
    if table.verdict == SCALE_CANDIDATE:
        st.success(f"### {t('an.sens.verdict_scale')}\n{t('an.sens.verdict_scale_body')}",
                   icon=":material/check_circle:")
    else:
        st.warning(f"### {t('an.sens.verdict_poc')}\n{t('an.sens.verdict_poc_body')}",
                   icon=":material/hourglass_top:")
    columns = st.columns(len(frame))
    for column, (name, row) in zip(columns, frame.iterrows(), strict=True):
        column.metric(
            t("an.sens.roi_of", scenario=label("an.sens.scenario", name)), formatting.roi(row["roi"], lang),
            delta=formatting.eur(row["net_value"], lang), delta_description=t("an.sens.net_per_month"), border=True,
        )


def _scenario_table(table: analysis_services.ScenarioTable, lang: str) -> None:
    frame = table.frame
    yes, no = t("an.common.yes"), t("an.common.no")
    survives = t("an.sens.col_survives")
    st.dataframe(
        pd.DataFrame({
            t("an.sens.col_scenario"): [label("an.sens.scenario", name) for name in frame.index],
            t("field.adoption"): [formatting.percent(v, lang) for v in frame["adoption"]],
            t("field.minutes_saved_per_case"): [formatting.number(v, lang, 1) for v in frame["minutes_saved_per_case"]],
            t("an.sens.col_value_time"): [formatting.eur(v, lang) for v in frame["value_time"]],
            t("an.sens.col_value_quality"): [formatting.eur(v, lang) for v in frame["value_quality"]],
            t("an.sens.col_net"): [formatting.eur(v, lang) for v in frame["net_value"]],
            t("an.sens.col_roi"): [formatting.roi(v, lang) for v in frame["roi"]],
            survives: [[yes if ok else no] for ok in frame["survives"]],
        }),
        column_config={survives: st.column_config.MultiselectColumn(options=[yes, no], color=["green", "red"])},
        hide_index=True,
        width="stretch",
    )


def _scenario_chart(table: analysis_services.ScenarioTable, lang: str) -> None:
    frame = table.frame
    data = pd.DataFrame({
        "label": [label("an.sens.scenario", name) for name in frame.index],
        "net_value": frame["net_value"].to_numpy(),
        "survives": frame["survives"].to_numpy(),
        "net_text": [formatting.eur(v, lang) for v in frame["net_value"]],
    })
    spec = charts_analysis.chart_spec(
        "scenarios", data, language=lang, y_title=t("an.sens.axis_net"),
        survive_labels={"yes": t("an.sens.survives"), "no": t("an.sens.does_not_survive")},
    )
    st.vega_lite_chart(spec=spec, width="stretch")


def _editor(use_case: UseCase, version: int) -> None:
    st.caption(t("an.sens.editor_help"))
    key = f"w.sens.{use_case.id}.scenarios.v{version}"
    columns = {"name": st.column_config.TextColumn(t("an.sens.col_scenario"), required=True, max_chars=200)}
    for field in ROI_INPUT_FIELDS:
        columns[field] = st.column_config.NumberColumn(
            t(f"field.{field}"), min_value=0.0, max_value=1.0 if field in ROI_FRACTION_FIELDS else None,
            step=0.01 if field in ROI_FRACTION_FIELDS else None, format="%.2f",
            help=t("an.sens.override_help", base=_input_text(field, getattr(use_case.roi, field), state.language())),
        )
    base = pd.DataFrame(analysis_services.scenario_rows(use_case), columns=list(columns))
    edited = st.data_editor(base, key=key, column_config=columns, num_rows="dynamic", hide_index=True,
                            width="stretch")
    rows = services.table_rows(edited)
    if rows != services.table_rows(base):
        errors = services.save_table(use_case.id, "scenarios", rows)
        if errors:
            st.error("\n\n".join(errors))
        else:
            st.rerun()
    st.button(t("an.sens.reset"), on_click=_reset, args=(use_case.id,), icon=":material/restart_alt:",
              help=t("an.sens.reset_help"))


def _tornado(inputs: RoiInputs, lang: str) -> None:
    frame = analysis_services.tornado(inputs)
    data = pd.DataFrame({
        "label": [t(f"field.{field}") for field in frame["field"]],
        "roi_low": frame["roi_low"].to_numpy(),
        "roi_high": frame["roi_high"].to_numpy(),
        "low_text": [_input_text(f, v, lang) for f, v in zip(frame["field"], frame["low"], strict=True)],
        "high_text": [_input_text(f, v, lang) for f, v in zip(frame["field"], frame["high"], strict=True)],
        "roi_low_text": [formatting.roi(v, lang) for v in frame["roi_low"]],
        "roi_high_text": [formatting.roi(v, lang) for v in frame["roi_high"]],
    })
    base_roi = frame.attrs["base_roi"]
    spec = charts_analysis.chart_spec(
        "tornado", data, base_roi=base_roi, language=lang, x_title=t("an.sens.axis_roi"),
        end_labels={"low": t("an.sens.input_low"), "high": t("an.sens.input_high"), "input": t("an.sens.input")},
        base_label=t("an.sens.base"),
    )
    st.vega_lite_chart(spec=spec, width="stretch")
    st.caption(t("an.sens.tornado_caption", roi=formatting.roi(base_roi, lang)))
    with st.expander(t("an.sens.ranges")):
        st.dataframe(
            pd.DataFrame({
                t("an.sens.input"): data["label"],
                t("an.sens.input_low"): data["low_text"],
                t("an.sens.input_high"): data["high_text"],
                t("an.sens.roi_at_low"): data["roi_low_text"],
                t("an.sens.roi_at_high"): data["roi_high_text"],
                t("an.sens.swing"): [formatting.percent(v, lang, 1) for v in frame["swing"]],
            }),
            hide_index=True,
            width="stretch",
        )


@st.fragment
def _monte_carlo(inputs: RoiInputs, default_target: float) -> None:
    with sidebar.guard():
        lang = state.language()
        draws_column, target_column = st.columns(2)
        draws = draws_column.select_slider(
            t("an.sens.draws"), options=analysis_services.MONTE_CARLO_DRAWS,
            format_func=lambda n: formatting.number(n, lang),
            key=services.bind(DRAWS_WIDGET, state.ui_value(DRAWS_CHOICE, analysis_services.DEFAULT_MONTE_CARLO_DRAWS)),
            on_change=_remember_draws, help=t("an.sens.draws_help", seed=analysis_services.MONTE_CARLO_SEED),
        )
        target_percent = target_column.number_input(
            t("an.sens.target"), min_value=-100.0, max_value=10_000.0, step=5.0, format="%.0f",
            key=services.bind(TARGET_WIDGET, round(state.ui_value(TARGET_CHOICE, default_target) * PERCENT, 6)),
            on_change=_remember_target, help=t("an.sens.target_help"),
        )
        target = (target_percent if target_percent is not None else default_target * PERCENT) / PERCENT
        if inputs.run_cost_eur_per_month <= 0:
            st.info(t("an.sens.no_run_cost"))
            return
        result = analysis_services.monte_carlo(inputs, draws, target)
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
        spec = charts_analysis.chart_spec(
            "monte_carlo", result.samples,
            percentiles=[(name, value, formatting.roi(value, lang))
                         for name, value in (("P5", result.p5), ("P50", result.p50), ("P95", result.p95))],
            language=lang, x_title=t("an.sens.axis_roi"), y_title=t("an.sens.axis_draws"),
            sign_labels={"negative": t("an.sens.roi_not_positive"), "positive": t("an.sens.roi_positive")},
        )
        st.vega_lite_chart(spec=spec, width="stretch")
        st.caption(t("an.sens.mc_caption", n=formatting.number(result.n, lang), seed=result.seed))


ctx = sidebar.render("an.sens.title", ":material/tune:", "an.sens.caption")
with sidebar.guard():
    use_case = sidebar.use_case_picker(ctx)
    if use_case is not None:
        lang = ctx.language
        table = analysis_services.scenarios(use_case)
        _verdict(table, lang)
        with st.container(border=True):
            st.subheader(t("an.sens.scenarios"))
            _scenario_table(table, lang)
            with st.expander(t("an.sens.edit_scenarios"), icon=":material/edit:"):
                _editor(use_case, ctx.loaded.versions.get(use_case.id, 0))
        chart, tornado = st.columns([2, 3], gap="medium")
        with chart, st.container(border=True, height="stretch"):
            st.subheader(t("an.sens.net_by_scenario"))
            _scenario_chart(table, lang)
        with tornado, st.container(border=True, height="stretch"):
            st.subheader(t("an.sens.tornado"))
            _tornado(use_case.roi, lang)
        with st.container(border=True):
            st.subheader(t("an.sens.monte_carlo"))
            _monte_carlo(use_case.roi, ctx.loaded.workspace.thresholds.scale_min_roi)
