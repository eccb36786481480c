"""The one path from the store to the engine's results: "status for this policy and region", the task ledger, the
department scorecard, changes since a snapshot. Pages (through ui's caches), the deck, the CLI and tests call
these, so a number on a page, a slide and in `cli.py status` is computed the same way.

Frames are the store's DataFrames (`load_frames`); everything here except `load_frames` and `last_snapshot` is pure."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pandas as pd
from sqlalchemy.engine import Engine

import db
from metrics.bands import band_history
from metrics.changes import status_changes
from metrics.deadlines import attention, milestone_deadlines
from metrics.scorecard import department_scorecard, task_ledger
from metrics.status import target_status_at
from vocab import periods

Frames = dict[str, pd.DataFrame]
CATALOGUE_FRAMES = ("policies", "indicators", "targets", "tasks", "task_units", "progress", "regions")


def load_catalogue_frames(engine: Engine) -> Frames:
    """Everything but the observations: small (one row per target, task, unit, region), the same for any region."""
    return {"policies": db.read_policies(engine), "indicators": db.read_indicators(engine),
            "targets": db.read_targets(engine), "tasks": db.read_tasks(engine),
            "task_units": db.read_task_units(engine), "progress": db.read_progress(engine),
            "regions": db.read_regions(engine), "milestones": db.read_milestones(engine),
            "chases": db.read_chases(engine), "extensions": db.read_extensions(engine),
            "attachments": db.read_attachments(engine)}


def load_frames(engine: Engine, regions: list[str] | None = None, known_on: date | None = None) -> Frames:
    """The catalogue frames and the observations of the given regions (None: every region): the current values, or
    with known_on each value's vintage known on that day (a report or snapshot for a past meeting)."""
    return {**load_catalogue_frames(engine),
            "observations": db.read_observations(engine, regions=regions, known_on=known_on)}


def policy_row(frames: Frames, policy: str) -> dict:
    """The policy's row as a dict (code, doc_number, title, region, benchmark_region, years …); unknown → ValueError."""
    policies = frames["policies"]
    row = policies.loc[policies["code"] == policy]
    if row.empty:
        raise ValueError(f"政策“{policy}”不存在；可选：{'、'.join(policies['code'])}")
    return {**row.iloc[0].to_dict(), "code": policy}


def default_policy(frames: Frames) -> str:
    """The first policy (by start year)."""
    return str(frames["policies"]["code"].iloc[0])


def policy_targets(frames: Frames, policy: str) -> pd.DataFrame:
    targets = frames["targets"]
    return targets.loc[targets["policy"] == policy]


def as_of_years(frames: Frames, policy: str, region: str, this_year: int) -> tuple[list[int], int]:
    """The sidebar's as-of years and its default: from the policy's start to the present year (a finished policy is
    still read afterwards), plus any year with data of a targeted indicator since the base year; the default is the
    latest year the region has such data for; without any, the present year within the period (a policy that has
    not started reads its start year, one still running this year, one that is over its end year) — never the end
    year of a running policy, which would judge every target before its time."""
    p = policy_row(frames, policy)
    targeted = set(policy_targets(frames, policy)["indicator"])
    obs = frames["observations"]
    obs_years = set(obs.loc[(obs["region"] == region) & obs["indicator"].isin(targeted), "year"].astype(int))
    last = max(int(this_year), int(p["end_year"]))
    years = sorted(set(range(int(p["start_year"]), last + 1))
                   | {y for y in obs_years if int(p["base_year"]) <= y <= max(last, int(p["track_to"]))})
    fallback = min(max(int(this_year), int(p["start_year"])), int(p["end_year"]))
    return years, max((y for y in obs_years if y in years), default=fallback)


def benchmark_regions(frames: Frames, policy: str) -> list[str]:
    """The regions a policy's targets compare with (the policy's benchmark and every target's), in that order."""
    row = policy_row(frames, policy)
    names = [row.get("benchmark_region"), *policy_targets(frames, policy)["benchmark"].dropna()]
    return list(dict.fromkeys(n for n in names if isinstance(n, str) and n))


def regions_for(frames: Frames, policy: str, region: str) -> list[str]:
    """What a page about one region reads: the region and the policy's benchmark regions."""
    return list(dict.fromkeys([region, *benchmark_regions(frames, policy)]))


def check_region(frames: Frames, region: str) -> str:
    if region not in set(frames["regions"]["name"]):
        raise ValueError(f"地区“{region}”不在数据库中，请检查名称（新地区请加入 data/regions.toml 后运行 cli.py init）。")
    return region


