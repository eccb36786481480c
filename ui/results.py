"""The engine's results as pages ask for them, cached per data version: statuses, trajectories, an area's small
charts, changes, the task ledger, the scorecard (at year and quarter ends), colour bands, milestone deadlines, the
comparison among regions, the last meeting and the 督查通报 document. Every number comes from views.policy →
metrics; this module only caches."""
from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

import db
from metrics.compare import year_on_year
from metrics.trajectory import trajectories
from ui import charts, status_tables
from ui.cache import (
    catalogue_at,
    clear_shared,
    data_version,
    engine,
    frames_at,
    regions_frames_at,
    settings,
)
from views import comparison
from views import policy as views_policy


def clear_data_caches() -> None:
    """Forget every cached frame, status and figure (not the engine): what a benchmark's cold run starts from."""
    st.cache_data.clear()
    clear_shared()
    for cache in (_area_figure, _status_table, _growth_comparison, _quality, _deck_plan):
        cache.clear()
    for clear in page_caches:
        clear()


page_caches: list = []   # the .clear of every shared cache of a page's data (ui.overview_data registers its own)


@st.cache_data(show_spinner=False, max_entries=8)
def _status(version: int, policy: str, region: str, as_of_year: int) -> pd.DataFrame:
    return views_policy.policy_status(frames_at(version, policy, region), settings(), policy, region, as_of_year)


def status(policy: str, region: str, as_of_year: int) -> pd.DataFrame:
    """views.policy.policy_status for one region, cached until the data change."""
    return _status(data_version(), policy, region, int(as_of_year))


@st.cache_resource(show_spinner=False, max_entries=16)
def _status_table(version: int, policy: str, region: str, as_of_year: int) -> pd.DataFrame:
    return status_tables.status_table(_status(version, policy, region, as_of_year))


def status_table(policy: str, region: str, as_of_year: int) -> pd.DataFrame:
    """status() with the renderer's texts (ui.status_tables.status_table), built once per data version and shared
    by every session as a shallow copy (copy-on-write keeps the shared frame unchanged)."""
    return _status_table(data_version(), policy, region, int(as_of_year)).copy(deep=False)


@st.cache_data(show_spinner=False)
def _trajectories(version: int, policy: str, region: str, as_of_year: int) -> pd.DataFrame:
    rows = _status(version, policy, region, as_of_year)
    return trajectories(rows, frames_at(version, policy, region)["observations"], as_of_year)


def chart_series(policy: str, region: str, as_of_year: int) -> pd.DataFrame:
    """metrics.trajectory.trajectories for every target of the region, cached until the data change."""
    return _trajectories(data_version(), policy, region, int(as_of_year))


@st.cache_resource(show_spinner=False, max_entries=64)
def _area_figure(version: int, policy: str, region: str, as_of_year: int, area: str):
    rows = _status(version, policy, region, as_of_year)
    table = status_tables.status_table(rows.loc[rows["area"] == area])
    series = _trajectories(version, policy, region, as_of_year)
    return charts.small_multiples_figure(series.loc[series["code"].isin(table["code"])], table, f"{area}领域目标进展")


def area_figure(policy: str, region: str, as_of_year: int, area: str):
    """The small charts of one area (charts.small_multiples_figure), kept as the figure object itself: Streamlit
    re-validates a figure given as a dict on every run, and copying a cached go.Figure costs more than building
    it. A figure is never changed after it is built, so sessions may share it."""
    return _area_figure(data_version(), policy, region, int(as_of_year), area)


@st.cache_data(show_spinner=False)
def _changes(version: int, policy: str, region: str, as_of_year: int) -> pd.DataFrame:
    return views_policy.changes_since(_status(version, policy, region, as_of_year - 1),
                                      _status(version, policy, region, as_of_year))


def changes(policy: str, region: str, as_of_year: int) -> pd.DataFrame:
    """What changed between the previous year and the as-of year (metrics.changes.status_changes; a target that
    reached its due year in between has direction "judged")."""
    return _changes(data_version(), policy, region, int(as_of_year))


