"""Quiz mode: N auto-graded questions without feedback, then a score and a review of each.

Each answer is also a review (kind "quiz") with the suggested rating, so quizzing moves the
cards on; its answer id is derived from the attempt and position, so a resent answer counts once.
A quiz started as "practice only" (``QuizAttempt.reschedule`` False, Anki's filtered deck without
"reschedule cards based on my answers") grades and keeps its answers with the attempt but writes
no review: the cards stay as they were.
The grade given is stored with the item (``QuizItem.score`` and ``outcome``), so editing a
question later does not change an attempt's result.

As in Moodle the learner moves freely between the questions, flags some to come back to, and ends
with "Submit all and finish" (unanswered questions count 0). An answer is graded, and final, when
it is saved (on "Next" or on moving to another question), as in Moodle's immediate-feedback
behaviour minus the feedback: the review it writes is what moves the card on, at the moment the
learner answered. An optional time limit is kept by the server: no answer is taken after it
(and ``GRACE``), and an attempt whose time is up is closed and graded when next seen.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from ..domain.questions import Outcome, ResponseError, get_type
from ..extensions import db
from ..models import Bank, Question, QuizAttempt, QuizItem, User
from .answers import check_answer, record_answer
from .cards import StudyError, graded_data, load_question
from .catalog import accessible_bank_ids
from .errors import Conflict, NotFound
from .unit import transactional, unit_of_work

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


# Moodle's "last submission grace period" (quiz | graceperiodmin, 60 seconds by default): an answer
# sent as the time runs out (the countdown submits the page at 0) still counts.
GRACE = timedelta(seconds=60)
# Time limits offered when starting, in minutes (0: none, the default).
TIME_LIMIT_MINUTES = (0, 5, 10, 15, 20, 30, 45, 60, 90, 120)
MAX_TIME_LIMIT = 5 * 3600


class TimeUp(StudyError, Conflict):
    """An answer sent after the time limit and its grace: not taken (409)."""


class QuizClosed(StudyError, Conflict):
    """An answer or a flag for an attempt already submitted (409)."""


def start(user: User, bank_ids: list[int], size: int, now: datetime, rng: random.Random | None = None, *,
          time_limit: int | None = None, reschedule: bool = True) -> QuizAttempt:
    """A new attempt of ``size`` random auto-graded questions of ``bank_ids`` (the learner's own
    banks only; none given: all of them). ``time_limit`` in seconds, None for no limit."""
    if time_limit is not None and not 60 <= time_limit <= MAX_TIME_LIMIT:
        raise StudyError("A time limit is between 1 minute and 5 hours, or none.")
    allowed = accessible_bank_ids(user)
    banks = [b for b in bank_ids if b in allowed] or sorted(allowed)
    questions = [q for q in db.session.scalars(
        select(Question).where(Question.bank_id.in_(banks), Question.retired.is_(False)))
        if get_type(q.type).auto_graded]
    if not questions:
        raise StudyError("Those banks have no auto-graded questions to quiz on.")
    rng = rng or random.Random()  # noqa: S311 (question order, not security)
    chosen = rng.sample(questions, min(size, len(questions)))
    return _new_attempt(user, banks, [(q, rng.choice(get_type(q.type).cards(q.data))) for q in chosen], now,
                        time_limit=time_limit, reschedule=reschedule)


@transactional
def _new_attempt(user: User, banks: list[int], picks: list[tuple[Question, int]], now: datetime, *,
                 time_limit: int | None, reschedule: bool) -> QuizAttempt:
    attempt = QuizAttempt(user_id=user.id, bank_ids=banks, started_at=now, time_limit=time_limit,
                          reschedule=reschedule)
    db.session.add(attempt)
    db.session.flush()
    for position, (q, ordinal) in enumerate(picks):
        db.session.add(QuizItem(attempt_id=attempt.id, position=position, question_id=q.id, ordinal=ordinal,
                                question_version=q.version))
    return attempt


def own_attempt(user: User, attempt_id: int) -> QuizAttempt | None:
    attempt = db.session.get(QuizAttempt, attempt_id)
    return attempt if attempt is not None and attempt.user_id == user.id else None


def attempt_for(user: User, attempt_id: int, now: datetime) -> QuizAttempt:
    """The learner's own attempt (anyone else's, or none: NotFound), closed first if its time is up."""
    attempt = own_attempt(user, attempt_id)
    if attempt is None:
        raise NotFound("No such quiz among yours.")
    close_if_time_up(attempt, now)
    return attempt


def next_item(attempt: QuizAttempt) -> QuizItem | None:
    return next((i for i in attempt.items if i.answered_at is None), None)


def item_at(attempt: QuizAttempt, position: int | None) -> QuizItem | None:
    return next((i for i in attempt.items if i.position == position), None)


def deadline(attempt: QuizAttempt) -> datetime | None:
    return attempt.started_at + timedelta(seconds=attempt.time_limit) if attempt.time_limit else None


def seconds_left(attempt: QuizAttempt, now: datetime) -> int | None:
    """Whole seconds until the time limit (0 once past it); None without a limit."""
    end = deadline(attempt)
    return None if end is None else max(0, int((end - now).total_seconds()))


def time_is_up(attempt: QuizAttempt, now: datetime) -> bool:
    end = deadline(attempt)
    return end is not None and now >= end


def takes_answers(attempt: QuizAttempt, now: datetime) -> bool:
    """Open, and within its time limit and the grace after it."""
    end = deadline(attempt)
    return attempt.finished_at is None and (end is None or now <= end + GRACE)


@transactional
def close_if_time_up(attempt: QuizAttempt, now: datetime) -> bool:
    """Closes an open attempt whose time is up, as Moodle's "open attempts are submitted
    automatically": unanswered questions count 0, finished at the deadline. True if it closed it."""
    if attempt.finished_at is not None or not time_is_up(attempt, now):
        return False
    attempt.finished_at, attempt.timed_out = deadline(attempt), True
    return True


