"""Answer: a participant's phone page for a workshop round (S21); it serves only the round its link names."""

import streamlit as st

from core import workshop
from core.store import NameTakenError, Participant, RoundClosedError, RoundInfo, UseCaseBrief
from core.workshop import Answer
from ui import formatting, frame, number_field, rounds, sidebar, state, store_access
from ui.i18n import t
from ui.number_field import NumberSpec
from ui.views import answer

CODE_WIDGET = "w.ans.code"
NAME_WIDGET = "w.ans.name"
LANGUAGE_WIDGET = "w.ans.language"
LANGUAGE_NAMES = {"en": "English", "de": "Deutsch"}


def _on_language() -> None:
    state.set_language(state.widget_value(LANGUAGE_WIDGET))
    state.mirror_language_to_url()


@store_access.safe_callback
def _join(token: str | None) -> None:
    if token is None:
        found = answer.round_for_code(state.widget_text(CODE_WIDGET))
        if found is None:
            state.flash("error", t("ans.code_unknown"))
            return
        token = found.token
    name = answer.signed_in_name() or state.widget_text(NAME_WIDGET)
    if not name:
        state.flash("error", t("ans.name_missing"))
        return
    try:
        answer.join(token, name)
    except NameTakenError:
        state.flash("warning", t("ans.name_taken", name=name))
    except RoundClosedError:
        state.flash("warning", t("ans.closed_now"))


@store_access.safe_callback
def _save(token: str, secret: str, round_id: str, use_case_id: str, question: str) -> None:
    try:
        answer.save_from_widgets(token, secret, round_id, use_case_id, (question,))
    except RoundClosedError:
        state.flash("warning", t("ans.closed_now"))


@store_access.safe_callback
def _move(token: str, secret: str, info: RoundInfo, use_case_id: str, index: int, submit: bool) -> None:
    """Save every question of the use case on screen (untouched sliders count as given) in one transaction, with
    the submission when ``submit``, then go on."""
    try:
        answer.save_from_widgets(token, secret, info.id, use_case_id, info.definition.questions, submit=submit)
    except RoundClosedError:
        state.flash("warning", t("ans.closed_now"))
        return
    answer.mark_submitted(info.id, submit)
    answer.go_to(info.id, index)


def _language() -> None:
    st.segmented_control(
        t("sidebar.language"), options=list(LANGUAGE_NAMES), format_func=LANGUAGE_NAMES.__getitem__,
        key=store_access.bind(LANGUAGE_WIDGET, state.language()), on_change=_on_language, required=True,
        label_visibility="collapsed",
    )


def _join_form(info: RoundInfo | None) -> None:
    st.subheader(t("ans.join_title"), anchor="ans-join-title")
    if info is not None and info.definition.title:
        st.caption(formatting.escape_markdown(info.definition.title))
    with st.form("ans.join", border=False):
        if info is None:
            st.text_input(t("ans.code"), key=CODE_WIDGET, max_chars=12, placeholder=t("ans.code_placeholder"))
        signed_in = answer.signed_in_name()
        if signed_in:
            st.caption(t("ans.signed_in_as", name=signed_in))
        else:
            st.text_input(t("ans.name"), key=NAME_WIDGET, max_chars=80, placeholder=t("ans.name_placeholder"),
                          help=t("ans.name_help"))
        st.form_submit_button(t("ans.join"), type="primary", on_click=_join,
                              args=(info.token if info else None,), width="stretch")


