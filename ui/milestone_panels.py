"""The 督办 parts of the 部门督办 page: the 临期与逾期 list, 本单位待办, chases, extension forms by role and the
milestone grid. Each function draws one thing; every write goes through supervision/actions.py (the account's
role checked there, the store's compare-and-set on what the form showed) and every refusal — a role, a change by
someone else since, or the database's own refusal — is shown as one Chinese sentence, never a traceback."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

import db
import ui
from dataio.importer import database_error_message
from supervision import actions, rules
from ui import tables
from views import policy as views
from vocab import labels
from vocab.accounts import Account, PermissionDenied
from vocab.text import md_escape

FLASH = "_supervision_flash"


def _done(message: str) -> None:
    """Keep the confirmation across the rerun that shows the new data."""
    st.session_state[FLASH] = message
    st.rerun()


def show_flash() -> None:
    message = st.session_state.pop(FLASH, None)
    if message:
        st.success(md_escape(message), icon="✔")


REFUSED_ICON = ":material/block:"
REFUSALS = (PermissionDenied, ValueError, db.ConcurrentEditError)  # ValueError: MilestoneError and input checks


def _refused(exc: Exception) -> None:
    st.error(md_escape(exc), icon=REFUSED_ICON)


def _attempt(write: Callable[[], Any], success: str | Callable[[Any], str]) -> None:
    """Run one write the user asked for: a refusal is shown as its Chinese sentence (what was typed stays), the
    database's own refusal too (never SQL or a traceback); on success the confirmation (a text, or made from the
    write's result) after the rerun."""
    try:
        result = write()
    except REFUSALS as exc:
        _refused(exc)
    except SQLAlchemyError as exc:
        _refused(database_error_message(exc))
    else:
        _done(success(result) if callable(success) else success)


def _day(value) -> date:
    return pd.Timestamp(value).date()


def as_of_date(as_of_year: int) -> date:
    """督办日期: chosen on the page, default today within the as-of year (its 31 December for a past year)."""
    default = min(date.today(), date(as_of_year, 12, 31))
    return st.date_input("督办日期", value=default, key="deadline_as_of", format="YYYY-MM-DD")


def attention_list(deadlines: pd.DataFrame, units: list[str]) -> pd.DataFrame:
    """The 临期与逾期 list on top of the page; returns the rows shown."""
    rows = views.deadline_attention(deadlines, units)
    st.subheader(labels.SUPERVISION_TITLES["attention"])
    counts = rows["state"].value_counts()
    st.caption("　".join(f"{labels.deadline_text(s.key)} {int(counts.get(s.key, 0))} 项"
                        for s in labels.DEADLINE_STATES if s.key in ("overdue", "due_soon", "early_warning")))
    if rows.empty:
        st.info("没有临期或逾期的推进节点。")
        return rows
    table = tables.deadline_table(rows)
    st.dataframe(tables.styled_deadlines(table), hide_index=True, width="stretch",
                 column_config=tables.DEADLINE_TABLE_COLUMNS, column_order=tables.DEADLINE_ORDER,
                 height=tables.table_height(table, 15), key="deadline_attention")
    return rows


def unit_todo(deadlines: pd.DataFrame, requests: pd.DataFrame, account: Account) -> None:
    """本单位待办 for a logged-in editor: the unit's open milestones by due date, and the extension form."""
    st.subheader(f"{labels.SUPERVISION_TITLES['todo']}（{'、'.join(account.departments) or '未关联单位'}）")
    todo = views.unit_todo(deadlines, account.departments)
    if todo.empty:
        st.info("本单位没有未完成的推进节点。")
        return
    table = tables.deadline_table(todo)
    st.dataframe(tables.styled_deadlines(table), hide_index=True, width="stretch",
                 column_config=tables.DEADLINE_TABLE_COLUMNS, column_order=tables.DEADLINE_ORDER,
                 height=tables.table_height(table, 12), key="unit_todo")
    extension_request_form(todo.drop_duplicates("milestone_id"), requests, account)


