"""Item analysis of a stored bank, against numbers worked out by hand from the rows below."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Bank, Card, Question, QuizAttempt, QuizItem, ReviewLog, User
from quizapp.services import answers, first_answers, item_stats
from quizapp.services.accounts import create_user
from tests.conftest import PASSWORD
from tests.factories import NOW, make_bank

approx = lambda v: pytest.approx(v, abs=0.01)  # noqa: E731

QUESTIONS = [
    {"id": "q1", "type": "multiple_choice", "prompt": "Where?", "choices": ["Moscow", "Beijing", "Warsaw"],
     "answer": "Moscow"},
    {"id": "q2", "type": "true_false", "prompt": "True?", "answer": True},
    {"id": "q3", "type": "short_answer", "prompt": "Who?", "answers": ["Mao"]},
    {"id": "q4", "type": "numeric", "prompt": "When?", "answer": 1949},
]
# Five finished quizzes of this bank alone, each question in the same position (slot).
#        q1 q2 q3 q4 | X
#   A     1  1  1  0 | 3
#   B     1  1  0  0 | 2
#   C     1  0  1  1 | 3
#   D     0  1  0  1 | 2
#   E     0  0  0  1 | 1
MARKS = [(1, 1, 1, 0), (1, 1, 0, 0), (1, 0, 1, 1), (0, 1, 0, 1), (0, 0, 0, 1)]
Q1_PICKS = ["Moscow", "Moscow", "Moscow", "Beijing", "Warsaw"]


def seed_item_analysis(owner: User | None = None, slug: str = "analysed", title: str = "Analysed bank") -> int:
    """The rows above in the database (also the browser test's data); returns the bank's id.

    Five finished quizzes, one unfinished; first study answers to q1 by four learners (score, ms,
    response), plus a later review and a quiz-kind log, neither of which is a first study answer."""
    make_bank(slug, QUESTIONS, title=title, builtin=owner is None, owner=owner)
    bank = db.session.scalar(select(Bank).where(Bank.slug == slug))
    qs = {q.key: q for q in db.session.scalars(select(Question).where(Question.bank_id == bank.id))}
    users = [create_user(f"s{i}@example.com", PASSWORD) for i in range(5)]
    db.session.flush()
    for user, marks, pick in zip(users, MARKS, Q1_PICKS, strict=True):
        attempt = QuizAttempt(user_id=user.id, bank_ids=[bank.id], started_at=NOW, finished_at=NOW)
        db.session.add(attempt)
        db.session.flush()
        for position, (key, mark) in enumerate(zip(("q1", "q2", "q3", "q4"), marks, strict=True)):
            db.session.add(QuizItem(attempt_id=attempt.id, position=position, question_id=qs[key].id,
                                    score=float(mark), duration_ms=10_000, answered_at=NOW,
                                    response=pick if key == "q1" else "x"))
    # An unfinished attempt does not count.
    unfinished = QuizAttempt(user_id=users[0].id, bank_ids=[bank.id], started_at=NOW)
    db.session.add(unfinished)
    db.session.flush()
    db.session.add(QuizItem(attempt_id=unfinished.id, position=0, question_id=qs["q1"].id, score=0.0,
                            response="Warsaw"))
    first = [(1.0, 2000, "Moscow"), (0.0, 4000, "Beijing"), (1.0, None, "Moscow"), (1.0, 6000, "Moscow")]
    for i, (score, ms, response) in enumerate(first):
        card = Card(user_id=users[i].id, question_id=qs["q1"].id)
        db.session.add(card)
        db.session.flush()
        db.session.add(ReviewLog(user_id=users[i].id, card_id=card.id, client_id=f"first-{i}", kind="study",
                                 rating=3, prior_state=0, score=score, answer=response, duration_ms=ms,
                                 reviewed_at=NOW, state_before={}, state_after={}))
        if i == 0:
            db.session.add(ReviewLog(user_id=users[i].id, card_id=card.id, client_id="later", kind="study",
                                     rating=1, prior_state=2, score=0.0, answer="Warsaw", duration_ms=1,
                                     reviewed_at=NOW + timedelta(days=3), state_before={}, state_after={}))
    db.session.commit()
    first_answers.rebuild()  # the log rows above were inserted directly, as a bulk load would
    db.session.commit()
    return bank.id


@pytest.fixture
def bank(app):
    with app.app_context():
        yield seed_item_analysis()


def test_per_question_figures_match_the_hand_computed_ones(app, bank):
    with app.app_context():
        analysis = item_stats.analyse(db.session.get(Bank, bank))
        rows = {r.question.key: r for r in analysis.rows}
    assert analysis.quiz_attempts == 5
    # q1: x = 1,1,1,0,0, mean .6 -> 60 %; dev .4,.4,.4,-.6,-.6: SS 1.2, Var .3, SD .5477 -> 54.77 %.
    # Y = X - x = 2,1,2,2,1, mean 1.6, dev .4,-.6,.4,.4,-.6: SS 1.2, Var .3.
    # SP = .16 - .24 + .16 - .24 + .36 = .2, Cov .05; DI = 100 * .05 / sqrt(.3 * .3) = 16.67.
    # CovMax: x 0,0,1,1,1 against Y 1,1,2,2,2: SP = .36 + .36 + .16 * 3 = 1.2, Cov .3; DE = 16.67.
    q1 = rows["q1"].quiz
    assert (q1.attempts, q1.facility, q1.sd) == (5, approx(60.0), approx(54.77))
    assert q1.discrimination_index == approx(16.67) and q1.discriminative_efficiency == approx(16.67)
    assert q1.mean_time == approx(10.0)
    assert rows["q1"].flags == ()  # 5 attempts: the figures, but no warning until 10
    # q4: x = 0,0,1,1,1 (facility 60 %); Y = 3,2,2,1,0, mean 1.6, dev 1.4,.4,.4,-.6,-1.6: SS 5.2, Var 1.3.
    # dev x -.6,-.6,.4,.4,.4: SP = -.84 - .24 + .16 - .24 - .64 = -1.8, Cov -.45;
    # DI = 100 * -.45 / sqrt(.3 * 1.3) = -45 / .6245 = -72.06: the strongest students got it wrong.
    assert rows["q4"].quiz.discrimination_index == approx(-72.06)
    assert rows["q4"].flags == ()


def test_first_answers_in_study_and_the_choices_picked(app, bank):
    with app.app_context():
        rows = {r.question.key: r for r in item_stats.analyse(db.session.get(Bank, bank)).rows}
    # Four first answers 1, 0, 1, 1 -> 75 %; times 2 s, 4 s, (unknown), 6 s -> 4 s.
    study = rows["q1"].study
    assert (study.attempts, study.facility, study.mean_time) == (4, approx(75.0), approx(4.0))
    assert rows["q2"].study.attempts == 0
    # Picks: quizzes Moscow x3, Beijing, Warsaw; study firsts Moscow x3, Beijing -> 9 responses:
    # Moscow 6 (66.67 %), Beijing 2 (22.22 %), Warsaw 1 (11.11 %). The unfinished quiz and the later
    # review (both Warsaw) are not counted.
    picks = {c.choice: (c.count, c.share, c.correct) for c in rows["q1"].distractors.choices}
    assert picks == {"Moscow": (6, approx(66.67), True), "Beijing": (2, approx(22.22), False),
                     "Warsaw": (1, approx(11.11), False)}
    assert rows["q3"].distractors is None  # not a choice question


def test_whole_quiz_figures_by_slot(app, bank):
    with app.app_context():
        analysis = item_stats.analyse(db.session.get(Bank, bank))
    o = analysis.overall
    assert (analysis.slot_attempts, analysis.slots) == (5, 4)
    # X = 3,2,3,2,1: mean 2.2 of 4 -> 55 %, median of 1,2,2,3,3 is 2 -> 50 %;
    # dev .8,-.2,.8,-.2,-1.2: SS 2.8, Var .7, SD .8367 -> 20.92 %.
    # Each slot's variance is .3 (three of one mark, two of the other), sum 1.2.
    # alpha = 100 * 4/3 * (1 - 1.2 / .7) = 100 * 4/3 * -5/7 = -95.24; no error ratio below zero.
    assert o.mean == approx(55.0) and o.median == approx(50.0) and o.sd == approx(20.92)
    assert o.alpha == approx(-95.24) and o.error_ratio is None
    assert o.guidance.reliability == "unsatisfactory"


def test_the_page_and_csv_show_them(app, bank, client, make_user):
    from tests.conftest import AuthActions

    with app.app_context():
        b = db.session.get(Bank, bank)
        teacher = create_user("t@example.com", "correct horse battery", role="admin")
        db.session.commit()
        slug = b.slug
    assert teacher
    AuthActions(client).login("t@example.com")
    page = client.get(f"/teach/banks/{slug}/stats").get_data(as_text=True)
    assert 'id="stats-q1"' in page and "16.7" in page and "-72.1" in page and "-95.2 %" in page
    assert "negative discrimination" not in page and "Warnings need at least 10 attempts" in page
    csv = client.get(f"/teach/banks/{slug}/stats.csv")
    assert csv.mimetype == "text/csv"
    lines = csv.get_data(as_text=True).splitlines()
    assert lines[0].startswith("question,type,quiz attempts,facility %")
    assert lines[1].startswith("q1,multiple_choice,5,60.0,54.77,16.67,16.67,10.0,4,75.0,4.0,")


def test_answers_keep_the_running_totals_equal_to_the_log(app):
    """Answering adds to the totals, undo takes back, a quiz answer or a second answer adds nothing:
    the totals kept as answers come in equal those rebuilt from the whole log."""
    from quizapp.models import FirstAnswerStats

    def totals():
        return sorted((r.question_id, r.response_key, r.response, r.answers, r.score_sum, r.duration_sum_ms, r.timed)
                      for r in db.session.scalars(select(FirstAnswerStats)))

    with app.app_context():
        make_bank("live", QUESTIONS, builtin=True)
        qs = {q.key: q for q in db.session.scalars(select(Question))}
        ann, ben = (create_user(f"{n}@example.com", "correct horse battery") for n in ("ann", "ben"))
        db.session.commit()
        answers.record_answer(ann, qs["q1"].id, 0, "Beijing", "a1", now=NOW, duration_ms=3000)
        answers.record_answer(ann, qs["q1"].id, 0, "Moscow", "a2", now=NOW + timedelta(days=5), duration_ms=1000)
        answers.record_answer(ben, qs["q1"].id, 0, "Moscow", "b1", now=NOW, duration_ms=None)
        answers.record_answer(ben, qs["q2"].id, 0, True, "b2", now=NOW, duration_ms=2000, kind="quiz")
        answers.record_answer(ben, qs["q3"].id, 0, "Mao", "b3", now=NOW, duration_ms=4000)
        answers.record_answer(ben, qs["q4"].id, 0, "1950", "b4", now=NOW, duration_ms=4000)
        answers.undo(ben)  # takes back b4 (the quiz answer is not a study answer)
        kept = totals()
        first_answers.rebuild()
        assert kept == totals()
        # q1: Ann's first (Beijing, wrong, 3 s) and Ben's (Moscow, right, time unknown); Ann's second
        # answer is not a first one. q3: Ben's. q2 (quiz) and q4 (undone): nothing.
        by_question = {}
        for qid, _, response, n, score, ms, timed in kept:
            by_question.setdefault(qid, []).append((response, n, score, ms, timed))
        assert sorted(by_question[qs["q1"].id]) == [('"Beijing"', 1, 0.0, 3000, 1), ('"Moscow"', 1, 1.0, 0, 0)]
        assert by_question[qs["q3"].id] == [("", 1, 1.0, 4000, 1)]
        assert qs["q2"].id not in by_question and qs["q4"].id not in by_question


def test_the_report_is_kept_until_the_bank_changes_or_ten_minutes_pass(app, bank):
    """As Moodle keeps its quiz statistics: a new first answer shows only when the report is
    recalculated (at most every 30 s), after 10 minutes, or at once when the bank itself changes."""
    with app.app_context():
        stored = db.session.get(Bank, bank)
        first = item_stats.report(stored, NOW)
        assert first.fresh and first.computed_at == NOW
        q1 = db.session.scalar(select(Question).where(Question.bank_id == bank, Question.key == "q1"))
        before = {r.question.key: r for r in first.analysis.rows}["q1"].study.attempts
        learner = User(email="late@example.com", name="Late", password_hash="x")
        db.session.add(learner)
        db.session.flush()
        card = Card(user_id=learner.id, question_id=q1.id)
        db.session.add(card)
        db.session.flush()
        log = ReviewLog(user_id=learner.id, card_id=card.id, client_id="late", kind="study", rating=1,
                        prior_state=0, score=0.0, answer="Warsaw", duration_ms=3000, reviewed_at=NOW,
                        state_before={}, state_after={})
        first_answers.add(q1, log)
        db.session.add(log)
        db.session.commit()

        def study_attempts(result):
            return {r.question.key: r for r in result.analysis.rows}["q1"].study.attempts

        kept = item_stats.report(stored, NOW + timedelta(minutes=9))
        assert not kept.fresh and kept.computed_at == NOW and study_attempts(kept) == before
        too_soon = item_stats.report(stored, NOW + timedelta(seconds=20), recalculate=True)
        assert not too_soon.fresh
        recalculated = item_stats.report(stored, NOW + timedelta(seconds=40), recalculate=True)
        assert recalculated.fresh and study_attempts(recalculated) == before + 1
        expired = item_stats.report(stored, NOW + timedelta(seconds=40) + item_stats.MAX_AGE)
        assert expired.fresh
        stored.updated_at = NOW + timedelta(minutes=20)  # the bank was edited
        db.session.commit()
        assert item_stats.report(stored, NOW + timedelta(minutes=21)).fresh
