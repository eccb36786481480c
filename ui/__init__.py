"""What every page shares: the cached store, frames, engine results and heavy figures (all keyed by the data
version, so any write invalidates them), the sidebar filters and the sample-data banner. Nothing here computes a metric."""
from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

import db
from metrics.compare import year_on_year
from metrics.trajectory import trajectories
from store import catalogue
from ui import charts, status_tables
from views import policy as views
from vocab import labels


@st.cache_resource
def engine():
    """One engine per process; the first run creates or upgrades the schema and loads the catalogue (the built-in
    sample data only into a database that never held data)."""
    eng = db.make_engine()
    db.open_db(eng)
    return eng


def clear_data_caches() -> None:
    """Forget every cached frame, status and figure (not the engine): what a benchmark's cold run starts from."""
    st.cache_data.clear()
    _shared_catalogue.clear()
    _shared_observations.clear()
    _area_figure.clear()
    _figure.clear()


@st.cache_resource(show_spinner=False, max_entries=64)
def _figure(version: int, name: str, key: tuple, _build: Callable[[], go.Figure]) -> go.Figure:
    return _build()


def figure(name: str, key: tuple, build: Callable[[], go.Figure]) -> go.Figure:
    """A chart built once per data version and key (everything the chart depends on besides the data, e.g.
    policy, region, year, target) and kept as the figure object: a plotly figure costs more to build and to copy
    than to send. Figures are never changed after they are built, so sessions may share them."""
    return _figure(data_version(), name, tuple(key), build)


def data_version() -> int:
    return db.data_version(engine())


@st.cache_resource(show_spinner=False, max_entries=4)
def _shared_catalogue(version: int) -> views.Frames:
    return views.load_catalogue_frames(engine())


@st.cache_resource(show_spinner=False, max_entries=16)
def _shared_observations(version: int, regions: tuple[str, ...]) -> pd.DataFrame:
    return db.read_observations(engine(), regions=list(regions))


def _catalogue(version: int) -> views.Frames:
    """The catalogue frames read once per data version and shared by every session, handed out as shallow copies:
    pandas' copy-on-write gives a caller that changes one its own copy, so the shared frames never change (and,
    unlike st.cache_data, no run pays for unpickling them)."""
    return {name: frame.copy(deep=False) for name, frame in _shared_catalogue(version).items()}


def _observations(version: int, regions: tuple[str, ...]) -> pd.DataFrame:
    """The observations of these regions, shared like _catalogue."""
    return _shared_observations(version, regions).copy(deep=False)


def _frames_for(version: int, policy: str, region: str) -> views.Frames:
    """The catalogue frames and the observations of the region and the policy's benchmark regions (what a page
    about one region shows; other regions are never read)."""
    catalogue_frames = _catalogue(version)
    regions = tuple(views.regions_for(catalogue_frames, policy, region))
    return {**catalogue_frames, "observations": _observations(version, regions)}


def catalogue_frames() -> views.Frames:
    """Policies, indicators, targets, tasks, units, progress and regions, cached per data version."""
    return _catalogue(data_version())


def frames(policy: str, region: str) -> views.Frames:
    """catalogue_frames() plus the observations of the region and its benchmark regions, cached per data version."""
    return _frames_for(data_version(), policy, region)


@dataclass(frozen=True)
class Filters:
    policy: str
    region: str
    as_of_year: int
    base_year: int
    start_year: int
    end_year: int


def _kept_index(key: str, options: list, default: int) -> int:
    """The index of the choice made on the previous page: Streamlit forgets a widget's value when a page that
    does not draw it runs, so the filters keep their own copy (`_kept_<key>`) to survive page switches."""
    kept = st.session_state.get(f"_kept_{key}")
    return options.index(kept) if kept in options else default


def _through_app_navigation() -> None:
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
    _through_app_navigation()
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
        years, default_year = views.as_of_years(frames(policy, region), policy, region, date.today().year)
        as_of = st.selectbox("截至年份", years, index=_kept_index("as_of_year", years, years.index(default_year)),
                             key="as_of_year",
                             format_func=lambda y: f"{y}年")
        st.caption(f"基期 {int(p['base_year'])} 年 · 实施期 {int(p['start_year'])}—{int(p['end_year'])} 年")
    account_box(account())
    st.session_state.update({"_kept_policy": policy, "_kept_region": region, "_kept_as_of_year": as_of})
    return Filters(policy=policy, region=region, as_of_year=int(as_of), base_year=int(p["base_year"]),
                   start_year=int(p["start_year"]), end_year=int(p["end_year"]))