def _question(info: RoundInfo, secret: str, use_case_id: str, question: str, saved: Answer | None) -> None:
    scale = info.definition.scale(use_case_id, question)
    shown = saved or answer.starting_answer(question, scale)
    arguments = (info.token, secret, info.id, use_case_id, question)
    with st.container(border=True):
        st.markdown(f"**{t(f'ans.q.{question}')}**")
        if workshop.is_three_point(question):
            # Three sliders labelled in the session's language ("2,4 min", "50.000"), not one st.slider range,
            # which formats in the browser's locale whatever the page's language.
            spec = NumberSpec(rounds.question_unit(question), minimum=scale.minimum, maximum=scale.maximum)
            for part, value in (("low", shown.low), ("likely", shown.value), ("high", shown.high)):
                number_field.slider(t(f"ans.{part}"), answer.widget_key(info.id, use_case_id, question, part),
                                    value, spec, scale.maximum, scale.step, _save, arguments, stored=False)
        else:
            spec = NumberSpec("percent", minimum=scale.minimum, maximum=scale.maximum)
            number_field.slider(rounds.input_label(question), answer.widget_key(info.id, use_case_id, question),
                                shown.value, spec, scale.maximum, scale.step, _save, arguments,
                                help=t(f"help.{question.removeprefix('scoring.')}"), stored=False)
        st.caption(t("ans.saved") if saved else t("ans.not_saved"))


def _use_case(info: RoundInfo, secret: str, case: UseCaseBrief, answers: dict[tuple[str, str], Answer]) -> None:
    st.subheader(formatting.escape_markdown(case.name), anchor="ans-use-case")
    if case.problem_statement:
        st.text(case.problem_statement)
    for question in info.definition.questions:
        _question(info, secret, case.id, question, answers.get((case.id, question)))


def _navigation(info: RoundInfo, secret: str, case: UseCaseBrief, where: answer.Position) -> None:
    back, forward = st.columns(2)
    back.button(t("ans.back"), disabled=where.index == 0, width="stretch", icon=":material/arrow_back:",
                on_click=_move, args=(info.token, secret, info, case.id, where.index - 1, False))
    last = where.index == where.total - 1
    forward.button(t("ans.submit") if last else t("ans.next"), type="primary", width="stretch",
                   icon=":material/check:" if last else ":material/arrow_forward:",
                   on_click=_move, args=(info.token, secret, info, case.id, where.index + (0 if last else 1), last))


def _answering(info: RoundInfo, me: Participant, secret: str) -> None:
    cases = answer.briefs(info.token)
    if not cases:
        st.info(t("ans.no_use_cases"))
        return
    answers = answer.my_answers(info.token, secret)
    where = answer.position(info, cases, answers)
    st.caption(t("ans.hello", name=me.name))
    if answer.just_submitted(info.id):
        st.success(t("ans.thanks"), icon=":material/celebration:")
    st.progress(where.answered / max(1, where.questions), text=t(
        "ans.progress", case=where.index + 1, total=where.total, answered=where.answered,
        questions=where.questions))
    case = cases[where.index]
    _use_case(info, secret, case, answers)
    _navigation(info, secret, case, where)


def _closed(info: RoundInfo, me: Participant | None, secret: str | None) -> None:
    st.info(t("ans.closed"), icon=":material/lock:")
    if me is None or secret is None:
        return
    answers = answer.my_answers(info.token, secret)
    names = {case.id: case.name for case in answer.briefs(info.token)}
    lang = state.language()
    st.caption(t("ans.your_answers", name=me.name))
    lines = [f"- {formatting.escape_markdown(names.get(u, u))} · {rounds.question_label(q)}: "
             f"{rounds.value_text(q, a.value, lang)}" for (u, q), a in sorted(answers.items())]
    st.markdown("\n".join(lines) if lines else t("ans.none_given"))


answer.page_config()
with sidebar.guard():
    _language()
    st.title(f":material/how_to_vote: {t('ans.title')}", anchor="ans-title")
    frame.show_messages()
    token = state.round_token()
    info = answer.round_for_link(token) if token else None
    if token and info is None:
        st.error(t("ans.link_unknown"))
        _join_form(None)
        st.stop()
    secret = state.participant_secret()
    me = answer.participant(info.token, secret) if info else None
    if info is not None and info.status != "open":
        _closed(info, me, secret)
    elif me is None or secret is None:
        _join_form(info)
    else:
        _answering(info, me, secret)
