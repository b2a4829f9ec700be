"""Which card comes next, and the day's counts: new cards within the daily limits, learning and
review cards due, siblings held back."""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, or_, select

from ..domain import scheduling as sched
from ..domain.questions import REGISTRY, QuestionType, get_type
from ..extensions import db
from ..models import Card, Question, ReviewLog, User
from .cards import (
    Pick,
    card_state,
    day_bounds,
    fuzz_seed,
    scheduler_for,
)
from .catalog import accessible_bank_ids

LEARN_AHEAD = timedelta(minutes=20)  # Anki's default: learning cards this close count as due


@dataclass(frozen=True)
class Counts:
    new: int
    learning: int
    due: int

    @property
    def total(self) -> int:
        return self.new + self.learning + self.due


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
    room = _review_room(user, new_done, reviews_done)
    due = min(due, room)
    new = len(_new_candidates(user, bank_ids, day_start, min(user.new_per_day - new_done, room - due)))
    return Counts(new=new, learning=learning, due=due)


def _review_room(user: User, new_done: int, reviews_done: int) -> int:
    """Answers the review limit still allows today. As in Anki (v3, "new cards ignore review limit"
    off, its default) the limit bounds new cards too: new cards introduced count against it, and new
    cards are shown only in the room the day's due reviews leave (200 a day with 190 due: 10 new)."""
    return max(0, user.reviews_per_day - reviews_done - new_done)


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
    room = _review_room(user, new_done, reviews_done)
    if room > 0:
        # After a break the backlog is large: answer the cards most at risk first.
        candidates = db.session.scalars(live.where(Card.state == sched.REVIEW, Card.due < day_end)
                                        .order_by(Card.due).limit(100)).all()
        if candidates:
            scheduler = scheduler_for(user)
            card = min(candidates, key=lambda c: (sched.retrievability(card_state(c), now, scheduler), c.id))
            return Pick(card.question, card.ordinal, card)
    fresh = _new_candidates(user, bank_ids, day_start, min(user.new_per_day - new_done, room))
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
    """The label of each rating button: the interval that pressing it applies (see record_answer)."""
    previews = sched.preview(pick.state, now, scheduler_for(user), fuzz_seed(user.id, pick.question.id, pick.ordinal))
    return {rating: sched.interval_label(delta) for rating, delta in previews.items()}
