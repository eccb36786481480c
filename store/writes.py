"""Audited writes of observations (with their vintages) and task progress, with compare-and-set on observation
versions; reverts are in store/revert.py.

Versions: a key's version never repeats. A live value carries its version; deleting it keeps the last version in
`observation_tombstone`, and a re-created value (a new entry, or an undone delete) continues above it.

Vintages (store/vintages.py): a save names the vintage of each value (数据状态, 发布日期) or leaves it out (then it
corrects the current value, as before vintages existed). The same vintage as the current value corrects it; the
vintage of an earlier one corrects that one; a later vintage becomes current and the previous current value is kept
as an earlier vintage (audit action "vintage"); an earlier vintage is only added to the history (audit entity
"observation_vintage")."""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from store import limits
from store import vintages as vint
from store.audit import write_audit, write_audits
from store.engine import ConcurrentEditError, now, session_scope
from store.models import (
    Indicator,
    Observation,
    ObservationTombstone,
    ObservationVintage,
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


def obs_dict(o: Observation | dict[str, Any]) -> dict[str, Any]:
    """The current value of a key as the audit log keeps it (an ORM row or a planned row)."""
    get = o.get if isinstance(o, dict) else (lambda k: getattr(o, k))
    released = get("released_on")
    return {"value": get("value"), "source": get("source"), "is_sample": bool(get("is_sample")), "note": get("note"),
            "data_status": get("data_status") or vint.UNSTATED,
            "released_on": released.isoformat() if released else None, "version": get("version")}


def _tombstones(s: Session) -> dict[str, int]:
    """key → the last version of a deleted value (few rows: only deleted keys)."""
    return dict(s.execute(select(ObservationTombstone.key, ObservationTombstone.version)).tuples().all())


def next_version(s: Session, key: str, tombstones: dict[str, int] | None = None) -> int:
    """The version of a (re-)created value: above every version the key ever had."""
    if tombstones is None:
        return (s.scalar(select(ObservationTombstone.version).where(ObservationTombstone.key == key)) or 0) + 1
    return tombstones.get(key, 0) + 1


def delete_current(s: Session, obs: Observation, key: str) -> None:
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

    Each row: region, indicator, year, quarter (0 = year), value, source, is_sample, note, optionally data_status
    (a vocab.labels.DATA_STATUSES key) and released_on (a date or None) — the vintage; without data_status the row
    corrects the current value's vintage — and optionally expected_version: the version of the current value the
    user saw (None = 'I saw no value'). A mismatch refuses the whole save. The check is part of the write (UPDATE …
    WHERE id=? AND version=?), so a save that commits between this read and this write is caught too; two
    concurrent creates of one key give the same ConcurrentEditError. One save may hold several vintages of a key.

    Written in bulk (imports bring thousands of rows): one INSERT executemany for the new values, one UPDATE
    executemany for the changed ones (its summed rowcount is the compare-and-set check), one for the audit rows.
    Counts: created (new keys), updated (the current value or the vintages of a key changed), unchanged."""
    counts = {"created": 0, "updated": 0, "unchanged": 0}

    def guarded(s: Session) -> None:
        try:
            plan = _Plan(s, rows, who, reason, counts)
            _write_observations(s, plan.stored.values())
            plan.write_history()
            write_audits(s, plan.audits)
        except IntegrityError as exc:  # a concurrent create of the same key committed first (PostgreSQL)
            raise ConcurrentEditError("保存失败：您填报的数值刚刚已被他人录入，请刷新后核对再保存。") from exc

    if session is not None:
        guarded(session)
    else:
        with session_scope(engine) as s:
            guarded(s)
    return counts


class _Plan:
    """What save_observations writes: every stored value of the rows' indicators (one query, not one per row:
    imports bring thousands) with what each row changes (insert / update, compare-and-set checked), the history
    rows to add or correct, and the audit rows; counts filled in."""

    def __init__(self, s: Session, rows: list[dict[str, Any]], who: str, reason: str, counts: dict[str, int]):
        self.s, self.who, self.reason, self.counts, self.at = s, who, reason, counts, now()
        inds = dict(s.execute(select(Indicator.code, Indicator.id)).tuples().all())
        regions = dict(s.execute(select(Region.name, Region.id)).tuples().all())
        ind_ids = sorted({inds[row["indicator"]] for row in rows})
        self.stored: dict[vint.Key, dict[str, Any]] = {
            (o.region_id, o.indicator_id, o.year, o.quarter): {**o._asdict(), "seen": o.version, "write": None}
            for o in s.execute(select(*_STORED_COLUMNS).where(Observation.indicator_id.in_(ind_ids)))}
        self.history = vint.history_by_key(s, ind_ids) if ind_ids else {}
        self.new_history: list[tuple[vint.Key, dict[str, Any]]] = []
        self.corrected: list[tuple[dict[str, Any], dict[str, Any]]] = []
        self.tombstones = _tombstones(s)
        self.audits: list[dict[str, Any]] = []
        planned = []
        for i, row in enumerate(rows):
            if row["region"] not in regions:
                regions[row["region"]] = ensure_region(s, row["region"], who).id
            ids = (regions[row["region"]], inds[row["indicator"]], int(row["year"]), int(row.get("quarter") or 0))
            planned.append((ids, self._vintage(row, ids), i, row))
        # several vintages of one key: earlier ones first, so that each later one finds the earlier one current
        first = {ids: i for ids, _, i, _ in reversed(planned)}
        planned.sort(key=lambda p: (first[p[0]], vint.order_key(*p[1], self.at), p[2]))
        for ids, vintage, _, row in planned:
            self._plan_row(ids, vintage, row)

    def _vintage(self, row: dict[str, Any], ids: vint.Key) -> vint.Vintage:
        """The row's vintage, or (without data_status) the current value's: a correction, as before vintages."""
        if row.get("data_status") is None:
            obs = self.stored.get(ids)
            return (obs["data_status"], obs["released_on"]) if obs else (vint.UNSTATED, None)
        return vint.checked_vintage(row["data_status"], row.get("released_on"))

    def _plan_row(self, ids: vint.Key, vintage: vint.Vintage, row: dict[str, Any]) -> None:
        key = observation_key(row["region"], row["indicator"], ids[2], ids[3])
        new = {"value": float(row["value"]), "source": str(row["source"]), "is_sample": bool(row.get("is_sample")),
               "note": str(row.get("note") or "")}
        obs = self.stored.get(ids)
        _check_expected(obs, row, key)
        if obs is None:
            version = next_version(self.s, key, self.tombstones)
            obs = self.stored[ids] = {
                "id": None, "region_id": ids[0], "indicator_id": ids[1], "year": ids[2], "quarter": ids[3],
                "entered_by": self.who, "entered_at": self.at, "version": version, "seen": None, "write": "insert",
                "data_status": vintage[0], "released_on": vintage[1], **new}
            self._audit("create", key, None, obs_dict(obs), new["source"])
            self.counts["created"] += 1
        elif vintage == (obs["data_status"], obs["released_on"]):
            if audit := _update_stored(obs, new, key, self.who, self.reason, self.at):
                self.audits.append(audit)
                self.counts["updated"] += 1
            else:
                self.counts["unchanged"] += 1
        elif (earlier := self.history.get(ids, {}).get(vintage)) is not None:
            self._correct_earlier(earlier, new, key)
        elif vint.order_key(*vintage, self.at) > vint.order_key(obs["data_status"], obs["released_on"],
                                                                 obs["entered_at"]):
            self._push(ids, obs, vintage, new, key)
        else:
            self._add_earlier(ids, vintage, new, key)

    def _audit(self, action: str, key: str, old: dict | None, new: dict | None, source: str,
               entity: str = "observation") -> None:
        self.audits.append({"who": self.who, "action": action, "entity": entity, "key": key, "old": old, "new": new,
                            "source": source, "reason": self.reason})

    def _push(self, ids: vint.Key, obs: dict[str, Any], vintage: vint.Vintage, new: dict[str, Any],
              key: str) -> None:
        """A later vintage becomes current; the current value is kept as an earlier vintage."""
        kept = {**{k: obs[k] for k in vint.CONTENT}, "data_status": obs["data_status"],
                "released_on": obs["released_on"], "recorded_at": obs["entered_at"], "recorded_by": obs["entered_by"],
                "version": obs["version"]}
        old = obs_dict(obs)
        obs.update(new, data_status=vintage[0], released_on=vintage[1], version=obs["version"] + 1,
                   entered_by=self.who, entered_at=self.at, write=obs["write"] or "update")
        self.history.setdefault(ids, {})[(kept["data_status"], kept["released_on"])] = kept
        self.new_history.append((ids, kept))
        self._audit("vintage", key, old, {**obs_dict(obs), "vintages": [kept]}, new["source"])
        self.counts["updated"] += 1

    def _add_earlier(self, ids: vint.Key, vintage: vint.Vintage, new: dict[str, Any], key: str) -> None:
        """An earlier vintage than the current value: kept in the history only."""
        row = {**new, "data_status": vintage[0], "released_on": vintage[1], "recorded_at": self.at,
               "recorded_by": self.who, "version": None}
        self.history.setdefault(ids, {})[vintage] = row
        self.new_history.append((ids, row))
        self._audit("create", key, None, row, new["source"], entity="observation_vintage")
        self.counts["updated"] += 1

    def _correct_earlier(self, earlier: dict[str, Any], new: dict[str, Any], key: str) -> None:
        if all(earlier[k] == v for k, v in new.items()):
            self.counts["unchanged"] += 1
            return
        before = dict(earlier)
        earlier.update(new)
        if "id" in before:  # stored before this save (a row added by this save is simply written as corrected)
            self.corrected.append((earlier, before))
        self._audit("update", key, before, earlier, new["source"], entity="observation_vintage")
        self.counts["updated"] += 1

    def write_history(self) -> None:
        """Insert the new earlier vintages and write the corrected ones (compare-and-set on what was read); the
        audit rows, written after, name each row's id."""
        for ids, row in self.new_history:
            vint.insert_history(self.s, ids, row)
        for row, before in self.corrected:
            if vint.correct_history(self.s, row, before) != 1:
                raise ConcurrentEditError("保存失败——您打开后较早版次已被他人同时修改，请刷新后核对再保存。")
        for audit in self.audits:  # JSON-safe copies, now that every history row has its id
            for side in ("old", "new"):
                record = audit[side]
                if record is None:
                    continue
                if audit["entity"] == "observation_vintage":
                    audit[side] = vint.audit_record(record)
                elif "vintages" in record:
                    audit[side] = {**record, "vintages": [vint.audit_record(r) for r in record["vintages"]]}


