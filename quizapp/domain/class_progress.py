"""A class's progress, for its teacher: one row per student, one weekly series per assigned bank.

No Flask and no database: services.class_progress runs a fixed number of aggregated queries over
the class's members (their reviews of the assigned banks tallied by student, bank and study day;
their cards of those banks; their latest review and how many in the last 7 days) and hands them
here with ``now``. The definitions are the learner dashboard's
(domain.progress), so a row agrees with the student's own page limited to the class's banks:

- true retention: every review of a card in the review state, passed when not rated Again (as
  Anki's true retention counts, same-day repeats included);
- mastery: the share of a bank's cards (studied or not) whose predicted recall a week from now is at
  or above the student's desired retention;
- activity (last active, reviews in the last 7 days) counts every review, as the dashboard's
  heatmap does; retention, due counts and mastery count the class's banks only.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from . import progress as prog
from . import scheduling as sched

ACTIVE_DAYS = 7  # "reviews in the last 7 days": today and the six study days before
RETENTION_DAYS = 30
SERIES_WEEKS = 12


@dataclass(frozen=True)
class Member:
    """A student of the class, with what their numbers depend on (their calendar and scheduler)."""

    user_id: int
    name: str
    email: str = ""
    calendar: prog.StudyCalendar = field(default_factory=prog.StudyCalendar)
    desired_retention: float = 0.9
    parameters: Sequence[float] | None = None
    last_active: datetime | None = None  # their latest review of anything
    reviews_7d: int = 0  # their reviews of anything in their last 7 study days (today included)


class DayTally(NamedTuple):
    """One student's reviews on one of their study days, of one assigned bank (None: any other bank)."""

    user_id: int
    bank_id: int | None
    day: date
    reviews: int
    retention_reviews: int = 0  # reviews of cards in the review state (true retention's)
    passed: int = 0  # of those, not rated Again


class MemberCard(NamedTuple):
    """A student's card of an assigned bank, as much of it as due counts and mastery need."""

    user_id: int
    bank_id: int
    state: int
    stability: float | None
    difficulty: float | None
    due: datetime | None
    last_review: datetime | None
    suspended: bool = False

    @property
    def scheduled(self) -> bool:
        """Studied, not suspended, with a due date: it will come up for review."""
        return self.state != sched.NEW and not self.suspended and self.due is not None


class CardCounts(NamedTuple):
    """A student's cards of one assigned bank, counted: what their row and the bank's series need.
    ``card_counts`` counts them from MemberCards; services.class_progress in SQL (the same rules)."""

    user_id: int
    bank_id: int
    studied: int  # not new
    due_now: int  # scheduled (MemberCard.scheduled) and due at or before now
    overdue: int  # of those, due before the student's study day began
    mastered: int  # not suspended, predicted recall a week ahead at or above their desired retention


@dataclass(frozen=True)
class StudentRow:
    user_id: int
    name: str
    email: str
    last_active: datetime | None
    days_since_active: int | None  # study days since the last review (0: today), None: never
    reviews_7d: int
    retention: prog.Retention  # last 30 study days, assigned banks
    due_now: int
    overdue: int  # of ``due_now``, due before the student's study day began
    mastery: dict[int, prog.Mastery]  # by bank id: every assigned bank (0 when nothing studied)


@dataclass(frozen=True)
class WeekPoint:
    week: date  # its Monday
    reviews: int
    retention: prog.Retention
    students: int  # students with at least one review of the bank that week


@dataclass(frozen=True)
class BankSeries:
    bank_id: int
    title: str
    weeks: list[WeekPoint]
    studied_by: int  # students with at least one studied card of the bank

    @property
    def reviews(self) -> int:
        return sum(w.reviews for w in self.weeks)

    @property
    def max_reviews(self) -> int:
        return max((w.reviews for w in self.weeks), default=0)

    @property
    def retention(self) -> prog.Retention:
        return prog.Retention(sum(w.retention.reviews for w in self.weeks), sum(w.retention.passed for w in self.weeks))


@dataclass(frozen=True)
class Headline:
    """The class's numbers at a glance (the class page shows them without retention, which costs
    the whole 12-week read)."""

    students: int
    active_7d: int  # students with a review in their last 7 study days
    reviews_7d: int
    due_now: int
    overdue: int
    retention: prog.Retention | None = None  # last 30 days, every member's reviews of review cards pooled


