"""Export everything to one .xlsx: observations with every vintage (a long table the importer reads back), tasks
and their units, task progress and the audit log. Sample values are marked 示例数据 in their own column and on the
first sheet."""
from __future__ import annotations

import io
import json
from datetime import datetime

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlalchemy.engine import Engine

import db
from vocab import labels
from vocab.text import clean_text, looks_like_formula

HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
OBSERVATION_SHEET = "观测值"
CURRENT_COLUMN = "当前值"  # 否: an earlier vintage (a first release its revision replaced)


def observations_sheet(engine: Engine) -> pd.DataFrame:
    """Observations as the long table the importer accepts (地区, 指标, 指标代码, 单位, 期间, 数值, 来源, 备注, 示例数据,
    数据状态, 发布日期): every vintage, per key oldest first and the current value last, so that importing it
    rebuilds the same current values and history; then, read back as information only, 当前值 (是/否), who
    recorded it, when, and the version."""
    obs = db.read_vintages(engine)
    inds = db.read_indicators(engine)[["code", "name", "unit"]]
    obs = obs.merge(inds, left_on="indicator", right_on="code", how="left")
    return pd.DataFrame({
        "地区": obs["region"], "指标": obs["name"], "指标代码": obs["indicator"], "单位": obs["unit"],
        "期间": obs["period"], "数值": obs["value"].astype(float), "来源": obs["source"], "备注": obs["note"],
        labels.SAMPLE_MARK: obs["is_sample"].map({True: "是", False: "否"}),
        labels.VINTAGE_COLUMNS["data_status"]: obs["data_status"].map(labels.data_status_text),
        labels.VINTAGE_COLUMNS["released_on"]: [None if pd.isna(d) else d.date() for d in obs["released_on"]],
        CURRENT_COLUMN: obs["is_current"].map({True: "是", False: "否"}),
        "录入人": obs["recorded_by"], "录入时间": obs["recorded_at"].map(_time_text), "版本": obs["version"],
    })


def _time_text(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return pd.Timestamp(value).strftime("%Y-%m-%d %H:%M:%S")


def _json(value) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, default=str)


def export_frames(engine: Engine) -> dict[str, pd.DataFrame]:
    """Every sheet of the export, by sheet name."""
    tasks = db.read_tasks(engine)
    units = db.read_task_units(engine)
    progress = db.read_progress(engine)
    audit = db.read_audit(engine)
    return {
        OBSERVATION_SHEET: observations_sheet(engine),
        "任务": pd.DataFrame({"政策": tasks["policy"], "条款": tasks["clause"], "任务": tasks["title"],
                            "牵头单位": tasks["lead"], "责任单位": tasks["responsible"],
                            "完成时限": tasks["due_date"].astype(str)}),
        "任务单位": pd.DataFrame({"政策": units["policy"], "条款": units["clause"],
                              "角色": units["role"].map(labels.UNIT_ROLE_LABELS), "单位": units["department"],
                              "文件原文写法": units["display_name"]}),
        "任务进展": pd.DataFrame({"政策": progress["policy"], "条款": progress["clause"],
                              "状态": progress["status"].map(labels.TASK_STATUSES), "进展": progress["progress"],
                              "佐证材料": progress["evidence"], "报告日期": progress["reported_on"].astype(str),
                              "填报人": progress["reported_by"],
                              labels.SAMPLE_MARK: progress["is_sample"].astype(bool).map({True: "是", False: "否"})}),
        "修改记录": pd.DataFrame({"编号": audit["id"], "时间": audit["at"].map(_time_text), "操作人": audit["who"],
                              "操作": audit["action"], "对象": audit["entity"], "键": audit["entity_key"],
                              "原值": audit["old"].map(_json), "新值": audit["new"].map(_json),
                              "来源": audit["source"], "原因": audit["reason"],
                              "撤销的记录": audit["reverts_id"].astype("Int64")}),
    }


def export_workbook(engine: Engine) -> bytes:
    """The whole store as .xlsx bytes: 说明, 观测值, 任务, 任务单位, 任务进展, 修改记录."""
    frames = export_frames(engine)
    every = frames[OBSERVATION_SHEET]
    obs = every.loc[every[CURRENT_COLUMN] == "是"]
    n_sample = int((obs[labels.SAMPLE_MARK] == "是").sum())
    n_earlier = len(every) - len(obs)
    wb = Workbook()
    info = wb.active
    info.title = "说明"
    lines = [f"{labels.APP_TITLE} · 数据导出", f"导出时间：{datetime.now():%Y-%m-%d %H:%M}",
             f"观测值 {len(obs)} 条，其中{labels.SAMPLE_MARK} {n_sample} 条（“{labels.SAMPLE_MARK}”列为“是”）"
             + (f"；另有较早版次 {n_earlier} 条（“{CURRENT_COLUMN}”列为“否”：被修订数等取代的初步数）" if n_earlier else "")
             + "。",
             labels.SAMPLE_BANNER if n_sample else "",
             f"“{OBSERVATION_SHEET}”表可直接用 python cli.py import 或“数据填报”页再导入（其余各表仅供查阅）。"]
    for i, text in enumerate(lines, start=1):
        info.cell(row=i, column=1, value=clean_text(text))
    info["A1"].font = Font(bold=True, size=14)
    if n_sample:
        info["A4"].font = Font(bold=True, color="C00000")
    info.column_dimensions["A"].width = 110
    for name, df in frames.items():
        _write_sheet(wb.create_sheet(name), df)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _write_sheet(ws, df: pd.DataFrame) -> None:
    ws.append(list(df.columns))
    for cell in ws[1]:
        cell.font, cell.fill = Font(bold=True), HEAD_FILL
    for r, row in enumerate(df.itertuples(index=False), start=2):
        for c, v in enumerate(row, start=1):
            if v is pd.NA or v is None or (isinstance(v, float) and pd.isna(v)):
                continue
            if isinstance(v, str):
                v = clean_text(v, multiline=True)  # whatever is stored: a workbook cannot hold control characters
            cell = ws.cell(row=r, column=c, value=v)
            if isinstance(v, str) and cell.data_type != "s":
                cell.data_type = "s"  # text such as '=A1' or '#N/A' stays text, never a formula or an error
            if looks_like_formula(v):
                # Excel's own leading apostrophe (quotePrefix): shown as typed, never run even when the cell is
                # edited, and the value itself is unchanged, so the export still re-imports as it was stored
                cell.quotePrefix = True
    for i, col in enumerate(df.columns, start=1):
        longest = max([len(str(col))] + [len(str(v)) for v in df[col].head(200)])
        ws.column_dimensions[get_column_letter(i)].width = min(max(8, longest * 1.6), 60)
    ws.freeze_panes = "A2"
