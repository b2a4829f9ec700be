"""Quiz mode: N auto-graded questions without feedback, then a score and a review of each.

Each answer is also a review (kind "quiz") with the suggested rating, so quizzing moves the
cards on; its answer id is derived from the attempt and position, so a resent answer counts once.
The grade given is stored with the item (``QuizItem.score`` and ``outcome``), so editing a
question later does not change an attempt's result.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import select

from ..domain.questions import Outcome, ResponseError, get_type
from ..extensions import db
from ..models import Bank, Question, QuizAttempt, QuizItem, User
from .answers import record_answer
from .cards import StudyError, graded_data
from .catalog import accessible_bank_ids

EMPTY_ANSWER = "Choose or type an answer first."


@dataclass(frozen=True)
class QuizScore:
    """An attempt's total as Moodle's quiz adds it up: every question is worth 1 mark and the
    total is the sum of the marks, ``question_usage_by_activity::get_total_mark`` (stored as the
    attempt's ``sumgrades``). A question's mark may be negative (a multiple-choice pick weighted
    -50 % scores -0.5) and the total is not floored either, nor is ``percent``, Moodle's
    ``quiz_rescale_grade``. Moodle floors at 0 only outside the attempt: the gradebook item has
    ``grademin`` 0, and the overall-feedback band is looked up with ``max(grade, 0)``
    (``quiz_feedback_record_for_grade``); Quizapp has neither. An unanswered question counts 0.
    """

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
    """Grades and records the answer to the question at ``position``, keeping the grade with the item.

    Raises ResponseError, recording nothing, for an empty answer (a quiz question is answered
    before the next one) or one the question cannot grade (a choice it does not offer); the study
    rules may refuse it too (cards.AskAgain, also before anything is recorded)."""
    item = next((i for i in attempt.items if i.position == position), None)
    if item is None:
        raise StudyError("That quiz has no such question.")
    if item.answered_at is not None:
        return item  # already answered: a resend changes nothing
    qtype = get_type(item.question.type)
    if qtype.is_empty(response):
        raise ResponseError(EMPTY_ANSWER)
    qtype.check_response(graded_data(item.question), response, item.ordinal)
    result = record_answer(user, item.question_id, item.ordinal, response, f"quiz:{attempt.id}:{position}",
                           now=now, duration_ms=duration_ms, kind="quiz")
    item = db.session.get(QuizItem, item.id)
    outcome = result.outcome
    item.response, item.score, item.duration_ms = response, outcome.score, duration_ms
    item.outcome = {"score": outcome.score, "expected": outcome.expected, "feedback": outcome.feedback}
    item.answered_at, item.review_log_id = now, result.log.id
    attempt = item.attempt
    if all(i.answered_at is not None for i in attempt.items):
        attempt.finished_at = now
    db.session.commit()
    return item


def item_outcome(item: QuizItem) -> Outcome:
    """The grade the answered ``item`` was given when answered. Items answered before outcomes were
    stored have only their score: the right answer and feedback come from grading them again
    against the question as it is now."""
    stored = item.outcome
    if stored:
        score = item.score if item.score is not None else float(stored.get("score") or 0.0)
        return Outcome(score, str(stored.get("expected", "")), str(stored.get("feedback") or ""))
    regraded = get_type(item.question.type).grade(graded_data(item.question), item.response, item.ordinal)
    return regraded if item.score is None else replace(regraded, score=item.score)


def score(attempt: QuizAttempt) -> QuizScore:
    """The attempt's total so far: the sum of the stored marks, unfloored (see QuizScore)."""
    answered = [i for i in attempt.items if i.answered_at is not None]
    return QuizScore(len(answered), len(attempt.items), sum(i.score or 0.0 for i in answered))


@dataclass(frozen=True)
class PastAttempt:
    attempt: QuizAttempt
    score: QuizScore
    bank_titles: list[str]


def history(user: User, limit: int = 100) -> list[PastAttempt]:
    """The learner's quiz attempts, newest first, with their scores as given (finished or not)."""
    attempts = db.session.scalars(select(QuizAttempt).where(QuizAttempt.user_id == user.id)
                                  .order_by(QuizAttempt.started_at.desc(), QuizAttempt.id.desc()).limit(limit)).all()
    bank_ids = {b for a in attempts for b in a.bank_ids or []}
    titles = (dict(db.session.execute(select(Bank.id, Bank.title).where(Bank.id.in_(bank_ids))).all())
              if bank_ids else {})
    return [PastAttempt(a, score(a), [titles[b] for b in a.bank_ids or [] if b in titles]) for a in attempts]
