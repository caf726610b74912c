"""Command line for workspaces, snapshots, audit trail, backups and Excel packs: ``python -m core.cli --help``.

With roles on (S23: a shared deployment with sign-in turned access control on in the database) the CLI acts as
the service identity in env ``WORKBENCH_SERVICE_IDENTITY`` (an e-mail or OIDC subject holding roles, or listed in
``WORKBENCH_ADMINS``), never as ``--actor``; a write its role does not allow fails with "permission denied".

Every error ends the program with exit code 1 (2 for bad arguments, and for a portfolio plan that no plan satisfies)
and one line on stderr, never a traceback.
Example: ``python -m core.cli --actor Ada workspaces import sample_data/workspace.json --name "Workshop A"``.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError

from core.business_case import BusinessCaseResult, use_case_business_case
from core.models import PlanBudgets, Workspace
from core.portfolio import Budgets, PlanInfeasible, compare_rules, efficient_frontier, plan_portfolio
from core.portfolio_workspace import portfolio_items, saved_plan
from core.store import MAX_IMPORT_BYTES, LoadedWorkspace, PermissionDenied, Store, StoreError

if TYPE_CHECKING:  # only for annotations: openpyxl need not slow down other commands
    from core.excel import PackDiff, PlanChange

SERVICE_IDENTITY_ENV = "WORKBENCH_SERVICE_IDENTITY"


class CliError(Exception):
    """A user-facing failure: its message is printed as the single error line."""


def _default_actor() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _read_limited(path: str, limit: int = MAX_IMPORT_BYTES) -> bytes:
    file = Path(path)
    if not file.is_file():
        raise CliError(f"{path}: no such file")
    if file.stat().st_size > limit:
        raise CliError(f"{path}: {file.stat().st_size / 2**20:.1f} MiB exceeds the {limit / 2**20:.0f} MiB limit")
    return file.read_bytes()


def _write_text(path: str, text: str) -> None:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")


def schema_text() -> str:
    """The JSON Schema of :class:`core.models.Workspace` exactly as shipped in ``schema/workspace.schema.json``."""
    return json.dumps(Workspace.model_json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _workspaces_list(store: Store, args: argparse.Namespace) -> None:
    roles_on = store.access_control_enabled()
    infos = store.workspaces_for(args.actor) if roles_on else store.list_workspaces()
    if not infos:
        print("no workspaces")
    for info in infos:
        role = f"\t{info.role}" if roles_on else ""
        print(f"{info.name}\t{info.use_case_count} use cases\tupdated {info.updated_at:%Y-%m-%d %H:%M} UTC{role}")


def _acting_as(store: Store, args: argparse.Namespace) -> None:
    """With roles on, every write acts as the configured service identity (S23), not as the typed ``--actor``."""
    if store.access_control_enabled():
        args.actor = os.environ.get(SERVICE_IDENTITY_ENV, "").strip() or args.actor


def _workspaces_import(store: Store, args: argparse.Namespace) -> None:
    workspace_id = store.import_json(_read_limited(args.file), args.actor, name=args.name)
    loaded = store.load(workspace_id)
    print(f"imported '{loaded.workspace.name}' with {len(loaded.workspace.use_cases)} use cases")


def _workspaces_export(store: Store, args: argparse.Namespace) -> None:
    _write_text(args.out, store.export_json(store.workspace_id_by_name(args.name)))
    print(f"wrote {args.out}")


def _snapshot(store: Store, args: argparse.Namespace) -> None:
    info = store.create_snapshot(store.workspace_id_by_name(args.name), args.label, args.actor)
    print(f"snapshot '{info.label}' of '{args.name}' created")


def _restore(store: Store, args: argparse.Namespace) -> None:
    store.restore_snapshot(store.workspace_id_by_name(args.name), args.snapshot, args.actor)
    print(f"'{args.name}' restored to snapshot '{args.snapshot}'")


def _audit(store: Store, args: argparse.Namespace) -> None:
    workspace_id = store.workspace_id_by_name(args.name)
    if args.csv:
        _write_text(args.csv, store.audit_csv(workspace_id, args.use_case, coalesce=not args.raw))
        print(f"wrote {args.csv}")
        return
    for entry in store.audit(workspace_id, args.use_case, coalesce=not args.raw):
        change = f"{entry.old_value} -> {entry.new_value}" if entry.field_path else (entry.new_value or "")
        steps = f"\t({entry.steps} steps)" if entry.steps > 1 else ""
        print(f"{entry.at:%Y-%m-%d %H:%M:%S} UTC\t{entry.actor}\t{entry.use_case_id or '-'}\t{entry.action}\t"
              f"{entry.field_path or '-'}\t{change}{steps}")


def _audit_verify(store: Store, _args: argparse.Namespace) -> None:
    """Issue 12: recompute the chain; exit 1 with the first broken link, after re-creating missing triggers."""
    notices = store.startup_check()
    for notice in notices:
        if notice.kind != "chain_broken":
            print(notice.text)
    report = store.verify_audit()
    if not report.ok:
        raise CliError(report.sentence())
    print(report.sentence())


def _audit_erase(store: Store, args: argparse.Namespace) -> None:
    """S23: a data subject's erasure request: the identity becomes a pseudonym everywhere; one entry says so."""
    report = store.erase_identity(args.identity, args.actor)
    if not report.pseudonyms:
        print("nothing to erase: no workspace's audit trail, authors or rounds hold that identity")
        return
    names = {info.id: info.name for info in store.list_workspaces()}
    for workspace_id, pseudonym in report.pseudonyms.items():
        print(f"{names.get(workspace_id, workspace_id)}\tnow {pseudonym}")
    print("rows changed\t" + ", ".join(f"{table} {count}" for table, count in sorted(report.rows.items())))
    print(store.verify_audit().sentence())


