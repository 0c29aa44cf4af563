"""Coding: segments, versioned codebooks and codes, code assignments with provenance."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, CheckConstraint, LargeBinary, String, Text, UniqueConstraint, false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from analysis.privacy import mask
from consult.db import Base, utcnow
from consult.models._types import Timestamped, enum_column, fk

if TYPE_CHECKING:
    from consult.models.consultation import Consultation, StakeholderGroup
    from consult.models.participation import Answer, Document
    from consult.models.users import User


class Segment(Timestamped, Base):
    """The unit of coding: a piece of text that points into its source.

    The source is either a survey answer or a document (meeting notes); ``start`` and
    ``end`` are character offsets into that source's text.  ``masked_text`` is always
    set: the text with personal data masked, equal to ``text`` when there was nothing to
    mask (a segment stored without one is masked on insert).
    """

    __tablename__ = "segment"
    __table_args__ = (
        CheckConstraint("(answer_id IS NULL) <> (document_id IS NULL)", name="exactly_one_source"),
        CheckConstraint("start_char >= 0 AND end_char >= start_char", name="valid_offsets"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = fk("consultation.id")
    answer_id: Mapped[int | None] = fk("answer.id", nullable=True)
    document_id: Mapped[int | None] = fk("document.id", nullable=True)
    position: Mapped[int] = mapped_column(default=0)
    start_char: Mapped[int] = mapped_column(default=0)
    end_char: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(Text)
    #: The text with personal data masked, shown outside the facilitator/administrator roles.
    masked_text: Mapped[str] = mapped_column(Text, default=lambda ctx: mask(ctx.get_current_parameters()["text"]))
    #: Table or group at a meeting the segment came from, as marked by the facilitator.
    group_label: Mapped[str] = mapped_column(String(120), default="")
    #: Stakeholder group of the speaker/writer when the facilitator marked it.
    stakeholder_group_id: Mapped[int | None] = fk("stakeholder_group.id", nullable=True, ondelete="SET NULL")
    #: Notes furniture (the title, "Aanwezig: ..." lines, a document's contents, captions,
    #: references): kept with the notes, never coded, not in the review list (analysis.segmentation
    #: marks it ``kind="furniture"``).
    furniture: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    #: The best codes below the coder's threshold at the last coding run, for the review
    #: screen's one-key choices: ``{"coder": "model:3", "codes": [{"code": KEY, "score": 0.41}, ...]}``
    #: (codes by their stable key; consult.coding.code_segments writes it).
    candidates: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    #: How informative a person's decision on this segment is for the learning coder: the
    #: smallest distance between a code's probability and its threshold (0 = on the edge),
    #: over the codes nobody decided yet; None when the keyword rules coded it.
    review_margin: Mapped[float | None]

    consultation: Mapped[Consultation] = relationship()
    answer: Mapped[Answer | None] = relationship(back_populates="segments")
    document: Mapped[Document | None] = relationship(back_populates="segments")
    stakeholder_group: Mapped[StakeholderGroup | None] = relationship()
    assignments: Mapped[list[CodeAssignment]] = relationship(
        back_populates="segment", cascade="all, delete-orphan")


class Codebook(Timestamped, Base):
    """A named codebook; its content lives in numbered, immutable versions."""

    __tablename__ = "codebook"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(8), default="nl")

    versions: Mapped[list[CodebookVersion]] = relationship(
        back_populates="codebook", order_by="CodebookVersion.number", cascade="all, delete-orphan")

    @property
    def latest(self) -> CodebookVersion | None:
        return self.versions[-1] if self.versions else None


class CodebookVersion(Timestamped, Base):
    """One version of a codebook. Changing a codebook creates a new version whose codes
    never change afterwards; the editing consultation's assignments move with their code
    (matched by key) to the new version (consult.codebooks.move_codings)."""

    __tablename__ = "codebook_version"
    __table_args__ = (UniqueConstraint("codebook_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    codebook_id: Mapped[int] = fk("codebook.id")
    number: Mapped[int]
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = fk("user.id", nullable=True, ondelete="SET NULL")

    codebook: Mapped[Codebook] = relationship(back_populates="versions")
    codes: Mapped[list[Code]] = relationship(
        back_populates="version", order_by="Code.position", cascade="all, delete-orphan")


class Code(Base):
    """A code (theme) in one codebook version; hierarchical through ``parent``."""

    __tablename__ = "code"
    __table_args__ = (UniqueConstraint("version_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = fk("codebook_version.id")
    parent_id: Mapped[int | None] = fk("code.id", nullable=True)
    #: Stable identifier across versions (A-Z, 0-9, _), e.g. ``MANTELZORG``.
    key: Mapped[str] = mapped_column(String(80))
    label: Mapped[str] = mapped_column(String(200))
    gloss: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    #: What the theme is about for readers of a report; gloss and description are for coders.
    reader_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    examples: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Terms knowingly not keywords of this code (the rules never fire it on them).
    exclude: Mapped[list[str] | None] = mapped_column(JSON, default=list)
    colour: Mapped[str | None] = mapped_column(String(9))
    position: Mapped[int] = mapped_column(default=0)

    version: Mapped[CodebookVersion] = relationship(back_populates="codes")
    parent: Mapped[Code | None] = relationship(remote_side="Code.id", back_populates="children")
    children: Mapped[list[Code]] = relationship(back_populates="parent")


class Origin(enum.StrEnum):
    RULE = "rule"
    MODEL = "model"
    PERSON = "person"


ORIGIN_LABELS = {Origin.RULE: "regel", Origin.MODEL: "model", Origin.PERSON: "persoon"}


class AssignmentStatus(enum.StrEnum):
    SUGGESTED = "suggested"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


ASSIGNMENT_STATUS_LABELS = {
    AssignmentStatus.SUGGESTED: "voorgesteld",
    AssignmentStatus.ACCEPTED: "geaccepteerd",
    AssignmentStatus.REJECTED: "afgewezen",
}


class CodeAssignment(Base):
    """A code on a segment, with its provenance.

    ``coder`` names who proposed it: ``rule``, ``model:<id>`` or ``user:<id>``; one row per
    (segment, code, coder), so two people's codes can be compared for agreement. Automatic
    coders only ever write ``suggested`` rows and never touch a row a person decided.
    """

    __tablename__ = "code_assignment"
    __table_args__ = (
        UniqueConstraint("segment_id", "code_id", "coder"),
        CheckConstraint("confidence IS NULL OR (confidence >= 0 AND confidence <= 1)",
                        name="confidence_in_unit_interval"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    segment_id: Mapped[int] = fk("segment.id")
    code_id: Mapped[int] = fk("code.id")
    origin: Mapped[Origin] = enum_column(Origin)
    coder: Mapped[str] = mapped_column(String(80))
    confidence: Mapped[float | None]
    status: Mapped[AssignmentStatus] = enum_column(AssignmentStatus, default=AssignmentStatus.SUGGESTED)
    #: Why: matched tokens and rule id, or the model's strongest features.
    evidence: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = fk("user.id", nullable=True, ondelete="SET NULL")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = fk("user.id", nullable=True, ondelete="SET NULL")
    decided_at: Mapped[datetime | None]

    segment: Mapped[Segment] = relationship(back_populates="assignments")
    code: Mapped[Code] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class CoderModel(Timestamped, Base):
    """A trained learning coder for one consultation and codebook version."""

    __tablename__ = "coder_model"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = fk("consultation.id")
    codebook_version_id: Mapped[int] = fk("codebook_version.id")
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    #: Training size, calibrated thresholds and cross-validated scores.
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    description: Mapped[str] = mapped_column(Text, default="")
