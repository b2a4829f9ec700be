"""The question-type registry: one class per type, each validating, presenting and grading itself.

A question's type-specific fields (prompt, choices, answer, ...) travel as a plain dict so
that every bank format reads and writes them the same way; the type class is the only code
that knows what those fields mean.
"""
from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

GetList = Callable[[str], list[str]]
DIFFICULTIES = ("easy", "medium", "hard")


@dataclass(frozen=True)
class FieldError:
    """A problem with one field of one question; ``field`` is a path such as ``choices[2]``."""

    field: str
    message: str


@dataclass(frozen=True)
class Outcome:
    """The result of grading one answer. ``score`` is the credit earned, from 0 to 1."""

    score: float
    expected: str
    feedback: str = ""
    self_rated: bool = False

    @property
    def correct(self) -> bool:
        return self.score >= 0.999


@dataclass(frozen=True)
class EditorField:
    """One input of a type's edit form. ``kind`` says how the text maps to the field's value:
    text, textarea, lines (a list, one per line), pairs ("left = right" per line), bool, number."""

    name: str
    label: str
    kind: str = "text"
    hint: str = ""


class QuestionType:
    """Base class. Subclasses set the class attributes and override what differs."""

    name: ClassVar[str]
    label: ClassVar[str]
    required: ClassVar[tuple[str, ...]] = ()
    optional: ClassVar[tuple[str, ...]] = ()
    # Fields whose change means the learner's past answers no longer count (progress resets).
    answer_fields: ClassVar[tuple[str, ...]] = ()
    # Values an absent optional field stands for (so "tolerance: 0" and no tolerance are the same).
    defaults: ClassVar[dict[str, Any]] = {}
    auto_graded: ClassVar[bool] = True
    # Expected seconds for a confident answer; feeds the rating rule (domain.rating).
    quick_seconds: ClassVar[float] = 10.0
    # The teacher's edit form for this type (see domain.questions.editing).
    editor: ClassVar[tuple[EditorField, ...]] = ()

    @property
    def template(self) -> str:
        return f"answers/{self.name}.html"

    @property
    def fields(self) -> tuple[str, ...]:
        return self.required + self.optional

    # -- validation -------------------------------------------------------------------
    def validate(self, q: dict[str, Any]) -> list[FieldError]:
        errors = [FieldError(f, "is required") for f in self.required if _missing(q.get(f))]
        if errors:
            return errors
        return self.check(q)

    def check(self, q: dict[str, Any]) -> list[FieldError]:
        """Type-specific checks, run once every required field is present."""
        return []

    # -- study ------------------------------------------------------------------------
    def cards(self, q: dict[str, Any]) -> list[int]:
        """The card ordinals this question makes; most types make one card."""
        return [0]

    def prompt(self, q: dict[str, Any], card: int = 0) -> str:
        return str(q.get("prompt", ""))

    def present(self, q: dict[str, Any], card: int, rng: random.Random) -> dict[str, Any]:
        """What the answer form needs (choices shuffled with ``rng`` so a reload shows the same order)."""
        return {"prompt": self.prompt(q, card)}

    def read_response(self, getlist: GetList, card: int = 0) -> Any:
        """The learner's answer from submitted form values (``getlist(name)`` -> list of str)."""
        values = getlist("answer")
        return values[0].strip() if values else ""

    def grade(self, q: dict[str, Any], response: Any, card: int = 0) -> Outcome:
        raise NotImplementedError

    def expected(self, q: dict[str, Any], card: int = 0) -> str:
        """The right answer as a learner reads it."""
        raise NotImplementedError


REGISTRY: dict[str, QuestionType] = {}


def register(cls: type[QuestionType]) -> type[QuestionType]:
    REGISTRY[cls.name] = cls()
    return cls


def get_type(name: str) -> QuestionType:
    """The registered type called ``name``; KeyError when there is none."""
    return REGISTRY[name]


def type_names() -> list[str]:
    return list(REGISTRY)


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, (str, list, dict)) and len(value) == 0)


def text_list_errors(q: dict[str, Any], field: str, minimum: int) -> list[FieldError]:
    """Checks that ``q[field]`` is a list of at least ``minimum`` distinct non-empty strings."""
    value = q.get(field)
    if not isinstance(value, list):
        return [FieldError(field, "must be a list")]
    errors = [
        FieldError(f"{field}[{i}]", "must be a non-empty text")
        for i, item in enumerate(value)
        if not isinstance(item, (str, int, float)) or isinstance(item, bool) or not str(item).strip()
    ]
    if len(value) < minimum:
        errors.append(FieldError(field, f"needs at least {minimum} entries, has {len(value)}"))
    seen: set[str] = set()
    for i, item in enumerate(value):
        if str(item) in seen:
            errors.append(FieldError(f"{field}[{i}]", f"repeats {item!r}"))
        seen.add(str(item))
    return errors


def weight_errors(q: dict[str, Any], field: str, allowed: Iterable[str]) -> list[FieldError]:
    """Optional ``{choice: fraction}`` maps (partial credit, per-answer feedback)."""
    value = q.get(field)
    if value is None:
        return []
    if not isinstance(value, dict):
        return [FieldError(field, "must be a mapping of answer to value")]
    allowed = {str(a) for a in allowed}
    errors = []
    for key, item in value.items():
        if str(key) not in allowed:
            errors.append(FieldError(f"{field}.{key}", "names no listed answer"))
        elif field == "weights" and (
            not isinstance(item, (int, float)) or isinstance(item, bool) or not -1 <= item <= 1
        ):
            errors.append(FieldError(f"{field}.{key}", "must be a number from -1 to 1"))
    return errors


def clamp(value: float) -> float:
    return max(0.0, min(1.0, value))
