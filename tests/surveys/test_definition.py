"""Parsing and validating survey definitions (YAML/JSON) — no database needed."""
from __future__ import annotations

import json

import pytest
import yaml

from surveys.definition import DefinitionError, parse_definition
from tests.web.conftest import SURVEY_YAML


def test_the_example_definition_parses_into_sections_and_questions():
    d = parse_definition(SURVEY_YAML)
    assert (d.slug, d.title, d.access) == ("wmo-vragen", "Vragenlijst Wmo", "open")
    assert d.sections == ["Over u", "Uw ervaring", "Tot slot"]
    assert [q.key for q in d.questions] == [
        "rol", "zwaarte", "wijk", "beter", "tevreden", "belangrijk", "volgorde", "toestemming"]
    assert [q.section for q in d.questions] == [0, 0, 0, 1, 1, 1, 1, 2]
    by_key = {q.key: q for q in d.questions}
    assert by_key["zwaarte"].options == {"choices": [{"value": "licht", "label": "Licht"},
                                                     {"value": "zwaar", "label": "Zwaar"}], "other": False}
    assert by_key["zwaarte"].condition == {"question": "rol", "equals": "mantelzorger"}
    assert by_key["tevreden"].options == {"min": 1, "max": 5, "labels": {"1": "Heel ontevreden", "5": "Heel tevreden"}}
    assert by_key["beter"].options == {"max_length": 5000} and by_key["beter"].required
    assert by_key["belangrijk"].options["other"] is True
    assert d.source["slug"] == "wmo-vragen"  # the raw definition is kept for editing


def test_json_and_dict_give_the_same_definition():
    data = yaml.safe_load(SURVEY_YAML)
    from_json = parse_definition(json.dumps(data))
    from_dict = parse_definition(data)
    assert from_json.questions == from_dict.questions == parse_definition(SURVEY_YAML).questions


def _one(question: dict, **top) -> dict:
    return {"slug": "s", "title": "T", "sections": [{"title": "Deel", "questions": [question]}], **top}


@pytest.mark.parametrize("data, message", [
    ("slug: [", "geen geldige YAML of JSON"),
    ("- een lijst", "moet een mapping"),
    ({"slug": "s", "title": "T"}, "veld 'sections' ontbreekt"),
    ({"slug": "s", "title": "T", "sections": 3}, "'sections' moet een lijst"),
    ({"slug": "s", "title": "T", "sections": [{"title": "x"}]}, "deel 1: heeft een lijst 'questions' nodig"),
    (_one({"key": "a", "type": "text_short", "label": "A"}, access="iedereen"), "'access' moet"),
    (_one({"key": "Vraag 1", "type": "text_short", "label": "A"}), "'key' mag alleen"),
    (_one({"key": "a", "type": "essay", "label": "A"}), "onbekend type 'essay'"),
    (_one({"key": "a", "type": "text_short", "label": " "}), "'label' (de vraag) ontbreekt"),
    (_one({"key": "a", "type": "single_choice", "label": "A"}), "'choices' moet een lijst"),
    (_one({"key": "a", "type": "single_choice", "label": "A", "choices": ["Ja", "ja"]}), "staat er twee keer in"),
    (_one({"key": "a", "type": "scale", "label": "A", "min": 5, "max": 1}), "een schaal heeft"),
    (_one({"key": "a", "type": "text_short", "label": "A", "condition": {"question": "a"}}),
     "'question' en 'equals' of 'includes'"),
    (_one({"key": "a", "type": "text_short", "label": "A", "condition": {"question": "later", "equals": 1}}),
     "geen eerdere vraag"),
])
def test_errors_say_what_and_where(data, message):
    with pytest.raises(DefinitionError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_definition(data)


def test_duplicate_keys_across_sections_are_refused():
    data = {"slug": "s", "title": "T", "sections": [
        {"questions": [{"key": "a", "type": "text_short", "label": "A"}]},
        {"questions": [{"key": "a", "type": "text_long", "label": "Nog eens A"}]}]}
    with pytest.raises(DefinitionError, match="vraag 'a': deze key komt twee keer voor"):
        parse_definition(data)


def test_defaults_for_titles_choices_and_text_lengths():
    d = parse_definition({"slug": "s", "title": "T", "sections": [{"questions": [
        {"key": "kort", "type": "text_short", "label": "Kort"},
        {"key": "keus", "type": "ranking", "label": "Volgorde",
         "choices": [{"value": "a", "label": "Eerst"}, "Daarna nog iets"]}]}]})
    assert d.sections == ["Deel 1"] and d.access == "open" and d.introduction == ""
    assert d.questions[0].options == {"max_length": 500}
    assert d.questions[1].options["choices"] == [{"value": "a", "label": "Eerst"},
                                                 {"value": "daarna_nog_iets", "label": "Daarna nog iets"}]
