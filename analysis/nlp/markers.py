"""List markers: the bullets and enumerators that start a list item, in one place.

Four readers look for them, each on its own kind of input, so each builds its pattern
from these parts instead of spelling out its own character list:

* :mod:`analysis.nlp.normalise` rewrites a bullet at a line start to ``-`` (raw text, so
  it also knows the em dash and Word's ``o`` + tab, which do not survive normalising);
* the ``consult_layout`` component (:mod:`analysis.nlp.components`) finds markers among
  tokens, where ``1.`` has been merged into one token (raw or normalised text, so it
  knows the lone ``o`` token of Word's bullet too);
* :mod:`analysis.segmentation` cuts a normalised line at its marker (:data:`LIST_MARKER`);
* :mod:`analysis.trace` splits a letter at its numbered or bulleted points and keeps the
  number or letter as the point's label (no roman numerals: ``ii)`` is not a point there).

``>`` (a quoted e-mail line) starts an item of its own for segmentation and layout, but
it is a quote, not a bullet, so normalising keeps it and letters are not split at it.
"""
from __future__ import annotations

import re

__all__ = ["BULLET_SYMBOLS", "QUOTE_MARK", "ENUMERATOR", "ENUMERATOR_ENDS", "BULLET_CLASS", "LIST_MARKER"]

#: Symbols that start a bulleted item.
BULLET_SYMBOLS = "-*•▪–·◦‣●■□"
#: Starts a quoted e-mail line: an item of its own, but not a bullet.
QUOTE_MARK = ">"
#: The body of an enumerator: ``1``-``99``, a letter, or a roman numeral up to ``viii``.
ENUMERATOR = r"\d{1,2}|[a-zA-Z]|[ivxIVX]{1,4}"
#: What closes an enumerator: ``1.``, ``a)``.
ENUMERATOR_ENDS = ".)"
#: A regex character class matching one bullet symbol.
BULLET_CLASS = "[" + re.escape(BULLET_SYMBOLS) + "]"

#: A list marker at the start of a line, with the whitespace after it: a bullet or
#: quote mark, ``1.``/``(1)``/``2)``, ``a.``/``(b)`` or ``iv.`` (letters and roman numerals
#: only before whitespace, so that ``a.s.`` or ``i.v.m.`` is no marker).
LIST_MARKER = re.compile(
    r"^[ \t]*(?:[" + re.escape(BULLET_SYMBOLS + QUOTE_MARK) + r"]"
    r"|\(?\d{1,2}[.)]|\(?[a-zA-Z][.)](?=\s)|[ivxIVX]{1,4}[.)](?=\s))\s+")
