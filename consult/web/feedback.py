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
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from consult.context import db
from consult.security import public_consultation
from consult.feedback import outcome, participant_feedback
from surveys.codes import normalise_code

bp = Blueprint("feedback", __name__)

UNKNOWN_CODE = ("Wij kunnen deze code niet vinden bij deze inspraak. Controleer de code en probeer het "
                "opnieuw. De code staat op het scherm dat u zag na het versturen van de vragenlijst.")


class ReceiptForm(FlaskForm):
    code = StringField("Uw ontvangstcode", validators=[
        DataRequired("Vul uw ontvangstcode in."), Length(max=40, message="Deze code is te lang.")],
        render_kw={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"})


@bp.route("/c/<slug>/terugkoppeling", methods=["GET", "POST"])
def page(slug: str):
    c = public_consultation(slug)
    form = ReceiptForm()
    feedback = None
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":  # rate-limited with the other public posts (consult.security)
        if form.validate_on_submit():
            code = normalise_code(form.code.data)
            feedback = participant_feedback(db(), c, code) if code else None
            if feedback is None:
                errors["code"] = UNKNOWN_CODE
                status = 422
        else:
            errors["code"] = form.code.errors[0] if form.code.errors else "Vul uw ontvangstcode in."
            status = 422
    shown = outcome(db(), c)
    response = make_response(render_template(
        "feedback/page.html", c=c, form=form, feedback=feedback, errors=errors, findings=shown.findings,
        scenarios=shown.scenarios, decisions=shown.decisions, advice=shown.advice), status)
    if request.method == "POST":
        response.headers["Cache-Control"] = "no-store"  # the result belongs to one participant
    return response
