"""An assignment against its due date, per student (domain.class_progress): late, done on time, done
late, under way, not started; late ones first, and each bank's totals."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from quizapp.domain import class_progress as cp
from quizapp.domain import progress as prog

NOW = datetime(2026, 5, 10, 12, 0, tzinfo=UTC)
D = timedelta(days=1)


def row(user_id: int, name: str, studied: dict[int, int], cards: int = 4) -> cp.StudentRow:
    return cp.StudentRow(user_id, name, "", None, None, 0, prog.Retention(0, 0), 0, 0,
                         {b: prog.Mastery(cards, 0, n) for b, n in studied.items()})


def progress(*students: cp.StudentRow) -> cp.ClassProgress:
    return cp.ClassProgress(now=NOW, today=NOW.date(), banks=[(1, "Algebra"), (2, "History")],
                            students=list(students), series=[], desired_retention=0.9)


def test_each_state_against_the_due_date():
    ann, ben, cy, dee = row(1, "Ann", {1: 4}), row(2, "Ben", {1: 4}), row(3, "Cy", {1: 2}), row(4, "Dee", {1: 0})
    due = {1: NOW - 2 * D}
    finished = {(1, 1): NOW - 3 * D, (2, 1): NOW - D + timedelta(hours=1)}
    rows = {c.student.name: c for c in cp.completions(progress(ann, ben, cy, dee), due, finished)}
    assert {n: c.state(NOW) for n, c in rows.items()} == {
        "Ann": "done", "Ben": "done late", "Cy": "late", "Dee": "late"}
    assert rows["Ben"].days_past_due(NOW) == 1 and rows["Cy"].days_past_due(NOW) == 2
    assert rows["Ann"].days_past_due(NOW) == 0 and not rows["Ann"].done_late


def test_not_due_yet_is_under_way_or_not_started_and_no_due_date_is_never_late():
    ann, ben = row(1, "Ann", {1: 1, 2: 4}), row(2, "Ben", {1: 0, 2: 0})
    rows = cp.completions(progress(ann, ben), {1: NOW + D, 2: None}, {(1, 2): NOW})
    states = {(c.student.name, c.title): c.state(NOW) for c in rows}
    assert states == {("Ann", "Algebra"): "under way", ("Ben", "Algebra"): "not started",
                      ("Ann", "History"): "done", ("Ben", "History"): "not started"}
    assert not any(c.late(NOW) for c in rows)


def test_late_ones_come_first_and_each_bank_is_totalled():
    ann, ben, cy = row(1, "Ann", {1: 4, 2: 1}), row(2, "Ben", {1: 1, 2: 4}), row(3, "Cy", {1: 4, 2: 0})
    due = {1: NOW - D, 2: NOW + 5 * D}
    finished = {(1, 1): NOW - 2 * D, (3, 1): NOW, (2, 2): NOW - D}
    rows = cp.completions(progress(ann, ben, cy), due, finished)
    assert [(c.student.name, c.title, c.state(NOW)) for c in rows][:1] == [("Ben", "Algebra", "late")]
    totals = cp.assignment_totals(rows, NOW)
    assert [(t.title, t.students, t.done, t.done_late, t.late, t.under_way) for t in totals] == [
        ("Algebra", 3, 1, 1, 1, 0), ("History", 3, 1, 0, 0, 2)]
