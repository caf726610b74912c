"""Export: the Excel decision pack (download, and upload of an edited pack as a reviewed change), workspace
JSON download and upload, snapshots, and the audit trail."""

import re
from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from core.excel import FieldChange, IgnoredEdits, PackRejected, PlanChange
from core.models import ROI_FRACTION_FIELDS, UseCase
from core.scoring import SCORING_FIELDS
from core.store import ImportRejected
from ui import formatting, frame, sidebar, state, store_access
from ui.i18n import has, label, t, t_plain
from ui.portfolio import issue_lines, limit_amount
from ui.views import export

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PACK_IDS_WIDGET = "w.export.pack_ids"
PACK_PLAN_WIDGET = "w.export.pack_plan"
PACK_PLAN_NAME_WIDGET = "w.export.pack_plan_name"
OPTIMAL_PLAN = ""
PACK_IDS_CHOICE = "export.pack_ids"
PACK_UPLOAD_NONCE = "export.pack_upload"
JSON_UPLOAD_NONCE = "export.json_upload"
JSON_NAME_WIDGET = "w.export.json_name"
IMPORT_ERRORS = "export.import_errors"
SNAPSHOT_LABEL_WIDGET = "w.export.snapshot_label"
RESTORE_WIDGET = "w.export.restore_label"
AUDIT_FILTER_WIDGET = "w.export.audit_filter"
AUDIT_FILTER_CHOICE = "export.audit_filter"
ALL = ""
PLAIN_DECIMALS = 2
BUSINESS_CASE_RATES = frozenset({"run_cost_escalation_per_year", "discount_rate_per_year"})


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()[:40] or "workspace"


def _remember(name: str, widget_key: str) -> None:
    state.set_ui_value(name, state.widget_value(widget_key))


@store_access.safe_callback
def _apply(changes: tuple[FieldChange, ...], versions: dict[str, int], editor_key: str) -> None:
    changes = export.ticked_changes(changes, state.widget_value(editor_key))
    if not changes:
        state.flash("error", t("an.export.none_ticked"))
        return
    try:
        export.apply_pack(changes, versions)
    except ImportRejected as error:
        lines = formatting.markdown_lines(error.errors, bullets=True)
        state.flash("error", f"{t('an.export.apply_rejected')}\n{lines}")
        return
    state.bump_nonce(PACK_UPLOAD_NONCE)
    state.flash("success", t("an.export.applied", count=len(changes)))


@store_access.safe_callback
def _import_json(uploader_key: str) -> None:
    uploaded = state.widget_value(uploader_key)
    if uploaded is None:
        state.set_ui_value(IMPORT_ERRORS, [t("an.export.json_choose_file")])
        return
    name = state.widget_text(JSON_NAME_WIDGET)
    try:
        export.import_json(uploaded.getvalue(), name or None)
    except ImportRejected as error:
        state.set_ui_value(IMPORT_ERRORS, [f"{uploaded.name}: {line}" for line in error.errors])
        return
    state.set_ui_value(IMPORT_ERRORS, [])
    state.bump_nonce(JSON_UPLOAD_NONCE)
    state.flash("success", t("an.export.json_imported", name=uploaded.name))


@store_access.safe_callback
def _create_snapshot() -> None:
    label_text = state.widget_text(SNAPSHOT_LABEL_WIDGET)
    if not label_text:
        raise ValueError(t("an.export.snapshot_label_required"))
    export.create_snapshot(label_text)
    state.flash("success", t("an.export.snapshot_created", label=label_text))


@store_access.safe_callback
def _restore_snapshot() -> None:
    label_text = state.widget_value(RESTORE_WIDGET)
    if label_text:
        export.restore_snapshot(label_text)
        state.flash("success", t("an.export.snapshot_restored", label=label_text))


def _field_text(path: str, use_cases: dict[str, UseCase]) -> str:
    parts = path.split(".")
    if parts[0] == "scenarios" and len(parts) == 3 and parts[1].isdigit():
        return f"{t('an.export.scenario')} {parts[1]}: {t(f'field.{parts[2]}')}"
    if len(parts) == 2 and has(f"field.{parts[1]}"):
        return t(f"field.{parts[1]}")
    return store_access.field_label(path)