@st.cache_data(show_spinner=False)
def _ledger(version: int, policy: str, as_of_year: int) -> pd.DataFrame:
    return _ledger_on(version, policy, f"{int(as_of_year)}-12-31")  # judged on 31 December


@st.cache_data(show_spinner=False, max_entries=16)
def _ledger_on(version: int, policy: str, day: str) -> pd.DataFrame:
    """The task ledger on a day (ISO date): one cache for the year's ledger, the quarter ends and the deadlines."""
    return views_policy.policy_ledger(catalogue_at(version), policy, pd.Timestamp(day))


def ledger(policy: str, as_of_year: int) -> pd.DataFrame:
    """metrics.scorecard.task_ledger for the policy at the end of the as-of year, cached."""
    return _ledger(data_version(), policy, int(as_of_year))


@st.cache_data(show_spinner=False)
def _scorecard(version: int, policy: str, region: str, as_of_year: int) -> pd.DataFrame:
    year_ledger = _ledger(version, policy, as_of_year)
    return views_policy.policy_scorecard(catalogue_at(version), settings(), policy,
                                         _status(version, policy, region, as_of_year), year_ledger,
                                         deadlines=_ledger_deadlines(version, policy, year_ledger))


def _ledger_deadlines(version: int, policy: str, day_ledger: pd.DataFrame) -> pd.DataFrame | None:
    """views.policy.ledger_deadlines from the deadlines cache (the 督办 section shows the same day's deadlines)."""
    if day_ledger.empty:
        return None
    return _deadlines(version, policy, pd.Timestamp(day_ledger["as_of"].iloc[0]).date().isoformat())


@st.cache_data(show_spinner=False, max_entries=8)
def _quarter_statuses(version: int, policy: str, region: str, year: int) -> dict[tuple[int, int], pd.DataFrame]:
    """The statuses at the ends of Q1–Q3 of a year, computed in one pass (views.policy.statuses_by_period)."""
    return views_policy.statuses_by_period(frames_at(version, policy, region), settings(), policy, region,
                                           [(year, 1), (year, 2), (year, 3)])


def _quarter_status(version: int, policy: str, region: str, year: int, quarter: int) -> pd.DataFrame:
    if quarter == 0:
        return _status(version, policy, region, year)
    return _quarter_statuses(version, policy, region, year)[(year, quarter)]


@st.cache_data(show_spinner=False, max_entries=16)
def _scorecard_on(version: int, policy: str, region: str, day: str) -> pd.DataFrame:
    """The scorecard on a day (views.policy.scorecard_at); on 31 December the year's scorecard, from the same cache."""
    when = pd.Timestamp(day)
    if when.month == 12 and when.day == 31:
        return _scorecard(version, policy, region, when.year)
    year, quarter = views_policy.period_at(when)
    day_ledger = _ledger_on(version, policy, day)
    return views_policy.policy_scorecard(catalogue_at(version), settings(), policy,
                                         _quarter_status(version, policy, region, year, quarter), day_ledger,
                                         deadlines=_ledger_deadlines(version, policy, day_ledger))


def scorecard(policy: str, region: str, as_of_year: int) -> pd.DataFrame:
    """metrics.scorecard.department_scorecard, cached."""
    return _scorecard(data_version(), policy, region, int(as_of_year))


@st.cache_data(show_spinner=False)
def _band_history(version: int, policy: str, region: str, as_of_year: int) -> pd.DataFrame:
    return views_policy.policy_band_history(
        frames_at(version, policy, region), settings(), policy, region, as_of_year,
        scorecard_on=lambda day: _scorecard_on(version, policy, region, day.date().isoformat()))


def band_history(policy: str, region: str, as_of_year: int) -> pd.DataFrame:
    """metrics.bands.band_history over the four quarters up to the end of the as-of year, cached."""
    return _band_history(data_version(), policy, region, int(as_of_year))


