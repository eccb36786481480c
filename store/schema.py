"""Creating and upgrading the schema (Alembic, store/migrations.py), and filling a database with the catalogues and
the built-in data."""
from __future__ import annotations

import csv
from datetime import date

from sqlalchemy import func, inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from store import catalogue as cat
from store import migrations
from store import milestone_tables as _supervision_tables  # noqa: F401  (registers the 督办 tables)
from store.engine import now, session_scope
from store.milestones import load_milestones
from store.models import (
    SYSTEM_USER,
    AuditLog,
    DataVersion,
    Indicator,
    Observation,
    ObservationTombstone,
    Policy,
    Region,
    TaskProgress,
)
from store.sync import load_catalogue
from store.writes import (
    add_progress,
    observation_key,
    period_from_label,
    save_observations,
)
from vocab.labels import DATA_STATUS_BY_LABEL, TASK_STATUS_BY_LABEL

BUILTIN_OBSERVATIONS = cat.DATA_DIR / "observations" / "builtin.csv"
BUILTIN_PROGRESS = cat.DATA_DIR / "observations" / "task_progress_sample.csv"


def create_schema(engine: Engine) -> None:
    """Bring the database to the latest Alembic revision: a new one is created, one made before migrations is
    adopted (stamped at the first revision when its tables match), an older one is upgraded. Then the rows the
    newer tables start with: the data-version counter (continuing from the newest audit id) and, for a database
    older than the tombstones, each deleted key's highest version from the audit log."""
    if migrations.is_current(engine):
        return
    had_tombstones = inspect(engine).has_table(ObservationTombstone.__tablename__)
    migrations.upgrade(engine)
    with session_scope(engine) as s:
        if s.get(DataVersion, 1) is None:
            s.add(DataVersion(id=1, version=int(s.scalar(select(func.coalesce(func.max(AuditLog.id), 0))))))
        if not had_tombstones:
            _backfill_tombstones(s)


def _backfill_tombstones(s: Session) -> None:
    """For a database older than the tombstones: the highest version each deleted key ever had, from the log."""
    live = {observation_key(*k) for k in s.execute(
        select(Region.name, Indicator.code, Observation.year, Observation.quarter).join(Region).join(Indicator))}
    highest: dict[str, int] = {}
    for key, old, new in s.execute(select(AuditLog.entity_key, AuditLog.old, AuditLog.new)
                                   .where(AuditLog.entity == "observation")):
        for d in (old, new):
            if isinstance(d, dict) and d.get("version") is not None and key not in live:
                highest[key] = max(highest.get(key, 0), int(d["version"]))
    s.add_all(ObservationTombstone(key=k, version=v, deleted_at=now()) for k, v in highest.items())


def init_db(engine: Engine, *, with_sample: bool = True) -> None:
    """Bring the schema to the latest revision, load every policy catalogue, the built-in observations and the
    milestone plans (idempotent)."""
    create_schema(engine)
    policies = cat.load_policies()
    for policy in policies:
        load_catalogue(engine, policy)
    load_builtin_observations(engine, with_sample=with_sample)
    for policy in policies:
        load_milestones(engine, policy, with_sample=with_sample)


def open_db(engine: Engine) -> None:
    """What the app does at start: create or upgrade the schema and load the catalogues; the built-in data (with
    its sample values and sample milestone plans) only into a database that never held a value or a progress
    report, so that a database made with `cli.py init --no-sample`, or a value a user deleted, stays as it is."""
    create_schema(engine)
    policies = cat.load_policies()
    for policy in policies:
        load_catalogue(engine, policy)
    if never_had_data(engine):
        load_builtin_observations(engine, with_sample=True)
        for policy in policies:
            load_milestones(engine, policy, with_sample=True)


def never_had_data(engine: Engine) -> bool:
    """No observation or progress report now, and none in the audit log ever."""
    with engine.connect() as conn:
        return not any(conn.execute(select(table.id).limit(1)).first() for table in (
            Observation, TaskProgress)) and conn.execute(
            select(AuditLog.id).where(AuditLog.entity.in_(("observation", "task_progress"))).limit(1)).first() is None


def load_builtin_observations(engine: Engine, *, with_sample: bool = True) -> int:
    """Load data/observations/builtin.csv where no value exists yet; never overwrites what users entered. A
    published figure (is_sample 0) also goes to a key whose current value is 示例数据: it becomes the current
    vintage and the sample value is kept as an earlier one. Rows carry their vintage (数据状态 as the word, 发布日期;
    blank = 未注明); one key may have several (a first release and its revision). The file may start with a BOM
    (Excel's "CSV UTF-8")."""
    with open(BUILTIN_OBSERVATIONS, encoding="utf-8-sig") as fh:
        rows = [r for r in csv.DictReader(fh) if with_sample or r["is_sample"] == "0"]
    with session_scope(engine) as s:
        existing = {(region, indicator, year, quarter): bool(sample)  # key → its current value is 示例数据
                    for region, indicator, year, quarter, sample in s.execute(
                        select(Region.name, Indicator.code, Observation.year, Observation.quarter,
                               Observation.is_sample).join(Region).join(Indicator))}
        todo = []
        for r in rows:
            year, quarter = period_from_label(r["period"])
            key, real = (r["region"], r["indicator"], year, quarter), r["is_sample"] == "0"
            if key in existing and not (real and existing[key]):
                continue
            todo.append({"region": r["region"], "indicator": r["indicator"], "year": year, "quarter": quarter,
                         "value": float(r["value"]), "source": r["source"], "is_sample": not real,
                         "note": r["note"], **_builtin_vintage(r)})
        if todo:
            save_observations(engine, todo, who=SYSTEM_USER, reason="载入内置数据", session=s)
        if with_sample and s.scalar(select(func.count()).select_from(TaskProgress)) == 0:
            _load_sample_progress(engine, s)
    return len(todo)


def _builtin_vintage(row: dict[str, str]) -> dict:
    """The vintage of a built-in row: none for a row without 数据状态 (未注明 when new)."""
    word = (row.get("data_status") or "").strip()
    if not word:
        return {}
    released = (row.get("released_on") or "").strip()
    return {"data_status": DATA_STATUS_BY_LABEL[word],
            "released_on": date.fromisoformat(released) if released else None}


def _load_sample_progress(engine: Engine, s: Session) -> None:
    policy_code = s.scalar(select(Policy.code).order_by(Policy.start_year))
    with open(BUILTIN_PROGRESS, encoding="utf-8-sig") as fh:
        for r in csv.DictReader(fh):
            add_progress(engine, policy_code, r["clause"], status=TASK_STATUS_BY_LABEL[r["status"]],
                         progress=r["progress"], evidence=r["evidence"],
                         reported_on=date.fromisoformat(r["reported_on"]), reported_by=r["reported_by"],
                         who=SYSTEM_USER, is_sample=True, session=s)