def sample_banner(uses_sample: bool) -> None:
    """The 示例数据 warning, shown on every page that displays a sample value."""
    if uses_sample:
        st.warning(labels.SAMPLE_BANNER, icon="⚠️")


# ---------------------------------------------------------------- cached metrics (keyed by the data version)

@st.cache_data(show_spinner=False)
def settings() -> dict:
    return catalogue.load_settings()


@st.cache_data(show_spinner=False, max_entries=8)
def _status(version: int, policy: str, region: str, as_of_year: int) -> pd.DataFrame:
    return views.policy_status(_frames_for(version, policy, region), settings(), policy, region, as_of_year)


def status(policy: str, region: str, as_of_year: int) -> pd.DataFrame:
    """views.policy_status for one region, cached until the data change."""
    return _status(data_version(), policy, region, int(as_of_year))


@st.cache_data(show_spinner=False)
def _trajectories(version: int, policy: str, region: str, as_of_year: int) -> pd.DataFrame:
    status = _status(version, policy, region, as_of_year)
    return trajectories(status, _frames_for(version, policy, region)["observations"], as_of_year)


def chart_series(policy: str, region: str, as_of_year: int) -> pd.DataFrame:
    """metrics.trajectory.trajectories for every target of the region, cached until the data change."""
    return _trajectories(data_version(), policy, region, int(as_of_year))


@st.cache_resource(show_spinner=False, max_entries=64)
def _area_figure(version: int, policy: str, region: str, as_of_year: int, area: str):
    status = _status(version, policy, region, as_of_year)
    rows = status_tables.status_table(status.loc[status["area"] == area])
    series = _trajectories(version, policy, region, as_of_year)
    return charts.small_multiples_figure(series.loc[series["code"].isin(rows["code"])], rows, f"{area}领域目标进展")


def area_figure(policy: str, region: str, as_of_year: int, area: str):
    """The small charts of one area (charts.small_multiples_figure), kept as the figure object itself: Streamlit
    re-validates a figure given as a dict on every run, and copying a cached go.Figure costs more than building
    it. A figure is never changed after it is built, so sessions may share it."""
    return _area_figure(data_version(), policy, region, int(as_of_year), area)


@st.cache_data(show_spinner=False)
def _changes(version: int, policy: str, region: str, as_of_year: int) -> pd.DataFrame:
    return views.changes_since(_status(version, policy, region, as_of_year - 1),
                               _status(version, policy, region, as_of_year))


def changes(policy: str, region: str, as_of_year: int) -> pd.DataFrame:
    """What changed between the previous year and the as-of year (metrics.changes.status_changes)."""
    return _changes(data_version(), policy, region, int(as_of_year))


@st.cache_data(show_spinner=False)
def _ledger(version: int, policy: str, as_of_year: int) -> pd.DataFrame:
    return _ledger_on(version, policy, f"{int(as_of_year)}-12-31")  # judged on 31 December


@st.cache_data(show_spinner=False, max_entries=16)
def _ledger_on(version: int, policy: str, day: str) -> pd.DataFrame:
    """The task ledger on a day (ISO date): one cache for the year's ledger, the quarter ends and the deadlines."""
    return views.policy_ledger(_catalogue(version), policy, pd.Timestamp(day))


def ledger(policy: str, as_of_year: int) -> pd.DataFrame:
    """metrics.scorecard.task_ledger for the policy at the end of the as-of year, cached."""
    return _ledger(data_version(), policy, int(as_of_year))


@st.cache_data(show_spinner=False)
def _scorecard(version: int, policy: str, region: str, as_of_year: int) -> pd.DataFrame:
    ledger = _ledger(version, policy, as_of_year)
    return views.policy_scorecard(_catalogue(version), settings(), policy, _status(version, policy, region, as_of_year),
                                  ledger, deadlines=_ledger_deadlines(version, policy, ledger))


