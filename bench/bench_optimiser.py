"""Optimiser benchmark: does "Optimise my scheduler" ever leave a learner predicted worse than the defaults?

Run: .venv/bin/python bench/bench_optimiser.py [--learners 24] [--seed 1] [--test-days 60]
(about 70 s of CPU, two minutes on a busy shared machine; deterministic for a --seed)

Simulated learners whose memory follows FSRS-6 with known parameters: FSRS-6's defaults perturbed
(each multiplied by exp(N(0, 0.35)), clipped into fsrs's bounds), every fourth learner keeping the
defaults exactly (nothing to gain: fitting can only overfit). Each learner studies 3 to 20 new cards a
day for 30 to 150 days and answers every card when the app's *default* scheduler makes it due
(``scheduling.review``: 90 % retention, learning steps of 1 and 10 minutes, fuzz, elapsed time in
study days), up to 30 % late or 10 % early, at a random time between 08:00 and 23:30. Recall is drawn
with the true parameters' retrievability at that moment (in study days, as the app counts them);
same-day learning steps are forgotten 8 % of the time; a recalled card is rated Hard, Good or Easy
with the learner's own shares, a first answer likewise. Then ``quizapp.domain.optimiser.optimise``
(what the settings page runs through services/tuning.py) runs on that history, and the learner goes on
studying with the default scheduler for --test-days more days.

Measured on that later period, which no training saw: srs-benchmark's log loss and RMSE(bins) (every
item weighted equally; see the optimiser's docstring) of the default parameters, of the parameters the
optimiser leaves the learner with ("used": the fitted ones if adopted, else the defaults) and, as the
floor, of the true ones. A run is "worse" when its used parameters predict the later period worse than
the defaults (target: none; a run that kept the defaults cannot be worse); such a run is flagged
with how much worse and in standard errors of the paired per-item difference, and the summary counts
those worse beyond the later period's own noise. Learners with fewer than 400 review items are
refused ("too few") and counted apart. Also printed: the optimiser's own held-out
(cross-validated) log loss, current -> fitted, with the gain in standard errors of the difference
(adopted above optimiser.MARGIN), and the time ``optimise`` took.
"""
from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fsrs import Card, Rating  # noqa: E402
from fsrs.scheduler import DEFAULT_PARAMETERS, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS  # noqa: E402

from bench.common import machine  # noqa: E402
from quizapp.domain import optimiser  # noqa: E402
from quizapp.domain import scheduling as sched  # noqa: E402
from quizapp.domain.scheduling import AGAIN, EASY, GOOD, HARD, make_scheduler  # noqa: E402

START = datetime(2025, 1, 6, tzinfo=UTC)
DEFAULTS = [float(value) for value in DEFAULT_PARAMETERS]
SPREAD = 0.35  # sd of the log-factor applied to each default parameter


@dataclass(frozen=True)
class Learner:
    index: int
    true: list[float]
    new_per_day: int
    train_days: int
    first: tuple[float, float, float, float]  # shares of Again/Hard/Good/Easy on a card's first answer
    passed: tuple[float, float, float]  # shares of Hard/Good/Easy when recalled


@dataclass(frozen=True)
class Run:
    learner: Learner
    reviews: int
    result: optimiser.OptimiseResult | None  # None: too few items
    seconds: float
    later: dict[str, optimiser.Evaluation]  # "default", "used", "true" on the later period
    later_gain: tuple[float, float]  # used vs default on the later period: (log loss gain, its standard error)


def make_learner(index: int, rng: random.Random) -> Learner:
    if index % 4 == 0:
        true = list(DEFAULTS)
    else:
        true = [min(max(value * math.exp(rng.gauss(0, SPREAD)), low), high)
                for value, low, high in zip(DEFAULTS, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS)]
        make_scheduler(parameters=true)  # inside the bounds
    again = rng.uniform(0.1, 0.35)
    hard, easy = rng.uniform(0.02, 0.15), rng.uniform(0.02, 0.15)
    first = (again, hard, 1 - again - hard - easy, easy)
    hard, easy = rng.uniform(0.03, 0.2), rng.uniform(0.02, 0.15)
    return Learner(index=index, true=true, new_per_day=rng.randint(3, 20), train_days=rng.randint(30, 150),
                   first=first, passed=(hard, 1 - hard - easy, easy))


