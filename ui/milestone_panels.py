"""The 督办 parts of the 部门督办 page: the 临期与逾期 list, 本单位待办, chases, extension forms by role and the
milestone grid. Each function draws one thing; every write goes through supervision/actions.py (the account's
role checked there, the store's compare-and-set on what the form showed) and every refusal — a role, a change by
someone else since, or the database's own refusal — is shown as one Chinese sentence, never a traceback."""
from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

import db
import ui
from access import evidence as access_evidence
from dataio.importer import database_error_message
from supervision import actions, rules
from ui import evidence as evidence_ui
from ui import tables
from views import policy as views_policy
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


def _attempt(write: Callable[[], Any], success: str | Callable[[Any], str], *, clear: str | None = None,
             forget: tuple[str, ...] = ()) -> None:
    """Run one write the user asked for: a refusal is shown as its Chinese sentence (what was typed stays), the
    database's own refusal too (never SQL or a traceback); on success the confirmation (a text, or made from the
    write's result) after the rerun, a fresh file uploader (clear) and the named fields emptied (forget)."""
    try:
        result = write()
    except REFUSALS as exc:
        _refused(exc)
    except SQLAlchemyError as exc:
        _refused(database_error_message(exc))
    else:
        if clear:
            _clear_files(clear)
        for key in forget:
            st.session_state.pop(key, None)
        _done(success(result) if callable(success) else success)


def _day(value) -> date:
    return pd.Timestamp(value).date()


def as_of_date(as_of_year: int) -> date:
    """督办日期: chosen on the page, default today within the as-of year (its 31 December for a past year)."""
    default = min(date.today(), date(as_of_year, 12, 31))
    return st.date_input("督办日期", value=default, key="deadline_as_of", format="YYYY-MM-DD")


def attention_list(deadlines: pd.DataFrame, units: list[str]) -> pd.DataFrame:
    """The 临期与逾期 list on top of the page; returns the rows shown."""
    rows = views_policy.deadline_attention(deadlines, units)
    st.subheader(labels.SUPERVISION_TITLES["attention"])
    counts = rows["state"].value_counts()
    st.caption("　".join(f"{labels.deadline_text(s.key)} {int(counts.get(s.key, 0))} 项"
                        for s in labels.DEADLINE_STATES if s.key in ("overdue", "due_soon", "early_warning")))
    if rows.empty:
        st.info("没有临期或逾期的推进节点。")
        return rows
    table = tables.deadline_table(rows)
    order = tables.deadline_order(table)
    st.dataframe(tables.styled_deadlines(table), hide_index=True, width="stretch", key="deadline_attention",
                 **tables.fit(table, tables.DEADLINE_TABLE_COLUMNS, tables.DEADLINE_WIDTHS, order))
    return rows


_c = st.column_config
# 本单位待办's columns at pixel widths that fit a 1366-pixel screen (the unit is the clerk's own: not repeated)
TODO_COLUMNS = {"state_text": _c.TextColumn("状态", width=76), "days_text": _c.TextColumn("剩余/逾期", width=80),
                "clause": _c.TextColumn("条款", width=80), "task_title": _c.TextColumn("任务", width=160),
                "title": _c.TextColumn("节点", width=180),
                "due_date": _c.DateColumn("截止日期", format="YYYY-MM-DD", width=88),
                "extended_text": _c.TextColumn("延期", width=100),
                "chases": _c.NumberColumn("催办次数", format="%d", width=64),
                "data_text": _c.TextColumn("数据", width=64)}


def unit_todo(deadlines: pd.DataFrame, requests: pd.DataFrame, account: Account, when: date) -> None:
    """本单位待办 for a logged-in editor: every open milestone of the unit by due date (all rows on screen, no inner
    scrolling: the clerk's list is short enough to read whole), the 办结 report and the extension form, and the files
    of the unit's open extension requests."""
    st.subheader(f"{labels.SUPERVISION_TITLES['todo']}（{'、'.join(account.departments) or '未关联单位'}）")
    todo = views_policy.unit_todo(deadlines, account.departments)
    if todo.empty:
        st.info("本单位没有未完成的推进节点。")
        return
    table = tables.deadline_table(todo)
    st.caption(f"截至督办日期 {when.isoformat()} 未完成的推进节点共 {todo['milestone_id'].nunique()} 个。")
    st.dataframe(tables.styled_deadlines(table), hide_index=True, width="stretch", column_config=TODO_COLUMNS,
                 column_order=list(TODO_COLUMNS), height=tables.table_height(table, len(table)), key="unit_todo",
                 placeholder="—")
    open_items = todo.drop_duplicates("milestone_id")
    done_form, extension_form = st.columns(2)
    with done_form:
        done_report_form(open_items, account, when)
    with extension_form:
        extension_request_form(open_items, requests, account, when)
    mine = requests.loc[requests["state"].isin(rules.OPEN_STATES) & requests["unit"].isin(account.departments)]
    evidence_ui.file_list(evidence_ui.owned(evidence_ui.attachments(), "extension_request", mine["request_id"]),
                          account, "unit_request_files", title="本单位未办结延期申请的佐证材料")


