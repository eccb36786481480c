"""佐证材料 in the store: adding checked files to a progress report, a milestone or an extension request, reading
their list (never the bytes) and one file's bytes, deleting one; every addition and deletion is audited.

Who may do what is decided above the store (access/evidence.py): each write takes an `authorize` callback that is
called inside the write's own transaction with what the file belongs to (its Owner), so the decision is made on
the state the write sees. The files themselves are checked before (dataio/evidence.py); the store checks again
that each one is of an accepted kind and that its bytes match their SHA-256."""
from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pandas as pd
from sqlalchemy import func, inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from store.attachment_table import OWNER_KINDS, Attachment
from store.audit import write_audit
from store.engine import now, read_session, session_scope
from store.milestone_tables import ExtensionRequest, Milestone
from store.models import Department, Policy, Task, TaskProgress, TaskUnit
from store.reads import frame_of

ACCEPTED_KINDS = ("pdf", "jpeg", "png", "docx", "xlsx")
LIST_COLUMNS = ["attachment_id", "owner_kind", "owner_id", "file_name", "kind", "mime", "size", "sha256",
                "uploaded_by", "uploaded_at"]


class CheckedFile(Protocol):
    """What dataio.evidence.EvidenceFile provides."""
    name: str
    kind: str
    mime: str
    data: bytes
    sha256: str


@dataclass(frozen=True)
class Owner:
    """What an attachment belongs to: its audit key, the units answering for it, its state (a progress report:
    the task's latest status; a milestone: its status; an extension request: its state) and the policy/clause."""
    kind: str
    id: int
    key: str
    units: tuple[str, ...]
    state: str
    policy: str
    clause: str


Authorize = Callable[[Owner], None]


class AttachmentError(ValueError):
    """A missing owner or file, or a file the store will not take; the message is a Chinese sentence."""


# ------------------------------------------------------------------ owners

def owner_of(s: Session, kind: str, owner_id: int) -> Owner:
    """The owner of an attachment as the transaction sees it; AttachmentError when it does not exist."""
    if kind == "task_progress":
        row = s.execute(select(TaskProgress, Task, Policy.code).join(Task, Task.id == TaskProgress.task_id)
                        .join(Policy, Policy.id == Task.policy_id).where(TaskProgress.id == owner_id)).first()
        if row is None:
            raise AttachmentError(f"任务进展 {owner_id} 不存在或已被撤销。")
        progress, task, policy = row
        latest = s.scalar(select(TaskProgress.status).where(TaskProgress.task_id == task.id)
                          .order_by(TaskProgress.reported_on.desc(), TaskProgress.id.desc()).limit(1))
        names = tuple(dict.fromkeys(s.scalars(
            select(Department.name).join(TaskUnit, TaskUnit.department_id == Department.id)
            .where(TaskUnit.task_id == task.id).order_by(TaskUnit.position))))
        return Owner(kind, owner_id, f"{policy}/{task.clause}/{progress.id}", names, str(latest), policy, task.clause)
    if kind == "milestone":
        m = s.get(Milestone, owner_id)
        if m is None:
            raise AttachmentError(f"推进节点 {owner_id} 不存在。")
        policy, clause = _task_of(s, m)
        return Owner(kind, owner_id, f"{policy}/{clause}/{m.title}", tuple(m.units), m.status, policy, clause)
    if kind == "extension_request":
        r = s.get(ExtensionRequest, owner_id)
        if r is None:
            raise AttachmentError(f"延期申请 {owner_id} 不存在。")
        m = s.get(Milestone, r.milestone_id)
        policy, clause = _task_of(s, m)
        return Owner(kind, owner_id, f"{policy}/{clause}/{m.title}/延期申请{r.id}", (r.unit,), r.state, policy, clause)
    raise AttachmentError(f"未知的材料归属：{kind!r}（应为 {'、'.join(OWNER_KINDS)}）")


def _task_of(s: Session, m: Milestone) -> tuple[str, str]:
    task = s.get(Task, m.task_id)
    return s.get(Policy, task.policy_id).code, task.clause


# ------------------------------------------------------------------ writes

def _record(a: Attachment) -> dict[str, Any]:
    return {"file_name": a.file_name, "kind": a.kind, "size": a.size, "sha256": a.sha256, "owner": a.owner_kind,
            "owner_id": a.owner_id}


