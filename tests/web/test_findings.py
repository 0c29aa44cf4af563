"""Findings, principles, scenarios and decisions written in the browser (HTTP): create,
edit, order, delete, codes, evidence search and linking, decisions with dates and links,
Dutch validation errors that keep the input, roles, CSRF and the audit log; and that what
is written here reaches the public feedback page."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from consult.db import session_scope
from consult.models import (
    AdviceDocument, AdvicePoint, AdviceResponse, AssignmentStatus, AuditLog, CodeAssignment, Consultation,
    ConsultationStatus,
    Decision, Finding, FindingKind, Origin, Segment, Stance,
)
from tests.web.conftest import SLUG, csrf_token, login

STAFF = f"/beheer/c/{SLUG}"
INDEX = f"{STAFF}/bevindingen"


def sessions(app):
    return session_scope(app.extensions["consult.sessions"])


def post(client, url: str, data: dict, token_from: str | None = None):
    """POST ``data`` to ``url`` with a CSRF token taken from ``token_from`` (default: ``url``)."""
    return client.post(url, data={"csrf_token": csrf_token(client, token_from or url), **data})


def new_finding(client, kind: str, **data):
    r = post(client, f"{INDEX}/nieuw?soort={kind}", data)
    assert r.status_code == 303, r.get_data(as_text=True)[:2000]
    return int(re.search(r"/bevindingen/(\d+)$", r.headers["Location"]).group(1))


def findings(app) -> list[tuple]:
    with sessions(app) as s:
        return [(f.kind.value, f.title, f.position) for f in
                s.scalars(select(Finding).order_by(Finding.position, Finding.id))]


def accept(app, segment_id: int) -> None:
    with sessions(app) as s:
        for a in s.scalars(select(CodeAssignment).where(CodeAssignment.segment_id == segment_id)):
            a.status = AssignmentStatus.ACCEPTED


def add_advice(app, world) -> dict:
    """An advice with two points; the first has a response (overgenomen)."""
    with sessions(app) as s:
        c = s.get(Consultation, world.consultation_id)
        advice = AdviceDocument(consultation=c, advisory_body="ASDD", subject="Pre-advies Wmo",
                                received_on=date(2019, 12, 1))
        p1 = AdvicePoint(position=0, label="1", text="Betrek mantelzorgers bij het beleid.")
        p2 = AdvicePoint(position=1, label="2", text="Maak het vervoer betrouwbaar.")
        advice.points += [p1, p2]
        p1.response = AdviceResponse(stance=Stance.OVERGENOMEN, rationale="Dat doen wij.")
        s.add(advice)
        s.flush()
        return {"p1": p1.id, "p2": p2.id, "r1": p1.response.id}


@pytest.fixture
def writer(client, world):
    login(client, "beleid@test.nl")
    return client


# ----------------------------------------------------------------------------- findings

def test_the_form_says_that_what_is_saved_is_public_at_once(app, writer, world):
    warning = "wat u hier opslaat, staat meteen op de openbare pagina"
    assert warning in writer.get(f"{INDEX}/nieuw?soort=finding").get_data(as_text=True)   # open consultation
    new_finding(writer, "finding", title="Mantelzorgers zijn moe", statement="Zij willen rust.")
    writer.get(INDEX)                          # (shows the "opgeslagen" message that names it)
    assert "Mantelzorgers zijn moe" in writer.get(f"/c/{SLUG}").get_data(as_text=True)    # as it says
    with sessions(app) as s:
        s.get(Consultation, world.consultation_id).status = ConsultationStatus.DRAFT
        s.commit()
    assert warning not in writer.get(f"{INDEX}/nieuw?soort=finding").get_data(as_text=True)  # nothing public yet


def test_create_each_kind_shows_in_its_section(app, writer, world):
    html = writer.get(INDEX).get_data(as_text=True)
    for heading in ("Wat is opgehaald", "Uitgangspunten", "Scenario&#39;s", "Besluiten"):
        assert heading in html
    assert "Nieuwe bevinding toevoegen" in html and "Nieuw scenario toevoegen" in html
    form = writer.get(f"{INDEX}/nieuw?soort=finding").get_data(as_text=True)
    assert "<h1>Nieuwe bevinding</h1>" in form and "Voordelen" not in form
    assert 'type="checkbox"' in form and "Mantelzorg" in form  # the codebook's codes

    f1 = new_finding(writer, "finding", title="Mantelzorgers zijn moe", statement="Zij willen rust.",
                     codes=[world.code_ids["MANTELZORG"]])
    new_finding(writer, "principle", title="Dichtbij huis", statement="Hulp in de wijk.")
    scenario = writer.get(f"{INDEX}/nieuw?soort=scenario").get_data(as_text=True)
    assert "Voordelen" in scenario and "Nadelen" in scenario and "Zet elk voordeel op een eigen regel." in scenario
    s1 = new_finding(writer, "scenario", title="Scenario 1: alles blijft", statement="Niets verandert.",
                     advantages="- Rust voor medewerkers\n\n* Geen kosten\n", disadvantages="Wachtlijsten blijven")
    assert findings(app) == [("finding", "Mantelzorgers zijn moe", 0), ("principle", "Dichtbij huis", 1),
                             ("scenario", "Scenario 1: alles blijft", 2)]
    with sessions(app) as s:
        f = s.get(Finding, f1)
        assert [c.key for c in f.codes] == ["MANTELZORG"] and f.created_by_id == world.writer_id
        sc = s.get(Finding, s1)
        assert sc.advantages == "Rust voor medewerkers\nGeen kosten" and sc.disadvantages == "Wachtlijsten blijven"

    writer.get(INDEX)  # shows (and so clears) the last "opgeslagen" message
    html = writer.get(INDEX).get_data(as_text=True)
    assert html.index("Mantelzorgers zijn moe") < html.index("Uitgangspunten") < html.index("Dichtbij huis") \
        < html.index("Scenario&#39;s") < html.index("Scenario 1: alles blijft")
    assert "2 voordelen, 1 nadeel" in html
    edit = writer.get(f"{INDEX}/{s1}").get_data(as_text=True)
    assert "<h1>Scenario bewerken</h1>" in edit and "Rust voor medewerkers\nGeen kosten" in edit


def test_unknown_kind_is_not_found(writer):
    assert writer.get(f"{INDEX}/nieuw?soort=besluit").status_code == 404
    assert writer.get(f"{INDEX}/nieuw").status_code == 404


def test_order_up_and_down_within_a_kind(app, writer, world):
    a = new_finding(writer, "finding", title="Eerste")
    new_finding(writer, "scenario", title="Scenario A")
    b = new_finding(writer, "finding", title="Tweede")
    c = new_finding(writer, "finding", title="Derde")
    html = writer.get(INDEX).get_data(as_text=True)
    assert "Omhoog<span class=\"visually-hidden\">: Tweede</span>" in html
    assert "Omhoog<span class=\"visually-hidden\">: Eerste</span>" not in html  # first: no "Omhoog"
    assert "Omlaag<span class=\"visually-hidden\">: Derde</span>" not in html   # last: no "Omlaag"
    assert "Omhoog<span class=\"visually-hidden\">: Scenario A</span>" not in html  # alone in its section

    r = post(writer, f"{INDEX}/{c}/verplaatsen", {"richting": "omhoog"}, token_from=INDEX)
    assert r.status_code == 303 and r.headers["Location"].endswith(f"#item-{c}")
    assert [t for k, t, _ in findings(app) if k == "finding"] == ["Eerste", "Derde", "Tweede"]
    post(writer, f"{INDEX}/{a}/verplaatsen", {"richting": "omlaag"}, token_from=INDEX)
    assert [t for k, t, _ in findings(app) if k == "finding"] == ["Derde", "Eerste", "Tweede"]
    assert [p for *_, p in findings(app)] == [0, 1, 2, 3]  # renumbered without gaps
    r = post(writer, f"{INDEX}/{b}/verplaatsen", {"richting": "omlaag"}, token_from=INDEX)
    assert "staat al onderaan" in writer.get(r.headers["Location"]).get_data(as_text=True)
    assert post(writer, f"{INDEX}/{b}/verplaatsen", {"richting": "opzij"}, token_from=INDEX).status_code == 400
    html = writer.get(INDEX).get_data(as_text=True)
    assert html.index("Derde") < html.index("Eerste") < html.index("Tweede")


def test_edit_codes_and_advice_points(app, writer, world):
    ids = add_advice(app, world)
    fid = new_finding(writer, "finding", title="Vervoer", codes=[world.code_ids["VERVOER"]])
    page = writer.get(f"{INDEX}/{fid}").get_data(as_text=True)
    assert "ASDD, punt 1: Betrek mantelzorgers" in page and "ASDD, punt 2" in page
    r = post(writer, f"{INDEX}/{fid}", {"title": "Vervoer is onbetrouwbaar", "statement": "De taxi is te laat.",
                                        "codes": [world.code_ids["VERVOER"], world.code_ids["REGELS"]],
                                        "advice_points": [ids["p2"]]})
    assert r.status_code == 303
    assert "De wijzigingen zijn opgeslagen." in writer.get(r.headers["Location"]).get_data(as_text=True)
    with sessions(app) as s:
        f = s.get(Finding, fid)
        assert f.title == "Vervoer is onbetrouwbaar" and sorted(c.key for c in f.codes) == ["REGELS", "VERVOER"]
        assert [p.id for p in f.advice_points] == [ids["p2"]]
    page = writer.get(f"{INDEX}/{fid}").get_data(as_text=True)
    assert re.search(rf'checked[^>]*value="{world.code_ids["REGELS"]}"|value="{world.code_ids["REGELS"]}"[^>]*checked', page)
    # unticking everything clears the links
    post(writer, f"{INDEX}/{fid}", {"title": "Vervoer is onbetrouwbaar"})
    with sessions(app) as s:
        f = s.get(Finding, fid)
        assert f.codes == [] and f.advice_points == [] and f.statement == ""
    # a code or advice point from elsewhere is refused, nothing changes
    r = post(writer, f"{INDEX}/{fid}", {"title": "Anders", "codes": ["999999"]})
    assert r.status_code == 422 and "Kies alleen uit de lijst." in r.get_data(as_text=True)
    r = post(writer, f"{INDEX}/{fid}", {"title": "Anders", "codes": ["mantelzorg"]})
    assert r.status_code == 422 and "Kies alleen uit de lijst." in r.get_data(as_text=True)
    assert findings(app)[0][1] == "Vervoer is onbetrouwbaar"


def test_validation_errors_keep_the_input(app, writer, world):
    r = post(writer, f"{INDEX}/nieuw?soort=scenario", {"title": "  ", "statement": "Mijn lange tekst",
                                                       "advantages": "Snel\nGoedkoop",
                                                       "codes": [world.code_ids["MANTELZORG"]]})
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "Vul een titel in." in html and "<title>Fout:" in html
    assert "Mijn lange tekst" in html and "Snel\nGoedkoop" in html
    assert re.search(r'<input checked[^>]*value="%d"' % world.code_ids["MANTELZORG"], html)
    assert 'href="#title"' in html and 'aria-invalid="true"' in html
    r = post(writer, f"{INDEX}/nieuw?soort=finding", {"title": "x" * 301})
    assert r.status_code == 422 and "De titel mag hooguit 300 tekens hebben." in r.get_data(as_text=True)
    assert findings(app) == []

    fid = new_finding(writer, "finding", title="Goed")
    r = post(writer, f"{INDEX}/{fid}", {"title": "", "statement": "Nieuwe tekst"})
    assert r.status_code == 422 and "Nieuwe tekst" in r.get_data(as_text=True)
    assert findings(app)[0][1] == "Goed"


def test_delete_after_confirmation(app, writer, world):
    fid = new_finding(writer, "principle", title="Weg ermee")
    with sessions(app) as s:
        c = s.get(Consultation, world.consultation_id)
        s.add(Decision(consultation=c, text="Besloten.", findings=[s.get(Finding, fid)]))
    page = writer.get(f"{INDEX}/{fid}/verwijderen").get_data(as_text=True)
    assert "Weet u zeker dat u het uitgangspunt ‘Weg ermee’ wilt verwijderen?" in page and "Ja, verwijderen" in page
    assert findings(app)  # a GET deletes nothing
    r = post(writer, f"{INDEX}/{fid}/verwijderen", {})
    assert r.status_code == 303
    assert "Uitgangspunt ‘Weg ermee’ is verwijderd." in writer.get(r.headers["Location"]).get_data(as_text=True)
    assert findings(app) == []
    with sessions(app) as s:
        assert s.scalars(select(Decision)).one().findings == []  # the decision stays


# ----------------------------------------------------------------------------- evidence

def test_evidence_search_add_and_remove(app, writer, world):
    accept(app, world.segment_ids[0])  # "Mevrouw Jansen vertelt dat mantelzorg zwaar is." (Bathmen)
    fid = new_finding(writer, "finding", title="Mantelzorg is zwaar")
    edit = writer.get(f"{INDEX}/{fid}").get_data(as_text=True)
    assert "Bewijs toevoegen" in edit and 'id="zoek-q"' in edit and "Er is nog geen bewijs gekoppeld." in edit

    url = f"{INDEX}/{fid}/bewijs"
    html = writer.get(url).get_data(as_text=True)
    assert "1 stuk gevonden" in html
    assert "Mevrouw [naam] vertelt dat mantelzorg zwaar is." in html and "Jansen" not in html  # masked
    assert "taxi" not in html  # not accepted: not offered
    assert "Verslag: Wijkbijeenkomst Bathmen · Bathmen" in html and "Mantelzorg" in html
    assert f'name="segment_ids" value="{world.segment_ids[0]}"' in html

    hoods = {}
    with sessions(app) as s:
        c = s.get(Consultation, world.consultation_id)
        hoods = {n.name: n.id for n in c.organisation.neighbourhoods}
    for args, n in ((f"q=MANTELZORG", 1), ("q=jansen", 0), ("q=100%25", 0), (f"code={world.code_ids['MANTELZORG']}", 1),
                    (f"code={world.code_ids['VERVOER']}", 0), ("bron=answer", 0), ("bron=document", 1),
                    (f"wijk={hoods['Bathmen']}", 1), (f"wijk={hoods['Binnenstad']}", 0), ("groep=999", 0),
                    ("code=abc&pagina=-3", 1)):
        text = writer.get(f"{url}?{args}").get_data(as_text=True)
        assert f"{n} {'stuk' if n == 1 else 'stukken'} gevonden" in text, args

    r = post(writer, f"{url}?q=mantelzorg", {"segment_ids": [str(world.segment_ids[0])]}, token_from=url)
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/bewijs?q=mantelzorg")
    html = writer.get(r.headers["Location"]).get_data(as_text=True)
    assert "1 stuk toegevoegd als bewijs." in html and "al bewijs" in html
    assert 'name="segment_ids"' not in html  # nothing left to pick
    with sessions(app) as s:
        assert [x.id for x in s.get(Finding, fid).evidence] == [world.segment_ids[0]]
    edit = writer.get(f"{INDEX}/{fid}").get_data(as_text=True)
    assert "Mevrouw [naam] vertelt" in edit and "Verwijderen<span" in edit

    # nothing ticked, a suggested (not accepted) segment, an unknown id: an error, nothing added
    r = post(writer, url, {}, token_from=url)
    assert "Kies eerst een of meer stukken" in writer.get(r.headers["Location"]).get_data(as_text=True)
    for bad in (world.segment_ids[1], 999999):
        r = post(writer, url, {"segment_ids": [str(bad)]}, token_from=url)
        assert "kunnen niet als bewijs dienen" in writer.get(r.headers["Location"]).get_data(as_text=True)
    with sessions(app) as s:
        assert len(s.get(Finding, fid).evidence) == 1

    r = post(writer, f"{url}/{world.segment_ids[0]}/verwijderen", {}, token_from=url)
    assert r.status_code == 303 and r.headers["Location"].endswith("#bewijs")
    assert "Het stuk is geen bewijs meer" in writer.get(r.headers["Location"]).get_data(as_text=True)
    with sessions(app) as s:
        assert s.get(Finding, fid).evidence == []
        assert s.get(Segment, world.segment_ids[0]) is not None  # the segment itself stays


def test_evidence_results_are_paginated(app, writer, world):
    with sessions(app) as s:
        first = s.get(Segment, world.segment_ids[0])
        code_id = world.code_ids["REGELS"]
        for i in range(30):
            seg = Segment(consultation_id=world.consultation_id, document_id=first.document_id, position=10 + i,
                          start_char=0, end_char=5, text=f"Regel nummer {i:02d} is lastig.")
            s.add(seg)
            s.flush()
            s.add(CodeAssignment(segment_id=seg.id, code_id=code_id, origin=Origin.PERSON, coder="user:1",
                                 status=AssignmentStatus.ACCEPTED))
    fid = new_finding(writer, "finding", title="Regels")
    url = f"{INDEX}/{fid}/bewijs?code={world.code_ids['REGELS']}"
    html = writer.get(url).get_data(as_text=True)
    assert "30 stukken gevonden · pagina 1 van 2" in html
    assert html.count('name="segment_ids"') == 25 and "Regel nummer 24" in html and "Regel nummer 25" not in html
    assert "Volgende pagina" in html and "Vorige pagina" not in html
    html = writer.get(url + "&pagina=2").get_data(as_text=True)
    assert html.count('name="segment_ids"') == 5 and "Regel nummer 29" in html and "Vorige pagina" in html
    assert 'start="26"' in html
    # the add form keeps the search, so the page you came from comes back
    assert f'/bewijs?code={world.code_ids["REGELS"]}&amp;pagina=2"' in html
    assert "pagina 2 van 2" in writer.get(url + "&pagina=99").get_data(as_text=True)


# ----------------------------------------------------------------------------- decisions

def test_decisions_with_date_reference_and_links(app, writer, world):
    ids = add_advice(app, world)
    fid = new_finding(writer, "scenario", title="Scenario 2: pilots")
    form = writer.get(f"{STAFF}/besluiten/nieuw").get_data(as_text=True)
    assert 'value="college van B&amp;W"' in form and 'type="date"' in form
    assert "Scenario 2: pilots (scenario)" in form
    assert "ASDD, punt 1: overgenomen" in form and "ASDD, punt 2" not in form  # only points with a response

    r = post(writer, f"{STAFF}/besluiten/nieuw", {
        "body": "college van B&W", "taken_on": "2020-01-21", "reference": "2019-002451",
        "text": "Het college kiest scenario 2.", "findings": [fid], "advice_responses": [ids["r1"]]})
    assert r.status_code == 303 and r.headers["Location"].endswith("#besluiten")
    with sessions(app) as s:
        d = s.scalars(select(Decision)).one()
        assert (d.body, d.taken_on, d.reference, d.text) == (
            "college van B&W", date(2020, 1, 21), "2019-002451", "Het college kiest scenario 2.")
        assert [f.id for f in d.findings] == [fid] and [x.id for x in d.advice_responses] == [ids["r1"]]
        did = d.id
    html = writer.get(INDEX).get_data(as_text=True)
    assert "College van b&amp;w, 21 januari 2020 (nummer 2019-002451)" in html
    assert "Hoort bij: Scenario 2: pilots" in html and "Reacties op advies: ASDD, punt 1: overgenomen" in html

    edit = writer.get(f"{STAFF}/besluiten/{did}").get_data(as_text=True)
    assert 'value="2020-01-21"' in edit and "<h1>Besluit bewerken</h1>" in edit
    # a Dutch-style date is understood too; unticking removes the links
    r = post(writer, f"{STAFF}/besluiten/{did}", {"body": "gemeenteraad", "taken_on": "03-02-2020",
                                                  "reference": "", "text": "De raad stemt in."})
    assert r.status_code == 303
    with sessions(app) as s:
        d = s.get(Decision, did)
        assert (d.body, d.taken_on, d.findings, d.advice_responses) == ("gemeenteraad", date(2020, 2, 3), [], [])

    r = post(writer, f"{STAFF}/besluiten/{did}/verwijderen", {})
    assert r.status_code == 303
    with sessions(app) as s:
        assert s.scalars(select(Decision)).all() == []
        assert s.get(Finding, fid) is not None


@pytest.mark.parametrize("bad", ["2020-02-31", "21 januari", "20200-01-01"])
def test_decision_with_a_bad_date_keeps_the_input(app, writer, world, bad):
    r = post(writer, f"{STAFF}/besluiten/nieuw", {"body": "college van B&W", "taken_on": bad,
                                                  "reference": "N-12", "text": "Mijn besluittekst"})
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "Dit is geen geldige datum. Vul dag, maand en jaar in, bijvoorbeeld 21-01-2020." in html
    assert f'value="{bad}"' in html and "Mijn besluittekst" in html and 'value="N-12"' in html
    with sessions(app) as s:
        assert s.scalars(select(Decision)).all() == []


def test_decision_needs_text_and_a_plausible_year(app, writer, world):
    r = post(writer, f"{STAFF}/besluiten/nieuw", {"body": "", "taken_on": "1066-10-14", "text": ""})
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    for message in ("Vul in wie heeft besloten.", "Vul in wat er is besloten.",
                    "Vul een datum met een jaar tussen 1900 en 2100 in."):
        assert message in html


# ----------------------------------------------------------------------------- access, CSRF, audit

def test_roles(app, client, world):
    fid = decision_id = None
    with sessions(app) as s:
        c = s.get(Consultation, world.consultation_id)
        f = Finding(consultation=c, kind=FindingKind.FINDING, title="Bestaand")
        d = Decision(consultation=c, text="Besloten.")
        s.add_all([f, d])
        s.flush()
        fid, decision_id = f.id, d.id
    urls = [INDEX, f"{INDEX}/nieuw?soort=finding", f"{INDEX}/{fid}", f"{INDEX}/{fid}/bewijs",
            f"{INDEX}/{fid}/verwijderen", f"{STAFF}/besluiten/nieuw", f"{STAFF}/besluiten/{decision_id}",
            f"{STAFF}/besluiten/{decision_id}/verwijderen"]
    for url in urls:  # not logged in: to the login page
        r = client.get(url)
        assert r.status_code == 302 and "/inloggen" in r.headers["Location"], url
    login(client, "gesprek@test.nl")  # facilitator, a member
    for url in urls:
        assert client.get(url).status_code == 403, url
    token = csrf_token(client, f"{STAFF}/bijeenkomsten")
    assert client.post(f"{INDEX}/{fid}/verwijderen", data={"csrf_token": token}).status_code == 403
    assert "Bevindingen en besluiten" not in client.get(f"{STAFF}/bijeenkomsten").get_data(as_text=True)
    client.post("/uitloggen", data={"csrf_token": token})

    login(client, "ander@test.nl")  # a policy writer, not a member
    for url in urls:
        assert client.get(url).status_code == 404, url
    client.post("/uitloggen", data={"csrf_token": csrf_token(client, "/beheer/")})

    login(client, "admin@test.nl")  # administrators pass every check
    for url in urls:
        assert client.get(url).status_code == 200, url
    html = client.get(INDEX).get_data(as_text=True)
    assert 'aria-current="page">Bevindingen en besluiten' in html
    with sessions(app) as s:  # another consultation's ids do not open here
        assert s.get(Finding, fid) is not None
    assert client.get(f"{INDEX}/999999").status_code == 404


def test_posts_need_the_csrf_token(app, writer, world):
    r = writer.post(f"{INDEX}/nieuw?soort=finding", data={"title": "Zonder token"})
    assert r.status_code == 400 and "Formulier verlopen" in r.get_data(as_text=True)
    assert findings(app) == []
    fid = new_finding(writer, "finding", title="Met token")
    assert writer.post(f"{INDEX}/{fid}/verplaatsen", data={"richting": "omhoog"}).status_code == 400
    assert writer.post(f"{INDEX}/{fid}/verwijderen", data={}).status_code == 400
    assert writer.post(f"{STAFF}/besluiten/nieuw", data={"text": "x"}).status_code == 400
    assert findings(app) == [("finding", "Met token", 0)]


def test_every_change_is_audited(app, writer, world):
    ids = add_advice(app, world)
    accept(app, world.segment_ids[0])
    a = new_finding(writer, "finding", title="A", codes=[world.code_ids["MANTELZORG"]])
    new_finding(writer, "finding", title="B")
    post(writer, f"{INDEX}/{a}", {"title": "A2", "codes": [world.code_ids["VERVOER"]]})
    post(writer, f"{INDEX}/{a}/verplaatsen", {"richting": "omlaag"}, token_from=INDEX)
    post(writer, f"{INDEX}/{a}/bewijs", {"segment_ids": [str(world.segment_ids[0])]}, token_from=INDEX)
    post(writer, f"{INDEX}/{a}/bewijs/{world.segment_ids[0]}/verwijderen", {}, token_from=INDEX)
    post(writer, f"{STAFF}/besluiten/nieuw", {"body": "college van B&W", "taken_on": "2020-01-21",
                                              "text": "Besloten.", "findings": [a], "advice_responses": [ids["r1"]]})
    with sessions(app) as s:
        did = s.scalars(select(Decision)).one().id
    post(writer, f"{STAFF}/besluiten/{did}", {"body": "college van B&W", "taken_on": "2020-01-22", "text": "Besloten."})
    post(writer, f"{STAFF}/besluiten/{did}/verwijderen", {})
    post(writer, f"{INDEX}/{a}/verwijderen", {})
    with sessions(app) as s:
        log = s.scalars(select(AuditLog).where(AuditLog.entity_type.in_(("finding", "decision")))
                        .order_by(AuditLog.id)).all()
        assert [e.action for e in log] == [
            "create_finding", "create_finding", "update_finding", "move_finding", "add_evidence",
            "remove_evidence", "create_decision", "update_decision", "delete_decision", "delete_finding"]
        assert {e.user_id for e in log} == {world.writer_id}
        update = log[2].details["changes"]
        assert update["title"] == {"before": "A", "after": "A2"}
        assert update["codes"] == {"before": ["MANTELZORG"], "after": ["VERVOER"]}
        assert log[4].details == {"segments": [world.segment_ids[0]]}
        assert log[6].details["taken_on"] == "2020-01-21" and log[6].details["advice_responses"] == [ids["r1"]]
        assert log[7].details["changes"]["taken_on"] == {"before": "2020-01-21", "after": "2020-01-22"}


# ----------------------------------------------------------------------------- the feedback page

def test_finding_written_here_reaches_the_participant(app, client, world):
    from tests.web.test_feedback import post_code, submit_survey
    from consult.coding import segment_consultation

    code = submit_survey(client, "De taxi komt altijd te laat bij mij thuis.")
    other = submit_survey(client, "Ik vind de formulieren te ingewikkeld.")
    with sessions(app) as s:
        c = s.get(Consultation, world.consultation_id)
        segment_consultation(s, c)
        segs = s.scalars(select(Segment).where(Segment.answer_id.is_not(None)).order_by(Segment.id)).all()
        mine = next(x for x in segs if "taxi" in x.text)
        theirs = next(x for x in segs if "formulieren" in x.text)
        for seg, key in ((mine, "VERVOER"), (theirs, "REGELS")):
            s.add(CodeAssignment(segment_id=seg.id, code_id=world.code_ids[key], origin=Origin.PERSON,
                                 coder="user:1", status=AssignmentStatus.ACCEPTED))
        mine_id = mine.id

    login(client, "beleid@test.nl")
    # a finding without codes: only its evidence ties it to the participant
    fid = new_finding(client, "finding", title="Vervoer komt te laat", statement="Het vervoer is niet op tijd.")
    url = f"{INDEX}/{fid}/bewijs"
    assert "De taxi komt altijd te laat" in client.get(f"{url}?bron=answer&q=taxi").get_data(as_text=True)
    post(client, url, {"segment_ids": [str(mine_id)]}, token_from=url)
    sid = new_finding(client, "scenario", title="Scenario 2: pilots", statement="Proeven in de wijk.",
                      advantages="Snel te starten\nDichtbij", disadvantages="Niet overal gelijk")
    post(client, f"{STAFF}/besluiten/nieuw", {"body": "college van B&W", "taken_on": "2020-01-21",
                                              "reference": "2019-002451", "text": "Het college kiest scenario 2.",
                                              "findings": [sid]})
    client.post("/uitloggen", data={"csrf_token": csrf_token(client, "/beheer/")})

    page = f"/c/{SLUG}/terugkoppeling"
    html = client.get(page).get_data(as_text=True)
    assert "Vervoer komt te laat" in html and "Scenario 2: pilots" in html
    assert "Snel te starten" in html and "Niet overal gelijk" in html  # voordelen and nadelen
    assert "21 januari 2020" in html and "2019-002451" in html and "Het college kiest scenario 2." in html
    mine_html = post_code(client, code).get_data(as_text=True)
    assert "Vervoer komt te laat</strong> (bevinding)" in mine_html
    theirs_html = post_code(client, other).get_data(as_text=True)
    assert "Vervoer komt te laat</strong>" not in theirs_html  # not their evidence, not their theme