def policy_status(frames: Frames, settings: dict, policy: str, regions: str | list[str], as_of_year: int,
                  as_of_quarter: int = 0) -> pd.DataFrame:
    """metrics.status.target_status for a policy and one or more regions, with the catalogue's stage names (so
    that charts and tables can name a milestone's stage)."""
    return policy_status_at(frames, settings, policy, regions, [(int(as_of_year), int(as_of_quarter))])


def policy_status_at(frames: Frames, settings: dict, policy: str, regions: str | list[str],
                     periods: list[tuple[int, int]]) -> pd.DataFrame:
    """policy_status for several (year, quarter) periods in one pass (metrics.status.target_status_at): each
    period's rows in the order given, told apart by as_of_year and as_of_quarter."""
    targets = policy_targets(frames, policy)
    names = [regions] if isinstance(regions, str) else list(regions)
    result = target_status_at(targets, frames["observations"], periods, settings=settings, regions=names)
    return result.merge(targets[["code", "stages"]], on="code", how="left")


def statuses_by_period(frames: Frames, settings: dict, policy: str, region: str,
                       periods: list[tuple[int, int]]) -> dict[tuple[int, int], pd.DataFrame]:
    """{(year, quarter): policy_status} for the periods, computed in one pass."""
    both = policy_status_at(frames, settings, policy, region, periods)
    return {(int(y), int(q)): part.reset_index(drop=True)
            for (y, q), part in both.groupby(["as_of_year", "as_of_quarter"], sort=False)}


def policy_ledger(frames: Frames, policy: str, as_of: int | str | date | pd.Timestamp) -> pd.DataFrame:
    """metrics.scorecard.task_ledger for the policy's tasks (as_of: a year = its 31 December, or a date)."""
    tasks = frames["tasks"].loc[frames["tasks"]["policy"] == policy]
    progress = frames["progress"].loc[frames["progress"]["policy"] == policy]
    return task_ledger(tasks, progress, as_of)


def policy_task_units(frames: Frames, policy: str) -> pd.DataFrame:
    units = frames["task_units"]
    return units.loc[units["policy"] == policy]


def policy_scorecard(frames: Frames, settings: dict, policy: str, status: pd.DataFrame,
                     ledger: pd.DataFrame, deadlines: pd.DataFrame | None = None) -> pd.DataFrame:
    """metrics.scorecard.department_scorecard from a status frame and a ledger of the policy, with the milestone
    deductions of the policy's deadlines on the ledger's day (given, or computed from frames that hold milestones)."""
    if deadlines is None:
        deadlines = ledger_deadlines(frames, settings, policy, ledger)
    return department_scorecard(status, ledger, policy_task_units(frames, policy), settings, deadlines=deadlines)


def ledger_deadlines(frames: Frames, settings: dict, policy: str, ledger: pd.DataFrame) -> pd.DataFrame | None:
    """The policy's milestone deadlines on the day the ledger judges tasks (None when the frames hold no milestones)."""
    if "milestones" not in frames or ledger.empty:
        return None
    return policy_deadlines(frames, settings, policy, pd.Timestamp(ledger["as_of"].iloc[0]))


def _of_policy(frame: pd.DataFrame, policy: str) -> pd.DataFrame:
    return frame.loc[frame["policy"] == policy]


def policy_deadlines(frames: Frames, settings: dict, policy: str, as_of: date | str | pd.Timestamp,
                     ledger: pd.DataFrame | None = None) -> pd.DataFrame:
    """metrics.deadlines.milestone_deadlines for the policy's milestones on a date, with each task's latest
    progress on or before that date (last_progress, last_progress_on) from the task ledger (the policy's ledger on
    that day: given, or computed)."""
    deadlines = milestone_deadlines(_of_policy(frames["milestones"], policy), _of_policy(frames["chases"], policy),
                                    _of_policy(frames["extensions"], policy), as_of, settings)
    if ledger is None:
        ledger = policy_ledger(frames, policy, pd.Timestamp(as_of))
    latest = ledger[["clause", "progress", "reported_on"]].rename(
        columns={"progress": "last_progress", "reported_on": "last_progress_on"})
    return deadlines.merge(latest, on="clause", how="left").assign(
        last_progress=lambda d: d["last_progress"].fillna(""))


def deadline_attention(deadlines: pd.DataFrame, units: list[str] | None = None) -> pd.DataFrame:
    """The 临期与逾期 list (metrics.deadlines.attention), optionally for some units only."""
    rows = deadlines if not units else deadlines.loc[deadlines["unit"].isin(units)]
    return attention(rows)


