"""The overdue items of the 督查通报, each counted once: overdue tasks (from the task ledger) and overdue milestones
(from the milestone deadlines) in two lists, never added together — a task and its milestones are different things
to chase, and a milestone with several responsible units is one item. Pure pandas; the bulletin only formats these.
The deadline rule is the ledger's and the deadlines' own: due on day D is not overdue on D (days_overdue ≥ 1)."""
from __future__ import annotations

import numpy as np
import pandas as pd

TASK_COLUMNS = ["clause", "task", "unit", "due_date", "days_overdue", "is_sample"]
MILESTONE_COLUMNS = ["clause", "task", "milestone", "unit", "due_date", "days_overdue", "chases", "is_sample"]


def overdue_tasks(ledger: pd.DataFrame) -> pd.DataFrame:
    """One row per task with ledger status 'overdue', most days overdue first: clause, task, unit (the lead units,
    the responsible units where the document names no lead), due_date, days_overdue (ledger as-of − due date),
    is_sample (its latest report is sample)."""
    if ledger.empty:
        return pd.DataFrame(columns=TASK_COLUMNS)
    t = ledger.loc[ledger["status"] == "overdue"]
    lead = t["lead_units"].fillna("").astype(str)
    due = pd.to_datetime(t["due_date"])
    out = pd.DataFrame({"clause": t["clause"].astype(str), "task": t["title"].astype(str),
                        "unit": lead.where(lead != "", t["responsible_units"].fillna("").astype(str)),
                        "due_date": due, "days_overdue": (pd.to_datetime(t["as_of"]) - due).dt.days.astype(int),
                        "is_sample": t["is_sample"].astype(bool)})
    return _order(out)[TASK_COLUMNS]


def overdue_milestones(deadlines: pd.DataFrame | None) -> pd.DataFrame:
    """One row per milestone with state 'overdue' (metrics.deadlines.milestone_deadlines has one row per
    responsible unit): clause, task, milestone, unit ('、'-joined, in the plan's order), due_date, days_overdue,
    chases (summed over its units), is_sample."""
    if deadlines is None or deadlines.empty:
        return pd.DataFrame(columns=MILESTONE_COLUMNS)
    d = deadlines.loc[deadlines["state"] == "overdue"]
    out = (d.groupby("milestone_id", sort=False)
            .agg(clause=("clause", "first"), task=("task_title", "first"), milestone=("title", "first"),
                 unit=("unit", lambda u: "、".join(dict.fromkeys(map(str, u)))), due_date=("due_date", "first"),
                 days_overdue=("days_overdue", "first"), chases=("chases", "sum"), is_sample=("is_sample", "any"))
            .reset_index(drop=True))
    out = out.assign(due_date=pd.to_datetime(out["due_date"]), days_overdue=out["days_overdue"].astype(int),
                     chases=out["chases"].astype(int), is_sample=out["is_sample"].astype(bool))
    return _order(out)[MILESTONE_COLUMNS]


def _order(items: pd.DataFrame) -> pd.DataFrame:
    return items.sort_values(["days_overdue", "unit", "clause"], ascending=[False, True, True],
                             kind="stable").reset_index(drop=True)


def overdue_by_unit(items: pd.DataFrame) -> pd.Series:
    """How many items of a list each unit has (a '、'-joined unit cell counts for each unit named), most first."""
    if items.empty:
        return pd.Series(dtype=np.int64)
    units = items["unit"].str.split("、").explode()
    counts = units[units != ""].value_counts()
    return counts.iloc[np.lexsort((counts.index.to_numpy(dtype=str), -counts.to_numpy()))]


def count_by(values: pd.Series, keys: list[str]) -> pd.Series:
    """Counts of each key in order (zeros included), then any other value seen."""
    counts = values.value_counts()
    extra = [k for k in counts.index if k not in keys]
    return counts.reindex(keys + extra, fill_value=0).astype(np.int64)
