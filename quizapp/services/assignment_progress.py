"""Assignments against their due dates: when each student finished each assigned bank.

domain.class_progress.completions counts a bank done for a student once every one of its cards has
been answered; this adds when that happened (their first answer to the last card, counting only
answers to the card's current version: a changed answer restarts it), so "done" can be on time or late.
One grouped query over the class's answers to the assigned banks that have a due date.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from ..domain import class_progress as cp
from ..extensions import db
from ..models import Card, Classroom, Question, ReviewLog
from ..models.reviews import NEW
from .sql_dates import utc


def finished_at(user_ids: list[int], bank_ids: list[int]) -> dict[tuple[int, int], datetime]:
    """(student, bank) -> their first answer to the last card they started of the bank's live questions."""
    if not user_ids or not bank_ids:
        return {}
    first = (select(ReviewLog.user_id.label("user_id"), Question.bank_id.label("bank_id"),
                    func.min(ReviewLog.reviewed_at).label("first"))
             .join(Card, Card.id == ReviewLog.card_id).join(Question, Question.id == Card.question_id)
             .where(ReviewLog.user_id.in_(user_ids), Question.bank_id.in_(bank_ids), Question.retired.is_(False),
                    Card.state != NEW, ReviewLog.question_version == Card.question_version)
             .group_by(ReviewLog.user_id, Question.bank_id, Card.id).subquery())
    rows = db.session.execute(select(first.c.user_id, first.c.bank_id, func.max(first.c.first))
                              .group_by(first.c.user_id, first.c.bank_id)).all()
    return {(user_id, bank_id): utc(last) for user_id, bank_id, last in rows if last is not None}


def completions(classroom: Classroom, progress: cp.ClassProgress) -> list[cp.Completion]:
    """Each student against each assigned bank's due date, the late ones first."""
    due_dates = {a.bank_id: a.due_at for a in classroom.assignments}
    dated = [bank_id for bank_id, due in due_dates.items() if due is not None]
    finished = finished_at([s.user_id for s in progress.students], dated)
    return cp.completions(progress, due_dates, finished)
