"""The review screen's queries: which segments to show, the progress counts, the text
around a segment, and why a code was suggested, in plain Dutch.

Decisions themselves (accept, reject, add, bulk accept, undo) are made by
:mod:`consult.coding`, the one place where the review rule is applied; this module only
reads. Filters come from the query string (:class:`Filters`); the default is
``open`` ("nog te beoordelen": segments with at least one suggestion nobody decided on).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from markupsafe import Markup, escape
from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import Session, aliased, load_only, selectinload

from analysis.coding.base import not_codable_because
from consult.models import (
    AssignmentStatus, Channel, Code, CodeAssignment, Consultation, Document, Meeting, Origin, Participant,
    Response, Segment,
)
from consult.models import Answer as AnswerRow

PAGE_SIZE = 20
CHANNEL_FILTERS = {"online": "online", "paper": "papier", "telephone": "telefoon", "meeting": "bijeenkomst"}
SOURCE_FILTERS = {"answer": "vragenlijst", "document": "verslag van bijeenkomst"}
#: Segment filters by review state. ``open``, ``reviewed`` and ``none`` split all segments
#: in three (the progress counts); ``all`` shows everything.
STATUS_FILTERS = {"open": "nog te beoordelen", "reviewed": "beoordeeld", "none": "zonder voorstel",
                  "accepted": "met een geaccepteerde code", "rejected": "met een afgewezen code",
                  "uncoded": "zonder geaccepteerde of voorgestelde code", "all": "alle stukken"}
DEFAULT_STATUS = "open"
#: The order of the list. ``leerzaam``: the segments on which the learning coder is least
#: sure first (``Segment.review_margin``, smallest first), then the rest in text order;
#: ``tekst``: in the order the text came in. Without a choice (``""``): ``leerzaam`` once
#: the learning coder ranked the segments (:func:`consult.coding.learner_active`).
ORDERS = {"leerzaam": "eerst waar het model twijfelt", "tekst": "op volgorde van de tekst"}
#: Answers with at most this many segments are shown whole as the context of a segment.
SHORT_ANSWER_SEGMENTS = 5


@dataclass
class Filters:
    code: int | None = None
    status: str = DEFAULT_STATUS
    neighbourhood: int | None = None
    group: int | None = None
    channel: str = ""
    source: str = ""
    document: int | None = None     # one meeting's notes (``verslag``)
    q: str = ""
    page: int = 1
    order: str = ""
    #: The order in effect (:func:`resolve_order`); not part of the URL.
    sort: str = "tekst"

    @classmethod
    def from_args(cls, args) -> "Filters":
        def as_int(name):
            value = args.get(name, "")
            return int(value) if value.isdigit() else None

        status = args.get("status", DEFAULT_STATUS)
        status = {"suggested": "open", "": "all"}.get(status, status)
        return cls(code=as_int("code"), status=status if status in STATUS_FILTERS else DEFAULT_STATUS,
                   neighbourhood=as_int("wijk"), group=as_int("groep"),
                   channel=args.get("kanaal", "") if args.get("kanaal") in CHANNEL_FILTERS else "",
                   source=args.get("bron", "") if args.get("bron") in SOURCE_FILTERS else "",
                   document=as_int("verslag"),
                   q=args.get("q", "").strip()[:200], page=max(1, as_int("pagina") or 1),
                   order=args.get("volgorde", "") if args.get("volgorde") in ORDERS else "")

    def args(self, **override) -> dict:
        out = {"code": self.code, "status": self.status, "wijk": self.neighbourhood, "groep": self.group,
               "kanaal": self.channel, "bron": self.source, "verslag": self.document, "q": self.q,
               "volgorde": self.order,
               "pagina": self.page}
        out.update(override)
        return {k: v for k, v in out.items()
                if v not in (None, "") and not (k == "pagina" and v == 1)
                and not (k == "status" and v == DEFAULT_STATUS)}


def _has(*cond):
    return exists().where(and_(CodeAssignment.segment_id == Segment.id, *cond))


def _open():
    return _has(CodeAssignment.status == AssignmentStatus.SUGGESTED, CodeAssignment.decided_at.is_(None))


def segment_query(c: Consultation, f: Filters, *, unmasked: bool):
    """``SELECT segment`` of ``c`` under the filters (no order, no paging)."""
    resp = aliased(Response)
    part = aliased(Participant)
    meeting = aliased(Meeting)
    stmt = (select(Segment)
            .outerjoin(AnswerRow, Segment.answer_id == AnswerRow.id)
            .outerjoin(resp, AnswerRow.response_id == resp.id)
            .outerjoin(part, resp.participant_id == part.id)
            .outerjoin(Document, Segment.document_id == Document.id)
            .outerjoin(meeting, Document.meeting_id == meeting.id)
            .where(Segment.consultation_id == c.id, Segment.furniture.is_(False)))   # furniture: never coded
    a = CodeAssignment
    if f.code is not None:
        stmt = stmt.where(_has(a.code_id == f.code))
    if f.status == "open":
        stmt = stmt.where(_open())
    elif f.status == "reviewed":
        stmt = stmt.where(_has(), ~_open())
    elif f.status == "none":
        stmt = stmt.where(~_has())
    elif f.status in ("accepted", "rejected"):
        stmt = stmt.where(_has(a.status == AssignmentStatus(f.status),
                               *([a.code_id == f.code] if f.code is not None else [])))
    elif f.status == "uncoded":
        stmt = stmt.where(~_has(a.status != AssignmentStatus.REJECTED))
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
    if f.document is not None:
        stmt = stmt.where(Segment.document_id == f.document)
    if f.q:      # every word of the search, anywhere in the text ("budget samen")
        column = Segment.text if unmasked else Segment.masked_text
        for word in f.q.lower().split():
            pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            stmt = stmt.where(func.lower(column).like(pattern, escape="\\"))
    return stmt


def resolve_order(session: Session, c: Consultation, f: Filters) -> Filters:
    """Set ``f.sort``, the order in effect: the chosen one, else ``leerzaam`` when the
    learning coder ranked the segments, else ``tekst``."""
    from consult.coding import learner_active

    f.sort = f.order or ("leerzaam" if learner_active(session, c) else "tekst")
    return f


def _ordering(f: Filters) -> tuple:
    if f.sort == "leerzaam":
        return (Segment.review_margin.asc().nulls_last(), Segment.id)
    return (Segment.id,)


def _before(f: Filters, margin: float | None, segment_id: int):
    """Segments listed before the segment (``margin``, ``segment_id``) in the order of ``f``."""
    if f.sort != "leerzaam":
        return Segment.id < segment_id
    if margin is None:
        return or_(Segment.review_margin.is_not(None), Segment.id < segment_id)
    return or_(Segment.review_margin < margin, and_(Segment.review_margin == margin, Segment.id < segment_id))


def _after(f: Filters, margin: float | None, segment_id: int):
    """Segments listed after the segment (``margin``, ``segment_id``) in the order of ``f``."""
    if f.sort != "leerzaam":
        return Segment.id > segment_id
    if margin is None:
        return and_(Segment.review_margin.is_(None), Segment.id > segment_id)
    return or_(Segment.review_margin > margin, Segment.review_margin.is_(None),
               and_(Segment.review_margin == margin, Segment.id > segment_id))


def _count(session: Session, stmt) -> int:
    return session.scalar(select(func.count()).select_from(
        stmt.with_only_columns(Segment.id).distinct().subquery())) or 0


# -- progress ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Progress:
    """Review progress of a consultation, defined so the numbers cannot contradict:

    segments: ``total = open + reviewed + without``, where ``open`` have at least one
    suggestion nobody decided on ("nog te beoordelen"), ``reviewed`` have codes and no open
    suggestion left ("beoordeeld"), ``without`` have no code at all ("zonder voorstel");
    codes (assignments): ``accepted``, ``rejected`` and ``suggested`` (still open).
    """
    total: int
    open: int
    reviewed: int
    without: int
    accepted: int
    rejected: int
    suggested: int

    @property
    def percent_reviewed(self) -> int:
        coded = self.open + self.reviewed
        return round(100 * self.reviewed / coded) if coded else 0


def progress(session: Session, c: Consultation) -> Progress:
    """The review progress of ``c`` (see :class:`Progress`), in two queries."""
    in_c = and_(Segment.consultation_id == c.id, Segment.furniture.is_(False))
    total, open_, coded = session.execute(
        select(func.count(Segment.id),
               func.coalesce(func.sum(case((_open(), 1), else_=0)), 0),
               func.coalesce(func.sum(case((_has(), 1), else_=0)), 0))
        .where(in_c)).one()
    per_status = dict(session.execute(
        select(CodeAssignment.status, func.count(CodeAssignment.id)).join(Segment)
        .where(in_c).group_by(CodeAssignment.status)).all())
    return Progress(total=total or 0, open=open_ or 0, reviewed=(coded or 0) - (open_ or 0),
                    without=(total or 0) - (coded or 0),
                    accepted=per_status.get(AssignmentStatus.ACCEPTED, 0),
                    rejected=per_status.get(AssignmentStatus.REJECTED, 0),
                    suggested=per_status.get(AssignmentStatus.SUGGESTED, 0))


# -- the list, and where to go next --------------------------------------------------------

#: Why a segment got no proposal, in the review screen's words (analysis.coding.base.not_codable_because)
NOT_CODABLE = {
    "furniture": "dit lijkt een kop, inhoudsopgave, tabel of bronvermelding",
    "language": "deze tekst lijkt niet in het Nederlands",
}


def review_documents(session: Session, c: Consultation) -> list[Document]:
    """The notes and documents of ``c`` whose segments the review list can show alone."""
    return list(session.scalars(select(Document).where(Document.consultation_id == c.id)
                                .options(load_only(Document.id, Document.title)).order_by(Document.id)))


def furniture_reason(segment: Segment) -> str:
    """Why a furniture segment of notes (``Segment.furniture``: never coded, not in the
    review list) is left out, for the notes page: a document's own furniture (contents,
    a caption, a reference) or a line about the meeting (its title, who was there)."""
    if not_codable_because(segment.text) == "furniture":
        return "Een inhoudsopgave, kop, bijschrift, tabel of bronvermelding."
    return "Over de bijeenkomst zelf (titel, aanwezigen of datum)."


@dataclass
class Page:
    filters: Filters
    total: int
    pages: int
    rows: list[dict] = field(default_factory=list)


def review_page(session: Session, c: Consultation, f: Filters, *, unmasked: bool) -> Page:
    """One page of segments under ``f``, each with its sorted assignments, the marked text
    (``html``), the text around it (``context``), its source and group."""
    base = segment_query(c, f, unmasked=unmasked)
    total = _count(session, base)
    pages = max(1, (total + PAGE_SIZE - 1) // PAGE_SIZE)
    f.page = min(f.page, pages)
    # no DISTINCT: every join of segment_query is many-to-one, and PostgreSQL cannot
    # compare the JSON column Segment.candidates
    segments = session.scalars(
        base.order_by(*_ordering(f)).offset((f.page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
        .options(selectinload(Segment.assignments).selectinload(CodeAssignment.code).selectinload(Code.version),
                 selectinload(Segment.assignments).selectinload(CodeAssignment.decided_by))).all()
    contexts = segment_contexts(session, segments)
    codes = {code.key: code for code in c.codebook_version.codes} if c.codebook_version else {}
    rows = []
    for seg in segments:
        shown = seg.text if unmasked else seg.masked_text
        assignments = sorted(seg.assignments, key=lambda a: (a.status != AssignmentStatus.SUGGESTED,
                                                             -(a.confidence or 0), a.id))
        first = next((a for a in assignments if a.status == AssignmentStatus.SUGGESTED), None)
        marked = [a for a in assignments if a.status != AssignmentStatus.REJECTED]
        rows.append({"segment": seg, "html": highlight(shown, marked, original=unmasked, query=f.q),
                     "assignments": assignments, "source": source_label(seg, unmasked=unmasked), "group": group_label(seg),
                     "context": contexts.get(seg.id), "open": first is not None,
                     "candidates": candidates(seg, codes),
                     "not_codable": NOT_CODABLE.get(not_codable_because(seg.text)) if not assignments else None})
    return Page(filters=f, total=total, pages=pages, rows=rows)


@dataclass(frozen=True)
class Candidate:
    """A code just below the coder's threshold on a segment: a one-key choice."""
    code: Code
    score: float
    by_model: bool     # the learning coder's probability; else similarity to the codebook text

    @property
    def hint(self) -> str:
        """Why the code is offered: the learning coder's probability when it says something
        (5% or more), else the resemblance to the code's text in the codebook, which is what
        both coders order and keep their near misses by."""
        if self.by_model and self.score >= 0.05:
            return f"zekerheid {round(self.score * 100)}%"
        return "lijkt op de omschrijving"


