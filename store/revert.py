"""Undoing one audited change (or one write transaction's changes) of a value, an earlier vintage of a value or a
task progress report; the revert is itself logged and can be undone in turn.

An observation's audit records say what the current value was before and after (`old`, `new`) and which earlier
vintages the change took out (`old["vintages"]`) or put in (`new["vintages"]`): a revert restores `old`, takes out
what the change put in and puts back what it took out, so that undoing a new vintage makes the previous one current
again, and undoing a delete restores the value with its history."""
from __future__ import annotations

from datetime import date
from typing import Any, NoReturn

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from store import vintages as vint
from store.audit import write_audit
from store.engine import ConcurrentEditError, now, session_scope
from store.models import (
    AuditLog,
    Indicator,
    Observation,
    ObservationVintage,
    Policy,
    Region,
    Task,
    TaskProgress,
)
from store.sync import ensure_region
from store.writes import (
    delete_current,
    find_observation,
    next_version,
    obs_dict,
    period_from_label,
    progress_dict,
)

REVERTIBLE = ("observation", "observation_vintage", "task_progress")


def revert_change(engine: Engine, audit_id: int, *, who: str, reason: str = "") -> None:
    """Undo one change of a value or a task progress report; the revert is itself logged (and can be undone in
    turn). Refused when the change was already reverted, or when the value has changed again since (so that no
    later edit is silently overwritten)."""
    with session_scope(engine) as s:
        entry = s.scalar(select(AuditLog).where(AuditLog.id == audit_id).with_for_update())
        if entry is None or entry.entity not in REVERTIBLE:
            raise ValueError(f"审计记录 {audit_id} 不存在或不是数据值、任务进展的修改，无法撤销。")
        _revert_entry(s, entry, who=who, reason=reason or f"撤销审计记录 #{audit_id}")


def revert_batch(engine: Engine, batch_id: str, *, who: str, reason: str = "") -> int:
    """Undo every value and progress change of one write transaction (e.g. one import) as one action, all or
    nothing: refused when any of them was reverted already or has changed since. Returns the number undone."""
    with session_scope(engine) as s:
        entries = s.scalars(select(AuditLog).where(AuditLog.batch_id == batch_id, AuditLog.entity.in_(REVERTIBLE))
                            .order_by(AuditLog.id.desc()).with_for_update()).all()
        if not entries:
            raise ValueError(f"批次 {batch_id} 中没有可撤销的数据修改。")
        restored: dict[tuple[str, int], int] = {}
        for entry in entries:
            _revert_entry(s, entry, who=who, reason=reason or f"撤销整批修改 {batch_id[:8]}（#{entries[-1].id} 起）",
                          restored=restored)
        return len(entries)


def _revert_entry(s: Session, entry: AuditLog, *, who: str, reason: str,
                  restored: dict[tuple[str, int], int] | None = None) -> None:
    done = s.scalar(select(AuditLog.id).where(AuditLog.reverts_id == entry.id).limit(1))
    if done is not None:
        raise ConcurrentEditError(f"{entry.entity_key}：审计记录 #{entry.id} 已被撤销过（记录 #{done}），"
                                  "不能重复撤销；如需恢复，请撤销那条撤销记录。")
    if entry.entity == "observation":
        _revert_observation(s, entry, who=who, reason=reason, restored=restored)
    elif entry.entity == "observation_vintage":
        _revert_vintage(s, entry, who=who, reason=reason)
    else:
        _revert_progress(s, entry, who=who, reason=reason)


def _refuse(key: str) -> Any:
    def refuse(message: str) -> NoReturn:
        raise ConcurrentEditError(f"{key}：{message}")
    return refuse


def _key_ids(s: Session, key: str, who: str) -> tuple[str, str, int, int, tuple[int, int, int, int]]:
    region, indicator, period = key.rsplit("/", 2)
    year, quarter = period_from_label(period)
    ind = s.scalar(select(Indicator.id).where(Indicator.code == indicator))
    if ind is None:
        raise ValueError(f"{key}：指标“{indicator}”已不在指标目录中，无法恢复该数值。")
    reg = s.scalar(select(Region.id).where(Region.name == region)) or ensure_region(s, region, who).id
    return region, indicator, year, quarter, (reg, ind, year, quarter)


