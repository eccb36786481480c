"""Confirmed readings → the policy catalogue in the data/policies form (store.catalogue.Policy): one task per table
row (its clause, text, units and due date), one target per goal (two for 底线/力争), the indicators the targets use
(stored ones as they are, new ones proposed with their unit). Pure."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from policyio.indicators import IndicatorLookup, proposed_spec
from policyio.readings import Plan, blocking
from policyio.units import split_units
from store import catalogue as cat
from vocab.labels import is_blank

CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,39}$")
TITLE_LENGTH = 200        # store.models.Task.title / Policy.title
SHORT_TITLE_LENGTH = 120  # store.models.Policy.short_title
TRACK_BEFORE, TRACK_AFTER = 10, 5   # data years accepted around the period (track_from, track_to)


@dataclass(frozen=True)
class PolicyInfo:
    """What the table does not say: code, title and 文号 of the policy, its region and benchmark, its period."""
    code: str
    title: str
    plan: Plan
    doc_number: str = ""
    short_title: str = ""
    issued: str = ""
    issuer: str = "长垣市人民政府"
    region: str = "长垣市"
    benchmark_region: str = "河南省"


def info_problems(info: PolicyInfo) -> list[str]:
    """Chinese messages for a code, title or period that cannot be stored."""
    out = []
    if not CODE_PATTERN.match(info.code or ""):
        out.append(f"政策代码“{info.code}”不可用：请用字母、数字、“-”“_”“.”，不超过 40 个字符（如 CY2026-05）")
    if not info.title.strip():
        out.append("请填写政策标题")
    elif len(info.title) > TITLE_LENGTH:
        out.append(f"政策标题过长（{len(info.title)} 字）：最多 {TITLE_LENGTH} 字")
    if len(info.doc_number) > 80:
        out.append("文号过长：最多 80 字")
    if not 2000 <= info.plan.start_year <= info.plan.end_year <= 2100:
        out.append(f"实施期 {info.plan.start_year}—{info.plan.end_year} 年不对：开始年份不能晚于结束年份")
    return out


def build_policy(frame: pd.DataFrame, info: PolicyInfo, indicators: IndicatorLookup,
                 accept_doubts: bool = False) -> cat.Policy:
    """The catalogue of the confirmed readings; ValueError (Chinese, naming the rows) when a row still has a problem
    or an unchecked doubt (`accept_doubts`: doubts count as checked), or the policy's own fields are wrong."""
    problems = info_problems(info)
    stuck = frame["problems"].map(bool) if accept_doubts else blocking(frame)
    for r in frame[stuck].to_dict("records"):
        what = r["problems"] or [f"待核对：{d}" for d in r["doubts"]]
        problems.append(f"第 {r['row']} 行（序号 {r['clause']}）：{'；'.join(what)}")
    if frame.empty:
        problems.append("任务分解表没有任何任务行")
    if problems:
        raise ValueError("未导入：\n" + "\n".join(problems))
    plan = info.plan
    policy = cat.Policy(
        code=info.code, doc_number=info.doc_number or info.code, title=info.title.strip(),
        short_title=(info.short_title or info.title).strip()[:SHORT_TITLE_LENGTH],
        issued=info.issued or date.today().isoformat(), issuer=info.issuer, region=info.region,
        benchmark_region=info.benchmark_region, base_year=plan.base, start_year=plan.start_year,
        end_year=plan.end_year, track_from=plan.base - TRACK_BEFORE, track_to=plan.end_year + TRACK_AFTER,
        task_due=f"{plan.end_year}-12-31", text_file=None)
    policy.tasks = _tasks(frame, policy.task_due)
    policy.indicators, codes = _indicators(frame, info.code, indicators)
    policy.targets = _targets(frame, codes)
    return policy


def _tasks(frame: pd.DataFrame, task_due: str) -> list[dict[str, Any]]:
    tasks = []
    for r in frame.drop_duplicates("clause").to_dict("records"):
        title = re.sub(r"\s*\n\s*", "", str(r["text"])).strip()   # a line break inside a Chinese cell is no space
        if len(title) > TITLE_LENGTH:
            title = title[:TITLE_LENGTH - 1] + "…"
        task: dict[str, Any] = {"clause": r["clause"], "title": title, "lead": split_units(r["lead_unit"]),
                                "units": split_units(r["units"])}
        if r["task_due"] and r["task_due"] != task_due:
            task["due"] = r["task_due"]
        tasks.append(task)
    return tasks


def _indicators(frame: pd.DataFrame, policy_code: str, lookup: IndicatorLookup
                ) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The indicators the targets use (stored ones as stored) and the code of every indicator name."""
    specs: dict[str, dict[str, Any]] = {}
    codes: dict[str, str] = {}
    stem = re.sub(r"[^a-z0-9]+", "_", policy_code.lower()).strip("_")
    n = 0
    for r in frame[frame["kind"] != "task"].to_dict("records"):
        name = str(r["indicator_name"]).strip()
        if name in codes:
            continue
        code = lookup.by_name(name)
        if code is not None:
            row = lookup.rows[code]
            specs[code] = {k: row.get(k) for k in ("code", "name", "unit", "area", "measure", "path", "frequency",
                                                   "decimals", "stages", "aliases")}
            specs[code].update(min=_plain(row.get("min_value", row.get("min"))),
                               max=_plain(row.get("max_value", row.get("max"))))
        else:
            n += 1
            while (code := f"{stem}_i{n:02d}") in lookup.rows:
                n += 1
            specs[code] = proposed_spec(code, name, r["unit"], _measure(r), r["kind"])
        codes[name] = code
    return list(specs.values()), codes


def _measure(r: dict) -> str:
    if r["kind"] == "milestone":
        return "stage"
    if r["kind"] in ("annual", "cumulative", "cagr"):
        return "flow"
    if r["unit"] == "位" and r["comparator"] == "<=":
        return "rank"
    return "ratio" if r["unit"] == "%" else "stock"


def _plain(value: Any) -> Any:
    return None if is_blank(value) else (int(value) if float(value).is_integer() else float(value))


def _targets(frame: pd.DataFrame, codes: dict[str, str]) -> list[dict[str, Any]]:
    targets = []
    for clause, rows in frame[frame["kind"] != "task"].groupby("clause", sort=False):
        for k, r in enumerate(rows.to_dict("records"), 1):
            base = {**cat.TARGET_DEFAULTS, "indicator": codes[str(r["indicator_name"]).strip()], "kind": r["kind"],
                    "comparator": r["comparator"], "due_year": int(r["due_year"]), "clause": clause,
                    "quote": r["text"], "task": clause, "note": "；".join(r["notes"]) or None,
                    "start_year": None if is_blank(r["start_year"]) else int(r["start_year"]),
                    "benchmark": r["benchmark"] or None if r["kind"] == "relative" else None}
            if r["comparator"] == "range":
                targets.append({**base, "code": f"{clause}-{k}", "value_low": float(r["value_low"]),
                                "value_high": float(r["value_high"])})
                continue
            value, stretch = r["value"], r["stretch"]
            if not is_blank(value):
                tier = "floor" if not is_blank(stretch) else None
                targets.append({**base, "code": f"{clause}-{k}", "value": float(value), "tier": tier})
            if not is_blank(stretch):
                code = f"{clause}-{k}s" if not is_blank(value) else f"{clause}-{k}"
                targets.append({**base, "code": code, "value": float(stretch), "tier": "stretch"})
    return targets
