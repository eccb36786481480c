"""Where a policy stands, for the overview's first screen: is its period over, how many targets are met, unmet,
without final data or still in progress, how many tasks are done or overdue; the same counts per area; and which
statuses can occur at all at an as-of (a chart drops the others). Pure pandas; the words are views' job."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from metrics.verdicts import JUDGED_STATUSES
from vocab import labels
from vocab.periods import quarter_end

# what a target still ahead of its due year can read (a judged one reads only JUDGED_STATUSES)
AHEAD_STATUSES = ("met", "on_track", "moderate", "off_track", "reverse", "stale", "no_data")


@dataclass(frozen=True)
class PolicyStanding:
    """The counts behind "实施期 2019—2020 年已结束：53 项目标完成 25 项、未完成 28 项；41 项任务 …".

    targets = met + unmet + no_final_data + in_progress (in_progress: not judged yet and not met; met counts a
    target met ahead of its due year too). tasks = done + overdue + in_progress + not_started (the ledger's
    statuses on its own as-of day)."""
    policy: str
    start_year: int
    end_year: int
    as_of_year: int
    as_of_quarter: int
    period_over: bool          # the as-of period reaches the end of the policy's last year
    targets: int
    judged: int                # targets whose due year has passed (a verdict)
    met: int
    unmet: int
    no_final_data: int
    in_progress: int
    tasks: int
    tasks_done: int
    tasks_overdue: int
    tasks_in_progress: int
    tasks_not_started: int
    is_sample: bool            # a target's value or a task's report used is sample data (示例数据)


def policy_standing(status: pd.DataFrame, ledger: pd.DataFrame, policy_row: dict[str, Any], as_of_year: int,
                    as_of_quarter: int = 0) -> PolicyStanding:
    """The policy's standing at the as-of period.

    status: target_status rows of one region (columns status, judged, is_sample); ledger: metrics.scorecard.
    task_ledger (status, is_sample); policy_row: views.policy_row (code, start_year, end_year)."""
    s = status["status"]
    judged = status["judged"].astype(bool)
    t = ledger["status"]
    end = int(policy_row["end_year"])
    return PolicyStanding(
        policy=str(policy_row["code"]), start_year=int(policy_row["start_year"]), end_year=end,
        as_of_year=int(as_of_year), as_of_quarter=int(as_of_quarter),
        period_over=quarter_end(int(as_of_year), int(as_of_quarter)) >= date(end, 12, 31),
        targets=len(status), judged=int(judged.sum()), met=int((s == "met").sum()),
        unmet=int((s == "unmet").sum()), no_final_data=int((s == "no_final_data").sum()),
        in_progress=int((~judged & (s != "met")).sum()),
        tasks=len(ledger), tasks_done=int((t == "done").sum()), tasks_overdue=int((t == "overdue").sum()),
        tasks_in_progress=int((t == "in_progress").sum()), tasks_not_started=int((t == "not_started").sum()),
        is_sample=bool(status["is_sample"].astype(bool).any() or ledger["is_sample"].astype(bool).any()),
    )


def area_counts(status: pd.DataFrame, areas: tuple[str, ...] = labels.AREAS) -> pd.DataFrame:
    """Per area, counts instead of one light ("企业 7/12 已完成"): area, n_targets, n_met, n_unmet, n_no_final_data,
    n_in_progress (not judged and not met), n_judged, then one count column per status key. Every area listed,
    in the given order (zeros for an area without targets)."""
    keys = [k.key for k in labels.STATUSES]
    judged = status["judged"].astype(bool)
    s = status.assign(_in_progress=(~judged & (status["status"] != "met")).astype(int), _judged=judged.astype(int))
    by_status = (s.groupby(["area", "status"]).size().unstack(fill_value=0).reindex(columns=keys, fill_value=0))
    sums = s.groupby("area")[["_in_progress", "_judged"]].sum()
    out = (pd.DataFrame({"area": list(areas)}).merge(by_status, left_on="area", right_index=True, how="left")
             .merge(sums, left_on="area", right_index=True, how="left").fillna(0))
    counts = out[keys].astype("int64")
    return pd.DataFrame({
        "area": out["area"], "n_targets": counts.sum(axis=1), "n_met": counts["met"], "n_unmet": counts["unmet"],
        "n_no_final_data": counts["no_final_data"], "n_in_progress": out["_in_progress"].astype("int64"),
        "n_judged": out["_judged"].astype("int64"), **{k: counts[k] for k in keys}})


def possible_statuses(status: pd.DataFrame) -> list[str]:
    """The status keys that can occur for these rows, in palette order: met / unmet / no_final_data for judged rows,
    the pace statuses (with met, stale, no_data) for rows still ahead. After the policy period every target is
    judged, so a status chart shows three bars, not nine with six zeros."""
    judged = status["judged"].astype(bool)
    can = set(JUDGED_STATUSES) if judged.any() else set()
    if (~judged).any():
        can |= set(AHEAD_STATUSES)
    return [s.key for s in labels.STATUSES if s.key in can]
