"""The shared scheduling corpus (tests/scheduling_corpus.json): what the server's scheduler
(quizapp/domain/scheduling.py over the Python ``fsrs`` package) gives a card answered at given times,
run again in the browser through static/offline/schedule.js (ts-fsrs) by
tests/e2e/test_grading_corpus_browser.py.

Each sequence is one learner (the pack's ``user`` object: time zone, day start, retention, parameters)
and one card (its fuzz seed) answered from new with (rating, time) steps. Each step records the card
before, the four buttons' next states (state, step, stability, difficulty, due, reps, lapses) and
their labels. Here the corpus must equal what the server computes now; when the server's scheduling
changes on purpose, regenerate it:
    .venv/bin/python -m tests.domain.test_scheduling_corpus
"""
from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
from fsrs.scheduler import DEFAULT_PARAMETERS

from quizapp.domain import scheduling as sched

CORPUS_PATH = Path(__file__).resolve().parents[1] / "scheduling_corpus.json"

FITTED = [0.3, 1.1, 3.5, 12.0, 6.8, 0.6, 2.4, 0.01, 1.6, 0.2, 0.9, 1.7, 0.08, 0.3, 1.4, 0.4, 2.2, 0.6, 0.2, 0.1, 0.25]


def _user(timezone: str = "UTC", day_start_hour: int = 4, retention: float = 0.9,
          parameters: list[float] | None = None, learning_steps: list[int] | None = None,
          relearning_steps: list[int] | None = None, leech_threshold: int = sched.LEECH_LAPSES) -> dict[str, Any]:
    """The scheduling part of the pack's ``user`` object (docs/offline.md), with the card's bank's
    learning and relearning steps (seconds) and leech threshold as the offline page merges them in."""
    return {"timezone": timezone, "day_start_hour": day_start_hour, "desired_retention": retention,
            "fsrs_parameters": list(parameters or DEFAULT_PARAMETERS),
            "learning_steps": [60, 600] if learning_steps is None else learning_steps,
            "relearning_steps": [600] if relearning_steps is None else relearning_steps,
            "maximum_interval": sched.MAX_INTERVAL_DAYS, "enable_fuzz": False,
            "leech_threshold": leech_threshold}


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def _steps(start: str, plan: list[tuple[int, float]]) -> list[tuple[int, str]]:
    """(rating, hours after the previous answer) -> (rating, ISO time)."""
    when = _at(start)
    out = []
    for rating, hours in plan:
        when += timedelta(hours=hours)
        out.append((rating, when.isoformat()))
    return out


D = 24.0
SEQUENCES = [
    ("good-path-utc", _user(), "12:41:0", _steps("2026-01-05T10:00:00+00:00", [
        (3, 0), (3, 1 / 6), (3, 2 * D), (3, 5 * D), (3, 14 * D), (3, 40 * D), (1, 100 * D), (3, 1 / 6),
        (2, 3 * D), (4, 7 * D), (3, 30 * D)])),
    ("again-and-hard-in-learning", _user(), "3:7:0", _steps("2026-02-01T08:30:00+00:00", [
        (1, 0), (1, 1 / 60), (2, 1 / 60), (2, 0.1), (3, 0.1), (1, 0.2), (3, 0.02), (3, 0.2), (2, 30),
        (1, 4 * D), (2, 0.2), (3, 0.2), (3, 3 * D)])),
    ("easy-first", _user(), "9:99:2", _steps("2026-03-10T23:59:00+00:00", [
        (4, 0), (4, 9 * D), (4, 40 * D), (4, 150 * D), (1, 400 * D), (4, 0.2)])),
    ("paris-late-night-and-dst", _user("Europe/Paris", 4), "5:1:0", _steps("2026-03-27T23:30:00+00:00", [
        (3, 0), (3, 0.2), (3, 3), (3, 20), (3, 2 * D), (2, 6 * D), (3, 180 * D), (3, 24 * D)])),
    ("new-york-midnight-start", _user("America/New_York", 0), "5:2:0", _steps("2026-10-31T03:55:00+00:00", [
        (3, 0), (3, 0.2), (3, 1.2), (1, 25), (3, 0.2), (3, 50), (3, 200)])),
    ("chatham-quarter-hours", _user("Pacific/Chatham", 5), "8:8:1", _steps("2026-04-04T14:00:00+00:00", [
        (3, 0), (4, 0.5), (3, 4 * D), (3, 11 * D), (2, 30 * D)])),
    ("kolkata-fitted-parameters-high-retention", _user("Asia/Kolkata", 4, 0.95, FITTED), "40:400:0",
     _steps("2026-06-01T22:29:00+00:00", [
         (3, 0), (3, 0.2), (3, 1), (3, 26), (1, 5 * D), (3, 0.2), (3, D), (4, 3 * D), (3, 9 * D)])),
    ("low-retention-long-run", _user("UTC", 4, 0.75), "1:2:3", _steps("2026-01-01T12:00:00+00:00", [
        (3, 0), (3, 0.2), (3, 3 * D), (3, 10 * D), (3, 35 * D), (3, 110 * D), (3, 300 * D), (3, 900 * D),
        (2, 2000 * D), (1, 3000 * D)])),
    # A bank's own options: learning steps of 30 minutes and 2 hours, relearning steps of 5 minutes and
    # 1 hour, a leech at the second lapse.
    ("bank-steps-and-leech-threshold", _user(learning_steps=[1800, 7200], relearning_steps=[300, 3600],
                                             leech_threshold=2), "31:4:0",
     _steps("2026-07-01T09:00:00+00:00", [
         (3, 0), (2, 0.5), (3, 0.75), (3, 2.5), (3, 3 * D), (1, 9 * D), (3, 0.2), (3, 2 * D), (1, 6 * D),
         (3, 0.2), (1, 3 * D)])),
    # No learning or relearning steps: a new card goes straight to review, a lapse straight back.
    ("bank-without-learning-steps", _user(learning_steps=[], relearning_steps=[]), "32:5:0",
     _steps("2026-07-02T09:00:00+00:00", [
        (1, 0), (3, 0.1), (2, 2 * D), (1, 5 * D), (3, 0.2), (4, 3 * D)])),
    ("same-day-reviews-of-a-review-card", _user(), "77:1:0", _steps("2026-05-05T05:05:00+00:00", [
        (4, 0), (3, 1), (2, 1), (1, 1), (1, 0.1), (2, 0.2), (3, 0.3), (4, 0.4)])),
]


