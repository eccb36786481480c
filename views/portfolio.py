"""Every policy the bureau runs, side by side (政策一览, `cli.py portfolio`), and what policies share: the targets
other policies set on the same indicator (目标详情 draws them on the one series; the 终期评估报告 lists what carries
over into a later policy).

A policy's state is read off today's date (未开始 before its first year, 已结束 after its last, else 实施中). Its
targets are counted at the latest as-of year with data (views.policy.as_of_years, what the sidebar opens on), or at
the period's end once it is over; its tasks today, or on the period's last day once it is over. The counts are
metrics.standing.policy_standing's, so the list and the policy's own overview agree. Pure: frames in, frames out."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pandas as pd

from metrics.standing import policy_standing
from metrics.trajectory import trajectories
from views import policy as views
from views import target_words as words
from vocab import labels

# kinds whose target is a value of the indicator itself (drawn on its yearly series), and yearly flows
LEVEL_KINDS = ("level", "milestone")
ENTRY_COLUMNS = ["code", "doc_number", "title", "short_title", "region", "start_year", "end_year", "period", "state",
                 "state_label", "as_of_year", "tasks_on", "targets", "met", "unmet", "no_final_data", "in_progress",
                 "tasks", "tasks_done", "tasks_overdue", "tasks_in_progress", "tasks_not_started", "is_sample"]


def policy_state(row: dict, today: date) -> str:
    """'pending' (未开始) before 1 January of the start year, 'over' (已结束) after 31 December of the end year,
    else 'running' (实施中)."""
    if today < date(int(row["start_year"]), 1, 1):
        return "pending"
    if today > date(int(row["end_year"]), 12, 31):
        return "over"
    return "running"


@dataclass(frozen=True)
class ReviewPoint:
    """Where a policy is read in the list: the targets' as-of year and the tasks' day."""
    as_of_year: int
    tasks_on: date


def closing_day(row: dict) -> date:
    """The day a finished policy's tasks are judged on: the day after its period (one deadline rule: a task due on
    the period's last day is not overdue that day, and is from the next one)."""
    return date(int(row["end_year"]) + 1, 1, 1)


def review_point(frames: views.Frames, policy: str, today: date) -> ReviewPoint:
    """A policy that is over: its end year and the day after its period (closing_day). Otherwise the latest year
    with data of a targeted indicator (the sidebar's default as-of, never after this year) and today."""
    row = views.policy_row(frames, policy)
    end = int(row["end_year"])
    if policy_state(row, today) == "over":
        return ReviewPoint(end, closing_day(row))
    _, latest = views.as_of_years(frames, policy, str(row["region"]), today.year)
    return ReviewPoint(min(latest, today.year), today)


def policy_entry(frames: views.Frames, settings: dict, policy: str, today: date) -> dict:
    """One line of the list: the policy's 文号, title, period, state and its standing (targets by verdict or in
    progress, tasks done and overdue) at its review point, in the policy's own region."""
    row = views.policy_row(frames, policy)
    point = review_point(frames, policy, today)
    status = views.policy_status(frames, settings, policy, str(row["region"]), point.as_of_year)
    ledger = views.policy_ledger(frames, policy, pd.Timestamp(point.tasks_on))
    s = policy_standing(status, ledger, row, point.as_of_year)
    state = policy_state(row, today)
    return {"code": policy, "doc_number": row["doc_number"], "title": row["title"], "short_title": row["short_title"],
            "region": row["region"], "start_year": int(row["start_year"]), "end_year": int(row["end_year"]),
            "period": f"{int(row['start_year'])}—{int(row['end_year'])}年", "state": state,
            "state_label": labels.POLICY_STATES[state], "as_of_year": point.as_of_year, "tasks_on": point.tasks_on,
            "targets": s.targets, "met": s.met, "unmet": s.unmet, "no_final_data": s.no_final_data,
            "in_progress": s.in_progress, "tasks": s.tasks, "tasks_done": s.tasks_done,
            "tasks_overdue": s.tasks_overdue, "tasks_in_progress": s.tasks_in_progress,
            "tasks_not_started": s.tasks_not_started, "is_sample": s.is_sample}


def portfolio(frames_of: Callable[[str], views.Frames], catalogue: views.Frames, settings: dict,
              today: date) -> pd.DataFrame:
    """One row per policy (ENTRY_COLUMNS), latest start first. frames_of(code): the frames a page about that
    policy reads (its region and benchmark regions; the CLI passes every region's)."""
    codes = catalogue["policies"].sort_values(["start_year", "code"], ascending=[False, True])["code"]
    return pd.DataFrame([policy_entry(frames_of(c), settings, c, today) for c in codes], columns=ENTRY_COLUMNS)


# ---------------------------------------------------------------- targets on a shared indicator

