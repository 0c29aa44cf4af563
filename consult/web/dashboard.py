"""The results dashboard of a consultation (all staff members, facilitators included):
responses per day, channel, neighbourhood and group, meeting attendance, closed-question
distributions, themes from accepted codes and review progress. The numbers come from
:func:`consult.dashboard.consultation_dashboard`; charts are inline SVG, no JavaScript."""
from __future__ import annotations

from flask import Blueprint, render_template

from consult.context import db
from consult.dashboard import consultation_dashboard
from consult.security import consultation_for_staff, login_required

bp = Blueprint("dashboard", __name__, url_prefix="/beheer")


@bp.get("/c/<slug>/resultaten")
@login_required()
def index(slug: str):
    c = consultation_for_staff(slug)
    return render_template("dashboard/index.html", c=c, d=consultation_dashboard(db(), c))
