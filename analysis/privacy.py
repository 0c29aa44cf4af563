"""Detecting and masking personal data in Dutch text (no Flask imports).

Finds names of private persons, e-mail addresses, phone numbers (06-..., 0570/..., +31 (0)6
..., foreign numbers), BSN (only numbers that pass the 11-proof, also dotted "1234.56.782"),
IBAN (only with a valid checksum, any case, spaced groups), street addresses (street + house
number, with suffixes such as "15-III" or "14 bis"), postcodes (1234 AB, 1234ab), dates of
birth ("geboren op ..."), ages told about a person ("mijn buurman van 87") and Dutch licence
plates ("AB-123-C"). Rules and name lists only, so it is fast (well over 200,000 characters
per second) and explainable.

Names are found from context (a title or role before them: "mevrouw", "buurvrouw",
"consulent"; "ik heet"; a reporting verb after them: "Jansen zei"), from initials ("J. de
Vries") and from lists of first names and surnames (``privacy_data/``, extracted from Faker,
MIT licence, plus Moroccan, Surinamese, Eritrean, Dutch and other names added by hand). Names
that are also Dutch words ("Ben", "Wil", "Roos") need context. A capitalised word in no list
is a name where names stand ("Sevgi vond", "met Wubet", "Dijkman en Veldhuis", "- Hessel:")
when it is no Dutch word (spaCy's Dutch lemma tables from ``spacy-lookups-data``, compounds
split with :mod:`analysis.nlp.compounds`, ``wordfreq`` for frequent Dutch and English words;
loaded once per process, on the first text with such a word) and no town, language or
organisation (``privacy_data/non_names.txt``); not after an article or a place preposition
("in Snippeling", "het Trefpunt") nor inside a run of capitalised words ("Hanze Wonen").
Tussenvoegsels in lower case start a name too ("van Dijk opende", "Volgens van den Broek",
"van 't Hof"), as do possessives ("Jansens voorstel", "Fatima's moeder"); nationality words
("Eritreeër", "Surinaams") and names before "ziekenhuis", "College" or "Huis" ("het Albert
Schweitzer ziekenhuis") are not names.
Officials in their public role
("wethouder Grijsen"), shops ("Albert Heijn") and streets named after people ("Jan van
Galenstraat") are not masked as persons; case numbers ("zaaknummer ..."), the municipality's
Postbus postcode and organisations' 088/0800/0900 numbers are not personal data.

This is the one home of consult's personal-data patterns. Segments are masked with every
kind (:func:`mask`); anything that leaves consult (reports, data exports) is checked once
more for contact details, the kinds in :data:`CONTACT` (:func:`contains_personal_data`,
:func:`scrub`, :func:`mask_same_length`). The facilitator sees every mask and can correct it.

>>> mask("Mevrouw Jansen (06-12345678) woont op de Kerkstraat 12.")
'Mevrouw [naam] ([telefoonnummer]) woont op de [adres].'
>>> mask("Jansen zei dat mijn buurman van 87 op de Brink 45-II woont.")
'[naam] zei dat mijn buurman van [leeftijd] op de [adres] woont.'
>>> scrub("Bel 06-12345678 of mail p.smit@voorbeeld.nl.")
'Bel [verwijderd] of mail [verwijderd].'
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable

__all__ = ["Span", "detect", "mask", "bsn_valid", "iban_valid", "LABELS", "CONTACT", "REDACTED",
           "contains_personal_data", "scrub", "mask_same_length", "FIRST_NAMES", "SURNAMES"]

LABELS = {
    "name": "[naam]", "email": "[e-mailadres]", "phone": "[telefoonnummer]", "bsn": "[BSN]",
    "iban": "[IBAN]", "address": "[adres]", "postcode": "[postcode]",
    "birth_date": "[geboortedatum]", "age": "[leeftijd]", "licence_plate": "[kenteken]",
}
#: Contact details: the kinds exports check every quote and free text for, last of all.
CONTACT = frozenset({"email", "phone"})
#: What :func:`scrub` puts in place of a contact detail.
REDACTED = "[verwijderd]"


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str
    text: str

    @property
    def label(self) -> str:
        return LABELS[self.kind]


def bsn_valid(digits: str) -> bool:
    """The Dutch BSN 11-proof (elfproef) for a 9-digit number."""
    if len(digits) != 9 or not digits.isdigit() or digits == "000000000":
        return False
    total = sum(int(d) * w for d, w in zip(digits[:8], range(9, 1, -1))) - int(digits[8])
    return total % 11 == 0


def iban_valid(iban: str) -> bool:
    """ISO 13616 mod-97 check (spaces and case ignored)."""
    iban = re.sub(r"\s", "", iban).upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}", iban):
        return False
    if iban.startswith("NL") and not re.fullmatch(r"NL\d{2}[A-Z]{4}\d{10}", iban):
        return False
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


# --- word lists -------------------------------------------------------------------------

_DATA = Path(__file__).resolve().parent / "privacy_data"


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Dutch words that start sentences or stand capitalised in letters and forms; never a name
#: on their own (lower case).
_COMMON = _words("""
de het een en of maar dan dus want als toen nu ook nog wel niet geen al er hier daar wie wat
waar hoe waarom welke die dat deze dit zo ja nee ik je jij u hij zij ze we wij jullie mijn
m'n jouw uw zijn haar ons onze hun men iemand niemand iedereen alles niets veel weinig meer
minder graag helaas verder daarna eerst later soms vaak altijd nooit bij met voor na door over
onder tegen tussen tot vanaf zonder om op in aan uit te naar sinds volgens namens via tijdens
binnen buiten boven achter naast wordt word worden is was waren heb heeft had hebben kan kun
kunnen mag mogen moet moeten wil wilde willen zal zou zullen ga gaat gaan kom komt komen ben
bent groeten groet beste geachte hallo hoi dag bedankt dank hartelijk vriendelijke hoogachtend
betreft aanwezig afwezig notulen verslag actiepunt actiepunten telefoon tel adres mail email
e-mail postcode mobiel bsn iban rekening rekeningnummer kenteken geboren geboortedatum mevrouw
meneer gemeente college raad wethouder burgemeester buurthuis wijk stad stadhuis dorp straat
januari februari maart april mei juni juli augustus september oktober november december
maandag dinsdag woensdag donderdag vrijdag zaterdag zondag bewoner bewoners cliënt mantelzorger
vrijwilliger vrijwilligers ouderen jongeren kinderen inwoners mensen iedereen familie fam
afzender ondertekend opmerking vraag vragen antwoord punt agenda rondvraag sluiting opening
wmo ggd cjg asdd nb ps bijlage zie graag svp gr mvg stichting vereniging zorg hulp thuis
welkom fijn goed slecht prima super heel erg echt zeer mooi lang kort klein groot oud nieuw
hoog laag jong eerste tweede derde alle elke ieder sommige andere beide twee drie vier vijf
noord oost zuid west nederlands nederland engels turks arabisch marokkaans surinaams kerk
moskee school huis tuin park markt winkel centrum station bus trein auto fiets god jezus allah
daartoe daarom daarnaast daarbij daarmee daarin daarvoor daarop daarna hierbij hiermee hierin
vervolgens tevens bovendien echter tenslotte uiteindelijk gisteren vandaag morgen vorige vorig
eerder eveneens wellicht misschien mogelijk waarschijnlijk natuurlijk samenvattend kortom
korte lange grote kleine oude nieuwe goede hoge lage vele beter extra verschillende andere
werk inkomen welzijn wonen jeugd sociaal domein team loket beleid kader plan nota
""")
_TUSSEN_WORDS = _words("""van de der den ter ten te 't het in op d' la le du da dos di del della
el al ben bin bint ait aït ou abou abu bou ould""")
_STRONG_TITLES = _words("""mevrouw mevr mw meneer mijnheer dhr heer juffrouw fam familie dokter
dr zuster broeder""")
_ROLES = _words("""buurman buurvrouw buurjongen buurmeisje buren oma opa tante oom moeder vader
zoon dochter man vrouw partner echtgenoot echtgenote broer zus schoonzus schoonbroer zwager
schoonmoeder schoonvader schoonzoon schoondochter kleinzoon kleindochter kleinkind neef nicht
vriend vriendin collega consulent consulente wmo-consulent wijkverpleegkundige verpleegkundige
thuiszorgmedewerker thuiszorg medewerker medewerkster begeleider begeleidster casemanager
mantelzorger mantelzorgster huisarts ouderenadviseur buurtcoach wijkcoach jongerenwerker
opbouwwerker wijkagent bewoner bewoonster cliënt client contactpersoon vrijwilliger
vrijwilligster coördinator hulp maatje tolk kapper fysiotherapeut therapeut ergotherapeut
schuldhulpverlener maatschappelijk werker cliëntondersteuner dementieconsulent""")
#: Officials named in their public role: not private persons.
_PUBLIC_ROLES = _words("""wethouder wethouders burgemeester raadslid raadsleden gedeputeerde
minister staatssecretaris commissaris kamerlid statenlid griffier gemeentesecretaris koning
koningin prinses prins fractievoorzitter weth wthouder portefeuillehouder gemeenteraadslid ombudsman""")
_REPORT_VERBS = _words("""zei zegt vertelde vertelt vroeg vraagt vond vindt belde belt mailde
mailt stelde stelt merkte gaf geeft meldde meldt legde opperde benadrukte antwoordde
reageerde schreef schrijft las wil wilde heeft had kwam komt was""")
_PLACES = _words("""Deventer Colmschate Zandweerd Keizerslanden Diepenveen Bathmen Schalkhaar
Okkenbroek Lettele Olst Wijhe Zutphen Apeldoorn Zwolle Holten Raalte Rijssen Enschede Hengelo
Almelo Amsterdam Rotterdam Utrecht Eindhoven Groningen Nijmegen Arnhem Vijfhoek Knutteldorp
Hoven Voorstad Borgele Platvoet Rivierenwijk Paramaribo Kabul Eritrea Turkije Marokko Syrië
Haag Haarlem Oekraïne Charkiv Polen Duitsland België Nederland Europa Ghana Somalië Suriname Afrika Holland
Overijssel Gelderland Brussel Berlijn Parijs Londen Istanboel Ankara Asmara Damascus Kyiv Kiev
Parkinson Alzheimer Huntington Asperger Crohn Lyme Korsakov Down Duchenne
Engeland Frankrijk Spanje Italië Portugal Griekenland Oostenrijk Zwitserland Denemarken Zweden
Noorwegen Finland Ierland Schotland Amerika Canada Australië China Japan India Pakistan Afghanistan
Iran Irak Libanon Egypte Tunesië Algerije Ethiopië Soedan Nigeria Kaapverdië Curaçao Aruba Bonaire
Antillen Indonesië Molukken Bulgarije Roemenië Hongarije Tsjechië Slowakije Rusland Litouwen Letland
Estland Kroatië Servië Bosnië Albanië Kosovo Armenië Georgië Azerbeidzjan Koerdistan Jemen Israël
Palestina Jordanië Brazilië Colombia Venezuela Chili Peru Argentinië Mexico Cuba Jamaica Congo
Kameroen Senegal Gambia Guinee Liberia Angola Kenia Oeganda Tanzania Rwanda Burundi Zambia Zimbabwe
Mozambique Filipijnen Vietnam Thailand Maleisië Myanmar Nepal Bangladesh Tibet Mongolië Amersfoort
Leiden Delft Breda Tilburg Maastricht Leeuwarden Assen Emmen Zaandam Almere Lelystad Hoorn Alkmaar
Venlo Heerlen Gouda Dordrecht Schiedam Vlaardingen Kampen Hardenberg Ommen Dalfsen Epe Voorst Twello
Gorssel Lochem Hellendoorn Nijverdal Doetinchem Ede Wageningen Veenendaal Harderwijk Friesland
Drenthe Zeeland Limburg Brabant Twente Salland Veluwe Achterhoek Randstad
Zonnebloem Humanitas Sarana Wmo Jeugdwet Participatiewet Facebook WhatsApp Google Teams Zoom
""")
#: Shops, brands and organisations that look like names.
_ORGS = ("Albert Heijn|Jan Linders|Dirk van den Broek|(?<=de )Dirk|Van der Valk|Van Dale|Leger des Heils|"
         "Zilveren Kruis|Douwe Egberts|Hans Anders|Bakker Bart|Zeeman|Blokker|Kruidvat|Etos|Jumbo|"
         "HEMA|Hema|Lidl|Aldi|Action|Plus|Coop|Spar|Vomar|Hoogvliet|Dekamarkt|Poiesz|Gamma|Praxis|"
         "Karwei|Intratuin|Wibra|Xenos|Primark|Ikea|IKEA|MediaMarkt|Rabobank|Kwantum|Trekpleister|"
         "Den Haag|Raad van State|Tweede Kamer|Eerste Kamer|Jezus en Maria|Jezus|Christus|Sinterklaas")
_STREET_SUFFIX = (r"straat|straatweg|laan|weg|plein|singel|gracht|kade|dijk|steeg|pad|hof|park|dreef|"
                  r"markt|ring|boulevard|allee|erf|wal|veld|plantsoen|kamp|hoek|brink|berg|baan|dam|"
                  r"zijde|oord|horst|haven|burcht|akker|es|stede|poort|welle|weide|hoven|kamp|gang|"
                  r"stoep|dwarsstraat|buurt|wijk|lanen|straatje|pleintje|promenade|passage|kwartier")
#: Words before a street suffix that make "Bram van Kerkstraat" a person from a street.
_STREET_STEMS = _words("""kerk dorp molen school stations hoofd markt water zand wind linde eiken
beuken vogel bloem park brug haven sluis poort wal tuin stad burg heren keizer konings prinsen
smeden bakkers nieuwe oude lange korte hoge lage groen zon maan ster bergen beek rivier berken
essen wilgen populieren rozen tulpen lelie fabriek spoor kanaal polder veld bos heide akker
weide kamp dijk hof weg straat laan plein singel""")


def _street_stem(stem: str) -> bool:
    """Whether a street's first part is an ordinary word ("Kerk", "Dorps", "Molen"), so that
    "Bram van Kerkstraat" is Bram from that street, not a street named after a person."""
    stem = stem.lower()
    return stem in _STREET_STEMS or stem[:-1] in _STREET_STEMS and stem[-1] in "se" \
        or stem[:-2] in _STREET_STEMS and stem[-2:] == "en"


def _load_names(filename: str) -> tuple[frozenset[str], frozenset[str]]:
    """(names, names that are also Dutch words) from ``privacy_data/filename``."""
    plain, ambiguous = set(), set()
    path = _DATA / filename
    for line in path.read_text(encoding="utf-8").splitlines():
        name, _, flag = line.partition("\t")
        if not name or name.lower() in _TUSSEN_WORDS:
            continue
        for part in {name, name.split()[-1]}:   # "de Vries" is also looked up as "Vries"
            if part.lower() not in _TUSSEN_WORDS:
                (ambiguous if flag == "~" or part.lower() in _COMMON else plain).add(part)
    return frozenset(plain), frozenset(ambiguous)


_FIRST, _FIRST_AMBIGUOUS = _load_names("first_names.txt")
_LAST, _LAST_AMBIGUOUS = _load_names("surnames.txt")
_FIRST_AMBIGUOUS |= _words("Ben Wil Max Will Mark Roos Fleur Hoop Dag Mei April Juni Bas Rob Dean "
                           "Lente Zon Ster Jade Pim Joy Grace Hope Angel Summer Hunter Rose Beste "
                           "Ramadan Divali Diwali Holi")
_FIRST = (_FIRST - _FIRST_AMBIGUOUS - _PLACES) | _words("Gerrit Henk Piet Kees")
_LAST = _LAST - _LAST_AMBIGUOUS - _PLACES - _FIRST_AMBIGUOUS
#: First names (any origin) taken as a name without further context.
FIRST_NAMES = _FIRST
#: Surnames taken as a name without further context ("Jansen zei").
SURNAMES = _LAST


def _read_list(filename: str) -> frozenset[str]:
    lines = (_DATA / filename).read_text(encoding="utf-8").splitlines()
    return frozenset(w for line in lines if not line.startswith("#") for w in line.split())


#: Towns, regions, languages, demonyms and organisations: never taken as a name on their own.
_TOWNS = _read_list("non_names.txt") | _PLACES


@lru_cache(maxsize=1)
def _lexicon() -> frozenset[str]:
    """Dutch words (lower case) from spaCy's Dutch lemma tables (``spacy-lookups-data``, a
    dependency of consult, loaded once per process; empty if it is missing)."""
    try:
        from analysis.nlp.lookups import lemma_index, lemma_lookup
        table, index = lemma_lookup(), lemma_index()
    except Exception:   # pragma: no cover - the package is a declared dependency
        return frozenset()
    words = set(table)
    words.update(table.values())
    for lemmas in index.values():
        words.update(lemmas)
    return frozenset(words)


def _zipf(word: str) -> float:
    try:
        from wordfreq import zipf_frequency
    except ImportError:   # pragma: no cover - a declared dependency
        return 0.0
    return zipf_frequency(word, "nl")


@lru_cache(maxsize=65536)
def _common_elsewhere(low: str) -> bool:
    """A frequent Dutch word the lemma tables lack ("toch") or a common English word
    ("Community", "Treatment"): Zipf frequency from ``wordfreq`` (a dependency of consult)."""
    try:
        from wordfreq import zipf_frequency
    except ImportError:   # pragma: no cover
        return False
    return zipf_frequency(low, "nl") >= 4.5 or zipf_frequency(low, "en") >= 3.0


_VENUE_HEADS = _words("huis centrum school kerk zaal gebouw theater hal punt plek winkel feest")
_ADJ_ENDINGS = ("e", "se", "sche", "ische", "en", "s")


@lru_cache(maxsize=1)
def _adjectives() -> frozenset[str]:
    """Dutch adjectives (lower case) from spaCy's Dutch lemma index."""
    try:
        from analysis.nlp.lookups import lemma_index
        return frozenset(lemma_index()["adj"])
    except Exception:   # pragma: no cover - a declared dependency
        return frozenset()


