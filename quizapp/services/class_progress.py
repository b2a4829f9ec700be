"""A class's progress for its teacher, in a fixed number of queries whatever its size or history.

1. the members, each with their latest review (a correlated max: one backward step of the
   index ``review_logs(user_id, reviewed_at)`` per member);
2. their reviews of anything in their last 7 study days, counted per member (index-only ranges of
   the same index);
3. the assigned banks;
4. the members' cards of live questions in those banks (due counts, mastery, and each card's bank);
5. the members' reviews of those cards in the last 12 weeks, counted per member, study day and bank
   in SQL (``day_tallies``).

No per-student dashboard is built; domain.class_progress does the sums, with the learner
dashboard's definitions (and services.progress's calendar arithmetic for a study day).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date, datetime, timedelta

from sqlalchemy import Integer, and_, case, func, literal, literal_column, or_, select

from ..domain import answer_grid as ag
from ..domain import class_progress as cp
from ..domain import progress as prog
from ..domain import scheduling as sched
from ..extensions import db
from ..models import Assignment, Bank, Card, Classroom, Membership, Question, ReviewLog, User
from .errors import NotFound
from .progress import calendar_for, card_totals, plain_prompt_of
from .sql_dates import day_key, quarter_hours, to_date, utc


def members(classroom: Classroom) -> list[cp.Member]:
    last = (select(func.max(ReviewLog.reviewed_at)).where(ReviewLog.user_id == User.id)
            .correlate(User).scalar_subquery())
    rows = db.session.execute(
        select(User.id, User.name, User.email, User.timezone, User.day_start_hour, User.desired_retention,
               User.fsrs_parameters, last)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.class_id == classroom.id)
        .order_by(func.lower(User.name), User.id)).all()
    return [cp.Member(uid, name, email, prog.StudyCalendar(tz or "UTC", hour), desired, params, utc(last))
            for uid, name, email, tz, hour, desired, params, last in rows]


def recent_reviews(people: list[cp.Member], now: datetime) -> dict[int, int]:
    """Each member's reviews of anything since the start of their 7th study day back."""
    if not people:
        return {}
    since = [and_(ReviewLog.user_id.in_(ids), ReviewLog.reviewed_at >= cal.start_of(
        cal.date_of(now) - timedelta(days=cp.ACTIVE_DAYS - 1))) for cal, ids in _by_calendar(people).items()]
    return dict(db.session.execute(
        select(ReviewLog.user_id, func.count()).where(or_(*since), ReviewLog.reviewed_at <= now)
        .group_by(ReviewLog.user_id)).all())


def with_recent(people: list[cp.Member], now: datetime) -> list[cp.Member]:
    recent = recent_reviews(people, now)
    return [replace(m, reviews_7d=recent.get(m.user_id, 0)) for m in people]


def _class_cards(people: list[cp.Member], bank_ids: list[int]):
    """The members' cards of live questions in ``bank_ids`` (SQL, for joins and subqueries)."""
    return (select(Card.id).join(Question, Question.id == Card.question_id)
            .where(Card.user_id.in_([m.user_id for m in people]), Question.bank_id.in_(bank_ids),
                   Question.retired.is_(False)))


def assigned_banks(classroom: Classroom) -> list[tuple[int, str]]:
    return [tuple(r) for r in db.session.execute(
        select(Bank.id, Bank.title).join(Assignment, Assignment.bank_id == Bank.id)
        .where(Assignment.class_id == classroom.id)).all()]










def _day_of_review(people: list[cp.Member], first_day: date, last_day: date):
    """Each review's study day in its student's calendar: one expression per distinct calendar (a
    class usually shares one), chosen by user id."""
    *others, (last_calendar, _) = _by_calendar(people).items()
    expression = day_key(last_calendar, first_day, last_day)
    if not others:
        return expression
    return case(*[(ReviewLog.user_id.in_(ids), day_key(cal, first_day, last_day)) for cal, ids in others],
                else_=expression)


def _bank_of_card(card_id, people: list[cp.Member], bank_ids: list[int]):
    """SQL for the bank of ``card_id``, one of the class's cards of several banks: the first of the
    banks whose class cards hold it (each an IN list the database builds once)."""
    *others, last = bank_ids
    return case(*[(card_id.in_(_class_cards(people, [b])), b) for b in others], else_=literal(last, Integer))


