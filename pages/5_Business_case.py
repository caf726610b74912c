"""Business case (S19): NPV, IRR, payback and investment, the J-curve, the monthly table, the S19 inputs, the
workspace's default discount rate and the cost blocks' one-time amounts.

The inputs, figures and chart are one fragment, so a slider step reruns only them (as on the ROI page); the
monthly table and the cost blocks are expanders drawn only while open.
"""

from dataclasses import dataclass

import streamlit as st

from core.models import MAX_HORIZON_MONTHS, MAX_RAMP_MONTHS, RAMP_SHAPES, UseCase
from ui import cost_blocks, formatting, frame, measurements, number_field, sidebar, state, store_access
from ui.i18n import label, t
from ui.number_field import NumberSpec
from ui.views import business_case

ICON = ":material/trending_up:"
NUMBER_WIDTH = 110
MAX_ESCALATION = 0.3
MAX_RATE_SLIDER = 0.3


@dataclass(frozen=True)
class RangeInput:
    """A slider with a number field beside it: slider bounds and step, and what the field accepts."""

    maximum: float | int
    step: float | int
    number: NumberSpec


INPUTS = {
    "horizon_months": RangeInput(MAX_HORIZON_MONTHS, 1, NumberSpec(minimum=1, maximum=MAX_HORIZON_MONTHS,
                                                                   integer=True)),
    "ramp_months": RangeInput(MAX_RAMP_MONTHS, 1, NumberSpec(maximum=MAX_RAMP_MONTHS, integer=True)),
    "run_cost_escalation_per_year": RangeInput(MAX_ESCALATION, 0.005, NumberSpec("percent", 1, 1, maximum=1.0)),
    "discount_rate_per_year": RangeInput(MAX_RATE_SLIDER, 0.005, NumberSpec("percent", 1, 1, maximum=1.0)),
}
DEFAULT_RATE_SPEC = NumberSpec("percent", 1, 1, maximum=1.0)


def _key(use_case: UseCase, name: str) -> str:
    return f"w.bc.{use_case.id}.{name}"


def _range_input(use_case: UseCase, field: str, value: float | int) -> None:
    """One flex row: the slider and its number field, both queueing ``business_case.<field>``."""
    spec = INPUTS[field]
    path = f"business_case.{field}"
    slider_key, number_key = _key(use_case, f"{field}.slider"), _key(use_case, f"{field}.number")
    row = st.container(horizontal=True, vertical_alignment="bottom", gap="small")
    number_field.slider(
        t(f"field.{field}"), slider_key, value, spec.number, spec.maximum, spec.step,
        on_change=store_access.queue_edit, args=(use_case.id, path, slider_key), container=row,
        help=t(f"help.{field}"),
    )
    number_field.field(
        t(f"field.{field}"), number_key, value, spec.number, store_access.queue_value, (use_case.id, path),
        container=row, message_container=st, label_visibility="collapsed", width=NUMBER_WIDTH,
    )


@store_access.safe_callback
def _toggle_own_rate(use_case_id: str, widget_key: str, default_rate: float) -> None:
    own = bool(state.widget_value(widget_key))
    state.queue_edit(use_case_id, "business_case.discount_rate_per_year", default_rate if own else None)


def _save_default_rate(rate: float) -> None:
    if business_case.save_default_rate(float(rate)):
        state.flash("success", t("bc.default_rate_saved", rate=formatting.percent(rate, state.language(), 1)))


def _inputs(use_case: UseCase, default_rate: float, lang: str) -> None:
    frame.subheader("bc.inputs")
    plan = use_case.business_case
    _range_input(use_case, "horizon_months", plan.horizon_months)
    _range_input(use_case, "ramp_months", plan.ramp_months)
    shape_key = _key(use_case, "ramp_shape")
    st.segmented_control(
        t("field.ramp_shape"), options=RAMP_SHAPES, format_func=lambda shape: label("ramp_shape", shape, lang),
        key=store_access.bind(shape_key, plan.ramp_shape), required=True,
        on_change=store_access.queue_edit, args=(use_case.id, "business_case.ramp_shape", shape_key),
        disabled=state.read_only(),
    )
    _range_input(use_case, "run_cost_escalation_per_year", plan.run_cost_escalation_per_year)
    own_key = _key(use_case, "own_rate")
    own = st.toggle(t("bc.own_rate"), key=store_access.bind(own_key, plan.discount_rate_per_year is not None),
                    help=t("bc.own_rate_help"), on_change=_toggle_own_rate, args=(use_case.id, own_key, default_rate),
                    disabled=state.read_only())
    if own and plan.discount_rate_per_year is not None:
        _range_input(use_case, "discount_rate_per_year", plan.discount_rate_per_year)
    else:
        st.caption(t("bc.default_rate_in_use", rate=formatting.percent(default_rate, lang, 1)))
    default_key = f"w.bc.default_rate.{state.workspace_id()}"
    number_field.field(
        t("field.default_discount_rate_per_year"), default_key, default_rate, DEFAULT_RATE_SPEC, _save_default_rate,
        help=t("help.default_discount_rate_per_year"),
    )


