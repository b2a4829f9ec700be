"""Per-learner FSRS parameters fitted to the learner's own review history ("Optimise my scheduler").

Training is done by ``fsrs-rs-python`` (the Rust fsrs-rs, as used by Anki); the parameters it returns
are FSRS-6's 21 and go straight into ``scheduling.make_scheduler``.

**Review items, as Anki counts them.** A card's reviews become ``FSRSReview(rating, delta_t)``,
``delta_t`` being the learner's *study days* since the card's previous review (0 for the first), the
same count the app's scheduler uses (``StudyScheduler.day_number``: a review at 23:00 and the next at
09:00 the next morning are one day apart). Every review on a later study day than the card's previous
one (``delta_t > 0``) is one *item*: the card's reviews up to and including it, the last being the one
to predict. This is Anki's ``fsrs_items_for_training`` (rslib ``scheduler/fsrs/params.rs``): it skips
each card's first review and drops items whose last review has ``delta_t == 0`` -- same-day reviews
(learning steps) stay in the history of later items but are never predicted, as FSRS predicts recall
1.0 at ``delta_t == 0``. Anki's "at least 400 reviews" counts these items (``fsrs_items``), not
review-log rows; so does ``MIN_ITEMS`` here. The caller passes only history since each card last
started from new (in this app: since the question's answer last changed), as Anki drops reviews
before a card was reset.

**Adopted only if they predict held-out reviews better** (``_decide``): the items, in the time order
of the review each predicts, are split as srs-benchmark and fsrs-rs's ``evaluate_with_time_series_splits``
split them (sklearn's ``TimeSeriesSplit``, 5 splits): six equal segments; for each of the last five,
parameters are fitted on all earlier segments and predict that segment, which none of their training
saw. The current parameters predict the same items. The fitted parameters are adopted only if these
out-of-sample predictions have a lower log loss than the current parameters' with one-sided 95 %
confidence: by more than ``MARGIN`` (1.645) standard errors of the per-item difference, clustered by
card. Without a margin a fit that merely got lucky on the held-out items is adopted. Measured while
choosing, on simulated learners (bench/bench_optimiser.py's model; 400 to 24,000 items) over the two
months after optimising: of 98 learners, adopting every fit (as a comparison on the training reviews
themselves nearly does) left 23 predicted worse than by the defaults, adopting whenever the held-out
log loss was lower at all left 6, and a margin of one standard error none -- but 1 of the benchmark's
71 learners of seeds 1-3 (by 0.0015); with 1.645, none of them, at about two thirds of the log-loss
gain an oracle choosing per learner would have had. Leaving out the first folds (fitted on little
data) let more through, not fewer. Checked afterwards on fresh seeds 4 and 5: 1 of 48 worse, by 0.0011
(its RMSE(bins) a fifth better), a learner close to the defaults whose every fold had won -- the
variance of fitting itself, which no held-out test sees; it is within that later period's noise.
Training failure or unusable parameters keep the current ones.

Once adopted, the parameters are fitted again on *all* items: the cross-validation tested the
procedure (fit on everything seen so far, predict what comes next), which is exactly what the refit
does, with the most recent reviews -- the ones most like the learner's next -- in it. Keeping a fold's
fit instead would throw away the latest sixth of the history or more. The refit itself is one more
draw of the procedure, never held out (the benchmark's one failure at a one-standard-error margin was
such a draw: every fold's fit beat the defaults later, the refit did not) -- one more reason for the
margin. The held-out figures reported (``OptimiseResult.fitted``) are the procedure's, as srs-benchmark
reports them.

Metrics are srs-benchmark's, every held-out item weighted equally: log loss (binary cross-entropy of the
predicted recall against the review's outcome, Again = forgotten) and RMSE(bins): items binned by
interval (delta_t), number of reviews on distinct days and number of lapses, the root mean square of
(mean predicted - mean actual recall) over bins weighted by their size. Predicted recall is FSRS-6's:
the memory state fsrs-rs computes from the item's history, then the power forgetting curve.
"""
from __future__ import annotations

import logging
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from fsrs.scheduler import LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS
from fsrs_rs_python import FSRS, FSRSItem, FSRSReview, check_and_fill_parameters

from .scheduling import AGAIN, DEFAULT_DAY_START_HOUR, EASY, make_scheduler

