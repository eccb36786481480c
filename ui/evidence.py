"""The Streamlit side of 佐证材料: the uploader, an item's files with their download buttons, and the delete form.

A file is never shown inline: it is offered only as a download (st.download_button with the stored MIME type and
the stored safe name). The bytes are read when the button is clicked, and only for the session's logged-in account
as it is at that moment (logged out, idle too long or disabled: refused), so a button seen earlier or a file id
sent by hand serves nothing to a visitor."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

import ui
from access import auth
from access import evidence as access_evidence
from dataio.evidence import ACCEPTED_TEXT, KINDS, UPLOAD_EXTENSIONS, EvidenceRefused
from dataio.limits import size_text
from ui.uploads import file_picker
from vocab.accounts import Account, PermissionDenied
from vocab.text import md_escape

DOWNLOAD_ICON = ":material/download:"


def uploader(key: str, label: str = "佐证材料文件（可选）") -> list[tuple[str, bytes]]:
    """A multi-file uploader (ui.uploads: Chinese words) with its limits in words; the chosen files as (name,
    bytes). The bytes decide the type (dataio/evidence.py), the extensions only filter the file dialog."""
    limits = access_evidence.limits()
    mb = max(1, limits.max_bytes // (1024 * 1024))
    uploads = file_picker(label, key, types=UPLOAD_EXTENSIONS, multiple=True, max_mb=mb,
                          caption=f"可上传 {ACCEPTED_TEXT}，每个不超过 {mb} MB，最多 {limits.max_files} 个；"
                                  "系统按文件内容识别类型。")
    return [(u.name, u.getvalue()) for u in uploads or []]


class _SessionView:
    """A read-only view of one session's state for auth.session_account, from the thread that serves a download
    (st.session_state is only reachable from the script's own thread)."""

    def __init__(self, state: Any) -> None:
        self._state = state

    def get(self, key: str, default: Any = None) -> Any:
        return self._state[key] if self._state is not None and key in self._state else default

    def pop(self, key: str, default: Any = None) -> Any:  # ending the session is left to the page's next run
        return self.get(key, default)

    def __setitem__(self, key: str, value: Any) -> None:
        pass


def served_bytes(state: Any, engine, settings: dict, attachment_id: int) -> bytes:
    """The file's bytes for the account the session holds now (access.evidence.download_as checks it)."""
    who = auth.session_account(_SessionView(state), engine, settings=settings)
    return access_evidence.download_as(engine, who, attachment_id)[2]


def download_data(attachment_id: int) -> Callable[[], bytes]:
    """The download button's deferred data: run when clicked, with the login checked then."""
    ctx = get_script_run_ctx()
    state = ctx.session_state if ctx is not None else None
    engine, settings = ui.engine(), ui.settings()
    return lambda: served_bytes(state, engine, settings, attachment_id)


def file_table(rows: pd.DataFrame) -> pd.DataFrame:
    """The files as display columns (name, type, size, uploader, time), numbered from 0."""
    rows = rows.reset_index(drop=True)
    return pd.DataFrame({
        "文件": rows["file_name"].astype(str),
        "类型": [KINDS[k].label if k in KINDS else str(k) for k in rows["kind"]],
        "大小": [size_text(int(n)) for n in rows["size"]],
        "上传人": rows["uploaded_by"].astype(str),
        "上传时间": pd.to_datetime(rows["uploaded_at"], utc=True).dt.tz_convert("Asia/Shanghai")
        .dt.strftime("%Y-%m-%d %H:%M"),
    })


def file_list(rows: pd.DataFrame, account: Account | None, key: str, *, title: str = "",
              shown: pd.DataFrame | None = None) -> None:
    """An item's files: a table (file_table, or `shown`), one download button per file (disabled, with a hint,
    when not logged in), and for the uploader or an admin the delete form. Nothing when there are no files."""
    if rows.empty:
        return
    if title:
        st.markdown(f"**{md_escape(title)}**（{len(rows)} 件）")
    st.dataframe(file_table(rows) if shown is None else shown, hide_index=True, width="stretch", key=f"{key}_files")
    cols = st.columns(min(len(rows), 3))
    for i, r in enumerate(rows.itertuples()):
        aid = int(r.attachment_id)
        # rendered disabled when logged out: that also revokes the deferred download of an earlier run
        cols[i % len(cols)].download_button(
            f"下载 {r.file_name}", data=download_data(aid), file_name=str(r.file_name), mime=str(r.mime),
            key=f"{key}_dl_{aid}", icon=DOWNLOAD_ICON, disabled=account is None, on_click="ignore",
            help=None if account is not None else "登录后可下载佐证材料")
    if account is None:
        st.caption("登录后可下载佐证材料。")
        return
    mine = rows if account.role == "admin" else rows.loc[rows["uploaded_by"] == account.login]
    if not mine.empty:
        delete_form(mine, account, key)


def delete_form(rows: pd.DataFrame, account: Account, key: str) -> None:
    """Delete one of the files the account may remove (access.evidence.delete_as decides and audits)."""
    with st.expander("删除佐证材料"), st.form(f"{key}_delete"):
        names = dict(zip(rows["attachment_id"].astype(int), rows["file_name"].astype(str)))
        aid = st.selectbox("材料", list(names), format_func=names.get, key=f"{key}_delete_id")
        reason = st.text_input("删除原因", key=f"{key}_delete_reason", placeholder="如：传错了文件")
        if st.form_submit_button("删除所选材料"):
            try:
                access_evidence.delete_as(ui.engine(), account, int(aid), reason=reason)
            except (PermissionDenied, ValueError) as exc:
                st.error(md_escape(exc), icon=":material/block:")
            else:
                st.session_state["_evidence_flash"] = f"已删除佐证材料“{names[aid]}”。"
                st.rerun()


def flash() -> None:
    """The outcome of the last deletion, once."""
    if message := st.session_state.pop("_evidence_flash", None):
        st.success(md_escape(message), icon=":material/check_circle:")


def refusal(exc: Exception) -> None:
    """A refused file or write in red, as the sentence the check wrote."""
    icon = ":material/lock:" if isinstance(exc, PermissionDenied) else ":material/error:"
    st.error(md_escape(exc), icon=":material/gpp_bad:" if isinstance(exc, EvidenceRefused) else icon)


def owned(attachments: pd.DataFrame, kind: str, ids) -> pd.DataFrame:
    """The attachments of some items of one kind (e.g. the progress reports of a task)."""
    ids = {int(i) for i in ids}
    return attachments.loc[(attachments["owner_kind"] == kind) & attachments["owner_id"].astype(int).isin(ids)]


def attachments() -> pd.DataFrame:
    """Every attachment's row (never the bytes), cached per data version."""
    return _attachments(ui.data_version())


@st.cache_data(show_spinner=False, max_entries=2)
def _attachments(version: int) -> pd.DataFrame:
    import db
    return db.read_attachments(ui.engine())


def task_files(policy: str, clauses) -> pd.DataFrame:
    """The files of the tasks' progress reports and milestones: the attachment rows plus clause and item (what the
    file belongs to, in words)."""
    frames = ui.catalogue_frames()
    progress = frames["progress"].loc[frames["progress"]["policy"] == policy]
    milestones = frames["milestones"].loc[frames["milestones"]["policy"] == policy]
    rows = attachments()
    of_reports = owned(rows, "task_progress", progress["id"]).astype({"owner_id": "int64"}).merge(
        progress[["id", "clause", "reported_on"]].astype({"id": "int64"}), left_on="owner_id", right_on="id")
    of_milestones = owned(rows, "milestone", milestones["milestone_id"]).astype({"owner_id": "int64"}).merge(
        milestones[["milestone_id", "clause", "title"]].astype({"milestone_id": "int64"}), left_on="owner_id",
        right_on="milestone_id")
    both = pd.concat([
        of_reports.assign(item=["进展报告 " + str(d)[:10] for d in of_reports["reported_on"]]),
        of_milestones.assign(item=["节点 " + str(t) for t in of_milestones["title"]])], ignore_index=True)
    if both.empty:
        return pd.DataFrame(columns=[*rows.columns, "clause", "item"])
    return both.loc[both["clause"].isin(set(clauses)), [*rows.columns, "clause", "item"]]


def ledger_files(policy: str, ledger: pd.DataFrame, account: Account | None) -> None:
    """台账佐证材料: the files behind the tasks the ledger shows, a task chosen to download them."""
    rows = task_files(policy, ledger["clause"])
    with st.expander(f"台账佐证材料（{rows['clause'].nunique()} 项任务，{len(rows)} 件文件）"):
        if rows.empty:
            st.caption("所列任务的进展报告和推进节点尚无佐证材料文件。")
            return
        titles = dict(zip(ledger["clause"], ledger["title"]))
        clauses = list(dict.fromkeys(rows["clause"]))
        clause = st.selectbox("任务", clauses, key="ledger_files_task",
                              format_func=lambda c: f"{c} {titles.get(c, '')}（{int((rows['clause'] == c).sum())} 件）")
        chosen = rows.loc[rows["clause"] == clause]
        file_list(chosen, account, "ledger_files",
                  shown=pd.concat([pd.DataFrame({"事项": chosen["item"].to_numpy()}), file_table(chosen)], axis=1))
