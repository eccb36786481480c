"""A policy confirmed from its 任务分解表 kept in the store (origin "import"): written in one audited transaction,
read back as a catalogue (store.catalogue.Policy, the data/policies form), compared with what is stored before a
second import of the same code replaces it. The start-up load of data/policies/*.toml leaves it alone
(store.sync.load_catalogue)."""
from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from store import catalogue as cat
from store.audit import write_audit
from store.engine import session_scope
from store.milestone_tables import Milestone
from store.models import Policy, Task, TaskProgress
from store.reads import (
    read_indicators,
    read_policies,
    read_targets,
    read_task_units,
    read_tasks,
)
from store.sync import (
    ORIGIN_IMPORT,
    _load_departments,
    _load_indicators,
    _load_policy,
    _load_regions,
    _load_targets,
    _load_tasks,
)
from vocab.labels import is_blank

POLICY_FIELDS = ("doc_number", "title", "short_title", "issued", "issuer", "region", "benchmark_region", "base_year",
                 "start_year", "end_year", "track_from", "track_to", "task_due")
TARGET_FIELDS = ("indicator", "kind", "comparator", "value", "value_low", "value_high", "start_year", "due_year",
                 "tier", "benchmark", "clause", "quote", "also_clause", "also_quote", "task", "task_basis",
                 "headline", "note", "interpreted")
INDICATOR_FIELDS = ("code", "name", "unit", "area", "measure", "path", "frequency", "decimals", "min", "max",
                    "stages", "aliases")
DIFF_COLUMNS = ["change", "entity", "key", "field", "old", "new"]


def policy_origin(engine: Engine, code: str) -> str | None:
    """'file', 'import', or None when the store has no policy with this code."""
    with engine.connect() as conn:
        return conn.execute(select(Policy.origin).where(Policy.code == code)).scalar()


def stored_policy(engine: Engine, code: str) -> cat.Policy | None:
    """The policy as the store holds it, in the catalogue form (indicators: those its targets use)."""
    policies = read_policies(engine)
    rows = policies[policies["code"] == code]
    if rows.empty:
        return None
    p = rows.iloc[0]
    policy = cat.Policy(code=code, text_file=None, **{f: _plain(p[f]) for f in POLICY_FIELDS})
    targets = read_targets(engine, code)
    policy.targets = [{"code": t["code"], **{f: _plain(t[f]) for f in TARGET_FIELDS if f not in ("indicator", "task")},
                       "indicator": t["indicator"], "task": _plain(t["task_clause"])}
                      for t in targets.to_dict("records")]
    units = read_task_units(engine, code)
    policy.tasks = []
    for t in read_tasks(engine, code).to_dict("records"):
        mine = units[units["clause"] == t["clause"]]
        task = {"clause": t["clause"], "title": t["title"],
                "lead": list(mine.loc[mine["role"] == "lead", "display_name"]),
                "units": list(mine.loc[mine["role"] == "responsible", "display_name"])}
        if t["due_date"].isoformat() != policy.task_due:
            task["due"] = t["due_date"].isoformat()
        policy.tasks.append(task)
    used = list(dict.fromkeys(targets["indicator"]))
    inds = read_indicators(engine).set_index("code")
    policy.indicators = [{"code": c, **{f: _plain(inds.at[c, f]) for f in INDICATOR_FIELDS[1:-4]},
                          "min": _plain(inds.at[c, "min_value"]), "max": _plain(inds.at[c, "max_value"]),
                          "stages": list(inds.at[c, "stages"] or []), "aliases": list(inds.at[c, "aliases"] or [])}
                         for c in used]
    return policy


def _plain(value: Any) -> Any:
    """A frame cell as the catalogue holds it: None for missing, int for whole numbers of int columns, else as is."""
    if isinstance(value, (list, dict)):
        return value
    if is_blank(value):
        return None
    if hasattr(value, "item"):   # numpy scalars
        value = value.item()
    return value


# ------------------------------------------------------------------ differences