def _milestone_label(row: pd.Series) -> str:
    return f"{row['clause']} {row['title']}（截止 {pd.Timestamp(row['due_date']).date().isoformat()}）"


def extension_request_form(todo: pd.DataFrame, requests: pd.DataFrame, account: Account) -> None:
    """An editor asks for more time (or resubmits a request the inspector returned), for the due date it sees."""
    with st.form("extension_request"):
        st.markdown(f"**{labels.SUPERVISION_TITLES['extension']}**")
        options = dict(zip(todo["milestone_id"].astype(int), [_milestone_label(r) for _, r in todo.iterrows()]))
        mid = st.selectbox("节点", list(options), format_func=options.get, key="ext_milestone")
        row = todo.set_index("milestone_id").loc[mid]
        due = _day(row["due_date"])
        new_date = st.date_input("申请延期至", value=due + timedelta(days=30), key="ext_new_date",
                                 format="YYYY-MM-DD")
        reason = st.text_area("延期理由（必填）", key="ext_reason")
        if st.form_submit_button("提交延期申请"):
            returned = requests.loc[(requests["milestone_id"] == mid) & (requests["state"] == "returned")]
            if returned.empty:
                _attempt(lambda: actions.request_extension_as(ui.engine(), account, int(mid), new_date=new_date,
                                                              reason=reason, seen_due_date=due),
                         "延期申请已提交，等待督查室审核。")
            else:
                req = returned.iloc[0]
                _attempt(lambda: actions.extension_step_as(
                    ui.engine(), account, int(req["request_id"]), "resubmit", seen_state="returned",
                    seen_new_date=_day(req["new_date"]), seen_version=int(req["version"]), text=reason,
                    new_date=new_date, seen_due_date=due), "延期申请已重新提交，等待督查室审核。")


def chase_form(rows: pd.DataFrame, account: Account) -> None:
    """An inspector or admin chases a unit about a near-due or overdue milestone."""
    if rows.empty:
        return
    with st.form("chase"):
        st.markdown(f"**{labels.SUPERVISION_TITLES['chase']}**")
        keys = [f"{int(m)}|{u}" for m, u in zip(rows["milestone_id"], rows["unit"])]
        names = {k: f"{u} · {_milestone_label(r)} · {labels.deadline_text(r['state'])}"
                 for k, u, (_, r) in zip(keys, rows["unit"], rows.iterrows())}
        key = st.selectbox("催办对象", keys, format_func=names.get, key="chase_target")
        message = st.text_input("催办内容", value="请抓紧推进，按期完成并报送佐证材料。", key="chase_message")
        if st.form_submit_button("催办"):
            mid, unit = key.split("|", 1)
            _attempt(lambda: actions.chase_as(ui.engine(), account, int(mid), unit, message), f"已催办{unit}。")


def _request_step(requests: pd.DataFrame, account: Account, state: str, title: str,
                  buttons: tuple[tuple[str, str], ...], text_label: str) -> None:
    pending = requests.loc[requests["state"] == state]
    st.markdown(f"**{title}**（{len(pending)} 件）")
    if pending.empty:
        return
    st.dataframe(tables.request_table(pending), hide_index=True, width="stretch", column_config=tables.REQUEST_COLUMNS,
                 column_order=tables.REQUEST_ORDER, key=f"requests_{state}")
    with st.form(f"step_{state}"):
        shown = pending.set_index(pending["request_id"].astype(int))
        rid = st.selectbox("申请编号", list(shown.index), key=f"step_{state}_id")
        text = st.text_area(text_label, key=f"step_{state}_text")
        cols = st.columns(len(buttons))
        for col, (action, label) in zip(cols, buttons):
            if col.form_submit_button(label):
                seen = shown.loc[rid]  # the request as this form showed it: the step acts on exactly that
                _attempt(lambda action=action, seen=seen: actions.extension_step_as(
                    ui.engine(), account, int(rid), action, seen_state=state, seen_new_date=_day(seen["new_date"]),
                    seen_version=int(seen["version"]), text=text), f"延期申请 {rid}：{label}。")