_NEXT_WORD_RE = re.compile(r" ([^\W\d_]+)")


def _venue_place(text: str, end: int) -> bool:
    """Whether a town or district follows ``end`` ("Villa Voorstad", "Hof Bathmen")."""
    m = _NEXT_WORD_RE.match(text, end)
    return m is not None and m.group(1) in _TOWNS


def _possessive(word: str) -> bool:
    """"Jansens", "Ahmeds": a listed first name or surname with a genitive -s, no Dutch word."""
    if word.endswith(("'s", "’s")):                # "Fatima's moeder"
        return word[:-2] in _FIRST or word[:-2] in _LAST
    base = word[:-1]
    return len(word) >= 5 and word.endswith("s") and not word.endswith("ss") \
        and (base in _FIRST or base in _LAST) and word.lower() not in _lexicon() and not _dutch_word(word)


def _plural_s(word: str) -> bool:
    """"Koopmans": a Dutch word only as the plural or genitive -s of one ("koopman")."""
    low = word.lower()
    lex = _lexicon()
    return low.endswith("s") and low not in lex and len(low) >= 6 and low[:-1] in lex


@lru_cache(maxsize=65536)
def _dutch_word(word: str) -> bool:
    """Whether ``word`` (any case) is an ordinary Dutch word, an inflected form of one or a
    compound of them ("Thuisadministratie", "Wmo-consulent"): then a capital does not make
    it a name. Names that the lemma tables also hold are looked up in the name lists first."""
    low = word.lower()
    if "-" in low:
        return _dutch_word(low.rsplit("-", 1)[1])
    lex = _lexicon()
    if low in lex or low in _COMMON:
        return True
    if any(low.endswith(e) and low[:-len(e)] in lex for e in _ADJ_ENDINGS if len(low) - len(e) >= 4):
        return True
    if low.endswith(("aanse", "landse", "ische", "iaanse", "ese", "ees")):   # Amerikaanse, Utrechtse
        return True
    if len(low) >= 7:
        try:
            from analysis.nlp.compounds import split_compound
        except ImportError:   # pragma: no cover
            return False
        parts = split_compound(low)
        # not "Tijssen" = tij + sen, but "Hiphuis" (a venue) = hip + huis
        return len(parts) > 1 and (min(map(len, parts[:-1])) >= 4 or parts[-1] in _VENUE_HEADS)
    return False


