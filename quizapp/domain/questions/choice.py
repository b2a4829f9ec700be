"""Types answered by picking: multiple choice, multiple select, true/false.

Grading follows Moodle's question types, so a GIFT bank scores here as it does there
(tests/domain/test_moodle_grading.py holds the table):

- multiple choice (``qtype_multichoice_single_question::grade_response``): the fraction of the
  choice picked, negative ones included; nothing clamps it (the question's lowest mark is its
  most negative weight, ``get_min_fraction``).
- multiple select (``qtype_multichoice_multi_question::grade_response``): the weights of the
  choices picked, summed, then clamped to [0, 1].
- true/false (``qtype_truefalse_question::grade_response``): 1 or 0.

A picked value the question does not offer is refused (``check_response``), never graded, so it
cannot reach the teacher's statistics.
"""
from __future__ import annotations

import random
from typing import Any

from .base import (
    EditorField,
    FieldError,
    Outcome,
    QuestionType,
    ResponseError,
    ReviewRow,
    clamp,
    register,
    text_list_errors,
    weight_errors,
)

NOT_A_CHOICE = "That answer is not one of the choices: pick one of those shown."


def _feedback(q: dict[str, Any], *keys: str) -> str:
    notes = {_key(k): v for k, v in (q.get("feedback") or {}).items()}
    return " ".join(str(notes[k]) for k in keys if notes.get(k))


def _key(key: Any) -> str:
    """YAML reads an unquoted ``true:`` key as a boolean; feedback keys are compared as text."""
    return str(key).lower() if isinstance(key, bool) else str(key)


def _offered(q: dict[str, Any]) -> set[str]:
    return {str(c) for c in q["choices"]}


def _scalar(value: Any) -> bool:
    return isinstance(value, (str, int, float)) and not isinstance(value, bool)


@register
class MultipleChoice(QuestionType):
    """One right choice. Optional ``weights`` give other choices partial or negative credit
    (from -1 to 1), kept as they are: a wrong pick weighted -0.5 scores -0.5, as in Moodle."""

    name = "multiple_choice"
    label = "Multiple choice"
    required = ("prompt", "choices", "answer")
    optional = ("weights", "feedback")
    answer_fields = ("choices", "answer", "weights")
    editor = (EditorField("prompt", "Question", "textarea"),
              EditorField("choices", "Choices", "lines", "One per line."),
              EditorField("answer", "Right choice", "text", "Copy the right choice exactly."),
              EditorField("weights", "Partial credit or penalty per choice", "credits",
                          "One per line: a wrong choice, \"=\", then its credit from -1 to 1 (0.5 or 50% for half "
                          "marks, -0.25 for a penalty). Choices not listed score 0; the right one 1.", "choices"),
              EditorField("feedback", "Feedback per choice", "notes",
                          "One per line: a choice, \"=\", then what a learner who picks it reads.", "choices"))
    quick_seconds = 8.0
    guessable = True

    def check(self, q: dict[str, Any]) -> list[FieldError]:
        errors = text_list_errors(q, "choices", 2)
        if not errors and str(q["answer"]) not in [str(c) for c in q["choices"]]:
            errors.append(FieldError("answer", f"{q['answer']!r} is not one of the choices"))
        choices = q["choices"] if isinstance(q["choices"], list) else []
        return errors + weight_errors(q, "weights", choices) + weight_errors(q, "feedback", choices)

    def present(self, q: dict[str, Any], card: int, rng: random.Random) -> dict[str, Any]:
        choices = [str(c) for c in q["choices"]]
        rng.shuffle(choices)
        return {"prompt": self.prompt(q), "choices": choices}

    def check_response(self, q: dict[str, Any], response: Any, card: int = 0) -> None:
        if self.is_empty(response):
            return
        if not _scalar(response) or str(response) not in _offered(q):
            raise ResponseError(NOT_A_CHOICE)

    def grade(self, q: dict[str, Any], response: Any, card: int = 0) -> Outcome:
        """Moodle's ``qtype_multichoice_single_question::grade_response``: the picked choice's
        fraction (1 for the answer, its weight for another, 0 for none), not clamped."""
        given = str(response)
        right = given == str(q["answer"])
        weights = {str(c): float(w) for c, w in (q.get("weights") or {}).items()}
        score = 1.0 if right else weights.get(given, 0.0)
        return Outcome(score, self.expected(q), _feedback(q, given))

    def expected(self, q: dict[str, Any], card: int = 0) -> str:
        return str(q["answer"])

    def choice_options(self, q: dict[str, Any]) -> tuple[list[str], list[str]]:
        return [str(c) for c in q.get("choices") or []], [str(q.get("answer"))]

