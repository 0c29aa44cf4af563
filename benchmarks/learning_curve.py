"""Learning curve within a document: F1 on the rest of a document after N of its segments
were reviewed, for the rules alone and the combined coder.

    python3 benchmarks/learning_curve.py [--n 25 50 100] [--seeds 2] [--alone] [--data FILE.jsonl ...]

For every document (``source``) of the data: the combined coder is trained on the other
documents plus ``N`` segments of this one (drawn in a seeded random order, as a review
would go through them), and scored on this document's remaining segments; ``N = 0`` is
the unseen-document case.  With ``N > 0`` the document is the coder's ``target``: lemma
features seen only in it are kept (``analysis.coding.combined.train``).  The rules alone are scored on the same remaining segments, so
each row compares like with like.  A document needs ``N + 10`` segments for a row.
Micro-F1 is averaged over the seeds; the last line pools all documents.

``--alone``: train on the ``N`` reviewed segments only, without the other documents and
without their ``source``, as a consultation's learner does (``consult.coding.train_coder``
has only the consultation's own reviewed segments); ``N = 0`` is then skipped.
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analysis.codebook import DEFAULT_CODEBOOK_PATH, load_codebook  # noqa: E402
from analysis.coding.combined import train  # noqa: E402
from analysis.coding.rules import RuleCoder  # noqa: E402
from analysis.evaluation import read_jsonl, score  # noqa: E402

SHARED = ROOT.parent / "shared" / "reference"
MIN_REST = 10


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", nargs="+", default=[str(SHARED / "dev-gold.jsonl"), str(SHARED / "dev-gold-004.jsonl")])
    ap.add_argument("--codebook", default=str(DEFAULT_CODEBOOK_PATH))
    ap.add_argument("--n", nargs="+", type=int, default=[0, 25, 50, 100])
    ap.add_argument("--seeds", type=int, default=2)
    ap.add_argument("--alone", action="store_true", help="train on the reviewed segments only, as in a consultation")
    args = ap.parse_args(argv)

    codebook = load_codebook(args.codebook)
    items = [it for path in args.data for it in read_jsonl(path, codebook)]
    docs = list(dict.fromkeys(it.source for it in items))
    rules = RuleCoder(codebook)
    t0 = time.perf_counter()
    print(f"{'document':<9} {'segments':>8} {'N':>4} {'rest':>5} {'rules F1':>9} {'combined F1':>12}")
    pooled: dict[int, list[tuple[list, list, list]]] = {}
    for doc in docs:
        own = [it for it in items if it.source == doc]
        others = [it for it in items if it.source != doc]
        for n in args.n:
            if args.alone and n == 0:
                continue
            if len(own) < n + MIN_REST:
                print(f"{doc:<9} {len(own):8d} {n:4d}     -  (document too small)")
                continue
            f_rules, f_comb = [], []
            for seed in range(args.seeds if n else 1):
                order = own[:]
                random.Random(seed).shuffle(order)
                reviewed, rest = order[:n], order[n:]
                if args.alone:
                    coder = train(codebook, [(i.text, i.codes) for i in reviewed], seed=seed, nlp=rules.nlp)
                else:
                    coder = train(codebook, [(i.text, i.codes, i.source) for i in others + reviewed], seed=seed,
                                  target=doc if n else None, nlp=rules.nlp)
                texts, gold = [i.text for i in rest], [i.codes for i in rest]
                pred_c = coder.predict_codes(texts)
                pred_r = [[s.code for s in ss] for ss in rules.code(texts)]
                f_comb.append(score(gold, pred_c, codebook.code_ids).micro_f1)
                f_rules.append(score(gold, pred_r, codebook.code_ids).micro_f1)
                pooled.setdefault(n, []).append((gold, pred_r, pred_c))
            print(f"{doc:<9} {len(own):8d} {n:4d} {len(own) - n:5d} {sum(f_rules) / len(f_rules):9.3f} "
                  f"{sum(f_comb) / len(f_comb):12.3f}")
    for n, runs in sorted(pooled.items()):
        gold = [g for run in runs for g in run[0]]
        r = score(gold, [p for run in runs for p in run[1]], codebook.code_ids).micro_f1
        c = score(gold, [p for run in runs for p in run[2]], codebook.code_ids).micro_f1
        print(f"{'pooled':<9} {'':8} {n:4d} {'':5} {r:9.3f} {c:12.3f}")
    print(f"({time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
