"""Question ids made from a question's text: readable, transliterated, cut at a word, never repeated."""
from __future__ import annotations

from quizapp.banks.model import SLUG
from quizapp.banks.readable_ids import ID_WORDS_CHARS, id_from_text


def test_accents_and_other_scripts_are_transliterated():
    assert id_from_text("Où est la Ville-Lumière ?") == "ou-est-la-ville-lumiere"
    assert id_from_text("Was heißt „Straße“?") == "was-heisst-strasse"
    assert id_from_text("Что такое ДНК?") == "chto-takoe-dnk"


def test_markup_is_ignored_and_the_id_is_cut_at_a_word():
    assert id_from_text("<p>What is <b>two</b> plus two?</p>") == "what-is-two-plus-two"
    long = id_from_text("In which year did the People's Republic of China join the United Nations as a member")
    assert len(long) <= ID_WORDS_CHARS and not long.endswith("-") and long.endswith("-china-join-the")


def test_a_taken_id_gets_the_next_free_number_and_every_id_is_valid():
    taken = {"capital", "capital-2"}
    assert id_from_text("Capital!", taken) == "capital-3"
    assert id_from_text("???") == "q" and id_from_text("", {"q"}) == "q-2"
    for text in ("Où ?", "x" * 500, "日本の首都は？", "--a--"):
        assert SLUG.match(id_from_text(text)), text
