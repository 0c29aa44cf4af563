"""The public feedback page "Wat is er met uw inbreng gedaan?": a real survey submission over
HTTP, its receipt code, the themes it was coded under, and no personal data."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from consult.db import session_scope
from consult.models import (
    AssignmentStatus, CodeAssignment, Consultation, ConsultationStatus, Finding, FindingKind, Origin, Response,
    Segment,
)
from tests.jobqueue import drain_jobs
from tests.web.conftest import SLUG, csrf_token

BASE = f"/c/{SLUG}/v/wmo-vragen"
PAGE = f"/c/{SLUG}/terugkoppeling"


def submit_survey(client, text: str) -> str:
    """Fill in the survey the way a resident does; return the receipt code from the last page."""
    html = client.get(BASE).get_data(as_text=True)
    start_token = re.search(r'name="start_token" type="hidden" value="([^"]+)"', html).group(1)
    r = client.post(BASE, data={"csrf_token": csrf_token(client, BASE), "start_token": start_token})
    page1 = r.headers["Location"]

    def post(url, data):
        return client.post(url, data={"csrf_token": csrf_token(client, url), "action": "next", **data})

    post(page1, {"q_rol": "inwoner", "q_wijk": "Bathmen"})
    post(page1.replace("/deel/1", "/deel/2"), {"q_beter": text, "q_tevreden": "3"})
    review = post(page1.replace("/deel/1", "/deel/3"), {"q_toestemming": "y"}).headers["Location"]
    r = client.post(review, data={"csrf_token": csrf_token(client, review)})
    done = client.get(r.headers["Location"]).get_data(as_text=True)
    drain_jobs(client.application)  # the submission's processing runs in a background job
    return re.search(r'id="ontvangstcode">([A-Z0-9-]+)<', done).group(1)


def code_it(app, finding_title: str) -> None:
    """Segment the answers (as the coding service does) and accept MANTELZORG on the first one."""
    from consult.coding import segment_consultation

    with session_scope(app.extensions["consult.sessions"]) as s:
        c = s.scalar(select(Consultation).where(Consultation.slug == SLUG))
        c.status = ConsultationStatus.CLOSED
        segment_consultation(s, c)
        seg = s.scalars(select(Segment).where(Segment.answer_id.is_not(None)).order_by(Segment.id)).first()
        code = next(k for k in c.codebook_version.codes if k.key == "MANTELZORG")
        s.add(CodeAssignment(segment_id=seg.id, code_id=code.id, origin=Origin.PERSON, coder="user:1",
                             status=AssignmentStatus.ACCEPTED))
        s.add(Finding(consultation=c, kind=FindingKind.FINDING, title=finding_title,
                      statement="Mantelzorgers willen vaker een dag vrij.", codes=[code], position=0))


def post_code(client, code: str):
    return client.post(PAGE, data={"csrf_token": csrf_token(client, PAGE), "code": code})


def test_receipt_code_shows_themes_and_findings(app, client, world):
    text = "Als mantelzorger heb ik nooit vrij. Mail mij: piet@voorbeeld.nl of bel 06-12345678."
    code = submit_survey(client, text)
    code_it(app, "Mantelzorgers hebben rust nodig")

    html = client.get(PAGE).get_data(as_text=True)
    assert "<h1>Wat is er met uw inbreng gedaan?</h1>" in html
    assert "Mantelzorgers hebben rust nodig" in html  # the findings, for everyone
    assert 'for="code"' in html and 'aria-describedby="code-hint"' in html

    # typed in lower case with spaces: normalised
    r = post_code(client, " " + code.lower().replace("-", " ") + " ")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "Wij hebben uw antwoorden gevonden" in html
    assert "<li>Mantelzorg</li>" in html and "Mantelzorgers hebben rust nodig</strong> (bevinding)" in html
    # no personal data, not even the participant's own text
    for secret in ("piet@voorbeeld.nl", "06-12345678", "nooit vrij", "Bathmen"):
        assert secret not in html.split("Uw eigen inbreng terugvinden")[1].split("Wat wij hebben gehoord")[0]
    assert "piet@voorbeeld.nl" not in html and "06-12345678" not in html
    assert "no-store" in r.headers.get("Cache-Control", "")


def test_unknown_and_empty_codes_give_the_same_clear_message(app, client, world, db_session):
    code = submit_survey(client, "Minder formulieren graag.")
    r = post_code(client, "AAAA-BBBB-CCCC")
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "Wij kunnen deze code niet vinden" in html
    assert 'aria-invalid="true"' in html and 'aria-describedby="code-hint code-error"' in html
    assert 'href="#code"' in html  # error summary links to the field
    # a response that is not submitted, or belongs elsewhere, looks exactly like an unknown code
    response = db_session.scalar(select(Response).where(Response.receipt_code == code))
    with session_scope(app.extensions["consult.sessions"]) as s:
        s.get(Response, response.id).status = "in_progress"
    r2 = post_code(client, code)
    assert r2.status_code == 422 and r2.get_data(as_text=True).count("Wij kunnen deze code niet vinden") == \
        html.count("Wij kunnen deze code niet vinden")
    r3 = post_code(client, "")
    assert r3.status_code == 422 and "Vul uw ontvangstcode in." in r3.get_data(as_text=True)


def test_code_not_yet_coded_and_csrf_and_draft(app, client, world):
    code = submit_survey(client, "De taxi komt te laat.")
    r = post_code(client, code)
    assert r.status_code == 200 and "nog bezig uw antwoorden te lezen" in r.get_data(as_text=True)
    assert client.post(PAGE, data={"code": code}).status_code == 400  # CSRF required
    with session_scope(app.extensions["consult.sessions"]) as s:
        s.scalar(select(Consultation).where(Consultation.slug == SLUG)).status = ConsultationStatus.DRAFT
    assert client.get(PAGE).status_code == 404


def test_demo_feedback_page_shows_advice_and_decision(demo_app):
    client = demo_app.test_client()
    html = client.get("/c/verkenning-wmo-demo/terugkoppeling").get_data(as_text=True)
    assert "Wat is er besloten?" in html and "scenario 2" in html
    assert html.count("Op dit punt is in de reactie (nog) niet ingegaan.") == 2  # A4 and A8
    assert "Adviespunt A6: deels overgenomen" in html


@pytest.mark.browser
def test_feedback_page_is_accessible(app, world, live_server, browser, artifacts):
    """axe-core in headless Chromium: zero violations, empty page and with a result and an error."""
    from pathlib import Path

    import axe_selenium_python
    from selenium.webdriver.common.by import By

    axe = (Path(axe_selenium_python.__file__).parent / "node_modules" / "axe-core" / "axe.min.js").read_text()
    client = app.test_client()
    code = submit_survey(client, "Als mantelzorger heb ik nooit vrij.")
    code_it(app, "Mantelzorgers hebben rust nodig")

    def violations():
        browser.execute_script(axe)
        return browser.execute_async_script(
            "var done = arguments[arguments.length - 1];"
            "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}})"
            ".then(function (r) { done(r.violations); }, function (e) { done([{id: 'axe-error', help: String(e)}]); });")

    browser.delete_all_cookies()
    browser.get(live_server.url + PAGE)
    assert violations() == []
    browser.find_element(By.ID, "code").send_keys("XXXX-XXXX-XXXX")
    submit(browser, "main form button[type=submit]")
    assert "niet vinden" in browser.find_element(By.ID, "code-error").text
    assert violations() == []
    field = browser.find_element(By.ID, "code")
    field.clear()
    field.send_keys(code)
    submit(browser, "main form button[type=submit]")
    assert "Mantelzorg" in browser.find_element(By.CSS_SELECTOR, "[role=status]").text
    assert violations() == []
    browser.save_screenshot(str(artifacts / "feedback-page.png"))
    logs = [e for e in browser.get_log("browser") if "Content Security Policy" in e.get("message", "")]
    assert logs == []


def submit(browser, selector: str) -> None:
    """Click and wait until the next page has replaced this one (``navigates`` also takes
    Chromium's "node does not belong to the document" for a page that is gone)."""
    from selenium.webdriver.common.by import By

    from tests.browser.conftest import navigates

    navigates(browser, browser.find_element(By.CSS_SELECTOR, selector).click, timeout=15)


def _erase(client, code: str, confirm: bool = True):
    data = {"csrf_token": csrf_token(client, PAGE), "wis-code": code}
    if confirm:
        data["wis-confirm"] = "y"
    return client.post(f"{PAGE}/verwijderen", data=data)


def test_a_participant_erases_their_input_with_the_receipt_code(app, client, world):
    from consult.models import Answer, AuditLog, Participant
    from consult.reporting import report_input

    keep = submit_survey(client, "Als vrijwilliger help ik graag bij de maaltijd in het buurthuis.")
    code = submit_survey(client, "Als mantelzorger heb ik nooit vrij. Bel mij op 06-12345678.")
    code_it(app, "Mantelzorgers willen ontlast worden")
    with session_scope(app.extensions["consult.sessions"]) as s:
        c = s.scalar(select(Consultation).where(Consultation.slug == SLUG))
        finding = s.scalar(select(Finding).where(Finding.title == "Mantelzorgers willen ontlast worden"))
        mine = s.scalars(select(Segment).join(Answer).join(Response).where(Response.receipt_code == code)).all()
        assert mine
        finding.evidence.extend(mine)
        mine_ids = {seg.id for seg in mine}
        s.flush()
        reported = {row.id for row in report_input(s, c).segments}
        assert reported & mine_ids  # the accepted MANTELZORG code is on one of them
        n_segments = s.scalar(select(func.count(Segment.id)))
        participants = s.scalar(select(func.count(Participant.id)))

    # the feedback page offers erasure once the code is found
    html = post_code(client, code).get_data(as_text=True)
    assert "Verwijder mijn inbreng" in html and 'name="wis-code"' in html

    # without the tick nothing happens
    r = _erase(client, code, confirm=False)
    assert r.status_code == 422 and "Zet een vinkje" in r.get_data(as_text=True)
    with session_scope(app.extensions["consult.sessions"]) as s:
        assert s.scalar(select(Response).where(Response.receipt_code == code)) is not None

    r = _erase(client, code)
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "Uw inbreng is verwijderd" in html
    assert r.headers["Cache-Control"] == "no-store"
    with session_scope(app.extensions["consult.sessions"]) as s:
        c = s.scalar(select(Consultation).where(Consultation.slug == SLUG))
        assert s.scalar(select(Response).where(Response.receipt_code == code)) is None
        assert s.scalar(select(Response).where(Response.receipt_code == keep)) is not None
        assert {row.id for row in report_input(s, c).segments} == reported - mine_ids
        assert s.scalar(select(func.count(Segment.id))) == n_segments - len(mine_ids)
        assert not any("06-12345678" in (seg.text or "") for seg in s.scalars(select(Segment)))
        assert s.scalar(select(func.count(Participant.id))) == participants - 1
        finding = s.scalar(select(Finding).where(Finding.title == "Mantelzorgers willen ontlast worden"))
        assert finding.evidence == []
        entry = s.scalars(select(AuditLog).where(AuditLog.action == "erase_response")).one()
        logged = str(entry.details) + entry.actor
        assert code not in logged and "mantelzorger" not in logged.lower() and "06-" not in logged
    # the code no longer works, and erasing again changes nothing
    assert post_code(client, code).status_code == 422
    assert _erase(client, code).status_code == 422


def test_erasing_with_an_unknown_code_changes_nothing(app, client, world):
    submit_survey(client, "Meer bankjes in het park.")
    with session_scope(app.extensions["consult.sessions"]) as s:
        n = s.scalar(select(func.count(Response.id)))
    r = _erase(client, "AAAA-BBBB-CCCC")
    assert r.status_code == 422 and "Wij kunnen deze code niet vinden" in r.get_data(as_text=True)
    with session_scope(app.extensions["consult.sessions"]) as s:
        assert s.scalar(select(func.count(Response.id))) == n
