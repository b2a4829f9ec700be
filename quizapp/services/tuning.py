"""A learner's scheduler settings, and fitting their own FSRS parameters from their review history
("Optimise my scheduler").

The domain optimiser decides (it adopts fitted parameters only if they predict held-out reviews
better than the learner's current ones); this module chooses the history it learns from, stores the
parameters it adopts and brings every card's memory state in line with them.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from ..domain import scheduling as sched
from ..domain.optimiser import OptimiseResult, optimise
from ..extensions import db
from ..models import Card, Question, ReviewLog, User
from . import bank_options
from .cards import apply_state, card_seed, scheduler_for
from .unit import unit_of_work
from .writes import begin_write

SETTINGS = ("desired_retention", "new_per_day", "reviews_per_day", "timezone", "day_start_hour")


def save_settings(user: User, **values) -> None:
    """Stores the learner's study settings (the form has checked each value)."""
    unknown = set(values) - set(SETTINGS)
    if unknown:
        raise TypeError(f"not a study setting: {', '.join(sorted(unknown))}")
    with unit_of_work():
        for name, value in values.items():
            setattr(user, name, value)


def optimise_for(user: User) -> OptimiseResult:
    """Fits the learner's parameters to their history since each question's last answer change
    (``training_histories``), elapsed time in their study days. If the optimiser adopts the fitted
    parameters, stores them and recomputes every card's memory state from its logs under them
    (``recompute_memory_states``), in one transaction; otherwise changes nothing.
    Raises optimiser.NotEnoughReviews below the minimum of review items."""
    result = optimise(training_histories(user), current=user.fsrs_parameters, timezone=user.timezone,
                      day_start_hour=user.day_start_hour)
    if not result.adopted:
        return result
    begin_write()  # answers recorded meanwhile are in the replay below: it reads the logs under the lock
    user.fsrs_parameters = list(result.parameters)
    recompute_memory_states(user)
    db.session.commit()
    return result


def training_histories(user: User) -> list[list[tuple[int, datetime]]]:
    """Each card's (rating, time) answers, study and quiz, since its question's answer last changed.

    Only logs of the question's current version count: an earlier version's answers are history from
    before the card restarted, about an answer that is no longer asked. A card whose kept history does
    not begin with its first answer (from new) is left out, as Anki leaves out cards without their
    learning steps: its memory before the first kept answer is unknown.
    """
    rows = db.session.execute(
        select(ReviewLog.card_id, ReviewLog.rating, ReviewLog.reviewed_at, ReviewLog.prior_state)
        .join(Card, Card.id == ReviewLog.card_id)
        .join(Question, Question.id == Card.question_id)
        .where(ReviewLog.user_id == user.id, Card.user_id == user.id, ReviewLog.question_version == Question.version)
        .order_by(ReviewLog.card_id, ReviewLog.reviewed_at, ReviewLog.id))
    histories: dict[int, list[tuple[int, datetime]]] = {}
    incomplete: set[int] = set()
    for card_id, rating, when, prior_state in rows:
        if card_id not in histories and card_id not in incomplete:
            if prior_state != sched.NEW:
                incomplete.add(card_id)
                continue
            histories[card_id] = []
        if card_id in histories:
            histories[card_id].append((rating, when))
    return list(histories.values())


def recompute_memory_states(user: User) -> int:
    """Replays every card's answers since it last started afresh (its logs of the card's question
    version) with the learner's current scheduler and stores the card state it reaches, and each
    log's state before and after (undo and re-rate restore those). The caller holds the write lock
    (``begin_write``) and commits. Returns the number of cards replayed."""
    cards = {card.id: card for card in db.session.scalars(
        select(Card).where(Card.user_id == user.id).order_by(Card.id).with_for_update())}
    # Each bank's learning steps and leech threshold (the learner's options for it).
    bank_of = dict(db.session.execute(select(Card.id, Question.bank_id).join(Question, Question.id == Card.question_id)
                                      .where(Card.user_id == user.id)).all())
    options = bank_options.for_banks(user, sorted(set(bank_of.values())))
    schedulers = {bank_id: scheduler_for(user, options[bank_id]) for bank_id in options}
    default = scheduler_for(user)
    logs = db.session.scalars(
        select(ReviewLog).join(Card, Card.id == ReviewLog.card_id)
        .where(ReviewLog.user_id == user.id, Card.user_id == user.id,
               ReviewLog.question_version == Card.question_version)
        .order_by(ReviewLog.card_id, ReviewLog.reviewed_at, ReviewLog.id))
    replayed: dict[int, sched.CardState] = {}
    for log in logs:
        card = cards[log.card_id]
        if card.reset_at is not None and log.reviewed_at <= card.reset_at:
            continue  # before the learner reset the card to new (the card browser): not replayed
        before = replayed.get(card.id, sched.CardState())
        scheduler = schedulers.get(bank_of.get(card.id), default)
        after = sched.review(before, log.rating, log.reviewed_at, scheduler, seed=card_seed(card))
        log.state_before, log.state_after, log.prior_state = before.to_json(), after.to_json(), before.state
        replayed[card.id] = after
    for card_id, state in replayed.items():
        apply_state(cards[card_id], state)
    return len(replayed)
