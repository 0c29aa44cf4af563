"""Building WTForms forms from a survey's Question rows, and reading answers back.

One form per page (section). Field names are ``q_<key>``; "anders, namelijk" adds
``q_<key>__other``; a ranking question has one select per item, ``q_<key>__<item>``,
so ranking works without JavaScript. Conditions (``{"question": k, "equals": v}`` or
``{"question": k, "includes": v}``) are evaluated on the server against the answers
given so far.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField, RadioField, SelectChoice, SelectField, SelectMultipleField, StringField, TextAreaField,
)
from wtforms.validators import Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from consult.models import Question, QuestionType, Response, Survey
from surveys.responses import answer_maps, combined, survey_choices  # noqa: F401
from surveys.rules import (  # noqa: F401 (the rules shared with the bulk import)
    OTHER, OTHER_LABEL, condition_met, question_choices, visible_questions,
)


class CheckboxListField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form):  # unknown values are reported by the page validation
        pass


class LooseRadioField(RadioField):
    def pre_validate(self, form):
        pass


@dataclass
class QuestionSpec:
    """How one question maps onto form fields (used by the templates)."""
    question: Question
    name: str
    choices: list[tuple[str, str]] = field(default_factory=list)
    other_name: str | None = None
    rank_names: list[tuple[str, str, str]] = field(default_factory=list)  # (field, value, label)

    @property
    def first_id(self) -> str:
        """The id of the first input: what the error summary links to."""
        q = self.question
        if self.rank_names:
            return self.rank_names[0][0]
        if q.type in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE, QuestionType.SCALE,
                      QuestionType.NEIGHBOURHOOD, QuestionType.STAKEHOLDER_ROLE):
            return f"{self.name}-0"
        return self.name

    @property
    def grouped(self) -> bool:
        """True when rendered as a fieldset with a legend (a group of inputs)."""
        return self.question.type not in (QuestionType.TEXT_SHORT, QuestionType.TEXT_LONG,
                                          QuestionType.CONSENT)


def visible_answers(survey: Survey, response: Response
                    ) -> tuple[list[Question], dict[str, Any], dict[str, str]]:
    """``(visible questions, values, texts)`` for ``response`` as answered so far."""
    values, texts = answer_maps(response)
    return visible_questions(survey.questions, combined(values, texts, survey.questions)), values, texts


def section_pages(visible: list[Question]) -> list[int]:
    """Section numbers (0-based) that have at least one visible question: the pages to show."""
    return sorted({q.section for q in visible})


def display_answer(q: Question, value: Any, text: str | None, neighbourhoods: list[tuple[str, str]],
                   groups: list[tuple[str, str]]) -> str:
    """A stored answer as the participant reads it back on the review page."""
    labels = dict(question_choices(q, neighbourhoods, groups))
    labels[OTHER] = OTHER_LABEL
    if q.is_open_text:
        return text or ""
    if value is None:
        return ""
    if q.type == QuestionType.CONSENT:
        return "Ja, ik geef toestemming" if value else ""
    if isinstance(value, list):
        parts = [f"{i}. {labels.get(v, v)}" if q.type == QuestionType.RANKING else labels.get(v, v)
                 for i, v in enumerate(value, start=1)]
    else:
        parts = [labels.get(str(value), str(value))]
    if text:
        parts = [f"{p}: {text}" if p == OTHER_LABEL else p for p in parts]
    return ", ".join(parts)


def build_page_form(questions: list[Question], *, neighbourhoods: list[tuple[str, str]],
                    groups: list[tuple[str, str]], answers: dict[str, Any],
                    texts: dict[str, str], formdata=None) -> tuple[FlaskForm, list[QuestionSpec]]:
    """A form for ``questions`` pre-filled with stored ``answers`` (values) and ``texts``."""
    attrs: dict[str, Any] = {}
    specs: list[QuestionSpec] = []
    data: dict[str, Any] = {}
    for q in questions:
        name = f"q_{q.key}"
        spec = QuestionSpec(q, name)
        stored = answers.get(q.key)
        if q.type in (QuestionType.TEXT_SHORT, QuestionType.TEXT_LONG):
            cls = StringField if q.type == QuestionType.TEXT_SHORT else TextAreaField
            attrs[name] = cls(q.label, validators=[Optional(), Length(
                max=q.options.get("max_length", 5000),
                message="Uw antwoord is te lang: gebruik maximaal %(max)d tekens.")],
                render_kw={"rows": 6} if q.type == QuestionType.TEXT_LONG else {})
            data[name] = texts.get(q.key, "")
        elif q.type == QuestionType.CONSENT:
            attrs[name] = BooleanField(q.label)
            data[name] = bool(stored)
        elif q.type == QuestionType.RANKING:
            choices = question_choices(q, neighbourhoods, groups)
            spec.choices = choices
            positions = [SelectChoice("", "Kies")] + [SelectChoice(str(i)) for i in range(1, len(choices) + 1)]
            order = stored if isinstance(stored, list) else []
            for value, label in choices:
                fname = f"{name}__{value}"
                attrs[fname] = SelectField(label, choices=positions, validate_choice=False)
                data[fname] = str(order.index(value) + 1) if value in order else ""
                spec.rank_names.append((fname, value, label))
        else:
            choices = question_choices(q, neighbourhoods, groups)
            if q.options.get("other"):
                choices = choices + [(OTHER, OTHER_LABEL)]
                spec.other_name = f"{name}__other"
                attrs[spec.other_name] = StringField(
                    f"{OTHER_LABEL} (vul in)", validators=[Optional(), Length(max=500)])
                data[spec.other_name] = texts.get(q.key, "")
            spec.choices = choices
            if q.type == QuestionType.MULTIPLE_CHOICE:
                attrs[name] = CheckboxListField(q.label, choices=[SelectChoice(v, l) for v, l in choices])
                data[name] = stored if isinstance(stored, list) else []
            else:
                attrs[name] = LooseRadioField(q.label, choices=[SelectChoice(v, l) for v, l in choices])
                data[name] = None if stored is None else str(stored)
        specs.append(spec)
    form_cls = type("SurveyPageForm", (FlaskForm,), attrs)
    form = form_cls(formdata=formdata, data=data) if formdata is not None else form_cls(data=data)
    return form, specs


def read_page(form: FlaskForm, specs: list[QuestionSpec], *, check_required: bool = True
              ) -> tuple[dict[str, tuple[Any, str | None]], dict[str, str]]:
    """Validate a submitted page: ``({key: (value, text)}, {field_id: message})``.

    ``check_required=False`` (save and continue later) still checks what was filled in.
    """
    form.validate()
    errors: dict[str, str] = {}
    for name, messages in form.errors.items():
        if name != "csrf_token" and messages:
            errors[name] = messages[0]
    out: dict[str, tuple[Any, str | None]] = {}
    for spec in specs:
        q, name = spec.question, spec.name
        label_lc = q.label
        if q.type in (QuestionType.TEXT_SHORT, QuestionType.TEXT_LONG):
            text = (form[name].data or "").strip()
            if not text and q.required and check_required:
                errors.setdefault(name, "Vul een antwoord in bij: " + label_lc)
            out[q.key] = (None, text or None)
        elif q.type == QuestionType.CONSENT:
            checked = bool(form[name].data)
            if not checked and q.required and check_required:
                errors.setdefault(name, "Zet een vinkje om toestemming te geven. Zonder toestemming "
                                        "kunnen wij uw antwoorden niet gebruiken.")
            out[q.key] = (checked or None, None)
        elif q.type == QuestionType.RANKING:
            order: list[tuple[int, str]] = []
            used: set[int] = set()
            for fname, value, _label in spec.rank_names:
                raw = form[fname].data or ""
                if not raw:
                    continue
                if not raw.isdigit() or not 1 <= int(raw) <= len(spec.rank_names):
                    errors.setdefault(fname, "Kies een nummer uit de lijst.")
                    continue
                if int(raw) in used:
                    errors.setdefault(fname, f"U gaf nummer {raw} twee keer. Geef elk nummer maar één keer.")
                used.add(int(raw))
                order.append((int(raw), value))
            if not order and q.required and check_required:
                errors.setdefault(spec.rank_names[0][0], "Zet minstens één keuze op nummer 1 bij: " + label_lc)
            out[q.key] = ([v for _, v in sorted(order)] or None, None)
        else:
            valid = {v for v, _ in spec.choices}
            other_text = (form[spec.other_name].data or "").strip() if spec.other_name else ""
            if q.type == QuestionType.MULTIPLE_CHOICE:
                value = [v for v in (form[name].data or []) if v in valid]
                if len(value) != len(form[name].data or []):
                    errors.setdefault(spec.first_id, "Kies alleen uit de getoonde antwoorden.")
                chosen_other = OTHER in value and spec.other_name
                value = value or None
            else:
                raw = form[name].data
                value = raw if raw in valid else None
                if raw not in (None, "", "None") and value is None:
                    errors.setdefault(spec.first_id, "Kies een van de getoonde antwoorden.")
                chosen_other = value == OTHER and spec.other_name
                if value is not None and q.type == QuestionType.SCALE:
                    value = int(value)
            if value is None and q.required and check_required:
                errors.setdefault(spec.first_id, "Kies een antwoord bij: " + label_lc)
            if chosen_other and not other_text and check_required:
                errors.setdefault(spec.other_name, "U koos ‘anders’. Vul in wat u bedoelt.")
            out[q.key] = (value, other_text if chosen_other else None)
    return out, errors
