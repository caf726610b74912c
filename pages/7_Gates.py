"""Gates: PoC→Pilot (S5 + S2), quality gates (S9), canary (S10), scale-or-kill (S17), go-live compliance (S11),
the S13 roadmap with Definition of Done, recorded decisions and the editable workspace thresholds."""

from dataclasses import replace
from datetime import date

import streamlit as st

from core.gates import COMPLIANCE_ITEMS, NO_BASELINE, PHASE_GATES, sub_gate_decisions
from core.models import GATE_DECISIONS, MAX_MEASUREMENTS, MEASURED_ROI_FIELDS, PHASES, Measurement, Thresholds, UseCase
from core.verdict import BLOCKED, GATE_SEQUENCE
from ui import formatting, frame, measurements, number_field, sidebar, state, store_access
from ui.i18n import has, label, t, t_plain
from ui.number_field import NumberSpec
from ui.views import gates

GATE_ICONS = {"poc_to_pilot": ":material/science:", "quality_gates": ":material/verified:",
              "canary": ":material/call_split:", "scale_or_kill": ":material/trending_up:",
              "go_live_compliance": ":material/balance:"}
SPEC_IDS = {"poc_to_pilot": "S5 + S2", "quality_gates": "S9", "canary": "S10", "scale_or_kill": "S17",
            "go_live_compliance": "S11"}
