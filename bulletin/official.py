"""The frame every official document of the bureau shares (GB/T 9704 as far as a generated file can): the head
(示例数据 mark, red issuer, 文号 over the red rule, the balanced title, the sample notice), the 附件 list, the
signature with the 成文日期, and each annex on its own page. The 督查通报 (bulletin/build.py) and the 终期评估报告
(evaluation/build.py) fill it with their own sections."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from bulletin.docx_kit import (
    HEADING_FONT,
    KAI_FONT,
    RED,
    SIZE_BODY,
    SIZE_TITLE,
    TITLE_FONT,
    keep_with_next,
    page_break,
    paragraph,
    red_rule,
    run,
    title_lines,
)
from bulletin.text import day_text
from vocab import labels


def letterhead(doc, *, issuer: str, doc_number: str, title: str, is_sample: bool, what: str) -> None:
    """The head down to the title and, with sample data, the red notice ('（本{what}含示例数据，仅供演示，请勿引用）')."""
    top = doc.paragraphs[0] if doc.paragraphs else paragraph(doc)
    top.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if is_sample:
        run(top, labels.SAMPLE_MARK, font=HEADING_FONT, size=SIZE_BODY, colour=RED)
    paragraph(doc, issuer, font=TITLE_FONT, size=30, colour=RED, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False,
              line=None)
    paragraph(doc, indent=False)
    red_rule(paragraph(doc, doc_number, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False))
    paragraph(doc, indent=False)
    head = paragraph(doc, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, line=Pt(35))
    for i, line in enumerate(title_lines(title)):
        if i:
            head.add_run().add_break()
        run(head, line, font=TITLE_FONT, size=SIZE_TITLE)
    if is_sample:
        paragraph(doc, f"（本{what}含{labels.SAMPLE_MARK}，仅供演示，请勿引用）", font=KAI_FONT,
                  align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, colour=RED)


def annex_list(doc, titles: list[str], *, with_signature: bool = False) -> None:
    """'附件：1. …' with the later items aligned under the first (GB/T 9704 附件说明); with_signature: the whole list
    kept with the signature that follows (a signature never stands alone on a page)."""
    if not titles:
        return
    paragraph(doc, indent=False)
    for i, title in enumerate(titles, start=1):
        p = paragraph(doc, f"{'附件：' if i == 1 else ''}{i}. {title}" if len(titles) > 1 else f"附件：{title}")
        if i > 1:
            p.paragraph_format.first_line_indent = Pt(SIZE_BODY * 5)
        if with_signature or i < len(titles):
            keep_with_next(p)


def signature(doc, issuer: str, issued: date, *, keep_together: bool = False) -> None:
    """Two blank lines, the issuer and the 成文日期, right-aligned four characters in; keep_together: the blank lines
    go with them."""
    for _ in range(2):
        blank = paragraph(doc, indent=False)
        if keep_together:
            keep_with_next(blank)
    sign = keep_with_next(paragraph(doc, issuer, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False))
    sign.paragraph_format.right_indent = Pt(SIZE_BODY * 4)
    when = paragraph(doc, day_text(issued), align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    when.paragraph_format.right_indent = Pt(SIZE_BODY * 4)


def annex_pages(doc, data, annexes: Iterable[tuple[str, Callable]]) -> None:
    """Each annex on a new page: '附件N' (黑体, top left), its title centred, then draw(doc, data)."""
    items = list(annexes)
    for i, (title, draw) in enumerate(items, start=1):
        page_break(doc)
        keep_with_next(paragraph(doc, f"附件{i}" if len(items) > 1 else "附件", font=HEADING_FONT, indent=False))
        keep_with_next(paragraph(doc, title, font=TITLE_FONT, size=SIZE_TITLE - 4, align=WD_ALIGN_PARAGRAPH.CENTER,
                                 indent=False, line=Pt(35)))
        draw(doc, data)
