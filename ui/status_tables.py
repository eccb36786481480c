"""What the pages show about targets in their tables: the engine's status rows with the texts of
views.target_words (one wording for page, deck, bulletin and CLI), the comparison and change tables, and the
column configs. No number is formatted here that the renderer formats."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from metrics.summary import moved_since
from views import sentences
from views import target_words as words
from views.target_words import words_frame
from vocab import labels
from vocab.labels import is_missing, percent_text

DASH = "—"


def _cell(text: str) -> str:
    return text or DASH


def status_table(status: pd.DataFrame) -> pd.DataFrame:
    """Status rows with display texts from views.target_words: status_text (icon + verdict: '✘ 未完成（完成 92%）'),
    value_text / actual_text (value with its unit), target_text, due_text ('2020年底'), attainment_text, gap_text,
    later_text; before the due year also expected_text, ratio_text and forecast_text ('—' for judged targets);
    data_text (示例数据 / 公开数据 / 无数据)."""
    w = words_frame(status)
    judged = w["judged"].to_numpy(dtype=bool)
    records = status.to_dict("records")
    ahead = lambda col, fmt: [DASH if j else fmt(r, r[col]) for r, j in zip(records, judged)]
    return status.assign(
        status_text=[f"{labels.STATUS_BY_KEY[k].icon} {v}" for k, v in zip(status["status"], w["verdict"])],
        verdict_text=w["verdict"].to_numpy(), value_text=w["value"].to_numpy(), actual_text=w["value"].to_numpy(),
        target_text=w["target"].to_numpy(), due_text=w["due"].to_numpy(), judged=judged,
        attainment_text=[_cell(t) for t in w["attainment"]], gap_text=[_cell(t) for t in w["gap"]],
        later_text=w["later"].to_numpy(),
        expected_text=ahead("expected", words.amount_text), forecast_text=ahead("forecast", words.amount_text),
        ratio_text=ahead("ratio", lambda r, v: percent_text(v)),
        data_text=[labels.SAMPLE_MARK if s else ("无数据" if is_missing(a) else "公开数据")
                   for s, a in zip(status["is_sample"], status["actual"])],
    )


def year_change_text(card: pd.Series) -> str | None:
    """The change since last year on a headline card, with its sign and unit ('+19家', '+0.40个百分点' for a share
    in %); None when there is nothing to compare."""
    change = card["change"]
    if is_missing(change):
        return None
    return labels.difference_text(change, card["unit"], int(card["decimals"]), signed=True)


def styled(table: pd.DataFrame, columns: list[str], status_col: str = "status", text_col: str = "status_text"):
    """The shown columns, with the status cell tinted in the status colour (the icon and label carry the meaning;
    colour helps). Only the shown columns go into the Styler: Streamlit sends a styled table cell by cell, so a
    status table's sixty hidden columns would cost more than the rows shown."""
    colours = [labels.STATUS_BY_KEY[k].colour for k in table[status_col]]
    css = pd.Series([f"background-color: {c}33" for c in colours], index=table.index)
    return table[columns].style.apply(lambda _: css, subset=[text_col])


STATUS_COLUMNS = {
    "code": st.column_config.TextColumn("编号", width="small"),
    "indicator_name": st.column_config.TextColumn("指标", width="medium"),
    "area": st.column_config.TextColumn("领域", width="small"),
    "status_text": st.column_config.TextColumn("状态", width="medium"),
    "actual_text": st.column_config.TextColumn("实际值"),
    "target_text": st.column_config.TextColumn("目标"),
    "due_text": st.column_config.TextColumn("期限", width="small", help="目标年份年底；到期后按当年数值判定"),
    "expected_text": st.column_config.TextColumn("按进度应达"),
    "attainment_text": st.column_config.TextColumn("完成率"),
    "ratio_text": st.column_config.TextColumn("进度比"),
    "gap_text": st.column_config.TextColumn("差距", help="到期目标为期末差距；增速类目标为两地增速"),
    "forecast_text": st.column_config.TextColumn("趋势预测"),
    "later_text": st.column_config.TextColumn("到期后"),
    "lead_units": st.column_config.TextColumn("牵头单位"),
    "data_text": st.column_config.TextColumn("数据性质", width="small"),
}


STATUS_WIDTHS = {"code": 55, "indicator_name": 170, "area": 64, "status_text": 135, "actual_text": 85,
                 "target_text": 110, "due_text": 80, "expected_text": 85, "attainment_text": 70, "ratio_text": 64,
                 "gap_text": 130, "forecast_text": 90, "later_text": 130, "lead_units": 120, "data_text": 80}


