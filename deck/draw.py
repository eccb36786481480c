"""Drawing the deck's slides with python-pptx: one function per slide kind (DRAW), each from its planned Slide
(deck.plan). Texts about targets come from views.target_words; this module lays them out."""
from __future__ import annotations

import pandas as pd
from pptx.chart.data import CategoryChartData
from pptx.enum.chart import (
    XL_CHART_TYPE,
    XL_LABEL_POSITION,
    XL_LEGEND_POSITION,
    XL_TICK_LABEL_POSITION,
)
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Inches, Pt

from deck import style
from deck.plan import DeckData, DeckOptions, Slide, _change_values, _rank, _str
from views import score_text, sentences
from views import target_words as words
from vocab import labels
from vocab.labels import is_missing

SIDE_SIZE = 10   # pt: the table beside a chart
ATTAINMENT_SERIES = "实际完成率"
TARGET_SERIES = "目标（100%）"


def _draw_cover(slide, spec: Slide, data: DeckData, options: DeckOptions) -> None:
    style.filled_box(slide, 0, 0, Inches(0.35), style.SLIDE_HEIGHT, style.ACCENT)
    ph = slide.shapes.title
    ph.left, ph.top, ph.width, ph.height = Inches(1.2), Inches(2.0), Inches(11.0), Inches(1.4)
    style.write(ph.text_frame, spec.title, 40, bold=True, colour=style.ACCENT, anchor=MSO_ANCHOR.BOTTOM)
    style.textbox(slide, Inches(1.2), Inches(3.5), Inches(11.0), Inches(0.6),
               f"——{data.policy['doc_number']}《{data.policy['short_title']}》落实情况", 20, colour=style.MUTED)
    when = f"数据截至{data.as_of_year}年"
    if options.meeting_date:
        when = f"{options.meeting_date.year}年{options.meeting_date.month}月{options.meeting_date.day}日 · {when}"
    style.textbox(slide, Inches(1.2), Inches(4.9), Inches(11.0), Inches(0.5), labels.BUREAU, 22, bold=True)
    style.textbox(slide, Inches(1.2), Inches(5.45), Inches(11.0), Inches(0.45), when, 18, colour=style.MUTED)
    if spec.uses_sample:
        style.textbox(slide, Inches(1.2), Inches(6.3), Inches(11.0), Inches(0.4), labels.SAMPLE_BANNER, 12,
                   colour=style.SAMPLE_COLOUR)


def _draw_summary(slide, spec: Slide, data: DeckData, options: DeckOptions) -> None:
    style.title(slide, spec.title, spec.subtitle)
    counts = spec.rows
    n = len(counts)
    gap = Inches(0.15)
    width = int((style.CONTENT_WIDTH - gap * (n - 1)) / n)
    for i, r in enumerate(counts.itertuples()):
        colour = style.status_colour(r.status)
        left = style.MARGIN + i * (width + gap)
        box = style.filled_box(slide, left, Inches(1.45), width, Inches(1.25), style.tint(colour, 0.8), line=colour)
        tf = box.text_frame
        style.write(tf, [str(r.n), f"{labels.STATUS_BY_KEY[r.status].icon} {r.label}"], 30, bold=True,
                 align=PP_ALIGN.CENTER, anchor=MSO_ANCHOR.MIDDLE)
        tf.paragraphs[1].runs[0].font.size = Pt(14)
    msgs = spec.extra["messages"]
    top, height = Inches(2.95), style.CONTENT_BOTTOM - Inches(2.95)
    size = style.fit_size(msgs, style.CONTENT_WIDTH - Inches(0.3), height, 18, 11, para_gap_pt=8)
    style.textbox(slide, style.MARGIN, top, style.CONTENT_WIDTH, height, msgs, size, bullet="■ ", space_after=8)


