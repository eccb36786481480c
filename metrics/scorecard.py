"""The task ledger (latest progress per task) and the department scorecard (score, its parts, rank, group).

Score of a unit, in parts that add up (rounded to labels.SCORE_DECIMALS):
- base score = Σ weight × points ÷ Σ weight over its assessed targets and tasks — targets and tasks it leads
  (scorecard.lead_weight) or shares (scorecard.shared_weight); points per target status from
  scorecard.status_points, per task status from scorecard.task_points — rounded once;
- target part = the targets' terms of that sum ÷ Σ weight, rounded; task part = base score − target part (so
  the shown parts add up to the shown score exactly);
- deductions (metrics.deductions) for its milestones on the as-of date, capped per item and in total;
- score = max(0, target part + task part − deductions).
Assessed: a target whose status is not no_data / no_final_data (no data is a gap to fill, not a verdict); a task
with at least one progress report. Collective pseudo-units (departments.toml `collective = true`) are listed but
not ranked or grouped. Sample data: a score that rests on a sample value or report is a demonstration (is_sample;
shown as 示例数据), and such a unit is never 通报批评; a sample milestone never costs points."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from metrics.deductions import DEDUCTION_COLUMNS, milestone_deductions
from vocab import labels

TARGET_STATUS_KEYS = [s.key for s in labels.STATUSES]
TASK_STATUS_KEYS = list(labels.TASK_STATUSES)
NOT_ASSESSED = labels.UNASSESSED_STATUSES  # a target without a value to judge is not scored


def as_of_date(as_of: Any) -> pd.Timestamp:
    """An as-of date: a date/timestamp/ISO string as given, a year (int) as its 31 December."""
    if isinstance(as_of, (int, np.integer)):
        return pd.Timestamp(int(as_of), 12, 31)
    return pd.Timestamp(as_of)


def task_ledger(tasks: pd.DataFrame, progress: pd.DataFrame, as_of: Any) -> pd.DataFrame:
    """One row per task with its latest progress update on or before as_of and a status key of
    labels.TASK_STATUSES: the update's status (not_started without one), overdue when not done and as_of is past
    the due date (the one deadline rule, as for milestones: due on day D is not overdue on D, overdue from D + 1).

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
    status = reported.where(~((reported != "done") & (when > due)), "overdue")
    return led.drop(columns=["reported_status"]).assign(
        status=status, status_label=status.map(labels.TASK_STATUSES),
        progress=led["progress"].fillna(""), evidence=led["evidence"].fillna(""),
        reported_by=led["reported_by"].fillna(""), is_sample=led["is_sample"].fillna(False).astype(bool),
        updates=led["updates"].fillna(0).astype(int), as_of=when,
    ).reset_index(drop=True)


def _target_units(status: pd.DataFrame) -> dict[str, np.ndarray]:
    """Long form: one item per (target row, unit, role) from the '、'-joined lead_units / responsible_units, as
    arrays unit, role, status, is_sample."""
    units, roles, statuses, samples = [], [], [], []
    for role, col in (("lead", "lead_units"), ("responsible", "responsible_units")):
        for key, sample, text in zip(status["status"], status["is_sample"], status[col].fillna("")):
            for unit in str(text).split("、"):
                if unit:
                    units.append(unit)
                    roles.append(role)
                    statuses.append(key)
                    samples.append(bool(sample))
    return {"unit": np.array(units, dtype=object), "role": np.array(roles, dtype=object),
            "status": np.array(statuses, dtype=object), "is_sample": np.array(samples, dtype=bool)}


def _tally(unit: np.ndarray, n_units: int, values: np.ndarray, keys: list[str]) -> np.ndarray:
    """How many items each unit has of each key (units × keys); values outside keys are not counted."""
    position = {k: i for i, k in enumerate(keys)}
    code = np.array([position.get(v, -1) for v in values], dtype=np.int64)
    ok = code >= 0
    flat = np.bincount(unit[ok] * len(keys) + code[ok], minlength=n_units * len(keys))
    return flat.reshape(n_units, len(keys))


def _floats(values: np.ndarray, mapping: dict) -> np.ndarray:
    return np.array([mapping.get(v, np.nan) for v in values], dtype=float)