def target_columns(table: pd.DataFrame, head: list[str], tail: list[str], pace: list[str]) -> list[str]:
    """The columns of a table of targets: head, then the pace columns while some target is still ahead of its due
    year, 到期后 (later_text) when some judged target has a later value, then tail. With both, the trend forecast
    gives way (目标详情 shows it), so that the table fits a 1366-px screen."""
    ahead = [] if table["judged"].all() else list(pace)
    later = ["later_text"] if table["later_text"].astype(bool).any() else []
    if ahead and later:
        ahead = [c for c in ahead if c != "forecast_text"]
    return [*head, *ahead, *later, *tail]


def counts_table(counts: pd.DataFrame) -> pd.DataFrame:
    """metrics.summary.status_counts as a small table: status (key), status_text ('✔ 已完成'), n, share (of all
    targets in %, for a bar in the cell) and their texts n_text ('5 个') and share_text ('38%'). 总览 draws it
    instead of a chart: its first screen then needs no chart library in the browser (plotly's script alone is 4.7 MB
    to evaluate)."""
    total = max(int(counts["n"].sum()), 1)
    share = counts["n"] / total * 100
    return pd.DataFrame({"status": counts["status"], "status_text": [labels.status_text(k) for k in counts["status"]],
                         "n": counts["n"].astype(int), "share": share,
                         "n_text": [f"{int(n)} 个" for n in counts["n"]],
                         "share_text": [percent_text(v / 100) for v in share]})


COUNT_COLUMNS = {"status_text": "状态", "n_text": "目标数", "share": "占比"}


def change_table(changes: pd.DataFrame) -> pd.DataFrame:
    """The status changes worth reporting, as display texts; a move into a verdict at the due year reads 到期判定
    (direction 'judged'), not 好转 or 退步; a move caused by a revised figure reads 因数据修订 ('revised')."""
    moved = moved_since(changes)
    direction = moved["direction"].where(~((moved["direction"] == "same") & moved["value_added"]), "value_added")
    return pd.DataFrame({
        "code": moved["code"], "indicator_name": moved["indicator_name"],
        "before": [labels.status_text(k) if isinstance(k, str) and k else DASH for k in moved["status_before"]],
        "after": [labels.status_text(k) if isinstance(k, str) and k else DASH for k in moved["status_after"]],
        "direction": [sentences.direction_text(d, m) for d, m in zip(direction, moved["status_move"])],
    })


CHANGE_COLUMNS = {"code": "编号", "indicator_name": "指标", "before": "上年状态", "after": "本年状态",
                  "direction": "变化"}

PACE_FIELDS = ("expected", "ratio", "required_annual_increase", "required_growth_rate", "forecast_linear",
               "forecast_compound", "forecast", "forecast_reaches")
SHARE_FIELDS = ("attainment",)
RATIO_FIELDS = ("ratio",)
PERCENT_FIELDS = ("required_growth_rate", "actual_growth_rate", "region_growth", "benchmark_growth",
                  "region_growth_avg", "benchmark_growth_avg")
PP_FIELDS = ("margin_pp",)
DIFFERENCE_FIELDS = ("required_annual_increase", "actual_annual_increase")


def numbers_behind(row: pd.Series) -> pd.DataFrame:
    """The engine's figures for one target as label/value texts (missing figures left out; a judged target's pace
    and forecast figures too, and its gap is the 期末差距)."""
    judged = words.is_judged(row)
    items, values = [], []
    for field, label in labels.FIELD_LABELS.items():
        v = row.get(field)
        if is_missing(v) or (judged and field in PACE_FIELDS):
            continue
        if field == "forecast_reaches":
            text = "能" if bool(v) else "不能"
        elif field in SHARE_FIELDS:   # none in words for relative and milestone targets
            text = words.attainment_text(row)
            if not text:
                continue
        elif field in RATIO_FIELDS:
            text = percent_text(float(v))
        elif field in PERCENT_FIELDS:
            text = percent_text(float(v), 1)
        elif field in PP_FIELDS:
            text = labels.points_text(float(v))
        elif field == "gap":   # in the target's unit; nothing once the goal is reached (never '-3家')
            text, label = words.gap_text(row), "期末差距" if judged else label
            if not text or row["kind"] == "relative":
                continue
        elif field in DIFFERENCE_FIELDS:   # a change of a share is in 个百分点
            text = words.difference_text(row, float(v))
        elif field == "target_value" and row["kind"] != "relative":   # as the policy writes it: 3.8%, not 3.80%
            text = words.amount_text(row, float(v), labels.written_decimals(v))
        else:
            text = words.amount_text(row, float(v))
        if field == "target_value" and row["kind"] == "relative":
            label = "按增速要求应达"
        if field == "baseline":
            label = f"{label}（{int(row['base_year'])}年）"
        elif field == "actual" and not is_missing(row["actual_year"]):
            label = f"{'期末值' if judged else label}（{int(row['actual_year'])}年）"
        items.append(label.replace("基准地区", str(row.get("benchmark") or words.FALLBACK_BENCHMARK))
                     .replace("本地区", str(row["region"])))
        values.append(text)
    return pd.DataFrame({"item": items, "value": values})


