"""Home: choose, create, rename and duplicate a workspace; portfolio headline; workshop guide."""

import gc

import streamlit as st

from ui import frame
from ui.i18n import t

HEADLINE_METRICS = (
    ("home.metric_use_cases", "home.metric_use_cases_help"),
    ("home.metric_quick_wins", "home.metric_quick_wins_help"),
    ("home.metric_gates", "home.metric_gates_help"),
    ("home.metric_net_value", "home.metric_net_value_help"),
    ("home.metric_npv", "home.metric_npv_help"),
    ("home.metric_investment", "home.metric_investment_help"),
)
# Two rows: the portfolio's counts, then its money (S15 per month, S19 over the horizons).
METRICS_PER_ROW = 3

frame.draw("home.title", ":material/explore:", "home.caption")
pending = frame.pending_headline(HEADLINE_METRICS, METRICS_PER_ROW)

# The store, the core, pydantic and numpy (≈0.3 s on a cold start) live as long as the server, so the cycle
# collector walking them while they load is waste.
gc.disable()
try:
    from core.verdict import status_sentence
    from ui import formatting, members, sidebar, state, store_access
    from ui.i18n import label, labels, t_plain
    from ui.views import home
finally:
    gc.enable()

OPEN_WIDGET = "w.home.open"
CREATE_WIDGET = "w.home.create_name"
RENAME_WIDGET = "w.home.rename_name"
DUPLICATE_WIDGET = "w.home.duplicate_name"


@store_access.safe_callback
def _open() -> None:
    state.set_workspace_id(state.widget_value(OPEN_WIDGET))


@store_access.safe_callback
def _create() -> None:
    name = state.widget_text(CREATE_WIDGET)
    home.create_workspace(name)
    state.flash("success", t("home.created", name=name))


@store_access.safe_callback
def _rename(workspace_id: str) -> None:
    name = state.widget_text(RENAME_WIDGET)
    home.rename_workspace(workspace_id, name)
    state.flash("success", t("home.renamed", name=name))


@store_access.safe_callback
def _duplicate(workspace_id: str) -> None:
    name = state.widget_text(DUPLICATE_WIDGET)
    home.duplicate_workspace(workspace_id, name)
    state.flash("success", t("home.duplicated", name=name))


