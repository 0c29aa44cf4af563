"""The short resume code over HTTP: given when answers are saved (only its hash stored),
typed on the start page to continue, refused for other surveys and sent responses."""
from __future__ import annotations

import hashlib
import re

from sqlalchemy import select

from consult.models import Response
from tests.web.conftest import csrf_token
from tests.web.test_survey import BASE, post_page, start

CODE = re.compile(r'id="verdercode">([A-Z0-9-]{14})<')


def _resume(client, code: str):
    html = client.get(BASE).get_data(as_text=True)
    csrf = re.search(r'name="verder-csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    return client.post(f"{BASE}/verder", data={"verder-csrf_token": csrf, "verder-resume_code": code})


def test_saving_gives_a_short_code_that_resumes_the_response(client, world, db_session):
    page1 = start(client)
    r = post_page(client, page1, {"q_rol": "mantelzorger"}, action="save")
    assert r.status_code == 302 and r.headers["Location"].endswith("/opgeslagen")
    html = client.get(r.headers["Location"]).get_data(as_text=True)
    # the wording does not repeat "vragenlijst": "met Vragenlijst Wmo", not "de vragenlijst Vragenlijst Wmo"
    assert "de vragenlijst Vragenlijst" not in html and "met <strong>Vragenlijst Wmo</strong>" in html
    code = CODE.search(html).group(1)
    token = page1.split("/r/")[1].split("/")[0]
    assert "Verder met een code" in client.get(BASE).get_data(as_text=True)
    db_session.expire_all()
    response = db_session.scalar(select(Response).where(Response.resume_token == token))
    # only the hash is stored, never the code itself
    assert response.resume_code_hash == hashlib.sha256(code.encode()).hexdigest()
    assert code not in str(response.__dict__)
    # the code is shown once: a reload offers a new one instead
    again = client.get(r.headers["Location"]).get_data(as_text=True)
    assert CODE.search(again) is None and "Geef mij een nieuwe code" in again

    # another browser: the code, typed loosely, leads back to the saved answers
    other = client.application.test_client()
    r = _resume(other, code.lower().replace("-", " "))
    assert r.status_code == 303 and f"/r/{token}" in r.headers["Location"]
    follow = other.get(r.headers["Location"])
    assert follow.status_code == 302  # on to the first page with a missing required answer
    page = other.get(follow.headers["Location"]).get_data(as_text=True)
    assert re.search(r'<input[^>]*checked[^>]*value="mantelzorger"|<input[^>]*value="mantelzorger"[^>]*checked', page)

    # a new code replaces the old one
    saved = f"{BASE}/r/{token}/opgeslagen"
    r = client.post(saved, data={"csrf_token": csrf_token(client, saved)})
    assert r.status_code == 303
    new_code = CODE.search(client.get(saved).get_data(as_text=True)).group(1)
    assert new_code != code
    r = _resume(other, code)
    assert r.status_code == 422 and "Wij kennen deze code niet" in r.get_data(as_text=True)
    assert _resume(other, new_code).status_code == 303


def test_unknown_empty_and_sent_codes_are_refused(client, world, db_session):
    r = _resume(client, "")
    assert r.status_code == 422 and "Vul de code in" in r.get_data(as_text=True)
    r = _resume(client, "AAAA-BBBB-CCCC")
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "error-summary" in html and 'href="#verder-resume_code"' in html
    # a sent response cannot be resumed with its code
    page1 = start(client)
    base = page1.rsplit("/deel/", 1)[0]
    post_page(client, page1, {"q_rol": "inwoner"}, action="save")
    code = CODE.search(client.get(base + "/opgeslagen").get_data(as_text=True)).group(1)
    assert post_page(client, page1, {"q_rol": "inwoner"}).status_code == 302
    assert post_page(client, base + "/deel/2", {"q_beter": "Minder formulieren."}).status_code == 302
    assert post_page(client, base + "/deel/3", {"q_toestemming": "y"}).status_code == 302
    review = base + "/controleren"
    assert client.post(review, data={"csrf_token": csrf_token(client, review)}).status_code == 303
    r = _resume(client.application.test_client(), code)
    assert r.status_code == 422 and "Wij kennen deze code niet" in r.get_data(as_text=True)
