"""Showing a chart on a page: full width, in the house style its figure carries (ui.chart_style), never
Streamlit's chart theme — that theme turns on plotly's automargin for every axis, which draws each figure twice in
the browser (tests/e2e/test_pages_browser.py checks that no axis label is cut without it)."""
from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st


def show_chart(fig: go.Figure, key: str | None = None, config: dict | None = None) -> None:
    st.plotly_chart(fig, width="stretch", theme=None, key=key, config=config)
