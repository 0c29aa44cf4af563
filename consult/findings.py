"""Findings, principles, scenarios and decisions (write side), and the evidence search.

A policy writer distils the input into findings ("wat is opgehaald"), principles
(uitgangspunten) and scenarios (with voordelen and nadelen), links each to codes of the
consultation's codebook, to advice points and to evidence: accepted segments, picked with
:func:`search_evidence` (the review screen's filters, :func:`consult.review.segment_query`:
text, code, source, neighbourhood, stakeholder group). Items are ordered within their kind. Decisions (besluiten) have a body,
a date and a reference and are linked to findings and to responses to advice points.

Every change is written to the audit log. The web blueprint (``consult.web.findings``)
parses forms and calls one function here; :mod:`consult.reporting` and
:mod:`consult.feedback` read what is stored for the report and the feedback page.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from analysis.privacy import mask
from consult import review
from consult.audit import record
from consult.models import (
    STANCE_LABELS, AdviceDocument, AdvicePoint, AdviceResponse, Answer, AssignmentStatus, Code, CodeAssignment,
    Consultation, Decision, Document, Finding, FindingKind, Meeting, Participant, Question, Response,
    ResponseStatus, Segment, User,
)

Actor = str | User

#: Kinds in the order of the verkenning, with the heading of their section.
SECTIONS = {
    FindingKind.FINDING: "Wat is opgehaald",
    FindingKind.PRINCIPLE: "Uitgangspunten",
    FindingKind.SCENARIO: "Scenario's",
}
#: Evidence search results per page.
PAGE_SIZE = 25
SOURCE_FILTERS = review.SOURCE_FILTERS


class FindingError(ValueError):
    """A change that cannot be made (a code, segment or link of another consultation)."""


def lines(text: str | None) -> list[str]:
    """Voordelen or nadelen as a list: one item per non-empty line, list markers dropped."""
    out = []
    for line in (text or "").splitlines():
        item = line.strip().lstrip("-*•").strip()
        if item:
            out.append(item)
    return out


def _clean_lines(text: str | None) -> str:
    return "\n".join(lines(text))


# ----------------------------------------------------------------------------- reading

def by_kind(consultation: Consultation) -> dict[FindingKind, list[Finding]]:
    """The consultation's findings per kind, each in its order."""
    out: dict[FindingKind, list[Finding]] = {k: [] for k in SECTIONS}
    for f in sorted(consultation.findings, key=lambda f: (f.position, f.id)):
        out[f.kind].append(f)
    return out


def decisions(consultation: Consultation) -> list[Decision]:
    """The consultation's decisions by date (undated last)."""
    return sorted(consultation.decisions, key=lambda d: (d.taken_on is None, d.taken_on or date.min, d.id))


def code_choices(consultation: Consultation, finding: Finding | None = None) -> list[Code]:
    """Codes a finding may be linked to: the consultation's codebook, plus codes of an
    older codebook version the finding already has (so saving does not drop them)."""
    codes = list(consultation.codebook_version.codes) if consultation.codebook_version else []
    ids = {c.id for c in codes}
    if finding is not None:
        codes += [c for c in finding.codes if c.id not in ids]
    return codes


def advice_points(session: Session, consultation: Consultation) -> list[AdvicePoint]:
    """The advice points of the consultation's advices, advice by advice, in order."""
    return list(session.scalars(
        select(AdvicePoint).join(AdviceDocument, AdviceDocument.id == AdvicePoint.advice_id)
        .where(AdviceDocument.consultation_id == consultation.id)
        .order_by(AdviceDocument.received_on, AdviceDocument.id, AdvicePoint.position)))


def advice_responses(session: Session, consultation: Consultation) -> list[AdviceResponse]:
    """The responses to the consultation's advice points (points that have one), in order."""
    return list(session.scalars(
        select(AdviceResponse).join(AdvicePoint, AdvicePoint.id == AdviceResponse.point_id)
        .join(AdviceDocument, AdviceDocument.id == AdvicePoint.advice_id)
        .where(AdviceDocument.consultation_id == consultation.id)
        .order_by(AdviceDocument.received_on, AdviceDocument.id, AdvicePoint.position)))


