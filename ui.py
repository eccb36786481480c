"""What every page shares: the cached store, cached frames (invalidated when data change), the sidebar filters
and the sample-data banner. Pages import from here; nothing here computes a metric."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

import db
import labels


@st.cache_resource
def engine():
    """One engine per process; the first run creates and fills the database."""
    eng = db.make_engine()
    db.init_db(eng)
    return eng


def data_version() -> int:
    return db.data_version(engine())


@st.cache_data(show_spinner=False)
def _frames(version: int) -> dict[str, pd.DataFrame]:
    eng = engine()
    return {
        "policies": db.read_policies(eng),
        "indicators": db.read_indicators(eng),
        "targets": db.read_targets(eng),
        "tasks": db.read_tasks(eng),
        "task_units": db.read_task_units(eng),
        "progress": db.read_progress(eng),
        "observations": db.read_observations(eng),
        "regions": db.read_regions(eng),
    }


def frames() -> dict[str, pd.DataFrame]:
    """All frames the pages need, cached per data version (any write bumps it)."""
    return _frames(data_version())


@dataclass(frozen=True)
class Filters:
    policy: str
    region: str
    as_of_year: int
    base_year: int
    start_year: int
    end_year: int


def sidebar_filters() -> Filters:
    """Policy, region and as-of year, chosen in the sidebar and kept across pages."""
    f = frames()
    policies = f["policies"]
    with st.sidebar:
        st.markdown(f"### {labels.APP_TITLE}")
        codes = list(policies["code"])
        titles = dict(zip(policies["code"], policies["doc_number"] + " " + policies["short_title"]))
        policy = st.selectbox("政策文件", codes, format_func=titles.get, key="policy")
        p = policies.set_index("code").loc[policy]
        regions = list(f["regions"]["name"])
        default_region = regions.index(p["region"]) if p["region"] in regions else 0
        region = st.selectbox("地区", regions, index=default_region, key="region")
        years = list(range(int(p["start_year"]), int(p["end_year"]) + 1))
        obs_years = sorted(set(f["observations"]["year"]))
        years = sorted(set(years) | {y for y in obs_years if p["base_year"] <= y <= p["track_to"]})
        default_year = years.index(int(p["end_year"])) if int(p["end_year"]) in years else len(years) - 1
        as_of = st.selectbox("截至年份", years, index=default_year, key="as_of_year", format_func=lambda y: f"{y}年")
        st.caption(f"基期 {int(p['base_year'])} 年 · 实施期 {int(p['start_year'])}—{int(p['end_year'])} 年")
    return Filters(policy=policy, region=region, as_of_year=int(as_of), base_year=int(p["base_year"]),
                   start_year=int(p["start_year"]), end_year=int(p["end_year"]))


def sample_banner(uses_sample: bool) -> None:
    """The 示例数据 warning, shown on every page that displays a sample value."""
    if uses_sample:
        st.warning(labels.SAMPLE_BANNER, icon="⚠️")
