"""The readings of a 任务分解表 as the page 导入政策 shows and takes them: one grid row per reading with its original
text, Chinese labels for kinds and comparators, the target as text ('15', '1—2'), a 已核对 tick; and back."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from policyio.readings import parse_value_text, value_text
from vocab import labels
from vocab.labels import is_blank

COMPARATOR_CHOICES = {">=": "不低于", "<=": "不高于", "approx": "左右", "range": "区间", ">": "高于基准"}
GRID_LABELS = {"row": "行", "seq": "序号", "text": "原文", "mark": "状态", "kind": "类型", "indicator_name": "指标",
               "comparator": "比较", "value": "目标值", "stretch": "力争值", "unit": "单位", "due_year": "完成年份",
               "lead_unit": "牵头单位", "units": "责任单位", "checked": "已核对"}
EDITABLE = ("kind", "indicator_name", "comparator", "value", "stretch", "unit", "due_year", "lead_unit", "units",
            "checked")


def mark(r: dict) -> str:
    """✖ 有问题 / ⚠ 待核对 / ✔ 已读出 (what needs doing is listed under the grid)."""
    if r["problems"]:
        return labels.READING_MARKS["problem"]
    if r["doubts"] and not r["checked"]:
        return labels.READING_MARKS["doubt"]
    return labels.READING_MARKS["ok"]


def grid_frame(readings: pd.DataFrame) -> pd.DataFrame:
    """The grid the clerk edits: labels instead of codes, the target as text."""
    rows = [{"row": r["row"], "seq": r["seq"], "text": r["text"], "mark": mark(r),
             "kind": labels.READING_KIND_LABELS.get(r["kind"], ""),
             "indicator_name": r["indicator_name"] + ("（新）" if r["new_indicator"] and r["indicator_name"] else ""),
             "comparator": COMPARATOR_CHOICES.get(r["comparator"], ""), "value": value_text(r),
             "stretch": None if is_blank(r["stretch"]) else float(r["stretch"]), "unit": r["unit"],
             "due_year": None if is_blank(r["due_year"]) else int(r["due_year"]), "lead_unit": r["lead_unit"],
             "units": r["units"], "checked": bool(r["checked"])} for r in readings.to_dict("records")]
    frame = pd.DataFrame(rows, columns=list(GRID_LABELS))
    return frame.astype({"stretch": "float64", "due_year": "Int64"})


def from_grid(readings: pd.DataFrame, grid: pd.DataFrame) -> pd.DataFrame:
    """The readings with the grid's corrections (problems are recomputed by the caller); a target that is not a
    number becomes a problem of its row."""
    kinds = {v: k for k, v in labels.READING_KIND_LABELS.items()}
    comparators = {v: k for k, v in COMPARATOR_CHOICES.items()}
    out = readings.copy().reset_index(drop=True)
    grid = grid.reset_index(drop=True)
    parsed = grid["value"].map(parse_value_text)
    out = out.assign(
        kind=grid["kind"].map(lambda v: kinds.get(v, "")),
        indicator_name=grid["indicator_name"].fillna("").astype(str).str.strip().str.removesuffix("（新）"),
        comparator=grid["comparator"].map(lambda v: comparators.get(v, "")),
        value=parsed.map(lambda p: p[0] if p else None), value_low=parsed.map(lambda p: p[1] if p else None),
        value_high=parsed.map(lambda p: p[2] if p else None),
        stretch=grid["stretch"].map(lambda v: None if is_blank(v) else float(v)),
        unit=grid["unit"].fillna("").astype(str).str.strip(),
        due_year=grid["due_year"].map(lambda v: None if is_blank(v) else int(v)),
        lead_unit=grid["lead_unit"].fillna("").astype(str), units=grid["units"].fillna("").astype(str),
        checked=grid["checked"].fillna(False).astype(bool))
    bad = parsed.isna() & grid["value"].notna()
    out["bad_value"] = [f"目标值“{v}”不是数值：请填写数字（如 15、3.8 或区间 1—2）" if b else "" for v, b in
                        zip(grid["value"], bad)]
    return out


def column_config(start: int, end: int) -> dict:
    """The grid's columns: the text and state read-only, kinds and comparators as choices."""
    c = st.column_config
    return {   # 行, 序号 and 原文 stay pinned on the left: the original text is beside the reading whatever is scrolled
        "row": c.NumberColumn(GRID_LABELS["row"], format="%d", width=44, pinned=True),
        "seq": c.TextColumn(GRID_LABELS["seq"], width=44, pinned=True),
        "text": c.TextColumn(GRID_LABELS["text"], width=240, pinned=True),
        "mark": c.TextColumn(GRID_LABELS["mark"], width=84),
        "kind": c.SelectboxColumn(GRID_LABELS["kind"], options=list(labels.READING_KIND_LABELS.values()), width=92),
        "indicator_name": c.TextColumn(GRID_LABELS["indicator_name"], width=180),
        "comparator": c.SelectboxColumn(GRID_LABELS["comparator"], options=list(COMPARATOR_CHOICES.values()),
                                        width=66),
        "value": c.TextColumn(GRID_LABELS["value"], width=58),
        "stretch": c.NumberColumn(GRID_LABELS["stretch"], width=58),
        "unit": c.TextColumn(GRID_LABELS["unit"], width=46),
        "due_year": c.NumberColumn(GRID_LABELS["due_year"], step=1, format="%d", width=72,
                                   help=f"政策实施期 {start}—{end} 年"),
        "lead_unit": c.TextColumn(GRID_LABELS["lead_unit"], width=84),
        "units": c.TextColumn(GRID_LABELS["units"], width=150),
        "checked": c.CheckboxColumn(GRID_LABELS["checked"], width=56),
    }
