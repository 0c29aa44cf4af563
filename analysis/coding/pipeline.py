"""The one place where the coding engine reaches the Dutch NLP pipeline.

Everything in :mod:`analysis.coding`, :mod:`analysis.segmentation` and
:mod:`analysis.discovery` gets its spaCy pipeline, compound splitter and text
normaliser through these functions.
"""
from __future__ import annotations

from functools import lru_cache



@lru_cache(maxsize=1)
def get_nlp():
    """The shared Dutch pipeline (cached)."""
    from analysis.nlp import load
    return load()


def compound_parts(lemma: str) -> list[str]:
    """Parts of a Dutch compound lemma (``[lemma]`` when it is not a compound)."""
    from analysis.nlp.compounds import compound_parts as parts
    return parts(lemma)


def normalise(text: str):
    """Normalised text with ``.text`` and ``.to_original(start, end)``."""
    from analysis.nlp.normalise import normalise as norm
    return norm(text)
