"""Dutch compound splitting.

>>> split_compound("zorgaanbieders")
['zorg', 'aanbieder']
>>> split_compound("mantelzorgondersteuning")
['mantelzorg', 'ondersteuning']
>>> split_compound("bestuur")
['bestuur']

How it works
------------
The word (lower-cased) is first lemmatised with the domain lexicon and spaCy's
Dutch lookup table (``zorgaanbieders`` -> ``zorgaanbieder``).  Then every
segmentation ``modifier [+ linker] + head`` is tried, where

* the **head** (last part) is a known noun/adjective/verb lemma of at least 3
  letters; when the word itself is not in the lookup table, the head may be an
  inflected form (``...voorzieningen``) that the lookup table or simple
  plural rules map to a known lemma;
* the **modifier** is a known noun/adjective lemma, a verb stem
  (``woon`` in ``woonwijk``) or, recursively, a compound itself; it is at least
  3 letters long and not a prefix, preposition or particle (``be``, ``ver``,
  ``onder``, ``mede`` ...), so ``ondersteuning`` and ``verkenning`` stay whole;
* between them an optional linking morpheme ``s``, ``e``, ``en`` or ``er``
  (``aandacht+s+punt``, ``kind+er+opvang``), or a hyphen.

If the ``wordfreq`` package is installed (it is a dependency of consult), every
part must be a reasonably common Dutch word (Zipf >= 2.0) and the whole word
must not be much more frequent than its rarest part (Zipf(whole) - 0.3 <=
Zipf(part)); this removes accidental splits like ``industrie`` = indus+tri,
``praktijk`` = prak+tijk.

Among the valid segmentations the one with the fewest parts wins, then the one
whose modifiers are nouns rather than adjectives rather than verb stems
(``kind+er+opvang``, not ``kinder+opvang``), then the one whose shortest part
is longest, then the most frequent parts.  A word that is
itself a known lemma is only split when every part has at least 4 letters
(``bestuur`` is not ``best+uur``), and words in ``data/noncompounds.txt`` are
never split.

The vocabulary is spaCy's Dutch lemma tables (``spacy-lookups-data``) plus
consult's lexicon; a custom ``vocabulary`` (iterable of lemmas, or a mapping
lemma -> frequency) can be passed instead.  Parts are returned in lower case,
modifiers without the linker, the head as a lemma.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Dict, Iterable, List, Mapping, Optional, Tuple, Union

from . import lookups

MIN_MODIFIER = 3
MIN_HEAD = 3
MIN_PART_KNOWN_WORD = 4
LINKERS = ("", "s", "e", "en", "er", "-")

# prefixes, prepositions, particles, determiners: never a modifier
NON_MODIFIERS = frozenset("""
aan af al achter als an bij binnen boven buiten daar dan de der des die dit door een elk en er
ge her hier in is je mede mee mis na naar niet nog om on onder ont op over per rond samen te
tegen ten ter toe tot tussen uit van ver via voor waar wat weg wel zo zelf zich zij zijn
elf twee drie vier vijf zes zeven acht negen tien twaalf ten tijdens ook meer min mis
oor oer oud ere pro anti non re de ex co
""".split())

# last parts that are derivational suffixes rather than words
NON_HEADS = frozenset("""
ing ingen heid heden schap lijk lijke baar bare achtig tie ties isch ische ist isten
iteit iteiten erij age ering eren en er ers ster sters aar aars elijk ig ige nis nissen
isme ismen atie aties natie laar ting king ring ling ding zing ning ging ming ping ving
""".split())

MIN_PART_ZIPF = 2.0
WHOLE_MARGIN = 0.3





@lru_cache(maxsize=1)
def _zipf():
    """wordfreq's Dutch Zipf frequency function, or None if not installed."""
    try:
        from wordfreq import zipf_frequency
    except Exception:  # pragma: no cover - optional dependency
        return None

    @lru_cache(maxsize=200_000)
    def z(word: str) -> float:
        return zipf_frequency(word, "nl")

    return z


