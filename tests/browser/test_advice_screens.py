"""The advice register in headless Chromium: a policy writer registers an advice and the
college's reaction, opens "Waarom dit voorstel?" on a proposed link and sees the reference,
the shared words and the order; axe-core finds no WCAG 2 A/AA violations."""
from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from tests.browser.conftest import navigates, run_axe, shot
from tests.browser.test_staff_screens import log_in
from tests.web.conftest import SLUG

pytestmark = pytest.mark.browser

ADVICE = """Geachte college,

Hierbij ons advies over de nota Preventie.

1. Meet de resultaten van preventie ook per wijk.
2. Zorg voor meer respijtzorg voor mantelzorgers in de kleine kernen.
3. Noem jongeren uitdrukkelijk als doelgroep in de nota.
4. Verhoog de vergoeding voor vrijwilligers in de buurthuizen.

Met vriendelijke groet,
de adviesraad
"""

REACTION = """Beste adviesraad,

Wij danken u voor uw advies over de nota Preventie.

Ad 1. Wij nemen dit advies over. De monitor laat de cijfers per wijk zien.

De respijtzorg voor mantelzorgers in de kernen wordt uitgebreid; er zijn twee pilots gestart.

Ad 3. In de uitvoeringsagenda krijgen jongeren een eigen paragraaf.

De bovengenoemde adviezen worden zeer serieus genomen.
"""


def test_advice_register_explains_proposals(server, fresh_browser, screenshots, axe_source):
    d = fresh_browser
    log_in(d, server.url, "beleid@test.nl")
    d.get(server.url + f"/beheer/c/{SLUG}/advies/nieuw")
    d.find_element(By.ID, "advisory_body").send_keys("Adviesraad Sociaal Domein")
    d.find_element(By.ID, "subject").send_keys("Nota Preventie")
    d.find_element(By.ID, "letter_text").send_keys(ADVICE)
    navigates(d, d.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click)
    assert "Nota Preventie" in d.find_element(By.TAG_NAME, "h1").text

    d.find_element(By.ID, "letter_text").send_keys(REACTION)
    navigates(d, d.find_element(By.CSS_SELECTOR, "form[action$='/reactie#reactie'] button[type=submit]").click)
    notice = d.find_element(By.CSS_SELECTOR, ".notice-error").text
    assert "geen specifiek antwoord" in notice and "punt 4" in notice and "algemeen beantwoord" in notice

    summaries = d.find_elements(By.CSS_SELECTOR, "details.why summary")
    assert len(summaries) == 3
    for s in summaries:
        s.click()
    why = [el.text for el in d.find_elements(By.CSS_SELECTOR, "details.why")]
    assert any("De reactie noemt het punt zelf: ‘Ad 1’" in w for w in why)
    assert any("Dezelfde woorden in punt en alinea:" in w and "respijtzorg" in w for w in why)
    assert any("Volgorde: de alinea staat na de reactie op punt 1 en vóór die op punt 3" in w for w in why)
    assert any("signaal: starten" in w or "signaal: uitbreiden" in w for w in why)
    shot(d, screenshots / "advice-why.png")
    assert run_axe(d, axe_source) == []

    # the point page of a link explains it too
    navigates(d, d.find_element(By.LINK_TEXT, "Punt 2").click)
    d.find_element(By.CSS_SELECTOR, "details.why summary").click()
    assert "Volgorde" in d.find_element(By.CSS_SELECTOR, "details.why").text
    assert run_axe(d, axe_source) == []
