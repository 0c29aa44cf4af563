"""Public feedback page: "Wat is er met uw inbreng gedaan?" per consultation.

Everyone sees the findings, decisions and the responses to advice. With a receipt code a
participant also sees under which themes their input was coded and in which findings it
shows up. No answer text and no personal data are shown, so a guessed code reveals
nothing personal; codes are posted (not put in the URL), rate-limited, and every unknown,
unfinished or foreign code gets the same message.
"""
from __future__ import annotations

from flask import Blueprint, make_response, render_template, request
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, StringField
from wtforms.validators import DataRequired, Length

from consult.context import db
from consult.security import public_consultation
from consult.feedback import erase_response, outcome, participant_feedback
from consult.findings import lines, response_label
from surveys.codes import normalise_code

bp = Blueprint("feedback", __name__)

UNKNOWN_CODE = ("Wij kunnen deze code niet vinden bij deze inspraak. Controleer de code en probeer het "
                "opnieuw. De code staat op het scherm dat u zag na het versturen van de vragenlijst.")


class ReceiptForm(FlaskForm):
    code = StringField("Uw ontvangstcode", validators=[
        DataRequired("Vul uw ontvangstcode in."), Length(max=40, message="Deze code is te lang.")],
        render_kw={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"})


ERASE_PREFIX = "wis"  # its fields must not share ids with the receipt form's on the same page


class EraseForm(FlaskForm):
    code = HiddenField()
    confirm = BooleanField("Ja, verwijder mijn antwoorden. Dit kan ik niet ongedaan maken.",
                           validators=[DataRequired("Zet een vinkje als u uw antwoorden echt wilt laten verwijderen.")])


def _render(c, *, status: int = 200, form=None, erase_form=None, feedback=None, errors=None,
            erased=None, code: str = ""):
    shown = outcome(db(), c)
    if erase_form is None and feedback is not None:
        erase_form = EraseForm(formdata=None, code=code, prefix=ERASE_PREFIX)
    response = make_response(render_template(
        "feedback/page.html", c=c, form=form or ReceiptForm(formdata=None), erase_form=erase_form,
        feedback=feedback, errors=errors or {}, erased=erased, findings=shown.findings,
        scenarios=shown.scenarios, decisions=shown.decisions, advice=shown.advice, lines=lines,
        response_label=response_label), status)
    if request.method == "POST":
        response.headers["Cache-Control"] = "no-store"  # the result belongs to one participant
    return response


@bp.route("/c/<slug>/terugkoppeling", methods=["GET", "POST"])
def page(slug: str):
    c = public_consultation(slug)
    form = ReceiptForm()
    if request.method == "GET":  # rate-limited with the other public posts (consult.security)
        return _render(c, form=form)
    if not form.validate_on_submit():
        error = form.code.errors[0] if form.code.errors else "Vul uw ontvangstcode in."
        return _render(c, status=422, form=form, errors={"code": error})
    code = normalise_code(form.code.data)
    feedback = participant_feedback(db(), c, code) if code else None
    if feedback is None:
        return _render(c, status=422, form=form, errors={"code": UNKNOWN_CODE})
    return _render(c, form=form, feedback=feedback, code=code)


@bp.post("/c/<slug>/terugkoppeling/verwijderen")
def erase(slug: str):
    """Remove a participant's input, confirmed with a tick (the AVG's right to erasure)."""
    c = public_consultation(slug)
    form = EraseForm(prefix=ERASE_PREFIX)
    code = normalise_code(form.code.data or "")
    feedback = participant_feedback(db(), c, code) if code else None
    if feedback is None:
        return _render(c, status=422, errors={"code": UNKNOWN_CODE})
    if not form.validate_on_submit():
        return _render(c, status=422, feedback=feedback, erase_form=form, code=code,
                       errors={"confirm": form.confirm.errors[0] if form.confirm.errors
                               else "Het formulier is niet goed verstuurd. Probeer het opnieuw."})
    s = db()
    erased = erase_response(s, c, code)
    s.commit()
    return _render(c, erased=erased)