def _revert_observation(s: Session, entry: AuditLog, *, who: str, reason: str,
                        restored: dict[tuple[str, int], int] | None = None) -> None:
    """restored: (key, version) → the version a revert of the same batch gave back that state (one batch may
    change a key twice: a first release and its revision in one import), so undoing the batch newest first works."""
    region, indicator, year, quarter, ids = _key_ids(s, entry.entity_key, who)
    refuse = _refuse(entry.entity_key)
    obs = find_observation(s, region, indicator, year, quarter)
    current = obs_dict(obs) if obs else None
    expected_now = entry.new
    if expected_now and restored is not None:
        expected_now = {**expected_now, "version": restored.get((entry.entity_key, expected_now.get("version")),
                                                                expected_now.get("version"))}
    if (current is None) != (expected_now is None) or (
            current and expected_now and current["version"] != expected_now.get("version")):
        refuse("该数值在此次修改之后又被修改过，请先撤销较新的修改。")
    taken_out = list((expected_now or {}).get("vintages") or [])
    put_back = list((entry.old or {}).get("vintages") or [])
    if entry.old is None and {r["id"] for r in vint.history_of(s, ids)} - {r["id"] for r in taken_out}:
        refuse("该数据项在此之后又补录了较早版次，请先撤销那些修改。")
    for record in taken_out:
        vint.remove_history(s, record, refuse)
    restored_rows = [vint.audit_record(vint.insert_history(s, ids, vint.from_audit(r))) for r in put_back]
    old = {**current, "vintages": taken_out} if current and taken_out else current
    if entry.old is None:  # undo a create
        write_audit(s, who=who, action="revert", entity="observation", key=entry.entity_key, old=old, new=None,
                    reason=reason, reverts_id=entry.id)
        delete_current(s, obs, entry.entity_key)
        s.flush()
        return
    fields = {k: entry.old[k] for k in ("value", "source", "is_sample", "note")}
    fields["data_status"] = entry.old.get("data_status") or vint.UNSTATED
    released = entry.old.get("released_on")
    fields["released_on"] = date.fromisoformat(released) if released else None
    if obs is None:  # undo a delete
        obs = Observation(region_id=ids[0], indicator_id=ids[1], year=year, quarter=quarter, entered_by=who,
                          entered_at=now(), version=next_version(s, entry.entity_key), **fields)
        s.add(obs)
    else:
        for k, v in fields.items():
            setattr(obs, k, v)
        obs.version += 1
        obs.entered_by, obs.entered_at = who, now()
    s.flush()
    if restored is not None and entry.old.get("version") is not None:
        restored[(entry.entity_key, entry.old["version"])] = obs.version
    new = {**obs_dict(obs), **({"vintages": restored_rows} if restored_rows else {})}
    write_audit(s, who=who, action="revert", entity="observation", key=entry.entity_key, old=old, new=new,
                source=fields["source"], reason=reason, reverts_id=entry.id)


def _revert_vintage(s: Session, entry: AuditLog, *, who: str, reason: str) -> None:
    """Undo the addition or correction of an earlier vintage (or the revert of one): the history row must still be
    as the change left it."""
    *_, ids = _key_ids(s, entry.entity_key, who)
    refuse = _refuse(entry.entity_key)
    if entry.new is not None:
        stored = vint.stored_history(s, int(entry.new["id"]))
        if stored is None or not vint.same_content(stored, entry.new):
            refuse("该较早版次在此之后又被修改过，请先撤销较新的修改。")
        before = vint.audit_record(stored)
        if entry.old is None:  # undo an addition
            vint.remove_history(s, entry.new, refuse)
            after = None
        else:  # undo a correction
            restored = {**stored, **{k: entry.old[k] for k in vint.CONTENT}}
            vint.correct_history(s, restored, stored)
            after = vint.audit_record(restored)
    else:  # undo the removal of an earlier vintage: put it back
        old = vint.from_audit(entry.old)
        taken = s.scalar(select(ObservationVintage.id).where(
            ObservationVintage.region_id == ids[0], ObservationVintage.indicator_id == ids[1],
            ObservationVintage.year == ids[2], ObservationVintage.quarter == ids[3],
            ObservationVintage.data_status == old["data_status"], ObservationVintage.released_on == old["released_on"]))
        if taken is not None:
            refuse("该版次已重新录入，请先撤销较新的修改。")
        before, after = None, vint.audit_record(vint.insert_history(s, ids, old))
    write_audit(s, who=who, action="revert", entity="observation_vintage", key=entry.entity_key, old=before,
                new=after, source=(after or before)["source"], reason=reason, reverts_id=entry.id)


def _revert_progress(s: Session, entry: AuditLog, *, who: str, reason: str) -> None:
    """A progress report is added once and never edited: undoing its creation deletes it (the log keeps it), and
    undoing that deletion restores it as a new row (its key names the new row)."""
    policy_code, clause, row_id = entry.entity_key.rsplit("/", 2)
    if entry.new is not None:  # undo an add (or a restore): delete that row
        row = s.get(TaskProgress, int(row_id))
        if row is None:
            raise ConcurrentEditError(f"{entry.entity_key}：该任务进展已被删除，请刷新后再操作。")
        write_audit(s, who=who, action="revert", entity="task_progress", key=entry.entity_key,
                    old=progress_dict(row), new=None, reason=reason, reverts_id=entry.id)
        s.delete(row)
        s.flush()
        return
    if not isinstance(entry.old, dict):
        raise ValueError(f"审计记录 {entry.id} 没有可恢复的任务进展。")
    task = s.scalar(select(Task).join(Policy).where(Policy.code == policy_code, Task.clause == clause))
    if task is None:
        raise ValueError(f"{entry.entity_key}：任务 {clause} 已不在政策目录中，无法恢复该进展。")
    old = entry.old
    row = TaskProgress(task_id=task.id, status=old["status"], progress=old["progress"], evidence=old["evidence"],
                       reported_on=date.fromisoformat(old["reported_on"]), reported_by=old["reported_by"],
                       is_sample=bool(old.get("is_sample")), entered_at=now())
    s.add(row)
    s.flush()
    write_audit(s, who=who, action="revert", entity="task_progress", key=f"{policy_code}/{clause}/{row.id}",
                old=None, new=progress_dict(row), reason=reason, reverts_id=entry.id)
