"""Facilitators over HTTP: the meeting form (labels, dates as the date picker shows them,
one neighbourhood, errors that name their group, the attendance total) and notes: table
and group headings fill the table field, furniture is kept but never coded, and the
document page says what its job is doing and what comes next."""
from __future__ import annotations

import re

from sqlalchemy import select

from consult.models import CodeAssignment, Consultation, Document, Meeting
from tests.jobqueue import drain_jobs
from tests.web.conftest import SLUG, csrf_token, login

STAFF = f"/beheer/c/{SLUG}"
NEW = f"{STAFF}/bijeenkomsten/nieuw"


def test_meeting_form_labels_dates_and_errors_per_group(client, world, db_session):
    login(client, "gesprek@test.nl")
    html = client.get(NEW).get_data(as_text=True)
    # "(verplicht)" is part of the label
    assert re.search(r'<label for="title">Naam van de bijeenkomst <span class="required">\(verplicht\)</span></label>', html)
    assert 'type="date"' in html and "Dag-maand-jaar, bijvoorbeeld 14-05-2019" in html
    assert "Geen of meer wijken" not in html and "Geen wijk of dorp (voor de hele gemeente)" in html
    assert "multiple" not in re.search(r'<select[^>]*id="neighbourhood"[^>]*>', html).group(0)
    fields = re.findall(r'name="(att_\d+)"', html)
    groups = db_session.get(Consultation, world.consultation_id).stakeholder_groups
    labels = {f"att_{g.id}": g.label for g in groups}

    data = {"csrf_token": csrf_token(client, NEW), "type": "wijkbijeenkomst", "title": "Tafelgesprek",
            "held_on": "32-13-2019", fields[0]: "-3", fields[1]: "veel", fields[2]: "4"}
    r = client.post(NEW, data=data)
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    summary = re.search(r'<div class="error-summary".*?</div>', html, re.S).group(0)
    # every attendance error says which group it is about, and links to its field
    for name in fields[:2]:
        assert f'href="#{name}"' in summary and f"Vul bij ‘{labels[name]}’ een heel getal" in summary
    assert "Not a valid" not in html and "dag-maand-jaar" in summary
    # the total of what was sent (the valid counts), updated live by attendance.js
    assert re.search(r'<output id="deelnemers-som"[^>]*>4</output>', html)

    # dates typed as the Dutch date picker shows them, or as the browser sends them
    for typed in ("14-05-2019", "2019-05-14"):
        data = {"csrf_token": csrf_token(client, NEW), "type": "wijkbijeenkomst", "title": f"Bijeenkomst {typed}",
                "held_on": typed, fields[0]: "12", fields[1]: "3"}
        r = client.post(NEW, data=data)
        assert r.status_code == 302, r.get_data(as_text=True)
        meeting = db_session.get(Meeting, int(r.headers["Location"].rsplit("/", 1)[1]))
        assert meeting.held_on.isoformat() == "2019-05-14" and meeting.attendance_total == 15
    edit = client.get(r.headers["Location"] + "/bewerken").get_data(as_text=True)
    assert re.search(r'<output id="deelnemers-som"[^>]*>15</output>', edit)


NOTES = """Verslag wijkbijeenkomst Keizerslanden, 21 mei 2019
Aanwezig: 14 bewoners, 6 mantelzorgers en 2 medewerkers van het sociaal team.

Tafel 1 – mantelzorgers
Mantelzorgers zijn moe en willen vaker een dag vrij van de zorg.
Tafel 2: ouderen
De taxi naar de dagbesteding komt vaak te laat.

Groep 3 (jongeren)
- Het formulier voor de Wmo is te ingewikkeld.

Figuur 1. Mantelzorg in de wijk

Gespreksleider: Anouk Verbeek
"""


