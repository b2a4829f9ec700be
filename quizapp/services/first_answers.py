"""Running totals of learners' first study answers per question (and per choice picked).

Kept in the same transaction as the answer (and taken back by undo), so item analysis of a bank
reads a few rows per question instead of every learner's review log.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import Text, cast, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite

from ..domain.questions import get_type
from ..extensions import db
from ..models import Card, FirstAnswerStats, Question, ReviewLog
from ..models.reviews import NEW


def counts(log: ReviewLog) -> bool:
    """Whether an answer is a first study answer with a mark (what the totals add up)."""
    return log.kind == "study" and log.prior_state == NEW and log.score is not None


def _key(question_type: str, response_json: str) -> tuple[str, str]:
    if not get_type(question_type).counts_choices:  # totals per response only where choices are counted
        return "", ""
    return hashlib.sha256(response_json.encode()).hexdigest()[:16], response_json


def add(question: Question, log: ReviewLog, sign: int = 1) -> None:
    """Adds (``sign`` 1) or takes back (-1) one answer. Runs a statement: call it before adding
    the log to the session, so the log is flushed only at the commit."""
    # The same text the JSON column stores, so totals rebuilt from the log match these.
    key, response = _key(question.type, json.dumps(log.answer))
    values: dict[str, Any] = {
        "question_id": question.id, "response_key": key, "response": response, "answers": sign,
        "score_sum": sign * float(log.score or 0), "duration_sum_ms": sign * (log.duration_ms or 0),
        "timed": sign * (log.duration_ms is not None)}
    insert = (postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert)(FirstAnswerStats)
    excluded = insert.excluded
    table = FirstAnswerStats.__table__.c
    db.session.execute(insert.values(**values).on_conflict_do_update(
        index_elements=["question_id", "response_key"],
        set_={"answers": table.answers + excluded.answers, "score_sum": table.score_sum + excluded.score_sum,
              "duration_sum_ms": table.duration_sum_ms + excluded.duration_sum_ms,
              "timed": table.timed + excluded.timed}))
    if sign < 0:  # an undone only answer leaves no row behind, as a rebuild would
        db.session.execute(delete(FirstAnswerStats).where(
            FirstAnswerStats.question_id == question.id, FirstAnswerStats.response_key == key,
            FirstAnswerStats.answers <= 0))


def forget(question_id: int) -> None:
    """A question whose answer changed starts its totals afresh (answers to the old one no longer say much)."""
    db.session.execute(delete(FirstAnswerStats).where(FirstAnswerStats.question_id == question_id))


def rebuild() -> int:
    """Recomputes every total from the review log (after a bulk load that bypassed the services)."""
    db.session.execute(delete(FirstAnswerStats))
    rows = db.session.execute(
        select(Question.id, Question.type, cast(ReviewLog.answer, Text), func.count(), func.sum(ReviewLog.score),
               func.coalesce(func.sum(ReviewLog.duration_ms), 0), func.count(ReviewLog.duration_ms))
        .join(Card, Card.id == ReviewLog.card_id).join(Question, Question.id == Card.question_id)
        .where(ReviewLog.kind == "study", ReviewLog.prior_state == NEW, ReviewLog.score.is_not(None),
               ReviewLog.question_version == Question.version)
        .group_by(Question.id, Question.type, cast(ReviewLog.answer, Text))).all()
    totals: dict[tuple[int, str], dict[str, Any]] = {}
    for qid, qtype, answer, n, score_sum, duration_sum, timed in rows:
        key, response = _key(qtype, answer or "null")
        row = totals.setdefault((qid, key), {"question_id": qid, "response_key": key, "response": response,
                                             "answers": 0, "score_sum": 0.0, "duration_sum_ms": 0, "timed": 0})
        row["answers"] += n
        row["score_sum"] += float(score_sum or 0)
        row["duration_sum_ms"] += int(duration_sum or 0)
        row["timed"] += timed
    if totals:
        db.session.execute(FirstAnswerStats.__table__.insert(), list(totals.values()))
    return len(totals)
