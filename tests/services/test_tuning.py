from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import select

from quizapp.domain import scheduling as sched
from quizapp.domain.optimiser import NotEnoughReviews
from quizapp.extensions import db
from quizapp.models import Card, Question, ReviewLog, User
from quizapp.services import tuning
from quizapp.services.study import apply_state, card_state
from tests.factories import NOW, make_bank


def _history(user: User, reviews: int) -> None:
    """Stored review logs of a simulated learner: recalls drawn from the true recall probability."""
    rng = random.Random(7)
    make_bank(questions=[{"id": f"q{i}", "type": "flashcard", "front": f"F{i}", "back": "B"} for i in range(60)])
    scheduler = sched.make_scheduler()
    questions = db.session.scalars(select(Question)).all()
    made = 0
    for day in range(40):
        for q in questions:
            card = db.session.scalar(select(Card).where(Card.question_id == q.id))
            state = sched.CardState() if card is None else card_state(card)
            now = NOW + timedelta(days=day)
            if card is not None and state.due > now:
                continue
            recall = rng.random() < max(sched.retrievability(state, now, scheduler), 0.7 if state.reps else 0.0)
            rating = sched.GOOD if recall else sched.AGAIN
            after = sched.review(state, rating, now, scheduler, seed=q.key)
            if card is None:
                card = Card(user_id=user.id, question_id=q.id, ordinal=0)
                db.session.add(card)
                db.session.flush()
            apply_state(card, after)
            db.session.add(ReviewLog(user_id=user.id, card_id=card.id, client_id=f"{q.id}-{day}", rating=rating,
                                     prior_state=state.state, reviewed_at=now, state_before=state.to_json(),
                                     state_after=after.to_json()))
            made += 1
            if made >= reviews:
                db.session.commit()
                return
    db.session.commit()


def test_needs_four_hundred_reviews(app, make_user):
    with app.app_context():
        user = db.session.get(User, make_user())
        _history(user, 120)
        with pytest.raises(NotEnoughReviews, match="120 reviews"):
            tuning.optimise_for(user)
        assert user.fsrs_parameters is None


def test_fits_and_stores_parameters_from_own_history(app, make_user):
    with app.app_context():
        user = db.session.get(User, make_user())
        _history(user, 900)
        result = tuning.optimise_for(user)
        assert result.reviews >= 400 and result.log_loss_after <= result.log_loss_before
        stored = db.session.get(User, user.id).fsrs_parameters
        assert stored == list(result.parameters) and len(stored) == 21
        sched.make_scheduler(0.9, stored)  # the scheduler accepts them
