"""Policy writers: reviewing code suggestions per consultation.

Segments with their suggested codes (origin, confidence, evidence highlighted), filters
(code, status, neighbourhood, stakeholder group, channel, source), progress counts and a
full-text search. Accepting, rejecting and adding codes go through the review service
(:func:`consult.coding.decide`, :func:`consult.coding.add_code`). Plain forms;
``static/review.js`` adds keyboard shortcuts on top.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlencode

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from markupsafe import Markup, escape
from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import aliased, selectinload

from consult import coding
from consult.models import (
    AssignmentStatus, Channel, Code, CodeAssignment, Consultation, Document, Meeting, Participant,
    Response, Role, Segment,
)
from consult.models import Answer as AnswerRow
from consult.models.coding import ASSIGNMENT_STATUS_LABELS, ORIGIN_LABELS
from consult.security import consultation_for_staff, current_user, is_safe_next, login_required, sees_unmasked
from consult.context import db, get_in_consultation

bp = Blueprint("review", __name__, url_prefix="/beheer/c/<slug>/codering")

REVIEWERS = (Role.ADMINISTRATOR, Role.POLICY_WRITER)
PAGE_SIZE = 20
CHANNEL_FILTERS = {"online": "online", "paper": "papier", "telephone": "telefoon", "meeting": "bijeenkomst"}
SOURCE_FILTERS = {"answer": "vragenlijst", "document": "verslag van bijeenkomst"}
STATUS_FILTERS = {"open": "nog te beoordelen", "suggested": "met voorstel", "accepted": "geaccepteerd",
                  "rejected": "afgewezen", "uncoded": "zonder code"}


@dataclass
class Filters:
    code: int | None = None
    status: str = ""
    neighbourhood: int | None = None
    group: int | None = None
    channel: str = ""
    source: str = ""
    q: str = ""
    page: int = 1

    @classmethod
    def from_args(cls, args) -> "Filters":
        def as_int(name):
            value = args.get(name, "")
            return int(value) if value.isdigit() else None

        return cls(code=as_int("code"), status=args.get("status", "") if args.get("status") in STATUS_FILTERS else "",
                   neighbourhood=as_int("wijk"), group=as_int("groep"),
                   channel=args.get("kanaal", "") if args.get("kanaal") in CHANNEL_FILTERS else "",
                   source=args.get("bron", "") if args.get("bron") in SOURCE_FILTERS else "",
                   q=args.get("q", "").strip()[:200], page=max(1, as_int("pagina") or 1))

    def args(self, **override) -> dict:
        out = {"code": self.code, "status": self.status, "wijk": self.neighbourhood, "groep": self.group,
               "kanaal": self.channel, "bron": self.source, "q": self.q, "pagina": self.page}
        out.update(override)
        return {k: v for k, v in out.items() if v not in (None, "") and not (k == "pagina" and v == 1)}


def _segment_query(c: Consultation, f: Filters, unmasked: bool):
    resp = aliased(Response)
    part = aliased(Participant)
    meeting = aliased(Meeting)
    stmt = (select(Segment)
            .outerjoin(AnswerRow, Segment.answer_id == AnswerRow.id)
            .outerjoin(resp, AnswerRow.response_id == resp.id)
            .outerjoin(part, resp.participant_id == part.id)
            .outerjoin(Document, Segment.document_id == Document.id)
            .outerjoin(meeting, Document.meeting_id == meeting.id)
            .where(Segment.consultation_id == c.id))
    a = CodeAssignment
    if f.code is not None or f.status in ("suggested", "accepted", "rejected"):
        cond = [a.segment_id == Segment.id]
        if f.code is not None:
            cond.append(a.code_id == f.code)
        if f.status in ("suggested", "accepted", "rejected"):
            cond.append(a.status == AssignmentStatus(f.status))
        stmt = stmt.where(exists().where(and_(*cond)))
    if f.status == "open":
        stmt = stmt.where(exists().where(and_(a.segment_id == Segment.id, a.status == AssignmentStatus.SUGGESTED)))
    elif f.status == "uncoded":
        stmt = stmt.where(~exists().where(and_(a.segment_id == Segment.id, a.status != AssignmentStatus.REJECTED)))
    if f.neighbourhood is not None:
        stmt = stmt.where(or_(part.neighbourhood_id == f.neighbourhood, meeting.neighbourhood_id == f.neighbourhood))
    if f.group is not None:
        stmt = stmt.where(or_(Segment.stakeholder_group_id == f.group,
                              and_(Segment.stakeholder_group_id.is_(None), part.stakeholder_group_id == f.group)))
    if f.channel == "meeting":
        stmt = stmt.where(or_(Segment.document_id.is_not(None), resp.channel == Channel.MEETING))
    elif f.channel:
        stmt = stmt.where(resp.channel == Channel(f.channel))
    if f.source == "answer":
        stmt = stmt.where(Segment.answer_id.is_not(None))
    elif f.source == "document":
        stmt = stmt.where(Segment.document_id.is_not(None))
    if f.q:
        column = Segment.text if unmasked else Segment.masked_text
        pattern = "%" + f.q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(func.lower(column).like(pattern, escape="\\"))
    return stmt


def highlight(text: str, assignment: CodeAssignment | None, *, original: bool, query: str = "") -> Markup:
    """``text`` with the evidence of ``assignment`` (and the search term) marked."""
    spans: list[tuple[int, int]] = []
    items = ((assignment.evidence or {}).get("items") or []) if assignment is not None else []
    for item in items:
        if not isinstance(item, dict) or item.get("kind") != "keyword":
            continue
        s, e = item.get("start_char", -1), item.get("end_char", -1)
        if original and isinstance(s, int) and 0 <= s < e <= len(text):
            spans.append((s, e))
        elif item.get("matched_text"):
            for m in re.finditer(re.escape(item["matched_text"]), text, re.I):
                spans.append(m.span())
    if query:
        for m in re.finditer(re.escape(query), text, re.I):
            spans.append(m.span())
    spans.sort()
    out, pos = [], 0
    for s, e in spans:
        if s < pos:
            continue
        out.append(escape(text[pos:s]))
        out.append(Markup("<mark>") + escape(text[s:e]) + Markup("</mark>"))
        pos = e
    out.append(escape(text[pos:]))
    return Markup("").join(out)


def evidence_summary(a: CodeAssignment) -> str:
    ev = a.evidence or {}
    words = []
    for item in ev.get("items") or []:
        if isinstance(item, dict) and item.get("kind") == "keyword" and item.get("matched_text"):
            if item["matched_text"] not in words:
                words.append(item["matched_text"])
    parts = []
    if words:
        parts.append("trefwoorden: " + ", ".join(f"‘{w}’" for w in words[:6]))
    features = [i.get("rule_id", "").split(":", 1)[-1] for i in ev.get("items") or []
                if isinstance(i, dict) and i.get("kind") == "feature" and i.get("rule_id", "").startswith("lemma:")]
    if features:
        parts.append("model let op: " + ", ".join(features[:5]))
    return "; ".join(parts)


def _source_label(seg: Segment) -> str:
    if seg.document is not None:
        m = seg.document.meeting
        return f"Verslag: {m.title if m else seg.document.title}"
    if seg.answer is not None:
        r = seg.answer.response
        hood = r.participant.neighbourhood.name if r.participant and r.participant.neighbourhood else ""
        bits = [f"Vragenlijst, vraag ‘{seg.answer.question.label}’", CHANNEL_FILTERS.get(r.channel.value, "")]
        if hood:
            bits.append(hood)
        return " · ".join(b for b in bits if b)
    return ""


def _group_label(seg: Segment) -> str:
    if seg.stakeholder_group is not None:
        return seg.stakeholder_group.label
    if seg.answer is not None and seg.answer.response.participant and seg.answer.response.participant.stakeholder_group:
        return seg.answer.response.participant.stakeholder_group.label
    return ""


@bp.get("")
@login_required(*REVIEWERS)
def index(slug: str):
    c = consultation_for_staff(slug)
    s = db()
    user = current_user()
    unmasked = sees_unmasked(user)
    f = Filters.from_args(request.args)
    base = _segment_query(c, f, unmasked)
    total = s.scalar(select(func.count()).select_from(base.with_only_columns(Segment.id).distinct().subquery())) or 0
    pages = max(1, (total + PAGE_SIZE - 1) // PAGE_SIZE)
    f.page = min(f.page, pages)
    segments = s.scalars(base.order_by(Segment.id).distinct().offset((f.page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
                         .options(selectinload(Segment.assignments).selectinload(CodeAssignment.code)
                                  .selectinload(Code.version))).all()
    counts = dict(s.execute(select(CodeAssignment.status, func.count(CodeAssignment.id)).join(Segment)
                            .where(Segment.consultation_id == c.id).group_by(CodeAssignment.status)).all())
    reviewed = s.scalar(select(func.count(func.distinct(CodeAssignment.segment_id))).join(Segment).where(
        Segment.consultation_id == c.id, CodeAssignment.decided_at.is_not(None))) or 0
    all_segments = s.scalar(select(func.count(Segment.id)).where(Segment.consultation_id == c.id)) or 0
    codes = list(c.codebook_version.codes) if c.codebook_version else []
    rows = []
    for seg in segments:
        shown = seg.text if unmasked else seg.masked_text
        assignments = sorted(seg.assignments, key=lambda a: (a.status != AssignmentStatus.SUGGESTED,
                                                             -(a.confidence or 0)))
        first = next((a for a in assignments if a.status == AssignmentStatus.SUGGESTED), None)
        rows.append({"segment": seg, "html": highlight(shown, first, original=unmasked, query=f.q),
                     "assignments": assignments, "source": _source_label(seg), "group": _group_label(seg)})
    return render_template(
        "review/index.html", c=c, rows=rows, f=f, total=total, pages=pages, counts=counts, codes=codes,
        reviewed=reviewed, all_segments=all_segments, status_labels=ASSIGNMENT_STATUS_LABELS,
        origin_labels=ORIGIN_LABELS, channel_filters=CHANNEL_FILTERS, source_filters=SOURCE_FILTERS,
        status_filters=STATUS_FILTERS, evidence_summary=evidence_summary, here=request.full_path,
        page_url=lambda n: url_for(".index", slug=slug, **f.args(pagina=n)))


def _back(slug: str, anchor: str = ""):
    target = request.form.get("next", "")
    if not is_safe_next(target):
        target = url_for(".index", slug=slug)
    return redirect(target.rstrip("?") + (f"#{anchor}" if anchor else ""), 303)


@bp.post("/toewijzing/<int:assignment_id>")
@login_required(*REVIEWERS)
def decide(slug: str, assignment_id: int):
    c = consultation_for_staff(slug)
    s = db()
    a = s.get(CodeAssignment, assignment_id)
    if a is None or a.segment.consultation_id != c.id:
        abort(404)
    try:
        coding.decide(s, a, request.form.get("decision", ""), current_user())
    except ValueError:
        abort(400)
    s.commit()
    return _back(slug, f"stuk-{a.segment_id}")


@bp.post("/stuk/<int:segment_id>/code")
@login_required(*REVIEWERS)
def add_code(slug: str, segment_id: int):
    c = consultation_for_staff(slug)
    s = db()
    seg = get_in_consultation(Segment, segment_id, c)
    code_id = request.form.get("code_id", "")
    code = s.get(Code, int(code_id)) if code_id.isdigit() else None
    try:
        coding.add_code(s, seg, code, current_user())
    except ValueError:
        flash("Kies een code uit het codeboek.", "error")
        return _back(slug, f"stuk-{seg.id}")
    s.commit()
    return _back(slug, f"stuk-{seg.id}")


def query_string(args: dict) -> str:
    return urlencode(args)
