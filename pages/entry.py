"""数据填报: values in a grid, task progress, Excel template/upload/export. Every write is validated, previewed,
confirmed, compare-and-set against what the user saw, and audited."""
from datetime import date

import pandas as pd
import streamlit as st

import db
import ui
from dataio import exporter, grid, importer, template
from dataio.validate import Rules, problems_frame, validate_entries
from views import labels


@st.cache_data(show_spinner=False)
def template_bytes(version: int, policy: str, region: str, first: int, last: int) -> bytes:
    return template.build_template(ui.engine(), policy, region, range(first, last + 1))


@st.cache_data(show_spinner=False, max_entries=2)
def export_bytes(version: int) -> bytes:
    """The export of everything, rebuilt for every data version (a download never serves an older state)."""
    return exporter.export_workbook(ui.engine())


def flash() -> None:
    """The outcome of the last save, shown once after the page reloads with fresh data."""
    message = st.session_state.pop("entry_flash", None)
    if message:
        st.success(message, icon=":material/check_circle:")


def grid_base(policy: str, region: str, indicator: pd.Series) -> pd.DataFrame:
    """The values the user sees when the grid opens, kept until saved or refreshed: their versions are what
    the save compares against, so a value changed meanwhile by someone else is never overwritten."""
    key = f"entry_base/{region}/{indicator['code']}"
    if key not in st.session_state:
        st.session_state[key] = grid.grid_frame(ui.frames(policy, region)["observations"], region, indicator["code"], indicator["stages"])
    return st.session_state[key]


def show_problems(problems) -> None:
    st.error(f"发现 {len(problems)} 处问题，未写入任何数据。请改正后重试：", icon=":material/error:")
    st.dataframe(problems_frame(problems), hide_index=True, width="stretch")


def save(plan: pd.DataFrame, who: str, reason: str, clear: list[str], progress: pd.DataFrame | None = None,
         raise_conflict: bool = False) -> None:
    """Apply a confirmed plan; on success reload with fresh data, on a concurrent edit say so (or raise it)."""
    try:
        counts = importer.apply_plan(ui.engine(), plan, who=who, reason=reason, progress=progress)
    except db.ConcurrentEditError as exc:
        if raise_conflict:
            raise
        st.error(str(exc), icon=":material/error:")
        return
    for key in clear:
        st.session_state.pop(key, None)
    extra = f"，任务进展 {counts['progress']} 条" if counts["progress"] else ""
    st.session_state["entry_flash"] = f"已保存：新增 {counts['created']} 条，修改 {counts['updated']} 条{extra}。"
    st.session_state["entry_grid_nonce"] = st.session_state.get("entry_grid_nonce", 0) + 1
    st.rerun()


