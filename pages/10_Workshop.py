"""Workshop: the projector's join page for a round (S21) with a live count, then the reveal and adopting results."""

import streamlit as st

from core.store import Adoption, RoundInfo
from ui import formatting, frame, sidebar, state, store_access
from ui.i18n import t
from ui.views import workshop

ROUND_WIDGET = "w.ws.round"
NAMES_WIDGET = "w.ws.names"
NAMES_CHOICE = "ws.show_names"
ADOPT_WIDGET = "w.ws.adopt.{round_id}.{use_case_id}.{question}"


def _on_round_change() -> None:
    state.set_selected_round_id(state.widget_value(ROUND_WIDGET))


def _remember_names() -> None:
    state.set_ui_value(NAMES_CHOICE, bool(state.widget_value(NAMES_WIDGET)))


@store_access.safe_callback
def _change_status(action, round_id: str, message_key: str) -> None:
    action(round_id)
    state.flash("success", t(message_key))


@store_access.safe_callback
def _adopt(info: RoundInfo, use_case_id: str, question: str, label: str) -> None:
    key = ADOPT_WIDGET.format(round_id=info.id, use_case_id=use_case_id, question=question)
    if workshop.adopt(info, use_case_id, question, state.widget_text(key), state.language()):
        state.flash("success", t("ws.adopted", item=label))


def _round_picker(infos: list[RoundInfo], chosen: RoundInfo, lang: str) -> None:
    labels = {info.id: workshop.round_label(info, lang) for info in infos}
    st.selectbox(t("ws.round"), options=list(labels), format_func=labels.__getitem__,
                 key=store_access.bind(ROUND_WIDGET, chosen.id), on_change=_on_round_change)


def _names_toggle() -> bool:
    return st.toggle(t("ws.show_names"), key=store_access.bind(NAMES_WIDGET, state.ui_value(NAMES_CHOICE, False)),
                     on_change=_remember_names, help=t("ws.show_names_help"))


def _controls(info: RoundInfo, editor: bool) -> None:
    """Close, reopen, reveal: an editor's actions (S23); disabled below, the reason in the help."""
    close, reveal = st.columns(2)
    why = None if editor else t("auth.round_needs_editor")
    if info.status == "open":
        close.button(t("ws.close"), on_click=_change_status, args=(workshop.close_round, info.id, "ws.closed_done"),
                     icon=":material/lock:", width="stretch", disabled=not editor, help=why)
    else:
        close.button(t("ws.reopen"), on_click=_change_status,
                     args=(workshop.reopen_round, info.id, "ws.reopened_done"), icon=":material/lock_open:",
                     width="stretch", disabled=not editor, help=why)
    reveal.button(t("ws.reveal"), type="primary", on_click=_change_status,
                  args=(workshop.reveal_round, info.id, "ws.revealed_done"), icon=":material/visibility:",
                  width="stretch", help=why or t("ws.reveal_help"), disabled=not editor)


@st.fragment(run_every=workshop.LIVE_REFRESH_S)
def _live_count(round_id: str, status: str, show_names: bool) -> None:
    with sidebar.guard():
        lang = state.language()
        progress = workshop.progress(round_id)
        if progress.status != status:
            st.rerun()
        joined, answering, submitted = st.columns(3)
        joined.metric(t("ws.joined"), formatting.number(progress.participants, lang), border=True)
        answering.metric(t("ws.answering"), formatting.number(progress.answering, lang), border=True,
                         help=t("ws.answering_help", answers=formatting.number(progress.answers, lang)))
        submitted.metric(t("ws.submitted"), formatting.number(progress.submitted, lang), border=True)
        if show_names and progress.names_answering:
            st.caption(workshop.live_names(progress))


def _join_page(info: RoundInfo, lang: str, editor: bool) -> None:
    link = workshop.join_link(info, lang)
    qr_column, text_column = st.columns([2, 3], gap="large")
    with qr_column:
        # As wide as its column, never wider: a QR code cut at the column's edge is one no phone reads.
        st.image(workshop.qr_png(link), width="stretch", caption=t("ws.qr_caption"))
    with text_column:
        st.markdown(t("ws.join_at"))
        st.subheader(workshop.short_url(), anchor="ws-short-url")
        st.markdown(t("ws.code_label"))
        st.header(info.join_code, anchor="ws-code")
        if info.status == "closed":
            st.warning(t("ws.closed_note"), icon=":material/lock:")
        show_names = _names_toggle()
        _live_count(info.id, info.status, show_names)
        _controls(info, editor)
    with st.expander(t("ws.link_expander")):
        st.code(link, language=None)


