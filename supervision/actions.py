"""The checked 督办 writes, one layer above the store (as access.guard is for data): the account's role is checked
here by supervision/rules.py against what the actor saw, then the store writes it as a compare-and-set on that
same state, date and version (so the check and the write concern one and the same request). Pages and CLI call
these; never the store's 督办 writes directly."""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from store import extensions, milestones
from supervision import rules
from vocab.accounts import Account, PermissionDenied


def edit_milestones_as(engine: Engine, account: Account | None, changes: list[dict[str, Any]], *,
                       reason: str = "") -> int:
    """Inspectors and admins edit milestone plans (store.milestones.update_milestones: compare-and-set per row)."""
    acc = rules.check_edit_milestones(account)
    return milestones.update_milestones(engine, changes, who=acc.login, reason=reason)


def chase_as(engine: Engine, account: Account | None, milestone_id: int, unit: str, message: str) -> int:
    """Inspectors and admins chase a responsible unit about a milestone not yet done."""
    acc = rules.check_chase(account)
    return milestones.add_chase(engine, milestone_id, unit, message, who=acc.login)


def request_extension_as(engine: Engine, account: Account | None, milestone_id: int, *, new_date: date | None,
                         reason: str, seen_due_date: date, session: Session | None = None) -> int:
    """An editor of a responsible unit asks to move the milestone's due date (the one it saw) to new_date.
    Returns the request id."""
    current = extensions.open_request(engine, milestone_id)
    rules.extension_step(current["state"], "request", account, units=current["units"])
    rules.check_extension_input("request", text=reason, new_date=new_date, due_date=current["due_date"],
                                done=current["done"])
    acc: Account = account  # extension_step refused None
    unit = next(u for u in current["units"] if u in acc.departments)
    return extensions.request_extension(engine, milestone_id, unit=unit, who=acc.login, new_date=new_date,
                                        reason=reason, seen_due_date=seen_due_date, session=session)


def extension_step_as(engine: Engine, account: Account | None, request_id: int, action: str, *, seen_state: str,
                      seen_new_date: date, seen_version: int | None = None, text: str = "",
                      new_date: date | None = None, seen_due_date: date | None = None,
                      session: Session | None = None) -> str:
    """One step (forward, return, resubmit, approve, reject) on the request as the actor saw it (state, new date,
    version): the role is checked for that state, the store refuses when the request is no longer so. Returns the
    new state."""
    request = extensions.request_row(engine, request_id)
    rules.extension_step(seen_state, action, account, units=request["units"], requester=request["requester"])
    rules.check_extension_input(action, text=text, new_date=new_date, due_date=seen_due_date)
    acc: Account = account
    if action in rules.UNIT_ACTIONS and request["unit"] not in acc.departments:
        raise PermissionDenied(f"这件延期申请由{request['unit']}提出，只能由该单位重新提交。")
    return extensions.extension_step(engine, request_id, action, who=acc.login, seen_state=seen_state,
                                     seen_new_date=seen_new_date, seen_version=seen_version, text=text,
                                     new_date=new_date, seen_due_date=seen_due_date, session=session)

