"""数据填报: values in a grid (one indicator, or 本单位填报: every indicator of a department for one period), task
progress, Excel template/upload/export. Every write goes through access.guard (the logged-in account's role and
departments), and is validated, previewed, confirmed, compare-and-set against what the user saw, and audited."""
import functools
from collections.abc import Callable
from datetime import date

import pandas as pd
import streamlit as st

import db
import ui
from access import evidence as access_evidence
from access import guard
from access.permissions import (
    ALL_DEPARTMENT_ROLES,
    department_indicators,
    may_write_any,
)
from dataio import exporter, grid, importer, template, unit_grid
from dataio.validate import Rules, problems_frame, validate_entries
from ui import evidence as evidence_ui
from vocab import labels
from vocab.accounts import Account, PermissionDenied
from vocab.text import md_escape


def template_file(policy: str, region: str, first: int, last: int, indicators: tuple[str, ...] | None = None,
                  department: str = "") -> Callable[[], bytes]:
    """The template as the download button's deferred data: built when the button is clicked, from the data as
    it is then, instead of on every run of the page."""
    return functools.partial(template.build_template, ui.engine(), policy, region, range(first, last + 1),
                             indicators=list(indicators) if indicators is not None else None, department=department)


@st.cache_data(show_spinner=False, max_entries=2)
def export_bytes(version: int) -> bytes:
    """The export of everything, rebuilt for every data version (a download never serves an older state)."""
    return exporter.export_workbook(ui.engine())


def flash() -> None:
    """The outcome of the last save, shown once after the page reloads with fresh data."""
    message = st.session_state.pop("entry_flash", None)
    if message:
        st.success(md_escape(message), icon=":material/check_circle:")


def grid_base(policy: str, region: str, indicator: pd.Series) -> pd.DataFrame:
    """The values the user sees when the grid opens, kept until saved or refreshed: their versions are what
    the save compares against, so a value changed meanwhile by someone else is never overwritten."""
    key = f"entry_base/{region}/{indicator['code']}"
    if key not in st.session_state:
        st.session_state[key] = grid.grid_frame(ui.frames(policy, region)["observations"], region, indicator["code"], indicator["stages"])
    return st.session_state[key]


def vintage_columns() -> dict:
    """数据状态 (a drop-down of the words) and 发布日期 (a date) in both grids; blank keeps the stored value's vintage."""
    return {"data_status": st.column_config.SelectboxColumn(
                labels.VINTAGE_COLUMNS["data_status"], options=list(labels.DATA_STATUSES.values()),
                help="预计 / 初步 / 核实 / 修订：新的数据状态或发布日期另存为新版本，不覆盖原数值"),
            "released_on": st.column_config.DateColumn(labels.VINTAGE_COLUMNS["released_on"], format="YYYY-MM-DD",
                                                       max_value=date.today(), help="数据公开发布的日期，可不填")}


def show_problems(problems) -> None:
    st.error(f"发现 {len(problems)} 处问题，未写入任何数据。请改正后重试：", icon=":material/error:")
    st.dataframe(problems_frame(problems), hide_index=True, width="stretch")


def save(plan: pd.DataFrame, who: Account | None, reason: str, clear: list[str],
         progress: pd.DataFrame | None = None, raise_conflict: bool = False) -> None:
    """Apply a confirmed plan through the guard; on success reload with fresh data, on a concurrent edit or a
    refused permission say so (nothing written), or raise the conflict for the caller to show a new preview."""
    try:
        counts = importer.apply_plan(ui.engine(), plan, account=who, reason=reason, progress=progress)
    except db.ConcurrentEditError as exc:
        if raise_conflict:
            raise
        st.error(md_escape(exc), icon=":material/error:")
        return
    except (PermissionDenied, ValueError) as exc:  # ValueError: importer.SaveError (the database refused)
        st.error(md_escape(exc), icon=":material/error:")
        return
    for key in clear:
        st.session_state.pop(key, None)
    extra = f"，任务进展 {counts['progress']} 条" if counts["progress"] else ""
    st.session_state["entry_flash"] = f"已保存：新增 {counts['created']} 条，修改 {counts['updated']} 条{extra}。"
    st.session_state["entry_grid_nonce"] = st.session_state.get("entry_grid_nonce", 0) + 1
    st.rerun()


