"""What a checked import or grid save would change (old → new, per value and per progress report), the preview the
user confirms, and the write of exactly that plan in one audited transaction through access.guard — or nothing.

Vintages: a row names its 数据状态 and 发布日期 or leaves them blank (then it corrects the value's current vintage). A
row of the current vintage is new / update / unchanged as before vintages existed; a later vintage becomes current
(`vintage`, 新版次: the current value is kept as an earlier vintage); an earlier one is kept beside it (`earlier`,
较早版次); a row of an existing earlier vintage corrects that one (update / unchanged). The order is the store's
(db.vintage_order), so the preview says what the save will do."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any

import pandas as pd
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DataError, IntegrityError, OperationalError, SQLAlchemyError

import db
from access import guard
from vocab.accounts import Account
from vocab.labels import (
    CHANGE_LABELS,
    TASK_STATUSES,
    VINTAGE_CHANGE_LABELS,
    data_status_text,
)
from vocab.text import clean_text

PROGRESS_PLAN_COLUMNS = ["change", "policy", "clause", "status", "progress", "evidence", "reported_on",
                         "reported_by", "is_sample", "sheet", "row"]
PLAN_COLUMNS = ["change", "region", "indicator", "indicator_name", "unit", "period", "year", "quarter", "old_value",
                "value", "old_source", "source", "note", "is_sample", "expected_version", "sheet", "row",
                "data_status", "released_on"]
KEYS = ["region", "indicator", "year", "quarter"]
CONTENT = ("value", "source", "note", "is_sample")


class SaveError(ValueError):
    """The database could not take the write (locked, a constraint, a text too long); nothing was written and the
    message is for the user."""


def database_error_message(exc: SQLAlchemyError) -> str:
    """A Chinese sentence for a database error on a write: what happened, that nothing was written, what to do."""
    detail = str(getattr(exc, "orig", exc)).lower()
    if isinstance(exc, OperationalError) and ("locked" in detail or "lock" in detail or "busy" in detail):
        return "数据库正忙（他人正在保存），本次未写入任何数据：请稍后再保存一次，您填写的内容仍保留。"
    if isinstance(exc, IntegrityError):
        return "保存失败：与数据库中已有的记录冲突（可能他人刚刚保存了同一项），本次未写入任何数据：请刷新后核对再保存。"
    if isinstance(exc, DataError):
        return "保存失败：有文字超过数据库允许的长度，本次未写入任何数据：请缩短后再保存。"
    return "数据库暂时无法写入，本次未写入任何数据：请稍后重试；如仍失败，请联系系统管理员。"


@contextmanager
def database_errors() -> Iterator[None]:
    """Turn the database's refusal of a write into a SaveError with a Chinese message (no traceback for users)."""
    try:
        yield
    except (OperationalError, IntegrityError, DataError) as exc:
        raise SaveError(database_error_message(exc)) from exc


def plan_changes(engine: Engine, clean: list[dict[str, Any]],
                 seen_versions: dict[tuple[str, str, int, int], int] | None = None) -> pd.DataFrame:
    """What saving the clean rows would do: for each, the value it replaces and whether it is new, an update,
    unchanged, a new vintage or an earlier one, and the version the save expects (compare-and-set). By default that
    is the current version; the grid passes seen_versions, the versions the user had on screen (a key missing there
    = "I saw no value")."""
    new = pd.DataFrame(clean, columns=["region", "indicator", "year", "quarter", "value", "source", "note",
                                       "is_sample", "sheet", "row", "data_status", "released_on"])
    if new.empty:
        return pd.DataFrame(columns=PLAN_COLUMNS)
    regions, indicators = sorted(set(new["region"])), sorted(set(new["indicator"]))
    vintages = db.read_vintages(engine, regions, indicators)
    versions = (vintages.loc[vintages["is_current"], [*KEYS, "version"]]
                .rename(columns={"version": "expected_version"}))
    inds = db.read_indicators(engine)[["code", "name", "unit"]].rename(columns={"code": "indicator",
                                                                               "name": "indicator_name"})
    plan = (new.astype({"year": "int64", "quarter": "int64"})
            .assign(data_status=lambda d: d["data_status"].astype(object).where(d["data_status"].notna(), None),
                    released_on=lambda d: d["released_on"].astype(object).where(d["released_on"].notna(), None))
            .merge(versions, on=KEYS, how="left").merge(inds, on="indicator", how="left"))
    change, old_value, old_source = _classify(plan, vintages)
    plan = plan.assign(
        change=change, old_value=old_value, old_source=old_source,
        period=[db.period_label(y, q) for y, q in zip(plan["year"], plan["quarter"])],
        expected_version=plan["expected_version"].astype("Int64") if seen_versions is None else pd.array(
            [seen_versions.get(k) for k in zip(plan["region"], plan["indicator"], plan["year"], plan["quarter"])],
            dtype="Int64"),
    )
    return plan[PLAN_COLUMNS]


