"""The advice register (write side): register an advice and split it into points, register
the municipality's reaction letter and let the linker propose which paragraph answers which
point, confirm or reject those links, and record the response to each point.

Every change is written to the audit log, which is also the history of a point. The web
blueprint (``consult.web.advice``) parses forms and calls one function here; reading the
register for reports and exports is ``consult.reporting``'s job.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.trace import link as run_linker, split_advice, split_reaction
from consult.audit import record
from consult.models import (
    AdviceDocument, AdviceLink, AdvicePoint, AdviceResponse, AuditLog, Consultation, ReactionLetter,
    ReactionParagraph, User,
)

#: The fields of a response people edit; the audit log keeps their values before and after.
RESPONSE_FIELDS = ("stance", "rationale", "promised_action", "owner", "due_on", "status", "decision_reference")

Actor = str | User


def _plain(value: Any) -> Any:
    """A value as the audit log's JSON stores it (dates as ISO text, enums as their value)."""
    if value is None:
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return getattr(value, "value", value)


def register_advice(session: Session, consultation: Consultation | None, *, advisory_body: str, subject: str,
                    received_on, requested: bool, letter_text: str, actor: Actor = "system") -> AdviceDocument:
    """Store an advice and the proposed split of its letter into points (editable)."""
    advice = AdviceDocument(consultation=consultation, advisory_body=advisory_body, subject=subject,
                            received_on=received_on, requested=requested, letter_text=letter_text)
    for i, part in enumerate(split_advice(letter_text)):
        advice.points.append(AdvicePoint(position=i, label=part.label, text=part.text))
    session.add(advice)
    session.flush()
    record(session, "register_advice", advice, actor=actor,
           details={"advisory_body": advisory_body, "subject": subject, "points": len(advice.points)})
    return advice


def register_reaction(session: Session, advice: AdviceDocument, *, sender: str, sent_on, letter_text: str,
                      actor: Actor = "system", propose: bool = False, nlp=None) -> ReactionLetter:
    """Store the reaction letter split into paragraphs (replaces an earlier letter and its
    links); with ``propose`` the linker then proposes links (see :func:`propose_links`)."""
    for old in list(advice.reactions):
        for paragraph in old.paragraphs:
            for l in list(paragraph.links):
                _delete_link(session, l)  # a link also hangs on its point: drop it there too
        advice.reactions.remove(old)
        session.delete(old)
    session.flush()
    letter = ReactionLetter(advice=advice, sender=sender, sent_on=sent_on, letter_text=letter_text)
    for i, part in enumerate(split_reaction(letter_text)):
        letter.paragraphs.append(ReactionParagraph(position=i, label=part.label, text=part.text))
    session.add(letter)
    session.flush()
    record(session, "register_reaction", letter, actor=actor,
           details={"advice_id": advice.id, "paragraphs": len(letter.paragraphs)})
    if propose:
        propose_links(session, advice, actor=actor, nlp=nlp)
    return letter


def propose_links(session: Session, advice: AdviceDocument, *, actor: Actor = "system", nlp=None) -> list[dict]:
    """Run the linker: unconfirmed linker links are replaced by new proposals; confirmed links
    and links a person made stay. Each proposed link keeps its score, guessed stance and the
    evidence (shared words, cues, the sentence the stance was read from); the run itself is
    recorded in the audit log."""
    letter = advice.reactions[0] if advice.reactions else None
    if letter is None or not advice.points:
        return []
    points = {str(p.id): p for p in advice.points}
    paragraphs = {str(r.id): r for r in letter.paragraphs}
    result = run_linker([(k, p.text) for k, p in points.items()], [(k, r.text) for k, r in paragraphs.items()],
                        nlp=nlp, point_numbers=[p.label for p in points.values()])
    existing = {(l.point_id, l.paragraph_id): l for p in advice.points for l in p.links}
    for key, l in list(existing.items()):
        if l.origin == "linker" and not l.confirmed:
            _delete_link(session, l)
            del existing[key]
    session.flush()
    proposals = []
    for l in result.links:
        point, paragraph = points[l.point], paragraphs[l.paragraph]
        evidence = {"shared": l.shared, "cues": l.cues, "stance_evidence": l.stance_evidence[:300],
                    "reference": l.reference, "order": l.order, "basis": l.basis, "stance_cue": l.stance_cue}
        proposals.append({"point_id": point.id, "paragraph_id": paragraph.id, "score": l.score,
                          "stance": l.stance, **evidence})
        if (point.id, paragraph.id) not in existing:
            session.add(AdviceLink(point=point, paragraph=paragraph, score=l.score, origin="linker",
                                   confirmed=False, proposed_stance=l.stance, evidence=evidence))
    session.flush()
    record(session, "propose_links", advice, actor=actor,
           details={"links": proposals, "unanswered": [int(k) for k in result.unanswered],
                    "general": [int(k) for k in result.general],
                    "min_score": result.min_score, "relative": result.relative})
    return proposals


def latest_proposals(advice: AdviceDocument) -> dict[tuple[int, int], dict]:
    """The linker's proposal per (point, paragraph) link, as stored on the links."""
    return {(l.point_id, l.paragraph_id): {"point_id": l.point_id, "paragraph_id": l.paragraph_id,
                                           "score": l.score, "stance": l.proposed_stance, **l.evidence}
            for p in advice.points for l in p.links if l.evidence is not None}


