"""Data readiness: the S6 checklist, S7 profiling of an uploaded table, the S8 heuristic, S11 DPIA and risk class."""

import pandas as pd
import streamlit as st

from core.models import DPIA_TRIGGER_FIELDS, READINESS_STATUSES, SolutionProfile, UseCase
from core.profiling import SUPPORTED_EXTENSIONS, Profile
from core.readiness import (
    DPIA_TRIGGER_LABELS,
    OBLIGATION_LABELS,
    dpia_triggers,
    ml_vs_rag,
    readiness_percentage,
)
from ui import charts_analysis, formatting, frame, sidebar, state, store_access, table_edits
from ui.i18n import label, t
from ui.views import data_readiness

UPLOAD_NONCE = "ready.upload"
SAMPLE_CHOICE = "ready.use_sample"
TIMESTAMP_CHOICE = "ready.timestamp.{source}"
TIMESTAMP_WIDGET = "w.ready.timestamp"
PREFERRED_TIMESTAMP = "updated_at"
STATUS_ICONS = {"open": ":gray[:material/check_box_outline_blank:]",
                "partial": ":orange[:material/indeterminate_check_box:]",
                "done": ":green[:material/check_box:]", "not_applicable": ":gray[:material/remove:]"}


def _use_sample() -> None:
    state.set_ui_value(SAMPLE_CHOICE, True)
    state.bump_nonce(UPLOAD_NONCE)


def _remember_timestamp(source: str) -> None:
    state.set_ui_value(TIMESTAMP_CHOICE.format(source=source), state.widget_value(TIMESTAMP_WIDGET) or "")


def _checklist(use_case: UseCase, version: int, lang: str) -> None:
    rows = data_readiness.readiness_rows(use_case)
    percentage = readiness_percentage(use_case.readiness)
    metric, progress = st.columns([1, 3], vertical_alignment="center")
    metric.metric(t("an.ready.percentage"), formatting.percent(None if percentage is None else percentage / 100, lang),
                  border=True, help=t("an.ready.percentage_help"))
    with progress:
        counts = {status: sum(1 for row in rows if row["status"] == status) for status in READINESS_STATUSES}
        st.progress(0.0 if percentage is None else percentage / 100)
        st.caption(" · ".join(f"{STATUS_ICONS[s]} {label('an.status', s)}: {counts[s]}" for s in READINESS_STATUSES))
    base = data_readiness.readiness_table(use_case, lang)
    columns = {
        "item": None,
        "label": st.column_config.TextColumn(t("an.ready.col_item"), disabled=True, width=190),
        "measurement": st.column_config.TextColumn(t("an.ready.col_measurement"), disabled=True, width=230),
        "status": st.column_config.SelectboxColumn(
            t("an.ready.col_status"), options=READINESS_STATUSES, required=True, width=140,
            format_func={s: label("an.status", s) for s in READINESS_STATUSES}.__getitem__,
        ),
        "evidence": st.column_config.TextColumn(t("an.ready.col_evidence"), max_chars=5000),
    }
    key = f"w.ready.{use_case.id}.checklist.v{version}"
    edited = st.data_editor(base, key=key, column_config=columns, num_rows="fixed", hide_index=True,
                            placeholder=formatting.MISSING, width="stretch",
                            disabled=state.read_only() or state.presentation(),
                            height=35 * (len(rows) + 1) + 3)
    if not state.editor_has_changes(key):
        return
    new_rows = [
        {"item": row["item"], "status": row["status"] or "open", "evidence": row["evidence"] or ""}
        for row in table_edits.table_rows(edited[["item", "status", "evidence"]])
    ]
    if new_rows != rows:
        errors = table_edits.save_table(use_case.id, "readiness", new_rows)
        if errors:
            st.error("\n\n".join(errors))
        else:
            st.rerun()