def _status_cell(row) -> tuple[str, str]:
    """A target's status cell: the status icon with the verdict's words ('✘ 未完成（完成 92%）'), tinted."""
    key = row["status"]
    return f"{labels.STATUS_BY_KEY[key].icon} {words.verdict_text(row)}", style.tint(style.status_colour(key), 0.7)


def _change_status_cell(key: str) -> tuple[str, str]:
    return labels.status_text(key), style.tint(style.status_colour(key), 0.7)


def _draw_changes(slide, spec: Slide, data: DeckData, options: DeckOptions) -> None:
    style.title(slide, spec.title, spec.subtitle)
    style.textbox(slide, style.MARGIN, Inches(1.35), style.CONTENT_WIDTH, Inches(0.45), spec.extra["message"], 16, bold=True)
    rows, fills = [], []
    arrows = {"up": "↑ 上升", "down": "↓ 下降", "same": "→ 不变", "new": "新增目标", "gone": "已移除",
              "judged": "■ 到期判定"}
    for _, r in spec.rows.iterrows():
        before, fb = _change_status_cell(r["status_before"]) if isinstance(r["status_before"], str) else ("—", None)
        after, fa = _change_status_cell(r["status_after"]) if isinstance(r["status_after"], str) else ("—", None)
        move = sentences.revised_text(r["status_move"]) if r["direction"] == "revised" else arrows[r["direction"]]
        rows.append([r["code"], style.shorten(str(r["indicator_name"]), 22), before, after, move,
                     _change_values(r), "是" if bool(r["value_added"]) else ""])
        fills.append([None, None, fb, fa, None, None, None])
    if not rows:
        style.textbox(slide, style.MARGIN, Inches(2.0), style.CONTENT_WIDTH, Inches(0.5), "各目标状态与数值均无变化。", 16)
        return
    widths = [Inches(w) for w in (0.8, 3.7, 1.7, 1.7, 1.2, 2.2, 1.0)]
    style.table(slide, style.MARGIN, Inches(1.9), widths, ["编号", "指标", "上次状态", "当前状态", "变化", "实际值（上次→当前）",
                                                       "新增数据"], rows, fills=fills, size=12, row_height=Inches(0.36))


def _style_chart(chart, legend: bool = True) -> None:
    chart.font.size = Pt(11)
    chart.font.name = style.FONT
    chart.has_legend = legend
    if legend:
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False
        chart.legend.font.size = Pt(11)


def _category(r: pd.Series) -> str:
    return f"{r['code']} {style.shorten(words.target_name(r), 17)}"


