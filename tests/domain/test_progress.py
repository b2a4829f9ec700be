"""The dashboard's sums on small examples worked out by hand (no app, no database)."""
from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest

from quizapp.domain import progress as prog
from quizapp.domain import scheduling as sched

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # a Monday
NEW_YORK = prog.StudyCalendar("America/New_York", 4)  # EST (UTC-5) until 8 March 2026, then EDT (UTC-4)
UTC_4AM = prog.StudyCalendar("UTC", 4)


def card(card_id, due=None, state=sched.REVIEW, last_review=None, **kw) -> prog.CardInfo:
    return prog.CardInfo(card_id=card_id, question_id=card_id, bank_id=kw.pop("bank_id", 1), state=state, due=due,
                         last_review=last_review, stability=kw.pop("stability", 10.0), difficulty=5.0, **kw)


# -- calendar -------------------------------------------------------------------------------------
@pytest.mark.parametrize("when", [
    datetime(2026, 3, 2, 8, 59, tzinfo=UTC), datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
    datetime(2026, 3, 8, 7, 59, tzinfo=UTC), datetime(2026, 3, 8, 8, 0, tzinfo=UTC),  # the DST morning
    datetime(2026, 11, 1, 8, 30, tzinfo=UTC), datetime(2026, 11, 1, 9, 0, tzinfo=UTC),
])
def test_calendar_agrees_with_scheduling_study_day(when):
    start, end = sched.study_day(when, "America/New_York", 4)
    day = NEW_YORK.date_of(when)
    assert NEW_YORK.start_of(day) == start and NEW_YORK.start_of(day + timedelta(days=1)) == end


def test_calendar_days_start_at_the_learners_hour():
    # 08:59 UTC is 03:59 in New York (EST): still the study day of 1 March; 09:00 UTC is 04:00, 2 March.
    assert NEW_YORK.date_of(datetime(2026, 3, 2, 8, 59, tzinfo=UTC)) == date(2026, 3, 1)
    assert NEW_YORK.date_of(datetime(2026, 3, 2, 9, 0, tzinfo=UTC)) == date(2026, 3, 2)
    # After the clocks go forward (8 March) the day starts an hour earlier in UTC.
    assert NEW_YORK.start_of(date(2026, 3, 9)) == datetime(2026, 3, 9, 8, 0, tzinfo=UTC)


def test_day_shifts_let_sql_find_study_days_without_time_zones():
    # New York, days from 4 a.m.: 09:00 UTC under EST, 08:00 UTC once EDT starts (8 March, a 23-hour
    # day 7 March); the switch is made halfway through 7 March's study day.
    assert NEW_YORK.day_shifts(date(2026, 3, 1), date(2026, 3, 12)) == [
        (datetime(2026, 3, 7, 20, 30, tzinfo=UTC), 9 * 3600), (None, 8 * 3600)]
    assert UTC_4AM.day_shifts(date(2026, 3, 1), date(2026, 3, 12)) == [(None, 4 * 3600)]
    # Kolkata (UTC+5:30): a day starts at 22:30 UTC the evening before: shift back is negative.
    assert prog.StudyCalendar("Asia/Kolkata", 4).day_shifts(date(2026, 3, 1), date(2026, 3, 2)) == [(None, -5400)]


@pytest.mark.parametrize("calendar", [NEW_YORK, prog.StudyCalendar("Europe/London", 0),
                                      prog.StudyCalendar("Australia/Lord_Howe", 4),  # DST of half an hour
                                      prog.StudyCalendar("Pacific/Chatham", 23)])  # UTC+12:45 / +13:45
def test_day_shifts_agree_with_the_calendar_every_quarter_hour_of_a_year(calendar):
    first, last = date(2026, 1, 1), date(2026, 12, 31)
    shifts = calendar.day_shifts(first, last)
    when, end = calendar.start_of(first), calendar.start_of(last + timedelta(days=1))
    while when < end:
        shift = next(s for until, s in shifts if until is None or when < until)
        assert (when - timedelta(seconds=shift)).date() == calendar.date_of(when), when
        when += timedelta(minutes=15)


