"""Extension requests (延期申请) in the store: a new request, and every later step bound to what its actor saw.

Each step is an UPDATE … WHERE on the request's id, state, new date and version (and the milestone's version when
an approval moves its due date), with the rows locked FOR UPDATE on PostgreSQL: a step based on a request or
milestone someone changed since is refused (ConcurrentEditError), never applied. One open request per milestone
(the partial unique index uq_extension_request_open). Who may take a step is decided one layer up
(supervision/rules.py, checked by supervision/actions.py)."""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from store import limits
from store.audit import write_audit
from store.engine import ConcurrentEditError, now, read_session, write_scope
from store.milestone_tables import ExtensionRequest, Milestone
from store.milestones import MilestoneError, bounded_text, milestone_dict, milestone_key
from vocab.extensions import (
    ACTION_LABELS,
    DATE_ACTIONS,
    MOVES,
    MOVING_ACTIONS,
    NONE,
    OPEN_STATES,
    STATE_LABELS,
)


def _request_dict(r: ExtensionRequest) -> dict[str, Any]:
    return {"state": r.state, "new_date": r.new_date.isoformat(), "old_date": r.old_date.isoformat(),
            "reason": r.reason, "requester": r.requester, "unit": r.unit, "reviewer": r.reviewer,
            "review_opinion": r.review_opinion, "decider": r.decider, "decision_note": r.decision_note,
            "version": r.version}


def open_request(engine: Engine, milestone_id: int) -> dict[str, Any] | None:
    """The milestone's open extension request as stored now (request_id, state, new_date, version, requester),
    with the milestone's units, due date and status; None without one (then state is vocab.extensions.NONE)."""
    with read_session(engine) as s:
        m = s.get(Milestone, int(milestone_id))
        if m is None:
            raise MilestoneError(f"节点 {milestone_id} 不存在")
        r = s.scalar(select(ExtensionRequest).where(ExtensionRequest.milestone_id == m.id,
                                                    ExtensionRequest.state.in_(OPEN_STATES)))
        return {"units": list(m.units), "due_date": m.due_date, "done": m.status == "done",
                "request_id": r.id if r else None, "state": r.state if r else NONE,
                "new_date": r.new_date if r else None, "version": r.version if r else None,
                "requester": r.requester if r else None}


def request_row(engine: Engine, request_id: int) -> dict[str, Any]:
    """A request as stored now with its milestone's units: request_id, milestone_id, state, new_date, version,
    requester, unit, units (for the role check above the store)."""
    with read_session(engine) as s:
        r = s.get(ExtensionRequest, int(request_id))
        if r is None:
            raise MilestoneError(f"延期申请 {request_id} 不存在")
        m = s.get(Milestone, r.milestone_id)
        return {"request_id": r.id, "milestone_id": r.milestone_id, "state": r.state, "new_date": r.new_date,
                "version": r.version, "requester": r.requester, "unit": r.unit, "units": list(m.units)}


def request_extension(engine: Engine, milestone_id: int, *, unit: str, who: str, new_date: date, reason: str,
                      seen_due_date: date, session: Session | None = None) -> int:
    """A unit asks for more time: a new request of the milestone whose due date the requester saw (seen_due_date)
    — refused when that date has changed since, when the milestone is done, or when the new date is not after
    the due date or out of bounds; one open request per milestone (a second one made at the same moment is
    refused by the database's partial unique index). session: the caller's transaction (the request's files are
    stored with it). Returns the request id."""
    with write_scope(engine, session) as s:
        m = s.get(Milestone, int(milestone_id), with_for_update=True)
        if m is None:
            raise MilestoneError(f"节点 {milestone_id} 不存在")
        label = f"节点“{m.title}”"
        if unit not in m.units:
            raise MilestoneError(f"“{unit}”不是{label}的责任单位（{'、'.join(m.units)}），不能为它申请延期")
        _check_date_move(m, new_date, label, seen_due_date=seen_due_date)
        text, problem = bounded_text(reason, limits.REASON_LENGTH, "延期理由", label, multiline=True)
        if problem or not text:
            raise MilestoneError(problem or "请填写延期理由。")
        if s.scalar(select(ExtensionRequest.id).where(ExtensionRequest.milestone_id == m.id,
                                                      ExtensionRequest.state.in_(OPEN_STATES))) is not None:
            raise ConcurrentEditError(f"{label}已有未办结的延期申请（可能他人刚刚提出），请刷新后查看。")
        req = ExtensionRequest(milestone_id=m.id, requester=who, unit=unit, old_date=m.due_date, new_date=new_date,
                               reason=text, state=MOVES["request"][1], requested_at=now(), version=1)
        try:
            with s.begin_nested():
                s.add(req)
                s.flush()
        except IntegrityError as exc:  # the partial unique index: another request committed first
            raise ConcurrentEditError(f"{label}已有未办结的延期申请（他人刚刚提出），请刷新后查看。") from exc
        write_audit(s, who=who, action="create", entity="extension_request", key=f"{milestone_key(s, m)}/延期申请{req.id}",
                    old=None, new=_request_dict(req), reason="提出延期申请")
        return int(req.id)


