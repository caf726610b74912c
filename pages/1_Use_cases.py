"""Use cases: the S18 registry with search and sort; add, duplicate, delete with undo; the S1 card editor."""

import streamlit as st

from core.models import KPI_GROUPS, OUTPUT_TYPES, PHASES, RISK_CLASSES, UseCase
from ui import formatting, frame, sidebar, state, status, store_access, tables
from ui.i18n import label, t, t_plain
from ui.number_field import NumberSpec
from ui.views import use_cases

SEARCH_WIDGET = "w.registry.search"
SORT_WIDGET = "w.registry.sort"
DESCENDING_WIDGET = "w.registry.descending"
ADD_WIDGET = "w.registry.add_name"
DUPLICATE_WIDGET = "w.registry.duplicate_name"
SORT_COLUMNS = ("rank", "name", "owner", "phase", "risk_class", "net_value", "roi", "npv", "investment",
                "payback_month")
KPI_NUMBERS = {"target_value": NumberSpec(minimum=None, extra_decimals=3),
               "baseline_value": NumberSpec(minimum=None, extra_decimals=3)}
TEXT_FIELDS = ("problem_statement", "users", "process_step", "decision_point", "guardrails", "out_of_scope")


def _remember(name: str, widget_key: str) -> None:
    state.set_ui_value(name, state.widget_value(widget_key))


@store_access.safe_callback
def _add() -> None:
    name = state.widget_text(ADD_WIDGET)
    use_cases.add_use_case(name)
    state.flash("success", t("use_cases.added", name=name))


@store_access.safe_callback
def _duplicate(use_case_id: str) -> None:
    name = state.widget_text(DUPLICATE_WIDGET)
    use_cases.duplicate_use_case(use_case_id, name)
    state.flash("success", t("use_cases.duplicated", name=name))


@store_access.safe_callback
def _delete(use_case_id: str) -> None:
    use_cases.delete_use_case(use_case_id)


@store_access.safe_callback
def _undo(use_case_id: str) -> None:
    use_cases.restore_use_case(use_case_id)
    state.flash("success", t("use_cases.restored"))


def _registry(ctx: sidebar.PageContext) -> None:
    lang = ctx.language
    search, sort, order = st.columns([3, 2, 1], vertical_alignment="bottom")
    query = search.text_input(
        t("use_cases.search"), key=store_access.bind(SEARCH_WIDGET, state.ui_value("registry.search", "")),
        on_change=_remember, args=("registry.search", SEARCH_WIDGET), placeholder=t("use_cases.search_placeholder"),
    )
    # Labels fixed at render time: AppTest calls format_func outside a script run, in no language.
    sort_labels = {name: t(f"col.{name}") for name in SORT_COLUMNS}
    column = sort.selectbox(
        t("use_cases.sort_by"), SORT_COLUMNS, format_func=sort_labels.__getitem__,
        key=store_access.bind(SORT_WIDGET, state.ui_value("registry.sort", "rank")),
        on_change=_remember, args=("registry.sort", SORT_WIDGET),
    )
    descending = order.toggle(
        t("use_cases.descending"),
        key=store_access.bind(DESCENDING_WIDGET, state.ui_value("registry.descending", False)),
        on_change=_remember, args=("registry.descending", DESCENDING_WIDGET),
    )
    shown = tables.registry(ctx.loaded, query or "", column, bool(descending), lang)
    st.dataframe(
        shown,
        column_config={
            t("col.rank"): st.column_config.TextColumn(width=50),
            t("col.name"): st.column_config.TextColumn(width=270),
            t("col.owner"): st.column_config.TextColumn(width=200),
            t("col.kpis"): st.column_config.NumberColumn(width=50),
            t("col.status"): st.column_config.TextColumn(width="large"),
            t("col.attention"): st.column_config.MultiselectColumn(
                options=tables.attention_options(lang), color=list(tables.ATTENTION_COLORS), width=200),
        },
        hide_index=True, placeholder=formatting.MISSING,
        width="stretch",
    )
    st.caption(t("use_cases.registry_count", shown=shown.num_rows, total=len(ctx.loaded.workspace.use_cases)))
    overdue = tables.overdue_count(ctx.loaded)
    if overdue:
        st.warning(t("registry.overdue_count", count=formatting.number(overdue, lang)), icon=":material/event_busy:")


def _actions(selected: UseCase | None) -> None:
    add, duplicate, delete = st.columns(3)
    with add, st.form("registry.add", clear_on_submit=True):
        st.text_input(t("use_cases.new_name"), key=ADD_WIDGET, max_chars=200,
                      placeholder=t("use_cases.new_name_placeholder"))
        st.form_submit_button(t("use_cases.add"), on_click=_add, type="primary", icon=":material/add:")
    if selected is None:
        return
    with duplicate, st.form("registry.duplicate", clear_on_submit=True):
        st.text_input(t("use_cases.duplicate_name"), key=DUPLICATE_WIDGET, max_chars=200,
                      placeholder=t_plain("use_cases.copy_of", name=selected.name))
        st.form_submit_button(
            t("use_cases.duplicate"), on_click=_duplicate, args=(selected.id,), icon=":material/content_copy:"
        )
    with delete, st.container(border=True):
        st.write(t("use_cases.delete_hint", name=selected.name))
        st.button(t("use_cases.delete"), on_click=_delete, args=(selected.id,), icon=":material/delete:")