def general_paragraphs(session: Session, advice: AdviceDocument) -> list[ReactionParagraph]:
    """The reaction paragraphs the linker's last run read as a general acknowledgement of the
    advice as a whole ("De bovengenoemde adviezen worden zeer serieus genomen"): points
    without a specific answer were answered only by these."""
    letter = advice.reactions[0] if advice.reactions else None
    if letter is None:
        return []
    entry = session.scalar(select(AuditLog).where(AuditLog.action == "propose_links",
                                                  AuditLog.entity_type == "advice_document",
                                                  AuditLog.entity_id == advice.id).order_by(AuditLog.id.desc()))
    ids = set((entry.details or {}).get("general") or []) if entry is not None else set()
    return [p for p in letter.paragraphs if p.id in ids]


def _delete_link(session: Session, link: AdviceLink) -> None:
    """Delete ``link`` and drop it from its point's and paragraph's loaded collections, so
    later steps in the same session do not see it."""
    for links in (link.point.links, link.paragraph.links):
        if link in links:
            links.remove(link)
    session.delete(link)


def decide_link(session: Session, link: AdviceLink, *, confirm: bool, actor: Actor = "system") -> None:
    """Confirm a proposed link, or reject (delete) it; both are recorded on the point."""
    details = {"point_id": link.point_id, "paragraph_id": link.paragraph_id, "score": link.score,
               "origin": link.origin}
    if confirm:
        link.confirmed = True
        record(session, "confirm_link", link.point, actor=actor, details=details)
    else:
        record(session, "reject_link", link.point, actor=actor, details=details)
        _delete_link(session, link)
    session.flush()


def paragraph_of(session: Session, advice: AdviceDocument, paragraph_id: int | None) -> ReactionParagraph | None:
    """Paragraph ``paragraph_id`` when it belongs to the reaction to ``advice``; None otherwise."""
    paragraph = session.get(ReactionParagraph, paragraph_id) if paragraph_id else None
    if paragraph is None or paragraph.letter.advice_id != advice.id:
        return None
    return paragraph


def add_link(session: Session, point: AdvicePoint, paragraph: ReactionParagraph, *,
             actor: Actor = "system") -> AdviceLink:
    """A person links ``paragraph`` to ``point`` (confirmed; an existing proposal is confirmed)."""
    link = session.scalar(select(AdviceLink).where(AdviceLink.point_id == point.id,
                                                   AdviceLink.paragraph_id == paragraph.id))
    if link is None:
        link = AdviceLink(point=point, paragraph=paragraph, origin="person", confirmed=True)
        session.add(link)
    link.confirmed = True
    session.flush()
    record(session, "add_link", point, actor=actor, details={"point_id": point.id, "paragraph_id": paragraph.id})
    return link


def add_point(session: Session, advice: AdviceDocument, *, label: str, text: str,
              actor: Actor = "system") -> AdvicePoint:
    """A point the split missed, added after the last one (its number when ``label`` is empty)."""
    position = max((p.position for p in advice.points), default=-1) + 1
    point = AdvicePoint(advice=advice, position=position, label=label or str(position + 1), text=text)
    session.add(point)
    session.flush()
    record(session, "add_point", point, actor=actor, details={"label": point.label, "text": point.text})
    return point


def update_point(session: Session, point: AdvicePoint, *, label: str, text: str, actor: Actor = "system") -> bool:
    """Change a point's number and text; False (and nothing recorded) when nothing changed."""
    before = {"label": point.label, "text": point.text}
    after = {"label": label, "text": text}
    if before == after:
        return False
    point.label, point.text = label, text
    session.flush()
    record(session, "update_point", point, actor=actor, details={"before": before, "after": after})
    return True


def update_response(session: Session, point: AdvicePoint, values: dict, *, actor: Actor = "system") -> dict:
    """Create or change the response to ``point``; the audit log gets the changed fields
    with their values before and after. Returns the changes."""
    response = point.response
    if response is None:
        response = AdviceResponse(point=point)
        session.add(response)
        before = {f: None for f in RESPONSE_FIELDS}
    else:
        before = {f: _plain(getattr(response, f)) for f in RESPONSE_FIELDS}
    for f in RESPONSE_FIELDS:
        if f in values:
            setattr(response, f, values[f])
    if isinstance(actor, User):
        response.updated_by_id = actor.id
    session.flush()
    after = {f: _plain(getattr(response, f)) for f in RESPONSE_FIELDS}
    changes = {f: {"before": before[f], "after": after[f]} for f in RESPONSE_FIELDS if before[f] != after[f]}
    if changes:
        record(session, "update_response", point, actor=actor, details={"changes": changes})
    return changes


def point_history(session: Session, point: AdvicePoint) -> list[AuditLog]:
    """Every audit entry about ``point``, oldest first."""
    return list(session.scalars(select(AuditLog).where(AuditLog.entity_type == "advice_point",
                                                       AuditLog.entity_id == point.id).order_by(AuditLog.id)))
