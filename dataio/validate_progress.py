"""Pure validation of task progress rows (the export's 任务进展 sheet): raw cells in, clean rows (or problems) out,
every problem collected."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from dataio.cells import (
    Problem,
    parse_date,
    parse_flag,
    shown,
    text_or_blank,
    unique_problems,
)
from store import limits
from vocab.labels import is_blank
from vocab.periods import normalise

PROGRESS_COLUMNS = {"policy": "政策", "clause": "条款", "status": "状态", "progress": "进展", "evidence": "佐证材料",
                    "reported_on": "报告日期", "reported_by": "填报人", "is_sample": "示例数据"}


@dataclass
class ProgressEntry:
    """One task progress update as found in a sheet (raw cells)."""
    sheet: str
    row: int
    policy: Any = None
    clause: Any = None
    status: Any = None
    progress: Any = None
    evidence: Any = None
    reported_on: Any = None
    reported_by: Any = None
    is_sample: Any = None
    columns: dict[str, str] = field(default_factory=dict)


def validate_progress(entries: Iterable[ProgressEntry], tasks: pd.DataFrame, task_statuses: dict[str, str],
                      start_years: dict[str, int] | None = None,
                      today: date | None = None) -> tuple[list[dict[str, Any]], list[Problem]]:
    """Check progress rows against the tasks (db.read_tasks: policy, clause) and the task statuses (key → label;
    'overdue' is computed, never entered); dates within the policy period (start_years: policy → its start year;
    up to today), names within their column's length. Clean rows: policy, clause, status, progress, evidence,
    reported_on, reported_by, is_sample, sheet, row."""
    clauses = {(p, normalise(c)): c for p, c in zip(tasks["policy"], tasks["clause"])}
    policies = sorted(set(tasks["policy"]))
    allowed = {k: v for k, v in task_statuses.items() if k != "overdue"}
    by_label = {normalise(v): k for k, v in allowed.items()} | {k.upper(): k for k in allowed}
    clean: list[dict[str, Any]] = []
    problems: list[Problem] = []
    seen: dict[tuple, int] = {}
    for e in entries:
        cols = {**PROGRESS_COLUMNS, **e.columns}

        def fail(fld: str, raw: Any, message: str, e: ProgressEntry = e, cols: dict = cols) -> None:
            problems.append(Problem(e.sheet, e.row, cols[fld], shown(raw), message))

        before = len(problems)
        policy = text_or_blank(e.policy) or (policies[0] if len(policies) == 1 else "")
        if policy not in policies:
            fail("policy", e.policy, f"政策“{shown(e.policy)}”不在政策目录中；可填写：{'、'.join(policies)}")
        clause = clauses.get((policy, normalise(e.clause))) if not is_blank(e.clause) else None
        if clause is None and policy in policies:
            fail("clause", e.clause, f"任务条款“{shown(e.clause)}”不在 {policy} 的重点任务中（如 二（一）1）")
        status = by_label.get(normalise(e.status).upper()) if not is_blank(e.status) else None
        if status is None:
            fail("status", e.status, f"状态请填写：{'、'.join(allowed.values())}（“已逾期”由系统按完成时限判断）")
        text = text_or_blank(e.progress, multiline=True)
        if not text:
            fail("progress", e.progress, "进展为空：请填写做了什么、到了哪一步")
        reported_on = parse_date(e.reported_on)
        if isinstance(reported_on, str):
            fail("reported_on", e.reported_on, reported_on)
        elif start_years and policy in start_years and (
                bad_date := limits.report_date_problem(reported_on, start_years[policy], today)):
            fail("reported_on", e.reported_on, bad_date)
        by = text_or_blank(e.reported_by)
        if not by:
            fail("reported_by", e.reported_by, "填报人为空：请填写报告单位或填报人")
        elif long := limits.too_long(by, limits.NAME_LENGTH, "填报人"):
            fail("reported_by", e.reported_by, long)
        flag = parse_flag(e.is_sample)
        if isinstance(flag, str):
            fail("is_sample", e.is_sample, flag)
        evidence = text_or_blank(e.evidence, multiline=True)
        if len(problems) > before:
            continue
        row = {"policy": policy, "clause": clause, "status": status, "progress": text, "evidence": evidence,
               "reported_on": reported_on, "reported_by": by, "is_sample": flag}
        key = tuple(row.values())
        if key in seen:
            fail("progress", e.progress, f"重复：与第 {seen[key]} 行的任务进展完全相同，请只保留一行")
            continue
        seen[key] = e.row
        clean.append({**row, "sheet": e.sheet, "row": e.row})
    return clean, unique_problems(problems)