def _draw_area_attainment(slide, spec: Slide, data: DeckData, options: DeckOptions) -> None:
    style.title(slide, spec.title, spec.subtitle)
    rows = spec.rows
    scored = rows.loc[rows["attainment"].notna()]
    rank = scored["measure"] == "rank"   # a place above the bar is 100 %, as the renderer says (never 333 %)
    scored = scored.assign(attainment=scored["attainment"].where(~rank, scored["attainment"].clip(upper=1.0)))
    chart_w = _chart_width(rows)
    if scored.empty:
        _no_chart(slide, chart_w)
    else:
        cd = CategoryChartData(number_format="0%")
        cd.categories = [_category(r) for _, r in scored.iterrows()]
        cd.add_series(ATTAINMENT_SERIES, [float(v) for v in scored["attainment"]])
        cd.add_series(TARGET_SERIES, [1.0] * len(scored))
        frame = slide.shapes.add_chart(XL_CHART_TYPE.BAR_CLUSTERED, style.MARGIN, Inches(1.4), chart_w,
                                       _chart_height(len(scored)), cd)
        frame.name = "完成率图"
        chart = frame.chart
        _style_chart(chart, legend=False)
        plot = chart.plots[0]
        plot.overlap = 100
        plot.gap_width = 60
        actual, target = plot.series  # the target outline is drawn last, over the bar
        target.format.fill.background()
        target.format.line.color.rgb = style.rgb(style.INK)
        target.format.line.width = Pt(1.5)
        for i, key in enumerate(scored["status"]):
            point = actual.points[i]
            point.format.fill.solid()
            point.format.fill.fore_color.rgb = style.rgb(style.status_colour(key))
        # each label clear of the target frame's lines: past the end of a bar at or beyond the target (or of a
        # short bar, far from the frame's end), inside the end of a bar that stops short of the target or reaches
        # the chart's right edge
        top = max(1.2, min(2.0, float(scored["attainment"].max()) + 0.3))
        _value_labels(actual, "0%", XL_LABEL_POSITION.OUTSIDE_END, 11, bold=True)
        for i, (value, (_, r)) in enumerate(zip(scored["attainment"], scored.iterrows())):
            inside = 0.3 <= float(value) < 1 - 1e-9 or float(value) > top - 0.25
            # the renderer's words where the number format would say otherwise (99.7% short of the goal, not 100%)
            shown = words.attainment_text(r)
            own = bool(shown) and shown != f"{float(value):.0%}"
            if inside or own:
                label = actual.points[i].data_label
                if own:
                    label.text_frame.text = shown
                    style.style_run(label.text_frame.paragraphs[0].runs[0], 11, bold=True)
                label.position = XL_LABEL_POSITION.INSIDE_END if inside else XL_LABEL_POSITION.OUTSIDE_END
                label.font.size, label.font.bold = Pt(11), True
        cat_axis, val_axis = chart.category_axis, chart.value_axis
        cat_axis.reverse_order = True
        cat_axis.tick_label_position = XL_TICK_LABEL_POSITION.LOW
        cat_axis.tick_labels.font.size = Pt(11)
        val_axis.minimum_scale = 0
        val_axis.maximum_scale = top
        val_axis.major_unit = 0.2 if val_axis.maximum_scale <= 1.4 else 0.5
        val_axis.has_major_gridlines = True
        val_axis.major_gridlines.format.line.color.rgb = style.rgb("D9D9D9")
        val_axis.tick_labels.number_format = "0%"
        val_axis.tick_labels.number_format_is_linked = False
        if float(scored["attainment"].max()) > val_axis.maximum_scale:
            style.textbox(slide, style.MARGIN, Inches(1.4) + _chart_height(len(scored)), chart_w, Inches(0.3),
                       f"注：完成率超过{val_axis.maximum_scale:.0%}的条形在图边截断，标签为实际完成率。", 10,
                       colour=style.MUTED, margin=0)
    _side_table(slide, rows, style.MARGIN + chart_w + Inches(0.15))


def _value_labels(series, number_format: str, position, size: int, bold: bool = False) -> None:
    """Show each point's value on a series, in the given format and place (one style for every deck chart)."""
    labels_ = series.data_labels
    labels_.show_value = True
    labels_.number_format = number_format
    labels_.number_format_is_linked = False
    labels_.position = position
    labels_.font.size = Pt(size)
    labels_.font.bold = bold
    labels_._element.get_or_add_txPr().find(qn("a:bodyPr")).set("wrap", "none")  # "136 %" on one line


