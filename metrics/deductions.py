"""The 督办 deductions of the department scorecard: points off a unit's score for its milestones on the as-of date.

Items (`[scorecard.deductions]`, labels.DEDUCTION_LABELS): overdue_milestone — a milestone 已逾期 (not done, past
its due date); late_milestone — a milestone 逾期完成; extension — an approved extension. For each item:
deduction = min(cases × points, cap); all items together: min(Σ, total_cap). Only milestones on published plans
count: a sample milestone (示例数据) is counted and shown but never costs points. A milestone with several
responsible units counts for each of them."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

DEDUCTION_ITEMS = ("overdue_milestone", "late_milestone", "extension")
COUNT_COLUMNS = ["milestones", "milestones_on_time", "milestones_late", "milestones_overdue", "milestones_sample",
                 "extensions"]
DEDUCTION_COLUMNS = [*COUNT_COLUMNS, *(f"{i}_{k}" for i in DEDUCTION_ITEMS for k in ("cases", "deduction")),
                     "deduction"]


def deduction_rules(cfg: dict[str, Any]) -> dict[str, tuple[float, float]]:
    """item → (points per case, cap) from `[scorecard.deductions]` (missing items cost nothing), plus the total cap
    under the key "total"; a negative number is refused with the setting's name."""
    rules: dict[str, tuple[float, float]] = {}
    for item in DEDUCTION_ITEMS:
        spec = cfg.get(item, {})
        rules[item] = (float(spec.get("points", 0)), float(spec.get("cap", np.inf)))
    total = float(cfg.get("total_cap", np.inf))
    for name, value in [*((f"{i}.points", p) for i, (p, _) in rules.items()),
                        *((f"{i}.cap", c) for i, (_, c) in rules.items()), ("total_cap", total)]:
        if value < 0:
            raise ValueError(f"settings.toml [scorecard.deductions] {name} = {value:g}：扣分不能为负数")
    rules["total"] = (0.0, total)
    return rules


def milestone_deductions(deadlines: pd.DataFrame | None, units: pd.Index, cfg: dict[str, Any]) -> pd.DataFrame:
    """One row per unit of `units` (the index) with DEDUCTION_COLUMNS: milestone counts on the as-of date
    (milestones, milestones_on_time, milestones_late, milestones_overdue, milestones_sample, extensions), the cases
    that cost points (<item>_cases: published milestones only) and the capped points (<item>_deduction), and the
    capped total `deduction`. deadlines: metrics.deadlines.milestone_deadlines (None: all zero)."""
    rules = deduction_rules(cfg)
    if deadlines is None or deadlines.empty:
        return pd.DataFrame(0, index=units, columns=DEDUCTION_COLUMNS).astype(
            {c: float for c in DEDUCTION_COLUMNS if c.endswith("deduction")})
    d = deadlines.assign(
        one=1, on_time=(deadlines["state"] == "done_on_time").astype(int),
        late=(deadlines["state"] == "done_late").astype(int),
        overdue=(deadlines["state"] == "overdue").astype(int),
        sample=deadlines["is_sample"].astype(bool).astype(int))
    published = 1 - d["sample"]
    d = d.assign(overdue_milestone_cases=d["overdue"] * published, late_milestone_cases=d["late"] * published,
                 extension_cases=d["extensions"].astype(int) * published)
    per_unit = d.groupby("unit").agg(
        milestones=("one", "sum"), milestones_on_time=("on_time", "sum"), milestones_late=("late", "sum"),
        milestones_overdue=("overdue", "sum"), milestones_sample=("sample", "sum"),
        extensions=("extensions", "sum"),
        **{f"{i}_cases": (f"{i}_cases", "sum") for i in DEDUCTION_ITEMS})
    out = per_unit.reindex(units).fillna(0).astype(int)
    for item in DEDUCTION_ITEMS:
        points, cap = rules[item]
        out[f"{item}_deduction"] = np.minimum(out[f"{item}_cases"] * points, cap).astype(float)
    total = out[[f"{i}_deduction" for i in DEDUCTION_ITEMS]].sum(axis=1)
    out["deduction"] = np.minimum(total, rules["total"][1]).astype(float)
    return out[DEDUCTION_COLUMNS]