def _audit_retention(store: Store, _args: argparse.Namespace) -> None:
    """S23: apply every workspace's retention now (the app also does at start-up)."""
    changed = store.apply_retention()
    print(f"retention applied: {changed} identities replaced by their pseudonyms")


def _backup(store: Store, args: argparse.Namespace) -> None:
    print(f"wrote {store.backup(args.out)}")


def _schema(_store: Store | None, args: argparse.Namespace) -> None:
    _write_text(args.out, schema_text())
    print(f"wrote {args.out}")


def _business_case_json(use_case_id: str, result: BusinessCaseResult) -> dict[str, object]:
    return {"use_case_id": use_case_id, **result.to_json_dict()}


def _business_case_line(use_case_id: str, result: BusinessCaseResult) -> str:
    def shown(value: float | int | None, pattern: str) -> str:
        return "-" if value is None else format(value, pattern)

    return (f"{use_case_id}\tC0 {result.investment_eur:,.0f} €\tNPV {result.npv_eur:,.2f} €\t"
            f"IRR {shown(result.irr_annual, '.1%')}/year\tpayback month {shown(result.payback_month, 'd')}\t"
            f"horizon ROI {shown(result.horizon_roi, '.4f')}")


def _business_case(store: Store, args: argparse.Namespace) -> None:
    """S19 business case of one or every use case; the rate is the use case's own, else the workspace default."""
    workspace = store.load(store.workspace_id_by_name(args.workspace)).workspace
    if args.use_case_id is not None and args.use_case_id not in {case.id for case in workspace.use_cases}:
        raise CliError(f"no use case '{args.use_case_id}' in '{args.workspace}'")
    chosen = [case for case in workspace.use_cases if args.use_case_id in (None, case.id)]
    results = [(case.id, use_case_business_case(case, workspace.default_discount_rate_per_year)) for case in chosen]
    if not args.json:
        for use_case_id, result in results:
            print(_business_case_line(use_case_id, result))
        return
    documents = [_business_case_json(use_case_id, result) for use_case_id, result in results]
    print(json.dumps(documents[0] if args.use_case_id is not None else documents, indent=2, ensure_ascii=False,
                     allow_nan=False))


