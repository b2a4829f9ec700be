"""Core statements on the session's connection (services/statements.py) read what this request has
written but not yet flushed, as the session's own execute would, and run inside its transaction."""
from __future__ import annotations

from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Bank, BankOptions
from quizapp.services import bank_options, statements
from tests.factories import make_bank


def test_a_read_sees_a_pending_change_and_a_rollback_takes_it_back(learner):
    make_bank()
    bank_id = db.session.scalar(select(Bank.id))
    assert bank_options.get(learner, bank_id) == bank_options.DEFAULT
    db.session.add(BankOptions(user_id=learner.id, bank_id=bank_id, new_order="random", learning_steps=[5],
                               relearning_steps=None, leech_threshold=3, leech_action="suspend",
                               bury_siblings=False))  # pending: not flushed
    seen = bank_options.get(learner, bank_id)
    assert (seen.new_order, seen.learning_steps, seen.relearning_steps, seen.leech_threshold) == \
        ("random", (5,), (10,), 3)  # NULL relearning steps: the default
    db.session.rollback()  # the read ran in the session's transaction: nothing of it stays
    assert statements.run(select(func.count()).select_from(BankOptions)).scalar_one() == 0
    assert bank_options.get(learner, bank_id) == bank_options.DEFAULT
