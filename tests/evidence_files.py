"""Real and hostile 佐证材料 files for the tests, made in memory: a PDF, JPEG and PNG drawn by Pillow, a DOCX by
python-docx, an XLSX by openpyxl; and the hostile ones (executables named .pdf, a zip bomb inside a DOCX, an SVG with
a script named .png, an oversize file, a truncated PDF)."""
from __future__ import annotations

import io
import zipfile
from functools import cache

from docx import Document
from openpyxl import Workbook
from PIL import Image

MB = 1024 * 1024


@cache
def pdf() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (420, 300), (240, 240, 240)).save(buf, "PDF")
    return buf.getvalue()


@cache
def jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (320, 200), (31, 78, 121)).save(buf, "JPEG")
    return buf.getvalue()


@cache
def png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (320, 200), (0, 158, 115)).save(buf, "PNG")
    return buf.getvalue()


@cache
def docx() -> bytes:
    buf = io.BytesIO()
    doc = Document()
    doc.add_paragraph("关于某项任务完成情况的报告（盖章件）")
    doc.save(buf)
    return buf.getvalue()


@cache
def xlsx() -> bytes:
    buf = io.BytesIO()
    book = Workbook()
    book.active["A1"] = "项目清单"
    book.save(buf)
    return buf.getvalue()


ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 120 + b"/lib64/ld-linux-x86-64.so.2"
PE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 50 + b"This program cannot be run in DOS mode."
SVG_WITH_SCRIPT = (b'<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" '
                   b'height="10"><script>fetch("/_stcore/x?c="+document.cookie)</script></svg>')


@cache
def docx_bomb(unpacked_mb: int = 300) -> bytes:
    """A real DOCX with one more member that unpacks to unpacked_mb of zeros (about 0.1 % of that packed)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx())) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info.filename))
        with dst.open("word/media/image1.png", "w", force_zip64=True) as member:
            block = b"\x00" * MB
            for _ in range(unpacked_mb):
                member.write(block)
    return out.getvalue()


def oversize_pdf(limit_bytes: int = 10 * MB) -> bytes:
    """A valid PDF padded one byte past the limit (the padding sits before the header's reach: after %%EOF)."""
    body = pdf()
    return body + b"\n%" + b"0" * (limit_bytes - len(body) - 1)


def truncated_pdf() -> bytes:
    return pdf()[: len(pdf()) // 2]


HOSTILE = {  # name the user gave → bytes, and a word the refusal must contain
    "renamed-elf": ("通知.pdf", ELF, "可执行程序"),
    "renamed-exe": ("盖章件.pdf", PE, "可执行程序"),
    "zip-bomb": ("报告.docx", None, "压缩炸弹"),
    "svg-script": ("照片.png", SVG_WITH_SCRIPT, "SVG"),
    "oversize": ("扫描件.pdf", None, "超出每个文件 10 MB"),
    "truncated-pdf": ("批复.pdf", None, "不是完整可用的 PDF"),
}


def hostile(case: str) -> tuple[str, bytes, str]:
    name, data, word = HOSTILE[case]
    if data is None:
        data = {"zip-bomb": docx_bomb, "oversize": oversize_pdf, "truncated-pdf": truncated_pdf}[case]()
    return name, data, word
