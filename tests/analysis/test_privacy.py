"""analysis.privacy: detecting and masking Dutch personal data."""
from __future__ import annotations

import pytest

from analysis.privacy import CONTACT, bsn_valid, contains_personal_data, detect, iban_valid, mask, scrub


@pytest.mark.parametrize("text,expected", [
    ("Mevrouw Jansen (06-12345678) woont op de Kerkstraat 12.",
     "Mevrouw [naam] ([telefoonnummer]) woont op de [adres]."),
    ("Bel 0570-123456 of mail piet.devries@gmail.com.", "Bel [telefoonnummer] of mail [e-mailadres]."),
    ("Of bel +31 6 12345678 of (0570) 693911.", "Of bel [telefoonnummer] of [telefoonnummer]."),
    ("Mijn BSN is 111222333, rekening NL91 ABNA 0417 1643 00.", "Mijn BSN is [BSN], rekening [IBAN]."),
    ("Meneer Van der Berg uit 7411 AB Deventer.", "Meneer [naam] uit [postcode] Deventer."),
    ("Ik ben Fatima en zorg voor mijn moeder.", "Ik ben [naam] en zorg voor mijn moeder."),
    ("Dhr. P. Bakker was het eens.", "Dhr. [naam] was het eens."),
    ("Jan de Vries woont aan de Burgemeester Van Sonsbeeckstraat 3a.", "[naam] woont aan de [adres]."),
])
def test_masks_dutch_personal_data(text, expected):
    assert mask(text) == expected


@pytest.mark.parametrize("text", [
    "De Wmo-consulent kwam pas na 6 weken. In 2019 waren er 250 deelnemers.",
    "Het kost 123456789 euro.",             # not a valid BSN (11-proof fails)
    "Op 12-03-2019 om 19.30 uur, 2 tot 3 keer per week.",
    "Het buurthuis aan de Brink is fijn. Het college van B&W beslist.",
])
def test_leaves_ordinary_text_alone(text):
    assert mask(text) == text


def test_checksums_and_long_text():
    assert bsn_valid("111222333") and not bsn_valid("123456789")
    assert iban_valid("NL91ABNA0417164300") and not iban_valid("NL91ABNA0417164301")
    assert "[IBAN]" not in mask("Rekening NL91 ABNA 0417 1643 01.")  # wrong checksum
    text = "Mevrouw Jansen belde 06-12345678 over de Kerkstraat 12 in 7411 AB. " * 2000
    # speed is measured in benchmarks/masking_speed.py, not asserted here
    assert len(detect(text)) == 8000

def test_contact_details_for_exports():
    """Exports check only contact details (e-mail, phone), with the same detectors."""
    text = "Mevrouw Jansen: 06-12345678, p.smit@voorbeeld.nl, Kerkstraat 12. Nota 2019-002451 van 12-03-2019."
    assert {s.kind for s in detect(text, CONTACT)} == {"phone", "email"}
    assert scrub(text) == ("Mevrouw Jansen: [verwijderd], [verwijderd], Kerkstraat 12. "
                           "Nota 2019-002451 van 12-03-2019.")
    assert contains_personal_data(text) and not contains_personal_data(scrub(text))
    assert contains_personal_data("Mevrouw Jansen", kinds=None) and not contains_personal_data("Mevrouw Jansen")
    # a kind that is not asked for never hides one that is
    assert detect("Kerkstraat 0612345678", {"phone"})[0].text == "0612345678"
    assert scrub(None) == "" and scrub("") == ""
