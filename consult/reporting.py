"""The read side: queries a consultation with SQLAlchemy and fills the exports' plain data
classes (report input, data-export tables, REFI-QDA project, traceability matrix). It is
the bridge between the database and :mod:`exports`; nothing here writes.

Every read model starts from :func:`people`, the one query of a consultation's respondents
with their stakeholder groups and neighbourhoods. Public text is ``Segment.masked_text``
(always set when a segment is stored; equal to the text when nothing needed masking).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from analysis.agreement import agreement
from analysis.codebook import serialise_codebook
from analysis.privacy import mask, scrub
from consult.advice import general_paragraphs
from consult.codebooks import version_to_definition
from consult.db import local_now
from consult.findings import lines, response_label
from consult.models import (
    CHANNEL_LABELS, FINDING_KIND_LABELS, FOLLOW_UP_LABELS, STANCE_LABELS, AdviceDocument, AdviceLink, AdvicePoint,
    Answer, AssignmentStatus, Code, CodeAssignment, Consultation, Document, Meeting, Origin, Participant,
    Question, QuestionType, Response, ResponseStatus, Segment, Survey,
)
from consult.models.coding import ASSIGNMENT_STATUS_LABELS, ORIGIN_LABELS
from exports.data import (
    OTHER, OTHER_LABEL, DataTable, ExtraFile, SurveyData, SurveyQuestion, SurveyResponse, answer_codes_table,
    long_table, mask_same_length, wide_table,
)
from exports.model import (
    AdviceInfo, AdvicePointInfo, AgreementInfo, CodeInfo, DecisionInfo, FindingInfo, MeetingInfo,
    ParagraphInfo, ReportInput, RespondentInfo, SegmentRow,
)
from exports.qdpx import QdaCode, QdaCoding, QdaProject, QdaSelection, QdaSource
from exports.trace_matrix import GENERAL_ONLY, TraceMatrix
from surveys.rules import question_choices


class NotFound(LookupError):
    pass


def get_consultation(session: Session, slug: str) -> Consultation:
    """The consultation ``slug`` (:meth:`Consultation.by_slug`); NotFound when there is none."""
    c = Consultation.by_slug(session, slug)
    if c is None:
        raise NotFound(f"no consultation with slug {slug!r}")
    return c


def public_text(segment: Segment) -> str:
    """The text of ``segment`` that may be shown or exported: its masked text, never a
    fallback to the raw text (which may hold personal data)."""
    return segment.masked_text


# ----------------------------------------------------------------------------- people

@dataclass
class Respondent:
    response: Response
    survey_slug: str
    participant: Participant | None
    group: str | None                 # label of the participant's stakeholder group
    neighbourhood: str | None         # name of the participant's neighbourhood

    @property
    def submitted(self) -> bool:
        return self.response.status == ResponseStatus.SUBMITTED


@dataclass
class People:
    """Who gave input to a consultation, read once and shared by every read model."""
    groups: dict[int, str]                    # stakeholder group id -> label
    neighbourhoods: dict[int, str]            # neighbourhood id -> name
    respondents: dict[int, Respondent]        # response id -> respondent, in response order
    answers: dict[int, tuple[int, int]]       # answer id -> (response id, question id)
    questions: dict[int, Question]            # question id -> question (every survey)


def people(session: Session, consultation: Consultation) -> People:
    """The consultation's responses with their participants, stakeholder groups and
    neighbourhoods (one query), and which response and question each answer belongs to."""
    groups = {g.id: g.label for g in consultation.stakeholder_groups}
    hoods = {n.id: n.name for n in consultation.organisation.neighbourhoods}
    respondents = {}
    for r, survey_slug, p in session.execute(
            select(Response, Survey.slug, Participant)
            .join(Survey, Survey.id == Response.survey_id)
            .outerjoin(Participant, Participant.id == Response.participant_id)
            .where(Survey.consultation_id == consultation.id).order_by(Response.id)):
        respondents[r.id] = Respondent(r, survey_slug, p, groups.get(p.stakeholder_group_id) if p else None,
                                       hoods.get(p.neighbourhood_id) if p else None)
    answers = {aid: (rid, qid) for aid, rid, qid in session.execute(
        select(Answer.id, Answer.response_id, Answer.question_id).join(Response).join(Survey)
        .where(Survey.consultation_id == consultation.id))}
    questions = {q.id: q for survey in consultation.surveys for q in survey.questions}
    return People(groups, hoods, respondents, answers, questions)


# ----------------------------------------------------------------------------- segments

@dataclass
class _SegmentContext:
    rows: list[SegmentRow]
    by_id: dict[int, SegmentRow]


def _source_label(kind: str, group: str | None, meeting: Meeting | None, hood: str | None) -> str:
    if kind == "answer":
        return f"{(group or 'deelnemer').lower()}, vragenlijst"
    if meeting is not None:
        where = f" {meeting.neighbourhood.name}" if meeting.neighbourhood is not None else ""
        # the notes are the facilitator's record of what was said, not a participant's own words
        return f"verslag {meeting.type_label.lower()}{where}"
    return "verslag"


def segment_rows(session: Session, consultation: Consultation, *, accepted_only: bool = True,
                 who: People | None = None) -> _SegmentContext:
    """The consultation's segments with their source, codes, group and neighbourhood
    (segments of unfinished responses are left out: they are not input yet)."""
    who = who or people(session, consultation)
    codes_by_segment: dict[int, list[str]] = defaultdict(list)
    stmt = (select(CodeAssignment.segment_id, Code.key)
            .join(Code, Code.id == CodeAssignment.code_id)
            .join(Segment, Segment.id == CodeAssignment.segment_id)
            .where(Segment.consultation_id == consultation.id)
            .order_by(CodeAssignment.segment_id, Code.position))
    if accepted_only:
        stmt = stmt.where(CodeAssignment.status == AssignmentStatus.ACCEPTED)
    for sid, key in session.execute(stmt):
        if key not in codes_by_segment[sid]:
            codes_by_segment[sid].append(key)
    open_by_segment: dict[int, int] = defaultdict(int)   # suggestions nobody decided on yet
    for (sid,) in session.execute(
            select(CodeAssignment.segment_id).join(Segment, Segment.id == CodeAssignment.segment_id)
            .where(Segment.consultation_id == consultation.id,
                   CodeAssignment.status == AssignmentStatus.SUGGESTED)):
        open_by_segment[sid] += 1
    meetings = {m.id: m for m in consultation.meetings}
    doc_meeting = dict(session.execute(
        select(Document.id, Document.meeting_id).where(Document.consultation_id == consultation.id)).all())

    rows = []
    segs = session.scalars(select(Segment).where(Segment.consultation_id == consultation.id,
                                                 Segment.furniture.is_(False))   # never coded: no input
                           .order_by(Segment.id)).all()
    for s in segs:
        if s.answer_id is not None:
            rid, qid = who.answers.get(s.answer_id, (None, None))
            respondent = who.respondents.get(rid)
            if respondent is None or not respondent.submitted:
                continue  # unfinished responses are not input yet
            group, hood = respondent.group, respondent.neighbourhood
            if s.stakeholder_group_id:
                group = who.groups.get(s.stakeholder_group_id, group)
            question = who.questions.get(qid)
            rows.append(SegmentRow(
                id=s.id, text=public_text(s), source="answer", unit=f"response:{rid}",
                source_label=_source_label("answer", group, None, hood), codes=codes_by_segment.get(s.id, []),
                group=group, neighbourhood=hood, question=question.key if question else None,
                open_suggestions=open_by_segment.get(s.id, 0)))
        else:
            meeting = meetings.get(doc_meeting.get(s.document_id))
            hood = meeting.neighbourhood.name if meeting is not None and meeting.neighbourhood else None
            group = who.groups.get(s.stakeholder_group_id) if s.stakeholder_group_id else None
            unit = f"meeting:{meeting.id}" if meeting is not None else f"document:{s.document_id}"
            rows.append(SegmentRow(
                id=s.id, text=public_text(s), source="document", unit=unit,
                source_label=_source_label("document", group, meeting, hood),
                codes=codes_by_segment.get(s.id, []), group=group, neighbourhood=hood,
                open_suggestions=open_by_segment.get(s.id, 0)))
    return _SegmentContext(rows, {r.id: r for r in rows})


def _codes(consultation: Consultation) -> list[CodeInfo]:
    version = consultation.codebook_version
    if version is None:
        return []
    by_id = {c.id: c.key for c in version.codes}
    return [CodeInfo(key=c.key, label=c.label, description=c.description, gloss=c.gloss,
                     parent=by_id.get(c.parent_id), keywords=list(c.keywords), reader_text=c.reader_text or "")
            for c in version.codes]


# ----------------------------------------------------------------------------- advice

def advice_infos(session: Session, consultation: Consultation, *, confirmed_only: bool = True) -> list[AdviceInfo]:
    out = []
    advices = session.scalars(select(AdviceDocument).where(AdviceDocument.consultation_id == consultation.id)
                              .options(selectinload(AdviceDocument.points).selectinload(AdvicePoint.links)
                                       .selectinload(AdviceLink.paragraph),
                                       selectinload(AdviceDocument.points).selectinload(AdvicePoint.response),
                                       selectinload(AdviceDocument.points).selectinload(AdvicePoint.findings))
                              .order_by(AdviceDocument.received_on, AdviceDocument.id)).all()
    for a in advices:
        letter = a.reactions[0] if a.reactions else None
        info = AdviceInfo(advisory_body=a.advisory_body, subject=a.subject, received_on=a.received_on,
                          requested=a.requested, reaction_sender=letter.sender if letter else "",
                          reaction_sent_on=letter.sent_on if letter else None,
                          general=[ParagraphInfo(label=g.label or str(g.position + 1), text=g.text, confirmed=False,
                                                 score=None) for g in general_paragraphs(session, a)])
        for p in a.points:
            r = p.response
            links = sorted((l for l in p.links if l.confirmed or not confirmed_only),
                           key=lambda l: l.paragraph.position)
            info.points.append(AdvicePointInfo(
                label=p.label or str(p.position + 1), text=p.text,
                stance=STANCE_LABELS[r.stance] if r is not None and r.stance else None,
                rationale=r.rationale if r else "", promised_action=r.promised_action if r else "",
                owner=r.owner if r else "", due_on=r.due_on if r else None,
                status=FOLLOW_UP_LABELS[r.status] if r is not None and r.status else None,
                decision_reference=r.decision_reference if r else "",
                paragraphs=[ParagraphInfo(label=l.paragraph.label or str(l.paragraph.position + 1),
                                          text=l.paragraph.text, confirmed=l.confirmed, score=l.score)
                            for l in links],
                findings=[f.title for f in p.findings]))
        out.append(info)
    return out


# ----------------------------------------------------------------------------- agreement

def agreement_infos(session: Session, consultation: Consultation) -> list[AgreementInfo]:
    """Agreement between every two people who coded the same segments."""
    rows = session.execute(
        select(CodeAssignment.coder, CodeAssignment.segment_id, Code.key)
        .join(Code, Code.id == CodeAssignment.code_id).join(Segment, Segment.id == CodeAssignment.segment_id)
        .where(Segment.consultation_id == consultation.id, CodeAssignment.origin == Origin.PERSON,
               CodeAssignment.status != AssignmentStatus.REJECTED)).all()
    by_coder: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    for coder, sid, key in rows:
        by_coder[coder][sid].add(key)
    coders = sorted(by_coder)
    out = []
    for i, a in enumerate(coders):
        for b in coders[i + 1:]:
            shared = set(by_coder[a]) & set(by_coder[b])
            if len(shared) < 2:
                continue
            res = agreement(by_coder[a], by_coder[b], segments=sorted(shared))
            out.append(AgreementInfo(coders=(a, b), n_segments=res.n_segments, alpha_masi=res.alpha_masi,
                                     kappa_mean=res.kappa_mean, per_code=res.to_dict()["per_code"]))
    return out


# ----------------------------------------------------------------------------- report

def lemma_store(instance_path, consultation: Consultation) -> "LemmaStore":
    """Where the reports of ``consultation`` keep the lemmas of the texts they parsed
    (``<instance>/cache/report-lemmas/<slug>.sqlite3``), so the next report of the same texts
    does not load the Dutch pipeline."""
    from pathlib import Path

    from exports.text import LemmaStore

    return LemmaStore(Path(instance_path) / "cache" / "report-lemmas" / f"{consultation.slug}.sqlite3")


def prepare_report(session: Session, consultation: Consultation, instance_path) -> None:
    """Build the report model once, so that its lemma store (:func:`lemma_store`) holds the
    lemmas of the texts and the word clouds: for a process that has the Dutch pipeline loaded
    anyway (``consult demo``), so that the first report need not load it (about 2 s and 200 MB)."""
    from exports.report import build_report

    build_report(report_input(session, consultation), lemma_store=lemma_store(instance_path, consultation))


def report_input(session: Session, consultation: Consultation) -> ReportInput:
    who = people(session, consultation)
    ctx = segment_rows(session, consultation, who=who)
    respondents = [RespondentInfo(unit=f"response:{rid}", group=r.group, neighbourhood=r.neighbourhood,
                                  channel=CHANNEL_LABELS[r.response.channel])
                   for rid, r in who.respondents.items() if r.submitted]
    meetings = [MeetingInfo(title=m.masked_title, type_label=m.type_label, held_on=m.held_on,
                            neighbourhood=m.neighbourhood.name if m.neighbourhood else None,
                            attendance={a.stakeholder_group.label: a.count for a in
                                        sorted(m.attendance, key=lambda a: a.stakeholder_group.position)},
                            unit=f"meeting:{m.id}")
                for m in consultation.meetings]
    findings = [FindingInfo(kind=f.kind.value, title=f.title, statement=f.statement,
                            codes=[c.key for c in f.codes], evidence=[s.id for s in f.evidence],
                            advice_points=[p.label or str(p.position + 1) for p in f.advice_points],
                            advantages=lines(f.advantages), disadvantages=lines(f.disadvantages))
                for f in consultation.findings]
    decisions = [DecisionInfo(body=d.body, taken_on=d.taken_on, reference=d.reference, text=d.text,
                              findings=[f.title for f in d.findings],
                              advice_responses=[response_label(r) for r in d.advice_responses])
                 for d in sorted(consultation.decisions, key=lambda d: (d.taken_on or datetime.min.date(), d.id))]
    version = consultation.codebook_version
    return ReportInput(
        title=consultation.title, slug=consultation.slug, organisation=consultation.organisation.name,
        starts_on=consultation.starts_on, ends_on=consultation.ends_on,
        introduction=consultation.report_introduction, background=consultation.report_background,
        decision_maker=consultation.decision_maker, meetings=meetings, respondents=respondents,
        group_order=[g.label for g in consultation.stakeholder_groups],
        neighbourhood_order=[n.name for n in consultation.organisation.neighbourhoods],
        segments=ctx.rows, codes=_codes(consultation), findings=findings, decisions=decisions,
        advice=advice_infos(session, consultation), agreement=agreement_infos(session, consultation),
        codebook_name=version.codebook.name if version else "", codebook_version=version.number if version else None,
        generated_at=local_now())


# ----------------------------------------------------------------------------- data exports


_RESPONSE_STATUS = {ResponseStatus.SUBMITTED: "ingediend", ResponseStatus.IN_PROGRESS: "niet afgerond"}


def _masked_answer(answer: Answer, segments: list[Segment]) -> str:
    """The text of ``answer`` masked as its segments are: each segment's ``masked_text`` (the
    mask a facilitator may have corrected) in its place, :func:`analysis.privacy.mask` on
    what lies between segments, and contact details scrubbed last of all."""
    text = answer.text or ""
    parts, pos = [], 0
    for s in sorted(segments, key=lambda s: s.start_char):
        if s.start_char < pos or text[s.start_char:s.end_char] != s.text:
            return scrub(mask(text))  # segments no longer match the text: mask the whole answer
        parts += [mask(text[pos:s.start_char]) if text[pos:s.start_char].strip() else text[pos:s.start_char],
                  s.masked_text]
        pos = s.end_char
    parts.append(mask(text[pos:]) if text[pos:].strip() else text[pos:])
    return scrub("".join(parts))


def survey_data(session: Session, consultation: Consultation, *, masked: bool = True,
                who: People | None = None) -> SurveyData:
    """The consultation's questions (choices with their labels) and every response's answers,
    for the long and wide formats and the SPSS file. ``masked``: free text masked as the
    segments are (:func:`_masked_answer`)."""
    who = who or people(session, consultation)
    hoods = [(n.name, n.name) for n in consultation.organisation.neighbourhoods]
    groups = [(g.key, g.label) for g in consultation.stakeholder_groups]
    questions, by_id = [], {}
    for survey in consultation.surveys:
        for q in survey.questions:
            choices = list(question_choices(q, hoods, groups)) if q.type != QuestionType.SCALE else [
                (str(k), str(v)) for k, v in sorted((q.options.get("labels") or {}).items(), key=lambda kv: int(kv[0]))]
            if q.options.get("other") and q.type in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE):
                choices.append((OTHER, OTHER_LABEL))
            scale = (q.options.get("min", 1), q.options.get("max", 5)) if q.type == QuestionType.SCALE else None
            by_id[q.id] = SurveyQuestion(survey=survey.slug, key=q.key, label=q.label, kind=str(q.type.value),
                                         choices=choices, scale=scale)
            questions.append(by_id[q.id])
    segments: dict[int, list[Segment]] = defaultdict(list)
    if masked:
        for s in session.scalars(select(Segment).where(Segment.consultation_id == consultation.id,
                                                       Segment.answer_id.is_not(None))):
            segments[s.answer_id].append(s)
    responses: dict[int, SurveyResponse] = {}
    for rid, r in who.respondents.items():
        responses[rid] = SurveyResponse(
            id=rid, survey=r.survey_slug, channel=CHANNEL_LABELS[r.response.channel],
            status=_RESPONSE_STATUS.get(r.response.status, str(r.response.status)),
            submitted_at=r.response.submitted_at, group=r.group, neighbourhood=r.neighbourhood)
    for a in session.scalars(select(Answer).join(Response).join(Survey)
                             .where(Survey.consultation_id == consultation.id).order_by(Answer.id)):
        q, r = by_id.get(a.question_id), responses.get(a.response_id)
        if q is None or r is None:
            continue
        text = (_masked_answer(a, segments.get(a.id, [])) if masked else a.text or "") if a.text else ""
        r.answers[q.key] = (a.value, text, bool(a.text) and text != a.text)
    return SurveyData(questions, list(responses.values()))


def data_tables(session: Session, consultation: Consultation, *, masked: bool = True) -> list[DataTable]:
    """The data export's tables (Dutch names and columns, listed in :mod:`exports.data`):
    responses, answers long and wide, the answer codes, segments, code assignments and the
    codebook.

    ``masked`` (the default; only staff allowed to see personal data export unmasked): every
    text is masked as the segments are, and contact details are scrubbed last of all.
    """
    who = people(session, consultation)
    survey = survey_data(session, consultation, masked=masked, who=who)
    responses = DataTable("reacties", "Reacties", [
        "reactie_id", "vragenlijst", "kanaal", "status", "begonnen_op", "ingediend_op", "groep", "wijk",
        "toestemming_contact"])
    for respondent in who.respondents.values():
        r, p = respondent.response, respondent.participant
        responses.rows.append([r.id, respondent.survey_slug, CHANNEL_LABELS[r.channel],
                               _RESPONSE_STATUS.get(r.status, str(r.status)), r.started_at, r.submitted_at,
                               respondent.group, respondent.neighbourhood, p.contact_consent if p else None])

    questions = who.questions
    segments = DataTable("segmenten", "Segmenten", [
        "segment_id", "bron", "reactie_id", "vraag", "document_id", "document", "positie", "begin", "einde",
        "tekst", "groep", "tafel_of_groep", "gemaskeerd", "opmaak"])
    docs = {doc_id: mask(title) if masked else title for doc_id, title in session.execute(
        select(Document.id, Document.title).where(Document.consultation_id == consultation.id))}
    for s in session.scalars(select(Segment).where(Segment.consultation_id == consultation.id).order_by(Segment.id)):
        text = scrub(public_text(s)) if masked else s.text
        rid, qid = who.answers.get(s.answer_id, (None, None)) if s.answer_id else (None, None)
        q = questions.get(qid)
        segments.rows.append([s.id, "vragenlijst" if s.answer_id else "verslag", rid,
                              q.key if q else None, s.document_id, docs.get(s.document_id), s.position,
                              s.start_char, s.end_char, text, who.groups.get(s.stakeholder_group_id),
                              s.group_label, s.masked_text is not None and s.masked_text != s.text,
                              bool(s.furniture)])

    assignments = DataTable("coderingen", "Coderingen", [
        "codering_id", "segment_id", "code", "thema", "herkomst", "codeur", "zekerheid", "status",
        "gemaakt_op", "besloten_op", "besloten_door"])
    for a, code in session.execute(
            select(CodeAssignment, Code).join(Code, Code.id == CodeAssignment.code_id)
            .join(Segment, Segment.id == CodeAssignment.segment_id)
            .where(Segment.consultation_id == consultation.id).order_by(CodeAssignment.id)):
        assignments.rows.append([a.id, a.segment_id, code.key, code.label, ORIGIN_LABELS[a.origin], a.coder,
                                 None if a.confidence is None else round(a.confidence, 4),
                                 ASSIGNMENT_STATUS_LABELS[a.status], a.created_at, a.decided_at, a.decided_by_id])

    codebook = DataTable("codeboek", "Codeboek", [
        "code", "label", "korte_omschrijving", "omschrijving", "trefwoorden", "bovenliggende_code"])
    for c in _codes(consultation):
        codebook.rows.append([c.key, c.label, c.gloss, c.description, c.keywords, c.parent])
    return [responses, long_table(survey), wide_table(survey), answer_codes_table(survey), segments, assignments,
            codebook]


def codebook_files(consultation: Consultation):
    """The consultation's codebook as YAML and REFI-QDA .qdc (``analysis.codebook``), the
    files ``consult codebook import`` reads back; ``codeboek.csv`` is the table of
    :func:`data_tables`."""
    if consultation.codebook_version is None:
        return []
    definition = version_to_definition(consultation.codebook_version)
    return [ExtraFile(f"codeboek.{fmt}", serialise_codebook(definition, fmt)) for fmt in ("yaml", "qdc")]


def qda_project(session: Session, consultation: Consultation, *, masked: bool = True,
                statuses: tuple[AssignmentStatus, ...] = (AssignmentStatus.ACCEPTED,)):
    """The consultation as a REFI-QDA project: one text source per set of meeting notes and
    one per survey response (its open answers one after the other), accepted codes as
    codings on the segments' character ranges."""
    # masked: every kind of personal data (names too), same length so the offsets stay valid
    text_of = (lambda t: mask_same_length(t, kinds=None)) if masked else (lambda t: t or "")
    codes = [QdaCode(key=c.key, label=c.label, description=c.description or c.gloss, parent=c.parent,
                     colour=None) for c in _codes(consultation)]
    colours = {c.key: c.colour for c in (consultation.codebook_version.codes if consultation.codebook_version else [])}
    for c in codes:
        c.colour = colours.get(c.key)
    codings: dict[int, list] = defaultdict(list)
    for sid, key, coder, created in session.execute(
            select(CodeAssignment.segment_id, Code.key, CodeAssignment.coder, CodeAssignment.created_at)
            .join(Code, Code.id == CodeAssignment.code_id).join(Segment, Segment.id == CodeAssignment.segment_id)
            .where(Segment.consultation_id == consultation.id, CodeAssignment.status.in_(statuses))
            .order_by(CodeAssignment.id)):
        codings[sid].append(QdaCoding(code=key, user=coder, created_at=created))
    segs_by_doc: dict[int, list[Segment]] = defaultdict(list)
    segs_by_answer: dict[int, list[Segment]] = defaultdict(list)
    for s in session.scalars(select(Segment).where(Segment.consultation_id == consultation.id).order_by(Segment.id)):
        (segs_by_doc[s.document_id] if s.document_id else segs_by_answer[s.answer_id]).append(s)

    def selections(segs, offset, limit):
        out = []
        for s in segs:
            if not codings.get(s.id) or s.end_char > limit:
                continue
            out.append(QdaSelection(start=offset + s.start_char, end=offset + s.end_char,
                                    name=f"segment {s.id}", codings=codings[s.id]))
        return out

    sources = []
    who = people(session, consultation)
    for m in consultation.meetings:
        for d in m.documents:
            variables = {"bron": "verslag", "soort bijeenkomst": m.type_label}
            if m.neighbourhood_id:
                variables["wijk"] = who.neighbourhoods.get(m.neighbourhood_id, "")
            sources.append(QdaSource(name=d.masked_title if masked else d.title, text=text_of(d.text),
                                     description=m.masked_title if masked else m.title,
                                     selections=selections(segs_by_doc.get(d.id, []), 0, len(d.text)),
                                     variables=variables))
    questions = who.questions
    for respondent in who.respondents.values():
        if not respondent.submitted:
            continue
        r, p = respondent.response, respondent.participant
        parts, sels, pos = [], [], 0
        for a in sorted(r.answers, key=lambda a: questions[a.question_id].position if a.question_id in questions else 0):
            if not a.text:
                continue
            q = questions.get(a.question_id)
            header = f"{q.label if q else 'Vraag'}\n"
            body = text_of(a.text)
            sels += selections(segs_by_answer.get(a.id, []), pos + len(header), len(a.text))
            parts.append(header + body + "\n\n")
            pos += len(header) + len(body) + 2
        if not parts:
            continue
        variables = {"bron": "vragenlijst", "kanaal": CHANNEL_LABELS[r.channel]}
        if p is not None and p.stakeholder_group_id:
            variables["groep"] = who.groups.get(p.stakeholder_group_id, "")
        if p is not None and p.neighbourhood_id:
            variables["wijk"] = who.neighbourhoods.get(p.neighbourhood_id, "")
        sources.append(QdaSource(name=f"Reactie {r.id}", text="".join(parts), selections=sels, variables=variables))
    return QdaProject(name=consultation.title, codes=codes, sources=sources,
                      description=f"Export uit consult: {consultation.slug}", created_at=datetime.now())


