"""``consult demo``: a complete demo consultation modelled on the Deventer Verkenning Wmo.

It creates six wijkbijeenkomsten (plus a knowledge circle and a reflection meeting) with
notes, a survey with 250 responses spread over neighbourhoods and stakeholder groups, the
ASDD advice with the college's point-by-point reaction, findings and the decision.

Beside it comes a small consultation that is open now, with an open survey a visitor can
fill in (:func:`build_open_demo`), and one staff account per role
(:func:`ensure_demo_accounts`) with a generated password that is shown once.

Everything in the Verkenning is generated deterministically, so two databases get
identical demos, and the build is idempotent: when a demo consultation exists, nothing is
added to it.
"""
from __future__ import annotations

import hashlib
import json
import random
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from importlib import resources
from typing import Any

import yaml
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from analysis.codebook import load_default_codebook
from consult.audit import record
from consult.codebooks import store_codebook
from consult.coding import code_consultation, segment_consultation
from consult.db import utcnow
from consult.models import (
    DEFAULT_STAKEHOLDER_GROUPS, AdviceDocument, AdviceLink, AdvicePoint, AdviceResponse, Answer,
    AssignmentStatus, Channel, CodeAssignment, Origin, Segment, Consultation, ConsultationStatus, Decision, Document, Finding, FindingKind,
    FollowUpStatus, Meeting, MeetingAttendance, MeetingType, Neighbourhood, NeighbourhoodKind,
    ConsultationMember, Organisation, Participant, ReactionLetter, ReactionParagraph, Response,
    ResponseStatus, Role, StakeholderGroup, Stance, SurveyStatus, User,
)
from surveys.codes import short_code
from surveys.definition import parse_definition
from surveys.store import create_survey

DEMO_SLUG = "verkenning-wmo-demo"
DEMO_OPEN_SLUG = "ontmoeten-in-de-wijk-demo"
# One staff account per role; passwords are generated when an account is made.
DEMO_ACCOUNTS = (
    (Role.ADMINISTRATOR, "beheerder@demo.consult.nl", "Demo Beheerder"),
    (Role.POLICY_WRITER, "beleid@demo.consult.nl", "Demo Beleidsmedewerker"),
    (Role.FACILITATOR, "gespreksleider@demo.consult.nl", "Demo Gespreksleider"),
)
N_RESPONSES = 250
SEED = 2019

# Who filled in the survey (weights), and which improvement themes each group raises more.
GROUP_WEIGHTS = {"inwoner": 38, "client": 20, "mantelzorger": 18, "vrijwilliger": 10,
                 "zorgaanbieder": 6, "welzijnsorganisatie": 3, "sociaal_team": 3, "overig": 2}
GROUP_THEMES = {
    "mantelzorger": ["INFORMEEL", "INFORMEEL", "TOEGANG"],
    "client": ["VOORZIENINGEN", "BUREAUCRATIE", "PROFESSIONALS"],
    "zorgaanbieder": ["FINANCIERING", "BUREAUCRATIE", "AANBIEDERS", "SAMENWERKING"],
    "welzijnsorganisatie": ["SAMENWERKING", "PREVENTIE", "WIJK"],
    "sociaal_team": ["SAMENWERKING", "INTEGRAAL", "TOEGANG"],
    "vrijwilliger": ["INFORMEEL", "MEEDOEN"],
}
NEIGHBOURHOOD_WEIGHTS = {"Binnenstad": 8, "Keizerslanden": 14, "Colmschate": 14, "Voorstad": 12,
                         "Rivierenwijk": 10, "Zandweerd": 10, "Borgele en Platvoet": 9,
                         "Bathmen": 9, "Diepenveen": 7, "Schalkhaar": 7}
CHANNEL_WEIGHTS = {Channel.ONLINE: 80, Channel.PAPER: 15, Channel.TELEPHONE: 5}


@dataclass
class DemoResult:
    created: bool
    consultation_slug: str
    counts: dict[str, int] = field(default_factory=dict)


def _data(name: str) -> Any:
    text = resources.files("consult.demo").joinpath("data", name).read_text(encoding="utf-8")
    return json.loads(text) if name.endswith(".json") else yaml.safe_load(text)


