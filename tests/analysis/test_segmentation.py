"""Segmentation of notes and survey answers, with offsets into the original text."""
from analysis.nlp.normalise import normalise
from analysis.segmentation import segment_text

NOTES = """Wat gaat goed?
• Het buurthuis is een fijne plek om elkaar te ontmoe-
ten.
• Ok.

Knelpunten
De wachtlijsten zijn lang.  Ja. Mantelzorgers raken over-
belast en krijgen weinig steun van de gemeente12.
Er is te weinig geld.

Wat kan beter:
1. Meer samenwerking tussen aanbieders
2. Minder formulieren"""


def test_notes_segments_keep_original_offsets():
    segs = segment_text(NOTES)
    texts = [s.text for s in segs]
    assert texts == [
        "Het buurthuis is een fijne plek om elkaar te ontmoeten.",
        "Ok.",
        "De wachtlijsten zijn lang.",
        "Ja. Mantelzorgers raken overbelast en krijgen weinig steun van de gemeente.",
        "Er is te weinig geld.",
        "Meer samenwerking tussen aanbieders",
        "Minder formulieren",
    ]
    assert [s.position for s in segs] == list(range(len(segs)))
    for s in segs:
        original = NOTES[s.start:s.end]
        # the original passage normalises to the segment's text
        assert normalise(original).text.strip() == s.text
    assert NOTES[segs[0].start:segs[0].end] == "Het buurthuis is een fijne plek om elkaar te ontmoe-\nten."


def test_headings_are_context_not_segments():
    segs = segment_text(NOTES)
    assert not any(s.text in ("Wat gaat goed?", "Knelpunten", "Wat kan beter:") for s in segs)
    assert [s.heading for s in segs] == ["Wat gaat goed?"] * 2 + ["Knelpunten"] * 3 + ["Wat kan beter:"] * 2
    assert [s.kind for s in segs][:3] == ["bullet", "bullet", "sentence"]


def test_answers_short_and_empty():
    assert segment_text("", kind="answer") == []
    assert segment_text("  \n\t ", kind="answer") == []
    (only,) = segment_text("Meer buurthuizen", kind="answer")
    assert (only.text, only.start, only.end) == ("Meer buurthuizen", 0, 16)
    # a short fragment is merged with its neighbour
    segs = segment_text("Nee. De wachttijd bij het wijkteam is veel te lang.", kind="answer")
    assert len(segs) == 1 and segs[0].text.startswith("Nee. De wachttijd")


def test_long_sentence_is_split_and_text_only_heading_kept():
    long = "De gemeente moet " + ", ".join(f"punt {i} regelen" for i in range(80)) + "."
    segs = segment_text(long, max_chars=200)
    assert len(segs) > 3 and all(len(s.text) <= 200 for s in segs)
    assert all(long[s.start:s.end] == s.text for s in segs)
    assert [s.text for s in segment_text("Wat gaat goed?")] == ["Wat gaat goed?"]


TABLES = """Verslag wijkbijeenkomst, 21 mei 2019

Tafel 1 – mantelzorgers
Wat gaat goed?
- Het buurthuis is een plek waar mensen elkaar zien.

Wat kan beter?
- Een mantelzorger moest drie keer haar verhaal doen.

Groep 2:
Mensen willen hulp dichtbij huis, in hun eigen wijk.
- Groep 3: ouderen willen een vaste hulpverlener.

Tafel 4"""


def test_table_and_group_headings_label_the_segments_after_them():
    segs = segment_text(TABLES)
    texts = [s.text for s in segs]
    # table/group lines are labels, never segments (also "Tafel 4" as the last line)
    assert texts == ["Verslag wijkbijeenkomst, 21 mei 2019",
                     "Het buurthuis is een plek waar mensen elkaar zien.",
                     "Een mantelzorger moest drie keer haar verhaal doen.",
                     "Mensen willen hulp dichtbij huis, in hun eigen wijk.",
                     "Groep 3: ouderen willen een vaste hulpverlener."]
    # a label holds through sub-headings until the next table/group heading
    assert [s.group for s in segs] == ["", "Tafel 1 – mantelzorgers", "Tafel 1 – mantelzorgers",
                                       "Groep 2", "Groep 2"]
    assert [s.heading for s in segs][1:3] == ["Wat gaat goed?", "Wat kan beter?"]
    assert [s.position for s in segs] == list(range(len(segs)))
    # answers have no tables
    assert [s.group for s in segment_text("Tafel 1\n\nMeer buurthuizen in de wijk.", kind="answer")] == ["", ""]


