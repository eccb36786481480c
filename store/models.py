"""The tables: policies, indicators, targets, regions, observations, tasks and their units, progress, the audit log
and meeting snapshots (SQLAlchemy 2 declarative models)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

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
    # where the catalogue comes from: "file" (data/policies/*.toml, loaded at every start) or "import" (a 任务分解表
    # confirmed in the app: it lives in the store only, and the start-up load leaves it alone)
    origin: Mapped[str] = mapped_column(String(10), default="file", server_default="file")


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
    # the unique key doubles as the index of a region's reads; the second index serves the peer comparison
    # (one indicator and year across every region of a level)
    __table_args__ = (UniqueConstraint("region_id", "indicator_id", "year", "quarter"),
                      Index("ix_observation_indicator_year", "indicator_id", "year", "quarter"))
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
    # the vintage of the current value: 数据状态 (vocab.labels.DATA_STATUSES key) and 发布日期 (None: not given);
    # earlier vintages of the key are rows of observation_vintage
    data_status: Mapped[str] = mapped_column(String(12), default="unstated", server_default="unstated")
    released_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    region: Mapped[Region] = relationship()
    indicator: Mapped[Indicator] = relationship()
    # compare-and-set in the write itself: every ORM UPDATE/DELETE says "WHERE id=? AND version=?" and a
    # changed row (rowcount 0) raises StaleDataError; the store sets the new version itself
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}


class ObservationVintage(Base):
    """An earlier vintage of an observation (a first release the revision replaced, an estimate the published
    figure replaced): the current value stays in `observation`, so every read of current values is unchanged.
    One row per (key, 数据状态, 发布日期); `version` is the version it had while current (None: never current)."""
    __tablename__ = "observation_vintage"
    __table_args__ = (UniqueConstraint("region_id", "indicator_id", "year", "quarter", "data_status", "released_on",
                                       name="uq_observation_vintage"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"))
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id"))
    year: Mapped[int] = mapped_column(Integer)
    quarter: Mapped[int] = mapped_column(Integer, default=0)
    data_status: Mapped[str] = mapped_column(String(12))
    released_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    value: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text, default="")
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_by: Mapped[str] = mapped_column(String(60))
    version: Mapped[int | None] = mapped_column(Integer, nullable=True)


class ObservationTombstone(Base):
    """The last version of a deleted observation, by key, so that a re-created value continues above it: a key's
    version never repeats, and a grid opened at an old version can never match a re-entered value."""
    __tablename__ = "observation_tombstone"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)  # region/indicator/period
    version: Mapped[int] = mapped_column(Integer)
    deleted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


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
    batch_id: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)  # one write transaction


class DataVersion(Base):
    """One row: a counter that every write transaction bumps (inside the transaction), the cache key of pages."""
    __tablename__ = "data_version"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)


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
    status: Mapped[str] = mapped_column(String(20))  # a key of vocab.labels.STATUSES ("no_final_data": 13)
    status_order: Mapped[int] = mapped_column(Integer)
    actual: Mapped[float | None] = mapped_column(Float, nullable=True)
    actual_year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    target_value: Mapped[float | None] = mapped_column(Float, nullable=True)
    attainment: Mapped[float | None] = mapped_column(Float, nullable=True)
    ratio: Mapped[float | None] = mapped_column(Float, nullable=True)
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)


