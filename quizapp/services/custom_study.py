"""Custom study (Anki's): a session of chosen cards outside the daily queue, on the "study just these"
mechanism (study/focus.py keeps the chosen questions in the session cookie).

Choosing cards writes nothing: a card's schedule changes only when it is answered, as in the daily
queue (Anki's filtered decks with "reschedule cards based on my answers" on, their default).

- study ahead: review and learning cards due within N study days after today;
- forgotten: cards answered Again within the last N study days (1: today's mistakes);
- more new cards today (Anki's "Increase today's new card limit"): not a session but today's
  new-card limit of the daily queue raised by N, until the study day ends (the one thing custom
  study writes: the learner's raise for today);
- by tag: the cards of questions with any of the chosen tags, due ones first, then new ones.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..domain import scheduling as sched
from ..domain.questions import get_type
from ..extensions import db
from ..models import Card, Question, User
from . import browse, study_queue
from .cards import Pick, card_state, day_bounds, scheduler_for
from .catalog import accessible_bank_ids
from .errors import ServiceError
from .progress import FOCUS_LIMIT, card_totals
from .unit import transactional
from .writes import begin_write

MODES = {
    "ahead": "Study ahead",
    "forgotten": "Review forgotten cards",
    "new": "More new cards today",
    "tag": "Study by tag",
}
MAX_DAYS = 365
MAX_EXTRA_NEW = FOCUS_LIMIT
MAX_EXTRA_NEW_TODAY = 999  # raises asked for the same day add up, to at most this


class CustomStudyError(ServiceError):
    """A custom session that cannot start; the message says why (400)."""


@dataclass(frozen=True)
class Session:
    """What a custom session holds: its cards (question, ordinal; at most FOCUS_LIMIT), how many
    cards matched in all, and a line naming it for the study page."""

    cards: list[tuple[int, int]]
    matched: int
    label: str

    @property
    def capped(self) -> bool:
        return self.matched > len(self.cards)


def _cards(user: User, filt: browse.Filter, bank_ids: Sequence[int] | None, now: datetime,
           limit: int = FOCUS_LIMIT, **options) -> tuple[list[tuple[int, int]], int]:
    return browse.focus_cards(user, filt, now, limit, within=bank_ids or None, **options)


def _days(days: int) -> int:
    if not 1 <= days <= MAX_DAYS:
        raise CustomStudyError(f"Choose a number of days from 1 to {MAX_DAYS}.")
    return days


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def ahead(user: User, days: int, now: datetime, bank_ids: Sequence[int] | None = None) -> Session:
    """Cards in review or learning due before the end of the study day ``days`` after today, soonest first."""
    cards, total = _cards(user, browse.Filter(due_days=_days(days), sort="due"), bank_ids, now)
    return Session(cards, total, f"Studying ahead: cards due in the next {_plural(days, 'day')}")


def forgotten(user: User, days: int, now: datetime, bank_ids: Sequence[int] | None = None) -> Session:
    """Cards answered Again since the start of the study day ``days - 1`` days ago, the most lapsed first."""
    cards, total = _cards(user, browse.Filter(forgotten_days=_days(days), sort="lapses"), bank_ids, now)
    when = "today" if days == 1 else f"in the last {_plural(days, 'day')}"
    return Session(cards, total, f"Reviewing the cards you forgot {when}")


@transactional
def more_new(user: User, extra: int, now: datetime) -> int:
    """Raises today's new-card limit by ``extra``: the daily queue shows that many more new cards
    today, in its usual order (assigned work first, then bank order), and its counts say so; the
    review limit makes as much room. Asked again the same day, the raises add up. When the study day
    ends the usual limit is back. Returns today's raise in all."""
    if not 1 <= extra <= MAX_EXTRA_NEW:
        raise CustomStudyError(f"Choose from 1 to {MAX_EXTRA_NEW} more new cards.")
    begin_write()
    db.session.refresh(user)  # another tab may have raised it meanwhile
    _, day_end = day_bounds(user, now)
    already = user.extra_new if user.extra_new_until is not None and now < user.extra_new_until else 0
    user.extra_new = min(MAX_EXTRA_NEW_TODAY, already + extra)
    user.extra_new_until = day_end
    return user.extra_new


