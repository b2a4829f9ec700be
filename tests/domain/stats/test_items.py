"""Item analysis checked against figures worked out by hand (arithmetic in the comments).

Variances and covariances divide by s - 1; "SS" is a sum of squared deviations, "SP" a sum of
products of deviations.
"""
from __future__ import annotations

import math

import pytest

from quizapp.domain.stats.items import (
    MIN_FLAG_ATTEMPTS,
    NEGATIVE_DISCRIMINATION,
    TOO_EASY,
    TOO_HARD,
    WEAK_DISCRIMINATION,
    Guidance,
    ItemStats,
    QuizAttempts,
    distractor_counts,
    guidance,
    item_statistics,
    overall_statistics,
)

approx = lambda v: pytest.approx(v, abs=0.01)  # noqa: E731  (figures are shown to two decimals)

# Five attempts; q1-q3 are right/wrong, q4 is out of 2 with partial marks.
#            q1 q2 q3 q4 | X
#   A         1  1  0  2 | 4
#   B         1  1  0  1 | 3
#   C         1  0  1  1 | 3
#   D         1  0  1  0 | 2
#   E         0  0  1  0 | 1
# q3 is answered right by the weaker students: it should discriminate negatively.
ROWS = [(1, 1, 0, 2), (1, 1, 0, 1), (1, 0, 1, 1), (1, 0, 1, 0), (0, 0, 1, 0)]
KEYS = ("q1", "q2", "q3", "q4")
ATTEMPTS = [dict(zip(KEYS, row)) for row in ROWS]
MAX = {"q4": 2.0}


def by_key(items: tuple[ItemStats, ...]) -> dict[str, ItemStats]:
    return {item.key: item for item in items}


def test_worked_example_items():
    items = by_key(item_statistics(QuizAttempts(ATTEMPTS, max_marks=MAX)))
    assert list(items) == list(KEYS)

    # q1: x = 1,1,1,1,0, mean .8 -> facility 80 %. dev .2,.2,.2,.2,-.8: SS = 4*.04 + .64 = .8, Var = .2,
    # SD = .4472 -> 44.72 %.  Y = X - x = 3,2,2,1,1, mean 1.8, dev 1.2,.2,.2,-.8,-.8: SS = 2.8, Var = .7.
    # SP = .24 + .04 + .04 - .16 + .64 = .8, Cov = .2.  DI = 100 * .2 / sqrt(.2 * .7) = 53.45.
    # CovMax: x sorted 0,1,1,1,1 with Y sorted 1,1,2,2,3 is the same pairing -> Cov .2, DE = 100.
    q1 = items["q1"]
    assert q1.attempts == 5
    assert q1.facility == approx(80.0)
    assert q1.sd == approx(44.72)
    assert q1.discrimination_index == approx(53.45)
    assert q1.discriminative_efficiency == approx(100.0)
    assert q1.flags == ()

    # q2: x = 1,1,0,0,0, mean .4 -> 40 %. dev .6,.6,-.4,-.4,-.4: SS = .72 + .48 = 1.2, Var = .3, SD = 54.77 %.
    # Y = 3,2,3,2,1, mean 2.2, dev .8,-.2,.8,-.2,-1.2: SS = 2.8, Var = .7.
    # SP = .48 - .12 - .32 + .08 + .48 = .6, Cov = .15.  DI = 100 * .15 / sqrt(.3 * .7) = 15 / .45826 = 32.73.
    # CovMax: x 0,0,0,1,1 (dev -.4,-.4,-.4,.6,.6) with Y 1,2,2,3,3 (dev -1.2,-.2,-.2,.8,.8):
    # SP = .48 + .08 + .08 + .48 + .48 = 1.6, Cov = .4.  DE = 100 * .15 / .4 = 37.5.
    q2 = items["q2"]
    assert q2.facility == approx(40.0)
    assert q2.sd == approx(54.77)
    assert q2.discrimination_index == approx(32.73)
    assert q2.discriminative_efficiency == approx(37.5)
    assert q2.flags == ()

    # q3: x = 0,0,1,1,1, mean .6 -> 60 %, Var = .3, SD = 54.77 %.  Y = 4,3,2,1,0, mean 2, SS = 10, Var = 2.5.
    # SP = -.6*2 - .6*1 + .4*0 + .4*(-1) + .4*(-2) = -3, Cov = -.75.  DI = -75 / sqrt(.75) = -86.60.
    # CovMax: x 0,0,1,1,1 with Y 0,1,2,3,4: SP = 1.2 + .6 + 0 + .4 + .8 = 3, Cov = .75.  DE = -100.
    q3 = items["q3"]
    assert q3.facility == approx(60.0)
    assert q3.discrimination_index == approx(-86.60)
    assert q3.discriminative_efficiency == approx(-100.0)
    assert q3.flags == ()  # 5 attempts: figures shown, warnings wait for MIN_FLAG_ATTEMPTS

    # q4 (out of 2): x = 2,1,1,0,0, mean .8 -> .8/2 = 40 %. dev 1.2,.2,.2,-.8,-.8: SS = 2.8, Var = .7,
    # SD = .8367 marks -> /2 = 41.83 %.  Y = 2,2,2,2,1, mean 1.8, SS = .8, Var = .2.
    # SP = .24 + .04 + .04 - .16 + .64 = .8, Cov = .2.  DI = 100 * .2 / sqrt(.7 * .2) = 53.45.
    # CovMax: x 0,0,1,1,2 (dev -.8,-.8,.2,.2,1.2) with Y 1,2,2,2,2 (dev -.8,.2,.2,.2,.2):
    # SP = .64 - .16 + .04 + .04 + .24 = .8, Cov = .2 -> DE = 100.
    q4 = items["q4"]
    assert q4.max_mark == 2.0
    assert q4.facility == approx(40.0)
    assert q4.sd == approx(41.83)
    assert q4.discrimination_index == approx(53.45)
    assert q4.discriminative_efficiency == approx(100.0)


