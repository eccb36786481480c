"""Reads and checks a policy's milestone plans (`data/policies/<policy>.milestones.toml`) — pure, no database.

The file is optional: a policy without one has no milestones. Checks follow store/catalogue.py: any problem
raises CatalogueError naming the file and the entry."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from store.catalogue import MILESTONES_SUFFIX, CatalogueError, Policy
from vocab.labels import MILESTONE_STATUSES


@dataclass
class MilestonePlan:
    """The milestones of one policy's tasks as the file gives them (units still in the file's spelling)."""
    policy: str
    is_sample: bool
    milestones: list[dict[str, Any]] = field(default_factory=list)
    path: Path | None = None


def plan_path(policy: Policy) -> Path | None:
    """Where the policy's milestones file would be (beside the policy file)."""
    if policy.path is None:
        return None
    return policy.path.with_name(policy.path.name.removesuffix(".toml") + MILESTONES_SUFFIX)


def default_units(task: dict[str, Any]) -> list[str]:
    """A milestone's units when the file names none: the task's lead units, else its responsible units."""
    return list(task["lead"]) or list(task["units"])


def load_plan(policy: Policy, path: Path | None = None) -> MilestonePlan:
    """The policy's milestone plans, checked; an empty plan when the file does not exist."""
    path = path or plan_path(policy)
    if path is None or not path.exists():
        return MilestonePlan(policy=policy.code, is_sample=False, path=path)
    with open(path, "rb") as fh:
        try:
            raw = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise CatalogueError(f"{path.name}: 不是有效的 TOML 文件（{exc}）") from None
    plan = MilestonePlan(policy=str(raw.get("policy", policy.code)), is_sample=bool(raw.get("is_sample", False)),
                         path=path)
    tasks = {t["clause"]: t for t in policy.tasks}
    problems: list[str] = []
    if plan.policy != policy.code:
        problems.append(f"policy = {plan.policy!r}，与政策文件的代码 {policy.code!r} 不符")
    seen: set[tuple[str, str]] = set()
    for n, spec in enumerate(raw.get("milestones", []), start=1):
        where = f"第 {n} 个节点"
        clause, title, due = spec.get("clause"), str(spec.get("title") or "").strip(), spec.get("due")
        if clause not in tasks:
            problems.append(f"{where}：任务条款 {clause!r} 不在政策文件的任务中")
            continue
        if not title:
            problems.append(f"{where}（{clause}）：缺少节点名称 title")
        if not isinstance(due, date):
            problems.append(f"{where}（{clause}）：截止日期 due 应为日期，例如 2020-06-30")
        status = spec.get("status", "not_started")
        if status not in MILESTONE_STATUSES:
            problems.append(f"{where}（{clause}）：status {status!r} 应为 {'、'.join(MILESTONE_STATUSES)} 之一")
        completed = spec.get("completed_on")
        if status == "done" and not isinstance(completed, date):
            problems.append(f"{where}（{clause}）：已完成的节点须填写完成日期 completed_on")
        if status != "done" and completed is not None:
            problems.append(f"{where}（{clause}）：未完成的节点不应有完成日期 completed_on")
        units = spec.get("units") or default_units(tasks[clause])
        if not units or not all(isinstance(u, str) and u.strip() for u in units):
            problems.append(f"{where}（{clause}）：没有责任单位（units）")
        if (clause, title) in seen:
            problems.append(f"{where}（{clause}）：节点“{title}”重复")
        seen.add((clause, title))
        plan.milestones.append({"clause": clause, "title": title, "due": due, "units": list(units),
                                "status": status, "completed_on": completed,
                                "evidence": str(spec.get("evidence", ""))})
    if problems:
        raise CatalogueError(f"{path.name}: " + "；".join(problems))
    return plan
