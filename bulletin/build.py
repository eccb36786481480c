"""Write the 督查通报 as a .docx in the layout of GB/T 9704 (党政机关公文格式) as far as a generated file can.

A4; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm; red issuer mark and 文号 over a red rule; title in a
小标宋 face at 二号 (22 pt); body 仿宋 at 三号 (16 pt), fixed 28.95 pt lines (22 lines a page); level-1 headings
黑体, level-2 楷体; page numbers “— N —” in the footer (a PAGE field), odd pages right, even pages left.
Every run names its East Asian typeface (`w:rFonts w:eastAsia`; python-docx's font.name sets only the Latin one),
and the font table gives each face a common alternative (`w:altName`) for machines without the GB faces."""
from __future__ import annotations

import io

import pandas as pd
from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from lxml import etree

from bulletin.data import BulletinData
from bulletin.evidence_annex import add_annex
from metrics.overdue import count_by
from vocab import labels
from vocab.labels import is_missing

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
KAI_FONT = "楷体_GB2312"
NUMBER_FONT = "宋体"
LATIN_FONT = "Times New Roman"
ALT_NAMES = {TITLE_FONT: "宋体", BODY_FONT: "仿宋", KAI_FONT: "楷体", HEADING_FONT: "SimHei", NUMBER_FONT: "SimSun"}
RED = "C00000"
SIZE_TITLE, SIZE_BODY, SIZE_TABLE, SIZE_PAGE = 22.0, 16.0, 12.0, 14.0  # 二号, 三号, 小四, 四号
LINE = Pt(28.95)
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
CN_NUMBERS = "一二三四五六七八九十"


# ------------------------------------------------------------------ typography

def set_fonts(rpr, east_asia: str, latin: str = LATIN_FONT) -> None:
    """Name the Latin and the East Asian typeface of one run-properties element (w:rFonts)."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr, face in (("w:ascii", latin), ("w:hAnsi", latin), ("w:eastAsia", east_asia), ("w:cs", latin)):
        fonts.set(qn(attr), face)
    fonts.set(qn("w:hint"), "eastAsia")


def run(paragraph, text: str, *, font: str = BODY_FONT, size: float = SIZE_BODY, bold: bool = False,
        colour: str | None = None):
    r = paragraph.add_run(text)
    r.font.size = Pt(size)
    r.font.bold = bold
    if colour:
        r.font.color.rgb = RGBColor.from_string(colour)
    set_fonts(r._element.get_or_add_rPr(), font, LATIN_FONT if font == BODY_FONT else font)
    return r


def paragraph(doc_or_cell, text: str = "", *, font: str = BODY_FONT, size: float = SIZE_BODY, bold: bool = False,
              align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent: bool = True, colour: str | None = None, line=LINE):
    p = doc_or_cell.add_paragraph()
    fmt = p.paragraph_format
    fmt.alignment = align
    fmt.space_before = fmt.space_after = Pt(0)
    if line is not None:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = line
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    if text:
        run(p, text, font=font, size=size, bold=bold, colour=colour)
    return p


def heading(doc, number: int, text: str) -> None:
    """A level-1 heading: '一、总体情况' in 黑体."""
    paragraph(doc, f"{CN_NUMBERS[number - 1]}、{text}", font=HEADING_FONT)


def red_rule(p) -> None:
    """A red rule under the 文号 (the paragraph's bottom border)."""
    ppr = p._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "12"), ("w:space", "6"), ("w:color", RED)):
        bottom.set(qn(k), v)
    border.append(bottom)
    ppr.append(border)


def page_field(p) -> None:
    """'— PAGE —' with a PAGE field, so Word and LibreOffice number the pages."""
    run(p, "— ", font=NUMBER_FONT, size=SIZE_PAGE)
    r = run(p, "", font=NUMBER_FONT, size=SIZE_PAGE)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText" if text.strip() == "PAGE" else "w:t")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        r._element.append(el)
    run(p, " —", font=NUMBER_FONT, size=SIZE_PAGE)


def shade(cell, colour: str) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    fill = OxmlElement("w:shd")
    for k, v in (("w:val", "clear"), ("w:color", "auto"), ("w:fill", colour.lstrip("#"))):
        fill.set(qn(k), v)
    tcpr.append(fill)


def table(doc, header: list[str], rows: list[list[str]], widths_mm: list[float],
          fills: list[list[str | None]] | None = None) -> None:
    t = doc.add_table(rows=1, cols=len(header))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    for i, text in enumerate(header):
        cell = t.rows[0].cells[i]
        cell.paragraphs[0].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run(cell.paragraphs[0], text, font=HEADING_FONT, size=SIZE_TABLE)
        shade(cell, "E7E6E6")
    for r_i, values in enumerate(rows):
        cells = t.add_row().cells
        for i, text in enumerate(values):
            run(cells[i].paragraphs[0], text, size=SIZE_TABLE)
            if fills and fills[r_i][i]:
                shade(cells[i], fills[r_i][i])
    # fixed column widths: the grid (read by LibreOffice) and every cell (read by Word)
    t.autofit = False
    for i, w in enumerate(widths_mm):
        t.columns[i].width = Mm(w)
    for row in t.rows:
        for i, w in enumerate(widths_mm):
            row.cells[i].width = Mm(w)
    # the repeated header row on every page
    trpr = t.rows[0]._tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:tblHeader"))


