from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from quizapp.domain import scheduling as sched
from quizapp.extensions import db
from quizapp.models import Card, Question, ReviewLog, User
from quizapp.services import answers, cards, study_queue
from tests.answers import response_for
from tests.factories import NOW, QUESTIONS, make_bank


@pytest.fixture
def learner(app, make_user):
    with app.app_context():
        make_bank()
        uid = make_user()
        yield db.session.get(User, uid)


def bank_ids():
    return [q.bank_id for q in db.session.scalars(select(Question).limit(1))]


def answer_current(user, now, response=None, rating=None, client_id=None):
    pick = study_queue.next_card(user, bank_ids(), now)
    assert pick is not None
    return pick, answers.record_answer(user, pick.question.id, pick.ordinal, response, client_id or f"id-{now}",
                                     now=now, duration_ms=5000, rating=rating)


def test_new_cards_come_in_bank_order_within_the_daily_limit(learner):
    learner.new_per_day = 3
    counts = study_queue.counts(learner, bank_ids(), NOW)
    assert (counts.new, counts.learning, counts.due) == (3, 0, 0)
    pick = study_queue.next_card(learner, bank_ids(), NOW)
    assert pick.question.key == "capital" and pick.card is None


def test_answer_is_graded_rated_logged_and_scheduled(learner):
    pick, result = answer_current(learner, NOW, response="Moscow")
    assert result.outcome.correct and result.suggested == sched.GOOD
    log = result.log
    assert (log.rating, log.prior_state, log.kind) == (sched.GOOD, sched.NEW, "study")
    assert (log.answer, log.duration_ms) == ("Moscow", 5000)
    card = db.session.get(Card, log.card_id)
    assert card.state == sched.LEARNING and card.reps == 1 and card.due > NOW
    assert log.state_before["state"] == sched.NEW and log.state_after["state"] == sched.LEARNING
    counts = study_queue.counts(learner, bank_ids(), NOW)
    assert counts.learning == 1 and counts.new == len(QUESTIONS) - 1


def test_wrong_answer_is_again(learner):
    _, result = answer_current(learner, NOW, response="Warsaw")
    assert result.outcome.score == 0 and result.log.rating == sched.AGAIN


def test_same_answer_id_is_applied_once(learner):
    pick = study_queue.next_card(learner, bank_ids(), NOW)
    first = answers.record_answer(learner, pick.question.id, 0, "Moscow", "same-id", now=NOW)
    again = answers.record_answer(learner, pick.question.id, 0, "Moscow", "same-id", now=NOW + timedelta(seconds=1))
    assert again.duplicate and again.log.id == first.log.id
    assert db.session.scalar(select(func.count(ReviewLog.id))) == 1
    assert db.session.scalar(select(Card.reps)) == 1


def test_flashcard_needs_a_rating(learner):
    card_q = db.session.scalar(select(Question).where(Question.key == "card"))
    with pytest.raises(cards.StudyError):
        answers.record_answer(learner, card_q.id, 0, None, "x", now=NOW)
    result = answers.record_answer(learner, card_q.id, 0, None, "y", now=NOW, rating=sched.EASY)
    assert result.log.rating == sched.EASY and result.log.score is None


def test_learning_card_comes_back_when_due_before_new_ones(learner):
    pick, _ = answer_current(learner, NOW, response="Warsaw")  # Again: back in 1 minute
    later = NOW + timedelta(minutes=2)
    again = study_queue.next_card(learner, bank_ids(), later)
    assert again.question.id == pick.question.id and again.card is not None


def test_reviews_due_come_lowest_retrievability_first(learner):
    scheduler = sched.make_scheduler()
    questions = db.session.scalars(select(Question).where(Question.key.in_(["capital", "tf"]))).all()
    for q, stability in zip(questions, [30.0, 2.0]):
        db.session.add(Card(user_id=learner.id, question_id=q.id, ordinal=0, state=sched.REVIEW, stability=stability,
                            difficulty=5.0, due=NOW - timedelta(days=1), last_review=NOW - timedelta(days=10),
                            reps=3))
    db.session.commit()
    pick = study_queue.next_card(learner, bank_ids(), NOW)
    weakest = min(questions, key=lambda q: sched.retrievability(cards.card_state(
        db.session.scalar(select(Card).where(Card.question_id == q.id))), NOW, scheduler))
    assert pick.question.id == weakest.id and pick.question.key == "tf"


