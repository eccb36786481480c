"""Deadline state of every milestone on an as-of date (pure pandas), and the chases per unit for the scorecard.

One deadline rule, for milestones as for tasks (metrics.scorecard.task_ledger): a milestone due on day D is not
overdue on D; it is overdue from D + 1.

The past stays the past: the state on an as-of day D uses only what had happened by the end of D —
- a milestone counts as done on D only when its completion date `completed_on` is on or before D (one completed
  later was still open on D: its status reads in_progress and its completion date and evidence are blank);
- an approved extension counts from the day it was approved (`decided_at`); the due date on a day is the new date
  of the last extension approved by then, else the date before the first approval (its `old_date`); a milestone
  without an approved extension keeps its due date;
- a chase counts from the day it was made (`at`).
Timestamps are stored in UTC; their day is the day in `[supervision] timezone` (default TIMEZONE: 长垣, UTC+8).

States (keys of labels.DEADLINE_STATES), first rule that applies:
- done on D: 按期完成 done_on_time when completed_on ≤ the due date on the completion day, else 逾期完成 done_late
  (days_late = completed_on − that due date; an extension approved after completion never turns late into on time);
- not done, D > due date: 已逾期 overdue, days_overdue = D − due_date (≥ 1);
- not done, days_left = due_date − D ≤ `[supervision] warn_days`: 临期 due_soon (due today counts: 0 days left);
- not done, days_left ≤ `early_warn_days`: 预警 early_warning (the second, earlier warning);
- not done, an extension approved by D moved the date: 已延期 extended (original_due_date keeps the planned date);
- else 正常 normal.
`extended` (bool) says whether an extension had been approved by D whatever the state; days_left is <NA> for done
milestones and 0 once overdue; days_overdue is 0 unless overdue. One row per (milestone, responsible unit);
chases counts that unit's chases of that milestone made by D. `open_request` is the request open *now* (the 督办
forms act on the present workflow), not a part of the state on D."""
from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np
import pandas as pd

DEADLINE_COLUMNS = ["policy", "clause", "task_title", "milestone_id", "title", "unit", "due_date",
                    "original_due_date", "status", "state", "days_left", "days_overdue", "chases", "last_chase_at",
                    "is_sample", "extended", "extensions", "days_late", "open_request", "completed_on", "evidence"]
ATTENTION_STATES = ("overdue", "due_soon", "early_warning")
OPEN_REQUEST_STATES = ("requested", "returned", "forwarded")
TIMEZONE = "Asia/Shanghai"


def _day(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values).dt.normalize()


def local_day(stamps: pd.Series, timezone: str = TIMEZONE) -> pd.Series:
    """The local day of stored timestamps (tz-aware, or naive UTC as SQLite returns them): naive midnight
    Timestamps."""
    utc = pd.to_datetime(pd.Series(stamps, dtype=object), utc=True)
    return utc.dt.tz_convert(timezone).dt.tz_localize(None).dt.normalize()


def _approvals(extensions: pd.DataFrame, timezone: str) -> dict[int, list[tuple[pd.Timestamp, pd.Timestamp,
                                                                                  pd.Timestamp]]]:
    """milestone_id → its approved extensions as (day approved, old_date, new_date), in the order approved (an
    approval without a recorded time counts as approved before any day)."""
    approved = extensions.loc[extensions["state"] == "approved"]
    if approved.empty:
        return {}
    rows = pd.DataFrame({"mid": approved["milestone_id"].astype(int).to_numpy(),
                         "decided": local_day(approved["decided_at"], timezone).fillna(pd.Timestamp.min).to_numpy(),
                         "old": _day(approved["old_date"]).to_numpy(), "new": _day(approved["new_date"]).to_numpy(),
                         "id": approved["request_id"].to_numpy()})
    out: dict[int, list] = defaultdict(list)
    for r in rows.sort_values(["mid", "decided", "id"], kind="stable").itertuples():
        out[int(r.mid)].append((pd.Timestamp(r.decided), pd.Timestamp(r.old), pd.Timestamp(r.new)))
    return out


def _due_on(current: pd.Timestamp, approvals: list, day: pd.Timestamp) -> tuple[pd.Timestamp, int]:
    """(due date on a day, extensions approved by then) of one milestone with approved extensions."""
    if pd.isna(day):
        return current, 0
    by_then = [a for a in approvals if a[0] <= day]
    return (by_then[-1][2] if by_then else approvals[0][1]), len(by_then)


