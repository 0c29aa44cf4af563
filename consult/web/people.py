"""Administrators' screens for people: staff accounts, set-password links, per-consultation
access and the audit log viewer.

Views parse the request, call one service (``consult.people`` or ``consult.membership``),
then flash and redirect (or show the page again with the Dutch error, status 422). The
set-password page itself is public and lives in ``consult.web.auth``.
"""
from __future__ import annotations

from datetime import date, datetime

from flask import Blueprint, Response as FlaskResponse, abort, current_app, flash, redirect, render_template, \
    request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import EmailField, HiddenField, SelectChoice, SelectField, StringField

from consult import mail, membership, people
from consult.context import db
from consult.db import local_today, to_local
from consult.models import Consultation, Role, User
from consult.models.users import ROLE_LABELS
from consult.security import consultation_for_staff, current_user, login_required
from consult.web.filters import MONTHS

bp = Blueprint("people", __name__, url_prefix="/beheer")

ADMIN = Role.ADMINISTRATOR


@bp.context_processor
def _helpers():
    return {"tijdstip": local_moment, "role_labels": ROLE_LABELS}


def local_moment(moment: datetime | None, never: str = "nog nooit") -> str:
    """A stored UTC moment as Dutch local date and time: "1 december 2026, 14:05"."""
    local = to_local(moment)
    if local is None:
        return never
    return f"{local.day} {MONTHS[local.month - 1]} {local.year}, {local:%H:%M}"


def _link_hours() -> int:
    return current_app.config.get("PASSWORD_LINK_HOURS", people.DEFAULT_LINK_HOURS)


def _role_choices() -> list[SelectChoice]:
    return [SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()]


class StaffForm(FlaskForm):
    name = StringField("Naam", render_kw={"autocomplete": "off"})
    email = EmailField("E-mailadres", render_kw={"autocomplete": "off", "spellcheck": "false"})
    role = SelectField("Rol", choices=_role_choices(), default=Role.POLICY_WRITER.value)


def _form_errors(form: FlaskForm) -> dict[str, str]:
    """Dutch messages for what WTForms itself refuses (only the role choice can fail)."""
    if getattr(form, "csrf_token", None) is not None and form.csrf_token.errors:
        abort(400)  # normally CSRFProtect refused the request before the view
    return {"role": "Kies een rol uit de lijst."} if form.errors.get("role") else {}


def _staff_user(user_id: int) -> User:
    user = db().get(User, user_id)
    if user is None:
        abort(404)
    return user


# -- staff accounts -----------------------------------------------------------------------------

@bp.get("/medewerkers")
@login_required(ADMIN)
def staff_list():
    return render_template("people/staff_list.html", users=people.staff(db()))


@bp.route("/medewerkers/nieuw", methods=["GET", "POST"])
@login_required(ADMIN)
def staff_new():
    form = StaffForm()
    errors: dict[str, str] = {}
    if request.method == "POST":
        errors = {} if form.validate_on_submit() else _form_errors(form)
        if not errors:
            s = db()
            try:
                user, token = people.create_staff(s, name=form.name.data, email=form.email.data,
                                                  role=Role(form.role.data), actor=current_user(),
                                                  hours=_link_hours())
            except people.PeopleError as exc:
                errors = {exc.field or "name": str(exc)}
                s.rollback()
            else:
                s.commit()
                return _link_page(user, token, created=True)
    return render_template("people/staff_new.html", form=form, errors=errors), (422 if errors else 200)


def _link_page(user: User, token: str, *, created: bool):
    """The one-time link, shown once in the answer to the POST (never in a URL of ours)."""
    link = url_for("auth.set_password", token=token, _external=True)
    expires = local_moment(user.password_token_expires_at)
    # by e-mail when it is configured; the link on this page stays the fallback
    mailed = mail.send_password_link(current_app, db(), user, link, created=created, expires=expires)
    return render_template("people/link.html", account=user, link=link, created=created,
                           expires=expires, mailed=mailed is not None)


def _edit_page(user: User, form: StaffForm | None = None, errors: dict | None = None,
               page_error: str | None = None):
    if form is None:
        form = StaffForm(formdata=None, obj=user, data={"role": user.role.value})
    failed = bool(errors or page_error)
    return render_template("people/staff_edit.html", account=user, form=form, errors=errors or {},
                           page_error=page_error), (422 if failed else 200)


@bp.route("/medewerkers/<int:user_id>", methods=["GET", "POST"])
@login_required(ADMIN)
def staff_edit(user_id: int):
    user = _staff_user(user_id)
    if request.method == "GET":
        return _edit_page(user)
    form = StaffForm()
    errors = {} if form.validate_on_submit() else _form_errors(form)
    if not errors:
        s = db()
        try:
            changes = people.update_staff(s, user, name=form.name.data, email=form.email.data,
                                          role=Role(form.role.data), actor=current_user())
        except people.PeopleError as exc:
            s.rollback()
            errors = {exc.field or "name": str(exc)}
        else:
            s.commit()
            flash("De gegevens zijn opgeslagen." if changes else "Er was niets veranderd.", "success")
            return redirect(url_for(".staff_edit", user_id=user.id))
    return _edit_page(user, form, errors)


class ActiveForm(FlaskForm):
    active = HiddenField()


