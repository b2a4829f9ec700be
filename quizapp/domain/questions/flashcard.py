"""Flashcards: the learner reveals the back and rates their own recall.

``reverse: true`` makes a second card asking the back and revealing the front (Anki's "Basic
(and reversed card)"): one question, two sibling cards, buried on the day the other is answered.
"""
from __future__ import annotations

from typing import Any

from .base import EditorField, FieldError, Outcome, QuestionType, register

REVERSE_CARD = 1


@register
class Flashcard(QuestionType):
    name = "flashcard"
    label = "Flashcard"
    required = ("front", "back")
    optional = ("reverse",)
    answer_fields = ("back",)
    defaults = {"reverse": False}
    editor = (EditorField("front", "Front", "textarea"), EditorField("back", "Back", "textarea"),
              EditorField("reverse", "Also ask it the other way round (back to front)", "bool"))
    auto_graded = False

    def check(self, q: dict[str, Any]) -> list[FieldError]:
        if "reverse" in q and not isinstance(q["reverse"], bool):
            return [FieldError("reverse", "must be true or false")]
        return []

    def cards(self, q: dict[str, Any]) -> list[int]:
        return [0, REVERSE_CARD] if q.get("reverse") is True else [0]

    def prompt(self, q: dict[str, Any], card: int = 0) -> str:
        return str(q["back"] if card == REVERSE_CARD else q["front"])

    def expected(self, q: dict[str, Any], card: int = 0) -> str:
        return str(q["front"] if card == REVERSE_CARD else q["back"])

    def present(self, q, card, rng):
        return {"prompt": self.prompt(q, card), "back": self.expected(q, card)}

    def read_response(self, getlist, card: int = 0) -> Any:
        return None

    def grade(self, q: dict[str, Any], response: Any, card: int = 0) -> Outcome:
        return Outcome(score=1.0, expected=self.expected(q, card), self_rated=True)
