"""The scheduler optimiser, on synthetic learners whose true memory model is known."""
from __future__ import annotations

import math
import random
import time
from datetime import UTC, datetime, timedelta, timezone

import pytest
from fsrs import Card, Rating, Scheduler
from fsrs.scheduler import DEFAULT_PARAMETERS
from fsrs_rs_python import FSRS, FSRSItem, FSRSReview

from quizapp.domain import optimiser
from quizapp.domain.optimiser import MIN_REVIEWS, NotEnoughReviews, OptimiseResult, optimise
from quizapp.domain.scheduling import AGAIN, EASY, GOOD, HARD, make_scheduler

DEFAULTS = list(DEFAULT_PARAMETERS)
# A learner who forgets faster than FSRS-6's average one: a quarter of the initial stabilities and
# slower stability growth after a successful review (w8).
WEAK = list(DEFAULTS)
WEAK[0:4] = [0.1, 0.3, 0.6, 2.0]
WEAK[8] = 1.2
START = datetime(2024, 3, 4, 8, 0, tzinfo=UTC)


def simulate(true_parameters, seed=7, cards=150, new_per_day=10, days=21):
    """Review histories of a learner whose memory follows FSRS with ``true_parameters``.

    Each card is studied when the true scheduler says (90 % retention), a little late or early;
    recall is drawn with the true retrievability; a recalled card is rated Hard/Good/Easy at random.
    """
    rng = random.Random(seed)
    scheduler = make_scheduler(parameters=true_parameters)
    end = START + timedelta(days=days)
    histories = []
    for index in range(cards):
        when = START + timedelta(days=index // new_per_day, minutes=rng.randint(0, 12 * 60))
        card, history = Card(card_id=index + 1), []
        while when < end:
            if card.last_review is None:
                rating = rng.choices([AGAIN, HARD, GOOD, EASY], [0.2, 0.1, 0.6, 0.1])[0]
            elif rng.random() >= scheduler.get_card_retrievability(card, when):
                rating = AGAIN
            else:
                rating = rng.choices([HARD, GOOD, EASY], [0.15, 0.75, 0.10])[0]
            card, _ = scheduler.review_card(card, Rating(rating), review_datetime=when)
            history.append((rating, when))
            gap = card.due - when
            if gap >= timedelta(days=1):
                gap *= rng.uniform(0.9, 1.25)
            when += gap
        histories.append(history)
    return histories


def truncated(histories, reviews):
    """The first ``reviews`` reviews, taking whole cards in order and cutting the last one short."""
    kept, left = [], reviews
    for history in histories:
        if left <= 0:
            break
        kept.append(history[:left])
        left -= len(kept[-1])
    return kept


def assert_usable(parameters):
    assert len(parameters) == 21
    assert all(isinstance(value, float) and math.isfinite(value) for value in parameters)
    Scheduler(parameters=parameters)  # raises if the scheduler refuses them
    make_scheduler(parameters=parameters)


@pytest.fixture(scope="module")
def weak_learner():
    return simulate(WEAK)


def test_fits_a_learner_unlike_the_defaults(weak_learner):
    started = time.perf_counter()
    result = optimise(weak_learner)
    seconds = time.perf_counter() - started
    print(f"\noptimise: {result.reviews} reviews of {result.cards} cards, log loss "
          f"{result.log_loss_before:.4f} -> {result.log_loss_after:.4f} in {seconds:.3f} s")
    print("fitted parameters:", [round(value, 4) for value in result.parameters])

    assert isinstance(result, OptimiseResult)
    assert result.cards == 150
    assert 900 <= result.reviews <= 1500
    assert_usable(result.parameters)
    assert result.log_loss_after <= result.log_loss_before
    # The defaults overrate this learner's memory: the fitted parameters must do clearly better,
    # about as well as the true ones, and find the much lower stability after a first Good
    # (w2: 0.6 for this learner, 2.3065 by default).
    items = optimiser._items(weak_learner)
    true_log_loss = FSRS(WEAK).evaluate(items).log_loss
    print(f"log loss with the true parameters: {true_log_loss:.4f}")
    assert result.log_loss_after < result.log_loss_before - 0.005
    assert result.log_loss_after < true_log_loss + 0.01
    assert result.parameters[2] < DEFAULTS[2] / 1.5
    assert FSRS(result.parameters).evaluate(items).log_loss == pytest.approx(result.log_loss_after, abs=1e-6)
    assert seconds < 5


def test_same_history_same_parameters(weak_learner):
    assert optimise(weak_learner) == optimise(weak_learner)


def test_a_default_like_learner_is_never_made_worse():
    result = optimise(simulate(DEFAULTS, seed=11))
    assert_usable(result.parameters)
    assert result.log_loss_after <= result.log_loss_before


def test_log_loss_is_that_of_our_scheduler_replaying_each_card(weak_learner):
    """The conversion to fsrs-rs items agrees with the ``fsrs`` scheduler the app runs: the same
    figure from replaying every card, predicting each review on a later day than the card's
    previous one, weighted by recency the way fsrs-rs does (0.25 + 0.75 * (i / (n - 1)) ** 3)."""
    scheduler = make_scheduler()
    losses = []
    for index, history in enumerate(weak_learner):
        card, previous = Card(), None
        for rating, when in history:
            if previous is not None and (when - previous).days > 0:
                recall = scheduler.get_card_retrievability(card, when)
                losses.append((when, index, -math.log(recall if rating > AGAIN else 1 - recall)))
            card, _ = scheduler.review_card(card, Rating(rating), review_datetime=when)
            previous = when
    losses.sort()
    weights = [0.25 + 0.75 * (i / (len(losses) - 1)) ** 3 for i in range(len(losses))]
    expected = sum(w * loss for w, (_, _, loss) in zip(weights, losses)) / sum(weights)

    assert optimise(weak_learner).log_loss_before == pytest.approx(expected, abs=1e-4)


def test_not_enough_reviews(weak_learner):
    with pytest.raises(NotEnoughReviews) as caught:
        optimise(truncated(weak_learner, MIN_REVIEWS - 1))
    assert caught.value.reviews == 399 and caught.value.needed == 400
    assert "399 reviews" in str(caught.value) and "400" in str(caught.value)
    assert isinstance(caught.value, ValueError)

    assert optimise(truncated(weak_learner, MIN_REVIEWS)).reviews == MIN_REVIEWS
    with pytest.raises(NotEnoughReviews):
        optimise([])


def test_not_enough_reviews_when_none_is_on_a_later_day():
    # 400 reviews, all within one day of each card's first: nothing to learn forgetting from.
    same_day = [[(GOOD, START + timedelta(days=card, minutes=step)) for step in range(4)] for card in range(100)]
    with pytest.raises(NotEnoughReviews, match="400 reviews"):
        optimise(same_day)


@pytest.mark.parametrize("outcome", ["raises", "nan", "worse", "short"])
def test_keeps_current_parameters_when_training_goes_wrong(weak_learner, monkeypatch, outcome):
    worse = list(DEFAULTS)
    worse[0:4] = [100.0, 100.0, 100.0, 100.0]  # everything remembered for months

    def train(items, num_relearning_steps):
        if outcome == "raises":
            raise RuntimeError("optimiser exploded")
        return {"nan": [math.nan] * 21, "worse": worse, "short": DEFAULTS[:19]}[outcome]

    monkeypatch.setattr(optimiser, "_train", train)
    result = optimise(weak_learner)
    assert result.parameters == DEFAULTS
    assert result.log_loss_after == result.log_loss_before
    assert math.isfinite(result.log_loss_before)

    current = list(WEAK)
    result = optimise(weak_learner, current)
    assert result.parameters == current
    assert result.log_loss_after == result.log_loss_before


def test_keeps_current_parameters_when_fsrs_rs_panics(weak_learner, monkeypatch):
    # A Rust panic surfaces as pyo3's PanicException, which is a BaseException, not an Exception.
    def train(items, num_relearning_steps):
        return FSRS([]).compute_parameters([FSRSItem([FSRSReview(GOOD, 0), FSRSReview(GOOD, 0)])])

    monkeypatch.setattr(optimiser, "_train", train)
    result = optimise(weak_learner)
    assert result.parameters == DEFAULTS
    assert result.log_loss_after == result.log_loss_before


def test_keyboard_interrupt_is_not_swallowed(weak_learner, monkeypatch):
    def train(items, num_relearning_steps):
        raise KeyboardInterrupt

    monkeypatch.setattr(optimiser, "_train", train)
    with pytest.raises(KeyboardInterrupt):
        optimise(weak_learner)


def test_current_parameters_are_what_before_is_measured_with(weak_learner):
    on_defaults = optimise(weak_learner)
    on_truth = optimise(weak_learner, WEAK)
    assert on_truth.log_loss_before < on_defaults.log_loss_before
    assert_usable(on_truth.parameters)
    assert on_truth.log_loss_after <= on_truth.log_loss_before


def test_older_parameter_lists_are_converted_to_fsrs6(weak_learner):
    fsrs5 = DEFAULTS[:19]
    result = optimise(weak_learner, fsrs5)
    assert_usable(result.parameters)


@pytest.mark.parametrize("current", [[1.0] * 5, [math.nan] * 21, [*DEFAULTS[:20], 5.0]])
def test_rejects_bad_current_parameters(weak_learner, current):
    with pytest.raises(ValueError) as caught:
        optimise(weak_learner, current)
    assert not isinstance(caught.value, NotEnoughReviews)


@pytest.mark.parametrize("review", [(0, START), (5, START), (True, START), (GOOD, START.replace(tzinfo=None))])
def test_rejects_malformed_reviews(weak_learner, review):
    with pytest.raises(ValueError) as caught:
        optimise([*weak_learner, [review]])
    assert not isinstance(caught.value, NotEnoughReviews)


def test_usable_clamps_float32_bounds_and_rejects_junk():
    at_bound = list(DEFAULTS)
    at_bound[19] = at_bound[20] = 0.800000011920929  # float32(0.8), above fsrs's 0.8 limit
    with pytest.raises(ValueError):
        Scheduler(parameters=at_bound)
    clamped = optimiser._usable(at_bound)
    assert clamped[19] == clamped[20] == 0.8
    assert_usable(clamped)
    assert optimiser._usable([*DEFAULTS[:20], math.inf]) is None
    assert optimiser._usable(DEFAULTS[:19]) is None


def test_review_times_in_other_zones_and_out_of_order_are_normalised(weak_learner):
    plus_5 = timezone(timedelta(hours=5))
    shifted = [[(rating, when.astimezone(plus_5)) for rating, when in reversed(history)] for history in weak_learner]
    assert optimise(shifted) == optimise(weak_learner)

