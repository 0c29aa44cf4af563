"""Codebook editor: add, rename, edit, merge and split codes of a consultation's codebook.

The view parses the form into one edit (pure functions in ``analysis.codebook``);
``consult.codebooks.apply_edit`` stores it as a new CodebookVersion, makes that the
consultation's current version and moves the consultation's codings along with their codes
(by key; a merged code's codings go to the code it merged into). Only a split that makes
new keys leaves the old code's codings on the previous version, to be reviewed again.
"""
from __future__ import annotations

import dataclasses

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from analysis import codebook as edits
from analysis.codebook import Code as CodeDef, Codebook as CodebookDef, CodebookEdit, CodebookError
from consult import jobs
from consult.codebooks import (
    CodebookChoiceError, EditResult, apply_edit, available_codebooks, choose_codebook, code_usage,
    stored_keyword_proposals, version_to_definition,
)
from consult.context import db
from consult.models import Codebook, Consultation, Role
from consult.security import consultation_for_staff, current_user, login_required

bp = Blueprint("codebooks", __name__, url_prefix="/beheer/c/<slug>/codeboek")

EDITORS = (Role.ADMINISTRATOR, Role.POLICY_WRITER)


def lines(text: str) -> list[str]:
    """Entries typed one per line (keywords, examples)."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


@bp.get("")
@login_required()
def editor(slug: str):
    c = consultation_for_staff(slug)
    version = c.codebook_version
    usage = code_usage(db(), version, c) if version is not None else {}
    return render_template("codebooks/editor.html", c=c, version=version, usage=usage,
                           can_edit=current_user().role in EDITORS, errors={},
                           stored=available_codebooks(db()) if version is None else [],
                           proposals=stored_keyword_proposals(db(), c) if version is not None else None)


def _edit_from_form(definition: CodebookDef, form) -> CodebookEdit:
    """Parse the editor's form into one edit of ``definition`` (CodebookError when invalid)."""
    op = form.get("operation", "")
    if op == "add":
        return edits.add_code(definition, CodeDef(
            code=edits.normalise_key(form.get("key", "")), label=form.get("label", "").strip(),
            description=form.get("description", "").strip(),
            keywords=tuple(lines(form.get("keywords", ""))), parent=form.get("parent") or None))
    if op == "rename":
        return edits.rename_code(definition, form.get("code", ""), form.get("label", ""))
    if op == "merge":
        return edits.merge_codes(definition, form.getlist("sources"), form.get("target", ""))
    if op == "split":
        first, second = ((edits.normalise_key(form.get(f"key{i}", "")), form.get(f"label{i}", "").strip())
                         for i in (1, 2))
        return edits.split_code(definition, form.get("code", ""), first, second)
    if op == "add_keyword":
        return _add_keyword(definition, form.get("code", ""), form.get("keyword", ""))
    raise CodebookError("Onbekende wijziging.")


def _add_keyword(definition: CodebookDef, key: str, keyword: str) -> CodebookEdit:
    """One proposed keyword added to a code (the editor's "Toevoegen" next to a proposal)."""
    keyword = " ".join(keyword.split())
    if not keyword or len(keyword) > 80:
        raise CodebookError("Kies een trefwoord van hoogstens 80 tekens.")
    if key not in definition:
        raise CodebookError("Kies een bestaande code.")
    edit = edits.edit_code(definition, key, keywords=[*definition[key].keywords, keyword])
    return dataclasses.replace(edit, note=f"Trefwoord ‘{keyword}’ toegevoegd aan {definition[key].label}",
                               details={**edit.details, "keyword": keyword})


def _done_message(result: EditResult, operation: str, previous_number: int) -> str:
    n = result.codings_moved
    text = f"Codeboek versie {result.version.number} is gemaakt en wordt nu gebruikt. "
    if operation == "merge":
        text += f"{n} {'codering is' if n == 1 else 'coderingen zijn'} meegegaan naar de code waarin ze opgaan"
        if result.codings_collapsed:
            text += f"; {result.codings_collapsed} dubbele {'codering is' if result.codings_collapsed == 1 else 'coderingen zijn'} samengevoegd"
        text += "."
    else:
        text += "De coderingen zijn meegegaan met hun code."
    if result.codings_left:
        text += (f" {result.codings_left} {'codering' if result.codings_left == 1 else 'coderingen'} van de "
                 f"gesplitste code {'blijft' if result.codings_left == 1 else 'blijven'} bij versie {previous_number}: "
                 "beoordeel die stukken opnieuw.")
    return text


#: Largest codebook file accepted on the editor page.
MAX_CODEBOOK_BYTES = 1024 * 1024


