"""User text never becomes Markdown: a name like "![x](http://host/p.png)" must not turn into an image the
browser would fetch (the app sends nothing out), nor into a link or emphasis, on any page."""

from __future__ import annotations

import json

import pytest
from conftest import ROOT, assert_clean
from streamlit.testing.v1 import AppTest

from core.models import Workspace, with_values

PAYLOAD = ("![pixel](http://tracker.invalid/p.png) [click](http://tracker.invalid) **loud** :red[red] "
           ":material/bolt: :smile: www.tracker.invalid")
PAGES = [None, "pages/1_Use_cases.py", "pages/2_Scoring.py", "pages/4_ROI.py", "pages/6_Sensitivity.py",
         "pages/7_Gates.py", "pages/8_Data_readiness.py", "pages/9_Export.py"]
RAW_MARKERS = ("![pixel]", "[click](", "**loud**", ":red[", ":material/bolt", ":smile:", "www.tracker", "http://tracker")
TEXT_FIELDS = {"Heading": ("body",), "Markdown": ("body",), "Alert": ("body",), "Metric": ("label", "help")}


@pytest.fixture
def hostile_workspace_id(store) -> str:
    sample = Workspace.model_validate_json((ROOT / "sample_data" / "workspace.json").read_text(encoding="utf-8"))
    chatbot = sample.use_case("support-chatbot")
    text_fields = ("problem_statement", "users", "process_step", "decision_point", "output_format", "guardrails",
                   "out_of_scope")
    first = with_values(chatbot, {
        "name": f"UC {PAYLOAD}", "owner": PAYLOAD, "raci.0.deliverable": f"D {PAYLOAD}",
        "raci.0.accountable": [f"A {PAYLOAD}"], "kpi_set.0.name": f"K {PAYLOAD}", "kpi_set.0.unit": PAYLOAD,
        "readiness.0.evidence": PAYLOAD, "cost_blocks.0.driver": PAYLOAD, "scenarios.0.name": f"S {PAYLOAD}",
        **{field: PAYLOAD for field in text_fields},
    })
    others = tuple(case for case in sample.use_cases if case.id != chatbot.id)
    hostile = sample.model_copy(update={"name": f"WS {PAYLOAD}", "use_cases": (first, *others)})
    return store.import_json(json.dumps(hostile.model_dump(mode="json")), actor=f"Actor {PAYLOAD}")


def rendered_texts(node) -> list[str]:
    texts = []
    for child in getattr(node, "children", {}).values():
        proto = getattr(child, "proto", None)
        if proto is not None:
            kind = type(proto).__name__
            fields = TEXT_FIELDS.get(kind, ("label", "help") if hasattr(proto, "label") else ())
            texts.extend(str(getattr(proto, name)) for name in fields if getattr(proto, name, ""))
        texts.extend(rendered_texts(child))
    return texts


@pytest.mark.parametrize("page", PAGES, ids=[page or "home" for page in PAGES])
def test_user_text_is_escaped_in_every_markdown_element(hostile_workspace_id, store, page):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.query_params["ws"] = hostile_workspace_id
    at.query_params["uc"] = "support-chatbot"
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    assert_clean(at)
    shown_options = [str(option) for box in at.selectbox for option in box.options]
    assert f"WS {PAYLOAD}" in shown_options, "the hostile workspace should be the one on screen"
    texts = rendered_texts(at._tree)
    if page is None:
        assert any("pixel" in text for text in texts), "the hostile name should appear, escaped"
    leaks = [text for text in texts if any(marker in text for marker in RAW_MARKERS)]
    assert not leaks


def test_escape_markdown_neutralises_images_links_and_emphasis():
    from ui.formatting import escape_markdown

    assert escape_markdown("Support-Chatbot (RAG), 62 %") == "Support-Chatbot (RAG), 62 %"
    assert escape_markdown("![x](http://h/p.png)") == "\\!\\[x\\](http\\:\u2060//h/p.png)"
    assert escape_markdown("a_b *c* `d` <e> $f$ |g| ~h~ \\") == (
        "a\\_b \\*c\\* \\`d\\` \\<e\\> \\$f\\$ \\|g\\| \\~h\\~ \\\\")
