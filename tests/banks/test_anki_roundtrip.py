"""Round trips through Anki, checked with Anki's own importer:

- a deck imported here and exported back matches the same notes in Anki (no copies: 7 stay 7);
- every question type written as .apkg comes back identical (a multiple choice stays one);
- a note edited in Anki comes back with the edit where the type can take it, and says so where not.
"""
from __future__ import annotations

import copy

import pytest

from quizapp.banks.apkg import dump_apkg, parse_apkg
from quizapp.banks.model import Bank
from quizapp.banks.native import dump_yaml, from_data, parse_native
from quizapp.domain.questions import REGISTRY
from tests.banks.anki_support import PNG, Collection, add_note, anki_notes, export, import_package
from tests.factories import QUESTIONS

SEVEN = 7


@pytest.fixture
def original(tmp_path):
    """A learner's collection of seven notes of every stock kind, and its export."""
    col = Collection(str(tmp_path / "mine.anki2"))
    image = tmp_path / "map.png"
    image.write_bytes(PNG)
    name = col.media.add_file(str(image))
    add_note(col, "Basic", "China", ["capital"], Front="Capital of China?", Back=f'Beijing <img src="{name}">')
    add_note(col, "Basic (and reversed card)", "China", Front="河", Back="river")
    add_note(col, "Basic (optional reversed card)", "China", Front="山", Back="mountain", Add_Reverse="y")
    add_note(col, "Basic (type in the answer)", "China", Front="水", Back="water")
    add_note(col, "Cloze", "China", Text="{{c1::Mao}} met {{c2::Stalin}} in {{c3::1949}}", Back_Extra="Moscow")
    add_note(col, "Cloze", "China", Text="{{c1::Mao met {{c2::Stalin}} in Moscow}}")
    add_note(col, "Cloze", "China::Treaties", Text="The {{c1,2::Sino-Soviet}} treaty was signed in {{c2::1950}}")
    package = export(col, tmp_path / "mine.apkg", with_scheduling=True)
    assert len(col.find_notes("")) == SEVEN
    yield col, package
    col.close()


def stored(bank: Bank) -> Bank:
    """The bank as the database keeps it and gives it back (the native dict of each question)."""
    text = dump_yaml(bank)
    back = parse_native(text, "stored.yaml")
    assert back.ok, [str(e) for e in back.errors]
    back.bank.media = dict(bank.media)
    return back.bank


def test_importing_a_deck_and_exporting_it_back_adds_no_copies_in_anki(tmp_path, original):
    """Anki matches notes by guid: each question kept its note's guid (and id) through import,
    storage and export, so Anki's importer finds the seven notes it has, and adds none."""
    col, package = original
    result = parse_apkg(package, "mine.apkg")
    assert result.errors == []
    bank = stored(result.bank)
    assert len(bank.questions) == SEVEN  # the reversed notes are one question each
    before = {n.guid: n.id for n in (col.get_note(i) for i in col.find_notes(""))}
    log = import_package(col, tmp_path, dump_apkg(bank), 1).log
    assert len(log.new) == 0  # nothing new: every note was recognised
    assert len(col.find_notes("")) == SEVEN
    assert {n.guid: n.id for n in (col.get_note(i) for i in col.find_notes(""))} == before


def test_a_fresh_collection_gets_the_notes_with_their_own_guids_and_ids(tmp_path, original):
    col, package = original
    notes = {n.guid: n for n in (col.get_note(i) for i in col.find_notes(""))}
    bank = stored(parse_apkg(package).bank)
    fresh = Collection(str(tmp_path / "fresh.anki2"))
    try:
        import_package(fresh, tmp_path, dump_apkg(bank), 2)
        again = anki_notes(fresh)
        assert {guid: n.id for guid, n in again.items()} == {guid: n.id for guid, n in notes.items()}
        # and importing the learner's own original afterwards finds them too
        import_package(fresh, tmp_path, package, 3)
        assert len(fresh.find_notes("")) == SEVEN
        assert sum(len(n.cards()) for n in anki_notes(fresh).values()) == sum(len(n.cards()) for n in notes.values())
    finally:
        fresh.close()