ctx = sidebar.load(on_stop=pending.container.empty if pending else None)
with sidebar.guard():
    lang = ctx.language
    workspace = ctx.loaded.workspace
    headline = home.headline(ctx.loaded)
    heading = pending.heading if pending else st.container()
    metric_slots = pending.metrics if pending else frame.metric_grid(len(HEADLINE_METRICS), METRICS_PER_ROW)
    frame.subheader("home.portfolio", heading, name=workspace.name)
    values = (
        formatting.number(headline.use_cases, lang),
        formatting.number(headline.quick_wins, lang),
        t("home.gates_value", passed=formatting.number(headline.gates_passed, lang),
          total=formatting.number(headline.gates_evaluated, lang)),
        formatting.eur(headline.net_value, lang),
        formatting.eur(headline.npv, lang),
        formatting.eur(headline.investment, lang),
    )
    # The S19 payback count sits under the total NPV, in grey: a count, not a change.
    deltas = {"home.metric_npv": t("home.paying_back", paying=formatting.number(headline.paying_back, lang),
                                   total=formatting.number(headline.use_cases, lang))}
    for slot, (label_key, help_key), value in zip(metric_slots, HEADLINE_METRICS, values, strict=True):
        slot.metric(t(label_key), value, border=True, help=t(help_key), delta=deltas.get(label_key),
                    delta_color="off", delta_arrow="off")

    # The top five take the full width: in German their table is wider than a column beside the guide.
    with st.container(border=True):
        frame.subheader("home.top_title")
        top = home.top_use_cases(ctx.loaded, 5)
        st.markdown(formatting.markdown_table(
            (t("col.rank"), t("col.name"), t("col.quadrant"), t("col.score"), t("col.net_value")),
            zip(
                (formatting.number(row.rank, lang) for row in top),
                (formatting.escape_markdown(row.name) for row in top),
                labels("quadrant", (row.quadrant for row in top)),
                (formatting.score(row.score, lang) for row in top),
                (formatting.eur(row.net_value, lang) for row in top),
                strict=True,
            ),
            right_aligned=(0, 3, 4),
        ))
        st.markdown(f"**{t('home.status_title')}**\n\n" + "\n".join(
            f"- **{formatting.escape_markdown(row.name)}:** {status_sentence(row.status, lang)}" for row in top))
        st.page_link("pages/2_Scoring.py", label=t("home.to_scoring"), icon=":material/scatter_plot:")

    left, right = st.columns([3, 2], gap="medium")
    with left, st.container(border=True):
        frame.subheader("home.workspaces_title")
        infos = ctx.workspaces
        names = {info.id: info.name for info in infos}
        st.selectbox(
            t("home.open_workspace"),
            options=list(names),
            format_func=lambda workspace_id: names.get(workspace_id, workspace_id),
            key=store_access.bind(OPEN_WIDGET, ctx.loaded.id),
            on_change=_open,
        )
        st.markdown(formatting.markdown_table(
            (t("col.workspace"), t("col.use_cases"), t("col.updated")),
            (
                (formatting.escape_markdown(info.name), formatting.number(info.use_case_count, lang),
                 formatting.timestamp(info.updated_at, lang))
                for info in infos
            ),
            right_aligned=(1,),
        ))
        if not ctx.presentation:
            create_tab, rename_tab, duplicate_tab = st.tabs(
                [t("home.tab_create"), t("home.tab_rename"), t("home.tab_duplicate")]
            )
            with create_tab, st.form("home.create", clear_on_submit=True, border=False):
                st.text_input(t("home.new_name"), key=CREATE_WIDGET, max_chars=200,
                              placeholder=t("home.new_name_placeholder"))
                st.form_submit_button(t("home.create"), on_click=_create, type="primary")
            with rename_tab, st.form("home.rename", clear_on_submit=True, border=False):
                owner = ctx.may("owner")
                st.text_input(t("home.rename_to"), key=RENAME_WIDGET, max_chars=200, placeholder=workspace.name,
                              disabled=not owner)
                st.form_submit_button(t("home.rename"), on_click=_rename, args=(ctx.loaded.id,), disabled=not owner)
                if not owner:
                    st.caption(t("members.rename_owners_only"))
            with duplicate_tab, st.form("home.duplicate", clear_on_submit=True, border=False):
                st.text_input(t("home.duplicate_name"), key=DUPLICATE_WIDGET, max_chars=200,
                              placeholder=t_plain("home.duplicate_placeholder", name=workspace.name))
                st.form_submit_button(t("home.duplicate"), on_click=_duplicate, args=(ctx.loaded.id,))

        with st.container(border=True):
            members.members_panel(ctx.loaded.id, ctx.role, state.signed_in_actor() is not None)
        with st.container(border=True):
            members.purge_panel(ctx.loaded.id, workspace.name, ctx.role)

    with right, st.container(border=True):
        frame.subheader("pva.attention_title")
        review = home.portfolio_review(ctx.loaded)
        if review is not None:
            if review.next_review is None:
                st.caption(t("pva.portfolio_review_never"))
            elif review.overdue:
                # The badge holds one word, as in the list below: a badge cuts a sentence at the column's edge.
                due = t("pva.portfolio_review_overdue", day=formatting.date(review.next_review, lang))
                st.markdown(f":red-badge[:material/event_busy: {t('pva.review_overdue')}] {due}")
            else:
                st.caption(t("pva.portfolio_review", day=formatting.date(review.next_review, lang)))
        items = home.attention(ctx.loaded)
        texts = {
            "overdue": lambda item: t("pva.attention_overdue", name=item.name, day=formatting.date(item.day, lang)),
            "behind": lambda item: t("pva.attention_behind", name=item.name,
                                     share=formatting.percent(item.share, lang)),
            "red": lambda item: t("pva.attention_red", name=item.name, gate=label("gate", item.gate),
                                  decision=label("an.decision", item.decision)),
        }
        badges = {"overdue": ":red-badge[{word}]", "behind": ":orange-badge[{word}]", "red": ":red-badge[{word}]"}
        words = {"overdue": t("pva.review_overdue"), "behind": t("pva.behind_plan"), "red": t("pva.gate_red")}
        if items:
            # t() escapes the names it puts in; the badges are the app's own Markdown.
            st.markdown("\n".join(f"- {badges[item.kind].format(word=words[item.kind])} {texts[item.kind](item)}"
                                   for item in items))
        else:
            st.caption(t("pva.attention_none"))

    with right, st.container(border=True):
        frame.subheader("home.guide_title")
        st.markdown(t("home.guide_body"))
