"""User text made safe for where it goes: the store (no control characters), Streamlit's Markdown (shown
literally, never as a link, heading or HTML) and CSV/Excel (never run as a formula).

Pure functions; used by dataio/validate.py, the store's write functions, the exporter, cli.py and the pages."""
from __future__ import annotations

import re
from typing import Any

# Line breaks other programs paste: Word's manual line break (\x0b), form feed, Unicode line/paragraph separators,
# NEL, and CR (alone or before LF).
_LINE_BREAKS = re.compile(r"\r\n?|[\x0b\x0c\x85\u2028\u2029]")
# Every other C0/C1 control character (tab and newline are handled apart): invisible, and a workbook cannot hold them.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")
# ASCII punctuation Markdown (CommonMark + Streamlit's :emoji:, :red[…], $…$ and ~~) gives a meaning to.
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&=\"'^])")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def clean_text(text: Any, multiline: bool = False) -> Any:
    """Control characters out: line breaks of other programs become a newline (multi-line fields such as progress
    and notes) or a space (one-line fields such as names and sources); tabs stay in multi-line fields; other
    control characters are removed. Non-strings pass through unchanged."""
    if not isinstance(text, str):
        return text
    text = _LINE_BREAKS.sub("\n", text)
    text = _CONTROL.sub("", text)
    if not multiline:
        text = text.replace("\n", " ").replace("\t", " ")
    return text


def md_escape(text: Any) -> str:
    """Text for st.markdown / st.caption / st.error …, shown exactly as typed: '[请重新登录](http://x)' stays
    brackets, '<script>' stays visible text, '# 标题' no heading."""
    return _MARKDOWN.sub(r"\\\1", str(text))


def formula_safe(value: Any) -> Any:
    """A text that Excel would run as a formula (starts with = + - @, tab or CR) gets a leading apostrophe, for
    CSV output; anything else (numbers, other text) is returned unchanged (OWASP 'CSV injection')."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def looks_like_formula(value: Any) -> bool:
    """True for a text that Excel would treat as a formula if typed: the exporter marks such cells quote-prefixed."""
    return isinstance(value, str) and value.startswith(FORMULA_START)
