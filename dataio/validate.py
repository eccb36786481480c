"""Pure validation of entered values against the catalogue: what clerks type in, clean rows (or problems) out.

No database, no files, no Streamlit: `Rules.from_frames` takes the store's frames (read_indicators, read_regions,
read_policies) and `validate_entries` checks every entry, collecting ALL problems (never only the first).

Accepted spellings: "1,234", "3.8%", full-width digits and punctuation ("３．８％"), trailing spaces, a trailing unit
equal to the indicator's unit ("95家"); periods "2020", "2020年", "2020Q3", "2020年第三季度". Regions must be known
(the region table, data/regions.toml): an import never creates a region, so a typo cannot become a new region.
The vintage (数据状态, 发布日期) is optional: blank keeps the vintage the stored value has (dataio.cells)."""
from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from dataio.cells import (
    Problem,
    excel_precision,
    parse_data_status,
    parse_flag,
    parse_number,
    parse_release_date,
    problems_frame,
    shown,
    text_or_blank,
    unique_problems,
)
from vocab.labels import is_blank
from vocab.periods import normalise, parse_period

# the parsers of one cell live in dataio.cells; these names stay importable from here
__all__ = ["INTEGER_MEASURES", "DEFAULT_COLUMNS", "Entry", "IndicatorRule", "Problem", "Rules", "check_value",
           "excel_precision", "find_indicator", "parse_number", "problems_frame", "validate_entries"]

INTEGER_MEASURES = frozenset({"stock", "flow", "rank"})


@dataclass(frozen=True)
class IndicatorRule:
    code: str
    name: str
    unit: str
    measure: str
    decimals: int
    min_value: float | None
    max_value: float | None
    stages: tuple[str, ...]

    @property
    def is_percent(self) -> bool:
        return self.unit == "%"


@dataclass(frozen=True)
class Rules:
    """What valid data look like: indicators (with names and aliases), known regions, the tracked period range."""
    indicators: dict[str, IndicatorRule]
    names: dict[str, tuple[str, ...]]     # normalised code/name/alias → indicator codes
    regions: dict[str, str]               # normalised name → region name
    track_from: int
    track_to: int

    @classmethod
    def from_frames(cls, indicators: pd.DataFrame, regions: pd.DataFrame, policies: pd.DataFrame) -> Rules:
        """Rules from db.read_indicators, db.read_regions and db.read_policies; the tracked range spans every
        policy's track_from..track_to."""
        rules: dict[str, IndicatorRule] = {}
        names: dict[str, set[str]] = {}
        for r in indicators.itertuples(index=False):
            rules[r.code] = IndicatorRule(
                code=r.code, name=r.name, unit=r.unit, measure=r.measure, decimals=int(r.decimals),
                min_value=None if pd.isna(r.min_value) else float(r.min_value),
                max_value=None if pd.isna(r.max_value) else float(r.max_value),
                stages=tuple(r.stages or ()))
            for n in [r.code, r.name, *(r.aliases or [])]:
                names.setdefault(normalise(n), set()).add(r.code)
        return cls(indicators=rules, names={k: tuple(sorted(v)) for k, v in names.items()},
                   regions={normalise(n): n for n in regions["name"]},
                   track_from=int(policies["track_from"].min()), track_to=int(policies["track_to"].max()))


@dataclass
class Entry:
    """One value as found in a sheet or the entry grid. Raw cells, untouched; `columns` maps a field
    (region, indicator, code, period, value, unit, source, note, is_sample, data_status, released_on) to the header
    shown in messages."""
    sheet: str
    row: int
    region: Any = None
    indicator: Any = None
    code: Any = None
    period: Any = None
    value: Any = None
    unit: Any = None
    source: Any = None
    note: Any = None
    is_sample: Any = None
    columns: dict[str, str] = field(default_factory=dict)
    data_status: Any = None
    released_on: Any = None


DEFAULT_COLUMNS = {"region": "地区", "indicator": "指标", "code": "指标代码", "period": "期间", "value": "数值",
                   "unit": "单位", "source": "来源", "note": "备注", "is_sample": "示例数据", "data_status": "数据状态",
                   "released_on": "发布日期"}


# ------------------------------------------------------------------ rules for one value

