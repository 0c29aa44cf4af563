"""The advice register over HTTP: register an advice, split it into points, register the
reaction, confirm proposed links, record the response with history in the audit log."""
from __future__ import annotations

import io

import pytest

from sqlalchemy import select

from consult.models import AdviceDocument, AdviceLink, AdvicePoint, AuditLog, Stance
from tests.web.conftest import SLUG, csrf_token, login

BASE = f"/beheer/c/{SLUG}/advies"

ADVICE = """Geachte college,

Hierbij ons advies over de verkenning Wmo.

1. Zorg dat mantelzorgers respijtzorg krijgen zonder lange wachttijd.
2. De scootmobielpool functioneert onvoldoende; de gemeente voert geen regie op hulpmiddelen.
3. Betrek de adviesraad vroeg bij de inkoop van dagbesteding.

Met vriendelijke groet,
de adviesraad
"""

REACTION = """Beste adviesraad,

Wij danken u hartelijk voor uw advies.

Respijtzorg voor mantelzorgers breiden wij uit, zodat de wachttijd korter wordt. Dit advies nemen wij over.

Bij de inkoop van dagbesteding betrekken wij de adviesraad niet; dat advies nemen wij niet over.

Met vriendelijke groet,
het college van burgemeester en wethouders
"""


def register(client, **extra):
    token = csrf_token(client, f"{BASE}/nieuw")
    data = {"csrf_token": token, "advisory_body": "Adviesraad Sociaal Domein", "subject": "Verkenning Wmo",
            "received_on": "2020-01-06", "requested": "nee", "letter_text": ADVICE, **extra}
    return client.post(f"{BASE}/nieuw", data=data, content_type="multipart/form-data")


def test_register_split_link_confirm_and_respond(client, world, db_session):
    login(client, "beleid@test.nl")
    assert client.get(BASE + "/").status_code == 200
    r = register(client)
    assert r.status_code == 302
    advice = db_session.scalar(select(AdviceDocument))
    assert advice.requested is False and [p.label for p in advice.points] == ["1", "2", "3"]
    detail = r.headers["Location"]

    # the reaction letter: split, linked by the linker (proposals, unconfirmed)
    token = csrf_token(client, detail)
    r = client.post(f"{detail}/reactie", data={"csrf_token": token, "sender": "college van B&W",
                                               "sent_on": "2020-01-10", "letter_text": REACTION})
    assert r.status_code == 302
    db_session.expire_all()
    links = db_session.scalars(select(AdviceLink)).all()
    pairs = {(l.point.label, l.paragraph.label) for l in links}
    assert pairs == {("1", "R2"), ("3", "R3")}
    assert all(l.origin == "linker" and not l.confirmed and l.score > 0 for l in links)
    html = client.get(detail).get_data(as_text=True)
    assert "Deze adviespunten worden in de reactie niet beantwoord" in html and "punt 2</a>" in html
    assert "voorgesteld standpunt: overgenomen" in html and "voorgesteld standpunt: niet overgenomen" in html

    # confirm one, reject the other
    link1 = next(l for l in links if l.point.label == "1")
    link3 = next(l for l in links if l.point.label == "3")
    token = csrf_token(client, detail)
    assert client.post(f"{detail}/koppelingen/{link1.id}", data={"csrf_token": token, "action": "confirm"}).status_code == 302
    assert client.post(f"{detail}/koppelingen/{link3.id}", data={"csrf_token": token, "action": "reject"}).status_code == 302
    db_session.expire_all()
    assert [(l.point.label, l.confirmed) for l in db_session.scalars(select(AdviceLink))] == [("1", True)]

    # the response to point 1, then a change: both in the audit log with before/after
    point = db_session.scalar(select(AdvicePoint).where(AdvicePoint.label == "1"))
    url = f"{detail}/punten/{point.id}"
    token = csrf_token(client, url)
    data = {"csrf_token": token, "action": "response", "reactie-stance": "overgenomen",
            "reactie-rationale": "Respijtzorg wordt uitgebreid.", "reactie-promised_action": "Meer respijtzorg",
            "reactie-owner": "Team Wmo", "reactie-due_on": "2020-06-01", "reactie-status": "in_progress",
            "reactie-decision_reference": "B&W 2020-001"}
    assert client.post(url, data=data).status_code == 302
    data["reactie-status"] = "done"
    assert client.post(url, data=data).status_code == 302
    db_session.expire_all()
    point = db_session.get(AdvicePoint, point.id)
    assert point.response.stance == Stance.OVERGENOMEN and point.response.status.value == "done"
    entries = db_session.scalars(select(AuditLog).where(AuditLog.entity_type == "advice_point",
                                                        AuditLog.entity_id == point.id,
                                                        AuditLog.action == "update_response")
                                 .order_by(AuditLog.id)).all()
    assert len(entries) == 2
    assert entries[0].details["changes"]["stance"] == {"before": None, "after": "overgenomen"}
    assert entries[1].details["changes"] == {"status": {"before": "in_progress", "after": "done"}}
    assert entries[1].actor.startswith("user:") and entries[1].user_id == world.writer_id
    html = client.get(url).get_data(as_text=True)
    assert "Geschiedenis" in html and "stand van zaken: in_progress → done" in html
    assert "confirm_link" in html

    # edit the text of a point: history keeps the old text
    token = csrf_token(client, url)
    r = client.post(url, data={"csrf_token": token, "action": "text", "punt-label": "1a",
                               "punt-text": "Zorg voor respijtzorg."})
    assert r.status_code == 302
    db_session.expire_all()
    entry = db_session.scalar(select(AuditLog).where(AuditLog.action == "update_point"))
    assert entry.details["before"]["label"] == "1" and entry.details["after"]["text"] == "Zorg voor respijtzorg."
    # every form is CSRF-protected (the app-wide check)
    assert client.post(url, data={"action": "text", "punt-label": "x", "punt-text": "y"}).status_code == 400


