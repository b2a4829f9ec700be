"""A learner's progress, from plain data: forecast, heatmap, streak, card counts, retention, mastery.

No Flask and no database: the service (services.progress) reads cards and aggregated review
counts and hands them here with ``now``, so every number on the dashboard can be checked
against a hand-worked example.

Days are the learner's study days (scheduling.study_day): they start at ``day_start_hour`` in
the learner's time zone, so a review at 1 a.m. counts for the evening before.
"""
from __future__ import annotations

import csv
import io
import math
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, NamedTuple, TypeVar
from zoneinfo import ZoneInfo

from fsrs import Scheduler

from . import scheduling as sched

K = TypeVar("K")

FORECAST_DAYS = 30
HEATMAP_WEEKS = 53  # a year back, in whole Monday-to-Sunday columns
RETENTION_WEEKS = 12
WEAKEST_LIMIT = 10
# Mastery looks a week ahead: recall right after an answer is near 100 % whatever was learnt, so "now"
# says nothing; a card still above the desired retention in 7 days has been learnt, not just seen.
MASTERY_HORIZON = timedelta(days=7)
WRONG_WINDOW = timedelta(days=14)  # "answered wrong recently", for the weak questions
MIN_RETENTION_REVIEWS = 20  # below this many reviews a retention percentage says too little to show
WILSON_Z = 1.959964  # 95 %


# -- the learner's calendar --------------------------------------------------------------------
@dataclass(frozen=True)
class StudyCalendar:
    """Maps instants to the learner's study days and back."""

    timezone: str = "UTC"
    day_start_hour: int = 4

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def date_of(self, when: datetime) -> date:
        """The study day ``when`` (aware) falls in; the same day as scheduling.study_day gives."""
        local = when.astimezone(self.zone).replace(tzinfo=None)
        return (local - timedelta(hours=self.day_start_hour)).date()

    def start_of(self, day: date) -> datetime:
        """The UTC instant study day ``day`` begins (wall-clock, so DST days are 23 or 25 hours)."""
        return datetime.combine(day, time(self.day_start_hour), tzinfo=self.zone).astimezone(UTC)

    def day_shifts(self, first: date, last: date) -> list[tuple[datetime | None, int]]:
        """How SQL finds the study day of an instant without knowing time zones, from ``first`` to
        ``last``: an instant before ``until`` (None: any later one) falls on the UTC calendar date of
        (instant - ``shift`` seconds). One pair per run of days with the same UTC offset. Where the
        offset changes (DST), the switch is made in the middle of the day before, where both shifts
        give that day (a 25-hour day fits neither shift whole)."""
        days = [first + timedelta(days=n) for n in range((last - first).days + 2)]
        starts = [self.start_of(d) for d in days]
        shifts = [int((s - datetime.combine(d, time(), UTC)).total_seconds()) for d, s in zip(days, starts)]
        out: list[tuple[datetime | None, int]] = []
        for i in range(1, len(days)):
            if shifts[i] != shifts[i - 1]:
                out.append((starts[i - 1] + (starts[i] - starts[i - 1]) / 2, shifts[i - 1]))
        out.append((None, shifts[-1]))
        return out

    def day_starts(self, first: date, count: int) -> list[datetime]:
        """UTC starts of ``count`` study days from ``first`` (for bisecting many instants into days)."""
        return [self.start_of(first + timedelta(days=n)) for n in range(count)]


