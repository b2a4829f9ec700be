"""Each of the learner's banks at a glance (the home page): cards due today, cards studied, cards
mastered (as the progress page counts them), cards in all.

Two grouped queries (one row per bank), the banks' card totals, and the learner's studied cards'
memory states for mastery (the progress page's own reading, so both pages agree).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select

from ..domain import progress as prog
from ..domain import scheduling as sched
from ..extensions import db
from ..models import Card, Question, User
from .cards import day_bounds
from .catalog import BankSummary, banks_for
from .progress import card_totals, learner_cards


@dataclass(frozen=True)
class BankGlance:
    bank: BankSummary
    cards: int
    studied: int
    due: int  # review and learning cards due by the end of today, not suspended or buried
    mastered: int = 0  # predicted recall a week from now at or above the desired retention

    @property
    def share(self) -> float:
        return self.studied / self.cards if self.cards else 0.0


def glance(user: User, now: datetime) -> list[BankGlance]:
    """The learner's banks in the catalogue's order (assigned first, soonest due first)."""
    banks = banks_for(user)
    if not banks:
        return []
    ids = [b.id for b in banks]
    totals, _ = card_totals(ids)
    _, day_end = day_bounds(user, now)
    mine = (select(Question.bank_id, func.count(Card.id)).join(Question, Question.id == Card.question_id)
            .where(Card.user_id == user.id, Question.bank_id.in_(ids), Question.retired.is_(False),
                   Card.state != sched.NEW).group_by(Question.bank_id))
    studied = dict(db.session.execute(mine).all())
    due = dict(db.session.execute(mine.where(
        Card.suspended.is_(False), Card.due < day_end,
        or_(Card.buried_until.is_(None), Card.buried_until <= now))).all())
    scheduler = sched.make_scheduler(user.desired_retention, user.fsrs_parameters, user.timezone,
                                     user.day_start_hour)
    cards = learner_cards(user, ids)
    bank_of = {c.card_id: c.bank_id for c in cards}
    mastered: dict[int, int] = {}
    for card_id in prog.mastered_cards(cards, now, scheduler, user.desired_retention):
        mastered[bank_of[card_id]] = mastered.get(bank_of[card_id], 0) + 1
    return [BankGlance(b, totals.get(b.id, 0), studied.get(b.id, 0), due.get(b.id, 0), mastered.get(b.id, 0))
            for b in banks]
