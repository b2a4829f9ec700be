"""The study queue read in one query (study_queue.queue) against its definition, written out plainly.

``reference`` computes the day's counts and the next card the slow, obvious way: every card and
question of the learner loaded and checked in Python, as the rules read (Anki's v3 order: learning
cards due, reviews lowest recall first, new cards in bank order one card of a question a day,
learning cards within the learn-ahead window; new cards count against the review limit). A learner
then walks through days of answers, suspensions, burials, undos and bank choices, and after each
step the queue must say what the definition says.
"""
from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import select

from quizapp.domain import scheduling as sched
from quizapp.domain.questions import get_type
from quizapp.extensions import db
from quizapp.models import Card, Question, ReviewLog, User
from quizapp.services import answers, cards, study_queue
from tests.answers import response_for
from tests.factories import NOW, QUESTIONS, make_bank

CLOZES = [{"id": f"c{n}", "type": "cloze", "text": f"{{{{c1::Alpha{n}}}}} and {{{{c2::Beta{n}}}}}."}
          for n in range(30)]
TAIL = [{"id": f"tf{n}", "type": "true_false", "prompt": f"Statement {n}.", "answer": n % 2 == 0} for n in range(6)]


def reference(user: User, bank_ids: list[int], now):
    """(counts as (new, learning, due), next card as (question id, ordinal) or None, latest study answer id)."""
    day_start, day_end = cards.day_bounds(user, now)
    logs = db.session.scalars(select(ReviewLog).where(ReviewLog.user_id == user.id)).all()
    today = [log for log in logs if log.reviewed_at >= day_start]
    new_done = sum(1 for log in today if log.kind == "study" and log.prior_state == sched.NEW)
    reviews_done = sum(1 for log in today if log.kind == "study" and log.prior_state == sched.REVIEW)
    questions = {q.id: q for q in db.session.scalars(select(Question))}
    own = db.session.scalars(select(Card).where(Card.user_id == user.id)).all()

    def live(card):
        q = questions[card.question_id]
        return (q.bank_id in bank_ids and not q.retired and not card.suspended
                and (card.buried_until is None or card.buried_until <= now))

    learning = [c for c in own if live(c) and c.state in (sched.LEARNING, sched.RELEARNING)]
    reviews = [c for c in own if live(c) and c.state == sched.REVIEW and c.due < day_end]
    room = max(0, user.reviews_per_day - reviews_done - new_done)
    due = min(len(reviews), room)
    by_key = {(c.question_id, c.ordinal): c for c in own}
    touched = {next(c.question_id for c in own if c.id == log.card_id) for log in today}

    def started(qid, ordinal):
        c = by_key.get((qid, ordinal))
        return c is not None and (c.state != sched.NEW or c.suspended
                                  or (c.buried_until is not None and c.buried_until > day_start))

    def new_cards(limit):
        chosen = []
        for q in sorted(questions.values(), key=lambda q: (q.bank_id, q.position)):
            if len(chosen) >= limit:
                break
            if q.bank_id not in bank_ids or q.retired:
                continue
            ordinals = get_type(q.type).cards(q.data)
            if q.id in touched and len(ordinals) > 1:
                continue
            free = [o for o in ordinals if not started(q.id, o)]
            if free:
                chosen.append((q.id, free[0]))
        return chosen

    counts = (len(new_cards(min(user.new_per_day - new_done, room - due))),
              sum(1 for c in learning if c.due < day_end), due)
    first_learning = min(learning, key=lambda c: (c.due, c.id), default=None)
    pick = None
    if first_learning is not None and first_learning.due <= now:
        pick = first_learning
    elif room > 0 and reviews:
        scheduler = cards.scheduler_for(user)
        at_risk = sorted(reviews, key=lambda c: (c.due, c.id))[:100]
        pick = min(at_risk, key=lambda c: (sched.retrievability(cards.card_state(c), now, scheduler), c.id))
    if pick is not None:
        nxt = (pick.question_id, pick.ordinal)
    else:
        fresh = new_cards(min(user.new_per_day - new_done, room))
        nxt = fresh[0] if fresh else None
        if nxt is None and first_learning is not None and first_learning.due <= now + study_queue.LEARN_AHEAD:
            nxt = (first_learning.question_id, first_learning.ordinal)
    study = [log.id for log in logs if log.kind == "study"]
    return counts, nxt, max(study, default=None)


def observed(user: User, bank_ids: list[int], now):
    queue = study_queue.queue(user, bank_ids, now)
    pick = (queue.pick.question.id, queue.pick.ordinal) if queue.pick else None
    counts = study_queue.counts(user, bank_ids, now)
    assert (counts.new, counts.learning, counts.due) == (queue.counts.new, queue.counts.learning, queue.counts.due)
    return (queue.counts.new, queue.counts.learning, queue.counts.due), pick, queue.last_log_id


@pytest.fixture
def learner(app, make_user):
    with app.app_context():
        make_bank("first", questions=QUESTIONS)
        make_bank("clozes", questions=CLOZES + TAIL, title="Clozes")
        uid = make_user()
        user = db.session.get(User, uid)
        user.new_per_day, user.reviews_per_day = 5, 14
        db.session.commit()
        yield user


