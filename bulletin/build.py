"""Write the 督查通报 as a .docx (layout: bulletin/docx_kit.py): the head (issuer, 文号 over a red rule, title), the
body sections in the order of SECTIONS, the 附件 list, signature and 成文日期, then each annex on its own page.

To add a section, add a (heading, draw) pair to SECTIONS: draw(doc, data, annexes) writes the paragraphs after the
heading and may hand a long table to an annex (`annexes.add(title, draw_annex)` returns its number)."""
from __future__ import annotations

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from bulletin import sections
from bulletin.data import BulletinData
from bulletin.docx_kit import (
    HEADING_FONT,
    KAI_FONT,
    RED,
    SIZE_BODY,
    SIZE_TITLE,
    TITLE_FONT,
    heading,
    keep_with_next,
    page_break,
    paragraph,
    red_rule,
    run,
    setup,
    title_lines,
)
from bulletin.evidence_annex import add_annex
from bulletin.text import day_text, doc_number, title_text
from vocab import labels

SECTIONS: list[tuple[str, sections.Draw]] = [
    ("总体情况", sections.overall),
    ("得分情况", sections.scores),
    ("表扬单位", sections.group(labels.PRAISE)),
    ("通报批评单位", sections.group(labels.CRITICISE)),
    ("颜色分档", sections.bands),
    ("逾期事项", sections.overdue),
    ("下步工作要求", sections.requirements),
]


def _head(doc, data: BulletinData) -> None:
    """示例数据 mark, issuer, 文号 over the red rule, the title (balanced lines), the sample notice."""
    b = data.settings.get("bulletin", {})
    top = doc.paragraphs[0] if doc.paragraphs else paragraph(doc)
    top.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if data.is_sample:
        run(top, labels.SAMPLE_MARK, font=HEADING_FONT, size=SIZE_BODY, colour=RED)
    paragraph(doc, str(b.get("issuer", labels.BUREAU)), font=TITLE_FONT, size=30, colour=RED,
              align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, line=None)
    paragraph(doc, indent=False)
    red_rule(paragraph(doc, doc_number(data.settings, data.issued, data.number), align=WD_ALIGN_PARAGRAPH.CENTER,
                       indent=False))
    paragraph(doc, indent=False)
    title = paragraph(doc, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, line=Pt(35))
    for i, line in enumerate(title_lines(str(b.get("title", "督查通报")))):
        if i:
            title.add_run().add_break()
        run(title, line, font=TITLE_FONT, size=SIZE_TITLE)
    if data.is_sample:
        paragraph(doc, f"（本通报含{labels.SAMPLE_MARK}，仅供演示，请勿引用）", font=KAI_FONT,
                  align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, colour=RED)
    paragraph(doc, indent=False)
    paragraph(doc, str(b.get("addressee", "各有关单位：")), indent=False)
    policy = data.policy
    paragraph(doc, f"为推动《{policy['title']}》（{policy['doc_number']}）各项目标任务落实，市科技和工业信息化局对"
                   f"{data.region}截至{day_text(data.as_of)}的目标完成和任务推进情况进行了督查，现将有关情况通报如下。")


def _annex_list(doc, titles: list[str]) -> None:
    """'附件：1. 各单位得分构成表' with the later items aligned under the first (GB/T 9704 附件说明)."""
    if not titles:
        return
    paragraph(doc, indent=False)
    for i, title in enumerate(titles, start=1):
        p = paragraph(doc, f"{'附件：' if i == 1 else ''}{i}. {title}" if len(titles) > 1 else f"附件：{title}")
        if i > 1:
            p.paragraph_format.first_line_indent = Pt(SIZE_BODY * 5)
        if i < len(titles):
            keep_with_next(p)


def _signature(doc, data: BulletinData) -> None:
    issuer = str(data.settings.get("bulletin", {}).get("issuer", labels.BUREAU))
    paragraph(doc, indent=False)
    paragraph(doc, indent=False)
    sign = keep_with_next(paragraph(doc, issuer, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False))
    sign.paragraph_format.right_indent = Pt(SIZE_BODY * 4)
    when = paragraph(doc, day_text(data.issued), align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    when.paragraph_format.right_indent = Pt(SIZE_BODY * 4)


def _annex_pages(doc, data: BulletinData, annexes: sections.Annexes) -> None:
    """Each annex on a new page: '附件N' (黑体, top left), its title centred, then its table."""
    for i, (title, draw) in enumerate(annexes.items, start=1):
        page_break(doc)
        keep_with_next(paragraph(doc, f"附件{i}" if len(annexes.items) > 1 else "附件", font=HEADING_FONT,
                                 indent=False))
        keep_with_next(paragraph(doc, title, font=TITLE_FONT, size=SIZE_TITLE - 4, align=WD_ALIGN_PARAGRAPH.CENTER,
                                 indent=False, line=Pt(35)))
        draw(doc, data)


def build_bulletin(data: BulletinData) -> bytes:
    """The bulletin as .docx bytes."""
    doc = Document()
    setup(doc)
    doc.core_properties.title = title_text(data.settings)
    doc.core_properties.author = str(data.settings.get("bulletin", {}).get("issuer", labels.BUREAU))
    doc.core_properties.language = "zh-CN"
    _head(doc, data)
    annexes = sections.Annexes()
    for i, (name, draw) in enumerate(SECTIONS, start=1):
        heading(doc, i, name)
        draw(doc, data, annexes)
    add_annex(annexes, data)   # the 佐证材料 behind each 办结 item, when any
    _annex_list(doc, [title for title, _ in annexes.items])
    _signature(doc, data)
    _annex_pages(doc, data, annexes)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()