def portfolio_plan_document(workspace: Workspace, budgets: Budgets) -> dict[str, object]:
    """S20 plan of a workspace as the CLI prints it: chosen ids (best S3 score first), totals, binding limits,
    the plans of the two simple rules at the same limits (by S3 score; by NPV per € invested, a key beyond the
    issue's contract) and the 20-level frontier. Raises :class:`PlanInfeasible`."""
    items = portfolio_items(workspace)
    plan = plan_portfolio(items, budgets)
    by_score, by_npv_per_euro = compare_rules(items, budgets, plan)
    frontier = efficient_frontier(items, budgets)
    return {
        "chosen": list(plan.chosen_ids), "npv_eur": plan.npv_eur, "investment_eur": plan.investment_eur,
        "run_cost_eur_per_month": plan.run_cost_eur_per_month,
        "capacity_person_months": plan.capacity_person_months, "binding": list(plan.binding),
        "by_score": {"chosen": list(by_score.chosen_ids), "npv_eur": by_score.npv_eur},
        "by_npv_per_euro": {"chosen": list(by_npv_per_euro.chosen_ids), "npv_eur": by_npv_per_euro.npv_eur},
        "frontier": [{"budget_eur": float(budget), "npv_eur": float(npv)}
                     for budget, npv in zip(frontier.budget_eur, frontier.npv_eur, strict=True)],
    }


def _portfolio_plan(store: Store, args: argparse.Namespace) -> None:
    """S20: the best set of use cases for the budgets; --save stores it as a named plan (audited)."""
    workspace_id = store.workspace_id_by_name(args.workspace)
    workspace = store.load(workspace_id).workspace
    budgets = Budgets(investment_eur=args.budget, run_budget_eur_per_month=args.run_budget,
                      capacity_person_months=args.capacity)
    document = portfolio_plan_document(workspace, budgets)
    if args.save:
        chosen = document["chosen"]
        store.save_plan(workspace_id, saved_plan(args.save, portfolio_items(workspace), budgets, chosen,
                                                 source="cli"), args.actor)
    if args.json:
        print(json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False))
        return
    print(f"chosen\t{', '.join(document['chosen']) or '-'}")
    for key in ("npv_eur", "investment_eur", "run_cost_eur_per_month", "capacity_person_months"):
        print(f"{key}\t{document[key]:,.2f}")
    print(f"binding\t{', '.join(document['binding']) or '-'}")
    for rule in ("by_score", "by_npv_per_euro"):
        print(f"{rule} npv_eur\t{document[rule]['npv_eur']:,.2f}")
    if args.save:
        print(f"saved as plan '{args.save}'")


def _export_pack(store: Store, args: argparse.Namespace) -> None:
    from core.excel import build_pack  # only here: XlsxWriter need not slow down every other command

    workspace_id = store.workspace_id_by_name(args.workspace)
    loaded = store.load(workspace_id)
    unknown = sorted(set(args.use_case or ()) - set(loaded.versions))
    if unknown:
        raise CliError(f"no use case {', '.join(repr(u) for u in unknown)} in '{args.workspace}'")
    data = build_pack(loaded, args.use_case or None, author=store.shown_identity(workspace_id, args.actor),
                      audit_entries=store.audit(workspace_id, coalesce=True), language=args.language)
    target = Path(args.out)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    print(f"wrote {args.out}")


def _import_pack(store: Store, args: argparse.Namespace) -> None:
    from core.excel import PackRejected, read_pack  # only here: openpyxl need not slow down other commands

    workspace_id = store.workspace_id_by_name(args.workspace)
    loaded = store.load(workspace_id)
    try:
        diff = read_pack(_read_limited(args.pack), loaded)
    except PackRejected as error:
        raise CliError(f"{args.pack}: {error}") from None
    if diff.is_empty:
        print("no changes")
        return
    plan = _print_pack_diff(diff)
    if not args.apply:
        print(f"{len(diff.changes)} changes found{', and a changed portfolio plan' if plan else ''}; "
              "run again with --apply to save them")
        return
    if plan is not None:
        _save_pack_plan(store, args, workspace_id, loaded, plan)
    if diff.changes:
        _apply_pack_changes(store, args, workspace_id, loaded, diff)


def _print_pack_diff(diff: PackDiff) -> PlanChange | None:
    """Print each changed cell and a changed portfolio plan; return that plan (None when unchanged)."""
    for change in diff.changes:
        print(f"{change.use_case_id}\t{change.field_path}\t{change.old!r} -> {change.new!r}")
    plan = diff.plan if diff.plan is not None and diff.plan.changed else None
    if plan is not None:
        print(f"portfolio plan\tfunded {', '.join(plan.funded_ids) or '-'}\t+{', '.join(plan.added) or '-'}"
              f"\t-{', '.join(plan.removed) or '-'}\tlimits {json.dumps(plan.budgets)}")
    return plan


