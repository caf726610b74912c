"""German all the way (issue 13): every page in German shows no English word of the English catalogue, no
message key, no ``None``, ``nan`` or pydantic phrase."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest

from core.store.workspaces import SAMPLE_WORKSPACE_PATH
from tests.pages.conftest import open_page, shown
from ui.frame import NAVIGATION
from ui.i18n import read_catalogs

PAGES = tuple(path for path, _, _ in NAVIGATION)
WORD = re.compile(r"[A-Za-zÄÖÜäöüß]{3,}")
PLACEHOLDER = re.compile(r"\{[a-z_]*\}")
MARKDOWN_DIRECTIVE = re.compile(r":material/[a-z_]+:|:[a-z]+(?:-badge|-background)?\[|\]\([^)]*\)")
DEVELOPER_PHRASES = re.compile(
    r"\bNone\b|\bnan\b|\bNaN\b|String should|Input should|Value error|validation error|Field required|"
    r"should be a valid|Traceback|Extra inputs are not permitted|\bno baseline\b|"
    r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b(?!\.[a-z])")  # snake_case: a field or check name, not a file name
# Words that read the same in English and German product language, or are names (the language picker names each
# language in itself: "English"): allowed in German mode.
ALLOWED = {
    "App", "Audit", "Baseline", "Canary", "Case", "Cases", "Chatbot", "Compliance", "Dashboard", "Drift",
    "Excel", "Feature", "Gate", "Gates", "Go", "Live", "Model", "Card", "Monte", "Carlo", "Owner", "Pilot", "Portfolio",
    "Prompt", "Quick", "Win", "Ramp", "Review", "Rollback", "Runbook", "Scope", "Shadow", "Mode",
    "Sheet", "Status", "Team", "Teams", "Tornado", "Use", "Workshop", "Score", "Scoring", "Pipeline", "Monitoring",
    "Token", "Tokens", "Backlog", "Template", "Standard", "Observability", "Check", "Mock", "Tag", "Tags", "Plan",
    "Name", "Best", "Worst", "Base", "Label", "Labels", "Fill", "Scale", "Stop", "English",
    "Discovery", "Scoping", "Proof", "Concept", "Offline", "Eval", "Human", "Loop", "Test", "Demo", "Deploy",
    "Service", "Support", "Ticket", "Tickets", "Level", "Manager", "Customer", "Success", "Legal", "Ops", "Security",
    "Platform", "Steward", "Eng", "IT", "CSV", "Parquet", "XLSX", "JSON", "ROI", "NPV", "IRR", "EUR", "USD",
    "PoC", "RAG", "LLM", "MLOps", "RACI", "KPI", "KPIs", "DPIA", "DSFA", "GDPR", "DSGVO", "EU", "AI", "Act",
    "HITL", "SLA", "PII", "RBAC", "ABAC", "ERP", "CRM", "DWH", "API", "APIs", "UTC", "URL", "QR", "ID", "IDs",
    # The article's own German checklist (S6) keeps these terms of the trade.
    "Duplicate", "Missing", "Join", "Record",
}
# English phrases the issue found in German mode; each word alone also occurs in German product language.
ENGLISH_PHRASES = ("Data Readiness", "Data & Risk Assessment", "sample data", "per file")


def _english_only_words() -> set[str]:
    """Words of the English catalogue that no German text, sample datum or allow-list entry contains."""
    english, german = set(), set()
    for texts in read_catalogs().values():
        english.update(WORD.findall(PLACEHOLDER.sub(" ", texts.get("en", ""))))
        german.update(WORD.findall(PLACEHOLDER.sub(" ", texts.get("de", ""))))
    sample = set(WORD.findall(json.dumps(json.loads(SAMPLE_WORKSPACE_PATH.read_text("utf-8")), ensure_ascii=False)))
    lowered = {word.lower() for word in german | sample | ALLOWED}
    return {word for word in english if word.lower() not in lowered and len(word) > 3}


def _message_keys() -> set[str]:
    return set(read_catalogs())


CHOICE_WIDGETS = {"selectbox", "multiselect", "radio", "segmented_control", "button_group", "select_slider", "slider",
                  "checkbox", "toggle", "number_input", "date_input", "color_picker"}


def _table_texts(element) -> Iterator[str]:
    """What a table shows: column labels from its column config, cells as formatted (options by their labels),
    missing cells as the table's placeholder ("None" without one); hidden, checkbox and unlisted columns skipped."""
    frame = element.value
    config = json.loads(element.proto.columns or "{}")
    order = list(element.proto.column_order) or list(frame.columns)
    placeholder = element.proto.placeholder
    for column in order:
        if column not in frame.columns:
            continue
        settings = config.get(str(column), {})
        kind = settings.get("type_config", {}).get("type")
        if settings.get("hidden") or kind == "checkbox":
            continue
        yield str(settings.get("label") or column)
        labels = {str(option.get("value")): option.get("label", "")
                  for option in settings.get("type_config", {}).get("options", []) if isinstance(option, dict)}
        for item in frame[column].tolist():
            values = item if isinstance(item, list | tuple) else [item]
            for value in values:
                missing = value is None or (isinstance(value, float) and value != value)
                if missing:
                    yield placeholder or "None"
                elif not isinstance(value, bool):
                    yield labels.get(str(value), str(value))


