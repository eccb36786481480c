"""Milestones in the store: loading the plans (idempotent, audited), reading them as DataFrames, and the audited
writes of 督办 — editing milestones, chasing, and every step of an extension request.

The store keeps the data's invariants, on SQLite and PostgreSQL alike: every write names the version, state and
date it acts on and is an UPDATE … WHERE on them (the rows also locked FOR UPDATE on PostgreSQL), so a write based
on what someone else has changed since is refused (ConcurrentEditError), never applied; one open request per
milestone (a partial unique index); dates within bounds; texts cleaned and bounded. Who may do what is decided one
layer up (supervision/rules.py, checked by supervision/actions.py)."""
from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from store import catalogue as cat
from store import limits
from store.audit import write_audit
from store.engine import ConcurrentEditError, now, session_scope
from store.milestone_tables import Chase, ExtensionRequest, Milestone
from store.models import SYSTEM_USER, Department, Policy, Task
from store.plans import load_plan
from store.reads import frame_of
from store.sync import department_resolver
from vocab.labels import MILESTONE_STATUSES
from vocab.text import clean_text

EDITABLE_FIELDS = ("title", "due_date", "units", "status", "evidence", "completed_on")


class MilestoneError(ValueError):
    """Bad input for a milestone write; the message is a Chinese sentence naming the milestone and the field."""


def milestone_dict(m: Milestone) -> dict[str, Any]:
    return {"title": m.title, "due_date": m.due_date.isoformat(), "original_due_date": m.original_due_date.isoformat(),
            "units": list(m.units), "status": m.status, "evidence": m.evidence,
            "completed_on": m.completed_on.isoformat() if m.completed_on else None, "version": m.version}


