"""Time and peak memory of segmenting long notes (issue 11, item 2).

Run on demand (not part of the test suite):

    python benchmarks/long_text.py [--sizes 250000,1000000,2000000] [--json]

Text: the seed documents in ../shared/seeds (``CONSULT_SHARED_DIR`` overrides ../shared),
repeated until each size is reached, so the notes have real paragraphs, headings and
lists.  Each size runs in a fresh Python process, so that its peak resident memory
(``ru_maxrss``) is its own; printed per size: characters, segments, seconds, characters
per second, peak RSS, and the RSS added on top of the loaded pipeline.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def shared_dir() -> Path:
    env = os.environ.get("CONSULT_SHARED_DIR")
    return Path(env) if env else (REPO / ".." / "shared").resolve()


def notes(size: int) -> str:
    seeds = sorted((shared_dir() / "seeds").glob("*.txt"))
    if not seeds:
        raise SystemExit(f"no seed documents in {shared_dir() / 'seeds'}")
    base = "\n\n".join(p.read_text(encoding="utf-8") for p in seeds)
    return (base * (size // len(base) + 1))[:size]


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024   # KiB on Linux


def run_one(size: int) -> dict:
    from analysis.nlp import get_nlp
    from analysis.segmentation import segment_text

    text = notes(size)
    get_nlp()
    segment_text("De gemeente luistert naar de wijk.")   # load lazily built parts
    loaded = _rss_mb()
    t0 = time.perf_counter()
    segments = segment_text(text)
    seconds = time.perf_counter() - t0
    assert all(0 <= s.start < s.end <= len(text) for s in segments)
    peak = _rss_mb()
    return {"chars": len(text), "segments": len(segments), "seconds": round(seconds, 2),
            "chars_per_s": round(len(text) / seconds), "peak_rss_mb": round(peak),
            "added_rss_mb": round(peak - loaded)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="250000,1000000,2000000",
                    help="comma-separated numbers of characters")
    ap.add_argument("--json", action="store_true", help="print JSON instead of a table")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)   # child process: one size
    args = ap.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one)))
        return
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        out = subprocess.run([sys.executable, __file__, "--one", str(size)], check=True,
                             capture_output=True, text=True, cwd=REPO)
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    print(f"{'chars':>10} {'segments':>9} {'seconds':>8} {'chars/s':>9} {'peak RSS':>9} {'added':>7}")
    for r in rows:
        print(f"{r['chars']:>10,} {r['segments']:>9,} {r['seconds']:>8.1f} {r['chars_per_s']:>9,} "
              f"{r['peak_rss_mb']:>6} MB {r['added_rss_mb']:>4} MB")


if __name__ == "__main__":
    main()
