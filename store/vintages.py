"""A value's vintages (数据状态 and 发布日期, issue 21): which one is current, which one was known on a day, and the
history rows of the earlier ones.

A key (region, indicator, period) has its current value in `observation` and its earlier vintages in
`observation_vintage`; a vintage is identified by its 数据状态 and 发布日期. Vintages are ordered by `order_key`: a
stated 数据状态 (预计, 初步, 核实, 修订) after 未注明 (so a published figure replaces a value of unknown standing
whenever it was recorded), then the release date (else the day it was recorded), then the time it was recorded. The
current value is always the last in that order: saving a later vintage makes it current and keeps the previous one
here; saving an earlier one only adds it here. A vintage counts as known from its release date, else from the day it
was recorded; a 示例数据 value has no release history and counts as known on any day."""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

import pandas as pd
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from store.models import ObservationVintage
from vocab.labels import DATA_STATUSES

UNSTATED = "unstated"
CONTENT = ("value", "source", "note", "is_sample")
Key = tuple[int, int, int, int]  # region_id, indicator_id, year, quarter
Vintage = tuple[str, date | None]  # data_status, released_on


def utc(moment: datetime) -> datetime:
    """A stored time as an aware UTC time (SQLite hands back naive UTC)."""
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def order_key(data_status: str, released_on: date | None, recorded_at: datetime) -> tuple[bool, date, datetime]:
    """Where a vintage stands among its key's vintages: the last one is the current value."""
    recorded_at = utc(recorded_at)
    return data_status != UNSTATED, released_on or recorded_at.date(), recorded_at


def checked_vintage(data_status: Any, released_on: Any) -> Vintage:
    """(data_status, released_on) as stored; a key outside vocab.labels.DATA_STATUSES or a release date that is not a
    date is a ValueError (the validator says it in the user's words first; this guards every caller)."""
    if data_status not in DATA_STATUSES:
        raise ValueError(f"数据状态“{data_status}”无效：可选 {'、'.join(DATA_STATUSES.values())}")
    if released_on is not None and (not isinstance(released_on, date) or isinstance(released_on, datetime)):
        raise ValueError(f"发布日期“{released_on}”不是日期")
    return data_status, released_on


def audit_record(row: dict[str, Any]) -> dict[str, Any]:
    """A history row as the audit log keeps it (JSON: dates as ISO text), with its id."""
    return {"id": row.get("id"), **{k: row[k] for k in CONTENT}, "data_status": row["data_status"],
            "released_on": row["released_on"].isoformat() if row["released_on"] else None,
            "recorded_at": utc(row["recorded_at"]).isoformat(), "recorded_by": row["recorded_by"],
            "version": row.get("version")}


def from_audit(record: dict[str, Any]) -> dict[str, Any]:
    """audit_record back to a history row (without its id)."""
    return {**{k: record[k] for k in CONTENT}, "data_status": record["data_status"],
            "released_on": date.fromisoformat(record["released_on"]) if record.get("released_on") else None,
            "recorded_at": datetime.fromisoformat(record["recorded_at"]), "recorded_by": record["recorded_by"],
            "version": record.get("version")}


_HISTORY_COLUMNS = (ObservationVintage.id, ObservationVintage.region_id, ObservationVintage.indicator_id,
                    ObservationVintage.year, ObservationVintage.quarter, ObservationVintage.data_status,
                    ObservationVintage.released_on, ObservationVintage.value, ObservationVintage.source,
                    ObservationVintage.note, ObservationVintage.is_sample, ObservationVintage.recorded_at,
                    ObservationVintage.recorded_by, ObservationVintage.version)


def history_by_key(s: Session, indicator_ids: list[int]) -> dict[Key, dict[Vintage, dict[str, Any]]]:
    """The earlier vintages of the given indicators: key → vintage → row (few rows: only revised keys)."""
    out: dict[Key, dict[Vintage, dict[str, Any]]] = {}
    for r in s.execute(select(*_HISTORY_COLUMNS).where(ObservationVintage.indicator_id.in_(indicator_ids))):
        row = {**r._asdict(), "is_sample": bool(r.is_sample)}
        out.setdefault((r.region_id, r.indicator_id, r.year, r.quarter), {})[(r.data_status, r.released_on)] = row
    return out


