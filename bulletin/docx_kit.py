"""The .docx toolkit of the 督查通报, in the layout of GB/T 9704 (党政机关公文格式) as far as a generated file can:
A4; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm; title in a 小标宋 face at 二号 (22 pt); body 仿宋 at
三号 (16 pt), fixed 28.95 pt lines (22 lines a page); level-1 headings 黑体 (kept with the next paragraph), level-2
楷体; page numbers “— N —” in the footer (a PAGE field), odd pages right, even pages left; tables whose rows never
split across pages, whose header row repeats on every page and whose columns are sized to their content.
Every run names its East Asian typeface (`w:rFonts w:eastAsia`; python-docx's font.name sets only the Latin one),
and the font table gives each face a common alternative (`w:altName`) for machines without the GB faces."""
from __future__ import annotations

import math
import re

from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from lxml import etree

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
TEXT_WIDTH_MM = 210 - MARGINS_MM["left"] - MARGINS_MM["right"]  # 156 mm: 28 characters of 三号 a line
CN_NUMBERS = "一二三四五六七八九十"
PT_MM = 25.4 / 72
CELL_PADDING_MM = 4.0  # the default cell margins, left and right (0.19 cm each), and a little air


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
    """A level-1 heading: '一、总体情况' in 黑体, kept on one page with the paragraph after it."""
    keep_with_next(paragraph(doc, f"{CN_NUMBERS[number - 1]}、{text}", font=HEADING_FONT))


def subheading(doc, number: int, text: str, rest: str = ""):
    """A level-2 heading '（一）逾期重点任务。' in 楷体, optionally followed by body text in the same paragraph."""
    p = paragraph(doc)
    run(p, f"（{CN_NUMBERS[number - 1] if number <= 10 else number}）{text}", font=KAI_FONT)
    if rest:
        run(p, rest)
    return p


def keep_with_next(p):
    """Keep a paragraph on the page of the next one (a heading never ends a page)."""
    p.paragraph_format.keep_with_next = True
    return p


def page_break(doc) -> None:
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def text_width(text: str) -> float:
    """The width of a text in character widths of its size: a CJK character 1, a Latin letter or digit ½."""
    return sum(1.0 if ord(c) > 0x2E7F else 0.5 for c in text)


def title_lines(title: str, size: float = SIZE_TITLE, width_mm: float = TEXT_WIDTH_MM) -> list[str]:
    """A title as the lines it is set in: the author's own line breaks kept; a line too long for the width is
    split into the fewest lines of nearly equal length (never one character alone on a line), moving a break so
    that no line begins with a particle or punctuation."""
    per_line = int(width_mm / (size * PT_MM))
    out: list[str] = []
    for line in (x.strip() for x in title.split("\n")):
        if not line:
            continue
        n = math.ceil(text_width(line) / per_line)
        if n <= 1:
            out.append(line)
            continue
        size_each, start = math.ceil(len(line) / n), 0
        for _ in range(n - 1):
            cut = start + size_each
            while cut < len(line) - 1 and line[cut] in "的之和与及、，。；：”）〕》":
                cut += 1
            out.append(line[start:cut])
            start = cut
        out.append(line[start:])
    return out


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


def _is_cjk(c: str) -> bool:
    return ord(c) > 0x2E7F


def _header_need(text: str) -> float:
    """What a header needs, in character widths: a Chinese header may take two lines; a Latin word ('2020Q1')
    must stay on one."""
    latin = max((text_width(w) for w in re.split(r"[\u2e80-\uffff]+", text) if w), default=0.0)
    cjk = math.ceil(sum(1 for c in text if _is_cjk(c)) / 2) if sum(map(_is_cjk, text)) >= 3 else text_width(text)
    return max(latin, cjk)


