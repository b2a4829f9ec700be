"""native -> GIFT -> native, type by type: the same questions come back (prompt, answers, weights
after snapping to Moodle's grades, feedback, tags, title, everything else), and native -> GIFT ->
native -> GIFT writes the same file. The file is also read as Moodle sees it (no [quizapp]
comments): every question is there, with its id and type."""
from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizapp.banks.gift import dump_gift, export_gift, parse_gift, read_gift, snap_weights
from quizapp.banks.model import Bank, Question
from quizapp.banks.native import dump_yaml, parse_native

from .gift_strategies import MOODLE_TYPES, banks, texts

MOODLE_QTYPE = {"multiple_choice": "multichoice", "multiple_select": "multichoice", "true_false": "truefalse",
                "short_answer": "shortanswer", "numeric": "numerical", "matching": "match", "ordering": "match",
                "flashcard": "essay", "cloze": "shortanswer"}


def snapped(bank: Bank) -> Bank:
    return Bank(**{**bank.__dict__, "questions": [snap_weights(q)[0] for q in bank.questions]})


@pytest.mark.parametrize("qtype", MOODLE_TYPES)
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_round_trip_of_each_type(qtype, data):
    bank = data.draw(banks(qtypes=(qtype,)))
    export = export_gift(bank)
    result = parse_gift(export.text)
    assert result.ok, [str(e) for e in result.errors]
    assert result.bank == snapped(bank)
    for back, q in zip(result.bank.questions, snapped(bank).questions):  # the parts, named for a failure
        assert (back.type, back.fields, back.tags, back.title, back.explanation) == (
            q.type, q.fields, q.tags, q.title, q.explanation)
    # A second trip changes nothing: the snapped weights are Moodle's, the file is the same
    # (but for the notes on what the first export changed).
    again = export_gift(result.bank)
    assert again.notices == [n for n in export.notices if "weight" not in n.message]
    assert again.text == "\n".join(line for line in export.text.split("\n")
                                   if not (line.startswith("// Moodle:") and "weight" in line))


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(banks())
def test_native_yaml_to_gift_to_native_yaml(bank):
    native = parse_native(dump_yaml(bank))
    assert native.ok, [str(e) for e in native.errors]
    back = parse_gift(dump_gift(native.bank))
    assert back.ok, [str(e) for e in back.errors]
    again = parse_native(dump_yaml(back.bank))  # the title and everything else survive YAML too
    assert again.ok and again.bank == snapped(bank)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(banks())
def test_gift_written_for_moodle_needs_no_quizapp_comments(bank):
    """Without the [quizapp] comments (as Moodle reads it) every question still parses, with its id."""
    text = "\n".join(line for line in dump_gift(bank).split("\n") if "[quizapp]" not in line)
    read = read_gift(text)
    assert not read.errors, [str(e) for e in read.errors]
    assert [(q.idnumber, q.qtype) for q in read.questions] == [
        (q.id, MOODLE_QTYPE[q.type]) for q in bank.questions]


@settings(max_examples=40, deadline=None)
@given(st.lists(texts("plain"), min_size=2, max_size=4, unique=True))
def test_round_trip_keeps_numbers_exactly(items):
    value = math.pi * len(items)
    bank = Bank(id="n", title="N", questions=[Question(id="x", type="numeric", fields={
        "prompt": items[0], "answer": value, "tolerance": 1e-12})])
    assert parse_gift(dump_gift(bank)).bank.questions[0].fields["answer"] == value


def test_only_weights_moodle_refuses_are_changed():
    bank = Bank(id="w", title="W", questions=[
        Question(id="third", type="multiple_choice", fields={
            "prompt": "P", "choices": ["a", "b", "c"], "answer": "a", "weights": {"b": 1 / 3, "c": 0.35}}),
    ])
    back = parse_gift(dump_gift(bank)).bank.questions[0]
    assert back.fields["weights"] == {"b": 1 / 3, "c": 0.3333333}  # 1/3 is Moodle's 33.33333 %; 35 % is not