def test_worked_example_overall_with_negative_alpha():
    # X = 4,3,3,2,1, max 5: mean 2.6 -> 52 %, median 3 -> 60 %.
    # dev 1.4,.4,.4,-.6,-1.6: SS = 1.96 + .16 + .16 + .36 + 2.56 = 5.2, Var = 1.3, SD = 1.1402 -> 22.80 %.
    # sum Var(x_i) = .2 + .3 + .3 + .7 = 1.5 > Var(X): alpha = 100 * 4/3 * (1 - 1.5/1.3) = -800/39 = -20.51.
    test = overall_statistics(QuizAttempts(ATTEMPTS, max_marks=MAX))
    assert test.attempts == 5
    assert test.max_total == 5.0
    assert test.mean == approx(52.0)
    assert test.median == approx(60.0)
    assert test.sd == approx(22.80)
    assert test.alpha == approx(-20.51)
    # Moodle shows no error ratio for alpha <= 0.
    assert test.error_ratio is None and test.standard_error is None and test.standard_error_pct is None
    assert test.guidance == Guidance(average="ok", spread="high", reliability="unsatisfactory")
    assert not test.guidance.ok


def test_worked_example_overall_without_the_bad_question():
    # Drop q3: X = 4,3,2,1,0, max 4: mean 2 -> 50 % (the lower edge of 50-75 counts as ok), median 2 -> 50 %.
    # dev 2,1,0,-1,-2: SS = 10, Var = 2.5, SD = 1.5811 -> 39.53 %.
    # sum Var(x_i) = .2 + .3 + .7 = 1.2: alpha = 100 * 3/2 * (1 - 1.2/2.5) = 150 * .52 = 78.
    # Error ratio = 100 * sqrt(1 - .78) = 100 * sqrt(.22) = 46.90.
    # SE = .46904 * 1.58114 = 0.7416 marks -> / 4 = 18.54 %.
    attempts = [{k: v for k, v in a.items() if k != "q3"} for a in ATTEMPTS]
    test = overall_statistics(QuizAttempts(attempts, max_marks=MAX))
    assert test.max_total == 4.0
    assert test.mean == approx(50.0)
    assert test.median == approx(50.0)
    assert test.sd == approx(39.53)
    assert test.alpha == approx(78.0)
    assert test.error_ratio == approx(46.90)
    assert test.standard_error == approx(0.74)
    assert test.standard_error_pct == approx(18.54)
    assert test.guidance == Guidance(average="ok", spread="high", reliability="satisfactory")


