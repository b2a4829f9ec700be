"""Grading tables against Moodle's own rules, one per question type, so a bank imported from GIFT
(or exported to Moodle) scores the same here as there.

Each row is a question, a response and the fraction Moodle gives it; the comment above each table
names the Moodle function the rule was read from (moodle/moodle, question/type/<qtype>/question.php).
How a quiz adds the fractions up (not floored) is tested in tests/services/test_quiz.py.
Numeric and short answer have their own tables elsewhere.
"""
from __future__ import annotations

from itertools import chain, combinations

import pytest

from quizapp.domain.questions import get_type


def grade(qtype: str, question: dict, response) -> float:
    return get_type(qtype).grade(question, response).score


# -- multiple choice, one answer ------------------------------------------------------------------
# qtype_multichoice_single_question::grade_response: the fraction of the picked answer, as it is;
# nothing clamps it (get_min_fraction is the lowest answer fraction, so a question can score < 0).
# GIFT: {=Moscow ~%50%Beijing ~%-50%Warsaw ~%-100%Yalta ~%-33.33333%Harbin ~Nanjing}
MC = {"prompt": "Where did Mao travel in December 1949?",
      "choices": ["Moscow", "Beijing", "Warsaw", "Yalta", "Harbin", "Nanjing"], "answer": "Moscow",
      "weights": {"Beijing": 0.5, "Warsaw": -0.5, "Yalta": -1, "Harbin": -0.3333333}}

MULTIPLE_CHOICE = [
    (MC, "Moscow", 1.0),  # the =answer: fraction 1
    (MC, "Beijing", 0.5),  # partial credit
    (MC, "Warsaw", -0.5),  # a negative mark stays negative
    (MC, "Yalta", -1.0),  # down to -100 %
    (MC, "Harbin", -0.3333333),  # Moodle keeps GIFT's 5 decimals of a percent
    (MC, "Nanjing", 0.0),  # a plain ~wrong answer: fraction 0
    (MC, "", 0.0),  # no answer: Moodle gives no fraction ("gave up"), a mark of 0 in the total
    ({**MC, "weights": {}}, "Warsaw", 0.0),  # without weights every wrong answer is 0
]


@pytest.mark.parametrize(("question", "response", "fraction"), MULTIPLE_CHOICE)
def test_multiple_choice_as_moodle(question, response, fraction):
    assert grade("multiple_choice", question, response) == pytest.approx(fraction)


# -- multiple choice, several answers -------------------------------------------------------------
# qtype_multichoice_multi_question::grade_response: the fractions of every ticked choice summed,
# then min(max(0, sum), 1) (get_min_fraction is 0). No bonus for the exact set: the weights decide.
# GIFT: {~%50%USSR ~%50%PRC ~%50%Mongolia ~%-100%USA ~%-25%UK}  (positive weights beyond 100 %)
MS = {"prompt": "Which were communist states in 1950?", "choices": ["USSR", "PRC", "Mongolia", "USA", "UK"],
      "answers": ["USSR", "PRC", "Mongolia"],
      "weights": {"USSR": 0.5, "PRC": 0.5, "Mongolia": 0.5, "USA": -1, "UK": -0.25}}
# GIFT: {~%60%USSR ~%30%PRC ~%-50%USA ~UK}  (positive weights short of 100 %: Moodle warns, keeps them)
MS_SHORT = {"prompt": "Which?", "choices": ["USSR", "PRC", "USA", "UK"], "answers": ["USSR", "PRC"],
            "weights": {"USSR": 0.6, "PRC": 0.3, "USA": -0.5}}
# GIFT: {~%33.33333%USSR ~%33.33333%PRC ~%33.33333%Mongolia ~%-100%USA}
MS_THIRDS = {"prompt": "Which?", "choices": ["USSR", "PRC", "Mongolia", "USA"],
             "answers": ["USSR", "PRC", "Mongolia"],
             "weights": {"USSR": 0.3333333, "PRC": 0.3333333, "Mongolia": 0.3333333, "USA": -1}}