def test_undo_restores_the_card_and_removes_the_log(learner):
    _, result = answer_current(learner, NOW, response="Moscow")
    card_id = result.log.card_id
    undone = answers.undo(learner)
    assert undone is not None
    card = db.session.get(Card, card_id)
    assert card.state == sched.NEW and card.reps == 0 and card.due is None
    assert db.session.scalar(select(func.count(ReviewLog.id))) == 0
    assert study_queue.next_card(learner, bank_ids(), NOW).question.key == "capital"


def test_rerate_changes_the_latest_answer_only(learner):
    _, first = answer_current(learner, NOW, response="Moscow", client_id="a")
    log = answers.rerate(learner, first.log.id, sched.EASY)
    assert log.rating == sched.EASY and log.state_after["state"] == sched.REVIEW
    _, second = answer_current(learner, NOW + timedelta(seconds=30), response=["USSR", "PRC"], client_id="b")
    with pytest.raises(cards.StudyError):
        answers.rerate(learner, first.log.id, sched.AGAIN)


def test_cloze_siblings_wait_for_another_day(learner):
    cloze = db.session.scalar(select(Question).where(Question.key == "cloze"))
    answers.record_answer(learner, cloze.id, 1, ["Mao"], "c1", now=NOW)
    for n in range(15):
        pick = study_queue.next_card(learner, bank_ids(), NOW + timedelta(seconds=n))
        if pick is None:
            break
        assert not (pick.question.id == cloze.id and pick.ordinal == 2)
        answers.record_answer(learner, pick.question.id, pick.ordinal, response_for(pick.question, pick.ordinal),
                            f"n{n}", now=NOW + timedelta(seconds=n), rating=sched.EASY)
    tomorrow = NOW + timedelta(days=1)
    keys = []
    while (pick := study_queue.next_card(learner, bank_ids(), tomorrow)) is not None and len(keys) < 30:
        keys.append((pick.question.key, pick.ordinal))
        answers.record_answer(learner, pick.question.id, pick.ordinal, response_for(pick.question, pick.ordinal),
                            f"t{len(keys)}", now=tomorrow, rating=sched.EASY)
    assert ("cloze", 2) in keys


def test_suspend_and_bury(learner):
    pick = study_queue.next_card(learner, bank_ids(), NOW)
    cards.set_suspended(learner, pick.question.id, 0, True)
    assert study_queue.next_card(learner, bank_ids(), NOW).question.id != pick.question.id
    second = study_queue.next_card(learner, bank_ids(), NOW)
    cards.bury(learner, second.question.id, 0, NOW)
    assert study_queue.next_card(learner, bank_ids(), NOW).question.id not in (pick.question.id, second.question.id)
    assert study_queue.next_card(learner, bank_ids(), NOW + timedelta(days=1)).question.id == second.question.id


def test_leech_after_eight_lapses(learner):
    q = db.session.scalar(select(Question).where(Question.key == "tf"))
    now = NOW
    answers.record_answer(learner, q.id, 0, response_for(q), "start", now=now, rating=sched.EASY)
    for n in range(8):
        card = db.session.scalar(select(Card).where(Card.question_id == q.id))
        now = card.due
        answers.record_answer(learner, q.id, 0, response_for(q, right=False), f"lapse{n}", now=now, rating=sched.AGAIN)
        card = db.session.scalar(select(Card).where(Card.question_id == q.id))
        now = card.due
        answers.record_answer(learner, q.id, 0, response_for(q), f"relearn{n}", now=now, rating=sched.EASY)
    card = db.session.scalar(select(Card).where(Card.question_id == q.id))
    assert card.lapses == 8 and card.leech
    assert [c.id for c in cards.leeches(learner)] == [card.id]


