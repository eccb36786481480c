"""Look of the meeting deck: page geometry, typefaces, neutral colours and small drawing helpers.

Status colours come from labels.STATUSES (the dashboard's palette); only the neutrals of the slide frame live here.
Every run gets both its Latin and its East Asian typeface (`a:latin` + `a:ea`): python-pptx's `font.name` sets only
the Latin one, and a government PC would otherwise fall back to a Latin font for Chinese text."""
from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from lxml import etree
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from vocab import labels

SLIDE_WIDTH = Inches(13.333)
SLIDE_HEIGHT = Inches(7.5)
MARGIN = Inches(0.5)
CONTENT_TOP = Inches(1.3)
CONTENT_BOTTOM = Inches(6.85)
CONTENT_WIDTH = SLIDE_WIDTH - 2 * MARGIN

FONT = "微软雅黑"          # on every run, Latin and East Asian; LibreOffice substitutes a CJK sans where missing
FONT_CHARSET = "-122"      # GB2312, helps PowerPoint pick a Chinese substitute when the face is absent

INK = "222222"
MUTED = "666666"
RULE = "BFBFBF"
ACCENT = "1F4E79"          # title rule and table headers: a dark blue that prints well in greyscale
BAND = "F2F2F2"            # alternate table rows
SAMPLE_COLOUR = "C00000"   # the 示例数据 mark

SAMPLE_MARK_NAME = "示例数据标记"

_RPR_TAGS = (qn("a:rPr"), qn("a:defRPr"), qn("a:endParaRPr"))
_FONT_TAGS = ("a:latin", "a:ea", "a:cs")
# children of a:rPr that must follow latin/ea/cs (schema order of CT_TextCharacterProperties)
_AFTER_FONTS = {qn(t) for t in ("a:sym", "a:hlinkClick", "a:hlinkMouseOver", "a:rtl", "a:extLst")}


def rgb(hex_colour: str) -> RGBColor:
    return RGBColor.from_string(hex_colour.lstrip("#").upper())


def tint(hex_colour: str, amount: float = 0.75) -> str:
    """The colour mixed with white (amount 0 = colour, 1 = white): fills behind dark text."""
    h = hex_colour.lstrip("#")
    parts = [int(h[i:i + 2], 16) for i in (0, 2, 4)]
    return "".join(f"{round(c + (255 - c) * amount):02X}" for c in parts)


def status_colour(key: str) -> str:
    return labels.STATUS_BY_KEY[key].colour.lstrip("#")


# ------------------------------------------------------------------ typefaces

def set_typeface(rpr: etree._Element, typeface: str = FONT) -> None:
    """Give one run-properties element its Latin, East Asian and complex-script typeface, in schema order."""
    for tag in _FONT_TAGS:
        for old in rpr.findall(qn(tag)):
            rpr.remove(old)
    anchor = next((child for child in rpr if child.tag in _AFTER_FONTS), None)
    for tag in _FONT_TAGS:
        el = etree.SubElement(rpr, qn(tag))
        el.set("typeface", typeface)
        if tag == "a:ea":
            el.set("charset", FONT_CHARSET)
        if anchor is not None:
            anchor.addprevious(el)


def apply_typeface(root: etree._Element, typeface: str = FONT) -> None:
    """Every run (and paragraph/default run properties) under root gets the typeface; runs without properties get
    them. Used as a final sweep over each slide, its notes and its charts, so nothing is left to the theme."""
    for run in root.iter(qn("a:r"), qn("a:fld")):
        if run.find(qn("a:rPr")) is None:
            run.insert(0, etree.Element(qn("a:rPr"), lang="zh-CN"))
    for rpr in root.iter(*_RPR_TAGS):
        rpr.set("lang", "zh-CN")
        rpr.set("altLang", "en-US")
        set_typeface(rpr, typeface)


