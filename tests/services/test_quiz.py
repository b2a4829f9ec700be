"""Quiz mode: answers refused before anything is recorded, the grade kept as given, and the total
added up as Moodle's quiz adds it (marks summed, a negative mark kept, the total not floored)."""
from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from quizapp.domain.questions import ResponseError
from quizapp.extensions import db
from quizapp.models import Question, QuizItem, ReviewLog, User
from quizapp.services import quiz
from tests.factories import NOW, make_bank

# GIFT: ::capital:: Where did Mao travel in December 1949? {=Moscow ~%50%Beijing ~%-50%Warsaw ~Yalta}
CAPITAL = {"id": "capital", "type": "multiple_choice", "prompt": "Where did Mao travel in December 1949?",
           "choices": ["Moscow", "Beijing", "Warsaw", "Yalta"], "answer": "Moscow",
           "weights": {"Beijing": 0.5, "Warsaw": -0.5}, "feedback": {"Warsaw": "He never went there."}}
# GIFT: {~%50%USSR ~%50%PRC ~%-100%USA ~%-100%UK}
MEMBERS = {"id": "members", "type": "multiple_select", "prompt": "Which were communist states in 1950?",
           "choices": ["USSR", "PRC", "USA", "UK"], "answers": ["USSR", "PRC"],
           "weights": {"USSR": 0.5, "PRC": 0.5, "USA": -1, "UK": -1}}
TF = {"id": "tf", "type": "true_false", "prompt": "The treaty was signed in 1950.", "answer": True}
ORDER = {"id": "order", "type": "ordering", "prompt": "Put in order", "items": ["First", "Second", "Third"]}
MATCH = {"id": "match", "type": "matching", "prompt": "Match", "pairs": [["Mao", "PRC"], ["Stalin", "USSR"]]}
QUESTIONS = [CAPITAL, MEMBERS, TF, ORDER, MATCH]


@pytest.fixture
def learner(app, make_user):
    with app.app_context():
        make_bank(questions=QUESTIONS)
        uid = make_user()
        yield db.session.get(User, uid)


def start(user, size=5):
    bank_ids = sorted({q.bank_id for q in db.session.scalars(select(Question))})
    return quiz.start(user, bank_ids, size, NOW, random.Random(1))


def positions(attempt) -> dict[str, int]:
    return {i.question.key: i.position for i in attempt.items}


def answer(user, attempt, key, response, seconds=0):
    return quiz.answer(user, attempt, positions(attempt)[key], response, now=NOW + timedelta(seconds=seconds),
                       duration_ms=4000)


def recorded() -> int:
    return db.session.scalar(select(func.count(ReviewLog.id)))


def test_a_negative_mark_counts_and_the_total_is_not_floored(learner):
    attempt = start(learner)
    answer(learner, attempt, "capital", "Warsaw")  # -0.5, as in Moodle
    answer(learner, attempt, "members", ["USSR", "USA"])  # 0.5 - 1 = -0.5, clamped to 0 by the question
    answer(learner, attempt, "tf", False)  # 0
    answer(learner, attempt, "order", ["Third", "Second", "First"])  # 0
    answer(learner, attempt, "match", ["", "USSR"], seconds=1)  # 1 / 2
    score = quiz.score(attempt)
    assert (score.answered, score.total) == (5, 5)
    # question_usage_by_activity::get_total_mark sums the marks: -0.5 + 0 + 0 + 0 + 0.5 = 0.
    assert score.points == pytest.approx(0.0) and score.percent == pytest.approx(0.0)
    items = {i.question.key: i for i in attempt.items}
    assert items["capital"].score == -0.5 and items["members"].score == 0.0
    assert db.session.get(QuizItem, items["capital"].id).attempt.finished_at is not None


def test_a_total_below_zero_stays_below_zero(learner):
    attempt = start(learner, size=5)
    answer(learner, attempt, "capital", "Warsaw")
    for key, response in (("members", ["USA"]), ("tf", False), ("order", ["Third", "Second", "First"]),
                          ("match", ["USSR", "PRC"])):
        answer(learner, attempt, key, response)
    score = quiz.score(attempt)
    assert score.points == pytest.approx(-0.5)  # Moodle's sumgrades is not floored; only its gradebook is
    assert score.percent == pytest.approx(-10.0)


def test_partial_total_while_the_quiz_is_under_way(learner):
    attempt = start(learner)
    answer(learner, attempt, "capital", "Beijing")
    answer(learner, attempt, "members", ["USSR", "PRC"])
    score = quiz.score(attempt)
    assert (score.answered, score.total, score.points) == (2, 5, pytest.approx(1.5))
    assert score.percent == pytest.approx(30.0)


