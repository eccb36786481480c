"""The extension request (延期申请) as states and moves: which state each action starts from and leads to, and
their Chinese words. Vocabulary: the store keeps every move a compare-and-set on the state it starts from;
supervision/rules.py adds who may make it."""
from __future__ import annotations

NONE = "none"  # a milestone without an open request
STATES: tuple[str, ...] = (NONE, "requested", "returned", "forwarded", "approved", "rejected")
OPEN_STATES: tuple[str, ...] = ("requested", "returned", "forwarded")  # at most one per milestone
ACTIONS: tuple[str, ...] = ("request", "forward", "return", "resubmit", "approve", "reject")
MOVES: dict[str, tuple[str, str]] = {  # action → (from state, to state); approved and rejected are final
    "request": (NONE, "requested"),
    "forward": ("requested", "forwarded"),
    "return": ("requested", "returned"),
    "resubmit": ("returned", "requested"),
    "approve": ("forwarded", "approved"),
    "reject": ("forwarded", "rejected"),
}
DATE_ACTIONS = ("request", "resubmit")               # name a new date
MOVING_ACTIONS = ("request", "resubmit", "forward", "approve")  # carry a date forward: never for a done milestone

STATE_LABELS = {NONE: "无申请", "requested": "待督查室审核", "returned": "已退回单位", "forwarded": "待领导审批",
                "approved": "已批准", "rejected": "不批准"}
ACTION_LABELS = {"request": "提出延期申请", "forward": "同意上报", "return": "退回", "resubmit": "重新提交",
                 "approve": "批准", "reject": "不批准"}
TEXT_REQUIRED = {"request": "延期理由", "resubmit": "延期理由", "forward": "审核意见", "return": "退回理由",
                 "reject": "不批准的理由"}
