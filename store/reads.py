"""Reads: DataFrames for metrics and pages, the audit log, the data version and a deterministic dump."""
from __future__ import annotations

import gc
import json
from datetime import date, datetime, timedelta, timezone

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from store.models import (
    Area,
    AuditLog,
    Base,
    DataVersion,
    Department,
    Indicator,
    Observation,
    ObservationVintage,
    Policy,
    Region,
    Target,
    Task,
    TaskProgress,
    TaskUnit,
)
from store.vintages import as_known_on, known_from


def frame_of(engine: Engine, stmt) -> pd.DataFrame:
    with engine.connect() as conn:
        result = conn.execute(stmt)
        keys = list(result.keys())
        rows = result.tuples().all()  # plain tuples: building a frame from Row objects costs ~10× more
        if not rows:
            return pd.DataFrame(columns=keys)
        return pd.DataFrame(dict(zip(keys, map(list, zip(*rows)))), columns=keys)


def raw_frame_of(engine: Engine, stmt) -> pd.DataFrame:
    """frame_of for the hot reads: the DB-API cursor's rows as they come (no SQLAlchemy type processing, which
    parsed every timestamp one row at a time), with the garbage collector paused while thousands of row tuples
    are built. The caller converts the typed columns in one vectorised step."""
    with engine.connect() as conn:
        result = conn.execute(stmt)
        keys = list(result.keys())
        enabled = gc.isenabled()
        gc.disable()
        try:
            rows = result.cursor.fetchall()
            if not rows:
                return pd.DataFrame(columns=keys)
            return pd.DataFrame({k: list(c) for k, c in zip(keys, zip(*rows))}, columns=keys)
        finally:
            if enabled:
                gc.enable()


def read_policies(engine: Engine) -> pd.DataFrame:
    return frame_of(engine, select(Policy.__table__).order_by(Policy.start_year))


