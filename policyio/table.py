"""The 任务分解表 inside a file: the first sheet (.xlsx) or table (.docx) with a recognisable header row, title rows
above it (merged title cells are common), section rows ('一、创新主体培育') and data rows. Merged cells are read once
(a cell merged down several rows counts for each of them; a cell merged across columns once); line breaks inside
cells are kept. Header names vary: 目标任务 / 重点任务 / 工作任务 / 主要目标; 牵头单位 / 责任单位 / 配合单位 /
责任部门; 完成时限 / 时间节点 / 完成时间."""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from openpyxl import load_workbook
from openpyxl.utils import range_boundaries

from dataio import limits
from policyio.files import MAX_TABLE_ROWS, FileRefused, file_kind, read_bytes, too_many_rows
from vocab.labels import is_blank
from vocab.periods import normalise
from vocab.text import clean_text

HEADER_SCAN_ROWS = 15
SEQ_HEADERS = ("序号", "编号", "序", "No.", "NO.", "条款")
TASK_HEADERS = ("目标任务", "重点任务", "工作任务", "主要目标", "主要任务", "具体任务", "任务内容", "工作内容",
                "工作目标", "目标内容", "重点工作", "任务", "目标")
LEAD_HEADERS = ("牵头单位", "牵头部门", "主责单位", "牵头责任单位", "牵头")
RESPONSIBLE_HEADERS = ("责任单位", "责任部门", "主要责任单位")
SUPPORT_HEADERS = ("配合单位", "配合部门", "协办单位", "参与单位", "协助单位", "配合")
DUE_HEADERS = ("完成时限", "时间节点", "完成时间", "完成期限", "时限", "时间要求", "完成时限要求")
_NUMERAL = "[一二三四五六七八九十]+"
_SECTION = re.compile(rf"^(?:{_NUMERAL}[、.．]|[(（]{_NUMERAL}[)）]|第{_NUMERAL}[部分章节])")
_NOTE = re.compile(r"^(?:注|备注|说明)[:：]")


@dataclass(frozen=True)
class TableRow:
    """One data row: where it is (`number`: the Excel row, or the row within the Word table), its 序号, the section
    heading above it, and its cells as written (目标任务 with its line breaks)."""
    number: int
    seq: str
    section: str
    text: str
    lead: str
    units: str
    due: str


@dataclass
class Table:
    """The table found in a file: where ('工作表“Sheet1”' / '第 1 个表格'), the title text above its header, its
    headers as written by field, the rows, and whether the first 责任单位 leads (no 牵头单位 column)."""
    where: str
    titles: list[str]
    headers: dict[str, str]
    rows: list[TableRow] = field(default_factory=list)
    lead_from_units: bool = False


def read_table(file: str | Path | bytes | IO[bytes]) -> Table:
    """The 任务分解表 of an .xlsx or .docx file; FileRefused (Chinese message) when there is none or the file is
    refused."""
    data = read_bytes(file)
    kind = file_kind(data)
    grids = _xlsx_grids(data) if kind == "xlsx" else _docx_grids(data)
    seen_any = False
    for where, titles, grid in grids:
        seen_any = seen_any or any(any(not is_blank(v) for v in r) for _, r in grid)
        table = _table(where, titles, grid)
        if table is not None:
            if not table.rows:
                raise FileRefused(f"{where}只有表头，没有任何任务行：请填入任务后再上传")
            return table
    if not seen_any:
        raise FileRefused("文件中没有表格内容（空表）：请上传含任务分解表的 .xlsx 或 .docx 文件")
    raise FileRefused("没有找到任务分解表的表头：表头应含“目标任务”（或重点任务、工作任务、主要目标）和“牵头单位”"
                      "（或责任单位、配合单位、责任部门），最好还有“序号”和“完成时限”（或时间节点、完成时间）")


# ------------------------------------------------------------------ grids: (row number, cell texts)

Grid = list[tuple[int, list[str]]]


def _xlsx_grids(data: bytes):
    """(where, titles, grid) per worksheet. Rows are read bounded (MAX_TABLE_ROWS deep, dataio.limits.MAX_COLUMNS
    wide) in read-only mode; merged ranges come from the sheet's XML."""
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise FileRefused(f"无法读取工作簿（{type(exc).__name__}）：请用 Excel 或 WPS 打开后另存为 .xlsx "
                          "再上传") from exc
    archive = zipfile.ZipFile(io.BytesIO(data))
    try:
        for ws in wb.worksheets:
            xml = archive.read(ws._worksheet_path) if getattr(ws, "_worksheet_path", None) else b""
            last = max((int(n) for n in re.findall(rb'<(?:\w+:)?row\b[^>]*?\br="(\d+)"', xml)), default=0)
            where = f"工作表“{ws.title}”"
            if last > MAX_TABLE_ROWS:
                raise too_many_rows(last, where)
            grid: Grid = []
            for number, cells in enumerate(ws.iter_rows(max_row=MAX_TABLE_ROWS, max_col=limits.MAX_COLUMNS,
                                                        values_only=True), 1):
                grid.append((number, [_text(v) for v in cells]))
            yield where, [], _spread_merges(grid, re.findall(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z0-9:]+)"',
                                                               xml))
    finally:
        wb.close()
        archive.close()