# -- due and forecast ----------------------------------------------------------------------------
def forecast_cards():
    return [
        card(1, datetime(2026, 3, 2, 8, 30, tzinfo=UTC)),  # 03:30 EST 2 March: study day 1 March, overdue
        card(2, datetime(2026, 3, 3, 8, 59, tzinfo=UTC)),  # 03:59 EST 3 March: still today's study day
        card(3, datetime(2026, 3, 3, 9, 0, tzinfo=UTC)),  # 04:00 EST 3 March: tomorrow
        card(4, datetime(2026, 3, 9, 8, 30, tzinfo=UTC)),  # 04:30 EDT 9 March (03:30 if DST were ignored)
        card(5, datetime(2026, 4, 5, 12, 0, tzinfo=UTC)),  # beyond 30 days
        card(6, datetime(2026, 3, 2, 11, 0, tzinfo=UTC), state=sched.LEARNING),  # learning, due an hour ago
        card(7, datetime(2026, 3, 2, 10, 0, tzinfo=UTC), suspended=True),  # suspended: never due
        card(8, None, state=sched.NEW),  # new: not scheduled
    ]


def test_forecast_of_cards_across_a_day_start_and_a_dst_change():
    days = prog.forecast(forecast_cards(), NOW, NEW_YORK)
    assert len(days) == 30 and days[0].day == date(2026, 3, 2) and days[29].day == date(2026, 3, 31)
    assert {i: d.count for i, d in enumerate(days) if d.count} == {0: 3, 1: 1, 7: 1}


def test_due_today_counts_overdue_and_learning():
    assert prog.due_today(forecast_cards(), NOW, NEW_YORK) == prog.DueToday(due=3, overdue=1, learning=1)


# -- heatmap and streak --------------------------------------------------------------------------
def test_heatmap_grid_runs_monday_to_sunday_and_stops_today():
    today = date(2026, 3, 4)  # a Wednesday
    grid = prog.heatmap({today: 8, date(2026, 3, 2): 2, date(2025, 1, 1): 50}, today)
    assert len(grid.weeks) == 53 and grid.weeks[0][0].day == date(2025, 3, 3)  # a Monday, 52 weeks back
    assert [c.day.weekday() for c in grid.weeks[10]] == list(range(7))
    last = grid.weeks[-1]
    assert [c.count if c else None for c in last] == [2, 0, 8, None, None, None, None]
    assert [c.level if c else None for c in last][:3] == [1, 0, 4]  # 2 of 8 is the first quarter
    assert (grid.max_count, grid.total, grid.active_days) == (8, 10, 2)  # a day outside the year is left out


@pytest.mark.parametrize("count, top, level", [(0, 8, 0), (1, 8, 1), (2, 8, 1), (3, 8, 2), (6, 8, 3), (7, 8, 4),
                                               (8, 8, 4)])
def test_heat_levels_are_quarters_of_the_busiest_day(count, top, level):
    assert prog.heat_level(count, top) == level


def test_streak_broken_by_a_missed_day():
    today = date(2026, 3, 10)
    days = [today, today - timedelta(days=1), today - timedelta(days=3), today - timedelta(days=4),
            today - timedelta(days=5)]  # 7 March missed
    assert prog.streak(days, today) == prog.Streak(current=2, longest=3, studied_today=True)


def test_streak_survives_today_until_the_day_is_over():
    today = date(2026, 3, 10)
    days = [today - timedelta(days=1), today - timedelta(days=2)]
    assert prog.streak(days, today) == prog.Streak(current=2, longest=2, studied_today=False)
    assert prog.streak([today - timedelta(days=2)], today).current == 0  # yesterday missed: broken


def test_streak_reaching_the_first_day_looked_at_is_marked_as_possibly_longer():
    today = date(2026, 3, 10)
    days = [today - timedelta(days=i) for i in range(5)]
    assert prog.streak(days, today, first_day=today - timedelta(days=4)).capped
    assert not prog.streak(days, today, first_day=today - timedelta(days=9)).capped


