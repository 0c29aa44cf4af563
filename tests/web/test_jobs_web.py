"""Jobs and downloads over HTTP: starting coding runs, the progress page (state,
percentage, meta refresh, JSON status), failures in Dutch, duplicate runs refused, export
jobs, downloads only for the right roles (audited, as attachments) and their retention."""
from __future__ import annotations

import re
import stat
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from consult.db import session_scope, utcnow
from consult.models import AuditLog, CodeAssignment, Consultation, Job, JobStatus, Segment
from tests.jobqueue import drain_jobs
from tests.web.conftest import SLUG, csrf_token, login

TAKEN = f"/beheer/c/{SLUG}/taken"
DOWNLOADS = f"/beheer/c/{SLUG}/downloads"


def start_run(client, mode: str):
    return client.post(f"{TAKEN}/coderen", data={"csrf_token": csrf_token(client, TAKEN), "mode": mode})


def job_id_of(response) -> int:
    m = re.search(r"/taken/(\d+)$", response.headers["Location"])
    assert m, response.headers.get("Location")
    return int(m.group(1))


def jobs_of(app, kind: str) -> list[Job]:
    with session_scope(app.extensions["consult.sessions"]) as s:
        return s.scalars(select(Job).where(Job.kind == kind, Job.parent_id.is_(None)).order_by(Job.id)).all()


def add_uncoded_segment(app, world) -> int:
    """A new notes segment about the taxi, with no codes yet: what "Nieuwe tekst coderen" is for."""
    with session_scope(app.extensions["consult.sessions"]) as s:
        first = s.get(Segment, world.segment_ids[1])
        seg = Segment(consultation_id=world.consultation_id, document_id=first.document_id, position=5,
                      start_char=0, end_char=10, text="De taxi komt nooit op tijd.",
                      masked_text="De taxi komt nooit op tijd.")
        s.add(seg)
        s.flush()
        return seg.id


def test_coding_run_progress_page_from_queued_to_finished(app, client, world):
    new_segment = add_uncoded_segment(app, world)
    login(client, "beleid@test.nl")
    page = client.get(TAKEN).get_data(as_text=True)
    assert "Nieuwe tekst coderen" in page and "Coder opnieuw trainen" in page

    r = start_run(client, "new")
    assert r.status_code == 303
    job_id = job_id_of(r)
    html = client.get(f"{TAKEN}/{job_id}").get_data(as_text=True)
    assert "<h1>Nieuwe tekst coderen</h1>" in html
    assert "in de wachtrij" in html and 'value="0"' in html and "0%" in html
    assert '<meta http-equiv="refresh" content="3">' in html
    assert 'src="/static/jobs.js"' in html and "<script>" not in html  # no inline script (CSP)
    assert 'aria-live="polite"' in html and "<progress" in html

    status = client.get(f"{TAKEN}/{job_id}/status").get_json()
    assert status["state"] == "queued" and status["state_label"] == "in de wachtrij"
    assert status["percent"] == 0 and status["busy"] is True and status["html"] == ""

    with session_scope(app.extensions["consult.sessions"]) as s:
        entry = s.scalars(select(AuditLog).where(AuditLog.action == "start_coding_run")).one()
        assert entry.user_id == world.writer_id and entry.details["only_new"] is True

    drain_jobs(app)
    html = client.get(f"{TAKEN}/{job_id}").get_data(as_text=True)
    assert "klaar" in html and 'value="100"' in html and "100%" in html
    assert 'http-equiv="refresh"' not in html and "jobs.js" not in html
    assert "1 stuk gecodeerd" in html and "Voorstellen beoordelen" in html
    assert f'href="/beheer/c/{SLUG}/codering"' in html
    status = client.get(f"{TAKEN}/{job_id}/status").get_json()
    assert status["state"] == "finished" and status["percent"] == 100 and "Klaar" in status["html"]
    with session_scope(app.extensions["consult.sessions"]) as s:
        # only the new segment was coded; the existing suggestions are untouched
        coded = s.scalars(select(CodeAssignment).where(CodeAssignment.segment_id == new_segment)).all()
        assert [a.code.key for a in coded] == ["VERVOER"]
        assert {a.id for a in s.scalars(select(CodeAssignment).where(
            CodeAssignment.segment_id.in_(world.segment_ids)))} == set(world.assignment_ids)
    index = client.get(TAKEN).get_data(as_text=True)
    assert f'href="{TAKEN}/{job_id}"' in index and "klaar" in index


