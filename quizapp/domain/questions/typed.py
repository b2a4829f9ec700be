"""Types answered by typing: short answer and numeric."""
from __future__ import annotations

import math
from typing import Any

from .. import text
from ..numbers import NumberError, close_enough, format_number, read_number
from .base import (
    EditorField,
    FieldError,
    Outcome,
    QuestionType,
    ResponseError,
    capped,
    clamp,
    register,
    text_list_errors,
    weight_errors,
)

__all__ = ["Numeric", "ShortAnswer", "format_number", "numeric_value"]


def numeric_value(response: Any) -> float | None:
    """The number of a stored numeric answer: {"text", "value"} now, a bare number in older logs."""
    if isinstance(response, dict):
        response = response.get("value")
    if isinstance(response, (int, float)) and not isinstance(response, bool) and math.isfinite(response):
        return float(response)
    return None


def _grading_errors(q: dict[str, Any]) -> list[FieldError]:
    """The teacher's switches for typed answers (per question, or per bank as defaults)."""
    return [FieldError(name, "must be true or false") for name in ("case_sensitive", "typos")
            if name in q and not isinstance(q[name], bool)]


@register
class ShortAnswer(QuestionType):
    """Accepted forms compared as ``domain.text`` says; ``*`` is a wildcard and ``\\*`` a star, as in
    Moodle. As in Moodle, the *first* accepted form that matches gives the credit (its weight).
    ``case_sensitive`` (Moodle's ``usecase``) and ``typos`` (offer "it was a typo" on a near-miss,
    on by default) can be set per question or for the whole bank."""

    name = "short_answer"
    label = "Short answer"
    required = ("prompt", "answers")
    optional = ("weights", "feedback", "case_sensitive", "typos")
    answer_fields = ("answers", "weights")
    editor = (EditorField("prompt", "Question", "textarea"),
              EditorField("answers", "Accepted answers", "lines",
                          "One per line, the main form first; accents, spacing and soft punctuation are "
                          "ignored, signs, decimal points and symbols are not. * stands for any text."),
              EditorField("weights", "Partial credit per accepted answer", "credits",
                          "One per line: an accepted answer, \"=\", then its credit from 0 to 1 (0.5 or 50%). "
                          "Answers not listed earn full marks.", "answers"),
              EditorField("feedback", "Feedback per accepted answer", "notes",
                          "One per line: an accepted answer, \"=\", then what a learner who gives it reads.",
                          "answers"),
              EditorField("case_sensitive", "Letter case matters", "bool"),
              EditorField("typos", "Offer \"count it as right\" on a near-miss (a typo)", "bool"))
    defaults = {"case_sensitive": False, "typos": True}
    quick_seconds = 15.0

    def check(self, q: dict[str, Any]) -> list[FieldError]:
        errors = text_list_errors(q, "answers", 1) + _grading_errors(q)
        answers = q["answers"] if isinstance(q["answers"], list) else []
        return errors + weight_errors(q, "weights", answers) + weight_errors(q, "feedback", answers)

    def grade(self, q: dict[str, Any], response: Any, card: int = 0) -> Outcome:
        given = str(response or "")
        case = q.get("case_sensitive") is True
        weights = q.get("weights") or {}
        notes = q.get("feedback") or {}
        for answer in q["answers"]:
            pattern = str(answer)
            hit = (text.wildcard_matches(given, pattern, case) if "*" in pattern  # \\* is a literal star
                   else text.matches(given, pattern, case))
            if hit:  # Moodle: the first matching answer counts, whatever its weight
                return Outcome(clamp(float(weights.get(pattern, 1.0))), self.expected(q),
                               str(notes.get(pattern, "")), forms=self.forms(q))
        near = "" if q.get("typos") is False else text.near_miss(given, self.full_credit(q), case)
        return Outcome(0.0, self.expected(q), "", near_miss=near, forms=self.forms(q))

    def forms(self, q: dict[str, Any]) -> tuple[str, ...]:
        """The forms worth full marks, the teacher's first one first (the main form)."""
        return tuple(self.full_credit(q) or [str(q["answers"][0])])

    def full_credit(self, q: dict[str, Any]) -> list[str]:
        """The accepted forms worth full marks, written out (no wildcards)."""
        weights = q.get("weights") or {}
        return [str(a).replace("\\*", "*") for a in q["answers"]
                if float(weights.get(str(a), 1.0)) >= 1 and not text.has_wildcard(str(a))]

    def expected(self, q: dict[str, Any], card: int = 0) -> str:
        full = self.full_credit(q)
        return " / ".join(full or [str(q["answers"][0])])


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


