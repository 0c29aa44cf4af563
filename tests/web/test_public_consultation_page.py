"""The public consultation page over HTTP: the call to action comes first, for an open
consultation the survey, for a closed one the feedback page; the meetings table."""
from __future__ import annotations

from consult.models import Consultation, ConsultationStatus
from tests.web.conftest import SLUG


def test_call_to_action_before_the_description(client, world, db_session):
    html = client.get(f"/c/{SLUG}").get_data(as_text=True)
    cta, about = html.index('id="meedoen"'), html.index('id="waarover"')
    assert cta < about and html.index(f'href="/c/{SLUG}/v/wmo-vragen"') < about
    assert '<h2 id="meedoen">Doe mee</h2>' in html
    assert "<caption>Bijeenkomsten (1)</caption>" in html and 'data-label="Datum"' in html
    assert "Er was 1 bijeenkomst met samen 0 deelnemers." in html

    c = db_session.get(Consultation, world.consultation_id)
    c.status = ConsultationStatus.CLOSED
    db_session.commit()
    html = client.get(f"/c/{SLUG}").get_data(as_text=True)
    cta, about = html.index('id="meedoen"'), html.index('id="waarover"')
    assert '<h2 id="meedoen">Meedoen</h2>' in html and "geen vragenlijst open" in html
    assert html.index(f'class="button" href="/c/{SLUG}/terugkoppeling"') < about
