"""Residents on a 360 px phone and on a desktop (issue 17): the consultation page's call to
action and meetings table, the privacy statement at the consent question, scale questions,
saving with a short resume code, the receipt page, and the order of the form buttons.
Every page is checked with axe-core; the README's screenshots are made here."""
from __future__ import annotations

import re

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from consult.db import session_scope
from consult.models import Organisation
from tests.browser.conftest import navigates, run_axe, shot
from tests.web.conftest import SLUG

pytestmark = pytest.mark.browser

SURVEY = f"/c/{SLUG}/v/wmo-vragen"
SIZES = [pytest.param(360, id="phone"), pytest.param(1280, id="desktop")]


def sized(d, width: int) -> None:
    d.set_window_size(width, 800)
    assert d.execute_script("return window.innerWidth") <= width


def no_axe_violations(d, axe_source, where: str) -> None:
    violations = run_axe(d, axe_source)
    assert violations == [], f"{where}: {violations}"


def no_horizontal_scroll(d, where: str) -> None:
    overflow = d.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{where}: {overflow}px too wide"


def rect(d, el) -> dict:
    return d.execute_script("var r = arguments[0].getBoundingClientRect();"
                            "return {top: r.top + window.scrollY, left: r.left, right: r.right, height: r.height};", el)


def lines(d, el) -> int:
    """How many lines the text of ``el`` takes."""
    return d.execute_script(
        "var s = getComputedStyle(arguments[0]); var lh = parseFloat(s.lineHeight) || parseFloat(s.fontSize) * 1.2;"
        "return Math.round(arguments[0].getBoundingClientRect().height / lh);", el)


def start_survey(d, server) -> None:
    d.get(server.url + SURVEY)
    navigates(d, d.find_element(By.CSS_SELECTOR, "form button").click)


def next_page(d) -> None:
    navigates(d, d.find_element(By.CSS_SELECTOR, "button[value=next]").click)


def fill_to_last_page(d) -> None:
    d.find_element(By.CSS_SELECTOR, "input[name=q_rol][value=inwoner]").click()
    next_page(d)
    d.find_element(By.ID, "q_beter").send_keys("Minder formulieren en een vast aanspreekpunt.")
    d.find_element(By.CSS_SELECTOR, "input[name=q_tevreden][value='4']").click()
    next_page(d)


@pytest.fixture(scope="module")
def with_privacy_url(web_app):
    with session_scope(web_app.extensions["consult.sessions"]) as s:
        org = s.query(Organisation).one()
        org.privacy_url = "/privacyverklaring-van-de-gemeente"
        org.accessibility_url = "https://www.example.nl/toegankelijkheid"
        org.contact_url = "/contact"
    yield


def copied_message(d, timeout: float = 10) -> str:
    """The copy button's message, once the Clipboard API's promise has settled (the page
    writes it asynchronously: read at once, it can still be empty on a busy machine)."""
    from selenium.webdriver.support.ui import WebDriverWait
    WebDriverWait(d, timeout).until(lambda drv: drv.find_element(By.CSS_SELECTOR, ".copy-done").text)
    return d.find_element(By.CSS_SELECTOR, ".copy-done").text


@pytest.mark.parametrize("width", SIZES)
def test_header_and_footer_name_the_municipality_and_link_its_statements(server, fresh_browser, axe_source,
                                                                         with_privacy_url, width):
    d = fresh_browser
    sized(d, width)
    d.get(server.url + f"/c/{SLUG}")
    assert d.find_element(By.CSS_SELECTOR, ".site-header .site-name").text == "Gemeente Deventer"
    assert d.title == "Wmo in Deventer – Gemeente Deventer"  # the municipality, not "Consult"
    footer = d.find_element(By.CSS_SELECTOR, ".site-footer")
    links = {a.text: a.get_attribute("href") for a in footer.find_elements(By.CSS_SELECTOR, ".footer-links a")}
    assert links["Privacyverklaring"].endswith("/privacyverklaring-van-de-gemeente")
    assert links["Toegankelijkheidsverklaring"] == "https://www.example.nl/toegankelijkheid"
    assert links["Contact"].endswith("/contact")
    no_horizontal_scroll(d, "consultation page with footer links")
    no_axe_violations(d, axe_source, f"header and footer at {width}px")


