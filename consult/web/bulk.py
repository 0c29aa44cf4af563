"""Paper and telephone responses in bulk: template downloads, dry run, import, result.

The survey page (``staff/survey_detail.html``) links the templates and holds the upload
form (``bulk_upload_form``, offered to every template by this blueprint). An upload is
first only checked (:func:`surveys.responses.check_upload`): the page lists the errors by
row and column and how many rows are new. The file waits under the instance folder
(``bulk-uploads/<random token>``, owner-only) until "Nu invoeren" imports it
(:func:`surveys.responses.import_upload`, one transaction, audited); it is removed after
the import, and once a day old it can no longer be used and goes at the next upload or
import. After the import the open answers are queued for segmenting, one
``segment_response`` job per response, as after an online submission.
Everything works without JavaScript.

Who: administrators, policy writers and facilitators who are members of the consultation,
the same people who may enter one paper or telephone response (``staff.assisted_entry``).
"""
from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint, Response as FlaskResponse, abort, current_app, flash, redirect, render_template, request, url_for,
)
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, SelectChoice, SelectField

from consult.context import db, get_in_consultation
from consult.models import AuditLog, CHANNEL_LABELS, Channel, Consultation, Job, Role, Survey, SurveyStatus
from consult.security import consultation_for_staff, current_user, login_required
from surveys import bulk, responses as R

bp = Blueprint("bulk", __name__, url_prefix="/beheer")

ROLES = (Role.ADMINISTRATOR, Role.POLICY_WRITER, Role.FACILITATOR)
#: Errors listed on the dry-run page; the count says how many more there are.
SHOWN_PROBLEMS = 500
CHANNEL_CHOICES = {Channel.PAPER: "Papieren vragenlijsten", Channel.TELEPHONE: "Telefoongesprekken"}


class UploadForm(FlaskForm):
    file = FileField("Bestand met antwoorden (.xlsx of .csv, hoogstens 5 MB)")
    channel = SelectField("Hoe kwamen de antwoorden binnen?",
                          choices=[SelectChoice(k.value, v) for k, v in CHANNEL_CHOICES.items()])


def upload_form() -> UploadForm:
    # prefixed: the survey page has another "channel" field (assisted entry)
    return UploadForm(prefix="bulk")


class ConfirmForm(FlaskForm):
    token = HiddenField()


@bp.app_context_processor
def _upload_form():
    return {"bulk_upload_form": upload_form}


def _uploads() -> bulk.PendingUploads:
    return bulk.PendingUploads(Path(current_app.instance_path) / "bulk-uploads")


def _survey(slug: str, survey_id: int) -> tuple[Consultation, Survey]:
    """The consultation and its survey; 404 for a draft (it takes no answers yet)."""
    c = consultation_for_staff(slug)
    survey = get_in_consultation(Survey, survey_id, c)
    if survey.status == SurveyStatus.DRAFT:
        abort(404)
    return c, survey


def _template_name(survey: Survey, ext: str) -> str:
    return f"sjabloon-{survey.slug}.{ext}"


@bp.get("/c/<slug>/vragenlijsten/<int:survey_id>/sjabloon.xlsx")
@login_required(*ROLES)
def template_xlsx(slug: str, survey_id: int):
    _c, survey = _survey(slug, survey_id)
    hoods, groups = R.survey_choices(survey)
    data = bulk.template_xlsx(survey.title, survey.questions, hoods, groups)
    return FlaskResponse(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                         headers={"Content-Disposition": f"attachment; filename={_template_name(survey, 'xlsx')}"})


@bp.get("/c/<slug>/vragenlijsten/<int:survey_id>/sjabloon.csv")
@login_required(*ROLES)
def template_csv(slug: str, survey_id: int):
    _c, survey = _survey(slug, survey_id)
    return FlaskResponse(bulk.template_csv(survey.questions), mimetype="text/csv; charset=utf-8",
                         headers={"Content-Disposition": f"attachment; filename={_template_name(survey, 'csv')}"})


def _page(c, survey, *, form, dry=None, file_error=None, filename="", channel=None, token=None,
          status=200):
    problems = dry.check.errors[:SHOWN_PROBLEMS] if dry else []
    return render_template(
        "bulk/check.html", c=c, survey=survey, form=form, dry=dry, file_error=file_error,
        filename=filename, channel=channel, channel_label=CHANNEL_CHOICES.get(channel, ""),
        token=token, confirm_form=ConfirmForm(token=token), errors=problems,
        more_errors=(len(dry.check.errors) - len(problems)) if dry else 0,
        warnings=dry.check.warnings[:SHOWN_PROBLEMS] if dry else [],
        more_warnings=max(0, len(dry.check.warnings) - SHOWN_PROBLEMS) if dry else 0), status