def _draw_area_relative(slide, spec: Slide, data: DeckData, options: DeckOptions) -> None:
    style.title(slide, spec.title, spec.subtitle)
    rows = spec.rows
    chart_w = _chart_width(rows)
    with_data = rows.loc[rows["region_growth"].notna() | rows["benchmark_growth"].notna()]
    if with_data.empty:
        _no_chart(slide, chart_w)
    else:
        cd = CategoryChartData(number_format="0.0%")
        cd.categories = [_category(r) for _, r in with_data.iterrows()]
        bench = with_data["benchmark"].dropna().iloc[0] if with_data["benchmark"].notna().any() else words.FALLBACK_BENCHMARK
        cd.add_series(f"{data.region}增速", [_float(v) for v in with_data["region_growth"]])
        cd.add_series(f"{bench}增速", [_float(v) for v in with_data["benchmark_growth"]])
        frame = slide.shapes.add_chart(XL_CHART_TYPE.BAR_CLUSTERED, style.MARGIN, Inches(1.4), chart_w,
                                       _chart_height(2 * len(with_data), legend=True), cd)
        frame.name = "增速对比图"
        chart = frame.chart
        _style_chart(chart)
        plot = chart.plots[0]
        plot.gap_width = 50
        plot.overlap = -10
        for series, colour in zip(plot.series, (style.ACCENT, "A6A6A6")):
            series.format.fill.solid()
            series.format.fill.fore_color.rgb = style.rgb(colour)
            _value_labels(series, "0.0%", XL_LABEL_POSITION.OUTSIDE_END, 10)
        chart.category_axis.reverse_order = True
        chart.category_axis.tick_label_position = XL_TICK_LABEL_POSITION.LOW
        chart.category_axis.tick_labels.font.size = Pt(11)
        val = chart.value_axis
        val.has_major_gridlines = True
        val.major_gridlines.format.line.color.rgb = style.rgb("D9D9D9")
        val.tick_labels.number_format = "0%"
        val.tick_labels.number_format_is_linked = False
    _side_table(slide, rows, style.MARGIN + chart_w + Inches(0.15))


def _no_chart(slide, width: int) -> None:
    box = style.filled_box(slide, style.MARGIN, Inches(1.45), width, Inches(1.2), style.BAND)
    style.write(box.text_frame, "暂无可绘图的数据：右表各目标截至本期均无有效数据，请牵头单位报送后重新生成。", 14,
             colour=style.MUTED, anchor=MSO_ANCHOR.MIDDLE, align=PP_ALIGN.CENTER)


def _chart_height(bars: int, legend: bool = False) -> int:
    """Bars about 0.3 in thick: a chart with few bars is short instead of stretched over the slide."""
    full = style.CONTENT_BOTTOM - Inches(1.7)  # room for a note under the chart
    return min(full, Inches(0.8 + 0.55 * bars / (2 if legend else 1) + (0.4 if legend else 0)))


def _float(v) -> float | None:
    return None if is_missing(v) else float(v)


STATUS_W = Inches(1.75)   # the side table's status column, unless a verdict needs more ('暂判未完成（完成 93%，初步数）')


def _status_width(rows: pd.DataFrame) -> int:
    """The side table's status column: wide enough for its longest verdict at SIDE_SIZE (with room for a renderer
    that sets CJK and Latin text a little wider than the estimate), at least STATUS_W."""
    longest = max((style.text_width(_status_cell(r)[0]) for _, r in rows.iterrows()), default=0.0)
    return max(STATUS_W, int(longest * 1.1 * SIDE_SIZE * 12700) + 2 * style.CELL_MARGIN)


def _chart_width(rows: pd.DataFrame) -> int:
    """The chart beside the side table gives up what the status column needs beyond STATUS_W."""
    return Inches(7.7) - (_status_width(rows) - STATUS_W)


def _side_table(slide, rows: pd.DataFrame, left: int) -> None:
    """Beside each chart: every target of the chart with its value, its target and due year (targets of one
    indicator with different due years stand together here), and its verdict or status; relative targets: the two
    growth rates."""
    width = style.SLIDE_WIDTH - style.MARGIN - left
    cells = [_status_cell(r) for _, r in rows.iterrows()]
    status_w = _status_width(rows)
    widths = [Inches(0.55), width - Inches(0.55) - status_w, status_w]
    room = (widths[1] - 2 * style.CELL_MARGIN) / 12700 / SIDE_SIZE   # in ems
    relative = bool((rows["kind"] == "relative").all())
    body, fills = [], []
    for (_, r), (text, fill) in zip(rows.iterrows(), cells):
        if relative:
            value = (f"{labels.percent_text(r.get('region_growth'), 1)} / {labels.percent_text(r.get('benchmark_growth'), 1)}"
                     if not is_missing(r.get("margin_pp")) else "无数据")
        else:
            head, due = f"{_table_value(r)} / ", f"·{words.due_text(r)}"
            value = head + style.shorten(words.target_text(r), room - style.text_width(head + due)) + due
        body.append([r["code"], value, text])
        fills.append([None, None, fill])
    bench = rows["benchmark"].dropna().iloc[0] if rows["benchmark"].notna().any() else words.FALLBACK_BENCHMARK
    head = ["编号", f"增速（{rows['region'].iloc[0]} / {bench}）" if relative else "实际 / 目标（期限）", "状态"]
    row_h = Inches(0.36) if len(rows) <= 12 else Inches(0.3)
    style.table(slide, left, Inches(1.45), widths, head, body, fills=fills, size=SIDE_SIZE, row_height=row_h)


