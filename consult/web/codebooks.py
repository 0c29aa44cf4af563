"""Codebook editor: add, rename, merge and split codes of a consultation's codebook.

Every change stores a new CodebookVersion (``consult.codebooks.store_codebook``) and makes
it the consultation's current version. Older versions are never changed: existing code
assignments keep pointing at the codes of the version they were made with, so merging and
splitting never silently rewrites earlier coding; the screen says so before and after.
"""
from __future__ import annotations

import re
from dataclasses import replace

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select

from analysis.codebook import Code as CodeDef, CodebookError
from consult.audit import record
from consult.codebooks import store_codebook, version_to_definition
from consult.models import CodeAssignment, Role
from consult.security import consultation_for_staff, current_user, login_required
from consult.context import db

bp = Blueprint("codebooks", __name__, url_prefix="/beheer/c/<slug>/codeboek")

EDITORS = (Role.ADMINISTRATOR, Role.POLICY_WRITER)
KEY_RE = re.compile(r"^[A-Z][A-Z0-9_]{0,79}$")


def _key(raw: str) -> str:
    return re.sub(r"[^A-Z0-9_]+", "_", (raw or "").strip().upper()).strip("_")


@bp.get("")
@login_required()
def editor(slug: str):
    c = consultation_for_staff(slug)
    version = c.codebook_version
    usage = {}
    if version is not None:
        usage = dict(db().execute(
            select(CodeAssignment.code_id, func.count(CodeAssignment.id))
            .where(CodeAssignment.code_id.in_([code.id for code in version.codes]))
            .group_by(CodeAssignment.code_id)).all())
    return render_template("codebooks/editor.html", c=c, version=version, usage=usage,
                           can_edit=current_user().role in EDITORS, errors={})


def _apply(c, operation: str, codes: list[CodeDef], note: str, details: dict):
    s = db()
    version = c.codebook_version
    definition = version_to_definition(version)
    new_def = replace(definition, codes=tuple(codes))
    new_version, created = store_codebook(s, new_def, slug=version.codebook.slug, note=note, user=current_user())
    if not created:
        flash("Er is niets veranderd aan het codeboek.", "info")
        return
    c.codebook_version = new_version
    record(s, f"codebook_{operation}", new_version, actor=current_user(),
           details={"consultation": c.slug, "from_version": version.number, "to_version": new_version.number,
                    **details})
    s.commit()
    flash(f"Codeboek versie {new_version.number} is gemaakt en wordt nu gebruikt. "
          f"Bestaande coderingen blijven bij versie {version.number} horen.", "success")


@bp.post("")
@login_required(*EDITORS)
def change(slug: str):
    c = consultation_for_staff(slug)
    version = c.codebook_version
    if version is None:
        flash("Deze raadpleging heeft nog geen codeboek.", "error")
        return redirect(url_for(".editor", slug=slug))
    definition = version_to_definition(version)
    codes = list(definition.codes)
    by_key = {code.code: code for code in codes}
    op = request.form.get("operation", "")
    form = request.form
    error = None
    try:
        if op == "add":
            key, label = _key(form.get("key", "")), form.get("label", "").strip()
            parent = form.get("parent") or None
            if not KEY_RE.match(key) or not label:
                raise CodebookError("Vul een sleutel (hoofdletters, cijfers, _) en een naam in.")
            if key in by_key:
                raise CodebookError(f"De sleutel {key} bestaat al.")
            if parent and parent not in by_key:
                raise CodebookError("Kies een bestaande bovenliggende code.")
            codes.append(CodeDef(code=key, label=label, description=form.get("description", "").strip(),
                                 keywords=tuple(k.strip() for k in form.get("keywords", "").split(",") if k.strip()),
                                 parent=parent))
            _apply(c, "add", codes, f"Code {key} toegevoegd", {"code": key, "label": label})
        elif op == "rename":
            key, label = form.get("code", ""), form.get("label", "").strip()
            if key not in by_key or not label:
                raise CodebookError("Kies een code en vul de nieuwe naam in.")
            codes = [replace(code, label=label) if code.code == key else code for code in codes]
            _apply(c, "rename", codes, f"Code {key} hernoemd", {"code": key, "old": by_key[key].label, "new": label})
        elif op == "merge":
            target = form.get("target", "")
            sources = [k for k in form.getlist("sources") if k in by_key and k != target]
            if target not in by_key or not sources:
                raise CodebookError("Kies de codes die opgaan in een andere code, en de code waarin ze opgaan.")
            keywords = list(by_key[target].keywords)
            for k in sources:
                keywords += [w for w in by_key[k].keywords if w not in keywords]
            merged = []
            for code in codes:
                if code.code in sources:
                    continue
                if code.code == target:
                    code = replace(code, keywords=tuple(keywords))
                if code.parent in sources:
                    code = replace(code, parent=target)
                merged.append(code)
            _apply(c, "merge", merged, f"{', '.join(sources)} samengevoegd in {target}",
                   {"sources": sources, "target": target,
                    "assignments": "kept on the previous version's codes"})
        elif op == "split":
            key = form.get("code", "")
            new = [(_key(form.get(f"key{i}", "")), form.get(f"label{i}", "").strip()) for i in (1, 2)]
            if key not in by_key:
                raise CodebookError("Kies de code die u wilt splitsen.")
            for k, label in new:
                if not KEY_RE.match(k) or not label:
                    raise CodebookError("Vul voor beide nieuwe codes een sleutel en een naam in.")
                if k in by_key and k != key:
                    raise CodebookError(f"De sleutel {k} bestaat al.")
            if new[0][0] == new[1][0]:
                raise CodebookError("De twee nieuwe codes moeten een verschillende sleutel hebben.")
            old = by_key[key]
            split = []
            for code in codes:
                if code.code == key:
                    split.append(replace(old, code=new[0][0], label=new[0][1], examples=()))
                    split.append(CodeDef(code=new[1][0], label=new[1][1], description=old.description,
                                         parent=old.parent))
                    continue
                if code.parent == key:
                    code = replace(code, parent=new[0][0])
                split.append(code)
            _apply(c, "split", split, f"{key} gesplitst in {new[0][0]} en {new[1][0]}",
                   {"code": key, "into": [k for k, _ in new],
                    "assignments": "kept on the previous version's code"})
        else:
            raise CodebookError("Onbekende wijziging.")
    except CodebookError as exc:
        error = str(exc)
    if error:
        flash(error, "error")
    return redirect(url_for(".editor", slug=slug))
