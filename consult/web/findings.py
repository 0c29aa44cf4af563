"""Policy writers: findings ("wat is opgehaald"), principles, scenarios and decisions.

Each item has a title, a statement, codes, advice points and evidence: accepted segments
picked with the review screen's search and filters. Items are ordered per kind with
"Omhoog" and "Omlaag" (plain forms, no JavaScript). Decisions have a body, a date, a
reference and links to findings and to responses to advice. The service is
:mod:`consult.findings`; every change is audited there.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import DateField, SelectMultipleField, StringField, TextAreaField, ValidationError
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from consult import findings as service
from consult.context import db, get_in_consultation
from consult.db import local_today
from consult.models import FINDING_KIND_LABELS, Decision, Finding, FindingKind, Role
from consult.security import consultation_for_staff, current_user, login_required

bp = Blueprint("findings", __name__, url_prefix="/beheer")

EDITORS = (Role.ADMINISTRATOR, Role.POLICY_WRITER)

#: Dutch words per kind: (label, "nieuw(e) ...", "de/het ...", plural).
KIND_WORDS = {
    FindingKind.FINDING: ("Bevinding", "Nieuwe bevinding", "de bevinding", "bevindingen"),
    FindingKind.PRINCIPLE: ("Uitgangspunt", "Nieuw uitgangspunt", "het uitgangspunt", "uitgangspunten"),
    FindingKind.SCENARIO: ("Scenario", "Nieuw scenario", "het scenario", "scenario's"),
}


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _max(n: int, what: str) -> Length:
    return Length(max=n, message=f"{what} mag hooguit {n:,} tekens hebben.".replace(",", "."))


class CheckboxesField(SelectMultipleField):
    """A list of checkboxes (ids as integers), with Dutch messages for tampered input."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, coerce=int, validate_choice=True, **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = []
            raise ValueError("Kies alleen uit de lijst.")

    def pre_validate(self, form):
        allowed = {choice[0] for choice in self.choices or []}
        if any(v not in allowed for v in self.data or []):
            raise ValidationError("Kies alleen uit de lijst.")


class FindingForm(FlaskForm):
    title = StringField("Titel", filters=[_strip], validators=[DataRequired("Vul een titel in."),
                                                               _max(300, "De titel")])
    statement = TextAreaField("Omschrijving", filters=[_strip], validators=[_max(10000, "De omschrijving")],
                              render_kw={"rows": 6})
    advantages = TextAreaField("Voordelen", validators=[_max(5000, "De voordelen")], render_kw={"rows": 5})
    disadvantages = TextAreaField("Nadelen", validators=[_max(5000, "De nadelen")], render_kw={"rows": 5})
    codes = CheckboxesField("Thema's (codes)")
    advice_points = CheckboxesField("Adviespunten")


def _reasonable_year(form, field):
    if field.data is not None and not 1900 <= field.data.year <= 2100:
        raise ValidationError("Vul een datum met een jaar tussen 1900 en 2100 in.")


class DecisionForm(FlaskForm):
    body = StringField("Wie heeft besloten?", default="college van B&W", filters=[_strip],
                       validators=[DataRequired("Vul in wie heeft besloten."), _max(200, "Dit veld")])
    taken_on = DateField("Datum van het besluit", format=["%Y-%m-%d", "%d-%m-%Y"],
                         validators=[Optional(), _reasonable_year],
                         invalid_value_message="Dit is geen geldige datum. Vul dag, maand en jaar in, "
                                               "bijvoorbeeld 21-01-2020.")
    reference = StringField("Notanummer of besluitnummer", filters=[_strip], validators=[_max(120, "Het nummer")])
    text = TextAreaField("Wat is er besloten?", filters=[_strip],
                         validators=[DataRequired("Vul in wat er is besloten."), _max(20000, "De tekst")],
                         render_kw={"rows": 6})
    findings = CheckboxesField("Bevindingen, uitgangspunten en scenario's")
    advice_responses = CheckboxesField("Reacties op advies")


def _errors(form) -> dict[str, str]:
    return {name: errs[0] for name, errs in form.errors.items() if errs}


def _finding(c, finding_id: int) -> Finding:
    return get_in_consultation(Finding, finding_id, c)


def _decision(c, decision_id: int) -> Decision:
    return get_in_consultation(Decision, decision_id, c)


