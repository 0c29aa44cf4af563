"""Staff screens: dashboard, consultation overview, surveys (import, editor, status),
invitation codes and assisted entry of paper/telephone responses."""
from __future__ import annotations

from flask import Blueprint, Response as FlaskResponse, abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import func, select
from wtforms import IntegerField, RadioField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import NumberRange, Optional

from consult.audit import record
from consult.models import (
    Channel, Consultation, ConsultationMember, InvitationCode, Response, ResponseStatus, Role, Survey,
    SurveyStatus,
)
from consult.security import consultation_for_staff, current_user, login_required
from consult.context import db, get_in_consultation
from surveys import responses as R
from surveys.definition import DefinitionError, parse_definition
from surveys.store import create_survey

bp = Blueprint("staff", __name__, url_prefix="/beheer")

ALL_STAFF = (Role.ADMINISTRATOR, Role.POLICY_WRITER, Role.FACILITATOR)
SURVEY_EDITORS = (Role.ADMINISTRATOR, Role.POLICY_WRITER)
SURVEY_STATUS_LABELS = {SurveyStatus.DRAFT: "concept", SurveyStatus.OPEN: "open", SurveyStatus.CLOSED: "gesloten"}


@bp.get("/")
@login_required()
def dashboard():
    user = current_user()
    s = db()
    stmt = select(Consultation).order_by(Consultation.starts_on.desc())
    if user.role != Role.ADMINISTRATOR:
        stmt = stmt.join(ConsultationMember, ConsultationMember.consultation_id == Consultation.id).where(
            ConsultationMember.user_id == user.id)
    return render_template("staff/dashboard.html", consultations=s.scalars(stmt).all())


@bp.get("/c/<slug>")
@login_required()
def consultation(slug: str):
    c = consultation_for_staff(slug)
    s = db()
    counts = dict(s.execute(
        select(Response.survey_id, func.count(Response.id)).join(Survey)
        .where(Survey.consultation_id == c.id, Response.status == ResponseStatus.SUBMITTED)
        .group_by(Response.survey_id)).all())
    from consult.models import ROLE_LABELS, User

    members = s.scalars(select(User).join(ConsultationMember, ConsultationMember.user_id == User.id)
                        .where(ConsultationMember.consultation_id == c.id).order_by(User.name)).all()
    return render_template("staff/consultation.html", c=c, counts=counts, members=members,
                           role_labels=ROLE_LABELS, status_labels=SURVEY_STATUS_LABELS)


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
            definition = parse_definition(_definition_text(form))
            if s.scalar(select(Survey.id).where(Survey.consultation_id == c.id,
                                                Survey.slug == definition.slug)):
                raise DefinitionError(f"er is al een vragenlijst met slug {definition.slug!r}")
        except DefinitionError as exc:
            error = f"De definitie klopt niet: {exc}"
        else:
            survey = create_survey(s, c, definition)
            record(s, "create_survey", survey, actor=current_user(),
                   details={"slug": survey.slug, "questions": len(survey.questions)})
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
    submitted = s.scalar(select(func.count(Response.id)).where(
        Response.survey_id == survey.id, Response.status == ResponseStatus.SUBMITTED)) or 0
    by_channel = dict(s.execute(select(Response.channel, func.count(Response.id)).where(
        Response.survey_id == survey.id, Response.status == ResponseStatus.SUBMITTED)
        .group_by(Response.channel)).all())
    codes_total = s.scalar(select(func.count(InvitationCode.id)).where(InvitationCode.survey_id == survey.id)) or 0
    codes_used = s.scalar(select(func.count(InvitationCode.id)).where(
        InvitationCode.survey_id == survey.id, InvitationCode.used_at.is_not(None))) or 0
    return render_template("staff/survey_detail.html", c=c, survey=survey, submitted=submitted,
                           by_channel=by_channel, codes_total=codes_total, codes_used=codes_used,
                           status_labels=SURVEY_STATUS_LABELS, status_form=StatusForm(status=survey.status.value),
                           entry_form=EntryForm(), codes_form=CodesForm())


