"""The class view's queries, against review logs and cards whose tallies are worked out by hand.

now: Tuesday 10 March 2026, 12:00 UTC; days start at 4 a.m. Ann is in UTC. Ben is in New York,
where summer time began on Sunday 8 March: his days start at 09:00 UTC before it, 08:00 UTC after.
The class has the demo bank; "other" is not assigned, and the demo question "tf" is retired.
"""
from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from quizapp.domain import class_progress as cp
from quizapp.domain import scheduling as sched
from quizapp.extensions import db
from quizapp.models import Assignment, Bank, Card, Classroom, Membership, Question, ReviewLog
from quizapp.services import class_progress
from quizapp.services.accounts import create_user
from tests.factories import QUESTIONS, make_bank

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def at(day: int, hour: int, minute: int = 0, month: int = 3, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def world(app):
    with app.app_context():
        make_bank("demo", QUESTIONS)
        make_bank("other", QUESTIONS[:1], title="Other bank")
        q = {(b, k): i for i, b, k in db.session.execute(select(Question.id, Bank.slug, Question.key).join(Bank))}
        db.session.get(Question, q["demo", "tf"]).retired = True
        teacher = create_user("t@example.com", "correct horse battery", role="teacher")
        ann = create_user("ann@example.com", "correct horse battery", name="Ann")
        ben = create_user("ben@example.com", "correct horse battery", name="Ben", timezone="America/New_York")
        db.session.flush()
        room = Classroom(name="C", owner_id=teacher.id, join_code="CCCC2345")
        db.session.add(room)
        db.session.flush()
        demo = db.session.scalar(select(Bank.id).where(Bank.slug == "demo"))
        db.session.add(Assignment(class_id=room.id, bank_id=demo))
        db.session.add_all([Membership(class_id=room.id, user_id=u.id) for u in (ann, ben)])

        def card(user, bank, key, due):
            c = Card(user_id=user.id, question_id=q[bank, key], state=sched.REVIEW, stability=10.0, difficulty=5.0,
                     due=due, last_review=at(1, 12))
            db.session.add(c)
            db.session.flush()
            return c

        cards = {
            "ann": card(ann, "demo", "capital", at(9, 12)),  # overdue
            "ann-other": card(ann, "other", "capital", at(1, 12)),  # another bank: not counted
            "ann-retired": card(ann, "demo", "tf", at(1, 12)),  # a retired question: not counted
            "ben": card(ben, "demo", "capital", at(10, 10)),  # due; after his day began at 08:00 UTC
        }
        logs = [
            ("ann", at(10, 3), sched.AGAIN, sched.REVIEW),  # 03:00: still Ann's 9 March
            ("ann", at(10, 5), sched.GOOD, sched.REVIEW),  # 10 March, first: passed
            ("ann", at(10, 6), sched.AGAIN, sched.REVIEW),  # the same card and day again: counts too (Anki)
            ("ann", at(10, 7), sched.GOOD, sched.LEARNING),  # a review, not a review-state one
            ("ann-other", at(10, 8), sched.AGAIN, sched.REVIEW),
            ("ann-retired", at(10, 9), sched.AGAIN, sched.REVIEW),
            ("ann", at(1, 12, month=11, year=2025), sched.GOOD, sched.REVIEW),  # long before the 12 weeks
            ("ben", at(6, 8, 30), sched.GOOD, sched.REVIEW),  # 03:30 EST: his 5 March
            ("ben", at(9, 8, 30), sched.HARD, sched.REVIEW),  # 04:30 EDT: his 9 March (03:30 without DST)
        ]
        for n, (key, when, rating, prior) in enumerate(logs):
            c = cards[key]
            db.session.add(ReviewLog(user_id=c.user_id, card_id=c.id, client_id=f"log-{n}", rating=rating,
                                     prior_state=prior, reviewed_at=when, state_before={}, state_after={}))
        db.session.commit()
        yield {"class": room.id, "ann": ann.id, "ben": ben.id, "teacher": teacher.id, "demo": demo}


def test_day_tallies(app, world):
    with app.app_context():
        room = db.session.get(Classroom, world["class"])
        people = class_progress.members(room)
        counts = class_progress.card_counts(people, [world["demo"]], NOW)
        tallies = class_progress.day_tallies(people, [world["demo"]], NOW, date(2025, 12, 22))
    demo, ann, ben = world["demo"], world["ann"], world["ben"]
    assert sorted(tallies, key=lambda t: (t.user_id, t.day, t.bank_id or 0)) == [
        # user, bank, day, reviews, reviews of review-state cards, passed
        # (The other bank's card and the retired question's are not read.)
        (ann, demo, date(2026, 3, 9), 1, 1, 0),
        (ann, demo, date(2026, 3, 10), 3, 2, 1),
        (ben, demo, date(2026, 3, 5), 1, 1, 1),
        (ben, demo, date(2026, 3, 9), 1, 1, 1),
    ]
    # One studied card each in the demo bank (the other bank's and the retired question's not counted).
    assert sorted((c.user_id, c.bank_id, c.studied) for c in counts) == [(ann, demo, 1), (ben, demo, 1)]
    # Activity counts every review of the last 7 study days, whatever the bank; Ann's November one is older.
    with app.app_context():
        assert class_progress.recent_reviews(people, NOW) == {ann: 6, ben: 2}


def test_day_tallies_of_two_assigned_banks_keep_each_review_in_its_bank(app, world):
    with app.app_context():
        other = db.session.scalar(select(Bank.id).where(Bank.slug == "other"))
        db.session.add(Assignment(class_id=world["class"], bank_id=other))
        db.session.commit()
        people = class_progress.members(db.session.get(Classroom, world["class"]))
        both = class_progress.day_tallies(people, [world["demo"], other], NOW, date(2025, 12, 22))
        demo_only = class_progress.day_tallies(people, [world["demo"]], NOW, date(2025, 12, 22))
    ann = world["ann"]
    # Ann's 08:00 Again on the other bank's card is its own row; the demo rows are as with one bank.
    assert sorted(t for t in both if t.bank_id == other) == [(ann, other, date(2026, 3, 10), 1, 1, 0)]
    assert sorted(t for t in both if t.bank_id == world["demo"]) == sorted(demo_only)


def test_the_whole_view_and_the_class_pages_headline(app, world):
    from quizapp.models import User

    with app.app_context():
        room = db.session.get(Classroom, world["class"])
        progress = class_progress.class_progress(room, db.session.get(User, world["teacher"]), NOW)
        headline = class_progress.headline(room, NOW)
    ann, ben = progress.students
    # Ann: 1 + 3 + 2 reviews; review-state reviews of the demo bank 9 Mar (Again), 10 Mar (Good, Again): 1 of 3.
    assert (ann.name, ann.reviews_7d, ann.retention.reviews, ann.retention.passed) == ("Ann", 6, 3, 1)
    assert (ann.due_now, ann.overdue, ann.days_since_active) == (1, 1, 0)
    assert (ben.reviews_7d, ben.retention.reviews, ben.retention.passed, ben.due_now, ben.overdue) == (2, 2, 2, 1, 0)
    assert ben.days_since_active == 1  # 9 Mar 08:30 UTC, 04:30 in New York
    # Weeks: of 9 Mar, Ann's 9 and 10 Mar and Ben's 9 Mar (5 reviews, 2 of 4); of 2 Mar, Ben's 5 Mar.
    (series,) = progress.series
    assert [(w.week, w.reviews, w.retention.reviews, w.retention.passed, w.students)
            for w in series.weeks if w.reviews] == [(date(2026, 3, 2), 1, 1, 1, 1), (date(2026, 3, 9), 5, 4, 2, 2)]
    assert series.studied_by == 2
    full = progress.headline
    assert (headline.students, headline.active_7d, headline.reviews_7d, headline.due_now, headline.overdue) == (
        full.students, full.active_7d, full.reviews_7d, full.due_now, full.overdue) == (2, 2, 8, 2, 1)
    assert headline.retention is None and (full.retention.reviews, full.retention.passed) == (5, 3)


# -- the SQL counts against the domain's, card by card ---------------------------------------------
def _member_cards(people, bank_ids) -> list[cp.MemberCard]:
    """The members' cards as domain.class_progress.card_counts reads them (whole date-times)."""
    rows = db.session.execute(
        select(Card.user_id, Question.bank_id, Card.state, Card.stability, Card.difficulty, Card.due,
               Card.last_review, Card.suspended)
        .join(Question, Question.id == Card.question_id)
        .where(Card.user_id.in_([m.user_id for m in people]), Question.bank_id.in_(bank_ids),
               Question.retired.is_(False))).all()
    return [cp.MemberCard(*r) for r in rows]


@pytest.mark.parametrize("seed", range(3))
def test_the_sql_counts_equal_the_domain_counts_card_by_card(app, world, seed):
    """Many cards around every edge: due a microsecond either side of now and of each student's day start
    (New York has just changed to summer time), last reviews either side of study-day starts, stabilities
    putting recall a week ahead just above and below the desired retention, suspended and new cards."""
    rng = random.Random(seed)
    with app.app_context():
        room = db.session.get(Classroom, world["class"])
        people = class_progress.members(room)
        demo_ids = list(db.session.scalars(select(Question.id).where(Question.bank_id == world["demo"],
                                                                    Question.retired.is_(False))))
        edges = [NOW, at(10, 4), at(10, 8), at(9, 4), at(9, 8), at(3, 4), at(2, 9)]
        n = 0
        for m in people:
            for qid in demo_ids:
                for ordinal in range(1, 40):
                    edge = rng.choice(edges)
                    due = edge + timedelta(microseconds=rng.choice([-1, 0, 1]), days=rng.choice([0, 0, 1, -3]))
                    last = rng.choice(edges) - timedelta(days=rng.randint(0, 40), microseconds=rng.choice([-1, 0, 1]))
                    state = rng.choice([sched.NEW, sched.LEARNING, sched.REVIEW, sched.RELEARNING, sched.REVIEW])
                    studied = state != sched.NEW
                    db.session.add(Card(
                        user_id=m.user_id, question_id=qid, ordinal=ordinal, state=state,
                        stability=rng.choice([0.5, 6.9, 7.0, 7.1, 20.0, 47.0, 300.0]) if studied else None,
                        difficulty=5.0 if studied else None, due=due if studied else None,
                        last_review=last if studied else None, suspended=rng.random() < 0.15))
                    n += 1
        db.session.commit()
        people = class_progress.members(room)
        in_sql = class_progress.card_counts(people, [world["demo"]], NOW)
        by_hand = cp.card_counts(people, _member_cards(people, [world["demo"]]), NOW)
    assert n > 100
    assert sorted(in_sql) == sorted(by_hand)
    assert sum(c.due_now for c in in_sql) and sum(c.overdue for c in in_sql) and sum(c.mastered for c in in_sql)
