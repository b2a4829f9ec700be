"""Cloze deletions read as Anki reads them (rslib/src/cloze.rs): nested and shared deletions, each
ordinal a card, checked against what Anki itself renders; and parsing in linear time on hostile text."""
from __future__ import annotations

import time

import pytest

from quizapp.banks.apkg import parse_apkg
from quizapp.banks.model import Question, validate_question
from quizapp.banks.sanitize import html_to_text
from quizapp.domain.questions import get_type
from quizapp.domain.questions.cloze import DELETION, card_segments, parse, strip_deletions
from tests.banks.anki_support import Collection, add_note, export

CLOZE = get_type("cloze")
NESTED = "{{c1::Mao met {{c2::Stalin}} in Moscow}}"

ANKI_TEXTS = [
    NESTED,
    "foo {{c1::bar {{c2::baz}}::qux}}",
    "{{c1,2::shared}} word and {{c1::first}} vs {{c2::second}}",
    "{{c1::outer {{c1::inner}}}} x",
    "{{c1,2::outer {{c3::inner}}}}",
    "{{c1::a {{c2::b {{c3::c}} d}} e}} f {{c3::g}}",
    "a }} b {{c1::x}}",
    "{{c1::a::b::c}} d",
    "{{c2::te{{c1::s}}}}t{{",
]


@pytest.fixture(scope="module")
def anki_cards(tmp_path_factory):
    """For each text, Anki's cards: (ordinal, the question side as text)."""
    col = Collection(str(tmp_path_factory.mktemp("cloze") / "c.anki2"))
    try:
        out = {}
        for text in ANKI_TEXTS:
            note = add_note(col, "Cloze", "Clozes", Text=text)
            out[text] = [(c.ord + 1, html_to_text(c.render_output().question_text).replace("[...]", "[…]"))
                         for c in sorted(note.cards(), key=lambda c: c.ord)]
        yield out
    finally:
        col.close()


@pytest.mark.parametrize("text", ANKI_TEXTS)
def test_every_card_asks_what_anki_asks(anki_cards, text):
    """The same cards (one per ordinal, nested ones too) and the same question on each."""
    assert CLOZE.cards({"text": text}) == [n for n, _ in anki_cards[text]]
    for ordinal, anki_question in anki_cards[text]:
        assert CLOZE.prompt({"text": text}, ordinal) == anki_question, ordinal


def test_a_nested_cloze_is_two_cards_and_the_inner_one_is_shown_when_the_outer_is_asked():
    q = {"text": NESTED}
    assert CLOZE.cards(q) == [1, 2]
    assert CLOZE.prompt(q, 1) == "[…]"
    assert CLOZE.expected(q, 1) == "Mao met Stalin in Moscow"  # the outer answer holds the inner one
    assert CLOZE.prompt(q, 2) == "Mao met […] in Moscow"
    assert CLOZE.expected(q, 2) == "Stalin"
    assert CLOZE.grade(q, ["Mao met Stalin in Moscow"], 1).score == 1.0
    assert CLOZE.grade(q, ["Stalin"], 1).score == 0.0  # the inner part alone does not answer card 1
    assert CLOZE.grade(q, ["stalin"], 2).score == 1.0
    assert CLOZE.grade(q, ["Lenin"], 2).score == 0.0
    assert [s.index for s in card_segments(NESTED, 2)] == [None, 2, None]  # what the answer form shows
    assert validate_question(Question("n", "cloze", q)) == []


def test_hints_sit_on_the_deletion_they_are_written_in():
    q = {"text": "foo {{c1::bar {{c2::baz::inner hint}}::outer hint}}"}
    assert CLOZE.prompt(q, 1) == "foo [outer hint]"
    assert CLOZE.prompt(q, 2) == "foo bar [inner hint]"
    assert CLOZE.expected(q, 1) == "bar baz"


