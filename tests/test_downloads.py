"""The downloads service: export jobs write private files (0600 in 0700 folders) in every
format, old files are purged (lazily and by `consult privacy purge`), and only paths from a
job's result inside the consultation's folder are ever served."""
from __future__ import annotations

import io
import stat
import zipfile
from datetime import timedelta
from pathlib import Path

from click.testing import CliRunner
from flask.cli import ScriptInfo
from sqlalchemy import select

from consult import downloads
from consult.cli import cli
from consult.db import session_scope, utcnow
from consult.models import AuditLog, Consultation, Job, JobStatus, User
from tests.jobqueue import drain_jobs
from tests.web.conftest import build_world


def _setup(app):
    with session_scope(app.extensions["consult.sessions"]) as s:
        world = build_world(s)
    return world


def _export(app, key: str, world) -> Job:
    s = app.extensions["consult.sessions"]()
    try:
        c = s.get(Consultation, world.consultation_id)
        job_id, started = downloads.request_export(app, s, c, s.get(User, world.writer_id), key)
        assert started
    finally:
        s.close()
    drain_jobs(app)
    with session_scope(app.extensions["consult.sessions"]) as s:
        return s.get(Job, job_id)


def test_every_export_writes_a_private_file(app):
    world = _setup(app)
    root = downloads.downloads_root(app)
    for f in downloads.FORMATS:
        job = _export(app, f"{f.what}-{f.format}", world)
        assert job.status == JobStatus.FINISHED, (f, job.error)
        r = job.result
        path = root / r["path"]
        assert path.parent == root / str(world.consultation_id) and path.name == f"{job.id}-{r['filename']}"
        assert r["filename"].endswith(f.suffix) and r["media_type"] == f.media_type
        assert r["size"] == path.stat().st_size > 0
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700 and stat.S_IMODE(root.stat().st_mode) == 0o700
        data = path.read_bytes()
        if f.suffix in (".zip", ".docx", ".xlsx", ".qdpx"):
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
            if f.format == "md":
                assert names[0].endswith(".md")
                text = zipfile.ZipFile(io.BytesIO(data)).read(names[0]).decode("utf-8")
                assert text.startswith("# Wmo in Deventer")
            if f.format == "csv":
                assert sum(n.endswith(".csv") for n in names) >= 3
            if f.format == "qdpx":
                assert "project.qde" in names
        elif f.format == "pdf":
            assert data.startswith(b"%PDF")
        elif f.format == "html":
            assert b"<html" in data[:500].lower()
    assert not [p for p in (root / str(world.consultation_id)).iterdir() if p.name.startswith(".")]  # no leftovers
    with session_scope(app.extensions["consult.sessions"]) as s:  # reports keep their lemmas for the next one
        slug = s.get(Consultation, world.consultation_id).slug
    assert (Path(app.instance_path) / "cache" / "report-lemmas" / f"{slug}.sqlite3").stat().st_size > 0
    with session_scope(app.extensions["consult.sessions"]) as s:
        made = s.scalars(select(AuditLog).where(AuditLog.action == "export")).all()
        assert len(made) == len(downloads.FORMATS) and all(e.details["masked"] for e in made)
        assert "Jansen" not in " ".join(str(e.details) for e in made)


def test_data_exports_are_masked(app):
    world = _setup(app)
    job = _export(app, "data-csv", world)
    path = downloads.downloads_root(app) / job.result["path"]
    with zipfile.ZipFile(path) as zf:
        text = "".join(zf.read(n).decode("utf-8") for n in zf.namelist())
    assert "[naam]" in text and "Jansen" not in text


def test_purge_deletes_old_files_and_keeps_the_rows(app):
    world = _setup(app)
    old, recent = _export(app, "trace-html", world), _export(app, "data-xlsx", world)
    root = downloads.downloads_root(app)
    sessions = app.extensions["consult.sessions"]
    with session_scope(sessions) as s:
        s.get(Job, old.id).finished_at = utcnow() - timedelta(days=31)
        s.get(Job, recent.id).finished_at = utcnow() - timedelta(days=29)
    old_path, recent_path = root / old.result["path"], root / recent.result["path"]

    with session_scope(sessions) as s:
        assert downloads.purge_expired(s, root, 30, dry_run=True) == 1
    assert old_path.is_file()

    r = CliRunner().invoke(cli, ["privacy", "purge", "--dry-run"], obj=ScriptInfo(create_app=lambda: app))
    assert r.exit_code == 0 and "Would delete 1 downloads older than 30 days" in r.output, r.output
    assert old_path.is_file()
    r = CliRunner().invoke(cli, ["privacy", "purge"], obj=ScriptInfo(create_app=lambda: app))
    assert r.exit_code == 0 and "Deleted 1 downloads older than 30 days" in r.output, r.output
    assert not old_path.exists() and recent_path.is_file()
    with session_scope(sessions) as s:
        job = s.get(Job, old.id)
        assert job.status == JobStatus.FINISHED and job.result["deleted"] is True
        assert job.result["filename"] == old.result["filename"]  # what it was is still on record
        assert downloads.download_path(root, job) is None
        assert downloads.download_path(root, s.get(Job, recent.id)) == recent_path.resolve()
        entry = s.scalars(select(AuditLog).where(AuditLog.action == "purge_downloads")).one()
        assert entry.actor == "cli" and entry.details == {"retention_days": 30, "files": 1}
        assert downloads.purge_expired(s, root, 30) == 0  # done once
        assert downloads.purge_expired(s, root, 1, now=utcnow() + timedelta(days=60)) == 1


def test_only_paths_inside_the_consultations_folder(tmp_path):
    root = tmp_path / "downloads"
    (root / "7").mkdir(parents=True)
    (root / "8").mkdir()
    good = root / "7" / "12-verslag.docx"
    good.write_bytes(b"x")
    (root / "8" / "13-verslag.docx").write_bytes(b"y")
    (tmp_path / "secret").write_text("s")

    def job(path, **kw):
        return Job(kind=kw.get("kind", "export"), consultation_id=7, status=kw.get("status", JobStatus.FINISHED),
                   result={"path": path})

    assert downloads.download_path(root, job("7/12-verslag.docx")) == good.resolve()
    for bad in ("8/13-verslag.docx", "7/../8/13-verslag.docx", "7/../../secret", str(tmp_path / "secret"),
                "7", "7/", "", None, 12, "7/missing.docx"):
        assert downloads.download_path(root, job(bad)) is None, bad
    assert downloads.download_path(root, job("7/12-verslag.docx", kind="code_consultation")) is None
    assert downloads.download_path(root, job("7/12-verslag.docx", status=JobStatus.RUNNING)) is None
    link = root / "7" / "link.docx"
    link.symlink_to(tmp_path / "secret")
    assert downloads.download_path(root, job("7/link.docx")) is None  # a link out of the folder


def test_labels_and_sizes():
    assert downloads.export_label("report", "pdf") == "Verslag als PDF maken"
    assert downloads.export_label("report", "exe") == "Bestand maken"
    assert downloads.human_size(980) == "980 bytes"
    assert downloads.human_size(12_400) == "12 kB"
    assert downloads.human_size(3_460_000) == "3,5 MB"
