"""The leading-group meeting deck: plan the slides from the engine's frames, then draw them with python-pptx.

plan_deck() decides which slides there are (titles, rows, whether they show sample values, speaker notes);
build_deck() draws them into a 16:9 presentation. Numbers are the metrics engine's; this module only formats them."""
from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
from pptx import Presentation
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
from metrics.summary import status_counts
from views import score_text, sentences
from vocab import labels
from vocab.labels import is_missing

TITLE_ONLY_LAYOUT = 5
DECK_TITLE = "{region}创新驱动提速增效工程推进情况"
ATTAINMENT_SERIES = "实际完成率"
TARGET_SERIES = "目标（100%）"

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class DeckOptions:
    """What goes into the deck. areas=None means every area of the catalogue."""
    areas: tuple[str, ...] | None = None
    area_charts: bool = True
    target_table: bool = True
    departments: bool = True
    data_notes: bool = True
    meeting_date: date | None = None
    table_rows: int = 12
    chart_rows: int = 12
    scorecard_rows: int = 13


@dataclass(frozen=True)
class Meeting:
    """The meeting snapshot the deck compares with, and the changes since (metrics.changes.status_changes)."""
    name: str
    meeting_date: date
    changes: pd.DataFrame


@dataclass
class Slide:
    kind: str
    title: str
    uses_sample: bool
    notes: str
    subtitle: str = ""
    rows: pd.DataFrame | None = None
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class DeckData:
    status: pd.DataFrame        # metrics.status.target_status for one region
    scorecard: pd.DataFrame     # metrics.scorecard.department_scorecard
    ledger: pd.DataFrame        # metrics.scorecard.task_ledger
    as_of_year: int
    region: str
    policy: dict                # doc_number, title, short_title (db.read_policies row)
    settings: dict
    meeting: Meeting | None = None


# ------------------------------------------------------------------ planning

def _sample(frame: pd.DataFrame | None) -> bool:
    return frame is not None and "is_sample" in frame and bool(frame["is_sample"].fillna(False).astype(bool).any())


def _chunks(frame: pd.DataFrame, size: int) -> list[pd.DataFrame]:
    return [frame.iloc[i:i + size] for i in range(0, len(frame), size)] or [frame]


def _paged(title: str, i: int, n: int) -> str:
    return title if n == 1 else f"{title}（{i + 1}/{n}）"


def _target_line(r: pd.Series) -> str:
    """One target with its exact figures and sources, for the speaker notes."""
    att = f"，完成率 {r['attainment']:.1%}" if not is_missing(r.get("attainment")) else ""
    ratio = f"，进度比 {r['ratio']:.2f}" if not is_missing(r.get("ratio")) else ""
    sample = f"（{labels.SAMPLE_MARK}）" if bool(r.get("is_sample")) else ""
    src = _str(r.get("sources"), "—").strip() or "—"
    return (f"{r['code']} {sentences.target_name(r)}：实际 {sentences.actual_text(r)}{sample}，目标 "
            f"{sentences.target_phrase(r)}（{int(r['due_year'])}年）{att}{ratio}，{r['status_label']}。来源：{src}")


def _area_order(status: pd.DataFrame) -> pd.DataFrame:
    order = {a: i for i, a in enumerate(labels.AREAS)}
    return (status.assign(_area=status["area"].map(order).fillna(len(order)), _pos=range(len(status)))
                  .sort_values(["_area", "_pos"]).drop(columns=["_area", "_pos"]))


