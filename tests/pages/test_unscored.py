"""A new use case is "not scored yet" (S3; issue 13: with every input at 50 % it showed up as a quick win tied for
rank 1) and stays out of the quadrants, the matrix and the ranking until someone scores it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pyarrow as pa
from conftest import ROOT, assert_clean, open_page

from core.models import Workspace, marked_scored, with_value
from core.scoring import UNSCORED, scored_quadrants, scored_ranks
from core.store import DATABASE_SCHEMA_VERSION, Store

FIXTURE = ROOT / "tests" / "fixtures" / "workbench_v4_unscored.db"
SAMPLE = "Beispiel GmbH – KI-Portfolio"


def _button(at, label):
    return next(button for button in at.button if button.label == label)


def _add(at, name):
    at.text_input(key="w.registry.add_name").input(name)
    _button(at, "Add use case").click().run()
    assert_clean(at)


def test_ranks_and_quadrants_leave_unscored_use_cases_out():
    # Scores 0.2, 0.25 (unscored), 0.3, 0.3: the two 0.3 share rank 1, 0.2 is rank 3; the unscored one has none.
    ranks = scored_ranks(np.array([0.2, 0.25, 0.3, 0.3]), np.array([True, False, True, True]))
    assert ranks[[0, 2, 3]].tolist() == [3.0, 1.0, 1.0] and np.isnan(ranks[1])
    quadrants = scored_quadrants(np.array([0.5, 0.5]), np.array([0.5, 0.5]), np.array([True, False]))
    assert quadrants.tolist() == ["quick_win", UNSCORED]
    assert np.isnan(scored_ranks(np.array([0.5]), np.array([False]))).all()


def test_the_first_scoring_edit_scores_and_other_edits_do_not(store, sample_id):
    loaded = store.load(sample_id)
    case = loaded.workspace.use_case("support-chatbot").model_copy(update={"id": "neu", "scored": False})
    store.save_use_case(sample_id, case, None, "Anna")
    stored, version = store.get_use_case(sample_id, "neu")
    version = store.save_use_case(sample_id, with_value(stored, "owner", "Bea"), version, "Bea")
    assert store.get_use_case(sample_id, "neu")[0].scored is False
    stored, _ = store.get_use_case(sample_id, "neu")
    store.save_use_case(sample_id, with_value(stored, "scoring.data_availability", 0.7), version, "Bea")
    assert store.get_use_case(sample_id, "neu")[0].scored is True
    entry = next(e for e in store.audit(sample_id, "neu") if e.field_path == "scored")
    assert (entry.actor, entry.old_value, entry.new_value) == ("Bea", "false", "true")
    assert marked_scored(stored, stored) is stored


def test_a_new_use_case_is_not_scored_yet_and_stays_out_of_quadrants_and_ranking(store, sample_id):
    at = open_page("pages/1_Use_cases.py")
    _add(at, "Gesprächszusammenfassung")
    assert store.load(sample_id).workspace.use_case("gespraechszusammenfassung").scored is False
    table = at.dataframe[0].value.set_index("Use case")
    row = table.loc["Gesprächszusammenfassung"]
    assert (row["Rank"], row["Quadrant"]) == ("–", "Not scored yet")
    assert sorted(int(rank) for rank in table["Rank"] if rank != "–") == sorted(
        int(rank) for rank in open_page("pages/1_Use_cases.py").dataframe[0].value["Rank"] if rank != "–")

    scoring = open_page("pages/2_Scoring.py", use_case="gespraechszusammenfassung")
    assert_clean(scoring)
    assert any("Not scored yet" in info.value for info in scoring.info)
    assert {metric.label: metric.value for metric in scoring.metric}["Quadrant"] == "Not scored yet"
    ranking = next(frame.value for frame in scoring.dataframe if "Rank" in frame.value.columns)
    assert "Gesprächszusammenfassung" not in set(ranking["Use case"]) and len(ranking) == 10
    chart = scoring.get("vega_lite_chart")[0]
    data = " ".join(pa.ipc.open_stream(d.data.data).read_all().to_pandas().to_json(force_ascii=False)
                    for d in chart.proto.datasets)
    assert "Gesprächszusammenfassung" not in data
    assert any("Gesprächszusammenfassung" in caption.value for caption in scoring.caption)
    home = open_page()
    top = next(item.value for item in home.markdown if "| Rank" in item.value or "|Rank" in item.value)
    assert "Gesprächszusammenfassung" not in top

    scoring.select_slider(key="w.score.gespraechszusammenfassung.data_availability").set_value(0.8).run()
    assert_clean(scoring)
    assert store.load(sample_id).workspace.use_case("gespraechszusammenfassung").scored is True
    assert not any("Not scored yet" in info.value for info in scoring.info)
    ranking = next(frame.value for frame in scoring.dataframe if "Rank" in frame.value.columns)
    assert "Gesprächszusammenfassung" in set(ranking["Use case"])


def test_keep_these_values_counts_the_neutral_inputs_as_scored(store, sample_id):
    at = open_page("pages/1_Use_cases.py")
    _add(at, "Angebotsprüfung")
    scoring = open_page("pages/2_Scoring.py", language="de", use_case="angebotspruefung")
    assert any("Noch nicht bewertet" in info.value for info in scoring.info)
    _button(scoring, "Werte übernehmen").click().run()
    assert_clean(scoring)
    assert store.load(sample_id).workspace.use_case("angebotspruefung").scored is True
    assert {metric.label: metric.value for metric in scoring.metric}["Quadrant"] == "Quick Win"


def test_migration_marks_stored_neutral_use_cases_unscored_on_a_copy_of_todays_database(tmp_path: Path):
    # The fixture was written by the workbench before this change (database schema 4, workspace schema 2): the
    # sample, "gespr-chszusammenfassung" added with every input at 0.5, and "angebotspruefung" added the same
    # way and then scored (data availability 0.7).
    copy = tmp_path / "workbench.db"
    shutil.copy(FIXTURE, copy)
    store = Store(f"sqlite:///{copy}")
    try:
        assert store.schema_version() == DATABASE_SCHEMA_VERSION
        workspace = store.load(store.workspace_id_by_name(SAMPLE)).workspace
        scored = {case.id: case.scored for case in workspace.use_cases}
        assert scored.pop("gespr-chszusammenfassung") is False
        assert scored.pop("angebotspruefung") is True
        assert len(scored) == 10 and all(scored.values())  # every sample use case counts as scored
        versions = store.load(store.workspace_id_by_name(SAMPLE)).versions
        assert versions["gespr-chszusammenfassung"] == 1 and versions["angebotspruefung"] == 2
    finally:
        store.dispose()


def test_a_workspace_file_without_the_flag_reads_as_scored(store, sample_id):
    document = json.loads(store.export_json(sample_id))
    for case in document["use_cases"]:
        case.pop("scored", None)
    document["schema_version"] = 2
    workspace = Workspace.model_validate(document)
    assert workspace.schema_version == 3 and all(case.scored for case in workspace.use_cases)
