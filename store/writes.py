"""Audited writes of observations and task progress, with compare-and-set on observation versions.

Versions: a key's version never repeats. A live value carries its version; deleting it keeps the last version in
`observation_tombstone`, and a re-created value (a new entry, or an undone delete) continues above it."""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from store import limits
from store.audit import write_audit, write_audits
from store.engine import ConcurrentEditError, now, session_scope
from store.models import (
    AuditLog,
    Indicator,
    Observation,
    ObservationTombstone,
    Policy,
    Region,
    Task,
    TaskProgress,
)
from store.sync import ensure_region
from vocab.labels import TASK_STATUSES
from vocab.text import clean_text


def observation_key(region: str, indicator: str, year: int, quarter: int) -> str:
    return f"{region}/{indicator}/{period_label(year, quarter)}"


def period_label(year: int, quarter: int = 0) -> str:
    return f"{year}" if not quarter else f"{year}Q{quarter}"


def _obs_dict(o: Observation) -> dict[str, Any]:
    return {"value": o.value, "source": o.source, "is_sample": bool(o.is_sample), "note": o.note,
            "version": o.version}


def _tombstones(s: Session) -> dict[str, int]:
    """key → the last version of a deleted value (few rows: only deleted keys)."""
    return dict(s.execute(select(ObservationTombstone.key, ObservationTombstone.version)).tuples().all())


def _next_version(s: Session, key: str, tombstones: dict[str, int] | None = None) -> int:
    """The version of a (re-)created value: above every version the key ever had."""
    if tombstones is None:
        return (s.scalar(select(ObservationTombstone.version).where(ObservationTombstone.key == key)) or 0) + 1
    return tombstones.get(key, 0) + 1


def _delete_observation(s: Session, obs: Observation, key: str) -> None:
    """Delete (the ORM's DELETE carries the version: a row changed meanwhile is not deleted) and keep a tombstone."""
    stone = s.get(ObservationTombstone, key)
    if stone is None:
        s.add(ObservationTombstone(key=key, version=obs.version, deleted_at=now()))
    else:
        stone.version, stone.deleted_at = max(stone.version, obs.version), now()
    s.delete(obs)


def save_observations(engine: Engine, rows: list[dict[str, Any]], *, who: str, reason: str = "",
                      session: Session | None = None) -> dict[str, int]:
    """Insert or update observations in one transaction, audited, with compare-and-set.

    Each row: region, indicator, year, quarter (0 = year), value, source, is_sample, note, and optionally
    expected_version: the version the user saw (None = 'I saw no value'). A mismatch refuses the whole save. The
    check is part of the write (UPDATE … WHERE id=? AND version=?), so a save that commits between this read and
    this write is caught too; two concurrent creates of one key give the same ConcurrentEditError.

    Written in bulk (imports bring thousands of rows): one INSERT executemany for the new values, one UPDATE
    executemany for the changed ones (its summed rowcount is the compare-and-set check), one for the audit rows."""
    counts = {"created": 0, "updated": 0, "unchanged": 0}

    def guarded(s: Session) -> None:
        try:
            stored, audits = _plan_observations(s, rows, who, reason, counts)
            _write_observations(s, stored.values())
            write_audits(s, audits)
        except IntegrityError as exc:  # a concurrent create of the same key committed first (PostgreSQL)
            raise ConcurrentEditError("保存失败：您填报的数值刚刚已被他人录入，请刷新后核对再保存。") from exc

    if session is not None:
        guarded(session)
    else:
        with session_scope(engine) as s:
            guarded(s)
    return counts


