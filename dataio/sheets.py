"""Sheets to entries: find the header of each sheet (a long table, the template's years as columns, a 任务进展
sheet), over several rows and merged cells, and read every value as an Entry of raw cells (dataio.validate checks
them). `read_workbook` is the whole way from a file to entries (dataio.files reads the file)."""
from __future__ import annotations

import re
from pathlib import Path
from typing import IO, Any

from dataio.cells import Problem
from dataio.files import Sheets, file_sheets
from dataio.validate import Entry
from dataio.validate_progress import ProgressEntry
from vocab.labels import is_blank
from vocab.periods import normalise, parse_period

HEADER_SCAN_ROWS = 20
PROGRESS_SHEET = "任务进展"
PROGRESS_HEADERS: dict[str, str] = {
    "政策": "policy", "条款": "clause", "任务条款": "clause", "状态": "status", "进展": "progress",
    "进展情况": "progress", "佐证材料": "evidence", "佐证": "evidence", "报告日期": "reported_on", "日期": "reported_on",
    "填报人": "reported_by", "报告单位": "reported_by", "示例数据": "is_sample",
}
# Header spellings → field. Text in brackets is ignored: "来源（必填）" is 来源.
HEADERS: dict[str, str] = {
    **dict.fromkeys(["地区", "区域", "县市", "地区名称"], "region"),
    **dict.fromkeys(["指标", "指标名称", "指标名"], "indicator"),
    **dict.fromkeys(["指标代码", "代码", "指标编码"], "code"),
    **dict.fromkeys(["期间", "年份", "年度", "时间", "统计期", "统计期间"], "period"),
    **dict.fromkeys(["数值", "值", "指标值", "数据"], "value"),
    **dict.fromkeys(["单位", "计量单位"], "unit"),
    **dict.fromkeys(["来源", "数据来源", "出处"], "source"),
    **dict.fromkeys(["备注"], "note"),
    **dict.fromkeys(["示例数据", "是否示例数据"], "is_sample"),
    **dict.fromkeys(["数据状态", "数据阶段"], "data_status"),
    **dict.fromkeys(["发布日期", "公布日期", "发布时间"], "released_on"),
}

def read_workbook(file: str | Path | bytes | IO[bytes], name: str | None = None
                  ) -> tuple[list[Entry], list[ProgressEntry], list[Problem]]:
    """Every value in every data sheet (or the CSV file) as an Entry (raw cells), every row of a 任务进展 sheet as a
    ProgressEntry, plus problems with the file or its layout. Sizes are checked before any row is read
    (dataio.limits)."""
    return read_sheets(file_sheets(file, name))


def read_sheets(sheets: Sheets) -> tuple[list[Entry], list[ProgressEntry], list[Problem]]:
    """Entries, progress entries and problems from (title, rows) per sheet; a Problem in the stream is a sheet
    (or the file) refused as it is."""
    entries: list[Entry] = []
    progress: list[ProgressEntry] = []
    problems: list[Problem] = []
    any_data = False
    for sheet in sheets:
        if isinstance(sheet, Problem):
            problems.append(sheet)
            any_data = True
            continue
        title, rows = sheet
        if not any(any(not is_blank(v) for v in r) for _, r in rows):
            continue
        any_data = True
        if normalise(title) == PROGRESS_SHEET:
            got_progress, bad = _read_progress(title, rows)
            progress += got_progress
        else:
            got, bad = _read_sheet(title, rows)
            entries += got
        problems += bad
    if not any_data:
        problems.append(Problem("", None, "", "", "工作簿是空的：没有任何数据"))
    return entries, progress, problems


def _header_text(value: Any) -> str:
    """A header without hints in brackets or a trailing colon/asterisk: '来源（必填）' → '来源'."""
    return re.sub(r"[（(\[【].*?[)）\]】]", "", normalise(value)).rstrip("*:：")


def header_field(value: Any) -> str | None:
    """The field a header cell names ('来源（必填）' → 'source'), or None."""
    if is_blank(value) or not isinstance(value, str):
        return None
    return HEADERS.get(_header_text(value))


def header_period(value: Any) -> tuple[int, int] | None:
    """A year or quarter column header (2020, '2020年', '2020Q3'), or None."""
    if is_blank(value) or isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = re.sub(r"[（(].*?[)）]", "", normalise(value))
    p = parse_period(value)
    return p if isinstance(p, tuple) and 1900 <= p[0] <= 2100 else None


def _read_sheet(sheet: str, rows: list[tuple[int, list[Any]]]) -> tuple[list[Entry], list[Problem]]:
    """Find the header (possibly over several rows, merged cells only filled top-left), then read the data."""
    fields: dict[int, str] = {}
    periods: dict[int, Any] = {}
    headers: dict[int, str] = {}
    for i, (rownum, values) in enumerate(rows[:HEADER_SCAN_ROWS]):
        for col, v in enumerate(values):
            if (f := header_field(v)) is not None:
                fields[col], headers[col] = f, _header_text(v)
                periods.pop(col, None)
            elif header_period(v) is not None and (isinstance(v, str) or _looks_like_header_row(values)):
                periods[col], headers[col] = v, normalise(v) if isinstance(v, str) else str(int(v))
                fields.pop(col, None)
        named = set(fields.values())
        has_indicator = bool(named & {"indicator", "code"})
        if has_indicator and {"period", "value"} <= named:
            return _read_long(sheet, rows[i + 1:], fields, headers, _region_label(rows[:i]))
        if has_indicator and periods and "period" not in named:
            return _read_wide(sheet, rows[i + 1:], fields, periods, headers, _region_label(rows[:i]))
    return [], [Problem(sheet, None, "", "", "找不到表头：需要“指标”（或“指标代码”）列，以及“期间”和“数值”两列（长表），"
                                             "或年份列（填报模板）；如果这不是数据表，请删除该工作表")]


