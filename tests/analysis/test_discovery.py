"""Theme discovery on uncoded segments."""
from analysis.discovery import discover_themes

TEXTS = [
    "De regiotaxi komt altijd te laat bij het ziekenhuis.",
    "Met de regiotaxi ben je uren onderweg naar het ziekenhuis.",
    "De regiotaxi rijdt in het weekend niet naar het ziekenhuis.",
    "De chauffeur van de regiotaxi helpt niet met instappen.",
    "Het park in onze straat ligt vol met zwerfafval.",
    "Het zwerfafval in het park trekt ratten aan.",
    "Niemand ruimt het zwerfafval in het park op.",
    "Zet meer prullenbakken in het park tegen zwerfafval.",
    "",
    "The bus is always late.",
]


def test_discovers_separate_themes_deterministically():
    themes = discover_themes(TEXTS, n_themes=2, seed=3)
    assert len(themes) == 2
    by_code = {t.proposed_code: t for t in themes}
    taxi = next(t for t in themes if "regiotaxi" in dict(t.terms))
    afval = next(t for t in themes if "zwerfafval" in dict(t.terms))
    assert set(taxi.segments) == {0, 1, 2, 3} and set(afval.segments) == {4, 5, 6, 7}
    assert taxi.terms[0][0] in ("regiotaxi", "ziekenhuis", "taxi") and len(taxi.examples) == 3
    assert set(taxi.examples) <= set(taxi.segments) and 0 < taxi.coherence <= 1
    assert all(code.isupper() for code in by_code)
    # empty and non-Dutch segments are in no theme
    assert not any({8, 9} & set(t.segments) for t in themes)
    assert discover_themes(TEXTS, n_themes=2, seed=3) == themes


def test_too_little_input():
    assert discover_themes([]) == []
    assert discover_themes(["", "The end."]) == []