def theme_typeface(prs, typeface: str = FONT) -> None:
    """Make the theme's heading and body fonts (Latin, East Asian, Simplified Chinese script) the deck's typeface,
    so that text a user adds later in PowerPoint is also in it."""
    from pptx.opc.constants import RELATIONSHIP_TYPE as RT
    theme = prs.slide_master.part.part_related_by(RT.THEME)
    root = etree.fromstring(theme.blob)
    for block in root.iter(qn("a:majorFont"), qn("a:minorFont")):
        for child in block:
            if child.tag in (qn("a:latin"), qn("a:ea")) or (child.tag == qn("a:font") and child.get("script") == "Hans"):
                child.set("typeface", typeface)
    theme._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# ------------------------------------------------------------------ text measuring (no font files needed)

def text_width(text: str) -> float:
    """Width in ems: CJK, full-width and ambiguous characters (“”, ≥, ·, ○: a CJK font draws them full width)
    count 1, everything else about 0.55."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WFA" else 0.55 for c in text)


def lines_needed(text: str, width_emu: int, size_pt: float) -> int:
    """Lines a paragraph wraps to in a box of this width at this size (conservative: 92% of the width)."""
    per_line = max(1.0, (width_emu / 12700) * 0.92 / size_pt)
    return max(1, -(-int(text_width(text) * 100) // int(per_line * 100)))


def fit_size(paragraphs: Iterable[str], width_emu: int, height_emu: int, max_pt: float, min_pt: float = 10,
             line_spacing: float = 1.3, para_gap_pt: float = 6) -> float:
    """The largest size (max_pt down to min_pt, half-point steps) at which the paragraphs fit the box."""
    paragraphs = list(paragraphs)
    size = max_pt
    while size > min_pt:
        lines = sum(lines_needed(p, width_emu, size) for p in paragraphs)
        height_pt = lines * size * line_spacing + para_gap_pt * len(paragraphs)
        if height_pt <= height_emu / 12700 * 0.9:
            return size
        size -= 0.5
    return min_pt


def shorten(text: str, max_ems: float) -> str:
    """Cut text to max_ems wide (see text_width), ending in '…' when cut."""
    if text_width(text) <= max_ems:
        return text
    out, width = "", 0.0
    for c in text:
        w = text_width(c)
        if width + w > max_ems - 1:
            break
        out, width = out + c, width + w
    return out + "…"


# ------------------------------------------------------------------ drawing helpers

def style_run(run, size: float, *, bold: bool = False, colour: str = INK) -> None:
    font = run.font
    font.size = Pt(size)
    font.bold = bold
    font.color.rgb = rgb(colour)


def write(frame, paragraphs: list[str] | str, size: float, *, bold: bool = False, colour: str = INK,
          align=PP_ALIGN.LEFT, anchor=MSO_ANCHOR.TOP, space_after: float = 0, bullet: str = "") -> None:
    """Replace a text frame's text with paragraphs (one run each), word-wrapped, no autofit."""
    if isinstance(paragraphs, str):
        paragraphs = [paragraphs]
    frame.clear()
    frame.word_wrap = True
    frame.vertical_anchor = anchor
    for i, text in enumerate(paragraphs):
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        para.alignment = align
        if space_after:
            para.space_after = Pt(space_after)
        run = para.add_run()
        run.text = f"{bullet}{text}" if bullet else text
        style_run(run, size, bold=bold, colour=colour)


def textbox(slide, left: int, top: int, width: int, height: int, paragraphs: list[str] | str, size: float,
            *, name: str | None = None, margin: int = Inches(0.05), **kwargs):
    box = slide.shapes.add_textbox(left, top, width, height)
    if name:
        box.name = name
    tf = box.text_frame
    tf.margin_left = tf.margin_right = margin
    tf.margin_top = tf.margin_bottom = margin
    write(tf, paragraphs, size, **kwargs)
    return box


def filled_box(slide, left: int, top: int, width: int, height: int, fill: str | None, *, line: str | None = None,
               shape=MSO_SHAPE.RECTANGLE, name: str | None = None):
    box = slide.shapes.add_shape(shape, left, top, width, height)
    if name:
        box.name = name
    if fill:
        box.fill.solid()
        box.fill.fore_color.rgb = rgb(fill)
    else:
        box.fill.background()
    if line:
        box.line.color.rgb = rgb(line)
        box.line.width = Pt(1.5)
    else:
        box.line.fill.background()
    box.shadow.inherit = False
    tf = box.text_frame
    tf.margin_left = tf.margin_right = Inches(0.08)
    tf.margin_top = tf.margin_bottom = Inches(0.04)
    return box


