"""Staff screens: dashboard, consultation overview, surveys (import, editor, status),
invitation codes and assisted entry of paper/telephone responses.

Views parse the request, call one service (``surveys.store``, ``surveys.responses``,
``consult.membership``), then flash and redirect; the services record the audit entries.
Access per consultation is managed in ``consult.web.people`` (``people.members``).
"""
from __future__ import annotations

from flask import Blueprint, Response as FlaskResponse, abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
import yaml
from wtforms import IntegerField, RadioField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import NumberRange, Optional

from consult import membership
from consult.models import CHANNEL_LABELS, Channel, Consultation, Role, Survey, SurveyStatus
from consult.models.participation import ASSISTED_CHANNEL_LABELS, SURVEY_STATUS_LABELS
from consult.security import consultation_for_staff, current_user, login_required
from consult.context import db, get_in_consultation
from surveys import responses as R, store
from surveys.definition import DefinitionError, parse_definition

bp = Blueprint("staff", __name__, url_prefix="/beheer")

ALL_STAFF = (Role.ADMINISTRATOR, Role.POLICY_WRITER, Role.FACILITATOR)
SURVEY_EDITORS = (Role.ADMINISTRATOR, Role.POLICY_WRITER)


@bp.get("/")
@login_required()
def dashboard():
    return render_template("staff/dashboard.html",
                           consultations=membership.consultations_for(db(), current_user()))


@bp.get("/c/<slug>")
@login_required()
def consultation(slug: str):
    c = consultation_for_staff(slug)
    s = db()
    counts = {survey_id: sum(by_channel.values())
              for survey_id, by_channel in R.submitted_counts(s, c).items()}
    return render_template("staff/consultation.html", c=c, counts=counts,
                           members=membership.members(s, c))


# -- surveys -----------------------------------------------------------------------------------

class DefinitionForm(FlaskForm):
    definition = TextAreaField("Definitie (YAML of JSON)", render_kw={"rows": 24, "spellcheck": "false"})
    upload = FileField("Of kies een bestand (.yaml, .yml of .json)")


def _definition_text(form: DefinitionForm) -> str:
    file = form.upload.data
    if file and getattr(file, "filename", ""):
        raw = file.read(1024 * 1024 + 1)
        if len(raw) > 1024 * 1024:
            raise DefinitionError("het bestand is groter dan 1 MB")
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise DefinitionError("het bestand is geen tekst (UTF-8)") from None
    return form.definition.data or ""


@bp.route("/c/<slug>/vragenlijsten/nieuw", methods=["GET", "POST"])
@login_required(*SURVEY_EDITORS)
def survey_new(slug: str):
    c = consultation_for_staff(slug)
    form = DefinitionForm()
    error = None
    if form.validate_on_submit():
        s = db()
        try:
            survey = store.create_survey(s, c, parse_definition(_definition_text(form)), actor=current_user())
        except DefinitionError as exc:
            error = f"De definitie klopt niet: {exc}"
        else:
            s.commit()
            flash("De vragenlijst is aangemaakt als concept.", "success")
            return redirect(url_for(".survey_detail", slug=slug, survey_id=survey.id))
    return render_template("staff/survey_edit.html", c=c, form=form, error=error, survey=None), (
        422 if error else 200)


def _staff_survey(c: Consultation, survey_id: int) -> Survey:
    return get_in_consultation(Survey, survey_id, c)


@bp.get("/c/<slug>/vragenlijsten/<int:survey_id>")
@login_required()
def survey_detail(slug: str, survey_id: int):
    c = consultation_for_staff(slug)
    survey = _staff_survey(c, survey_id)
    s = db()
    by_channel = R.submitted_counts(s, c).get(survey.id, {})
    codes_total, codes_used = R.invitation_code_counts(s, survey)
    return render_template("staff/survey_detail.html", c=c, survey=survey, submitted=sum(by_channel.values()),
                           by_channel=by_channel, channel_labels=CHANNEL_LABELS, codes_total=codes_total,
                           codes_used=codes_used, status_form=StatusForm(status=survey.status.value),
                           entry_form=EntryForm(), codes_form=CodesForm())


