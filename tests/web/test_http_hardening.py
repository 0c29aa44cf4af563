"""Request-level hardening: body limits from the setting, Dutch error pages, NUL bytes,
trusted proxies."""
from __future__ import annotations

import io

import pytest

from tests.conftest import make_app
from tests.web.conftest import PASSWORD, SLUG, build_world, csrf_token, login

STAFF_PREFIX = f"/beheer/c/{SLUG}"


@pytest.fixture
def small_upload_app(db_url, tmp_path):
    from consult.db import session_scope

    app = make_app(db_url, tmp_path / "instance", MAX_UPLOAD_MB=1, RATELIMIT_ENABLED=False)
    with session_scope(app.extensions["consult.sessions"]) as s:
        app.config["WORLD"] = build_world(s)
    yield app
    app.extensions["consult.engine"].dispose()


def test_upload_limit_comes_from_the_setting(small_upload_app):
    """CONSULT_MAX_UPLOAD_MB limits uploads without anyone setting MAX_CONTENT_LENGTH by hand."""
    app = small_upload_app
    assert app.config["MAX_CONTENT_LENGTH"] == 1024 * 1024
    world = app.config["WORLD"]
    client = app.test_client()
    login(client, "gesprek@test.nl")
    meeting_url = f"{STAFF_PREFIX}/bijeenkomsten/{world.meeting_id}"
    token = csrf_token(client, meeting_url)
    r = client.post(f"{meeting_url}/verslag", data={"csrf_token": token,
                                                    "file": (io.BytesIO(b"x" * (2 * 1024 * 1024)), "groot.txt")},
                    content_type="multipart/form-data")
    html = r.get_data(as_text=True)
    assert r.status_code == 413 and "te groot" in html and "maximaal 1 MB" in html
    # a small one still goes through
    r = client.post(f"{meeting_url}/verslag", data={"csrf_token": token,
                                                    "file": (io.BytesIO(b"Tafel 1\nGoede hulp.\n"), "klein.txt")},
                    content_type="multipart/form-data")
    assert r.status_code == 302


def test_anonymous_bodies_are_capped_well_below_the_upload_limit(client, world):
    from consult.http import PUBLIC_MAX_BYTES

    r = client.post("/inloggen", data={"email": "a" * (PUBLIC_MAX_BYTES + 10), "password": "x"})
    assert r.status_code == 413 and "te groot" in r.get_data(as_text=True)


@pytest.mark.parametrize("method, path, status, words", [
    ("put", "/inloggen", 405, "Dit kan niet op deze pagina"),
    ("delete", "/", 405, "Dit kan niet op deze pagina"),
])
def test_dutch_pages_for_other_errors(client, world, method, path, status, words):
    r = getattr(client, method)(path)
    html = r.get_data(as_text=True)
    assert r.status_code == status and words in html and "Method Not Allowed" not in html
    assert '<html lang="nl"' in html


def test_bad_request_and_server_error_pages_are_dutch(app, client, world):
    from flask import abort

    @app.get("/_test/kapot")
    def _broken():
        raise RuntimeError("boom")

    @app.get("/_test/fout")
    def _bad():
        abort(400)

    app.testing = False  # let the 500 handler answer instead of re-raising
    app.config["PROPAGATE_EXCEPTIONS"] = False
    r = client.get("/_test/kapot")
    assert r.status_code == 500 and "Er ging iets mis" in r.get_data(as_text=True)
    assert "Internal Server Error" not in r.get_data(as_text=True)
    r = client.get("/_test/fout")
    assert r.status_code == 400 and "kon niet worden verwerkt" in r.get_data(as_text=True)
    assert "Bad Request" not in r.get_data(as_text=True)


def test_nul_bytes_are_removed_from_forms_and_queries(app, client, world, db_session):
    r = client.post("/inloggen", data={"email": "ges\x00prek@test.nl", "password": "fout\x00wachtwoord",
                                       "csrf_token": csrf_token(client, "/inloggen")})
    assert r.status_code == 401 and "Er ging iets mis" not in r.get_data(as_text=True)
    r = client.post("/inloggen", data={"email": "beleid@test.nl\x00", "password": PASSWORD,
                                       "csrf_token": csrf_token(client, "/inloggen")})
    assert r.status_code == 302
    r = client.get(f"{STAFF_PREFIX}/codering?q=mantel%00zorg")
    assert r.status_code == 200
    with app.test_request_context("/?q=a%00b", method="POST", data={"tekst": "ja\x00nee"}):
        from flask import request

        assert request.args["q"] == "ab" and request.form["tekst"] == "janee"


def test_trusted_proxy_setting_gives_the_client_address(db_url, tmp_path):
    seen = []
    for proxies in (0, 1):
        app = make_app(db_url, tmp_path / f"inst{proxies}", TRUSTED_PROXIES=proxies)

        @app.get("/_test/adres")
        def _address():
            from flask import request

            seen.append(request.remote_addr)
            return "ok"

        app.test_client().get("/_test/adres", headers={"X-Forwarded-For": "203.0.113.7"},
                              environ_base={"REMOTE_ADDR": "10.0.0.1"})
        app.extensions["consult.engine"].dispose()
    assert seen == ["10.0.0.1", "203.0.113.7"]


def test_invalid_numbers_in_settings_are_config_errors(tmp_path, monkeypatch):
    from consult.config import ConfigError, build_config

    for name, value in (("TRUSTED_PROXIES", "-1"), ("MAX_UPLOAD_MB", "0"), ("MAX_UPLOAD_MB", "veel")):
        monkeypatch.setenv(f"CONSULT_{name}", value)
        with pytest.raises(ConfigError, match=f"CONSULT_{name}"):
            build_config({"INSTANCE_PATH": str(tmp_path / "inst")})
        monkeypatch.delenv(f"CONSULT_{name}")
