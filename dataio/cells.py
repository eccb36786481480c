"""Parsers of one cell, pure and total: a number with its unit suffix, a yes/no flag, a text, a date, a 数据状态; and
the Problem every check reports (sheet, Excel row, column header, the value, a Chinese sentence). No database, no
files: dataio.validate and dataio.validate_progress build on these."""
from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

import pandas as pd

from vocab.labels import DATA_STATUS_BY_LABEL, DATA_STATUSES, is_blank
from vocab.periods import normalise
from vocab.text import clean_text

FORMULA_ERRORS = frozenset({"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#GETTING_DATA",
                            "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#UNKNOWN!", "#CONNECT!", "#BUSY!"})
# Units a clerk may write after a number; a unit other than the indicator's is a mismatch, never converted.
KNOWN_UNITS = frozenset({"元", "千元", "万元", "亿元", "万", "亿", "家", "个", "项", "名", "人", "件", "次", "位",
                         "%", "‰", "阶段"})
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




def unique_problems(problems: list[Problem]) -> list[Problem]:
    """The same problem reported once (a wrong unit in a template row is one problem, not one per year)."""
    return list(dict.fromkeys(problems))


# how statistics offices name the stages (GDP: 初步核算 → 初步核实 → 最终核实)
DATA_STATUS_SYNONYMS = {
    **dict.fromkeys(["预计数", "预计值", "预估"], "estimate"),
    **dict.fromkeys(["初步数", "初步值", "初步核算", "初步核算数"], "preliminary"),
    **dict.fromkeys(["核实数", "初步核实", "初步核实数", "最终核实", "最终核实数", "最终数"], "verified"),
    **dict.fromkeys(["修订数", "修订值", "修正数"], "revised"),
}
DATA_STATUS_HINT = (f"数据状态请填写：{'、'.join(DATA_STATUSES.values())}"
                    "（留空表示沿用该数据项已有的状态；新数据留空即为未注明）")


def parse_data_status(value: Any) -> tuple[str | None, str]:
    """A 数据状态 cell as (key, '') — None for a blank cell (the value keeps the vintage it has) — or (None,
    message). Accepts the words (初步 …), the statistics offices' names (初步核算, 最终核实 …) and the keys."""
    if is_blank(value):
        return None, ""
    text = normalise(value)
    if text in DATA_STATUS_BY_LABEL:
        return DATA_STATUS_BY_LABEL[text], ""
    if text.lower() in DATA_STATUSES:
        return text.lower(), ""
    if text in DATA_STATUS_SYNONYMS:
        return DATA_STATUS_SYNONYMS[text], ""
    return None, DATA_STATUS_HINT


def parse_release_date(value: Any, year: int | None, today: date | None = None) -> tuple[date | None, str]:
    """A 发布日期 cell as (date, '') — None for a blank cell — or (None, message): a readable date, not after today,
    not before the period's year began (a figure cannot be released before its period starts)."""
    if is_blank(value):
        return None, ""
    day = parse_date(value)
    if isinstance(day, str):
        return None, "发布日期格式不正确：请填写如 2023-09-18 的日期（不知道可留空）"
    today = today or date.today()
    if day > today:
        return None, f"发布日期 {day:%Y-%m-%d} 晚于今天（{today:%Y-%m-%d}）：请填写数据实际发布的日期"
    if year is not None and day < date(year, 1, 1):
        return None, f"发布日期 {day:%Y-%m-%d} 早于该期间（{year}年）开始：请检查发布日期或期间"
    return day, ""