def _ledger_deadlines(version: int, policy: str, ledger: pd.DataFrame) -> pd.DataFrame | None:
    """views.ledger_deadlines from the deadlines cache (the 督办 section shows the same day's deadlines)."""
    if ledger.empty:
        return None
    return _deadlines(version, policy, pd.Timestamp(ledger["as_of"].iloc[0]).date().isoformat())


@st.cache_data(show_spinner=False, max_entries=8)
def _quarter_statuses(version: int, policy: str, region: str, year: int) -> dict[tuple[int, int], pd.DataFrame]:
    """The statuses at the ends of Q1–Q3 of a year, computed in one pass (views.statuses_by_period)."""
    return views.statuses_by_period(_frames_for(version, policy, region), settings(), policy, region,
                                    [(year, 1), (year, 2), (year, 3)])


def _quarter_status(version: int, policy: str, region: str, year: int, quarter: int) -> pd.DataFrame:
    if quarter == 0:
        return _status(version, policy, region, year)
    return _quarter_statuses(version, policy, region, year)[(year, quarter)]


@st.cache_data(show_spinner=False, max_entries=16)
def _scorecard_on(version: int, policy: str, region: str, day: str) -> pd.DataFrame:
    """The scorecard on a day (views.scorecard_at); on 31 December it is the year's scorecard, from the same cache."""
    when = pd.Timestamp(day)
    if when.month == 12 and when.day == 31:
        return _scorecard(version, policy, region, when.year)
    year, quarter = views.period_at(when)
    catalogue_frames = _catalogue(version)
    ledger = _ledger_on(version, policy, day)
    return views.policy_scorecard(catalogue_frames, settings(), policy,
                                  _quarter_status(version, policy, region, year, quarter), ledger,
                                  deadlines=_ledger_deadlines(version, policy, ledger))


def scorecard(policy: str, region: str, as_of_year: int) -> pd.DataFrame:
    """metrics.scorecard.department_scorecard, cached."""
    return _scorecard(data_version(), policy, region, int(as_of_year))


@st.cache_data(show_spinner=False)
def _audit_entries(version: int, key_contains: str) -> pd.DataFrame:
    return db.read_audit(engine(), key_contains=key_contains)


def audit(key_contains: str) -> pd.DataFrame:
    """The audit log entries whose key contains the text (e.g. '长垣市/hte_count/'), newest first, cached."""
    return _audit_entries(data_version(), key_contains)


def status_badge(key: str, size: str = "1rem", text: str | None = None) -> None:
    """A status as a coloured pill with icon and label, or the renderer's verdict ('未完成（完成 92%）') when given
    (colour is never the only cue)."""
    s = labels.STATUS_BY_KEY[key]
    st.markdown(f'<span style="display:inline-block;padding:2px 10px;border-radius:12px;font-size:{size};'
                f'font-weight:600;background:{s.colour}26;border:1.5px solid {s.colour};color:#1A1A1A">'
                f'<span style="color:{s.colour}">{s.icon}</span> {html.escape(text or s.label)}</span>',
                unsafe_allow_html=True)


# ---------------------------------------------------------------- lookups the pages need

def policy_title(policy: str) -> str:
    """The policy's document number and short title, e.g. '长政〔2019〕20号 创新驱动提速增效工程'."""
    p = views.policy_row(catalogue_frames(), policy)
    return f"{p['doc_number']}《{p['title']}》"


def observations_of(policy: str, region: str, indicator: str, as_of_year: int, benchmark: str | None = None) -> pd.DataFrame:
    """The stored values of one indicator up to the as-of year, for the region (then its benchmark region),
    oldest first."""
    obs = frames(policy, region)["observations"]
    regions = [region] + ([benchmark] if isinstance(benchmark, str) and benchmark else [])
    rows = obs.loc[obs["region"].isin(regions) & (obs["indicator"] == indicator) & (obs["year"] <= as_of_year)]
    order = rows["region"].map({r: i for i, r in enumerate(regions)})
    return rows.assign(_o=order).sort_values(["_o", "year", "quarter"]).drop(columns="_o")