@transactional
def finish(attempt: QuizAttempt, now: datetime) -> None:
    """"Submit all and finish": the attempt is closed as it stands (unanswered questions count 0)."""
    if attempt.finished_at is None and not close_if_time_up(attempt, now):
        attempt.finished_at = now


@transactional
def set_flag(attempt: QuizAttempt, position: int, flagged: bool) -> QuizItem:
    """Flags the question at ``position`` to come back to, or clears it (set, not toggled: a resent
    form does the same again)."""
    item = item_at(attempt, position)
    if item is None:
        raise StudyError("That quiz has no such question.")
    if attempt.finished_at is not None:
        raise QuizClosed("This quiz is finished.")
    item.flagged = flagged
    return item


@dataclass(frozen=True)
class Navigation:
    """The question navigation panel: each question's number and state, as Moodle's shows them."""

    position: int
    answered: bool
    flagged: bool

    @property
    def number(self) -> int:
        return self.position + 1


def navigation(attempt: QuizAttempt) -> list[Navigation]:
    return [Navigation(i.position, i.answered_at is not None, i.flagged) for i in attempt.items]


def answer(user: User, attempt: QuizAttempt, position: int, response: Any, *, now: datetime,
           duration_ms: int | None) -> QuizItem:
    """Grades and records the answer to the question at ``position``, keeping the grade with the item.

    Raises ResponseError, recording nothing, for an empty answer (a quiz question is answered
    before the next one) or one the question cannot grade (a choice it does not offer); the study
    rules may refuse it too (cards.AskAgain, also before anything is recorded). After the time
    limit and its grace: TimeUp, and the attempt is closed; on a finished attempt: QuizClosed."""
    item = item_at(attempt, position)
    if item is None:
        raise StudyError("That quiz has no such question.")
    if item.answered_at is not None:
        return item  # already answered: a resend changes nothing
    if not takes_answers(attempt, now):
        if close_if_time_up(attempt, now) or attempt.timed_out:
            raise TimeUp("The time was up: that answer was not recorded.")
        raise QuizClosed("This quiz is finished: that answer was not recorded.")
    qtype = get_type(item.question.type)
    if qtype.is_empty(response):
        raise ResponseError(EMPTY_ANSWER)
    qtype.check_response(graded_data(item.question), response, item.ordinal)
    if attempt.reschedule:
        result = record_answer(user, item.question_id, item.ordinal, response, f"quiz:{attempt.id}:{position}",
                               now=now, duration_ms=duration_ms, kind="quiz")
        outcome, log_id = result.outcome, result.log.id
        item = db.session.get(QuizItem, item.id)
    else:  # practice only: graded as study grades it, no review written, the card untouched
        question = load_question(user, item.question_id, item.ordinal)
        check_answer(question, item.ordinal, response)
        outcome, log_id = qtype.grade(graded_data(question), response, item.ordinal), None
    with unit_of_work():
        item.response, item.score, item.duration_ms = response, outcome.score, duration_ms
        item.outcome = {"score": outcome.score, "expected": outcome.expected, "feedback": outcome.feedback}
        item.answered_at, item.review_log_id = now, log_id
        attempt = item.attempt
        if all(i.answered_at is not None for i in attempt.items):
            attempt.finished_at = now
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


