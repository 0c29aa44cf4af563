"""Reporting: findings (bevindingen, uitgangspunten, scenarios) distilled from the input,
with their codes, evidence and advice points, and the decisions taken on them."""
from __future__ import annotations

import enum
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.db import Base
from consult.models._types import Timestamped, enum_column, fk

if TYPE_CHECKING:
    from consult.models.advice import AdvicePoint, AdviceResponse
    from consult.models.coding import Code, Segment
    from consult.models.consultation import Consultation


def _link_table(name: str, left: str, right: str) -> Table:
    return Table(
        name, Base.metadata,
        Column(f"{left}_id", ForeignKey(f"{left}.id", ondelete="CASCADE"), primary_key=True),
        Column(f"{right}_id", ForeignKey(f"{right}.id", ondelete="CASCADE"), primary_key=True, index=True),
    )


finding_code = _link_table("finding_code", "finding", "code")
finding_evidence = _link_table("finding_evidence", "finding", "segment")
finding_advice_point = _link_table("finding_advice_point", "finding", "advice_point")
decision_finding = _link_table("decision_finding", "decision", "finding")
decision_advice_response = _link_table("decision_advice_response", "decision", "advice_response")


class FindingKind(enum.StrEnum):
    FINDING = "finding"      # bevinding ("wat is opgehaald")
    PRINCIPLE = "principle"  # uitgangspunt
    SCENARIO = "scenario"


FINDING_KIND_LABELS = {
    FindingKind.FINDING: "bevinding",
    FindingKind.PRINCIPLE: "uitgangspunt",
    FindingKind.SCENARIO: "scenario",
}


class Finding(Timestamped, Base):
    """A statement the policy writer distils from the input, with its codes and evidence."""

    __tablename__ = "finding"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = fk("consultation.id")
    kind: Mapped[FindingKind] = enum_column(FindingKind, default=FindingKind.FINDING)
    title: Mapped[str] = mapped_column(String(300))
    statement: Mapped[str] = mapped_column(Text, default="")
    #: Scenarios only: voordelen and nadelen, one per line.
    advantages: Mapped[str] = mapped_column(Text, default="", server_default="")
    disadvantages: Mapped[str] = mapped_column(Text, default="", server_default="")
    position: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = fk("user.id", nullable=True, ondelete="SET NULL")

    consultation: Mapped[Consultation] = relationship(back_populates="findings")
    codes: Mapped[list[Code]] = relationship(secondary=finding_code)
    evidence: Mapped[list[Segment]] = relationship(secondary=finding_evidence)
    advice_points: Mapped[list[AdvicePoint]] = relationship(
        secondary=finding_advice_point, back_populates="findings")


class Decision(Timestamped, Base):
    """A decision taken by the college or the council (besluit), linked to findings."""

    __tablename__ = "decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = fk("consultation.id")
    body: Mapped[str] = mapped_column(String(200), default="college van B&W")
    taken_on: Mapped[date | None]
    reference: Mapped[str] = mapped_column(String(120), default="")  # e.g. notanummer
    text: Mapped[str] = mapped_column(Text)

    consultation: Mapped[Consultation] = relationship(back_populates="decisions")
    findings: Mapped[list[Finding]] = relationship(secondary=decision_finding)
    advice_responses: Mapped[list[AdviceResponse]] = relationship(secondary=decision_advice_response)
