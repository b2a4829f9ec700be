"""Turning a graded answer and the time it took into an FSRS rating.

The rule (the learner sees the suggestion and may change it before moving on):

- score below 0.5 (wrong, or mostly wrong): **Again**
- partial credit (0.5 up to but not including 1): **Hard**
- fully right but slow, more than 2.5 x the type's ``quick_seconds``: **Hard**
- fully right within half the type's ``quick_seconds``: **Easy**
- otherwise fully right: **Good**

``quick_seconds`` is set per question type (a true/false is read faster than an ordering).
The raw outcome (answer, score, seconds) is kept in the review log, so this rule can be
re-fitted later without losing anything.
"""
from __future__ import annotations

from .questions import Outcome
from .scheduling import AGAIN, EASY, GOOD, HARD

SLOW_FACTOR = 2.5
FAST_FACTOR = 0.5


def suggest_rating(outcome: Outcome, seconds: float | None, quick_seconds: float) -> int | None:
    """The suggested rating, or None for a self-rated card (a flashcard)."""
    if outcome.self_rated:
        return None
    if outcome.score < 0.5:
        return AGAIN
    if not outcome.correct:
        return HARD
    if seconds is None:
        return GOOD
    if seconds > SLOW_FACTOR * quick_seconds:
        return HARD
    if seconds <= FAST_FACTOR * quick_seconds:
        return EASY
    return GOOD
