"""Properties of the scheduler against the reference ``fsrs.Scheduler`` (hypothesis, thousands of
answer sequences): what a button shows is what pressing it applies, the four buttons are ordered,
memory states are fsrs's own for the elapsed study days, and fuzz stays inside fsrs's fuzz range.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler, State
from hypothesis import given, settings
from hypothesis import strategies as st

from quizapp.domain import scheduling as sched

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
ZONES = ["UTC", "America/New_York", "Asia/Shanghai", "Europe/London", "Australia/Sydney", "Pacific/Auckland"]

steps = st.lists(st.tuples(st.sampled_from(sched.RATINGS),
                           st.integers(min_value=0, max_value=60 * 24 * 90)),  # minutes after the card was due
                 min_size=1, max_size=12)


def reference(card: sched.CardState, rating: int, now: datetime, scheduler: sched.StudyScheduler) -> FsrsCard:
    """fsrs.Scheduler itself (no fuzz) on the card, elapsed time counted in the learner's study days."""
    plain = Scheduler(parameters=scheduler.parameters, desired_retention=scheduler.desired_retention,
                      enable_fuzzing=False, maximum_interval=scheduler.maximum_interval)
    if card.state == sched.NEW:
        fcard = FsrsCard(card_id=1)
    else:
        elapsed = scheduler.day_number(now) - scheduler.day_number(card.last_review)
        fcard = FsrsCard(card_id=1, state=State(card.state), step=card.step, stability=card.stability,
                         difficulty=card.difficulty, due=card.due, last_review=now - timedelta(days=elapsed))
    return plain.review_card(fcard, Rating(rating), review_datetime=now)[0]


@settings(max_examples=400, deadline=None)
@given(steps=steps, zone=st.sampled_from(ZONES), hour=st.integers(0, 23), seed=st.text(min_size=1, max_size=8))
def test_buttons_show_what_they_apply_ordered_and_as_fsrs_computes(steps, zone, hour, seed):
    scheduler = sched.make_scheduler(0.9, None, zone, hour)
    card, now = sched.CardState(), START
    for rating, late in steps:
        shown = sched.preview(card, now, scheduler, seed)
        # Again <= Hard <= Good <= Easy, and the passing review intervals strictly increase.
        values = [shown[r] for r in sched.RATINGS]
        assert values == sorted(values), values
        states = sched.next_states(card, now, scheduler, seed)
        passing = [shown[r].days for r in (sched.HARD, sched.GOOD, sched.EASY) if states[r].state == sched.REVIEW]
        assert passing == sorted(passing), passing
        below_cap = [d for d in passing if d < sched.MAX_INTERVAL_DAYS]  # only the 100-year cap may tie
        assert below_cap == sorted(set(below_cap)) and passing.count(sched.MAX_INTERVAL_DAYS) <= 3, passing
        # A moment later (same study day) the same button applies exactly what it showed.
        moment = now + timedelta(seconds=7)
        if scheduler.day_number(moment) == scheduler.day_number(now):
            after = sched.review(card, rating, moment, scheduler, seed)
            assert sched.interval_label(sched.interval_of(card, after, moment, scheduler)) == sched.interval_label(
                shown[rating])
        after = sched.review(card, rating, now, scheduler, seed)
        assert after == states[rating]
        # Memory state and learning steps are fsrs's own.
        ref = reference(card, rating, now, scheduler)
        assert (after.state, after.step) == (int(ref.state), ref.step)
        assert abs(after.stability - ref.stability) < 1e-9 and abs(after.difficulty - ref.difficulty) < 1e-9
        if after.state == sched.REVIEW:
            unfuzzed = round((ref.due - now).total_seconds() / 86400)
            low, high = sched.fuzz_range(unfuzzed)
            days = sched.interval_of(card, after, now, scheduler).days
            assert low <= days <= high or days == min(d for d in passing if d >= days), (days, low, high)
            assert after.due == scheduler.day_start(scheduler.day_number(now) + days)  # due at its day's start
        else:
            assert after.due == ref.due
        card, now = after, max(after.due, now) + timedelta(minutes=late)


