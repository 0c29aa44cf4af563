"""Throughput of consult's Dutch pipeline vs. a blank spaCy tokenizer.

Run on demand (not part of the test suite):

    python benchmarks/nlp_speed.py [--repeat N] [--json]

Text: the seed documents in ../shared/seeds (normalised and split into
paragraphs) plus the raw sentences of ../shared/ud-dutch/nl_lassysmall-ud-dev.conllu
(``CONSULT_SHARED_DIR`` overrides ../shared).  Reports words per second
(non-space tokens) for the full pipeline in one process and with
``n_process=2``, the blank ``spacy.blank("nl")`` tokenizer on the same texts,
the ratio, and the pipeline's load time.  Because other jobs may share the
machine, single-process throughput is also given per CPU second
(``time.process_time``), which is what one idle core would achieve.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def shared_dir() -> Path:
    env = os.environ.get("CONSULT_SHARED_DIR")
    return Path(env) if env else (REPO / ".." / "shared").resolve()


def corpus() -> list[str]:
    from analysis.nlp.conllu import iter_raw_sentences
    from analysis.nlp.evaluate import paragraphs
    from analysis.nlp.normalise import normalise

    texts: list[str] = []
    shared = shared_dir()
    for path in sorted((shared / "seeds").glob("*.txt")):
        text = normalise(path.read_text(encoding="utf-8")).text
        texts.extend(p for p in text.split("\n\n") if p.strip())
    dev = shared / "ud-dutch" / "nl_lassysmall-ud-dev.conllu"
    if dev.is_file():
        texts.extend(paragraphs(iter_raw_sentences(dev)))
    if not texts:
        raise SystemExit(f"no benchmark text found under {shared}")
    return texts


def wps(nlp, texts, n_process=1, repeat=1, batch_size=256):
    # warm-up outside the timed region
    for _ in nlp.pipe(texts[:20], batch_size=batch_size):
        pass
    words = 0
    t0 = time.perf_counter()
    c0 = time.process_time()
    # one pipe() call over all passes: with n_process > 1 the worker processes
    # (each loading the pipeline) are started once, as in a real batch job
    for doc in nlp.pipe(texts * repeat, batch_size=batch_size, n_process=n_process):
        words += sum(1 for t in doc if not t.is_space)
    wall = time.perf_counter() - t0
    cpu = time.process_time() - c0
    return words / wall, words, (words / cpu if n_process == 1 and cpu else None)


def load_time() -> float:
    code = ("import time; t=time.perf_counter(); import analysis.nlp as a; a.load(); "
            "print(time.perf_counter()-t)")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=2, help="passes over the text (default 2)")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args(argv)

    import spacy

    from analysis.nlp import load

    texts = corpus()
    nlp = load()
    blank = spacy.blank("nl")
    full_1, n_words, full_1_cpu = wps(nlp, texts, 1, args.repeat)
    full_2, _, _ = wps(nlp, texts, 2, args.repeat)
    tok_1, _, tok_1_cpu = wps(blank, texts, 1, args.repeat)
    result = {
        "texts": len(texts),
        "words_per_pass": n_words // args.repeat,
        "pipeline_wps_1proc": round(full_1),
        "pipeline_wps_2proc": round(full_2),
        "pipeline_wps_1proc_per_cpu_second": round(full_1_cpu),
        "blank_tokenizer_wps": round(tok_1),
        "blank_tokenizer_wps_per_cpu_second": round(tok_1_cpu),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "ratio_blank_to_pipeline": round(tok_1 / full_1, 1),
        "load_seconds": round(load_time(), 2),
        "pipeline": nlp.pipe_names,
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(f"text: {result['texts']} paragraphs, {result['words_per_pass']} words per pass, {args.repeat} passes")
        print(f"full pipeline, 1 process : {result['pipeline_wps_1proc']:>9,} words/s")
        print(f"full pipeline, 2 processes: {result['pipeline_wps_2proc']:>9,} words/s")
        print(f"  (per CPU second: {result['pipeline_wps_1proc_per_cpu_second']:,}; machine load average "
              f"{result['load_average_1min']} on {os.cpu_count()} cores)")
        print(f"blank nl tokenizer        : {result['blank_tokenizer_wps']:>9,} words/s "
              f"(per CPU second: {result['blank_tokenizer_wps_per_cpu_second']:,})")
        print(f"tokenizer / pipeline ratio: {result['ratio_blank_to_pipeline']}x")
        print(f"load time (fresh process) : {result['load_seconds']} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
