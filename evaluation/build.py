"""Write the 终期评估报告 as a .docx in the bulletin's official layout (bulletin/docx_kit.py: GB/T 9704 A4, red
issuer mark and 文号 over a red rule, 方正小标宋 title, 仿宋 body, 黑体 headings, page numbers): the head, the body
sections in the order of evaluation.sections.SECTIONS, the 附件 list, signature and 成文日期, then each annex on its
own page. 示例数据: a red mark above the issuer, a note under the title, ＊ at each number that rests on it, and a
sentence in 数据说明."""
from __future__ import annotations

import io
from datetime import date

from docx import Document

from bulletin import official
from bulletin.docx_kit import (
    heading,
    paragraph,
    setup,
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
    """The letterhead (bulletin.official), then 主送 and the opening sentence."""
    official.letterhead(doc, issuer=str(setting(data.settings, "issuer")),
                        doc_number=doc_number(data.settings, data.issued, data.number), title=title_text(data),
                        is_sample=data.is_sample, what="报告")
    paragraph(doc, indent=False)
    paragraph(doc, str(setting(data.settings, "addressee")), indent=False)
    p = data.policy
    paragraph(doc, f"《{p['title']}》（{p['doc_number']}）实施期为{int(p['start_year'])}—{int(p['end_year'])}年，已于"
                   f"{day_text(data.period_end)}结束。{setting(data.settings, 'issuer')}对{data.region}实施期内各项目标"
                   "和重点任务的完成情况进行了终期评估，现将评估情况报告如下。")


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
    official.annex_list(doc, [title for title, _ in annexes.items], with_signature=True)
    official.signature(doc, str(setting(data.settings, "issuer")), data.issued, keep_together=True)
    official.annex_pages(doc, data, annexes.items)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
