"""The one place where the coding engine reaches the Dutch NLP pipeline.

Everything in :mod:`analysis.coding`, :mod:`analysis.segmentation` and
:mod:`analysis.discovery` gets its spaCy pipeline, compound splitter and text
normaliser through these functions.
"""
from __future__ import annotations

from functools import lru_cache

import spacy


@lru_cache(maxsize=1)
def get_nlp() -> "spacy.Language":
    """The shared Dutch pipeline (cached)."""
    # TEMPORARY development stand-in until analysis.nlp lands.
    nlp = spacy.blank("nl")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return nlp


def compound_parts(lemma: str) -> list[str]:
    """Parts of a Dutch compound lemma (``[lemma]`` when it is not a compound)."""
    return [lemma]


class _Identity:
    def __init__(self, text):
        self.text = text

    def to_original(self, start, end):
        return start, end


def normalise(text: str):
    """Normalised text with ``.text`` and ``.to_original(start, end)``."""
    return _Identity(text)