@bp.post("/medewerkers/<int:user_id>/actief")
@login_required(ADMIN)
def staff_active(user_id: int):
    user = _staff_user(user_id)
    form = ActiveForm()
    if not form.validate_on_submit() or form.active.data not in ("0", "1"):
        abort(400)
    s = db()
    try:
        changed = people.set_active(s, user, form.active.data == "1", actor=current_user())
    except people.PeopleError as exc:
        s.rollback()
        return _edit_page(user, page_error=str(exc))
    s.commit()
    if changed:
        flash(f"Het account van {user.name} staat weer aan." if user.active else
              f"Het account van {user.name} staat uit. {user.name} kan niet meer inloggen.", "success")
    return redirect(url_for(".staff_edit", user_id=user.id))


@bp.post("/medewerkers/<int:user_id>/wachtwoordlink")
@login_required(ADMIN)
def staff_link(user_id: int):
    user = _staff_user(user_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    if not user.active:
        return _edit_page(user, page_error="Dit account staat uit. Zet het eerst weer aan.")
    s = db()
    token = people.issue_password_link(s, user, actor=current_user(), hours=_link_hours())
    s.commit()
    return _link_page(user, token, created=False)


# -- access per consultation --------------------------------------------------------------------

class MemberForm(FlaskForm):
    user_id = SelectField("Medewerker", coerce=str)


def _members_page(c: Consultation, form: MemberForm | None = None, error: str | None = None):
    s = db()
    candidates = membership.candidates(s, c)
    if form is None:
        form = MemberForm()
    form.user_id.choices = [SelectChoice(str(u.id), f"{u.name} ({u.role_label}, {u.email})") for u in candidates]
    return render_template("people/members.html", c=c, members=membership.members(s, c), form=form,
                           candidates=candidates, error=error), (422 if error else 200)


@bp.route("/c/<slug>/toegang", methods=["GET", "POST"])
@login_required(ADMIN)
def members(slug: str):
    c = consultation_for_staff(slug)
    if request.method == "GET":
        return _members_page(c)
    form = MemberForm()  # CSRFProtect checked the token; the choice is checked here
    s = db()
    user = _member_candidate(form.user_id.data)
    if user is None or not user.active:
        return _members_page(c, form, "Kies een medewerker uit de lijst.")
    if membership.add_member(s, c, user, actor=current_user()):
        s.commit()
    flash(f"{user.name} heeft nu toegang tot deze raadpleging.", "success")
    return redirect(url_for(".members", slug=slug))


def _member_candidate(raw: str | None) -> User | None:
    raw = (raw or "").strip()
    return db().get(User, int(raw)) if raw.isdigit() else None


@bp.post("/c/<slug>/toegang/intrekken")
@login_required(ADMIN)
def member_remove(slug: str):
    c = consultation_for_staff(slug)
    if not FlaskForm().validate_on_submit():
        abort(400)
    user = _member_candidate(request.form.get("user_id"))
    if user is None:
        abort(404)
    s = db()
    if membership.remove_member(s, c, user, actor=current_user()):
        s.commit()
    flash(f"{user.name} heeft geen toegang meer tot deze raadpleging.", "success")
    return redirect(url_for(".members", slug=slug))


# -- audit log ----------------------------------------------------------------------------------

def _audit_filter() -> tuple[people.AuditFilter, dict[str, str], dict[str, str]]:
    """The filter from the query string, the Dutch errors, and the raw values to show again."""
    s = db()
    args = request.args
    raw = {key: (args.get(key) or "").strip() for key in ("raadpleging", "persoon", "actie", "van", "tot")}
    errors: dict[str, str] = {}
    consultation = Consultation.by_slug(s, raw["raadpleging"]) if raw["raadpleging"] else None
    if raw["raadpleging"] and consultation is None:
        errors["f-raadpleging"] = "Kies een raadpleging uit de lijst."
    person = s.get(User, int(raw["persoon"])) if raw["persoon"].isdigit() else None
    if raw["persoon"] and person is None:
        errors["f-persoon"] = "Kies een medewerker uit de lijst."
    days: dict[str, date | None] = {}
    for key, label in (("van", "Van"), ("tot", "Tot en met")):
        days[key] = None
        if raw[key]:
            try:
                days[key] = date.fromisoformat(raw[key])
            except ValueError:
                errors[f"f-{key}"] = f"{label}: vul een datum in zoals 2026-12-01."
    if days["van"] and days["tot"] and days["van"] > days["tot"]:
        errors["f-tot"] = "De datum 'tot en met' ligt vóór de datum 'van'."
    f = people.AuditFilter(consultation=consultation, person=person, action=raw["actie"] or None,
                           date_from=days["van"], date_to=days["tot"])
    return f, errors, raw


@bp.get("/logboek")
@login_required(ADMIN)
def audit():
    s = db()
    f, errors, raw = _audit_filter()
    page_number = request.args.get("pagina", "1")
    page = people.audit_page(s, f, int(page_number) if page_number.isdigit() else 1) if not errors else None
    query = {k: v for k, v in {"raadpleging": raw["raadpleging"], "persoon": raw["persoon"],
                               "actie": raw["actie"], "van": raw["van"], "tot": raw["tot"]}.items() if v}
    consultations = list(s.scalars(select(Consultation).order_by(Consultation.title)))
    return render_template("people/audit.html", page=page, errors=errors, raw=raw, query=query,
                           consultations=consultations, staff=people.staff(s),
                           actions=people.audit_actions(s)), (422 if errors else 200)


@bp.get("/logboek.csv")
@login_required(ADMIN)
def audit_csv():
    f, errors, _raw = _audit_filter()
    if errors:
        flash("Het filter klopt niet. Pas het aan en download opnieuw.", "error")
        return redirect(url_for(".audit", **request.args))
    s = db()
    text = people.audit_csv(s, f, actor=current_user())
    s.commit()
    stamp = local_today().isoformat()
    return FlaskResponse(text, mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename=logboek-{stamp}.csv"})
