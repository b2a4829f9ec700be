"""Anki's review log (``revlog``) reduced to the reviews FSRS learns from, as Anki reduces it.

Anki computes a card's memory state by replaying the card's revlog through FSRS
(``rslib/src/scheduler/fsrs/params.rs``, ``reviews_for_fsrs``; not training). It keeps, working
back from the latest entry: the entries from the start of the last run of learning steps, or,
when the history holds no learning step (it was cut short), from the first graded review with an
interval of a day or more; nothing before a reset ("Forget"); and of those only the graded ones
that count for scheduling (no cramming in a filtered deck without rescheduling, no manual
rescheduling). ``reviews_for_fsrs`` does the same; services/anki_history.py replays what it
keeps through the learner's StudyScheduler, as Anki replays it through fsrs-rs (same FSRS-6).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

LEARNING, REVIEW, RELEARNING, FILTERED, MANUAL, RESCHEDULED = range(6)  # revlog.type
MAX_REVLOG_ROWS = 300_000  # reviews read from one package; a bigger history is left out with a notice


@dataclass(frozen=True)
class RevlogEntry:
    """One row of Anki's ``revlog``: ``id`` is the time of the review in epoch milliseconds."""

    id: int
    ease: int  # the button pressed, 1-4; 0 for entries no one graded (rescheduling, reset)
    ivl: int  # the interval given: days when positive, seconds when negative
    factor: int  # ease factor in permille; 0 marks a reset (manual) or cramming (filtered)
    kind: int  # revlog.type
    taken_ms: int = 0

    @property
    def graded(self) -> bool:
        return 1 <= self.ease <= 4

    @property
    def cramming(self) -> bool:
        return self.kind == FILTERED and self.factor == 0

    @property
    def reset(self) -> bool:
        return self.kind == MANUAL and self.factor == 0


@dataclass(frozen=True)
class Review:
    """A review to replay: the rating (1-4), when, how long it took, and the revlog id it came from."""

    rating: int
    at: datetime
    duration_ms: int | None
    revlog_id: int


def reviews_for_fsrs(entries: list[RevlogEntry]) -> list[Review]:
    """The reviews of one card that Anki's FSRS counts, oldest first; [] when none does."""
    entries = sorted(entries, key=lambda e: e.id)
    first_learn: int | None = None
    first_graded: int | None = None
    for index in range(len(entries) - 1, -1, -1):
        entry = entries[index]
        if entry.cramming:
            continue
        if entry.graded and (entry.ivl >= 1 or entry.ivl <= -86400):
            first_graded = index
        if entry.graded and entry.kind == LEARNING:
            first_learn = index
        elif entry.reset:
            if first_learn is None and first_graded is None:
                return []  # reset and never graded since: no history counts
            break
        elif first_learn is not None:
            break
    start = first_learn if first_learn is not None else first_graded
    if start is None:
        return []
    return [Review(e.ease, datetime.fromtimestamp(e.id / 1000, UTC), e.taken_ms if e.taken_ms > 0 else None, e.id)
            for e in entries[start:] if e.graded and not e.cramming]


def history_size(history: dict[tuple[str, int], list[Review]]) -> tuple[int, int]:
    """(cards, reviews) of a bank's history."""
    return len(history), sum(len(v) for v in history.values())