def test_question_missing_from_some_attempts():
    # q3 was not presented in D and E.
    #        q1 q2 q3 | X
    #   A     1  1  1 | 3
    #   B     1  0  1 | 2
    #   C     0  0  0 | 0
    #   D     1  1  - | 2
    #   E     0  1  - | 1
    attempts = [
        {"q1": 1, "q2": 1, "q3": 1},
        {"q1": 1, "q2": 0, "q3": 1},
        {"q1": 0, "q2": 0, "q3": 0},
        {"q1": 1, "q2": 1},
        {"q1": 0, "q2": 1},
    ]
    data = QuizAttempts(attempts)
    items = by_key(item_statistics(data))

    # q3 over A, B, C: x = 1,1,0 -> 66.67 %; Var = (1/9 + 1/9 + 4/9) / 2 = 1/3, SD = 57.74 %.
    # Y = 2,1,0: Var = 2/2 = 1.  SP = 1/3*1 + 1/3*0 + (-2/3)(-1) = 1, Cov = .5.  DI = 50 / sqrt(1/3) = 86.60.
    assert items["q3"].attempts == 3
    assert items["q3"].facility == approx(66.67)
    assert items["q3"].sd == approx(57.74)
    assert items["q3"].discrimination_index == approx(86.60)

    # q1 over all five, Y from each attempt's own total: Y = 2,1,0,1,1 (D: 2 - 1, E: 1 - 0).
    # x mean .6, dev .4,.4,-.6,.4,-.6, Var = (.48 + .72)/4 = .3.  Y mean 1, dev 1,0,-1,0,0, Var = .5.
    # SP = .4 + 0 + .6 + 0 + 0 = 1, Cov = .25.  DI = 25 / sqrt(.15) = 64.55.
    assert items["q1"].attempts == 5
    assert items["q1"].facility == approx(60.0)
    assert items["q1"].discrimination_index == approx(64.55)

    # q2: x = 1,0,0,1,1 (dev .4,-.6,-.6,.4,.4), Y = 2,2,0,1,0 (dev 1,1,-1,0,-1):
    # SP = .4 - .6 + .6 + 0 - .4 = 0 -> DI 0, which is weak (0 <= DI < 20) but not negative.
    assert items["q2"].discrimination_index == approx(0.0)
    assert items["q2"].flags == ()  # fewer than 10 attempts: no warning yet

    # Test figures over the complete attempts A, B, C only: X = 3,2,0, max 3.
    # mean 5/3 -> 55.56 %, median 2 -> 66.67 %.  dev 4/3,1/3,-5/3: SS = 42/9, Var = 7/3, SD = 1.5275 -> 50.92 %.
    # Var(q1) = Var(1,1,0) = 1/3, Var(q2) = Var(1,0,0) = 1/3, Var(q3) = 1/3: sum 1.
    # alpha = 100 * 3/2 * (1 - 1/(7/3)) = 150 * 4/7 = 85.71.  ER = 100 * sqrt(1/7) = 37.80.
    # SE = sqrt(1/7) * sqrt(7/3) = sqrt(1/3) = 0.5774 marks -> 19.25 %.
    test = overall_statistics(data)
    assert test.attempts == 3
    assert test.mean == approx(55.56)
    assert test.median == approx(66.67)
    assert test.sd == approx(50.92)
    assert test.alpha == approx(85.71)
    assert test.error_ratio == approx(37.80)
    assert test.standard_error == approx(0.58)
    assert test.standard_error_pct == approx(19.25)


def test_everyone_right_has_no_spread_figures():
    # Ten perfect attempts: facility 100 % (too easy); every variance is 0, so SD is 0 but
    # DI, DE and alpha are 0/0, i.e. undefined.
    data = QuizAttempts([{"a": 1, "b": 1}] * 10)
    for item in item_statistics(data):
        assert item.facility == approx(100.0)
        assert item.sd == 0.0
        assert item.discrimination_index is None and item.discriminative_efficiency is None
        assert item.flags == (TOO_EASY,)
    test = overall_statistics(data)
    assert test.mean == approx(100.0) and test.sd == 0.0
    assert test.alpha is None and test.error_ratio is None and test.standard_error is None
    assert test.guidance == Guidance(average="high", spread="low", reliability=None)


def test_constant_non_integer_marks_count_as_zero_variance():
    # 0.1 three times: a naive mean is 0.10000000000000002 and would give a tiny non-zero variance.
    data = QuizAttempts([{"a": 0.1, "b": 1}, {"a": 0.1, "b": 0}, {"a": 0.1, "b": 1}])
    a = by_key(item_statistics(data))["a"]
    assert a.sd == 0.0 and a.discrimination_index is None