def _change_value(value: float | int | str | None, path: str, lang: str) -> str:
    """A pack input in its unit: fractions as percent, money in €, months and counts as whole numbers, the ramp
    shape by its label, everything else as a plain number."""
    if value is None:
        return t("an.export.no_value")
    if isinstance(value, dict):  # S22: a new measurement from an Actuals sheet
        return export.new_measurement_text(value, lang)
    if isinstance(value, str):
        return label("ramp_shape", value)
    field = path.rsplit(".", 1)[-1]
    if field in ROI_FRACTION_FIELDS or field in SCORING_FIELDS or field in BUSINESS_CASE_RATES \
            or path.startswith("weights."):
        return formatting.percent(value, lang, 1)
    if field.endswith("_months"):
        return formatting.number(value, lang)
    if field.endswith("_eur") or field.endswith("_eur_per_month"):
        return formatting.eur(value, lang, 2)
    return formatting.number(value, lang, 0 if field == "volume_cases_per_month" else PLAIN_DECIMALS)


def _pack_section(ctx: sidebar.PageContext) -> None:
    workspace = ctx.loaded.workspace
    names = {case.id: case.name for case in workspace.use_cases}
    stored = [case_id for case_id in state.ui_value(PACK_IDS_CHOICE, []) if case_id in names]
    chosen = st.multiselect(
        t("an.export.pack_use_cases"), options=list(names), format_func=lambda case_id: names.get(case_id, case_id),
        key=store_access.bind(PACK_IDS_WIDGET, stored), on_change=_remember, args=(PACK_IDS_CHOICE, PACK_IDS_WIDGET),
        placeholder=t("an.export.pack_all_placeholder"), help=t("an.export.pack_use_cases_help"),
    )
    st.caption(t("an.export.pack_caption", count=len(chosen)) if chosen else t("an.export.pack_top_caption"))
    plans = [OPTIMAL_PLAN, *export.saved_plan_names()]
    stored_plan = state.ui_value("export.pack_plan", OPTIMAL_PLAN)
    plan_name = st.selectbox(
        t("portfolio.export.start_from"), options=plans,
        format_func=lambda name: name or t_plain("portfolio.export.optimal_plan"),
        key=store_access.bind(PACK_PLAN_WIDGET, stored_plan if stored_plan in plans else OPTIMAL_PLAN),
        on_change=_remember, args=("export.pack_plan", PACK_PLAN_WIDGET), help=t("portfolio.export.start_from_help"),
    )
    date = datetime.now(UTC).strftime("%Y-%m-%d")
    st.download_button(
        t("an.export.pack_download"), data=export.pack_download(chosen, state.actor(), ctx.language, plan_name or None),
        file_name=f"decision-pack-{_slug(workspace.name)}-{date}.xlsx", mime=XLSX_MIME,
        icon=":material/download:", type="primary", key="w.export.pack_download", on_click="ignore",
    )


def _pack_uploader():
    uploaded = st.file_uploader(t("an.export.pack_upload"), type=["xlsx"], help=t("an.export.pack_upload_help"),
                                key=f"w.export.pack_upload.{state.nonce(PACK_UPLOAD_NONCE)}")
    frame.upload_hint(["xlsx"])
    return uploaded


def _rejected_cells(file_name: str, error: PackRejected, ctx: sidebar.PageContext) -> None:
    """Every bad cell of a refused pack, one line each naming its sheet and cell, in the user's language."""
    names = {case.id: case.name for case in ctx.loaded.workspace.use_cases}
    sentences = [export.problem_text(problem, ctx.language, names) for problem in error.details] or list(error.problems)
    if len(sentences) == 1:
        st.error(t("an.export.pack_rejected", name=file_name, detail=sentences[0]))
        return
    st.error(f"{t('an.export.pack_rejected_cells', name=file_name, count=len(sentences))}\n"
             f"{formatting.markdown_lines(sentences, bullets=True)}")


def _ignored(ignored: IgnoredEdits, file_name: str, lang: str) -> None:
    """The pack's edits outside its inputs and why none of them is taken over."""
    if not ignored.total:
        return
    st.warning(t("an.export.ignored_title", name=file_name, count=ignored.total), icon=":material/block:")
    st.dataframe(
        pd.DataFrame({
            t("an.export.col_cell"): [f"{edit.sheet}!{edit.cell}" for edit in ignored.edits],
            t("an.export.col_ignored_reason"): [t_plain(f"an.export.ignored.{edit.reason}") for edit in ignored.edits],
            t("an.export.col_in_file"): [export.ignored_value_text(edit.found, edit.found_number, lang)
                                         or t_plain("an.export.empty_cell") for edit in ignored.edits],
            t("an.export.col_as_exported"): [export.ignored_value_text(edit.expected, edit.expected_number, lang)
                                             or t_plain("an.export.empty_cell") for edit in ignored.edits],
        }),
        hide_index=True, width="stretch",
    )
    if ignored.total > len(ignored.edits):
        st.caption(t("an.export.ignored_more", shown=formatting.number(len(ignored.edits), lang),
                     total=formatting.number(ignored.total, lang)))
    if ignored.skipped_sheets:
        st.caption(t("an.export.ignored_skipped", sheets=", ".join(ignored.skipped_sheets)))