def grid_tab(policy: str, region: str, who: Account | None, scope: guard.Scope) -> None:
    catalogue = ui.catalogue_frames()
    inds = catalogue["indicators"]
    writer = may_write_any(who)
    listed = inds.loc[inds["code"].isin(scope.indicators)] if writer else inds
    if listed.empty:
        st.info("本账号所在单位没有需要填报的目标指标。", icon=":material/info:")
        return
    names = {r.code: f"{r.area} · {r.name}（{r.unit}）" for r in listed.itertuples()}
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
                       "note": st.column_config.TextColumn("备注"), **vintage_columns()})
    if base["is_sample"].any():
        st.caption(f"{labels.SAMPLE_MARK}：" + "、".join(base.loc[base["is_sample"], "period"])
                   + " 的数值为示例数据；填入真实数值和来源后即替换为正式数据。")
    c1, c2 = st.columns([1, 5])
    if c2.button("放弃修改并刷新", key="entry_refresh"):
        st.session_state.pop(f"entry_base/{region}/{code}", None)
        st.session_state.pop("entry_plan", None)
        st.session_state["entry_grid_nonce"] = nonce + 1
        st.rerun()
    if c1.button("检查并预览", type="primary", key="entry_check", disabled=not writer):
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
        if st.button("确认保存", type="primary", key="entry_confirm", disabled=not writer):
            save(plan, who, "数据填报", [f"entry_base/{region}/{code}", "entry_plan"])


def progress_tab(policy: str, who: Account | None, scope: guard.Scope) -> None:
    catalogue = ui.catalogue_frames()
    tasks = catalogue["tasks"].query("policy == @policy")
    writer = may_write_any(who)
    if writer:
        tasks = tasks.loc[[(policy, c) in scope.tasks for c in tasks["clause"]]]
    if tasks.empty:
        st.info("本账号所在单位没有牵头或参与的重点任务。", icon=":material/info:")
        return
    titles = dict(zip(tasks["clause"], tasks["clause"] + " " + tasks["title"]))
    clause = st.selectbox("重点任务", list(titles), format_func=titles.get, key="progress_task")
    task = tasks.set_index("clause").loc[clause]
    st.caption(f"牵头单位：{task['lead'] or '—'} · 责任单位：{task['responsible'] or '—'} · 完成时限：{task['due_date']}")
    history = catalogue["progress"].query("policy == @policy and clause == @clause").sort_values("reported_on",
                                                                                        ascending=False)
    ui.sample_banner(bool(history["is_sample"].astype(bool).any()))
    files = evidence_ui.owned(evidence_ui.attachments(), "task_progress", history["id"])
    counts = files["owner_id"].astype(int).value_counts()
    st.dataframe(pd.DataFrame({
        "日期": history["reported_on"].astype(str), "状态": history["status"].map(labels.TASK_STATUSES),
        "进展": history["progress"], "佐证材料": history["evidence"],
        "材料文件": [f"{int(counts.get(int(i), 0))} 件" if counts.get(int(i)) else "—" for i in history["id"]],
        "填报人": history["reported_by"],
        "数据性质": history["is_sample"].astype(bool).map({True: labels.SAMPLE_MARK, False: "正式填报"})}),
        hide_index=True, width="stretch")
    evidence_ui.flash()
    evidence_ui.file_list(files, who, "progress_evidence", title="本任务的佐证材料文件")
    choices = [k for k in labels.TASK_STATUSES if k != "overdue"]
    start = date(int(catalogue["policies"].set_index("code").loc[policy, "start_year"]), 1, 1)
    with st.form("progress_form"):  # cleared only after a successful save: a refused one keeps what was typed
        status = st.selectbox("状态", choices, format_func=labels.TASK_STATUSES.get, index=1, key="progress_status")
        text = st.text_area("进展情况", key="progress_text", placeholder="做了什么、到了哪一步")
        evidence = st.text_input("佐证材料 / 链接", key="progress_evidence", placeholder="文件名、文号或链接")
        reported_on = st.date_input("报告日期", value=date.today(), min_value=start, max_value=date.today(),
                                    key="progress_date")
        reported_by = st.text_input("报告单位 / 人", key="progress_by",
                                    placeholder="留空则为登录账号的显示名")
        uploads = evidence_ui.uploader(f"progress_files/{st.session_state.get('progress_files_nonce', 0)}")
        submitted = st.form_submit_button("提交进展", type="primary", disabled=not writer)
    if submitted:
        if not text.strip():
            st.error("请填写进展情况：做了什么、到了哪一步。", icon=":material/error:")
            return
        try:
            with importer.database_errors():
                access_evidence.add_progress_as(ui.engine(), who, policy, clause, status=status,
                                                progress=text.strip(), evidence=evidence.strip(),
                                                reported_on=reported_on, reported_by=reported_by.strip(),
                                                files=uploads)
        except PermissionDenied as exc:
            st.error(md_escape(exc), icon=":material/lock:")
            return
        except ValueError as exc:  # a refused file, date or name, or importer.SaveError (database refused)
            st.error(md_escape(exc), icon=":material/error:")
            return
        for key in ("progress_text", "progress_evidence", "progress_by"):
            st.session_state.pop(key, None)
        st.session_state["progress_files_nonce"] = st.session_state.get("progress_files_nonce", 0) + 1
        attached = f"，佐证材料 {len(uploads)} 件" if uploads else ""
        st.session_state["entry_flash"] = f"已记录任务 {clause} 的进展（{labels.TASK_STATUSES[status]}）{attached}。"
        st.rerun()