def _save_pack_plan(store: Store, args: argparse.Namespace, workspace_id: str, loaded: LoadedWorkspace,
                    plan: PlanChange) -> None:
    """S20: the pack's funded flags and limits as a saved plan named --plan-name (default: Excel <file name>)."""
    name = args.plan_name or f"Excel {Path(args.pack).name}"
    document = saved_plan(name, portfolio_items(loaded.workspace), PlanBudgets(**plan.budgets),
                          plan.funded_ids, source="excel")
    store.save_plan(workspace_id, document, args.actor)
    print(f"saved the portfolio plan as '{name}'")


def _apply_pack_changes(store: Store, args: argparse.Namespace, workspace_id: str, loaded: LoadedWorkspace,
                        diff: PackDiff) -> None:
    """Save the pack's changed cells, refusing a use case edited in the app since the export."""
    # The versions the pack was exported from: a use case edited in the app since then is a conflict.
    exported = getattr(diff, "exported_versions", None) or {}
    expected = {change.use_case_id: exported.get(change.use_case_id, loaded.versions.get(change.use_case_id, 0))
                for change in diff.changes}
    store.apply_changes(
        workspace_id,
        [(change.use_case_id, change.field_path, change.new) for change in diff.changes],
        expected,
        args.actor,
    )
    print(f"applied {len(diff.changes)} changes to '{args.workspace}'")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"error: {message} (see --help)\n")


def _add_workspace_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``workspaces list|import|export``."""
    workspaces = commands.add_parser("workspaces", help="list, import or export workspaces")
    workspace_commands = workspaces.add_subparsers(dest="workspace_command", required=True, parser_class=_Parser)
    workspace_commands.add_parser("list", help="all workspaces").set_defaults(handler=_workspaces_list)
    importing = workspace_commands.add_parser("import", help="import a workspace JSON file")
    importing.add_argument("file")
    importing.add_argument("--name", help="store under this name instead of the one in the file")
    importing.set_defaults(handler=_workspaces_import)
    exporting = workspace_commands.add_parser("export", help="write a workspace as JSON")
    exporting.add_argument("name")
    exporting.add_argument("--out", required=True)
    exporting.set_defaults(handler=_workspaces_export)


def _add_snapshot_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``snapshot`` and ``restore``."""
    snapshot = commands.add_parser("snapshot", help="save a labelled copy of a workspace")
    snapshot.add_argument("name")
    snapshot.add_argument("--label", required=True)
    snapshot.set_defaults(handler=_snapshot)

    restore = commands.add_parser("restore", help="restore a workspace to a snapshot (history is kept)")
    restore.add_argument("name")
    restore.add_argument("--snapshot", required=True)
    restore.set_defaults(handler=_restore)


def _add_audit_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``audit show|verify|erase|retention``."""
    audit = commands.add_parser("audit", help="show, export or verify the audit trail; erasure and retention",
                                description="audit NAME is short for audit show NAME")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True, parser_class=_Parser)
    show = audit_commands.add_parser("show", help="a workspace's audit trail (a drag's steps merged)")
    show.add_argument("name")
    show.add_argument("--use-case", dest="use_case")
    show.add_argument("--csv", help="write CSV to this file instead of printing")
    show.add_argument("--raw", action="store_true", help="every stored entry, steps not merged")
    show.set_defaults(handler=_audit)
    audit_commands.add_parser("verify", help="check the hash chain; exit 1 naming the first broken link").set_defaults(
        handler=_audit_verify, check=False)
    erase = audit_commands.add_parser("erase", help="erasure request: replace a person by a pseudonym everywhere")
    erase.add_argument("--identity", required=True, help="the name, e-mail or subject as the audit trail recorded it")
    erase.set_defaults(handler=_audit_erase)
    audit_commands.add_parser("retention", help="apply each workspace's retention now").set_defaults(
        handler=_audit_retention)


def _add_maintenance_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``backup`` and ``schema``: no workspace involved."""
    backup = commands.add_parser("backup", help="online backup of the SQLite database")
    backup.add_argument("--out", required=True)
    backup.set_defaults(handler=_backup)

    schema = commands.add_parser("schema", help="write the workspace JSON Schema")
    schema.add_argument("--out", required=True)
    schema.set_defaults(handler=_schema, needs_store=False)


