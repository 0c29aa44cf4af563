"""The consultation workspace: create and edit consultations, change their status, archive
them, manage stakeholder groups and neighbourhoods, and the organisation settings (name,
logo, footer links).

Views parse the form and call one service (``consult.consultations``,
``consult.organisation``), then flash and redirect; the services record the audit entries.
The organisation's name, logo and footer links are offered to every template as
``organisation()`` (see :func:`_organisation_helper`).
"""
from __future__ import annotations

import logging

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy.exc import SQLAlchemyError
from wtforms import BooleanField, DateField, HiddenField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from consult import consultations as service, mail, organisation as org_service
from consult.context import db, get_in_consultation
from consult.models import (
    Consultation, ConsultationStatus, Neighbourhood, NeighbourhoodKind, Role, StakeholderGroup,
)
from consult.organisation import KIND_LABELS, MAX_LOGO_BYTES, OrganisationError
from consult.security import consultation_for_staff, current_user, login_required

log = logging.getLogger(__name__)

bp = Blueprint("consultations", __name__, url_prefix="/beheer")

EDITORS = (Role.ADMINISTRATOR, Role.POLICY_WRITER)


# -- the organisation in every page -----------------------------------------------------------

@bp.app_context_processor
def _organisation_helper():
    """``organisation()`` in templates: name, logo and footer links, looked up once per
    request; None when there is no organisation (or the database does not answer)."""

    def organisation():
        if "consult_organisation" not in g:
            try:
                g.consult_organisation = org_service.organisation_view(db())
            except SQLAlchemyError as exc:
                log.warning("cannot read the organisation for the page header: %s", exc)
                db().rollback()
                g.consult_organisation = None
        return g.consult_organisation

    return {"organisation": organisation}


# -- forms ------------------------------------------------------------------------------------