MIN_ITEMS = 400  # Anki's minimum, counted as Anki counts (see the module docstring)
SPLITS = 5  # srs-benchmark's and fsrs-rs's TimeSeriesSplit
MARGIN = 1.645  # standard errors by which the fitted held-out log loss must be lower (see above)
PARAMETER_COUNT = 21  # FSRS-6
_LEGACY_COUNTS = (17, 19)  # FSRS-4.5 and FSRS-5 parameter lists, converted by fsrs-rs
_R_MIN, _R_MAX = 1e-6, 1 - 1e-6  # keeps a certain-but-wrong prediction's log loss finite

log = logging.getLogger(__name__)

Review = tuple[int, int]  # (rating 1-4, delta_t in study days)


@dataclass(frozen=True)
class Item:
    """One review to predict: the card's reviews up to and including it (the last one is the target)."""

    when: datetime  # of the target review (UTC)
    card: int  # index of the card in the histories given
    reviews: tuple[Review, ...]

    @property
    def recalled(self) -> bool:
        return self.reviews[-1][0] > AGAIN


@dataclass(frozen=True)
class Evaluation:
    """How well parameters predicted some items: srs-benchmark's log loss and RMSE(bins)."""

    log_loss: float
    rmse_bins: float
    items: int


@dataclass(frozen=True)
class OptimiseResult:
    """``parameters`` are the ones to use from now on: the fitted ones if ``adopted``, else the current.

    ``current`` and ``fitted`` are the out-of-sample figures on the same held-out items (``held_out``):
    the learner's current parameters, and parameters fitted only on items before each predicted one
    (None when training failed or gave unusable parameters). ``items`` is Anki's count of review
    items, ``reviews`` all the reviews given, ``cards`` the cards they are of.
    """

    parameters: list[float]
    adopted: bool
    current: Evaluation
    fitted: Evaluation | None
    difference_error: float  # standard error of (current - fitted) held-out log loss; NaN if not fitted
    items: int
    reviews: int
    cards: int

    @property
    def held_out(self) -> int:
        return self.current.items

    @property
    def log_loss_before(self) -> float:
        return self.current.log_loss

    @property
    def log_loss_after(self) -> float:
        """Held-out log loss of the parameters in use after optimising (unchanged if not adopted)."""
        return self.fitted.log_loss if self.adopted and self.fitted else self.current.log_loss

    @property
    def rmse_bins_before(self) -> float:
        return self.current.rmse_bins

    @property
    def rmse_bins_after(self) -> float:
        return self.fitted.rmse_bins if self.adopted and self.fitted else self.current.rmse_bins


class NotEnoughReviews(ValueError):
    """Fewer than ``needed`` review items (``items``) among ``reviews`` reviews."""

    def __init__(self, items: int, reviews: int, needed: int = MIN_ITEMS) -> None:
        self.items = items
        self.reviews = reviews
        self.needed = needed
        super().__init__(
            f"{items} of your {reviews} review{'' if reviews == 1 else 's'} can train the scheduler "
            f"(a review counts when it comes on a later study day than the card's previous one, and only "
            f"since the card last started afresh); at least {needed} are needed to optimise the scheduler")


def optimise(histories: Iterable[Sequence[tuple[int, datetime]]], current: Sequence[float] | None = None, *,
             timezone: str = "UTC", day_start_hour: int = DEFAULT_DAY_START_HOUR) -> OptimiseResult:
    """Fits FSRS parameters to ``histories`` (one sequence per card of (rating 1-4, aware datetime)),
    adopting them only if they predict held-out reviews better than ``current``.

    ``current`` is the learner's parameter list (21, or an older 17/19 that is converted), default
    FSRS-6's. ``timezone`` and ``day_start_hour`` are the learner's: elapsed time is counted in their
    study days, as their scheduler counts it. The result's parameters are the fitted ones if adopted,
    otherwise ``current`` (also when training fails). Raises NotEnoughReviews below MIN_ITEMS items,
    ValueError on malformed input.
    """
    day_number = make_scheduler(timezone=timezone, day_start_hour=day_start_hour).day_number
    cards = [history for history in (_checked(history) for history in histories) if history]
    reviews = sum(len(history) for history in cards)
    items = build_items(cards, day_number)
    if len(items) < MIN_ITEMS:
        raise NotEnoughReviews(len(items), reviews)
    base = _current(current, make_scheduler().parameters)
    adopted, fitted_eval, current_eval, error, parameters = _decide(items, base)
    return OptimiseResult(parameters=parameters, adopted=adopted, current=current_eval, fitted=fitted_eval,
                          difference_error=error, items=len(items), reviews=reviews, cards=len(cards))