def plan_deck(data: DeckData, options: DeckOptions = DeckOptions()) -> list[Slide]:
    """The slides, in order, with their titles, rows, sample flags and speaker notes (nothing drawn yet)."""
    status = _area_order(data.status)
    areas = [a for a in labels.AREAS if a in set(status["area"])]
    if options.areas is not None:
        areas = [a for a in areas if a in options.areas]
    chosen = status.loc[status["area"].isin(areas)]
    any_sample = _sample(chosen) or (options.departments and (_sample(data.ledger) or _sample(data.scorecard)))
    as_of = f"数据截至{data.as_of_year}年"
    slides = [Slide("cover", DECK_TITLE.format(region=data.region), any_sample,
                    notes=f"{data.policy['doc_number']}《{data.policy['title']}》落实情况汇报。{as_of}。"
                          f"汇报单位：{labels.BUREAU}。" + (f"本材料含{labels.SAMPLE_MARK}，仅供演示。" if any_sample else "")),
              _summary_slide(data, chosen, as_of)]
    if data.meeting is not None:
        slides += _change_slides(data, chosen, options)
    if options.area_charts:
        slides += _chart_slides(data, chosen, areas, options)
    if options.target_table:
        pages = _chunks(chosen, options.table_rows)
        for i, page in enumerate(pages):
            slides.append(Slide("table", _paged("全部目标进度一览", i, len(pages)), _sample(page), rows=page,
                                subtitle=f"{as_of} · 状态按进度比判定（见数据说明）",
                                notes="\n".join(_target_line(r) for _, r in page.iterrows())))
    if options.departments:
        slides += _department_slides(data, options)
    if options.data_notes:
        slides.append(_notes_slide(data, chosen, any_sample))
    return slides


def _summary_slide(data: DeckData, chosen: pd.DataFrame, as_of: str) -> Slide:
    """总体情况: counts by status and the key messages (with the change since the last meeting, if any)."""
    counts = status_counts(chosen)
    key = sentences.key_messages(chosen, data.as_of_year, data.region)
    if data.meeting is not None:
        key = [key[0], sentences.change_message(data.meeting.changes, data.meeting.name), *key[1:4]]
    return Slide("summary", "总体情况", _sample(chosen), rows=counts, extra={"messages": key},
                 subtitle=f"{len(chosen)}项目标 · {as_of}",
                 notes="各状态目标数：" + "，".join(f"{r.label} {r.n} 项" for r in counts.itertuples())
                       + "。\n要点：\n" + "\n".join(key))


def _change_slides(data: DeckData, chosen: pd.DataFrame, options: DeckOptions) -> list[Slide]:
    """自上次会议以来的变化: the targets whose status moved or that gained a value, worst moves first."""
    ch = data.meeting.changes
    moved = ch.loc[ch["direction"].isin(["up", "down", "new", "gone"]) | ch["value_added"].fillna(False)]
    moved = moved.assign(_d=moved["direction"].map({"down": 0, "up": 1, "new": 2, "gone": 3, "same": 4}))
    moved = (moved.sort_values(["_d", "code"]).drop(columns="_d")
                  .merge(data.status[["code", "unit", "decimals"]], on="code", how="left"))
    msg = sentences.change_message(ch, data.meeting.name)
    pages = _chunks(moved, options.table_rows)
    return [Slide("changes", _paged("自上次会议以来的变化", i, len(pages)), _sample(chosen), rows=page,
                  subtitle=f"对比：{data.meeting.name}（{data.meeting.meeting_date:%Y-%m-%d}）",
                  extra={"message": msg},
                  notes=msg + "\n" + "\n".join(_change_line(r) for _, r in page.iterrows()))
            for i, page in enumerate(pages)]


def _chart_slides(data: DeckData, chosen: pd.DataFrame, areas: list[str], options: DeckOptions) -> list[Slide]:
    """The growth comparison for relative targets, then an attainment chart per area."""
    slides = []
    relative = chosen.loc[chosen["kind"] == "relative"]
    pages = _chunks(relative, options.chart_rows) if not relative.empty else []
    for i, page in enumerate(pages):
        bench = page["benchmark"].dropna().iloc[0] if page["benchmark"].notna().any() else "基准地区"
        slides.append(Slide("area_relative", _paged(f"主要指标增速与{bench}对比", i, len(pages)), _sample(page),
                            rows=page, subtitle=f"{data.as_of_year}年增速；“增速明显高于{bench}”类目标",
                            notes="\n".join(_target_line(r) for _, r in page.iterrows())))
    for area in areas:
        rows = chosen.loc[(chosen["area"] == area) & (chosen["kind"] != "relative")]
        rows = pd.concat([rows.loc[rows["attainment"].notna()], rows.loc[rows["attainment"].isna()]])
        pages = _chunks(rows, options.chart_rows) if not rows.empty else []
        for i, page in enumerate(pages):
            slides.append(Slide("area_attainment", _paged(f"{area}：目标完成情况", i, len(pages)), _sample(page),
                                rows=page, subtitle=AREA_SUBTITLE,
                                notes="\n".join(_target_line(r) for _, r in page.iterrows())))
    return slides