def review_forms(requests: pd.DataFrame, account: Account) -> None:
    """督查室 reviews (同意上报 / 退回); the leader decides (批准 / 不批准) — each role sees its own step."""
    if account.role == "inspector":
        _request_step(requests, account, "requested", labels.SUPERVISION_TITLES["review"],
                      (("forward", "同意上报"), ("return", "退回")), "审核意见或退回理由（必填）")
    if account.role == "admin":
        _request_step(requests, account, "forwarded", labels.SUPERVISION_TITLES["decide"],
                      (("approve", "批准"), ("reject", "不批准")), "批示（不批准时必填）")


def milestone_grid(milestones: pd.DataFrame, account: Account) -> None:
    """Inspectors and admins edit the milestone plans (compare-and-set on each row's version, audited)."""
    st.subheader(labels.SUPERVISION_TITLES["edit"])
    if milestones["is_sample"].any():
        st.caption(labels.MILESTONE_SAMPLE_NOTE)
    before = tables.milestone_editor_frame(milestones)
    versions = dict(zip(milestones["milestone_id"].astype(int), milestones["version"].astype(int)))
    after = st.data_editor(before, hide_index=True, width="stretch", num_rows="fixed", key="milestone_editor",
                           column_config=tables.MILESTONE_EDIT_COLUMNS, height=tables.table_height(before, 12))
    if st.button("保存节点修改", key="save_milestones"):
        changes = tables.milestone_changes(before, after, versions)
        if not changes:
            st.info("没有修改。")
            return
        _attempt(lambda: actions.edit_milestones_as(ui.engine(), account, changes, reason="部门督办页面修改节点"),
                 lambda n: f"已保存 {n} 个节点的修改。")


def history(chases: pd.DataFrame, units: list[str]) -> None:
    """催办记录: who chased which unit about which milestone, newest first."""
    rows = chases if not units else chases.loc[chases["unit"].isin(units)]
    with st.expander(f"{labels.SUPERVISION_TITLES['history']}（{len(rows)} 次）"):
        st.dataframe(rows.sort_values("at", ascending=False), hide_index=True, width="stretch",
                     column_config=tables.CHASE_COLUMNS, column_order=tables.CHASE_ORDER, key="chase_history")


def supervision_section(policy: str, as_of_year: int) -> pd.DataFrame:
    """Everything 督办 on the page, top to bottom; returns the deadline rows (for the sample banner)."""
    show_flash()
    account = ui.account()
    when = as_of_date(as_of_year)
    deadlines = ui.deadlines(policy, when)
    units = st.multiselect("督办单位", ui.unit_options(policy), key="deadline_units", placeholder="全部单位")
    rows = attention_list(deadlines, units)
    if deadlines["is_sample"].any():
        st.caption(labels.MILESTONE_SAMPLE_NOTE)
    frames = ui.catalogue_frames()
    requests = frames["extensions"].loc[frames["extensions"]["policy"] == policy]
    if account is not None and account.role == "editor":
        unit_todo(deadlines, requests, account)
    if account is not None and rules.may(rules.check_chase, account, done=False):
        chase_form(rows, account)
    if account is not None and account.role in ("inspector", "admin"):
        review_forms(requests, account)
    history(frames["chases"].loc[frames["chases"]["policy"] == policy], units)
    if account is not None and rules.may(rules.check_edit_milestones, account):
        milestones = frames["milestones"].loc[frames["milestones"]["policy"] == policy]
        if units:
            milestones = milestones.loc[[bool(set(u) & set(units)) for u in milestones["units"]]]
        milestone_grid(milestones, account)
    return deadlines