def milestone_deadlines(milestones: pd.DataFrame, chases: pd.DataFrame, extensions: pd.DataFrame, as_of: Any,
                        settings: dict[str, Any]) -> pd.DataFrame:
    """One row per (milestone, responsible unit) with its deadline state on `as_of` (columns DEADLINE_COLUMNS).

    milestones: db.read_milestones; chases: db.read_chases (milestone_id, unit, at); extensions:
    db.read_extensions (request_id, milestone_id, state, old_date, new_date, decided_at); settings: load_settings()
    (uses [supervision]: warn_days, early_warn_days, timezone). (Rules in numpy over the rows: the band history asks for four dates on every cold page.)"""
    sv = settings["supervision"]
    warn, early = int(sv["warn_days"]), int(sv["early_warn_days"])
    timezone = str(sv.get("timezone", TIMEZONE))
    when = pd.Timestamp(as_of).normalize()
    rows = milestones.explode("units").rename(columns={"units": "unit"}).reset_index(drop=True)
    current, original = _day(rows["due_date"]), _day(rows["original_due_date"])
    completed = _day(rows["completed_on"])
    done = ((rows["status"] == "done") & ~(completed > when)).to_numpy()  # done by the end of the as-of day
    later = (rows["status"] == "done").to_numpy() & ~done
    completed = completed.where(~later)
    mid = rows["milestone_id"].to_numpy()
    approvals = _approvals(extensions, timezone)
    due, completion_due = current.copy(), current.copy()
    n_ext = np.zeros(len(rows), dtype=int)
    for i in np.flatnonzero(np.isin(mid, list(approvals))):
        due.iloc[i], n_ext[i] = _due_on(current.iloc[i], approvals[int(mid[i])], when)
        completion_due.iloc[i] = _due_on(current.iloc[i], approvals[int(mid[i])], completed.iloc[i])[0]
    left = (due - when).dt.days.to_numpy()
    on_time = done & (completed <= completion_due).to_numpy()
    open_ = ~done
    state = np.select([on_time, done, open_ & (left < 0), open_ & (left <= warn), open_ & (left <= early),
                       open_ & (n_ext > 0)],
                      ["done_on_time", "done_late", "overdue", "due_soon", "early_warning", "extended"], "normal")
    state = state.astype(object)
    made = chases.loc[(local_day(chases["at"], timezone) <= when).to_numpy()] if len(chases) else chases
    chased = made.groupby(["milestone_id", "unit"])["at"]
    counts = pd.DataFrame({"chases": chased.size(), "last_chase_at": chased.max()})
    opened = (extensions.loc[extensions["state"].isin(OPEN_REQUEST_STATES)]
              .drop_duplicates("milestone_id", keep="last"))
    opened = dict(zip(opened["milestone_id"].tolist(), opened["state"].tolist()))
    days_late = (completed - completion_due).dt.days.to_numpy(dtype=float, na_value=np.nan)
    out = rows.join(counts, on=["milestone_id", "unit"]).assign(
        due_date=due, original_due_date=original, completed_on=completed,
        status=rows["status"].where(~later, "in_progress"),
        evidence=rows["evidence"].where(~later, ""),
        state=pd.Series(state, index=rows.index, dtype=object),
        days_left=pd.array([pd.NA if d else max(v, 0) for d, v in zip(done, left)], dtype="Int64"),
        days_overdue=np.where(state == "overdue", -left, 0).astype(int),
        days_late=np.nan_to_num(np.where(state == "done_late", days_late, 0)).astype(int),
        extended=n_ext > 0, extensions=n_ext,
        is_sample=rows["is_sample"].astype(bool),
        open_request=[str(opened.get(m, "")) for m in mid.tolist()],
    )
    out = out.assign(chases=out["chases"].fillna(0).astype(int))
    return out[DEADLINE_COLUMNS]


def attention(deadlines: pd.DataFrame) -> pd.DataFrame:
    """The 临期与逾期 list: overdue first (most days overdue first), then due soon and early warnings by days left."""
    rows = deadlines.loc[deadlines["state"].isin(ATTENTION_STATES)]
    order = rows["state"].map({s: i for i, s in enumerate(ATTENTION_STATES)})
    return (rows.assign(_o=order, _d=-rows["days_overdue"], _l=rows["days_left"].fillna(0))
                .sort_values(["_o", "_d", "_l", "unit", "clause"], kind="stable")
                .drop(columns=["_o", "_d", "_l"]).reset_index(drop=True))


def chase_counts(deadlines: pd.DataFrame) -> pd.DataFrame:
    """chases per unit (summed over its milestone rows): DataFrame[unit, chases], every unit with a milestone."""
    return deadlines.groupby("unit", as_index=False).agg(chases=("chases", "sum")).astype({"chases": int})
