"""The headline indicators of the 终期评估报告 as PNG images: one line chart per indicator — its yearly values (a
hollow point for 示例数据, a filled one for a published figure) and the target as a dashed line, named in the legend
with its due year in the renderer's words.

Drawn with Pillow, already a dependency (pinned in requirements.txt): a closing report is written on the server,
and Pillow needs no browser and no kaleido/Chrome (plotly's static export does; neither is installed here, and a
headless browser per chart would be the heaviest and least dependable part of the report). Chinese text needs a
CJK font on the server (fonts-noto-cjk on Debian; 微软雅黑 or 黑体 on Windows): without one `cjk_font()` is None and
the report says that its charts are left out instead of printing empty boxes."""
from __future__ import annotations

import functools
import io
import math
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from PIL import Image, ImageDraw, ImageFont

from views.target_words import target_words
from vocab import labels
from vocab.labels import is_missing

FONT_FILES = (  # (file, face index in a collection): Debian's Noto Sans CJK SC, then common desktop fonts
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),
    ("C:/Windows/Fonts/msyh.ttc", 0), ("C:/Windows/Fonts/simhei.ttf", 0),
    ("/System/Library/Fonts/PingFang.ttc", 0),
)
WIDTH, HEIGHT = 1600, 820           # pixels; printed 150 mm wide (≈ 270 dpi)
LEFT, RIGHT, TOP, BOTTOM = 160, 70, 230, 160
ACTUAL, TARGET, GRID, AXIS, INK, MUTED = "#1F4E79", "#D55E00", "#E5E9F0", "#888888", "#1A1A1A", "#555555"


@functools.lru_cache(maxsize=1)
def cjk_font() -> tuple[str, int] | None:
    """A font file (and face index) that draws Chinese, or None: the known places, then fontconfig's choice."""
    for path, index in FONT_FILES:
        if Path(path).is_file():
            return path, index
    if shutil.which("fc-match"):
        found = subprocess.run(["fc-match", "-f", "%{file}:%{index}", ":lang=zh"], capture_output=True, text=True,
                               timeout=10, check=False).stdout.strip()
        path, _, index = found.rpartition(":")
        if path and Path(path).is_file() and index.isdigit():
            return path, int(index)
    return None


@dataclass(frozen=True)
class Chart:
    """One indicator's chart: what is drawn, in words and numbers (evaluation.build makes it from the engine)."""
    title: str                      # 'G01 全社会研发投入强度'
    subtitle: str                   # '目标 ≥3.8%（2020年底） · 未完成（完成 92%）'
    unit: str
    years: tuple[int, ...]
    values: tuple[float | None, ...]
    sample: tuple[bool, ...]
    target: float | None
    target_text: str                # '≥3.8%（2020年底）'
    due_year: int
    decimals: int = 0
    invert: bool = False            # a rank: 1 on top
    stages: tuple[str, ...] = ()    # a milestone: the stage names on the value axis


@functools.lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont:
    path, index = cjk_font()
    return ImageFont.truetype(path, size, index=index)


def _nice_step(span: float, ticks: int = 5) -> float:
    raw = span / ticks if span > 0 else 1.0
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


def _value_range(chart: Chart) -> tuple[float, float, list[float]]:
    """(low, high, ticks) of the value axis: from 0 (a rank from 1, a milestone from its first stage)."""
    if chart.stages:
        return -0.4, len(chart.stages) - 0.6, [float(i) for i in range(len(chart.stages))]
    known = [v for v in chart.values if v is not None] + ([chart.target] if chart.target is not None else [])
    top = max(known, default=1.0)
    low = 1.0 if chart.invert else min(0.0, min(known, default=0.0))
    step = _nice_step((top - low) * 1.15)
    high = low + step * math.ceil((top - low) * 1.15 / step) if top > low else low + step
    ticks = [low + step * k for k in range(int(round((high - low) / step)) + 1)]
    return low, high, ticks