def _changes_editor(changes: tuple[FieldChange, ...], use_cases: dict[str, UseCase], lang: str, editor_key: str
                    ) -> None:
    """One row per changed cell with its tick box (ticked: applied); use case, field, old → new and cell shown."""
    st.data_editor(
        pd.DataFrame({
            export.APPLY_COLUMN: [True] * len(changes),
            t("an.export.col_use_case"): [use_cases[c.use_case_id].name if c.use_case_id in use_cases
                                          else c.use_case_id for c in changes],
            t("an.export.col_field"): [_field_text(c.field_path, use_cases) for c in changes],
            t("an.export.col_change"): [
                f"{_change_value(c.old, c.field_path, lang)} → {_change_value(c.new, c.field_path, lang)}"
                for c in changes
            ],
            t("an.export.col_cell"): [c.cell for c in changes],
        }),
        column_config={export.APPLY_COLUMN: st.column_config.CheckboxColumn(t("an.export.col_apply"), width=70)},
        disabled=[t("an.export.col_use_case"), t("an.export.col_field"), t("an.export.col_change"),
                  t("an.export.col_cell")],
        hide_index=True, placeholder=formatting.MISSING, width="stretch", num_rows="fixed", key=editor_key,
    )


def _pack_diff(ctx: sidebar.PageContext, uploaded) -> None:
    lang = ctx.language
    data = uploaded.getvalue()
    try:
        diff = export.read_pack(data)
    except PackRejected as error:
        _rejected_cells(uploaded.name, error, ctx)
        return
    ignored = export.ignored_edits(data, diff)
    if diff.is_empty:
        if ignored.total:
            st.info(t("an.export.pack_only_ignored", name=uploaded.name))
        else:
            st.info(t("an.export.pack_no_changes", name=uploaded.name))
    _ignored(ignored, uploaded.name, lang)
    use_cases = {case.id: case for case in ctx.loaded.workspace.use_cases}
    if diff.plan is not None and diff.plan.changed:
        _pack_plan(diff.plan, use_cases, uploaded.name, lang)
    if not diff.changes:
        return
    if diff.stale_use_cases:
        stale = ", ".join(use_cases[case_id].name if case_id in use_cases else case_id
                          for case_id in diff.stale_use_cases)
        st.warning(t("an.export.pack_stale", use_cases=stale))
    st.markdown(f"**{t('an.export.diff_title', count=len(diff.changes), name=uploaded.name)}**")
    st.caption(t("an.export.tick_caption"))
    editor_key = f"w.export.pick.{state.nonce(PACK_UPLOAD_NONCE)}"
    _changes_editor(diff.changes, use_cases, lang, editor_key)
    ticked = export.ticked_changes(diff.changes, state.widget_value(editor_key))
    st.button(t("an.export.apply", count=len(ticked)), on_click=_apply,
              args=(diff.changes, dict(ctx.loaded.versions), editor_key), type="primary", icon=":material/done_all:",
              key="w.export.apply", help=t("an.export.apply_help") if ctx.may("editor") else _needs("editor", ctx),
              disabled=not ticked or not ctx.may("editor"))


@store_access.safe_callback
def _save_pack_plan(change: PlanChange) -> None:
    name = state.widget_text(PACK_PLAN_NAME_WIDGET)
    if not name:
        state.flash("error", t("portfolio.plan_name_missing"))
        return
    export.save_pack_plan(change, name)
    state.bump_nonce(PACK_UPLOAD_NONCE)
    state.flash("success", t("portfolio.plan_saved", name=name))


