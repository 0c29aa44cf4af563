"""Advice-response traceability: splitting, linking, stances, evaluation, the matrix export
and the bridge from the database (masked text, agreement figures)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from analysis import trace

DATA = Path(__file__).parent / "data"


def test_split_numbered_advice_drops_salutation_and_closing():
    letter = ("Geachte college,\n\nNaar aanleiding van de verkenning geven wij het volgende advies.\n\n"
              "1. Zorg dat mantelzorgers respijtzorg krijgen zonder lange wachttijd.\n"
              "2. Maak de regels voor hulpmiddelen eenvoudiger en schrijf brieven in gewone taal.\n"
              "Dit geldt vooral voor ouderen.\n\n"
              "3) Betrek de adviesraad vroeg bij het nieuwe beleidskader.\n\n"
              "Met vriendelijke groet,\n\nnamens de adviesraad\nJ. de Vries")
    points = trace.split_advice(letter)
    labels = [p.label for p in points]
    assert labels[-3:] == ["1", "2", "3"]
    assert "Dit geldt vooral voor ouderen." in points[-2].text
    assert not any(p.text.startswith(("Geachte", "Met vriendelijke")) for p in points)
    assert letter[points[-1].start:points[-1].end].startswith("Betrek de adviesraad")


def test_split_reaction_into_paragraphs():
    letter = ("Beste adviesraad,\n\nWij danken u voor uw advies.\n\nUw advies over respijtzorg nemen wij over.\n"
              "Wij breiden de respijtzorg in 2020 uit.\n\nHet college van burgemeester en wethouders")
    paras = trace.split_reaction(letter)
    assert [p.label for p in paras] == ["R1", "R2"]
    assert paras[1].text == "Uw advies over respijtzorg nemen wij over. Wij breiden de respijtzorg in 2020 uit."


@pytest.mark.parametrize("text, stance", [
    ("Uw opmerking over maatschappelijk werk zullen wij echter niet overnemen.", "niet_overgenomen"),
    ("Dit advies nemen wij gedeeltelijk over.", "deels_overgenomen"),
    ("Wij nemen uw advies over en passen de tekst aan.", "overgenomen"),
    ("Wij onderschrijven de suggestie om pilots te starten.", "overgenomen"),
    ("Wij onderschrijven uw zorg over de kwetsbare burger.", "onderschreven"),
    ("Wij herkennen de aandachtspunten van de adviesraad.", "kennisgenomen"),
])
def test_stance_cues(text, stance):
    assert trace.classify_stance([text], text)[0] == stance


def test_linker_finds_the_obvious_answers():
    points = [("1", "Zorg dat mantelzorgers respijtzorg krijgen zonder lange wachttijd."),
              ("2", "De scootmobielpool functioneert onvoldoende; de gemeente voert geen regie op hulpmiddelen."),
              ("3", "Betrek de adviesraad vroeg bij de inkoop van dagbesteding.")]
    paras = [("R1", "Wij danken u hartelijk voor uw advies."),
             ("R2", "Respijtzorg voor mantelzorgers breiden wij uit, zodat de wachttijd korter wordt. "
                    "Dit advies nemen wij over."),
             ("R3", "Bij de inkoop van dagbesteding betrekken wij de adviesraad niet; dat advies nemen wij niet over.")]
    result = trace.link(points, paras)
    pairs = {(l.point, l.paragraph): l for l in result.links}
    assert set(pairs) == {("1", "R2"), ("3", "R3")}
    assert pairs[("1", "R2")].stance == "overgenomen" and pairs[("3", "R3")].stance == "niet_overgenomen"
    assert result.unanswered == ["2"]
    assert pairs[("1", "R2")].shared and 0 < pairs[("1", "R2")].score <= 1.5


def test_evaluate_on_the_deventer_reference():
    data = json.loads((DATA / "trace-dev-deventer.json").read_text(encoding="utf-8"))
    result = trace.evaluate(data)
    for key in ("link_precision", "link_recall", "link_f1", "stance_accuracy", "unanswered_correct",
                "unanswered_gold", "unanswered_flagged"):
        assert key in result
    # a floor, not a target: the method must stay useful on the one real letter we have
    assert result["link_f1"] >= 0.6 and result["unanswered_gold"] == 2 and result["unanswered_correct"] >= 1


def test_trace_evaluate_command_prints_json():
    from consult.cli import cli

    result = CliRunner().invoke(cli, ["trace", "evaluate", "--gold", str(DATA / "trace-dev-deventer.json"), "--json"])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output)
    assert 0 <= scores["link_precision"] <= 1 and scores["unanswered_gold"] == 2
    result = CliRunner().invoke(cli, ["trace", "evaluate", "--gold", str(DATA / "trace-dev-deventer.json")])
    assert result.exit_code == 0 and "precision" in result.output and "unanswered" in result.output


# -- the database side --------------------------------------------------------------------

@pytest.fixture
def small(app):
    from consult.db import session_scope
    from tests.exports.helpers import build_small_consultation

    with session_scope(app.extensions["consult.sessions"]) as s:
        return build_small_consultation(s)


def test_trace_matrix_and_bridge(app, small, tmp_path):
    from consult.models import Consultation
    from consult.reporting import report_input, trace_matrix
    from exports.trace_matrix import render_trace_html, write_trace

    s = app.extensions["consult.sessions"]()
    try:
        c = s.get(Consultation, small["consultation"])
        m = trace_matrix(s, c)
        data = report_input(s, c)
    finally:
        s.close()
    # advice point -> paragraph -> stance -> action/status; point 2 unanswered
    assert m.unanswered == ["Adviesraad Testdorp punt 2"]
    row = next(r for r in m.advice_rows if r[1] == "1")
    assert row[3] == "R1" and row[5] == "bevestigd" and row[6] == "overgenomen"
    assert row[8] == "Respijtzorg in het beleidskader" and row[11] == "in uitvoering" and row[12] == "B&W 2019-123"
    # input -> segment -> code -> finding -> advice/decision, with masked text
    ev = [r for r in m.evidence_rows if r[4] == "Mantelzorgers hebben steun nodig"]
    texts = " ".join(r[2] for r in ev)
    assert "[naam]" in texts and "Jansen" not in texts
    assert any(r[3] == "Mantelzorg" and r[6] == "1" and "overgenomen" in r[7] and "2019-123" in r[8] for r in ev)
    html = render_trace_html(m)
    assert "Jansen" not in html and "geen antwoord" in html
    for fmt in ("xlsx", "docx", "html"):
        assert write_trace(m, fmt, tmp_path / f"t.{fmt}").stat().st_size > 1000
    # the report input uses masked text, and two coders give agreement figures
    seg = next(x for x in data.segments if x.id == small["masked_segment"])
    assert seg.text.startswith("Mevrouw [naam]") and seg.source_label == "deelnemer wijkbijeenkomst Bathmen"
    assert data.agreement and data.agreement[0].coders == ("user:1", "user:2")
    assert data.agreement[0].n_segments == 3