def _classify(plan: pd.DataFrame, vintages: pd.DataFrame) -> tuple[list[str], list[Any], list[Any]]:
    """Per plan row: its change and the value and source it replaces (NaN / None where it replaces nothing),
    walking several rows of one key in the store's order of vintages, as db.save_observations does."""
    state: dict[tuple, dict[str, Any]] = {}
    for v in vintages.to_dict("records"):
        k = (v["region"], v["indicator"], int(v["year"]), int(v["quarter"]))
        entry = state.setdefault(k, {"current": None, "earlier": {}})
        vintage = (v["data_status"], None if pd.isna(v["released_on"]) else v["released_on"].date())
        content = {**{c: v[c] for c in CONTENT}, "vintage": vintage, "recorded_at": v["recorded_at"].to_pydatetime()}
        if v["is_current"]:
            entry["current"] = content
        else:
            entry["earlier"][vintage] = content
    at = datetime.now(timezone.utc)
    rows = plan.to_dict("records")
    keys = [(r["region"], r["indicator"], r["year"], r["quarter"]) for r in rows]
    vintage_of = [_row_vintage(r, state.get(k)) for r, k in zip(rows, keys)]
    first = {k: i for i, k in reversed(list(enumerate(keys)))}
    order = sorted(range(len(rows)), key=lambda i: (first[keys[i]], db.vintage_order(*vintage_of[i], at), i))
    change, old_value, old_source = [""] * len(rows), [float("nan")] * len(rows), [None] * len(rows)
    for i in order:
        entry = state.setdefault(keys[i], {"current": None, "earlier": {}})
        row, vintage, now = rows[i], vintage_of[i], entry["current"]
        mine = {**{c: row[c] for c in CONTENT}, "vintage": vintage, "recorded_at": at}
        if now is None:
            change[i], entry["current"] = "new", mine
        elif vintage == now["vintage"] or vintage in entry["earlier"]:
            target = now if vintage == now["vintage"] else entry["earlier"][vintage]
            same = all(target[c] == row[c] for c in CONTENT)
            change[i], old_value[i], old_source[i] = ("unchanged" if same else "update"), target["value"], \
                target["source"]
            target.update({c: row[c] for c in CONTENT})
        elif db.vintage_order(*vintage, at) > db.vintage_order(*now["vintage"], now["recorded_at"]):
            change[i], old_value[i], old_source[i] = "vintage", now["value"], now["source"]
            entry["earlier"][now["vintage"]], entry["current"] = now, mine
        else:
            change[i], entry["earlier"][vintage] = "earlier", mine
    return change, old_value, old_source


def _row_vintage(row: dict[str, Any], entry: dict[str, Any] | None) -> tuple[str, Any]:
    """The row's vintage; without a 数据状态, the current value's (a correction), or 未注明 for a new key."""
    if row["data_status"]:
        return row["data_status"], row["released_on"]
    if entry and entry["current"] is not None:
        return entry["current"]["vintage"]
    return "unstated", None


