"""Writing the audit log: every write function of the store adds its row in the same transaction. The first row
of a transaction also bumps the data version (the cache key of pages) and gives the transaction its batch id."""
from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy.orm import Session

from store.engine import now
from store.models import AuditLog, DataVersion

BATCH_KEY = "audit_batch"


def batch_id(session: Session) -> str:
    """The batch id of the session's current transaction (one per write transaction; set_batch may name it)."""
    tx = session.get_transaction()
    current = session.info.get(BATCH_KEY)
    if current is None or current[0] is not tx:
        current = (tx, uuid.uuid4().hex)
        session.info[BATCH_KEY] = current
        _bump_data_version(session)
    return current[1]


def set_batch(session: Session, batch: str) -> None:
    """Record the audit rows of this transaction under the given batch id (e.g. one import)."""
    batch_id(session)
    session.info[BATCH_KEY] = (session.get_transaction(), batch)


def _bump_data_version(session: Session) -> None:
    # an UPDATE of one row: writers serialise on it, so the counter's order is the commit order
    session.execute(update(DataVersion).where(DataVersion.id == 1).values(version=DataVersion.version + 1))


def write_audit(session: Session, *, who: str, action: str, entity: str, key: str, old: dict | None,
                new: dict | None,
                source: str = "", reason: str = "", reverts_id: int | None = None) -> AuditLog:
    """Add one audit row to the session's transaction (and bump the data version once per transaction)."""
    row = AuditLog(at=now(), who=who, action=action, entity=entity, entity_key=key, old=old, new=new,
                   source=source, reason=reason, reverts_id=reverts_id, batch_id=batch_id(session))
    session.add(row)
    return row


def write_audits(session: Session, rows: list[dict[str, Any]]) -> None:
    """Many audit rows in one INSERT … executemany (bulk writes such as an import), in the given order, under the
    transaction's batch id; the data version is bumped once per transaction, as write_audit does. Each row: who,
    action, entity, key, old, new and optionally source, reason, reverts_id."""
    if not rows:
        return
    batch, at = batch_id(session), now()
    session.execute(insert(AuditLog.__table__), [
        {"at": at, "who": r["who"], "action": r["action"], "entity": r["entity"], "entity_key": r["key"],
         "old": r["old"], "new": r["new"], "source": r.get("source", ""), "reason": r.get("reason", ""),
         "reverts_id": r.get("reverts_id"), "batch_id": batch} for r in rows])
