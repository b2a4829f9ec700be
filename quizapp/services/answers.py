"""Recording answers, and taking them back: grade, schedule, log; undo, re-rate, "it was a typo".

Every answer carries a client-made id; the same id twice is applied once (unique constraint on the
review log, checked again under the write lock).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..domain import scheduling as sched
from ..domain.questions import Outcome, QuestionType, ResponseError, get_type
from ..domain.rating import RECENT, suggest_rating, typical_seconds
from ..extensions import db
from ..models import Card, Question, ReviewLog, User
from . import first_answers
from .cards import (
    AskAgain,
    NotLatest,
    StaleCard,
    StudyError,
    apply_state,
    card_for_update,
    card_seed,
    card_state,
    card_version,
    day_bounds,
    graded_data,
    load_question,
    scheduler_for,
)
from .errors import NotFound
from .writes import begin_write


@dataclass(frozen=True)
class AnswerResult:
    log: ReviewLog
    outcome: Outcome
    suggested: int | None
    duplicate: bool = False


def log_intervals(user: User, log: ReviewLog, card: Card) -> dict[int, str]:
    """The buttons of a feedback page: what each rating gives from the card as it was before the answer."""
    before = sched.CardState.from_json(log.state_before)
    previews = sched.preview(before, log.reviewed_at, scheduler_for(user), card_seed(card))
    return {rating: sched.interval_label(delta) for rating, delta in previews.items()}


RECENT_WINDOW = 300  # the learner's latest answers searched for their typical time (any type)


def typical_answer_seconds(user: User, qtype: QuestionType, before_log_id: int | None = None) -> float:
    """The learner's typical time for a right answer of this type (domain.rating), from their last
    RECENT right answers of the type among their latest RECENT_WINDOW answers (before
    ``before_log_id`` when given: the feedback page of an older answer). The window keeps it to an
    index range of the (user_id, reviewed_at) index, however long the learner's history."""
    latest = select(ReviewLog.id, ReviewLog.card_id, ReviewLog.duration_ms, ReviewLog.score).where(
        ReviewLog.user_id == user.id)
    if before_log_id is not None:
        latest = latest.where(ReviewLog.id < before_log_id)
    latest = latest.order_by(ReviewLog.reviewed_at.desc()).limit(RECENT_WINDOW).subquery()
    query = (select(latest.c.duration_ms).join(Card, Card.id == latest.c.card_id)
             .join(Question, Question.id == Card.question_id)
             .where(Question.type == qtype.name, latest.c.score >= 0.999, latest.c.duration_ms.is_not(None))
             .order_by(latest.c.id.desc()).limit(RECENT))
    recent = [ms / 1000 for ms in db.session.scalars(query)]
    return typical_seconds(recent, qtype.quick_seconds)


def suggestion(user: User, qtype: QuestionType, outcome: Outcome, duration_ms: int | None,
               before_log_id: int | None = None) -> int | None:
    if outcome.self_rated:
        return None
    seconds = duration_ms / 1000 if duration_ms is not None else None
    typical = typical_answer_seconds(user, qtype, before_log_id) if seconds is not None else qtype.quick_seconds
    return suggest_rating(outcome, seconds, typical, qtype.guessable)


def _existing(user: User, client_id: str) -> ReviewLog | None:
    return db.session.scalar(select(ReviewLog).where(ReviewLog.user_id == user.id, ReviewLog.client_id == client_id))


def read_answer(question: Question, ordinal: int, getlist) -> Any:
    """The learner's answer from the submitted form: AskAgain (nothing recorded) for input that is
    no answer (not a number, two items in one place). record_answer checks it against the question."""
    try:
        return get_type(question.type).read_response(getlist, ordinal)
    except ResponseError as exc:
        raise AskAgain(str(exc)) from None


def check_answer(question: Question, ordinal: int, response: Any) -> None:
    qtype = get_type(question.type)
    if not qtype.auto_graded:
        return
    if qtype.is_empty(response):
        raise AskAgain("Type or choose an answer first: an empty answer is not recorded.")
    try:
        qtype.check_response(graded_data(question), response, ordinal)
    except ResponseError as exc:
        raise AskAgain(str(exc)) from None