def benchmark_region(policy: str) -> str:
    """The policy's benchmark region (e.g. 河南省)."""
    p = views.policy_row(catalogue_frames(), policy)
    return str(p["benchmark_region"]) if isinstance(p.get("benchmark_region"), str) else ""


def unit_options(policy: str) -> list[str]:
    """Every unit that leads or shares a task of the policy, in the document's order."""
    return views.unit_options(catalogue_frames(), policy)


# ---------------------------------------------------------------- comparison among regions

@st.cache_data(show_spinner=False, max_entries=8)
def _status_of_regions(version: int, policy: str, regions: tuple[str, ...], as_of_year: int) -> pd.DataFrame:
    f = {**_catalogue(version), "observations": _observations(version, regions)}
    return views.policy_status(f, settings(), policy, list(regions), as_of_year)


def status_of_regions(policy: str, regions: list[str], as_of_year: int) -> pd.DataFrame:
    """views.policy_status for a few regions (the region, the regions above it, the benchmark), cached."""
    return _status_of_regions(data_version(), policy, tuple(regions), int(as_of_year))


@st.cache_data(show_spinner=False, max_entries=8)
def _growth(version: int, indicators: tuple[str, ...], years: tuple[int, ...], level: str) -> pd.DataFrame:
    return year_on_year(db.read_year_pairs(engine(), list(indicators), list(years), level))


def peer_growth_rows(indicators: list[str], years: list[int], level: str) -> pd.DataFrame:
    """Year-on-year growth of the regions of one level (pairs joined in SQL, rates in metrics.compare), cached."""
    return _growth(data_version(), tuple(sorted(set(indicators))), tuple(sorted({int(y) for y in years})), level)


@st.cache_data(show_spinner=False, max_entries=8)
def _last_meeting(version: int, policy: str, region: str, today: date):
    return views.last_snapshot(engine(), policy, region, today=today)


def last_meeting(policy: str, region: str):
    """views.last_snapshot (the latest meeting snapshot's row and frozen rows, or None), cached."""
    return _last_meeting(data_version(), policy, region, date.today())


# ---------------------------------------------------------------- 督办: milestone deadlines and the account

@st.cache_data(show_spinner=False, max_entries=8)
def _deadlines(version: int, policy: str, as_of: str) -> pd.DataFrame:
    return views.policy_deadlines(_catalogue(version), settings(), policy, as_of,
                                  ledger=_ledger_on(version, policy, as_of))


def deadlines(policy: str, as_of) -> pd.DataFrame:
    """views.policy_deadlines (milestone deadline states with the latest task progress) on a date, cached."""
    return _deadlines(data_version(), policy, pd.Timestamp(as_of).date().isoformat())


@st.cache_data(show_spinner=False)
def _band_history(version: int, policy: str, region: str, as_of_year: int) -> pd.DataFrame:
    return views.policy_band_history(
        _frames_for(version, policy, region), settings(), policy, region, as_of_year,
        scorecard_on=lambda day: _scorecard_on(version, policy, region, day.date().isoformat()))


def band_history(policy: str, region: str, as_of_year: int) -> pd.DataFrame:
    """metrics.bands.band_history over the four quarters up to the end of the as-of year, cached."""
    return _band_history(data_version(), policy, region, int(as_of_year))


@st.cache_data(show_spinner=False, max_entries=4)
def _bulletin(version: int, policy: str, region: str, as_of_year: int, issued: str, number: int) -> bytes:
    from bulletin import build_bulletin, bulletin_data
    return build_bulletin(bulletin_data(_frames_for(version, policy, region), settings(), policy=policy,
                                        region=region, as_of=int(as_of_year), issued=date.fromisoformat(issued),
                                        number=int(number)))


def bulletin_docx(policy: str, region: str, as_of_year: int, issued: date, number: int) -> bytes:
    """The 督查通报 (.docx) as of the end of the year, dated `issued` under 文号 number `number`, cached until the
    data change."""
    return _bulletin(data_version(), policy, region, int(as_of_year), issued.isoformat(), int(number))


# who is logged in, the login form and the reading gate: ui/login.py (it uses the cached engine and settings above)
from ui.login import account, account_box, reading_closed, reading_gate, write_scope  # noqa: F401