def check_value(rule: IndicatorRule, raw: Any) -> float | str:
    """The value to store for this indicator, or the message that says what is wrong and what is expected."""
    if is_blank(raw):
        return "数值为空：请填写数值，或删除这一行"
    if rule.stages:
        return _check_stage(rule, raw)
    parsed = parse_number(raw)
    if isinstance(parsed, str):
        return parsed
    number, suffix = parsed
    if rule.is_percent:
        if suffix not in ("", "%"):
            return f"单位不符：该指标单位为“%”，表中写的是“{suffix}”"
        if not 0 <= number <= 100:
            return "百分比指标请填写 0—100 之间的数值（如 3.8 或 3.8%）"
        return number
    if suffix == "%":
        return f"该指标单位为“{rule.unit}”，不是百分比：请去掉百分号，填写{rule.unit}数"
    if suffix and suffix != rule.unit:
        return f"单位不符：该指标单位为“{rule.unit}”，表中写的是“{suffix}”；请按“{rule.unit}”换算后填写"
    if rule.min_value is not None and number < rule.min_value:
        if rule.min_value == 0:
            return f"数值不能为负数（单位：{rule.unit}）"
        return f"数值不能小于 {rule.min_value:g}（单位：{rule.unit}）"
    if rule.max_value is not None and number > rule.max_value:
        return f"数值不能大于 {rule.max_value:g}（单位：{rule.unit}）"
    if rule.decimals == 0 and rule.measure in INTEGER_MEASURES and not number.is_integer():
        return f"该指标单位为“{rule.unit}”，应填写整数"
    return number


def _check_stage(rule: IndicatorRule, raw: Any) -> float | str:
    expected = f"阶段指标请填写：{'、'.join(rule.stages)}（或序号 0—{len(rule.stages) - 1}）"
    text = normalise(raw)
    for i, name in enumerate(rule.stages):
        if text == normalise(name):
            return float(i)
    parsed = parse_number(raw)
    if isinstance(parsed, tuple) and parsed[1] == "" and parsed[0].is_integer() and \
            0 <= parsed[0] < len(rule.stages):
        return parsed[0]
    return expected


def find_indicator(rules: Rules, name: Any, code: Any) -> str | tuple[None, str, str]:
    """The indicator code for a name and/or code cell, or (None, field, message)."""
    by_code = by_name = None
    if not is_blank(code):
        hits = rules.names.get(normalise(code), ())
        if len(hits) != 1:
            return None, "code", f"指标代码“{shown(code)}”不在政策目录中"
        by_code = hits[0]
    if not is_blank(name):
        hits = rules.names.get(normalise(name), ())
        if len(hits) > 1:
            return None, "indicator", f"指标名称“{shown(name)}”对应多个指标，请改用指标代码"
        if hits:
            by_name = hits[0]
        elif by_code is None:
            close = difflib.get_close_matches(normalise(name), [r.name for r in rules.indicators.values()], n=1)
            hint = f"，是否为“{close[0]}”？" if close else "：请使用模板中的指标名称或指标代码"
            return None, "indicator", f"指标“{shown(name)}”不在政策目录中{hint}"
    if by_code and by_name and by_code != by_name:
        return None, "indicator", (f"指标名称与指标代码不一致：代码 {by_code} 是“{rules.indicators[by_code].name}”，"
                                   f"名称对应的是 {by_name}")
    if by_code or by_name:
        return by_code or by_name
    return None, "indicator", "指标为空：请填写指标名称或指标代码"


# ------------------------------------------------------------------ a whole table

