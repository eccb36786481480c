"""The sentences pages, the meeting deck and the bulletin say, written in plain Chinese from the engine's frames:
the key messages for the leading-group meeting, what it takes to close a target's gap, the required pace and the
trend forecast of one target.

Pure functions: the status frame (metrics.status.target_status) and the changes frame (metrics.changes.status_changes)
in, sentences out. Every number in a sentence is a value of those frames, formatted with the target's decimals; the
frames themselves (which targets are furthest behind, how many moved) come from metrics/."""
from __future__ import annotations

import pandas as pd

from metrics.changes import change_counts
from metrics.summary import NO_DATA, furthest_behind
from vocab import labels
from vocab.labels import is_missing


def _num(value: float, decimals: int) -> str:
    return labels.number_text(value, decimals)


def actual_text(row: pd.Series) -> str:
    """'95 家（2020年）' or '无数据'."""
    if is_missing(row["actual"]):
        return "无数据"
    if row["kind"] == "milestone" and row.get("actual_stage"):
        return str(row["actual_stage"])
    year = "" if is_missing(row.get("actual_year")) else f"（{int(row['actual_year'])}年）"
    return f"{_num(row['actual'], row['decimals'])} {row['unit']}{year}"


def target_phrase(row: pd.Series) -> str:
    """'≥ 100 家', '15 家左右', '已获批' (milestones), '增速明显高于河南省' (relative targets)."""
    if row["kind"] == "milestone" and row.get("target_stage"):
        return str(row["target_stage"])
    if row["kind"] == "relative":
        return f"增速明显高于{row['benchmark'] or '基准地区'}"
    return labels.target_text(row["comparator"], row["target_value"], row["target_low"], row["target_high"],
                              row["unit"], int(row["decimals"]))


def target_name(row: pd.Series) -> str:
    """The indicator name, with 底线/力争 when the same indicator has both."""
    tier = labels.TIER_LABELS.get(row.get("tier") or "", "")
    return f"{row['indicator_name']}（{tier}）" if tier else str(row["indicator_name"])


def overview_message(status: pd.DataFrame, as_of_year: int, region: str) -> str:
    """The opening sentence of the meeting: how many targets are met, on track, behind."""
    counts = status["status"].value_counts()
    n = len(status)
    good = int(counts.get("met", 0) + counts.get("on_track", 0))
    behind = int(counts.get("off_track", 0) + counts.get("reverse", 0))
    share = good / n if n else 0.0
    unmet = int(counts.get("unmet", 0))
    final = f"已到期未完成{unmet}项；" if unmet else ""
    return (f"截至{as_of_year}年，{region}{n}项目标中已完成{int(counts.get('met', 0))}项、进度正常"
            f"{int(counts.get('on_track', 0))}项，合计占{share:.0%}；{final}略有滞后{int(counts.get('moderate', 0))}项，"
            f"明显滞后或逆向变化{behind}项。")


def met_message(status: pd.DataFrame, limit: int = 3) -> str | None:
    """The met targets, headline targets first (None when none is met)."""
    met = status.loc[status["status"] == "met"]
    if met.empty:
        return None
    met = met.sort_values(["headline", "attainment"], ascending=[False, False], na_position="last")
    named = "；".join(f"{target_name(r)}{actual_text(r)}（目标{target_phrase(r)}）" for _, r in met.head(limit).iterrows())
    more = "，其中" if len(met) > limit else "："
    return f"已完成{len(met)}项{more}{named}。"


