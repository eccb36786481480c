"""Bounds of entered values that the store itself enforces before the database sees them: text lengths of its
columns and the dates a progress report may carry. The store checks them at every write; dataio/ and the pages
check the same numbers earlier, to name the row and field."""
from __future__ import annotations

from datetime import date
from typing import Any

from store.models import AuditLog, TaskProgress


def column_length(column: Any) -> int:
    """The length of a String(n) model column (e.g. TaskProgress.reported_by): the database refuses longer text."""
    return int(column.property.columns[0].type.length)


NAME_LENGTH = column_length(TaskProgress.reported_by)   # 填报人 / 报告单位 (String(60))
WHO_LENGTH = column_length(AuditLog.who)                # the name written into the audit log (String(60))


def too_long(text: str, limit: int, what: str) -> str | None:
    """A message when a text is longer than its database column, before the database refuses it."""
    return f"{what}过长（{len(text)} 字）：最多 {limit} 字，请缩短后重新填写" if len(text) > limit else None


def report_date_problem(reported_on: date, start_year: int, today: date | None = None) -> str | None:
    """A progress report is dated within the policy period: from 1 January of the policy's start year to today."""
    today = today or date.today()
    first = date(int(start_year), 1, 1)
    if first <= reported_on <= today:
        return None
    return (f"报告日期 {reported_on:%Y-%m-%d} 超出范围：只接受政策实施以来（{first:%Y-%m-%d}）"
            f"至今天（{today:%Y-%m-%d}）之间的日期")
