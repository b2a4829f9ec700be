"""A question's fields as its edit form's texts and back: each type's inputs, and nothing lost."""
from __future__ import annotations

import pytest

from quizapp.domain.questions import REGISTRY, get_type
from quizapp.domain.questions.editing import fields_from_form, form_values
from tests.factories import QUESTIONS


def test_every_type_has_an_edit_form_covering_its_required_fields():
    for qtype in REGISTRY.values():
        shown = {f.name for f in qtype.editor}
        assert set(qtype.required) <= shown, qtype.name


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q["type"])
def test_form_round_trip_keeps_the_question(question):
    fields = {k: v for k, v in question.items() if k in get_type(question["type"]).fields}
    values = form_values(question["type"], fields)
    assert fields_from_form(question["type"], values, keep=fields) == fields


def test_typed_texts_become_the_fields_values():
    assert fields_from_form("matching", {"prompt": "Match", "pairs": "Mao = PRC\r\n\r\nStalin=USSR\n"}) == {
        "prompt": "Match", "pairs": [["Mao", "PRC"], ["Stalin", "USSR"]]}
    assert fields_from_form("numeric", {"prompt": "When?", "answer": "1949", "tolerance": "0,5"}) == {
        "prompt": "When?", "answer": 1949, "tolerance": 0.5}
    # Text that is not a number stays as typed, so validation can name the field.
    assert fields_from_form("numeric", {"prompt": "When?", "answer": "about 1949"})["answer"] == "about 1949"
    assert fields_from_form("true_false", {"prompt": "P", "answer": ""})["answer"] is False
    # Emptied optional inputs leave the field out; fields the form does not show are kept.
    kept = fields_from_form("true_false", {"prompt": "P", "answer": "y"},
                            keep={"feedback": {"false": "It is true."}, "answer": False})
    assert kept == {"prompt": "P", "answer": True, "feedback": {"false": "It is true."}}
    # Credits and feedback per choice are inputs now: emptied, they go.
    emptied = fields_from_form("multiple_choice", {"prompt": "P", "choices": "a\nb", "answer": "a", "weights": ""},
                               keep={"weights": {"b": 0.5}, "answer": "b"})
    assert emptied == {"prompt": "P", "choices": ["a", "b"], "answer": "a"}
    assert "distractors" not in fields_from_form("matching", {"prompt": "P", "pairs": "a = b", "distractors": " "},
                                                 keep={"distractors": ["x"]})