@settings(max_examples=200, deadline=None)
@given(steps=steps, seed=st.text(min_size=1, max_size=8))
def test_replaying_a_log_gives_the_same_card(steps, seed):
    scheduler = sched.make_scheduler(0.9, None, "Europe/Berlin", 4)
    card, now, log = sched.CardState(), START, []
    for rating, late in steps:
        card = sched.review(card, rating, now, scheduler, seed)
        log.append((rating, now))
        now = max(card.due, now) + timedelta(minutes=late)
    assert sched.replay(log, scheduler, seed) == card


def test_elapsed_time_is_counted_in_study_days():
    scheduler = sched.make_scheduler(0.9, None, "Asia/Shanghai", 4)  # UTC+8, day starts 04:00 local
    evening = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # 23:00 in Shanghai
    morning = datetime(2026, 3, 3, 1, 0, tzinfo=UTC)  # 09:00 the next morning: 10 hours later
    assert scheduler.elapsed_days(evening, morning) == 1
    late_night = datetime(2026, 3, 2, 19, 0, tzinfo=UTC)  # 03:00: still the evening's study day
    assert scheduler.elapsed_days(evening, late_night) == 0
    nearly_two_days = datetime(2026, 3, 4, 19, 30, tzinfo=UTC)  # 03:30 two nights later: 52 hours, 1 study day
    assert scheduler.elapsed_days(morning, nearly_two_days) == 1
    card = sched.CardState(state=sched.REVIEW, stability=5.0, difficulty=5.0, due=morning, last_review=evening)
    # Retrievability sees one day gone, as Anki does, not the zero whole 24-hour periods fsrs would count.
    one_day = (1 + (0.9 ** (1 / -scheduler.parameters[20]) - 1) * 1 / 5.0) ** -scheduler.parameters[20]
    assert abs(sched.retrievability(card, morning, scheduler) - one_day) < 1e-12


def test_a_review_is_due_at_the_start_of_its_study_day_across_the_end_of_dst():
    scheduler = sched.make_scheduler(0.9, None, "America/New_York", 4)
    # Saturday 31 October 2026, 03:30 local (EDT) -- still Friday's study day; the clocks go back on Sunday.
    now = datetime(2026, 10, 31, 7, 30, tzinfo=UTC)
    card = sched.CardState(state=sched.REVIEW, stability=2.0, difficulty=5.0, due=now,
                           last_review=now - timedelta(days=2))
    for after in sched.next_states(card, now, scheduler, "q").values():
        if after.state == sched.REVIEW:
            days = sched.interval_of(card, after, now, scheduler).days
            start = scheduler.day_start(scheduler.day_number(now) + days)
            assert after.due == start
            assert start.astimezone(scheduler.zone).hour == 4  # 04:00 local, EDT or EST


def test_day_start_inside_a_skipped_or_repeated_hour():
    # 02:00 is skipped in New York on 8 March 2026 and 01:00-02:00 repeats on 1 November 2026.
    spring = sched.make_scheduler(0.9, None, "America/New_York", 2)
    before = datetime(2026, 3, 8, 6, 59, tzinfo=UTC)  # 01:59 EST
    after = datetime(2026, 3, 8, 7, 0, tzinfo=UTC)  # 03:00 EDT: the day has begun
    assert spring.day_number(after) - spring.day_number(before) == 1
    fall = sched.make_scheduler(0.9, None, "America/New_York", 1)
    first = datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30 EDT
    second = datetime(2026, 11, 1, 6, 30, tzinfo=UTC)  # 01:30 EST, an hour later
    assert fall.day_number(first) == fall.day_number(second)  # the day began at the first 01:00
    assert fall.day_start(fall.day_number(first)) == datetime(2026, 11, 1, 5, 0, tzinfo=UTC)


def test_a_card_handed_back_by_the_scheduler_counts_study_days_when_passed_in_again():
    from fsrs import Card as FsrsCard
    from fsrs import Rating

    scheduler = sched.make_scheduler(0.9, None, "Asia/Shanghai", 4)
    evening = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # 23:00 in Shanghai
    card, _ = scheduler.review_card(FsrsCard(card_id=1), Rating.Easy, evening)
    assert type(card) is FsrsCard
    morning = datetime(2026, 3, 3, 1, 0, tzinfo=UTC)  # 09:00 the next morning: one study day later
    one_day = (1 + (0.9 ** (1 / -scheduler.parameters[20]) - 1) / card.stability) ** -scheduler.parameters[20]
    assert abs(scheduler.get_card_retrievability(card, morning) - one_day) < 1e-12
