"""Turning a graded answer and the time it took into an FSRS rating.

The rule (the learner sees the suggestion on the feedback page and may change it):

- score below ``PASS_SCORE`` (0.8): **Again**. FSRS treats Hard as *remembered*; half an ordering
  right is not remembering it (a random order of four items scores 0.5 on average).
- partial credit from 0.8 up to but not including 1: **Hard**
- fully right, within half the learner's own typical time for this type of question: **Easy**,
  except on types a guess often gets right (true/false, multiple choice), which stop at Good
- otherwise fully right: **Good** -- time alone never takes a right answer below Good.

The learner's typical time is the median of their last ``RECENT`` right answers of the type,
weighed against the type's ``quick_seconds`` as a prior worth ``PRIOR_WEIGHT`` answers, so a slow
but steady learner is judged against their own pace and a newcomer against a sensible default.
The raw outcome (answer, score, seconds) is kept in the review log, so this rule can be re-fitted
later without losing anything. The help page (/help/grading) says the same in plain words.
"""
from __future__ import annotations

from collections.abc import Sequence
from statistics import median

from .questions import Outcome
from .scheduling import AGAIN, EASY, GOOD, HARD

PASS_SCORE = 0.8
FAST_FACTOR = 0.5
RECENT = 20
PRIOR_WEIGHT = 5


def typical_seconds(recent: Sequence[float], prior: float) -> float:
    """The learner's typical time for a right answer: their recent median, shrunk toward ``prior``."""
    if not recent:
        return prior
    n = len(recent)
    return (PRIOR_WEIGHT * prior + n * median(recent)) / (PRIOR_WEIGHT + n)


def suggest_rating(outcome: Outcome, seconds: float | None, typical: float, guessable: bool = False) -> int | None:
    """The suggested rating, or None for a self-rated card (a flashcard)."""
    if outcome.self_rated:
        return None
    if outcome.score < PASS_SCORE:
        return AGAIN
    if not outcome.correct:
        return HARD
    if seconds is not None and not guessable and seconds <= FAST_FACTOR * typical:
        return EASY
    return GOOD
