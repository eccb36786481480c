"""The store: SQLAlchemy models, engine/session, the queries the app needs, and audited writes.

SQLite file under var/ by default (WAL, foreign keys on); DATABASE_URL overrides (e.g. PostgreSQL).
Every write goes through a function here and leaves a row in audit_log."""
from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import (JSON, Boolean, Date, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint,
                        create_engine, event, func, select)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

import catalogue as cat

ROOT = Path(__file__).resolve().parent
DEFAULT_DB_PATH = ROOT / "var" / "tracker.sqlite"
BUILTIN_OBSERVATIONS = cat.DATA_DIR / "observations" / "builtin.csv"
BUILTIN_PROGRESS = cat.DATA_DIR / "observations" / "task_progress_sample.csv"
SYSTEM_USER = "系统"


class Base(DeclarativeBase):
    pass


class Policy(Base):
    __tablename__ = "policy"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    doc_number: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(200))
    short_title: Mapped[str] = mapped_column(String(120))
    issued: Mapped[str] = mapped_column(String(20))
    issuer: Mapped[str] = mapped_column(String(80), default="")
    region: Mapped[str] = mapped_column(String(40))
    benchmark_region: Mapped[str] = mapped_column(String(40))
    base_year: Mapped[int] = mapped_column(Integer)
    start_year: Mapped[int] = mapped_column(Integer)
    end_year: Mapped[int] = mapped_column(Integer)
    track_from: Mapped[int] = mapped_column(Integer)
    track_to: Mapped[int] = mapped_column(Integer)
    task_due: Mapped[str] = mapped_column(String(20))


class Area(Base):
    __tablename__ = "area"
    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    sort_order: Mapped[int] = mapped_column(Integer)


class Indicator(Base):
    __tablename__ = "indicator"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    unit: Mapped[str] = mapped_column(String(20))
    area: Mapped[str] = mapped_column(ForeignKey("area.name"))
    measure: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(10))
    frequency: Mapped[str] = mapped_column(String(10))
    decimals: Mapped[int] = mapped_column(Integer, default=0)
    min_value: Mapped[float | None] = mapped_column(Float, nullable=True)
    max_value: Mapped[float | None] = mapped_column(Float, nullable=True)
    stages: Mapped[list] = mapped_column(JSON, default=list)
    aliases: Mapped[list] = mapped_column(JSON, default=list)


class Target(Base):
    __tablename__ = "target"
    __table_args__ = (UniqueConstraint("policy_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policy.id"))
    code: Mapped[str] = mapped_column(String(20))
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id"))
    kind: Mapped[str] = mapped_column(String(12))
    comparator: Mapped[str] = mapped_column(String(8))
    value: Mapped[float | None] = mapped_column(Float, nullable=True)
    value_low: Mapped[float | None] = mapped_column(Float, nullable=True)
    value_high: Mapped[float | None] = mapped_column(Float, nullable=True)
    start_year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    due_year: Mapped[int] = mapped_column(Integer)
    tier: Mapped[str | None] = mapped_column(String(10), nullable=True)
    benchmark: Mapped[str | None] = mapped_column(String(40), nullable=True)
    clause: Mapped[str] = mapped_column(String(20))
    quote: Mapped[str] = mapped_column(Text)
    also_clause: Mapped[str | None] = mapped_column(String(20), nullable=True)
    also_quote: Mapped[str | None] = mapped_column(Text, nullable=True)
    task_clause: Mapped[str | None] = mapped_column(String(20), nullable=True)
    task_basis: Mapped[str] = mapped_column(String(10), default="document")
    headline: Mapped[bool] = mapped_column(Boolean, default=False)
    interpreted: Mapped[bool] = mapped_column(Boolean, default=False)  # the number interprets a vague word
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    indicator: Mapped[Indicator] = relationship()


class Region(Base):
    __tablename__ = "region"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    level: Mapped[str] = mapped_column(String(10), default="county")
    parent: Mapped[str | None] = mapped_column(String(40), nullable=True)


