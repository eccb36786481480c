"""Write the 督查通报 as a .docx (layout: bulletin/docx_kit.py): the head (issuer, 文号 over a red rule, title), the
body sections in the order of SECTIONS, the 附件 list, signature and 成文日期, then each annex on its own page.

To add a section, add a (heading, draw) pair to SECTIONS: draw(doc, data, annexes) writes the paragraphs after the
heading and may hand a long table to an annex (`annexes.add(title, draw_annex)` returns its number)."""
from __future__ import annotations

import io

from docx import Document

from bulletin import official, sections
from bulletin.data import BulletinData
from bulletin.docx_kit import (
    heading,
    paragraph,
    setup,
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
    """The letterhead (bulletin.official), then 主送 and the opening sentence."""
    b = data.settings.get("bulletin", {})
    official.letterhead(doc, issuer=str(b.get("issuer", labels.BUREAU)),
                        doc_number=doc_number(data.settings, data.issued, data.number),
                        title=str(b.get("title", "督查通报")), is_sample=data.is_sample, what="通报")
    paragraph(doc, indent=False)
    paragraph(doc, str(b.get("addressee", "各有关单位：")), indent=False)
    policy = data.policy
    paragraph(doc, f"为推动《{policy['title']}》（{policy['doc_number']}）各项目标任务落实，市科技和工业信息化局对"
                   f"{data.region}截至{day_text(data.as_of)}的目标完成和任务推进情况进行了督查，现将有关情况通报如下。")


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
    official.annex_list(doc, [title for title, _ in annexes.items])
    official.signature(doc, str(data.settings.get("bulletin", {}).get("issuer", labels.BUREAU)), data.issued)
    official.annex_pages(doc, data, annexes.items)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()

