"""The results dashboard over HTTP: every staff member of the consultation may open it
(facilitators too), others get 404; the numbers on the page are those in the database,
with small counts shown as "minder dan 5"; charts are inline SVG with a table."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter

import lxml.html
from sqlalchemy import func, select

from consult.models import (
    CHANNEL_LABELS, AssignmentStatus, CodeAssignment, MeetingAttendance, Participant, Response, ResponseStatus,
    Segment, StakeholderGroup,
)
from tests.test_dashboard_service import add_results
from tests.web.conftest import SLUG, login

URL = f"/beheer/c/{SLUG}/resultaten"
SMALL = "minder dan 5"


def shown(n: int) -> str:
    return SMALL if 0 < n < 5 else f"{n:,}".replace(",", ".")


def tables(html: str) -> dict[str, dict[str, str]]:
    """Caption -> {row label: shown count} for every count table on the page."""
    doc = lxml.html.fromstring(html)
    out = {}
    for table in doc.xpath('//table[contains(@class, "count-table")]'):
        caption = table.xpath("caption")[0].text_content().strip()
        out[caption] = {tr.xpath("th")[0].text_content().strip(): tr.xpath("td")[0].text_content().strip()
                        for tr in table.xpath("tbody/tr")}
    return out


def with_results(app, world, db_session):
    add_results(db_session, world)
    db_session.commit()


def test_facilitator_member_sees_the_dashboard_with_numbers_from_the_database(client, world, db_session, app):
    with_results(app, world, db_session)
    login(client, "gesprek@test.nl")  # a facilitator who is a member
    r = client.get(URL)
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "<h1>Resultaten</h1>" in html
    assert 'aria-current="page">Resultaten</a>' in html  # the tab in the consultation's navigation
    t = tables(html)

    submitted = (Response.survey_id == world.survey_id, Response.status == ResponseStatus.SUBMITTED)
    by_channel = dict(db_session.execute(select(Response.channel, func.count()).where(*submitted)
                                         .group_by(Response.channel)).all())
    assert t["Ingevulde vragenlijsten per kanaal"] == {
        label.capitalize(): shown(by_channel.get(ch, 0)) for ch, label in CHANNEL_LABELS.items()}
    by_group = Counter(dict(db_session.execute(
        select(StakeholderGroup.label, func.count(Response.id))
        .join(Participant, Participant.id == Response.participant_id)
        .join(StakeholderGroup, StakeholderGroup.id == Participant.stakeholder_group_id)
        .where(*submitted).group_by(StakeholderGroup.label)).all()))
    groups = t["Ingevulde vragenlijsten per groep"]
    assert groups["Mantelzorger"] == shown(by_group["Mantelzorger"]) == "7"
    assert groups["Inwoner"] == shown(by_group["Inwoner"]) == SMALL
    assert groups["Cliënt"] == "0"
    assert t["Ingevulde vragenlijsten per wijk of dorp"]["Keizerslanden"] == "7"
    assert t["Ingevulde vragenlijsten per dag"]["3 mei 2019"] == SMALL
    attendance = dict(db_session.execute(select(StakeholderGroup.label, MeetingAttendance.count)
                                         .join(StakeholderGroup)).all())
    assert t["Aanwezigen bij bijeenkomsten per groep"]["Inwoner"] == shown(attendance["Inwoner"]) == "14"
    assert t["Aanwezigen bij bijeenkomsten per groep"]["Mantelzorger"] == SMALL
    assert t["Hoe zwaar is de zorg voor uw naaste?"] == {"Licht": SMALL, "Zwaar": "6"}
    assert t["Wat vindt u belangrijk?"]["Anders, namelijk"] == SMALL

    accepted = db_session.scalar(select(func.count(func.distinct(CodeAssignment.segment_id)))
                                 .where(CodeAssignment.status == AssignmentStatus.ACCEPTED))
    assert t["Thema’s: segmenten met een geaccepteerde code"]["Mantelzorg"] == str(accepted) == "1"
    segments = db_session.scalar(select(func.count(Segment.id)))
    assert f"1 van {segments} stukken beoordeeld" in html
    assert "Codes: 1 geaccepteerd, 1 afgewezen, 1 voorstel wacht op een besluit." in html
    total = db_session.scalar(select(func.count(Response.id)).where(*submitted))
    assert f'<span class="figure">{total}</span> ingevulde vragenlijsten' in html

    # every chart: inline SVG, valid XML, with role, title and a table to show
    doc = lxml.html.fromstring(html)
    svgs = doc.xpath("//svg")
    assert len(svgs) == len(t) == 11
    for svg in svgs:
        root = ET.fromstring(lxml.html.tostring(svg, encoding="unicode").replace(
            "<svg ", '<svg xmlns:svg="http://www.w3.org/2000/svg" ', 1))
        assert root.get("role") == "img" and root.get("aria-labelledby")
        summary = svg.getparent().getparent().xpath("details/summary")[0]
        assert summary.text_content().startswith("Toon als tabel")


def test_policy_writer_and_administrator_may_open_it(client, world, db_session, app):
    with_results(app, world, db_session)
    for email in ("beleid@test.nl", "admin@test.nl"):
        login(client, email)
        assert client.get(URL).status_code == 200


def test_non_member_gets_404_and_anonymous_must_log_in(client, world):
    r = client.get(URL)
    assert r.status_code == 302 and "/inloggen" in r.headers["Location"]
    login(client, "ander@test.nl")  # a policy writer, not a member of this consultation
    assert client.get(URL).status_code == 404
    assert client.get("/beheer/c/bestaat-niet/resultaten").status_code == 404


def test_empty_dashboard_says_there_is_nothing_yet(client, world):
    login(client, "gesprek@test.nl")
    html = client.get(URL).get_data(as_text=True)
    assert "Nog geen ingevulde vragenlijsten." in html
    assert "Nog geen geaccepteerde codes." in html
    assert "0 van 2 stukken beoordeeld" in html


def test_labels_from_staff_are_escaped_in_tables_and_charts(client, world, db_session, app):
    hostile = '<script>alert(1)</script> & "Mantel"'
    group = db_session.scalar(select(StakeholderGroup).where(StakeholderGroup.key == "mantelzorger"))
    group.label = hostile
    with_results(app, world, db_session)
    login(client, "gesprek@test.nl")
    html = client.get(URL).get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt; &amp;") >= 4  # two tables and two charts
    assert tables(html)["Ingevulde vragenlijsten per groep"][hostile] == "7"
    assert "Gaat het om 1 tot en met 4 mensen, dan staat er ‘minder dan 5’." in html