def _state(card: sched.CardState) -> dict[str, Any]:
    return card.to_json()


@lru_cache(maxsize=1)
def _built() -> str:
    return json.dumps(build())


def build() -> dict[str, Any]:
    sequences = []
    for name, user, seed, steps in SEQUENCES:
        scheduler = sched.make_scheduler(user["desired_retention"], user["fsrs_parameters"], user["timezone"],
                                         user["day_start_hour"],
                                         learning_steps=tuple(timedelta(seconds=s) for s in user["learning_steps"]),
                                         relearning_steps=tuple(timedelta(seconds=s)
                                                                for s in user["relearning_steps"]),
                                         leech_lapses=user["leech_threshold"])
        card = sched.CardState()
        rows = []
        for rating, when in steps:
            now = _at(when)
            after = sched.next_states(card, now, scheduler, seed)
            rows.append({
                "rating": rating, "at": when, "fuzz_factor": sched.fuzz_factor(seed, card.reps),
                "before": None if card.state == sched.NEW else _state(card),
                "next": {str(r): _state(s) for r, s in after.items()},
                "labels": {str(r): sched.interval_label(sched.interval_of(card, s, now, scheduler))
                           for r, s in after.items()},
            })
            card = after[rating]
        sequences.append({"id": name, "user": user, "fuzz_seed": seed, "steps": rows})
    return {"about": "Shared scheduling corpus: the server's scheduler (quizapp/domain/scheduling.py, Python fsrs) "
                     "for answers at given times; run by tests/domain/test_scheduling_corpus.py and, through "
                     "static/offline/schedule.js (ts-fsrs), by tests/e2e/test_grading_corpus_browser.py.",
            "tolerance": {"stability": 1e-6, "difficulty": 1e-6}, "sequences": sequences}


def _close(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return isinstance(a, (int, float)) and isinstance(b, (int, float)) and math.isclose(a, b, rel_tol=1e-12)
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(map(_close, a, b))
    return a == b


CORPUS = json.loads(CORPUS_PATH.read_text(encoding="utf-8")) if CORPUS_PATH.exists() else {"sequences": []}


@pytest.mark.parametrize("sequence", CORPUS["sequences"], ids=lambda s: s["id"])
def test_the_server_still_schedules_each_sequence_as_the_corpus_says(sequence):
    fresh = {s["id"]: s for s in json.loads(_built())["sequences"]}[sequence["id"]]
    assert _close(fresh, sequence)


def test_the_corpus_covers_every_state_and_rating_and_real_intervals():
    steps = [step for s in CORPUS["sequences"] for step in s["steps"]]
    assert len(steps) >= 60
    reached = {(step["before"] or {"state": 0})["state"] for step in steps}
    assert reached == {0, 1, 2, 3}
    assert {step["rating"] for step in steps} == {1, 2, 3, 4}
    review_days = {step["labels"][str(step["rating"])] for step in steps
                   if step["next"][str(step["rating"])]["state"] == 2}
    assert any(label.endswith("mo") or label.endswith("y") for label in review_days)
    # Fuzz spreads intervals of 3 days and more: some applied interval differs from fsrs' unfuzzed one.
    assert len({s["fuzz_seed"] for s in CORPUS["sequences"]}) == len(CORPUS["sequences"])


def test_a_changed_corpus_value_is_caught():
    sequence = CORPUS["sequences"][0]
    altered = json.loads(json.dumps(sequence))
    altered["steps"][3]["next"]["3"]["stability"] *= 1.001
    fresh = {s["id"]: s for s in json.loads(_built())["sequences"]}[sequence["id"]]
    assert _close(fresh, sequence)
    assert not _close(fresh, altered)


if __name__ == "__main__":
    CORPUS_PATH.write_text(json.dumps(build(), indent=1) + "\n", encoding="utf-8")
    print(f"wrote {CORPUS_PATH}")
