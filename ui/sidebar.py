"""The sidebar every page starts with: policy, region and as-of year, kept across page switches, and the account
box; with reading closed, the login form and nothing else."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import streamlit as st

from ui.cache import catalogue_frames, data_version, frames_at
from ui.login import account, account_box, reading_gate
from views import policy as views_policy
from vocab import labels


@dataclass(frozen=True)
class Filters:
    policy: str
    region: str
    as_of_year: int
    base_year: int
    start_year: int
    end_year: int


@st.cache_resource(show_spinner=False, max_entries=32)
def _as_of_years(version: int, policy: str, region: str, this_year: int) -> tuple[list[int], int]:
    return views_policy.as_of_years(frames_at(version, policy, region), policy, region, this_year)


def _kept_index(key: str, options: list, default: int) -> int:
    """The index of the choice made on the previous page: Streamlit forgets a widget's value when a page that
    does not draw it runs, so the filters keep their own copy (`_kept_<key>`) to survive page switches."""
    kept = st.session_state.get(f"_kept_{key}")
    return options.index(kept) if kept in options else default


def through_app_navigation() -> None:
    """Make a deep link on a fresh server run through app.py.

    Streamlit starts in its legacy multipage mode when a `pages/` folder exists, until some script calls
    st.navigation. If the first request of a new server is a page URL (e.g. /departments), Streamlit runs that
    page file directly: no page config, raw file names in the sidebar. Leave legacy mode and rerun: the rerun
    executes app.py, whose st.navigation resolves the same URL. Only on a session's first run (app.py marks
    the session): later runs keep their widget events, and AppTest's page switches are left alone."""
    from streamlit.runtime.pages_manager import PagesManager
    if PagesManager.uses_pages_directory and not st.session_state.get("_app_navigation"):
        PagesManager.uses_pages_directory = False
        st.rerun()


def sidebar_filters() -> Filters:
    """Policy, region and as-of year, chosen in the sidebar and kept across pages. Every page calls it first: with
    reading closed, a visitor who is not logged in gets the login form here and nothing else, even on a run of the
    page file that did not come through app.py."""
    through_app_navigation()
    reading_gate()
    f = catalogue_frames()
    policies = f["policies"]
    with st.sidebar:
        st.markdown(f"### {labels.APP_TITLE}")
        codes = list(policies["code"])
        titles = dict(zip(policies["code"], policies["doc_number"] + " " + policies["short_title"]))
        policy = st.selectbox("政策文件", codes, index=_kept_index("policy", codes, 0), format_func=titles.get,
                              key="policy")
        p = policies.set_index("code").loc[policy]
        regions = list(f["regions"]["name"])
        default_region = regions.index(p["region"]) if p["region"] in regions else 0
        region = st.selectbox("地区", regions, index=_kept_index("region", regions, default_region), key="region")
        years, default_year = _as_of_years(data_version(), policy, region, date.today().year)
        as_of = st.selectbox("截至年份", years, index=_kept_index("as_of_year", years, years.index(default_year)),
                             key="as_of_year",
                             format_func=lambda y: f"{y}年")
        st.caption(f"基期 {int(p['base_year'])} 年 · 实施期 {int(p['start_year'])}—{int(p['end_year'])} 年")
    account_box(account())
    st.session_state.update({"_kept_policy": policy, "_kept_region": region, "_kept_as_of_year": as_of})
    return Filters(policy=policy, region=region, as_of_year=int(as_of), base_year=int(p["base_year"]),
                   start_year=int(p["start_year"]), end_year=int(p["end_year"]))