def candidates(seg: Segment, codes: dict[str, Code]) -> list[Candidate]:
    """The segment's stored candidates that are codes of the current codebook version and
    not on the segment yet (in any status), best first.

    The coders chose them by resemblance to the codebook text and the consultation's
    themes (analysis.coding.ranking). The learning coder's are shown with its probability
    (:attr:`Candidate.hint`), so they are listed by that probability: "zekerheid 12%" never
    stands above "zekerheid 30%". The rules' keep the coders' order."""
    stored = seg.candidates if isinstance(seg.candidates, dict) else {}
    have = {a.code.key for a in seg.assignments}
    by_model = str(stored.get("coder") or "").startswith("model:")
    out = []
    for item in stored.get("codes") or []:
        code = codes.get(item.get("code")) if isinstance(item, dict) else None
        if code is not None and code.key not in have:
            out.append(Candidate(code, float(item.get("score") or 0.0), by_model))
    if by_model:
        out.sort(key=lambda cand: -cand.score)        # stable: ties keep the coder's order
    return out


def next_to_review(session: Session, c: Consultation, f: Filters, after: int | None, *,
                   unmasked: bool) -> tuple[int, int] | None:
    """``(segment id, page)`` of the segment to look at next under ``f``: the first one after
    segment ``after`` (in the list's order, ``f.sort``) that still has an open suggestion,
    else the first such one before it; None when no segment under ``f`` has an open
    suggestion."""
    base = segment_query(c, f, unmasked=unmasked).where(_open())
    first = base.with_only_columns(Segment.id).order_by(*_ordering(f)).limit(1)
    found = None
    if after is not None:
        found = session.scalar(first.where(_after(f, _margin(session, after), after)))
    if found is None:
        found = session.scalar(first)
    if found is None:
        return None
    return found, page_of(session, c, f, found, unmasked=unmasked)


