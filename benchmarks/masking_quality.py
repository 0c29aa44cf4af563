"""Quality of personal-data masking (``analysis.privacy``) on the hand-written benchmark.

    python benchmarks/masking_quality.py [FILE.jsonl ...] [--misses] [--json]

Default files: tests/analysis/data/privacy/dev*.jsonl (tuned on) and the held-out files
heldout*.jsonl (see that folder's README for which were seen when). Prints recall per kind, the share of sentences leaking any character of
personal data, false alarms on look-alike sentences and precision; ``--misses`` lists
what was missed and what was masked wrongly.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
DATA = REPO / "tests" / "analysis" / "data" / "privacy"


def main(argv=None) -> int:
    from analysis.privacy_eval import evaluate, read_jsonl

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="*", type=Path,
                    default=[*sorted(DATA.glob("dev*.jsonl")), *sorted(DATA.glob("heldout*.jsonl"))])
    ap.add_argument("--misses", action="store_true", help="list misses and false alarms")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    results = {}
    for path in args.files:
        scores = evaluate(read_jsonl(path))
        results[path.name] = scores.to_dict()
        if args.json:
            continue
        print(f"== {path.name}\n{scores.format()}")
        if args.misses:
            for kind, text, sentence in scores.misses:
                print(f"  miss  {kind:13} {text!r:28} in {sentence}")
            for text, sentence in scores.alarms:
                print(f"  alarm {text!r:42} in {sentence}")
    if args.json:
        print(json.dumps(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