@st.cache_data(show_spinner=False, max_entries=8)
def _deadlines(version: int, policy: str, as_of: str) -> pd.DataFrame:
    return views_policy.policy_deadlines(catalogue_at(version), settings(), policy, as_of,
                                         ledger=_ledger_on(version, policy, as_of))


def deadlines(policy: str, as_of) -> pd.DataFrame:
    """views.policy.policy_deadlines (milestone deadline states with the latest task progress) on a date, cached."""
    return _deadlines(data_version(), policy, pd.Timestamp(as_of).date().isoformat())


@st.cache_data(show_spinner=False)
def _audit_entries(version: int, key_contains: str) -> pd.DataFrame:
    return db.read_audit(engine(), key_contains=key_contains)


def audit(key_contains: str) -> pd.DataFrame:
    """The audit log entries whose key contains the text (e.g. '长垣市/hte_count/'), newest first, cached."""
    return _audit_entries(data_version(), key_contains)


# ---------------------------------------------------------------- comparison among regions

@st.cache_data(show_spinner=False, max_entries=8)
def _status_of_regions(version: int, policy: str, regions: tuple[str, ...], as_of_year: int) -> pd.DataFrame:
    return views_policy.policy_status(regions_frames_at(version, regions), settings(), policy, list(regions),
                                      as_of_year)


def status_of_regions(policy: str, regions: list[str], as_of_year: int) -> pd.DataFrame:
    """views.policy.policy_status for a few regions (the region, the regions above it, the benchmark), cached."""
    return _status_of_regions(data_version(), policy, tuple(regions), int(as_of_year))


@st.cache_data(show_spinner=False, max_entries=8)
def _growth(version: int, indicators: tuple[str, ...], years: tuple[int, ...], level: str) -> pd.DataFrame:
    return year_on_year(db.read_year_pairs(engine(), list(indicators), list(years), level))


def peer_growth_rows(indicators: list[str], years: list[int], level: str) -> pd.DataFrame:
    """Year-on-year growth of the regions of one level (pairs joined in SQL, rates in metrics.compare), cached."""
    return _growth(data_version(), tuple(sorted(set(indicators))), tuple(sorted({int(y) for y in years})), level)


@st.cache_resource(show_spinner=False, max_entries=8)
def _growth_comparison(version: int, policy: str, region: str, as_of_year: int) -> comparison.GrowthComparison:
    catalogue_frames = catalogue_at(version)
    shown = comparison.regions_shown(catalogue_frames, policy, region)
    status_shown = _status_of_regions(version, policy, tuple(shown), as_of_year)
    request = comparison.growth_request(status_shown, catalogue_frames["regions"], region)
    growth = _growth(version, tuple(sorted(set(request.indicators))), tuple(sorted(set(request.years))), request.level)
    return comparison.growth_comparison(status_shown, growth, catalogue_frames["regions"], region, shown)


def growth_comparison(policy: str, region: str, as_of_year: int) -> comparison.GrowthComparison:
    """对比分析 in one call: the statuses of the region, the regions above it and the benchmark, the peers' growth
    read for its relative targets, and the comparison (views.comparison), built once per data version and shared
    read-only (the page only draws it)."""
    return _growth_comparison(data_version(), policy, region, int(as_of_year))


# ---------------------------------------------------------------- meetings and the 督查通报

@st.cache_data(show_spinner=False, max_entries=8)
def _last_meeting(version: int, policy: str, region: str, today: date):
    return views_policy.last_snapshot(engine(), policy, region, today=today)


def last_meeting(policy: str, region: str):
    """views.policy.last_snapshot (the latest meeting snapshot's row and frozen rows, or None), cached."""
    return _last_meeting(data_version(), policy, region, date.today())


@st.cache_data(show_spinner=False, max_entries=4)
def _snapshots(version: int, policy: str, region: str) -> pd.DataFrame:
    return db.read_snapshots(engine(), policy, region)