GATE_INPUTS: dict[str, tuple[tuple[str, str], ...]] = {
    "poc_to_pilot": (
        ("baseline_cycle_time_sec", "seconds"), ("precision", "fraction"), ("p99_latency_ms", "ms"),
        ("cost_per_case_eur", "eur"), ("baseline_cost_per_case_eur", "eur"), ("risk_score", "risk"),
        ("hallucination_rate", "fraction"),
    ),
    "quality_gates": (
        ("offline_quality_score", "fraction"), ("baseline_quality_score", "fraction"),
        ("shadow_p95_latency_ms", "ms"), ("shadow_error_rate", "fraction"), ("review_coverage", "fraction"),
        ("escalation_sla_hours", "hours"), ("canary_enabled", "bool"), ("rollback_time_min", "minutes"),
    ),
    "canary": (("canary_p95_latency_ms", "ms"), ("hallucination_proxy", "fraction"), ("cost_per_request_usd", "usd")),
    "scale_or_kill": (
        ("observed_adoption", "fraction"), ("weeks_since_pilot_start", "weeks"), ("p95_latency_ms", "ms"),
        ("drift_alerts_per_week", "count"),
    ),
}
# What each kind of metric or threshold accepts and shows: fractions (precision, rates) as percent.
INPUT_SPECS = {
    "fraction": NumberSpec("percent", 0, 2, maximum=1.0), "ms": NumberSpec(), "eur": NumberSpec("eur", 2),
    "usd": NumberSpec(decimals=0, extra_decimals=4), "seconds": NumberSpec(), "hours": NumberSpec(extra_decimals=1),
    "minutes": NumberSpec(extra_decimals=1), "weeks": NumberSpec(extra_decimals=1),
    "count": NumberSpec(extra_decimals=1), "risk": NumberSpec(extra_decimals=1, maximum=10.0),
    "roi": NumberSpec("percent", 0, 2, minimum=None), "score": NumberSpec(extra_decimals=2),
    "reviews": NumberSpec(integer=True, minimum=1, maximum=12), "days": NumberSpec(integer=True, minimum=1,
                                                                                  maximum=366),
    "months": NumberSpec("months", integer=True, minimum=1, maximum=12),
}
THRESHOLD_GROUPS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("poc_to_pilot", (
        ("target_cycle_time_factor", "fraction"), ("poc_min_precision", "fraction"),
        ("poc_max_p99_latency_ms", "ms"), ("poc_max_risk_score", "risk"), ("poc_max_hallucination_rate", "fraction"),
    )),
    ("quality_gates", (
        ("offline_min_quality_uplift", "fraction"), ("shadow_max_p95_latency_ms", "ms"),
        ("shadow_max_error_rate", "fraction"), ("hitl_min_review_coverage", "fraction"),
        ("hitl_max_escalation_sla_hours", "hours"), ("rollback_max_time_min", "minutes"),
    )),
    ("canary", (
        ("canary_max_p95_latency_ms", "ms"), ("canary_max_hallucination_proxy", "fraction"),
        ("canary_max_cost_per_request_usd", "usd"), ("canary_ramp_start_share", "fraction"),
        ("canary_ramp_target_share", "fraction"), ("alert_max_latency_ttfb_p95_ms", "ms"),
        ("alert_max_hallucination_rate_weekly", "fraction"), ("alert_max_model_drift_score", "score"),
    )),
    ("scale_or_kill", (
        ("scale_min_adoption", "fraction"), ("scale_max_weeks_without_adoption", "weeks"), ("scale_min_roi", "roi"),
        ("scale_max_p95_latency_ms", "ms"), ("scale_max_drift_alerts_per_week", "count"),
    )),
    ("quick_win", (("quick_win_min_value", "fraction"), ("quick_win_min_feasibility", "fraction"))),
    ("plan_vs_actual", (
        ("behind_plan_min_share", "fraction"), ("behind_plan_reviews", "reviews"),
        ("review_every_days_pilot", "days"), ("review_every_days_production", "days"),
        ("review_every_months_portfolio", "months"),
    )),
)
PASSING = {"go", "pass", "ramp", "scale", "deploy"}
FAILING = {"stop", "fail", "rollback", "stop_or_re-scope", "no_deploy"}
RESULT_COLORS = {"pass": "green", "fail": "red", "missing": "gray"}
DECISION_STYLES = {
    "pass": ("green", ":material/check_circle:", st.success),
    "fail": ("red", ":material/cancel:", st.error),
    "iterate": ("orange", ":material/autorenew:", st.warning),
    "open": ("gray", ":material/pending:", st.info),
}
TRI_STATE: dict[str, bool | None] = {"unknown": None, "yes": True, "no": False}
TRI_STATE_OF = {value: name for name, value in TRI_STATE.items()}
GATE_WIDGET = "w.gates.gate"
GATE_CHOICE = "gates.gate"
THRESHOLDS_WIDGET = "w.gates.show_thresholds"
THRESHOLDS_CHOICE = "gates.show_thresholds"
ADD_FORM = "gates.add_measurement"
ADD_WIDGET = "w.gates.add.{field}"
ADD_FIELDS: tuple[tuple[str, str], ...] = (
    ("volume_cases_per_month", "count"), ("adoption", "fraction"), ("minutes_saved_per_case", "minutes"),
    ("error_rate_reduction", "fraction"), ("run_cost_eur_per_month", "eur"), ("p95_latency_ms", "ms"),
    ("drift_alerts_per_week", "count"), ("precision", "fraction"), ("hallucination_rate", "fraction"),
)
UPLOAD_NONCE = "gates.upload"
MAPPING_WIDGET = "w.gates.map.{nonce}.{column}"
NOT_MAPPED = ""


def _remember(name: str, widget_key: str) -> None:
    state.set_ui_value(name, state.widget_value(widget_key))


def _decision_style(decision: str) -> tuple[str, str, object]:
    """Badge colour, Material icon and message box of a gate decision."""
    if decision in PASSING:
        return DECISION_STYLES["pass"]
    if decision in FAILING:
        return DECISION_STYLES["fail"]
    return DECISION_STYLES["iterate" if decision == "iterate" else "open"]


def _decision_icon(decision: str) -> str:
    """The decision's icon in its colour, as Markdown."""
    color, icon, _ = _decision_style(decision)
    return f":{color}[{icon}]"


def _gate_name(gate: str) -> str:
    return t(f"gate.{gate}")


@store_access.safe_callback
def _record(use_case_id: str, gate: str) -> None:
    prefix = f"w.gates.decide.{gate}"
    decision = state.widget_value(f"{prefix}.decision") or "go"
    rationale = state.widget_text(f"{prefix}.rationale")
    decided_by = state.widget_text(f"{prefix}.by")
    next_gate = state.widget_value(f"{prefix}.next") or None
    next_on = state.widget_value(f"{prefix}.on")
    if decision == "override" and not rationale:
        raise ValueError(t("an.decide.override_needs_reason"))
    if not decided_by:
        raise ValueError(t("an.decide.needs_person"))
    if next_on is not None and next_gate is None:
        raise ValueError(t("an.decide.date_needs_gate"))
    gates.record_gate_decision(use_case_id, gate, decision, rationale, decided_by, next_gate, next_on)
    state.flash("success", t("an.gates.recorded", gate=_gate_name(gate), decision=label("an.decision", decision)))