def simulate(learner: Learner, days: int, rng: random.Random) -> list[list[tuple[int, datetime]]]:
    """Each card's (rating, time) history over ``days`` days, studied when the app's default scheduler
    (``scheduling.review``: fuzz, due at the start of a study day) makes it due."""
    truth, scheduler = make_scheduler(parameters=learner.true), make_scheduler()
    end = START + timedelta(days=days)

    def time_of_day(day: int) -> datetime:  # some time between 08:00 and 23:30 on study day ``day``
        return scheduler.day_start(day) + timedelta(hours=4, minutes=rng.randint(0, 15 * 60 + 30))

    first_day = scheduler.day_number(START)
    histories = []
    for day in range(days):
        for number in range(learner.new_per_day):
            when, memory, state, history = time_of_day(first_day + day), Card(), sched.CardState(), []
            seed = f"{learner.index}:{day}:{number}"
            while when < end:
                today = scheduler.day_number(when)
                if state.last_review is None:
                    rating = rng.choices((AGAIN, HARD, GOOD, EASY), learner.first)[0]
                elif today == scheduler.day_number(state.last_review):
                    rating = AGAIN if rng.random() < 0.08 else GOOD  # a learning step, minutes later
                elif rng.random() < truth.get_card_retrievability(memory, when):
                    rating = rng.choices((HARD, GOOD, EASY), learner.passed)[0]
                else:
                    rating = AGAIN
                memory = _plain(truth.review_card(memory, Rating(rating), review_datetime=when)[0])
                state = sched.review(state, rating, when, scheduler, seed=seed)
                history.append((rating, when))
                if state.state == sched.REVIEW:
                    interval = scheduler.day_number(state.due) - today
                    when = time_of_day(today + max(1, round(interval * rng.uniform(0.9, 1.3))))  # a little late
                else:
                    when = state.due + timedelta(seconds=rng.randint(0, 120))
            histories.append(history)
    return histories


def _plain(card: Card) -> Card:
    """The true memory as a plain fsrs Card, as the app rebuilds one from a card row for every review."""
    return Card(card_id=card.card_id, state=card.state, step=card.step, stability=card.stability,
                difficulty=card.difficulty, due=card.due, last_review=card.last_review)


def run(learner: Learner, test_days: int, seed: int) -> Run:
    rng = random.Random(seed * 1000 + learner.index)
    histories = simulate(learner, learner.train_days + test_days, rng)
    cutoff = START + timedelta(days=learner.train_days)
    training = [[review for review in history if review[1] < cutoff] for history in histories]
    reviews = sum(len(history) for history in training)
    started = time.perf_counter()
    try:
        result = optimiser.optimise(training)
    except optimiser.NotEnoughReviews:
        result = None
    seconds = time.perf_counter() - started
    day_number = make_scheduler().day_number
    later = [item for item in optimiser.build_items(histories, day_number) if item.when >= cutoff]
    used = result.parameters if result else DEFAULTS
    evaluations = {name: optimiser.evaluate(parameters, later)
                   for name, parameters in (("default", DEFAULTS), ("used", used), ("true", learner.true))}
    gain = optimiser.log_loss_gain(later, optimiser.predict(DEFAULTS, later), optimiser.predict(used, later))
    return Run(learner=learner, reviews=reviews, result=result, seconds=seconds, later=evaluations, later_gain=gain)


