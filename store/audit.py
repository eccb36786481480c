"""Writing the audit log: every write function of the store adds its row in the same transaction."""
from __future__ import annotations

from sqlalchemy.orm import Session

from store.engine import now
from store.models import AuditLog


def write_audit(session: Session, *, who: str, action: str, entity: str, key: str, old: dict | None,
                new: dict | None,
                source: str = "", reason: str = "", reverts_id: int | None = None) -> AuditLog:
    row = AuditLog(at=now(), who=who, action=action, entity=entity, entity_key=key, old=old, new=new,
                   source=source, reason=reason, reverts_id=reverts_id)
    session.add(row)
    return row


