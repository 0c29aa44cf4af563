"""Browser fixtures: one small consultation (SQLite) served live per module, axe-core."""
from __future__ import annotations

from pathlib import Path

import pytest

from consult.db import session_scope
from tests.conftest import SCHEMA, FreshDatabase, LiveServer, make_app
from tests.web.conftest import build_world

import os

# Screenshots go to tests/artifacts; CONSULT_UPDATE_SCREENSHOTS=1 refreshes the README's ones.
SCREENSHOTS = (Path(__file__).resolve().parents[2] / "docs" / "screenshots"
               if os.environ.get("CONSULT_UPDATE_SCREENSHOTS") == "1"
               else Path(__file__).resolve().parents[1] / "artifacts" / "screenshots")


@pytest.fixture(scope="module")
def web_app(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("browser")
    db = FreshDatabase("sqlite", tmp)
    SCHEMA.apply(db)
    app = make_app(db.url, tmp / "instance", RATELIMIT_ENABLED=False)
    with session_scope(app.extensions["consult.sessions"]) as s:
        app.config["WORLD"] = build_world(s)
    yield app
    app.extensions["consult.engine"].dispose()


@pytest.fixture(scope="module")
def server(web_app):
    s = LiveServer(web_app)
    yield s
    s.stop()


@pytest.fixture
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture(scope="session")
def axe_source() -> str:
    import axe_selenium_python

    path = Path(axe_selenium_python.__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
    return path.read_text(encoding="utf-8")


@pytest.fixture
def fresh_browser(browser):
    """The shared browser with no cookies and a normal window."""
    browser.delete_all_cookies()
    browser.set_window_size(1280, 1024)
    yield browser
    browser.delete_all_cookies()
    browser.set_window_size(1280, 1024)


def run_axe(driver, axe_source: str) -> list[dict]:
    """Violations of WCAG 2.0/2.1 A and AA on the current page."""
    driver.execute_script(axe_source)
    driver.set_script_timeout(30)
    result = driver.execute_async_script(
        "var done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}})"
        ".then(function (r) { done(r.violations); }, function (e) { done([{id: 'axe-error', help: String(e), nodes: []}]); });")
    return [{"id": v["id"], "help": v["help"], "nodes": [n.get("target") for n in v.get("nodes", [])][:3]}
            for v in result]


def shot(driver, path: Path) -> None:
    """A screenshot of the top of the page (focus may have scrolled it)."""
    driver.execute_script("window.scrollTo(0, 0)")
    driver.save_screenshot(str(path))


def navigates(driver, action, timeout: float = 30) -> None:
    """Run ``action`` and wait until the browser left the current page and loaded the next."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    old = driver.find_element(By.TAG_NAME, "html")
    action()

    def left(_driver) -> bool:
        try:
            old.is_enabled()
            return False
        except WebDriverException:  # stale, or "node does not belong to the document"
            return True

    WebDriverWait(driver, timeout).until(left)
    WebDriverWait(driver, timeout).until(
        lambda d: d.execute_script("return document.readyState") == "complete")
