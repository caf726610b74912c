"""ROI: the seven S15 inputs, live results, waterfall, break-even readouts, S12 inference helper and cost blocks.

The inference helper and the cost blocks are expanders that draw their content only while open: the browser
redraws every element on the page several times per slider step, so out of sight they would still cost the
slider time.
"""

from dataclasses import dataclass

import streamlit as st

from core.models import ROI_INPUT_FIELDS, InferenceCostInputs, UseCase
from ui import charts, cost_blocks, formatting, frame, measurements, number_field, sidebar, state, store_access
from ui.i18n import t
from ui.number_field import NumberSpec
from ui.views import roi


@dataclass(frozen=True)
class InputSpec:
    slider_max: float
    step: float
    number: NumberSpec
    kind: str


INPUTS = {
    "volume_cases_per_month": InputSpec(200_000.0, 500.0, NumberSpec("count"), "count"),
    "adoption": InputSpec(1.0, 0.01, NumberSpec("percent", 0, 2, maximum=1.0), "fraction"),
    "minutes_saved_per_case": InputSpec(10.0, 0.1, NumberSpec("minutes", 1), "minutes"),
    "cost_per_minute_eur": InputSpec(5.0, 0.05, NumberSpec("eur", 2), "money_small"),
    "error_cost_per_case_eur": InputSpec(20.0, 0.1, NumberSpec("eur", 2), "money_small"),
    "error_rate_reduction": InputSpec(1.0, 0.01, NumberSpec("percent", 0, 2, maximum=1.0), "fraction"),
    "run_cost_eur_per_month": InputSpec(100_000.0, 500.0, NumberSpec("eur"), "money"),
}
INFERENCE_DEFAULTS = InferenceCostInputs(tokens_per_request=1200, requests_per_month=200_000,
                                         price_per_1k_tokens_eur=0.002)
INFERENCE_FIELDS = tuple(InferenceCostInputs.model_fields)
INFERENCE_SPECS = {"tokens_per_request": NumberSpec("count"), "requests_per_month": NumberSpec("count"),
                   "price_per_1k_tokens_eur": NumberSpec("eur", 4)}
NUMBER_WIDTH = 130


def _show(field: str, value: float | None, lang: str) -> str:
    kind = INPUTS[field].kind
    if kind == "fraction":
        return formatting.percent(value, lang, decimals=1)
    if kind == "money_small":
        return formatting.eur(value, lang, decimals=2)
    if kind == "money":
        return formatting.eur(value, lang)
    if kind == "minutes":
        return formatting.number(value, lang, decimals=2)
    return formatting.number(value, lang)


def _inference_key(use_case: UseCase, field: str) -> str:
    return f"w.roi.{use_case.id}.inference.{field}"


@store_access.safe_callback
def _save_inference(use_case_id: str, also_run_cost: bool, field: str | None = None,
                    value: float | None = None) -> None:
    """Save one inference input (``field``, ``value``), or with ``also_run_cost`` put the cost into the ROI."""
    current = store_access.fresh_use_case(use_case_id).inference or INFERENCE_DEFAULTS
    values = current.model_dump() | ({field: value} if field is not None else {})
    changes: dict = {"inference": values}
    if also_run_cost:
        cost, _ = roi.inference_cost(InferenceCostInputs(**values))
        changes["roi.run_cost_eur_per_month"] = cost
    if store_access.set_fields(use_case_id, changes) and also_run_cost:
        state.flash("success", t("roi.run_cost_set", amount=formatting.eur(cost, state.language(), decimals=2)))


def _inputs(use_case: UseCase, lang: str) -> None:
    frame.subheader("roi.inputs")
    for field in ROI_INPUT_FIELDS:
        spec = INPUTS[field]
        value = getattr(use_case.roi, field)
        slider_key = f"w.roi.{use_case.id}.{field}.slider"
        number_key = f"w.roi.{use_case.id}.{field}.number"
        # One flex row per input, not st.columns: 3 elements per step instead of 5, on every slider step.
        row = st.container(horizontal=True, vertical_alignment="bottom", gap="small")
        number_field.slider(
            t(f"field.{field}"), slider_key, value, spec.number, spec.slider_max, spec.step,
            on_change=store_access.queue_edit, args=(use_case.id, f"roi.{field}", slider_key), container=row,
            help=t(f"help.{field}"),
        )
        number_field.field(
            t(f"field.{field}"), number_key, value, spec.number, store_access.queue_value,
            (use_case.id, f"roi.{field}"), container=row, message_container=st, label_visibility="collapsed",
            width=NUMBER_WIDTH,
        )


def _metrics(use_case: UseCase, lang: str) -> None:
    result = roi.compute_roi(use_case.roi)
    metrics = st.columns(4)
    metrics[0].metric(t("roi.value_time"), formatting.eur(result.value_time, lang), border=True,
                      help=t("roi.value_time_help"))
    metrics[1].metric(t("roi.value_quality"), formatting.eur(result.value_quality, lang), border=True,
                      help=t("roi.value_quality_help"))
    metrics[2].metric(t("roi.net_value"), formatting.eur(result.net_value, lang), border=True,
                      help=t("roi.net_value_help"))
    metrics[3].metric(t("roi.roi"), formatting.roi(result.roi, lang), border=True, help=t("roi.roi_help"))
    if result.roi is None:
        st.info(t("roi.undefined"))


