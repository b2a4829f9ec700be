"""Moodle-style item analysis: per-question and whole-quiz statistics, distractors, first-time answers.

Notation follows Moodle's quiz statistics report: s attempts, x_i the mark on question i (maximum
m_i), X the attempt total, Y_i = X - x_i (the rest of the test). Variances and covariances divide
by s - 1. Percentages are on a 0-100 scale. Anything undefined (fewer than two attempts, zero
variance) is ``None``, never NaN, so templates can print "-" without special cases.

Questions missing from an attempt (random questions, a question added later) are allowed:
per-question figures use only the attempts where that question appeared, with Y_i being that
attempt's total minus x_i; whole-test figures (mean, SD, alpha, ...) use only the attempts that
include every question, since alpha needs each question's variance over the same attempts.
"""
from __future__ import annotations

import math
import statistics
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

# Moodle's guidance (docs.moodle.org "Quiz statistics calculations"): items outside these bounds
# tell the teacher little about who knows the material.
TOO_EASY_ABOVE = 90.0  # facility %, strictly above
TOO_HARD_BELOW = 20.0  # facility %, strictly below
WEAK_DISCRIMINATION_BELOW = 20.0  # 0 <= index < 20 is weak; below 0 is negative
AVERAGE_RANGE = (50.0, 75.0)  # test mean, % of maximum, inclusive
SD_RANGE = (12.0, 18.0)  # SD of totals, % of maximum, inclusive
ALPHA_SATISFACTORY_ABOVE = 75.0
ALPHA_UNSATISFACTORY_BELOW = 64.0

# Below this many attempts a flag says more about chance than about the question: 10 attempts put a
# facility of 90 % anywhere from about 60 % to 98 % (Wilson, 95 %). Figures are still shown, with
# their count; only the warnings wait.
MIN_FLAG_ATTEMPTS = 10

TOO_EASY = "too easy"
TOO_HARD = "too hard"
NEGATIVE_DISCRIMINATION = "negative discrimination"
WEAK_DISCRIMINATION = "weak discrimination"

# Percentages such as 9/10 * 100 come out as 90.00000000000001; round before comparing with a
# threshold so a value on the boundary is not flagged by floating-point noise.
_DIGITS = 9


@dataclass(frozen=True)
class QuizAttempts:
    """The finished attempts of one quiz.

    ``attempts``: one mapping per attempt, question key -> mark in [0, max mark]; a missing key means
    the question was not presented in that attempt (see the module docstring for how that counts).
    ``max_marks``: question key -> maximum mark; questions not listed are out of 1.0.
    ``durations``: optional, parallel to ``attempts``: question key -> seconds spent (None or missing
    when unknown).
    ``questions``: the quiz's questions in display order; by default every key seen, in first-seen
    order. An attempt is "complete" when it has a mark for each of them.
    """

    attempts: Sequence[Mapping[str, float]]
    max_marks: Mapping[str, float] = field(default_factory=dict)
    durations: Sequence[Mapping[str, float | None]] | None = None
    questions: Sequence[str] | None = None

    def __post_init__(self) -> None:
        keys = self.question_keys
        known = set(keys)
        for key, mark in self.max_marks.items():
            if not mark > 0:
                raise ValueError(f"max mark of {key!r} must be positive, got {mark!r}")
        for n, attempt in enumerate(self.attempts):
            for key, mark in attempt.items():
                if key not in known:
                    raise ValueError(f"attempt {n}: unknown question {key!r}")
                # A negatively marked choice can score below 0, as in Moodle (whose statistics take it as
                # it is: facility = mean mark / max mark); down to -max_mark.
                if not -self.max_mark(key) <= mark <= self.max_mark(key):  # also rejects NaN
                    raise ValueError(f"attempt {n}: mark {mark!r} for {key!r} outside "
                                     f"[-{self.max_mark(key)}, {self.max_mark(key)}]")
        if self.durations is not None:
            if len(self.durations) != len(self.attempts):
                raise ValueError("durations must have one entry per attempt")
            for n, times in enumerate(self.durations):
                for key, seconds in times.items():
                    if seconds is not None and not seconds >= 0:
                        raise ValueError(f"attempt {n}: duration {seconds!r} for {key!r} is not >= 0")

    @property
    def question_keys(self) -> tuple[str, ...]:
        """The quiz's questions: ``questions`` if given, else every key seen, in first-seen order."""
        if self.questions is not None:
            return tuple(self.questions)
        return tuple(dict.fromkeys(key for attempt in self.attempts for key in attempt))

    def max_mark(self, key: str) -> float:
        return float(self.max_marks.get(key, 1.0))


@dataclass(frozen=True)
class ItemStats:
    """One question's row in the report. Percentages are of the question's max mark."""

    key: str
    max_mark: float
    attempts: int  # attempts in which the question appeared
    facility: float | None  # mean(x_i) / m_i, %
    sd: float | None  # SD(x_i) / m_i, %
    discrimination_index: float | None  # 100 * Corr(x_i, Y_i)
    discriminative_efficiency: float | None  # 100 * Cov(x_i, Y_i) / CovMax_i
    mean_time: float | None  # seconds, over attempts with a known duration
    flags: tuple[str, ...]


