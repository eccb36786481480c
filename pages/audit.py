"""修改记录: the audit log, filterable by object, person, key and date; an admin can revert one change of a value
or a task progress report, or a whole import at once (each revert is itself logged and can be undone; refused
when the value has changed again since, or when the change was reverted already)."""
from datetime import date, timedelta

import pandas as pd
import streamlit as st

import db
import ui
from access import guard
from access.permissions import is_admin
from ui import tables
from vocab import labels
from vocab.accounts import Account, PermissionDenied
from vocab.text import md_escape


@st.cache_data(show_spinner=False)
def audit_log(version: int, entity: str | None, who: str | None, key: str | None, since: date | None,
              until: date | None) -> pd.DataFrame:
    return db.read_audit(ui.engine(), entity=entity, who=who, key_contains=key, since=since, until=until)


@st.cache_data(show_spinner=False)
def batches(version: int) -> pd.DataFrame:
    return db.read_batches(ui.engine())


def is_sample(d) -> bool:
    return isinstance(d, dict) and bool(d.get("is_sample"))


def filters_row() -> tuple[str | None, str | None, str | None, date | None, date | None]:
    c1, c2, c3, c4 = st.columns([1, 1, 1.4, 1.6])
    entities = [None, *labels.AUDIT_ENTITIES]
    entity = c1.selectbox("对象", entities, format_func=lambda e: "全部" if e is None else labels.AUDIT_ENTITIES[e],
                          index=1, key="audit_entity")
    who = c2.text_input("操作人", key="audit_who").strip() or None
    key = c3.text_input("数据项包含", key="audit_key", placeholder="如 长垣市/hte_count").strip() or None
    span = c4.date_input("日期范围", value=(date.today() - timedelta(days=3650), date.today()), key="audit_dates")
    since, until = (span + (None, None))[:2] if isinstance(span, tuple) else (span, None)
    return entity, who, key, since, until


def revert_box(log: pd.DataFrame, who: Account | None) -> None:
    st.subheader("撤销一条修改")
    if not is_admin(who):
        st.info(labels.ADMIN_ONLY, icon=":material/lock:")
        return
    reverted = set(log["reverts_id"].dropna().astype(int))
    candidates = log[log["entity"].isin(db.REVERTIBLE) & ~log["id"].isin(reverted)]
    if candidates.empty:
        st.caption("当前筛选结果中没有可撤销的数据修改或任务进展（撤销记录本身也可以再撤销）。")
        return
    texts = {int(r.id): f"#{r.id} {labels.AUDIT_ACTIONS.get(r.action, r.action)}{labels.AUDIT_ENTITIES[r.entity]} "
                        f"{r.entity_key}：{tables.audit_value_text(r.old)} → {tables.audit_value_text(r.new)}（{r.who}）"
             for r in candidates.itertuples()}
    chosen = st.selectbox("要撤销的记录", list(texts), format_func=texts.get, key="revert_id")
    reason = st.text_input("撤销原因", key="revert_reason", placeholder="如：录入错误，恢复原值")
    if st.button("撤销该修改", type="primary", key="revert_button"):
        try:
            guard.revert_as(ui.engine(), who, int(chosen), reason=reason.strip() or f"撤销审计记录 #{chosen}")
        except (db.ConcurrentEditError, PermissionDenied, ValueError) as exc:
            st.error(md_escape(exc), icon=":material/error:")
            return
        st.session_state["audit_flash"] = f"已撤销记录 #{chosen}，撤销本身已记入修改记录。"
        st.rerun()


def batch_box(who: Account | None) -> None:
    """Undo one import (or any save of several values) as one action: all or nothing (admins; the guard checks
    the role again)."""
    st.subheader("撤销整批导入")
    if not is_admin(who):
        return
    open_batches = batches(ui.data_version()).query("not reverted")
    if open_batches.empty:
        st.caption("没有可整批撤销的导入或批量保存。")
        return
    texts = {r.batch_id: f"#{r.first_id} 起 {r.changes} 项 · {r.who} · {r.reason}"
             for r in open_batches.itertuples()}
    chosen = st.selectbox("要撤销的批次", list(texts), format_func=texts.get, key="batch_id")
    reason = st.text_input("撤销原因", key="batch_reason", placeholder="如：导入了错误的文件")
    if st.button("撤销整批", type="primary", key="batch_button"):
        try:
            n = guard.revert_batch_as(ui.engine(), who, chosen, reason=reason.strip())
        except (db.ConcurrentEditError, ValueError, PermissionError) as exc:
            st.error(md_escape(f"未撤销任何数据：{exc}"), icon=":material/error:")
            return
        st.session_state["audit_flash"] = f"已整批撤销 {n} 项修改，撤销本身已记入修改记录。"
        st.rerun()


ui.sidebar_filters()
who = ui.account()
st.title(labels.ENTRY_PAGE_TITLES["audit"])
if message := st.session_state.pop("audit_flash", None):
    st.success(message, icon=":material/check_circle:")
entity, by, key, since, until = filters_row()
log = audit_log(ui.data_version(), entity, by, key, since, until)
ui.sample_banner(bool(log["old"].map(is_sample).any() or log["new"].map(is_sample).any()))
st.caption(f"共 {len(log)} 条记录（最新在前）。每次新增、修改、删除和撤销都记录操作人、时间、原值、新值、来源和原因。")
st.dataframe(pd.DataFrame({
    "编号": log["id"], "时间": log["at"], "操作人": log["who"],
    "操作": log["action"].map(labels.AUDIT_ACTIONS).fillna(log["action"]),
    "对象": log["entity"].map(labels.AUDIT_ENTITIES).fillna(log["entity"]), "数据项": log["entity_key"],
    "原值": log["old"].map(tables.audit_value_text), "新值": log["new"].map(tables.audit_value_text),
    "来源": log["source"],
    "原因": log["reason"], "撤销的记录": log["reverts_id"].astype("Int64")}),
    column_config={"时间": st.column_config.DatetimeColumn("时间", format="YYYY-MM-DD HH:mm:ss"),
                   "编号": st.column_config.NumberColumn("编号", format="%d")},
    hide_index=True, width="stretch", height=tables.table_height(log, 15))
revert_box(log, who)
batch_box(who)