def has_open_suggestion(session: Session, segment_id: int) -> bool:
    """Whether segment ``segment_id`` still has a suggestion nobody decided on."""
    return session.scalar(select(Segment.id).where(Segment.id == segment_id, _open())) is not None


def _margin(session: Session, segment_id: int) -> float | None:
    return session.scalar(select(Segment.review_margin).where(Segment.id == segment_id))


def page_of(session: Session, c: Consultation, f: Filters, segment_id: int, *, unmasked: bool) -> int:
    """The page on which segment ``segment_id`` is listed under ``f`` (1 when not listed)."""
    before = _count(session, segment_query(c, f, unmasked=unmasked).where(
        _before(f, _margin(session, segment_id), segment_id)))
    return before // PAGE_SIZE + 1


# -- the text around a segment -------------------------------------------------------------

@dataclass
class Context:
    """The masked text around a segment: its question (answers) and the neighbouring
    segments of the same answer or notes, with the segment itself marked (``html``)."""
    heading: str
    html: Markup


def segment_contexts(session: Session, segments: list[Segment]) -> dict[int, Context]:
    """The context of every segment in ``segments`` (masked text only), in two queries:
    a short answer whole, otherwise the previous and next segment of the same answer or
    notes."""
    if not segments:
        return {}
    answer_ids = {s.answer_id for s in segments if s.answer_id is not None}
    near = [and_(Segment.document_id == s.document_id, Segment.position.between(s.position - 1, s.position + 1))
            for s in segments if s.document_id is not None]
    conditions = ([Segment.answer_id.in_(answer_ids)] if answer_ids else []) + near
    siblings: dict[tuple[str, int], list[Segment]] = {}
    for sib in session.scalars(select(Segment).where(or_(*conditions))
                               .options(selectinload(Segment.answer).selectinload(AnswerRow.question))
                               .order_by(Segment.position, Segment.id)):
        key = ("answer", sib.answer_id) if sib.answer_id is not None else ("document", sib.document_id)
        siblings.setdefault(key, []).append(sib)
    out = {}
    for seg in segments:
        key = ("answer", seg.answer_id) if seg.answer_id is not None else ("document", seg.document_id)
        parts = siblings.get(key, [])
        if seg.answer_id is not None:
            heading = f"Vraag: {seg.answer.question.label}" if seg.answer is not None else "Antwoord"
            if len(parts) > SHORT_ANSWER_SEGMENTS:
                parts = [p for p in parts if abs(p.position - seg.position) <= 1]
        else:
            heading = "Uit het verslag"
            parts = [p for p in parts if abs(p.position - seg.position) <= 1]
        if len(parts) <= 1:
            continue  # nothing around it: the segment is the whole answer
        pieces = []
        for p in parts:
            text = escape(p.masked_text)
            pieces.append(Markup("<mark>") + text + Markup("</mark>") if p.id == seg.id else text)
        out[seg.id] = Context(heading=heading, html=Markup(" ").join(pieces))
    return out


