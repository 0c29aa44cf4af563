"""Policy writers: reviewing code suggestions per consultation.

The screen opens on the segments still to review ("nog te beoordelen"), each with its
suggested codes (origin, confidence, why in plain Dutch), the text around it, filters and
progress counts (queries: :mod:`consult.review`). Accepting, rejecting, adding, accepting
several at once and undoing the last decision go through the review service in
:mod:`consult.coding`; afterwards the list comes back at the next segment to review
(``#segment-<id>``, focused by ``static/review.js``). Plain forms; the script adds
keyboard shortcuts and focus on top. Each segment also offers the best codes just below
the coder's threshold as one-key choices (1, 2, 3); every few decisions the coder learns
from the reviews in a background job, and the list then puts the segments it is least
sure about first (``volgorde``).
"""
from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from consult import coding, jobs, review
from consult.context import db, get_in_consultation
from consult.models import Code, Consultation, Role, Segment
from consult.models.coding import ASSIGNMENT_STATUS_LABELS, ORIGIN_LABELS
from consult.security import consultation_for_staff, current_user, login_required, sees_unmasked

bp = Blueprint("review", __name__, url_prefix="/beheer/c/<slug>/codering")

REVIEWERS = (Role.ADMINISTRATOR, Role.POLICY_WRITER)


@bp.get("")
@login_required(*REVIEWERS)
def index(slug: str):
    c = consultation_for_staff(slug)
    s = db()
    user = current_user()
    f = review.resolve_order(s, c, review.Filters.from_args(request.args))
    page = review.review_page(s, c, f, unmasked=sees_unmasked(user))
    codes = list(c.codebook_version.codes) if c.codebook_version else []
    return render_template(
        "review/index.html", c=c, page=page, rows=page.rows, f=f, total=page.total, pages=page.pages,
        progress=review.progress(s, c), codes=codes, status_labels=ASSIGNMENT_STATUS_LABELS,
        origin_labels=ORIGIN_LABELS, channel_filters=review.CHANNEL_FILTERS, source_filters=review.SOURCE_FILTERS,
        status_filters=review.STATUS_FILTERS, explain=review.explain, certainty=review.certainty,
        here=request.full_path,
        documents=review.review_documents(s, c),
        last_decision=coding.last_decision(s, c, user), page_size=review.PAGE_SIZE, orders=review.ORDERS,
        learning_job=jobs.active_job(s, c, "code_consultation", lambda p: bool(p.get("learn"))),
        learned_job=jobs.last_finished_job(s, c, "code_consultation", lambda p: bool(p.get("learn"))),
        page_url=lambda n: url_for(".index", slug=slug, **f.args(pagina=n)))


def _learn(c: Consultation) -> None:
    """After a decision: let the coder learn from the reviews when enough new ones came in
    (a background job; see consult.jobs.start_learning_if_due)."""
    jobs.start_learning_if_due(current_app, db(), c, current_user())


def _filters_of_next() -> review.Filters:
    """The filters of the list the form was sent from (its ``next`` field)."""
    query = urlsplit(request.form.get("next", "")).query
    return review.Filters.from_args(MultiDict(parse_qsl(query, keep_blank_values=True)))


def _back(c: Consultation, *, after: int | None = None, stay: int | None = None):
    """Back to the list the form came from, at the next segment to review after segment
    ``after`` (or at segment ``stay``, or at ``after`` itself while it has codes still to
    decide on): on its page, with ``#segment-<id>``."""
    s = db()
    f = review.resolve_order(s, c, _filters_of_next())
    unmasked = sees_unmasked(current_user())
    target = None
    if stay is None and after is not None and review.has_open_suggestion(s, after):
        stay = after
    if stay is not None:
        target = (stay, review.page_of(s, c, f, stay, unmasked=unmasked))
    else:
        target = review.next_to_review(s, c, f, after, unmasked=unmasked)
    if target is None:
        return redirect(url_for(".index", slug=c.slug, **f.args(pagina=1)) + "#resultaat", 303)
    segment_id, page = target
    return redirect(url_for(".index", slug=c.slug, **f.args(pagina=page)) + f"#segment-{segment_id}", 303)


def _choice(value: str) -> tuple[int, int | None, int | None] | None:
    """A review screen's choice: ``<assignment id>:<segment id>:<code id>`` (or the id alone)."""
    parts = value.split(":")
    if not all(p.isdigit() for p in parts) or len(parts) not in (1, 3):
        return None
    ids = [int(p) for p in parts]
    return (ids[0], ids[1], ids[2]) if len(ids) == 3 else (ids[0], None, None)