def every_type_bank() -> Bank:
    """Every question type, with every common field set, as a native bank."""
    questions = copy.deepcopy(QUESTIONS) + [
        {"id": "nested", "type": "cloze", "text": "{{c1::Mao met {{c2::Stalin}} in Moscow}}", "extra": "1949",
         "case_sensitive": True},
        {"id": "reversed", "type": "flashcard", "front": "河", "back": "river", "reverse": True,
         "explanation": "*River* in Chinese.", "format": "markdown"},
        {"id": "weighted", "type": "short_answer", "prompt": "Capital of the PRC?", "answers": ["Beijing", "Peking"],
         "weights": {"Peking": 0.5}, "typos": False},
        {"id": "ranged", "type": "numeric", "prompt": "Population (millions, 1950)?", "answer": 550,
         "tolerance": 25, "unit": "million"},
        {"id": "pairs", "type": "matching", "prompt": "Match", "pairs": [["Mao", "PRC"], ["Kim", "DPRK"]],
         "distractors": ["ROC"]},
        {"id": "math", "type": "flashcard", "front": "Area of a circle?", "back": "\\(\\pi r^2\\)"},
    ]
    for n, q in enumerate(questions):
        q.setdefault("explanation", f"Because {n}.")
        q["tags"] = ["china", f"t{n}"]
        q["difficulty"] = ("easy", "medium", "hard")[n % 3]
        q["source"] = "doc"
        q["evidence"] = ["Mao went to Moscow in 1949."]
        q["reviewed_by"] = "ada"  # a key of our own: kept as it is
    data = {"bank": 1, "id": "every", "title": "Every type", "sources": {"doc": {"title": "A document"}},
            "questions": questions}
    result = from_data(data, "every.yaml")
    assert result.ok, [str(e) for e in result.errors]
    return result.bank


def test_native_to_apkg_to_native_gives_identical_questions_of_every_type():
    bank = every_type_bank()
    assert {q.type for q in bank.questions} == set(REGISTRY)
    back = parse_apkg(dump_apkg(bank), "every.apkg")
    assert back.errors == [] and back.notices == []
    assert back.bank.questions == bank.questions
    assert (back.bank.id, back.bank.title) == ("every", "Every type")


def test_every_type_reaches_anki_as_a_note_it_shows(tmp_path):
    bank = every_type_bank()
    col = Collection(str(tmp_path / "learner.anki2"))
    try:
        import_package(col, tmp_path, dump_apkg(bank))
        notes = anki_notes(col)
        assert len(notes) == len(bank.questions)
        kinds = {guid.split("/")[-1]: n.note_type()["name"] for guid, n in notes.items()}
        assert kinds["capital"] == "Question (quizapp)" and kinds["card"] == "Basic (quizapp)"
        assert kinds["reversed"] == "Basic and reversed (quizapp)" and kinds["nested"] == "Cloze (quizapp)"
        assert len(notes["quizapp:every/nested"].cards()) == 2  # both deletions of the nested cloze
        assert "Moscow" in notes["quizapp:every/capital"].cards()[0].question()  # the choices are shown
        # and Anki's own export of them comes back identical too
        back = parse_apkg(export(col, tmp_path / "again.apkg"), "again.apkg")
        assert back.errors == []
        assert back.bank.questions == bank.questions
    finally:
        col.close()


def test_edits_made_in_anki_come_back_where_the_type_can_take_them(tmp_path):
    bank = every_type_bank()
    col = Collection(str(tmp_path / "learner.anki2"))
    try:
        import_package(col, tmp_path, dump_apkg(bank))
        notes = anki_notes(col)
        card = notes["quizapp:every/card"]
        card["Back"] = "The break of the <b>1960s</b>"
        col.update_note(card)
        choice = notes["quizapp:every/capital"]
        choice["Back"] = "Beijing"  # not an answer a multiple choice can take from a back
        col.update_note(choice)
        result = parse_apkg(export(col, tmp_path / "edited.apkg"), "edited.apkg")
    finally:
        col.close()
    assert result.errors == []
    qs = {q.id: q for q in result.bank.questions}
    assert qs["card"].fields == {"front": "Sino-Soviet split", "back": "The break of the <b>1960s</b>"}
    assert qs["card"].format == "html" and qs["card"].source == "doc"  # what Anki has no place for is kept
    assert qs["capital"] == {q.id: q for q in bank.questions}["capital"]
    assert [n.message for n in result.notices if n.question == "capital"] == [
        "the note was edited in Anki, but a multiple choice question cannot be rebuilt from its front and back: "
        "Quizapp's version is kept"]