# -- how a segment and its codes are shown -------------------------------------------------

def highlight(text: str, assignments: CodeAssignment | list[CodeAssignment] | None, *, original: bool,
              query: str = "") -> Markup:
    """``text`` with the keyword evidence of ``assignments`` (one or several) and the search
    term marked; a mark names the codes its words are evidence for (``title``).  On masked
    text (``original`` false) the matched words are found again by what they say, as whole
    words: ``buurt`` is not marked inside ``buurthuis``.  Overlapping marks are merged."""
    if assignments is None:
        assignments = []
    elif isinstance(assignments, CodeAssignment):
        assignments = [assignments]
    spans: list[tuple[int, int, str]] = []
    for a in assignments:
        label = a.code.label if a.code is not None else ""
        items = (a.evidence or {}).get("items") if isinstance(a.evidence, dict) else None
        for item in items or []:
            if not isinstance(item, dict) or item.get("kind") != "keyword":
                continue
            s, e = item.get("start_char", -1), item.get("end_char", -1)
            # words that word order split ("werken … samen") are marked one by one
            parts = [p for p in item.get("parts") or [] if isinstance(p, list) and len(p) == 2]
            if original and isinstance(s, int) and isinstance(e, int) and 0 <= s < e <= len(text):
                if parts:
                    spans.extend((x, y, label) for x, y in parts
                                 if isinstance(x, int) and isinstance(y, int) and s <= x < y <= e)
                else:
                    spans.append((s, e, label))
            elif item.get("matched_text"):
                for word in str(item["matched_text"]).split(" … "):
                    for m in re.finditer(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.I):
                        spans.append((*m.span(), label))
    for word in (query or "").split():
        for m in re.finditer(re.escape(word), text, re.I):
            spans.append((*m.span(), ""))
    merged: list[list] = []          # [start, end, labels]
    for s, e, label in sorted(spans):
        if merged and s < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
            if label and label not in merged[-1][2]:
                merged[-1][2].append(label)
        else:
            merged.append([s, e, [label] if label else []])
    out, pos = [], 0
    for s, e, labels in merged:
        out.append(escape(text[pos:s]))
        title = Markup(' title="{}"').format(", ".join(labels)) if labels else Markup("")
        out.append(Markup("<mark{}>").format(title) + escape(text[s:e]) + Markup("</mark>"))
        pos = e
    out.append(escape(text[pos:]))
    return Markup("").join(out)


