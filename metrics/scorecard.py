"""The task ledger (latest progress per task) and the department scorecard (score, rank, praise/criticism group).

Score of a unit = Σ weight × points ÷ Σ weight over the targets and tasks it leads (weight settings
scorecard.lead_weight) or shares (scorecard.shared_weight); points per target status from scorecard.status_points,
per task status from scorecard.task_points. Collective pseudo-units (departments.toml `collective = true`) are
listed but not ranked or grouped."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from views import labels

TARGET_STATUS_KEYS = [s.key for s in labels.STATUSES]
TASK_STATUS_KEYS = list(labels.TASK_STATUSES)


def as_of_date(as_of: Any) -> pd.Timestamp:
    """An as-of date: a date/timestamp/ISO string as given, a year (int) as its 31 December."""
    if isinstance(as_of, (int, np.integer)):
        return pd.Timestamp(int(as_of), 12, 31)
    return pd.Timestamp(as_of)


def task_ledger(tasks: pd.DataFrame, progress: pd.DataFrame, as_of: Any) -> pd.DataFrame:
    """One row per task with its latest progress update on or before as_of and a status key of
    labels.TASK_STATUSES: the update's status (not_started without one), overdue when not done and as_of has
    reached the due date.

    tasks: db.read_tasks frame; progress: db.read_progress frame. Returns the task columns plus status,
    status_label, progress, evidence, reported_on, reported_by, is_sample, updates (how many up to as_of)."""
    when = as_of_date(as_of)
    p = progress.assign(reported_on=pd.to_datetime(progress["reported_on"]))
    p = p[p["reported_on"] <= when]
    sort = ["reported_on", "id"] if "id" in p.columns else ["reported_on"]
    p = p.sort_values(sort, kind="stable")
    latest = p.drop_duplicates(["policy", "clause"], keep="last")
    counts = p.groupby(["policy", "clause"]).size().rename("updates")
    cols = ["policy", "clause", "status", "progress", "evidence", "reported_on", "reported_by", "is_sample"]
    led = (tasks.merge(latest[cols].rename(columns={"status": "reported_status"}), on=["policy", "clause"],
                       how="left")
                .merge(counts, left_on=["policy", "clause"], right_index=True, how="left"))
    reported = led["reported_status"].fillna("not_started")
    due = pd.to_datetime(led["due_date"])
    status = reported.where(~((reported != "done") & (when >= due)), "overdue")
    return led.drop(columns=["reported_status"]).assign(
        status=status, status_label=status.map(labels.TASK_STATUSES),
        progress=led["progress"].fillna(""), evidence=led["evidence"].fillna(""),
        reported_by=led["reported_by"].fillna(""), is_sample=led["is_sample"].fillna(False).astype(bool),
        updates=led["updates"].fillna(0).astype(int), as_of=when,
    ).reset_index(drop=True)


def _target_units(status: pd.DataFrame) -> pd.DataFrame:
    """Long form: one row per (target row, unit, role) from the '、'-joined lead_units / responsible_units."""
    parts = []
    for role, col in (("lead", "lead_units"), ("responsible", "responsible_units")):
        s = status[["code", "status", "is_sample", col]].rename(columns={col: "unit"})
        s = s.assign(unit=s["unit"].fillna("").str.split("、")).explode("unit")
        parts.append(s[s["unit"] != ""].assign(role=role))
    return pd.concat(parts, ignore_index=True)


def department_scorecard(status: pd.DataFrame, ledger: pd.DataFrame, task_units: pd.DataFrame,
                         settings: dict[str, Any], deadlines: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per unit: targets_led, targets_shared, tasks_led, tasks_shared, targets_<status> and
    tasks_<task status> counts (led and shared together), score (0–100, over assessed items only), assessed
    (targets with data + tasks with a progress report), ranked (False for collective units and for units with
    fewer than scorecard.min_assessed_items assessed items), rank (1 = best; <NA> when not ranked),
    group (labels.PRAISE / labels.CRITICISE / ""), collective, is_sample.

    status: target_status rows of one region; ledger: task_ledger; task_units: db.read_task_units.
    deadlines (optional, metrics.deadlines.milestone_deadlines): each unit then loses scorecard.extension_deduction
    points per approved extension and overdue_milestone_deduction per milestone 已逾期 or 逾期完成 (score ≥ 0), and
    the rows gain milestones_overdue, extensions and deduction; without it the score is as before."""
    sc = settings["scorecard"]
    weight = {"lead": float(sc["lead_weight"]), "responsible": float(sc["shared_weight"])}
    tg = _target_units(status)
    tg = tg.assign(points=tg["status"].map(sc["status_points"]).astype(float), weight=tg["role"].map(weight))
    tk = task_units[["policy", "clause", "role", "department"]].merge(
        ledger[["policy", "clause", "status", "is_sample"]], on=["policy", "clause"], how="inner")
    tk = tk.rename(columns={"department": "unit"})
    tk = tk.assign(points=tk["status"].map(sc["task_points"]).astype(float), weight=tk["role"].map(weight))

    def tally(frame: pd.DataFrame, column: str, keys: list[str], names: list[str]) -> pd.DataFrame:
        """Rows per unit and value of column, one column per key (0 where none): a groupby-size, far cheaper
        than pivot_table for the same counts."""
        n = frame.groupby(["unit", column]).size()
        wide = n.unstack(fill_value=0) if len(n) else pd.DataFrame(index=pd.Index([], name="unit"))
        wide = wide.reindex(columns=keys, fill_value=0)
        wide.columns = names
        return wide

    def counts(frame: pd.DataFrame, prefix: str, keys: list[str]) -> pd.DataFrame:
        by_role = tally(frame, "role", ["lead", "responsible"], [f"{prefix}_led", f"{prefix}_shared"])
        return by_role.join(tally(frame, "status", keys, [f"{prefix}_{k}" for k in keys]))

    tg = tg.assign(assessed=tg["status"] != "no_data")
    tk = tk.assign(assessed=tk["clause"].map(ledger.set_index("clause")["updates"]).fillna(0).astype(int) > 0
                   if "updates" in ledger.columns else True)
    cols = ["unit", "points", "weight", "is_sample", "assessed"]
    both = pd.concat([tg[cols], tk[cols]])
    both = both[both["assessed"]]
    both = both.assign(wp=both["points"] * both["weight"])
    score = both.groupby("unit").agg(wp=("wp", "sum"), w=("weight", "sum"), is_sample=("is_sample", "any"),
                                     assessed=("assessed", "size"))
    out = (counts(tg, "targets", TARGET_STATUS_KEYS)
           .join(counts(tk, "tasks", TASK_STATUS_KEYS), how="outer")
           .fillna(0).astype(int)
           .join(score, how="outer"))
    out = out.assign(score=(out["wp"] / out["w"]).where(out["w"] > 0, 0.0)).drop(columns=["wp", "w"])
    if deadlines is not None:
        out = _deduct(out, deadlines, sc)
    collective = task_units.drop_duplicates("department").set_index("department")["collective"].astype(bool)
    out = out.assign(collective=collective.reindex(out.index).fillna(False).astype(bool),
                     is_sample=out["is_sample"].fillna(False).astype(bool),
                     assessed=out["assessed"].fillna(0).astype(int))
    out.index.name = "unit"
    out = out.reset_index()
    ranked = ~out["collective"] & (out["assessed"] >= int(sc.get("min_assessed_items", 0)))
    out["rank"] = out["score"].where(ranked).rank(ascending=False, method="min").astype("Int64")
    out["group"] = _groups(out, ranked, sc)
    out["ranked"] = ranked
    order = out.assign(_c=~ranked).sort_values(["_c", "score", "unit"], ascending=[True, False, True])
    return order.drop(columns=["_c"]).reset_index(drop=True)


