"""One wording for one number: a target row of metrics.status.target_status rendered to the texts that the pages,
the deck, the bulletin and `cli.py status` show. Pure: rows in, strings out (imports vocab/ only).

How numbers are written (defined here, once):
- a number and its unit stand together ('95家', '3.50%', '0.3个百分点', never '3.50 %'); a Chinese label and the
  number after it are one space apart ('完成 92%', '期末差距 0.3个百分点', '2020年已达 63家');
- a value has its indicator's decimals (catalogue `decimals`: '3.50%'); a target the decimals the policy wrote it
  with ('≥3.8%', '≥100家'); a gap the fewest decimals that show it at the indicator's precision ('0.3个百分点'), and
  a gap that is not zero never reads 0;
- attainment has no decimals, but a target short of its goal never reads 100% (one decimal, rounded down: '99.7%');
  a rank target's attainment is at most 100%; relative (增速) and milestone targets have none in words;
- the gap of a share is in 个百分点, of a rank in 位; a relative target's gap is the two growth rates side by side.

A status or verdict that rests on a 预计 or 初步 value (the engine's provisional_status) reads 暂判 and says on what
('暂判未完成（完成 92%，初步数）', '暂判已完成（河南省初步数）').

What is said depends on the due year. A *judged* target (the engine's `judged`: the as-of period has reached the end
of its due year) reads 已完成 / 未完成（完成 N%） / 无期末数据 with its 期末差距, and a later value is a remark beside
the verdict ('2020年已达 63家，逾期达到', '2020年回落至 78家'); no pace, no forecast. Before its due year: the pace
status, the pace still required and the trend forecast."""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd

from vocab import labels
from vocab.labels import is_missing, with_unit

JUDGED_STATUSES = ("met", "unmet", "no_final_data")
PROVISIONAL = "暂判"   # before a status that rests on a 预计 or 初步 value (issue 21)
FALLBACK_BENCHMARK = "全省"  # the policy's own words (明显高于全省平均水平) when a relative target names no region

Row = Mapping[str, Any]


@dataclass(frozen=True)
class TargetWords:
    """Every text of one target row. Empty strings mean: nothing to say (a surface shows '—' where it needs a cell)."""
    code: str
    name: str         # 高新后备企业入库数（力争）
    value: str        # 95家 · 3.50% · 第3位 · 申报中 · 无数据
    value_year: str   # 2020年 ('' without a value)
    target: str       # ≥100家 · 15项左右 · 1—2项 · 前10位 · 增速明显高于河南省 · 已获批
    due: str          # 2020年底
    attainment: str   # 92% · 99.7% ('' for relative and milestone targets)
    gap: str          # 8家 · 0.3个百分点 · 2位 · relative: 增速 -20.8%，河南省 33.8%
    gap_phrase: str   # 期末差距 8家 (judged) · 距目标还差 8家 (before the due year) · relative: as gap
    verdict: str      # 已完成 · 未完成（完成 87%） · 无期末数据 · 略有滞后 …
    later: str        # 2020年已达 63家，逾期达到 · 2020年回落至 78家
    pace: str         # before the due year only: 2020年底前还需新增 5家（每年约 3家）
    forecast: str     # before the due year only: 按目前趋势，2020年预计达到 63家，可以完成目标。
    judged: bool


def _get(row: Row, key: str, default: Any = None) -> Any:
    value = row.get(key, default)
    return default if is_missing(value) else value


def _decimals(row: Row) -> int:
    return int(_get(row, "decimals", 0))


def is_judged(row: Row) -> bool:
    """The engine's `judged` column (issue 17 contract). Frames without it (made before the engine had it) count a
    target as judged once the as-of period has reached the end of its due year."""
    judged = row.get("judged")
    if not is_missing(judged):
        return bool(judged)
    year, quarter = _get(row, "as_of_year"), int(_get(row, "as_of_quarter", 0))
    if year is None or is_missing(row.get("due_year")):
        return False
    as_of_time = float(year) if quarter in (0, 4) else float(year) - 1 + quarter / 4
    return as_of_time >= float(row["due_year"])


def target_name(row: Row) -> str:
    """The indicator name, with 底线/力争 when the same indicator has both."""
    tier = labels.TIER_LABELS.get(_get(row, "tier", "") or "", "")
    return f"{row['indicator_name']}（{tier}）" if tier else str(row["indicator_name"])


def amount_text(row: Row, value: float, decimals: int | None = None) -> str:
    """A value of the row's indicator with its unit: '95家', '3.50%', '第3位'; '—' for a missing value."""
    number = labels.number_text(value, _decimals(row) if decimals is None else decimals)
    if number != "—" and row.get("measure") == "rank":
        return f"第{number}位"
    return with_unit(number, str(row.get("unit") or ""))