def point_label(point: AdvicePoint) -> str:
    """"ASDD, punt 3" for a point."""
    return f"{point.advice.advisory_body}, punt {point.label or point.position + 1}"


#: how much of an advice point's text a choice on the finding form shows
POINT_CHOICE_CHARS = 160


def point_choice(point: AdvicePoint) -> str:
    """"ASDD, punt 3: <the start of its text> …": a choice on the finding form that can be
    scanned (a point's full text runs to fifteen lines)."""
    text = " ".join((point.text or "").split())
    if len(text) > POINT_CHOICE_CHARS:
        cut = text.rfind(" ", 0, POINT_CHOICE_CHARS)
        text = text[:cut if cut > 0 else POINT_CHOICE_CHARS].rstrip(",;:. ") + " …"
    return f"{point_label(point)}: {text}"


def response_label(response: AdviceResponse) -> str:
    """"ASDD, punt 3: overgenomen" for a response."""
    stance = STANCE_LABELS[response.stance] if response.stance else "nog geen standpunt"
    return f"{point_label(response.point)}: {stance}"


# ----------------------------------------------------------------------------- findings

@dataclass
class FindingValues:
    """What a policy writer fills in for a finding, principle or scenario."""
    title: str
    statement: str = ""
    advantages: str = ""          # scenarios: one voordeel per line
    disadvantages: str = ""       # scenarios: one nadeel per line
    code_ids: list[int] = field(default_factory=list)
    advice_point_ids: list[int] = field(default_factory=list)


def _codes(session: Session, consultation: Consultation, ids: list[int], finding: Finding | None) -> list[Code]:
    allowed = {c.id: c for c in code_choices(consultation, finding)}
    unknown = [i for i in ids if i not in allowed]
    if unknown:
        raise FindingError(f"codes {unknown} are not in the consultation's codebook")
    return [allowed[i] for i in dict.fromkeys(ids)]


def _points(session: Session, consultation: Consultation, ids: list[int]) -> list[AdvicePoint]:
    allowed = {p.id: p for p in advice_points(session, consultation)}
    unknown = [i for i in ids if i not in allowed]
    if unknown:
        raise FindingError(f"advice points {unknown} are not of this consultation")
    return [allowed[i] for i in dict.fromkeys(ids)]


def _snapshot(f: Finding) -> dict:
    return {"title": f.title, "statement": f.statement, "advantages": f.advantages,
            "disadvantages": f.disadvantages, "codes": sorted(c.key for c in f.codes),
            "advice_points": sorted(p.id for p in f.advice_points)}


def _apply(session: Session, consultation: Consultation, finding: Finding, values: FindingValues) -> None:
    # links first: a wrong one raises before anything changed
    codes = _codes(session, consultation, values.code_ids, finding)
    points = _points(session, consultation, values.advice_point_ids)
    finding.title = values.title.strip()
    finding.statement = (values.statement or "").strip()
    scenario = finding.kind == FindingKind.SCENARIO
    finding.advantages = _clean_lines(values.advantages) if scenario else ""
    finding.disadvantages = _clean_lines(values.disadvantages) if scenario else ""
    finding.codes = codes
    finding.advice_points = points


def create_finding(session: Session, consultation: Consultation, kind: FindingKind, values: FindingValues, *,
                   actor: Actor = "system") -> Finding:
    """A new finding of ``kind``, placed last of its kind."""
    kind = FindingKind(kind)
    last = max((f.position for f in consultation.findings), default=-1)
    finding = Finding(kind=kind, title="", position=last + 1,
                      created_by_id=actor.id if isinstance(actor, User) else None)
    _apply(session, consultation, finding, values)  # raises before anything is added
    finding.consultation = consultation
    session.add(finding)
    session.flush()
    record(session, "create_finding", finding, actor=actor, details={"kind": kind.value, **_snapshot(finding)})
    return finding


def update_finding(session: Session, finding: Finding, values: FindingValues, *,
                   actor: Actor = "system") -> dict:
    """Store ``values``; returns the changes (field -> before/after), also audited."""
    before = _snapshot(finding)
    _apply(session, finding.consultation, finding, values)
    session.flush()
    after = _snapshot(finding)
    changes = {k: {"before": before[k], "after": after[k]} for k in after if before[k] != after[k]}
    if changes:
        record(session, "update_finding", finding, actor=actor, details={"changes": changes})
    return changes