@dataclass(frozen=True)
class CompoundAnalysis:
    word: str
    lemma: str
    parts: Tuple[str, ...]
    linkers: Tuple[str, ...] = field(default_factory=tuple)

    @property
    def is_compound(self) -> bool:
        return len(self.parts) > 1

    @property
    def head(self) -> str:
        return self.parts[-1]

    @property
    def modifiers(self) -> Tuple[str, ...]:
        return self.parts[:-1]


class _Vocab:
    def __init__(self, freq: Mapping[str, int], nouns, adjs, verbs, lemmatise, no_split):
        self.freq = freq
        self.nouns = nouns
        self.adjs = adjs
        self.verbs = verbs
        self.lemmatise = lemmatise
        self.no_split = no_split

    def known(self, w: str) -> bool:
        return w in self.freq

    def is_content(self, w: str) -> bool:
        return w in self.nouns or w in self.adjs or w in self.verbs

    def verb_stem(self, w: str) -> bool:
        """``woon`` (wonen), ``spreek`` (spreken), ``zit`` (zitten), ``werk`` (werken)."""
        if not self.verbs or len(w) < 3:
            return False
        if w + "en" in self.verbs or w + w[-1] + "en" in self.verbs:
            return True
        m = re.match(r"^(.*?)([aeou])\2([^aeiou])$", w)
        if m and m.group(1) + m.group(2) + m.group(3) + "en" in self.verbs:
            return True
        return False


@lru_cache(maxsize=1)
def _noncompounds() -> frozenset:
    path = lookups.DATA_DIR / "noncompounds.txt"
    if not path.exists():
        return frozenset()
    return frozenset(
        l.strip().lower() for l in path.read_text(encoding="utf-8").splitlines()
        if l.strip() and not l.startswith("#")
    )


def _plural_to_lemma(form: str, known) -> Optional[str]:
    """Cheap Dutch de-inflection for heads the lookup table does not list."""
    cands = []
    if form.endswith("'s"):
        cands.append(form[:-2])
    if form.endswith("s"):
        cands.append(form[:-1])
    if form.endswith("en"):
        stem = form[:-2]
        cands.append(stem)
        if len(stem) > 2 and stem[-1] == stem[-2]:
            cands.append(stem[:-1])  # gesprekken -> gesprek
        m = re.match(r"^(.*[^aeiou])([aeou])([^aeiou])$", stem)
        if m:
            cands.append(m.group(1) + m.group(2) * 2 + m.group(3))  # zaken -> zaak
        if stem.endswith("v"):
            cands.append(stem[:-1] + "f")  # tarieven -> tarief
        if stem.endswith("z"):
            cands.append(stem[:-1] + "s")
    if form.endswith("e"):
        cands.append(form[:-1])
    if form.endswith("n"):
        cands.append(form[:-1])  # ziekten -> ziekte
    for c in cands:
        if c in known:
            return c
    return None


@lru_cache(maxsize=1)
def _default_vocab() -> _Vocab:
    idx = lookups.lemma_index()
    nouns = frozenset(w.lower() for w in idx.get("noun", ()))
    adjs = frozenset(w.lower() for w in idx.get("adj", ()))
    verbs = frozenset(w.lower() for w in idx.get("verb", ()))
    lex = lookups.lexicon()
    nouns = nouns | frozenset(v.lower() for v in lex.values())
    freq = dict(lookups.lemma_frequencies())
    table = lookups.lemma_lookup()

    def lemmatise(w: str) -> str:
        if w in lex:
            return lex[w].lower()
        if w in nouns or w in adjs:
            return w
        t = table.get(w)
        if t:
            return t.lower()
        p = _plural_to_lemma(w, freq)
        return p or w

    return _Vocab(freq, nouns, adjs, verbs, lemmatise, _noncompounds())


def _custom_vocab(vocabulary: Union[Iterable[str], Mapping[str, int]]) -> _Vocab:
    if isinstance(vocabulary, Mapping):
        freq = {k.lower(): int(v) for k, v in vocabulary.items()}
    else:
        freq = {w.lower(): 1 for w in vocabulary}
    words = frozenset(freq)

    def lemmatise(w: str) -> str:
        if w in words:
            return w
        return _plural_to_lemma(w, words) or w

    return _Vocab(freq, words, frozenset(), frozenset(), lemmatise, _noncompounds())


