"""Report generation time and memory on the demo, per format, against an earlier commit.

    python3 benchmarks/report_speed.py [--url sqlite:///path/consult.sqlite3] [--formats html,md,docx,pdf]
                                       [--baseline 4eed97d | --no-baseline] [--repeat 1] [--json]

Each format is made in a fresh Python process that runs the command a policy writer runs,
``consult export report --consultation <demo> --format <fmt> --out <file>``: the child
imports ``consult.cli`` and calls its ``main`` with those arguments, so it pays what the
command pays (the CLI's imports, the Flask app it creates, the blueprints that app
registers). Only to time the steps, the child wraps the functions the command calls
(``consult.reporting.report_input``, ``exports.report.build_report`` and its progress
callback, ``exports.render.render``); they run unchanged. The steps (wall seconds):
``import`` (``consult.cli``), ``app`` (from the command's start to reading the database:
the Flask app and the command's own imports), ``database``, the report model's steps,
``render``. The figures per format are that process's wall time, CPU time (user + system)
and peak resident memory (``ru_maxrss`` from ``wait4``), so a peak belongs to one format.
The machine is shared: CPU time is steadier than wall time. Modules are compiled once and
kept (``__pycache__``), as an installed consult runs, even where ``PYTHONDONTWRITEBYTECODE``
is set; ``--repeat 2`` or more gives the first run to compiling.

"new, cold" is this checkout with an empty lemma store (the first report of the texts);
"new" is this checkout as it runs again, the lemmas kept by the run before (``consult export
report`` keeps them in ``<instance>/cache/``).

``--baseline REF`` (default ``4eed97d``, the code before issue 13's speed work) checks REF
out in a temporary ``git worktree`` and measures it the same way on the same database in
the same run; the ratios are new / baseline (below 1 is better). Without ``--url`` the demo
is built in a temporary SQLite database first (not timed).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BASELINE = "4eed97d"
FORMATS = ("html", "md", "docx", "pdf")


def child(root: str, url: str, slug: str, fmt: str, out: str, cache: str | None) -> None:
    """``consult export report`` in this process, as the command line runs it (database
    ``url``, instance folder ``cache`` for the lemma store where the code has one); prints
    the steps' wall times as JSON."""
    sys.path.insert(0, root)
    os.environ["CONSULT_DATABASE_URL"] = url
    if cache:
        os.environ["CONSULT_INSTANCE_PATH"] = cache
    steps: dict[str, float] = {}
    model_steps: dict[str, float] = {}
    last = [time.perf_counter()]

    def step(name: str, into: dict = steps) -> None:
        now = time.perf_counter()
        into[name] = round(into.get(name, 0.0) + now - last[0], 3)
        last[0] = now

    import consult.cli as cli_module
    step("import")
    import consult.reporting
    import exports.render
    import exports.report

    def timed(module, name: str, label: str, wrap_progress: bool = False):
        original = getattr(module, name)

        def wrapper(*args, **kwargs):
            step("app" if label == "database" else "between")
            started = last[0]
            if wrap_progress:
                progress = kwargs.get("progress")
                mark = [started]

                def model_step(step_name: str) -> None:
                    now = time.perf_counter()
                    model_steps[step_name] = round(now - mark[0], 3)
                    mark[0] = now
                    if progress:
                        progress(step_name)
                kwargs["progress"] = model_step
            result = original(*args, **kwargs)
            last[0] = started
            step(label)
            return result
        setattr(module, name, wrapper)

    timed(consult.reporting, "report_input", "database")
    timed(exports.report, "build_report", "model", wrap_progress=True)
    timed(exports.render, "render", "render")
    try:
        cli_module.main(["export", "report", "--consultation", slug, "--format", fmt, "--out", out])
    except SystemExit as exc:
        if exc.code:
            raise
    step("finish")
    steps.pop("between", None)
    print(json.dumps({"steps": steps, "model steps": model_steps, "kib": round(Path(out).stat().st_size / 1024)}))


#: The children run as an installed consult does: Python keeps the compiled modules in
#: ``__pycache__``. With ``PYTHONDONTWRITEBYTECODE`` set (some shells and CI images set it)
#: every process compiles the project's modules again, 0.3-0.6 s per report.
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def measure(root: Path, url: str, slug: str, fmt: str, out: Path, cache: Path | None = None) -> dict:
    """Run :func:`child` in a fresh process: its steps, and its wall time, CPU time and peak
    RSS (the process's own resource usage, from ``wait4``)."""
    started = time.perf_counter()
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", fmt, "--root", str(root), "--url", url,
           "--slug", slug, "--out", str(out)] + (["--cache", str(cache)] if cache else [])
    with tempfile.TemporaryFile("w+") as so, tempfile.TemporaryFile("w+") as se:
        proc = subprocess.Popen(cmd, cwd=str(root), stdout=so, stderr=se, env=CHILD_ENV)
        _pid, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - started
        so.seek(0)
        se.seek(0)
        stdout, stderr = so.read(), se.read()
    if proc.returncode:
        raise SystemExit(f"{fmt} at {root} failed:\n{stderr[-3000:]}")
    result = json.loads(stdout.strip().splitlines()[-1])
    result.update(wall=round(wall, 2), cpu=round(usage.ru_utime + usage.ru_stime, 2),
                  peak_mb=round(usage.ru_maxrss / 1024))
    return result