def value_text(row: Row) -> str:
    """The actual value with its unit ('3.50%'), a milestone's stage name, or 无数据."""
    actual = _get(row, "actual")
    if actual is None:
        return "无数据"
    if row["kind"] == "milestone" and _get(row, "actual_stage"):
        return str(row["actual_stage"])
    return amount_text(row, actual)


def value_year_text(row: Row) -> str:
    year = _get(row, "actual_year")
    return "" if year is None or _get(row, "actual") is None else f"{int(year)}年"


def target_text(row: Row) -> str:
    """The target as the policy writes it: '≥100家', '≥3.8%', '15项左右', '1—2项', '前10位', '增速明显高于河南省'."""
    kind, comparator, unit = row["kind"], row["comparator"], str(row.get("unit") or "")
    if kind == "milestone" and _get(row, "target_stage"):
        return str(row["target_stage"])
    if kind == "relative":
        return f"增速明显高于{_get(row, 'benchmark') or FALLBACK_BENCHMARK}"
    value = _get(row, "target_value")
    number = labels.number_text(value, labels.written_decimals(value))
    if kind == "cagr":
        return f"年均增长≥{with_unit(number, '%')}"
    if comparator == "range":
        low, high = _get(row, "target_low"), _get(row, "target_high")
        decimals = max(labels.written_decimals(low), labels.written_decimals(high))
        return with_unit(f"{labels.number_text(low, decimals)}—{labels.number_text(high, decimals)}", unit)
    if comparator == "approx":
        return f"{with_unit(number, unit)}左右"
    if comparator == "<=" and row.get("measure") == "rank":
        return f"前{number}位"
    sign = {">=": "≥", "<=": "≤", ">": ">"}.get(comparator, comparator)
    return f"{sign}{with_unit(number, unit)}"


def due_text(row: Row) -> str:
    """'2020年底': the end of the due year, when the target is judged."""
    return f"{int(row['due_year'])}年底"


def share_text(share: float, reached: bool) -> str:
    """A completion share as a percentage without decimals; short of the goal it never reads 100% (one decimal,
    rounded down, at most 99.9%)."""
    text = labels.percent_text(share)
    if not reached and share >= 0.995:
        return f"{min(math.floor(round(share * 1000, 6)) / 10, 99.9):.1f}%"
    return text


def attainment_text(row: Row) -> str:
    """'92%', '99.7%' (short of the goal), '100%' for a met rank target at any place above the bar; '' for relative
    and milestone targets and without a value."""
    share = _get(row, "attainment")
    if share is None or row["kind"] in ("relative", "milestone"):
        return ""
    if row.get("measure") == "rank":
        share = min(float(share), 1.0)
    return share_text(float(share), row["status"] == "met")


def _compact(value: float, most: int, least: int) -> str:
    """value with `most` decimals, trailing zeros dropped down to `least`; a value that is not zero keeps the
    decimals it needs not to read 0."""
    decimals = most
    while decimals < most + 4 and value != 0 and float(f"{abs(value):.{decimals}f}") == 0:
        decimals += 1
    text = f"{value:,.{decimals}f}"
    if "." in text:
        whole, frac = text.split(".")
        frac = frac.rstrip("0")
        frac = frac + "0" * max(0, least - len(frac))
        text = f"{whole}.{frac}" if frac else whole
    return text


def difference_text(row: Row, value: float) -> str:
    """A gap or a required change in the target's unit: '0.3个百分点' for a share, '2位' for a rank, '8家'."""
    least = labels.written_decimals(_get(row, "target_value"))
    number = _compact(float(value), max(_decimals(row), least), min(least, _decimals(row)))
    unit = "位" if row.get("measure") == "rank" else labels.difference_unit(str(row.get("unit") or ""))
    return with_unit(number, unit)


def growth_pair_text(row: Row) -> str:
    """A relative target's growth and its benchmark's, side by side: '增速 -20.8%，河南省 33.8%' (the region's own
    growth first: every surface is about one region)."""
    mine, theirs = _get(row, "region_growth"), _get(row, "benchmark_growth")
    if mine is None and theirs is None:
        return ""
    bench = _get(row, "benchmark") or FALLBACK_BENCHMARK
    return f"增速 {labels.percent_text(mine, 1)}，{bench} {labels.percent_text(theirs, 1)}"


