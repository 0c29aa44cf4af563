"""Facilitators: meetings (type, date, place, neighbourhood, attendance per stakeholder
group), notes upload (.txt, .md, .docx, .pdf or pasted text), segments with table/group and
stakeholder group, and correcting the masking of personal data."""
from __future__ import annotations

import hashlib

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import select
from wtforms import DateField, IntegerField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from analysis.extract import ExtractionError, extract_text, normalise_text
from analysis.privacy import mask
from consult import jobs, review
from consult.audit import record
from consult.meetings import MeetingDetails, group_named_in, save_meeting
from consult.models import MEETING_TYPE_LABELS, Consultation, Document, Job, JobStatus, Meeting, MeetingType, Role
from consult.security import consultation_for_staff, current_user, login_required, sees_unmasked
from consult.context import db, get_in_consultation

bp = Blueprint("meetings", __name__, url_prefix="/beheer/c/<slug>")

EDITORS = (Role.ADMINISTRATOR, Role.FACILITATOR)


def _attendance_field(label: str) -> IntegerField:
    """A head count for one stakeholder group; its error names the group, so that the
    error summary says which of the fields it is about."""
    message = f"Vul bij ‘{label}’ een heel getal van 0 of meer in, of laat het veld leeg."
    return IntegerField(label, validators=[Optional(), NumberRange(0, 100000, message)],
                        invalid_value_message=message,
                        render_kw={"inputmode": "numeric", "class": "attendance-count", "min": "0"})


#: Dates are typed as the Dutch date picker shows them (dag-maand-jaar); the ISO form is
#: what a browser with a date picker sends.
DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y"]
DATE_MESSAGE = "Vul de datum in als dag-maand-jaar, bijvoorbeeld 14-05-2019, of kies hem in de kalender."


def meeting_form(c: Consultation, meeting: Meeting | None = None, formdata=None) -> FlaskForm:
    attrs = {
        "type": SelectField("Soort bijeenkomst", choices=[SelectChoice(k.value, v) for k, v in MEETING_TYPE_LABELS.items()]),
        "title": StringField("Naam van de bijeenkomst", validators=[DataRequired("Vul een naam in."), Length(max=300)]),
        "held_on": DateField("Datum", validators=[Optional()], format=DATE_FORMATS,
                             invalid_value_message=DATE_MESSAGE),
        "place": StringField("Plaats (adres van de locatie)", validators=[Length(max=300)]),
        "neighbourhood": SelectField("Wijk of dorp", choices=[SelectChoice("", "Geen wijk of dorp (voor de hele gemeente)")] + [
            SelectChoice(str(n.id), n.name) for n in c.organisation.neighbourhoods], validate_choice=False),
        "facilitator_name": StringField("Gespreksleider (als die geen account heeft)", validators=[Length(max=200)]),
        "description": TextAreaField("Korte beschrijving", validators=[Length(max=5000)]),
    }
    for g in c.stakeholder_groups:
        attrs[f"att_{g.id}"] = _attendance_field(g.label)
    cls = type("MeetingForm", (FlaskForm,), attrs)
    data = {}
    if meeting is not None:
        data = {"type": meeting.type.value, "title": meeting.title, "held_on": meeting.held_on,
                "place": meeting.place, "neighbourhood": str(meeting.neighbourhood_id or ""),
                "facilitator_name": meeting.facilitator_name, "description": meeting.description}
        for a in meeting.attendance:
            data[f"att_{a.stakeholder_group_id}"] = a.count
    return cls(formdata=formdata, data=data) if formdata is not None else cls(data=data)


def _meeting(c: Consultation, meeting_id: int) -> Meeting:
    return get_in_consultation(Meeting, meeting_id, c)


@bp.get("/bijeenkomsten")
@login_required()
def index(slug: str):
    c = consultation_for_staff(slug)
    return render_template("meetings/index.html", c=c)