def _save_threshold(field: str, value: float) -> None:
    gates.save_threshold(field, value)


@store_access.safe_callback
def _reset_thresholds() -> None:
    gates.reset_thresholds()
    state.flash("success", t("an.gates.thresholds_reset_done"))


def _missing_label(name: str) -> str:
    if name == NO_BASELINE:
        return t("an.gates.no_baseline")
    for key in (f"field.gate_metrics.{name}", f"field.compliance.{name}", f"an.check.{name}"):
        if has(key):
            return t(key)
    return name


def _tri_state(label_text: str, key: str, value: bool | None, use_case_id: str, path: str, none_key: str,
               help_text: str | None = None) -> None:
    """Yes / no / not yet known, saved as True / False / None. The unknown state is a real option (a
    None value would show the empty placeholder); labels are fixed at render time because AppTest calls
    format_func outside a script run."""
    labels = {"unknown": t(none_key), "yes": t("an.common.yes"), "no": t("an.common.no")}
    st.selectbox(
        label_text, options=list(TRI_STATE), format_func=labels.__getitem__, help=help_text,
        key=store_access.bind(key, TRI_STATE_OF[value]),
        on_change=store_access.on_widget_change, args=(use_case_id, path, key, TRI_STATE.__getitem__),
        disabled=state.read_only(),
    )


def _checks_table(table) -> None:
    result_column = t("an.gates.col_result")
    words = [t(f"an.gates.result_{outcome}") for outcome in RESULT_COLORS]
    # A read-only multiselect column draws each word as a coloured tag: green pass, red fail, grey missing.
    st.dataframe(
        table,
        column_config={result_column: st.column_config.MultiselectColumn(
            options=words, color=list(RESULT_COLORS.values()))},
        hide_index=True, placeholder=formatting.MISSING,
        width="stretch",
    )


def _decision_banner(result, view, thresholds: Thresholds, lang: str) -> None:
    standing = view.standings[result.gate]
    if standing.decision == BLOCKED:
        text = (f"**{_gate_name(result.gate)}: {label('an.decision', BLOCKED)}**\n\n"
                + t("an.verdict.blocked_by", gate=_gate_name(standing.blocked_by),
                    decision=label("an.decision", standing.own_decision)))
        _, icon, box = _decision_style(BLOCKED)
        box(text, icon=icon)
        return
    text = f"**{_gate_name(result.gate)}: {label('an.decision', standing.decision)}**"
    if result.gate == "scale_or_kill":
        if view.worst_case_survives:
            text += "\n\n" + t("an.verdict.worst_case_survives")
        else:
            text += "\n\n" + t("an.verdict.worst_case_fails" if result.decision == "scale"
                                else "an.verdict.worst_case_fails_plain")
    if result.missing and result.decision == "incomplete":
        text += "\n\n" + t("an.gates.missing", fields=", ".join(_missing_label(name) for name in result.missing))
    if result.gate == "canary" and result.decision == "ramp":
        text += "\n\n" + t("an.gates.canary_ramp", start=formatting.percent(thresholds.canary_ramp_start_share, lang),
                           target=formatting.percent(thresholds.canary_ramp_target_share, lang))
    if result.gate == "canary" and result.decision == "rollback":
        text += "\n\n" + t("an.gates.canary_rollback")
    _, icon, box = _decision_style(standing.decision)
    box(text, icon=icon)


@store_access.safe_callback
def _save_gate_value(use_case_id: str, field: str, widget_key: str, transform=None) -> None:
    value = state.widget_value(widget_key)
    measurements.save_gate_value(use_case_id, field, transform(value) if transform else value)