def grid_tab(policy: str, region: str, who: str) -> None:
    catalogue = ui.catalogue_frames()
    inds = catalogue["indicators"]
    names = {r.code: f"{r.area} · {r.name}（{r.unit}）" for r in inds.itertuples()}
    code = st.selectbox("指标", list(names), format_func=names.get, key="entry_indicator")
    indicator = inds.set_index("code").loc[code].copy()
    indicator["code"] = code
    base = grid_base(policy, region, indicator)
    ui.sample_banner(bool(base["is_sample"].any()))
    hint = ("百分比指标填 0—100 之间的数，如 3.8 或 3.8%" if indicator["unit"] == "%" else
            f"阶段填写：{'、'.join(indicator['stages'])}" if indicator["stages"] else f"单位：{indicator['unit']}")
    st.caption(f"{region} · {hint} · 期间填 2020 或 2020Q3 · 来源必填 · 在表格末行添加新的期间")
    nonce = st.session_state.get("entry_grid_nonce", 0)
    edited = st.data_editor(
        base[list(grid.GRID_COLUMNS)], num_rows="add", hide_index=True, width="stretch",
        key=f"grid/{region}/{code}/{nonce}",
        column_config={"period": st.column_config.TextColumn("期间", required=True),
                       "value": st.column_config.TextColumn("数值", required=True),
                       "source": st.column_config.TextColumn("来源", width="large", required=True),
                       "note": st.column_config.TextColumn("备注")})
    if base["is_sample"].any():
        st.caption(f"{labels.SAMPLE_MARK}：" + "、".join(base.loc[base["is_sample"], "period"])
                   + " 的数值为示例数据；填入真实数值和来源后即替换为正式数据。")
    c1, c2 = st.columns([1, 5])
    if c2.button("放弃修改并刷新", key="entry_refresh"):
        st.session_state.pop(f"entry_base/{region}/{code}", None)
        st.session_state.pop("entry_plan", None)
        st.session_state["entry_grid_nonce"] = nonce + 1
        st.rerun()
    if c1.button("检查并预览", type="primary", key="entry_check", disabled=not who):
        entries = grid.grid_entries(base, edited, region, code)
        clean, problems = validate_entries(entries, Rules.from_frames(inds, catalogue["regions"], catalogue["policies"]))
        if problems:
            st.session_state.pop("entry_plan", None)
            show_problems(problems)
        elif not clean:
            st.info("没有修改。")
        else:
            seen = grid.seen_versions(base, region, code)
            st.session_state["entry_plan"] = (region, code, importer.plan_changes(ui.engine(), clean, seen))
    pending = st.session_state.get("entry_plan")
    if pending and pending[:2] == (region, code):
        plan = pending[2]
        st.markdown("**将要保存的修改（原值 → 新值）**")
        st.dataframe(importer.preview_frame(plan), hide_index=True, width="stretch")
        if st.button("确认保存", type="primary", key="entry_confirm", disabled=not who):
            save(plan, who, "数据填报", [f"entry_base/{region}/{code}", "entry_plan"])


def progress_tab(policy: str, who: str) -> None:
    catalogue = ui.catalogue_frames()
    tasks = catalogue["tasks"].query("policy == @policy")
    titles = dict(zip(tasks["clause"], tasks["clause"] + " " + tasks["title"]))
    clause = st.selectbox("重点任务", list(titles), format_func=titles.get, key="progress_task")
    task = tasks.set_index("clause").loc[clause]
    st.caption(f"牵头单位：{task['lead'] or '—'} · 责任单位：{task['responsible'] or '—'} · 完成时限：{task['due_date']}")
    history = catalogue["progress"].query("policy == @policy and clause == @clause").sort_values("reported_on",
                                                                                        ascending=False)
    ui.sample_banner(bool(history["is_sample"].astype(bool).any()))
    st.dataframe(pd.DataFrame({
        "日期": history["reported_on"].astype(str), "状态": history["status"].map(labels.TASK_STATUSES),
        "进展": history["progress"], "佐证材料": history["evidence"], "填报人": history["reported_by"],
        "数据性质": history["is_sample"].astype(bool).map({True: labels.SAMPLE_MARK, False: "正式填报"})}),
        hide_index=True, width="stretch")
    choices = [k for k in labels.TASK_STATUSES if k != "overdue"]
    with st.form("progress_form", clear_on_submit=True):
        status = st.selectbox("状态", choices, format_func=labels.TASK_STATUSES.get, index=1, key="progress_status")
        text = st.text_area("进展情况", key="progress_text", placeholder="做了什么、到了哪一步")
        evidence = st.text_input("佐证材料 / 链接", key="progress_evidence", placeholder="文件名、文号或链接")
        reported_on = st.date_input("报告日期", value=date.today(), key="progress_date")
        reported_by = st.text_input("报告单位 / 人", key="progress_by", placeholder=f"留空则为填报人{who}")
        submitted = st.form_submit_button("提交进展", type="primary", disabled=not who)
    if submitted:
        if not text.strip():
            st.error("请填写进展情况：做了什么、到了哪一步。", icon=":material/error:")
            return
        db.add_progress(ui.engine(), policy, clause, status=status, progress=text.strip(), evidence=evidence.strip(),
                        reported_on=reported_on, reported_by=reported_by.strip() or who, who=who)
        st.session_state["entry_flash"] = f"已记录任务 {clause} 的进展（{labels.TASK_STATUSES[status]}）。"
        st.rerun()