@bp.route("/bijeenkomsten/nieuw", methods=["GET", "POST"])
@bp.route("/bijeenkomsten/<int:meeting_id>/bewerken", methods=["GET", "POST"])
@login_required(*EDITORS)
def edit(slug: str, meeting_id: int | None = None):
    c = consultation_for_staff(slug)
    meeting = _meeting(c, meeting_id) if meeting_id else None
    form = meeting_form(c, meeting, request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate():
        s = db()
        hood = form.neighbourhood.data or ""
        details = MeetingDetails(
            type=MeetingType(form.type.data), title=form.title.data, held_on=form.held_on.data,
            place=form.place.data or "", neighbourhood_id=int(hood) if hood.isdigit() else None,
            facilitator_name=form.facilitator_name.data or "", description=form.description.data or "")
        attendance = {g.id: form[f"att_{g.id}"].data for g in c.stakeholder_groups}
        meeting = save_meeting(s, c, meeting, details, attendance, current_user())
        s.commit()
        flash("De bijeenkomst is opgeslagen.", "success")
        return redirect(url_for(".detail", slug=slug, meeting_id=meeting.id))
    errors = {name: msgs[0] for name, msgs in form.errors.items() if msgs}
    counts = [form[f"att_{g.id}"].data for g in c.stakeholder_groups]
    total = sum(n for n in counts if isinstance(n, int) and n > 0)
    return render_template("meetings/edit.html", c=c, meeting=meeting, form=form, errors=errors,
                           attendance_total=total), (422 if errors else 200)


class UploadForm(FlaskForm):
    title = StringField("Titel van het verslag", validators=[Length(max=300)])
    file = FileField("Bestand: .txt, .md, .docx of .pdf")
    pasted = TextAreaField("Of plak de tekst van het verslag", render_kw={"rows": 10})


@bp.get("/bijeenkomsten/<int:meeting_id>")
@login_required()
def detail(slug: str, meeting_id: int):
    c = consultation_for_staff(slug)
    meeting = _meeting(c, meeting_id)
    return render_template("meetings/detail.html", c=c, meeting=meeting, form=UploadForm(), errors={},
                           max_mb=current_app.config["MAX_UPLOAD_MB"])


@bp.post("/bijeenkomsten/<int:meeting_id>/verslag")
@login_required(*EDITORS)
def upload(slug: str, meeting_id: int):
    c = consultation_for_staff(slug)
    meeting = _meeting(c, meeting_id)
    form = UploadForm()
    errors: dict[str, str] = {}
    if form.validate_on_submit():
        file = form.file.data
        filename, data = None, None
        if file and getattr(file, "filename", ""):
            filename = file.filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:300]
            data = file.read()
        pasted = (form.pasted.data or "").strip()
        try:
            if data is not None:
                extracted = extract_text(data, filename)
                text, media_type = extracted.text, extracted.media_type
            elif pasted:
                text, media_type = normalise_text(pasted), "text/plain"
                data = pasted.encode("utf-8")
            else:
                raise ExtractionError("Kies een bestand of plak de tekst van het verslag.")
        except ExtractionError as exc:
            errors["file"] = str(exc)
        else:
            s = db()
            sha = hashlib.sha256(data).hexdigest()
            duplicate = s.scalar(select(Document.id).where(Document.meeting_id == meeting.id, Document.sha256 == sha))
            if duplicate:
                flash("Dit verslag staat er al. Het is niet nog een keer toegevoegd.", "info")
                return redirect(url_for(".document", slug=slug, document_id=duplicate))
            title = (form.title.data or "").strip() or f"Verslag {meeting.title}"
            try:
                document = Document(consultation=c, meeting=meeting, title=title, filename=filename,
                                    media_type=media_type, sha256=sha, original=data, text=text,
                                    uploaded_by_id=current_user().id)
                s.add(document)
                s.flush()
                record(s, "upload_notes", document, actor=current_user(),
                       details={"filename": filename, "media_type": media_type, "sha256": sha})
                s.commit()
            except Exception:
                s.rollback()  # nothing is stored half
                raise
            # Cutting into segments, masking and coding run as a job, not in this request.
            try:
                jobs.enqueue_for_app(current_app, "segment_document", consultation=c, document=document,
                                     user=current_user())
                flash("Het verslag is opgeslagen. Het wordt nu in stukken verdeeld"
                      + (" en gecodeerd" if c.codebook_version is not None else "")
                      + ". Hieronder ziet u hoe ver dat is.", "success")
            except Exception:  # noqa: BLE001 - the notes are stored; 'consult code segment' can cut them
                s.rollback()
                current_app.logger.exception("queueing the segmenting of document %s failed", document.id)
                flash("Het verslag is opgeslagen, maar het verdelen in stukken kon niet beginnen. "
                      "Vraag de beheerder om het verslag opnieuw te laten verwerken.", "error")
            return redirect(url_for(".document", slug=slug, document_id=document.id))
    else:
        errors["file"] = "Het formulier is niet goed verstuurd. Probeer het opnieuw."
    return render_template("meetings/detail.html", c=c, meeting=meeting, form=form, errors=errors,
                           max_mb=current_app.config["MAX_UPLOAD_MB"]), 422