def week_start(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


# -- cards as the dashboard sees them -----------------------------------------------------------
class CardInfo(NamedTuple):
    """One learner's card: its schedule and where it belongs (bank, question tags). A named tuple:
    a learner has thousands, made on every view."""

    card_id: int
    question_id: int
    bank_id: int
    state: int = sched.NEW
    stability: float | None = None
    difficulty: float | None = None
    due: datetime | None = None
    last_review: datetime | None = None
    lapses: int = 0
    leech: bool = False
    suspended: bool = False
    ordinal: int = 0
    tags: tuple[str, ...] = ()

    @property
    def studied(self) -> bool:
        return self.state != sched.NEW

    @property
    def interval(self) -> timedelta | None:
        """The interval the card was last scheduled with (due minus last review)."""
        if self.due is None or self.last_review is None:
            return None
        return self.due - self.last_review

    def card_state(self) -> sched.CardState:
        return sched.CardState(state=self.state, stability=self.stability, difficulty=self.difficulty,
                               due=self.due, last_review=self.last_review, lapses=self.lapses, leech=self.leech)


def _scheduled(cards: Iterable[CardInfo]) -> list[CardInfo]:
    """Cards with a due date that will come up: studied and not suspended."""
    return [c for c in cards if c.studied and not c.suspended and c.due is not None]


# -- due today, forecast -------------------------------------------------------------------------
@dataclass(frozen=True)
class DueToday:
    due: int  # due before the end of today, overdue included
    overdue: int  # due before today began
    learning: int  # of ``due``, cards in (re)learning


def due_today(cards: Iterable[CardInfo], now: datetime, calendar: StudyCalendar) -> DueToday:
    today = calendar.date_of(now)
    start, end = calendar.start_of(today), calendar.start_of(today + timedelta(days=1))
    due = [c for c in _scheduled(cards) if c.due < end]
    return DueToday(due=len(due), overdue=sum(1 for c in due if c.due < start),
                    learning=sum(1 for c in due if c.state in (sched.LEARNING, sched.RELEARNING)))


@dataclass(frozen=True)
class DayCount:
    day: date
    count: int


def forecast(cards: Iterable[CardInfo], now: datetime, calendar: StudyCalendar,
             days: int = FORECAST_DAYS) -> list[DayCount]:
    """Cards falling due on each of the next ``days`` study days; today's bar includes the overdue."""
    today = calendar.date_of(now)
    starts = calendar.day_starts(today + timedelta(days=1), days)  # when days 1..days begin
    counts = [0] * (days + 1)
    for card in _scheduled(cards):
        counts[bisect_right(starts, card.due)] += 1  # 0 for today or before, ``days`` for later
    return [DayCount(today + timedelta(days=i), n) for i, n in enumerate(counts[:days])]


# -- heatmap and streak --------------------------------------------------------------------------
def heatmap_start(today: date, weeks: int = HEATMAP_WEEKS) -> date:
    """First day of the heatmap: the Monday ``weeks - 1`` weeks before this week's."""
    return week_start(today) - timedelta(weeks=weeks - 1)


@dataclass(frozen=True)
class HeatCell:
    day: date
    count: int
    level: int  # 0 (none) to 4 (the busiest days)


@dataclass(frozen=True)
class Heatmap:
    weeks: list[list[HeatCell | None]]  # columns of Monday..Sunday; None after today
    max_count: int
    total: int
    active_days: int

    @property
    def days(self) -> list[HeatCell]:
        return [c for week in self.weeks for c in week if c is not None]


def heat_level(count: int, max_count: int) -> int:
    """0 for no reviews, else 1..4 in quarters of the busiest day."""
    if count <= 0 or max_count <= 0:
        return 0
    return max(1, min(4, math.ceil(4 * count / max_count)))


def heatmap(per_day: Mapping[date, int], today: date, weeks: int = HEATMAP_WEEKS) -> Heatmap:
    start = heatmap_start(today, weeks)
    inside = {d: n for d, n in per_day.items() if start <= d <= today and n > 0}
    top = max(inside.values(), default=0)
    columns: list[list[HeatCell | None]] = []
    for w in range(weeks):
        column: list[HeatCell | None] = []
        for d in range(7):
            day = start + timedelta(weeks=w, days=d)
            count = inside.get(day, 0)
            column.append(HeatCell(day, count, heat_level(count, top)) if day <= today else None)
        columns.append(column)
    return Heatmap(columns, top, sum(inside.values()), len(inside))


@dataclass(frozen=True)
class Streak:
    current: int  # consecutive study days ending today (or yesterday, while today is still open)
    longest: int  # the longest run inside the days given
    studied_today: bool
    capped: bool = False  # the current run reaches back to the first day looked at: it may be longer


def streak(study_days: Iterable[date], today: date, first_day: date | None = None) -> Streak:
    """Runs of consecutive study days. Today without a review yet does not break the run: it only
    breaks once a whole day has passed without one."""
    days = {d for d in study_days if d <= today}
    studied_today = today in days
    current, day = 0, today if studied_today else today - timedelta(days=1)
    while day in days:
        current += 1
        day -= timedelta(days=1)
    longest = run = 0
    previous: date | None = None
    for d in sorted(days):
        run = run + 1 if previous is not None and (d - previous).days == 1 else 1
        longest, previous = max(longest, run), d
    capped = first_day is not None and current > 0 and day < first_day
    return Streak(current, longest, studied_today, capped)


# -- card counts ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class CardCounts:
    new: int
    learning: int  # learning and relearning
    young: int  # review cards with an interval under 21 days
    mature: int  # review cards with an interval of 21 days or more
    suspended: int

    @property
    def total(self) -> int:
        return self.new + self.learning + self.young + self.mature + self.suspended


def is_mature(card: CardInfo) -> bool:
    interval = card.interval
    return card.state == sched.REVIEW and interval is not None and interval >= timedelta(days=sched.MATURE_DAYS)


def card_counts(cards: Iterable[CardInfo], total_cards: int) -> CardCounts:
    """``cards`` are the learner's card rows; ``total_cards`` how many cards their banks make in all
    (rows exist only for cards ever answered or suspended, so the rest are new)."""
    learning = young = mature = suspended = started = 0
    for card in cards:
        if card.suspended:
            suspended += 1
        elif card.state in (sched.LEARNING, sched.RELEARNING):
            learning += 1
        elif card.state == sched.REVIEW:
            mature += is_mature(card)
            young += not is_mature(card)
        else:
            continue  # a row still new (undone, or reset by an edited answer) counts as new
        started += 1
    return CardCounts(max(0, total_cards - started), learning, young, mature, suspended)


# -- true retention -------------------------------------------------------------------------------
class Review(NamedTuple):
    """One answer to a card in the review state (before the answer), in time order."""

    card_id: int
    day: date
    rating: int


@dataclass(frozen=True)
class Retention:
    reviews: int = 0  # reviews of cards in the review state (interval of a day or more)
    passed: int = 0  # of those, not rated Again

    @property
    def rate(self) -> float | None:
        return self.passed / self.reviews if self.reviews else None

    @property
    def enough(self) -> bool:
        """Enough reviews for a percentage to mean something (MIN_RETENTION_REVIEWS)."""
        return self.reviews >= MIN_RETENTION_REVIEWS

    @property
    def interval(self) -> tuple[float, float] | None:
        """The Wilson score interval (95 %) of the rate: how far the true rate may lie from it."""
        return wilson_interval(self.passed, self.reviews)


def wilson_interval(passed: int, n: int, z: float = WILSON_Z) -> tuple[float, float] | None:
    """Wilson's score interval for a proportion: unlike p ± z·SE it stays inside 0..1 and is honest
    for small n and for rates near 0 or 1 (2 of 2 is 34 %–100 %, not 100 % ± 0)."""
    if n <= 0:
        return None
    p = passed / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def retention_by(reviews: Iterable[Review], key: Callable[[Review], K | None]) -> dict[K, Retention]:
    """True retention grouped by ``key`` (None leaves a review out)."""
    counts: dict[K, list[int]] = defaultdict(lambda: [0, 0])
    # As Anki's true retention (rslib/src/stats/graphs/retention.rs): every rated review of a card with
    # an interval of a day or more, a same-day repeat included; learning-step repeats are not reviews
    # of review-state cards, so they never come here.
    for r in reviews:
        k = key(r)
        if k is not None:
            tally = counts[k]
            tally[0] += 1
            tally[1] += r.rating != sched.AGAIN
    return {k: Retention(n, passed) for k, (n, passed) in counts.items()}


@dataclass(frozen=True)
class WeekRetention:
    week: date  # its Monday
    retention: Retention


def retention_weeks_start(today: date, weeks: int = RETENTION_WEEKS) -> date:
    return week_start(today) - timedelta(weeks=weeks - 1)


def retention_by_week(reviews: Iterable[Review], today: date, weeks: int = RETENTION_WEEKS) -> list[WeekRetention]:
    """The last ``weeks`` weeks (this one included), oldest first, empty weeks kept."""
    first = retention_weeks_start(today, weeks)
    by_week = retention_by(reviews, lambda r: week_start(r.day) if first <= r.day <= today else None)
    return [WeekRetention(first + timedelta(weeks=i), by_week.get(first + timedelta(weeks=i), Retention()))
            for i in range(weeks)]


# -- mastery and the weakest cards -----------------------------------------------------------------
@dataclass(frozen=True)
class Mastery:
    """Of a bank's (or tag's) ``cards``, how many are ``mastered``: predicted recall a week from now
    (MASTERY_HORIZON) still at or above the desired retention. Cards never studied, in learning or
    suspended count as not mastered, so a bank never opened is at 0 %, not "–" or 100 %."""

    cards: int  # every card of the bank or tag, studied or not
    mastered: int
    studied: int = 0

    @property
    def share(self) -> float:
        return self.mastered / self.cards if self.cards else 0.0


def recall_now(cards: Iterable[CardInfo], now: datetime, scheduler: Scheduler) -> dict[int, float]:
    """Probability of recall now of each studied card, by card id."""
    return recall_at(cards, now, scheduler)


def recall_at(cards: Iterable[CardInfo], when: datetime, scheduler: sched.StudyScheduler) -> dict[int, float]:
    """FSRS's probability of recall at ``when`` of each studied card (by card id), in study days
    (StudyScheduler.recall): the dashboard asks it of every card twice (now and a week ahead)."""
    day = scheduler.day_number(when)  # once, not per card
    return {c.card_id: scheduler.recall_after(c.stability, max(0, day - scheduler.day_number(c.last_review)))
            for c in cards if c.studied and c.stability is not None and c.last_review is not None}


def mastered_cards(cards: Iterable[CardInfo], now: datetime, scheduler: Scheduler,
                   desired_retention: float) -> set[int]:
    """Ids of the cards whose predicted recall at now + MASTERY_HORIZON is at least ``desired_retention``."""
    cards = [c for c in cards if not c.suspended]
    return {card_id for card_id, r in recall_at(cards, now + MASTERY_HORIZON, scheduler).items()
            if r >= desired_retention}


def mastery_by(cards: Iterable[CardInfo], mastered: Collection[int], totals: Mapping[K, int],
               keys: Callable[[CardInfo], Iterable[K]]) -> dict[K, Mastery]:
    """Mastery under each key of ``totals`` (key -> all its cards, studied or not; a card may count under
    several keys: tags). Keys with no studied card are there too, at 0."""
    done: dict[K, int] = defaultdict(int)
    studied: dict[K, int] = defaultdict(int)
    for card in cards:
        if card.studied:
            for k in keys(card):
                studied[k] += 1
                done[k] += card.card_id in mastered
    return {k: Mastery(n, min(done[k], n), min(studied[k], n)) for k, n in totals.items()}


@dataclass(frozen=True)
class WeakCard:
    card: CardInfo
    recall: float
    wrong_recently: int = 0  # Again or wrong answers in the last WRONG_WINDOW, learning steps included


WEAK_RULE = ("Leeches first, then the cards you got wrong most often in the last 14 days (learning steps "
             "included), then the lowest chance of recall now, then the most lapses.")


def weakest(cards: Iterable[CardInfo], recall: Mapping[int, float], desired_retention: float,
            wrong_recently: Mapping[int, int] | None = None, limit: int | None = WEAKEST_LIMIT) -> list[WeakCard]:
    """Cards most in need of work, ordered by WEAK_RULE. A card is weak when it is a leech, was answered
    wrong in the last 14 days, has lapsed, or its recall now is below the desired retention."""
    wrong = wrong_recently or {}
    weak = [WeakCard(c, recall.get(c.card_id, 0.0), wrong.get(c.card_id, 0)) for c in cards
            if not c.suspended and (c.card_id in recall or wrong.get(c.card_id))
            and (c.leech or wrong.get(c.card_id, 0) > 0 or c.lapses > 0
                 or recall.get(c.card_id, 0.0) < desired_retention)]
    weak.sort(key=lambda w: (not w.card.leech, -w.wrong_recently, round(w.recall, 6), -w.card.lapses,
                             w.card.card_id))
    return weak if limit is None else weak[:limit]


# -- the whole dashboard, and its tables -----------------------------------------------------------
@dataclass(frozen=True)
class NamedRetention:
    name: str
    retention: Retention


@dataclass(frozen=True)
class NamedMastery:
    name: str
    mastery: Mastery


@dataclass(frozen=True)
class WeakQuestion:
    question_id: int
    ordinal: int
    prompt: str
    bank: str
    recall: float
    lapses: int
    leech: bool
    wrong_recently: int = 0


@dataclass(frozen=True)
class WeekActivity:
    this_week: int  # reviews from Monday to today
    last_week: int  # reviews the whole of last week


@dataclass(frozen=True)
class Dashboard:
    """Everything the progress page shows, as plain data (a teacher's read-only view reuses it)."""

    learner: str
    now: datetime
    today: date
    calendar: StudyCalendar
    desired_retention: float
    due: DueToday
    reviews_today: int
    forecast: list[DayCount]
    heatmap: Heatmap
    streak: Streak
    counts: CardCounts
    retention_weeks: list[WeekRetention]
    retention_banks: list[NamedRetention]
    retention_total: Retention
    mastery_banks: list[NamedMastery]
    mastery_tags: list[NamedMastery]
    weakest: list[WeakQuestion] = field(default_factory=list)
    weak_total: int = 0  # how many cards are weak in all (``weakest`` holds the first WEAKEST_LIMIT)
    week: WeekActivity = field(default_factory=lambda: WeekActivity(0, 0))

    @property
    def mastery_total(self) -> Mastery:
        return Mastery(sum(m.mastery.cards for m in self.mastery_banks),
                       sum(m.mastery.mastered for m in self.mastery_banks),
                       sum(m.mastery.studied for m in self.mastery_banks))

    @property
    def forecast_max(self) -> int:
        return max((d.count for d in self.forecast), default=0)


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}"


