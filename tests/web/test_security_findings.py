"""Regression tests for the findings of the external security probe (issue 11, items 4-9, 11).

Each test fails on the code before the fix: open redirects through tabs and newlines,
rate limits counted twice / without Retry-After / failing closed, session cookies that
outlive a logout, survey definitions that gave a 500, public drafts, YAML alias
expansion, and the timing difference for deactivated accounts.
"""
from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from consult.models import Consultation, ConsultationStatus, User
from consult.security import RateLimiter, is_safe_next, limiter_storage_url
from surveys.definition import DefinitionError, parse_definition
from tests.conftest import make_app
from tests.web.conftest import PASSWORD, SLUG, csrf_token, login

STAFF = f"/beheer/c/{SLUG}"


# -- 4. open redirect --------------------------------------------------------------------

@pytest.mark.parametrize("target, safe", [
    ("/beheer/", True), ("/beheer/c/x/codering?status=suggested#stuk-3", True),
    ("/\t/evil.example", False), ("/\n/evil.example", False), ("/a\r\nSet-Cookie: x=1", False),
    ("//evil.example", False), ("/\\evil.example", False), ("https://evil.example/", False),
    ("/ /evil.example", False), ("", False), (None, False), ("beheer", False),
])
def test_safe_next_targets(target, safe):
    assert is_safe_next(target) is safe


def test_login_and_review_never_redirect_off_site(client, world):
    token = csrf_token(client, "/inloggen")
    for raw in ("%2F%09%2Fevil.example", "%2Fa%0D%0Ab", "%2F%5Cevil.example"):
        r = client.post(f"/inloggen?next={raw}", data={"email": "beleid@test.nl", "password": PASSWORD,
                                                       "csrf_token": token})
        assert r.status_code == 302 and r.headers["Location"] == "/beheer/", raw
        client.post("/uitloggen", data={"csrf_token": csrf_token(client, "/beheer/")})
        token = csrf_token(client, "/inloggen")
    login(client, "beleid@test.nl")
    review = f"{STAFF}/codering"
    r = client.post(f"{review}/toewijzing/{world.assignment_ids[0]}",
                    data={"csrf_token": csrf_token(client, review), "decision": "accept",
                          "next": "/\t/evil.example"})
    assert r.status_code == 303 and r.headers["Location"].startswith(review)


# -- 5. rate limits ------------------------------------------------------------------------

def test_rate_limits_fail_open_when_redis_is_down(caplog):
    down = RateLimiter({"login": (1, 300)}, "redis://127.0.0.1:1/0")
    with caplog.at_level(logging.WARNING, logger="consult.security"):
        assert down.hit("login", "x") and down.hit("login", "x")
    assert "rate limiting is off" in caplog.text


def test_public_pages_stay_up_when_the_limit_storage_is_down(db_url, tmp_path):
    app = make_app(db_url, tmp_path / "inst", RATELIMIT_STORAGE_URL="redis://127.0.0.1:1/0")
    try:
        assert app.test_client().get("/").status_code == 200
    finally:
        app.extensions["consult.engine"].dispose()


def test_default_limit_storage_is_the_shared_redis_when_it_answers():
    assert limiter_storage_url({"REDIS_URL": "redis://127.0.0.1:6379/0"}) == "redis://127.0.0.1:6379/0"
    assert limiter_storage_url({"REDIS_URL": "redis://127.0.0.1:1/0"}) == "memory://"
    assert limiter_storage_url({"REDIS_URL": "redis://127.0.0.1:6379/0",
                                "RATELIMIT_STORAGE_URL": "memory://"}) == "memory://"


def test_feedback_posts_count_once_and_429_says_when_to_retry(app, client, world):
    app.extensions["consult.limiter"].limits["public-post"] = (2, 60)
    url = f"/c/{SLUG}/terugkoppeling"
    token = csrf_token(client, url)
    for _ in range(2):
        assert client.post(url, data={"csrf_token": token, "code": "ONBEKEND"}).status_code == 422
    r = client.post(url, data={"csrf_token": token, "code": "ONBEKEND"})
    assert r.status_code == 429 and "Even wachten" in r.get_data(as_text=True)
    assert 1 <= int(r.headers["Retry-After"]) <= 60


def test_behind_a_trusted_proxy_each_resident_has_a_bucket(db_url, tmp_path):
    app = make_app(db_url, tmp_path / "inst", TRUSTED_PROXIES=1)
    try:
        app.extensions["consult.limiter"].limits["public-get"] = (2, 60)
        client = app.test_client()
        for resident in ("203.0.113.1", "203.0.113.2", "203.0.113.3"):
            for _ in range(2):
                assert client.get("/", headers={"X-Forwarded-For": resident}).status_code == 200
        assert client.get("/", headers={"X-Forwarded-For": "203.0.113.1"}).status_code == 429
    finally:
        app.extensions["consult.engine"].dispose()


# -- 6. logout ends the session ------------------------------------------------------------

def _cookie(client) -> str:
    return client.get_cookie("consult_session").value