def dutch_list(items: list[str], *, quote: bool = True) -> str:
    """``‘a’``, ``‘a’ en ‘b’``, ``‘a’, ‘b’ en ‘c’``."""
    words = [f"‘{i}’" if quote else i for i in items]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " en " + words[-1]


def _words(n: int, one: str, more: str) -> str:
    return one if n == 1 else more


#: How many matched words and model features a "waarom" line names at most.
_MAX_WORDS = 5
#: model features not worth naming to a reviewer
_NOT_NAMED = frozenset({"niet", "geen", "wel", "ook", "nog"})


def certainty(a: CodeAssignment) -> int | None:
    """``a``'s confidence as a whole percentage; a coder's guess is never shown as 100%."""
    if a.confidence is None:
        return None
    pct = round(a.confidence * 100)
    return min(pct, 99) if a.origin != Origin.PERSON else pct


def _words_starting(text: str, prefixes: list[str]) -> list[str]:
    """The words of ``text`` that start with one of ``prefixes`` (the model's word starts,
    ``respij~``): shown as the words themselves, never as a cut-off stem."""
    out = []
    for word in re.findall(r"[^\W\d_][\w-]*", text or ""):
        low = word.lower()
        if any(low.startswith(p) for p in prefixes) and low not in out:
            out.append(low)
    return out