def _metric_input(use_case: UseCase, field: str, kind: str) -> None:
    key = f"w.gates.{use_case.id}.{field}"
    value = getattr(use_case.gate_metrics, field)
    help_text = t(f"an.help.gate_metrics.{field}")
    if kind == "bool":
        labels = {"unknown": t("an.common.not_measured"), "yes": t("an.common.yes"), "no": t("an.common.no")}
        st.selectbox(t(f"field.gate_metrics.{field}"), options=list(TRI_STATE), format_func=labels.__getitem__,
                     help=help_text, key=store_access.bind(key, TRI_STATE_OF[value]), on_change=_save_gate_value,
                     args=(use_case.id, field, key, TRI_STATE.__getitem__))
        return
    spec = replace(INPUT_SPECS[kind], optional=True)
    number_field.field(t(f"field.gate_metrics.{field}"), key, value, spec, measurements.save_gate_value,
                       (use_case.id, field), help=help_text,
                       placeholder=t("an.common.not_measured"))


def _compliance_inputs(use_case: UseCase) -> None:
    for item in COMPLIANCE_ITEMS:
        key = f"w.gates.{use_case.id}.compliance.{item}"
        _tri_state(t(f"field.compliance.{item}"), key, getattr(use_case.compliance, item), use_case.id,
                   f"compliance.{item}", "an.common.not_assessed")
    key = f"w.gates.{use_case.id}.risk_class"
    sidebar.risk_class_select(use_case, key)


def _gate_choice(use_case: UseCase, view) -> str:
    """The gate shown in detail: the user's last choice, else the gate the use case's phase heads for."""
    chosen = state.ui_value(GATE_CHOICE) or PHASE_GATES[use_case.phase].gate_key
    labels = {gate: f"{_decision_icon(view.standings[gate].decision)} {_gate_name(gate)}" for gate in GATE_SEQUENCE}
    return st.segmented_control(
        t("an.gates.choose_gate"), options=GATE_SEQUENCE, format_func=labels.__getitem__, required=True,
        key=store_access.bind(GATE_WIDGET, chosen), on_change=_remember, args=(GATE_CHOICE, GATE_WIDGET),
    ) or chosen


def _gate_tab(use_case: UseCase, gate: str, view, thresholds: Thresholds, recorded, lang: str) -> None:
    result = view.results[gate]
    if state.presentation() or state.read_only():
        # Presentation mode, or a viewer: the decision and its checks over the full width, no inputs.
        _decision_banner(result, view, thresholds, lang)
        _checks_table(view.checks[gate])
        return
    inputs, outcome = st.columns([2, 3], gap="large")
    with inputs:
        st.markdown(f"**{t('an.gates.inputs')}** · {SPEC_IDS[gate]}")
        if gate == "go_live_compliance":
            _compliance_inputs(use_case)
        else:
            left, right = st.columns(2)
            for index, (field, kind) in enumerate(GATE_INPUTS[gate]):
                with left if index % 2 == 0 else right:
                    _metric_input(use_case, field, kind)
        if gate == "scale_or_kill":
            roi = gates.modelled_roi(use_case)
            st.caption(t("an.gates.roi_from_model", roi=formatting.roi(roi, lang)))
        if gate != "go_live_compliance":
            latest = measurements.latest_day(use_case)
            st.caption(t("pva.latest_note", day=formatting.date(latest, lang)) if latest
                       else t("pva.no_measurement_note"))
    with outcome:
        _decision_banner(result, view, thresholds, lang)
        if gate == "quality_gates":
            parts = [f"{_decision_icon(decision)} {t(f'an.subgate.{name}')}: {label('an.decision', decision)}"
                     for name, decision in sub_gate_decisions(result).items()]
            st.markdown(" · ".join(parts))
        _checks_table(view.checks[gate])
        if gate != "go_live_compliance":
            _gate_sources(result, lang)
        _decision_form(use_case, gate, lang)
        last = recorded.get(gate)
        if last is None:
            st.caption(t("an.gates.never_recorded"))
        else:
            _last_decision(last, lang)


