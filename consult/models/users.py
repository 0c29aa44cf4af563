"""Staff accounts, per-consultation membership, the append-only audit log, background jobs."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import JSON, String, Text, UniqueConstraint, event, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship, validates

from consult.db import Base, utcnow
from consult.models._types import Timestamped, enum_column, fk

if TYPE_CHECKING:
    from consult.models.consultation import Consultation

_hasher = PasswordHasher()


class Role(enum.StrEnum):
    ADMINISTRATOR = "administrator"
    POLICY_WRITER = "policy_writer"
    FACILITATOR = "facilitator"


ROLE_LABELS = {
    Role.ADMINISTRATOR: "beheerder",
    Role.POLICY_WRITER: "beleidsmedewerker",
    Role.FACILITATOR: "gespreksleider",
}


class User(Timestamped, Base):
    """A staff member. Residents never need an account."""

    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = enum_column(Role)
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[datetime | None]
    #: Stored in the session cookie at login and compared on every request; bumping it
    #: (logout, new password, deactivation) ends every session of the account at once.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    #: One-time set-password link (new account, reset): SHA-256 of the token, and its expiry.
    password_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    password_token_expires_at: Mapped[datetime | None]

    memberships: Mapped[list[ConsultationMember]] = relationship(
        back_populates="user", cascade="all, delete-orphan")

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]

    @classmethod
    def by_email(cls, session: Session, email: str) -> User | None:
        """The account with this e-mail address (case-insensitive), or None."""
        email = (email or "").strip().lower()
        if not email:
            return None
        return session.scalar(select(cls).where(func.lower(cls.email) == email))

    def set_password(self, password: str) -> None:
        if len(password) < 10:
            raise ValueError("password must be at least 10 characters")
        if self.password_hash:
            self.end_sessions()
        self.password_hash = _hasher.hash(password)

    def end_sessions(self) -> None:
        """Invalidate every session cookie issued for this account so far."""
        self.session_version = (self.session_version or 0) + 1

    @validates("active")
    def _deactivation_ends_sessions(self, _key, active: bool) -> bool:
        if self.active and not active:
            self.end_sessions()
        return active

    def check_password(self, password: str) -> bool:
        try:
            return _hasher.verify(self.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False


class ConsultationMember(Base):
    """Gives a user access to one consultation (administrators see everything)."""

    __tablename__ = "consultation_member"
    __table_args__ = (UniqueConstraint("user_id", "consultation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = fk("user.id")
    consultation_id: Mapped[int] = fk("consultation.id")

    user: Mapped[User] = relationship(back_populates="memberships")
    consultation: Mapped[Consultation] = relationship()


class AuditLog(Base):
    """Append-only record of every change by staff (and by the CLI).

    The database refuses UPDATE and DELETE on this table (triggers in the migration);
    the ORM refuses them too.
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(index=True)  # no FK: the log outlives accounts
    actor: Mapped[str] = mapped_column(String(120))  # "user:3 (a@b.nl)", "cli", "demo"
    action: Mapped[str] = mapped_column(String(80))  # "create", "update", "accept_code", ...
    entity_type: Mapped[str] = mapped_column(String(80))
    entity_id: Mapped[int | None]
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)


@event.listens_for(AuditLog, "before_update")
@event.listens_for(AuditLog, "before_delete")
def _audit_log_is_append_only(_mapper, _connection, target):
    raise PermissionError("the audit log is append-only")


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"


class Job(Timestamped, Base):
    """A background job (coding run, segmenting notes or answers, retraining) and its progress.

    A coding run is a parent job whose chunk jobs (``parent_id``) code disjoint ranges of
    segments; the parent's ``progress`` is derived from its children (see consult.jobs).
    """

    __tablename__ = "job"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(80))
    consultation_id: Mapped[int | None] = fk("consultation.id", nullable=True)
    status: Mapped[JobStatus] = enum_column(JobStatus, default=JobStatus.QUEUED)
    progress: Mapped[float] = mapped_column(default=0.0)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    requested_by_id: Mapped[int | None] = fk("user.id", nullable=True, ondelete="SET NULL")
    parent_id: Mapped[int | None] = fk("job.id", nullable=True)
    #: The notes document a ``segment_document`` job processes (its page shows the status).
    document_id: Mapped[int | None] = fk("document.id", nullable=True)

    consultation: Mapped[Consultation | None] = relationship()