class DutchDateField(DateField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Vul een datum in als jjjj-mm-dd, bijvoorbeeld 2024-05-14.") from None


class ConsultationForm(FlaskForm):
    title = StringField("Titel", validators=[Length(max=300, message="De titel is te lang.")])
    slug = StringField("Korte naam in het webadres", validators=[Length(max=80, message="De korte naam is te lang.")],
                       render_kw={"spellcheck": "false", "autocapitalize": "none"})
    summary = TextAreaField("Samenvatting in één of twee zinnen", render_kw={"rows": 3})
    description = TextAreaField("Beschrijving in eenvoudige taal (B1)", render_kw={"rows": 8})
    policy_field = StringField("Beleidsterrein", validators=[Length(max=120)])
    decision_maker = StringField("Wie beslist?", validators=[Length(max=300)])
    starts_on = DutchDateField("Begindatum", validators=[Optional()], format="%Y-%m-%d")
    ends_on = DutchDateField("Einddatum", validators=[Optional()], format="%Y-%m-%d")
    timeline = TextAreaField("Planning: de stappen en hun data", render_kw={"rows": 5})
    follow_up = TextAreaField("Wat gebeurt er met uw inbreng?", render_kw={"rows": 5})
    privacy_statement = TextAreaField("Privacyverklaring van deze raadpleging", render_kw={"rows": 5})
    contact = TextAreaField("Contact voor vragen", render_kw={"rows": 3})

    def details(self) -> service.ConsultationDetails:
        return service.ConsultationDetails(**{name: self[name].data or ("" if name not in ("starts_on", "ends_on")
                                                                          else None)
                                              for name in ("slug",) + service.FIELDS})


class StatusForm(FlaskForm):
    status = HiddenField()


class ArchiveForm(FlaskForm):
    archived = HiddenField()


class LabelForm(FlaskForm):
    label = StringField("Naam", validators=[Length(max=120)])


class MergeForm(FlaskForm):
    target = StringField()


class MoveForm(FlaskForm):
    direction = HiddenField()


KIND_CHOICES = [SelectChoice(k.value, v) for k, v in KIND_LABELS.items()]


class HoodForm(FlaskForm):
    name = StringField("Naam", validators=[Length(max=120)])
    kind = SelectField("Soort", choices=KIND_CHOICES, validate_choice=False)


class OrganisationForm(FlaskForm):
    name = StringField("Naam van de gemeente", validators=[Length(max=200, message="De naam is te lang.")])
    logo = FileField("Nieuw logo (PNG, JPEG of SVG, hoogstens 512 kB)")
    remove_logo = BooleanField("Logo verwijderen")
    privacy_url = StringField("Adres van de privacyverklaring", validators=[Length(max=500)])
    accessibility_url = StringField("Adres van de toegankelijkheidsverklaring", validators=[Length(max=500)])
    contact_url = StringField("Adres van de contactpagina", validators=[Length(max=500)])


def _errors(form: FlaskForm) -> dict[str, str]:
    return {name: msgs[0] for name, msgs in form.errors.items() if msgs}


def _offset(direction: str | None) -> int:
    if direction not in ("up", "down"):
        abort(400)
    return -1 if direction == "up" else 1


# -- create and edit --------------------------------------------------------------------------

@bp.route("/raadplegingen/nieuw", methods=["GET", "POST"])
@login_required(*EDITORS)
def new():
    form = ConsultationForm()
    errors: dict[str, str] = {}
    if form.validate_on_submit():
        s = db()
        try:
            c = service.create_consultation(s, form.details(), actor=current_user(),
                                            organisation_name=current_app.config.get("ORGANISATION_NAME") or "Gemeente")
        except service.ConsultationError as exc:
            errors[exc.field or "title"] = str(exc)
        else:
            s.commit()
            flash("De raadpleging is aangemaakt. Ze is nog in voorbereiding. Inwoners zien haar nog niet.", "success")
            return redirect(url_for(".edit", slug=c.slug))
    elif request.method == "POST":
        errors = _errors(form)
    return render_template("consultations/new.html", form=form, errors=errors), 422 if errors else 200


def _edit_page(c: Consultation, form: ConsultationForm, errors: dict[str, str], status_error: str = ""):
    if c.status != ConsultationStatus.DRAFT:
        form.slug.render_kw = dict(form.slug.render_kw or {}, readonly=True)
    return render_template(
        "consultations/edit.html", c=c, form=form, errors=errors, status_error=status_error,
        transitions=service.transitions(c),
        surveys_open=[s for s in c.surveys if s.status.value == "open"]), (
        422 if errors or status_error else 200)


@bp.route("/c/<slug>/instellingen", methods=["GET", "POST"])
@login_required(*EDITORS)
def edit(slug: str):
    c = consultation_for_staff(slug)
    form = ConsultationForm(obj=c)
    errors: dict[str, str] = {}
    if form.validate_on_submit():
        s = db()
        try:
            changed = service.update_consultation(s, c, form.details(), actor=current_user())
        except service.ConsultationError as exc:
            s.rollback()
            errors[exc.field or "title"] = str(exc)
        else:
            s.commit()
            flash("De instellingen zijn opgeslagen." if changed else "Er was niets veranderd.", "success")
            return redirect(url_for(".edit", slug=c.slug))
    elif request.method == "POST":
        errors = _errors(form)
    return _edit_page(c, form, errors)


@bp.post("/c/<slug>/instellingen/status")
@login_required(*EDITORS)
def status(slug: str):
    c = consultation_for_staff(slug)
    form = StatusForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        new_status = ConsultationStatus(form.status.data)
    except ValueError:
        abort(400)
    s = db()
    try:
        closed = service.set_status(s, c, new_status, actor=current_user())
    except service.ConsultationError as exc:
        s.rollback()
        return _edit_page(c, ConsultationForm(obj=c, formdata=None), {}, status_error=str(exc))
    s.commit()
    message = f"De status is nu: {c.status_label}."
    if closed:
        message += (" De vragenlijst is gesloten." if len(closed) == 1
                    else f" {len(closed)} vragenlijsten zijn gesloten.")
    if new_status == ConsultationStatus.REPORTED:
        sent = mail.notify_reported(current_app, s, c, base_url=request.url_root, actor=current_user())
        if sent:
            message += (f" {sent} {'deelnemer krijgt' if sent == 1 else 'deelnemers krijgen'} een e-mail"
                        " dat de uitkomst online staat.")
    flash(message, "success")
    return redirect(url_for(".edit", slug=c.slug))


@bp.post("/c/<slug>/instellingen/archief")
@login_required(*EDITORS)
def archive(slug: str):
    c = consultation_for_staff(slug)
    form = ArchiveForm()
    if not form.validate_on_submit() or form.archived.data not in ("1", "0"):
        abort(400)
    s = db()
    if form.archived.data == "1":
        service.archive(s, c, actor=current_user())
        flash("De raadpleging staat nu in het archief. Er is niets verwijderd.", "success")
    else:
        service.unarchive(s, c, actor=current_user())
        flash("De raadpleging staat weer bij uw raadplegingen.", "success")
    s.commit()
    return redirect(url_for(".edit", slug=c.slug))


# -- stakeholder groups -----------------------------------------------------------------------

def _groups_page(c: Consultation, errors: dict[str, str] | None = None, values: dict[str, str] | None = None):
    return render_template("consultations/groups.html", c=c, errors=errors or {}, values=values or {}), (
        422 if errors else 200)


@bp.get("/c/<slug>/instellingen/groepen")
@login_required(*EDITORS)
def groups(slug: str):
    return _groups_page(consultation_for_staff(slug))


@bp.post("/c/<slug>/instellingen/groepen/nieuw")
@login_required(*EDITORS)
def group_add(slug: str):
    c = consultation_for_staff(slug)
    form = LabelForm()
    s = db()
    try:
        if not form.validate_on_submit():
            raise service.ConsultationError(next(iter(_errors(form).values()), "Vul een naam in."), "label")
        group = service.add_group(s, c, form.label.data, actor=current_user())
    except service.ConsultationError as exc:
        s.rollback()
        return _groups_page(c, {"label-new": str(exc)}, {"label-new": form.label.data or ""})
    s.commit()
    flash(f"De groep {group.label} is toegevoegd.", "success")
    return redirect(url_for(".groups", slug=slug))


@bp.post("/c/<slug>/instellingen/groepen/<int:group_id>/naam")
@login_required(*EDITORS)
def group_rename(slug: str, group_id: int):
    c = consultation_for_staff(slug)
    group = get_in_consultation(StakeholderGroup, group_id, c)
    form = LabelForm()
    s = db()
    try:
        if not form.validate_on_submit():
            raise service.ConsultationError(next(iter(_errors(form).values()), "Vul een naam in."), "label")
        service.rename_group(s, group, form.label.data, actor=current_user())
    except service.ConsultationError as exc:
        s.rollback()
        return _groups_page(c, {f"label-{group_id}": str(exc)}, {f"label-{group_id}": form.label.data or ""})
    s.commit()
    flash(f"De naam is nu {group.label}.", "success")
    return redirect(url_for(".groups", slug=slug))


def _target_id(form: MergeForm) -> int | None:
    value = (form.target.data or "").strip()
    return int(value) if value.isdigit() else None


@bp.post("/c/<slug>/instellingen/groepen/<int:group_id>/samenvoegen")
@login_required(*EDITORS)
def group_merge(slug: str, group_id: int):
    c = consultation_for_staff(slug)
    source = get_in_consultation(StakeholderGroup, group_id, c)
    form = MergeForm()
    if not form.validate_on_submit():
        abort(400)
    target_id = _target_id(form)
    target = db().get(StakeholderGroup, target_id) if target_id else None
    if target is None or target.consultation_id != c.id:
        return _groups_page(c, {f"target-{group_id}": "Kies de groep waarmee u wilt samenvoegen."})
    s = db()
    label = source.label
    try:
        service.merge_groups(s, source, target, actor=current_user())
    except service.ConsultationError as exc:
        s.rollback()
        return _groups_page(c, {f"target-{group_id}": str(exc)})
    s.commit()
    flash(f"De groep {label} is samengevoegd met {target.label}. Alles van {label} staat nu bij {target.label}.",
          "success")
    return redirect(url_for(".groups", slug=slug))


@bp.post("/c/<slug>/instellingen/groepen/<int:group_id>/verplaatsen")
@login_required(*EDITORS)
def group_move(slug: str, group_id: int):
    c = consultation_for_staff(slug)
    group = get_in_consultation(StakeholderGroup, group_id, c)
    form = MoveForm()
    if not form.validate_on_submit():
        abort(400)
    s = db()
    if service.move_group(s, group, _offset(form.direction.data), actor=current_user()):
        s.commit()
        flash(f"De groep {group.label} is verplaatst.", "success")
    return redirect(url_for(".groups", slug=slug) + f"#groep-{group.id}")


# -- neighbourhoods ---------------------------------------------------------------------------

def _hood(c: Consultation, hood_id: int) -> Neighbourhood:
    hood = db().get(Neighbourhood, hood_id)
    if hood is None or hood.organisation_id != c.organisation_id:
        abort(404)
    return hood


def _hoods_page(c: Consultation, errors: dict[str, str] | None = None, values: dict[str, str] | None = None):
    return render_template("consultations/neighbourhoods.html", c=c, errors=errors or {}, values=values or {},
                           kinds=KIND_CHOICES), 422 if errors else 200


@bp.get("/c/<slug>/instellingen/wijken")
@login_required(*EDITORS)
def neighbourhoods(slug: str):
    return _hoods_page(consultation_for_staff(slug))


def _kind(form: HoodForm) -> NeighbourhoodKind:
    try:
        return NeighbourhoodKind(form.kind.data)
    except ValueError:
        abort(400)


@bp.post("/c/<slug>/instellingen/wijken/nieuw")
@login_required(*EDITORS)
def neighbourhood_add(slug: str):
    c = consultation_for_staff(slug)
    form = HoodForm()
    s = db()
    try:
        if not form.validate_on_submit():
            raise OrganisationError(next(iter(_errors(form).values()), "Vul een naam in."), "name")
        hood = org_service.add_neighbourhood(s, c.organisation, form.name.data, _kind(form), actor=current_user())
    except OrganisationError as exc:
        s.rollback()
        return _hoods_page(c, {"name-new": str(exc)}, {"name-new": form.name.data or ""})
    s.commit()
    flash(f"{hood.name} is toegevoegd.", "success")
    return redirect(url_for(".neighbourhoods", slug=slug))


@bp.post("/c/<slug>/instellingen/wijken/<int:hood_id>/naam")
@login_required(Role.ADMINISTRATOR)  # organisation-wide: rewrites every consultation's answers
def neighbourhood_rename(slug: str, hood_id: int):
    c = consultation_for_staff(slug)
    hood = _hood(c, hood_id)
    form = HoodForm()
    s = db()
    try:
        if not form.validate_on_submit():
            raise OrganisationError(next(iter(_errors(form).values()), "Vul een naam in."), "name")
        org_service.rename_neighbourhood(s, hood, form.name.data, _kind(form), actor=current_user())
    except OrganisationError as exc:
        s.rollback()
        return _hoods_page(c, {f"name-{hood_id}": str(exc)}, {f"name-{hood_id}": form.name.data or ""})
    s.commit()
    flash(f"Opgeslagen: {hood.name}.", "success")
    return redirect(url_for(".neighbourhoods", slug=slug))


@bp.post("/c/<slug>/instellingen/wijken/<int:hood_id>/samenvoegen")
@login_required(Role.ADMINISTRATOR)  # organisation-wide: rewrites every consultation's answers
def neighbourhood_merge(slug: str, hood_id: int):
    c = consultation_for_staff(slug)
    source = _hood(c, hood_id)
    form = MergeForm()
    if not form.validate_on_submit():
        abort(400)
    target_id = _target_id(form)
    target = db().get(Neighbourhood, target_id) if target_id else None
    if target is None or target.organisation_id != c.organisation_id:
        return _hoods_page(c, {f"target-{hood_id}": "Kies de wijk of het dorp waarmee u wilt samenvoegen."})
    s = db()
    name = source.name
    try:
        org_service.merge_neighbourhoods(s, source, target, actor=current_user())
    except OrganisationError as exc:
        s.rollback()
        return _hoods_page(c, {f"target-{hood_id}": str(exc)})
    s.commit()
    flash(f"{name} is samengevoegd met {target.name}. Alles van {name} staat nu bij {target.name}.", "success")
    return redirect(url_for(".neighbourhoods", slug=slug))


@bp.post("/c/<slug>/instellingen/wijken/<int:hood_id>/verplaatsen")
@login_required(Role.ADMINISTRATOR)  # organisation-wide: rewrites every consultation's answers
def neighbourhood_move(slug: str, hood_id: int):
    c = consultation_for_staff(slug)
    hood = _hood(c, hood_id)
    form = MoveForm()
    if not form.validate_on_submit():
        abort(400)
    s = db()
    if org_service.move_neighbourhood(s, hood, _offset(form.direction.data), actor=current_user()):
        s.commit()
        flash(f"{hood.name} is verplaatst.", "success")
    return redirect(url_for(".neighbourhoods", slug=slug) + f"#wijk-{hood.id}")


# -- organisation settings --------------------------------------------------------------------

@bp.route("/organisatie", methods=["GET", "POST"])
@login_required(Role.ADMINISTRATOR)
def organisation():
    s = db()
    org = org_service.the_organisation(s, current_app.config.get("ORGANISATION_NAME") or "Gemeente")
    form = OrganisationForm(data={"name": org.name, "privacy_url": org.privacy_url,
                                  "accessibility_url": org.accessibility_url, "contact_url": org.contact_url})
    errors: dict[str, str] = {}
    if form.validate_on_submit():
        logo_data = None
        file = form.logo.data
        if file and getattr(file, "filename", ""):
            logo_data = file.read(MAX_LOGO_BYTES + 1)
        try:
            org_service.save_settings(
                s, org, name=form.name.data or "", privacy_url=form.privacy_url.data or "",
                accessibility_url=form.accessibility_url.data or "", contact_url=form.contact_url.data or "",
                logo_data=logo_data, drop_logo=bool(form.remove_logo.data), actor=current_user())
        except OrganisationError as exc:
            s.rollback()
            errors[exc.field or "name"] = str(exc)
        else:
            s.commit()
            g.pop("consult_organisation", None)
            flash("De instellingen van de organisatie zijn opgeslagen.", "success")
            return redirect(url_for(".organisation"))
    elif request.method == "POST":
        errors = _errors(form)
    else:
        s.commit()  # the organisation may just have been created
    return render_template("consultations/organisation.html", form=form, errors=errors, org=org), (
        422 if errors else 200)