def _kind(value: str | None) -> FindingKind | None:
    try:
        return FindingKind(value or "")
    except ValueError:
        return None


def _finding_form(c, finding: Finding | None) -> FindingForm:
    data = {}
    if finding is not None:
        data = {"title": finding.title, "statement": finding.statement, "advantages": finding.advantages,
                "disadvantages": finding.disadvantages, "codes": [x.id for x in finding.codes],
                "advice_points": [p.id for p in finding.advice_points]}
    form = FindingForm(data=data) if request.method == "GET" else FindingForm()
    form.codes.choices = [(x.id, x.label) for x in service.code_choices(c, finding)]
    form.advice_points.choices = [(p.id, service.point_choice(p))
                                  for p in service.advice_points(db(), c)]
    return form


def _finding_values(form: FindingForm) -> service.FindingValues:
    return service.FindingValues(
        title=form.title.data or "", statement=form.statement.data or "",
        advantages=form.advantages.data or "", disadvantages=form.disadvantages.data or "",
        code_ids=list(form.codes.data or []), advice_point_ids=list(form.advice_points.data or []))


def _render_finding_form(c, kind: FindingKind, form, finding: Finding | None, errors: dict):
    words = KIND_WORDS[kind]
    evidence = service.evidence_rows(db(), finding) if finding is not None else []
    return render_template(
        "findings/form.html", c=c, kind=kind, words=words, form=form, finding=finding, errors=errors,
        evidence=evidence, filters=service.EvidenceFilters(), source_filters=service.SOURCE_FILTERS,
        codes=service.code_choices(c)), (422 if errors else 200)


# ----------------------------------------------------------------------------- overview

@bp.get("/c/<slug>/bevindingen")
@login_required(*EDITORS)
def index(slug: str):
    c = consultation_for_staff(slug)
    return render_template("findings/index.html", c=c, sections=service.SECTIONS, by_kind=service.by_kind(c),
                           kind_words=KIND_WORDS, decisions=service.decisions(c), lines=service.lines,
                           response_label=service.response_label, kind_labels=FINDING_KIND_LABELS)


@bp.post("/c/<slug>/bevindingen/<int:finding_id>/verplaatsen")
@login_required(*EDITORS)
def move(slug: str, finding_id: int):
    c = consultation_for_staff(slug)
    finding = _finding(c, finding_id)
    FlaskForm().validate_on_submit() or abort(400)
    direction = {"omhoog": -1, "omlaag": 1}.get(request.form.get("richting", ""))
    if direction is None:
        abort(400)
    s = db()
    if service.move_finding(s, finding, direction, actor=current_user()):
        s.commit()
        flash(f"‘{finding.title}’ is een plek {'omhoog' if direction < 0 else 'omlaag'} gezet.", "success")
    else:
        flash(f"‘{finding.title}’ staat al {'bovenaan' if direction < 0 else 'onderaan'}.", "info")
    return redirect(url_for(".index", slug=slug) + f"#item-{finding.id}", 303)


# ----------------------------------------------------------------------------- findings

@bp.route("/c/<slug>/bevindingen/nieuw", methods=["GET", "POST"])
@login_required(*EDITORS)
def new(slug: str):
    c = consultation_for_staff(slug)
    kind = _kind(request.args.get("soort"))
    if kind is None:
        abort(404)
    form = _finding_form(c, None)
    errors: dict[str, str] = {}
    if request.method == "POST":
        if form.validate_on_submit():
            s = db()
            try:
                finding = service.create_finding(s, c, kind, _finding_values(form), actor=current_user())
            except service.FindingError:
                abort(400)
            s.commit()
            flash(f"{KIND_WORDS[kind][0]} ‘{finding.title}’ is opgeslagen. U kunt nu bewijs toevoegen.", "success")
            return redirect(url_for(".edit", slug=slug, finding_id=finding.id), 303)
        errors = _errors(form) or {"title": "Het formulier is niet goed verstuurd. Probeer het opnieuw."}
    return _render_finding_form(c, kind, form, None, errors)