class _Splitter:
    def __init__(self, vocab: _Vocab, max_parts: int = 4, use_freq: bool = True):
        self.v = vocab
        self.use_freq = use_freq
        self.max_parts = max_parts
        self._cache: Dict[Tuple[str, bool], Optional[list]] = {}

    # --- parts -------------------------------------------------------------
    def _head_lemma(self, tail: str, inflected_ok: bool) -> Optional[str]:
        if len(tail) < MIN_HEAD or tail in NON_HEADS:
            return None
        v = self.v
        if tail in v.nouns or (not v.nouns and v.known(tail)):
            return tail
        if inflected_ok:
            # an inflected noun beats a verb/adjective reading: wetten -> wet,
            # verlopen -> verloop (noun compounds have noun heads)
            for lem in (v.lemmatise(tail), _plural_to_lemma(tail, v.nouns)):
                if lem and lem != tail and len(lem) >= MIN_HEAD and lem not in NON_HEADS and lem in v.nouns:
                    return lem
        if tail in v.adjs or tail in v.verbs:
            return tail
        return None

    def _modifier_lemma(self, m: str) -> Optional[str]:
        """The modifier's lemma if ``m`` can be a modifier, else None.
        Plural modifiers are allowed (leden+vergadering -> lid)."""
        if len(m) < MIN_MODIFIER or m in NON_MODIFIERS:
            return None
        v = self.v
        if m in v.nouns or m in v.adjs or v.verb_stem(m) or (not v.nouns and v.known(m)):
            return m
        lem = v.lemmatise(m)
        if lem != m and lem in v.nouns and len(lem) >= MIN_MODIFIER and lem not in NON_MODIFIERS:
            return lem
        return None

    # --- search ------------------------------------------------------------
    def segmentations(self, s: str, inflected_ok: bool, depth: int = 0):
        """All segmentations of ``s`` with >= 2 parts, as (parts, linkers,
        surfaces): parts are lemmas, surfaces the substrings they came from."""
        out = []
        n = len(s)
        for i in range(MIN_MODIFIER, n - MIN_HEAD + 1):
            left_full = s[:i]
            head = self._head_lemma(s[i:], inflected_ok)
            if head is None:
                continue
            for link in LINKERS:
                if link and not left_full.endswith(link):
                    continue
                mod = left_full[: len(left_full) - len(link)] if link else left_full
                if len(mod) < MIN_MODIFIER:
                    continue
                mod_lemma = self._modifier_lemma(mod)
                if mod_lemma is not None:
                    out.append(([mod_lemma, head], [link], [mod, s[i:]]))
                if depth + 2 < self.max_parts:
                    for parts, links, surf in self.segmentations(mod, False, depth + 1):
                        out.append((parts + [head], links + [link], surf + [s[i:]]))
        return out

    def best(self, s: str, inflected_ok: bool, whole_word: Optional[str] = None) -> Optional[Tuple[List[str], List[str]]]:
        segs = self.segmentations(s, inflected_ok)
        if not segs:
            return None
        # three or more parts: every part needs 4+ letters (huis+hou+del+ijk)
        segs = [sg for sg in segs if len(sg[0]) == 2 or min(len(p) for p in sg[2]) >= MIN_PART_KNOWN_WORD]
        whole_known = self.v.is_content(s) or self.v.known(s)
        if whole_known:
            # bestuur is a word, not best+uur: only split known words into long parts
            segs = [sg for sg in segs if min(len(p) for p in sg[2]) >= MIN_PART_KNOWN_WORD]
        z = _zipf() if self.use_freq else None
        if z is not None and segs:
            # corpus frequency (wordfreq): every part must be a word people
            # actually use, and the whole must be rarer than its rarest part;
            # otherwise the "parts" are accidental (industrie != indus+tri,
            # praktijk != prak+tijk, handelaar != hand+laar).
            whole = max(z(s), z(whole_word or s))

            def part_z(p, w):
                return max(z(p), z(w))

            segs = [
                sg for sg in segs
                if min(part_z(p, w) for p, w in zip(sg[0], sg[2])) >= max(MIN_PART_ZIPF, whole - WHOLE_MARGIN + 1e-9)
            ]
        if not segs:
            return None

        def score(sg):
            parts, links, surf = sg
            if z is not None:
                freq = sum(z(w) for w in surf)  # zee+schepen, not zees+chepen
            else:
                freq = sum(min(self.v.freq.get(p, 0), 50) for p in parts)
            # nouns make better modifiers than adjectives, adjectives better than
            # verb stems: kind+er+opvang (not kinder+opvang), dorp+s+huis
            quality = sum(2 if p in self.v.nouns else 1 if p in self.v.adjs else 0 for p in parts[:-1])
            # modifiers found as written beat de-inflected ones (ouder+en, not oudere+n)
            surface = sum(1 for p, w in zip(parts[:-1], surf[:-1]) if p == w)
            return (-len(parts), quality, surface, min(len(p) for p in surf), freq, len(parts[-1]))

        parts, links, _ = max(segs, key=score)
        return parts, links