def _pick(rng: random.Random, weights: dict) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def demo_counts(session: Session, consultation: Consultation) -> dict[str, int]:
    """Counts that describe the demo (also used by tests to check idempotency)."""
    from consult.models import Survey

    cid = consultation.id

    def count(stmt) -> int:
        return session.scalar(stmt) or 0

    return {
        "meetings": count(select(func.count(Meeting.id)).where(Meeting.consultation_id == cid)),
        "wijkbijeenkomsten": count(select(func.count(Meeting.id)).where(
            Meeting.consultation_id == cid, Meeting.type == MeetingType.WIJKBIJEENKOMST)),
        "attendees": count(select(func.sum(MeetingAttendance.count)).join(Meeting).where(
            Meeting.consultation_id == cid)),
        "notes_documents": count(select(func.count(Document.id)).where(Document.consultation_id == cid)),
        "surveys": count(select(func.count(Survey.id)).where(Survey.consultation_id == cid)),
        "responses": count(select(func.count(Response.id)).join(Survey).where(
            Survey.consultation_id == cid, Response.status == ResponseStatus.SUBMITTED)),
        "answers": count(select(func.count(Answer.id)).join(Response).join(Survey).where(
            Survey.consultation_id == cid)),
        "participants": count(select(func.count(Participant.id)).where(Participant.consultation_id == cid)),
        "advice_points": count(select(func.count(AdvicePoint.id)).join(AdviceDocument).where(
            AdviceDocument.consultation_id == cid)),
        "reaction_paragraphs": count(select(func.count(ReactionParagraph.id)).join(ReactionLetter)
                                     .join(AdviceDocument).where(AdviceDocument.consultation_id == cid)),
        "findings": count(select(func.count(Finding.id)).where(Finding.consultation_id == cid)),
        "segments": count(select(func.count(Segment.id)).where(Segment.consultation_id == cid)),
        "accepted_codes": count(select(func.count(CodeAssignment.id)).join(Segment).where(
            Segment.consultation_id == cid, CodeAssignment.status == AssignmentStatus.ACCEPTED)),
        "suggested_codes": count(select(func.count(CodeAssignment.id)).join(Segment).where(
            Segment.consultation_id == cid, CodeAssignment.status == AssignmentStatus.SUGGESTED)),
    }


@dataclass
class DemoAccount:
    email: str
    name: str
    role: Role
    password: str | None  # set only when this call made the account or gave it a new password


def _delete_consultation(session: Session, consultation: Consultation) -> None:
    session.execute(delete(ConsultationMember).where(ConsultationMember.consultation_id == consultation.id))
    for advice in list(consultation.advice_documents):
        session.delete(advice)
    session.delete(consultation)
    session.flush()
    session.expire_all()  # users' membership lists


def build_open_demo(session: Session, *, reset: bool = False) -> Consultation:
    """The open demo consultation with its open survey (idempotent; ``reset`` rebuilds it).

    Its period starts on the day it is built, so its survey takes answers.
    """
    existing = session.scalar(select(Consultation).where(Consultation.slug == DEMO_OPEN_SLUG))
    if existing is not None and not reset:
        return existing
    if existing is not None:
        _delete_consultation(session, existing)
    org = _organisation(session, _data("consultation.yaml"))
    spec = _data("open-consultation.yaml")
    c_spec = spec["consultation"]
    today = date.today()
    consultation = Consultation(
        organisation=org, slug=DEMO_OPEN_SLUG, title=c_spec["title"], summary=c_spec["summary"].strip(),
        description=c_spec["description"].strip(), policy_field=c_spec["policy_field"],
        status=ConsultationStatus(c_spec["status"]), starts_on=today,
        ends_on=today + timedelta(days=c_spec["open_for_days"]), decision_maker=c_spec["decision_maker"],
        follow_up=c_spec["follow_up"].strip(), privacy_statement=c_spec["privacy_statement"].strip())
    session.add(consultation)
    consultation.stakeholder_groups.extend(
        StakeholderGroup(key=key, label=label, position=i)
        for i, (key, label) in enumerate(DEFAULT_STAKEHOLDER_GROUPS))
    session.flush()
    create_survey(session, consultation, parse_definition(spec["survey"]), status=SurveyStatus.OPEN)
    record(session, "create_demo", consultation, actor="demo", details={"open": True})
    session.flush()
    return consultation


def ensure_demo_accounts(session: Session, *, reset: bool = False) -> list[DemoAccount]:
    """One staff account per role, members of both demo consultations.

    A new account gets a generated password, returned once; an existing one keeps its
    password unless ``reset`` asks for a new one. Passwords are never stored in clear.
    """
    consultations = session.scalars(select(Consultation).where(
        Consultation.slug.in_((DEMO_SLUG, DEMO_OPEN_SLUG)))).all()
    accounts = []
    for role, email, name in DEMO_ACCOUNTS:
        user = session.scalar(select(User).where(User.email == email))
        password = None
        new = user is None
        if new:
            user = User(email=email, name=name, role=role)
            session.add(user)
        if new or reset:
            password = secrets.token_urlsafe(12)
            user.set_password(password)
            user.active = True
        session.flush()
        member_of = {m.consultation_id for m in user.memberships}
        for c in consultations:
            if c.id not in member_of:
                session.add(ConsultationMember(user_id=user.id, consultation_id=c.id))
        if password:
            record(session, "create" if new else "reset_password", user, actor="demo",
                   details={"email": email, "role": role.value})
        accounts.append(DemoAccount(email, name, role, password))
    session.flush()
    return accounts