def all_banks() -> list[int]:
    return sorted(set(db.session.scalars(select(Question.bank_id))))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_queue_is_what_the_rules_say_through_days_of_study(learner, seed):
    rng = random.Random(seed)
    now = NOW
    banks = all_banks()
    for step in range(70):
        chosen = rng.choice([banks, banks, banks, banks[:1], banks[1:]])
        assert observed(learner, chosen, now) == reference(learner, chosen, now), (seed, step)
        limits = learner.new_per_day, learner.reviews_per_day
        learner.new_per_day, learner.reviews_per_day = rng.randint(0, 12), rng.randint(0, 30)  # other limits
        assert observed(learner, chosen, now) == reference(learner, chosen, now), (seed, step, "limits")
        learner.new_per_day, learner.reviews_per_day = limits
        action = rng.random()
        pick = study_queue.next_card(learner, chosen, now)
        if pick is not None and action < 0.7:
            rating = rng.choice([None, sched.AGAIN, sched.GOOD, sched.EASY])
            qtype = get_type(pick.question.type)
            answers.record_answer(learner, pick.question.id, pick.ordinal,
                                  response_for(pick.question, pick.ordinal, right=rng.random() < 0.6),
                                  f"{seed}-{step}", now=now, duration_ms=rng.randint(2000, 20000),
                                  rating=rating if rating or not qtype.auto_graded else None)
        elif pick is not None and action < 0.78:
            cards.bury(learner, pick.question.id, pick.ordinal, now)
        elif pick is not None and action < 0.84:
            cards.set_suspended(learner, pick.question.id, pick.ordinal, True)
        elif action < 0.9:
            suspended = db.session.scalars(select(Card).where(Card.suspended.is_(True))).all()
            if suspended:
                card = rng.choice(suspended)
                cards.set_suspended(learner, card.question_id, card.ordinal, False)
        elif action < 0.95:
            answers.undo(learner)
        now += rng.choice([timedelta(seconds=20), timedelta(minutes=2), timedelta(minutes=11),
                           timedelta(hours=5), timedelta(days=1), timedelta(days=3)])


def test_a_day_of_cloze_siblings_reads_past_the_first_rows(learner):
    """The new cards are read a few rows past the limit first; when the cloze questions there are all
    held back (a sibling answered today), the rest is read, and the count is still right."""
    learner.new_per_day, learner.reviews_per_day = 3, 500
    db.session.commit()
    clozes = db.session.scalars(select(Question).where(Question.key.in_([q["id"] for q in CLOZES]))
                                .order_by(Question.position)).all()
    for n, q in enumerate(clozes[:25]):  # card 1 of 25 clozes today: their card 2 waits for tomorrow
        answers.record_answer(learner, q.id, 1, ["Alpha"], f"c{n}", now=NOW, rating=sched.GOOD)
    learner.new_per_day = 28
    db.session.commit()
    bank = [clozes[0].bank_id]
    expected = reference(learner, bank, NOW)
    assert observed(learner, bank, NOW) == expected
    counts, pick, _ = expected
    assert counts[0] == 3  # the limit (28, 25 introduced) though 25 clozes come first in the bank
    assert pick is not None and pick[0] == db.session.scalar(
        select(Question.id).where(Question.key == "c25"))  # learning cards are due in minutes, not now


def test_the_undo_button_names_the_latest_study_answer_not_a_quiz_one(learner):
    pick = study_queue.next_card(learner, all_banks(), NOW)
    first = answers.record_answer(learner, pick.question.id, pick.ordinal, response_for(pick.question, pick.ordinal),
                                  "s1", now=NOW)
    other = db.session.scalar(select(Question).where(Question.key == "tf"))
    answers.record_answer(learner, other.id, 0, True, "q1", now=NOW, kind="quiz")
    assert study_queue.queue(learner, all_banks(), NOW).last_log_id == first.log.id


def test_the_last_new_cards_of_a_bank_are_counted_one_by_one(learner):
    """Fewer new cards left than the limit allows: the count is what is left (here no cloze card
    either: the bank's one cloze question had a card answered today)."""
    questions = [{**q, "id": f"last-{q['id']}"} for q in TAIL] + [{**CLOZES[0], "id": "last-cloze"}]
    make_bank("last", questions=questions, title="Last")
    learner.new_per_day, learner.reviews_per_day = 100, 500
    bank = [db.session.scalar(select(Question.bank_id).where(Question.key == "last-cloze"))]
    cloze = db.session.scalar(select(Question).where(Question.key == "last-cloze"))
    answers.record_answer(learner, cloze.id, 1, ["Alpha0"], "cloze-1", now=NOW, rating=sched.GOOD)
    for n in range(2):
        pick = study_queue.next_card(learner, bank, NOW)
        answers.record_answer(learner, pick.question.id, pick.ordinal, response_for(pick.question, pick.ordinal),
                              f"single-{n}", now=NOW, rating=sched.GOOD)
    for new_per_day in range(3, 12):  # 3 introduced today, 4 one-card questions left, the cloze held back
        learner.new_per_day = new_per_day
        counts, _, _ = reference(learner, bank, NOW)
        assert counts[0] == min(new_per_day - 3, 4)
        assert observed(learner, bank, NOW) == reference(learner, bank, NOW)
