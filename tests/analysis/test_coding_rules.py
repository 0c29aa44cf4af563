"""Keyword rule coder: lemmas, compounds, negation, senses, provenance, bad input."""
import pytest

from analysis.codebook import Code, Codebook, load_default_codebook
from analysis.coding.base import is_codable
from analysis.coding.rules import RuleCoder


@pytest.fixture(scope="module")
def rules():
    return RuleCoder(load_default_codebook())


def codes_of(rules, text):
    (sugg,) = rules.code([text])
    return {s.code: s for s in sugg}


def test_inflected_forms_match_on_lemma(rules):
    got = codes_of(rules, "De mantelzorgers raken overbelast.")
    ev = got["INFORMEEL"].evidence[0]
    assert ev.keyword == "mantelzorger" and ev.matched_text == "mantelzorgers"
    assert ev.rule_id == "INFORMEEL:kw:mantelzorger"
    assert "De mantelzorgers raken overbelast."[ev.start_char:ev.end_char] == "mantelzorgers"
    assert (ev.start, ev.end) == (1, 2) and not ev.negated and not ev.compound


def test_compound_parts_match(rules):
    got = codes_of(rules, "Er is meer mantelzorgondersteuning nodig.")
    ev = got["INFORMEEL"].evidence[0]
    assert ev.compound and ev.keyword == "mantelzorg" and ev.matched_text == "mantelzorgondersteuning"
    assert got["INFORMEEL"].confidence < 0.9       # a compound part is weaker evidence
    # a compound that is itself a keyword does not fire its parts: werkdruk is not MEEDOEN (werk)
    got = codes_of(rules, "De werkdruk is hoog.")
    assert set(got) == {"PROFESSIONALS"}


@pytest.mark.parametrize("text, code, word", [
    ("De partners worden gekozen via een dialooggerichte aanbesteding⁸.", "AANBIEDERS", "aanbesteding"),
    ("De gemeente doet de toegang/beschikking zelf.", "TOEGANG", "toegang"),
    ("Vragen naar de Wmo-maatwerkvoorziening nemen toe.", "VOORZIENINGEN", "maatwerkvoorziening"),
])
def test_footnote_markers_slashes_and_hyphens_do_not_hide_a_keyword(rules, text, code, word):
    ev = codes_of(rules, text)[code].evidence[0]
    assert ev.matched_text == word and text[ev.start_char:ev.end_char] == word   # offsets in the text as given


def test_separate_words_keeps_length_and_open_hyphens():
    from analysis.coding.rules import separate_words
    for text in ("aanbesteding⁸.", "toegang/beschikking", "Wmo-loket", "zorg- en welzijn", "1/2", "¹²³"):
        assert len(separate_words(text)) == len(text)
    assert separate_words("zorg- en welzijn") == "zorg- en welzijn"
    assert separate_words("Wmo-loket en 1/2") == "Wmo loket en 1/2"


def test_phrases_and_joined_phrases(rules):
    assert "FINANCIERING" in codes_of(rules, "De eigen bijdrage is te hoog.")
    assert "FINANCIERING" in codes_of(rules, "De eigenbijdrage is te hoog.")
    got = codes_of(rules, "Algemene voorzieningen in de buurt zijn prima.")
    assert got["VOORZIENINGEN"].evidence[0].keyword == "algemene voorziening"


