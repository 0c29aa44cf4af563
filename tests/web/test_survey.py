"""Answering a survey over HTTP: pages, conditions, save and continue, review, receipt,
idempotent submission, invitation codes, honeypot, CSRF and rate limits."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from consult.models import Answer, InvitationCode, Participant, Response, ResponseStatus, Survey, SurveyAccess
from tests.jobqueue import drain_jobs
from tests.web.conftest import SLUG, csrf_token

BASE = f"/c/{SLUG}/v/wmo-vragen"


def start(client) -> str:
    html = client.get(BASE).get_data(as_text=True)
    token = re.search(r'name="start_token" type="hidden" value="([^"]+)"', html).group(1)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    r = client.post(BASE, data={"csrf_token": csrf, "start_token": token})
    assert r.status_code == 302, r.get_data(as_text=True)
    return r.headers["Location"]


def post_page(client, url: str, data: dict, action: str = "next"):
    return client.post(url, data={"csrf_token": csrf_token(client, url), "action": action, **data})


def submitted_count(db_session) -> int:
    db_session.expire_all()
    return db_session.scalar(select(func.count(Response.id)).where(Response.status == ResponseStatus.SUBMITTED))


def test_complete_survey_with_condition_review_and_receipt(client, world, db_session, app):
    page1 = start(client)
    assert page1.endswith("/deel/1")
    r = client.get(page1)
    html = r.get_data(as_text=True)
    assert "Wie bent u?" in html and "Hoe zwaar" not in html  # conditional question hidden
    assert r.headers["Cache-Control"] == "no-store"

    # required answer missing: error summary with a link to the field, aria-describedby on the group
    r = post_page(client, page1, {})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert 'class="error-summary"' in html and 'href="#q_rol-0"' in html
    assert 'aria-describedby="fout-rol"' in html

    # choosing "mantelzorger" shows the conditional question on the same page (no JavaScript)
    r = post_page(client, page1, {"q_rol": "mantelzorger", "q_wijk": "Bathmen"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/deel/1#vraag-zwaarte")
    html = client.get(page1).get_data(as_text=True)
    assert "Hoe zwaar is de zorg" in html
    r = post_page(client, page1, {"q_rol": "mantelzorger", "q_wijk": "Bathmen", "q_zwaarte": "zwaar"})
    assert r.headers["Location"].endswith("/deel/2")

    page2 = page1.replace("/deel/1", "/deel/2")
    # "anders" without text, and the same rank twice: both reported
    r = post_page(client, page2, {"q_beter": "Minder formulieren.", "q_belangrijk": ["anders"],
                                  "q_volgorde__snelheid": "1", "q_volgorde__vriendelijkheid": "1"})
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "Vul in wat u bedoelt" in html and "twee keer" in html
    r = post_page(client, page2, {"q_beter": "Minder formulieren.", "q_tevreden": "4",
                                  "q_belangrijk": ["hulp_dichtbij", "anders"], "q_belangrijk__other": "Een vast loket",
                                  "q_volgorde__snelheid": "2", "q_volgorde__vriendelijkheid": "1"})
    assert r.headers["Location"].endswith("/deel/3")

    page3 = page1.replace("/deel/1", "/deel/3")
    r = post_page(client, page3, {})
    assert r.status_code == 422 and "toestemming" in r.get_data(as_text=True)
    r = post_page(client, page3, {"q_toestemming": "y"})
    review = r.headers["Location"]
    assert review.endswith("/controleren")
    html = client.get(review).get_data(as_text=True)
    assert "Mantelzorger" in html and "Anders, namelijk: Een vast loket" in html
    assert "1. Vriendelijkheid, 2. Snelheid" in html and "4 – " not in html

    token = csrf_token(client, review)
    r = client.post(review, data={"csrf_token": token})
    assert r.status_code == 303
    done = client.get(r.headers["Location"]).get_data(as_text=True)
    code = re.search(r'id="ontvangstcode">([A-Z0-9-]+)<', done).group(1)
    assert "terugkoppeling" in done

    # replaying the submit (back button, double click) creates nothing new
    r2 = client.post(review, data={"csrf_token": token})
    assert r2.status_code in (302, 303)
    assert submitted_count(db_session) == 1
    response = db_session.scalar(select(Response))
    assert response.receipt_code == code and response.channel.value == "online"
    answers = {a.question.key: (a.value, a.text) for a in response.answers}
    assert answers["zwaarte"] == ("zwaar", None)
    assert answers["belangrijk"] == (["hulp_dichtbij", "anders"], "Een vast loket")
    assert answers["volgorde"] == (["vriendelijkheid", "snelheid"], None)
    assert answers["tevreden"] == (4, None)
    participant = db_session.get(Participant, response.participant_id)
    assert participant.stakeholder_group.key == "mantelzorger" and participant.neighbourhood.name == "Bathmen"
    # the open answers are segmented right away (by the job the submission queued), ready for coding
    drain_jobs(app)
    texts = [a for a in response.answers if a.text]
    assert texts and all(a.segments for a in texts)
    assert all(seg.text in a.text for a in texts for seg in a.segments)
    # after submission the pages only lead to the receipt
    assert client.get(page1).headers["Location"].endswith("/klaar")


def test_changing_an_answer_drops_the_hidden_conditional_answer(client, world, db_session):
    page1 = start(client)
    post_page(client, page1, {"q_rol": "mantelzorger"})
    post_page(client, page1, {"q_rol": "mantelzorger", "q_zwaarte": "licht"})
    r = post_page(client, page1, {"q_rol": "inwoner"})
    assert r.headers["Location"].endswith("/deel/2")
    db_session.expire_all()
    keys = {a.question.key for a in db_session.scalars(select(Answer))}
    assert keys == {"rol"}


def test_double_start_and_save_and_continue(client, world, db_session):
    html = client.get(BASE).get_data(as_text=True)
    token = re.search(r'name="start_token" type="hidden" value="([^"]+)"', html).group(1)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    first = client.post(BASE, data={"csrf_token": csrf, "start_token": token}).headers["Location"]
    second = client.post(BASE, data={"csrf_token": csrf, "start_token": token}).headers["Location"]
    assert first == second
    assert db_session.scalar(select(func.count(Response.id))) == 1

    r = post_page(client, first, {"q_rol": "inwoner"}, action="save")
    assert r.headers["Location"].endswith("/opgeslagen")
    html = client.get(r.headers["Location"]).get_data(as_text=True)
    resume = re.search(r'<p class="resume-link"><a href="([^"]+)"', html).group(1)
    # a new visitor (fresh cookies) with the link continues where it stopped
    other = client.application.test_client()
    r = other.get(resume)
    assert r.status_code == 302 and r.headers["Location"].endswith("/deel/2")
    assert re.search(r'<input checked id="q_rol-\d+" name="q_rol" type="radio" value="inwoner">',
                     other.get(first).get_data(as_text=True))


def test_invitation_codes_one_response_per_code(client, world, db_session, app):
    survey = db_session.get(Survey, world.survey_id)
    survey.access = SurveyAccess.INVITATION
    db_session.add(InvitationCode(survey=survey, code="K7QX-3MPD-W9TA"))
    db_session.commit()

    def start_with(code, c):
        html = c.get(BASE).get_data(as_text=True)
        token = re.search(r'name="start_token" type="hidden" value="([^"]+)"', html).group(1)
        csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
        return c.post(BASE, data={"csrf_token": csrf, "start_token": token, "code": code})

    r = start_with("FOUT-FOUT-FOUT", client)
    assert r.status_code == 422 and "Deze code kennen wij niet" in r.get_data(as_text=True)
    r = start_with("k7qx 3mpd w9ta", client)  # typed loosely
    assert r.status_code == 302
    page1 = r.headers["Location"]
    # the same code from another device resumes the same response
    other = app.test_client()
    assert start_with("K7QX3MPDW9TA", other).headers["Location"] == page1
    post_page(client, page1, {"q_rol": "inwoner"})
    post_page(client, page1.replace("/deel/1", "/deel/2"), {"q_beter": "Sneller."})
    post_page(client, page1.replace("/deel/1", "/deel/3"), {"q_toestemming": "y"})
    review = page1.replace("/deel/1", "/controleren")
    client.post(review, data={"csrf_token": csrf_token(client, review)})
    db_session.expire_all()
    assert db_session.scalar(select(InvitationCode)).used_at is not None
    r = start_with("K7QX-3MPD-W9TA", app.test_client())
    assert r.status_code == 422 and "al ingevuld" in r.get_data(as_text=True)


def test_post_without_csrf_token_is_refused(client, world, db_session):
    html = client.get(BASE).get_data(as_text=True)
    token = re.search(r'name="start_token" type="hidden" value="([^"]+)"', html).group(1)
    r = client.post(BASE, data={"start_token": token})
    assert r.status_code == 400 and "Formulier verlopen" in r.get_data(as_text=True)
    assert db_session.scalar(select(func.count(Response.id))) == 0


def test_honeypot_blocks_bots(client, world, db_session):
    html = client.get(BASE).get_data(as_text=True)
    token = re.search(r'name="start_token" type="hidden" value="([^"]+)"', html).group(1)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    r = client.post(BASE, data={"csrf_token": csrf, "start_token": token, "website": "http://spam"})
    assert r.status_code == 400
    assert db_session.scalar(select(func.count(Response.id))) == 0


def test_public_posts_are_rate_limited(app, client, world):
    app.extensions["consult.limiter"].limits["public-post"] = (3, 60)
    statuses = [client.post(BASE, data={}).status_code for _ in range(5)]
    assert statuses[:3] == [400, 400, 400] and statuses[3:] == [429, 429]


def test_closed_and_draft_surveys(client, world, db_session):
    survey = db_session.get(Survey, world.survey_id)
    survey.status = survey.status.__class__("closed")
    db_session.commit()
    html = client.get(BASE).get_data(as_text=True)
    assert "gesloten" in html and "start_token" not in html
    survey.status = survey.status.__class__("draft")
    db_session.commit()
    assert client.get(BASE).status_code == 404


def test_consultation_page_links_the_open_survey_and_privacy(client, world):
    html = client.get(f"/c/{SLUG}").get_data(as_text=True)
    assert f'href="{BASE}"' in html and "Uw privacy" in html and "Wie beslist?" in html