def _undo_banner() -> None:
    deleted_id = state.ui_value("undo.deleted_use_case")
    if not deleted_id:
        return
    deleted = {item.id: item for item in use_cases.deleted_use_cases()}
    if deleted_id not in deleted:
        return
    message, button = st.columns([4, 1], vertical_alignment="center")
    message.warning(t("use_cases.deleted", name=deleted[deleted_id].name))
    button.button(t("use_cases.undo"), on_click=_undo, args=(deleted_id,), type="primary", icon=":material/undo:")


def _text_field(use_case: UseCase, field: str, area: bool = False) -> None:
    key = f"w.uc.{use_case.id}.{field}"
    widget = st.text_area if area else st.text_input
    widget(
        t(f"field.{field}"), key=store_access.bind(key, getattr(use_case, field)), help=t(f"help.{field}"),
        on_change=store_access.on_widget_change, args=(use_case.id, field, key),
        max_chars=5000 if area else 200, disabled=state.read_only(),
    )


def _choice_field(use_case: UseCase, field: str, options: tuple[str, ...], prefix: str) -> None:
    key = f"w.uc.{use_case.id}.{field}"
    labels = {value: label(prefix, value) for value in options}
    st.selectbox(
        t(f"field.{field}"), options, format_func=labels.__getitem__,
        key=store_access.bind(key, getattr(use_case, field)), help=t(f"help.{field}"),
        on_change=store_access.on_widget_change, args=(use_case.id, field, key), disabled=state.read_only(),
    )


def _card(use_case: UseCase, lang: str) -> None:
    first, second = st.columns(2)
    with first:
        _text_field(use_case, "name")
        _text_field(use_case, "owner")
        _choice_field(use_case, "phase", PHASES, "phase")
    with second:
        _choice_field(use_case, "eu_ai_act_risk_class", RISK_CLASSES, "risk")
        _choice_field(use_case, "output_type", OUTPUT_TYPES, "output")
        _text_field(use_case, "output_format")
    first, second = st.columns(2)
    for index, field in enumerate(TEXT_FIELDS):
        with first if index % 2 == 0 else second:
            _text_field(use_case, field, area=True)
    st.caption(
        t("use_cases.timestamps", created=formatting.timestamp(use_case.created_at, lang),
          updated=formatting.timestamp(use_case.updated_at, lang), id=use_case.id)
    )


def _kpis(use_case: UseCase, version: int) -> None:
    st.caption(t("use_cases.kpi_help"))
    columns = {
        "group": st.column_config.SelectboxColumn(
            t("field.kpi_group"), options=KPI_GROUPS, format_func=lambda g: label("kpi_group", g), required=True,
        ),
        "name": st.column_config.TextColumn(t("field.kpi_name"), required=True, max_chars=200),
        "target_value": st.column_config.TextColumn(t("field.target_value"), required=True, max_chars=40),
        "unit": st.column_config.TextColumn(t("field.unit"), max_chars=200),
        "measurement_window": st.column_config.TextColumn(t("field.measurement_window"), max_chars=200),
        "baseline_value": st.column_config.TextColumn(t("field.baseline_value"), max_chars=40),
    }
    sidebar.table_editor(use_case, version, "kpi_set", use_cases.kpi_rows(use_case), columns, "dynamic",
                         numbers=KPI_NUMBERS)


def _raci(use_case: UseCase, version: int) -> None:
    st.caption(t("use_cases.raci_help"))
    columns = {"deliverable": st.column_config.TextColumn(t("field.deliverable"), required=True, max_chars=200)}
    columns |= {role: st.column_config.TextColumn(t(f"field.{role}"), help=t(f"help.{role}"))
                for role in use_cases.RACI_ROLES}
    sidebar.table_editor(use_case, version, "raci", use_cases.raci_rows(use_case), columns, "dynamic")


ctx = sidebar.render("use_cases.title", ":material/view_list:", "use_cases.caption")
with sidebar.guard():
    _undo_banner()
    with st.container(border=True):
        frame.subheader("use_cases.registry")
        _registry(ctx)
    selected = store_access.selected_use_case(ctx.loaded)
    if ctx.presentation and selected is not None:
        st.info(f"**{formatting.escape_markdown(selected.name)}** · **{t('an.verdict.status')}:** "
                f"{status.sentence(selected, ctx.loaded.workspace.thresholds, ctx.language)}", icon=":material/flag:")
    if not ctx.presentation and not ctx.read_only:
        _actions(selected)
    if selected is not None and not ctx.presentation:
        with st.container(border=True):
            frame.subheader("use_cases.editor")
            sidebar.use_case_picker(ctx)
            st.info(f"**{t('an.verdict.status')}:** "
                    f"{status.sentence(selected, ctx.loaded.workspace.thresholds, ctx.language)}",
                    icon=":material/flag:")
            version = ctx.loaded.versions.get(selected.id, 0)
            card, kpis, raci = st.tabs([t("use_cases.tab_card"), t("use_cases.tab_kpis"), t("use_cases.tab_raci")])
            with card:
                _card(selected, ctx.language)
            with kpis:
                _kpis(selected, version)
            with raci:
                _raci(selected, version)