def _table_value(r: pd.Series) -> str:
    return style.shorten(words.value_text(r), 11)


def _table_gap(r: pd.Series) -> str:
    """The gap column: the target's gap in its unit; relative targets: above or below the benchmark's growth."""
    return (words.margin_text(r) if r["kind"] == "relative" else words.gap_text(r)) or "—"


def _draw_table(slide, spec: Slide, data: DeckData, options: DeckOptions) -> None:
    style.title(slide, spec.title, spec.subtitle)
    body, fills = [], []
    for _, r in spec.rows.iterrows():
        text, fill = _status_cell(r)
        year = "" if is_missing(r.get("actual_year")) else str(int(r["actual_year"]))
        body.append([r["code"], r["area"], style.shorten(words.target_name(r), 10.3),
                     style.shorten(words.target_text(r), 9.4), words.due_text(r),
                     _table_value(r) + ("*" if bool(r.get("is_sample")) else ""), year, text, _table_gap(r),
                     style.shorten(_str(r["lead_units"], "—"), 6)])
        fills.append([None] * 7 + [fill, None, None])
    # the status column has room for the longest verdict: '✘ 暂判未完成（完成 99.7%，初步数）'
    widths = [Inches(w) for w in (0.55, 0.75, 1.7, 1.65, 0.85, 1.1, 0.6, 2.8, 1.4, 0.93)]
    right, left = PP_ALIGN.RIGHT, PP_ALIGN.LEFT
    style.table(slide, style.MARGIN, Inches(1.4), widths,
             ["编号", "领域", "指标", "目标", "期限", "实际", "数据年", "状态", "差距", "牵头单位"], body,
             fills=fills, size=11, row_height=Inches(0.39),
             align=[left, left, left, left, left, right, right, left, right, left])
    if spec.uses_sample:
        style.textbox(slide, style.MARGIN, style.CONTENT_BOTTOM - Inches(0.05), Inches(6), Inches(0.3),
                   f"* {labels.SAMPLE_MARK}", 10, colour=style.SAMPLE_COLOUR, margin=0)


