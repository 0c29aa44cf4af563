"""E-mail screens: the consultation's e-mail page (templates, the log, the "outcome is
online" notice), invitations to an address list per survey, and the public one-click
unsubscribe. The services are in ``consult.mail`` and ``consult.invitations``."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, StringField, TextAreaField

from consult import invitations, mail
from consult.app import csrf
from consult.context import db, get_in_consultation
from consult.mail import MailError
from consult.models import MailKind, Role, Survey
from consult.security import consultation_for_staff, current_user, login_required

bp = Blueprint("mail", __name__)

EDITORS = (Role.ADMINISTRATOR, Role.POLICY_WRITER)


def _base_url() -> str:
    return request.url_root


# -- the consultation's e-mail page ------------------------------------------------------------

@bp.get("/beheer/c/<slug>/e-mail")
@login_required(*EDITORS)
def index(slug: str):
    c = consultation_for_staff(slug)
    s = db()
    total, done = mail.published_recipients(s, c)
    return render_template("mail/index.html", c=c, configured=mail.configured(current_app),
                           not_configured=mail.NOT_CONFIGURED, summary=mail.log_summary(s, c),
                           kinds=mail.CONSULTATION_KINDS, kind_labels=mail.KIND_LABELS,
                           status_labels=mail.STATUS_LABELS, own={k: mail.template_for(s, c, k)[2]
                                                                   for k in mail.CONSULTATION_KINDS},
                           recipients=total, notified=done, has_outcome=mail.has_outcome(s, c),
                           form=FlaskForm())


def _kind(kind: str) -> MailKind:
    try:
        k = MailKind(kind)
    except ValueError:
        abort(404)
    if k not in mail.CONSULTATION_KINDS:
        abort(404)
    return k


class TemplateForm(FlaskForm):
    subject = StringField("Onderwerp")
    body = TextAreaField("Tekst van het bericht", render_kw={"rows": 16})
    action = HiddenField()


@bp.route("/beheer/c/<slug>/e-mail/<kind>", methods=["GET", "POST"])
@login_required(*EDITORS)
def template(slug: str, kind: str):
    c = consultation_for_staff(slug)
    k = _kind(kind)
    s = db()
    subject, body, own = mail.template_for(s, c, k)
    form = TemplateForm()
    error = None
    if request.method == "GET":
        form.subject.data, form.body.data = subject, body
    elif form.validate_on_submit():
        action = request.form.get("do", "preview")
        try:
            if action == "reset":
                mail.reset_template(s, c, k, actor=current_user())
                s.commit()
                flash("De standaardtekst staat weer klaar.", "success")
                return redirect(url_for(".template", slug=slug, kind=k.value))
            subject, body = mail.check_template(k, form.subject.data or "", form.body.data or "")
            if action == "save":
                mail.save_template(s, c, k, subject, body, actor=current_user())
                s.commit()
                flash("Het bericht is opgeslagen.", "success")
                return redirect(url_for(".template", slug=slug, kind=k.value))
        except MailError as exc:
            error = str(exc)
    else:
        abort(400)
    preview = None
    if error is None:
        preview = mail.render(s, c, k, mail.sample_values(k), settings=mail.settings_for(current_app),
                              unsubscribe_url=url_for("mail.unsubscribe", token="voorbeeld", _external=True),
                              template=(form.subject.data or subject, form.body.data or body))
    return render_template("mail/template.html", c=c, kind=k, label=mail.KIND_LABELS[k], form=form,
                           error=error, preview=preview, own=own, placeholders=mail.PLACEHOLDERS,
                           required=", ".join("{" + n + "}" for n in mail.REQUIRED[k])), (422 if error else 200)


@bp.get("/beheer/c/<slug>/e-mail/<kind>/voorbeeld.html")
@login_required(*EDITORS)
def template_html(slug: str, kind: str):
    """The HTML part of the saved message with example values, as a recipient sees it."""
    c = consultation_for_staff(slug)
    k = _kind(kind)
    rendered = mail.render(db(), c, k, mail.sample_values(k), settings=mail.settings_for(current_app),
                           unsubscribe_url=url_for("mail.unsubscribe", token="voorbeeld", _external=True))
    response = make_response(rendered.html)
    # the message's own inline styles, nothing else
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
    return response


@bp.post("/beheer/c/<slug>/e-mail/uitkomst")
@login_required(*EDITORS)
def published(slug: str):
    c = consultation_for_staff(slug)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        n = mail.send_published_notice(current_app, db(), c, base_url=_base_url(), actor=current_user())
    except MailError as exc:
        flash(str(exc), "error")
    else:
        flash(f"{n} berichten staan klaar om te versturen." if n else
              "Er is niemand die het bericht nog niet heeft gekregen.", "success")
    return redirect(url_for(".index", slug=slug))


@bp.post("/beheer/c/<slug>/e-mail/opnieuw")
@login_required(*EDITORS)
def retry(slug: str):
    c = consultation_for_staff(slug)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        n = mail.retry_failed(current_app, db(), c, actor=current_user())
    except MailError as exc:
        flash(str(exc), "error")
    else:
        flash(f"{n} mislukte berichten worden opnieuw verstuurd." if n else
              "Er zijn geen mislukte berichten die opnieuw kunnen.", "success")
    return redirect(url_for(".index", slug=slug))


# -- invitations -------------------------------------------------------------------------------

class ListForm(FlaskForm):
    addresses = TextAreaField("Plak de e-mailadressen (één per regel)", render_kw={"rows": 10, "spellcheck": "false"})
    upload = FileField("Of kies een bestand (CSV of tekst)")


def _survey(c, survey_id: int) -> Survey:
    return get_in_consultation(Survey, survey_id, c)


def _invitation_page(c, survey, form=None, report=None, error=None, status=200):
    return render_template("mail/invitations.html", c=c, survey=survey, form=form or ListForm(),
                           report=report, error=error, counts=invitations.counts(db(), survey),
                           configured=mail.configured(current_app), not_configured=mail.NOT_CONFIGURED,
                           shown=invitations.SHOWN, gap=invitations.REMINDER_GAP_HOURS,
                           action_form=FlaskForm()), status


@bp.get("/beheer/c/<slug>/vragenlijsten/<int:survey_id>/uitnodigingen")
@login_required(*EDITORS)
def invitations_page(slug: str, survey_id: int):
    c = consultation_for_staff(slug)
    return _invitation_page(c, _survey(c, survey_id))


@bp.post("/beheer/c/<slug>/vragenlijsten/<int:survey_id>/uitnodigingen")
@login_required(*EDITORS)
def invitations_post(slug: str, survey_id: int):
    """``do=check``: the dry-run report (nothing stored); ``do=send``: invite."""
    c = consultation_for_staff(slug)
    survey = _survey(c, survey_id)
    form = ListForm()
    if not form.validate_on_submit():
        abort(400)
    text = form.addresses.data or ""
    try:
        file = form.upload.data
        if file and getattr(file, "filename", ""):
            text = invitations.decode_upload(file.read(invitations.MAX_BYTES + 1))
            form.addresses.data = text
    except MailError as exc:
        return _invitation_page(c, survey, form, error=str(exc), status=422)
    s = db()
    if request.form.get("do") == "send":
        try:
            sent = invitations.send_invitations(current_app, s, survey, text, base_url=_base_url(),
                                                actor=current_user())
        except MailError as exc:
            s.rollback()
            report = invitations.check_list(s, survey, text, secret=current_app.config["SECRET_KEY"])
            return _invitation_page(c, survey, form, report=report, error=str(exc), status=422)
        flash(f"{sent.queued} uitnodigingen worden verstuurd." if sent.queued else
              "Er is niemand uitgenodigd: alle adressen in de lijst waren al uitgenodigd of klopten niet.",
              "success")
        return redirect(url_for(".invitations_page", slug=slug, survey_id=survey.id))
    report = invitations.check_list(s, survey, text, secret=current_app.config["SECRET_KEY"])
    return _invitation_page(c, survey, form, report=report, error=report.error or None,
                            status=422 if report.error else 200)


@bp.post("/beheer/c/<slug>/vragenlijsten/<int:survey_id>/uitnodigingen/herinnering")
@login_required(*EDITORS)
def reminders(slug: str, survey_id: int):
    c = consultation_for_staff(slug)
    survey = _survey(c, survey_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        n, recently = invitations.send_reminders(current_app, db(), survey, base_url=_base_url(),
                                                 actor=current_user())
    except MailError as exc:
        flash(str(exc), "error")
    else:
        msg = f"{n} herinneringen worden verstuurd aan wie nog niet heeft meegedaan."
        if recently:
            msg += (f" {recently} mensen kregen de afgelopen {invitations.REMINDER_GAP_HOURS} uur al een "
                    "herinnering; zij krijgen nu geen nieuwe.")
        flash(msg, "success")
    return redirect(url_for(".invitations_page", slug=slug, survey_id=survey.id))


# -- unsubscribe (public, no login) ----------------------------------------------------------------

@bp.route("/afmelden/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058 one-click: mail programs POST here; the signed token is the proof
def unsubscribe(token: str):
    s = db()
    try:
        result = mail.unsubscribe(s, current_app.config["SECRET_KEY"], token)
    except MailError as exc:
        return render_template("mail/unsubscribed.html", error=str(exc), result=None), 404
    s.commit()
    return render_template("mail/unsubscribed.html", error=None, result=result)