AREA_SUBTITLE = "完成率 = 实际值 ÷ 目标值（“不高于”类目标取倒数）；黑框 = 目标（100%），条形颜色 = 目标状态"


def _change_values(r: pd.Series) -> str:
    decimals = 2 if is_missing(r.get("decimals")) else int(r["decimals"])
    unit = _str(r.get("unit"))
    return (f"{labels.number_text(r['actual_before'], decimals)} → "
            f"{labels.number_text(r['actual_after'], decimals)} {unit}").strip()


def _change_line(r: pd.Series) -> str:
    before = labels.STATUS_BY_KEY[r["status_before"]].label if isinstance(r["status_before"], str) else "—"
    after = labels.STATUS_BY_KEY[r["status_after"]].label if isinstance(r["status_after"], str) else "—"
    return (f"{r['code']} {r['indicator_name']}：{before} → {after}；实际值 {_change_values(r)}"
            + ("（新增数据）" if bool(r["value_added"]) else ""))


def _department_slides(data: DeckData, options: DeckOptions) -> list[Slide]:
    out = []
    card = data.scorecard.sort_values(["rank", "unit"], na_position="last")
    uses = _sample(data.status) or _sample(data.ledger)
    praise = card.loc[card["group"] == labels.PRAISE, "unit"].tolist()
    criticise = card.loc[card["group"] == labels.CRITICISE, "unit"].tolist()
    groups = (f"{labels.PRAISE}：{'、'.join(praise) or '无'}；{labels.CRITICISE}：{'、'.join(criticise) or '无'}。")
    pages = _chunks(card, options.scorecard_rows)
    for i, page in enumerate(pages):
        out.append(Slide("scorecard", _paged("部门督办：综合排名", i, len(pages)), uses, rows=page,
                         subtitle="得分＝目标分＋任务分－扣分（推进节点逾期、延期扣分，有上限；规则见数据说明）",
                         extra={"praise": praise, "criticise": criticise},
                         notes=groups + "\n" + "\n".join(_scorecard_line(r, data.settings) for _, r in page.iterrows())))
    overdue = data.ledger.loc[data.ledger["status"] == "overdue"]
    pages = _chunks(overdue, options.scorecard_rows)
    for i, page in enumerate(pages):
        out.append(Slide("overdue", _paged("部门督办：逾期未完成任务", i, len(pages)), _sample(data.ledger), rows=page,
                         subtitle=f"截至{data.as_of_year}年底已到期、尚未完成的重点任务（{len(overdue)}项）",
                         notes=("无逾期任务。" if overdue.empty else "\n".join(
                             f"{r['clause']} {r['title']}：牵头 {_str(r['lead_units'], '—')}，到期 {r['due_date']}，"
                             f"最近进展：{_str(r.get('progress'), '—')}（{_str(r.get('reported_on'), '未报送')}）"
                             for _, r in page.iterrows()))))
    return out


def _scorecard_line(r: pd.Series, settings: dict) -> str:
    group = f"，{r['group']}" if isinstance(r["group"], str) and r["group"] else ""
    return (f"{_rank(r['rank'])} {r['unit']}：得分 {labels.score_text(r['score'])}（{score_text.parts_text(r)}），"
            f"{score_text.targets_text(r)}；{score_text.tasks_text(r)}；扣分：{score_text.deduction_text(r, settings)}{group}")