def _decision_form(use_case: UseCase, gate: str, lang: str) -> None:
    """Record a person's decision: go, stop, iterate or override (with a reason), who, and the next gate's date."""
    prefix = f"w.gates.decide.{gate}"
    decisions = {code: label("an.decision", code) for code in GATE_DECISIONS}
    next_gates = {"": t("an.decide.no_next_gate"), **{key: _gate_name(key) for key in GATE_SEQUENCE}}
    position = GATE_SEQUENCE.index(gate)
    following = GATE_SEQUENCE[position + 1] if position + 1 < len(GATE_SEQUENCE) else ""

    def draw() -> None:
        with st.form(f"gates.decide.{gate}", border=False):
            st.caption(t("an.gates.record_help"))
            first, second = st.columns(2)
            first.selectbox(t("an.decide.decision"), options=list(decisions), format_func=decisions.__getitem__,
                            key=f"{prefix}.decision", help=t("an.decide.decision_help"))
            second.text_input(t("an.decide.by"), value=state.actor_name(), key=f"{prefix}.by", max_chars=200)
            st.text_area(t("an.decide.rationale"), key=f"{prefix}.rationale", max_chars=5000,
                         placeholder=t("an.decide.rationale_placeholder"))
            first, second = st.columns(2)
            first.selectbox(t("an.decide.next_gate"), options=list(next_gates), format_func=next_gates.__getitem__,
                            index=list(next_gates).index(following), key=f"{prefix}.next")
            second.date_input(t("an.decide.next_on"), value=None, key=f"{prefix}.on",
                              format="DD.MM.YYYY" if lang == "de" else "YYYY-MM-DD")
            st.form_submit_button(t("an.gates.record"), on_click=_record, args=(use_case.id, gate), type="primary")

    frame.lazy_expander("gates.decide", t("an.gates.record"), draw, icon=":material/edit_note:")


def _last_decision(last, lang: str) -> None:
    # t() escapes what it puts in (user text once, so "*1*" shows as typed).
    text = t("an.gates.last_recorded", decision=label("an.decision", last.decision), who=last.actor,
             when=formatting.timestamp(last.at, lang))
    if last.computed and last.computed != last.decision:
        text += " · " + t("an.decide.computed_was", decision=label("an.decision", last.computed))
    if last.next_gate:
        text += " · " + t("an.decide.next_line", gate=_gate_name(last.next_gate),
                          day=formatting.date(last.next_gate_on, lang))
    st.caption(text)
    if last.rationale:
        st.caption(t("an.decide.rationale_line", rationale=last.rationale))


def _gate_sources(result, lang: str) -> None:
    """S22: which inputs of the gate are measured and when, and which are assumed or from the dates."""
    if not result.sources:
        st.caption(t("pva.nothing_measured_yet"))
        return
    lines = [measurements.source_line(source, lang) for source in result.sources]
    st.caption(f"{t('pva.gate_sources')}: " + " · ".join(formatting.escape_markdown(line) for line in lines))


def _date_input(use_case: UseCase, path: str, value: date | None, label_key: str) -> None:
    key = f"w.gates.{use_case.id}.{path}"
    st.date_input(t(label_key), value=None, key=store_access.bind(key, value), format="DD.MM.YYYY"
                  if ctx.language == "de" else "YYYY-MM-DD", on_change=store_access.on_widget_change,
                  args=(use_case.id, path, key), disabled=ctx.read_only)


def _measured_title(field: str) -> str:
    return t(f"field.{field}") if field in MEASURED_ROI_FIELDS else t(f"field.gate_metrics.{field}")


@store_access.safe_callback
def _add_measurement(use_case_id: str) -> None:
    lang = ctx.language
    measured, refusals = {}, []
    for field, kind in ADD_FIELDS:
        value, reason = number_field.parse(state.widget_text(ADD_WIDGET.format(field=field)) or "",
                                           replace(INPUT_SPECS[kind], optional=True), lang)
        if reason is not None:
            refusals.append(f"{_measured_title(field)}: {reason}")
        elif value is not None:
            measured[field] = value
    if refusals:
        raise ValueError("\n\n".join(refusals))
    if not measured:
        raise ValueError(t("pva.nothing_measured"))
    day = state.widget_value(ADD_WIDGET.format(field="measured_on")) or measurements.today()
    roi_values = {field: value for field, value in measured.items() if field in MEASURED_ROI_FIELDS}
    gate_values = {field: value for field, value in measured.items() if field not in MEASURED_ROI_FIELDS}
    measurement = Measurement(
        measured_on=day, measured_by=(state.widget_text(ADD_WIDGET.format(field="measured_by")) or "").strip(),
        source=(state.widget_text(ADD_WIDGET.format(field="source")) or "").strip(), gate_metrics=gate_values,
        **roi_values)
    if measurements.save_measurements(use_case_id, [measurement]):
        state.flash("success", t("pva.added", day=formatting.date(day, ctx.language)))