@pytest.mark.parametrize("width", SIZES)
def test_consultation_page_call_to_action_and_meetings(server, fresh_browser, axe_source, screenshots, width):
    d = fresh_browser
    sized(d, width)
    d.get(server.url + f"/c/{SLUG}")
    button = d.find_element(By.CSS_SELECTOR, "#meedoen ~ p a.button")
    # the call to action is on the first screen, and in no bulleted list
    assert rect(d, button)["top"] + rect(d, button)["height"] < d.execute_script("return window.innerHeight")
    assert d.execute_script("return arguments[0].closest('ul, ol')", button) is None
    assert button.text == "Vragenlijst Wmo"
    table = d.find_element(By.CSS_SELECTOR, "table.stack-table")
    assert table.find_element(By.TAG_NAME, "caption").text == "Bijeenkomsten (1)"
    cells = table.find_elements(By.CSS_SELECTOR, "tbody tr > *")
    assert [c.text.split(": ")[-1] for c in cells][:2] == ["Wijkbijeenkomst Bathmen", "Wijkbijeenkomst"]
    inner = d.execute_script("return window.innerWidth")
    for cell in cells:  # every column can be read without scrolling sideways
        assert cell.is_displayed() and rect(d, cell)["right"] <= inner, cell.text
    before = d.execute_script("return getComputedStyle(arguments[0], '::before').content", cells[1])
    if width == 360:  # stacked: each value says which column it is
        assert before == '"Soort: "' and len({round(rect(d, c)["left"]) for c in cells}) == 1
    else:  # a normal table: one row, header row visible
        assert before in ("none", "normal") and len({round(rect(d, c)["top"]) for c in cells}) == 1
        assert table.find_element(By.TAG_NAME, "thead").is_displayed()
    no_horizontal_scroll(d, "consultation page")
    no_axe_violations(d, axe_source, f"consultation page at {width}px")
    if width == 360:
        shot(d, screenshots / "consultation-phone.png")
        d.execute_script("document.getElementById('opgehaald').scrollIntoView()")
        d.save_screenshot(str(screenshots / "consultation-meetings-phone.png"))


@pytest.mark.parametrize("width", SIZES)
def test_consent_opens_the_privacy_statement_without_losing_answers(server, fresh_browser, axe_source, screenshots,
                                                                    with_privacy_url, width):
    d = fresh_browser
    sized(d, width)
    start_survey(d, server)
    fill_to_last_page(d)
    url = d.current_url
    consent = d.find_element(By.ID, "q_toestemming")
    consent.click()
    details = d.find_element(By.CSS_SELECTOR, "details.consent-privacy")
    statement = details.find_element(By.XPATH, ".//p[contains(., 'Wij bewaren geen namen.')]")
    assert not statement.is_displayed()
    details.find_element(By.TAG_NAME, "summary").click()
    assert statement.is_displayed() and d.current_url == url and consent.is_selected()
    full = details.find_element(By.PARTIAL_LINK_TEXT, "volledige privacyverklaring")
    assert full.get_attribute("target") == "_blank" and "nieuw tabblad" in full.text
    assert full.get_attribute("href").endswith("/privacyverklaring-van-de-gemeente")
    no_axe_violations(d, axe_source, f"consent with privacy statement at {width}px")
    if width == 360:
        d.execute_script("document.getElementById('vraag-toestemming').scrollIntoView()")
        d.save_screenshot(str(screenshots / "survey-consent-privacy.png"))
    next_page(d)
    assert d.find_element(By.TAG_NAME, "h1").text == "Controleer uw antwoorden"
    review = d.find_element(By.CSS_SELECTOR, "main").text
    assert "Minder formulieren en een vast aanspreekpunt." in review and "Ja" in review


@pytest.mark.parametrize("width", SIZES)
def test_scale_question_one_column_on_a_phone_one_row_on_a_desktop(server, fresh_browser, axe_source, screenshots,
                                                                   width):
    d = fresh_browser
    sized(d, width)
    start_survey(d, server)
    d.find_element(By.CSS_SELECTOR, "input[name=q_rol][value=inwoner]").click()
    next_page(d)
    choices = d.find_elements(By.CSS_SELECTOR, "#vraag-tevreden .choice")
    assert len(choices) == 5
    boxes = [rect(d, c) for c in choices]
    if width == 360:  # one column: same left edge, each below the one before
        assert len({round(b["left"]) for b in boxes}) == 1
        assert all(a["top"] < b["top"] for a, b in zip(boxes, boxes[1:]))
    else:  # one row
        assert len({round(b["top"]) for b in boxes}) == 1
        assert all(a["right"] <= b["left"] for a, b in zip(boxes, boxes[1:]))
    inner = d.execute_script("return window.innerWidth")
    for c in (choices[0], choices[-1]):  # the end labels are whole and on the screen
        label = c.find_element(By.TAG_NAME, "label")
        assert label.text in ("1 – Heel ontevreden", "5 – Heel tevreden")
        assert rect(d, label)["right"] <= inner and lines(d, label) == 1
    no_horizontal_scroll(d, "scale question")
    no_axe_violations(d, axe_source, f"survey page 2 at {width}px")
    if width == 360:
        d.execute_script("document.getElementById('vraag-tevreden').scrollIntoView()")
        d.save_screenshot(str(screenshots / "survey-scale-phone.png"))