def test_one_attempt():
    data = QuizAttempts([{"a": 1, "b": 0, "c": 0.5}])
    items = by_key(item_statistics(data))
    assert items["a"].facility == approx(100.0) and items["b"].facility == approx(0.0)
    assert items["c"].facility == approx(50.0)
    for item in items.values():
        assert item.attempts == 1
        assert item.sd is None and item.discrimination_index is None and item.discriminative_efficiency is None
    assert items["b"].flags == ()  # one attempt says nothing about the question
    test = overall_statistics(data)
    # X = 1.5 of 3 -> 50 %; nothing with a variance in it is defined.
    assert test.attempts == 1 and test.mean == approx(50.0) and test.median == approx(50.0)
    assert test.sd is None and test.alpha is None and test.error_ratio is None
    assert test.guidance == Guidance(average="ok", spread=None, reliability=None)


def test_no_attempts():
    data = QuizAttempts([], questions=["a"])
    (item,) = item_statistics(data)
    assert item.attempts == 0 and item.facility is None and item.flags == ()
    overall = overall_statistics(data)
    assert overall.attempts == 0 and overall.mean is None and overall.max_total == 1.0


def test_facility_thresholds_are_strict():
    # 9/10 right is 90 % (not above 90: no flag); 2/10 is 20 % (not below 20); 1/10 is too hard.
    def facility_flags(right: int) -> tuple[str, ...]:
        attempts = [{"q": 1 if n < right else 0} for n in range(10)]
        return item_statistics(QuizAttempts(attempts))[0].flags

    assert facility_flags(10) == (TOO_EASY,)
    assert facility_flags(9) == ()
    assert facility_flags(2) == ()
    assert facility_flags(1) == (TOO_HARD,)


def test_weak_discrimination_uncorrelated_items():
    # a = 1,0,1,0 and b = 1,1,0,0: for a, Y = b; dev .5,-.5,.5,-.5 and .5,.5,-.5,-.5 give SP = 0 -> DI 0.
    # Var(a) = Var(b) = 1/3; X = 2,1,1,0, Var = 2/3: alpha = 100 * 2 * (1 - (2/3)/(2/3)) = 0 -> no error ratio.
    data = QuizAttempts([{"a": 1, "b": 1}, {"a": 0, "b": 1}, {"a": 1, "b": 0}, {"a": 0, "b": 0}])
    for item in item_statistics(data):
        assert item.discrimination_index == approx(0.0)
        assert item.flags == ()  # 4 attempts
    for item in item_statistics(QuizAttempts(data.attempts * 3)):  # the same, 12 attempts: now a warning
        assert item.discrimination_index == approx(0.0) and item.flags == (WEAK_DISCRIMINATION,)
    test = overall_statistics(data)
    assert test.alpha == approx(0.0)
    assert test.error_ratio is None


def test_mean_time_uses_known_durations_only():
    data = QuizAttempts(
        [{"a": 1, "b": 0}, {"a": 0, "b": 1}, {"a": 1}],
        durations=[{"a": 10.0, "b": 30.0}, {"a": None, "b": 50.0}, {"a": 20.0}],
    )
    items = by_key(item_statistics(data))
    assert items["a"].mean_time == approx(15.0)  # (10 + 20) / 2; the None is skipped
    assert items["b"].mean_time == approx(40.0)  # (30 + 50) / 2
    assert item_statistics(QuizAttempts([{"a": 1}]))[0].mean_time is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"attempts": [{"a": 1.5}]}, "outside"),
        ({"attempts": [{"a": -1.1}]}, "outside"),  # a negative mark, but beyond -max (Moodle: down to -100 %)
        ({"attempts": [{"a": math.nan}]}, "outside"),
        ({"attempts": [{"a": 2.5}], "max_marks": {"a": 2}}, "outside"),
        ({"attempts": [{"a": 1}], "max_marks": {"a": 0}}, "positive"),
        ({"attempts": [{"a": 1, "z": 0}], "questions": ["a"]}, "unknown question"),
        ({"attempts": [{"a": 1}], "durations": []}, "one entry per attempt"),
        ({"attempts": [{"a": 1}], "durations": [{"a": -1}]}, "duration"),
    ],
)
def test_bad_input_is_rejected(kwargs: dict, message: str):
    with pytest.raises(ValueError, match=message):
        QuizAttempts(**kwargs)