# --- patterns ---------------------------------------------------------------------------

_UPPER = "A-ZÀ-ÖØ-ÞĀ-ſ"   # Latin-1 capitals and Latin Extended-A (Ş, Ç, Ğ, İ; both cases there)
_LOWER = "a-zß-öø-ÿ"
_NOT_AFTER_NUMBER = r"(?![\w%€]|[.,:/-]\d)"

EMAIL_RE = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}\b")
PHONE_RE = re.compile(
    r"(?<![\w+/.,-])(?:(?:\+|00)[1-9]\d{0,2}[ .-]?(?:\(0\)[ .-]?)?|\(0\d{1,3}\)[ .-]?)?"
    r"\d(?:(?: ?[-./] ?| )?\d){5,13}" + _NOT_AFTER_NUMBER)
#: Non-personal Dutch numbers: organisations (088), free (0800) and paid (090x) lines.
_SERVICE_PREFIXES = ("088", "0800", "0900", "0906", "0909")
BSN_RE = re.compile(
    r"(?<![\w.,/-])(?:\d{4}[. ]\d{2}[. ]\d{3}|\d{3}[. ]\d{3}[. ]\d{3}|\d{3}[. ]?\d{2}[. ]?\d{2}[. ]?\d{2}"
    r"|\d{9})" + _NOT_AFTER_NUMBER)
_CASE_CONTEXT_RE = re.compile(
    r"(?:zaak|kenmerk|dossier|factuur|referentie|klant|order|registratie|polis|relatie|aanvraag|"
    r"nota|besluit|brief|document|project|contract|kvk|btw|artikel|ticket|meldings?)\w*\W{0,3}"
    r"(?:nummer|nr\.?|no\.?)?\W{0,3}$", re.IGNORECASE)
IBAN_RE = re.compile(
    r"\b[Nn][Ll] ?\d{2} ?(?:[A-Za-z] ?){4}(?:\d ?){9}\d\b"
    r"|\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b")
POSTCODE_RE = re.compile(r"\b[1-9]\d{3}(?: ?[A-Z]{2}|[a-z]{2}| [a-z]{2})\b")
_POSTCODE_NOT = _words("""SA SD SS km kg mg ml cl dl cm mm cc kw mb gb kb tb hz pk uu st
en of al in op de is om te na ik je we ze er zo nu ja an at nr tm tot een met voor""")
_POSTBUS_RE = re.compile(r"(?:postbus|antwoordnummer)\s*\d+\s*,?\s*$", re.IGNORECASE)

_HOUSE_NUMBER = (r"\d{1,5}(?! ?(?:keer|uur|jaar|min|minuten|dagen|weken|maanden|euro|personen|mensen|"
                 r"procent|%|km|meter|kinderen)\b)"
                 r"(?:[ ]?[A-Za-z](?!\w))?(?:[ ]?-[ ]?(?:[IVX]{1,4}|\d{1,4}(?:[ ]?hoog)?|[A-Za-z])(?!\w))?"
                 r"(?:[ ](?:bis|hs|huis|bg|rd|zw|I{1,3}|\d?hoog|boven)\b)?")
_STREET_ABBREV = r"(?:(?:Burg|Prof|Dr|Mr|St|Kon|Pr|Gen|Ds|Past|Jhr|Ir|Ing|Mgr|Bisschop)\. ?|Sint |Burgemeester )"
_CAPW = rf"[{_UPPER}][{_LOWER}]+(?:-[{_UPPER}][{_LOWER}]+)*"
_TUSSEN_RE = r"(?:van der|van den|van de|van het|van 't|in 't|op de|de la|van|de|der|den|ter|ten|te|het|'t)"
ADDRESS_RE = re.compile(
    # a street ending in a usual suffix: Kerkstraat, Jan van Galenstraat, Burg. Van Sonsbeeckstraat
    rf"(?:\b{_STREET_ABBREV})?\b(?:{_CAPW}[ -](?:{_TUSSEN_RE} )?){{0,3}}"
    rf"[{_UPPER}][{_LOWER}]*(?:{_STREET_SUFFIX})(?:-[{_UPPER}][{_LOWER}]+)? {_HOUSE_NUMBER}"
    # Laan van Borgele, Laan van Nieuw Oost-Indië, Oude Markt, Brink, Singel
    rf"|\b(?:Laan|Weg|Plein|Pad|Achter|Binnen|Buiten|Boven|Over) (?:{_TUSSEN_RE} )?{_CAPW}(?: {_CAPW})? {_HOUSE_NUMBER}"
    rf"|\b(?:(?:Oude|Nieuwe|Grote|Kleine|Lange|Korte|Hoge|Lage) )?"
    rf"(?:Brink|Singel|Markt|Worp|Hof|Plein|Kade|Wal|Dijk|Haven|Dam|Ring|Gracht|Esch|Bergpoort|Stromarkt) {_HOUSE_NUMBER}"
    # lower-case streets: kerkstraat 12, hoge hondstraat 3b
    rf"|\b(?:(?:hoge|lage|lange|korte|oude|nieuwe|grote|kleine|sint|burg\.) )?[a-z]{{2,}}(?:straat|straatweg|laan|weg|plein|singel|gracht|kade|dijk|steeg|dreef|markt) "
    rf"{_HOUSE_NUMBER}")
#: "woon op de Worp 3", "aan de Kapjeswelle 12": a capitalised word and a number after
#: living there.
ADDRESS_CONTEXT_RE = re.compile(
    rf"\b(?:woon|woont|wonen|woonde|woonachtig|verhuisd|adres(?: is)?:?|bezorgen|afzender:?)\s"
    rf"(?:(?:nu|al|sinds kort|zelf|nog)\s)?(?:(?:op|aan|in|naar)\s)?(?:(?:de|het)\s)?"
    rf"({_CAPW}(?: {_CAPW})? {_HOUSE_NUMBER}|[{_LOWER}]{{4,}} {_HOUSE_NUMBER})")
_ADDRESS_NOT = _words("""Wmo Artikel Hoofdstuk Bijlage Groep Lijn Fase Bus Versie Ronde Week Jaar
Nummer Pagina nummer huisnummer etage verdieping kamer flat appartement""")