@bp.route("/c/<slug>/vragenlijsten/<int:survey_id>/antwoorden-uploaden", methods=["GET", "POST"])
@login_required(*ROLES)
def check(slug: str, survey_id: int):
    """The dry run: check the file, store nothing but the file itself (for "Nu invoeren")."""
    c, survey = _survey(slug, survey_id)
    form = upload_form()
    if not form.is_submitted():
        return _page(c, survey, form=form)
    if not form.validate():
        if "csrf_token" in form.errors:
            abort(400)
        return _page(c, survey, form=form, file_error="Kies papier of telefoon.", status=422)
    upload = form.file.data
    filename = (getattr(upload, "filename", "") or "").replace("\\", "/").rsplit("/", 1)[-1][:200]
    if not upload or not filename:
        return _page(c, survey, form=form, file_error="Kies een bestand.", status=422)
    data = upload.read(bulk.MAX_BYTES + 1)
    channel = Channel(form.channel.data)
    try:
        dry = R.check_upload(db(), survey, data, filename)
    except bulk.BulkFileError as exc:
        return _page(c, survey, form=form, file_error=str(exc), filename=filename, channel=channel, status=422)
    token = None
    if dry.check.ok and dry.new:
        token = _uploads().save(data, {"survey": survey.id, "user": current_user().id,
                                       "channel": channel.value, "filename": filename})
    return _page(c, survey, form=form, dry=dry, filename=filename, channel=channel, token=token,
                 status=200 if dry.check.ok else 422)


@bp.post("/c/<slug>/vragenlijsten/<int:survey_id>/antwoorden-invoeren")
@login_required(*ROLES)
def run(slug: str, survey_id: int):
    """"Nu invoeren": import the file the dry run kept."""
    c, survey = _survey(slug, survey_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    uploads, token = _uploads(), form.token.data or ""
    uploads.purge()
    try:
        data, meta = uploads.load(token)
    except KeyError:
        meta = None
    if meta is None or meta.get("survey") != survey.id or meta.get("user") != current_user().id:
        flash("Het bestand is niet meer bewaard (dat duurt hoogstens een dag). Upload het opnieuw.", "error")
        return redirect(url_for(".check", slug=slug, survey_id=survey.id), 303)
    s = db()
    channel, filename = Channel(meta["channel"]), meta.get("filename", "")
    try:
        dry, result = R.import_upload(s, survey, data, filename, channel=channel, entered_by=current_user())
    except bulk.BulkFileError as exc:  # cannot happen for a file that passed, unless the survey changed
        return _page(c, survey, form=upload_form(), file_error=str(exc), filename=filename, channel=channel,
                     status=422)
    except R.BulkImportError as exc:
        flash(str(exc), "error")
        return redirect(url_for(".check", slug=slug, survey_id=survey.id), 303)
    if result is None:  # the survey changed since the dry run: show what is wrong now
        return _page(c, survey, form=upload_form(), dry=dry, filename=filename, channel=channel, status=422)
    s.commit()
    uploads.delete(token)
    job_id = _queue_segmenting(c, result.to_segment)
    return redirect(url_for(".done", slug=slug, survey_id=survey.id, entry_id=result.audit_id,
                            taak=job_id), 303)


#: Up to this many imported responses with open answers get one ``segment_response`` job
#: each, as online submissions do; each costs a database row and a queue message in this
#: request. A larger import starts one "Nieuwe tekst coderen" run instead, which segments
#: and codes all new text in chunks (the same outcome, one job).
SEGMENT_JOBS_LIMIT = 500


def _queue_segmenting(c: Consultation, response_ids: list[int]) -> int | None:
    """Queue the segmenting, masking and coding of the imported open answers, as after an
    online submission (consult.web.survey). Returns the coding run's job id when one was
    started for a large import. The import is committed: a failure here loses nothing
    ('consult code segment' or the next coding run picks the answers up)."""
    from consult import jobs

    if len(response_ids) > SEGMENT_JOBS_LIMIT and c.codebook_version is not None:
        try:
            job_id, started = jobs.start_coding_run(current_app, db(), c, current_user(), mode="new")
        except Exception:  # noqa: BLE001 - fall back to one job per response
            db().rollback()
            current_app.logger.exception("starting a coding run after a bulk import failed")
        else:
            if started:
                return job_id
            # a run already under way may be past its segmenting step: queue them one by one
    for response_id in response_ids:
        try:
            jobs.enqueue_for_app(current_app, "segment_response", consultation=c, user=current_user(),
                                 params={"response": response_id})
        except Exception:  # noqa: BLE001 - never lose an import over analysis
            current_app.logger.exception("queueing the segmenting of response %s failed", response_id)
    return None


@bp.get("/c/<slug>/vragenlijsten/<int:survey_id>/antwoorden-ingevoerd/<int:entry_id>")
@login_required(*ROLES)
def done(slug: str, survey_id: int, entry_id: int):
    """The result of an import, read from its audit entry."""
    c, survey = _survey(slug, survey_id)
    entry = db().get(AuditLog, entry_id)
    if entry is None or entry.action != "bulk_import" or entry.entity_type != "survey" \
            or entry.entity_id != survey.id:
        abort(404)
    details = entry.details or {}
    job_id = request.args.get("taak", type=int)
    job = get_in_consultation(Job, job_id, c) if job_id else None
    return render_template("bulk/done.html", c=c, survey=survey, entry=entry, details=details, job=job,
                           channel_label=CHANNEL_LABELS.get(Channel(details.get("channel", "paper")), ""))
