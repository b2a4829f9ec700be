"""Per-learner card state (FSRS) and the log of every answer."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..domain.scheduling import LEARNING, NEW, RELEARNING, REVIEW, Stage  # noqa: F401 (the stored values)
from ..extensions import db
from .content import Question
from .types import UTCDateTime, utcnow


class Card(db.Model):
    """One learner's memory of one card: a question, or one deletion of a cloze question."""

    __tablename__ = "cards"
    __table_args__ = (
        UniqueConstraint("user_id", "question_id", "ordinal"),
        Index("ix_cards_user_due", "user_id", "due"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    ordinal: Mapped[int] = mapped_column(default=0)
    state: Mapped[int] = mapped_column(default=NEW)
    step: Mapped[int | None] = mapped_column(default=None)
    stability: Mapped[float | None] = mapped_column(default=None)
    difficulty: Mapped[float | None] = mapped_column(default=None)
    due: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    last_review: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    reps: Mapped[int] = mapped_column(default=0)
    lapses: Mapped[int] = mapped_column(default=0)
    leech: Mapped[bool] = mapped_column(default=False)
    suspended: Mapped[bool] = mapped_column(default=False)
    buried_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    question_version: Mapped[int] = mapped_column(default=1)
    # The learner's coloured flag (Anki's flags 1-4: red, orange, green, blue); 0: none.
    flag: Mapped[int] = mapped_column(default=0, server_default="0")
    # When the learner last reset the card to new (the browser's "Reset to new"): its answers before
    # are kept, but a replay of the card's answers (services.tuning) starts after it.
    reset_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)

    question: Mapped[Question] = relationship()


class ReviewLog(db.Model):
    """Every answer: what was given, how it was graded and rated, and the card before and after."""

    __tablename__ = "review_logs"
    __table_args__ = (
        # The client-made answer id: a retried or double-clicked answer is applied once.
        UniqueConstraint("user_id", "client_id"),
        # A learner's answers by time, carrying what the progress pages and the study queue read of
        # each (their range scans never visit the table: migration a7c3e5f9b2d4).
        Index("ix_review_logs_user_time_cover", "user_id", "reviewed_at", "card_id", "prior_state", "rating",
              "score", "kind", "duration_ms"),
        # The learner's latest study answer (undo, re-rate, the feedback page) without a sort.
        Index("ix_review_logs_user_kind_id", "user_id", "kind", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(8), default="study")
    rating: Mapped[int]
    # The card's state before this answer (0 = new): counts today's new cards and reviews cheaply.
    prior_state: Mapped[int] = mapped_column(default=0)
    score: Mapped[float | None] = mapped_column(default=None)
    answer: Mapped[Any | None] = mapped_column(JSON, default=None)
    duration_ms: Mapped[int | None] = mapped_column(default=None)
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    state_before: Mapped[dict[str, Any]] = mapped_column(JSON)
    state_after: Mapped[dict[str, Any]] = mapped_column(JSON)
    question_version: Mapped[int] = mapped_column(default=1)
    # The learner counted a near-miss typed answer as right ("it was a typo"): rated at most Good,
    # ``score`` keeps the grade as marked so teachers' statistics see the answer as typed.
    overridden: Mapped[bool] = mapped_column(default=False, server_default=sa_false())


class QuizAttempt(db.Model):
    """A quiz: N questions answered without feedback, then a score and a review of each answer."""

    __tablename__ = "quiz_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    bank_ids: Mapped[list[int]] = mapped_column(JSON)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    # Seconds allowed from ``started_at`` (None: no limit); past it (and a short grace) no answer is
    # taken and the attempt is closed when next seen, ``timed_out`` then set.
    time_limit: Mapped[int | None] = mapped_column(default=None)
    timed_out: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    # Whether answers move the cards on (Anki's "reschedule cards based on my answers"); False:
    # practice only, graded and kept with the attempt but no review is written.
    reschedule: Mapped[bool] = mapped_column(default=True, server_default=sa_true())

    items: Mapped[list[QuizItem]] = relationship(order_by="QuizItem.position", back_populates="attempt")


class QuizItem(db.Model):
    """One question of a quiz attempt and, once answered, the learner's answer and its mark."""

    __tablename__ = "quiz_items"
    __table_args__ = (UniqueConstraint("attempt_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempts.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    ordinal: Mapped[int] = mapped_column(default=0)
    question_version: Mapped[int] = mapped_column(default=1)
    response: Mapped[Any | None] = mapped_column(JSON, default=None)
    score: Mapped[float | None] = mapped_column(default=None)
    duration_ms: Mapped[int | None] = mapped_column(default=None)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    review_log_id: Mapped[int | None] = mapped_column(ForeignKey("review_logs.id", ondelete="SET NULL"))
    # The grade as given when answered ({"score", "expected", "feedback"}): a later edit of the
    # question does not change an attempt's result.
    outcome: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    # Marked by the learner to come back to (Moodle's "flag question").
    flagged: Mapped[bool] = mapped_column(default=False, server_default=sa_false())

    attempt: Mapped[QuizAttempt] = relationship(back_populates="items")
    question: Mapped[Question] = relationship()


class FirstAnswerStats(db.Model):
    """Learners' first study answers to each question, added up as they come (item analysis reads
    these few rows instead of every learner's review log). One row per question and, for choice
    questions, per distinct response (``response_key`` is a digest of ``response``, '' otherwise)."""

    __tablename__ = "first_answer_stats"

    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True)
    response_key: Mapped[str] = mapped_column(String(16), primary_key=True, default="")
    response: Mapped[str] = mapped_column(Text, default="")  # the response as JSON text
    answers: Mapped[int] = mapped_column(default=0)
    score_sum: Mapped[float] = mapped_column(default=0.0)
    duration_sum_ms: Mapped[int] = mapped_column(BigInteger, default=0)
    timed: Mapped[int] = mapped_column(default=0)  # answers with a known duration
