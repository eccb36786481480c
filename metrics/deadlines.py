"""Deadline state of every milestone on an as-of date (pure pandas), and the chases per unit for the scorecard.

States (keys of labels.DEADLINE_STATES), first rule that applies:
- done (status 已完成): 按期完成 done_on_time when completed_on ≤ due_date (the current, possibly extended date),
  else 逾期完成 done_late (days_late = completed_on − due_date);
- not done, as_of > due_date: 已逾期 overdue, days_overdue = as_of − due_date (≥ 1);
- not done, days_left = due_date − as_of ≤ `[supervision] warn_days`: 临期 due_soon (due today counts);
- not done, days_left ≤ `early_warn_days`: 预警 early_warning (the second, earlier warning);
- not done, an approved extension moved the date: 已延期 extended (original_due_date keeps the planned date);
- else 正常 normal.
`extended` (bool) says whether an approved extension exists whatever the state; days_left is <NA> for done
milestones and 0 once overdue; days_overdue is 0 unless overdue. One row per (milestone, responsible unit);
chases counts that unit's chases of that milestone."""
from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import pandas as pd

DEADLINE_COLUMNS = ["policy", "clause", "task_title", "milestone_id", "title", "unit", "due_date",
                    "original_due_date", "status", "state", "days_left", "days_overdue", "chases", "last_chase_at",
                    "is_sample", "extended", "extensions", "days_late", "open_request", "completed_on", "evidence"]
ATTENTION_STATES = ("overdue", "due_soon", "early_warning")


def _day(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values).dt.normalize()


def milestone_deadlines(milestones: pd.DataFrame, chases: pd.DataFrame, extensions: pd.DataFrame, as_of: Any,
                        settings: dict[str, Any]) -> pd.DataFrame:
    """One row per (milestone, responsible unit) with its deadline state on `as_of` (columns DEADLINE_COLUMNS).

    milestones: db.read_milestones; chases: db.read_chases (milestone_id, unit, at); extensions:
    db.read_extensions (milestone_id, state); settings: load_settings() (uses [supervision]).
    (Rules in numpy over the rows: the band history asks for four dates on every cold page.)"""
    sv = settings["supervision"]
    warn, early = int(sv["warn_days"]), int(sv["early_warn_days"])
    when = pd.Timestamp(as_of).normalize()
    rows = milestones.explode("units").rename(columns={"units": "unit"}).reset_index(drop=True)
    due, original = _day(rows["due_date"]), _day(rows["original_due_date"])
    completed = _day(rows["completed_on"])
    done = (rows["status"] == "done").to_numpy()
    left = (due - when).dt.days.to_numpy()
    mid = rows["milestone_id"].to_numpy()
    ext_state = extensions["state"].to_numpy(dtype=object)
    approved = Counter(extensions["milestone_id"].to_numpy()[ext_state == "approved"].tolist())
    n_ext = np.array([approved.get(m, 0) for m in mid.tolist()], dtype=int)
    on_time = done & (completed <= due).to_numpy()
    open_ = ~done
    state = np.select([on_time, done, open_ & (left < 0), open_ & (left <= warn), open_ & (left <= early),
                       open_ & (n_ext > 0)],
                      ["done_on_time", "done_late", "overdue", "due_soon", "early_warning", "extended"], "normal")
    state = state.astype(object)
    chased = chases.groupby(["milestone_id", "unit"])["at"]
    counts = pd.DataFrame({"chases": chased.size(), "last_chase_at": chased.max()})
    opened = (extensions.loc[np.isin(ext_state, ("requested", "returned", "forwarded"))]
              .drop_duplicates("milestone_id", keep="last"))
    opened = dict(zip(opened["milestone_id"].tolist(), opened["state"].tolist()))
    days_late = (completed - due).dt.days.to_numpy(dtype=float, na_value=np.nan)
    out = rows.join(counts, on=["milestone_id", "unit"]).assign(
        due_date=due, original_due_date=original, completed_on=completed,
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
