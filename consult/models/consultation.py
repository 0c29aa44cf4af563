"""Organisations (gemeenten), consultations (trajecten), stakeholder groups, neighbourhoods."""
from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import LargeBinary, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship, validates

from consult.db import Base, utcnow
from consult.models._types import Timestamped, enum_column, fk

if TYPE_CHECKING:
    from consult.models.advice import AdviceDocument
    from consult.models.coding import CodebookVersion
    from consult.models.findings import Decision, Finding
    from consult.models.participation import Meeting, Participant, Survey


class ConsultationStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    REPORTED = "reported"


STATUS_LABELS = {
    ConsultationStatus.DRAFT: "In voorbereiding",
    ConsultationStatus.OPEN: "Open voor inbreng",
    ConsultationStatus.CLOSED: "Gesloten",
    ConsultationStatus.REPORTED: "Verslag gepubliceerd",
}

#: Default stakeholder groups (key, Dutch label); editable per consultation.
DEFAULT_STAKEHOLDER_GROUPS: tuple[tuple[str, str], ...] = (
    ("inwoner", "Inwoner"),
    ("client", "Cliënt"),
    ("mantelzorger", "Mantelzorger"),
    ("vrijwilliger", "Vrijwilliger"),
    ("zorgaanbieder", "Zorgaanbieder"),
    ("welzijnsorganisatie", "Welzijnsorganisatie"),
    ("sociaal_team", "Sociaal team"),
    ("adviesraad", "Adviesraad"),
    ("gemeente", "Gemeente"),
    ("overig", "Overig"),
)


class NeighbourhoodKind(enum.StrEnum):
    WIJK = "wijk"
    DORP = "dorp"


class Organisation(Timestamped, Base):
    """A municipality (gemeente) or other body that runs consultations."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    #: Logo shown in the header (PNG, JPEG or SVG), with its media type.
    logo: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    logo_media_type: Mapped[str | None] = mapped_column(String(60))
    #: Footer links every Dutch government site must have (NL Design System).
    privacy_url: Mapped[str] = mapped_column(String(500), default="", server_default="")
    accessibility_url: Mapped[str] = mapped_column(String(500), default="", server_default="")
    contact_url: Mapped[str] = mapped_column(String(500), default="", server_default="")

    consultations: Mapped[list[Consultation]] = relationship(back_populates="organisation")
    neighbourhoods: Mapped[list[Neighbourhood]] = relationship(
        back_populates="organisation", order_by="Neighbourhood.position")


class Neighbourhood(Base):
    """A wijk or dorp of the organisation."""

    __tablename__ = "neighbourhood"
    __table_args__ = (UniqueConstraint("organisation_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = fk("organisation.id")
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[NeighbourhoodKind] = enum_column(NeighbourhoodKind, default=NeighbourhoodKind.WIJK)
    position: Mapped[int] = mapped_column(default=0)

    organisation: Mapped[Organisation] = relationship(back_populates="neighbourhoods")


class Consultation(Base):
    """A consultation (traject): one policy question put to residents and partners."""

    __tablename__ = "consultation"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = fk("organisation.id")
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    policy_field: Mapped[str] = mapped_column(String(120), default="")
    status: Mapped[ConsultationStatus] = enum_column(ConsultationStatus, default=ConsultationStatus.DRAFT)
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    #: The day the consultation was set to "reported"; raw text is kept until
    #: ``CONSULT_RETENTION_MONTHS`` after it (``consult privacy purge``).
    reported_on: Mapped[date | None]
    #: When the unmasked text was purged (None: not yet).
    raw_text_purged_at: Mapped[datetime | None]
    #: Who takes the decision (e.g. "het college van B&W"), shown to participants.
    decision_maker: Mapped[str] = mapped_column(String(300), default="")
    #: What happens with the input, in plain Dutch.
    follow_up: Mapped[str] = mapped_column(Text, default="")
    privacy_statement: Mapped[str] = mapped_column(Text, default="")
    #: The steps and their dates in plain Dutch ("tot 1 juni: meedoen; juli: verslag ...").
    timeline: Mapped[str] = mapped_column(Text, default="", server_default="")
    #: Who participants can contact with questions (name, e-mail, telephone).
    contact: Mapped[str] = mapped_column(Text, default="", server_default="")
    #: Archived consultations leave the workspace lists; nothing is deleted.
    archived_at: Mapped[datetime | None]
    #: Editable report texts (inleiding, aanleiding) for the verkenning report.
    report_introduction: Mapped[str] = mapped_column(Text, default="")
    report_background: Mapped[str] = mapped_column(Text, default="")
    codebook_version_id: Mapped[int | None] = fk("codebook_version.id", nullable=True, ondelete="SET NULL")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    organisation: Mapped[Organisation] = relationship(back_populates="consultations")
    stakeholder_groups: Mapped[list[StakeholderGroup]] = relationship(
        back_populates="consultation", order_by="StakeholderGroup.position",
        cascade="all, delete-orphan")
    codebook_version: Mapped[CodebookVersion | None] = relationship()
    surveys: Mapped[list[Survey]] = relationship(back_populates="consultation", cascade="all, delete-orphan")
    meetings: Mapped[list[Meeting]] = relationship(
        back_populates="consultation", order_by="Meeting.held_on", cascade="all, delete-orphan")
    participants: Mapped[list[Participant]] = relationship(
        back_populates="consultation", cascade="all, delete-orphan")
    findings: Mapped[list[Finding]] = relationship(
        back_populates="consultation", order_by="(Finding.position, Finding.id)", cascade="all, delete-orphan")
    advice_documents: Mapped[list[AdviceDocument]] = relationship(back_populates="consultation")
    decisions: Mapped[list[Decision]] = relationship(back_populates="consultation", cascade="all, delete-orphan")

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @validates("status")
    def _note_reported_on(self, _key, status):
        if ConsultationStatus(status) == ConsultationStatus.REPORTED and self.reported_on is None:
            self.reported_on = date.today()
        return status

    @classmethod
    def by_slug(cls, session: Session, slug: str) -> Consultation | None:
        """The consultation with this slug, or None: the one lookup every layer uses."""
        return session.scalar(select(cls).where(cls.slug == slug))


class StakeholderGroup(Base):
    """A stakeholder group (belanghebbende groep) within one consultation."""

    __tablename__ = "stakeholder_group"
    __table_args__ = (UniqueConstraint("consultation_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = fk("consultation.id")
    key: Mapped[str] = mapped_column(String(60))
    label: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(default=0)

    consultation: Mapped[Consultation] = relationship(back_populates="stakeholder_groups")