def font_table_alternatives(doc) -> None:
    """Declare each GB face in the font table with a common alternative (w:altName) and the GB2312 charset."""
    part = doc.part.part_related_by(RT.FONT_TABLE)
    root = etree.fromstring(part.blob)
    w = root.nsmap.get("w") or "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    for name, alt in ALT_NAMES.items():
        font = etree.SubElement(root, f"{{{w}}}font", {f"{{{w}}}name": name})
        etree.SubElement(font, f"{{{w}}}altName", {f"{{{w}}}val": alt})
        etree.SubElement(font, f"{{{w}}}charset", {f"{{{w}}}val": "86"})
        etree.SubElement(font, f"{{{w}}}family", {f"{{{w}}}val": "roman" if name != HEADING_FONT else "modern"})
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def setup(doc) -> None:
    """A4, GB/T 9704 margins, odd/even page-number footers, the body style (仿宋 三号)."""
    section = doc.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    section.footer_distance = Mm(28 - 7 * 0.353 * 4)  # the number sits about 7 mm below the text block
    doc.settings.odd_and_even_pages_header_footer = True
    normal = doc.styles["Normal"]
    normal.font.size = Pt(SIZE_BODY)
    set_fonts(normal.element.get_or_add_rPr(), BODY_FONT)
    for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
                          (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        p = footer.paragraphs[0]
        p.paragraph_format.alignment = align
        p.paragraph_format.left_indent = p.paragraph_format.right_indent = Pt(SIZE_PAGE)  # 一字距
        page_field(p)
    font_table_alternatives(doc)


# ------------------------------------------------------------------ text

def day_text(day) -> str:
    day = pd.Timestamp(day)
    return f"{day.year}年{day.month}月{day.day}日"


def period_text(status: pd.DataFrame) -> str:
    year, quarter = int(status["as_of_year"].iloc[0]), int(status["as_of_quarter"].iloc[0])
    return f"{year}年" if quarter in (0, 4) else f"{year}年第{CN_NUMBERS[quarter - 1]}季度"


def counts_text(counts: pd.Series, names: dict[str, str]) -> str:
    return "、".join(f"{names.get(k, k)}{int(n)}项" for k, n in counts.items() if n)


def reason_text(r: pd.Series) -> str:
    """The numbers that earned a unit its group (no adjectives)."""
    rank = "" if is_missing(r["rank"]) else f"，排第{int(r['rank'])}名"
    return (f"得分{r['score']:.1f}分{rank}；有数据的目标{int(r['targets'])}项中已完成{int(r['targets_met'])}项；"
            f"承担任务{int(r['tasks'])}项，已完成{int(r['tasks_done'])}项、逾期{int(r['tasks_overdue'])}项。")


def doc_number(data: BulletinData) -> str:
    b = data.settings.get("bulletin", {})
    return str(b.get("doc_number", "〔{year}〕{serial}号")).format(year=data.as_of.year, serial=b.get("serial", 1))


# ------------------------------------------------------------------ sections

def _overall(doc, data: BulletinData) -> None:
    status_names = {s.key: s.label for s in labels.STATUSES}
    targets = count_by(data.status["status"], [s.key for s in labels.STATUSES])
    tasks = count_by(data.ledger["status"], list(labels.TASK_STATUSES))
    paragraph(doc, f"目标{len(data.status)}项（指标数据截至{period_text(data.status)}）："
              f"{counts_text(targets, status_names)}。")
    paragraph(doc, f"重点任务{len(data.ledger)}项（截至{day_text(data.as_of)}）："
              f"{counts_text(tasks, labels.TASK_STATUSES)}。")
    if data.deadlines is not None:
        names = {d.key: d.label for d in labels.DEADLINE_STATES}
        states = count_by(data.deadlines["state"], list(names))
        paragraph(doc, f"任务节点{len(data.deadlines)}个：{counts_text(states, names)}。"
                  .replace("项", "个"))


def _group(doc, data: BulletinData, group: str) -> None:
    members = data.reasons.loc[data.reasons["group"] == group].sort_values("rank")
    if members.empty:
        paragraph(doc, "本期无。")
        return
    for i, (_, r) in enumerate(members.iterrows(), start=1):
        p = paragraph(doc)
        run(p, f"（{CN_NUMBERS[i - 1] if i <= 10 else i}）{r['unit']}。", font=KAI_FONT)
        run(p, reason_text(r))


def _bands(doc, data: BulletinData) -> None:
    sc = data.settings["scorecard"]
    rule = sc.get("bands", "quartile")
    how = ("按得分排名四等分" if rule == "quartile"
           else "得分{0}分及以上为绿档、{1}分及以上为黄档、{2}分及以上为橙档、其余为红档".format(
               *sc.get("band_thresholds", [85, 70, 60])))
    banded = data.scorecard.loc[data.scorecard["band"] != ""]
    counts = banded["band"].value_counts()
    summary = "、".join(f"{b.label}档{int(counts.get(b.key, 0))}个" for b in labels.COLOUR_BANDS)
    paragraph(doc, f"参与排名的{len(banded)}个单位{how}：{summary}。各单位近{len(data.bands.columns) - 1}个季度分档如下表。")
    history = data.bands.set_index("unit")
    quarters = list(history.columns)
    rows, fills = [], []
    for _, r in banded.iterrows():
        cells = [labels.colour_band_text(history.loc[r["unit"], q]) if r["unit"] in history.index else ""
                 for q in quarters]
        rows.append([str(r["unit"]), f"{r['score']:.1f}", *cells])
        fills.append([None, None, *[_band_fill(history.loc[r["unit"], q]) if r["unit"] in history.index else None
                                    for q in quarters]])
    width = (156 - 48 - 18) / max(len(quarters), 1)
    table(doc, ["单位", "得分", *quarters], rows, [48, 18, *[width] * len(quarters)], fills)


def _band_fill(key: str, amount: float = 0.55) -> str | None:
    """The band's colour mixed with white (the icon and word carry the band; the tint only helps the eye)."""
    if not key:
        return None
    c = labels.COLOUR_BAND_BY_KEY[key].colour.lstrip("#")
    rgb = [int(c[i:i + 2], 16) for i in (0, 2, 4)]
    return "".join(f"{round(v + (255 - v) * amount):02X}" for v in rgb)


def _overdue(doc, data: BulletinData) -> None:
    items = data.overdue
    if items.empty:
        paragraph(doc, f"截至{day_text(data.as_of)}，无逾期事项。")
        return
    nodes = int((items["milestone"] != "").sum())
    paragraph(doc, f"截至{day_text(data.as_of)}，逾期事项共{len(items)}项（重点任务{len(items) - nodes}项、"
                   f"任务节点{nodes}项），清单如下。")
    rows = [[str(i), str(r["unit"]) or "—", str(r["task"]), str(r["milestone"]) or "—", str(int(r["days_overdue"])),
             "—" if is_missing(r["chases"]) else str(int(r["chases"]))] for i, (_, r) in enumerate(items.iterrows(), 1)]
    table(doc, ["序号", "责任单位", "任务", "节点", "逾期天数", "催办次数"], rows, [14, 30, 52, 18, 21, 21])


def _requirements(doc, data: BulletinData) -> None:
    text = str(data.settings.get("bulletin", {}).get("requirements", "")).strip()
    for line in (x.strip() for x in text.splitlines()):
        if line:
            paragraph(doc, line)


def build_bulletin(data: BulletinData) -> bytes:
    """The bulletin as .docx bytes."""
    b = data.settings.get("bulletin", {})
    issuer = str(b.get("issuer", labels.BUREAU))
    doc = Document()
    setup(doc)
    doc.core_properties.title = str(b.get("title", "督查通报"))
    doc.core_properties.author = issuer
    doc.core_properties.language = "zh-CN"
    body = doc.paragraphs[0] if doc.paragraphs else paragraph(doc)
    body.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if data.is_sample:
        run(body, labels.SAMPLE_MARK, font=HEADING_FONT, size=SIZE_BODY, colour=RED)
    paragraph(doc, issuer, font=TITLE_FONT, size=30, colour=RED, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False,
              line=None)
    paragraph(doc, indent=False)
    red_rule(paragraph(doc, doc_number(data), align=WD_ALIGN_PARAGRAPH.CENTER, indent=False))
    paragraph(doc, indent=False)
    paragraph(doc, str(b.get("title", "督查通报")), font=TITLE_FONT, size=SIZE_TITLE,
              align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, line=Pt(35))
    if data.is_sample:
        paragraph(doc, f"（本通报含{labels.SAMPLE_MARK}，仅供演示，不代表真实统计，请勿引用）", font=KAI_FONT,
                  align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, colour=RED)
    paragraph(doc, indent=False)
    paragraph(doc, str(b.get("addressee", "各有关单位：")), indent=False)
    policy = data.policy
    paragraph(doc, f"为推动《{policy['title']}》（{policy['doc_number']}）各项目标任务落实，市科技和工业信息化局对"
                   f"{data.region}截至{day_text(data.as_of)}的目标完成和任务推进情况进行了督查，现将有关情况通报如下。")
    sections = (("总体情况", _overall), ("表扬单位", lambda d, x: _group(d, x, labels.PRAISE)),
                ("通报批评单位", lambda d, x: _group(d, x, labels.CRITICISE)), ("颜色分档", _bands),
                ("逾期任务清单", _overdue), ("下步工作要求", _requirements))
    for i, (name, draw) in enumerate(sections, start=1):
        heading(doc, i, name)
        draw(doc, data)
    paragraph(doc, indent=False)
    paragraph(doc, indent=False)
    sign = paragraph(doc, issuer, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    sign.paragraph_format.right_indent = Pt(SIZE_BODY * 4)
    when = paragraph(doc, day_text(data.issued), align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    when.paragraph_format.right_indent = Pt(SIZE_BODY * 4)
    add_annex(doc, data)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()