def sample_mark(slide) -> None:
    """The visible 示例数据 mark, top right, on every slide that shows a sample value."""
    box = filled_box(slide, SLIDE_WIDTH - MARGIN - Inches(1.45), Inches(0.3), Inches(1.45), Inches(0.42), "FFFFFF",
                     line=SAMPLE_COLOUR, shape=MSO_SHAPE.ROUNDED_RECTANGLE, name=SAMPLE_MARK_NAME)
    write(box.text_frame, labels.SAMPLE_MARK, 14, bold=True, colour=SAMPLE_COLOUR, align=PP_ALIGN.CENTER,
          anchor=MSO_ANCHOR.MIDDLE)


def title(slide, text: str, subtitle: str = "") -> None:
    """The slide title in the layout's title placeholder (so outlines and screen readers see it), and a rule."""
    ph = slide.shapes.title
    ph.left, ph.top, ph.width, ph.height = MARGIN, Inches(0.25), CONTENT_WIDTH - Inches(1.6), Inches(0.65)
    write(ph.text_frame, text, 26, bold=True, colour=ACCENT, anchor=MSO_ANCHOR.MIDDLE)
    ph.text_frame.margin_left = 0
    rule = slide.shapes.add_connector(1, MARGIN, Inches(0.95), SLIDE_WIDTH - MARGIN, Inches(0.95))
    rule.line.color.rgb = rgb(ACCENT)
    rule.line.width = Pt(1.5)
    if subtitle:
        textbox(slide, MARGIN, Inches(0.98), CONTENT_WIDTH, Inches(0.32), shorten(subtitle, 110), 12, colour=MUTED,
                margin=0)


def footer(slide, text: str, page: int, pages: int) -> None:
    top = SLIDE_HEIGHT - Inches(0.45)
    textbox(slide, MARGIN, top, CONTENT_WIDTH - Inches(1.2), Inches(0.3), shorten(text, 120), 10, colour=MUTED,
            margin=0)
    textbox(slide, SLIDE_WIDTH - MARGIN - Inches(1.2), top, Inches(1.2), Inches(0.3), f"{page} / {pages}", 10,
            colour=MUTED, align=PP_ALIGN.RIGHT, margin=0)


CELL_MARGIN = Inches(0.06)   # left and right inside every table cell


def table(slide, left: int, top: int, widths: list[int], header: list[str], rows: list[list[str]], *,
          size: float = 11, row_height: int = Inches(0.4), fills: list[list[str | None]] | None = None,
          bold_cols: Iterable[int] = (), align: list | None = None, name: str | None = None):
    """A plain table: dark header, banded rows, optional per-cell fills; cells wrap, no autofit."""
    shape = slide.shapes.add_table(len(rows) + 1, len(widths), left, top, sum(widths, Emu(0)),
                                   row_height * (len(rows) + 1))
    if name:
        shape.name = name
    tbl = shape.table
    tbl.first_row = True
    tbl.horz_banding = False
    for j, w in enumerate(widths):
        tbl.columns[j].width = w
    bold_cols = set(bold_cols)
    for i in range(len(rows) + 1):
        tbl.rows[i].height = row_height
        for j in range(len(widths)):
            cell = tbl.cell(i, j)
            cell.margin_left = cell.margin_right = CELL_MARGIN
            cell.margin_top = cell.margin_bottom = Inches(0.02)
            cell.vertical_anchor = MSO_ANCHOR.MIDDLE
            al = align[j] if align else PP_ALIGN.LEFT
            if i == 0:
                write(cell.text_frame, header[j], size, bold=True, colour="FFFFFF", align=al,
                      anchor=MSO_ANCHOR.MIDDLE)
                fill = ACCENT
            else:
                write(cell.text_frame, rows[i - 1][j], size, bold=j in bold_cols, align=al, anchor=MSO_ANCHOR.MIDDLE)
                fill = (fills[i - 1][j] if fills and fills[i - 1][j] else None) or ("FFFFFF" if i % 2 else BAND)
            cell.fill.solid()
            cell.fill.fore_color.rgb = rgb(fill)
    return shape