def _add_form(use_case: UseCase, lang: str) -> None:
    # Cleared after submitting, so the next measurement starts dated today; a refusal quotes what was typed.
    with st.form(ADD_FORM, clear_on_submit=True):
        st.markdown(f"**{t('pva.add_title')}**")
        first, second, third = st.columns(3)
        first.date_input(t("field.measured_on"), value=measurements.today(), key=ADD_WIDGET.format(field="measured_on"),
                         format="DD.MM.YYYY" if lang == "de" else "YYYY-MM-DD")
        second.text_input(t("field.measured_by"), value=state.actor_name()[:200], max_chars=200,
                          key=ADD_WIDGET.format(field="measured_by"))
        third.text_input(t("field.source"), max_chars=200, key=ADD_WIDGET.format(field="source"))
        columns = st.columns(3)
        for index, (field, _) in enumerate(ADD_FIELDS):
            columns[index % 3].text_input(_measured_title(field), placeholder=t("an.common.not_measured"),
                                          key=ADD_WIDGET.format(field=field))
        st.form_submit_button(t("pva.add_button"), on_click=_add_measurement, args=(use_case.id,), type="primary",
                              icon=":material/add_chart:")


@store_access.safe_callback
def _import(use_case_id: str, rows: tuple[Measurement, ...]) -> None:
    if measurements.save_measurements(use_case_id, rows):
        state.flash("success", t("pva.imported", count=formatting.number(len(rows), ctx.language)))
        state.bump_nonce(UPLOAD_NONCE)


def _column_mapping(columns: list[str], nonce: int, lang: str) -> dict[str, str]:
    """One select box per table column, preset from the column's name; returns column → field ("" = none)."""
    suggested = gates.suggest_mapping(columns, gates.import_aliases(lang))
    field_of = {column: field for field, column in suggested.items() if column is not None}
    options = [NOT_MAPPED, *gates.IMPORT_FIELDS]
    names = {NOT_MAPPED: t("pva.not_mapped"), **{field: gates.store_access_label(field, lang)
                                                  for field in gates.IMPORT_FIELDS}}
    st.markdown(f"**{t('pva.mapping_title')}**")
    chosen: dict[str, str] = {}
    grid = st.columns(3)
    for index, column in enumerate(columns):
        key = MAPPING_WIDGET.format(nonce=nonce, column=index)
        # The column's name is the file's text: a widget label renders Markdown (links, images).
        chosen[column] = grid[index % 3].selectbox(formatting.escape_markdown(column), options=options,
                                                   format_func=names.__getitem__,
                                                   key=store_access.bind(key, state.widget_value(
                                                       key, field_of.get(column, NOT_MAPPED))))
    return chosen


def _import_problems(result: gates.MeasurementImport, lang: str) -> None:
    """Why the table cannot be imported: its problems, row and column named (and how many more there are)."""
    st.error(t("pva.import_invalid", count=formatting.number(len(result.problems) + result.more_problems, lang)))
    lines = [gates.problem_text(problem, lang) for problem in result.problems]
    if result.more_problems:
        lines.append(t_plain_more(result.more_problems, lang))
    st.markdown(formatting.markdown_lines(lines, bullets=True))


