"""Background jobs of a consultation: the list, the progress page (meta refresh without
JavaScript, a JSON status for consult/static/jobs.js with it) and starting coding runs.

The services are in ``consult.jobs`` (starting, labels, summaries) and
``consult.downloads`` (export jobs)."""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, url_for
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import HiddenField
from wtforms.validators import AnyOf

from consult import jobs
from consult.db import to_local
from consult.context import db, get_in_consultation
from consult.models import Job, JobStatus, Role, User
from consult.security import consultation_for_staff, current_user, login_required, may_open
from consult.web.filters import dutch_date

bp = Blueprint("jobs", __name__, url_prefix="/beheer/c/<slug>/taken")

STARTERS = (Role.ADMINISTRATOR, Role.POLICY_WRITER)
#: Kinds shown in the list (one ``segment_response`` per submission would flood it).
LISTED = ("code_consultation", "train_coder", "segment_document", "export")


@bp.app_template_filter("moment")
def moment(value: datetime | None) -> str:
    """A stored UTC time as Dutch local date and time: "1 december 2026 om 13:05"."""
    if value is None:
        return "onbekend"
    local = to_local(value)
    return f"{dutch_date(local)} om {local:%H:%M}"


class CodingRunForm(FlaskForm):
    mode = HiddenField(validators=[AnyOf(["new", "retrain"])])


def may_start(user: User | None) -> bool:
    return user is not None and user.role in STARTERS


def may_download(user: User | None) -> bool:
    from consult.web.downloads import DOWNLOADERS

    return user is not None and user.role in DOWNLOADERS


def _job(c, job_id: int) -> Job:
    job = get_in_consultation(Job, job_id, c)
    if job.parent_id is not None:  # a chunk: its parent's page says it all
        return get_in_consultation(Job, job.parent_id, c)
    return job


def view(job: Job) -> dict:
    """What the progress page and its JSON status show (Dutch)."""
    s = db()
    user = current_user()
    busy = job.status in jobs.ACTIVE
    percent = int(round(jobs.live_progress(s, job) * 100))
    out = {"id": job.id, "kind": jobs.kind_label(job), "state": job.status.value,
           "state_label": jobs.STATUS_LABELS[job.status], "percent": percent, "busy": busy,
           "step": jobs.step_text(s, job) if busy else "", "summary": [], "failure": "",
           "links": [], "error": None}
    if job.status == JobStatus.FINISHED:
        out["summary"] = jobs.result_summary(job)
    if job.status == JobStatus.FAILED:
        out["failure"] = jobs.failure_message(job)
        if user is not None and user.role == Role.ADMINISTRATOR:
            out["error"] = job.error or ""  # the technical reason: for administrators only
    c = job.consultation
    if job.kind == "code_consultation" and job.status == JobStatus.FINISHED and may_open("review.index"):
        out["links"].append((url_for("review.index", slug=c.slug), "Voorstellen beoordelen"))
    if job.kind == "code_consultation" and job.status == JobStatus.FAILED and may_start(user):
        out["links"].append((url_for("jobs.index", slug=c.slug), "Opnieuw proberen op de pagina Coderen en taken"))
    if job.kind == "segment_document" and job.document_id:
        out["links"].append((url_for("meetings.document", slug=c.slug, document_id=job.document_id),
                             "Naar het verslag"))
    if job.kind == "export":
        if job.status == JobStatus.FINISHED and may_download(user) and not (job.result or {}).get("deleted"):
            name = (job.result or {}).get("filename", "het bestand")
            out["links"].append((url_for("downloads.file", slug=c.slug, job_id=job.id), f"Downloaden: {name}"))
        if may_download(user):
            out["links"].append((url_for("downloads.index", slug=c.slug), "Naar alle downloads"))
    return out


def _state_sentence(v: dict) -> str:
    if v["state"] == "finished":
        return "Klaar."
    if v["state"] == "failed":
        return "Mislukt."
    return f"{v['state_label'].capitalize()}: {v['percent']}%."


@bp.get("")
@login_required()
def index(slug: str):
    c = consultation_for_staff(slug)
    s = db()
    recent = s.scalars(select(Job).where(Job.consultation_id == c.id, Job.parent_id.is_(None),
                                         Job.kind.in_(LISTED)).order_by(Job.id.desc()).limit(50)).all()
    names = dict(s.execute(select(User.id, User.name).where(
        User.id.in_({j.requested_by_id for j in recent if j.requested_by_id}))).all()) if recent else {}
    running = jobs.active_job(s, c, "code_consultation")
    rows = [{"job": j, "label": jobs.kind_label(j), "state": jobs.STATUS_LABELS[j.status],
             "percent": int(round(jobs.live_progress(s, j) * 100)), "by": names.get(j.requested_by_id, "")}
            for j in recent]
    user = current_user()
    return render_template("jobs/index.html", c=c, rows=rows, running=running, may_start=may_start(user),
                           new_form=CodingRunForm(mode="new"), retrain_form=CodingRunForm(mode="retrain"),
                           has_codebook=c.codebook_version is not None)


@bp.post("/coderen")
@login_required(*STARTERS)
def start_coding(slug: str):
    c = consultation_for_staff(slug)
    form = CodingRunForm()
    if not form.validate_on_submit():
        flash("Het formulier is niet goed verstuurd. Probeer het opnieuw.", "error")
        return redirect(url_for(".index", slug=slug))
    try:
        job_id, started = jobs.start_coding_run(current_app, db(), c, current_user(), mode=form.mode.data)
    except ValueError as exc:
        db().rollback()
        flash(str(exc) if "codeboek" in str(exc) else "Dit kan nu niet. Probeer het opnieuw.", "error")
        return redirect(url_for(".index", slug=slug))
    if started:
        flash("De taak is gestart. Op deze pagina ziet u hoe ver die is.", "success")
    else:
        flash("Er loopt al een codeerronde voor deze raadpleging. Er is geen nieuwe gestart. "
              "Hieronder ziet u hoe ver de lopende ronde is.", "info")
    return redirect(url_for(".show", slug=slug, job_id=job_id), 303)


@bp.get("/<int:job_id>")
@login_required()
def show(slug: str, job_id: int):
    c = consultation_for_staff(slug)
    job = _job(c, job_id)
    v = view(job)
    requester = db().get(User, job.requested_by_id) if job.requested_by_id else None
    return render_template("jobs/show.html", c=c, job=job, v=v, requester=requester,
                           state_sentence=_state_sentence(v))


@bp.get("/<int:job_id>/status")
@login_required()
def status(slug: str, job_id: int):
    c = consultation_for_staff(slug)
    job = _job(c, job_id)
    v = view(job)
    v["sentence"] = _state_sentence(v)
    v["html"] = render_template("jobs/_outcome.html", v=v) if not v["busy"] else ""
    return jsonify(v)
