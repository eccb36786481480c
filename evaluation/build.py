"""Write the 终期评估报告 as a .docx in the bulletin's official layout (bulletin/docx_kit.py: GB/T 9704 A4, red
issuer mark and 文号 over a red rule, 方正小标宋 title, 仿宋 body, 黑体 headings, page numbers): the head, the body
sections in the order of evaluation.sections.SECTIONS, the 附件 list, signature and 成文日期, then each annex on its
own page. 示例数据: a red mark above the issuer, a note under the title, ＊ at each number that rests on it, and a
sentence in 数据说明."""
from __future__ import annotations

import io
from datetime import date

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

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
from bulletin.sections import Annexes
from bulletin.text import day_text
from evaluation.data import EvaluationData
from evaluation.sections import SECTIONS
from vocab import labels

DEFAULTS = {"issuer": labels.BUREAU, "doc_number": "〔{year}〕{serial}号", "serial": 1,
            "title": "关于《{title}》实施情况的终期评估报告", "addressee": "市人民政府："}


def setting(settings: dict, key: str):
    """A value of `[evaluation]` in data/settings.toml (the defaults above when it is missing)."""
    return settings.get("evaluation", {}).get(key, DEFAULTS[key])


def doc_number(settings: dict, issued: date, number: int | None = None) -> str:
    """The 文号, e.g. '长科评〔2021〕1号': the year is the 成文日期's; the number given, else `[evaluation] serial`."""
    serial = int(number if number is not None else setting(settings, "serial"))
    return str(setting(settings, "doc_number")).format(year=issued.year, serial=serial)


def title_text(data: EvaluationData) -> str:
    """The title with the author's line breaks ('\\n'): '关于《…》\\n实施情况的终期评估报告'."""
    return str(setting(data.settings, "title")).format(title=data.policy["title"])


def _head(doc, data: EvaluationData) -> None:
    """示例数据 mark, issuer, 文号 over the red rule, the title (balanced lines), the sample notice, 主送, opening."""
    top = doc.paragraphs[0] if doc.paragraphs else paragraph(doc)
    top.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if data.is_sample:
        run(top, labels.SAMPLE_MARK, font=HEADING_FONT, size=SIZE_BODY, colour=RED)
    paragraph(doc, str(setting(data.settings, "issuer")), font=TITLE_FONT, size=30, colour=RED,
              align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, line=None)
    paragraph(doc, indent=False)
    red_rule(paragraph(doc, doc_number(data.settings, data.issued, data.number), align=WD_ALIGN_PARAGRAPH.CENTER,
                       indent=False))
    paragraph(doc, indent=False)
    title = paragraph(doc, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, line=Pt(35))
    for i, line in enumerate(title_lines(title_text(data))):
        if i:
            title.add_run().add_break()
        run(title, line, font=TITLE_FONT, size=SIZE_TITLE)
    if data.is_sample:
        paragraph(doc, f"（本报告含{labels.SAMPLE_MARK}，仅供演示，请勿引用）", font=KAI_FONT,
                  align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, colour=RED)
    paragraph(doc, indent=False)
    paragraph(doc, str(setting(data.settings, "addressee")), indent=False)
    p = data.policy
    paragraph(doc, f"《{p['title']}》（{p['doc_number']}）实施期为{int(p['start_year'])}—{int(p['end_year'])}年，已于"
                   f"{day_text(data.period_end)}结束。{setting(data.settings, 'issuer')}对{data.region}实施期内各项目标"
                   "和重点任务的完成情况进行了终期评估，现将评估情况报告如下。")


def _annex_list(doc, titles: list[str]) -> None:
    """'附件：1. …' with the later items aligned under the first (GB/T 9704 附件说明)."""
    if not titles:
        return
    paragraph(doc, indent=False)
    for i, title in enumerate(titles, start=1):
        p = paragraph(doc, f"{'附件：' if i == 1 else ''}{i}. {title}" if len(titles) > 1 else f"附件：{title}")
        if i > 1:
            p.paragraph_format.first_line_indent = Pt(SIZE_BODY * 5)
        keep_with_next(p)   # the list goes with the signature: a signature never stands alone on a page


def _signature(doc, data: EvaluationData) -> None:
    keep_with_next(paragraph(doc, indent=False))
    keep_with_next(paragraph(doc, indent=False))
    sign = keep_with_next(paragraph(doc, str(setting(data.settings, "issuer")), align=WD_ALIGN_PARAGRAPH.RIGHT,
                                    indent=False))
    sign.paragraph_format.right_indent = Pt(SIZE_BODY * 4)
    when = paragraph(doc, day_text(data.issued), align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    when.paragraph_format.right_indent = Pt(SIZE_BODY * 4)


def _annex_pages(doc, data: EvaluationData, annexes: Annexes) -> None:
    for i, (title, draw) in enumerate(annexes.items, start=1):
        page_break(doc)
        keep_with_next(paragraph(doc, f"附件{i}" if len(annexes.items) > 1 else "附件", font=HEADING_FONT,
                                 indent=False))
        keep_with_next(paragraph(doc, title, font=TITLE_FONT, size=SIZE_TITLE - 4, align=WD_ALIGN_PARAGRAPH.CENTER,
                                 indent=False, line=Pt(35)))
        draw(doc, data)


def build_evaluation(data: EvaluationData) -> bytes:
    """The 终期评估报告 as .docx bytes."""
    doc = Document()
    setup(doc)
    doc.core_properties.title = "".join(title_text(data).split())
    doc.core_properties.author = str(setting(data.settings, "issuer"))
    doc.core_properties.language = "zh-CN"
    _head(doc, data)
    annexes = Annexes()
    for i, (name, draw) in enumerate(SECTIONS, start=1):
        heading(doc, i, name)
        draw(doc, data, annexes)
    _annex_list(doc, [title for title, _ in annexes.items])
    _signature(doc, data)
    _annex_pages(doc, data, annexes)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
