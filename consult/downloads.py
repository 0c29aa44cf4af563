"""Downloads: the report, the data exports and the traceability matrix, made as background
jobs, kept for a while under the instance folder, and downloaded by the right people.

Making a file
    A policy writer presses a button on the downloads page; :func:`request_export` queues
    an ``export`` job (params ``what``: report, data or trace; ``format``; ``root``: the
    downloads folder, so that a worker without the web app's config finds it). The job
    (:func:`run_export`) reads the consultation with :mod:`consult.reporting`, writes the
    file with :mod:`exports` into a private temporary folder, and moves it to
    ``<root>/<consultation id>/<job id>-<file name>`` (folders 0700, file 0600: not
    world-readable). ``job.result`` records the path relative to the root, the file name,
    media type and size. The same export is not queued twice while one is under way.
    Data exports are always masked: the web never hands out raw text.

Downloading
    :func:`download_path` returns a file only for a finished export job of that
    consultation, only from the path in its result and only when that path lies inside the
    consultation's folder (no path from a request ever reaches the file system). The web
    layer lets administrators and policy writers who are members download, and every
    download is recorded in the audit log (:func:`record_download`).

Retention
    Files older than ``CONSULT_DOWNLOAD_RETENTION_DAYS`` days are deleted by
    :func:`purge_expired`: lazily when the downloads page is opened, and by ``consult
    privacy purge``. The job row stays, its result marked ``deleted``.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from consult.audit import record
from consult.db import local_now, utcnow
from consult.models import Consultation, Job, JobStatus, User


@dataclass(frozen=True)
class ExportFormat:
    what: str          # report, data, trace
    format: str        # the format name of consult export
    label: str         # the button's text
    suffix: str
    media_type: str


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: What can be made, in the order of the downloads page.
FORMATS: tuple[ExportFormat, ...] = (
    ExportFormat("report", "docx", "Verslag in Word (DOCX)", ".docx", DOCX),
    ExportFormat("report", "pdf", "Verslag als PDF", ".pdf", "application/pdf"),
    ExportFormat("report", "html", "Verslag als webpagina (HTML)", ".html", "text/html"),
    ExportFormat("report", "md", "Verslag in Markdown (zip met afbeeldingen)", ".zip", "application/zip"),
    ExportFormat("data", "csv", "Gegevens als CSV (zip)", ".zip", "application/zip"),
    ExportFormat("data", "xlsx", "Gegevens in Excel (XLSX)", ".xlsx", XLSX),
    ExportFormat("data", "sav", "Antwoorden voor SPSS (.sav)", ".sav", "application/x-spss-sav"),
    ExportFormat("data", "qdpx", "Gegevens voor REFI-QDA (.qdpx)", ".qdpx", "application/zip"),
    ExportFormat("trace", "xlsx", "Traceerbaarheid in Excel (XLSX)", ".xlsx", XLSX),
    ExportFormat("trace", "docx", "Traceerbaarheid in Word (DOCX)", ".docx", DOCX),
    ExportFormat("trace", "html", "Traceerbaarheid als webpagina (HTML)", ".html", "text/html"),
)
BY_KEY = {f"{f.what}-{f.format}": f for f in FORMATS}
#: Group headings on the downloads page, and the first word of the file names.
WHAT_LABELS = {"report": "Verslag", "data": "Gegevens", "trace": "Traceerbaarheid"}
FILE_STEMS = {"report": "verslag", "data": "gegevens", "trace": "traceerbaarheid"}
FOLDER_MODE, FILE_MODE = 0o700, 0o600


def export_format(what: str | None, fmt: str | None) -> ExportFormat:
    try:
        return BY_KEY[f"{what}-{fmt}"]
    except KeyError:
        raise ValueError(f"unknown export {what!r} in format {fmt!r}") from None


def export_label(what: str | None, fmt: str | None) -> str:
    """The Dutch name of an export job ("Verslag in Word (DOCX) maken")."""
    try:
        return f"{export_format(what, fmt).label} maken"
    except ValueError:
        return "Bestand maken"


def downloads_root(app) -> Path:
    """``<instance>/downloads``: where the files of every consultation live."""
    return Path(app.instance_path) / "downloads"


def _private_dir(path: Path) -> Path:
    path.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    os.chmod(path, FOLDER_MODE)  # whatever the umask made of it
    return path


# -- making ---------------------------------------------------------------------------------

def request_export(app, session: Session, consultation: Consultation, user: User, key: str) -> tuple[int, bool]:
    """Queue the export ``key`` (``report-docx``, ``data-csv``, ... see :data:`FORMATS`);
    returns ``(job id, started)``: the same export already under way is not queued again."""
    from consult.jobs import start_once

    f = BY_KEY.get(key)
    if f is None:
        raise ValueError(f"unknown export {key!r}")
    params = {"what": f.what, "format": f.format, "root": str(downloads_root(app))}
    return start_once(app, session, "export", consultation=consultation, user=user, params=params,
                      same=lambda p: p.get("what") == f.what and p.get("format") == f.format,
                      audit_action="start_export")


def file_name(consultation: Consultation, f: ExportFormat, day: datetime) -> str:
    return f"{FILE_STEMS[f.what]}-{consultation.slug}-{day:%Y-%m-%d}{f.suffix}"


def run_export(session: Session, job: Job, progress) -> dict[str, Any]:
    """The ``export`` job: write the file, move it into place (0600), describe it."""
    consultation = job.consultation
    if consultation is None:
        raise ValueError("job has no consultation")
    f = export_format(job.params.get("what"), job.params.get("format"))
    root = job.params.get("root")
    if not root:
        raise ValueError("export job has no downloads folder (params.root)")
    folder = _private_dir(Path(root) / str(consultation.id))
    os.chmod(root, FOLDER_MODE)
    name = file_name(consultation, f, local_now())

    def tick(fraction: float) -> None:
        progress(fraction)
        session.commit()  # the progress page reads it from another connection; nothing else is written yet

    work = Path(tempfile.mkdtemp(dir=folder, prefix=".maken-"))  # 0700
    try:
        made = _write(session, consultation, f, work, name, tick, instance=Path(root).parent)
        os.chmod(made, FILE_MODE)
        final = folder / f"{job.id}-{name}"
        os.replace(made, final)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    size = final.stat().st_size
    record(session, "export", consultation, actor=f"job:{job.id}",
           details={"what": f.what, "format": f.format, "size": size, "masked": True})
    return {"path": f"{consultation.id}/{final.name}", "filename": name, "media_type": f.media_type,
            "size": size, "what": f.what, "format": f.format}


def _write(session: Session, consultation: Consultation, f: ExportFormat, work: Path, name: str,
           progress, *, instance: Path) -> Path:
    from consult import reporting

    out = work / name
    if f.what == "report":
        from exports.render import render
        from exports.report import STEPS, build_report

        total, done = len(STEPS) + 2, [0]

        def step(_name: str = "") -> None:
            done[0] += 1
            progress(done[0] / total)

        data = reporting.report_input(session, consultation)
        step()
        # The same lemma store as ``consult export report``: a repeat report skips the parser.
        report = build_report(data, progress=step, lemma_store=reporting.lemma_store(instance, consultation))
        if f.format == "md":
            md = render(report, "md", work / f"{Path(name).stem}.md")
            with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
                zf.write(md, md.name)
                assets = work / f"{md.stem}_bestanden"
                for png in sorted(assets.glob("*")) if assets.is_dir() else []:
                    zf.write(png, f"{assets.name}/{png.name}")
        else:
            render(report, f.format, out)
        return out
    if f.what == "data":
        from exports.data import write_csv, write_sav, write_xlsx
        from exports.qdpx import write_qdpx

        if f.format == "qdpx":
            project = reporting.qda_project(session, consultation, masked=True)
            progress(0.5)
            return write_qdpx(project, out)
        if f.format == "sav":
            data = reporting.survey_data(session, consultation, masked=True)
            progress(0.5)
            return write_sav(data, out, file_label=consultation.title)
        tables = reporting.data_tables(session, consultation, masked=True)
        progress(0.5)
        if f.format == "csv":
            return write_csv(tables, out, reporting.codebook_files(consultation))
        return write_xlsx(tables, out)
    from exports.trace_matrix import write_trace

    matrix = reporting.trace_matrix(session, consultation)
    progress(0.5)
    return write_trace(matrix, f.format, out)


def export_summary(job: Job) -> list[str]:
    """Dutch sentences for a finished export job."""
    r = job.result or {}
    if r.get("deleted"):
        return ["Het bestand is verwijderd, omdat het ouder was dan de bewaartermijn. Maak het opnieuw als u het "
                "nodig heeft."]
    return [f"Het bestand {r.get('filename', '')} is klaar ({human_size(int(r.get('size') or 0))})."]


def human_size(size: int) -> str:
    """A file size in Dutch notation: 980 bytes, 12 kB, 3,4 MB."""
    if size < 1000:
        return f"{size} bytes"
    if size < 1_000_000:
        return f"{round(size / 1000)} kB"
    return f"{size / 1_000_000:.1f} MB".replace(".", ",")


# -- listing and downloading ------------------------------------------------------------------

@dataclass
class DownloadRow:
    job: Job
    label: str
    filename: str
    size: str
    made_at: datetime | None
    made_by: str
    available: bool


def export_jobs(session: Session, consultation: Consultation, *, limit: int = 100) -> list[Job]:
    return list(session.scalars(select(Job).where(
        Job.consultation_id == consultation.id, Job.kind == "export").order_by(Job.id.desc()).limit(limit)))


def rows(session: Session, consultation: Consultation) -> tuple[list[DownloadRow], list[Job]]:
    """The finished files (newest first) and the exports still queued, running or failed."""
    jobs = export_jobs(session, consultation)
    names = dict(session.execute(select(User.id, User.name).where(
        User.id.in_({j.requested_by_id for j in jobs if j.requested_by_id}))).all()) if jobs else {}
    done, other = [], []
    for j in jobs:
        if j.status != JobStatus.FINISHED:
            other.append(j)
            continue
        r = j.result or {}
        try:
            label = export_format(r.get("what"), r.get("format")).label
        except ValueError:
            label = r.get("filename", "")
        done.append(DownloadRow(job=j, label=label, filename=r.get("filename", ""),
                                size=human_size(int(r.get("size") or 0)), made_at=j.finished_at,
                                made_by=names.get(j.requested_by_id, "onbekend"),
                                available=bool(r.get("path")) and not r.get("deleted")))
    return done, other


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
        return True
    except ValueError:
        return False


def stored_path(root: Path, job: Job) -> Path | None:
    """Where the file of export ``job`` is, from its result only, when that lies inside the
    consultation's folder under ``root`` (no traversal, no other consultation's files)."""
    if job.kind != "export" or job.consultation_id is None:
        return None
    rel = (job.result or {}).get("path")
    if not isinstance(rel, str) or not rel:
        return None
    folder = (Path(root) / str(job.consultation_id)).resolve()
    path = (Path(root) / rel).resolve()
    if path == folder or not _inside(path, folder):
        return None
    return path


def download_path(root: Path, job: Job) -> Path | None:
    """The file to send for ``job``: a finished, not deleted export that still exists."""
    if job.status != JobStatus.FINISHED or (job.result or {}).get("deleted"):
        return None
    path = stored_path(root, job)
    return path if path is not None and path.is_file() else None


def record_download(session: Session, job: Job, user: User) -> None:
    r = job.result or {}
    record(session, "download_export", job, actor=user,
           details={"consultation": job.consultation_id, "filename": r.get("filename"),
                    "what": r.get("what"), "format": r.get("format"), "size": r.get("size")})


# -- retention --------------------------------------------------------------------------------

def purge_expired(session: Session, root: Path, days: int, *, consultation: Consultation | None = None,
                  now: datetime | None = None, dry_run: bool = False, actor: str = "system") -> int:
    """Delete the files of export jobs finished more than ``days`` days ago (of one
    consultation, or all); the job rows stay, their result marked ``deleted``. Returns how
    many files were (``dry_run``: would be) deleted; audited as ``purge_downloads``."""
    cutoff = (now or utcnow()) - timedelta(days=days)
    query = select(Job).where(Job.kind == "export", Job.status == JobStatus.FINISHED, Job.finished_at < cutoff)
    if consultation is not None:
        query = query.where(Job.consultation_id == consultation.id)
    expired = [j for j in session.scalars(query.order_by(Job.id)) if not (j.result or {}).get("deleted")]
    if dry_run or not expired:
        return len(expired)
    for job in expired:
        path = stored_path(root, job)
        if path is not None and path.is_file():
            path.unlink()
        job.result = {**(job.result or {}), "deleted": True, "deleted_at": utcnow().isoformat(timespec="seconds")}
    by_consultation: dict[int, int] = {}
    for job in expired:
        by_consultation[job.consultation_id] = by_consultation.get(job.consultation_id, 0) + 1
    for cid, n in sorted(by_consultation.items()):
        record(session, "purge_downloads", session.get(Consultation, cid), actor=actor,
               details={"retention_days": days, "files": n})
    session.flush()
    return len(expired)
