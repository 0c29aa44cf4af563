"""consult's Dutch NLP pipeline (spaCy), trained on Universal Dependencies data.

>>> from analysis.nlp import load
>>> nlp = load()                   # cached per process, offline
>>> doc = nlp("De gemeente biedt maatwerkvoorzieningen aan.")
>>> [(t.text, t.lemma_, t.pos_) for t in doc]

The pipeline files in ``model/`` are licensed CC BY-SA 4.0 (see
``model/LICENSE``); this code is EUPL-1.2.  Importing this package does not
import Flask.
"""
from __future__ import annotations

import codecs
import re
from functools import lru_cache
from pathlib import Path
from typing import Iterator, NamedTuple, Optional, Union

MODEL_DIR = Path(__file__).resolve().parent / "model"

__all__ = ["load", "get_nlp", "MODEL_DIR", "decode_bytes", "process_long", "Chunk", "ModelNotFoundError"]


class ModelNotFoundError(RuntimeError):
    """The bundled pipeline is missing (run ``consult nlp train``)."""


@lru_cache(maxsize=4)
def _load(path: str):
    import spacy

    from . import components  # noqa: F401  registers consult_* factories
    from .tokenizer import customize_tokenizer

    p = Path(path)
    if not (p / "config.cfg").is_file():
        raise ModelNotFoundError(f"no spaCy pipeline at {p}; run `consult nlp train`")
    # The tokenizer is rebuilt from the Dutch defaults plus consult's special
    # cases instead of being read from disk: same result, half the load time
    # (spaCy's Dutch tokenizer has ~10k special cases).
    nlp = spacy.load(p, exclude=["tokenizer"])
    customize_tokenizer(nlp)
    return nlp


def load(path: Optional[Union[str, Path]] = None):
    """Return the bundled Dutch ``spacy.Language`` (cached per process)."""
    return _load(str(Path(path).resolve()) if path else str(MODEL_DIR))


def get_nlp():
    """The shared Dutch pipeline: the one way segmentation, coding and discovery reach it.

    The bundled model, loaded once per process (``load()`` without a path).
    """
    return load()


# --------------------------------------------------------------------------- bytes

def decode_bytes(data: bytes) -> str:
    """Decode an uploaded file.

    * UTF-8 (with or without BOM), UTF-16 with BOM -> decoded as such;
    * otherwise, if the bytes are not valid UTF-8, they are decoded as
      Windows-1252 (what Dutch office documents use), with the five bytes that
      cp1252 leaves undefined mapped to U+FFFD.
    Never raises for ``bytes`` input; raises ``TypeError`` for other types.
    """
    if isinstance(data, (bytearray, memoryview)):
        data = bytes(data)
    if not isinstance(data, bytes):
        raise TypeError(f"decode_bytes() expects bytes, not {type(data).__name__}")
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8", errors="replace")
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # not UTF-8: Windows-1252, with its five undefined bytes as U+FFFD
    return data.decode("cp1252", errors="replace")


# --------------------------------------------------------------------------- long texts

class Chunk(NamedTuple):
    start: int  # offset of the chunk in the full text
    doc: object  # spacy.tokens.Doc of text[start:start+len(doc.text)]


_PARA = re.compile(r"\n[ \t\r\f\v]*\n")
_SENT_END = re.compile(r"[.!?;:](?:[\"')\]]*)\s+")


def _split_points(text: str, max_chars: int):
    """Yield (start, end) chunk boundaries, each at most ``max_chars`` long,
    preferring paragraph, then sentence, then whitespace boundaries."""
    n = len(text)
    start = 0
    while start < n:
        end = min(n, start + max_chars)
        if end < n:
            window = text[start:end]
            cut = -1
            for m in _PARA.finditer(window):
                cut = m.end()
            if cut < max_chars // 4:
                for m in _SENT_END.finditer(window):
                    cut = m.end()
            if cut < max_chars // 4:
                ws = max(window.rfind(" "), window.rfind("\n"))
                cut = ws + 1 if ws > 0 else -1
            if cut > 0:
                end = start + cut
        yield start, end
        start = end


def process_long(text: str, nlp=None, max_chars: int = 20_000, batch_size: int = 16,
                 n_process: int = 1) -> Iterator[Chunk]:
    """Process arbitrarily long text in bounded memory.

    The text is cut at paragraph/sentence boundaries into chunks of at most
    ``max_chars`` characters (far below ``nlp.max_length``); chunks are
    piped lazily and yielded as :class:`Chunk` (``start`` = offset of the chunk
    in ``text``; a token's offset in the full text is ``chunk.start + token.idx``).
    """
    if not isinstance(text, str):
        raise TypeError(f"process_long() expects str, not {type(text).__name__}")
    nlp = nlp or load()
    max_chars = max(100, min(max_chars, nlp.max_length - 1))
    bounds = _split_points(text, max_chars)

    def gen():
        for s, e in bounds:
            yield (text[s:e], s)

    for doc, start in nlp.pipe(gen(), as_tuples=True, batch_size=batch_size, n_process=n_process):
        yield Chunk(start, doc)
