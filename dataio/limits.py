"""Size limits for uploaded and imported files: one place, read by the importer, `cli.py import` and (by hand, the
same number) `server.maxUploadSize` in .streamlit/config.toml (tests/test_dataio_hostile.py checks they agree).

The formats we read are small: the template has 3 + years + 2 columns, the long table and the export at most 12.
Anything far bigger is a mistake or an attack (a sparse "bomb" sheet whose rows each hold one cell in column XFD)
and is refused before any row is read."""
from __future__ import annotations

from datetime import date
from typing import Any

from store.models import AuditLog, TaskProgress

MAX_UPLOAD_MB = 20                      # server.maxUploadSize in .streamlit/config.toml (megabytes)
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1024 * 1024
MAX_ROWS = 50_000                       # rows per sheet (or CSV file), header included
MAX_COLUMNS = 64                        # columns per sheet: only these are ever read
MAX_UNPACKED_BYTES = 100 * 1024 * 1024  # the workbook's XML once unzipped (a zip bomb stops here)


def size_text(n_bytes: int) -> str:
    """A file size for messages: '25.3 MB', '812 KB'."""
    return f"{n_bytes / 1024 / 1024:.1f} MB" if n_bytes >= 1024 * 1024 else f"{max(1, round(n_bytes / 1024))} KB"


# ------------------------------------------------------------------ bounds of entered values the store shares

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
