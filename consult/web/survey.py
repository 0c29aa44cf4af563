"""Answering a survey: start (open or with an invitation code), pages, review, receipt.

Everything works without JavaScript. The resume link (``/r/<resume_token>/...``) is the
participant's key to their own response; it is shown on every page and on the
"opgeslagen" page so people can continue later. The "opgeslagen" page also gives a short
resume code (only its hash is stored), typed on the start page under "Verder met een
code" by people who cannot copy a long link.

E-mail (only when it is configured, :func:`consult.mail.configured`): the "opgeslagen"
page offers to mail the resume link and code, and the review page to mail the receipt
code, each with its own consent checkbox, separate from the privacy consent question
(:class:`ContactForm`). The invitation link of :mod:`consult.invitations` fills in the
personal code on the start page (``?code=``).
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import BooleanField, EmailField, HiddenField, StringField
from wtforms.validators import DataRequired, Length

from consult import mail
from consult.models import Consultation, Response, ResponseStatus, Survey, SurveyAccess, SurveyStatus
from consult.context import db
from consult.security import public_consultation
from surveys import responses as R
from surveys.forms import (
    build_page_form, display_answer, read_page, section_pages, survey_choices, visible_answers,
)

bp = Blueprint("survey", __name__)

HONEYPOT = "website"


@bp.after_request
def _no_store(response):
    """Answers must not stay in the cache of a shared computer (library, community centre)."""
    response.headers["Cache-Control"] = "no-store"
    return response


def _load_survey(slug: str, survey_slug: str) -> tuple[Consultation, Survey]:
    """The consultation and its published survey (404 for unknown slugs and drafts)."""
    c = public_consultation(slug)
    # every page needs the questions: one query instead of one per question
    survey = db().scalar(select(Survey).options(selectinload(Survey.questions))
                         .where(Survey.consultation_id == c.id, Survey.slug == survey_slug))
    if survey is None or survey.status == SurveyStatus.DRAFT:
        abort(404)
    return c, survey


def _load_response(slug: str, survey_slug: str, token: str) -> tuple[Consultation, Survey, Response]:
    c, survey = _load_survey(slug, survey_slug)
    response = db().scalar(select(Response).options(selectinload(Response.answers))
                           .where(Response.resume_token == token, Response.survey_id == survey.id))
    if response is None:
        abort(404)
    if response.status == ResponseStatus.IN_PROGRESS and response.entered_by_id is None \
            and not survey.is_open():
        abort(404)  # the survey closed before this response was finished
    return c, survey, response


def _honeypot_tripped() -> bool:
    return bool(request.form.get(HONEYPOT, "").strip())


class ResumeCodeForm(FlaskForm):
    """On the start page next to the start form: its fields get their own ids."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "verder")
        super().__init__(*args, **kwargs)

    resume_code = StringField("Uw code om verder te gaan", validators=[
        DataRequired("Vul de code in die u kreeg toen u uw antwoorden bewaarde."),
        Length(max=40, message="Deze code is te lang.")],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"})


UNKNOWN_RESUME_CODE = ("Wij kennen deze code niet bij deze vragenlijst. Controleer de code. Gebruikte u "
                       "de code al om uw antwoorden te versturen? Dan kunt u niet meer verder.")


class StartForm(FlaskForm):
    start_token = HiddenField()
    code = StringField("Uw persoonlijke code", validators=[Length(max=40)],
                       render_kw={"autocomplete": "off", "autocapitalize": "characters",
                                  "spellcheck": "false"})


@bp.route("/c/<slug>/v/<survey_slug>", methods=["GET", "POST"])
def start(slug: str, survey_slug: str):
    c, survey = _load_survey(slug, survey_slug)
    form = StartForm()
    errors: dict[str, str] = {}
    if request.method == "POST":
        if _honeypot_tripped():
            abort(400)
        if not survey.is_open():
            abort(404)
        if form.validate_on_submit() and form.start_token.data and len(form.start_token.data) <= 64:
            s = db()
            invitation = None
            if survey.access == SurveyAccess.INVITATION:
                try:
                    invitation = R.find_invitation(s, survey, form.code.data or "")
                except R.InvitationError as exc:
                    errors["code"] = str(exc)
            if not errors:
                response = R.start_response(s, survey, form.start_token.data, invitation=invitation)
                s.commit()
                if response.status == ResponseStatus.SUBMITTED:
                    return redirect(url_for(".done", slug=slug, survey_slug=survey_slug,
                                            token=response.resume_token))
                return redirect(url_for(".page", slug=slug, survey_slug=survey_slug,
                                        token=response.resume_token, number=1))
        elif not errors:
            errors["start_token"] = "Het formulier is niet compleet verstuurd. Probeer het opnieuw."
    elif survey.access == SurveyAccess.INVITATION:  # the link in the invitation: ?code=...
        form.code.data = request.args.get("code", "")[:40]
    form.start_token.data = R.new_token()
    return _render_start(c, survey, form, errors, ResumeCodeForm(formdata=None), {})


def _render_start(c, survey, form, errors, resume_form, resume_errors):
    status = 422 if errors or resume_errors else 200
    return render_template("survey/start.html", c=c, survey=survey, form=form, errors=errors,
                           resume_form=resume_form, resume_errors=resume_errors,
                           open=survey.is_open(), sections=survey.section_titles,
                           honeypot=HONEYPOT), status


@bp.post("/c/<slug>/v/<survey_slug>/verder")
def resume_with_code(slug: str, survey_slug: str):
    """The short resume code typed on the start page: on to the response it resumes."""
    c, survey = _load_survey(slug, survey_slug)
    if _honeypot_tripped():
        abort(400)
    if not survey.is_open():
        abort(404)
    form = ResumeCodeForm()
    response = None
    if form.validate_on_submit():
        response = R.find_by_resume_code(db(), survey, form.resume_code.data)
        error = UNKNOWN_RESUME_CODE
    else:
        error = (form.resume_code.errors[0] if form.resume_code.errors
                 else "Het formulier is niet compleet verstuurd. Probeer het opnieuw.")
    if response is None:
        start_form = StartForm(formdata=None)
        start_form.start_token.data = R.new_token()
        return _render_start(c, survey, start_form, {}, form, {form.resume_code.id: error})
    return redirect(url_for(".resume", slug=slug, survey_slug=survey_slug, token=response.resume_token), 303)


@bp.route("/c/<slug>/v/<survey_slug>/r/<token>/deel/<int:number>", methods=["GET", "POST"])
def page(slug: str, survey_slug: str, token: str, number: int):
    c, survey, response = _load_response(slug, survey_slug, token)
    if response.status == ResponseStatus.SUBMITTED:
        return redirect(url_for(".done", slug=slug, survey_slug=survey_slug, token=token))
    s = db()
    visible, values, texts = visible_answers(survey, response)
    pages = section_pages(visible)
    if not 1 <= number <= len(pages):
        return redirect(url_for(".page", slug=slug, survey_slug=survey_slug, token=token, number=1))
    section = pages[number - 1]
    questions = [q for q in visible if q.section == section]
    hoods, groups = survey_choices(survey)
    notice = None
    if request.method == "POST":
        if _honeypot_tripped():
            abort(400)
        action = request.form.get("action", "next")
        form, specs = build_page_form(questions, neighbourhoods=hoods, groups=groups, answers=values,
                                      texts=texts, formdata=request.form)
        parsed, errors = read_page(form, specs, check_required=(action == "next"))
        if "csrf_token" in form.errors:
            abort(400)
        if not errors:
            R.save_answers(s, response, questions, parsed)
            s.flush()
            s.expire(response, ["answers"])
            new_visible, _, _ = visible_answers(survey, response)
            R.drop_hidden(response, new_visible)
            s.commit()
            added = [q for q in new_visible if q.section == section and q not in questions]
            if action == "save":
                _give_resume_code(response)
                return redirect(url_for(".saved", slug=slug, survey_slug=survey_slug, token=token))
            if action == "back":
                return redirect(url_for(".page", slug=slug, survey_slug=survey_slug, token=token,
                                        number=max(1, number - 1)))
            if added:  # a condition on this page now shows another question: ask it here
                flash("Door uw antwoord is er een vraag bijgekomen. Vul die ook in.", "info")
                return redirect(url_for(".page", slug=slug, survey_slug=survey_slug, token=token,
                                        number=number, _anchor=f"vraag-{added[0].key}"))
            new_pages = section_pages(new_visible)
            index = new_pages.index(section) + 1 if section in new_pages else number
            if index >= len(new_pages):
                return redirect(url_for(".review", slug=slug, survey_slug=survey_slug, token=token))
            return redirect(url_for(".page", slug=slug, survey_slug=survey_slug, token=token,
                                    number=index + 1))
        status = 422
    else:
        form, specs = build_page_form(questions, neighbourhoods=hoods, groups=groups, answers=values,
                                      texts=texts)
        errors, status = {}, 200
    return render_template(
        "survey/page.html", c=c, survey=survey, response=response, form=form, specs=specs,
        errors=errors, number=number, total=len(pages), section_title=survey.section_titles[section],
        notice=notice, honeypot=HONEYPOT, resume_url=_resume_url(slug, survey_slug, token)), status


def _resume_url(slug: str, survey_slug: str, token: str) -> str:
    return url_for(".resume", slug=slug, survey_slug=survey_slug, token=token, _external=True)


@bp.get("/c/<slug>/v/<survey_slug>/r/<token>")
def resume(slug: str, survey_slug: str, token: str):
    """The save-and-continue link: back to the first page without all required answers."""
    c, survey, response = _load_response(slug, survey_slug, token)
    if response.status == ResponseStatus.SUBMITTED:
        return redirect(url_for(".done", slug=slug, survey_slug=survey_slug, token=token))
    visible, values, texts = visible_answers(survey, response)
    pages = section_pages(visible)
    missing = R.missing_required(visible, values, texts)
    if not missing and values | texts:
        return redirect(url_for(".review", slug=slug, survey_slug=survey_slug, token=token))
    number = pages.index(missing[0].section) + 1 if missing else 1
    return redirect(url_for(".page", slug=slug, survey_slug=survey_slug, token=token, number=number))


def _give_resume_code(response: Response) -> str:
    """A new short resume code for ``response``, shown once on the "opgeslagen" page
    (carried there in the signed session; the database keeps only its hash)."""
    code = R.new_resume_code(response)
    db().commit()
    session["resume_code"] = {"response": response.id, "code": code}
    return code


class NewCodeForm(FlaskForm):
    pass


class _ContactFields(FlaskForm):
    """An e-mail address with its own consent checkbox (never the privacy consent)."""

    email = EmailField("Uw e-mailadres", validators=[Length(max=254, message="Dit e-mailadres is te lang.")],
                       render_kw={"autocomplete": "email", "spellcheck": "false"})
    consent = BooleanField("Ja, u mag mij over deze raadpleging e-mailen")


class ContactForm(_ContactFields):
    """On the "opgeslagen" page next to the new-code form: its fields get their own ids."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "contact")
        super().__init__(*args, **kwargs)


CONSENT_MISSING = ("Zet een vinkje als wij u mogen e-mailen. Wilt u geen e-mail? "
                   "Maak het veld voor uw e-mailadres dan leeg.")
ADDRESS_MISSING = "Vul uw e-mailadres in. Wilt u geen e-mail? Haal het vinkje dan weg."


def _contact_address(form: _ContactFields, errors: dict[str, str], *, required: bool) -> str | None:
    """The address a participant gave with consent (None: no e-mail wanted); problems go
    into ``errors`` under the field ids, in Dutch."""
    email = (form.email.data or "").strip()
    if form.email.errors:
        errors[form.email.id] = form.email.errors[0]
    elif not email and (form.consent.data or required):
        errors[form.email.id] = ADDRESS_MISSING if form.consent.data else "Vul uw e-mailadres in."
    elif email:
        try:
            email = mail.normalise_address(email)
        except mail.MailError as exc:
            errors[form.email.id] = str(exc)
    if email and not form.consent.data:
        errors[form.consent.id] = CONSENT_MISSING
    return email if email and not errors else None


def _kept_resume_code(response: Response) -> str | None:
    kept = session.get("resume_code_mail")
    return kept["code"] if isinstance(kept, dict) and kept.get("response") == response.id else None


@bp.route("/c/<slug>/v/<survey_slug>/r/<token>/opgeslagen", methods=["GET", "POST"])
def saved(slug: str, survey_slug: str, token: str):
    c, survey, response = _load_response(slug, survey_slug, token)
    if response.status == ResponseStatus.SUBMITTED:
        return redirect(url_for(".done", slug=slug, survey_slug=survey_slug, token=token))
    form = NewCodeForm()
    if request.method == "POST":  # "Geef mij een nieuwe code": the code was lost
        if _honeypot_tripped() or not form.validate_on_submit():
            abort(400)
        _give_resume_code(response)
        return redirect(url_for(".saved", slug=slug, survey_slug=survey_slug, token=token), 303)
    shown = session.pop("resume_code", None)
    code = shown["code"] if isinstance(shown, dict) and shown.get("response") == response.id else None
    if code:  # kept for "e-mail me the link" on this page (the database has only the hash)
        session["resume_code_mail"] = shown
    return _render_saved(c, survey, response, form, code, ContactForm(formdata=None), {})


def _render_saved(c, survey, response, form, code, contact_form, errors):
    slug, survey_slug, token = c.slug, survey.slug, response.resume_token
    return render_template("survey/saved.html", c=c, survey=survey, resume_code=code, form=form,
                           has_code=response.resume_code_hash is not None, honeypot=HONEYPOT,
                           contact_form=contact_form, errors=errors, mail_on=mail.configured(current_app),
                           token=token,
                           start_url=url_for(".start", slug=slug, survey_slug=survey_slug, _external=True),
                           resume_url=_resume_url(slug, survey_slug, token)), 422 if errors else 200


@bp.post("/c/<slug>/v/<survey_slug>/r/<token>/opgeslagen/e-mail")
def mail_resume_link(slug: str, survey_slug: str, token: str):
    """"Stuur mij de link": the resume link and code by e-mail, with consent. Nothing
    saved is lost on an error; without mail settings the form is not shown (404 here)."""
    c, survey, response = _load_response(slug, survey_slug, token)
    if response.status == ResponseStatus.SUBMITTED:
        return redirect(url_for(".done", slug=slug, survey_slug=survey_slug, token=token), 303)
    if not mail.configured(current_app):
        abort(404)
    if _honeypot_tripped():
        abort(400)
    form = ContactForm()
    if not form.validate_on_submit() and "csrf_token" in form.errors:
        abort(400)
    errors: dict[str, str] = {}
    email = _contact_address(form, errors, required=True)
    if email is None:
        return _render_saved(c, survey, response, NewCodeForm(formdata=None), None, form, errors)
    code = _kept_resume_code(response)
    new_code = code is None
    if new_code:  # the code on screen is gone (only its hash is kept): a new one, shown and mailed
        code = _give_resume_code(response)
    s = db()
    try:
        message = mail.send_resume_link(current_app, s, response, base_url=request.url_root, email=email, code=code)
    except mail.MailError as exc:
        s.rollback()
        return _render_saved(c, survey, response, NewCodeForm(formdata=None), None, form, {form.email.id: str(exc)})
    except Exception:  # noqa: BLE001 - e.g. the job queue is down: the answers are saved already
        s.rollback()
        current_app.logger.exception("mailing the resume link of response %s failed", response.id)
        return _render_saved(c, survey, response, NewCodeForm(formdata=None), None, form, {
            form.email.id: "Het versturen lukt nu niet. Uw antwoorden zijn wel bewaard. Probeer het later "
                           "nog eens, of bewaar de link op deze pagina."})
    if message is None:  # the same link went out minutes ago
        s.commit()  # the address and consent stay
        flash(f"Wij hebben de link al naar {email} gestuurd. Kijk ook bij uw ongewenste e-mail.", "info")
    else:
        flash(f"Wij sturen de link{' en uw nieuwe code' if new_code else ' en de code'} naar {email}.", "success")
    session.pop("resume_code_mail", None)
    return redirect(url_for(".saved", slug=slug, survey_slug=survey_slug, token=token, _anchor="per-e-mail"), 303)


class SubmitForm(_ContactFields):
    """Send the answers; when e-mail is configured, optionally an address for the receipt."""


@bp.route("/c/<slug>/v/<survey_slug>/r/<token>/controleren", methods=["GET", "POST"])
def review(slug: str, survey_slug: str, token: str):
    c, survey, response = _load_response(slug, survey_slug, token)
    if response.status == ResponseStatus.SUBMITTED:
        return redirect(url_for(".done", slug=slug, survey_slug=survey_slug, token=token))
    visible, values, texts = visible_answers(survey, response)
    pages = section_pages(visible)
    missing = R.missing_required(visible, values, texts)
    form = SubmitForm()
    mail_on = mail.configured(current_app)
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        if _honeypot_tripped():
            abort(400)
        valid = form.validate_on_submit()
        email = _contact_address(form, errors, required=False) if mail_on else None
        if valid and not missing and not errors:
            s = db()
            R.drop_hidden(response, visible)
            s.flush()
            try:
                R.submit_response(s, response)
            except R.InvitationError as exc:
                s.rollback()
                flash(str(exc), "error")
                return redirect(url_for(".start", slug=slug, survey_slug=survey_slug), 303)
            s.commit()
            _segment_after_submission(s, response)
            _mail_receipt(s, response, email)
            return redirect(url_for(".done", slug=slug, survey_slug=survey_slug, token=token), 303)
        status = 422 if errors else 200
    hoods, groups = survey_choices(survey)
    titles = survey.section_titles
    sections = []
    for number, section in enumerate(pages, start=1):
        items = [(q, display_answer(q, values.get(q.key), texts.get(q.key), hoods, groups))
                 for q in visible if q.section == section]
        sections.append((number, titles[section], items))
    return render_template("survey/review.html", c=c, survey=survey, sections=sections, form=form,
                           missing=missing, pages=pages, token=token, honeypot=HONEYPOT, errors=errors,
                           mail_on=mail_on, known_address=mail.contact_address(response) if mail_on else None,
                           resume_url=_resume_url(slug, survey_slug, token)), status


def _mail_receipt(s, response, email: str | None) -> None:
    """The receipt code by e-mail, to the address given now or earlier (with consent). The
    submission is committed already: a failure here is logged, the receipt page follows."""
    try:
        if mail.send_receipt(current_app, s, response, base_url=request.url_root, email=email) is not None:
            flash("Wij sturen uw ontvangstcode ook per e-mail.", "success")
        elif email:
            s.commit()  # the consent is stored (for the notice when the outcome is online)
    except Exception:  # noqa: BLE001 - never fail a participant's submission over e-mail
        s.rollback()
        current_app.logger.exception("mailing the receipt of response %s failed", response.id)


def _segment_after_submission(s, response) -> None:
    """Queue the segmenting, masking and coding of the new open answers (consult.jobs:
    never in this request). The submission is already committed, so a failure here loses
    nothing: 'consult code segment' or the next coding run picks the answers up later."""
    from consult import jobs

    try:
        if any(a.text and a.text.strip() for a in response.answers):
            jobs.enqueue_for_app(current_app, "segment_response", consultation=response.survey.consultation,
                                 params={"response": response.id})
    except Exception:  # noqa: BLE001 - never fail a participant's submission over analysis
        s.rollback()
        current_app.logger.exception("queueing the segmenting of response %s failed", response.id)


@bp.get("/c/<slug>/v/<survey_slug>/r/<token>/klaar")
def done(slug: str, survey_slug: str, token: str):
    c, survey, response = _load_response(slug, survey_slug, token)
    if response.status != ResponseStatus.SUBMITTED:
        return redirect(url_for(".review", slug=slug, survey_slug=survey_slug, token=token))
    return render_template("survey/done.html", c=c, survey=survey, response=response)
