"""The advice register: advice from advisory councils split into points, the
municipality's reaction letter split into paragraphs, the links between them and the
point-by-point response with its follow-up."""
from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.db import Base, utcnow
from consult.models._types import Timestamped, enum_column, fk

if TYPE_CHECKING:
    from consult.models.consultation import Consultation
    from consult.models.findings import Finding
    from consult.models.users import User


class AdviceDocument(Timestamped, Base):
    """An advice (advies) from an advisory body, e.g. the ASDD's pre-advice."""

    __tablename__ = "advice_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int | None] = fk("consultation.id", nullable=True, ondelete="SET NULL")
    advisory_body: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(300))
    received_on: Mapped[date | None]
    requested: Mapped[bool] = mapped_column(default=True)
    letter_text: Mapped[str] = mapped_column(Text, default="")

    consultation: Mapped[Consultation | None] = relationship(back_populates="advice_documents")
    points: Mapped[list[AdvicePoint]] = relationship(
        back_populates="advice", order_by="AdvicePoint.position", cascade="all, delete-orphan")
    reactions: Mapped[list[ReactionLetter]] = relationship(
        back_populates="advice", cascade="all, delete-orphan")


class AdvicePoint(Base):
    """One point of an advice, answered separately."""

    __tablename__ = "advice_point"
    __table_args__ = (UniqueConstraint("advice_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    advice_id: Mapped[int] = fk("advice_document.id")
    position: Mapped[int]
    label: Mapped[str] = mapped_column(String(40), default="")
    text: Mapped[str] = mapped_column(Text)

    advice: Mapped[AdviceDocument] = relationship(back_populates="points")
    response: Mapped[AdviceResponse | None] = relationship(
        back_populates="point", cascade="all, delete-orphan", uselist=False)
    links: Mapped[list[AdviceLink]] = relationship(back_populates="point", cascade="all, delete-orphan")
    findings: Mapped[list[Finding]] = relationship(
        secondary="finding_advice_point", back_populates="advice_points")


class ReactionLetter(Timestamped, Base):
    """The municipality's reaction letter to an advice (reactiebrief)."""

    __tablename__ = "reaction_letter"

    id: Mapped[int] = mapped_column(primary_key=True)
    advice_id: Mapped[int] = fk("advice_document.id")
    sent_on: Mapped[date | None]
    sender: Mapped[str] = mapped_column(String(200), default="college van B&W")
    letter_text: Mapped[str] = mapped_column(Text, default="")

    advice: Mapped[AdviceDocument] = relationship(back_populates="reactions")
    paragraphs: Mapped[list[ReactionParagraph]] = relationship(
        back_populates="letter", order_by="ReactionParagraph.position", cascade="all, delete-orphan")


class ReactionParagraph(Base):
    __tablename__ = "reaction_paragraph"
    __table_args__ = (UniqueConstraint("letter_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = fk("reaction_letter.id")
    position: Mapped[int]
    label: Mapped[str] = mapped_column(String(40), default="")
    text: Mapped[str] = mapped_column(Text)

    letter: Mapped[ReactionLetter] = relationship(back_populates="paragraphs")
    links: Mapped[list[AdviceLink]] = relationship(back_populates="paragraph", cascade="all, delete-orphan")


class Stance(enum.StrEnum):
    OVERGENOMEN = "overgenomen"
    DEELS_OVERGENOMEN = "deels_overgenomen"
    NIET_OVERGENOMEN = "niet_overgenomen"
    ONDERSCHREVEN = "onderschreven"
    KENNISGENOMEN = "kennisgenomen"


STANCE_LABELS = {
    Stance.OVERGENOMEN: "overgenomen",
    Stance.DEELS_OVERGENOMEN: "deels overgenomen",
    Stance.NIET_OVERGENOMEN: "niet overgenomen",
    Stance.ONDERSCHREVEN: "onderschreven",
    Stance.KENNISGENOMEN: "voor kennisgeving aangenomen",
}


class FollowUpStatus(enum.StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


FOLLOW_UP_LABELS = {
    FollowUpStatus.OPEN: "nog niet gestart",
    FollowUpStatus.IN_PROGRESS: "in uitvoering",
    FollowUpStatus.DONE: "uitgevoerd",
    FollowUpStatus.CANCELLED: "vervallen",
}


class AdviceLink(Timestamped, Base):
    """Which reaction paragraph answers which advice point (proposed by the linker or a person)."""

    __tablename__ = "advice_link"
    __table_args__ = (UniqueConstraint("point_id", "paragraph_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    point_id: Mapped[int] = fk("advice_point.id")
    paragraph_id: Mapped[int] = fk("reaction_paragraph.id")
    score: Mapped[float | None]
    origin: Mapped[str] = mapped_column(String(20), default="person")  # "linker" or "person"
    confirmed: Mapped[bool] = mapped_column(default=False)
    #: The linker's proposal, shown to the person who confirms: stance guessed from cue
    #: phrases, and why (shared words, cues, the sentence the stance was read from).
    proposed_stance: Mapped[Stance | None] = enum_column(Stance, nullable=True)
    evidence: Mapped[dict | None] = mapped_column(JSON)

    point: Mapped[AdvicePoint] = relationship(back_populates="links")
    paragraph: Mapped[ReactionParagraph] = relationship(back_populates="links")


class AdviceResponse(Base):
    """The municipality's response to one advice point, and its follow-up.

    Every change is written to the audit log, which keeps the history.
    """

    __tablename__ = "advice_response"

    id: Mapped[int] = mapped_column(primary_key=True)
    point_id: Mapped[int] = fk("advice_point.id")
    stance: Mapped[Stance | None] = enum_column(Stance, nullable=True)
    rationale: Mapped[str] = mapped_column(Text, default="")
    promised_action: Mapped[str] = mapped_column(Text, default="")
    owner: Mapped[str] = mapped_column(String(200), default="")
    due_on: Mapped[date | None]
    status: Mapped[FollowUpStatus] = enum_column(FollowUpStatus, default=FollowUpStatus.OPEN)
    decision_reference: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = fk("user.id", nullable=True, ondelete="SET NULL")

    point: Mapped[AdvicePoint] = relationship(back_populates="response")
    updated_by: Mapped[User | None] = relationship()

    __table_args__ = (UniqueConstraint("point_id"),)


#: Dutch names of the fields a point's history (the audit log) shows changes of.
ADVICE_FIELD_LABELS = {
    "stance": "standpunt", "rationale": "toelichting", "promised_action": "toegezegde actie",
    "owner": "eigenaar", "due_on": "uiterlijk", "status": "stand van zaken", "decision_reference": "besluit",
    "label": "nummer", "text": "tekst",
}