def build_demo(session: Session, *, reset: bool = False, code: bool = True) -> DemoResult:
    """Create the demo consultation unless it exists (``reset`` rebuilds it).

    With ``code`` (the default) the text is also segmented and coded, as described in
    :func:`_accept_generated_themes` and :func:`consult.coding.code_consultation`.
    """
    existing = session.scalar(select(Consultation).where(Consultation.slug == DEMO_SLUG))
    if existing is not None and not reset:
        return DemoResult(False, DEMO_SLUG, demo_counts(session, existing))
    if existing is not None:
        _delete_consultation(session, existing)

    spec = _data("consultation.yaml")
    rng = random.Random(SEED)
    org = _organisation(session, spec)
    c_spec = spec["consultation"]
    version, _ = store_codebook(session, load_default_codebook(), note="Referentiecodeboek Wmo")
    consultation = Consultation(
        organisation=org, slug=DEMO_SLUG, title=c_spec["title"], summary=c_spec["summary"].strip(),
        description=c_spec["description"].strip(), policy_field=c_spec["policy_field"],
        status=ConsultationStatus(c_spec["status"]), starts_on=c_spec["starts_on"],
        ends_on=c_spec["ends_on"], decision_maker=c_spec["decision_maker"],
        follow_up=c_spec["follow_up"].strip(), privacy_statement=c_spec["privacy_statement"].strip(),
        report_introduction=c_spec["report_introduction"].strip(),
        report_background=c_spec["report_background"].strip(), codebook_version=version)
    session.add(consultation)
    groups = {key: StakeholderGroup(key=key, label=label, position=i)
              for i, (key, label) in enumerate(DEFAULT_STAKEHOLDER_GROUPS)}
    consultation.stakeholder_groups.extend(groups.values())
    hoods = {n.name: n for n in org.neighbourhoods}
    session.flush()

    _meetings(session, consultation, spec["meetings"], groups, hoods)
    _survey(session, consultation, groups, hoods, rng)
    _advice(session, consultation)
    _findings(session, consultation, spec, version)
    if code:
        segment_consultation(session, consultation)
        _accept_generated_themes(session, consultation, version)
        code_consultation(session, consultation, actor="demo")
        _review_meeting_notes(session, consultation, version)
    record(session, "create_demo", consultation, actor="demo",
           details={"seed": SEED, "responses": N_RESPONSES, "coded": code})
    session.flush()
    return DemoResult(True, DEMO_SLUG, demo_counts(session, consultation))


def _accept_generated_themes(session, consultation, version) -> None:
    """Code the survey-answer segments with the themes the generator wrote them from.

    These play the part of a human coder's accepted codes (coder ``demo``), so the
    demo has reviewed material to train the learning coder on and to report from.
    Meeting notes are coded by the automatic coders first and then reviewed
    (:func:`_review_meeting_notes`).
    """
    blocks = _data("answers.yaml")
    by_sentence = {sentence: theme for part in ("goed", "beter")
                   for theme, sentences in blocks[part].items() for sentence in sentences}
    codes = {c.key: c for c in version.codes}
    segments = session.scalars(select(Segment).where(
        Segment.consultation_id == consultation.id, Segment.answer_id.is_not(None))).all()
    for segment in segments:
        text = segment.text.strip()
        themes = {theme for sentence, theme in by_sentence.items()
                  if sentence in text or (len(text) > 15 and text in sentence)}
        for theme in sorted(themes):
            segment.assignments.append(CodeAssignment(
                code=codes[theme], origin=Origin.PERSON, coder="demo", confidence=None,
                status=AssignmentStatus.ACCEPTED,
                evidence={"note": "thema waaruit de demo dit antwoord samenstelde"}))
    session.flush()


