"""An answer's write: computed before the write lock, written only if the card is still as it was read
(else the careful path, from the card as it now is), and on SQLite one writer at a time in the
kernel's queue (services.write_turns)."""
from __future__ import annotations

import fcntl
import os
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select, update

from quizapp.domain import scheduling as sched
from quizapp.extensions import db
from quizapp.models import Card, Question, ReviewLog, User
from quizapp.services import answers, cards, write_turns
from tests.conftest import POSTGRES
from tests.factories import NOW, make_bank


@pytest.fixture
def learner(app, make_user):
    with app.app_context():
        make_bank()
        yield db.session.get(User, make_user())


def capital() -> Question:
    return db.session.scalar(select(Question).where(Question.key == "capital"))


def test_a_card_changed_between_reading_and_writing_is_answered_from_its_new_state(learner, monkeypatch):
    q = capital()
    answers.record_answer(learner, q.id, 0, "Moscow", "first", now=NOW, rating=sched.GOOD)
    later = NOW + timedelta(minutes=15)
    moved = NOW + timedelta(days=3)
    real_begin = answers.begin_write

    def meanwhile():
        # Another request re-schedules the card after this answer read it (a re-rate in another tab).
        with db.engine.connect() as other:
            other.execute(update(Card).where(Card.question_id == q.id).values(state=sched.REVIEW, stability=9.0,
                                                                                difficulty=4.0, due=moved, step=None))
            other.commit()
        real_begin()

    monkeypatch.setattr(answers, "begin_write", meanwhile)
    result = answers.record_answer(learner, q.id, 0, "Moscow", "second", now=later, rating=sched.GOOD)
    db.session.expire_all()
    card = db.session.scalar(select(Card).where(Card.question_id == q.id))
    assert result.log.state_before["state"] == sched.REVIEW and result.log.state_before["stability"] == 9.0
    as_moved = sched.CardState(state=sched.REVIEW, stability=9.0, difficulty=4.0, due=moved, last_review=NOW, reps=1)
    expected = sched.review(as_moved, sched.GOOD, later, cards.scheduler_for(learner),
                            seed=cards.fuzz_seed(learner.id, q.id, 0))
    assert cards.card_state(card) == expected
    assert db.session.scalar(select(func.count(ReviewLog.id))) == 2


def test_an_unchanged_card_is_written_in_one_guarded_update(learner, app):
    q = capital()
    answers.record_answer(learner, q.id, 0, "Warsaw", "first", now=NOW)
    statements: list[str] = []

    def seen(conn, cursor, statement, *args):
        words = statement.split()
        statements.append(" ".join(words[:2]) if words[0].upper() == "SELECT" else words[0].upper())

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        answers.record_answer(learner, q.id, 0, "Moscow", "second", now=NOW + timedelta(minutes=2))
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    # The card read once (before the lock), then under it its guarded UPDATE and the log's INSERT.
    assert statements.count("UPDATE") == 1 and statements.count("INSERT") == 1
    assert sum(1 for s in statements if s.startswith("SELECT cards.")) == 1
    assert statements.index("UPDATE") > next(i for i, s in enumerate(statements) if s.startswith("SELECT cards."))
    card = db.session.scalar(select(Card).where(Card.question_id == q.id))
    assert card.reps == 2


@pytest.mark.skipif(POSTGRES, reason="write turns are for SQLite's single writer")
def test_an_answer_waits_its_turn_while_another_writer_holds_it(learner, app):
    q = capital()
    path = db.engine.url.database + "-writers.lock"
    other = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)  # another process's turn, as the kernel sees it
    fcntl.flock(other, fcntl.LOCK_EX)
    done: list[float] = []

    def answer():
        with app.app_context():
            user = db.session.get(User, learner.id)
            answers.record_answer(user, q.id, 0, "Moscow", "waiting", now=NOW)
            done.append(time.monotonic())

    thread = threading.Thread(target=answer)
    thread.start()
    time.sleep(0.5)
    assert not done  # still waiting for the turn
    released = time.monotonic()
    fcntl.flock(other, fcntl.LOCK_UN)
    os.close(other)
    thread.join(10)
    assert done and done[0] >= released
    assert db.session.scalar(select(func.count(ReviewLog.id))) == 1


@pytest.mark.skipif(POSTGRES, reason="write turns are for SQLite's single writer")
def test_a_turn_is_let_go_when_the_answer_fails(learner, monkeypatch):
    q = capital()

    def broken(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(answers, "_commit_answer", broken)
    with pytest.raises(RuntimeError):
        answers.record_answer(learner, q.id, 0, "Moscow", "fails", now=NOW)
    monkeypatch.undo()
    with write_turns.write_turn():  # not still held: this would wait for ever
        pass
    answers.record_answer(learner, q.id, 0, "Moscow", "works", now=NOW)
    assert db.session.scalar(select(func.count(ReviewLog.id))) == 1