@register
class Numeric(QuestionType):
    """A number within ``tolerance``; ``alternatives`` (answer, tolerance, weight, feedback) give
    partial credit; ``feedback`` is a text shown when the main answer is hit, ``wrong_feedback``
    one shown for any other number (Moodle's ``*`` answer, GIFT's ``~#...``)."""

    name = "numeric"
    label = "Number"
    required = ("prompt", "answer")
    optional = ("tolerance", "unit", "alternatives", "feedback", "wrong_feedback")
    answer_fields = ("answer", "tolerance", "alternatives")
    editor = (EditorField("prompt", "Question", "textarea"), EditorField("answer", "Answer", "number"),
              EditorField("tolerance", "Tolerance (plus or minus)", "number", "0 for an exact answer."),
              EditorField("unit", "Unit", "text", "Optional, for example km."),
              EditorField("feedback", "Feedback for the right answer", "text", "Optional."),
              EditorField("alternatives", "Other answers with partial credit", "alternatives",
                          "One per line: answer | tolerance | credit from -1 to 1 (0.5 or 50%) | feedback, for "
                          "example \"1950 | 0 | 50% | One year late\". Tolerance and feedback may be left empty."),
              EditorField("wrong_feedback", "Feedback for any other number", "text", "Optional."))
    defaults = {"tolerance": 0}
    quick_seconds = 10.0

    def validate(self, q: dict[str, Any]) -> list[FieldError]:
        if q.get("answer") == 0 and q.get("prompt"):
            return self.check(q)  # 0 is a real answer, not a missing one
        return super().validate(q)

    def check(self, q: dict[str, Any]) -> list[FieldError]:
        errors = []
        if not _is_number(q["answer"]):
            errors.append(FieldError("answer", "must be a number"))
        tolerance = q.get("tolerance", 0)
        if not _is_number(tolerance) or tolerance < 0:
            errors.append(FieldError("tolerance", "must be a number of at least 0"))
        if q.get("wrong_feedback") is not None and not isinstance(q["wrong_feedback"], str):
            errors.append(FieldError("wrong_feedback", "must be text"))
        alternatives = q.get("alternatives") or []
        if not isinstance(alternatives, list):
            errors.append(FieldError("alternatives", "must be a list of {answer, tolerance, weight, feedback}"))
            alternatives = []
        for i, alt in enumerate(alternatives):
            if not isinstance(alt, dict) or not _is_number(alt.get("answer")):
                errors.append(FieldError(f"alternatives[{i}].answer", "must be a number"))
            elif not _is_number(alt.get("tolerance", 0)) or alt.get("tolerance", 0) < 0:
                errors.append(FieldError(f"alternatives[{i}].tolerance", "must be a number of at least 0"))
            elif not _is_number(alt.get("weight", 0)) or not -1 <= alt.get("weight", 0) <= 1:
                errors.append(FieldError(f"alternatives[{i}].weight", "must be a number from -1 to 1"))
        return errors

    def present(self, q, card, rng):
        return {"prompt": self.prompt(q), "unit": q.get("unit")}

    def read_response(self, getlist, card: int = 0) -> Any:
        """{"text": what was typed, "value": the number read from it}; None for an empty box.
        Text that is not one number raises ResponseError (nothing is recorded)."""
        values = getlist("answer")
        raw = capped(values[0].strip()) if values else ""
        if not raw:
            return None
        try:
            return {"text": raw, "value": read_number(raw)}
        except NumberError as exc:
            raise ResponseError(str(exc)) from None

    def check_response(self, q: dict[str, Any], response: Any, card: int = 0) -> None:
        if isinstance(response, dict) and isinstance(response.get("text"), str):
            # Read again with the question's unit: "30 million" in a "million people" box is 30.
            try:
                response["value"] = read_number(response["text"], q.get("unit"))
            except NumberError as exc:
                raise ResponseError(str(exc)) from None

    def grade(self, q: dict[str, Any], response: Any, card: int = 0) -> Outcome:
        value = numeric_value(response)
        forms = self.forms(q)
        if value is None:
            return Outcome(0.0, self.expected(q), "", forms=forms)
        read_as = format_number(value) + (f" {q['unit']}" if q.get("unit") else "")
        main_note = q.get("feedback") if isinstance(q.get("feedback"), str) else ""
        candidates = [(q["answer"], q.get("tolerance", 0), 1.0, main_note)]
        candidates += [
            (a["answer"], a.get("tolerance", 0), a.get("weight", 0.0), a.get("feedback", ""))
            for a in q.get("alternatives") or []
        ]
        # Moodle (qtype_numerical get_matching_answer): the first answer within its tolerance counts,
        # even at 0 % -- its feedback ("1939 is when the war began") is shown.
        for answer, tolerance, weight, feedback in candidates:
            if close_enough(value, float(answer), float(tolerance)):
                return Outcome(clamp(float(weight)), self.expected(q), str(feedback or ""), read_as=read_as,
                               forms=forms)
        return Outcome(0.0, self.expected(q), str(q.get("wrong_feedback") or ""), read_as=read_as, forms=forms)

    def forms(self, q: dict[str, Any]) -> tuple[str, ...]:
        """The main answer, then each alternative worth full marks (as ``expected`` writes them)."""
        unit = f" {q['unit']}" if q.get("unit") else ""
        others = [format_number(a["answer"]) + (f" (± {format_number(a['tolerance'])})" if a.get("tolerance") else "")
                  + unit for a in q.get("alternatives") or [] if float(a.get("weight", 0)) >= 1]
        return (self.expected(q), *others)

    def expected(self, q: dict[str, Any], card: int = 0) -> str:
        shown = format_number(q["answer"])
        if q.get("tolerance"):
            shown += f" (± {format_number(q['tolerance'])})"
        return f"{shown} {q['unit']}" if q.get("unit") else shown
