"""Read an uploaded workbook (the template, a plain long table, or our own export), validate every value, show
what would change, and write it all in one audited transaction — or nothing at all.

`import_workbook(engine, file, who, dry_run)` is the one function the page and `cli.py import` call."""
from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pandas as pd
from sqlalchemy.engine import Engine

import db
from dataio.validate import (
    Entry,
    Problem,
    ProgressEntry,
    Rules,
    is_blank,
    normalise,
    parse_period,
    validate_entries,
    validate_progress,
)
from views.labels import CHANGE_LABELS, TASK_STATUSES

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
HEADER_SCAN_ROWS = 20
# Sheets that hold no observations (the template's instructions, the export's other tables): skipped by name.
SKIPPED_SHEETS = frozenset({"说明", "填报说明", "任务", "任务单位", "修改记录"})
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
}
PROGRESS_PLAN_COLUMNS = ["change", "policy", "clause", "status", "progress", "evidence", "reported_on",
                         "reported_by", "is_sample", "sheet", "row"]
PLAN_COLUMNS = ["change", "region", "indicator", "indicator_name", "unit", "period", "year", "quarter", "old_value",
                "value", "old_source", "source", "note", "is_sample", "expected_version", "sheet", "row"]


@dataclass
class ImportResult:
    """Problems (nothing written when any), the plan (one row per value: new | update | unchanged, old → new),
    and the counts written (None for a dry run or a refused file)."""
    problems: list[Problem] = field(default_factory=list)
    plan: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PLAN_COLUMNS))
    progress: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PROGRESS_PLAN_COLUMNS))
    written: dict[str, int] | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def counts(self) -> dict[str, int]:
        vc = self.plan["change"].value_counts()
        return {k: int(vc.get(k, 0)) for k in CHANGE_LABELS}

    def new_progress(self) -> int:
        return int((self.progress["change"] == "new").sum())

    def summary(self) -> str:
        c = self.counts()
        text = f"新增 {c['new']} 条，修改 {c['update']} 条，不变 {c['unchanged']} 条"
        if len(self.progress):
            text += f"；任务进展新增 {self.new_progress()} 条，已有 {len(self.progress) - self.new_progress()} 条"
        return text


# ------------------------------------------------------------------ the one entry point

def import_workbook(engine: Engine, file: str | Path | bytes | IO[bytes], who: str, dry_run: bool = False,
                    reason: str = "Excel 导入") -> ImportResult:
    """Parse, validate and (unless dry_run or any problem) write the workbook's values in one transaction."""
    rules = load_rules(engine)
    entries, progress_entries, problems = read_workbook(file)
    clean, bad = validate_entries(entries, rules)
    progress, bad_progress = validate_progress(progress_entries, db.read_tasks(engine), TASK_STATUSES)
    problems = problems + bad + bad_progress
    if not problems and not clean and not progress:
        problems = [Problem("", None, "", "", "工作簿中没有可导入的数值：请在模板的年份列或长表的“数值”列中填写数据")]
    if problems:
        return ImportResult(problems=problems)
    result = ImportResult(plan=plan_changes(engine, clean), progress=plan_progress(engine, progress))
    if not dry_run:
        result.written = apply_plan(engine, result.plan, who=who, reason=reason, progress=result.progress)
    return result


def load_rules(engine: Engine) -> Rules:
    return Rules.from_frames(db.read_indicators(engine), db.read_regions(engine), db.read_policies(engine))


