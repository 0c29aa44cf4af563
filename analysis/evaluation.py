"""Evaluation of multi-label coding: P/R/F1, k-fold cross-validation, a keyword baseline.

Gold and predicted codes are given per segment as iterables of code identifiers.
Micro figures count true/false positives and false negatives over all (segment, code)
pairs; macro figures average the per-code figures over the codes in ``codes`` (by
default every code that occurs in gold or predictions).  A code with no gold and no
predicted occurrence has P = R = F1 = 1 only if it is explicitly listed and absent from
both; it is then left out of the macro average (nothing to measure).
"""
from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Hashable, Iterable, Sequence

from analysis.codebook import Codebook

__all__ = ["CodeScores", "Scores", "score", "kfold", "cross_validate", "keyword_baseline",
           "read_jsonl", "LabelledText", "recall_at_k", "group_splits", "GroupedScores",
           "leave_one_group_out"]


@dataclass(frozen=True)
class CodeScores:
    precision: float
    recall: float
    f1: float
    support: int      # gold occurrences
    predicted: int
    tp: int

    def to_dict(self) -> dict:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4),
                "f1": round(self.f1, 4), "support": self.support}

    def to_full_dict(self) -> dict:
        """:meth:`to_dict` plus the predicted count and true positives."""
        return dict(self.to_dict(), predicted=self.predicted, tp=self.tp)


@dataclass(frozen=True)
class Scores:
    micro_precision: float
    micro_recall: float
    micro_f1: float
    macro_precision: float
    macro_recall: float
    macro_f1: float
    per_code: dict[str, CodeScores]
    n_segments: int

    def to_dict(self) -> dict:
        r = lambda x: round(x, 4)  # noqa: E731
        return {"micro_precision": r(self.micro_precision), "micro_recall": r(self.micro_recall),
                "micro_f1": r(self.micro_f1), "macro_precision": r(self.macro_precision),
                "macro_recall": r(self.macro_recall), "macro_f1": r(self.macro_f1),
                "n_segments": self.n_segments,
                "per_code": {c: s.to_dict() for c, s in self.per_code.items()}}

    def format(self, per_code: bool = True) -> str:
        lines = [f"segments: {self.n_segments}",
                 f"micro  P {self.micro_precision:.3f}  R {self.micro_recall:.3f}  F1 {self.micro_f1:.3f}",
                 f"macro  P {self.macro_precision:.3f}  R {self.macro_recall:.3f}  F1 {self.macro_f1:.3f}"]
        if per_code:
            lines.append(f"{'code':<20} {'P':>6} {'R':>6} {'F1':>6} {'support':>8} {'predicted':>9}")
            for c, s in self.per_code.items():
                lines.append(f"{c:<20} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f} {s.support:8d} {s.predicted:9d}")
        return "\n".join(lines)


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def score(gold: Sequence[Iterable[str]], predicted: Sequence[Iterable[str]],
          codes: Sequence[str] | None = None) -> Scores:
    """Micro/macro/per-code precision, recall and F1 of ``predicted`` against ``gold``."""
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold segments but {len(predicted)} predictions")
    gold_sets = [set(g) for g in gold]
    pred_sets = [set(p) for p in predicted]
    if codes is None:
        codes = sorted(set().union(*gold_sets, *pred_sets)) if gold_sets else []
    per_code = {}
    TP = FP = FN = 0
    for c in codes:
        tp = sum(1 for g, p in zip(gold_sets, pred_sets) if c in g and c in p)
        fp = sum(1 for g, p in zip(gold_sets, pred_sets) if c not in g and c in p)
        fn = sum(1 for g, p in zip(gold_sets, pred_sets) if c in g and c not in p)
        TP, FP, FN = TP + tp, FP + fp, FN + fn
        p, r, f = _prf(tp, fp, fn)
        per_code[c] = CodeScores(p, r, f, tp + fn, tp + fp, tp)
    mp, mr, mf = _prf(TP, FP, FN)
    measured = [s for s in per_code.values() if s.support or s.predicted]
    n = len(measured) or 1
    return Scores(mp, mr, mf,
                  sum(s.precision for s in measured) / n, sum(s.recall for s in measured) / n,
                  sum(s.f1 for s in measured) / n, per_code, len(gold_sets))


def kfold(n: int, k: int = 5, seed: int = 0) -> list[tuple[list[int], list[int]]]:
    """``k`` (train indices, test indices) splits of ``range(n)``, shuffled with ``seed``."""
    if k < 2 or k > n:
        raise ValueError(f"need 2 <= folds <= number of items ({n}), got {k}")
    idx = list(range(n))
    random.Random(seed).shuffle(idx)
    folds = [sorted(idx[i::k]) for i in range(k)]
    return [(sorted(j for f, fold in enumerate(folds) if f != i for j in fold), folds[i]) for i in range(k)]


def recall_at_k(gold: Sequence[Iterable[str]], ranked: Sequence[Sequence[str]], k: int = 3) -> float:
    """The share of gold (segment, code) pairs whose code is among the segment's first
    ``k`` ranked codes (``ranked``: per segment its codes, best first)."""
    if len(gold) != len(ranked):
        raise ValueError(f"{len(gold)} gold segments but {len(ranked)} rankings")
    total = hit = 0
    for g, r in zip(gold, ranked):
        top = set(list(r)[:k])
        for c in set(g):
            total += 1
            hit += c in top
    return hit / total if total else 0.0


@dataclass(frozen=True)
class LabelledText:
    text: str
    codes: tuple[str, ...]
    id: str | None = None
    source: str | None = None     # the document the segment comes from (for splits by document)


