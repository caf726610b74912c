"""python -m core.cli: every subcommand, and one-line errors with a non-zero exit code."""

import csv
import io
import json
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest

from core.cli import main, schema_text
from core.models import RoiInputs, ScoringInputs, UseCase, Workspace, with_value
from core.store import Store, canonical_json

ROOT = Path(__file__).resolve().parents[2]


def make_workspace(name: str = "Workshop A") -> Workspace:
    use_cases = tuple(
        UseCase(
            id=f"uc-{index}",
            name=f"Use case {index}",
            created_at=datetime(2025, 1, 6, tzinfo=UTC),
            updated_at=datetime(2025, 1, 6, tzinfo=UTC),
            scoring=ScoringInputs(cycle_time_reduction=0.6, cost_reduction=0.4, error_reduction=0.3,
                                  data_availability=0.7, integration_effort=0.5, compliance_risk=0.2,
                                  change_effort=0.4),
            roi=RoiInputs(volume_cases_per_month=50_000, adoption=0.62, minutes_saved_per_case=2.4,
                          cost_per_minute_eur=0.85, error_cost_per_case_eur=1.10, error_rate_reduction=0.18,
                          run_cost_eur_per_month=18_000),
        )
        for index in range(3)
    )
    return Workspace(name=name, use_cases=use_cases)


@pytest.fixture
def cli(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'cli.db'}"

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["--database", url, "--actor", "Ada", *args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    run.url = url
    return run


@pytest.fixture
def workspace_file(tmp_path):
    path = tmp_path / "workspace.json"
    path.write_text(canonical_json(make_workspace()), encoding="utf-8")
    return path


def test_import_list_export_round_trip(cli, workspace_file, tmp_path):
    assert cli("workspaces", "list")[1] == "no workspaces\n"
    code, out, _ = cli("workspaces", "import", str(workspace_file))
    assert code == 0 and "imported 'Workshop A' with 3 use cases" in out
    code, out, _ = cli("workspaces", "import", str(workspace_file), "--name", "Workshop B")
    assert code == 0
    code, out, _ = cli("workspaces", "list")
    assert [line.split("\t")[:2] for line in out.splitlines()] == [["Workshop A", "3 use cases"],
                                                                   ["Workshop B", "3 use cases"]]
    exported = tmp_path / "out" / "a.json"
    assert cli("workspaces", "export", "Workshop A", "--out", str(exported))[0] == 0
    assert exported.read_text(encoding="utf-8") == workspace_file.read_text(encoding="utf-8")


def test_snapshot_restore_and_audit(cli, workspace_file, tmp_path):
    cli("workspaces", "import", str(workspace_file))
    assert cli("snapshot", "Workshop A", "--label", "before workshop")[0] == 0
    store = Store(cli.url)
    workspace_id = store.workspace_id_by_name("Workshop A")
    use_case, version = store.get_use_case(workspace_id, "uc-1")
    store.save_use_case(workspace_id, with_value(use_case, "roi.adoption", 0.3), version, actor="Bob")
    store.dispose()

    code, out, _ = cli("restore", "Workshop A", "--snapshot", "before workshop")
    assert code == 0 and "restored" in out
    code, out, _ = cli("audit", "Workshop A", "--use-case", "uc-1")
    rows = [line.split("\t") for line in out.splitlines()]
    assert [(r[1], r[3], r[4], r[5]) for r in rows] == [
        ("Ada", "restore_snapshot", "roi.adoption", "0.3 -> 0.62"),
        ("Bob", "update_use_case", "roi.adoption", "0.62 -> 0.3"),
    ]
    target = tmp_path / "audit.csv"
    assert cli("audit", "Workshop A", "--csv", str(target))[0] == 0
    records = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert {r["action"] for r in records} >= {"import_workspace", "create_snapshot", "update_use_case",
                                              "restore_snapshot"}


def test_backup_writes_a_checked_copy(cli, workspace_file, tmp_path):
    cli("workspaces", "import", str(workspace_file))
    target = tmp_path / "backup.db"
    code, out, _ = cli("backup", "--out", str(target))
    assert code == 0 and str(target) in out
    with sqlite3.connect(target) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT name FROM workspaces").fetchall() == [("Workshop A",)]


def test_shipped_schema_is_up_to_date(tmp_path, capsys):
    shipped = ROOT / "schema" / "workspace.schema.json"
    assert main(["schema", "--out", str(tmp_path / "schema.json")]) == 0
    assert (tmp_path / "schema.json").read_text(encoding="utf-8") == schema_text()
    assert shipped.read_text(encoding="utf-8") == schema_text(), (
        "schema/workspace.schema.json is stale: run python -m core.cli schema --out schema/workspace.schema.json"
    )
    assert json.loads(schema_text())["title"] == "Workspace"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("workspaces", "export", "Nope", "--out", "x.json"), "no workspace named 'Nope'"),
        (("snapshot", "Nope", "--label", "x"), "no workspace named 'Nope'"),
        (("restore", "Workshop A", "--snapshot", "never"), "no snapshot labelled 'never'"),
        (("audit", "Nope"), "no workspace named 'Nope'"),
        (("workspaces", "import", "missing.json"), "missing.json: no such file"),
    ],
)
def test_errors_are_one_line_with_non_zero_exit(cli, workspace_file, args, message):
    cli("workspaces", "import", str(workspace_file))
    code, _, err = cli(*args)
    assert code != 0
    assert err.startswith("error: ") and err.count("\n") == 1 and message in err
    assert "Traceback" not in err


