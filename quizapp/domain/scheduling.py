"""FSRS scheduling of one card, the learner's study day, and interval labels.

Wraps the ``fsrs`` library (FSRS-6). Fuzz (the small random spread that keeps reviews from
clumping) is applied here with a random generator seeded by the card and the review time,
so replaying a card's log always gives the same state.
"""
from __future__ import annotations

import random
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler, State
from fsrs.scheduler import FUZZ_RANGES

NEW, LEARNING, REVIEW, RELEARNING = 0, 1, 2, 3
AGAIN, HARD, GOOD, EASY = 1, 2, 3, 4
RATING_NAMES = {AGAIN: "Again", HARD: "Hard", GOOD: "Good", EASY: "Easy"}
LEECH_LAPSES = 8
MATURE_DAYS = 21
MAX_INTERVAL_DAYS = 36500


@dataclass(frozen=True)
class CardState:
    """Everything the scheduler knows about one learner's card."""

    state: int = NEW
    step: int | None = None
    stability: float | None = None
    difficulty: float | None = None
    due: datetime | None = None
    last_review: datetime | None = None
    reps: int = 0
    lapses: int = 0
    leech: bool = False

    def to_json(self) -> dict:
        data = asdict(self)
        for key in ("due", "last_review"):
            data[key] = data[key].isoformat() if data[key] else None
        return data

    @classmethod
    def from_json(cls, data: dict) -> CardState:
        values = dict(data)
        for key in ("due", "last_review"):
            values[key] = datetime.fromisoformat(values[key]) if values.get(key) else None
        return cls(**values)


def make_scheduler(desired_retention: float = 0.9, parameters: list[float] | None = None) -> Scheduler:
    kwargs = {"desired_retention": desired_retention, "enable_fuzzing": False,
              "maximum_interval": MAX_INTERVAL_DAYS}
    if parameters:
        kwargs["parameters"] = tuple(parameters)
    return Scheduler(**kwargs)


def _to_fsrs(card: CardState) -> FsrsCard:
    # An explicit card_id: without one fsrs.Card sleeps 1 ms to make a unique id (the id is unused here).
    if card.state == NEW:
        return FsrsCard(card_id=0)
    return FsrsCard(card_id=0, state=State(card.state), step=card.step, stability=card.stability,
                    difficulty=card.difficulty, due=card.due, last_review=card.last_review)


def _fuzz(interval: timedelta, seed: str) -> timedelta:
    """FSRS's fuzz ranges, drawn from a generator seeded by ``seed`` (deterministic)."""
    days = interval.total_seconds() / 86400
    if days < 2.5:
        return interval
    delta = 1.0 + sum(r["factor"] * max(min(days, r["end"]) - r["start"], 0.0) for r in FUZZ_RANGES)
    low, high = max(2, round(days - delta)), min(round(days + delta), MAX_INTERVAL_DAYS)
    low = min(low, high)
    return timedelta(days=random.Random(seed).randint(low, high))  # noqa: S311 (not for security)


def review(card: CardState, rating: int, now: datetime, scheduler: Scheduler, seed: str = "") -> CardState:
    """The card after answering with ``rating`` at ``now`` (aware UTC)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    now = now.astimezone(UTC)
    was = card.state
    result, _ = scheduler.review_card(_to_fsrs(card), Rating(rating), review_datetime=now)
    due = result.due
    if result.state == State.Review:
        due = now + _fuzz(result.due - now, f"{seed}:{now.isoformat()}")
    lapses = card.lapses + (1 if was == REVIEW and rating == AGAIN else 0)
    return CardState(state=int(result.state), step=result.step, stability=result.stability,
                     difficulty=result.difficulty, due=due, last_review=now, reps=card.reps + 1,
                     lapses=lapses, leech=card.leech or lapses >= LEECH_LAPSES)


def preview(card: CardState, now: datetime, scheduler: Scheduler, seed: str = "") -> dict[int, timedelta]:
    """The interval each of the four ratings would give (what the buttons show)."""
    return {r: review(card, r, now, scheduler, seed).due - now for r in (AGAIN, HARD, GOOD, EASY)}


def retrievability(card: CardState, now: datetime, scheduler: Scheduler) -> float:
    """Probability of recall now (0 for a card never studied)."""
    if card.state == NEW or card.stability is None:
        return 0.0
    return float(scheduler.get_card_retrievability(_to_fsrs(card), now))


def replay(reviews: list[tuple[int, datetime]], scheduler: Scheduler, seed: str = "") -> CardState:
    """The state a card reaches from new through ``reviews`` (rating, time) in order."""
    card = CardState()
    for rating, when in reviews:
        card = review(card, rating, when, scheduler, seed)
    return card


def study_day(now: datetime, timezone: str, day_start_hour: int) -> tuple[datetime, datetime]:
    """UTC bounds of the learner's study day containing ``now``: it starts at ``day_start_hour``
    local time (4 a.m. by default, as in Anki, so a late-night session counts for the evening)."""
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone)
    start = local.replace(hour=day_start_hour, minute=0, second=0, microsecond=0)
    if local < start:
        start -= timedelta(days=1)
    # Through wall-clock arithmetic so a DST change gives a 23- or 25-hour day, not a shifted start.
    end = (start.replace(tzinfo=None) + timedelta(days=1)).replace(tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def interval_label(interval: timedelta) -> str:
    """Anki-style short interval: 1m, 10m, 3h, 4d, 2.1mo, 1.5y."""
    seconds = max(interval.total_seconds(), 0)
    if seconds < 3600:
        return f"{max(1, round(seconds / 60))}m"
    if seconds < 86400:
        return f"{round(seconds / 3600)}h"
    days = seconds / 86400
    if days < 30:
        return f"{round(days)}d"
    if days < 365:
        return f"{days / 30:.1f}mo"
    return f"{days / 365:.1f}y"
