"""Review efficiency: what the review screen's one-key candidates and the learner's order buy.

    python3 benchmarks/review_ranking.py [--reviewed 25] [--speed 2000]

Leave one document out over the three shared development documents
(``../shared/reference/dev-gold.jsonl`` with its ``source`` field, and ``dev-gold-004.jsonl``):
the coder is trained on two documents and judged on the third, the way a new consultation
meets text the coder has never seen.

1. Candidates. Per coder (the keyword rules and the combined coder; both rank the codes
   they do not suggest by similarity to the codebook text lifted by the batch's themes,
   ``analysis.coding.ranking``, and keep those resembling their codebook text at least
   ``consult.coding.MIN_CANDIDATE_SIMILARITY``), the recall of
   its suggestions alone and of its suggestions plus the (at most 3) candidates the review
   screen offers as one-key choices; how many of the gold codes the suggestions missed are
   among the candidates, and how many shown candidates are right.
2. Learning within a document. From the coder trained on the other two documents, a person
   reviews ``--reviewed`` segments of the held-out one, either in text order or the most
   informative first (smallest distance to a decision edge, ``Segment.review_margin``); the coder
   is retrained with those segments added. Scored on the segments neither order picked
   (the same segments for both, so that picking the hard ones does not flatter the score)
   and on all segments not reviewed under each order.
3. Cost of ranking: ``consult.coding.rank_texts`` against the coder's plain ``code()`` on
   ``--speed`` segments (one pass over the text: the ratio should stay near 1).
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analysis.codebook import load_default_codebook  # noqa: E402
from analysis.coding.combined import train  # noqa: E402
from analysis.coding.rules import RuleCoder  # noqa: E402
from analysis.evaluation import score  # noqa: E402
from consult.coding import PreparedCoder, rank_texts  # noqa: E402

SHARED = ROOT.parent / "shared" / "reference"


def load_rows() -> list[dict]:
    rows = []
    for name in ("dev-gold.jsonl", "dev-gold-004.jsonl"):
        for line in (SHARED / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                row.setdefault("source", "004")
                rows.append(row)
    return rows


def prepared(coder, codebook) -> PreparedCoder:
    names = {"rule": "rule", "model": "model"}
    return PreparedCoder(coder, names, None if isinstance(coder, RuleCoder) else 1)


def candidate_figures(name: str, ranked, gold) -> dict:
    n_gold = sum(len(g) for g in gold)
    hit_sugg = hit_both = missed = recovered = shown = right = top3 = 0
    for r, g in zip(ranked, gold):
        top3 += len(g & set(list(r.scores)[:3]))
        sugg = {s.code for s in r.suggestions}
        cands = {c for c, _ in r.candidates()}
        hit_sugg += len(g & sugg)
        hit_both += len(g & (sugg | cands))
        missed += len(g - sugg)
        recovered += len((g - sugg) & cands)
        shown += len(cands)
        right += len(g & cands)
    return {"coder": name, "recall": hit_sugg / n_gold, "recall_with_candidates": hit_both / n_gold,
            "missed_recovered": recovered / missed if missed else 0.0,
            "candidate_precision": right / shown if shown else 0.0, "candidates_per_segment": shown / len(gold),
            "recall_at_3": top3 / n_gold, "n_gold": n_gold}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reviewed", type=int, default=25, help="segments of the held-out document reviewed")
    ap.add_argument("--speed", type=int, default=2000, help="segments for the cost comparison (0: skip)")
    ap.add_argument("--speed-only", action="store_true", help="only the cost comparison (part 3)")
    args = ap.parse_args(argv)
    codebook = load_default_codebook()
    rows = load_rows()
    sources = sorted({r["source"] for r in rows})
    codes = codebook.code_ids
    totals: dict[str, list[dict]] = {}
    learning: list[tuple[str, float, float, float, float, float]] = []
    for held in ([] if args.speed_only else sources):
        train_rows = [r for r in rows if r["source"] != held]
        test_rows = [r for r in rows if r["source"] == held]
        texts = [r["text"] for r in test_rows]
        gold = [set(r["codes"]) for r in test_rows]
        examples = [(r["text"], r["codes"]) for r in train_rows]
        combined = train(codebook, examples)
        rules = RuleCoder(codebook, combined.rules.nlp)
        for name, coder in (("rules", rules), ("combined", combined)):
            ranked = rank_texts(prepared(coder, codebook), texts)
            totals.setdefault(name, []).append(candidate_figures(name, ranked, gold))
        # learning within the document: text order against the most informative first
        ranked = rank_texts(prepared(combined, codebook), texts)
        margins = [r.margin() if r.margin() is not None else 9.0 for r in ranked]
        k = min(args.reviewed, len(texts) - 1)
        picks = {"text": list(range(k)),
                 "doubt": sorted(range(len(texts)), key=lambda i: (margins[i], i))[:k]}
        common = [i for i in range(len(texts)) if i not in set(picks["text"]) | set(picks["doubt"])]
        f1 = {}
        for order, chosen in picks.items():
            model = train(codebook, examples + [(texts[i], test_rows[i]["codes"]) for i in chosen])
            pred = [set(c) for c in model.predict_codes(texts)]
            rest = [i for i in range(len(texts)) if i not in set(chosen)]
            f1[order] = (score([gold[i] for i in common], [pred[i] for i in common], codes).micro_f1,
                         score([gold[i] for i in rest], [pred[i] for i in rest], codes).micro_f1)
        before = [set(c) for c in combined.predict_codes(texts)]
        base = score([gold[i] for i in common], [before[i] for i in common], codes).micro_f1
        learning.append((held, base, f1["text"][0], f1["doubt"][0], f1["text"][1], f1["doubt"][1]))
        print(f"held out {held}: {len(texts)} segments, {len(common)} picked by neither order", flush=True)

    if learning:
        report(totals, learning, args.reviewed)
    if args.speed:
        speed(codebook, rows, args.speed)


def report(totals, learning, reviewed) -> None:
    print("\n1. Candidates (leave one document out, micro over the gold codes of the held-out documents)")
    print("(mean over the held-out documents; recall@3: the share of gold codes among the first three of the"
          " coder's ranking, pooled over all gold codes as in `consult codebook crossval`)")
    print(f"{'coder':<9} {'recall':>7} {'+cands':>7} {'missed->cand':>13} {'cand prec':>10} {'cands/seg':>10} {'recall@3':>9}")
    for name, figs in totals.items():
        mean = {key: sum(f[key] for f in figs) / len(figs) for key in figs[0] if key != "coder"}
        pooled_r3 = sum(f["recall_at_3"] * f["n_gold"] for f in figs) / sum(f["n_gold"] for f in figs)
        print(f"{name:<9} {mean['recall']:7.3f} {mean['recall_with_candidates']:7.3f} "
              f"{mean['missed_recovered']:13.3f} {mean['candidate_precision']:10.3f} {mean['candidates_per_segment']:10.2f}"
              f" {pooled_r3:9.3f}")
    print(f"\n2. Learning within a document after {reviewed} reviewed segments (micro-F1)")
    print(f"{'held out':<9} {'before':>7} {'text(common)':>13} {'doubt(common)':>14} {'text(rest)':>11} {'doubt(rest)':>12}")
    for held, base, tc, dc, tr, dr in learning:
        print(f"{held:<9} {base:7.3f} {tc:13.3f} {dc:14.3f} {tr:11.3f} {dr:12.3f}")
    n = len(learning)
    print(f"{'mean':<9} {sum(x[1] for x in learning) / n:7.3f} {sum(x[2] for x in learning) / n:13.3f} "
          f"{sum(x[3] for x in learning) / n:14.3f} {sum(x[4] for x in learning) / n:11.3f} "
          f"{sum(x[5] for x in learning) / n:12.3f}")


def speed(codebook, rows, n: int) -> None:
    rng = random.Random(0)
    texts = [f"{rng.choice(rows)['text']} {rng.choice(rows)['text']}" for _ in range(n)]
    combined = train(codebook, [(r["text"], r["codes"]) for r in rows])
    rules = RuleCoder(codebook, combined.rules.nlp)
    rules.code(texts[:50])     # warm up the pipeline
    print(f"\n3. Cost of ranking on {n} segments (one core)")
    for name, coder in (("rules", rules), ("combined", combined)):
        p = prepared(coder, codebook)
        t = time.perf_counter(); coder.code(texts); plain = time.perf_counter() - t
        t = time.perf_counter(); rank_texts(p, texts); ranked = time.perf_counter() - t
        print(f"{name:<9} code() {plain:6.1f} s   rank_texts {ranked:6.1f} s   ratio {ranked / plain:4.2f}")


if __name__ == "__main__":
    main()