@pytest.mark.parametrize("text, code, span, words", [
    # a separable verb split by main-clause word order, its particle found by the parser
    ("De gemeente en de aanbieders werken goed samen.", "SAMENWERKING", "werken goed samen", "werken … samen"),
    ("Iedereen doet mee in de wijk.", "MEEDOEN", "doet mee", "doet mee"),
    ("Mijn moeder neemt deel aan de dagbesteding.", "MEEDOEN", "neemt deel", "neemt deel"),
    ("We stemmen de zorg af met de huisarts.", "SAMENWERKING", "stemmen de zorg af", "stemmen … af"),
    ("Leefbare wijken waarin iedereen mee kan doen.", "MEEDOEN", "mee kan doen", "mee … doen"),
    # a phrase keyword whose verb word order puts elsewhere
    ("Ze staat weer op eigen benen.", "EIGEN_KRACHT", "staat weer op eigen benen", "staat … op eigen benen"),
    ("Ik ben 82 en ik doe nog alles zelf.", "EIGEN_KRACHT", "doe nog alles zelf", "doe … zelf"),
    ("Zij vraagt ondersteuning aan bij de gemeente.", "TOEGANG", "vraagt ondersteuning aan", "vraagt ondersteuning aan"),
    ("De gemeente betrekt inwoners bij het beleid.", "INSPRAAK", "betrekt inwoners", "betrekt inwoners"),
])
def test_verbs_that_word_order_splits(rules, text, code, span, words):
    ev = codes_of(rules, text)[code].evidence[0]
    assert text[ev.start_char:ev.end_char] == span and ev.matched_text == words
    assert " … ".join(text[s:e] for s, e in ev.parts) == words       # the words themselves, for highlighting
    assert ev.match == "whole" and not ev.negated
    assert ev.to_dict()["parts"] == [list(p) for p in ev.parts]


def test_split_verbs_keep_negation_and_senses(rules):
    ev = codes_of(rules, "De huisarts en het wijkteam werken niet samen.")["SAMENWERKING"].evidence[0]
    assert ev.negated                          # "niet" between the verb and its particle
    # "voorkomen" split by word order is always "occur": prevention is not separable
    assert "PREVENTIE" not in codes_of(rules, "Dat komt in de wijk vaak voor.")
    # a preposition with its own noun is no particle: "besteden aan", not "aanbesteden"
    assert "AANBIEDERS" not in codes_of(rules, "We besteden veel geld aan zorg.")
    # only a verb keyword is joined with a particle: "in actie komen" is not inkomen (income),
    # "is wel" not welzijn
    assert "BESTAANSZEKERHEID" not in codes_of(rules, "De wijkagent hoeft maar zelden in actie te komen.")
    assert "PREVENTIE" not in codes_of(rules, "Dat is hier echter wel het geval.")
    # a noun with words of its own is an object, not the particle of "deelnemen"
    assert "MEEDOEN" not in codes_of(rules, "De gemeente neemt een deel van de kosten voor haar rekening.")
    # a split match does not hide a keyword inside its span
    assert set(codes_of(rules, "Sinds vorig jaar werken de aanbieders in de wijk samen.")) == {
        "SAMENWERKING", "AANBIEDERS", "WIJK"}


def test_longest_match_wins(rules):
    # "eigen regie" is BEJEGENING; the shorter keyword "regie" (STURING) must not fire
    assert set(codes_of(rules, "Eigen regie is voor cliënten belangrijk.")) >= {"BEJEGENING"}
    assert "STURING" not in codes_of(rules, "Eigen regie is voor cliënten belangrijk.")
    assert "STURING" in codes_of(rules, "De gemeente neemt de regie.")


def test_negation_is_flagged_and_weaker(rules):
    plain = codes_of(rules, "Er is samenwerking tussen de organisaties.")["SAMENWERKING"]
    neg = codes_of(rules, "Er is geen samenwerking tussen de organisaties.")["SAMENWERKING"]
    assert neg.evidence[0].negated and not plain.evidence[0].negated
    assert neg.confidence < plain.confidence
    # the clause boundary stops the scope
    other = codes_of(rules, "Niet iedereen weet het, maar samenwerking helpt.")["SAMENWERKING"]
    assert not other.evidence[0].negated


