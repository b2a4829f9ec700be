"""A learner with known progress, written straight into cards and review_logs (for the progress tests).

The numbers the dashboard should show are worked out by hand in ``EXPECTED`` (the learner's
time zone is UTC, days start at 4 a.m.). Times are relative to ``now`` so the browser test, which
runs on the real clock, sees the same numbers.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from quizapp.domain import scheduling as sched
from quizapp.extensions import db
from quizapp.models import Bank, Card, Question, ReviewLog
from tests.factories import QUESTIONS, make_bank

TAGS = {"capital": ["treaty", "1949"], "members": ["alliances"], "tf": ["treaty"], "year": ["1949"]}
TAGGED_QUESTIONS = [{**q, "tags": TAGS[q["id"]]} if q["id"] in TAGS else q for q in QUESTIONS]

# Demo bank: 9 questions, 10 cards (the cloze question has two deletions).
EXPECTED = {
    "due": 3, "overdue": 2, "learning_due": 1, "reviews_today": 2, "streak": 3, "longest": 3,
    "heatmap_total": 11, "active_days": 4,
    "new": 3, "learning": 1, "young": 3, "mature": 2, "suspended": 1,
    "retention_reviews": 5, "retention_passed": 3,  # 60%: every review of a review-state card, as Anki counts
    "forecast": {0: 3, 2: 1, 20: 2},
    "weakest_first": "When was the PRC proclaimed?",  # the leech
}


def seed_learner(user_id: int, now: datetime, *, bank_id: str = "demo", title: str = "Demo bank",
                 **bank_options) -> dict[str, int]:
    """Makes the bank (once) and gives ``user_id`` the cards and reviews of EXPECTED; returns question ids."""
    if db.session.scalar(select(Bank.id).where(Bank.slug == bank_id)) is None:
        make_bank(bank_id, TAGGED_QUESTIONS, title=title, **bank_options)
    ids = {q.key: q.id for q in db.session.scalars(
        select(Question).join(Bank, Bank.id == Question.bank_id).where(Bank.slug == bank_id))}
    day_start, _ = sched.study_day(now, "UTC", 4)
    today = day_start + (now - day_start) / 2
    yesterday, two_ago, four_ago = (day_start - timedelta(days=n) + timedelta(hours=2) for n in (1, 2, 4))

    def add_card(key, state, due, last, ordinal=0, **kw) -> Card:
        c = Card(user_id=user_id, question_id=ids[key], ordinal=ordinal, state=state, due=due, last_review=last,
                 stability=kw.pop("stability", 10.0), difficulty=5.0, reps=kw.pop("reps", 3), **kw)
        db.session.add(c)
        db.session.flush()
        return c

    d = timedelta(days=1)
    cards = {
        "capital": add_card("capital", sched.REVIEW, now + 20 * d, now - 10 * d, stability=30.0),  # mature
        "members": add_card("members", sched.REVIEW, now - d, now - 6 * d, stability=5.0, lapses=1),  # young, overdue
        "tf": add_card("tf", sched.REVIEW, now + 20 * d, now - d, stability=25.0),  # exactly 21 days: mature
        "who": add_card("who", sched.LEARNING, now, now - timedelta(minutes=10), stability=1.0),  # learning, due
        "year": add_card("year", sched.REVIEW, now - 7 * d, now - 10 * d, stability=2.0, lapses=8,
                         leech=True),  # young leech, overdue
        "cloze": add_card("cloze", sched.REVIEW, now + 2 * d, now - 2 * d, ordinal=1, stability=4.0),  # young
        "order": add_card("order", sched.REVIEW, now + 3 * d, now - 3 * d, suspended=True),
    }
    # 11 reviews on 4 days (today, yesterday, two days ago; not three days ago; four days ago).
    logs = [
        ("capital", today, sched.GOOD, sched.REVIEW), ("capital", today, sched.AGAIN, sched.REVIEW),  # counts twice
        ("members", yesterday, sched.AGAIN, sched.REVIEW), ("year", yesterday, sched.GOOD, sched.REVIEW),
        ("who", yesterday, sched.GOOD, sched.NEW),
        ("tf", two_ago, sched.HARD, sched.REVIEW),
        *[("cloze", four_ago, sched.GOOD, sched.NEW)] * 5,
    ]
    for n, (key, when, rating, prior) in enumerate(logs):
        db.session.add(ReviewLog(user_id=user_id, card_id=cards[key].id, client_id=f"seed-{user_id}-{n}",
                                 rating=rating, prior_state=prior, reviewed_at=when + timedelta(seconds=n),
                                 state_before={}, state_after={}))
    db.session.commit()
    return ids
