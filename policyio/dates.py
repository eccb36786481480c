"""Due years from a 完成时限 cell ('2027年底前', '2026—2030年', '每年', '2026年6月底前') and the plan period from
a table's title ('“十五五”', '（2026—2030年）'). Pure."""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from vocab.labels import is_blank
from vocab.periods import MAX_YEAR, MIN_YEAR, normalise

DASHES = "—–―－~～至到\\-"
_YEAR = r"((?:19|20|21)\d{2})"
_RANGE = re.compile(_YEAR + r"年?(?:度)?[" + DASHES + r"]+" + _YEAR + r"年?")
_MONTH = re.compile(_YEAR + r"年(\d{1,2})月")
_QUARTER = re.compile(_YEAR + r"年(?:第)?([一二三四1-4])季度")
_HALF = re.compile(_YEAR + r"年(上半年|下半年|年中)")
_SINGLE = re.compile(_YEAR + r"年")
_FROM = re.compile(_YEAR + r"年(?:起|开始)")
EVERY_YEAR = ("每年", "每年度", "逐年", "年度")
ONGOING = ("长期", "持续", "常态", "规划期", "期间", "十五五", "十四五", "十六五")
FIVE_YEAR_PLANS = {"十三五": (2016, 2020), "十四五": (2021, 2025), "十五五": (2026, 2030), "十六五": (2031, 2035)}
_CN_QUARTERS = {"一": 1, "二": 2, "三": 3, "四": 4}


@dataclass(frozen=True)
class Due:
    """What a 完成时限 says: the due year and date (None when it names none), the first year of a span
    ('2026—2030年' → 2026, '2026年起每年' → 2026), whether it says every year, and a problem when unreadable."""
    year: int | None = None
    date: date | None = None
    start: int | None = None
    every_year: bool = False
    problem: str | None = None


def read_due(cell: object, plan_end: int | None) -> Due:
    """The due year of a 完成时限 cell; '每年' and ongoing wordings are due at the plan's end year."""
    if is_blank(cell):
        return _at(plan_end)
    text = normalise(cell)
    every = any(w in text for w in EVERY_YEAR)
    if m := _RANGE.search(text):
        start, end = int(m.group(1)), int(m.group(2))
        if start > end:
            return Due(problem=f"完成时限“{text}”的起止年份颠倒：请写成 {end}—{start}年")
        return Due(end, date(end, 12, 31), start, every)
    if m := _MONTH.search(text):
        year, month = int(m.group(1)), int(m.group(2))
        if not 1 <= month <= 12:
            return Due(problem=f"完成时限“{text}”的月份不对：请写成如“{year}年6月底前”")
        return Due(year, date(year, month, calendar.monthrange(year, month)[1]), _from(text), every)
    if m := _QUARTER.search(text):
        year, quarter = int(m.group(1)), _CN_QUARTERS.get(m.group(2)) or int(m.group(2))
        month = quarter * 3
        return Due(year, date(year, month, calendar.monthrange(year, month)[1]), None, every)
    if m := _HALF.search(text):
        year = int(m.group(1))
        return Due(year, date(year, 6, 30) if m.group(2) in ("上半年", "年中") else date(year, 12, 31), None, every)
    if (m := _FROM.search(text)) and plan_end is not None:
        return Due(plan_end, date(plan_end, 12, 31), int(m.group(1)), True)
    if m := _SINGLE.search(text) or re.fullmatch(_YEAR, text):   # '2027年底前', or a year alone (a number cell)
        year = int(m.group(1))
        return Due(year, date(year, 12, 31), None, every)
    if every or any(w in text for w in ONGOING):
        return _at(plan_end, every)
    return Due(problem=f"看不懂完成时限“{text}”：请写成“2027年底前”“2026—2030年”“2026年6月底前”或“每年”")


def _at(plan_end: int | None, every: bool = False) -> Due:
    if plan_end is None:
        return Due(every_year=every)
    return Due(plan_end, date(plan_end, 12, 31), None, every)


def _from(text: str) -> int | None:
    m = _FROM.search(text)
    return int(m.group(1)) if m else None


def plan_period(texts: list[str]) -> tuple[int, int] | None:
    """The plan's first and last year from title text: '（2026—2030年）' or a five-year plan's name ('“十五五”')."""
    for raw in texts:
        text = normalise(raw)
        if m := _RANGE.search(text):
            start, end = int(m.group(1)), int(m.group(2))
            if start < end and MIN_YEAR <= start and end <= MAX_YEAR:
                return start, end
    for raw in texts:
        text = normalise(raw)
        for name, years in FIVE_YEAR_PLANS.items():
            if name in text:
                return years
    return None