def compare_table(side: pd.DataFrame, ranks: pd.DataFrame, regions: list[str], relative: pd.DataFrame) -> pd.DataFrame:
    """Side-by-side growth rates, margin, status and rank as display texts; a region alone on its level reads
    无同级可比地区, not 第 1 位 / 1."""
    table = side.merge(ranks, on="code", how="left")
    out = pd.DataFrame({"code": table["code"], "indicator_name": table["indicator_name"],
                        "year": table["actual_year"]})
    for region in regions:
        out[f"growth::{region}"] = [percent_text(v, 1) for v in table[f"growth::{region}"]]
    out["margin"] = [labels.points_text(v) for v in table["margin_pp"]]
    out["avg"] = [percent_text(v, 1) for v in table["region_growth_avg"]]
    out["bench_avg"] = [percent_text(v, 1) for v in table["benchmark_growth_avg"]]
    # the renderer's verdict ('暂判已完成（河南省初步数）'), as on every other page, when the engine row is there
    verdicts = {r["code"]: f"{labels.STATUS_BY_KEY[r['status']].icon} {words.verdict_text(r)}"
                for r in relative.to_dict("records")}
    out["status_text"] = [verdicts.get(c, labels.status_text(k)) for c, k in zip(table["code"], table["status"])]
    out["rank"] = [NO_PEERS if is_missing(n) or int(n) < 2 else DASH if is_missing(r) else f"第 {int(r)} 位 / {int(n)}"
                   for r, n in zip(table["rank"], table["n_ranked"])]
    return out


NO_PEERS = "无同级可比地区"


def compare_columns(regions: list[str], benchmark: str) -> dict:
    """Column headers for compare_table."""
    cols = {"code": st.column_config.TextColumn("编号", width="small"), "indicator_name": "指标",
            "year": st.column_config.NumberColumn("年份", format="%d", width="small"),
            "margin": st.column_config.TextColumn("增速差", help=f"{regions[0]}增速减{benchmark or words.FALLBACK_BENCHMARK}"
                                                            "增速（百分点）"),
            "avg": f"{regions[0]}年均", "bench_avg": f"{benchmark or '基准'}年均",
            "status_text": st.column_config.TextColumn("状态", width="small"), "rank": "同级位次"}
    cols.update({f"growth::{r}": st.column_config.TextColumn(r, width="small") for r in regions})
    return cols


def compare_widths(regions: list[str]) -> dict[str, int]:
    """What compare_table's columns need (px; tables.fitted): a verdict such as '✓ 暂判已完成（河南省初步数）' on two
    lines, never cut."""
    return {"code": 50, "indicator_name": 150, "year": 55, "margin": 70, "avg": 95, "bench_avg": 100,
            "status_text": 160, "rank": 120, **{f"growth::{r}": 80 for r in regions}}


def peer_table(ends: pd.DataFrame, standing: pd.DataFrame) -> pd.DataFrame:
    """The five fastest and five slowest peers per indicator as display texts. ends: metrics.compare.top_and_bottom."""
    names = standing.drop_duplicates("code").set_index("code")["indicator_name"]
    return pd.DataFrame({"indicator_name": ends["code"].map(names), "end": ends["end"].map({"top": "最快", "bottom": "最慢"}),
                         "rank": [f"第 {int(r)} 位" for r in ends["rank"]], "region": ends["region"],
                         "growth": [percent_text(v, 1) for v in ends["growth"]]})


PEER_COLUMNS = {"indicator_name": "指标", "end": st.column_config.TextColumn("", width="small"),
                "rank": st.column_config.TextColumn("位次", width="small"), "region": "地区", "growth": "增速"}


def first_headline(status: pd.DataFrame) -> str | None:
    """The code of the first headline target (the detail page opens on it)."""
    head = status.loc[status["headline"].fillna(False).astype(bool), "code"]
    return str(head.iloc[0]) if len(head) else None


def base_year_text(status: pd.DataFrame) -> str:
    """'2018年' — the base year of the rows (the policy's)."""
    years = status["base_year"].dropna()
    return f"{int(years.iloc[0])}年" if len(years) else "基期"