def _notes_slide(data: DeckData, chosen: pd.DataFrame, any_sample: bool) -> Slide:
    s = data.settings.get("status", {})
    sources = sorted({src.strip() for text in chosen["sources"].dropna().astype(str)
                      for src in text.split("；") if src.strip()})
    lines = [
        f"数据截至{data.as_of_year}年；每个目标取截至该年的最新一期数据（年度或季度）。",
        f"状态判定（可持续发展目标监测方法）：进度比 = 基期以来的进展 ÷ 按计划到当前应有的进展；"
        f"≥{s.get('on_track', 0.95):.0%} 为进度正常，{s.get('moderate', 0.6):.0%}—{s.get('on_track', 0.95):.0%} "
        f"为略有滞后，0—{s.get('moderate', 0.6):.0%} 为明显滞后，小于 0 为逆向变化；达到目标为已完成。"
        "目标年份已到的目标只判已完成或未完成（附完成率）。",
        "部门排名：按牵头与参与的目标状态、任务进展加权计分（data/settings.toml [scorecard]）。",
        f"政策依据：{data.policy['doc_number']}《{data.policy['title']}》。",
    ]
    if any_sample:
        lines.append(f"{labels.SAMPLE_MARK}：标注“{labels.SAMPLE_MARK}”的数值为演示用的示例数据（非公开来源），"
                     "不代表真实统计，请勿引用。")
    return Slide("data_notes", "数据说明", any_sample, extra={"lines": lines, "sources": sources},
                 notes="\n".join(lines) + "\n数据来源：\n" + "\n".join(sources))


# ------------------------------------------------------------------ drawing

def build_deck(data: DeckData, options: DeckOptions = DeckOptions(), progress: Progress | None = None) -> bytes:
    """The deck as .pptx bytes. progress(i, n, title) is called before each slide is drawn."""
    slides = plan_deck(data, options)
    prs = Presentation()
    prs.slide_width, prs.slide_height = style.SLIDE_WIDTH, style.SLIDE_HEIGHT
    style.theme_typeface(prs)
    prs.core_properties.title = DECK_TITLE.format(region=data.region)
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


def _draw_cover(slide, spec: Slide, data: DeckData, options: DeckOptions) -> None:
    style.filled_box(slide, 0, 0, Inches(0.35), style.SLIDE_HEIGHT, style.ACCENT)
    ph = slide.shapes.title
    ph.left, ph.top, ph.width, ph.height = Inches(1.2), Inches(2.0), Inches(11.0), Inches(1.4)
    style.write(ph.text_frame, spec.title, 40, bold=True, colour=style.ACCENT, anchor=MSO_ANCHOR.BOTTOM)
    style.textbox(slide, Inches(1.2), Inches(3.5), Inches(11.0), Inches(0.6),
               f"——{data.policy['doc_number']}《{data.policy['short_title']}》落实情况", 20, colour=style.MUTED)
    when = f"数据截至 {data.as_of_year} 年"
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


def _status_cell(key: str) -> tuple[str, str]:
    return labels.printable_status_text(key), style.tint(style.status_colour(key), 0.7)


