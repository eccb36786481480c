"""How wide a text is drawn, for what reserves room before the browser draws it — a chart's margins (ui.charts) and
a table's row height (ui.tables) — so that nothing is cut without plotly's automargin or a scrolling cell. Upper
bounds of what Noto Sans CJK SC, the house font, draws (tests/test_text_width.py measures them with Pillow)."""
from __future__ import annotations

import math


def em(c: str) -> float:
    """A character's width in em: a digit, separator or sign 0.6, '%' 1.1, a Latin letter or other symbol 0.95, a
    CJK character 1."""
    return 0.6 if c.isdigit() or c in ",.−-+ " else 1.1 if c == "%" else 0.95 if ord(c) < 0x2E80 else 1.0


def text_width(text: str, size: int = 12) -> int:
    """The px a one-line text takes at `size` px, rounded up."""
    return math.ceil(size * sum(em(c) for c in text))


def wrapped_lines(text: str, width: int, size: int = 14) -> int:
    """How many lines a text takes when wrapped at any character into lines of at most `width` px (as a table cell
    wraps Chinese); a line break in the text starts a new line."""
    lines = 0
    for part in str(text).split("\n"):
        lines += 1
        used = 0.0
        for c in part:
            w = size * em(c)
            if used and used + w > width:
                lines, used = lines + 1, 0.0
            used += w
    return lines