class Observation(Base):
    __tablename__ = "observation"
    __table_args__ = (UniqueConstraint("region_id", "indicator_id", "year", "quarter"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"))
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id"))
    year: Mapped[int] = mapped_column(Integer)
    quarter: Mapped[int] = mapped_column(Integer, default=0)  # 0 = the whole year; 1–4 = quarter (cumulative to date)
    value: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(Text)
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    entered_by: Mapped[str] = mapped_column(String(60), default=SYSTEM_USER)
    entered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=1)
    region: Mapped[Region] = relationship()
    indicator: Mapped[Indicator] = relationship()


class Department(Base):
    __tablename__ = "department"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    aliases: Mapped[list] = mapped_column(JSON, default=list)
    collective: Mapped[bool] = mapped_column(Boolean, default=False)


class Task(Base):
    __tablename__ = "task"
    __table_args__ = (UniqueConstraint("policy_id", "clause"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policy.id"))
    clause: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    due_date: Mapped[date] = mapped_column(Date)
    units: Mapped[list["TaskUnit"]] = relationship(cascade="all, delete-orphan", order_by="TaskUnit.position")


class TaskUnit(Base):
    __tablename__ = "task_unit"
    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id"))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    role: Mapped[str] = mapped_column(String(12))  # lead | responsible
    display_name: Mapped[str] = mapped_column(String(60))  # the document's own spelling
    position: Mapped[int] = mapped_column(Integer)
    department: Mapped[Department] = relationship()


class TaskProgress(Base):
    __tablename__ = "task_progress"
    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id"))
    status: Mapped[str] = mapped_column(String(12))  # not_started | in_progress | done
    progress: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[str] = mapped_column(Text, default="")
    reported_on: Mapped[date] = mapped_column(Date)
    reported_by: Mapped[str] = mapped_column(String(60))
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    entered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AuditLog(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    who: Mapped[str] = mapped_column(String(60))
    action: Mapped[str] = mapped_column(String(20))  # create | update | delete | revert
    entity: Mapped[str] = mapped_column(String(30))
    entity_key: Mapped[str] = mapped_column(String(200))
    old: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    new: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    source: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    reverts_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class Snapshot(Base):
    """The statuses frozen for one leading-group meeting, to show what changed by the next one."""
    __tablename__ = "snapshot"
    __table_args__ = (UniqueConstraint("policy", "region", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    meeting_date: Mapped[date] = mapped_column(Date)
    policy: Mapped[str] = mapped_column(String(40))
    region: Mapped[str] = mapped_column(String(40))
    as_of_year: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    rows: Mapped[list["SnapshotRow"]] = relationship(cascade="all, delete-orphan", order_by="SnapshotRow.id")


class SnapshotRow(Base):
    __tablename__ = "snapshot_row"
    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("snapshot.id"))
    code: Mapped[str] = mapped_column(String(20))
    indicator_name: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(12))
    status_order: Mapped[int] = mapped_column(Integer)
    actual: Mapped[float | None] = mapped_column(Float, nullable=True)
    actual_year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    target_value: Mapped[float | None] = mapped_column(Float, nullable=True)
    attainment: Mapped[float | None] = mapped_column(Float, nullable=True)
    ratio: Mapped[float | None] = mapped_column(Float, nullable=True)
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)


# ------------------------------------------------------------------ engine and sessions

def database_url() -> str:
    """DATABASE_URL when set, else the default SQLite file under var/."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    DEFAULT_DB_PATH.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DEFAULT_DB_PATH}"


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


def make_engine(url: str | None = None) -> Engine:
    """An engine for the URL (default: database_url()); SQLite gets WAL and foreign keys."""
    url = url or database_url()
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction: commit on success, roll back on any error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def now() -> datetime:
    return datetime.now(timezone.utc)


def _audit(session: Session, *, who: str, action: str, entity: str, key: str, old: dict | None, new: dict | None,
           source: str = "", reason: str = "", reverts_id: int | None = None) -> AuditLog:
    row = AuditLog(at=now(), who=who, action=action, entity=entity, entity_key=key, old=old, new=new,
                   source=source, reason=reason, reverts_id=reverts_id)
    session.add(row)
    return row


# ------------------------------------------------------------------ catalogue loading

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
    _audit(session, who=who, action="update", entity=entity, key=key,
           old={k: old[k] for k in changed}, new=changed, reason=reason)


def load_catalogue(engine: Engine, policy: cat.Policy, who: str = SYSTEM_USER) -> None:
    """Upsert one policy's indicators, targets and tasks. Idempotent; every change is audited."""
    from labels import AREAS
    reason = f"载入政策目录 {policy.path.name if policy.path else policy.code}"
    with session_scope(engine) as s:
        for i, name in enumerate(AREAS):
            if s.get(Area, name) is None:
                s.add(Area(name=name, sort_order=i))
        _load_departments(s, who)
        _load_regions(s, [policy.region, policy.benchmark_region], who)
        pol = s.scalar(select(Policy).where(Policy.code == policy.code))
        pvals = {k: getattr(policy, k) for k in ("doc_number", "title", "short_title", "issued", "issuer", "region",
                                                "benchmark_region", "base_year", "start_year", "end_year",
                                                "track_from", "track_to", "task_due")}
        if pol is None:
            pol = Policy(code=policy.code, **pvals)
            s.add(pol)
            s.flush()
            _audit(s, who=who, action="create", entity="policy", key=policy.code, old=None, new=pvals, reason=reason)
        else:
            _sync(s, pol, pvals, who=who, entity="policy", key=policy.code, reason=reason)

        indicators: dict[str, Indicator] = {i.code: i for i in s.scalars(select(Indicator))}
        for spec in policy.indicators:
            vals = {k: spec[k] for k in _INDICATOR_FIELDS}
            vals["min_value"], vals["max_value"] = spec["min"], spec["max"]
            ind = indicators.get(spec["code"])
            if ind is None:
                ind = Indicator(code=spec["code"], **vals)
                s.add(ind)
                indicators[spec["code"]] = ind
                _audit(s, who=who, action="create", entity="indicator", key=spec["code"], old=None, new=vals,
                       reason=reason)
            else:
                _sync(s, ind, vals, who=who, entity="indicator", key=spec["code"], reason=reason)
        s.flush()

        targets = {t.code: t for t in s.scalars(select(Target).where(Target.policy_id == pol.id))}
        for spec in policy.targets:
            vals = {k: spec[k] for k in _TARGET_FIELDS}
            vals["task_clause"] = spec["task"]
            vals["indicator_id"] = indicators[spec["indicator"]].id
            key = f"{policy.code}/{spec['code']}"
            tgt = targets.get(spec["code"])
            if tgt is None:
                s.add(Target(policy_id=pol.id, code=spec["code"], **vals))
                _audit(s, who=who, action="create", entity="target", key=key, old=None,
                       new={**vals, "indicator": spec["indicator"]}, reason=reason)
            else:
                _sync(s, tgt, vals, who=who, entity="target", key=key, reason=reason)
        for code in set(targets) - {t["code"] for t in policy.targets}:
            _audit(s, who=who, action="delete", entity="target", key=f"{policy.code}/{code}",
                   old={k: getattr(targets[code], k) for k in _TARGET_FIELDS}, new=None, reason=reason)
            s.delete(targets[code])

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
                _audit(s, who=who, action="create", entity="task", key=key, old=None,
                       new={"title": spec["title"], "lead": spec["lead"], "units": spec["units"]}, reason=reason)
            else:
                _sync(s, task, {"title": spec["title"]}, who=who, entity="task", key=key, reason=reason)
                current = [(u.role, u.display_name) for u in task.units]
                if current == wanted:
                    continue
                _audit(s, who=who, action="update", entity="task", key=key, old={"units": current},
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
    import unicodedata
    return unicodedata.normalize("NFKC", name).strip().replace(" ", "")


def _load_departments(s: Session, who: str) -> None:
    existing = {d.name: d for d in s.scalars(select(Department))}
    for spec in cat.load_toml("departments.toml")["departments"]:
        vals = {"full_name": spec["full_name"], "aliases": spec.get("aliases", []),
                "collective": spec.get("collective", False)}
        d = existing.get(spec["name"])
        if d is None:
            s.add(Department(name=spec["name"], **vals))
            _audit(s, who=who, action="create", entity="department", key=spec["name"], old=None, new=vals,
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
        _audit(s, who=who, action="create", entity="region", key=name, old=None,
               new={"level": r.level, "parent": r.parent}, reason="载入地区表")
    s.flush()


def ensure_region(session: Session, name: str, who: str, level: str = "county") -> Region:
    """The region by name, created (and audited) when new — imports may bring more regions."""
    r = session.scalar(select(Region).where(Region.name == name))
    if r is None:
        r = Region(name=name, level=level)
        session.add(r)
        session.flush()
        _audit(session, who=who, action="create", entity="region", key=name, old=None, new={"level": level})
    return r


# ------------------------------------------------------------------ observations: writes

class ConcurrentEditError(RuntimeError):
    """Someone else saved the same value first; the message is for the user."""


def observation_key(region: str, indicator: str, year: int, quarter: int) -> str:
    return f"{region}/{indicator}/{period_label(year, quarter)}"


def period_label(year: int, quarter: int = 0) -> str:
    return f"{year}" if not quarter else f"{year}Q{quarter}"


def _obs_dict(o: Observation) -> dict[str, Any]:
    return {"value": o.value, "source": o.source, "is_sample": bool(o.is_sample), "note": o.note,
            "version": o.version}


def save_observations(engine: Engine, rows: list[dict[str, Any]], *, who: str, reason: str = "",
                      session: Session | None = None) -> dict[str, int]:
    """Insert or update observations in one transaction, audited, with compare-and-set.

    Each row: region, indicator, year, quarter (0 = year), value, source, is_sample, note, and optionally
    expected_version: the version the user saw (None = 'I saw no value'). A mismatch refuses the whole save."""
    counts = {"created": 0, "updated": 0, "unchanged": 0}

    def run(s: Session) -> None:
        inds = {i.code: i for i in s.scalars(select(Indicator))}
        regions = {r.name: r for r in s.scalars(select(Region))}
        # one query for the stored values of these indicators (not one per row: imports bring thousands)
        ind_ids = sorted({inds[row["indicator"]].id for row in rows})
        stored = {(o.region_id, o.indicator_id, o.year, o.quarter): o
                  for o in s.scalars(select(Observation).where(Observation.indicator_id.in_(ind_ids)))}
        for row in rows:
            region = regions.get(row["region"]) or ensure_region(s, row["region"], who)
            regions[region.name] = region
            ind = inds[row["indicator"]]
            q = int(row.get("quarter") or 0)
            obs = stored.get((region.id, ind.id, int(row["year"]), q))
            key = observation_key(region.name, ind.code, int(row["year"]), q)
            new = {"value": float(row["value"]), "source": str(row["source"]), "is_sample": bool(row.get("is_sample")),
                   "note": str(row.get("note") or "")}
            check_version = "expected_version" in row
            if obs is None:
                if check_version and row["expected_version"] is not None:
                    raise ConcurrentEditError(f"{key}：该数值已被他人删除，请刷新后重新填报。")
                obs = Observation(region=region, indicator=ind, year=int(row["year"]), quarter=q, entered_by=who,
                                  entered_at=now(), version=1, **new)
                s.add(obs)
                stored[(region.id, ind.id, int(row["year"]), q)] = obs
                _audit(s, who=who, action="create", entity="observation", key=key, old=None,
                       new={**new, "version": 1}, source=new["source"], reason=reason)
                counts["created"] += 1
                continue
            if check_version and row["expected_version"] != obs.version:
                raise ConcurrentEditError(
                    f"{key}：保存失败——您打开后该数值已被“{obs.entered_by}”修改为 {obs.value:g}"
                    f"（版本 {obs.version}），请刷新后核对再保存。")
            old = _obs_dict(obs)
            if all(old[k] == v for k, v in new.items()):
                counts["unchanged"] += 1
                continue
            for k, v in new.items():
                setattr(obs, k, v)
            obs.version += 1
            obs.entered_by, obs.entered_at = who, now()
            _audit(s, who=who, action="update", entity="observation", key=key, old=old,
                   new={**new, "version": obs.version}, source=new["source"], reason=reason)
            counts["updated"] += 1
        s.flush()

    if session is not None:
        run(session)
    else:
        with session_scope(engine) as s:
            run(s)
    return counts


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
        _audit(s, who=who, action="delete", entity="observation", key=key, old=_obs_dict(obs), new=None,
               source=obs.source, reason=reason)
        s.delete(obs)


def _find_observation(s: Session, region: str, indicator: str, year: int, quarter: int) -> Observation | None:
    return s.scalar(select(Observation).join(Region).join(Indicator).where(
        Region.name == region, Indicator.code == indicator, Observation.year == year, Observation.quarter == quarter))


def revert_change(engine: Engine, audit_id: int, *, who: str, reason: str = "") -> None:
    """Undo one observation change from the audit log; the revert is itself logged (and refused if the value
    has changed again since, so that no later edit is silently overwritten)."""
    with session_scope(engine) as s:
        entry = s.get(AuditLog, audit_id)
        if entry is None or entry.entity != "observation":
            raise ValueError(f"审计记录 {audit_id} 不存在或不是数据值的修改，无法撤销。")
        region, indicator, period = entry.entity_key.split("/")
        year, quarter = parse_period(period)
        obs = _find_observation(s, region, indicator, year, quarter)
        current = _obs_dict(obs) if obs else None
        expected_now = entry.new
        if (current is None) != (expected_now is None) or (
                current and expected_now and current["version"] != expected_now.get("version")):
            raise ConcurrentEditError(f"{entry.entity_key}：该数值在此次修改之后又被修改过，请先撤销较新的修改。")
        why = reason or f"撤销审计记录 #{audit_id}"
        if entry.old is None:  # undo a create
            s.delete(obs)
            _audit(s, who=who, action="revert", entity="observation", key=entry.entity_key, old=current, new=None,
                   reason=why, reverts_id=audit_id)
            return
        restored = {k: entry.old[k] for k in ("value", "source", "is_sample", "note")}
        if obs is None:  # undo a delete
            reg = ensure_region(s, region, who)
            ind = s.scalar(select(Indicator).where(Indicator.code == indicator))
            obs = Observation(region=reg, indicator=ind, year=year, quarter=quarter, entered_by=who,
                              entered_at=now(), version=1, **restored)
            s.add(obs)
        else:
            for k, v in restored.items():
                setattr(obs, k, v)
            obs.version += 1
            obs.entered_by, obs.entered_at = who, now()
        s.flush()
        _audit(s, who=who, action="revert", entity="observation", key=entry.entity_key, old=current,
               new={**restored, "version": obs.version}, source=restored["source"], reason=why, reverts_id=audit_id)


def parse_period(text: str) -> tuple[int, int]:
    """'2020' → (2020, 0); '2020Q3' → (2020, 3)."""
    text = text.strip().upper()
    if "Q" in text:
        y, q = text.split("Q")
        return int(y), int(q)
    return int(text), 0


# ------------------------------------------------------------------ task progress: writes

def add_progress(engine: Engine, policy_code: str, clause: str, *, status: str, progress: str, evidence: str,
                 reported_on: date, reported_by: str, who: str, is_sample: bool = False,
                 session: Session | None = None) -> None:
    """Record one progress update for a task (status: not_started | in_progress | done), audited."""
    from labels import TASK_STATUSES
    if status not in TASK_STATUSES or status == "overdue":
        raise ValueError(f"任务状态“{status}”无效")

    def run(s: Session) -> None:
        task = s.scalar(select(Task).join(Policy).where(Policy.code == policy_code, Task.clause == clause))
        if task is None:
            raise ValueError(f"任务 {clause} 不存在")
        row = TaskProgress(task_id=task.id, status=status, progress=progress, evidence=evidence,
                           reported_on=reported_on, reported_by=reported_by, is_sample=is_sample, entered_at=now())
        s.add(row)
        s.flush()
        _audit(s, who=who, action="create", entity="task_progress", key=f"{policy_code}/{clause}/{row.id}",
               old=None, new={"status": status, "progress": progress, "evidence": evidence,
                              "reported_on": reported_on.isoformat(), "reported_by": reported_by},
               reason="任务进展填报")

    if session is not None:
        run(session)
    else:
        with session_scope(engine) as s:
            run(s)


# ------------------------------------------------------------------ meeting snapshots

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

    The name must be new for this policy and region. Returns the snapshot id."""
    name = name.strip()
    if not name:
        raise ValueError("请填写会议名称（例如“2020年第四季度科技领导小组会议”）。")
    missing = [c for c in SNAPSHOT_COLUMNS if c not in status.columns]
    if missing:
        raise ValueError(f"状态表缺少列：{'、'.join(missing)}")
    rows = status.loc[status["region"] == region] if "region" in status.columns else status
    if rows.empty:
        raise ValueError(f"{region}没有可保存的目标状态。")
    with session_scope(engine) as s:
        if s.scalar(select(Snapshot).where(Snapshot.policy == policy, Snapshot.region == region,
                                           Snapshot.name == name)) is not None:
            raise ValueError(f"会议快照“{name}”已存在（{region}），请换一个名称。")
        snap = Snapshot(name=name, meeting_date=meeting_date, policy=policy, region=region,
                        as_of_year=int(as_of_year), created_by=who, created_at=now())
        snap.rows = [SnapshotRow(**{c: _cell(v) for c, v in zip(SNAPSHOT_COLUMNS, values)})
                     for values in rows[list(SNAPSHOT_COLUMNS)].itertuples(index=False)]
        for r in snap.rows:
            r.is_sample = bool(r.is_sample)
        s.add(snap)
        s.flush()
        counts = rows["status"].value_counts()
        _audit(s, who=who, action="create", entity="snapshot", key=f"{policy}/{region}/{name}", old=None,
               new={"meeting_date": meeting_date.isoformat(), "as_of_year": int(as_of_year), "targets": len(rows),
                    "statuses": {k: int(v) for k, v in counts.items()}},
               reason="保存会议快照")
        return snap.id


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
    return _frame(engine, stmt)


def read_snapshot(engine: Engine, snapshot_id: int) -> pd.DataFrame:
    """The frozen rows of one snapshot, shaped like the status frame for metrics.changes.status_changes:
    policy, region, and SNAPSHOT_COLUMNS."""
    stmt = (select(Snapshot.policy, Snapshot.region, *[getattr(SnapshotRow, c) for c in SNAPSHOT_COLUMNS])
            .join(Snapshot).where(SnapshotRow.snapshot_id == snapshot_id).order_by(SnapshotRow.id))
    df = _frame(engine, stmt)
    df["is_sample"] = df["is_sample"].astype(bool)
    for c in ("actual", "target_value", "attainment", "ratio"):
        df[c] = df[c].astype("float64")
    return df


# ------------------------------------------------------------------ initialisation

def create_schema(engine: Engine) -> None:
    """Create missing tables, then add columns that a newer version of the models has and the database lacks
    (an additive upgrade, so that an existing var/tracker.sqlite keeps its data when the code grows)."""
    Base.metadata.create_all(engine)
    _add_missing_columns(engine)


def _add_missing_columns(engine: Engine) -> None:
    from sqlalchemy import inspect
    from sqlalchemy.schema import CreateColumn
    insp = inspect(engine)
    with engine.begin() as conn:
        for table in Base.metadata.sorted_tables:
            present = {c["name"] for c in insp.get_columns(table.name)}
            for col in table.columns:
                if col.name in present:
                    continue
                ddl = CreateColumn(col).compile(dialect=engine.dialect)
                default = col.default.arg if col.default is not None and not callable(col.default.arg) else None
                if default is not None:
                    literal = {True: "1", False: "0"}.get(default, repr(default)) if engine.dialect.name == "sqlite" \
                        else {True: "TRUE", False: "FALSE"}.get(default, repr(default))
                    ddl = f"{ddl} DEFAULT {literal}"
                conn.exec_driver_sql(f'ALTER TABLE {table.name} ADD COLUMN {ddl}')


def init_db(engine: Engine, *, with_sample: bool = True) -> None:
    """Create the schema, load every policy catalogue, and the built-in observations (idempotent)."""
    create_schema(engine)
    for policy in cat.load_policies():
        load_catalogue(engine, policy)
    load_builtin_observations(engine, with_sample=with_sample)


def load_builtin_observations(engine: Engine, *, with_sample: bool = True) -> int:
    """Load data/observations/*.csv where no value exists yet; never overwrites what users entered."""
    with open(BUILTIN_OBSERVATIONS, encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if with_sample or r["is_sample"] == "0"]
    with session_scope(engine) as s:
        existing = set(s.execute(select(Region.name, Indicator.code, Observation.year, Observation.quarter)
                                 .join(Region).join(Indicator)).all())
        todo = []
        for r in rows:
            year, quarter = parse_period(r["period"])
            if (r["region"], r["indicator"], year, quarter) in existing:
                continue
            todo.append({"region": r["region"], "indicator": r["indicator"], "year": year, "quarter": quarter,
                         "value": float(r["value"]), "source": r["source"], "is_sample": r["is_sample"] == "1",
                         "note": r["note"]})
        if todo:
            save_observations(engine, todo, who=SYSTEM_USER, reason="载入内置数据", session=s)
        if with_sample and s.scalar(select(func.count()).select_from(TaskProgress)) == 0:
            _load_sample_progress(engine, s)
    return len(todo)


def _load_sample_progress(engine: Engine, s: Session) -> None:
    from labels import TASK_STATUS_BY_LABEL
    policy_code = s.scalar(select(Policy.code).order_by(Policy.start_year))
    with open(BUILTIN_PROGRESS, encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            add_progress(engine, policy_code, r["clause"], status=TASK_STATUS_BY_LABEL[r["status"]],
                         progress=r["progress"], evidence=r["evidence"],
                         reported_on=date.fromisoformat(r["reported_on"]), reported_by=r["reported_by"],
                         who=SYSTEM_USER, is_sample=True, session=s)


# ------------------------------------------------------------------ reads (DataFrames for metrics and pages)

def _frame(engine: Engine, stmt) -> pd.DataFrame:
    with engine.connect() as conn:
        result = conn.execute(stmt)
        keys = list(result.keys())
        rows = result.tuples().all()  # plain tuples: building a frame from Row objects costs ~10× more
        if not rows:
            return pd.DataFrame(columns=keys)
        return pd.DataFrame(dict(zip(keys, map(list, zip(*rows)))), columns=keys)


def read_policies(engine: Engine) -> pd.DataFrame:
    return _frame(engine, select(Policy.__table__).order_by(Policy.start_year))


def read_indicators(engine: Engine) -> pd.DataFrame:
    """One row per indicator: code, name, unit, area, measure, path, frequency, decimals, bounds, stages, aliases."""
    df = _frame(engine, select(Indicator.__table__, Area.sort_order.label("area_order"))
                .join(Area, Area.name == Indicator.area).order_by(Area.sort_order, Indicator.id))
    return df.drop(columns=["id"])


def read_targets(engine: Engine, policy_code: str | None = None) -> pd.DataFrame:
    """One row per target with its indicator's attributes and the lead/responsible units of its task."""
    t, i, p = Target.__table__, Indicator.__table__, Policy.__table__
    stmt = (select(p.c.code.label("policy"), t.c.code, t.c.kind, t.c.comparator, t.c.value, t.c.value_low,
                   t.c.value_high, t.c.start_year, t.c.due_year, t.c.tier, t.c.benchmark, t.c.clause, t.c.quote,
                   t.c.also_clause, t.c.also_quote, t.c.task_clause, t.c.task_basis, t.c.headline, t.c.interpreted,
                   t.c.note,
                   i.c.code.label("indicator"), i.c.name.label("indicator_name"), i.c.unit, i.c.area, i.c.measure,
                   i.c.path, i.c.frequency, i.c.decimals, i.c.stages, p.c.base_year, p.c.start_year.label(
                       "policy_start_year"), p.c.region.label("policy_region"))
            .join(i, i.c.id == t.c.indicator_id).join(p, p.c.id == t.c.policy_id).order_by(t.c.id))
    if policy_code:
        stmt = stmt.where(p.c.code == policy_code)
    df = _frame(engine, stmt)
    units = read_task_units(engine, policy_code)
    lead = (units[units.role == "lead"].groupby(["policy", "clause"])["department"].agg("、".join)
            .rename("lead_units"))
    resp = (units[units.role == "responsible"].groupby(["policy", "clause"])["department"].agg("、".join)
            .rename("responsible_units"))
    df = (df.merge(lead, left_on=["policy", "task_clause"], right_index=True, how="left")
            .merge(resp, left_on=["policy", "task_clause"], right_index=True, how="left"))
    return df.assign(lead_units=df["lead_units"].fillna(""), responsible_units=df["responsible_units"].fillna(""))


def read_tasks(engine: Engine, policy_code: str | None = None) -> pd.DataFrame:
    """One row per task: clause, title, due date, lead and responsible units (document spelling and canonical)."""
    stmt = select(Policy.code.label("policy"), Task.clause, Task.title, Task.due_date).join(Policy).order_by(Task.id)
    if policy_code:
        stmt = stmt.where(Policy.code == policy_code)
    df = _frame(engine, stmt)
    units = read_task_units(engine, policy_code)

    def joined(role: str, col: str, name: str) -> pd.Series:
        return units[units.role == role].groupby(["policy", "clause"])[col].agg("、".join).rename(name)

    for role, col, name in (("lead", "display_name", "lead"), ("responsible", "display_name", "responsible"),
                            ("lead", "department", "lead_units"), ("responsible", "department", "responsible_units")):
        df = df.merge(joined(role, col, name), left_on=["policy", "clause"], right_index=True, how="left")
    return df.fillna({"lead": "", "responsible": "", "lead_units": "", "responsible_units": ""})


def read_task_units(engine: Engine, policy_code: str | None = None) -> pd.DataFrame:
    """Long form: policy, clause, role (lead|responsible), department (canonical), display_name, collective."""
    stmt = (select(Policy.code.label("policy"), Task.clause, TaskUnit.role, Department.name.label("department"),
                   TaskUnit.display_name, Department.collective)
            .select_from(TaskUnit).join(Task).join(Policy).join(Department)
            .order_by(Task.id, TaskUnit.position))
    if policy_code:
        stmt = stmt.where(Policy.code == policy_code)
    return _frame(engine, stmt)


def read_progress(engine: Engine, policy_code: str | None = None) -> pd.DataFrame:
    """Every task progress update: policy, clause, status, progress, evidence, reported_on, reported_by, is_sample."""
    stmt = (select(Policy.code.label("policy"), Task.clause, TaskProgress.id, TaskProgress.status,
                   TaskProgress.progress, TaskProgress.evidence, TaskProgress.reported_on, TaskProgress.reported_by,
                   TaskProgress.is_sample, TaskProgress.entered_at)
            .select_from(TaskProgress).join(Task).join(Policy).order_by(TaskProgress.reported_on, TaskProgress.id))
    if policy_code:
        stmt = stmt.where(Policy.code == policy_code)
    return _frame(engine, stmt)


def read_observations(engine: Engine, regions: list[str] | None = None,
                      indicators: list[str] | None = None) -> pd.DataFrame:
    """Observations: region, indicator, year, quarter (0 = year), period, value, source, is_sample, note,
    entered_by, entered_at, version."""
    stmt = (select(Region.name.label("region"), Indicator.code.label("indicator"), Observation.year,
                   Observation.quarter, Observation.value, Observation.source, Observation.is_sample,
                   Observation.note, Observation.entered_by, Observation.entered_at, Observation.version)
            .select_from(Observation).join(Region).join(Indicator)
            .order_by(Region.name, Indicator.code, Observation.year, Observation.quarter))
    if regions:
        stmt = stmt.where(Region.name.in_(regions))
    if indicators:
        stmt = stmt.where(Indicator.code.in_(indicators))
    df = _frame(engine, stmt)
    df["is_sample"] = df["is_sample"].astype(bool)
    quarter = df["quarter"].astype("int64")
    df["period"] = df["year"].astype("int64").astype(str) + ("Q" + quarter.astype(str)).where(quarter > 0, "")
    return df


def read_regions(engine: Engine) -> pd.DataFrame:
    return _frame(engine, select(Region.name, Region.level, Region.parent).order_by(Region.id))


def read_departments(engine: Engine) -> pd.DataFrame:
    df = _frame(engine, select(Department.name, Department.full_name, Department.aliases, Department.collective)
                .order_by(Department.id))
    return df


def read_audit(engine: Engine, entity: str | None = None, who: str | None = None, key_contains: str | None = None,
               limit: int | None = None, since: date | None = None, until: date | None = None) -> pd.DataFrame:
    """The audit log, newest first, optionally filtered (since/until: dates, both inclusive, in UTC)."""
    stmt = select(AuditLog.__table__).order_by(AuditLog.id.desc())
    if since:
        stmt = stmt.where(AuditLog.at >= datetime.combine(since, datetime.min.time(), tzinfo=timezone.utc))
    if until:
        stmt = stmt.where(AuditLog.at < datetime.combine(until, datetime.min.time(), tzinfo=timezone.utc)
                          + timedelta(days=1))
    if entity:
        stmt = stmt.where(AuditLog.entity == entity)
    if who:
        stmt = stmt.where(AuditLog.who == who)
    if key_contains:
        stmt = stmt.where(AuditLog.entity_key.contains(key_contains))
    if limit:
        stmt = stmt.limit(limit)
    return _frame(engine, stmt)


def data_version(engine: Engine) -> int:
    """A number that changes whenever anything is written (the newest audit id): the cache key for pages."""
    with engine.connect() as conn:
        return int(conn.execute(select(func.coalesce(func.max(AuditLog.id), 0))).scalar_one())


def dump(engine: Engine) -> str:
    """A deterministic text dump of every table, to prove that refused input changed nothing."""
    parts = []
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            rows = conn.execute(select(table).order_by(*table.primary_key.columns)).fetchall()
            parts.append(f"-- {table.name}\n" + "\n".join(json.dumps(list(r), default=str, ensure_ascii=False)
                                                          for r in rows))
    return "\n".join(parts)