def _add_figure_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``business-case`` (S19) and ``portfolio-plan`` (S20)."""
    business = commands.add_parser("business-case", help="S19 NPV, IRR, payback and monthly cash flows")
    business.add_argument("workspace")
    business.add_argument("use_case_id", nargs="?", help="one use case (default: every use case, as a list)")
    business.add_argument("--json", action="store_true", help="print JSON (undefined figures are null)")
    business.set_defaults(handler=_business_case)

    plan = commands.add_parser("portfolio-plan", help="S20 best set of use cases for a budget (exit 2: no plan)")
    plan.add_argument("workspace")
    plan.add_argument("--budget", type=float, required=True, metavar="EUR", help="investment budget in €")
    plan.add_argument("--run-budget", dest="run_budget", type=float, metavar="EUR", help="run budget in € per month")
    plan.add_argument("--capacity", type=float, metavar="PM", help="team capacity in person-months")
    plan.add_argument("--save", metavar="NAME", help="also save the plan under this name (audit trail)")
    plan.add_argument("--json", action="store_true", help="print JSON")
    plan.set_defaults(handler=_portfolio_plan)


def _add_pack_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``export`` and ``import-pack``: the Excel decision pack."""
    export = commands.add_parser("export", help="write the Excel decision pack")
    export.add_argument("workspace")
    export.add_argument("--out", required=True)
    export.add_argument("--use-case", dest="use_case", action="append", help="limit to these use cases (repeatable)")
    export.add_argument("--language", choices=("en", "de"), default="en", help="labels in English or German")
    export.set_defaults(handler=_export_pack)

    import_pack = commands.add_parser("import-pack", help="read an edited decision pack; --apply saves it")
    import_pack.add_argument("pack")
    import_pack.add_argument("--workspace", required=True)
    import_pack.add_argument("--apply", action="store_true")
    import_pack.add_argument("--plan-name", dest="plan_name", help="name of the portfolio plan saved from the pack "
                             "when its funded flags or limits changed (default: Excel <file name>)")
    import_pack.set_defaults(handler=_import_pack)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m core.cli", description="AI use-case workbench: workspaces and files.")
    parser.add_argument("--database", help="database URL (default: env WORKBENCH_DATABASE_URL, else data/workbench.db)")
    parser.add_argument("--actor", default=_default_actor(),
                        help="display name for the audit trail (default: OS user); with roles on, the CLI acts as "
                        f"env {SERVICE_IDENTITY_ENV} instead")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    _add_workspace_commands(commands)
    _add_snapshot_commands(commands)
    _add_audit_commands(commands)
    _add_maintenance_commands(commands)
    _add_figure_commands(commands)
    _add_pack_commands(commands)
    return parser


AUDIT_COMMANDS = ("show", "verify", "erase", "retention", "-h", "--help")


def _with_audit_show(argv: Sequence[str]) -> list[str]:
    """``audit NAME …`` as before the audit subcommands: the same as ``audit show NAME …``."""
    arguments = list(argv)
    index = 0
    while index < len(arguments) and arguments[index].startswith("-"):
        index += 2 if arguments[index] in ("--database", "--actor") else 1
    if (index + 1 < len(arguments) and arguments[index] == "audit"
            and arguments[index + 1] not in AUDIT_COMMANDS):
        arguments.insert(index + 1, "show")
    return arguments


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(_with_audit_show(sys.argv[1:] if argv is None else argv))
    try:
        store = (Store(args.database, check=getattr(args, "check", True)) if getattr(args, "needs_store", True)
                 else None)
        try:
            if store is not None:
                _acting_as(store, args)
            args.handler(store, args)
        finally:
            if store is not None:
                store.dispose()
    except PermissionDenied as error:
        print(f"error: {error} (the CLI acts as env {SERVICE_IDENTITY_ENV}: an e-mail or subject holding that "
              "role, or an instance admin's e-mail in WORKBENCH_ADMINS)", file=sys.stderr)
        return 1
    except PlanInfeasible as error:
        print(f"error: no plan: {' '.join(str(error).split())}", file=sys.stderr)
        return 2
    except (CliError, StoreError, ValueError, ValidationError, OSError) as error:
        print(f"error: {' '.join(str(error).split())}", file=sys.stderr)
        return 1
    except SQLAlchemyError as error:
        detail = " ".join(str(getattr(error, "orig", None) or error).split())
        print(f"error: database: {detail[:300]}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
