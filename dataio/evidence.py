"""佐证材料 files checked before anything is stored: the type is read from the bytes (never from the name), a PDF must
open, an image must decode, a DOCX/XLSX (a zip) must hold the parts of its kind and unpack to a bounded size, and
no file may exceed the size limit. Pure: name and bytes in, a checked file or a Chinese sentence out.

Accepted: PDF, JPEG, PNG, DOCX, XLSX. Everything else is refused by what it is (an executable, an SVG, an old
Office file, a macro-enabled workbook, an encrypted file …), so the user learns what to send instead."""
from __future__ import annotations

import hashlib
import io
import re
import warnings
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass

from dataio.limits import size_text
from vocab.text import clean_text


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    mime: str
    extension: str


KINDS: dict[str, Kind] = {k.key: k for k in (
    Kind("pdf", "PDF 文件", "application/pdf", ".pdf"),
    Kind("jpeg", "JPEG 图片", "image/jpeg", ".jpg"),
    Kind("png", "PNG 图片", "image/png", ".png"),
    Kind("docx", "Word 文档", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"),
    Kind("xlsx", "Excel 工作簿", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
)}
ACCEPTED_TEXT = "PDF、JPEG、PNG、Word（.docx）或 Excel（.xlsx）"
UPLOAD_EXTENSIONS = ["pdf", "jpg", "jpeg", "png", "docx", "xlsx"]  # the uploader's filter; the bytes decide

# the parts a package of each kind must hold, and the macro parts it must not
_PACKAGE_PARTS = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}
_MACRO_PART = re.compile(r"(^|/)(vbaProject\.bin|vbaData\.xml)$|(^|/)activeX/", re.IGNORECASE)
_MAX_MEMBERS = 2000
_NAME_FORBIDDEN = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
MAX_NAME_LENGTH = 100


@dataclass(frozen=True)
class Limits:
    """[evidence] of data/settings.toml: bytes per file, unpacked bytes of a DOCX/XLSX, pixels of an image, files
    per report."""
    max_bytes: int = 10 * 1024 * 1024
    max_unpacked_bytes: int = 100 * 1024 * 1024
    max_pixels: int = 40_000_000
    max_files: int = 5

    @classmethod
    def from_settings(cls, settings: dict) -> Limits:
        ev = settings.get("evidence", {})
        return cls(max_bytes=int(float(ev.get("max_file_mb", 10)) * 1024 * 1024),
                   max_unpacked_bytes=int(float(ev.get("max_unpacked_mb", 100)) * 1024 * 1024),
                   max_pixels=int(ev.get("max_image_pixels", 40_000_000)),
                   max_files=int(ev.get("max_files", 5)))


@dataclass(frozen=True)
class EvidenceFile:
    """A checked file: the name it is stored and offered under (the user's, made safe, with the extension of what
    the bytes are), its kind and MIME type from the bytes, the bytes and their SHA-256."""
    name: str
    kind: str
    mime: str
    data: bytes
    sha256: str

    @property
    def size(self) -> int:
        return len(self.data)


class EvidenceRefused(ValueError):
    """A file that is not accepted; the message names the file and says why, in Chinese."""


# ------------------------------------------------------------------ what the bytes are

_REFUSED_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x7fELF", "是可执行程序（ELF），不是文档或图片"),
    (b"MZ", "是 Windows 可执行程序（EXE/DLL），不是文档或图片"),
    (b"\xca\xfe\xba\xbe", "是可执行程序，不是文档或图片"),
    (b"\xcf\xfa\xed\xfe", "是可执行程序，不是文档或图片"),
    (b"#!", "是脚本文件，不是文档或图片"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "是旧版 Office 文件（.doc/.xls）或加密的 Office 文件：请另存为 .docx/.xlsx 或 PDF"),
    (b"Rar!", "是压缩包（RAR），请上传其中的文件本身"),
    (b"7z\xbc\xaf\x27\x1c", "是压缩包（7z），请上传其中的文件本身"),
    (b"GIF8", "是 GIF 图片：请转换为 JPEG 或 PNG"),
    (b"{\\rtf", "是 RTF 文档：请另存为 .docx 或 PDF"),
)


