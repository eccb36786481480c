"""What an uploaded 任务分解表 file is, by its content (never by its name): an .xlsx workbook or a .docx document,
checked before anything is parsed — size (dataio.limits), unpacked size (a zip bomb stops here), macros (a .docm or
.xlsm renamed), old binary formats and encrypted files. Every refusal is a Chinese sentence."""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import IO

from dataio import limits

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
MAX_TABLE_ROWS = 1000   # a 任务分解表 has tens of rows, a few hundred at most: anything longer is not one
MAIN_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": "xlsx",
}
MACRO_TYPES = {
    "application/vnd.ms-word.document.macroEnabled.main+xml": "启用宏的 Word 文档（.docm）",
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml": "启用宏的 Word 模板（.dotm）",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml": "启用宏的 Excel 工作簿（.xlsm）",
    "application/vnd.ms-excel.template.macroEnabled.main+xml": "启用宏的 Excel 模板（.xltm）",
}
_OVERRIDE = re.compile(rb'<Override\b[^>]*PartName="/(?:word/document|xl/workbook)\.xml"[^>]*ContentType="([^"]+)"'
                       rb'|<Override\b[^>]*ContentType="([^"]+)"[^>]*PartName="/(?:word/document|xl/workbook)\.xml"')


class FileRefused(ValueError):
    """The file cannot be read as a 任务分解表; the message says why and what to do, in Chinese."""


def read_bytes(file: str | Path | bytes | IO[bytes]) -> bytes:
    """The file's bytes; FileRefused when larger than the upload limit (checked before reading it all)."""
    limit = limits.MAX_UPLOAD_BYTES
    if isinstance(file, (bytes, bytearray)):
        data = bytes(file)
    elif isinstance(file, (str, Path)):
        size = Path(file).stat().st_size
        if size > limit:
            raise FileRefused(_too_large(size))
        data = Path(file).read_bytes()
    elif hasattr(file, "getvalue"):
        data = file.getvalue()
    else:
        data = file.read(limit + 1)
    if len(data) > limit:
        raise FileRefused(_too_large(len(data)))
    return data


def _too_large(size: int) -> str:
    return (f"文件有 {limits.size_text(size)}，超过上限 {limits.MAX_UPLOAD_MB} MB：任务分解表通常只有几十 KB，"
            "请确认选对了文件（或删去表格以外的图片等内容后另存再上传）")


def file_kind(data: bytes) -> str:
    """'xlsx' or 'docx' by the package's own content type; FileRefused for anything else."""
    if not data:
        raise FileRefused("文件是空的（0 字节）：请重新选择任务分解表文件")
    if data.startswith(OLE_MAGIC):
        if "EncryptionInfo".encode("utf-16-le") in data or "EncryptedPackage".encode("utf-16-le") in data:
            raise FileRefused("文件设置了打开密码，无法读取：请取消密码后另存再上传")
        raise FileRefused("这是旧版 Word（.doc）或 Excel（.xls）文件：请在 Word/WPS 中另存为 .docx，"
                          "或在 Excel/WPS 中另存为 .xlsx 后再上传")
    if not data.startswith(ZIP_MAGIC):
        raise FileRefused("文件不是 Excel 工作簿（.xlsx）或 Word 文档（.docx）：请上传任务分解表的 .xlsx 或 .docx 文件")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            members = z.infolist()
            names = {i.filename for i in members}
            types = z.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FileRefused(f"无法打开文件（{type(exc).__name__}）：文件可能已损坏，"
                          "请用 Word/Excel 打开后另存再上传") from exc
    unpacked = sum(i.file_size for i in members)
    if unpacked > limits.MAX_UNPACKED_BYTES:
        raise FileRefused(f"文件解压后有 {limits.size_text(unpacked)}，超过上限 "
                          f"{limits.size_text(limits.MAX_UNPACKED_BYTES)}：请确认选对了文件")
    main = next((a or b for a, b in _OVERRIDE.findall(types)), b"").decode("ascii", "replace")
    if main in MACRO_TYPES or any(n.lower().endswith("vbaproject.bin") for n in names):
        what = MACRO_TYPES.get(main, "含宏的文档")
        raise FileRefused(f"文件是{what}（可能改过扩展名），含有宏代码，出于安全不予读取：请在 Word/Excel 中“另存为”"
                          "不含宏的 .docx 或 .xlsx 后再上传")
    if main not in MAIN_TYPES:
        raise FileRefused("文件不是 Excel 工作簿（.xlsx）或 Word 文档（.docx）：请上传任务分解表的 .xlsx 或 .docx 文件")
    return MAIN_TYPES[main]


def too_many_rows(count: int, where: str) -> FileRefused:
    return FileRefused(f"{where}有 {count} 行，超过任务分解表的上限 {MAX_TABLE_ROWS} 行：请确认选对了文件，"
                       "或把表格拆分为几个文件分别导入")