def margin_text(row: Row) -> str:
    """A relative target's growth against its benchmark's in percentage points: '低 54.6个百分点', '高 3.2个百分点'
    ('' without both growth rates)."""
    margin = _get(row, "margin_pp")
    if margin is None:
        return ""
    return f"{'高' if margin >= 0 else '低'} {abs(margin):.1f}{labels.PERCENT_POINTS}"


def gap_text(row: Row) -> str:
    """What is still short, in the target's unit ('' when met, without a value, and for milestones); relative targets:
    the two growth rates."""
    if row["kind"] == "relative":
        return growth_pair_text(row)
    gap = _get(row, "gap")
    if gap is None or row["status"] == "met" or gap <= 0 or row["kind"] == "milestone":
        return ""
    return difference_text(row, gap)


def gap_phrase(row: Row) -> str:
    """'期末差距 8家' for a judged target, '距目标还差 8家' before its due year; relative targets: the growth rates."""
    gap = gap_text(row)
    if not gap or row["kind"] == "relative":
        return gap
    return f"期末差距 {gap}" if is_judged(row) else f"距目标还差 {gap}"


def provisional_note(row: Row) -> str:
    """What kind of figure a provisional status rests on (the engine's provisional_status, the weakest 预计 or 初步
    value it rests on): '初步数' (the actual itself), '河南省初步数' (a growth target's benchmark), '含预计数' (another
    value: the baseline, an earlier flow); '' when the status rests on no 预计 or 初步 value."""
    key = _get(row, "provisional_status") or ""
    if not key:
        return ""
    word = f"{labels.data_status_text(key)}数"
    if _get(row, "actual_status") == key:
        return word
    if row["kind"] == "relative" and _get(row, "benchmark_status") == key:
        return f"{_get(row, 'benchmark') or FALLBACK_BENCHMARK}{word}"
    return f"含{word}"


def verdict_text(row: Row) -> str:
    """The status in words: '未完成（完成 87%）' for a target short of its goal at its due year, else the label; a
    status resting on a 预计 or 初步 value is only 暂判 and says on what: '暂判未完成（完成 87%，初步数）',
    '暂判已完成（预计数）', '暂判略有滞后（含初步数）'."""
    key = row["status"]
    label = labels.STATUS_BY_KEY[key].label
    attainment = attainment_text(row) if key == "unmet" else ""
    notes = [f"完成 {attainment}"] if attainment else []
    if vintage := provisional_note(row):
        label, notes = PROVISIONAL + label, [*notes, vintage]
    return f"{label}（{'，'.join(notes)}）" if notes else label


def later_text(row: Row) -> str:
    """A judged target's value after its due year, beside the verdict (never changing it): '2020年已达 63家，逾期达到',
    '2020年回落至 78家', '2021年为 3.60%，仍未达到'; '' when there is none or nothing changed."""
    later, year = _get(row, "later_value"), _get(row, "later_year")
    if not is_judged(row) or later is None or year is None:
        return ""
    year, reaches, met = int(year), bool(_get(row, "later_reaches", False)), row["status"] == "met"
    if met and reaches:
        return ""
    if row["kind"] == "relative":
        margin, bench = _get(row, "later_margin_pp"), _get(row, "benchmark") or FALLBACK_BENCHMARK
        side = "" if margin is None else f"，{'高于' if margin >= 0 else '低于'}{bench} {abs(margin):.1f}个百分点"
        head = f"{year}年增速 {labels.percent_text(later, 1)}{side}"
        return f"{head}，逾期达到" if reaches else head if not met else f"{head}，未再明显高于{bench}"
    amount = _later_amount(row, later)
    if reaches:
        return f"{year}年已达 {amount}，逾期达到"
    return f"{year}年回落至 {amount}" if met else f"{year}年为 {amount}，仍未达到"


def _later_amount(row: Row, value: float) -> str:
    stages = row.get("stages")
    if row["kind"] == "milestone" and stages is not None and len(stages) and 0 <= round(value) < len(stages):
        return f"“{stages[round(value)]}”"
    return amount_text(row, value)


