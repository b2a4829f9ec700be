"""The class view's numbers from plain data, against a small example worked out by hand.

now: Wednesday 4 March 2026, 12:00 UTC. Days start at 4 a.m.
  Ann (UTC): today 4 Mar, her day began 04:00 UTC. Ben (New York): 07:00 there, today 4 Mar too,
  but his day began 09:00 UTC. Cy: never studied.
  Last 7 days: 26 Feb .. 4 Mar; last 30 days: 3 Feb .. 4 Mar.
  The 12 weeks: Mondays 15 Dec 2025 .. 2 Mar 2026. Banks: History (10) and Algebra (20).
Recall now of a card is 90 % when the days since its last review equal its stability, 100 % on
the day of the review (FSRS's definition of stability; elapsed days are whole study days). Mastery looks
7 days ahead: a card is mastered when 7 days from now it will still be at or above 90 %, that is when
(days since its last review + 7) <= its stability.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from quizapp.domain import class_progress as cp
from quizapp.domain import progress as prog
from quizapp.domain import scheduling as sched
from quizapp.domain.progress import StudyCalendar

NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
D, H, M = timedelta(days=1), timedelta(hours=1), timedelta(minutes=1)
UTC4 = StudyCalendar("UTC", 4)
NY = StudyCalendar("America/New_York", 4)
HISTORY, ALGEBRA = 10, 20
ANN, BEN, CY = 1, 2, 3

MEMBERS = [
    # Reviews in the last 7 days are counted by the service (tests/services/test_class_progress.py).
    cp.Member(ANN, "Ann", "ann@example.com", UTC4, last_active=NOW - H, reviews_7d=9),
    cp.Member(BEN, "Ben", "ben@example.com", NY, last_active=datetime(2026, 3, 2, 10, 0, tzinfo=UTC),  # 05:00 NY
              reviews_7d=4),
    cp.Member(CY, "Cy", "cy@example.com", UTC4),
]
T = cp.DayTally
TALLIES = [
    # user, bank, day, reviews, reviews of review-state cards, of those not Again
    T(ANN, HISTORY, date(2026, 3, 4), 5, 3, 2),
    T(ANN, None, date(2026, 3, 3), 4, 2, 0),  # a bank not assigned: nowhere
    T(ANN, ALGEBRA, date(2026, 2, 25), 2, 2, 2),  # 30 days, not 7
    T(ANN, HISTORY, date(2026, 1, 20), 6, 4, 1),  # 12 weeks, not 30 days
    T(BEN, HISTORY, date(2026, 2, 26), 3, 1, 0),  # the first of the 7 days
    T(BEN, HISTORY, date(2026, 3, 2), 1, 1, 1),
    T(BEN, HISTORY, date(2025, 12, 14), 9, 9, 9),  # the Sunday before the 12 weeks: nowhere
]
C = cp.MemberCard
CARDS = [
    # user, bank, state, stability, difficulty, due, last review, suspended
    C(ANN, HISTORY, sched.REVIEW, 10.0, 5.0, NOW - H, NOW - 10 * D),  # due today, not overdue; recall 90 %
    C(ANN, HISTORY, sched.REVIEW, 5.0, 5.0, NOW - D, NOW - 5 * D),  # overdue; 90 %
    C(ANN, HISTORY, sched.NEW, None, None, None, None),  # never studied: nowhere
    C(ANN, ALGEBRA, sched.REVIEW, 3.0, 5.0, NOW - 2 * D, NOW - 3 * D, True),  # suspended: not due; 90 %
    C(ANN, ALGEBRA, sched.LEARNING, 1.0, 5.0, NOW + 10 * M, NOW - 10 * M),  # reviewed today: 100 %
    C(BEN, HISTORY, sched.RELEARNING, 2.0, 5.0, NOW - D, NOW - 2 * D),  # overdue; 90 %
    C(BEN, HISTORY, sched.REVIEW, 20.0, 5.0, NOW + 20 * D, NOW),  # not due; 100 %
    # Due 08:00 UTC today: before Ben's day began (09:00 UTC), so overdue for him; 90 %.
    C(BEN, HISTORY, sched.REVIEW, 2.0, 5.0, datetime(2026, 3, 4, 8, 0, tzinfo=UTC), NOW - 2 * D),
]
BANKS = [(HISTORY, "History"), (ALGEBRA, "Algebra")]


@pytest.fixture
def progress():
    return cp.class_progress(MEMBERS, BANKS, TALLIES, cp.card_counts(MEMBERS, CARDS, NOW), NOW, date(2026, 3, 4),
                             {HISTORY: 10, ALGEBRA: 20})


def test_one_row_per_student(progress):
    ann, ben, cy = progress.students
    # Ann: retention (3 + 2 reviews of review cards, 2 + 2 passed: the unassigned bank's 2 left out, 20 Jan
    # too old) = 4 / 5; due: the two History cards, one overdue.
    assert (ann.name, ann.reviews_7d, ann.retention.reviews, ann.retention.passed) == ("Ann", 9, 5, 4)
    assert ann.retention.rate == pytest.approx(0.8)
    assert (ann.due_now, ann.overdue, ann.days_since_active) == (2, 1, 0)
    # Mastery: of History's 10 cards, none (10 + 7 > 10, 5 + 7 > 5); of Algebra's 20, none (one suspended,
    # one in learning: 7 > 1). Studied cards are counted beside.
    assert ann.mastery[HISTORY] == prog.Mastery(cards=10, mastered=0, studied=2)
    assert ann.mastery[ALGEBRA] == prog.Mastery(cards=20, mastered=0, studied=2)
    # Ben: 1 of 2 passed; due: the relearning card and the 08:00 one, both overdue.
    assert (ben.reviews_7d, ben.retention.reviews, ben.retention.passed, ben.retention.rate) == (4, 2, 1, 0.5)
    assert (ben.due_now, ben.overdue) == (2, 2)
    assert ben.days_since_active == 2  # 2 Mar 05:00 in New York, two study days before 4 Mar
    # Ben: the card reviewed today with stability 20 holds a week (0 + 7 <= 20); the others (2 + 7 > 2) do not.
    # Algebra, never opened: 0 of 20, not a blank.
    assert ben.mastery[HISTORY] == prog.Mastery(10, 1, 3) and ben.mastery[ALGEBRA] == prog.Mastery(20, 0, 0)
    # Cy: nothing anywhere, mastery 0 of every bank.
    assert (cy.reviews_7d, cy.retention.rate, cy.due_now, cy.overdue) == (0, None, 0, 0)
    assert cy.mastery == {HISTORY: prog.Mastery(10, 0, 0), ALGEBRA: prog.Mastery(20, 0, 0)}
    assert cy.last_active is None and cy.days_since_active is None


def test_the_headline_pools_the_students(progress):
    head = progress.headline
    assert (head.students, head.active_7d, head.reviews_7d, head.due_now, head.overdue) == (3, 2, 13, 4, 3)
    assert (head.retention.reviews, head.retention.passed) == (7, 5)  # 71.4 %


def test_weekly_series_per_bank(progress):
    algebra, history = progress.series  # by title
    assert (algebra.title, history.title) == ("Algebra", "History")
    assert [w.week for w in history.weeks][::11] == [date(2025, 12, 15), date(2026, 3, 2)]
    assert len(history.weeks) == 12
    weeks = {w.week: (w.reviews, w.retention.reviews, w.retention.passed, w.students)
             for w in history.weeks if w.reviews}
    # Week of 2 Mar: Ann's 4 Mar (5; 2 of 3) and Ben's 2 Mar (1; 1 of 1): 6 reviews, 3 of 4, two students.
    # Week of 23 Feb: Ben's 26 Feb. Week of 19 Jan: Ann's 20 Jan. Ben's 14 Dec is before the 12 weeks.
    assert weeks == {date(2026, 3, 2): (6, 4, 3, 2), date(2026, 2, 23): (3, 1, 0, 1), date(2026, 1, 19): (6, 4, 1, 1)}
    assert history.weeks[-1].retention.rate == pytest.approx(0.75)
    assert (history.reviews, history.max_reviews, history.studied_by) == (15, 6, 2)
    assert (history.retention.reviews, history.retention.passed) == (9, 4)
    assert [(w.week, w.reviews, w.students) for w in algebra.weeks if w.reviews] == [(date(2026, 2, 23), 2, 1)]
    assert (algebra.retention.rate, algebra.studied_by) == (1.0, 1)
    assert progress.desired_retention == pytest.approx(0.9)


def test_csv_tables(progress):
    header, rows = cp.table(progress, "students")
    assert header[:9] == ["student", "email", "last active (UTC)", "reviews last 7 days",
                           "reviews of review cards last 30 days",
                          "not again", "true retention %", "due now", "overdue"]
    assert header[9:] == ["mastery % Algebra", "mastery % History", "studied cards Algebra", "studied cards History"]
    assert rows[0] == ["Ann", "ann@example.com", "2026-03-04T11:00:00+00:00", 9, 5, 4, "80.0", 2, 1,
                       "0.0", "0.0", 2, 2]
    assert rows[1][9:] == ["0.0", "10.0", 0, 3]
    assert rows[2] == ["Cy", "cy@example.com", "", 0, 0, 0, "", 0, 0, "0.0", "0.0", 0, 0]
    header, rows = cp.table(progress, "weekly")
    assert header == ["bank", "week of", "reviews", "students active", "reviews of review cards", "not again",
                      "true retention %"]
    assert len(rows) == 24 and rows[-1] == ["History", "2026-03-02", 6, 2, 4, 3, "75.0"]
    with pytest.raises(KeyError):
        cp.table(progress, "users")


def test_an_empty_class():
    progress = cp.class_progress([], [], [], [], NOW, date(2026, 3, 4))
    assert progress.students == [] and progress.series == [] and progress.headline.retention.rate is None
    assert cp.table(progress, "students")[1] == []


@pytest.mark.parametrize("parameters", [None, [0.3, 1.2, 3.1, 15.0, 7.2, 0.5, 1.5, 0.01, 1.5, 0.15, 1.0, 1.9, 0.1,
                                               0.3, 2.3, 0.2, 3.0, 0.5, 0.66, 0.1, 0.3]])
def test_the_fast_recall_is_fsrs_retrievability(parameters):
    scheduler = sched.make_scheduler(0.9, parameters)
    recall = cp.recall_function(scheduler)
    for state, stability, last in [(sched.REVIEW, 3.3, NOW - 7.5 * D), (sched.RELEARNING, 0.4, NOW - 40 * D),
                                   (sched.LEARNING, 12.0, NOW - H), (sched.REVIEW, 50.0, NOW + D),
                                   (sched.NEW, None, None)]:
        card = C(ANN, HISTORY, state, stability, 5.0, NOW, last)
        expected = sched.retrievability(sched.CardState(state=state, stability=stability, difficulty=5.0, due=NOW,
                                                        last_review=last), NOW, scheduler)
        assert recall(card, NOW) == pytest.approx(expected, abs=1e-12)


def test_who_needs_help_comes_first_with_the_reasons(progress):
    flagged = cp.needs_help(progress)
    # Ben: 2 overdue (and his 2 reviews are too few to judge retention); Ann: 1 overdue; Cy: never studied.
    assert [(s.name, reasons) for s, reasons in flagged] == [
        ("Ben", ["2 cards overdue"]), ("Ann", ["1 card overdue"]), ("Cy", ["never studied"])]


def test_low_retention_counts_only_from_enough_reviews():
    row = cp.StudentRow(1, "Dee", "", NOW, 0, 5, prog.Retention(30, 18), 0, 0, {})  # 60 % of 30
    assert cp.help_reasons(row, 0.9) == ["true retention 60% of 30 reviews"]
    few = cp.StudentRow(1, "Dee", "", NOW, 0, 5, prog.Retention(10, 2), 0, 0, {})
    assert cp.help_reasons(few, 0.9) == []


def test_assignments_late_ones_first(progress):
    due = {HISTORY: NOW - D, ALGEBRA: NOW + 3 * D}
    rows = cp.completions(progress, due)
    # History is past due and nobody has studied all 10 of its cards: every student late there, first.
    assert [(c.student.name, c.title, c.late(NOW)) for c in rows[:3]] == [
        ("Ann", "History", True), ("Ben", "History", True), ("Cy", "History", True)]
    assert [(c.studied, c.cards) for c in rows[:2]] == [(2, 10), (3, 10)]
    assert all(not c.late(NOW) for c in rows[3:]) and {c.title for c in rows[3:]} == {"Algebra"}
