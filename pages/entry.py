"""数据填报: values in a grid (one indicator, or 本单位填报: every indicator of a department for one period), task
progress, Excel template/upload/export. Every write is validated, previewed, confirmed and compare-and-set against
what the user saw (ui.confirm_flow), written through access.guard (the logged-in account's role and departments) and
audited; viewers, visitors and a region the account may not write get read-only tables."""
from datetime import date

import streamlit as st

import ui
from access import evidence as access_evidence
from access import guard
from access.permissions import ALL_DEPARTMENT_ROLES, may_write_any
from dataio import grid, importer, unit_grid
from dataio.limits import MAX_UPLOAD_MB
from dataio.validate import Rules
from ui import confirm_flow, entry_grids, tables
from ui import evidence as evidence_ui
from ui.confirm_flow import ConfirmFlow
from ui.uploads import file_picker
from vocab import labels
from vocab.accounts import Account
from vocab.periods import period_label
from vocab.text import md_escape

TABS = ("逐项填报", "本单位填报", "任务进展", "Excel 导入导出")


def rules() -> Rules:
    c = ui.catalogue_frames()
    return Rules.from_frames(c["indicators"], c["regions"], c["policies"])


def grid_tab(policy: str, region: str, who: Account | None, scope: guard.Scope) -> None:
    inds = ui.catalogue_frames()["indicators"].set_index("code")
    codes = entry_grids.listed_indicators(policy, who, scope)
    if not codes:
        st.info("本账号所在单位没有需要填报的目标指标。", icon=":material/info:")
        return
    names = {c: f"{inds.loc[c, 'area']} · {inds.loc[c, 'name']}（{inds.loc[c, 'unit']}）" for c in codes}
    code = st.selectbox("指标", codes, format_func=names.get, key="entry_indicator")
    indicator = inds.loc[code].copy()
    indicator["code"] = code
    base = entry_grids.indicator_base(policy, region, indicator)
    ui.sample_banner(bool(base["is_sample"].any()))
    hint = ("百分比指标填 0—100 之间的数，如 3.8 或 3.8%" if indicator["unit"] == "%" else
            f"阶段填写：{'、'.join(indicator['stages'])}" if indicator["stages"] else f"单位：{indicator['unit']}")
    if reason := entry_grids.read_only_reason(who, scope, region):
        st.caption(f"{region} · {hint} · {reason}")
        entry_grids.read_only(base, entry_grids.indicator_columns(), key="entry_read_only")
        return
    st.caption(f"{region} · {hint} · 期间填 2020 或 2020年第三季度 · 来源必填 · 在表格末行添加新的期间")
    edited = st.data_editor(
        base[list(grid.GRID_COLUMNS)], num_rows="add", hide_index=True, width="stretch",
        key=f"grid/{region}/{code}/{confirm_flow.nonce()}", column_config=entry_grids.indicator_columns(),
        placeholder=entry_grids.EDIT_PLACEHOLDER)
    if base["is_sample"].any():
        st.caption(f"{labels.SAMPLE_MARK}：" + "、".join(base.loc[base["is_sample"], "period"])
                   + " 的数值为示例数据；填入真实数值和来源后即替换为正式数据。")
    flow, kept = ConfirmFlow("entry_plan", (region, code)), entry_grids.indicator_base_key(region, code)
    check_col, refresh_col = st.columns([1, 5])
    if refresh_col.button("放弃修改并刷新", key="entry_refresh"):
        confirm_flow.fresh_grids(kept, flow.name)
    if check_col.button("检查并预览", type="primary", key="entry_check"):
        flow.check_entries(grid.grid_entries(base, edited, region, code), rules(),
                           grid.seen_versions(base, region, code))
    flow.review(who, "数据填报", key="entry_confirm", forget=[kept])


