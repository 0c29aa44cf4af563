"""Public pages: the list of consultations and a consultation's own page."""
from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import func, select

from consult.models import (
    CHANNEL_LABELS, STANCE_LABELS, Consultation, ConsultationStatus, Response, ResponseStatus, Survey,
)
from consult.context import consultation_or_404, db

bp = Blueprint("public", __name__)


@bp.get("/")
def home():
    consultations = db().scalars(
        select(Consultation).where(Consultation.status != ConsultationStatus.DRAFT)
        .order_by(Consultation.starts_on.desc())).all()
    return render_template("public/home.html", consultations=consultations)


@bp.get("/c/<slug>")
def consultation(slug: str):
    c = consultation_or_404(slug)
    rows = db().execute(
        select(Survey.id, Response.channel, func.count(Response.id))
        .join(Response, Response.survey_id == Survey.id)
        .where(Survey.consultation_id == c.id, Response.status == ResponseStatus.SUBMITTED)
        .group_by(Survey.id, Response.channel)).all()
    per_survey: dict[int, dict[str, int]] = {}
    for survey_id, channel, count in rows:
        per_survey.setdefault(survey_id, {})[CHANNEL_LABELS[channel]] = count
    from consult.web.survey import survey_is_open

    open_surveys = [s for s in c.surveys if survey_is_open(s)]
    return render_template(
        "public/consultation.html", c=c, per_survey=per_survey, stance_labels=STANCE_LABELS,
        open_surveys=open_surveys,
        attendance_total=sum(m.attendance_total for m in c.meetings))
