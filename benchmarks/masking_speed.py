"""Throughput of rule-based personal-data masking (``analysis.privacy``).

    python benchmarks/masking_speed.py [--chars N] [--json]

Masks a synthetic Dutch text (ordinary sentences mixed with names, phone numbers,
addresses and postcodes), the seed documents in ../shared/seeds (``CONSULT_SHARED_DIR``
overrides ../shared) and the sentences of the masking benchmark
(tests/analysis/data/privacy/*.jsonl: dense with names and numbers, every rule path). Prints characters per second, wall
clock and per CPU second, since the machine may be shared.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

SENTENCES = (
    "Mevrouw Jansen belde 06-12345678 over de Kerkstraat 12 in 7411 AB. ",
    "De wijkbijeenkomst in het buurthuis was goed bezocht en er werd veel gesproken over mantelzorg. ",
    "Inwoners vinden het lastig om de weg te vinden naar de juiste loketten van de gemeente. ",
    "Mail gerust naar j.devries@example.nl of bel 0570 123 456. ",
)


def shared_dir() -> Path:
    env = os.environ.get("CONSULT_SHARED_DIR")
    return Path(env) if env else (REPO / ".." / "shared").resolve()


def measure(text: str, repeat: int) -> dict:
    from analysis.privacy import mask

    mask(text[:2000])  # warm-up: compiled patterns
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(repeat):
        mask(text)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    n = len(text) * repeat
    return {"chars": n, "seconds": round(wall, 3), "chars_per_s": round(n / wall),
            "chars_per_cpu_s": round(n / cpu) if cpu else None}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chars", type=int, default=1_000_000, help="size of the synthetic text")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    block = "".join(SENTENCES)
    synthetic = block * (args.chars // len(block) + 1)
    result = {"synthetic": measure(synthetic[: args.chars], args.repeat)}
    seeds = sorted((shared_dir() / "seeds").glob("*.txt"))
    if seeds:
        result["seeds"] = measure("\n".join(p.read_text(encoding="utf-8") for p in seeds), args.repeat)
    bench = sorted((REPO / "tests" / "analysis" / "data" / "privacy").glob("*.jsonl"))
    if bench:
        texts = [json.loads(line)["text"] for p in bench for line in p.read_text(encoding="utf-8").splitlines()
                 if line.strip()]
        result["benchmark"] = measure("\n".join(texts), args.repeat)
    result["load_average_1min"] = round(os.getloadavg()[0], 2)
    if args.json:
        print(json.dumps(result))
        return 0
    for name in ("synthetic", "seeds", "benchmark"):
        if name in result:
            r = result[name]
            print(f"{name:9}: {r['chars']:>10,} chars in {r['seconds']:.2f} s = {r['chars_per_s']:>10,} chars/s "
                  f"(per CPU second: {r['chars_per_cpu_s']:,})")
    print(f"machine load average {result['load_average_1min']} on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
