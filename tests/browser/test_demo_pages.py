"""The Deventer demo's public pages in headless Chromium: axe-core finds no WCAG 2 A/AA
violations on pages full of real content (meetings table, findings, advice and reactions)."""
from __future__ import annotations

import pytest

from consult.db import session_scope
from consult.demo import DEMO_SLUG
from tests.browser.conftest import run_axe, shot
from tests.conftest import SCHEMA, FreshDatabase, LiveServer, make_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    from consult.demo import build_demo

    tmp = tmp_path_factory.mktemp("demo-axe")
    db = FreshDatabase("sqlite", tmp)
    SCHEMA.apply(db)
    app = make_app(db.url, tmp / "instance", RATELIMIT_ENABLED=False)
    with session_scope(app.extensions["consult.sessions"]) as s:
        build_demo(s)
    server = LiveServer(app)
    yield server
    server.stop()
    app.extensions["consult.engine"].dispose()


@pytest.mark.parametrize("path", ["/", f"/c/{DEMO_SLUG}", f"/c/{DEMO_SLUG}/v/wmo-in-uw-wijk"])
def test_demo_public_pages_have_no_axe_violations(demo_server, fresh_browser, axe_source, screenshots, path):
    d = fresh_browser
    d.get(demo_server.url + path)
    assert run_axe(d, axe_source) == []
    if path == f"/c/{DEMO_SLUG}":
        shot(d, screenshots / "consultation.png")