def delete_finding(session: Session, finding: Finding, *, actor: Actor = "system") -> None:
    """Remove a finding with its links (codes, evidence, advice points, decisions)."""
    record(session, "delete_finding", finding, actor=actor,
           details={"kind": finding.kind.value, "title": finding.title, "evidence": len(finding.evidence)})
    consultation = finding.consultation
    for d in consultation.decisions:
        if finding in d.findings:
            d.findings.remove(finding)
    consultation.findings.remove(finding)
    session.delete(finding)
    session.flush()


def move_finding(session: Session, finding: Finding, direction: int, *, actor: Actor = "system") -> bool:
    """Move ``finding`` one place up (``direction`` -1) or down (+1) among the items of its
    kind. Returns False when it is already first or last. Positions are renumbered 0..n-1
    over the whole consultation, so equal or missing positions sort themselves out."""
    if direction not in (-1, 1):
        raise FindingError("direction must be -1 or 1")
    consultation = finding.consultation
    ordered = sorted(consultation.findings, key=lambda f: (f.position, f.id))
    same = [f for f in ordered if f.kind == finding.kind]
    i = same.index(finding)
    j = i + direction
    if not 0 <= j < len(same):
        return False
    same[i], same[j] = same[j], same[i]
    rest = iter(same)
    for n, f in enumerate(ordered):
        if f.kind == finding.kind:
            f = next(rest)
        f.position = n
    session.flush()
    record(session, "move_finding", finding, actor=actor,
           details={"direction": "up" if direction < 0 else "down", "place": j + 1})
    return True


# ----------------------------------------------------------------------------- evidence

@dataclass
class EvidenceFilters:
    """The review screen's search: text, code, source, neighbourhood, group; and a page."""
    q: str = ""
    code: int | None = None
    source: str = ""              # "answer" or "document"
    neighbourhood: int | None = None
    group: int | None = None
    page: int = 1

    @classmethod
    def from_args(cls, args) -> "EvidenceFilters":
        def as_int(name):
            value = (args.get(name) or "").strip()
            return int(value) if value.isdigit() else None

        source = args.get("bron", "")
        return cls(q=(args.get("q") or "").strip()[:200], code=as_int("code"),
                   source=source if source in SOURCE_FILTERS else "", neighbourhood=as_int("wijk"),
                   group=as_int("groep"), page=max(1, as_int("pagina") or 1))

    def args(self, **override) -> dict:
        """As URL parameters (the review screen's names), empty ones left out."""
        out = {"q": self.q, "code": self.code, "bron": self.source, "wijk": self.neighbourhood,
               "groep": self.group, "pagina": self.page}
        out.update(override)
        return {k: v for k, v in out.items() if v not in (None, "") and not (k == "pagina" and v == 1)}

    @property
    def active(self) -> bool:
        return bool(self.q or self.code is not None or self.source or self.neighbourhood is not None
                    or self.group is not None)


@dataclass
class EvidenceRow:
    segment: Segment
    text: str                     # the masked text (what the report and the public may see)
    source: str                   # "Vragenlijst, vraag ‘Wat kan er beter?’ · Bathmen"
    group: str
    codes: list[str]              # labels of the accepted codes
    chosen: bool                  # already evidence of the finding


@dataclass
class EvidencePage:
    rows: list[EvidenceRow]
    total: int
    page: int
    pages: int


def _accepted(code_id: int | None = None):
    cond = [CodeAssignment.segment_id == Segment.id, CodeAssignment.status == AssignmentStatus.ACCEPTED]
    if code_id is not None:
        cond.append(CodeAssignment.code_id == code_id)
    return exists().where(and_(*cond))