def validate_entries(entries: Iterable[Entry], rules: Rules) -> tuple[list[dict[str, Any]], list[Problem]]:
    """Check every entry; return the clean rows (region, indicator, year, quarter, value, source, note, is_sample,
    sheet, row; data_status and released_on when a 数据状态 is given) and every problem found. Any problem means the
    caller must write nothing."""
    clean: list[dict[str, Any]] = []
    problems: list[Problem] = []
    seen: dict[tuple, tuple[str, int]] = {}
    for e in entries:
        cols = {**DEFAULT_COLUMNS, **e.columns}

        def fail(fld: str, raw: Any, message: str, e: Entry = e, cols: dict = cols) -> None:
            problems.append(Problem(e.sheet, e.row, cols[fld], shown(raw), message))

        before = len(problems)
        region = _check_region(e, rules, fail)
        found = find_indicator(rules, e.indicator, e.code)
        code = found if isinstance(found, str) else None
        if not isinstance(found, str):
            _, fld, message = found
            fail(fld, e.code if fld == "code" else e.indicator, message)
        period = _check_period(e, rules, fail)
        value = _check_value(e, rules.indicators[code], fail) if code is not None else None
        source, note = text_or_blank(e.source), text_or_blank(e.note, multiline=True)
        if not source:
            fail("source", e.source, "来源不能为空：请填写数据出处（如“2020年长垣市统计公报”）")
        flag = parse_flag(e.is_sample)
        if isinstance(flag, str):
            fail("is_sample", e.is_sample, flag)
        vintage = _check_vintage(e, period[0] if isinstance(period, tuple) else None, fail)
        if region is not None and code is not None and isinstance(period, tuple):
            _check_duplicate(e, (region, code, *period, *vintage), seen, fail)
        if len(problems) == before:
            clean.append({"region": region, "indicator": code, "year": period[0], "quarter": period[1],
                          "value": value, "source": source, "note": note, "is_sample": flag,
                          "sheet": e.sheet, "row": e.row,
                          **({"data_status": vintage[0], "released_on": vintage[1]} if vintage[0] else {})})
    return clean, unique_problems(problems)


def _check_vintage(e: Entry, year: int | None, fail: Any) -> tuple[str | None, date | None]:
    """(data_status key or None, released_on or None); a 发布日期 needs a 数据状态 beside it."""
    status, message = parse_data_status(e.data_status)
    if message:
        fail("data_status", e.data_status, message)
    released, message = parse_release_date(e.released_on, year)
    if message:
        fail("released_on", e.released_on, message)
    elif released is not None and status is None and is_blank(e.data_status):
        fail("data_status", e.data_status, f"填写了发布日期 {released:%Y-%m-%d}，请同时填写数据状态（"
                                           "预计、初步、核实或修订）")
    return status, released


def _check_region(e: Entry, rules: Rules, fail: Any) -> str | None:
    """The region's canonical name, or None after a problem (empty, or not in the regions table)."""
    if is_blank(e.region):
        fail("region", e.region, "地区为空：请填写地区名称")
        return None
    region = rules.regions.get(normalise(e.region))
    if region is None:
        fail("region", e.region, f"地区“{shown(e.region)}”不在地区表中；可填写："
                                 f"{'、'.join(rules.regions.values())}（新增地区请先在 data/regions.toml 中登记）")
    return region


def _check_period(e: Entry, rules: Rules, fail: Any) -> tuple[int, int] | str:
    """(year, quarter), or a message after a problem (unreadable, or outside the tracked years)."""
    period = parse_period(e.period)
    if isinstance(period, str):
        fail("period", e.period, period)
    elif not rules.track_from <= period[0] <= rules.track_to:
        fail("period", e.period, f"期间超出跟踪范围：只接受 {rules.track_from}—{rules.track_to} 年的数据")
        return "out of range"
    return period


def _check_value(e: Entry, rule: Any, fail: Any) -> float | str:
    """The value in the indicator's unit (Excel precision), or a message after a problem (unit or value)."""
    if not is_blank(e.unit) and normalise(e.unit) != normalise(rule.unit):
        fail("unit", e.unit, f"单位不符：该指标单位为“{rule.unit}”，表中为“{shown(e.unit)}”；"
                             f"请按“{rule.unit}”换算后填写，并把单位改回“{rule.unit}”")
    value = check_value(rule, e.value)
    if isinstance(value, str):
        fail("value", e.value, value)
        return value
    return excel_precision(value)


def _check_duplicate(e: Entry, key: tuple, seen: dict, fail: Any) -> None:
    """A second row for the same region, indicator, period and vintage is a problem naming the first one (two
    vintages of one period, a first release and its revision, are two values)."""
    if key in seen:
        sheet, row = seen[key]
        where = f"第 {row} 行" if sheet == e.sheet else f"工作表“{sheet}”第 {row} 行"
        same = "地区、指标、期间" + ("、数据状态和发布日期" if key[-2] else "")
        fail("period", e.period, f"重复：与{where}的{same}相同，请只保留一行")
    else:
        seen[key] = (e.sheet, e.row)
