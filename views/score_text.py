"""A unit's score in words: its parts (targets, tasks, milestones, deductions with their reasons), written once and
used by the 部门督办 page, the deck's scorecard slide and the 督查通报, so a score reads the same everywhere.
Numbers come from metrics.scorecard.department_scorecard; every score is printed by labels.score_text."""
from __future__ import annotations

from typing import Any

import pandas as pd

from metrics.deductions import DEDUCTION_ITEMS, deduction_rules
from vocab import labels
from vocab.labels import is_missing, score_text


def _points(value: float) -> str:
    return f"{float(value):g}"


def parts_text(r: pd.Series) -> str:
    """'目标38.2＋任务31.8－扣分1.5＝68.5' (the parts add up to the score; clipped at 0: '…＝0（不低于0分）')."""
    text = f"目标{score_text(r['target_points'])}＋任务{score_text(r['task_points'])}"
    if float(r["deduction"]) > 0:
        text += f"－扣分{_points(r['deduction'])}"
    text += f"＝{score_text(r['score'])}"
    if float(r["base_score"]) - float(r["deduction"]) < 0:
        text += "（不低于0分）"
    return text


def deduction_reasons(r: pd.Series, settings: dict[str, Any]) -> list[str]:
    """One phrase per deduction item that cost points, with its cases, points each and cap, then the total cap if
    it applied: ['逾期未完成节点3个×1分＝3分', '批准延期6次×0.5分，按上限计2分', '合计按上限计10分']."""
    rules = deduction_rules(settings["scorecard"].get("deductions", {}))
    out = []
    for item in DEDUCTION_ITEMS:
        cases, points = int(r[f"{item}_cases"]), rules[item][0]
        if not cases or not points:
            continue
        what = f"{labels.DEDUCTION_LABELS[item]}{cases}{labels.DEDUCTION_UNITS[item]}×{_points(points)}分"
        taken = float(r[f"{item}_deduction"])
        out.append(f"{what}＝{_points(taken)}分" if taken >= cases * points else f"{what}，按上限计{_points(taken)}分")
    items_sum = sum(float(r[f"{i}_deduction"]) for i in DEDUCTION_ITEMS)
    if items_sum > float(r["deduction"]):
        out.append(f"合计按上限计{_points(r['deduction'])}分")
    return out


def deduction_text(r: pd.Series, settings: dict[str, Any]) -> str:
    """The deductions in one line ('无扣分' without any), and what sample milestones did not cost."""
    reasons = deduction_reasons(r, settings)
    text = "；".join(reasons) if reasons else "无扣分"
    if int(r["milestones_sample"]):
        text += f"（{labels.SAMPLE_MARK}节点{int(r['milestones_sample'])}个不扣分）"
    return text


def targets_text(r: pd.Series) -> str:
    """'有数据的目标53项，已完成27项' (assessed targets: every status but 无数据 / 无期末数据)."""
    if not int(r["targets_assessed"]):
        return "无可评价的目标"
    return f"有数据的目标{int(r['targets_assessed'])}项，已完成{int(r['targets_met'])}项"


def tasks_text(r: pd.Series) -> str:
    """'承担任务40项，已完成14项、逾期0项'."""
    tasks = int(r["tasks_led"]) + int(r["tasks_shared"])
    return f"承担任务{tasks}项，已完成{int(r['tasks_done'])}项、逾期{int(r['tasks_overdue'])}项"


def milestones_text(r: pd.Series) -> str:
    """'推进节点120个，按期完成56个、逾期完成4个、逾期未完成30个' ('' for a unit without milestones)."""
    if not int(r["milestones"]):
        return ""
    return (f"推进节点{int(r['milestones'])}个，按期完成{int(r['milestones_on_time'])}个、"
            f"逾期完成{int(r['milestones_late'])}个、逾期未完成{int(r['milestones_overdue'])}个")


