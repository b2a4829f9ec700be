"""Per-learner FSRS parameters fitted to the learner's own review history ("Optimise my scheduler").

Training and evaluation are done by ``fsrs-rs-python`` (the Rust fsrs-rs, as used by Anki); the
parameters it returns are FSRS-6's 21 and go straight into ``scheduling.make_scheduler``.

How a history becomes training data (as in fsrs-rs-python's ``examples/train_csv.py``, which is
also what Anki does):

- a card's reviews become ``FSRSReview(rating, delta_t)``, ``delta_t`` being whole days since the
  card's previous review (0 for the first) -- the same floor of elapsed days that the ``fsrs``
  scheduler uses for retrievability;
- every review on a later day than the card's previous one (``delta_t > 0``) gives one
  ``FSRSItem``: the card's reviews up to and including it, the last being the one to predict.
  Reviews on the same day as the previous one (learning steps) stay in the history of later items
  but are not targets: FSRS predicts recall 1.0 at ``delta_t == 0``, so they carry no signal for
  the forgetting curve (and fsrs-rs rejects such items in ``evaluate``);
- items are sorted by the time of their last review. fsrs-rs weights items by position, later ones
  up to 4x (``0.25 + 0.75 * (i / (n - 1)) ** 3``) when training *and* in ``evaluate``, so the log
  losses reported here are that recency-weighted mean, the figure Anki shows.
"""
from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from fsrs.scheduler import LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS
from fsrs_rs_python import FSRS, FSRSItem, FSRSReview, check_and_fill_parameters

from .scheduling import AGAIN, EASY, make_scheduler

MIN_REVIEWS = 400
PARAMETER_COUNT = 21  # FSRS-6
_LEGACY_COUNTS = (17, 19)  # FSRS-4.5 and FSRS-5 parameter lists, converted by fsrs-rs

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OptimiseResult:
    parameters: list[float]
    log_loss_before: float
    log_loss_after: float
    reviews: int
    cards: int


class NotEnoughReviews(ValueError):
    def __init__(self, reviews: int, needed: int = MIN_REVIEWS, detail: str = "") -> None:
        self.reviews = reviews
        self.needed = needed
        message = f"{reviews} reviews; at least {needed} are needed to optimise the scheduler"
        super().__init__(f"{message} ({detail})" if detail else message)


def optimise(histories: Iterable[Sequence[tuple[int, datetime]]],
             current: Sequence[float] | None = None) -> OptimiseResult:
    """Fit FSRS parameters to ``histories`` (one sequence per card of (rating 1-4, aware datetime)).

    ``current`` is the learner's parameter list (21, or an older 17/19 that is converted), default
    FSRS-6's. The returned parameters are the fitted ones if they predict the history better than
    ``current`` (lower log loss), otherwise ``current`` itself, also when training fails.
    Raises NotEnoughReviews below MIN_REVIEWS reviews, ValueError on malformed input.
    """
    cards = [_checked(history) for history in histories]
    cards = [history for history in cards if history]
    reviews = sum(len(history) for history in cards)
    if reviews < MIN_REVIEWS:
        raise NotEnoughReviews(reviews)
    items = _items(cards)
    if not items:
        raise NotEnoughReviews(reviews, detail="none is on a later day than the card's previous review")

    scheduler = make_scheduler()
    base = _current(current, scheduler.parameters)
    before = _log_loss(base, items)
    result = OptimiseResult(parameters=base, log_loss_before=before, log_loss_after=before,
                            reviews=reviews, cards=len(cards))
    try:
        fitted = _usable(_train(items, num_relearning_steps=len(scheduler.relearning_steps)))
        after = _log_loss(fitted, items) if fitted else math.nan
    except BaseException as exc:  # a Rust panic arrives as pyo3's PanicException, a BaseException
        if not isinstance(exc, Exception) and type(exc).__name__ != "PanicException":
            raise
        log.warning("FSRS optimiser failed on %d reviews; keeping current parameters", reviews, exc_info=True)
        return result
    if fitted is None:
        log.warning("FSRS optimiser returned unusable parameters on %d reviews; keeping current ones", reviews)
        return result
    if not after < before:  # also true for a NaN log loss
        return result
    return OptimiseResult(parameters=fitted, log_loss_before=before, log_loss_after=after,
                          reviews=reviews, cards=len(cards))


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


def _items(cards: list[list[tuple[int, datetime]]]) -> list[FSRSItem]:
    """One FSRSItem per review on a later day than the card's previous one, oldest target first."""
    targets: list[tuple[datetime, int, FSRSItem]] = []
    for index, history in enumerate(cards):
        reviews: list[FSRSReview] = []
        previous: datetime | None = None
        for rating, when in history:
            delta_t = 0 if previous is None else (when - previous).days  # whole days, floored
            reviews.append(FSRSReview(rating, delta_t))
            if delta_t > 0:
                targets.append((when, index, FSRSItem(list(reviews))))
            previous = when
    targets.sort(key=lambda target: (target[0], target[1]))
    return [item for _, _, item in targets]


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


def _train(items: list[FSRSItem], num_relearning_steps: int) -> list[float]:
    """fsrs-rs training (deterministic: fixed seed). The FSRS instance's own parameters play no part."""
    return list(FSRS([]).compute_parameters(items, enable_short_term=True,
                                            num_relearning_steps=num_relearning_steps))


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


def _log_loss(parameters: Sequence[float], items: list[FSRSItem]) -> float:
    return float(FSRS(list(parameters)).evaluate(items).log_loss)