def _pack_plan(change: PlanChange, use_cases: dict[str, UseCase], file_name: str, lang: str) -> None:
    """The Portfolio sheet's plan against the one exported: added and removed use cases, limits, totals, rules."""
    def named(ids) -> str:
        return ", ".join(use_cases[case_id].name if case_id in use_cases else case_id for case_id in ids) or "–"

    plan = export.pack_plan(change, file_name[:200] or "Excel")
    limits = [(t("portfolio.compare.budget"), "investment_eur", "investment"),
              (t("portfolio.compare.run_budget"), "run_budget_eur_per_month", "run_cost"),
              (t("portfolio.compare.capacity_budget"), "capacity_person_months", "capacity")]

    def limit(value, constraint) -> str:
        return t("portfolio.no_limit") if value is None else limit_amount(constraint, value, lang)

    edited_limits = [[label, f"{limit(change.exported_budgets[field], constraint)} → "
                             f"{limit(change.budgets[field], constraint)}"]
                     for label, field, constraint in limits if change.budgets[field] != change.exported_budgets[field]]
    rows = [[t("portfolio.export.added"), formatting.escape_markdown(named(change.added))],
            [t("portfolio.export.removed"), formatting.escape_markdown(named(change.removed))], *edited_limits,
            [t("portfolio.compare.npv"), formatting.eur(plan.npv_eur, lang)],
            [t("portfolio.compare.investment"), formatting.eur(plan.investment_eur, lang)],
            [t("portfolio.compare.count"), formatting.number(len(plan.chosen_ids), lang)]]
    st.markdown(f"**{t('portfolio.export.plan_title', name=file_name)}**")
    st.markdown(formatting.markdown_table([t("portfolio.compare.row"), t("portfolio.export.pack_value")], rows))
    issues = export.pack_plan_issues(change)
    if issues:
        names = {case_id: case.name for case_id, case in use_cases.items()}
        st.warning(f"{t('portfolio.export.issues')}\n{issue_lines(issues, names, lang)}", icon=":material/rule:")
    name, button = st.columns([3, 1], vertical_alignment="bottom")
    name.text_input(t("portfolio.plan_name"), key=PACK_PLAN_NAME_WIDGET, max_chars=200,
                    placeholder=t_plain("portfolio.export.plan_name_placeholder"))
    button.button(t("portfolio.export.save"), on_click=_save_pack_plan, args=(change,), type="primary",
                  icon=":material/bookmark_add:", key="w.export.save_pack_plan")


def _json_section(ctx: sidebar.PageContext) -> None:
    workspace = ctx.loaded.workspace
    st.download_button(
        t("an.export.json_download"), data=export.json_download(),
        file_name=f"workspace-{_slug(workspace.name)}.json", mime="application/json", icon=":material/save:",
        key="w.export.json_download", on_click="ignore",
    )
    if ctx.presentation:
        return
    uploader_key = f"w.export.json_upload.{state.nonce(JSON_UPLOAD_NONCE)}"
    st.file_uploader(t("an.export.json_upload"), type=["json"], key=uploader_key, help=t("an.export.json_upload_help"))
    frame.upload_hint(["json"])
    st.text_input(t("an.export.json_name"), key=JSON_NAME_WIDGET, max_chars=200,
                  placeholder=t("an.export.json_name_placeholder"))
    st.button(t("an.export.json_import"), on_click=_import_json, args=(uploader_key,), icon=":material/upload_file:",
              key="w.export.json_import")
    errors = state.ui_value(IMPORT_ERRORS) or []
    if errors:
        lines = formatting.markdown_lines(errors, bullets=True)
        st.error(f"{t('an.export.json_rejected', count=len(errors))}\n{lines}")


def _needs(role: str, ctx: sidebar.PageContext) -> str:
    """Why a control is disabled (S23): the role it needs and the session's."""
    return t("auth.needs_role", needed=label("role", role), held=label("role", ctx.role))


def _snapshots(ctx: sidebar.PageContext) -> None:
    lang, editor = ctx.language, ctx.may("editor")
    if not ctx.presentation:
        _snapshot_form(ctx, editor)
    items = export.snapshots()
    if not items:
        st.caption(t("an.export.no_snapshots"))
        return
    st.dataframe(
        pd.DataFrame({
            t("an.export.col_label"): [item.label for item in items],
            t("an.export.col_created"): [formatting.timestamp(item.created_at, lang) for item in items],
            t("an.export.col_actor"): [item.actor for item in items],
        }),
        hide_index=True, placeholder=formatting.MISSING, width="stretch",
    )
    if not ctx.presentation:
        _restore_choice(ctx, [item.label for item in items])


def _snapshot_form(ctx: sidebar.PageContext, editor: bool) -> None:
    with st.form("export.snapshot", clear_on_submit=True, border=False):
        st.text_input(t("an.export.snapshot_label"), key=SNAPSHOT_LABEL_WIDGET, max_chars=200,
                      placeholder=t("an.export.snapshot_placeholder"), disabled=not editor)
        st.form_submit_button(t("an.export.snapshot_create"), on_click=_create_snapshot, icon=":material/photo_camera:",
                              disabled=not editor, help=None if editor else _needs("editor", ctx))


