"""No NLP in a request: a submission and an upload only store and queue; the jobs then
segment, mask and code. And coding runs split into chunks that workers share."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

from sqlalchemy import func, select

from consult import jobs
from consult.coding import chunk_ranges, code_segments, decide, load_coder, segment_consultation
from consult.db import make_engine, make_session_factory, session_scope
from consult.demo import DEMO_SLUG, build_demo
from consult.models import (
    Answer, AssignmentStatus, CodeAssignment, Consultation, Document, Job, JobStatus, Response, Role, Segment,
    User,
)
from tests.jobqueue import drain_jobs
from tests.web.conftest import build_world

ROOT = Path(__file__).resolve().parent.parent

# Runs in a fresh interpreter, so that nothing loaded by other tests counts: a resident
# submits a survey and a facilitator uploads notes, through the app; then it reports
# whether the Dutch pipeline was loaded (analysis.nlp caches it) and what was stored.
REQUESTS = r'''
import json, os, sys
from consult import jobs
from tests.conftest import make_app
from tests.web.test_survey import start, post_page
from tests.web.conftest import SLUG, csrf_token, login
from pathlib import Path

jobs.QUEUE_NAME = os.environ["QUEUE"]
app = make_app(os.environ["DB_URL"], Path(os.environ["INSTANCE"]), RATELIMIT_ENABLED=False)
client = app.test_client()
page1 = start(client)
post_page(client, page1, {"q_rol": "mantelzorger", "q_wijk": "Bathmen"})
post_page(client, page1, {"q_rol": "mantelzorger", "q_wijk": "Bathmen", "q_zwaarte": "zwaar"})
page2 = page1.replace("/deel/1", "/deel/2")
r = post_page(client, page2, {"q_beter": "De mantelzorg is zwaar. Mijn buurman De Vries helpt soms.",
                              "q_tevreden": "4", "q_belangrijk": ["hulp_dichtbij"],
                              "q_volgorde__snelheid": "2", "q_volgorde__vriendelijkheid": "1"})
r = post_page(client, page1.replace("/deel/1", "/deel/3"), {"q_toestemming": "y"})
review = r.headers["Location"]
submitted = client.post(review, data={"csrf_token": csrf_token(client, review)}).status_code
login(client, "gesprek@test.nl")
meeting = f"/beheer/c/{SLUG}/bijeenkomsten/{os.environ['MEETING']}"
uploaded = client.post(f"{meeting}/verslag", data={"csrf_token": csrf_token(client, meeting),
    "pasted": "Tafel 2\n\nMevrouw Bakker (06-23456789) zegt dat de taxi vaak te laat is.\n\nHet formulier is lastig."})
doc_page = client.get(uploaded.headers["Location"]).get_data(as_text=True)
import analysis.nlp
print(json.dumps({"submitted": submitted, "uploaded": uploaded.status_code,
                  "pipeline_loaded": analysis.nlp._load.cache_info().currsize,
                  "status_line": "wachtrij" in doc_page}))
'''


def test_submission_and_upload_load_no_nlp_and_the_jobs_do_the_work(app, db_url, tmp_path, job_queue):
    with session_scope(app.extensions["consult.sessions"]) as s:
        world = build_world(s)
    env = {**os.environ, "DB_URL": db_url, "INSTANCE": str(tmp_path / "sub"), "QUEUE": job_queue,
           "MEETING": str(world.meeting_id), "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", REQUESTS], env=env, cwd=ROOT, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["submitted"] == 303 and report["uploaded"] == 302
    assert report["pipeline_loaded"] == 0  # the requests never loaded spaCy's pipeline
    assert report["status_line"]           # the facilitator sees the notes are queued

    sessions = app.extensions["consult.sessions"]
    with session_scope(sessions) as s:
        queued = s.scalars(select(Job).order_by(Job.id)).all()
        assert {j.kind for j in queued} == {"segment_response", "segment_document"}
        assert all(j.status == JobStatus.QUEUED for j in queued)
        answer = s.scalar(select(Answer).join(Response).where(Answer.text.like("%buurman%")))
        assert answer is not None and not answer.segments  # stored at once, not segmented yet

    drain_jobs(app)  # what `consult worker --burst` does
    with session_scope(sessions) as s:
        assert all(j.status == JobStatus.FINISHED for j in s.scalars(select(Job)))
        answer = s.scalar(select(Answer).where(Answer.text.like("%buurman%")))
        doc = s.scalar(select(Document).where(Document.text.like("%Bakker%")))
        for segments, person in ((answer.segments, "De Vries"), (doc.segments, "Bakker")):
            assert segments
            masked = " ".join(seg.masked_text for seg in segments)
            assert person not in masked and "[naam]" in masked
        assert "06-23456789" not in " ".join(seg.masked_text for seg in doc.segments)
        assert {seg.group_label for seg in doc.segments} == {"Tafel 2"}
        coded = {a.code.key for seg in answer.segments + doc.segments for a in seg.assignments}
        assert {"MANTELZORG", "VERVOER", "REGELS"} <= coded
        assert all(a.status == AssignmentStatus.SUGGESTED for seg in doc.segments for a in seg.assignments)


def _run(app, kind, **kwargs):
    job_id = jobs.enqueue_for_app(app, kind, **kwargs)
    drain_jobs(app)
    with session_scope(app.extensions["consult.sessions"]) as s:
        return s.get(Job, job_id)


def test_coding_run_in_chunks_keeps_human_decisions(app):
    sessions = app.extensions["consult.sessions"]
    with session_scope(sessions) as s:
        build_demo(s, code=False)
        c = s.scalar(select(Consultation).where(Consultation.slug == DEMO_SLUG))
    parent = _run(app, "code_consultation", consultation=c, params={"chunk_size": 200})
    assert parent.status == JobStatus.FINISHED, parent.error
    with session_scope(sessions) as s:
        total = s.scalar(select(func.count(Segment.id)).where(Segment.consultation_id == c.id,
                                                             Segment.furniture.is_(False)))  # notes furniture is not coded
        children = s.scalars(select(Job).where(Job.parent_id == parent.id).order_by(Job.id)).all()
        assert len(children) == parent.result["chunks"] == -(-total // 200)
        assert all(ch.status == JobStatus.FINISHED and ch.progress == 1.0 for ch in children)
        ranges = [(ch.params["first"], ch.params["last"]) for ch in children]
        assert all(a[1] < b[0] for a, b in zip(ranges, ranges[1:]))  # disjoint, in order
        assert sum(ch.result["segments"] for ch in children) == total == parent.result["segments"]
        assert parent.progress == 1.0
        added = s.scalar(select(func.count(CodeAssignment.id)))
        assert added == parent.result["added"] > 0

        person = User(email="coder@test.nl", name="Codeur", role=Role.POLICY_WRITER, password_hash="")
        s.add(person)
        s.flush()
        first, second = s.scalars(select(CodeAssignment).order_by(CodeAssignment.id).limit(2)).all()
        decide(s, first, "accept", person)
        decide(s, second, "reject", person)
        kept = {(first.segment_id, first.code_id, AssignmentStatus.ACCEPTED),
                (second.segment_id, second.code_id, AssignmentStatus.REJECTED)}

    again = _run(app, "code_consultation", consultation=c, params={"chunk_size": 300})
    assert again.status == JobStatus.FINISHED and again.result["kept_human_decisions"] >= 1
    with session_scope(sessions) as s:
        rows = s.execute(select(CodeAssignment.segment_id, CodeAssignment.code_id, CodeAssignment.status)).all()
        assert kept <= set(rows)
        pairs = [(seg, code) for seg, code, _ in rows]
        assert len(pairs) == len(set(pairs))  # one row per segment and code: nothing doubled
        assert s.scalar(select(func.count(CodeAssignment.id))) == added  # same coder, same result


def test_two_workers_on_the_same_segments_never_double_insert(app, db_url):
    """Two coding runs that overlap (a rerun while the first still runs) on separate
    connections: the segment locks serialise them, so every (segment, code) stays single."""
    sessions = app.extensions["consult.sessions"]
    with session_scope(sessions) as s:
        build_demo(s, code=False)
        c = s.scalar(select(Consultation).where(Consultation.slug == DEMO_SLUG))
        segment_consultation(s, c)
        first, last, _ = chunk_ranges(s, c, size=400)[0]
    errors = []

    def worker():
        engine = make_engine(db_url)
        try:
            with session_scope(make_session_factory(engine)) as s:
                consultation = s.get(Consultation, c.id)
                code_segments(s, consultation, load_coder(s, consultation, None), first_id=first,
                              last_id=last, commit_batches=True)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert errors == []
    with session_scope(sessions) as s:
        pairs = s.execute(select(CodeAssignment.segment_id, CodeAssignment.code_id)).all()
        assert pairs and len(pairs) == len(set(pairs))
        assert all(first <= seg <= last for seg, _ in pairs)