def unit_todo(deadlines: pd.DataFrame, units: list[str] | tuple[str, ...]) -> pd.DataFrame:
    """本单位待办: the units' milestones not yet done, by due date."""
    rows = deadlines.loc[deadlines["unit"].isin(list(units)) & (deadlines["status"] != "done")]
    return rows.sort_values(["due_date", "clause", "title"], kind="stable").reset_index(drop=True)


def period_at(when: date | pd.Timestamp) -> tuple[int, int]:
    """The latest complete period at a date (vocab.periods.period_at), for a date or a Timestamp."""
    return periods.period_at(date(when.year, when.month, when.day))


def scorecard_at(frames: Frames, settings: dict, policy: str, region: str,
                 when: int | str | date | pd.Timestamp) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(status, ledger, scorecard) as of a day (a year = its 31 December): tasks as of that day, targets at the
    latest complete quarter — what `cli.py scorecard`, the band history and the bulletin use."""
    point = periods.parse_as_of(when)
    day, year, quarter = pd.Timestamp(point.day), point.year, point.quarter
    status = policy_status(frames, settings, policy, region, year, quarter)
    ledger = policy_ledger(frames, policy, day)
    return status, ledger, policy_scorecard(frames, settings, policy, status, ledger)


def quarter_ends(when: int | str | date | pd.Timestamp, n: int) -> list[pd.Timestamp]:
    """The last n quarter ends at or before a day, oldest first (a year = its 31 December)."""
    day = pd.Timestamp(periods.parse_as_of(when).day)
    last = day if day.is_quarter_end else (day - pd.offsets.QuarterEnd(1))
    return [(last - pd.offsets.QuarterEnd(k)).normalize() for k in range(n - 1, -1, -1)]


def quarter_label(day: pd.Timestamp) -> str:
    """'2020年三季度' (vocab.periods.period_label): how a quarter heads a column on pages and in documents."""
    return periods.period_label(day.year, day.quarter)


def policy_band_history(frames: Frames, settings: dict, policy: str, region: str,
                        when: int | str | date | pd.Timestamp, n: int = 4,
                        scorecard_on: Callable[[pd.Timestamp], pd.DataFrame] | None = None) -> pd.DataFrame:
    """metrics.bands.band_history over the last n quarter ends up to a day: one row per unit, one column per
    quarter ('2020年三季度'), band keys. scorecard_on(day) gives a quarter end's scorecard (default: scorecard_at;
    the dashboard passes its cached one, so that the year-end card is the one the page already shows)."""
    days = quarter_ends(when, n)
    if scorecard_on is None:
        statuses = statuses_by_period(frames, settings, policy, region, list(dict.fromkeys(map(period_at, days))))

        def scorecard_on(day: pd.Timestamp) -> pd.DataFrame:
            return policy_scorecard(frames, settings, policy, statuses[period_at(day)],
                                    policy_ledger(frames, policy, day))
    return band_history({quarter_label(d): scorecard_on(d) for d in days}, settings)


def unit_options(frames: Frames, policy: str) -> list[str]:
    """Every unit that leads or shares a task of the policy, in the document's order."""
    return list(dict.fromkeys(policy_task_units(frames, policy)["department"]))


def changes_since(snapshot: pd.DataFrame, status: pd.DataFrame, meeting_date: date | None = None) -> pd.DataFrame:
    """metrics.changes.status_changes between a snapshot's rows (db.read_snapshot) and the status now; with the
    meeting's date, a status moved by a figure of the same year released after it reads 因数据修订 ('revised')."""
    return status_changes(snapshot, status, revised_after=meeting_date)


def last_snapshot(engine: Engine, policy: str, region: str, before: date | None = None,
                  today: date | None = None) -> tuple[pd.Series, pd.DataFrame] | None:
    """The comparison baseline: the latest meeting on or before today (a future-dated snapshot never is), for the
    policy and region (optionally with a meeting date before a day)."""
    snaps = db.read_snapshots(engine, policy, region)
    snaps = snaps.loc[pd.to_datetime(snaps["meeting_date"]) <= pd.Timestamp(today or date.today())]
    if before is not None:
        snaps = snaps.loc[pd.to_datetime(snaps["meeting_date"]) < pd.Timestamp(before)]
    if snaps.empty:
        return None
    meta = snaps.iloc[0]
    return meta, db.read_snapshot(engine, int(meta["id"]))
