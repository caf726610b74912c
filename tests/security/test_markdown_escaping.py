"""User text in Markdown sinks shows as typed and makes no element (issue 12, items 3 and 5).

``formatting.escape_markdown`` is checked with Hypothesis against a CommonMark parser (markdown-it-py: one
paragraph of plain text, the text exactly as typed) and against Streamlit's own rewrites of the parsed text
(directives, shortcodes, icons, arrows), which no parser here knows; tests/e2e/test_markdown_rendering.py
renders the same strategy in Chromium. The AppTest part stores hostile names (those the Name rule admits)
and checks every Markdown element of the pages that show them.
"""

from __future__ import annotations

import itertools
import json
import re

import markdown_it
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError
from streamlit.testing.v1 import AppTest

from core.models import Name, Workspace, with_values
from tests.pages.conftest import ROOT, assert_clean
from tests.security.hostile_text import as_shown, hostile_text
from ui.formatting import escape_markdown, markdown_lines, markdown_table

PARSER = markdown_it.MarkdownIt("commonmark").enable(["table", "strikethrough"])
PLAIN_INLINE = {"text", "softbreak"}
# Streamlit and remark-gfm rewrite the text nodes after parsing: ":name:" emoji and ":streamlit:" (an image),
# ":material_name:" icons, arrows or dashes between spaces ("a -> b" → "a → b"), and bare URLs and e-mail
# addresses (links).
STREAMLIT_TEXT_SYNTAX = re.compile(r":[\w+-]|(^|\s)(<->|->|<-|--|>=|<=|~=)(\s|$)|https?://|(?i:www)\.|@[-\w]")


def _inline_tokens(markdown: str) -> list:
    return [child for token in PARSER.parse(markdown) if token.children for child in token.children]


def _text(tokens: list) -> str:
    return "".join(token.content for token in tokens if token.type == "text")


@settings(max_examples=400, deadline=None)
@given(hostile_text())
def test_escaped_text_is_one_paragraph_of_the_text_as_typed(text):
    markdown = f"Name: {escape_markdown(text)}"
    blocks = [token.type for token in PARSER.parse(markdown)]
    assert blocks == ["paragraph_open", "inline", "paragraph_close"]
    inline = _inline_tokens(markdown)
    assert {token.type for token in inline} <= PLAIN_INLINE, [token.type for token in inline]
    shown = _text(inline)
    assert as_shown(shown) == as_shown(f"Name: {text}")
    assert not STREAMLIT_TEXT_SYNTAX.search(shown), shown
    assert ":material/" not in markdown


@settings(max_examples=200, deadline=None)
@given(st.lists(hostile_text().filter(as_shown), min_size=1, max_size=4))
def test_escaped_lines_and_table_cells_stay_plain(texts):
    inline = _inline_tokens(markdown_lines(texts, bullets=True))
    assert {token.type for token in inline} <= PLAIN_INLINE
    blocks = [token.type for token in PARSER.parse(markdown_lines(texts, bullets=True))]
    item = ["list_item_open", "paragraph_open", "inline", "paragraph_close", "list_item_close"]
    assert blocks == ["bullet_list_open", *item * len(texts), "bullet_list_close"]
    paragraphs = [token.type for token in PARSER.parse(markdown_lines(texts))]
    assert paragraphs == ["paragraph_open", "inline", "paragraph_close"] * len(texts)
    table = markdown_table(["Name", "Value"], [[escape_markdown(text), "1"] for text in texts])
    cells = [token for token in PARSER.parse(table) if token.type == "inline"]
    assert len(cells) == 2 * (len(texts) + 1)
    assert [as_shown(_text(cell.children)) for cell in cells[2::2]] == [as_shown(text) for text in texts]


@pytest.mark.parametrize(("text", "escaped"), [
    ("Support-Chatbot (RAG), 62 %", "Support-Chatbot (RAG), 62 %"),
    ("![x](http://h/p.png)", "\\!\\[x\\](http\\:\u2060//h/p.png)"),
    (":red[a] :smile:", "\\:\u2060red\\[a\\] \\:\u2060smile\\:"),
    (":material/home:", "\\:\u2060material/home\\:"),
    ("www.example.de, a@b.de", "www\u2060.example.de, a\\@\u2060b.de"),
    ("a -> b <= c --", "a -\u2060\\> b \\<\u2060= c -\u2060-"),
    ("1. Quartal", "1\\. Quartal"),
    ("- x", "\\- x"),
    ("# x", "\\# x"),
    ("a\rb\nc", "a b c"),
    ("€1,234.56 -0 %", "€1,234.56 -0 %"),
])
def test_escape_markdown_by_example(text, escaped):
    assert escape_markdown(text) == escaped


VISIBLE_NAMES = hostile_text(max_parts=4).filter(lambda text: _valid_name(text))


def _valid_name(text: str) -> bool:
    try:
        TypeAdapter(Name).validate_python(text)
    except ValidationError:
        return False
    return True


MARKDOWN_PROTOS = {"Markdown": ("body",), "Alert": ("body",), "Heading": ("body",), "Metric": ("label",)}


def _markdown_bodies(node) -> list[str]:
    bodies = []
    for child in getattr(node, "children", {}).values():
        proto = getattr(child, "proto", None)
        if proto is not None:
            fields = MARKDOWN_PROTOS.get(type(proto).__name__, ("label",) if hasattr(proto, "label") else ())
            bodies.extend(str(getattr(proto, name)) for name in fields if getattr(proto, name, ""))
        bodies.extend(_markdown_bodies(child))
    return bodies


_counter = itertools.count()


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(VISIBLE_NAMES)
def test_hostile_names_render_as_text_on_the_home_and_use_cases_pages(store, name):
    sample = Workspace.model_validate_json((ROOT / "sample_data" / "workspace.json").read_text(encoding="utf-8"))
    number = next(_counter)
    chatbot = with_values(sample.use_case("support-chatbot"), {"name": name, "kpi_set.0.name": name})
    hostile = sample.model_copy(update={"name": f"{number} {name}"[:200],
                                        "use_cases": (chatbot, *sample.use_cases[1:])})
    workspace_id = store.import_json(json.dumps(hostile.model_dump(mode="json")), actor="Ada")
    for page in (None, "pages/1_Use_cases.py"):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
        at.query_params["ws"] = workspace_id
        at.query_params["uc"] = "support-chatbot"
        at.run()
        if page:
            at.switch_page(page)
            at.run()
        assert_clean(at)
        bodies = _markdown_bodies(at._tree)
        for body in bodies:
            inline = _inline_tokens(body)
            assert not {"image", "link_open", "html_inline", "html_block"} & {token.type for token in inline}, body
        assert any(as_shown(name) in as_shown(_text(_inline_tokens(body))) for body in bodies), bodies