def sniff(data: bytes) -> str:
    """The kind key of the bytes (pdf, jpeg, png, zip); EvidenceRefused's reason otherwise (without the name)."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"PK\x03\x04"):
        return "zip"
    for signature, reason in _REFUSED_SIGNATURES:
        if data.startswith(signature):
            raise EvidenceRefused(reason)
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<svg", b"<?xml", b"<!doctype", b"<html", b"<script")) or b"<svg" in head:
        raise EvidenceRefused("是 SVG/HTML/XML 文本（可能含脚本），不是图片：请上传 JPEG 或 PNG")
    raise EvidenceRefused(f"不是可识别的文件类型：只接受 {ACCEPTED_TEXT}")


def _check_pdf(data: bytes) -> None:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError, PdfStreamError
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data), strict=True)
            if reader.is_encrypted:
                raise EvidenceRefused("是加密的 PDF：请上传未加密的文件，以便审核人员打开")
            if len(reader.pages) < 1:
                raise EvidenceRefused("是没有页面的 PDF")
            if reader.pages[0].mediabox is None:  # the first page's object must load
                raise EvidenceRefused("是没有页面的 PDF")
            root = reader.trailer["/Root"].get_object()
            names = root["/Names"].get_object() if "/Names" in root else {}
            action = str(root["/OpenAction"].get_object()) if "/OpenAction" in root else ""
    except EvidenceRefused:
        raise
    except (PdfReadError, PdfStreamError, ValueError, KeyError, IndexError, TypeError, AttributeError,
            RecursionError) as exc:
        raise EvidenceRefused(f"不是完整可用的 PDF（文件可能损坏或未传完：{str(exc)[:60] or type(exc).__name__}）"
                              ) from None
    if "/JavaScript" in names or "/AA" in root or "/JavaScript" in action or "/Launch" in action:
        raise EvidenceRefused("是含自动运行脚本的 PDF：请“打印为 PDF”后重新上传")


def _check_image(data: bytes, kind: str, max_pixels: int) -> None:
    from PIL import Image, UnidentifiedImageError
    try:
        with Image.open(io.BytesIO(data), formats=["JPEG" if kind == "jpeg" else "PNG"]) as img:
            width, height = img.size
            if width * height > max_pixels:
                raise EvidenceRefused(f"图片过大（{width}×{height} 像素）：最多 {max_pixels // 1_000_000} 百万像素，"
                                      "请缩小后重新上传")
            if kind == "jpeg":  # decode at 1/8 scale: every byte of the stream is still read and checked
                img.draft("RGB", (max(1, width // 8), max(1, height // 8)))
            img.load()
    except EvidenceRefused:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise EvidenceRefused(f"不是完整可用的图片（文件可能损坏或未传完：{str(exc)[:60]}）") from None


def _check_package(data: bytes, limits: Limits) -> str:
    """A DOCX or XLSX: member names and declared sizes checked before any member is read, then the main part
    opened by python-docx or openpyxl. Returns the kind."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise EvidenceRefused("是损坏的压缩文件（DOCX/XLSX 可能未传完）") from None
    with archive:
        members = archive.infolist()
        if len(members) > _MAX_MEMBERS:
            raise EvidenceRefused(f"包含 {len(members)} 个部件，超出 {_MAX_MEMBERS} 个的上限（疑为压缩炸弹）")
        names = {m.filename for m in members}
        if any(n.startswith(("/", "\\")) or ".." in n.split("/") or "\\" in n or ":" in n for n in names):
            raise EvidenceRefused("包含异常的部件路径（疑为恶意压缩包）")
        unpacked = sum(m.file_size for m in members)
        if unpacked > limits.max_unpacked_bytes:
            raise EvidenceRefused(f"解压后达 {size_text(unpacked)}，超出 {size_text(limits.max_unpacked_bytes)} 的上限"
                                  "（疑为压缩炸弹）")
        if any(m.flag_bits & 0x1 for m in members):
            raise EvidenceRefused("是加密的压缩文件：请上传未加密的文件")
        kind = next((k for k, part in _PACKAGE_PARTS.items() if part in names), None)
        if kind is None or "[Content_Types].xml" not in names:
            raise EvidenceRefused(f"是压缩包，不是 Word（.docx）或 Excel（.xlsx）文件：只接受 {ACCEPTED_TEXT}")
        if any(_MACRO_PART.search(n) for n in names) or b"macroEnabled" in archive.read("[Content_Types].xml"):
            raise EvidenceRefused("含宏（VBA）或嵌入程序：请另存为不含宏的 .docx/.xlsx 或 PDF")
    _open_package(data, kind)
    return kind