def test_running_job_shows_live_percentage_and_refreshes(app, client, world):
    with session_scope(app.extensions["consult.sessions"]) as s:
        parent = Job(kind="code_consultation", consultation_id=world.consultation_id, status=JobStatus.RUNNING,
                     params={"retrain": True}, requested_by_id=world.writer_id)
        s.add(parent)
        s.flush()
        s.add_all([Job(kind="code_chunk", consultation_id=world.consultation_id, parent_id=parent.id,
                       status=JobStatus.FINISHED, progress=1.0, params={"count": 30}),
                   Job(kind="code_chunk", consultation_id=world.consultation_id, parent_id=parent.id,
                       status=JobStatus.RUNNING, progress=0.5, params={"count": 10})])
        job_id = parent.id
    login(client, "beleid@test.nl")
    html = client.get(f"{TAKEN}/{job_id}").get_data(as_text=True)
    assert "<h1>Coder opnieuw trainen</h1>" in html and "bezig" in html
    assert 'value="88"' in html and "88%" in html  # (30 + 5) / 40
    assert "1 van 2 delen klaar" in html and 'content="3"' in html
    status = client.get(f"{TAKEN}/{job_id}/status").get_json()
    assert status["percent"] == 88 and status["state_label"] == "bezig" and status["busy"]
    # a second retrain (or any coding run) while this one runs is refused: the running one is shown
    r = start_run(client, "retrain")
    assert r.status_code == 303 and job_id_of(r) == job_id
    assert len(jobs_of(app, "code_consultation")) == 1
    assert "Er loopt al een codeerronde" in client.get(r.headers["Location"]).get_data(as_text=True)


def test_duplicate_run_refused_while_queued(app, client, world):
    login(client, "beleid@test.nl")
    first = job_id_of(start_run(client, "new"))
    again = start_run(client, "new")
    assert job_id_of(again) == first
    assert [j.id for j in jobs_of(app, "code_consultation")] == [first]
    drain_jobs(app)
    third = job_id_of(start_run(client, "new"))  # once it is done, a new run may start
    assert third != first


def test_failed_run_shows_dutch_message_and_keeps_data(app, client, world):
    with session_scope(app.extensions["consult.sessions"]) as s:
        before = (s.scalar(select(func.count(Segment.id))), s.scalar(select(func.count(CodeAssignment.id))))
    login(client, "beleid@test.nl")
    job_id = job_id_of(start_run(client, "retrain"))
    with session_scope(app.extensions["consult.sessions"]) as s:
        s.get(Consultation, world.consultation_id).codebook_version_id = None  # the run will fail
    drain_jobs(app)
    with session_scope(app.extensions["consult.sessions"]) as s:
        job = s.get(Job, job_id)
        assert job.status == JobStatus.FAILED and "codebook" in job.error
        assert (s.scalar(select(func.count(Segment.id))), s.scalar(select(func.count(CodeAssignment.id)))) == before
    html = client.get(f"{TAKEN}/{job_id}").get_data(as_text=True)
    assert "mislukt" in html and "Het is niet gelukt om de tekst te coderen." in html
    assert "Er is niets verloren gegaan" in html
    assert "Traceback" not in html and "ValueError" not in html and "codebook" not in html
    assert 'http-equiv="refresh"' not in html
    status = client.get(f"{TAKEN}/{job_id}/status").get_json()
    assert status["state"] == "failed" and status["error"] is None and "Traceback" not in str(status)

    client.post("/uitloggen", data={"csrf_token": csrf_token(client, TAKEN)})
    login(client, "admin@test.nl")
    html = client.get(f"{TAKEN}/{job_id}").get_data(as_text=True)
    assert "Technische foutmelding" in html and "has no codebook" in html