def _adopt_row(info: RoundInfo, item: workshop.RevealItem, adopted: Adoption | None, lang: str,
               editor: bool = True) -> None:
    with st.container(border=True):
        text, value, button = st.columns([4, 2, 1.4], vertical_alignment="bottom")
        marker = f" · :red[{t('ws.disputed')}]" if item.disputed else ""
        text.markdown(f"**{formatting.escape_markdown(item.label)}**{marker}")
        text.caption(item.summary)
        key = ADOPT_WIDGET.format(round_id=info.id, use_case_id=item.use_case_id, question=item.question)
        value.text_input(t("ws.adopt_value_percent" if item.fraction else "ws.adopt_value"),
                         key=store_access.bind(key, state.widget_value(key) or item.editable_median),
                         help=t("ws.adopt_value_help"))
        button.button(t("ws.adopt"), key=f"w.ws.adopt_button.{item.use_case_id}.{item.question}", on_click=_adopt,
                      args=(info, item.use_case_id, item.question, item.label), width="stretch",
                      disabled=not editor, help=None if editor else t("auth.round_needs_editor"))
        if adopted is not None:
            text.caption(workshop.adopted_note(item, adopted, lang))


def _reveal(ctx, info: RoundInfo, lang: str) -> None:
    show_names = _names_toggle()
    view = workshop.reveal_view(info, ctx.loaded, lang, show_names)
    if not view.items:
        st.info(t("ws.no_answers"))
        return
    participants, answers, disputed = st.columns(3)
    participants.metric(t("ws.participants"), formatting.number(view.participants, lang), border=True)
    answers.metric(t("ws.answers"), formatting.number(view.answers, lang), border=True)
    disputed.metric(t("ws.disputed_count"), formatting.number(view.disputed, lang), border=True,
                    help=t("ws.disputed_help"))
    if view.scoring_spec is not None:
        with st.container(border=True):
            frame.subheader("ws.strip_title")
            st.caption(t("ws.strip_caption"))
            st.vega_lite_chart(spec=view.scoring_spec, width="stretch")
    for label, spec in view.three_point_specs:
        with st.container(border=True):
            st.markdown(f"**{formatting.escape_markdown(label)}**")
            st.vega_lite_chart(spec=spec, width="stretch")
    if view.matrix_spec is not None:
        with st.container(border=True):
            frame.subheader("ws.matrix_title")
            st.caption(t("ws.matrix_caption"))
            st.vega_lite_chart(spec=view.matrix_spec, width="stretch")
    if ctx.presentation:
        # Presentation mode (issue 13): the room reads the spread; adopting values, which edits the use cases,
        # waits until the mode is off. The figures stay as a table.
        with st.container(border=True):
            st.dataframe(view.table, hide_index=True, placeholder=formatting.MISSING, width="stretch")
        return
    with st.container(border=True):
        frame.subheader("ws.adopt_title")
        st.caption(t("ws.adopt_caption"))
        adopted = workshop.adoptions(info.id)
        for item in view.items:
            _adopt_row(info, item, adopted.get((item.use_case_id, item.question)), lang, ctx.may("editor"))
        with st.expander(t("ws.table_expander")):
            st.dataframe(view.table, hide_index=True, placeholder=formatting.MISSING, width="stretch")


ctx = sidebar.render("ws.title", ":material/groups:", "ws.caption")
with sidebar.guard():
    lang = ctx.language
    infos = workshop.workshop_rounds(ctx.loaded.id)
    chosen = workshop.chosen_round(infos)
    if chosen is None:
        st.info(t("ws.no_round"))
        st.page_link("pages/2_Scoring.py", label=t("ws.to_scoring"), icon=":material/scatter_plot:")
    else:
        _round_picker(infos, chosen, lang)
        if chosen.status == "revealed":
            _reveal(ctx, chosen, lang)
        else:
            _join_page(chosen, lang, ctx.may("editor"))
