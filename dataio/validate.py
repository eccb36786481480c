"""Pure validation of entered values against the catalogue: what clerks type in, clean rows (or problems) out.

No database, no files, no Streamlit: `Rules.from_frames` takes the store's frames (read_indicators, read_regions,
read_policies) and `validate_entries` checks every entry, collecting ALL problems (never only the first).

Accepted spellings: "1,234", "3.8%", full-width digits and punctuation ("３．８％"), trailing spaces, a trailing unit
equal to the indicator's unit ("95家"); periods "2020", "2020年", "2020Q3", "2020年第三季度". Regions must be known
(the region table, data/regions.toml): an import never creates a region, so a typo cannot become a new region."""
from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

import pandas as pd

from store import limits
from vocab.labels import is_blank
from vocab.periods import normalise, parse_period
from vocab.text import clean_text

FORMULA_ERRORS = frozenset({"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#GETTING_DATA",
                            "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#UNKNOWN!", "#CONNECT!", "#BUSY!"})
# Units a clerk may write after a number; a unit other than the indicator's is a mismatch, never converted.
KNOWN_UNITS = frozenset({"元", "千元", "万元", "亿元", "万", "亿", "家", "个", "项", "名", "人", "件", "次", "位",
                         "%", "‰", "阶段"})
INTEGER_MEASURES = frozenset({"stock", "flow", "rank"})
TRUE_WORDS = frozenset({"是", "1", "TRUE", "Y", "YES", "示例", "示例数据"})
FALSE_WORDS = frozenset({"否", "0", "FALSE", "N", "NO", ""})
_NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$|^[+-]?\.\d+$")
_NUMBER_WITH_SUFFIX = re.compile(r"^([+-]?[\d.,]+)(\D*)$")


@dataclass(frozen=True)
class Problem:
    """One reason to refuse input, for the user: where (sheet, Excel row, column header), the value, what to do."""
    sheet: str
    row: int | None
    column: str
    value: str
    message: str

    def location(self) -> str:
        parts = [f"工作表“{self.sheet}”" if self.sheet else "文件"]
        if self.row is not None:
            parts.append(f"第 {self.row} 行")
        if self.column:
            parts.append(f"“{self.column}”列")
        return "".join(parts)

    def __str__(self) -> str:
        shown = f"（值：{self.value}）" if self.value else ""
        return f"{self.location()}{shown}：{self.message}"


def problems_frame(problems: Iterable[Problem]) -> pd.DataFrame:
    """Problems as a table with Chinese headers, for pages and the CLI."""
    rows = [{"工作表": p.sheet, "行": p.row, "列": p.column, "值": p.value, "问题": p.message} for p in problems]
    return pd.DataFrame(rows, columns=["工作表", "行", "列", "值", "问题"]).astype({"行": "Int64"})


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
    (region, indicator, code, period, value, unit, source, note, is_sample) to the header shown in messages."""
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


DEFAULT_COLUMNS = {"region": "地区", "indicator": "指标", "code": "指标代码", "period": "期间", "value": "数值",
                   "unit": "单位", "source": "来源", "note": "备注", "is_sample": "示例数据"}


# ------------------------------------------------------------------ small parsers (pure, each total)

def shown(value: Any) -> str:
    """A raw value as the user typed it, for messages (control characters cleaned)."""
    if is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return clean_text(str(value)).strip()


def parse_number(value: Any) -> tuple[float, str] | str:
    """(number, suffix) where suffix is '' or what followed the digits ('%', '家', '万元'), or a message.

    Accepts '1,234', '３．８％', ' 12 '. Formula errors (#DIV/0!) and text get their own messages."""
    if isinstance(value, bool):
        return "不是数值：请填写数字"
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            return "不是有效的数值：请填写数字"
        return float(value), ""
    if isinstance(value, (datetime, date, time)):
        return "这是日期，不是数值：请填写数字（可将单元格格式改为“常规”或“数值”）"
    text = normalise(value)
    if text.upper() in FORMULA_ERRORS:
        return f"公式错误 {text.upper()}：请检查公式或直接填写数值"
    if text.startswith("="):
        return "这是公式文本：请填写计算结果（数值）"
    m = _NUMBER_WITH_SUFFIX.match(text)
    if not m or not _NUMBER.match(m.group(1)):
        return "不是数值：请填写数字，如 1234、1,234 或 3.8%"
    suffix = m.group(2)
    if suffix and suffix not in KNOWN_UNITS:
        return "不是数值：请填写数字，如 1234、1,234 或 3.8%"
    number = float(m.group(1).replace(",", ""))
    if not math.isfinite(number):
        return "不是有效的数值：请填写数字"
    return number, suffix


def parse_flag(value: Any) -> bool | str:
    """是/否 (also 1/0, TRUE/FALSE) → bool, or a message."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = "" if is_blank(value) else normalise(value).upper()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    return "请填写“是”或“否”"


def text_or_blank(value: Any, multiline: bool = False) -> str:
    """A text cell as stored: control characters cleaned (vocab.text.clean_text), surrounding spaces stripped."""
    if is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return clean_text(str(value), multiline).strip()


def excel_precision(number: float) -> float:
    """Keep 15 significant digits, as Excel does: such a value survives any workbook unchanged."""
    return float(f"{number:.15g}") + 0.0  # + 0.0 turns -0.0 into 0.0


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
    sheet, row) and every problem found. Any problem means the caller must write nothing."""
    clean: list[dict[str, Any]] = []
    problems: list[Problem] = []
    seen: dict[tuple[str, str, int, int], tuple[str, int]] = {}
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
        if region is not None and code is not None and isinstance(period, tuple):
            _check_duplicate(e, (region, code, *period), seen, fail)
        if len(problems) == before:
            clean.append({"region": region, "indicator": code, "year": period[0], "quarter": period[1],
                          "value": value, "source": source, "note": note, "is_sample": flag,
                          "sheet": e.sheet, "row": e.row})
    return clean, _unique(problems)


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
    """A second row for the same region, indicator and period is a problem naming the first one."""
    if key in seen:
        sheet, row = seen[key]
        where = f"第 {row} 行" if sheet == e.sheet else f"工作表“{sheet}”第 {row} 行"
        fail("period", e.period, f"重复：与{where}的地区、指标、期间相同，请只保留一行")
    else:
        seen[key] = (e.sheet, e.row)


def _unique(problems: list[Problem]) -> list[Problem]:
    """The same problem reported once (a wrong unit in a template row is one problem, not one per year)."""
    return list(dict.fromkeys(problems))


# ------------------------------------------------------------------ task progress rows (the export's 任务进展 sheet)

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


def parse_date(value: Any) -> date | str:
    """A date cell or text such as 2020-12-31 / 2020/12/31 / 2020年12月31日, or a message."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if is_blank(value):
        return "日期为空：请填写报告日期（如 2020-12-31）"
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:T?\d{1,2}:\d{2}(?::\d{2})?)?", normalise(value))
    if m:
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            pass
    return "日期格式不正确：请填写如 2020-12-31 的日期"


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
    return clean, _unique(problems)
