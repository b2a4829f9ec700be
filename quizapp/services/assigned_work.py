"""A learner's assigned work: the banks their classes assigned, the nearest due date first, and what
is left to do before it.

Left to do: the cards never answered (a teacher counts the bank done once every card has been
answered: services.assignment_progress) and the learner's cards due for review by the due date
(by today's end when the date has passed or there is none). Three grouped queries, one row per
assigned bank each, whatever the number of cards.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, func, literal, select

from ..domain import scheduling as sched
from ..extensions import db
from ..models import Assignment, Bank, Card, Classroom, Membership, Question, User
from ..models.types import UTCDateTime
from .cards import day_bounds
from .catalog import accessible_bank_ids
from .progress import card_totals
from .sql_dates import utc


@dataclass(frozen=True)
class AssignedWork:
    bank_id: int
    title: str
    class_name: str
    due_at: datetime | None
    cards: int  # cards the bank's live questions make
    started: int  # of them, answered at least once
    reviews: int  # the learner's cards due by the due date (or today)
    overdue: bool  # the due date has passed

    @property
    def new_left(self) -> int:
        return max(0, self.cards - self.started)

    @property
    def left(self) -> int:
        return self.new_left + self.reviews

    @property
    def done(self) -> bool:
        return self.left == 0

    @property
    def due_day(self) -> date | None:
        # Teachers set a date; it is stored as the end of that day in UTC (teach/class_routes.py).
        return self.due_at.date() if self.due_at else None


def for_learner(user: User, now: datetime) -> list[AssignedWork]:
    """The learner's assigned banks they can study, those with the nearest due date first (then those
    without one, by title)."""
    deadline = func.min(Assignment.due_at).label("due_at")
    assigned = db.session.execute(
        select(Assignment.bank_id, Bank.title, func.min(Classroom.name), deadline)
        .join(Membership, Membership.class_id == Assignment.class_id)
        .join(Classroom, Classroom.id == Assignment.class_id).join(Bank, Bank.id == Assignment.bank_id)
        .where(Membership.user_id == user.id).group_by(Assignment.bank_id, Bank.title)).all()
    allowed = accessible_bank_ids(user)
    assigned = [row for row in assigned if row[0] in allowed]
    if not assigned:
        return []
    bank_ids = [row[0] for row in assigned]
    totals, _ = card_totals(bank_ids)
    _, day_end = day_bounds(user, now)
    started = dict(db.session.execute(
        select(Question.bank_id, func.count(Card.id)).join(Question, Question.id == Card.question_id)
        .where(Card.user_id == user.id, Question.bank_id.in_(bank_ids), Question.retired.is_(False),
               Card.state != sched.NEW).group_by(Question.bank_id)).all())
    # Each bank's own threshold: its due date if still ahead, else the end of today.
    deadlines = (select(Assignment.bank_id.label("bank_id"), func.min(Assignment.due_at).label("due_at"))
                 .join(Membership, Membership.class_id == Assignment.class_id)
                 .where(Membership.user_id == user.id, Assignment.bank_id.in_(bank_ids))
                 .group_by(Assignment.bank_id).subquery())
    until = case((deadlines.c.due_at > day_end, deadlines.c.due_at), else_=literal(day_end, UTCDateTime()))
    reviews = dict(db.session.execute(
        select(Question.bank_id, func.count(Card.id)).join(Question, Question.id == Card.question_id)
        .join(deadlines, deadlines.c.bank_id == Question.bank_id)
        .where(Card.user_id == user.id, Question.retired.is_(False), Card.state != sched.NEW,
               Card.suspended.is_(False), Card.due < until).group_by(Question.bank_id)).all())
    work = [AssignedWork(bank_id, title, class_name, utc(due), totals.get(bank_id, 0), started.get(bank_id, 0),
                         reviews.get(bank_id, 0), due is not None and utc(due) < now)
            for bank_id, title, class_name, due in assigned]
    return sorted(work, key=lambda w: (w.due_at is None, w.due_at.timestamp() if w.due_at else 0.0,
                                       w.title.lower()))
