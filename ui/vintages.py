"""A value's vintages for the pages (issue 21): db.read_vintages cached until the data change, and the rule book of
usual final releases. Pages: 目标详情 (a value's history), 数据质量 (late provisional values, recent revisions)."""
from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import streamlit as st

import db
import ui


@st.cache_data(show_spinner=False, max_entries=16)
def _vintages(version: int, regions: tuple[str, ...], indicators: tuple[str, ...] | None) -> pd.DataFrame:
    return db.read_vintages(ui.engine(), list(regions), list(indicators) if indicators else None)


def vintages(regions: Iterable[str], indicators: Iterable[str] | None = None) -> pd.DataFrame:
    """Every vintage of the regions' values (of the indicators, when given), oldest first per key, with is_current
    and known_from (db.read_vintages), cached per data version."""
    names = tuple(dict.fromkeys(r for r in regions if isinstance(r, str) and r))
    return _vintages(ui.data_version(), names, tuple(indicators) if indicators is not None else None)
