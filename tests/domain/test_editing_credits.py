"""Credits, penalties and feedback per answer in the question form (domain/questions/editing.py):
typed as lines, read into the question's fields, and shown back the same way."""
from __future__ import annotations

from quizapp.domain.questions import get_type
from quizapp.domain.questions.editing import fields_from_form, form_values


def test_choice_credits_and_feedback_are_read_by_the_choice_even_one_holding_an_equals_sign():
    fields = fields_from_form("multiple_choice", {
        "prompt": "x + 1 = 3?", "choices": "x = 2\nx = 3\nx = 4", "answer": "x = 2",
        "weights": "x = 3 = 50%\nx = 4 = -0.25", "feedback": "x = 3 = Close: 3 + 1 = 4.\n\nx = 2 = Yes."})
    assert fields["weights"] == {"x = 3": 0.5, "x = 4": -0.25}
    assert fields["feedback"] == {"x = 3": "Close: 3 + 1 = 4.", "x = 2": "Yes."}
    assert get_type("multiple_choice").validate(fields) == []
    # Graded as the teacher wrote: half marks, a penalty, the feedback of the pick.
    grade = get_type("multiple_choice").grade
    assert (grade(fields, "x = 3").score, grade(fields, "x = 3").feedback) == (0.5, "Close: 3 + 1 = 4.")
    assert grade(fields, "x = 4").score == -0.25
    assert form_values("multiple_choice", fields)["weights"] == "x = 3 = 0.5\nx = 4 = -0.25"


def test_a_credit_out_of_range_or_not_a_number_and_a_choice_not_listed_are_named():
    fields = fields_from_form("multiple_select", {
        "prompt": "P", "choices": "a\nb\nc", "answers": "a\nb", "weights": "a = 2\nb = lots\nd = 0.5\nc"})
    errors = {(e.field, e.message) for e in get_type("multiple_select").validate(fields)}
    assert errors == {("weights.a", "must be a number from -1 to 1"), ("weights.b", "must be a number from -1 to 1"),
                      ("weights.d", "names no listed answer"), ("weights.c", "must be a number from -1 to 1")}


def test_short_answer_alternatives_with_partial_credit():
    fields = fields_from_form("short_answer", {"prompt": "Capital of Australia?", "answers": "Canberra\nSydney",
                                               "weights": "Sydney = 25%", "feedback": "Sydney = The largest city."})
    assert fields["weights"] == {"Sydney": 0.25}
    outcome = get_type("short_answer").grade(fields, "sydney")
    assert (outcome.score, outcome.feedback) == (0.25, "The largest city.")
    assert get_type("short_answer").grade(fields, "Melbourne").score == 0


def test_numeric_alternatives_are_lines_of_answer_tolerance_credit_and_feedback():
    fields = fields_from_form("numeric", {
        "prompt": "When?", "answer": "1949", "feedback": "Yes.", "wrong_feedback": "No: October 1949.",
        "alternatives": "1950 | 0 | 50% | One year late\n1939 | | 0 | That is when the war began\n1948|1|0.25"})
    assert fields["alternatives"] == [
        {"answer": 1950, "tolerance": 0, "weight": 0.5, "feedback": "One year late"},
        {"answer": 1939, "weight": 0, "feedback": "That is when the war began"},
        {"answer": 1948, "tolerance": 1, "weight": 0.25}]
    grade = get_type("numeric").grade
    assert (grade(fields, 1950).score, grade(fields, 1950).feedback) == (0.5, "One year late")
    assert grade(fields, 1939).feedback == "That is when the war began"
    assert (grade(fields, 1900).score, grade(fields, 1900).feedback) == (0, "No: October 1949.")
    shown = form_values("numeric", fields)
    assert shown["alternatives"].splitlines() == ["1950 | 0 | 0.5 | One year late",
                                                  "1939 | 0 | 0 | That is when the war began", "1948 | 1 | 0.25"]
    assert fields_from_form("numeric", shown) == fields | {"alternatives": [
        {"answer": 1950, "tolerance": 0, "weight": 0.5, "feedback": "One year late"},
        {"answer": 1939, "tolerance": 0, "weight": 0, "feedback": "That is when the war began"},
        {"answer": 1948, "tolerance": 1, "weight": 0.25}]}


def test_a_numeric_alternative_that_is_not_a_number_is_named_by_its_line():
    fields = fields_from_form("numeric", {"prompt": "P", "answer": "1", "alternatives": "2 | 0 | 1\nabout 3 | 0 | 1"})
    assert [(e.field, e.message) for e in get_type("numeric").validate(fields)] == [
        ("alternatives[1].answer", "must be a number")]