def test_who_may_start_and_see(app, client, world):
    login(client, "gesprek@test.nl")  # facilitator: sees the list, may not start runs
    page = client.get(TAKEN)
    assert page.status_code == 200 and "Nieuwe tekst coderen" not in page.get_data(as_text=True)
    r = client.post(f"{TAKEN}/coderen", data={"csrf_token": csrf_token(client, TAKEN), "mode": "new"})
    assert r.status_code == 403 and not jobs_of(app, "code_consultation")
    client.post("/uitloggen", data={"csrf_token": csrf_token(client, TAKEN)})
    login(client, "ander@test.nl")  # a policy writer who is not a member
    assert client.get(TAKEN).status_code == 404
    login(client, "beleid@test.nl")
    r = client.post(f"{TAKEN}/coderen", data={"mode": "new"})  # no CSRF token
    assert r.status_code == 400 and not jobs_of(app, "code_consultation")
    r = client.post(f"{TAKEN}/coderen", data={"csrf_token": csrf_token(client, TAKEN), "mode": "alles"})
    assert r.status_code == 302 and not jobs_of(app, "code_consultation")
    assert client.get(f"{TAKEN}/999999").status_code == 404


# -- downloads ------------------------------------------------------------------------------

def make_export(app, client, key: str) -> int:
    r = client.post(f"{DOWNLOADS}/maken", data={"csrf_token": csrf_token(client, DOWNLOADS), "export": key})
    assert r.status_code == 303, r.get_data(as_text=True)[:500]
    job_id = job_id_of(r)
    drain_jobs(app)
    return job_id


def test_export_job_download_roles_audit_and_attachment(app, client, world):
    login(client, "beleid@test.nl")
    page = client.get(DOWNLOADS).get_data(as_text=True)
    for label in ("Verslag in Word (DOCX)", "Verslag als PDF", "Gegevens als CSV (zip)",
                  "Gegevens voor REFI-QDA (.qdpx)", "Traceerbaarheid in Excel (XLSX)"):
        assert label in page
    job_id = make_export(app, client, "data-xlsx")
    html = client.get(f"{TAKEN}/{job_id}").get_data(as_text=True)
    assert "<h1>Gegevens in Excel (XLSX) maken</h1>" in html and "klaar" in html
    assert f'href="{DOWNLOADS}/{job_id}"' in html

    with session_scope(app.extensions["consult.sessions"]) as s:
        job = s.get(Job, job_id)
        assert job.status == JobStatus.FINISHED, job.error
        result = job.result
    path = Path(app.instance_path) / "downloads" / result["path"]
    assert path.is_file() and result["size"] == path.stat().st_size
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert result["filename"].startswith(f"gegevens-{SLUG}-") and result["filename"].endswith(".xlsx")

    listing = client.get(DOWNLOADS).get_data(as_text=True)
    assert result["filename"] in listing and "Downloaden" in listing and "Beleid" in listing

    r = client.get(f"{DOWNLOADS}/{job_id}")
    assert r.status_code == 200 and r.data[:2] == b"PK" and r.data == path.read_bytes()
    assert r.headers["Content-Disposition"].startswith("attachment;")
    assert result["filename"] in r.headers["Content-Disposition"]
    with session_scope(app.extensions["consult.sessions"]) as s:
        entry = s.scalars(select(AuditLog).where(AuditLog.action == "download_export")).one()
        assert entry.user_id == world.writer_id and entry.entity_id == job_id
        assert entry.details["filename"] == result["filename"]
        assert s.scalars(select(AuditLog).where(AuditLog.action == "start_export")).one().details == {
            "kind": "export", "what": "data", "format": "xlsx"}

    client.post("/uitloggen", data={"csrf_token": csrf_token(client, DOWNLOADS)})
    login(client, "gesprek@test.nl")  # facilitator
    assert client.get(DOWNLOADS).status_code == 403
    assert client.get(f"{DOWNLOADS}/{job_id}").status_code == 403
    assert "Downloaden" not in client.get(f"{TAKEN}/{job_id}").get_data(as_text=True)
    client.post("/uitloggen", data={"csrf_token": csrf_token(client, TAKEN)})
    login(client, "ander@test.nl")  # not a member
    assert client.get(f"{DOWNLOADS}/{job_id}").status_code == 404
    client.post("/uitloggen", data={"csrf_token": csrf_token(client, "/inloggen")})
    login(client, "admin@test.nl")
    assert client.get(f"{DOWNLOADS}/{job_id}").status_code == 200
    with session_scope(app.extensions["consult.sessions"]) as s:
        assert s.scalar(select(func.count(AuditLog.id)).where(AuditLog.action == "download_export")) == 2