def _plan_observations(s: Session, rows: list[dict[str, Any]], who: str, reason: str,
                       counts: dict[str, int]) -> tuple[dict, list[dict[str, Any]]]:
    """Every stored value of the rows' indicators (one query, not one per row: imports bring thousands), with
    what each row writes (insert / update, compare-and-set checked) and the audit rows; counts filled in."""
    inds = dict(s.execute(select(Indicator.code, Indicator.id)).tuples().all())
    regions = dict(s.execute(select(Region.name, Region.id)).tuples().all())
    ind_ids = sorted({inds[row["indicator"]] for row in rows})
    stored: dict[tuple[int, int, int, int], dict[str, Any]] = {
        (o.region_id, o.indicator_id, o.year, o.quarter): {**o._asdict(), "seen": o.version, "write": None}
        for o in s.execute(select(*_STORED_COLUMNS).where(Observation.indicator_id.in_(ind_ids)))}
    tombstones = _tombstones(s)
    audits: list[dict[str, Any]] = []
    for row in rows:
        if row["region"] not in regions:
            regions[row["region"]] = ensure_region(s, row["region"], who).id
        region_id, ind_id = regions[row["region"]], inds[row["indicator"]]
        year, q = int(row["year"]), int(row.get("quarter") or 0)
        key = observation_key(row["region"], row["indicator"], year, q)
        new = {"value": float(row["value"]), "source": str(row["source"]), "is_sample": bool(row.get("is_sample")),
               "note": str(row.get("note") or "")}
        obs = stored.get((region_id, ind_id, year, q))
        if obs is None:
            if "expected_version" in row and row["expected_version"] is not None:
                raise ConcurrentEditError(f"{key}：该数值已被他人删除，请刷新后重新填报。")
            version = _next_version(s, key, tombstones)
            stored[(region_id, ind_id, year, q)] = {
                "id": None, "region_id": region_id, "indicator_id": ind_id, "year": year, "quarter": q,
                "entered_by": who, "entered_at": now(), "version": version, "seen": None, "write": "insert", **new}
            audits.append({"who": who, "action": "create", "entity": "observation", "key": key, "old": None,
                           "new": {**new, "version": version}, "source": new["source"], "reason": reason})
            counts["created"] += 1
        elif audit := _update_stored(obs, row, new, key, who, reason):
            audits.append(audit)
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    return stored, audits


def _update_stored(obs: dict[str, Any], row: dict[str, Any], new: dict[str, Any], key: str, who: str,
                   reason: str) -> dict[str, Any] | None:
    """A stored value's update: refused when the version the user saw is not the stored one (compare-and-set);
    None when nothing changes; else the value is marked for the UPDATE and its audit row returned."""
    if "expected_version" in row and row["expected_version"] != obs["version"]:
        raise ConcurrentEditError(
            f"{key}：保存失败——您打开后该数值已被“{obs['entered_by']}”修改为 {obs['value']:g}"
            f"（版本 {obs['version']}），请刷新后核对再保存。")
    old = {"value": obs["value"], "source": obs["source"], "is_sample": bool(obs["is_sample"]),
           "note": obs["note"], "version": obs["version"]}
    if all(old[k] == v for k, v in new.items()):
        return None
    obs.update(new, version=obs["version"] + 1, entered_by=who, entered_at=now(), write=obs["write"] or "update")
    return {"who": who, "action": "update", "entity": "observation", "key": key, "old": old,
            "new": {**new, "version": obs["version"]}, "source": new["source"], "reason": reason}


_STORED_COLUMNS = (Observation.id, Observation.region_id, Observation.indicator_id, Observation.year,
                   Observation.quarter, Observation.value, Observation.source, Observation.is_sample,
                   Observation.note, Observation.version, Observation.entered_by)
_WRITTEN = ("value", "source", "is_sample", "note", "version", "entered_by", "entered_at")


