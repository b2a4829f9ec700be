"""Flashcards: the learner reveals the back and rates their own recall."""
from __future__ import annotations

from typing import Any

from .base import EditorField, Outcome, QuestionType, register


@register
class Flashcard(QuestionType):
    name = "flashcard"
    label = "Flashcard"
    required = ("front", "back")
    answer_fields = ("back",)
    editor = (EditorField("front", "Front", "textarea"), EditorField("back", "Back", "textarea"))
    auto_graded = False

    def prompt(self, q: dict[str, Any], card: int = 0) -> str:
        return str(q["front"])

    def expected(self, q: dict[str, Any], card: int = 0) -> str:
        return str(q["back"])

    def read_response(self, getlist, card: int = 0) -> Any:
        return None

    def grade(self, q: dict[str, Any], response: Any, card: int = 0) -> Outcome:
        return Outcome(score=1.0, expected=self.expected(q), self_rated=True)
