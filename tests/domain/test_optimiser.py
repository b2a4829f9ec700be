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
from quizapp.domain.optimiser import MIN_ITEMS, NotEnoughReviews, OptimiseResult, build_items, evaluate, optimise
from quizapp.domain.scheduling import AGAIN, EASY, GOOD, HARD, CardState, make_scheduler, retrievability, review

DEFAULTS = list(DEFAULT_PARAMETERS)
# A learner who forgets faster than FSRS-6's average one: a quarter of the initial stabilities and
# slower stability growth after a successful review (w8).
WEAK = list(DEFAULTS)
WEAK[0:4] = [0.1, 0.3, 0.6, 2.0]
WEAK[8] = 1.2
# Everything remembered for months: predicts this learner's reviews far worse than the defaults.
WORSE = list(DEFAULTS)
WORSE[0:4] = [100.0, 100.0, 100.0, 100.0]
START = datetime(2024, 3, 4, 8, 0, tzinfo=UTC)
UTC_DAYS = make_scheduler().day_number  # study days starting 04:00 UTC


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
            card = Card.from_dict(card.to_dict())  # a plain fsrs Card, as the app rebuilds one from its row
            history.append((rating, when))
            gap = card.due - when
            if gap >= timedelta(days=1):
                gap *= rng.uniform(0.9, 1.25)
            when += gap
        histories.append(history)
    return histories


def two_day_cards(count, rating=GOOD):
    """``count`` cards answered twice, a day apart: exactly ``count`` review items."""
    return [[(GOOD, START + timedelta(minutes=card)), (rating, START + timedelta(days=1, minutes=card))]
            for card in range(count)]


def assert_usable(parameters):
    assert len(parameters) == 21
    assert all(isinstance(value, float) and math.isfinite(value) for value in parameters)
    Scheduler(parameters=parameters)  # raises if the scheduler refuses them
    make_scheduler(parameters=parameters)


@pytest.fixture(scope="module")
def weak_learner():
    return simulate(WEAK, cards=200, days=30)


def test_fits_a_learner_unlike_the_defaults(weak_learner):
    started = time.perf_counter()
    result = optimise(weak_learner)
    seconds = time.perf_counter() - started
    print(f"\noptimise: {result.items} items from {result.reviews} reviews of {result.cards} cards; held-out "
          f"({result.held_out} items) log loss {result.log_loss_before:.4f} -> {result.fitted.log_loss:.4f} "
          f"(se {result.difference_error:.4f}), RMSE(bins) {result.rmse_bins_before:.4f} -> "
          f"{result.fitted.rmse_bins:.4f}, adopted {result.adopted}, in {seconds:.3f} s")

    assert isinstance(result, OptimiseResult)
    assert result.cards == 200 and 1300 <= result.reviews <= 2000
    assert result.items == len(build_items(weak_learner, UTC_DAYS)) >= MIN_ITEMS
    # srs-benchmark's split: the last five of six segments are predicted, by parameters fitted before them.
    assert result.held_out == result.items - result.items // 6
    assert_usable(result.parameters)
    # The defaults overrate this learner's memory: fitting predicts the held-out reviews clearly better,
    # beyond the noise margin, and finds the much lower stability after a first Good (w2: 0.6, 2.3065 by default).
    assert result.adopted
    assert result.fitted.log_loss < result.current.log_loss - optimiser.MARGIN * result.difference_error
    assert result.fitted.rmse_bins < result.current.rmse_bins
    assert (result.log_loss_before, result.log_loss_after) == (result.current.log_loss, result.fitted.log_loss)
    assert result.parameters[2] < DEFAULTS[2] / 1.5
    assert seconds < 5


def test_same_history_same_parameters(weak_learner):
    assert optimise(weak_learner) == optimise(weak_learner)


def test_adopted_parameters_are_refitted_on_all_items_after_cross_validation(weak_learner, monkeypatch):
    """Each fold trains only on items before the ones it predicts; the adopted parameters are then
    fitted on every item (the procedure the cross-validation tested, with the latest reviews in it)."""
    trained = []
    real_train = optimiser._train

    def train(items):
        trained.append(list(items))
        return real_train(items)

    monkeypatch.setattr(optimiser, "_train", train)
    result = optimise(weak_learner)
    items = build_items(weak_learner, UTC_DAYS)
    folds = optimiser.time_series_splits(len(items))
    assert [len(t) for t in trained] == [end for end, _ in folds] + [len(items)]
    for (end, (test_start, test_end)), used in zip(folds, trained):
        assert used == items[:end] and test_start == end
        assert max(i.when for i in used) <= min(i.when for i in items[test_start:test_end])
    assert result.adopted and result.parameters == optimiser._usable(real_train(items))


