"""Item analysis of one bank, from finished quiz attempts and learners' first answers in study.

Per question (Moodle's definitions, domain.stats.items): facility, SD, discrimination index and
discriminative efficiency from quizzes, where each attempt's total over this bank's questions is
the test score; facility and time from first-time study answers; how often each choice was picked.
Whole-quiz figures (Cronbach's alpha, error ratio, standard error) treat quiz positions as slots,
as Moodle does for random questions: over the finished single-bank attempts of the most common length.
"""
from __future__ import annotations

import json
import weakref
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Text, cast, select

from ..domain.questions import get_type
from ..domain.stats.items import (
    DistractorAnalysis,
    FirstTimeStats,
    ItemStats,
    OverallStats,
    QuizAttempts,
    distractor_counts,
    item_flags,
    item_statistics,
    overall_statistics,
)
from ..extensions import db
from ..models import Bank, FirstAnswerStats, Question, QuizAttempt, QuizItem


@dataclass(frozen=True)
class QuestionInfo:
    """What the report shows of a question: a plain copy, so a cached report outlives its session."""

    id: int
    key: str
    type: str
    data: dict[str, Any]


@dataclass(frozen=True)
class QuestionRow:
    question: QuestionInfo
    quiz: ItemStats | None
    study: FirstTimeStats
    distractors: DistractorAnalysis | None

    @property
    def flags(self) -> tuple[str, ...]:
        flags = (self.quiz.flags if self.quiz and self.quiz.attempts >= 2 else ()) or self.study.flags
        return tuple(dict.fromkeys(flags))


@dataclass(frozen=True)
class BankAnalysis:
    rows: list[QuestionRow]
    overall: OverallStats | None
    slot_attempts: int  # attempts behind ``overall``
    slots: int
    quiz_attempts: int


