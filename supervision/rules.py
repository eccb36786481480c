"""Who may do what in 督办, in one place: editing milestones, chasing, and the extension workflow.

The extension workflow is the table TRANSITIONS: (state, action, role) → new state. Anything not in the table is
refused. "none" is a milestone without an open request; approved and rejected are final (a new request starts
again from "none"). Pure: no database; the store calls these inside its write transactions."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from vocab.accounts import ROLE_LABELS, Account, PermissionDenied

NONE = "none"
STATES: tuple[str, ...] = (NONE, "requested", "returned", "forwarded", "approved", "rejected")
OPEN_STATES: tuple[str, ...] = ("requested", "returned", "forwarded")
ACTIONS: tuple[str, ...] = ("request", "forward", "return", "resubmit", "approve", "reject")

STATE_LABELS = {NONE: "无申请", "requested": "待督查室审核", "returned": "已退回单位", "forwarded": "待领导审批",
                "approved": "已批准", "rejected": "不批准"}
ACTION_LABELS = {"request": "提出延期申请", "forward": "同意上报", "return": "退回", "resubmit": "重新提交",
                 "approve": "批准", "reject": "不批准"}

TRANSITIONS: dict[tuple[str, str, str], str] = {
    (NONE, "request", "editor"): "requested",
    ("requested", "forward", "inspector"): "forwarded",
    ("requested", "return", "inspector"): "returned",
    ("returned", "resubmit", "editor"): "requested",
    ("forwarded", "approve", "admin"): "approved",
    ("forwarded", "reject", "admin"): "rejected",
}
UNIT_ACTIONS = ("request", "resubmit")              # by an editor of a responsible unit
REVIEW_ACTIONS = ("forward", "return", "approve", "reject")  # never by the requester
TEXT_REQUIRED = {"request": "延期理由", "resubmit": "延期理由", "forward": "审核意见", "return": "退回理由",
                 "reject": "不批准的理由"}

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
    """The fields an action needs (reason, opinion, a new date after the current due date); ValueError otherwise."""
    if action in TEXT_REQUIRED and not text.strip():
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


def check_chase(account: Account | None, *, done: bool) -> Account:
    """Only inspectors and admins chase, and only milestones not yet done."""
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