def _write_observations(s: Session, values: Any) -> None:
    """The planned inserts and updates of save_observations, one executemany each, on the session's connection.

    An update says WHERE id=? AND version=<the version read>: fewer rows changed than planned means another
    process saved one of them meanwhile, and the whole transaction is refused."""
    table = Observation.__table__
    values = list(values)
    inserts = [{k: v[k] for k in ("region_id", "indicator_id", "year", "quarter", *_WRITTEN)}
               for v in values if v["write"] == "insert"]
    updates = [{"b_id": v["id"], "b_seen": v["seen"], **{k: v[k] for k in _WRITTEN}}
               for v in values if v["write"] == "update"]
    if inserts:
        s.execute(insert(table), inserts)
    if updates:
        stmt = (update(table).where(table.c.id == bindparam("b_id"), table.c.version == bindparam("b_seen"))
                .values({k: bindparam(k) for k in _WRITTEN}))
        conn = s.connection()
        if conn.dialect.supports_sane_multi_rowcount:
            changed = conn.execute(stmt, updates).rowcount
        else:
            changed = sum(conn.execute(stmt, u).rowcount for u in updates)
        if changed != len(updates):  # another process saved one of these values after we read it
            raise ConcurrentEditError("保存失败——您打开后数值已被他人同时修改，请刷新后核对再保存。")
    if inserts or updates:  # ORM objects of these rows loaded earlier in this session are out of date now
        for obj in list(s.identity_map.values()):
            if isinstance(obj, Observation):
                s.expire(obj)


def delete_observation(engine: Engine, region: str, indicator: str, year: int, quarter: int, *, who: str,
                       reason: str, expected_version: int | None = None) -> None:
    """Delete one observation (audited; the old value stays in the log and can be restored by revert)."""
    with session_scope(engine) as s:
        obs = _find_observation(s, region, indicator, year, quarter)
        key = observation_key(region, indicator, year, quarter)
        if obs is None:
            raise ConcurrentEditError(f"{key}：该数值不存在或已被删除。")
        if expected_version is not None and obs.version != expected_version:
            raise ConcurrentEditError(f"{key}：该数值已被他人修改，请刷新后再操作。")
        write_audit(s, who=who, action="delete", entity="observation", key=key, old=_obs_dict(obs), new=None,
                    source=obs.source, reason=reason)
        _delete_observation(s, obs, key)


def _find_observation(s: Session, region: str, indicator: str, year: int, quarter: int) -> Observation | None:
    return s.scalar(select(Observation).join(Region).join(Indicator).where(
        Region.name == region, Indicator.code == indicator, Observation.year == year, Observation.quarter == quarter))


REVERTIBLE = ("observation", "task_progress")


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
        for entry in entries:
            _revert_entry(s, entry, who=who, reason=reason or f"撤销整批修改 {batch_id[:8]}（#{entries[-1].id} 起）")
        return len(entries)


def _revert_entry(s: Session, entry: AuditLog, *, who: str, reason: str) -> None:
    done = s.scalar(select(AuditLog.id).where(AuditLog.reverts_id == entry.id).limit(1))
    if done is not None:
        raise ConcurrentEditError(f"{entry.entity_key}：审计记录 #{entry.id} 已被撤销过（记录 #{done}），"
                                  "不能重复撤销；如需恢复，请撤销那条撤销记录。")
    if entry.entity == "observation":
        _revert_observation(s, entry, who=who, reason=reason)
    else:
        _revert_progress(s, entry, who=who, reason=reason)


def _revert_observation(s: Session, entry: AuditLog, *, who: str, reason: str) -> None:
    region, indicator, period = entry.entity_key.rsplit("/", 2)
    year, quarter = period_from_label(period)
    obs = _find_observation(s, region, indicator, year, quarter)
    current = _obs_dict(obs) if obs else None
    expected_now = entry.new
    if (current is None) != (expected_now is None) or (
            current and expected_now and current["version"] != expected_now.get("version")):
        raise ConcurrentEditError(f"{entry.entity_key}：该数值在此次修改之后又被修改过，请先撤销较新的修改。")
    if entry.old is None:  # undo a create
        write_audit(s, who=who, action="revert", entity="observation", key=entry.entity_key, old=current, new=None,
                    reason=reason, reverts_id=entry.id)
        _delete_observation(s, obs, entry.entity_key)
        s.flush()
        return
    restored = {k: entry.old[k] for k in ("value", "source", "is_sample", "note")}
    if obs is None:  # undo a delete
        ind = s.scalar(select(Indicator).where(Indicator.code == indicator))
        if ind is None:
            raise ValueError(f"{entry.entity_key}：指标“{indicator}”已不在指标目录中，无法恢复该数值。")
        reg = ensure_region(s, region, who)
        obs = Observation(region=reg, indicator=ind, year=year, quarter=quarter, entered_by=who,
                          entered_at=now(), version=_next_version(s, entry.entity_key), **restored)
        s.add(obs)
    else:
        for k, v in restored.items():
            setattr(obs, k, v)
        obs.version += 1
        obs.entered_by, obs.entered_at = who, now()
    s.flush()
    write_audit(s, who=who, action="revert", entity="observation", key=entry.entity_key, old=current,
                new={**restored, "version": obs.version}, source=restored["source"], reason=reason,
                reverts_id=entry.id)