def _decide(items: list[Item], base: list[float]) -> tuple[bool, Evaluation | None, Evaluation, float, list[float]]:
    """Time-series cross-validation of fitting against ``base``; the refit on all items if it wins.

    Returns (adopted, fitted's held-out evaluation or None, base's, the standard error of the log
    loss difference, the parameters to use).
    """
    folds = time_series_splits(len(items))
    held_out = [items[index] for _, test in folds for index in range(*test)]
    current_predictions = predict(base, held_out)
    current_eval = _metrics(held_out, current_predictions)
    try:
        fitted_predictions: list[float] = []
        for train_end, (test_start, test_end) in folds:
            fold = _usable(_train(items[:train_end]))
            if fold is None:
                log.warning("FSRS optimiser gave unusable parameters on %d items; keeping current ones", train_end)
                return False, None, current_eval, math.nan, base
            fitted_predictions += predict(fold, items[test_start:test_end])
        fitted_eval = _metrics(held_out, fitted_predictions)
        gain, error = log_loss_gain(held_out, current_predictions, fitted_predictions)
        if not gain > MARGIN * error:  # also true for a NaN
            return False, fitted_eval, current_eval, error, base
        final = _usable(_train(items))
    except BaseException as exc:  # a Rust panic arrives as pyo3's PanicException, a BaseException
        if not isinstance(exc, Exception) and type(exc).__name__ != "PanicException":
            raise
        log.warning("FSRS optimiser failed on %d items; keeping current parameters", len(items), exc_info=True)
        return False, None, current_eval, math.nan, base
    if final is None:
        log.warning("FSRS optimiser gave unusable parameters on %d items; keeping current ones", len(items))
        return False, None, current_eval, math.nan, base
    return True, fitted_eval, current_eval, error, final


def log_loss_gain(items: Sequence[Item], baseline: Sequence[float], candidate: Sequence[float]) -> tuple[float, float]:
    """How much lower the ``candidate`` predictions' log loss is than the ``baseline`` ones' on ``items``,
    and the standard error of that difference, clustered by card (a card's items share its memory state).
    NaN for fewer than two cards."""
    by_card: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0])
    total = 0.0
    for item, b, c in zip(items, baseline, candidate, strict=True):
        difference = _loss(item, b) - _loss(item, c)
        total += difference
        cell = by_card[item.card]
        cell[0] += difference
        cell[1] += 1
    n, clusters = len(items), len(by_card)
    if n == 0 or clusters < 2:
        return math.nan, math.nan
    mean = total / n
    variance = clusters / (clusters - 1) * sum((s - k * mean) ** 2 for s, k in by_card.values()) / n**2
    return mean, math.sqrt(variance)


def _loss(item: Item, p: float) -> float:
    p = min(max(p, _R_MIN), _R_MAX)
    return -math.log(p) if item.recalled else -math.log(1 - p)


def time_series_splits(count: int, splits: int = SPLITS) -> list[tuple[int, tuple[int, int]]]:
    """fsrs-rs's ``TimeSeriesSplit``: (train end, (test start, test end)) over ``count`` time-ordered
    items cut into ``splits + 1`` equal segments; fold i trains on segments 0..i and tests on i + 1
    (the last fold's test runs to the end)."""
    size = count // (splits + 1)
    if size == 0:
        return []
    return [((i + 1) * size, ((i + 1) * size, count if i == splits - 1 else (i + 2) * size)) for i in range(splits)]


def build_items(cards: list[list[tuple[int, datetime]]], day_number: Callable[[datetime], int]) -> list[Item]:
    """One Item per review on a later study day than the card's previous one, oldest target first.

    ``cards`` are (rating, aware datetime) lists in time order; ``day_number`` numbers study days.
    """
    items: list[Item] = []
    for index, history in enumerate(cards):
        reviews: list[Review] = []
        previous: int | None = None
        for rating, when in history:
            day = day_number(when)
            delta_t = 0 if previous is None else max(0, day - previous)
            reviews.append((rating, delta_t))
            if delta_t > 0:
                items.append(Item(when=when, card=index, reviews=tuple(reviews)))
            previous = day
    items.sort(key=lambda item: (item.when, item.card))
    return items


def predict(parameters: Sequence[float], items: Sequence[Item]) -> list[float]:
    """FSRS-6's probability of recall at each item's target review (fsrs-rs's own computation: the
    memory state after the item's history, then the power forgetting curve at its delta_t)."""
    if not items:
        return []
    states = FSRS(list(parameters)).memory_state_batch(
        [FSRSItem([FSRSReview(rating, delta_t) for rating, delta_t in item.reviews[:-1]]) for item in items])
    decay = -float(parameters[20])
    factor = 0.9 ** (1 / decay) - 1
    return [(1 + factor * item.reviews[-1][1] / state.stability) ** decay for item, state in zip(items, states)]


