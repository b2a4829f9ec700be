"""Question types: import this package to fill the registry."""
from . import arrange, choice, cloze, flashcard, typed  # noqa: F401  (each registers its types)
from .base import (
    DIFFICULTIES,
    MAX_ANSWER_CHARS,
    REGISTRY,
    FieldError,
    Outcome,
    QuestionType,
    ResponseError,
    get_type,
    type_names,
)

__all__ = ["DIFFICULTIES", "MAX_ANSWER_CHARS", "REGISTRY", "FieldError", "Outcome", "QuestionType", "ResponseError",
           "get_type", "type_names"]
