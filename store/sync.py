"""Loading the policy catalogue, the unit alias table and the region table into the store (idempotent, audited)."""
from __future__ import annotations

import logging
import unicodedata
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from store import catalogue as cat
from store.audit import write_audit
from store.engine import session_scope
from store.models import (
    SYSTEM_USER,
    Area,
    Department,
    Indicator,
    Policy,
    Region,
    Target,
    Task,
    TaskUnit,
)
from vocab.labels import AREAS

ORIGIN_FILE, ORIGIN_IMPORT = "file", "import"   # Policy.origin
log = logging.getLogger("tracker.store")

_TARGET_FIELDS = ("kind", "comparator", "value", "value_low", "value_high", "start_year", "due_year", "tier",
                  "benchmark", "clause", "quote", "also_clause", "also_quote", "task_basis", "headline", "interpreted",
                  "note")
_INDICATOR_FIELDS = ("name", "unit", "area", "measure", "path", "frequency", "decimals", "stages", "aliases")


def _sync(session: Session, obj: Any, values: dict[str, Any], *, who: str, entity: str, key: str,
          reason: str) -> None:
    """Set values on obj; audit the difference (nothing is written when nothing changed)."""
    old = {k: getattr(obj, k) for k in values}
    changed = {k: v for k, v in values.items() if old[k] != v}
    if not changed:
        return
    for k, v in changed.items():
        setattr(obj, k, v)
    write_audit(session, who=who, action="update", entity=entity, key=key,
           old={k: old[k] for k in changed}, new=changed, reason=reason)


def load_catalogue(engine: Engine, policy: cat.Policy, who: str = SYSTEM_USER) -> bool:
    """Upsert one policy's indicators, targets and tasks. Idempotent; every change is audited. A policy imported
    from a 任务分解表 (origin "import") lives in the store only: a file with its code is not loaded over it (nothing
    of it is changed or deleted) and False is returned."""
    reason = f"载入政策目录 {policy.path.name if policy.path else policy.code}"
    with session_scope(engine) as s:
        for i, name in enumerate(AREAS):
            if s.get(Area, name) is None:
                s.add(Area(name=name, sort_order=i))
        _load_departments(s, who)
        _load_regions(s, [policy.region, policy.benchmark_region], who)
        if s.scalar(select(Policy.origin).where(Policy.code == policy.code)) == ORIGIN_IMPORT:
            log.warning("政策 %s 是导入的任务分解表，未用文件 %s 覆盖", policy.code, policy.path)
            return False
        pol = _load_policy(s, policy, who, reason)
        indicators = _load_indicators(s, policy, who, reason)
        _load_targets(s, policy, pol, indicators, who, reason)
        _load_tasks(s, policy, pol, who, reason)
    return True


def _load_policy(s: Session, policy: cat.Policy, who: str, reason: str) -> Policy:
    """The policy row, created or brought in line with the catalogue file."""
    pol = s.scalar(select(Policy).where(Policy.code == policy.code))
    pvals = {k: getattr(policy, k) for k in ("doc_number", "title", "short_title", "issued", "issuer", "region",
                                            "benchmark_region", "base_year", "start_year", "end_year",
                                            "track_from", "track_to", "task_due")}
    if pol is None:
        pol = Policy(code=policy.code, **pvals)
        s.add(pol)
        s.flush()
        write_audit(s, who=who, action="create", entity="policy", key=policy.code, old=None, new=pvals, reason=reason)
    else:
        _sync(s, pol, pvals, who=who, entity="policy", key=policy.code, reason=reason)
    return pol


def _load_indicators(s: Session, policy: cat.Policy, who: str, reason: str) -> dict[str, Indicator]:
    """The policy's indicators created or updated; every stored indicator by code."""
    indicators: dict[str, Indicator] = {i.code: i for i in s.scalars(select(Indicator))}
    for spec in policy.indicators:
        vals = {k: spec[k] for k in _INDICATOR_FIELDS}
        vals["min_value"], vals["max_value"] = spec["min"], spec["max"]
        ind = indicators.get(spec["code"])
        if ind is None:
            ind = Indicator(code=spec["code"], **vals)
            s.add(ind)
            indicators[spec["code"]] = ind
            write_audit(s, who=who, action="create", entity="indicator", key=spec["code"], old=None, new=vals,
                        reason=reason)
        else:
            _sync(s, ind, vals, who=who, entity="indicator", key=spec["code"], reason=reason)
    s.flush()
    return indicators