@bp.post("/toewijzing/<int:assignment_id>")
@login_required(*REVIEWERS)
def decide(slug: str, assignment_id: int):
    c = consultation_for_staff(slug)
    s = db()
    decision = request.form.get("decision", "")
    stuk, code = request.form.get("stuk", ""), request.form.get("code", "")
    chosen = (assignment_id, int(stuk), int(code)) if stuk.isdigit() and code.isdigit() else (assignment_id, None, None)
    try:
        a, outcome = coding.decide_choice(s, c, chosen, decision, current_user())
    except LookupError:
        abort(404)
    except ValueError:
        abort(400)
    s.commit()
    if outcome == "gone":
        flash("Het lerende model stelt deze code hier intussen niet meer voor. Er is niets veranderd.", "success")
        return _back(c, stay=chosen[1])
    _learn(c)
    if outcome == "added":
        flash("Het lerende model stelde deze code hier intussen niet meer voor. "
              "Uw keuze is opgeslagen als een code die u zelf toevoegt.", "success")
    if decision == "undo":
        return _back(c, stay=a.segment_id)
    return _back(c, after=a.segment_id)


@bp.post("/stuk/<int:segment_id>/code")
@login_required(*REVIEWERS)
def add_code(slug: str, segment_id: int):
    c = consultation_for_staff(slug)
    s = db()
    seg = get_in_consultation(Segment, segment_id, c)
    code_id = request.form.get("code_id", "")
    code = s.get(Code, int(code_id)) if code_id.isdigit() else None
    try:
        coding.add_code(s, seg, code, current_user(), from_candidates=request.form.get("bron") == "kandidaat")
    except coding.ReviewError as exc:
        s.rollback()
        flash(str(exc), "error")
        return _back(c, stay=seg.id)
    except ValueError:
        flash("Kies een code uit het codeboek.", "error")
        return _back(c, stay=seg.id)
    s.commit()
    _learn(c)
    return _back(c, stay=seg.id)


@bp.post("/accepteren")
@login_required(*REVIEWERS)
def accept_selected(slug: str):
    c = consultation_for_staff(slug)
    s = db()
    chosen = [ch for v in request.form.getlist("assignment") if (ch := _choice(v)) is not None]
    current = coding.current_suggestions(s, c, chosen)
    accepted = coding.accept_many(s, c, [a.id for a in current.values() if a is not None], current_user())
    gone = sum(a is None for a in current.values())
    if not accepted:
        if gone:
            text = ("Deze voorstellen zijn er intussen niet meer: het lerende model heeft de voorstellen vernieuwd. "
                    "Er is niets veranderd.")
        elif current:      # chosen, but someone (perhaps in another tab) decided on them meanwhile
            text = "Deze voorstellen zijn al beoordeeld. Er is niets veranderd."
        else:
            text = "Kies eerst een of meer voorstellen met het vakje ‘Kiezen’."
        flash(text, "error")
        return _back(c, after=None)
    s.commit()
    _learn(c)
    n = len(accepted)
    message = f"{n} {'voorstel' if n == 1 else 'voorstellen'} geaccepteerd."
    if gone:
        message += (f" {gone} {'voorstel was' if gone == 1 else 'voorstellen waren'} er intussen niet meer"
                    " (het lerende model heeft de voorstellen vernieuwd).")
    flash(message, "success")
    return _back(c, after=max(a.segment_id for a in accepted))


@bp.post("/ongedaan")
@login_required(*REVIEWERS)
def undo(slug: str):
    c = consultation_for_staff(slug)
    s = db()
    try:
        undone = coding.undo_last_decision(s, c, current_user())
    except coding.ReviewError as exc:
        s.rollback()
        flash(str(exc), "error")
        return _back(c, after=None)
    s.commit()
    what = dutch_labels(undone.labels)
    flash(f"Uw laatste beslissing is ongedaan gemaakt ({what}).", "success")
    return _back(c, stay=undone.segment_id)


def dutch_labels(labels: list[str]) -> str:
    unique = list(dict.fromkeys(labels))
    if len(labels) > 1:
        return f"{len(labels)} codes: {review.dutch_list(unique[:5])}"
    return review.dutch_list(unique)