# -- card counts ----------------------------------------------------------------------------------
def test_young_and_mature_at_exactly_21_days():
    reviewed = datetime(2026, 3, 1, tzinfo=UTC)
    cards = [
        card(1, reviewed + timedelta(days=21), last_review=reviewed),  # exactly 21 days: mature
        card(2, reviewed + timedelta(days=21) - timedelta(minutes=1), last_review=reviewed),  # young
        card(3, reviewed + timedelta(days=2), last_review=reviewed),  # young
        card(4, reviewed, state=sched.LEARNING, last_review=reviewed),
        card(5, reviewed, state=sched.RELEARNING, last_review=reviewed),
        card(6, reviewed + timedelta(days=40), last_review=reviewed, suspended=True),
        card(7, None, state=sched.NEW, suspended=True),  # suspended before study: suspended, not new
        card(8, None, state=sched.NEW),  # a row back to new (undone): still new
    ]
    # 12 cards in the banks, 7 rows studied or suspended: 5 new (card 8 and 4 cards never answered).
    assert prog.card_counts(cards, total_cards=12) == prog.CardCounts(new=5, learning=2, young=2, mature=1,
                                                                      suspended=2)
    assert prog.is_mature(cards[0]) and not prog.is_mature(cards[1])


# -- true retention -------------------------------------------------------------------------------
def test_retention_counts_every_review_state_review_as_anki_does():
    """Anki's true retention (rslib/src/stats/graphs/retention.rs) counts every rated review of a card
    with an interval of a day or more -- a review-state card answered twice in a day counts twice."""
    d = date(2026, 3, 2)
    reviews = [
        prog.Review(1, d, sched.GOOD),
        prog.Review(1, d, sched.AGAIN),  # card 1 again that day (a quiz, a review ahead): counts too
        prog.Review(2, d, sched.AGAIN),
        prog.Review(3, d, sched.HARD),  # Hard is a pass
        prog.Review(1, d + timedelta(days=1), sched.AGAIN),
    ]
    total = prog.retention_by(reviews, lambda r: "all")["all"]
    assert (total.reviews, total.passed) == (5, 2) and total.rate == 0.4
    by_day = prog.retention_by(reviews, lambda r: r.day)
    assert by_day[d] == prog.Retention(4, 2) and by_day[d + timedelta(days=1)] == prog.Retention(1, 0)


def test_retention_per_week_keeps_twelve_weeks_oldest_first():
    today = date(2026, 3, 4)  # Wednesday; this week began Monday 2 March
    reviews = [prog.Review(1, date(2026, 3, 1), sched.GOOD),  # Sunday: the week of 23 February
               prog.Review(2, date(2026, 3, 2), sched.AGAIN), prog.Review(3, date(2026, 3, 3), sched.EASY),
               prog.Review(4, date(2025, 12, 1), sched.GOOD)]  # before the 12 weeks
    weeks = prog.retention_by_week(reviews, today)
    assert len(weeks) == 12 and weeks[0].week == date(2025, 12, 15) and weeks[-1].week == date(2026, 3, 2)
    assert weeks[-1].retention == prog.Retention(2, 1) and weeks[-2].retention == prog.Retention(1, 1)
    assert sum(w.retention.reviews for w in weeks) == 3 and weeks[0].retention.rate is None


