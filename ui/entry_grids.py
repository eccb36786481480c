"""What the tabs of 数据填报 show: which indicators a tab lists (the list its template holds), the rows a grid opens
with (kept until saved or refreshed: their versions are what the save compares against), the grids' columns at
widths that fit a 1366-pixel laptop, the read-only table and its one-line reason, and the template download."""
from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date

import pandas as pd
import streamlit as st

import ui
from access import guard
from access.permissions import may_write_any
from dataio import exporter, grid, template, unit_grid
from dataio.indicator_lists import entry_indicators
from ui import evidence as evidence_ui
from ui import tables
from vocab import labels
from vocab.accounts import Account
from vocab.text import md_escape

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EDIT_PLACEHOLDER = ""     # an empty cell of an editable grid reads empty (never “None”)
READ_PLACEHOLDER = "—"
# pixel widths: every column of 本单位填报 on screen at 1366 px (the main area is about 900 px wide)
HISTORY_WIDTHS = {"日期": 88, "状态": 60, "进展": 330, "佐证材料": 120, "材料文件": 64, "填报人": 110, "数据性质": 72}
UNIT_WIDTHS = {"name": 290, "unit": 44, "allowed": 92, "last": 104, "value": 80, "source": 180, "note": 96,
               "data_status": 84, "released_on": 100}


def is_editor(who: Account | None) -> bool:
    """A department's clerk (its lists are its departments'; inspectors and admins see every department's)."""
    return who is not None and who.role == "editor"


def listed_indicators(policy: str, who: Account | None, scope: guard.Scope,
                      departments: list[str] | None = None) -> list[str]:
    """dataio.indicator_lists.entry_indicators for the page: a clerk's own departments' (what it may write), else the
    policy's or the given departments'."""
    c = ui.catalogue_frames()
    if is_editor(who):
        return entry_indicators(c["indicators"], c["targets"], policy,
                                departments=departments or list(who.departments), writable=scope.indicators)
    return entry_indicators(c["indicators"], c["targets"], policy, departments=departments)


def read_only_reason(who: Account | None, scope: guard.Scope, region: str) -> str:
    """Why this account sees the region's values read-only, in one line, Markdown-escaped (it names the login);
    '' when it may write them."""
    if who is None:
        return "只读：登录填报账号后可以修改。"
    if not may_write_any(who):
        return "只读：查看账号不能填报或修改。"
    if region not in scope.regions:
        return md_escape(f"只读：{guard.region_refusal(scope, who, region)}。")
    return ""


def read_only(table: pd.DataFrame, columns: dict, key: str) -> None:
    """A grid's rows as a read-only table (no pencil icons), every row shown, empty cells as —."""
    st.dataframe(table[list(columns)], hide_index=True, width="stretch", key=key, column_config=columns,
                 height=tables.table_height(table, len(table)), placeholder=READ_PLACEHOLDER)


