"""Which card comes next, and the day's counts: new cards within the daily limits, learning and
review cards due, siblings held back."""
from __future__ import annotations

import functools
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import BigInteger, and_, bindparam, case, cast, func, or_, select
from sqlalchemy.orm import joinedload

from ..domain import scheduling as sched
from ..domain.questions import REGISTRY, QuestionType, get_type
from ..extensions import db
from ..models import Assignment, Bank, BankOptions, Card, Classroom, Membership, Question, ReviewLog, User
from . import bank_options
from .cards import (
    Pick,
    card_state,
    day_bounds,
    fuzz_seed,
    scheduler_for,
)
from .catalog import accessible_bank_ids, visible
from .statements import run

LEARN_AHEAD = timedelta(minutes=20)  # Anki's default: learning cards this close count as due


@dataclass(frozen=True)
class Counts:
    new: int
    learning: int
    due: int

    @property
    def total(self) -> int:
        return self.new + self.learning + self.due


def _live(user: User, bank_ids: list[int], now: datetime) -> list:
    """Conditions on Card (joined to its Question) for the learner's cards that can be shown."""
    return [Card.user_id == user.id, Question.bank_id.in_(bank_ids), Question.retired.is_(False),
            Card.suspended.is_(False), or_(Card.buried_until.is_(None), Card.buried_until <= now)]


def _live_cards(user: User, bank_ids: list[int], now: datetime):
    return select(Card).join(Question, Question.id == Card.question_id).where(*_live(user, bank_ids, now))


def _is_started(day_start: datetime):
    """A card that is no longer new for today's queue: studied, suspended, or buried past today's start."""
    return or_(Card.state != sched.NEW, Card.suspended.is_(True), Card.buried_until > day_start)


@dataclass(frozen=True)
class _State:
    """The learner's queue in one query: what the day's counts and the choice of the next card read."""

    new_done: int  # new cards introduced today
    reviews_done: int  # reviews answered today
    learning: int  # learning cards due today
    due: int  # review cards due today
    first_learning_id: int | None  # the learning card due first (any time)
    first_learning_due: datetime | None
    single_new: int  # new cards of one-card questions, counted up to the learner's new_per_day
    last_log_id: int | None  # the learner's latest study answer (the undo button)


# The page's statements are built once, with bound parameters, and reused: building a statement of
# this size (and its cache key) took as long as running it.
_USER, _BANKS, _NOW = bindparam("user_id"), bindparam("bank_ids", expanding=True), bindparam("now")
_DAY_START, _DAY_END = bindparam("day_start"), bindparam("day_end")
_LIVE = (Card.user_id == _USER, Question.bank_id.in_(_BANKS), Question.retired.is_(False), Card.suspended.is_(False),
         or_(Card.buried_until.is_(None), Card.buried_until <= _NOW))


def _assigned_first():
    """Assigned work first (#17): the banks assigned to the learner's live classes, each with its
    nearest due date, to be outer-joined on a bank id; the sort keys put those banks first, the
    nearest due date first (an assignment without a date after those with one), then the others."""
    assigned = (select(Assignment.bank_id.label("bank_id"), func.min(Assignment.due_at).label("due_at"))
                .join(Membership, Membership.class_id == Assignment.class_id)
                .join(Classroom, Classroom.id == Assignment.class_id)
                .where(Membership.user_id == _USER, Classroom.archived_at.is_(None))
                .group_by(Assignment.bank_id).subquery("assigned"))
    rank = case((assigned.c.bank_id.is_(None), 2), (assigned.c.due_at.is_(None), 1), else_=0)
    return assigned, [rank, assigned.c.due_at]


def _first_card_started():
    """Whether the learner's card 0 of the (enclosing query's) question is started today."""
    return select(Card.id).where(Card.user_id == _USER, Card.question_id == Question.id, Card.ordinal == 0,
                                 _is_started(_DAY_START)).exists()


