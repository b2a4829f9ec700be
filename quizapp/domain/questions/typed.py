"""Types answered by typing: short answer and numeric."""
from __future__ import annotations

import math
import re
from typing import Any

from .. import text
from .base import EditorField, FieldError, Outcome, QuestionType, clamp, register, text_list_errors, weight_errors


@register
class ShortAnswer(QuestionType):
    """Accepted forms compared tolerantly (domain.text); ``*`` is a wildcard as in Moodle."""

    name = "short_answer"
    label = "Short answer"
    required = ("prompt", "answers")
    optional = ("weights", "feedback")
    answer_fields = ("answers", "weights")
    editor = (EditorField("prompt", "Question", "textarea"),
              EditorField("answers", "Accepted answers", "lines",
                          "One per line; case, accents and punctuation are ignored."))
    quick_seconds = 15.0

    def check(self, q: dict[str, Any]) -> list[FieldError]:
        errors = text_list_errors(q, "answers", 1)
        answers = q["answers"] if isinstance(q["answers"], list) else []
        return errors + weight_errors(q, "weights", answers) + weight_errors(q, "feedback", answers)

    def grade(self, q: dict[str, Any], response: Any, card: int = 0) -> Outcome:
        given = str(response or "")
        weights = q.get("weights") or {}
        best, best_key = 0.0, None
        for answer in q["answers"]:
            pattern = str(answer)
            hit = text.wildcard_matches(given, pattern) if "*" in pattern else text.matches(given, pattern)
            if hit:
                weight = float(weights.get(pattern, 1.0))
                if best_key is None or weight > best:
                    best, best_key = weight, pattern
        feedback = str((q.get("feedback") or {}).get(best_key, "")) if best_key else ""
        return Outcome(clamp(best), self.expected(q), feedback)

    def expected(self, q: dict[str, Any], card: int = 0) -> str:
        weights = q.get("weights") or {}
        full = [str(a) for a in q["answers"] if float(weights.get(str(a), 1.0)) >= 1 and "*" not in str(a)]
        return " / ".join(full or [str(q["answers"][0])])


_THOUSANDS = re.compile(r"^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$")


def parse_number(raw: str) -> float | None:
    """A number as people type it: '1949', '1,500,000', '300 million' is not parsed (units are words)."""
    value = raw.strip().replace("\u2212", "-").replace(" ", "").replace("\u00a0", "")
    value = value.lstrip("$€£¥")
    if _THOUSANDS.match(value):
        value = value.replace(",", "")
    elif value.count(",") == 1 and "." not in value:
        value = value.replace(",", ".")
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def format_number(value: float) -> str:
    """1949 not 1949.0, 1500000 not 1.5e+06."""
    number = float(value)
    return str(int(number)) if number.is_integer() else f"{number:.10g}"


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


@register
class Numeric(QuestionType):
    """A number within ``tolerance``; ``alternatives`` (answer, tolerance, weight, feedback) give
    partial credit; ``feedback`` is a text shown when the main answer is hit."""

    name = "numeric"
    label = "Number"
    required = ("prompt", "answer")
    optional = ("tolerance", "unit", "alternatives", "feedback")
    answer_fields = ("answer", "tolerance", "alternatives")
    editor = (EditorField("prompt", "Question", "textarea"), EditorField("answer", "Answer", "number"),
              EditorField("tolerance", "Tolerance (plus or minus)", "number", "0 for an exact answer."),
              EditorField("unit", "Unit", "text", "Optional, for example km."))
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
        values = getlist("answer")
        return parse_number(values[0]) if values and values[0].strip() else None

    def grade(self, q: dict[str, Any], response: Any, card: int = 0) -> Outcome:
        if response is None:
            return Outcome(0.0, self.expected(q), "")
        main_note = q.get("feedback") if isinstance(q.get("feedback"), str) else ""
        candidates = [(q["answer"], q.get("tolerance", 0), 1.0, main_note)]
        candidates += [
            (a["answer"], a.get("tolerance", 0), a.get("weight", 0.0), a.get("feedback", ""))
            for a in q.get("alternatives") or []
        ]
        # The best-weighted hit wins, even at 0 or below: its feedback ("1939 is when the war began")
        # is shown as Moodle shows a 0 % answer's feedback.
        best, note, hit = 0.0, "", False
        for answer, tolerance, weight, feedback in candidates:
            if abs(float(response) - float(answer)) <= float(tolerance) + 1e-9 and (not hit or weight > best):
                best, note, hit = float(weight), str(feedback or ""), True
        return Outcome(clamp(best), self.expected(q), note)

    def expected(self, q: dict[str, Any], card: int = 0) -> str:
        shown = format_number(q["answer"])
        if q.get("tolerance"):
            shown += f" (± {format_number(q['tolerance'])})"
        return f"{shown} {q['unit']}" if q.get("unit") else shown
