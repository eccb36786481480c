"""Milestones in the store: loading the plans (idempotent, audited), reading them as DataFrames, and the audited
writes of 督办 — editing milestones, chasing, and every step of an extension request. Who may do what is decided
in supervision/rules.py; this module only calls it inside the write's transaction."""
from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from store import catalogue as cat
from store.audit import write_audit
from store.engine import now, session_scope
from store.milestone_tables import Chase, ExtensionRequest, Milestone
from store.models import SYSTEM_USER, Department, Policy, Task
from store.plans import load_plan
from store.reads import frame_of
from store.sync import department_resolver
from supervision import rules
from vocab.accounts import Account
from vocab.labels import MILESTONE_STATUSES

EDITABLE_FIELDS = ("title", "due_date", "units", "status", "evidence", "completed_on")


class MilestoneError(ValueError):
    """Bad input for a milestone write; the message is a Chinese sentence naming the milestone and the field."""


def _milestone_dict(m: Milestone) -> dict[str, Any]:
    return {"title": m.title, "due_date": m.due_date.isoformat(), "original_due_date": m.original_due_date.isoformat(),
            "units": list(m.units), "status": m.status, "evidence": m.evidence,
            "completed_on": m.completed_on.isoformat() if m.completed_on else None, "version": m.version}


def _key(s: Session, m: Milestone) -> str:
    task = s.get(Task, m.task_id)
    policy = s.get(Policy, task.policy_id)
    return f"{policy.code}/{task.clause}/{m.title}"


# ------------------------------------------------------------------ loading the plans

def load_milestones(engine: Engine, policy: cat.Policy, *, with_sample: bool = True, who: str = SYSTEM_USER) -> int:
    """Add the plan file's milestones that the store lacks (never overwrites an edited milestone); audited.
    Sample plans (is_sample = true) load only with_sample. Returns how many were added."""
    plan = load_plan(policy)
    if not plan.milestones or (plan.is_sample and not with_sample):
        return 0
    added = 0
    with session_scope(engine) as s:
        pol = s.scalar(select(Policy).where(Policy.code == policy.code))
        tasks = {t.clause: t for t in s.scalars(select(Task).where(Task.policy_id == pol.id))}
        resolve = department_resolver(s.scalars(select(Department)).all())
        existing = {(m.task_id, m.title) for m in s.scalars(select(Milestone).where(
            Milestone.task_id.in_([t.id for t in tasks.values()])))}
        reason = f"载入推进节点 {plan.path.name if plan.path else policy.code}"
        for spec in plan.milestones:
            task = tasks[spec["clause"]]
            if (task.id, spec["title"]) in existing:
                continue
            m = Milestone(task_id=task.id, title=spec["title"], due_date=spec["due"], original_due_date=spec["due"],
                          units=list(dict.fromkeys(resolve(u).name for u in spec["units"])), status=spec["status"],
                          evidence=spec["evidence"], completed_on=spec["completed_on"], is_sample=plan.is_sample,
                          version=1)
            s.add(m)
            existing.add((task.id, spec["title"]))
            write_audit(s, who=who, action="create", entity="milestone",
                        key=f"{policy.code}/{spec['clause']}/{spec['title']}", old=None, new=_milestone_dict(m),
                        reason=reason)
            added += 1
    return added


# ------------------------------------------------------------------ reads

def read_milestones(engine: Engine, policy_code: str | None = None) -> pd.DataFrame:
    """One row per milestone: milestone_id, policy, clause, task_title, title, due_date, original_due_date,
    units (list of canonical names), status, evidence, completed_on, is_sample, version."""
    stmt = (select(Milestone.id.label("milestone_id"), Policy.code.label("policy"), Task.clause,
                   Task.title.label("task_title"), Milestone.title, Milestone.due_date, Milestone.original_due_date,
                   Milestone.units, Milestone.status, Milestone.evidence, Milestone.completed_on,
                   Milestone.is_sample, Milestone.version)
            .select_from(Milestone).join(Task).join(Policy).order_by(Task.id, Milestone.due_date, Milestone.id))
    if policy_code:
        stmt = stmt.where(Policy.code == policy_code)
    df = frame_of(engine, stmt)
    return df.assign(is_sample=df["is_sample"].astype(bool))


