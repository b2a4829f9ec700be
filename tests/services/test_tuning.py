from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import select

from quizapp.domain import optimiser
from quizapp.domain import scheduling as sched
from quizapp.domain.optimiser import MIN_ITEMS, NotEnoughReviews
from quizapp.extensions import db
from quizapp.models import Card, Question, ReviewLog, User
from quizapp.services import answers, tuning
from quizapp.services import cards as card_rules
from tests.factories import NOW, make_bank

# A learner who forgets faster than FSRS-6's defaults expect: fitting helps them clearly.
WEAK = list(sched.make_scheduler().parameters)
WEAK[0:4] = [0.1, 0.3, 0.6, 2.0]
WEAK[8] = 1.2


def flashcards(count: int, back: str = "B", edited: tuple[int, ...] = ()) -> list[dict]:
    return [{"id": f"q{i}", "type": "flashcard", "front": f"F{i}", "back": back + "2" if i in edited else back}
            for i in range(count)]


def _history(user: User, reviews: int, true_parameters=None, questions: int = 60) -> None:
    """Stored answers of a simulated learner, one session a day at noon: the app's scheduler makes the
    cards due, recall is drawn from the retrievability of ``true_parameters`` (the defaults if None),
    and cards and logs are written as ``answers.record_answer`` writes them."""
    rng = random.Random(7)
    make_bank(questions=flashcards(questions))
    scheduler, truth = card_rules.scheduler_for(user), sched.make_scheduler(parameters=true_parameters)
    rows = db.session.scalars(select(Question).order_by(Question.position)).all()
    cards: dict[int, Card] = {}
    memory: dict[int, sched.CardState] = {}
    made, day = 0, 0
    while made < reviews:
        now = NOW + timedelta(days=day)
        for q in rows:
            card = cards.get(q.id)
            state = card_rules.card_state(card) if card else sched.CardState()
            if card is not None and state.due > now:
                continue
            if card is None:
                rating = rng.choice([sched.AGAIN, sched.GOOD, sched.GOOD, sched.EASY])
            elif rng.random() < sched.retrievability(memory[q.id], now, truth):
                rating = rng.choice([sched.HARD, sched.GOOD, sched.GOOD, sched.GOOD, sched.EASY])
            else:
                rating = sched.AGAIN
            memory[q.id] = sched.review(memory.get(q.id, sched.CardState()), rating, now, truth)
            if card is None:
                card = cards[q.id] = Card(user_id=user.id, question_id=q.id, ordinal=0, question_version=q.version)
                db.session.add(card)
                db.session.flush()
            after = sched.review(state, rating, now, scheduler, seed=card_rules.card_seed(card))
            card_rules.apply_state(card, after)
            db.session.add(ReviewLog(user_id=user.id, card_id=card.id, client_id=f"{q.id}-{day}", rating=rating,
                                     prior_state=state.state, reviewed_at=now, state_before=state.to_json(),
                                     state_after=after.to_json(), question_version=q.version))
            made += 1
            if made == reviews:
                break
        day += 1
    db.session.commit()


def snapshot(user: User) -> tuple[dict, dict]:
    cards = {c.id: card_rules.card_state(c) for c in db.session.scalars(select(Card).where(Card.user_id == user.id))}
    logs = {log.id: (log.state_before, log.state_after, log.prior_state)
            for log in db.session.scalars(select(ReviewLog))}
    return cards, logs


def current_logs(card: Card) -> list[ReviewLog]:
    return list(db.session.scalars(select(ReviewLog).where(
        ReviewLog.card_id == card.id, ReviewLog.question_version == card.question_version)
        .order_by(ReviewLog.reviewed_at, ReviewLog.id)))


def test_needs_four_hundred_review_items(learner):
    _history(learner, 120)  # 60 cards answered twice: 60 items (a card's first answer predicts nothing)
    with pytest.raises(NotEnoughReviews) as caught:
        tuning.optimise_for(learner)
    assert (caught.value.items, caught.value.reviews, caught.value.needed) == (60, 120, MIN_ITEMS)
    assert str(caught.value).startswith("60 of your 120 reviews can train the scheduler")
    assert "at least 400 are needed" in str(caught.value)
    assert db.session.get(User, learner.id).fsrs_parameters is None


