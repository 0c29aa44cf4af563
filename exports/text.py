"""Lemmas for reports: the Dutch pipeline's content lemmas with their parts of speech (or a
plain fallback), parsed once per distinct text and shared by everything in the report.

The TF-IDF vectors the report ranks quotes with are :mod:`analysis.tfidf`'s (all content
lemmas); the word clouds take the nouns and adjectives among the same lemmas
(:meth:`LemmaCache.cloud`), without the domain stop list :data:`CLOUD_STOP`.
"""
from __future__ import annotations

from typing import Callable, Iterable, Sequence, Union

CONTENT_POS = {"NOUN", "PROPN", "VERB", "ADJ"}
#: What a word cloud shows: nouns and adjectives (verbs and names say little about a theme).
CLOUD_POS = {"NOUN", "ADJ"}
#: Words too general to say anything about a theme in this kind of consultation.
EXTRA_STOP = {"gemeente", "mens", "wmo", "hebben", "zijn", "worden", "kunnen", "moeten", "gaan",
              "komen", "maken", "krijgen", "willen", "zullen", "laten", "doen", "geven", "vinden",
              "staan", "zien", "zeggen", "weten", "goed", "veel", "heel", "echt", "vaak", "keer",
              "steeds", "eigen", "ander", "nieuw", "groot", "klein"}
#: Words that fill a word cloud in any consultation of a municipality without saying anything
#: about the theme: light verbs and adverbs the tagger sometimes takes for nouns or adjectives
#: ("houden", "zitten", "ver"), the municipality and its residents, and vague nouns and
#: adjectives of time, amount and manner.
CLOUD_STOP = EXTRA_STOP | {
    "houden", "zitten", "ver", "liggen", "lopen", "zetten", "brengen", "nemen", "blijven", "raken", "horen",
    "gemeente", "gemeentelijk", "deventer", "inwoner", "burger", "mensen", "persoon", "iemand", "iets",
    "ding", "dingen", "manier", "soort", "beetje", "deel", "kant", "stuk", "punt", "geval", "idee", "sprake",
    "jaar", "maand", "week", "dag", "moment", "keer", "periode", "begin", "eind",
    "lang", "kort", "hoog", "laag", "oud", "jong", "zeker", "graag", "fijn", "prima", "mooi", "slecht",
    "belangrijk", "nodig", "mogelijk", "duidelijk", "moeilijk", "makkelijk", "snel", "weinig", "genoeg",
    "meer", "minder", "meeste", "hele", "heel", "enkel", "bepaald", "gewoon", "zelf", "elk", "ieder",
    "erg", "eerlijk", "evenveel", "hoogte", "draad",   # "eerlijk gezegd", "op de hoogte", "de rode draad"
    # verb stems the tagger takes for nouns in spoken Dutch ("ik krijg", "maak één plan")
    "krijg", "snap", "maak", "mis", "laat", "luister", "zeg", "vind", "weet", "denk", "hoop", "kom", "kijk",
    # the consultation itself
    "bijeenkomst", "wijkbijeenkomst", "wijkbijeenkoms", "vragenlijst", "deelnemer", "verslag",
}

#: A token as the lemmatiser gives it: (lemma, part of speech); the part of speech is "" when
#: unknown (the plain fallback), and a bare string is a lemma of unknown part of speech.
Token = Union[tuple[str, str], str]
Lemmatiser = Callable[[Sequence[str]], list[list[Token]]]


def spacy_lemmatiser(nlp=None) -> Lemmatiser:
    """Content lemmas (stop words removed) with their parts of speech, with the bundled
    Dutch pipeline (the parser is not needed and not run)."""
    def run(texts: Sequence[str]) -> list[list[str]]:
        model = nlp
        if model is None:
            from analysis.nlp import load

            model = load()
        disable = [p for p in ("parser",) if p in model.pipe_names]
        out = []
        with model.select_pipes(disable=disable):
            for doc in model.pipe(list(texts), batch_size=64):
                out.append([(lemma, tok.pos_) for tok in doc
                            if tok.pos_ in CONTENT_POS and not tok.is_stop and tok.is_alpha
                            and len(lemma := (tok.lemma_ or tok.text).lower()) > 2
                            and lemma not in EXTRA_STOP])
        return out
    return run


def simple_lemmatiser(texts: Sequence[str]) -> list[list[str]]:
    """A fallback without the NLP pipeline: lower-cased words, a short stop list."""
    import re

    stop = EXTRA_STOP | {"de", "het", "een", "en", "van", "in", "op", "te", "dat", "die", "is", "voor",
                         "met", "niet", "aan", "er", "als", "maar", "ook", "bij", "ik", "we", "wij",
                         "ze", "zij", "je", "mijn", "naar", "om", "of", "dan", "nog", "wel", "geen",
                         "meer", "wat", "door", "over", "tot", "uit", "al", "hun", "hem", "haar"}
    return [[w for w in re.findall(r"[a-zà-ÿ]+", t.lower()) if len(w) > 2 and w not in stop] for t in texts]


class LemmaCache:
    """Lemmatise each distinct text once (demo and survey answers repeat a lot); the quotes'
    TF-IDF vectors and the word clouds read the same lemmas."""

    def __init__(self, lemmatiser: Lemmatiser):
        self.lemmatiser = lemmatiser
        self.cache: dict[str, list[tuple[str, str]]] = {}

    def prime(self, texts: Iterable[str]) -> None:
        todo = sorted({t for t in texts if t not in self.cache})
        if todo:
            for t, tokens in zip(todo, self.lemmatiser(todo)):
                self.cache[t] = [(tok, "") if isinstance(tok, str) else tuple(tok) for tok in tokens]

    def tokens(self, text: str) -> list[tuple[str, str]]:
        if text not in self.cache:
            self.prime([text])
        return self.cache[text]

    def __call__(self, text: str) -> list[str]:
        """The content lemmas of ``text`` (every part of speech in :data:`CONTENT_POS`)."""
        return [lemma for lemma, _pos in self.tokens(text)]

    def cloud(self, text: str) -> list[str]:
        """The lemmas of ``text`` a word cloud shows: nouns and adjectives (any word when the
        part of speech is unknown), without :data:`CLOUD_STOP`."""
        return [lemma for lemma, pos in self.tokens(text)
                if (pos in CLOUD_POS or not pos) and lemma not in CLOUD_STOP]


def keyword_heads(keywords: Iterable[str]) -> set[str]:
    """The words of codebook keywords a word cloud weighs more: one-word keywords, and the
    last word of a phrase (its head in Dutch: "huishoudelijke hulp" -> "hulp"), lower case."""
    out = set()
    for k in keywords:
        words = k.lower().split()
        if words and len(words[-1]) > 2 and words[-1] not in CLOUD_STOP:
            out.add(words[-1])
    return out


def cloud_weight(lemma: str, keywords: set[str], factor: float) -> float:
    """``factor`` for a lemma that is a codebook keyword or a compound ending or starting in
    one of at least five letters ("mantelzorgondersteuning" for "mantelzorg"), else 1."""
    if lemma in keywords or any(len(k) >= 5 and (lemma.startswith(k) or lemma.endswith(k)) for k in keywords):
        return factor
    return 1.0