DEMO_SCRIPT = """
import sys
sys.path.insert(0, ".")
from consult.demo import DEMO_SLUG
if sys.argv[2] == "build":
    from consult import migrate
    from consult.db import make_engine, make_session_factory, session_scope
    from consult.demo import build_demo
    migrate.upgrade(sys.argv[1])
    with session_scope(make_session_factory(make_engine(sys.argv[1]))) as s:
        build_demo(s)
print(DEMO_SLUG)
"""


def baseline_worktree(ref: str, where: Path) -> Path:
    path = where / f"baseline-{ref}"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "--force", str(path), ref],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return path


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", help="database with the demo (default: build one in a temporary folder)")
    ap.add_argument("--formats", default=",".join(FORMATS), help="comma-separated (default: %(default)s)")
    ap.add_argument("--baseline", default=DEFAULT_BASELINE, help="commit to compare with (default: %(default)s)")
    ap.add_argument("--no-baseline", action="store_true", help="measure this checkout only")
    ap.add_argument("--repeat", type=int, default=1, help="runs per format; the fastest (by CPU time) counts")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--root", help=argparse.SUPPRESS)
    ap.add_argument("--slug", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    ap.add_argument("--cache", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        return child(args.root, args.url, args.slug, args.child, args.out, args.cache)

    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    tmp = Path(tempfile.mkdtemp(prefix="report-speed-"))
    url = args.url or f"sqlite:///{tmp / 'demo.sqlite3'}"
    # The demo is built (and its slug read) in a separate process: a child's peak RSS counts
    # the memory of the process it was forked from, so this one must stay small.
    slug = subprocess.run([sys.executable, "-c", DEMO_SCRIPT, url, "" if args.url else "build"], cwd=str(ROOT),
                          check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
    roots = {"new, cold": ROOT, "new": ROOT}
    cache = tmp / "instance"   # the lemma store: emptied before each "new, cold" run
    try:
        if not args.no_baseline:
            roots["baseline"] = baseline_worktree(args.baseline, tmp)
        results: dict[str, dict[str, dict]] = {name: {} for name in roots}
        for fmt in formats:
            for name, root in roots.items():
                runs = []
                for _ in range(max(1, args.repeat)):
                    if name == "new, cold":
                        shutil.rmtree(cache, ignore_errors=True)
                    runs.append(measure(root, url, slug, fmt, tmp / f"{name}.{fmt}", cache))
                results[name][fmt] = min(runs, key=lambda r: r["cpu"])
    finally:
        if "baseline" in roots:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(roots["baseline"])],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(tmp, ignore_errors=True)   # the reports, the lemma store and a demo built here
    ratios: dict[str, dict] = {}
    if "baseline" in results:
        for fmt in formats:
            old = results["baseline"][fmt]
            for name in ("new, cold", "new"):
                new = results[name][fmt]
                ratios.setdefault(fmt, {})[name] = {k: round(new[k] / old[k], 2) if old[k] else None
                                                    for k in ("wall", "cpu", "peak_mb")}
    if args.json:
        print(json.dumps({"baseline": None if args.no_baseline else args.baseline, "results": results,
                          "ratios new/baseline": ratios}, indent=2, ensure_ascii=False))
        return
    print(f"Report on the demo, one fresh process per format (baseline: "
          f"{'none' if args.no_baseline else args.baseline}); load average {os.getloadavg()[0]:.1f}")
    print(f"  {'format':8s} {'code':22s} {'wall s':>7s} {'cpu s':>7s} {'peak MB':>8s} {'KiB':>6s}   steps (wall s)")
    for fmt in formats:
        for name in results:
            r = results[name][fmt]
            steps = ", ".join(f"{k} {v:.2f}" for k, v in {**r["steps"], **r["model steps"]}.items())
            print(f"  {fmt:8s} {name:22s} {r['wall']:7.2f} {r['cpu']:7.2f} {r['peak_mb']:8d} {r['kib']:6d}   {steps}")
        for name, x in ratios.get(fmt, {}).items():
            print(f"  {fmt:8s} {name + ' / baseline':22s} {x['wall']:7.2f} {x['cpu']:7.2f} {x['peak_mb']:8.2f}")


if __name__ == "__main__":
    main()