def evidence_query(consultation: Consultation, f: EvidenceFilters, *, segment_ids: list[int] | None = None):
    """Accepted segments of ``consultation`` matching ``f``, with the columns for their
    source line: (segment, question label, meeting title, document title, participant's and
    meeting's neighbourhood id, participant's group id). The filters are the review
    screen's (:func:`consult.review.segment_query` with status "accepted", on the masked
    text); segments of unfinished responses are left out, as in the report. With
    ``segment_ids``: just those segments, accepted or not, and no filters."""
    resp, part, meeting = aliased(Response), aliased(Participant), aliased(Meeting)
    stmt = (select(Segment, Question.label, meeting.title, Document.title, part.neighbourhood_id,
                   meeting.neighbourhood_id, part.stakeholder_group_id)
            .outerjoin(Answer, Segment.answer_id == Answer.id)
            .outerjoin(Question, Answer.question_id == Question.id)
            .outerjoin(resp, Answer.response_id == resp.id)
            .outerjoin(part, resp.participant_id == part.id)
            .outerjoin(Document, Segment.document_id == Document.id)
            .outerjoin(meeting, Document.meeting_id == meeting.id)
            .where(Segment.consultation_id == consultation.id))
    if segment_ids is not None:
        return stmt.where(Segment.id.in_(segment_ids or [-1]))
    matching = review.segment_query(consultation, review.Filters(
        status="accepted", code=f.code, neighbourhood=f.neighbourhood, group=f.group, source=f.source, q=f.q),
        unmasked=False).with_only_columns(Segment.id)
    return stmt.where(Segment.id.in_(matching),
                      or_(Segment.answer_id.is_(None), resp.status == ResponseStatus.SUBMITTED))


