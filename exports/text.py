"""Lemmas for reports: the Dutch pipeline's content lemmas (or a plain fallback), cached.

The TF-IDF vectors the report ranks quotes with are :mod:`analysis.tfidf`'s.
"""
from __future__ import annotations

from typing import Callable, Iterable, Sequence

CONTENT_POS = {"NOUN", "PROPN", "VERB", "ADJ"}
#: Words too general to say anything about a theme in this kind of consultation.
EXTRA_STOP = {"gemeente", "mens", "wmo", "hebben", "zijn", "worden", "kunnen", "moeten", "gaan",
              "komen", "maken", "krijgen", "willen", "zullen", "laten", "doen", "geven", "vinden",
              "staan", "zien", "zeggen", "weten", "goed", "veel", "heel", "echt", "vaak", "keer",
              "steeds", "eigen", "ander", "nieuw", "groot", "klein"}

Lemmatiser = Callable[[Sequence[str]], list[list[str]]]


def spacy_lemmatiser(nlp=None) -> Lemmatiser:
    """Content lemmas (stop words removed) with the bundled Dutch pipeline."""
    def run(texts: Sequence[str]) -> list[list[str]]:
        model = nlp
        if model is None:
            from analysis.nlp import load

            model = load()
        disable = [p for p in ("parser",) if p in model.pipe_names]
        out = []
        with model.select_pipes(disable=disable):
            for doc in model.pipe(list(texts), batch_size=64):
                out.append([lemma for tok in doc
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
    """Lemmatise each distinct text once (demo and survey answers repeat a lot)."""

    def __init__(self, lemmatiser: Lemmatiser):
        self.lemmatiser = lemmatiser
        self.cache: dict[str, list[str]] = {}

    def prime(self, texts: Iterable[str]) -> None:
        todo = sorted({t for t in texts if t not in self.cache})
        if todo:
            for t, lemmas in zip(todo, self.lemmatiser(todo)):
                self.cache[t] = lemmas

    def __call__(self, text: str) -> list[str]:
        if text not in self.cache:
            self.prime([text])
        return self.cache[text]
