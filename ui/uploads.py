"""Streamlit's file uploader with Chinese words on it.

Streamlit 1.67 has no parameter for the texts inside the drop zone (its “Upload” button and the English
“20MB per file • XLSX, …” line; streamlit/streamlit#13500 asks for one). Our uploaders sit in a container whose key
starts with SCOPE, and one style scoped to those containers hides the English size and type line and draws
选择文件 over the button's word; a Chinese caption under the uploader says what may be uploaded. Uploaders
elsewhere are untouched (tests/e2e/test_entry_browser.py checks the drawn words in chromium)."""
from __future__ import annotations

import streamlit as st

SCOPE = "zh_upload"
BUTTON_TEXT = "选择文件"
_ZONE = f'[class*="st-key-{SCOPE}"] [data-testid="stFileUploaderDropzone"]'
STYLE = (f'<style>{_ZONE} [data-testid="stFileUploaderDropzoneInstructions"] {{display: none;}}'
         f'{_ZONE} button [data-testid="stMarkdownContainer"] p {{font-size: 0;}}'
         f'{_ZONE} button [data-testid="stMarkdownContainer"] p::after {{content: "{BUTTON_TEXT}";'
         ' font-size: 0.875rem;}</style>')


def file_picker(label: str, key: str, *, types: list[str], caption: str, multiple: bool = False,
                max_mb: int | None = None, disabled: bool = False, where=st):
    """st.file_uploader (in `where`, e.g. a column) with the Chinese button and `caption` under it (say the types
    and the size limit there); returns what st.file_uploader returns."""
    with where.container(key=f"{SCOPE}_{key}"):
        st.html(STYLE)
        chosen = st.file_uploader(label, type=types, accept_multiple_files=multiple, key=key,
                                  max_upload_size=max_mb, disabled=disabled)
        st.caption(caption)
    return chosen
