"""Who may attach, download and delete 佐证材料, and the writes that carry files, checked where they happen.

- attach: an editor for the items of its own departments (a task it leads or shares, a milestone or an extension
  request of its unit), inspectors and admins for every item;
- download: any logged-in account that is still active (checked when the bytes are served, not by a hidden button);
- delete: the uploader while the item is open (a milestone not done, an extension request not decided, a task not
  reported done), and admins.
Files are checked by their bytes (dataio/evidence.py) before anything is written; a refused file refuses the whole
write, so a report is never stored without the files its author sent."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy.engine import Engine

import db
from access import guard
from access.permissions import ADMIN_ROLES, ALL_DEPARTMENT_ROLES, WRITER_ROLES
from dataio.evidence import EvidenceFile, Limits, check_files
from store import accounts, attachments, milestone_done
from store import catalogue as cat
from supervision import actions
from supervision.rules import OPEN_STATES
from vocab.accounts import ROLES, Account, PermissionDenied

RawFile = tuple[str, bytes]  # (the name the user gave, the bytes)


def limits() -> Limits:
    """[evidence] of data/settings.toml."""
    return Limits.from_settings(cat.load_settings())


def checked(files: Iterable[RawFile]) -> list[EvidenceFile]:
    """The files checked by their bytes (EvidenceRefused, a ValueError, lists every refused one)."""
    return check_files(files, limits())


def is_open(owner: attachments.Owner) -> bool:
    """Whether the item an attachment belongs to is still open (its uploader may still remove it)."""
    if owner.kind == "extension_request":
        return owner.state in OPEN_STATES
    return owner.state != "done"


def attach_check(account: Account | None):
    """The authorize callback for adding files: the role, and for an editor its departments against the item's
    units (read inside the write's transaction)."""
    acc = guard.require(account, WRITER_ROLES, "上传佐证材料")

    def authorize(owner: attachments.Owner) -> None:
        if acc.role in ALL_DEPARTMENT_ROLES or set(acc.departments) & set(owner.units):
            return
        raise PermissionDenied(f"账号{guard.account_text(acc)}只能为本单位负责的事项上传佐证材料："
                               f"该事项的责任单位是{'、'.join(owner.units) or '（无）'}。未保存任何材料。")
    return authorize


def add_progress_as(engine: Engine, account: Account | None, policy_code: str, clause: str, *,
                    files: Iterable[RawFile] = (), **fields: Any) -> int:
    """A progress report (access.guard.add_progress_as: status, progress, evidence, reported_on, reported_by) and
    its files in one transaction; returns the report's id."""
    guard.require(account, WRITER_ROLES, "填报任务进展")
    files = checked(files)
    with db.session_scope(engine) as s:
        progress_id = guard.add_progress_as(engine, account, policy_code, clause, session=s, **fields)
        if files:
            attachments.add_attachments(s, "task_progress", progress_id, files, who=account.login,
                                        authorize=attach_check(account), reason="任务进展佐证材料")
    return progress_id


def report_done_as(engine: Engine, account: Account | None, milestone_id: int, *, completed_on: date,
                   evidence: str, files: Iterable[RawFile] = (), expected_version: int | None = None) -> int:
    """An editor of a responsible unit (or an inspector or admin) reports a milestone done with its evidence."""
    authorize = attach_check(account)
    files = checked(files)
    return milestone_done.report_done(engine, milestone_id, completed_on=completed_on, evidence=evidence,
                                      who=account.login, authorize=authorize,
                                      expected_version=expected_version, files=files)


def request_extension_as(engine: Engine, account: Account | None, milestone_id: int, *, new_date: date | None,
                         reason: str, seen_due_date: date, files: Iterable[RawFile] = ()) -> int:
    """A unit's extension request (supervision.actions: the role and the due date it saw checked) with its files,
    in one transaction; returns the request id."""
    files = checked(files)
    with db.session_scope(engine) as s:
        request_id = actions.request_extension_as(engine, account, milestone_id, new_date=new_date, reason=reason,
                                                  seen_due_date=seen_due_date, session=s)
        _attach_to_request(s, account, request_id, files)
    return request_id


def resubmit_extension_as(engine: Engine, account: Account | None, request_id: int, *, seen_new_date: date,
                          seen_version: int, reason: str, new_date: date | None, seen_due_date: date,
                          files: Iterable[RawFile] = ()) -> str:
    """A returned request resubmitted (as the unit saw it) with further files, in one transaction."""
    files = checked(files)
    with db.session_scope(engine) as s:
        state = actions.extension_step_as(engine, account, request_id, "resubmit", seen_state="returned",
                                          seen_new_date=seen_new_date, seen_version=seen_version, text=reason,
                                          new_date=new_date, seen_due_date=seen_due_date, session=s)
        _attach_to_request(s, account, request_id, files)
    return state


def _attach_to_request(s, account: Account, request_id: int, files: list[EvidenceFile]) -> None:
    if files:
        attachments.add_attachments(s, "extension_request", request_id, files, who=account.login,
                                    authorize=attach_check(account), reason="延期申请佐证材料")


def attach_as(engine: Engine, account: Account | None, owner_kind: str, owner_id: int,
              files: Iterable[RawFile]) -> list[int]:
    """Add files to an existing item (e.g. a further document for an open extension request)."""
    authorize = attach_check(account)
    return attachments.attach(engine, owner_kind, owner_id, checked(files), who=account.login, authorize=authorize)


def delete_as(engine: Engine, account: Account | None, attachment_id: int, *, reason: str = "") -> None:
    """Delete one attachment: admins always, the uploader while the item is open."""
    acc = guard.require(account, ROLES, "删除佐证材料")

    def authorize(owner: attachments.Owner, record: dict[str, Any]) -> None:
        if acc.role in ADMIN_ROLES:
            return
        if record["uploaded_by"] != acc.login:
            raise PermissionDenied(f"账号{guard.account_text(acc)}不能删除他人上传的佐证材料"
                                   f"（“{record['file_name']}”由“{record['uploaded_by']}”上传）：请联系管理员。")
        if not is_open(owner):
            raise PermissionDenied(f"“{record['file_name']}”所属事项已办结或已审核，材料不能再删除：如确有错误，"
                                   "请联系管理员。")
    attachments.delete_attachment(engine, attachment_id, who=acc.login, authorize=authorize,
                                  reason=reason or "删除佐证材料")


def download_as(engine: Engine, account: Account | None, attachment_id: int) -> tuple[str, str, bytes]:
    """(file name, MIME type, bytes) for a logged-in account that is still active; PermissionDenied otherwise."""
    if account is None or accounts.active_account(engine, account.login) is None:
        raise PermissionDenied("请先登录：下载佐证材料需要登录账号。")
    return attachments.attachment_file(engine, attachment_id)
