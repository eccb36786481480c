"""The small texts of the 督查通报: dates as a 公文 writes them, the 文号, counts by state."""
from __future__ import annotations

from datetime import date

import pandas as pd

from bulletin.docx_kit import CN_NUMBERS

DEFAULT_NUMBER = "〔{year}〕{serial}号"


def day_text(day) -> str:
    """'2021年1月15日'."""
    day = pd.Timestamp(day)
    return f"{day.year}年{day.month}月{day.day}日"


def period_text(status: pd.DataFrame) -> str:
    """The period the targets' figures are judged at: '2020年' or '2020年第三季度'."""
    year, quarter = int(status["as_of_year"].iloc[0]), int(status["as_of_quarter"].iloc[0])
    return f"{year}年" if quarter in (0, 4) else f"{year}年第{CN_NUMBERS[quarter - 1]}季度"


def counts_text(counts: pd.Series, names: dict[str, str], unit: str = "项") -> str:
    """'已完成27项、未完成26项' (keys with a count, in the given order)."""
    return "、".join(f"{names.get(k, k)}{int(n)}{unit}" for k, n in counts.items() if n)


def doc_number(settings: dict, issued: date, number: int | None = None) -> str:
    """The 文号, e.g. '长科督〔2021〕3号': the year is the 成文日期's (not the as-of year); the number is given
    (`cli.py bulletin --number`, the page's field), else `[bulletin] serial`."""
    b = settings.get("bulletin", {})
    serial = int(number if number is not None else b.get("serial", 1))
    return str(b.get("doc_number", DEFAULT_NUMBER)).format(year=issued.year, serial=serial)


def title_text(settings: dict) -> str:
    """The bulletin's title on one line (the settings may break it into lines for the page)."""
    return "".join(str(settings.get("bulletin", {}).get("title", "督查通报")).split())