@dataclass(frozen=True)
class ClassProgress:
    now: datetime
    today: date  # the viewer's study day: the weekly series end with its week
    banks: list[tuple[int, str]]  # assigned banks (id, title), by title
    students: list[StudentRow]
    series: list[BankSeries]
    desired_retention: float  # the members' mean, for the charts' target line

    @property
    def headline(self) -> Headline:
        s = self.students
        return Headline(students=len(s), active_7d=sum(1 for r in s if r.reviews_7d),
                        reviews_7d=sum(r.reviews_7d for r in s), due_now=sum(r.due_now for r in s),
                        overdue=sum(r.overdue for r in s),
                        retention=prog.Retention(sum(r.retention.reviews for r in s),
                                                 sum(r.retention.passed for r in s)))


def recall_function(scheduler) -> Callable[[MemberCard, datetime], float]:
    """FSRS's probability of recall of a member's card (StudyScheduler.recall; 0 for one never studied).
    tests/domain/test_class_progress.py checks it against scheduling.retrievability."""

    def recall(card: MemberCard, now: datetime) -> float:
        if card.state == sched.NEW or card.stability is None or card.last_review is None:
            return 0.0
        return scheduler.recall(card.stability, card.last_review, now)

    return recall


def series_start(today: date, weeks: int = SERIES_WEEKS) -> date:
    """The Monday the weekly series begin: ``weeks`` weeks, this one included."""
    return prog.retention_weeks_start(today, weeks)


def first_day_needed(member: Member, now: datetime, series_first: date) -> date:
    """The earliest study day of ``member`` the class view reads: the series' start or 30 days back."""
    return min(series_first, member.calendar.date_of(now) - timedelta(days=RETENTION_DAYS - 1))


def card_counts(members: Iterable[Member], cards: Iterable[MemberCard], now: datetime) -> list[CardCounts]:
    """Each member's cards counted per bank, at ``now`` (due and overdue in the student's own study
    day; mastery as on their dashboard: recall at now + MASTERY_HORIZON >= their desired retention)."""
    by_user: dict[int, list[MemberCard]] = defaultdict(list)
    for c in cards:
        by_user[c.user_id].append(c)
    out = []
    for m in members:
        start = m.calendar.start_of(m.calendar.date_of(now))
        recall = recall_function(scheduler_of(m))
        later = now + prog.MASTERY_HORIZON
        counts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        for c in by_user.get(m.user_id, ()):
            tally = counts[c.bank_id]
            if c.scheduled and c.due <= now:
                tally[1] += 1
                tally[2] += c.due < start
            if c.state != sched.NEW:
                tally[0] += 1
                tally[3] += not c.suspended and recall(c, later) >= m.desired_retention
        out.extend(CardCounts(m.user_id, bank, *tally) for bank, tally in counts.items())
    return out


def scheduler_of(member: Member) -> sched.StudyScheduler:
    params = list(member.parameters) if member.parameters else None
    return sched.make_scheduler(member.desired_retention, params, member.calendar.timezone,
                                member.calendar.day_start_hour)


def student_rows(members: Iterable[Member], tallies: Iterable[DayTally], counts: Iterable[CardCounts],
                 now: datetime, bank_cards: Mapping[int, int] | None = None) -> list[StudentRow]:
    """One row per member, in the order given. ``bank_cards``: each assigned bank's cards, studied or
    not, for mastery (as on the learner's own dashboard: predicted recall in 7 days at or above their
    desired retention, cards never studied counting as not mastered)."""
    bank_cards = bank_cards or {}
    members = list(members)
    days: dict[int, tuple[date, date]] = {}  # user -> (today, first of the 30 days)
    for m in members:
        today = m.calendar.date_of(now)
        days[m.user_id] = (today, today - timedelta(days=RETENTION_DAYS - 1))
    kept: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for t in tallies:
        if t.user_id not in days:
            continue
        today, month_from = days[t.user_id]
        if t.bank_id is not None and month_from <= t.day <= today:
            kept[t.user_id][0] += t.retention_reviews
            kept[t.user_id][1] += t.passed
    by_user: dict[int, list[CardCounts]] = defaultdict(list)
    for c in counts:
        by_user[c.user_id].append(c)

    rows = []
    for m in members:
        today = days[m.user_id][0]
        mine = by_user.get(m.user_id, ())
        studied = {c.bank_id: c.studied for c in mine if c.studied}
        mastered = {c.bank_id: c.mastered for c in mine}
        n, passed = kept.get(m.user_id, (0, 0))
        rows.append(StudentRow(
            user_id=m.user_id, name=m.name, email=m.email, last_active=m.last_active,
            days_since_active=None if m.last_active is None else (today - m.calendar.date_of(m.last_active)).days,
            reviews_7d=m.reviews_7d, retention=prog.Retention(n, passed), due_now=sum(c.due_now for c in mine),
            overdue=sum(c.overdue for c in mine),
            mastery={b: prog.Mastery(max(n, studied.get(b, 0)), min(mastered.get(b, 0), max(n, studied.get(b, 0))),
                                     studied.get(b, 0))
                     for b, n in {**{b: 0 for b in studied}, **bank_cards}.items()}))
    return rows