def test_a_cookie_copied_before_logout_no_longer_opens_staff_pages(app, world):
    client = app.test_client()
    login(client, "beleid@test.nl")
    copied = _cookie(client)
    assert client.get("/beheer/").status_code == 200
    client.post("/uitloggen", data={"csrf_token": csrf_token(client, "/beheer/")})
    thief = app.test_client()
    thief.set_cookie("consult_session", copied)
    r = thief.get("/beheer/")
    assert r.status_code == 302 and "/inloggen" in r.headers["Location"]


@pytest.mark.parametrize("change", ["password", "deactivate"])
def test_new_password_or_deactivation_ends_existing_sessions(app, world, db_session, change):
    client = app.test_client()
    login(client, "gesprek@test.nl")
    assert client.get("/beheer/").status_code == 200
    user = db_session.scalar(select(User).where(User.email == "gesprek@test.nl"))
    if change == "password":
        user.set_password("een heel nieuw wachtwoord")
    else:
        user.active = False
    db_session.commit()
    r = client.get("/beheer/")
    assert r.status_code == 302 and "/inloggen" in r.headers["Location"]


# -- 7. survey definitions: Dutch messages instead of a 500 ------------------------------

_BASE = "slug: t\ntitle: T\nsections:\n  - title: A\n    questions:\n"
_Q = "      - {key: a, type: text_short, label: L}\n"


@pytest.mark.parametrize("text, words", [
    (_BASE + "      - {key: a, type: text_short, label: L, max_length: veel}\n", "max_length"),
    (_BASE + "      - {key: a, type: scale, label: L, labels: [a, b]}\n", "labels"),
    (_BASE + _Q + "      - {key: b, type: text_short, label: M, condition: {question: [a], equals: x}}\n",
     "voorwaarde"),
    (_BASE.replace("slug: t", "slug: " + "a" * 81) + _Q, "slug"),
    (_BASE.replace("title: T", "title: " + "T" * 301) + _Q, "title"),
    (_BASE + "      - {key: a, type: text_short, label: L, help: 2019-05-01}\n", "datum"),
    (_BASE.replace("slug: t", "slug: 'a/b c'") + _Q, "slug"),
])
def test_definition_errors_are_dutch_messages(text, words):
    with pytest.raises(DefinitionError, match=words):
        parse_definition(text)


def test_definition_errors_reach_the_import_page_not_a_500(client, world):
    login(client, "beleid@test.nl")
    url = f"{STAFF}/vragenlijsten/nieuw"
    for text in (_BASE + "      - {key: a, type: text_short, label: L, help: 2019-05-01}\n",
                 _BASE.replace("slug: t", "slug: 'a/b c'") + _Q):
        r = client.post(url, data={"csrf_token": csrf_token(client, url), "definition": text})
        assert r.status_code == 422 and "De definitie klopt niet" in r.get_data(as_text=True)


def test_scale_labels_given_with_numbers_still_work():
    d = parse_definition(_BASE + "      - {key: s, type: scale, label: L, labels: {1: Slecht, 5: Goed}}\n")
    assert d.questions[0].options["labels"] == {"1": "Slecht", "5": "Goed"}


# -- 8. drafts are not public ------------------------------------------------------------

def test_draft_consultations_are_hidden_from_the_public(app, client, world, db_session):
    c = db_session.scalar(select(Consultation).where(Consultation.slug == SLUG))
    c.status = ConsultationStatus.DRAFT
    db_session.commit()
    for path in (f"/c/{SLUG}", f"/c/{SLUG}/v/wmo-vragen", f"/c/{SLUG}/terugkoppeling"):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/c/{SLUG}/v/wmo-vragen", data={}).status_code in (400, 404)
    login(client, "beleid@test.nl")  # a member may preview it
    assert client.get(f"/c/{SLUG}").status_code == 200
    other = app.test_client()
    login(other, "ander@test.nl")  # staff without access may not
    assert other.get(f"/c/{SLUG}").status_code == 404


# -- 9. YAML alias expansion ---------------------------------------------------------------

def test_yaml_aliases_cannot_blow_up_a_definition():
    rows = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi"):
        rows.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    text = "\n".join(rows) + "\nslug: x\ntitle: y\nsections: [*i]\n"
    assert len(text) < 700
    with pytest.raises(DefinitionError, match="te groot"):
        parse_definition(text)
    many = "x: &x 1\n" + "".join(f"k{i}: *x\n" for i in range(150)) + "slug: s\ntitle: t\nsections: []\n"
    with pytest.raises(DefinitionError, match="verwijzingen"):
        parse_definition(many)


# -- 11. deactivated accounts cost the same password check -------------------------------

def test_deactivated_accounts_are_checked_like_active_ones(client, world, db_session, monkeypatch):
    user = db_session.scalar(select(User).where(User.email == "gesprek@test.nl"))
    user.active = False
    db_session.commit()
    calls = []
    original = User.check_password
    monkeypatch.setattr(User, "check_password", lambda self, pw: calls.append(self.email) or original(self, pw))
    token = csrf_token(client, "/inloggen")
    r = client.post("/inloggen", data={"email": "gesprek@test.nl", "password": "niet het wachtwoord",
                                       "csrf_token": token})
    assert r.status_code == 401 and calls == ["gesprek@test.nl"]
    r = client.post("/inloggen", data={"email": "gesprek@test.nl", "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 401  # the right password does not open a deactivated account