_MONTHS = (r"januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december|"
           r"jan|feb|mrt|apr|jun|jul|aug|sep|sept|okt|nov|dec")
_DATE = (rf"\d{{1,2}}[-/.]\d{{1,2}}[-/.](?:19|20)?\d{{2}}|\d{{1,2}} (?:{_MONTHS})\.? (?:19|20)\d{{2}}"
         rf"|(?:19|20)\d{{2}}-\d{{2}}-\d{{2}}")
BIRTH_DATE_RE = re.compile(
    rf"\b(?:geboren|geb\.|geboortedatum|geb\.? ?datum|geboortejaar)(?:\s+(?:op|is|in|d\.d\.|cliënt|client|"
    rf"van \w+ \w+|aanvrager|partner))?\s*:?\s*"
    rf"({_DATE}|(?<=in )(?:19|20)\d{{2}}|(?<=geboortejaar )(?:19|20)\d{{2}})(?!\d)"
    rf"|\bik ben van ((?:19[0-9]|200)\d)\b"
    # "die in 1939 geboren is", "ik ben op 3 mei 1950 geboren"
    rf"|\b(?:in|op)\s({_DATE}|(?:19|20)\d{{2}})\s+geboren\b", re.IGNORECASE)

_AGE_REL = (r"buurman|buurvrouw|buurjongen|buurmeisje|moeder|vader|zoon|dochter|man|vrouw|partner|"
            r"echtgenoot|echtgenote|oma|opa|broer|zus|schoonmoeder|schoonvader|kleinzoon|kleindochter|"
            r"kleinkind|tante|oom|neef|nicht|vriend|vriendin|cliënt|client|bewoner|bewoonster|kind|"
            r"weduwe|weduwnaar|jongen|meisje|dame|heer|mevrouw|meneer|schoonzus|mantelzorger")
_AGE_NUMBER = (r"(\d{1,3}(?: jaar(?: oud)?(?! (?:geleden|lang|getrouwd|samen|later|eerder|in|op|bij)))?)"
               r"(?![\w%,.-]\d|[\w%-]| (?:kinderen|kleinkinderen|weken|maanden|dagen|uur|keer|euro|"
               r"procent|km|meter|mensen|personen|jaar|deelnemers|minuten))")
AGE_RE = re.compile(
    rf"\b(?:(?:mijn|m'n|onze|ons|haar|zijn|hun|de|een|die)\s(?:[a-zë]+\s)?)?(?:{_AGE_REL})\s"
    rf"(?:van|is|wordt|werd|was)\s(?:nu\s|al\s|bijna\s|inmiddels\s|pas\s|ruim\s)?{_AGE_NUMBER}"
    rf"|\b(?:{_AGE_REL})\s?\((\d{{1,3}})(?: jaar)?\)"
    rf"|\b(?:mijn|m'n|onze|haar|zijn)\s(?:{_AGE_REL}), (\d{{1,3}}(?: jaar)?),"
    rf"|\bik\sben\s(?:nu\s|zelf\s|al\s|inmiddels\s|bijna\s|pas\s)?(\d{{2,3}}(?: jaar(?: oud)?)?)"
    rf"(?=\s*(?:jaar|[,.;)!]|$|\s(?:en|maar|dus|want|heb|woon|ben|oud)\b))"
    rf"|\b(?:mijn|m'n|onze|de|haar|zijn)\s(\d{{2,3}}-jarige)\b", re.IGNORECASE)
#: An age right after a name: "Mevrouw Hendriks (84)", "Henk, 91 jaar,", "Tjin werd 100".
_AGE_AFTER_NAME_RE = re.compile(
    r" ?\((\d{1,3})(?: jaar)?\)|, (\d{1,3}(?: jaar)?),| (?:is|werd|wordt) (\d{2,3})(?: jaar)?\b")

_L, _D = "[A-Za-z]", r"\d"
_SIDECODES = ("LL-DD-DD", "DD-DD-LL", "DD-LL-DD", "LL-DD-LL", "LL-LL-DD", "DD-LL-LL", "DD-LLL-D",
              "D-LLL-DD", "LL-DDD-L", "L-DDD-LL", "LLL-DD-L", "L-DD-LLL", "D-LL-DDD", "DDD-LL-D")
LICENCE_PLATE_RE = re.compile(
    r"(?<![\w-])(?:" + "|".join(code.replace("L", _L).replace("D", _D) for code in _SIDECODES) + r")(?![\w-])")
_ORG_RE = re.compile(rf"\b(?:{_ORGS})\b")

_TOKEN_RE = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*\.?")
_SENTENCE_GAP_RE = re.compile(r"[.!?:;\n•\"“\[]|^\s*-\s*$")
_TRIGGER_GAP_RE = re.compile(r"\s?[,(:]?\s?")
_ABBREVIATIONS = _words("dhr mevr mw dr burg prof st fam geb tel nr mr ir ing drs ds jhr kon pr gen "
                        "past mgr bijv ca evt incl max min a.u.b t.a.v o.a weth")
#: Initials of more than one letter: "Th. Oorthuis", "Chr. de Boer".
_LONG_INITIALS = _words("Th Ch Ph Chr Joh Wm Fr Gerh Jac Corn Hk")
_STRONG_STREET = re.compile(r"[\w'-]{2,}(?:straat|straatweg|laan|weg|plein|singel|gracht|kade|steeg|dreef|"
                            r"boulevard|plantsoen|allee|promenade|dijk|markt)", re.IGNORECASE)
_ANY_STREET = re.compile(rf"[\w'-]{{2,}}(?:{_STREET_SUFFIX})", re.IGNORECASE)
_NATIONALITY_END = ("s", "se", "isch", "ische", "ees", "ese", "aan", "aanse", "er", "ster", "ling", "ër", "ïer")
_ORG_NOUNS = _words("""woningcorporatie corporatie voetbalclub club moskee kerk wijkteam gemeente
bewonerscommissie huurdersvereniging buurthuis dagbesteding thuiszorg bibliotheek school
jongerenwerk welzijnsorganisatie stichting vereniging zorggroep huisartsenpraktijk apotheek
ouderenbond buurtteam voedselbank inloophuis zorgcentrum verzorgingshuis wijkvereniging""")
_NUMBER_AFTER_RE = re.compile(r" \d")
#: "Thomas a Kempis College", "Jan van Nassau School": capitalised words, then the institution.
_INSTITUTION_LATER_RE = re.compile(
    r" (?:(?:[A-Z][\w'-]*|a|à|van|de|der|den|von|la|le) ){1,3}(?:College|School|Lyceum|Ziekenhuis|Huis|"
    r"Instituut|Stichting|Fonds|Museum|Theater|Centrum|Kerk|Academie|Kliniek|Prijs)\b")
_INSTITUTION_AFTER_RE = re.compile(
    r" (?:[Zz]iekenhuis|[Ss]chool|[Bb]asisschool|[Cc]ollege|[Ll]yceum|[Hh]uis|[Ii]nstituut|[Ss]tichting|[Ff]onds|"
    r"[Mm]useum|[Tt]heater|[Cc]entrum|[Zz]aal|[Aa]cademie|[Kk]liniek|[Pp]rijs|[Bb]rug|[Tt]unnel|[Pp]ark|[Pp]lein|"
    r"[Ss]tadion|[Aa]rena|[Hh]ofje|[Kk]erk|[Mm]oskee|[Ll]eerstoel)\b(?!-)")
#: Buildings and institutions named after a person: the name is part of theirs.
_NAMED_AFTER_RE = re.compile(r"[\w'-]{3,}(?:school|college|kerk|centrum|huis|ziekenhuis|zaal|theater|museum|"
                             r"bibliotheek|stichting|fonds|prijs|brug|tunnel|gebouw|kliniek|academie|lyceum)",
                             re.IGNORECASE)
#: A street in capitals before a house number: "DORPSSTRAAT 8".
_CAPS_WORD_RE = re.compile(rf"\b[{_UPPER}]{{2}}[{_UPPER}-]*(?:STRAAT|LAAN|WEG|PLEIN|SINGEL|GRACHT|KADE|DIJK|"
                           rf"STEEG|DREEF|MARKT|HOF|PAD|BRINK)\b(?= \d)")


class _Tok:
    __slots__ = ("start", "end", "stop", "word", "dot", "lower", "case", "norm", "initial")

    def __init__(self, m: re.Match):
        word = m.group()
        self.dot = word.endswith(".")
        self.word = word[:-1] if self.dot else word
        self.start, self.end, self.stop = m.start(), m.end() - self.dot, m.end()
        self.lower = self.word.lower()
        first, rest = self.word[:1], self.word[1:]
        letters = rest.replace("-", "").replace("'", "").replace("’", "")
        if first.isupper():
            self.case = "U" if (not letters or letters.isupper()) else ("T" if letters[:1].islower() else "")
        else:
            self.case = "L" if self.word.islower() else ""
        self.norm = self.word if self.case == "T" else "-".join(p[:1].upper() + p[1:].lower()
                                                                 for p in self.word.split("-"))
        self.initial = self.dot and (len(self.word) == 1 and self.case == "U" or self.word in _LONG_INITIALS)