def policies_sharing(frames: views.Frames, policy: str, indicator: str) -> list[str]:
    """The other policies with a target on the indicator, earliest start first."""
    targets = frames["targets"]
    codes = set(targets.loc[(targets["indicator"] == indicator) & (targets["policy"] != policy), "policy"])
    order = frames["policies"].sort_values(["start_year", "code"])["code"]
    return [c for c in order if c in codes]


def drawable(kind: str, other_kind: str) -> bool:
    """Can another policy's target stand on this target's chart? Both values of the indicator (level, milestone),
    or both yearly flows (annual). A cumulative sum, a growth rate or a growth margin is another quantity: it is
    named beside the chart, not drawn."""
    return (kind in LEVEL_KINDS and other_kind in LEVEL_KINDS) or (kind == other_kind == "annual")


def other_targets(row: dict, statuses: list[pd.DataFrame], policies: pd.DataFrame) -> pd.DataFrame:
    """The targets of other policies on the row's indicator, from their own status frames (each policy's engine
    result for the same region and as-of): policy, policy_name (its short title), doc_number, code, target_text,
    due_text, due_year, base_year, value (the number a marker stands at: the target, or a range's low end), verdict
    (the renderer's words; '' while that policy has not started at the as-of year), drawable, label
    ('十五五规划 ≥200家（2030年底）')."""
    cols = ["policy", "policy_name", "doc_number", "code", "kind", "target_text", "due_text", "due_year",
            "base_year", "value", "verdict", "drawable", "label"]
    parts = [s.loc[(s["indicator"] == row["indicator"]) & (s["region"] == row["region"])] for s in statuses]
    rows = pd.concat([p for p in parts if not p.empty], ignore_index=True) if any(len(p) for p in parts) else None
    if rows is None:
        return pd.DataFrame(columns=cols)
    names = policies.set_index("code")
    out = []
    for r in rows.to_dict("records"):
        w = words.target_words(r)
        name = str(names.loc[r["policy"], "short_title"])
        started = int(r["as_of_year"]) >= int(names.loc[r["policy"], "start_year"])
        out.append({"policy": r["policy"], "policy_name": name, "doc_number": names.loc[r["policy"], "doc_number"],
                    "code": r["code"], "kind": r["kind"], "target_text": w.target, "due_text": w.due,
                    "due_year": int(r["due_year"]), "base_year": int(r["base_year"]),
                    "value": r["target_value"] if not labels.is_missing(r["target_value"]) else r.get("target_low"),
                    "verdict": w.verdict if started else "", "drawable": drawable(str(row["kind"]), str(r["kind"])),
                    "label": f"{name} {w.target}（{w.due}）"})
    return pd.DataFrame(out, columns=cols).sort_values(["due_year", "code"], kind="stable").reset_index(drop=True)


def shared_series(status_row: pd.DataFrame, observations: pd.DataFrame, as_of_year: int,
                  others: pd.DataFrame) -> pd.DataFrame:
    """The target's chart series (metrics.trajectory.trajectories) reaching back to the earliest base year of the
    policies drawn beside it (less two years, as every chart starts), so the one series of a shared indicator
    shows whole on each policy's chart."""
    drawn = others.loc[others["drawable"].astype(bool)] if len(others) else others
    bases = [int(status_row["base_year"].min()), *(int(y) for y in drawn["base_year"])]
    return trajectories(status_row, observations, as_of_year, from_year=min(bases) - 2)


# ---------------------------------------------------------------- what carries over into a later policy

def later_policies(frames: views.Frames, policy: str) -> list[str]:
    """The policies that start after this one started (its successors), earliest first."""
    p = views.policy_row(frames, policy)
    later = frames["policies"].loc[frames["policies"]["start_year"] > int(p["start_year"])]
    return list(later.sort_values(["start_year", "code"])["code"])


def carried_over(status: pd.DataFrame, later_statuses: list[pd.DataFrame], policies: pd.DataFrame) -> pd.DataFrame:
    """This policy's targets whose indicator a later policy also sets a target on, one row per pair: code,
    indicator_name, target_text, due_text, verdict (this target's words), successor_doc, successor_name,
    successor_code, successor_target (its target and due year in words: '≥200家（2030年底）').
    status: this policy's status rows of one region; later_statuses: each later policy's rows of that region."""
    cols = ["code", "indicator_name", "target_text", "due_text", "verdict", "successor_doc", "successor_name",
            "successor_code", "successor_target"]
    out = []
    for row in status.to_dict("records"):
        w = words.target_words(row)
        for o in other_targets(row, later_statuses, policies).to_dict("records"):
            out.append({"code": row["code"], "indicator_name": row["indicator_name"], "target_text": w.target,
                        "due_text": w.due, "verdict": w.verdict, "successor_doc": o["doc_number"],
                        "successor_name": o["policy_name"], "successor_code": o["code"],
                        "successor_target": f"{o['target_text']}（{o['due_text']}）"})
    return pd.DataFrame(out, columns=cols)
