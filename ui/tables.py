"""What pages show in their tables: the store's and the engine's frames (sources, audit log, data quality, scorecard,
task ledger, 督办) turned into display texts and column configs. Formatting only (labels, icons: vocab.labels); every
number comes from metrics/. The tables about targets are ui.status_tables (texts from views.target_words)."""
from __future__ import annotations

import json
from collections.abc import Callable

import pandas as pd
import streamlit as st

from ui.text_width import text_width, wrapped_lines
from vocab import labels
from vocab.labels import is_missing
from vocab.periods import parse_period, period_label


def source_table(observations: pd.DataFrame, amount: Callable[[float], str] | None = None) -> pd.DataFrame:
    """Stored values with their source and nature (示例数据 / 公开数据), for display; value_text is the value in
    words when `amount` (a target's views.target_words.amount_text) is given: '3.50%', as everywhere else."""
    return pd.DataFrame({
        "region": observations["region"],
        "period": [period_label(y, q) for y, q in zip(observations["year"], observations["quarter"])],   # 2020年
        "value": observations["value"],
        "value_text": [amount(v) if amount else labels.number_text(v, 2) for v in observations["value"]],
        "data_text": [labels.SAMPLE_MARK if s else "公开数据" for s in observations["is_sample"]],
        "source": observations["source"].fillna("").replace("", "（缺少出处）"),
        "note": observations["note"].fillna(""), "entered_by": observations["entered_by"],
        "version": observations["version"],
    })


SOURCE_ORDER = ["region", "period", "value_text", "data_text", "source", "note", "entered_by"]
SOURCE_WIDTHS = {"region": 80, "period": 80, "value_text": 90, "data_text": 80, "source": 330, "note": 150,
                 "entered_by": 70}
SOURCE_COLUMNS = {"region": "地区", "period": "期间", "value": st.column_config.NumberColumn("数值", format="localized"),
                  "value_text": st.column_config.TextColumn("数值", alignment="right"),
                  "data_text": "数据性质", "source": st.column_config.TextColumn("出处", width="large"),
                  "note": "说明", "entered_by": "录入人", "version": st.column_config.NumberColumn("版本", format="%d")}


def audit_value_text(record: dict | None, amount: Callable[[float], str] | None = None) -> str:
    """An audit entry's old or new record in one line, the same on every page: the value (trailing zeros dropped;
    in a target's words with `amount`: '3.50%'), [示例数据] and its source for observations ('95 [示例数据]（统计公报）'),
    compact JSON for other records, '—' for none."""
    if not isinstance(record, dict):
        return "—"
    if "value" in record:
        mark = f" [{labels.SAMPLE_MARK}]" if record.get("is_sample") else ""
        source = f"（{record['source']}）" if record.get("source") else ""
        value = amount(record["value"]) if amount else labels.number_text(record["value"], 2).rstrip("0").rstrip(".")
        return f"{value}{mark}{source}"
    return json.dumps(record, ensure_ascii=False, default=str)[:120]


def audit_table(audit: pd.DataFrame) -> pd.DataFrame:
    """Audit entries for display: when, who, what, old and new value (audit_value_text), reason."""
    return pd.DataFrame({
        "at": audit["at"], "who": audit["who"], "action": audit["action"].map(labels.AUDIT_ACTIONS).fillna(
            audit["action"]),
        "key": audit["entity_key"], "old": [audit_value_text(d) for d in audit["old"]],
        "new": [audit_value_text(d) for d in audit["new"]], "reason": audit["reason"].fillna(""),
    })


def value_history_table(audit: pd.DataFrame, amount: Callable[[float], str]) -> pd.DataFrame:
    """The audit entries of one region's indicator (目标详情's 修改记录): audit_table with the period in words in
    place of the stored key ('2020年', '2020年三季度'; never '长垣市/rd_intensity/2020') and the values in the
    target's words (`amount`: views.target_words.amount_text of the target's row)."""
    periods = [parse_period(str(k).rsplit("/", 1)[-1]) for k in audit["entity_key"]]
    return audit_table(audit).assign(key=[period_label(*p) if isinstance(p, tuple) else "—" for p in periods],
                                     old=[audit_value_text(d, amount) for d in audit["old"]],
                                     new=[audit_value_text(d, amount) for d in audit["new"]])


