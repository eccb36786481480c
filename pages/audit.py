"""修改记录: the audit log with its keys in words, filterable by object, person, data item (indicator names) and date;
an admin can revert one change of a value or a task progress report, or a whole import at once after seeing what
it undoes (each revert is itself logged and can be undone; refused when the value has changed again since, or when
the change was reverted already). The built-in data load is never offered for undoing."""
from datetime import date, timedelta

import pandas as pd
import streamlit as st

import db
import ui
from access import guard
from access.permissions import is_admin
from ui import audit_log, tables
from vocab import labels
from vocab.accounts import Account, PermissionDenied
from vocab.text import md_escape

# pixel widths: every column on a 1366-pixel screen (the main area is about 900 px wide)
AUDIT_WIDTHS = {"操作人": 56, "操作": 72, "对象": 56, "数据项": 250, "原值": 100, "新值": 100, "原因": 84}


def is_sample(d) -> bool:
    return isinstance(d, dict) and bool(d.get("is_sample"))


def filters_row() -> tuple[str | None, str | None, str | None, date | None, date | None]:
    c1, c2, c3, c4 = st.columns([1, 1, 1.4, 1.6])
    entities = [None, *labels.AUDIT_ENTITIES]
    entity = c1.selectbox("对象", entities, format_func=lambda e: "全部" if e is None else labels.AUDIT_ENTITIES[e],
                          index=1, key="audit_entity")
    who = c2.text_input("操作人", key="audit_who").strip() or None
    text = c3.text_input("数据项包含", key="audit_key", placeholder="如 长垣市 高新技术企业",
                         help="按地区、指标名称、年份或任务条款查找，如“高新技术企业 2020”").strip() or None
    span = c4.date_input("日期范围", value=(date.today() - timedelta(days=3650), date.today()), key="audit_dates",
                         format="YYYY-MM-DD")
    since, until = (span + (None, None))[:2] if isinstance(span, tuple) else (span, None)
    return entity, who, text, since, until


def log_table(log: pd.DataFrame) -> None:
    """The entries, every column on a 1366-pixel screen: the source is part of the value's text, an undo names the
    entry it undid in 操作."""
    action = log["action"].map(labels.AUDIT_ACTIONS).fillna(log["action"])
    reverts = log["reverts_id"].astype("Int64")
    c = st.column_config
    st.dataframe(pd.DataFrame({
        "编号": log["id"], "时间": log["local_at"], "操作人": log["who"],
        "操作": [a if pd.isna(r) else f"{a} #{r}" for a, r in zip(action, reverts)],
        "对象": log["entity"].map(labels.AUDIT_ENTITIES).fillna(log["entity"]), "数据项": log["key_text"],
        "原值": log["old"].map(tables.audit_value_text), "新值": log["new"].map(tables.audit_value_text),
        "原因": log["reason"]}),
        column_config={"编号": c.NumberColumn("编号", format="%d", width=52),
                       "时间": c.DatetimeColumn("时间", format="YYYY-MM-DD HH:mm", width=124),
                       **{name: c.TextColumn(name, width=w) for name, w in AUDIT_WIDTHS.items()}},
        hide_index=True, width="stretch", height=tables.table_height(log, 15), placeholder="—")


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
                        f"{r.key_text}：{tables.audit_value_text(r.old)} → {tables.audit_value_text(r.new)}（{r.who}）"
             for r in candidates.itertuples()}
    chosen = st.selectbox("要撤销的记录", list(texts), format_func=texts.get, key="revert_id")
    reason = st.text_input("撤销原因", key="revert_reason", placeholder="如：录入错误，恢复原值")
    if st.button("撤销该修改", type="primary", key="revert_button"):
        try:
            guard.revert_as(ui.engine(), who, int(chosen), reason=reason.strip() or f"撤销审计记录 #{chosen}")
        except (db.ConcurrentEditError, PermissionDenied, ValueError) as exc:
            st.error(md_escape(audit_log.readable(exc)), icon=":material/error:")
            return
        st.session_state["audit_flash"] = f"已撤销记录 #{chosen}，撤销本身已记入修改记录。"
        st.rerun()


def batch_box(who: Account | None) -> None:
    """Undo one import (or any save of several values) as one action, all or nothing, after seeing what it undoes
    and confirming (admins; the guard checks the role again and refuses the built-in data load)."""
    if not is_admin(who):  # revert_box said who may undo
        return
    st.subheader("撤销整批导入")
    batches = audit_log.open_batches().set_index("batch_id")
    if batches.empty:
        st.caption("没有可整批撤销的导入或批量保存。")
        return
    texts = {b: f"{pd.Timestamp(r['local_at']):%Y-%m-%d %H:%M} · {r['who']} · {r['reason']}（{r['changes']} 项）"
             for b, r in batches.iterrows()}
    chosen = st.selectbox("要撤销的批次", list(texts), format_func=texts.get, key="batch_id", index=None,
                          placeholder="选择一次导入或批量保存")
    if chosen is None:
        return
    undo = audit_log.batch_details(chosen, batches.loc[chosen, "at"])
    st.warning(md_escape(f"将撤销 {undo['rows']} 项修改：{undo['who']} 于 {undo['when']:%Y-%m-%d %H:%M} "
                         f"的“{undo['reason']}”，涉及指标 {len(undo['indicators'])} 个"
                         + (f"（{'、'.join(undo['indicators'][:8])}{' 等' if len(undo['indicators']) > 8 else ''}）"
                            if undo["indicators"] else "") + "。撤销后各项恢复为下表“撤销后”的值。"),
               icon=":material/undo:")
    st.dataframe(undo["table"], hide_index=True, width="stretch", key="batch_rows",
                 height=tables.table_height(undo["table"], 15))
    reason = st.text_input("撤销原因", key="batch_reason", placeholder="如：导入了错误的文件")
    sure = st.checkbox(f"我已核对，确认撤销这 {undo['rows']} 项修改", key=f"batch_sure/{chosen}")
    if st.button("撤销整批", type="primary", key="batch_button", disabled=not sure):
        try:
            n = guard.revert_batch_as(ui.engine(), who, chosen, reason=reason.strip())
        except (db.ConcurrentEditError, ValueError, PermissionError) as exc:
            st.error(md_escape(f"未撤销任何数据：{audit_log.readable(exc)}"), icon=":material/error:")
            return
        st.session_state["audit_flash"] = f"已整批撤销 {n} 项修改，撤销本身已记入修改记录。"
        st.rerun()


ui.sidebar_filters()
who = ui.account()
st.title(labels.ENTRY_PAGE_TITLES["audit"])
if message := st.session_state.pop("audit_flash", None):
    st.success(message, icon=":material/check_circle:")
entity, by, text, since, until = filters_row()
log = audit_log.log(entity, by, text, since, until)
ui.sample_banner(bool(log["old"].map(is_sample).any() or log["new"].map(is_sample).any()))
st.caption(f"共 {len(log)} 条记录（最新在前）。每次新增、修改、删除和撤销都记录操作人、时间、原值、新值、来源和原因。")
log_table(log)
revert_box(log, who)
batch_box(who)