@lru_cache(maxsize=1)
def _default_splitter() -> _Splitter:
    return _Splitter(_default_vocab())


def analyse_compound(word: str, vocabulary=None) -> CompoundAnalysis:
    """Full analysis: lemma, parts (modifiers + head) and linkers."""
    if vocabulary is None:
        return _analyse_default(word)
    return _analyse(word, _Splitter(_custom_vocab(vocabulary)))


@lru_cache(maxsize=65536)
def _analyse_default(word: str) -> CompoundAnalysis:
    return _analyse(word, _default_splitter())


def _analyse(word: str, sp: _Splitter) -> CompoundAnalysis:
    w = (word or "").strip().lower()
    if not w:
        return CompoundAnalysis(word, w, (w,) if w else ())
    v = sp.v
    lemma = v.lemmatise(w)
    if w in v.no_split or lemma in v.no_split:
        return CompoundAnalysis(word, lemma, (lemma,))
    if "-" in w.strip("-"):
        # hyphenated compounds: Wmo-voorziening, zorg-en-welzijn
        pieces = [p for p in w.split("-") if p]
        if len(pieces) > 1 and all(re.search(r"[^\W\d_]", p) for p in pieces):
            head = v.lemmatise(pieces[-1])
            return CompoundAnalysis(word, lemma, tuple(pieces[:-1]) + (head,), tuple("-" for _ in pieces[:-1]))
    if not w.isalpha() or len(w) < MIN_MODIFIER + MIN_HEAD:
        return CompoundAnalysis(word, lemma, (lemma,))
    res = None
    if lemma != w:
        res = sp.best(lemma, False, w)
        if res is None and (v.is_content(lemma) or v.known(lemma)):
            # a known, unsplittable lemma (beschikkingen -> beschikking)
            return CompoundAnalysis(word, lemma, (lemma,))
    if res is None:
        res = sp.best(w, True, lemma)
    if res is None:
        return CompoundAnalysis(word, lemma, (lemma,))
    parts, links = res
    return CompoundAnalysis(word, lemma, tuple(parts), tuple(links))


def split_compound(word: str, vocabulary=None) -> List[str]:
    """Split a Dutch word into modifier(s) and head (``[word-lemma]`` if it is
    not a compound).  See the module documentation for the rules."""
    return list(analyse_compound(word, vocabulary).parts)


def compound_parts(lemma: str) -> List[str]:
    """Head and modifiers of a compound lemma, for matching codebook terms:
    ``compound_parts("mantelzorgondersteuning") == ["mantelzorg", "ondersteuning"]``;
    ``[lemma]`` (lower-cased) when it is not a compound."""
    return split_compound(lemma)


def contains_term(word_or_lemma: str, term: str) -> bool:
    """Does ``term`` (a lemma) occur as the word itself or one of its compound
    parts?  ``contains_term("mantelzorgondersteuning", "mantelzorg") is True``."""
    t = (term or "").strip().lower()
    if not t:
        return False
    a = analyse_compound(word_or_lemma)
    return t == a.lemma or t == (word_or_lemma or "").lower() or t in a.parts