def _deduct(out: pd.DataFrame, deadlines: pd.DataFrame, sc: dict[str, Any]) -> pd.DataFrame:
    """Points off for approved extensions and overdue milestones (rows of units that have a score)."""
    late = deadlines["state"].isin(("overdue", "done_late"))
    per_unit = (deadlines.assign(late=late.astype(int))
                .groupby("unit").agg(milestones_overdue=("late", "sum"), extensions=("extensions", "sum")))
    per_unit = per_unit.reindex(out.index).fillna(0).astype(int)
    deduction = (per_unit["extensions"] * float(sc.get("extension_deduction", 0))
                 + per_unit["milestones_overdue"] * float(sc.get("overdue_milestone_deduction", 0)))
    return out.join(per_unit).assign(deduction=deduction, score=(out["score"] - deduction).clip(lower=0.0))


def _groups(out: pd.DataFrame, ranked: pd.Series, sc: dict[str, Any]) -> pd.Series:
    """通报表扬 / 通报批评 by the configured rule; collective units are never grouped."""
    score = out["score"]
    if sc["rule"] == "thresholds":
        praise = score >= sc["praise_min_score"]
        criticise = score <= sc["criticise_max_score"]
    elif sc["rule"] == "top_bottom":
        from_top = out["rank"]
        from_bottom = score.where(ranked).rank(ascending=True, method="min")
        praise = (from_top <= sc["praise_top_n"]).fillna(False) & (score >= sc["praise_min_score"])
        criticise = (from_bottom <= sc["criticise_bottom_n"]).fillna(False) & (score <= sc["criticise_max_score"])
    else:
        raise ValueError(f"settings.toml [scorecard] rule = {sc['rule']!r}：应为 top_bottom 或 thresholds")
    praise, criticise = praise & ranked, criticise & ranked & ~praise
    return pd.Series(np.select([praise, criticise], [labels.PRAISE, labels.CRITICISE], ""), index=out.index)