@functools.cache
def _state_statement():
    learning_state = Card.state.in_([sched.LEARNING, sched.RELEARNING])

    def counted(prior_state: int):
        return func.coalesce(func.sum(case((ReviewLog.prior_state == prior_state, 1), else_=0)), 0)

    # The day's answers, read once for both counts (a derived table of one row).
    done = (select(counted(sched.NEW).label("new_done"), counted(sched.REVIEW).label("reviews_done"))
            .where(ReviewLog.user_id == _USER, ReviewLog.reviewed_at >= _DAY_START, ReviewLog.kind == "study")
            .subquery())

    def due_today(where):
        return (select(func.count()).select_from(Card).join(Question, Question.id == Card.question_id)
                .where(*_LIVE, Card.due < _DAY_END, where).scalar_subquery())

    def first_learning(column):
        return (select(column).join(Question, Question.id == Card.question_id)
                .where(*_LIVE, learning_state, Card.due.is_not(None))
                .order_by(Card.due, Card.id).limit(1).scalar_subquery())

    singles = (select(Question.id).where(Question.bank_id.in_(_BANKS), Question.retired.is_(False),
                                         Question.type.not_in(sorted(_multi_card_types())), ~_first_card_started())
               .limit(bindparam("cap")).subquery())
    last = (select(ReviewLog.id).where(ReviewLog.user_id == _USER, ReviewLog.kind == "study")
            .order_by(ReviewLog.id.desc()).limit(1).scalar_subquery())
    return select(done.c.new_done, done.c.reviews_done,
                  due_today(learning_state), due_today(Card.state == sched.REVIEW),
                  first_learning(Card.id), first_learning(Card.due),
                  select(func.count()).select_from(singles).scalar_subquery(), last).select_from(done)


def _state(user: User, bank_ids: list[int], now: datetime, day_start: datetime, day_end: datetime) -> _State:
    """One statement of scalar subqueries, each served by an index: the day's answers by
    (user_id, reviewed_at), the learner's cards by (user_id, due), the latest answer by
    (user_id, kind, id); new one-card questions are counted only up to the daily limit."""
    row = run(_state_statement(), {
        "user_id": user.id, "bank_ids": bank_ids, "now": now, "day_start": day_start, "day_end": day_end,
        "cap": max(0, new_per_day(user, now))}).one()
    return _State(*(value or 0 for value in row[:4]), row[4], row[5], row[6] or 0, row[7])


def _new_candidates(user: User, bank_ids: list[int], day_start: datetime, limit: int,
                    banks: list[StudyBank] | None = None) -> list[tuple[int, int]]:
    """New cards (question id, ordinal): bank by bank in the turn of study_banks (``banks``: as it gave
    them), each bank in its order; siblings of cards answered today skipped."""
    if limit <= 0 or not bank_ids:
        return []
    # A learner with 1,000 cards must not load 1,000 questions (JSON and all) on every page: the
    # started cards of one-card questions are left out in SQL, the questions of types that make
    # several cards (cloze) are checked card by card from their ordinals (cached, see
    # _multi_card_ordinals), and no question is loaded here (the page loads the one it shows).
    chosen_ids = set(bank_ids)
    turn = [bank for bank in (banks if banks is not None else study_banks(user)) if bank.id in chosen_ids]
    if not turn:
        return []
    # The first bank usually holds enough: its questions alone are read and sorted (a fraction of
    # sorting every bank's). Every row of a one-card question is a new card, so ``limit`` rows and a
    # few for the cloze questions among them are enough.
    first, rows = turn[0], 2 * limit + 10
    found = run(_bank_candidates_statement(first.new_order == "random"),
                {"user_id": user.id, "bank_id": first.id, "day_start": day_start, "rows": rows}).all()
    chosen = _choose_new(user, [(*row, first.bury_siblings) for row in found], day_start, limit)
    if len(chosen) >= limit or (len(turn) == 1 and len(found) < rows):
        return chosen
    # Not enough there: every chosen bank in one statement, in turn (not a statement per bank).
    return _candidates_of_banks(user, [bank.id for bank in turn], day_start, limit)


def _candidates_of_banks(user: User, bank_ids: list[int], day_start: datetime, limit: int) -> list[tuple[int, int]]:
    """_new_candidates in one statement for all of ``bank_ids`` (it orders them itself). Also what the
    counts use: which new cards there are does not depend on the order, only which are cut at the limit."""
    params = {"user_id": user.id, "bank_ids": bank_ids, "day_start": day_start}
    rows = 2 * limit + 10
    found = run(_candidates_statement(), {**params, "rows": rows}).all()
    chosen = _choose_new(user, found, day_start, limit)
    if len(chosen) < limit and len(found) == rows:  # only now is the rest read
        chosen = _choose_new(user, run(_candidates_statement(), {**params, "rows": 2**31 - 1}).all(), day_start,
                             limit)
    return chosen


