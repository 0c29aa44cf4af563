"""Evaluation metrics, k-fold splits, JSONL reading and the keyword baseline."""

import pytest

from analysis.codebook import Code, Codebook
from analysis.evaluation import cross_validate, keyword_baseline, kfold, read_jsonl, score


def test_micro_macro_per_code():
    gold = [{"A"}, {"A", "B"}, set(), {"B"}]
    pred = [{"A"}, {"A"}, {"B"}, {"B"}]
    s = score(gold, pred, ["A", "B", "C"])
    # A: tp 2 fp 0 fn 0; B: tp 1 fp 1 fn 1; C: nothing (left out of macro)
    assert s.per_code["A"].f1 == 1.0 and s.per_code["B"].f1 == pytest.approx(0.5)
    assert (s.micro_precision, s.micro_recall) == (0.75, 0.75)
    assert s.macro_f1 == pytest.approx(0.75)
    assert s.per_code["B"].support == 2 and s.per_code["C"].support == 0
    d = s.to_dict()
    assert set(d) >= {"micro_precision", "micro_recall", "micro_f1", "macro_f1", "per_code"}
    assert d["per_code"]["B"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2}
    with pytest.raises(ValueError):
        score([{"A"}], [])


def test_kfold_partitions():
    splits = kfold(11, 3, seed=1)
    tests = sorted(i for _, te in splits for i in te)
    assert tests == list(range(11))
    for tr, te in splits:
        assert not set(tr) & set(te) and len(tr) + len(te) == 11
    assert kfold(11, 3, seed=1) == splits and kfold(11, 3, seed=2) != splits
    with pytest.raises(ValueError):
        kfold(3, 5)


def test_cross_validate_pools_out_of_fold_predictions():
    from analysis.evaluation import LabelledText
    items = [LabelledText(f"tekst {i}", ("A",) if i % 2 else ()) for i in range(10)]
    seen_train = []

    def fit_predict(train, texts):
        seen_train.append(len(train))
        return [{"A"} if int(t.split()[1]) % 2 else set() for t in texts]

    s = cross_validate(items, fit_predict, folds=5)
    assert s.micro_f1 == 1.0 and seen_train == [8] * 5


def test_read_jsonl_errors(tmp_path):
    cb = Codebook(name="t", codes=(Code("A", "a"),))
    p = tmp_path / "x.jsonl"
    p.write_text('{"text": "een", "codes": ["A"]}\n\n{"text": "twee", "codes": []}\n', encoding="utf-8")
    assert [i.text for i in read_jsonl(p, cb)] == ["een", "twee"]
    p.write_text('{"text": "een", "codes": ["B"]}\n', encoding="utf-8")
    with pytest.raises(ValueError, match="x.jsonl: line 1: code B is not in the codebook"):
        read_jsonl(p, cb)
    p.write_text('{"text": "een"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="line 1: invalid JSON"):
        read_jsonl(p)


def test_keyword_baseline_is_plain_substring():
    cb = Codebook(name="t", codes=(Code("ZORG", "Zorg", keywords=("zorg",)), Code("WIJK", "Wijk", keywords=("wijk",))))
    assert keyword_baseline(cb, ["De Zorgverzekeraar", "wijkteam en zorg", "niets"]) == [["ZORG"], ["ZORG", "WIJK"], []]


def test_recall_at_k_and_leave_one_group_out():
    from analysis.evaluation import LabelledText, group_splits, leave_one_group_out, recall_at_k
    assert recall_at_k([{"A", "B"}, {"C"}, set()], [["A", "C", "D", "B"], ["C"], ["A"]], k=3) == pytest.approx(2 / 3)
    assert recall_at_k([{"A", "B"}], [["B", "A"]], k=1) == 0.5
    splits = group_splits(["x", "y", "x", "z"])
    assert splits == [("x", [1, 3], [0, 2]), ("y", [0, 2, 3], [1]), ("z", [0, 1, 2], [3])]
    with pytest.raises(ValueError):
        group_splits(["x", "x"])
    items = [LabelledText(f"t{i}", ("A",) if i % 2 else (), source="d1" if i < 4 else "d2") for i in range(8)]
    seen = []

    def fit_predict(train, texts):
        seen.append({t.source for t in train})
        # wrong on d2's odd segments: predicts nothing there; ranks A second everywhere
        return [((["A"] if int(t[1:]) % 2 and int(t[1:]) < 4 else []), ["B", "A"]) for t in texts]

    res = leave_one_group_out(items, [i.source for i in items], fit_predict, codes=["A", "B"])
    assert seen == [{"d2"}, {"d1"}]                          # never trained on the held-out document
    assert res.per_group["d1"].micro_f1 == 1.0 and res.per_group["d2"].micro_f1 == 0.0
    assert res.pooled.micro_recall == 0.5 and res.recall_at_3 == 1.0
    assert res.to_dict()["per_group"]["d2"]["recall_at_3"] == 1.0