def test_report_export_and_duplicate_export_refused(app, client, world):
    login(client, "beleid@test.nl")
    token = csrf_token(client, DOWNLOADS)
    first = client.post(f"{DOWNLOADS}/maken", data={"csrf_token": token, "export": "report-docx"})
    second = client.post(f"{DOWNLOADS}/maken", data={"csrf_token": token, "export": "report-docx"})
    other = client.post(f"{DOWNLOADS}/maken", data={"csrf_token": token, "export": "trace-html"})
    assert job_id_of(first) == job_id_of(second) != job_id_of(other)
    assert "wordt al gemaakt" in client.get(second.headers["Location"]).get_data(as_text=True)
    bad = client.post(f"{DOWNLOADS}/maken", data={"csrf_token": token, "export": "../../etc-passwd"})
    assert bad.status_code == 302 and len(jobs_of(app, "export")) == 2
    drain_jobs(app)
    r = client.get(f"{DOWNLOADS}/{job_id_of(first)}")
    assert r.status_code == 200 and r.mimetype.endswith("wordprocessingml.document")
    from docx import Document
    import io

    headings = [p.text for p in Document(io.BytesIO(r.data)).paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert any("Wmo in Deventer" in h for h in headings)
    trace = client.get(f"{DOWNLOADS}/{job_id_of(other)}")
    assert trace.status_code == 200 and b"Traceerbaarheid" in trace.data
    assert trace.headers["Content-Disposition"].startswith("attachment;")


def test_retention_deletes_old_files_when_the_page_opens(app, client, world):
    login(client, "beleid@test.nl")
    old, new = make_export(app, client, "data-csv"), make_export(app, client, "trace-xlsx")
    with session_scope(app.extensions["consult.sessions"]) as s:
        job = s.get(Job, old)
        job.finished_at = utcnow() - timedelta(days=31)
        old_path = Path(app.instance_path) / "downloads" / job.result["path"]
        new_path = Path(app.instance_path) / "downloads" / s.get(Job, new).result["path"]
    assert old_path.is_file()
    listing = client.get(DOWNLOADS).get_data(as_text=True)
    assert not old_path.exists() and new_path.is_file()
    assert "Verwijderd na 30 dagen" in listing
    with session_scope(app.extensions["consult.sessions"]) as s:
        job = s.get(Job, old)
        assert job.result["deleted"] is True and job.status == JobStatus.FINISHED  # the row stays
        assert s.scalars(select(AuditLog).where(AuditLog.action == "purge_downloads")).one().details == {
            "retention_days": 30, "files": 1}
    r = client.get(f"{DOWNLOADS}/{old}")
    assert r.status_code == 302
    assert "is verwijderd" in client.get(r.headers["Location"]).get_data(as_text=True)
    assert client.get(f"{DOWNLOADS}/{new}").status_code == 200


def test_a_result_path_outside_the_folder_is_never_served(app, client, world):
    root = Path(app.instance_path) / "downloads"
    (root / "999").mkdir(parents=True)
    (root / "outside.txt").write_text("geheim")
    (root / "999" / "other.zip").write_text("van een andere raadpleging")
    ids = []
    with session_scope(app.extensions["consult.sessions"]) as s:
        for path in (f"{world.consultation_id}/../outside.txt", "999/other.zip", f"{world.consultation_id}",
                     "/etc/passwd"):
            job = Job(kind="export", consultation_id=world.consultation_id, status=JobStatus.FINISHED,
                      finished_at=utcnow(), params={"what": "data", "format": "csv"},
                      result={"path": path, "filename": "x.zip", "media_type": "application/zip", "size": 1})
            s.add(job)
            s.flush()
            ids.append(job.id)
    login(client, "beleid@test.nl")
    for job_id in ids:
        assert client.get(f"{DOWNLOADS}/{job_id}").status_code == 404


def test_a_run_left_running_by_a_dead_process_does_not_block_a_new_one(app, client, world):
    with session_scope(app.extensions["consult.sessions"]) as s:
        dead = Job(kind="code_consultation", consultation_id=world.consultation_id, status=JobStatus.RUNNING,
                   params={"only_new": True}, started_at=utcnow() - timedelta(hours=7))
        s.add(dead)
        s.flush()
        dead_id = dead.id
    login(client, "beleid@test.nl")
    assert job_id_of(start_run(client, "new")) != dead_id
