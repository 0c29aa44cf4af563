"""Which questions a participant sees and which answers a question accepts.

Shared by the online form (``surveys.forms``) and the bulk import of paper and telephone
responses (``surveys.bulk``), so both follow the same rules. Pure Python: a question is
anything with ``key``, ``type`` (a :data:`surveys.definition.QUESTION_TYPES` string, or the
``QuestionType`` enum, which compares equal to it), ``options``, ``condition`` and,
optionally, ``position`` (``Question`` rows and :class:`surveys.definition.QuestionDef`
both qualify).
"""
from __future__ import annotations

from typing import Any

#: The value of "anders, namelijk" in choice questions with ``other: true``.
OTHER = "anders"
OTHER_LABEL = "Anders, namelijk"


def question_choices(q: Any, neighbourhoods: list[tuple[str, str]],
                     groups: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """``(value, label)`` pairs a question accepts (the consultation's neighbourhoods and
    stakeholder groups for those question types; scale steps with their labels)."""
    if q.type == "neighbourhood":
        return neighbourhoods
    if q.type == "stakeholder_role":
        return groups
    if q.type == "scale":
        low, high = q.options.get("min", 1), q.options.get("max", 5)
        labels = q.options.get("labels", {})
        return [(str(v), f"{v} – {labels[str(v)]}" if str(v) in labels else str(v))
                for v in range(low, high + 1)]
    return [(c["value"], c["label"]) for c in q.options.get("choices", [])]


def condition_met(q: Any, answers: dict[str, Any]) -> bool:
    """Whether ``q`` is shown, given answers by key (``{"key": value}``)."""
    cond = q.condition
    if not cond:
        return True
    value = answers.get(cond["question"])
    if "equals" in cond:
        return value == cond["equals"] or (isinstance(value, list) and cond["equals"] in value)
    if "includes" in cond:
        return isinstance(value, list) and cond["includes"] in value
    return True


def visible_questions(questions: list[Any], answers: dict[str, Any]) -> list[Any]:
    """Questions whose conditions hold; conditions see only answers of visible questions.

    Questions are taken in ``position`` order; without positions, in the order given.
    """
    shown: list[Any] = []
    seen: dict[str, Any] = {}
    for q in sorted(questions, key=lambda q: getattr(q, "position", 0)):
        if condition_met(q, seen):
            shown.append(q)
            if q.key in answers:
                seen[q.key] = answers[q.key]
    return shown