def record_answer(user: User, question_id: int, ordinal: int, response: Any, client_id: str, *,
                  now: datetime, duration_ms: int | None = None, rating: int | None = None,
                  kind: str = "study", seen_version: str | None = None,
                  shown_at: datetime | None = None) -> AnswerResult:
    """Grades and records one answer, once per ``client_id``; commits.

    ``seen_version`` is the card's version when the answer form was shown (``card_version``): if the
    card has been answered since (another tab), StaleCard is raised and nothing is recorded.
    ``shown_at`` is when the card's page was shown: a rating chosen on a page from the learner's
    previous study day is refused too (StaleCard), as its buttons promised intervals counted from
    that day, and the card is shown again with today's.
    """
    if not client_id or len(client_id) > 64:
        raise StudyError("Every answer needs an answer id of at most 64 characters.")
    if rating is not None and rating not in sched.RATING_NAMES:
        raise StudyError("A rating is 1 (Again), 2 (Hard), 3 (Good) or 4 (Easy).")
    question = load_question(user, question_id, ordinal)
    qtype = get_type(question.type)
    previous = _existing(user, client_id)
    if previous is not None:  # a resend of an answer already applied: its result, nothing new
        return AnswerResult(previous, qtype.grade(graded_data(question), previous.answer, ordinal),
                            previous.rating, duplicate=True)
    if rating is not None and shown_at is not None and shown_at <= now \
            and day_bounds(user, shown_at)[0] != day_bounds(user, now)[0]:
        raise StaleCard("A new study day began since this card was shown, so its intervals changed and your "
                        "rating was not recorded. Here it is again with today's intervals.")
    check_answer(question, ordinal, response)
    outcome = qtype.grade(graded_data(question), response, ordinal)
    suggested = suggestion(user, qtype, outcome, duration_ms)
    chosen = rating or suggested
    if chosen is None:
        raise StudyError("Rate how well you remembered: Again, Hard, Good or Easy.")
    scheduler = scheduler_for(user)

    begin_write()
    previous = _existing(user, client_id)  # again, now that no other writer can slip in
    if previous is not None:
        db.session.rollback()
        return AnswerResult(previous, outcome, suggested, duplicate=True)
    card = card_for_update(user, question, ordinal)
    if seen_version is not None and card_version(card) != seen_version:
        # PostgreSQL: the same answer sent twice at once waits above for the card's row lock, which the
        # first request held until it committed; by now its log is there: a duplicate, not a stale form.
        previous = _existing(user, client_id)
        if previous is not None:
            db.session.rollback()
            return AnswerResult(previous, outcome, suggested, duplicate=True)
        db.session.rollback()
        raise StaleCard("This card was already answered (in another tab or window), so this answer was not "
                        "recorded. Here is the next card.")
    before = card_state(card)
    after = sched.review(before, chosen, now, scheduler, seed=card_seed(card))
    apply_state(card, after)
    card.buried_until = None
    log = ReviewLog(user_id=user.id, card_id=card.id, client_id=client_id, kind=kind, rating=chosen,
                    prior_state=before.state, score=None if outcome.self_rated else outcome.score,
                    answer=response, duration_ms=duration_ms, reviewed_at=now, state_before=before.to_json(),
                    state_after=after.to_json(), question_version=question.version)
    # Siblings before the log: that query autoflushes, and the log must first reach the database at
    # the commit below, where a duplicate answer id (PostgreSQL, a double click) is handled.
    _bury_siblings(user, question, ordinal, now)
    if first_answers.counts(log):
        first_answers.add(question, log)
    db.session.add(log)
    try:
        db.session.commit()
    except IntegrityError:
        # The same answer id committed by another request in between (PostgreSQL): applied once.
        db.session.rollback()
        previous = _existing(user, client_id)
        if previous is None:
            raise
        return AnswerResult(previous, outcome, suggested, duplicate=True)
    return AnswerResult(log, outcome, suggested)


def _bury_siblings(user: User, question: Question, ordinal: int, now: datetime) -> None:
    """Other cloze cards of the same question wait until the learner's next day, as Anki buries new and
    review siblings; a sibling in minute-long (re)learning steps is not buried (Anki neither), or its
    steps would stall until tomorrow. New siblings with no row yet are held back by _new_candidates."""
    ordinals = get_type(question.type).cards(question.data)
    if len(ordinals) < 2:
        return
    _, day_end = day_bounds(user, now)
    for sibling in db.session.scalars(select(Card).where(Card.user_id == user.id, Card.question_id == question.id,
                                                         Card.ordinal != ordinal)):
        if sibling.state in (sched.NEW, sched.REVIEW):
            sibling.buried_until = day_end


