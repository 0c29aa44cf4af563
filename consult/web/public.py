"""Public pages: the list of consultations, a consultation's own page, the organisation's logo."""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template
from sqlalchemy import select

from consult.models import CHANNEL_LABELS, STANCE_LABELS, Consultation, ConsultationStatus
from consult.context import db
from consult.organisation import logo as stored_logo
from consult.retention import purge_due_on
from consult.security import public_consultation
from surveys.responses import submitted_counts

bp = Blueprint("public", __name__)


@bp.get("/")
def home():
    consultations = db().scalars(
        select(Consultation).where(Consultation.status != ConsultationStatus.DRAFT)
        .order_by(Consultation.starts_on.desc())).all()
    return render_template("public/home.html", consultations=consultations)


@bp.get("/c/<slug>")
def consultation(slug: str):
    c = public_consultation(slug)
    per_survey = {survey_id: {CHANNEL_LABELS[channel]: n for channel, n in by_channel.items()}
                  for survey_id, by_channel in submitted_counts(db(), c).items()}
    return render_template(
        "public/consultation.html", c=c, per_survey=per_survey, stance_labels=STANCE_LABELS,
        open_surveys=[s for s in c.surveys if s.is_open()],
        attendance_total=sum(m.attendance_total for m in c.meetings),
        retention_until=purge_due_on(c, int(current_app.config["RETENTION_MONTHS"])))


#: An SVG logo opened on its own must not run anything (it is checked on upload too).
LOGO_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


@bp.get("/organisatie/logo")
def logo():
    found = stored_logo(db())
    if found is None:
        abort(404)
    data, media_type = found
    response = Response(data, mimetype=media_type)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = LOGO_CSP
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