@pytest.mark.parametrize("text, prevent", [
    ("Zo voorkomen we dat mensen zwaardere zorg nodig hebben.", True),
    ("Dat is nodig om overbelasting te voorkomen.", True),
    ("Dit voorkomt veel ellende.", True),
    ("Eenzaamheid kan worden voorkomen.", True),
    ("Het komt vaak voor dat mensen wachten.", False),
    ("Dat zijn veel voorkomende klachten.", False),
    ("Het voorkomen van klachten is onderzocht.", False),
    ("We kunnen eenzaamheid voorkomen door vaker langs te gaan.", True),
    ("Het is lastig, omdat zulke problemen vaak voorkomen.", False),
    ("Zulke problemen kunnen overal voorkomen.", False),
])
def test_voorkomen_only_in_the_sense_of_prevent(rules, text, prevent):
    got = codes_of(rules, text)
    hit = any(e.keyword == "voorkomen" for s in got.values() for e in s.evidence)
    assert hit is prevent


def test_participatie_sense(rules):
    assert "MEEDOEN" in codes_of(rules, "Participatie in de samenleving is voor iedereen belangrijk.")
    assert "MEEDOEN" not in codes_of(rules, "De burgerparticipatie bij het beleid was mager.")


@pytest.mark.parametrize("text", [
    "", "   \n\t", "...!?", "12 34",
    "The carers are overburdened and need more support from the council.",
    "Die pflegenden Angehörigen sind überlastet und brauchen mehr Unterstützung.",
    # other languages residents write in, also with a Dutch Wmo word in them
    "La commune doit améliorer les soins à domicile pour les personnes âgées et les aidants.",
    "Annem için ev yardımı çok az, belediye hiç aramıyor ve ben de bu yüzden çok yoruldum.",
    "Gmina powinna poprawić opiekę domową, wijkteam nigdy nie oddzwania.",
    "Primăria trebuie să îmbunătățească îngrijirea la domiciliu, și wijkteam nu răspunde.",
    "El ayuntamiento debe mejorar la atención domiciliaria para los mayores y la mantelzorg.",
    "البلدية يجب أن تحسن الرعاية المنزلية للمسنين",
    "Муніципалітет має покращити догляд вдома для літніх людей.",
])
def test_empty_and_non_dutch_left_uncoded(rules, text):
    assert not is_codable(text)
    assert rules.code([text]) == [[]]


@pytest.mark.parametrize("text", [
    "Meer buurthuizen", "Ik vind het wijkteam top, echt super!",
    "Ik ben à la carte gaan eten met de buurt, très gezellig!",
    "Mijn moeder (82) woont alleen, de thuiszorg komt te laat en de buurvrouw helpt haar.",
    "Ik ben mantelzorger voor mijn vader op Curaçao en voor mijn moeder hier in Deventer.",
    "De gemeente moet better communiceren met mantelzorgers.",
    # one word that is also an English or German stop word
    "Niemand luistert", "Er komt niemand langs", "Top!", "Max 4 uur hulp per week.",
    "WMO, PGB, ZIN, WLZ... niemand snapt die afkortingen",
    # ordinary Dutch words that are stop words of another language (Romanian nou, mei;
    # Italian prima, per, via; Norwegian kom, langs, beste)
    "Kom langs!", "Nou, prima!", "Beste mensen, kom eens langs.", "In mei kwam de hulp, prima.",
    "Prima geholpen via het sociaal team, per direct een scootmobiel.",
])
def test_dutch_with_loan_words_stays_codable(text):
    assert is_codable(text)


def test_custom_codebook_and_batch():
    cb = Codebook(name="klein", codes=(Code("ZORG", "Zorg", keywords=("thuiszorg", "zorg")),
                                       Code("GELD", "Geld", keywords=("kosten", "te duur"))))
    rc = RuleCoder(cb)
    out = rc.code(["De thuiszorg is te duur.", "Niets bijzonders hier.", ""])
    assert [[s.code for s in ss] for ss in out] == [["ZORG", "GELD"], [], []]
    assert all(s.origin == "rule" and s.sources == ("rule",) for s in out[0])
    assert "keyword 'te duur' matched 'te duur'" in out[0][1].explain()