def _choose_new(user: User, candidates: list, day_start: datetime, limit: int) -> list[tuple[int, int]]:
    """Of the candidate rows (question id, type, content hash, the bank's "bury siblings"), the new
    cards, up to ``limit``."""
    multi = _multi_card_types()
    multi_rows = [(qid, digest) for qid, qtype, digest, _ in candidates if qtype in multi]
    started: set[tuple[int, int]] = set()
    touched_today: set[int] = set()
    ordinals_of: dict[int, list[int]] = {}
    if multi_rows:  # cloze questions: which of their cards the learner has started, and today's
        params = {"user_id": user.id, "question_ids": [qid for qid, _ in multi_rows], "day_start": day_start}
        for qid, ordinal, is_started, today in run(_CARDS_OF, params):
            if is_started:
                started.add((qid, ordinal))
            if today:
                touched_today.add(qid)
        ordinals_of = _multi_card_ordinals(multi_rows)
    chosen: list[tuple[int, int]] = []
    for qid, qtype, _, bury in candidates:
        ordinals = ordinals_of.get(qid, []) if qtype in multi else [0]  # [] if it went meanwhile
        bury = bury is None or bool(bury)  # the bank's option (bury siblings: on unless turned off)
        if bury and qid in touched_today and len(ordinals) > 1:
            continue
        for ordinal in ordinals:
            if (qid, ordinal) not in started:
                chosen.append((qid, ordinal))
                if bury or len(chosen) >= limit:
                    break  # one card of a question per day: siblings wait for another day
        if len(chosen) >= limit:
            break
    return chosen


class StudyBank(NamedTuple):
    id: int
    new_order: str  # the learner's option for the bank: "bank" or "random"
    bury_siblings: bool


def study_banks(user: User) -> list[StudyBank]:
    """Every bank the learner may study (as catalog.accessible_bank_ids), in the turn new cards come
    from them, each with its options' new-card order and "bury siblings" (on unless turned off):
    assigned banks first, the nearest due date first (an assignment without a date after those with
    one), then the others, each group by bank id. One statement: the study page takes the learner's
    banks from it too."""
    return [StudyBank(bank_id, new_order or "bank", bury is None or bool(bury))
            for bank_id, new_order, bury in run(_study_banks_statement(), {"user_id": user.id})]


@functools.cache
def _study_banks_statement():
    assigned, first = _assigned_first()
    return (select(Bank.id, BankOptions.new_order, BankOptions.bury_siblings)
            .outerjoin(assigned, assigned.c.bank_id == Bank.id)
            .outerjoin(BankOptions, and_(BankOptions.user_id == _USER, BankOptions.bank_id == Bank.id))
            .where(visible(_USER)).order_by(*first, Bank.id))


def _may_hold_new():
    """Questions that may hold a new card: the learner's card 0 not started (one-card types), or any
    (types that make several cards, checked card by card)."""
    return or_(Question.type.in_(sorted(_multi_card_types())), ~_first_card_started())


# A multiplicative hash with a multiplier of the learner's own: the same order on every page, another
# learner's another order (the bank option "random"; 64-bit arithmetic: no overflow).
_SHUFFLED = (Question.id * (cast(_USER, BigInteger) * 7919 + 2654435761)) % 1000003


@functools.cache
def _bank_candidates_statement(shuffled: bool):
    """One bank's questions that may hold a new card, in the bank's order or the learner's shuffle of it."""
    return (select(Question.id, Question.type, Question.content_hash)
            .where(Question.bank_id == bindparam("bank_id"), Question.retired.is_(False), _may_hold_new())
            .order_by(_SHUFFLED if shuffled else Question.position, Question.id).limit(bindparam("rows")))


