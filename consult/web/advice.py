"""The advice register (staff): advice from advisory bodies split into points, the
municipality's reaction letter split into paragraphs, proposed and confirmed links between
them, and the response per point with its follow-up. Every change goes to the audit log.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import select
from wtforms import DateField, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from analysis.extract import ExtractionError, extract_text
from consult import advice as register
from consult.context import db, get_in_consultation
from consult.models import (
    ADVICE_FIELD_LABELS, FOLLOW_UP_LABELS, STANCE_LABELS, AdviceDocument, AdviceLink, AdvicePoint, FollowUpStatus,
    Role, Stance,
)
from consult.security import consultation_for_staff, current_user, login_required

bp = Blueprint("advice", __name__, url_prefix="/beheer/c/<slug>/advies")

EDITORS = (Role.ADMINISTRATOR, Role.POLICY_WRITER)


class AdviceForm(FlaskForm):
    advisory_body = StringField("Adviesorgaan", validators=[DataRequired("Vul het adviesorgaan in."), Length(max=200)])
    subject = StringField("Onderwerp", validators=[DataRequired("Vul het onderwerp in."), Length(max=300)])
    received_on = DateField("Datum van het advies", validators=[Optional()])
    requested = RadioField("Soort advies", choices=[SelectChoice("ja", "Gevraagd advies"), SelectChoice("nee", "Ongevraagd advies")],
                           default="ja", validators=[DataRequired("Kies gevraagd of ongevraagd.")])
    letter_text = TextAreaField("Tekst van de adviesbrief", validators=[Optional()])
    file = FileField("Of upload de brief (.txt, .md, .docx of .pdf)")


class ReactionForm(FlaskForm):
    sender = StringField("Afzender", default="college van B&W", validators=[DataRequired("Vul de afzender in."),
                                                                           Length(max=200)])
    sent_on = DateField("Datum van de reactie", validators=[Optional()])
    letter_text = TextAreaField("Tekst van de reactiebrief", validators=[Optional()])
    file = FileField("Of upload de reactiebrief (.txt, .md, .docx of .pdf)")


class PointForm(FlaskForm):
    label = StringField("Nummer", validators=[Length(max=40)])
    text = TextAreaField("Tekst van het adviespunt", validators=[DataRequired("Vul de tekst van het punt in.")])


class ResponseForm(FlaskForm):
    stance = SelectField("Standpunt", choices=[SelectChoice("", "nog niet bepaald")]
                        + [SelectChoice(s.value, STANCE_LABELS[s]) for s in Stance])
    rationale = TextAreaField("Toelichting (wat de gemeente antwoordt en waarom)")
    promised_action = TextAreaField("Toegezegde actie")
    owner = StringField("Eigenaar (team of persoon)", validators=[Length(max=200)])
    due_on = DateField("Uiterlijk klaar op", validators=[Optional()])
    status = SelectField("Stand van zaken", choices=[SelectChoice(s.value, FOLLOW_UP_LABELS[s]) for s in FollowUpStatus])
    decision_reference = StringField("Besluit (bijvoorbeeld nota- of besluitnummer)", validators=[Length(max=200)])


def _errors(form) -> dict[str, str]:
    return {name: errs[0] for name, errs in form.errors.items() if errs}


def _letter_text(form, errors: dict[str, str]) -> str:
    """The pasted text, or the text of the uploaded file; an error when neither."""
    upload = form.file.data
    if upload is not None and getattr(upload, "filename", ""):
        try:
            return extract_text(upload.read(), upload.filename).text
        except ExtractionError as exc:
            errors["file"] = str(exc)
            return ""
    text = (form.letter_text.data or "").strip()
    if not text:
        errors["letter_text"] = "Plak de tekst van de brief of upload een bestand."
    return text


def _response_values(form: ResponseForm) -> dict:
    """The posted response as the values ``register.update_response`` stores."""
    return {"stance": Stance(form.stance.data) if form.stance.data else None,
            "rationale": form.rationale.data or "",
            "promised_action": form.promised_action.data or "",
            "owner": (form.owner.data or "").strip(), "due_on": form.due_on.data,
            "status": FollowUpStatus(form.status.data),
            "decision_reference": (form.decision_reference.data or "").strip()}


def _advice(c, advice_id: int) -> AdviceDocument:
    return get_in_consultation(AdviceDocument, advice_id, c)


def _point(advice, point_id: int) -> AdvicePoint:
    point = db().get(AdvicePoint, point_id)
    if point is None or point.advice_id != advice.id:
        abort(404)
    return point


def _link(advice, link_id: int) -> AdviceLink:
    link = db().get(AdviceLink, link_id)
    if link is None or link.point.advice_id != advice.id:
        abort(404)
    return link


@bp.get("/")
@login_required(*EDITORS)
def index(slug: str):
    c = consultation_for_staff(slug)
    advices = db().scalars(select(AdviceDocument).where(AdviceDocument.consultation_id == c.id)
                           .order_by(AdviceDocument.received_on, AdviceDocument.id)).all()
    return render_template("advice/index.html", c=c, advices=advices)


@bp.route("/nieuw", methods=["GET", "POST"])
@login_required(*EDITORS)
def new(slug: str):
    c = consultation_for_staff(slug)
    form = AdviceForm()
    errors: dict[str, str] = {}
    if request.method == "POST":
        valid = form.validate_on_submit()
        errors = _errors(form)
        text = _letter_text(form, errors)
        if valid and not errors:
            s = db()
            advice = register.register_advice(
                s, c, advisory_body=form.advisory_body.data.strip(), subject=form.subject.data.strip(),
                received_on=form.received_on.data, requested=form.requested.data == "ja", letter_text=text,
                actor=current_user())
            s.commit()
            flash(f"Het advies is geregistreerd en in {len(advice.points)} punten verdeeld. Controleer de punten.",
                  "success")
            return redirect(url_for(".detail", slug=slug, advice_id=advice.id))
    return render_template("advice/new.html", c=c, form=form, errors=errors), (422 if errors else 200)


def _detail_context(c, advice):
    letter = advice.reactions[0] if advice.reactions else None
    unanswered = [p for p in advice.points if not p.links]
    # the label dicts are keyed by StrEnum members, so plain values look up too
    return dict(c=c, advice=advice, letter=letter, proposals=register.latest_proposals(advice),
                unanswered=unanswered, general=register.general_paragraphs(db(), advice),
                stance_labels=STANCE_LABELS, follow_up_labels=FOLLOW_UP_LABELS)


@bp.get("/<int:advice_id>")
@login_required(*EDITORS)
def detail(slug: str, advice_id: int):
    c = consultation_for_staff(slug)
    advice = _advice(c, advice_id)
    return render_template("advice/detail.html", form=ReactionForm(), errors={}, point_form=PointForm(),
                           **_detail_context(c, advice))


@bp.post("/<int:advice_id>/reactie")
@login_required(*EDITORS)
def reaction(slug: str, advice_id: int):
    c = consultation_for_staff(slug)
    advice = _advice(c, advice_id)
    form = ReactionForm()
    valid = form.validate_on_submit()
    errors = _errors(form)
    text = _letter_text(form, errors)
    if not valid or errors:
        return render_template("advice/detail.html", form=form, errors=errors, point_form=PointForm(),
                               **_detail_context(c, advice)), 422
    s = db()
    register.register_reaction(s, advice, sender=form.sender.data.strip(), sent_on=form.sent_on.data,
                               letter_text=text, actor=current_user(), propose=True)
    s.commit()
    flash("De reactiebrief is verdeeld in alinea's en er zijn koppelingen voorgesteld. Bevestig of verwijder ze.",
          "success")
    return redirect(url_for(".detail", slug=slug, advice_id=advice.id) + "#koppelingen")


@bp.post("/<int:advice_id>/voorstellen")
@login_required(*EDITORS)
def propose(slug: str, advice_id: int):
    c = consultation_for_staff(slug)
    advice = _advice(c, advice_id)
    FlaskForm().validate_on_submit() or abort(400)
    s = db()
    proposals = register.propose_links(s, advice, actor=current_user())
    s.commit()
    flash(f"{len(proposals)} koppelingen voorgesteld.", "success")
    return redirect(url_for(".detail", slug=slug, advice_id=advice.id) + "#koppelingen")


@bp.post("/<int:advice_id>/koppelingen/<int:link_id>")
@login_required(*EDITORS)
def decide(slug: str, advice_id: int, link_id: int):
    c = consultation_for_staff(slug)
    advice = _advice(c, advice_id)
    FlaskForm().validate_on_submit() or abort(400)
    link = _link(advice, link_id)
    confirm = request.form.get("action") == "confirm"
    s = db()
    register.decide_link(s, link, confirm=confirm, actor=current_user())
    s.commit()
    flash("Koppeling bevestigd." if confirm else "Koppeling verwijderd.", "success")
    return redirect(request.form.get("next") if (request.form.get("next") or "").startswith("/beheer/")
                    else url_for(".detail", slug=slug, advice_id=advice.id) + "#koppelingen")


@bp.post("/<int:advice_id>/punten")
@login_required(*EDITORS)
def add_point(slug: str, advice_id: int):
    c = consultation_for_staff(slug)
    advice = _advice(c, advice_id)
    form = PointForm()
    if not form.validate_on_submit():
        return render_template("advice/detail.html", form=ReactionForm(), errors={}, point_form=form,
                               point_errors=_errors(form), **_detail_context(c, advice)), 422
    s = db()
    point = register.add_point(s, advice, label=form.label.data.strip(), text=form.text.data.strip(),
                               actor=current_user())
    s.commit()
    flash(f"Adviespunt {point.label} toegevoegd.", "success")
    return redirect(url_for(".detail", slug=slug, advice_id=advice.id))


@bp.route("/<int:advice_id>/punten/<int:point_id>", methods=["GET", "POST"])
@login_required(*EDITORS)
def point(slug: str, advice_id: int, point_id: int):
    c = consultation_for_staff(slug)
    advice = _advice(c, advice_id)
    p = _point(advice, point_id)
    s = db()
    action = request.form.get("action", "")
    r = p.response
    # stored values as defaults; posted values (same prefix) win. The CSRF token is checked
    # for every POST by the app's CSRFProtect (one token field per form, no duplicate ids).
    no_csrf = {"csrf": False}
    point_form = PointForm(prefix="punt", meta=no_csrf, data={"label": p.label, "text": p.text})
    response_form = ResponseForm(prefix="reactie", meta=no_csrf, data={
        "stance": r.stance.value if r and r.stance else "", "rationale": r.rationale if r else "",
        "promised_action": r.promised_action if r else "", "owner": r.owner if r else "",
        "due_on": r.due_on if r else None, "status": r.status.value if r else FollowUpStatus.OPEN.value,
        "decision_reference": r.decision_reference if r else ""})
    errors: dict[str, str] = {}
    if request.method == "POST":
        if action == "text" and point_form.validate():
            register.update_point(s, p, label=point_form.label.data.strip(), text=point_form.text.data.strip(),
                                  actor=current_user())
            s.commit()
            flash("Het adviespunt is opgeslagen.", "success")
            return redirect(url_for(".point", slug=slug, advice_id=advice.id, point_id=p.id))
        if action == "response" and response_form.validate():
            changes = register.update_response(s, p, _response_values(response_form), actor=current_user())
            s.commit()
            flash("De reactie is opgeslagen." if changes else "Er was niets veranderd.", "success")
            return redirect(url_for(".point", slug=slug, advice_id=advice.id, point_id=p.id))
        if action == "link":
            paragraph = register.paragraph_of(s, advice, request.form.get("paragraph_id", type=int))
            if paragraph is None:
                errors["paragraph_id"] = "Kies een alinea uit de reactiebrief."
            else:
                register.add_link(s, p, paragraph, actor=current_user())
                s.commit()
                flash(f"Alinea {paragraph.label} gekoppeld.", "success")
                return redirect(url_for(".point", slug=slug, advice_id=advice.id, point_id=p.id))
        form = point_form if action == "text" else response_form
        errors.update({(form._prefix + k): v for k, v in _errors(form).items()})
        if not errors:
            abort(400)
    letter = advice.reactions[0] if advice.reactions else None
    return render_template("advice/point.html", c=c, advice=advice, point=p, letter=letter,
                           point_form=point_form, response_form=response_form, errors=errors,
                           history=register.point_history(s, p), proposals=register.latest_proposals(advice),
                           general=register.general_paragraphs(s, advice) if not p.links else [],
                           stance_labels=STANCE_LABELS, follow_up_labels=FOLLOW_UP_LABELS,
                           field_labels=ADVICE_FIELD_LABELS), (422 if errors else 200)