def _progress_dict(row: TaskProgress) -> dict[str, Any]:
    return {"status": row.status, "progress": row.progress, "evidence": row.evidence,
            "reported_on": row.reported_on.isoformat(), "reported_by": row.reported_by,
            "is_sample": bool(row.is_sample)}


def _revert_progress(s: Session, entry: AuditLog, *, who: str, reason: str) -> None:
    """A progress report is added once and never edited: undoing its creation deletes it (the log keeps it), and
    undoing that deletion restores it as a new row (its key names the new row)."""
    policy_code, clause, row_id = entry.entity_key.rsplit("/", 2)
    if entry.new is not None:  # undo an add (or a restore): delete that row
        row = s.get(TaskProgress, int(row_id))
        if row is None:
            raise ConcurrentEditError(f"{entry.entity_key}：该任务进展已被删除，请刷新后再操作。")
        write_audit(s, who=who, action="revert", entity="task_progress", key=entry.entity_key,
                    old=_progress_dict(row), new=None, reason=reason, reverts_id=entry.id)
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
                old=None, new=_progress_dict(row), reason=reason, reverts_id=entry.id)


def period_from_label(text: str) -> tuple[int, int]:
    """The inverse of period_label, for keys the store wrote: '2020' → (2020, 0); '2020Q3' → (2020, 3)."""
    text = text.strip().upper()
    if "Q" in text:
        y, q = text.split("Q")
        return int(y), int(q)
    return int(text), 0


# ------------------------------------------------------------------ task progress: writes

def add_progress(engine: Engine, policy_code: str, clause: str, *, status: str, progress: str, evidence: str,
                 reported_on: date, reported_by: str, who: str, is_sample: bool = False,
                 session: Session | None = None) -> int:
    """Record one progress update for a task (status: not_started | in_progress | done), audited; returns its id.
    Texts are cleaned of control characters (vocab.text.clean_text) whoever calls."""
    progress, evidence = clean_text(progress, multiline=True), clean_text(evidence, multiline=True)
    reported_by, who = clean_text(reported_by).strip(), clean_text(who).strip()
    for text, limit, what in ((reported_by, limits.NAME_LENGTH, "报告单位 / 人"), (who, limits.WHO_LENGTH, "填报人")):
        if long := limits.too_long(text, limit, what):
            raise ValueError(long)
    if status not in TASK_STATUSES or status == "overdue":
        raise ValueError(f"任务状态“{status}”无效")

    def run(s: Session) -> int:
        task, start_year = s.execute(select(Task, Policy.start_year).join(Policy).where(
            Policy.code == policy_code, Task.clause == clause)).first() or (None, None)
        if task is None:
            raise ValueError(f"任务 {clause} 不存在")
        if bad_date := limits.report_date_problem(reported_on, start_year):
            raise ValueError(bad_date)
        row = TaskProgress(task_id=task.id, status=status, progress=progress, evidence=evidence,
                           reported_on=reported_on, reported_by=reported_by, is_sample=is_sample, entered_at=now())
        s.add(row)
        s.flush()
        write_audit(s, who=who, action="create", entity="task_progress", key=f"{policy_code}/{clause}/{row.id}",
                    old=None, new=_progress_dict(row), reason="任务进展填报")
        return int(row.id)

    if session is not None:
        return run(session)
    with session_scope(engine) as s:
        return run(s)