def _retention_row(by: str, name: str, r: Retention, desired: float) -> list[Any]:
    low, high = r.interval or (None, None)
    return [by, name, r.reviews, r.passed, _pct(r.rate) if r.enough else "", _pct(low) if r.enough else "",
            _pct(high) if r.enough else "", _pct(desired)]


TABLES: dict[str, Callable[[Dashboard], tuple[list[str], list[list[Any]]]]] = {
    "forecast": lambda d: (["date", "cards due"], [[f.day.isoformat(), f.count] for f in d.forecast]),
    "heatmap": lambda d: (["date", "reviews"], [[c.day.isoformat(), c.count] for c in d.heatmap.days]),
    "counts": lambda d: (["category", "cards"], [["new", d.counts.new], ["learning", d.counts.learning],
                                                 ["young", d.counts.young], ["mature", d.counts.mature],
                                                 ["suspended", d.counts.suspended]]),
    "retention": lambda d: (
        ["by", "name", "reviews of review cards", "not again", "true retention %", "95% interval low %",
         "95% interval high %", "desired retention %"],
        [_retention_row("week", w.week.isoformat(), w.retention, d.desired_retention) for w in d.retention_weeks]
        + [_retention_row("bank", b.name, b.retention, d.desired_retention) for b in d.retention_banks]),
    "mastery": lambda d: (
        ["by", "name", "cards", "studied", "mastered (recall in 7 days >= desired retention)", "mastery %"],
        [["bank", m.name, m.mastery.cards, m.mastery.studied, m.mastery.mastered, _pct(m.mastery.share)]
         for m in d.mastery_banks]
        + [["tag", m.name, m.mastery.cards, m.mastery.studied, m.mastery.mastered, _pct(m.mastery.share)]
           for m in d.mastery_tags]),
    "weakest": lambda d: (
        ["question", "bank", "wrong in 14 days", "recall now %", "lapses", "leech"],
        [[w.prompt, w.bank, w.wrong_recently, _pct(w.recall), w.lapses, "yes" if w.leech else "no"]
         for w in d.weakest]),
}


def table(dashboard: Dashboard, name: str) -> tuple[list[str], list[list[Any]]]:
    """(header, rows) of one of the dashboard's tables (KeyError for an unknown name)."""
    return TABLES[name](dashboard)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula gets a leading quote (OWASP CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([csv_cell(h) for h in header])
    writer.writerows([csv_cell(v) for v in row] for row in rows)
    return out.getvalue()