@pytest.mark.parametrize("text, furniture", [
    ("Hupe, P.L. & Klijn, E.H. (1997) De gemeente als regisseur van het preventief jeugdbeleid.", True),
    ("Movisie (2019) Wat werkt bij eenzaamheid.", True),
    ("Bakker, J. 2020. Zorg dichtbij. Amsterdam: Boom.", True),
    ("[1] CBS (2021), Bevolkingsprognose 2021-2070, Den Haag.", True),
    ("Bakker, J. 2020 was een goed jaar voor mij.", False),
    ("3.1 Inleiding 4 3.2 Mantelzorg en vrijwilligers 6", True),
    ("Ook het SCP (2013) constateert dat mantelzorgers overbelast raken.", False),
    ("Het budget steeg van 1.2 naar 1.5 miljoen euro.", False),
    # numbered section headings; a numbered list item or a numbered sentence is not one
    ("5.2 Samenhang, partnerschap en doelmatigheid (leidende principes 3, 4 en 5)", True),
    ("5.1 *Perspectief van de inwoner en kracht van de wijk (leidende principes 1 en 2)*", True),
    ("3.2 Financiering", True),
    ("1. Meer buurthuizen in de wijk", False),
    ("2.1 De gemeente zet in op preventie en eenzaamheid.", False),
    # a council document's header block
    ("Onderwerp Gewoon in de Wijk: naar passende en betaalbare ondersteuning in het sociaal "
     "domein Nummer 2020/1187859 Portefeuillehouder Meijs, M.-Th.", True),
    ("Portefeuillehouder Weth. Grijsen", True),
    ("Registratienummer: 2023/112358", True),
    ("Raadsvoorstel\nRaadsvergadering: 14 maart 2023\nAgendapunt: 7", True),
    ("Raadsvoorstel over de Wmo is slecht uitgelegd", False),
    ("Onderwerp\tVerkenning Wmo", True),
    ("Onderwerp van gesprek was eenzaamheid in de buurt", False),
    ("Datum van de avond was slecht gekozen voor mantelzorgers", False),
    # resident text that starts with a number or a label word, often without a full stop
    ("1.5 miljoen euro extra voor mantelzorgers is veel te weinig", False),
    ("2.5 jaar wachten op een traplift is te lang", False),
    ("12.30 uur is te vroeg voor de dagbesteding", False),
    ("1.2 Ik vind dat de wijkteams beter bereikbaar moeten zijn", False),
    ("3.1 Ja, want mijn moeder krijgt te weinig hulp van het wijkteam", False),
    ("Kenmerk van een goede buurt is dat mensen elkaar kennen", False),
    ("Telefoonnummer van het wijkteam staat nergens op de website", False),
    ("Portefeuillehouder Jansen beloofde dat het buurthuis open blijft", False),
    ("Agendapunt 4 ging over eenzaamheid onder ouderen", False),
    ("Onderwerp: zorgen over de huishoudelijke hulp van mijn moeder", False),
    # contents, captions, tables, page markers, source lines, bare links
    ("Hoofdstuk 2 Zorg en ondersteuning in de wijk ........ 12", True),
    ("3.1. Wat is opgehaald in de wijken..... 6", True),
    ("Inleiding 3\n1 Huidige situatie 4\nSociale Teams 5\n2. Aanleiding 5", True),
    ("Inhoudsopgave\nMantelzorg in de wijk", True),
    ("Literatuur", True),
    ("Inhoud\nBus rijdt te weinig", False),
    ("Figuur 1. Huidige inrichting\nDe buurtbus rijdt te weinig", False),
    ("Afbeelding 4 - Kaart van de wijken", True),
    # notes that only look like furniture
    ("Deel 2 van de wijk, geen bus meer sinds maart", False),
    ("Tabel 1 vervoer: bus rijdt te weinig", False),
    ("Ik wacht al .... 12\nweken op een scootmobiel en niemand belt terug.", False),
    ("Vervoer ....... 12\nEenzaamheid .... 8", False),
    ("Literatuur\nDeelnemers willen meer boeken in de bibliotheek", False),
    ("Zie hoofdstuk 2 ........ 12\nDe bewoners willen meer hulp.", False),
    ("Figuur 2. Verschuiving naar Gewoon in de Wijk", True),
    ("Tabel 3: Aantal cliënten met een maatwerkvoorziening per wijk", True),
    ("Bijlage 1 Overzicht van zorgaanbieders", True),
    ("Tafel 1 | Vervoer | Bus rijdt te weinig", False),     # a Word table's row: what was said
    ("Inhoud\nDe bewoners vinden dat de bus te weinig rijdt.", False),
    ("2017 2018 2019 Wmo-budget 12,3 13,1 14,0", True),
    ("Bron: CBS, 2018", True),
    ("Pagina 4 van 12", True),
    ("www.deventer.nl/mantelzorg", True),
    ("Figuur 1 is een weergave van de huidige inrichting van ondersteuning in de wijk.", False),
    ("Tabel 2 laat zien dat het aantal cliënten met huishoudelijke hulp stijgt.", False),
    ("Hoofdstuk 3 van het plan vind ik onduidelijk over mantelzorg", False),
    ("Bijlage 2 moet naar de mantelzorgers gestuurd worden", False),
    ("Ik wacht al maanden... 3 keer gebeld", False),
    ("Buslijn 5\nLijn 2 naar het ziekenhuis", False),
    ("Vervoer 12\nEenzaamheid 8\nMantelzorg 5", False),      # a meeting's votes, not contents
    ("Vervoer 3\nEenzaamheid 8\nMantelzorg 12", False),
    ("Het wijkteam belde niet terug.... 2 weken gewacht op antwoord", False),
    ("Bel het wijkteam op www.deventer.nl, daar helpen ze met huishoudelijke hulp", False),
    ("In 2017, 2018 en 2019 stegen de kosten van de Wmo met 5%, 7% en 9%.", False),
    ("Mijn moeder (82) krijgt 3 uur hulp per week", False),
    ("Kies 1 | 2 | 3: ik vind de wachttijd te lang", False),
])
def test_document_furniture_is_not_coded(rules, text, furniture):
    assert is_codable(text) is not furniture
    if furniture:
        assert rules.code([text]) == [[]]


