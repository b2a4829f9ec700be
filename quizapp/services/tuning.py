"""Fitting a learner's own FSRS parameters from their review history."""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from ..domain.optimiser import OptimiseResult, optimise
from ..extensions import db
from ..models import ReviewLog, User


def optimise_for(user: User) -> OptimiseResult:
    """Fits and stores parameters; raises optimiser.NotEnoughReviews below the minimum."""
    histories: dict[int, list] = defaultdict(list)
    rows = db.session.execute(select(ReviewLog.card_id, ReviewLog.rating, ReviewLog.reviewed_at)
                              .where(ReviewLog.user_id == user.id).order_by(ReviewLog.reviewed_at, ReviewLog.id))
    for card_id, rating, when in rows:
        histories[card_id].append((rating, when))
    result = optimise(histories.values(), current=user.fsrs_parameters)
    user.fsrs_parameters = list(result.parameters)
    db.session.commit()
    return result