def _draw_changes(slide, spec: Slide, data: DeckData, options: DeckOptions) -> None:
    style.title(slide, spec.title, spec.subtitle)
    style.textbox(slide, style.MARGIN, Inches(1.35), style.CONTENT_WIDTH, Inches(0.45), spec.extra["message"], 16, bold=True)
    rows, fills = [], []
    arrows = {"up": "↑ 上升", "down": "↓ 下降", "same": "→ 不变", "new": "新增目标", "gone": "已移除"}
    for _, r in spec.rows.iterrows():
        before, fb = _status_cell(r["status_before"]) if isinstance(r["status_before"], str) else ("—", None)
        after, fa = _status_cell(r["status_after"]) if isinstance(r["status_after"], str) else ("—", None)
        rows.append([r["code"], style.shorten(str(r["indicator_name"]), 22), before, after, arrows[r["direction"]],
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
    return f"{r['code']} {style.shorten(sentences.target_name(r), 17)}"


def _draw_area_attainment(slide, spec: Slide, data: DeckData, options: DeckOptions) -> None:
    style.title(slide, spec.title, spec.subtitle)
    rows = spec.rows
    scored = rows.loc[rows["attainment"].notna()]
    chart_w = Inches(7.7)
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
        for i, value in enumerate(scored["attainment"]):
            if 0.3 <= float(value) < 1 - 1e-9 or float(value) > top - 0.25:
                label = actual.points[i].data_label
                label.position = XL_LABEL_POSITION.INSIDE_END
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
    chart_w = Inches(7.7)
    with_data = rows.loc[rows["region_growth"].notna() | rows["benchmark_growth"].notna()]
    if with_data.empty:
        _no_chart(slide, chart_w)
    else:
        cd = CategoryChartData(number_format="0.0%")
        cd.categories = [_category(r) for _, r in with_data.iterrows()]
        bench = with_data["benchmark"].dropna().iloc[0] if with_data["benchmark"].notna().any() else "基准地区"
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


def _str(value, default: str = "") -> str:
    """A cell as text; missing (None, NaN, NA) or empty → default."""
    if is_missing(value):
        return default
    return str(value) or default


def _float(v) -> float | None:
    return None if is_missing(v) else float(v)


def _side_table(slide, rows: pd.DataFrame, left: int) -> None:
    """Beside each chart: every target of the chart with its actual value, its target and its status."""
    width = style.SLIDE_WIDTH - style.MARGIN - left
    body, fills = [], []
    for _, r in rows.iterrows():
        text, fill = _status_cell(r["status"])
        if r["kind"] == "relative":
            value = (f"{labels.number_text(r['margin_pp'], 1)} 个百分点" if not is_missing(r.get("margin_pp"))
                     else "无数据")
        else:
            value = f"{_table_value(r)} / {style.shorten(sentences.target_phrase(r), 10)}"
        body.append([r["code"], value, text])
        fills.append([None, None, fill])
    widths = [Inches(0.6), width - Inches(0.6) - Inches(1.25), Inches(1.25)]
    head = ["编号", "增速差（对比全省）" if (rows["kind"] == "relative").all() else "实际 / 目标", "状态"]
    row_h = Inches(0.36) if len(rows) <= 12 else Inches(0.3)
    style.table(slide, left, Inches(1.45), widths, head, body, fills=fills, size=10.5, row_height=row_h)


def _table_value(r: pd.Series) -> str:
    if is_missing(r["actual"]):
        return "无数据"
    if r["kind"] == "milestone" and r.get("actual_stage"):
        return style.shorten(str(r["actual_stage"]), 9)
    return style.shorten(f"{labels.number_text(r['actual'], int(r['decimals']))} {r['unit']}", 11)


def _table_progress(r: pd.Series) -> str:
    if r["kind"] == "relative" and not is_missing(r.get("margin_pp")):
        return f"{r['margin_pp']:+.1f}个百分点"
    return f"{r['attainment']:.0%}" if not is_missing(r.get("attainment")) else "—"


def _draw_table(slide, spec: Slide, data: DeckData, options: DeckOptions) -> None:
    style.title(slide, spec.title, spec.subtitle)
    body, fills = [], []
    for _, r in spec.rows.iterrows():
        text, fill = _status_cell(r["status"])
        year = "" if is_missing(r.get("actual_year")) else str(int(r["actual_year"]))
        body.append([r["code"], r["area"], style.shorten(sentences.target_name(r), 17),
                     style.shorten(sentences.target_phrase(r), 12), str(int(r["due_year"])),
                     _table_value(r) + ("*" if bool(r.get("is_sample")) else ""), year, _table_progress(r), text,
                     style.shorten(_str(r["lead_units"], "—"), 6)])
        fills.append([None] * 8 + [fill, None])
    widths = [Inches(w) for w in (0.6, 0.75, 2.9, 1.75, 0.7, 1.45, 0.7, 1.25, 1.3, 0.93)]
    right, left = PP_ALIGN.RIGHT, PP_ALIGN.LEFT
    style.table(slide, style.MARGIN, Inches(1.4), widths,
             ["编号", "领域", "指标", "目标", "目标年", "实际", "数据年", "完成率/增速差", "状态", "牵头单位"], body,
             fills=fills, size=11, row_height=Inches(0.39),
             align=[left, left, left, left, right, right, right, right, left, left])
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


def _rank(rank, short: bool = False) -> str:
    """'第3名' / '3'; collective units (e.g. 市直有关部门) are not ranked."""
    if is_missing(rank):
        return "不排名"
    return str(int(rank)) if short else f"第{int(rank)}名"


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