MULTIPLE_SELECT = [
    (MS, ["USSR"], 0.5),
    (MS, ["USSR", "PRC"], 1.0),
    (MS, ["USSR", "PRC", "Mongolia"], 1.0),  # 1.5, clamped to 1
    (MS, ["USSR", "PRC", "Mongolia", "UK"], 1.0),  # 1.25, clamped to 1
    (MS, ["USSR", "PRC", "UK"], 0.75),  # a wrong tick costs its weight
    (MS, ["USSR", "Mongolia", "USA"], 0.0),  # 0.5 + 0.5 - 1 = 0
    (MS, ["USSR", "USA"], 0.0),  # -0.5, floored at 0
    (MS, ["USA", "UK"], 0.0),  # -1.25, floored at 0
    (MS, MS["choices"], 0.25),  # ticking everything: 1.5 - 1.25
    (MS, [], 0.0),  # nothing ticked
    (MS_SHORT, ["USSR", "PRC"], 0.9),  # the right set earns what its weights say, not 1
    (MS_SHORT, ["USSR", "USA"], 0.1),
    (MS_SHORT, ["PRC", "USA"], 0.0),  # -0.2, floored
    (MS_SHORT, ["UK"], 0.0),  # an unweighted choice is 0
    (MS_THIRDS, ["USSR", "PRC", "Mongolia"], 0.9999999),  # right (Outcome.correct: >= 0.999)
    (MS_THIRDS, ["USSR", "PRC", "Mongolia", "USA"], 0.0),
]


@pytest.mark.parametrize(("question", "response", "fraction"), MULTIPLE_SELECT)
def test_multiple_select_as_moodle(question, response, fraction):
    assert grade("multiple_select", question, response) == pytest.approx(fraction)


def test_the_exact_weighted_set_is_right_when_its_weights_make_100_percent():
    outcome = get_type("multiple_select").grade(MS_THIRDS, MS_THIRDS["answers"])
    assert outcome.correct
    assert not get_type("multiple_select").grade(MS_SHORT, MS_SHORT["answers"]).correct


# Without weights, a question grades by +1/n for each right tick and -1/n for each wrong one
# (Quizapp's rule). GIFT always carries weights; the importer leaves out exactly these, so the rule
# must be Moodle's sum over them: checked for every possible set of ticks.
PLAIN = {"prompt": "Which?", "choices": ["USSR", "PRC", "Mongolia", "USA", "UK"],
         "answers": ["USSR", "PRC", "Mongolia"]}
IMPLICIT = {"USSR": 1 / 3, "PRC": 1 / 3, "Mongolia": 1 / 3, "USA": -1 / 3, "UK": -1 / 3}
EVERY_SET = list(chain.from_iterable(combinations(PLAIN["choices"], n) for n in range(len(PLAIN["choices"]) + 1)))


@pytest.mark.parametrize("ticked", EVERY_SET, ids="+".join)
def test_multiple_select_without_weights_is_moodles_sum_of_the_implicit_weights(ticked):
    moodle = min(max(0.0, sum(IMPLICIT[c] for c in ticked)), 1.0)
    assert grade("multiple_select", PLAIN, list(ticked)) == pytest.approx(moodle)
    assert grade("multiple_select", {**PLAIN, "weights": IMPLICIT}, list(ticked)) == pytest.approx(moodle)


# -- true / false ---------------------------------------------------------------------------------
# qtype_truefalse_question::grade_response: 1 when the answer matches the right one, else 0.
TRUE_FALSE = [
    ({"prompt": "The treaty was signed in 1950.", "answer": True}, True, 1.0),
    ({"prompt": "The treaty was signed in 1950.", "answer": True}, False, 0.0),
    ({"prompt": "The treaty was signed in 1949.", "answer": False}, False, 1.0),
    ({"prompt": "The treaty was signed in 1949.", "answer": False}, True, 0.0),
    ({"prompt": "The treaty was signed in 1950.", "answer": True}, None, 0.0),  # no answer: gave up, 0
]


