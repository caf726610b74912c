"""Scoring: the seven S3 inputs, the weights editor, the value × feasibility matrix, ranking and rank stability."""

from typing import Any

import pandas as pd
import streamlit as st

from core.models import FEASIBILITY_WEIGHT_FIELDS, PHASES, VALUE_WEIGHT_FIELDS, ScoringWeights
from core.scoring import QUADRANTS
from core.workshop import SCORING_QUESTIONS, THREE_POINT_QUESTIONS
from ui import charts, formatting, frame, number_field, rounds, sidebar, state, store_access, tables
from ui.i18n import label, labels, t
from ui.number_field import NumberSpec
from ui.portfolio import portfolio_frame
from ui.views import scoring

WEIGHT_WIDGET = "w.weights.{field}"
JITTER_WIDGET = "w.scoring.jitter"
SOURCE_WIDGET = "w.scoring.stability_source"
SOURCE_CHOICE = "scoring.stability_source"
WEIGHT_ERRORS = "scoring.weight_errors"
STABILITY_DRAWS = 500
LABEL_LENGTH = 28
WEIGHT_SPEC = NumberSpec(decimals=0, extra_decimals=3, maximum=1.0)
SCORE_SPEC = NumberSpec("percent", maximum=1.0)
JITTER_SPEC = NumberSpec("percent", minimum=0.05, maximum=0.5)
PRESENTATION_FONT_SCALE = 1.35


@store_access.safe_callback
def _save_weights() -> None:
    lang, values, errors = state.language(), {}, []
    for field in ScoringWeights.model_fields:
        value, message = number_field.parse(state.widget_text(WEIGHT_WIDGET.format(field=field)), WEIGHT_SPEC, lang)
        if message is not None:
            errors.append(f"{t(f'field.{field}')}: {message}")
        values[field] = value
    errors = errors or scoring.weights_errors(values)
    state.set_ui_value(WEIGHT_ERRORS, errors)
    if not errors:
        scoring.save_weights(ScoringWeights(**values))
        state.flash("success", t("weights.saved"))


@store_access.safe_callback
def _reset_weights() -> None:
    state.set_ui_value(WEIGHT_ERRORS, [])
    scoring.save_weights(ScoringWeights())
    state.flash("success", t("weights.reset_done"))


def _remember_jitter() -> None:
    state.set_ui_value("scoring.jitter", state.widget_value(JITTER_WIDGET))


def _remember_source() -> None:
    state.set_ui_value(SOURCE_CHOICE, state.widget_value(SOURCE_WIDGET))


def _short(name: str) -> str:
    return name if len(name) <= LABEL_LENGTH else name[: LABEL_LENGTH - 1] + "…"


def _metrics(use_case, weights, portfolio: pd.DataFrame, lang: str) -> None:
    result = scoring.score(use_case.scoring, weights)
    row = portfolio.loc[use_case.id]
    metrics = st.columns(4)
    metrics[0].metric(t("col.value"), formatting.score(result.value, lang), border=True)
    metrics[1].metric(t("col.feasibility"), formatting.score(result.feasibility, lang), border=True)
    metrics[2].metric(t("col.score"), formatting.score(result.score, lang), border=True,
                      help=t("scoring.score_help"))
    ranked = int(portfolio["scored"].sum())
    metrics[3].metric(
        t("col.quadrant"), label("quadrant", row["quadrant"]), border=True,
        help=t("scoring.rank_of", rank=int(row["rank"]), total=ranked) if row["scored"] else t("scoring.unscored_help"),
    )


@store_access.safe_callback
def _keep_as_scored(use_case_id: str) -> None:
    store_access.set_fields(use_case_id, {"scored": True})
    state.flash("success", t("scoring.kept_as_scored"))


def _unscored_notice(use_case) -> None:
    """S3: a new use case's neutral inputs are no score; say so and offer to keep them as one."""
    if use_case.scored:
        return
    message, button = st.columns([4, 1], vertical_alignment="center")
    message.info(t("scoring.unscored_notice"), icon=":material/pending:")
    button.button(t("scoring.keep_as_scored"), on_click=_keep_as_scored, args=(use_case.id,),
                  help=t("scoring.keep_as_scored_help"), key=f"w.score.{use_case.id}.keep_as_scored",
                  disabled=state.read_only())


def _inputs(use_case) -> None:
    frame.subheader("scoring.inputs")
    for fields, heading in (
        (VALUE_WEIGHT_FIELDS, "scoring.value_inputs"),
        (FEASIBILITY_WEIGHT_FIELDS, "scoring.feasibility_inputs"),
    ):
        st.caption(t(heading))
        for field in fields:
            key = f"w.score.{use_case.id}.{field}"
            number_field.slider(
                rounds.directed_label(field), key, getattr(use_case.scoring, field), SCORE_SPEC, 1.0, 0.01,
                on_change=store_access.on_widget_change, args=(use_case.id, f"scoring.{field}", key),
                help=t(f"help.{field}"),
            )


