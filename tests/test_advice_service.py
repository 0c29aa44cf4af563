"""The advice register's write side (``consult.advice``) on real databases: splitting,
proposals that keep what people decided, and the audit log as each point's history."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from consult import advice as register
from consult.models import AdviceLink, AuditLog, FollowUpStatus, Stance
from tests.web.test_advice import ADVICE, REACTION


def _advice(session):
    advice = register.register_advice(session, None, advisory_body="Adviesraad", subject="Wmo",
                                      received_on=date(2020, 1, 6), requested=True, letter_text=ADVICE)
    session.commit()
    return advice


def _links(session) -> dict[tuple[str, str], AdviceLink]:
    return {(l.point.label, l.paragraph.label): l for l in session.scalars(select(AdviceLink))}


def test_register_reaction_proposes_links_and_a_rerun_keeps_decisions(session):
    advice = _advice(session)
    assert [p.label for p in advice.points] == ["1", "2", "3"]
    letter = register.register_reaction(session, advice, sender="college", sent_on=None, letter_text=REACTION,
                                        propose=True)
    session.commit()
    assert [p.label for p in letter.paragraphs][:3] == ["R1", "R2", "R3"]
    links = _links(session)
    assert set(links) == {("1", "R2"), ("3", "R3")}
    proposals = register.latest_proposals(advice)
    assert proposals[(links["1", "R2"].point_id, links["1", "R2"].paragraph_id)]["stance"] == Stance.OVERGENOMEN

    # a person confirms one proposal, rejects the other and links point 2 by hand
    register.decide_link(session, links["1", "R2"], confirm=True)
    register.decide_link(session, links["3", "R3"], confirm=False)
    point2 = advice.points[1]
    paragraph = register.paragraph_of(session, advice, letter.paragraphs[0].id)
    register.add_link(session, point2, paragraph)
    session.commit()
    assert {k: (l.origin, l.confirmed) for k, l in _links(session).items()} == {
        ("1", "R2"): ("linker", True), ("2", "R1"): ("person", True)}

    # running the linker again proposes the rejected link anew, and keeps what people decided
    register.propose_links(session, advice)
    session.commit()
    session.expire_all()
    assert {k: (l.origin, l.confirmed) for k, l in _links(session).items()} == {
        ("1", "R2"): ("linker", True), ("2", "R1"): ("person", True), ("3", "R3"): ("linker", False)}
    actions = session.scalars(select(AuditLog.action).order_by(AuditLog.id)).all()
    assert actions == ["register_advice", "register_reaction", "propose_links", "confirm_link", "reject_link",
                       "add_link", "propose_links"]

    # a new reaction letter replaces the old one with all its links
    register.register_reaction(session, advice, sender="college", sent_on=None, letter_text="Dank u wel.")
    session.commit()
    assert _links(session) == {}


def test_paragraph_of_another_advice_is_refused(session):
    first, second = _advice(session), _advice(session)
    letter = register.register_reaction(session, first, sender="college", sent_on=None, letter_text=REACTION)
    session.commit()
    assert register.paragraph_of(session, first, letter.paragraphs[1].id) is letter.paragraphs[1]
    assert register.paragraph_of(session, second, letter.paragraphs[1].id) is None
    assert register.paragraph_of(session, first, None) is None
    assert register.paragraph_of(session, first, 10**6) is None


def test_points_and_responses_keep_their_history(session):
    advice = _advice(session)
    added = register.add_point(session, advice, label="", text="Zorg voor goede informatie.")
    named = register.add_point(session, advice, label="B", text="Nog een punt.")
    session.commit()
    assert (added.position, added.label, named.position, named.label) == (3, "4", 4, "B")

    assert register.update_point(session, added, label="4", text="Zorg voor goede informatie.") is False
    assert register.update_point(session, added, label="4a", text="Zorg voor heldere informatie.") is True
    changes = register.update_response(session, added, {
        "stance": Stance.OVERGENOMEN, "rationale": "Doen we.", "due_on": date(2020, 6, 1),
        "status": FollowUpStatus.IN_PROGRESS})
    assert changes["stance"] == {"before": None, "after": "overgenomen"}
    assert changes["due_on"] == {"before": None, "after": "2020-06-01"}
    assert register.update_response(session, added, {"status": FollowUpStatus.IN_PROGRESS}) == {}
    assert register.update_response(session, added, {"status": FollowUpStatus.DONE}) == {
        "status": {"before": "in_progress", "after": "done"}}
    session.commit()

    history = register.point_history(session, added)
    assert [h.action for h in history] == ["add_point", "update_point", "update_response", "update_response"]
    assert history[1].details == {"before": {"label": "4", "text": "Zorg voor goede informatie."},
                                  "after": {"label": "4a", "text": "Zorg voor heldere informatie."}}
    assert added.response.stance == Stance.OVERGENOMEN and added.response.status == FollowUpStatus.DONE


def test_references_use_the_letters_numbers_and_general_paragraphs_are_kept(session):
    """"Ad 2" means the point numbered 2 in the letter, whatever its database id; the
    paragraphs read as a general acknowledgement are kept with the linker's run."""
    from tests.web.test_advice import GROUPED_ADVICE, GROUPED_REACTION

    _advice(session)  # other points first, so ids and numbers differ
    advice = register.register_advice(session, None, advisory_body="Adviesraad", subject="Preventie",
                                      received_on=None, requested=True, letter_text=GROUPED_ADVICE)
    register.register_reaction(session, advice, sender="college", sent_on=None, letter_text=GROUPED_REACTION,
                               propose=True)
    session.commit()
    pairs = {(l.point.label, l.paragraph.label) for p in advice.points for l in p.links}
    assert pairs == {("1", "R2"), ("2", "R2"), ("3", "R3")}
    assert [p.label for p in register.general_paragraphs(session, advice)] == ["R4"]
    entry = session.scalar(select(AuditLog).where(AuditLog.action == "propose_links").order_by(AuditLog.id.desc()))
    assert entry.details["general"] == [register.general_paragraphs(session, advice)[0].id]
    proposals = register.latest_proposals(advice)
    assert {p["basis"] for p in proposals.values()} == {"verwijzing"}