def _looks_like_header_row(values: list[Any]) -> bool:
    """A row of numbers is a header only when it also names a field (e.g. 指标 | 单位 | 2019 | 2020)."""
    return any(header_field(v) for v in values)


def _region_label(rows: list[tuple[int, list[Any]]]) -> Any:
    """A region written above the header: a cell '地区' followed by the name, or one cell '地区：长垣市'."""
    for _, values in rows:
        for col, v in enumerate(values):
            if not isinstance(v, str):
                continue
            text = normalise(v)
            if text.startswith(("地区:", "地区：")) and len(text) > 3:
                return text[3:]
            if text in ("地区", "地区:", "地区："):
                rest = [x for x in values[col + 1:] if not is_blank(x)]
                if rest:
                    return rest[0]
    return None


def _cell(values: list[Any], col: int | None) -> Any:
    return values[col] if col is not None and col < len(values) else None


def _read_long(sheet: str, rows, fields, headers, region_label) -> tuple[list[Entry], list[Problem]]:
    col = {f: c for c, f in sorted(fields.items(), reverse=True)}  # first column wins when a field repeats
    problems = []
    if "source" not in col:
        problems.append(Problem(sheet, None, "来源", "", "缺少“来源”列：每个数值都要写明数据出处"))
    if "region" not in col and region_label is None:
        problems.append(Problem(sheet, None, "地区", "", "缺少“地区”列：请增加“地区”列，或在表头上方写“地区：长垣市”"))
    columns = {f: headers[c] for f, c in col.items()}
    entries = []
    for rownum, values in rows:
        if all(is_blank(v) for v in values):
            continue
        entries.append(Entry(
            sheet=sheet, row=rownum,
            region=_cell(values, col.get("region")) if "region" in col else region_label,
            indicator=_cell(values, col.get("indicator")), code=_cell(values, col.get("code")),
            period=_cell(values, col.get("period")), value=_cell(values, col.get("value")),
            unit=_cell(values, col.get("unit")), source=_cell(values, col.get("source")),
            note=_cell(values, col.get("note")), is_sample=_cell(values, col.get("is_sample")), columns=columns,
            data_status=_cell(values, col.get("data_status")), released_on=_cell(values, col.get("released_on"))))
    return entries, problems


def _read_wide(sheet: str, rows, fields, periods, headers, region_label) -> tuple[list[Entry], list[Problem]]:
    """The template: one row per indicator, one column per year; the row's 来源, 备注, 数据状态 and 发布日期 apply to
    all its years."""
    col = {f: c for c, f in sorted(fields.items(), reverse=True)}
    problems = []
    if "source" not in col:
        problems.append(Problem(sheet, None, "来源", "", "缺少“来源”列：每一行都要写明数据出处"))
    if "region" not in col and region_label is None:
        problems.append(Problem(sheet, None, "地区", "", "未填写地区：请在表头上方的“地区”格中填写地区名称"))
    entries = []
    for rownum, values in rows:
        filled = [(c, values[c]) for c in periods if c < len(values) and not is_blank(values[c])]
        if not filled:
            continue
        for c, v in filled:
            entries.append(Entry(
                sheet=sheet, row=rownum,
                region=_cell(values, col.get("region")) if "region" in col else region_label,
                indicator=_cell(values, col.get("indicator")), code=_cell(values, col.get("code")),
                period=periods[c], value=v, unit=_cell(values, col.get("unit")),
                source=_cell(values, col.get("source")), note=_cell(values, col.get("note")),
                data_status=_cell(values, col.get("data_status")), released_on=_cell(values, col.get("released_on")),
                columns={**{f: headers[c2] for f, c2 in col.items()}, "value": headers[c], "period": headers[c]}))
    return entries, problems


def _read_progress(sheet: str, rows: list[tuple[int, list[Any]]]) -> tuple[list[ProgressEntry], list[Problem]]:
    """The 任务进展 sheet (as exported): 政策, 条款, 状态, 进展, 佐证材料, 报告日期, 填报人, 示例数据."""
    for i, (_, values) in enumerate(rows[:HEADER_SCAN_ROWS]):
        fields = {c: PROGRESS_HEADERS.get(_header_text(v)) for c, v in enumerate(values) if isinstance(v, str)}
        col = {f: c for c, f in sorted(fields.items(), reverse=True) if f}
        if {"clause", "status", "progress"} <= set(col):
            break
    else:
        return [], [Problem(sheet, None, "", "", "找不到表头：任务进展表需要“条款”“状态”“进展”列")]
    columns = {f: _header_text(rows[i][1][c]) for f, c in col.items()}
    entries = [ProgressEntry(sheet=sheet, row=rownum, columns=columns,
                             **{f: _cell(values, c) for f, c in col.items()})
               for rownum, values in rows[i + 1:] if not all(is_blank(v) for v in values)]
    return entries, []