def plan_changes(engine: Engine, clean: list[dict[str, Any]],
                 seen_versions: dict[tuple[str, str, int, int], int] | None = None) -> pd.DataFrame:
    """What saving the clean rows would do: for each, the current value and whether it is new, an update or
    unchanged, and the version the save expects (compare-and-set). By default that is the current version; the
    grid passes seen_versions, the versions the user had on screen (a key missing there = "I saw no value")."""
    new = pd.DataFrame(clean, columns=["region", "indicator", "year", "quarter", "value", "source", "note",
                                       "is_sample", "sheet", "row"])
    if new.empty:
        return pd.DataFrame(columns=PLAN_COLUMNS)
    keys = ["region", "indicator", "year", "quarter"]
    old = (db.read_observations(engine, regions=sorted(set(new["region"])), indicators=sorted(set(new["indicator"])))
           [[*keys, "value", "source", "note", "is_sample", "version"]]
           .rename(columns={"value": "old_value", "source": "old_source", "note": "old_note",
                            "is_sample": "old_is_sample", "version": "expected_version"}))
    inds = db.read_indicators(engine)[["code", "name", "unit"]].rename(columns={"code": "indicator",
                                                                               "name": "indicator_name"})
    plan = new.astype({"year": "int64", "quarter": "int64"}).merge(old, on=keys, how="left").merge(
        inds, on="indicator", how="left")
    exists = plan["expected_version"].notna()
    same = (exists & (plan["old_value"] == plan["value"]) & (plan["old_source"] == plan["source"])
            & (plan["old_note"] == plan["note"]) & (plan["old_is_sample"] == plan["is_sample"]))
    plan = plan.assign(
        change=["unchanged" if s else "update" if e else "new" for s, e in zip(same, exists)],
        period=[db.period_label(y, q) for y, q in zip(plan["year"], plan["quarter"])],
        expected_version=plan["expected_version"].astype("Int64") if seen_versions is None else pd.array(
            [seen_versions.get(k) for k in zip(plan["region"], plan["indicator"], plan["year"], plan["quarter"])],
            dtype="Int64"),
    )
    return plan[PLAN_COLUMNS]


def plan_progress(engine: Engine, clean: list[dict[str, Any]]) -> pd.DataFrame:
    """Progress rows to add: 'new', or 'unchanged' when an identical update is already stored (so that importing
    the same export twice adds nothing)."""
    rows = pd.DataFrame(clean, columns=PROGRESS_PLAN_COLUMNS[1:])
    stored = db.read_progress(engine)
    keys = ["policy", "clause", "status", "progress", "evidence", "reported_on", "reported_by", "is_sample"]
    stored = stored.assign(is_sample=stored["is_sample"].astype(bool))
    have = set(stored[keys].itertuples(index=False, name=None))
    change = ["unchanged" if tuple(r) in have else "new" for r in rows[keys].itertuples(index=False)]
    return rows.assign(change=change)[PROGRESS_PLAN_COLUMNS]


def apply_plan(engine: Engine, plan: pd.DataFrame, *, who: str, reason: str,
               progress: pd.DataFrame | None = None) -> dict[str, int]:
    """Write the plan's new and changed values (and new progress updates) in one audited transaction. Each value
    carries the version seen at preview time (unchanged ones too): if anyone changed any of them since, the whole
    save is refused (db.ConcurrentEditError) and nothing is written."""
    if not str(who or "").strip():
        raise ValueError("请填写填报人姓名后再保存")
    # every row, "unchanged" too: its version is checked as well, so what the preview showed is what is stored
    rows = [{"region": r.region, "indicator": r.indicator, "year": int(r.year), "quarter": int(r.quarter),
             "value": float(r.value), "source": r.source, "note": r.note, "is_sample": bool(r.is_sample),
             "expected_version": None if pd.isna(r.expected_version) else int(r.expected_version)}
            for r in plan.itertuples(index=False)]
    updates = progress[progress["change"] == "new"] if progress is not None else progress
    counts = {"created": 0, "updated": 0, "unchanged": 0, "progress": 0}
    with db.session_scope(engine) as s:
        if rows:
            counts.update(db.save_observations(engine, rows, who=who.strip(), reason=reason, session=s))
        for r in (updates.itertuples(index=False) if updates is not None else ()):
            db.add_progress(engine, r.policy, r.clause, status=r.status, progress=r.progress, evidence=r.evidence,
                            reported_on=r.reported_on, reported_by=r.reported_by, who=who.strip(),
                            is_sample=bool(r.is_sample), session=s)
            counts["progress"] += 1
    return counts


def preview_frame(plan: pd.DataFrame) -> pd.DataFrame:
    """The plan as the user reads it: 变更, 地区, 指标, 期间, 原值 → 新值, 来源."""
    return pd.DataFrame({
        "变更": plan["change"].map(CHANGE_LABELS), "地区": plan["region"], "指标": plan["indicator_name"],
        "单位": plan["unit"], "期间": plan["period"], "原值": plan["old_value"], "新值": plan["value"],
        "原来源": plan["old_source"].fillna(""), "来源": plan["source"], "示例数据": plan["is_sample"],
    })