def test_card_state_equals_replaying_its_log(learner):
    now = NOW
    for n in range(12):
        pick = study_queue.next_card(learner, bank_ids(), now)
        if pick is None:
            now += timedelta(hours=6)
            continue
        answers.record_answer(learner, pick.question.id, pick.ordinal, response_for(pick.question, pick.ordinal),
                            f"r{n}", now=now, rating=[sched.GOOD, sched.AGAIN, sched.HARD, sched.EASY][n % 4])
        now += timedelta(minutes=11)
    scheduler = cards.scheduler_for(learner)
    for card in db.session.scalars(select(Card)):
        logs = db.session.scalars(select(ReviewLog).where(ReviewLog.card_id == card.id).order_by(ReviewLog.id)).all()
        replayed = sched.replay([(log.rating, log.reviewed_at) for log in logs], scheduler, seed=cards.card_seed(card))
        assert replayed == cards.card_state(card)


def test_daily_new_limit_resets_at_the_learners_day_start(learner):
    learner.new_per_day = 1
    learner.timezone, learner.day_start_hour = "Asia/Shanghai", 4  # 4 a.m. Shanghai = 20:00 UTC
    evening = NOW.replace(hour=19, minute=30)  # 03:30 in Shanghai: still yesterday's study day
    answer_current(learner, evening, response="Moscow")
    assert study_queue.counts(learner, bank_ids(), evening + timedelta(minutes=20)).new == 0
    assert study_queue.counts(learner, bank_ids(), evening + timedelta(minutes=31)).new == 1


def test_changed_answer_resets_progress_but_keeps_history(learner):
    _, result = answer_current(learner, NOW, response="Moscow")
    edited = [dict(q, answer="Beijing") if q["id"] == "capital" else q for q in QUESTIONS]
    report = make_bank(questions=edited)
    assert report.reset == ["capital"]
    pick = study_queue.next_card(learner, bank_ids(), NOW + timedelta(minutes=1))
    assert pick.question.key == "capital"
    again = answers.record_answer(learner, pick.question.id, 0, "Beijing", "after-edit", now=NOW + timedelta(minutes=1))
    assert again.log.prior_state == sched.NEW and db.session.scalar(select(func.count(ReviewLog.id))) == 2


def replayed(user, card) -> sched.CardState:
    logs = db.session.scalars(select(ReviewLog).where(ReviewLog.card_id == card.id).order_by(ReviewLog.id)).all()
    return sched.replay([(log.rating, log.reviewed_at) for log in logs], cards.scheduler_for(user),
                        cards.card_seed(card))


@pytest.mark.parametrize("action", ["undo", "rerate"])
def test_undo_or_rerate_after_a_later_quiz_answer_keeps_the_card_equal_to_its_log(learner, action):
    q = db.session.scalar(select(Question).where(Question.key == "tf"))
    first = answers.record_answer(learner, q.id, 0, True, "study-1", now=NOW, rating=sched.GOOD)
    # A quiz answer to the same card, minutes later: it moves the card on too (kind "quiz").
    answers.record_answer(learner, q.id, 0, False, "quiz-1", now=NOW + timedelta(minutes=3), kind="quiz")
    if action == "undo":
        answers.undo(learner, first.log.id)
    else:
        answers.rerate(learner, first.log.id, sched.EASY)
    card = db.session.scalar(select(Card).where(Card.question_id == q.id))
    assert cards.card_state(card) == replayed(learner, card)
    assert card.reps == (1 if action == "undo" else 2)