def _metrics(view: business_case.BusinessCaseView) -> None:
    # Sized to their figures, not four equal columns: a seven-digit NPV does not fit a quarter of the page.
    row = st.container(horizontal=True, gap="small")
    for metric in view.metrics:
        row.metric(metric.label, metric.value, border=True, help=metric.help, width="content")


@st.fragment
def _live() -> None:
    with sidebar.guard(defer_queued_edits=True):
        frame.show_messages()
        selected = store_access.selected_use_case_row(remember_version=not store_access.has_queued_edits())
        if selected is None:
            st.info(t("use_cases.none"))
            return
        use_case = store_access.with_queued_edits(selected[0])
        lang = state.language()
        default_rate = business_case.default_rate()
        # S22: the figures use each ROI input's chosen source (assumption or latest measurement).
        view = business_case.view(measurements.with_sources(use_case), default_rate, lang)
        _metrics(view)
        caption = measurements.sources_caption(use_case, lang)
        st.caption(formatting.escape_markdown(caption))
        # Saved after the figures, as on the ROI page: the save's disk sync overlaps with sending them.
        if not store_access.save_queued_edits():
            st.rerun()
        if state.presentation():
            # Presentation mode: the J-curve over the full width, no inputs.
            chart_column = st.container()
        else:
            inputs_column, chart_column = st.columns([2, 3], gap="medium")
            with inputs_column, st.container(border=True):
                _inputs(use_case, default_rate, lang)
        with chart_column, st.container(border=True):
            frame.subheader("bc.chart")
            st.vega_lite_chart(spec=view.chart_spec, width="stretch")
            st.caption(view.chart_caption)
        frame.lazy_expander("bc.table", t("bc.table"), lambda: st.dataframe(
            business_case.monthly_table(measurements.with_sources(use_case), default_rate, lang), hide_index=True,
            placeholder=formatting.MISSING, width="stretch"), icon=":material/table_rows:")


def _plan_vs_actual(use_case: UseCase, thresholds, lang: str) -> None:
    """S22: the plan of the assumptions against the measured months, with the variance shaded."""
    with st.container(border=True):
        frame.subheader("pva.chart_title")
        view = business_case.plan_vs_actual(use_case, thresholds, lang)
        if view.note is not None:
            st.info(t(view.note), icon=":material/info:")
            return
        first, second, third = st.columns(3)
        first.metric(t("pva.variance_metric"), view.variance, delta=view.variance_pct, delta_color="normal",
                     border=True)
        second.metric(t("pva.share_metric"), view.share, border=True)
        with third:
            if view.behind_plan:
                st.badge(t("pva.behind_plan"), icon=":material/trending_down:", color="orange")
            else:
                st.badge(t("pva.on_plan"), icon=":material/check:", color="green")
        st.vega_lite_chart(spec=view.chart, width="stretch")
        st.caption(t("pva.chart_caption"))
        frame.lazy_expander("bc.plan_vs_actual", t("pva.table_title"),
                            lambda: st.dataframe(view.table, hide_index=True, width="stretch"),
                            icon=":material/table_rows:")


def _page() -> None:
    # A function, not module code: the fragment keeps this module's globals alive between its reruns.
    ctx = sidebar.render("bc.title", ICON, "bc.caption")
    with sidebar.guard():
        selected = sidebar.use_case_picker(ctx)
        if selected is not None:
            frame.subheader("bc.results", name=selected.name)
            _live()
            if not ctx.presentation:
                frame.lazy_expander("bc.cost_blocks", t("bc.cost_blocks"),
                                    lambda: cost_blocks.editor(ctx, selected), icon=":material/receipt_long:")
                measurements.roi_sources_panel(selected, ctx.language)
            _plan_vs_actual(selected, ctx.loaded.workspace.thresholds, ctx.language)
            st.page_link("pages/4_ROI.py", label=t("bc.to_roi"), icon=":material/euro:")


_page()
