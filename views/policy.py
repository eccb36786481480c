"""The one path from the store to the engine's results: "status for this policy and region", the task ledger, the
department scorecard, changes since a snapshot. Pages (through ui's caches), the deck, the CLI and tests call
these, so a number on a page, a slide and in `cli.py status` is computed the same way.

Frames are the store's DataFrames (`load_frames`); everything here except `load_frames` and `last_snapshot` is pure."""
from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy.engine import Engine

import db
from metrics.changes import status_changes
from metrics.scorecard import department_scorecard, task_ledger
from metrics.status import target_status

Frames = dict[str, pd.DataFrame]
CATALOGUE_FRAMES = ("policies", "indicators", "targets", "tasks", "task_units", "progress", "regions")


def load_catalogue_frames(engine: Engine) -> Frames:
    """Everything but the observations: small (one row per target, task, unit, region), the same for any region."""
    return {"policies": db.read_policies(engine), "indicators": db.read_indicators(engine),
            "targets": db.read_targets(engine), "tasks": db.read_tasks(engine),
            "task_units": db.read_task_units(engine), "progress": db.read_progress(engine),
            "regions": db.read_regions(engine)}


def load_frames(engine: Engine, regions: list[str] | None = None) -> Frames:
    """The catalogue frames and the observations of the given regions (None: every region)."""
    return {**load_catalogue_frames(engine), "observations": db.read_observations(engine, regions=regions)}


def policy_row(frames: Frames, policy: str) -> dict:
    """The policy's row as a dict (code, doc_number, title, region, benchmark_region, years …); unknown → ValueError."""
    policies = frames["policies"].set_index("code")
    if policy not in policies.index:
        raise ValueError(f"政策“{policy}”不存在；可选：{'、'.join(policies.index)}")
    return {"code": policy, **policies.loc[policy].to_dict()}


def default_policy(frames: Frames) -> str:
    """The first policy (by start year)."""
    return str(frames["policies"]["code"].iloc[0])


def policy_targets(frames: Frames, policy: str) -> pd.DataFrame:
    targets = frames["targets"]
    return targets.loc[targets["policy"] == policy]


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
    targets = policy_targets(frames, policy)
    names = [regions] if isinstance(regions, str) else list(regions)
    result = target_status(targets, frames["observations"], int(as_of_year), int(as_of_quarter), settings=settings,
                           regions=names)
    return result.merge(targets[["code", "stages"]], on="code", how="left")


def policy_ledger(frames: Frames, policy: str, as_of: int | str | date | pd.Timestamp) -> pd.DataFrame:
    """metrics.scorecard.task_ledger for the policy's tasks (as_of: a year = its 31 December, or a date)."""
    tasks = frames["tasks"].loc[frames["tasks"]["policy"] == policy]
    progress = frames["progress"].loc[frames["progress"]["policy"] == policy]
    return task_ledger(tasks, progress, as_of)


def policy_task_units(frames: Frames, policy: str) -> pd.DataFrame:
    units = frames["task_units"]
    return units.loc[units["policy"] == policy]


def policy_scorecard(frames: Frames, settings: dict, policy: str, status: pd.DataFrame,
                     ledger: pd.DataFrame) -> pd.DataFrame:
    """metrics.scorecard.department_scorecard from a status frame and a ledger of the policy."""
    return department_scorecard(status, ledger, policy_task_units(frames, policy), settings)


def unit_options(frames: Frames, policy: str) -> list[str]:
    """Every unit that leads or shares a task of the policy, in the document's order."""
    return list(dict.fromkeys(policy_task_units(frames, policy)["department"]))


def changes_since(snapshot: pd.DataFrame, status: pd.DataFrame) -> pd.DataFrame:
    """metrics.changes.status_changes between a snapshot's rows (db.read_snapshot) and the status now."""
    return status_changes(snapshot, status)


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