# -- mastery and weakest --------------------------------------------------------------------------
def test_mastery_is_the_share_of_all_cards_recalled_a_week_ahead():
    scheduler = sched.make_scheduler(0.9)
    # FSRS: recall is exactly 90 % once as many days have passed as the stability (whole study days here,
    # every time at noon UTC). In 7 days: card 1 (S=10, reviewed 10 days ago) is 17 days out, below 90 %;
    # card 2 (S=30, just reviewed) is 7 days out, above; card 3 (S=7, reviewed today) is at exactly 90 %.
    cards = [
        card(1, NOW, last_review=NOW - timedelta(days=10), stability=10.0, bank_id=1, tags=("treaty", "1950")),
        card(2, NOW, last_review=NOW, stability=30.0, bank_id=1, tags=("treaty",)),
        card(3, NOW, last_review=NOW, stability=7.0, bank_id=2),
        card(4, None, state=sched.NEW, bank_id=2, tags=("treaty",)),  # a row, never studied
        card(5, NOW, last_review=NOW, stability=30.0, bank_id=2, suspended=True),  # suspended: not mastered
    ]
    mastered = prog.mastered_cards(cards, NOW, scheduler, 0.9)
    assert mastered == {2, 3}
    # Bank 1 has 4 cards (two never studied, with no row at all), bank 2 has 3, bank 3 (never opened) 5.
    banks = prog.mastery_by(cards, mastered, {1: 4, 2: 3, 3: 5}, lambda c: [c.bank_id])
    assert banks[1] == prog.Mastery(cards=4, mastered=1, studied=2) and banks[1].share == 0.25
    assert banks[2] == prog.Mastery(cards=3, mastered=1, studied=2)
    assert banks[3] == prog.Mastery(cards=5, mastered=0, studied=0) and banks[3].share == 0.0  # 0, not "–"
    tags = prog.mastery_by(cards, mastered, {"treaty": 3, "1950": 1}, lambda c: c.tags)
    assert tags["treaty"] == prog.Mastery(3, 1, 2) and tags["1950"] == prog.Mastery(1, 0, 1)


def test_right_after_an_answer_nothing_is_mastered_yet():
    """Recall now is near 100 % after any answer; a week ahead tells a learnt card from a seen one."""
    scheduler = sched.make_scheduler(0.9)
    just_seen = [card(n, NOW + timedelta(minutes=10), state=sched.LEARNING, last_review=NOW, stability=0.5)
                 for n in range(1, 31)]
    assert all(r > 0.99 for r in prog.recall_now(just_seen, NOW, scheduler).values())
    assert prog.mastered_cards(just_seen, NOW, scheduler, 0.9) == set()


def test_weakest_puts_leeches_first_then_recent_mistakes_then_lowest_recall_then_lapses():
    cards = [card(1, NOW), card(2, NOW, lapses=8, leech=True), card(3, NOW, lapses=2), card(4, NOW, lapses=5),
             card(5, NOW), card(6, NOW, lapses=9, leech=True, suspended=True), card(7, NOW),
             card(8, NOW + timedelta(minutes=1), state=sched.LEARNING)]
    recall = {1: 0.5, 2: 0.95, 3: 0.8, 4: 0.8, 5: 0.97, 6: 0.1, 7: 0.99, 8: 0.99}
    # 7 was answered wrong twice and 8 once in the last 14 days (8 in its learning steps): both weak,
    # although their recall right now is high.
    wrong = {7: 2, 8: 1}
    weak = prog.weakest(cards, recall, desired_retention=0.9, wrong_recently=wrong)
    # 5 is above the desired retention, never forgotten, never wrong lately: not weak; 6 is suspended.
    assert [w.card.card_id for w in weak] == [2, 7, 8, 1, 4, 3]
    assert weak[1].wrong_recently == 2
    assert len(prog.weakest(cards, recall, 0.9, wrong, limit=2)) == 2


def test_a_learner_who_failed_12_of_30_sees_those_12_as_weak():
    scheduler = sched.make_scheduler(0.9)
    # 30 cards answered today; 12 of them Again (in learning steps again), 18 right (in learning, due later).
    cards = [card(n, NOW + timedelta(minutes=10), state=sched.LEARNING, last_review=NOW, stability=2.0)
             for n in range(1, 31)]
    wrong = {n: 1 for n in range(1, 13)}
    recall = prog.recall_now(cards, NOW, scheduler)
    weak = prog.weakest(cards, recall, 0.9, wrong, limit=None)
    assert {w.card.card_id for w in weak} == set(range(1, 13))
    mastered = prog.mastered_cards(cards, NOW, scheduler, 0.9)
    assert prog.mastery_by(cards, mastered, {1: 30}, lambda c: [1])[1].share < 1.0