def _import_section(use_case: UseCase, lang: str) -> None:
    st.markdown(f"**{t('pva.import_title')}**")
    st.caption(t("pva.import_help"))
    nonce = state.nonce(UPLOAD_NONCE)
    uploaded = st.file_uploader(t("pva.upload"), type=["csv", "xlsx"], key=f"w.gates.upload.{nonce}")
    if uploaded is None:
        return
    if uploaded.size > gates.MAX_UPLOAD_BYTES:
        st.error(t("pva.too_large", limit=formatting.number(gates.MAX_UPLOAD_BYTES / 2**20, lang)))
        return
    read = gates.read_upload(uploaded.getvalue(), uploaded.name)
    if read.read_error is not None:
        st.error(formatting.escape_markdown(read.read_error))
        return
    table = read.frame
    columns = [str(column) for column in table.columns]
    mapping, twice = gates.fields_of_columns(_column_mapping(columns, nonce, lang))
    for field, named in twice.items():
        st.error(t("pva.mapped_twice", field=gates.store_access_label(field, lang), columns=" · ".join(named)))
    if twice:
        return
    result = gates.validate_import(table, mapping, lang)
    if not result.valid:
        _import_problems(result, lang)
        return
    if len(use_case.measurements) + len(result.measurements) > MAX_MEASUREMENTS:
        st.error(t("pva.problem.too_many_rows", value=len(result.measurements), limit=MAX_MEASUREMENTS))
        return
    st.button(t("pva.import_button", count=formatting.number(len(result.measurements), lang)), type="primary",
              on_click=_import, args=(use_case.id, result.measurements), icon=":material/upload_file:")


def t_plain_more(count: int, lang: str) -> str:
    return t_plain("pva.import_more", count=formatting.number(count, lang))


def _next_review(use_case: UseCase, lang: str) -> None:
    day, overdue = gates.review_due(ctx.loaded, use_case.id)
    if day is None:
        limits = ctx.loaded.workspace.thresholds
        st.caption(t("pva.no_review_yet", pilot=limits.review_every_days_pilot,
                     production=limits.review_every_days_production))
    elif overdue:
        st.badge(t_plain("pva.review_overdue_since", day=formatting.date(day, lang)), icon=":material/event_busy:",
                 color="red")
    else:
        st.caption(t("pva.next_review", day=formatting.date(day, lang)))


def _measurements_tab(use_case: UseCase, lang: str) -> None:
    st.caption(t("pva.caption"))
    with st.container(border=True):
        st.markdown(f"**{t('pva.dates_title')}**")
        left, right = st.columns(2)
        with left:
            _date_input(use_case, "pilot_started_on", use_case.pilot_started_on, "field.pilot_started_on")
        with right:
            _date_input(use_case, "business_case.start_on", use_case.business_case.start_on, "field.start_on")
    if not ctx.read_only:
        with st.container(border=True):
            _add_form(use_case, lang)
        with st.container(border=True):
            _import_section(use_case, lang)
    with st.container(border=True):
        st.markdown(f"**{t('pva.series_title', count=formatting.number(len(use_case.measurements), lang))}**")
        _next_review(use_case, lang)
        if use_case.measurements:
            st.dataframe(gates.measurement_table(use_case, lang), hide_index=True, width="stretch")
        else:
            st.caption(t("pva.none_yet"))


def _badge(decision: str) -> None:
    color, icon, _ = _decision_style(decision)
    st.badge(label("an.decision", decision), icon=icon, color=color)


def _summary(view) -> None:
    """The gates in their S13 sequence; a gate after one that has not passed shows "blocked" (docs/VERDICTS.md)."""
    columns = st.columns(len(GATE_SEQUENCE))
    for column, gate in zip(columns, GATE_SEQUENCE, strict=True):
        result, standing = view.results[gate], view.standings[gate]
        passed = sum(1 for check in result.checks if check.passed)
        with column, st.container(border=True, height="stretch"):
            st.markdown(f"**{GATE_ICONS[gate]} {_gate_name(gate)}**")
            _badge(standing.decision)
            if standing.decision == BLOCKED:
                st.caption(t("an.verdict.blocked_short", gate=_gate_name(standing.blocked_by)))
            else:
                st.caption(t("an.gates.summary_help", passed=passed, total=len(result.checks), spec=SPEC_IDS[gate]))


def _localised(gate, field: str, lang: str) -> str:
    return getattr(gate, f"{field}_{'de' if lang == 'de' else 'en'}")


