"""The body sections of the 督查通报, one builder each: `draw(doc, data, annexes)` writes the section's paragraphs
after its heading and may hand a long table to an annex (annexes.add returns its number for “见附件N”)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from bulletin.annex import milestone_annex, score_annex, task_annex
from bulletin.data import BulletinData
from bulletin.docx_kit import (
    CN_NUMBERS,
    KAI_FONT,
    keep_with_next,
    paragraph,
    run,
    subheading,
    table,
)
from bulletin.targets import write_not_met
from bulletin.text import counts_text, day_text, period_text
from metrics.overdue import count_by, overdue_by_unit
from views.score_text import rules_text, unit_reason
from vocab import labels
from vocab.labels import score_text

Draw = Callable[..., None]


@dataclass
class Annexes:
    """The annexes (附件) in the order sections ask for them: (title, draw(doc, data))."""
    items: list[tuple[str, Callable[[object, BulletinData], None]]] = field(default_factory=list)

    def add(self, title: str, draw: Callable[[object, BulletinData], None]) -> int:
        self.items.append((title, draw))
        return len(self.items)


def overall(doc, data: BulletinData, annexes: Annexes) -> None:
    status_names = {s.key: s.label for s in labels.STATUSES}
    targets = count_by(data.status["status"], [s.key for s in labels.STATUSES])
    tasks = count_by(data.ledger["status"], list(labels.TASK_STATUSES))
    paragraph(doc, f"目标{len(data.status)}项（指标数据截至{period_text(data.status)}）："
              f"{counts_text(targets, status_names)}。")
    write_not_met(doc, data, annexes)
    paragraph(doc, f"重点任务{len(data.ledger)}项（截至{day_text(data.as_of)}）："
              f"{counts_text(tasks, labels.TASK_STATUSES)}。")
    if data.deadlines is not None and len(data.deadlines):
        names = {d.key: d.label for d in labels.DEADLINE_STATES}
        nodes = data.deadlines.drop_duplicates("milestone_id")  # a milestone's state is the same for each unit
        states = count_by(nodes["state"], list(names))
        sample = f"（{labels.SAMPLE_MARK}）" if bool(nodes["is_sample"].any()) else ""
        paragraph(doc, f"推进节点{len(nodes)}个{sample}：{counts_text(states, names, '个')}。")


def scores(doc, data: BulletinData, annexes: Annexes) -> None:
    card = data.scorecard
    ranked = card.loc[card["ranked"]]
    paragraph(doc, rules_text(data.settings))
    n = annexes.add("各单位得分构成表", score_annex)
    if ranked.empty:
        paragraph(doc, f"本期没有参与排名的单位；各单位得分构成见附件{n}。")
        return
    others = len(card) - len(ranked)
    rest = (f"另有{others}个单位可评价事项不足{int(data.settings['scorecard'].get('min_assessed_items', 0))}项或为"
            "集体单位，列出得分、不排名。" if others else "")
    paragraph(doc, f"参与排名的{len(ranked)}个单位得分在{score_text(ranked['score'].min())}分至"
                   f"{score_text(ranked['score'].max())}分之间。{rest}各单位得分及其构成（目标分、任务分、扣分及原因）"
                   f"见附件{n}。")


def group(name: str) -> Draw:
    """The 通报表扬 or 通报批评 section: each member with the numbers behind its place (no adjectives)."""
    def draw(doc, data: BulletinData, annexes: Annexes) -> None:
        members = data.scorecard.loc[data.scorecard["group"] == name].sort_values("rank")
        if members.empty:
            note = ""
            if name == labels.CRITICISE and bool(data.scorecard.loc[data.scorecard["ranked"], "is_sample"].any()):
                note = f"（{labels.SAMPLE_NOT_CRITICISED}。）"
            paragraph(doc, f"本期无。{note}")
            return
        for i, (_, r) in enumerate(members.iterrows(), start=1):
            p = paragraph(doc)
            run(p, f"（{CN_NUMBERS[i - 1] if i <= 10 else i}）{r['unit']}。", font=KAI_FONT)
            run(p, unit_reason(r, data.settings))
    return draw


def bands(doc, data: BulletinData, annexes: Annexes) -> None:
    sc = data.settings["scorecard"]
    rule = sc.get("bands", "quartile")
    how = ("按得分排名四等分" if rule == "quartile"
           else "得分{}分及以上为绿档、{}分及以上为黄档、{}分及以上为橙档、其余为红档".format(
               *sc.get("band_thresholds", [85, 70, 60])))
    banded = data.scorecard.loc[data.scorecard["band"] != ""]
    counts = banded["band"].value_counts()
    summary = "、".join(f"{b.label}档{int(counts.get(b.key, 0))}个" for b in labels.COLOUR_BANDS)
    keep_with_next(paragraph(doc, f"参与排名的{len(banded)}个单位{how}：{summary}。"
                                  f"各单位近{len(data.bands.columns) - 1}个季度分档如下表。"))
    history = data.bands.set_index("unit")
    quarters = list(history.columns)
    rows, fills = [], []
    for _, r in banded.iterrows():
        known = r["unit"] in history.index
        rows.append([str(r["unit"]), score_text(r["score"]),
                     *[labels.colour_band_text(history.loc[r["unit"], q]) if known else "" for q in quarters]])
        fills.append([None, None, *[_band_fill(history.loc[r["unit"], q]) if known else None for q in quarters]])
    table(doc, ["单位", "得分", *quarters], rows, fills=fills, align=["l", "r", *["c"] * len(quarters)],
          keep_together=len(rows) <= 20)


def _band_fill(key: str, amount: float = 0.55) -> str | None:
    """The band's colour mixed with white (the icon and word carry the band; the tint only helps the eye)."""
    if not key:
        return None
    c = labels.COLOUR_BAND_BY_KEY[key].colour.lstrip("#")
    rgb = [int(c[i:i + 2], 16) for i in (0, 2, 4)]
    return "".join(f"{round(v + (255 - v) * amount):02X}" for v in rgb)


