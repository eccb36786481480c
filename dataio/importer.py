"""Read an uploaded workbook (the template, a plain long table, or our own export) or a long table saved as .csv
(UTF-8, UTF-8 with BOM, GB18030/GBK), validate every value, show what would change, and write it all in one
audited transaction — or nothing at all. Sizes are checked before any row is read (dataio.limits).

`import_workbook(engine, file, account, dry_run)` is the one function the page and `cli.py import` call; the account
is checked by access.guard (values outside the account's departments are problems of their rows)."""
from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pandas as pd
from openpyxl import load_workbook
from openpyxl.cell.read_only import EMPTY_CELL
from openpyxl.utils import column_index_from_string, get_column_letter
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DataError, IntegrityError, OperationalError, SQLAlchemyError

import db
from access import guard
from access.permissions import WRITER_ROLES
from dataio import limits
from dataio.validate import (
    Entry,
    Problem,
    ProgressEntry,
    Rules,
    validate_entries,
    validate_progress,
)
from vocab.accounts import Account
from vocab.labels import CHANGE_LABELS, TASK_STATUSES, is_blank
from vocab.periods import normalise, parse_period
from vocab.text import clean_text

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
HEADER_SCAN_ROWS = 20
CSV_SUFFIXES = frozenset({".csv", ".txt"})
# UTF-8 with or without BOM (Excel's "CSV UTF-8"), then GB18030, a superset of GBK (Excel's "CSV" on Chinese Windows)
CSV_ENCODINGS = ("utf-8-sig", "gb18030")
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


class SaveError(ValueError):
    """The database could not take the write (locked, a constraint, a text too long); nothing was written and the
    message is for the user."""


def database_error_message(exc: SQLAlchemyError) -> str:
    """A Chinese sentence for a database error on a write: what happened, that nothing was written, what to do."""
    detail = str(getattr(exc, "orig", exc)).lower()
    if isinstance(exc, OperationalError) and ("locked" in detail or "lock" in detail or "busy" in detail):
        return "数据库正忙（他人正在保存），本次未写入任何数据：请稍后再保存一次，您填写的内容仍保留。"
    if isinstance(exc, IntegrityError):
        return "保存失败：与数据库中已有的记录冲突（可能他人刚刚保存了同一项），本次未写入任何数据：请刷新后核对再保存。"
    if isinstance(exc, DataError):
        return "保存失败：有文字超过数据库允许的长度，本次未写入任何数据：请缩短后再保存。"
    return "数据库暂时无法写入，本次未写入任何数据：请稍后重试；如仍失败，请联系系统管理员。"


@contextmanager
def database_errors() -> Iterator[None]:
    """Turn the database's refusal of a write into a SaveError with a Chinese message (no traceback for users)."""
    try:
        yield
    except (OperationalError, IntegrityError, DataError) as exc:
        raise SaveError(database_error_message(exc)) from exc


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

def import_workbook(engine: Engine, file: str | Path | bytes | IO[bytes], account: Account | None = None,
                    dry_run: bool = False, reason: str = "Excel 导入", name: str | None = None) -> ImportResult:
    """Parse, validate and (unless dry_run or any problem) write the file's values in one transaction. The file is
    an .xlsx workbook or a .csv long table; `name` (default: the path's or upload's name) tells them apart.

    With an account, a value or task outside what it may write is a problem of its row (so the preview says so);
    writing needs an account that may write (vocab.accounts.PermissionDenied otherwise, nothing written)."""
    if account is not None or not dry_run:
        guard.require(account, WRITER_ROLES, "导入数据")
    entries, progress_entries, problems = read_workbook(file, name)
    if problems and not entries and not progress_entries:  # the file itself is refused: no need to ask the store
        return ImportResult(problems=problems)
    rules = load_rules(engine)
    clean, bad = validate_entries(entries, rules)
    policies = db.read_policies(engine)
    progress, bad_progress = validate_progress(progress_entries, db.read_tasks(engine), TASK_STATUSES,
                                               dict(zip(policies["code"], policies["start_year"])))
    problems = problems + bad + bad_progress
    if not problems and not clean and not progress:
        problems = [Problem("", None, "", "", "工作簿中没有可导入的数值：请在模板的年份列或长表的“数值”列中填写数据")]
    if not problems and account is not None:
        problems = permission_problems(guard.write_scope(engine, account), account, clean, progress)
    if problems:
        return ImportResult(problems=problems)
    result = ImportResult(plan=plan_changes(engine, clean), progress=plan_progress(engine, progress))
    if not dry_run:
        try:
            result.written = apply_plan(engine, result.plan, account=account, reason=reason, progress=result.progress)
        except SaveError as exc:
            result.problems = [Problem("", None, "", "", str(exc))]
    return result


