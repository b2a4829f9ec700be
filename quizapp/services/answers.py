"""Recording answers, and taking them back: grade, schedule, log; undo, re-rate, "it was a typo".

Every answer carries a client-made id; the same id twice is applied once (unique constraint on the
review log, checked before the write lock and, on the careful path, under it).
"""
from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from ..domain import scheduling as sched
from ..domain.questions import Outcome, QuestionType, ResponseError, get_type
from ..domain.rating import RECENT, suggest_rating, typical_seconds
from ..extensions import db
from ..models import Card, Question, ReviewLog, User
from . import bank_options, first_answers, statements
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
    fuzz_seed,
    graded_data,
    load_question,
    scheduler_for,
)
from .errors import NotFound
from .write_turns import write_turn
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
    previews = sched.preview(before, log.reviewed_at, bank_scheduler(user, card.question.bank_id), card_seed(card))
    return {rating: sched.interval_label(delta) for rating, delta in previews.items()}


def bank_scheduler(user: User, bank_id: int) -> sched.StudyScheduler:
    """The learner's scheduler with their options for the bank (learning steps, leech threshold)."""
    return scheduler_for(user, bank_options.get(user, bank_id))


def _leech_suspended(options: bank_options.Options, before: sched.CardState, after: sched.CardState) -> bool:
    """The answer made the card a leech and the bank's option says to suspend leeches."""
    return after.leech and not before.leech and options.leech_action == "suspend"


RECENT_WINDOW = 300  # the learner's latest answers searched for their typical time (any type)


def typical_answer_seconds(user: User, qtype: QuestionType, before_log_id: int | None = None) -> float:
    """The learner's typical time for a right answer of this type (domain.rating), from their last
    RECENT right answers of the type among their latest RECENT_WINDOW answers (before
    ``before_log_id`` when given: the feedback page of an older answer). The window keeps it to an
    index range of the (user_id, reviewed_at) index, however long the learner's history."""
    params = {"user_id": user.id, "type": qtype.name, "before": before_log_id}
    recent = [ms / 1000 for ms in statements.run(_typical_statement(before_log_id is not None), params).scalars()]
    return typical_seconds(recent, qtype.quick_seconds)


@functools.cache
def _typical_statement(before: bool):
    """Built once (with bound parameters) and reused: building it cost as much as running it."""
    latest = select(ReviewLog.id, ReviewLog.card_id, ReviewLog.duration_ms, ReviewLog.score).where(
        ReviewLog.user_id == bindparam("user_id"))
    if before:
        latest = latest.where(ReviewLog.id < bindparam("before"))
    latest = latest.order_by(ReviewLog.reviewed_at.desc()).limit(RECENT_WINDOW).subquery()
    return (select(latest.c.duration_ms).join(Card, Card.id == latest.c.card_id)
            .join(Question, Question.id == Card.question_id)
            .where(Question.type == bindparam("type"), latest.c.score >= 0.999, latest.c.duration_ms.is_not(None))
            .order_by(latest.c.id.desc()).limit(RECENT))


def suggestion(user: User, qtype: QuestionType, outcome: Outcome, duration_ms: int | None,
               before_log_id: int | None = None) -> int | None:
    if outcome.self_rated:
        return None
    seconds = duration_ms / 1000 if duration_ms is not None else None
    typical = typical_answer_seconds(user, qtype, before_log_id) if seconds is not None else qtype.quick_seconds
    return suggest_rating(outcome, seconds, typical, qtype.guessable)


_EXISTING = select(ReviewLog).where(ReviewLog.user_id == bindparam("user_id"),
                                    ReviewLog.client_id == bindparam("client_id"))
_EXISTING_ID = select(ReviewLog.id).where(ReviewLog.user_id == bindparam("user_id"),
                                          ReviewLog.client_id == bindparam("client_id"))


