"""Document text normalisation with offsets back to the original."""
import re

import pytest

from analysis.nlp.normalise import normalise


def _check_offsets(original, n):
    """Every kept letter/digit maps to the same character in the original,
    spans are ordered, and every word maps to a source span that starts with
    the word's first character and contains its letters in order."""
    last = 0
    for i, ch in enumerate(n.text):
        s, e = n.to_original(i, i + 1)
        assert 0 <= s <= e <= len(original)
        assert s >= last - 50  # monotone up to replacements of whole matches
        last = s
        if ch.isalnum():
            assert original[s:e] == ch, (i, ch, original[s:e])
    for m in re.finditer(r"\S+", n.text):
        s, e = n.to_original(m.start(), m.end())
        src = original[s:e]
        word = re.sub(r"[\W_]", "", m.group())
        # the word's letters/digits appear, in order, in the source span
        # (removed material such as hyphens or a page header may sit between)
        it = iter(src)
        assert all(ch in it for ch in word), (m.group(), src)
        assert src[:1] == m.group()[:1] or not m.group()[:1].isalnum()


def test_hyphenation_across_lines_is_joined():
    original = "Wij kun-\n  nen de on-\nder-\nsteuning regelen."
    n = normalise(original)
    assert n.text == "Wij kunnen de ondersteuning regelen."
    start = n.text.index("kunnen")
    assert original.__getitem__(slice(*n.to_original(start, start + 6))) == "kun-\n  nen"
    start = n.text.index("ondersteuning")
    assert original.__getitem__(slice(*n.to_original(start, start + 13))) == "on-\nder-\nsteuning"
    _check_offsets(original, n)


@pytest.mark.parametrize("original, expected", [
    ("de Wmo-\nvoorziening", "de Wmo-voorziening"),          # abbreviation keeps its hyphen
    ("zorg-\nen welzijn", "zorg- en welzijn"),                # elliptical compound
    ("de zee-\negel", "de zee-egel"),                         # vowel clash keeps hyphen
    ("de gemeente12 zegt", "de gemeente zegt"),               # footnote digits
    ("de gemeente¹² zegt", "de gemeente zegt"),               # superscript footnote
    ("zij zei “ja” en ‘nee’", "zij zei \"ja\" en 'nee'"),     # curly quotes
    ("a\u00a0b\u200bc\x07d", "a bcd"),                        # NBSP, zero-width, control char
    ("veel    ruimte\t\there", "veel ruimte here"),           # whitespace
    ("• een\n▪ twee\n– drie\n* vier", "- een\n- twee\n- drie\n- vier"),  # bullets
    ("regel\r\nvolgende", "regel\nvolgende"),
    ("a\n\n\n\n\nb", "a\n\nb"),
    ("Wmo2015 en COVID19", "Wmo2015 en COVID19"),             # not footnotes
])
def test_normalisation_cases(original, expected):
    n = normalise(original)
    assert n.text == expected
    _check_offsets(original, n)


def test_page_furniture_in_the_middle_of_a_sentence():
    original = (
        "Gemeente Deventer\nDe inwoners van de gemeen-\nPagina 3 van 12\nte vinden de\n\f"
        "Gemeente Deventer\nWmo belangrijk.\n- 4 -\nGemeente Deventer\nSlot.\n5\n"
    )
    n = normalise(original)
    assert "Pagina" not in n.text and "- 4 -" not in n.text
    assert "Gemeente Deventer" not in n.text          # running header, 3x next to page marks
    assert "gemeente vinden" in n.text.replace("\n", " ")
    s, e = n.to_original(n.text.index("gemeente"), n.text.index("gemeente") + 8)
    assert original[s:e].startswith("gemeen-\nPagina 3 van 12\nte")
    _check_offsets(original, n)


def test_empty_and_whitespace_only():
    for text in ("", "   \n\t  ", "\x00\x01"):
        n = normalise(text)
        assert n.text == ""
        assert n.to_original(0, 0)[0] <= len(text)
    with pytest.raises(TypeError):
        normalise(b"bytes")


def test_offsets_round_trip_on_a_real_style_document():
    original = ("Verkenning Wmo\n\nDe  gemeente4 wil de “mantelzorg-\nondersteuning” verbe-\nteren:\n"
                "•\tmeer respijtzorg;\n•\tminder wacht-\ntijden\u00a0(o.a. bij de regiotaxi).\n")
    n = normalise(original)
    assert "mantelzorgondersteuning" in n.text
    assert "wachttijden" in n.text
    assert "- meer respijtzorg;" in n.text
    _check_offsets(original, n)
    with pytest.raises(IndexError):
        n.to_original(0, len(n.text) + 1)
