"""A value's vintages for the pages (issue 21): db.read_vintages cached until the data change, and the rule book of
usual final releases. Pages: 目标详情 (a value's history), 数据质量 (late provisional values, recent revisions)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import pandas as pd
import streamlit as st

import db
import ui
from metrics.quality import late_provisional, revisions
from views import vintage_words


@st.cache_data(show_spinner=False, max_entries=16)
def _vintages(version: int, regions: tuple[str, ...], indicators: tuple[str, ...] | None) -> pd.DataFrame:
    return db.read_vintages(ui.engine(), list(regions), list(indicators) if indicators else None)


def vintages(regions: Iterable[str], indicators: Iterable[str] | None = None) -> pd.DataFrame:
    """Every vintage of the regions' values (of the indicators, when given), oldest first per key, with is_current
    and known_from (db.read_vintages), cached per data version."""
    names = tuple(dict.fromkeys(r for r in regions if isinstance(r, str) and r))
    return _vintages(ui.data_version(), names, tuple(indicators) if indicators is not None else None)


@dataclass(frozen=True)
class VintageQuality:
    """数据质量's vintage tables (views.vintage_words): values still provisional after their usual final release,
    the revisions of the last `months` months and every revision, for `regions` (the region and its benchmarks)."""
    regions: list[str]
    late: pd.DataFrame
    months: int
    recent: pd.DataFrame
    every: pd.DataFrame


def vintage_quality(policy: str, region: str, as_of_year: int, today: date) -> VintageQuality:
    """The vintage findings of 数据质量 for the region and its benchmark regions as of a year, on a day."""
    f = ui.frames(policy, region)
    settings = ui.settings()
    regions = list(dict.fromkeys(f["observations"]["region"]))
    late = vintage_words.late_table(late_provisional(f["observations"], as_of_year, today, settings), f["indicators"])
    months = int(settings.get("vintages", {}).get("revision_months", 12))
    history = vintages(regions)
    return VintageQuality(regions, late, months,
                          vintage_words.revision_table(revisions(history, today, months), f["indicators"]),
                          vintage_words.revision_table(revisions(history, today, None), f["indicators"]))