def test_a_nested_cloze_from_an_anki_package_keeps_both_cards(tmp_path):
    col = Collection(str(tmp_path / "c.anki2"))
    try:
        note = add_note(col, "Cloze", "History", Text=NESTED, Back_Extra="1949")
        assert len(note.cards()) == 2  # Anki makes two cards of it
        package = export(col, tmp_path / "nested.apkg")
    finally:
        col.close()
    result = parse_apkg(package)
    assert result.errors == []
    (q,) = result.bank.questions
    assert q.fields == {"text": NESTED, "extra": "1949"}
    assert CLOZE.cards(q.fields) == [1, 2]
    assert CLOZE.prompt(q.fields, 2) == "Mao met […] in Moscow"


@pytest.mark.parametrize(("text", "message"), [
    ("{{c1::Mao}} met {{c2::Stalin", "has 1 deletion opened with '{{c' and never closed with '}}'"),
    ("{{c1::a {{c2::b}}", "has 1 deletion opened with '{{c' and never closed with '}}'"),
    ("{{c1::}} met", "deletion c1 is empty"),
    ("{{c0::Mao}} met", "deletion numbers start at c1"),
    ("no deletion", "has no deletion such as {{c1::answer}}"),
    ("{{c1:Mao}}", "has no deletion such as {{c1::answer}}"),
    ("{{c1::a}} {{c1:b}}", "has a malformed deletion ('{{c' without a number and '::')"),
    ("{{c" + "1" * 5000 + "::Mao}}", "has no deletion such as {{c1::answer}}"),
    ("".join("{{c1::" for _ in range(11)) + "x" + "}}" * 11, "nests deletions more than 10 deep"),
])
def test_broken_clozes_say_what_is_wrong(text, message):
    assert message in [m for f, m in validate_question(Question("x", "cloze", {"text": text})) if f == "text"]


def test_strip_deletions_fills_every_deletion_in():
    assert strip_deletions(NESTED + " {{c3::x::hint}}") == "Mao met Stalin in Moscow x"


# -- linear time -------------------------------------------------------------------------------

HOSTILE = {
    "openers": lambda n: "{{c1::" * (n // 6),
    "colons": lambda n: "{{c1::a" + "::" * (n // 2),
    "hint colons": lambda n: "{{c1::" + "a::" * (n // 3),
    "closers": lambda n: "}}" * (n // 2),
    "digits": lambda n: "{{c" + "1," * (n // 2),
    "nested": lambda n: "{{c1::" * (n // 12) + "x" + "}}" * (n // 12),
    "brace soup": lambda n: "{{c1::{{{{}}::}}" * (n // 16),
    "many deletions": lambda n: "{{c1::a}} " * (n // 10),
}


def _work(text: str) -> None:
    q = {"text": text}
    validate_question(Question("x", "cloze", q))
    for card in CLOZE.cards(q)[:3]:
        CLOZE.prompt(q, card)
        CLOZE.blanks(q, card)
    DELETION.sub(lambda m: m.group(2), text)
    strip_deletions(text)


def _seconds(text: str) -> float:
    start = time.process_time()
    _work(text)
    return time.process_time() - start


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_cloze_text_is_parsed_in_linear_time(kind):
    """10 KB once killed a worker (a cubic regex): now 10 KB takes milliseconds and 200 KB scales
    about linearly (20 times the text may cost at most 60 times the time, noise allowed)."""
    small, big = HOSTILE[kind](10_000), HOSTILE[kind](200_000)
    _work(small)  # warm up
    t_small = min(_seconds(small) for _ in range(3))
    t_big = min(_seconds(big) for _ in range(2))
    assert t_small < 0.25, t_small
    assert t_big < max(60 * t_small, 0.05) and t_big < 3.0, (t_small, t_big)


def test_the_tree_of_a_hostile_text_is_bounded_by_anki_depth():
    parsed = parse("{{c1::" * 10_000 + "x")
    assert parsed.unclosed == 10 and parsed.too_deep == 9_990