def is_right(item: QuizItem) -> bool:
    return item.answered_at is not None and item_outcome(item).correct


def not_right(attempt: QuizAttempt) -> list[QuizItem]:
    """The questions to retry: answered wrong or partly right, or left unanswered."""
    return [i for i in attempt.items if not is_right(i)]


def retry_wrong(user: User, attempt: QuizAttempt, now: datetime) -> QuizAttempt:
    """A new attempt of exactly the finished ``attempt``'s questions not answered right, in their
    order and with the same card of each, and the same choice of rescheduling; no time limit.
    Questions retired or no longer in the learner's banks since are left out."""
    if attempt.finished_at is None:
        raise StudyError("Finish the quiz first.")
    allowed = accessible_bank_ids(user)
    wrong = not_right(attempt)
    if not wrong:
        raise StudyError("Every answer was right: nothing to retry.")
    picks = [(i.question, i.ordinal) for i in wrong if not i.question.retired and i.question.bank_id in allowed]
    if not picks:
        raise StudyError("The questions to retry are no longer in your banks.")
    return _new_attempt(user, list(attempt.bank_ids or []), picks, now, time_limit=None,
                        reschedule=attempt.reschedule)


def unfinished(user: User, now: datetime) -> QuizAttempt | None:
    """The learner's newest attempt still open and within its time, to resume; None if none."""
    attempts = db.session.scalars(select(QuizAttempt).where(QuizAttempt.user_id == user.id,
                                                            QuizAttempt.finished_at.is_(None))
                                  .order_by(QuizAttempt.started_at.desc(), QuizAttempt.id.desc()).limit(20))
    return next((a for a in attempts if not time_is_up(a, now)), None)


def local_time(moment: datetime, user: User) -> datetime:
    """``moment`` on the learner's clock (their time zone; UTC if it is unknown)."""
    try:
        zone = ZoneInfo(user.timezone or "UTC")
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    return moment.astimezone(zone)


@dataclass(frozen=True)
class PastAttempt:
    attempt: QuizAttempt
    score: QuizScore
    bank_titles: list[str]
    started: datetime  # on the learner's clock
    time_up: bool = False  # open, but its time is up: closed when opened


def history(user: User, limit: int = 100, now: datetime | None = None) -> list[PastAttempt]:
    """The learner's quiz attempts, newest first, with their scores as given (finished or not)."""
    attempts = db.session.scalars(select(QuizAttempt).where(QuizAttempt.user_id == user.id)
                                  .order_by(QuizAttempt.started_at.desc(), QuizAttempt.id.desc()).limit(limit)).all()
    bank_ids = {b for a in attempts for b in a.bank_ids or []}
    titles = (dict(db.session.execute(select(Bank.id, Bank.title).where(Bank.id.in_(bank_ids))).all())
              if bank_ids else {})
    return [PastAttempt(a, score(a), [titles[b] for b in a.bank_ids or [] if b in titles],
                        local_time(a.started_at, user),
                        a.finished_at is None and now is not None and time_is_up(a, now)) for a in attempts]
