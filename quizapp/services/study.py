"""The study loop: which card comes next, recording answers, undo, suspend and bury.

Card rows are made when a card is first answered (or suspended): a learner who has never
opened a bank costs nothing. Every answer carries a client-made id; the same id twice is
applied once (unique constraint on the review log, checked again under the write lock).
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.exc import IntegrityError

from ..domain import scheduling as sched
from ..domain.questions import REGISTRY, Outcome, QuestionType, get_type
from ..domain.rating import suggest_rating
from ..extensions import db
from ..models import Card, Question, ReviewLog, User
from . import first_answers
from .catalog import accessible_bank_ids
from .writes import begin_write

LEARN_AHEAD = timedelta(minutes=20)  # Anki's default: learning cards this close count as due


class StudyError(ValueError):
    """A request the study rules refuse (unknown card, no rating for a flashcard...)."""


@dataclass(frozen=True)
class Counts:
    new: int
    learning: int
    due: int

    @property
    def total(self) -> int:
        return self.new + self.learning + self.due


@dataclass(frozen=True)
class Pick:
    """The card to show: a question and which of its cards (cloze deletion)."""

    question: Question
    ordinal: int
    card: Card | None  # None for a card never studied

    @property
    def state(self) -> sched.CardState:
        return card_state(self.card) if self.card else sched.CardState()


@dataclass(frozen=True)
class AnswerResult:
    log: ReviewLog
    outcome: Outcome
    suggested: int | None
    duplicate: bool = False


def card_state(card: Card) -> sched.CardState:
    return sched.CardState(state=card.state, step=card.step, stability=card.stability,
                           difficulty=card.difficulty, due=card.due, last_review=card.last_review,
                           reps=card.reps, lapses=card.lapses, leech=card.leech)


def apply_state(card: Card, state: sched.CardState) -> None:
    card.state, card.step, card.stability, card.difficulty = state.state, state.step, state.stability, state.difficulty
    card.due, card.last_review, card.reps, card.lapses = state.due, state.last_review, state.reps, state.lapses
    card.leech = state.leech


def scheduler_for(user: User):
    return sched.make_scheduler(user.desired_retention, user.fsrs_parameters)


def day_bounds(user: User, now: datetime) -> tuple[datetime, datetime]:
    return sched.study_day(now, user.timezone, user.day_start_hour)


# -- choosing cards ---------------------------------------------------------------------------
def _live_cards(user: User, bank_ids: list[int], now: datetime):
    return (select(Card).join(Question, Question.id == Card.question_id)
            .where(Card.user_id == user.id, Question.bank_id.in_(bank_ids), Question.retired.is_(False),
                   Card.suspended.is_(False), or_(Card.buried_until.is_(None), Card.buried_until <= now)))


def _done_today(user: User, day_start: datetime) -> tuple[int, int]:
    """(new cards introduced, reviews answered) in the learner's day so far."""
    rows = db.session.execute(
        select(ReviewLog.prior_state, func.count()).where(
            ReviewLog.user_id == user.id, ReviewLog.reviewed_at >= day_start, ReviewLog.kind == "study")
        .group_by(ReviewLog.prior_state)).all()
    by_state = dict(rows)
    return by_state.get(sched.NEW, 0), by_state.get(sched.REVIEW, 0)


def _new_candidates(user: User, bank_ids: list[int], day_start: datetime, limit: int) -> list[tuple[Question, int]]:
    """New cards in bank order, skipping siblings of cards answered today."""
    if limit <= 0:
        return []
    # A learner with 1,000 cards must not load 1,000 questions (JSON and all) on every page: the
    # started cards of one-card questions are left out in SQL, the questions of types that make
    # several cards (cloze) are checked card by card from their ordinals (cached, see
    # _multi_card_ordinals), and only the chosen questions are loaded.
    multi = _multi_card_types()
    multi_list = sorted(multi)
    is_started = or_(Card.state != sched.NEW, Card.suspended.is_(True), Card.buried_until > day_start)
    started = set(db.session.execute(
        select(Card.question_id, Card.ordinal).join(Question, Question.id == Card.question_id)
        .where(Card.user_id == user.id, Question.bank_id.in_(bank_ids), Question.type.in_(multi_list),
               is_started)).all())
    touched_today = set(db.session.scalars(
        select(Card.question_id).join(ReviewLog, ReviewLog.card_id == Card.id)
        .where(ReviewLog.user_id == user.id, ReviewLog.reviewed_at >= day_start)))
    first_card_started = select(Card.id).where(Card.user_id == user.id, Card.question_id == Question.id,
                                               Card.ordinal == 0, is_started).exists()
    rows = db.session.execute(
        select(Question.id, Question.type, Question.content_hash)
        .where(Question.bank_id.in_(bank_ids), Question.retired.is_(False),
               or_(Question.type.in_(multi_list), ~first_card_started))
        .order_by(Question.bank_id, Question.position)).all()
    ordinals_of = _multi_card_ordinals([(qid, digest) for qid, qtype, digest in rows if qtype in multi])
    chosen: list[tuple[int, int]] = []
    for qid, qtype, _ in rows:
        ordinals = ordinals_of.get(qid, []) if qtype in multi else [0]  # [] if it went meanwhile
        if qid in touched_today and len(ordinals) > 1:
            continue
        for ordinal in ordinals:
            if (qid, ordinal) not in started:
                chosen.append((qid, ordinal))
                break  # one card of a question per day: siblings wait for another day
        if len(chosen) >= limit:
            break
    if not chosen:
        return []
    questions = {q.id: q for q in db.session.scalars(select(Question).where(Question.id.in_([c[0] for c in chosen])))}
    return [(questions[qid], ordinal) for qid, ordinal in chosen if qid in questions]