def test_a_new_reaction_letter_replaces_the_old_one_and_its_links(client, world, db_session):
    login(client, "beleid@test.nl")
    detail = register(client).headers["Location"]
    for letter in (REACTION, "Beste adviesraad,\n\nRespijtzorg voor mantelzorgers breiden wij uit.\n"):
        r = client.post(f"{detail}/reactie", data={"csrf_token": csrf_token(client, detail),
                                                   "sender": "college van B&W", "letter_text": letter})
        assert r.status_code == 302
    db_session.expire_all()
    advice = db_session.scalar(select(AdviceDocument))
    assert len(advice.reactions) == 1 and "inkoop" not in advice.reactions[0].letter_text
    assert {(l.point.label, l.paragraph.letter_id) for l in db_session.scalars(select(AdviceLink))} == {
        ("1", advice.reactions[0].id)}


def test_upload_letter_and_validation(client, world, db_session):
    login(client, "beleid@test.nl")
    token = csrf_token(client, f"{BASE}/nieuw")
    r = client.post(f"{BASE}/nieuw", data={"csrf_token": token, "advisory_body": "", "subject": "X",
                                           "requested": "ja", "letter_text": ""},
                    content_type="multipart/form-data")
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "Vul het adviesorgaan in." in html and "Plak de tekst van de brief" in html
    assert 'href="#advisory_body"' in html and 'aria-invalid="true"' in html
    r = register(client, letter_text="", file=(io.BytesIO(ADVICE.encode("utf-8")), "advies.txt"))
    assert r.status_code == 302
    assert len(db_session.scalar(select(AdviceDocument)).points) == 3


def test_roles_and_membership(client, world):
    login(client, "gesprek@test.nl")  # facilitator: no advice register
    assert client.get(BASE + "/").status_code == 403
    client.post("/uitloggen", data={"csrf_token": csrf_token(client, "/")})
    other = client.application.test_client()
    login(other, "ander@test.nl")  # policy writer, not a member of this consultation
    assert other.get(BASE + "/").status_code == 404
    anonymous = client.application.test_client()
    r = anonymous.get(BASE + "/")
    assert r.status_code == 302 and "/inloggen" in r.headers["Location"]


def test_demo_advice_register_flags_unanswered_points(demo_app):
    """The demo's ASDD advice (read only: the demo is shared): A4 and A8 unanswered, and the
    linker, run on the demo's points and paragraphs, flags them too."""
    from analysis.trace import link
    from consult.reporting import advice_infos, get_consultation

    s = demo_app.extensions["consult.sessions"]()
    try:
        c = get_consultation(s, "verkenning-wmo-demo")
        info = advice_infos(s, c)[0]
        advice = s.scalar(select(AdviceDocument).where(AdviceDocument.consultation_id == c.id))
        points = [(p.label, p.text) for p in advice.points]
        paragraphs = [(r.label, r.text) for r in advice.reactions[0].paragraphs]
    finally:
        s.close()
    assert [p.label for p in info.unanswered] == ["A4", "A8"]
    result = link(points, paragraphs)
    assert "A8" in result.unanswered or "A4" in result.unanswered
    assert not {"R1", "R8"} & {l.paragraph for l in result.links}  # thanks and appreciation answer nothing