def _milestone_label(row: pd.Series) -> str:
    return f"{row['clause']} {row['title']}（截止 {pd.Timestamp(row['due_date']).date().isoformat()}）"


def one_month_after(day: date) -> date:
    """The same day of the next month, or that month's last day (31 January → 28/29 February)."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def default_extension_date(due: date, when: date) -> date:
    """The extension form's proposed new date: one month after the current due date, or after the 督办日期 when
    the milestone is already overdue (a new date in the past would be overdue the day it is approved)."""
    return one_month_after(max(due, when))


def _files_nonce(name: str) -> str:
    return f"{name}/{st.session_state.get(f'{name}_nonce', 0)}"


def _clear_files(name: str) -> None:
    """A new uploader after a successful submit (a file uploader keeps its files otherwise)."""
    st.session_state[f"{name}_nonce"] = st.session_state.get(f"{name}_nonce", 0) + 1


def extension_request_form(todo: pd.DataFrame, requests: pd.DataFrame, account: Account, when: date) -> None:
    """An editor asks for more time (or resubmits a request the inspector returned) for the due date it sees,
    with its 佐证材料."""
    options = dict(zip(todo["milestone_id"].astype(int), [_milestone_label(r) for _, r in todo.iterrows()]))
    mid = st.selectbox("延期的节点", list(options), format_func=options.get, key="ext_milestone")
    row = todo.set_index("milestone_id").loc[mid]
    due = _day(row["due_date"])
    with st.form("extension_request"):
        st.markdown(f"**{labels.SUPERVISION_TITLES['extension']}**")
        new_date = st.date_input("申请延期至", value=default_extension_date(due, when),
                                 min_value=due + timedelta(days=1), key=f"ext_new_date/{mid}", format="YYYY-MM-DD",
                                 help="默认为当前截止日期（已逾期时为督办日期）之后一个月")
        reason = st.text_area("延期理由（必填）", key="ext_reason")
        files = evidence_ui.uploader(_files_nonce("ext_files"))
        if st.form_submit_button("提交延期申请"):
            returned = requests.loc[(requests["milestone_id"] == mid) & (requests["state"] == "returned")]
            note = f"（佐证材料 {len(files)} 件）。" if files else "。"
            if returned.empty:
                def write():
                    return access_evidence.request_extension_as(ui.engine(), account, int(mid), new_date=new_date,
                                                                reason=reason, seen_due_date=due, files=files)
                message = "延期申请已提交，等待督查室审核" + note
            else:
                req = returned.iloc[0]

                def write():
                    return access_evidence.resubmit_extension_as(
                        ui.engine(), account, int(req["request_id"]), seen_new_date=_day(req["new_date"]),
                        seen_version=int(req["version"]), reason=reason, new_date=new_date, seen_due_date=due,
                        files=files)
                message = "延期申请已重新提交，等待督查室审核" + note
            _attempt(write, message, clear="ext_files")


def done_report_form(todo: pd.DataFrame, account: Account, when: date) -> None:
    """An editor of a responsible unit reports a milestone done: completion date, what was done and its proof."""
    options = dict(zip(todo["milestone_id"].astype(int), [_milestone_label(r) for _, r in todo.iterrows()]))
    mid = st.selectbox("办结的节点", list(options), format_func=options.get, key="done_milestone")
    start = date(int(ui.catalogue_frames()["policies"].set_index("code").loc[todo["policy"].iloc[0], "start_year"]),
                 1, 1)
    today = date.today()
    version = ui.catalogue_frames()["milestones"].set_index("milestone_id").loc[mid, "version"]
    with st.form("done_report"):
        st.markdown(f"**{labels.SUPERVISION_TITLES['done']}**")
        completed = st.date_input("完成日期", value=min(max(when, start), today), min_value=start, max_value=today,
                                  key="done_date", format="YYYY-MM-DD")
        text = st.text_area("办结情况及佐证说明（必填）", key="done_text",
                            placeholder="做了什么、成果是什么；文件文号或材料名称")
        files = evidence_ui.uploader(_files_nonce("done_files"))
        if st.form_submit_button("报送办结", type="primary"):
            _attempt(lambda: access_evidence.report_done_as(ui.engine(), account, int(mid), completed_on=completed,
                                                            evidence=text, files=files,
                                                            expected_version=int(version)),
                     f"节点已报送办结（完成日期 {completed.isoformat()}"
                     + (f"，佐证材料 {len(files)} 件）。" if files else "）。"), clear="done_files",
                     forget=("done_text",))


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
    files = evidence_ui.owned(evidence_ui.attachments(), "extension_request", pending["request_id"])
    counts = files["owner_id"].astype(int).value_counts()
    table = tables.request_table(pending).assign(
        files=[f"{int(counts[i])} 件" if i in counts.index else "—" for i in pending["request_id"].astype(int)])
    st.dataframe(table, hide_index=True, width="stretch", column_config={**tables.REQUEST_COLUMNS, "files": "佐证材料"},
                 column_order=_with_files(tables.REQUEST_ORDER), key=f"requests_{state}")
    evidence_ui.file_list(files, account, f"request_files_{state}", title="申请所附佐证材料（审核前请查看）")
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


def _with_files(order: list[str]) -> list[str]:
    """The request table's columns with 佐证材料 before the reason (the last columns are cut first on a laptop)."""
    at = order.index("reason") if "reason" in order else len(order)
    return [*order[:at], "files", *order[at:]]


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