def _multi_card_types() -> frozenset[str]:
    """Types whose questions can make more than one card (they override ``cards``); the others make card 0."""
    return frozenset(name for name, qtype in REGISTRY.items() if type(qtype).cards is not QuestionType.cards)


# (question id, content hash) -> the question's card ordinals. Parsing every cloze question of a bank
# on every page cost more than the rest of the page; a question's ordinals change only with its content.
_ORDINALS: dict[tuple[int, str], list[int]] = {}
_ORDINALS_MAX = 50_000


def _multi_card_ordinals(keys: list[tuple[int, str]]) -> dict[int, list[int]]:
    """Card ordinals of these questions (id, content hash), loading only those not seen before."""
    out: dict[int, list[int]] = {}
    for qid, digest in keys:
        ordinals = _ORDINALS.get((qid, digest))  # get(): another thread may clear the cache meanwhile
        if ordinals is not None:
            out[qid] = ordinals
    missing = [qid for qid, _ in keys if qid not in out]
    if missing:
        if len(_ORDINALS) + len(missing) > _ORDINALS_MAX:
            _ORDINALS.clear()
        query = select(Question.id, Question.type, Question.content_hash, Question.data)
        for qid, qtype, digest, data in db.session.execute(query.where(Question.id.in_(missing))):
            out[qid] = _ORDINALS[(qid, digest)] = get_type(qtype).cards(data)
    return out


def counts(user: User, bank_ids: list[int], now: datetime) -> Counts:
    day_start, day_end = day_bounds(user, now)
    new_done, reviews_done = _done_today(user, day_start)
    live = _live_cards(user, bank_ids, now).where(Card.due < day_end).subquery()
    learning, due = db.session.execute(select(  # one pass over the learner's cards for both counts
        func.coalesce(func.sum(case((live.c.state.in_([sched.LEARNING, sched.RELEARNING]), 1), else_=0)), 0),
        func.coalesce(func.sum(case((live.c.state == sched.REVIEW, 1), else_=0)), 0)).select_from(live)).one()
    new_left = max(0, user.new_per_day - new_done)
    new = len(_new_candidates(user, bank_ids, day_start, new_left))
    return Counts(new=new, learning=learning, due=min(due, max(0, user.reviews_per_day - reviews_done)))


def next_card(user: User, bank_ids: list[int], now: datetime) -> Pick | None:
    """Learning cards due now, then reviews (lowest recall probability first), then new cards,
    then learning cards due within the learn-ahead window; None when the day's work is done."""
    if not bank_ids:
        return None
    day_start, day_end = day_bounds(user, now)
    new_done, reviews_done = _done_today(user, day_start)
    live = _live_cards(user, bank_ids, now)
    learning = db.session.scalars(live.where(Card.state.in_([sched.LEARNING, sched.RELEARNING]), Card.due <= now)
                                  .order_by(Card.due).limit(1)).first()
    if learning:
        return Pick(learning.question, learning.ordinal, learning)
    if reviews_done < user.reviews_per_day:
        # After a break the backlog is large: answer the cards most at risk first.
        candidates = db.session.scalars(live.where(Card.state == sched.REVIEW, Card.due < day_end)
                                        .order_by(Card.due).limit(100)).all()
        if candidates:
            scheduler = scheduler_for(user)
            card = min(candidates, key=lambda c: (sched.retrievability(card_state(c), now, scheduler), c.id))
            return Pick(card.question, card.ordinal, card)
    fresh = _new_candidates(user, bank_ids, day_start, max(0, user.new_per_day - new_done))
    if fresh:
        question, ordinal = fresh[0]
        existing = db.session.scalar(select(Card).where(Card.user_id == user.id, Card.question_id == question.id,
                                                        Card.ordinal == ordinal))
        return Pick(question, ordinal, existing)
    ahead = db.session.scalars(live.where(Card.state.in_([sched.LEARNING, sched.RELEARNING]),
                                          Card.due <= now + LEARN_AHEAD).order_by(Card.due).limit(1)).first()
    if ahead:
        return Pick(ahead.question, ahead.ordinal, ahead)
    return None