def unit_tab(policy: str, region: str, who: Account | None, scope: guard.Scope, as_of_year: int) -> None:
    """本单位填报: every indicator of one department for one chosen year or quarter, one screen and one save."""
    p = ui.catalogue_frames()["policies"].set_index("code").loc[policy]
    c1, c2, c3 = st.columns([2, 1, 1])
    units = list(who.departments) if entry_grids.is_editor(who) else ui.unit_options(policy)
    department = c1.selectbox("单位", units, key="unit_department")
    years = list(range(int(p["track_to"]), int(p["track_from"]) - 1, -1))
    year = c2.selectbox("年份", years, index=years.index(as_of_year) if as_of_year in years else 0,
                        key="unit_year", format_func=lambda y: f"{y}年")
    quarter = c3.selectbox("期间", [0, 1, 2, 3, 4], key="unit_quarter",
                           format_func=lambda q: "全年" if not q else f"第{'一二三四'[q - 1]}季度（累计）")
    codes = entry_grids.listed_indicators(policy, who, scope, [department])
    if not codes:
        st.info(f"{department}没有牵头或参与的目标指标。", icon=":material/info:")
        return
    period = unit_grid.period_text(year, quarter)
    base = entry_grids.unit_base(policy, region, department, codes, year, quarter)
    ui.sample_banner(bool(base["is_sample"].any()))
    reason = entry_grids.read_only_reason(who, scope, region)
    st.caption(f"{region} · {department} · {period_label(year, quarter)} · 共 {len(base)} 个指标 · "
               + (reason or "只填写本期数值、来源和备注；留空的指标不保存 · 来源必填"))
    vintages = st.toggle("标注数据状态和发布日期（统计公报初步数、修订数等）", key="unit_vintages",
                         help="打开后表格显示“数据状态”“发布日期”两列（暂不显示允许范围和上期数值）")
    columns = entry_grids.unit_columns(vintages)
    if reason:
        entry_grids.read_only(base, columns, key="unit_read_only")
    else:
        kept = entry_grids.unit_base_key(region, department, period)
        edited = st.data_editor(
            base[list(unit_grid.UNIT_GRID_COLUMNS)], num_rows="fixed", hide_index=True, width="stretch",
            key=f"unit_grid/{kept}/{confirm_flow.nonce()}", column_order=list(columns), column_config=columns,
            disabled=[c for c in unit_grid.UNIT_GRID_COLUMNS if c not in unit_grid.EDITABLE],
            height=tables.table_height(base, len(base)), placeholder=entry_grids.EDIT_PLACEHOLDER)
        flow = ConfirmFlow("unit_plan", kept)
        check_col, refresh_col = st.columns([1, 5])
        if refresh_col.button("放弃修改并刷新", key="unit_refresh"):
            confirm_flow.fresh_grids(kept, flow.name)
        if check_col.button("检查并预览", type="primary", key="unit_check"):
            flow.check_entries(unit_grid.unit_grid_entries(base, edited, region, year, quarter), rules(),
                               unit_grid.seen_versions(base, region, year, quarter))
        flow.review(who, f"本单位填报：{department} {period}", key="unit_confirm", forget=[kept])
    entry_grids.template_download(policy, region, codes, (int(p["base_year"]), int(p["end_year"])),
                                  department=department, key="unit_template_download",
                                  label=f"下载{department}的填报模板")


def report_day(policy: str, as_of_year: int) -> tuple[date, date, date]:
    """(default, earliest, latest) 报告日期: the end of the as-of year being reported (today at the latest)."""
    start = date(int(ui.catalogue_frames()["policies"].set_index("code").loc[policy, "start_year"]), 1, 1)
    return max(start, min(date(as_of_year, 12, 31), date.today())), start, date.today()


def progress_tab(policy: str, who: Account | None, scope: guard.Scope, as_of_year: int) -> None:
    tasks = ui.catalogue_frames()["tasks"].query("policy == @policy")
    if entry_grids.is_editor(who):
        tasks = tasks.loc[[(policy, c) in scope.tasks for c in tasks["clause"]]]
    if tasks.empty:
        st.info("本账号所在单位没有牵头或参与的重点任务。", icon=":material/info:")
        return
    titles = dict(zip(tasks["clause"], tasks["clause"] + " " + tasks["title"]))
    clause = st.selectbox("重点任务", list(titles), format_func=titles.get, key="progress_task")
    task = tasks.set_index("clause").loc[clause]
    st.caption(f"牵头单位：{task['lead'] or '—'} · 责任单位：{task['responsible'] or '—'} · 完成时限：{task['due_date']}")
    entry_grids.progress_history(policy, clause, who)
    if not may_write_any(who):
        st.caption(entry_grids.read_only_reason(who, scope, ""))
        return
    default, earliest, latest = report_day(policy, as_of_year)
    with st.form("progress_form"):  # cleared only after a successful save: a refused one keeps what was typed
        status = st.selectbox("状态", [k for k in labels.TASK_STATUSES if k != "overdue"], index=1,
                              format_func=labels.TASK_STATUSES.get, key="progress_status")
        text = st.text_area("进展情况", key="progress_text", placeholder="做了什么、到了哪一步")
        evidence = st.text_input("佐证材料 / 链接", key="progress_evidence", placeholder="文件名、文号或链接")
        reported_on = st.date_input("报告日期", value=default, min_value=earliest, max_value=latest,
                                    key=f"progress_date/{as_of_year}", format="YYYY-MM-DD",
                                    help="默认为所填报年度的年末（截至年份）")
        reported_by = st.text_input("报告单位 / 人", key="progress_by", placeholder="留空则为登录账号的显示名")
        uploads = evidence_ui.uploader(f"progress_files/{st.session_state.get('progress_files_nonce', 0)}")
        submitted = st.form_submit_button("提交进展", type="primary")
    if not submitted:
        return
    if not text.strip():
        st.error("请填写进展情况：做了什么、到了哪一步。", icon=":material/error:")
        return
    confirm_flow.attempt(
        lambda: access_evidence.add_progress_as(ui.engine(), who, policy, clause, status=status,
                                                progress=text.strip(), evidence=evidence.strip(),
                                                reported_on=reported_on, reported_by=reported_by.strip(),
                                                files=uploads),
        f"已记录任务 {clause} 的进展（{labels.TASK_STATUSES[status]}）"
        + (f"，佐证材料 {len(uploads)} 件。" if uploads else "。"),
        forget=("progress_text", "progress_evidence", "progress_by"), then=new_progress_uploader)


