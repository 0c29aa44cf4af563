"""Inter-coder agreement between two coders (people or the machine) on multi-label codings.

A coding is a mapping ``segment id -> iterable of codes``.  Agreement is computed on the
segments BOTH coders coded (a segment a coder saw but left without codes must be present
with an empty set; a missing key means "not coded by this coder").

Figures (see :func:`agreement`):

* **Cohen's kappa per code** on binary presence: ``(p_o - p_e) / (1 - p_e)``.  When
  ``p_e == 1`` (both coders never — or always — used the code) kappa is undefined and
  reported as ``None``; the raw agreement is 1 in that case.
* **Krippendorff's alpha per code** (nominal, binary presence), computed by the
  ``krippendorff`` package; ``None`` when it is undefined (one value only).
* **Overall Krippendorff's alpha** over the code *sets* with the MASI distance
  (Passonneau 2006: ``1 - Jaccard * M`` with ``M`` = 1 for identical sets, 2/3 when one is
  a subset of the other, 1/3 when they overlap otherwise, 0 when disjoint; two empty sets
  are identical), from the coincidence matrix here, because the ``krippendorff``
  package offers only nominal, ordinal, interval and ratio distances.  This is the
  multi-label alpha we report; the mean of the per-code
  binary alphas (``alpha_mean_per_code``) is given too, for comparison with tools that
  average over codes.
* **Precision / recall / F1** per code, micro and macro, taking coder ``a`` as the
  reference (so swapping the coders swaps precision and recall; F1 is symmetric).
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import Callable, Hashable, Iterable, Mapping, Sequence

import krippendorff
import numpy as np

from analysis.evaluation import Scores, score

__all__ = ["cohen_kappa", "krippendorff_alpha", "masi_distance", "nominal_distance",
           "Agreement", "agreement"]


def cohen_kappa(a: Sequence[bool], b: Sequence[bool]) -> float | None:
    """Cohen's kappa of two binary ratings of the same items (``None`` if undefined)."""
    if len(a) != len(b):
        raise ValueError("both coders must rate the same items")
    n = len(a)
    if n == 0:
        return None
    a = [bool(x) for x in a]
    b = [bool(x) for x in b]
    po = sum(x == y for x, y in zip(a, b)) / n
    pa, pb = sum(a) / n, sum(b) / n
    pe = pa * pb + (1 - pa) * (1 - pb)
    if pe >= 1.0 - 1e-12:
        return None
    return (po - pe) / (1 - pe)


def nominal_distance(x, y) -> float:
    return 0.0 if x == y else 1.0


def masi_distance(x: Iterable, y: Iterable) -> float:
    """MASI distance between two sets of codes (0 = identical, 1 = disjoint)."""
    x, y = frozenset(x), frozenset(y)
    if x == y:
        return 0.0
    union = x | y
    inter = x & y
    jaccard = len(inter) / len(union)
    if x <= y or y <= x:
        m = 2 / 3
    elif inter:
        m = 1 / 3
    else:
        m = 0.0
    return 1.0 - jaccard * m


def krippendorff_alpha(units: Iterable[Sequence], distance: Callable[[object, object], float] = nominal_distance
                       ) -> float | None:
    """Krippendorff's alpha for ``units``: each unit is the sequence of values the coders
    gave it (``None`` = missing).  Units with fewer than two values are not pairable and
    ignored.  Returns ``None`` when the expected disagreement is 0.

    The nominal distance is left to the ``krippendorff`` package; any other distance
    (MASI) is computed here from the coincidences."""
    pairable = []
    for u in units:
        vals = [v for v in u if v is not None]
        if len(vals) >= 2:
            pairable.append(vals)
    n = sum(len(u) for u in pairable)
    if n < 2:
        return None
    if distance is nominal_distance:
        return _nominal_alpha(pairable)
    d_o = 0.0
    for u in pairable:
        m = len(u)
        d_o += sum(2 * distance(x, y) for x, y in combinations(u, 2)) / (m - 1)
    d_o /= n
    values = [v for u in pairable for v in u]
    # expected disagreement over all pairs of values; group equal values for speed
    counts: dict = {}
    for v in values:
        key = frozenset(v) if isinstance(v, (set, frozenset, list, tuple)) else v
        counts[key] = counts.get(key, 0) + 1
    keys = list(counts)
    d_e = 0.0
    for i, x in enumerate(keys):
        for y in keys[i + 1:]:
            d_e += 2 * counts[x] * counts[y] * distance(x, y)
    d_e /= n * (n - 1)
    if d_e == 0:
        return None
    return 1.0 - d_o / d_e