def day_tallies(people: list[cp.Member], bank_ids: list[int], now: datetime,
                series_first: date) -> list[cp.DayTally]:
    """Reviews of the members' cards in ``bank_ids`` per member, bank and study day, from the earliest
    day the view needs to now, with the reviews of review-state cards and how many were not Again (true
    retention as Anki counts it: every such review, same-day repeats included).

    Grouped in SQL per (member, study day) for one assigned bank; for several, per (member, card, study
    day), then per (member, bank, study day): a few thousand rows, not every review. Only those
    cards' reviews are read (a class's other banks are none of its business, and often most of the
    log). The bank of each card comes from the banks' card lists, as SQL subqueries."""
    if not people or not bank_ids:
        return []
    first_day = min(cp.first_day_needed(m, now, series_first) for m in people)
    last_day = max(m.calendar.date_of(now) for m in people)
    since = min(m.calendar.start_of(first_day) for m in people)
    day = _day_of_review(people, first_day, last_day).label("day")
    counts = (func.count().label("reviews"),
              func.sum(case((ReviewLog.prior_state == sched.REVIEW, 1), else_=0)).label("review_state"),
              func.sum(case((and_(ReviewLog.prior_state == sched.REVIEW, ReviewLog.rating != sched.AGAIN), 1),
                            else_=0)).label("passed"))
    reviews = (ReviewLog.user_id.in_([m.user_id for m in people]), ReviewLog.reviewed_at >= since,
               ReviewLog.reviewed_at <= now, ReviewLog.card_id.in_(_class_cards(people, bank_ids)))
    if len(bank_ids) == 1:  # the usual class: every card of the list is of that bank, one grouping
        statement = (select(ReviewLog.user_id, literal(bank_ids[0], Integer), day, *counts).where(*reviews)
                     .group_by(ReviewLog.user_id, literal_column("day")))
    else:
        per_card = (select(ReviewLog.user_id, ReviewLog.card_id, day, *counts).where(*reviews)
                    .group_by(ReviewLog.user_id, ReviewLog.card_id, literal_column("day")).subquery())
        bank = _bank_of_card(per_card.c.card_id, people, bank_ids).label("bank")
        statement = (select(per_card.c.user_id, bank, per_card.c.day, func.sum(per_card.c.reviews),
                            func.sum(per_card.c.review_state), func.sum(per_card.c.passed))
                     .group_by(per_card.c.user_id, literal_column("bank"), per_card.c.day))
    rows = db.session.connection().execute(statement).all()
    dates: dict = {}
    out = []
    for user_id, bank_id, key, n, review_state, passed in rows:
        if key not in dates:
            dates[key] = to_date(key)
        out.append(cp.DayTally(user_id, bank_id, dates[key], int(n), int(review_state or 0), int(passed or 0)))
    return out


def _before_today(people: list[cp.Member], now: datetime):
    """SQL: the card is due before its student's study day began (one range per calendar)."""
    return or_(*[and_(Card.user_id.in_(ids), Card.due < cal.start_of(cal.date_of(now)))
                 for cal, ids in _by_calendar(people).items()])


def card_counts(people: list[cp.Member], bank_ids: list[int], now: datetime) -> list[cp.CardCounts]:
    """The members' cards of live questions in ``bank_ids`` counted per member and bank, as
    domain.class_progress.card_counts counts them: studied, due and overdue in SQL; mastery from
    each studied card's stability and the quarter hour of its last review (no datetime per card:
    reading and converting 10,000 cards' date-times was most of the class view's time)."""
    if not people or not bank_ids:
        return []
    user_ids = [m.user_id for m in people]
    live = (Card.user_id.in_(user_ids), Question.bank_id.in_(bank_ids), Question.retired.is_(False))
    scheduled = and_(Card.state != sched.NEW, Card.suspended.is_(False), Card.due.is_not(None), Card.due <= now)
    rows = db.session.execute(
        select(Card.user_id, Question.bank_id, func.sum(case((Card.state != sched.NEW, 1), else_=0)),
               func.sum(case((scheduled, 1), else_=0)),
               func.sum(case((and_(scheduled, _before_today(people, now)), 1), else_=0)))
        .join(Question, Question.id == Card.question_id).where(*live)
        .group_by(Card.user_id, Question.bank_id)).all()
    mastered: dict[tuple[int, int], int] = defaultdict(int)
    by_id = {m.user_id: m for m in people}
    schedulers = {uid: cp.scheduler_of(m) for uid, m in by_id.items()}
    later_days = {uid: s.day_number(now + prog.MASTERY_HORIZON) for uid, s in schedulers.items()}
    for uid, bank, stability, quarter in db.session.execute(
            select(Card.user_id, Question.bank_id, Card.stability, quarter_hours(Card.last_review))
            .join(Question, Question.id == Card.question_id)
            .where(*live, Card.state != sched.NEW, Card.suspended.is_(False), Card.stability.is_not(None),
                   Card.last_review.is_not(None))):
        scheduler = schedulers[uid]
        elapsed = max(0, later_days[uid] - scheduler.day_of_quarter_hour(quarter))
        mastered[uid, bank] += scheduler.recall_after(stability, elapsed) >= by_id[uid].desired_retention
    return [cp.CardCounts(uid, bank, int(studied or 0), int(due or 0), int(overdue or 0), mastered[uid, bank])
            for uid, bank, studied, due, overdue in rows]


