"""The 部门督办 page's scorecard tables: every unit with its score and the score's parts (views.score_text), the
praise / criticism groups, and the colour bands per quarter. Formatting only; numbers come from metrics/."""
from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from views.score_text import scorecard_rows
from vocab import labels

SCORE_FORMAT = f"%.{labels.SCORE_DECIMALS}f"  # the same rounding as labels.score_text (scores are pre-rounded)


def group_members(board: pd.DataFrame, group: str) -> list[str]:
    """The units the scorecard puts in a group (通报表扬 / 通报批评), best first."""
    return list(board.loc[board["group"] == group].sort_values("rank")["unit"])


def scorecard_table(board: pd.DataFrame, settings: dict[str, Any]) -> pd.DataFrame:
    """Every unit of the scorecard, ranked first (criticised ones included), with the parts of its score."""
    return scorecard_rows(board, settings)


SCORECARD_ORDER = ["rank_label", "unit", "score", "target_points", "task_points", "deduction", "deduction_text",
                   "targets_done", "tasks_done", "milestones_late", "group", "sample"]
SCORECARD_WIDTHS = {"rank_label": 60, "unit": 95, "score": 56, "target_points": 60, "task_points": 60,
                    "deduction": 48, "deduction_text": 180, "targets_done": 56, "tasks_done": 56,
                    "milestones_late": 72, "group": 72, "sample": 72}
SCORECARD_COLUMNS = {
    "rank_label": st.column_config.TextColumn("名次", width="small"), "unit": "单位",
    "score": st.column_config.NumberColumn("得分", format=SCORE_FORMAT, width="small"),
    "target_points": st.column_config.NumberColumn("目标分", format=SCORE_FORMAT, width="small",
                                                   help="牵头、参与的目标按状态计分，按权重折算"),
    "task_points": st.column_config.NumberColumn("任务分", format=SCORE_FORMAT, width="small",
                                                 help="牵头、参与的任务按进展计分，按权重折算；目标分＋任务分＝扣分前得分"),
    "deduction": st.column_config.NumberColumn("扣分", format="%g", width="small"),
    "deduction_text": st.column_config.TextColumn("扣分原因", width="medium"),
    "targets_done": st.column_config.TextColumn("目标", width="small", help="已完成 / 有数据的目标"),
    "tasks_done": st.column_config.TextColumn("任务", width="small", help="已完成 / 承担的任务"),
    "milestones_late": st.column_config.TextColumn("节点", width="small",
                                                   help="逾期未完成 / 逾期完成 / 全部推进节点"),
    "group": st.column_config.TextColumn("通报", width="small"),
    "sample": st.column_config.TextColumn("数据", width="small"),
}


def band_table(board: pd.DataFrame, history: pd.DataFrame) -> pd.DataFrame:
    """One row per banded unit: unit, score, and its band per quarter as icon + word (metrics.bands)."""
    ranked = board.loc[board["ranked"], ["unit", "score"]]
    quarters = [c for c in history.columns if c != "unit"]
    shown = history.assign(**{q: history[q].map(labels.colour_band_text) for q in quarters})
    return ranked.merge(shown, on="unit", how="left").fillna({q: "" for q in quarters})


def styled_bands(table: pd.DataFrame):
    """Tint each band cell with its colour (the icon and word carry the band)."""
    colour = {labels.colour_band_text(b.key): b.colour for b in labels.COLOUR_BANDS}
    quarters = [c for c in table.columns if c not in ("unit", "score")]
    return table.style.map(lambda v: f"background-color: {colour[v]}55" if v in colour else "", subset=quarters)