def _check_expected(obs: dict[str, Any] | None, row: dict[str, Any], key: str) -> None:
    """Compare-and-set at planning time against the version read (the UPDATE checks it again)."""
    if "expected_version" not in row:
        return
    expected = row["expected_version"]
    if (obs is None or obs["seen"] is None) and expected is not None:
        raise ConcurrentEditError(f"{key}：该数值已被他人删除，请刷新后重新填报。")
    if obs is not None and obs["seen"] is not None and expected != obs["seen"]:
        raise ConcurrentEditError(
            f"{key}：保存失败——您打开后该数值已被“{obs['entered_by']}”修改为 {obs['value']:g}"
            f"（版本 {obs['seen']}），请刷新后核对再保存。")


def _update_stored(obs: dict[str, Any], new: dict[str, Any], key: str, who: str, reason: str,
                   at: Any) -> dict[str, Any] | None:
    """A correction of the current value (same vintage): None when nothing changes; else the value is marked for
    the UPDATE and its audit row returned."""
    old = obs_dict(obs)
    if all(obs[k] == v for k, v in new.items()):
        return None
    obs.update(new, version=obs["version"] + 1, entered_by=who, entered_at=at, write=obs["write"] or "update")
    return {"who": who, "action": "update", "entity": "observation", "key": key, "old": old,
            "new": obs_dict(obs), "source": new["source"], "reason": reason}