def _restore_choice(ctx: sidebar.PageContext, labels: list[str]) -> None:
    choice, button = st.columns([3, 2], vertical_alignment="bottom")
    current = state.widget_value(RESTORE_WIDGET)
    choice.selectbox(t("an.export.restore_choice"), options=labels,
                     key=store_access.bind(RESTORE_WIDGET, current if current in labels else labels[0]))
    owner = ctx.may("owner")
    button.button(t("an.export.restore"), on_click=_restore_snapshot, icon=":material/history:", key="w.export.restore",
                  help=t("an.export.restore_help") if owner else _needs("owner", ctx), disabled=not owner)


def _audit(ctx: sidebar.PageContext) -> None:
    lang = ctx.language
    names = {case.id: case.name for case in ctx.loaded.workspace.use_cases}
    options = [ALL, *names]
    stored = state.ui_value(AUDIT_FILTER_CHOICE, ALL)
    filter_column, download_column = st.columns([3, 1], vertical_alignment="bottom")
    chosen = filter_column.selectbox(
        t("an.export.audit_filter"), options=options,
        format_func={ALL: t("an.export.audit_all"), **names}.__getitem__,
        key=store_access.bind(AUDIT_FILTER_WIDGET, stored if stored in options else ALL),
        on_change=_remember, args=(AUDIT_FILTER_CHOICE, AUDIT_FILTER_WIDGET),
    )
    use_case_id = chosen or None
    download_column.download_button(
        t("an.export.audit_csv"), data=export.audit_csv_download(use_case_id),
        file_name=f"audit-{_slug(ctx.loaded.workspace.name)}{'-' + _slug(use_case_id) if use_case_id else ''}.csv",
        mime="text/csv", icon=":material/receipt_long:", key="w.export.audit_csv", on_click="ignore",
    )
    if not ctx.presentation:
        _audit_privacy()
    entries = export.audit_entries(use_case_id)
    if not entries:
        st.caption(t("an.export.audit_empty"))
        return
    st.dataframe(export.audit_table(entries, names, lang), hide_index=True,
    placeholder=formatting.MISSING, width="stretch")
    st.caption(t("an.export.audit_count", count=formatting.number(len(entries), lang),
                 limit=formatting.number(export.AUDIT_VIEW_LIMIT, lang)))


def _save_audit_privacy(toggle_key: str, months_key: str) -> None:
    months = int(state.widget_value(months_key) or 0)
    export.save_audit_privacy(bool(state.widget_value(toggle_key)), months or None)


def _audit_privacy() -> None:
    """S23: the workspace's audit privacy rules; a change is audited and applies to the entries already there."""
    settings = export.audit_privacy()
    toggle_key = f"w.export.audit_pseudonymised.{state.workspace_id()}"
    months_key = f"w.export.audit_retention.{state.workspace_id()}"
    left, right = st.columns(2)
    left.toggle(t("audit.privacy.pseudonymised"), key=store_access.bind(toggle_key, settings.audit_pseudonymised),
                help=t("audit.privacy.pseudonymised_help"), on_change=_save_audit_privacy,
                args=(toggle_key, months_key))
    right.number_input(t("audit.privacy.retention"), min_value=0, max_value=240, step=1,
                       key=store_access.bind(months_key, settings.audit_retention_months or 0),
                       help=t("audit.privacy.retention_help"), on_change=_save_audit_privacy,
                       args=(toggle_key, months_key))


ctx = sidebar.render("an.export.title", ":material/download:", "an.export.caption")
with sidebar.guard():
    with st.container(border=True):
        # Presentation mode (issue 13): what the room reads and downloads; the imports and settings are hidden.
        pack, upload = st.columns(2, gap="large") if not ctx.presentation else (st.container(), None)
        with pack:
            frame.subheader("an.export.pack_title")
            _pack_section(ctx)
        if upload is not None:
            with upload:
                frame.subheader("an.export.pack_upload_title")
                uploaded_pack = _pack_uploader()
            if uploaded_pack is not None:
                _pack_diff(ctx, uploaded_pack)
    workspace_json, snapshots = st.columns(2, gap="large")
    with workspace_json, st.container(border=True, height="stretch"):
        frame.subheader("an.export.json_title")
        _json_section(ctx)
    with snapshots, st.container(border=True, height="stretch"):
        frame.subheader("an.export.snapshots_title")
        _snapshots(ctx)
    with st.container(border=True):
        frame.subheader("an.export.audit_title")
        _audit(ctx)
