"""The numbers of the 督查通报: overdue items (from milestone deadlines when given, else from the task ledger) and
the counts and reasons the bulletin prints. Pure pandas; the bulletin only formats these."""
from __future__ import annotations

import numpy as np
import pandas as pd

from vocab import labels

OVERDUE_COLUMNS = ["unit", "task", "milestone", "due_date", "days_overdue", "chases"]


def overdue_items(ledger: pd.DataFrame, deadlines: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per overdue item, most days overdue first: unit, task, milestone ('' for whole tasks), due_date,
    days_overdue, chases (<NA> when no chase record exists).

    Lists the ledger's tasks with status 'overdue' (days counted from the task's due date to the ledger's as-of
    date, unit = the lead units, the responsible units where the document names no lead, milestone ''), and, when
    given, the milestones of `deadlines` (metrics.deadlines.milestone_deadlines) with state 'overdue'."""
    if ledger.empty:
        ledger = pd.DataFrame(columns=["status", "lead_units", "responsible_units", "title", "due_date", "as_of"])
    t = ledger.loc[ledger["status"] == "overdue"]
    lead = t["lead_units"].fillna("").astype(str)
    unit = lead.where(lead != "", t["responsible_units"].fillna("").astype(str))
    due = pd.to_datetime(t["due_date"])
    out = pd.DataFrame({"unit": unit, "task": t["title"].astype(str), "milestone": "", "due_date": due,
                        "days_overdue": (pd.to_datetime(t["as_of"]) - due).dt.days.astype(int),
                        "chases": pd.array([pd.NA] * len(t), dtype="Int64")})
    if deadlines is not None:
        d = deadlines.loc[deadlines["state"] == "overdue"]
        milestones = pd.DataFrame({"unit": d["unit"].astype(str), "task": d["task_title"].astype(str),
                                   "milestone": d["title"].astype(str), "due_date": pd.to_datetime(d["due_date"]),
                                   "days_overdue": d["days_overdue"].astype(int),
                                   "chases": d["chases"].astype("Int64")})
        out = pd.concat([milestones, out], ignore_index=True) if len(out) else milestones
    return (out.sort_values(["days_overdue", "unit", "task"], ascending=[False, True, True], kind="stable")
               .reset_index(drop=True)[OVERDUE_COLUMNS])


def overdue_by_unit(items: pd.DataFrame) -> pd.Series:
    """How many overdue items each unit has (a '、'-joined unit cell counts for each unit named)."""
    units = items["unit"].str.split("、").explode()
    return units[units != ""].value_counts()


def unit_reasons(scorecard: pd.DataFrame, items: pd.DataFrame) -> pd.DataFrame:
    """The numbers that put a unit in a group: unit, group, rank, score, targets (assessed targets: met + every
    status but labels.UNASSESSED_STATUSES), targets_met, tasks, tasks_done, tasks_overdue (ledger), overdue_items (the list above)."""
    unassessed = [f"targets_{k}" for k in labels.UNASSESSED_STATUSES]
    target_cols = [c for c in scorecard.columns if c.startswith("targets_")
                   and c not in ("targets_led", "targets_shared", *unassessed)]
    by_unit = overdue_by_unit(items)
    return pd.DataFrame({
        "unit": scorecard["unit"], "group": scorecard["group"], "rank": scorecard["rank"],
        "score": scorecard["score"].astype(float),
        "targets": scorecard[target_cols].sum(axis=1).astype(int),
        "targets_met": scorecard["targets_met"].astype(int),
        "tasks": (scorecard["tasks_led"] + scorecard["tasks_shared"]).astype(int),
        "tasks_done": scorecard["tasks_done"].astype(int),
        "tasks_overdue": scorecard["tasks_overdue"].astype(int),
        "overdue_items": scorecard["unit"].map(by_unit).fillna(0).astype(int).to_numpy(),
    })


def count_by(values: pd.Series, keys: list[str]) -> pd.Series:
    """Counts of each key in order (zeros included), then any other value seen."""
    counts = values.value_counts()
    extra = [k for k in counts.index if k not in keys]
    return counts.reindex(keys + extra, fill_value=0).astype(np.int64)