def _source() -> tuple[bytes, str] | None:
    uploaded = st.file_uploader(
        t("an.ready.upload"), type=[extension.lstrip(".") for extension in SUPPORTED_EXTENSIONS],
        key=f"w.ready.upload.{state.nonce(UPLOAD_NONCE)}", help=t("an.ready.upload_help"),
    )
    frame.upload_hint([extension.lstrip(".") for extension in SUPPORTED_EXTENSIONS])
    st.button(t("an.ready.use_sample"), on_click=_use_sample, icon=":material/description:",
              help=t("an.ready.use_sample_help", name=data_readiness.SAMPLE_TABLE_PATH.name))
    if uploaded is not None:
        state.set_ui_value(SAMPLE_CHOICE, False)
        return uploaded.getvalue(), uploaded.name
    if state.ui_value(SAMPLE_CHOICE, False):
        return data_readiness.sample_table()
    return None


def _wanted_timestamp(filename: str) -> str:
    """The S7 freshness column chosen for this file (remembered per file name; "updated_at" by default)."""
    remembered = state.ui_value(TIMESTAMP_CHOICE.format(source=filename))
    return PREFERRED_TIMESTAMP if remembered is None else remembered


def _timestamp_select(filename: str, columns: tuple[str, ...], chosen: str | None) -> None:
    options = ["", *columns]
    no_timestamp = t("an.ready.no_timestamp")
    st.selectbox(
        t("an.ready.timestamp"), options=options, format_func=lambda column: column or no_timestamp,
        key=store_access.bind(TIMESTAMP_WIDGET, chosen or ""),
        on_change=_remember_timestamp, args=(filename,), help=t("an.ready.timestamp_help"),
    )


def _profile(lang: str) -> None:
    source = _source()
    if source is None:
        st.info(t("an.ready.no_table"))
        return
    data, filename = source
    outcome = data_readiness.profile_upload(data, filename, _wanted_timestamp(filename) or None)
    if outcome.read_error is not None:
        st.error(t("an.ready.read_error", name=filename, detail=outcome.read_error))
        return
    _timestamp_select(filename, outcome.columns, outcome.timestamp_column)
    if outcome.profile is None:
        st.error(t("an.ready.timestamp_error", name=filename, detail=outcome.timestamp_error or ""))
        return
    st.markdown(t("an.ready.profiled", name=filename))
    _profile_metrics(outcome.profile, outcome.timestamp_column, lang)
    _top_columns(outcome.profile.top, lang)


def _profile_metrics(result: Profile, timestamp: str | None, lang: str) -> None:
    metrics = st.columns(4)
    metrics[0].metric(t("an.ready.rows"), formatting.number(result.row_count, lang), border=True)
    metrics[1].metric(t("an.ready.columns"), formatting.number(len(result.columns), lang), border=True)
    metrics[2].metric(t("an.ready.duplicates"), formatting.percent(result.duplicate_row_rate, lang, 1), border=True,
                      help=t("an.ready.duplicates_help"))
    metrics[3].metric(
        t("an.ready.freshness"),
        formatting.MISSING if result.p95_age_hours is None else f"{formatting.number(result.p95_age_hours, lang, 1)} h",
        border=True,
        help=t("an.ready.freshness_help", rows=formatting.number(result.timestamp_rows, lang))
        if result.timestamp_rows is not None else t("an.ready.freshness_none"),
    )
    if result.timestamp_rows is not None:
        st.caption(t("an.ready.timestamp_rows", column=timestamp, rows=formatting.number(result.timestamp_rows, lang),
                     unparseable=formatting.number(result.timestamp_unparseable or 0, lang)))


