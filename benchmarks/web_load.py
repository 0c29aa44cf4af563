"""The resident path under load: consult behind gunicorn against a bare Flask app.

    python benchmarks/web_load.py [--residents 50] [--seconds 30] [--workers 4] [--json]

Needs gunicorn (``pip install -e '.[bench]'``) and PostgreSQL (``--pg-url``, default the
local server with trust auth). In one run it:

1. makes a fresh PostgreSQL database, migrates it and builds the open demo consultation
   (``consult.demo.build_open_demo``), with rate limits off so only the server is measured;
2. starts consult with gunicorn (``--workers`` processes, threads off) on a free loopback
   port, waits (untimed) until its workers answer quickly, and N virtual residents each walk the full browser flow for a bounded time:
   the survey's start page, the start form, every section (GET and POST), the review
   page, the submission and the receipt;
3. starts a bare Flask + SQLAlchemy app with the same gunicorn settings, whose POST
   inserts one row, and drives it with the same N clients for the same time;
4. prints requests/s, submissions/s, p50/p95/p99 latency, errors, the ratio of consult's
   requests/s to the bare app's, the database count of submitted responses against the
   receipts the residents saw (lost or duplicated submissions), and the resident set size
   of each consult worker after the run (a worker that loaded spaCy holds ~300 MB more).

Every loop is bounded in count and time, and all traffic goes to 127.0.0.1.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

MAX_REQUESTS_PER_RESIDENT = 5000  # hard cap besides the time limit


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def psql(pg_admin_url: str, sql: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(sql))
    engine.dispose()


def prepare_consult_db(url: str) -> str:
    """Migrate, build the open demo; returns the survey's path."""
    from consult import migrate
    from consult.db import make_engine, make_session_factory, session_scope
    from consult.demo import build_open_demo

    migrate.upgrade(url)
    engine = make_engine(url)
    with session_scope(make_session_factory(engine)) as s:
        c = build_open_demo(s)
        path = f"/c/{c.slug}/v/{c.surveys[0].slug}"
    engine.dispose()
    return path


BARE_APP = textwrap.dedent('''
    import os
    from flask import Flask, request
    from sqlalchemy import create_engine, text

    engine = create_engine(os.environ["BARE_DATABASE_URL"], pool_size=5, pool_pre_ping=True)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE IF NOT EXISTS bench_row (id serial PRIMARY KEY, body text)"))
    app = Flask(__name__)

    @app.get("/")
    def page():
        return "<form method=post><input name=body><button>Verstuur</button></form>"

    @app.post("/")
    def submit():
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO bench_row (body) VALUES (:b)"), {"b": request.form.get("body", "")})
        return "ok", 201
''')