def _uploaded_definition(file) -> CodebookDef:
    """Parse an uploaded codebook (.yaml/.yml, .csv or REFI-QDA .qdc) or raise CodebookError in Dutch."""
    name = (getattr(file, "filename", "") or "").lower()
    fmt = next((f for ext, f in ((".yaml", "yaml"), (".yml", "yaml"), (".csv", "csv"), (".qdc", "qdc"))
                if name.endswith(ext)), None)
    if fmt is None:
        raise CodebookError("Kies een bestand dat eindigt op .yaml, .yml, .csv of .qdc.")
    raw = file.read(MAX_CODEBOOK_BYTES + 1)
    if len(raw) > MAX_CODEBOOK_BYTES:
        raise CodebookError("Het bestand is groter dan 1 MB.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CodebookError("Het bestand is geen tekst (UTF-8).") from None
    try:
        return edits.parse_codebook(text, fmt, name=name.rsplit(".", 1)[0] or None)
    except CodebookError as exc:
        raise CodebookError(f"Het codeboek klopt niet: {exc}") from None


@bp.post("/kiezen")
@login_required(*EDITORS)
def choose(slug: str):
    """Give a consultation without codings its codebook: the bundled one, a stored one or a file."""
    c = consultation_for_staff(slug)
    s = db()
    source = request.form.get("source", "")
    try:
        if source == "standaard":
            version = choose_codebook(s, c, actor=current_user(), definition=edits.load_default_codebook())
        elif source.startswith("opgeslagen-") and source.removeprefix("opgeslagen-").isdigit():
            stored = s.get(Codebook, int(source.removeprefix("opgeslagen-")))
            if stored is None:
                raise CodebookChoiceError("Dat codeboek bestaat niet meer.")
            version = choose_codebook(s, c, actor=current_user(), codebook=stored)
        elif source == "bestand":
            version = choose_codebook(s, c, actor=current_user(),
                                      definition=_uploaded_definition(request.files.get("file")))
        else:
            raise CodebookChoiceError("Kies een codeboek.")
    except (CodebookError, CodebookChoiceError) as exc:
        s.rollback()
        flash(str(exc), "error")
        return redirect(url_for(".editor", slug=slug))
    s.commit()
    flash(f"Deze raadpleging gebruikt nu het codeboek ‘{version.codebook.name}’ "
          f"({len(version.codes)} codes).", "success")
    return redirect(url_for(".editor", slug=slug))


@bp.post("/trefwoorden-zoeken")
@login_required(*EDITORS)
def suggest_keywords(slug: str):
    """Start the job that proposes keywords from the accepted segments."""
    c = consultation_for_staff(slug)
    try:
        job_id, started = jobs.start_keyword_suggestions(current_app, db(), c, current_user())
    except ValueError as exc:
        flash(str(exc), "error")
        return redirect(url_for(".editor", slug=slug))
    flash("consult zoekt nu trefwoorden in de geaccepteerde stukken. Dat duurt hoogstens een paar minuten."
          if started else "consult is al bezig met trefwoorden zoeken.", "info")
    return redirect(url_for(".editor", slug=slug) + "#trefwoordvoorstellen")


@bp.post("")
@login_required(*EDITORS)
def change(slug: str):
    c = consultation_for_staff(slug)
    previous = c.codebook_version
    if previous is None:
        flash("Deze raadpleging heeft nog geen codeboek.", "error")
        return redirect(url_for(".editor", slug=slug))
    try:
        edit = _edit_from_form(version_to_definition(previous), request.form)
    except CodebookError as exc:
        flash(str(exc), "error")
        return redirect(url_for(".editor", slug=slug))
    anchor = "#trefwoordvoorstellen" if request.form.get("operation") == "add_keyword" else ""
    return _store(c, edit, previous.number, anchor=anchor)


def _store(c: Consultation, edit: CodebookEdit, previous_number: int, *, anchor: str = ""):
    s = db()
    result = apply_edit(s, c, edit, actor=current_user())
    if result is None:
        flash("Er is niets veranderd aan het codeboek.", "info")
    else:
        s.commit()
        message = _done_message(result, edit.operation, previous_number)
        if edit.details.get("keyword"):
            message = f"Trefwoord ‘{edit.details['keyword']}’ is toegevoegd. " + message
        flash(message, "success")
    return redirect(url_for(".editor", slug=c.slug) + anchor)


class EditCodeForm(FlaskForm):
    label = StringField("Naam", validators=[DataRequired("Vul een naam in."),
                                            Length(max=200, message="De naam mag hoogstens 200 tekens zijn.")])
    description = TextAreaField("Omschrijving", render_kw={"rows": 4})
    keywords = TextAreaField("Trefwoorden", render_kw={"rows": 8})
    examples = TextAreaField("Voorbeelden", render_kw={"rows": 5})


@bp.route("/code/<key>", methods=["GET", "POST"])
@login_required(*EDITORS)
def edit_code(slug: str, key: str):
    c = consultation_for_staff(slug)
    version = c.codebook_version
    code = next((code for code in version.codes if code.key == key), None) if version is not None else None
    if code is None:
        abort(404)
    form = EditCodeForm()
    if request.method == "GET":
        form.label.data, form.description.data = code.label, code.description
        form.keywords.data, form.examples.data = "\n".join(code.keywords), "\n".join(code.examples)
    elif form.validate_on_submit():
        try:
            edit = edits.edit_code(version_to_definition(version), key, label=form.label.data,
                                   description=form.description.data or "",
                                   keywords=lines(form.keywords.data), examples=lines(form.examples.data))
        except CodebookError as exc:
            form.label.errors = list(form.label.errors) + [str(exc)]
        else:
            return _store(c, edit, version.number)
    errors = {f.id: f.errors[0] for f in form if f.errors}
    usage = code_usage(db(), version, c).get(code.id, 0)
    return render_template("codebooks/edit_code.html", c=c, version=version, code=code, form=form,
                           errors=errors, usage=usage), 422 if errors else 200