def _chart_texts(spec: object) -> Iterator[str]:
    """Titles and text marks of a Vega-Lite spec (axis, legend and chart titles, labels drawn as text)."""
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key in ("title", "text", "description") and isinstance(value, str):
                yield value
            elif key in ("title", "text") and isinstance(value, list):
                yield from (item for item in value if isinstance(item, str))
            else:
                yield from _chart_texts(value)
    elif isinstance(spec, list):
        for item in spec:
            yield from _chart_texts(item)


def _texts_of(element) -> Iterator[str]:
    if element.type in ("arrow_data_frame", "dataframe"):
        yield from _table_texts(element)
        return
    if element.type == "vega_lite_chart":
        yield from _chart_texts(json.loads(element.proto.spec))
        return
    attributes = ("label", "help", "placeholder", "options") if element.type in CHOICE_WIDGETS else (
        "value", "label", "body", "help", "placeholder", "options")
    for attribute in attributes:
        try:
            value = getattr(element, attribute)
        except Exception:  # AppTest raises for attributes an element type lacks
            continue
        if isinstance(value, str):
            yield value
        elif isinstance(value, list | tuple) and len(value) and all(isinstance(item, str) for item in value):
            yield from value
    proto = getattr(element, "proto", None)
    for field in ("label", "help", "placeholder"):
        value = getattr(proto, field, None)
        if isinstance(value, str) and value:
            yield value


def _walk(node) -> Iterator:
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def visible_texts(at) -> list[str]:
    """Every text an AppTest run shows: element values, labels, help, placeholders, options and table cells."""
    texts: list[str] = []
    for root in (at.main, at.sidebar):
        for node in _walk(root):
            texts.extend(shown(text) for text in _texts_of(node) if text)
    return texts


def problems(texts: list[str], english: set[str], keys: set[str]) -> list[str]:
    found = []
    for text in texts:
        plain = MARKDOWN_DIRECTIVE.sub(" ", text)
        for word in WORD.findall(plain):
            if word in english:
                found.append(f"English word {word!r} in {text[:120]!r}")
        for key in re.findall(r"\b[a-z_]+(?:\.[a-z_\-]+)+\b", plain):
            if key in keys:
                found.append(f"message key {key!r} in {text[:120]!r}")
        match = DEVELOPER_PHRASES.search(plain)
        if match:
            found.append(f"developer word {match.group(0)!r} in {text[:120]!r}")
        found.extend(f"English phrase {phrase!r} in {text[:120]!r}" for phrase in ENGLISH_PHRASES if phrase in plain)
    return sorted(set(found))


@pytest.mark.parametrize(("page", "use_case"), [(page, "support-chatbot") for page in PAGES] + [
    ("pages/7_Gates.py", "hr-policy-assistant"), ("pages/7_Gates.py", "quality-inspection"),
    ("pages/1_Use_cases.py", "hr-policy-assistant")])
def test_every_page_in_german_shows_no_english_or_developer_words(store, page: str, use_case: str) -> None:
    at = open_page(None if page == "app.py" else page, language="de", use_case=use_case, open_sections=True)
    assert not at.exception, [item.value for item in at.exception]
    found = problems(visible_texts(at), _english_only_words(), _message_keys())
    assert found == [], "\n".join(found)


def test_the_navigation_is_german(store) -> None:
    at = open_page(language="de")
    links = [link.label for link in at.sidebar.get("page_link")] or [
        node.proto.label for node in _walk(at.sidebar) if getattr(node, "type", "") == "page_link"]
    assert "Anwendungsfälle" in links and "Datenreife" in links
    assert not {"Use Cases", "Data Readiness"} & set(links)


def test_validation_messages_are_sentences_in_german(store) -> None:
    at = open_page(language="de")
    next(button for button in at.button if button.label == "Arbeitsbereich anlegen").click().run()
    messages = [shown(item.value) for item in at.error]
    assert messages == ["Name: darf nicht leer sein"], messages


def test_the_walk_sees_english_where_there_is_english(store) -> None:
    at = open_page("pages/7_Gates.py", language="en", use_case="support-chatbot")
    found = problems(visible_texts(at), _english_only_words(), _message_keys())
    assert any("English word" in line for line in found)


def test_the_walk_opens_every_lazy_expander_the_pages_draw() -> None:
    from tests.pages.conftest import LAZY_SECTIONS, ROOT

    drawn = {name for path in [*(ROOT / "pages").glob("*.py"), *(ROOT / "ui").glob("*.py")]
             for name in re.findall(r'lazy_expander\(\s*"([\w.]+)"', path.read_text(encoding="utf-8"))}
    assert drawn == set(LAZY_SECTIONS)
