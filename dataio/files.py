"""Bytes to sheets: an uploaded .xlsx workbook or a .csv long table (UTF-8, UTF-8 with BOM, GB18030/GBK) as
(sheet title, numbered rows), sizes checked before any row is read (dataio.limits); a file that is not one of
those, or too big, is a Problem with a Chinese sentence. dataio.sheets turns the rows into entries."""
from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from openpyxl import load_workbook
from openpyxl.cell.read_only import EMPTY_CELL
from openpyxl.utils import column_index_from_string, get_column_letter

from dataio import limits
from dataio.cells import Problem
from vocab.labels import is_blank
from vocab.periods import normalise

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
CSV_SUFFIXES = frozenset({".csv", ".txt"})
# UTF-8 with or without BOM (Excel's "CSV UTF-8"), then GB18030, a superset of GBK (Excel's "CSV" on Chinese Windows)
CSV_ENCODINGS = ("utf-8-sig", "gb18030")
# Sheets that hold no observations (the template's instructions, the export's other tables): skipped by name.
SKIPPED_SHEETS = frozenset({"说明", "填报说明", "任务", "任务单位", "修改记录"})

Sheets = Iterator[tuple[str, list[tuple[int, list[Any]]]] | Problem]


def file_sheets(file: str | Path | bytes | IO[bytes], name: str | None = None) -> Sheets:
    """Every data sheet of the file (a CSV is one sheet) as (title, rows), or Problems for the file or a sheet."""
    name = name or _file_name(file)
    data = _read_bytes(file)
    if isinstance(data, Problem):
        return iter([data])
    if _is_csv(data, name):
        return _csv_sheets(data, name)
    refused = _refuse_non_workbook(data)
    if refused:
        return iter([Problem("", None, "", "", refused)])
    return _xlsx_sheets(data)


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
