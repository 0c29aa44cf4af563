"""Meetings: registering a meeting with its attendance per stakeholder group.

The facilitators' screens (``consult.web.meetings``) parse the form and call
:func:`save_meeting`; notes are cut into segments by :func:`consult.coding.segment_document`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from consult.audit import record
from consult.models import Consultation, Meeting, MeetingAttendance, MeetingType, Role, StakeholderGroup, User


@dataclass
class MeetingDetails:
    """What a facilitator fills in about a meeting (already validated)."""

    type: MeetingType
    title: str
    held_on: date | None = None
    place: str = ""
    neighbourhood_id: int | None = None
    facilitator_name: str = ""
    description: str = ""


def save_meeting(session: Session, consultation: Consultation, meeting: Meeting | None,
                 details: MeetingDetails, attendance: dict[int, int | None], actor: User) -> Meeting:
    """Create (``meeting`` None) or update a meeting of ``consultation`` and record it.

    ``attendance``: head count per stakeholder group id; groups without a count (None
    or 0) have no attendance row. A neighbourhood outside the consultation's organisation
    is ignored; a facilitator who creates a meeting becomes its facilitator.
    """
    created = meeting is None
    if meeting is None:
        meeting = Meeting(consultation=consultation, type=details.type, title="")
        session.add(meeting)
        if actor.role == Role.FACILITATOR:
            meeting.facilitator_id = actor.id
    hoods = {n.id for n in consultation.organisation.neighbourhoods}
    meeting.type = details.type
    meeting.title = details.title.strip()
    meeting.held_on = details.held_on
    meeting.place = details.place.strip()
    meeting.neighbourhood_id = details.neighbourhood_id if details.neighbourhood_id in hoods else None
    meeting.facilitator_name = details.facilitator_name.strip()
    meeting.description = details.description.strip()
    counts = set_attendance(meeting, consultation, attendance)
    record(session, "create_meeting" if created else "update_meeting", meeting, actor=actor,
           details={"title": meeting.title, "attendance": counts})
    return meeting


def set_attendance(meeting: Meeting, consultation: Consultation, attendance: dict[int, int | None]) -> dict[str, int]:
    """Make the meeting's attendance rows match ``attendance`` (group id -> count) for the
    consultation's stakeholder groups; returns the count per group key (0 for none)."""
    existing = {a.stakeholder_group_id: a for a in meeting.attendance}
    counts = {}
    for g in consultation.stakeholder_groups:
        n = attendance.get(g.id) or 0
        counts[g.key] = n
        if n:
            if g.id in existing:
                existing[g.id].count = n
            else:
                meeting.attendance.append(MeetingAttendance(stakeholder_group_id=g.id, count=n))
        elif g.id in existing:
            meeting.attendance.remove(existing[g.id])
    return counts


def group_named_in(label: str, groups: list[StakeholderGroup]) -> StakeholderGroup | None:
    """The one stakeholder group that a table or group label names ("Tafel 1 –
    mantelzorgers" -> Mantelzorger, "Groep 3 (cliënten)" -> Cliënt), or None when it names
    none or several. The document page proposes it; the facilitator confirms by saving."""
    text = " ".join(re.findall(r"[^\W\d_]+", label.lower())[1:])  # without "tafel"/"groep"
    words = set(text.split())
    found = []
    for g in groups:
        name = g.label.lower()
        if " " in name:
            hit = re.search(rf"\b{re.escape(name)}(?:s|en)?\b", text) is not None
        else:
            hit = bool(words & {name, name + "s", name + "en", name + "'s"})
        if hit:
            found.append(g)
    return found[0] if len(found) == 1 else None
