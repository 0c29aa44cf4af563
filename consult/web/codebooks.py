"""Codebook editor: add, rename, merge and split codes of a consultation's codebook.

The view parses the form into one edit (pure functions in ``analysis.codebook``);
``consult.codebooks.apply_edit`` stores it as a new CodebookVersion and makes that the
consultation's current version. Older versions are never changed: existing code
assignments keep pointing at the codes of the version they were made with, so merging and
splitting never silently rewrites earlier coding; the screen says so before and after.
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from analysis import codebook as edits
from analysis.codebook import Code as CodeDef, Codebook as CodebookDef, CodebookEdit, CodebookError
from consult.codebooks import apply_edit, code_usage, version_to_definition
from consult.models import Role
from consult.security import consultation_for_staff, current_user, login_required
from consult.context import db

bp = Blueprint("codebooks", __name__, url_prefix="/beheer/c/<slug>/codeboek")

EDITORS = (Role.ADMINISTRATOR, Role.POLICY_WRITER)


@bp.get("")
@login_required()
def editor(slug: str):
    c = consultation_for_staff(slug)
    version = c.codebook_version
    usage = code_usage(db(), version) if version is not None else {}
    return render_template("codebooks/editor.html", c=c, version=version, usage=usage,
                           can_edit=current_user().role in EDITORS, errors={})


def _edit_from_form(definition: CodebookDef, form) -> CodebookEdit:
    """Parse the editor's form into one edit of ``definition`` (CodebookError when invalid)."""
    op = form.get("operation", "")
    if op == "add":
        return edits.add_code(definition, CodeDef(
            code=edits.normalise_key(form.get("key", "")), label=form.get("label", "").strip(),
            description=form.get("description", "").strip(),
            keywords=tuple(k.strip() for k in form.get("keywords", "").split(",") if k.strip()),
            parent=form.get("parent") or None))
    if op == "rename":
        return edits.rename_code(definition, form.get("code", ""), form.get("label", ""))
    if op == "merge":
        return edits.merge_codes(definition, form.getlist("sources"), form.get("target", ""))
    if op == "split":
        first, second = ((edits.normalise_key(form.get(f"key{i}", "")), form.get(f"label{i}", "").strip())
                         for i in (1, 2))
        return edits.split_code(definition, form.get("code", ""), first, second)
    raise CodebookError("Onbekende wijziging.")


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
    s = db()
    version = apply_edit(s, c, edit, actor=current_user())
    if version is None:
        flash("Er is niets veranderd aan het codeboek.", "info")
    else:
        s.commit()
        flash(f"Codeboek versie {version.number} is gemaakt en wordt nu gebruikt. "
              f"Bestaande coderingen blijven bij versie {previous.number} horen.", "success")
    return redirect(url_for(".editor", slug=slug))
