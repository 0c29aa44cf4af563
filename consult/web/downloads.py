"""Verslag en downloads: make the report, data exports and the traceability matrix as
background jobs, list the files, and download them (policy writers and administrators
who are members; every download audited). The service is ``consult.downloads``."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, send_file, url_for
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField

from consult import downloads as D
from consult.context import db, get_in_consultation
from consult.models import Job, Role
from consult.security import consultation_for_staff, current_user, login_required

bp = Blueprint("downloads", __name__, url_prefix="/beheer/c/<slug>/downloads")

DOWNLOADERS = (Role.ADMINISTRATOR, Role.POLICY_WRITER)


class ExportForm(FlaskForm):
    """One form per group of buttons; the pressed button's value is the export."""
    export = SelectField(choices=[SelectChoice(k, f.label) for k, f in D.BY_KEY.items()])


def _purge(c) -> None:
    s = db()
    if D.purge_expired(s, D.downloads_root(current_app), int(current_app.config["DOWNLOAD_RETENTION_DAYS"]),
                       consultation=c):
        s.commit()


@bp.get("")
@login_required(*DOWNLOADERS)
def index(slug: str):
    c = consultation_for_staff(slug)
    _purge(c)
    done, other = D.rows(db(), c)
    from consult import jobs

    groups = [(what, label, [(f"{f.what}-{f.format}", f.label) for f in D.FORMATS if f.what == what])
              for what, label in D.WHAT_LABELS.items()]
    return render_template("downloads/index.html", c=c, form=ExportForm(), groups=groups, done=done,
                           other=[{"job": j, "label": jobs.kind_label(j), "state": jobs.STATUS_LABELS[j.status]}
                                  for j in other],
                           retention_days=current_app.config["DOWNLOAD_RETENTION_DAYS"])


@bp.post("/maken")
@login_required(*DOWNLOADERS)
def create(slug: str):
    c = consultation_for_staff(slug)
    form = ExportForm()
    if not form.validate_on_submit():
        flash("Kies een van de knoppen om een bestand te maken.", "error")
        return redirect(url_for(".index", slug=slug))
    job_id, started = D.request_export(current_app, db(), c, current_user(), form.export.data)
    if started:
        flash("Het bestand wordt gemaakt. Op deze pagina ziet u hoe ver het is.", "success")
    else:
        flash("Dit bestand wordt al gemaakt. Er is geen tweede opdracht gestart.", "info")
    return redirect(url_for("jobs.show", slug=slug, job_id=job_id), 303)


@bp.get("/<int:job_id>")
@login_required(*DOWNLOADERS)
def file(slug: str, job_id: int):
    c = consultation_for_staff(slug)
    job = get_in_consultation(Job, job_id, c)
    if job.kind != "export":
        abort(404)
    _purge(c)
    path = D.download_path(D.downloads_root(current_app), job)
    if path is None:
        if (job.result or {}).get("deleted"):
            flash(f"Dit bestand is verwijderd, omdat het ouder was dan "
                  f"{current_app.config['DOWNLOAD_RETENTION_DAYS']} dagen. Maak het opnieuw.", "info")
            return redirect(url_for(".index", slug=slug))
        abort(404)
    s = db()
    D.record_download(s, job, current_user())
    s.commit()
    result = job.result or {}
    return send_file(path, mimetype=result.get("media_type") or "application/octet-stream", as_attachment=True,
                     download_name=result.get("filename") or path.name, max_age=0)
