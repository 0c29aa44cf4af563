"""analysis.tfidf: the one TF-IDF over bags of lemmas (scikit-learn's)."""
import math

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from analysis.tfidf import Tfidf, centroid_ranking, cosine

BAGS = [["zorg", "wijk", "zorg", "taxi"], ["wijk", "buurthuis"], ["zorg", "taxi", "taxi", "taxi"]]


def test_weights_are_sublinear_tf_times_smoothed_idf_on_unit_rows():
    t = Tfidf()
    X = t.fit_transform(BAGS)
    assert t.vocabulary == ["buurthuis", "taxi", "wijk", "zorg"]
    n = len(BAGS)
    idf = {w: math.log((1 + n) / (1 + sum(w in b for b in BAGS))) + 1 for w in t.vocabulary}
    raw = {w: (1 + math.log(c)) * idf[w] for w, c in (("zorg", 2), ("wijk", 1), ("taxi", 1))}
    norm = math.sqrt(sum(v * v for v in raw.values()))
    row = dict(zip(t.vocabulary, X[0].toarray().ravel()))
    assert all(math.isclose(row[w], raw[w] / norm) for w in raw) and row["buurthuis"] == 0
    assert np.allclose(np.linalg.norm(X.toarray(), axis=1), 1)
    # the same as TfidfVectorizer with the lemmas as tokens
    ref = TfidfVectorizer(analyzer=lambda bag: bag, sublinear_tf=True).fit_transform(BAGS)
    assert np.allclose(X.toarray(), ref.toarray())


def test_weighted_bags_unknown_lemmas_min_df_and_empty_input():
    t = Tfidf()
    X = t.fit_transform([{"zorg": 1.5, "wijk": 1}, {"zorg": 0.5}])
    assert X.shape == (2, 2) and math.isclose(cosine(X[1], X[1]), 1.0)
    assert t.transform([["onbekend"]]).nnz == 0 and t.transform([]).shape == (0, 2)
    t = Tfidf(min_df=2)
    t.fit_transform(BAGS)
    assert t.vocabulary == ["taxi", "wijk", "zorg"]
    assert Tfidf().fit_transform([]).shape == (0, 0)
    assert Tfidf().fit_transform([[], []]).shape == (2, 0)


def test_centroid_ranking_puts_the_most_typical_first():
    X = Tfidf().fit_transform(BAGS + [["zorg", "taxi"]])
    ranked = centroid_ranking(X, [0, 2, 3])
    assert [i for i, _ in ranked][0] == 3 and ranked[0][1] >= ranked[-1][1] > 0
    assert centroid_ranking(X, []) == []


def test_the_same_as_scikit_learn_for_weighted_bags_transform_and_min_df():
    """The numpy implementation gives what DictVectorizer + TfidfTransformer give."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.feature_extraction.text import TfidfTransformer

    bags = [{"zorg": 1.5, "wijk": 1, "taxi": 0.5}, {"zorg": 0.5}, {"wijk": 2, "buurthuis": 1}, {}]
    new = [{"zorg": 1, "onbekend": 3}, {"taxi": 2.5, "wijk": 1}]
    for min_df in (1, 2):
        dv = DictVectorizer(sort=True)
        counts = dv.fit_transform(bags)
        df = np.bincount(counts.tocsr().indices, minlength=counts.shape[1])
        dv.restrict(df >= min_df)
        tt = TfidfTransformer(sublinear_tf=True)
        ref = tt.fit_transform(dv.transform(bags))
        t = Tfidf(min_df=min_df)
        X = t.fit_transform(bags)
        assert t.vocabulary == list(dv.feature_names_)
        assert np.allclose(X.toarray(), ref.toarray()) and np.allclose(t.idf, tt.idf_)
        assert np.allclose(t.transform(new).toarray(), tt.transform(dv.transform(new)).toarray())