def permission_problems(scope: guard.Scope, account: Account, clean: list[dict[str, Any]],
                        progress: list[dict[str, Any]]) -> list[Problem]:
    """One problem per row whose region, indicator or task the account may not write."""
    depts = "、".join(account.departments) or "本单位"
    message = f"账号{guard.account_text(account)}无权填报此项：只能填报{depts}牵头或参与的目标指标和任务"
    return ([Problem(r["sheet"], r["row"], "地区", r["region"], guard.region_refusal(scope, account, r["region"]))
             for r in clean if r["region"] not in scope.regions]
            + [Problem(r["sheet"], r["row"], "指标", scope.indicator_names.get(r["indicator"], r["indicator"]),
                       message)
               for r in clean if r["region"] in scope.regions and r["indicator"] not in scope.indicators]
            + [Problem(r["sheet"], r["row"], "条款", r["clause"], message)
               for r in progress if (r["policy"], r["clause"]) not in scope.tasks])


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


def apply_plan(engine: Engine, plan: pd.DataFrame, *, account: Account | None, reason: str,
               progress: pd.DataFrame | None = None) -> dict[str, int]:
    """Write the plan's new and changed values (and new progress updates) in one audited transaction, through
    access.guard (the account's role and departments are checked first). Each value carries the version seen at
    preview time (unchanged ones too): if anyone changed any of them since, the whole save is refused
    (db.ConcurrentEditError) and nothing is written; a database error becomes a SaveError with a Chinese message."""
    reason = clean_text(reason).strip()
    # every row, "unchanged" too: its version is checked as well, so what the preview showed is what is stored
    # column lists, not itertuples: an import brings thousands of rows
    fields = ["region", "indicator", "year", "quarter", "value", "source", "note", "is_sample", "expected_version"]
    rows = [{"region": region, "indicator": indicator, "year": int(year), "quarter": int(quarter),
             "value": float(value), "source": source, "note": note, "is_sample": bool(is_sample),
             "expected_version": None if pd.isna(seen) else int(seen)}
            for region, indicator, year, quarter, value, source, note, is_sample, seen
            in zip(*(plan[f].tolist() for f in fields))]
    updates = [] if progress is None else progress[progress["change"] == "new"].to_dict("records")
    with database_errors():
        counts = guard.save_plan_as(engine, account, rows, updates, reason=reason)
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

def read_workbook(file: str | Path | bytes | IO[bytes], name: str | None = None
                  ) -> tuple[list[Entry], list[ProgressEntry], list[Problem]]:
    """Every value in every data sheet (or the CSV file) as an Entry (raw cells), every row of a 任务进展 sheet as a
    ProgressEntry, plus problems with the file or its layout. Sizes are checked before any row is read
    (dataio.limits)."""
    name = name or _file_name(file)
    data = _read_bytes(file)
    if isinstance(data, Problem):
        return [], [], [data]
    if _is_csv(data, name):
        return _read_sheets(_csv_sheets(data, name))
    refused = _refuse_non_workbook(data)
    if refused:
        return [], [], [Problem("", None, "", "", refused)]
    return _read_sheets(_xlsx_sheets(data))


def _read_sheets(sheets: Iterator[tuple[str, list[tuple[int, list[Any]]]] | Problem]
                 ) -> tuple[list[Entry], list[ProgressEntry], list[Problem]]:
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