@functools.cache
def _candidates_statement():
    """The same for several banks, in study_banks' turn (assigned work first), each bank in its order;
    with the bank's "bury siblings" option (None: the default, on)."""
    assigned, first = _assigned_first()
    order = case((BankOptions.new_order == "random", _SHUFFLED), else_=Question.position)
    return (select(Question.id, Question.type, Question.content_hash, BankOptions.bury_siblings)
            .outerjoin(assigned, assigned.c.bank_id == Question.bank_id)
            .outerjoin(BankOptions, and_(BankOptions.user_id == _USER, BankOptions.bank_id == Question.bank_id))
            .where(Question.bank_id.in_(_BANKS), Question.retired.is_(False), _may_hold_new())
            .order_by(*first, Question.bank_id, order, Question.id).limit(bindparam("rows")))


_QUESTIONS = bindparam("question_ids", expanding=True)
# The learner's cards of these (cloze) questions, in one statement: each with whether it is started and
# whether it was answered today.
_CARDS_OF = select(Card.question_id, Card.ordinal, _is_started(_DAY_START).label("started"),
                   select(ReviewLog.id).where(ReviewLog.card_id == Card.id, ReviewLog.user_id == _USER,
                                              ReviewLog.reviewed_at >= _DAY_START).exists().label("today")).where(
    Card.user_id == _USER, Card.question_id.in_(_QUESTIONS))


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
        for qid, qtype, digest, data in run(query.where(Question.id.in_(missing))):
            out[qid] = _ORDINALS[(qid, digest)] = get_type(qtype).cards(data)
    return out


@dataclass(frozen=True)
class Queue:
    """What a study page shows of the learner's queue: the day's counts, the next card (None when
    the day's work is done) and the id of the learner's latest study answer (for its undo button)."""

    counts: Counts
    pick: Pick | None
    last_log_id: int | None


def new_per_day(user: User, now: datetime) -> int:
    """Today's new-card limit: the learner's, raised by "more new cards today" until that day ends."""
    if user.extra_new and user.extra_new_until is not None and now < user.extra_new_until:
        return user.new_per_day + user.extra_new
    return user.new_per_day


def _review_room(user: User, new_done: int, reviews_done: int, now: datetime) -> int:
    """Answers the review limit still allows today. As in Anki (v3, "new cards ignore review limit"
    off, its default) the limit bounds new cards too: new cards introduced count against it, and new
    cards are shown only in the room the day's due reviews leave (200 a day with 190 due: 10 new).
    New cards added for today ("more new cards today") widen it by as many."""
    return max(0, user.reviews_per_day + new_per_day(user, now) - user.new_per_day - reviews_done - new_done)


def queue(user: User, bank_ids: list[int], now: datetime, *, with_pick: bool = True,
          banks: list[StudyBank] | None = None) -> Queue:
    """The day's counts and (``with_pick``) the next card, from one query of the queue's state and
    the few that the chosen card needs; nothing is computed twice for one page.

    The next card: learning cards due now, then reviews (lowest recall probability first), then new
    cards, then learning cards due within the learn-ahead window (``banks``: study_banks as the caller
    has just read it, not read again). Counts: learning cards due today;
    reviews due today within the review limit; new cards within the new-card limit and the room the
    due reviews leave."""
    day_start, day_end = day_bounds(user, now)
    state = _state(user, bank_ids, now, day_start, day_end)
    room = _review_room(user, state.new_done, state.reviews_done, now)
    due = min(state.due, room)
    new_limit = min(new_per_day(user, now) - state.new_done, room - due)
    pick: Pick | None = None
    fresh: list[tuple[int, int]] | None = None
    if with_pick and bank_ids:
        if state.first_learning_due is not None and state.first_learning_due <= now:
            pick = _pick_of_card(state.first_learning_id)
        elif room > 0 and state.due > 0:
            # After a break the backlog is large: answer the cards most at risk first.
            pick = _most_at_risk(user, bank_ids, now, day_end)
        if pick is None:
            # Reached with no review due (or no room): the same limit as the count's.
            fresh = _new_candidates(user, bank_ids, day_start, min(new_per_day(user, now) - state.new_done, room),
                                    banks)
            if fresh:
                pick = _pick_of_new(user, *fresh[0])
        if pick is None and state.first_learning_due is not None and state.first_learning_due <= now + LEARN_AHEAD:
            pick = _pick_of_card(state.first_learning_id)
    if new_limit <= 0:
        new = 0
    elif state.single_new >= new_limit:  # enough one-card questions: no need to look at cloze cards
        new = new_limit
    elif fresh is not None and room - due == room:  # the list above, taken with this same limit
        new = len(fresh)
    else:
        new = len(_candidates_of_banks(user, bank_ids, day_start, new_limit))
    return Queue(Counts(new=new, learning=state.learning, due=due), pick, state.last_log_id)