def kept(key: str, build: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """The rows a grid opened with, kept under key until a save or a refresh forgets them."""
    if key not in st.session_state:
        st.session_state[key] = build()
    return st.session_state[key]


def indicator_base_key(region: str, code: str) -> str:
    return f"entry_base/{region}/{code}"


def indicator_base(policy: str, region: str, indicator: pd.Series) -> pd.DataFrame:
    """逐项填报's rows (dataio.grid.grid_frame) for one region and indicator, kept."""
    return kept(indicator_base_key(region, indicator["code"]), lambda: grid.grid_frame(
        ui.frames(policy, region)["observations"], region, indicator["code"], indicator["stages"]))


def unit_base_key(region: str, department: str, period: str) -> str:
    return f"unit_base/{region}/{department}/{period}"


def unit_base(policy: str, region: str, department: str, codes: list[str], year: int, quarter: int) -> pd.DataFrame:
    """本单位填报's rows (dataio.unit_grid.unit_grid_frame), kept."""
    key = unit_base_key(region, department, unit_grid.period_text(year, quarter))
    return kept(key, lambda: unit_grid.unit_grid_frame(ui.catalogue_frames()["indicators"],
                                                       ui.frames(policy, region)["observations"], region, codes,
                                                       year, quarter))


def vintage_columns() -> dict:
    """数据状态 (a drop-down of the words) and 发布日期 (a date); blank keeps the stored value's vintage."""
    return {"data_status": st.column_config.SelectboxColumn(
                labels.VINTAGE_COLUMNS["data_status"], options=list(labels.DATA_STATUSES.values()),
                help="预计 / 初步 / 核实 / 修订：新的数据状态或发布日期另存为新版本，不覆盖原数值"),
            "released_on": st.column_config.DateColumn(labels.VINTAGE_COLUMNS["released_on"], format="YYYY-MM-DD",
                                                       max_value=date.today(), help="数据公开发布的日期，可不填")}


def indicator_columns() -> dict:
    """逐项填报's columns."""
    c = st.column_config
    return {"period": c.TextColumn("期间", required=True), "value": c.TextColumn("数值", required=True),
            "source": c.TextColumn("来源", width="large", required=True), "note": c.TextColumn("备注"),
            **vintage_columns()}


def unit_columns(vintages: bool) -> dict:
    """本单位填报's columns at UNIT_WIDTHS: with the vintage columns (数据状态, 发布日期) instead of the reference
    columns (允许范围, 上期数值) when the clerk marks vintages, so that every column fits the screen."""
    shown = [c for c in unit_grid.UNIT_GRID_COLUMNS
             if (c not in labels.VINTAGE_COLUMNS or vintages) and (c not in unit_grid.REFERENCE or not vintages)]
    configs = {**{c: st.column_config.TextColumn(label) for c, label in unit_grid.UNIT_GRID_COLUMNS.items()},
               **vintage_columns()}
    for name in shown:
        configs[name]["width"] = UNIT_WIDTHS[name]
    return {name: configs[name] for name in shown}


def template_download(policy: str, region: str, codes: list[str], years: tuple[int, int], *, department: str = "",
                      key: str, label: str = "下载填报模板") -> None:
    """The template of exactly these indicators (the list the tab shows), its count in the button's words; built
    when the button is clicked, from the data as they are then."""
    first, last = years
    unit = f"·{department}" if department else ""
    data = functools.partial(template.build_template, ui.engine(), policy, region, range(first, last + 1),
                             indicators=list(codes), department=department)
    st.download_button(f"{label}（{region}{unit}，{len(codes)} 个指标，{first}—{last}年）", data,
                       file_name=f"填报模板_{region}{'_' + department if department else ''}.xlsx", key=key,
                       mime=XLSX_MIME)


@st.cache_data(show_spinner=False, max_entries=2)
def export_bytes(version: int) -> bytes:
    """The export of everything, rebuilt for every data version (a download never serves an older state)."""
    return exporter.export_workbook(ui.engine())


def progress_history(policy: str, clause: str, who: Account | None) -> None:
    """A task's progress reports, newest first, with their files (downloads for logged-in accounts)."""
    history = ui.catalogue_frames()["progress"].query("policy == @policy and clause == @clause").sort_values(
        "reported_on", ascending=False)
    ui.sample_banner(bool(history["is_sample"].astype(bool).any()))
    files = evidence_ui.owned(evidence_ui.attachments(), "task_progress", history["id"])
    counts = files["owner_id"].astype(int).value_counts()
    table = pd.DataFrame({
        "日期": history["reported_on"].astype(str), "状态": history["status"].map(labels.TASK_STATUSES),
        "进展": history["progress"], "佐证材料": history["evidence"],
        "材料文件": [f"{int(counts.get(int(i), 0))} 件" if counts.get(int(i)) else "—" for i in history["id"]],
        "填报人": history["reported_by"],
        "数据性质": history["is_sample"].astype(bool).map({True: labels.SAMPLE_MARK, False: "正式填报"})})
    st.dataframe(table, hide_index=True, width="stretch", height=tables.table_height(table, 12),
                 column_config={c: st.column_config.Column(width=w) for c, w in HISTORY_WIDTHS.items()},
                 placeholder=READ_PLACEHOLDER)
    evidence_ui.flash()
    evidence_ui.file_list(files, who, "progress_evidence", title="本任务的佐证材料文件")