def _nominal_alpha(pairable: list[list]) -> float | None:
    ids: dict = {}
    width = max(len(u) for u in pairable)
    data = np.full((width, len(pairable)), np.nan)       # coders x units
    for j, u in enumerate(pairable):
        for i, v in enumerate(u):
            key = frozenset(v) if isinstance(v, (set, frozenset, list, tuple)) else v
            data[i, j] = ids.setdefault(key, len(ids))
    if len(ids) < 2:
        return None
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))


@dataclass(frozen=True)
class Agreement:
    n_segments: int
    codes: tuple[str, ...]
    kappa: dict[str, float | None]             # per code
    alpha: dict[str, float | None]             # per code, binary nominal
    percent_agreement: dict[str, float]        # per code
    alpha_masi: float | None                   # overall, code sets with MASI distance
    alpha_mean_per_code: float | None          # mean of the defined per-code alphas
    kappa_mean: float | None                   # mean of the defined per-code kappas
    scores: Scores                             # coder a as reference

    def to_dict(self) -> dict:
        r = lambda x: None if x is None else round(x, 4)  # noqa: E731
        return {
            "n_segments": self.n_segments,
            "alpha_masi": r(self.alpha_masi), "alpha_mean_per_code": r(self.alpha_mean_per_code),
            "kappa_mean": r(self.kappa_mean),
            "micro_f1": r(self.scores.micro_f1), "macro_f1": r(self.scores.macro_f1),
            "per_code": {c: {"kappa": r(self.kappa[c]), "alpha": r(self.alpha[c]),
                             "agreement": r(self.percent_agreement[c]),
                             **self.scores.per_code[c].to_dict()} for c in self.codes},
        }


def agreement(a: Mapping[Hashable, Iterable[str]], b: Mapping[Hashable, Iterable[str]],
              codes: Sequence[str] | None = None, segments: Iterable[Hashable] | None = None) -> Agreement:
    """Agreement between coders ``a`` and ``b`` (see module docstring).

    ``codes``: the codes to report (default: every code either coder used);
    ``segments``: restrict to these segment ids (default: those both coders coded).
    """
    if segments is None:
        ids = [s for s in a if s in b]
    else:
        ids = [s for s in segments if s in a and s in b]
    sa = [frozenset(a[s]) for s in ids]
    sb = [frozenset(b[s]) for s in ids]
    if codes is None:
        codes = sorted(set().union(*sa, *sb)) if ids else []
    kappa, alpha, pct = {}, {}, {}
    for c in codes:
        xa = [c in s for s in sa]
        xb = [c in s for s in sb]
        kappa[c] = cohen_kappa(xa, xb)
        alpha[c] = krippendorff_alpha(zip(xa, xb))
        pct[c] = sum(x == y for x, y in zip(xa, xb)) / len(ids) if ids else 0.0
    defined_alpha = [v for v in alpha.values() if v is not None]
    defined_kappa = [v for v in kappa.values() if v is not None]
    return Agreement(
        n_segments=len(ids), codes=tuple(codes), kappa=kappa, alpha=alpha, percent_agreement=pct,
        alpha_masi=krippendorff_alpha(zip(sa, sb), masi_distance),
        alpha_mean_per_code=sum(defined_alpha) / len(defined_alpha) if defined_alpha else None,
        kappa_mean=sum(defined_kappa) / len(defined_kappa) if defined_kappa else None,
        scores=score(sa, sb, list(codes)),
    )
