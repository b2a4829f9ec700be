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

from sqlalchemy import case, func, or_, select
from sqlalchemy.exc import IntegrityError

from ..domain import scheduling as sched
from ..domain.questions import REGISTRY, Outcome, QuestionType, ResponseError, get_type
from ..domain.rating import RECENT, suggest_rating, typical_seconds
from ..extensions import db
from ..models import Card, Question, ReviewLog, User
from . import first_answers
from .catalog import accessible_bank_ids
from .errors import ServiceError
from .writes import begin_write

LEARN_AHEAD = timedelta(minutes=20)  # Anki's default: learning cards this close count as due


class StudyError(ServiceError):
    """A request the study rules refuse (unknown card, no rating for a flashcard...)."""


class AskAgain(StudyError):
    """An answer to ask again for, nothing recorded: empty, unreadable, an unknown choice."""


class StaleCard(StudyError):
    """The card changed since the form was shown (answered in another tab): nothing recorded."""


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


def scheduler_for(user: User) -> sched.StudyScheduler:
    """The learner's scheduler: their retention and parameters, elapsed time in their study days."""
    return sched.make_scheduler(user.desired_retention, user.fsrs_parameters, user.timezone, user.day_start_hour)


def fuzz_seed(user_id: int, question_id: int, ordinal: int) -> str:
    """The card's fuzz seed: known before the card's row exists, so a never-studied card's buttons
    and its first answer draw the same fuzz."""
    return f"{user_id}:{question_id}:{ordinal}"


def card_seed(card: Card) -> str:
    return fuzz_seed(card.user_id, card.question_id, card.ordinal)


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


def log_intervals(user: User, log: ReviewLog, card: Card) -> dict[int, str]:
    """The buttons of a feedback page: what each rating gives from the card as it was before the answer."""
    before = sched.CardState.from_json(log.state_before)
    previews = sched.preview(before, log.reviewed_at, scheduler_for(user), card_seed(card))
    return {rating: sched.interval_label(delta) for rating, delta in previews.items()}


def card_version(card: Card | None) -> str:
    """Changes whenever the card is answered, undone or restarted: a form carries the version it was
    shown with, and an answer from an older form (a second tab) is refused."""
    if card is None or card.reps == 0:
        return "0"
    stamp = int(card.last_review.timestamp() * 1000) if card.last_review else 0
    return f"{card.reps}.{stamp}"


def graded_data(question: Question) -> dict[str, Any]:
    """The question's fields with its bank's grading defaults (``grading:`` in the bank file:
    ``case_sensitive``, ``typos``) under them."""
    defaults = (question.bank.extra or {}).get("grading") if question.bank is not None else None
    if not isinstance(defaults, dict):
        return question.data
    known = {k: v for k, v in defaults.items() if k in ("case_sensitive", "typos") and isinstance(v, bool)}
    return {**known, **question.data}


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
                  kind: str = "study", seen_version: str | None = None) -> AnswerResult:
    """Grades and records one answer, once per ``client_id``; commits.

    ``seen_version`` is the card's version when the answer form was shown (``card_version``): if the
    card has been answered since (another tab), StaleCard is raised and nothing is recorded.
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
    card = _card_for_update(user, question, ordinal)
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
        raise StudyError(f"Only your latest answer can be {doing}; this one is older.")
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
    log = db.session.get(ReviewLog, log_id)
    if log is None or log.user_id != user.id:
        raise StudyError("That answer is not yours.")
    card = db.session.get(Card, log.card_id)
    question = card.question
    outcome = get_type(question.type).grade(graded_data(question), log.answer, card.ordinal)
    if not outcome.near_miss:
        raise StudyError("Only an answer a slip of letters away from the right one can be counted as right.")
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
