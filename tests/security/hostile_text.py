"""Hypothesis strategies for hostile user text: Markdown, Streamlit's own syntax, URLs that autolink, and
Unicode that hides or reorders text, mixed with arbitrary characters. Shared by the escaping tests in AppTest
(tests/security/test_markdown_escaping.py) and in Chromium (tests/e2e/test_markdown_rendering.py)."""

from __future__ import annotations

from hypothesis import strategies as st

# Local, unroutable targets: if an image or link ever renders, the request still stays on this machine.
FRAGMENTS = (
    "![x](http://127.0.0.1:9/p.png)", "![x][r]\n\n[r]: http://127.0.0.1:9/r.png", "[a](http://127.0.0.1:9/a)",
    "<http://127.0.0.1:9/b>", "http://127.0.0.1:9/c", "https://example.invalid/d", "www.example.invalid",
    "a@example.invalid", "mailto:a@example.invalid", "<img src=http://127.0.0.1:9/i.png>", "<b>b</b>",
    ":red[red]", ":blue-background[bg]", ":red-badge[badge]", ":small[small]", ":color[c]{foreground=red}",
    ":help[tip]", ":material/home:", ":material_home:", ":streamlit:", ":smile:", ":+1:", ":flag-de:",
    "$x^2$", "$$x$$", "`code`", "```\nfence\n```", "**bold**", "__bold__", "*em*", "_em_", "~~del~~", "~s~",
    "# heading", "## h2", "- item", "+ item", "* item", "1. one", "1) one", "> quote", "---", "***", "===",
    "| a | b |\n|---|---|", "[^1]", "[ ] task", "&lt;", "&#x41;", "&amp;", "\\", "\\*", "->", "<-", "<->", "--",
    ">=", "<=", "~=", "    indented", "\t", "\n", "\r", "\r\n", "\u2028", "\u200b", "\u2060", "\u202e",
    "\u2066", "é", "e\u0301", "🙂", "Müller & Söhne (GmbH)", "62 %", "€1,234.56", "-0",
)


def hostile_text(max_parts: int = 6) -> st.SearchStrategy[str]:
    """Text built from up to ``max_parts`` hostile fragments and arbitrary characters (no NUL: browsers and
    Markdown parsers replace it, so it cannot be shown verbatim anyway)."""
    characters = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
    part = st.one_of(st.sampled_from(FRAGMENTS), st.text(characters, max_size=4))
    return st.lists(part, min_size=1, max_size=max_parts).map("".join)


def as_shown(text: str) -> str:
    """What escaped text must show: line breaks as spaces (it is one inline value), white space runs as one
    space (HTML and Markdown collapse or trim them), and no word joiners (``escape_markdown`` adds them)."""
    for line_break in ("\r\n", "\r", "\n", "\v", "\f", "\x85", "\u2028", "\u2029"):
        text = text.replace(line_break, " ")
    return " ".join(text.replace("\u2060", "").split())
