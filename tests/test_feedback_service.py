"""Feedback to participants (``consult.feedback``) on real databases: themes and findings for
a receipt code, nothing for unknown codes, and what came of the consultation for everyone."""
from __future__ import annotations

from datetime import date

from consult.feedback import FeedbackTheme, outcome, participant_feedback
from consult.models import Decision, Finding, FindingKind
from consult.reporting import get_consultation
from tests.exports.helpers import OTHER_RECEIPT, RECEIPT, SLUG, build_small_consultation


def test_receipt_code_gives_themes_and_findings_without_text(session):
    build_small_consultation(session)
    c = get_consultation(session, SLUG)
    mine = participant_feedback(session, c, RECEIPT)
    assert mine.themes == [FeedbackTheme("Mantelzorg", 1), FeedbackTheme("Vervoer", 1)]
    assert mine.coded and mine.segmented
    assert [(f.kind, f.title, f.themes) for f in mine.findings] == [
        ("bevinding", "Mantelzorgers hebben steun nodig", ["Mantelzorg"])]
    other = participant_feedback(session, c, OTHER_RECEIPT)
    assert [(f.title, f.themes) for f in other.findings] == [("Minder regels", ["Regels en formulieren"])]
    assert participant_feedback(session, c, "ZZZZ-ZZZZ-ZZZZ") is None


def test_outcome_splits_scenarios_and_orders_decisions(session):
    build_small_consultation(session)
    c = get_consultation(session, SLUG)
    session.add_all([
        Finding(consultation=c, kind=FindingKind.SCENARIO, title="Scenario A", position=2),
        Decision(consultation=c, taken_on=None, text="Nog te nemen."),
        Decision(consultation=c, taken_on=date(2019, 9, 1), text="Eerder besluit."),
    ])
    session.flush()
    session.refresh(c)
    shown = outcome(session, c)
    assert [f.title for f in shown.findings] == ["Mantelzorgers hebben steun nodig", "Minder regels"]
    assert [f.title for f in shown.scenarios] == ["Scenario A"]
    assert [d.taken_on for d in shown.decisions] == [date(2019, 9, 1), date(2019, 10, 1), None]
    assert [p.label for p in shown.advice[0].points] == ["1", "2"]
