"""The 佐证材料 table: files attached to a task progress report, a milestone reported done or an extension request,
stored in the database itself so that every app process (and every backup) has them."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from store.models import Base

OWNER_KINDS = ("task_progress", "milestone", "extension_request")  # the audit log's entity names


class Attachment(Base):
    """One checked file (dataio/evidence.py) and what it belongs to. The owner is named by its entity and id, not
    by a foreign key: reverting a progress report deletes that row, and its evidence stays in the store (and in
    the audit log) instead of blocking the revert. The bytes are left out of db.dump (the sha256 stands for them)."""
    __tablename__ = "attachment"
    __table_args__ = (Index("ix_attachment_owner", "owner_kind", "owner_id"), {"info": {"dump_omit": ("content",)}})
    id: Mapped[int] = mapped_column(primary_key=True)
    owner_kind: Mapped[str] = mapped_column(String(20))
    owner_id: Mapped[int] = mapped_column(Integer)
    file_name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(10))        # pdf | jpeg | png | docx | xlsx (dataio.evidence.KINDS)
    mime: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by: Mapped[str] = mapped_column(String(60))  # account login
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
