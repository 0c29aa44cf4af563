"""spaCy's stop word lists without importing spaCy.

``from spacy.lang.nl.stop_words import STOP_WORDS`` runs ``spacy/__init__`` first, which
imports all of spaCy (thinc, the pipeline registry, pydantic schemas: about 1.3 s and
tens of MB), only to read a plain set of words. The ``stop_words.py`` files import
nothing, so :func:`stop_words` executes the installed file by itself and caches the set:
the same words, without the rest of spaCy.

>>> "de" in stop_words("nl")
True
"""
from __future__ import annotations

import importlib.util
import sys
from functools import lru_cache
from pathlib import Path

__all__ = ["stop_words"]


@lru_cache(maxsize=None)
def stop_words(lang: str) -> frozenset[str]:
    """spaCy's stop words for ``lang`` ("nl", "en", "de")."""
    module = sys.modules.get(f"spacy.lang.{lang}.stop_words")
    if module is None:   # spaCy not imported yet: read the file alone
        spec = importlib.util.find_spec("spacy")   # finds the package without importing it
        if spec is None or not spec.submodule_search_locations:
            raise ImportError("spaCy is not installed")
        path = Path(next(iter(spec.submodule_search_locations))) / "lang" / lang / "stop_words.py"
        namespace: dict = {}
        exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)
        return frozenset(namespace["STOP_WORDS"])
    return frozenset(module.STOP_WORDS)
