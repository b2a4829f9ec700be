"""Quiz mode: N auto-graded questions without feedback, then a score and a review of each.

Each answer is also a review (kind "quiz") with the suggested rating, so quizzing moves the
cards on; its answer id is derived from the attempt and position, so a resent answer counts once.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from ..domain.questions import get_type
from ..extensions import db
from ..models import Question, QuizAttempt, QuizItem, User
from .catalog import accessible_bank_ids
from .study import StudyError, record_answer


@dataclass(frozen=True)
class QuizScore:
    answered: int
    total: int
    points: float

    @property
    def percent(self) -> float:
        return 100.0 * self.points / self.total if self.total else 0.0


def start(user: User, bank_ids: list[int], size: int, now: datetime, rng: random.Random | None = None) -> QuizAttempt:
    allowed = accessible_bank_ids(user)
    banks = [b for b in bank_ids if b in allowed] or sorted(allowed)
    questions = [q for q in db.session.scalars(
        select(Question).where(Question.bank_id.in_(banks), Question.retired.is_(False)))
        if get_type(q.type).auto_graded]
    if not questions:
        raise StudyError("Those banks have no auto-graded questions to quiz on.")
    rng = rng or random.Random()  # noqa: S311 (question order, not security)
    chosen = rng.sample(questions, min(size, len(questions)))
    attempt = QuizAttempt(user_id=user.id, bank_ids=banks, started_at=now)
    db.session.add(attempt)
    db.session.flush()
    for position, q in enumerate(chosen):
        ordinal = rng.choice(get_type(q.type).cards(q.data))
        db.session.add(QuizItem(attempt_id=attempt.id, position=position, question_id=q.id, ordinal=ordinal,
                                question_version=q.version))
    db.session.commit()
    return attempt


def own_attempt(user: User, attempt_id: int) -> QuizAttempt | None:
    attempt = db.session.get(QuizAttempt, attempt_id)
    return attempt if attempt is not None and attempt.user_id == user.id else None


def next_item(attempt: QuizAttempt) -> QuizItem | None:
    return next((i for i in attempt.items if i.answered_at is None), None)


def answer(user: User, attempt: QuizAttempt, position: int, response: Any, *, now: datetime,
           duration_ms: int | None) -> QuizItem:
    item = next((i for i in attempt.items if i.position == position), None)
    if item is None:
        raise StudyError("That quiz has no such question.")
    if item.answered_at is not None:
        return item  # already answered: a resend changes nothing
    result = record_answer(user, item.question_id, item.ordinal, response, f"quiz:{attempt.id}:{position}",
                           now=now, duration_ms=duration_ms, kind="quiz")
    item = db.session.get(QuizItem, item.id)
    item.response, item.score, item.duration_ms = response, result.outcome.score, duration_ms
    item.answered_at, item.review_log_id = now, result.log.id
    attempt = item.attempt
    if all(i.answered_at is not None for i in attempt.items):
        attempt.finished_at = now
    db.session.commit()
    return item


def score(attempt: QuizAttempt) -> QuizScore:
    answered = [i for i in attempt.items if i.answered_at is not None]
    return QuizScore(len(answered), len(attempt.items), sum(i.score or 0.0 for i in answered))
