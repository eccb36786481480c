"""The inputs of the meeting deck, computed by the metrics engine from the store's frames.

The page (from ui.frames()) and the CLI (from the database) call the same functions, so the deck, the dashboard
and `cli.py status` show the same numbers."""
from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy.engine import Engine

import db
from deck.build import DeckData, Meeting
from metrics.changes import status_changes
from metrics.scorecard import department_scorecard, task_ledger
from metrics.status import target_status


def load_frames(engine: Engine) -> dict[str, pd.DataFrame]:
    """The frames the deck needs, read from the store (the page uses ui.frames(), which holds the same)."""
    return {"policies": db.read_policies(engine), "targets": db.read_targets(engine), "tasks": db.read_tasks(engine),
            "task_units": db.read_task_units(engine), "progress": db.read_progress(engine),
            "observations": db.read_observations(engine)}


def policy_row(frames: dict[str, pd.DataFrame], policy: str) -> dict:
    policies = frames["policies"].set_index("code")
    if policy not in policies.index:
        raise ValueError(f"政策“{policy}”不存在；可选：{'、'.join(policies.index)}")
    return {"code": policy, **policies.loc[policy].to_dict()}


def region_status(frames: dict[str, pd.DataFrame], settings: dict, policy: str, region: str,
                  as_of_year: int) -> pd.DataFrame:
    """metrics.status.target_status for one policy and region."""
    targets = frames["targets"].loc[frames["targets"]["policy"] == policy]
    return target_status(targets, frames["observations"], as_of_year, settings=settings, regions=[region])


def changes_since(snapshot: pd.DataFrame, status: pd.DataFrame) -> pd.DataFrame:
    """metrics.changes.status_changes between a snapshot's rows (db.read_snapshot) and the status now."""
    return status_changes(snapshot, status)


def deck_data(frames: dict[str, pd.DataFrame], settings: dict, *, policy: str, region: str, as_of_year: int,
              snapshot: tuple[pd.Series, pd.DataFrame] | None = None) -> DeckData:
    """Everything the deck shows. snapshot: (db.read_snapshots row, db.read_snapshot rows) of the last meeting."""
    pol = policy_row(frames, policy)
    status = region_status(frames, settings, policy, region, as_of_year)
    tasks = frames["tasks"].loc[frames["tasks"]["policy"] == policy]
    progress = frames["progress"].loc[frames["progress"]["policy"] == policy]
    ledger = task_ledger(tasks, progress, as_of_year)
    units = frames["task_units"].loc[frames["task_units"]["policy"] == policy]
    scorecard = department_scorecard(status, ledger, units, settings)
    meeting = None
    if snapshot is not None:
        meta, rows = snapshot
        meeting = Meeting(name=str(meta["name"]), meeting_date=pd.Timestamp(meta["meeting_date"]).date(),
                          changes=changes_since(rows, status))
    return DeckData(status=status, scorecard=scorecard, ledger=ledger, as_of_year=int(as_of_year), region=region,
                    policy=pol, settings=settings, meeting=meeting)


def last_snapshot(engine: Engine, policy: str, region: str,
                  before: date | None = None) -> tuple[pd.Series, pd.DataFrame] | None:
    """The latest meeting snapshot for the policy and region (optionally with a meeting date before a day)."""
    snaps = db.read_snapshots(engine, policy, region)
    if before is not None:
        snaps = snaps.loc[pd.to_datetime(snaps["meeting_date"]) < pd.Timestamp(before)]
    if snaps.empty:
        return None
    meta = snaps.iloc[0]
    return meta, db.read_snapshot(engine, int(meta["id"]))
