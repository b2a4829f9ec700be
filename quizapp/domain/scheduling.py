"""FSRS scheduling of one card, the learner's study day, and interval labels.

Wraps the ``fsrs`` library (FSRS-6) as Anki wraps fsrs-rs:

- **Study days.** Time between reviews is counted in the learner's study days (a day starts at
  ``day_start_hour`` in their time zone), not in 24-hour periods: a card seen at 23:00 and again
  at 09:00 the next morning was seen one day later, as cards are served by study day. The same
  count feeds stability updates, retrievability (previews, review order, progress) and the
  optimiser's training data.
- **All four answers at once.** ``next_states`` computes the card after each rating; the buttons
  show those intervals and pressing one applies exactly that state (``review`` is
  ``next_states(...)[rating]``).
- **Fuzz** (the small random spread that keeps reviews from clumping) is drawn from one number
  seeded by the card and its review count, never the clock, so the interval shown at one moment
  is the interval applied a moment later, and replaying a card's log gives the same state. As in
  Anki's ``review.rs``, each passing interval is at least a day longer than the one before it
  (Hard < Good < Easy), fuzz included.
- A review-state card is due at the **start of its study day** (N days after today), so "4d"
  means the fourth study day from today even across a 23- or 25-hour day at a DST change.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import IntEnum
from functools import lru_cache
from zoneinfo import ZoneInfo

from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler, State
from fsrs.scheduler import FUZZ_RANGES


class Stage(IntEnum):
    """Where a card is in its life; stored as the integer (fsrs.State's values, which has no "new")."""

    NEW = 0
    LEARNING = 1
    REVIEW = 2
    RELEARNING = 3


NEW, LEARNING, REVIEW, RELEARNING = Stage


class Grade(IntEnum):
    """The four rating buttons (fsrs.Rating's values)."""

    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4


AGAIN, HARD, GOOD, EASY = Grade
RATINGS = (AGAIN, HARD, GOOD, EASY)
RATING_NAMES = {AGAIN: "Again", HARD: "Hard", GOOD: "Good", EASY: "Easy"}
LEECH_LAPSES = 8
MATURE_DAYS = 21
MAX_INTERVAL_DAYS = 36500
DEFAULT_DAY_START_HOUR = 4


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
        # Field by field: asdict() deep-copies every value (a tenth of an answer's own work).
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        for key in ("due", "last_review"):
            data[key] = data[key].isoformat() if data[key] else None
        return data

    @classmethod
    def from_json(cls, data: dict) -> CardState:
        values = dict(data)
        for key in ("due", "last_review"):
            values[key] = datetime.fromisoformat(values[key]) if values.get(key) else None
        return cls(**values)


class _ByStudyDays(FsrsCard):
    """A card whose last review was already moved to whole study days before ``now`` (not moved twice)."""


class StudyScheduler(Scheduler):
    """``fsrs.Scheduler`` counting elapsed time in the learner's study days (see the module docstring).

    fsrs counts whole 24-hour periods (``(now - last_review).days``); here the card's last review is
    handed to fsrs moved to exactly N days before ``now``, N being the study days between them, so
    every formula of fsrs runs unchanged on Anki's notion of elapsed days.
    """

    def __init__(self, *args, timezone: str = "UTC", day_start_hour: int = DEFAULT_DAY_START_HOUR,
                 leech_lapses: int = LEECH_LAPSES, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone = timezone
        self.day_start_hour = day_start_hour
        self.zone = ZoneInfo(timezone)
        self.leech_lapses = leech_lapses  # lapses that make a card a leech (a bank's option; Anki's 8)

    def day_number(self, moment: datetime) -> int:
        return day_number(moment, self.zone, self.day_start_hour)

    def day_of_quarter_hour(self, quarter: int) -> int:
        """``day_number`` of any instant of UTC quarter hour ``quarter`` (Unix seconds // 900)."""
        return _quarter_hour_day(quarter, self.zone, self.day_start_hour)

    def day_start(self, number: int) -> datetime:
        """The UTC instant the study day ``number`` begins."""
        return day_start(number, self.zone, self.day_start_hour)

    def elapsed_days(self, last_review: datetime, now: datetime) -> int:
        return max(0, self.day_number(now) - self.day_number(last_review))

    def recall(self, stability: float, last_review: datetime, when: datetime) -> float:
        """FSRS's probability of recall at ``when`` (study days since ``last_review``) from its closed
        form, without an fsrs.Card: dashboards ask it of thousands of cards. Equal to
        ``get_card_retrievability`` (tests/domain/test_progress.py checks it to 1e-12)."""
        return self.recall_after(stability, self.elapsed_days(last_review, when))

    def recall_after(self, stability: float, elapsed_days: int) -> float:
        """``recall`` from the study days elapsed (the same arithmetic, so the same float)."""
        decay = -self.parameters[20]
        factor = 0.9 ** (1 / decay) - 1
        return (1 + factor * elapsed_days / stability) ** decay

    def _by_study_days(self, card: FsrsCard, now: datetime) -> FsrsCard:
        if card.last_review is None or isinstance(card, _ByStudyDays):
            return card
        moved = _ByStudyDays(card_id=card.card_id, state=card.state, step=card.step, stability=card.stability,
                         difficulty=card.difficulty, due=card.due,
                         last_review=now - timedelta(days=self.elapsed_days(card.last_review, now)))
        return moved

    def get_card_retrievability(self, card: FsrsCard, current_datetime: datetime | None = None) -> float:
        if card.last_review is None or current_datetime is None:
            return super().get_card_retrievability(card, current_datetime)
        now = current_datetime.astimezone(UTC)
        return super().get_card_retrievability(self._by_study_days(card, now), now)

    def review_card(self, card: FsrsCard, rating: Rating, review_datetime: datetime | None = None,
                    review_duration: int | None = None):
        if review_datetime is None:
            review_datetime = datetime.now(UTC)
        moved = self._by_study_days(card, review_datetime)
        result, log = super().review_card(moved, rating, review_datetime=review_datetime,
                                          review_duration=review_duration)
        # fsrs hands back a copy (of the marker class) with last_review = review_datetime: make it a plain
        # card again, so a caller who passes it back in has its elapsed time moved to study days too.
        plain = FsrsCard(card_id=result.card_id, state=result.state, step=result.step, stability=result.stability,
                         difficulty=result.difficulty, due=result.due, last_review=result.last_review)
        return plain, log


def make_scheduler(desired_retention: float = 0.9, parameters: list[float] | None = None,
                   timezone: str = "UTC", day_start_hour: int = DEFAULT_DAY_START_HOUR, *,
                   learning_steps: tuple[timedelta, ...] | None = None,
                   relearning_steps: tuple[timedelta, ...] | None = None,
                   leech_lapses: int = LEECH_LAPSES) -> StudyScheduler:
    """The learner's scheduler; ``learning_steps``, ``relearning_steps`` and ``leech_lapses`` are a bank's
    options (None: fsrs's 1 and 10 minutes, and 10 minutes, as Anki's defaults). One per set of
    settings: a scheduler holds no state of its own once made, and making one (fsrs checks its
    parameters) is a part of every answer and card page."""
    return _scheduler(desired_retention, tuple(parameters) if parameters else None, timezone, day_start_hour,
                      tuple(learning_steps) if learning_steps is not None else None,
                      tuple(relearning_steps) if relearning_steps is not None else None, leech_lapses)


@lru_cache(maxsize=4096)
def _scheduler(desired_retention: float, parameters: tuple[float, ...] | None, timezone: str, day_start_hour: int,
               learning_steps: tuple[timedelta, ...] | None, relearning_steps: tuple[timedelta, ...] | None,
               leech_lapses: int) -> StudyScheduler:
    kwargs = {"desired_retention": desired_retention, "enable_fuzzing": False,
              "maximum_interval": MAX_INTERVAL_DAYS}
    if parameters:
        kwargs["parameters"] = parameters
    if learning_steps is not None:
        kwargs["learning_steps"] = learning_steps
    if relearning_steps is not None:
        kwargs["relearning_steps"] = relearning_steps
    return StudyScheduler(timezone=timezone, day_start_hour=day_start_hour, leech_lapses=leech_lapses, **kwargs)


def _to_fsrs(card: CardState) -> FsrsCard:
    # An explicit card_id: without one fsrs.Card sleeps 1 ms to make a unique id (the id is unused here).
    if card.state == NEW:
        return FsrsCard(card_id=0)
    return FsrsCard(card_id=0, state=State(card.state), step=card.step, stability=card.stability,
                    difficulty=card.difficulty, due=card.due, last_review=card.last_review)


def fuzz_factor(seed: str, reps: int) -> float:
    """One number in [0, 1) per card and review count: the same for every button and every moment."""
    return random.Random(f"{seed}:{reps}").random()  # noqa: S311 (not for security)


def fuzz_range(days: int, maximum: int = MAX_INTERVAL_DAYS) -> tuple[int, int]:
    """fsrs's (and Anki's) fuzz range for an interval of ``days``; (days, days) below 2.5 days."""
    if days < 2.5:
        return days, days
    delta = 1.0 + sum(r["factor"] * max(min(days, r["end"]) - r["start"], 0.0) for r in FUZZ_RANGES)
    low, high = max(2, round(days - delta)), min(round(days + delta), maximum)
    return min(low, high), high


def _fuzzed_days(days: int, factor: float, minimum: int, maximum: int) -> int:
    """``days`` spread by the fuzz factor inside its fuzz range, but never below ``minimum``."""
    low, high = fuzz_range(days, maximum)
    low = min(max(low, minimum), maximum)
    high = max(high, low)
    return min(low + math.floor(factor * (high - low + 1)), high)


def next_states(card: CardState, now: datetime, scheduler: StudyScheduler, seed: str = "") -> dict[int, CardState]:
    """The card after each of the four ratings at ``now`` (aware): what the buttons show and apply."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    now = now.astimezone(UTC)
    factor = fuzz_factor(seed, card.reps)
    today = scheduler.day_number(now)
    minimum = 1
    out: dict[int, CardState] = {}
    for rating in RATINGS:
        result, _ = scheduler.review_card(_to_fsrs(card), Rating(rating), review_datetime=now)
        due = result.due
        if result.state == State.Review:
            days = max(1, round((result.due - now).total_seconds() / 86400))  # fsrs gives whole days
            days = _fuzzed_days(days, factor, minimum, scheduler.maximum_interval)
            minimum = days + 1
            due = scheduler.day_start(today + days)
        lapses = card.lapses + (1 if card.state == REVIEW and rating == AGAIN else 0)
        out[rating] = CardState(state=int(result.state), step=result.step, stability=result.stability,
                                difficulty=result.difficulty, due=due, last_review=now, reps=card.reps + 1,
                                lapses=lapses,
                                leech=card.leech or lapses >= getattr(scheduler, "leech_lapses", LEECH_LAPSES))
    return out


def review(card: CardState, rating: int, now: datetime, scheduler: StudyScheduler, seed: str = "") -> CardState:
    """The card after answering with ``rating`` at ``now`` (aware): exactly what its button showed."""
    if rating not in RATING_NAMES:
        raise ValueError(f"rating must be one of {RATINGS}")
    return next_states(card, now, scheduler, seed)[rating]


def interval_of(before: CardState, after: CardState, now: datetime, scheduler: StudyScheduler) -> timedelta:
    """The interval a button shows: whole study days for a review-state result, else time until due."""
    if after.state == REVIEW:
        return timedelta(days=scheduler.day_number(after.due) - scheduler.day_number(now))
    return after.due - now


def preview(card: CardState, now: datetime, scheduler: Scheduler, seed: str = "") -> dict[int, timedelta]:
    """The interval each of the four ratings would give (what the buttons show)."""
    now = now.astimezone(UTC)
    return {r: interval_of(card, after, now, scheduler) for r, after in next_states(card, now, scheduler, seed).items()}


def retrievability(card: CardState, now: datetime, scheduler: Scheduler) -> float:
    """Probability of recall now (0 for a card never studied), elapsed time in study days."""
    if card.state == NEW or card.stability is None:
        return 0.0
    return float(scheduler.get_card_retrievability(_to_fsrs(card), now.astimezone(UTC)))


def replay(reviews: list[tuple[int, datetime]], scheduler: Scheduler, seed: str = "") -> CardState:
    """The state a card reaches from new through ``reviews`` (rating, time) in order."""
    card = CardState()
    for rating, when in reviews:
        card = review(card, rating, when, scheduler, seed)
    return card


def day_number(moment: datetime, zone: ZoneInfo, day_start_hour: int) -> int:
    """The study day containing ``moment`` as a day count (the local date the day started on)."""
    # Every UTC offset, and every daylight-saving jump, is a whole number of quarter hours, and a
    # study day starts on the hour: all instants of one UTC quarter hour share their study day.
    # Dashboards ask this of thousands of cards; converting each to local time was most of the cost.
    return _quarter_hour_day(int(moment.timestamp() // 900), zone, day_start_hour)


@lru_cache(maxsize=65536)
def _quarter_hour_day(quarter: int, zone: ZoneInfo, day_start_hour: int) -> int:
    moment = datetime.fromtimestamp(quarter * 900, UTC)
    return _local_day_start(moment, zone, day_start_hour).date().toordinal()


def day_start(number: int, zone: ZoneInfo, day_start_hour: int) -> datetime:
    """The UTC instant study day ``number`` begins: ``day_start_hour`` on that local date (the first
    such moment if the hour is repeated, the moment the clock jumps past it if it is skipped)."""
    local = datetime.combine(date.fromordinal(number), time(day_start_hour), tzinfo=zone)
    return local.astimezone(UTC)


def _local_day_start(now: datetime, zone: ZoneInfo, day_start_hour: int) -> datetime:
    local = now.astimezone(zone)
    start = local.replace(hour=day_start_hour, minute=0, second=0, microsecond=0)
    if local < start:  # same tzinfo: compared on the wall clock
        start -= timedelta(days=1)
    return start


def study_day(now: datetime, timezone: str, day_start_hour: int) -> tuple[datetime, datetime]:
    """UTC bounds of the learner's study day containing ``now``: it starts at ``day_start_hour``
    local time (4 a.m. by default, as in Anki, so a late-night session counts for the evening)."""
    zone = ZoneInfo(timezone)
    start = _local_day_start(now, zone, day_start_hour)
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