@bp.route("/c/<slug>/vragenlijsten/<int:survey_id>/bewerken", methods=["GET", "POST"])
@login_required(*SURVEY_EDITORS)
def survey_edit(slug: str, survey_id: int):
    """Edit the definition; only while nobody has answered yet (answers point at questions)."""
    c = consultation_for_staff(slug)
    survey = _staff_survey(c, survey_id)
    s = db()
    has_responses = s.scalar(select(func.count(Response.id)).where(Response.survey_id == survey.id)) or 0
    import yaml

    form = DefinitionForm()
    error = None
    if request.method == "GET":
        form.definition.data = yaml.safe_dump(survey.definition, allow_unicode=True, sort_keys=False)
    elif has_responses:
        error = "Deze vragenlijst is al (deels) ingevuld. Vragen wijzigen kan dan niet meer."
    elif form.validate_on_submit():
        try:
            definition = parse_definition(_definition_text(form))
        except DefinitionError as exc:
            error = f"De definitie klopt niet: {exc}"
        else:
            from consult.models import Question, QuestionType, SurveyAccess

            old = survey.definition
            survey.questions.clear()
            s.flush()
            survey.title, survey.introduction = definition.title, definition.introduction
            survey.access = SurveyAccess(definition.access)
            definition.source["slug"] = survey.slug  # the slug is part of public links: keep it
            survey.definition = definition.source
            for position, q in enumerate(definition.questions):
                survey.questions.append(Question(
                    key=q.key, position=position, section=q.section, type=QuestionType(q.type),
                    label=q.label, help_text=q.help_text, required=q.required, options=q.options,
                    condition=q.condition))
            record(s, "update_survey", survey, actor=current_user(),
                   details={"old_definition": old, "questions": len(definition.questions)})
            s.commit()
            new = survey
            flash("De vragenlijst is bijgewerkt.", "success")
            return redirect(url_for(".survey_detail", slug=slug, survey_id=new.id))
    return render_template("staff/survey_edit.html", c=c, form=form, error=error, survey=survey,
                           locked=bool(has_responses)), (422 if error else 200)


class StatusForm(FlaskForm):
    status = RadioField("Status", choices=[SelectChoice(k.value, v) for k, v in SURVEY_STATUS_LABELS.items()])


@bp.post("/c/<slug>/vragenlijsten/<int:survey_id>/status")
@login_required(*SURVEY_EDITORS)
def survey_status(slug: str, survey_id: int):
    c = consultation_for_staff(slug)
    survey = _staff_survey(c, survey_id)
    form = StatusForm()
    if form.validate_on_submit():
        old = survey.status
        survey.status = SurveyStatus(form.status.data)
        record(db(), "survey_status", survey, actor=current_user(),
               details={"from": old.value, "to": survey.status.value})
        db().commit()
        flash(f"De vragenlijst is nu {SURVEY_STATUS_LABELS[survey.status]}.", "success")
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
            s, survey, count=form.count.data or 0, imported=(form.imported.data or "").splitlines())
        record(s, "create_invitation_codes", survey, actor=current_user(),
               details={"added": len(added), "skipped": len(skipped)})
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
    rows = db().execute(select(InvitationCode.code, InvitationCode.used_at).where(
        InvitationCode.survey_id == survey.id).order_by(InvitationCode.id)).all()
    body = "code,gebruikt\n" + "".join(f"{code},{'ja' if used else 'nee'}\n" for code, used in rows)
    return FlaskResponse(body, mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename=codes-{survey.slug}.csv"})


class EntryForm(FlaskForm):
    channel = SelectField("Hoe kwam het antwoord binnen?", choices=[
        SelectChoice(Channel.PAPER.value, "Papieren vragenlijst"),
        SelectChoice(Channel.TELEPHONE.value, "Telefoongesprek"),
        SelectChoice(Channel.MEETING.value, "Tijdens een bijeenkomst")])


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
    user = current_user()
    response = R.start_response(s, survey, R.new_token(), channel=Channel(form.channel.data), entered_by=user)
    record(s, "assisted_entry", response, actor=user, details={"channel": form.channel.data})
    s.commit()
    return redirect(url_for("survey.page", slug=slug, survey_slug=survey.slug,
                            token=response.resume_token, number=1))


# -- membership (administrators) -------------------------------------------------------------

@bp.post("/c/<slug>/leden")
@login_required(Role.ADMINISTRATOR)
def members(slug: str):
    """Add or remove a staff member's access to this consultation."""
    from consult.models import User

    c = consultation_for_staff(slug)
    s = db()
    email = (request.form.get("email") or "").strip().lower()
    user = s.scalar(select(User).where(func.lower(User.email) == email)) if email else None
    if user is None:
        flash("Er is geen medewerker met dat e-mailadres.", "error")
        return redirect(url_for(".consultation", slug=slug))
    existing = s.scalar(select(ConsultationMember).where(
        ConsultationMember.user_id == user.id, ConsultationMember.consultation_id == c.id))
    if request.form.get("action") == "remove":
        if existing is not None:
            s.delete(existing)
            record(s, "remove_member", c, actor=current_user(), details={"user": user.id})
            s.commit()
        flash(f"{user.name} heeft geen toegang meer tot deze raadpleging.", "success")
    else:
        if existing is None:
            s.add(ConsultationMember(user_id=user.id, consultation_id=c.id))
            record(s, "add_member", c, actor=current_user(), details={"user": user.id})
            s.commit()
        flash(f"{user.name} heeft nu toegang tot deze raadpleging.", "success")
    return redirect(url_for(".consultation", slug=slug))