@bp.route("/c/<slug>/bevindingen/<int:finding_id>", methods=["GET", "POST"])
@login_required(*EDITORS)
def edit(slug: str, finding_id: int):
    c = consultation_for_staff(slug)
    finding = _finding(c, finding_id)
    form = _finding_form(c, finding)
    errors: dict[str, str] = {}
    if request.method == "POST":
        if form.validate_on_submit():
            s = db()
            try:
                changes = service.update_finding(s, finding, _finding_values(form), actor=current_user())
            except service.FindingError:
                abort(400)
            s.commit()
            flash("De wijzigingen zijn opgeslagen." if changes else "Er was niets veranderd.", "success")
            return redirect(url_for(".edit", slug=slug, finding_id=finding.id), 303)
        errors = _errors(form) or {"title": "Het formulier is niet goed verstuurd. Probeer het opnieuw."}
    return _render_finding_form(c, finding.kind, form, finding, errors)


@bp.route("/c/<slug>/bevindingen/<int:finding_id>/verwijderen", methods=["GET", "POST"])
@login_required(*EDITORS)
def delete(slug: str, finding_id: int):
    c = consultation_for_staff(slug)
    finding = _finding(c, finding_id)
    form = FlaskForm()
    if request.method == "POST":
        form.validate_on_submit() or abort(400)
        title, label = finding.title, KIND_WORDS[finding.kind][0]
        s = db()
        service.delete_finding(s, finding, actor=current_user())
        s.commit()
        flash(f"{label} ‘{title}’ is verwijderd.", "success")
        return redirect(url_for(".index", slug=slug), 303)
    return render_template("findings/delete.html", c=c, what=f"{KIND_WORDS[finding.kind][2]} ‘{finding.title}’",
                           heading=f"{KIND_WORDS[finding.kind][0]} verwijderen",
                           back=url_for(".edit", slug=slug, finding_id=finding.id),
                           details=[f"{len(finding.evidence)} stukken bewijs worden losgekoppeld. "
                                    "De stukken zelf blijven bewaard."], form=form)


# ----------------------------------------------------------------------------- evidence

@bp.get("/c/<slug>/bevindingen/<int:finding_id>/bewijs")
@login_required(*EDITORS)
def evidence(slug: str, finding_id: int):
    c = consultation_for_staff(slug)
    finding = _finding(c, finding_id)
    f = service.EvidenceFilters.from_args(request.args)
    result = service.search_evidence(db(), c, f, finding)
    f.page = result.page
    return render_template(
        "findings/evidence.html", c=c, finding=finding, words=KIND_WORDS[finding.kind], filters=f, result=result,
        codes=service.code_choices(c), source_filters=service.SOURCE_FILTERS, page_size=service.PAGE_SIZE,
        page_url=lambda n: url_for(".evidence", slug=slug, finding_id=finding.id, **f.args(pagina=n)),
        add_url=url_for(".add_evidence", slug=slug, finding_id=finding.id, **f.args()))


@bp.post("/c/<slug>/bevindingen/<int:finding_id>/bewijs")
@login_required(*EDITORS)
def add_evidence(slug: str, finding_id: int):
    c = consultation_for_staff(slug)
    finding = _finding(c, finding_id)
    FlaskForm().validate_on_submit() or abort(400)
    f = service.EvidenceFilters.from_args(request.args)
    back = url_for(".evidence", slug=slug, finding_id=finding.id, **f.args())
    ids = [int(v) for v in request.form.getlist("segment_ids") if v.isdigit()]
    if not ids:
        flash("Kies eerst een of meer stukken met het vakje ervoor.", "error")
        return redirect(back, 303)
    s = db()
    try:
        added = service.add_evidence(s, finding, ids, actor=current_user())
    except service.FindingError:
        flash("Een of meer stukken kunnen niet als bewijs dienen: kies alleen geaccepteerde stukken uit de lijst.",
              "error")
        return redirect(back, 303)
    s.commit()
    flash(f"{added} {'stuk' if added == 1 else 'stukken'} toegevoegd als bewijs." if added
          else "Deze stukken waren al bewijs.", "success")
    return redirect(back, 303)


@bp.post("/c/<slug>/bevindingen/<int:finding_id>/bewijs/<int:segment_id>/verwijderen")
@login_required(*EDITORS)
def remove_evidence(slug: str, finding_id: int, segment_id: int):
    c = consultation_for_staff(slug)
    finding = _finding(c, finding_id)
    FlaskForm().validate_on_submit() or abort(400)
    s = db()
    if service.remove_evidence(s, finding, segment_id, actor=current_user()):
        s.commit()
        flash("Het stuk is geen bewijs meer bij deze bevinding.", "success")
    else:
        flash("Dit stuk was geen bewijs bij deze bevinding.", "info")
    return redirect(url_for(".edit", slug=slug, finding_id=finding.id) + "#bewijs", 303)