def _json(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _hashable(response: Any) -> Any:
    if isinstance(response, list):
        return tuple(str(r) for r in response)
    if isinstance(response, bool):
        return "true" if response else "false"
    return None if response in (None, "") else str(response)


def analyse(bank: Bank) -> BankAnalysis:
    questions = [q for q in bank.questions if not q.retired]
    keys = {q.id: q.key for q in questions}

    # Quizzes: one row per answered item of this bank (finished attempts only).
    items = db.session.execute(
        # The JSON columns as their stored text: decoding 100,000 of them was most of the page's time;
        # the distinct responses are decoded once each below.
        select(QuizItem.attempt_id, QuizItem.question_id, QuizItem.position, QuizItem.score,
               QuizItem.duration_ms, cast(QuizItem.response, Text), cast(QuizAttempt.bank_ids, Text))
        .join(QuizAttempt, QuizAttempt.id == QuizItem.attempt_id)
        .join(Question, Question.id == QuizItem.question_id)
        .where(Question.bank_id == bank.id, QuizAttempt.finished_at.is_not(None), QuizItem.score.is_not(None))
    ).all()
    marks: dict[int, dict[str, float]] = defaultdict(dict)
    times: dict[int, dict[str, float | None]] = defaultdict(dict)
    slots: dict[int, dict[str, float]] = defaultdict(dict)
    responses: dict[int, Counter] = defaultdict(Counter)
    raw_picks: dict[int, Counter] = defaultdict(Counter)
    alone = {json.dumps([bank.id]), f"[{bank.id}]"}  # this bank only, as SQLite or PostgreSQL write it
    for attempt_id, question_id, position, score, duration_ms, response, bank_ids in items:
        if question_id not in keys:
            continue
        marks[attempt_id][keys[question_id]] = score
        times[attempt_id][keys[question_id]] = duration_ms / 1000 if duration_ms is not None else None
        if bank_ids in alone:
            slots[attempt_id][f"slot {position + 1}"] = score
        raw_picks[question_id][response] += 1
    for question_id, picks in raw_picks.items():
        for response, n in picks.items():
            responses[question_id][_hashable(_json(response))] += n
    attempt_ids = sorted(marks)
    answered = {key for attempt in marks.values() for key in attempt}
    quiz = {s.key: s for s in item_statistics(QuizAttempts(
        [marks[a] for a in attempt_ids], durations=[times[a] for a in attempt_ids],
        questions=[k for k in keys.values() if k in answered]))} if attempt_ids else {}

    overall, slot_attempts, n_slots = None, 0, 0
    if slots:
        n_slots = Counter(len(s) for s in slots.values()).most_common(1)[0][0]
        same = [s for s in slots.values() if len(s) == n_slots]
        if n_slots >= 2:
            overall = overall_statistics(QuizAttempts(same, questions=[f"slot {i + 1}" for i in range(n_slots)]))
            slot_attempts = len(same)

    # Study: each learner's first answer to each card, from the running totals (services.first_answers).
    study: dict[int, tuple[int, float | None, float | None]] = {}
    sums: dict[int, list[float]] = defaultdict(lambda: [0, 0.0, 0, 0])
    for qid, response, n, score_sum, duration_sum, timed in db.session.execute(
        select(FirstAnswerStats.question_id, FirstAnswerStats.response, FirstAnswerStats.answers,
               FirstAnswerStats.score_sum, FirstAnswerStats.duration_sum_ms, FirstAnswerStats.timed)
        .join(Question, Question.id == FirstAnswerStats.question_id).where(Question.bank_id == bank.id)
    ):
        total = sums[qid]
        total[0] += n
        total[1] += score_sum
        total[2] += duration_sum
        total[3] += timed
        if response and n > 0:
            responses[qid][_hashable(_json(response))] += n
    for qid, (n, score_sum, duration_sum, timed) in sums.items():
        if n > 0:
            study[qid] = (int(n), score_sum / n, duration_sum / timed if timed else None)

    rows = []
    for q in questions:
        n, avg_score, avg_ms = study.get(q.id, (0, None, None))
        facility = avg_score * 100 if avg_score is not None else None
        first = FirstTimeStats(n, facility, avg_ms / 1000 if avg_ms is not None else None,
                               item_flags(facility, None, n))
        info = QuestionInfo(q.id, q.key, q.type, dict(q.data))
        rows.append(QuestionRow(info, quiz.get(q.key), first, _distractors(info, responses.get(q.id))))
    return BankAnalysis(rows, overall, slot_attempts, n_slots, len(attempt_ids))


def _distractors(q: QuestionInfo, picked: Counter | None) -> DistractorAnalysis | None:
    options = get_type(q.type).choice_options(q.data)
    if options is None or not picked:
        return None
    choices, correct = options
    return distractor_counts(picked.items(), correct, choices)


CSV_HEADER = ("question", "type", "quiz attempts", "facility %", "sd %", "discrimination index",
              "discriminative efficiency", "mean time s", "first answers", "first-answer facility %",
              "first-answer mean time s", "flags")


def csv_rows(analysis: BankAnalysis):
    def r(value: float | None) -> float | str:
        return "" if value is None else round(value, 2)

    for row in analysis.rows:
        s = row.quiz
        yield (row.question.key, row.question.type, s.attempts if s else 0, r(s and s.facility), r(s and s.sd),
               r(s and s.discrimination_index), r(s and s.discriminative_efficiency), r(s and s.mean_time),
               row.study.attempts, r(row.study.facility), r(row.study.mean_time), "; ".join(row.flags))


# Moodle computes its quiz statistics once and keeps them (quiz_statistics, 15 minutes by default),
# saying when they were computed, with "Recalculate now". The report reads every finished quiz
# answer of the bank, so its cost grows with the school's quizzes: computed once per bank and
# worker, kept until the bank changes or MAX_AGE passes; a teacher may recalculate at most every
# RECALCULATE_AFTER.
MAX_AGE = timedelta(minutes=10)
RECALCULATE_AFTER = timedelta(seconds=30)
# Per database engine (a test's database is another engine, even at the same URL): bank id -> (the
# bank's updated_at, when computed, the report).
_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_CACHE_BANKS = 256


@dataclass(frozen=True)
class Report:
    analysis: BankAnalysis
    computed_at: datetime
    fresh: bool  # computed for this request


def report(bank: Bank, now: datetime, recalculate: bool = False) -> Report:
    """The bank's item analysis, from this worker's cache when it is recent and the bank unchanged."""
    cache = _CACHE.setdefault(db.engine, {})
    key = bank.id
    hit = cache.get(key)
    if hit is not None and hit[0] == bank.updated_at:
        _, computed, analysis = hit
        age = now - computed
        if age < (RECALCULATE_AFTER if recalculate else MAX_AGE) and age >= timedelta(0):
            return Report(analysis, computed, fresh=False)
    analysis = analyse(bank)
    if len(cache) >= _CACHE_BANKS:
        cache.clear()
    cache[key] = (bank.updated_at, now, analysis)
    return Report(analysis, now, fresh=True)
