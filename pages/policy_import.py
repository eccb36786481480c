"""导入政策 (admins): a new policy from its 任务分解表 — upload the .xlsx or .docx, see each row's reading beside its
original text with the uncertain ones marked, correct them in the grid, confirm. A code imported before shows the
differences and is replaced on confirmation. The role is checked where the write happens (access.guard)."""
import hashlib

import pandas as pd
import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

import db
import ui
from access.permissions import is_admin
from dataio.limits import MAX_UPLOAD_MB
from policyio.catalogue import PolicyInfo
from policyio.readings import blocking
from ui import policy_grid, tables
from ui.uploads import file_picker
from views import policy_intake as intake
from vocab import labels
from vocab.accounts import Account, PermissionDenied
from vocab.text import md_escape


def flash() -> None:
    if message := st.session_state.pop("policy_flash", None):
        st.success(md_escape(message), icon=":material/check_circle:")


def upload_and_period() -> tuple[bytes, str, int | None, int | None] | None:
    c1, c2, c3 = st.columns([4, 1, 1])
    upload = file_picker("任务分解表（.xlsx 或 .docx）", "policy_file", types=["xlsx", "docx"], where=c1,
                         caption=f"可上传 Excel（.xlsx）或 Word（.docx）文件，不超过 {MAX_UPLOAD_MB} MB。")
    start = c2.number_input("实施期开始年份", min_value=2000, max_value=2100, value=None, step=1, key="policy_start",
                            placeholder="从标题读取")
    end = c3.number_input("实施期结束年份", min_value=2000, max_value=2100, value=None, step=1, key="policy_end",
                          placeholder="从标题读取")
    if upload is None:
        st.caption("上传政策文件所附的任务分解表：第一张含“目标任务（重点任务、工作任务、主要目标）”和“牵头单位"
                   "（责任单位）”表头的工作表或表格会被逐行读取。读取结果在下方表格中逐行列出，可直接修改后确认导入。")
        return None
    return upload.getvalue(), upload.name, start, end


def read(data: bytes, start: int | None, end: int | None) -> intake.Intake | None:
    """The file's readings, kept in the session per file and period (the grid's corrections apply to them)."""
    key = (hashlib.sha256(data).hexdigest(), start, end)
    kept = st.session_state.get("policy_intake")
    if kept and kept[0] == key:
        return kept[1]
    try:
        got = intake.read_breakdown(ui.engine(), data, start, end)
    except ValueError as exc:
        st.error(md_escape(exc), icon=":material/error:")
        return None
    st.session_state["policy_intake"] = (key, got)
    return got


def policy_fields(got: intake.Intake) -> PolicyInfo:
    c1, c2, c3 = st.columns([1, 3, 1.4])
    code = c1.text_input("政策代码", key="policy_code", placeholder="如 CY2026-05")
    title = c2.text_input("政策标题", key="policy_title", value=_title_of(got))
    doc_number = c3.text_input("文号", key="policy_doc_number", placeholder="如 长政〔2026〕5号")
    plan = got.plan
    st.caption(f"{md_escape(got.table.where)}：{len(got.table.rows)} 行任务；实施期 {plan.start_year}—{plan.end_year}"
               f" 年，基期 {plan.base} 年。")
    return intake.policy_info(ui.engine(), plan, code, title, doc_number)


def _title_of(got: intake.Intake) -> str:
    """The table's title without 任务分解表 and the like: the policy's name as the table states it."""
    first = next((t for t in got.table.titles if t.strip()), "")
    for tail in ("主要目标和重点任务分解表", "重点任务分解表", "任务分解表", "目标任务分解表", "分解表"):
        first = first.removesuffix(tail)
    return first.strip()[:200]


