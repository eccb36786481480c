"""Where the policy stands, in words, for the overview's first screen: the period-over sentence and the targets not
met by lead unit. The counts (metrics.standing.policy_standing), the statuses that can occur
(metrics.standing.possible_statuses) and the due-year verdicts among the changes (metrics.changes, direction
"judged") are metrics'; this module only words them.

Pure: status frames (metrics.status.target_status, with `judged`) and the task ledger (metrics.scorecard.task_ledger)
in, frames and sentences out."""
from __future__ import annotations

from typing import Any

import pandas as pd

from metrics.standing import policy_standing
from views.target_words import target_words
from vocab import labels

NOT_MET = ("unmet", "no_final_data")
NO_LEAD_UNIT = "未明确牵头单位"


def judged_not_met(status: pd.DataFrame) -> pd.DataFrame:
    """The judged rows (the engine's `judged`) that are 未完成 or 无期末数据, in the frame's order."""
    return status.loc[status["status"].isin(NOT_MET) & status["judged"].astype(bool)]


def period_over_text(status: pd.DataFrame, ledger: pd.DataFrame, policy_row: dict[str, Any]) -> str | None:
    """'实施期 2019—2020 年已结束：53 项目标完成 27 项、未完成 26 项；41 项任务已完成 15 项、进行中 26 项' once the as-of
    year has reached the end of the policy's period (targets due later: '、尚未到期 N 项'); None before.
    policy_row: views.policy.policy_row."""
    if status.empty:
        return None
    s = policy_standing(status, ledger, policy_row, int(status["as_of_year"].iloc[0]),
                        int(status["as_of_quarter"].iloc[0]) if "as_of_quarter" in status else 0)
    if not s.period_over:
        return None
    short = s.unmet + s.no_final_data
    detail = f"（其中无期末数据 {s.no_final_data} 项）" if s.no_final_data else ""
    ahead = f"、尚未到期 {s.in_progress} 项" if s.in_progress else ""
    tasks = ledger["status"].value_counts()
    task_parts = "、".join(f"{label} {int(tasks[key])} 项" for key, label in labels.TASK_STATUSES.items()
                           if tasks.get(key, 0))
    task_text = f"；{s.tasks} 项任务{task_parts}" if s.tasks else ""
    return (f"实施期 {s.start_year}—{s.end_year} 年已结束：{s.targets} 项目标完成 {s.met} 项、未完成 {short} 项"
            f"{detail}{ahead}{task_text}。")


def not_met_by_unit(status: pd.DataFrame) -> pd.DataFrame:
    """The judged targets not met (未完成, 无期末数据) grouped by lead unit, most first: unit, n, items (one text per
    target: 'G01 全社会研发投入强度（2020年底，完成 92%）', 'R04 新增高新技术企业（2020年底，未完成）')."""
    rows = judged_not_met(status)
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