@pytest.mark.parametrize("text, code, present", [
    ("Minder beschikkingen betekent minder administratieve lasten.", "BUREAUCRATIE", True),   # inflected phrase
    ("De administratieve last is hoog.", "BUREAUCRATIE", True),
    ("Er zijn veel schotten tussen de wetten.", "INTEGRAAL", True),
    # word families that cross meaning
    ("Mensen met beperkte middelen hebben het moeilijk.", "INCLUSIE", False),
    ("Ik heb hulp nodig bij het doen van inkopen.", "AANBIEDERS", False),     # shopping
    ("De inkoop van jeugdhulp is ingewikkeld.", "AANBIEDERS", True),
    ("De zorginkoop moet beter.", "AANBIEDERS", True),
    ("Mijn buurvrouw doet de inkopen voor mij.", "AANBIEDERS", False),
    ("De gemeente moet de zorg beter inkopen.", "AANBIEDERS", True),     # the verb: procurement
    ("Inkopen van zorg gebeurt per regio.", "AANBIEDERS", True),
    ("Wij willen de kosten beperken.", "INCLUSIE", False),
    ("Mensen met een verstandelijke beperking doen mee.", "INCLUSIE", True),
    ("De informele zorg is sterk.", "STURING", False),                   # informele is not informatie
    ("Financiers van de zorg willen zekerheid.", "FINANCIERING", False),   # an agent noun, not financing
    ("Ook de specialistische zorg is duur.", "PROFESSIONALS", False),
    ("We financieren de ondersteuning per uur.", "FINANCIERING", True),   # verb ~ nominalisation stays
    ("Dat is een bureaucratische aanpak.", "BUREAUCRATIE", True),          # -isch of an -ie noun stays
    # a verb with a noun keyword's form is not that noun: "gegeven" (given) is not "gegevens" (data)
    ("Vorig jaar hebben we ook al ideeën gegeven.", "STURING", False),
    ("Mijn gegevens zijn zomaar doorgestuurd.", "STURING", True),
    # short compound parts: only as the head
    ("De werkgroep bespreekt de werkprocessen.", "MEEDOEN", False),
    ("Zij doen productiewerk in de werkplaats.", "MEEDOEN", True),
    ("Het beleidskader is vastgesteld.", "STURING", False),
    ("Het welzijnswerk organiseert welzijnsactiviteiten.", "PREVENTIE", False),
    ("Het welzijnswerk richt zich op ouderen.", "MEEDOEN", False),         # excluded in the codebook
    # a diminutive keyword is not its base noun: maatje (a buddy) is not maat (a size)
    ("Sinds kort heb ik een maatje die met me wandelt.", "INFORMEEL", True),
    ("De maatjes gaan samen naar de markt.", "INFORMEEL", True),
    ("In welke mate helpt dit de mensen?", "INFORMEEL", False),
    ("De gemeente nam extra maatregelen.", "INFORMEEL", False),
    # a code's exclusion never silences its own keywords: BUREAUCRATIE excludes "regel"
    ("De regeldruk is hoog.", "BUREAUCRATIE", True),
    ("Er zijn te veel regeltjes.", "BUREAUCRATIE", True),
    ("De regelgeving verandert elk jaar.", "BUREAUCRATIE", True),
    ("De regels van het buurthuis hangen bij de deur.", "BUREAUCRATIE", False),
    # the bundled codebook's exclusions of ordinary meanings
    ("De gemeente stelt een ruimte ter beschikking.", "TOEGANG", False),
    ("De beschikking kwam pas na drie maanden.", "TOEGANG", True),
    ("Voor meer informatie kunt u het wijkteam bellen.", "STURING", False),
    ("Het is zijn eigen schuld, zeggen ze.", "BESTAANSZEKERHEID", False),
    ("Hij heeft schulden bij de woningcorporatie.", "BESTAANSZEKERHEID", True),
    ("De kwaliteit van leven gaat voor.", "AANBIEDERS", False),
    ("In de naaste toekomst komt er een buurthuis.", "INFORMEEL", False),
    ("Energiebesparing in huis levert geld op.", "FINANCIERING", False),
    ("De gemeente wil besparen op de thuiszorg.", "FINANCIERING", True),
    ("Vooral mensen die alleen wonen en niet meer auto kunnen rijden, zitten vast.", "BESTAANSZEKERHEID", False),
    ("Er zijn te weinig woningen voor ouderen.", "BESTAANSZEKERHEID", True),
])
def test_sense_rules_against_over_triggering(rules, text, code, present):
    assert (code in codes_of(rules, text)) is present


def test_exclusions_silence_only_their_own_code():
    cb = Codebook(name="t", codes=(
        Code("WERK", "Werk", keywords=("werk",), exclude=("vrijwilligerswerk", "sociaal werk")),
        Code("VRIJ", "Vrijwilligers", keywords=("vrijwilligerswerk", "werk")),
    ))
    rc = RuleCoder(cb)
    got = {s.code for s in rc.code(["Het vrijwilligerswerk is zwaar."])[0]}
    assert got == {"VRIJ"}
    got = {s.code for s in rc.code(["Het sociaal werk en ander werk."])[0]}
    assert got == {"WERK", "VRIJ"}
    (sugg,) = [s for s in rc.code(["Het sociaal werk en ander werk."])[0] if s.code == "WERK"]
    assert [e.matched_text for e in sugg.evidence] == ["werk"] and sugg.evidence[0].start == 5
