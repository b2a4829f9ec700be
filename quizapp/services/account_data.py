"""A learner's own data, to take away: their account, cards, answers and quiz answers.

Every query is filtered by the one account asked for (``user_id``), so a download holds nobody
else's rows. The same rows serve the JSON document and the three CSV tables; questions are named
by their bank's slug and their key (the names a bank file uses), times are UTC ISO 8601. In the
CSV a typed answer is its text (a formula-like one quoted), any other answer its JSON.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select

from ..domain.progress import to_csv
from ..extensions import db
from ..models import Bank, Card, Classroom, Membership, Question, QuizAttempt, QuizItem, ReviewLog, User
from ..models.reviews import LEARNING, NEW, RELEARNING, REVIEW
from .errors import NotFound

STATE_NAMES = {NEW: "new", LEARNING: "learning", REVIEW: "review", RELEARNING: "relearning"}
Table = tuple[list[str], list[list[Any]]]


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _csv_value(value: Any) -> Any:
    """A typed answer stays text; a list or mapping (choices, pairs, blanks) becomes JSON text."""
    return json.dumps(value, ensure_ascii=False) if isinstance(value, list | dict) else value


def cards(user_id: int) -> Table:
    header = ["bank", "question", "ordinal", "state", "due", "last_review", "stability", "difficulty", "reps",
              "lapses", "suspended", "leech"]
    rows = db.session.execute(
        select(Bank.slug, Question.key, Card).join(Question, Question.id == Card.question_id)
        .join(Bank, Bank.id == Question.bank_id).where(Card.user_id == user_id)
        .order_by(Bank.slug, Question.position, Question.id, Card.ordinal))
    return header, [[slug, key, c.ordinal, STATE_NAMES.get(c.state, str(c.state)), _time(c.due),
                     _time(c.last_review), c.stability, c.difficulty, c.reps, c.lapses, c.suspended, c.leech]
                    for slug, key, c in rows]


def reviews(user_id: int) -> Table:
    header = ["id", "reviewed_at", "kind", "bank", "question", "ordinal", "rating", "score", "answer", "duration_ms",
              "counted_as_right"]
    rows = db.session.execute(
        select(Bank.slug, Question.key, Card.ordinal, ReviewLog).join(Card, Card.id == ReviewLog.card_id)
        .join(Question, Question.id == Card.question_id).join(Bank, Bank.id == Question.bank_id)
        .where(ReviewLog.user_id == user_id).order_by(ReviewLog.reviewed_at, ReviewLog.id))
    return header, [[r.id, _time(r.reviewed_at), r.kind, slug, key, ordinal, r.rating, r.score, r.answer,
                     r.duration_ms, r.overridden] for slug, key, ordinal, r in rows]


def quiz_answers(user_id: int) -> Table:
    header = ["attempt", "started_at", "finished_at", "position", "bank", "question", "ordinal", "response", "score",
              "answered_at", "duration_ms"]
    rows = db.session.execute(
        select(QuizAttempt, QuizItem, Bank.slug, Question.key).join(QuizItem, QuizItem.attempt_id == QuizAttempt.id)
        .join(Question, Question.id == QuizItem.question_id).join(Bank, Bank.id == Question.bank_id)
        .where(QuizAttempt.user_id == user_id).order_by(QuizAttempt.started_at, QuizAttempt.id, QuizItem.position))
    return header, [[a.id, _time(a.started_at), _time(a.finished_at), i.position, slug, key, i.ordinal,
                     i.response, i.score, _time(i.answered_at), i.duration_ms]
                    for a, i, slug, key in rows]


TABLES: dict[str, Callable[[int], Table]] = {"cards": cards, "reviews": reviews, "quiz_answers": quiz_answers}


def table_csv(user: User, name: str) -> str:
    """One table as CSV (cells a spreadsheet would run as formulas are quoted)."""
    if name not in TABLES:
        raise NotFound(f"No such table: choose one of {', '.join(TABLES)}.")
    header, rows = TABLES[name](user.id)
    return to_csv(header, ([_csv_value(v) for v in row] for row in rows))


def document(user: User, now: datetime) -> dict[str, Any]:
    """Everything as one JSON-ready document: the account, its classes and the three tables."""
    classes = db.session.scalars(select(Classroom.name).join(Membership, Membership.class_id == Classroom.id)
                                 .where(Membership.user_id == user.id).order_by(Classroom.name))
    out: dict[str, Any] = {
        "exported_at": _time(now),
        "account": {"email": user.email, "name": user.name, "role": user.role, "created_at": _time(user.created_at),
                    **user.settings(), "fsrs_parameters": user.fsrs_parameters, "classes": list(classes)},
    }
    for name, read in TABLES.items():
        header, rows = read(user.id)
        out[name] = [dict(zip(header, row)) for row in rows]  # answers as the JSON values they are
    return out