def snapshots(policy: str, region: str) -> pd.DataFrame:
    """The meeting snapshots of the policy and region, latest meeting first, cached (a saved one bumps the version)."""
    return _snapshots(data_version(), policy, region)


def status_known_on(policy: str, region: str, as_of_year: int, known_on: date) -> pd.DataFrame:
    """The statuses as the figures known on a meeting's day gave them (each value's vintage released by then), as
    `cli.py snapshot --date` freezes them; not cached (a snapshot is saved once)."""
    known = views_policy.load_frames(engine(), known_on=known_on)
    return views_policy.policy_status(known, settings(), policy, region, int(as_of_year))


@st.cache_data(show_spinner=False, max_entries=4)
def _bulletin(version: int, policy: str, region: str, as_of_year: int, issued: str, number: int) -> bytes:
    from bulletin import build_bulletin, bulletin_data
    return build_bulletin(bulletin_data(frames_at(version, policy, region), settings(), policy=policy,
                                        region=region, as_of=int(as_of_year), issued=date.fromisoformat(issued),
                                        number=int(number)))


def bulletin_docx(policy: str, region: str, as_of_year: int, issued: date, number: int) -> bytes:
    """The 督查通报 (.docx) as of the end of the year, dated `issued` under 文号 number `number`, cached until the
    data change."""
    return _bulletin(data_version(), policy, region, int(as_of_year), issued.isoformat(), int(number))


@st.cache_data(show_spinner=False, max_entries=4)
def _deck_data(version: int, policy: str, region: str, as_of_year: int, snapshot_id: int | None):
    from deck.data import deck_data
    snapshot = None
    if snapshot_id is not None:
        meta = _snapshots(version, policy, region).set_index("id").loc[snapshot_id]
        snapshot = (meta, db.read_snapshot(engine(), snapshot_id))
    return deck_data(frames_at(version, policy, region), settings(), policy=policy, region=region,
                     as_of_year=as_of_year, snapshot=snapshot)


def deck_data(policy: str, region: str, as_of_year: int, snapshot_id: int | None):
    """The meeting deck's inputs (deck.data.deck_data) compared with a meeting snapshot of the policy and region
    (None: no comparison), cached until the data change (a saved snapshot changes them too)."""
    return _deck_data(data_version(), policy, region, int(as_of_year), snapshot_id)


@st.cache_resource(show_spinner=False, max_entries=16)
def _deck_plan(version: int, policy: str, region: str, as_of_year: int, snapshot_id: int | None, options):
    from deck import plan_deck
    return plan_deck(_deck_data(version, policy, region, as_of_year, snapshot_id), options)


def deck_plan(policy: str, region: str, as_of_year: int, snapshot_id: int | None, options) -> list:
    """deck.plan_deck of deck_data for the options (deck.DeckOptions), planned once per data version and options."""
    return _deck_plan(data_version(), policy, region, int(as_of_year), snapshot_id, options)


# ---------------------------------------------------------------- 数据质量

@st.cache_resource(show_spinner=False, max_entries=8)
def _quality(version: int, policy: str, region: str, as_of_year: int):
    from metrics.quality import issue_counts, provenance_counts, quality_findings
    f = frames_at(version, policy, region)
    targets = f["targets"].loc[f["targets"]["policy"] == policy]
    findings = quality_findings(targets, f["observations"], _status(version, policy, region, as_of_year), region,
                                as_of_year)
    return findings, issue_counts(findings), provenance_counts(f["observations"], region, as_of_year)


def quality(policy: str, region: str, as_of_year: int) -> tuple[pd.DataFrame, dict, dict]:
    """数据质量: metrics.quality's findings per indicator, their counts by issue, and the region's values by
    provenance (公开数据 / 示例数据), built once per data version and shared read-only."""
    return _quality(data_version(), policy, region, int(as_of_year))