def bank_series(banks: Sequence[tuple[int, str]], tallies: Iterable[DayTally], counts: Iterable[CardCounts],
                today: date, weeks: int = SERIES_WEEKS) -> list[BankSeries]:
    """Per assigned bank, its last ``weeks`` weeks (oldest first, empty weeks kept): reviews, true
    retention and students active. Each review falls in the week of its student's study day."""
    first = series_start(today, weeks)
    mondays = [first + timedelta(weeks=i) for i in range(weeks)]
    sums: dict[tuple[int, date], list[int]] = defaultdict(lambda: [0, 0, 0])
    active: dict[tuple[int, date], set[int]] = defaultdict(set)
    for t in tallies:
        if t.bank_id is None or not first <= t.day <= today:
            continue
        key = (t.bank_id, prog.week_start(t.day))
        tally = sums[key]
        tally[0] += t.reviews
        tally[1] += t.retention_reviews
        tally[2] += t.passed
        if t.reviews:
            active[key].add(t.user_id)
    studied: dict[int, set[int]] = defaultdict(set)
    for c in counts:
        if c.studied:
            studied[c.bank_id].add(c.user_id)
    out = []
    for bank_id, title in banks:
        points = []
        for monday in mondays:
            reviews, n, passed = sums.get((bank_id, monday), (0, 0, 0))
            points.append(WeekPoint(monday, reviews, prog.Retention(n, passed), len(active.get((bank_id, monday), ()))))
        out.append(BankSeries(bank_id, title, points, len(studied.get(bank_id, ()))))
    return out


def class_progress(members: Sequence[Member], banks: Sequence[tuple[int, str]], tallies: Iterable[DayTally],
                   counts: Iterable[CardCounts], now: datetime, today: date,
                   bank_cards: Mapping[int, int] | None = None) -> ClassProgress:
    """The whole class view. ``today`` is the viewer's study day (the weeks of the series end with it)."""
    tallies, counts = list(tallies), list(counts)
    banks = sorted(banks, key=lambda b: b[1].lower())
    desired = sum(m.desired_retention for m in members) / len(members) if members else 0.9
    return ClassProgress(now=now, today=today, banks=banks,
                         students=student_rows(members, tallies, counts, now, bank_cards),
                         series=bank_series(banks, tallies, counts, today), desired_retention=desired)


# -- who needs help, and assignments against their due dates ----------------------------------------
LOW_RETENTION_MARGIN = 0.10  # true retention this far below the desired retention is low


def help_reasons(row: StudentRow, desired_retention: float) -> list[str]:
    """Why a student may need help now: falling behind their due work, low retention (only from enough
    reviews to tell), or no review in their last 7 study days. Empty when none applies."""
    reasons = []
    if row.overdue:
        reasons.append(f"{row.overdue} card{'' if row.overdue == 1 else 's'} overdue")
    r = row.retention
    if r.enough and r.rate is not None and r.rate < desired_retention - LOW_RETENTION_MARGIN:
        reasons.append(f"true retention {r.rate * 100:.0f}% of {r.reviews} reviews")
    if row.reviews_7d == 0:
        reasons.append("no review this week" if row.last_active else "never studied")
    return reasons


def needs_help(progress: ClassProgress) -> list[tuple[StudentRow, list[str]]]:
    """Students with a reason to need help, most reasons first, then the most overdue."""
    rows = [(s, help_reasons(s, progress.desired_retention)) for s in progress.students]
    flagged = [(s, r) for s, r in rows if r]
    flagged.sort(key=lambda sr: (-len(sr[1]), -sr[0].overdue, sr[0].name.lower()))
    return flagged