def next_learning_due(user: User, bank_ids: list[int], now: datetime) -> datetime | None:
    """When the next learning card comes back (for the 'come back at' message)."""
    return db.session.scalar(select(func.min(Card.due)).join(Question, Question.id == Card.question_id).where(
        Card.user_id == user.id, Question.bank_id.in_(bank_ids), Card.suspended.is_(False),
        Card.state.in_([sched.LEARNING, sched.RELEARNING])))


def next_focus_card(user: User, question_ids: list[int], since: datetime, now: datetime) -> Pick | None:
    """A session of chosen questions only ("study just these"), due or not and outside the daily limits:
    learning cards due now, then each card not answered since ``since`` (lowest recall first), then
    learning cards within the learn-ahead window; None once all are done."""
    bank_ids = sorted(accessible_bank_ids(user))
    if not question_ids or not bank_ids:
        return None
    live = _live_cards(user, bank_ids, now).where(Card.question_id.in_(question_ids), Card.state != sched.NEW)
    relearn = live.where(Card.state.in_([sched.LEARNING, sched.RELEARNING])).order_by(Card.due).limit(1)
    card = db.session.scalars(relearn.where(Card.due <= now)).first()
    if card is None:
        pending = db.session.scalars(live.where(or_(Card.last_review.is_(None), Card.last_review < since))).all()
        scheduler = scheduler_for(user)
        card = min(pending, key=lambda c: (sched.retrievability(card_state(c), now, scheduler), c.id), default=None)
    if card is None:
        card = db.session.scalars(relearn.where(Card.due <= now + LEARN_AHEAD)).first()
    return Pick(card.question, card.ordinal, card) if card else None


def presentation(pick: Pick, seed: str) -> dict[str, Any]:
    """What the answer form shows; choices shuffled the same way for the same seed."""
    qtype = get_type(pick.question.type)
    return qtype.present(pick.question.data, pick.ordinal, random.Random(seed))  # noqa: S311


def button_intervals(user: User, pick: Pick, now: datetime) -> dict[int, str]:
    seed = str(pick.card.id) if pick.card else f"new:{pick.question.id}:{pick.ordinal}"
    previews = sched.preview(pick.state, now, scheduler_for(user), seed)
    return {rating: sched.interval_label(delta) for rating, delta in previews.items()}


# -- answering --------------------------------------------------------------------------------
def _existing(user: User, client_id: str) -> ReviewLog | None:
    return db.session.scalar(select(ReviewLog).where(ReviewLog.user_id == user.id, ReviewLog.client_id == client_id))


def _card_for_update(user: User, question: Question, ordinal: int) -> Card:
    query = select(Card).where(Card.user_id == user.id, Card.question_id == question.id, Card.ordinal == ordinal)
    card = db.session.scalar(query.with_for_update())
    if card is None:
        card = Card(user_id=user.id, question_id=question.id, ordinal=ordinal, question_version=question.version)
        try:
            with db.session.begin_nested():  # a savepoint: losing the race below keeps the transaction
                db.session.add(card)
        except IntegrityError:
            # PostgreSQL: a concurrent request (a double click) made this card first; FOR UPDATE
            # has nothing to lock on a row not yet made, so wait for theirs and take it.
            card = db.session.scalar(query.with_for_update())
    if card.question_version != question.version:
        # The question's answer changed since this card was studied: it starts fresh.
        apply_state(card, sched.CardState())
        card.question_version = question.version
    return card


