"""E-mail: invitations sent to an address list, editable message templates, and the log
of every message (queued, sent, failed and why). See :mod:`consult.mail`."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.db import Base, utcnow
from consult.models._types import Timestamped, enum_column, fk

if TYPE_CHECKING:
    from consult.models.consultation import Neighbourhood, StakeholderGroup
    from consult.models.participation import InvitationCode, Survey


class MailKind(enum.StrEnum):
    INVITATION = "invitation"
    REMINDER = "reminder"
    RESUME = "resume"
    RECEIPT = "receipt"
    PUBLISHED = "published"
    STAFF_ACCOUNT = "staff_account"
    PASSWORD_RESET = "password_reset"
    TEST = "test"


class MailStatus(enum.StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"


class MailTemplate(Base):
    """A consultation's own wording of one kind of message (else the default is used)."""

    __tablename__ = "mail_template"
    __table_args__ = (UniqueConstraint("consultation_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = fk("consultation.id")
    kind: Mapped[MailKind] = enum_column(MailKind)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = fk("user.id", nullable=True, ondelete="SET NULL")


class Invitation(Timestamped, Base):
    """One address of an uploaded list, invited with its own invitation code.

    The address is linked to the invitation code only, never to a response; it is removed
    (``email`` and ``address_key`` become NULL) when the consultation closes and at the
    retention date. ``address_key`` (an HMAC of the address with the secret key) makes
    uploading the same list twice invite nobody twice; after an unsubscribe the address
    goes but the key stays, so a new upload does not invite that person again.
    """

    __tablename__ = "mail_invitation"
    __table_args__ = (UniqueConstraint("survey_id", "address_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = fk("survey.id")
    invitation_code_id: Mapped[int] = fk("invitation_code.id")
    email: Mapped[str | None] = mapped_column(String(254))
    address_key: Mapped[str | None] = mapped_column(String(64))
    stakeholder_group_id: Mapped[int | None] = fk("stakeholder_group.id", nullable=True, ondelete="SET NULL")
    neighbourhood_id: Mapped[int | None] = fk("neighbourhood.id", nullable=True, ondelete="SET NULL")
    reminders: Mapped[int] = mapped_column(default=0)
    last_reminded_at: Mapped[datetime | None]
    unsubscribed_at: Mapped[datetime | None]

    survey: Mapped[Survey] = relationship()
    invitation_code: Mapped[InvitationCode] = relationship()
    stakeholder_group: Mapped[StakeholderGroup | None] = relationship()
    neighbourhood: Mapped[Neighbourhood | None] = relationship()


class MailMessage(Base):
    """One e-mail: what it was for, to whom, and whether it went out (the mail log).

    ``text`` and ``html`` hold the rendered message until it is sent (they carry links
    and codes) and are then cleared; the subject, status and reason stay. ``dedup_key``
    is unique: the same invitation, reminder round or notice is never queued twice.
    """

    __tablename__ = "mail_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int | None] = fk("consultation.id", nullable=True)
    kind: Mapped[MailKind] = enum_column(MailKind)
    recipient: Mapped[str | None] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300), default="")
    text: Mapped[str | None] = mapped_column(Text)
    html: Mapped[str | None] = mapped_column(Text)
    unsubscribe_url: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[MailStatus] = enum_column(MailStatus, default=MailStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    reason: Mapped[str] = mapped_column(Text, default="")
    dedup_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    sent_at: Mapped[datetime | None]
    job_id: Mapped[int | None] = fk("job.id", nullable=True, ondelete="SET NULL")
    requested_by_id: Mapped[int | None] = fk("user.id", nullable=True, ondelete="SET NULL")