def class_progress(classroom: Classroom, viewer: User, now: datetime) -> cp.ClassProgress:
    """The class view at ``now``; the weekly series end with the viewer's (the teacher's) week."""
    today = calendar_for(viewer).date_of(now)
    people = with_recent(members(classroom), now)
    banks = assigned_banks(classroom)
    bank_ids = [b for b, _ in banks]
    tallies = day_tallies(people, bank_ids, now, cp.series_start(today))
    return cp.class_progress(people, banks, tallies, card_counts(people, bank_ids, now), now, today,
                             card_totals(bank_ids)[0])


def _by_calendar(people: list[cp.Member]) -> dict[prog.StudyCalendar, list[int]]:
    groups: dict[prog.StudyCalendar, list[int]] = defaultdict(list)
    for m in people:
        groups[m.calendar].append(m.user_id)
    return groups


def headline(classroom: Classroom, now: datetime) -> cp.Headline:
    """The class page's numbers without the 12-week read (so without retention), in three small
    queries: the members; their reviews in their last 7 study days; their cards due now in the
    assigned banks (ranges of cards(user_id, due)). The same figures as the progress page's."""
    people = members(classroom)
    if not people:
        return cp.Headline(0, 0, 0, 0, 0)
    recent = recent_reviews(people, now)
    due_now = overdue = 0
    bank_ids = [a.bank_id for a in classroom.assignments]
    if bank_ids:
        before_today = _before_today(people, now)
        # Question ids, not a join: SQLite then walks the due cards by cards(user_id, due).
        due_now, overdue = db.session.execute(
            select(func.count(), func.sum(case((before_today, 1), else_=0)))
            .where(Card.user_id.in_([m.user_id for m in people]), Card.due <= now, Card.state != sched.NEW,
                   Card.suspended.is_(False), Card.question_id.in_(
                       select(Question.id).where(Question.bank_id.in_(bank_ids), Question.retired.is_(False))))
        ).one()
    return cp.Headline(students=len(people), active_7d=sum(1 for n in recent.values() if n),
                       reviews_7d=sum(recent.values()), due_now=due_now or 0, overdue=int(overdue or 0))


def member(classroom: Classroom, user_id: int) -> User:
    """A student of the class (NotFound for anyone else: a teacher sees only their own classes' students)."""
    student = db.session.get(User, user_id)
    if student is None or not is_member(classroom, user_id):
        raise NotFound("No such student in this class.")
    return student


def assigned_bank(classroom: Classroom, bank_id: int) -> Bank:
    """A bank assigned to the class (NotFound otherwise)."""
    if bank_id not in {a.bank_id for a in classroom.assignments}:
        raise NotFound("That bank is not assigned to this class.")
    return db.session.get(Bank, bank_id)


def is_member(classroom: Classroom, user_id: int) -> bool:
    return db.session.scalar(select(Membership.id).where(
        Membership.class_id == classroom.id, Membership.user_id == user_id)) is not None


def answer_grid(classroom: Classroom, bank_id: int) -> ag.Grid:
    """The class's students against the bank's live questions: each one's latest answer in study and in
    a quiz. One query over the class's answers to that bank's questions."""
    people = members(classroom)
    questions = db.session.execute(select(Question.id, Question.key, Question.type, Question.data)
                                   .where(Question.bank_id == bank_id, Question.retired.is_(False))
                                   .order_by(Question.position)).all()
    listed = [(qid, key, plain_prompt_of(qtype, data)) for qid, key, qtype, data in questions]
    ids = [q[0] for q in listed]
    rows = db.session.execute(
        select(ReviewLog.user_id, Card.question_id, ReviewLog.kind, ReviewLog.score, ReviewLog.rating,
               ReviewLog.reviewed_at)
        .join(Card, Card.id == ReviewLog.card_id)
        .where(ReviewLog.user_id.in_([m.user_id for m in people]), Card.question_id.in_(ids))
        .order_by(ReviewLog.reviewed_at, ReviewLog.id)).all() if ids and people else []
    return ag.grid([(m.user_id, m.name) for m in people], listed, [tuple(r) for r in rows])