def _review_meeting_notes(session, consultation, version) -> None:
    """Review the automatic suggestions on the meeting notes as the demo team did
    (``notes-coding.yaml``): a suggestion for one of the team's themes is accepted, any
    other suggestion on the segment is rejected, and a theme no coder suggested is added
    by a person (coder ``demo``). Segments the file does not list stay unreviewed, so the
    report shows what a review in progress looks like."""
    decisions = _data("notes-coding.yaml")
    codes = {c.key: c for c in version.codes}
    now = utcnow()
    segments = session.scalars(select(Segment).where(
        Segment.consultation_id == consultation.id, Segment.document_id.is_not(None))
        .order_by(Segment.id)).all()
    for segment in segments:
        team = next((set(d["codes"]) for d in decisions if d["text"] in segment.text), None)
        if team is None:
            continue
        for a in segment.assignments:
            if a.status == AssignmentStatus.SUGGESTED:
                a.status = AssignmentStatus.ACCEPTED if a.code.key in team else AssignmentStatus.REJECTED
                a.decided_at = now
        have = {a.code.key for a in segment.assignments}
        for key in sorted(team - have):
            segment.assignments.append(CodeAssignment(
                code=codes[key], origin=Origin.PERSON, coder="demo", confidence=None,
                status=AssignmentStatus.ACCEPTED, decided_at=now,
                evidence={"note": "thema dat het demoteam bij het verslag toevoegde"}))
    session.flush()


def _organisation(session: Session, spec: dict) -> Organisation:
    o_spec = spec["organisation"]
    org = session.scalar(select(Organisation).where(Organisation.slug == o_spec["slug"]))
    if org is None:
        org = Organisation(slug=o_spec["slug"], name=o_spec["name"])
        session.add(org)
    known = {n.name for n in org.neighbourhoods}
    for i, n in enumerate(spec["neighbourhoods"]):
        if n["name"] not in known:
            org.neighbourhoods.append(
                Neighbourhood(name=n["name"], kind=NeighbourhoodKind(n["kind"]), position=i))
    session.flush()
    return org


def _meetings(session, consultation, meetings, groups, hoods) -> None:
    for m in meetings:
        meeting = Meeting(
            consultation=consultation, type=MeetingType(m["type"]), title=m["title"],
            held_on=m["held_on"], place=m["place"], neighbourhood=hoods.get(m.get("neighbourhood")),
            facilitator_name=m.get("facilitator", ""))
        for key, n in m["attendance"].items():
            meeting.attendance.append(MeetingAttendance(stakeholder_group=groups[key], count=n))
        notes = m["notes"].strip() + "\n"
        data = notes.encode("utf-8")
        meeting.documents.append(Document(
            consultation=consultation, title=f"Verslag {m['title']}",
            filename=f"verslag-{m['held_on']}.txt", media_type="text/plain",
            sha256=hashlib.sha256(data).hexdigest(), original=data, text=notes))
        session.add(meeting)
    session.flush()


def _compose(rng: random.Random, sentences: list[str], n: int, opener: str) -> str:
    chosen = rng.sample(sentences, k=min(n, len(sentences)))
    return (opener + " ".join(chosen)).strip()


