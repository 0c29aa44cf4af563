"""Who works on which consultation: staff membership, granted by administrators.

Administrators see every consultation; other staff see the consultations they are a
member of (``consult.security.can_access``). Every change is recorded in the audit log;
the caller commits.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from consult.audit import record
from consult.models import Consultation, ConsultationMember, Role, User


def _membership(session: Session, consultation: Consultation, user: User) -> ConsultationMember | None:
    return session.scalar(select(ConsultationMember).where(
        ConsultationMember.user_id == user.id, ConsultationMember.consultation_id == consultation.id))


def add_member(session: Session, consultation: Consultation, user: User, *, actor: User | str) -> bool:
    """Give ``user`` access to ``consultation``; False when they already had it."""
    if _membership(session, consultation, user) is not None:
        return False
    session.add(ConsultationMember(user_id=user.id, consultation_id=consultation.id))
    record(session, "add_member", consultation, actor=actor, details={"user": user.id})
    return True


def remove_member(session: Session, consultation: Consultation, user: User, *, actor: User | str) -> bool:
    """Take ``user``'s access to ``consultation`` away; False when they had none."""
    existing = _membership(session, consultation, user)
    if existing is None:
        return False
    session.delete(existing)
    record(session, "remove_member", consultation, actor=actor, details={"user": user.id})
    return True


def members(session: Session, consultation: Consultation) -> list[User]:
    """The staff members of ``consultation``, by name."""
    return list(session.scalars(
        select(User).join(ConsultationMember, ConsultationMember.user_id == User.id)
        .where(ConsultationMember.consultation_id == consultation.id).order_by(User.name)))


def consultations_for(session: Session, user: User) -> list[Consultation]:
    """The consultations ``user`` works on (all of them for administrators), newest first."""
    stmt = select(Consultation).order_by(Consultation.starts_on.desc())
    if user.role != Role.ADMINISTRATOR:
        stmt = stmt.join(ConsultationMember, ConsultationMember.consultation_id == Consultation.id).where(
            ConsultationMember.user_id == user.id)
    return list(session.scalars(stmt))


def candidates(session: Session, consultation: Consultation) -> list[User]:
    """Active staff who may be given access: not yet a member, and not an administrator
    (administrators see every consultation already)."""
    current = select(ConsultationMember.user_id).where(ConsultationMember.consultation_id == consultation.id)
    return list(session.scalars(
        select(User).where(User.active.is_(True), User.role != Role.ADMINISTRATOR, User.id.not_in(current))
        .order_by(User.name)))