def evaluate(parameters: Sequence[float], items: Sequence[Item]) -> Evaluation:
    """srs-benchmark's log loss and RMSE(bins) of ``parameters`` on ``items`` (NaN for no items)."""
    return _metrics(items, predict(parameters, items))


def _metrics(items: Sequence[Item], predictions: Sequence[float]) -> Evaluation:
    if not items:
        return Evaluation(math.nan, math.nan, 0)
    loss = 0.0
    bins: dict[tuple[int, int, int], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for item, p in zip(items, predictions, strict=True):
        loss += _loss(item, p)
        cell = bins[rmse_bin(item)]
        cell[0] += p
        cell[1] += 1.0 if item.recalled else 0.0
        cell[2] += 1
    squares = sum((predicted / n - actual / n) ** 2 * n for predicted, actual, n in bins.values())
    return Evaluation(log_loss=loss / len(items), rmse_bins=math.sqrt(squares / len(items)), items=len(items))


def rmse_bin(item: Item) -> tuple[int, int, int]:
    """srs-benchmark's RMSE(bins) cell, as fsrs-rs computes it (``FSRSItem::r_matrix_index``): the
    interval, the number of reviews on distinct days (the target's included, plus one) and the lapses
    before the target, each on a logarithmic scale."""
    delta_t = item.reviews[-1][1]
    interval = round(2.48 * 3.62 ** math.floor(math.log(delta_t, 3.62)) * 100)
    length = sum(1 for _, days in item.reviews if days > 0) + 1
    length_bin = round(1.99 * 1.89 ** math.floor(math.log(length, 1.89)))
    lapses = sum(1 for rating, days in item.reviews[:-1] if rating == AGAIN and days > 0)
    lapse_bin = round(1.65 * 1.73 ** math.floor(math.log(lapses, 1.73))) if lapses else 0
    return interval, length_bin, lapse_bin


def _checked(history: Sequence[tuple[int, datetime]]) -> list[tuple[int, datetime]]:
    reviews = []
    for rating, when in history:
        if isinstance(rating, bool) or not isinstance(rating, int) or not AGAIN <= rating <= EASY:
            raise ValueError(f"rating must be an int from {AGAIN} to {EASY}, not {rating!r}")
        if not isinstance(when, datetime) or when.tzinfo is None:
            raise ValueError(f"review times must be timezone-aware datetimes, not {when!r}")
        reviews.append((rating, when.astimezone(UTC)))
    reviews.sort(key=lambda review: review[1])  # stable: equal times keep their given order
    return reviews


def _current(current: Sequence[float] | None, default: Sequence[float]) -> list[float]:
    if current is None:
        return [float(value) for value in default]
    values = [float(value) for value in current]
    if len(values) not in (PARAMETER_COUNT, *_LEGACY_COUNTS):
        raise ValueError(f"expected {PARAMETER_COUNT} FSRS parameters (or 17/19), got {len(values)}")
    if not all(math.isfinite(value) for value in values):
        raise ValueError("FSRS parameters must be finite numbers")
    if len(values) != PARAMETER_COUNT:
        values = [float(value) for value in check_and_fill_parameters(values)]
    make_scheduler(parameters=values)  # ValueError if out of the scheduler's bounds
    return values


def _train(items: Sequence[Item]) -> list[float]:
    """fsrs-rs training (deterministic: fixed seed). The FSRS instance's own parameters play no part.

    One relearning step, as ``make_scheduler``'s (10 minutes)."""
    fsrs_items = [FSRSItem([FSRSReview(rating, delta_t) for rating, delta_t in item.reviews]) for item in items]
    relearning_steps = len(make_scheduler().relearning_steps)
    return list(FSRS([]).compute_parameters(fsrs_items, enable_short_term=True, num_relearning_steps=relearning_steps))


def _usable(parameters: Sequence[float]) -> list[float] | None:
    """``parameters`` as 21 finite floats inside ``fsrs.Scheduler``'s bounds, or None.

    fsrs-rs clips to the same bounds in float32, so a value at a bound can lie a hair outside it in
    float64 (float32(0.8) = 0.800000011920929 > 0.8), which ``fsrs.Scheduler`` would reject.
    """
    values = [float(value) for value in parameters]
    if len(values) != PARAMETER_COUNT or not all(math.isfinite(value) for value in values):
        return None
    return [min(max(value, low), high)
            for value, low, high in zip(values, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS)]
