"""Scale-out of coding: N synthetic Dutch segments coded by 1 and by 2 `consult worker`s.

    .venv/bin/python benchmarks/scale.py [--segments 100000] [--compare 25000]
        [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432] [--redis-url redis://127.0.0.1:6379/12]

What it does
    Creates a fresh PostgreSQL database, imports the reference Wmo codebook, trains the
    learning coder once on ``../shared/reference/dev-gold.jsonl`` (so chunks load a real
    ``CoderModel`` row: rules plus model), and inserts ``--segments`` synthetic segments:
    deterministic sentences built from the codebook's keywords and Dutch filler (seeded
    random). Then, for 1 and for 2 workers, it deletes all suggestions, starts that many
    real ``consult worker`` processes (RQ on Redis, the database shared), queues one
    ``code_consultation`` job (the parent spawns chunk jobs of 2,000 segments) and waits
    for the parent to finish. It prints segments/s, the speed-up, and the peak resident
    memory (VmHWM) of each worker's jobs, then codes ``--compare`` segments (a second
    database) with 2 workers to see whether memory is flat in the number of segments.

    Segmentation is not measured here (segments are inserted directly): it runs per
    submission and per document, each its own job, and so spreads over the workers anyway.
    Everything is bounded: each run stops after ``--timeout`` seconds, traffic stays on
    127.0.0.1, the databases are dropped and the Redis queue deleted at the end.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
SHARED = REPO.parent / "shared" / "reference"

OPENINGS = ["Ik vind dat", "Wij merken dat", "In onze wijk zien we dat", "Mijn moeder zegt dat",
            "Als mantelzorger ervaar ik dat", "Veel bewoners vinden dat", "Het valt op dat",
            "Volgens de buurtvereniging", "Ik maak me zorgen omdat", "Het is fijn dat"]
VERBS = ["beter geregeld moet worden", "te lang duurt", "goed werkt", "moeilijk te vinden is",
         "meer aandacht verdient", "niet duidelijk is", "dichterbij moet komen", "te duur is",
         "vaak tegenvalt", "veel verbeterd is"]
FILLER = ["de laatste tijd", "voor ouderen", "in het dorp", "bij de gemeente", "na de zomer",
          "voor jonge gezinnen", "op het wijkcentrum", "eigenlijk altijd", "sinds vorig jaar", ""]


def keywords(codebook_yaml: str) -> list[str]:
    import yaml

    data = yaml.safe_load(codebook_yaml)
    words = []
    for code in data.get("themes") or data.get("codes") or []:
        words += [str(k) for k in code.get("keywords", []) or []]
        words.append(str(code.get("label", "")).lower())
    return sorted({w for w in words if w})


def sentences(n: int, words: list[str], seed: int = 11):
    """Deterministic, varied Dutch sentences: one or two codebook keywords plus filler."""
    rng = random.Random(seed)
    for i in range(n):
        kw = rng.choice(words)
        extra = f" en {rng.choice(words)}" if rng.random() < 0.35 else ""
        tail = rng.choice(FILLER)
        text = f"{rng.choice(OPENINGS)} {kw}{extra} {rng.choice(VERBS)}{(' ' + tail) if tail else ''}."
        yield text[0].upper() + text[1:]


def psql(admin_url: str, sql: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(sql))
    engine.dispose()


def prepare(url: str, n: int) -> int:
    """Schema, consultation with the Wmo codebook, a trained coder, ``n`` segments."""
    from sqlalchemy import insert

    from analysis.codebook import codebook_from_yaml
    from consult import migrate
    from consult.codebooks import store_codebook
    from consult.coding import train_coder
    from consult.db import make_engine, make_session_factory, session_scope
    from consult.models import Consultation, Document, Organisation, Segment

    migrate.upgrade(url)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    yaml_text = (SHARED / "wmo-codebook.yaml").read_text(encoding="utf-8")
    gold = [json.loads(line) for line in (SHARED / "dev-gold.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]
    with session_scope(sessions) as s:
        org = Organisation(slug="schaal", name="Gemeente Schaal")
        s.add(org)
        s.flush()
        version, _ = store_codebook(s, codebook_from_yaml(yaml_text))
        c = Consultation(organisation=org, slug="schaal", title="Schaaltest", codebook_version=version)
        s.add(c)
        s.flush()
        doc = Document(consultation=c, title="Synthetisch", media_type="text/plain", sha256="0" * 64,
                       original=b"", text="")
        s.add(doc)
        s.flush()
        train_coder(s, c, actor="benchmark", examples=[(g["text"], tuple(g["codes"])) for g in gold])
        cid, did = c.id, doc.id
    rows, pos = [], 0
    with engine.begin() as conn:
        for text in sentences(n, keywords(yaml_text)):
            rows.append({"consultation_id": cid, "document_id": did, "position": pos, "start_char": 0,
                         "end_char": len(text), "text": text, "masked_text": text, "group_label": ""})
            pos += 1
            if len(rows) == 5000:
                conn.execute(insert(Segment), rows)
                rows = []
        if rows:
            conn.execute(insert(Segment), rows)
    engine.dispose()
    return cid


def vmhwm_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def run(url: str, redis_url: str, cid: int, workers: int, timeout: float) -> dict:
    from rq import Worker
    from sqlalchemy import delete, func, select

    from consult import jobs
    from consult.db import make_engine, make_session_factory, session_scope
    from consult.models import CodeAssignment, Consultation, Job, JobStatus

    engine = make_engine(url)
    sessions = make_session_factory(engine)
    with session_scope(sessions) as s:
        s.execute(delete(CodeAssignment))
        s.execute(delete(Job))
    redis = jobs.connect_redis(redis_url)
    procs = []
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "CONSULT_DATABASE_URL": url, "CONSULT_REDIS_URL": redis_url,
               "CONSULT_INSTANCE_PATH": tmp, "CONSULT_SECRET_KEY": "s" * 64,
               "CONSULT_JOB_QUEUE": jobs.QUEUE_NAME, "PYTHONPATH": str(REPO)}
        try:
            for _ in range(workers):
                procs.append(subprocess.Popen(
                    [str(Path(sys.executable).parent / "consult"), "worker"],
                    cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                    start_new_session=True))
            deadline = time.monotonic() + 120
            while len(Worker.all(connection=redis)) < workers and time.monotonic() < deadline:
                time.sleep(0.3)  # each worker loads the Dutch pipeline before it registers
            with session_scope(sessions) as s:
                c = s.get(Consultation, cid)
            started = time.monotonic()
            job_id = jobs.enqueue(sessions, url, redis_url, "code_consultation", consultation=c)
            status = None
            while time.monotonic() - started < timeout:
                with session_scope(sessions) as s:
                    status = s.get(Job, job_id).status
                if status in jobs.DONE:
                    break
                time.sleep(0.25)
            wall = time.monotonic() - started
            worker_hwm = {p.pid: vmhwm_mb(p.pid) for p in procs}
        finally:
            for p in procs:
                if p.poll() is None:
                    os.killpg(p.pid, signal.SIGTERM)
            for p in procs:
                try:
                    p.wait(20)
                except subprocess.TimeoutExpired:
                    os.killpg(p.pid, signal.SIGKILL)
    with session_scope(sessions) as s:
        parent = s.get(Job, job_id)
        chunks = s.execute(select(Job.result).where(Job.parent_id == job_id)).scalars().all()
        added = s.scalar(select(func.count(CodeAssignment.id)))
        result = dict(parent.result or {})
        peak: dict[int, float] = {}
        for r in chunks:
            if r:
                peak[r["worker_pid"]] = max(peak.get(r["worker_pid"], 0.0), r["peak_rss_mb"])
    engine.dispose()
    segments = result.get("segments", 0)
    return {"workers": workers, "status": str(status), "seconds": round(wall, 1),
            "segments": segments, "segments_per_s": round(segments / wall, 1) if wall else 0,
            "suggestions": added, "chunks": result.get("chunks"),
            "chunks_per_worker": {str(pid): sum(1 for r in chunks if r and r["worker_pid"] == pid) for pid in peak},
            "peak_rss_mb_per_worker_job": {str(k): v for k, v in peak.items()},
            "worker_process_vmhwm_mb": {str(k): v for k, v in worker_hwm.items()}}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--segments", type=int, default=100_000)
    ap.add_argument("--compare", type=int, default=25_000, help="a smaller run for the memory comparison")
    ap.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432")
    ap.add_argument("--redis-url", default="redis://127.0.0.1:6379/12")
    ap.add_argument("--timeout", type=float, default=900, help="seconds per coding run at most")
    args = ap.parse_args(argv)
    if "127.0.0.1" not in args.pg_url or "127.0.0.1" not in args.redis_url:
        raise SystemExit("loopback only: use 127.0.0.1 URLs")
    from rq import Queue

    from consult import jobs

    jobs.QUEUE_NAME = os.environ.get("CONSULT_JOB_QUEUE") or f"consult-scale-{uuid.uuid4().hex[:8]}"
    os.environ["CONSULT_JOB_QUEUE"] = jobs.QUEUE_NAME
    redis = jobs.connect_redis(args.redis_url)
    if redis is None:
        raise SystemExit(f"no Redis at {args.redis_url}")
    admin = f"{args.pg_url}/postgres"
    out: dict = {"cpus": os.cpu_count(), "load_average_1min": round(os.getloadavg()[0], 2)}
    names = []
    try:
        for label, n, counts in (("main", args.segments, (1, 2)), ("compare", args.compare, (2,))):
            name = f"consult_scale_{uuid.uuid4().hex[:8]}"
            psql(admin, f"CREATE DATABASE {name}")
            names.append(name)
            url = f"{args.pg_url}/{name}"
            t = time.monotonic()
            cid = prepare(url, n)
            out[f"{label}_prepare_s"] = round(time.monotonic() - t, 1)
            for w in counts:
                r = run(url, args.redis_url, cid, w, args.timeout)
                out[f"{label}_{w}_workers"] = r
                print(json.dumps({label: r}), file=sys.stderr)
        one, two = out["main_1_workers"], out["main_2_workers"]
        out["speed_up_2_workers"] = round(two["segments_per_s"] / one["segments_per_s"], 2) if one["segments_per_s"] else None
        big = max(out["main_2_workers"]["peak_rss_mb_per_worker_job"].values(), default=0)
        small = max(out["compare_2_workers"]["peak_rss_mb_per_worker_job"].values(), default=0)
        out["peak_rss_mb"] = {f"{args.segments}": big, f"{args.compare}": small,
                              "ratio": round(big / small, 2) if small else None}
    finally:
        Queue(jobs.QUEUE_NAME, connection=redis).delete(delete_jobs=True)
        for name in names:
            psql(admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
