"""Meeting snapshots: a region's statuses frozen at a leading-group meeting, the baseline of the next deck."""
from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from store import limits
from store.audit import write_audit
from store.engine import now, session_scope
from store.models import Policy, Snapshot, SnapshotRow
from store.reads import frame_of
from vocab.text import clean_text

SNAPSHOT_COLUMNS = ("code", "indicator_name", "status", "status_order", "actual", "actual_year", "target_value",
                    "attainment", "ratio", "is_sample")


def _cell(value: Any) -> Any:
    """A DataFrame cell as a database value: NaN/NA → None, numpy scalars → Python."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    return value.item() if hasattr(value, "item") else value


def save_snapshot(engine: Engine, status: pd.DataFrame, *, name: str, meeting_date: date, policy: str, region: str,
                  as_of_year: int, who: str) -> int:
    """Freeze one region's status frame (metrics.status.target_status) as the snapshot of a meeting; audited.

    The name must be new for this policy and region; the meeting date lies between the 1 January of the policy's
    base year and today (a mistyped future date would otherwise stay the baseline). Returns the snapshot id."""
    name, who = clean_text(name).strip(), clean_text(who).strip()
    if not name:
        raise ValueError("请填写会议名称（例如“2020年第四季度科技领导小组会议”）。")
    for problem in (limits.too_long(name, limits.SNAPSHOT_NAME_LENGTH, "会议名称"),
                    limits.year_problem(as_of_year, "截至年份")):
        if problem:
            raise ValueError(problem + "。")
    if not str(who or "").strip():
        raise ValueError("请先填写保存人（填报人）姓名：保存会议快照会记入修改记录。")
    missing = [c for c in SNAPSHOT_COLUMNS if c not in status.columns]
    if missing:
        raise ValueError(f"状态表缺少列：{'、'.join(missing)}")
    rows = status.loc[status["region"] == region] if "region" in status.columns else status
    if rows.empty:
        raise ValueError(f"{region}没有可保存的目标状态。")
    try:
        return _save(engine, rows, name=name, meeting_date=meeting_date, policy=policy, region=region,
                     as_of_year=as_of_year, who=who)
    except IntegrityError as exc:  # the same name saved at the same moment by someone else (PostgreSQL)
        raise _name_taken(name, region) from exc


def _name_taken(name: str, region: str) -> ValueError:
    return ValueError(f"会议快照“{name}”已存在（{region}），请换一个名称。")


def _save(engine: Engine, rows: pd.DataFrame, *, name: str, meeting_date: date, policy: str, region: str,
          as_of_year: int, who: str) -> int:
    with session_scope(engine) as s:
        _check_meeting_date(s, policy, meeting_date)
        if s.scalar(select(Snapshot).where(Snapshot.policy == policy, Snapshot.region == region,
                                           Snapshot.name == name)) is not None:
            raise _name_taken(name, region)
        snap = Snapshot(name=name, meeting_date=meeting_date, policy=policy, region=region,
                        as_of_year=int(as_of_year), created_by=who, created_at=now())
        snap.rows = [SnapshotRow(**{c: _cell(v) for c, v in zip(SNAPSHOT_COLUMNS, values)})
                     for values in rows[list(SNAPSHOT_COLUMNS)].itertuples(index=False)]
        for r in snap.rows:
            r.is_sample = bool(r.is_sample)
        s.add(snap)
        s.flush()
        counts = rows["status"].value_counts()
        write_audit(s, who=who, action="create", entity="snapshot", key=f"{policy}/{region}/{name}", old=None,
               new={"meeting_date": meeting_date.isoformat(), "as_of_year": int(as_of_year), "targets": len(rows),
                    "statuses": {k: int(v) for k, v in counts.items()}},
               reason="保存会议快照")
        return snap.id


def _check_meeting_date(s: Session, policy: str, meeting_date: date) -> None:
    base_year = s.scalar(select(Policy.base_year).where(Policy.code == policy))
    first = date(int(base_year), 1, 1) if base_year is not None else date.min
    if meeting_date > date.today():
        raise ValueError(f"会议日期 {meeting_date:%Y-%m-%d} 晚于今天：请在会议召开后保存快照（日期不能是将来）。")
    if meeting_date < first:
        raise ValueError(f"会议日期 {meeting_date:%Y-%m-%d} 早于政策基期（{first.year}年）：请检查年份。")


def _existing_snapshot(s: Session, snapshot_id: int) -> Snapshot:
    snap = s.get(Snapshot, int(snapshot_id))
    if snap is None:
        raise ValueError(f"会议快照 #{snapshot_id} 不存在或已被删除，请刷新。")
    return snap


def rename_snapshot(engine: Engine, snapshot_id: int, name: str, *, who: str) -> None:
    """Give a snapshot another name (audited; access.guard.rename_snapshot_as lets admins only); the name stays
    unique for its policy and region."""
    name = clean_text(name).strip()
    if not name:
        raise ValueError("请填写新的会议名称。")
    if problem := limits.too_long(name, limits.SNAPSHOT_NAME_LENGTH, "会议名称"):
        raise ValueError(problem + "。")
    region = ""
    try:
        with session_scope(engine) as s:
            snap = _existing_snapshot(s, snapshot_id)
            region = snap.region
            if name == snap.name:
                return
            if s.scalar(select(Snapshot.id).where(Snapshot.policy == snap.policy, Snapshot.region == snap.region,
                                                  Snapshot.name == name)) is not None:
                raise _name_taken(name, region)
            write_audit(s, who=who, action="update", entity="snapshot",
                        key=f"{snap.policy}/{snap.region}/{snap.name}", old={"name": snap.name}, new={"name": name},
                        reason="重命名会议快照")
            snap.name = name
    except IntegrityError as exc:  # renamed to the same name at the same moment by someone else (PostgreSQL)
        raise _name_taken(name, region) from exc


def delete_snapshot(engine: Engine, snapshot_id: int, *, who: str, reason: str = "") -> None:
    """Delete a snapshot and its rows (audited with what it held; access.guard.delete_snapshot_as lets admins
    only)."""
    with session_scope(engine) as s:
        snap = _existing_snapshot(s, snapshot_id)
        write_audit(s, who=who, action="delete", entity="snapshot", key=f"{snap.policy}/{snap.region}/{snap.name}",
                    old={"meeting_date": snap.meeting_date.isoformat(), "as_of_year": snap.as_of_year,
                         "targets": len(snap.rows), "created_by": snap.created_by},
                    new=None, reason=reason or "删除会议快照")
        s.delete(snap)


def read_snapshots(engine: Engine, policy: str | None = None, region: str | None = None) -> pd.DataFrame:
    """Every snapshot, latest meeting first: id, name, meeting_date, policy, region, as_of_year, created_by,
    created_at, targets (row count)."""
    n = select(SnapshotRow.snapshot_id, func.count().label("targets")).group_by(SnapshotRow.snapshot_id).subquery()
    stmt = (select(Snapshot.id, Snapshot.name, Snapshot.meeting_date, Snapshot.policy, Snapshot.region,
                   Snapshot.as_of_year, Snapshot.created_by, Snapshot.created_at,
                   func.coalesce(n.c.targets, 0).label("targets"))
            .outerjoin(n, n.c.snapshot_id == Snapshot.id)
            .order_by(Snapshot.meeting_date.desc(), Snapshot.id.desc()))
    if policy:
        stmt = stmt.where(Snapshot.policy == policy)
    if region:
        stmt = stmt.where(Snapshot.region == region)
    return frame_of(engine, stmt)


def read_snapshot(engine: Engine, snapshot_id: int) -> pd.DataFrame:
    """The frozen rows of one snapshot, shaped like the status frame for metrics.changes.status_changes:
    policy, region, and SNAPSHOT_COLUMNS."""
    stmt = (select(Snapshot.policy, Snapshot.region, *[getattr(SnapshotRow, c) for c in SNAPSHOT_COLUMNS])
            .join(Snapshot).where(SnapshotRow.snapshot_id == snapshot_id).order_by(SnapshotRow.id))
    df = frame_of(engine, stmt)
    df["is_sample"] = df["is_sample"].astype(bool)
    for c in ("actual", "target_value", "attainment", "ratio"):
        df[c] = df[c].astype("float64")
    return df