_STORED_COLUMNS = (Observation.id, Observation.region_id, Observation.indicator_id, Observation.year,
                   Observation.quarter, Observation.value, Observation.source, Observation.is_sample,
                   Observation.note, Observation.version, Observation.entered_by, Observation.entered_at,
                   Observation.data_status, Observation.released_on)
_WRITTEN = ("value", "source", "is_sample", "note", "data_status", "released_on", "version", "entered_by",
            "entered_at")


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
    """Delete one observation with its earlier vintages (audited with all of them: the log keeps them, and a revert
    restores them)."""
    with session_scope(engine) as s:
        obs = find_observation(s, region, indicator, year, quarter)
        key = observation_key(region, indicator, year, quarter)
        if obs is None:
            raise ConcurrentEditError(f"{key}：该数值不存在或已被删除。")
        if expected_version is not None and obs.version != expected_version:
            raise ConcurrentEditError(f"{key}：该数值已被他人修改，请刷新后再操作。")
        earlier = vint.history_of(s, (obs.region_id, obs.indicator_id, year, quarter))
        old = {**obs_dict(obs), **({"vintages": [vint.audit_record(r) for r in earlier]} if earlier else {})}
        write_audit(s, who=who, action="delete", entity="observation", key=key, old=old, new=None,
                    source=obs.source, reason=reason)
        if earlier:
            s.execute(delete(ObservationVintage).where(ObservationVintage.id.in_([r["id"] for r in earlier])))
        delete_current(s, obs, key)


def find_observation(s: Session, region: str, indicator: str, year: int, quarter: int) -> Observation | None:
    return s.scalar(select(Observation).join(Region).join(Indicator).where(
        Region.name == region, Indicator.code == indicator, Observation.year == year, Observation.quarter == quarter))


def period_from_label(text: str) -> tuple[int, int]:
    """The inverse of period_label, for keys the store wrote: '2020' → (2020, 0); '2020Q3' → (2020, 3)."""
    text = text.strip().upper()
    if "Q" in text:
        y, q = text.split("Q")
        return int(y), int(q)
    return int(text), 0


# ------------------------------------------------------------------ task progress: writes

def progress_dict(row: TaskProgress) -> dict[str, Any]:
    return {"status": row.status, "progress": row.progress, "evidence": row.evidence,
            "reported_on": row.reported_on.isoformat(), "reported_by": row.reported_by,
            "is_sample": bool(row.is_sample)}


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
                    old=None, new=progress_dict(row), reason="任务进展填报")
        return int(row.id)

    if session is not None:
        return run(session)
    with session_scope(engine) as s:
        return run(s)