AUDIT_COLUMNS = {"at": st.column_config.DatetimeColumn("时间", format="YYYY-MM-DD HH:mm"), "who": "操作人",
                 "action": "操作", "key": "数据项", "old": "原值", "new": "新值", "reason": "原因"}


QUALITY_ORDER = ["codes", "indicator_name", "area", "unit", "n_values", "first_year", "latest_year", "n_sample",
                 "n_no_source"]


QUALITY_WIDTHS = {"codes": 110, "indicator_name": 190, "area": 70, "unit": 56, "n_values": 70, "first_year": 72,
                  "latest_year": 72, "n_sample": 100, "n_no_source": 100}
QUALITY_COLUMNS = {"codes": "相关目标", "indicator_name": "指标", "area": "领域", "unit": "单位",
                   "n_values": st.column_config.NumberColumn("数据条数", format="%d"),
                   "first_year": st.column_config.NumberColumn("最早年份", format="%d"),
                   "latest_year": st.column_config.NumberColumn("最新年份", format="%d"),
                   "n_sample": st.column_config.NumberColumn("示例数据条数", format="%d"),
                   "n_no_source": st.column_config.NumberColumn("缺少出处条数", format="%d")}


def ledger_table(ledger: pd.DataFrame) -> pd.DataFrame:
    """The task ledger as display columns: status with icon, latest progress, report date and reporter."""
    return pd.DataFrame({
        "clause": ledger["clause"], "title": ledger["title"],
        "lead_units": ledger["lead_units"].replace("", "—"),  # the document names no lead unit for a few tasks
        "responsible_units": ledger["responsible_units"], "due_date": pd.to_datetime(ledger["due_date"]),
        "status": ledger["status"],
        "status_text": [f"{labels.TASK_STATUS_ICONS[k]} {labels.TASK_STATUSES[k]}" for k in ledger["status"]],
        "progress": ledger["progress"].fillna(""), "reported_on": pd.to_datetime(ledger["reported_on"]),
        "reported_by": ledger["reported_by"].fillna(""),
    })


def styled_ledger(table: pd.DataFrame):
    """Tint the status cell with the task-status colour; overdue rows get a light red background."""
    overdue = table["status"] == "overdue"
    row_css = pd.Series(["background-color: #D55E0014" if o else "" for o in overdue], index=table.index)
    cell_css = pd.Series([f"background-color: {labels.TASK_STATUS_COLOURS[k]}33" for k in table["status"]],
                         index=table.index)
    return (table.style.apply(lambda _: row_css, subset=[c for c in table.columns if c != "status_text"])
                 .apply(lambda _: cell_css, subset=["status_text"]))


LEDGER_ORDER = ["clause", "status_text", "title", "lead_units", "due_date", "progress", "reported_on",
                "responsible_units"]
LEDGER_WIDTHS = {"clause": 88, "status_text": 85, "title": 150, "lead_units": 90, "due_date": 90, "progress": 230,
                 "reported_on": 90, "responsible_units": 130}


LEDGER_COLUMNS = {"clause": st.column_config.TextColumn("条款", width="small"),
                  "title": st.column_config.TextColumn("任务", width="medium"),
                  "lead_units": st.column_config.TextColumn("牵头单位", width="small"),
                  "responsible_units": st.column_config.TextColumn("责任单位", width="medium"),
                  "due_date": st.column_config.DateColumn("完成时限", format="YYYY-MM-DD"),
                  "status": None, "status_text": st.column_config.TextColumn("状态", width="small"),
                  "progress": st.column_config.TextColumn("最新进展", width="medium"),
                  "reported_on": st.column_config.DateColumn("填报日期", format="YYYY-MM-DD"),
                  "reported_by": None}


ROW_HEIGHT = 35        # px: a row of one line (Streamlit's default)
WRAP_ROW_HEIGHT = 65   # px: a row of up to three lines (Streamlit wraps a cell's text only in rows over 4rem)
FIT_WIDTH = 880        # px: what a table may take on a 1366-px laptop with the sidebar open (the main column: 904)
MIN_WIDTH = 64         # px: no column is made narrower (a date, a count, 示例数据)