def search_evidence(session: Session, consultation: Consultation, f: EvidenceFilters,
                    finding: Finding | None = None, *, page_size: int = PAGE_SIZE) -> EvidencePage:
    """One page of accepted segments matching ``f``, in segment order, with their masked
    text, source, group and accepted codes; ``chosen`` marks the finding's evidence."""
    stmt = evidence_query(consultation, f)
    total = session.scalar(select(func.count()).select_from(stmt.with_only_columns(Segment.id).subquery())) or 0
    pages = max(1, -(-total // page_size))
    page = min(f.page, pages)
    rows = session.execute(stmt.order_by(Segment.id).offset((page - 1) * page_size).limit(page_size)).all()
    chosen = {s.id for s in finding.evidence} if finding is not None else set()
    return EvidencePage(rows=_rows(session, consultation, rows, chosen), total=total, page=page, pages=pages)


def evidence_rows(session: Session, finding: Finding) -> list[EvidenceRow]:
    """The finding's evidence, in segment order, as search results show it."""
    stmt = evidence_query(finding.consultation, EvidenceFilters(), segment_ids=[s.id for s in finding.evidence])
    rows = session.execute(stmt.order_by(Segment.id)).all()
    return _rows(session, finding.consultation, rows, {r[0].id for r in rows})


def _rows(session: Session, consultation: Consultation, rows, chosen: set[int]) -> list[EvidenceRow]:
    ids = [r[0].id for r in rows]
    codes: dict[int, list[str]] = {}
    for sid, label in session.execute(
            select(CodeAssignment.segment_id, Code.label).join(Code, Code.id == CodeAssignment.code_id)
            .where(CodeAssignment.segment_id.in_(ids or [-1]), CodeAssignment.status == AssignmentStatus.ACCEPTED)
            .order_by(CodeAssignment.segment_id, Code.position, Code.id)):
        if label not in codes.setdefault(sid, []):
            codes[sid].append(label)
    hoods = {n.id: n.name for n in consultation.organisation.neighbourhoods}
    groups = {g.id: g.label for g in consultation.stakeholder_groups}
    out = []
    for seg, question, meeting_title, doc_title, part_hood, meeting_hood, part_group in rows:
        if seg.answer_id is not None:
            bits = [f"Vragenlijst, vraag ‘{question}’" if question else "Vragenlijst", hoods.get(part_hood, "")]
        else:
            # evidence is shown masked to everyone, titles as well as text
            bits = [f"Verslag: {mask(meeting_title or doc_title or '') or 'bijeenkomst'}", hoods.get(meeting_hood, "")]
        group = groups.get(seg.stakeholder_group_id) or groups.get(part_group) or ""
        out.append(EvidenceRow(segment=seg, text=seg.masked_text, source=" · ".join(b for b in bits if b),
                               group=group, codes=codes.get(seg.id, []), chosen=seg.id in chosen))
    return out


def add_evidence(session: Session, finding: Finding, segment_ids: list[int], *, actor: Actor = "system") -> int:
    """Add segments as evidence of ``finding``: only accepted segments of its consultation,
    from notes or submitted answers (others raise FindingError); segments already there are skipped. Returns how many
    were added."""
    ids = list(dict.fromkeys(segment_ids))
    if not ids:
        return 0
    submitted = select(Answer.id).join(Response, Answer.response_id == Response.id).where(
        Response.status == ResponseStatus.SUBMITTED)
    found = {s.id: s for s in session.scalars(select(Segment).where(
        Segment.id.in_(ids), Segment.consultation_id == finding.consultation_id, _accepted(),
        or_(Segment.answer_id.is_(None), Segment.answer_id.in_(submitted))))}  # as the search shows them
    missing = [i for i in ids if i not in found]
    if missing:
        raise FindingError(f"segments {missing} are not accepted segments of this consultation")
    have = {s.id for s in finding.evidence}
    new = [found[i] for i in ids if i not in have]
    finding.evidence.extend(new)
    session.flush()
    if new:
        record(session, "add_evidence", finding, actor=actor, details={"segments": [s.id for s in new]})
    return len(new)


def remove_evidence(session: Session, finding: Finding, segment_id: int, *, actor: Actor = "system") -> bool:
    """Remove one segment from the finding's evidence; False when it was not there."""
    seg = next((s for s in finding.evidence if s.id == segment_id), None)
    if seg is None:
        return False
    finding.evidence.remove(seg)
    session.flush()
    record(session, "remove_evidence", finding, actor=actor, details={"segment": segment_id})
    return True


# ----------------------------------------------------------------------------- decisions

@dataclass
class DecisionValues:
    """What a policy writer fills in for a decision (besluit)."""
    text: str
    body: str = "college van B&W"
    taken_on: date | None = None
    reference: str = ""                    # e.g. notanummer
    finding_ids: list[int] = field(default_factory=list)
    response_ids: list[int] = field(default_factory=list)


def _decision_snapshot(d: Decision) -> dict:
    return {"body": d.body, "taken_on": d.taken_on.isoformat() if d.taken_on else None, "reference": d.reference,
            "text": d.text, "findings": sorted(f.id for f in d.findings),
            "advice_responses": sorted(r.id for r in d.advice_responses)}


def _apply_decision(session: Session, consultation: Consultation, d: Decision, values: DecisionValues) -> None:
    findings = {f.id: f for f in consultation.findings}
    responses = {r.id: r for r in advice_responses(session, consultation)}
    unknown = [i for i in values.finding_ids if i not in findings]
    unknown += [i for i in values.response_ids if i not in responses]
    if unknown:
        raise FindingError(f"findings or responses {unknown} are not of this consultation")
    d.body = (values.body or "").strip() or "college van B&W"
    d.taken_on = values.taken_on
    d.reference = (values.reference or "").strip()
    d.text = (values.text or "").strip()
    d.findings = [findings[i] for i in dict.fromkeys(values.finding_ids)]
    d.advice_responses = [responses[i] for i in dict.fromkeys(values.response_ids)]


def create_decision(session: Session, consultation: Consultation, values: DecisionValues, *,
                    actor: Actor = "system") -> Decision:
    d = Decision(text="")
    _apply_decision(session, consultation, d, values)  # raises before anything is added
    d.consultation = consultation
    session.add(d)
    session.flush()
    record(session, "create_decision", d, actor=actor, details=_decision_snapshot(d))
    return d


def update_decision(session: Session, decision: Decision, values: DecisionValues, *,
                    actor: Actor = "system") -> dict:
    before = _decision_snapshot(decision)
    _apply_decision(session, decision.consultation, decision, values)
    session.flush()
    after = _decision_snapshot(decision)
    changes = {k: {"before": before[k], "after": after[k]} for k in after if before[k] != after[k]}
    if changes:
        record(session, "update_decision", decision, actor=actor, details={"changes": changes})
    return changes


def delete_decision(session: Session, decision: Decision, *, actor: Actor = "system") -> None:
    record(session, "delete_decision", decision, actor=actor,
           details={"body": decision.body, "reference": decision.reference,
                    "taken_on": decision.taken_on.isoformat() if decision.taken_on else None})
    decision.consultation.decisions.remove(decision)
    session.delete(decision)
    session.flush()
