"""Conditions, page forms and reading answers back (WTForms), on transient Question rows."""
from __future__ import annotations

import pytest
from flask import Flask
from werkzeug.datastructures import MultiDict

from consult.models import Question, QuestionType
from surveys.definition import parse_definition
from surveys.forms import (
    OTHER, build_page_form, condition_met, display_answer, question_choices, read_page, section_pages,
    visible_questions,
)
from tests.web.conftest import SURVEY_YAML

HOODS = [("Binnenstad", "Binnenstad"), ("Bathmen", "Bathmen")]
GROUPS = [("inwoner", "Inwoner"), ("mantelzorger", "Mantelzorger")]


@pytest.fixture(scope="module")
def questions() -> dict[str, Question]:
    d = parse_definition(SURVEY_YAML)
    return {q.key: Question(key=q.key, position=i, section=q.section, type=QuestionType(q.type), label=q.label,
                            required=q.required, options=q.options, condition=q.condition)
            for i, q in enumerate(d.questions)}


@pytest.fixture
def request_context():
    app = Flask(__name__)
    app.config.update(SECRET_KEY="forms-test", WTF_CSRF_ENABLED=False)
    with app.test_request_context(method="POST"):
        yield


def test_conditions_equals_and_includes():
    q = Question(key="x", type=QuestionType.TEXT_SHORT, label="X", condition={"question": "rol", "equals": "mantelzorger"})
    assert condition_met(q, {"rol": "mantelzorger"}) and not condition_met(q, {"rol": "inwoner"})
    assert condition_met(q, {"rol": ["inwoner", "mantelzorger"]})  # equals also matches inside a list
    inc = Question(key="y", type=QuestionType.TEXT_SHORT, label="Y", condition={"question": "k", "includes": "a"})
    assert condition_met(inc, {"k": ["a", "b"]}) and not condition_met(inc, {"k": "a"}) and not condition_met(inc, {})


def test_hidden_questions_do_not_feed_later_conditions():
    a = Question(key="a", position=0, type=QuestionType.SINGLE_CHOICE, label="A")
    b = Question(key="b", position=1, type=QuestionType.SINGLE_CHOICE, label="B", condition={"question": "a", "equals": "ja"})
    c = Question(key="c", position=2, type=QuestionType.TEXT_SHORT, label="C", condition={"question": "b", "equals": "ja"})
    assert visible_questions([c, b, a], {"a": "ja", "b": "ja"}) == [a, b, c]
    # b is hidden once a changes, so its stale answer no longer shows c
    assert visible_questions([a, b, c], {"a": "nee", "b": "ja"}) == [a]
    assert section_pages([Question(key="p", section=2), Question(key="q", section=0),
                          Question(key="r", section=2)]) == [0, 2]


def test_choices_per_question_type(questions):
    assert question_choices(questions["wijk"], HOODS, GROUPS) == HOODS
    assert question_choices(questions["rol"], HOODS, GROUPS) == GROUPS
    assert question_choices(questions["tevreden"], HOODS, GROUPS) == [
        ("1", "1 – Heel ontevreden"), ("2", "2"), ("3", "3"), ("4", "4"), ("5", "5 – Heel tevreden")]
    assert question_choices(questions["zwaarte"], HOODS, GROUPS) == [("licht", "Licht"), ("zwaar", "Zwaar")]


def _page(questions, keys, data, *, check_required=True):
    qs = [questions[k] for k in keys]
    form, specs = build_page_form(qs, neighbourhoods=HOODS, groups=GROUPS, answers={}, texts={},
                                  formdata=MultiDict(data))
    return read_page(form, specs, check_required=check_required)


def test_read_page_parses_values_and_texts(questions, request_context):
    parsed, errors = _page(questions, ["beter", "tevreden", "belangrijk"], [
        ("q_beter", "  Minder formulieren. "), ("q_tevreden", "4"),
        ("q_belangrijk", "minder_regels"), ("q_belangrijk", OTHER), ("q_belangrijk__other", "Een vast gezicht")])
    assert errors == {}
    assert parsed == {"beter": (None, "Minder formulieren."), "tevreden": (4, None),
                      "belangrijk": (["minder_regels", OTHER], "Een vast gezicht")}


def test_read_page_errors_in_plain_dutch(questions, request_context):
    _, errors = _page(questions, ["beter", "belangrijk", "toestemming"], [
        ("q_belangrijk", OTHER), ("q_belangrijk", "onzin")])
    assert errors["q_beter"] == "Vul een antwoord in bij: Wat kan er beter?"
    assert errors["q_belangrijk-0"] == "Kies alleen uit de getoonde antwoorden."
    assert errors["q_belangrijk__other"] == "U koos ‘anders’. Vul in wat u bedoelt."
    assert errors["q_toestemming"].startswith("Zet een vinkje om toestemming te geven.")
    # "save and continue later" still checks what was filled in, not what is missing
    _, later = _page(questions, ["beter", "belangrijk"], [("q_belangrijk", "onzin")], check_required=False)
    assert list(later) == ["q_belangrijk-0"]


def test_ranking_without_javascript(questions, request_context):
    parsed, errors = _page(questions, ["volgorde"], [
        ("q_volgorde__snelheid", "2"), ("q_volgorde__vriendelijkheid", "1"), ("q_volgorde__deskundigheid", "")])
    assert errors == {} and parsed == {"volgorde": (["vriendelijkheid", "snelheid"], None)}
    _, errors = _page(questions, ["volgorde"], [("q_volgorde__snelheid", "1"), ("q_volgorde__vriendelijkheid", "1")])
    assert errors == {"q_volgorde__vriendelijkheid": "U gaf nummer 1 twee keer. Geef elk nummer maar één keer."}


def test_stored_answers_prefill_the_form(questions, request_context):
    qs = [questions[k] for k in ("tevreden", "belangrijk", "volgorde")]
    form, specs = build_page_form(qs, neighbourhoods=HOODS, groups=GROUPS, texts={"belangrijk": "Iets anders"},
                                  answers={"tevreden": 3, "belangrijk": ["hulp_dichtbij", OTHER],
                                           "volgorde": ["deskundigheid", "snelheid"]})
    assert form["q_tevreden"].data == "3" and form["q_belangrijk"].data == ["hulp_dichtbij", OTHER]
    assert form["q_belangrijk__other"].data == "Iets anders"
    assert form["q_volgorde__deskundigheid"].data == "1" and form["q_volgorde__vriendelijkheid"].data == ""
    assert [s.first_id for s in specs] == ["q_tevreden-0", "q_belangrijk-0", "q_volgorde__snelheid"]


def test_display_answer_reads_back_as_the_participant_chose(questions):
    assert display_answer(questions["volgorde"], ["snelheid", "deskundigheid"], None, HOODS, GROUPS) == \
        "1. Snelheid, 2. Deskundigheid"
    assert display_answer(questions["belangrijk"], ["hulp_dichtbij", OTHER], "Buurtbus", HOODS, GROUPS) == \
        "Hulp dichtbij, Anders, namelijk: Buurtbus"
    assert display_answer(questions["tevreden"], 5, None, HOODS, GROUPS) == "5 – Heel tevreden"
    assert display_answer(questions["toestemming"], True, None, HOODS, GROUPS) == "Ja, ik geef toestemming"
    assert display_answer(questions["beter"], None, "Meer tijd", HOODS, GROUPS) == "Meer tijd"
    assert display_answer(questions["rol"], None, None, HOODS, GROUPS) == ""