@dataclass(frozen=True)
class Guidance:
    """Moodle's verdict on the test as a whole; each field is None when its figure is undefined.

    ``average`` and ``spread``: "low", "ok" or "high" against 50-75 % and 12-18 %.
    ``reliability``: "satisfactory" (alpha > 75 %), "unsatisfactory" (< 64 %), else "borderline".
    """

    average: str | None
    spread: str | None
    reliability: str | None

    @property
    def ok(self) -> bool:
        return self.average == "ok" and self.spread == "ok" and self.reliability == "satisfactory"


@dataclass(frozen=True)
class OverallStats:
    """Whole-test figures over the complete attempts. Percentages are of ``max_total``.

    ``error_ratio`` and the standard errors are None unless alpha > 0 (Moodle shows them only then;
    for alpha <= 0 the formula would claim more than 100 % of the spread is error).
    """

    attempts: int
    max_total: float
    mean: float | None
    median: float | None
    sd: float | None
    alpha: float | None  # Cronbach's alpha, %
    error_ratio: float | None  # 100 * sqrt(1 - alpha/100)
    standard_error: float | None  # error_ratio/100 * SD(X), marks
    standard_error_pct: float | None  # the same, % of max_total
    guidance: Guidance


def _mean(values: Sequence[float]) -> float:
    return math.fsum(values) / len(values)


