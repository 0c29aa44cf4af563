"""Report generation time on the demo: database -> report model -> each format.

    python3 benchmarks/report_speed.py [--url sqlite:///path/consult.sqlite3] [--json]

Without ``--url`` the demo is built in a temporary SQLite database first (not timed).
Times: reading the database, building the model (lemmas, themes, divides), charts and
word clouds, and rendering each format (HTML, Markdown, DOCX, PDF).
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", help="database with the demo (default: build one in a temporary folder)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    from consult import migrate
    from consult.db import make_engine, make_session_factory, session_scope
    from consult.demo import DEMO_SLUG, build_demo
    from consult.reporting import get_consultation, report_input
    from exports.render import render
    from exports.report import build_report

    tmp = Path(tempfile.mkdtemp(prefix="report-speed-"))
    url = args.url or f"sqlite:///{tmp / 'demo.sqlite3'}"
    if not args.url:
        migrate.upgrade(url)
        with session_scope(make_session_factory(make_engine(url))) as s:
            build_demo(s)
    session = make_session_factory(make_engine(url))()
    times: dict[str, float] = {}
    t = time.perf_counter()
    data = report_input(session, get_consultation(session, DEMO_SLUG))
    times["database"] = time.perf_counter() - t
    steps: dict[str, float] = {}
    last = [time.perf_counter()]

    def progress(name: str) -> None:
        now = time.perf_counter()
        steps[name] = now - last[0]
        last[0] = now

    t = time.perf_counter()
    report = build_report(data, progress=progress)
    times["model (incl. charts)"] = time.perf_counter() - t
    for fmt in ("html", "md", "docx", "pdf"):
        t = time.perf_counter()
        path = render(report, fmt, tmp / f"verslag.{fmt}")
        times[fmt] = time.perf_counter() - t
        times[f"{fmt} KiB"] = path.stat().st_size / 1024
    session.close()
    result = {"segments": len(data.segments), "themes": len(report.themes),
              "seconds": {k: round(v, 2) for k, v in times.items()},
              "model steps": {k: round(v, 2) for k, v in steps.items()}}
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        print(f"{result['segments']} segments, {result['themes']} themes")
        for k, v in result["seconds"].items():
            print(f"  {k:22s} {v:8.2f}")
        print("  model steps: " + ", ".join(f"{k} {v:.2f}s" for k, v in result["model steps"].items()))


if __name__ == "__main__":
    main()