def worse(run: Run, metric: str) -> bool:
    return getattr(run.later["used"], metric) > getattr(run.later["default"], metric) + 1e-12


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--learners", type=int, default=24)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--test-days", type=int, default=60, help="the later period the figures are measured on")
    args = parser.parse_args()
    print(machine())
    rng = random.Random(args.seed)
    learners = [make_learner(index, rng) for index in range(args.learners)]
    started = time.perf_counter()
    runs = [run(learner, args.test_days, args.seed) for learner in learners]
    total = time.perf_counter() - started

    print(f"\n{args.learners} simulated learners, later period {args.test_days} days. Held-out = the optimiser's own "
          "cross-validated figures;\nlater = the period after optimising (log loss / RMSE(bins), lower is better).")
    print(f"{'#':>2} {'true':7} {'new/d':>5} {'days':>4} {'reviews':>7} {'items':>6} "
          f"{'held-out LL cur -> fit (gain/se)':>33} {'adopted':>7} {'later n':>7} {'LL default':>10} "
          f"{'LL used':>8} {'LL true':>8} "
          f"{'RMSE default':>12} {'RMSE used':>9} {'RMSE true':>9} {'opt s':>6}")
    for r in runs:
        res, later = r.result, r.later
        kind = "default" if r.learner.true == DEFAULTS else "own"
        if res is None:
            held, adopted, items = "too few items", "-", "<400"
        elif res.fitted is None:
            held, adopted, items = f"{res.current.log_loss:.4f} -> failed", "no", res.items
        else:
            z = (res.current.log_loss - res.fitted.log_loss) / res.difference_error
            held = f"{res.current.log_loss:.4f} -> {res.fitted.log_loss:.4f} ({z:+.1f} se)"
            adopted, items = "yes" if res.adopted else "no", res.items
        flag = ""
        if worse(r, "log_loss") or worse(r, "rmse_bins"):
            gain, error = r.later_gain
            flag = f"  WORSE (log loss {-gain:+.4f}, {gain / error:+.1f} se)"
        print(f"{r.learner.index:>2} {kind:7} {r.learner.new_per_day:>5} {r.learner.train_days:>4} {r.reviews:>7} "
              f"{items:>6} {held:>33} {adopted:>7} {later['default'].items:>7} {later['default'].log_loss:>10.4f} "
              f"{later['used'].log_loss:>8.4f} {later['true'].log_loss:>8.4f} {later['default'].rmse_bins:>12.4f} "
              f"{later['used'].rmse_bins:>9.4f} {later['true'].rmse_bins:>9.4f} {r.seconds:>6.2f}{flag}")

    optimised = [r for r in runs if r.result is not None]
    adopted = [r for r in optimised if r.result.adopted]
    print(f"\noptimised {len(optimised)} learners ({len(runs) - len(optimised)} had too few items); "
          f"adopted fitted parameters for {len(adopted)}")
    for label, group in (("all optimised", optimised), ("adopted", adopted)):
        if group:
            names = ("default", "used", "true")
            mean = {name: statistics.fmean(r.later[name].log_loss for r in group) for name in names}
            rmse = {name: statistics.fmean(r.later[name].rmse_bins for r in group) for name in names}
            print(f"  mean later log loss, {label:13}: default {mean['default']:.4f}  used {mean['used']:.4f}  "
                  f"true {mean['true']:.4f};  RMSE(bins): default {rmse['default']:.4f}  used {rmse['used']:.4f}  "
                  f"true {rmse['true']:.4f}")
    for metric, label in (("log_loss", "log loss"), ("rmse_bins", "RMSE(bins)")):
        bad = sum(worse(r, metric) for r in optimised)
        print(f"  runs whose parameters predict the later period worse than the defaults ({label}): "
              f"{bad}/{len(optimised)} = {bad / max(1, len(optimised)):.0%} (target 0)")
    clearly = sum(r.later_gain[0] < -optimiser.MARGIN * r.later_gain[1] for r in optimised)
    print(f"  of which worse in log loss by more than {optimiser.MARGIN} standard errors of the paired difference "
          f"(beyond the later period's own noise): {clearly}")
    seconds = [r.seconds for r in optimised]
    if seconds:
        print(f"  optimise: median {statistics.median(seconds):.2f} s, max {max(seconds):.2f} s "
              f"(largest history {max(r.result.items for r in optimised)} items); whole benchmark {total:.0f} s")


if __name__ == "__main__":
    main()
