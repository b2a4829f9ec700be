"""Source passages as prose: wiki markup gone, every quote still there and marked, once."""
from __future__ import annotations

from pathlib import Path

from quizapp.banks.native import parse_native
from quizapp.banks.passages import passages, plain
from tests.conftest import SHARED

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = SHARED / "documents"
MARKUP = ("{{", "}}", "[[", "]]", "|url=", "<ref", "access-date", "File:")

WIKI = (
    "Intro paragraph.\n\n"
    "In 1950 the [[Sino-Soviet Treaty of Friendship|treaty]] was signed in [[Moscow]].<ref>{{cite book |title=X "
    "|url=https://example.com/a/very/long/url |access-date=2020-01-01}}</ref> Stalin kept Mao waiting."
    "{{sfn|Zhao|2022|p=25}} [[File:Mao and Stalin.jpg|thumb|Mao and Stalin]] The talks lasted weeks."
    "{{Rp|page=90}}\n\n"
    "Next paragraph.")


def test_wiki_markup_is_dropped_and_the_sentence_kept():
    prose = plain(WIKI)
    assert not any(m in prose for m in MARKUP)
    assert "In 1950 the treaty was signed in Moscow. Stalin kept Mao waiting. The talks lasted weeks." in prose
    assert plain("A scraped page withrun-together words [not wiki].") == (
        "A scraped page withrun-together words [not wiki].")  # left as it is


def test_quotes_of_one_paragraph_make_one_passage_with_both_marked():
    shown = passages(WIKI, ["Stalin kept Mao waiting.", "The talks lasted weeks.", "Next paragraph."])
    assert len(shown) == 2  # the first two quotes share a paragraph
    first, second = shown
    assert first.marked == ["Stalin kept Mao waiting.", "The talks lasted weeks."]
    assert not any(m in first.text for m in MARKUP) and second.marked == ["Next paragraph."]


def _built_in_questions():
    for path in sorted((ROOT / "questions").glob("*.yaml")):
        bank = parse_native(path.read_text(encoding="utf-8"), path.name).bank
        for question in bank.questions:
            yield bank, question


def test_every_built_in_question_shows_its_quotes_in_clean_prose():
    assert DOCUMENTS.is_dir(), f"the source documents are needed: {DOCUMENTS}"
    documents = {p.name: p.read_text(encoding="utf-8") for p in DOCUMENTS.glob("*.txt")}
    checked = 0
    for bank, question in _built_in_questions():
        text = documents[bank.sources[question.source]["file"]]
        shown = passages(text, question.evidence)
        marked = [" ".join(m.split()) for p in shown for m in p.marked]
        for p in shown:
            assert p.found, (question.id, p.text[:80])
            assert not any(m in p.text for m in MARKUP), (question.id, p.text)
        for quote in question.evidence:
            assert any(" ".join(plain(quote).split()) in m for m in marked), (question.id, quote)
        paragraphs = [p.text for p in shown]
        assert len(paragraphs) == len(set(paragraphs)), question.id  # no passage twice
        checked += 1
    assert checked >= 340