def _matrix_points(portfolio: pd.DataFrame, lang: str) -> dict[str, Any]:
    """One entry per scored use case: where its dot sits, its size, colour, rank and tooltip texts."""
    return {
        "id": list(portfolio.index),
        "label": [_short(name) for name in portfolio["name"]],
        "rank_text": [formatting.number(int(rank), lang) for rank in portfolio["rank"]],
        "value": portfolio["value"].to_numpy(),
        "feasibility": portfolio["feasibility"].to_numpy(),
        "size_value": portfolio["net_value"].clip(lower=0).to_numpy(),
        "phase_label": labels("phase", portfolio["phase"]),
        "name": list(portfolio["name"]),
        "quadrant_label": labels("quadrant", portfolio["quadrant"]),
        "value_text": [formatting.score(v, lang) for v in portfolio["value"]],
        "feasibility_text": [formatting.score(v, lang) for v in portfolio["feasibility"]],
        "score_text": [formatting.score(v, lang) for v in portfolio["score"]],
        "net_text": [formatting.eur(v, lang) for v in portfolio["net_value"]],
        "roi_text": [formatting.roi(v, lang) for v in portfolio["roi"]],
    }


def _matrix(loaded, portfolio: pd.DataFrame, selected_id: str, lang: str) -> None:
    thresholds = loaded.workspace.thresholds
    unscored = list(portfolio.loc[~portfolio["scored"], "name"])
    portfolio = portfolio[portfolio["scored"]]
    points = _matrix_points(portfolio, lang)
    spec = charts.value_feasibility_matrix(
        points,
        language=lang,
        min_value=thresholds.quick_win_min_value,
        min_feasibility=thresholds.quick_win_min_feasibility,
        phase_labels={phase: label("phase", phase) for phase in PHASES},
        quadrant_labels={quadrant: label("quadrant", quadrant) for quadrant in QUADRANTS},
        titles={"x": t("chart.feasibility_axis"), "y": t("chart.value_axis"), "size": t("chart.size_net"),
                "color": t("col.phase")},
        tooltip_columns=[
            ("name", t("col.name")), ("phase_label", t("col.phase")), ("quadrant_label", t("col.quadrant")),
            ("value_text", t("col.value")), ("feasibility_text", t("col.feasibility")),
            ("score_text", t("col.score")), ("net_text", t("col.net_value")), ("roi_text", t("col.roi")),
        ],
        highlight_id=selected_id,
        font_scale=PRESENTATION_FONT_SCALE if state.presentation() else 1.0,
    )
    st.vega_lite_chart(spec=spec, width="stretch")
    ranked = portfolio.sort_values(["rank", "name"])
    st.markdown(f"**{t('scoring.matrix_legend')}:** " + " · ".join(
        f"**{formatting.number(int(rank), lang)}** {formatting.escape_markdown(name)}"
        for rank, name in zip(ranked["rank"], ranked["name"], strict=True)))
    st.caption(t("scoring.matrix_caption", value=formatting.score(thresholds.quick_win_min_value, lang),
                 feasibility=formatting.score(thresholds.quick_win_min_feasibility, lang)))
    if unscored:
        st.caption(t("scoring.unscored_left_out", count=len(unscored), names=", ".join(unscored)))


def _stability_source(loaded, lang: str) -> tuple[str | None, float]:
    """The chosen source of the rank stability (a round id, or None for weight noise) and the jitter."""
    sources = scoring.stability_sources(loaded.id, lang)
    chosen = state.ui_value(SOURCE_CHOICE, scoring.WEIGHT_NOISE)
    source_column, jitter_column = st.columns(2)
    source = source_column.selectbox(
        t("ws.source_label"), options=list(sources), format_func=sources.__getitem__,
        key=store_access.bind(SOURCE_WIDGET, chosen if chosen in sources else scoring.WEIGHT_NOISE),
        on_change=_remember_source,
    )
    jitter = state.ui_value("scoring.jitter", 0.2)
    if source == scoring.WEIGHT_NOISE:
        jitter = number_field.slider(
            t("scoring.jitter"), JITTER_WIDGET, jitter, JITTER_SPEC, 0.5, 0.05, on_change=_remember_jitter,
            container=jitter_column, help=t("scoring.jitter_help", n=STABILITY_DRAWS), stored=False,
        )
        st.caption(t("ws.source_caption_noise", n=STABILITY_DRAWS, jitter=formatting.percent(jitter, lang)))
        return None, jitter
    st.caption(t("ws.source_caption_round", n=STABILITY_DRAWS, round=sources[source]))
    return source, jitter


def _ranking(loaded, lang: str) -> None:
    frame.subheader("scoring.ranking")
    round_id, jitter = _stability_source(loaded, lang)
    stay_help = (t("scoring.stay_share_help", jitter=formatting.percent(jitter, lang)) if round_id is None
                 else t("ws.stay_share_help_round"))
    st.dataframe(
        tables.ranking(loaded, jitter, STABILITY_DRAWS, lang, round_id),
        column_config={
            t("col.rank"): st.column_config.NumberColumn(width=50),
            t("col.name"): st.column_config.TextColumn(width=260),
            t("col.stay_share"): st.column_config.ProgressColumn(
                t("col.stay_share"), min_value=0, max_value=100, format="%.0f %%" if lang == "de" else "%.0f%%",
                help=stay_help, width=130,
            )
        },
        hide_index=True, placeholder=formatting.MISSING,
        width="stretch",
    )