@pytest.mark.parametrize(("key", "response"), [
    ("capital", ""),
    ("members", []),
    ("tf", None),
    ("match", ["", ""]),
])
def test_an_empty_answer_is_refused_and_nothing_is_recorded(learner, key, response):
    attempt = start(learner)
    with pytest.raises(ResponseError, match="Choose or type an answer first."):
        answer(learner, attempt, key, response)
    item = next(i for i in attempt.items if i.question.key == key)
    assert item.answered_at is None and item.score is None and item.outcome is None
    assert recorded() == 0


@pytest.mark.parametrize(("key", "response"), [
    ("capital", "Paris"),
    ("members", ["USSR", "Cuba"]),
    ("members", ["USSR", "USSR"]),
    ("tf", "maybe"),
    ("order", ["First", "First", "Third"]),
    ("order", ["First", "Second"]),
    ("match", ["PRC", "Laos"]),
    ("match", ["PRC"]),
])
def test_an_answer_the_question_does_not_offer_is_refused_and_nothing_is_recorded(learner, key, response):
    attempt = start(learner)
    with pytest.raises(ResponseError):
        answer(learner, attempt, key, response)
    assert quiz.score(attempt).answered == 0 and recorded() == 0
    # The learner is asked again and can then answer.
    answer(learner, attempt, "capital", "Moscow")
    assert quiz.score(attempt).answered == 1 and recorded() == 1


def test_the_grade_given_stays_when_the_question_is_edited_later(learner):
    attempt = start(learner)
    answer(learner, attempt, "capital", "Warsaw")
    answer(learner, attempt, "members", ["USSR", "PRC"])
    before = quiz.score(attempt)
    item = next(i for i in attempt.items if i.question.key == "capital")
    assert item.outcome == {"score": -0.5, "expected": "Moscow", "feedback": "He never went there."}

    # The teacher changes the right answer to Warsaw: a new version of the question.
    edited = [dict(CAPITAL, answer="Warsaw", weights={"Moscow": -0.5}, feedback={}) if q is CAPITAL else q
              for q in QUESTIONS]
    assert make_bank(questions=edited).reset == ["capital"]
    db.session.expire_all()
    attempt = quiz.own_attempt(learner, attempt.id)
    item = next(i for i in attempt.items if i.question.key == "capital")
    assert item.question.data["answer"] == "Warsaw"  # graded now, Warsaw would be right

    outcome = quiz.item_outcome(item)
    assert (outcome.score, outcome.expected, outcome.feedback, outcome.correct) == (
        -0.5, "Moscow", "He never went there.", False)
    assert quiz.score(attempt) == before


def test_items_answered_before_outcomes_were_stored_keep_their_score(learner):
    attempt = start(learner)
    item = answer(learner, attempt, "capital", "Beijing")
    item.outcome = None  # as answered before the column existed
    db.session.commit()
    edited = [dict(CAPITAL, answer="Beijing", weights={}) if q is CAPITAL else q for q in QUESTIONS]
    make_bank(questions=edited)
    db.session.expire_all()
    item = db.session.get(QuizItem, item.id)
    outcome = quiz.item_outcome(item)
    # The score given then; the right answer as the question now has it (nothing else is known).
    assert (outcome.score, outcome.expected) == (0.5, "Beijing")


def test_a_resent_answer_changes_nothing(learner):
    attempt = start(learner)
    first = answer(learner, attempt, "capital", "Moscow")
    again = answer(learner, attempt, "capital", "")  # a resend is not checked again, nor recorded
    assert again.id == first.id and again.score == 1.0 and recorded() == 1


def test_the_learners_quiz_history_lists_their_attempts_with_scores_as_given(learner, make_user):
    first = start(learner)
    for key, response in (("capital", "Warsaw"), ("members", ["USSR", "PRC"]), ("tf", True),
                          ("order", ["First", "Second", "Third"]), ("match", ["PRC", "USSR"])):
        answer(learner, first, key, response)
    second = start(learner, size=2)  # unfinished
    other = db.session.get(User, make_user(email="eve@example.com"))
    start(other)
    past = quiz.history(learner)
    assert [p.attempt.id for p in past] == [second.id, first.id]  # newest first, only the learner's
    done = past[1]
    assert done.attempt.finished_at is not None and done.bank_titles == ["Demo bank"]
    assert (done.score.points, done.score.total) == (3.5, 5)  # -0.5 + 1 + 1 + 1 + 1
    assert past[0].attempt.finished_at is None and past[0].score.answered == 0