@bp.route("/c/<slug>/vragenlijsten/<int:survey_id>/bewerken", methods=["GET", "POST"])
@login_required(*SURVEY_EDITORS)
def survey_edit(slug: str, survey_id: int):
    """Edit the definition; only while nobody has answered yet (answers point at questions)."""
    c = consultation_for_staff(slug)
    survey = _staff_survey(c, survey_id)
    s = db()
    locked = store.response_count(s, survey) > 0
    form = DefinitionForm()
    error = None
    if request.method == "GET":
        form.definition.data = yaml.safe_dump(survey.definition, allow_unicode=True, sort_keys=False)
    elif locked:
        error = store.LOCKED_MESSAGE
    elif form.validate_on_submit():
        try:
            store.update_survey(s, survey, parse_definition(_definition_text(form)), actor=current_user())
        except store.SurveyLockedError as exc:  # someone started answering meanwhile
            error = str(exc)
        except DefinitionError as exc:
            error = f"De definitie klopt niet: {exc}"
        else:
            s.commit()
            flash("De vragenlijst is bijgewerkt.", "success")
            return redirect(url_for(".survey_detail", slug=slug, survey_id=survey.id))
    return render_template("staff/survey_edit.html", c=c, form=form, error=error, survey=survey,
                           locked=locked), (422 if error else 200)


class StatusForm(FlaskForm):
    status = RadioField("Status", choices=[SelectChoice(k.value, v) for k, v in SURVEY_STATUS_LABELS.items()])


@bp.post("/c/<slug>/vragenlijsten/<int:survey_id>/status")
@login_required(*SURVEY_EDITORS)
def survey_status(slug: str, survey_id: int):
    c = consultation_for_staff(slug)
    survey = _staff_survey(c, survey_id)
    form = StatusForm()
    if form.validate_on_submit():
        store.set_status(db(), survey, SurveyStatus(form.status.data), actor=current_user())
        db().commit()
        flash(f"De vragenlijst is nu {survey.status_label}.", "success")
    return redirect(url_for(".survey_detail", slug=slug, survey_id=survey.id))


class CodesForm(FlaskForm):
    count = IntegerField("Aantal nieuwe codes maken", validators=[Optional(), NumberRange(0, 5000)])
    imported = TextAreaField("Of plak een lijst met codes (één per regel)", render_kw={"rows": 6})


@bp.post("/c/<slug>/vragenlijsten/<int:survey_id>/codes")
@login_required(*SURVEY_EDITORS)
def invitation_codes(slug: str, survey_id: int):
    c = consultation_for_staff(slug)
    survey = _staff_survey(c, survey_id)
    form = CodesForm()
    if form.validate_on_submit():
        s = db()
        added, skipped = R.create_invitation_codes(
            s, survey, count=form.count.data or 0, imported=(form.imported.data or "").splitlines(),
            actor=current_user())
        s.commit()
        msg = f"{len(added)} codes toegevoegd."
        if skipped:
            msg += f" {len(skipped)} overgeslagen omdat ze al bestonden: {', '.join(skipped[:10])}."
        flash(msg, "success")
    else:
        flash("Vul een aantal tussen 0 en 5000 in.", "error")
    return redirect(url_for(".survey_detail", slug=slug, survey_id=survey.id))


@bp.get("/c/<slug>/vragenlijsten/<int:survey_id>/codes.csv")
@login_required(*SURVEY_EDITORS)
def invitation_codes_csv(slug: str, survey_id: int):
    c = consultation_for_staff(slug)
    survey = _staff_survey(c, survey_id)
    return FlaskResponse(R.invitation_codes_csv(db(), survey), mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename=codes-{survey.slug}.csv"})


class EntryForm(FlaskForm):
    channel = SelectField("Hoe kwam het antwoord binnen?", choices=[
        SelectChoice(channel.value, label) for channel, label in ASSISTED_CHANNEL_LABELS.items()])


@bp.post("/c/<slug>/vragenlijsten/<int:survey_id>/invoer")
@login_required()
def assisted_entry(slug: str, survey_id: int):
    """Start a response entered by staff on a participant's behalf (paper, telephone)."""
    c = consultation_for_staff(slug)
    survey = _staff_survey(c, survey_id)
    if survey.status == SurveyStatus.DRAFT:
        abort(404)
    form = EntryForm()
    if not form.validate_on_submit():
        abort(400)
    s = db()
    response = R.start_assisted_response(s, survey, Channel(form.channel.data), entered_by=current_user())
    s.commit()
    return redirect(url_for("survey.page", slug=slug, survey_slug=survey.slug,
                            token=response.resume_token, number=1))