def _roadmap(use_case: UseCase, lang: str) -> None:
    current = PHASE_GATES[use_case.phase]
    st.caption(t("an.roadmap.caption"))
    per_row = 3
    columns = [column for _ in range(0, len(PHASES), per_row) for column in st.columns(per_row)]
    for column, phase in zip(columns, PHASES, strict=True):
        gate = PHASE_GATES[phase]
        if gate is current:
            badge = f":blue-badge[:material/my_location: {t('an.roadmap.current_badge')}]"
        elif gate.number < current.number:
            badge = f":green-badge[:material/check: {t('an.roadmap.done_badge')}]"
        else:
            badge = f":gray-badge[:material/schedule: {t('an.roadmap.next_badge')}]"
        weeks = gate.duration_weeks
        if weeks is not None:
            badge += f" :gray[{t('an.roadmap.weeks', low=weeks[0], high=weeks[1])}]"
        # One Markdown block per card: each element costs a rerun as much as its text.
        with column, st.container(border=True, height="stretch"):
            st.markdown(f"**{gate.number} · {_localised(gate, 'title', lang)}**\n\n{badge}\n\n"
                        f"**{t('an.roadmap.col_gate')}:** {_localised(gate, 'gate', lang)}  \n"
                        f"**{t('an.roadmap.col_milestone')}:** {_localised(gate, 'milestone', lang)}")
            st.caption(f"{t('an.roadmap.col_dod')}: {_localised(gate, 'definition_of_done', lang)}  \n"
                       f"{t('an.roadmap.checked_by', gate=_gate_name(gate.gate_key))}")


def _thresholds_editor(thresholds: Thresholds) -> None:
    st.caption(t("an.gates.thresholds_caption"))
    columns = st.columns(len(THRESHOLD_GROUPS))
    for column, (group, fields) in zip(columns, THRESHOLD_GROUPS, strict=True):
        with column:
            st.markdown(f"**{t(f'an.threshold_group.{group}')}**")
            for field, kind in fields:
                key = f"w.gates.threshold.{field}"
                number_field.field(t(f"an.threshold.{field}"), key, getattr(thresholds, field), INPUT_SPECS[kind],
                                   _save_threshold, (field,))
    st.button(t("an.gates.thresholds_reset"), on_click=_reset_thresholds, icon=":material/restart_alt:",
              help=t("an.gates.thresholds_reset_help"))


def _gates_tab(use_case: UseCase, view, thresholds: Thresholds, recorded, lang: str) -> None:
    with st.container(border=True):
        gate = _gate_choice(use_case, view)
        _gate_tab(use_case, gate, view, thresholds, recorded, lang)
    with st.container(border=True):
        frame.subheader("an.roadmap.title")
        _roadmap(use_case, lang)
    if not ctx.presentation and not ctx.read_only:
        with st.container(border=True):
            show = st.toggle(t("an.gates.thresholds_title"), key=store_access.bind(
                THRESHOLDS_WIDGET, bool(state.ui_value(THRESHOLDS_CHOICE, False))),
                on_change=_remember, args=(THRESHOLDS_CHOICE, THRESHOLDS_WIDGET),
                help=t("an.gates.thresholds_help"))
            if show:
                _thresholds_editor(thresholds)


ctx = sidebar.render("an.gates.title", ":material/traffic:", "an.gates.caption")
with sidebar.guard():
    use_case = sidebar.use_case_picker(ctx)
    if use_case is not None:
        lang = ctx.language
        thresholds = ctx.loaded.workspace.thresholds
        view = gates.gates_view(use_case, thresholds, lang)
        st.info(f"**{t('an.verdict.status')}:** {view.sentence}", icon=":material/flag:")
        _summary(view)
        st.caption(t("an.gates.next_gate", phase=label("phase", use_case.phase),
                     gate=_gate_name(PHASE_GATES[use_case.phase].gate_key)))
        frame.lazy_tabs("gates", {"gates": t("pva.tab_gates"), "measurements": t("pva.tab_measurements")}, {
            "gates": lambda: _gates_tab(use_case, view, thresholds, gates.recorded_gate_decisions(use_case), lang),
            "measurements": lambda: _measurements_tab(use_case, lang)})