def _cov(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Sample covariance (divide by s-1); None below two values."""
    if len(xs) < 2:
        return None
    mx, my = _mean(xs), _mean(ys)
    return math.fsum((x - mx) * (y - my) for x, y in zip(xs, ys)) / (len(xs) - 1)


def _var(xs: Sequence[float]) -> float | None:
    """Sample variance; exactly 0.0 for constant data, which fsum's mean would not always give."""
    if len(xs) < 2:
        return None
    if min(xs) == max(xs):
        return 0.0
    return _cov(xs, xs)


def _pct(value: float | None, whole: float) -> float | None:
    return None if value is None or whole == 0 else 100.0 * value / whole


def _facility_flags(facility: float | None) -> list[str]:
    if facility is None:
        return []
    f = round(facility, _DIGITS)
    return [TOO_EASY] if f > TOO_EASY_ABOVE else [TOO_HARD] if f < TOO_HARD_BELOW else []


def item_flags(facility: float | None, discrimination_index: float | None, attempts: int) -> tuple[str, ...]:
    """Moodle's warnings for one question: facility > 90 % too easy, < 20 % too hard; discrimination
    index < 0 negative, 0 <= index < 20 weak. Undefined figures raise no flag, and none is raised
    from fewer than MIN_FLAG_ATTEMPTS attempts."""
    if attempts < MIN_FLAG_ATTEMPTS:
        return ()
    flags = _facility_flags(facility)
    if discrimination_index is not None:
        d = round(discrimination_index, _DIGITS)
        if d < 0:
            flags.append(NEGATIVE_DISCRIMINATION)
        elif d < WEAK_DISCRIMINATION_BELOW:
            flags.append(WEAK_DISCRIMINATION)
    return tuple(flags)


def _item(key: str, m: float, xs: list[float], ys: list[float], times: list[float]) -> ItemStats:
    facility = _pct(_mean(xs), m) if xs else None
    var_x, var_y, cov = _var(xs), _var(ys), _cov(xs, ys)
    index = efficiency = None
    # Zero variance in x_i or Y_i leaves the correlation (and CovMax) at 0/0: undefined, not 0.
    if var_x and var_y and cov is not None:
        index = 100.0 * cov / math.sqrt(var_x * var_y)
        cov_max = _cov(sorted(xs), sorted(ys))
        if cov_max:
            efficiency = 100.0 * cov / cov_max
    return ItemStats(
        key=key,
        max_mark=m,
        attempts=len(xs),
        facility=facility,
        sd=_pct(math.sqrt(var_x), m) if var_x is not None else None,
        discrimination_index=index,
        discriminative_efficiency=efficiency,
        mean_time=_mean(times) if times else None,
        flags=item_flags(facility, index, len(xs)),
    )


def item_statistics(data: QuizAttempts) -> tuple[ItemStats, ...]:
    """Per-question statistics, in ``data.question_keys`` order."""
    # One pass over the attempts (each total summed once), so a bank's thousands of attempts of a
    # few questions each cost in proportion to the answers, not to questions x attempts.
    xs: dict[str, list[float]] = {key: [] for key in data.question_keys}
    ys: dict[str, list[float]] = {key: [] for key in data.question_keys}
    times: dict[str, list[float]] = {key: [] for key in data.question_keys}
    for n, attempt in enumerate(data.attempts):
        total = math.fsum(attempt.values())
        for key, mark in attempt.items():
            x = float(mark)
            xs[key].append(x)
            ys[key].append(total - x)
            if data.durations is not None and (t := data.durations[n].get(key)) is not None:
                times[key].append(float(t))
    return tuple(_item(key, data.max_mark(key), xs[key], ys[key], times[key]) for key in data.question_keys)


def _band(value: float | None, low: float, high: float) -> str | None:
    if value is None:
        return None
    v = round(value, _DIGITS)
    return "low" if v < low else "high" if v > high else "ok"


def guidance(mean: float | None, sd: float | None, alpha: float | None) -> Guidance:
    """Moodle's guidance for a test: mean 50-75 %, SD 12-18 % (both inclusive), alpha > 75 % satisfactory,
    alpha < 64 % unsatisfactory, in between borderline. All arguments are percentages."""
    reliability = None
    if alpha is not None:
        a = round(alpha, _DIGITS)
        reliability = ("satisfactory" if a > ALPHA_SATISFACTORY_ABOVE
                       else "unsatisfactory" if a < ALPHA_UNSATISFACTORY_BELOW else "borderline")
    return Guidance(_band(mean, *AVERAGE_RANGE), _band(sd, *SD_RANGE), reliability)


def overall_statistics(data: QuizAttempts) -> OverallStats:
    """Whole-test statistics over the attempts that include every question (see the module docstring)."""
    keys = data.question_keys
    complete = [a for a in data.attempts if all(k in a for k in keys)]
    max_total = math.fsum(data.max_mark(k) for k in keys)
    totals = [math.fsum(float(a[k]) for k in keys) for a in complete]
    var_total = _var(totals)
    sd_total = math.sqrt(var_total) if var_total is not None else None
    alpha = error_ratio = standard_error = None
    if len(keys) >= 2 and var_total:
        item_vars = [_var([float(a[k]) for a in complete]) or 0.0 for k in keys]
        p = len(keys)
        alpha = 100.0 * p / (p - 1) * (1.0 - math.fsum(item_vars) / var_total)
        if alpha > 0 and sd_total is not None:
            error_ratio = 100.0 * math.sqrt(max(0.0, 1.0 - alpha / 100.0))  # alpha <= 100 in theory; guard rounding
            standard_error = error_ratio / 100.0 * sd_total
    mean = _pct(_mean(totals), max_total) if totals else None
    sd = _pct(sd_total, max_total)
    return OverallStats(
        attempts=len(complete),
        max_total=max_total,
        mean=mean,
        median=_pct(statistics.median(totals), max_total) if totals else None,
        sd=sd,
        alpha=alpha,
        error_ratio=error_ratio,
        standard_error=standard_error,
        standard_error_pct=_pct(standard_error, max_total),
        guidance=guidance(mean, sd, alpha),
    )


@dataclass(frozen=True)
class ChoiceCount:
    choice: Hashable
    count: int  # responses that picked this choice
    share: float | None  # % of all responses (blank ones included); None when there are none
    correct: bool


@dataclass(frozen=True)
class DistractorAnalysis:
    """How often each choice of a choice question was picked.

    With multiple answers allowed a response can pick several choices, so shares may add up to
    more than 100 %.
    """

    responses: int
    blank: int  # responses that picked nothing
    choices: tuple[ChoiceCount, ...]


def distractor_counts(
    counted: Iterable[tuple[Hashable | Collection[Hashable] | None, int]],
    correct: Collection[Hashable],
    choices: Sequence[Hashable] = (),
) -> DistractorAnalysis:
    """How often each choice of a choice question was picked, from (response, how many gave it)
    pairs: thousands of answers, a few distinct responses.

    Each response is a single choice, or a list/tuple/set of the choices picked (a choice picked
    twice in one response counts once); None or an empty collection is a blank response. Rows come
    in ``choices`` order, then any other choice (picked or correct) in first-seen order, so
    unpicked distractors and an unpicked right answer still get a row.
    """
    counts: dict[Hashable, int] = dict.fromkeys(choices, 0)
    total = blank = 0
    for response, times in counted:
        total += times
        if response is None:
            picked: set[Hashable] = set()
        elif isinstance(response, list | tuple | set | frozenset):
            picked = set(response)
        else:
            picked = {response}
        if not picked:
            blank += times
        # Iterate the original order where there is one, so new choices are listed as first seen.
        for choice in dict.fromkeys(response if isinstance(response, list | tuple) else picked):
            counts[choice] = counts.get(choice, 0) + times
    for choice in correct:
        counts.setdefault(choice, 0)
    rows = tuple(ChoiceCount(c, n, _pct(n, total), c in correct) for c, n in counts.items())
    return DistractorAnalysis(responses=total, blank=blank, choices=rows)


@dataclass(frozen=True)
class FirstTimeStats:
    """Facility of the first answers learners gave to a question while studying (services.item_stats
    computes it in SQL). Study sessions have no test total to correlate with, so there is no
    discrimination index or efficiency here, and the flags are only "too easy" / "too hard"."""

    attempts: int
    facility: float | None  # mean score, %
    mean_time: float | None  # seconds, over answers with a known duration
    flags: tuple[str, ...]  # facility flags only
