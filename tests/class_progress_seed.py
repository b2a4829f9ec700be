"""A class with known progress, for the class view's web and browser tests.

Ms Teach's class "History 1" has the demo bank assigned. Its students (UTC, days from 4 a.m.):
- Ann: tests/progress_seed.py's learner (11 reviews in the last 5 days, true retention 3 of 5,
  3 cards due now, 2 of them overdue);
- Ben: yesterday a review-state card answered Again then Good in its relearning step (one review of a
  review card, failed; the relearning step is no such review), 10 days
  ago Good (passed), and today one answer in a bank the class does not have (activity only):
  3 reviews in 7 days, true retention 1 of 2, nothing due;
- Cy: joined, never studied.
Zed has Ann's data too but is not in the class. Times are relative to ``now`` (the browser test
runs on the real clock), so every figure in ``EXPECTED`` holds whenever the tests run.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from quizapp.domain import scheduling as sched
from quizapp.extensions import db
from quizapp.models import Assignment, Bank, Card, Classroom, Membership, Question, ReviewLog
from quizapp.services.accounts import create_user
from tests.conftest import PASSWORD
from tests.factories import QUESTIONS, make_bank
from tests.progress_seed import EXPECTED as ANN
from tests.progress_seed import seed_learner

EXPECTED = {
    "Ann": {"last": "today", "reviews": ANN["heatmap_total"], "retention": "–", "due": ANN["due"],
            "overdue": ANN["overdue"]},
    "Ben": {"last": "today", "reviews": 3, "retention": "–", "due": 0, "overdue": 0},  # 2 reviews: too few
    "Cy": {"last": "never", "reviews": 0, "retention": "–", "due": 0, "overdue": 0},
    # The class: 2 of 3 active; 11 + 3 reviews; reviews of review cards 5 + 2, passed 3 + 1 (57%); 3 due,
    # 2 overdue.
    "headline": {"active": "2", "reviews": "14", "retention": "–", "due": "3", "overdue": 2},
    # The demo bank over 12 weeks: Ann's 11 and Ben's 3 reviews (his other bank's answer is not its).
    "bank": {"reviews": 14, "first": 7, "passed": 4, "studied_by": 2},
}


def seed_class(now: datetime) -> dict[str, int]:
    """Makes the people, the class and their progress; returns ids by name (and "class", "bank")."""
    ids = {name: create_user(f"{name.lower()}@example.com", PASSWORD, name=name).id for name in ("Ben", "Cy", "Zed")}
    ids["Ann"] = create_user("ann@example.com", PASSWORD, name="Ann").id
    teacher = create_user("teacher@example.com", PASSWORD, role="teacher", name="Ms Teach")
    db.session.commit()
    seed_learner(ids["Ann"], now)
    seed_learner(ids["Zed"], now)
    make_bank("other", QUESTIONS[:2], title="Other bank")
    demo = db.session.scalar(select(Bank).where(Bank.slug == "demo"))
    room = Classroom(name="History 1", owner_id=teacher.id, join_code="HIST2345", created_at=now)
    db.session.add(room)
    db.session.flush()
    db.session.add(Assignment(class_id=room.id, bank_id=demo.id, assigned_at=now))
    for i, name in enumerate(("Ann", "Ben", "Cy")):
        db.session.add(Membership(class_id=room.id, user_id=ids[name], joined_at=now + timedelta(seconds=i)))

    def question(slug: str, key: str) -> int:
        return db.session.scalar(select(Question.id).join(Bank).where(Bank.slug == slug, Question.key == key))

    day_start, _ = sched.study_day(now, "UTC", 4)
    yesterday = day_start - timedelta(days=1) + timedelta(hours=2)
    card = Card(user_id=ids["Ben"], question_id=question("demo", "capital"), state=sched.REVIEW, stability=5.0,
                difficulty=5.0, due=now + timedelta(days=5), last_review=yesterday, reps=3)
    other = Card(user_id=ids["Ben"], question_id=question("other", "capital"), state=sched.REVIEW, stability=5.0,
                 difficulty=5.0, due=now + timedelta(days=5), last_review=now, reps=2)
    db.session.add_all([card, other])
    db.session.flush()
    logs = [(card, now - timedelta(days=10), sched.GOOD, sched.REVIEW), (card, yesterday, sched.AGAIN, sched.REVIEW),
            (card, yesterday + timedelta(minutes=5), sched.GOOD, sched.RELEARNING),
            (other, day_start + (now - day_start) / 2, sched.AGAIN, sched.REVIEW)]
    for n, (c, when, rating, prior) in enumerate(logs):
        db.session.add(ReviewLog(user_id=ids["Ben"], card_id=c.id, client_id=f"ben-{n}", rating=rating,
                                 prior_state=prior, reviewed_at=when, state_before={}, state_after={}))
    db.session.commit()
    return {**ids, "class": room.id, "bank": demo.id, "teacher": teacher.id}