def add_attachments(s: Session, kind: str, owner_id: int, files: Iterable[CheckedFile], *, who: str,
                    authorize: Authorize, reason: str = "上传佐证材料") -> list[int]:
    """Store checked files for an owner in the session's transaction, one audit row each; returns their ids.
    Refused (nothing stored) when authorize raises, the owner is missing, or a file is not of an accepted kind or
    its bytes do not match their SHA-256."""
    owner = owner_of(s, kind, int(owner_id))
    authorize(owner)
    files = list(files)
    for f in files:
        if f.kind not in ACCEPTED_KINDS or hashlib.sha256(f.data).hexdigest() != f.sha256 or not f.data:
            raise AttachmentError(f"文件“{f.name}”未经检查或已损坏，未保存任何材料。")
    ids = []
    for f in files:
        row = Attachment(owner_kind=kind, owner_id=int(owner_id), file_name=f.name, kind=f.kind, mime=f.mime,
                         size=len(f.data), sha256=f.sha256, content=f.data, uploaded_by=who, uploaded_at=now())
        s.add(row)
        s.flush()
        write_audit(s, who=who, action="create", entity="attachment", key=f"{owner.key}/佐证材料{row.id}", old=None,
                    new=_record(row), reason=reason)
        ids.append(int(row.id))
    return ids


def attach(engine: Engine, kind: str, owner_id: int, files: Iterable[CheckedFile], *, who: str,
           authorize: Authorize, reason: str = "上传佐证材料") -> list[int]:
    """add_attachments in a transaction of its own."""
    with session_scope(engine) as s:
        return add_attachments(s, kind, owner_id, files, who=who, authorize=authorize, reason=reason)


def delete_attachment(engine: Engine, attachment_id: int, *, who: str,
                      authorize: Callable[[Owner, dict[str, Any]], None], reason: str = "删除佐证材料") -> None:
    """Delete one attachment (audited with its name, size and SHA-256); authorize(owner, record) decides, inside
    the transaction, with record = the attachment's fields (uploaded_by among them)."""
    with session_scope(engine) as s:
        row = s.get(Attachment, int(attachment_id))
        if row is None:
            raise AttachmentError(f"佐证材料 {attachment_id} 不存在或已被删除。")
        owner = owner_of(s, row.owner_kind, row.owner_id)
        record = {**_record(row), "uploaded_by": row.uploaded_by}
        authorize(owner, record)
        write_audit(s, who=who, action="delete", entity="attachment", key=f"{owner.key}/佐证材料{row.id}",
                    old=_record(row), new=None, reason=reason.strip() or "删除佐证材料")
        s.delete(row)


# ------------------------------------------------------------------ reads

def read_attachments(engine: Engine) -> pd.DataFrame:
    """Every attachment without its bytes (columns LIST_COLUMNS), oldest first."""
    a = Attachment
    stmt = select(a.id.label("attachment_id"), a.owner_kind, a.owner_id, a.file_name, a.kind, a.mime, a.size,
                  a.sha256, a.uploaded_by, a.uploaded_at).order_by(a.id)
    return frame_of(engine, stmt)[LIST_COLUMNS]


def attachment_file(engine: Engine, attachment_id: int) -> tuple[str, str, bytes]:
    """(file name, MIME type, bytes) of one attachment; AttachmentError when it is gone."""
    with read_session(engine) as s:
        row = s.execute(select(Attachment.file_name, Attachment.mime, Attachment.content)
                        .where(Attachment.id == int(attachment_id))).first()
    if row is None:
        raise AttachmentError(f"佐证材料 {attachment_id} 不存在或已被删除。")
    return str(row[0]), str(row[1]), bytes(row[2])


def count_attachments(engine: Engine) -> int:
    """How many attachments the database holds (0 for a database older than the table)."""
    if not inspect(engine).has_table(Attachment.__tablename__):
        return 0
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(Attachment)).scalar_one())


def count_in_sqlite_file(path: str | Path) -> int:
    """How many attachments a SQLite file (e.g. a backup copy) holds, read without changing the file."""
    conn = sqlite3.connect(f"file:{Path(path)}?mode=ro", uri=True)
    try:
        if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'attachment'").fetchone() is None:
            return 0
        return int(conn.execute("SELECT count(*) FROM attachment").fetchone()[0])
    finally:
        conn.close()