def new_progress_uploader() -> None:
    """A fresh uploader after a report was saved (a file uploader keeps its files otherwise)."""
    st.session_state["progress_files_nonce"] = st.session_state.get("progress_files_nonce", 0) + 1


def excel_tab(policy: str, region: str, who: Account | None, scope: guard.Scope) -> None:
    codes = entry_grids.listed_indicators(policy, who, scope)
    own = entry_grids.is_editor(who)
    st.markdown(f"**1. 下载填报模板**：每个领域一张表，指标为行、年份为列，“来源”必填；共 {len(codes)} 个指标"
                + ("（本单位牵头或参与的目标指标）" if own else "（与“逐项填报”所列指标相同）") + "。")
    p = ui.catalogue_frames()["policies"].set_index("code").loc[policy]
    years = st.select_slider("模板年份", options=list(range(int(p["track_from"]), int(p["track_to"]) + 1)),
                             value=(int(p["base_year"]), int(p["end_year"])), key="template_years")
    entry_grids.template_download(policy, region, codes, years, department="、".join(who.departments) if own else "",
                                  key="template_download")
    st.markdown("**2. 上传填好的模板或长表**（地区、指标、期间、数值、来源）：先检查，确认后一次写入；有任何错误则全部不写入。")
    if may_write_any(who):  # the regions are in the file: each row is checked against the account's scope
        upload_step(who)
    else:
        st.caption(entry_grids.read_only_reason(who, scope, region))
    st.markdown("**3. 导出全部数据**：观测值（含来源、示例数据标记）、任务及进展、修改记录。")
    if who is None:  # the export holds the whole audit log (who changed what): for logged-in accounts only
        st.info(labels.EXPORT_LOGIN, icon=":material/lock:")
        return
    if st.button("生成导出文件", key="export_build"):
        st.session_state["export_wanted"] = True
    if st.session_state.get("export_wanted"):
        st.download_button("下载导出文件", entry_grids.export_bytes(ui.data_version()), file_name="督导看板数据导出.xlsx",
                           key="export_download", mime=entry_grids.XLSX_MIME)


def upload_step(who: Account) -> None:
    """The upload, checked once per file and account (the plan kept: the confirm writes exactly what was shown)."""
    upload = file_picker("上传 Excel 或 CSV 文件", "entry_upload", types=["xlsx", "xlsm", "xls", "csv"],
                         caption=f"可上传 Excel（.xlsx）或 CSV（UTF-8 或 GBK 编码）文件，不超过 {MAX_UPLOAD_MB} MB。")
    if upload is None:
        return
    flow = ConfirmFlow("upload_check", (upload.file_id, who))

    def check() -> confirm_flow.Check:
        result = importer.import_workbook(ui.engine(), upload.getvalue(), account=who, dry_run=True, name=upload.name)
        return confirm_flow.upload_check(result, flow.owner)
    if flow.pending() is None:
        flow.keep(check())
    flow.review(who, f"Excel 导入：{upload.name}", key="upload_confirm", label="确认导入", recheck=check)


def account_notice(policy: str, who: Account | None, scope: guard.Scope) -> None:
    """What the logged-in account may do on this page (the login is user text: escaped for Markdown)."""
    if who is None:
        st.warning(labels.LOGIN_NEEDED, icon=":material/login:")
    elif not may_write_any(who):
        st.info(labels.VIEWER_ONLY, icon=":material/visibility:")
    elif who.role in ALL_DEPARTMENT_ROLES:
        st.caption(md_escape(f"账号{guard.account_text(who)}：可填报全部单位的指标和任务。"))
    else:
        tasks = sum(1 for p, _ in scope.tasks if p == policy)
        st.caption(md_escape(f"账号{guard.account_text(who)}：可填报 "
                             f"{len(entry_grids.listed_indicators(policy, who, scope))} 个指标、{tasks} 项任务"
                             f"（{'、'.join(who.departments)}牵头或参与的目标和任务）。"))


filters = ui.sidebar_filters()
who = ui.account()
scope = ui.write_scope(who)
st.title(labels.ENTRY_PAGE_TITLES["entry"])
confirm_flow.flash()
account_notice(filters.policy, who, scope)
role = who.role if who is not None else "visitor"
grid_box, unit_box, progress_box, excel_box = st.tabs(  # a clerk's day starts on its own department's grid
    TABS, default=TABS[1] if entry_grids.is_editor(who) else TABS[0], key=f"entry_tabs/{role}", on_change="rerun")
with grid_box:
    grid_tab(filters.policy, filters.region, who, scope)
with unit_box:
    unit_tab(filters.policy, filters.region, who, scope, filters.as_of_year)
with progress_box:
    progress_tab(filters.policy, who, scope, filters.as_of_year)
with excel_box:
    excel_tab(filters.policy, filters.region, who, scope)