def _existing(user: User, client_id: str) -> ReviewLog | None:
    # Nearly always none: asked first as a plain read (a third of an object query's cost).
    params = {"user_id": user.id, "client_id": client_id}
    if statements.run(_EXISTING_ID, params).first() is None:
        return None
    return db.session.scalar(_EXISTING, params)


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
                  shown_at: datetime | None = None, question: Question | None = None) -> AnswerResult:
    """Grades and records one answer, once per ``client_id``; commits.

    ``seen_version`` is the card's version when the answer form was shown (``card_version``): if the
    card has been answered since (another tab), StaleCard is raised and nothing is recorded.
    ``shown_at`` is when the card's page was shown: a rating chosen on a page from the learner's
    previous study day is refused too (StaleCard), as its buttons promised intervals counted from
    that day, and the card is shown again with today's.
    ``question``: the question as ``cards.load_question`` just returned it for this learner and card
    (a caller that has loaded and checked it), so it is not loaded and checked twice.
    """
    if not client_id or len(client_id) > 64:
        raise StudyError("Every answer needs an answer id of at most 64 characters.")
    if rating is not None and rating not in sched.RATING_NAMES:
        raise StudyError("A rating is 1 (Again), 2 (Hard), 3 (Good) or 4 (Easy).")
    if question is None or question.id != question_id:
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
    options = bank_options.get(user, question.bank_id)
    scheduler = scheduler_for(user, options)
    # Everything is computed before the write lock: on SQLite every other learner's answer waits while
    # it is held. Under it, one guarded UPDATE checks that the card is still as it was read and writes
    # it; a card changed meanwhile (or a stale or resent form) takes the careful path below.
    card = db.session.scalar(_LEARNER_CARD, {"user_id": user.id, "question_id": question.id, "ordinal": ordinal})
    planned = None
    if seen_version is None or card_version(card) == seen_version:
        fresh = card is None or card.question_version != question.version  # a changed answer starts afresh
        before = sched.CardState() if fresh else card_state(card)
        after = sched.review(before, chosen, now, scheduler, seed=fuzz_seed(user.id, question.id, ordinal))
        planned = ReviewLog(user_id=user.id, client_id=client_id, kind=kind, rating=chosen, prior_state=before.state,
                            score=None if outcome.self_rated else outcome.score, answer=response,
                            duration_ms=duration_ms, reviewed_at=now, state_before=before.to_json(),
                            state_after=after.to_json(), question_version=question.version)
    siblings = options.bury_siblings and len(get_type(question.type).cards(question.data)) > 1
    with _writing():
        if planned is not None:
            card_id = _write_card(user, question, ordinal, card, after)
            if card_id is not None:
                planned.card_id = card_id
                if _leech_suspended(options, before, after):
                    db.session.execute(update(Card).where(Card.id == card_id).values(suspended=True)
                                       .execution_options(synchronize_session=False))
                return _commit_answer(user, question, ordinal, planned, outcome, suggested, now, client_id, siblings)
        if card is not None:
            db.session.expire(card)  # read before the lock: the careful path reads it again, under it
        return _record_locked(user, question, ordinal, response, client_id, now=now, duration_ms=duration_ms,
                              chosen=chosen, kind=kind, seen_version=seen_version, outcome=outcome,
                              suggested=suggested, scheduler=scheduler, options=options, siblings=siblings)


@contextlib.contextmanager
def _writing() -> Iterator[None]:
    """The write transaction of an answer, undo or re-rate: its turn among the writers (write_turns),
    then SQLite's write lock (begin_write); it ends (commit or rollback) before the turn passes on."""
    with write_turn():
        try:
            begin_write()
            yield
        except BaseException:
            db.session.rollback()
            raise


_LEARNER_CARD = select(Card).where(Card.user_id == bindparam("user_id"), Card.question_id == bindparam("question_id"),
                                   Card.ordinal == bindparam("ordinal"))
_SCHEDULING = ("state", "step", "stability", "difficulty", "due", "last_review", "reps", "lapses", "leech")
# The card's row is written only if it is still as it was read: every scheduling column unchanged
# (IS: the columns a new card leaves empty) and the same question version.
_WRITE_IF_UNCHANGED = (
    update(Card).where(Card.id == bindparam("card_id"), Card.question_version == bindparam("was_question_version"),
                       *(getattr(Card, name).is_not_distinct_from(bindparam("was_" + name)) for name in _SCHEDULING))
    .values({name: bindparam("new_" + name) for name in (*_SCHEDULING, "buried_until", "question_version")})
    .execution_options(synchronize_session=False))