def _top_columns(top: pd.DataFrame, lang: str) -> None:
    """The columns with the most missing values: a table and a bar chart side by side."""
    table, chart = st.columns(2, gap="large")
    with table:
        st.markdown(f"**{t('an.ready.top_columns', count=len(top))}**")
        st.dataframe(
            pd.DataFrame({
                t("an.ready.col_column"): [str(name) for name in top.index],
                t("an.ready.col_missing"): [formatting.percent(v, lang, 1) for v in top["missing_rate"]],
                t("an.ready.col_unique"): [formatting.number(v, lang) for v in top["n_unique"]],
                t("an.ready.col_dtype"): list(top["dtype"]),
            }),
            hide_index=True, placeholder=formatting.MISSING, width="stretch",
        )
    with chart:
        data = pd.DataFrame({
            "column": [str(name) for name in top.index],
            "missing_rate": top["missing_rate"].to_numpy(),
            "missing_text": [formatting.percent(v, lang, 1) for v in top["missing_rate"]],
            "unique_text": [formatting.number(v, lang) for v in top["n_unique"]],
        })
        spec = charts_analysis.chart_spec(
            "missing_rate", data, language=lang, x_title=t("an.ready.axis_missing"),
            y_title=t("an.ready.axis_column"),
            tooltip_titles={"column": t("an.ready.col_column"), "missing": t("an.ready.col_missing"),
                            "unique": t("an.ready.col_unique")},
        )
        st.vega_lite_chart(spec=spec, width="stretch")


def _checkboxes(use_case: UseCase, group: str, fields: list[str], model) -> None:
    for field in fields:
        key = f"w.ready.{use_case.id}.{group}.{field}"
        st.checkbox(
            t(f"field.{group}.{field}"), key=store_access.bind(key, getattr(model, field)),
            on_change=store_access.on_widget_change, args=(use_case.id, f"{group}.{field}", key),
            disabled=state.read_only() or state.presentation(),
        )


def _heuristic(use_case: UseCase, lang: str) -> None:
    st.caption(t("an.ready.s8_caption"))
    _checkboxes(use_case, "solution_profile", list(SolutionProfile.model_fields), use_case.solution_profile)
    recommendation = ml_vs_rag(use_case.solution_profile)
    text = f"**{t('an.ready.recommendation')}: {label('an.approach', recommendation.approach)}**"
    reasons = recommendation.reasons_de if lang == "de" and recommendation.reasons_de else recommendation.reasons
    text += "".join(f"\n- {reason}" for reason in reasons)
    if recommendation.approach == "undecided":
        st.info(text, icon=":material/balance:")
    else:
        st.success(text, icon=":material/explore:")
    if recommendation.obligations:
        obligations = [OBLIGATION_LABELS[name][1 if lang == "de" else 0] for name in recommendation.obligations]
        st.warning(t("an.ready.obligations", items=", ".join(obligations)), icon=":material/warning:")


def _governance(use_case: UseCase, lang: str) -> None:
    key = f"w.ready.{use_case.id}.risk_class"
    sidebar.risk_class_select(use_case, key)
    st.caption(t(f"an.ready.risk_note.{use_case.eu_ai_act_risk_class}"))
    st.markdown(f"**{t('an.ready.dpia_triggers')}**")
    _checkboxes(use_case, "dpia", list(DPIA_TRIGGER_FIELDS), use_case.dpia)
    assessment = dpia_triggers(use_case.dpia)
    if assessment.required:
        triggered = [DPIA_TRIGGER_LABELS[name][1 if lang == "de" else 0] for name in assessment.triggered]
        st.warning(t("an.ready.dpia_required", triggers="; ".join(triggered)), icon=":material/assignment:")
    else:
        st.success(t("an.ready.dpia_not_required"), icon=":material/check_circle:")
    _checkboxes(use_case, "dpia", ["assessed"], use_case.dpia)
    st.caption(t("an.ready.dpia_assessed_note"))


ctx = sidebar.render("an.ready.title", ":material/dataset:", "an.ready.caption")
with sidebar.guard():
    use_case = sidebar.use_case_picker(ctx)
    if use_case is not None:
        lang = ctx.language
        with st.container(border=True):
            frame.subheader("an.ready.checklist")
            _checklist(use_case, ctx.loaded.versions.get(use_case.id, 0), lang)
        with st.container(border=True):
            frame.subheader("an.ready.profiling")
            _profile(lang)
        heuristic, governance = st.columns(2, gap="large")
        with heuristic, st.container(border=True):
            frame.subheader("an.ready.s8_title")
            _heuristic(use_case, lang)
        with governance, st.container(border=True):
            frame.subheader("an.ready.s11_title")
            _governance(use_case, lang)
