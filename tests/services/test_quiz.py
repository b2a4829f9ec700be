"""Quiz mode: answers refused before anything is recorded, the grade kept as given, and the total
added up as Moodle's quiz adds it (marks summed, a negative mark kept, the total not floored)."""
from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from quizapp.domain.questions import ResponseError
from quizapp.extensions import db
from quizapp.models import Card, Question, QuizAttempt, QuizItem, ReviewLog, User
from quizapp.services import answers, quiz
from quizapp.services.cards import StudyError
from quizapp.services.errors import NotFound
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


def start(user, size=5, **options):
    bank_ids = sorted({q.bank_id for q in db.session.scalars(select(Question))})
    return quiz.start(user, bank_ids, size, NOW, random.Random(1), **options)


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


# The answers that get each question fully right, and wrong.
RIGHT = {"capital": "Moscow", "members": ["USSR", "PRC"], "tf": True, "order": ["First", "Second", "Third"],
         "match": ["PRC", "USSR"]}
WRONG = {"capital": "Yalta", "members": ["USA"], "tf": False, "order": ["Third", "Second", "First"],
         "match": ["USSR", "PRC"]}


def test_the_time_limit_is_kept_by_the_server_with_a_short_grace(learner):
    attempt = start(learner, time_limit=600)  # 10 minutes
    assert quiz.deadline(attempt) == NOW + timedelta(minutes=10)
    assert quiz.seconds_left(attempt, NOW + timedelta(minutes=4)) == 360
    answer(learner, attempt, "capital", "Moscow", seconds=60)
    # Sent as the countdown reached 0 and arrived 30 s late: within the grace, it counts.
    answer(learner, attempt, "members", ["USSR", "PRC"], seconds=630)
    assert quiz.score(attempt).answered == 2 and recorded() == 2
    # After the limit and the grace: refused, nothing recorded, and the attempt closed at its deadline.
    with pytest.raises(quiz.TimeUp):
        answer(learner, attempt, "tf", True, seconds=600 + quiz.GRACE.seconds + 1)
    db.session.expire_all()
    attempt = db.session.get(QuizAttempt, attempt.id)
    assert recorded() == 2 and quiz.score(attempt).answered == 2
    assert attempt.timed_out and attempt.finished_at == NOW + timedelta(minutes=10)
    assert quiz.score(attempt).points == pytest.approx(2.0)  # the three unanswered count 0


def test_an_attempt_whose_time_is_up_is_closed_when_next_seen(learner):
    attempt = start(learner, time_limit=300)
    assert quiz.attempt_for(learner, attempt.id, NOW + timedelta(seconds=299)).finished_at is None
    assert quiz.unfinished(learner, NOW + timedelta(seconds=299)).id == attempt.id
    # Past the limit it is no longer offered to resume, and opening it closes and grades it.
    assert quiz.unfinished(learner, NOW + timedelta(seconds=301)) is None
    seen = quiz.attempt_for(learner, attempt.id, NOW + timedelta(hours=3))
    assert seen.finished_at == NOW + timedelta(seconds=300) and seen.timed_out
    assert quiz.score(seen).answered == 0


def test_no_limit_by_default_and_a_limit_out_of_range_is_refused(learner):
    attempt = start(learner)
    assert attempt.time_limit is None and quiz.takes_answers(attempt, NOW + timedelta(days=30))
    assert not quiz.attempt_for(learner, attempt.id, NOW + timedelta(days=30)).timed_out
    for seconds in (0, 59, 5 * 3600 + 1):
        with pytest.raises(StudyError, match="time limit"):
            start(learner, time_limit=seconds)


def card_rows(user) -> list[tuple]:
    return [(c.question_id, c.ordinal, c.state, c.stability, c.difficulty, c.due, c.last_review, c.reps, c.lapses)
            for c in db.session.scalars(select(Card).where(Card.user_id == user.id).order_by(Card.id))]


def studied_first(user) -> list[tuple]:
    """The learner studies every question of the bank once (right), so each has a card with a state."""
    for n, q in enumerate(db.session.scalars(select(Question).order_by(Question.id))):
        answers.record_answer(user, q.id, 0, RIGHT[q.key], f"study-{n}", now=NOW - timedelta(days=3), kind="study")
    return card_rows(user)


def test_practice_only_leaves_the_cards_as_they_were_but_keeps_the_attempt(learner):
    before = studied_first(learner)
    logs = recorded()
    attempt = start(learner, reschedule=False)
    for key, response in WRONG.items():
        answer(learner, attempt, key, response)
    assert card_rows(learner) == before and recorded() == logs  # no review written, no card moved
    db.session.expire_all()
    attempt = db.session.get(QuizAttempt, attempt.id)
    assert attempt.finished_at is not None and not attempt.reschedule
    assert quiz.score(attempt).points == pytest.approx(-0.5 + 0.5)  # graded as a rescheduling quiz is
    assert all(i.review_log_id is None and i.outcome is not None for i in attempt.items)
    assert [p.attempt.id for p in quiz.history(learner)] == [attempt.id]


