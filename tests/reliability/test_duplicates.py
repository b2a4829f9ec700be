"""A double-click that reaches the server twice at the same moment is applied once.

Two threads post the very same answer (same answer id, same session) through a real threaded
server, released together by a barrier. Run on SQLite and on PostgreSQL (DATABASE_URL), where
the two requests race through different paths: SQLite's write lock, PostgreSQL's row locks
and unique constraints.
"""
from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from quizapp.domain import scheduling as sched
from quizapp.extensions import db
from quizapp.models import Card, ReviewLog, User
from quizapp.services.cards import card_seed, card_state, scheduler_for
from tests.answers import fill_card_form
from tests.factories import make_bank
from tests.reliability.harness import ANSWERED, Student, hidden

ROUNDS = 12  # the 9 new cards of the demo bank (a card row made by the race itself), then cards seen before


@pytest.fixture
def served(app, make_user):
    with app.app_context():
        make_bank()
    make_user()
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: a failure is logged and answered 500
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(5)


def post_twice_at_once(student: Student, form: dict) -> list:
    barrier = threading.Barrier(2)
    responses: list = [None, None]

    def post(i: int) -> None:
        barrier.wait(5)
        try:
            responses[i] = student.request("POST", "/study/answer", form)
        except OSError as exc:
            responses[i] = exc

    threads = [threading.Thread(target=post, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return responses


def test_the_same_answer_posted_twice_at_once_is_applied_once(app, served):
    student = Student(served, "ada@example.com")
    student.login()
    seen_before = 0
    for _ in range(ROUNDS):
        page = student.request("GET", "/study").body
        assert 'name="question_id"' in page, "the demo bank has a card to study"
        qid, ordinal = int(hidden(page, "question_id")), int(hidden(page, "ordinal"))
        with app.app_context():
            card = db.session.scalar(select(Card).where(Card.question_id == qid, Card.ordinal == ordinal))
            reps_before = card.reps if card else 0
        seen_before += card is not None
        client_id = uuid.uuid4().hex
        form = {**fill_card_form(page), "client_id": client_id, "rating": "3"}

        first, second = post_twice_at_once(student, form)

        for response in (first, second):
            assert not isinstance(response, Exception), response
            assert response.status < 500, response.body[:2000]
            assert response.status == 302 and ANSWERED.match(response.location), (response.status, response.body[:300])
        assert first.location == second.location, "both clicks land on the same feedback"
        with app.app_context():
            logs = db.session.scalars(select(ReviewLog).where(ReviewLog.client_id == client_id)).all()
            assert len(logs) == 1
            card = db.session.get(Card, logs[0].card_id)
            assert card.reps == reps_before + 1, "the card advanced once"
            history = db.session.scalars(select(ReviewLog).where(ReviewLog.card_id == card.id)
                                         .order_by(ReviewLog.id)).all()
            user = db.session.scalar(select(User))
            assert card_state(card) == sched.replay([(h.rating, h.reviewed_at) for h in history],
                                                    scheduler_for(user), seed=card_seed(card))
            db.session.remove()
    assert seen_before >= 1, "some rounds answered a card that already had a row"
    with app.app_context():
        assert db.session.scalar(select(func.count(ReviewLog.id))) == ROUNDS