def read_chases(engine: Engine, policy_code: str | None = None) -> pd.DataFrame:
    """Every chase: chase_id, milestone_id, policy, clause, title, who, at, unit, message (oldest first)."""
    stmt = (select(Chase.id.label("chase_id"), Chase.milestone_id, Policy.code.label("policy"), Task.clause,
                   Milestone.title, Chase.who, Chase.at, Chase.unit, Chase.message)
            .select_from(Chase).join(Milestone).join(Task).join(Policy).order_by(Chase.at, Chase.id))
    if policy_code:
        stmt = stmt.where(Policy.code == policy_code)
    return frame_of(engine, stmt)


def read_extensions(engine: Engine, policy_code: str | None = None) -> pd.DataFrame:
    """Every extension request with its milestone: request_id, milestone_id, policy, clause, title, requester,
    unit, old_date, new_date, reason, state, timestamps, reviewer, review_opinion, decider, decision_note."""
    e = ExtensionRequest
    stmt = (select(e.id.label("request_id"), e.milestone_id, Policy.code.label("policy"), Task.clause,
                   Milestone.title, e.requester, e.unit, e.old_date, e.new_date, e.reason, e.state,
                   e.requested_at, e.reviewer, e.review_opinion, e.reviewed_at, e.decider, e.decision_note,
                   e.decided_at)
            .select_from(e).join(Milestone).join(Task).join(Policy).order_by(e.requested_at, e.id))
    if policy_code:
        stmt = stmt.where(Policy.code == policy_code)
    return frame_of(engine, stmt)


# ------------------------------------------------------------------ writes

def _check_changes(m: Milestone, label: str, values: dict[str, Any], departments: set[str],
                   has_approved_extension: bool) -> list[str]:
    """Every problem of one milestone's new values (Chinese, naming the milestone and the field)."""
    problems = []
    if "title" in values and not str(values["title"] or "").strip():
        problems.append(f"{label}：节点名称不能为空")
    status = values.get("status", m.status)
    if status not in MILESTONE_STATUSES:
        problems.append(f"{label}：状态“{status}”无效")
    completed = values.get("completed_on", m.completed_on)
    if status == "done" and completed is None:
        problems.append(f"{label}：状态为已完成时须填写完成日期")
    if status != "done" and completed is not None:
        problems.append(f"{label}：未完成的节点不应填写完成日期")
    if "due_date" in values:
        if not isinstance(values["due_date"], date):
            problems.append(f"{label}：截止日期无效")
        elif values["due_date"] != m.due_date and has_approved_extension:
            problems.append(f"{label}：该节点已批准延期，截止日期只能通过延期申请变更")
    if "units" in values:
        units = list(values["units"] or [])
        unknown = [u for u in units if u not in departments]
        if not units:
            problems.append(f"{label}：责任单位不能为空")
        if unknown:
            problems.append(f"{label}：责任单位“{'、'.join(unknown)}”不在单位表中（请用 data/departments.toml 的简称）")
    return problems


def update_milestones(engine: Engine, changes: list[dict[str, Any]], *, account: Account | None,
                      reason: str = "") -> int:
    """Save edits of milestones in one transaction, audited, with compare-and-set.

    Each change: milestone_id, expected_version (the version the editor opened), and any of title, due_date,
    units, status, evidence, completed_on. Any problem refuses the whole save (MilestoneError listing all)."""
    acc = rules.check_edit_milestones(account)
    written = 0
    with session_scope(engine) as s:
        departments = set(s.scalars(select(Department.name)))
        problems: list[str] = []
        todo = []
        for change in changes:
            m = s.get(Milestone, int(change["milestone_id"]))
            if m is None:
                problems.append(f"节点 {change['milestone_id']}：不存在或已被删除")
                continue
            label = f"节点“{m.title}”（{_key(s, m)}）"
            if change.get("expected_version") is not None and change["expected_version"] != m.version:
                problems.append(f"{label}：保存失败——您打开后该节点已被他人修改，请刷新后再保存")
                continue
            values = {k: change[k] for k in EDITABLE_FIELDS if k in change}
            approved = s.scalar(select(ExtensionRequest.id).where(ExtensionRequest.milestone_id == m.id,
                                                                  ExtensionRequest.state == "approved")) is not None
            problems += _check_changes(m, label, values, departments, approved)
            todo.append((m, values))
        if problems:
            raise MilestoneError("；".join(problems))
        for m, values in todo:
            old = _milestone_dict(m)
            changed = {k: v for k, v in values.items() if getattr(m, k) != v}
            if not changed:
                continue
            for k, v in changed.items():
                setattr(m, k, v)
            if "due_date" in changed:  # a plan correction (no approved extension): the plan's date moves too
                m.original_due_date = m.due_date
            m.version += 1
            write_audit(s, who=acc.login, action="update", entity="milestone", key=_key(s, m), old=old,
                        new=_milestone_dict(m), reason=reason or "修改推进节点")
            written += 1
    return written


