"""Key messages for the leading-group meeting, written in plain Chinese from the status frame.

Pure functions: the status frame (metrics.status.target_status) and the changes frame (metrics.changes.status_changes)
in, sentences out. Every number in a sentence is a value of those frames, formatted with the target's decimals."""
from __future__ import annotations

import math

import pandas as pd

from views import labels

BEHIND = ("unmet", "reverse", "off_track", "moderate")
NO_DATA = ("stale", "no_data")


def _num(value: float, decimals: int) -> str:
    return labels.number_text(value, decimals)


def _has(value) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value)) and value is not pd.NA


def actual_text(row: pd.Series) -> str:
    """'95 家（2020年）' or '无数据'."""
    if not _has(row["actual"]):
        return "无数据"
    if row["kind"] == "milestone" and row.get("actual_stage"):
        return str(row["actual_stage"])
    year = f"（{int(row['actual_year'])}年）" if _has(row.get("actual_year")) else ""
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
        if _has(row.get("margin_pp")) and _has(row.get("region_growth")) and _has(row.get("benchmark_growth")):
            return (f"{name}增速{row['region_growth']:.1%}，{row['benchmark']}为{row['benchmark_growth']:.1%}，"
                    f"低{_num(abs(row['margin_pp']), 1)}个百分点（{row['status_label']}），"
                    f"需加快增长才能实现“增速明显高于{row['benchmark']}”的要求。")
        return f"{name}：{row['status_label']}，需补齐增速数据后评估。"
    head = f"{name}{row['status_label']}：实际{actual_text(row)}，目标{target_phrase(row)}"
    if not _has(row.get("gap")) or row["gap"] <= 0:
        return head + "。"
    decimals = int(row["decimals"])
    gap = f"还差{_num(row['gap'], decimals)} {labels.difference_unit(row['unit'])}"
    remaining = row.get("years_remaining")
    if _has(remaining) and remaining > 0 and _has(row.get("required_annual_increase")):
        verb = "减少" if row["comparator"] == "<=" else "增加"
        pace = f"每年需{verb}{_num(abs(row['required_annual_increase']), decimals)} {labels.difference_unit(row['unit'])}"
        if _has(row.get("required_growth_rate")) and row["kind"] != "annual":
            pace += f"（年均增长{row['required_growth_rate']:.1%}）"
        return f"{head}，{gap}；要在{int(row['due_year'])}年底前完成，{pace}。"
    return f"{head}，{gap}，已到{int(row['due_year'])}年目标年份，需说明原因并提出补救措施。"


def furthest_behind(status: pd.DataFrame, limit: int = 2) -> pd.DataFrame:
    """The targets furthest behind: worst status first, then lowest progress ratio, then lowest attainment."""
    behind = status.loc[status["status"].isin(BEHIND)]
    return behind.sort_values(["status_order", "ratio", "attainment"], ascending=[False, True, True],
                              na_position="last").head(limit)


def data_message(status: pd.DataFrame, as_of_year: int) -> str | None:
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


def change_counts(changes: pd.DataFrame) -> dict[str, int]:
    """Counts of status moves since a snapshot: up, down, same, new, gone, and values added."""
    counts = changes["direction"].value_counts()
    out = {k: int(counts.get(k, 0)) for k in ("up", "down", "same", "new", "gone")}
    out["value_added"] = int(changes["value_added"].fillna(False).astype(bool).sum())
    return out


def change_message(changes: pd.DataFrame, meeting: str) -> str:
    c = change_counts(changes)
    return (f"与“{meeting}”相比：状态上升{c['up']}项、下降{c['down']}项、不变{c['same']}项，"
            f"新增数据{c['value_added']}项。")