@register
class MultipleSelect(QuestionType):
    """Several right choices; credit for each right one picked, less for each wrong one.

    With ``weights`` (what every GIFT/Moodle question has: each choice's ``%weight%``) the score is
    Moodle's: the weights of the picked choices summed and clamped to [0, 1]. Without weights it is
    our own rule, each right pick +1/n and each wrong pick -1/n for n right choices, floored at 0;
    that is Moodle's sum for those weights, which is why the GIFT importer leaves them implicit.
    """

    name = "multiple_select"
    review_item_label = "Choice"
    label = "Multiple select"
    required = ("prompt", "choices", "answers")
    optional = ("weights", "feedback")
    answer_fields = ("choices", "answers", "weights")
    editor = (EditorField("prompt", "Question", "textarea"),
              EditorField("choices", "Choices", "lines", "One per line."),
              EditorField("answers", "Right choices", "lines", "One per line, each copied from the choices."),
              EditorField("weights", "Credit or penalty per choice (as in Moodle)", "credits",
                          "Optional. One per line: a choice, \"=\", then its credit from -1 to 1 (50% or 0.5; "
                          "negative for a penalty); the credits of the picked choices are added up. Left "
                          "empty: each right pick earns its share and each wrong one takes it back.", "choices"),
              EditorField("feedback", "Feedback per choice", "notes",
                          "One per line: a choice, \"=\", then what a learner who picks it reads.", "choices"))
    quick_seconds = 15.0

    def check(self, q: dict[str, Any]) -> list[FieldError]:
        errors = text_list_errors(q, "choices", 2)
        if not isinstance(q["answers"], list):
            return errors + [FieldError("answers", "must be a list")]
        choices = [str(c) for c in q["choices"]] if isinstance(q["choices"], list) else []
        for i, a in enumerate(q["answers"]):
            if str(a) not in choices:
                errors.append(FieldError(f"answers[{i}]", f"{a!r} is not one of the choices"))
        return errors + weight_errors(q, "weights", choices) + weight_errors(q, "feedback", choices)

    def present(self, q: dict[str, Any], card: int, rng: random.Random) -> dict[str, Any]:
        choices = [str(c) for c in q["choices"]]
        rng.shuffle(choices)
        return {"prompt": self.prompt(q), "choices": choices}

    def read_response(self, getlist, card: int = 0) -> Any:
        return sorted({v for v in getlist("answer") if v})

    def check_response(self, q: dict[str, Any], response: Any, card: int = 0) -> None:
        if self.is_empty(response):
            return
        if not isinstance(response, (list, tuple)) or not all(_scalar(r) for r in response):
            raise ResponseError(NOT_A_CHOICE)
        picked = [str(r) for r in response]
        if any(p not in _offered(q) for p in picked):
            raise ResponseError(NOT_A_CHOICE)
        if len(set(picked)) != len(picked):
            raise ResponseError("Each choice can be ticked once.")

    def grade(self, q: dict[str, Any], response: Any, card: int = 0) -> Outcome:
        picked = {str(r) for r in response or []}
        right = {str(a) for a in q["answers"]}
        weights = {str(c): float(w) for c, w in (q.get("weights") or {}).items()}
        if weights:
            # qtype_multichoice_multi_question::grade_response: sum, then min(max(0, sum), 1).
            score = clamp(sum(weights.get(c, 0.0) for c in picked))
        else:
            # Ours: +1/n per right pick, -1/n per wrong one, floored at 0 (see the class docstring).
            score = clamp((len(picked & right) - len(picked - right)) / len(right)) if right else 0.0
        return Outcome(score, self.expected(q), _feedback(q, *sorted(picked)))

    def expected(self, q: dict[str, Any], card: int = 0) -> str:
        return "; ".join(str(a) for a in q["answers"])

    def review(self, q: dict[str, Any], response: Any, card: int = 0) -> list[ReviewRow]:
        """Every choice, picked or not, beside whether it should be (picked when it is a right one)."""
        picked = {str(r) for r in response or []}
        right = {str(a) for a in q["answers"]}
        return [ReviewRow(str(c), "picked" if str(c) in picked else "not picked",
                          "picked" if str(c) in right else "not picked", (str(c) in picked) == (str(c) in right))
                for c in q["choices"]]

    def choice_options(self, q: dict[str, Any]) -> tuple[list[str], list[str]]:
        return [str(c) for c in q.get("choices") or []], [str(a) for a in q.get("answers") or []]

@register
class TrueFalse(QuestionType):
    name = "true_false"
    label = "True or false"
    required = ("prompt", "answer")
    optional = ("feedback",)
    answer_fields = ("answer",)
    editor = (EditorField("prompt", "Statement", "textarea"), EditorField("answer", "The statement is true", "bool"))
    quick_seconds = 6.0
    guessable = True

    def check(self, q: dict[str, Any]) -> list[FieldError]:
        if not isinstance(q["answer"], bool):
            return [FieldError("answer", "must be true or false")]
        notes = q.get("feedback")
        if isinstance(notes, dict):
            q = {**q, "feedback": {_key(k): v for k, v in notes.items()}}
        return weight_errors(q, "feedback", ["true", "false"])

    def validate(self, q: dict[str, Any]) -> list[FieldError]:
        # ``answer: false`` is a value, not a missing field.
        if q.get("answer") is False:
            q = {**q, "answer": False}
            if not q.get("prompt"):
                return [FieldError("prompt", "is required")]
            return self.check(q)
        return super().validate(q)

    def read_response(self, getlist, card: int = 0) -> Any:
        values = getlist("answer")
        value = values[0].strip().lower() if values else ""
        return {"true": True, "false": False}.get(value)

    def check_response(self, q: dict[str, Any], response: Any, card: int = 0) -> None:
        if response is not None and not isinstance(response, bool):
            raise ResponseError("Answer true or false.")

    def grade(self, q: dict[str, Any], response: Any, card: int = 0) -> Outcome:
        score = 1.0 if response is q["answer"] else 0.0
        key = "" if response is None else str(response).lower()
        return Outcome(score, self.expected(q), _feedback(q, key))

    def expected(self, q: dict[str, Any], card: int = 0) -> str:
        return "True" if q["answer"] else "False"

    def choice_options(self, q: dict[str, Any]) -> tuple[list[str], list[str]]:
        return ["true", "false"], ["true" if q.get("answer") else "false"]