def by_tag(user: User, tags: Sequence[str], now: datetime, bank_ids: Sequence[int] | None = None) -> Session:
    """Cards of questions with any of ``tags``: those due soonest first, then new ones in bank order."""
    tags = tuple(dict.fromkeys(t for t in tags if t))
    if not tags:
        raise CustomStudyError("Choose at least one tag.")
    cards, total = _cards(user, browse.Filter(any_tags=tags, sort="due"), bank_ids, now)
    return Session(cards, total, f"Studying the tag{'' if len(tags) == 1 else 's'} {', '.join(tags)}")


def tag_counts(user: User, bank_ids: Sequence[int] | None = None) -> dict[str, int]:
    """Each tag of the learner's (chosen) banks with the number of cards its questions make, by name."""
    allowed = accessible_bank_ids(user)
    _, per_tag = card_totals(sorted(allowed if not bank_ids else set(bank_ids) & allowed))
    return dict(sorted(per_tag.items(), key=lambda item: item[0].lower()))


def next_chosen_card(user: User, keys: Sequence[tuple[int, int]], since: datetime, now: datetime) -> Pick | None:
    """The next card of a session of chosen cards (custom study, the card browser), outside the daily
    limits, as the queue orders a day: learning cards due now; then each chosen card not answered
    since ``since`` (lowest recall first); then new cards in the order chosen (a question that makes
    several cards gives one a day, none if another of its cards was answered today); then learning
    cards within the learn-ahead window. None once all are done. Suspended and buried cards, and
    cards of banks the learner can no longer study, are left out."""
    if not keys:
        return None
    questions = {q.id: q for q in db.session.scalars(
        select(Question).where(Question.id.in_({q for q, _ in keys}), Question.bank_id.in_(accessible_bank_ids(user)),
                               Question.retired.is_(False)).options(joinedload(Question.bank)))}
    rows = {(c.question_id, c.ordinal): c for c in db.session.scalars(
        select(Card).where(Card.user_id == user.id, Card.question_id.in_(questions)))}
    chosen = [k for k in dict.fromkeys(keys)
              if k[0] in questions and k[1] in get_type(questions[k[0]].type).cards(questions[k[0]].data)]
    live = {k: rows.get(k) for k in chosen
            if rows.get(k) is None or not (rows[k].suspended or (rows[k].buried_until and rows[k].buried_until > now))}

    def pick(key: tuple[int, int]) -> Pick:
        return Pick(questions[key[0]], key[1], live[key])

    learning = sorted((c.due, c.id, k) for k, c in live.items()
                      if c is not None and c.state in (sched.LEARNING, sched.RELEARNING) and c.due is not None)
    if learning and learning[0][0] <= now:
        return pick(learning[0][2])
    pending = [(k, c) for k, c in live.items()
               if c is not None and c.state != sched.NEW and (c.last_review is None or c.last_review < since)]
    if pending:
        scheduler = scheduler_for(user)
        return pick(min(pending, key=lambda kc: (sched.retrievability(card_state(kc[1]), now, scheduler),
                                                 kc[1].id))[0])
    day_start, _ = day_bounds(user, now)
    answered_today = {q for (q, _), c in rows.items() if c.last_review is not None and c.last_review >= day_start}
    for key, card in live.items():
        if card is not None and card.state != sched.NEW:
            continue
        several = len(get_type(questions[key[0]].type).cards(questions[key[0]].data)) > 1
        if not (several and key[0] in answered_today):
            return pick(key)
    if learning and learning[0][0] <= now + study_queue.LEARN_AHEAD:
        return pick(learning[0][2])
    return None