def read_jsonl(path: str | Path, codebook: Codebook | None = None) -> list[LabelledText]:
    """Read JSON lines with ``text`` and ``codes`` (and optional ``id``).

    Raises ``ValueError`` naming the file and line on bad JSON, a missing key or (when a
    codebook is given) a code the codebook does not have.
    """
    path = Path(path)
    out = []
    known = set(codebook.code_ids) if codebook is not None else None
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ValueError(f"{path}: cannot read: {exc.strerror or exc}") from None
    for no, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path.name}: line {no}: invalid JSON ({exc.msg})") from None
        if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
            raise ValueError(f"{path.name}: line {no}: expected an object with 'text' and 'codes'")
        codes = obj.get("codes", [])
        if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
            raise ValueError(f"{path.name}: line {no}: 'codes' must be a list of code identifiers")
        if known is not None:
            unknown = [c for c in codes if c not in known]
            if unknown:
                raise ValueError(f"{path.name}: line {no}: code {unknown[0]} is not in the codebook")
        out.append(LabelledText(obj["text"], tuple(dict.fromkeys(codes)),
                                str(obj["id"]) if obj.get("id") is not None else None,
                                str(obj["source"]) if obj.get("source") is not None else None))
    return out


def cross_validate(items: Sequence[LabelledText],
                   fit_predict: Callable[[list[LabelledText], list[str]], list[Iterable[str]]],
                   *, folds: int = 5, seed: int = 0, codes: Sequence[str] | None = None) -> Scores:
    """Pooled k-fold cross-validation.

    ``fit_predict(train_items, test_texts)`` trains on the training folds and returns
    the predicted codes of each test text; the out-of-fold predictions of all folds are
    scored together against the gold codes.
    """
    preds: list[Iterable[str] | None] = [None] * len(items)
    for train_idx, test_idx in kfold(len(items), folds, seed):
        out = fit_predict([items[i] for i in train_idx], [items[i].text for i in test_idx])
        for i, p in zip(test_idx, out):
            preds[i] = p
    return score([it.codes for it in items], preds, codes)


def group_splits(groups: Sequence[Hashable]) -> list[tuple[Hashable, list[int], list[int]]]:
    """Leave one group out: per distinct group (in order of first appearance) the
    (group, train indices, test indices) with that group's items as the test set."""
    distinct = list(dict.fromkeys(groups))
    if len(distinct) < 2:
        raise ValueError(f"leaving one group out needs at least 2 groups, got {len(distinct)}")
    return [(g, [i for i, x in enumerate(groups) if x != g], [i for i, x in enumerate(groups) if x == g])
            for g in distinct]


@dataclass(frozen=True)
class GroupedScores:
    """Scores of a leave-one-group-out run: pooled over all held-out groups and per group;
    ``recall_at_3`` (pooled) and ``group_recall_at_3`` when the coder ranks its codes."""
    pooled: Scores
    per_group: dict[str, Scores]
    recall_at_3: float | None = None
    group_recall_at_3: dict[str, float] | None = None

    def to_dict(self) -> dict:
        out = self.pooled.to_dict()
        if self.recall_at_3 is not None:
            out["recall_at_3"] = round(self.recall_at_3, 4)
        out["per_group"] = {}
        for g, s in self.per_group.items():
            d = {k: v for k, v in s.to_dict().items() if k != "per_code"}
            if self.group_recall_at_3 is not None:
                d["recall_at_3"] = round(self.group_recall_at_3[g], 4)
            out["per_group"][g] = d
        return out


def leave_one_group_out(items: Sequence[LabelledText], groups: Sequence[Hashable],
                        fit_predict: Callable[[list[LabelledText], list[str]], list],
                        *, codes: Sequence[str] | None = None, k: int = 3) -> GroupedScores:
    """Train on all groups but one, code the held-out group, for every group.

    ``fit_predict(train_items, test_texts)`` returns per test text either its predicted
    codes, or a pair ``(predicted codes, ranked codes best first)``; with rankings the
    result also has recall@``k``.  Scores are pooled over all held-out predictions and
    given per group.
    """
    preds: list = [None] * len(items)
    ranks: list = [None] * len(items)
    for _, tr, te in group_splits(groups):
        out = fit_predict([items[i] for i in tr], [items[i].text for i in te])
        for i, p in zip(te, out):
            if isinstance(p, tuple) and len(p) == 2:
                preds[i], ranks[i] = p
            else:
                preds[i] = p
    gold = [it.codes for it in items]
    ranked = all(r is not None for r in ranks)
    per_group, group_r3 = {}, {}
    for g, _, te in group_splits(groups):
        per_group[str(g)] = score([gold[i] for i in te], [preds[i] for i in te], codes)
        if ranked:
            group_r3[str(g)] = recall_at_k([gold[i] for i in te], [ranks[i] for i in te], k)
    return GroupedScores(score(gold, preds, codes), per_group,
                         recall_at_k(gold, ranks, k) if ranked else None,
                         group_r3 if ranked else None)


def keyword_baseline(codebook: Codebook, texts: Sequence[str]) -> list[list[str]]:
    """The plain baseline: a code applies when one of its keywords occurs as a substring
    of the lowercased text (no lemmas, no compounds logic, no negation)."""
    kws = [(c.code, [k.lower() for k in c.keywords]) for c in codebook.codes]
    out = []
    for t in texts:
        low = (t or "").lower()
        out.append([code for code, ks in kws if any(k in low for k in ks)])
    return out
