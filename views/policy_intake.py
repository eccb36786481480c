"""A new policy from its 任务分解表, as the page 导入政策 and `cli.py policy` share it: read the file against the
store's indicators and the unit table (policyio), check corrections, build the catalogue, show what a second import
of the same code would change, and write it through access.guard (admins only, audited)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO

import pandas as pd
from sqlalchemy.engine import Engine

import db
from access import guard
from policyio.catalogue import PolicyInfo, build_policy
from policyio.dates import plan_period
from policyio.files import FileRefused
from policyio.indicators import IndicatorLookup
from policyio.readings import Plan, check, read_rows, value_text
from policyio.table import Table, read_table
from policyio.units import unit_lookup
from store import catalogue as cat
from store.sync import ORIGIN_IMPORT
from vocab.accounts import Account
from vocab.labels import is_blank

CHECK_COLUMNS = ["row", "kind", "indicator", "comparator", "value", "stretch", "unit", "due_year", "lead_unit",
                 "units", "problems"]
DOUBT_MARK = "待核对："


@dataclass
class Intake:
    """A read 任务分解表: the table found, the plan period used, the readings (policyio.readings.COLUMNS)."""
    table: Table
    plan: Plan
    readings: pd.DataFrame


def lookups(engine: Engine) -> tuple:
    """(units, indicators): the unit alias table and every indicator in the store."""
    return unit_lookup(), IndicatorLookup(db.read_indicators(engine))


def read_breakdown(engine: Engine, file: str | Path | bytes | IO[bytes], start_year: int | None = None,
                   end_year: int | None = None, base_year: int | None = None) -> Intake:
    """The readings of a file's 任务分解表; the period from the arguments, else from the table's title ('（2026—2030
    年）', '“十五五”'). ValueError with a Chinese message when the file or its period cannot be read."""
    try:
        table = read_table(file)
    except FileRefused as exc:
        raise ValueError(str(exc)) from None
    found = plan_period(table.titles)
    start = start_year or (found[0] if found else None)
    end = end_year or (found[1] if found else None)
    if start is None or end is None:
        raise ValueError("无法从表格标题判断政策实施期（如“（2026—2030年）”或“十五五”）：请指定起止年份"
                         "（命令行 --start-year 2026 --end-year 2030）")
    if start > end:
        raise ValueError(f"实施期 {start}—{end} 年不对：开始年份不能晚于结束年份")
    plan = Plan(start, end, base_year)
    units, indicators = lookups(engine)
    benchmark = _benchmark(engine)
    return Intake(table, plan, read_rows(table, plan, units, indicators, benchmark))


def _benchmark(engine: Engine) -> str:
    """The benchmark region of the policies already tracked (河南省), for '增速高于全省' goals."""
    policies = db.read_policies(engine)
    return str(policies["benchmark_region"].iloc[0]) if not policies.empty else "河南省"


def policy_info(engine: Engine, plan: Plan, code: str, title: str, doc_number: str = "", short_title: str = "",
                issued: str = "") -> PolicyInfo:
    """What the table does not say, with the region, benchmark and issuer of the policies already tracked (the
    bureau's own), and the 印发日期 kept from an earlier import of the code (else today) unless given."""
    policies = db.read_policies(engine)
    home = policies.iloc[0] if not policies.empty else None
    defaults = PolicyInfo(code="", title="", plan=plan)
    return PolicyInfo(code=code.strip(), title=title.strip(), plan=plan, doc_number=doc_number.strip(),
                      short_title=short_title.strip(), issued=issued or issued_default(engine, code.strip()),
                      issuer=str(home["issuer"]) if home is not None else defaults.issuer,
                      region=str(home["region"]) if home is not None else defaults.region,
                      benchmark_region=str(home["benchmark_region"]) if home is not None else defaults.benchmark_region)


def recheck(engine: Engine, readings: pd.DataFrame, plan: Plan) -> pd.DataFrame:
    """The readings with problems recomputed after corrections (indicator names re-matched)."""
    units, indicators = lookups(engine)
    return check(readings, plan, units, indicators)


def policy_of(engine: Engine, readings: pd.DataFrame, info: PolicyInfo, accept_doubts: bool = False) -> cat.Policy:
    """The catalogue of confirmed readings (ValueError naming every row still in question)."""
    return build_policy(readings, info, lookups(engine)[1], accept_doubts=accept_doubts)


def issued_default(engine: Engine, code: str) -> str:
    """The 印发日期 when none is given: the stored one for a policy imported before (a re-import changes nothing
    there), else today."""
    old = db.stored_policy(engine, code) if db.policy_origin(engine, code) else None
    return old.issued if old is not None else date.today().isoformat()


def changes(engine: Engine, policy: cat.Policy) -> tuple[str | None, pd.DataFrame]:
    """(origin of the code already stored — None for a new code —, what writing the policy changes: for a code
    imported before, the differences with that version; new indicators in either case). ValueError when the code
    belongs to a policy file of data/policies (that one is never replaced by a table)."""
    origin = db.policy_origin(engine, policy.code)
    if origin is not None and origin != ORIGIN_IMPORT:
        raise ValueError(f"政策代码 {policy.code} 已被 data/policies/ 中的政策文件使用，不能用任务分解表替换："
                         "请换一个政策代码")
    old = db.stored_policy(engine, policy.code) if origin else None
    diff = db.policy_differences(old, policy)
    stored = set(db.read_indicators(engine)["code"])
    diff = diff[~((diff["entity"] == "指标") & diff["key"].isin(stored))]
    order = {"政策": 0, "目标": 1, "任务": 2, "指标": 3, "修改": 0, "新增": 1, "删除": 2}
    return origin, diff.sort_values(["entity", "change", "key"], key=lambda c: c.map(
        lambda v: order.get(v, 0) if c.name != "key" else _natural(v))).reset_index(drop=True)


def _natural(key: str) -> tuple:
    """'2-1' before '10-1': numbers in a code compare as numbers."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", str(key)))


def confirm(engine: Engine, account: Account | None, policy: cat.Policy, source: str,
            replace: bool = False) -> dict[str, int]:
    """Write the policy (admins only: checked by access.guard where the write happens)."""
    reason = f"导入任务分解表 {source}" + ("（替换已导入的版本）" if replace else "")
    return guard.import_policy_as(engine, account, policy, reason=reason, replace=replace)


def check_table(readings: pd.DataFrame) -> pd.DataFrame:
    """The readings as `cli.py policy check` prints them: row, kind, indicator, comparator, value, stretch, unit,
    due year, lead unit, units, problems (doubts marked 待核对)."""
    rows = []
    for r in readings.to_dict("records"):
        name = r["indicator_name"] or ""
        rows.append({
            "row": r["row"], "kind": r["kind"],
            "indicator": f"{name}（新）" if r["new_indicator"] and name else name,
            "comparator": r["comparator"], "value": value_text(r),
            "stretch": "" if is_blank(r["stretch"]) else f"{r['stretch']:g}", "unit": r["unit"],
            "due_year": "" if is_blank(r["due_year"]) else int(r["due_year"]), "lead_unit": r["lead_unit"],
            "units": r["units"],
            "problems": "；".join(list(r["problems"]) + [DOUBT_MARK + d for d in r["doubts"]])})
    return pd.DataFrame(rows, columns=CHECK_COLUMNS)