def history_of(s: Session, ids: Key) -> list[dict[str, Any]]:
    """One key's earlier vintages, oldest first."""
    region_id, indicator_id, year, quarter = ids
    rows = [{**r._asdict(), "is_sample": bool(r.is_sample)} for r in s.execute(select(*_HISTORY_COLUMNS).where(
        ObservationVintage.region_id == region_id, ObservationVintage.indicator_id == indicator_id,
        ObservationVintage.year == year, ObservationVintage.quarter == quarter))]
    return sorted(rows, key=lambda r: order_key(r["data_status"], r["released_on"], r["recorded_at"]))


def insert_history(s: Session, ids: Key, row: dict[str, Any]) -> dict[str, Any]:
    """Add one earlier vintage of a key; returns the row with its new id."""
    region_id, indicator_id, year, quarter = ids
    values = {"region_id": region_id, "indicator_id": indicator_id, "year": year, "quarter": quarter,
              **{k: row[k] for k in (*CONTENT, "data_status", "released_on", "recorded_at", "recorded_by", "version")}}
    table = ObservationVintage.__table__
    row["id"] = s.execute(insert(table).returning(table.c.id), values).scalar_one()
    return row


def same_content(stored: dict[str, Any], record: dict[str, Any]) -> bool:
    return all(stored[k] == record[k] for k in CONTENT) and stored["data_status"] == record["data_status"] and (
        (stored["released_on"].isoformat() if stored["released_on"] else None) == record.get("released_on"))


def stored_history(s: Session, vintage_id: int) -> dict[str, Any] | None:
    r = s.execute(select(*_HISTORY_COLUMNS).where(ObservationVintage.id == vintage_id)).first()
    return None if r is None else {**r._asdict(), "is_sample": bool(r.is_sample)}


def remove_history(s: Session, record: dict[str, Any], refuse: Any) -> None:
    """Delete the history row an audit record names, when it is still as recorded (else `refuse(message)`)."""
    stored = stored_history(s, int(record["id"]))
    if stored is None or not same_content(stored, record):
        refuse("该数据项的较早版次在此之后又被修改过，请先撤销较新的修改。")
    s.execute(delete(ObservationVintage).where(ObservationVintage.id == int(record["id"])))


def correct_history(s: Session, row: dict[str, Any], before: dict[str, Any]) -> int:
    """Write a corrected history row, compare-and-set on its content as read (rowcount 0: changed meanwhile)."""
    table = ObservationVintage.__table__
    stmt = (update(table).where(table.c.id == row["id"], *(table.c[k] == before[k] for k in CONTENT))
            .values({k: row[k] for k in CONTENT}))
    return s.execute(stmt).rowcount


# ------------------------------------------------------------------ reads: the vintage known on a day

def known_from(frame: pd.DataFrame) -> pd.Series:
    """The day each vintage (rows with released_on, recorded_at, is_sample) counts as known; NaT = any day."""
    recorded = pd.to_datetime(frame["recorded_at"], utc=True).dt.tz_localize(None).dt.normalize()
    known = pd.to_datetime(frame["released_on"]).fillna(recorded)
    return known.where(~frame["is_sample"].astype(bool))


def as_known_on(vintages: pd.DataFrame, day: date) -> pd.DataFrame:
    """Per key (region, indicator, year, quarter), the latest vintage known on `day` (rows of current values and
    history alike: data_status, released_on, recorded_at, is_sample); keys with nothing known then are left out."""
    if vintages.empty:
        return vintages
    known = known_from(vintages)
    kept = vintages.loc[known.isna() | (known <= pd.Timestamp(day))]
    recorded = pd.to_datetime(kept["recorded_at"], utc=True)
    order = kept.assign(_stated=kept["data_status"] != UNSTATED,
                        _day=pd.to_datetime(kept["released_on"]).fillna(recorded.dt.tz_localize(None).dt.normalize()),
                        _at=recorded)
    keys = ["region", "indicator", "year", "quarter"]
    latest = order.sort_values([*keys, "_stated", "_day", "_at"], kind="stable").groupby(keys, sort=False).tail(1)
    return latest.drop(columns=["_stated", "_day", "_at"]).sort_values(keys, kind="stable").reset_index(drop=True)