@pytest.mark.parametrize(
    ("mean", "sd", "alpha", "expected"),
    [
        (60.0, 15.0, 80.0, Guidance("ok", "ok", "satisfactory")),
        (75.0, 18.0, 75.0, Guidance("ok", "ok", "borderline")),  # upper edges: ranges inclusive, alpha not > 75
        (49.9, 11.9, 64.0, Guidance("low", "low", "borderline")),
        (75.1, 18.1, 63.9, Guidance("high", "high", "unsatisfactory")),
    ],
)
def test_guidance_bands(mean: float, sd: float, alpha: float, expected: Guidance):
    assert guidance(mean, sd, alpha) == expected
    assert guidance(mean, sd, alpha).ok == (expected == Guidance("ok", "ok", "satisfactory"))


def test_distractors_single_answer():
    # 6 responses, right answer B: B x3, A x1, C x1, one blank. D never picked but still listed.
    # Counted as the service reads them: (response, how many gave it), one row per distinct response.
    result = distractor_counts([("B", 3), ("A", 1), (None, 1), ("C", 1)], correct={"B"}, choices=["A", "B", "C", "D"])
    assert result.responses == 6 and result.blank == 1
    rows = [(c.choice, c.count, c.correct) for c in result.choices]
    assert rows == [("A", 1, False), ("B", 3, True), ("C", 1, False), ("D", 0, False)]
    shares = {c.choice: c.share for c in result.choices}
    assert shares == {"A": approx(16.67), "B": approx(50.0), "C": approx(16.67), "D": approx(0.0)}


def test_distractors_multiple_answers():
    # Right answers A and C; 4 responses. A in 3 (75 %), B in 1 (25 %), C in 2 (50 %); one blank;
    # "A" twice within one response counts once. E is not in `choices` but was picked, so it gets a row.
    responses = [["A", "C"], ["A", "A"], ["A", "B", "C", "E"], []]
    result = distractor_counts(((r, 1) for r in responses), correct=["A", "C"], choices=["A", "B", "C", "D"])
    assert result.responses == 4 and result.blank == 1
    rows = [(c.choice, c.count, c.share, c.correct) for c in result.choices]
    assert rows == [
        ("A", 3, approx(75.0), True),
        ("B", 1, approx(25.0), False),
        ("C", 2, approx(50.0), True),
        ("D", 0, approx(0.0), False),
        ("E", 1, approx(25.0), False),
    ]


def test_distractors_no_responses():
    result = distractor_counts(((r, 1) for r in []), correct=[2], choices=[1])
    assert result.responses == 0
    rows = [(c.choice, c.count, c.share, c.correct) for c in result.choices]
    assert rows == [(1, 0, None, False), (2, 0, None, True)]


def test_a_negative_mark_counts_as_moodle_counts_it():
    """A wrong pick of a negatively marked choice scores below 0; facility is the mean mark / max."""
    (item,) = item_statistics(QuizAttempts(attempts=[{"a": 1.0}, {"a": -0.5}, {"a": 0.5}]))
    assert item.facility == approx(100 * (1.0 - 0.5 + 0.5) / 3)


def test_flags_wait_for_ten_attempts_and_then_follow_moodle():
    """Repeating every attempt leaves facility and discrimination as they were; only the count grows."""
    assert MIN_FLAG_ATTEMPTS == 10
    example = [{"q": 0, "r": 1}, {"q": 0, "r": 1}, {"q": 1, "r": 0}, {"q": 1, "r": 0}, {"q": 1, "r": 0}]
    five = by_key(item_statistics(QuizAttempts(example)))["q"]
    ten = by_key(item_statistics(QuizAttempts(example * 2)))["q"]
    assert five.discrimination_index == approx(ten.discrimination_index) and ten.discrimination_index < 0
    assert (five.attempts, five.flags) == (5, ())
    assert (ten.attempts, ten.flags) == (10, (NEGATIVE_DISCRIMINATION,))
    nine_right = [{"q": 1}] * 9
    assert item_statistics(QuizAttempts(nine_right))[0].flags == ()  # 100 % of 9: too few to call it too easy
    assert item_statistics(QuizAttempts(nine_right + [{"q": 1}]))[0].flags == (TOO_EASY,)