def test_not_adopted_when_fitted_parameters_predict_held_out_reviews_worse(weak_learner, monkeypatch):
    monkeypatch.setattr(optimiser, "_train", lambda items: list(WORSE))
    for current in (None, list(WEAK)):
        result = optimise(weak_learner, current)
        assert not result.adopted
        assert result.parameters == (current or DEFAULTS)
        assert result.fitted.log_loss > result.current.log_loss  # measured, and worse
        assert result.log_loss_after == result.log_loss_before
        assert result.rmse_bins_after == result.rmse_bins_before


def test_not_adopted_when_fitted_parameters_predict_no_better(weak_learner, monkeypatch):
    # Fitting that finds the current parameters again: equal is not better.
    monkeypatch.setattr(optimiser, "_train", lambda items: list(DEFAULTS))
    result = optimise(weak_learner)
    assert not result.adopted and result.parameters == DEFAULTS
    assert result.fitted == result.current


def test_a_default_like_learner_keeps_the_defaults():
    """A learner whose memory follows the defaults: parameters fitted on the earlier reviews predict
    the later ones a little better here, by less than the noise (one standard error of the
    difference), so the defaults stay."""
    result = optimise(simulate(DEFAULTS, seed=1, cards=300, days=30))
    assert result.items >= MIN_ITEMS and result.fitted is not None
    gain = result.current.log_loss - result.fitted.log_loss
    assert 0 < gain < optimiser.MARGIN * result.difference_error
    assert not result.adopted and result.parameters == DEFAULTS
    assert result.log_loss_after == result.log_loss_before


def test_predictions_are_those_of_our_scheduler_replaying_each_card(weak_learner):
    """The items and predictions agree with the scheduler the app runs (``scheduling.review`` and
    ``retrievability``, study days included): replaying every card, the recall it predicts at each
    review on a later study day than the card's previous one gives the same log loss."""
    scheduler = make_scheduler()
    losses = []
    for history in weak_learner[:60]:
        card, previous = CardState(), None
        for rating, when in history:
            if previous is not None and scheduler.day_number(when) > scheduler.day_number(previous):
                recall = retrievability(card, when, scheduler)
                losses.append(-math.log(recall if rating > AGAIN else 1 - recall))
            card = review(card, rating, when, scheduler)
            previous = when
    items = build_items(weak_learner[:60], UTC_DAYS)
    assert len(items) == len(losses)
    assert evaluate(DEFAULTS, items).log_loss == pytest.approx(sum(losses) / len(losses), abs=1e-5)


@pytest.mark.parametrize("parameters", [DEFAULTS, WEAK])
def test_metrics_are_fsrs_rs_evaluates(weak_learner, parameters):
    """fsrs-rs's ``evaluate`` weights items by recency (0.25 + 0.75 * (i / (n - 1)) ** 3); with those
    weights our predictions and RMSE(bins) cells give its log loss and RMSE(bins) exactly."""
    items = build_items(weak_learner, UTC_DAYS)
    n = len(items)
    weights = [0.25 + 0.75 * (i / (n - 1)) ** 3 for i in range(n)]
    predictions = optimiser.predict(parameters, items)
    log_loss = sum(w * optimiser._loss(item, p) for w, item, p in zip(weights, items, predictions)) / sum(weights)
    cells = {}
    for w, item, p in zip(weights, items, predictions):
        cell = cells.setdefault(optimiser.rmse_bin(item), [0.0, 0.0, 0, 0.0])
        cell[0] += p
        cell[1] += item.recalled
        cell[2] += 1
        cell[3] += w
    rmse = math.sqrt(sum((c[0] / c[2] - c[1] / c[2]) ** 2 * c[3] for c in cells.values()) / sum(weights))
    fsrs_items = [FSRSItem([FSRSReview(r, d) for r, d in item.reviews]) for item in items]
    reference = FSRS(parameters).evaluate(fsrs_items)
    assert log_loss == pytest.approx(reference.log_loss, abs=1e-5)
    assert rmse == pytest.approx(reference.rmse_bins, abs=1e-5)


def test_item_threshold_counts_reviews_on_a_later_study_day():
    with pytest.raises(NotEnoughReviews) as caught:
        optimise(two_day_cards(MIN_ITEMS - 1))
    assert (caught.value.items, caught.value.reviews, caught.value.needed) == (399, 798, 400)
    message = str(caught.value)
    assert message.startswith("399 of your 798 reviews can train the scheduler")
    assert "later study day" in message and "at least 400 are needed" in message
    assert isinstance(caught.value, ValueError)

    assert optimise(two_day_cards(MIN_ITEMS)).items == MIN_ITEMS
    with pytest.raises(NotEnoughReviews):
        optimise([])


