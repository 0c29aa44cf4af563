"""Survey definitions: the YAML/JSON format staff write, parsed and validated.

A definition looks like::

    slug: wmo-in-uw-wijk
    title: Wmo in uw wijk
    introduction: ...
    access: open            # or: invitation
    sections:
      - title: Over u
        questions:
          - key: rol
            type: stakeholder_role
            label: Wat is uw rol?
            required: true
          - key: zwaar
            type: single_choice
            label: Hoe zwaar is de zorg voor uw naaste?
            choices: [licht, gemiddeld, zwaar]
            other: true            # adds "anders, namelijk"
            condition: {question: rol, equals: mantelzorger}

Question types are those of :class:`consult.models.QuestionType` (kept as plain strings
here so this module has no database dependency). Parsing is all-or-nothing: any error
raises :class:`DefinitionError` naming the question (messages in Dutch: staff see them).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

QUESTION_TYPES = (
    "text_short", "text_long", "single_choice", "multiple_choice", "scale", "ranking",
    "neighbourhood", "stakeholder_role", "consent",
)
CHOICE_TYPES = ("single_choice", "multiple_choice", "ranking")
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,79}$")


class DefinitionError(ValueError):
    """The survey definition is invalid; the message says where."""


@dataclass
class QuestionDef:
    key: str
    type: str
    label: str
    section: int
    help_text: str = ""
    required: bool = False
    options: dict[str, Any] = field(default_factory=dict)
    condition: dict[str, Any] | None = None


@dataclass
class SurveyDef:
    slug: str
    title: str
    introduction: str
    access: str
    sections: list[str]
    questions: list[QuestionDef]
    source: dict[str, Any]


def _choices(raw: Any, where: str) -> list[dict[str, str]]:
    if not isinstance(raw, list) or not raw:
        raise DefinitionError(f"{where}: 'choices' moet een lijst met minstens één keuze zijn")
    out, seen = [], set()
    for item in raw:
        if isinstance(item, str):
            value, label = re.sub(r"[^a-z0-9]+", "_", item.lower()).strip("_"), item
        elif isinstance(item, dict) and "value" in item and "label" in item:
            value, label = str(item["value"]), str(item["label"])
        else:
            raise DefinitionError(f"{where}: een keuze is tekst of {{value, label}}")
        if value in seen:
            raise DefinitionError(f"{where}: keuze {value!r} staat er twee keer in")
        seen.add(value)
        out.append({"value": value, "label": label})
    return out


def _question(raw: Any, section: int, keys: dict[str, QuestionDef]) -> QuestionDef:
    if not isinstance(raw, dict):
        raise DefinitionError(f"deel {section + 1}: elke vraag moet een mapping (key: waarde) zijn")
    key = raw.get("key")
    where = f"vraag {key!r}" if key else f"deel {section + 1}"
    if not isinstance(key, str) or not KEY_RE.match(key):
        raise DefinitionError(f"{where}: 'key' mag alleen kleine letters, cijfers en _ bevatten")
    if key in keys:
        raise DefinitionError(f"{where}: deze key komt twee keer voor")
    qtype = raw.get("type")
    if qtype not in QUESTION_TYPES:
        raise DefinitionError(f"{where}: onbekend type {qtype!r} (kies uit {', '.join(QUESTION_TYPES)})")
    label = raw.get("label")
    if not isinstance(label, str) or not label.strip():
        raise DefinitionError(f"{where}: 'label' (de vraag) ontbreekt")
    options: dict[str, Any] = {}
    if qtype in CHOICE_TYPES:
        options["choices"] = _choices(raw.get("choices"), where)
        options["other"] = bool(raw.get("other", False))
    elif qtype == "scale":
        low, high = raw.get("min", 1), raw.get("max", 5)
        if not (isinstance(low, int) and isinstance(high, int) and low < high <= low + 10):
            raise DefinitionError(f"{where}: een schaal heeft hele getallen min < max (hoogstens 11 stappen)")
        options.update(min=low, max=high, labels={str(k): str(v) for k, v in (raw.get("labels") or {}).items()})
    elif qtype in ("text_short", "text_long"):
        options["max_length"] = int(raw.get("max_length", 500 if qtype == "text_short" else 5000))
    condition = raw.get("condition")
    if condition is not None:
        if not isinstance(condition, dict) or "question" not in condition or not (
                "equals" in condition or "includes" in condition):
            raise DefinitionError(f"{where}: een voorwaarde heeft 'question' en 'equals' of 'includes' nodig")
        if condition["question"] not in keys:
            raise DefinitionError(f"{where}: de voorwaarde verwijst naar {condition['question']!r}, "
                                  "maar dat is geen eerdere vraag")
    return QuestionDef(
        key=key, type=qtype, label=label.strip(), section=section,
        help_text=str(raw.get("help", "") or ""), required=bool(raw.get("required", False)),
        options=options, condition=condition)


def parse_definition(data: dict[str, Any] | str) -> SurveyDef:
    """Parse a definition given as a dict, or as YAML/JSON text."""
    if isinstance(data, str):
        try:
            data = json.loads(data) if data.lstrip().startswith("{") else yaml.safe_load(data)
        except (yaml.YAMLError, json.JSONDecodeError) as exc:
            raise DefinitionError(f"geen geldige YAML of JSON: {exc}") from None
    if not isinstance(data, dict):
        raise DefinitionError("een vragenlijst moet een mapping (key: waarde) zijn")
    for name in ("slug", "title", "sections"):
        if not data.get(name):
            raise DefinitionError(f"veld {name!r} ontbreekt")
    if data.get("access", "open") not in ("open", "invitation"):
        raise DefinitionError("'access' moet 'open' of 'invitation' zijn")
    if not isinstance(data["sections"], list):
        raise DefinitionError("'sections' moet een lijst met delen zijn")
    keys: dict[str, QuestionDef] = {}
    section_titles = []
    for i, section in enumerate(data["sections"]):
        if not isinstance(section, dict) or not isinstance(section.get("questions"), list):
            raise DefinitionError(f"deel {i + 1}: heeft een lijst 'questions' nodig")
        section_titles.append(str(section.get("title", f"Deel {i + 1}")))
        for raw in section["questions"]:
            q = _question(raw, i, keys)
            keys[q.key] = q
    return SurveyDef(
        slug=str(data["slug"]), title=str(data["title"]),
        introduction=str(data.get("introduction", "")), access=data.get("access", "open"),
        sections=section_titles, questions=list(keys.values()), source=data)
