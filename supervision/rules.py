"""Who may do what in 督办, in one place: editing milestones, chasing, and the extension workflow.

The extension workflow is the table TRANSITIONS: (state, action, role) → new state, built from the moves of
vocab.extensions and the one role each action belongs to. Anything not in the table is refused. Pure: no
database; supervision/actions.py checks these before it calls the store, which keeps every move a compare-and-set
on the state and date the actor saw."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from vocab.accounts import ROLE_LABELS, Account, PermissionDenied
from vocab.extensions import (
    ACTION_LABELS,
    ACTIONS,
    DATE_ACTIONS,
    MOVES,
    NONE,
    OPEN_STATES,
    STATE_LABELS,
    STATES,
    TEXT_REQUIRED,
)

__all__ = ["ACTIONS", "ACTION_LABELS", "NONE", "OPEN_STATES", "STATES", "STATE_LABELS", "TEXT_REQUIRED",
           "TRANSITIONS", "check_chase", "check_edit_milestones", "check_extension_input", "extension_step", "may"]

ACTION_ROLES = {"request": "editor", "forward": "inspector", "return": "inspector", "resubmit": "editor",
                "approve": "admin", "reject": "admin"}
TRANSITIONS: dict[tuple[str, str, str], str] = {(MOVES[a][0], a, ACTION_ROLES[a]): MOVES[a][1] for a in ACTIONS}
UNIT_ACTIONS = DATE_ACTIONS                          # by an editor of a responsible unit
REVIEW_ACTIONS = ("forward", "return", "approve", "reject")  # never by the requester

MILESTONE_EDITORS = ("inspector", "admin")
CHASERS = ("inspector", "admin")


def _logged_in(account: Account | None) -> Account:
    if account is None:
        raise PermissionDenied("请先登录：督办操作需要登录账号。")
    return account


def _roles_text(roles: Iterable[str]) -> str:
    return "或".join(f"“{ROLE_LABELS[r]}”" for r in roles)


def extension_step(state: str, action: str, account: Account | None, *, units: Iterable[str],
                   requester: str | None = None) -> str:
    """The state after `action` on a request in `state` by `account`, or PermissionDenied with the reason.

    units: the milestone's responsible units; requester: the login of whoever filed the request."""
    acc = _logged_in(account)
    if state not in STATES or action not in ACTIONS:
        raise ValueError(f"未知的申请状态或操作：{state!r}, {action!r}")
    new = TRANSITIONS.get((state, action, acc.role))
    if new is None:
        allowed_roles = [role for (s, a, role) in TRANSITIONS if s == state and a == action]
        if allowed_roles:
            raise PermissionDenied(f"“{ACTION_LABELS[action]}”只能由{_roles_text(allowed_roles)}账号办理，"
                                   f"您的角色是“{ROLE_LABELS.get(acc.role, acc.role)}”。")
        if action == "request" and state in OPEN_STATES:
            raise PermissionDenied(f"该节点已有未办结的延期申请（{STATE_LABELS[state]}），不能重复申请。")
        possible = "、".join(ACTION_LABELS[a] for (s, a, _r) in TRANSITIONS if s == state) or "无（已办结）"
        raise PermissionDenied(f"申请当前为“{STATE_LABELS[state]}”，不能“{ACTION_LABELS[action]}”；"
                               f"此时可办理：{possible}。")
    if action in UNIT_ACTIONS and not set(acc.departments) & set(units):
        raise PermissionDenied(f"只能为本单位负责的节点申请延期：该节点的责任单位是{'、'.join(units)}。")
    if action in REVIEW_ACTIONS and requester is not None and acc.login == requester:
        raise PermissionDenied("不能审核或审批自己提出的延期申请。")
    return new


def check_extension_input(action: str, *, text: str = "", new_date: date | None = None,
                          due_date: date | None = None, done: bool = False) -> None:
    """The fields an action needs (reason, opinion, a new date after the current due date); ValueError otherwise.
    The store checks the dates again against the milestone as stored (and their bounds)."""
    if action in TEXT_REQUIRED and not str(text or "").strip():
        raise ValueError(f"请填写{TEXT_REQUIRED[action]}。")
    if action in UNIT_ACTIONS:
        if done:
            raise ValueError("该节点已完成，不需要延期。")
        if new_date is None:
            raise ValueError("请填写申请延期到的日期。")
        if due_date is not None and new_date <= due_date:
            raise ValueError(f"延期后的日期（{new_date.isoformat()}）须晚于当前截止日期（{due_date.isoformat()}）。")


def check_edit_milestones(account: Account | None) -> Account:
    """Only inspectors and admins edit milestone plans."""
    acc = _logged_in(account)
    if acc.role not in MILESTONE_EDITORS:
        raise PermissionDenied(f"只有{_roles_text(MILESTONE_EDITORS)}账号可以修改推进节点。")
    return acc


def check_chase(account: Account | None, *, done: bool = False) -> Account:
    """Only inspectors and admins chase, and only milestones not yet done (the store checks that again)."""
    acc = _logged_in(account)
    if acc.role not in CHASERS:
        raise PermissionDenied(f"只有{_roles_text(CHASERS)}账号可以催办。")
    if done:
        raise ValueError("该节点已完成，无需催办。")
    return acc


def may(check, *args, **kwargs) -> bool:
    """True when the check passes: pages use it to decide which forms to show (the store checks again)."""
    try:
        check(*args, **kwargs)
    except (PermissionDenied, ValueError):
        return False
    return True