@pytest.mark.parametrize(("question", "response", "fraction"), TRUE_FALSE)
def test_true_false_as_moodle(question, response, fraction):
    assert grade("true_false", question, response) == fraction


# -- matching -------------------------------------------------------------------------------------
# qtype_match_question::grade_response: get_num_parts_right / number of stems; a stem left without a
# choice is not right; one choice may be given to several stems; distractors are choices matching nothing.
MATCH = {"prompt": "Match leader to country", "pairs": [["Mao", "PRC"], ["Stalin", "USSR"], ["Castro", "Cuba"]],
         "distractors": ["Vietnam"]}

MATCHING = [
    (MATCH, ["PRC", "USSR", "Cuba"], 1.0),
    (MATCH, ["PRC", "Cuba", "USSR"], 1 / 3),
    (MATCH, ["PRC", "USSR", "Vietnam"], 2 / 3),  # a distractor is a wrong pair
    (MATCH, ["PRC", "PRC", "PRC"], 1 / 3),  # the same choice for every stem
    (MATCH, ["PRC", "", ""], 1 / 3),  # unanswered stems count as wrong
    (MATCH, ["Vietnam", "Vietnam", "Vietnam"], 0.0),
    (MATCH, ["", "", ""], 0.0),
]


@pytest.mark.parametrize(("question", "response", "fraction"), MATCHING)
def test_matching_as_moodle(question, response, fraction):
    assert grade("matching", question, response) == pytest.approx(fraction)


# -- ordering -------------------------------------------------------------------------------------
# qtype_ordering_question::grade_response has several grading types. Quizapp grades by the share of
# item pairs in the right relative order, which is GRADING_RELATIVE_ALL_PREVIOUS_AND_NEXT: for each
# item, the items before and after it that are right, over n(n-1). Moodle's default for a new question
# (qtype_ordering_edit_form: gradingtype defaults to GRADING_ABSOLUTE_POSITION) counts items in their
# right place over n; that column is kept here to show where the two differ.
ORDER = {"prompt": "Put in order", "items": ["Treaty", "Korean War", "Secret speech", "Split"]}
T, K, S, P = ORDER["items"]

ORDERING = [
    # response, GRADING_RELATIVE_ALL_PREVIOUS_AND_NEXT (ours), GRADING_ABSOLUTE_POSITION (Moodle's default)
    ([T, K, S, P], 1.0, 1.0),
    ([T, S, K, P], 10 / 12, 2 / 4),  # one swap in the middle
    ([T, K, P, S], 10 / 12, 2 / 4),  # one swap at the end
    ([K, T, P, S], 8 / 12, 0.0),  # two swaps: every item out of place, yet most pairs in order
    ([K, S, P, T], 6 / 12, 0.0),  # the first item moved last
    ([P, T, K, S], 6 / 12, 0.0),  # the last item moved first
    ([P, S, K, T], 0.0, 0.0),  # reversed
    ([S, K, T, P], 6 / 12, 2 / 4),  # first and third swapped: here the two agree
]


@pytest.mark.parametrize(("response", "relative_all", "absolute_position"), ORDERING)
def test_ordering_as_moodles_relative_to_all_previous_and_next(response, relative_all, absolute_position):
    assert grade("ordering", ORDER, response) == pytest.approx(relative_all)


def test_ordering_differs_from_moodles_default_grading_type():
    """Rows where the two grading types disagree (the test above shows which one Quizapp follows)."""
    assert [r for r, ours, absolute in ORDERING if ours != pytest.approx(absolute)] == [
        [T, S, K, P], [T, K, P, S], [K, T, P, S], [K, S, P, T], [P, T, K, S]]
