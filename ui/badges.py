"""Marks a page shows beside its numbers: the 示例数据 banner with its count, and a status as a coloured pill with
icon and words (colour is never the only cue)."""
from __future__ import annotations

import html

import streamlit as st

from vocab import labels


def sample_banner(n_sample: int | bool, n_values: int | None = None, what: str = "数值", counter: str = "个") -> None:
    """The 示例数据 warning on every page that shows a sample value, with how many of the page's values are sample
    (labels.sample_banner_text: '本页 46 个数值全部为…', '本页 53 个数值中 41 个为…'); given only a flag, without a
    count."""
    if n_sample:
        st.warning(labels.sample_banner_text(int(n_sample), n_values, what, counter), icon="⚠️")


def status_badge(key: str, size: str = "1rem", text: str | None = None) -> None:
    """A status as a coloured pill with icon and label, or the renderer's verdict ('未完成（完成 92%）') when given."""
    s = labels.STATUS_BY_KEY[key]
    st.markdown(f'<span style="display:inline-block;padding:2px 10px;border-radius:12px;font-size:{size};'
                f'font-weight:600;background:{s.colour}26;border:1.5px solid {s.colour};color:#1A1A1A">'
                f'<span style="color:{s.colour}">{s.icon}</span> {html.escape(text or s.label)}</span>',
                unsafe_allow_html=True)


def value_counts(frame, value_column: str = "value") -> tuple[int, int]:
    """(sample values, values) of a frame with an is_sample column: the rows that have a value in value_column."""
    shown = frame.loc[frame[value_column].notna()]
    return int(shown["is_sample"].fillna(False).astype(bool).sum()), len(shown)