def chase_milestone(engine: Engine, milestone_id: int, unit: str, message: str, *, account: Account | None) -> None:
    """Record a 催办 of one responsible unit for a milestone (inspectors and admins; not for done milestones)."""
    with session_scope(engine) as s:
        m = s.get(Milestone, int(milestone_id))
        if m is None:
            raise MilestoneError(f"节点 {milestone_id} 不存在")
        acc = rules.check_chase(account, done=m.status == "done")
        if unit not in m.units:
            raise MilestoneError(f"“{unit}”不是节点“{m.title}”的责任单位（{'、'.join(m.units)}）")
        row = Chase(milestone_id=m.id, who=acc.login, at=now(), unit=unit, message=message.strip())
        s.add(row)
        s.flush()
        write_audit(s, who=acc.login, action="create", entity="chase", key=f"{_key(s, m)}/{row.id}", old=None,
                    new={"unit": unit, "message": row.message}, reason="催办")


def _request_dict(r: ExtensionRequest) -> dict[str, Any]:
    return {"state": r.state, "new_date": r.new_date.isoformat(), "old_date": r.old_date.isoformat(),
            "reason": r.reason, "requester": r.requester, "unit": r.unit, "reviewer": r.reviewer,
            "review_opinion": r.review_opinion, "decider": r.decider, "decision_note": r.decision_note}


def extension_action(engine: Engine, milestone_id: int, action: str, *, account: Account | None, text: str = "",
                     new_date: date | None = None, session: Session | None = None) -> int:
    """One step of a milestone's extension request (rules.TRANSITIONS), audited with the account and time.

    request / resubmit: text = reason, new_date required; forward: text = opinion; return: text = reason;
    approve / reject: text = the leader's note (approve moves the due date; the original stays). Returns the
    request id. Refused steps raise PermissionDenied or ValueError and write nothing. session: a transaction of
    the caller's (e.g. to store the request's 佐证材料 with it)."""
    if session is not None:
        return _extension_step(session, milestone_id, action, account, text, new_date)
    with session_scope(engine) as s:
        return _extension_step(s, milestone_id, action, account, text, new_date)


def _extension_step(s: Session, milestone_id: int, action: str, account: Account | None, text: str,
                    new_date: date | None) -> int:
    m = s.get(Milestone, int(milestone_id))
    if m is None:
        raise MilestoneError(f"节点 {milestone_id} 不存在")
    req = s.scalar(select(ExtensionRequest).where(ExtensionRequest.milestone_id == m.id,
                                                  ExtensionRequest.state.in_(rules.OPEN_STATES)))
    state = req.state if req is not None else rules.NONE
    new_state = rules.extension_step(state, action, account, units=m.units,
                                     requester=req.requester if req is not None else None)
    rules.check_extension_input(action, text=text, new_date=new_date, due_date=m.due_date,
                                done=m.status == "done")
    acc: Account = account  # extension_step refused None
    old = _request_dict(req) if req is not None else None
    stamp = now()
    if action == "request":
        unit = next(u for u in m.units if u in acc.departments)
        req = ExtensionRequest(milestone_id=m.id, requester=acc.login, unit=unit, old_date=m.due_date,
                               new_date=new_date, reason=text.strip(), state=new_state, requested_at=stamp)
        s.add(req)
    elif action == "resubmit":
        req.new_date, req.reason, req.old_date = new_date, text.strip(), m.due_date
        req.requester, req.requested_at = acc.login, stamp
        req.reviewer, req.review_opinion, req.reviewed_at = None, "", None
    elif action in ("forward", "return"):
        req.reviewer, req.review_opinion, req.reviewed_at = acc.login, text.strip(), stamp
    else:
        req.decider, req.decision_note, req.decided_at = acc.login, text.strip(), stamp
    req.state = new_state
    s.flush()
    key = f"{_key(s, m)}/延期申请{req.id}"
    write_audit(s, who=acc.login, action="create" if action == "request" else "update",
                entity="extension_request", key=key, old=old, new=_request_dict(req),
                reason=rules.ACTION_LABELS[action])
    if action == "approve":
        before = _milestone_dict(m)
        m.due_date = req.new_date
        m.version += 1
        write_audit(s, who=acc.login, action="update", entity="milestone", key=_key(s, m), old=before,
                    new=_milestone_dict(m), reason=f"批准延期申请 {req.id}")
    return int(req.id)
