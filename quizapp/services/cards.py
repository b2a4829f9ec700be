"""A learner's cards: their scheduling state, the study errors, and suspend, bury and leeches.

Card rows are made when a card is first answered (or suspended): a learner who has never
opened a bank costs nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager

from ..domain import scheduling as sched
from ..domain.questions import get_type
from ..extensions import db
from ..models import Bank, Card, Question, User
from .catalog import visible
from .errors import Conflict, NotFound, ServiceError
from .writes import begin_write


class StudyError(ServiceError):
    """A request the study rules refuse (unknown card, no rating for a flashcard...)."""


class AskAgain(StudyError):
    """An answer to ask again for, nothing recorded: empty, unreadable, an unknown choice."""


class UnknownCard(StudyError, NotFound):
    """No such card among the learner's banks (404)."""


class NotLatest(StudyError, Conflict):
    """An action on an answer that is no longer the one it may act on (409)."""


class StaleCard(StudyError):
    """The card changed since the form was shown (answered in another tab): nothing recorded."""


@dataclass(frozen=True)
class Pick:
    """The card to show: a question and which of its cards (cloze deletion)."""

    question: Question
    ordinal: int
    card: Card | None  # None for a card never studied

    @property
    def state(self) -> sched.CardState:
        return card_state(self.card) if self.card else sched.CardState()


def card_state(card: Card) -> sched.CardState:
    return sched.CardState(state=card.state, step=card.step, stability=card.stability,
                           difficulty=card.difficulty, due=card.due, last_review=card.last_review,
                           reps=card.reps, lapses=card.lapses, leech=card.leech)


def apply_state(card: Card, state: sched.CardState) -> None:
    card.state, card.step, card.stability, card.difficulty = state.state, state.step, state.stability, state.difficulty
    card.due, card.last_review, card.reps, card.lapses = state.due, state.last_review, state.reps, state.lapses
    card.leech = state.leech


def scheduler_for(user: User, options=None) -> sched.StudyScheduler:
    """The learner's scheduler: their retention and parameters, elapsed time in their study days; with
    a bank's ``options`` (services.bank_options.Options), its learning and relearning steps and leech
    threshold."""
    if options is None:
        return sched.make_scheduler(user.desired_retention, user.fsrs_parameters, user.timezone,
                                    user.day_start_hour)
    return sched.make_scheduler(user.desired_retention, user.fsrs_parameters, user.timezone, user.day_start_hour,
                                learning_steps=tuple(timedelta(minutes=m) for m in options.learning_steps),
                                relearning_steps=tuple(timedelta(minutes=m) for m in options.relearning_steps),
                                leech_lapses=options.leech_threshold)


def fuzz_seed(user_id: int, question_id: int, ordinal: int) -> str:
    """The card's fuzz seed: known before the card's row exists, so a never-studied card's buttons
    and its first answer draw the same fuzz."""
    return f"{user_id}:{question_id}:{ordinal}"


def card_seed(card: Card) -> str:
    return fuzz_seed(card.user_id, card.question_id, card.ordinal)


def day_bounds(user: User, now: datetime) -> tuple[datetime, datetime]:
    return sched.study_day(now, user.timezone, user.day_start_hour)


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


def card_for_update(user: User, question: Question, ordinal: int) -> Card:
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


# The question with its bank, if the learner may study the bank: one statement, built once (the
# access check was a second query on every answer).
_QUESTION_WITH_BANK = (select(Question).join(Bank, Bank.id == Question.bank_id)
                       .where(Question.id == bindparam("question_id"), visible(bindparam("user_id")))
                       .options(contains_eager(Question.bank)))


def load_question(user: User, question_id: int, ordinal: int) -> Question:
    # With its bank: grading reads the bank's defaults (graded_data), and the page shows its title.
    question = db.session.scalar(_QUESTION_WITH_BANK, {"question_id": question_id, "user_id": user.id})
    if question is None or question.retired:
        raise UnknownCard("That question is not in any of your banks.")
    if ordinal not in get_type(question.type).cards(question.data):
        raise UnknownCard("That card does not exist.")
    return question


def _change_card(user: User, question_id: int, ordinal: int, **values: Any) -> Card:
    """Sets ``values`` on the learner's card (made if it was never studied), under the write lock."""
    question = load_question(user, question_id, ordinal)
    begin_write()
    card = card_for_update(user, question, ordinal)
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


def pick_for(user: User, question: Question, ordinal: int) -> Pick:
    """The learner's card of ``question`` (its row, or None if never studied) as a Pick."""
    card = db.session.scalar(select(Card).where(Card.user_id == user.id, Card.question_id == question.id,
                                                Card.ordinal == ordinal))
    return Pick(question, ordinal, card)