def plan_progress(engine: Engine, clean: list[dict[str, Any]]) -> pd.DataFrame:
    """Progress rows to add: 'new', or 'unchanged' when an identical update is already stored (so that importing
    the same export twice adds nothing)."""
    rows = pd.DataFrame(clean, columns=PROGRESS_PLAN_COLUMNS[1:])
    stored = db.read_progress(engine)
    keys = ["policy", "clause", "status", "progress", "evidence", "reported_on", "reported_by", "is_sample"]
    stored = stored.assign(is_sample=stored["is_sample"].astype(bool))
    have = set(stored[keys].itertuples(index=False, name=None))
    change = ["unchanged" if tuple(r) in have else "new" for r in rows[keys].itertuples(index=False)]
    return rows.assign(change=change)[PROGRESS_PLAN_COLUMNS]


def apply_plan(engine: Engine, plan: pd.DataFrame, *, account: Account | None, reason: str,
               progress: pd.DataFrame | None = None) -> dict[str, int]:
    """Write the plan's new and changed values (and new progress updates) in one audited transaction, through
    access.guard (the account's role and departments are checked first). Each value carries the version seen at
    preview time (unchanged ones too): if anyone changed any of them since, the whole save is refused
    (db.ConcurrentEditError) and nothing is written; a database error becomes a SaveError with a Chinese message."""
    reason = clean_text(reason).strip()
    # every row, "unchanged" too: its version is checked as well, so what the preview showed is what is stored
    # column lists, not itertuples: an import brings thousands of rows
    fields = ["region", "indicator", "year", "quarter", "value", "source", "note", "is_sample", "expected_version",
              "data_status", "released_on"]
    rows = [{"region": region, "indicator": indicator, "year": int(year), "quarter": int(quarter),
             "value": float(value), "source": source, "note": note, "is_sample": bool(is_sample),
             "expected_version": None if pd.isna(seen) else int(seen),
             **({"data_status": status, "released_on": released} if isinstance(status, str) and status else {})}
            for region, indicator, year, quarter, value, source, note, is_sample, seen, status, released
            in zip(*(plan[f].tolist() for f in fields))]
    updates = [] if progress is None else progress[progress["change"] == "new"].to_dict("records")
    with database_errors():
        counts = guard.save_plan_as(engine, account, rows, updates, reason=reason)
    return counts


CHANGES = {**CHANGE_LABELS, **VINTAGE_CHANGE_LABELS}


def preview_frame(plan: pd.DataFrame) -> pd.DataFrame:
    """The plan as the user reads it: 变更, 地区, 指标 (with its unit), 期间, 原值 → 新值, 来源, 数据状态, 发布日期."""
    released = plan["released_on"] if "released_on" in plan else pd.Series(None, index=plan.index)
    status = plan["data_status"] if "data_status" in plan else pd.Series(None, index=plan.index)
    return pd.DataFrame({
        "变更": plan["change"].map(CHANGES), "地区": plan["region"],
        "指标": [f"{n}（{u}）" if isinstance(u, str) and u else n for n, u in zip(plan["indicator_name"], plan["unit"])],
        "期间": plan["period"], "原值": plan["old_value"], "新值": plan["value"],
        "原来源": plan["old_source"].fillna(""), "来源": plan["source"], "示例数据": plan["is_sample"],
        "数据状态": [data_status_text(s) if s else "（沿用）" for s in status],
        "发布日期": [d.isoformat() if d is not None and not pd.isna(d) else "" for d in released],
    })


def progress_preview_frame(progress: pd.DataFrame) -> pd.DataFrame:
    """Progress rows as the user reads them: 变更, 条款, 状态, 进展, 日期, 填报人."""
    return pd.DataFrame({
        "变更": progress["change"].map(CHANGE_LABELS), "条款": progress["clause"],
        "状态": progress["status"].map(TASK_STATUSES), "进展": progress["progress"], "佐证材料": progress["evidence"],
        "报告日期": progress["reported_on"].astype(str), "填报人": progress["reported_by"],
        "示例数据": progress["is_sample"],
    })
