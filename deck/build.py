"""The leading-group meeting deck: plan the slides from the engine's frames (deck.plan), draw them with python-pptx
(deck.draw) into a 16:9 presentation. Numbers are the metrics engine's, texts about targets views.target_words'."""
from __future__ import annotations

import io
from collections.abc import Callable

from pptx import Presentation

from deck import style
from deck.draw import ATTAINMENT_SERIES, DRAW, TARGET_SERIES
from deck.plan import DeckData, DeckOptions, Meeting, Slide, deck_title, plan_deck
from vocab import labels

__all__ = ["ATTAINMENT_SERIES", "TARGET_SERIES", "DeckData", "DeckOptions", "Meeting", "Slide", "build_deck",
           "plan_deck"]

TITLE_ONLY_LAYOUT = 5

Progress = Callable[[int, int, str], None]


def build_deck(data: DeckData, options: DeckOptions = DeckOptions(), progress: Progress | None = None) -> bytes:
    """The deck as .pptx bytes. progress(i, n, title) is called before each slide is drawn."""
    slides = plan_deck(data, options)
    prs = Presentation()
    prs.slide_width, prs.slide_height = style.SLIDE_WIDTH, style.SLIDE_HEIGHT
    style.theme_typeface(prs)
    prs.core_properties.title = deck_title(data)
    prs.core_properties.author = labels.BUREAU
    prs.core_properties.language = "zh-CN"
    foot = f"{data.policy['doc_number']} · {data.region} · 数据截至{data.as_of_year}年 · {labels.BUREAU}"
    for i, spec in enumerate(slides):
        if progress:
            progress(i, len(slides), spec.title)
        slide = prs.slides.add_slide(prs.slide_layouts[TITLE_ONLY_LAYOUT])
        DRAW[spec.kind](slide, spec, data, options)
        if spec.kind != "cover":
            style.footer(slide, foot, i + 1, len(slides))
        if spec.uses_sample:
            style.sample_mark(slide)
        slide.notes_slide.notes_text_frame.text = spec.notes
        _sweep_fonts(slide)
    if progress:
        progress(len(slides), len(slides), "完成")
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


def _sweep_fonts(slide) -> None:
    style.apply_typeface(slide.shapes._spTree)
    style.apply_typeface(slide.notes_slide.notes_text_frame._txBody)
    for shape in slide.shapes:
        if shape.has_chart:
            style.apply_typeface(shape.chart._chartSpace)