def test_rejected_import_names_the_json_path(cli, tmp_path):
    document = json.loads(canonical_json(make_workspace()))
    document["use_cases"][2]["roi"]["adoption"] = 7
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(document, indent=2), encoding="utf-8")
    code, _, err = cli("workspaces", "import", str(bad))
    assert code == 1 and "use_cases[2].roi.adoption" in err and err.count("\n") == 1
    assert cli("workspaces", "list")[1] == "no workspaces\n"


def test_python_dash_m_entry_point(tmp_path, workspace_file):
    database = f"sqlite:///{tmp_path / 'sub.db'}"
    ok = subprocess.run(
        [sys.executable, "-m", "core.cli", "--database", database, "workspaces", "import", str(workspace_file)],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert ok.returncode == 0, ok.stderr
    failed = subprocess.run(
        [sys.executable, "-m", "core.cli", "--database", database, "workspaces", "import", str(workspace_file)],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert failed.returncode == 1
    assert failed.stderr.count("\n") == 1 and "already exists" in failed.stderr
    usage = subprocess.run([sys.executable, "-m", "core.cli", "frobnicate"], cwd=ROOT, capture_output=True,
                           text=True, timeout=60)
    assert usage.returncode == 2 and usage.stderr.startswith("error: ") and usage.stderr.count("\n") == 1


def test_export_pack(cli, workspace_file, tmp_path):
    cli("workspaces", "import", str(workspace_file))
    target = tmp_path / "pack.xlsx"
    code, _, err = cli("export", "Workshop A", "--out", str(target), "--use-case", "uc-1", "--use-case", "uc-2")
    assert code == 0, err
    assert target.read_bytes()[:2] == b"PK"
    code, _, err = cli("export", "Workshop A", "--out", str(target), "--use-case", "uc-404")
    assert code == 1 and "uc-404" in err
    german = tmp_path / "paket.xlsx"
    code, _, err = cli("export", "Workshop A", "--out", str(german), "--language", "de")
    assert code == 0, err
    summary = openpyxl.load_workbook(german, read_only=True)["Übersicht"]  # the German pack's Summary sheet
    assert any("Entscheidungsvorlage" in str(cell.value) for row in summary.iter_rows(max_row=3) for cell in row)


def test_import_pack_without_edits_changes_nothing(cli, workspace_file, tmp_path):
    cli("workspaces", "import", str(workspace_file))
    pack = tmp_path / "pack.xlsx"
    assert cli("export", "Workshop A", "--out", str(pack))[0] == 0
    code, out, err = cli("import-pack", str(pack), "--workspace", "Workshop A", "--apply")
    assert code == 0, err
    assert "no changes" in out
    not_a_pack = tmp_path / "fake.xlsx"
    not_a_pack.write_bytes(b"plain text")
    code, _, err = cli("import-pack", str(not_a_pack), "--workspace", "Workshop A")
    assert code == 1 and err.startswith("error: ") and err.count("\n") == 1


@pytest.fixture
def sample_workspace(cli):
    code, out, _ = cli("workspaces", "import", str(ROOT / "sample_data" / "workspace.json"), "--name", "Sample")
    assert code == 0, out
    return "Sample"


def test_business_case_json_for_one_use_case(cli, sample_workspace):
    code, out, err = cli("business-case", sample_workspace, "support-chatbot", "--json")
    assert code == 0 and err == ""
    document = json.loads(out)
    # The sample's chatbot is S19's worked example: C0 120,000 €, R = 6 linear, H = 36, g = 0, i = 8 % (default)
    assert document["use_case_id"] == "support-chatbot"
    assert document["investment_eur"] == 120_000.0
    assert round(document["npv_eur"], 2) == 1_355_448.04
    assert round(document["irr_monthly"] * 100, 3) == 22.124
    assert document["payback_month"] == 6 and document["discounted_payback_month"] == 6
    assert document["horizon_roi"] == pytest.approx(2.02625, abs=5e-6)
    assert document["discount_rate_per_year"] == 0.08
    assert len(document["months"]) == 37
    assert document["months"][1]["value_eur"] == pytest.approx(11_563.0) and document["months"][1]["net_eur"] == (
        pytest.approx(-6_437.0))
    assert set(document["months"][0]) == {"month", "value_eur", "run_cost_eur", "net_eur", "cumulative_eur",
                                          "discounted_eur"}


def test_business_case_json_lists_every_use_case_with_nulls(cli, sample_workspace):
    code, out, _ = cli("business-case", sample_workspace, "--json")
    assert code == 0
    documents = json.loads(out)
    assert isinstance(documents, list) and len(documents) == 10
    by_id = {document["use_case_id"]: document for document in documents}
    losing = by_id["hr-policy-assistant"]
    assert losing["npv_eur"] < 0 and losing["irr_monthly"] is None and losing["payback_month"] is None
    assert "NaN" not in out and "Infinity" not in out
    assert by_id["demand-forecasting"]["discount_rate_per_year"] == 0.10  # the use case's own rate wins


def test_business_case_plain_lines_and_errors(cli, sample_workspace):
    code, out, _ = cli("business-case", sample_workspace, "support-chatbot")
    assert code == 0 and out.startswith("support-chatbot\tC0 120,000 €\tNPV 1,355,448.04 €\t")
    assert "payback month 6" in out
    code, _, err = cli("business-case", sample_workspace, "nope", "--json")
    assert code == 1 and err == "error: no use case 'nope' in 'Sample'\n"
    code, _, err = cli("business-case", "Missing", "--json")
    assert code == 1 and "no workspace named 'Missing'" in err