def table_height(table: pd.DataFrame, max_rows: int = 100, row_height: int = ROW_HEIGHT) -> int:
    """The one dataframe height: every row shown (up to max_rows) without an inner scrollbar, header and border
    included."""
    return row_height * min(len(table), max_rows) + 38


def fitted(config: dict, widths: dict[str, int], columns: list[str], budget: int = FIT_WIDTH) -> dict:
    """The column config with a width in px for each shown column, from `widths` (what a column's content needs on
    up to three lines), the widest ones narrowed in proportion when the shown columns need more than `budget`: a
    table never scrolls sideways on a 1366-px screen, and on a wider one Streamlit stretches the columns to the
    screen. Tables use it through fit(), whose rows are tall enough that a narrowed column wraps its text instead
    of cutting it."""
    need = {c: int(widths.get(c, 100)) for c in columns}
    fixed = {c: w for c, w in need.items() if w <= 100}
    flexible = {c: w for c, w in need.items() if w > 100}
    room = budget - sum(fixed.values())
    if flexible and sum(flexible.values()) > room:
        scale = max(room, 0) / sum(flexible.values())
        need.update({c: max(MIN_WIDTH, int(w * scale)) for c, w in flexible.items()})
    out = dict(config)
    for c, w in need.items():
        base = config.get(c)
        label = base if isinstance(base, str) else (base or {}).get("label") if isinstance(base, dict) else None
        out[c] = {**(base if isinstance(base, dict) else st.column_config.TextColumn(label or c)), "width": w}
    return out


# ---------------------------------------------------------------- 数据质量: vintages (views.vintage_words tables)

LATE_COLUMNS = {"region": "地区", "indicator_name": "指标", "period": "期间", "value": "数值", "data_status": "数据状态",
                "released_on": "发布日期", "final_by": "通常定稿", "rule": "定稿规则",
                "days_late": st.column_config.NumberColumn("已过（天）"), "source": "出处"}
LATE_WIDTHS = {"region": 70, "indicator_name": 170, "period": 60, "value": 90, "data_status": 70, "released_on": 92,
               "final_by": 92, "rule": 190, "days_late": 70, "source": 260}
REVISION_COLUMNS = {"region": "地区", "indicator_name": "指标", "period": "期间", "before": "修订前", "after": "修订后",
                    "change": "修订幅度"}
REVISION_WIDTHS = {"region": 70, "indicator_name": 190, "period": 60, "before": 190, "after": 190, "change": 160}


def fitted_frame(frame: pd.DataFrame, config: dict, widths: dict[str, int]) -> dict:
    """st.dataframe's arguments for a table whose columns fit 1366 px and whose rows wrap (fit)."""
    return fit(frame, config, widths, [c for c in config if c in frame.columns])


LINE_HEIGHT, CELL_PADDING = 20, 18   # px: a wrapped line of a cell's 14-px text; a cell's padding left and right


def row_height_for(frame: pd.DataFrame, config: dict, columns: list[str], minimum: int = WRAP_ROW_HEIGHT) -> int:
    """The row height that shows the longest text of every shown column whole at its fitted width (`config` from
    fitted): Streamlit gives every row one height, so the longest cell sets it (at least WRAP_ROW_HEIGHT, three
    lines: Streamlit wraps a cell's text only in rows over 4rem)."""
    lines = 1
    for c in columns:
        width = config.get(c, {}).get("width") if isinstance(config.get(c), dict) else None
        if c not in frame.columns or not isinstance(width, int):
            continue
        texts = {v for v in frame[c].tolist() if isinstance(v, str) and v}
        lines = max([lines, *(wrapped_lines(t, width - CELL_PADDING) for t in texts)])
    return max(minimum, 5 + LINE_HEIGHT * lines)


