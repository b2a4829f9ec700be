"""The teacher's choices at upload (banks/upload_choices.py): the bank's name, GIFT categories as
tags or as banks of their own."""
from __future__ import annotations

import pytest

from quizapp.banks import upload_choices

GIFT = b"""::before::Asked before any category? {=yes ~no}

$CATEGORY: $course$/top/Maths/Fractions

::half::Half of one? {=1/2 ~1/3}

::third::A third of three? {#1}

$CATEGORY: $course$/top/History

::prc::When was the PRC proclaimed? {#1949}
"""


def test_without_a_name_a_gift_bank_is_named_by_its_first_category_and_tagged_by_categories():
    result = upload_choices.parse(GIFT, "term1.gift")
    assert result.ok and (result.bank.id, result.bank.title) == ("fractions", "Fractions")
    assert [q.tags for q in result.bank.questions] == [[], ["maths", "fractions"], ["maths", "fractions"],
                                                        ["history"]]
    assert result.parts == []


def test_the_teachers_name_names_the_bank_and_its_id_even_for_questions_before_the_first_category():
    result = upload_choices.parse(GIFT, "term1.gift", name="  Year 9   revision ")
    assert result.ok and (result.bank.id, result.bank.title) == ("year-9-revision", "Year 9 revision")
    assert len(result.bank.questions) == 4 and result.bank.questions[1].tags == ["maths", "fractions"]


def test_one_bank_per_category_keeps_the_questions_before_any_category_in_the_named_bank():
    result = upload_choices.parse(GIFT, "term1.gift", name="Revision", categories="banks")
    assert result.ok
    assert [(p.id, p.title, [q.id for q in p.questions]) for p in result.parts] == [
        ("revision", "Revision", ["before"]),
        ("maths-fractions", "Maths / Fractions", ["half", "third"]),
        ("history", "History", ["prc"])]
    # The category is the bank now: it tags nothing.
    assert all(q.tags == [] for p in result.parts for q in p.questions)


def test_one_bank_per_category_is_all_or_nothing_an_error_in_one_category_stops_every_bank():
    broken = GIFT.replace(b"{#1949}", b"{#19x49}")
    result = upload_choices.parse(broken, "term1.gift", categories="banks")
    assert not result.ok and result.bank is None
    assert [(e.line, e.question) for e in result.errors] == [(11, "prc")]
    # The preview still shows where the questions that were read would go.
    # Without a name, the questions outside any category are in a bank named after the file.
    assert [p.title for p in result.parts] == ["term1", "Maths / Fractions"]


def test_two_categories_that_make_the_same_id_get_different_ids():
    data = b"$CATEGORY: A b\n\n::x::X? {=a ~b}\n\n$CATEGORY: A-B\n\n::y::Y? {=a ~b}\n"
    result = upload_choices.parse(data, "c.gift", categories="banks")
    assert [p.id for p in result.parts] == ["a-b", "a-b-2"]


def test_a_csv_bank_takes_the_name_and_an_id_made_from_it():
    result = upload_choices.parse(b"front,back\nhola,hello\nadios,goodbye\n", "spanish_words.csv", name="Spanish 1")
    assert result.ok and (result.bank.id, result.bank.title) == ("spanish-1", "Spanish 1")
    assert [q.type for q in result.bank.questions] == ["flashcard", "flashcard"]  # the header row is no card


def test_a_native_bank_keeps_the_id_it_states_so_uploading_it_again_updates_the_same_bank():
    native = b"id: algebra\ntitle: algebra\nquestions:\n  - id: q1\n    type: flashcard\n    front: a\n    back: b\n"
    result = upload_choices.parse(native, "algebra.yaml", name="Algebra for 7B")
    assert result.ok and (result.bank.id, result.bank.title) == ("algebra", "Algebra for 7B")


def test_an_unknown_choice_for_categories_is_refused():
    with pytest.raises(ValueError, match="categories must be one of tags, banks"):
        upload_choices.parse(GIFT, "x.gift", categories="folders")