def _waterfall(use_case: UseCase, lang: str) -> None:
    result = roi.roi_readout(use_case.roi).result
    frame.subheader("roi.waterfall")
    run_cost = use_case.roi.run_cost_eur_per_month
    steps = [
        (t("roi.step_time"), result.value_time, "increase"),
        (t("roi.step_quality"), result.value_quality, "increase"),
        (t("roi.step_gross"), result.total_value, "total"),
        (t("roi.step_run_cost"), run_cost, "decrease"),
        (t("roi.step_net"), result.net_value, "total"),
    ]
    chart = charts.waterfall(
        steps, language=lang, y_title=t("chart.eur_per_month"),
        value_labels=[formatting.eur(-amount if kind == "decrease" else amount, lang) for _, amount, kind in steps],
        kind_labels={"increase": t("chart.increase"), "decrease": t("chart.decrease"), "total": t("chart.total")},
    )
    st.vega_lite_chart(spec=chart, width="stretch")


def _break_even(use_case: UseCase, lang: str) -> None:
    readout = roi.roi_readout(use_case.roi)
    frame.subheader("roi.break_even")
    adoption = readout.break_even["adoption"]
    st.metric(
        t("roi.adoption_needed"),
        formatting.percent(adoption, lang, decimals=1) if adoption is not None
        else roi.break_even_text(readout, "adoption", lang),
        border=True,
        help=t("roi.break_even_help"),
    )
    rows = zip(
        (t(f"field.{field}") for field in ROI_INPUT_FIELDS),
        (_show(field, getattr(use_case.roi, field), lang) for field in ROI_INPUT_FIELDS),
        (_show(field, value, lang) if value is not None else roi.break_even_text(readout, field, lang)
         for field, value in readout.break_even.items()),
        (t("roi.at_most") if field == "run_cost_eur_per_month" else t("roi.at_least") for field in ROI_INPUT_FIELDS),
        strict=True,
    )
    st.markdown(formatting.markdown_table(
        (t("col.input"), t("col.current"), t("col.break_even"), t("col.direction")), rows, right_aligned=(1, 2),
    ))


def _inference(use_case: UseCase, lang: str) -> None:
    st.caption(t("roi.inference_caption"))
    current = use_case.inference or INFERENCE_DEFAULTS
    inputs_row = st.container(horizontal=True, gap="small")
    for field in INFERENCE_FIELDS:
        number_field.field(
            t(f"field.{field}"), _inference_key(use_case, field), getattr(current, field), INFERENCE_SPECS[field],
            _save_inference, (use_case.id, False, field), container=inputs_row, message_container=st,
            help=t(f"help.{field}"),
        )
    cost, tokens = roi.inference_cost(current)
    results_row = st.container(horizontal=True, gap="small")
    results_row.metric(t("roi.tokens_per_month"), formatting.compact(tokens, lang), border=True,
                       help=formatting.number(tokens, lang))
    results_row.metric(t("roi.inference_cost"), formatting.eur(cost, lang, decimals=2), border=True)
    st.button(
        t("roi.use_as_run_cost", amount=formatting.eur(cost, lang, decimals=2)), on_click=_save_inference,
        args=(use_case.id, True), icon=":material/arrow_upward:", help=t("roi.use_as_run_cost_help"),
        disabled=state.read_only(),
    )


@st.fragment
def _live(default_discount_rate: float) -> None:
    with sidebar.guard(defer_queued_edits=True):
        frame.show_messages()
        # One row, not the workspace: a slider step must not load every use case.
        selected = store_access.selected_use_case_row(remember_version=not store_access.has_queued_edits())
        if selected is None:
            st.info(t("use_cases.none"))
            return
        use_case = store_access.with_queued_edits(selected[0])
        lang = state.language()
        # S22: the figures use each observable input's chosen source; the sliders edit the assumptions.
        figures = measurements.with_sources(use_case)
        _metrics(figures, lang)
        # One element for the S19 figures: every element here is redrawn on every slider step.
        st.page_link("pages/5_Business_case.py", icon=":material/trending_up:",
                     label=roi.business_case_brief(use_case, default_discount_rate, lang))
        # Saved after the figures, not in the slider's callback: the save's disk sync (≈3 ms) then overlaps with
        # sending them, instead of delaying them. A refused save (conflict) reruns the page from the store with its
        # message; a rerun of only the fragment could leave the figures of the refused step on screen.
        if not store_access.save_queued_edits():
            st.rerun()
        if state.presentation():
            # Presentation mode: the waterfall and the break-even table over the full width, no inputs.
            results_column = st.container()
        else:
            inputs_column, results_column = st.columns([2, 3], gap="medium")
            with inputs_column, st.container(border=True):
                _inputs(use_case, lang)
        with results_column, st.container(border=True):
            _waterfall(figures, lang)
            _break_even(figures, lang)
            st.caption(formatting.escape_markdown(measurements.sources_caption(use_case, lang)))


def _page() -> None:
    # A function, not module code: the fragment keeps this module's globals alive between its reruns,
    # and they must not hold the loaded workspace (500 use cases the garbage collector walks every step).
    ctx = sidebar.render("roi.title", ":material/euro:", "roi.caption")
    with sidebar.guard():
        selected = sidebar.use_case_picker(ctx)
        if selected is not None:
            # Outside the fragment: the name only changes on a full run, and each element the fragment
            # redraws is one more message on every slider step.
            frame.subheader("roi.results", name=selected.name)
            _live(ctx.loaded.workspace.default_discount_rate_per_year)
            # The inference helper's edits change the run cost, so they rerun the page, not the slider fragment.
            if not ctx.presentation:
                frame.lazy_expander("roi.inference", t("roi.inference"),
                                    lambda: _inference(selected, ctx.language), icon=":material/memory:")
                frame.lazy_expander("roi.cost_blocks", t("roi.cost_blocks"),
                                    lambda: cost_blocks.editor(ctx, selected), icon=":material/receipt_long:")
                measurements.roi_sources_panel(selected, ctx.language)


_page()