def by_content(frame: pd.DataFrame, widths: dict[str, int], columns: list[str], budget: int = FIT_WIDTH) -> dict:
    """`widths` with the wide columns (over 100 px) re-shared by what they hold when together they need more room
    than is left beside the narrow ones: the fewest lines (three or more) at which every wide column's longest text
    fits, each column as wide as that needs — instead of narrowing all of them in proportion, which leaves the
    column with the longest text on the most lines and every row as tall as that column."""
    need = {c: int(widths.get(c, 100)) for c in columns}
    flexible = [c for c, w in need.items() if w > 100]
    room = budget - sum(w for c, w in need.items() if c not in flexible)
    if not flexible or sum(need[c] for c in flexible) <= room:
        return widths
    longest = {c: max([0, *(text_width(v, 14) for v in frame[c].tolist() if isinstance(v, str))])
               if c in frame.columns else need[c] for c in flexible}
    for lines in range(3, 13):
        share = {c: max(101, -(-longest[c] // lines) + CELL_PADDING + 14) for c in flexible}   # stays wide
        if sum(share.values()) <= room:
            spare = (room - sum(share.values())) // len(flexible)
            return {**widths, **{c: w + spare for c, w in share.items()}}
    return widths


def fit(frame: pd.DataFrame, config: dict, widths: dict[str, int], columns: list[str],
        minimum: int = WRAP_ROW_HEIGHT) -> dict:
    """st.dataframe's arguments for a table that neither scrolls nor cuts a text on a 1366-px laptop: column widths
    (by_content, then fitted), the order, rows as tall as the longest cell needs (row_height_for) and every row
    shown."""
    config = fitted(config, by_content(frame, widths, columns), columns)
    row_height = row_height_for(frame, config, columns, minimum)
    return {"column_config": config, "column_order": columns, "row_height": row_height,
            "height": table_height(frame, row_height=row_height)}


# ---------------------------------------------------------------- 督办: deadlines, requests, milestone editing

def deadline_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Deadline rows with display texts: state_text (icon + word), days_text, data_text (示例数据)."""
    return rows.assign(
        state_text=[labels.deadline_text(k) for k in rows["state"]],
        days_text=[labels.days_text(s, None if is_missing(d) else d, o)
                   for s, d, o in zip(rows["state"], rows["days_left"], rows["days_overdue"])],
        data_text=[labels.SAMPLE_MARK if s else "" for s in rows["is_sample"]],
        extended_text=["已延期（原定 " + o.date().isoformat() + "）" if e else ""
                       for e, o in zip(rows["extended"], rows["original_due_date"])],
        task_text=(rows["clause"].astype(str) + " " + rows["task_title"].astype(str)).to_numpy(),
    )


def styled_deadlines(table: pd.DataFrame):
    """Tint the state cell with the state's colour (icon and word carry the meaning)."""
    css = pd.Series([f"background-color: {labels.DEADLINE_BY_KEY[k].colour}40" for k in table["state"]],
                    index=table.index)
    return table.style.apply(lambda _: css, subset=["state_text"])


DEADLINE_ORDER = ["state_text", "days_text", "unit", "clause", "task_title", "title", "due_date", "extended_text",
                  "chases", "last_progress", "data_text"]
DEADLINE_WIDTHS = {"state_text": 80, "days_text": 92, "unit": 85, "task_text": 150, "title": 150, "due_date": 90,
                   "extended_text": 110, "chases": 64, "last_progress": 230, "data_text": 75}
ATTENTION_ORDER = ["state_text", "days_text", "unit", "task_text", "title", "due_date", "extended_text", "chases",
                   "last_progress", "data_text"]


def deadline_order(table: pd.DataFrame) -> list[str]:
    """The 临期与逾期 columns (条款 and 任务 in one column, so that the latest progress has room on a 1366-px
    screen), without 延期 when no milestone shown was extended."""
    extended = "extended_text" in table and table["extended_text"].astype(bool).any()
    return [c for c in ATTENTION_ORDER if c != "extended_text" or extended]
DEADLINE_TABLE_COLUMNS = {
    "state_text": st.column_config.TextColumn("状态", width="small"), "days_text": "剩余/逾期",
    "unit": "责任单位", "clause": st.column_config.TextColumn("条款", width="small"), "task_title": "任务",
    "task_text": "条款与任务",
    "title": "节点", "due_date": st.column_config.DateColumn("截止日期", format="YYYY-MM-DD"),
    "extended_text": "延期", "chases": st.column_config.NumberColumn("催办", format="%d 次", width="small", help="催办次数"),
    "last_progress": "最近进展", "data_text": st.column_config.TextColumn("数据", width="small"),
}


def request_table(requests: pd.DataFrame) -> pd.DataFrame:
    """Extension requests with their state in words."""
    from supervision.rules import STATE_LABELS
    return requests.assign(state_text=requests["state"].map(STATE_LABELS))


REQUEST_ORDER = ["request_id", "state_text", "unit", "clause", "title", "old_date", "new_date", "reason", "requester",
                 "review_opinion", "decision_note"]
REQUEST_COLUMNS = {"request_id": st.column_config.NumberColumn("编号", format="%d", width="small"),
                   "state_text": "状态", "unit": "申请单位", "clause": "条款", "title": "节点", "old_date": "原截止日期",
                   "new_date": "申请延期至", "reason": "理由", "requester": "申请人", "review_opinion": "督查室意见",
                   "decision_note": "领导批示"}
CHASE_ORDER = ["at", "unit", "clause", "title", "who", "message"]
CHASE_COLUMNS = {"at": st.column_config.DatetimeColumn("催办时间", format="YYYY-MM-DD HH:mm"), "unit": "被催办单位",
                 "clause": "条款", "title": "节点", "who": "催办人", "message": "催办内容"}


def milestone_editor_frame(milestones: pd.DataFrame) -> pd.DataFrame:
    """Milestones as the editing grid shows them: units joined with 、, status as its Chinese word."""
    return pd.DataFrame({
        "milestone_id": milestones["milestone_id"].astype(int), "clause": milestones["clause"],
        "title": milestones["title"], "due_date": pd.to_datetime(milestones["due_date"]).dt.date,
        "units": ["、".join(u) for u in milestones["units"]],
        "status": milestones["status"].map(labels.MILESTONE_STATUSES),
        "evidence": milestones["evidence"].fillna(""),
        "completed_on": pd.to_datetime(milestones["completed_on"]).dt.date,
        "is_sample": [labels.SAMPLE_MARK if s else "" for s in milestones["is_sample"]],
    }).reset_index(drop=True)


MILESTONE_EDIT_COLUMNS = {
    # widths in px: the grid fits a 1366-px screen (878 px in all)
    "milestone_id": st.column_config.NumberColumn("编号", format="%d", disabled=True, width=48),
    "clause": st.column_config.TextColumn("条款", disabled=True, width=70),
    "title": st.column_config.TextColumn("节点", required=True, width=175),
    "due_date": st.column_config.DateColumn("截止日期", format="YYYY-MM-DD", required=True, width=95),
    "units": st.column_config.TextColumn("责任单位（用“、”分隔）", required=True, width=125),
    "status": st.column_config.SelectboxColumn("状态", options=list(labels.MILESTONE_STATUSES.values()),
                                               required=True, width=75),
    "evidence": st.column_config.TextColumn("佐证材料", width=120),
    "completed_on": st.column_config.DateColumn("完成日期", format="YYYY-MM-DD", width=95),
    "is_sample": st.column_config.TextColumn("数据", disabled=True, width=75),
}


def milestone_changes(before: pd.DataFrame, after: pd.DataFrame, versions: dict[int, int]) -> list[dict]:
    """The edited rows of the grid as update_milestones changes (with the versions the grid was opened with)."""
    changes = []
    for (_, old), (_, new) in zip(before.iterrows(), after.iterrows()):
        fields = {}
        for col in ("title", "due_date", "evidence", "completed_on"):
            o, n = old[col], new[col]
            if not (is_missing(o) and is_missing(n)) and o != n:
                fields[col] = None if is_missing(n) else n
        if old["units"] != new["units"]:
            fields["units"] = [u.strip() for u in str(new["units"] or "").replace(",", "、").split("、") if u.strip()]
        if old["status"] != new["status"]:
            fields["status"] = labels.MILESTONE_STATUS_BY_LABEL.get(new["status"], new["status"])
        if fields:
            mid = int(new["milestone_id"])
            changes.append({"milestone_id": mid, "expected_version": versions[mid], **fields})
    return changes