def _document(c: Consultation, document_id: int) -> Document:
    return get_in_consultation(Document, document_id, c)


#: The status line of a notes document, from its newest ``segment_document`` job (which
#: cuts the notes into segments and, with a codebook, codes them: consult/jobs.py).
PROCESSING_STATUS = {
    JobStatus.QUEUED: "Zodra een verwerker vrij is, wordt het verslag in stukken verdeeld{coded}. "
                      "Dat duurt meestal niet lang.",
    JobStatus.RUNNING: "Het verslag wordt nu in stukken verdeeld{coded}.",
    JobStatus.FINISHED: "Het verslag is in stukken verdeeld{coded}.",
    JobStatus.FAILED: "Het verdelen in stukken is niet gelukt. Vraag de beheerder om het verslag "
                      "opnieuw te laten verwerken.",
}
#: What the job does with a codebook, per state (consult.jobs codes the new segments).
CODED = {JobStatus.QUEUED: " en krijgt elk stuk voorstellen voor codes",
         JobStatus.RUNNING: " en krijgt elk stuk voorstellen voor codes",
         JobStatus.FINISHED: " en heeft elk stuk voorstellen voor codes gekregen",
         JobStatus.FAILED: ""}


def processing(doc: Document) -> Job | None:
    """The newest job that cuts ``doc`` into segments, or None."""
    return db().scalar(select(Job).where(Job.document_id == doc.id, Job.kind == "segment_document")
                       .order_by(Job.id.desc()).limit(1))


def processing_view(c: Consultation, job: Job | None) -> dict | None:
    """What the document page says about its job: state, what it does, what comes next."""
    if job is None:
        return None
    coded = c.codebook_version is not None
    return {"job": job, "kind": jobs.kind_label(job), "state_label": jobs.STATUS_LABELS[job.status],
            "text": PROCESSING_STATUS[job.status].format(coded=CODED[job.status] if coded else ""),
            "summary": jobs.result_summary(job) if job.status == JobStatus.FINISHED else [],
            "coded": coded, "busy": job.status in jobs.ACTIVE}


@bp.route("/documenten/<int:document_id>", methods=["GET", "POST"])
@login_required()
def document(slug: str, document_id: int):
    c = consultation_for_staff(slug)
    doc = _document(c, document_id)
    user = current_user()
    unmasked = sees_unmasked(user)
    if request.method == "POST":
        if user.role not in EDITORS:
            abort(403)
        s = db()
        groups = {str(g.id): g.id for g in c.stakeholder_groups}
        changes = []
        for seg in doc.segments:
            label = request.form.get(f"group-{seg.id}", seg.group_label).strip()[:120]
            group = request.form.get(f"stakeholder-{seg.id}", str(seg.stakeholder_group_id or ""))
            masked = request.form.get(f"masked-{seg.id}")
            change = {}
            if label != seg.group_label:
                change["group_label"] = [seg.group_label, label]
                seg.group_label = label
            new_group = groups.get(group)
            if new_group != seg.stakeholder_group_id:
                change["stakeholder_group_id"] = [seg.stakeholder_group_id, new_group]
                seg.stakeholder_group_id = new_group
            if masked is not None:
                masked = masked.strip()
                if request.form.get(f"remask-{seg.id}"):
                    masked = mask(seg.text)
                if masked and masked != seg.masked_text:
                    change["masked_text"] = "corrected"  # never log the personal data itself
                    seg.masked_text = masked
            if change:
                changes.append({"segment": seg.id, **change})
        if changes:
            record(s, "update_segments", doc, actor=user, details={"changes": changes})
            s.commit()
            flash(f"{len(changes)} stukken bijgewerkt.", "success")
        else:
            flash("Er was niets veranderd.", "info")
        return redirect(url_for(".document", slug=slug, document_id=doc.id))
    p = processing_view(c, processing(doc))
    groups = list(c.stakeholder_groups)
    proposed = {seg.id: g.id for seg in doc.segments if seg.group_label and seg.stakeholder_group_id is None
                for g in [group_named_in(seg.group_label, groups)] if g is not None}
    return render_template("meetings/document.html", c=c, doc=doc, unmasked=unmasked,
                           editable=user.role in EDITORS, p=p, busy=bool(p and p["busy"]),
                           furniture=sum(1 for seg in doc.segments if seg.furniture), proposed=proposed,
                           furniture_reason=review.furniture_reason)