def read_indicators(engine: Engine) -> pd.DataFrame:
    """One row per indicator: code, name, unit, area, measure, path, frequency, decimals, bounds, stages, aliases."""
    df = frame_of(engine, select(Indicator.__table__, Area.sort_order.label("area_order"))
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
    df = frame_of(engine, stmt)
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
    df = frame_of(engine, stmt)
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
    return frame_of(engine, stmt)


def read_progress(engine: Engine, policy_code: str | None = None) -> pd.DataFrame:
    """Every task progress update: policy, clause, status, progress, evidence, reported_on, reported_by, is_sample."""
    stmt = (select(Policy.code.label("policy"), Task.clause, TaskProgress.id, TaskProgress.status,
                   TaskProgress.progress, TaskProgress.evidence, TaskProgress.reported_on, TaskProgress.reported_by,
                   TaskProgress.is_sample, TaskProgress.entered_at)
            .select_from(TaskProgress).join(Task).join(Policy).order_by(TaskProgress.reported_on, TaskProgress.id))
    if policy_code:
        stmt = stmt.where(Policy.code == policy_code)
    return frame_of(engine, stmt)


def read_observations(engine: Engine, regions: list[str] | None = None, indicators: list[str] | None = None,
                      known_on: date | None = None) -> pd.DataFrame:
    """Observations: region, indicator, year, quarter (0 = year), period, value, source, is_sample, note,
    entered_by, entered_at, version, data_status, released_on (datetime64, NaT when not given).

    The current value of every key; with known_on, the vintage of each key known on that day instead
    (store.vintages.as_known_on: released by then, else recorded by then; keys with nothing known then are left out;
    an earlier vintage's entered_by/entered_at are when it was recorded, its version the one it had while current,
    0 if it never was)."""
    stmt = (select(Region.name.label("region"), Indicator.code.label("indicator"), Observation.year,
                   Observation.quarter, Observation.value, Observation.source, Observation.is_sample,
                   Observation.note, Observation.entered_by, Observation.entered_at, Observation.version,
                   Observation.data_status, Observation.released_on)
            .select_from(Observation).join(Region).join(Indicator)
            .order_by(Region.name, Indicator.code, Observation.year, Observation.quarter))
    df = _typed_observations(raw_frame_of(engine, _filtered(stmt, regions, indicators)))
    if known_on is None:
        return df
    earlier = _typed_observations(raw_frame_of(engine, _filtered(_history_select(), regions, indicators)))
    both = pd.concat([_naive_utc(df).rename(columns={"entered_at": "recorded_at"}),
                      _naive_utc(earlier).rename(columns={"entered_at": "recorded_at"})], ignore_index=True)
    known = as_known_on(both, known_on).rename(columns={"recorded_at": "entered_at"})
    return known.astype({"version": "int64", "year": df["year"].dtype, "quarter": df["quarter"].dtype})


def _filtered(stmt, regions: list[str] | None, indicators: list[str] | None):
    if regions:
        stmt = stmt.where(Region.name.in_(regions))
    if indicators:
        stmt = stmt.where(Indicator.code.in_(indicators))
    return stmt


def _history_select():
    v = ObservationVintage
    return (select(Region.name.label("region"), Indicator.code.label("indicator"), v.year, v.quarter, v.value,
                   v.source, v.is_sample, v.note, v.recorded_by.label("entered_by"), v.recorded_at.label("entered_at"),
                   func.coalesce(v.version, 0).label("version"), v.data_status, v.released_on)
            .select_from(v).join(Region, Region.id == v.region_id).join(Indicator, Indicator.id == v.indicator_id))


def _naive_utc(df: pd.DataFrame) -> pd.DataFrame:
    """entered_at as naive UTC (PostgreSQL's rows carry their zone, SQLite's do not), so that frames concatenate."""
    return df.assign(entered_at=pd.to_datetime(df["entered_at"], utc=True).dt.tz_localize(None).astype(
        "datetime64[us]"))


def _typed_observations(df: pd.DataFrame) -> pd.DataFrame:
    """The DB-API rows' typed columns converted in one vectorised step each, and the period label."""
    df["is_sample"] = df["is_sample"].astype(bool)
    if not pd.api.types.is_datetime64_any_dtype(df["entered_at"]):  # SQLite gives the stored text
        df["entered_at"] = pd.to_datetime(df["entered_at"], format="ISO8601").astype("datetime64[us]")
    df["released_on"] = pd.to_datetime(df["released_on"], format="ISO8601").astype("datetime64[us]")
    quarter = df["quarter"].astype("int64")
    df["period"] = df["year"].astype("int64").astype(str) + ("Q" + quarter.astype(str)).where(quarter > 0, "")
    return df


def read_vintages(engine: Engine, region: str | list[str] | None = None,
                  indicator: str | list[str] | None = None) -> pd.DataFrame:
    """Every vintage of the keys of a region and indicator (both optional, one or a list), the current value and the
    earlier ones:
    region, indicator, year, quarter, period, value, source, note, is_sample, data_status, released_on, recorded_at,
    recorded_by, is_current, known_from (the day it counts as known; NaT for 示例数据: any day), version (the current
    value's; an earlier one's while it was current, 0 if never); per key oldest first, the current value last
    (store.vintages.order_key)."""
    regions = [region] if isinstance(region, str) else region
    indicators = [indicator] if isinstance(indicator, str) else indicator
    current = read_observations(engine, regions, indicators).assign(is_current=True)
    earlier = _typed_observations(raw_frame_of(engine, _filtered(_history_select(), regions, indicators)))
    both = pd.concat([_naive_utc(current), _naive_utc(earlier).assign(is_current=False)], ignore_index=True).rename(
        columns={"entered_at": "recorded_at", "entered_by": "recorded_by"})
    both = both.assign(known_from=known_from(both), _stated=both["data_status"] != "unstated",
                       _day=both["released_on"].fillna(both["recorded_at"].dt.normalize()))
    keys = ["region", "indicator", "year", "quarter"]
    both = both.sort_values([*keys, "is_current", "_stated", "_day", "recorded_at"], kind="stable")
    return both[[*keys, "period", "value", "source", "note", "is_sample", "data_status", "released_on",
                 "recorded_at", "recorded_by", "is_current", "known_from", "version"]].reset_index(drop=True)


def read_regions(engine: Engine) -> pd.DataFrame:
    return frame_of(engine, select(Region.name, Region.level, Region.parent).order_by(Region.id))


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
        stmt = stmt.where(AuditLog.entity_key.contains(key_contains, autoescape=True))  # _ and % literal
    if limit:
        stmt = stmt.limit(limit)
    return frame_of(engine, stmt)


def data_version(engine: Engine) -> int:
    """A number that grows with every write transaction (a counter bumped inside it, so its order is the commit
    order, unlike the newest audit id on PostgreSQL): the cache key for pages."""
    with engine.connect() as conn:
        return int(conn.execute(select(func.coalesce(func.max(DataVersion.version), 0))).scalar_one())


def read_batches(engine: Engine, min_changes: int = 2, limit: int | None = 50) -> pd.DataFrame:
    """Write transactions with at least min_changes value or progress changes (an import, a grid save), newest
    first: batch_id, first_id, at, who, reason, changes, reverted (any of its changes already undone)."""
    entries = (select(AuditLog.batch_id, func.min(AuditLog.id).label("first_id"), func.min(AuditLog.at).label("at"),
                      func.min(AuditLog.who).label("who"), func.min(AuditLog.reason).label("reason"),
                      func.count().label("changes"))
               .where(AuditLog.batch_id.is_not(None), AuditLog.entity.in_(("observation", "task_progress")))
               .group_by(AuditLog.batch_id).having(func.count() >= min_changes)
               .order_by(func.min(AuditLog.id).desc()))
    if limit:
        entries = entries.limit(limit)
    df = frame_of(engine, entries)
    reverter = AuditLog.__table__.alias("reverter")
    undone = (select(AuditLog.batch_id).join(reverter, reverter.c.reverts_id == AuditLog.id)
              .where(AuditLog.batch_id.in_(df["batch_id"].tolist())).distinct())
    with engine.connect() as conn:
        reverted = set(conn.execute(undone).scalars())
    return df.assign(reverted=df["batch_id"].isin(reverted).astype(bool))


def dump(engine: Engine) -> str:
    """A deterministic text dump of every table, to prove that refused input changed nothing (columns a table
    lists in info["dump_omit"] are left out: password hashes, login bookkeeping; a table with info["dump_skip"]
    — the login throttle — entirely)."""
    parts = []
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if table.info.get("dump_skip"):
                continue
            omit = set(table.info.get("dump_omit", ()))
            columns = [c for c in table.columns if c.name not in omit]
            rows = conn.execute(select(*columns).order_by(*table.primary_key.columns)).fetchall()
            parts.append(f"-- {table.name}\n" + "\n".join(json.dumps(list(r), default=str, ensure_ascii=False)
                                                          for r in rows))
    return "\n".join(parts)


def read_year_pairs(engine: Engine, indicators: list[str], years: list[int], level: str) -> pd.DataFrame:
    """Whole-year values paired with the year before, per region of one level, joined in SQL: region, indicator,
    year, value, previous. metrics.compare.year_on_year turns them into growth rates.

    For ranking a region among its peers without reading every region's observations into pandas."""
    if not indicators or not years:
        return pd.DataFrame({"region": [], "indicator": [], "year": [], "value": [], "previous": []})
    cur, prev = Observation.__table__.alias("cur"), Observation.__table__.alias("prev")
    stmt = (select(Region.name.label("region"), Indicator.code.label("indicator"), cur.c.year,
                   cur.c.value, prev.c.value.label("previous"))
            .select_from(cur)
            .join(prev, (prev.c.region_id == cur.c.region_id) & (prev.c.indicator_id == cur.c.indicator_id)
                  & (prev.c.year == cur.c.year - 1) & (prev.c.quarter == 0))
            .join(Region, Region.id == cur.c.region_id).join(Indicator, Indicator.id == cur.c.indicator_id)
            .where(cur.c.quarter == 0, Region.level == level, Indicator.code.in_(indicators),
                   cur.c.year.in_([int(y) for y in years])))
    df = frame_of(engine, stmt)
    return df.assign(value=df["value"].astype("float64"), previous=df["previous"].astype("float64"))
