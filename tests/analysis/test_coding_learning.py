"""Learning coder, combined coder, calibration, persistence, keyword suggestions, review merge."""
import json
from pathlib import Path

import numpy as np
import pytest

from analysis.codebook import Code, Codebook, load_default_codebook
from analysis.coding.base import Assignment
from analysis.coding.calibration import best_threshold, calibrate_thresholds
from analysis.coding.combined import CombinedCoder, train
from analysis.coding.learning import LinearModel, Vectoriser, keyword_suggestions, lemma_features
from analysis.coding.review import merge_suggestions, suggestions_to_assignments
from analysis.coding.rules import prepare_docs

DATA = Path(__file__).parent / "data"


def load_train():
    return [json.loads(line) for line in (DATA / "coding_train.jsonl").read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def codebook():
    return load_default_codebook()


@pytest.fixture(scope="module")
def coder(codebook):
    return train(codebook, load_train(), epochs=150)


def test_lemma_features_use_lemmas_compounds_and_prefixes():
    (doc,) = prepare_docs(["De mantelzorgondersteuning en de financiering."])
    feats = lemma_features(doc)
    assert {"mantelzorgondersteuning", "mantelzorg", "ondersteuning", "financiering", "financ~"} <= set(feats)
    assert "de" not in feats                     # stop words are no features


def test_linear_model_learns_and_respects_prior():
    vec = Vectoriser(["a", "b", "c"])
    X = vec.transform([{"a": 1}, {"a": 2}, {"b": 1}, {"c": 1}] * 5)
    Y = np.array([[1, 0], [1, 0], [0, 1], [0, 0]] * 5, dtype=float)
    m = LinearModel.fit(X, Y, l2=0.01, epochs=300)
    P = m.predict_proba(vec.transform([{"a": 1}, {"b": 1}, {"c": 1}]))
    assert P[0, 0] > 0.8 and P[1, 1] > 0.8 and P[2].max() < 0.3
    # sparse products agree with dense ones
    dense = np.zeros(X.shape)
    dense[X.rows, X.cols] = X.vals
    W = np.arange(6, dtype=float).reshape(3, 2)
    assert np.allclose(X.dot(W), dense @ W) and np.allclose(X.tdot(np.ones((20, 2))), dense.T @ np.ones((20, 2)))
    # with no data for a code, its weights stay at the prior
    prior = np.zeros((3, 2)); prior[2, 1] = 4.0
    m2 = LinearModel.fit(X, Y, np.c_[np.ones(20), np.zeros(20)], prior=prior, l2=1.0, epochs=50)
    assert m2.W[2, 1] == pytest.approx(4.0, abs=1e-6)


def test_calibration_picks_f1_optimal_thresholds():
    y = np.array([1, 1, 1, 0, 0, 0, 0, 0], dtype=bool)
    p = np.array([0.9, 0.35, 0.3, 0.25, 0.2, 0.1, 0.05, 0.0])
    t, f1 = best_threshold(y, p)
    assert 0.25 < t <= 0.3 and f1 == 1.0
    Y = np.c_[y, np.zeros(8, dtype=bool)]
    P = np.c_[p, np.full(8, 0.1)]
    th, t_global = calibrate_thresholds(Y, P, shrink=5)
    assert th[1] == t_global                     # no positives: the global threshold
    assert min(t, t_global) <= th[0] <= max(t, t_global)


def test_combined_coder_codes_with_provenance(coder):
    out = coder.code(["Mantelzorgers raken overbelast door de werkdruk.",
                      "De eigen bijdrage voor de huishoudelijke hulp is te hoog.",
                      "", "The volunteers in the community centre do great work."])
    codes = [{s.code for s in ss} for ss in out]
    assert "INFORMEEL" in codes[0] and "FINANCIERING" in codes[1]
    assert out[2] == [] and out[3] == []
    s = next(s for s in out[0] if s.code == "INFORMEEL")
    assert s.origin == "model" and "rule" in s.sources and 0 < s.confidence <= 1
    kinds = {e.kind for e in s.evidence}
    assert "keyword" in kinds
    assert any(e.keyword == "mantelzorger" for e in s.evidence if e.kind == "keyword")
    assert all(e.weight > 0 for e in s.evidence if e.kind == "feature")
    assert coder.meta["calibrated"] is True and coder.meta["n_training_segments"] == 42


def test_learned_lemmas_without_keywords(codebook):
    # "traplift" is no keyword; after training on segments that use it, the model proposes the code
    rows = [{"text": f"De traplift van mijn {w} is kapot.", "codes": ["VOORZIENINGEN"]}
            for w in ("moeder", "vader", "buurman", "tante", "oom", "opa", "oma", "zus")]
    rows += [{"text": t["text"], "codes": t["codes"]} for t in load_train()]
    c = train(codebook, rows, epochs=150)
    (sugg,) = c.code(["Die traplift doet het niet meer."])
    s = {x.code: x for x in sugg}
    assert "VOORZIENINGEN" in s
    assert "rule" not in s["VOORZIENINGEN"].sources
    assert any(e.keyword == "traplift" for e in s["VOORZIENINGEN"].evidence)


def test_save_load_and_bytes_round_trip(coder, tmp_path):
    texts = ["Het wijkteam is slecht bereikbaar.", "Meer geld voor preventie."]
    before = coder.probabilities(texts)
    coder.save(tmp_path / "coder")
    again = CombinedCoder.load(tmp_path / "coder")
    assert np.allclose(again.probabilities(texts), before)
    blob = coder.to_bytes()
    third = CombinedCoder.from_bytes(blob)
    assert third.codebook == coder.codebook and np.allclose(third.thresholds, coder.thresholds)
    assert [[s.code for s in ss] for ss in third.code(texts)] == [[s.code for s in ss] for ss in coder.code(texts)]
    with pytest.raises(ValueError, match="bad archive"):
        CombinedCoder.from_bytes(b"not a zip")


def test_training_without_segments_falls_back_to_codebook(codebook):
    c = train(codebook, [])
    assert c.meta["calibrated"] is False
    (sugg,) = c.code(["De mantelzorgers zijn overbelast."])
    assert [s.code for s in sugg] == ["INFORMEEL"]


def test_keyword_suggestions_find_distinctive_lemmas():
    cb = Codebook(name="t", codes=(Code("VERVOER", "Vervoer", keywords=("bus",)), Code("GELD", "Geld")))
    examples = [("De regiotaxi komt altijd te laat.", ["VERVOER"]),
                ("Met de regiotaxi ben je uren onderweg.", ["VERVOER"]),
                ("De regiotaxi rijdt niet in het weekend.", ["VERVOER"]),
                ("De bus stopt niet meer in ons dorp.", ["VERVOER"]),
                ("De bus rijdt te weinig.", ["VERVOER"]),
                ("De huur is te hoog.", ["GELD"]),
                ("Ik kan de huur niet betalen.", ["GELD"]),
                ("Het leven is duur en de huur stijgt.", ["GELD"])]
    out = keyword_suggestions(cb, examples, top_n=5, min_z=0.0)
    assert out["VERVOER"][0].lemma == "regiotaxi" and not out["VERVOER"][0].already_keyword
    assert any(s.lemma == "bus" and s.already_keyword for s in out["VERVOER"])
    assert out["GELD"][0].lemma == "huur" and out["GELD"][0].count == 3


def test_merge_never_overwrites_human_decisions():
    existing = [
        Assignment(1, "WIJK", "model", "model:wmo@1", 0.8, "suggested"),
        Assignment(1, "JEUGD", "model", "model:wmo@1", 0.7, "rejected"),     # a person rejected it
        Assignment(1, "TOEGANG", "person", "anna", None, "accepted"),
        Assignment(2, "WIJK", "rule", "rules:wmo@1", 0.9, "suggested"),     # another coder's
        Assignment(3, "WIJK", "model", "model:wmo@1", 0.6, "suggested"),    # segment not re-run
    ]
    from analysis.coding.base import Suggestion
    new = suggestions_to_assignments([1, 2], [[Suggestion("JEUGD", 0.9, "model"), Suggestion("INCLUSIE", 0.6, "model")],
                                              [Suggestion("WIJK", 0.7, "model")]], "model:wmo@1")
    res = merge_suggestions(existing, new, coder="model:wmo@1", segment_ids=[1, 2])
    got = {(a.segment_id, a.code, a.coder, a.status) for a in res.assignments}
    assert (1, "JEUGD", "model:wmo@1", "rejected") in got                  # still rejected
    assert (1, "JEUGD", "model:wmo@1", "suggested") not in got             # not proposed again
    assert (1, "TOEGANG", "anna", "accepted") in got
    assert (1, "WIJK", "model:wmo@1", "suggested") not in got              # stale own suggestion replaced
    assert (1, "INCLUSIE", "model:wmo@1", "suggested") in got
    assert (2, "WIJK", "rules:wmo@1", "suggested") in got                  # other coder untouched
    assert (2, "WIJK", "model:wmo@1", "suggested") in got
    assert (3, "WIJK", "model:wmo@1", "suggested") in got                  # outside the run
    assert [a.code for a in res.blocked] == ["JEUGD"] and [a.code for a in res.removed] == ["WIJK"]
    with pytest.raises(ValueError):
        merge_suggestions(existing, [Assignment(1, "WIJK", "person", "anna", None, "accepted")], coder="anna")


# -- the gate between the rules and the model -----------------------------------------

def _gate_case(right: int, wrong: int):
    """Two groups of segments, one code: the rules decide nothing; the model's probability
    is 0.9 on ``right`` segments with the code and ``wrong`` without, 0.1 elsewhere; every
    other segment has the code (so the rules miss all of them)."""
    import numpy as np
    n = 40
    Y = np.zeros((n, 1), dtype=bool)
    P = np.full((n, 1), 0.1)
    Y[:right, 0] = True
    P[:right + wrong, 0] = 0.9
    Y[right + wrong:right + wrong + 6, 0] = True          # codes nobody finds
    R = np.zeros((n, 1), dtype=bool)
    groups = [i % 2 for i in range(n)]
    return Y, P, R, groups


def test_the_gate_never_loses_to_the_rules_on_a_group_and_a_few_lucky_changes_do_not_count():
    from analysis.coding.combined import choose_gate

    Y, P, R, groups = _gate_case(right=8, wrong=0)
    gate, summary = choose_gate(Y, P, R, groups)                  # 8 of 8 changes right: p 0.004
    assert gate["add"] <= 0.9 and summary["inner_gated_micro_f1"] > summary["inner_rules_micro_f1"]
    # one group where the model's additions are all wrong: the rules stay
    Y2, P2, R2, _ = _gate_case(right=4, wrong=4)
    lopsided = [0] * 4 + [1] * 4 + [i % 2 for i in range(32)]
    Y2[39, 0] = R2[39, 0] = True                          # group 1: the rules find one code
    assert choose_gate(Y2, P2, R2, lopsided, sign_test=False)[0] == {"add": 1.01, "remove": 0.0}
    # two right changes of two win on every group but are no evidence (p 0.25)
    Y3, P3, R3, g3 = _gate_case(right=2, wrong=0)
    assert choose_gate(Y3, P3, R3, g3, sign_test=False)[0]["add"] <= 0.9
    assert choose_gate(Y3, P3, R3, g3)[0] == {"add": 1.01, "remove": 0.0}
