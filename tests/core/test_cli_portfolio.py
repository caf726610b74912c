"""python -m core.cli portfolio-plan: the S20 plan as JSON, the same figures as the core, exit 2 without a plan."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from core.cli import main
from core.models import Workspace
from core.portfolio import Budgets, compare_rules, efficient_frontier, plan_portfolio
from core.portfolio_workspace import portfolio_items
from core.store import Store, canonical_json

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = "Beispiel GmbH – KI-Portfolio"


@pytest.fixture
def cli(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    store = Store(url)
    store.ensure_sample_workspace()
    store.dispose()

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["--database", url, "--actor", "Ada", *args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    run.url = url
    return run


def sample_workspace() -> Workspace:
    return Workspace.model_validate_json((ROOT / "sample_data" / "workspace.json").read_text(encoding="utf-8"))


def test_json_has_the_contract_keys_and_the_core_figures(cli):
    code, out, err = cli("portfolio-plan", SAMPLE, "--budget", "600000", "--json")
    assert code == 0 and err == ""
    document = json.loads(out)
    contract = {"chosen", "npv_eur", "investment_eur", "run_cost_eur_per_month", "capacity_person_months", "binding",
                "by_score", "frontier"}
    assert set(document) == contract | {"by_npv_per_euro"}
    items = portfolio_items(sample_workspace())
    budgets = Budgets(investment_eur=600_000)
    plan = plan_portfolio(items, budgets)
    by_score, by_npv_per_euro = compare_rules(items, budgets, plan)
    assert document["chosen"] == list(plan.chosen_ids)
    # Sample at 600 k€: invoice, tickets, e-mail triage, chatbot and demand forecasting, 485 k€ (S20 by hand:
    # the contract search would need 145 k€ more, the rest adds no NPV or is high risk without a DPIA).
    assert set(document["chosen"]) == {"invoice-extraction", "ticket-classification", "email-triage",
                                       "support-chatbot", "demand-forecasting"}
    assert document["investment_eur"] == 485_000.0 and document["binding"] == ["investment"]
    assert document["npv_eur"] == pytest.approx(plan.npv_eur, abs=1e-6)
    assert document["run_cost_eur_per_month"] == 34_200.0 and document["capacity_person_months"] == 30.0
    assert document["by_score"] == {"chosen": list(by_score.chosen_ids), "npv_eur": pytest.approx(by_score.npv_eur)}
    assert "quality-inspection" in document["by_score"]["chosen"]  # the score ranking funds a negative NPV
    assert document["by_npv_per_euro"] == {"chosen": list(by_npv_per_euro.chosen_ids),
                                           "npv_eur": pytest.approx(by_npv_per_euro.npv_eur)}
    # NPV per € funds the chatbot (11.3 €/€), tickets, invoice, e-mail and demand forecasting like the optimum, then
    # the contract search (0.25 €/€) does not fit the 115 k€ left: the same plan, nothing left on the table.
    assert set(document["by_npv_per_euro"]["chosen"]) == set(document["chosen"])
    frontier = efficient_frontier(items, budgets)
    assert [level["budget_eur"] for level in document["frontier"]] == pytest.approx(frontier.budget_eur.tolist())
    assert [level["npv_eur"] for level in document["frontier"]] == pytest.approx(frontier.npv_eur.tolist())
    assert len(document["frontier"]) == 20


@pytest.mark.parametrize("budget", ["600000", "700000"])
def test_run_budget_and_capacity_limit_the_plan(cli, budget):
    code, out, _ = cli("portfolio-plan", SAMPLE, "--budget", budget, "--capacity", "10", "--run-budget",
                       "20000", "--json")
    document = json.loads(out)
    assert code == 0 and document["capacity_person_months"] <= 10 and document["run_cost_eur_per_month"] <= 20_000
    assert document["chosen"] == ["support-chatbot"]  # 9 PM, 18,000 €/month, the largest NPV that fits
    # No use case fits beside the chatbot, but without the capacity limit invoice, tickets, e-mail and demand
    # forecasting (21 PM, 16,200 €/month, 365 k€) make 1,394 k€ > 1,355 k€: the capacity binds. Without the run
    # budget (or the investment budget) 10 PM still allow nothing better than the chatbot.
    assert document["binding"] == ["capacity"]
    code, out, _ = cli("portfolio-plan", SAMPLE, "--budget", budget, "--run-budget", "20000", "--json")
    assert json.loads(out)["npv_eur"] == pytest.approx(1_394_245.81, abs=0.01)


def test_text_output_and_save(cli):
    code, out, _ = cli("portfolio-plan", SAMPLE, "--budget", "300000", "--save", "Budget 2027 – CLI")
    assert code == 0 and "chosen\t" in out and "saved as plan 'Budget 2027 – CLI'" in out
    assert "\nby_score npv_eur\t" in out and "\nby_npv_per_euro npv_eur\t" in out
    store = Store(cli.url)
    workspace_id = store.workspace_id_by_name(SAMPLE)
    stored = store.get_plan(workspace_id, "Budget 2027 – CLI")
    assert stored.actor == "Ada" and stored.plan.source == "cli" and stored.plan.budgets.investment_eur == 300_000
    assert store.audit(workspace_id, limit=1)[0].action == "save_plan"
    store.dispose()


def test_infeasible_plan_exits_2_naming_the_use_cases_and_the_limit(cli, tmp_path):
    workspace = sample_workspace()
    musts = ("support-chatbot", "quality-inspection")
    workspace = workspace.model_copy(update={"name": "Musts", "use_cases": tuple(
        case.model_copy(update={"funding": "must"}) if case.id in musts else case for case in workspace.use_cases)})
    path = tmp_path / "musts.json"
    path.write_text(canonical_json(workspace), encoding="utf-8")
    assert cli("workspaces", "import", str(path))[0] == 0
    code, out, err = cli("portfolio-plan", "Musts", "--budget", "200000", "--json")
    assert code == 2 and out == ""
    assert err.startswith("error: no plan:") and "support-chatbot" in err and "quality-inspection" in err
    assert "345,000.00 €" in err and "200,000.00 €" in err  # 120 k€ + 225 k€ of musts against 200 k€
    assert err.count("\n") == 1


def test_unknown_workspace_and_bad_arguments(cli):
    assert cli("portfolio-plan", "nope", "--budget", "1")[0] == 1
    with pytest.raises(SystemExit) as exit_info:
        main(["portfolio-plan", SAMPLE])
    assert exit_info.value.code == 2


def test_runs_as_a_module(tmp_path):
    url = f"sqlite:///{tmp_path / 'module.db'}"
    store = Store(url)
    store.ensure_sample_workspace()
    store.dispose()
    completed = subprocess.run([sys.executable, "-m", "core.cli", "--database", url, "portfolio-plan", SAMPLE,
                                "--budget", "600000", "--json"], capture_output=True, text=True, cwd=ROOT,
                               check=False)
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["investment_eur"] == 485_000.0
    assert "HighsMipSolverData" not in completed.stdout


def test_import_pack_saves_the_edited_funded_flags_as_a_plan(cli, tmp_path):
    import openpyxl

    pack = tmp_path / "pack.xlsx"
    assert cli("export", SAMPLE, "--out", str(pack))[0] == 0
    book = openpyxl.load_workbook(pack)
    sheet = book["Portfolio"]
    row = next(cell.row for cell in sheet["A"] if cell.value == "quality-inspection")
    sheet[f"F{row}"].value = 1
    book.save(pack)
    code, out, _ = cli("import-pack", str(pack), "--workspace", SAMPLE)
    assert code == 0 and "portfolio plan" in out and "+quality-inspection" in out and "--apply" in out
    code, out, _ = cli("import-pack", str(pack), "--workspace", SAMPLE, "--apply", "--plan-name", "Finance 2027")
    assert code == 0 and "saved the portfolio plan as 'Finance 2027'" in out
    store = Store(cli.url)
    stored = store.get_plan(store.workspace_id_by_name(SAMPLE), "Finance 2027")
    assert "quality-inspection" in stored.plan.chosen_ids and stored.plan.source == "excel"
    store.dispose()