def done_reports(deadlines: pd.DataFrame, units: list[str], account: Account) -> None:
    """For the reviewers: the milestones reported done on or before the 督办日期, with their evidence and files."""
    done = deadlines.loc[deadlines["state"].isin(("done_on_time", "done_late"))]
    if units:
        done = done.loc[done["unit"].isin(units)]
    files = evidence_ui.owned(evidence_ui.attachments(), "milestone", done["milestone_id"])
    counts = files["owner_id"].astype(int).value_counts()
    with st.expander(f"{labels.SUPERVISION_TITLES['done_reports']}（{done['milestone_id'].nunique()} 个节点，"
                     f"佐证材料文件 {len(files)} 件）"):
        table = tables.deadline_table(done.sort_values("completed_on", ascending=False)).assign(
            files=lambda t: [f"{int(counts[i])} 件" if i in counts.index else "—" for i in t["milestone_id"]])
        st.dataframe(table, hide_index=True, width="stretch", key="done_reports", height=tables.table_height(table, 12),
                     column_order=["state_text", "unit", "clause", "title", "completed_on", "due_date", "evidence",
                                   "files", "data_text"],
                     column_config={**tables.DEADLINE_TABLE_COLUMNS, "evidence": "办结情况及佐证说明", "files": "文件",
                                    "completed_on": st.column_config.DateColumn("完成日期", format="YYYY-MM-DD")})
        if not files.empty:
            shown = done.drop_duplicates("milestone_id").set_index("milestone_id")
            with_files = [int(m) for m in shown.index if m in counts.index]
            mid = st.selectbox("查看节点的佐证材料", with_files, key="done_files_milestone",
                               format_func=lambda m: _milestone_label(shown.loc[m]))
            evidence_ui.file_list(evidence_ui.owned(files, "milestone", [mid]), account, "done_files")


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
    evidence_ui.flash()
    requests = frames["extensions"].loc[frames["extensions"]["policy"] == policy]
    if account is not None and account.role == "editor":
        unit_todo(deadlines, requests, account, when)
    if account is not None and rules.may(rules.check_chase, account, done=False):
        chase_form(rows, account)
    if account is not None and account.role in ("inspector", "admin"):
        review_forms(requests, account)
        done_reports(deadlines, units, account)
    history(frames["chases"].loc[frames["chases"]["policy"] == policy], units)
    if account is not None and rules.may(rules.check_edit_milestones, account):
        milestones = frames["milestones"].loc[frames["milestones"]["policy"] == policy]
        if units:
            milestones = milestones.loc[[bool(set(u) & set(units)) for u in milestones["units"]]]
        milestone_grid(milestones, account)
    return deadlines
