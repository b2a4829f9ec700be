"""The question-type registry: one class per type, each validating, presenting and grading itself.

A question's type-specific fields (prompt, choices, answer, ...) travel as a plain dict so
that every bank format reads and writes them the same way; the type class is the only code
that knows what those fields mean.
"""
from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

GetList = Callable[[str], list[str]]
DIFFICULTIES = ("easy", "medium", "hard")


@dataclass(frozen=True)
class FieldError:
    """A problem with one field of one question; ``field`` is a path such as ``choices[2]``."""

    field: str
    message: str


MAX_ANSWER_CHARS = 1000  # a typed answer (or one blank) longer than this is refused, never graded


class ResponseError(ValueError):
    """A submitted answer that cannot be graded as it stands (not a number, a choice the question
    does not have, two items in one position, too long): nothing is recorded and the learner is
    asked again with this message."""


@dataclass(frozen=True)
class Outcome:
    """The result of grading one answer. ``score`` is the credit earned, up to 1; a negatively marked
    choice (Moodle's single-answer multiple choice) can take it down to -1."""

    score: float
    expected: str
    feedback: str = ""
    self_rated: bool = False
    # A typed answer a slip of letters away from this accepted form: marked wrong, and the learner
    # may count it as right (domain.text).
    near_miss: str = ""
    # How a typed number was read ("30 million people"), shown back beside what was typed.
    read_as: str = ""
    # Every form worth full marks, the main one first, for "Right answer: X, also accepted: Y; Z"
    # (types answered by typing; empty for the others, which show ``expected`` alone). Display only:
    # two outcomes that grade alike are equal whatever it holds.
    forms: tuple[str, ...] = field(default=(), compare=False)

    @property
    def correct(self) -> bool:
        return self.score >= 0.999


@dataclass(frozen=True)
class ReviewRow:
    """One item of an answer as the feedback page lays it out: what it is, what the learner gave,
    what is right, and whether they agree."""

    item: str
    given: str
    right: str
    ok: bool


@dataclass(frozen=True)
class EditorField:
    """One input of a type's edit form. ``kind`` says how the text maps to the field's value:
    text, textarea, lines (a list, one per line), pairs ("left = right" per line), bool, number,
    credits and notes ("item = credit" or "item = text" per line: a map keyed by the items of the
    field ``keys``, such as each choice's weight or feedback), alternatives (numeric alternatives,
    "answer | tolerance | credit | feedback" per line)."""

    name: str
    label: str
    kind: str = "text"
    hint: str = ""
    keys: str = ""  # credits, notes: the field whose items the lines name


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
    # Expected seconds for a confident answer: the prior of the rating rule's typical time (domain.rating).
    quick_seconds: ClassVar[float] = 10.0
    # A guess is often right (true/false, one of a few choices): speed never suggests Easy.
    guessable: ClassVar[bool] = False
    # The heading of the items column on the feedback page's item-by-item table (see ``review``).
    review_item_label: ClassVar[str] = "Item"
    # The teacher's edit form for this type (see domain.questions.editing).
    editor: ClassVar[tuple[EditorField, ...]] = ()

    @property
    def template(self) -> str:
        """The answer form's template (the study card and the quiz)."""
        return f"answers/{self.name}.html"

    @property
    def preview_template(self) -> str:
        """How a teacher sees the question and its right answer (upload preview, bank page)."""
        return f"previews/{self.name}.html"

    def choice_options(self, q: dict[str, Any]) -> tuple[list[str], list[str]] | None:
        """(choices, right ones) of a question answered by picking from a list, whose answers the
        item statistics count per choice (Moodle's response analysis); None for other types."""
        return None

    @property
    def counts_choices(self) -> bool:
        return type(self).choice_options is not QuestionType.choice_options

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
        """The learner's answer from submitted form values (``getlist(name)`` -> list of str).
        Raises ResponseError for input that cannot be an answer (see ``check_response``)."""
        values = getlist("answer")
        return capped(values[0].strip()) if values else ""

    def check_response(self, q: dict[str, Any], response: Any, card: int = 0) -> None:
        """Raises ResponseError when ``response`` names something the question does not offer
        (an unknown choice), so it never reaches grading or the teacher's statistics."""

    def is_empty(self, response: Any) -> bool:
        """True for no answer at all (an empty box, nothing ticked): recorded as nothing."""
        if response is None:
            return True
        if isinstance(response, str):
            return not response.strip()
        if isinstance(response, (list, tuple)):
            return all(self.is_empty(r) for r in response)
        if isinstance(response, dict):
            return self.is_empty(response.get("text"))
        return False

    def grade(self, q: dict[str, Any], response: Any, card: int = 0) -> Outcome:
        raise NotImplementedError

    def expected(self, q: dict[str, Any], card: int = 0) -> str:
        """The right answer as a learner reads it."""
        raise NotImplementedError

    def review(self, q: dict[str, Any], response: Any, card: int = 0) -> list[ReviewRow]:
        """The answer item by item for the feedback page (matching pairs, choices, positions, blanks);
        empty for types answered in one piece."""
        return []

    def given_text(self, response: Any) -> str:
        """The learner's answer in one line, as the feedback page and quiz results show it."""
        if response is None or response == "":
            return "(no answer)"
        if isinstance(response, dict) and "text" in response:  # a typed number: shown as typed
            return str(response["text"])
        if isinstance(response, list):
            return "; ".join(str(r) for r in response) or "(no answer)"
        if isinstance(response, bool):
            return "True" if response else "False"
        if isinstance(response, float) and response.is_integer():
            return str(int(response))
        return str(response)


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


def capped(text: str) -> str:
    """``text`` if within MAX_ANSWER_CHARS, else ResponseError (graders then run on bounded input)."""
    if len(text) > MAX_ANSWER_CHARS:
        raise ResponseError(f"That answer is {len(text):,} characters long; at most {MAX_ANSWER_CHARS:,} are read.")
    return text


def clamp(value: float) -> float:
    return max(0.0, min(1.0, value))
