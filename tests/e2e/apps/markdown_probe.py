"""Renders hostile strings through the Markdown sinks the workbench uses, each in its own keyed container.

The strings come from the JSON file named by ``WORKBENCH_PROBE_STRINGS`` (a list), read on every run, so a
test can write new strings and reload. Used by tests/e2e/test_markdown_rendering.py.
"""

import json
import os
from pathlib import Path

import streamlit as st

from ui.formatting import escape_markdown, markdown_lines, markdown_table

st.set_page_config(page_title="probe", page_icon="data:image/svg+xml;base64,PHN2Zy8+")
texts = json.loads(Path(os.environ["WORKBENCH_PROBE_STRINGS"]).read_text(encoding="utf-8"))
for index, text in enumerate(texts):
    escaped = escape_markdown(text)
    with st.container(key=f"probe-{index}"):
        st.markdown(f"Name: {escaped}")
        st.error(f"Not saved: {escaped}")
        st.caption(escaped)
        st.subheader(f"Use case {escaped}", anchor=False)
        st.metric(f"ROI of {escaped}", "1")
        st.markdown(markdown_table(["Name"], [[escaped]]))
        st.warning(markdown_lines([text], bullets=True))
        st.checkbox(f"Confirm {escaped}", key=f"check-{index}")