def column_widths(header: list[str], rows: list[list[str]], size: float = SIZE_TABLE,
                  total_mm: float = TEXT_WIDTH_MM, short_chars: float = 8.0) -> list[float]:
    """Column widths (mm) filling the text width. A short column (no cell wider than `short_chars` characters:
    序号, 日期, 天数, 得分) gets what its longest cell needs on one line, so it never wraps; the long columns share
    the rest: each gets what it needs on one line when that fits, the widest split what remains evenly (they wrap,
    the others do not). A header needs at most two lines."""
    char = size * PT_MM
    cells = [[text_width(str(r[i])) for r in rows] or [1.0] for i in range(len(header))]
    need = [max(max(c), _header_need(h)) * char + CELL_PADDING_MM for c, h in zip(cells, header)]
    floor = [_header_need(h) * char + CELL_PADDING_MM for h in header]
    short = [max(c) <= short_chars for c in cells]
    if sum(need) <= total_mm:
        grow = [i for i, s in enumerate(short) if not s] or list(range(len(header)))
        spare = (total_mm - sum(need)) / len(grow)
        return [w + (spare if i in grow else 0.0) for i, w in enumerate(need)]
    widths = [n if s else 0.0 for n, s in zip(need, short)]
    left = total_mm - sum(widths)
    flexible = sorted((i for i, s in enumerate(short) if not s), key=lambda i: need[i])
    for k, i in enumerate(flexible):  # water-filling: the narrow long columns first, each at most an even share
        share = left / (len(flexible) - k)
        widths[i] = max(min(need[i], share), floor[i])
        left -= widths[i]
    return widths


def _row_properties(row, *, header: bool = False) -> None:
    """A row never splits across a page; the header row repeats at the top of every page."""
    trpr = row._tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:cantSplit"))
    if header:
        trpr.append(OxmlElement("w:tblHeader"))


def table(doc, header: list[str], rows: list[list[str]], widths_mm: list[float] | None = None,
          fills: list[list[str | None]] | None = None, *, size: float = SIZE_TABLE,
          align: list[str] | None = None, keep_together: bool = False) -> None:
    """A grid table: shaded 黑体 header repeated on every page, rows kept whole, columns sized to their content
    (column_widths) unless widths are given; align: 'l', 'c' or 'r' per column (default left); keep_together: the
    whole table on one page (for a short table: each row kept with the next)."""
    widths_mm = widths_mm or column_widths(header, rows, size)
    where = {"l": WD_ALIGN_PARAGRAPH.LEFT, "c": WD_ALIGN_PARAGRAPH.CENTER, "r": WD_ALIGN_PARAGRAPH.RIGHT}
    align = align or ["l"] * len(header)
    t = doc.add_table(rows=1, cols=len(header))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    for i, text in enumerate(header):
        cell = t.rows[0].cells[i]
        cell.paragraphs[0].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run(cell.paragraphs[0], text, font=HEADING_FONT, size=size)
        shade(cell, "E7E6E6")
    _row_properties(t.rows[0], header=True)
    for r_i, values in enumerate(rows):
        row = t.add_row()
        _row_properties(row)
        for i, text in enumerate(values):
            row.cells[i].paragraphs[0].paragraph_format.alignment = where[align[i]]
            run(row.cells[i].paragraphs[0], text, size=size)
            if fills and fills[r_i][i]:
                shade(row.cells[i], fills[r_i][i])
    if keep_together:
        for row in t.rows[:-1]:
            for cell in row.cells:
                keep_with_next(cell.paragraphs[0])
    # fixed column widths: the grid (read by LibreOffice) and every cell (read by Word)
    t.autofit = False
    for i, w in enumerate(widths_mm):
        t.columns[i].width = Mm(w)
    for row in t.rows:
        for i, w in enumerate(widths_mm):
            row.cells[i].width = Mm(w)


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


# what follows w:autoSpaceDN in a paragraph's properties (the schema's order)
_AFTER_AUTOSPACE = ("w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
                    "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
                    "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")


def tight_latin(ppr) -> None:
    """No extra space between Chinese and Latin letters or digits (w:autoSpaceDE / w:autoSpaceDN off): a document
    number, a date and a value read as printed ('长政〔2019〕20号', '2020年12月31日', '3.50%'), not with gaps."""
    for tag in ("w:autoSpaceDE", "w:autoSpaceDN"):
        for old in ppr.findall(qn(tag)):
            ppr.remove(old)
        el = OxmlElement(tag)
        el.set(qn("w:val"), "0")
        ppr.insert_element_before(el, *_AFTER_AUTOSPACE)


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
    tight_latin(normal.element.get_or_add_pPr())
    for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
                          (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        p = footer.paragraphs[0]
        p.paragraph_format.alignment = align
        p.paragraph_format.left_indent = p.paragraph_format.right_indent = Pt(SIZE_PAGE)  # 一字距
        page_field(p)
    font_table_alternatives(doc)