def test_a_sibling_in_learning_steps_is_not_buried_and_undo_restores_burials(learner):
    cloze = db.session.scalar(select(Question).where(Question.key == "cloze"))
    answers.record_answer(learner, cloze.id, 1, ["Mao"], "c1", now=NOW, rating=sched.AGAIN)  # c1 in learning
    tomorrow = NOW + timedelta(days=1)
    answers.record_answer(learner, cloze.id, 2, ["Stalin"], "c2", now=tomorrow, rating=sched.AGAIN)  # c2 in learning
    c1 = db.session.scalar(select(Card).where(Card.question_id == cloze.id, Card.ordinal == 1))
    assert c1.state == sched.LEARNING and c1.buried_until is None  # its minute-long steps go on today
    # Answering c1 in its step buries no learning sibling either; undoing it leaves things as they were.
    third = answers.record_answer(learner, cloze.id, 1, ["Mao"], "c1b", now=tomorrow + timedelta(minutes=2),
                                rating=sched.GOOD)
    answers.undo(learner, third.log.id)
    c2 = db.session.scalar(select(Card).where(Card.question_id == cloze.id, Card.ordinal == 2))
    assert c2.buried_until is None


def test_undo_keeps_a_sibling_buried_by_an_earlier_answer_of_the_day(learner):
    cloze = db.session.scalar(select(Question).where(Question.key == "cloze"))
    answers.record_answer(learner, cloze.id, 1, ["Mao"], "c1", now=NOW, rating=sched.EASY)  # c1 to review
    answers.record_answer(learner, cloze.id, 2, ["Stalin"], "c2", now=NOW, rating=sched.EASY)  # c2 to review
    later = NOW + timedelta(days=30)
    answers.record_answer(learner, cloze.id, 1, ["Mao"], "c1-review", now=later, rating=sched.GOOD)
    c2 = db.session.scalar(select(Card).where(Card.question_id == cloze.id, Card.ordinal == 2))
    assert c2.buried_until is not None  # a review sibling waits for tomorrow
    last = answers.record_answer(learner, cloze.id, 2, ["Stalin"], "c2-review", now=later + timedelta(minutes=1),
                               rating=sched.GOOD)
    answers.undo(learner, last.log.id)
    c2 = db.session.scalar(select(Card).where(Card.question_id == cloze.id, Card.ordinal == 2))
    assert c2.buried_until is not None  # still buried by the earlier answer to c1 today, as before


def test_the_review_limit_bounds_new_cards_as_in_anki(learner):
    learner.new_per_day, learner.reviews_per_day = 20, 3
    db.session.commit()
    for n in range(3):
        pick = study_queue.next_card(learner, bank_ids(), NOW + timedelta(seconds=n))
        assert pick is not None and pick.card is None  # new cards, while the review limit has room
        answers.record_answer(learner, pick.question.id, pick.ordinal, response_for(pick.question, pick.ordinal),
                            f"n{n}", now=NOW + timedelta(seconds=n), rating=sched.EASY)
    assert study_queue.counts(learner, bank_ids(), NOW + timedelta(seconds=5)).new == 0
    pick = study_queue.next_card(learner, bank_ids(), NOW + timedelta(seconds=5))
    assert pick is None or pick.card is not None  # no new card once the limit is used up


def test_a_bank_can_make_its_typed_answers_case_sensitive_and_turn_typo_offers_off(learner):
    user = learner
    make_bank("chem", [{"id": "cu", "type": "short_answer", "prompt": "Symbol of copper?", "answers": ["Cu"]},
                       {"id": "name", "type": "short_answer", "prompt": "Element 29?", "answers": ["Copper"],
                        "case_sensitive": False}],
              title="Chemistry", bank_fields={"grading": {"case_sensitive": True, "typos": False}})
    cu = db.session.scalar(select(Question).where(Question.key == "cu"))
    assert answers.record_answer(user, cu.id, 0, "CU", "a1", now=NOW).outcome.score == 0.0  # the bank's rule
    assert answers.record_answer(user, cu.id, 0, "Cu", "a2", now=NOW).outcome.score == 1.0
    name = db.session.scalar(select(Question).where(Question.key == "name"))
    outcome = answers.record_answer(user, name.id, 0, "Coper", "a3", now=NOW).outcome
    assert outcome.score == 0.0 and outcome.near_miss == ""  # no "count it as right" in this bank
    assert answers.record_answer(user, name.id, 0, "COPPER", "a4", now=NOW).outcome.score == 1.0  # its own rule