def _write_card(user: User, question: Question, ordinal: int, card: Card | None, after: sched.CardState) -> int | None:
    """Under the write lock: writes ``after`` to the card if it is still as read (``card``; None: it had no
    row, one is made). Returns its id, or None when it changed meanwhile (nothing written)."""
    values = {name: getattr(after, name) for name in _SCHEDULING}
    values.update(buried_until=None, question_version=question.version)
    if card is None:
        made = Card(user_id=user.id, question_id=question.id, ordinal=ordinal, **values)
        try:
            with db.session.begin_nested():  # a savepoint: a card made meanwhile keeps the transaction
                db.session.add(made)
        except IntegrityError:
            return None
        return made.id
    was = {"was_" + name: getattr(card, name) for name in (*_SCHEDULING, "question_version")}
    result = statements.run(_WRITE_IF_UNCHANGED,
                            {"card_id": card.id, **was, **{"new_" + k: v for k, v in values.items()}})
    return card.id if result.rowcount == 1 else None


def _commit_answer(user: User, question: Question, ordinal: int, log: ReviewLog, outcome: Outcome,
                   suggested: int | None, now: datetime, client_id: str, siblings: bool) -> AnswerResult:
    # Siblings before the log: that statement could autoflush, and the log must first reach the database
    # at the commit below, where a duplicate answer id (PostgreSQL, a double click) is handled.
    if siblings:
        _bury_siblings(user, question, ordinal, now)
    if first_answers.counts(log):
        first_answers.add(question, log)
    try:
        # One INSERT (no unit-of-work flush for one row); the log object stays out of the session,
        # with every value it was written with and its new id.
        log.id = statements.run(_INSERT_LOG, _log_values(log)).scalar_one()
        db.session.commit()
    except IntegrityError:
        # The same answer id committed by another request in between: applied once.
        db.session.rollback()
        previous = _existing(user, client_id)
        if previous is None:
            raise
        return AnswerResult(previous, outcome, suggested, duplicate=True)
    return AnswerResult(log, outcome, suggested)


_LOG_COLUMNS = ("user_id", "card_id", "client_id", "kind", "rating", "prior_state", "score", "answer", "duration_ms",
                "reviewed_at", "state_before", "state_after", "question_version")
_INSERT_LOG = insert(ReviewLog).values({name: bindparam(name) for name in _LOG_COLUMNS}).returning(ReviewLog.id)


def _log_values(log: ReviewLog) -> dict[str, Any]:
    values = {name: getattr(log, name) for name in _LOG_COLUMNS}
    log.overridden = False  # the column's default, as the row has it
    return values


def _duplicate(previous: ReviewLog, outcome: Outcome, suggested: int | None) -> AnswerResult:
    """A resent answer found under the write lock: nothing written, the lock let go."""
    previous_id = previous.id
    db.session.rollback()
    set_committed_value(previous, "id", previous_id)
    return AnswerResult(previous, outcome, suggested, duplicate=True)


def _record_locked(user: User, question: Question, ordinal: int, response: Any, client_id: str, *, now: datetime,
                   duration_ms: int | None, chosen: int, kind: str, seen_version: str | None, outcome: Outcome,
                   suggested: int | None, scheduler: sched.StudyScheduler, options: bank_options.Options,
                   siblings: bool) -> AnswerResult:
    """The careful path, all under the write lock: a resent answer, a stale form, a card changed since read."""
    previous = _existing(user, client_id)  # again, now that no other writer can slip in
    if previous is not None:
        return _duplicate(previous, outcome, suggested)
    card = card_for_update(user, question, ordinal)
    if seen_version is not None and card_version(card) != seen_version:
        # PostgreSQL: the same answer sent twice at once waits above for the card's row lock, which the
        # first request held until it committed; by now its log is there: a duplicate, not a stale form.
        previous = _existing(user, client_id)
        if previous is not None:
            return _duplicate(previous, outcome, suggested)
        db.session.rollback()
        raise StaleCard("This card was already answered (in another tab or window), so this answer was not "
                        "recorded. Here is the next card.")
    before = card_state(card)
    after = sched.review(before, chosen, now, scheduler, seed=card_seed(card))
    apply_state(card, after)
    card.buried_until = None
    if _leech_suspended(options, before, after):
        card.suspended = True
    log = ReviewLog(user_id=user.id, card_id=card.id, client_id=client_id, kind=kind, rating=chosen,
                    prior_state=before.state, score=None if outcome.self_rated else outcome.score,
                    answer=response, duration_ms=duration_ms, reviewed_at=now, state_before=before.to_json(),
                    state_after=after.to_json(), question_version=question.version)
    return _commit_answer(user, question, ordinal, log, outcome, suggested, now, client_id, siblings)