@pytest.mark.parametrize("width", SIZES)
def test_form_buttons_primary_first_and_enter_goes_forward(server, fresh_browser, width):
    d = fresh_browser
    sized(d, width)
    start_survey(d, server)
    d.find_element(By.CSS_SELECTOR, "input[name=q_rol][value=inwoner]").click()
    next_page(d)
    buttons = d.find_elements(By.CSS_SELECTOR, "form.survey-form button[type=submit]")
    assert [b.get_attribute("value") for b in buttons] == ["next", "back", "save"]
    nxt, back, save = (rect(d, b) for b in buttons)
    assert nxt["top"] <= back["top"] and (nxt["right"] <= back["left"] or nxt["top"] < back["top"])
    assert save["top"] > max(nxt["top"], back["top"])  # saving for later is apart, below
    assert "button-secondary" not in buttons[0].get_attribute("class") and "button-secondary" in buttons[1].get_attribute("class")
    # Enter in a field is the primary button: on to part 3, not back to part 1
    field = d.find_element(By.ID, "q_beter")
    field.send_keys("Meer hulp dichtbij huis.")
    d.find_element(By.ID, "q_belangrijk__other").send_keys("")
    navigates(d, lambda: d.find_element(By.ID, "q_belangrijk__other").send_keys(Keys.ENTER))
    assert "Deel 3 van 3" in d.find_element(By.TAG_NAME, "h1").text


@pytest.mark.parametrize("width", SIZES)
def test_saving_gives_a_short_code_that_continues_elsewhere(server, fresh_browser, axe_source, screenshots, width):
    d = fresh_browser
    sized(d, width)
    start_survey(d, server)
    d.find_element(By.CSS_SELECTOR, "input[name=q_rol][value=mantelzorger]").click()
    navigates(d, d.find_element(By.CSS_SELECTOR, "button[value=save]").click)
    main = d.find_element(By.TAG_NAME, "main").text
    assert "de vragenlijst Vragenlijst" not in main and "verder gaan met Vragenlijst Wmo" in main
    code_el = d.find_element(By.ID, "verdercode")
    code = code_el.text
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", code)
    assert lines(d, code_el) == 1 and rect(d, code_el)["right"] <= d.execute_script("return window.innerWidth")
    copy = d.find_element(By.CSS_SELECTOR, "button[data-copy=verdercode]")
    assert copy.is_displayed()
    copy.click()
    assert copied_message(d) == "De code is gekopieerd."
    no_axe_violations(d, axe_source, f"saved page at {width}px")
    if width == 360:
        shot(d, screenshots / "survey-saved-code.png")

    # on another device (no cookies): the start page takes the code, typed loosely
    d.delete_all_cookies()
    d.get(server.url + SURVEY)
    d.find_element(By.ID, "verder-resume_code").send_keys("abcd efgh")
    navigates(d, d.find_element(By.CSS_SELECTOR, ".resume-with-code button").click)
    assert "Wij kennen deze code niet" in d.find_element(By.CSS_SELECTOR, ".error-summary").text
    no_axe_violations(d, axe_source, f"start page with a wrong resume code at {width}px")
    field = d.find_element(By.ID, "verder-resume_code")
    field.clear()
    field.send_keys(code.lower().replace("-", " "))
    navigates(d, d.find_element(By.CSS_SELECTOR, ".resume-with-code button").click)
    assert "Deel 1 van 3" in d.find_element(By.TAG_NAME, "h1").text
    assert d.find_element(By.CSS_SELECTOR, "input[name=q_rol][value=mantelzorger]").is_selected()


@pytest.mark.parametrize("width", SIZES)
def test_receipt_code_on_one_line_with_copy_and_feedback_with_the_code(server, fresh_browser, axe_source,
                                                                       screenshots, width):
    d = fresh_browser
    sized(d, width)
    start_survey(d, server)
    fill_to_last_page(d)
    d.find_element(By.ID, "q_toestemming").click()
    next_page(d)
    navigates(d, d.find_element(By.CSS_SELECTOR, "main form button").click)
    code_el = d.find_element(By.ID, "ontvangstcode")
    code = code_el.text
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", code)
    assert lines(d, code_el) == 1 and rect(d, code_el)["right"] <= d.execute_script("return window.innerWidth")
    main = d.find_element(By.TAG_NAME, "main").text
    assert "Op deze pagina leest u" not in main and "Wat gebeurt er nu?" in main
    d.find_element(By.CSS_SELECTOR, "button[data-copy=ontvangstcode]").click()
    assert copied_message(d) == "De code is gekopieerd."
    no_horizontal_scroll(d, "receipt page")
    no_axe_violations(d, axe_source, f"receipt page at {width}px")
    if width == 360:
        shot(d, screenshots / "survey-receipt-phone.png")
    # the way to the feedback page carries the code (posted, never in the address)
    navigates(d, d.find_element(By.CSS_SELECTOR, "form.feedback-with-code button").click)
    assert code not in d.current_url and "/terugkoppeling" in d.current_url
    assert d.find_element(By.ID, "code").get_attribute("value") == code
    assert "Wij hebben uw antwoorden gevonden" in d.find_element(By.ID, "uw-inbreng").find_element(By.XPATH, "..").text
    no_axe_violations(d, axe_source, f"feedback page with the code at {width}px")