# ----------------------------------------------------------------------------- traceability

def trace_matrix(session: Session, consultation: Consultation) -> TraceMatrix:
    m = TraceMatrix(title=consultation.title)
    decisions_by_finding: dict[str, list[str]] = defaultdict(list)
    for d in consultation.decisions:
        for f in d.findings:
            decisions_by_finding[f.title].append(f"{d.body} {d.taken_on or ''} {d.reference}".strip())
    point_stance: dict[str, str] = {}
    for a in advice_infos(session, consultation, confirmed_only=False):
        for p in a.points:
            point_stance[p.label] = p.stance or ""
            common = [p.stance or "", p.rationale, p.promised_action, p.owner,
                      p.due_on.isoformat() if p.due_on else "", p.status or "", p.decision_reference,
                      "; ".join(p.findings)]
            if not p.paragraphs and a.general:  # only the letter's blanket sentence answers it
                m.unanswered.append(f"{a.advisory_body} punt {p.label} (algemeen beantwoord)")
                m.advice_rows.append([a.advisory_body, p.label, p.text, ", ".join(g.label for g in a.general),
                                      " ".join(g.text for g in a.general), GENERAL_ONLY] + common)
            elif not p.paragraphs:
                m.unanswered.append(f"{a.advisory_body} punt {p.label}")
                m.advice_rows.append([a.advisory_body, p.label, p.text, "", "", "geen antwoord"] + common)
            for par in p.paragraphs:
                link = "bevestigd" if par.confirmed else (
                    f"voorstel (score {par.score:.2f})" if par.score is not None else "voorstel")
                m.advice_rows.append([a.advisory_body, p.label, p.text, par.label, par.text, link] + common)
    ctx = segment_rows(session, consultation)
    counts: dict[str, tuple[int, set, set]] = {}
    for s in ctx.rows:
        for key in s.codes:
            n, resp, meet = counts.get(key, (0, set(), set()))
            (resp if s.source == "answer" else meet).add(s.unit)
            counts[key] = (n + 1, resp, meet)
    labels = {c.key: c.label for c in _codes(consultation)}
    for f in consultation.findings:
        kind = FINDING_KIND_LABELS[f.kind]
        points = [p.label or str(p.position + 1) for p in f.advice_points]
        stances = "; ".join(f"{pl}: {point_stance.get(pl, '')}" for pl in points)
        decided = "; ".join(decisions_by_finding.get(f.title, []))
        for s in f.evidence:
            row = ctx.by_id.get(s.id)
            text = row.text if row else public_text(s)
            seg_codes = [labels.get(k, k) for k in (row.codes if row else []) if k in {c.key for c in f.codes}]
            m.evidence_rows.append([row.source_label if row else "", str(s.id), scrub(text),
                                    ", ".join(seg_codes), f.title, kind, ", ".join(points), stances, decided])
        for c in f.codes:
            n, resp, meet = counts.get(c.key, (0, set(), set()))
            m.evidence_rows.append([f"{len(resp)} reacties vragenlijst, {len(meet)} bijeenkomsten",
                                    f"{n} fragmenten", "", c.label, f.title, kind, ", ".join(points), stances,
                                    decided])
    return m
