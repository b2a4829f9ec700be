"""The teacher's grid of latest answers, from plain rows."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from quizapp.domain import answer_grid as ag
from quizapp.domain.scheduling import AGAIN, GOOD, HARD

T = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
M = timedelta(minutes=1)


def test_the_latest_answer_of_each_kind_counts_and_verdicts_follow_the_pass_mark():
    students = [(1, "Ann"), (2, "Ben"), (3, "Cy")]
    questions = [(10, "q1", "First?"), (20, "q2", "Second?")]
    answers = [
        (1, 10, "study", 0.0, AGAIN, T), (1, 10, "study", 1.0, GOOD, T + M),  # wrong, then right: right
        (1, 10, "quiz", 0.5, AGAIN, T + 2 * M),  # half right in a quiz: wrong (below 0.8)
        (2, 10, "study", 0.85, HARD, T),  # partly right
        (2, 20, "study", None, AGAIN, T), (1, 20, "study", None, GOOD, T),  # flashcards: by rating
    ]
    g = ag.grid(students, questions, answers)
    assert (g.cell(1, 10).study.verdict, g.cell(1, 10).quiz.verdict) == ("right", "wrong")
    assert g.cell(2, 10).study.verdict == "partly" and g.cell(2, 10).quiz is None
    assert (g.cell(2, 20).study.verdict, g.cell(1, 20).study.verdict) == ("wrong", "right")
    assert g.cell(3, 10) == ag.Cell()
    # The later of study and quiz decides "wrong now": Ann's quiz came after her right study answer.
    assert g.wrong_by(10) == 1 and g.wrong_by(20) == 1
    header, rows = ag.table(g)
    assert len(rows) == 6 and rows[0][:6] == ["Ann", "q1", "First?", "right", (T + M).isoformat(), "wrong"]