def check_upload(upload, who: str) -> None:
    """Check the uploaded file against the store now and keep the plan that the page will show."""
    result = importer.import_workbook(ui.engine(), upload.getvalue(), who=who or "?", dry_run=True)
    st.session_state["upload_check"] = (upload.file_id, result)


def confirm_upload(upload, result, who: str) -> None:
    """Write the plan that was shown; when anything changed since the preview, refuse, check again and show the
    new preview with a message (never write a plan the user has not seen)."""
    try:
        save(result.plan, who, f"Excel 导入：{upload.name}", ["upload_check"], result.progress, raise_conflict=True)
    except db.ConcurrentEditError as exc:
        check_upload(upload, who)
        st.session_state["upload_conflict"] = (f"未导入：预览之后数据已被他人修改（{exc}）。下方是按最新数据重新生成的"
                                               "预览，请核对后再确认导入。")
        st.rerun()


def excel_tab(policy: str, region: str, who: str) -> None:
    st.markdown("**1. 下载填报模板**：每个领域一张表，指标为行、年份为列，“来源”必填。")
    p = ui.catalogue_frames()["policies"].set_index("code").loc[policy]
    first, last = st.select_slider("模板年份", options=list(range(int(p["track_from"]), int(p["track_to"]) + 1)),
                                   value=(int(p["base_year"]), int(p["end_year"])), key="template_years")
    st.download_button(f"下载填报模板（{region}，{first}—{last}年）",
                       template_bytes(ui.data_version(), policy, region, first, last),
                       file_name=f"填报模板_{region}.xlsx", key="template_download",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    st.markdown("**2. 上传填好的模板或长表**（地区、指标、期间、数值、来源）：先检查，确认后一次写入；有任何错误则全部不写入。")
    upload = st.file_uploader("上传 Excel 文件", type=["xlsx", "xlsm", "xls"], key="entry_upload")
    if upload is not None:
        # the plan checked once per file and kept: the confirm writes exactly this plan (with the versions it saw)
        if st.session_state.get("upload_check", (None,))[0] != upload.file_id:
            check_upload(upload, who)
        result = st.session_state["upload_check"][1]
        if message := st.session_state.pop("upload_conflict", None):
            st.warning(message, icon=":material/sync_problem:")
        if not result.ok:
            show_problems(result.problems)
        else:
            ui.sample_banner(bool(result.plan["is_sample"].any()))
            st.info(f"检查通过：{result.summary()}。", icon=":material/search:")
            st.dataframe(importer.preview_frame(result.plan), hide_index=True, width="stretch")
            if len(result.progress):
                st.dataframe(importer.progress_preview_frame(result.progress), hide_index=True, width="stretch")
            changes = result.counts()["new"] + result.counts()["update"] + result.new_progress()
            if st.button("确认导入", type="primary", key="upload_confirm", disabled=not who or not changes):
                confirm_upload(upload, result, who)
    st.markdown("**3. 导出全部数据**：观测值（含来源、示例数据标记）、任务及进展、修改记录。")
    if st.button("生成导出文件", key="export_build"):
        st.session_state["export_wanted"] = True
    if st.session_state.get("export_wanted"):
        st.download_button("下载导出文件", export_bytes(ui.data_version()), file_name="督导看板数据导出.xlsx",
                           key="export_download",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


filters = ui.sidebar_filters()
who = ui.current_user()
st.title(labels.ENTRY_PAGE_TITLES["entry"])
flash()
if not who:
    st.warning(labels.NO_USER, icon=":material/edit:")
grid_box, progress_box, excel_box = st.tabs(["逐项填报", "任务进展", "Excel 导入导出"])
with grid_box:
    grid_tab(filters.policy, filters.region, who)
with progress_box:
    progress_tab(filters.policy, who)
with excel_box:
    excel_tab(filters.policy, filters.region, who)