@pytest.mark.browser
def test_advice_pages_are_accessible(world, live_server, browser, artifacts):
    """axe-core (WCAG 2 A/AA) on the advice register: list, form with errors, advice, point."""
    from pathlib import Path

    import axe_selenium_python
    from selenium.webdriver.common.by import By

    axe = (Path(axe_selenium_python.__file__).parent / "node_modules" / "axe-core" / "axe.min.js").read_text()

    def violations():
        browser.execute_script(axe)
        found = browser.execute_async_script(
            "var done = arguments[arguments.length - 1];"
            "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}})"
            ".then(function (r) { done(r.violations); }, function (e) { done([{id: 'axe-error', help: String(e)}]); });")
        return [(v["id"], v.get("help")) for v in found]

    browser.delete_all_cookies()
    browser.get(live_server.url + "/inloggen")
    browser.find_element(By.ID, "email").send_keys("beleid@test.nl")
    browser.find_element(By.ID, "password").send_keys("correct horse battery")
    submit(browser, "main form button[type=submit]")
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 10).until(lambda d: "/beheer" in d.current_url)
    browser.get(live_server.url + BASE + "/")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Adviezen en reacties"
    assert violations() == []
    browser.get(live_server.url + BASE + "/nieuw")
    submit(browser, "main form button[type=submit]")
    assert browser.find_element(By.CSS_SELECTOR, ".error-summary")
    assert violations() == []
    browser.find_element(By.ID, "advisory_body").send_keys("Adviesraad Sociaal Domein")
    browser.find_element(By.ID, "subject").send_keys("Verkenning Wmo")
    browser.find_element(By.ID, "letter_text").send_keys(ADVICE)
    submit(browser, "main form button[type=submit]")
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("Adviesraad Sociaal Domein")
    browser.find_element(By.ID, "letter_text").send_keys(REACTION)
    submit(browser, "main form[action*='/reactie'] button[type=submit]")
    assert "niet beantwoord" in browser.page_source
    assert violations() == []
    browser.save_screenshot(str(artifacts / "advice-register.png"))
    submit(browser, "a[href*='/punten/']")
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("Adviespunt ")
    assert violations() == []


def submit(browser, selector: str) -> None:
    """Click and wait until the next page has replaced this one (``navigates`` also takes
    Chromium's "node does not belong to the document" for a page that is gone)."""
    from selenium.webdriver.common.by import By

    from tests.browser.conftest import navigates

    navigates(browser, browser.find_element(By.CSS_SELECTOR, selector).click, timeout=15)


GROUPED_ADVICE = """Geachte college,

Hierbij ons advies over de nota Preventie.

1. Meet de resultaten van preventie ook per wijk.
2. Stel concrete doelen voor het bereik van preventieve activiteiten.
3. Noem jongeren uitdrukkelijk als doelgroep in de nota.
4. Verhoog de vergoeding voor vrijwilligers in de buurthuizen.

Met vriendelijke groet,
de adviesraad
"""

GROUPED_REACTION = """Beste adviesraad,

Wij danken u voor uw advies over de nota Preventie.

Ad 1 en 2. Wij nemen deze adviezen over. De monitor laat de cijfers per wijk zien.

Ad 3. In de uitvoeringsagenda krijgen jongeren een eigen paragraaf; dit wordt meegenomen.

De bovengenoemde adviezen worden zeer serieus genomen.

Met vriendelijke groet,
het college van burgemeester en wethouders
"""


def test_the_register_shows_why_a_link_was_proposed_and_general_answers(client, world, db_session):
    """Grouped points ("Ad 1 en 2") are linked by their reference; the page says why each
    link was proposed, and a point that only got the blanket sentence shows as such."""
    login(client, "beleid@test.nl")
    r = register(client, letter_text=GROUPED_ADVICE)
    detail = r.headers["Location"]
    token = csrf_token(client, detail)
    r = client.post(f"{detail}/reactie", data={"csrf_token": token, "sender": "college van B&W",
                                               "letter_text": GROUPED_REACTION})
    assert r.status_code == 302
    db_session.expire_all()
    links = {(l.point.label, l.paragraph.label): l for l in db_session.scalars(select(AdviceLink))}
    assert set(links) == {("1", "R2"), ("2", "R2"), ("3", "R3")}
    assert links[("1", "R2")].evidence["reference"] == "Ad 1 en 2"
    assert links[("3", "R3")].proposed_stance == "overgenomen"
    html = client.get(detail).get_data(as_text=True)
    assert "Waarom dit voorstel?" in html
    assert "De reactie noemt het punt zelf: ‘Ad 1 en 2’" in html
    assert "algemeen beantwoord, geen specifiek antwoord" in html
    assert "Deze adviespunten krijgen geen specifiek antwoord" in html and "punt 4</a>" in html
    assert "Deze alinea beantwoordt het advies alleen in het algemeen" in html
    point4 = db_session.scalar(select(AdvicePoint).where(AdvicePoint.label == "4"))
    html = client.get(f"{detail}/punten/{point4.id}").get_data(as_text=True)
    assert "Dit punt is alleen algemeen beantwoord (alinea R4), geen specifiek antwoord." in html
    point3 = db_session.scalar(select(AdvicePoint).where(AdvicePoint.label == "3"))
    html = client.get(f"{detail}/punten/{point3.id}").get_data(as_text=True)
    assert "Waarom dit voorstel?" in html and "signaal: meenemen" in html