def readings_grid(got: intake.Intake, key: str) -> pd.DataFrame:
    """The grid: each reading beside its row's original text; returns the corrected readings, checked again."""
    plan = got.plan
    edited = st.data_editor(
        policy_grid.grid_frame(got.readings), key=f"policy_grid/{key}", hide_index=True, num_rows="fixed",
        width="stretch", height=tables.table_height(got.readings, 25), placeholder="",
        disabled=["row", "seq", "text", "mark"],
        column_config=policy_grid.column_config(plan.start_year, plan.end_year))
    return intake.recheck(ui.engine(), policy_grid.from_grid(got.readings, edited), plan)


def summary(readings: pd.DataFrame) -> None:
    stuck = blocking(readings)
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("读出的目标", int((readings["kind"] != "task").sum()))
    c2.metric("仅任务（无数值）", int((readings["kind"] == "task").sum()))
    c3.metric("待核对", int((readings["doubts"].map(bool) & ~readings["checked"]).sum()))
    c4.metric("有问题", int(readings["problems"].map(bool).sum()))
    if stuck.any():
        st.warning(f"还有 {int(stuck.sum())} 条读取结果需要处理：改正“问题”，核对“待核对”的行后勾选“已核对”。",
                   icon=":material/warning:")
        todo = readings[stuck].apply(lambda r: f"第 {r['row']} 行（序号 {r['seq']}）：" + "；".join(
            list(r["problems"]) + [f"待核对：{d}" for d in r["doubts"] if not r["checked"]]), axis=1)
        st.markdown("\n".join(f"- {md_escape(t)}" for t in todo))


def confirm_box(readings: pd.DataFrame, info: PolicyInfo, source: str, who: Account | None) -> None:
    if blocking(readings).any():
        return
    if not info.code or not info.title:
        st.info("全部读取结果已确认：填写政策代码和标题后即可导入。", icon=":material/info:")
        return
    engine = ui.engine()
    try:
        policy = intake.policy_of(engine, readings, info)
        origin, diff = intake.changes(engine, policy)
    except ValueError as exc:
        st.error(md_escape(exc), icon=":material/error:")
        return
    replace = False
    if origin is not None:
        st.subheader(f"政策 {md_escape(policy.code)} 已导入过：与已导入版本的差异")
        if diff.empty:
            st.info("本表与已导入的版本相同，没有需要修改的内容。", icon=":material/info:")
            return
        st.dataframe(diff.rename(columns={"change": "变更", "entity": "对象", "key": "代码", "field": "字段",
                                          "old": "原值", "new": "新值"}).astype(str), hide_index=True, width="stretch")
        replace = st.checkbox("确认用本表替换已导入的版本", key="policy_replace")
    else:
        st.caption(f"将新建政策 {md_escape(policy.code)}：{len(policy.targets)} 个目标，{len(policy.tasks)} 项任务，"
                   f"{int((diff['entity'] == '指标').sum())} 个新指标。")
    label = "确认替换" if origin is not None else "确认导入"
    if st.button(label, type="primary", key="policy_confirm", disabled=origin is not None and not replace):
        try:
            counts = intake.confirm(engine, who, policy, source, replace=origin is not None)
        except (ValueError, PermissionDenied, db.ConcurrentEditError, SQLAlchemyError) as exc:
            st.error(md_escape(f"未导入：{exc}"), icon=":material/error:")
            return
        st.session_state["policy_flash"] = (
            f"已{'替换' if origin else '导入'}政策 {policy.code}：{counts['targets']} 个目标，"
            f"{counts['tasks']} 项任务，{counts['indicators']} 个指标。修改记录已记录。")
        st.session_state.pop("policy_intake", None)
        st.rerun()


ui.sidebar_filters()
who = ui.account()
st.title(labels.POLICY_IMPORT_TITLE)
flash()
if not is_admin(who):   # only admins have the page in their navigation; a bookmark shows this, and writes nothing
    st.info(labels.ADMIN_ONLY_POLICY, icon=":material/lock:")
    st.stop()
picked = upload_and_period()
got = read(picked[0], picked[2], picked[3]) if picked else None
if got is not None:
    info = policy_fields(got)
    readings = readings_grid(got, st.session_state["policy_intake"][0][0][:16])
    summary(readings)
    confirm_box(readings, info, picked[1], who)
