"""Transparent keyword rules: codebook keywords matched on lemmas.

How a codebook becomes rules (one rule per code and keyword, id ``CODE:kw:keyword``):

* every keyword is run through the Dutch pipeline.  A one-word keyword matches a text
  token whose lowercased lemma or form equals the keyword's lemma or form (a dictionary
  look-up).  A phrase is matched with spaCy's ``PhraseMatcher`` on ``NORM`` (which the
  coder sets to the lowercased lemma of every token; each keyword token may appear as
  its lemma or its form) and on ``LOWER`` (the phrase exactly as written), so an odd
  lemma does not lose an exact match;
* compounds: a one-word keyword also matches a part of a compound text token
  (``mantelzorg`` in ``mantelzorgondersteuning``, via ``compound_parts``), unless the whole
  compound is itself a keyword (``werkdruk`` is PROFESSIONALS, so its part ``werk`` does
  not also fire MEEDOEN); multi-word keywords also match written as one word
  (``eigen bijdrage`` / ``eigenbijdrage``);
* inflected phrases: every token of a phrase keyword may also appear with a plural or
  adjective ending (:func:`fold`), so ``administratieve last`` matches ``administratieve
  lasten`` even where the tagger calls ``lasten`` a verb;
* verbs that Dutch word order splits: a separable verb keyword also matches with its
  particle apart (``samenwerken`` in "ze werken goed samen", ``meedoen`` in "iedereen
  doet mee" and "waarin iedereen mee kan doen"; :func:`_particles`: a ``compound:prt`` of
  the parse, or a bare adverb, preposition or noun the parser hangs on the verb:
  "neemt deel"; only verb keywords, so "in actie komen" is not ``inkomen``), and a phrase
  keyword that ends in its verb also matches with the verb elsewhere, when it governs
  the rest of the phrase in the parse ("zij staat weer op eigen benen", "ik doe nog
  alles zelf", "ze vraagt ondersteuning aan"; :func:`_governing_verb`).  The match's
  span covers the words in between, but only its own words count against other matches
  there, and its evidence names them (``matched_text`` "werken … samen", their character
  spans in ``parts``).  Split ``voorkomen`` is always "occur" (the prevent-sense is not
  separable).  Leaving one document out over the three shared documents: rules micro-F1
  0.732 to 0.735, recall@3 0.837 to 0.840; on the synthetic set
  (``benchmarks/data/synthetic-resident-90.jsonl``) 0.661 to 0.684, its residents'
  answers as a held-out group 0.565 to 0.606.  Over all 499 paragraphs of the three seed
  documents 20 matches are split this way, each the verb its keyword names (two, "kleine
  aanbieders hebben de kans mee te doen", in another sense than the theme's).  The parser this needs
  makes coding 10,000 segments take about 12 s instead of 8;
* word families: a one-word keyword also matches a derivation of it, as a token or as
  the head of a compound (``financieren``, ``trajectfinanciering`` ~ ``financiering``;
  ``bureaucratische`` ~ ``bureaucratie``; ``aanbesteden`` ~ ``aanbesteding``): both lemmas
  lose one ending (:func:`derivation_stem`), must share at least seven letters and differ
  by at most two more (:func:`same_family`), and pass :func:`family_allowed`: an agent
  noun is not its activity (``financiers``), an adjective or participle is not what a noun
  keyword names (``beperkt``, ``informele``, ``specialistische``) except ``-isch`` of an
  ``-ie`` noun; these are the weakest matches.  Measured on the three shared documents the
  unrestricted family rule was wrong 29 times in 41;
* short compound parts that name a theme only as the head (:data:`COMPOUND_HEAD_ONLY`:
  ``werk``, ``beleid``, ``welzijn``) do not count as a compound's first part
  (``werkwijze``, ``beleidskader``, ``welzijnsactiviteiten``);
* a code's ``exclude`` terms (see :class:`analysis.codebook.Code`) silence its matches
  inside them: a token equal to the term, a compound starting or ending with it, or the
  phrase (``welzijnswerk``, ``maatschappelijk werk`` for MEEDOEN); never a word that is
  itself one of the code's keywords (``regeldruk`` for BUREAUCRATIE, which excludes
  ``regel``);
* overlapping matches: the longest wins (``eigen regie`` → BEJEGENING suppresses
  ``regie`` → STURING; ``eigen netwerk`` suppresses ``netwerk``);
* senses the codebook warns about (:data:`SENSE_RULES`): a lemma with a sense rule that
  the code's description mentions (PREVENTIE: "Let op: 'voorkomen' betekent ook 'zich
  voordoen'") becomes a cue for that code, but only in the required sense: *voorkomen*
  counts as prevention with an object, a ``dat``-clause, ``te voorkomen``, or in the
  passive, and never as "komt voor", "veel voorkomende" or "het voorkomen van"
  (see :func:`_voorkomen_prevent`);
  *participatie* does not count for MEEDOEN in *burgerparticipatie* / *participatieraad*;
  a keyword written as a diminutive (:func:`is_diminutive`: *maatje*, *regeltje*) matches
  only itself and its plural, never its base noun (*maat*, *mate*, *maatregel*);
  *ouder* counts for JEUGD only as a noun, *beperking* for INCLUSIE only as a noun (not
  *beperkt*, *beperken*), *inkoop* for AANBIEDERS not as *inkopen doen* (shopping);
  a token the tagger calls a verb does not match a one-word noun keyword by its form
  alone ("ideeën gegeven" is not ``gegevens`` for STURING; resident answers of the
  synthetic set 0.606 to 0.610, the shared documents unchanged).
  Telling a passing mention from the theme with the parser (a keyword heading a
  prepositional setting "in de wijk" or a noun modifier) was measured and not adopted: on
  the shared documents such mentions are mostly coded, and dropping them lowered the
  rules' micro-F1 from 0.68 to 0.61-0.68 depending on the relations.
* glued words: footnote markers and a slash or hyphen between two words are read as
  spaces (:func:`separate_words`: ``aanbesteding⁸``, ``toegang/beschikking``,
  ``Wmo-maatwerkvoorziening``), so the tokenizer does not make one token of them that no
  keyword matches (micro-F1 leaving one document out: rules 0.691 to 0.699);
* negation: a match with ``geen``/``niet``/``nooit``/``zonder``/``nergens`` up to three tokens
  before it in the same clause is KEPT but flagged ``negated`` with lower confidence.
  Thematic codes mark what a segment is about, and "er is geen samenwerking" is about
  cooperation (the codebook even says "ook gebrek aan samenwerking"), so skipping
  negated mentions would lose exactly the complaints a consultation is after.

Confidence of a code: ``1 - prod(1 - c_i)`` over its distinct matches, with ``c`` = 0.9 for
a whole-token or phrase match, 0.75 for a compound part, 0.6 for a word-family match,
times 0.8 when negated.
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Callable, Iterable, Sequence

import numpy as np

from analysis.codebook import Codebook
from analysis.coding.base import LINK_RE, Candidate, Evidence, Ranking, Suggestion, is_codable, lemma_key
from analysis.coding.ranking import ThemeCounts, order_codes, rank_scores
from analysis.nlp import get_nlp
from analysis.nlp.compounds import compound_parts

if TYPE_CHECKING:   # spaCy is imported where rules are built, not when the module is
    from spacy.tokens import Doc, Token

__all__ = ["RuleCoder", "RuleMatch", "SENSE_RULES", "prepare_docs"]

NEGATORS = frozenset({"geen", "niet", "nooit", "zonder", "nergens", "niets", "noch"})
CLAUSE_BREAKS = frozenset({",", ";", ":", "maar", "en", "of", "want", "omdat", "terwijl", "("})
MODALS = frozenset({"kunnen", "moeten", "willen", "zullen", "mogen", "helpen", "proberen"})
CONF_WHOLE, CONF_PART, CONF_FAMILY, NEGATED_FACTOR = 0.9, 0.75, 0.6, 0.8


# ---------------------------------------------------------------------------
# sense rules
# ---------------------------------------------------------------------------

_FINITE_VOORKOMEN = frozenset({"voorkomt", "voorkom", "voorkwam", "voorkwamen"})
_SUBJECT_PRONOUNS = frozenset({"we", "wij", "ze", "zij", "jullie", "u", "je", "jij", "ik", "men"})
_PASSIVE = frozenset({"worden", "wordt", "werd", "werden", "geworden"})
_CONJUNCTIONS = frozenset({"en", "of", "maar", "want", "omdat", "als", "dan", "doordat", "zodat"})


def _voorkomen_prevent(tok: Token) -> bool:
    """``voorkomen`` in the sense "prevent" (not "occur" / "the occurrence").

    Surface rules, because the occur-sense is a separable verb ("het komt vaak voor") and
    the prevent-sense is not: a finite form followed by more words in its clause
    ("dit voorkomt eenzaamheid"), "te voorkomen", "voorkomen dat ...", "voorkomen we",
    a passive ("kan worden voorkomen", "moet voorkomen worden"), or a modal with an
    object between it and the verb ("we kunnen eenzaamheid voorkomen").  Never:
    "voorkomende", "het voorkomen van", or a bare clause-final form ("omdat zulke
    problemen vaak voorkomen").  The parse is not consulted: occur-sense subjects are
    too often misparsed as objects.
    """
    doc = tok.doc
    low = tok.lower_
    prev = doc[tok.i - 1] if tok.i > 0 else None
    nxt = doc[tok.i + 1] if tok.i + 1 < len(doc) else None
    if low.startswith("voorkomend"):                      # "veel voorkomende problemen"
        return False
    if prev is not None and prev.lower_ in ("het", "dit") and nxt is not None and nxt.lower_ == "van":
        return False                                      # "het voorkomen van X" (occurrence)
    if prev is not None and prev.lower_ == "te":         # "om eenzaamheid te voorkomen"
        return True
    after = []
    for t in doc[tok.i + 1:tok.i + 4]:
        if t.is_punct:
            break
        after.append(t.lower_)
    if "dat" in after:                                    # "voorkomen (we) dat zorg nodig is"
        return True
    if after and after[0] in _SUBJECT_PRONOUNS:          # "zo voorkomen we ..."
        return True
    if low in _FINITE_VOORKOMEN and after and after[0] not in _CONJUNCTIONS:
        return True                                       # "dit voorkomt veel ellende"
    before = [t for t in doc[max(0, tok.i - 3):tok.i]]
    if any(t.lower_ in _PASSIVE for t in before) or (after and after[0] in _PASSIVE):
        return True                                       # passive: only "prevent" has one
    for i in range(tok.i - 1, max(-1, tok.i - 6), -1):   # modal ... object ... voorkomen
        t = doc[i]
        if t.is_punct:
            break
        if lemma_key(t) in MODALS:
            return any(x.pos_ in ("NOUN", "PROPN") or x.lower_ in ("dit", "dat", "het")
                       for x in doc[i + 1:tok.i])
    return False


def _participatie_society(tok: Token) -> bool:
    """``participatie`` as taking part in society, not citizen participation in policy."""
    lem = lemma_key(tok)
    if lem != "participatie":       # a compound: burgerparticipatie, participatieraad, ...
        return False
    window = {lemma_key(t) for t in tok.doc[max(0, tok.i - 3):tok.i + 4]}
    return not window & {"beleid", "inspraak", "burger", "inwoner", "raad", "beleidsvorming"}


def _beperking_disability(tok: Token) -> bool:
    """``beperking`` as a disability (a noun, also in *functiebeperking*), not the verb
    ``beperken`` or the adjective ``beperkt`` ("beperkte middelen")."""
    return tok.pos_ in ("NOUN", "PROPN") or "beperking" in lemma_key(tok)


def _ouder_parent(tok: Token) -> bool:
    """``ouder`` as parent (noun), not the comparative of ``oud``."""
    if tok.pos_:
        return tok.pos_ == "NOUN"
    return tok.lower_ in ("ouders", "ouder") and tok.i > 0 and tok.doc[tok.i - 1].lower_ in ("de", "hun", "zijn", "haar", "alle", "veel", "ouders")


def _inkoop_procurement(tok: Token) -> bool:
    """``inkoop`` as procurement (*de inkoop van jeugdhulp*, *zorginkoop*, *de zorg beter
    inkopen*), not shopping: ``inkopen`` with a form of ``doen`` or ``boodschappen`` near
    it (*hulp bij het doen van inkopen*, *ze doet de inkopen*)."""
    if tok.lower_ != "inkopen":
        return True
    near = tok.doc[max(0, tok.i - 4):tok.i + 3]
    return not any(lemma_key(t) in ("doen", "boodschap", "boodschappen") for t in near)


#: Keywords that name the theme as the head (last part) of a compound, but only a setting
#: or domain as its first part: ``werk`` is MEEDOEN in *productiewerk*, not in *werkwijze*,
#: *werkgroep*, *werkprocessen*; ``beleid`` is not STURING in *beleidskader*,
#: *beleidsvrijheid*; ``welzijn`` is PREVENTIE as wellbeing, not as the welfare sector of
#: *welzijnsactiviteiten*.
COMPOUND_HEAD_ONLY = frozenset({"werk", "beleid", "welzijn"})

#: lemma -> (predicate on the matched token, short description of the sense)
SENSE_RULES: dict[str, tuple[Callable[[Token], bool], str]] = {
    "voorkomen": (_voorkomen_prevent, "prevent, not occur"),
    "participatie": (_participatie_society, "taking part in society, not participation in policy"),
    "ouder": (_ouder_parent, "parent (noun)"),
    "beperking": (_beperking_disability, "disability (noun), not 'beperkt' (limited)"),
    "inkoop": (_inkoop_procurement, "procurement, not 'inkopen doen' (shopping)"),
}


# ---------------------------------------------------------------------------
# the coder
# ---------------------------------------------------------------------------

MATCH_KINDS = ("whole", "compound", "family")


@dataclass(frozen=True)
class RuleMatch:
    code: str
    rule_id: str
    keyword: str
    start: int
    end: int
    kind: str          # "whole" (token or phrase), "compound" (a part) or "family" (a derivation)
    negated: bool
    words: tuple[int, ...] = ()   # a match split by word order: its own tokens (start..end holds others too)

    @property
    def compound(self) -> bool:
        return self.kind == "compound"

    @property
    def confidence(self) -> float:
        c = {"whole": CONF_WHOLE, "compound": CONF_PART, "family": CONF_FAMILY}[self.kind]
        return c * NEGATED_FACTOR if self.negated else c


_SUFFIXES = ("ingen", "ische", "isch", "atie", "aties", "iële", "ieel", "heid", "ing", "eel", "ele",
             "ers", "er", "en", "e", "s")
MIN_FAMILY = 7


@lru_cache(maxsize=200_000)
def fold(word: str) -> str:
    """``word`` without a plural or adjective ending (``lasten`` → ``last``, ``teams`` →
    ``team``, ``schotten`` → ``schot``), so a phrase keyword matches its inflected forms
    even where the tagger gives a wrong lemma ("administratieve lasten" tagged as a verb)."""
    w = word.lower()
    for suf in ("'s", "en", "s", "e"):
        if w.endswith(suf) and len(w) - len(suf) >= 3:
            w = w[:-len(suf)]
            if suf == "en" and len(w) > 3 and w[-1] == w[-2] and w[-1] not in "aeiou":
                w = w[:-1]                  # schotten -> schott -> schot
            break
    return w


def _keys(tok) -> frozenset:
    return frozenset({tok.norm_, tok.lower_, fold(tok.lower_), fold(tok.norm_)})


@lru_cache(maxsize=200_000)
def derivation_stem(lemma: str) -> str:
    """``lemma`` without one derivational/inflectional ending (``financiering`` →
    ``financier``, ``bureaucratische`` → ``bureaucrat``)."""
    for suf in _SUFFIXES:
        if lemma.endswith(suf) and len(lemma) - len(suf) >= MIN_FAMILY - 1:
            return lemma[:-len(suf)]
    return lemma


def same_family(a: str, b: str) -> bool:
    """Do two derivation stems belong to one word family?  They share a prefix of at least
    ``MIN_FAMILY`` letters that covers all but at most two letters of the shorter one and
    all but at most five of the longer one, and the longer does not go on with an
    adjective/adverb ending (``verantwoord`` is not ``verantwoordelijk``)."""
    if a == b:
        return len(a) >= MIN_FAMILY - 1
    short, long_ = sorted((a, b), key=len)
    n = 0
    for x, y in zip(short, long_):
        if x != y:
            break
        n += 1
    if n < MIN_FAMILY or n < len(short) - 2 or len(long_) - n > 2:
        return False              # a longer remainder is another word, not an ending
    rest = long_[n:]
    return not rest.startswith(("elijk", "lijk", "baar", "achtig", "loos"))


def is_diminutive(tok: Token) -> bool:
    """Whether a keyword is written as a diminutive whose lemma is its base noun
    (``maatje`` → ``maat``, ``regeltje`` → ``regel``): the diminutive was chosen for a
    meaning of its own, so the keyword matches the diminutive and its plural (``maatjes``)
    only, never the base noun, its compounds or its word family."""
    low, lemma = tok.lower_, lemma_key(tok)
    return tok.pos_ in ("NOUN", "PROPN") and low.endswith("je") and lemma != low and low.startswith(lemma[:-1])


def _adjectival(tok: Token) -> bool:
    return tok.pos_ == "ADJ" or "Part" in tok.morph.get("VerbForm")


AGENT_ENDINGS = ("er", "ist")          # financier, aanbieder, specialist: a person, not the activity
NOUN_ENDINGS = ("ing", "heid", "ie", "teit", "schap", "isme", "ist")


def family_allowed(word: str, keyword: str, keyword_pos: str, tok: Token) -> bool:
    """Sense checks on a word-family match of ``tok`` (lemma ``word``) to ``keyword``,
    because families cross meaning: an agent noun is not its activity or verb
    (*financiers* ~ *financiering*, *aangeboden* ~ *aanbieder*); an adjective or
    participle is not the thing a noun keyword names (*beperkt* ~ *beperking*,
    *informele* ~ *informatie*, *specialistische* ~ *specialist*), except the
    ``-isch`` adjective of an ``-ie`` noun (*bureaucratische* ~ *bureaucratie*)."""
    if word.endswith(AGENT_ENDINGS) != keyword.endswith(AGENT_ENDINGS):
        return False
    noun = keyword_pos in ("NOUN", "PROPN", "X", "") or keyword.endswith(NOUN_ENDINGS)
    if noun and _adjectival(tok):
        return keyword.endswith("ie") and word.endswith(("isch", "ische"))
    return True


#: pipeline components skipped where only tokens, lemmas and POS tags are needed
#: (``prepare_docs(..., parse=False)``); the rules need the parser for split verbs
SKIP_COMPONENTS = ("parser",)


_FOOTNOTE_RE = re.compile(r"[\u00b9\u00b2\u00b3\u2070-\u2079]+")
_JOINED_RE = re.compile(r"(?<=[^\W\d_]{2})[/-](?=[^\W\d_]{2})")


def separate_words(text: str) -> str:
    """``text`` with footnote markers (superscript digits: ``aanbesteding⁸``) and the slash
    or hyphen between two words (``toegang/beschikking``, ``Wmo-maatwerkvoorziening``)
    replaced by spaces, so that the tokenizer does not glue them into one token that no
    keyword matches.  Same length as ``text``: character offsets stay valid.  ``zorg- en
    welzijn`` keeps its hyphen (no word follows it), and so does a link
    (``www.deventer.nl/mantelzorg``): it stays one token, as it names no theme."""
    text = _FOOTNOTE_RE.sub(lambda m: " " * len(m.group()), text)
    out, pos = [], 0
    for m in LINK_RE.finditer(text):
        out += [_JOINED_RE.sub(" ", text[pos:m.start()]), m.group()]
        pos = m.end()
    return "".join(out) + _JOINED_RE.sub(" ", text[pos:])


def prepare_docs(texts: Iterable[str], nlp=None, batch_size: int = 256, *, parse: bool = True) -> list[Doc]:
    """Run the pipeline over ``texts`` (through :func:`separate_words`) and set
    ``token.norm_`` to the lowercased lemma.

    With ``parse=False`` the dependency parser (the slowest component, about a third of
    the pipeline's time) is skipped, for callers that use only lemmas and tags; the rules
    need it for verbs that word order splits (:meth:`RuleCoder.matches`).
    """
    nlp = nlp or get_nlp()
    skip = [name for name in SKIP_COMPONENTS if name in nlp.pipe_names] if not parse else []
    docs = []
    for doc in nlp.pipe((separate_words(t or "") for t in texts), batch_size=batch_size, disable=skip):
        for tok in doc:
            tok.norm_ = lemma_key(tok)
        docs.append(doc)
    return docs


@lru_cache(maxsize=200_000)
def _parts(lemma: str) -> tuple[str, ...]:
    parts = tuple(p.lower() for p in compound_parts(lemma))
    return parts if len(parts) > 1 else ()


class RuleCoder:
    """Keyword rules built from a codebook. ``code(texts)`` → suggestions per text."""

    origin = "rule"

    def __init__(self, codebook: Codebook, nlp=None):
        from spacy.matcher import PhraseMatcher
        from spacy.tokens import Doc

        self.codebook = codebook
        self.nlp = nlp or get_nlp()
        self.phrases = PhraseMatcher(self.nlp.vocab, attr="NORM")   # lemma sequences
        self.exact = PhraseMatcher(self.nlp.vocab, attr="LOWER")    # the phrase as written
        self.rules: dict[str, tuple[str, str]] = {}     # rule id -> (code, keyword)
        self.single: dict[str, list[str]] = {}          # one-token lemma/form -> rule ids
        self.joined: dict[str, list[str]] = {}          # multi-word keyword written as one word
        self.sense: dict[str, str] = {}                 # rule id -> sense lemma
        self.family: dict[str, list[tuple[str, str, str, str]]] = {}   # stem[:6] -> [(stem, rule id, lemma, pos)]
        self.folded: dict[str, list[tuple[str, tuple[frozenset, ...]]]] = {}   # first-token key -> phrases
        self.excluded: dict[str, set[str]] = {}         # one-token lemma/form -> codes it does not count for
        self.excluded_long: dict[str, list[tuple[str, str]]] = {}   # term[:5] and term[-5:] -> [(term, code)]
        self.nouns: set[str] = set()                     # rule ids of one-word noun keywords
        self.verbs: set[str] = set()                     # ... and of one-word verb keywords
        self.verbal: dict[str, list[tuple[str, tuple[frozenset, ...], frozenset]]] = {}   # a phrase ending in a verb:
        # first-token key -> [(rule id, the other tokens' keys, the verb's lemma and form)]
        keywords = [(c.code, kw) for c in codebook.codes for kw in c.keywords]
        exclusions = [(c.code, t) for c in codebook.codes for t in c.exclude]
        for c in codebook.codes:
            desc = f" {c.description.lower()} "
            for lemma in SENSE_RULES:
                if lemma not in {kw.lower() for kw in c.keywords} and (
                        f" {lemma} " in desc or f"\"{lemma}\"" in desc or f"'{lemma}'" in desc):
                    keywords.append((c.code, lemma))
        kw_docs = prepare_docs([kw for _, kw in keywords] + [t for _, t in exclusions], self.nlp)
        for (code, term), tdoc in zip(exclusions, kw_docs[len(keywords):]):
            toks = [t for t in tdoc if not t.is_space]
            if len(toks) == 1:
                for key in _keys(toks[0]):
                    self.excluded.setdefault(key, set()).add(code)
                low = lemma_key(toks[0])
                if len(low) >= 5:
                    self.excluded_long.setdefault(low[:5], []).append((low, code))
                    self.excluded_long.setdefault(low[-5:], []).append((low, code))
            elif toks:
                self.folded.setdefault(fold(toks[0].lower_), []).append((f"{code}:ex:{term}", tuple(_keys(t) for t in toks)))
                self.rules[f"{code}:ex:{term}"] = (code, term)
        for (code, kw), kdoc in zip(keywords, kw_docs):
            toks = [t for t in kdoc if not t.is_space]
            if not toks:
                continue
            rule_id = f"{code}:kw:{kw}"
            if rule_id in self.rules:
                continue
            self.rules[rule_id] = (code, kw)
            alternatives = [sorted({lemma_key(t), t.lower_}) for t in toks]
            diminutive = len(toks) == 1 and is_diminutive(toks[0])
            if diminutive:
                alternatives = [[toks[0].lower_, toks[0].lower_ + "s"]]   # maatje(s), a buddy, is not maat, a size
            if len(toks) == 1:
                for key in alternatives[0]:
                    self.single.setdefault(key, []).append(rule_id)
                if toks[0].pos_ in ("NOUN", "PROPN"):
                    self.nouns.add(rule_id)
                elif toks[0].pos_ == "VERB":
                    self.verbs.add(rule_id)
                sense = next((a for a in alternatives[0] if a in SENSE_RULES), None)
                if sense is not None:
                    self.sense[rule_id] = sense
                elif not diminutive:
                    stem = derivation_stem(lemma_key(toks[0]))
                    if len(stem) >= MIN_FAMILY - 1:
                        self.family.setdefault(stem[:6], []).append(
                            (stem, rule_id, lemma_key(toks[0]), toks[0].pos_))
                continue
            keys = tuple(_keys(t) for t in toks)
            for key in keys[0]:
                self.folded.setdefault(key, []).append((rule_id, keys))
            if _verb_final(toks):
                for key in keys[0]:
                    self.verbal.setdefault(key, []).append(
                        (rule_id, keys[:-1], frozenset({lemma_key(toks[-1]), toks[-1].lower_})))
            variants = []
            for combo in itertools.islice(itertools.product(*alternatives), 32):
                pdoc = Doc(self.nlp.vocab, words=list(combo))
                for t, norm in zip(pdoc, combo):
                    t.norm_ = norm
                variants.append(pdoc)
            self.phrases.add(rule_id, variants)
            self.exact.add(rule_id, [Doc(self.nlp.vocab, words=[t.lower_ for t in toks])])
            for key in ("".join(lemma_key(t) for t in toks), "".join(t.lower_ for t in toks)):
                self.joined.setdefault(key, []).append(rule_id)
        self.name = f"rules:{codebook.name}@{codebook.version}"

    # -- matching -----------------------------------------------------------
    def matches(self, doc: Doc) -> list[RuleMatch]:
        """All rule matches in a prepared doc (see :func:`prepare_docs`)."""
        found: list[tuple[int, int, str, str]] = []
        for match_id, start, end in itertools.chain(self.phrases(doc), self.exact(doc)):
            found.append((start, end, self.nlp.vocab.strings[match_id], "whole"))
        n = len(doc)
        token_keys = [_keys(t) for t in doc]
        excluded: list[tuple[int, int, str]] = []      # (start, end, code)
        shown: dict[tuple[int, int, str], tuple[int, ...]] = {}   # a split match: its words
        for i in range(n):
            seen_here = set()
            for key in token_keys[i]:
                for rid, keys in self.folded.get(key, ()):
                    if rid in seen_here or i + len(keys) > n:
                        continue
                    if all(token_keys[i + j] & keys[j] for j in range(1, len(keys))):
                        seen_here.add(rid)
                        if ":ex:" in rid:
                            excluded.append((i, i + len(keys), self.rules[rid][0]))
                        else:
                            found.append((i, i + len(keys), rid, "whole"))
            for key in token_keys[i] if self.verbal else ():
                for rid, keys, verb in self.verbal.get(key, ()):
                    m = len(keys)
                    if rid in seen_here or i + m > n or not all(token_keys[i + j] & keys[j] for j in range(1, m)):
                        continue
                    v = _governing_verb(doc, i, i + m, verb)
                    if v is not None:      # "staat op eigen benen", "doen het zelf", "vraagt ondersteuning aan"
                        seen_here.add(rid)
                        found.append((i, i + m, rid, "whole"))
                        words = {*range(i, i + m), v, *(c.i for c in _particles(doc[v])
                                                          if c.lower_ + doc[v].norm_ in verb)}
                        shown[(i, i + m, rid)] = tuple(sorted(words))
            codes = set()
            for key in token_keys[i]:
                codes |= self.excluded.get(key, set())
            lem = doc[i].norm_
            if self.excluded_long and len(lem) >= 5:     # an excluded word as a compound's first or last part
                for term, code in self.excluded_long.get(lem[:5], []) + self.excluded_long.get(lem[-5:], []):
                    if lem.startswith(term) or lem.endswith(term):
                        codes.add(code)
            if codes:     # a word that is itself one of a code's keywords is not excluded for it
                codes -= {self.rules[rid][0] for key in token_keys[i]
                          for rid in [*self.single.get(key, ()), *self.joined.get(key, ())]}
                excluded.extend((i, i + 1, c) for c in codes)
        for tok in doc:
            if not tok.is_alpha:
                continue
            key, low = tok.norm_, tok.lower_
            whole = set(self.single.get(key, ())) | set(self.joined.get(key, ()))
            by_form = (set(self.single.get(low, ())) | set(self.joined.get(low, ()))) - whole
            if by_form and tok.pos_ in ("VERB", "AUX"):
                # a verb whose form is a noun keyword's ("ideeën gegeven": gegevens) is not that noun
                by_form -= self.nouns
            whole |= by_form
            for rid in sorted(whole):
                found.append((tok.i, tok.i + 1, rid, "whole"))
            for prt in _particles(tok):     # a separable verb split by word order: "werken goed samen"
                if prt.lower_ + key not in SENSE_RULES:
                    # only a verb keyword: "in actie komen" is not inkomen (income), "is wel" not welzijn
                    for rid in sorted(set(self.single.get(prt.lower_ + key, ())) & self.verbs):
                        found.append((tok.i, tok.i + 1, rid, "whole"))
                        shown[(tok.i, tok.i + 1, rid)] = tuple(sorted((tok.i, prt.i)))
            if whole or len(key) < 6:
                continue     # a compound that is itself a keyword: its parts do not count
            parts = _parts(key)
            for p, part in enumerate(parts):
                if part in COMPOUND_HEAD_ONLY and p < len(parts) - 1:
                    continue
                for rid in self.single.get(part, ()):
                    found.append((tok.i, tok.i + 1, rid, "compound"))
            # derivations of a keyword (financieren ~ financiering), also as a compound head
            for word in (key, parts[-1]) if parts else (key,):
                stem = derivation_stem(word)
                for kstem, rid, klemma, kpos in self.family.get(stem[:6], ()):
                    if same_family(stem, kstem) and family_allowed(word, klemma, kpos, tok) \
                            and not any(f[2] == rid and f[0] == tok.i for f in found):
                        found.append((tok.i, tok.i + 1, rid, "family"))
        if excluded:       # a code's own "not keywords" silence its matches inside them
            found = [f for f in found if not any(
                c == self.rules[f[2]][0] and s <= f[0] and f[1] <= e for s, e, c in excluded)]
        # longest match wins where matches of different rules overlap; per rule and
        # position the strongest kind of match is kept
        rank = {k: i for i, k in enumerate(MATCH_KINDS)}
        found.sort(key=lambda m: (-(m[1] - m[0]), rank[m[3]], m[0]))
        kept: list[tuple[int, int, str, str]] = []
        taken: list[tuple[int, int]] = []
        for s, e, rid, kind in found:
            if any(s < te and ts < e and (e - s) < (te - ts) for ts, te in taken):
                continue
            if any((s, e, rid) == (k[0], k[1], k[2]) for k in kept):
                continue
            if kind == "family" and any(k[0] == s and self.rules[k[2]][0] == self.rules[rid][0] for k in kept):
                continue          # the code already matched this token more strongly
            kept.append((s, e, rid, kind))
            taken.append((s, e))
        out = []
        for s, e, rid, kind in sorted(kept, key=lambda m: (m[0], m[2])):
            lem = self.sense.get(rid)
            if lem is not None and not SENSE_RULES[lem][0](doc[s]):
                continue
            code, kw = self.rules[rid]
            words = shown.get((s, e, rid), ())
            if words:
                s, e = words[0], words[-1] + 1
            negated = _negated(doc, s) or any(t.lower_ in NEGATORS for t in doc[s + 1:e])
            out.append(RuleMatch(code, rid, kw, s, e, kind, negated, words))
        return out

    def suggest_doc(self, doc: Doc, matches: Sequence[RuleMatch] | None = None, *,
                    codable: bool | None = None) -> list[Suggestion]:
        """Suggestions for one prepared doc (``matches``: its :meth:`matches`, if known;
        ``codable``: its :func:`is_codable`, if the caller already knows it)."""
        if not (is_codable(doc.text) if codable is None else codable):
            return []
        by_code: dict[str, list[RuleMatch]] = {}
        for m in self.matches(doc) if matches is None else matches:
            by_code.setdefault(m.code, []).append(m)
        out = []
        for code, ms in by_code.items():
            conf, seen = 1.0, set()
            evidence = []
            for m in ms:
                span = doc[m.start:m.end]
                runs = [doc[a:b] for a, b in _runs(m.words)]
                evidence.append(Evidence(kind="keyword", rule_id=m.rule_id, keyword=m.keyword,
                                         matched_text=" … ".join(r.text for r in runs) if runs else span.text,
                                         start=m.start, end=m.end,
                                         start_char=span.start_char, end_char=span.end_char,
                                         negated=m.negated, compound=m.compound, match=m.kind,
                                         parts=tuple((r.start_char, r.end_char) for r in runs)))
                if m.rule_id not in seen:
                    seen.add(m.rule_id)
                    conf *= 1 - m.confidence
            out.append(Suggestion(code=code, confidence=round(1 - conf, 4), origin="rule",
                                  evidence=tuple(evidence), sources=("rule",)))
        order = {c: i for i, c in enumerate(self.codebook.code_ids)}
        return sorted(out, key=lambda s: order[s.code])

    def code(self, texts: Sequence[str]) -> list[list[Suggestion]]:
        """Suggestions for each text (empty or non-Dutch texts get none)."""
        return [self.suggest_doc(d) for d in prepare_docs(texts, self.nlp)]

    @property
    def profiles(self):
        """The codebook's :class:`~analysis.coding.learning.CodeProfiles` (built on first use)."""
        if getattr(self, "_profiles", None) is None:
            from analysis.coding.learning import CodeProfiles
            self._profiles = CodeProfiles(self.codebook, self.nlp)
        return self._profiles

    def rank(self, texts: Sequence[str], k: int = 3) -> list[list[Candidate]]:
        """The ``k`` best codes of each text, best first (none for texts that are not codable);
        see :meth:`code_ranked`."""
        return [r.candidates[:k] for r in self.code_ranked(texts)]

    def code_ranked(self, texts: Sequence[str], themes: ThemeCounts | None = None) -> list[Ranking]:
        """Each text's suggestions (as :meth:`code`) and all its codes ranked, in one pass.

        Codes a keyword matched come first, by rule confidence (``suggested``; between equal
        confidences by the score that orders the others); the others
        follow by :func:`analysis.coding.ranking.rank_scores`: their similarity to the
        code's text in the codebook, lifted for codes the rules find often among the texts
        coded together (and in ``themes``, the rest of their consultation, if given).  A
        candidate's ``score`` is its rule confidence or, for a code no keyword matched, its
        codebook similarity (cosine, 0 to 1).
        """
        from analysis.coding.learning import lemma_features
        docs = prepare_docs(texts, self.nlp)
        codable = [is_codable(d.text) for d in docs]
        sims = self.profiles.similarities([lemma_features(d) if ok else {} for d, ok in zip(docs, codable)])
        codes = self.codebook.code_ids
        col = {c: j for j, c in enumerate(codes)}
        suggestions = [self.suggest_doc(d, codable=ok) for d, ok in zip(docs, codable)]
        hit = np.zeros((len(docs), len(codes)), dtype=bool)
        for r, sugg in enumerate(suggestions):
            for s in sugg:
                hit[r, col[s.code]] = True
        S = rank_scores(sims, hit, codable, themes, codes)
        out = []
        for r, ok in enumerate(codable):
            if not ok:
                out.append(Ranking([], []))
                continue
            conf = {s.code: s.confidence for s in suggestions[r]}
            first = sorted((col[c] for c in conf), key=lambda j: (-conf[codes[j]], -S[r, j], j))
            cands = [Candidate(codes[j], conf[codes[j]], True, round(float(sims[r, j]), 4)) if codes[j] in conf
                     else Candidate(codes[j], round(float(sims[r, j]), 4), False, round(float(sims[r, j]), 4))
                     for j in order_codes(first, S[r])]
            out.append(Ranking(suggestions[r], cands))
        return out


def _runs(words: Sequence[int]) -> list[tuple[int, int]]:
    """Sorted token indices as (start, end) runs of consecutive tokens."""
    out: list[tuple[int, int]] = []
    for w in words:
        if out and out[-1][1] == w:
            out[-1] = (out[-1][0], w + 1)
        else:
            out.append((w, w + 1))
    return out


def _verb_final(toks) -> bool:
    """Is a phrase keyword a verb with what goes with it, the verb last ("op eigen benen
    staan", "ondersteuning aanvragen")?  Not a noun phrase the tagger reads as one ("hulp
    bij het huishouden", "één huishouden") nor a verb cluster ("mee laten denken")."""
    return (len(toks) >= 2 and toks[-1].pos_ == "VERB" and toks[-2].pos_ not in ("DET", "NUM")
            and not any(t.pos_ in ("VERB", "AUX") for t in toks[:-1]))


def _particles(tok: Token) -> Iterable[Token]:
    """The words the parser hangs on a verb that may be its separable part: a particle
    (``compound:prt``: "doet mee", "stemmen de zorg af") or a bare adverb, preposition
    or noun with nothing of its own but an adverb ("werken goed samen", read as a
    complement; "neemt deel", read as an object; not "neemt een deel van de kosten")."""
    if tok.pos_ not in ("VERB", "AUX"):
        return
    for c in tok.children:
        if c.dep_ == "compound:prt" or (c.pos_ in ("ADV", "ADP", "NOUN") and c.is_alpha
                                        and all(g.dep_ == "advmod" for g in c.children)):
            yield c


def _verb_keys(tok: Token) -> set[str]:
    keys = {tok.norm_, tok.lower_}
    keys.update(c.lower_ + tok.norm_ for c in _particles(tok))
    return keys


def _governing_verb(doc: Doc, start: int, end: int, verb: frozenset) -> int | None:
    """The index of the verb (one of the lemmas or forms ``verb``, a separable verb joined
    with its particle) that governs the words ``doc[start:end]`` in the parse, if any:
    the verb of a phrase keyword placed elsewhere by Dutch word order ("zij staat weer op
    eigen benen" for "op eigen benen staan", "ze vraagt ondersteuning aan")."""
    for tok in doc[start:end]:
        head = tok.head
        if head.i == tok.i or start <= head.i < end:
            continue
        if head.pos_ in ("VERB", "AUX") and verb & _verb_keys(head):
            return head.i
    return None


def _negated(doc: Doc, start: int) -> bool:
    for j in range(start - 1, max(-1, start - 4), -1):
        low = doc[j].lower_
        if low in NEGATORS:
            return True
        if low in CLAUSE_BREAKS or doc[j].is_sent_end:
            return False
    return False