def load_question(user: User, question_id: int, ordinal: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None or question.retired or question.bank_id not in accessible_bank_ids(user):
        raise StudyError("That question is not in any of your banks.")
    if ordinal not in get_type(question.type).cards(question.data):
        raise StudyError("That card does not exist.")
    return question


def record_answer(user: User, question_id: int, ordinal: int, response: Any, client_id: str, *,
                  now: datetime, duration_ms: int | None = None, rating: int | None = None,
                  kind: str = "study") -> AnswerResult:
    """Grades and records one answer, once per ``client_id``; commits."""
    if not client_id or len(client_id) > 64:
        raise StudyError("Every answer needs an answer id of at most 64 characters.")
    if rating is not None and rating not in sched.RATING_NAMES:
        raise StudyError("A rating is 1 (Again), 2 (Hard), 3 (Good) or 4 (Easy).")
    question = load_question(user, question_id, ordinal)
    qtype = get_type(question.type)
    outcome = qtype.grade(question.data, response, ordinal)
    seconds = duration_ms / 1000 if duration_ms is not None else None
    suggested = suggest_rating(outcome, seconds, qtype.quick_seconds)
    chosen = rating or suggested
    if chosen is None:
        raise StudyError("Rate how well you remembered: Again, Hard, Good or Easy.")

    previous = _existing(user, client_id)
    if previous is not None:
        return AnswerResult(previous, outcome, suggested, duplicate=True)
    begin_write()
    previous = _existing(user, client_id)  # again, now that no other writer can slip in
    if previous is not None:
        db.session.rollback()
        return AnswerResult(previous, outcome, suggested, duplicate=True)
    card = _card_for_update(user, question, ordinal)
    before = card_state(card)
    after = sched.review(before, chosen, now, scheduler_for(user), seed=str(card.id))
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
    """Other cloze cards of the same question wait until the learner's next day."""
    ordinals = get_type(question.type).cards(question.data)
    if len(ordinals) < 2:
        return
    _, day_end = day_bounds(user, now)
    for sibling in db.session.scalars(select(Card).where(Card.user_id == user.id, Card.question_id == question.id,
                                                         Card.ordinal != ordinal)):
        sibling.buried_until = day_end


def last_log(user: User) -> ReviewLog | None:
    return db.session.scalar(select(ReviewLog).where(ReviewLog.user_id == user.id, ReviewLog.kind == "study")
                             .order_by(ReviewLog.id.desc()).limit(1))


def rerate(user: User, log_id: int, rating: int) -> ReviewLog:
    """Changes the rating of the learner's latest answer (the card is re-scheduled from before it)."""
    if rating not in sched.RATING_NAMES:
        raise StudyError("A rating is 1 (Again), 2 (Hard), 3 (Good) or 4 (Easy).")
    begin_write()
    log = last_log(user)
    if log is None or log.id != log_id:
        db.session.rollback()
        raise StudyError("Only your latest answer can be re-rated.")
    card = db.session.scalar(select(Card).where(Card.id == log.card_id).with_for_update())
    before = sched.CardState.from_json(log.state_before)
    after = sched.review(before, rating, log.reviewed_at, scheduler_for(user), seed=str(card.id))
    apply_state(card, after)
    log.rating, log.state_after = rating, after.to_json()
    db.session.commit()
    return log


def undo(user: User) -> ReviewLog | None:
    """Takes back the latest answer: the card returns to its state before it, the log row goes."""
    begin_write()
    log = last_log(user)
    if log is None:
        db.session.rollback()
        return None
    card = db.session.scalar(select(Card).where(Card.id == log.card_id).with_for_update())
    apply_state(card, sched.CardState.from_json(log.state_before))
    card.buried_until = None
    db.session.execute(Card.__table__.update().where(and_(
        Card.user_id == user.id, Card.question_id == card.question_id, Card.id != card.id)).values(buried_until=None))
    if first_answers.counts(log):
        first_answers.add(db.session.get(Question, card.question_id), log, sign=-1)
    db.session.delete(log)
    db.session.commit()
    return log


def _change_card(user: User, question_id: int, ordinal: int, **values: Any) -> Card:
    """Sets ``values`` on the learner's card (made if it was never studied), under the write lock."""
    question = load_question(user, question_id, ordinal)
    begin_write()
    card = _card_for_update(user, question, ordinal)
    for name, value in values.items():
        setattr(card, name, value)
    db.session.commit()
    return card


def set_suspended(user: User, question_id: int, ordinal: int, suspended: bool) -> Card:
    return _change_card(user, question_id, ordinal, suspended=suspended)


def bury(user: User, question_id: int, ordinal: int, now: datetime) -> Card:
    """Hides the card until the learner's next study day."""
    return _change_card(user, question_id, ordinal, buried_until=day_bounds(user, now)[1])


def leeches(user: User) -> list[Card]:
    return list(db.session.scalars(select(Card).where(Card.user_id == user.id, Card.leech.is_(True))
                                   .order_by(Card.lapses.desc())))