def _bury_siblings(user: User, question: Question, ordinal: int, now: datetime) -> None:
    """Other cloze cards of the same question wait until the learner's next day, as Anki buries new and
    review siblings; a sibling in minute-long (re)learning steps is not buried (Anki neither), or its
    steps would stall until tomorrow. New siblings with no row yet are held back by _new_candidates."""
    _, day_end = day_bounds(user, now)
    db.session.execute(update(Card).where(
        Card.user_id == user.id, Card.question_id == question.id, Card.ordinal != ordinal,
        Card.state.in_([sched.NEW, sched.REVIEW])).values(buried_until=day_end)
        .execution_options(synchronize_session=False))


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
    """Sets ``card`` to ``state`` and re-applies the card's answers given after the answer ``after_log_id``
    (a quiz answer made since), so the card stays equal to the replay of its log. "After" is in time
    (``reviewed_at``, then id): an answer synced from a device offline may be older than answers logged
    before it (services/offline.py). An answer to an older version of the question (its right answer
    changed since, which restarted the card) is no part of the card's schedule: the card is left as is."""
    after = db.session.get(ReviewLog, after_log_id)
    if after.question_version < card.question_version:
        return
    is_later = or_(ReviewLog.reviewed_at > after.reviewed_at,
                   and_(ReviewLog.reviewed_at == after.reviewed_at, ReviewLog.id > after.id))
    later = db.session.scalars(select(ReviewLog).where(ReviewLog.card_id == card.id, is_later)
                               .order_by(ReviewLog.reviewed_at, ReviewLog.id)).all()
    replay_logs(user, card, state, card.question_version, later)


def replay_logs(user: User, card: Card, state: sched.CardState, version: int, logs: list[ReviewLog]) -> None:
    """Re-applies ``logs`` (the card's answers, in time order) from ``state``, a state of the question's
    ``version``, rewriting each log's states, and sets the card to the result. The change rule: an answer
    to a newer version starts the card afresh; an answer to an older version (kept in the log, such as one
    given offline before the change reached the device) moves nothing and is left as it was logged."""
    scheduler = bank_scheduler(user, card.question.bank_id)
    for log in logs:
        if log.question_version < version:
            continue
        if log.question_version > version:
            state, version = sched.CardState(), log.question_version
        log.state_before = state.to_json()
        log.prior_state = state.state
        state = sched.review(state, log.rating, log.reviewed_at, scheduler, seed=card_seed(card))
        log.state_after = state.to_json()
    apply_state(card, state)
    card.question_version = version


def rerate(user: User, log_id: int, rating: int, *, overridden: bool = False) -> ReviewLog:
    """Changes the rating of the learner's latest answer (the card is re-scheduled from before it)."""
    if rating not in sched.RATING_NAMES:
        raise StudyError("A rating is 1 (Again), 2 (Hard), 3 (Good) or 4 (Easy).")
    with _writing():
        log = _latest(user, log_id, "re-rated")
        card = db.session.scalar(select(Card).where(Card.id == log.card_id).with_for_update())
        before = sched.CardState.from_json(log.state_before)
        after = sched.review(before, rating, log.reviewed_at, bank_scheduler(user, card.question.bank_id),
                             seed=card_seed(card))
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
    with _writing():
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


_OWN_ANSWER = (select(ReviewLog, Card).join(Card, Card.id == ReviewLog.card_id)
               .where(ReviewLog.id == bindparam("log_id"), ReviewLog.user_id == bindparam("user_id"))
               .options(joinedload(Card.question).joinedload(Question.bank)))


def own_answer(user: User, log_id: int) -> tuple[ReviewLog, Card]:
    """As ``own_log``, with the card's question and its bank, in one query (the feedback page)."""
    row = db.session.execute(_OWN_ANSWER, {"log_id": log_id, "user_id": user.id}).first()
    if row is None:
        raise NotFound("That answer is not yours.")
    return row[0], row[1]


def review_count(user: User) -> int:
    return db.session.scalar(select(func.count(ReviewLog.id)).where(ReviewLog.user_id == user.id)) or 0