def test_notes_tables_furniture_and_the_job_on_the_document_page(client, world, db_session, app):
    login(client, "gesprek@test.nl")
    meeting_url = f"{STAFF}/bijeenkomsten/{world.meeting_id}"
    r = client.post(f"{meeting_url}/verslag", data={"csrf_token": csrf_token(client, meeting_url),
                                                    "title": "Verslag Keizerslanden", "pasted": NOTES})
    assert r.status_code == 302
    doc_url = r.headers["Location"]
    html = client.get(doc_url).get_data(as_text=True)
    # before the job ran: which job, its state, what it will do, where to follow it
    section = re.search(r'<section class="job-status" id="verwerking".*?</section>', html, re.S).group(0)
    assert "Verslag in stukken verdelen" in section and "in de wachtrij" in section
    assert "krijgt elk stuk voorstellen voor codes" in section and "Bekijk de taak" in section
    assert 'http-equiv="refresh"' in html and "document-job.js" in html  # without JavaScript: noscript

    drain_jobs(app)
    html = client.get(doc_url).get_data(as_text=True)
    section = re.search(r'<section class="job-status" id="verwerking".*?</section>', html, re.S).group(0)
    assert "klaar" in section and "stukken gemaakt" in section and "geen code" in section
    assert 'http-equiv="refresh"' not in html
    db_session.expire_all()
    doc = db_session.scalar(select(Document).where(Document.title == "Verslag Keizerslanden"))
    by_text = {s.text: s for s in doc.segments}
    furniture = [s.text for s in doc.segments if s.furniture]
    assert furniture == ["Verslag wijkbijeenkomst Keizerslanden, 21 mei 2019",
                         "Aanwezig: 14 bewoners, 6 mantelzorgers en 2 medewerkers van het sociaal team.",
                         "Figuur 1. Mantelzorg in de wijk", "Gespreksleider: Anouk Verbeek"]
    assert by_text["Mantelzorgers zijn moe en willen vaker een dag vrij van de zorg."].group_label == "Tafel 1 – mantelzorgers"
    assert by_text["De taxi naar de dagbesteding komt vaak te laat."].group_label == "Tafel 2: ouderen"
    assert by_text["Het formulier voor de Wmo is te ingewikkeld."].group_label == "Groep 3 (jongeren)"
    coded = set(db_session.scalars(select(CodeAssignment.segment_id).where(
        CodeAssignment.segment_id.in_([s.id for s in doc.segments]))))
    # furniture is never coded ("mantelzorgers" in the attendance line matches a keyword);
    # the content is
    assert not coded & {s.id for s in doc.segments if s.furniture}
    assert by_text["Mantelzorgers zijn moe en willen vaker een dag vrij van de zorg."].id in coded
    assert html.count("Niet gecodeerd") == 4
    # each says why: a line about the meeting, or the document's own furniture (a caption)
    assert html.count("Over de bijeenkomst zelf (titel, aanwezigen of datum).") == 3
    assert html.count("Een inhoudsopgave, kop, bijschrift, tabel of bronvermelding.") == 1
    # the review list and its counts leave furniture out: it is never coded
    login(client, "beleid@test.nl")
    review_html = client.get(f"{STAFF}/codering", query_string={"status": "all"}).get_data(as_text=True)
    listed = {int(i) for i in re.findall(r'<li class="segment" id="segment-(\d+)"', review_html)}
    assert listed and not listed & {s.id for s in doc.segments if s.furniture}
    assert by_text["De taxi naar de dagbesteding komt vaak te laat."].id in listed
    # one meeting's notes alone: the notes page links to them, the filter lists the notes
    assert f'<option value="{doc.id}">Verslag Keizerslanden</option>' in review_html
    writer_view = client.get(doc_url).get_data(as_text=True)
    assert f'/codering?verslag={doc.id}">Voorstellen bij dit verslag beoordelen</a>' in writer_view
    only = client.get(f"{STAFF}/codering", query_string={"status": "all", "verslag": doc.id}).get_data(as_text=True)
    listed_here = {int(i) for i in re.findall(r'<li class="segment" id="segment-(\d+)"', only)}
    assert listed_here == {s.id for s in doc.segments if not s.furniture} and listed_here < listed
    login(client, "gesprek@test.nl")
    # the label names a stakeholder group: proposed in the select, stored once saved
    tafel1 = by_text["Mantelzorgers zijn moe en willen vaker een dag vrij van de zorg."]
    mantelzorger = next(g for g in db_session.get(Consultation, world.consultation_id).stakeholder_groups
                        if g.key == "mantelzorger")
    select_html = re.search(rf'<select id="stakeholder-{tafel1.id}".*?</select>', html, re.S).group(0)
    assert f'<option value="{mantelzorger.id}" selected>' in select_html
    assert "Voorstel uit ‘Tafel 1 – mantelzorgers’" in html
    ouderen = by_text["De taxi naar de dagbesteding komt vaak te laat."]  # "ouderen" is no group here
    assert " selected" not in re.search(rf'<select id="stakeholder-{ouderen.id}".*?</select>', html, re.S).group(0)
    r = client.post(doc_url, data={"csrf_token": csrf_token(client, doc_url),
                                   f"stakeholder-{tafel1.id}": str(mantelzorger.id)})
    assert r.status_code == 302
    db_session.expire_all()
    assert db_session.get(type(tafel1), tafel1.id).stakeholder_group_id == mantelzorger.id
    # a coding run of the whole consultation leaves the furniture alone too
    from consult.coding import code_consultation
    code_consultation(db_session, db_session.get(Consultation, world.consultation_id))
    db_session.commit()
    assert not set(db_session.scalars(select(CodeAssignment.segment_id).where(
        CodeAssignment.segment_id.in_([s.id for s in doc.segments if s.furniture]))))
    # the data export keeps every segment and says which are furniture
    from consult.reporting import data_tables
    table = next(t for t in data_tables(db_session, db_session.get(Consultation, world.consultation_id))
                 if t.name == "segmenten")
    col = table.headers.index("opmaak")
    flags = {row[0]: row[col] for row in table.rows}
    assert {i for i, flag in flags.items() if flag} == {s.id for s in doc.segments if s.furniture}


def test_group_named_in_a_table_label():
    from types import SimpleNamespace

    from consult.meetings import group_named_in
    from consult.models import DEFAULT_STAKEHOLDER_GROUPS

    groups = [SimpleNamespace(key=k, label=label) for k, label in DEFAULT_STAKEHOLDER_GROUPS]
    named = {label: getattr(group_named_in(label, groups), "key", None) for label in (
        "Tafel 1 – mantelzorgers", "Groep 3 (cliënten)", "Tafel 4 - sociaal team", "Tafel 2: Zorgaanbieders",
        "Tafel 2: ouderen", "Tafel 3", "Tafel 5: inwoners en vrijwilligers")}
    assert named == {"Tafel 1 – mantelzorgers": "mantelzorger", "Groep 3 (cliënten)": "client",
                     "Tafel 4 - sociaal team": "sociaal_team", "Tafel 2: Zorgaanbieders": "zorgaanbieder",
                     "Tafel 2: ouderen": None, "Tafel 3": None,
                     "Tafel 5: inwoners en vrijwilligers": None}  # two groups: no proposal
