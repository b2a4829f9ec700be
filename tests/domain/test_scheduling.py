"""FSRS scheduling of one card, study-day bounds in far-off time zones, interval labels."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quizapp.domain import scheduling as sched
from quizapp.domain.scheduling import (
    AGAIN,
    EASY,
    GOOD,
    HARD,
    LEARNING,
    LEECH_LAPSES,
    NEW,
    RELEARNING,
    REVIEW,
    CardState,
    interval_label,
    make_scheduler,
    preview,
    replay,
    retrievability,
    review,
    study_day,
)

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
SCHEDULER = make_scheduler()


def graduated(seed: str = "q1") -> CardState:
    """A card answered Good twice: out of learning, in Review."""
    card = review(CardState(), GOOD, NOW, SCHEDULER, seed)
    card = review(card, GOOD, card.due, SCHEDULER, seed)
    assert card.state == REVIEW
    return card


def test_first_good_review_of_a_new_card_goes_to_learning_with_a_short_due():
    card = review(CardState(), GOOD, NOW, SCHEDULER, "q1")
    assert card.state == LEARNING
    assert NOW < card.due <= NOW + timedelta(hours=1)
    assert card.last_review == NOW
    assert (card.reps, card.lapses, card.leech) == (1, 0, False)


def test_first_again_is_soon_and_first_easy_skips_learning():
    again = review(CardState(), AGAIN, NOW, SCHEDULER, "q1")
    assert again.state == LEARNING and again.due - NOW <= timedelta(minutes=5)
    easy = review(CardState(), EASY, NOW, SCHEDULER, "q1")
    assert easy.state == REVIEW and easy.due - NOW >= timedelta(days=1)


def test_review_needs_an_aware_time_and_stores_it_in_utc():
    with pytest.raises(ValueError, match="timezone-aware"):
        review(CardState(), GOOD, NOW.replace(tzinfo=None), SCHEDULER)
    beijing = NOW.astimezone(timezone(timedelta(hours=8)))
    card = review(CardState(), GOOD, beijing, SCHEDULER)
    assert card.last_review == NOW and card.last_review.utcoffset() == timedelta(0)


def test_again_on_a_review_card_counts_a_lapse_but_not_in_learning():
    card = review(CardState(), AGAIN, NOW, SCHEDULER)
    assert card.lapses == 0  # forgetting while still learning is no lapse
    card = graduated()
    lapsed = review(card, AGAIN, card.due, SCHEDULER, "q1")
    assert lapsed.state == RELEARNING
    assert lapsed.lapses == 1
    assert lapsed.due - card.due <= timedelta(hours=1)
    assert lapsed.stability < card.stability


def test_a_card_becomes_a_leech_at_eight_lapses_and_stays_one():
    card = graduated()
    for lapse in range(1, LEECH_LAPSES + 1):
        card = review(card, AGAIN, card.due, SCHEDULER, "q1")
        assert card.lapses == lapse
        assert card.leech is (lapse >= 8)
        card = review(card, GOOD, card.due, SCHEDULER, "q1")  # relearnt: back in Review
        assert card.state == REVIEW
    assert LEECH_LAPSES == 8
    assert card.leech and card.lapses == 8
    card = review(card, GOOD, card.due, SCHEDULER, "q1")
    assert card.leech  # answering well does not clear the flag


@pytest.mark.parametrize("make", [CardState, graduated], ids=["new-card", "review-card"])
def test_preview_gives_four_increasing_intervals(make):
    card = make()
    now = card.due or NOW
    intervals = preview(card, now, SCHEDULER, "q1")
    assert list(intervals) == [AGAIN, HARD, GOOD, EASY]
    values = list(intervals.values())
    assert all(v > timedelta(0) for v in values)
    assert values == sorted(values) and len(set(values)) == 4
    # The buttons show what the review will do.
    assert intervals[GOOD] == review(card, GOOD, now, SCHEDULER, "q1").due - now


def test_replaying_the_log_gives_the_same_state():
    card, when, log = CardState(), NOW, []
    for rating in (GOOD, GOOD, HARD, AGAIN, GOOD, EASY, GOOD):
        card = review(card, rating, when, SCHEDULER, "bank/q1")
        log.append((rating, when))
        when = card.due + timedelta(hours=3)
    assert replay(log, SCHEDULER, "bank/q1") == card
    assert replay(log, make_scheduler(), "bank/q1") == card  # a fresh scheduler, same answer
    assert card.reps == len(log) and card.lapses == 1
    assert CardState.from_json(card.to_json()) == card


def test_fuzz_spreads_long_intervals_by_card_but_not_short_ones():
    card = graduated()
    later = card.due + timedelta(days=2)
    dues = {review(card, GOOD, later, SCHEDULER, f"q{n}").due for n in range(20)}
    assert len(dues) > 1  # different cards reviewed together come back on different days
    short = {review(CardState(), GOOD, NOW, SCHEDULER, f"q{n}").due for n in range(5)}
    assert len(short) == 1


def test_retrievability():
    assert retrievability(CardState(), NOW, SCHEDULER) == 0.0
    card = graduated()
    at_due = retrievability(card, card.due, SCHEDULER)
    much_later = retrievability(card, card.due + timedelta(days=200), SCHEDULER)
    assert 0.8 < at_due < 1.0
    assert 0.0 < much_later < at_due


def test_state_of_a_new_card():
    assert CardState().state == NEW and CardState().due is None


@pytest.mark.parametrize(("interval", "label"), [
    (timedelta(seconds=0), "1m"),
    (timedelta(seconds=-5), "1m"),
    (timedelta(seconds=20), "1m"),
    (timedelta(minutes=10), "10m"),
    (timedelta(minutes=59), "59m"),
    (timedelta(hours=1), "1h"),
    (timedelta(hours=3, minutes=20), "3h"),
    (timedelta(days=1), "1d"),
    (timedelta(days=4, hours=5), "4d"),
    (timedelta(days=29), "29d"),
    (timedelta(days=63), "2.1mo"),
    (timedelta(days=364), "12.1mo"),
    (timedelta(days=365), "1.0y"),
    (timedelta(days=548), "1.5y"),
])
def test_interval_label(interval, label):
    assert interval_label(interval) == label


# -- study days ---------------------------------------------------------------------------------


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_study_day_in_kiritimati_utc_plus_14():
    # 4 a.m. on 3 March in Kiritimati is 14:00 UTC on 2 March.
    assert study_day(utc(2026, 3, 2, 14, 0), "Pacific/Kiritimati", 4) == (utc(2026, 3, 2, 14), utc(2026, 3, 3, 14))
    assert study_day(utc(2026, 3, 2, 13, 59), "Pacific/Kiritimati", 4) == (utc(2026, 3, 1, 14), utc(2026, 3, 2, 14))
    # Late at night local time (23:30 on 2 March = 09:30 UTC) still counts for 2 March.
    assert study_day(utc(2026, 3, 2, 9, 30), "Pacific/Kiritimati", 4) == (utc(2026, 3, 1, 14), utc(2026, 3, 2, 14))


def test_study_day_in_honolulu_utc_minus_10():
    # 4 a.m. on 2 March in Honolulu is 14:00 UTC on 2 March.
    assert study_day(utc(2026, 3, 2, 14, 0), "Pacific/Honolulu", 4) == (utc(2026, 3, 2, 14), utc(2026, 3, 3, 14))
    assert study_day(utc(2026, 3, 2, 13, 59, 59), "Pacific/Honolulu", 4) == (utc(2026, 3, 1, 14), utc(2026, 3, 2, 14))
    # 1 a.m. on 3 March local (11:00 UTC) is still 2 March's study day.
    assert study_day(utc(2026, 3, 3, 11, 0), "Pacific/Honolulu", 4) == (utc(2026, 3, 2, 14), utc(2026, 3, 3, 14))


def test_the_same_instant_falls_on_different_local_dates_across_the_date_line():
    instant = utc(2026, 3, 2, 20, 0)
    for zone, local_date in (("Pacific/Kiritimati", 3), ("Pacific/Honolulu", 2)):
        start, end = study_day(instant, zone, 4)
        assert start.astimezone(ZoneInfo(zone)).replace(tzinfo=None) == datetime(2026, 3, local_date, 4)
        assert end.astimezone(ZoneInfo(zone)).replace(tzinfo=None) == datetime(2026, 3, local_date + 1, 4)
        assert start <= instant < end


def test_study_day_with_another_day_start_hour():
    assert study_day(utc(2026, 3, 2, 5, 0), "UTC", 0) == (utc(2026, 3, 2), utc(2026, 3, 3))
    assert study_day(utc(2026, 3, 2, 5, 0), "UTC", 6) == (utc(2026, 3, 1, 6), utc(2026, 3, 2, 6))


def test_study_day_on_new_york_dst_changes():
    # Clocks went forward at 2 a.m. on Sunday 8 March 2026: Saturday's study day lasts 23 hours.
    saturday = study_day(utc(2026, 3, 7, 20, 0), "America/New_York", 4)
    assert saturday == (utc(2026, 3, 7, 9), utc(2026, 3, 8, 8))  # 4 a.m. EST to 4 a.m. EDT
    assert saturday[1] - saturday[0] == timedelta(hours=23)
    sunday = study_day(utc(2026, 3, 8, 12, 0), "America/New_York", 4)
    assert sunday == (utc(2026, 3, 8, 8), utc(2026, 3, 9, 8))
    assert saturday[1] == sunday[0]  # no gap, no overlap
    # 3:30 a.m. EDT on the Sunday (07:30 UTC) is still Saturday's study day.
    assert study_day(utc(2026, 3, 8, 7, 30), "America/New_York", 4) == saturday
    # Clocks went back on Sunday 1 November 2026: Saturday's study day lasts 25 hours.
    autumn = study_day(utc(2026, 10, 31, 20, 0), "America/New_York", 4)
    assert autumn == (utc(2026, 10, 31, 8), utc(2026, 11, 1, 9))
    assert autumn[1] - autumn[0] == timedelta(hours=25)


@given(st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2060, 1, 1), timezones=st.just(UTC)),
       st.sampled_from(["UTC", "America/New_York", "Asia/Kolkata", "Asia/Kathmandu", "Australia/Lord_Howe",
                        "Pacific/Chatham", "Europe/London"]),
       st.integers(0, 23))
def test_the_study_day_of_an_instant_is_its_local_date_from_the_day_start(moment, timezone, hour):
    """The quarter-hour shortcut in day_number gives what converting the very instant gives, in zones
    with half- and quarter-hour offsets and half-hour daylight saving (Lord Howe) too."""
    zone = ZoneInfo(timezone)
    local = moment.astimezone(zone)
    start = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    expected = (start if local >= start else start - timedelta(days=1)).date().toordinal()
    assert sched.day_number(moment, zone, hour) == expected