def _xlsx_sheets(data: bytes) -> Iterator[tuple[str, list[tuple[int, list[Any]]]] | Problem]:
    """(title, rows) for every data sheet of an .xlsx, or a Problem for a file or sheet too big to read."""
    unreadable = ("无法读取工作簿（{}）：文件可能已损坏，请用 Excel 或 WPS 打开后另存为 .xlsx 再上传")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            unpacked = sum(i.file_size for i in z.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        yield Problem("", None, "", "", unreadable.format(type(exc).__name__))
        return
    if unpacked > limits.MAX_UNPACKED_BYTES:
        yield Problem("", None, "", "", f"工作簿解压后有 {limits.size_text(unpacked)}，超过上限 "
                                        f"{limits.size_text(limits.MAX_UNPACKED_BYTES)}：请只保留需要导入的数据后另存再上传")
        return
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        yield Problem("", None, "", "", unreadable.format(type(exc).__name__))
        return
    archive = zipfile.ZipFile(io.BytesIO(data))
    try:
        for ws in wb.worksheets:
            if normalise(ws.title) in SKIPPED_SHEETS:
                continue
            too_big = _too_big(ws, archive)
            if too_big:
                yield too_big
                continue
            ws.reset_dimensions()  # some writers claim too small a range; the bounded read below is the truth
            yield _bounded(ws.title, _rows(ws))
    finally:
        wb.close()
        archive.close()


_CELL_COLUMN = re.compile(rb'<(?:\w+:)?c\s[^>]*?\br="([A-Z]{1,3})\d+"')
_ROW_NUMBER = re.compile(rb'<(?:\w+:)?row\s[^>]*?\br="(\d+)"')


def _too_big(ws, archive: zipfile.ZipFile) -> Problem | None:
    """A Problem when the sheet is larger than the limits, by its own claim (<dimension ref="A1:XFD6000">) or by
    the cells its XML really holds (a scan of the cell references, no cell objects built)."""
    rows, cols = ws.max_row or 0, ws.max_column or 0
    path = getattr(ws, "_worksheet_path", None)
    if rows <= limits.MAX_ROWS and cols <= limits.MAX_COLUMNS and path:
        xml = archive.read(path)
        rows = max((int(n) for n in _ROW_NUMBER.findall(xml)), default=0)
        cols = max((column_index_from_string(c.decode()) for c in set(_CELL_COLUMN.findall(xml))), default=0)
    if rows <= limits.MAX_ROWS and cols <= limits.MAX_COLUMNS:
        return None
    return Problem(ws.title, None, "", "", _too_big_message(
        f"使用范围为 A1:{get_column_letter(cols)}{rows}（{rows} 行 × {cols} 列）"))


def _too_big_message(what: str) -> str:
    return (f"{what}，超过可导入的上限（{limits.MAX_ROWS} 行 × {limits.MAX_COLUMNS} 列）：请删除数据区域以外的行和列"
            "（或把数据复制到新的工作表）后另存再上传")


def _bounded(sheet: str, rows: Iterator[tuple[int, list[Any]]]) -> tuple[str, list[tuple[int, list[Any]]]] | Problem:
    """The rows of a sheet (or CSV) read at most MAX_ROWS deep and MAX_COLUMNS wide, trailing blanks dropped; a
    Problem when there is more than that. `rows` must yield at most MAX_COLUMNS + 1 values per row."""
    kept: list[tuple[int, list[Any]]] = []
    for number, values in rows:
        if number > limits.MAX_ROWS:
            return Problem(sheet, None, "", "", _too_big_message(f"超过 {limits.MAX_ROWS} 行"))
        if len(values) > limits.MAX_COLUMNS and any(not is_blank(v) for v in values[limits.MAX_COLUMNS:]):
            return Problem(sheet, number, "", "", _too_big_message(f"第 {number} 行超过 {limits.MAX_COLUMNS} 列"))
        values = values[:limits.MAX_COLUMNS]
        while values and is_blank(values[-1]):
            values.pop()
        kept.append((number, values))
    return sheet, kept


def _file_name(file: Any) -> str | None:
    if isinstance(file, (str, Path)):
        return Path(file).name
    return getattr(file, "name", None) if not isinstance(file, (bytes, bytearray)) else None


def _is_csv(data: bytes, name: str | None) -> bool:
    """A .csv (or .txt) by its name; without a name, any text that is not a workbook (no NUL bytes)."""
    if name:
        return Path(name).suffix.lower() in CSV_SUFFIXES
    return bool(data) and not data.startswith((ZIP_MAGIC, OLE_MAGIC)) and b"\x00" not in data[:8192]


def _csv_sheets(data: bytes, name: str | None) -> Iterator[tuple[str, list[tuple[int, list[Any]]]] | Problem]:
    """The CSV file as one sheet named like the tab Excel shows for it (the file name without .csv); rows are
    numbered as Excel numbers them. Accepts UTF-8 (with or without BOM) and GB18030/GBK."""
    sheet = Path(name).stem if name else "CSV"
    text = _decode_csv(data)
    if text is None:
        yield Problem(sheet, None, "", "", "无法识别 CSV 文件的编码：请用 UTF-8（可带 BOM）或 GBK/GB18030 编码保存"
                                           "（Excel 中“另存为 → CSV UTF-8（逗号分隔）”或“CSV（逗号分隔）”均可）")
        return
    first = text.split("\n", 1)[0]
    delimiter = max([",", "\t", ";"], key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = ((n, [v.strip() for v in record[:limits.MAX_COLUMNS + 1]]) for n, record in enumerate(reader, 1))
        yield _bounded(sheet, rows)
    except csv.Error as exc:
        yield Problem(sheet, reader.line_num, "", "", f"CSV 格式有误（{exc}）：请用 Excel 打开后重新另存为 CSV")


def _decode_csv(data: bytes) -> str | None:
    for encoding in CSV_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _read_bytes(file: str | Path | bytes | IO[bytes]) -> bytes | Problem:
    """The file's bytes, or a Problem when it is larger than the upload limit (checked before reading it all)."""
    limit = limits.MAX_UPLOAD_BYTES
    if isinstance(file, (bytes, bytearray)):
        data = bytes(file)
    elif isinstance(file, (str, Path)):
        size = Path(file).stat().st_size
        data = b"" if size > limit else Path(file).read_bytes()
        if size > limit:
            return _too_large(size)
    elif hasattr(file, "getvalue"):
        data = file.getvalue()
    else:
        data = file.read(limit + 1)
    return _too_large(len(data)) if len(data) > limit else data


def _too_large(size: int) -> Problem:
    return Problem("", None, "", "", f"文件有 {limits.size_text(size)}，超过上限 {limits.MAX_UPLOAD_MB} MB："
                                     "请只保留需要导入的数据（或分成几个文件）后再上传")


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
        return ("文件不是 Excel 工作簿（.xlsx）或 CSV 文件：请上传用模板填写的 .xlsx 文件，或含“地区、指标、期间、数值、来源”列的"
                "表格（.xlsx 或 .csv）")
    return None


def _rows(ws) -> Iterator[tuple[int, list[Any]]]:
    """(Excel row number, cell values) with percent-formatted numbers turned into '3.8%' (Excel stores 0.038).
    Reads at most MAX_ROWS + 1 rows of MAX_COLUMNS + 1 cells: openpyxl would otherwise pad every row to the
    last column used anywhere (16,384 cells per row for one cell in column XFD)."""
    number = 0
    for cells in ws.iter_rows(max_col=limits.MAX_COLUMNS + 1, max_row=limits.MAX_ROWS + 1):
        # openpyxl pads each row to max_col with one shared EMPTY_CELL: drop that padding before looking at cells
        end = len(cells)
        while end and cells[end - 1] is EMPTY_CELL:
            end -= 1
        cells = cells[:end]
        number = next((c.row for c in cells if getattr(c, "row", None)), number + 1)
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