def _open_round(loaded, selected_id: str | None) -> None:
    frame.subheader("ws.open_title")
    st.caption(t("ws.open_caption"))
    names = {case.id: case.name for case in loaded.workspace.use_cases}
    # A fixed mapping, not a translating function: the form's values are matched back to the options by label.
    questions = {question: rounds.question_label(question) for question in (*SCORING_QUESTIONS,
                                                                            *THREE_POINT_QUESTIONS)}
    with st.form("ws.open", border=False):
        use_case_ids = st.multiselect(t("ws.open_use_cases"), options=list(names), format_func=names.__getitem__,
                                      default=[selected_id] if selected_id in names else [], key="w.ws.open.use_cases")
        scoring_questions = st.multiselect(t("ws.open_s3"), options=SCORING_QUESTIONS, key="w.ws.open.s3",
                                           format_func=questions.__getitem__, default=list(SCORING_QUESTIONS))
        three_point = st.multiselect(t("ws.open_three_point"), options=THREE_POINT_QUESTIONS, key="w.ws.open.three",
                                     format_func=questions.__getitem__,
                                     placeholder=t("ws.open_three_point_placeholder"))
        title = st.text_input(t("ws.open_round_title"), max_chars=200, placeholder=t("ws.open_round_placeholder"),
                              key="w.ws.open.title")
        submitted = st.form_submit_button(t("ws.open_submit"), type="primary", icon=":material/groups:")
    if submitted:
        opened = scoring.open_round(use_case_ids, [*scoring_questions, *three_point], title)
        state.set_selected_round_id(opened.id)
        st.switch_page("pages/10_Workshop.py")


@st.fragment
def _live() -> None:
    with sidebar.guard():
        frame.show_messages()
        # A full run has just loaded the workspace (ctx); only a fragment rerun reads it again.
        loaded = store_access.current_workspace() if state.in_fragment_rerun() else ctx.loaded
        use_case = store_access.selected_use_case(loaded) if loaded else None
        if loaded is None or use_case is None:
            st.info(t("use_cases.none"))
            return
        lang = state.language()
        portfolio = portfolio_frame(loaded)
        frame.subheader("scoring.inputs_for", name=use_case.name)
        _unscored_notice(use_case)
        _metrics(use_case, loaded.workspace.weights, portfolio, lang)
        if state.presentation():
            with st.container(border=True):
                frame.subheader("scoring.matrix")
                _matrix(loaded, portfolio, use_case.id, lang)
        else:
            inputs_column, matrix_column = st.columns([1, 2], gap="medium")
            with inputs_column, st.container(border=True):
                _inputs(use_case)
            with matrix_column, st.container(border=True):
                frame.subheader("scoring.matrix")
                _matrix(loaded, portfolio, use_case.id, lang)
        with st.container(border=True):
            _ranking(loaded, lang)


def _weights_editor(weights: ScoringWeights, lang: str) -> None:
    errors = state.ui_value(WEIGHT_ERRORS) or []
    frame.subheader("weights.title")
    st.caption(t("weights.caption"))
    with st.form("weights.form", border=False):
        value_column, feasibility_column = st.columns(2)
        for column, fields, heading in (
            (value_column, VALUE_WEIGHT_FIELDS, "weights.value_group"),
            (feasibility_column, FEASIBILITY_WEIGHT_FIELDS, "weights.feasibility_group"),
        ):
            with column:
                st.markdown(f"**{t(heading)}**")
                for field in fields:
                    key = WEIGHT_WIDGET.format(field=field)
                    if not errors:
                        state.sync_widget(key, number_field.show(getattr(weights, field), WEIGHT_SPEC, lang))
                    st.text_input(t(f"field.{field}"), key=key, disabled=state.read_only())
        save, _ = st.columns([1, 3])
        save.form_submit_button(t("weights.save"), on_click=_save_weights, type="primary", disabled=state.read_only())
    if errors:
        # Each line comes from t(), which escaped the typed text in it once.
        st.error("\n\n".join(errors))
    st.button(t("weights.reset"), on_click=_reset_weights, icon=":material/restart_alt:", help=t("weights.reset_help"),
              disabled=state.read_only())


ctx = sidebar.render("scoring.title", ":material/scatter_plot:", "scoring.caption")
with sidebar.guard():
    sidebar.use_case_picker(ctx)
    _live()
    if not ctx.presentation:
        if not ctx.read_only:
            with st.container(border=True):
                _open_round(ctx.loaded, state.use_case_id())
        with st.container(border=True):
            _weights_editor(ctx.loaded.workspace.weights, ctx.language)
    with st.container(border=True):
        frame.subheader("rules.title")
        st.markdown(t("rules.body"))