@dataclass(frozen=True)
class Completion:
    student: StudentRow
    bank_id: int
    title: str
    due: datetime | None
    studied: int
    cards: int
    # When the student first answered the last of the bank's cards (known once done): on time or not.
    finished: datetime | None = None

    @property
    def done(self) -> bool:
        return self.cards > 0 and self.studied >= self.cards

    def late(self, now: datetime) -> bool:
        """Past its due date and not done: the teacher's first concern."""
        return self.due is not None and self.due < now and not self.done

    @property
    def done_late(self) -> bool:
        return self.done and self.due is not None and self.finished is not None and self.finished > self.due

    def days_past_due(self, now: datetime) -> int:
        """Whole days between the due date and now (if not done) or its finishing (if done late)."""
        if self.due is None:
            return 0
        end = self.finished if self.done and self.finished is not None else now
        return max(0, (end - self.due).days)

    def state(self, now: datetime) -> str:
        """"late", "done late", "done", "under way" or "not started", against the due date."""
        if self.late(now):
            return "late"
        if self.done:
            return "done late" if self.done_late else "done"
        return "under way" if self.studied else "not started"


@dataclass(frozen=True)
class AssignmentTotals:
    """One assigned bank across the class: how many students are where, against its due date."""

    bank_id: int
    title: str
    due: datetime | None
    students: int
    done: int  # on time, or with no due date
    done_late: int
    late: int  # past due, not done
    under_way: int  # not due yet, started or not


def completions(progress: ClassProgress, due_dates: Mapping[int, datetime | None],
                finished: Mapping[tuple[int, int], datetime] | None = None) -> list[Completion]:
    """Each student's progress through each assigned bank (cards studied at least once of all its cards),
    late ones first (due date passed, not done), then by due date, then by name. ``finished``: by
    (student, bank), when the student first answered the last card (so "done" can be on time or late)."""
    titles = dict(progress.banks)
    finished = finished or {}
    out = [Completion(s, b, titles[b], due_dates.get(b), m.studied, m.cards, finished.get((s.user_id, b)))
           for s in progress.students for b, m in s.mastery.items() if b in titles]
    far = datetime.max.replace(tzinfo=progress.now.tzinfo)
    out.sort(key=lambda c: (not c.late(progress.now), c.done, c.due or far, c.student.name.lower(), c.title.lower()))
    return out


def assignment_totals(rows: Sequence[Completion], now: datetime) -> list[AssignmentTotals]:
    """Per assigned bank, the students done (on time), done late, late and under way; the banks with
    late students first, then by due date."""
    by_bank: dict[int, list[Completion]] = defaultdict(list)
    for c in rows:
        by_bank[c.bank_id].append(c)
    out = []
    for bank_id, items in by_bank.items():
        states = [c.state(now) for c in items]
        out.append(AssignmentTotals(bank_id, items[0].title, items[0].due, len(items),
                                    states.count("done"), states.count("done late"), states.count("late"),
                                    states.count("under way") + states.count("not started")))
    far = datetime.max.replace(tzinfo=now.tzinfo)
    return sorted(out, key=lambda t: (not t.late, t.due or far, t.title.lower()))


# -- tables (CSV) -----------------------------------------------------------------------------------
def _pct(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}"


def students_table(progress: ClassProgress) -> tuple[list[str], list[list[Any]]]:
    header = ["student", "email", "last active (UTC)", "reviews last 7 days", "reviews of review cards last 30 days",
              "not again", "true retention %", "due now", "overdue",
              *(f"mastery % {title}" for _, title in progress.banks),
              *(f"studied cards {title}" for _, title in progress.banks)]
    rows = []
    for s in progress.students:
        mastery = [s.mastery.get(b) for b, _ in progress.banks]
        rows.append([s.name, s.email, s.last_active.isoformat(timespec="seconds") if s.last_active else "",
                     s.reviews_7d, s.retention.reviews, s.retention.passed, _pct(s.retention.rate),
                     s.due_now, s.overdue, *(_pct(m.share if m else None) for m in mastery),
                     *(m.studied if m else 0 for m in mastery)])
    return header, rows


def weekly_table(progress: ClassProgress) -> tuple[list[str], list[list[Any]]]:
    header = ["bank", "week of", "reviews", "students active", "reviews of review cards", "not again",
              "true retention %"]
    rows = [[b.title, w.week.isoformat(), w.reviews, w.students, w.retention.reviews, w.retention.passed,
             _pct(w.retention.rate)] for b in progress.series for w in b.weeks]
    return header, rows


TABLES = {"students": students_table, "weekly": weekly_table}


def table(progress: ClassProgress, name: str) -> tuple[list[str], list[list[Any]]]:
    """(header, rows) of one of the class view's tables (KeyError for an unknown name)."""
    return TABLES[name](progress)
