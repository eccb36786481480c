"""The 督办 tables: a task's milestones (节点), chases (催办) and extension requests (延期申请)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from store.models import Base
from vocab.extensions import OPEN_STATES


class Milestone(Base):
    """One staged deadline of a task. `original_due_date` is the planned date; `due_date` moves only by an
    approved extension (or a plan correction by an inspector, which moves both)."""
    __tablename__ = "milestone"
    __table_args__ = (UniqueConstraint("task_id", "title"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id"))
    title: Mapped[str] = mapped_column(String(200))
    due_date: Mapped[date] = mapped_column(Date)
    original_due_date: Mapped[date] = mapped_column(Date)
    units: Mapped[list] = mapped_column(JSON, default=list)  # canonical department names
    status: Mapped[str] = mapped_column(String(12), default="not_started")  # not_started | in_progress | done
    evidence: Mapped[str] = mapped_column(Text, default="")
    completed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)


class Chase(Base):
    """催办: an inspector pressed a unit about a milestone."""
    __tablename__ = "chase"
    id: Mapped[int] = mapped_column(primary_key=True)
    milestone_id: Mapped[int] = mapped_column(ForeignKey("milestone.id"))
    who: Mapped[str] = mapped_column(String(60))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    unit: Mapped[str] = mapped_column(String(60))
    message: Mapped[str] = mapped_column(Text, default="")


_OPEN = "state IN (" + ", ".join(f"'{s}'" for s in OPEN_STATES) + ")"


class ExtensionRequest(Base):
    """延期申请 through its states (vocab.extensions.MOVES; supervision/rules.py: who may make each move). At most
    one open request per milestone (a partial unique index: two requests made at the same moment cannot both be
    stored); `version` rises with every step, which names the version it acts on."""
    __tablename__ = "extension_request"
    __table_args__ = (Index("uq_extension_request_open", "milestone_id", unique=True,
                            sqlite_where=text(_OPEN), postgresql_where=text(_OPEN)),)
    id: Mapped[int] = mapped_column(primary_key=True)
    milestone_id: Mapped[int] = mapped_column(ForeignKey("milestone.id"))
    requester: Mapped[str] = mapped_column(String(60))  # account login
    unit: Mapped[str] = mapped_column(String(60))
    old_date: Mapped[date] = mapped_column(Date)
    new_date: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(12))
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reviewer: Mapped[str | None] = mapped_column(String(60), nullable=True)
    review_opinion: Mapped[str] = mapped_column(Text, default="")
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    decider: Mapped[str | None] = mapped_column(String(60), nullable=True)
    decision_note: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