def _survey(session, consultation, groups, hoods, rng: random.Random) -> None:
    definition = parse_definition(_data("survey.yaml"))
    survey = create_survey(session, consultation, definition, status=SurveyStatus.CLOSED)
    questions = {q.key: q for q in survey.questions}
    blocks = _data("answers.yaml")
    good_themes, better_themes = list(blocks["goed"]), list(blocks["beter"])
    importance = [c["value"] for c in questions["belangrijk"].options["choices"]]
    start = datetime.combine(consultation.starts_on, time(9))
    span_days = (consultation.ends_on - consultation.starts_on).days

    for i in range(N_RESPONSES):
        group_key = _pick(rng, GROUP_WEIGHTS)
        hood_name = _pick(rng, NEIGHBOURHOOD_WEIGHTS)
        consent = rng.random() < 0.15
        participant = Participant(
            consultation=consultation, stakeholder_group=groups[group_key],
            neighbourhood=hoods[hood_name], contact_consent=consent,
            contact_email=f"deelnemer{i + 1}@voorbeeld.nl" if consent else None)
        channel = _pick(rng, CHANNEL_WEIGHTS)
        submitted = start + timedelta(days=rng.randrange(span_days), minutes=rng.randrange(600))
        response = Response(
            survey=survey, participant=participant, channel=channel, status=ResponseStatus.SUBMITTED,
            receipt_code=short_code(rng=rng), started_at=submitted - timedelta(minutes=rng.randrange(4, 30)),
            submitted_at=submitted)

        def answer(key: str, text: str | None = None, value: Any = None) -> None:
            response.answers.append(Answer(question=questions[key], text=text, value=value))

        answer("rol", value=group_key)
        answer("wijk", value=hood_name)
        if group_key == "mantelzorger":
            answer("zwaarte", value=rng.choice(["licht", "soms_zwaar", "vaak_zwaar", "vaak_zwaar", "te_zwaar"]))
        opener = rng.choice(blocks["openers"])
        if rng.random() < 0.7:
            theme = rng.choice(good_themes)
            answer("goed", text=_compose(rng, blocks["goed"][theme], rng.choice([1, 1, 2]), ""))
        preferred = GROUP_THEMES.get(group_key, []) + (
            ["WIJK"] if hoods[hood_name].kind == NeighbourhoodKind.DORP else [])
        themes = {rng.choice(preferred) if preferred and rng.random() < 0.5 else rng.choice(better_themes)
                  for _ in range(rng.choice([1, 1, 2, 2, 3]))}
        better = " ".join(_compose(rng, blocks["beter"][t], 1, "") for t in sorted(themes))
        if i % 53 == 7:  # a few people leave contact details in free text (to be masked)
            better += " " + blocks["extras"][(i // 53) % len(blocks["extras"])]
        answer("beter", text=(opener + better).strip())
        answer("tevreden", value=rng.choices([1, 2, 3, 4, 5], weights=[8, 17, 30, 32, 13])[0])
        chosen = rng.sample(importance, k=rng.choice([1, 2, 2, 3]))
        other = "Goede informatie in gewone taal" if rng.random() < 0.08 else None
        answer("belangrijk", text=other, value=chosen + (["anders"] if other else []))
        idea = rng.choice(blocks["ideeen"])
        if idea:
            answer("idee", text=idea)
        answer("toestemming", value=True)
        session.add(response)
    session.flush()


def _advice(session, consultation) -> None:
    data = _data("asdd-advice.json")
    a = data["advice"]
    advice = AdviceDocument(
        consultation=consultation, advisory_body=a["advisory_body"], subject=a["subject"],
        received_on=date.fromisoformat(a["received_on"]), requested=a["requested"],
        letter_text="\n\n".join(p["text"] for p in a["points"]))
    points = {}
    for i, p in enumerate(a["points"]):
        points[p["label"]] = AdvicePoint(position=i, label=p["label"], text=p["text"])
        advice.points.append(points[p["label"]])
    r = data["reaction"]
    letter = ReactionLetter(sent_on=date.fromisoformat(r["sent_on"]), sender=r["sender"],
                            letter_text="\n\n".join(p["text"] for p in r["paragraphs"]))
    paragraphs = {}
    for i, p in enumerate(r["paragraphs"]):
        paragraphs[p["label"]] = ReactionParagraph(position=i, label=p["label"], text=p["text"])
        letter.paragraphs.append(paragraphs[p["label"]])
    advice.reactions.append(letter)
    session.add(advice)
    session.flush()

    stances: dict[str, list[str]] = {}
    answered_by: dict[str, list[str]] = {}
    for link in data["links"]:
        session.add(AdviceLink(point=points[link["point"]], paragraph=paragraphs[link["paragraph"]],
                               origin="person", confirmed=True))
        stances.setdefault(link["point"], []).append(link["stance"])
        answered_by.setdefault(link["point"], []).append(link["paragraph"])
    for label, point_stances in stances.items():
        distinct = set(point_stances)
        stance = Stance(point_stances[0]) if len(distinct) == 1 else Stance.DEELS_OVERGENOMEN
        rationale = "\n\n".join(paragraphs[p].text for p in answered_by[label])
        points[label].response = AdviceResponse(
            stance=stance, rationale=rationale, owner="Programma Meedoen",
            status=FollowUpStatus.IN_PROGRESS if stance != Stance.KENNISGENOMEN else FollowUpStatus.DONE,
            promised_action="Uitwerken in het nieuwe Wmo-beleidskader." if stance in (
                Stance.OVERGENOMEN, Stance.DEELS_OVERGENOMEN) else "",
            decision_reference="B&W 21-01-2020, nota 2019-002451")
    session.flush()


def _findings(session, consultation, spec, version) -> None:
    codes = {c.key: c for c in version.codes}
    by_title = {}
    for i, f in enumerate(spec["findings"]):
        finding = Finding(consultation=consultation, kind=FindingKind(f["kind"]), title=f["title"],
                          statement=f["statement"], position=i,
                          advantages=f.get("advantages", "").strip(), disadvantages=f.get("disadvantages", "").strip(),
                          codes=[codes[k] for k in f.get("codes", [])])
        session.add(finding)
        by_title[f["title"]] = finding
    for d in spec["decisions"]:
        session.add(Decision(consultation=consultation, body=d["body"], taken_on=d["taken_on"],
                             reference=str(d["reference"]), text=d["text"],
                             findings=[by_title[t] for t in d.get("findings", [])]))
    session.flush()
