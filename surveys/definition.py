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
raises :class:`DefinitionError` naming the question.
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
        raise DefinitionError(f"{where}: 'choices' must be a non-empty list")
    out, seen = [], set()
    for item in raw:
        if isinstance(item, str):
            value, label = re.sub(r"[^a-z0-9]+", "_", item.lower()).strip("_"), item
        elif isinstance(item, dict) and "value" in item and "label" in item:
            value, label = str(item["value"]), str(item["label"])
        else:
            raise DefinitionError(f"{where}: a choice must be text or {{value, label}}")
        if value in seen:
            raise DefinitionError(f"{where}: duplicate choice {value!r}")
        seen.add(value)
        out.append({"value": value, "label": label})
    return out


def _question(raw: Any, section: int, keys: dict[str, QuestionDef]) -> QuestionDef:
    if not isinstance(raw, dict):
        raise DefinitionError(f"section {section + 1}: every question must be a mapping")
    key = raw.get("key")
    where = f"question {key!r}" if key else f"section {section + 1}"
    if not isinstance(key, str) or not KEY_RE.match(key):
        raise DefinitionError(f"{where}: 'key' must be lower-case letters, digits or _")
    if key in keys:
        raise DefinitionError(f"{where}: duplicate key")
    qtype = raw.get("type")
    if qtype not in QUESTION_TYPES:
        raise DefinitionError(f"{where}: unknown type {qtype!r} (use one of {', '.join(QUESTION_TYPES)})")
    label = raw.get("label")
    if not isinstance(label, str) or not label.strip():
        raise DefinitionError(f"{where}: 'label' is required")
    options: dict[str, Any] = {}
    if qtype in CHOICE_TYPES:
        options["choices"] = _choices(raw.get("choices"), where)
        options["other"] = bool(raw.get("other", False))
    elif qtype == "scale":
        low, high = raw.get("min", 1), raw.get("max", 5)
        if not (isinstance(low, int) and isinstance(high, int) and low < high <= low + 10):
            raise DefinitionError(f"{where}: scale needs integers min < max (at most 11 steps)")
        options.update(min=low, max=high, labels={str(k): str(v) for k, v in (raw.get("labels") or {}).items()})
    elif qtype in ("text_short", "text_long"):
        options["max_length"] = int(raw.get("max_length", 500 if qtype == "text_short" else 5000))
    condition = raw.get("condition")
    if condition is not None:
        if not isinstance(condition, dict) or "question" not in condition or not (
                "equals" in condition or "includes" in condition):
            raise DefinitionError(f"{where}: condition needs 'question' and 'equals' or 'includes'")
        if condition["question"] not in keys:
            raise DefinitionError(f"{where}: condition refers to {condition['question']!r}, "
                                  "which is not an earlier question")
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
            raise DefinitionError(f"not valid YAML or JSON: {exc}") from None
    if not isinstance(data, dict):
        raise DefinitionError("a survey definition must be a mapping")
    for name in ("slug", "title", "sections"):
        if not data.get(name):
            raise DefinitionError(f"missing field {name!r}")
    if data.get("access", "open") not in ("open", "invitation"):
        raise DefinitionError("'access' must be 'open' or 'invitation'")
    if not isinstance(data["sections"], list):
        raise DefinitionError("'sections' must be a list of sections")
    keys: dict[str, QuestionDef] = {}
    section_titles = []
    for i, section in enumerate(data["sections"]):
        if not isinstance(section, dict) or not isinstance(section.get("questions"), list):
            raise DefinitionError(f"section {i + 1}: needs a list of 'questions'")
        section_titles.append(str(section.get("title", f"Deel {i + 1}")))
        for raw in section["questions"]:
            q = _question(raw, i, keys)
            keys[q.key] = q
    return SurveyDef(
        slug=str(data["slug"]), title=str(data["title"]),
        introduction=str(data.get("introduction", "")), access=data.get("access", "open"),
        sections=section_titles, questions=list(keys.values()), source=data)
