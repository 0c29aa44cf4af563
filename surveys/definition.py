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
#: A slug is part of the survey's web address: lower-case letters, digits and hyphens.
SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$")
MAX_TITLE = 300
MAX_TEXT_LENGTH = 100_000
#: Limits on a definition as staff upload it and as it is once YAML aliases are expanded
#: (a few hundred bytes of nested aliases can otherwise stand for gigabytes).
MAX_SOURCE_CHARS = 1_000_000
MAX_EXPANDED_ITEMS = 50_000
MAX_EXPANDED_CHARS = 2_000_000


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


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, counting aliases so that a small text cannot expand into a huge
    definition (the "billion laughs")."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            self.aliases = getattr(self, "aliases", 0) + 1
            if self.aliases > 100:
                raise DefinitionError("de definitie gebruikt te veel YAML-verwijzingen (* en &)")
        return super().compose_node(parent, index)


def _check_size(data: Any) -> None:
    """Refuse a definition that is too big once aliases are expanded; walks at most the limit."""
    items, chars, stack = 0, 0, [data]
    while stack:
        value = stack.pop()
        items += 1
        if isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, (list, tuple)):
            stack.extend(value)
        elif isinstance(value, str):
            chars += len(value)
        if items > MAX_EXPANDED_ITEMS or chars > MAX_EXPANDED_CHARS:
            raise DefinitionError("de definitie is te groot: splits de vragenlijst of kort de teksten in")


def _storable(data: dict[str, Any]) -> dict[str, Any]:
    """The definition as JSON can store it (it is kept with the survey)."""
    try:
        return json.loads(json.dumps(data, ensure_ascii=False))
    except (TypeError, ValueError) as exc:
        raise DefinitionError("de definitie bevat een waarde die geen tekst, getal, ja/nee of lijst is "
                              f"({exc}); zet bijvoorbeeld een datum tussen aanhalingstekens") from None


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
        if not (_is_int(low) and _is_int(high) and low < high <= low + 10):
            raise DefinitionError(f"{where}: een schaal heeft hele getallen min < max (hoogstens 11 stappen)")
        labels = raw.get("labels") or {}
        if not isinstance(labels, dict):
            raise DefinitionError(f"{where}: 'labels' van een schaal is een mapping, bijvoorbeeld "
                                  "{1: Heel ontevreden, 5: Heel tevreden}")
        for k, v in labels.items():
            number = int(k) if isinstance(k, str) and re.fullmatch(r"-?\d{1,3}", k) else k
            if not (_is_int(number) and low <= number <= high) or not isinstance(v, (str, int, float)):
                raise DefinitionError(f"{where}: 'labels' koppelt een getal van {low} tot en met {high} "
                                      f"aan een tekst ({k!r} kan niet)")
        options.update(min=low, max=high, labels={str(k): str(v) for k, v in labels.items()})
    elif qtype in ("text_short", "text_long"):
        max_length = raw.get("max_length", 500 if qtype == "text_short" else 5000)
        if not (_is_int(max_length) and 1 <= max_length <= MAX_TEXT_LENGTH):
            raise DefinitionError(f"{where}: 'max_length' is een heel getal van 1 tot en met "
                                  f"{MAX_TEXT_LENGTH:,}".replace(",", "."))
        options["max_length"] = max_length
    condition = raw.get("condition")
    if condition is not None:
        if not isinstance(condition, dict) or "question" not in condition or not (
                "equals" in condition or "includes" in condition):
            raise DefinitionError(f"{where}: een voorwaarde heeft 'question' en 'equals' of 'includes' nodig")
        if not isinstance(condition["question"], str):
            raise DefinitionError(f"{where}: 'question' in de voorwaarde is de key van één eerdere vraag")
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
        if len(data) > MAX_SOURCE_CHARS:
            raise DefinitionError("de definitie is te groot: splits de vragenlijst of kort de teksten in")
        try:
            data = json.loads(data) if data.lstrip().startswith("{") else yaml.load(data, Loader=_Loader)
        except (yaml.YAMLError, json.JSONDecodeError, RecursionError) as exc:
            raise DefinitionError(f"geen geldige YAML of JSON: {exc}") from None
    if not isinstance(data, dict):
        raise DefinitionError("een vragenlijst moet een mapping (key: waarde) zijn")
    _check_size(data)
    data = _storable(data)
    for name in ("slug", "title", "sections"):
        if not data.get(name):
            raise DefinitionError(f"veld {name!r} ontbreekt")
    slug = data["slug"]
    if not isinstance(slug, str) or not SLUG_RE.match(slug):
        raise DefinitionError("'slug' komt in het webadres: gebruik alleen kleine letters, cijfers en "
                              "streepjes (-), hoogstens 80 tekens, bijvoorbeeld wmo-in-uw-wijk")
    if not isinstance(data["title"], str) or len(data["title"].strip()) > MAX_TITLE:
        raise DefinitionError(f"'title' is een tekst van hoogstens {MAX_TITLE} tekens")
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