def test_same_day_reviews_and_first_reviews_are_not_items():
    # 1,600 reviews, four a card within one study day: nothing to learn forgetting from.
    same_day = [[(GOOD, START + timedelta(days=card, minutes=10 * step)) for step in range(4)] for card in range(400)]
    with pytest.raises(NotEnoughReviews) as caught:
        optimise(same_day)
    assert (caught.value.items, caught.value.reviews) == (0, 1600)
    # Learning steps on the first day, then one review a day later: one item per card, with the
    # same-day steps in its history (delta_t 0).
    stepped = [[*history, (GOOD, history[-1][1] + timedelta(days=1))] for history in same_day]
    items = build_items(stepped, UTC_DAYS)
    assert len(items) == 400
    assert items[0].reviews == ((GOOD, 0), (GOOD, 0), (GOOD, 0), (GOOD, 0), (GOOD, 1))


def test_delta_t_counts_the_learners_study_days():
    """A review at 23:00 and the next at 09:00 the next morning, in the learner's zone, are one study
    day apart (delta_t 1) though only 10 hours passed; one at 03:00 is still the evening's study day."""
    zone = "America/New_York"  # UTC-5 in January
    evening = datetime(2025, 1, 14, 23, 0, tzinfo=timezone(timedelta(hours=-5)))
    days = make_scheduler(timezone=zone, day_start_hour=4).day_number
    cases = {timedelta(hours=10): 1, timedelta(hours=4): 0, timedelta(hours=5): 1, timedelta(hours=34): 2}
    for gap, expected in cases.items():
        items = build_items([[(GOOD, evening), (GOOD, evening + gap)]], days)
        assert [item.reviews for item in items] == ([((GOOD, 0), (GOOD, expected))] if expected else [])

    # Through optimise: 400 cards seen at 23:00 and again at 09:00. In New York that is 400 items; by
    # UTC study days (04:00 UTC to 04:00 UTC) both answers fall on the same day and nothing counts.
    cards = [[(GOOD, evening + timedelta(days=n, seconds=n)), (GOOD, evening + timedelta(days=n, hours=10))]
             for n in range(400)]
    assert optimise(cards, timezone=zone, day_start_hour=4).items == 400
    with pytest.raises(NotEnoughReviews) as caught:
        optimise(cards)
    assert caught.value.items == 0


@pytest.mark.parametrize("outcome", ["raises", "nan", "short"])
def test_keeps_current_parameters_when_training_goes_wrong(weak_learner, monkeypatch, outcome):
    def train(items):
        if outcome == "raises":
            raise RuntimeError("optimiser exploded")
        return {"nan": [math.nan] * 21, "short": DEFAULTS[:19]}[outcome]

    monkeypatch.setattr(optimiser, "_train", train)
    result = optimise(weak_learner)
    assert not result.adopted and result.fitted is None
    assert result.parameters == DEFAULTS
    assert result.log_loss_after == result.log_loss_before and math.isfinite(result.log_loss_before)

    current = list(WEAK)
    result = optimise(weak_learner, current)
    assert result.parameters == current and not result.adopted


def test_keeps_current_parameters_when_the_final_fit_goes_wrong(weak_learner, monkeypatch):
    # The folds fit fine (and win); the refit on all items fails: nothing is adopted.
    items = build_items(weak_learner, UTC_DAYS)
    real_train = optimiser._train
    monkeypatch.setattr(optimiser, "_train",
                        lambda fold: [math.inf] * 21 if len(fold) == len(items) else real_train(fold))
    result = optimise(weak_learner)
    assert not result.adopted and result.fitted is None and result.parameters == DEFAULTS


def test_keeps_current_parameters_when_fsrs_rs_panics(weak_learner, monkeypatch):
    # A Rust panic surfaces as pyo3's PanicException, which is a BaseException, not an Exception.
    def train(items):
        return FSRS([]).compute_parameters([FSRSItem([FSRSReview(GOOD, 0), FSRSReview(GOOD, 0)])])

    monkeypatch.setattr(optimiser, "_train", train)
    result = optimise(weak_learner)
    assert result.parameters == DEFAULTS and not result.adopted
    assert result.log_loss_after == result.log_loss_before


def test_keyboard_interrupt_is_not_swallowed(weak_learner, monkeypatch):
    def train(items):
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


def test_time_series_splits_are_srs_benchmarks():
    assert optimiser.time_series_splits(13) == [(2, (2, 4)), (4, (4, 6)), (6, (6, 8)), (8, (8, 10)), (10, (10, 13))]
    assert optimiser.time_series_splits(5) == []