# ----------------------------------------------------------------------------- decisions

def _decision_form(c, decision: Decision | None) -> DecisionForm:
    data = {}
    if decision is not None:
        data = {"body": decision.body, "taken_on": decision.taken_on, "reference": decision.reference,
                "text": decision.text, "findings": [f.id for f in decision.findings],
                "advice_responses": [r.id for r in decision.advice_responses]}
    form = DecisionForm(data=data) if request.method == "GET" else DecisionForm()
    form.findings.choices = [(f.id, f"{f.title} ({FINDING_KIND_LABELS[f.kind]})")
                             for items in service.by_kind(c).values() for f in items]
    form.advice_responses.choices = [(r.id, service.response_label(r))
                                     for r in service.advice_responses(db(), c)]
    return form


def _decision_values(form: DecisionForm) -> service.DecisionValues:
    return service.DecisionValues(
        body=form.body.data or "", taken_on=form.taken_on.data, reference=form.reference.data or "",
        text=form.text.data or "", finding_ids=list(form.findings.data or []),
        response_ids=list(form.advice_responses.data or []))


def _render_decision_form(c, form, decision: Decision | None, errors: dict):
    responses = {r.id: r for r in service.advice_responses(db(), c)}
    return render_template("findings/decision_form.html", c=c, form=form, decision=decision, errors=errors,
                           responses=responses, today=local_today()), (422 if errors else 200)


@bp.route("/c/<slug>/besluiten/nieuw", methods=["GET", "POST"])
@login_required(*EDITORS)
def decision_new(slug: str):
    c = consultation_for_staff(slug)
    form = _decision_form(c, None)
    errors: dict[str, str] = {}
    if request.method == "POST":
        if form.validate_on_submit():
            s = db()
            try:
                service.create_decision(s, c, _decision_values(form), actor=current_user())
            except service.FindingError:
                abort(400)
            s.commit()
            flash("Het besluit is opgeslagen.", "success")
            return redirect(url_for(".index", slug=slug) + "#besluiten", 303)
        errors = _errors(form) or {"text": "Het formulier is niet goed verstuurd. Probeer het opnieuw."}
    return _render_decision_form(c, form, None, errors)


@bp.route("/c/<slug>/besluiten/<int:decision_id>", methods=["GET", "POST"])
@login_required(*EDITORS)
def decision_edit(slug: str, decision_id: int):
    c = consultation_for_staff(slug)
    decision = _decision(c, decision_id)
    form = _decision_form(c, decision)
    errors: dict[str, str] = {}
    if request.method == "POST":
        if form.validate_on_submit():
            s = db()
            try:
                changes = service.update_decision(s, decision, _decision_values(form), actor=current_user())
            except service.FindingError:
                abort(400)
            s.commit()
            flash("Het besluit is opgeslagen." if changes else "Er was niets veranderd.", "success")
            return redirect(url_for(".index", slug=slug) + "#besluiten", 303)
        errors = _errors(form) or {"text": "Het formulier is niet goed verstuurd. Probeer het opnieuw."}
    return _render_decision_form(c, form, decision, errors)


@bp.route("/c/<slug>/besluiten/<int:decision_id>/verwijderen", methods=["GET", "POST"])
@login_required(*EDITORS)
def decision_delete(slug: str, decision_id: int):
    c = consultation_for_staff(slug)
    decision = _decision(c, decision_id)
    form = FlaskForm()
    if request.method == "POST":
        form.validate_on_submit() or abort(400)
        s = db()
        service.delete_decision(s, decision, actor=current_user())
        s.commit()
        flash("Het besluit is verwijderd.", "success")
        return redirect(url_for(".index", slug=slug) + "#besluiten", 303)
    when = f" van {decision.taken_on.strftime('%d-%m-%Y')}" if decision.taken_on else ""
    return render_template("findings/delete.html", c=c, what=f"het besluit{when} ({decision.body})",
                           heading="Besluit verwijderen",
                           back=url_for(".decision_edit", slug=slug, decision_id=decision.id),
                           details=["De bevindingen en reacties op advies blijven bestaan."], form=form)
