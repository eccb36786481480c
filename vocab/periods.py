"""Periods and as-of points, parsed in one place: a data period ('2020', '2020年', '2020Q3', '2020年第三季度') and
an as-of point for the status, scorecard, bulletin and reminders ('2020', '2020Q2', '2020-09-30').

Pure; every parser answers in Chinese and bounds its years (MIN_YEAR–MAX_YEAR), so 'year 0 is out of range' never
reaches a user."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from vocab.labels import is_blank

MIN_YEAR, MAX_YEAR = 2000, 2100   # every year and date a user gives is inside these
QUARTER_NAMES = {1: "一", 2: "二", 3: "三", 4: "四"}
_CN_QUARTER = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_PERIOD = re.compile(r"^(\d{4})(?:年度?)?$")
_QUARTER = re.compile(r"^(\d{4})(?:年度?)?[-/_.]?(?:Q([1-4])|第?([1-4一二三四])季度?)$")
_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


def normalise(value: Any) -> str:
    """Fold width and drop spaces: '３．８％ ' → '3.8%', ' 高企 数量' → '高企数量'."""
    text = unicodedata.normalize("NFKC", str(value))
    return re.sub(r"\s+", "", text)


def parse_period(value: Any) -> tuple[int, int] | str:
    """A data period as (year, quarter) with quarter 0 for the whole year, or a Chinese message."""
    expected = "期间格式不正确：请填写年份（如 2020 或 2020年）或季度（如 2020Q3 或 2020年第三季度）"
    if is_blank(value):
        return "期间为空：请填写年份（如 2020）或季度（如 2020Q3）"
    if isinstance(value, bool):
        return expected
    if isinstance(value, (datetime, date, time)):
        return "期间不能填写日期：请填写年份（如 2020）或季度（如 2020Q3）"
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not value.is_integer():
            return expected
        return int(value), 0
    text = normalise(value).upper()
    if re.fullmatch(r"\d{4}\.0+", text):
        text = text.split(".")[0]
    if m := _PERIOD.match(text):
        return int(m.group(1)), 0
    if m := _QUARTER.match(text):
        return int(m.group(1)), _CN_QUARTER[m.group(2) or m.group(3)]
    return expected


def period_label(year: int, quarter: int = 0) -> str:
    """'2020年' / '2020年一季度' — how a period is written on pages and in documents (never '2020Q1')."""
    return f"{int(year)}年" if not quarter else f"{int(year)}年{QUARTER_NAMES[int(quarter)]}季度"


def quarter_end(year: int, quarter: int) -> date:
    """The last day of a quarter (quarter 0 = the whole year: 31 December)."""
    month = 12 if not quarter else 3 * int(quarter)
    return date(int(year), month, 31 if month in (3, 12) else 30)


def period_at(day: date) -> tuple[int, int]:
    """The latest complete period at a date, as (year, quarter): 2020-12-31 → (2020, 0), 2020-06-30 → (2020, 2),
    2020-05-01 → (2020, 1), 2020-02-01 → (2019, 0). Targets are judged on complete periods, tasks on the day."""
    done = day.month // 3 if quarter_end(day.year, (day.month + 2) // 3) == day else (day.month - 1) // 3
    if done == 4:
        return day.year, 0
    return (day.year, done) if done else (day.year - 1, 0)


@dataclass(frozen=True)
class AsOf:
    """An as-of point: the day (a year = its 31 December, a quarter = its last day) and the complete period at that
    day that targets are judged on. `is_day` tells a date given as such from a year or quarter."""
    day: date
    year: int
    quarter: int
    is_day: bool = False

    @property
    def label(self) -> str:
        """'2020年' / '2020年二季度' / '2020年9月30日'."""
        if self.is_day:
            return f"{self.day.year}年{self.day.month}月{self.day.day}日"
        return period_label(self.year, self.quarter)


def _year_in_range(year: int, text: str) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"截至期“{text}”超出范围：年份应在 {MIN_YEAR}—{MAX_YEAR} 年之间")


def parse_as_of(value: Any) -> AsOf:
    """'2020' (31 December), '2020Q2' / '2020年第二季度' (its last day), '2020-09-30' (that day), an int year, a
    date or a Timestamp → AsOf; anything else or a year outside MIN_YEAR–MAX_YEAR → ValueError in Chinese."""
    if isinstance(value, AsOf):
        return value
    if isinstance(value, datetime) or (hasattr(value, "to_pydatetime") and hasattr(value, "year")):
        value = date(value.year, value.month, value.day)
    if isinstance(value, date):
        _year_in_range(value.year, value.isoformat())
        year, quarter = period_at(value)
        return AsOf(value, year, quarter, is_day=True)
    text = normalise(value) if not isinstance(value, int) or isinstance(value, bool) else str(value)
    if m := _DATE.match(text):
        _year_in_range(int(m.group(1)), text)
        try:
            day = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            raise ValueError(f"截至日期“{text}”不是日期（该日不存在）：请写成 2020-09-30 的形式") from None
        year, quarter = period_at(day)
        return AsOf(day, year, quarter, is_day=True)
    if text.isdigit():
        _year_in_range(int(text), text)
    parsed = parse_period(text) if re.fullmatch(r"[0-9０-９A-Za-z年度第季一二三四Qq\-/_.]+", text or "-") else None
    if not isinstance(parsed, tuple):
        raise ValueError(f"截至期“{text}”无法识别：请写年份（2020）、季度（2020Q2）或日期（2020-09-30）")
    year, quarter = parsed
    _year_in_range(year, text)
    return AsOf(quarter_end(year, quarter), year, quarter)


def as_of_year(value: Any) -> int:
    """A whole year for the deck and the meeting snapshot ('2020'); a quarter or a day → ValueError in Chinese."""
    point = parse_as_of(value)
    if point.is_day or point.quarter:
        raise ValueError(f"截至年份“{value}”应为年份，例如 2020")
    return point.year
