"""Bounds of entered values that the store itself enforces before the database sees them: text lengths of its
columns and the dates a progress report may carry. The store checks them at every write; dataio/ and the pages
check the same numbers earlier, to name the row and field."""
from __future__ import annotations

from datetime import date
from typing import Any

from store.milestone_tables import Milestone
from store.models import AuditLog, Snapshot, TaskProgress
from vocab.periods import MAX_YEAR, MIN_YEAR


def column_length(column: Any) -> int:
    """The length of a String(n) model column (e.g. TaskProgress.reported_by): the database refuses longer text."""
    return int(column.property.columns[0].type.length)


NAME_LENGTH = column_length(TaskProgress.reported_by)   # 填报人 / 报告单位 (String(60))
WHO_LENGTH = column_length(AuditLog.who)                # the name written into the audit log (String(60))
MILESTONE_TITLE_LENGTH = column_length(Milestone.title)  # 节点名称 (String(200))
SNAPSHOT_NAME_LENGTH = column_length(Snapshot.name)      # 会议名称 (String(120))
# 督办 texts stored in Text columns: bounded here, not by the database (a chase message is a sentence, a reason or
# opinion a paragraph, evidence a short list of documents and links)
CHASE_LENGTH = 500
REASON_LENGTH = 2000      # extension reasons, review opinions, decision notes
EVIDENCE_LENGTH = 4000
FIRST_DAY, LAST_DAY = date(MIN_YEAR, 1, 1), date(MAX_YEAR, 12, 31)  # every date a user gives lies in between


def date_problem(value: object, what: str) -> str | None:
    """A message when a date is not a date or lies outside MIN_YEAR–MAX_YEAR (a due date of 2300 or 9999 is a
    typing error, never a plan)."""
    if not isinstance(value, date):
        return f"{what}无效：请填写日期（如 2020-06-30）"
    if not FIRST_DAY <= value <= LAST_DAY:
        return f"{what} {value.isoformat()} 超出范围：日期应在 {FIRST_DAY:%Y-%m-%d} 至 {LAST_DAY:%Y-%m-%d} 之间"
    return None


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


def year_problem(year: int, what: str) -> str | None:
    """A message when a year lies outside MIN_YEAR–MAX_YEAR (e.g. a snapshot 'as of 9999')."""
    if MIN_YEAR <= int(year) <= MAX_YEAR:
        return None
    return f"{what} {int(year)} 超出范围：年份应在 {MIN_YEAR}—{MAX_YEAR} 年之间"