def _restore_sibling_burials(user: User, card: Card, undone: ReviewLog) -> None:
    """After an undo, the question's cards are buried as the day's remaining answers say: a new or review
    card waits for tomorrow if another card of the question was answered today (the burial rule again)."""
    day_start, day_end = day_bounds(user, undone.reviewed_at)
    answered_today = set(db.session.scalars(select(ReviewLog.card_id).join(Card, Card.id == ReviewLog.card_id).where(
        ReviewLog.user_id == user.id, Card.question_id == card.question_id, ReviewLog.reviewed_at >= day_start,
        ReviewLog.id != undone.id)))
    for each in db.session.scalars(select(Card).where(Card.user_id == user.id, Card.question_id == card.question_id)):
        buried = each.state in (sched.NEW, sched.REVIEW) and bool(answered_today - {each.id})
        each.buried_until = day_end if buried else None


def last_log(user: User) -> ReviewLog | None:
    return db.session.scalar(select(ReviewLog).where(ReviewLog.user_id == user.id, ReviewLog.kind == "study")
                             .order_by(ReviewLog.id.desc()).limit(1))


def _latest(user: User, log_id: int, doing: str) -> ReviewLog:
    """The learner's latest study answer, which must be ``log_id`` (the one on the page they act from)."""
    log = last_log(user)
    if log is None or log.id != log_id:
        db.session.rollback()
        raise NotLatest(f"Only your latest answer can be {doing}; this one is older.")
    return log


def _replay_from(user: User, card: Card, state: sched.CardState, after_log_id: int) -> None:
    """Sets ``card`` to ``state`` and re-applies the card's answers logged after ``after_log_id``
    (a quiz answer made since), so the card stays equal to the replay of its log."""
    scheduler = scheduler_for(user)
    later = db.session.scalars(select(ReviewLog).where(ReviewLog.card_id == card.id, ReviewLog.id > after_log_id)
                               .order_by(ReviewLog.id)).all()
    for log in later:
        log.state_before = state.to_json()
        state = sched.review(state, log.rating, log.reviewed_at, scheduler, seed=card_seed(card))
        log.state_after = state.to_json()
    apply_state(card, state)


def rerate(user: User, log_id: int, rating: int, *, overridden: bool = False) -> ReviewLog:
    """Changes the rating of the learner's latest answer (the card is re-scheduled from before it)."""
    if rating not in sched.RATING_NAMES:
        raise StudyError("A rating is 1 (Again), 2 (Hard), 3 (Good) or 4 (Easy).")
    begin_write()
    log = _latest(user, log_id, "re-rated")
    card = db.session.scalar(select(Card).where(Card.id == log.card_id).with_for_update())
    before = sched.CardState.from_json(log.state_before)
    after = sched.review(before, rating, log.reviewed_at, scheduler_for(user), seed=card_seed(card))
    log.rating, log.state_after = rating, after.to_json()
    if overridden:
        log.overridden = True
    _replay_from(user, card, after, log.id)
    db.session.commit()
    return log


def count_as_right(user: User, log_id: int) -> ReviewLog:
    """"It was a typo": the learner's latest answer, a near-miss, is rated as right -- Good at most, as
    a right answer with a slip in it is no Easy. The grade stays as marked (``score``) and the log
    says it was overridden, so teachers' statistics see what was typed."""
    log, card = own_log(user, log_id)
    question = card.question
    outcome = get_type(question.type).grade(graded_data(question), log.answer, card.ordinal)
    if not outcome.near_miss:
        raise NotLatest("Only an answer a slip of letters away from the right one can be counted as right.")
    return rerate(user, log_id, sched.GOOD, overridden=True)


def undo(user: User, log_id: int | None = None) -> ReviewLog | None:
    """Takes back the latest answer (which must be ``log_id`` when given: undo acts only on the answer
    the page shows): the card returns to its state before it, the log row goes."""
    begin_write()
    log = last_log(user) if log_id is None else _latest(user, log_id, "taken back")
    if log is None:
        db.session.rollback()
        return None
    card = db.session.scalar(select(Card).where(Card.id == log.card_id).with_for_update())
    if first_answers.counts(log):
        first_answers.add(db.session.get(Question, card.question_id), log, sign=-1)
    _replay_from(user, card, sched.CardState.from_json(log.state_before), log.id)
    _restore_sibling_burials(user, card, log)
    db.session.delete(log)
    db.session.commit()
    return log


def own_log(user: User, log_id: int) -> tuple[ReviewLog, Card]:
    """One of the learner's answers and its card; another learner's answer is as unknown as none."""
    log = db.session.get(ReviewLog, log_id)
    if log is None or log.user_id != user.id:
        raise NotFound("That answer is not yours.")
    return log, db.session.get(Card, log.card_id)


def review_count(user: User) -> int:
    return db.session.scalar(select(func.count(ReviewLog.id)).where(ReviewLog.user_id == user.id)) or 0