def test_table_label():
    from analysis.segmentation import table_label

    assert table_label("Tafel 3") == "Tafel 3"
    assert table_label("  groep 2: ") == "groep 2"
    assert table_label("Gesprekstafel B") == "Gesprekstafel B"
    assert table_label("Tafel 1 – mantelzorgers") == "Tafel 1 – mantelzorgers"
    # a described label is one only as a heading; other text is no label
    assert table_label("Groep 3: ouderen willen hulp", heading=False) is None
    assert table_label("Groep 3:", heading=False) == "Groep 3"
    for other in ("Knelpunten", "Groepen en wijken", "Wat gaat goed?", "Tafel 1\nTafel 2", ""):
        assert table_label(other) is None, other
    assert len(table_label("Tafel 1 – " + "x" * 200)) == 120


def test_list_markers_start_items():
    from analysis.nlp.markers import LIST_MARKER

    for line in ("- punt", "• punt", "▪ punt", "> geciteerd", "1. punt", "(2) punt", "3) punt", "a. punt",
                 "(b) punt", "iv. punt"):
        assert LIST_MARKER.match(line), line
    for line in ("a.s. maandag", "i.v.m. de kosten", "-punt", "100. punt", "Punt"):
        assert not LIST_MARKER.match(line), line


# --------------------------------------------------------------------------- long texts

def _fields(segs):
    return [(s.text, s.start, s.end, s.position, s.heading, s.group, s.kind) for s in segs]