def differences(old: cat.Policy | None, new: cat.Policy) -> pd.DataFrame:
    """What replacing `old` by `new` changes: one row per added, removed or changed policy field, target, task and
    new indicator (change: 新增 | 删除 | 修改)."""
    rows: list[dict[str, Any]] = []
    old_p = {f: getattr(old, f) for f in POLICY_FIELDS} if old else {}
    for f in POLICY_FIELDS:
        if old is not None and old_p[f] != getattr(new, f):
            rows.append({"change": "修改", "entity": "政策", "key": new.code, "field": f, "old": old_p[f],
                         "new": getattr(new, f)})
    for entity, key, fields, before, after in (
            ("目标", "code", TARGET_FIELDS, old.targets if old else [], new.targets),
            ("任务", "clause", ("title", "lead", "units", "due"), old.tasks if old else [], new.tasks),
            ("指标", "code", INDICATOR_FIELDS[1:], old.indicators if old else [], new.indicators)):
        b, a = {x[key]: x for x in before}, {x[key]: x for x in after}
        for k in a.keys() - b.keys():
            rows.append({"change": "新增", "entity": entity, "key": k, "field": "", "old": None,
                         "new": a[k].get("title") or a[k].get("quote") or a[k].get("name")})
        for k in b.keys() - a.keys():
            if entity != "指标":   # an indicator stays in the store (it may hold values); it is only no longer used
                rows.append({"change": "删除", "entity": entity, "key": k, "field": "", "old": b[k].get("title")
                             or b[k].get("quote"), "new": None})
        for k in a.keys() & b.keys():
            for f in fields:
                if _norm(b[k].get(f)) != _norm(a[k].get(f)):
                    rows.append({"change": "修改", "entity": entity, "key": k, "field": f, "old": b[k].get(f),
                                 "new": a[k].get(f)})
    return pd.DataFrame(rows, columns=DIFF_COLUMNS)


def _norm(v: Any) -> Any:
    return None if v is None or v == [] else (float(v) if isinstance(v, (int, float)) and not isinstance(v, bool)
                                                 else v)


# ------------------------------------------------------------------ the write

def save_imported_policy(engine: Engine, policy: cat.Policy, *, who: str, reason: str,
                         replace: bool = False) -> dict[str, int]:
    """Write the policy (origin "import") in one audited transaction: policy, new indicators, targets, tasks with
    their units. A code already in the store: refused when it came from data/policies, or unless `replace`; then
    targets and tasks no longer in the table are deleted (audited) — refused when such a task has progress reports
    or milestones. ValueError (Chinese) and nothing written on any refusal."""
    cat._check(policy, f"政策 {policy.code}")
    with session_scope(engine) as s:
        origin = s.scalar(select(Policy.origin).where(Policy.code == policy.code))   # read inside the write
        if origin is not None and origin != ORIGIN_IMPORT:
            raise ValueError(f"政策代码 {policy.code} 已被 data/policies/ 中的政策文件使用，不能用任务分解表替换："
                             "请换一个政策代码")
        if origin == ORIGIN_IMPORT and not replace:
            raise ValueError(f"政策 {policy.code} 已导入过（可能他人刚刚导入）：请先查看与已导入版本的差异，"
                             "确认后选择替换")
        _load_departments(s, who)
        _load_regions(s, [policy.region, policy.benchmark_region], who)
        pol = _load_policy(s, policy, who, reason)
        pol.origin = ORIGIN_IMPORT
        indicators = _load_indicators(s, policy, who, reason)
        _load_targets(s, policy, pol, indicators, who, reason)
        _drop_tasks(s, pol, {t["clause"] for t in policy.tasks}, who, reason)
        _load_tasks(s, policy, pol, who, reason)
        s.flush()
    return {"targets": len(policy.targets), "tasks": len(policy.tasks), "indicators": len(policy.indicators)}


def _drop_tasks(s, pol: Policy, keep: set[str], who: str, reason: str) -> None:
    """Tasks of the policy no longer in the table, deleted and audited; refused when one has progress reports or
    milestones (they would be lost)."""
    gone = [t for t in s.scalars(select(Task).where(Task.policy_id == pol.id)) if t.clause not in keep]
    for task in gone:
        used = s.scalar(select(func.count()).select_from(TaskProgress).where(TaskProgress.task_id == task.id)) + \
            s.scalar(select(func.count()).select_from(Milestone).where(Milestone.task_id == task.id))
        if used:
            raise ValueError(f"新表中没有任务 {task.clause}（{task.title[:30]}），但它已有进展记录或推进节点，"
                             "删除会丢失这些记录：请在表中保留这一行后再替换")
    for task in gone:
        write_audit(s, who=who, action="delete", entity="task", key=f"{pol.code}/{task.clause}",
                    old={"title": task.title, "units": [(u.role, u.display_name) for u in task.units]}, new=None,
                    reason=reason)
        s.delete(task)
    s.flush()
