"""analysis.privacy (Dutch PII masking) and analysis.extract (notes text extraction).

Kept with the web tests because the notes upload is where both are used; neither
module imports Flask."""
from __future__ import annotations

import io
import zipfile

import docx
import pytest
from pypdf import PdfWriter

from analysis.extract import ExtractionError, extract_text, sniff
from analysis.privacy import bsn_valid, detect, iban_valid, mask


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


def _docx(*paragraphs, bullets=()) -> bytes:
    d = docx.Document()
    for p in paragraphs:
        d.add_paragraph(p)
    for b in bullets:
        d.add_paragraph(b, style="List Bullet")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_extracts_docx_markdown_and_text():
    out = extract_text(_docx("Verslag", "Het vervoer is slecht.", bullets=("meer tijd", "minder regels")), "x.bin")
    assert out.kind == "docx" and out.text == "Verslag\n\nHet vervoer is slecht.\n\n- meer tijd\n- minder regels\n"
    md = extract_text(b"# Kop\n\nDit is **vet** en [een link](http://x).\n", "notes.md")
    assert md.kind == "md" and md.text == "Kop\n\nDit is vet en een link.\n"
    txt = extract_text("Caf\u00e9 in de wijk\r\n\r\n\r\n\r\nTweede alinea".encode("cp1252"), "notes.txt")
    assert txt.text == "Caf\u00e9 in de wijk\n\nTweede alinea\n"


def test_type_is_decided_by_content_not_name():
    assert sniff(b"%PDF-1.7 ...", "notes.txt") == "pdf"
    assert sniff(_docx("x"), "notes.pdf") == "docx"
    with pytest.raises(ExtractionError, match="geen tekst"):
        extract_text(b"MZ\x90\x00\x03\x00\x00\x00", "notes.txt")
    with pytest.raises(ExtractionError, match=r"\.doc"):
        extract_text(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "notes.docx")


def test_rejects_zip_bombs_encrypted_and_broken_documents():
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", b"<a>" + b"0" * (150 * 1024 * 1024) + b"</a>")
    assert len(bomb.getvalue()) < 1024 * 1024
    with pytest.raises(ExtractionError, match="veel groters"):
        extract_text(bomb.getvalue(), "bom.docx")
    not_word = io.BytesIO()
    with zipfile.ZipFile(not_word, "w") as z:
        z.writestr("readme.txt", "hallo")
    with pytest.raises(ExtractionError, match="geen Word-document"):
        extract_text(not_word.getvalue(), "x.docx")
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.encrypt("geheim")
    encrypted = io.BytesIO()
    writer.write(encrypted)
    with pytest.raises(ExtractionError, match="wachtwoord"):
        extract_text(encrypted.getvalue(), "x.pdf")
    blank = io.BytesIO()
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.write(blank)
    with pytest.raises(ExtractionError, match="scan"):
        extract_text(blank.getvalue(), "scan.pdf")
    with pytest.raises(ExtractionError, match="beschadigd"):
        extract_text(b"%PDF-1.4\n%%garbage", "x.pdf")
    with pytest.raises(ExtractionError, match="leeg"):
        extract_text(b"", "x.txt")