def _load_targets(s: Session, policy: cat.Policy, pol: Policy, indicators: dict[str, Indicator], who: str,
                  reason: str) -> None:
    """The policy's targets created or updated; targets no longer in the file deleted (audited)."""
    targets = {t.code: t for t in s.scalars(select(Target).where(Target.policy_id == pol.id))}
    for spec in policy.targets:
        vals = {k: spec[k] for k in _TARGET_FIELDS}
        vals["task_clause"] = spec["task"]
        vals["indicator_id"] = indicators[spec["indicator"]].id
        key = f"{policy.code}/{spec['code']}"
        tgt = targets.get(spec["code"])
        if tgt is None:
            s.add(Target(policy_id=pol.id, code=spec["code"], **vals))
            write_audit(s, who=who, action="create", entity="target", key=key, old=None,
                        new={**vals, "indicator": spec["indicator"]}, reason=reason)
        else:
            _sync(s, tgt, vals, who=who, entity="target", key=key, reason=reason)
    for code in set(targets) - {t["code"] for t in policy.targets}:
        write_audit(s, who=who, action="delete", entity="target", key=f"{policy.code}/{code}",
                    old={k: getattr(targets[code], k) for k in _TARGET_FIELDS}, new=None, reason=reason)
        s.delete(targets[code])


def _load_tasks(s: Session, policy: cat.Policy, pol: Policy, who: str, reason: str) -> None:
    """The policy's tasks created or updated, with their lead and responsible units in the document's order."""
    departments = {d.name: d for d in s.scalars(select(Department))}
    resolve = department_resolver(departments.values())
    tasks = {t.clause: t for t in s.scalars(select(Task).where(Task.policy_id == pol.id))}
    due = date.fromisoformat(policy.task_due)
    for spec in policy.tasks:
        wanted = [("lead", n) for n in spec["lead"]] + [("responsible", n) for n in spec["units"]]
        task = tasks.get(spec["clause"])
        key = f"{policy.code}/{spec['clause']}"
        if task is None:
            task = Task(policy_id=pol.id, clause=spec["clause"], title=spec["title"],
                        due_date=date.fromisoformat(spec.get("due", policy.task_due)) if spec.get("due") else due)
            s.add(task)
            write_audit(s, who=who, action="create", entity="task", key=key, old=None,
                        new={"title": spec["title"], "lead": spec["lead"], "units": spec["units"]}, reason=reason)
        else:
            _sync(s, task, {"title": spec["title"]}, who=who, entity="task", key=key, reason=reason)
            current = [(u.role, u.display_name) for u in task.units]
            if current == wanted:
                continue
            write_audit(s, who=who, action="update", entity="task", key=key, old={"units": current},
                        new={"units": wanted}, reason=reason)
            task.units.clear()
            s.flush()
        for pos, (role, name) in enumerate(wanted):
            task.units.append(TaskUnit(department=resolve(name), role=role, display_name=name, position=pos))


def department_resolver(departments: Iterable[Department]):
    """name → Department through canonical names, full names and aliases; unknown names raise."""
    table: dict[str, Department] = {}
    for d in departments:
        for n in [d.name, d.full_name, *d.aliases]:
            table[normalise_name(n)] = d

    def resolve(name: str) -> Department:
        try:
            return table[normalise_name(name)]
        except KeyError:
            raise cat.CatalogueError(f"单位“{name}”不在 data/departments.toml 的别名表中") from None
    return resolve


def normalise_name(name: str) -> str:
    """Fold width and spaces so that '科工信局 ' and '科工信局' match."""
    return unicodedata.normalize("NFKC", name).strip().replace(" ", "")


def _load_departments(s: Session, who: str) -> None:
    existing = {d.name: d for d in s.scalars(select(Department))}
    for spec in cat.load_toml("departments.toml")["departments"]:
        vals = {"full_name": spec["full_name"], "aliases": spec.get("aliases", []),
                "collective": spec.get("collective", False)}
        d = existing.get(spec["name"])
        if d is None:
            s.add(Department(name=spec["name"], **vals))
            write_audit(s, who=who, action="create", entity="department", key=spec["name"], old=None, new=vals,
                   reason="载入单位别名表")
        else:
            _sync(s, d, vals, who=who, entity="department", key=spec["name"], reason="载入单位别名表")
    s.flush()


def _load_regions(s: Session, required: list[str], who: str) -> None:
    existing = {r.name: r for r in s.scalars(select(Region))}
    specs = {r["name"]: r for r in cat.load_toml("regions.toml")["regions"]}
    for name in [*specs, *required]:
        if name in existing:
            continue
        spec = specs.get(name, {"name": name, "level": "county"})
        r = Region(name=name, level=spec.get("level", "county"), parent=spec.get("parent"))
        s.add(r)
        existing[name] = r
        write_audit(s, who=who, action="create", entity="region", key=name, old=None,
               new={"level": r.level, "parent": r.parent}, reason="载入地区表")
    s.flush()


def ensure_region(session: Session, name: str, who: str, level: str = "county") -> Region:
    """The region by name, created (and audited) when new — imports may bring more regions."""
    r = session.scalar(select(Region).where(Region.name == name))
    if r is None:
        r = Region(name=name, level=level)
        session.add(r)
        session.flush()
        write_audit(session, who=who, action="create", entity="region", key=name, old=None, new={"level": level})
    return r


# ------------------------------------------------------------------ observations: writes