def test_text_over_a_million_characters_in_one_block_segments_with_offsets():
    """1.2 M characters without a blank line: spaCy's limit is 1,000,000 per Doc (E088).

    Long words keep the token count, and with it the test's run time, low."""
    word = "mantelzorgondersteuningswijkteamkeukentafelgesprekverslagen"
    sentence = "Dit " + " ".join([word] * 8) + ". "
    text = ("Tafel 1\n\nWat gaat goed?\n" + sentence * (1_200_000 // len(sentence) + 1)
            + "\n\nTafel 2\n\n- Meer buurthuizen in de wijk")
    assert len(text) > 1_200_000
    segs = segment_text(text)
    assert len(segs) == 1_200_000 // len(sentence) + 2
    assert all(text[s.start:s.end] == s.text for s in segs)
    assert [s.position for s in segs] == list(range(len(segs)))
    assert {s.text for s in segs[:-1]} == {sentence.strip()}
    # the heading and table label at the top hold across all sections
    assert {(s.heading, s.group) for s in segs[:-1]} == {("Wat gaat goed?", "Tafel 1")}
    assert (segs[-1].text, segs[-1].group, segs[-1].kind) == ("Meer buurthuizen in de wijk", "Tafel 2", "bullet")


def test_sections_give_the_same_segments_as_one_pass(monkeypatch):
    """Cut into small sections, headings and table/group labels carry over every cut."""
    import analysis.segmentation as segmentation

    text = "\n\n".join([TABLES, NOTES, "Knelpunten", "Tafel 5 – jongeren", NOTES, TABLES])
    whole = _fields(segment_text(text))
    assert len(text) < segmentation.SECTION_CHARS
    assert {s[5] for s in whole} >= {"Tafel 1 – mantelzorgers", "Groep 2", "Tafel 5 – jongeren", "Tafel 4"}
    for size in (120, 200, 333, 500):
        monkeypatch.setattr(segmentation, "SECTION_CHARS", size)
        assert _fields(segment_text(text)) == whole, size
    # a text of nothing but table labels, spread over sections, is still kept
    only_labels = "\n\n".join(f"Tafel {i}" for i in range(60))
    (kept,) = segment_text(only_labels)
    assert (kept.text, kept.start, kept.end) == (only_labels, 0, len(only_labels))
    monkeypatch.setattr(segmentation, "SECTION_CHARS", 10_000)
    assert _fields(segment_text(only_labels)) == [(only_labels, 0, len(only_labels), 0, None, "", "sentence")]


def test_no_doc_exceeds_max_length(monkeypatch):
    """With a tiny ``nlp.max_length`` a long block still segments: every Doc stays below it."""
    from analysis.nlp import get_nlp

    nlp = get_nlp()
    monkeypatch.setattr(nlp, "max_length", 2_000)
    block = " ".join(f"Bewoner {i} vindt de wachtlijst voor de dagbesteding te lang." for i in range(150))
    assert len(block) > 4 * nlp.max_length
    segs = segment_text(block)
    assert [s.text for s in segs] == [f"Bewoner {i} vindt de wachtlijst voor de dagbesteding te lang."
                                      for i in range(150)]
    assert all(block[s.start:s.end] == s.text for s in segs)


# --------------------------------------------------------------------------- tables and furniture

def test_common_forms_of_table_and_group_headings():
    from analysis.segmentation import table_label

    for line in ("Tafel 1 – mantelzorgers", "Tafel 2: ouderen", "Groep B", "Tafel mantelzorg",
                 "Groep 3 (jongeren)", "Tafel 4 - zorgaanbieders", "Tafel 5 — jongeren en school",
                 "Tafel A, ouderen", "Groep 1 jongeren", "Werkgroep wonen: jongeren", "Deelsessie 2",
                 "Mantelzorgtafel", "Gesprekstafel B", "Tafel IV", "Tafel: vrijwilligers"):
        assert table_label(line, heading=False) == line, line
    assert table_label("**Tafel 2**") == "Tafel 2"          # Markdown or Word bold
    assert table_label("Groep 3 (jongeren):") == "Groep 3 (jongeren)"
    # not tables: the Wmo conversation, plurals, other words that start the same way
    for other in ("Keukentafel", "Groepen", "Doelgroep", "Groepsgesprek", "Tafelgesprek 2",
                  "Tafels en stoelen"):
        assert table_label(other) is None, other
    # a sentence about a group is content where it is no heading
    for sentence in ("Groep 3: ouderen willen meer hulp", "Tafel 2: de bus rijdt te weinig.",
                     "Tafel 1 – mantelzorgers zijn moe"):
        assert table_label(sentence, heading=False) is None, sentence


TYPED_NOTES = """Verslag wijkbijeenkomst Colmschate, 4 juni 2019
Aanwezig: 24 bewoners, 3 medewerkers van het sociaal team en de wijkagent.
Tafel 1 – mantelzorgers
Mensen missen een vast aanspreekpunt bij de gemeente. Ze willen dat iemand hen helpt.
Tafel 2: ouderen
De bus rijdt te weinig naar het centrum. Ouderen voelen zich daardoor eenzaam.
Groep 3 (jongeren)
- Jongeren willen een eigen plek in de wijk.

Gespreksleider: Ruben Hofman
Contact voor vervolg: wijkregisseur j.bakker@voorbeeld.nl"""


def test_table_lines_inside_paragraphs_label_the_segments_after_them():
    segs = segment_text(TYPED_NOTES)
    content = [s for s in segs if s.kind != "furniture"]
    assert [(s.text, s.group) for s in content] == [
        ("Mensen missen een vast aanspreekpunt bij de gemeente.", "Tafel 1 – mantelzorgers"),
        ("Ze willen dat iemand hen helpt.", "Tafel 1 – mantelzorgers"),
        ("De bus rijdt te weinig naar het centrum.", "Tafel 2: ouderen"),
        ("Ouderen voelen zich daardoor eenzaam.", "Tafel 2: ouderen"),
        ("Jongeren willen een eigen plek in de wijk.", "Groep 3 (jongeren)"),
    ]
    assert not any(s.text.startswith(("Tafel", "Groep")) for s in segs)
    for s in segs:
        assert normalise(TYPED_NOTES[s.start:s.end]).text.strip() == s.text


def test_title_and_attendance_lines_are_furniture_kept_but_apart():
    segs = segment_text(TYPED_NOTES)
    furniture = [s.text for s in segs if s.kind == "furniture"]
    assert furniture == ["Verslag wijkbijeenkomst Colmschate, 4 juni 2019",
                         "Aanwezig: 24 bewoners, 3 medewerkers van het sociaal team en de wijkagent.",
                         "Gespreksleider: Ruben Hofman",
                         "Contact voor vervolg: wijkregisseur j.bakker@voorbeeld.nl"]
    assert [s.position for s in segs] == list(range(len(segs)))
    # a first line that is a sentence is no title; "Deelnemers gaven aan: ..." is content
    segs = segment_text("De bus rijdt te weinig. Ouderen voelen zich eenzaam.\n\n"
                        "Deelnemers gaven aan: er is te weinig hulp in de wijk.")
    assert [s.kind for s in segs] == ["sentence"] * len(segs)
    # a bullet or a one-line text is never a title
    assert [s.kind for s in segment_text("- Meer buurthuizen\n- Minder formulieren")] == ["bullet", "bullet"]
    assert [s.kind for s in segment_text("Meer buurthuizen in de wijk")] == ["sentence"]
    # answers have no furniture
    assert [s.kind for s in segment_text("Aanwezig: niemand van de gemeente", kind="answer")] == ["sentence"]


def test_contents_and_references_in_notes_are_one_furniture_segment_each():
    text = ("Verkenning Wmo\n\nInhoudsopgave\n\nInleiding\t3\n1 Huidige situatie\t4\n2. Aanleiding\t5\n"
            "3 Start van de verkenning.....\t6\n3.1. Wat is opgehaald in de wijken.....\t6\n\n"
            "Inleiding\n\nMantelzorgers voelen zich overbelast. Het wijkteam is slecht bereikbaar.\n\n"
            "Figuur 1. Huidige inrichting\n\nDe buurtbus rijdt te weinig.\n\n"
            "Literatuur\n\nPutters, K. (2003) Besturen met verantwoordelijkheid. Den Haag: SCP.\n")
    segs = segment_text(text)
    assert [(s.kind, s.text) for s in segs if s.kind != "sentence"] == [
        ("furniture", "Inleiding 3\n1 Huidige situatie 4\n2. Aanleiding 5\n3 Start van de verkenning..... 6\n"
                      "3.1. Wat is opgehaald in de wijken..... 6"),
        ("furniture", "Figuur 1. Huidige inrichting"),      # a caption, not the heading of what follows
        ("furniture", "Putters, K. (2003) Besturen met verantwoordelijkheid. Den Haag: SCP."),
    ]
    assert [s.text for s in segs if s.kind == "sentence"] == [
        "Mantelzorgers voelen zich overbelast.", "Het wijkteam is slecht bereikbaar.", "De buurtbus rijdt te weinig."]
    assert [s.heading for s in segs] == ["Inhoudsopgave"] + ["Inleiding"] * 4 + ["Literatuur"]
    # a tally with dot leaders in notes stays input: its lines are list items
    segs = segment_text("Verslag\n\nVervoer ....... 12\nEenzaamheid .... 8\n\nDe bus rijdt niet.")
    assert [(s.kind, s.text) for s in segs] == [
        ("bullet", "Vervoer ....... 12"), ("bullet", "Eenzaamheid .... 8"), ("sentence", "De bus rijdt niet.")]
    # a list of short points, some with a number at the end, stays a list of points
    segs = segment_text("Wat willen we?\n\n- Meer buurthuizen\n- Bus 5\n- Minder formulieren\n- Lijn 2 vaker")
    assert [(s.kind, s.text) for s in segs] == [
        ("bullet", "Meer buurthuizen"), ("bullet", "Bus 5"), ("bullet", "Minder formulieren"), ("bullet", "Lijn 2 vaker")]


def test_contents_typed_between_other_lines_without_blank_lines():
    # as a facilitator pasted them: no blank line before the contents nor after them
    text = ("Verslag wijkavond Zandweerd\nAanwezig: 12 bewoners\nInhoud\nInleiding\t3\n1 Huidige situatie\t4\n"
            "2. Aanleiding\t5\n3 Start van de verkenning.....\t6\n"
            "Bewoners vertelden dat het moeilijk is om de weg te vinden naar het sociaal team.\n\n"
            "We stemden met stippen.\nVervoer 12\nEenzaamheid 8\nMantelzorg 5\nDe bus rijdt te weinig.")
    segs = segment_text(text)
    assert [(s.kind, s.text) for s in segs] == [
        ("furniture", "Aanwezig: 12 bewoners"),
        ("furniture", "Inhoud\nInleiding 3\n1 Huidige situatie 4\n2. Aanleiding 5\n3 Start van de verkenning..... 6"),
        ("sentence", "Bewoners vertelden dat het moeilijk is om de weg te vinden naar het sociaal team."),
        ("sentence", "We stemden met stippen."),
        # three lines ending in a number, but votes: a list, not contents
        ("bullet", "Vervoer 12"), ("bullet", "Eenzaamheid 8"), ("bullet", "Mantelzorg 5"),
        ("sentence", "De bus rijdt te weinig."),
    ]


def test_a_numbered_heading_with_its_text_under_it_is_a_heading_not_a_list_item():
    text = ("Zandweerd, 10 september 2019 – aantekeningen\n\n"
            "1. Eenzaamheid\nVeel ouderen in de wijk zijn alleen. Een buurtbus zou helpen.\n\n"
            "2. Jongeren en gezinnen\nOuders zien door de bomen het bos niet meer.\n\n"
            "Wat moet beter:\n1. Meer bussen\n2. Minder formulieren\n")
    segs = segment_text(text)
    assert [(s.text, s.heading) for s in segs] == [
        ("Veel ouderen in de wijk zijn alleen.", "Eenzaamheid"),
        ("Een buurtbus zou helpen.", "Eenzaamheid"),
        ("Ouders zien door de bomen het bos niet meer.", "Jongeren en gezinnen"),
        ("Meer bussen", "Wat moet beter:"),          # a numbered list stays a list
        ("Minder formulieren", "Wat moet beter:")]
    assert [s.kind for s in segs][-2:] == ["bullet", "bullet"]
