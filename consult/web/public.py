"""Public pages: the list of consultations and a consultation's own page."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template
from sqlalchemy import select

from consult.models import CHANNEL_LABELS, STANCE_LABELS, Consultation, ConsultationStatus
from consult.context import db
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