def _by_unit(items: pd.DataFrame, unit_word: str) -> str:
    counts = overdue_by_unit(items)
    return "、".join(f"{u}{int(n)}{unit_word}" for u, n in counts.items())


def overdue(doc, data: BulletinData, annexes: Annexes) -> None:
    """Tasks and milestones each counted once, under their own headings; the lists go to annexes."""
    when = day_text(data.as_of)
    tasks, nodes = data.overdue_tasks, data.overdue_milestones
    if tasks.empty:
        subheading(doc, 1, "逾期重点任务。", f"截至{when}，无逾期未完成的重点任务。")
    else:
        n = annexes.add("逾期重点任务清单", task_annex)
        subheading(doc, 1, "逾期重点任务。", f"截至{when}，已过完成期限、尚未完成的重点任务{len(tasks)}项，"
                                       f"牵头单位：{_by_unit(tasks, '项')}。清单见附件{n}。")
    if data.deadlines is None:
        return
    if nodes.empty:
        subheading(doc, 2, "逾期推进节点。", f"截至{when}，无逾期未完成的推进节点。")
        return
    n = annexes.add("逾期推进节点清单", milestone_annex)
    sample = f"（{labels.SAMPLE_MARK}，不扣分）" if bool(nodes["is_sample"].all()) else ""
    subheading(doc, 2, "逾期推进节点。", f"截至{when}，已过截止日期、尚未完成的推进节点{len(nodes)}个{sample}，"
                                   f"责任单位：{_by_unit(nodes, '个')}。清单见附件{n}。")


def requirements(doc, data: BulletinData, annexes: Annexes) -> None:
    text = str(data.settings.get("bulletin", {}).get("requirements", "")).strip()
    for line in (x.strip() for x in text.splitlines()):
        if line:
            paragraph(doc, line)
