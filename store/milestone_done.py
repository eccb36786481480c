"""A responsible unit reports its milestone done (办结): the completion date, the evidence text and the checked
files, in one audited transaction with compare-and-set on the milestone's version. Who may report is decided
above the store (access/evidence.py) through the `authorize` callback, inside this transaction."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import select
from sqlalchemy.engine import Engine

from store.attachments import Authorize, CheckedFile, add_attachments, owner_of
from store.audit import write_audit
from store.engine import ConcurrentEditError, session_scope
from store.milestone_tables import Milestone
from store.models import Policy, Task
from vocab.text import clean_text

EVIDENCE_REQUIRED = "请填写办结情况和佐证说明（做了什么、成果是什么、材料的文号或名称）。"


def _state(m: Milestone) -> dict:
    return {"status": m.status, "completed_on": m.completed_on.isoformat() if m.completed_on else None,
            "evidence": m.evidence, "version": m.version}


def completion_date_problem(completed_on: date, start_year: int, today: date | None = None) -> str | None:
    """A completion date lies between 1 January of the policy's start year and today."""
    today = today or date.today()
    first = date(int(start_year), 1, 1)
    if first <= completed_on <= today:
        return None
    return (f"完成日期 {completed_on:%Y-%m-%d} 超出范围：只能填写政策实施以来（{first:%Y-%m-%d}）至今天"
            f"（{today:%Y-%m-%d}）之间的日期。")


def report_done(engine: Engine, milestone_id: int, *, completed_on: date, evidence: str, who: str,
                authorize: Authorize, expected_version: int | None = None, files: Iterable[CheckedFile] = (),
                today: date | None = None) -> int:
    """Mark a milestone done with its completion date and evidence (appended to what it held), and store the
    files as its 佐证材料; audited as one update of the milestone plus one row per file. Returns the new version.
    Refused, with nothing written: a milestone already done, a version other than expected (someone changed it
    since the form was opened), an empty evidence text, a date outside the policy period."""
    evidence = clean_text(str(evidence or ""), multiline=True).strip()
    if not evidence:
        raise ValueError(EVIDENCE_REQUIRED)
    with session_scope(engine) as s:
        m = s.get(Milestone, int(milestone_id))
        if m is None:
            raise ValueError(f"推进节点 {milestone_id} 不存在。")
        owner = owner_of(s, "milestone", m.id)
        authorize(owner)
        label = f"节点“{m.title}”（{owner.key}）"
        if m.status == "done":
            raise ValueError(f"{label}已经办结（完成日期 {m.completed_on}），无需再次报送。")
        if expected_version is not None and expected_version != m.version:
            raise ConcurrentEditError(f"{label}：您打开后该节点已被他人修改，请刷新后再报送办结。")
        start_year = s.scalar(select(Policy.start_year).join(Task, Task.policy_id == Policy.id)
                              .where(Task.id == m.task_id))
        if problem := completion_date_problem(completed_on, start_year, today):
            raise ValueError(problem)
        before = _state(m)
        m.status, m.completed_on = "done", completed_on
        m.evidence = f"{m.evidence}\n{evidence}".strip() if m.evidence else evidence
        m.version += 1
        write_audit(s, who=who, action="update", entity="milestone", key=owner.key, old=before, new=_state(m),
                    reason="报送办结")
        add_attachments(s, "milestone", m.id, files, who=who, authorize=lambda _owner: None,
                        reason="办结佐证材料")
        return int(m.version)