def counts(user: User, bank_ids: list[int], now: datetime) -> Counts:
    return queue(user, bank_ids, now, with_pick=False).counts


def next_card(user: User, bank_ids: list[int], now: datetime) -> Pick | None:
    """The next card (see ``queue``); None when the day's work is done."""
    return queue(user, bank_ids, now).pick


_CARD_WITH_QUESTION = (select(Card).where(Card.id == bindparam("card_id"))
                       .options(joinedload(Card.question).joinedload(Question.bank)))
_NEW_CARD = (select(Question, Card)
             .outerjoin(Card, and_(Card.question_id == Question.id, Card.user_id == _USER,
                                   Card.ordinal == bindparam("ordinal")))
             .where(Question.id == bindparam("question_id")).options(joinedload(Question.bank)))


def _pick_of_card(card_id: int) -> Pick:
    """The card with its question and the question's bank, in one query."""
    card = db.session.scalar(_CARD_WITH_QUESTION, {"card_id": card_id})
    return Pick(card.question, card.ordinal, card)


def _pick_of_new(user: User, question_id: int, ordinal: int) -> Pick:
    """A new card: its question and bank, and its row if it has one (a card reset or unsuspended)."""
    question, card = db.session.execute(_NEW_CARD, {"user_id": user.id, "question_id": question_id,
                                                    "ordinal": ordinal}).one()
    return Pick(question, ordinal, card)


_ASSIGNED, _ASSIGNED_FIRST = _assigned_first()
_AT_RISK = (select(Card.id, Card.state, Card.step, Card.stability, Card.difficulty, Card.due, Card.last_review,
                   Card.reps, Card.lapses, Card.leech,
                   *(key.label(f"rank{n}") for n, key in enumerate(_ASSIGNED_FIRST)))
            .join(Question, Question.id == Card.question_id)
            .outerjoin(_ASSIGNED, _ASSIGNED.c.bank_id == Question.bank_id)
            .where(*_LIVE, Card.state == sched.REVIEW, Card.due < _DAY_END)
            .order_by(*_ASSIGNED_FIRST, Card.due).limit(100))


def _most_at_risk(user: User, bank_ids: list[int], now: datetime, day_end: datetime) -> Pick | None:
    """Of the (first 100) reviews due today, the one with the lowest recall probability: read as
    plain rows, and only that card loaded. The reviews of assigned banks come first (the nearest
    due date first): the lowest recall is taken among the first of those groups."""
    due = run(_AT_RISK, {"user_id": user.id, "bank_ids": bank_ids, "now": now, "day_end": day_end}).all()
    if not due:
        return None
    due = [r for r in due if (r.rank0, r.rank1) == (due[0].rank0, due[0].rank1)]
    scheduler = scheduler_for(user)
    chosen = min(due, key=lambda c: (sched.retrievability(card_state(c), now, scheduler), c.id))
    return _pick_of_card(chosen.id)


def next_learning_due(user: User, bank_ids: list[int], now: datetime) -> datetime | None:
    """When the next learning card really comes back (for the 'come back at' message): suspended,
    buried and retired cards are not shown, so they do not count."""
    return db.session.scalar(select(func.min(Card.due)).join(Question, Question.id == Card.question_id).where(
        *_live(user, bank_ids, now), Card.state.in_([sched.LEARNING, sched.RELEARNING])))


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
    scheduler = scheduler_for(user, bank_options.get(user, pick.question.bank_id))  # the bank's learning steps
    previews = sched.preview(pick.state, now, scheduler, fuzz_seed(user.id, pick.question.id, pick.ordinal))
    return {rating: sched.interval_label(delta) for rating, delta in previews.items()}