def _draw_scorecard(slide, spec: Slide, data: DeckData, options: DeckOptions) -> None:
    style.title(slide, spec.title, spec.subtitle)
    body, fills = [], []
    group_fill = {labels.PRAISE: style.tint(style.status_colour("met"), 0.7),
                  labels.CRITICISE: style.tint(style.status_colour("off_track"), 0.7)}
    for _, r in spec.rows.iterrows():  # the score with its parts (views.score_text: the page's and bulletin's words)
        body.append([_rank(r["rank"], short=True), style.shorten(str(r["unit"]), 9),
                     labels.score_text(r["score"]) + ("*" if bool(r["is_sample"]) else ""),
                     labels.score_text(r["target_points"]), labels.score_text(r["task_points"]),
                     f"{float(r['deduction']):g}", style.shorten(score_text.deduction_brief(r), 11),
                     r["group"] if isinstance(r["group"], str) else ""])
        fills.append([None] * 7 + [group_fill.get(r["group"]) if isinstance(r["group"], str) else None])
    widths = [Inches(w) for w in (0.6, 1.8, 0.85, 0.8, 0.8, 0.65, 2.2, 1.1)]
    right = [PP_ALIGN.CENTER] + [PP_ALIGN.LEFT] + [PP_ALIGN.RIGHT] * 4 + [PP_ALIGN.LEFT, PP_ALIGN.CENTER]
    style.table(slide, style.MARGIN, Inches(1.4), widths, ["排名", "单位", "得分", "目标分", "任务分", "扣分",
                                                    "扣分依据", "分组"], body, fills=fills, size=11,
                row_height=Inches(0.36), align=right)
    if spec.rows["is_sample"].any():
        style.textbox(slide, style.MARGIN, style.CONTENT_BOTTOM - Inches(0.05), Inches(6), Inches(0.3),
                      f"* 得分依据含{labels.SAMPLE_MARK}，{labels.SAMPLE_NOT_CRITICISED}", 10, colour=style.SAMPLE_COLOUR,
                      margin=0)
    left = style.MARGIN + sum(widths, Inches(0)) + Inches(0.3)
    width = style.SLIDE_WIDTH - style.MARGIN - left
    for i, (head, names, key) in enumerate(((labels.PRAISE, spec.extra["praise"], "met"),
                                            (labels.CRITICISE, spec.extra["criticise"], "off_track"))):
        top = Inches(1.4) + i * Inches(2.7)
        colour = style.status_colour(key)
        box = style.filled_box(slide, left, top, width, Inches(2.5), style.tint(colour, 0.85), line=colour)
        text = [f"{head}（{len(names)}个）" if names else head, "、".join(names) or "（无）"]
        style.write(box.text_frame, text, style.fit_size(text, width, Inches(2.4), 16, 10), anchor=MSO_ANCHOR.TOP)
        box.text_frame.paragraphs[0].runs[0].font.bold = True


def _draw_overdue(slide, spec: Slide, data: DeckData, options: DeckOptions) -> None:
    style.title(slide, spec.title, spec.subtitle)
    if spec.rows.empty:
        style.textbox(slide, style.MARGIN, Inches(1.6), style.CONTENT_WIDTH, Inches(0.6), "截至本期无逾期未完成的重点任务。", 18)
        return
    body = [[r["clause"], style.shorten(str(r["title"]), 20), style.shorten(_str(r["lead_units"], "—"), 10),
             str(r["due_date"]), style.shorten(_str(r.get("progress"), "未报送进展"), 25)]
            for _, r in spec.rows.iterrows()]
    widths = [Inches(w) for w in (1.2, 3.5, 1.8, 1.3, 4.53)]
    style.table(slide, style.MARGIN, Inches(1.4), widths, ["条款", "任务", "牵头单位", "到期日", "最近进展"], body, size=11,
             row_height=Inches(0.38))


def _draw_data_notes(slide, spec: Slide, data: DeckData, options: DeckOptions) -> None:
    style.title(slide, spec.title)
    lines = spec.extra["lines"]
    style.textbox(slide, style.MARGIN, Inches(1.2), style.CONTENT_WIDTH, Inches(2.9), lines,
               style.fit_size(lines, style.CONTENT_WIDTH, Inches(2.9), 18, 10), bullet="■ ", space_after=6)
    sources = [style.shorten(s, 150) for s in spec.extra["sources"]][:10]
    text = ["数据来源："] + (sources or ["—"])
    style.textbox(slide, style.MARGIN, Inches(4.2), style.CONTENT_WIDTH, Inches(2.55), text,
               style.fit_size(text, style.CONTENT_WIDTH, Inches(2.55), 12, 8), colour=style.MUTED)


DRAW = {"cover": _draw_cover, "summary": _draw_summary, "changes": _draw_changes,
        "area_attainment": _draw_area_attainment, "area_relative": _draw_area_relative, "table": _draw_table,
        "scorecard": _draw_scorecard, "overdue": _draw_overdue, "data_notes": _draw_data_notes}