def department_scorecard(status: pd.DataFrame, ledger: pd.DataFrame, task_units: pd.DataFrame,
                         settings: dict[str, Any], deadlines: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per unit: targets_led, targets_shared, tasks_led, tasks_shared, targets_<status> and
    tasks_<task status> counts (led and shared together); targets_assessed, tasks_assessed, assessed;
    target_points and task_points (the parts of the score), base_score (their sum); the milestone counts and
    deductions of metrics.deductions.DEDUCTION_COLUMNS (zeros without deadlines); score (0–100, rounded to
    labels.SCORE_DECIMALS); ranked (False for collective units and for units with fewer than
    scorecard.min_assessed_items assessed items), rank (1 = best, equal shown scores share a rank; <NA> when not
    ranked), group (labels.PRAISE / labels.CRITICISE / ""), collective, is_sample (the score rests on sample data).

    status: target_status rows of one region; ledger: task_ledger; task_units: db.read_task_units; deadlines
    (optional): metrics.deadlines.milestone_deadlines on the ledger's day.
    (Counted with numpy over unit codes: the page computes a scorecard per quarter, and pandas' per-call cost
    dominated at this size.)"""
    sc = settings["scorecard"]
    weight = {"lead": float(sc["lead_weight"]), "responsible": float(sc["shared_weight"])}
    tg = _target_units(status)
    tk = task_units[["policy", "clause", "role", "department"]].merge(
        ledger[["policy", "clause", "status", "is_sample"]], on=["policy", "clause"], how="inner")
    updates = (tk["clause"].map(ledger.set_index("clause")["updates"]).fillna(0).astype(int).to_numpy() > 0
               if "updates" in ledger.columns else np.ones(len(tk), dtype=bool))
    tk_unit = tk["department"].to_numpy(dtype=object)
    units = np.array(sorted(set(tg["unit"]) | set(tk_unit)), dtype=object)
    n = len(units)
    code = {u: i for i, u in enumerate(units)}
    tg_u = np.array([code[u] for u in tg["unit"]], dtype=np.int64)
    tk_u = np.array([code[u] for u in tk_unit], dtype=np.int64)
    tk_role, tk_status = tk["role"].to_numpy(dtype=object), tk["status"].to_numpy(dtype=object)

    columns: dict[str, np.ndarray] = {}
    for prefix, u, role, state, keys in (("targets", tg_u, tg["role"], tg["status"], TARGET_STATUS_KEYS),
                                         ("tasks", tk_u, tk_role, tk_status, TASK_STATUS_KEYS)):
        by_role = _tally(u, n, role, ["lead", "responsible"])
        columns[f"{prefix}_led"], columns[f"{prefix}_shared"] = by_role[:, 0], by_role[:, 1]
        by_status = _tally(u, n, state, keys)
        columns.update({f"{prefix}_{k}": by_status[:, i] for i, k in enumerate(keys)})

    tg_assessed = ~np.isin(tg["status"], NOT_ASSESSED)
    parts = {}
    for name, u, role, state, points, assessed, sample in (
            ("target", tg_u, tg["role"], tg["status"], sc["status_points"], tg_assessed, tg["is_sample"]),
            ("task", tk_u, tk_role, tk_status, sc["task_points"], updates, tk["is_sample"].to_numpy(dtype=bool))):
        w = _floats(role, weight)[assessed]
        p = _floats(state, points)[assessed]
        parts[name] = (np.bincount(u[assessed], np.nan_to_num(w * p), n), np.bincount(u[assessed], np.nan_to_num(w), n),
                       np.bincount(u[assessed], minlength=n), np.bincount(u[assessed], sample[assessed], n) > 0)
    w_sum = parts["target"][1] + parts["task"][1]
    safe = np.where(w_sum > 0, w_sum, 1.0)
    digits = labels.SCORE_DECIMALS
    columns["targets_assessed"], columns["tasks_assessed"] = parts["target"][2], parts["task"][2]
    columns["assessed"] = parts["target"][2] + parts["task"][2]
    # the weighted mean rounded once; the task part is what remains after the rounded target part, so the shown
    # parts add up to the shown score exactly
    columns["base_score"] = np.round(np.where(w_sum > 0, (parts["target"][0] + parts["task"][0]) / safe, 0.0), digits)
    columns["target_points"] = np.round(np.where(w_sum > 0, parts["target"][0] / safe, 0.0), digits)
    columns["task_points"] = np.round(columns["base_score"] - columns["target_points"], digits)
    columns["is_sample"] = parts["target"][3] | parts["task"][3]
    out = pd.DataFrame(columns, index=pd.Index(units, name="unit", dtype=str) if n else
                       pd.Index([], name="unit", dtype=str))
    out = out.join(milestone_deductions(deadlines, out.index, sc.get("deductions", {})))
    out["score"] = (out["base_score"] - out["deduction"]).clip(lower=0.0).round(digits)
    collective = task_units.drop_duplicates("department").set_index("department")["collective"].astype(bool)
    out = out.assign(collective=collective.reindex(out.index).fillna(False).astype(bool))
    out = out.reset_index()
    ranked = ~out["collective"] & (out["assessed"] >= int(sc.get("min_assessed_items", 0)))
    out["rank"] = out["score"].where(ranked).rank(ascending=False, method="min").astype("Int64")
    out["group"] = _groups(out, ranked, sc)
    out["ranked"] = ranked
    order = out.assign(_c=~ranked).sort_values(["_c", "score", "unit"], ascending=[True, False, True])
    return order.drop(columns=["_c"]).reset_index(drop=True)


SCORE_PART_COLUMNS = ["target_points", "task_points", "base_score", *DEDUCTION_COLUMNS]


def _groups(out: pd.DataFrame, ranked: pd.Series, sc: dict[str, Any]) -> pd.Series:
    """通报表扬 / 通报批评 by the configured rule; collective units are never grouped, and a unit whose score rests
    on sample data is never criticised (its place is not passed on to the next unit)."""
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
    praise, criticise = praise & ranked, criticise & ranked & ~praise & ~out["is_sample"].astype(bool)
    return pd.Series(np.select([praise, criticise], [labels.PRAISE, labels.CRITICISE], ""), index=out.index)
