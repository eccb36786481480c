"""The sentences the meeting deck, the pages and the bulletin say about several targets at once, in plain Chinese:
the key messages for the leading-group meeting (where the targets stand, what is met, what it takes to close the
gaps furthest behind, which data are missing) and the moves since a meeting.

Pure functions: the status frame (metrics.status.target_status) and the changes frame (metrics.changes.status_changes)
in, sentences out. Every text about one target (value, target, due year, verdict, gap, pace) is
views.target_words'; the frames themselves (which targets are furthest behind, how many moved) come from metrics/."""
from __future__ import annotations

import pandas as pd

from metrics.changes import change_counts
from metrics.summary import NO_DATA, furthest_behind
from views.target_words import PROVISIONAL, is_judged, provisional_note, target_words
from vocab import labels


def actual_phrase(row: pd.Series) -> str:
    """'95家（2020年）', '申报中（2020年）' or '无数据'."""
    w = target_words(row)
    return f"{w.value}（{w.value_year}）" if w.value_year else w.value


def overview_message(status: pd.DataFrame, as_of_year: int, region: str) -> str:
    """The opening sentence of the meeting: how many targets there are, how many are due, and how many have each
    status (only the statuses that occur, best first)."""
    counts = status["status"].value_counts()
    parts = [f"{s.label}{int(counts[s.key])}项" for s in labels.STATUSES if counts.get(s.key, 0)]
    records = status.to_dict("records")
    n, judged = len(status), sum(is_judged(r) for r in records)
    due = "均已到期" if n and judged == n else f"中{judged}项已到期" if judged else ""
    provisional = sum(bool(provisional_note(r)) for r in records)
    tentative = f"其中{provisional}项依据初步数或预计数，为{PROVISIONAL}。" if provisional else ""
    return f"截至{as_of_year}年，{region}{n}项目标{due}：{'、'.join(parts) or '暂无'}。{tentative}"


def met_message(status: pd.DataFrame, limit: int = 3) -> str | None:
    """The met targets, headline targets first (None when none is met)."""
    met = status.loc[status["status"] == "met"]
    if met.empty:
        return None
    met = met.sort_values(["headline", "attainment"], ascending=[False, False], na_position="last")
    named = "；".join(f"{w.name}{w.value}（目标{w.target}，{w.due}）"
                      for w in map(target_words, met.head(limit).to_dict("records")))
    more = "，其中" if len(met) > limit else "："
    return f"已完成{len(met)}项{more}{named}。"


def gap_message(row: pd.Series) -> str:
    """One target behind: at its due year the verdict with the gap and what to do; before it, the gap and the pace
    needed to close it by the due year."""
    w = target_words(row)
    if row["kind"] == "relative":
        if not w.gap:
            return f"{w.name}：{w.verdict}，需补齐增速数据后评估。"
        if w.judged:
            later = f"；{w.later}" if w.later else ""
            return f"{w.name}{w.verdict}：{w.gap}，未实现“{w.target}”的要求（{w.due}）{later}。"
        return f"{w.name}{w.verdict}：{w.gap}，需加快增长才能在{w.due}前实现“{w.target}”的要求。"
    head = f"{w.name}{w.verdict}：{'期末值' if w.judged else '实际'}{actual_phrase(row)}，目标{w.target}（{w.due}）"
    if w.judged:
        gap = f"，{w.gap_phrase}" if w.gap_phrase else ""
        later = f"；{w.later}" if w.later else ""
        remedy = "，需说明原因并提出补救措施" if row["status"] != "met" else ""
        return f"{head}{gap}{later}{remedy}。"
    if not w.gap:
        return head + "。"
    return f"{head}，{w.gap_phrase}；{w.pace}。"


def data_message(status: pd.DataFrame, as_of_year: int) -> str | None:
    """The targets without valid data and the lead units asked to report (None when every target has data)."""
    missing = status.loc[status["status"].isin((*NO_DATA, "no_final_data"))]
    if missing.empty:
        return None
    units = sorted({u for lead in missing["lead_units"].fillna("") for u in str(lead).split("、") if u})
    who = f"请{'、'.join(units)}尽快报送" if units else "请尽快补报"
    kinds = "、".join(s.label for s in labels.STATUSES if s.key in set(missing["status"]))
    return f"{len(missing)}项目标缺少截至{as_of_year}年的有效数据（{kinds}），无法判断完成情况，{who}。"


def key_messages(status: pd.DataFrame, as_of_year: int, region: str, limit: int = 5) -> list[str]:
    """Three to five sentences for the summary slide: the overall count, what is met, the targets furthest behind
    with what it takes to close their gap, and what data are missing."""
    out = [overview_message(status, as_of_year, region)]
    met = met_message(status)
    if met:
        out.append(met)
    out += [gap_message(r) for _, r in furthest_behind(status).iterrows()]
    data = data_message(status, as_of_year)
    if data:
        out.append(data)
    return out[:limit]


REVISED = "因数据修订"   # a status that moved because a figure of the same year was revised after the meeting


def revised_text(status_move: str) -> str:
    """The change cell of a status moved by a revision: '↓ 因数据修订', '↑ 因数据修订'."""
    return f"{'↑' if status_move == 'up' else '↓' if status_move == 'down' else '→'} {REVISED}"


def direction_text(direction: str, status_move: str = "") -> str:
    """A change row's direction in words (labels.DIRECTION_LABELS; a revision: revised_text)."""
    return revised_text(status_move) if direction == "revised" else labels.DIRECTION_LABELS[direction]


def change_message(changes: pd.DataFrame, meeting: str) -> str:
    """The status moves since a meeting snapshot in one sentence; moves caused by a revised figure are counted apart
    (因数据修订: not the units' progress, nor its lack)."""
    c = change_counts(changes)
    judged = f"到期判定{c['judged']}项、" if c["judged"] else ""
    revised = f"、{REVISED}而变化{c['revised']}项" if c["revised"] else ""
    return (f"与“{meeting}”相比：{judged}状态上升{c['up']}项、下降{c['down']}项{revised}、不变{c['same']}项，"
            f"新增数据{c['value_added']}项。")