def _in(norm: str, names: frozenset[str]) -> bool:
    if norm in names:
        return True
    parts = norm.split("-")
    return len(parts) > 1 and all(p in _FIRST or p in _LAST for p in parts)


def _names(text: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(name spans, spans of officials in their public role) found in ``text``."""
    toks = [_Tok(m) for m in _TOKEN_RE.finditer(text)]
    n = len(toks)
    gaps = [text[toks[i - 1].stop:toks[i].start] if i else text[:toks[0].start] for i in range(n)] if n else []
    starts = [False] * n
    for i in range(n):
        if i == 0:
            starts[i] = True
            continue
        p = toks[i - 1]
        gap = gaps[i]
        starts[i] = bool(_SENTENCE_GAP_RE.search(gap)) or (
            p.dot and not p.initial and p.lower not in _ABBREVIATIONS and p.lower not in _STRONG_TITLES)

    def cap(t: _Tok) -> bool:
        return t.case in ("T", "U") and t.lower not in _COMMON and t.norm not in _PLACES

    def unknown(t: _Tok) -> bool:
        """A capitalised word that is in no name list and is no Dutch (or common English)
        word, town, street, title or abbreviation ("Portef.houder")."""
        return len(t.word) >= 4 and t.lower not in _COMMON and _NAME_SHAPE_RE.fullmatch(t.word) is not None \
            and not t.lower.endswith(_DEMONYM_END) \
            and t.lower not in _NO_NAME_WORDS and not any(part in _TOWNS for part in t.norm.split("-")) \
            and not (t.dot and text[t.stop:t.stop + 1].isalpha()) \
            and not _STRONG_STREET.fullmatch(t.word) and not _dutch_word(t.word) and not _common_elsewhere(t.lower)

    def _named_after(t: _Tok) -> bool:
        """"Grooteschool", "Thorbeckebrug", "Frankhuis": a building named after a person;
        not a surname ending in -huis ("Luttikhuis", "Nijhuis") unless its stem is a name."""
        m = _NAMED_AFTER_RE.fullmatch(t.word)
        if not m or _in(t.norm, _LAST):
            return False
        if t.lower.endswith("huis") and not t.lower.endswith(("ziekenhuis", "wijkhuis", "buurthuis")):
            stem = t.word[:-4].rstrip("-")
            return stem in _FIRST or stem in _LAST or stem.endswith("s") and stem[:-1] in _LAST
        return True

    def surname_after_tussen(j: int) -> bool:
        """Whether "van der" + a surname (not an ordinary word) starts at token ``j``."""
        if toks[j].lower not in _TUSSEN_WORDS:
            return False
        k = tussen_then_cap(j, False)
        return k > 0 and (_in(toks[k - 1].norm, _LAST) or toks[k - 1].norm in _LAST_AMBIGUOUS
                          or not _dutch_word(toks[k - 1].word))

    def tussen_then_cap(j: int, lower_ok: bool) -> int:
        """Index after "van der" + a surname starting at ``j``, or -1."""
        k = j
        while k < n and k - j < 3 and (toks[k].lower in _TUSSEN_WORDS and gaps[k] in (" ", "") or (
                k > j and toks[k].lower == "t" and gaps[k] in (" '", " ’"))):   # "van 't Hof": 't is "t"
            k += 1
        if k == j or k >= n or gaps[k] != " " or toks[k].dot and toks[k].initial:
            return -1
        t = toks[k]
        if cap(t) or t.case in ("T", "U") and (t.norm in _LAST_AMBIGUOUS or _in(t.norm, _LAST)) or (
                lower_ok and t.case == "L" and (t.lower not in _COMMON or _in(t.norm, _LAST)
                                                      or t.norm in _LAST_AMBIGUOUS)):
            return k + 1
        return -1

    def extend(i: int, lower: bool) -> int:
        """Index after the last token of the name starting at token ``i``; -1 when the
        name turns out to be part of a street name ("Jan van Galenstraat")."""
        j, end = i + 1, i + 1
        while j < n and j - i < 6 and gaps[j] == " " and not starts[j]:
            t = toks[j]
            if t.lower in _SURNAME_PREFIXES and t.case == "T" and j + 1 < n and gaps[j + 1] == " " \
                    and toks[j + 1].case == "T" and (_in(toks[j + 1].norm, _LAST) or unknown(toks[j + 1])):
                j = end = j + 2    # "Wilhelmina Oude Nijhuis", "Klein Gunnewiek"
                continue
            if t.lower in _TUSSEN_WORDS:
                k = tussen_then_cap(j, lower)
                if k < 0:
                    return end
                street = toks[k - 1]
                if _STRONG_STREET.fullmatch(street.word) or (
                        _ANY_STREET.fullmatch(street.word) and _NUMBER_AFTER_RE.match(text, street.end)):
                    m = re.match(rf"(.+?)(?:{_STREET_SUFFIX})$", street.lower)
                    return end if m and _street_stem(m.group(1)) else -1
                j = end = k
                continue
            joined = "-" in toks[j - 1].word and toks[j - 1].lower.rsplit("-", 1)[1] in _TUSSEN_WORDS
            if joined and t.case in ("T", "L"):      # "Linden-de Groot", "Jansen-van Dijk"
                j = end = j + 1
                continue
            if lower:
                ok = t.case == "L" and _in(t.word.capitalize(), _LAST)
            else:
                ok = (cap(t) or _in(t.norm, _LAST) or t.norm in _LAST_AMBIGUOUS) and t.case == toks[i].case \
                    or t.initial
            if not ok:
                break
            if _STRONG_STREET.fullmatch(t.word) or (_ANY_STREET.fullmatch(t.word) and len(t.word) > 6
                                                     and _NUMBER_AFTER_RE.match(text, t.end)) \
                    or _named_after(t):   # "Geert Grooteschool", "Thorbeckebrug"
                return -1
            j = end = j + 1
        return end

    def lower_tussen_name(j: int) -> int:
        """"van Dijk opende", "Volgens van den Broek", "ter Beek vroeg": a tussenvoegsel in
        lower case (no first name or title before it) and a surname. Index after the name,
        or -1 ("op de Brink", "van Deventer", "ten Noorden", "van der Valkstraat")."""
        k = tussen_then_cap(j, False)
        if k < 0:
            return -1
        chain = [toks[x].lower for x in range(j, k - 1)]
        sur = toks[k - 1]
        strong = len(chain) > 1 and chain[-1] in ("der", "den", "t")   # "van der Meer", "van 't Zand"
        if sur.case != "T" or sur.norm in _TOWNS or (sur.lower in _COMMON and not strong) or sur.lower in _COMPASS \
                or _STRONG_STREET.fullmatch(sur.word) or _named_after(sur) \
                or _ANY_STREET.fullmatch(sur.word) and _NUMBER_AFTER_RE.match(text, sur.end) \
                or sur.lower in _NO_NAME_WORDS:
            return -1
        listed = _in(sur.norm, _LAST)
        p = toks[j - 1] if j else None
        verb_after = k < n and gaps[k] == " " and toks[k].lower in _AFTER_NAME
        if chain == ["de"]:        # "de Graaf vond", not "aan de Brink", "bij de Bakker"
            ok = listed and not (p is not None and gaps[j] == " " and (
                p.lower in _PLACE_PREPS or p.lower in _NOT_BEFORE_NAME or p.lower in ("aan", "op", "over", "langs"))) \
                or sur.norm in _LAST_AMBIGUOUS and p is not None and gaps[j] == " " and p.lower in _NO_VAN_AFTER
            # "Volgens de Boer": a capital after "volgens de" is no noun
        elif chain[0] in ("de", "het", "te", "in", "op") and "t" not in chain and chain != ["de", "la"]:
            ok = False             # "in de Linde", "op het Plein"
        elif chain == ["van"]:     # "een brief van Jansen"; "van Wijk belde"; "Volgens van Dalen"
            ok = listed or starts[j] and cap(sur) or verb_after and (sur.norm in _LAST_AMBIGUOUS or unknown(sur)) or (
                p is not None and gaps[j] == " " and p.lower in _NO_VAN_AFTER and cap(sur))
        else:                      # van der, van den, van de, van 't, in 't, ter, ten
            ok = listed or strong or sur.norm in _LAST_AMBIGUOUS or unknown(sur)
        if not ok:
            return -1
        e2 = extend(k - 1, False)
        return -1 if e2 < 0 else max(k, e2)

    def van_is_preposition(j: int) -> bool:
        """"Het idee van Hendriks": "van" after a noun is the preposition, so only the
        surname is masked; "Volgens van Dalen", "met van Dijk": the tussenvoegsel."""
        p = toks[j - 1] if j else None
        return toks[j].lower == "van" and not starts[j] and p is not None and gaps[j] == " " \
            and p.lower not in _BEFORE_SURNAME and toks[j + 1].lower not in _TUSSEN_WORDS and toks[j + 1].lower != "t"

    def tussen_surname_end(k: int) -> int:
        """Index after "Van" / "Ter" + any capitalised word ("Van Wijk", "Van Hulst"), or -1."""
        j = k
        while j < n and toks[j].lower in _TUSSEN_WORDS and (j == k or gaps[j] == " ") and j - k < 3:
            j += 1
        if j < n and j > k and gaps[j] == " " and toks[j].case == "T" and toks[j].lower not in _TUSSEN_WORDS:
            return j + 1
        return -1

    def people_list(found: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """"Aanwezig: Groeneveld, Lammertink, Van Wijk en Okafor": every capitalised item of a
        list of people after its label is a name (not "wethouder Grijsen", "twee ambtenaren")."""
        out = list(found)
        for i, t in enumerate(toks):
            if t.lower not in _PEOPLE_LABELS or not text.startswith(":", t.stop):
                continue
            j = i + 1
            while j < n and not _SENTENCE_GAP_RE.search(gaps[j].replace(":", "", 1) if j == i + 1 else gaps[j]):
                first = toks[j]
                end = tussen_surname_end(j) if first.lower in _TUSSEN_WORDS and first.case == "T" else -1
                if end < 0 and first.case in ("T", "U") and coordinate_ok(first, first.case):
                    end = j + 1
                    while end < n and gaps[end] == " " and toks[end].case == first.case \
                            and coordinate_ok(toks[end], first.case):
                        end += 1
                if end > 0:
                    out.append((first.start, toks[end - 1].end))
                else:
                    end = j + 1
                    while end < n and gaps[end] == " " and toks[end].lower != "en":
                        end += 1
                if end < n and toks[end].lower == "en" and gaps[end] == " ":
                    end += 1
                elif end < n and gaps[end] not in (", ", "; ", " & ", " / "):
                    break
                j = end
        return out

    def coordinate_ok(t: _Tok, case: str) -> bool:
        """A capitalised word listed with a name ("Dijkman en Veldhuis") is a name too,
        unless it is a very common Dutch word, a town, a street or an acronym."""
        return t.case == case and len(t.word) >= 3 and t.lower not in _COMMON and t.norm not in _TOWNS \
            and not _STRONG_STREET.fullmatch(t.word) and not (case == "U" and len(t.word) < 4) \
            and (_in(t.norm, _FIRST) or _in(t.norm, _LAST) or not _dutch_word(t.word) or _zipf(t.lower) < 4.0)

    def coordinated(found: list[tuple[int, int]]) -> list[tuple[int, int]]:
        by_start = {t.start: k for k, t in enumerate(toks)}
        by_end = {t.end: k for k, t in enumerate(toks)}
        taken = set()
        for s, e in found:
            taken.update(k for k in range(by_start.get(s, n), by_end.get(e, -1) + 1))
        out = list(found)
        todo = list(found)
        while todo:
            s, e = todo.pop()
            a, b = by_start.get(s), by_end.get(e)
            if a is None or b is None:
                continue
            case = toks[a].case
            for k in (b + 1, b + 2, a - 1, a - 2):
                if not 0 <= k < n or k in taken:
                    continue
                if k in (b + 1, a - 1):     # "Dijkman, Veldhuis"
                    ok = (gaps[k] if k > b else gaps[a]) in (", ", " & ")
                else:                       # "Dijkman en Veldhuis", "Hoogland en Ter Horst"
                    c = b + 1 if k > b else a - 1
                    ok = toks[c].lower in ("en", "of") and gaps[c] == " " and gaps[c + 1] == " "
                if not ok:
                    continue
                t = toks[k]
                if k > b and t.lower in _TUSSEN_WORDS and t.case != "L":   # "Hoogland en Ter Horst"
                    end = tussen_surname_end(k)
                    if end > 0:
                        span = (t.start, toks[end - 1].end)
                        taken.update(range(k, end))
                        out.append(span)
                        todo.append(span)
                    continue
                if coordinate_ok(t, case if case in ("T", "U") else "T") and (
                        toks[b + 1 if k > b else a - 1].lower in ("en", "of") or _in(t.norm, _FIRST)
                        or _in(t.norm, _LAST) or unknown(t)):
                    taken.add(k)
                    out.append((t.start, t.end))
                    todo.append((t.start, t.end))
        return sorted(out)

    spans: list[tuple[int, int]] = []
    public: list[tuple[int, int]] = []
    i = 0
    while i < n:
        t = toks[i]
        p = toks[i - 1] if i else None
        p2 = toks[i - 2] if i > 1 else None
        after_trigger = p is not None and _TRIGGER_GAP_RE.fullmatch(gaps[i]) is not None
        kind = ""
        if after_trigger and (p.lower in _PUBLIC_ROLES or (
                (p.lower in _STRONG_TITLES or p.lower in _ACADEMIC_TITLES) and p2 is not None
                and p2.lower in _PUBLIC_ROLES)):   # "wethouder mevrouw Bos", "Wethouder mr. E.M. Jansen"
            kind = "public"
        elif after_trigger and p.lower in _STRONG_TITLES and p.lower not in ("fam", "familie", "dokter", "dr") \
                or after_trigger and p.lower in ("fam", "familie", "dokter", "dr") and cap(t):
            kind = "strong"
        elif after_trigger and p.lower in _ROLES and (cap(t) or t.initial or (
                t.lower in _TUSSEN_WORDS and t.case != "L" and tussen_then_cap(i, False) > 0)):
            kind = "role"
        elif p is not None and gaps[i] == " " and (
                (p.lower == "heet" and p2 is not None and (p2.lower in ("ik", "hij", "zij", "ze") or p2.lower in _ROLES))
                or (p.lower == "is" and p2 is not None and p2.lower == "naam")):
            kind = "intro"
        elif p is not None and gaps[i] == " " and p.lower == "ben" and p2 is not None and p2.lower == "ik":
            kind = "ben"

        start_ok = False
        lower = t.case == "L"
        if lower and not kind and t.lower in _TUSSEN_WORDS and i + 1 < n and (
                toks[i + 1].case != "L" or toks[i + 1].lower in _TUSSEN_WORDS or toks[i + 1].lower == "t") and not (
                p is not None and gaps[i] == " " and p.lower in _TUSSEN_WORDS):   # not "Van [den Broek]"
            end = lower_tussen_name(i)
            if end > 0:
                spans.append((toks[i + 1].start if van_is_preposition(i) else t.start, toks[end - 1].end))
                i = end
                continue
        if t.initial:
            k = i
            while k < n and toks[k].initial and (k == i or len(gaps[k]) <= 1 and not gaps[k].strip()):
                k += 1
            if k < n and gaps[k] in (" ", "") and (cap(toks[k]) or toks[k].lower in _TUSSEN_WORDS) \
                    and not toks[k].initial:
                end = k + 1 if cap(toks[k]) and toks[k].lower not in _TUSSEN_WORDS else tussen_then_cap(k, False)
                e2 = extend(end - 1, False) if end > 0 else 0
                if e2 < 0:     # "J. van Galenstraat": a street named after a person
                    i = end
                    continue
                if end > 0:
                    end = max(end, e2) if e2 > 0 else end
                    (public if kind == "public" else spans).append((t.start, toks[end - 1].end))
                    i = end
                    continue
        if kind == "public":
            j = i
            while j < n and (cap(toks[j]) or toks[j].initial or toks[j].lower in _TUSSEN_WORDS) \
                    and (j == i or gaps[j] == " "):
                j += 1
            if j > i:
                public.append((t.start, toks[j - 1].end))
                i = j
                continue
        if kind == "strong" and (p.lower in _BUILDING_TITLES or p2 is not None and p2.lower in ("het", "'t", "t")) \
                and _NAMED_AFTER_RE.fullmatch(t.word) and not _in(t.norm, _LAST):
            kind = "building"      # "het Dr. Schaepmanhuis", "de St. Jozefkerk"
        if kind == "strong":
            start_ok = cap(t) or t.lower in _TUSSEN_WORDS or (
                t.lower in _SURNAME_PREFIXES and t.case == "T" and i + 1 < n and gaps[i + 1] == " "
                and toks[i + 1].case == "T") or (lower and (
                _in(t.norm, _LAST) or _in(t.norm, _FIRST) or t.norm in _LAST_AMBIGUOUS))
        elif kind == "role":   # not "mijn man Litouws": an adjective in no name list
            start_ok = not (t.case == "T" and not _in(t.norm, _FIRST) and not _in(t.norm, _LAST)
                            and t.norm not in _LAST_AMBIGUOUS and t.norm not in _FIRST_AMBIGUOUS
                            and t.lower in _adjectives())
        elif kind == "intro":
            start_ok = cap(t) or (lower and t.lower not in _COMMON)
        elif kind == "ben":
            start_ok = (t.case in ("T", "U") and (_in(t.norm, _FIRST) or t.norm in _FIRST_AMBIGUOUS or (
                cap(t) and not t.lower.endswith(_NATIONALITY_END)))) or (
                lower and _in(t.word.capitalize(), _FIRST) and len(t.word) >= 3)
        elif t.case in ("T", "U") and t.norm not in _PLACES and (t.lower not in _COMMON or t.norm in _FIRST_AMBIGUOUS):
            q = toks[i + 1] if i + 1 < n else None
            next_surname = q is not None and gaps[i + 1] == " " and (
                (cap(q) and q.case == t.case and (_in(q.norm, _LAST) or _in(q.norm, _FIRST)))
                or q.case == "T" == t.case and unknown(q)         # "Ben Mekking"
                or surname_after_tussen(i + 1))                   # not "Wil de Wmo-consulent"
            speech = q is not None and gaps[i + 1] == " " and q.lower in _SPEECH_VERBS
            after_article = p is not None and gaps[i] == " " and p.lower in ("de", "het", "'t", "een")
            if t.case == "U" and len(t.word) < 4:       # KPN, GGD, SAS: acronyms
                start_ok = False
            elif t.lower in _COMMON:
                start_ok = next_surname
            elif _in(t.norm, _FIRST):
                start_ok = True
            elif _in(t.norm, _LAST):
                start_ok = not after_article or speech
            elif t.case == "T" and _possessive(t.word):   # "Jansens voorstel", "Ahmeds dochter"
                start_ok = not after_article
            elif t.norm in _LAST_AMBIGUOUS and t.case == "T" and not starts[i] and p is not None \
                    and gaps[i] == " " and p.lower in _SPEECH_VERBS:   # "Daarna sprak Prins"
                start_ok = True
            elif t.norm in _FIRST_AMBIGUOUS:
                start_ok = next_surname or (t.case == "T" and not starts[i] and not after_article and not (
                    q is not None and gaps[i + 1] == " " and q.case == "T"))   # "Kader Sociaal Domein"
            elif q is not None and gaps[i + 1] == " " and q.lower in _REPORT_VERBS and t.case == "T" and (
                    t.norm in _LAST_AMBIGUOUS or q.lower in _SPEECH_VERBS) and not (
                    p is not None and p.lower == "een" and gaps[i] == " ") and not t.lower.endswith(_DEMONYM_END):
                start_ok = True
            elif t.case == "T" and i + 3 < n and toks[i + 1].lower == "en" and gaps[i + 1] == " " \
                    and toks[i + 2].lower in ("zijn", "haar", "hun") and gaps[i + 2] == " " \
                    and toks[i + 3].lower in _ROLES:   # "Wijnand en zijn vrouw"
                start_ok = True
            elif t.case == "T" and p is not None and p.lower in _NOTE_LABELS and gaps[i] == " " \
                    and text.startswith(":", t.stop):   # "Reactie Maasdam: ..."
                start_ok = True
            elif t.case == "T" and i + 3 < n and toks[i + 1].lower == "van" and gaps[i + 1] == " " \
                    and toks[i + 2].lower in ("de", "het") and toks[i + 3].lower in _ORG_NOUNS \
                    and not t.lower.endswith(("ie", "heid", "ing", "schap", "teit")):
                start_ok = True
            elif t.case == "T" and starts[i] and q is not None and gaps[i + 1] == " " \
                    and q.lower in _SINGULAR_VERBS and _plural_s(t.word) and t.norm not in _TOWNS:
                start_ok = True    # "Koopmans vond": no plural noun before a singular verb
            elif t.case == "T" and unknown(t):
                # a word that is no Dutch word, town or organisation: a name when it stands
                # where names stand ("Sevgi vond", "met Tsegay", "- Hessel:"), not after an
                # article or a place preposition ("in Snippeling", "het Trefpunt") and not
                # inside a run of capitalised words ("Hanze Wonen", "Stichting Sarana")
                if starts[i]:
                    start_ok = q is not None and gaps[i + 1] == " " and (
                        q.lower in _AFTER_NAME or q.case == "T" and (_in(q.norm, _LAST) or unknown(q))) \
                        or text.startswith(":", t.stop)
                else:
                    start_ok = not (gaps[i] == " " and (p.lower in _NOT_BEFORE_NAME or p.lower in _ORG_NOUNS or (
                        p.case in ("T", "U") and p.lower not in _COMMON and p.lower not in _GREETINGS)))
                    if start_ok and gaps[i] == ", " and p.case in ("T", "U") and not (
                            _in(p.norm, _FIRST) or _in(p.norm, _LAST) or unknown(p)):
                        start_ok = False     # "Fontein, Vijfhoek, Helios": a list of venues
                if start_ok and q is not None and gaps[i + 1] == " " and q.case in ("T", "U") \
                        and not (_in(q.norm, _LAST) or _in(q.norm, _FIRST) or unknown(q)
                                 or q.norm in _LAST_AMBIGUOUS or q.norm in _FIRST_AMBIGUOUS):
                    start_ok = False
        elif lower and len(t.word) >= 4 and t.lower not in _COMMON and (t.word.capitalize() in _FIRST or (
                "-" in t.word and _in(t.norm, _FIRST))):
            start_ok = True
        if start_ok and not kind and t.norm in _TOWNS and (starts[i] or p is None or p.lower in _PLACE_PREPS) \
                and not (i + 1 < n and toks[i + 1].lower in _SPEECH_VERBS):
            start_ok = False   # "in Hoogeveen", "Steenbergen is ver weg": a town, not Mr Hoogeveen
        first_ben = t.lower == "ben" and t.case == "T" and start_ok   # "Ben Mekking", "ik ben Ben"
        if t.lower in _TUSSEN_WORDS and kind not in ("strong", "role", "intro") and not first_ben:
            # "Van der Linden vroeg", "De Haan zei", "El Amrani": a known surname after it
            k = tussen_then_cap(i, False) if t.case == "T" else -1
            if k < 0 and t.case == "T" and t.lower in ("ter", "ten", "van") and starts[i]:
                k = tussen_surname_end(i)      # "Ter Haar had vragen": a verb after it
                k = k if 0 < k < n and gaps[k] == " " and toks[k].lower in _SINGULAR_VERBS else -1
                if k > 0:
                    spans.append((t.start, toks[k - 1].end))
                    i = k
                    continue
            speech = k > 0 and k < n and gaps[k] == " " and toks[k].lower in _SPEECH_VERBS
            start_ok = k > 0 and (speech or (_in(toks[k - 1].norm, _LAST) or toks[k - 1].norm in _LAST_AMBIGUOUS)
                                  and t.lower not in ("de", "het", "'t", "te"))
        if not start_ok:
            i += 1
            continue
        if t.lower in _TUSSEN_WORDS and not first_ben:
            end = tussen_then_cap(i, lower)
            if end < 0:
                i += 1
                continue
            e2 = extend(end - 1, lower)
            if e2 < 0:        # "In de Jan Luykenstraat": part of a street name
                i = end
                continue
            end = max(end, e2) if e2 > 0 else end
        else:
            end = extend(i, lower)
        if end < 0:           # a street named after a person
            i += 1
            continue
        spans.append((t.start, toks[end - 1].end))
        i = end
    if n and any(t.lower in _PEOPLE_LABELS for t in toks):
        spans = people_list(spans)
    if spans:
        spans = coordinated(spans)
        # "het Albert Schweitzer ziekenhuis", "Het Titus Brandsma Huis": named after a person;
        # "Villa Voorstad": a word that is also a surname, before a town or district
        spans = [(s, e) for s, e in spans if not _INSTITUTION_AFTER_RE.match(text, e)
                 and not _INSTITUTION_LATER_RE.match(text, e) and not (
            " " not in text[s:e] and text[s:e].lower() in _lexicon() and _venue_place(text, e))]
    return spans, public


#: Words after which a capitalised unknown word is taken as a name at the start of a sentence.
_AFTER_NAME = _words("""zei zegt vertelde vertelt vroeg vraagt vond vindt belde belt mailde mailt
stelde stelt merkte gaf geeft meldde meldt legde opperde benadrukte antwoordde reageerde schreef
schrijft las wil wilde heeft had kwam komt was is en sprak spreekt kan kon moet moest zag ziet ging
gaat hoorde bracht nam neemt liet deed doet woont woonde werkt werkte zou zal wist weet denkt dacht
mist miste zoekt zocht hielp helpt kreeg krijgt zit zat stond staat kent kende loopt liep maakte
vertaalde bezocht heb ben ook uit van""")
#: Words after which a capitalised unknown word is a place, venue or thing, not a name.
_NOT_BEFORE_NAME = _words("""de het een 't deze dit in naar te uit richting nabij heet heten
genaamd noemen noemt cursus project programma training app website methode regeling krant
festival actie platform merk""")
_NAME_SHAPE_RE = re.compile(rf"[{_UPPER}][{_LOWER}]+(?:['’-][{_UPPER}{_LOWER}][{_LOWER}]+)*")
_DEMONYM_END = ("ërs", "ïers", "ïners", "iërs", "ianen", "ezen", "ijnen", "anen",
                "ër", "ïer", "ïner", "aans", "aams", "aamse")   # Eritreeër, Oekraïner, Surinaams
_COMPASS = _words("noorden zuiden oosten westen noordoosten noordwesten zuidoosten zuidwesten")
#: Words after which a lower-case "van" starts a surname ("Volgens van Dalen", "met van Dijk").
_BEFORE_SURNAME = _words("""volgens met door voor namens aan bij en of dat ook zei zegt vroeg vraagt
sprak spreekt belde belt gaf heeft had is was zijn waren werd wordt dan maar want toen nu mevrouw
meneer heer zoals als tegen over via""")
_ACADEMIC_TITLES = _words("mr dr drs ir ing prof ds bc ma msc")
#: Words never followed by the preposition "van", so "van" after them starts a surname.
_NO_VAN_AFTER = _words("volgens namens door met tegen via zei vroeg sprak belde mevrouw meneer heer")
_BUILDING_TITLES = _words("dr prof mr ir drs ds st")
_NO_NAME_WORDS = _PUBLIC_ROLES | _ROLES | _STRONG_TITLES | _ABBREVIATIONS | _TUSSEN_WORDS
_SURNAME_PREFIXES = _words("oude olde klein groot")
_SINGULAR_VERBS = _words("""zei zegt vertelde vertelt vroeg vraagt vond vindt belde belt mailde
mailt stelde stelt merkte gaf geeft meldde meldt legde opperde benadrukte antwoordde reageerde
schreef schrijft wil wilde heeft had kwam komt sprak spreekt kan kon moet moest zag ziet ging gaat
hoorde bracht nam neemt liet deed doet woont woonde werkt werkte wees""")
#: Labels of a list of people in notes: "Aanwezig: Groeneveld, Lammertink, ...".
_PEOPLE_LABELS = _words("aanwezig afwezig aanwezigen deelnemers wie afmelding afmeldingen notulist notulen")
_PLACE_PREPS = _words("in naar uit te vanuit richting rond nabij tot buiten bij")
_GREETINGS = _words("""groetjes groet groeten beste lieve liefs hoi hallo dag namens gr mvg""")
_NOTE_LABELS = _words("reactie vraag opmerking inbreng antwoord toelichting idee suggestie")
_SPEECH_VERBS = _words("""zei zegt vertelde vertelt vroeg vraagt belde belt mailde mailt stelde
stelt merkte meldde meldt benadrukte antwoordde reageerde opperde sprak spreekt""")


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _phone_ok(raw: str) -> bool:
    digits = _digits(raw.replace("(0)", ""))
    if raw.startswith(("+", "00")):
        digits = digits[2:] if raw.startswith("00") else digits
        if digits.startswith("31"):
            national = digits[2:]
            return len(national) == 9 and national[0] != "0" and not ("0" + national).startswith(_SERVICE_PREFIXES)
        return 9 <= len(digits) <= 15
    if raw.startswith("("):
        return len(digits) == 10
    return len(digits) == 10 and digits[0] == "0" and digits[1] != "0" and not digits.startswith(_SERVICE_PREFIXES)


def detect(text: str, kinds: Iterable[str] | None = None) -> list[Span]:
    """Personal data in ``text``: non-overlapping spans, in order (longest first wins);
    only spans of ``kinds`` (e.g. :data:`CONTACT`) when given."""
    found: list[Span] = []
    # only the kinds asked for are looked for, so another kind never hides one of them
    want = LABELS.keys() if kinds is None else frozenset(kinds)

    def add(start: int, end: int, kind: str) -> None:
        found.append(Span(start, end, kind, text[start:end]))

    for m in EMAIL_RE.finditer(text) if "email" in want else ():
        add(m.start(), m.end(), "email")
    for m in IBAN_RE.finditer(text) if "iban" in want else ():
        if iban_valid(m.group()):
            add(m.start(), m.end(), "iban")
    for m in BSN_RE.finditer(text) if "bsn" in want else ():
        digits = _digits(m.group())
        if bsn_valid(digits) and not digits.startswith("0") \
                and not _CASE_CONTEXT_RE.search(text, max(0, m.start() - 40), m.start()):
            add(m.start(), m.end(), "bsn")
    for m in PHONE_RE.finditer(text) if "phone" in want else ():
        if _phone_ok(m.group()):
            add(m.start(), m.end(), "phone")
    for m in POSTCODE_RE.finditer(text) if "postcode" in want else ():
        if m.group()[-2:] not in _POSTCODE_NOT and not _POSTBUS_RE.search(text, max(0, m.start() - 30), m.start()):
            add(m.start(), m.end(), "postcode")
    if "address" in want:
        # forms in capitals ("ADRES: DORPSSTRAAT 8"): read capitalised words as "Dorpsstraat"
        # (same length, so the offsets hold)
        street_text = _CAPS_WORD_RE.sub(lambda w: w.group().capitalize(), text) \
            if _CAPS_WORD_RE.search(text) else text
        for m in ADDRESS_RE.finditer(street_text):
            start = m.start()
            split = re.match(rf"({_CAPW}) (?:van|uit) (?=([{_UPPER}][{_LOWER}]+?)(?:{_STREET_SUFFIX}))", m.group())
            if split and _street_stem(split.group(2)):   # "Bram van Kerkstraat 12a"
                start += split.end()
            number = re.search(r" (\d+)", m.group())
            if number and len(number.group(1)) == 4 and number.group(1)[:2] in ("18", "19", "20") \
                    and not _STRONG_STREET.search(m.group()):
                continue   # "Hillhorst 2018": a year after a name, not a house number
            add(start, m.end(), "address")
        for m in ADDRESS_CONTEXT_RE.finditer(text):
            if m.group(1).split()[0] not in _ADDRESS_NOT and m.group(1).split()[0].lower() not in _COMMON:
                add(m.start(1), m.end(1), "address")
    for m in BIRTH_DATE_RE.finditer(text) if "birth_date" in want else ():
        g = next(k for k in (1, 2, 3) if m.group(k))
        add(m.start(g), m.end(g), "birth_date")
    for m in AGE_RE.finditer(text) if "age" in want else ():
        g = next(k for k in range(1, 6) if m.group(k))
        add(m.start(g), m.end(g), "age")
    for m in LICENCE_PLATE_RE.finditer(text) if "licence_plate" in want else ():
        add(m.start(), m.end(), "licence_plate")
    if "name" in want or "age" in want:
        names, _public = _names(text)
        orgs = [(m.start(), m.end()) for m in _ORG_RE.finditer(text)]
        for start, end in names:
            if any(s < end and start < e for s, e in orgs):
                continue
            if "name" in want:
                add(start, end, "name")
            m = _AGE_AFTER_NAME_RE.match(text, end) if "age" in want else None
            if m:
                g = next(k for k in range(1, 4) if m.group(k))
                add(m.start(g), m.end(g), "age")

    # keep the longest span where spans overlap
    found.sort(key=lambda s: (s.start, -(s.end - s.start)))
    out: list[Span] = []
    for span in found:
        if out and span.start < out[-1].end:
            if span.end - span.start > out[-1].end - out[-1].start:
                out[-1] = span
            continue
        out.append(span)
    return out


def mask(text: str, spans: list[Span] | None = None, *, kinds: Iterable[str] | None = None,
         replace: Callable[[Span], str] | None = None) -> str:
    """``text`` with every detected span (of ``kinds``, default all) replaced by
    ``replace(span)``, by default its label, e.g. ``[telefoonnummer]``."""
    spans = detect(text, kinds) if spans is None else spans
    replace = replace or (lambda span: span.label)
    parts, pos = [], 0
    for span in spans:
        parts.append(text[pos:span.start])
        parts.append(replace(span))
        pos = span.end
    parts.append(text[pos:])
    return "".join(parts)


def contains_personal_data(text: str | None, kinds: Iterable[str] | None = CONTACT) -> bool:
    """Whether ``text`` holds personal data of ``kinds`` (default: contact details;
    ``None``: any kind)."""
    return bool(text) and bool(detect(text, kinds))


def scrub(text: str | None, kinds: Iterable[str] | None = CONTACT) -> str:
    """``text`` with personal data of ``kinds`` (default: contact details) replaced by
    ``[verwijderd]``; ``""`` for no text."""
    return mask(text, kinds=kinds, replace=lambda _span: REDACTED) if text else ""


def mask_same_length(text: str | None, kinds: Iterable[str] | None = CONTACT) -> str:
    """Personal data of ``kinds`` (default: contact details) replaced by ``x`` characters
    of the same length, so character offsets into the text stay valid (REFI-QDA
    selections, segments)."""
    return mask(text, kinds=kinds, replace=lambda span: "x" * (span.end - span.start)) if text else ""