def milestone_key(s: Session, m: Milestone) -> str:
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
                        key=f"{policy.code}/{spec['clause']}/{spec['title']}", old=None, new=milestone_dict(m),
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
    unit, old_date, new_date, reason, state, timestamps, reviewer, review_opinion, decider, decision_note, version
    (what a step names: it acts only on the request as it was read)."""
    e = ExtensionRequest
    stmt = (select(e.id.label("request_id"), e.milestone_id, Policy.code.label("policy"), Task.clause,
                   Milestone.title, e.requester, e.unit, e.old_date, e.new_date, e.reason, e.state,
                   e.requested_at, e.reviewer, e.review_opinion, e.reviewed_at, e.decider, e.decision_note,
                   e.decided_at, e.version)
            .select_from(e).join(Milestone).join(Task).join(Policy).order_by(e.requested_at, e.id))
    if policy_code:
        stmt = stmt.where(Policy.code == policy_code)
    return frame_of(engine, stmt)


# ------------------------------------------------------------------ writes

def bounded_text(value: Any, limit: int, what: str, label: str, *, multiline: bool = False) -> tuple[str, str | None]:
    """A user text cleaned (vocab.text.clean_text: \\x0b, CR and other control characters never reach a document)
    and its problem when it is longer than its limit."""
    text = clean_text(str(value if value is not None else ""), multiline=multiline).strip()
    problem = limits.too_long(text, limit, what)
    return text, f"{label}：{problem}" if problem else None


def _database_refusal(exc: IntegrityError | DataError, label: str) -> MilestoneError:
    if isinstance(exc, IntegrityError):
        return MilestoneError(f"{label}：与已有记录冲突（同一任务下的节点名称不能重复），未保存任何修改")
    return MilestoneError(f"{label}：有文字超过数据库允许的长度，未保存任何修改")


def _check_changes(m: Milestone, label: str, values: dict[str, Any], departments: set[str],
                   has_approved_extension: bool, today: date) -> list[str]:
    """Every problem of one milestone's new values (Chinese, naming the milestone and the field); texts in
    `values` are replaced by their cleaned form."""
    problems = []
    if "title" in values:
        values["title"], problem = bounded_text(values["title"], limits.MILESTONE_TITLE_LENGTH, "节点名称", label)
        problems += [problem] if problem else []
        if not values["title"]:
            problems.append(f"{label}：节点名称不能为空")
    if "evidence" in values:
        values["evidence"], problem = bounded_text(values["evidence"], limits.EVIDENCE_LENGTH, "佐证材料", label,
                                            multiline=True)
        problems += [problem] if problem else []
    status = values.get("status", m.status)
    if status not in MILESTONE_STATUSES:
        problems.append(f"{label}：状态“{status}”无效")
    completed = values.get("completed_on", m.completed_on)
    if status == "done" and completed is None:
        problems.append(f"{label}：状态为已完成时须填写完成日期")
    if status != "done" and completed is not None:
        problems.append(f"{label}：未完成的节点不应填写完成日期")
    if values.get("completed_on") is not None:
        if problem := limits.date_problem(values["completed_on"], "完成日期"):
            problems.append(f"{label}：{problem}")
        elif values["completed_on"] > today:
            problems.append(f"{label}：完成日期 {values['completed_on'].isoformat()} 晚于今天，请填写实际完成的日期")
    if "due_date" in values:
        if problem := limits.date_problem(values["due_date"], "截止日期"):
            problems.append(f"{label}：{problem}")
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


def update_milestones(engine: Engine, changes: list[dict[str, Any]], *, who: str, reason: str = "",
                      today: date | None = None) -> int:
    """Save edits of milestones in one transaction, audited, each an UPDATE … WHERE id = ? AND version = ?.

    Each change: milestone_id, expected_version (the version the editor opened; without it, the version read in
    this transaction), and any of title, due_date, units, status, evidence, completed_on. Any problem refuses
    the whole save (MilestoneError listing all); a row changed since it was opened refuses it too
    (ConcurrentEditError). Returns how many milestones changed."""
    today = today or date.today()
    written = 0
    with session_scope(engine) as s:
        departments = set(s.scalars(select(Department.name)))
        problems: list[str] = []
        todo = []
        for change in changes:
            m = s.get(Milestone, int(change["milestone_id"]), with_for_update=True)
            if m is None:
                problems.append(f"节点 {change['milestone_id']}：不存在或已被删除")
                continue
            label = f"节点“{m.title}”（{milestone_key(s, m)}）"
            expected = change.get("expected_version")
            if expected is not None and int(expected) != m.version:
                problems.append(f"{label}：保存失败——您打开后该节点已被他人修改，请刷新后再保存")
                continue
            values = {k: change[k] for k in EDITABLE_FIELDS if k in change}
            approved = s.scalar(select(ExtensionRequest.id).where(ExtensionRequest.milestone_id == m.id,
                                                                  ExtensionRequest.state == "approved")) is not None
            problems += _check_changes(m, label, values, departments, approved, today)
            todo.append((m, label, int(expected) if expected is not None else m.version, values))
        if problems:
            raise MilestoneError("；".join(problems))
        for m, label, expected, values in todo:
            changed = {k: v for k, v in values.items() if getattr(m, k) != v}
            if not changed:
                continue
            old = milestone_dict(m)
            if "due_date" in changed:  # a plan correction (no approved extension): the plan's date moves too
                changed["original_due_date"] = changed["due_date"]
            try:
                with s.begin_nested():
                    done = s.execute(update(Milestone).where(Milestone.id == m.id, Milestone.version == expected)
                                     .values(**changed, version=expected + 1)
                                     .execution_options(synchronize_session="fetch"))
            except (IntegrityError, DataError) as exc:
                raise _database_refusal(exc, label) from exc
            if done.rowcount != 1:
                raise ConcurrentEditError(f"{label}：保存失败——您打开后该节点已被他人修改，请刷新后再保存。")
            s.refresh(m)
            write_audit(s, who=who, action="update", entity="milestone", key=milestone_key(s, m), old=old,
                        new=milestone_dict(m), reason=clean_text(reason).strip() or "修改推进节点")
            written += 1
    return written


def add_chase(engine: Engine, milestone_id: int, unit: str, message: str, *, who: str) -> int:
    """Record a 催办 of one responsible unit for a milestone not yet done (the message cleaned, one line, at most
    limits.CHASE_LENGTH characters); audited. Returns the chase's id."""
    with session_scope(engine) as s:
        m = s.get(Milestone, int(milestone_id), with_for_update=True)
        if m is None:
            raise MilestoneError(f"节点 {milestone_id} 不存在")
        if m.status == "done":
            raise MilestoneError(f"节点“{m.title}”已完成，无需催办")
        if unit not in m.units:
            raise MilestoneError(f"“{unit}”不是节点“{m.title}”的责任单位（{'、'.join(m.units)}）")
        text, problem = bounded_text(message, limits.CHASE_LENGTH, "催办内容", f"节点“{m.title}”")
        if problem:
            raise MilestoneError(problem)
        row = Chase(milestone_id=m.id, who=who, at=now(), unit=unit, message=text)
        s.add(row)
        s.flush()
        write_audit(s, who=who, action="create", entity="chase", key=f"{milestone_key(s, m)}/{row.id}", old=None,
                    new={"unit": unit, "message": row.message}, reason="催办")
        return int(row.id)