def pace_text(row: Row) -> str:
    """Before the due year: the pace still required, in plain words ('2020年底前还需新增 5家（每年约 3家）'); '' once
    the target is judged."""
    if is_judged(row):
        return ""
    due = due_text(row)
    if row["kind"] == "relative":
        bench, margin = _get(row, "benchmark") or FALLBACK_BENCHMARK, _get(row, "margin_pp")
        if margin is None:
            return f"增速需明显高于{bench}（暂无数据，无法比较）"
        return f"增速需明显高于{bench}：目前{margin_text(row)}"
    if row["kind"] == "milestone":
        stages, value = row.get("stages"), _get(row, "target_value")
        final = stages[int(value)] if stages is not None and len(stages) and value is not None else "目标阶段"
        return "已达到目标" if row["status"] == "met" else f"{due}前需达到“{final}”"
    gap = _get(row, "gap")
    if gap is None:
        return "暂无数据，无法测算"
    if row["status"] == "met" or gap <= 0:
        return "已达到目标"
    amount, measure = difference_text(row, gap), row.get("measure", "stock")
    if measure == "rank":
        text = f"{due}前位次还需前移 {amount}"
    elif row["comparator"] == "<=":
        text = f"{due}前还需降低 {amount}"
    elif measure == "ratio":
        text = f"{due}前还需提高 {amount}"
    elif row["kind"] == "annual":
        text = f"{int(row['due_year'])}年还需新增 {amount}"
    else:
        text = f"{due}前还需新增 {amount}"
    yearly, remaining = _get(row, "required_annual_increase"), _get(row, "years_remaining")
    if yearly is not None and remaining is not None and remaining > 1:
        text += f"（每年约 {difference_text(row, abs(yearly))}）"
    return text


def forecast_text(row: Row) -> str:
    """Before the due year: what the trend says about it; '' once the target is judged and for milestones."""
    if is_judged(row) or row["kind"] == "milestone":
        return ""
    reaches = "可以" if bool(_get(row, "forecast_reaches", False)) else "难以"
    if row["kind"] == "relative":
        mine, theirs = _get(row, "region_growth_avg"), _get(row, "benchmark_growth_avg")
        if mine is None or theirs is None:
            return "数据不足，暂不作趋势预测。"
        bench = _get(row, "benchmark") or FALLBACK_BENCHMARK
        return (f"基期以来年均增速 {labels.percent_text(mine, 1)}，{bench} {labels.percent_text(theirs, 1)}，"
                f"按目前趋势{reaches}实现“增速明显高于{bench}”。")
    forecast = _get(row, "forecast")
    if forecast is None:
        return "数据不足，暂不作趋势预测。"
    return f"按目前趋势，{int(row['due_year'])}年预计达到 {amount_text(row, forecast)}，{reaches}完成目标。"


def target_words(row: Row) -> TargetWords:
    """Every text of one target row (a dict or a pandas row of target_status)."""
    return TargetWords(code=str(row["code"]), name=target_name(row), value=value_text(row),
                       value_year=value_year_text(row), target=target_text(row), due=due_text(row),
                       attainment=attainment_text(row), gap=gap_text(row), gap_phrase=gap_phrase(row),
                       verdict=verdict_text(row), later=later_text(row), pace=pace_text(row),
                       forecast=forecast_text(row), judged=is_judged(row))


def words_frame(status: pd.DataFrame) -> pd.DataFrame:
    """target_words for every row of a status frame, one column per field, on the frame's index."""
    records = [asdict(target_words(r)) for r in status.to_dict("records")]
    columns = list(TargetWords.__dataclass_fields__)
    return pd.DataFrame(records, index=status.index, columns=columns)


def status_basis(status: pd.DataFrame) -> str:
    """How the statuses of these rows were reached, for a slide's caption: by the due year's value (judged targets),
    by the progress ratio (the others), or both."""
    judged = [is_judged(r) for r in status.to_dict("records")]
    if judged and all(judged):
        return "各目标均已到期：按目标年份年底的数值判定已完成或未完成（见数据说明）"
    if any(judged):
        return "已到期目标按目标年份年底的数值判定，未到期目标按进度比判定（见数据说明）"
    return "状态按进度比判定（见数据说明）"


def provisional_basis(status: pd.DataFrame) -> str | None:
    """What 暂判 means, for the data notes, when any row of the frame is provisional (None otherwise)."""
    if not any(provisional_note(r) for r in status.to_dict("records")):
        return None
    return (f"“{PROVISIONAL}”：该状态或判定依据的数值是初步数或预计数（括号内注明，如“初步数”“河南省初步数”），"
            "待核实数或修订数发布后确定；数据质量页列出已过通常定稿时间仍为初步数的数值。")


def notes_line(row: Row) -> str:
    """One target with every text, for the deck's speaker notes and the CLI: value, target and due year, verdict,
    gap, later value."""
    w = target_words(row)
    year = f"（{w.value_year}）" if w.value_year else ""
    parts = [f"{'期末值' if w.judged else '实际'} {w.value}{year}", f"目标 {w.target}（{w.due}）", w.verdict,
             w.gap_phrase, w.later]
    return f"{w.code} {w.name}：" + "，".join(p for p in parts if p)
