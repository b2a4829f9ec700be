"""A learner's Anki review history taken as their own progress in a bank.

An Anki package may carry each card's review log. Anki itself computes a card's FSRS memory state
by replaying that log (banks/anki_history.py keeps the reviews Anki keeps); here each kept review
is replayed through the learner's own StudyScheduler (their parameters, retention, time zone and
study day) exactly as if they had answered it here then, and logged as an answer of kind "anki".
So the card ends where Anki's FSRS puts it (tests compare stability and difficulty with Anki's),
its log replays to its state (undo and re-rating keep working), the learner's heat map and
optimiser see the reviews, and first-answer statistics and today's limits do not (they count
study answers only).

Only cards the learner has not studied here take a history: a card with progress keeps it, and is
counted. Each review is logged once per learner (its client id is ``anki:<revlog id>``), so saving
the same package twice brings nothing twice.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select

from ..banks.anki_history import Review, history_size
from ..banks.model import Bank as ParsedBank
from ..domain import scheduling as sched
from ..domain.questions import get_type
from ..extensions import db
from ..models import Card, Question, ReviewLog, User
from .cards import apply_state, fuzz_seed, scheduler_for

KIND = "anki"


@dataclass
class HistoryReport:
    cards: int = 0  # cards that took their history
    reviews: int = 0  # reviews logged
    kept: int = 0  # cards that had progress here already and kept it

    def sentence(self) -> str:
        said = f"{self.reviews} review{'' if self.reviews == 1 else 's'} of {self.cards} card" \
               f"{'' if self.cards == 1 else 's'} imported as your progress"
        if self.kept:
            said += f" ({self.kept} card{'' if self.kept == 1 else 's'} you had already studied kept "\
                    f"{'its' if self.kept == 1 else 'their'} progress)"
        return said


def summary(bank: ParsedBank) -> dict[str, int] | None:
    """{"cards", "reviews"} of the history a parsed bank brought (the upload preview offers it), or None."""
    if not bank.history:
        return None
    cards, reviews = history_size(bank.history)
    return {"cards": cards, "reviews": reviews}


def apply_history(user: User, bank_id: int, history: dict[tuple[str, int], list[Review]],
                  now: datetime) -> HistoryReport:
    """Replays ``history`` ((question key, card) -> reviews) onto ``user``'s cards of the bank.
    Flushes; the caller commits (with the bank's save, so an upload stays all or nothing)."""
    report = HistoryReport()
    if not history:
        return report
    scheduler = scheduler_for(user)
    questions = {q.key: q for q in db.session.scalars(
        select(Question).where(Question.bank_id == bank_id, Question.retired.is_(False)))}
    cards = {(c.question_id, c.ordinal): c for c in db.session.scalars(
        select(Card).join(Question, Question.id == Card.question_id)
        .where(Card.user_id == user.id, Question.bank_id == bank_id))}
    taken = set(db.session.scalars(select(ReviewLog.client_id).where(
        ReviewLog.user_id == user.id, ReviewLog.kind == KIND)))
    replayed: list[tuple[Card, Question, sched.CardState, list[dict]]] = []
    for (key, ordinal), reviews in history.items():
        question = questions.get(key)
        if question is None or ordinal not in get_type(question.type).cards(question.data):
            continue
        card = cards.get((question.id, ordinal))
        if card is not None and (card.reps or card.state != sched.NEW):
            report.kept += 1
            continue
        state, rows = _replay(user, question, ordinal, reviews, now, scheduler, taken)
        if not rows:
            continue
        if card is None:
            card = Card(user_id=user.id, question_id=question.id, ordinal=ordinal, question_version=question.version)
            db.session.add(card)
        replayed.append((card, question, state, rows))
    db.session.flush()  # the new cards' ids, for their logs
    logs = []
    for card, question, state, rows in replayed:
        apply_state(card, state)
        card.question_version = question.version
        logs += [{**row, "card_id": card.id} for row in rows]
        report.cards += 1
    if logs:
        db.session.execute(insert(ReviewLog), logs)
    report.reviews = len(logs)
    db.session.flush()
    return report


def _replay(user: User, question: Question, ordinal: int, reviews: list[Review], now: datetime,
            scheduler: sched.StudyScheduler, taken: set[str]) -> tuple[sched.CardState, list[dict]]:
    """The card's state after ``reviews`` and a log row for each, as record_answer would have written them."""
    state = sched.CardState()
    rows: list[dict] = []
    seed = fuzz_seed(user.id, question.id, ordinal)
    for review in sorted(reviews, key=lambda r: r.at):
        client_id = f"{KIND}:{review.revlog_id}"
        if review.at > now or client_id in taken or review.rating not in sched.RATING_NAMES:
            continue
        after = sched.review(state, review.rating, review.at, scheduler, seed=seed)
        rows.append({"user_id": user.id, "client_id": client_id, "kind": KIND, "rating": review.rating,
                     "prior_state": state.state, "score": None, "answer": None, "duration_ms": review.duration_ms,
                     "reviewed_at": review.at, "state_before": state.to_json(), "state_after": after.to_json(),
                     "question_version": question.version, "overridden": False})
        taken.add(client_id)
        state = after
    return state, rows


def after_save(owner: User, bank_id: int, bank: ParsedBank, wanted: bool, now: datetime) -> str:
    """What an upload's save says of the history it brought: applied to ``owner`` (the uploader)
    when ``wanted``, else that it was there and left out; "" when there was none."""
    if not bank.history:
        return ""
    if wanted:
        return "; " + apply_history(owner, bank_id, bank.history, now).sentence()
    cards, reviews = history_size(bank.history)
    return (f"; the package held a review history ({reviews} review{'' if reviews == 1 else 's'} of {cards} "
            f"card{'' if cards == 1 else 's'}), not imported")