def progress_preview_frame(progress: pd.DataFrame) -> pd.DataFrame:
    """Progress rows as the user reads them: 变更, 条款, 状态, 进展, 日期, 填报人."""
    return pd.DataFrame({
        "变更": progress["change"].map(CHANGE_LABELS), "条款": progress["clause"],
        "状态": progress["status"].map(TASK_STATUSES), "进展": progress["progress"], "佐证材料": progress["evidence"],
        "报告日期": progress["reported_on"].astype(str), "填报人": progress["reported_by"],
        "示例数据": progress["is_sample"],
    })


# ------------------------------------------------------------------ reading the file

def read_workbook(file: str | Path | bytes | IO[bytes]) -> tuple[list[Entry], list[ProgressEntry], list[Problem]]:
    """Every value in every data sheet as an Entry (raw cells), every row of a 任务进展 sheet as a ProgressEntry,
    plus problems with the file or its layout."""
    data = _read_bytes(file)
    refused = _refuse_non_workbook(data)
    if refused:
        return [], [], [Problem("", None, "", "", refused)]
    from openpyxl import load_workbook
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        return [], [], [Problem("", None, "", "", f"无法读取工作簿（{type(exc).__name__}）：文件可能已损坏，"
                                                  "请用 Excel 或 WPS 打开后另存为 .xlsx 再上传")]
    entries: list[Entry] = []
    progress: list[ProgressEntry] = []
    problems: list[Problem] = []
    any_data = False
    try:
        for ws in wb.worksheets:
            if normalise(ws.title) in SKIPPED_SHEETS:
                continue
            ws.reset_dimensions()
            rows = list(_rows(ws))
            if not any(any(not is_blank(v) for v in r) for _, r in rows):
                continue
            any_data = True
            if normalise(ws.title) == PROGRESS_SHEET:
                got_progress, bad = _read_progress(ws.title, rows)
                progress += got_progress
            else:
                got, bad = _read_sheet(ws.title, rows)
                entries += got
            problems += bad
    finally:
        wb.close()
    if not any_data:
        problems.append(Problem("", None, "", "", "工作簿是空的：没有任何数据"))
    return entries, progress, problems


def _read_bytes(file: str | Path | bytes | IO[bytes]) -> bytes:
    if isinstance(file, (bytes, bytearray)):
        return bytes(file)
    if isinstance(file, (str, Path)):
        return Path(file).read_bytes()
    if hasattr(file, "getvalue"):
        return file.getvalue()
    return file.read()


def _refuse_non_workbook(data: bytes) -> str | None:
    """A message for bytes that are not an .xlsx workbook (empty, encrypted, old .xls, anything else)."""
    if not data:
        return "文件是空的（0 字节）：请重新导出或选择正确的文件"
    if data.startswith(OLE_MAGIC):
        if "EncryptionInfo".encode("utf-16-le") in data or "EncryptedPackage".encode("utf-16-le") in data:
            return ("文件设置了打开密码，无法读取：请在 Excel 中取消密码（文件 → 信息 → 保护工作簿 → 用密码进行加密，"
                    "清空密码）后另存为 .xlsx 再上传")
        return "这是旧版 Excel（.xls）文件：请在 Excel 或 WPS 中另存为 .xlsx 后再上传"
    if not data.startswith(ZIP_MAGIC):
        return "文件不是 Excel 工作簿（.xlsx）：请上传用模板填写的 .xlsx 文件，或含“地区、指标、期间、数值、来源”列的表格"
    return None


def _rows(ws) -> Iterator[tuple[int, list[Any]]]:
    """(Excel row number, cell values) with percent-formatted numbers turned into '3.8%' (Excel stores 0.038)."""
    number = 0
    for cells in ws.iter_rows():
        rownums = [c.row for c in cells if getattr(c, "row", None)]
        number = rownums[0] if rownums else number + 1
        values = []
        for c in cells:
            v = c.value
            if isinstance(v, (int, float)) and not isinstance(v, bool) and "%" in (c.number_format or ""):
                v = f"{round(v * 100, 9)!r}%"
            values.append(v)
        yield number, values


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
            note=_cell(values, col.get("note")), is_sample=_cell(values, col.get("is_sample")), columns=columns))
    return entries, problems


def _read_wide(sheet: str, rows, fields, periods, headers, region_label) -> tuple[list[Entry], list[Problem]]:
    """The template: one row per indicator, one column per year; the row's 来源 applies to all its years."""
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
