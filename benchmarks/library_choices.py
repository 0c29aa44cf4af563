"""Where consult keeps hand-written code next to a library that does the same: the numbers.

    python3 benchmarks/library_choices.py [--data FILE.jsonl] [--codebook FILE] [--skip-coder]

1. The report's two-proportion z-test and Benjamini-Hochberg against statsmodels
   (``pip install -e '.[test]'``): agreement and time per test.
2. The coder's Vectoriser against DictVectorizer + log1p + normalize: agreement and time.
3. The coder's LinearModel (L2 towards a prior) against scikit-learn's LogisticRegression
   (one per code, the mask as sample weights): 5-fold cross-validated F1 and time.
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _best(f, n=3) -> float:
    best = float("inf")
    for _ in range(n):
        t = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - t)
    return best


def statistics() -> None:
    from exports.report import benjamini_hochberg, two_proportion_p
    try:
        from statsmodels.stats.multitest import multipletests
        from statsmodels.stats.proportion import proportions_ztest
    except ImportError:
        print("1. statsmodels is not installed (pip install -e '.[test]'): skipped")
        return
    rng = random.Random(0)
    cases = []
    for _ in range(2000):
        n1, n2 = rng.randint(5, 200), rng.randint(5, 400)
        cases.append((rng.randint(1, n1 - 1), n1, rng.randint(1, n2 - 1), n2))
    ours = [two_proportion_p(*c) for c in cases]
    theirs = [float(proportions_ztest([k1, k2], [n1, n2])[1]) for k1, n1, k2, n2 in cases]
    rel = max(abs(a - b) / max(b, 1e-300) for a, b in zip(ours, theirs))
    t_ours = _best(lambda: [two_proportion_p(*c) for c in cases])
    t_theirs = _best(lambda: [proportions_ztest([k1, k2], [n1, n2]) for k1, n1, k2, n2 in cases])
    same_bh = benjamini_hochberg(ours) == list(multipletests(ours, alpha=0.05, method="fdr_bh")[0])
    print(f"1. z-test, {len(cases)} tables: largest relative difference in p {rel:.1e}; "
          f"hand-written {t_ours * 1000:.1f} ms, statsmodels {t_theirs * 1000:.0f} ms; "
          f"Benjamini-Hochberg decisions identical: {same_bh}")


def _training_matrix(codebook, rows):
    import analysis.coding.combined as combined
    captured = {}
    fit = combined._fit

    def spy(X, nv, Y, M, k, l2, epochs):
        captured["args"] = (X, nv, Y, M, k, l2, epochs)
        return fit(X, nv, Y, M, k, l2, epochs)

    combined._fit = spy
    try:
        combined.train(codebook, [(r.text, r.codes) for r in rows], calibrate=False)
    finally:
        combined._fit = fit
    return captured["args"]


def vectoriser(codebook, rows) -> None:
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.preprocessing import normalize

    from analysis.coding.combined import CodeProfiles, RuleCoder, _featurise
    from analysis.coding.learning import Vectoriser
    counters = _featurise(RuleCoder(codebook), CodeProfiles(codebook), codebook.code_ids,
                          [r.text for r in rows]).counters * 20
    vec = Vectoriser.fit(counters)
    dv = DictVectorizer().fit(counters)

    def library():
        A = dv.transform(counters)
        A.data = np.log1p(A.data)
        return normalize(A)

    same = np.allclose(np.sort(vec.transform(counters).vals), np.sort(library().data.astype(np.float32)))
    print(f"2. vectoriser, {len(counters)} segments: same values {same}; hand-written "
          f"{_best(lambda: vec.transform(counters)) * 1000:.0f} ms, scikit-learn {_best(library) * 1000:.0f} ms")


def coder(codebook, rows) -> None:
    from scipy import sparse
    from sklearn.linear_model import LogisticRegression

    import analysis.coding.combined as combined
    from analysis.coding.learning import LinearModel
    from analysis.evaluation import cross_validate
    own_fit = combined._fit

    def sklearn_fit(X, nv, Y, M, k, l2, epochs):
        A = sparse.csr_matrix((X.vals, (X.rows, X.cols)), shape=X.shape)
        W, b = np.zeros((X.shape[1], k), dtype=np.float32), np.zeros(k, dtype=np.float32)
        for j in range(k):
            keep = M[:, j] > 0
            y = Y[keep, j]
            if len(set(y)) < 2:
                b[j] = 10.0 if y.mean() > 0.5 else -10.0
                continue
            m = LogisticRegression(C=1.0, max_iter=1000).fit(A[keep], y, sample_weight=M[keep, j])
            W[:, j], b[j] = m.coef_[0], m.intercept_[0]
        return LinearModel(W, b)

    for name, fit in (("LinearModel (hand-written)", own_fit), ("LogisticRegression (scikit-learn)", sklearn_fit)):
        combined._fit = fit
        try:
            t = time.perf_counter()
            s = cross_validate(rows, lambda tr, te: combined.train(codebook, [(i.text, i.codes) for i in tr])
                               .predict_codes(te), folds=5, seed=0, codes=codebook.code_ids)
            dt = time.perf_counter() - t
        finally:
            combined._fit = own_fit
        print(f"3. {name}: 5-fold micro-F1 {s.micro_f1:.3f}, macro-F1 {s.macro_f1:.3f}, {dt:.1f} s")
    X, nv, Y, M, k, l2, epochs = _training_matrix(codebook, rows)
    prior = np.zeros((X.shape[1], k))
    print(f"   LinearModel.fit on {X.shape[0]} x {X.shape[1]}, {epochs} epochs: "
          f"{_best(lambda: LinearModel.fit(X, Y, M, prior=prior, l2=l2, epochs=epochs)):.2f} s")


def main(argv=None) -> None:
    from analysis.codebook import DEFAULT_CODEBOOK_PATH, load_codebook
    from analysis.evaluation import read_jsonl
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(ROOT.parent / "shared/reference/dev-gold.jsonl"))
    ap.add_argument("--codebook", default=str(DEFAULT_CODEBOOK_PATH))
    ap.add_argument("--skip-coder", action="store_true", help="only the statistics")
    args = ap.parse_args(argv)
    statistics()
    if args.skip_coder:
        return
    codebook = load_codebook(args.codebook)
    rows = read_jsonl(args.data, codebook)
    vectoriser(codebook, rows)
    coder(codebook, rows)


if __name__ == "__main__":
    main()