def gap_message(row: pd.Series) -> str:
    """What it takes to close one target's gap by its due year, from the engine's gap and required pace."""
    name = target_name(row)
    if row["kind"] == "relative":
        if not any(is_missing(row.get(f)) for f in ("margin_pp", "region_growth", "benchmark_growth")):
            return (f"{name}增速{row['region_growth']:.1%}，{row['benchmark']}为{row['benchmark_growth']:.1%}，"
                    f"低{_num(abs(row['margin_pp']), 1)}个百分点（{row['status_label']}），"
                    f"需加快增长才能实现“增速明显高于{row['benchmark']}”的要求。")
        return f"{name}：{row['status_label']}，需补齐增速数据后评估。"
    head = f"{name}{row['status_label']}：实际{actual_text(row)}，目标{target_phrase(row)}"
    if is_missing(row.get("gap")) or row["gap"] <= 0:
        return head + "。"
    decimals = int(row["decimals"])
    gap = f"还差{_num(row['gap'], decimals)} {labels.difference_unit(row['unit'])}"
    remaining = row.get("years_remaining")
    if not is_missing(remaining) and remaining > 0 and not is_missing(row.get("required_annual_increase")):
        verb = "减少" if row["comparator"] == "<=" else "增加"
        pace = f"每年需{verb}{_num(abs(row['required_annual_increase']), decimals)} {labels.difference_unit(row['unit'])}"
        if not is_missing(row.get("required_growth_rate")) and row["kind"] != "annual":
            pace += f"（年均增长{row['required_growth_rate']:.1%}）"
        return f"{head}，{gap}；要在{int(row['due_year'])}年底前完成，{pace}。"
    return f"{head}，{gap}，已到{int(row['due_year'])}年目标年份，需说明原因并提出补救措施。"


def data_message(status: pd.DataFrame, as_of_year: int) -> str | None:
    """The targets without valid data and the lead units asked to report (None when every target has data)."""
    missing = status.loc[status["status"].isin(NO_DATA)]
    if missing.empty:
        return None
    units = sorted({u for lead in missing["lead_units"].fillna("") for u in str(lead).split("、") if u})
    who = f"请{'、'.join(units)}尽快报送" if units else "请尽快补报"
    return (f"{len(missing)}项目标缺少截至{as_of_year}年的有效数据（无数据或数据过期），无法判断进度，{who}。")


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


def change_message(changes: pd.DataFrame, meeting: str) -> str:
    """The status moves since a meeting snapshot in one sentence."""
    c = change_counts(changes)
    return (f"与“{meeting}”相比：状态上升{c['up']}项、下降{c['down']}项、不变{c['same']}项，"
            f"新增数据{c['value_added']}项。")


def pace_sentence(row: pd.Series) -> str:
    """The required pace in plain words for any kind of target."""
    if row["kind"] == "relative":
        bench = row.get("benchmark") or "基准地区"
        if is_missing(row["margin_pp"]):
            return f"年均增速需明显高于{bench}（暂无数据，无法比较）"
        return f"年均增速需明显高于{bench}：目前相差 {labels.points_text(row['margin_pp'])} 个百分点"
    if row["kind"] == "milestone":
        stages = list(row.get("stages") or [])
        final = stages[int(row["target_value"])] if stages and not is_missing(row["target_value"]) else "目标阶段"
        return "已达到目标" if row["status"] == "met" else f"{int(row['due_year'])}年底前需达到“{final}”"
    text = labels.pace_text(row["kind"], row["comparator"], row["gap"], int(row["due_year"]), row["unit"],
                            int(row["decimals"]), row.get("measure", "stock"))
    yearly = row.get("required_annual_increase")
    if (not is_missing(row["gap"]) and row["gap"] > 0 and not is_missing(yearly)
            and not is_missing(row["years_remaining"]) and row["years_remaining"] > 1):
        text += f"（每年约 {labels.number_text(yearly, int(row['decimals']))} {row['unit']}）"
    return text


def forecast_sentence(row: pd.Series) -> str:
    """What the trend says about the due year."""
    if is_missing(row["forecast"]):
        return "数据不足，暂不作趋势预测。"
    verdict = "可以完成" if bool(row["forecast_reaches"]) else "难以完成"
    return (f"按目前趋势，{int(row['due_year'])}年预计达到 {labels.number_text(row['forecast'], int(row['decimals']))}"
            f" {row['unit']}，{verdict}目标。")
