"""Which banks a user can see, with their question counts and any due date from a class."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, select

from ..extensions import db
from ..models import Assignment, Bank, Classroom, Media, Membership, Question, User
from ..models.content import BankSharing
from . import statements
from .errors import NotFound


@dataclass(frozen=True)
class BankSummary:
    id: int
    slug: str
    title: str
    description: str
    questions: int
    builtin: bool
    # Set when a class of the learner has the bank assigned: the class and the earliest due date.
    class_name: str | None = None
    due_at: datetime | None = None


def visible(user_id):
    """What a learner studies: built-in banks, their own, those their open classes are assigned, and
    those their owner made public to the school; never a retired bank. ``user_id``: an id or a bind
    parameter."""
    assigned = (select(Assignment.bank_id).join(Membership, Membership.class_id == Assignment.class_id)
                .join(Classroom, Classroom.id == Assignment.class_id)
                .where(Membership.user_id == user_id, Classroom.archived_at.is_(None)))
    return Bank.retired_at.is_(None) & (Bank.builtin.is_(True) | (Bank.owner_id == user_id) | Bank.id.in_(assigned)
                                        | (Bank.sharing == BankSharing.SCHOOL))


@functools.cache
def _accessible_statement():
    # Built once: every study page asks, and building the expression cost more than running it.
    return select(Bank.id).where(visible(bindparam("user_id")))


def banks_for(user: User) -> list[BankSummary]:
    """Banks assigned by the learner's classes first (soonest due first), then built-in, then own."""
    count = (select(Question.bank_id, func.count().label("n")).where(Question.retired.is_(False))
             .group_by(Question.bank_id).subquery())
    rows = db.session.execute(
        select(Bank, func.coalesce(count.c.n, 0)).outerjoin(count, count.c.bank_id == Bank.id)
        .where(visible(user.id)).order_by(Bank.builtin.desc(), Bank.title)
    ).all()
    classes: dict[int, tuple[str, datetime | None]] = {}
    for bank_id, name, due in db.session.execute(
        select(Assignment.bank_id, Classroom.name, Assignment.due_at)
        .join(Classroom, Classroom.id == Assignment.class_id)
        .join(Membership, Membership.class_id == Classroom.id)
        .where(Membership.user_id == user.id, Classroom.archived_at.is_(None))
    ):
        seen = classes.get(bank_id)
        if seen is None or (due is not None and (seen[1] is None or due < seen[1])):
            classes[bank_id] = (name, due)
    summaries = [BankSummary(b.id, b.slug, b.title, b.description, n, b.builtin, *classes.get(b.id, (None, None)))
                 for b, n in rows]
    # Class banks first, soonest due first, those with no due date after them; the rest as read.
    return sorted(summaries, key=lambda s: (s.class_name is None, s.due_at is None,
                                            s.due_at.timestamp() if s.due_at else 0.0))


def accessible_bank_ids(user: User) -> set[int]:
    """Ids of the banks this user may study: built-in, their own, their open classes', the school's
    (none retired)."""
    return set(statements.run(_accessible_statement(), {"user_id": user.id}).scalars())


def media_item(user: User, bank_id: int, name: str) -> Media:
    """An image or file of a bank the learner can study (NotFound otherwise)."""
    item = None
    if bank_id in accessible_bank_ids(user):
        item = db.session.scalar(select(Media).where(Media.bank_id == bank_id, Media.name == name))
    if item is None:
        raise NotFound("No such file.")
    return item