def render(chart: Chart) -> bytes:
    """The chart as PNG bytes (cjk_font() must have found a font)."""
    img = Image.new("RGB", (WIDTH, HEIGHT), "white")
    d = ImageDraw.Draw(img)
    title, small, label = _font(46), _font(34), _font(31)
    d.text((LEFT - 100, 28), chart.title, font=title, fill=INK)
    d.text((LEFT - 100, 96), chart.subtitle, font=small, fill=MUTED)
    x0, x1, y0, y1 = LEFT, WIDTH - RIGHT, TOP, HEIGHT - BOTTOM
    low, high, ticks = _value_range(chart)

    def y_of(v: float) -> float:
        share = (v - low) / (high - low)
        return y0 + share * (y1 - y0) if chart.invert else y1 - share * (y1 - y0)

    n = max(len(chart.years), 1)
    xs = [x0 + (i + 0.5) * (x1 - x0) / n for i in range(n)]
    for t in ticks:
        y = y_of(t)
        d.line([(x0, y), (x1, y)], fill=GRID, width=2)
        text = chart.stages[int(t)] if chart.stages else labels.number_text(t, _tick_decimals(ticks))
        d.text((x0 - 14, y), text, font=label, fill=MUTED, anchor="rm")
    d.line([(x0, y1), (x1, y1)], fill=AXIS, width=3)
    for x, year in zip(xs, chart.years):
        d.text((x, y1 + 14), f"{year}", font=label, fill=MUTED, anchor="ma")
    if chart.unit and not chart.stages:
        d.text((LEFT - 100, y0 - 30), f"单位：{chart.unit}", font=label, fill=MUTED, anchor="ls")
    if chart.target is not None:   # named in the legend, so no label sits on the series
        _dashed(d, x0, x1, y_of(chart.target))
    points = [(x, y_of(v), v, s) for x, v, s in zip(xs, chart.values, chart.sample) if v is not None]
    if len(points) > 1:
        d.line([(x, y) for x, y, _, _ in points], fill=ACTUAL, width=6, joint="curve")
    for x, y, v, s in points:
        d.ellipse([x - 12, y - 12, x + 12, y + 12], fill="white" if s else ACTUAL, outline=ACTUAL, width=5)
        text = chart.stages[int(round(v))] if chart.stages else labels.number_text(v, chart.decimals)
        d.text((x, y - 22), text, font=label, fill=INK, anchor="md")
    drawn = [s for v, s in zip(chart.values, chart.sample) if v is not None]
    _legend(d, any(drawn), not all(drawn), f"目标 {chart.target_text}" if chart.target is not None else "", small)
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def _tick_decimals(ticks: list[float]) -> int:
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    return 0 if float(step).is_integer() else max(0, -math.floor(math.log10(step)) + 1)


def _dashed(d: ImageDraw.ImageDraw, x0: float, x1: float, y: float, dash: int = 22, gap: int = 14) -> None:
    x = x0
    while x < x1:
        d.line([(x, y), (min(x + dash, x1), y)], fill=TARGET, width=4)
        x += dash + gap


def _legend(d: ImageDraw.ImageDraw, has_sample: bool, has_real: bool, target: str, font) -> None:
    """Under the axis: what a filled and a hollow point and the dashed line mean (only the ones drawn)."""
    x, y = LEFT, HEIGHT - 62
    items = ([("filled", "公开数据")] * has_real + [("hollow", labels.SAMPLE_MARK)] * has_sample
             + [("dash", target)] * bool(target))
    for kind, text in items:
        if kind == "dash":
            _dashed(d, x, x + 60, y, dash=16, gap=8)
        else:
            d.ellipse([x + 18, y - 12, x + 42, y + 12], fill=ACTUAL if kind == "filled" else "white", outline=ACTUAL,
                      width=5)
        d.text((x + 76, y), text, font=font, fill=MUTED, anchor="lm")
        x += 76 + int(d.textlength(text, font=font)) + 60


def chart_of(row: dict, series: pd.DataFrame, indicator: dict) -> Chart:
    """A target's chart from its status row (its words: views.target_words), its metrics.trajectory rows (actual,
    target) and its indicator's catalogue row (the axis's unit and decimals: a cagr target's own unit is %)."""
    w = target_words(row)
    mine = series.loc[series["code"] == row["code"]]
    actual = mine.loc[mine["series"] == "actual"].set_index("year")
    target = mine.loc[mine["series"] == "target"].sort_values("year")
    span = [int(y) for y in actual.index] + [int(y) for y in target["year"]] + [int(row["base_year"])]
    years = tuple(range(min(span), max(span) + 1))
    kind_note = {"cumulative": "（累计）", "annual": "（当年新增）"}.get(str(row["kind"]), "")
    stages = tuple(str(s) for s in row["stages"]) if row["kind"] == "milestone" and len(row["stages"]) else ()
    decimals = indicator.get("decimals")
    return Chart(
        title=f"{row['code']} {w.name}{kind_note}", subtitle=f"目标 {w.target}（{w.due}） · {w.verdict}",
        unit=str(indicator.get("unit") or ""), years=years,
        values=tuple(float(actual.loc[y, "value"]) if y in actual.index else None for y in years),
        sample=tuple(bool(actual.loc[y, "is_sample"]) if y in actual.index else False for y in years),
        target=float(target["value"].iloc[-1]) if len(target) else None, target_text=f"{w.target}（{w.due}）",
        due_year=int(row["due_year"]), decimals=0 if is_missing(decimals) else int(decimals),
        invert=row.get("measure") == "rank", stages=stages)
