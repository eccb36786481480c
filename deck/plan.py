"""The deck's plan: which slides there are, with their titles, rows, sample flags, captions and speaker notes, from
the engine's frames (nothing drawn here; deck.draw draws, deck.build puts them together). Every text about a target
is views.target_words'."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from metrics.standing import possible_statuses
from metrics.summary import status_counts
from views import score_text, sentences
from views import target_words as words
from vocab import labels
from vocab.labels import is_missing

DECK_TITLE = "{region}{work}推进情况"


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
    """One target with its texts (views.target_words.notes_line), its progress ratio while it is still ahead, the
    示例数据 mark and its sources, for the speaker notes."""
    ratio = "" if words.is_judged(r) or is_missing(r.get("ratio")) else f"，进度比 {labels.percent_text(r['ratio'])}"
    sample = f"（{labels.SAMPLE_MARK}）" if bool(r.get("is_sample")) else ""
    src = _str(r.get("sources"), "—").strip() or "—"
    return f"{words.notes_line(r)}{ratio}{sample}。来源：{src}"


def _str(value, default: str = "") -> str:
    """A cell as text; missing (None, NaN, NA) or empty → default."""
    if is_missing(value):
        return default
    return str(value) or default


def _rank(rank, short: bool = False) -> str:
    """'第3名' / '3'; collective units (e.g. 市直有关部门) are not ranked."""
    if is_missing(rank):
        return "不排名"
    return str(int(rank)) if short else f"第{int(rank)}名"


def _area_order(status: pd.DataFrame) -> pd.DataFrame:
    order = {a: i for i, a in enumerate(labels.AREAS)}
    return (status.assign(_area=status["area"].map(order).fillna(len(order)), _pos=range(len(status)))
                  .sort_values(["_area", "_pos"]).drop(columns=["_area", "_pos"]))


def deck_title(data: DeckData) -> str:
    """'长垣市创新驱动提速增效工程推进情况': the region and the policy's short title (its region named once)."""
    work = str(data.policy.get("short_title") or data.policy["title"])
    return DECK_TITLE.format(region=data.region, work=work.removeprefix(data.region))


def plan_deck(data: DeckData, options: DeckOptions = DeckOptions()) -> list[Slide]:
    """The slides, in order, with their titles, rows, sample flags and speaker notes (nothing drawn yet)."""
    status = _area_order(data.status)
    areas = [a for a in labels.AREAS if a in set(status["area"])]
    if options.areas is not None:
        areas = [a for a in areas if a in options.areas]
    chosen = status.loc[status["area"].isin(areas)]
    any_sample = _sample(chosen) or (options.departments and (_sample(data.ledger) or _sample(data.scorecard)))
    as_of = f"数据截至{data.as_of_year}年"
    slides = [Slide("cover", deck_title(data), any_sample,
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
                                subtitle=f"{as_of} · {words.status_basis(chosen)}",
                                notes="\n".join(_target_line(r) for _, r in page.iterrows())))
    if options.departments:
        slides += _department_slides(data, options)
    if options.data_notes:
        slides.append(_notes_slide(data, chosen, any_sample))
    return slides


def _summary_slide(data: DeckData, chosen: pd.DataFrame, as_of: str) -> Slide:
    """总体情况: counts by status and the key messages (with the change since the last meeting, if any)."""
    counts = status_counts(chosen)
    counts = counts.loc[counts["status"].isin(possible_statuses(chosen))].reset_index(drop=True)
    key = sentences.key_messages(chosen, data.as_of_year, data.region)
    if data.meeting is not None:
        key = [key[0], sentences.change_message(data.meeting.changes, data.meeting.name), *key[1:4]]
    return Slide("summary", "总体情况", _sample(chosen), rows=counts, extra={"messages": key},
                 subtitle=f"{len(chosen)}项目标 · {as_of}",
                 notes="各状态目标数：" + "，".join(f"{r.label}{r.n}项" for r in counts.itertuples())
                       + "。\n要点：\n" + "\n".join(key))


def _change_slides(data: DeckData, chosen: pd.DataFrame, options: DeckOptions) -> list[Slide]:
    """自上次会议以来的变化: the targets whose status moved or that gained a value, worst moves first."""
    ch = data.meeting.changes
    moved = ch.loc[ch["direction"].isin(["up", "down", "revised", "judged", "new", "gone"])
                   | ch["value_added"].fillna(False)]
    moved = moved.assign(_d=moved["direction"].map({"down": 0, "up": 1, "revised": 2, "judged": 3, "new": 4,
                                                    "gone": 5, "same": 6}))
    moved = (moved.sort_values(["_d", "code"]).drop(columns="_d")
                  .merge(data.status[["code", "unit", "decimals", "measure"]], on="code", how="left"))
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
        bench = page["benchmark"].dropna().iloc[0] if page["benchmark"].notna().any() else words.FALLBACK_BENCHMARK
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
    """'3.40% → 3.50%': both values in the renderer's words (the indicator's decimals, the unit beside the number)."""
    return f"{words.amount_text(r, r['actual_before'])} → {words.amount_text(r, r['actual_after'])}"


def _change_line(r: pd.Series) -> str:
    before = labels.STATUS_BY_KEY[r["status_before"]].label if isinstance(r["status_before"], str) else "—"
    after = labels.STATUS_BY_KEY[r["status_after"]].label if isinstance(r["status_after"], str) else "—"
    return (f"{r['code']} {r['indicator_name']}：{before} → {after}；实际值 {_change_values(r)}"
            + ("（新增数据）" if bool(r["value_added"]) else "")
            + (f"（{sentences.REVISED}：会后发布的修订数）" if r["direction"] == "revised" else ""))


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
        (f"状态判定（可持续发展目标监测方法）：进度比 = 基期以来的进展 ÷ 按计划到当前应有的进展；"
         f"≥{s.get('on_track', 0.95):.0%} 为进度正常，{s.get('moderate', 0.6):.0%}—{s.get('on_track', 0.95):.0%} "
         f"为略有滞后，0—{s.get('moderate', 0.6):.0%} 为明显滞后，小于 0 为逆向变化；达到目标为已完成。"
         "目标年份已到的目标按目标年份年底的数值判定已完成或未完成（附完成率），该年没有数值的为无期末数据；"
         "此后的数值不改变判定，只在判定旁注明（如“逾期达到”）。"),
        f"部门排名：{score_text.rules_text(data.settings, sample=any_sample)}",
        f"政策依据：{data.policy['doc_number']}《{data.policy['title']}》。",
    ]
    if provisional := words.provisional_basis(chosen):
        lines.append(provisional)
    if any_sample:
        lines.append(f"{labels.SAMPLE_MARK}：标注“{labels.SAMPLE_MARK}”的数值为演示用的示例数据（非公开来源），"
                     "不代表真实统计，请勿引用。")
    return Slide("data_notes", "数据说明", any_sample, extra={"lines": lines, "sources": sources},
                 notes="\n".join(lines) + "\n数据来源：\n" + "\n".join(sources))