def _check_date_move(m: Milestone, new_date: date | None, label: str, *, seen_due_date: date | None = None) -> None:
    """A date carried forward (request, resubmit, forward, approve) needs a milestone not yet done, the due date
    the actor saw, and a new date after the current due date and within bounds."""
    if m.status == "done":
        raise MilestoneError(f"{label}已完成，不能再延期（已完成的节点按其完成日期判断是否按期）")
    if seen_due_date is not None and seen_due_date != m.due_date:
        raise ConcurrentEditError(f"{label}的截止日期已由 {seen_due_date.isoformat()} 变更为 "
                                  f"{m.due_date.isoformat()}，请刷新后核对再办理。")
    if problem := limits.date_problem(new_date, "延期后的日期"):
        raise MilestoneError(f"{label}：{problem}")
    if new_date <= m.due_date:
        raise MilestoneError(f"{label}：延期后的日期（{new_date.isoformat()}）须晚于当前截止日期"
                             f"（{m.due_date.isoformat()}）")


def extension_step(engine: Engine, request_id: int, action: str, *, who: str, seen_state: str,
                   seen_new_date: date, seen_version: int | None = None, text: str = "",
                   new_date: date | None = None, seen_due_date: date | None = None,
                   session: Session | None = None) -> str:
    """One step on an existing request (forward, return, resubmit, approve, reject), bound to what the actor saw:
    the request's state, its new date and (when given) its version. UPDATE … WHERE id, state, new_date and version
    are those: if anything changed since, nothing is written (ConcurrentEditError). resubmit names a new date (and
    the due date seen); forward, resubmit and approve need a milestone not yet done and a date after its current
    due date; approve moves the due date (UPDATE … WHERE the milestone's version is the one read). Audited.
    session: the caller's transaction (files stored with the step). Returns the new state."""
    start, end = MOVES[action]
    if action == "request":
        raise ValueError("提出新的延期申请请用 request_extension")
    if seen_state != start:
        raise MilestoneError(f"申请当前为“{STATE_LABELS.get(seen_state, seen_state)}”，不能“{ACTION_LABELS[action]}”")
    with write_scope(engine, session) as s:
        req = s.get(ExtensionRequest, int(request_id), with_for_update=True)
        if req is None:
            raise MilestoneError(f"延期申请 {request_id} 不存在")
        m = s.get(Milestone, req.milestone_id, with_for_update=True)
        label = f"节点“{m.title}”的延期申请 {req.id}"
        if (req.state, req.new_date) != (seen_state, seen_new_date) or seen_version not in (None, req.version):
            raise ConcurrentEditError(
                f"{label}已变更（现为“{STATE_LABELS.get(req.state, req.state)}”，申请延期至 "
                f"{req.new_date.isoformat()}），与您看到的不同：请刷新后核对再办理，本次未作任何改动。")
        target = new_date if action in DATE_ACTIONS else req.new_date
        if action in MOVING_ACTIONS:
            _check_date_move(m, target, label, seen_due_date=seen_due_date if action in DATE_ACTIONS else None)
        what = {"resubmit": "延期理由", "forward": "审核意见", "return": "退回理由"}.get(action, "批示")
        clean, problem = bounded_text(text, limits.REASON_LENGTH, what, label, multiline=True)
        if problem:
            raise MilestoneError(problem)
        old, stamp = _request_dict(req), now()
        values: dict[str, Any] = {"state": end, "version": req.version + 1}
        if action == "resubmit":
            values.update(new_date=target, reason=clean, old_date=m.due_date, requester=who, requested_at=stamp,
                          reviewer=None, review_opinion="", reviewed_at=None)
        elif action in ("forward", "return"):
            values.update(reviewer=who, review_opinion=clean, reviewed_at=stamp)
        else:
            values.update(decider=who, decision_note=clean, decided_at=stamp)
        done = s.execute(update(ExtensionRequest)
                         .where(ExtensionRequest.id == req.id, ExtensionRequest.state == seen_state,
                                ExtensionRequest.new_date == seen_new_date, ExtensionRequest.version == req.version)
                         .values(**values).execution_options(synchronize_session="fetch"))
        if done.rowcount != 1:
            raise ConcurrentEditError(f"{label}刚刚已被他人办理，本次未作任何改动：请刷新后核对。")
        s.refresh(req)
        write_audit(s, who=who, action="update", entity="extension_request", key=f"{milestone_key(s, m)}/延期申请{req.id}",
                    old=old, new=_request_dict(req), reason=ACTION_LABELS[action])
        if action == "approve":
            _move_due_date(s, m, req, who)
        return end


def _move_due_date(s: Session, m: Milestone, req: ExtensionRequest, who: str) -> None:
    """The approved date becomes the due date: UPDATE … WHERE the milestone is still the one read (version), not
    done, and its due date still before the approved date."""
    before = milestone_dict(m)
    done = s.execute(update(Milestone).where(Milestone.id == m.id, Milestone.version == m.version,
                                             Milestone.status != "done", Milestone.due_date < req.new_date)
                     .values(due_date=req.new_date, version=m.version + 1)
                     .execution_options(synchronize_session="fetch"))
    if done.rowcount != 1:
        raise ConcurrentEditError(f"节点“{m.title}”刚刚已被他人修改，延期申请 {req.id} 未批准：请刷新后核对。")
    s.refresh(m)
    write_audit(s, who=who, action="update", entity="milestone", key=milestone_key(s, m), old=before,
                new=milestone_dict(m), reason=f"批准延期申请 {req.id}")