def _spread_merges(grid: Grid, refs: list[bytes]) -> Grid:
    """A merged range's value in its first column on every row it spans (a title merged across columns is one
    cell; a unit merged down three rows belongs to each)."""
    values = {n: list(cells) for n, cells in grid}
    for ref in refs:
        try:
            c1, r1, c2, r2 = range_boundaries(ref.decode())
        except (ValueError, TypeError):
            continue
        top = values.get(r1, [])
        value = top[c1 - 1] if c1 - 1 < len(top) else ""
        for r in range(r1, min(r2, MAX_TABLE_ROWS) + 1):
            row = values.setdefault(r, [])
            row.extend([""] * (c2 - len(row)))
            row[c1 - 1] = value
            for c in range(c1, c2):
                row[c] = ""
    return [(n, values[n]) for n in sorted(values)]


def _docx_grids(data: bytes):
    """(where, titles, grid) per table of a Word document: the paragraphs above the first table are its titles.
    python-docx repeats a merged cell's object across its span: a cell is read once per row (by identity)."""
    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError
    try:
        doc = Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise FileRefused(f"无法读取 Word 文档（{type(exc).__name__}）：请用 Word 或 WPS 打开后另存为 .docx "
                          "再上传") from exc
    titles = [p.text for p in doc.paragraphs if p.text.strip()][:5]
    for i, table in enumerate(doc.tables, 1):
        where = f"第 {i} 个表格"
        if len(table.rows) > MAX_TABLE_ROWS:
            raise too_many_rows(len(table.rows), where)
        grid: Grid = []
        for number, row in enumerate(table.rows, 1):
            seen: set[int] = set()
            cells = []
            for cell in row.cells[:limits.MAX_COLUMNS]:
                cells.append("" if id(cell._tc) in seen else _text(cell.text))
                seen.add(id(cell._tc))
            grid.append((number, cells))
        yield where, titles, grid


def _text(value: Any) -> str:
    """A cell as text: numbers without '.0', dates as '2027年6月30日', control characters out, line breaks kept."""
    if is_blank(value):
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean_text(str(value), multiline=True).strip()


# ------------------------------------------------------------------ header and rows

def _field(header: str) -> str | None:
    text = re.sub(r"[（(\[【].*?[)）\]】]", "", normalise(header)).rstrip("*:：")
    for fields, name in ((SEQ_HEADERS, "seq"), (LEAD_HEADERS, "lead"), (RESPONSIBLE_HEADERS, "responsible"),
                         (SUPPORT_HEADERS, "support"), (DUE_HEADERS, "due"), (TASK_HEADERS, "task")):
        if text in fields:
            return name
    if "任务" in text or text.endswith("目标"):
        return "task"
    return None


def _table(where: str, titles: list[str], grid: Grid) -> Table | None:
    """The table whose header is the first row (of the first HEADER_SCAN_ROWS) naming a task column and a unit
    column; None when no row does."""
    for i, (_, cells) in enumerate(grid[:HEADER_SCAN_ROWS]):
        columns: dict[str, list[int]] = {}
        for c, v in enumerate(cells):
            name = _field(v) if v else None
            if name:
                columns.setdefault(name, []).append(c)
        if "task" in columns and {"lead", "responsible", "support"} & set(columns):
            above = [v for _, r in grid[:i] for v in r if v]
            return _rows(where, titles + above, columns, cells, grid[i + 1:])
    return None


def _rows(where: str, titles: list[str], columns: dict[str, list[int]], header: list[str], body: Grid) -> Table:
    """Data rows under the header; a row with one text spanning the table ('一、创新主体培育') starts a section."""
    if "lead" in columns:
        lead_cols, unit_cols = columns["lead"], columns.get("responsible", []) + columns.get("support", [])
    elif "responsible" in columns and "support" in columns:
        lead_cols, unit_cols = columns["responsible"], columns["support"]
    else:   # only 责任单位 / 责任部门 (or 配合单位): by custom the first unit named leads
        lead_cols, unit_cols = [], columns.get("responsible", []) + columns.get("support", [])
    headers = {name: "、".join(header[c] for c in cols) for name, cols in columns.items()}
    table = Table(where, titles, headers, lead_from_units=not lead_cols)
    seq_cols = set(columns.get("seq", []))

    def cell(cells: list[str], cols: list[int]) -> str:
        return "\n".join(cells[c] for c in cols if c < len(cells) and cells[c])

    section = ""
    for number, cells in body:
        filled = [(c, v) for c, v in enumerate(cells) if v]
        if not filled:
            continue
        first_col, first = filled[0]
        if len({v for _, v in filled}) == 1 and (_SECTION.match(normalise(first)) or (
                first_col in seq_cols and not re.fullmatch(r"[\d.、．]+", normalise(first)))):
            if not _NOTE.match(normalise(first)):   # a footnote under the table is skipped
                section = first
            continue
        table.rows.append(TableRow(number, normalise(cell(cells, columns.get("seq", []))), section,
                                   cell(cells, columns["task"]), cell(cells, lead_cols), cell(cells, unit_cols),
                                   cell(cells, columns.get("due", []))))
    return table
