"""The annexes (附件) of the 督查通报: the long tables the body refers to — every unit's score with its parts, the
overdue tasks, the overdue milestones. Each starts on a new page under “附件N” and its centred title (build.py);
the tables are set in 五号 (10.5 pt) with their columns sized to their content, rows kept whole, header repeated."""
from __future__ import annotations

import pandas as pd

from bulletin.data import BulletinData
from bulletin.docx_kit import paragraph, table
from bulletin.text import day_text
from views.score_text import deduction_text
from vocab import labels
from vocab.labels import is_missing, score_text

SIZE_ANNEX = 10.5  # 五号
NOTE = "＊"


def _note(doc, text: str) -> None:
    paragraph(doc, text, size=SIZE_ANNEX, indent=False, line=None)


def score_annex(doc, data: BulletinData) -> None:
    """Every unit (ranked first by rank, then the units not ranked), criticised ones included."""
    card = data.scorecard  # department_scorecard's order: ranked units by rank, then the others
    rows = [["—" if is_missing(r["rank"]) else str(int(r["rank"])), str(r["unit"]),
             score_text(r["score"]) + (NOTE if bool(r["is_sample"]) else ""), score_text(r["target_points"]),
             score_text(r["task_points"]), f"{float(r['deduction']):g}", deduction_text(r, data.settings),
             str(r["group"] or "")] for _, r in card.iterrows()]
    table(doc, ["名次", "单位", "得分", "目标分", "任务分", "扣分", "扣分原因", "通报"], rows, size=SIZE_ANNEX,
          align=["c", "l", "r", "r", "r", "r", "l", "c"])
    _note(doc, f"截至{day_text(data.as_of)}。得分＝目标分＋任务分－扣分（不低于0分）；名次“—”：集体单位或可评价"
                    "事项不足，不排名。")
    if bool(card["is_sample"].any()):
        _note(doc, f"{NOTE} 得分依据含{labels.SAMPLE_MARK}（仅供演示）；{labels.SAMPLE_NOT_CRITICISED}。")


def task_annex(doc, data: BulletinData) -> None:
    """The overdue tasks, most days overdue first."""
    items = data.overdue_tasks
    rows = [[str(i), str(r["clause"]), str(r["task"]), str(r["unit"]) or "—", _day(r["due_date"]),
             str(int(r["days_overdue"]))] for i, (_, r) in enumerate(items.iterrows(), start=1)]
    table(doc, ["序号", "条款", "任务", "牵头单位", "完成期限", "逾期天数"], rows, size=SIZE_ANNEX,
          align=["c", "l", "l", "l", "c", "r"])
    _sample_note(doc, items)


def milestone_annex(doc, data: BulletinData) -> None:
    """The overdue milestones, one row each (its responsible units together), most days overdue first."""
    items = data.overdue_milestones
    rows = [[str(i), str(r["unit"]) or "—", str(r["task"]), str(r["milestone"]), _day(r["due_date"]),
             str(int(r["days_overdue"])), str(int(r["chases"]))] for i, (_, r) in enumerate(items.iterrows(), start=1)]
    table(doc, ["序号", "责任单位", "任务", "节点", "截止日期", "逾期天数", "催办次数"], rows, size=SIZE_ANNEX,
          align=["c", "l", "l", "l", "c", "r", "r"])
    _sample_note(doc, items)


def _day(value) -> str:
    return pd.Timestamp(value).date().isoformat()


def _sample_note(doc, items: pd.DataFrame) -> None:
    if bool(items["is_sample"].any()):
        _note(doc, f"注：清单所依据的进展或计划含{labels.SAMPLE_MARK}（仅供演示，不代表真实情况）。")
