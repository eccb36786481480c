"""Where the policy stands, for the overview's first screen and the deck: the period-over summary, the targets not
met by lead unit, the statuses that can occur at an as-of period, and status moves that are due-year verdicts.

Pure: status frames (metrics.status.target_status) and the task ledger (metrics.scorecard.task_ledger) in, frames
and sentences out. Interim home (issue 17): the engine branch `verdicts` adds the counts, the possible statuses and
the "judged" direction to metrics/; these helpers then become thin calls to it."""
from __future__ import annotations

import pandas as pd

from views.target_words import JUDGED_STATUSES, is_judged, target_words
from vocab import labels

NOT_MET = ("unmet", "no_final_data")
NO_LEAD_UNIT = "未明确牵头单位"


def judged_flags(status: pd.DataFrame) -> pd.Series:
    """Each row's `judged` (views.target_words.is_judged), on the frame's index."""
    return pd.Series([is_judged(r) for r in status.to_dict("records")], index=status.index, dtype=bool)


def possible_statuses(status: pd.DataFrame) -> list[str]:
    """The status keys that can occur at this as-of period, best first: a judged target is met, unmet or without
    final data; a target still ahead has a pace status (or met, stale, no data). Statuses present are always kept."""
    judged = judged_flags(status)
    keys = set(status["status"])
    if judged.any():
        keys |= set(JUDGED_STATUSES)
    if (~judged).any():
        keys |= {s.key for s in labels.STATUSES} - set(JUDGED_STATUSES) | {"met"}
    return [s.key for s in labels.STATUSES if s.key in keys]


def period_over_text(status: pd.DataFrame, ledger: pd.DataFrame, start_year: int, end_year: int) -> str | None:
    """'实施期 2019—2020 年已结束：53 项目标完成 27 项、未完成 26 项；41 项任务已完成 15 项、进行中 26 项' once every
    target of the frame is judged and the as-of year has reached the period's end; None before."""
    if status.empty or int(status["as_of_year"].iloc[0]) < end_year or not judged_flags(status).all():
        return None
    counts = status["status"].value_counts()
    met = int(counts.get("met", 0))
    short = len(status) - met
    no_final = int(counts.get("no_final_data", 0))
    detail = f"（其中无期末数据 {no_final} 项）" if no_final else ""
    tasks = ledger["status"].value_counts()
    task_parts = "、".join(f"{label} {int(tasks[key])} 项" for key, label in labels.TASK_STATUSES.items()
                           if tasks.get(key, 0))
    task_text = f"；{len(ledger)} 项任务{task_parts}" if len(ledger) else ""
    return (f"实施期 {start_year}—{end_year} 年已结束：{len(status)} 项目标完成 {met} 项、未完成 {short} 项{detail}"
            f"{task_text}。")


def not_met_by_unit(status: pd.DataFrame) -> pd.DataFrame:
    """The judged targets not met (未完成, 无期末数据) grouped by lead unit, most first: unit, n, items (one text per
    target: 'G01 全社会研发投入强度（2020年底，完成 92%）', 'R04 新增高新技术企业（2020年底，未完成）')."""
    rows = status.loc[status["status"].isin(NOT_MET) & judged_flags(status)]
    if rows.empty:
        return pd.DataFrame(columns=["unit", "n", "items"])
    texts = [f"{w.code} {w.name}（{w.due}，{f'完成 {w.attainment}' if w.attainment else w.verdict}）"
             for w in map(target_words, rows.to_dict("records"))]
    lead = rows["lead_units"].fillna("").astype(str).replace("", NO_LEAD_UNIT)
    units = lead.str.split("、").explode()
    frame = pd.DataFrame({"unit": units.to_numpy(), "item": pd.Series(texts, index=rows.index).loc[units.index]})
    grouped = frame.groupby("unit", sort=False)["item"].agg(list).reset_index()
    grouped = grouped.assign(n=grouped["item"].map(len)).rename(columns={"item": "items"})
    return grouped.sort_values("n", ascending=False, kind="stable")[["unit", "n", "items"]].reset_index(drop=True)


def mark_judged(changes: pd.DataFrame, before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """status_changes with direction 'judged' (到期判定) where the target reached its due year between the two
    frames and its status moved: a verdict, not an improvement or a decline. before/after: the status frames
    compared (a snapshot's rows count as judged when their status is a verdict other than met)."""
    keys = [k for k in ("policy", "region", "code") if k in changes.columns and k in after.columns]
    now = after.assign(_judged_after=judged_flags(after).to_numpy())[keys + ["_judged_after"]]
    then_flags = (judged_flags(before) if {"due_year", "as_of_year"} <= set(before.columns)
                  else before["status"].isin(NOT_MET))
    then = before.assign(_judged_before=then_flags.to_numpy())[[k for k in keys if k in before.columns]
                                                              + ["_judged_before"]]
    m = changes.merge(now, on=keys, how="left").merge(then, on=[k for k in keys if k in before.columns], how="left")
    verdict = (m["_judged_after"].fillna(False).astype(bool) & ~m["_judged_before"].fillna(False).astype(bool)
               & m["direction"].isin(["up", "down"]))
    return changes.assign(direction=m["direction"].where(~verdict.to_numpy(), "judged").to_numpy())