def test_a_rescheduling_quiz_moves_the_cards_on(learner):
    before = studied_first(learner)
    attempt = start(learner)
    assert attempt.reschedule  # the default, as before
    for key, response in WRONG.items():
        answer(learner, attempt, key, response)
    after = card_rows(learner)
    assert len(after) == len(before) and all(a != b for a, b in zip(after, before, strict=True))
    assert all(a[7] == b[7] + 1 for a, b in zip(after, before, strict=True))  # one more repetition each
    assert recorded() == len(before) + 5


def test_retry_the_wrong_ones_takes_exactly_those_not_right(learner):
    attempt = start(learner)
    answer(learner, attempt, "capital", "Moscow")  # right
    answer(learner, attempt, "members", ["USSR", "PRC"])  # right
    answer(learner, attempt, "tf", False)  # wrong
    answer(learner, attempt, "match", ["PRC", ""])  # partly right (1 of 2)
    # "order" left unanswered
    with pytest.raises(StudyError, match="Finish the quiz first"):
        quiz.retry_wrong(learner, attempt, NOW)
    quiz.finish(attempt, NOW + timedelta(minutes=2))
    assert [i.question.key for i in quiz.not_right(attempt)] == [
        i.question.key for i in attempt.items if i.question.key in ("tf", "match", "order")]
    retry = quiz.retry_wrong(learner, attempt, NOW + timedelta(minutes=3))
    assert retry.id != attempt.id and retry.finished_at is None and retry.reschedule and retry.time_limit is None
    keep = {i.question.key: i for i in attempt.items}
    assert sorted(i.question.key for i in retry.items) == ["match", "order", "tf"]
    assert all(i.ordinal == keep[i.question.key].ordinal for i in retry.items)
    assert [i.position for i in retry.items] == [0, 1, 2]
    # Right this time: nothing left to retry.
    for i in retry.items:
        quiz.answer(learner, retry, i.position, RIGHT[i.question.key], now=NOW + timedelta(minutes=4),
                    duration_ms=1000)
    assert retry.finished_at is not None and quiz.score(retry).percent == pytest.approx(100.0)
    with pytest.raises(StudyError, match="nothing to retry"):
        quiz.retry_wrong(learner, retry, NOW + timedelta(minutes=5))


def test_submit_all_and_finish_with_questions_unanswered_and_flags(learner):
    attempt = start(learner)
    positions_ = positions(attempt)
    quiz.set_flag(attempt, positions_["tf"], True)
    quiz.set_flag(attempt, positions_["order"], True)
    quiz.set_flag(attempt, positions_["order"], False)  # set, not toggled: cleared
    answer(learner, attempt, "capital", "Moscow")
    nav = {n.position: n for n in quiz.navigation(attempt)}
    assert nav[positions_["tf"]].flagged and not nav[positions_["order"]].flagged
    assert nav[positions_["capital"]].answered and not nav[positions_["tf"]].answered
    quiz.finish(attempt, NOW + timedelta(minutes=1))
    assert attempt.finished_at == NOW + timedelta(minutes=1) and not attempt.timed_out
    assert (quiz.score(attempt).answered, quiz.score(attempt).points) == (1, 1.0)
    with pytest.raises(quiz.QuizClosed):
        answer(learner, attempt, "tf", True)
    with pytest.raises(quiz.QuizClosed):
        quiz.set_flag(attempt, positions_["tf"], False)
    assert recorded() == 1


def test_another_learners_attempt_is_not_found(learner, make_user):
    attempt = start(learner)
    other = db.session.get(User, make_user(email="eve@example.com"))
    assert quiz.own_attempt(other, attempt.id) is None
    with pytest.raises(NotFound):
        quiz.attempt_for(other, attempt.id, NOW)
    with pytest.raises(NotFound):
        quiz.attempt_for(learner, attempt.id + 1000, NOW)
    assert quiz.unfinished(other, NOW) is None and quiz.history(other) == []


def test_resume_offers_the_newest_open_attempt(learner):
    older = start(learner)
    newer = start(learner, size=2)
    assert quiz.unfinished(learner, NOW).id == newer.id
    quiz.finish(newer, NOW)
    assert quiz.unfinished(learner, NOW).id == older.id
    quiz.finish(older, NOW)
    assert quiz.unfinished(learner, NOW) is None


def test_history_shows_the_start_on_the_learners_clock(learner):
    learner.timezone = "Asia/Shanghai"
    db.session.commit()
    start(learner)
    [past] = quiz.history(learner)
    assert past.started.strftime("%d %b %Y, %H:%M") == "02 Mar 2026, 20:00"  # 12:00 UTC is 20:00 in Shanghai


def test_retry_leaves_out_questions_retired_since(learner):
    attempt = start(learner)
    answer(learner, attempt, "capital", "Yalta")
    answer(learner, attempt, "tf", False)
    quiz.finish(attempt, NOW)
    retired = next(i.question for i in attempt.items if i.question.key == "capital")
    retired.retired = True
    db.session.commit()
    retry = quiz.retry_wrong(learner, attempt, NOW)
    assert sorted(i.question.key for i in retry.items) == ["match", "members", "order", "tf"]
    quiz.finish(retry, NOW)
    for item in retry.items:
        item.question.retired = True
    db.session.commit()
    with pytest.raises(StudyError, match="no longer in your banks"):
        quiz.retry_wrong(learner, retry, NOW)
