"""Issue 13: a second person's edit of another field merges; a same-field conflict keeps the refused entry
beside the stored value with one-click "apply mine again", naming the use case and the person; the entry is kept
in the store for that person, so a reload shows it again."""

from __future__ import annotations

import pytest
from conftest import open_page, shown

from core.models import with_value

PAGE = "pages/4_ROI.py"
CHATBOT = "support-chatbot"
ADOPTION_SLIDER = f"w.roi.{CHATBOT}.adoption.slider"


def _slide_adoption(at, value: float):
    widgets = [item for item in at.select_slider if item.key in (ADOPTION_SLIDER, f"{ADOPTION_SLIDER}.de")]
    return widgets[0].set_value(value).run()


def test_another_persons_edit_of_a_different_field_is_merged(store, sample_id):
    at = open_page(PAGE, use_case=CHATBOT)
    seen, version = store.get_use_case(sample_id, CHATBOT)
    store.save_use_case(sample_id, with_value(seen, "roi.volume_cases_per_month", 60_000), version, actor="Bea")
    _slide_adoption(at, 0.3)
    assert not at.exception and not at.warning, [item.value for item in at.warning]
    stored = store.get_use_case(sample_id, CHATBOT)[0].roi
    assert (stored.volume_cases_per_month, stored.adoption) == (60_000, pytest.approx(0.3))


def test_a_same_field_conflict_keeps_my_entry_beside_the_stored_one_and_applies_it_in_one_click(store, sample_id):
    at = open_page(PAGE, use_case=CHATBOT)
    seen, version = store.get_use_case(sample_id, CHATBOT)
    store.save_use_case(sample_id, with_value(seen, "roi.adoption", 0.5), version, actor="Bea Berger")
    _slide_adoption(at, 0.3)
    assert not at.exception
    [warning] = [shown(item.value) for item in at.warning]
    assert "Bea Berger" in warning and seen.name in warning and CHATBOT not in warning, warning
    assert "Adoption" in warning
    table = shown(" ".join(item.value for item in at.markdown))
    assert "| Adoption | 0.5 | 0.3 |" in table, table
    assert store.get_use_case(sample_id, CHATBOT)[0].roi.adoption == pytest.approx(0.5)
    at.button(key=f"w.draft.apply.{CHATBOT}").click().run()
    assert not at.exception and not at.warning
    assert store.get_use_case(sample_id, CHATBOT)[0].roi.adoption == pytest.approx(0.3)
    assert [entry.actor for entry in store.audit(sample_id, CHATBOT, limit=3)
            if entry.field_path == "roi.adoption"][:1] == ["anonymous"]


def test_a_conflict_with_an_unnamed_person_never_says_anonymous(store, sample_id):
    at = open_page(PAGE, language="de", use_case=CHATBOT)
    seen, version = store.get_use_case(sample_id, CHATBOT)
    store.save_use_case(sample_id, with_value(seen, "roi.adoption", 0.5), version, actor="anonymous")
    _slide_adoption(at, 0.3)
    [warning] = [shown(item.value) for item in at.warning]
    assert "jemand ohne Namen" in warning and "anonymous" not in warning, warning
    at.button(key=f"w.draft.discard.{CHATBOT}").click().run()
    assert not at.warning
    assert store.get_use_case(sample_id, CHATBOT)[0].roi.adoption == pytest.approx(0.5)


def test_a_refused_draft_survives_a_reload_is_applied_there_and_discarding_removes_it_for_good(store, sample_id):
    at = open_page(PAGE, use_case=CHATBOT)
    seen, version = store.get_use_case(sample_id, CHATBOT)
    store.save_use_case(sample_id, with_value(seen, "roi.adoption", 0.5), version, actor="Bea Berger")
    _slide_adoption(at, 0.3)
    assert [draft.changes for draft in store.drafts_for(sample_id, "anonymous")] == [{"roi.adoption": 0.3}]
    assert store.drafts_for(sample_id, "Bea Berger") == []  # hers to see only who typed it

    reloaded = open_page(PAGE, use_case=CHATBOT)  # a new browser session: nothing of the first one's state
    assert not reloaded.exception
    [warning] = [shown(item.value) for item in reloaded.warning]
    assert "Bea Berger" in warning and "Adoption" in warning, warning
    assert "| Adoption | 0.5 | 0.3 |" in shown(" ".join(item.value for item in reloaded.markdown))
    reloaded.button(key=f"w.draft.apply.{CHATBOT}").click().run()
    assert not reloaded.exception and not reloaded.warning
    assert store.get_use_case(sample_id, CHATBOT)[0].roi.adoption == pytest.approx(0.3)
    assert store.drafts_for(sample_id, "anonymous") == []

    # Refused again; discarded after a reload, it is gone from every later session too.
    seen, version = store.get_use_case(sample_id, CHATBOT)
    store.save_use_case(sample_id, with_value(seen, "roi.adoption", 0.6), version, actor="Bea Berger")
    _slide_adoption(reloaded, 0.35)
    assert len(store.drafts_for(sample_id, "anonymous")) == 1
    again = open_page(PAGE, use_case=CHATBOT)
    assert len(again.warning) == 1
    again.button(key=f"w.draft.discard.{CHATBOT}").click().run()
    assert not again.warning and store.drafts_for(sample_id, "anonymous") == []
    assert not open_page(PAGE, use_case=CHATBOT).warning
    assert store.get_use_case(sample_id, CHATBOT)[0].roi.adoption == pytest.approx(0.6)


def test_a_draft_is_shown_only_to_the_person_who_typed_it(store, sample_id):
    at = open_page(PAGE, use_case=CHATBOT)
    at.text_input(key="w.sidebar.actor").input("Cleo").run()
    seen, version = store.get_use_case(sample_id, CHATBOT)
    store.save_use_case(sample_id, with_value(seen, "roi.adoption", 0.5), version, actor="Bea Berger")
    _slide_adoption(at, 0.3)
    assert [draft.use_case_id for draft in store.drafts_for(sample_id, "Cleo")] == [CHATBOT]
    assert not open_page(PAGE, use_case=CHATBOT).warning  # someone else (unnamed) on a new session
    [warning] = [shown(item.value) for item in at.run().warning]  # Cleo still sees hers
    assert "Bea Berger" in warning, warning
