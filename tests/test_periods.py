"""vocab.periods: the one parser for data periods and as-of points (CLI, views, bulletin, reminders)."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vocab.periods import (
    MAX_YEAR,
    MIN_YEAR,
    AsOf,
    as_of_year,
    parse_as_of,
    period_at,
    period_label,
    quarter_end,
)


@pytest.mark.parametrize("text, expected", [
    ("2020", AsOf(date(2020, 12, 31), 2020, 0)),
    ("2020年", AsOf(date(2020, 12, 31), 2020, 0)),
    ("2020Q2", AsOf(date(2020, 6, 30), 2020, 2)),
    ("２０２０ｑ１", AsOf(date(2020, 3, 31), 2020, 1)),
    ("2020年第三季度", AsOf(date(2020, 9, 30), 2020, 3)),
    # a day: the period is the latest complete one at that day (2020-09-30 completes Q3; 2020-05-01 only Q1)
    ("2020-09-30", AsOf(date(2020, 9, 30), 2020, 3, is_day=True)),
    ("2020-05-01", AsOf(date(2020, 5, 1), 2020, 1, is_day=True)),
    ("2020-12-31", AsOf(date(2020, 12, 31), 2020, 0, is_day=True)),
    ("2021-02-01", AsOf(date(2021, 2, 1), 2020, 0, is_day=True)),
    ("2020/9/30", AsOf(date(2020, 9, 30), 2020, 3, is_day=True)),
    (2020, AsOf(date(2020, 12, 31), 2020, 0)),
    (date(2020, 6, 30), AsOf(date(2020, 6, 30), 2020, 2, is_day=True)),
])
def test_parse_as_of(text, expected):
    assert parse_as_of(text) == expected


@pytest.mark.parametrize("text, words", [
    ("0", "超出范围"), ("9999", "超出范围"), ("1999-12-31", "超出范围"), ("2020-13-01", "不是日期"),
    ("2020Q5", "无法识别"), ("明年", "无法识别"), ("", "无法识别"), ("2020-02-30", "不是日期"),
])
def test_bad_as_of_is_a_chinese_sentence(text, words):
    with pytest.raises(ValueError, match=words):
        parse_as_of(text)


def test_as_of_year_wants_a_year():
    assert as_of_year("2020") == 2020
    for text in ("2020Q2", "2020-06-30"):
        with pytest.raises(ValueError, match="应为年份"):
            as_of_year(text)


@given(st.dates(min_value=date(MIN_YEAR, 1, 1), max_value=date(MAX_YEAR, 12, 31)))
def test_a_day_round_trips_and_its_period_is_complete(day):
    point = parse_as_of(day.isoformat())
    assert point.day == day and point.is_day
    # the period judged on ends on or before the day, and the next quarter end is after it
    year, quarter = period_at(day)
    assert quarter_end(year, quarter) <= day
    assert (year, quarter) == (point.year, point.quarter)


def test_period_label_never_prints_q():
    assert period_label(2020) == "2020年" and period_label(2020, 1) == "2020年一季度"