def unit_reason(r: pd.Series, settings: dict[str, Any]) -> str:
    """The numbers behind a unit's place, for the bulletin (no adjectives): score with its parts, rank, targets,
    tasks, milestones and deductions."""
    rank = "" if is_missing(r["rank"]) else f"，排第{int(r['rank'])}名"
    parts = [f"得分{score_text(r['score'])}分（{parts_text(r)}）{rank}", targets_text(r), tasks_text(r)]
    if milestones := milestones_text(r):
        parts.append(milestones)
    parts.append(f"扣分：{deduction_text(r, settings)}")
    return "；".join(parts) + ("。" if not bool(r["is_sample"]) else f"。（{labels.SAMPLE_MARK}）")


def scorecard_rows(board: pd.DataFrame, settings: dict[str, Any]) -> pd.DataFrame:
    """Every unit of the scorecard in its order (ranked units by rank, then the others) as display columns: rank
    (number), rank_label ('1' … / '不排名'), unit, score, target_points, task_points, deduction (numbers),
    deduction_text, targets_done ('27/53': met / assessed), tasks_done ('14/40': done / all), milestones_late
    ('30/4/120': overdue / done late / all), group, sample (labels.SAMPLE_MARK or '')."""
    rows = board
    return pd.DataFrame({
        "rank": rows["rank"],
        "rank_label": ["不排名" if is_missing(k) else str(int(k)) for k in rows["rank"]], "unit": rows["unit"],
        "score": rows["score"], "target_points": rows["target_points"], "task_points": rows["task_points"],
        "deduction": rows["deduction"],
        "deduction_text": [deduction_text(r, settings) for _, r in rows.iterrows()],
        "targets_done": [f"{int(m)}/{int(a)}" for m, a in zip(rows["targets_met"], rows["targets_assessed"])],
        "tasks_done": [f"{int(d)}/{int(a) + int(b)}" for d, a, b in
                       zip(rows["tasks_done"], rows["tasks_led"], rows["tasks_shared"])],
        "milestones_late": [f"{int(o)}/{int(lt)}/{int(n)}" if n else "—" for o, lt, n in
                            zip(rows["milestones_overdue"], rows["milestones_late"], rows["milestones"])],
        "group": rows["group"].fillna(""),
        "sample": rows["is_sample"].map({True: labels.SAMPLE_MARK, False: ""}),
    }).reset_index(drop=True)


def rules_text(settings: dict[str, Any], sample: bool = True) -> str:
    """How a score is made, from the settings, in one paragraph (page caption, bulletin, deck notes); without
    `sample` (nothing shown rests on 示例数据), the sentence about sample milestones is left out."""
    sc = settings["scorecard"]
    rules = deduction_rules(sc.get("deductions", {}))
    items = [f"{labels.DEDUCTION_LABELS[i]}每{labels.DEDUCTION_UNITS[i]}扣{_points(p)}分"
             + (f"（至多{_points(c)}分）" if c != float("inf") else "")
             for i, (p, c) in ((i, rules[i]) for i in DEDUCTION_ITEMS) if p]
    total = rules["total"][1]
    text = (f"得分＝目标分＋任务分－扣分：牵头、参与的目标按状态计分，任务按进展计分，牵头权重{_points(sc['lead_weight'])}、"
            f"参与权重{_points(sc['shared_weight'])}，无数据的目标和未报送进展的任务不计分")
    if items:
        text += "；" + "，".join(items) + (f"，合计至多扣{_points(total)}分" if total != float("inf") else "")
    text += "；得分不低于0分。"
    return text + (f"{labels.SAMPLE_MARK}的推进节点不扣分，{labels.SAMPLE_NOT_CRITICISED}。" if sample else "")


def deduction_brief(r: pd.Series) -> str:
    """The cases that cost points, short (a slide's cell): '逾期未完成3个、批准延期2次'; '示例节点不扣分' when only
    sample milestones had cases; '—' when nothing was deducted."""
    cases = [f"{labels.DEDUCTION_LABELS[i]}{int(r[f'{i}_cases'])}{labels.DEDUCTION_UNITS[i]}"
             for i in DEDUCTION_ITEMS if int(r[f"{i}_cases"]) and float(r[f"{i}_deduction"])]
    if cases:
        return "、".join(cases)
    return f"{labels.SAMPLE_MARK}节点不扣分" if int(r["milestones_sample"]) else "—"
