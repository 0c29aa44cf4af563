"""Dutch tokenizer adjustments for municipal policy texts.

spaCy's Dutch defaults already keep most abbreviations (``d.w.z.``, ``o.a.``,
``bv.``, ``m.b.t.``) and ``P*Q`` together.  On top of that we add:

* age/threshold markers: ``18+``, ``65+``, ``18-`` stay one token and
  ``18-/18+`` becomes ``18-`` ``/`` ``18+``;
* a few abbreviations common in Dutch policy documents that the defaults split
  (``tel.``, ``nr.``, ``i.p.v.`` ...);
* ``Wmo``/``WMO`` are kept as written (they are ordinary tokens already).

List markers at the start of a line (``1.``, ``2)``, ``a)``, ``-``, ``•``) are
handled by the ``consult_list_markers`` component (see ``components.py``),
because the tokenizer cannot see line starts.

The special cases are stored with the tokenizer when the pipeline is saved;
:func:`customize_tokenizer` is also registered as the spaCy callback
``consult.nl_tokenizer.v1`` (used in ``training/config.cfg``) and applied
again by :func:`analysis.nlp.load`, so it is idempotent.
"""
from __future__ import annotations

import spacy
from spacy.attrs import ORTH

EXTRA_ABBREVIATIONS = [
    "tel.", "nr.", "nrs.", "incl.", "excl.", "max.", "min.", "ca.", "blz.", "evt.",
    "i.p.v.", "i.c.m.", "m.u.v.", "t.a.v.", "n.a.v.", "o.b.v.", "i.o.m.", "z.o.z.",
    "m.i.v.", "t.b.v.", "t.o.v.", "i.v.m.", "v.w.b.", "m.n.", "o.m.", "bijv.", "bv.",
    "d.w.z.", "o.a.", "e.d.", "e.a.", "a.s.", "j.l.", "jl.", "ivm.", "zgn.", "z.g.",
    "resp.", "art.", "hfst.", "par.", "wethr.", "weth.", "mevr.", "dhr.",
    "drs.", "ir.", "mr.", "dr.", "prof.", "ing.", "gem.", "adj.", "secr.", "d.d.",
]


def _special_cases():
    cases = {}
    for n in range(0, 121):
        cases[f"{n}+"] = [{ORTH: f"{n}+"}]
        cases[f"{n}-/{n}+"] = [{ORTH: f"{n}-"}, {ORTH: "/"}, {ORTH: f"{n}+"}]
        cases[f"{n}-/+"] = [{ORTH: f"{n}-"}, {ORTH: "/"}, {ORTH: "+"}]
    for abbr in EXTRA_ABBREVIATIONS:
        for variant in {abbr, abbr[:1].upper() + abbr[1:]}:
            cases[variant] = [{ORTH: variant}]
    return cases


def customize_tokenizer(nlp):
    """Add consult's special cases to ``nlp.tokenizer`` (idempotent)."""
    tok = nlp.tokenizer
    for text, attrs in _special_cases().items():
        if [t.text for t in tok(text)] != [a[ORTH] for a in attrs]:
            tok.add_special_case(text, attrs)
    return nlp


@spacy.registry.callbacks("consult.nl_tokenizer.v1")
def make_customize_tokenizer():
    return customize_tokenizer
