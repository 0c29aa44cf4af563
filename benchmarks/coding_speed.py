"""Coding speed: segments per second for the rule coder and the combined coder.

    python3 benchmarks/coding_speed.py [--n 10000] [--train FILE.jsonl] [--codebook FILE]

Segments are made by joining two random sentences of the training file (seeded), about
the length of a survey answer or a notes sentence.  The time includes running the Dutch
pipeline; loading the pipeline and training the coder are timed separately.  Both wall
and CPU time are printed (they agree on an idle machine).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analysis.codebook import load_codebook, DEFAULT_CODEBOOK_PATH  # noqa: E402
from analysis.coding.combined import train  # noqa: E402
from analysis.nlp import get_nlp  # noqa: E402
from analysis.coding.rules import RuleCoder  # noqa: E402


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--train", default=str(ROOT / "tests/analysis/data/coding_train.jsonl"))
    ap.add_argument("--codebook", default=str(DEFAULT_CODEBOOK_PATH))
    args = ap.parse_args(argv)

    rows = [json.loads(line) for line in Path(args.train).read_text(encoding="utf-8").splitlines() if line.strip()]
    rng = random.Random(0)
    texts = [f"{rng.choice(rows)['text']} {rng.choice(rows)['text']}" for _ in range(args.n)]
    codebook = load_codebook(args.codebook)

    t = time.perf_counter(); get_nlp(); t_load = time.perf_counter() - t
    t = time.perf_counter(); coder = train(codebook, rows); t_train = time.perf_counter() - t
    rules = RuleCoder(codebook)
    print(f"pipeline load {t_load:.1f} s; training on {len(rows)} segments {t_train:.1f} s")
    print(f"{args.n} segments, mean {sum(map(len, texts)) / len(texts):.0f} characters")
    for name, c in (("rule-only", rules), ("combined", coder)):
        t, cpu = time.perf_counter(), time.process_time()
        out = c.code(texts)
        dt, dcpu = time.perf_counter() - t, time.process_time() - cpu
        n_sugg = sum(map(len, out))
        print(f"{name:<10} {dt:6.1f} s wall, {dcpu:6.1f} s CPU  {args.n / dt:7.0f} segments/s  ({n_sugg} suggestions)")
    print("CPU time is this process's own; on a machine shared with other work it is the figure "
          "that stands for one free core (wall time grows with the machine's load: "
          f"{os.getloadavg()[0]:.1f} now)")


if __name__ == "__main__":
    main()