def test_adopting_stores_the_parameters_and_recomputes_every_card_from_its_logs(learner):
    _history(learner, 1200, WEAK)
    before, logs_before = snapshot(learner)

    result = tuning.optimise_for(learner)

    assert result.adopted and result.items >= MIN_ITEMS
    assert result.fitted.log_loss < result.current.log_loss
    db.session.expire_all()
    user = db.session.get(User, learner.id)
    assert user.fsrs_parameters == list(result.parameters) and len(user.fsrs_parameters) == 21
    scheduler = card_rules.scheduler_for(user)
    assert list(scheduler.parameters) == list(result.parameters)
    changed = 0
    for card in db.session.scalars(select(Card).where(Card.user_id == user.id)):
        logs = current_logs(card)
        # The card is its logs replayed under the new parameters, and each log holds the states around it.
        assert card_rules.card_state(card) == sched.replay([(log.rating, log.reviewed_at) for log in logs], scheduler,
                                                      seed=card_rules.card_seed(card))
        state = sched.CardState()
        for log in logs:
            assert sched.CardState.from_json(log.state_before) == state and log.prior_state == state.state
            state = sched.review(state, log.rating, log.reviewed_at, scheduler, seed=card_rules.card_seed(card))
            assert sched.CardState.from_json(log.state_after) == state
        changed += card_rules.card_state(card) != before[card.id]
    assert changed > len(before) // 2  # the memory states moved to the fitted parameters
    assert set(logs_before) == set(snapshot(user)[1])  # no log lost or made

    # Undo takes the card back to the recomputed state before its latest answer.
    last = answers.last_log(user)
    card_id, state_before = last.card_id, sched.CardState.from_json(last.state_before)
    answers.undo(user)
    assert card_rules.card_state(db.session.get(Card, card_id)) == state_before


def test_not_adopted_changes_nothing(learner, monkeypatch):
    _history(learner, 1200, WEAK)
    before = snapshot(learner)
    worse = list(WEAK)
    worse[0:4] = [100.0] * 4  # predicts this forgetful learner's reviews far worse than the defaults
    monkeypatch.setattr(optimiser, "_train", lambda items: list(worse))

    result = tuning.optimise_for(learner)

    assert not result.adopted and result.fitted.log_loss > result.current.log_loss
    assert result.parameters == list(sched.make_scheduler().parameters)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(User, learner.id).fsrs_parameters is None
    assert snapshot(learner) == before


def test_trains_only_on_history_since_each_questions_last_answer_change(learner, monkeypatch):
    _history(learner, 1500, WEAK)
    edited = tuple(range(10))  # q0..q9 get a new answer: their cards start afresh, their logs are history
    report = make_bank(questions=flashcards(60, edited=edited))
    assert sorted(report.reset) == sorted(f"q{i}" for i in edited)
    q0 = db.session.scalar(select(Question).where(Question.key == "q0"))
    later = NOW + timedelta(days=100)
    for n, rating in enumerate([sched.GOOD, sched.GOOD]):
        answers.record_answer(learner, q0.id, 0, None, f"after-{n}", now=later + timedelta(days=n), rating=rating)

    kept = db.session.execute(
        select(ReviewLog.card_id, ReviewLog.reviewed_at).join(Card, Card.id == ReviewLog.card_id)
        .join(Question, Question.id == Card.question_id)
        .where(Question.key.not_in([f"q{i}" for i in edited]))).all()
    histories = tuning.training_histories(learner)
    assert len(histories) == 50 + 1
    assert sum(map(len, histories)) == len(kept) + 2
    # q0's history is its two answers since the change; its earlier answers are left out.
    assert [[when for _, when in h] for h in histories].count([later, later + timedelta(days=1)]) == 1

    seen = {}
    real = tuning.optimise

    def spy(histories, **kwargs):
        seen.update(histories=histories, **kwargs)
        return real(histories, **kwargs)

    monkeypatch.setattr(tuning, "optimise", spy)
    old_version = {log.id: (log.state_before, log.state_after) for log in db.session.scalars(
        select(ReviewLog).where(ReviewLog.question_version == 1).join(Card, Card.id == ReviewLog.card_id)
        .join(Question, Question.id == Card.question_id).where(Question.version == 2))}
    assert len(old_version) > 100
    learner.timezone, learner.day_start_hour = "America/New_York", 3
    result = tuning.optimise_for(learner)
    assert seen["histories"] == histories
    assert (seen["timezone"], seen["day_start_hour"]) == ("America/New_York", 3)
    assert (result.cards, result.reviews) == (51, len(kept) + 2)

    # Adopted: q0's card is the replay of its two answers since the change alone, and the logs from
    # before the change keep the states they had.
    assert result.adopted
    db.session.expire_all()
    card = db.session.scalar(select(Card).where(Card.question_id == q0.id))
    scheduler = card_rules.scheduler_for(db.session.get(User, learner.id))
    assert card_rules.card_state(card) == sched.replay([(sched.GOOD, later), (sched.GOOD, later + timedelta(days=1))],
                                                  scheduler, seed=card_rules.card_seed(card))
    assert {log.id: (log.state_before, log.state_after)
            for log in db.session.scalars(select(ReviewLog).where(ReviewLog.id.in_(old_version)))} == old_version


def test_a_card_whose_kept_history_does_not_start_from_new_is_left_out(learner):
    _history(learner, 200)
    first = db.session.scalar(select(ReviewLog).order_by(ReviewLog.reviewed_at, ReviewLog.id))
    card_id = first.card_id
    db.session.delete(first)  # its first answer is gone: the card's memory before its next one is unknown
    db.session.commit()
    histories = tuning.training_histories(learner)
    remaining = db.session.scalar(select(db.func.count(ReviewLog.id)).where(ReviewLog.card_id != card_id))
    assert len(histories) == 59 and sum(map(len, histories)) == remaining