class Server:
    def __init__(self, app: str, env: dict, workers: int, cwd: Path):
        self.port = free_port()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{self.port}",
             "--timeout", "60", "--log-level", "warning", app],
            cwd=cwd, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"gunicorn exited: {self.proc.stderr.read().decode()[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        raise SystemExit("gunicorn did not start within 60 s")

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def warm_up(self, path: str = "/", *, fast: float = 0.25, in_a_row: int = 40, limit: float = 120) -> float:
        """Wait (not timed) until every worker has booted and imported the app: gunicorn
        accepts connections on its socket before its workers are ready, and a worker's first
        requests also fill its caches. Returns the seconds it took."""
        import requests

        t0 = time.monotonic()
        streak = 0
        with requests.Session() as s:
            while streak < in_a_row and time.monotonic() - t0 < limit:
                t = time.perf_counter()
                try:
                    ok = s.get(self.base + path, timeout=30).status_code < 400
                except requests.RequestException:
                    ok = False
                streak = streak + 1 if ok and time.perf_counter() - t < fast else 0
        return round(time.monotonic() - t0, 1)

    def worker_rss_mb(self) -> list[float]:
        out = subprocess.run(["ps", "-o", "pid=,rss=", "--ppid", str(self.proc.pid)], capture_output=True, text=True)
        return sorted(round(int(rss) / 1024, 1) for _pid, rss in (line.split() for line in out.stdout.splitlines()))

    def stop(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.proc.pid, signal.SIGKILL)


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.errors: dict[str, int] = {}
        self.receipts: list[str] = []

    def timed(self, fn, *args, **kwargs):
        t = time.perf_counter()
        try:
            r = fn(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - counted as an error
            with self.lock:
                self.errors[type(exc).__name__] = self.errors.get(type(exc).__name__, 0) + 1
            return None
        with self.lock:
            self.latencies.append(time.perf_counter() - t)
            if r.status_code >= 400:
                self.errors[str(r.status_code)] = self.errors.get(str(r.status_code), 0) + 1
        return r if r.status_code < 400 else None


_HIDDEN = re.compile(r'name="(csrf_token|start_token)" type="hidden" value="([^"]+)"')
_CHECKBOX = re.compile(r'name="(q_\w+)" type="checkbox" value="([^"]+)"')
_RADIO = re.compile(r'name="(q_\w+)" type="radio" value="([^"]+)"')
_TEXT = re.compile(r'<textarea[^>]*name="(q_\w+)"|name="(q_\w+)" type="text"')
_CONSENT = re.compile(r'name="(q_\w+)" type="checkbox" value="y"')


def fill(html: str) -> dict:
    """Answers for every question on a survey page: the first option, some text, consent."""
    data: dict[str, object] = dict(_HIDDEN.findall(html))
    for name, value in _RADIO.findall(html):
        data.setdefault(name, value)
    for name, value in _CHECKBOX.findall(html):
        if value != "y" and name not in data:
            data[name] = [value]
    for name in _CONSENT.findall(html):
        data[name] = "y"
    for a, b in _TEXT.findall(html):
        name = a or b
        if name not in data and not name.endswith("__other"):
            data[name] = "Meer bankjes in het park en een open buurthuis op zondag."
    data["action"] = "next"
    return data


def resident(base: str, survey: str, stats: Stats, stop_at: float) -> None:
    import requests

    n = 0
    while time.monotonic() < stop_at and n < MAX_REQUESTS_PER_RESIDENT:
        s = requests.Session()
        r = stats.timed(s.get, base + survey, timeout=30)
        n += 1
        if r is None:
            continue
        r = stats.timed(s.post, base + survey, data=dict(_HIDDEN.findall(r.text)), timeout=30, allow_redirects=False)
        n += 1
        url = r and r.headers.get("Location")
        for _ in range(10):  # sections, bounded
            if not url or time.monotonic() >= stop_at:
                break
            url = base + url if url.startswith("/") else url
            page = stats.timed(s.get, url, timeout=30)
            n += 1
            if page is None:
                url = None
                break
            if url.endswith("/controleren"):
                break
            r = stats.timed(s.post, url, data=fill(page.text), timeout=30, allow_redirects=False)
            n += 1
            url = r and r.headers.get("Location")
        if not url or not url.endswith("/controleren") or time.monotonic() >= stop_at:
            continue
        r = stats.timed(s.post, url, data=dict(_HIDDEN.findall(page.text)), timeout=30, allow_redirects=False)
        n += 1
        receipt_url = r and r.headers.get("Location")
        if receipt_url:
            done = stats.timed(s.get, base + receipt_url if receipt_url.startswith("/") else receipt_url, timeout=30)
            n += 1
            m = done is not None and re.search(r'id="ontvangstcode">([A-Z0-9-]+)<', done.text)
            if m:
                with stats.lock:
                    stats.receipts.append(m.group(1))


def bare_client(base: str, stats: Stats, stop_at: float) -> None:
    import requests

    s = requests.Session()
    n = 0
    while time.monotonic() < stop_at and n < MAX_REQUESTS_PER_RESIDENT:
        stats.timed(s.get, base + "/", timeout=30)
        stats.timed(s.post, base + "/", data={"body": "Meer bankjes in het park."}, timeout=30)
        n += 2


def drive(target, args: tuple, residents: int, seconds: float) -> tuple[Stats, float]:
    stats = Stats()
    stop_at = time.monotonic() + seconds
    threads = [threading.Thread(target=target, args=(*args, stats, stop_at), daemon=True) for _ in range(residents)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + 120)
    return stats, time.monotonic() - t0


def summary(stats: Stats, wall: float) -> dict:
    lat = sorted(stats.latencies)

    def pct(p: float) -> float:
        return round(1000 * lat[min(len(lat) - 1, int(p * len(lat)))], 1) if lat else float("nan")

    return {"requests": len(lat), "seconds": round(wall, 1), "req_per_s": round(len(lat) / wall, 1),
            "p50_ms": pct(0.50), "p95_ms": pct(0.95), "p99_ms": pct(0.99),
            "mean_ms": round(1000 * statistics.fmean(lat), 1) if lat else None,
            "errors": dict(stats.errors), "receipts": len(stats.receipts),
            "submissions_per_s": round(len(stats.receipts) / wall, 2)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--residents", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432",
                    help="PostgreSQL server URL without database name")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if not (0 < args.residents <= 500 and 0 < args.seconds <= 600):
        raise SystemExit("--residents must be 1..500 and --seconds 1..600")

    name = f"consult_bench_{os.getpid()}"
    admin = f"{args.pg_url}/postgres"
    psql(admin, f"CREATE DATABASE {name}")
    psql(admin, f"CREATE DATABASE {name}_bare")
    url = f"{args.pg_url}/{name}"
    result: dict = {"residents": args.residents, "seconds": args.seconds, "workers": args.workers,
                    "load_average_1min": round(os.getloadavg()[0], 2)}
    try:
        survey = prepare_consult_db(url)
        with tempfile.TemporaryDirectory() as tmp:
            # the submissions' processing jobs go to a queue of this run, deleted afterwards
            env = {"CONSULT_DATABASE_URL": url, "CONSULT_INSTANCE_PATH": tmp, "CONSULT_JOB_QUEUE": name,
                   "CONSULT_RATELIMIT_ENABLED": "false", "CONSULT_SECRET_KEY": "b" * 64}
            server = Server("consult:create_app()", env, args.workers, REPO)
            try:
                result["consult_warm_up_s"] = server.warm_up(survey)
                stats, wall = drive(resident, (server.base, survey), args.residents, args.seconds)
                result["consult"] = summary(stats, wall)
                result["consult"]["worker_rss_mb"] = server.worker_rss_mb()
            finally:
                server.stop()
            from sqlalchemy import create_engine, text

            engine = create_engine(url)
            with engine.connect() as conn:
                rows = conn.execute(text("SELECT receipt_code FROM response WHERE status = 'submitted'")).scalars().all()
            engine.dispose()
            seen = set(stats.receipts)
            result["consult"]["db_submitted"] = len(rows)
            result["consult"]["lost"] = len(seen - set(rows))
            result["consult"]["duplicated"] = len(rows) - len(set(rows))
            result["consult"]["unconfirmed_in_db"] = len(set(rows) - seen)

            bare_dir = Path(tmp) / "bare"
            bare_dir.mkdir()
            (bare_dir / "bare_app.py").write_text(BARE_APP, encoding="utf-8")
            bare = Server("bare_app:app", {"BARE_DATABASE_URL": f"{args.pg_url}/{name}_bare"}, args.workers, bare_dir)
            try:
                result["bare_warm_up_s"] = bare.warm_up()
                stats, wall = drive(bare_client, (bare.base,), args.residents, args.seconds)
                result["bare"] = summary(stats, wall)
            finally:
                bare.stop()
    finally:
        from consult.jobs import connect_redis

        redis = connect_redis("redis://127.0.0.1:6379/0")
        if redis is not None:
            from rq import Queue

            Queue(name, connection=redis).delete(delete_jobs=True)
        psql(admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        psql(admin, f"DROP DATABASE IF EXISTS {name}_bare WITH (FORCE)")
    c, b = result["consult"], result["bare"]
    result["ratio_req_per_s"] = round(c["req_per_s"] / b["req_per_s"], 2) if b["req_per_s"] else None
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"{args.residents} residents, {args.seconds:.0f} s each side, gunicorn -w {args.workers}, "
          f"load average {result['load_average_1min']} on {os.cpu_count()} cores")
    for label, r in (("consult", c), ("bare app", b)):
        print(f"{label:9}: {r['req_per_s']:7.1f} req/s  p50 {r['p50_ms']} ms  p95 {r['p95_ms']} ms  "
              f"p99 {r['p99_ms']} ms  errors {r['errors'] or 0}")
    print(f"consult  : {c['submissions_per_s']} submissions/s ({c['receipts']} receipts); in the database "
          f"{c['db_submitted']} submitted, {c['lost']} lost, {c['duplicated']} duplicated, "
          f"{c['unconfirmed_in_db']} stored without a receipt seen (cut off by the time limit)")
    print(f"consult workers' memory after the run (RSS, MB): {c['worker_rss_mb']}; warm-up before timing: "
          f"consult {result['consult_warm_up_s']} s, bare app {result['bare_warm_up_s']} s")
    print(f"ratio consult / bare app req/s: {result['ratio_req_per_s']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
