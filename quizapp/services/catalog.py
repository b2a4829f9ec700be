"""Which banks a user can see, with their question counts."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from ..extensions import db
from ..models import Bank, Question, User


@dataclass(frozen=True)
class BankSummary:
    id: int
    slug: str
    title: str
    description: str
    questions: int
    builtin: bool


def banks_for(user: User) -> list[BankSummary]:
    """Built-in banks and the user's own; class assignments join in with the Teachers issue."""
    count = (select(Question.bank_id, func.count().label("n")).where(Question.retired.is_(False))
             .group_by(Question.bank_id).subquery())
    rows = db.session.execute(
        select(Bank, func.coalesce(count.c.n, 0))
        .outerjoin(count, count.c.bank_id == Bank.id)
        .where((Bank.builtin.is_(True)) | (Bank.owner_id == user.id))
        .order_by(Bank.builtin.desc(), Bank.title)
    ).all()
    return [BankSummary(b.id, b.slug, b.title, b.description, n, b.builtin) for b, n in rows]


def accessible_bank_ids(user: User) -> set[int]:
    """Ids of the banks this user may study (built-in and their own; classes join later)."""
    return set(db.session.scalars(select(Bank.id).where((Bank.builtin.is_(True)) | (Bank.owner_id == user.id))))