def explain(a: CodeAssignment) -> str:
    """Why ``a`` is on its segment, in plain Dutch (the review screen's "waarom" line).

    Handles every evidence shape the coders store (:func:`consult.coding._assignment`):
    ``items`` of kind ``keyword`` (a codebook keyword matched; ``match`` whole, compound or
    family; ``negated``) and of kind ``feature`` (model features: ``lemma:<lemma>``,
    ``lemma:<two lemmas>`` a word pair, ``lemma:<prefix>~`` the start of a word,
    ``profile:<code>`` similarity to the codebook text), plus ``sources``; a person's code
    (no evidence, a ``note``, or the ``candidate`` it was chosen as); and anything else,
    which gets the origin alone.
    """
    ev = a.evidence if isinstance(a.evidence, dict) else {}
    items = [i for i in ev.get("items") or [] if isinstance(i, dict)]
    if a.origin == Origin.PERSON:
        who = a.created_by.name if getattr(a, "created_by", None) is not None and a.created_by.name else ""
        text = f"Toegevoegd door {who}." if who else "Toegevoegd door een persoon."
        candidate = ev.get("candidate")
        if isinstance(candidate, dict):
            model = str(candidate.get("coder") or "").startswith("model:")
            score = candidate.get("score")
            if model and isinstance(score, (int, float)) and score >= 0.05:     # as Candidate.hint says it
                text += f" Gekozen uit de codes die het lerende model net niet voorstelde, zekerheid {round(score * 100)}%."
            else:
                text += " Gekozen uit de codes waarvan de omschrijving op dit stuk lijkt."
        note = ev.get("note")
        return f"{text} Opmerking: {note}." if isinstance(note, str) and note.strip() else text
    keyword_words, related, negated = [], [], []
    for item in items:
        if item.get("kind") != "keyword":
            continue
        word = str(item.get("matched_text") or item.get("keyword") or "").strip()
        if not word:
            continue
        keyword = str(item.get("keyword") or "").strip()
        if item.get("match") in ("compound", "family") and keyword and keyword.lower() != word.lower():
            label = f"{word}"
            if (label, keyword) not in related:
                related.append((label, keyword))
        elif word.lower() not in [w.lower() for w in keyword_words]:
            keyword_words.append(word)
        if item.get("negated") and word not in negated:
            negated.append(word)
    sentences = []
    if keyword_words or related:
        shown = [f"‘{w}’" for w in keyword_words[:_MAX_WORDS]]
        shown += [f"‘{w}’ (lijkt op ‘{k}’)" for w, k in related[:max(0, _MAX_WORDS - len(shown))]]
        # one match of several words ("werken … samen", "sociaal team") is "de woorden" too
        n = len(shown) + sum(1 for w in keyword_words[:_MAX_WORDS] if " " in w)
        sentences.append(f"Herkend aan {_words(n, 'het woord', 'de woorden')} {dutch_list(shown, quote=False)}")
    if a.origin == Origin.RULE:
        if sentences:
            sentences[0] += " (regel)."
        else:
            sentences.append("Voorgesteld door de regels van het codeboek.")
    else:
        model = "Voorgesteld door het lerende model"
        if a.confidence is not None:
            model += f" (zekerheid {certainty(a)}%)"
        if sentences:
            sentences[0] += "."
        sentences.insert(0, model + ".")
        lemmas, pairs, prefixes, profile = [], [], [], False
        for item in items:
            if item.get("kind") != "feature":
                continue
            rule_id = str(item.get("rule_id") or "")
            if rule_id.startswith("profile:"):
                profile = True
            elif rule_id.startswith("lemma:"):
                feature = rule_id.split(":", 1)[1].strip()
                if feature.endswith("~"):
                    prefixes.append(feature[:-1])
                elif " " in feature:
                    pairs.append(feature)
                elif feature and feature not in _NOT_NAMED:
                    lemmas.append(feature)
        segment = getattr(a, "segment", None)
        for word in _words_starting(segment.masked_text if segment is not None else "", prefixes):
            if not any(word.startswith(lem) or lem.startswith(word) for lem in lemmas):
                lemmas.append(word)
        looks = []
        if lemmas:
            looks.append(f"{_words(len(lemmas[:_MAX_WORDS]), 'het woord', 'de woorden')} "
                         f"{dutch_list(lemmas[:_MAX_WORDS])}")
        if pairs:
            looks.append(f"{_words(len(pairs[:3]), 'de woordcombinatie', 'de woordcombinaties')} "
                         f"{dutch_list(pairs[:3])}")
        if looks:
            sentences.append("Het model let vooral op " + dutch_list(looks, quote=False) + ".")
        if profile:
            sentences.append("De tekst lijkt op de omschrijving van de code in het codeboek.")
    if negated:
        sentences.append(f"Let op: er staat een ontkenning bij {dutch_list(negated[:3])}.")
    return " ".join(sentences)


def source_label(seg: Segment, *, unmasked: bool = False) -> str:
    """Where ``seg`` comes from; meeting and document titles masked unless ``unmasked``."""
    if seg.document is not None:
        m = seg.document.meeting
        if m is not None:
            return f"Verslag: {m.title if unmasked else m.masked_title}"
        return f"Verslag: {seg.document.title if unmasked else seg.document.masked_title}"
    if seg.answer is not None:
        r = seg.answer.response
        hood = r.participant.neighbourhood.name if r.participant and r.participant.neighbourhood else ""
        bits = [f"Vragenlijst, vraag ‘{seg.answer.question.label}’", CHANNEL_FILTERS.get(r.channel.value, "")]
        if hood:
            bits.append(hood)
        return " · ".join(b for b in bits if b)
    return ""


def group_label(seg: Segment) -> str:
    if seg.stakeholder_group is not None:
        return seg.stakeholder_group.label
    if seg.answer is not None and seg.answer.response.participant and seg.answer.response.participant.stakeholder_group:
        return seg.answer.response.participant.stakeholder_group.label
    return ""
