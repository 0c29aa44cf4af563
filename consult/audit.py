"""Recording changes in the append-only audit log."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from consult.models import AuditLog, User


def record(session: Session, action: str, entity: Any = None, *, actor: str | User = "system",
           details: dict[str, Any] | None = None, entity_type: str | None = None) -> AuditLog:
    """Add an audit entry to ``session`` (committed with the change it describes)."""
    user_id = None
    if isinstance(actor, User):
        user_id, actor = actor.id, f"user:{actor.id} ({actor.email})"
    if entity is not None and getattr(entity, "id", None) is None:
        session.flush()  # the entity needs its id before we can point at it
    entry = AuditLog(
        user_id=user_id,
        actor=actor,
        action=action,
        entity_type=entity_type or (entity.__tablename__ if entity is not None else "-"),
        entity_id=getattr(entity, "id", None),
        details=details,
    )
    session.add(entry)
    return entry