def test_retention_below_twenty_reviews_is_not_enough_and_has_an_honest_interval():
    assert not prog.Retention(2, 2).enough and prog.Retention(20, 15).enough
    low, high = prog.Retention(2, 2).interval
    assert high == 1.0 and low == pytest.approx(0.342, abs=0.001)  # 2 of 2: somewhere from 34 % to 100 %
    low, high = prog.Retention(100, 90).interval
    assert (low, high) == (pytest.approx(0.8256, abs=1e-4), pytest.approx(0.9448, abs=1e-4))
    assert prog.Retention().interval is None


# -- tables and CSV -------------------------------------------------------------------------------
def test_csv_cells_that_would_run_as_formulas_get_a_quote():
    text = prog.to_csv(["question", "n"], [["=1+1", 3], ["+SUM(A1)", -2], ["-x", 0], ["@cmd", 1], ["plain", 1.5],
                                           ["a,b \"q\"", 2]])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["question", "n"], ["'=1+1", "3"], ["'+SUM(A1)", "-2"], ["'-x", "0"], ["'@cmd", "1"],
                    ["plain", "1.5"], ['a,b "q"', "2"]]
    assert text.endswith("\r\n")


def test_every_table_has_a_header_and_rows_of_its_width():
    cards = forecast_cards()
    dash = prog.Dashboard(
        learner="Ada", now=NOW, today=date(2026, 3, 2), calendar=NEW_YORK, desired_retention=0.9,
        due=prog.due_today(cards, NOW, NEW_YORK), reviews_today=0, forecast=prog.forecast(cards, NOW, NEW_YORK),
        heatmap=prog.heatmap({date(2026, 3, 1): 4}, date(2026, 3, 2)), streak=prog.streak([], date(2026, 3, 2)),
        counts=prog.card_counts(cards, 10), retention_weeks=prog.retention_by_week([], date(2026, 3, 2)),
        retention_banks=[prog.NamedRetention("Bank", prog.Retention(4, 3))], retention_total=prog.Retention(4, 3),
        mastery_banks=[prog.NamedMastery("Bank", prog.Mastery(4, 1, 2))],
        mastery_tags=[prog.NamedMastery("=tag", prog.Mastery(1, 0, 1))],
        weakest=[prog.WeakQuestion(1, 0, "=HYPERLINK()", "Bank", 0.5, 2, True)])
    for name in prog.TABLES:
        header, rows = prog.table(dash, name)
        assert rows and all(len(r) == len(header) for r in rows), name
    assert prog.table(dash, "retention")[1][-1] == ["bank", "Bank", 4, 3, "", "", "", "90.0"]  # too few for a rate
    assert prog.table(dash, "mastery")[1][0] == ["bank", "Bank", 4, 2, 1, "25.0"]
    assert prog.table(dash, "heatmap")[1][-2:] == [["2026-03-01", 4], ["2026-03-02", 0]]
    assert "'=HYPERLINK()" in prog.to_csv(*prog.table(dash, "weakest"))
    with pytest.raises(KeyError):
        prog.table(dash, "users")


def test_the_closed_form_recall_is_fsrs_retrievability_in_study_days():
    scheduler = sched.make_scheduler(0.9, None, "America/New_York", 4)
    cards = [card(n, NOW, last_review=NOW - timedelta(hours=h), stability=s)
             for n, (h, s) in enumerate([(1, 0.5), (20, 2.0), (30, 3.3), (24 * 40 + 7, 12.0), (24 * 400, 90.0)])]
    for when in (NOW, NOW + timedelta(days=7), NOW + timedelta(days=3, hours=13)):
        fast = prog.recall_at(cards, when, scheduler)
        for c in cards:
            assert fast[c.card_id] == pytest.approx(sched.retrievability(c.card_state(), when, scheduler), abs=1e-12)