def check_upload(upload, who: Account | None) -> None:
    """Check the uploaded file against the store now and keep the plan that the page will show."""
    result = importer.import_workbook(ui.engine(), upload.getvalue(), account=who, dry_run=True, name=upload.name)
    st.session_state["upload_check"] = ((upload.file_id, who), result)


def confirm_upload(upload, result, who: Account | None) -> None:
    """Write the plan that was shown; when anything changed since the preview, refuse, check again and show the
    new preview with a message (never write a plan the user has not seen)."""
    try:
        save(result.plan, who, f"Excel 导入：{upload.name}", ["upload_check"], result.progress, raise_conflict=True)
    except db.ConcurrentEditError as exc:
        check_upload(upload, who)
        st.session_state["upload_conflict"] = (f"未导入：预览之后数据已被他人修改（{exc}）。下方是按最新数据重新生成的"
                                               "预览，请核对后再确认导入。")
        st.rerun()


def excel_tab(policy: str, region: str, who: Account | None, scope: guard.Scope) -> None:
    writer = may_write_any(who)
    own = who is not None and who.role == "editor"
    st.markdown("**1. 下载填报模板**：每个领域一张表，指标为行、年份为列，“来源”必填。"
                + ("只含本单位的指标。" if own else ""))
    p = ui.catalogue_frames()["policies"].set_index("code").loc[policy]
    first, last = st.select_slider("模板年份", options=list(range(int(p["track_from"]), int(p["track_to"]) + 1)),
                                   value=(int(p["base_year"]), int(p["end_year"])), key="template_years")
    subset = tuple(sorted(scope.indicators)) if own else None
    unit = "、".join(who.departments) if own else ""
    st.download_button(f"下载填报模板（{region}{'·' + unit if unit else ''}，{first}—{last}年）",
                       template_file(policy, region, first, last, subset, unit),
                       file_name=f"填报模板_{region}{'_' + unit if unit else ''}.xlsx", key="template_download",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    st.markdown("**2. 上传填好的模板或长表**（地区、指标、期间、数值、来源；.xlsx 或 .csv，CSV 可为 UTF-8 或 GBK 编码）："
                "先检查，确认后一次写入；有任何错误则全部不写入。")
    upload = st.file_uploader("上传 Excel 或 CSV 文件", type=["xlsx", "xlsm", "xls", "csv"], key="entry_upload",
                              disabled=not writer)
    if upload is not None and writer:
        # the plan checked once per file and account and kept: the confirm writes exactly this plan (with the
        # versions it saw)
        if st.session_state.get("upload_check", (None,))[0] != (upload.file_id, who):
            check_upload(upload, who)
        result = st.session_state["upload_check"][1]
        if message := st.session_state.pop("upload_conflict", None):
            st.warning(md_escape(message), icon=":material/sync_problem:")
        if not result.ok:
            show_problems(result.problems)
        else:
            ui.sample_banner(bool(result.plan["is_sample"].any()))
            st.info(f"检查通过：{result.summary()}。", icon=":material/search:")
            st.dataframe(importer.preview_frame(result.plan), hide_index=True, width="stretch")
            if len(result.progress):
                st.dataframe(importer.progress_preview_frame(result.progress), hide_index=True, width="stretch")
            changes = result.counts()["new"] + result.counts()["update"] + result.new_progress()
            if st.button("确认导入", type="primary", key="upload_confirm", disabled=not changes):
                confirm_upload(upload, result, who)
    st.markdown("**3. 导出全部数据**：观测值（含来源、示例数据标记）、任务及进展、修改记录。")
    if who is None:  # the export holds the whole audit log (who changed what): for logged-in accounts only
        st.info(labels.EXPORT_LOGIN, icon=":material/lock:")
        return
    if st.button("生成导出文件", key="export_build"):
        st.session_state["export_wanted"] = True
    if st.session_state.get("export_wanted"):
        st.download_button("下载导出文件", export_bytes(ui.data_version()), file_name="督导看板数据导出.xlsx",
                           key="export_download",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def unit_tab(policy: str, region: str, who: Account | None, scope: guard.Scope, as_of_year: int) -> None:
    """本单位填报: every indicator of one department for one chosen year or quarter, one screen and one save."""
    if not may_write_any(who):
        st.info("登录填报账号后，可在此按期间一次填报本单位的全部指标。", icon=":material/info:")
        return
    catalogue = ui.catalogue_frames()
    c1, c2, c3 = st.columns([2, 1, 1])
    units = list(who.departments) if who.role not in ALL_DEPARTMENT_ROLES else ui.unit_options(policy)
    department = c1.selectbox("单位", units, key="unit_department")
    p = catalogue["policies"].set_index("code").loc[policy]
    years = list(range(int(p["track_to"]), int(p["track_from"]) - 1, -1))
    year = c2.selectbox("年份", years, index=years.index(as_of_year) if as_of_year in years else 0,
                        key="unit_year", format_func=lambda y: f"{y}年")
    quarter = c3.selectbox("期间", [0, 1, 2, 3, 4], key="unit_quarter",
                           format_func=lambda q: "全年" if not q else f"第{'一二三四'[q - 1]}季度（累计）")
    targets = catalogue["targets"].query("policy == @policy")
    wanted = department_indicators(targets, [department]) & scope.indicators
    codes = [c for c in catalogue["indicators"]["code"] if c in wanted]
    if not codes:
        st.info(f"{department}没有牵头或参与的目标指标。", icon=":material/info:")
        return
    period = unit_grid.period_text(year, quarter)
    key = f"unit_base/{region}/{department}/{period}"
    if key not in st.session_state:
        st.session_state[key] = unit_grid.unit_grid_frame(catalogue["indicators"], ui.frames(policy, region)[
            "observations"], region, codes, year, quarter)
    base = st.session_state[key]
    ui.sample_banner(bool(base["is_sample"].any()))
    st.caption(f"{region} · {department} · {period} · 共 {len(base)} 个指标 · 只填写本期数值、来源和备注；"
               "留空的指标不保存 · 来源必填")
    nonce = st.session_state.get("entry_grid_nonce", 0)
    shown_cols = list(unit_grid.UNIT_GRID_COLUMNS)
    edited = st.data_editor(
        base[shown_cols], num_rows="fixed", hide_index=True, width="stretch", key=f"unit_grid/{key}/{nonce}",
        disabled=[c for c in shown_cols if c not in unit_grid.EDITABLE],
        column_config={**{c: st.column_config.TextColumn(label, width="large" if c in ("name", "source") else None)
                          for c, label in unit_grid.UNIT_GRID_COLUMNS.items()}, **vintage_columns()})
    b1, b2 = st.columns([1, 5])
    if b2.button("放弃修改并刷新", key="unit_refresh"):
        st.session_state.pop(key, None)
        st.session_state.pop("unit_plan", None)
        st.session_state["entry_grid_nonce"] = nonce + 1
        st.rerun()
    if b1.button("检查并预览", type="primary", key="unit_check"):
        entries = unit_grid.unit_grid_entries(base, edited, region, year, quarter)
        rules = Rules.from_frames(catalogue["indicators"], catalogue["regions"], catalogue["policies"])
        clean, problems = validate_entries(entries, rules)
        if problems:
            st.session_state.pop("unit_plan", None)
            show_problems(problems)
        elif not clean:
            st.info("没有修改。")
        else:
            seen = unit_grid.seen_versions(base, region, year, quarter)
            st.session_state["unit_plan"] = (key, importer.plan_changes(ui.engine(), clean, seen))
    pending = st.session_state.get("unit_plan")
    if pending and pending[0] == key:
        st.markdown("**将要保存的修改（原值 → 新值）**")
        st.dataframe(importer.preview_frame(pending[1]), hide_index=True, width="stretch")
        if st.button("确认保存", type="primary", key="unit_confirm"):
            save(pending[1], who, f"本单位填报：{department} {period}", [key, "unit_plan"])
    st.download_button(f"下载{department}的填报模板（Excel）",
                       template_file(policy, region, int(p["base_year"]), int(p["end_year"]), tuple(codes),
                                     department),
                       file_name=f"填报模板_{region}_{department}.xlsx", key="unit_template_download",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def account_notice(who: Account | None, scope: guard.Scope, region: str) -> None:
    """What the logged-in account may do on this page (the login is user text: escaped for Markdown), and that
    the region chosen in the sidebar is not one it may write (a benchmark region: admins only)."""
    if may_write_any(who) and region not in scope.regions:
        st.info(md_escape(guard.region_refusal(scope, who, region) + "。"), icon=":material/lock:")
    if who is None:
        st.warning(labels.LOGIN_NEEDED, icon=":material/login:")
    elif not may_write_any(who):
        st.info(labels.VIEWER_ONLY, icon=":material/visibility:")
    elif who.role in ALL_DEPARTMENT_ROLES:
        st.caption(md_escape(f"账号{guard.account_text(who)}：可填报全部单位的指标和任务。"))
    else:
        st.caption(md_escape(f"账号{guard.account_text(who)}：可填报 {len(scope.indicators)} 个指标、"
                             f"{len(scope.tasks)} 项任务（{'、'.join(who.departments)}牵头或参与的目标和任务）。"))


filters = ui.sidebar_filters()
who = ui.account()
scope = ui.write_scope(who)
st.title(labels.ENTRY_PAGE_TITLES["entry"])
flash()
account_notice(who, scope, filters.region)
grid_box, unit_box, progress_box, excel_box = st.tabs(["逐项填报", "本单位填报", "任务进展", "Excel 导入导出"])
with grid_box:
    grid_tab(filters.policy, filters.region, who, scope)
with unit_box:
    unit_tab(filters.policy, filters.region, who, scope, filters.as_of_year)
with progress_box:
    progress_tab(filters.policy, who, scope)
with excel_box:
    excel_tab(filters.policy, filters.region, who, scope)