def _open_package(data: bytes, kind: str) -> None:
    try:
        if kind == "docx":
            from docx import Document
            Document(io.BytesIO(data))
        else:
            from openpyxl import load_workbook
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                load_workbook(io.BytesIO(data), read_only=True).close()
    except Exception as exc:  # noqa: BLE001 — any parser failure means the file cannot be opened by a reviewer
        label = KINDS[kind].label
        raise EvidenceRefused(f"无法作为{label}打开（文件可能损坏：{type(exc).__name__}）") from None


# ------------------------------------------------------------------ names

def safe_name(name: str, kind: str) -> str:
    """The user's file name without folders, control or reserved characters, at most MAX_NAME_LENGTH characters,
    ending in the extension of what the bytes are ('报告.png' holding a PDF becomes '报告.pdf')."""
    base = clean_text(str(name or "")).replace("\\", "/").rsplit("/", 1)[-1]
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = _NAME_FORBIDDEN.sub("_", stem).strip(" .") or "佐证材料"
    ext = KINDS[kind].extension
    return stem[:MAX_NAME_LENGTH - len(ext)] + ext


# ------------------------------------------------------------------ the checks

def check_file(name: str, data: bytes, limits: Limits = Limits()) -> EvidenceFile:
    """One file checked by its bytes; EvidenceRefused naming the file otherwise."""
    shown = clean_text(str(name or "（无名文件）"))[:80]
    try:
        if not data:
            raise EvidenceRefused("是空文件")
        if len(data) > limits.max_bytes:
            raise EvidenceRefused(f"大小为 {len(data) / 1024 / 1024:.2f} MB，超出每个文件 {limits.max_bytes / 1024 / 1024:g} MB "
                                  "的上限：请压缩或拆分后重新上传")
        kind = sniff(data)
        if kind == "pdf":
            _check_pdf(data)
        elif kind in ("jpeg", "png"):
            _check_image(data, kind, limits.max_pixels)
        else:
            kind = _check_package(data, limits)
    except EvidenceRefused as exc:
        raise EvidenceRefused(f"文件“{shown}”{exc}。未保存任何材料。") from None
    return EvidenceFile(name=safe_name(name, kind), kind=kind, mime=KINDS[kind].mime, data=bytes(data),
                        sha256=hashlib.sha256(data).hexdigest())


def check_files(files: Iterable[tuple[str, bytes]], limits: Limits = Limits()) -> list[EvidenceFile]:
    """Every file checked; one EvidenceRefused listing every refused file (none of them is stored then)."""
    files = list(files)
    if len(files) > limits.max_files:
        raise EvidenceRefused(f"一次最多上传 {limits.max_files} 个佐证材料文件，您选择了 {len(files)} 个。未保存任何材料。")
    checked, problems = [], []
    for name, data in files:
        try:
            checked.append(check_file(name, data, limits))
        except EvidenceRefused as exc:
            problems.append(str(exc).removesuffix("未保存任何材料。"))
    if problems:
        raise EvidenceRefused("".join(problems) + "未保存任何材料。")
    return checked
